# pylint: disable=consider-merging-classes-inherited
# (a rule part of the model, in a room of its own: see docs/ARCHITECTURE.md)
from markupsafe import Markup

from odoo import Command, _, models
from odoo.tools import SQL, float_compare

from .tools import privileged


class AftersalesReturn(models.Model):
    """R-6: the goods of an approved return come back with Odoo's own return pickings (and
    exchanges leave with Odoo's replacement delivery); the received quantities come from the
    done return moves."""

    _inherit = "aftersales.return"

    def _aftersales_return_address(self):
        """Where the customer sends the goods: the warehouse of the return's receipt, else the
        company (the return slip's "send the parcel to")."""
        self.ensure_one()
        # sudo: the receipt and its warehouse, for users (and portal customers) without stock rights
        receipts = self.sudo().picking_ids.filtered(lambda p: p.picking_type_code == "incoming")
        warehouse = receipts[:1].picking_type_id.warehouse_id or self.sudo().env["stock.warehouse"].search(
            [("company_id", "=", self.company_id.id)], limit=1
        )
        return warehouse.partner_id or self.company_id.partner_id

    def _create_return_pickings(self):
        """One standard return picking per original delivery, for the approved quantities, made
        with Odoo's own return wizard; exchanges also get Odoo's replacement delivery.

        Runs as superuser: it is only called by ``action_submit`` / ``action_approve`` once the
        return is approved, and creates exactly the transfers of the approved quantities, so
        after-sales users need no warehouse rights of their own."""
        for ret in privileged(self.sudo()):
            ret._split_serial_lines()
            by_picking = {}
            lines = ret.line_ids.filtered(lambda ln: ln.qty_approved > 0 and ln.product_id.is_storable)
            # what was returned already, for all delivered moves at once (prefetch)
            lines.sale_line_id.move_ids.returned_move_ids.mapped("product_uom_qty")
            for line in lines:
                remaining = line.qty_approved
                for move in line._delivered_moves():
                    if remaining <= 0:
                        break
                    take = min(remaining, move._aftersales_returnable_qty())
                    if take <= 0:
                        continue
                    # an exchange for another product returns the goods only (the new product
                    # leaves with the order's own delivery); for the same product Odoo's
                    # exchange makes the replacement
                    same = line.outcome == "exchange" and not line._exchanges_other_product()
                    by_picking.setdefault((move.picking_id, same), []).append((line, move, take))
                    remaining -= take
            Wizard = ret.env["stock.return.picking"]
            for (picking, same_exchange), items in by_picking.items():
                quantities = {}
                for _line, move, qty in items:
                    quantities[move] = quantities.get(move, 0.0) + qty
                # the wizard's lines are those of the returned (done) moves, made by the wizard's
                # own method, with their quantities at once (not all the delivery's lines at
                # zero, then each one written)
                wizard = Wizard.with_context(
                    active_id=picking.id,
                    active_ids=picking.ids,
                    active_model="stock.picking",
                    aftersales_return_location_id=ret._returns_location(picking).id,
                ).create(
                    {
                        "picking_id": picking.id,
                        "product_return_moves": [
                            Command.create(
                                {
                                    **Wizard._prepare_stock_return_picking_line_vals_from_move(move),
                                    "quantity": qty,
                                }
                            )
                            for move, qty in quantities.items()
                        ],
                    }
                )
                action = wizard.action_create_exchanges() if same_exchange else wizard.action_create_returns()
                new_picking = ret.env["stock.picking"].browse(action["res_id"])
                # the moves are "to refund" (the wizard's default): returned quantities lower
                # what was delivered, and so what is invoiceable
                new_picking.aftersales_return_id = ret
                by_origin = new_picking.move_ids.grouped("origin_returned_move_id")
                ret._link_return_moves(
                    [(line, by_origin.get(move, ret.env["stock.move"])) for line, move, _qty in items]
                )
            registered = ret._receive_registered_units(lines.filtered(lambda ln: not ln.sale_line_id))
            ret._merge_receipts()
            ret._add_exchange_order_lines(lines.filtered(lambda ln: ln._exchanges_other_product()))
            if any(ln.outcome == "exchange" for ln in lines):
                replacement = ret.sale_order_ids.picking_ids.filtered(
                    lambda p: (
                        p.picking_type_code == "outgoing"
                        and p.state not in ("done", "cancel")
                        and not p.aftersales_return_id
                    )
                )
                replacement.aftersales_return_id = ret
            waits = by_picking or registered or ret._lines_without_receipt()
            ret.state = "waiting_goods" if waits else "received"

    def _receive_registered_units(self, lines):
        """Units bought elsewhere (registered warranty) have no delivery of ours to return: they
        come back with a plain receipt from the customer; an exchange sends a replacement with a
        delivery at no charge. Returns the receipt."""
        self.ensure_one()
        if not lines:
            return self.env["stock.picking"]
        warehouse = self.env["stock.warehouse"].search([("company_id", "=", self.company_id.id)], limit=1)
        customers = self.partner_id.property_stock_customer or self.env.ref("stock.stock_location_customers")
        destination = self._returns_location_of(warehouse) or warehouse.lot_stock_id

        def transfer(picking_type, source, dest, items):
            picking = self.env["stock.picking"].create(
                {
                    "picking_type_id": picking_type.id,
                    "partner_id": self.partner_id.id,
                    "location_id": source.id,
                    "location_dest_id": dest.id,
                    "origin": self.name,
                    "company_id": self.company_id.id,
                    "aftersales_return_id": self.id,
                    "move_ids": [
                        Command.create(
                            {
                                "name": line.product_id.display_name,
                                "product_id": line.product_id.id,
                                "product_uom_qty": line.qty_approved,
                                "product_uom": line.product_id.uom_id.id,
                                "location_id": source.id,
                                "location_dest_id": dest.id,
                                "company_id": self.company_id.id,
                            }
                        )
                        for line in items
                    ],
                }
            )
            picking.action_confirm()
            return picking

        receipt = transfer(warehouse.in_type_id, customers, destination, lines)
        self._link_return_moves(list(zip(lines, receipt.move_ids, strict=True)))
        exchanged = lines.filtered(lambda ln: ln.outcome == "exchange")
        if exchanged:
            replacement = transfer(warehouse.out_type_id, warehouse.lot_stock_id, customers, exchanged)
            replacement.action_assign()
        return receipt

    def _returns_location_of(self, warehouse):
        if not self.company_id.aftersales_return_quarantine:
            return self.env["stock.location"]
        return warehouse._aftersales_returns_location()

    def _returns_location(self, picking):
        """Where the goods of ``picking`` come back: the quarantine location of its warehouse
        (graded there, see the lines' disposition) when the company receives returns in
        quarantine, else Odoo's default for the return."""
        self.ensure_one()
        warehouse = picking.picking_type_id.warehouse_id or self.env["stock.warehouse"].search(
            [("company_id", "=", self.company_id.id)], limit=1
        )
        return self._returns_location_of(warehouse)

    def _merge_receipts(self):
        """One receipt per warehouse: Odoo's return wizard makes one per original delivery; the
        moves of the receipts of the same operation type are gathered on the first one."""
        self.ensure_one()
        receipts = self.picking_ids.filtered(
            lambda p: p.picking_type_code == "incoming" and p.state not in ("done", "cancel")
        )
        for picking_type in receipts.picking_type_id:
            same = receipts.filtered(lambda p, pt=picking_type: p.picking_type_id == pt).sorted("id")
            first, others = same[:1], same[1:]
            if not others:
                continue
            others.move_ids.write({"picking_id": first.id})
            others.move_line_ids.write({"picking_id": first.id})
            first.origin = ", ".join(
                dict.fromkeys(name for name in (self.name, *self.sale_order_ids.mapped("name")) if name)
            )
            others.unlink()

    def _split_serial_lines(self):
        """One line per serial underneath, where Odoo needs it (a move, a repair and a grading
        per unit): an approved line carrying several serials is split."""
        for line in self.line_ids.filtered(
            lambda ln: len(ln.lot_ids) > 1 and ln.product_id.tracking == "serial" and not ln.return_move_ids
        ):
            lots = line.lot_ids
            approved = line.qty_approved
            for lot in lots[1:]:
                line.copy(
                    {
                        "return_id": line.return_id.id,
                        "lot_ids": [Command.set(lot.ids)],
                        "qty_requested": 1.0,
                        "qty_approved": 1.0 if approved else 0.0,
                    }
                )
            line.write(
                {
                    "lot_ids": [Command.set(lots[:1].ids)],
                    "qty_requested": 1.0,
                    "qty_approved": min(approved, 1.0),
                }
            )

    def _add_exchange_order_lines(self, lines):
        """R-2: the products taken in exchange are added to the sale order at the order's
        pricelist price: Odoo delivers them with the order's own delivery and the price
        difference is then invoiced or credited (``action_invoice_exchange_difference``)."""
        self.ensure_one()
        lines = lines.filtered(lambda ln: not ln.exchange_sale_line_id)
        for order in lines.sale_line_id.order_id:
            self._add_exchange_order_lines_to(
                order, lines.filtered(lambda ln, order=order: ln.sale_line_id.order_id == order)
            )

    def _add_exchange_order_lines_to(self, order, lines):
        if not lines:
            return
        locked = order.locked
        if locked:
            order.action_unlock()
        for line in lines:
            line.exchange_sale_line_id = self.env["sale.order.line"].create(
                {
                    "order_id": order.id,
                    "product_id": line.exchange_product_id.id,
                    "product_uom_qty": line.qty_approved,
                    "price_unit": line.exchange_price_unit,
                    "name": _(
                        "%(product)s (exchange for %(returned)s, %(ret)s)",
                        product=line.exchange_product_id.display_name,
                        returned=line.product_id.display_name,
                        ret=self.name,
                    ),
                }
            )
        if locked:
            order.action_lock()
        self.message_post(
            body=Markup(_("Exchanged for another product: %(products)s added to %(order)s."))
            % {
                "products": ", ".join(lines.exchange_product_id.mapped("display_name")),
                "order": order._get_html_link(),
            }
        )

    def _link_return_moves(self, pairs):
        """Link each return line to its return moves, all lines in one statement (the ORM would
        write the relation line by line), then let the ORM recompute what depends on it."""
        rows = [(line.id, move.id) for line, moves in pairs for move in moves]
        if not rows:
            return
        self.env.cr.execute(
            SQL(
                "INSERT INTO aftersales_return_line_stock_move_rel "
                "(aftersales_return_line_id, stock_move_id) VALUES %s ON CONFLICT DO NOTHING",
                SQL(", ").join(SQL("(%s, %s)", line_id, move_id) for line_id, move_id in rows),
            )
        )
        lines = self.env["aftersales.return.line"].browse({line_id for line_id, _move in rows})
        lines.invalidate_recordset(["return_move_ids"])
        lines.modified(["return_move_ids"])

    def _update_received(self):
        """Called when a return picking is validated: received quantities come from the done
        return moves (R-6)."""
        self.line_ids.modified(["return_move_ids"])  # received quantities from the done moves
        for ret in privileged(self).filtered(lambda r: r.state == "waiting_goods"):
            ret._flag_over_receipt()
            incoming = ret.picking_ids.filtered(lambda p: p.picking_type_code == "incoming")
            if (
                incoming
                and all(p.state in ("done", "cancel") for p in incoming)
                and not ret._lines_without_receipt()
            ):
                ret.state = "received"
                ret.message_post(body=_("Goods received."))
                ret._create_repairs()

    def _create_repairs(self):
        """R-2: each received unit whose outcome is a repair gets its standard repair order (priced
        per its warranty), made from the returned unit; the repair sends it back when done."""
        # privileged: the repair is given the receipt's date, which the milestones count from
        Warranty = privileged(self.env["aftersales.warranty"])
        for ret in self:
            # sudo: reading which repairs exist already (workshop records)
            done_lines = (
                self.env["repair.order"]
                .sudo()
                .search([("aftersales_return_line_id", "in", ret.line_ids.ids)])
                .aftersales_return_line_id
            )
            for line in ret.line_ids.filtered(lambda ln: ln.outcome == "repair" and ln.qty_received > 0):
                if line in done_lines:
                    continue
                lot = line.lot_id or line.lot_ids[:1] or line.return_move_ids.move_line_ids.lot_id[:1]
                received = max(
                    line.return_move_ids.filtered(lambda m: m.state == "done").mapped("date"), default=False
                )
                # the unit is where it was received (the Returns location in quarantine)
                where = line.return_move_ids.location_dest_id[:1]
                repair = Warranty._create_repair_order(
                    ret.partner_id,
                    line.product_id,
                    lot=lot or None,
                    aftersales_return_line_id=line.id,
                    product_qty=line.qty_received,
                    aftersales_received_date=received,  # C-7 counts from the receipt
                    **({"product_location_src_id": where.id} if where else {}),
                )
                ret.message_post(
                    body=Markup(_("Repair %(repair)s opened for the returned unit."))
                    % {"repair": repair._get_html_link()}
                )

    def _flag_over_receipt(self):
        """R-6: more received than approved is never refunded (``qty_to_refund`` stops at the
        approved quantity); the manager is told, once per return."""
        summary = _("More goods received than approved")
        for ret in self:
            over = ret.line_ids.filtered(
                lambda ln: (
                    float_compare(
                        ln.qty_received,
                        ln.qty_approved,
                        precision_rounding=ln.sale_line_id.product_uom.rounding or 0.01,
                    )
                    > 0
                )
            )
            if not over or ret.activity_ids.filtered(lambda a, s=summary: a.summary == s):
                continue
            manager = ret.company_id.aftersales_manager_id
            note = "\n".join(
                self.env._(
                    "%(product)s: %(received)s received, %(approved)s approved.",
                    product=ln.product_id.display_name,
                    received=ln.qty_received,
                    approved=ln.qty_approved,
                )
                for ln in over
            )
            if manager:
                ret.activity_schedule(
                    "mail.mail_activity_data_todo", user_id=manager.id, summary=summary, note=note
                )
            ret.message_post(body=_("%(summary)s: %(note)s", summary=summary, note=note))
