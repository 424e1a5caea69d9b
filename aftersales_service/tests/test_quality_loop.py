import importlib.util
from datetime import datetime
from pathlib import Path

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import freeze_time, new_test_user, tagged

from .common import CaseCommon, ReturnHelpers

# a Tuesday inside the return window of the suite's deliveries; the service calendar works 8-12
# and 13-17 UTC, Monday to Friday
TUESDAY_10AM = "2026-03-10 10:00:00"


@tagged("post_install", "-at_install")
class TestRepairMilestones(ReturnHelpers, CaseCommon):
    """C-7: a unit returned to the workshop is tested the day it is received, the customer is
    told the diagnosis; repaired within 24 h when the part is in stock, told the repair deadline
    within 24 h when not; each milestone is a timer escalated once when missed (C-9)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.aftersales_refund_threshold = 0.0
        cls.company.resource_calendar_id = cls.calendar
        cls.company.aftersales_repair_in_stock_hours = 24.0
        cls.company.aftersales_repair_notice_hours = 24.0
        cls.company.aftersales_escalation_hours = 24
        cls.workshop = new_test_user(
            cls.env,
            login="as_workshop",
            name="Wim Workshop",
            email="wim@example.com",
            groups="stock.group_stock_user",
            company_id=cls.company.id,
        )
        cls.part = cls.env["product.product"].create(
            {"name": "Test Lens Motor", "type": "consu", "is_storable": True, "standard_price": 12.0}
        )

    def _returned_unit_repair(self):
        order = self.sell([(self.product_camera, 1, 200.0)])
        serial = order.picking_ids.move_ids.move_line_ids.lot_id
        with freeze_time(TUESDAY_10AM):
            ret = self._new_return(order, [(order.order_line, 1, serial)], requested_outcome="repair")
            ret.action_submit()
            self._receive(ret, lots=serial)
        repair = self.env["repair.order"].search([("aftersales_return_line_id", "=", ret.line_ids.id)])
        self.assertEqual(len(repair), 1)
        return repair.with_user(self.workshop)

    def _customer_mails(self, repair):
        return repair.message_ids.filtered(lambda m: self.customer in m.partner_ids)

    def test_diagnosis_same_day_then_repaired_within_24h(self):
        repair = self._returned_unit_repair()
        self.assertEqual(repair.aftersales_received_date, datetime(2026, 3, 10, 10, 0))
        self.assertEqual(
            repair.aftersales_diagnosis_deadline, datetime(2026, 3, 10, 17, 0), "end of the receiving day"
        )
        with freeze_time("2026-03-10 14:00:00"):
            repair.invalidate_recordset(["aftersales_milestone_status"])
            self.assertEqual(repair.aftersales_milestone_status, "on_track")
        with freeze_time("2026-03-10 15:00:00"):
            # 5 of the 7 h from receipt to deadline: past the SLA policy's at-risk ratio (0.7)
            self.sla.at_risk_ratio = 0.7
            repair.invalidate_recordset(["aftersales_milestone_status"])
            self.assertEqual(repair.aftersales_milestone_status, "at_risk")
            with self.assertRaisesRegex(UserError, "Write the diagnosis"), self.env.cr.savepoint():
                repair.action_aftersales_diagnosis_told()
            repair.aftersales_diagnosis = "The lens motor is worn out."
            repair.action_aftersales_diagnosis_told()
        self.assertTrue(repair.aftersales_parts_in_stock, "no part to order")
        self.assertEqual(repair.aftersales_diagnosis_status, "met")
        # 24 working hours from Tuesday 15:00: 2 h Tue, 8 h Wed, 8 h Thu, 6 h Fri -> Fri 15:00
        self.assertEqual(repair.aftersales_repair_deadline, datetime(2026, 3, 13, 15, 0))
        self.assertFalse(repair.aftersales_notice_deadline, "no deadline to tell: parts in stock")
        told = self._customer_mails(repair)
        self.assertEqual(len(told), 1, "the customer is told the diagnosis")
        self.assertIn("The lens motor is worn out.", told.body)
        self.assertIn("repaired by", told.body)
        with self.assertRaisesRegex(UserError, "told already"), self.env.cr.savepoint():
            repair.action_aftersales_diagnosis_told()
        with freeze_time("2026-03-12 09:00:00"):
            repair.action_validate()
            repair.action_repair_start()
            repair.action_repair_end()
        self.assertEqual(repair.aftersales_repaired_date, datetime(2026, 3, 12, 9, 0))
        self.assertEqual(repair.aftersales_repair_status, "met")
        self.assertFalse(repair.aftersales_milestone_deadline, "nothing left to watch")

    def test_part_not_in_stock_deadline_told_within_24h(self):
        repair = self._returned_unit_repair()
        repair.sudo().move_ids = [
            Command.create(
                {
                    "product_id": self.part.id,
                    "product_uom_qty": 1,
                    "repair_line_type": "add",
                }
            )
        ]
        with freeze_time("2026-03-10 16:00:00"):
            repair.aftersales_diagnosis = "Lens motor broken: a new one is ordered."
            repair.action_aftersales_diagnosis_told()
        self.assertFalse(repair.aftersales_parts_in_stock)
        self.assertFalse(repair.aftersales_repair_deadline)
        # 24 working hours from the receipt (Tuesday 10:00) -> Friday 10:00
        self.assertEqual(repair.aftersales_notice_deadline, datetime(2026, 3, 13, 10, 0))
        self.assertIn("has to be ordered", self._customer_mails(repair).body)
        with freeze_time("2026-03-11 09:00:00"):
            with self.assertRaisesRegex(UserError, "promised repair date"), self.env.cr.savepoint():
                repair.action_aftersales_deadline_told()
            repair.aftersales_promised_date = datetime(2026, 3, 17, 12, 0)
            repair.action_aftersales_deadline_told()
        self.assertEqual(repair.aftersales_notice_status, "met")
        self.assertEqual(repair.aftersales_repair_deadline, datetime(2026, 3, 17, 12, 0))
        deadline_mail = self._customer_mails(repair).sorted("id")[-1]
        self.assertIn("will be repaired by", deadline_mail.body)

    def test_missed_diagnosis_is_escalated_once_then_to_the_manager(self):
        repair = self._returned_unit_repair()
        repair.sudo().user_id = self.workshop
        Repair = self.env["repair.order"]
        manager = self.company.aftersales_manager_id

        def escalation_mails(partner):
            return self.env["mail.mail"].search(
                [
                    ("model", "=", "repair.order"),
                    ("res_id", "=", repair.id),
                    ("recipient_ids", "in", partner.ids),
                ]
            )

        with freeze_time("2026-03-10 17:30:00"):
            self.assertEqual(repair.aftersales_milestone_status, "breached")
            Repair._cron_aftersales_escalate_milestones()
            Repair._cron_aftersales_escalate_milestones()
            self.env.ref("aftersales_service.ir_cron_aftersales_repair_milestones").method_direct_trigger()
        self.assertEqual(repair.aftersales_escalation_level, 1)
        activities = repair.activity_ids.filtered(lambda a: a.user_id == self.workshop)
        self.assertEqual(len(activities), 1, "run three times: escalated once")
        mail = escalation_mails(self.workshop.partner_id)
        self.assertEqual(len(mail), 1, "the responsible gets the escalation email")
        self.assertIn(f"/mail/view?model=repair.order&amp;res_id={repair.id}", mail.body_html)
        self.assertIn("missed the milestone", mail.body_html)
        with freeze_time("2026-03-11 18:00:00"):
            Repair._cron_aftersales_escalate_milestones()
        self.assertEqual(repair.aftersales_escalation_level, 2)
        self.assertEqual(len(escalation_mails(manager.partner_id)), 1, "then the After-Sales manager")
        with freeze_time("2026-03-11 18:30:00"):
            self.assertEqual(Repair._cron_aftersales_escalate_milestones(), 0)

    def test_milestones_cannot_be_written_directly(self):
        """A milestone is met by its action only: writing the dates over RPC is refused."""
        repair = self._returned_unit_repair()
        for vals in (
            {"aftersales_diagnosis_date": datetime(2026, 3, 10, 11, 0)},
            {"aftersales_diagnosis_deadline": datetime(2026, 3, 20, 17, 0)},
            {"aftersales_repaired_date": datetime(2026, 3, 10, 11, 0)},
            {"aftersales_escalation_level": 2},
        ):
            with self.assertRaises(AccessError):
                repair.write(vals)
        with self.assertRaises(AccessError):
            self.env["repair.order"].with_user(self.workshop).create(
                {"product_id": self.product_psu.id, "aftersales_received_date": datetime(2026, 3, 1)}
            )
        self.assertFalse(repair.aftersales_diagnosis_date)
        self.assertEqual(repair.aftersales_diagnosis_deadline, datetime(2026, 3, 10, 17, 0))

    def test_case_repair_shows_milestones_and_plain_repairs_have_none(self):
        case = self.new_case(product_id=self.product_camera.id)
        with freeze_time(TUESDAY_10AM):
            action = case.with_user(self.aftersales_manager).action_create_repair()
        repair = self.env["repair.order"].browse(action["res_id"])
        self.assertEqual(repair.aftersales_diagnosis_deadline, datetime(2026, 3, 10, 17, 0))
        self.assertIn(repair, case.repair_ids)
        with freeze_time("2026-03-10 18:00:00"):
            case.invalidate_recordset(["repair_milestone_status"])
            repair.invalidate_recordset(["aftersales_milestone_status"])
            self.assertEqual(case.repair_milestone_status, "breached", "the case shows its repair is late")
        plain = self.env["repair.order"].create({"product_id": self.product_psu.id})
        self.assertFalse(plain.aftersales_received_date)
        self.assertFalse(plain.aftersales_milestone_deadline)
        with self.assertRaisesRegex(UserError, "not an after-sales unit"):
            plain.action_aftersales_diagnosis_told()


@tagged("post_install", "-at_install")
class TestCaseEscalationMail(CaseCommon):
    def test_late_case_is_an_email_to_the_leader_with_a_link(self):
        with freeze_time("2026-06-08 09:00:00"):
            case = self.new_case(category="quality")
        with freeze_time("2026-06-12 17:00:00"):
            self.Case._cron_escalate()
        mail = self.env["mail.mail"].search(
            [
                ("model", "=", "aftersales.case"),
                ("res_id", "=", case.id),
                ("recipient_ids", "in", self.team_leader.partner_id.ids),
            ]
        )
        self.assertEqual(len(mail), 1)
        self.assertIn(f"/mail/view?model=aftersales.case&amp;res_id={case.id}", mail.body_html)
        self.assertIn("escalated to you (level 1)", mail.body_html)
        self.assertNotIn("&lt;", mail.body_html, "rendered HTML, not escaped text")

    def test_serious_complaint_mails_the_executive(self):
        case = self.new_case(category="complaint")
        case.priority = "2"
        to_executive = [
            ("model", "=", "aftersales.case"),
            ("res_id", "=", case.id),
            ("recipient_ids", "in", self.executive.partner_id.ids),
            ("body_html", "ilike", "it goes to you at once"),
        ]
        mail = self.env["mail.mail"].search(to_executive)
        self.assertEqual(len(mail), 1)
        self.assertIn("serious complaint", mail.body_html)
        case.priority = "1"
        case.priority = "2"
        self.assertEqual(self.env["mail.mail"].search_count(to_executive), 1, "once")


@tagged("post_install", "-at_install")
class TestExchangeOtherProduct(ReturnHelpers, CaseCommon):
    """R-2: an exchange may be for another product; the price difference is invoiced or credited
    with the order's standard invoice / credit note."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.aftersales_refund_threshold = 0.0
        cls.psu_pro = cls.env["product.product"].create(
            {
                "name": "Test Power Supply Pro",
                "type": "consu",
                "is_storable": True,
                "invoice_policy": "delivery",
                "list_price": 30.0,
                "taxes_id": [Command.set(cls.tax_sale.ids)],
            }
        )
        cls.psu_mini = cls.env["product.product"].create(
            {
                "name": "Test Power Supply Mini",
                "type": "consu",
                "is_storable": True,
                "list_price": 15.0,
                "taxes_id": [Command.set(cls.tax_sale.ids)],
            }
        )
        for product in cls.psu_pro | cls.psu_mini:
            cls.env["stock.quant"]._update_available_quantity(product, cls.stock_location, 50.0)

    def _exchange(self, new_product):
        order = self.sell([(self.product_psu, 2, 20.0)])
        with freeze_time("2026-03-10"):
            ret = self._new_return(order, {order.order_line: 1}, return_type="exchange")
            ret.line_ids.exchange_product_id = new_product
            ret.action_submit()
        return order, ret

    def test_dearer_product_difference_invoiced(self):
        order, ret = self._exchange(self.psu_pro)
        line = ret.line_ids
        self.assertEqual(line.exchange_price_unit, 30.0)
        self.assertEqual(line.exchange_difference, 10.0)
        self.assertEqual(ret.state, "waiting_goods")
        incoming = ret.picking_ids.filtered(lambda p: p.picking_type_code == "incoming")
        self.assertEqual(incoming.move_ids.product_id, self.product_psu, "the old one comes back")
        new_line = line.exchange_sale_line_id
        self.assertEqual((new_line.order_id, new_line.product_id), (order, self.psu_pro))
        self.assertEqual((new_line.product_uom_qty, new_line.price_unit), (1, 30.0))
        outgoing = ret.picking_ids.filtered(lambda p: p.picking_type_code == "outgoing")
        self.assertEqual(outgoing.move_ids.product_id, self.psu_pro, "the new one leaves with the order")
        self.assertFalse(
            self.env["stock.move"].search(
                [
                    ("picking_id.aftersales_return_id", "=", ret.id),
                    ("product_id", "=", self.product_psu.id),
                    ("picking_code", "=", "outgoing"),
                ]
            ),
            "no same-product replacement",
        )
        billing_less = self.aftersales_user.with_user(self.aftersales_user)
        billing_less.sudo().groups_id = [Command.unlink(self.env.ref("account.group_account_invoice").id)]
        with self.assertRaises(AccessError):
            ret.with_user(self.aftersales_user).action_invoice_exchange_difference()
        action = ret.with_user(self.aftersales_manager).action_invoice_exchange_difference()
        move = self.env["account.move"].browse(action["res_id"])
        self.assertEqual(move.move_type, "out_invoice")
        self.assertEqual(move.partner_id, order.partner_invoice_id)
        self.assertAlmostEqual(move.amount_untaxed, 10.0)
        self.assertEqual(
            sorted(move.invoice_line_ids.mapped(lambda ml: (ml.product_id.id, ml.quantity))),
            sorted([(self.psu_pro.id, 1.0), (self.product_psu.id, -1.0)]),
        )
        self.assertEqual(move.invoice_line_ids.sale_line_ids, order.order_line.filtered("product_id"))
        self.assertEqual(
            order.order_line.filtered(lambda sl: sl.product_id == self.product_psu).qty_invoiced, 1
        )
        self.assertFalse(ret.can_settle_exchange)
        with self.assertRaisesRegex(UserError, "no exchange for another product to settle"):
            ret.with_user(self.aftersales_manager).action_invoice_exchange_difference()

    def test_cheaper_product_difference_credited(self):
        _order, ret = self._exchange(self.psu_mini)
        self.assertEqual(ret.line_ids.exchange_difference, -5.0)
        action = ret.with_user(self.aftersales_manager).action_invoice_exchange_difference()
        move = self.env["account.move"].browse(action["res_id"])
        self.assertEqual(move.move_type, "out_refund", "a negative difference is a credit note")
        self.assertAlmostEqual(move.amount_untaxed, 5.0)
        self.assertEqual(move.aftersales_return_id, ret)
        move.action_post()
        self.assertEqual(move.state, "posted")

    def test_order_invoiced_product_is_not_invoiceable_again(self):
        """An order-invoiced product exchanged: the deduction is not linked to its order line
        (as refunds, OCA/rma#300), so the order does not ask to invoice it again."""
        cable = self.env["product.product"].create(
            {
                "name": "Test Cable",
                "type": "consu",
                "is_storable": True,
                "invoice_policy": "order",
                "list_price": 20.0,
                "taxes_id": [Command.set(self.tax_sale.ids)],
            }
        )
        self.env["stock.quant"]._update_available_quantity(cable, self.stock_location, 10.0)
        order = self.sell([(cable, 2, 20.0)])
        with freeze_time("2026-03-10"):
            ret = self._new_return(order, {order.order_line: 1}, return_type="exchange")
            ret.line_ids.exchange_product_id = self.psu_pro
            ret.action_submit()
        self._receive(ret)
        ret.with_user(self.aftersales_manager).action_invoice_exchange_difference()
        cable_line = order.order_line.filtered(lambda sl: sl.product_id == cable)
        self.assertEqual(cable_line.qty_to_invoice, 0, "not invoiceable again")
        pro_line = order.order_line.filtered(lambda sl: sl.product_id == self.psu_pro)
        self.assertEqual(pro_line.qty_invoiced, 1)

    def test_exchange_order_line_is_not_typed_in(self):
        order, ret = self._exchange(self.psu_pro)
        with self.assertRaises(AccessError):
            ret.line_ids.with_user(self.aftersales_manager).write(
                {
                    "exchange_sale_line_id": order.order_line.filtered(
                        lambda sl: sl.product_id == self.product_psu
                    ).id
                }
            )
        self.assertEqual(ret.line_ids.exchange_sale_line_id.product_id, self.psu_pro)

    def test_only_an_exchange_takes_another_product(self):
        order = self.sell([(self.product_psu, 2, 20.0)])
        ret = self._new_return(order, {order.order_line: 1}, requested_outcome="refund")
        with self.assertRaisesRegex(Exception, "Only an exchange"):
            ret.line_ids.exchange_product_id = self.psu_pro
            ret.line_ids.flush_recordset()


@tagged("post_install", "-at_install")
class TestCustomerClasses(CaseCommon):
    """V-1: key customers by a sales-volume rule (or by hand, an override); V-7 the periodic
    satisfaction survey campaign; W-6 the customer's after-sales file."""

    def test_sales_volume_makes_key_customers_manual_override_wins(self):
        self.company.aftersales_key_customer_amount = 1500.0
        self.company.aftersales_key_customer_months = 12
        big = self.env["res.partner"].create({"name": "Big Buyer"})
        manual = self.env["res.partner"].create({"name": "Hand Classed"})
        manual.with_user(self.aftersales_manager).service_class = "normal"
        self.assertEqual(manual.service_class_source, "manual")
        with freeze_time("2026-03-01"):
            for partner in big | manual:
                self.confirm_order(
                    self.create_sale_order(
                        [(self.product_switcher, 2, 1000.0)], partner=partner, date="2026-03-01"
                    ),
                    date="2026-03-01",
                )
        small = self.customer
        with freeze_time("2026-04-01"):
            self.env.ref("aftersales_service.ir_cron_aftersales_key_customers").method_direct_trigger()
        self.assertEqual((big.service_class, big.service_class_source), ("key", "rule"))
        self.assertEqual(manual.service_class, "normal", "a class set by hand is an override")
        self.assertEqual(small.service_class, "normal")
        self.company.aftersales_key_customer_amount = 5000.0
        with freeze_time("2026-04-02"):
            self.env["res.partner"]._cron_classify_key_customers()
        self.assertEqual(big.service_class, "normal", "the rule takes back what it gave")

    def test_migration_puts_unclassed_customers_in_normal(self):
        partner = self.env["res.partner"].create({"name": "Old Customer"})
        self.env.cr.execute("UPDATE res_partner SET service_class = 'none' WHERE id = %s", [partner.id])
        path = Path(__file__).parents[1] / "migrations" / "18.0.1.4.0" / "post-migration.py"
        spec = importlib.util.spec_from_file_location("aftersales_mig_1_4", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        module.migrate(self.env.cr, "18.0.1.3.0")
        partner.invalidate_recordset(["service_class"])
        self.assertEqual(partner.service_class, "normal")

    def test_survey_campaign_every_six_months(self):
        self.company.aftersales_survey_campaign_months = 6
        self.sell([(self.product_psu, 1, 20.0)])
        Revisit = self.env["aftersales.revisit"]
        with freeze_time("2026-08-01"):
            self.assertEqual(Revisit._cron_survey_campaign(), 0, "August is not a campaign month")
        with freeze_time("2026-07-01"):
            Revisit._cron_survey_campaign()
            self.env.ref("aftersales_service.ir_cron_aftersales_survey_campaign").method_direct_trigger()
        campaign = Revisit.search([("kind", "=", "campaign"), ("partner_id", "=", self.customer.id)])
        self.assertEqual(len(campaign), 1, "run twice: invited once")
        self.assertEqual(campaign.slot, "campaign 2026-07")
        invitation = campaign.message_ids.filtered(lambda m: self.customer in m.partner_ids)
        self.assertEqual(len(invitation), 1)
        self.assertIn(campaign.survey_url.replace("&", "&amp;"), invitation.body)
        self.assertFalse(
            Revisit.search([("kind", "=", "campaign"), ("partner_id", "=", self.customer_2.id)]),
            "not a customer (never bought)",
        )

    def test_customer_file_counts_complaints_and_repairs(self):
        case = self.new_case(product_id=self.product_camera.id)
        case.with_user(self.aftersales_manager).action_create_repair()
        self.env["aftersales.complaint"].create(
            {"partner_id": self.customer.id, "case_id": case.id, "customer_demand": "Replace it"}
        )
        partner = self.customer.with_user(self.aftersales_user)
        self.assertEqual(partner.aftersales_repair_count, 1)
        self.assertEqual(partner.aftersales_complaint_count, 1)
        action = partner.with_context(aftersales_kind="repair").action_view_aftersales_file()
        self.assertEqual(self.env["repair.order"].search(action["domain"]), case.repair_ids)
