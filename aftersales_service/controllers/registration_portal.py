from werkzeug.exceptions import NotFound

from odoo import http
from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.http import request

from .portal import own_domain, parse_id, readonly_unless_just_written


class AftersalesRegistrationPortal(CustomerPortal):
    """W-1, W-2 for units bought elsewhere: the customer registers them on the portal with the
    proof of purchase and follows the decision. Rules live in the model."""

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "aftersales_registration_count" in counters:
            Registration = request.env["aftersales.unit.registration"]
            values["aftersales_registration_count"] = (
                Registration.search_count(own_domain()) if Registration.has_access("read") else 0
            )
        return values

    @http.route(
        ["/my/registrations", "/my/registrations/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
        readonly=True,
    )
    def portal_my_registrations(self, page=1, **kw):
        Registration = request.env["aftersales.unit.registration"]
        count = Registration.search_count(own_domain())
        pager = portal_pager(url="/my/registrations", total=count, page=page, step=self._items_per_page)
        # sudo after the search: the record rules chose the customer's own units
        registrations = Registration.search(
            own_domain(), limit=self._items_per_page, offset=pager["offset"]
        ).sudo()
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "registrations": registrations,
                "pager": pager,
                "page_name": "registrations",
                "default_url": "/my/registrations",
            }
        )
        return request.render("aftersales_service.portal_my_registrations", values)

    @http.route(
        ["/my/registrations/<int:registration_id>"],
        type="http",
        auth="public",
        website=True,
        methods=["GET"],
        readonly=readonly_unless_just_written,
    )
    def portal_my_registration(self, registration_id, access_token=None, **kw):
        try:
            registration_sudo = self._document_check_access(
                "aftersales.unit.registration", registration_id, access_token
            )
        except (AccessError, MissingError) as exc:
            raise NotFound() from exc
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "registration": registration_sudo,
                "page_name": "registrations",
                "token": access_token,
                "message": kw.get("message"),
            }
        )
        return request.render("aftersales_service.portal_my_registration", values)

    def _render_registration_form(self, error=None, values=None, status=200):
        page = self._prepare_portal_layout_values()
        # sudo: the catalogue of goods we sell (portal users do not read products)
        products = (
            request.env["product.product"]
            .sudo()
            .search([("sale_ok", "=", True), ("type", "=", "consu")], order="name", limit=500)
        )
        page.update(
            {"products": products, "error": error, "values": values or {}, "page_name": "registrations"}
        )
        return request.render("aftersales_service.portal_registration_new", page, status=status)

    @http.route(
        ["/my/registrations/new"], type="http", auth="user", website=True, methods=["GET"], readonly=True
    )
    def portal_registration_new(self, **kw):
        return self._render_registration_form()

    @http.route(["/my/registrations/new"], type="http", auth="user", website=True, methods=["POST"])
    def portal_registration_create(self, product_id=None, serial="", purchase_date="", dealer_name="", **kw):
        values = {
            "product_id": product_id,
            "serial": serial,
            "purchase_date": purchase_date,
            "dealer_name": dealer_name,
        }
        files = [
            (upload.filename, upload.read(), upload.mimetype)
            for upload in request.httprequest.files.getlist("attachments")
            if upload.filename
        ]
        try:
            product_id = parse_id(product_id)
            if not product_id:
                raise UserError(request.env._("Choose the product you register."))
            with request.env.cr.savepoint():  # nothing half-written
                registration = request.env["aftersales.unit.registration"]._create_from_portal(
                    product_id, serial, purchase_date, dealer_name=dealer_name, attachments=files
                )
        except (ValidationError, UserError) as exc:
            return self._render_registration_form(error=exc.args[0], values=values, status=400)
        return request.redirect(f"/my/registrations/{registration.id}?message=created")
