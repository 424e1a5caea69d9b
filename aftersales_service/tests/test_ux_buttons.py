"""Buttons and screens that failed for the role that sees them: portal downloads, the field
service analysis, an After-Sales user cancelling their own draft return."""

import re

from odoo.tests import HttpCase, freeze_time, tagged

from .common import ReturnHelpers
from .test_field_service import FieldServiceCommon


@tagged("post_install", "-at_install")
class TestPortalDownloads(ReturnHelpers, FieldServiceCommon, HttpCase):
    def test_every_download_button_gives_the_document(self):
        self.company.aftersales_refund_threshold = 0.0
        order = self.sell([(self.product_camera, 1, 200.0)])
        warranty = order.aftersales_warranty_ids
        psu_order = self.sell([(self.product_psu, 2, 20.0)])
        with freeze_time("2026-03-10"):
            ret = self._new_return(psu_order, {psu_order.order_line: 1})
            ret.action_submit()
        visit = self._visit()
        self.authenticate("as_portal", "as_portal")
        for url, name in (
            (f"/my/warranties/{warranty.id}", f"Warranty - {warranty.name}"),
            (f"/my/returns/{ret.id}", f"Return Slip - {ret.name}"),
            (f"/my/visits/{visit.id}", f"Service Report - {visit.name}"),
        ):
            with self.subTest(url=url):
                response = self.url_open(f"{url}?report_type=pdf&download=true")
                self.assertEqual(response.status_code, 200, response.text[:300])
                disposition = response.headers.get("Content-Disposition", "")
                self.assertIn("attachment", disposition)
                self.assertIn(re.sub(r"\W+", "_", name), disposition)


@tagged("post_install", "-at_install")
class TestBackOfficeButtons(ReturnHelpers, FieldServiceCommon):
    def test_field_service_analysis_opens(self):
        """The pivot's measures are aggregatable (stored), as the analysis view asks for."""
        visit = self._visit()
        visit.sudo().write(
            {"no_parts_replaced": False, "part_ids": [(0, 0, {"product_id": self.product_psu.id})]}
        )
        Visit = self.env["aftersales.field.visit"].with_user(self.aftersales_manager)
        groups = Visit._read_group(
            [], ["user_id"], ["parts_cost:sum", "on_time_rate:avg", "labour_hours:sum"]
        )
        self.assertAlmostEqual(sum(g[1] for g in groups), 8.0, msg="the part at its cost")
        view = Visit.get_views([(False, "pivot")])["views"]["pivot"]["arch"]
        for measure in ("parts_cost", "labour_hours", "on_time_rate"):
            if measure in view:
                self.assertTrue(Visit._fields[measure].store, measure)

    def test_user_cancels_their_own_draft_return(self):
        self.company.aftersales_refund_threshold = 0.0
        agent = self.engineer  # an After-Sales user without invoicing rights
        order = self.sell([(self.product_psu, 2, 20.0)])
        with freeze_time("2026-03-10"):
            ret = self._new_return(order, {order.order_line: 1}, user=agent)
            self.assertTrue(ret.can_cancel)
            ret.action_cancel()
        self.assertEqual(ret.state, "cancelled")


@tagged("post_install", "-at_install")
class TestCaseKanban(FieldServiceCommon):
    def test_columns_in_workflow_order_done_ones_folded(self):
        self.new_case()
        Case = self.env["aftersales.case"].with_user(self.aftersales_user)
        groups = Case.web_read_group([], ["state"], ["state"])["groups"]
        self.assertEqual(
            [g["state"] for g in groups],
            ["new", "assigned", "in_progress", "waiting_customer", "resolved", "closed", "cancelled"],
            "every state, in the workflow's order, even without cases",
        )
        self.assertEqual([g["state"] for g in groups if g["__fold"]], ["closed", "cancelled"])
