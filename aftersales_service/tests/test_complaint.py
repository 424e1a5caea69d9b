import base64
from datetime import date

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import freeze_time, tagged

from .common import AftersalesCommon


@tagged("post_install", "-at_install")
class TestComplaint(AftersalesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.aftersales_manager_id = cls.aftersales_manager
        cls.company.aftersales_executive_id = cls.executive
        cls.dept_production = cls.env["hr.department"].create({"name": "Production"})
        cls.dept_logistics = cls.env["hr.department"].create({"name": "Logistics"})
        cls.employee_a = cls.env["hr.employee"].create(
            {"name": "Arne Assembler", "department_id": cls.dept_production.id}
        )
        cls.employee_b = cls.env["hr.employee"].create(
            {"name": "Li Driver", "department_id": cls.dept_logistics.id}
        )
        cls.cause_defect = cls.env.ref("aftersales_service.complaint_cause_production_defect")
        cls.cause_transport = cls.env.ref("aftersales_service.complaint_cause_transport_damage")
        cls.env["aftersales.penalty.rule"].create(
            [
                {
                    "name": "Major defects: 10 % of loss",
                    "sequence": 1,
                    "cause_type": "quality",
                    "severity": "major",
                    "penalty_kind": "bonus_deduction",
                    "loss_percent": 10.0,
                },
                {
                    "name": "Any other: warning + 50",
                    "sequence": 99,
                    "penalty_kind": "fine",
                    "fixed_amount": 50.0,
                },
            ]
        )
        cls.Complaint = cls.env["aftersales.complaint"]

    def _complaint(self, **vals):
        values = {
            "partner_id": self.customer.id,
            "cause_type": "quality",
            "cause_id": self.cause_defect.id,
            "severity": "major",
            "investigator_id": self.aftersales_user.id,
        }
        values.update(vals)
        return self.Complaint.with_user(self.aftersales_user).create(values)

    def _refund(self, invoice, amount_ratio=0.5):
        wizard = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"journal_id": invoice.journal_id.id, "reason": "Damaged"})
        )
        credit_note = self.env["account.move"].browse(wizard.refund_moves()["res_id"])
        credit_note.invoice_line_ids.quantity = credit_note.invoice_line_ids.quantity * amount_ratio
        credit_note.action_post()
        return credit_note

    def _through_investigation(self, complaint, shares=((60.0, "a"), (40.0, "b"))):
        complaint.action_start_investigation()
        complaint.validity = "valid"
        complaint.investigation_report = "<p>Solder joint cracked</p>"
        complaint.responsibility_ids = [
            Command.create(
                {
                    "employee_id": (self.employee_a if who == "a" else self.employee_b).id,
                    "department_id": (self.dept_production if who == "a" else self.dept_logistics).id,
                    "share": share,
                }
            )
            for share, who in shares
        ]
        complaint.action_submit()
        return complaint

    def test_sequence_classification_and_order_facts(self):
        order = self.sell([(self.product_switcher, 2, 1000.0), (self.product_psu, 5, 20.0)])
        complaint = self._complaint(sale_order_id=order.id)
        self.assertRegex(complaint.name, r"^CMP/\d{4}/\d{5}$")
        self.assertEqual(complaint.order_quantity, 7)
        self.assertIn("Test Matrix Switcher: 2", complaint.order_specification)
        self.assertEqual(complaint.delivery_date, date(2026, 3, 4))
        self.assertEqual(complaint.owner_id, self.aftersales_manager, "P-7: the manager owns it")
        self.assertEqual(self.cause_transport.cause_type, "non_quality")

    def test_investigation_deadline_and_overdue(self):
        with freeze_time("2026-04-01"):
            complaint = self._complaint()
            complaint.action_start_investigation()
            self.assertEqual(complaint.investigation_deadline, date(2026, 4, 4))
            self.assertFalse(complaint.is_overdue)
        with freeze_time("2026-04-05"):
            complaint.invalidate_recordset(["is_overdue"])
            self.assertTrue(complaint.is_overdue)
            self.assertIn(complaint, self.Complaint.search([("is_overdue", "=", True)]))
            self.env.ref("aftersales_service.ir_cron_aftersales_complaint_overdue").method_direct_trigger()
            self.Complaint._cron_report_overdue()
            reports = complaint.activity_ids.filtered(lambda a: "overdue" in (a.summary or ""))
            self.assertEqual(len(reports), 1, "reported once")
            self.assertEqual(reports.user_id, self.aftersales_manager)

    def test_loss_from_refund_and_rule_penalties(self):
        order = self.sell([(self.product_switcher, 2, 1000.0)])
        credit_note = self._refund(order.invoice_ids)
        complaint = self._complaint(
            sale_order_id=order.id, replacement_cost=100.0, freight_cost=50.0, other_cost=25.0
        )
        complaint.credit_note_ids = credit_note
        self.assertAlmostEqual(complaint.refund_loss, credit_note.amount_total)
        loss = credit_note.amount_total + 175.0
        self.assertAlmostEqual(complaint.loss_amount, loss)
        self._through_investigation(complaint)
        resp_a, resp_b = complaint.responsibility_ids.sorted("share", reverse=True)
        self.assertAlmostEqual(resp_a.loss_amount, loss * 0.6)
        self.assertEqual(resp_a.penalty_kind, "bonus_deduction")
        self.assertAlmostEqual(resp_a.penalty_amount, loss * 0.6 * 0.1, places=2)
        resp_b.with_user(self.aftersales_manager).penalty_amount = 30.0  # editable before approval
        self.assertAlmostEqual(complaint.penalty_total, loss * 0.06 + 30.0, places=2)
        with self.assertRaises(ValidationError):
            complaint.replacement_cost = -1.0

    def test_approval_rights_and_locked_amounts(self):
        complaint = self._through_investigation(self._complaint(other_cost=1000.0))
        self.assertEqual(complaint.state, "to_approve")
        with self.assertRaises(AccessError):
            complaint.with_user(self.aftersales_user).action_approve()
        with self.assertRaises(AccessError):
            complaint.with_user(self.aftersales_manager).action_approve()
        complaint.with_user(self.executive).action_approve()
        self.assertEqual(complaint.state, "approved")
        self.assertEqual(complaint.approver_id, self.executive)
        with self.assertRaises(UserError):
            complaint.responsibility_ids[0].with_user(self.aftersales_user).penalty_amount = 0.0
        with self.assertRaises(UserError):
            complaint.responsibility_ids[0].with_user(self.executive).penalty_amount = 0.0

    def test_shares_must_total_100(self):
        complaint = self._complaint()
        complaint.action_start_investigation()
        complaint.validity = "valid"
        complaint.investigation_report = "<p>Two causes</p>"
        complaint.responsibility_ids = [
            Command.create({"employee_id": self.employee_a.id, "share": 60.0}),
            Command.create({"employee_id": self.employee_b.id, "share": 30.0}),
        ]
        with self.assertRaises(ValidationError):
            complaint.action_submit()
        self.assertEqual(complaint.state, "investigating")

    def test_not_valid_carries_no_penalty(self):
        complaint = self._complaint(other_cost=500.0, validity="not_valid")
        complaint.responsibility_ids = [Command.create({"employee_id": self.employee_a.id, "share": 100.0})]
        self.assertFalse(complaint.responsibility_ids.penalty_amount)
        self.assertFalse(complaint.responsibility_ids.penalty_kind)

    def test_close_needs_done_actions_and_reopen(self):
        complaint = self._through_investigation(self._complaint())
        complaint.with_user(self.executive).action_approve()
        complaint.action_ids = [
            Command.create({"name": "Add solder inspection", "owner_id": self.aftersales_user.id})
        ]
        with self.assertRaises(UserError):
            complaint.action_close()
        complaint.action_ids.write({"done_date": "2026-04-10"})
        complaint.action_ids.with_user(self.aftersales_manager).action_confirm_effect()
        complaint.action_close()
        self.assertEqual(complaint.state, "closed")
        action = complaint.action_reopen()
        child = self.Complaint.browse(action["res_id"])
        self.assertEqual(child.parent_id, complaint)
        self.assertEqual(complaint.child_ids, child)
        self.assertEqual(child.state, "draft")
        self.assertNotEqual(child.name, complaint.name)
        note = complaint.message_ids.filtered(lambda m: "Reopened as" in (m.body or ""))
        self.assertIn(f'data-oe-id="{child.id}"', note.body, "a real link, not escaped text")

    def test_monthly_review(self):
        with freeze_time("2026-04-20"):
            april = self._through_investigation(self._complaint(other_cost=1000.0))
            april.with_user(self.executive).action_approve()
            april.action_close()
        with freeze_time("2026-05-03"):
            may = self._through_investigation(self._complaint(other_cost=300.0))
            may.with_user(self.executive).action_approve()
            may.action_close()
        Review = self.env["aftersales.complaint.review"]
        # the demo's history has reviews of its own months (relative to today): not these
        Review.search([("company_id", "=", self.company.id)]).unlink()
        with freeze_time("2026-05-09"):
            Review._cron_build_reviews()
            self.assertFalse(Review.search([("company_id", "=", self.company.id)]), "not before the 10th")
        with freeze_time("2026-05-10"):
            self.env.ref("aftersales_service.ir_cron_aftersales_complaint_review").method_direct_trigger()
            Review._cron_build_reviews()
        review = Review.search([("company_id", "=", self.company.id)])
        self.assertEqual(len(review), 1, "idempotent")
        self.assertEqual(review.month, date(2026, 4, 1))
        self.assertEqual(review.complaint_ids, april)
        self.assertAlmostEqual(review.loss_total, 1000.0)
        self.assertAlmostEqual(review.penalty_total, 100.0)  # 10 % of the loss
        by_employee = review._totals_by("employee_id")
        self.assertAlmostEqual(by_employee[self.employee_a][0], 600.0)
        self.assertAlmostEqual(by_employee[self.employee_b][1], 40.0)
        with self.assertRaises(UserError):
            Review._build(self.company, date(2026, 4, 1))
        with self.assertRaises(AccessError):
            review.with_user(self.aftersales_manager).action_approve()
        review.with_user(self.executive).action_approve()
        review.action_publish()
        self.assertEqual(review.state, "published")
        notice = self.env["ir.attachment"].search(
            [("res_model", "=", "hr.employee"), ("res_id", "=", self.employee_a.id)]
        )
        self.assertEqual(len(notice), 1)
        # Odoo's test mode renders qweb-pdf reports as HTML (no wkhtmltopdf workers): the notice
        # is the report's document, with the employee's lines only
        content = base64.b64decode(notice.datas).decode()
        self.assertIn("Reward / penalty notice", content)
        self.assertIn("Arne Assembler", content)
        self.assertNotIn("Li Driver", content)
        message = self.employee_a.message_ids.filtered(lambda m: notice in m.attachment_ids)
        self.assertEqual(len(message), 1)
        # the notice email (a template) goes to the employee's work contact, amounts formatted
        self.assertIn(self.employee_a.work_contact_id, message.partner_ids)
        self.assertIn(review.name, message.subject)
        self.assertIn(review.currency_id.symbol, message.body)

    def test_multi_company(self):
        complaint = self._complaint()
        self.assertFalse(self.Complaint.with_user(self.aftersales_user_2).search([("id", "=", complaint.id)]))
