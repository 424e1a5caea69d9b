from odoo import _, http
from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager
from odoo.exceptions import AccessError, MissingError, ValidationError
from odoo.http import request


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
            {"orders": self._portal_case_orders(), "page_name": "aftersales_case", "error": kw.get("error")}
        )
        return request.render("aftersales_service.portal_case_new", values)

    @http.route(["/my/cases/new"], type="http", auth="user", website=True, methods=["POST"])
    def portal_case_create(self, subject="", description="", order_id=None, product_id=None, **kw):
        user = request.env.user
        partner = user.partner_id
        order = request.env["sale.order"]
        if order_id:
            # portal users read their own orders only (sale's portal rules): anything else is 404
            order = request.env["sale.order"].search([("id", "=", int(order_id))], limit=1)
            if not order or order.partner_id.commercial_partner_id != partner.commercial_partner_id:
                raise request.not_found()
        if not subject.strip():
            return request.redirect("/my/cases/new?error=subject")
        product = request.env["product.product"]
        if product_id and order:
            product = order.order_line.product_id.filtered(lambda p: p.id == int(product_id))
            if not product:
                raise request.not_found()
        vals = {
            "subject": subject.strip(),
            "description": description,
            "partner_id": partner.id,
            "channel": "portal",
            "sale_order_id": order.id or False,
            "product_id": product.id or False,
            "company_id": (order.company_id or partner.company_id or request.env.company).id,
        }
        try:
            # sudo: portal users have no create right on cases; the values above were checked
            # against their own orders, and the case belongs to their own partner
            case = request.env["aftersales.case"].sudo().create(vals)
        except ValidationError:
            return request.redirect("/my/cases/new?error=invalid")
        return request.redirect(f"/my/cases/{case.id}?message={_('created')}")
