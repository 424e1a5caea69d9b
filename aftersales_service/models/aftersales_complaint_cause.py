from odoo import fields, models

from .aftersales_complaint import CAUSE_TYPES


class AftersalesComplaintCause(models.Model):
    _name = "aftersales.complaint.cause"
    _description = "Complaint Cause"
    _order = "cause_type, sequence, name"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    cause_type = fields.Selection(CAUSE_TYPES, required=True, default="quality")
    active = fields.Boolean(default=True)
