from werkzeug.exceptions import BadRequest, NotFound

from odoo import _, http
from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.http import request


def parse_id(value):
    """A record id from a form field: None when empty, 400 when it is not a number."""
    if value in (None, "", "0"):
        return None
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise BadRequest() from exc


class AftersalesCasePortal(CustomerPortal):
    """C-1: customers list their cases and open new ones on their orders from the portal."""

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "aftersales_case_count" in counters:
            Case = request.env["aftersales.case"]
            values["aftersales_case_count"] = Case.search_count([]) if Case.has_access("read") else 0
        return values

    @http.route(["/my/cases", "/my/cases/page/<int:page>"], type="http", auth="user", website=True)
    def portal_my_cases(self, page=1, **kw):
        Case = request.env["aftersales.case"]
        count = Case.search_count([])
        pager = portal_pager(url="/my/cases", total=count, page=page, step=self._items_per_page)
        cases = Case.search([], order="id desc", limit=self._items_per_page, offset=pager["offset"])
        values = self._prepare_portal_layout_values()
        values.update(
            {"cases": cases, "pager": pager, "page_name": "aftersales_case", "default_url": "/my/cases"}
        )
        return request.render("aftersales_service.portal_my_cases", values)

    @http.route(["/my/cases/<int:case_id>"], type="http", auth="public", website=True)
    def portal_my_case(self, case_id, access_token=None, **kw):
        try:
            case_sudo = self._document_check_access("aftersales.case", case_id, access_token)
        except (AccessError, MissingError):
            return request.redirect("/my")
        values = self._prepare_portal_layout_values()
        values.update({"case": case_sudo, "page_name": "aftersales_case", "token": access_token})
        return request.render("aftersales_service.portal_my_case", values)

    def _portal_case_orders(self):
        partner = request.env.user.partner_id.commercial_partner_id
        return request.env["sale.order"].search(
            [("partner_id", "child_of", partner.id), ("state", "=", "sale")], order="date_order desc"
        )

    @http.route(["/my/cases/new"], type="http", auth="user", website=True, methods=["GET"])
    def portal_case_new(self, **kw):
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "orders": self._portal_case_orders(),
                "page_name": "aftersales_case",
                "error": kw.get("error"),
                "selected_order_id": kw.get("order_id"),
            }
        )
        return request.render("aftersales_service.portal_case_new", values)

    @http.route(["/my/cases/new"], type="http", auth="user", website=True, methods=["POST"])
    def portal_case_create(self, subject="", description="", order_id=None, product_id=None, **kw):
        order_id, product_id = parse_id(order_id), parse_id(product_id)
        if not (subject or "").strip():
            return request.redirect("/my/cases/new?error=subject")
        try:
            case = request.env["aftersales.case"]._create_from_portal(
                subject, description=description, order_id=order_id, product_id=product_id
            )
        except (AccessError, MissingError):
            raise NotFound() from None  # not their order or product: as if it did not exist
        except (ValidationError, UserError):
            return request.redirect("/my/cases/new?error=invalid")
        return request.redirect(f"/my/cases/{case.id}?message={_('created')}")
