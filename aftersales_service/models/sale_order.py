from odoo import fields, models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    # --- warranty (W)
    aftersales_warranty_ids = fields.One2many("aftersales.warranty", "sale_order_id", string="Warranties")
    aftersales_warranty_count = fields.Integer(
        string="Warranty Count", compute="_compute_aftersales_warranty_count"
    )

    def _compute_aftersales_warranty_count(self):
        counts = dict(
            self.env["aftersales.warranty"]._read_group(
                [("sale_order_id", "in", self.ids)], ["sale_order_id"], ["__count"]
            )
        )
        for order in self:
            order.aftersales_warranty_count = counts.get(order, 0)

    def _action_confirm(self):
        res = super()._action_confirm()
        # W-2: order-triggered policies start on confirmation
        self.env["aftersales.warranty"]._create_from_order_lines(self.order_line)
        return res

    def action_view_aftersales_warranties(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "aftersales_service.aftersales_warranty_action"
        )
        action["domain"] = [("sale_order_id", "=", self.id)]
        action["context"] = {"create": False}
        return action
