"""Loose ends in the rules (issue 28): one escalation, one message; a level never lowered; a
setting of 0 is "off"; records of one company only point to that company's people."""

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import freeze_time, tagged

from .common import FRIDAY_4PM, CaseCommon


@tagged("post_install", "-at_install")
class TestLooseEnds(CaseCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # these tests are about the messages: notifications and tracking as in production
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=False, mail_create_nolog=False))
        cls.Case = cls.Case.with_env(cls.env)

    def _mails_to(self, partner):
        return self.env["mail.mail"].search([("recipient_ids", "in", partner.ids)])

    def test_urgent_complaint_one_message_for_the_executive(self):
        before = self._mails_to(self.executive.partner_id)
        case = self.new_case(category="complaint", priority="2")
        self.assertTrue(case.activity_ids.filtered(lambda a: a.user_id == self.executive))
        mails = self._mails_to(self.executive.partner_id) - before
        self.assertEqual(len(mails), 1, mails.mapped("subject"))
        self.assertIn(case.name, mails.subject or mails.body_html)

    def test_breach_never_lowers_the_executive_level(self):
        with freeze_time(FRIDAY_4PM):
            case = self.new_case(category="complaint", priority="2")
        self.assertEqual(case.escalation_level, 3)
        with freeze_time("2026-06-10 17:00:00"):
            self.assertIn(case, self.Case.search([("sla_status", "=", "breached")]))
            self.Case._cron_escalate()
        self.assertEqual(case.escalation_level, 3, "the executive's escalation stays")
        self.assertEqual(case.escalation_partner_id, self.executive.partner_id)

    def test_key_customer_period_zero_is_off(self):
        self.company.write({"aftersales_key_customer_amount": 100.0, "aftersales_key_customer_months": 0})
        buyer = self.env["res.partner"].create({"name": "Big Buyer"})
        with freeze_time("2026-03-01"):
            self.confirm_order(
                self.create_sale_order(
                    [(self.product_switcher, 2, 1000.0)], partner=buyer, date="2026-03-01"
                ),
                date="2026-03-01",
            )
        with freeze_time("2026-04-01"):
            self.env["res.partner"]._cron_classify_key_customers()
        self.assertNotEqual(buyer.service_class, "key", "0 months: the rule is off, not 12 months")

    def test_responsibility_and_rating_stay_in_their_company(self):
        other_employee = self.env["hr.employee"].create(
            {"name": "Other Company Worker", "company_id": self.company_2.id}
        )
        complaint = self.env["aftersales.complaint"].create(
            {
                "partner_id": self.customer.id,
                "cause_type": "quality",
                "cause_id": self.env.ref("aftersales_service.complaint_cause_production_defect").id,
                "severity": "major",
            }
        )
        with self.assertRaises(UserError), self.env.cr.savepoint():
            complaint.responsibility_ids = [Command.create({"employee_id": other_employee.id, "share": 100})]
        other_user = self.aftersales_user_2  # a user of the second company only
        self.assertNotIn(self.company, other_user.company_ids)
        case = self.new_case(user_id=self.aftersales_user.id)
        with self.assertRaises(UserError), self.env.cr.savepoint():
            self.env["aftersales.rating"].create(
                {"case_id": case.id, "partner_id": self.customer.id, "rated_user_id": other_user.id}
            )

    def test_state_changes_are_tracked(self):
        """In Progress -> Resolved is in the chatter (Odoo tracks a record's changes from the
        transaction after its creation: each step here is its own request, as in the web client)."""
        case = self.new_case(user_id=self.aftersales_user.id)
        self._commit()
        case.action_start()
        self._commit()
        case.resolution = "advice"
        case.action_resolve()
        self._commit()
        case.invalidate_recordset(["message_ids"])
        # sudo: tracking values are read by administrators only (mail.message)
        changes = case.sudo().message_ids.tracking_value_ids.filtered(lambda t: t.field_id.name == "state")
        self.assertEqual(
            sorted(changes.mapped(lambda t: (t.old_value_char, t.new_value_char))),
            [("Assigned", "In Progress"), ("In Progress", "Resolved")],
        )

    def _commit(self):
        """What a request's commit does for mail: the tracking is written (Odoo's precommit)."""
        self.env.flush_all()
        self.env.cr.precommit.run()
