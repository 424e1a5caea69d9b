from markupsafe import Markup

from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError

from .tools import is_privileged, privileged

# the states in which the customer has a label to send the goods with
LABEL_STATES = ("approved", "waiting_goods", "received", "done")
# the states in which the back office prints it and records the inbound tracking reference
PRINT_LABEL_STATES = ("approved", "waiting_goods", "received")
TRACKING_STATES = ("approved", "waiting_goods")
RMA_LABEL_REPORT = "aftersales_service.action_report_return_label"


class AftersalesReturn(models.Model):
    """Return labels: once a return is approved, the customer gets the carrier's own return label
    (``stock_delivery``, when installed and the receipt's carrier makes them) or else an RMA label;
    it is attached to the return, sent with the approval mail and downloadable on the portal. The
    inbound tracking reference is recorded on the return and its receipt."""

    _inherit = "aftersales.return"

    # --- return label and inbound tracking
    carrier_tracking_ref = fields.Char(
        string="Tracking Reference",
        tracking=True,
        copy=False,
        help="The carrier's tracking reference of the parcel the customer sends back.",
    )
    return_label_id = fields.Many2one(
        "ir.attachment",
        readonly=True,
        copy=False,
        groups="aftersales_service.group_aftersales_user",
    )
    return_label_by_carrier = fields.Boolean(
        readonly=True, copy=False, groups="aftersales_service.group_aftersales_user"
    )
    can_print_label = fields.Boolean(compute="_compute_can_print_label")

    @api.depends("state")
    def _compute_can_print_label(self):
        for ret in self:
            ret.can_print_label = ret.state in PRINT_LABEL_STATES

    # ------------------------------------------------------------------ CRUD
    def write(self, vals):
        if "carrier_tracking_ref" in vals and not is_privileged(self):
            closed = self.filtered(lambda r: r.state not in TRACKING_STATES)
            if closed:
                raise UserError(
                    _(
                        "The tracking reference of return %(names)s is recorded while its goods are "
                        "expected (approved or waiting for the goods).",
                        names=", ".join(closed.mapped("name")),
                    )
                )
        res = super().write(vals)
        if "carrier_tracking_ref" in vals:
            self._sync_receipt_tracking_ref()
        return res

    # ------------------------------------------------------------------ actions
    @api.readonly
    def action_print_label(self):
        """The return label: the carrier's (a download of it) when the carrier made one, else
        the RMA label report."""
        self._ensure_can("can_print_label", _("Return %(names)s has no return label: it is not approved."))
        # sudo: the label's attachment field is for after-sales users; only these returns' own
        carrier_labels = self.sudo().filtered("return_label_by_carrier").return_label_id
        if len(self) == 1 and carrier_labels:
            return {
                "type": "ir.actions.act_url",
                "url": f"/web/content/{carrier_labels.id}?download=true",
                "target": "download",
            }
        return self.env.ref(RMA_LABEL_REPORT).report_action(self)

    # ------------------------------------------------------------------ business methods
    def _notify_decision(self):
        """The approval mail carries the return label (refusals go to the standard message)."""
        approved = self.filtered(lambda r: r.partner_id and r.state in LABEL_STATES)
        template = self.env.ref("aftersales_service.mail_template_return_decision")
        for ret in approved:
            label = ret._attach_return_label()
            # the label (an attachment of the return) is linked to the message and mailed with it
            ret.with_context(mail_post_autofollow=False).message_post_with_source(
                template,
                subtype_xmlid="mail.mt_comment",
                partner_ids=ret.partner_id.ids,
                attachment_ids=[Command.set(label.ids)],
            )
        return super(AftersalesReturn, self - approved)._notify_decision()

    def _attach_return_label(self):
        """Make (or remake) the return's label and keep it as its one label attachment."""
        self.ensure_one()
        carrier_label = self._carrier_return_label()
        if carrier_label:
            name, raw = carrier_label
        elif not self.env.registry.ready:
            # installing or upgrading (the demo's approvals): no web server serves the label's
            # stylesheets to wkhtmltopdf yet; the label is made when it is first printed or
            # downloaded from the portal
            return self.env["ir.attachment"]
        else:
            name = _("Return Label - %(name)s.pdf", name=self.name)
            try:
                # sudo: rendering only, of the return's own label; portal customers and
                # after-sales users approve returns whose receipt and warehouse they do not read
                Report = self.env["ir.actions.report"].sudo().with_company(self.company_id)
                with self.env.cr.savepoint():
                    raw = Report._render_qweb_pdf(RMA_LABEL_REPORT, self.ids)[0]
            except UserError as exc:  # no PDF engine (wkhtmltopdf) on the server
                self._note_label_failure(exc)
                return self.env["ir.attachment"]
        # sudo: the label is the return's own attachment, written by the approval whoever runs it
        ret_sudo = privileged(self.sudo())
        vals = {
            "name": name,
            "raw": raw,
            "mimetype": "application/pdf",
            "res_model": self._name,
            "res_id": self.id,
        }
        if ret_sudo.return_label_id:
            ret_sudo.return_label_id.unlink()  # regenerating replaces it: one label per return
        label = self.env["ir.attachment"].sudo().create(vals)
        ret_sudo.write({"return_label_id": label.id, "return_label_by_carrier": bool(carrier_label)})
        return label

    def _return_receipt(self):
        """The open receipt of the returned goods, in sudo (after-sales users do not read
        transfers)."""
        self.ensure_one()
        return self.sudo().picking_ids.filtered(
            lambda p: p.picking_type_code == "incoming" and p.state != "cancel"
        )[:1]

    def _carrier_return_label(self):
        """(file name, PDF) of the carrier's own return label, when ``stock_delivery`` is installed
        and the receipt's carrier makes return labels; ``None`` otherwise, or when the carrier
        fails (the RMA label is sent then, and the error noted on the return)."""
        self.ensure_one()
        if "carrier_id" not in self.env["stock.picking"]._fields:
            return None
        receipt = self._return_receipt()
        carrier = receipt.carrier_id
        if not carrier or not carrier.can_generate_return:
            return None
        try:
            with self.env.cr.savepoint():
                carrier.get_return_label(receipt)
        except UserError as exc:
            self._note_label_failure(exc, carrier=carrier)
            return None
        receipt.invalidate_recordset(["return_label_ids"])
        label = receipt.return_label_ids.sorted("id")[-1:]
        if not label:
            return None
        if receipt.carrier_tracking_ref and not self.carrier_tracking_ref:
            privileged(self).carrier_tracking_ref = receipt.carrier_tracking_ref
        return label.name, label.raw

    def _note_label_failure(self, exc, carrier=None):
        """A label that could not be made is noted on the return (the approval goes on; the
        customer downloads the RMA label from the portal)."""
        if carrier:
            text = _(
                "The carrier %(carrier)s could not make a return label (%(error)s): the RMA label "
                "is used instead.",
                carrier=carrier.name,
                error=exc.args[0],
            )
        else:
            text = _("The return label could not be made (%(error)s).", error=exc.args[0])
        # sudo: a note on the return's own chatter, whoever approved it
        self.sudo().message_post(body=Markup("<p>%s</p>") % text, subtype_xmlid="mail.mt_note")

    def _sync_receipt_tracking_ref(self):
        """The inbound tracking reference also on the receipt, when transfers have one
        (``stock_delivery``)."""
        if "carrier_tracking_ref" not in self.env["stock.picking"]._fields:
            return
        for ret in self:
            receipt = ret._return_receipt()
            if receipt and receipt.carrier_tracking_ref != ret.carrier_tracking_ref:
                # sudo: only this field of the return's own receipt; after-sales users do not
                # write transfers
                receipt.write({"carrier_tracking_ref": ret.carrier_tracking_ref})
