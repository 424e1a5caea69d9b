from datetime import date

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, freeze_time, new_test_user, tagged

from ..models.tools import moves_of_action
from .common import DELIVERY_DATE, AftersalesCommon, ReturnHelpers


@tagged("post_install", "-at_install")
class TestReturn(ReturnHelpers, AftersalesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.aftersales_refund_threshold = 0.0  # approval by amount is tested on its own
        cls.company.aftersales_return_days = 15
        cls.compensation_product = cls.env["product.product"].create(
            {"name": "Compensation", "type": "service", "taxes_id": [Command.set(cls.tax_sale.ids)]}
        )
        cls.company.aftersales_compensation_product_id = cls.compensation_product
        cls.Return = cls.env["aftersales.return"]

    # ---------------------------------------------------------------- R-1 window, R-4 approval
    def test_day_15_accepted_day_16_needs_approval(self):
        order = self.sell([(self.product_psu, 10, 20.0)])
        with freeze_time("2026-03-19"):
            ret = self._new_return(order, {order.order_line: 2})
            self.assertFalse(ret.needs_approval, "day 15 after delivery: inside the window")
            ret.action_submit()
            self.assertEqual(ret.state, "waiting_goods")
            self.assertEqual(ret.line_ids.qty_approved, 2)
            self.assertEqual(ret.picking_ids.move_ids.product_uom_qty, 2)
        with freeze_time("2026-03-20"):
            late = self._new_return(order, {order.order_line: 2})
            self.assertTrue(late.needs_approval)
            self.assertIn("window closed", late.eligibility_note)
            with self.assertRaises(UserError):
                late.action_submit()
            self.assertEqual(late.state, "draft")
            self.assertFalse(late.picking_ids, "nothing half-written")
            late.approval_reason = "Loyal customer, unopened box"
            late.action_submit()
            self.assertEqual(late.state, "to_approve")
            with self.assertRaises(AccessError):
                late.with_user(self.aftersales_user).action_approve()
            late.with_user(self.aftersales_manager).action_approve()
            self.assertEqual(late.state, "waiting_goods")
            self.assertEqual(late.approver_id, self.aftersales_manager)
            with self.assertRaises(UserError):
                late.with_user(self.aftersales_manager).action_approve()  # second click

    def test_manager_never_approves_own_request(self):
        order = self.sell([(self.product_psu, 10, 20.0)])
        with freeze_time("2026-05-01"):
            ret = self._new_return(
                order, {order.order_line: 1}, user=self.aftersales_manager, approval_reason="Late but fair"
            )
            ret.action_submit()
            with self.assertRaises(UserError):
                ret.with_user(self.aftersales_manager).action_approve()
            self.assertEqual(ret.state, "to_approve")

    def test_amount_above_threshold_needs_approval(self):
        self.company.aftersales_refund_threshold = 100.0
        order = self.sell([(self.product_psu, 10, 20.0)])
        with freeze_time("2026-03-10"):
            small = self._new_return(order, {order.order_line: 2})
            self.assertFalse(small.needs_approval)
            big = self._new_return(order, {order.order_line: 8})
            self.assertTrue(big.needs_approval, "8 x 20 + tax is above 100")
            self.assertIn("threshold", big.eligibility_note)

    def test_quality_return_within_warranty(self):
        policy = self.env["aftersales.warranty.policy"].create({"name": "PSU 12 months", "duration": 12})
        self.categ_accessories.aftersales_warranty_policy_id = policy
        order = self.sell([(self.product_psu, 10, 20.0)])
        with freeze_time("2026-09-01"):
            ret = self._new_return(order, {order.order_line: 1}, return_type="quality")
            self.assertFalse(ret.needs_approval, "in warranty: eligible any time (R-2)")
        with freeze_time("2027-09-01"):
            ret = self._new_return(order, {order.order_line: 1}, return_type="quality")
            self.assertTrue(ret.needs_approval)

    # ---------------------------------------------------------------- money
    def test_partial_return_credit_note_equals_invoice_share(self):
        order = self.sell([(self.product_psu, 10, 20.0, 10.0)])
        invoice = order.invoice_ids
        inv_line = invoice.invoice_line_ids
        with freeze_time("2026-03-10"):
            ret = self._new_return(order, {order.order_line: 3})
            ret.action_submit()
            self.assertFalse(ret.can_refund, "nothing received yet")
            self._receive(ret)
            self.assertEqual(ret.state, "received")
            self.assertEqual(ret.line_ids.qty_received, 3)
            credit_note = moves_of_action(self.env, ret.action_create_credit_note())
        self.assertEqual(credit_note.move_type, "out_refund")
        self.assertEqual(credit_note.reversed_entry_id, invoice)
        self.assertEqual(credit_note.aftersales_return_id, ret)
        line = credit_note.invoice_line_ids
        self.assertEqual((line.quantity, line.price_unit, line.discount), (3, 20.0, 10.0))
        self.assertEqual(line.tax_ids, inv_line.tax_ids)
        self.assertAlmostEqual(credit_note.amount_untaxed, 54.0)
        self.assertAlmostEqual(credit_note.amount_total, round(inv_line.price_total * 3 / 10, 2))
        self.assertEqual(ret.line_ids.qty_refunded, 3)
        self.assertEqual(order.order_line.qty_invoiced, 7)
        self.assertEqual(order.order_line.qty_delivered, 7)
        self.assertEqual(
            order.order_line.qty_to_invoice, 0, "the refund never makes the order invoiceable (#300)"
        )
        self.assertNotEqual(order.invoice_status, "to invoice")
        with self.assertRaises(UserError):
            ret.action_create_credit_note()  # second click
        self.assertEqual(len(ret.credit_note_ids), 1)
        self.assertEqual(ret.state, "done")

    def test_order_invoiced_line_not_invoiceable_again(self):
        self.product_psu.invoice_policy = "order"
        order = self.sell([(self.product_psu, 10, 20.0)])
        with freeze_time("2026-03-10"):
            ret = self._new_return(order, {order.order_line: 3})
            ret.action_submit()
            self._receive(ret)
            ret.action_create_credit_note()
        self.assertAlmostEqual(ret.credit_note_ids.amount_untaxed, 60.0)
        self.assertEqual(order.order_line.qty_to_invoice, 0, "OCA/rma#300")
        self.assertNotEqual(order.invoice_status, "to invoice")
        with freeze_time("2026-03-11"):
            again = self._new_return(order, {order.order_line: 7})
            again.action_submit()
            self._receive(again)
            again.action_create_credit_note()
            self.assertEqual(again.line_ids.qty_refunded, 7)
            self.assertEqual(order.order_line._aftersales_refundable_qty(), 0)

    def test_two_returns_cannot_over_return_or_over_refund(self):
        order = self.sell([(self.product_psu, 10, 20.0)])
        with freeze_time("2026-03-10"):
            first = self._new_return(order, {order.order_line: 6})
            first.action_submit()
            with self.assertRaisesRegex(ValidationError, "only 4.0 delivered"), self.cr.savepoint():
                self._new_return(order, {order.order_line: 5})  # only 4 left (OCA/rma#268)
            second = self._new_return(order, {order.order_line: 4})
            second.action_submit()
            self._receive(first)
            self._receive(second)
            first.action_create_credit_note()
            second.action_create_credit_note()
        self.assertEqual(
            sum(
                order.order_line.invoice_lines.filtered(
                    lambda ml: ml.move_id.move_type == "out_refund"
                ).mapped("quantity")
            ),
            10,
        )
        self.assertEqual(order.order_line.qty_invoiced, 0)

    def test_uninvoiced_order_lowers_invoiceable_quantity(self):
        order = self.sell([(self.product_psu, 10, 20.0)], invoice=False)
        self.assertEqual(order.order_line.qty_to_invoice, 10)
        with freeze_time("2026-03-10"):
            ret = self._new_return(order, {order.order_line: 3})
            ret.action_submit()
            self._receive(ret)
            self.assertFalse(ret.can_refund)
            with self.assertRaises(UserError):
                ret.action_create_credit_note()
        self.assertFalse(ret.credit_note_ids, "no credit note on an uninvoiced order")
        self.assertEqual(order.order_line.qty_to_invoice, 7, "the return lowered what the order invoices")
        invoice = self.invoice_order(order)
        self.assertEqual(invoice.invoice_line_ids.quantity, 7)

    def test_exchange_creates_free_replacement_delivery(self):
        order = self.sell([(self.product_psu, 10, 20.0)])
        with freeze_time("2026-03-10"):
            ret = self._new_return(
                order, {order.order_line: 2}, return_type="exchange", requested_outcome="exchange"
            )
            ret.action_submit()
        replacement = ret.picking_ids.filtered(lambda p: p.picking_type_code == "outgoing")
        self.assertEqual(replacement.move_ids.product_id, self.product_psu)
        self.assertEqual(replacement.move_ids.product_uom_qty, 2)
        with freeze_time("2026-03-12"):
            self._receive(ret)
            self.deliver_order(order, date="2026-03-12 10:00:00")
        self.assertEqual(order.order_line.qty_delivered, 10)
        self.assertEqual(order.order_line.qty_to_invoice, 0, "the same product is exchanged at no charge")
        self.assertFalse(ret.can_refund)

    def test_serial_return(self):
        order = self.sell([(self.product_camera, 2, 200.0)])
        lots = order.picking_ids.move_ids.move_line_ids.lot_id
        with freeze_time("2026-03-10"):
            stranger = self.camera_lots - lots
            with self.assertRaises(ValidationError):
                self._new_return(order, [(order.order_line, 1, stranger[0])]).action_submit()
            ret = self._new_return(order, [(order.order_line, 1, lots[0])])
            ret.action_submit()
            self._receive(ret, lots=lots[0])
            ret.action_create_credit_note()
        self.assertEqual(ret.line_ids.qty_received, 1)
        quant = self.env["stock.quant"].search(
            [("lot_id", "=", lots[0].id), ("location_id.usage", "=", "internal"), ("quantity", ">", 0)]
        )
        self.assertEqual(quant.quantity, 1, "the serial is back in the warehouse")
        self.assertTrue(quant.location_id.aftersales_is_returns, "in quarantine until graded")
        self.assertAlmostEqual(ret.credit_note_ids.amount_untaxed, 200.0)

    def test_bad_lines_refused(self):
        order = self.sell([(self.product_psu, 10, 20.0)])
        other = self.sell([(self.product_psu, 5, 20.0)], partner=self.customer_2)
        Return = self.env["aftersales.return"]
        count = Return.search_count([])
        with freeze_time("2026-03-10"):
            # refused when typed, not only when submitted: nothing is written
            with self.assertRaisesRegex(ValidationError, "of another customer"), self.cr.savepoint():
                self._new_return(order, {other.order_line: 1})
            with self.assertRaisesRegex(ValidationError, "only 10.0 delivered"), self.cr.savepoint():
                self._new_return(order, {order.order_line: 11})
        self.assertEqual(Return.search_count([]), count)

    def test_refused_return_leaves_receivable(self):
        order = self.sell([(self.product_psu, 10, 20.0)])
        invoice = order.invoice_ids
        residual = invoice.amount_residual
        with freeze_time("2026-05-10"):
            ret = self._new_return(order, {order.order_line: 2}, approval_reason="Customer insists")
            ret.action_submit()
            ret.with_user(self.aftersales_manager).action_refuse()
        self.assertEqual(ret.state, "refused")
        self.assertFalse(ret.picking_ids)
        self.assertFalse(ret.credit_note_ids)
        self.assertEqual(invoice.amount_residual, residual, "R-7: the receivable stays as it is")

    # ---------------------------------------------------------------- R-5 compensation
    def test_compensation_credit_note_with_approval(self):
        self.company.aftersales_refund_threshold = 100.0
        order = self.sell([(self.product_switcher, 1, 1000.0)])
        invoice = order.invoice_ids
        wizard = (
            self.env["aftersales.compensation.wizard"]
            .with_user(self.aftersales_user)
            .create(
                {"invoice_id": invoice.id, "mode": "percent", "percent": 15.0, "reason": "Scratched housing"}
            )
        )
        self.assertAlmostEqual(wizard.compensation_amount, 150.0)
        action = wizard.action_create()
        credit_note = self.env["account.move"].browse(action["res_id"])
        self.assertEqual(credit_note.reversed_entry_id, invoice)
        self.assertEqual(credit_note.invoice_line_ids.product_id, self.compensation_product)
        self.assertAlmostEqual(credit_note.amount_untaxed, 150.0)
        self.assertTrue(credit_note.aftersales_needs_approval)
        with self.assertRaises(UserError):
            credit_note.action_post()
        with self.assertRaises(UserError):
            credit_note.with_user(self.aftersales_user).action_aftersales_approve()
        credit_note.with_user(self.aftersales_manager).action_aftersales_approve()
        # approved, but the customer has not accepted it yet
        self.assertEqual(credit_note.aftersales_acceptance, "pending")
        with self.assertRaisesRegex(UserError, "not accepted"), self.env.cr.savepoint():
            credit_note.action_post()
        with freeze_time("2026-03-20"):
            # recorded by a colleague of whoever prepared it
            credit_note.with_user(self.aftersales_manager).action_aftersales_customer_accepted(
                accepted_by="Anna Customer"
            )
        self.assertEqual(credit_note.aftersales_accepted_date, date(2026, 3, 20))
        self.assertEqual(credit_note.aftersales_accepted_by, "Anna Customer")
        credit_note.action_post()
        self.assertEqual(credit_note.state, "posted")
        with self.assertRaisesRegex(UserError, "answered already"), self.env.cr.savepoint():
            credit_note.with_user(self.aftersales_manager).action_aftersales_customer_refused()
        self.assertAlmostEqual(invoice.amount_residual, invoice.amount_total - credit_note.amount_total)

    def test_small_compensation_needs_the_manager_too(self):
        """R-5: every compensation certificate is approved by the manager, below the threshold too."""
        self.company.aftersales_refund_threshold = 100.0
        order = self.sell([(self.product_switcher, 1, 1000.0)])
        wizard = self.env["aftersales.compensation.wizard"].create(
            {"invoice_id": order.invoice_ids.id, "mode": "amount", "amount": 50.0, "reason": "Late delivery"}
        )
        credit_note = self.env["account.move"].browse(wizard.action_create()["res_id"])
        self.assertTrue(credit_note.aftersales_needs_approval)
        credit_note.action_aftersales_customer_accepted()
        with self.assertRaisesRegex(UserError, "approval of an After-Sales manager"), self.cr.savepoint():
            credit_note.action_post()
        credit_note.with_user(self.aftersales_manager).action_aftersales_approve()
        credit_note.action_post()
        self.assertEqual(credit_note.state, "posted")

    def test_compensation_acceptance_cannot_be_written(self):
        """R-5 over RPC: neither the acceptance nor its date can be written or created directly."""
        order = self.sell([(self.product_switcher, 1, 1000.0)])
        wizard = self.env["aftersales.compensation.wizard"].create(
            {"invoice_id": order.invoice_ids.id, "amount": 50.0, "reason": "Late delivery"}
        )
        credit_note = self.env["account.move"].browse(wizard.action_create()["res_id"])
        billing_user = new_test_user(self.env, login="as_billing_r5", groups="account.group_account_invoice")
        billing = credit_note.with_user(billing_user)
        for vals in ({"aftersales_acceptance": "accepted"}, {"aftersales_accepted_date": "2026-03-01"}):
            with self.assertRaises(AccessError):
                billing.write(vals)
        with self.assertRaises(AccessError):
            self.env["account.move"].with_user(billing_user).create(
                {
                    "move_type": "out_refund",
                    "partner_id": self.customer.id,
                    "aftersales_acceptance": "accepted",
                }
            )
        with self.assertRaisesRegex(UserError, "not accepted"), self.env.cr.savepoint():
            billing.action_post()
        self.assertEqual(credit_note.state, "draft")

    # ---------------------------------------------------------------- access
    def test_multi_company_and_defaults_from_order(self):
        order = self.sell([(self.product_psu, 10, 20.0), (self.product_switcher, 1, 1000.0)])
        count = self.Return.search_count([])
        action = order.with_user(self.aftersales_user).action_aftersales_return()
        self.assertFalse(action.get("res_id"), "a new form: nothing is created before saving")
        self.assertEqual(self.Return.search_count([]), count)
        with Form(self.Return.with_user(self.aftersales_user).with_context(**action["context"])) as form:
            self.assertEqual(form.sale_order_id, order)
        ret = form.record
        self.assertEqual(
            {(ln.product_id, ln.qty_requested) for ln in ret.line_ids},
            {(self.product_psu, 10), (self.product_switcher, 1)},
            "lines default to the delivered, not yet returned quantities",
        )
        self.assertEqual(order.aftersales_return_count, 1)
        self.assertFalse(self.Return.with_user(self.aftersales_user_2).search([("id", "=", ret.id)]))
        self.assertEqual(ret.line_ids[:1].delivery_date, DELIVERY_DATE.date())

    def test_complaint_from_return_and_invoice_button(self):
        order = self.sell([(self.product_psu, 10, 20.0)])
        with freeze_time("2026-03-10"):
            ret = self._new_return(order, {order.order_line: 2}, description="Cracked housings")
            ret.action_submit()
            self._receive(ret)
            moves_of_action(self.env, ret.action_create_credit_note()).action_post()
        self.assertEqual(
            order.invoice_ids.filtered(lambda m: m.move_type == "out_invoice").aftersales_return_count, 1
        )
        complaint = self.env["aftersales.complaint"].browse(ret.action_create_complaint()["res_id"])
        self.assertEqual(complaint.return_id, ret)
        self.assertAlmostEqual(complaint.refund_loss, ret.credit_note_ids.amount_total)

    def test_purchase_place_from_the_order(self):
        """C-1, R-3: cases and returns record where the goods were bought (the order's sales
        channel), which staff may correct."""
        shop = self.env["crm.team"].create({"name": "Stockholm Shop"})
        webshop = self.env["crm.team"].create({"name": "Web Shop"})
        order = self.sell([(self.product_psu, 2, 20.0)])
        order.team_id = shop
        action = order.with_user(self.aftersales_user).action_aftersales_return()
        ret = self.Return.with_user(self.aftersales_user).with_context(**action["context"]).create({})
        self.assertEqual(ret.purchase_place_id, shop)
        case = (
            self.env["aftersales.case"]
            .with_user(self.aftersales_user)
            .create({"subject": "Hum", "partner_id": self.customer.id, "sale_order_id": order.id})
        )
        self.assertEqual(case.purchase_place_id, shop)
        case.purchase_place_id = webshop
        self.assertEqual(case.purchase_place_id, webshop, "staff correct it")

    def test_serial_picker_on_return_lines(self):
        """W-6/R-3: a return of a serial-tracked product names the unit, among the serials
        delivered on that order line; the quantity follows the serial."""
        order = self.sell([(self.product_camera, 2, 200.0)])
        delivered = order.picking_ids.move_ids.move_line_ids.lot_id
        self.assertEqual(len(delivered), 2)
        other = self.camera_lots - delivered
        ret = self.Return.with_user(self.aftersales_user).create(
            {
                "sale_order_id": order.id,
                "line_ids": [Command.create({"sale_line_id": order.order_line.id, "qty_requested": 2})],
            }
        )
        line = ret.line_ids
        self.assertEqual(line.allowed_lot_ids, delivered, "only the serials delivered on the line")
        self.assertFalse(line.allowed_lot_ids & other)
        line.lot_id = delivered[0]
        self.assertEqual(line.qty_requested, 1, "one serial, one unit")
        # refused when typed, not only when submitted
        with self.assertRaisesRegex(ValidationError, "was not delivered"), self.cr.savepoint():
            line.lot_id = other[0]
        self.assertEqual(line.lot_id, delivered[0])

    def test_repair_outcome_repairs_and_delivers_back(self):
        """R-2: a returned unit to repair gets its repair order (the returned serial, the
        customer, its warranty) and, once repaired, a delivery back to the customer."""
        self.company.aftersales_refund_threshold = 0.0
        self.categ_cameras.aftersales_warranty_policy_id = self.env["aftersales.warranty.policy"].create(
            {"company_id": self.company.id, "name": "Cameras 12 months", "duration": 12}
        )
        order = self.sell([(self.product_camera, 1, 200.0)])
        serial = order.picking_ids.move_ids.move_line_ids.lot_id
        with freeze_time("2026-03-10"):
            ret = self._new_return(order, [(order.order_line, 1, serial)], requested_outcome="repair")
            ret.action_submit()
            self.assertEqual(ret.state, "waiting_goods")
            self._receive(ret, lots=serial)
        self.assertEqual(ret.state, "received")
        repair = self.env["repair.order"].search([("aftersales_return_line_id", "=", ret.line_ids.id)])
        self.assertEqual(len(repair), 1)
        self.assertEqual(
            (repair.partner_id, repair.product_id, repair.lot_id),
            (self.customer, self.product_camera, serial),
        )
        warranty = order.aftersales_warranty_ids
        self.assertEqual(len(warranty), 1, "the sold camera has its warranty")
        self.assertEqual(repair.aftersales_warranty_id, warranty, "priced per its warranty")
        # W-2, W-3: a unit returned to be repaired keeps its warranty, and the repair is free
        self.assertEqual(warranty.state, "active")
        self.assertTrue(repair.under_warranty)
        ret._create_repairs()
        self.assertEqual(
            self.env["repair.order"].search_count([("aftersales_return_line_id", "=", ret.line_ids.id)]),
            1,
            "once",
        )
        repair.action_validate()
        repair.action_repair_start()
        repair.action_repair_end()
        self.assertEqual(repair.state, "done")
        back = repair.aftersales_redelivery_id
        self.assertEqual(back.picking_type_code, "outgoing")
        self.assertEqual(back.partner_id, self.customer)
        self.assertEqual(back.aftersales_return_id, ret)
        self.assertEqual(back.move_ids.product_id, self.product_camera)
        self.assertEqual(back.move_ids.move_line_ids.lot_id, serial, "the repaired unit itself")
        self.assertFalse(ret.credit_note_ids, "a repair is not refunded")
        self.assertEqual(warranty.state, "active", "the repaired unit goes home covered")
