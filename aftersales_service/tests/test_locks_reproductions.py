"""Locked by design, the rest of the ways around the rules found over RPC (issue "Locked by
design", reproductions 2, 3, 7 in test_return_multi, 8, 9, 10, 11, 12, 13, 14): each refused for
the role that did it with nothing written, and the legitimate path still works."""

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import freeze_time, new_test_user, tagged

from ..models.aftersales_lock import AftersalesLockError
from .test_approved_content import _MoneyCommon
from .test_field_service import SIGNATURE, FieldServiceCommon
from .test_locks import LockRoles


@tagged("post_install", "-at_install")
class TestMoneyLocks(LockRoles, _MoneyCommon):
    def test_accepted_compensation_stays_with_its_customer(self):
        """R-5, R-8: approved for customer A, accepted by A: posted to A only; the customer's
        acceptance is recorded by a colleague of whoever prepared it, with their name."""
        credit_note = self._compensation(150.0)
        credit_note.with_user(self.aftersales_manager).action_aftersales_approve()
        with self.assertRaisesRegex(AccessError, "a colleague records"):
            credit_note.with_user(self.aftersales_user).action_aftersales_customer_accepted()
        self.assertEqual(credit_note.aftersales_acceptance, "pending")
        credit_note.with_user(self.manager_2).action_aftersales_customer_accepted()
        self.assertEqual(credit_note.aftersales_acceptance, "accepted")
        self.assertEqual(credit_note.aftersales_accepted_recorder_id, self.manager_2)
        self.assertTrue(
            credit_note.message_ids.filtered(
                lambda m: "signed reply by Mona Second Manager" in (m.body or "")
            )
        )
        other = self.env["res.partner"].create({"name": "Bengt Other Customer"})
        for user in (self.billing_user, self.aftersales_user, self.aftersales_manager):
            with self.subTest(user=user.login), self.assertRaises(AftersalesLockError):
                self._rpc_write(user, credit_note, {"partner_id": other.id})
        for vals in ({"aftersales_accepted_by": "Someone"}, {"aftersales_acceptance": "refused"}):
            with self.subTest(vals=vals), self.assertRaises(AftersalesLockError):
                self._rpc_write(self.billing_user, credit_note, vals)
        self.env.invalidate_all()
        self.assertEqual(credit_note.partner_id, self.customer)
        credit_note.with_user(self.billing_user).action_post()
        self.assertEqual(credit_note.state, "posted")

    def _recorder(self, price):
        product = self.env["product.product"].create(
            {
                "name": f"Recorder {price:g}",
                "is_storable": True,
                "list_price": price,
                "categ_id": self.categ_accessories.id,
            }
        )
        self.env["stock.quant"]._update_available_quantity(product, self.stock_location, 5.0)
        return product

    def test_exchange_settlement_takes_the_approved_price(self):
        """R-4: the exchange was approved for its difference (-10): an order line's price edited
        afterwards does not change what is settled."""
        dear, cheaper = self._recorder(1000.0), self._recorder(990.0)
        order = self.sell([(dear, 1, 1000.0)])
        with freeze_time("2026-03-10"):
            ret = self._new_return(order, {order.order_line: 1}, return_type="exchange")
            ret.line_ids.exchange_product_id = cheaper
            self.assertEqual(ret.line_ids.exchange_difference, -10.0)
            ret.action_submit()
            self.assertNotIn(ret.state, ("draft", "to_approve"), "10 credited is below the threshold")
            new_line = ret.line_ids.exchange_sale_line_id
            self.assertTrue(new_line)
            new_line.with_user(self.salesperson).write({"price_unit": 1.0})
            move = self.env["account.move"].browse(
                ret.with_user(self.aftersales_manager).action_invoice_exchange_difference()["res_id"]
            )
        self.assertEqual(move.move_type, "out_refund")
        self.assertAlmostEqual(move.amount_untaxed, 10.0)
        self.assertAlmostEqual(move.aftersales_approved_amount, move.amount_total)

    def test_odoo_reversal_of_an_after_sales_invoice_needs_the_manager(self):
        """R-4: a plain credit note (Odoo's reversal) of an invoice a return made, above the
        threshold, waits for an After-Sales manager."""
        cheap, dear = self._recorder(10.0), self._recorder(5000.0)
        order = self.sell([(cheap, 1, 10.0)])
        with freeze_time("2026-03-10"):
            ret = self._new_return(order, {order.order_line: 1}, return_type="exchange")
            ret.line_ids.exchange_product_id = dear
            ret.approval_reason = "The customer takes the big model"
            ret.action_submit()
            if ret.state == "to_approve":
                ret.with_user(self.aftersales_manager).action_approve()
            invoice = self.env["account.move"].browse(
                ret.with_user(self.aftersales_manager).action_invoice_exchange_difference()["res_id"]
            )
            self.assertEqual(invoice.move_type, "out_invoice")
            invoice.with_user(self.billing_user).action_post()
            reversal = (
                self.env["account.move.reversal"]
                .with_user(self.billing_user)
                .with_context(active_model="account.move", active_ids=invoice.ids)
                .create({"journal_id": invoice.journal_id.id, "reason": "goodwill"})
            )
            refund = self.env["account.move"].browse(reversal.refund_moves()["res_id"])
        self.assertEqual(refund.reversed_entry_id, invoice)
        self.assertTrue(refund.aftersales_needs_approval)
        with self.assertRaisesRegex(UserError, "approval threshold"):
            refund.with_user(self.billing_user).action_post()
        self.assertEqual(refund.state, "draft")
        refund.with_user(self.aftersales_manager).action_aftersales_approve()
        refund.with_user(self.billing_user).action_post()
        self.assertEqual(refund.state, "posted")


@tagged("post_install", "-at_install")
class TestVisitLocks(LockRoles, FieldServiceCommon):
    def _on_site(self):
        with freeze_time("2026-04-01 09:00:00"):
            visit = self._visit(distance_km=10.0)
            visit.write(
                {"appointment_start": "2026-04-01 10:00:00", "appointment_end": "2026-04-01 12:00:00"}
            )
            visit.action_schedule()
        with freeze_time("2026-04-01 13:00:00"):
            visit.action_arrive()
        return visit

    def test_late_arrival_cannot_be_erased(self):
        """F-2: the arrival is the server's clock, and what set its target is frozen."""
        visit = self._on_site()
        self.assertTrue(visit.arrived_late)
        deadline, in_warranty = visit.arrival_deadline, visit.in_warranty
        other = self.new_case(subject="Another fault")
        for vals in (
            {"case_id": other.id},
            {"appointment_start": "2026-04-01 14:00:00"},
            {"distance_km": 500.0},
            {"arrival_date": "2026-04-01 10:00:00"},
        ):
            with self.subTest(vals=vals), self.assertRaises(AftersalesLockError):
                self._rpc_write(self.engineer, visit, vals)
        with self.assertRaises(TypeError):
            visit.action_arrive("2026-04-01 10:00:00")
        self.env.invalidate_all()
        self.assertEqual((visit.arrival_deadline, visit.in_warranty), (deadline, in_warranty))
        self.assertTrue(visit.arrived_late)

    def test_signed_unit_changes_clear_the_signature(self):
        """F-4: the unit printed on the signed report is what the customer signed."""
        visit = self._on_site()
        self._complete_report(visit)
        self.assertTrue(visit.signature)
        other_lot = self._free_serials(self.product_camera, 1)
        visit.write({"lot_id": other_lot.id})
        self.assertFalse(visit.signature)
        self.assertFalse(visit.signed_on)
        # a back-office signature names who signed, with a clear message
        with self.assertRaisesRegex(ValidationError, "Give the name"):
            visit.write({"signature": SIGNATURE, "signed_by": False})
        self.assertFalse(visit.signature)
        visit.write({"signature": SIGNATURE, "signed_by": "Anna Customer"})
        visit.action_done()
        self.assertEqual(visit.state, "done")
        with self.assertRaises(AftersalesLockError):
            self._rpc_write(self.engineer, visit, {"signed_by": "Someone else"})


@tagged("post_install", "-at_install")
class TestComplaintLocks(LockRoles, _MoneyCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.aftersales_manager_id = cls.aftersales_manager
        cls.company.aftersales_executive_id = cls.executive
        cls.department = cls.env["hr.department"].create({"name": "Assembly"})
        cls.Complaint = cls.env["aftersales.complaint"]

    def _complaint(self):
        return self.Complaint.with_user(self.aftersales_user).create(
            {"partner_id": self.customer.id, "investigator_id": self.aftersales_user.id, "other_cost": 100.0}
        )

    def _approved(self):
        complaint = self._complaint()
        complaint.action_start_investigation()
        complaint.write(
            {
                "validity": "valid",
                "investigation_report": "<p>Solder joint cracked</p>",
                "responsibility_ids": [Command.create({"department_id": self.department.id, "share": 100.0})],
                "action_ids": [
                    Command.create({"name": "Retrain soldering", "owner_id": self.aftersales_manager.id})
                ],
            }
        )
        complaint.action_submit()
        complaint.with_user(self.executive).action_approve()
        self.assertEqual(complaint.state, "approved")
        return complaint

    def _vendor_credit(self):
        vendor = self.env["res.partner"].create({"name": "Lens Supplier"})
        refund = self.env["account.move"].create(
            {
                "move_type": "in_refund",
                "partner_id": vendor.id,
                "invoice_date": "2026-03-01",
                "invoice_line_ids": [Command.create({"name": "Credit", "price_unit": 40.0, "quantity": 1})],
            }
        )
        refund.action_post()
        return refund

    def test_corrective_actions_stay_and_are_confirmed_by_someone_else(self):
        """P-8: an action stays with its complaint, is not deleted, and whoever did it stays."""
        complaint = self._approved()
        action = complaint.action_ids
        fresh = self._complaint()
        with self.assertRaises(AftersalesLockError):
            self._rpc_write(self.aftersales_user, action, {"complaint_id": fresh.id})
        with self.assertRaises(AftersalesLockError):
            action.with_user(self.aftersales_manager).unlink()
        action.with_user(self.aftersales_manager).write({"done_date": "2026-03-20"})
        with self.assertRaisesRegex(AftersalesLockError, "someone else confirms"):
            self._rpc_write(self.aftersales_manager, action, {"owner_id": self.aftersales_user.id})
        with self.assertRaises(AccessError):
            action.with_user(self.aftersales_manager).action_confirm_effect()
        self.assertFalse(action.effect_confirmed)
        self.assertEqual((action.complaint_id, action.owner_id), (complaint, self.aftersales_manager))
        action.with_user(self.executive).action_confirm_effect()
        self.assertTrue(action.effect_confirmed)

    def test_vendor_credits_are_frozen_and_counted_once(self):
        """P-4: the net loss of an approved complaint is kept; one vendor credit reduces one loss."""
        refund = self._vendor_credit()
        complaint = self._approved()
        with self.assertRaisesRegex(AftersalesLockError, "executive approved"):
            self._rpc_write(self.aftersales_manager, complaint, {"vendor_refund_ids": [[6, 0, refund.ids]]})
        self.env.invalidate_all()
        self.assertFalse(complaint.vendor_refund_ids)
        first, second = self._complaint(), self._complaint()
        first.write({"vendor_refund_ids": [Command.set(refund.ids)]})
        self.assertAlmostEqual(first.vendor_recovered_amount, 40.0)
        with self.assertRaisesRegex(ValidationError, "counted by"), self.cr.savepoint():
            second.write({"vendor_refund_ids": [Command.set(refund.ids)]})
        self.env.invalidate_all()
        self.assertFalse(second.vendor_refund_ids)


@tagged("post_install", "-at_install")
class TestRegistrationLocks(LockRoles, _MoneyCommon):
    def test_registration_is_approved_by_a_colleague(self):
        """W-1: whoever entered a registration does not approve it; its unit is frozen."""
        clerk = new_test_user(
            self.env, login="as_clerk", name="Cleo Clerk", groups="aftersales_service.group_aftersales_user"
        )
        registration = (
            self.env["aftersales.unit.registration"]
            .with_user(clerk)
            .create(
                {
                    "partner_id": self.customer.id,
                    "product_id": self.product_camera.id,
                    "serial": "DEALER-LOCK-1",
                    "purchase_date": "2026-03-01",
                    "dealer_name": "Camera Dealer AB",
                }
            )
        )
        registration.message_post(
            body="Receipt", attachments=[("receipt.pdf", b"%PDF-1.4 r")], message_type="comment"
        )
        registration.action_submit()
        with self.assertRaises(AftersalesLockError):
            self._rpc_write(clerk, registration, {"serial": "DEALER-LOCK-2"})
        with self.assertRaisesRegex(AccessError, "You entered"):
            registration.with_user(clerk).action_approve()
        self.assertEqual(registration.state, "submitted")
        registration.with_user(self.aftersales_user).action_approve()
        self.assertEqual(registration.state, "approved")
        self.assertTrue(registration.warranty_id)
