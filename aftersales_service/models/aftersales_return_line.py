from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import float_compare

from .aftersales_lock import SYSTEM, Frozen, _lt
from .aftersales_return import OUTCOMES, SUBMITTED
from .tools import is_privileged


class AftersalesReturnLine(models.Model):
    _name = "aftersales.return.line"
    _description = "After-Sales Return Line"
    _inherit = ["aftersales.lock.mixin", "aftersales.number.guard"]

    # who may change what, in which state (aftersales.lock.mixin): what the approval was given
    # for is frozen once the return is submitted; approved, received, refunded and graded
    # quantities are the workflow's
    _aftersales_locks = {
        **dict.fromkeys(
            (
                "qty_approved",
                "return_move_ids",
                "exchange_sale_line_id",
                "qty_received",
                "qty_received_confirmed",
                "qty_refunded",
                "amount_refunded",
                "refund_line_ids",
                "disposition",
                "disposition_date",
                "disposition_user_id",
                "disposition_move_ids",
                "scrap_ids",
                "repair_id",
                "vendor_id",
                "vendor_refund_line_ids",
            ),
            SYSTEM,
        ),
        **dict.fromkeys(
            (
                "return_id",
                "sale_line_id",
                "product_id",
                "qty_requested",
                "lot_id",
                "lot_ids",
                "outcome",
                "exchange_product_id",
                "reason",
            ),
            Frozen(SUBMITTED, via="return_id", reason=_lt("the request was submitted as it is")),
        ),
    }
    _aftersales_free = ("company_id",)
    _aftersales_lock_log_on = "return_id"
    _aftersales_unlink_lock = Frozen(
        ("to_approve", "approved", "waiting_goods", "received", "done", "refused"),
        via="return_id",
        reason=_lt("only draft or cancelled documents are deleted"),
    )

    return_id = fields.Many2one("aftersales.return", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="return_id.company_id", store=True)
    # empty for a unit bought elsewhere with a registered warranty (a warranty claim)
    sale_line_id = fields.Many2one(
        "sale.order.line",
        string="Order Line",
        index="btree_not_null",
        domain="[('order_id.state', '=', 'sale'), ('order_id.partner_id', 'child_of', commercial_partner_id),"
        " ('product_id.type', '=', 'consu'), ('qty_delivered', '>', 0)]",
        help="Any delivered order line of the customer: start from a product or serials and the "
        "matching delivery is proposed.",
    )
    commercial_partner_id = fields.Many2one(related="return_id.commercial_partner_id")
    product_id = fields.Many2one(
        "product.product",
        compute="_compute_product_id",
        store=True,
        readonly=False,
        precompute=True,
        index=True,
    )
    # several serials on one line (quantity = number of serials); ``lot_id`` is the first
    lot_ids = fields.Many2many(
        "stock.lot",
        "aftersales_return_line_lot_rel",
        "line_id",
        "lot_id",
        string="Serials/Lots",
        domain="[('id', 'in', allowed_lot_ids)]",
    )
    lot_id = fields.Many2one(
        "stock.lot",
        string="Serial/Lot",
        compute="_compute_lot_id",
        inverse="_inverse_lot_id",
        store=True,
        domain="[('id', 'in', allowed_lot_ids)]",
    )
    allowed_lot_ids = fields.Many2many(
        "stock.lot",
        compute="_compute_allowed_lot_ids",
        help="The serials delivered to the customer (on this order line once chosen).",
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
    qty_received_confirmed = fields.Float(
        string="Confirmed Received",
        digits="Product Unit of Measure",
        copy=False,
        readonly=True,
        help="Goods without stock moves (consumables, services): the quantity confirmed received, "
        "or refunded without receipt by a manager's decision.",
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

    @api.constrains("qty_requested", "sale_line_id", "lot_ids", "product_id")
    def _check_qty_requested(self):
        for line in self:
            if float_compare(line.qty_requested, 0.0, precision_digits=6) <= 0:
                raise ValidationError(
                    _(
                        "Return quantities must be positive (%(product)s).",
                        product=line.product_id.display_name,
                    )
                )
        # more than was delivered is refused when it is typed, not only when submitted (what is
        # left to return is read once per return, not once per line)
        typed = self.filtered(lambda ln: ln.return_id.state == "draft" and ln.sale_line_id)
        for ret in typed.return_id:
            lines = typed.filtered(lambda ln, ret=ret: ln.return_id == ret)
            available = lines.sale_line_id._aftersales_returnable_qties(exclude=ret)
            for line in lines:
                line._check_line(available=available)

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

    def write(self, vals):
        result = super().write(vals)
        if not is_privileged(self) and set(vals) & {"sale_line_id", "lot_id", "lot_ids"}:
            self.return_id._redate_draft()
        return result

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
    @api.depends(
        "return_move_ids", "qty_received_confirmed", "qty_approved", "qty_requested", "lot_id", "lot_ids"
    )
    def _compute_qty_received(self):
        """R-6, per unit: lines share a return move (the serials of one delivery, several lines
        on one order line); a serial counts on the line that asked for it, the other units of a
        move go to its lines without serials in order, each up to its quantity, and what is left
        over shows on the last of them (an over-receipt stays visible, never counted twice)."""
        received = {}
        for ret_lines in self.return_id.line_ids.grouped("return_id").values():
            received.update(ret_lines._received_per_unit())
        for line in self:
            if not line.product_id.is_storable:
                # goods without stock moves: what the receipt confirmation or a manager said
                line.qty_received = line.qty_received_confirmed
            else:
                line.qty_received = received.get(line.id, 0.0)

    def _received_per_unit(self):
        """{line id: units received} for the storable lines of one return (``self``)."""
        # in the return's line order (new lines of a form have no id to sort by yet)
        lines = self.filtered(lambda ln: ln.product_id.is_storable)
        done = lines.return_move_ids.filtered(lambda m: m.state == "done")
        left = {move: move.quantity for move in done}
        received = dict.fromkeys(lines.ids, 0.0)
        # each serial on the line that asked for it
        for line in lines:
            lots = line.lot_ids | line.lot_id
            if not lots or line.product_id.tracking == "none":
                continue
            for move in line.return_move_ids & done:
                taken = sum(
                    move.move_line_ids.filtered(lambda ml, lots=lots: ml.lot_id in lots).mapped("quantity")
                )
                taken = min(taken, left[move])
                left[move] -= taken
                received[line.id] += taken
        # the other units in line order, each line up to what it asked for
        last_of = {}
        for line in lines:
            if (line.lot_ids | line.lot_id) and line.product_id.tracking != "none":
                continue  # a serial that came back without a line asking for it is not theirs
            moves = line.return_move_ids & done
            for move in moves:
                last_of[move] = line
            wanted = line.qty_approved or line.qty_requested
            for move in moves:
                taken = min(left[move], max(wanted - received[line.id], 0.0))
                left[move] -= taken
                received[line.id] += taken
        for move, quantity in left.items():
            if quantity > 0 and move in last_of:
                received[last_of[move].id] += quantity
        return received

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
            # goods without stock moves too: only what was confirmed received (or a manager
            # decided to refund without receipt), never the approved quantity by itself
            base = min(line.qty_received, line.qty_approved)
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

    @api.depends("return_id.name", "product_id", "lot_ids")
    def _compute_display_name(self):
        for line in self:
            parts = [line.return_id.name or "", line.product_id.display_name or ""]
            if line.lot_ids:
                parts.append(", ".join(line.lot_ids.mapped("name")))
            line.display_name = " - ".join(p for p in parts if p)

    @api.depends("sale_line_id")
    def _compute_product_id(self):
        for line in self:
            line.product_id = line.sale_line_id.product_id or line.product_id

    @api.depends("lot_ids")
    def _compute_lot_id(self):
        for line in self:
            line.lot_id = line.lot_ids[:1]

    def _inverse_lot_id(self):
        for line in self:
            if line.lot_id != line.lot_ids[:1]:
                line.lot_ids = line.lot_id

    @api.depends("sale_line_id", "product_id", "return_id.commercial_partner_id")
    def _compute_allowed_lot_ids(self):
        for line in self:
            registered = self.env["stock.lot"]
            if line.product_id and line.return_id.commercial_partner_id and not line.sale_line_id:
                registered = line.return_id._registered_lots(product=line.product_id)
            if line.sale_line_id:
                moves = line.sale_line_id.move_ids
            elif line.product_id and line.return_id.commercial_partner_id:
                # sudo: the customer's deliveries of that product, to pick serials from first
                moves = (
                    self.env["stock.move"]
                    .sudo()
                    .search(
                        [
                            (
                                "sale_line_id.order_id.partner_id",
                                "child_of",
                                line.return_id.commercial_partner_id.id,
                            ),
                            ("product_id", "=", line.product_id.id),
                            ("state", "=", "done"),
                            ("location_dest_id.usage", "=", "customer"),
                        ]
                    )
                )
            else:
                moves = self.env["stock.move"]
            # sudo: after-sales users read the deliveries of the order, not every stock record
            line.allowed_lot_ids = (
                moves.sudo()
                .filtered(lambda m: m.state == "done" and m.location_dest_id.usage == "customer")
                .move_line_ids.lot_id
            ) | registered

    @api.depends("lot_ids")
    def _compute_qty_requested(self):
        for line in self:
            if line.lot_ids and line.lot_ids[:1].product_id.tracking == "serial":
                line.qty_requested = float(len(line.lot_ids))
            else:
                line.qty_requested = line.qty_requested or 1.0

    @api.onchange("product_id", "lot_ids")
    def _onchange_find_sale_line(self):
        """Started from a product or serials: propose the matching delivered order line."""
        if self.sale_line_id or not self.product_id or not self.return_id.partner_id:
            return None
        if self.lot_ids and self.lot_ids <= self._registered_lots():
            return None  # a registered unit bought elsewhere: no order line
        try:
            proposal = self.return_id.action_find_sale_lines(self.product_id.id, self.lot_ids.ids or None)
        except UserError as error:
            return {"warning": {"title": _("No matching delivery"), "message": error.args[0]}}
        self.sale_line_id = self.env["sale.order.line"].browse(proposal[:1])
        return None

    def _delivered_moves(self):
        self.ensure_one()
        return self.sale_line_id.move_ids.filtered(
            lambda m: (
                m.state == "done"
                and m.location_dest_id.usage == "customer"
                and not m.origin_returned_move_id
                and (not self.lot_ids or self.lot_ids & m.move_line_ids.lot_id)
            )
        )

    def _invoice_lines(self):
        return self.sale_line_id.invoice_lines.filtered(
            lambda ml: ml.move_id.move_type == "out_invoice" and ml.parent_state == "posted"
        ).sorted(lambda ml: ml.move_id.invoice_date or ml.move_id.date, reverse=True)

    def _registered_lots(self):
        """The serials of this line registered to the return's customer (units bought
        elsewhere with an approved registration)."""
        self.ensure_one()
        return self.return_id._registered_lots(self.lot_ids)

    def _check_registered_unit(self):
        """A unit bought elsewhere comes back as a warranty claim on its registration: repaired
        or replaced, never refunded (we never sold it)."""
        self.ensure_one()
        if not self.lot_ids or not self.product_id:
            raise ValidationError(
                _(
                    "%(product)s: choose the order line it was bought on, or the serial of a "
                    "registered unit.",
                    product=self.product_id.display_name or _("A line"),
                )
            )
        foreign = self.lot_ids - self._registered_lots()
        if foreign:
            raise ValidationError(
                _(
                    "Serial %(lots)s was not sold by us and has no registered warranty of %(customer)s.",
                    lots=", ".join(foreign.mapped("name")),
                    customer=self.return_id.partner_id.display_name,
                )
            )
        if self.return_id.return_type != "quality" or self.outcome == "refund" or self.exchange_product_id:
            raise ValidationError(
                _(
                    "%(product)s was bought elsewhere: it comes back as a quality problem under its "
                    "registered warranty, to be repaired or replaced, never refunded.",
                    product=self.product_id.display_name,
                )
            )

    def _check_line(self, available=None):
        self.ensure_one()
        ret = self.return_id
        sale_line = self.sale_line_id
        if not sale_line:
            self._check_registered_unit()
            return
        # sudo: the order's customer, company and currency, for users who read returns only
        order = sale_line.order_id.sudo()
        if order.partner_id.commercial_partner_id != ret.partner_id.commercial_partner_id:
            raise ValidationError(
                _(
                    "%(line)s is on order %(order)s of another customer, not of %(customer)s.",
                    line=sale_line.display_name,
                    order=order.name,
                    customer=ret.partner_id.display_name,
                )
            )
        if order.state != "sale" or order.company_id != ret.company_id:
            raise ValidationError(
                _(
                    "Order %(order)s is not a confirmed order of %(company)s.",
                    order=order.name,
                    company=ret.company_id.name,
                )
            )
        if ret.currency_id and order.currency_id != ret.currency_id:
            raise ValidationError(
                _(
                    "Order %(order)s is in %(currency)s, the return in %(other)s: return it separately.",
                    order=order.name,
                    currency=order.currency_id.name,
                    other=ret.currency_id.name,
                )
            )
        if self.qty_requested <= 0:
            raise ValidationError(
                _("Return quantities must be positive (%(product)s).", product=self.product_id.display_name)
            )
        if available is None:
            available = sale_line._aftersales_returnable_qties(exclude=ret)
        available = available[sale_line.id]
        # the lines of the return on one order line share what it delivered
        requested = sum(
            ret.line_ids.filtered(lambda ln: ln.sale_line_id == sale_line).mapped("qty_requested")
        )
        if float_compare(requested, available, precision_rounding=sale_line.product_uom.rounding) > 0:
            raise ValidationError(
                _(
                    "%(product)s: %(qty)s requested but only %(available)s delivered and not yet returned.",
                    product=self.product_id.display_name,
                    qty=requested,
                    available=available,
                )
            )
        if self.lot_ids:
            returnable = sale_line._aftersales_returnable_lots(exclude=ret)
            wrong = self.lot_ids - returnable
            if wrong:
                raise ValidationError(
                    _(
                        "Serial %(lots)s was not delivered on order %(order)s, or is returned already.",
                        lots=", ".join(wrong.mapped("name")),
                        order=order.name,
                    )
                )
            if self.product_id.tracking == "serial" and len(self.lot_ids) != self.qty_requested:
                raise ValidationError(
                    _(
                        "%(product)s: %(qty)s requested but %(count)s serials given.",
                        product=self.product_id.display_name,
                        qty=self.qty_requested,
                        count=len(self.lot_ids),
                    )
                )
        if self.product_id != sale_line.product_id:
            raise ValidationError(
                _(
                    "%(product)s is not the product of order line %(line)s.",
                    product=self.product_id.display_name,
                    line=sale_line.display_name,
                )
            )
