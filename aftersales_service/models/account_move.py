from odoo import _, api, fields, models
from odoo.exceptions import UserError


class AccountMove(models.Model):
    _inherit = "account.move"

    # --- returns (R): credit notes know their return / case (complaints read them for losses)
    aftersales_return_id = fields.Many2one(
        "aftersales.return", string="After-Sales Return", index="btree_not_null", copy=False, readonly=True
    )
    aftersales_case_id = fields.Many2one(
        "aftersales.case", string="Service Case", index="btree_not_null", copy=False
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

    aftersales_return_count = fields.Integer(compute="_compute_aftersales_return_count")

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

    @api.depends("aftersales_compensation", "amount_total", "aftersales_approver_id")
    def _compute_aftersales_needs_approval(self):
        for move in self:
            threshold = move.company_id.aftersales_refund_threshold
            move.aftersales_needs_approval = (
                move.aftersales_compensation
                and not move.aftersales_approver_id
                and bool(threshold)
                and move.amount_total > threshold
            )

    def action_aftersales_approve(self):
        """R-4/R-5: a manager (not the requester) approves a compensation above the threshold."""
        if not self.env.user.has_group("aftersales_service.group_aftersales_manager"):
            raise UserError(_("Only an After-Sales manager can approve a compensation."))
        for move in self:
            if move.create_uid == self.env.user:
                raise UserError(
                    _("You prepared %(move)s: another manager must approve it.", move=move.display_name)
                )
        self.write({"aftersales_approver_id": self.env.user.id})

    def action_aftersales_customer_accepted(self, accepted_by=None):
        """R-5: record the customer's acceptance of the compensation (date and who)."""
        for move in self:
            move.write(
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
                        "Compensation %(move)s is above the approval threshold: "
                        "a manager must approve it first.",
                        move=move.display_name,
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
        "aftersales.return.line", index="btree_not_null", copy=False, readonly=True
    )
