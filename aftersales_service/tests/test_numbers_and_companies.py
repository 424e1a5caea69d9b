"""Edges (issue 23): numbers that are not numbers are refused before anything is written, and a
company created after the install works like the install company."""

from datetime import datetime

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import freeze_time, new_test_user, tagged

from ..models.tools import privileged
from .common import CaseCommon, ReturnHelpers

NOT_NUMBERS = (float("nan"), float("inf"), float("-inf"), 1e300)


@tagged("post_install", "-at_install")
class TestNumbers(ReturnHelpers, CaseCommon):
    def assertRefused(self, records, field, values=NOT_NUMBERS, text=None):
        """Each value written to ``field`` of ``records`` (as their user) is refused with a clear
        error, and the stored value stays."""
        before = records[field]
        for value in values:
            with self.subTest(field=field, value=value), self.assertRaises(ValidationError) as caught:
                with self.env.cr.savepoint():
                    records.write({field: value})
            self.assertIn((text or records._fields[field].string).lower(), str(caught.exception).lower())
            records.invalidate_recordset([field])
            self.assertEqual(records[field], before)

    def test_case_hours(self):
        case = self.new_case()
        self.assertRefused(case, "time_spent", NOT_NUMBERS + (-1.0,))
        case.time_spent = 1.5
        self.assertEqual(case.time_spent, 1.5)

    def test_return_quantities(self):
        order = self.sell([(self.product_psu, 2, 30.0)])
        ret = self._new_return(order, {order.order_line: 1})
        line = ret.line_ids.with_user(self.aftersales_user)
        self.assertRefused(line, "qty_requested", NOT_NUMBERS + (-1.0,), text="Requested")
        # more than was delivered is refused when typed (not only when submitted), nothing written
        with self.assertRaises(ValidationError) as caught, self.env.cr.savepoint():
            line.qty_requested = 3
        self.assertIn("only 2.0 delivered", str(caught.exception))
        self.assertEqual(line.qty_requested, 1)
        count = self.env["aftersales.return"].search_count([])
        with self.assertRaises(ValidationError), self.env.cr.savepoint():
            self._new_return(order, {order.order_line: 5})
        self.assertEqual(self.env["aftersales.return"].search_count([]), count)
        # what an approval sets (through the action only) is at most what was requested
        self.assertRefused(privileged(line), "qty_approved", (float("nan"), -1.0, 2.0), text="Approved")

    def test_field_visit_numbers(self):
        order = self.sell([(self.product_camera, 1, 200.0)])
        lot = order.picking_ids.move_ids.move_line_ids.lot_id
        case = self.new_case(sale_order_id=order.id, product_id=self.product_camera.id, lot_id=lot.id)
        visit = self.env["aftersales.field.visit"].browse(
            case.with_user(self.aftersales_user).action_dispatch()["res_id"]
        )
        visit = visit.with_user(self.aftersales_user)
        self.assertRefused(visit, "distance_km", NOT_NUMBERS + (-5.0, 50000.0))
        self.assertRefused(visit, "labour_hours", NOT_NUMBERS + (-2.0,))
        self.assertRefused(visit, "operating_hours", NOT_NUMBERS + (-100.0,))
        visit.write({"distance_km": 120.0, "labour_hours": 2.5})
        self.assertEqual((visit.distance_km, visit.labour_hours), (120.0, 2.5))

    def test_complaint_costs(self):
        complaint = self.env["aftersales.complaint"].create(
            {
                "partner_id": self.customer.id,
                "cause_type": "quality",
                "cause_id": self.env.ref("aftersales_service.complaint_cause_production_defect").id,
                "severity": "major",
            }
        )
        complaint = complaint.with_user(self.aftersales_user)
        self.assertRefused(complaint, "freight_cost", NOT_NUMBERS + (-10.0,))

    def test_settings_refuse_nan(self):
        target = self.company.aftersales_satisfaction_target
        for value in (float("nan"), float("inf"), 101.0):
            with self.subTest(value=value), self.assertRaises(ValidationError), self.env.cr.savepoint():
                self.env["res.config.settings"].create({"aftersales_satisfaction_target": value}).execute()
            self.company.invalidate_recordset()
            self.assertEqual(self.company.aftersales_satisfaction_target, target)
        # core fields of the company are not the addon's to judge
        self.company.write({"aftersales_return_days": 20})
        self.assertEqual(self.company.aftersales_return_days, 20)

    def test_compensation_amount_nan(self):
        order = self.sell([(self.product_psu, 1, 100.0)])
        invoice = order.invoice_ids
        self.company.aftersales_compensation_product_id = self.product_service
        Wizard = self.env["aftersales.compensation.wizard"].with_user(self.aftersales_user)
        moves = self.env["account.move"].search_count([])
        for value in (float("nan"), float("inf"), -20.0):
            with self.subTest(value=value), self.assertRaises(ValidationError), self.env.cr.savepoint():
                Wizard.create({"invoice_id": invoice.id, "amount": value, "reason": "Late"}).action_create()
        self.assertEqual(self.env["account.move"].search_count([]), moves)

    def test_compensation_double_click(self):
        order = self.sell([(self.product_psu, 1, 100.0)])
        self.company.aftersales_compensation_product_id = self.product_service
        wizard = (
            self.env["aftersales.compensation.wizard"]
            .with_user(self.aftersales_user)
            .create({"invoice_id": order.invoice_ids.id, "amount": 10.0, "reason": "Late"})
        )
        action = wizard.action_create()
        with self.assertRaises(Exception) as caught, self.env.cr.savepoint():
            wizard.action_create()
        self.assertIn("created already", str(caught.exception))
        self.assertEqual(
            self.env["account.move"].search_count([("reversed_entry_id", "=", order.invoice_ids.id)]), 1
        )
        self.assertEqual(action["res_id"], wizard.credit_note_id.id)

    def test_warranty_and_maintenance_numbers(self):
        warranty = self._manual_warranty(self.product_psu, datetime(2026, 3, 4).date())
        self.assertRefused(warranty, "quantity", NOT_NUMBERS + (-1.0,))
        step = self.env["aftersales.maintenance.step"].search([("company_id", "=", self.company.id)], limit=1)
        self.assertRefused(step.with_user(self.aftersales_manager), "due_to_days", (-3,), text="Due To")


@tagged("post_install", "-at_install")
class TestCompanyCreatedLater(ReturnHelpers, CaseCommon):
    """A company created after the install gets what the install company got: its response-time
    policy, its numbering, its maintenance steps; a case runs through it with timers."""

    def test_new_company_runs_a_case(self):
        company = self.env["res.company"].create({"name": "Branch Created Later"})
        Policy = self.env["aftersales.sla.policy"]
        policy = Policy.search([("company_id", "=", company.id)])
        self.assertEqual(len(policy), 1)
        standard = self.env.ref("aftersales_service.sla_policy_default")
        self.assertEqual(
            (policy.first_response_hours, policy.reply_hours),
            (standard.first_response_hours, standard.reply_hours),
        )
        self.assertTrue(
            self.env["ir.sequence"].search_count(
                [("code", "=", "aftersales.case"), ("company_id", "=", company.id)]
            )
        )
        self.assertEqual(
            self.env["aftersales.maintenance.step"].search_count([("company_id", "=", company.id)]), 5
        )
        # creating it again for the same company does not duplicate it
        company._aftersales_create_sla_policies()
        self.env["res.company"]._aftersales_install_sla_policies()
        self.assertEqual(Policy.search_count([("company_id", "=", company.id)]), 1)

        agent = new_test_user(
            self.env,
            login="as_branch_agent",
            name="Bo Branch Agent",
            groups="aftersales_service.group_aftersales_user",
            company_id=company.id,
            company_ids=[Command.set(company.ids)],
        )
        with freeze_time(datetime(2026, 6, 1, 9, 0)):
            case = (
                self.env["aftersales.case"]
                .with_user(agent)
                .with_company(company)
                .create({"subject": "Noise", "partner_id": self.customer.id, "category": "technical"})
            )
            self.assertEqual(case.company_id, company)
            self.assertEqual(case.sla_policy_id, policy)
            self.assertTrue(case.first_response_deadline)
            self.assertTrue(case.sla_deadline)
            self.assertIn("CASE/", case.name)
            case.action_assign_to_me()
            case.action_start()
            self.assertEqual(case.state, "in_progress")
