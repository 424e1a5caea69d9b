from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from .aftersales_case import CASE_CATEGORIES, CASE_PRIORITIES
from .tools import add_working_hours


class AftersalesSlaPolicy(models.Model):
    """Response commitments (C-6, C-7): which cases, and the hours for each timer."""

    _name = "aftersales.sla.policy"
    _description = "After-Sales SLA Policy"
    _order = "sequence, id"
    _check_company_auto = True
    _inherit = ["aftersales.number.guard"]

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10, help="The first matching policy applies.")
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    # --- which cases (empty = any)
    category = fields.Selection(CASE_CATEGORIES)
    priority = fields.Selection(CASE_PRIORITIES)
    team_id = fields.Many2one("aftersales.team", check_company=True)
    # --- the timers
    first_response_hours = fields.Float(default=24.0, help="Hours to the first answer to the customer.")
    reply_hours = fields.Float(default=24.0, help="Hours to answer each customer message.")
    resolution_hours = fields.Float(default=0.0, help="Hours to resolve the case; 0 = no resolution timer.")
    at_risk_ratio = fields.Float(
        default=0.75, string="At Risk After", help="Share of a timer's time after which it is shown at risk."
    )
    use_working_hours = fields.Boolean(
        default=True, help="Count the team's working hours (or the company's); off = round the clock."
    )
    resource_calendar_id = fields.Many2one(
        "resource.calendar",
        string="Working Hours",
        check_company=True,
        help="Calendar of this policy; empty = the team's, then the company's.",
    )

    @api.constrains("at_risk_ratio")
    def _check_hours(self):
        # negative, non-finite and absurd hours: aftersales.number.guard
        for policy in self:
            if not 0 < policy.at_risk_ratio <= 1:
                raise ValidationError(
                    _("'At Risk After' is a share between 0 and 1 (policy %(name)s).", name=policy.name)
                )

    @api.model
    def _get_policy(self, case):
        """The first active policy matching the case's category, priority and team."""
        for policy in self.search([("company_id", "=", case.company_id.id)]):
            if (
                (not policy.category or policy.category == case.category)
                and (not policy.priority or policy.priority == case.priority)
                and (not policy.team_id or policy.team_id == case.team_id)
            ):
                return policy
        return self.browse()

    def _add_hours(self, start, hours, team=None):
        """``start`` + ``hours`` counted on the policy's calendar, or round the clock."""
        self.ensure_one()
        if not hours:
            return False
        calendar = (
            self.resource_calendar_id
            or (team and team.resource_calendar_id)
            or self.company_id.resource_calendar_id
        )
        return add_working_hours(calendar if self.use_working_hours else None, start, hours)
