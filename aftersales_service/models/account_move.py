from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from .tools import check_protected_write, privileged

# returns whose approval covers their credit notes
APPROVED_RETURN_STATES = ("approved", "waiting_goods", "received", "done")
# set by the approval and acceptance actions only
MOVE_PROTECTED_FIELDS = (
    "aftersales_approver_id",
    "aftersales_accepted_date",
    "aftersales_accepted_by",
    "aftersales_compensation",
)


class AccountMove(models.Model):
    _inherit = "account.move"

    # --- returns (R): credit notes know their return / case (complaints read them for losses)
    aftersales_return_id = fields.Many2one(
        "aftersales.return",
        string="After-Sales Return",
        index="btree_not_null",
        copy=False,
        readonly=True,
        groups="aftersales_service.group_aftersales_user",
    )
    aftersales_case_id = fields.Many2one(
        "aftersales.case",
        string="Service Case",
        index="btree_not_null",
        copy=False,
        groups="aftersales_service.group_aftersales_user",
    )
    aftersales_compensation = fields.Boolean(
        string="Compensation / Discount",
        copy=False,
        readonly=True,
        help="A sales discount certificate (R-5): approved by a manager above the threshold, "
        "accepted by the customer.",
    )
    aftersales_approver_id = fields.Many2one("res.users", string="Approved By", copy=False, readonly=True)
    aftersales_needs_approval = fields.Boolean(compute="_compute_aftersales_needs_approval")
    aftersales_accepted_date = fields.Date(string="Customer Accepted On", copy=False, readonly=True)
    aftersales_accepted_by = fields.Char(string="Accepted By", copy=False, readonly=True)

    aftersales_return_count = fields.Integer(
        compute="_compute_aftersales_return_count", groups="aftersales_service.group_aftersales_user"
    )

    def _compute_aftersales_return_count(self):
        orders = self.invoice_line_ids.sale_line_ids.order_id
        counts = dict(
            self.env["aftersales.return"]._read_group(
                [("sale_order_id", "in", orders.ids)], ["sale_order_id"], ["__count"]
            )
        )
        for move in self:
            move.aftersales_return_count = sum(
                counts.get(order, 0) for order in move.invoice_line_ids.sale_line_ids.order_id
            )

    def action_view_aftersales_returns(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("aftersales_service.aftersales_return_action")
        action["domain"] = [("sale_order_id", "in", self.invoice_line_ids.sale_line_ids.order_id.ids)]
        action["context"] = {"create": False}
        return action

    @api.depends(
        "move_type",
        "aftersales_compensation",
        "amount_total_signed",
        "aftersales_approver_id",
        "aftersales_return_id.state",
        "aftersales_case_id",
        "reversed_entry_id",
    )
    def _compute_aftersales_needs_approval(self):
        """R-4: a customer credit note tied to an after-sales document (a compensation, a return,
        a case, or Odoo's own reversal of an invoice whose order has a return still awaiting
        approval) above the company's threshold, compared in company currency, needs a manager."""
        # sudo: billing users post credit notes without after-sales rights; only the states of
        # the linked after-sales documents are read here
        pending = self._aftersales_pending_returns()
        for move in self:
            threshold = move.company_id.aftersales_refund_threshold
            move_sudo = move.sudo()
            if (
                move.move_type != "out_refund"
                or not threshold
                or move.aftersales_approver_id
                or move.company_id.currency_id.compare_amounts(abs(move.amount_total_signed), threshold) <= 0
            ):
                move.aftersales_needs_approval = False
            elif move.aftersales_compensation:
                move.aftersales_needs_approval = True
            elif move_sudo.aftersales_return_id:
                move.aftersales_needs_approval = (
                    move_sudo.aftersales_return_id.state not in APPROVED_RETURN_STATES
                )
            else:
                move.aftersales_needs_approval = bool(move_sudo.aftersales_case_id or pending.get(move))

    def _aftersales_pending_returns(self):
        """{credit note: returns awaiting approval on the orders of the invoice it reverses}"""
        refunds = self.filtered(lambda m: m.move_type == "out_refund" and m.reversed_entry_id)
        orders = refunds.reversed_entry_id.invoice_line_ids.sale_line_ids.order_id
        if not orders:
            return {}
        waiting = (
            self.env["aftersales.return"]
            .sudo()
            .search([("sale_order_id", "in", orders.ids), ("state", "in", ("draft", "to_approve"))])
        )
        return {
            move: waiting.filtered(
                lambda r, m=move: (
                    r.sale_order_id in m.reversed_entry_id.invoice_line_ids.sale_line_ids.order_id
                )
            )
            for move in refunds
        }

    def write(self, vals):
        check_protected_write(self, vals, MOVE_PROTECTED_FIELDS, _("a credit note"))
        return super().write(vals)

    def action_aftersales_approve(self):
        """R-4/R-5: a manager (not the requester) approves a credit note above the threshold."""
        if not self.env.user.has_group("aftersales_service.group_aftersales_manager"):
            raise AccessError(_("Only an After-Sales manager can approve a compensation or refund."))
        for move in self:
            if move.create_uid == self.env.user:
                raise UserError(
                    _("You prepared %(move)s: another manager must approve it.", move=move.display_name)
                )
            if move.state != "draft":
                raise UserError(_("%(move)s is not a draft any more.", move=move.display_name))
        privileged(self).write({"aftersales_approver_id": self.env.user.id})

    def action_aftersales_customer_accepted(self, accepted_by=None):
        """R-5: record the customer's acceptance of the compensation (date and who)."""
        if not self.env.user.has_group("aftersales_service.group_aftersales_user"):
            raise AccessError(_("Only After-Sales staff record a customer's acceptance."))
        for move in self:
            if not move.aftersales_compensation:
                raise UserError(_("%(move)s is not a compensation.", move=move.display_name))
            privileged(move).write(
                {
                    "aftersales_accepted_date": fields.Date.context_today(move),
                    "aftersales_accepted_by": accepted_by or move.partner_id.display_name,
                }
            )

    def _post(self, soft=True):
        for move in self:
            if move.aftersales_needs_approval:
                raise UserError(
                    _(
                        "Credit note %(move)s (%(amount)s) is above the after-sales approval threshold of "
                        "%(threshold)s: an After-Sales manager must approve it first.",
                        move=move.display_name,
                        amount=move.currency_id.format(move.amount_total),
                        threshold=move.company_id.currency_id.format(
                            move.company_id.aftersales_refund_threshold
                        ),
                    )
                )
        posted = super()._post(soft=soft)
        # W-2: a posted customer invoice starts the warranties of invoice-triggered policies
        self.env["aftersales.warranty"]._create_from_invoice_lines(
            posted.filtered(lambda m: m.move_type == "out_invoice").invoice_line_ids
        )
        return posted


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    aftersales_return_line_id = fields.Many2one(
        "aftersales.return.line",
        index="btree_not_null",
        copy=False,
        readonly=True,
        groups="aftersales_service.group_aftersales_user",
    )
