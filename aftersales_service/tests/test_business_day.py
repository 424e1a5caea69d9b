"""A company has one business day, whoever does the work (issue: correct at every hour): dates
derived from timestamps are the company's calendar day, never the session user's."""

from datetime import date, datetime

from odoo.tests import TransactionCase, freeze_time, new_test_user, tagged

from ..models.tools import privileged
from .common import CaseCommon, ReturnHelpers


@tagged("post_install", "-at_install")
class TestBusinessDay(ReturnHelpers, CaseCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.resource_calendar_id.tz = "Europe/Stockholm"
        cls.company.aftersales_refund_threshold = 0.0
        cls.company.aftersales_return_days = 15
        cls.warehouse_user = new_test_user(
            cls.env,
            login="as_warehouse_kiritimati",
            name="Wang Warehouse",
            groups="stock.group_stock_user,sales_team.group_sale_salesman",
            tz="Pacific/Kiritimati",  # UTC+14
        )
        cls.aftersales_user.tz = "Pacific/Niue"  # UTC-11
        cls.policy_psu = cls.env["aftersales.warranty.policy"].create(
            {"name": "PSU 12 months", "duration": 12, "company_id": cls.company.id}
        )
        cls.categ_accessories.aftersales_warranty_policy_id = cls.policy_psu

    def _as(self, records, user):
        """``records`` as ``user`` works them in the web client (their session time zone)."""
        return records.with_user(user).with_context(tz=user.tz)

    def _ship(self, order, user):
        picking = self._as(order.picking_ids, user)
        picking.action_assign()
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
            move.picked = True
        picking.button_validate()
        self.assertEqual(picking.state, "done")

    def test_company_day_of_a_timestamp(self):
        company = self.company.with_user(self.aftersales_user).with_context(tz="Pacific/Niue")
        with freeze_time("2026-03-04 22:59:00"):  # 23:59 in Stockholm
            self.assertEqual(company._aftersales_date(), date(2026, 3, 4))
        with freeze_time("2026-03-04 23:00:00"):  # midnight in Stockholm
            self.assertEqual(company._aftersales_date(), date(2026, 3, 5))
        self.assertEqual(company._aftersales_date(date(2026, 2, 28)), date(2026, 2, 28))
        self.company.resource_calendar_id.tz = False
        with freeze_time("2026-03-04 23:00:00"):
            self.assertEqual(self.company._aftersales_date(), date(2026, 3, 4), "no calendar zone: UTC")

    def test_unit_shipped_a_minute_ago_is_in_warranty_for_every_agent(self):
        order = self.confirm_order(self.create_sale_order([(self.product_psu, 2, 20.0)]))
        # 22:59 UTC: 23:59 on 4 March in Stockholm, already 12:59 on 5 March for the warehouse
        with freeze_time("2026-03-04 22:59:00"):
            self._ship(order, self.warehouse_user)
        warranty = self.Warranty.search([("sale_order_id", "=", order.id)])
        self.assertEqual(warranty.start_date, date(2026, 3, 4), "the company's day, not the warehouse's")
        # a minute later: 5 March in Stockholm, still 4 March (11:00) for the agent at UTC-11
        with freeze_time("2026-03-04 23:00:00"):
            case = (
                self.Case.with_user(self.aftersales_user)
                .with_context(tz="Pacific/Niue")
                .create(
                    {
                        "subject": "PSU hums",
                        "partner_id": self.customer.id,
                        "category": "technical",
                        "sale_order_id": order.id,
                        "product_id": self.product_psu.id,
                    }
                )
            )
            self.assertEqual(case.warranty_id, warranty)
            self.assertEqual(case.warranty_state, "in")
            self.assertEqual(case.service_type, "free")
            ret = self._as(self.env["aftersales.return"], self.aftersales_user).create(
                {
                    "sale_order_id": order.id,
                    "return_type": "quality",
                    "line_ids": [(0, 0, {"sale_line_id": order.order_line.id, "qty_requested": 1})],
                }
            )
            self.assertEqual(ret.request_date, date(2026, 3, 5))
            self.assertEqual(ret.line_ids.delivery_date, date(2026, 3, 4))
            self.assertFalse(ret.needs_approval, ret.eligibility_note)
            ret.action_submit()
            self.assertEqual(ret.state, "waiting_goods", "in warranty: approved at once")

    def test_return_window_counts_company_days(self):
        """R-1: delivered on day 0 (company day), day 15 is in, day 16 needs approval, whatever
        the zone of the agent who registers it."""
        order = self.confirm_order(self.create_sale_order([(self.product_psu, 2, 20.0)]))
        with freeze_time("2026-03-04 22:30:00"):  # 23:30 on 4 March in Stockholm
            self._ship(order, self.warehouse_user)
        with freeze_time("2026-03-19 22:30:00"):  # day 15 in Stockholm, 20 March at UTC+14
            ret = self._as(self.env["aftersales.return"], self.aftersales_user).create(
                {
                    "sale_order_id": order.id,
                    "line_ids": [(0, 0, {"sale_line_id": order.order_line.id, "qty_requested": 1})],
                }
            )
            self.assertEqual(ret.request_date, date(2026, 3, 19))
            self.assertFalse(ret.needs_approval, ret.eligibility_note)
        with freeze_time("2026-03-19 23:30:00"):  # 20 March in Stockholm: day 16
            late = self._as(self.env["aftersales.return"], self.aftersales_user).create(
                {
                    "sale_order_id": order.id,
                    "line_ids": [(0, 0, {"sale_line_id": order.order_line.id, "qty_requested": 1})],
                }
            )
            self.assertEqual(late.request_date, date(2026, 3, 20))
            self.assertTrue(late.needs_approval)


@tagged("post_install", "-at_install")
class TestDemoAtAnyHour(TransactionCase):
    """The demo's returns (the part of the demo that judges warranties and windows) succeed at
    any hour and on any day: around midnight UTC with the superuser in Brussels and the agent in
    UTC, at a month's end, on 1 January and on 29 February."""

    def test_demo_returns_at_any_hour(self):
        ref = self.env.ref
        agent = ref("aftersales_service.user_aftersales_agent_demo", raise_if_not_found=False)
        self.assertTrue(agent, "the test database is installed with the demo data")
        agent.tz = "UTC"
        manager = ref("aftersales_service.user_aftersales_manager_demo")
        customers = ref("aftersales_service.partner_nordic_retail_demo") | ref(
            "aftersales_service.partner_private_customer_demo"
        )
        company = ref("base.main_company")
        company.resource_calendar_id.tz = "Europe/Brussels"
        Return = self.env["aftersales.return"]
        Demo = self.env["aftersales.demo"].with_context(tz="Europe/Brussels")
        targets = {"draft", "to_approve", "waiting_goods", "received", "done", "refused", "cancelled"}
        for instant in (
            "2026-11-30 23:30:00",
            "2026-12-06 23:30:00",
            "2026-12-07 00:30:00",
            "2026-12-31 23:30:00",
            "2027-01-01 00:30:00",
            "2028-02-29 23:30:00",
        ):
            with self.subTest(instant=instant), freeze_time(instant):
                before = Return.search([], order="id desc", limit=1).id
                Demo._demo_returns(company, agent, manager, customers)
                made = Return.search([("id", ">", before)])
                self.assertEqual(set(made.mapped("state")), targets)
                self.assertEqual(set(made.mapped("request_date")), {company._aftersales_date()})


@tagged("post_install", "-at_install")
class TestEachCompanyItsDay(CaseCommon):
    """Crons work for every company at once: "today" is each record's company's day, not the
    day of the company the cron's user happens to be in."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.resource_calendar_id.tz = "Europe/Brussels"
        cls.east, cls.west = cls.env["res.company"].create(
            [
                {"name": "After-Sales Kiritimati", "currency_id": cls.company.currency_id.id},
                {"name": "After-Sales Niue", "currency_id": cls.company.currency_id.id},
            ]
        )
        cls.east.resource_calendar_id.tz = "Pacific/Kiritimati"  # UTC+14
        cls.west.resource_calendar_id.tz = "Pacific/Niue"  # UTC-11
        cls.policy_days = {}
        for company in cls.east | cls.west:
            cls.policy_days[company] = cls.env["aftersales.warranty.policy"].create(
                {
                    "name": f"10 days {company.name}",
                    "duration": 10,
                    "duration_unit": "days",
                    "company_id": company.id,
                }
            )

    def _warranty(self, company, end):
        return self.env["aftersales.warranty"].create(
            {
                "company_id": company.id,
                "partner_id": self.customer.id,
                "product_id": self.product_psu.id,
                "policy_id": self.policy_days[company].id,
                "start_date": date(2026, 11, 25),
                "end_date": end,
            }
        )

    def test_warranties_expire_on_their_company_day(self):
        east = self._warranty(self.east, date(2026, 12, 5))
        west = self._warranty(self.west, date(2026, 12, 5))
        # 12:00 UTC on 5 December: already 6 December in Kiritimati, still 5 December in Niue
        # (and in Brussels, the company of the cron's user)
        with freeze_time("2026-12-05 12:00:00"):
            self.env["aftersales.warranty"].with_company(self.company)._cron_update_warranty_states()
        self.assertEqual(east.state, "expired")
        self.assertEqual(west.state, "active")

    def test_overdue_investigations_on_their_company_day(self):
        cause = self.env.ref("aftersales_service.complaint_cause_production_defect")
        complaints = self.env["aftersales.complaint"]
        for company in (self.east, self.west):
            complaint = (
                self.env["aftersales.complaint"]
                .with_company(company)
                .create(
                    {
                        "company_id": company.id,
                        "partner_id": self.customer.id,
                        "cause_type": "quality",
                        "cause_id": cause.id,
                        "severity": "major",
                    }
                )
            )
            privileged(complaint).write(
                {"state": "investigating", "investigation_deadline": date(2026, 12, 5)}
            )
            complaints |= complaint
        with freeze_time("2026-12-05 12:00:00"):
            overdue = self.env["aftersales.complaint"].search(
                [("id", "in", complaints.ids), ("is_overdue", "=", True)]
            )
            self.assertEqual(overdue.company_id, self.east)
            complaints.invalidate_recordset(["is_overdue"])
            self.assertEqual(complaints.mapped("is_overdue"), [True, False])

    def test_maintenance_visit_at_eight_where_the_company_works(self):
        self.assertEqual(
            self.east._aftersales_datetime(date(2026, 12, 7), 8),
            datetime(2026, 12, 6, 18, 0),  # 08:00 at UTC+14 is 18:00 UTC the day before
        )
        self.assertEqual(self.west._aftersales_datetime(date(2026, 12, 7), 8), datetime(2026, 12, 7, 19, 0))
