"""Returns the way a warehouse and a customer work them: one return over several orders of a
customer, the sale found from a product or a serial, many serials at once, grading at receipt,
the vendor's credit for the vendor's fault, advance replacement and goods without stock moves."""

from datetime import date

from lxml import etree

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, freeze_time, new_test_user, tagged
from odoo.tools.safe_eval import safe_eval

from .common import CaseCommon, ReturnHelpers

LATER_ORDER = "2026-03-20 09:00:00"
LATER_DELIVERY = "2026-03-22 10:00:00"


@tagged("post_install", "-at_install")
class TestReturnMulti(ReturnHelpers, CaseCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.aftersales_refund_threshold = 0.0  # approval by amount is tested elsewhere
        cls.company.aftersales_return_days = 15
        cls.company.aftersales_return_quarantine = True
        cls.Return = cls.env["aftersales.return"]
        cls.warehouse_user = new_test_user(
            cls.env,
            login="as_warehouse",
            name="Wim Warehouse",
            groups="stock.group_stock_user",
            company_id=cls.company.id,
        )
        cls.vendor = cls.env["res.partner"].create({"name": "Parts Vendor AB", "supplier_rank": 1})
        cls.suppliers = cls.env.ref("stock.stock_location_suppliers")

    # ---------------------------------------------------------------- helpers
    def _sell_later(self, lines, **kw):
        order = self.confirm_order(self.create_sale_order(lines, date=LATER_ORDER, **kw), date=LATER_ORDER)
        self.deliver_order(order, date=LATER_DELIVERY)
        self.invoice_order(order, date=LATER_DELIVERY)
        return order

    def _from_vendor(self, product, qty, price):
        """A receipt from the vendor and its posted bill (the vendor's price)."""
        picking = self.env["stock.picking"].create(
            {
                "picking_type_id": self.warehouse.in_type_id.id,
                "partner_id": self.vendor.id,
                "location_id": self.suppliers.id,
                "location_dest_id": self.stock_location.id,
                "move_ids": [
                    Command.create(
                        {
                            "name": product.name,
                            "product_id": product.id,
                            "product_uom_qty": qty,
                            "product_uom": product.uom_id.id,
                            "location_id": self.suppliers.id,
                            "location_dest_id": self.stock_location.id,
                        }
                    )
                ],
            }
        )
        with freeze_time("2026-02-20"):
            picking.action_confirm()
            picking.move_ids.quantity = qty
            picking.move_ids.picked = True
            picking.button_validate()
            bill = self.env["account.move"].create(
                {
                    "move_type": "in_invoice",
                    "partner_id": self.vendor.id,
                    "invoice_date": "2026-02-20",
                    "invoice_line_ids": [
                        Command.create(
                            {"product_id": product.id, "quantity": qty, "price_unit": price, "tax_ids": []}
                        )
                    ],
                }
            )
            bill.action_post()
        return picking, bill

    def _approved_received(self, order, lines, lots=None, **vals):
        ret = self._new_return(order, lines, **vals)
        ret.action_submit()
        self.assertEqual(ret.state, "waiting_goods")
        self._receive(ret, lots=lots)
        self.assertEqual(ret.state, "received")
        return ret

    # ---------------------------------------------------------------- one return, several orders
    def test_one_return_several_orders_one_receipt_credit_note_per_invoice(self):
        first = self.sell([(self.product_psu, 10, 20.0)])
        second = self._sell_later([(self.product_switcher, 2, 1000.0)])
        with freeze_time("2026-03-18"):
            # started from the customer only: the lines name their orders
            ret = self.Return.with_user(self.aftersales_user).create(
                {
                    "partner_id": self.customer.id,
                    "line_ids": [
                        Command.create({"sale_line_id": first.order_line.id, "qty_requested": 3}),
                        Command.create({"sale_line_id": second.order_line.id, "qty_requested": 1}),
                    ],
                }
            )
            self.assertEqual(ret.sale_order_ids, first | second)
            self.assertEqual(ret.sale_order_id, first, "the first order stays the return's order")
            self.assertEqual(ret.partner_id, self.customer)
            ret.action_submit()
        self.assertEqual(ret.state, "waiting_goods")
        receipts = ret.picking_ids.filtered(lambda p: p.picking_type_code == "incoming")
        self.assertEqual(len(receipts), 1, "one receipt per warehouse, not one per delivery")
        self.assertEqual(len(receipts.move_ids), 2)
        self.assertEqual(
            receipts.move_ids.origin_returned_move_id.picking_id,
            (first | second).picking_ids.filtered(lambda p: p.picking_type_code == "outgoing"),
        )
        self.assertTrue(receipts.location_dest_id.aftersales_is_returns, "received in quarantine")
        self.assertEqual(receipts.location_dest_id.warehouse_id, self.warehouse)
        with freeze_time("2026-03-25"):
            self._receive(ret)
            self.assertEqual(ret.state, "received")
            credit_notes = ret.with_user(self.aftersales_user).action_create_credit_note()
        credit_notes = ret.credit_note_ids
        self.assertEqual(len(credit_notes), 2, "one credit note per original invoice")
        invoices = (first | second).invoice_ids.filtered(lambda m: m.move_type == "out_invoice")
        self.assertEqual(credit_notes.reversed_entry_id, invoices)
        by_invoice = {m.reversed_entry_id: m for m in credit_notes}
        self.assertAlmostEqual(by_invoice[invoices[0]].amount_untaxed, 60.0)
        self.assertAlmostEqual(by_invoice[invoices[1]].amount_untaxed, 1000.0)
        self.assertEqual(first.order_line.qty_delivered, 7)
        self.assertEqual(second.order_line.qty_delivered, 1)
        self.assertEqual(ret.state, "done")

    def test_other_customers_order_refused_nothing_written(self):
        other = self.sell([(self.product_psu, 5, 20.0)], partner=self.customer_2)
        count = self.Return.search_count([])
        with freeze_time("2026-03-10"), self.assertRaisesRegex(ValidationError, "of another customer"):
            with self.cr.savepoint():
                self.Return.with_user(self.aftersales_user).create(
                    {
                        "partner_id": self.customer.id,
                        "line_ids": [
                            Command.create({"sale_line_id": other.order_line.id, "qty_requested": 1})
                        ],
                    }
                )
        self.assertEqual(self.Return.search_count([]), count)

    def test_customer_and_orders_frozen_once_submitted(self):
        order = self.sell([(self.product_psu, 10, 20.0)])
        with freeze_time("2026-03-10"):
            ret = self._new_return(order, {order.order_line: 1})
            ret.action_submit()
            with self.assertRaisesRegex(UserError, "frozen"):
                ret.with_user(self.aftersales_user).write({"partner_id": self.customer_2.id})
        self.assertEqual(ret.partner_id, self.customer)

    # ---------------------------------------------------------------- find the sale for me
    def test_find_sale_lines_most_recent_eligible_first(self):
        older = self.sell([(self.product_psu, 10, 20.0)])
        newer = self._sell_later([(self.product_psu, 4, 20.0)])
        with freeze_time("2026-03-30"):
            ret = self.Return.with_user(self.aftersales_user).create({"partner_id": self.customer.id})
            found = ret.action_find_sale_lines(self.product_psu.id)
            # the older delivery (March 4) is outside the 15-day window on March 30, the newer
            # one (March 22) inside: proposed first
            self.assertEqual(found, [newer.order_line.id, older.order_line.id])
            with self.assertRaisesRegex(UserError, "received no .*Test Matrix Switcher"):
                ret.action_find_sale_lines(self.product_switcher.id)
            # started from the product: the form proposes the order line (onchange)
            with self.env.cr.savepoint():
                form = Form(ret.with_user(self.aftersales_user))
                with form.line_ids.new() as line:
                    line.product_id = self.product_psu
                    self.assertEqual(line.sale_line_id, newer.order_line)
                    line.qty_requested = 1
                form.save()
        self.assertEqual(ret.line_ids.sale_line_id, newer.order_line)

    def test_find_sale_lines_by_serial_and_foreign_serial_refused(self):
        lots = self.camera_lots
        first = self.create_sale_order([(self.product_camera, 2, 200.0)])
        self.confirm_order(first)
        self.deliver_order(first, lots={self.product_camera: lots[0:2]})
        second = self.confirm_order(
            self.create_sale_order([(self.product_camera, 1, 190.0)], date=LATER_ORDER), date=LATER_ORDER
        )
        self.deliver_order(second, date=LATER_DELIVERY, lots={self.product_camera: lots[2:3]})
        foreign = self.confirm_order(
            self.create_sale_order([(self.product_camera, 1, 200.0)], partner=self.customer_2)
        )
        self.deliver_order(foreign, lots={self.product_camera: lots[3:4]})
        with freeze_time("2026-03-25"):
            ret = self.Return.with_user(self.aftersales_user).create({"partner_id": self.customer.id})
            self.assertEqual(
                ret.action_find_sale_lines(self.product_camera.id, lots[1].ids), first.order_line.ids
            )
            self.assertEqual(
                ret.action_find_sale_lines(self.product_camera.id, lots[2].ids), second.order_line.ids
            )
            with self.assertRaisesRegex(UserError, "was not delivered to Anna Customer by us"):
                ret.action_find_sale_lines(self.product_camera.id, lots[3].ids)
            with self.assertRaisesRegex(UserError, "CAM-0020"):
                ret.action_find_sale_lines(self.product_camera.id, lots[19].ids)  # never sold

    # ---------------------------------------------------------------- many serials at once
    def test_serials_pasted_on_one_line_split_underneath(self):
        lots = self.camera_lots[:3]
        order = self.create_sale_order([(self.product_camera, 3, 200.0)])
        self.confirm_order(order)
        self.deliver_order(order, lots={self.product_camera: lots})
        self.invoice_order(order)
        foreign = self.confirm_order(
            self.create_sale_order([(self.product_camera, 1, 200.0)], partner=self.customer_2)
        )
        self.deliver_order(foreign, lots={self.product_camera: self.camera_lots[5:6]})
        Wizard = self.env["aftersales.return.serial.wizard"].with_user(self.aftersales_user)
        with freeze_time("2026-03-10"):
            ret = self.Return.with_user(self.aftersales_user).create({"partner_id": self.customer.id})
            bad = Wizard.create(
                {"return_id": ret.id, "serials": "\n".join([*lots.mapped("name"), "NO-SUCH-1"])}
            )
            with self.assertRaisesRegex(UserError, "Unknown serials: NO-SUCH-1"):
                bad.action_apply()
            foreign_paste = Wizard.create(
                {"return_id": ret.id, "serials": f"{lots[0].name}\n{self.camera_lots[5].name}"}
            )
            with self.assertRaisesRegex(UserError, self.camera_lots[5].name):
                foreign_paste.action_apply()
            self.assertFalse(ret.line_ids, "nothing written")
            # scanned one per line, with blank lines and spaces as a scanner leaves them
            Wizard.create(
                {"return_id": ret.id, "serials": f" {lots[0].name}\n\n{lots[1].name}\n"}
            ).action_apply()
            Wizard.create({"return_id": ret.id, "lot_ids": [Command.set(lots[2].ids)]}).action_apply()
            self.assertEqual(len(ret.line_ids), 1, "one line for the order line")
            self.assertEqual(ret.line_ids.lot_ids, lots)
            self.assertEqual(ret.line_ids.qty_requested, 3)
            self.assertEqual(ret.line_ids.sale_line_id, order.order_line)
            ret.action_submit()
        self.assertEqual(ret.state, "waiting_goods")
        self.assertEqual(len(ret.line_ids), 3, "one line per serial underneath")
        self.assertEqual(ret.line_ids.lot_id, lots)
        self.assertEqual(ret.line_ids.mapped("qty_approved"), [1.0, 1.0, 1.0])
        with freeze_time("2026-03-12"):
            self._receive(ret, lots=lots)
            ret.with_user(self.aftersales_user).action_create_credit_note()
        self.assertAlmostEqual(ret.credit_note_ids.amount_untaxed, 600.0)
        # a second return of the same serials is refused
        with (
            freeze_time("2026-03-13"),
            self.assertRaisesRegex(ValidationError, "only 0.0 delivered and not yet returned"),
        ):
            with self.cr.savepoint():
                self._new_return(order, [(order.order_line, 1, lots[0])])

    # ---------------------------------------------------------------- grading at receipt
    def test_grading_restock_scrap_refurbish_as_warehouse_user(self):
        lots = self.camera_lots[:3]
        order = self.create_sale_order([(self.product_camera, 3, 200.0)])
        self.confirm_order(order)
        self.deliver_order(order, lots={self.product_camera: lots})
        self.invoice_order(order)
        with freeze_time("2026-03-10"):
            ret = self.Return.with_user(self.aftersales_user).create({"partner_id": self.customer.id})
            ret._add_serials(lots)
            ret.action_submit()
            self._receive(ret, lots=lots)
            # the credit note does not wait for the grading
            ret.with_user(self.aftersales_user).action_create_credit_note()
        returns_location = ret.picking_ids.location_dest_id
        self.assertTrue(returns_location.aftersales_is_returns)
        by_lot = {line.lot_id: line.with_user(self.warehouse_user) for line in ret.line_ids}
        with self.assertRaises(AccessError):
            by_lot[lots[0]].with_user(self.aftersales_user).action_set_disposition("restock")
        with self.assertRaisesRegex(UserError, "restock, refurbish, scrap"):
            by_lot[lots[0]].action_set_disposition("sell_twice")
        with freeze_time("2026-03-11"):
            self.assertTrue(by_lot[lots[0]].can_grade)
            by_lot[lots[0]].action_set_disposition("restock")
            by_lot[lots[1]].action_set_disposition("scrap")
            by_lot[lots[2]].action_disposition_refurbish()
        Quant = self.env["stock.quant"]

        def where(lot):
            return Quant.search([("lot_id", "=", lot.id), ("quantity", ">", 0)]).location_id

        self.assertEqual(where(lots[0]), self.stock_location, "restocked: sellable again")
        restock = by_lot[lots[0]].disposition_move_ids
        self.assertEqual(restock.state, "done")
        self.assertEqual(restock.picking_type_id, self.warehouse.int_type_id)
        self.assertEqual(where(lots[1]).usage, "inventory", "scrapped")
        scrap = by_lot[lots[1]].scrap_ids
        self.assertEqual(scrap.state, "done")
        self.assertEqual(scrap.location_id, returns_location)
        self.assertAlmostEqual(
            sum(scrap.move_ids.stock_valuation_layer_ids.mapped("value")), -90.0, msg="valued at cost"
        )
        repair = by_lot[lots[2]].repair_id
        self.assertEqual(repair.lot_id, lots[2])
        self.assertEqual(repair.product_location_src_id, returns_location)
        self.assertEqual(repair.product_location_dest_id, self.stock_location)
        self.assertEqual(where(lots[2]), returns_location, "waits in quarantine for the workshop")
        self.assertEqual(ret.line_ids.mapped("disposition"), ["restock", "scrap", "refurbish"])
        self.assertEqual(ret.line_ids.disposition_user_id, self.warehouse_user)
        with self.assertRaisesRegex(UserError, "cannot be graded"):
            by_lot[lots[0]].action_set_disposition("scrap")  # graded once
        with self.assertRaises(AccessError):  # a direct write cannot go around it
            ret.line_ids[0].with_user(self.aftersales_user).write({"disposition": False})

    def test_warehouse_grading_list_opens_and_grades(self):
        order = self.sell([(self.product_psu, 10, 20.0)])
        with freeze_time("2026-03-10"):
            ret = self._approved_received(order, {order.order_line: 2})
        action = self.env.ref("aftersales_service.aftersales_return_line_action_grading")
        Line = self.env["aftersales.return.line"].with_user(self.warehouse_user)
        views = Line.get_views([(action.view_id.id, "list"), (action.search_view_id.id, "search")])
        arch = etree.fromstring(views["views"]["list"]["arch"])
        spec = {}
        for name in arch.xpath("//field/@name"):
            relational = Line._fields[name].type in ("many2one", "many2many")
            spec[name] = {"fields": {"display_name": {}}} if relational else {}
        domain = safe_eval(action.domain) + [("disposition", "=", False), ("return_name", "ilike", ret.name)]
        result = Line.web_search_read(domain, spec)
        self.assertEqual(result["length"], 1, "the warehouse user reads the units to grade")
        row = result["records"][0]
        self.assertEqual(row["return_name"], ret.name)
        self.assertTrue(row["can_grade"])
        shown = [
            b.get("name") for b in arch.xpath("//button") if not safe_eval(b.get("invisible", "False"), row)
        ]
        self.assertIn("action_disposition_scrap", shown)
        with freeze_time("2026-03-11"):
            Line.browse(row["id"]).action_disposition_restock()
        self.assertEqual(ret.line_ids.disposition, "restock")
        self.assertTrue(ret.message_ids.filtered(lambda m: "graded: Restock" in (m.body or "")))

    def test_not_received_cannot_be_graded(self):
        order = self.sell([(self.product_psu, 10, 20.0)])
        with freeze_time("2026-03-10"):
            ret = self._new_return(order, {order.order_line: 2})
            ret.action_submit()
        with self.assertRaisesRegex(UserError, "only received goods"):
            ret.line_ids.with_user(self.warehouse_user).action_set_disposition("restock")
        self.assertFalse(ret.line_ids.disposition)

    # ---------------------------------------------------------------- the vendor pays
    def test_vendor_claim_reverses_the_bill_and_lowers_the_complaint_loss(self):
        receipt, bill = self._from_vendor(self.product_psu, 10, 8.0)
        order = self.sell([(self.product_psu, 10, 20.0)])
        with freeze_time("2026-03-10"):
            ret = self._approved_received(order, {order.order_line: 2}, return_type="quality")
            ret.with_user(self.aftersales_user).action_create_credit_note()
            ret.credit_note_ids.action_post()
            self.assertFalse(ret.can_claim_vendor, "nothing graded for the vendor yet")
            with self.assertRaisesRegex(UserError, "no unit returned to its vendor"):
                ret.with_user(self.aftersales_user).action_claim_vendor()
            ret.line_ids.with_user(self.warehouse_user).action_set_disposition("vendor")
        line = ret.line_ids
        self.assertEqual(line.vendor_id, self.vendor)
        back = line.disposition_move_ids
        self.assertEqual(back.state, "done")
        self.assertEqual(back.location_dest_id, self.suppliers)
        self.assertEqual(back.origin_returned_move_id, receipt.move_ids, "Odoo's return of the receipt")
        self.assertTrue(back.location_id.aftersales_is_returns, "leaves from where it was graded")
        complaint = self.env["aftersales.complaint"].create(
            {"partner_id": self.customer.id, "return_id": ret.id, "customer_demand": "PSU burnt out"}
        )
        loss = complaint.loss_amount
        self.assertGreater(loss, 0)
        self.assertEqual(complaint.net_loss_amount, loss)
        with self.assertRaises(AccessError):
            ret.with_user(self.salesperson).action_claim_vendor()
        with freeze_time("2026-03-12"):
            self.assertTrue(ret.with_user(self.aftersales_user).can_claim_vendor)
            ret.with_user(self.aftersales_user).action_claim_vendor()
        refund = ret.vendor_refund_ids
        self.assertEqual(refund.move_type, "in_refund")
        self.assertEqual(refund.reversed_entry_id, bill)
        self.assertEqual(refund.partner_id, self.vendor)
        self.assertAlmostEqual(refund.amount_total, 16.0)
        self.assertNotIn(refund, ret.credit_note_ids, "customer credit notes stay apart")
        self.assertEqual(line.qty_refunded, 2, "the vendor credit is not a customer refund")
        with self.assertRaisesRegex(UserError, "no unit returned to its vendor left"):
            ret.with_user(self.aftersales_user).action_claim_vendor()
        refund.action_post()
        self.assertAlmostEqual(complaint.vendor_recovered_amount, 16.0)
        self.assertAlmostEqual(complaint.net_loss_amount, loss - 16.0)

    def test_vendor_grading_without_vendor_receipt_refused(self):
        order = self.sell([(self.product_switcher, 1, 1000.0)])
        with freeze_time("2026-03-10"):
            ret = self._approved_received(order, {order.order_line: 1})
        with self.assertRaisesRegex(UserError, "no receipt from a vendor"):
            ret.line_ids.with_user(self.warehouse_user).action_set_disposition("vendor")
        self.assertFalse(ret.line_ids.disposition, "nothing half-written")

    # ---------------------------------------------------------------- advance replacement
    def test_advance_replacement_due_chased_and_invoiced(self):
        order = self.sell([(self.product_switcher, 1, 1000.0)])
        with freeze_time("2026-03-10"):
            ret = self._new_return(order, {order.order_line: 1}, return_type="exchange")
            ret.action_submit()
        replacement = ret.picking_ids.filtered(lambda p: p.picking_type_code == "outgoing")
        self.assertTrue(replacement)
        self.assertFalse(ret.replacement_due_date, "nothing shipped yet")
        with freeze_time("2026-03-11 10:00:00"):
            replacement.action_assign()
            replacement.move_ids.quantity = 1
            replacement.move_ids.picked = True
            replacement.button_validate()
        self.assertEqual(ret.replacement_due_date, date(2026, 3, 25), "14 days after it left")
        Activity = self.env["mail.activity"]
        with freeze_time("2026-03-25 12:00:00"):
            self.Return._cron_chase_replacements()
            self.assertFalse(
                Activity.search([("res_model", "=", "aftersales.return"), ("res_id", "=", ret.id)])
            )
            self.assertFalse(ret.with_user(self.aftersales_manager).can_invoice_unreturned, "not overdue yet")
            with self.assertRaisesRegex(UserError, "no overdue unit"):
                ret.with_user(self.aftersales_manager).action_invoice_unreturned()
        with freeze_time("2026-03-26 12:00:00"):
            self.Return._cron_chase_replacements()
            self.Return._cron_chase_replacements()
            chases = Activity.search([("res_model", "=", "aftersales.return"), ("res_id", "=", ret.id)])
            self.assertEqual(len(chases), 1, "chased once")
            self.assertEqual(chases.user_id, self.aftersales_manager)
            with self.assertRaises(AccessError):
                ret.with_user(self.aftersales_user).action_invoice_unreturned()
            ret.with_user(self.aftersales_manager).action_invoice_unreturned()
        invoice = ret.credit_note_ids.filtered(lambda m: m.move_type == "out_invoice")
        self.assertEqual(invoice.partner_id, self.customer)
        self.assertAlmostEqual(invoice.amount_untaxed, 1000.0)
        self.assertEqual(invoice.invoice_line_ids.sale_line_ids, order.order_line)
        receipt = ret.picking_ids.filtered(lambda p: p.picking_type_code == "incoming")
        self.assertEqual(receipt.state, "cancel")
        self.assertEqual(ret.state, "done")
        self.assertEqual(order.order_line.qty_delivered, 2, "the original and its replacement")

    # ---------------------------------------------------------------- goods without stock moves
    def test_consumable_refunded_after_confirmed_receipt_only(self):
        cable = self.env["product.product"].create(
            {
                "name": "Test Cable (consumable)",
                "type": "consu",
                "is_storable": False,
                "invoice_policy": "order",
                "list_price": 10.0,
                "taxes_id": [Command.set(self.tax_sale.ids)],
            }
        )
        order = self.sell([(cable, 5, 10.0)])
        with freeze_time("2026-03-10"):
            ret = self._new_return(order, {order.order_line: 2})
            ret.action_submit()
            self.assertEqual(ret.state, "waiting_goods", "not received by itself")
            self.assertEqual(ret.line_ids.qty_to_refund, 0)
            self.assertFalse(ret.with_user(self.aftersales_user).can_refund)
            with self.assertRaisesRegex(UserError, "Nothing left to refund"):
                ret.with_user(self.aftersales_user).action_create_credit_note()
            self.assertFalse(ret.with_user(self.aftersales_user).can_refund_without_receipt)
            with self.assertRaises(AccessError):
                ret.with_user(self.aftersales_user).action_refund_without_receipt()
            # the requester does not declare the goods received; a warehouse colleague does
            self.assertFalse(ret.with_user(self.aftersales_user).can_confirm_receipt)
            with self.assertRaisesRegex(AccessError, "warehouse user"):
                ret.with_user(self.aftersales_user).action_confirm_receipt()
            store = new_test_user(
                self.env,
                login="as_store_clerk",
                name="Stina Store",
                groups="aftersales_service.group_aftersales_user,stock.group_stock_user",
            )
            self.assertTrue(ret.with_user(store).can_confirm_receipt)
            ret.with_user(store).action_confirm_receipt()
            self.assertEqual(ret.state, "received")
            self.assertTrue(ret.message_ids.filtered(lambda m: "Stina Store" in (m.body or "")))
            self.assertEqual(ret.line_ids.qty_to_refund, 2)
            ret.with_user(self.aftersales_user).action_create_credit_note()
        self.assertAlmostEqual(ret.credit_note_ids.amount_untaxed, 20.0)
        with self.assertRaises(AccessError):
            ret.line_ids.with_user(self.aftersales_user).write({"qty_received_confirmed": 5})

    def test_service_refunded_by_manager_decision(self):
        order = self.sell([(self.product_service, 3, 75.0)], deliver=False)
        order.order_line.qty_delivered = 3  # a service delivered by hand, as Odoo's manual method
        with freeze_time("2026-03-10"):
            ret = self.Return.with_user(self.aftersales_user).create(
                {
                    "partner_id": self.customer.id,
                    "approval_reason": "The installation hour was never done.",
                    "line_ids": [Command.create({"sale_line_id": order.order_line.id, "qty_requested": 1})],
                }
            )
            ret.action_submit()
            self.assertEqual(ret.state, "to_approve", "a service has no delivery to judge the window by")
            ret.with_user(self.aftersales_manager).action_approve()
            self.assertEqual(ret.state, "waiting_goods")
            self.assertFalse(ret.can_confirm_receipt, "a service is never received")
            manager_ret = ret.with_user(self.aftersales_manager)
            self.assertTrue(manager_ret.can_refund_without_receipt)
            manager_ret.action_refund_without_receipt()
            self.assertEqual(ret.state, "received")
            ret.with_user(self.aftersales_user).action_create_credit_note()
        self.assertAlmostEqual(ret.credit_note_ids.amount_untaxed, 75.0)
        self.assertTrue(ret.message_ids.filtered(lambda m: "Refund without receipt decided by" in m.body))


@tagged("post_install", "-at_install")
class TestRegisteredUnitReturn(ReturnHelpers, CaseCommon):
    """A unit bought elsewhere, registered with us, comes back as a warranty claim: repaired or
    replaced on its registered warranty, never refunded."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.aftersales_refund_threshold = 0.0
        cls.company.aftersales_return_quarantine = True
        cls.dealer = cls.env["res.partner"].create({"name": "Camera Dealer AB", "is_company": True})

    def _registered_unit(self, serial="DEALER-0001"):
        registration = (
            self.env["aftersales.unit.registration"]
            .with_user(self.aftersales_user)
            .create(
                {
                    "partner_id": self.customer.id,
                    "product_id": self.product_camera.id,
                    "serial": serial,
                    "purchase_date": "2026-03-01",
                    "dealer_id": self.dealer.id,
                }
            )
        )
        registration.message_post(
            body="Receipt", attachments=[("receipt.pdf", b"%PDF-1.4 receipt")], message_type="comment"
        )
        registration.action_submit()
        # approved by a colleague of whoever entered it
        registration.with_user(self.aftersales_manager).action_approve()
        return registration

    @freeze_time("2026-06-10 10:00:00")
    def test_registered_unit_returned_for_repair_never_refunded(self):
        registration = self._registered_unit()
        lot = registration.lot_id
        Return = self.env["aftersales.return"].with_user(self.aftersales_user)
        ret = Return.create(
            {"partner_id": self.customer.id, "return_type": "quality", "requested_outcome": "refund"}
        )
        self.assertEqual(ret.action_find_sale_lines(self.product_camera.id, lot.ids), [], "no order of ours")
        ret._add_serials(lot)
        line = ret.line_ids
        self.assertFalse(line.sale_line_id)
        self.assertEqual((line.product_id, line.lot_id, line.qty_requested), (self.product_camera, lot, 1.0))
        with self.assertRaisesRegex(ValidationError, "never refunded"), self.cr.savepoint():
            ret.action_submit()
        self.assertEqual(ret.state, "draft", "nothing half-written")
        ret.requested_outcome = "repair"
        ret.action_submit()
        self.assertEqual(ret.state, "waiting_goods", "covered by its registered warranty: approved")
        receipt = ret.picking_ids.filtered(lambda p: p.picking_type_code == "incoming")
        self.assertEqual(receipt.location_id.usage, "customer")
        self.assertTrue(receipt.location_dest_id.aftersales_is_returns)
        self._receive(ret, lots=lot)
        self.assertEqual(ret.state, "received")
        self.assertFalse(ret.can_refund)
        self.assertEqual(ret.line_ids.qty_to_refund, 0)
        repair = self.env["repair.order"].search([("aftersales_return_line_id", "=", line.id)])
        self.assertEqual(repair.lot_id, lot)
        self.assertEqual(repair.aftersales_warranty_id, registration.warranty_id)
        self.assertTrue(repair.under_warranty)
        self.assertNotEqual(registration.warranty_id.state, "void", "a repair keeps the warranty")

    @freeze_time("2026-06-10 10:00:00")
    def test_registered_unit_replaced_and_foreign_serial_refused(self):
        registration = self._registered_unit()
        stranger = self.env["stock.lot"].create(
            {"name": "GREY-IMPORT-1", "product_id": self.product_camera.id, "company_id": self.company.id}
        )
        Return = self.env["aftersales.return"].with_user(self.aftersales_user)
        ret = Return.create({"partner_id": self.customer.id, "return_type": "exchange"})
        with self.assertRaisesRegex(UserError, "GREY-IMPORT-1"):
            ret.action_find_sale_lines(self.product_camera.id, stranger.ids)
        with self.assertRaisesRegex(UserError, "GREY-IMPORT-1"):
            ret._add_serials(stranger | registration.lot_id)
        self.assertFalse(ret.line_ids, "nothing added")
        ret._add_serials(registration.lot_id)
        with self.assertRaisesRegex(ValidationError, "quality problem under its registered warranty"):
            with self.cr.savepoint():
                ret.action_submit()
        ret.return_type = "quality"
        ret.requested_outcome = "exchange"
        ret.action_submit()
        self.assertEqual(ret.state, "waiting_goods")
        replacement = ret.picking_ids.filtered(lambda p: p.picking_type_code == "outgoing")
        self.assertEqual(replacement.move_ids.product_id, self.product_camera)
        self.assertEqual(replacement.location_dest_id.usage, "customer")
        self.assertFalse(ret.credit_note_ids)
