# pylint: disable=consider-merging-classes-inherited
# (a rule part of the model, in a room of its own: see docs/ARCHITECTURE.md)
from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError

OPEN_CASE_STATES = ("new", "assigned", "in_progress", "waiting_customer")


class AftersalesTeam(models.Model):
    """The Overview: where an after-sales manager starts the day. Per team, what waits on it,
    each count a button to the documents behind it."""

    _inherit = "aftersales.team"

    overview_unassigned_count = fields.Integer(string="Unassigned", compute="_compute_overview")
    overview_at_risk_count = fields.Integer(string="SLA at Risk", compute="_compute_overview")
    overview_breached_count = fields.Integer(string="SLA Breached", compute="_compute_overview")
    overview_visits_today_count = fields.Integer(string="Visits Today", compute="_compute_overview")
    overview_returns_to_approve_count = fields.Integer(
        string="Returns to Approve", compute="_compute_overview"
    )
    overview_complaints_to_approve_count = fields.Integer(
        string="Complaints to Approve", compute="_compute_overview"
    )
    overview_warranties_expiring_count = fields.Integer(
        string="Warranties Expiring This Month", compute="_compute_overview"
    )

    def _overview_domain(self, kind):
        """The documents behind one figure of the team's card (model, domain)."""
        self.ensure_one()
        company = self.company_id
        today = company._aftersales_date()
        cases = [("team_id", "=", self.id), ("state", "in", OPEN_CASE_STATES)]
        if kind == "unassigned":
            return "aftersales.case", [*cases, ("user_id", "=", False)]
        if kind == "breached":
            return "aftersales.case", [*cases, ("sla_status", "=", "breached")]
        if kind == "at_risk":
            # "at risk" depends on each timer's start and policy: computed on the open cases whose
            # deadline is still ahead (the breached ones are counted above, in SQL)
            candidates = self.env["aftersales.case"].search(
                [*cases, ("sla_deadline", ">=", fields.Datetime.now())]
            )
            ids = candidates.filtered(lambda c: c.sla_status == "at_risk").ids
            return "aftersales.case", [("id", "in", ids)]
        if kind == "visits_today":
            start = company._aftersales_datetime(today)
            end = company._aftersales_datetime(today + relativedelta(days=1))
            return "aftersales.field.visit", [
                ("team_id", "=", self.id),
                ("state", "in", ("scheduled", "on_site")),
                ("appointment_start", ">=", start),
                ("appointment_start", "<", end),
            ]
        if kind == "returns_to_approve":
            return "aftersales.return", [("company_id", "=", company.id), ("state", "=", "to_approve")]
        if kind == "complaints_to_approve":
            return "aftersales.complaint", [("company_id", "=", company.id), ("state", "=", "to_approve")]
        if kind == "warranties_expiring":
            return "aftersales.warranty", [
                ("company_id", "=", company.id),
                ("state", "=", "active"),
                ("end_date", ">=", today),
                ("end_date", "<=", today + relativedelta(day=31)),
            ]
        raise UserError(_("Unknown figure of the overview: %(kind)s.", kind=kind))

    def _compute_overview(self):
        kinds = {
            "unassigned": "overview_unassigned_count",
            "at_risk": "overview_at_risk_count",
            "breached": "overview_breached_count",
            "visits_today": "overview_visits_today_count",
            "returns_to_approve": "overview_returns_to_approve_count",
            "complaints_to_approve": "overview_complaints_to_approve_count",
            "warranties_expiring": "overview_warranties_expiring_count",
        }
        for team in self:
            for kind, fname in kinds.items():
                model, domain = team._overview_domain(kind)
                Model = self.env[model]
                team[fname] = Model.search_count(domain) if Model.has_access("read") else 0

    @api.readonly
    def action_open_overview(self):
        """The documents behind a figure of the card (``overview`` in the button's context)."""
        self.ensure_one()
        kind = self.env.context.get("overview")
        model, domain = self._overview_domain(kind)
        return {
            "type": "ir.actions.act_window",
            "name": self._fields[f"overview_{kind}_count"].get_description(self.env)["string"],
            "res_model": model,
            "views": [(False, "list"), (False, "form")],
            "domain": domain,
            "context": {"create": False},
        }
