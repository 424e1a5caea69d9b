from odoo import fields, models


class AftersalesInspectionItem(models.Model):
    """F-3: an item of the whole-unit inspection; items without a category apply to every unit,
    the others to the products of their category and its sub-categories."""

    _name = "aftersales.inspection.item"
    _description = "Inspection Checklist Item"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    categ_id = fields.Many2one("product.category", string="Product Category")
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company)
    active = fields.Boolean(default=True)
