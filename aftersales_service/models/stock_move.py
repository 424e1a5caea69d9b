from odoo import models


class StockMove(models.Model):
    _inherit = "stock.move"

    def _action_done(self, cancel_backorder=False):
        moves = super()._action_done(cancel_backorder=cancel_backorder)
        # W-2: customer deliveries start warranties; customer returns void them
        Warranty = self.env["aftersales.warranty"]
        Warranty._create_from_moves(moves)
        Warranty._process_customer_returns(moves)
        return moves

    def _aftersales_returnable_qty(self):
        """Delivered quantity of this move not yet returned (done or open returns)."""
        self.ensure_one()
        returned = sum(
            self.returned_move_ids.filtered(lambda m: m.state != "cancel").mapped("product_uom_qty")
        )
        return self.quantity - returned

    def _create_repair_sale_order_line(self):
        # Odoo copies the move's price onto the quotation line; re-price per the warranty (W-4)
        res = super()._create_repair_sale_order_line()
        lines = self.filtered(lambda m: m.repair_id.aftersales_warranty_id).sale_line_id
        lines.with_context(force_price_recomputation=True)._compute_price_unit()
        return res
