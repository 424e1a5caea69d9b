# pylint: disable=consider-merging-classes-inherited
# (a rule part of the model, in a room of its own: see docs/ARCHITECTURE.md)
from datetime import timedelta

from odoo import api, fields, models


class AftersalesTeam(models.Model):
    """V-6: each team's satisfaction rate against the company's target, this month on the team
    card, and an activity for the manager when a month ended below target; S-2: the month's
    scorecard of the team (SLA met, first response and resolution times) on the same card."""

    _name = "aftersales.team"
    _inherit = ["aftersales.team", "mail.activity.mixin"]

    satisfaction_month = fields.Float(
        string="Satisfaction This Month (%)",
        compute="_compute_satisfaction_month",
        help="Share of this month's ratings of the team's cases that are satisfied on all four questions.",
    )
    rating_count_month = fields.Integer(string="Ratings This Month", compute="_compute_satisfaction_month")
    satisfaction_target = fields.Float(related="company_id.aftersales_satisfaction_target")
    satisfaction_below_target = fields.Boolean(compute="_compute_satisfaction_month")
    # S-2: this month's scorecard of the team's resolved cases
    sla_met_month = fields.Float(string="SLA Met This Month (%)", compute="_compute_scorecard_month")
    first_response_month = fields.Float(
        string="First Response This Month (h)", compute="_compute_scorecard_month"
    )
    resolution_month = fields.Float(
        string="Resolution Time This Month (h)", compute="_compute_scorecard_month"
    )

    def _compute_scorecard_month(self):
        today = self.env.company._aftersales_date()
        groups = self.env["aftersales.case"]._read_group(
            [
                ("team_id", "in", self.ids),
                ("state", "in", ("resolved", "closed")),
                ("resolved_date", ">=", fields.Datetime.to_datetime(today.replace(day=1))),
            ],
            ["team_id"],
            ["sla_met:avg", "first_response_hours:avg", "resolution_hours:avg"],
        )
        figures = {team: rest for team, *rest in groups}
        for team in self:
            sla_met, first_response, resolution = figures.get(team, (0.0, 0.0, 0.0))
            team.sla_met_month = sla_met or 0.0
            team.first_response_month = first_response or 0.0
            team.resolution_month = resolution or 0.0

    def _compute_satisfaction_month(self):
        today = self.env.company._aftersales_date()
        rates = self._satisfaction_rates(today.replace(day=1), today)
        for team in self:
            rated, satisfied = rates.get(team.id, (0, 0))
            team.rating_count_month = rated
            team.satisfaction_month = 100.0 * satisfied / rated if rated else 0.0
            team.satisfaction_below_target = (
                bool(rated) and team.satisfaction_month < team.satisfaction_target
            )

    def _satisfaction_rates(self, date_from, date_to):
        """{team id: (ratings, satisfied ratings)} of the ratings given from ``date_from`` to
        ``date_to`` (inclusive), in one grouped query."""
        groups = self.env["aftersales.rating"]._read_group(
            [
                ("team_id", "in", self.ids),
                ("state", "=", "rated"),
                ("rating_date", ">=", date_from),
                ("rating_date", "<=", date_to),
            ],
            ["team_id", "is_satisfied"],
            ["__count"],
        )
        rates = {}
        for team, satisfied, count in groups:
            rated, good = rates.get(team.id, (0, 0))
            rates[team.id] = (rated + count, good + (count if satisfied else 0))
        return rates

    @api.model
    def _cron_check_satisfaction(self, today=None):
        """V-6, monthly: a team whose satisfaction in the month just ended is below its company's
        target gets an activity for the After-Sales manager (else its leader), once per month."""
        today = today or self.env.company._aftersales_date()
        month_end = today.replace(day=1) - timedelta(days=1)
        month_start = month_end.replace(day=1)
        teams = self.search([])
        rates = teams._satisfaction_rates(month_start, month_end)
        below = self.browse()
        for team in teams:
            rated, satisfied = rates.get(team.id, (0, 0))
            target = team.company_id.aftersales_satisfaction_target
            rate = 100.0 * satisfied / rated if rated else 100.0
            manager = team.company_id.aftersales_manager_id or team.leader_id
            if not rated or not target or rate >= target or not manager:
                continue
            summary = self.env._(
                "Satisfaction %(month)s: %(rate)s %% of %(count)s ratings, below the target of %(target)s %%",
                month=month_start.strftime("%Y-%m"),
                rate=round(rate, 1),
                count=rated,
                target=target,
            )
            if team.with_context(active_test=False).activity_ids.filtered(
                lambda a, s=summary: a.summary == s
            ):
                continue  # told already this month
            team.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=manager.id,
                summary=summary,
                note=self.env._("Review the poor ratings of the month with the team."),
            )
            below |= team
        return below
