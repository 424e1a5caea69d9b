from odoo import api, fields, models


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    # --- warranty (W)
    aftersales_warranty_ids = fields.One2many(
        "aftersales.warranty",
        "sale_line_id",
        string="Warranties",
        groups="aftersales_service.group_aftersales_user,sales_team.group_sale_salesman",
    )
    aftersales_warranty_end_date = fields.Date(
        string="Warranty End", compute="_compute_aftersales_warranty_status"
    )
    aftersales_warranty_state = fields.Selection(
        [("active", "Active"), ("expired", "Expired"), ("void", "Void")],
        string="Warranty",
        compute="_compute_aftersales_warranty_status",
    )

    @api.depends("aftersales_warranty_ids.end_date", "aftersales_warranty_ids.state")
    def _compute_aftersales_warranty_status(self):
        for line in self:
            # sudo: only the end date and status are shown, to anyone who may read the order line
            warranties = line.sudo().aftersales_warranty_ids
            live = warranties.filtered(lambda w: w.state != "void")
            line.aftersales_warranty_end_date = max(live.mapped("end_date"), default=False)
            if not warranties:
                line.aftersales_warranty_state = False
            elif any(w.state == "active" for w in warranties):
                line.aftersales_warranty_state = "active"
            elif live:
                line.aftersales_warranty_state = "expired"
            else:
                line.aftersales_warranty_state = "void"

    # --- returns (R)
    def _aftersales_returnable_qty(self, exclude=None):
        """Delivered, not yet returned: the net delivered quantity minus what submitted returns
        still expect back (OCA/rma#268: never return more than was delivered)."""
        self.ensure_one()
        return self._aftersales_returnable_qties(exclude=exclude)[self.id]

    def _aftersales_exchange_choices(self):
        """R-2: what a customer may take in exchange for this line's product on the portal: the
        other variants of the same product (size, colour) and the products of its category that
        are sold, of the order's company. Staff may choose any product."""
        self.ensure_one()
        product = self.product_id
        # sudo: portal customers do not read products; only the choices are shown to them
        return (
            self.env["product.product"]
            .sudo()
            .search(
                [
                    ("sale_ok", "=", True),
                    ("id", "!=", product.id),
                    "|",
                    ("product_tmpl_id", "=", product.product_tmpl_id.id),
                    ("categ_id", "=", product.categ_id.id),
                    "|",
                    ("company_id", "=", False),
                    ("company_id", "=", self.company_id.id),
                ],
                order="name, id",
                limit=50,
            )
        )

    def _aftersales_returnable_qties(self, exclude=None):
        """{line id: returnable quantity} for all these order lines, in one query."""
        pending = dict.fromkeys(self.ids, 0.0)
        lines = self.env["aftersales.return.line"].search(
            [
                ("sale_line_id", "in", self.ids),
                ("return_id.state", "in", ("to_approve", "approved", "waiting_goods")),
                ("return_id", "!=", exclude._origin.id if exclude else False),
            ]
        )
        for line in lines:
            pending[line.sale_line_id.id] += max(
                (line.qty_approved or line.qty_requested) - line.qty_received, 0.0
            )
        return {sale_line.id: sale_line.qty_delivered - pending[sale_line.id] for sale_line in self}

    def _aftersales_returnable_lots(self, exclude=None):
        """Serials delivered on this line to the customer, neither returned nor on another open
        return (``exclude``: the return asking)."""
        self.ensure_one()
        # sudo: deliveries and other returns of the line, for users who read returns only
        delivered = self.sudo().move_ids.filtered(
            lambda m: (
                m.state == "done" and m.location_dest_id.usage == "customer" and not m.origin_returned_move_id
            )
        )
        returned = delivered.returned_move_ids.filtered(lambda m: m.state == "done").move_line_ids.lot_id
        pending = (
            self.env["aftersales.return.line"]
            .sudo()
            .search(
                [
                    ("sale_line_id", "=", self.id),
                    ("return_id.state", "in", ("to_approve", "approved", "waiting_goods")),
                    ("return_id", "!=", exclude._origin.id if exclude else False),
                ]
            )
            .lot_ids
        )
        return (delivered.move_line_ids.lot_id - returned - pending).sudo(False)

    def _aftersales_refundable_qty(self):
        self.ensure_one()
        return self._aftersales_refundable_qties()[self.id]

    def _aftersales_refundable_qties(self):
        """{line id: invoiced quantity not refunded yet}, in one query for all lines.

        ``qty_invoiced`` is net of the credit notes linked to the line; refunds of order-invoiced
        lines are not linked (see the return), so they are subtracted here."""
        unlinked = dict(
            self.env["account.move.line"]._read_group(
                [
                    ("aftersales_return_line_id.sale_line_id", "in", self.ids),
                    ("sale_line_ids", "=", False),
                    ("parent_state", "!=", "cancel"),
                ],
                ["aftersales_return_line_id"],
                ["quantity:sum"],
            )
        )
        result = dict.fromkeys(self.ids, 0.0)
        for line in self:
            result[line.id] = line.qty_invoiced
        for return_line, qty in unlinked.items():
            result[return_line.sale_line_id.id] -= qty
        return result

    def _get_display_price(self):
        # W-3/W-4: a repair quotation prices parts and labour per the unit's warranty policy
        repair = self.order_id.repair_order_ids[:1]
        if repair and repair.aftersales_warranty_id and self.product_id:
            price = repair._get_aftersales_price(self.product_id)
            if price is not None:
                company = self.order_id.company_id
                return company.currency_id._convert(
                    price,
                    self.order_id.currency_id,
                    company,
                    self.order_id.date_order or company._aftersales_date(),
                )
        return super()._get_display_price()
