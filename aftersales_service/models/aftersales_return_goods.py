# pylint: disable=consider-merging-classes-inherited
# (a rule part of the model, in a room of its own: see docs/ARCHITECTURE.md)
from odoo import _, models
from odoo.tools import float_compare

from .tools import privileged


class AftersalesReturn(models.Model):
    """R-6: the goods of an approved return come back with Odoo's own return pickings (and
    exchanges leave with Odoo's replacement delivery); the received quantities come from the
    done return moves."""

    _inherit = "aftersales.return"

    def _create_return_pickings(self):
        """One standard return picking per original delivery, for the approved quantities, made
        with Odoo's own return wizard; exchanges also get Odoo's replacement delivery.

        Runs as superuser: it is only called by ``action_submit`` / ``action_approve`` once the
        return is approved, and creates exactly the transfers of the approved quantities, so
        after-sales users need no warehouse rights of their own."""
        for ret in privileged(self.sudo()):
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
                    ret.env["stock.return.picking"]
                    .with_context(active_id=picking.id, active_ids=picking.ids, active_model="stock.picking")
                    .create({"picking_id": picking.id})
                )
                quantities = {move.id: qty for _line, move, qty in items}
                for wiz_line in wizard.product_return_moves:
                    wiz_line.quantity = quantities.get(wiz_line.move_id.id, 0.0)
                exchange = ret.return_type == "exchange" or ret.requested_outcome == "exchange"
                action = wizard.action_create_exchanges() if exchange else wizard.action_create_returns()
                new_picking = ret.env["stock.picking"].browse(action["res_id"])
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
        for ret in privileged(self).filtered(lambda r: r.state == "waiting_goods"):
            ret._flag_over_receipt()
            incoming = ret.picking_ids.filtered(lambda p: p.picking_type_code == "incoming")
            if incoming and all(p.state in ("done", "cancel") for p in incoming):
                ret.state = "received"
                ret.message_post(body=_("Goods received."))

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
