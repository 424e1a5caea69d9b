from werkzeug.exceptions import NotFound

from odoo import http
from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.exceptions import AccessError, MissingError
from odoo.http import content_disposition, request

from ..models.aftersales_return_label import LABEL_STATES, RMA_LABEL_REPORT


class AftersalesReturnLabelPortal(CustomerPortal):
    """The return label of an approved return, downloaded from the customer's return page."""

    @http.route(
        ["/my/returns/<int:return_id>/label"],
        type="http",
        auth="public",
        website=True,
        methods=["GET"],
        readonly=True,
    )
    def portal_my_return_label(self, return_id, access_token=None, download=False, **kw):
        try:
            ret_sudo = self._document_check_access("aftersales.return", return_id, access_token)
        except (AccessError, MissingError) as exc:
            raise NotFound() from exc
        if ret_sudo.state not in LABEL_STATES:
            raise NotFound()
        label = ret_sudo.return_label_id
        if ret_sudo.return_label_by_carrier and label:
            # the carrier's own label, as it was sent with the approval mail
            name, content = label.name, label.raw
        else:
            name = request.env._("Return Label - %(name)s.pdf", name=ret_sudo.name)
            # sudo: rendering the label of the customer's own return (checked above)
            Report = request.env["ir.actions.report"].sudo().with_company(ret_sudo.company_id)
            content = Report._render_qweb_pdf(RMA_LABEL_REPORT, ret_sudo.ids)[0]
        headers = [("Content-Type", "application/pdf"), ("Content-Length", len(content))]
        if download:
            headers.append(("Content-Disposition", content_disposition(name)))
        return request.make_response(content, headers=headers)
