# pylint: disable=consider-merging-classes-inherited
# (a rule part of the model, in a room of its own: see docs/ARCHITECTURE.md)
from markupsafe import Markup

from odoo import Command, _, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import float_is_zero, format_amount

from .tools import form_action, lock_for_action, privileged


class AftersalesReturn(models.Model):
    """R-5, R-8: the money of a return: a standard customer credit note reversing the original
    invoice lines for the received (never more than approved) quantities."""

    _inherit = "aftersales.return"

    def action_create_credit_note(self):
        """Reverse the original invoice lines for the received quantities (approved ones for
        lines with nothing to receive), with their price, discount and taxes (R-6, R-8).
        Returns the action opening the credit notes (``moves_of_action`` gives the records)."""
        self.ensure_one()
        lock_for_action(self)
        if self.state not in ("approved", "waiting_goods", "received"):
            raise UserError(_("Return %(name)s must be approved before refunding.", name=self.name))
        if not self.env.user.has_group("account.group_account_invoice"):
            raise AccessError(_("Credit notes are made by users with invoicing rights."))
        to_refund = [(line, line.qty_to_refund) for line in self.line_ids if line.qty_to_refund > 0]
        if not to_refund:
            raise UserError(
                _(
                    "Nothing left to refund on return %(name)s: received quantities are refunded already, or "
                    "the order was not invoiced (its invoiceable quantity was lowered instead).",
                    name=self.name,
                )
            )
        moves_vals = self._prepare_credit_notes_vals(to_refund)
        # privileged: the credit notes carry their return (a field the system sets), then are
        # read back in the caller's environment
        credit_notes = privileged(self.env["account.move"]).with_company(self.company_id).create(moves_vals)
        credit_notes = self.env["account.move"].with_company(self.company_id).browse(credit_notes.ids)
        # the return's approval covers these credit notes as made here, not later edits
        credit_notes._aftersales_stamp_approved()
        if self.company_id.aftersales_post_credit_notes:
            credit_notes.action_post()
        self.message_post(
            body=Markup(_("Credit note %(moves)s created."))
            % {"moves": Markup(", ").join(m._get_html_link() for m in credit_notes)}
        )
        if (
            all(float_is_zero(ln.qty_to_refund, precision_digits=4) for ln in self.line_ids)
            and self.state == "received"
        ):
            privileged(self).state = "done"
        # an action, never a recordset: RPC clients cannot receive records (XML-RPC refuses them)
        return credit_notes._get_records_action(context={"create": False})

    def _exchange_lines_to_settle(self):
        return self.line_ids.filtered(
            lambda ln: (
                ln.exchange_sale_line_id
                and not ln.exchange_sale_line_id.invoice_lines.filtered(
                    lambda ml: ml.parent_state != "cancel"
                )
            )
        )

    def action_invoice_exchange_difference(self):
        """R-2: settle an exchange for another product with one standard document on the sale
        order: the new product invoiced, the returned one deducted, each line linked to its order
        line (the order's invoiced quantities stay right). A positive total is a customer
        invoice, a negative one a credit note (as Odoo's own final invoicing does)."""
        self.ensure_one()
        if not self.env.user.has_group("account.group_account_invoice"):
            raise AccessError(_("Invoices and credit notes are made by users with invoicing rights."))
        lock_for_action(self)
        if self.state not in ("approved", "waiting_goods", "received", "done"):
            raise UserError(_("Return %(name)s must be approved first.", name=self.name))
        lines = self._exchange_lines_to_settle()
        if not lines:
            raise UserError(
                _("Return %(name)s has no exchange for another product to settle.", name=self.name)
            )
        moves = self.env["account.move"]
        for order in lines.sale_line_id.order_id:
            moves |= self._invoice_exchange_difference(
                order, lines.filtered(lambda ln, order=order: ln.sale_line_id.order_id == order)
            )
        return form_action(moves) if len(moves) == 1 else moves._get_records_action(context={"create": False})

    def _invoice_exchange_difference(self, order, lines):
        """One document per order: the new products invoiced, the returned ones deducted."""
        order = order.with_company(self.company_id)
        vals = order._prepare_invoice()
        invoice_lines = []
        for line in lines:
            qty = line.qty_approved
            # at the price the exchange was approved for, whatever the order line says since
            new = line.exchange_sale_line_id._prepare_invoice_line(quantity=qty)
            new.update(price_unit=line.exchange_price_unit, discount=0.0)
            invoice_lines.append(Command.create(new))
            returned = line.sale_line_id._prepare_invoice_line(quantity=-qty)
            returned["sale_line_ids"] = line._sale_line_link()
            invoice_lines.append(Command.create(returned))
        vals.update(
            invoice_line_ids=invoice_lines,
            aftersales_return_id=self.id,
            aftersales_case_id=self.case_id.id,
            ref=_("Exchange price difference, return %(name)s", name=self.name),
        )
        move = privileged(self.env["account.move"]).with_company(self.company_id).create(vals)
        move = self.env["account.move"].with_company(self.company_id).browse(move.id)
        if move.currency_id.compare_amounts(move.amount_total, 0.0) < 0:
            move.action_switch_move_type()
        # the exchange was approved for this difference (a credit above the threshold needed
        # a manager, see _compute_eligibility): posting another total needs a new approval
        move._aftersales_stamp_approved()
        self.message_post(
            body=Markup(_("Exchange price difference: %(move)s (%(amount)s)."))
            % {
                "move": move._get_html_link(),
                "amount": format_amount(self.env, move.amount_total, move.currency_id),
            }
        )
        return move

    def _prepare_credit_notes_vals(self, to_refund):
        by_invoice = {}
        for line, qty in to_refund:
            remaining = qty
            for inv_line in line._invoice_lines():
                if remaining <= 0:
                    break
                take = min(remaining, inv_line.quantity)
                by_invoice.setdefault(inv_line.move_id, []).append((line, inv_line, take))
                remaining -= take
        # the taxes of all invoice lines in one query, not one per line
        invoice_lines = self.env["account.move.line"].union(
            *(inv_line for items in by_invoice.values() for _line, inv_line, _qty in items)
        )
        invoice_lines.mapped("tax_ids")
        vals_list = []
        for invoice, items in by_invoice.items():
            vals_list.append(
                {
                    "move_type": "out_refund",
                    "partner_id": invoice.partner_id.id,
                    "company_id": invoice.company_id.id,
                    "currency_id": invoice.currency_id.id,
                    "journal_id": invoice.journal_id.id,
                    "reversed_entry_id": invoice.id,
                    "invoice_origin": invoice.invoice_origin or self.sale_order_id.name,
                    "ref": _(
                        "Reversal of: %(invoice)s, return %(name)s", invoice=invoice.name, name=self.name
                    ),
                    "fiscal_position_id": invoice.fiscal_position_id.id,
                    "invoice_payment_term_id": invoice.invoice_payment_term_id.id,
                    "aftersales_return_id": self.id,
                    "aftersales_case_id": self.case_id.id,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "product_id": inv_line.product_id.id,
                                "name": inv_line.name,
                                "quantity": qty,
                                "product_uom_id": inv_line.product_uom_id.id,
                                "price_unit": inv_line.price_unit,
                                "discount": inv_line.discount,
                                "tax_ids": [Command.set(inv_line.tax_ids.ids)],
                                "account_id": inv_line.account_id.id,
                                "analytic_distribution": inv_line.analytic_distribution,
                                "sale_line_ids": line._sale_line_link(),
                                "aftersales_return_line_id": line.id,
                            }
                        )
                        for line, inv_line, qty in items
                    ],
                }
            )
        return vals_list
