"""What was approved is what gets booked, what was signed is what was seen (R-4, R-5, R-6, W-1,
W-4, W-5, C-5, F-2, F-4, F-5), tried as the role users over the ORM (as RPC reaches it)."""

from datetime import datetime

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import freeze_time, new_test_user, tagged

from ..models.tools import moves_of_action
from .common import CaseCommon, ReturnHelpers
from .test_field_service import SIGNATURE, FieldServiceCommon


class _MoneyCommon(ReturnHelpers, CaseCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.aftersales_refund_threshold = 100.0
        cls.company.aftersales_return_days = 15
        cls.company.aftersales_post_credit_notes = False
        cls.compensation_product = cls.env["product.product"].create(
            {"name": "Compensation", "type": "service", "taxes_id": [Command.set(cls.tax_sale.ids)]}
        )
        cls.company.aftersales_compensation_product_id = cls.compensation_product
        cls.billing_user = new_test_user(
            cls.env, login="as_billing_only", name="Bea Billing", groups="account.group_account_invoice"
        )
        cls.manager_2 = new_test_user(
            cls.env,
            login="as_manager_2",
            name="Mona Second Manager",
            groups="aftersales_service.group_aftersales_manager,account.group_account_invoice",
        )

    def _compensation(self, amount, user=None):
        order = self.sell([(self.product_switcher, 1, 1000.0)])
        wizard = (
            self.env["aftersales.compensation.wizard"]
            .with_user(user or self.aftersales_user)
            .create({"invoice_id": order.invoice_ids.id, "amount": amount, "reason": "Scratched housing"})
        )
        return self.env["account.move"].browse(wizard.action_create()["res_id"])


@tagged("post_install", "-at_install")
class TestApprovalFreezesContent(_MoneyCommon):
    def test_compensation_changed_after_approval_and_acceptance_is_refused(self):
        credit_note = self._compensation(150.0)
        credit_note.with_user(self.aftersales_manager).action_aftersales_approve()
        credit_note.with_user(self.manager_2).action_aftersales_customer_accepted(accepted_by="Anna")
        self.assertAlmostEqual(credit_note.aftersales_approved_amount, credit_note.amount_total)
        self.assertAlmostEqual(credit_note.aftersales_accepted_amount, credit_note.amount_total)
        line = credit_note.invoice_line_ids
        # the billing user cannot touch the approved lines, over the line or through the move
        with self.assertRaisesRegex(UserError, "approved as it is"), self.cr.savepoint():
            line.with_user(self.billing_user).write({"price_unit": 900.0})
        with self.assertRaisesRegex(UserError, "approved as it is"), self.cr.savepoint():
            credit_note.with_user(self.billing_user).write(
                {"invoice_line_ids": [Command.update(line.id, {"quantity": 6})]}
            )
        with self.assertRaisesRegex(UserError, "approved as it is"), self.cr.savepoint():
            credit_note.with_user(self.billing_user).write(
                {"invoice_line_ids": [Command.create({"name": "more", "price_unit": 500.0, "quantity": 1})]}
            )
        self.assertAlmostEqual(line.price_unit, 150.0)
        # a manager may change it, but then it is not what was approved nor accepted
        credit_note.with_user(self.aftersales_manager).write(
            {"invoice_line_ids": [Command.update(line.id, {"price_unit": 900.0})]}
        )
        self.assertTrue(credit_note.aftersales_needs_approval)
        with self.assertRaisesRegex(UserError, "changed after the customer accepted"), self.cr.savepoint():
            credit_note.with_user(self.billing_user).action_post()
        self.assertEqual(credit_note.state, "draft")
        # back to the approved amount: posted
        credit_note.with_user(self.aftersales_manager).write(
            {"invoice_line_ids": [Command.update(line.id, {"price_unit": 150.0})]}
        )
        credit_note.with_user(self.billing_user).action_post()
        self.assertEqual(credit_note.state, "posted")

    def test_compensation_always_needs_the_manager(self):
        """R-5 whatever the threshold: a small one, and with the threshold off (0)."""
        for threshold in (100.0, 0.0):
            self.company.aftersales_refund_threshold = threshold
            credit_note = self._compensation(10.0)
            credit_note.with_user(self.manager_2).action_aftersales_customer_accepted()
            self.assertTrue(credit_note.aftersales_needs_approval)
            with self.assertRaisesRegex(UserError, "approval of an After-Sales manager"), self.cr.savepoint():
                credit_note.with_user(self.billing_user).action_post()
            credit_note.with_user(self.aftersales_manager).action_aftersales_approve()
            credit_note.with_user(self.billing_user).action_post()
            self.assertEqual(credit_note.state, "posted")

    def test_approved_amount_cannot_be_written(self):
        credit_note = self._compensation(50.0)
        for user in (self.billing_user, self.aftersales_manager):
            with self.assertRaises(AccessError), self.cr.savepoint():
                credit_note.with_user(user).write({"aftersales_approved_amount": 50.0})
        self.assertFalse(credit_note.aftersales_approved_amount)

    def test_return_credit_note_changed_before_posting_is_refused(self):
        order = self.sell([(self.product_psu, 10, 20.0)])
        with freeze_time("2026-03-10"):
            ret = self._new_return(order, {order.order_line: 2})
            ret.action_submit()
            self.assertEqual(ret.state, "waiting_goods", "inside the rules and under the threshold")
            self._receive(ret)
            credit_note = moves_of_action(
                self.env, ret.with_user(self.aftersales_user).action_create_credit_note()
            )
        approved = credit_note.amount_total
        self.assertAlmostEqual(credit_note.aftersales_approved_amount, approved)
        line = credit_note.invoice_line_ids
        with self.assertRaisesRegex(UserError, "approved as it is"), self.cr.savepoint():
            line.with_user(self.billing_user).write({"quantity": 8})
        # a manager raises it: refused at posting, whoever posts, until approved again
        line.with_user(self.aftersales_manager).write({"quantity": 8})
        with self.assertRaisesRegex(UserError, "differs from what was approved"), self.cr.savepoint():
            credit_note.with_user(self.billing_user).action_post()
        # a new approval of the amount is not enough: never more than approved and received
        credit_note.with_user(self.manager_2).action_aftersales_approve()
        with (
            self.assertRaisesRegex(UserError, "more than the 2.0 approved and received"),
            self.cr.savepoint(),
        ):
            credit_note.with_user(self.billing_user).action_post()
        self.assertEqual(credit_note.state, "draft")
        line.with_user(self.aftersales_manager).write({"quantity": 2})
        credit_note.with_user(self.manager_2).action_aftersales_approve()
        credit_note.with_user(self.billing_user).action_post()
        self.assertEqual(credit_note.state, "posted")
        self.assertAlmostEqual(credit_note.amount_total, approved)

    def test_cheaper_exchange_above_threshold_needs_the_manager(self):
        dear = self.env["product.product"].create(
            {"name": "Recorder 5000", "is_storable": True, "categ_id": self.categ_accessories.id}
        )
        cheap = self.env["product.product"].create(
            {
                "name": "Recorder 10",
                "is_storable": True,
                "categ_id": self.categ_accessories.id,
                "list_price": 10.0,
            }
        )
        self.env["stock.quant"]._update_available_quantity(dear, self.stock_location, 5.0)
        self.env["stock.quant"]._update_available_quantity(cheap, self.stock_location, 5.0)
        order = self.sell([(dear, 1, 5000.0)])
        with freeze_time("2026-03-10"):
            ret = self._new_return(order, {order.order_line: 1}, return_type="exchange")
            ret.line_ids.exchange_product_id = cheap
            self.assertEqual(ret.line_ids.exchange_difference, -4990.0)
            self.assertTrue(ret.needs_approval, "4,990 credited is above the threshold of 100")
            self.assertIn("threshold", ret.eligibility_note)
            with self.assertRaisesRegex(UserError, "Give a reason"), self.cr.savepoint():
                ret.action_submit()
            ret.approval_reason = "Customer prefers the small model"
            ret.action_submit()
            self.assertEqual(ret.state, "to_approve")
            with self.assertRaises(UserError):
                ret.with_user(self.aftersales_manager).action_invoice_exchange_difference()
            ret.with_user(self.aftersales_manager).action_approve()
            move = self.env["account.move"].browse(
                ret.with_user(self.aftersales_manager).action_invoice_exchange_difference()["res_id"]
            )
        self.assertEqual(move.move_type, "out_refund")
        self.assertAlmostEqual(move.aftersales_approved_amount, move.amount_total)
        with self.assertRaisesRegex(UserError, "approved as it is"), self.cr.savepoint():
            move.invoice_line_ids[:1].with_user(self.billing_user).write({"price_unit": 9000.0})
        move.with_user(self.billing_user).action_post()
        self.assertEqual(move.state, "posted")


@tagged("post_install", "-at_install")
class TestBillingFollowsTheWarranty(FieldServiceCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.part = cls.env["product.product"].create(
            {"name": "Lens module", "is_storable": True, "standard_price": 40.0, "list_price": 100.0}
        )
        cls.env["stock.quant"]._update_available_quantity(
            cls.part, cls.company._aftersales_service_location(), 20.0
        )
        cls.product_service.write({"list_price": 60.0, "standard_price": 30.0})

    def _done_visit(self, **report):
        with freeze_time("2026-04-01 09:00:00"):
            visit = self._visit(distance_km=10.0)
            visit.write(
                {"appointment_start": "2026-04-01 10:00:00", "appointment_end": "2026-04-01 12:00:00"}
            )
            visit.action_schedule()
            visit.action_arrive()
            self._complete_report(
                visit,
                no_parts_replaced=False,
                labour_hours=2.0,
                part_ids=[Command.create({"product_id": self.part.id, "quantity": 1})],
                **report,
            )
            visit.action_done()
        return visit

    def test_visit_parts_and_labour_free_in_warranty_billed_when_excluded(self):
        visit = self._done_visit(exclusion_id=self.exclusions[1].id)
        case = visit.case_id.with_user(self.aftersales_user)
        self.assertEqual(case.warranty_state, "in")
        self.assertEqual(case.service_type, "paid", "an excluded cause is not covered")
        with freeze_time("2026-04-02"):
            case.action_start()
            case.action_create_invoice()
        invoice = case.invoice_ids
        labour = invoice.invoice_line_ids.filtered(lambda ml: ml.product_id == self.product_service)
        part = invoice.invoice_line_ids.filtered(lambda ml: ml.product_id == self.part)
        # out of warranty on the camera's terms (lifetime, parts at cost, no labour)
        self.assertFalse(labour)
        self.assertEqual((part.quantity, part.price_unit), (1.0, 40.0))
        self.assertIn(self.exclusions[1].name, part.name)
        self.assertIn(visit.name, part.name)
        self.assertAlmostEqual(invoice.aftersales_approved_amount, invoice.amount_total)

    def test_misuse_found_on_site_bills_the_visit(self):
        visit = self._done_visit(responsibility="misuse", misuse_explained=True)
        case = visit.case_id.with_user(self.aftersales_user)
        self.assertEqual(case.service_type, "paid")
        self.switch_policy_paid(case)
        with freeze_time("2026-04-02"):
            case.action_start()
            case.action_create_invoice()
        lines = case.invoice_ids.invoice_line_ids
        labour = lines.filtered(lambda ml: ml.product_id == self.product_service)
        part = lines.filtered(lambda ml: ml.product_id == self.part)
        self.assertEqual((labour.quantity, labour.price_unit), (2.0, 60.0), "paid terms: list prices")
        self.assertEqual(part.price_unit, 100.0)
        self.assertIn("Misuse", part.name)

    def switch_policy_paid(self, case):
        """A warranty made under "paid" after-expiry terms (a new warranty, not a policy edit)."""
        warranty = case.sudo().warranty_id
        paid_policy = self.policy_switchers
        warranty.sudo().policy_id = paid_policy
        self.assertEqual(warranty.after_expiry_mode, "paid")

    def test_in_warranty_visit_is_free_but_upgrade_billed_at_cost(self):
        visit = self._done_visit()
        case = visit.case_id.with_user(self.aftersales_user)
        self.assertEqual(case.service_type, "free")
        case.action_start()
        self.assertFalse(case.can_invoice, "nothing to bill: covered, no upgrade")
        with self.assertRaisesRegex(UserError, "only paid cases are invoiced"), self.cr.savepoint():
            case.action_create_invoice()
        case.part_ids = [Command.create({"product_id": self.part.id, "quantity": 2, "is_upgrade": True})]
        self.assertTrue(case.can_invoice)
        with freeze_time("2026-04-02"):
            case.action_create_invoice()
        lines = case.invoice_ids.invoice_line_ids
        self.assertEqual(len(lines), 1, "only the upgrade: the covered repair stays free")
        self.assertEqual((lines.product_id, lines.quantity, lines.price_unit), (self.part, 2.0, 40.0))

    def test_warranty_terms_frozen_at_sale(self):
        order = self.sell([(self.product_camera, 1, 200.0)])
        warranty = self.Warranty.search([("sale_order_id", "=", order.id)])
        self.assertEqual(warranty.after_expiry_mode, "lifetime_parts_only")
        self.policy_cameras.write({"after_expiry_mode": "none", "coverage": "<p>Nothing any more</p>"})
        warranty.invalidate_recordset()
        self.assertEqual(
            warranty.after_expiry_mode, "lifetime_parts_only", "the policy edit changes no sold unit"
        )
        self.assertNotIn("Nothing any more", warranty.coverage or "")
        lot = order.picking_ids.move_ids.move_line_ids.lot_id
        with freeze_time("2027-06-01"):  # expired: billed on the terms of the sale
            case = self.new_case(sale_order_id=order.id, product_id=self.product_camera.id, lot_id=lot.id)
            self.assertEqual(case.warranty_id, warranty)
            case.write({"part_ids": [Command.create({"product_id": self.part.id, "quantity": 1})]})
            case.action_start()
            case.action_create_invoice()
        self.assertEqual(case.invoice_ids.invoice_line_ids.price_unit, 40.0, "parts at cost, as sold")
        new_order = self.sell([(self.product_camera, 1, 200.0)])
        new_warranty = self.Warranty.search([("sale_order_id", "=", new_order.id)])
        self.assertEqual(new_warranty.after_expiry_mode, "none", "units sold afterwards: the new terms")

    def test_repair_quotation_excluded_cause_not_free(self):
        order = self.sell([(self.product_camera, 1, 200.0)])
        warranty = self.Warranty.search([("sale_order_id", "=", order.id)])
        with freeze_time("2026-04-01"):
            repair = self.env["repair.order"].create(
                {
                    "partner_id": self.customer.id,
                    "product_id": self.product_camera.id,
                    "aftersales_warranty_id": warranty.id,
                    "under_warranty": True,
                }
            )
            self.assertEqual(repair._get_aftersales_price(self.part), 0.0)
            repair.aftersales_exclusion_id = self.exclusions[0]
            self.assertFalse(repair.under_warranty, "an excluded cause is never free")
            self.assertEqual(repair._get_aftersales_price(self.part), 40.0)


@tagged("post_install", "-at_install")
class TestFieldFactsFrozen(FieldServiceCommon):
    def _on_site(self, distance_km=250.0, arrive=True):
        with freeze_time("2026-04-01 09:00:00"):
            visit = self._visit(distance_km=distance_km)
            visit.write(
                {"appointment_start": "2026-04-01 10:00:00", "appointment_end": "2026-04-01 12:00:00"}
            )
            visit.action_schedule()
            if visit.needs_travel_approval:
                request = self.env["aftersales.travel.request"].browse(
                    visit.action_request_travel()["res_id"]
                )
                request.write({"estimated_cost": 80.0})
                request.action_submit()
                request.with_user(self.aftersales_manager).action_approve()
        if arrive:
            with freeze_time("2026-04-01 16:30:00"):
                visit.action_arrive()
        return visit

    def test_late_arrival_cannot_be_erased(self):
        visit = self._on_site(distance_km=50.0)  # band 200: 6 h from 09:00 -> 15:00, arrived 16:30
        self.assertTrue(visit.arrived_late)
        deadline = visit.arrival_deadline
        for vals in ({"distance_km": 350.0}, {"distance_band": "beyond"}, {"kind": "maintenance"}):
            for user in (self.engineer, self.aftersales_manager):
                with self.assertRaisesRegex(UserError, "engineer arrived"), self.cr.savepoint():
                    visit.with_user(user).write(vals)
        # a later change of the settings does not move the target either
        self.company.aftersales_city_radius_km = 100.0
        self.company.aftersales_arrival_200_hours = 12.0
        visit.invalidate_recordset()
        self.assertEqual((visit.distance_band, visit.arrival_deadline), ("200", deadline))
        self.assertTrue(visit.arrived_late)
        self.assertEqual(visit.on_time_rate, 0.0)

    def test_travel_actual_cost_needs_the_manager_again(self):
        visit = self._on_site(distance_km=250.0)
        request = visit.sudo().travel_request_ids.with_user(self.engineer)
        self.assertEqual(request.state, "approved")
        self.assertEqual(visit.travel_cost, 80.0)
        request.actual_cost = 500.0
        self.assertEqual(request.state, "submitted", "a new cost goes back to the manager")
        self.assertFalse(request.approver_id)
        visit.invalidate_recordset()
        self.assertEqual(visit.travel_cost, 0.0, "an unapproved cost adds nothing to the case")
        self.assertTrue(
            request.sudo().activity_ids.filtered(lambda a: a.user_id == self.aftersales_manager),
            "the manager is asked again",
        )
        request.with_user(self.aftersales_manager).action_approve()
        visit.invalidate_recordset()
        self.assertEqual(visit.travel_cost, 500.0)

    def test_signed_report_change_clears_the_signature(self):
        visit = self._on_site(distance_km=10.0)
        self._complete_report(visit)
        self.assertTrue(visit.signature)
        visit.write({"cause_analysis": "<p>Something else entirely</p>"})
        self.assertFalse(visit.signature)
        self.assertFalse(visit.signed_by)
        self.assertFalse(visit.signed_on)
        self.assertIn("signature was cleared", visit.sudo().message_ids[0].body)
        with self.assertRaisesRegex(UserError, "signature"), self.cr.savepoint():
            visit.action_done()
        # parts and checks are part of what was signed too
        visit.write({"signed_by": "Anna Customer", "signature": SIGNATURE})
        visit.sudo().check_ids[:1].with_user(self.engineer).write({"done": True, "result": "issue"})
        self.assertFalse(visit.signature)
        visit.write({"signed_by": "Anna Customer", "signature": SIGNATURE})
        visit.write(
            {"no_parts_replaced": False, "part_ids": [Command.create({"product_id": self.product_psu.id})]}
        )
        self.assertFalse(visit.signature)
        visit.write({"signed_by": "Anna Customer", "signature": SIGNATURE})
        with freeze_time("2026-04-01 17:00:00"):
            visit.action_done()
        self.assertEqual(visit.state, "done")

    def test_back_office_signature_needs_the_signer(self):
        visit = self._on_site(distance_km=10.0)
        with self.assertRaisesRegex(ValidationError, "name of the person"), self.cr.savepoint():
            visit.write({"signature": SIGNATURE})
        with self.assertRaisesRegex(ValidationError, "name of the person"), self.cr.savepoint():
            visit.write({"signature": SIGNATURE, "signed_by": "  "})
        self.assertFalse(visit.signature)
        visit.write({"signature": SIGNATURE, "signed_by": "Anna Customer"})
        self.assertTrue(visit.signed_on)

    @freeze_time(datetime(2026, 4, 1, 9, 0))
    def test_before_arrival_the_distance_can_be_corrected(self):
        visit = self._on_site(distance_km=10.0, arrive=False)
        visit.write({"distance_km": 20.0})
        self.assertEqual(visit.distance_km, 20.0)
