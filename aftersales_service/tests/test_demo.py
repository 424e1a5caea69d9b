from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestDemoHistory(TransactionCase):
    """The demo database tells the story: six months of cases and ratings, returns in every
    state with their credit notes, complaints with penalties and monthly reviews, revisits done
    and missed (the test database is installed with the demo data, as the README's demo)."""

    def test_six_months_of_history(self):
        Case = self.env["aftersales.case"]
        today = fields.Date.context_today(Case)
        months = {
            case.date_registered.strftime("%Y-%m")
            for case in Case.search(
                [("date_registered", ">=", today.replace(day=1) - relativedelta(months=5))]
            )
        }
        self.assertEqual(len(months), 6, "cases in each of the last six months")
        states = set(Case.search([]).mapped("state"))
        self.assertLessEqual({"new", "in_progress", "resolved", "closed"}, states)
        pivot = Case._read_group(
            [("resolved_date", "!=", False)], ["team_id"], ["resolution_hours:avg", "sla_met:avg"]
        )
        self.assertTrue(any(hours for _team, hours, _met in pivot), "the scorecard has numbers")
        self.assertTrue(
            self.env["repair.order"].search([("aftersales_diagnosis_deadline", "!=", False)]),
            "a unit at the workshop with its C-7 milestones",
        )

    def test_ratings_above_and_below_target(self):
        Rating = self.env["aftersales.rating"]
        by_month = Rating._read_group(
            [("state", "=", "rated"), ("rating_date", "!=", False)],
            ["rating_date:month"],
            ["satisfaction:avg"],
        )
        target = self.env.ref("base.main_company").aftersales_satisfaction_target
        self.assertGreaterEqual(len(by_month), 5)
        self.assertTrue(any(sat >= target for _m, sat in by_month), "months on target")
        self.assertTrue(any(sat < target for _m, sat in by_month), "and a month below it")

    def test_returns_in_every_state_with_credit_notes(self):
        returns = self.env["aftersales.return"].search([])
        self.assertLessEqual(
            {"draft", "to_approve", "waiting_goods", "received", "done", "refused", "cancelled"},
            set(returns.mapped("state")),
        )
        done = returns.filtered(lambda r: r.state == "done")
        self.assertTrue(done.credit_note_ids.filtered(lambda m: m.state == "posted"))

    def test_complaints_reviews_and_revisits(self):
        complaints = self.env["aftersales.complaint"].search([("state", "=", "closed")])
        self.assertGreaterEqual(len(complaints), 5)
        self.assertTrue(sum(complaints.mapped("penalty_total")) > 0, "penalties were decided")
        reviews = self.env["aftersales.complaint.review"].search([])
        self.assertGreaterEqual(len(reviews), 5)
        self.assertIn("approved", reviews.mapped("state"))
        self.assertTrue(all(r.complaint_count for r in reviews))
        revisit_states = set(self.env["aftersales.revisit"].search([]).mapped("state"))
        self.assertLessEqual({"done", "missed", "planned"}, revisit_states)
