from odoo import api, fields, models

from .aftersales_complaint import CAUSE_TYPES, PENALTY_KINDS, SEVERITIES


class AftersalesPenaltyRule(models.Model):
    """P-4: the company's penalty basis."""

    _name = "aftersales.penalty.rule"
    _description = "Penalty Rule"
    _order = "sequence, id"
    _check_company_auto = True
    _inherit = ["aftersales.number.guard"]
    _aftersales_number_limits = {"loss_percent": 100}

    name = fields.Char(required=True)
    sequence = fields.Integer(default=10, help="The first matching rule applies.")
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    currency_id = fields.Many2one(related="company_id.currency_id")
    cause_type = fields.Selection(CAUSE_TYPES)
    cause_id = fields.Many2one("aftersales.complaint.cause")
    severity = fields.Selection(SEVERITIES)
    penalty_kind = fields.Selection(PENALTY_KINDS, required=True, default="fine")
    fixed_amount = fields.Monetary()
    loss_percent = fields.Float(string="% of Loss")

    @api.model
    def _match(self, complaint):
        for rule in self.search([("company_id", "=", complaint.company_id.id)]):
            if (
                (not rule.cause_type or rule.cause_type == complaint.cause_type)
                and (not rule.cause_id or rule.cause_id == complaint.cause_id)
                and (not rule.severity or rule.severity == complaint.severity)
            ):
                return rule
        return self.browse()

    def _amount(self, loss):
        self.ensure_one()
        return self.fixed_amount + loss * self.loss_percent / 100.0
