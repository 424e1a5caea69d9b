from odoo import fields, models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    # --- returns (R)
    aftersales_return_id = fields.Many2one(
        "aftersales.return", string="After-Sales Return", index="btree_not_null", copy=False, readonly=True
    )

    def _action_done(self):
        res = super()._action_done()
        # a validated return picking updates what its return received
        self.aftersales_return_id._update_received()
        return res
