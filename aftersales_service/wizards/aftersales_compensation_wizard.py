from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError

from ..models.tools import form_action, lock_for_action, privileged


class AftersalesCompensationWizard(models.TransientModel):
    """R-5: a compensation or discount becomes a credit note (a "sales discount certificate")
    against the customer's invoice: an amount or a percentage of it."""

    _name = "aftersales.compensation.wizard"
    _description = "Compensation / Discount Credit Note"
    _inherit = ["aftersales.number.guard"]
    _aftersales_number_limits = {"percent": 100}

    invoice_id = fields.Many2one(
        "account.move", required=True, domain=[("move_type", "=", "out_invoice"), ("state", "=", "posted")]
    )
    company_id = fields.Many2one(related="invoice_id.company_id")
    currency_id = fields.Many2one(related="invoice_id.currency_id")
    kind = fields.Selection(
        [("compensation", "Compensation"), ("discount", "Discount")], default="compensation", required=True
    )
    mode = fields.Selection(
        [("amount", "Amount"), ("percent", "Percentage")], default="amount", required=True
    )
    amount = fields.Monetary(currency_field="currency_id", help="Tax excluded.")
    percent = fields.Float(help="Of the invoice's untaxed amount.")
    reason = fields.Char(required=True)
    return_id = fields.Many2one("aftersales.return")
    case_id = fields.Many2one("aftersales.case")
    compensation_amount = fields.Monetary(
        compute="_compute_compensation_amount", currency_field="currency_id"
    )
    credit_note_id = fields.Many2one("account.move", readonly=True)

    @api.model
    def default_get(self, fields_list):
        res = super().default_get(fields_list)
        if self.env.context.get("active_model") == "account.move" and self.env.context.get("active_id"):
            res.setdefault("invoice_id", self.env.context["active_id"])
        return res

    @api.depends("mode", "amount", "percent", "invoice_id")
    def _compute_compensation_amount(self):
        for wizard in self:
            if wizard.mode == "percent":
                wizard.compensation_amount = wizard.invoice_id.currency_id.round(
                    wizard.invoice_id.amount_untaxed * wizard.percent / 100.0
                )
            else:
                wizard.compensation_amount = wizard.amount

    def action_create(self):
        self.ensure_one()
        # a double click on Create makes one credit note: the second click finds the first one
        lock_for_action(self)
        if self.credit_note_id:
            raise UserError(
                _("Compensation %(move)s is created already.", move=self.credit_note_id.display_name)
            )
        product = self.company_id.aftersales_compensation_product_id
        if not product:
            raise UserError(_("Choose the compensation product in the After-Sales settings first."))
        amount = self.compensation_amount
        if amount <= 0:
            raise UserError(_("The compensation must be a positive amount."))
        if amount > self.invoice_id.amount_untaxed:
            raise UserError(
                _(
                    "A compensation of %(amount)s exceeds invoice %(invoice)s (%(total)s untaxed).",
                    amount=self.currency_id.format(amount),
                    invoice=self.invoice_id.name,
                    total=self.currency_id.format(self.invoice_id.amount_untaxed),
                )
            )
        invoice = self.invoice_id
        # privileged: the compensation flag is the wizard's to set
        credit_note = (
            privileged(self.env["account.move"])
            .with_company(invoice.company_id)
            .create(
                {
                    "move_type": "out_refund",
                    "partner_id": invoice.partner_id.id,
                    "currency_id": invoice.currency_id.id,
                    "journal_id": invoice.journal_id.id,
                    "reversed_entry_id": invoice.id,
                    "invoice_origin": invoice.invoice_origin,
                    "ref": _(
                        "%(kind)s on %(invoice)s: %(reason)s",
                        kind=dict(self._fields["kind"].selection)[self.kind],
                        invoice=invoice.name,
                        reason=self.reason,
                    ),
                    "aftersales_compensation": True,
                    "aftersales_return_id": self.return_id.id,
                    "aftersales_case_id": self.case_id.id,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "product_id": product.id,
                                "name": self.reason,
                                "quantity": 1,
                                "price_unit": amount,
                                "tax_ids": [
                                    Command.set(
                                        product.taxes_id.filtered(
                                            lambda t: t.company_id == invoice.company_id
                                        ).ids
                                    )
                                ],
                            }
                        )
                    ],
                }
            )
        )
        credit_note = self.env["account.move"].browse(credit_note.id)  # out of the privileged context
        self.credit_note_id = credit_note
        credit_note._aftersales_offer_compensation()
        return form_action(credit_note)
