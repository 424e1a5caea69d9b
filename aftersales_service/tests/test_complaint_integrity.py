"""Integrity of the complaint loop: corrective actions (P-8), the monthly review (P-6) and the
customer's rating link (V-5), each exercised by the role that would try to go around it."""

from datetime import date

from odoo import Command
from odoo.addons.aftersales_service.models.tools import privileged
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, freeze_time, tagged

from .common import AftersalesCommon, CaseCommon

ANSWERS = {
    "attitude": "very_satisfied",
    "technical_skill": "satisfied",
    "arrival_time": "very_satisfied",
    "promise_keeping": "satisfied",
}


@tagged("post_install", "-at_install")
class TestComplaintIntegrity(AftersalesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.aftersales_manager_id = cls.aftersales_manager  # the owner of every complaint
        cls.company.aftersales_executive_id = cls.executive
        cls.department = cls.env["hr.department"].create({"name": "Assembly"})
        cls.employee = cls.env["hr.employee"].create(
            {"name": "Arne Assembler", "department_id": cls.department.id}
        )
        cls.Complaint = cls.env["aftersales.complaint"]
        cls.Action = cls.env["aftersales.complaint.action"]
        cls.Review = cls.env["aftersales.complaint.review"]

    # ---- helpers -----------------------------------------------------------------------------
    def _complaint(self, **vals):
        values = {
            "partner_id": self.customer.id,
            "cause_type": "quality",
            "cause_id": self.env.ref("aftersales_service.complaint_cause_production_defect").id,
            "severity": "minor",
            "investigator_id": self.aftersales_user.id,
            "other_cost": 100.0,
        }
        values.update(vals)
        return self.Complaint.with_user(self.aftersales_user).create(values)

    def _approved(self, **vals):
        complaint = self._complaint(**vals)
        complaint.action_start_investigation()
        complaint.write(
            {
                "validity": "valid",
                "investigation_report": "<p>Solder joint cracked</p>",
                "responsibility_ids": [
                    Command.create(
                        {"employee_id": self.employee.id, "department_id": self.department.id, "share": 100.0}
                    )
                ],
            }
        )
        complaint.action_submit()
        complaint.with_user(self.executive).action_approve()
        return complaint

    def _closed(self, **vals):
        complaint = self._approved(**vals)
        action = self.Action.with_user(self.aftersales_user).create(
            {
                "complaint_id": complaint.id,
                "name": "Add solder inspection",
                "owner_id": self.aftersales_user.id,
                "done_date": "2026-04-10",
            }
        )
        # set-up only (how the effect is confirmed has its own test): as the confirm button does
        privileged(action.with_user(self.aftersales_manager)).write({"effect_confirmed": True})
        complaint.action_close()
        self.assertEqual(complaint.state, "closed")
        return complaint

    # ---- corrective actions ------------------------------------------------------------------
    def test_actions_are_kept_once_the_complaint_left_draft(self):
        complaint = self._complaint()
        Action = self.Action.with_user(self.aftersales_user)
        typo = Action.create({"complaint_id": complaint.id, "name": "Typo"})
        typo.unlink()  # a draft's actions are still free
        complaint.action_start_investigation()
        action = Action.create(
            {
                "complaint_id": complaint.id,
                "name": "Add solder inspection",
                "owner_id": self.aftersales_user.id,
            }
        )
        with self.assertRaises(UserError), self.cr.savepoint():
            action.unlink()
        with self.assertRaises(UserError), self.cr.savepoint():
            action.with_user(self.aftersales_manager).unlink()
        with self.assertRaises(UserError), self.cr.savepoint():
            complaint.write({"action_ids": [Command.delete(action.id)]})
        self.assertTrue(action.exists())
        # the action stays open, so the complaint cannot close around it
        complaint.write(
            {
                "validity": "valid",
                "investigation_report": "<p>Report</p>",
                "responsibility_ids": [Command.create({"department_id": self.department.id, "share": 100.0})],
            }
        )
        complaint.action_submit()
        complaint.with_user(self.executive).action_approve()
        with self.assertRaises(UserError), self.cr.savepoint():
            complaint.action_close()
        self.assertEqual(complaint.state, "approved")

    def test_actions_of_a_closed_or_cancelled_complaint_are_read_only(self):
        complaint = self._closed()
        action = complaint.action_ids
        for user in (self.aftersales_user, self.aftersales_manager, self.executive):
            with self.assertRaises(UserError), self.cr.savepoint():
                action.with_user(user).write({"name": "Rewritten afterwards"})
        with self.assertRaises(UserError), self.cr.savepoint():
            action.with_user(self.aftersales_manager).done_date = "2026-05-01"
        with self.assertRaises(UserError), self.cr.savepoint():
            self.Action.with_user(self.aftersales_manager).create(
                {"complaint_id": complaint.id, "name": "Added after closing"}
            )
        self.assertEqual(action.name, "Add solder inspection")
        self.assertEqual(len(complaint.action_ids), 1)
        privileged(action.with_user(self.aftersales_manager)).write({"name": "Fixed by the system"})
        self.assertEqual(action.name, "Fixed by the system")

        cancelled = self._complaint()
        planned = self.Action.with_user(self.aftersales_user).create(
            {"complaint_id": cancelled.id, "name": "Planned"}
        )
        cancelled.action_cancel()
        with self.assertRaises(UserError), self.cr.savepoint():
            planned.with_user(self.aftersales_user).deadline = "2026-05-01"

    def test_effect_is_confirmed_by_the_owner_never_by_the_responsible(self):
        complaint = self._complaint()
        complaint.action_start_investigation()
        Action = self.Action.with_user(self.aftersales_user)
        users_action, managers_action, open_action = Action.create(
            [
                {
                    "complaint_id": complaint.id,
                    "name": "Train assemblers",
                    "owner_id": self.aftersales_user.id,
                },
                {
                    "complaint_id": complaint.id,
                    "name": "New checklist",
                    "owner_id": self.aftersales_manager.id,
                },
                {"complaint_id": complaint.id, "name": "Not done yet", "owner_id": self.aftersales_user.id},
            ]
        )
        (users_action | managers_action).done_date = "2026-04-10"
        # the responsible cannot tick their own work, neither by writing nor by the button
        with self.assertRaises(AccessError), self.cr.savepoint():
            users_action.write({"effect_confirmed": True})
        with self.assertRaises(AccessError), self.cr.savepoint():
            users_action.action_confirm_effect()
        self.assertFalse(users_action.can_confirm_effect)
        # a client cannot create it ticked either: refused, nothing created
        count = Action.search_count([])
        with self.assertRaises(AccessError), self.cr.savepoint():
            Action.create({"complaint_id": complaint.id, "name": "Pre-ticked", "effect_confirmed": True})
        self.assertEqual(Action.search_count([]), count)
        # a user who is neither the complaint's owner nor a manager does not confirm either
        with self.assertRaises(AccessError), self.cr.savepoint():
            managers_action.with_user(self.aftersales_user).action_confirm_effect()
        # the manager owns the complaint but is the responsible of this action
        with self.assertRaises(AccessError), self.cr.savepoint():
            managers_action.with_user(self.aftersales_manager).action_confirm_effect()
        with self.assertRaises(UserError), self.cr.savepoint():
            open_action.with_user(self.aftersales_manager).action_confirm_effect()
        self.assertTrue(users_action.with_user(self.aftersales_manager).can_confirm_effect)
        users_action.with_user(self.aftersales_manager).action_confirm_effect()
        managers_action.with_user(self.executive).action_confirm_effect()
        self.assertTrue(users_action.effect_confirmed)
        self.assertTrue(managers_action.effect_confirmed)
        self.assertFalse(open_action.effect_confirmed)

    def test_overdue_actions_are_reminded_once_on_the_company_day(self):
        # 20:00 UTC on the 10th is already the morning of the 11th in Auckland
        self.company.resource_calendar_id.tz = "Pacific/Auckland"
        complaint = self._complaint()
        complaint.action_start_investigation()
        Action = self.Action.with_user(self.aftersales_user)
        overdue, tomorrow, done = Action.create(
            [
                {
                    "complaint_id": complaint.id,
                    "name": "Late inspection",
                    "owner_id": self.aftersales_user.id,
                    "deadline": "2026-04-10",
                },
                {
                    "complaint_id": complaint.id,
                    "name": "Due today",
                    "owner_id": self.aftersales_user.id,
                    "deadline": "2026-04-11",
                },
                {
                    "complaint_id": complaint.id,
                    "name": "Finished",
                    "owner_id": self.aftersales_user.id,
                    "deadline": "2026-04-01",
                    "done_date": "2026-04-01",
                },
            ]
        )
        cron = self.env.ref("aftersales_service.ir_cron_aftersales_complaint_action_overdue")

        def reminders(action):
            return complaint.activity_ids.filtered(lambda a: action.name in (a.summary or ""))

        with freeze_time("2026-04-10 20:00:00"):
            cron.method_direct_trigger()
            self.Action._cron_remind_overdue()
        reminder = reminders(overdue)
        self.assertEqual(len(reminder), 1, "one reminder, however often the cron runs")
        self.assertEqual(reminder.user_id, self.aftersales_user)
        self.assertEqual(reminder.date_deadline, date(2026, 4, 11), "the company's day")
        self.assertFalse(reminders(tomorrow), "due today in the company: not overdue yet")
        self.assertFalse(reminders(done))
        # a new deadline, missed again, is reminded again (once)
        overdue.deadline = "2026-04-20"
        with freeze_time("2026-04-21 20:00:00"):
            self.Action._cron_remind_overdue()
            self.Action._cron_remind_overdue()
        self.assertEqual(len(reminders(overdue)), 2)
        self.assertEqual(len(reminders(tomorrow)), 1)

    # ---- monthly review ----------------------------------------------------------------------
    def test_approved_review_is_read_only_and_published_by_the_executive(self):
        # the demo's history has reviews of its own months (relative to today): not these
        self.Review.search([("company_id", "=", self.company.id)]).unlink()
        with freeze_time("2026-04-20"):
            complaint = self._closed()
        Review = self.Review.with_user(self.aftersales_manager)
        with freeze_time("2026-05-10"):
            review = Review._build(self.company, date(2026, 4, 1))
        self.assertEqual(review.complaint_ids, complaint)
        with self.assertRaises(AccessError), self.cr.savepoint():
            review.write({"state": "approved"})
        with self.assertRaises(AccessError), self.cr.savepoint():
            review.with_user(self.executive).write({"approver_id": self.aftersales_manager.id})
        self.assertEqual(review.state, "draft")
        review.with_user(self.executive).action_approve()
        self.assertEqual(review.state, "approved")
        for user in (self.aftersales_manager, self.executive):
            with self.assertRaises(UserError), self.cr.savepoint():
                review.with_user(user).write({"complaint_ids": [Command.clear()]})
            with self.assertRaises(UserError), self.cr.savepoint():
                review.with_user(user).write({"month": date(2026, 3, 1)})
        with self.assertRaises(UserError), self.cr.savepoint():
            review.with_user(self.executive).unlink()
        with self.assertRaises(UserError), self.cr.savepoint():
            review.responsibility_ids.with_user(self.aftersales_manager).write({"penalty_amount": 999.0})
        # publishing sends notices to employees: the executive who approved does it, not a manager
        with self.assertRaises(AccessError), self.cr.savepoint():
            review.with_user(self.aftersales_manager).action_publish()
        self.assertEqual(review.state, "approved")
        review.with_user(self.executive).action_publish()
        self.assertEqual(review.state, "published")
        with self.assertRaises(UserError), self.cr.savepoint():
            review.with_user(self.executive).write({"responsibility_ids": [Command.clear()]})
        self.assertEqual(review.complaint_ids, complaint)

    def test_complaint_closed_after_its_review_goes_to_the_next_one(self):
        self.Review.search([("company_id", "=", self.company.id)]).unlink()
        with freeze_time("2026-04-20"):
            early = self._closed()
        with freeze_time("2026-04-25"):
            april = self.Review.with_user(self.aftersales_manager)._build(self.company, date(2026, 4, 1))
        with freeze_time("2026-04-28"):
            late = self._closed()
        with freeze_time("2026-05-20"):
            may_complaint = self._closed()
        self.assertEqual(late.closed_date, date(2026, 4, 28), "closed in a month already reviewed")
        with freeze_time("2026-06-10"):
            self.Review._cron_build_reviews()
        may = self.Review.search([("company_id", "=", self.company.id), ("month", "=", date(2026, 5, 1))])
        self.assertEqual(april.complaint_ids, early)
        self.assertEqual(may.complaint_ids, late | may_complaint, "nothing closed is left out")
        self.assertEqual(may.responsibility_ids, (late | may_complaint).responsibility_ids)
        self.assertAlmostEqual(may.loss_total, 200.0)


@tagged("post_install", "-at_install")
class TestRatingLinkIntegrity(CaseCommon, HttpCase):
    def _resolved_case(self, user):
        case = self.new_case(user=user, resolution="advice")
        case.action_resolve()
        rating = self.env["aftersales.rating"].search([("case_id", "=", case.id)])
        self.assertEqual(len(rating), 1)
        return case, rating

    def test_staff_do_not_read_the_rating_link_but_the_email_has_it(self):
        for user in (self.aftersales_user, self.env.ref("base.user_admin")):
            case, rating = self._resolved_case(user)
            token = rating.sudo().access_token
            self.assertTrue(token)
            # the mail to the customer carries the link; the chatter only says it was sent
            mail = self.env["mail.mail"].sudo().search([("body_html", "ilike", token)])
            self.assertEqual(len(mail), 1, "the email to the customer carries the link")
            self.assertIn(f"/aftersales/rating/{rating.id}/{token}", mail.body_html)
            self.assertEqual(mail.recipient_ids, case.partner_id)
            self.assertFalse(case.message_ids.filtered(lambda m, t=token: t in (m.body or "")))
            self.assertTrue(case.message_ids.filtered(lambda m: "rating request was sent" in (m.body or "")))
        for user in (self.aftersales_user, self.aftersales_manager):
            with self.assertRaises(AccessError):
                case.with_user(user).read(["aftersales_rating_url"])
            self.assertNotIn("aftersales_rating_url", case.with_user(user).fields_get())
            # nor the token, nor the mail's message (V-5: the rated employee cannot rate)
            with self.assertRaises(AccessError):
                rating.with_user(user).read(["access_token"])
            messages = self.env["mail.message"].with_user(user).search([("body", "ilike", token)])
            self.assertFalse(messages)

    def test_the_rating_link_refuses_internal_users(self):
        _case, rating = self._resolved_case(self.aftersales_user)
        self.assertEqual(rating.rated_user_id, self.aftersales_user)
        url = f"/aftersales/rating/{rating.id}/{rating.sudo().access_token}"
        # the rated employee (any internal user) neither opens nor posts the customer's form
        self.authenticate("as_user", "as_user")
        self.assertEqual(self.url_open(url).status_code, 403)
        self.assertEqual(self.url_open(url, data=ANSWERS).status_code, 403)
        self.authenticate("as_manager", "as_manager")
        self.assertEqual(self.url_open(url, data=ANSWERS).status_code, 403)
        self.assertEqual(rating.state, "requested")
        # the anonymous customer opens it, the portal customer rates
        self.authenticate(None, None)
        self.assertEqual(self.url_open(url).status_code, 200)
        self.authenticate("as_portal", "as_portal")
        self.assertEqual(self.url_open(url).status_code, 200)
        self.assertEqual(self.url_open(url, data=ANSWERS).status_code, 200)
        rating.invalidate_recordset()
        self.assertEqual(rating.state, "rated")
        self.assertTrue(rating.is_satisfied)
