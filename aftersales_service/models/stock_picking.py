from odoo import fields, models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    # --- returns (R)
    aftersales_return_id = fields.Many2one(
        "aftersales.return",
        string="After-Sales Return",
        index="btree_not_null",
        copy=False,
        readonly=True,
        groups="aftersales_service.group_aftersales_user",
    )

    def _action_done(self):
        res = super()._action_done()
        # a validated return picking updates what its return received
        # sudo: warehouse users validate returns without after-sales rights; the return only
        # reads its own transfers to update its state
        self.sudo().aftersales_return_id._update_received()
        return res
