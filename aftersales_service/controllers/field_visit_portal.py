import binascii

from werkzeug.exceptions import NotFound

from odoo import _, http
from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.http import request

from .portal import own_domain, readonly_unless_just_written


class AftersalesFieldVisitPortal(CustomerPortal):
    """F-1, F-4: customers follow their service visits and sign the service report on the portal
    (Odoo's portal signature, as on quotations). Rules live in the model; routes parse and call."""

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "aftersales_visit_count" in counters:
            Visit = request.env["aftersales.field.visit"]
            values["aftersales_visit_count"] = (
                Visit.search_count(own_domain()) if Visit.has_access("read") else 0
            )
        return values

    @http.route(
        ["/my/visits", "/my/visits/page/<int:page>"], type="http", auth="user", website=True, readonly=True
    )
    def portal_my_visits(self, page=1, **kw):
        Visit = request.env["aftersales.field.visit"]
        count = Visit.search_count(own_domain())
        pager = portal_pager(url="/my/visits", total=count, page=page, step=self._items_per_page)
        # sudo after the search: the record rules chose the customer's own visits; the page shows
        # their product and engineer, which portal users cannot read themselves
        visits = Visit.search(own_domain(), limit=self._items_per_page, offset=pager["offset"]).sudo()
        values = self._prepare_portal_layout_values()
        values.update(
            {"visits": visits, "pager": pager, "page_name": "aftersales_visit", "default_url": "/my/visits"}
        )
        return request.render("aftersales_service.portal_my_visits", values)

    @http.route(
        ["/my/visits/<int:visit_id>"],
        type="http",
        auth="public",
        website=True,
        methods=["GET"],
        readonly=readonly_unless_just_written,
    )
    def portal_my_visit(self, visit_id, access_token=None, report_type=None, download=False, **kw):
        try:
            visit_sudo = self._document_check_access("aftersales.field.visit", visit_id, access_token)
        except (AccessError, MissingError) as exc:
            raise NotFound() from exc
        if report_type in ("html", "pdf", "text"):
            return self._show_report(
                model=visit_sudo,
                report_type=report_type,
                report_ref="aftersales_service.action_report_field_visit",
                download=download,
            )
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "visit": visit_sudo,
                "page_name": "aftersales_visit",
                "token": access_token,
                "message": kw.get("message"),
            }
        )
        return request.render("aftersales_service.portal_my_visit", values)

    @http.route(["/my/visits/<int:visit_id>/sign"], type="json", auth="public", website=True)
    def portal_visit_sign(self, visit_id, access_token=None, name=None, signature=None):
        access_token = access_token or request.httprequest.args.get("access_token")
        try:
            visit_sudo = self._document_check_access(
                "aftersales.field.visit", visit_id, access_token=access_token
            )
        except (AccessError, MissingError):
            return {"error": _("Invalid visit.")}
        try:
            visit_sudo._portal_sign(name, signature)
        except (UserError, ValidationError) as exc:
            return {"error": exc.args[0]}
        except (TypeError, binascii.Error):
            return {"error": _("Invalid signature data.")}
        visit_sudo.message_post(
            body=_("Service report signed by %(name)s.", name=name),
            author_id=(
                visit_sudo.partner_id.id if request.env.user._is_public() else request.env.user.partner_id.id
            ),
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        return {
            "force_refresh": True,
            "redirect_url": visit_sudo.get_portal_url(query_string="&message=sign_ok"),
        }
