# pylint: disable=consider-merging-classes-inherited
# (a rule part of the model, in a room of its own: see docs/ARCHITECTURE.md)
from datetime import timedelta

from markupsafe import Markup

from odoo import Command, _, api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import float_compare, format_amount

from .tools import chase_once, form_action, lock_for_action, privileged

MANAGER_GROUP = "aftersales_service.group_aftersales_manager"


class AftersalesReturn(models.Model):
    """Advance replacement (an exchange ships before the unit is back: the unit is then due,
    chased, and invoiced when it never comes) and goods without stock moves (refunded after a
    confirmed receipt or a manager's decision)."""

    _inherit = "aftersales.return"

    replacement_due_date = fields.Date(
        compute="_compute_replacement_due_date",
        store=True,
        index="btree_not_null",
        help="An exchange whose replacement left before the returned unit came back: the day "
        "the unit is due.",
    )
    replacement_chased = fields.Boolean(copy=False, readonly=True)
    can_confirm_receipt = fields.Boolean(compute="_compute_can_receipt_flags")
    can_refund_without_receipt = fields.Boolean(compute="_compute_can_receipt_flags")
    can_invoice_unreturned = fields.Boolean(compute="_compute_can_receipt_flags")

    @api.depends(
        "return_type",
        "picking_ids.state",
        "picking_ids.date_done",
        "company_id.aftersales_replacement_return_days",
    )
    def _compute_replacement_due_date(self):
        for ret in self:
            # sudo: the return's own transfers, for users without warehouse rights
            pickings = ret.sudo().picking_ids
            shipped = pickings.filtered(lambda p: p.picking_type_code == "outgoing" and p.state == "done")
            waiting = pickings.filtered(
                lambda p: p.picking_type_code == "incoming" and p.state not in ("done", "cancel")
            )
            if ret.return_type != "exchange" or not shipped or not waiting:
                ret.replacement_due_date = False
                continue
            left = ret.company_id._aftersales_date(min(shipped.mapped("date_done")))
            days = ret.company_id.aftersales_replacement_return_days
            ret.replacement_due_date = left + timedelta(days=days)

    @api.depends("state", "line_ids.qty_received", "replacement_due_date")
    @api.depends_context("uid")
    def _compute_can_receipt_flags(self):
        is_manager = self.env.user.has_group(MANAGER_GROUP)
        is_warehouse = self.env.user.has_group("stock.group_stock_user")
        for ret in self:
            unconfirmed = ret.state == "waiting_goods" and bool(ret._lines_without_receipt())
            ret.can_confirm_receipt = (
                is_warehouse and ret.create_uid != self.env.user and unconfirmed
            ) and bool(ret._lines_without_receipt().filtered(lambda ln: ln.product_id.type == "consu"))
            ret.can_refund_without_receipt = is_manager and unconfirmed
            ret.can_invoice_unreturned = (
                is_manager
                and ret.state == "waiting_goods"
                and bool(ret.replacement_due_date)
                and ret.replacement_due_date < ret.company_id._aftersales_date()
            )

    def _lines_without_receipt(self):
        return self.line_ids.filtered(
            lambda ln: (
                not ln.product_id.is_storable
                and float_compare(ln.qty_received, ln.qty_approved, precision_digits=4) < 0
            )
        )

    # ------------------------------------------------------------------ goods without moves
    def action_confirm_receipt(self):
        """The consumables of the return (goods without stock moves) were received: they are
        refundable now. R-6: a warehouse user confirms what came in, never the requester."""
        if not self.env.user.has_group("stock.group_stock_user"):
            raise AccessError(_("Goods are received by a warehouse user."))
        own = self.filtered(lambda r: r.create_uid == self.env.user)
        if own:
            raise AccessError(
                _(
                    "You requested return %(names)s: a warehouse colleague confirms its receipt.",
                    names=", ".join(own.mapped("name")),
                )
            )
        self._ensure_can("can_confirm_receipt", _("Return %(names)s has no goods to confirm."))
        for ret in self:
            lines = ret._lines_without_receipt().filtered(lambda ln: ln.product_id.type == "consu")
            ret._confirm_received(lines, _("Receipt confirmed by %(user)s.", user=self.env.user.name))
        return True

    def action_refund_without_receipt(self):
        """A manager decides the goods without stock moves (consumables, services) are refunded
        without a receipt."""
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(_("Only an After-Sales manager decides a refund without receipt."))
        self._ensure_can("can_refund_without_receipt", _("Return %(names)s has nothing awaiting a receipt."))
        for ret in self:
            ret._confirm_received(
                ret._lines_without_receipt(),
                _("Refund without receipt decided by %(user)s.", user=self.env.user.name),
            )
        return True

    def _confirm_received(self, lines, message):
        self.ensure_one()
        lock_for_action(self)
        for line in lines:
            privileged(line).qty_received_confirmed = line.qty_approved
        self.message_post(body=message)
        self._update_received()

    def _update_received(self):
        res = super()._update_received()
        # a return of goods without stock moves only: received once they are all confirmed
        for ret in privileged(self).filtered(lambda r: r.state == "waiting_goods"):
            incoming = ret.picking_ids.filtered(lambda p: p.picking_type_code == "incoming")
            if all(p.state in ("done", "cancel") for p in incoming) and not ret._lines_without_receipt():
                ret.state = "received"
                ret.message_post(body=_("Goods received."))
        return res

    # ------------------------------------------------------------------ advance replacement
    @api.model
    def _cron_chase_replacements(self, batch_size=500):
        """Chase the units not back on their due day after an advance replacement: one to-do per
        return, for its requester (else the company's after-sales manager), never twice."""
        domain = [("replacement_chased", "=", False), ("state", "=", "waiting_goods")]
        domain += self.env["res.company"]._aftersales_date_domain("replacement_due_date", "<")
        returns = self.search(domain, limit=batch_size, order="replacement_due_date, id")
        for ret in returns:
            chase_once(
                ret,
                ret.company_id.aftersales_manager_id or ret.user_id,
                _(
                    "The unit of return %(name)s was due back on %(date)s",
                    name=ret.name,
                    date=ret.replacement_due_date,
                ),
                "replacement_chased",
                f"Chasing the unit due back on return {ret.name}",
            )
        remaining = self.search_count(domain) if len(returns) == batch_size else 0
        self.env["ir.cron"]._notify_progress(done=len(returns), remaining=remaining)
        return len(returns)

    def action_invoice_unreturned(self):
        """The unit never came back after its replacement left: its open receipt is cancelled and
        the unit is invoiced to the customer on a standard invoice of its order (a manager's
        decision, once the due date passed)."""
        self.ensure_one()
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(_("Only an After-Sales manager invoices an unreturned unit."))
        lock_for_action(self)
        self._ensure_can("can_invoice_unreturned", _("Return %(names)s has no overdue unit to invoice."))
        lines = self.line_ids.filtered(
            lambda ln: (
                ln.outcome == "exchange"
                and float_compare(ln.qty_received, ln.qty_approved, precision_digits=4) < 0
            )
        )
        # privileged: the open receipt of the unit is cancelled for the manager's decision
        open_moves = privileged(lines.sudo()).return_move_ids.filtered(
            lambda m: m.state not in ("done", "cancel")
        )
        open_moves._action_cancel()
        moves = self.env["account.move"]
        for order in lines.sale_line_id.order_id:
            order_lines = lines.filtered(lambda ln, order=order: ln.sale_line_id.order_id == order)
            vals = order.with_company(self.company_id)._prepare_invoice()
            invoice_lines = []
            for line in order_lines:
                missing = line.qty_approved - line.qty_received
                inv_vals = line.sale_line_id._prepare_invoice_line(quantity=missing)
                inv_vals["sale_line_ids"] = line._sale_line_link()
                invoice_lines.append(Command.create(inv_vals))
            vals.update(
                invoice_line_ids=invoice_lines,
                aftersales_return_id=self.id,
                aftersales_case_id=self.case_id.id,
                ref=_("Unit not returned, return %(name)s", name=self.name),
            )
            created = (
                privileged(self.env["account.move"])
                .with_company(self.company_id)
                .sudo(not self.env["account.move"].has_access("create"))
                .create(vals)
            )
            moves |= self.env["account.move"].browse(created.ids)
        moves._aftersales_stamp_approved()
        privileged(self).write({"state": "done"})
        self.message_post(
            body=Markup(_("Unit not returned: invoiced on %(moves)s (%(amount)s)."))
            % {
                "moves": Markup(", ").join(m._get_html_link() for m in moves),
                "amount": format_amount(self.env, sum(moves.mapped("amount_total")), self.currency_id),
            }
        )
        return form_action(moves[:1])
