"""Issue 26, item 4: customers follow the repair of their units on the portal (C-7). Portal
users do not read ``repair.order``: the pages show the customer's own after-sales repairs only,
the milestones they were told (the diagnosis text once told), and read on a read-only cursor."""

from contextlib import contextmanager
from datetime import datetime
from unittest.mock import patch

from odoo import http
from odoo.tests import HttpCase, freeze_time, tagged

from .common import CaseCommon

RECEIVED = "2026-03-10 10:00:00"  # 11:00 in Stockholm
DIAGNOSED = "2026-03-10 15:00:00"  # 16:00 in Stockholm
PROMISED = datetime(2026, 3, 17, 12, 0)  # 13:00 in Stockholm
REPAIRED = "2026-03-12 09:00:00"  # 10:00 in Stockholm


@tagged("post_install", "-at_install")
class TestRepairPortal(CaseCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.portal_user.tz = "Europe/Stockholm"
        cls.repair, cls.case = cls._case_repair(cls.customer)
        cls.other_repair, _other_case = cls._case_repair(cls.customer_2)
        # a repair that is no after-sales one (no case, never received): not the customer's business
        cls.plain_repair = cls.env["repair.order"].create(
            {"partner_id": cls.customer.id, "product_id": cls.product_psu.id}
        )

    @classmethod
    def _case_repair(cls, partner):
        order = cls.sell([(cls.product_camera, 1, 200.0)], partner=partner)
        lot = order.picking_ids.move_ids.move_line_ids.lot_id
        with freeze_time(RECEIVED):
            case = cls.new_case(
                partner_id=partner.id,
                sale_order_id=order.id,
                product_id=cls.product_camera.id,
                lot_id=lot.id,
            )
            action = case.with_user(cls.aftersales_user).action_create_repair()
        return cls.env["repair.order"].browse(action["res_id"]), case

    @contextmanager
    def _cursors(self):
        """The cursors the routes rendered on (True: read-only), with no read/write retry."""
        seen = []
        render = http.Request.render

        def record_render(request, *args, **kwargs):
            seen.append(request.env.cr.readonly)
            return render(request, *args, **kwargs)

        with (
            patch.object(http.Request, "render", record_render),
            self.assertNoLogs("odoo.http", level="WARNING"),
        ):
            yield seen

    def _get(self, url, status=200):
        with self._cursors() as seen:
            response = self.url_open(url)
        self.assertEqual(response.status_code, status, url)
        if status == 200:
            self.assertEqual(seen, [True], f"{url}: rendered once, on a read-only cursor")
        return response

    def test_list_shows_own_after_sales_repairs_only(self):
        self.assertEqual(self.repair.aftersales_case_id, self.case)
        self.assertEqual(self.repair.aftersales_received_date, datetime(2026, 3, 10, 10, 0))
        self.assertFalse(self.plain_repair.aftersales_received_date)
        self.authenticate("as_portal", "as_portal")
        page = self._get("/my/repairs")
        self.assertIn(f"/my/repairs/{self.repair.id}", page.text)
        self.assertIn(self.repair.lot_id.name, page.text)
        self.assertIn(self.case.name, page.text)
        self.assertIn("03/10/2026", page.text, "received on, in the customer's timezone")
        self.assertNotIn(f"/my/repairs/{self.other_repair.id}", page.text, "another customer's")
        self.assertNotIn(f"/my/repairs/{self.plain_repair.id}", page.text, "not an after-sales repair")
        self._get("/my/repairs/page/2")

    def test_detail_shows_the_milestones_as_told(self):
        repair = self.repair
        repair.aftersales_diagnosis = "The lens motor is worn out."
        repair.internal_notes = "Internal: customer dropped it"
        self.authenticate("as_portal", "as_portal")
        url = f"/my/repairs/{repair.id}"
        page = self._get(url)
        self.assertIn(repair.product_id.display_name, page.text)
        self.assertIn(repair.lot_id.name, page.text)
        self.assertIn(self.case.name, page.text)
        self.assertIn("03/10/2026 11:00:00", page.text, "received, in the customer's timezone")
        self.assertIn("The unit is being tested.", page.text)
        self.assertNotIn("lens motor", page.text, "the diagnosis is not shown before it is told")
        self.assertNotIn("Internal: customer dropped it", page.text)
        self.assertNotIn("Promised repair date", page.text)

        with freeze_time(DIAGNOSED):
            repair.action_aftersales_diagnosis_told()
        page = self._get(url)
        self.assertIn("The lens motor is worn out.", page.text, "told: shown")
        self.assertIn("03/10/2026 16:00:00", page.text)
        self.assertIn("Diagnosed", page.text)
        self.assertNotIn("Internal: customer dropped it", page.text)

        repair.aftersales_promised_date = PROMISED
        page = self._get(url)
        self.assertIn("Promised repair date", page.text)
        self.assertIn("03/17/2026 13:00:00", page.text)

        with freeze_time(REPAIRED):
            repair.action_validate()
            repair.action_repair_start()
            repair.action_repair_end()
        self.assertEqual(repair.state, "done")
        page = self._get(url)
        self.assertIn("Your unit is ready.", page.text)
        self.assertIn("03/12/2026 10:00:00", page.text)

    def test_others_and_strangers_get_not_found(self):
        self.authenticate("as_portal", "as_portal")
        self._get(f"/my/repairs/{self.other_repair.id}", status=404)
        self._get(f"/my/repairs/{self.plain_repair.id}", status=404)
        self._get("/my/repairs/abc", status=404)
        self._get("/my/repairs/999999999", status=404)
        self.authenticate(None, None)
        self._get(f"/my/repairs/{self.repair.id}", status=404)
        listing = self.url_open("/my/repairs")
        self.assertIn("/web/login", listing.url, "the list asks to log in")
        self.assertNotIn(self.repair.name, listing.text)

    def test_home_counter_and_tile(self):
        self.authenticate("as_portal", "as_portal")
        home = self.url_open("/my/home")
        self.assertIn("/my/repairs", home.text)
        self.assertIn("portal_repair.svg", home.text)
        with self.assertNoLogs("odoo.http", level="WARNING"):
            counters = self.make_jsonrpc_request("/my/counters", {"counters": ["aftersales_repair_count"]})
        self.assertEqual(counters["aftersales_repair_count"], 1, "own after-sales repairs only")

    def test_case_page_lists_its_repairs(self):
        self.authenticate("as_portal", "as_portal")
        page = self._get(f"/my/cases/{self.case.id}")
        self.assertIn("o_aftersales_case_repairs", page.text)
        self.assertIn(f"/my/repairs/{self.repair.id}", page.text)
        self.assertIn("Received", page.text)
        self.assertNotIn(f"/my/repairs/{self.other_repair.id}", page.text)
