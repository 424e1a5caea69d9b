from datetime import datetime

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import freeze_time, tagged
from odoo.tools import mute_logger

from .common import FRIDAY_4PM, CaseCommon


@tagged("post_install", "-at_install")
class TestCaseIntake(CaseCommon):
    def test_reference_per_company_and_acknowledgement(self):
        case = self.new_case()
        self.assertRegex(case.name, r"^CASE/\d{4}/\d{5}$")
        case_2 = self.Case.with_user(self.aftersales_user_2).create(
            {"subject": "Other company", "partner_id": self.customer_2.id, "company_id": self.company_2.id}
        )
        self.assertEqual(case_2.name[-5:], "00001", "each company numbers its own cases")
        ack = case.message_ids.filtered(lambda m: case.name in (m.subject or ""))
        self.assertEqual(len(ack), 1, "C-2: the customer got the reference")
        self.assertIn(self.customer, ack.partner_ids)
        self.assertEqual(case.team_id, self.team, "routed to the category's team (C-4)")
        self.assertEqual(case.state, "new")

    def test_acknowledgement_can_be_turned_off(self):
        self.company.aftersales_case_ack = False
        case = self.new_case()
        self.assertFalse(case.message_ids.filtered(lambda m: case.name in (m.subject or "")))

    def test_warranty_found_and_service_type(self):
        order = self.sell([(self.product_camera, 1, 200.0)])
        lot = order.picking_ids.move_ids.move_line_ids.lot_id
        with freeze_time("2026-06-01"):
            case = self.new_case(
                sale_order_id=order.id, product_id=self.product_camera.id, lot_id=lot.id, category="quality"
            )
            self.assertEqual(case.warranty_id.lot_id, lot)
            self.assertEqual(case.warranty_state, "in")
            self.assertEqual(case.service_type, "free", "in warranty: free (W-3)")
        with freeze_time("2027-06-01"):
            case = self.new_case(
                sale_order_id=order.id, product_id=self.product_camera.id, lot_id=lot.id, category="quality"
            )
            self.assertEqual(case.warranty_state, "out")
            self.assertEqual(case.service_type, "paid", "out of warranty: paid (W-4)")
            # only a manager makes a paid case free (logged); anyone may make one paid
            with self.assertRaisesRegex(AccessError, "Only"):
                case.with_user(self.aftersales_user).service_type = "free"
            case.with_user(self.aftersales_manager).service_type = "free"
            self.assertEqual(case.service_type, "free", "a manager's decision")
            case.with_user(self.aftersales_user).service_type = "paid"
            self.assertEqual(case.service_type, "paid")

    def test_bad_links_refused(self):
        order = self.sell([(self.product_camera, 1, 200.0)], partner=self.customer_2)
        lot = order.picking_ids.move_ids.move_line_ids.lot_id
        count = self.Case.search_count([])
        with self.assertRaisesMsg(ValidationError, "belongs to"):
            self.new_case(sale_order_id=order.id)
        with self.assertRaisesMsg(ValidationError, "was not sold to"):
            self.new_case(product_id=self.product_camera.id, lot_id=lot.id)
        self.assertEqual(self.Case.search_count([]), count, "nothing written")

    def test_close_needs_resolution_and_closed_is_read_only(self):
        case = self.new_case()
        self.assertFalse(case.can_close)
        with self.assertRaisesMsg(UserError, "resolved before it closes"):
            case.action_close()
        with self.assertRaisesMsg(UserError, "resolution"):
            case.action_resolve()
        case.resolution = "advice"
        case.action_resolve()
        self.assertEqual(case.state, "resolved")
        case.action_close()
        self.assertEqual(case.state, "closed")
        with self.assertRaisesMsg(UserError, "kept on record"):
            case.with_user(self.aftersales_user).subject = "changed"
        with self.assertRaisesMsg(UserError, "archive"):
            case.with_user(self.aftersales_manager).unlink()
        case.with_user(self.aftersales_user).active = False
        self.assertFalse(case.active, "archived, never deleted (C-8)")

    def test_access(self):
        case = self.new_case()
        with self.assertRaises(AccessError):
            case.with_user(self.aftersales_user).unlink()
        self.assertFalse(self.Case.with_user(self.aftersales_user_2).search([("id", "=", case.id)]))
        with self.assertRaises(AccessError):
            self.Case.with_user(self.portal_user).create({"subject": "x", "partner_id": self.customer.id})
        self.assertEqual(self.Case.with_user(self.portal_user).search([]), case)
        other = self.new_case(partner_id=self.customer_2.id)
        with self.assertRaises(AccessError):
            other.with_user(self.portal_user).read(["subject"])
        with self.assertRaises(AccessError):
            self.env["aftersales.sla.policy"].with_user(self.aftersales_user).create({"name": "x"})

    def test_email_alias_creates_case(self):
        domain = self.env["mail.alias.domain"].create({"name": "service.example.com"})
        self.company.alias_domain_id = domain
        self.team.write({"alias_name": "cameras", "alias_domain_id": domain.id})
        raw = (
            "From: Anna Customer <anna@customer.example.com>\r\n"
            "To: cameras@service.example.com\r\n"
            "Subject: Camera CAM-1 is dead\r\n"
            "Message-ID: <case-1@customer.example.com>\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\n"
            "It stopped working yesterday.\r\n"
        )
        case_id = self.env["mail.thread"].message_process(None, raw)
        case = self.Case.browse(case_id)
        self.assertEqual(case.partner_id, self.customer, "sender matched to the customer")
        self.assertEqual(case.team_id, self.team)
        self.assertEqual(case.channel, "email")
        self.assertIn("stopped working", case.description)
        unknown = raw.replace(
            "Anna Customer <anna@customer.example.com>", "nobody@unknown.example.com"
        ).replace("case-1@", "case-2@")
        case_2 = self.Case.browse(self.env["mail.thread"].message_process(None, unknown))
        self.assertFalse(case_2.partner_id)
        self.assertEqual(case_2.email_from, "nobody@unknown.example.com")
        self.assertEqual(
            self.Case.search_count([("team_id", "=", self.team.id), ("channel", "=", "email")]), 2
        )

    def test_report_problem_from_order(self):
        order = self.sell([(self.product_switcher, 1)])
        action = order.action_aftersales_report_problem()
        self.assertEqual(action["context"]["default_sale_order_id"], order.id)
        quotation = self.create_sale_order([(self.product_switcher, 1)])
        with self.assertRaises(UserError):
            quotation.action_aftersales_report_problem()
        self.new_case(sale_order_id=order.id)
        self.assertEqual(order.aftersales_case_count, 1)
        self.assertEqual(self.customer.with_user(self.aftersales_user).aftersales_case_count, 1)


@tagged("post_install", "-at_install")
class TestCaseSla(CaseCommon):
    @freeze_time(FRIDAY_4PM)
    def test_deadlines_across_weekend(self):
        case = self.new_case()
        # Fri 16-17 (1 h) + Mon 8 h + Tue 8 h + Wed 8-12, 13-16 (7 h) = 24 working hours
        self.assertEqual(case.first_response_deadline, datetime(2026, 6, 10, 16, 0))
        self.assertEqual(case.sla_deadline, datetime(2026, 6, 10, 16, 0))
        self.assertEqual(case.first_response_status, "on_track")
        self.sla.use_working_hours = False
        case.priority = "1"  # re-applies the policy
        self.assertEqual(case.first_response_deadline, datetime(2026, 6, 6, 16, 0), "round the clock")

    def test_reply_timer_restarts_and_stops(self):
        with freeze_time(FRIDAY_4PM):
            case = self.new_case()
        with freeze_time("2026-06-08 09:00:00"):
            case.with_user(self.aftersales_user).message_post(
                body="We look into it", message_type="comment", subtype_xmlid="mail.mt_comment"
            )
            self.assertEqual(case.first_response_date, datetime(2026, 6, 8, 9, 0))
            self.assertEqual(case.first_response_status, "met")
            self.assertFalse(case.reply_deadline)
        with freeze_time("2026-06-08 10:00:00"):
            case.with_user(self.portal_user).message_post(
                body="Any news?", message_type="comment", subtype_xmlid="mail.mt_comment"
            )
            self.assertEqual(case.reply_deadline, datetime(2026, 6, 11, 10, 0), "24 working hours later")
        with freeze_time("2026-06-09 10:00:00"):
            case.with_user(self.aftersales_user).message_post(
                body="Part ordered", message_type="comment", subtype_xmlid="mail.mt_comment"
            )
            self.assertFalse(case.reply_deadline, "the staff answer stops the reply timer")

    def test_escalation_levels_once_per_breach(self):
        with freeze_time(FRIDAY_4PM):
            case = self.new_case()
        leader_activities = lambda: case.activity_ids.filtered(lambda a: a.user_id == self.team_leader)  # noqa: E731
        with freeze_time("2026-06-10 17:00:00"):
            self.assertIn(case, self.Case.search([("sla_status", "=", "breached")]))
            self.Case._cron_escalate()
            self.assertEqual(case.escalation_level, 1)
            self.assertEqual(len(leader_activities()), 1)
            self.Case._cron_escalate()
            self.env.ref("aftersales_service.ir_cron_aftersales_case_escalate").method_direct_trigger()
            self.assertEqual(len(leader_activities()), 1, "run twice: escalated once")
            self.assertEqual(case.escalation_level, 1)
        with freeze_time("2026-06-11 17:00:00"):
            self.Case._cron_escalate()
            self.assertEqual(case.escalation_level, 2)
            manager = self.company.aftersales_manager_id
            self.assertTrue(
                case.activity_ids.filtered(lambda a: a.user_id == manager and "level 2" in a.summary)
            )
            count = len(case.activity_ids)
            self.Case._cron_escalate()
            self.assertEqual(len(case.activity_ids), count)
        self.assertTrue(case.message_ids.filtered(lambda m: "escalated" in (m.body or "")))

    def test_urgent_complaint_goes_to_executive(self):
        case = self.new_case(category="complaint", priority="2")
        self.assertTrue(case.activity_ids.filtered(lambda a: a.user_id == self.executive))

    @freeze_time(FRIDAY_4PM)
    def test_end_of_day_dispatch(self):
        case = self.new_case()
        assigned = self.new_case(user_id=self.aftersales_user.id)
        self.assertEqual(assigned.state, "assigned")
        self.env.ref("aftersales_service.ir_cron_aftersales_case_dispatch").method_direct_trigger()
        self.assertEqual(case.user_id, self.team_leader)
        self.assertEqual(case.state, "assigned")
        activity = case.activity_ids.filtered(lambda a: "Dispatch" in a.summary)
        self.assertEqual(activity.date_deadline.isoformat(), "2026-06-08", "next working morning")
        self.assertEqual(assigned.user_id, self.aftersales_user, "assigned cases stay as they are")


@tagged("post_install", "-at_install")
class TestCaseInvoice(CaseCommon):
    def test_paid_case_invoice(self):
        order = self.sell([(self.product_camera, 1, 200.0)])
        lot = order.picking_ids.move_ids.move_line_ids.lot_id
        with freeze_time("2027-06-01"):
            case = self.new_case(sale_order_id=order.id, product_id=self.product_camera.id, lot_id=lot.id)
            self.assertEqual(case.service_type, "paid")
            case.write(
                {"time_spent": 2.0, "part_ids": [(0, 0, {"product_id": self.product_psu.id, "quantity": 3})]}
            )
            case.action_start()
            case.action_create_invoice()
        invoice = case.invoice_ids
        self.assertEqual(invoice.move_type, "out_invoice")
        self.assertEqual(invoice.partner_id, self.customer)
        note = case.message_ids.filtered(lambda m: "created" in (m.body or ""))[:1]
        self.assertIn(f'data-oe-id="{invoice.id}"', note.body, "a real link, not escaped text")
        service_line = invoice.invoice_line_ids.filtered(lambda line: line.product_id == self.product_service)
        # W-4 after expiry, "parts at cost, no service fee": no labour line at all
        self.assertFalse(service_line)
        part_line = invoice.invoice_line_ids.filtered(lambda line: line.product_id == self.product_psu)
        # the camera's policy is lifetime parts-only after expiry: parts at cost (W-4)
        self.assertEqual((part_line.quantity, part_line.price_unit), (3.0, 8.0))
        self.assertFalse(case.can_invoice)
        with self.assertRaises(UserError):
            case.action_create_invoice()

    def test_free_case_never_invoices(self):
        case = self.new_case(category="consultation", time_spent=1.0)
        self.assertEqual(case.service_type, "free")
        case.action_start()
        with self.assertRaisesMsg(UserError, "only paid cases"):
            case.action_create_invoice()
        self.assertFalse(case.invoice_ids)

    def test_create_repair_from_case(self):
        order = self.sell([(self.product_camera, 1, 200.0)])
        lot = order.picking_ids.move_ids.move_line_ids.lot_id
        with freeze_time("2026-06-01"):
            case = self.new_case(sale_order_id=order.id, product_id=self.product_camera.id, lot_id=lot.id)
            case.action_create_repair()
        repair = case.repair_ids
        self.assertEqual(repair.lot_id, lot)
        self.assertTrue(repair.under_warranty)
        self.assertEqual(repair.aftersales_warranty_id, case.warranty_id)


@tagged("post_install", "-at_install")
class TestCaseMute(CaseCommon):
    @mute_logger("odoo.models.unlink")
    def test_no_callback_promise_without_case(self):
        case = self.new_case(callback_datetime="2026-06-05 17:00:00", channel="phone")
        self.assertEqual(
            case.callback_datetime, datetime(2026, 6, 5, 17, 0), "C-10: promised call-back recorded"
        )


@tagged("post_install", "-at_install")
class TestCaseSlaMet(CaseCommon):
    def test_sla_met_measure(self):
        with freeze_time(FRIDAY_4PM):
            on_time = self.new_case(resolution="advice")
            late = self.new_case(resolution="advice")
        with freeze_time("2026-06-08 09:00:00"):
            on_time.with_user(self.aftersales_user).message_post(
                body="Answer", message_type="comment", subtype_xmlid="mail.mt_comment"
            )
            on_time.action_resolve()
        with freeze_time("2026-06-12 09:00:00"):
            late.with_user(self.aftersales_user).message_post(
                body="Late answer", message_type="comment", subtype_xmlid="mail.mt_comment"
            )
            late.action_resolve()
        self.assertEqual((on_time.sla_met, late.sla_met), (100.0, 0.0))
        groups = self.Case._read_group([("id", "in", (on_time | late).ids)], [], ["sla_met:avg"])
        self.assertEqual(groups[0][0], 50.0, "SLA met % per group (S-2)")
