from werkzeug.exceptions import NotFound

from odoo import http
from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager
from odoo.exceptions import AccessError, MissingError
from odoo.http import request

from .portal import own_domain, readonly_unless_just_written


class AftersalesContractPortal(CustomerPortal):
    """C-5 type B on the portal: the customer sees their service contracts, what they used of the
    current period and the contracts' invoices. Rules live in the model."""

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "aftersales_contract_count" in counters:
            Contract = request.env["aftersales.contract"]
            values["aftersales_contract_count"] = (
                Contract.search_count(self._contract_domain()) if Contract.has_access("read") else 0
            )
        return values

    def _contract_domain(self):
        # drafts are not the customer's business yet
        return own_domain() + [("state", "!=", "draft")]

    @http.route(
        ["/my/contracts", "/my/contracts/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
        readonly=True,
    )
    def portal_my_contracts(self, page=1, **kw):
        Contract = request.env["aftersales.contract"]
        count = Contract.search_count(self._contract_domain())
        pager = portal_pager(url="/my/contracts", total=count, page=page, step=self._items_per_page)
        # sudo after the search: the record rules chose the customer's own contracts
        contracts = Contract.search(
            self._contract_domain(), limit=self._items_per_page, offset=pager["offset"]
        ).sudo()
        values = self._prepare_portal_layout_values()
        values.update(
            {"contracts": contracts, "pager": pager, "page_name": "contracts", "default_url": "/my/contracts"}
        )
        return request.render("aftersales_service.portal_my_contracts", values)

    @http.route(
        ["/my/contracts/<int:contract_id>"],
        type="http",
        auth="public",
        website=True,
        methods=["GET"],
        readonly=readonly_unless_just_written,
    )
    def portal_my_contract(self, contract_id, access_token=None, **kw):
        try:
            contract_sudo = self._document_check_access("aftersales.contract", contract_id, access_token)
        except (AccessError, MissingError) as exc:
            raise NotFound() from exc  # another customer's contract or none: as an unknown page
        if contract_sudo.state == "draft":
            raise NotFound()
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "contract": contract_sudo,
                # the customer's invoices as the portal shows them: posted ones
                "invoices": contract_sudo.invoice_ids.filtered(lambda m: m.state == "posted"),
                "page_name": "contracts",
                "token": access_token,
                "message": kw.get("message"),
            }
        )
        return request.render("aftersales_service.portal_my_contract", values)
