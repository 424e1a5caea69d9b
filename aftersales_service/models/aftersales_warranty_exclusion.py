from odoo import fields, models


class AftersalesWarrantyExclusion(models.Model):
    """What a warranty policy does not cover (W-1): natural disaster, human damage, improper use."""

    _name = "aftersales.warranty.exclusion"
    _description = "Warranty Exclusion"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    description = fields.Text(translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
