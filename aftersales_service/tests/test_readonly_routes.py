"""Issue 27: what only reads is declared read-only, the way Odoo 18 does it, so that a server
started with ``--db_replica_host`` serves it from the replica; and nothing declared read-only
writes.

In tests Odoo opens a route's read-only cursor as ``SET TRANSACTION READ ONLY`` (its test cursor
simulates the replica): a write there fails, and Odoo logs "retrying with a read/write cursor"
and runs the route again on the primary. Each check below records the cursors a route rendered
on and refuses that warning."""

from contextlib import contextmanager
from unittest.mock import patch

import odoo
from odoo import http
from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from ..controllers.portal import readonly_unless_just_written
from .common import CaseCommon, ReturnHelpers

JUST_WRITTEN = "read/write right after the customer's own write"

# every route of the addon, by endpoint: read-only, read/write, or read-only unless it is the
# page shown right after the customer's own write (a new route must be classified here)
ROUTES = {
    # cases (C-1)
    "portal_my_cases": True,
    "portal_my_case": JUST_WRITTEN,
    "portal_case_new": True,
    "portal_case_create": False,
    # warranties and certificates (W)
    "portal_my_warranties": True,
    "portal_my_warranty": JUST_WRITTEN,
    # returns and slips (R)
    "portal_my_returns": True,
    "portal_my_return": JUST_WRITTEN,
    "portal_return_new": True,
    "portal_return_create": False,
    "portal_my_return_label": True,
    # compensation offers
    "portal_my_compensations": True,
    "portal_my_compensation": JUST_WRITTEN,
    "portal_compensation_decide": False,
    # field visits and service reports (F)
    "portal_my_visits": True,
    "portal_my_visit": JUST_WRITTEN,
    "portal_visit_sign": False,
    # repairs in the workshop (C-7, issue 26)
    "portal_my_repairs": True,
    "portal_my_repair": JUST_WRITTEN,
    # registered units (W-1, W-2 for units bought elsewhere)
    "portal_my_registrations": True,
    "portal_my_registration": JUST_WRITTEN,
    "portal_registration_new": True,
    "portal_registration_create": False,
    # service contracts (C-5 type B)
    "portal_my_contracts": True,
    "portal_my_contract": JUST_WRITTEN,
    # ratings (V-5)
    "rating_form": True,
    "rating_submit": False,
}

# public methods the web client calls that only read: @api.readonly (a replica serves the call)
READONLY_METHODS = {
    "aftersales.warranty": ["find_covering_warranty", "action_view_repairs"],
    "aftersales.case": ["action_view_repairs", "action_view_invoices", "action_view_field_visits"],
    "aftersales.return": [
        "action_view_pickings",
        "action_view_credit_notes",
        "action_view_vendor_refunds",
        "action_print_label",
        "action_find_sale_lines",
    ],
    "aftersales.team": ["action_view_cases", "action_open_overview"],
    "aftersales.warranty.policy": ["action_view_warranties"],
    "aftersales.revisit": ["action_open_survey"],
    "aftersales.field.visit": ["action_print_report"],
    "account.move": ["action_view_aftersales_returns"],
    "stock.lot": ["action_view_aftersales_file"],
    "res.partner": [
        "action_view_aftersales_revisits",
        "action_view_aftersales_cases",
        "action_view_aftersales_returns",
        "action_view_aftersales_warranties",
        "action_view_aftersales_file",
    ],
    "sale.order": [
        "action_view_aftersales_cases",
        "action_view_aftersales_returns",
        "action_view_aftersales_warranties",
    ],
}


@tagged("post_install", "-at_install")
class TestReadonlyRoutes(CaseCommon, ReturnHelpers, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.aftersales_refund_threshold = 0.0
        cls.order = cls.sell([(cls.product_camera, 1, 200.0), (cls.product_psu, 2, 20.0)])
        cls.warranty = cls.order.aftersales_warranty_ids[:1]
        cls.case = cls.new_case(sale_order_id=cls.order.id)
        psu_line = cls.order.order_line.filtered(lambda sl: sl.product_id == cls.product_psu)
        cls.ret = cls._new_return(cls, cls.order, {psu_line: 1})

    def _addon_routes(self):
        """{endpoint name: routing} of the routes whose method the addon defines."""
        IrHttp = self.env["ir.http"]
        modules = sorted(self.registry._init_modules | set(odoo.conf.server_wide_modules))
        routes = {}
        for _url, endpoint in IrHttp._generate_routing_rules(modules, converters=IrHttp._get_converters()):
            module = getattr(endpoint, "original_endpoint", endpoint).__module__ or ""
            if module.startswith("odoo.addons.aftersales_service."):
                routes[endpoint.__name__] = endpoint.routing
        return routes

    def test_every_route_is_declared(self):
        routes = self._addon_routes()
        self.assertEqual(set(routes), set(ROUTES), "every route of the addon is classified here")
        for name, expected in ROUTES.items():
            readonly = routes[name]["readonly"]
            if expected == JUST_WRITTEN:
                self.assertIs(readonly, readonly_unless_just_written, name)
                self.assertEqual(routes[name]["methods"], ["GET"], f"{name} only answers GET")
            else:
                self.assertIs(readonly, expected, name)

    def test_readonly_methods_are_declared(self):
        for model, methods in READONLY_METHODS.items():
            for method in methods:
                function = getattr(type(self.env[model]), method)
                self.assertTrue(getattr(function, "_readonly", False), f"{model}.{method} is @api.readonly")

    @contextmanager
    def _cursors(self):
        """The cursors the routes rendered on (True: read-only), with no read/write retry."""
        seen = []
        render, show_report = http.Request.render, CustomerPortal._show_report

        def record_render(request, *args, **kwargs):
            seen.append(request.env.cr.readonly)
            return render(request, *args, **kwargs)

        def record_report(controller, *args, **kwargs):
            seen.append(http.request.env.cr.readonly)
            return show_report(controller, *args, **kwargs)

        with (
            patch.object(http.Request, "render", record_render),
            patch.object(CustomerPortal, "_show_report", record_report),
            self.assertNoLogs("odoo.http", level="WARNING"),
        ):
            yield seen

    def _get(self, url, status=200):
        with self._cursors() as seen:
            response = self.url_open(url)
        self.assertEqual(response.status_code, status, url)
        return seen

    def test_portal_pages_and_documents_read_on_a_readonly_cursor(self):
        self.company.aftersales_compensation_product_id = self.product_service
        offer = self.env["aftersales.compensation.wizard"].create(
            {"invoice_id": self.order.invoice_ids[:1].id, "amount": 10.0, "reason": "Scratched"}
        )
        offer = self.env["account.move"].browse(offer.action_create()["res_id"])
        self.authenticate("as_portal", "as_portal")
        urls = [
            "/my/cases",
            f"/my/cases/{self.case.id}",
            f"/my/cases/new?order_id={self.order.id}",
            "/my/warranties",
            f"/my/warranties/{self.warranty.id}",
            f"/my/warranties/{self.warranty.id}?report_type=html",
            f"/my/warranties/{self.warranty.id}?report_type=pdf&download=true",
            "/my/returns",
            f"/my/returns/{self.ret.id}",
            f"/my/returns/{self.ret.id}?report_type=html",
            f"/my/returns/new?order_id={self.order.id}",
            "/my/compensations",
            f"/my/compensations/{offer.id}",
            "/my/visits",
        ]
        for url in urls:
            with self.subTest(url=url):
                self.assertEqual(self._get(url), [True], "rendered once, on a read-only cursor")
        # the portal home's counters (Odoo's /my/counters is read-only) count the addon's documents
        with self.assertNoLogs("odoo.http", level="WARNING"):
            counters = self.make_jsonrpc_request(
                "/my/counters", {"counters": ["aftersales_case_count", "aftersales_warranty_count"]}
            )
        self.assertEqual(counters["aftersales_case_count"], 1)

    def test_token_links_read_on_a_readonly_cursor(self):
        self.authenticate(None, None)
        for record in (self.case, self.warranty, self.ret):
            with self.subTest(record=record):
                self.assertTrue(record.access_token, "the token is drawn at creation")
                self.assertEqual(self._get(record.get_portal_url()), [True])
        self._get(f"/my/cases/{self.case.id}?access_token=wrong", status=404)

    def test_the_page_after_the_customers_write_reads_the_primary(self):
        """Read-your-writes: the page after a form shows what was just committed, which an
        asynchronous replica may not have applied yet."""
        self.authenticate("as_portal", "as_portal")
        self.assertEqual(self._get(f"/my/cases/{self.case.id}?message=created"), [False])
        self.assertEqual(self._get(f"/my/returns/{self.ret.id}?message=created"), [False])

    @mute_logger("odoo.sql_db")  # the refused UPDATE, logged as a bad query
    def test_a_readonly_page_that_writes_is_caught(self):
        """The check above can fail: a document without its token makes the page write one
        (``get_portal_url``), which the read-only cursor refuses; Odoo warns and retries."""
        self.env.cr.execute("UPDATE aftersales_case SET access_token = NULL WHERE id = %s", [self.case.id])
        self.case.invalidate_recordset(["access_token"])
        self.authenticate("as_portal", "as_portal")
        with self.assertLogs("odoo.http", level="WARNING") as logs:
            response = self.url_open("/my/cases")
        self.assertEqual(response.status_code, 200, "served anyway, by the read/write retry")
        self.assertIn("retrying with a read/write cursor", "\n".join(logs.output))

    def test_readonly_methods_over_rpc(self):
        """The back office's read-only buttons and the warranty lookup, called as the users who
        see them, run on a read-only cursor without writing."""
        self.authenticate("as_user", "as_user")
        calls = [
            ("aftersales.case", "action_view_repairs", [[self.case.id]], {}),
            ("aftersales.case", "action_view_field_visits", [[self.case.id]], {}),
            ("aftersales.return", "action_view_pickings", [[self.ret.id]], {}),
            ("aftersales.return", "action_find_sale_lines", [[self.ret.id], self.product_psu.id], {}),
            ("aftersales.warranty", "action_view_repairs", [[self.warranty.id]], {}),
            ("res.partner", "action_view_aftersales_cases", [[self.customer.id]], {}),
            (
                "aftersales.warranty",
                "find_covering_warranty",
                [self.customer.id, self.warranty.product_id.id],
                {"lot": self.warranty.lot_id.id},
            ),
        ]
        seen = []
        call_kw = http.Request._transactioning

        def record(request, func, readonly):
            seen.append(readonly)
            return call_kw(request, func, readonly)

        for model, method, args, kwargs in calls:
            with self.subTest(method=f"{model}.{method}"):
                seen.clear()
                with (
                    patch.object(http.Request, "_transactioning", record),
                    self.assertNoLogs("odoo.http", level="WARNING"),
                ):
                    result = self.make_jsonrpc_request(
                        "/web/dataset/call_kw",
                        {"model": model, "method": method, "args": args, "kwargs": kwargs},
                    )
                self.assertTrue(result)
                self.assertEqual(seen[-1:], [True], "the call's transaction was read-only")
        self.assertEqual(result, self.warranty.id, "the lookup answers the covering warranty's id")
