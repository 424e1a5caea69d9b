"""Buttons and screens that failed for the role that sees them: portal downloads, the field
service analysis, an After-Sales user cancelling their own draft return."""

import re

from lxml import etree

from odoo import models
from odoo.exceptions import UserError
from odoo.tests import HttpCase, freeze_time, tagged
from odoo.tools.safe_eval import safe_eval

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
            [("id", "=", visit.id)], ["user_id"], ["parts_cost:sum", "on_time_rate:avg", "labour_hours:sum"]
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


@tagged("post_install", "-at_install")
class TestNextStep(ReturnHelpers, FieldServiceCommon):
    """Each state offers its next step, and no button that the action then refuses."""

    def _form_buttons(self, record, user):
        """The header buttons ``user`` sees on ``record``'s form (Odoo's own modifiers)."""
        record = record.with_user(user)
        view = record.get_views([(False, "form")])["views"]["form"]
        arch = etree.fromstring(view["arch"])
        shown = []
        for button in arch.xpath("//header/button"):
            invisible = button.get("invisible")
            if invisible and self._eval(invisible, record):
                continue
            shown.append(button.get("string"))
        return shown

    def _eval(self, expr, record):
        names = {name: record[name] for name in re.findall(r"[a-z_]+", expr) if name in record._fields}
        for name, value in names.items():
            if isinstance(value, models.BaseModel):
                names[name] = value.id
        return safe_eval(expr, dict(names, id=record.id))

    def test_case_buttons_by_state(self):
        case = self.new_case(user_id=self.aftersales_user.id, partner_id=False, email_from="x@example.com")
        case.action_start()
        self.assertIn("Resolve", self._form_buttons(case, self.aftersales_user))
        # Resolve asks for the outcome and the note in one step
        action = self.env.ref("aftersales_service.aftersales_case_resolve_wizard_action")
        self.assertEqual(action.res_model, "aftersales.case.resolve.wizard")
        wizard = (
            self.env["aftersales.case.resolve.wizard"]
            .with_user(self.aftersales_user)
            .with_context(default_case_id=case.id)
            .create({"resolution": "advice", "resolution_note": "<p>Reset to factory settings</p>"})
        )
        wizard.action_resolve()
        self.assertEqual(case.state, "resolved")
        self.assertEqual(case.resolution, "advice")
        self.assertIn("Reset to factory settings", case.resolution_note)
        # resolved without a customer: nobody was asked to rate; Close waits for the reason,
        # Cancel is gone (a resolved case is closed or reopened)
        buttons = self._form_buttons(case, self.aftersales_user)
        self.assertNotIn("Close", buttons)
        self.assertNotIn("Cancel", buttons)
        self.assertIn("Reopen", buttons)
        with self.assertRaises(UserError), self.env.cr.savepoint():
            case.with_user(self.aftersales_user).action_cancel()
        case.with_user(self.aftersales_user).no_rating_reason = "Walk-in customer, no contact"
        self.assertIn("Close", self._form_buttons(case, self.aftersales_user))
        case.with_user(self.aftersales_user).action_close()
        self.assertEqual(case.state, "closed")

    def test_return_buttons_by_state(self):
        self.company.aftersales_refund_threshold = 0.0
        self.aftersales_manager.groups_id += self.env.ref("stock.group_stock_user")
        order = self.sell([(self.product_psu, 2, 20.0)])
        with freeze_time("2026-03-10"):
            ret = self._new_return(order, {order.order_line: 1})
        self.assertNotIn("Refuse", self._form_buttons(ret, self.aftersales_manager), "a draft is not refused")
        self.assertIn("Cancel", self._form_buttons(ret, self.aftersales_user))
        with freeze_time("2026-03-10"):
            ret.action_submit()
        self.assertEqual(ret.state, "waiting_goods")
        buttons = self._form_buttons(ret, self.aftersales_manager)
        self.assertIn("Receive the Goods", buttons)
        action = ret.with_user(self.aftersales_manager).action_view_pickings()
        self.assertEqual(action["res_model"], "stock.picking")
        self.assertNotIn(
            "Receive the Goods", self._form_buttons(ret, self.aftersales_user), "stock users only"
        )


@tagged("post_install", "-at_install")
class TestPortalOwnDocuments(ReturnHelpers, FieldServiceCommon, HttpCase):
    def test_internal_user_sees_their_own_on_the_portal(self):
        """/my lists the user's own documents, as Odoo's portal lists orders: an agent, whose
        record rules open every case of the company, does not get them all on the portal."""
        self.new_case(subject="Customer camera case")
        self.authenticate("as_user", "as_user")
        page = self.url_open("/my/cases")
        self.assertEqual(page.status_code, 200)
        self.assertNotIn("Customer camera case", page.text)
        self.authenticate("as_portal", "as_portal")
        self.assertIn("Customer camera case", self.url_open("/my/cases").text)

    def test_portal_pages_have_their_breadcrumb(self):
        case = self.new_case(subject="Breadcrumb case")
        order = self.sell([(self.product_camera, 1, 200.0)])
        warranty = order.aftersales_warranty_ids
        self.authenticate("as_portal", "as_portal")
        for url, list_url, name in (
            (f"/my/cases/{case.id}", "/my/cases", case.name),
            (f"/my/warranties/{warranty.id}", "/my/warranties", warranty.name),
        ):
            with self.subTest(url=url):
                page = self.url_open(url).text
                crumbs = re.search(r'<ol class="o_portal_submenu breadcrumb[^"]*">(.*?)</ol>', page, re.S)
                self.assertTrue(crumbs, "a breadcrumb")
                self.assertIn(f'href="{list_url}"', crumbs.group(1))
                self.assertIn(name, crumbs.group(1))

    def test_portal_tiles_have_portal_sized_icons(self):
        """The tiles on /my carry 64 px icons like Odoo's own (sale's bag.svg), not the
        230 px app icon."""
        self.authenticate("as_portal", "as_portal")
        page = self.url_open("/my")
        self.assertEqual(page.status_code, 200)
        self.assertNotIn("/aftersales_service/static/description/icon.png", page.text)
        icons = set(re.findall(r'src="(/aftersales_service/static/[^"]+)"', page.text))
        self.assertGreaterEqual(len(icons), 4, page.text[:500])
        for icon in icons:
            with self.subTest(icon=icon):
                svg = self.url_open(icon)
                self.assertEqual(svg.status_code, 200)
                self.assertIn('width="64" height="64"', svg.text)


@tagged("post_install", "-at_install")
class TestAmountsWithCurrency(FieldServiceCommon):
    def test_every_amount_shows_its_currency(self):
        """A monetary field on a list, form or kanban of the addon has its currency in the view,
        as Odoo's monetary widget needs it to print the amount with its symbol."""
        views = self.env["ir.ui.view"].search(
            [
                ("type", "in", ("list", "form", "kanban")),
                ("model", "like", "aftersales.%"),
                ("inherit_id", "=", False),
            ]
        )
        missing = []
        for view in views:
            Model = self.env[view.model]
            arch = etree.fromstring(Model.get_views([(view.id, view.type)])["views"][view.type]["arch"])
            own = [
                node
                for node in arch.iter("field")
                if next(node.iterancestors("list", "form", "kanban"), arch) is arch
            ]
            names = {node.get("name") for node in own}
            for name in names:
                field = Model._fields.get(name)
                if field and field.type == "monetary":
                    currency = field.get_currency_field(Model)
                    if currency not in names:
                        missing.append(f"{view.xml_id or view.name}: {name} without {currency}")
        self.assertFalse(missing)


@tagged("post_install", "-at_install")
class TestCustomerDocuments(ReturnHelpers, FieldServiceCommon):
    """The PDFs a customer gets are complete documents."""

    def _html(self, report, records):
        return self.env["ir.actions.report"]._render_qweb_html(report, records.ids)[0].decode()

    def test_return_slip_is_a_label(self):
        self.company.aftersales_refund_threshold = 0.0
        self.customer.write({"street": "Storgatan 1", "city": "Lund", "zip": "22350"})
        order = self.sell([(self.product_psu, 2, 20.0)])
        with freeze_time("2026-03-10"):
            ret = self._new_return(order, {order.order_line: 1})
            ret.line_ids.reason = "Hums loudly"
            ret.action_submit()
        html = self._html("aftersales_service.action_report_return_slip", ret)
        warehouse_partner = ret._aftersales_return_address()
        self.assertTrue(warehouse_partner)
        self.assertIn("Send the parcel to", html)
        self.assertIn(warehouse_partner.name, html)
        self.assertIn("Storgatan 1", html, "the customer's address")
        self.assertIn(f"/report/barcode/Code128/{ret.name}", html, "the RMA barcode")
        self.assertIn("Hums loudly", html)
        self.assertIn(self.product_psu.name, html)

    def test_service_report_prints_what_was_done(self):
        visit = self._visit(distance_km=10)
        visit.write({"appointment_start": "2026-04-02 08:00:00", "appointment_end": "2026-04-02 10:00:00"})
        visit.action_schedule()
        visit.action_arrive()
        visit.check_ids[:1].write({"done": True, "result": "ok"})
        self._complete_report(visit)
        visit.action_done()
        html = self._html("aftersales_service.action_report_field_visit", visit)
        self.assertNotIn("Nameplate", html, "no empty heading")
        self.assertNotIn("Not signed yet", html, "a done visit is signed")
        self.assertIn("Not inspected", html, "an item without result says so")
        self.assertIn("OK", html)
        self.assertFalse(re.search(r"\b\d{1,2}:\d{2}:\d{2}\b", html), "times without seconds")

    def test_certificate_states_the_terms(self):
        order = self.sell([(self.product_camera, 1, 200.0)])
        warranty = order.aftersales_warranty_ids
        html = self._html("aftersales_service.action_report_warranty_certificate", warranty)
        self.assertIn("What is covered", html)
        self.assertIn("What is not covered", html)
        self.assertIn(self.exclusions[0].name, html)
        self.assertIn("How to claim", html)
        self.assertIn("Report a problem", html)
        self.assertIn(warranty.name, html)
        self.assertIn("12", html)  # the term: 12 months


@tagged("post_install", "-at_install")
class TestOverview(ReturnHelpers, FieldServiceCommon):
    def test_overview_tells_what_waits_and_opens_it(self):
        with freeze_time("2026-06-01 09:00:00"):
            unassigned = self.new_case(subject="Nobody took me")
            late = self.new_case(subject="Late", user_id=self.aftersales_user.id)
        self.company.aftersales_refund_threshold = 0.0
        waiting_before = self.env["aftersales.return"].search([("state", "=", "to_approve")])
        order = self.sell([(self.product_psu, 2, 20.0)])
        with freeze_time("2026-05-20"):
            ret = self._new_return(order, {order.order_line: 1}, approval_reason="Customer insists")
            ret.action_submit()
        self.assertEqual(ret.state, "to_approve")
        with freeze_time("2026-06-10 09:00:00"):
            team = self.team.with_user(self.aftersales_manager)
            self.assertEqual(team.overview_unassigned_count, 1)
            self.assertEqual(team.overview_breached_count, 2, "both past their first-response deadline")
            self.assertEqual(team.overview_returns_to_approve_count, len(waiting_before) + 1)
            for kind, expected in (("unassigned", unassigned), ("breached", unassigned | late)):
                action = team.with_context(overview=kind).action_open_overview()
                self.assertEqual(self.env[action["res_model"]].search(action["domain"]), expected)
            action = team.with_context(overview="returns_to_approve").action_open_overview()
            self.assertEqual(self.env[action["res_model"]].search(action["domain"]), waiting_before | ret)
            # the searchable timer status: "not breached" is the complement of "breached"
            Case = self.env["aftersales.case"]
            cases = unassigned | late
            self.assertEqual(Case.search([("id", "in", cases.ids), ("sla_status", "=", "breached")]), cases)
            self.assertFalse(Case.search([("id", "in", cases.ids), ("sla_status", "!=", "breached")]))
            fresh = self.new_case(subject="Just in")
            self.assertIn(
                fresh, Case.search([("sla_status", "!=", "breached")]), "a fresh case is not breached"
            )
        arch = team.get_views([(self.env.ref("aftersales_service.aftersales_team_view_kanban").id, "kanban")])
        kanban = arch["views"]["kanban"]["arch"]
        for kind in ("unassigned", "at_risk", "breached", "visits_today", "returns_to_approve"):
            self.assertIn(f"'overview': '{kind}'", kanban)

    def test_times_without_seconds_and_references_in_full(self):
        """Datetimes on the addon's screens show no seconds; the reference column of the main
        lists is wide enough for "CASE/2026/00001"."""
        views = self.env["ir.ui.view"].search(
            [
                ("type", "in", ("list", "form", "kanban")),
                ("model", "like", "aftersales.%"),
                ("inherit_id", "=", False),
            ]
        )
        with_seconds = []
        for view in views:
            Model = self.env[view.model]
            arch = etree.fromstring(Model.get_views([(view.id, view.type)])["views"][view.type]["arch"])
            for node in arch.iter("field"):
                if next(node.iterancestors("list", "form", "kanban"), arch) is not arch:
                    continue
                field = Model._fields.get(node.get("name"))
                if (
                    field
                    and field.type == "datetime"
                    and node.get("invisible") not in ("1", "True")
                    and node.get("widget") in (None, "datetime")  # e.g. remaining_days shows no time
                ):
                    if "'show_seconds': false" not in (node.get("options") or "").replace('"', "'"):
                        with_seconds.append(f"{view.xml_id}: {field.name}")
        self.assertFalse(with_seconds)
        for model in ("aftersales.case", "aftersales.return", "aftersales.warranty", "aftersales.complaint"):
            arch = etree.fromstring(self.env[model].get_views([(False, "list")])["views"]["list"]["arch"])
            self.assertEqual(arch.xpath("//field[@name='name']")[0].get("width"), "150px", model)

    def test_complaints_have_a_subject(self):
        case = self.new_case(category="complaint", subject="Dome cracked on arrival")
        action = case.with_user(self.aftersales_user).action_create_complaint()
        complaint = self.env["aftersales.complaint"].browse(action["res_id"])
        self.assertEqual(complaint.subject, "Dome cracked on arrival")
        found = self.env["aftersales.complaint"].name_search("Dome cracked")
        self.assertIn(complaint.id, [complaint_id for complaint_id, _name in found], "found by its subject")
