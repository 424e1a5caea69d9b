from odoo import Command, _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import float_compare

from .aftersales_return import OUTCOMES, RETURN_LINE_FROZEN_FIELDS, RETURN_LINE_PROTECTED_FIELDS
from .tools import check_protected_write, is_privileged


class AftersalesReturnLine(models.Model):
    _name = "aftersales.return.line"
    _description = "After-Sales Return Line"
    _inherit = ["aftersales.number.guard"]

    return_id = fields.Many2one("aftersales.return", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="return_id.company_id", store=True)
    sale_line_id = fields.Many2one("sale.order.line", string="Order Line", required=True, index=True)
    product_id = fields.Many2one(related="sale_line_id.product_id", store=True)
    lot_id = fields.Many2one("stock.lot", string="Serial/Lot", domain="[('id', 'in', allowed_lot_ids)]")
    allowed_lot_ids = fields.Many2many(
        "stock.lot", compute="_compute_allowed_lot_ids", help="The serials delivered on this order line."
    )
    reason = fields.Char()
    outcome = fields.Selection(
        OUTCOMES, compute="_compute_outcome", store=True, readonly=False, precompute=True, required=True
    )
    qty_requested = fields.Float(
        string="Requested",
        digits="Product Unit of Measure",
        compute="_compute_qty_requested",
        store=True,
        readonly=False,
        precompute=True,
        help="A serial names one unit: the quantity follows it.",
    )
    qty_approved = fields.Float(string="Approved", digits="Product Unit of Measure", copy=False)
    return_move_ids = fields.Many2many("stock.move", string="Return Moves", copy=False, readonly=True)
    qty_received = fields.Float(
        string="Received", digits="Product Unit of Measure", compute="_compute_qty_received", store=True
    )
    refund_line_ids = fields.One2many("account.move.line", "aftersales_return_line_id", string="Refund Lines")
    qty_refunded = fields.Float(
        string="Refunded", digits="Product Unit of Measure", compute="_compute_qty_refunded", store=True
    )
    qty_to_refund = fields.Float(
        string="To Refund", digits="Product Unit of Measure", compute="_compute_qty_to_refund"
    )
    delivery_date = fields.Date(compute="_compute_delivery_date")
    price_unit = fields.Float(related="sale_line_id.price_unit")
    discount = fields.Float(related="sale_line_id.discount")
    refund_estimate = fields.Monetary(compute="_compute_refund_estimate", currency_field="currency_id")
    amount_refunded = fields.Monetary(
        compute="_compute_qty_refunded", store=True, currency_field="currency_id"
    )
    currency_id = fields.Many2one(related="sale_line_id.currency_id")
    # an exchange may be for another product (model, size); the price difference is settled
    # through the sale order: a line for the new product (delivered by the order's own delivery)
    # and the order's standard invoice or credit note for the difference
    exchange_product_id = fields.Many2one(
        "product.product",
        string="Exchange For",
        domain="[('sale_ok', '=', True), '|', ('company_id', '=', False), ('company_id', '=', company_id)]",
        help="Another product the customer takes instead (exchange only); empty: the same product.",
    )
    exchange_price_unit = fields.Float(
        string="Exchange Price",
        digits="Product Price",
        compute="_compute_exchange_price",
        help="Unit price of the product taken instead, from the order's pricelist.",
    )
    exchange_difference = fields.Monetary(
        string="Price Difference",
        compute="_compute_exchange_price",
        currency_field="currency_id",
        help="Positive: invoiced to the customer; negative: credited (untaxed).",
    )
    exchange_sale_line_id = fields.Many2one(
        "sale.order.line", string="Exchange Order Line", readonly=True, copy=False, index="btree_not_null"
    )

    @api.depends("exchange_product_id", "qty_requested", "qty_approved", "sale_line_id", "outcome")
    def _compute_exchange_price(self):
        for line in self:
            product = line.exchange_product_id
            if not product or product == line.product_id or line.outcome != "exchange":
                line.exchange_price_unit = line.exchange_difference = 0.0
                continue
            line.exchange_price_unit = line._exchange_price(product)
            qty = line.qty_approved or line.qty_requested
            line.exchange_difference = line.currency_id.round(
                (line.exchange_price_unit - line.sale_line_id.price_reduce_taxexcl) * qty
            )

    def _exchange_price(self, product):
        order = self.sale_line_id.order_id
        if order.pricelist_id:
            return order.pricelist_id._get_product_price(
                product, self.qty_approved or self.qty_requested or 1.0, currency=order.currency_id
            )
        return product.lst_price

    def _sale_line_link(self):
        """How a refund (or the deduction of an exchange) of this line links to its order line:
        delivery-invoiced products lower the invoiced quantity, as the return lowered the
        delivered one; order-invoiced ones are not linked, else the order would be invoiceable
        again (OCA/rma#300)."""
        self.ensure_one()
        return [Command.set(self.sale_line_id.ids)] if self.product_id.invoice_policy == "delivery" else []

    def _exchanges_other_product(self):
        self.ensure_one()
        return (
            self.outcome == "exchange"
            and bool(self.exchange_product_id)
            and self.exchange_product_id != self.product_id
        )

    @api.constrains("exchange_product_id", "outcome")
    def _check_exchange_product(self):
        for line in self.filtered("exchange_product_id"):
            if line.outcome != "exchange":
                raise ValidationError(
                    _(
                        "Only an exchange can be for another product (%(product)s).",
                        product=line.product_id.display_name,
                    )
                )

    @api.constrains("qty_requested", "sale_line_id")
    def _check_qty_requested(self):
        for line in self:
            if float_compare(line.qty_requested, 0.0, precision_digits=6) <= 0:
                raise ValidationError(
                    _(
                        "Return quantities must be positive (%(product)s).",
                        product=line.product_id.display_name,
                    )
                )
            # more than was delivered is refused when it is typed, not only when submitted
            if line.return_id.state == "draft" and line.sale_line_id:
                line._check_line()

    @api.constrains("qty_approved", "qty_requested")
    def _check_qty_approved(self):
        for line in self:
            rounding = line.sale_line_id.product_uom.rounding or 0.0001
            if float_compare(line.qty_approved, line.qty_requested, precision_rounding=rounding) > 0:
                raise ValidationError(
                    _(
                        "%(product)s: %(approved)s approved but only %(requested)s requested.",
                        product=line.product_id.display_name,
                        approved=line.qty_approved,
                        requested=line.qty_requested,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        if not is_privileged(self):
            if lines.filtered(lambda ln: ln.qty_approved or ln.return_move_ids):
                raise AccessError(_("Approved quantities are set by the approval, not typed in."))
            if lines.return_id.filtered(lambda r: r.state != "draft"):
                raise UserError(_("Lines are added to draft returns only."))
        return lines

    def write(self, vals):
        check_protected_write(self, vals, RETURN_LINE_PROTECTED_FIELDS, _("a return line"))
        if not is_privileged(self) and set(vals) & set(RETURN_LINE_FROZEN_FIELDS):
            submitted = self.return_id.filtered(lambda r: r.state != "draft")
            if submitted:
                raise UserError(
                    _(
                        "Return %(names)s was submitted: its lines are frozen.",
                        names=", ".join(submitted.mapped("name")),
                    )
                )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_if_draft(self):
        if self.return_id.filtered(lambda r: r.state not in ("draft", "cancelled")):
            raise UserError(_("Lines of a submitted return cannot be deleted."))

    @api.depends("return_id.requested_outcome", "return_id.return_type")
    def _compute_outcome(self):
        for line in self:
            ret = line.return_id
            line.outcome = (
                "exchange" if ret.return_type == "exchange" else (ret.requested_outcome or "refund")
            )

    # recomputed when moves are linked and when a return transfer is validated
    # (``aftersales.return._update_received``), not on every change of every stock move: a
    # dependency on the moves' state would search the return lines for each move Odoo touches
    @api.depends("return_move_ids")
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
            # never more than approved, whatever was received on the return transfer
            base = (
                min(line.qty_received, line.qty_approved)
                if line.product_id.is_storable
                else line.qty_approved
            )
            # never above what is invoiced (net of every refund of this order line)
            line.qty_to_refund = max(
                0.0, min(base - line.qty_refunded, refundable.get(line.sale_line_id.id, 0.0))
            )

    def _compute_delivery_date(self):
        for line in self:
            dates = line._delivered_moves().mapped("date")
            line.delivery_date = line.return_id.company_id._aftersales_date(max(dates)) if dates else False

    @api.depends("qty_requested", "sale_line_id")
    def _compute_refund_estimate(self):
        for line in self:
            sale_line = line.sale_line_id
            line.refund_estimate = (
                sale_line.price_total / sale_line.product_uom_qty * line.qty_requested
                if sale_line.product_uom_qty
                else 0.0
            )

    @api.depends("return_id.name", "product_id", "lot_id")
    def _compute_display_name(self):
        for line in self:
            parts = [line.return_id.name or "", line.product_id.display_name or ""]
            if line.lot_id:
                parts.append(line.lot_id.name)
            line.display_name = " - ".join(p for p in parts if p)

    @api.depends("sale_line_id")
    def _compute_allowed_lot_ids(self):
        for line in self:
            # sudo: after-sales users read the deliveries of the order, not every stock record
            line.allowed_lot_ids = (
                line.sale_line_id.sudo()
                .move_ids.filtered(lambda m: m.state == "done" and m.location_dest_id.usage == "customer")
                .move_line_ids.lot_id
            )

    @api.depends("lot_id")
    def _compute_qty_requested(self):
        for line in self:
            if line.lot_id and line.lot_id.product_id.tracking == "serial":
                line.qty_requested = 1.0
            else:
                line.qty_requested = line.qty_requested or 1.0

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

    def _check_line(self, available=None):
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
        if available is None:
            available = sale_line._aftersales_returnable_qties(exclude=ret)
        available = available[sale_line.id]
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
