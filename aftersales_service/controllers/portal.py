from werkzeug.exceptions import NotFound

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
        # a UserError: Odoo's 400 page shows its message (a bare BadRequest shows none)
        raise UserError(_("%(value)s is not a valid reference.", value=value)) from exc


def readonly_unless_just_written(controller):
    """``readonly`` of a detail page: served from a read-only cursor (a replica when Odoo has
    ``--db_replica_host``), except right after the customer's own write. The redirect after a
    form carries ``?message=``; that page must show what was just committed, which an
    asynchronous replica may not have applied yet, so it reads the primary (read-your-writes)."""
    return "message" not in request.httprequest.args


def own_domain():
    """The portal lists the documents of the user's own company (commercial partner), as
    Odoo's portal lists orders: an internal user, whom the record rules let read every
    document, sees their own there, not the whole company's."""
    partner = request.env.user.partner_id.commercial_partner_id
    return [("partner_id", "child_of", partner.id)]


class AftersalesCasePortal(CustomerPortal):
    """C-1: customers list their cases and open new ones on their orders from the portal."""

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "aftersales_case_count" in counters:
            Case = request.env["aftersales.case"]
            values["aftersales_case_count"] = (
                Case.search_count(own_domain()) if Case.has_access("read") else 0
            )
        return values

    @http.route(
        ["/my/cases", "/my/cases/page/<int:page>"], type="http", auth="user", website=True, readonly=True
    )
    def portal_my_cases(self, page=1, **kw):
        Case = request.env["aftersales.case"]
        count = Case.search_count(own_domain())
        pager = portal_pager(url="/my/cases", total=count, page=page, step=self._items_per_page)
        cases = Case.search(own_domain(), order="id desc", limit=self._items_per_page, offset=pager["offset"])
        values = self._prepare_portal_layout_values()
        values.update(
            {"cases": cases, "pager": pager, "page_name": "aftersales_case", "default_url": "/my/cases"}
        )
        return request.render("aftersales_service.portal_my_cases", values)

    @http.route(
        ["/my/cases/<int:case_id>"],
        type="http",
        auth="public",
        website=True,
        methods=["GET"],
        readonly=readonly_unless_just_written,
    )
    def portal_my_case(self, case_id, access_token=None, **kw):
        try:
            case_sudo = self._document_check_access("aftersales.case", case_id, access_token)
        except (AccessError, MissingError) as exc:
            raise NotFound() from exc  # another customer's case or none: as an unknown page
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "case": case_sudo,
                "page_name": "aftersales_case",
                "token": access_token,
                "message": kw.get("message"),
            }
        )
        return request.render("aftersales_service.portal_my_case", values)

    def _render_case_form(self, error=None, values=None, status=200):
        values = values or {}
        page = self._prepare_portal_layout_values()
        page.update(
            {
                "choices": request.env["aftersales.case"]._portal_intake_choices(),
                "page_name": "aftersales_case",
                "error": error,
                "values": values,
                "selected_order_id": values.get("order_id"),
            }
        )
        return request.render("aftersales_service.portal_case_new", page, status=status)

    @http.route(["/my/cases/new"], type="http", auth="user", website=True, methods=["GET"], readonly=True)
    def portal_case_new(self, order_id=None, **kw):
        return self._render_case_form(values={"order_id": order_id})

    @http.route(["/my/cases/new"], type="http", auth="user", website=True, methods=["POST"])
    def portal_case_create(
        self, subject="", description="", order_id=None, product_id=None, lot_id=None, **kw
    ):
        values = {
            "subject": subject,
            "description": description,
            "order_id": order_id,
            "product_id": product_id,
        }
        order_id, product_id, lot_id = parse_id(order_id), parse_id(product_id), parse_id(lot_id)
        files = [
            (upload.filename, upload.read(), upload.mimetype)
            for upload in request.httprequest.files.getlist("attachments")
            if upload.filename
        ]
        try:
            with request.env.cr.savepoint():  # nothing half-written
                case = request.env["aftersales.case"]._create_from_portal(
                    subject,
                    description=description,
                    order_id=order_id,
                    product_id=product_id,
                    lot_id=lot_id,
                    attachments=files,
                )
        except (AccessError, MissingError):
            raise NotFound() from None  # not their order, product or serial: as if it did not exist
        except (ValidationError, UserError) as exc:
            return self._render_case_form(error=exc.args[0], values=values, status=400)
        return request.redirect(f"/my/cases/{case.id}?message=created")
