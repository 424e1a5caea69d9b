import logging
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tools import SQL

_logger = logging.getLogger(__name__)


class AftersalesTeam(models.Model):
    """A service team (C-4): cases of its categories are routed to it; its alias turns incoming
    mail into cases (C-1)."""

    _name = "aftersales.team"
    _description = "After-Sales Team"
    _inherit = ["mail.alias.mixin", "mail.thread"]
    _order = "sequence, name"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    leader_id = fields.Many2one(
        "res.users",
        string="Team Leader",
        check_company=True,
        tracking=True,
        help="Receives the unassigned cases of the day and the first escalation level.",
    )
    member_ids = fields.Many2many(
        "res.users",
        "aftersales_team_member_rel",
        "team_id",
        "user_id",
        string="Members",
        check_company=True,
        domain=[("share", "=", False)],
    )
    resource_calendar_id = fields.Many2one(
        "resource.calendar",
        string="Working Hours",
        check_company=True,
        default=lambda self: self.env.company.resource_calendar_id,
        help="Deadlines of this team's cases count these hours when their SLA uses working hours.",
    )
    case_ids = fields.One2many("aftersales.case", "team_id", string="Cases")
    open_case_count = fields.Integer(compute="_compute_open_case_count")

    def _compute_open_case_count(self):
        counts = dict(
            self.env["aftersales.case"]._read_group(
                [("team_id", "in", self.ids), ("state", "not in", ("resolved", "closed", "cancelled"))],
                ["team_id"],
                ["__count"],
            )
        )
        for team in self:
            team.open_case_count = counts.get(team, 0)

    # --- mail.alias.mixin
    def _alias_get_creation_values(self):
        values = super()._alias_get_creation_values()
        values["alias_model_id"] = self.env["ir.model"]._get_id("aftersales.case")
        if self.id:
            values["alias_defaults"] = {
                "team_id": self.id,
                "company_id": self.company_id.id,
                "channel": "email",
            }
        return values

    @api.model
    def _get_default_team(self, category, company=None):
        """The team of ``category`` from Settings, else the company's first team."""
        company = company or self.env.company
        team = company[f"aftersales_team_{category}_id"] if category else self.browse()
        return team or self.search([("company_id", "=", company.id)], limit=1)

    # --- dispatch (C-4)
    @api.model
    def _cron_dispatch_unassigned(self, batch_size=1000):
        """C-4: cases still unassigned at the end of a working day go to their team's leader (or
        the manager of the case's own company), first thing the next working morning (the
        activity's date). Per company and per team; a case that fails is logged and the others
        go on. A bounded batch per call: a dispatched case is assigned, so the next call resumes
        with the others."""
        Case = self.env["aftersales.case"]
        domain = [("state", "=", "new"), ("user_id", "=", False)]
        # lock the batch, skipping cases another job holds (the escalation, a second worker)
        query = Case._search(domain, order="id", limit=batch_size)
        self.env.cr.execute(SQL("%s FOR UPDATE SKIP LOCKED", query.select()))
        cases = Case.browse([row[0] for row in self.env.cr.fetchall()])
        now = fields.Datetime.now()
        done = 0
        for (company, team), group in cases.grouped(lambda c: (c.company_id, c.team_id)).items():
            group = group.with_company(company)
            leader = team.leader_id or company.aftersales_manager_id
            if not leader:
                continue
            calendar = team.resource_calendar_id or company.resource_calendar_id
            morning = (
                calendar.plan_hours(0.01, now + timedelta(hours=1), compute_leaves=True) if calendar else now
            )
            for case in group:
                try:
                    with self.env.cr.savepoint():
                        self._dispatch_case(case, leader, fields.Date.to_date(morning or now))
                    done += 1
                except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
                    raise  # the whole batch is retried (by the cron, or by the request's retry)
                except Exception:
                    _logger.exception("Dispatching case %s failed; the other cases go on", case.name)
        remaining = Case.search_count(domain) if len(cases) == batch_size else 0
        # a batch where nothing could be dispatched reports done=0: the cron stops there
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        return done

    @api.model
    def _dispatch_case(self, case, leader, date):
        summary = _("Dispatch unassigned case %(name)s", name=case.name)
        if not case.activity_ids.filtered(lambda a: a.summary == summary):
            case.activity_schedule(
                "mail.mail_activity_data_todo", date_deadline=date, user_id=leader.id, summary=summary
            )
        case.with_context(tracking_disable=True).write({"user_id": leader.id})

    @api.readonly
    def action_view_cases(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("aftersales_service.aftersales_case_action")
        action["domain"] = [("team_id", "=", self.id)]
        action["context"] = {"default_team_id": self.id}
        return action
