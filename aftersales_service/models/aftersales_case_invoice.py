# pylint: disable=consider-merging-classes-inherited
# (a rule part of the model, in a room of its own: see docs/ARCHITECTURE.md)
from odoo import Command, _, api, models
from odoo.exceptions import UserError

from .aftersales_case import SERVICE_TYPES
from .tools import form_action, privileged


class AftersalesCase(models.Model):
    """C-5: a paid case is invoiced with a standard customer invoice, priced per the warranty
    (W-3 free in warranty, W-4 after expiry per the policy's mode)."""

    _inherit = "aftersales.case"

    @api.depends("service_type", "state", "invoice_ids.state")
    def _compute_can_invoice(self):
        for case in self:
            case.can_invoice = (
                case.service_type == "paid"
                and case.state not in ("new", "cancelled")
                and not case.invoice_ids.filtered(lambda m: m.state != "cancel")
            )

    def _get_part_price(self, product):
        """Unit price of a part (or of the labour product) on a paid case: the warranty rules
        (W-3 free in warranty, W-4 after expiry per the policy's mode) when the case has a
        warranty, else the list price. A policy that repairs after expiry outside its terms
        ("none") leaves the case priced normally: it is then a plain paid service."""
        self.ensure_one()
        policy = self.warranty_id.policy_id
        if policy and not (self.warranty_state == "out" and policy.after_expiry_mode == "none"):
            return policy._get_repair_part_price(product, self.warranty_state == "in")
        return product.lst_price

    def _prepare_invoice_vals(self):
        self.ensure_one()
        service_product = self.company_id.aftersales_case_service_product_id
        lines = []
        if self.time_spent:
            if not service_product:
                raise UserError(_("Choose the paid-service product in the After-Sales settings first."))
            labour_price = self._get_part_price(service_product)
            # W-4: "parts at cost, no service fee" after expiry: no labour line at all
            if not service_product.currency_id.is_zero(labour_price):
                lines.append(
                    Command.create(
                        {
                            "product_id": service_product.id,
                            "quantity": self.time_spent,
                            "price_unit": labour_price,
                        }
                    )
                )
        for part in self.part_ids:
            lines.append(
                Command.create(
                    {
                        "product_id": part.product_id.id,
                        "quantity": part.quantity,
                        "price_unit": self._get_part_price(part.product_id),
                    }
                )
            )
        if not lines:
            raise UserError(
                _(
                    "Case %(name)s has nothing to invoice: no parts, and no time spent that its "
                    "warranty terms bill.",
                    name=self.name,
                )
            )
        return {
            "move_type": "out_invoice",
            "partner_id": self.partner_id.id,
            "company_id": self.company_id.id,
            "invoice_origin": self.name,
            "ref": self.name,
            "invoice_line_ids": lines,
        }

    def action_create_invoice(self):
        """C-5: a paid case is invoiced with a standard customer invoice; the others never."""
        self.ensure_one()
        if self.service_type != "paid":
            raise UserError(
                _(
                    "Case %(name)s is a %(type)s service: only paid cases are invoiced.",
                    name=self.name,
                    type=dict(SERVICE_TYPES)[self.service_type],
                )
            )
        if not self.can_invoice:
            raise UserError(
                _(
                    "Case %(name)s cannot be invoiced now (new, cancelled or already invoiced).",
                    name=self.name,
                )
            )
        if not self.partner_id:
            raise UserError(_("Set the customer of case %(name)s before invoicing it.", name=self.name))
        invoice = self.env["account.move"].with_company(self.company_id).create(self._prepare_invoice_vals())
        privileged(self).invoice_ids = [Command.link(invoice.id)]
        self.message_post(body=_("Invoice %(invoice)s created.", invoice=invoice._get_html_link()))
        return form_action(invoice)

    def action_view_invoices(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("account.action_move_out_invoice_type")
        action["domain"] = [("id", "in", self.invoice_ids.ids)]
        action["context"] = {"create": False}
        return action
