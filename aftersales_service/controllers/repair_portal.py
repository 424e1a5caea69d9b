from werkzeug.exceptions import NotFound

from odoo import http
from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager
from odoo.http import request

from .portal import own_domain, readonly_unless_just_written

# a repair of the after-sales service: from a case, or a unit received in the workshop (C-7)
AFTERSALES_REPAIR_DOMAIN = [
    "|",
    ("aftersales_case_id", "!=", False),
    ("aftersales_received_date", "!=", False),
]


class AftersalesRepairPortal(CustomerPortal):
    """C-7 on the portal: customers follow the repair of their units in the workshop (issue 26).
    Portal users do not read ``repair.order``: the repairs are searched as superuser, always
    within the customer's own (``own_domain``) after-sales repairs, and only the milestones the
    customer was told are rendered."""

    def _repair_domain(self):
        return own_domain() + AFTERSALES_REPAIR_DOMAIN

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "aftersales_repair_count" in counters:
            # sudo: restricted to the customer's own after-sales repairs
            values["aftersales_repair_count"] = (
                request.env["repair.order"].sudo().search_count(self._repair_domain())
            )
        return values

    def _repair_sudo(self, repair_id):
        """The customer's own after-sales repair, else 404 (repair.order has no access token)."""
        user = request.env.user
        if user._is_public():
            raise NotFound()
        partner = user.partner_id.commercial_partner_id
        # sudo: ownership and the after-sales condition are checked right here
        repair_sudo = (
            request.env["repair.order"]
            .sudo()
            .search([("id", "=", repair_id), *self._repair_domain()], limit=1)
        )
        if not repair_sudo or repair_sudo.partner_id.commercial_partner_id != partner:
            raise NotFound()
        return repair_sudo

    @http.route(
        ["/my/repairs", "/my/repairs/page/<int:page>"], type="http", auth="user", website=True, readonly=True
    )
    def portal_my_repairs(self, page=1, **kw):
        # sudo: restricted to the customer's own after-sales repairs
        Repair = request.env["repair.order"].sudo()
        domain = self._repair_domain()
        pager = portal_pager(
            url="/my/repairs", total=Repair.search_count(domain), page=page, step=self._items_per_page
        )
        repairs = Repair.search(domain, order="id desc", limit=self._items_per_page, offset=pager["offset"])
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "repairs": repairs,
                "pager": pager,
                "page_name": "aftersales_repairs",
                "default_url": "/my/repairs",
            }
        )
        return request.render("aftersales_service.portal_my_repairs", values)

    @http.route(
        ["/my/repairs/<int:repair_id>"],
        type="http",
        auth="public",
        website=True,
        methods=["GET"],
        readonly=readonly_unless_just_written,
    )
    def portal_my_repair(self, repair_id, **kw):
        repair_sudo = self._repair_sudo(repair_id)
        values = self._prepare_portal_layout_values()
        values.update({"repair": repair_sudo, "page_name": "aftersales_repair"})
        return request.render("aftersales_service.portal_my_repair", values)
