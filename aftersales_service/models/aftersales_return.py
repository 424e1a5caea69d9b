from datetime import timedelta

from odoo import Command, _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import float_compare, float_is_zero

from .tools import form_action

RETURN_STATES = [
    ("draft", "Draft"),
    ("to_approve", "To Approve"),
    ("approved", "Approved"),
    ("waiting_goods", "Waiting Goods"),
    ("received", "Received"),
    ("done", "Done"),
    ("refused", "Refused"),
    ("cancelled", "Cancelled"),
]
RETURN_TYPES = [("no_reason", "No-Reason Return"), ("quality", "Quality Problem"), ("exchange", "Exchange")]
OUTCOMES = [("refund", "Refund"), ("exchange", "Exchange"), ("repair", "Repair")]
ACTIVE_STATES = ("draft", "to_approve", "approved", "waiting_goods", "received", "done")


class AftersalesReturn(models.Model):
    """A return, exchange or refund request (R-1..R-8), carried out with Odoo's own return
    pickings and credit notes."""

    _name = "aftersales.return"
    _description = "After-Sales Return"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(string="Reference", required=True, readonly=True, copy=False, default="/")
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    sale_order_id = fields.Many2one(
        "sale.order",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
        domain="[('state', '=', 'sale')]",
    )
    partner_id = fields.Many2one(
        related="sale_order_id.partner_id", store=True, index=True, string="Customer"
    )
    commercial_partner_id = fields.Many2one(
        related="partner_id.commercial_partner_id", store=True, index=True
    )
    case_id = fields.Many2one(
        "aftersales.case", string="Service Case", index="btree_not_null", check_company=True
    )
    return_type = fields.Selection(
        RETURN_TYPES, string="Type", required=True, default="no_reason", tracking=True
    )
    requested_outcome = fields.Selection(OUTCOMES, required=True, default="refund", tracking=True)
    channel = fields.Char(help="Shop or channel the goods were bought in (R-3).")
    description = fields.Text(string="Problem", help="What the customer reports (R-3).")
    state = fields.Selection(
        RETURN_STATES, default="draft", required=True, tracking=True, copy=False, index=True
    )
    request_date = fields.Date(default=fields.Date.context_today, required=True, tracking=True)
    user_id = fields.Many2one(
        "res.users", string="Requested By", default=lambda self: self.env.user, required=True, readonly=True
    )
    line_ids = fields.One2many("aftersales.return.line", "return_id", string="Lines", copy=True)
    # --- approval
    eligibility_note = fields.Text(compute="_compute_eligibility", string="Outside the Rules")
    needs_approval = fields.Boolean(compute="_compute_eligibility")
    approval_reason = fields.Text(help="Why a return outside the rules should be accepted.", tracking=True)
    approver_id = fields.Many2one("res.users", readonly=True, copy=False, tracking=True)
    approval_date = fields.Datetime(readonly=True, copy=False)
    refund_estimate = fields.Monetary(compute="_compute_refund_estimate", currency_field="currency_id")
    currency_id = fields.Many2one(related="sale_order_id.currency_id")
    # --- documents
    picking_ids = fields.One2many("stock.picking", "aftersales_return_id", string="Transfers")
    return_picking_count = fields.Integer(compute="_compute_counts")
    credit_note_ids = fields.One2many("account.move", "aftersales_return_id", string="Credit Notes")
    credit_note_count = fields.Integer(compute="_compute_counts")
    can_refund = fields.Boolean(compute="_compute_can_refund")

    # ------------------------------------------------------------------ computes
    @api.depends("line_ids.refund_estimate")
    def _compute_refund_estimate(self):
        for ret in self:
            ret.refund_estimate = sum(ret.line_ids.mapped("refund_estimate"))

    @api.depends(
        "return_type",
        "request_date",
        "line_ids.delivery_date",
        "line_ids.lot_id",
        "refund_estimate",
        "company_id.aftersales_return_days",
        "company_id.aftersales_refund_threshold",
    )
    def _compute_eligibility(self):
        Warranty = self.env["aftersales.warranty"]
        for ret in self:
            notes = []
            days = ret.company_id.aftersales_return_days
            for line in ret.line_ids:
                if ret.return_type in ("no_reason", "exchange"):
                    if not line.delivery_date:
                        notes.append(
                            _("%(product)s was not delivered yet.", product=line.product_id.display_name)
                        )
                    elif ret.request_date > line.delivery_date + timedelta(days=days):
                        notes.append(
                            _(
                                "%(product)s: the %(days)s-day return window closed on %(date)s (R-1).",
                                product=line.product_id.display_name,
                                days=days,
                                date=line.delivery_date + timedelta(days=days),
                            )
                        )
                elif ret.return_type == "quality" and not Warranty.find_covering_warranty(
                    ret.partner_id, line.product_id, lot=line.lot_id or None, date=ret.request_date
                ):
                    notes.append(
                        _(
                            "%(product)s is not under warranty on %(date)s (R-2).",
                            product=line.product_id.display_name,
                            date=ret.request_date,
                        )
                    )
            threshold = ret.company_id.aftersales_refund_threshold
            if threshold and ret.requested_outcome == "refund" and ret.refund_estimate > threshold:
                notes.append(
                    _(
                        "The refund of %(amount)s is above the approval threshold of %(threshold)s (R-4).",
                        amount=ret.refund_estimate,
                        threshold=threshold,
                    )
                )
            ret.eligibility_note = "\n".join(notes) or False
            ret.needs_approval = bool(notes)

    def _compute_counts(self):
        for ret in self:
            ret.return_picking_count = len(ret.picking_ids)
            ret.credit_note_count = len(ret.credit_note_ids)

    @api.depends("state", "line_ids.qty_to_refund")
    def _compute_can_refund(self):
        for ret in self:
            ret.can_refund = ret.state in ("approved", "waiting_goods", "received") and any(
                not float_is_zero(q, precision_digits=4) for q in ret.line_ids.mapped("qty_to_refund")
            )

    # ------------------------------------------------------------------ CRUD
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                company = self.env["res.company"].browse(vals.get("company_id")) or self.env.company
                vals["name"] = (
                    self.env["ir.sequence"].with_company(company).next_by_code("aftersales.return") or "/"
                )
        return super().create(vals_list)

    @api.onchange("sale_order_id")
    def _onchange_sale_order_id(self):
        if self.sale_order_id and not self.line_ids:
            self.line_ids = [Command.create(vals) for vals in self._prepare_default_lines(self.sale_order_id)]

    @api.model
    def _prepare_default_lines(self, order):
        """Lines for what was delivered and not yet returned."""
        lines = []
        for sale_line in order.order_line.filtered(lambda sl: sl.product_id.type == "consu"):
            available = sale_line._aftersales_returnable_qty()
            if float_compare(available, 0.0, precision_rounding=sale_line.product_uom.rounding) > 0:
                lines.append({"sale_line_id": sale_line.id, "qty_requested": available})
        return lines

    # ------------------------------------------------------------------ checks
    def _check_lines(self):
        for ret in self:
            if not ret.line_ids:
                raise UserError(_("Return %(name)s has no line.", name=ret.name))
            for line in ret.line_ids:
                line._check_line()

    # ------------------------------------------------------------------ actions
    def action_submit(self):
        """Submit: inside the rules the return is approved at once, else it waits for a manager
        (R-4), who needs the requester's reason."""
        for ret in self:
            if ret.state != "draft":
                raise UserError(_("Return %(name)s was already submitted.", name=ret.name))
            ret._check_lines()
            if ret.needs_approval:
                if not ret.approval_reason:
                    raise UserError(
                        _(
                            "Return %(name)s is outside the rules:\n%(why)s\n"
                            "Give a reason for the manager's approval.",
                            name=ret.name,
                            why=ret.eligibility_note,
                        )
                    )
                ret.write({"state": "to_approve"})
                ret._notify_managers()
            else:
                for line in ret.line_ids:
                    line.qty_approved = line.qty_requested
                ret.write({"state": "approved", "approval_date": fields.Datetime.now()})
                ret._create_return_pickings()
        return True

    def _notify_managers(self):
        manager = self.company_id.aftersales_manager_id
        for ret in self:
            if manager:
                ret.activity_schedule(
                    "mail.mail_activity_data_todo",
                    user_id=manager.id,
                    summary=_("Approve return %(name)s", name=ret.name),
                    note=ret.eligibility_note,
                )

    def action_approve(self):
        """R-4: a manager, never the requester, approves a return outside the rules."""
        if not self.env.user.has_group("aftersales_service.group_aftersales_manager"):
            raise AccessError(_("Only an After-Sales manager can approve returns outside the rules."))
        for ret in self:
            if ret.state != "to_approve":
                raise UserError(_("Return %(name)s is not waiting for approval.", name=ret.name))
            if ret.user_id == self.env.user:
                raise UserError(
                    _("You requested return %(name)s: another manager must approve it.", name=ret.name)
                )
            ret._check_lines()
            for line in ret.line_ids:
                if not line.qty_approved:
                    line.qty_approved = line.qty_requested
            ret.write(
                {"state": "approved", "approver_id": self.env.user.id, "approval_date": fields.Datetime.now()}
            )
            ret.activity_ids.filtered(lambda a, ret=ret: a.summary and ret.name in a.summary).action_feedback(
                _("Approved")
            )
            ret._create_return_pickings()
        return True

    def action_refuse(self):
        """A refused (not valid) return changes nothing in stock or receivables (R-7)."""
        if not self.env.user.has_group("aftersales_service.group_aftersales_manager"):
            raise AccessError(_("Only an After-Sales manager can refuse returns."))
        for ret in self:
            if ret.state not in ("draft", "to_approve"):
                raise UserError(_("Return %(name)s cannot be refused any more.", name=ret.name))
        self.write(
            {"state": "refused", "approver_id": self.env.user.id, "approval_date": fields.Datetime.now()}
        )
        self.activity_ids.action_feedback(_("Refused"))
        return True

    def action_cancel(self):
        for ret in self:
            if ret.credit_note_ids.filtered(lambda m: m.state == "posted"):
                raise UserError(
                    _("Return %(name)s has a posted credit note: it cannot be cancelled.", name=ret.name)
                )
            if ret.picking_ids.filtered(lambda p: p.state == "done"):
                raise UserError(
                    _("Goods of return %(name)s were received: it cannot be cancelled.", name=ret.name)
                )
        self.picking_ids.filtered(lambda p: p.state != "cancel").action_cancel()
        self.write({"state": "cancelled"})
        return True

    def action_draft(self):
        self.filtered(lambda r: r.state in ("refused", "cancelled")).write({"state": "draft"})

    # ------------------------------------------------------------------ goods
    def _create_return_pickings(self):
        """One standard return picking per original delivery, for the approved quantities, made
        with Odoo's own return wizard; exchanges also get Odoo's replacement delivery."""
        for ret in self:
            by_picking = {}
            for line in ret.line_ids.filtered(lambda ln: ln.qty_approved > 0 and ln.product_id.is_storable):
                remaining = line.qty_approved
                for move in line._delivered_moves():
                    if remaining <= 0:
                        break
                    take = min(remaining, move._aftersales_returnable_qty())
                    if take <= 0:
                        continue
                    by_picking.setdefault(move.picking_id, []).append((line, move, take))
                    remaining -= take
            for picking, items in by_picking.items():
                wizard = (
                    self.env["stock.return.picking"]
                    .with_context(active_id=picking.id, active_ids=picking.ids, active_model="stock.picking")
                    .create({"picking_id": picking.id})
                )
                quantities = {move.id: qty for _line, move, qty in items}
                for wiz_line in wizard.product_return_moves:
                    wiz_line.quantity = quantities.get(wiz_line.move_id.id, 0.0)
                exchange = ret.return_type == "exchange" or ret.requested_outcome == "exchange"
                action = wizard.action_create_exchanges() if exchange else wizard.action_create_returns()
                new_picking = self.env["stock.picking"].browse(action["res_id"])
                # returned quantities lower what was delivered (and so what is invoiceable)
                new_picking.move_ids.write({"to_refund": True})
                new_picking.aftersales_return_id = ret
                for line, move, _qty in items:
                    line.return_move_ids |= new_picking.move_ids.filtered(
                        lambda m, move=move: m.origin_returned_move_id == move
                    )
                if exchange:
                    replacement = ret.sale_order_id.picking_ids.filtered(
                        lambda p: (
                            p.picking_type_code == "outgoing"
                            and p.state not in ("done", "cancel")
                            and not p.aftersales_return_id
                        )
                    )
                    replacement.aftersales_return_id = ret
            ret.state = "waiting_goods" if by_picking else "received"

    def _update_received(self):
        """Called when a return picking is validated: received quantities come from the done
        return moves (R-6)."""
        for ret in self.filtered(lambda r: r.state == "waiting_goods"):
            incoming = ret.picking_ids.filtered(lambda p: p.picking_type_code == "incoming")
            if incoming and all(p.state in ("done", "cancel") for p in incoming):
                ret.state = "received"
                ret.message_post(body=_("Goods received."))

    # ------------------------------------------------------------------ money
    def action_create_credit_note(self):
        """Reverse the original invoice lines for the received quantities (approved ones for
        lines with nothing to receive), with their price, discount and taxes (R-6, R-8)."""
        self.ensure_one()
        if self.state not in ("approved", "waiting_goods", "received"):
            raise UserError(_("Return %(name)s must be approved before refunding.", name=self.name))
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
        credit_notes = self.env["account.move"].with_company(self.company_id).create(moves_vals)
        if self.company_id.aftersales_post_credit_notes:
            credit_notes.action_post()
        self.message_post(
            body=_(
                "Credit note %(moves)s created.", moves=", ".join(m._get_html_link() for m in credit_notes)
            )
        )
        if (
            all(float_is_zero(ln.qty_to_refund, precision_digits=4) for ln in self.line_ids)
            and self.state == "received"
        ):
            self.state = "done"
        return credit_notes

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
                    "invoice_origin": self.sale_order_id.name,
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
                                # delivery-invoiced lines: the refund lowers the invoiced quantity
                                # as the return lowered the delivered one; order-invoiced lines keep
                                # theirs, else the order would be invoiceable again (OCA/rma#300)
                                "sale_line_ids": [Command.set(line.sale_line_id.ids)]
                                if line.product_id.invoice_policy == "delivery"
                                else [],
                                "aftersales_return_line_id": line.id,
                            }
                        )
                        for line, inv_line, qty in items
                    ],
                }
            )
        return vals_list

    def action_create_complaint(self):
        """P-1: a return can open a complaint form that reads its credit notes for the loss."""
        self.ensure_one()
        complaint = self.env["aftersales.complaint"].create(
            {
                "partner_id": self.partner_id.id,
                "return_id": self.id,
                "case_id": self.case_id.id,
                "sale_order_id": self.sale_order_id.id,
                "company_id": self.company_id.id,
                "cause_type": "quality" if self.return_type == "quality" else "non_quality",
                "customer_demand": self.description,
            }
        )
        return form_action(complaint)

    def action_view_pickings(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("stock.action_picking_tree_all")
        action["domain"] = [("id", "in", self.picking_ids.ids)]
        action["context"] = {"create": False}
        return action

    def action_view_credit_notes(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("account.action_move_out_refund_type")
        action["domain"] = [("id", "in", self.credit_note_ids.ids)]
        action["context"] = {"create": False}
        return action


class AftersalesReturnLine(models.Model):
    _name = "aftersales.return.line"
    _description = "After-Sales Return Line"

    return_id = fields.Many2one("aftersales.return", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="return_id.company_id", store=True)
    sale_line_id = fields.Many2one("sale.order.line", string="Order Line", required=True, index=True)
    product_id = fields.Many2one(related="sale_line_id.product_id", store=True)
    lot_id = fields.Many2one("stock.lot", string="Serial/Lot")
    reason = fields.Char()
    outcome = fields.Selection(
        OUTCOMES, compute="_compute_outcome", store=True, readonly=False, precompute=True, required=True
    )
    qty_requested = fields.Float(string="Requested", digits="Product Unit of Measure", default=1.0)
    qty_approved = fields.Float(string="Approved", digits="Product Unit of Measure", copy=False)
    return_move_ids = fields.Many2many("stock.move", string="Return Moves", copy=False, readonly=True)
    qty_received = fields.Float(
        string="Received", digits="Product Unit of Measure", compute="_compute_qty_received", store=True
    )
    refund_line_ids = fields.One2many("account.move.line", "aftersales_return_line_id", string="Refund Lines")
    qty_refunded = fields.Float(
        string="Refunded", digits="Product Unit of Measure", compute="_compute_qty_refunded", store=True
    )
    qty_to_refund = fields.Float(digits="Product Unit of Measure", compute="_compute_qty_to_refund")
    delivery_date = fields.Date(compute="_compute_delivery_date")
    price_unit = fields.Float(related="sale_line_id.price_unit")
    discount = fields.Float(related="sale_line_id.discount")
    refund_estimate = fields.Monetary(compute="_compute_refund_estimate", currency_field="currency_id")
    amount_refunded = fields.Monetary(
        compute="_compute_qty_refunded", store=True, currency_field="currency_id"
    )
    currency_id = fields.Many2one(related="sale_line_id.currency_id")

    @api.depends("return_id.requested_outcome", "return_id.return_type")
    def _compute_outcome(self):
        for line in self:
            ret = line.return_id
            line.outcome = (
                "exchange" if ret.return_type == "exchange" else (ret.requested_outcome or "refund")
            )

    @api.depends("return_move_ids.state", "return_move_ids.quantity")
    def _compute_qty_received(self):
        for line in self:
            line.qty_received = sum(
                line.return_move_ids.filtered(lambda m: m.state == "done").mapped("quantity")
            )

    @api.depends("refund_line_ids.quantity", "refund_line_ids.parent_state", "refund_line_ids.price_total")
    def _compute_qty_refunded(self):
        for line in self:
            refunds = line.refund_line_ids.filtered(lambda ml: ml.parent_state != "cancel")
            line.qty_refunded = sum(refunds.mapped("quantity"))
            line.amount_refunded = sum(refunds.mapped("price_total"))

    @api.depends(
        "qty_approved",
        "qty_received",
        "qty_refunded",
        "product_id",
        "return_id.state",
        "sale_line_id.qty_invoiced",
    )
    def _compute_qty_to_refund(self):
        refundable = self.sale_line_id._aftersales_refundable_qties()
        for line in self:
            if (
                line.return_id.state not in ("approved", "waiting_goods", "received")
                or line.outcome != "refund"
            ):
                line.qty_to_refund = 0.0
                continue
            base = line.qty_received if line.product_id.is_storable else line.qty_approved
            # never above what is invoiced (net of every refund of this order line)
            line.qty_to_refund = max(
                0.0, min(base - line.qty_refunded, refundable.get(line.sale_line_id.id, 0.0))
            )

    def _compute_delivery_date(self):
        for line in self:
            dates = line._delivered_moves().mapped("date")
            line.delivery_date = fields.Date.context_today(line, max(dates)) if dates else False

    @api.depends("qty_requested", "sale_line_id")
    def _compute_refund_estimate(self):
        for line in self:
            sale_line = line.sale_line_id
            line.refund_estimate = (
                sale_line.price_total / sale_line.product_uom_qty * line.qty_requested
                if sale_line.product_uom_qty
                else 0.0
            )

    def _delivered_moves(self):
        self.ensure_one()
        return self.sale_line_id.move_ids.filtered(
            lambda m: (
                m.state == "done"
                and m.location_dest_id.usage == "customer"
                and not m.origin_returned_move_id
                and (not self.lot_id or self.lot_id in m.move_line_ids.lot_id)
            )
        )

    def _invoice_lines(self):
        return self.sale_line_id.invoice_lines.filtered(
            lambda ml: ml.move_id.move_type == "out_invoice" and ml.parent_state == "posted"
        ).sorted(lambda ml: ml.move_id.invoice_date or ml.move_id.date, reverse=True)

    def _check_line(self):
        self.ensure_one()
        ret = self.return_id
        sale_line = self.sale_line_id
        if sale_line.order_id != ret.sale_order_id:
            raise ValidationError(
                _(
                    "%(line)s is a line of %(other)s, not of %(order)s.",
                    line=sale_line.display_name,
                    other=sale_line.order_id.name,
                    order=ret.sale_order_id.name,
                )
            )
        if self.qty_requested <= 0:
            raise ValidationError(
                _("Return quantities must be positive (%(product)s).", product=self.product_id.display_name)
            )
        available = sale_line._aftersales_returnable_qty(exclude=ret)
        if (
            float_compare(self.qty_requested, available, precision_rounding=sale_line.product_uom.rounding)
            > 0
        ):
            raise ValidationError(
                _(
                    "%(product)s: %(qty)s requested but only %(available)s delivered and not yet returned.",
                    product=self.product_id.display_name,
                    qty=self.qty_requested,
                    available=available,
                )
            )
        if self.lot_id:
            delivered_lots = sale_line.move_ids.filtered(
                lambda m: m.state == "done" and m.location_dest_id.usage == "customer"
            ).move_line_ids.lot_id
            if self.lot_id not in delivered_lots:
                raise ValidationError(
                    _(
                        "Serial %(lot)s was not delivered on order %(order)s.",
                        lot=self.lot_id.name,
                        order=ret.sale_order_id.name,
                    )
                )
