from odoo import fields, models


class StockLocation(models.Model):
    _inherit = "stock.location"

    aftersales_is_returns = fields.Boolean(
        string="After-Sales Returns",
        copy=False,
        help="Returned goods are received here and graded (restock, refurbish, scrap, return to "
        "vendor) before they are sold again.",
    )
