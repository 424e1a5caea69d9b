"""Issue 26, item 2 (C-5, type D): a case about the company's own equipment is internal
service: never invoiced; its parts and hours are booked as costs on the analytic account of
Settings when it closes, once."""

from datetime import date

from odoo.exceptions import UserError
from odoo.tests import freeze_time, tagged

from .common import CaseCommon


@tagged("post_install", "-at_install")
class TestInternalService(CaseCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        plan = cls.env["account.analytic.plan"].create({"name": "After-Sales"})
        cls.internal_account = cls.env["account.analytic.account"].create(
            {"name": "Internal service", "plan_id": plan.id, "company_id": cls.company.id}
        )
        cls.equipment = cls.env["maintenance.equipment"].create(
            {"name": "Test bench oscilloscope", "company_id": cls.company.id}
        )

    def _close(self, case):
        case.resolution = "repair"
        case.action_resolve()
        case.action_close()

    def _internal_case(self, **vals):
        case = self.new_case(
            subject="Bench oscilloscope drifts",
            equipment_id=self.equipment.id,
            partner_id=self.company.partner_id.id,
            **vals,
        )
        case.write(
            {"time_spent": 1.5, "part_ids": [(0, 0, {"product_id": self.product_psu.id, "quantity": 2})]}
        )
        return case

    def test_own_equipment_is_internal_and_never_invoiced(self):
        case = self._internal_case()
        self.assertTrue(case.is_internal)
        self.assertEqual(case.service_type, "internal", "C-5: type D")
        self.assertFalse(case.can_invoice)
        case.action_start()
        with self.assertRaisesMsg(UserError, "never invoiced"):
            case.action_create_invoice()
        self.assertFalse(case.invoice_ids)
        # made "paid" (anyone may: it costs the company nothing), it is still our own equipment
        case.with_user(self.aftersales_user).write({"service_type": "paid"})
        self.assertEqual(case.service_type, "paid")
        self.assertFalse(case.can_invoice)
        with self.assertRaisesMsg(UserError, "never invoiced"):
            case.action_create_invoice()
        self.assertFalse(case.invoice_ids)
        # a customer that is one of our companies is internal too, equipment or not
        sister = self.new_case(partner_id=self.company_2.partner_id.id)
        self.assertEqual(sister.service_type, "internal")
        # a customer's case is not
        self.assertNotEqual(self.new_case().service_type, "internal")

    def test_costs_booked_on_the_analytic_account_once(self):
        self.company.write(
            {
                "aftersales_internal_analytic_account_id": self.internal_account.id,
                "aftersales_internal_hour_cost": 40.0,
            }
        )
        self.company.resource_calendar_id.tz = "Asia/Shanghai"  # UTC+8
        case = self._internal_case()
        with freeze_time("2026-06-30 23:30:00"):  # 07:30 on July 1st in Shanghai
            self._close(case)
        lines = case.internal_cost_line_ids
        self.assertEqual(len(lines), 2, "one line for the part, one for the hours")
        part_line = lines.filtered("product_id")
        self.assertEqual(part_line[self.internal_account.plan_id._column_name()], self.internal_account)
        self.assertEqual(part_line.unit_amount, 2.0)
        self.assertEqual(part_line.amount, -16.0, "2 x the part's cost (8.00)")
        hours_line = lines - part_line
        self.assertEqual((hours_line.unit_amount, hours_line.amount), (1.5, -60.0), "1.5 h x 40.00")
        self.assertEqual(case.internal_cost, 76.0)
        self.assertEqual(set(lines.mapped("date")), {date(2026, 7, 1)}, "the company's day, not UTC's")
        self.assertTrue(case.message_ids.filtered(lambda m: "booked on" in (m.body or "")))
        # booked once: a second run (a retried close) books nothing more
        case._aftersales_book_internal_costs()
        self.assertEqual(case.internal_cost_line_ids, lines)
        # the cost lines are Odoo's analytic lines: the account's balance shows the cost
        self.assertAlmostEqual(self.internal_account.balance, -76.0)

    def test_no_account_in_settings_refuses_the_close(self):
        case = self._internal_case()
        with self.assertRaisesMsg(UserError, "analytic account of internal service"):
            self._close(case)
        self.assertFalse(case.sudo().internal_cost_line_ids)
        # an internal case with no parts and no hours closes without an account
        empty = self.new_case(equipment_id=self.equipment.id)
        self._close(empty)
        self.assertEqual(empty.state, "closed")
