from odoo import fields, models


class AftersalesCaseTag(models.Model):
    _name = "aftersales.case.tag"
    _description = "Service Case Tag"

    name = fields.Char(required=True, translate=True)
    color = fields.Integer()

    _sql_constraints = [("name_uniq", "unique(name)", "This tag already exists.")]
