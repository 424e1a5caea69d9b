# pylint: disable=consider-merging-classes-inherited
# (a rule part of the model, in a room of its own: see docs/ARCHITECTURE.md)
from datetime import timedelta

from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare


class AftersalesReturn(models.Model):
    """A return belongs to a customer: its lines may come from several of the customer's
    delivered orders; a line can be started from a product or its serials and the matching
    delivery is proposed."""

    _inherit = "aftersales.return"

    @api.readonly
    def action_find_sale_lines(self, product_id, lot_ids=None):
        """Ids of this customer's delivered order lines that ``product_id`` (and its serials
        ``lot_ids``) can be returned on, best first: the lines the serials were delivered on,
        else the most recent deliveries with quantity left, those inside the eligibility period
        of the return type first. Raises a ``UserError`` when the customer never received it
        from us (a unit sold by someone else), unless its serial has a registered warranty of
        the customer: such units have no order line of ours (none is proposed for them)."""
        self.ensure_one()
        if not self.partner_id:
            raise UserError(_("Choose the customer first."))
        product = self.env["product.product"].browse(product_id).exists()
        if not product:
            raise UserError(_("Choose a product."))
        lots = self.env["stock.lot"].browse(lot_ids or []).exists()
        moves = self._customer_deliveries(product)
        if lots:
            sale_lines = self.env["sale.order.line"]
            missing = self.env["stock.lot"]
            # units bought elsewhere with a registered warranty have no order line of ours
            lots -= self._registered_lots(lots)
            for lot in lots:
                lot_moves = moves.filtered(lambda m, lot=lot: lot in m.move_line_ids.lot_id)
                found = lot_moves.sale_line_id.filtered(
                    lambda sl, lot=lot: lot in sl._aftersales_returnable_lots(exclude=self)
                )
                if not found:
                    missing |= lot
                sale_lines |= found.sorted(lambda sl: sl.order_id.date_order, reverse=True)[:1]
            if missing:
                raise UserError(
                    _(
                        "Serial %(lots)s was not delivered to %(customer)s by us, or is returned already.",
                        lots=", ".join(missing.mapped("name")),
                        customer=self.partner_id.display_name,
                    )
                )
            return sale_lines.ids
        returnable = moves.sale_line_id._aftersales_returnable_qties(exclude=self)
        candidates = moves.sale_line_id.filtered(
            lambda sl: float_compare(returnable[sl.id], 0.0, precision_rounding=sl.product_uom.rounding) > 0
        )
        if not candidates:
            raise UserError(
                _(
                    "%(customer)s received no %(product)s from us that is not returned already.",
                    customer=self.partner_id.display_name,
                    product=product.display_name,
                )
            )
        last_delivery = {}
        for move in moves:
            day = last_delivery.get(move.sale_line_id.id)
            last_delivery[move.sale_line_id.id] = max(day, move.date) if day else move.date

        def eligible(sale_line):
            request = self.request_date or self.company_id._aftersales_date()
            if self.return_type == "quality":
                return bool(
                    self.env["aftersales.warranty"].find_covering_warranty(
                        self.partner_id, product, date=request
                    )
                )
            delivered = self.company_id._aftersales_date(last_delivery[sale_line.id])
            return request <= delivered + timedelta(days=self.company_id.aftersales_return_days)

        ranked = candidates.sorted(lambda sl: (eligible(sl), last_delivery[sl.id], sl.id), reverse=True)
        return ranked.ids

    def _registered_lots(self, lots=None, product=None):
        """The serials (of ``lots``, or of ``product``) registered to this customer: units bought
        elsewhere whose registration was approved, the warranty now the customer's."""
        self.ensure_one()
        if not self.partner_id or (lots is not None and not lots):
            return self.env["stock.lot"]
        domain = [
            ("state", "=", "approved"),
            ("warranty_id.partner_id", "child_of", self.commercial_partner_id.id),
            ("company_id", "=", self.company_id.id),
        ]
        if lots is not None:
            domain.append(("lot_id", "in", lots.ids))
        if product:
            domain.append(("product_id", "=", product.id))
        # sudo: the customer's registrations, for users who handle returns only
        return self.env["aftersales.unit.registration"].sudo().search(domain).lot_id.sudo(False)

    def _customer_deliveries(self, product):
        """Done deliveries of ``product`` to this customer on confirmed orders of the company."""
        self.ensure_one()
        # sudo: the customer's deliveries, for after-sales users who read orders, not moves
        return (
            self.env["stock.move"]
            .sudo()
            .search(
                [
                    ("product_id", "=", product.id),
                    ("state", "=", "done"),
                    ("location_dest_id.usage", "=", "customer"),
                    ("origin_returned_move_id", "=", False),
                    ("sale_line_id.order_id.state", "=", "sale"),
                    ("sale_line_id.order_id.company_id", "=", self.company_id.id),
                    ("sale_line_id.order_id.partner_id", "child_of", self.commercial_partner_id.id),
                ],
                order="date desc, id desc",
            )
            .sudo(False)
        )

    def action_open_serial_wizard(self):
        self.ensure_one()
        if self.state != "draft":
            raise UserError(_("Serials are added to draft returns only."))
        return {
            "type": "ir.actions.act_window",
            "name": _("Add Serials"),
            "res_model": "aftersales.return.serial.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_return_id": self.id},
        }

    def _add_serials(self, lots):
        """Add ``lots`` to this draft return: each goes to the order line it was delivered on
        (a line per order line, several serials on it). Raises a ``UserError`` listing the
        serials that are not this customer's, before anything is written."""
        self.ensure_one()
        by_sale_line = {}
        registered = self._registered_lots(lots)
        foreign = []
        for lot in lots - self.line_ids.lot_ids:
            if lot in registered:
                # a unit bought elsewhere: its own line, a warranty claim on its registration
                by_sale_line.setdefault(("registered", lot.product_id.id), self.env["stock.lot"])
                by_sale_line[("registered", lot.product_id.id)] |= lot
                continue
            try:
                sale_line_ids = self.action_find_sale_lines(lot.product_id.id, lot.ids)
            except UserError:
                foreign.append(lot.name)
                continue
            by_sale_line.setdefault(sale_line_ids[0], self.env["stock.lot"])
            by_sale_line[sale_line_ids[0]] |= lot
        if foreign:
            raise UserError(
                _(
                    "Not delivered to %(customer)s by us, or returned already: %(serials)s. "
                    "Nothing was added.",
                    customer=self.partner_id.display_name,
                    serials=", ".join(foreign),
                )
            )
        commands = []
        for key, line_lots in by_sale_line.items():
            if isinstance(key, tuple):
                commands.append(
                    Command.create(
                        {
                            "product_id": key[1],
                            "lot_ids": [Command.set(line_lots.ids)],
                            "qty_requested": float(len(line_lots)),
                        }
                    )
                )
                continue
            line = self.line_ids.filtered(lambda ln, sid=key: ln.sale_line_id.id == sid)
            line = line.filtered("lot_ids")[:1]
            if line:
                links = [Command.link(lot.id) for lot in line_lots]
                commands.append(Command.update(line.id, {"lot_ids": links}))
            else:
                commands.append(
                    Command.create(
                        {
                            "sale_line_id": key,
                            "lot_ids": [Command.set(line_lots.ids)],
                            "qty_requested": float(len(line_lots)),
                        }
                    )
                )
        if commands:
            self.line_ids = commands
        return True


class AftersalesReturnSerialWizard(models.TransientModel):
    """Many serials at once: picked from the customer's deliveries or pasted / scanned one per
    line."""

    _name = "aftersales.return.serial.wizard"
    _description = "Add Serials to a Return"

    return_id = fields.Many2one("aftersales.return", required=True, ondelete="cascade")
    company_id = fields.Many2one(related="return_id.company_id")
    product_id = fields.Many2one(
        "product.product", help="Only serials of this product (leave empty for any product)."
    )
    lot_ids = fields.Many2many(
        "stock.lot",
        string="Serials",
        domain="[('company_id', 'in', (company_id, False))]"
        " + ([('product_id', '=', product_id)] if product_id else [])",
    )
    serials = fields.Text(string="Paste or Scan", help="One serial number per line.")

    def action_apply(self):
        self.ensure_one()
        names = [name.strip() for name in (self.serials or "").splitlines() if name.strip()]
        domain = [("name", "in", names), ("company_id", "in", (self.return_id.company_id.id, False))]
        if self.product_id:
            domain.append(("product_id", "=", self.product_id.id))
        # sudo: serials are looked up by name; which are the customer's is checked below
        found = self.env["stock.lot"].sudo().search(domain) if names else self.env["stock.lot"]
        unknown = [name for name in dict.fromkeys(names) if name not in found.mapped("name")]
        if unknown:
            raise UserError(_("Unknown serials: %(serials)s. Nothing was added.", serials=", ".join(unknown)))
        lots = (self.lot_ids | found).sudo(False)
        if not lots:
            raise UserError(_("Pick or paste at least one serial."))
        self.return_id._add_serials(lots)
        return {"type": "ir.actions.act_window_close"}
