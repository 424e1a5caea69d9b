"""Every cron processes a bounded batch per call, tells the cron framework what remains, and
resumes where it stopped: called again and again (as Odoo's cron does after committing each
batch) it ends with the same result as one big run, and a rerun creates nothing twice."""

from datetime import date, timedelta
from unittest.mock import patch

from odoo import fields
from odoo.tests import freeze_time, tagged

from .common import CaseCommon


def calls_until_done(method, **kwargs):
    """Call a cron method as the framework does: again while it says something remains."""
    progress = []

    def notify(_self, *, done, remaining, deactivate=False):
        progress.append((done, remaining))

    with patch.object(type(method.__self__.env["ir.cron"]), "_notify_progress", notify):
        for _i in range(100):
            method(**kwargs)
            if not progress[-1][1] or not progress[-1][0]:
                break
    return progress


@tagged("post_install", "-at_install")
class TestCronBatches(CaseCommon):
    def test_revisit_planning_resumes_by_batches(self):
        Partner = self.env["res.partner"]
        Revisit = self.env["aftersales.revisit"]
        customers = Partner.create(
            [
                {
                    "name": f"Batch customer {i}",
                    "service_class": "key" if i % 2 else "normal",
                    "customer_rank": 1,
                }
                for i in range(7)
            ]
        )
        today = date(2026, 6, 1)
        counts = []
        search_count = type(Partner).search_count

        def counting(records, domain, limit=None):
            counts.append(domain)
            return search_count(records, domain, limit=limit)

        with patch.object(type(Partner), "search_count", counting):
            progress = calls_until_done(Revisit._cron_plan_revisits, batch_size=3, today=today)
        self.assertGreater(len(progress), 2, "several bounded batches")
        self.assertEqual(len(counts), 1, "the customers left are counted once per pass, not per batch")
        self.assertTrue(all(remaining for _done, remaining in progress[:-1]), "told until the pass ends")
        self.assertTrue(all(done <= 3 for done, _remaining in progress))
        self.assertEqual(progress[-1][1], 0, "ends with nothing remaining")
        planned = Revisit.search([("partner_id", "in", customers.ids), ("slot", "like", "2026-06")])
        self.assertEqual(len(planned), 3 * 2 + 4 * 1, "key: two a month, normal: one")
        # a second pass (the next day's run) plans nothing twice
        calls_until_done(Revisit._cron_plan_revisits, batch_size=3, today=today)
        self.assertEqual(Revisit.search_count([("partner_id", "in", customers.ids)]), 10)
        self.assertFalse(Revisit._plan_cursor(), "the pass is complete: the next starts over")

    def test_escalation_by_batches_once(self):
        with freeze_time("2026-06-01 08:00:00"):
            cases = self.Case.create(
                [
                    {"subject": f"Late {i}", "partner_id": self.customer.id, "category": "technical"}
                    for i in range(5)
                ]
            )
        now = fields.Datetime.to_datetime("2026-06-20 08:00:00")
        progress = calls_until_done(self.Case._cron_escalate, batch_size=2, now=now)
        self.assertTrue(all(done <= 2 for done, _r in progress), "bounded batches")
        # 19 days late: level 1 (team leader), then level 2 (manager), once each
        self.assertEqual(sum(done for done, _r in progress), 10)
        self.assertEqual(set(cases.mapped("escalation_level")), {2})
        self.assertEqual(len(cases.activity_ids), 10)
        self.assertEqual(self.Case._cron_escalate(batch_size=2, now=now), 0, "rerun: nothing twice")

    def test_warranty_expiry_by_batches(self):
        Warranty = self.env["aftersales.warranty"]
        self.company.aftersales_warranty_reminder_days = 30
        policy = self.env["aftersales.warranty.policy"].create({"name": "1 year", "duration": 12})
        warranties = Warranty.create(
            [
                {
                    "partner_id": self.customer.id,
                    "product_id": self.product_psu.id,
                    "policy_id": policy.id,
                    "start_date": date(2025, 6, 1) + timedelta(days=i),
                }
                for i in range(6)
            ]
        )
        with freeze_time("2026-05-20"):
            progress = calls_until_done(Warranty._cron_update_warranty_states, batch_size=4)
            self.assertEqual(sum(done for done, _r in progress), 6, "each reminded once")
            self.assertEqual(len(progress), 2)
            self.assertTrue(all(warranties.mapped("expiry_reminder_sent")))
            self.assertEqual(len(warranties.activity_ids), 6)
            calls_until_done(Warranty._cron_update_warranty_states, batch_size=4)
            self.assertEqual(len(warranties.activity_ids), 6, "rerun: nothing twice")
        with freeze_time("2026-06-10"):
            calls_until_done(Warranty._cron_update_warranty_states, batch_size=4)
        self.assertEqual(set(warranties.mapped("state")), {"expired"})

    def test_post_sale_only_looks_at_a_bounded_window(self):
        Revisit = self.env["aftersales.revisit"]
        old = self.sell([(self.product_psu, 1, 20.0)])
        with freeze_time("2026-05-02"):
            recent = self.confirm_order(self.create_sale_order([(self.product_psu, 1, 20.0)]))
        self.deliver_order(recent, date=fields.Datetime.to_datetime("2026-05-02 10:00:00"))
        with freeze_time("2026-08-05"):  # the first run ever, long after the old order's due date
            Revisit._cron_plan_post_sale()
        invited = Revisit.search([("kind", "=", "post_sale")]).sale_order_id
        self.assertIn(recent, invited, "delivered 3 months ago: invited")
        self.assertNotIn(old, invited, "delivered 5 months ago: outside the window, never invited")

    def test_dispatch_and_overdue_report_by_batches(self):
        self.team.leader_id = self.aftersales_manager
        cases = self.Case.create(
            [
                {"subject": f"Unassigned {i}", "partner_id": self.customer.id, "category": "technical"}
                for i in range(3)
            ]
        )
        Team = self.env["aftersales.team"]
        progress = calls_until_done(Team._cron_dispatch_unassigned, batch_size=2)
        self.assertGreaterEqual(len(progress), 2, "several bounded batches")
        self.assertTrue(all(done <= 2 for done, _r in progress))
        self.assertEqual(progress[-1][1], 0)
        self.assertEqual(set(cases.mapped("user_id")), {self.aftersales_manager})
        self.assertEqual(len(cases.activity_ids), 3, "each dispatched once")

    def test_one_failing_record_does_not_stop_the_cron(self):
        Complaint = self.env["aftersales.complaint"]
        with freeze_time("2026-06-01"):
            complaints = Complaint.create(
                [
                    {"partner_id": self.customer.id, "investigator_id": self.aftersales_user.id}
                    for _i in range(3)
                ]
            )
            complaints.action_start_investigation()
        broken = complaints[1]
        original = type(Complaint).activity_schedule

        def activity_schedule(records, *args, **kwargs):
            if records == broken and "overdue" in (kwargs.get("summary") or ""):
                raise ValueError("boom")
            return original(records, *args, **kwargs)

        with (
            freeze_time("2026-06-20"),
            patch.object(type(Complaint), "activity_schedule", activity_schedule),
            self.assertLogs("odoo.addons.aftersales_service.models.tools", "ERROR"),
        ):
            Complaint._cron_report_overdue()
        self.assertEqual(complaints.mapped("overdue_reported"), [True, False, True], "the others went on")
