"""Money, approvals and access that cannot be gone around (R-1, R-4, R-6, P-4, P-5, W-4, S-3).

Every test acts as the real role user (``with_user``), the way an RPC client would: a direct
``write``/``create``/``unlink`` with the values a curious agent would send.
"""

from unittest.mock import patch

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, freeze_time, new_test_user, tagged

from ..models.tools import moves_of_action
from .common import CaseCommon


@tagged("post_install", "-at_install")
class TestIntegrity(CaseCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.aftersales_refund_threshold = 0.0
        cls.company.aftersales_return_days = 15
        cls.Return = cls.env["aftersales.return"]
        cls.Complaint = cls.env["aftersales.complaint"]
        cls.aftersales_user_no_billing = new_test_user(
            cls.env,
            login="as_user_nobill",
            name="Nils No-Billing After-Sales User",
            groups="aftersales_service.group_aftersales_user",
            company_id=cls.company.id,
        )
        cls.billing_user = new_test_user(
            cls.env,
            login="as_billing",
            name="Bill Billing",
            groups="account.group_account_invoice",
            company_id=cls.company.id,
        )
        cls.stock_user = new_test_user(
            cls.env,
            login="as_stock",
            name="Stig Stock",
            groups="stock.group_stock_user",
            company_id=cls.company.id,
        )

    def _return(self, order, qty=2, user=None, **vals):
        return self.Return.with_user(user or self.aftersales_user).create(
            dict(
                {
                    "sale_order_id": order.id,
                    "line_ids": [
                        Command.create({"sale_line_id": order.order_line[0].id, "qty_requested": qty})
                    ],
                },
                **vals,
            )
        )

    def _receive(self, ret, qty=None):
        picking = ret.picking_ids.filtered(lambda p: p.picking_type_code == "incoming" and p.state != "done")
        for move in picking.move_ids:
            move.quantity = qty if qty is not None else move.product_uom_qty
            move.picked = True
        picking.button_validate()
        return picking

    # ------------------------------------------------------------------ approvals by write
    def test_user_cannot_approve_return_by_write(self):
        order = self.sell([(self.product_psu, 10, 20.0)])
        with freeze_time("2026-05-01"):  # outside the 15-day window: needs a manager
            ret = self._return(order, approval_reason="late")
            ret.action_submit()
        self.assertEqual(ret.state, "to_approve")
        as_user = ret.with_user(self.aftersales_user)
        for vals in ({"state": "approved"}, {"approver_id": self.aftersales_user.id}):
            with self.assertRaises(AccessError):
                as_user.write(vals)
        with self.assertRaises(AccessError):
            as_user.line_ids.write({"qty_approved": 2})
        self.assertEqual(ret.state, "to_approve", "nothing written")
        self.assertFalse(ret.line_ids.qty_approved)
        self.assertFalse(ret.approver_id)
        # nor by creating it approved
        count = self.Return.search_count([])
        with freeze_time("2026-05-01"), self.assertRaisesRegex(AccessError, "set by the system only"):
            self._return(order, state="approved", approver_id=self.aftersales_user.id)
        self.assertEqual(self.Return.search_count([]), count, "nothing created")
        with self.assertRaises(AccessError):
            self.Return.with_user(self.aftersales_user).create(
                {
                    "sale_order_id": order.id,
                    "line_ids": [
                        Command.create(
                            {"sale_line_id": order.order_line.id, "qty_requested": 1, "qty_approved": 1}
                        )
                    ],
                }
            )

    def test_user_cannot_approve_complaint_by_write(self):
        # a client cannot create it approved: refused, nothing created; as a draft it is fine
        count = self.Complaint.search_count([])
        with self.assertRaisesRegex(AccessError, "set by the system only"), self.cr.savepoint():
            self.Complaint.with_user(self.aftersales_user).create(
                {"partner_id": self.customer.id, "state": "approved"}
            )
        self.assertEqual(self.Complaint.search_count([]), count)
        complaint = self.Complaint.with_user(self.aftersales_user).create(
            {"partner_id": self.customer.id, "state": "draft"}
        )
        self.assertEqual(complaint.state, "draft")
        with self.assertRaises(AccessError):
            complaint.write({"state": "approved"})
        with self.assertRaises(AccessError):
            complaint.with_user(self.aftersales_manager).write({"approver_id": self.aftersales_manager.id})
        self.assertEqual(complaint.state, "draft")

    def test_case_state_only_through_actions(self):
        case = self.new_case()
        with self.assertRaises(AccessError):
            case.with_user(self.aftersales_user).write({"state": "closed"})
        self.assertEqual(case.state, "new")
        with self.assertRaisesRegex(AccessError, "set by the system only"):
            self.Case.with_user(self.aftersales_user).create(
                {"subject": "Skip it", "partner_id": self.customer.id, "state": "closed"}
            )
        created = self.Case.with_user(self.aftersales_user).create(
            {"subject": "Skip it", "partner_id": self.customer.id, "state": "new"}
        )
        self.assertEqual(created.state, "new")
        with self.assertRaisesMsg(UserError, "must be resolved"):
            created.with_user(self.aftersales_user).action_close()

    def test_close_button_and_action_agree_on_several_cases(self):
        cases = self.new_case() | self.new_case()
        self.assertFalse(any(cases.mapped("can_close")))
        with self.assertRaises(UserError):
            cases.action_close()
        cases.write({"resolution": "advice"})
        cases.action_resolve()
        self.assertTrue(all(cases.mapped("can_close")))
        cases.with_user(self.aftersales_user).action_close()
        self.assertEqual(set(cases.mapped("state")), {"closed"})

    # ------------------------------------------------------------------ server-side dates
    def test_request_date_cannot_be_backdated(self):
        order = self.sell([(self.product_psu, 10, 20.0)])
        with freeze_time("2026-05-01"):
            with self.assertRaisesRegex(AccessError, "set by the system only"):
                self._return(order, request_date="2026-03-10")
            ret = self._return(order, request_date="2026-05-01")  # the form's default, as it was
            self.assertEqual(ret.request_date, fields.Date.to_date("2026-05-01"), "the server's date")
            self.assertTrue(ret.needs_approval, "outside the window, whatever the client typed")
            with self.assertRaises(AccessError):
                ret.with_user(self.aftersales_user).write({"request_date": "2026-03-10"})
            self.assertEqual(ret.request_date, fields.Date.to_date("2026-05-01"))

    # ------------------------------------------------------------------ over-receipt
    def test_over_receipt_never_refunds_more_than_approved(self):
        self.company.aftersales_manager_id = self.aftersales_manager
        order = self.sell([(self.product_psu, 10, 20.0)])
        with freeze_time("2026-03-10"):
            ret = self._return(order, qty=2)
            ret.action_submit()
            self.assertEqual(ret.line_ids.qty_approved, 2)
            self._receive(ret, qty=5)  # the warehouse counted 5 in
            line = ret.line_ids
            self.assertEqual(line.qty_received, 5)
            self.assertEqual(line.qty_to_refund, 2, "refunded quantity <= approved quantity")
            credit_note = moves_of_action(self.env, ret.action_create_credit_note())
        self.assertEqual(credit_note.invoice_line_ids.quantity, 2)
        self.assertEqual(line.qty_refunded, 2)
        self.assertFalse(line.qty_to_refund)
        activity = ret.activity_ids.filtered(lambda a: "More goods received" in (a.summary or ""))
        self.assertEqual(activity.user_id, self.aftersales_manager, "the manager is told")

    def test_return_lines_validated_when_saved(self):
        order = self.sell([(self.product_psu, 10, 20.0)])
        with self.assertRaises(ValidationError):
            self._return(order, qty=-3)
        self.assertFalse(self.Return.search([("sale_order_id", "=", order.id)]), "nothing half-written")

    def test_submitted_return_lines_frozen_and_kept(self):
        order = self.sell([(self.product_psu, 10, 20.0)])
        with freeze_time("2026-03-10"):
            ret = self._return(order, qty=2)
            ret.action_submit()
        as_user = ret.with_user(self.aftersales_user)
        with self.assertRaises(UserError):
            as_user.line_ids.write({"qty_requested": 9})
        with self.assertRaises(UserError):
            as_user.line_ids.unlink()
        with self.assertRaises(UserError):
            as_user.unlink()
        self.assertEqual(ret.line_ids.qty_requested, 2)

    # ------------------------------------------------------------------ thresholds
    def test_threshold_in_company_currency(self):
        company_currency = self.company.currency_id
        other = self.env.ref("base.EUR") if company_currency.name != "EUR" else self.env.ref("base.USD")
        other.active = True
        # 1 company unit = 0.5 other: 300 other = 600 company
        self.env["res.currency.rate"].create(
            {"name": "2026-01-01", "rate": 0.5, "currency_id": other.id, "company_id": self.company.id}
        )
        pricelist = self.env["product.pricelist"].create({"name": "Other currency", "currency_id": other.id})
        self.company.aftersales_refund_threshold = 500.0
        order = self.create_sale_order([(self.product_switcher, 1, 300.0)])
        order.pricelist_id = pricelist
        order.order_line.price_unit = 300.0
        order.order_line.tax_id = False
        self.confirm_order(order)
        self.deliver_order(order)
        with freeze_time("2026-03-10"):
            ret = self._return(order, qty=1)
        self.assertEqual(ret.currency_id, other)
        self.assertAlmostEqual(ret.refund_estimate, 300.0)
        self.assertTrue(ret.needs_approval, "300 in the order's currency is 600 in the company's")
        self.assertIn("threshold", ret.eligibility_note)

    def test_customer_told_the_decision(self):
        order = self.sell([(self.product_psu, 10, 20.0)])
        with freeze_time("2026-05-01"):
            refused = self._return(order, qty=1, approval_reason="late")
            refused.action_submit()
            refused.with_user(self.aftersales_manager).action_refuse()
            accepted = self._return(order, qty=1, approval_reason="late")
            accepted.action_submit()
            accepted.with_user(self.aftersales_manager).action_approve()
        for ret, words in ((refused, "could not be accepted"), (accepted, "is accepted")):
            message = ret.message_ids.filtered(lambda m, ret=ret: ret.name in (m.subject or ""))
            self.assertEqual(len(message), 1, ret.state)
            self.assertIn(words, message.body)
            self.assertIn(self.customer, message.notified_partner_ids | message.partner_ids)

    def test_standard_reversal_waits_for_return_approval(self):
        self.company.aftersales_refund_threshold = 100.0
        order = self.sell([(self.product_psu, 10, 20.0)])
        invoice = order.invoice_ids
        with freeze_time("2026-05-01"):
            ret = self._return(order, qty=8, approval_reason="late")
            ret.action_submit()
        self.assertEqual(ret.state, "to_approve")
        # the accountant uses Odoo's own "Credit Note" on the invoice, for the whole invoice
        wizard = (
            self.env["account.move.reversal"]
            .with_user(self.billing_user)
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"reason": "customer return", "journal_id": invoice.journal_id.id})
        )
        action = wizard.refund_moves()
        credit_note = self.env["account.move"].browse(action["res_id"])
        self.assertTrue(credit_note.aftersales_needs_approval)
        with self.assertRaisesRegex(UserError, "approval threshold"), self.env.cr.savepoint():
            credit_note.with_user(self.billing_user).action_post()
        self.assertEqual(credit_note.state, "draft")
        with self.assertRaises(AccessError):
            credit_note.with_user(self.billing_user).write({"aftersales_approver_id": self.billing_user.id})
        # once the manager approved the return, the accountant may post
        ret.with_user(self.aftersales_manager).action_approve()
        credit_note.invalidate_recordset(["aftersales_needs_approval"])
        credit_note.with_user(self.billing_user).action_post()
        self.assertEqual(credit_note.state, "posted")

    def test_money_buttons_for_billing_roles_only(self):
        order = self.sell([(self.product_psu, 10, 20.0)])
        with freeze_time("2026-03-10"):
            ret = self._return(order, qty=2)
            ret.action_submit()
            self._receive(ret)
        self.assertTrue(ret.with_user(self.aftersales_user).can_refund)
        no_bill = ret.with_user(self.aftersales_user_no_billing)
        self.assertFalse(no_bill.can_refund)
        self.assertFalse(no_bill.can_compensate)
        with self.assertRaises(AccessError):
            no_bill.action_create_credit_note()
        self.assertFalse(ret.credit_note_ids)
        self.assertEqual(no_bill.credit_note_count, 0, "counters readable without invoicing rights")

    # ------------------------------------------------------------------ P-4 / P-5
    def _approved_complaint(self):
        department = self.env["hr.department"].create({"name": "Workshop"})
        order = self.sell([(self.product_psu, 10, 20.0)])
        with freeze_time("2026-03-10"):
            ret = self._return(order, qty=2)
            ret.action_submit()
            self._receive(ret)
            first_note = moves_of_action(self.env, ret.action_create_credit_note())
            first_note.action_post()
        complaint = self.Complaint.with_user(self.aftersales_user).create(
            {
                "partner_id": self.customer.id,
                "return_id": ret.id,
                "sale_order_id": order.id,
                "investigator_id": self.aftersales_user.id,
                "other_cost": 10.0,
            }
        )
        complaint.action_start_investigation()
        complaint.write(
            {
                "investigation_report": "<p>Bad batch</p>",
                "validity": "valid",
                "responsibility_ids": [Command.create({"department_id": department.id, "share": 100})],
            }
        )
        complaint.action_submit()
        complaint.with_user(self.executive).action_approve()
        return complaint, ret, order

    def test_approved_complaint_is_frozen(self):
        complaint, ret, order = self._approved_complaint()
        loss = complaint.loss_amount
        self.assertAlmostEqual(loss, 10.0 + 2 * 20.0 * 1.15, delta=10.0)
        as_manager = complaint.with_user(self.aftersales_manager)
        for vals in ({"other_cost": 999.0}, {"severity": "critical"}, {"validity": "not_valid"}):
            with self.assertRaises(UserError):
                as_manager.write(vals)
        with self.assertRaises(UserError):
            complaint.responsibility_ids.with_user(self.aftersales_manager).write({"share": 50})
        # a later credit note on the same return does not move the approved loss
        with freeze_time("2026-03-12"):
            late_note = self.env["aftersales.compensation.wizard"].create(
                {
                    "invoice_id": order.invoice_ids[0].id,
                    "amount": 30.0,
                    "reason": "goodwill",
                    "return_id": ret.id,
                }
            )
            self.company.aftersales_compensation_product_id = self.product_service
            credit_note = self.env["account.move"].browse(late_note.action_create()["res_id"])
            credit_note.action_aftersales_customer_accepted()
            credit_note.with_user(self.aftersales_manager).action_aftersales_approve()
            credit_note.action_post()
        self.assertEqual(credit_note.aftersales_return_id, ret)
        complaint.invalidate_recordset()
        self.assertEqual(complaint.loss_amount, loss, "kept as approved (P-4)")
        self.assertEqual(complaint.responsibility_ids.loss_amount, loss)

    def test_reopen_starts_a_fresh_loss_record(self):
        complaint, _ret, _order = self._approved_complaint()
        action = complaint.with_user(self.aftersales_manager).action_reopen()
        child = self.Complaint.browse(action["res_id"])
        self.assertEqual(child.parent_id, complaint)
        self.assertEqual(child.state, "draft")
        self.assertFalse(child.credit_note_ids)
        self.assertFalse(child.return_id)
        self.assertFalse(child.case_id)
        self.assertFalse(child.other_cost)
        self.assertFalse(child.responsibility_ids)
        self.assertEqual(child.loss_amount, 0.0, "the parent's loss is not counted twice")
        self.assertEqual(child.partner_id, complaint.partner_id)

    # ------------------------------------------------------------------ W-4 pricing
    def test_out_of_warranty_case_has_no_labour_line(self):
        order = self.sell([(self.product_camera, 1, 200.0)])
        lot = order.picking_ids.move_ids.move_line_ids.lot_id
        with freeze_time("2027-06-01"):
            case = self.new_case(sale_order_id=order.id, product_id=self.product_camera.id, lot_id=lot.id)
            self.assertEqual(case.warranty_state, "out")
            self.assertEqual(case.warranty_id.after_expiry_mode, "lifetime_parts_only")
            case.write({"time_spent": 3.0})
            case.action_start()
            with self.assertRaisesMsg(UserError, "nothing to invoice"):
                case.action_create_invoice()
            self.assertFalse(case.invoice_ids, "no labour line, no empty invoice")

    # ------------------------------------------------------------------ S-3 access
    def test_user_has_no_sales_or_stock_write_rights(self):
        user = self.aftersales_user_no_billing
        self.assertFalse(user.has_group("sales_team.group_sale_salesman_all_leads"))
        self.assertFalse(user.has_group("stock.group_stock_user"))
        order = self.sell([(self.product_psu, 10, 20.0)])
        as_user = order.with_user(user)
        self.assertEqual(as_user.name, order.name, "after-sales users read the company's orders")
        with self.assertRaises(AccessError):
            as_user.write({"client_order_ref": "changed"})
        with self.assertRaises(AccessError):
            order.picking_ids.with_user(user).write({"origin": "changed"})
        # yet the return flow works for them: transfers are made by the approved return
        with freeze_time("2026-03-10"):
            ret = self._return(order, qty=1, user=user)
            ret.with_user(user).action_submit()
        self.assertEqual(ret.state, "waiting_goods")
        self.assertEqual(ret.with_user(user).return_picking_count, 1)

    def test_users_see_no_penalties_and_cannot_edit_ratings(self):
        complaint, _ret, _order = self._approved_complaint()
        resp = complaint.responsibility_ids
        with self.assertRaises(AccessError):
            resp.with_user(self.aftersales_user).read(["penalty_amount"])
        with self.assertRaises(AccessError):
            complaint.with_user(self.aftersales_user).read(["penalty_total"])
        self.assertTrue(resp.with_user(self.aftersales_manager).read(["penalty_amount"]))
        rating = self.env["aftersales.rating"].create(
            {
                "partner_id": self.customer.id,
                "rated_user_id": self.aftersales_user.id,
                "company_id": self.company.id,
            }
        )
        with self.assertRaises(AccessError):
            rating.with_user(self.aftersales_user).write({"state": "rated"})
        with self.assertRaises(AccessError):
            self.env["aftersales.rating"].with_user(self.aftersales_user).create(
                {"partner_id": self.customer.id, "rated_user_id": self.aftersales_user.id}
            )

    def test_parts_of_closed_case_are_kept(self):
        case = self.new_case(resolution="repair")
        case.write({"part_ids": [Command.create({"product_id": self.product_psu.id, "quantity": 1})]})
        case.action_resolve()
        case.action_close()
        part = case.part_ids
        with self.assertRaises(UserError):
            part.with_user(self.aftersales_manager).unlink()
        with self.assertRaises(UserError):
            part.with_user(self.aftersales_manager).write({"quantity": 5})
        self.assertEqual(part.quantity, 1)

    def test_portal_reads_only_customer_fields_of_own_case(self):
        case = self.new_case(time_spent=2.0, resolution_note="<p>internal</p>")
        as_portal = case.with_user(self.portal_user)
        self.assertEqual(as_portal.read(["subject"])[0]["subject"], case.subject)
        for fname in ("resolution_note", "time_spent", "escalation_level", "part_ids", "invoice_ids"):
            with self.assertRaises(AccessError, msg=fname):
                as_portal.read([fname])

    def test_core_users_read_and_export_their_documents(self):
        order = self.sell([(self.product_psu, 10, 20.0)])
        invoice = order.invoice_ids
        checks = [
            (self.salesperson, order),
            (self.salesperson, order.order_line),
            (self.billing_user, invoice),
            (self.billing_user, invoice.invoice_line_ids),
            (self.stock_user, order.picking_ids),
        ]
        export_group = self.env.ref("base.group_allow_export")
        for user, records in checks:
            user.groups_id += export_group
            as_user = records.with_user(user)
            # the form view opens (no field of the addon in it is refused), and the addon's fields
            # that user may read are read and exported (Odoo core's own access tests, with the
            # addon installed, are run by scripts/test-core.sh)
            as_user.get_views([(False, "form")])
            readable = as_user.check_field_access_rights("read", None)
            ours = [name for name in readable if name.startswith("aftersales")]
            self.assertTrue(as_user.read(["display_name", *ours]))
            as_user.export_data(["display_name", *ours])
        # a warehouse user without after-sales rights validates deliveries as before
        other = self.confirm_order(self.create_sale_order([(self.product_psu, 1, 20.0)]))
        picking = other.picking_ids.with_user(self.stock_user)
        picking.action_assign()
        picking.move_ids.quantity = 1
        picking.move_ids.picked = True
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        # warranty status on the order line stays readable by sales
        self.assertTrue(order.order_line.with_user(self.salesperson).read(["aftersales_warranty_state"]))

    # ------------------------------------------------------------------ crons per company
    def test_dispatch_per_company_and_failures_isolated(self):
        manager_2 = new_test_user(
            self.env,
            login="as_manager_c2",
            groups="aftersales_service.group_aftersales_manager",
            company_id=self.company_2.id,
            company_ids=[Command.set(self.company_2.ids)],
        )
        self.company_2.aftersales_manager_id = manager_2
        self.company.aftersales_manager_id = self.aftersales_manager
        case_1 = self.new_case(team_id=False)
        case_2 = self.Case.create(
            {"subject": "Company 2", "partner_id": self.customer.id, "company_id": self.company_2.id}
        )
        broken = self.new_case(team_id=False)
        case_1.team_id = case_2.team_id = broken.team_id = False
        Team = self.env["aftersales.team"]
        original = type(Team)._dispatch_case

        def dispatch(team_model, case, leader, date):
            if case == broken:
                raise ValueError("boom")
            return original(team_model, case, leader, date)

        with (
            patch.object(type(Team), "_dispatch_case", dispatch),
            self.assertLogs("odoo.addons.aftersales_service.models.aftersales_team", "ERROR"),
        ):
            self.env.ref("aftersales_service.ir_cron_aftersales_case_dispatch").method_direct_trigger()
        self.assertEqual(case_1.user_id, self.aftersales_manager)
        self.assertEqual(case_2.user_id, manager_2, "company B's case goes to company B's manager")
        self.assertFalse(broken.user_id, "the failing case is left as it was, the others went on")

    # ------------------------------------------------------------------ settings: 0 is off
    def test_zero_settings_mean_off(self):
        self.company.aftersales_post_sale_months = 0
        self.company.aftersales_summary_months = 0
        order = self.sell([(self.product_psu, 1, 20.0)])
        Revisit = self.env["aftersales.revisit"]
        with freeze_time("2026-12-01"):
            Revisit._cron_plan_post_sale()
            Revisit._cron_send_summary()
        self.assertFalse(Revisit.search([("sale_order_id", "=", order.id)]), "0 months: no questionnaire")
        with self.assertRaises(ValidationError):
            self.company.aftersales_return_days = -1
        settings_form = Form(self.env["res.config.settings"])
        settings_form.aftersales_escalation_hours = 0
        settings_form.save().execute()
        self.assertEqual(self.company.aftersales_escalation_hours, 0, "0 stays 0, never the default")


@tagged("post_install", "-at_install")
class TestServiceLoop(CaseCommon):
    def test_raised_complaint_reaches_the_executive_once(self):
        case = self.new_case(category="complaint", priority="0")
        executive_todos = lambda: case.activity_ids.filtered(lambda a: a.user_id == self.executive)  # noqa: E731
        self.assertFalse(executive_todos())
        case.with_user(self.aftersales_user).priority = "2"
        self.assertEqual(len(executive_todos()), 1, "raised to urgent later: the executive is told")
        case.with_user(self.aftersales_user).priority = "1"
        case.with_user(self.aftersales_user).priority = "2"
        self.assertEqual(len(executive_todos()), 1, "once")
        complaint = (
            self.env["aftersales.complaint"]
            .with_user(self.aftersales_user)
            .create({"partner_id": self.customer.id, "severity": "critical"})
        )
        todo = complaint.activity_ids.filtered(lambda a: a.user_id == self.executive)
        self.assertEqual(len(todo), 1, "registered as critical: at once")
        complaint.severity = "major"
        complaint.severity = "critical"
        self.assertEqual(len(complaint.activity_ids.filtered(lambda a: a.user_id == self.executive)), 1)

    def test_call_back_promise_is_an_activity(self):
        case = self.new_case(user_id=self.aftersales_user.id)
        case.callback_datetime = "2026-06-10 14:00:00"
        call = self.env.ref("mail.mail_activity_data_call")
        calls = case.activity_ids.filtered(lambda a: a.activity_type_id == call)
        self.assertEqual(len(calls), 1)
        self.assertEqual(calls.user_id, self.aftersales_user)
        self.assertEqual(calls.date_deadline.isoformat(), "2026-06-10")
        with freeze_time("2026-06-11"):
            self.assertEqual(calls.state, "overdue", "a missed call-back shows as overdue")
        case.callback_datetime = "2026-06-12 09:00:00"
        calls = case.activity_ids.filtered(lambda a: a.activity_type_id == call)
        self.assertEqual(len(calls), 1, "the new promise replaces the old one")
        self.assertEqual(calls.date_deadline.isoformat(), "2026-06-12")
        case.callback_datetime = False
        self.assertFalse(case.activity_ids.filtered(lambda a: a.activity_type_id == call))

    def test_case_closes_after_the_satisfaction_step(self):
        with_customer = self.new_case(resolution="advice")
        with_customer.action_resolve()
        rating = self.env["aftersales.rating"].search([("case_id", "=", with_customer.id)])
        self.assertEqual(rating.rated_user_id, self.aftersales_user, "whoever resolved it is rated")
        with_customer.action_close()
        self.assertEqual(with_customer.state, "closed")
        by_email = self.Case.with_user(self.aftersales_user).create(
            {"subject": "Anonymous mail", "email_from": "someone@example.com", "resolution": "advice"}
        )
        by_email.action_resolve()
        with self.assertRaisesMsg(UserError, "rating"):
            by_email.action_close()
        self.assertEqual(by_email.state, "resolved", "the loop is not closed without its last step")
        by_email.no_rating_reason = "No customer record: answered by email"
        by_email.action_close()
        self.assertEqual(by_email.state, "closed")

    def test_selling_after_sales_user_reads_every_order(self):
        seller = new_test_user(
            self.env,
            login="as_user_seller",
            groups="aftersales_service.group_aftersales_user,sales_team.group_sale_salesman",
            company_id=self.company.id,
        )
        order = self.sell([(self.product_psu, 1, 20.0)])  # another salesperson's order
        self.assertIn(order, self.env["sale.order"].with_user(seller).search([]))
        self.assertEqual(order.with_user(seller).order_line.product_id, self.product_psu)
        with self.assertRaises(AccessError):
            order.with_user(seller).write({"client_order_ref": "not mine to change"})
