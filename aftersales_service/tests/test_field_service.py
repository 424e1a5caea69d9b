"""Field service and mandatory maintenance (F-1 ... F-8), as the role users do it."""

import base64
import json
from datetime import datetime

from psycopg2 import IntegrityError

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, freeze_time, new_test_user, tagged
from odoo.tools import mute_logger

from .common import CaseCommon

# a 1x1 PNG: a signature image
SIGNATURE = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
    )
)


@tagged("post_install", "-at_install")
class FieldServiceCommon(CaseCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Visit = cls.env["aftersales.field.visit"]
        cls.Maintenance = cls.env["aftersales.maintenance"]
        cls.engineer = new_test_user(
            cls.env,
            login="as_engineer",
            name="Erik Engineer",
            groups="aftersales_service.group_aftersales_user",
            company_id=cls.company.id,
        )
        cls.company.write(
            {
                "aftersales_city_radius_km": 30.0,
                "aftersales_arrival_city_hours": 2.0,
                "aftersales_arrival_200_hours": 6.0,
                "aftersales_arrival_300_hours": 8.0,
                "aftersales_arrival_400_hours": 10.0,
                "aftersales_home_radius_km": 200.0,
            }
        )

    def _sold_camera(self):
        order = self.sell([(self.product_camera, 1, 200.0)])
        return order, order.picking_ids.move_ids.move_line_ids.lot_id

    def _visit(self, user=None, **vals):
        order, lot = self._sold_camera()
        case = self.new_case(sale_order_id=order.id, product_id=self.product_camera.id, lot_id=lot.id)
        action = case.with_user(user or self.engineer).action_dispatch()
        visit = self.Visit.browse(action["res_id"]).with_user(user or self.engineer)
        if vals:
            visit.write(vals)
        return visit

    def _complete_report(self, visit, **extra):
        vals = {
            "cause_analysis": "<p>Power board burnt by a surge</p>",
            "no_parts_replaced": True,
            "unit_inspected": True,
            "signed_by": "Anna Customer",
            "signature": SIGNATURE,
        }
        vals.update(extra)
        visit.write(vals)


@tagged("post_install", "-at_install")
class TestFieldVisit(FieldServiceCommon):
    # ------------------------------------------------------------------ F-1 dispatch
    def test_dispatch_schedule_and_appointment_notice(self):
        with freeze_time("2026-04-01 09:00:00"):
            visit = self._visit()
        self.assertEqual(visit.state, "draft")
        self.assertEqual(visit.partner_id, self.customer)
        self.assertEqual(visit.product_id, self.product_camera)
        self.assertTrue(visit.lot_id)
        self.assertEqual(visit.case_id.field_visit_ids, visit)
        self.assertEqual(visit.request_date, datetime(2026, 4, 1, 9, 0), "set by the server")
        self.assertTrue(visit.check_ids, "the general inspection items are the checklist")
        with self.assertRaisesRegex(UserError, "appointment"), self.env.cr.savepoint():
            visit.action_schedule()
        visit.write(
            {
                "appointment_start": "2026-04-02 08:00:00",
                "appointment_end": "2026-04-02 10:00:00",
                "distance_km": 12,
            }
        )
        visit.action_schedule()
        self.assertEqual(visit.state, "scheduled")
        notice = visit.message_ids.filtered(lambda m: visit.name in (m.subject or ""))
        self.assertEqual(len(notice), 1, "the customer is told the appointment")
        self.assertIn(self.customer, notice.notified_partner_ids | notice.partner_ids)
        self.assertIn("/my/visits/", notice.body, "a working link to the visit")
        self.assertIn("<a ", notice.body)
        self.assertTrue(visit.activity_ids.filtered(lambda a: a.user_id == self.engineer))
        with self.assertRaises(UserError):
            visit.action_schedule()  # second click

    def test_bad_input_refused(self):
        visit = self._visit()
        with self.assertRaises(ValidationError):
            visit.write(
                {"appointment_start": "2026-04-02 10:00:00", "appointment_end": "2026-04-02 09:00:00"}
            )
        with self.assertRaises(ValidationError):
            visit.write({"distance_km": -5})
        self.assertFalse(visit.appointment_start, "nothing half-written")
        with self.assertRaises(AccessError):
            visit.write({"state": "done"})
        with self.assertRaises(AccessError):
            visit.write({"arrival_date": "2026-04-02 08:00:00"})
        self.assertEqual(visit.state, "draft")

    # ------------------------------------------------------------------ F-2 arrival targets
    def test_distance_bands_and_arrival_deadlines(self):
        with freeze_time("2026-04-01 09:00:00"):
            visit = self._visit()
        self.assertTrue(visit.in_warranty, "the camera is in its 12-month warranty")
        expected = {10: ("city", 2), 150: ("200", 6), 250: ("300", 8), 380: ("400", 10)}
        for km, (band, hours) in expected.items():
            visit.distance_km = km
            self.assertEqual(visit.distance_band, band, km)
            self.assertEqual(
                visit.arrival_deadline,
                datetime(2026, 4, 1, 9 + hours, 0),
                f"{km} km: {hours} h from the request",
            )
        visit.write(
            {
                "distance_km": 600,
                "appointment_start": "2026-04-03 08:00:00",
                "appointment_end": "2026-04-03 12:00:00",
            }
        )
        self.assertEqual(visit.distance_band, "beyond")
        self.assertEqual(visit.arrival_deadline, datetime(2026, 4, 3, 8, 0), "beyond 400 km: by appointment")
        # the targets are settings
        self.company.aftersales_arrival_200_hours = 5.0
        visit.distance_km = 150
        self.assertEqual(visit.arrival_deadline, datetime(2026, 4, 1, 14, 0))

    def test_late_arrival_flagged_and_counted(self):
        with freeze_time("2026-04-01 09:00:00"):
            on_time = self._visit(distance_km=10)
            late = self._visit(distance_km=10)
            for visit in on_time | late:
                visit.write(
                    {"appointment_start": "2026-04-01 10:00:00", "appointment_end": "2026-04-01 12:00:00"}
                )
                visit.action_schedule()
        with freeze_time("2026-04-01 10:30:00"):
            on_time.action_arrive()
        with freeze_time("2026-04-01 11:30:00"):
            late.action_arrive()
        # the arrival is the server's clock: a caller cannot tell another time (F-2)
        with self.assertRaises(TypeError):
            on_time.action_arrive("2026-04-01 09:00:00")
        self.assertFalse(on_time.arrived_late)
        self.assertTrue(late.arrived_late, "city band: 2 h after the 09:00 request")
        self.assertTrue(late.message_ids.filtered(lambda m: "arrival target" in (m.body or "")))
        groups = self.Visit._read_group(
            [("id", "in", (on_time | late).ids)], ["user_id"], ["on_time_rate:avg"]
        )
        self.assertEqual(groups[0][1], 50.0, "on-time arrival rate per engineer")

    # ------------------------------------------------------------------ F-3 on-site checks
    def test_nameplate_checklist_and_misuse(self):
        item = self.env["aftersales.inspection.item"].create(
            {"name": "Lens and IR LEDs", "categ_id": self.categ_cameras.id}
        )
        other = self.env["aftersales.inspection.item"].create(
            {"name": "Switch backplane", "categ_id": self.categ_switchers.id}
        )
        visit = self._visit()
        names = visit.check_ids.mapped("name")
        self.assertIn(item.name, names, "the category's items")
        self.assertNotIn(other.name, names)
        visit.nameplate_serial = visit.lot_id.name
        visit.nameplate_model = "T-CAM"
        self.assertFalse(visit.nameplate_mismatch)
        visit.nameplate_serial = "SOMETHING-ELSE"
        self.assertTrue(visit.nameplate_mismatch, "a serial that does not match is warned")
        with self.assertRaises(ValidationError):
            visit.write({"responsibility": "quality", "misuse_explained": True})

    # ------------------------------------------------------------------ F-4 the signed report
    def test_visit_without_report_or_signature_is_not_valid(self):
        visit = self._visit(distance_km=10)
        visit.write({"appointment_start": "2026-04-02 08:00:00", "appointment_end": "2026-04-02 10:00:00"})
        visit.action_schedule()
        with self.assertRaises(UserError):
            visit.write({"signature": SIGNATURE})  # signs on site only
        visit.action_arrive()
        # a back-office signature without the signer's name: a clear message, not a crash
        for signer in (False, "", "   "):
            with self.assertRaisesRegex(ValidationError, "name of the person"), self.env.cr.savepoint():
                visit.write({"signature": SIGNATURE, "signed_by": signer})
        self.assertFalse(visit.signature)
        checks = [
            ({"cause_analysis": False}, "cause analysis"),
            ({"no_parts_replaced": False}, "parts replaced"),
            ({"signature": False, "signed_by": False}, "signature"),
            ({"unit_inspected": False}, "inspection"),
            ({"responsibility": "misuse"}, "misuse"),
        ]
        for override, reason in checks:
            self._complete_report(visit, **override)
            with self.assertRaisesRegex(UserError, reason), self.env.cr.savepoint():
                visit.action_done()
            self.assertEqual(visit.state, "on_site", "nothing half-written")
        self._complete_report(visit, responsibility="misuse", misuse_explained=True)
        self.assertTrue(visit.signed_on, "the signature is dated")
        visit.action_done()
        self.assertEqual(visit.state, "done")
        with self.assertRaises(UserError):
            visit.write({"cause_analysis": "<p>changed</p>"})
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("aftersales_service.action_report_field_visit", visit.ids)[0]
            .decode()
        )
        self.assertIn("Power board burnt", html)
        self.assertIn("Anna Customer", html)
        self.assertIn("No part was replaced", html)

    def test_parts_consumed_from_service_stock(self):
        visit = self._visit(distance_km=10)
        visit.write({"appointment_start": "2026-04-02 08:00:00", "appointment_end": "2026-04-02 10:00:00"})
        visit.action_schedule()
        visit.action_arrive()
        location = self.company._aftersales_service_location()
        before = self.product_psu.with_context(location=location.id).qty_available
        self._complete_report(
            visit,
            no_parts_replaced=False,
            part_ids=[Command.create({"product_id": self.product_psu.id, "quantity": 2})],
            labour_hours=1.5,
        )
        visit.action_done()
        self.assertEqual(visit.part_ids.move_id.state, "done")
        self.assertEqual(self.product_psu.with_context(location=location.id).qty_available, before - 2)
        self.assertEqual(visit.parts_cost, 16.0, "2 x cost 8")
        case = visit.case_id
        self.assertEqual(case.service_cost_parts, 16.0)
        self.assertEqual(case.service_cost_labour, 1.5 * self.product_service.standard_price)
        with self.assertRaises(UserError):
            visit.part_ids.unlink()

    # ------------------------------------------------------------------ F-5 travel
    def test_travel_outside_home_area_needs_manager_approval(self):
        visit = self._visit(distance_km=350)
        visit.write({"appointment_start": "2026-04-02 08:00:00", "appointment_end": "2026-04-02 16:00:00"})
        visit.action_schedule()
        self.assertTrue(visit.needs_travel_approval)
        with self.assertRaisesRegex(UserError, "travel request"), self.env.cr.savepoint():
            visit.action_arrive()
        self.assertEqual(visit.state, "scheduled")
        action = visit.action_request_travel()
        request = self.env["aftersales.travel.request"].browse(action["res_id"]).with_user(self.engineer)
        self.assertEqual(request.requester_id, self.engineer)
        with self.assertRaises(ValidationError):
            request.write({"estimated_cost": -10})
        request.write({"estimated_cost": 120.0})
        request.action_submit()
        with self.assertRaises(AccessError):
            request.action_approve()  # an engineer never approves
        with self.assertRaises(AccessError):
            request.write({"state": "approved"})
        # a manager who requested cannot approve his own request
        own = (
            self.env["aftersales.travel.request"]
            .with_user(self.aftersales_manager)
            .create({"visit_id": visit.id, "estimated_cost": 50.0})
        )
        own.action_submit()
        with self.assertRaises(UserError):
            own.action_approve()
        request.with_user(self.aftersales_manager).action_approve()
        self.assertEqual(request.state, "approved")
        self.assertEqual(request.approver_id, self.aftersales_manager)
        request.with_user(self.aftersales_manager).actual_cost = 135.0
        self.assertEqual(request.state, "submitted", "another cost than approved: approved again")
        request.with_user(self.aftersales_manager).action_approve()
        visit.action_arrive()
        self.assertEqual(visit.state, "on_site")
        self.assertEqual(visit.case_id.service_cost_travel, 135.0, "the travel cost adds to the case")

    # ------------------------------------------------------------------ F-8 tools
    def test_tools_taken_on_visits(self):
        tool = self.env["maintenance.equipment"].create(
            {
                "name": "Insulation tester",
                "aftersales_is_tool": True,
                "owner_user_id": self.engineer.id,
                "aftersales_service_life_end": "2030-12-31",
            }
        )
        visit = self._visit()
        visit.tool_ids = [Command.link(tool.id)]
        self.assertEqual(tool.aftersales_visit_count, 1)
        self.env["maintenance.request"].create(
            {
                "name": "Calibrate",
                "equipment_id": tool.id,
                "maintenance_type": "preventive",
                "schedule_date": "2026-09-01 08:00:00",
            }
        )
        self.assertEqual(tool.aftersales_next_preventive_date.isoformat(), "2026-09-01")


@tagged("post_install", "-at_install")
class TestMaintenance(FieldServiceCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.product_camera.aftersales_maintenance_required = True
        cls.company.aftersales_maintenance_user_id = cls.engineer

    def test_steps_bounded_by_the_warranty(self):
        self._sold_camera()  # cameras: 12-month warranty
        six_months = self.env["aftersales.warranty.policy"].create({"name": "6 months", "duration": 6})
        self.product_switcher.aftersales_maintenance_required = True
        self.product_switcher.aftersales_warranty_policy_id = six_months
        self.sell([(self.product_switcher, 1, 1000.0)])
        with freeze_time("2026-03-05"):
            self.Maintenance._cron_plan_maintenance()
            camera_rows = self.Maintenance.search([("product_id", "=", self.product_camera.id)])
            self.assertEqual(camera_rows.mapped("operating_hours"), [100, 600, 1200, 1800, 2400])
            self.assertEqual(
                camera_rows[0].due_from.isoformat(), "2026-03-11", "about 10 days after the start"
            )
            switcher_rows = self.Maintenance.search([("product_id", "=", self.product_switcher.id)])
            self.assertEqual(
                switcher_rows.mapped("operating_hours"), [100, 600, 1200], "6 months: the first ones only"
            )
            # twice, and through the scheduled action: no duplicates
            self.Maintenance._cron_plan_maintenance()
            self.env.ref("aftersales_service.ir_cron_aftersales_maintenance").method_direct_trigger()
        self.assertEqual(self.Maintenance.search_count([("product_id", "=", self.product_camera.id)]), 5)
        self.assertEqual(self.Maintenance.search_count([("product_id", "=", self.product_switcher.id)]), 3)

    def test_visit_scheduled_ahead_missed_and_pulled_forward(self):
        self._sold_camera()
        with freeze_time("2026-03-05"):
            planned, scheduled = self.Maintenance._cron_plan_maintenance()
        first = planned.filtered(lambda r: r.operating_hours == 100)
        self.assertEqual(scheduled, first, "the window opens within a week")
        self.assertEqual(first.state, "scheduled")
        visit = first.visit_id
        self.assertEqual(
            (visit.kind, visit.state, visit.user_id), ("maintenance", "scheduled", self.engineer)
        )
        self.assertTrue(
            visit.message_ids.filtered(lambda m: visit.name in (m.subject or "")), "customer told"
        )
        # the customer was not there: the window passes, the step is missed
        with freeze_time("2026-03-20"):
            self.Maintenance._cron_plan_maintenance()
        self.assertEqual(first.state, "missed")
        # a repair visit reads 700 operating hours: the 600 h step is due now
        step_600 = planned.filtered(lambda r: r.operating_hours == 600)
        with freeze_time("2026-04-01 09:00:00"):
            repair = self.Visit.with_user(self.engineer).create(
                {
                    "partner_id": self.customer.id,
                    "product_id": self.product_camera.id,
                    "lot_id": first.lot_id.id,
                    "warranty_id": first.warranty_id.id,
                    "user_id": self.engineer.id,
                    "appointment_start": "2026-04-01 10:00:00",
                    "appointment_end": "2026-04-01 11:00:00",
                }
            )
            repair.action_schedule()
            repair.action_arrive()
            self._complete_report(repair, operating_hours=700)
            repair.action_done()
        self.assertTrue(step_600.pulled_forward)
        self.assertEqual(step_600.due_from.isoformat(), "2026-04-01")

    def test_duplicate_rows_refused(self):
        self._sold_camera()
        with freeze_time("2026-03-05"):
            planned, _scheduled = self.Maintenance._cron_plan_maintenance()
        row = planned[0]
        with self.assertRaises(IntegrityError), self.cr.savepoint(), mute_logger("odoo.sql_db"):
            self.Maintenance.create(
                {
                    "company_id": row.company_id.id,
                    "warranty_id": row.warranty_id.id,
                    "partner_id": row.partner_id.id,
                    "product_id": row.product_id.id,
                    "operating_hours": row.operating_hours,
                    "due_from": row.due_from,
                    "due_to": row.due_to,
                }
            )

    # ------------------------------------------------------------------ F-7 wear parts
    def test_wear_parts_get_reorder_rules_from_settings(self):
        self.company.write({"aftersales_wear_part_min": 4.0, "aftersales_wear_part_max": 12.0})
        self.product_psu.aftersales_wear_part = True
        location = self.company._aftersales_service_location()
        orderpoint = self.env["stock.warehouse.orderpoint"].search(
            [("product_id", "=", self.product_psu.id), ("location_id", "=", location.id)]
        )
        self.assertEqual((orderpoint.product_min_qty, orderpoint.product_max_qty), (4.0, 12.0))
        self.company.aftersales_wear_part_min = 6.0
        self.assertEqual(orderpoint.product_min_qty, 6.0, "follows the settings")
        self.product_psu.aftersales_wear_part = False
        self.assertFalse(orderpoint.active)
        with self.assertRaises(ValidationError):
            self.company.write({"aftersales_wear_part_min": 10.0, "aftersales_wear_part_max": 2.0})
        action = self.env.ref("aftersales_service.stock_orderpoint_action_wear_parts")
        self.assertIn("aftersales_wear_part", action.domain)


@tagged("post_install", "-at_install")
class TestFieldVisitPortal(FieldServiceCommon, HttpCase):
    def _sign_request(self, visit, token=None, **params):
        query = f"?access_token={token}" if token else ""
        return self.url_open(
            f"/my/visits/{visit.id}/sign{query}",
            data=json.dumps({"params": params}),
            headers={"Content-Type": "application/json"},
        ).json()["result"]

    def test_customer_signs_the_service_report_on_the_portal(self):
        visit = self._visit(distance_km=10)
        visit.write({"appointment_start": "2026-04-02 08:00:00", "appointment_end": "2026-04-02 10:00:00"})
        visit.action_schedule()
        foreign = self._visit(distance_km=10)
        foreign.partner_id = self.customer_2
        self.authenticate("as_portal", "as_portal")
        page = self.url_open("/my/visits")
        self.assertEqual(page.status_code, 200)
        self.assertIn(visit.name, page.text)
        self.assertNotIn(foreign.name, page.text)
        self.assertEqual(
            self.url_open(f"/my/visits/{foreign.id}").status_code, 404, "others' visits: not found"
        )
        self.assertEqual(self.url_open("/my/visits/abc").status_code, 404)
        # not on site yet: nothing to sign
        result = self._sign_request(visit, name="Anna Customer", signature=SIGNATURE.decode())
        self.assertIn("error", result)
        visit.action_arrive()
        detail = self.url_open(f"/my/visits/{visit.id}")
        self.assertIn("Sign the service report", detail.text)
        self.assertIn(
            "Invalid visit", self._sign_request(foreign, name="x", signature=SIGNATURE.decode())["error"]
        )
        self.assertIn("error", self._sign_request(visit, name="", signature=SIGNATURE.decode()))
        self.assertFalse(visit.signature, "nothing written on bad input")
        result = self._sign_request(visit, name="Anna Customer", signature=SIGNATURE.decode())
        self.assertTrue(result.get("force_refresh"), result)
        visit.invalidate_recordset()
        self.assertEqual(visit.signed_by, "Anna Customer")
        self.assertTrue(visit.signature)
        self.assertTrue(visit.signed_on)
        # a customer following the link of the appointment email (token, not logged in)
        self.logout()
        token = visit._portal_ensure_token()
        self.assertEqual(self.url_open(f"/my/visits/{visit.id}?access_token={token}").status_code, 200)
        self.assertIn(
            "error", self._sign_request(visit, token="wrong", name="x", signature=SIGNATURE.decode())
        )


@tagged("post_install", "-at_install")
class TestUnitFile(FieldServiceCommon):
    def test_serial_shows_its_after_sales_file(self):
        visit = self._visit()
        lot = visit.lot_id.with_user(self.aftersales_user)
        self.assertEqual(lot.aftersales_warranty_count, 1)
        self.assertEqual(lot.aftersales_case_count, 1)
        self.assertEqual(lot.aftersales_visit_count, 1)
        action = lot.with_context(aftersales_kind="visit").action_view_aftersales_file()
        self.assertEqual(self.env[action["res_model"]].search(action["domain"]), visit)
        # the serial stays readable for a warehouse user without after-sales rights
        stock_user = new_test_user(self.env, login="as_stock_lot", groups="stock.group_stock_user")
        self.assertTrue(visit.lot_id.with_user(stock_user).read(["name"]))

    def test_maintenance_users_keep_reading_equipment(self):
        tool = self.env["maintenance.equipment"].create({"name": "Crimping tool", "aftersales_is_tool": True})
        maintenance_user = new_test_user(
            self.env, login="as_maint", groups="base.group_user,maintenance.group_equipment_manager"
        )
        as_user = tool.with_user(maintenance_user)
        readable = as_user.check_field_access_rights("read", None)
        self.assertNotIn("aftersales_visit_count", readable)
        self.assertTrue(as_user.read(["name", "aftersales_is_tool", "aftersales_service_life_end"]))
        as_user.get_views([(False, "form"), (False, "list")])
