from odoo import fields, models


class ProductCategory(models.Model):
    _inherit = "product.category"

    aftersales_warranty_policy_id = fields.Many2one(
        "aftersales.warranty.policy",
        string="Warranty Policy",
        index="btree_not_null",
        help="Warranty of the products of this category and its sub-categories, unless a product "
        "or a closer category sets its own.",
    )
    aftersales_maintenance_required = fields.Boolean(
        string="Mandatory Maintenance",
        help="Default of the category's products: units sold get the mandatory maintenance steps.",
    )
