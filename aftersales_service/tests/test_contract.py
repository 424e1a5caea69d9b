"""Issue 26, item 1: service contracts (C-5 type B). A contract covers serials or products of a
customer; it is invoiced per period by a cron (one invoice per period, never twice), expires
after its end, reminds the manager before it ends; its cases are contract cases (not invoiced)
within the included visits and hours, answered within the contract's own response times."""

from datetime import date, timedelta

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, freeze_time, tagged
from odoo.tools import mute_logger

from .common import CaseCommon


@tagged("post_install", "-at_install")
class TestContract(CaseCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Contract = cls.env["aftersales.contract"]
        # a camera sold to the customer: its serial is the covered unit
        order = cls.sell([(cls.product_camera, 1, 200.0)])
        cls.lot = order.picking_ids.move_ids.move_line_ids.lot_id
        cls.contract_sla = cls.env["aftersales.sla.policy"].create(
            {
                "name": "Contract: 4 h round the clock",
                "company_id": cls.company.id,
                "first_response_hours": 4,
                "resolution_hours": 24,
                "use_working_hours": False,
                "sequence": 100,
            }
        )
        cls.cron = cls.env.ref("aftersales_service.ir_cron_aftersales_contract_invoice")

    def _contract(self, start="2026-03-01", end="2027-02-28", started=True, **vals):
        contract = self.Contract.with_user(self.aftersales_manager).create(
            dict(
                {
                    "partner_id": self.customer.id,
                    "lot_ids": [(6, 0, self.lot.ids)],
                    "date_start": start,
                    "date_end": end,
                    "price": 100.0,
                    "invoice_period": "month",
                    "visits_included": 1,
                    "hours_included": 2.0,
                    "sla_policy_id": self.contract_sla.id,
                },
                **vals,
            )
        )
        if started:
            contract.action_start()
        return contract

    # ------------------------------------------------------------------ workflow and input
    @freeze_time("2026-06-10 10:00:00")
    def test_start_and_cancel_by_a_manager_only(self):
        contract = self._contract(started=False)
        self.assertTrue(contract.name.startswith("CTR/2026/"))
        self.assertEqual(
            contract.invoice_product_id, self.env.ref("aftersales_service.product_service_contract")
        )
        self.assertEqual(contract.renewal_reminder_days, 30)
        with self.assertRaises(AccessError):
            contract.with_user(self.aftersales_user).action_start()
        self.assertEqual(contract.state, "draft")
        contract.with_user(self.aftersales_manager).action_start()
        self.assertEqual(contract.state, "running")
        with self.assertRaises(AccessError):
            contract.with_user(self.aftersales_user).action_cancel()
        contract.with_user(self.aftersales_manager).action_cancel()
        self.assertEqual(contract.state, "cancelled")
        with self.assertRaises(UserError):
            contract.with_user(self.aftersales_manager).action_cancel()

    @freeze_time("2026-06-10 10:00:00")
    def test_bad_input_is_refused(self):
        with self.assertRaises(ValidationError):
            self._contract(start="2026-06-01", end="2026-05-31")
        with self.assertRaises(ValidationError):
            self._contract(price=-10.0)
        with self.assertRaises(ValidationError):
            self._contract(visits_included=-1)
        with self.assertRaises(ValidationError):
            self._contract(hours_included=float("nan"))
        nothing = self._contract(lot_ids=[(5, 0, 0)], started=False)
        with self.assertRaises(UserError):
            nothing.action_start()
        self.assertEqual(nothing.state, "draft")

    @freeze_time("2026-06-10 10:00:00")
    def test_direct_write_of_protected_fields_is_refused(self):
        contract = self._contract(started=False)
        with self.assertRaises(AccessError):
            contract.with_user(self.aftersales_manager).write({"state": "running"})
        with self.assertRaises(AccessError):
            contract.with_user(self.aftersales_user).write({"state": "running"})
        with self.assertRaises(AccessError):
            contract.with_user(self.aftersales_manager).write({"invoiced_until": "2026-12-31"})
        self.assertEqual(contract.state, "draft")
        self.assertFalse(contract.invoiced_until)

    # ------------------------------------------------------------------ invoicing cron
    def test_cron_invoices_each_period_once(self):
        with freeze_time("2026-05-15 09:00:00"):
            contract = self._contract()
            self.Contract._cron_invoice_contracts()
            self.assertEqual(len(contract.invoice_ids), 3, "March, April and May: one invoice per period")
            self.assertEqual(contract.invoiced_until, date(2026, 5, 31))
            self.assertEqual(contract.invoice_ids.mapped("amount_untaxed"), [100.0] * 3)
            self.assertEqual(set(contract.invoice_ids.mapped("move_type")), {"out_invoice"})
            self.assertEqual(set(contract.invoice_ids.mapped("state")), {"posted"})
            self.assertEqual(contract.invoice_ids.partner_id, self.customer)
            lines = contract.invoice_ids.invoice_line_ids
            self.assertEqual(lines.product_id, contract.invoice_product_id)
            self.assertTrue(all(contract.name in name for name in lines.mapped("name")))
            self.assertIn("2026-04-01", " ".join(lines.mapped("name")))
            # a rerun (or the ir.cron record) invoices nothing more
            self.Contract._cron_invoice_contracts()
            self.cron.method_direct_trigger()
            self.assertEqual(len(contract.invoice_ids), 3)
        with freeze_time("2026-06-01 09:00:00"):
            self.cron.method_direct_trigger()
            self.assertEqual(len(contract.invoice_ids), 4, "June's period")
            self.assertEqual(contract.invoiced_until, date(2026, 6, 30))

    def test_cron_works_in_batches(self):
        with freeze_time("2026-05-15 09:00:00"):
            first = self._contract()
            second = self._contract(start="2026-05-01", invoice_period="quarter", price=250.0)
            done = self.Contract._cron_invoice_contracts(batch_size=1)
            self.assertEqual(done, 1)
            self.assertEqual(len(first.invoice_ids), 3, "the earliest due contract first, all its periods")
            self.assertFalse(second.invoice_ids)
            self.Contract._cron_invoice_contracts(batch_size=1)
            self.assertEqual(second.invoice_ids.amount_untaxed, 250.0)
            self.assertEqual(second.invoiced_until, date(2026, 7, 31), "a quarter from May 1st")

    def test_period_starts_on_the_company_day(self):
        """Near midnight: 22:30 UTC on June 30th is already July 1st in Stockholm."""
        self.company.resource_calendar_id.tz = "Europe/Stockholm"
        with freeze_time("2026-06-30 22:30:00"):
            contract = self._contract(start="2026-06-01")
            self.Contract._cron_invoice_contracts()
            self.assertEqual(len(contract.invoice_ids), 2, "June and July")
            self.assertEqual(contract.invoiced_until, date(2026, 7, 31))
        self.company.resource_calendar_id.tz = "UTC"
        with freeze_time("2026-06-30 22:30:00"):
            other = self._contract(start="2026-06-01", lot_ids=[(6, 0, self.camera_lots[1].ids)])
            self.Contract._cron_invoice_contracts()
            self.assertEqual(len(other.invoice_ids), 1, "still June 30th in UTC")

    def test_expiry_and_renewal_reminder(self):
        with freeze_time("2026-05-15 09:00:00"):
            contract = self._contract(start="2026-01-01", end="2026-06-30", invoice_period="quarter")
            self.Contract._cron_invoice_contracts()
            self.assertFalse(contract.activity_ids, "the end is more than 30 days away")
        with freeze_time("2026-06-01 09:00:00"):
            self.Contract._cron_invoice_contracts()
            self.assertEqual(len(contract.activity_ids), 1)
            self.assertEqual(contract.activity_ids.user_id, self.aftersales_manager)
            self.Contract._cron_invoice_contracts()
            self.assertEqual(len(contract.activity_ids), 1, "never twice")
            self.assertEqual(contract.state, "running")
        with freeze_time("2026-07-01 09:00:00"):
            self.cron.method_direct_trigger()
            self.assertEqual(contract.state, "expired")
            self.assertEqual(len(contract.invoice_ids), 2, "two quarters, nothing after the end")
            self.assertEqual(contract.invoiced_until, date(2026, 6, 30))

    # ------------------------------------------------------------------ cases on covered units
    @freeze_time("2026-06-10 10:00:00")
    def test_case_on_a_covered_serial_is_a_contract_case(self):
        contract = self._contract()
        case = self.new_case(product_id=self.product_camera.id, lot_id=self.lot.id)
        self.assertEqual(case.contract_id, contract)
        self.assertEqual(case.service_type, "contract")
        self.assertEqual(case.sla_policy_id, self.contract_sla, "the contract's response times (not C-6's)")
        self.assertEqual(case.first_response_deadline, case.date_registered + timedelta(hours=4))
        case.with_user(self.aftersales_user).action_start()
        case.with_user(self.aftersales_user).time_spent = 1.5
        self.assertEqual(case.service_type, "contract")
        self.assertFalse(case.can_invoice, "not invoiced per case")
        self.assertEqual(contract.hours_used, 1.5)
        self.assertEqual(contract.visits_used, 0)
        # a case on an uncovered unit keeps the company's policy
        plain = self.new_case(product_id=self.product_psu.id, subject="Power supply")
        self.assertFalse(plain.contract_id)
        self.assertEqual(plain.sla_policy_id, self.sla)

    @freeze_time("2026-06-10 10:00:00")
    def test_beyond_the_entitlement_is_paid(self):
        contract = self._contract(product_ids=[(6, 0, self.product_switcher.ids)])
        first = self.new_case(product_id=self.product_switcher.id)
        first.time_spent = 1.5
        self.assertEqual(first.service_type, "contract")
        second = self.new_case(product_id=self.product_switcher.id, subject="Switcher again")
        self.assertEqual(second.contract_id, contract)
        self.assertEqual(second.service_type, "contract", "0.5 hour left")
        second.time_spent = 1.0
        self.assertEqual(second.service_type, "paid", "2.5 hours: beyond the 2 included")
        self.assertEqual(first.service_type, "contract")
        self.assertEqual(contract.hours_used, 2.5)
        third = self.new_case(product_id=self.product_switcher.id, subject="Switcher, on site")
        self.assertEqual(third.service_type, "paid", "no hours left: the case crossing the line is paid")
        # visits: one included
        self.env["aftersales.field.visit"].create({"case_id": first.id})
        self.assertEqual(first.service_type, "contract")
        self.env["aftersales.field.visit"].create({"case_id": first.id})
        self.assertEqual(first.service_type, "paid", "two visits: beyond the one included")
        contract.invalidate_recordset()  # usage is computed on reading, as a form does
        self.assertEqual(contract.visits_used, 2)

    @freeze_time("2026-06-10 10:00:00")
    def test_no_contract_for_other_customers_or_products(self):
        self._contract(product_ids=[(6, 0, (self.product_switcher | self.product_camera).ids)])
        other_customer = self.new_case(partner_id=self.customer_2.id, product_id=self.product_camera.id)
        self.assertFalse(other_customer.contract_id)
        other_product = self.new_case(product_id=self.product_psu.id)
        self.assertFalse(other_product.contract_id)
        self.assertNotEqual(other_product.service_type, "contract")
        psu = [(6, 0, self.product_psu.ids)]
        draft = self._contract(started=False, lot_ids=[(5, 0, 0)], product_ids=psu)
        not_started = self.new_case(product_id=self.product_psu.id, subject="PSU")
        self.assertFalse(not_started.contract_id, "a draft contract covers nothing")
        self.assertEqual(draft.state, "draft")
        self._contract(start="2026-07-01", lot_ids=[(5, 0, 0)], product_ids=psu)
        early = self.new_case(product_id=self.product_psu.id, subject="PSU again")
        self.assertFalse(early.contract_id, "the contract starts after the case's day")

    # ------------------------------------------------------------------ portal
    def test_portal_shows_own_contracts_only(self):
        today = self.company._aftersales_date()
        contract = self._contract(start=today.replace(day=1), end=today.replace(day=1) + timedelta(days=400))
        self.Contract._cron_invoice_contracts()
        self.assertEqual(len(contract.invoice_ids), 1)
        other = self.Contract.with_user(self.aftersales_manager).create(
            {
                "partner_id": self.customer_2.id,
                "product_ids": [(6, 0, self.product_psu.ids)],
                "date_start": today,
                "date_end": today + timedelta(days=30),
            }
        )
        other.action_start()
        self.authenticate("as_portal", "as_portal")
        home = self.url_open("/my/home")
        self.assertEqual(home.status_code, 200)
        listing = self.url_open("/my/contracts")
        self.assertEqual(listing.status_code, 200)
        self.assertIn(contract.name, listing.text)
        self.assertNotIn(other.name, listing.text)
        page = self.url_open(f"/my/contracts/{contract.id}")
        self.assertEqual(page.status_code, 200)
        self.assertIn("o_aftersales_contract_hours", page.text)
        self.assertIn(f"/my/invoices/{contract.invoice_ids.id}", page.text)
        with mute_logger("odoo.http"):
            self.assertEqual(self.url_open(f"/my/contracts/{other.id}").status_code, 404)
