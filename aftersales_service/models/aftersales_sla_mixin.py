from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from .tools import escalate, locked_batch, privileged

SLA_STATUSES = [("on_track", "On Track"), ("at_risk", "At Risk"), ("breached", "Breached"), ("met", "Met")]
INTERNAL = "aftersales_service.group_aftersales_user"
STATUS_ORDER = ("breached", "at_risk", "on_track", "met")


def timer_status(start, deadline, done, now, at_risk_ratio):
    """The status of one timer (C-6, C-7): met or breached once done, else breached past the
    deadline, at risk once ``at_risk_ratio`` of the time from ``start`` to it has passed."""
    if done:
        return "met" if not deadline or done <= deadline else "breached"
    if not deadline:
        return False
    if now > deadline:
        return "breached"
    if start and at_risk_ratio and (now - start) >= (deadline - start) * at_risk_ratio:
        return "at_risk"
    return "on_track"


def worst_status(statuses):
    """The most urgent of several timer statuses (empty ones ignored)."""
    running = [status for status in statuses if status]
    return min(running, key=STATUS_ORDER.index) if running else False


class AftersalesSlaMixin(models.AbstractModel):
    """Response timers on working calendars (C-6, C-7) and their escalation (C-9).

    A document that inherits it provides ``state``, ``date_registered``, ``resolved_date``,
    ``team_id`` and ``company_id``; ``_sla_open_states`` are the states in which its timers run
    and ``_sla_done_states`` those that stop the resolution timer. The SLA policy
    (``aftersales.sla.policy``) gives the hours; ``_apply_sla`` sets the deadlines, the cron
    ``_cron_escalate`` escalates each breached deadline once, in batches locked with SKIP LOCKED.
    """

    _name = "aftersales.sla.mixin"
    _description = "After-Sales Response Timers"
    _sla_open_states = ("new", "assigned", "in_progress", "waiting_customer")
    _sla_done_states = ("resolved", "closed")

    # --- SLA timers (C-6, C-7)
    sla_policy_id = fields.Many2one(
        "aftersales.sla.policy", string="SLA Policy", readonly=True, check_company=True
    )
    first_response_deadline = fields.Datetime(readonly=True, index=True, copy=False)
    first_response_date = fields.Datetime(readonly=True, copy=False)
    reply_deadline = fields.Datetime(
        readonly=True, index=True, copy=False, help="Set by each customer message."
    )
    last_reply_date = fields.Datetime(readonly=True, copy=False)
    resolution_deadline = fields.Datetime(readonly=True, index=True, copy=False)
    sla_deadline = fields.Datetime(
        string="Next Deadline",
        compute="_compute_sla_deadline",
        store=True,
        index=True,
        help="Earliest deadline of the running timers: the escalation works on it.",
    )
    first_response_status = fields.Selection(SLA_STATUSES, compute="_compute_sla_status")
    reply_status = fields.Selection(SLA_STATUSES, compute="_compute_sla_status")
    resolution_status = fields.Selection(SLA_STATUSES, compute="_compute_sla_status")
    sla_status = fields.Selection(
        SLA_STATUSES, string="SLA Status", compute="_compute_sla_status", search="_search_sla_status"
    )
    sla_met = fields.Float(
        string="SLA Met (%)",
        compute="_compute_sla_met",
        store=True,
        aggregator="avg",
        help="100 when a resolved case met its first-response and resolution deadlines, else 0.",
    )
    # --- scorecard measures (S-2): averages in the pivot and graph views, per team, person, month
    first_response_hours = fields.Float(
        string="First Response (h)",
        compute="_compute_scorecard_hours",
        store=True,
        aggregator="avg",
        help="Hours from registration to the first response to the customer.",
    )
    resolution_hours = fields.Float(
        string="Resolution Time (h)",
        compute="_compute_scorecard_hours",
        store=True,
        aggregator="avg",
        help="Hours from registration to resolution.",
    )
    # --- escalation (C-9)
    escalation_level = fields.Integer(
        readonly=True, copy=False, help="1 team leader, 2 manager, 3 executive.", groups=INTERNAL
    )
    escalated_deadline = fields.Datetime(
        readonly=True, copy=False, help="The deadline whose breach was escalated.", groups=INTERNAL
    )
    escalation_partner_id = fields.Many2one(
        "res.partner",
        compute="_compute_escalation_partner_id",
        groups=INTERNAL,
        help="Who the current escalation level goes to (the escalation email's recipient).",
    )

    @api.depends("escalation_level")
    def _compute_escalation_partner_id(self):
        for case in self:
            case.escalation_partner_id = case._escalation_target(case.escalation_level or 1).partner_id

    @api.depends(
        "first_response_deadline", "first_response_date", "reply_deadline", "resolution_deadline", "state"
    )
    def _compute_sla_deadline(self):
        for case in self:
            case.sla_deadline = min(case._running_deadlines(), default=False)

    @api.depends("date_registered", "first_response_date", "resolved_date")
    def _compute_scorecard_hours(self):
        for case in self:
            start = case.date_registered
            case.first_response_hours = (
                (case.first_response_date - start).total_seconds() / 3600.0
                if start and case.first_response_date
                else False
            )
            case.resolution_hours = (
                (case.resolved_date - start).total_seconds() / 3600.0
                if start and case.resolved_date
                else False
            )

    @api.depends(
        "state", "resolved_date", "first_response_date", "first_response_deadline", "resolution_deadline"
    )
    def _compute_sla_met(self):
        for case in self:
            if case.state not in case._sla_done_states:
                case.sla_met = False
                continue
            first_ok = not case.first_response_deadline or (
                case.first_response_date and case.first_response_date <= case.first_response_deadline
            )
            resolution_ok = not case.resolution_deadline or (
                case.resolved_date and case.resolved_date <= case.resolution_deadline
            )
            case.sla_met = 100.0 if first_ok and resolution_ok else 0.0

    def _running_deadlines(self):
        self.ensure_one()
        if self.state not in self._sla_open_states:
            return []
        deadlines = [self.reply_deadline, self.resolution_deadline]
        if not self.first_response_date:
            deadlines.append(self.first_response_deadline)
        return [d for d in deadlines if d]

    def _timer_status(self, start, deadline, done, now):
        return timer_status(start, deadline, done, now, self.sla_policy_id.at_risk_ratio)

    @api.depends_context("uid")
    def _compute_sla_status(self):
        now = fields.Datetime.now()
        for case in self:
            start = case.date_registered or now
            case.first_response_status = case._timer_status(
                start, case.first_response_deadline, case.first_response_date, now
            )
            case.reply_status = (
                case._timer_status(case.last_reply_date or start, case.reply_deadline, False, now)
                if case.reply_deadline
                else False
            )
            closed = case.resolved_date if case.state in case._sla_done_states else False
            case.resolution_status = case._timer_status(start, case.resolution_deadline, closed, now)
            case.sla_status = worst_status(
                (case.first_response_status, case.reply_status, case.resolution_status)
            )

    def _search_sla_status(self, operator, value):
        if operator not in ("=", "!=") or value not in ("breached",):
            raise UserError(_("Only searching breached cases is supported."))
        domain = [("state", "in", self._sla_open_states), ("sla_deadline", "<", fields.Datetime.now())]
        return domain if operator == "=" else ["!", "&", *domain]  # the complement of both terms

    def _apply_sla(self, restart_reply=False):
        for case in self:
            policy = self.env["aftersales.sla.policy"]._get_policy(case)
            start = case.date_registered or fields.Datetime.now()
            vals = {"sla_policy_id": policy.id}
            if policy:
                vals["first_response_deadline"] = policy._add_hours(
                    start, policy.first_response_hours, case.team_id
                )
                vals["resolution_deadline"] = policy._add_hours(start, policy.resolution_hours, case.team_id)
            else:
                vals.update(first_response_deadline=False, resolution_deadline=False)
            privileged(case).write(vals)  # the timers are the system's

    def _escalation_target(self, level):
        self.ensure_one()
        if level == 1:
            return self.team_id.leader_id or self.company_id.aftersales_manager_id
        if level == 3:  # C-9: a serious complaint goes to the executive at once
            return self.company_id.aftersales_executive_id or self.company_id.aftersales_manager_id
        return self.company_id.aftersales_manager_id or self.team_id.leader_id

    def _escalation_where(self, now):
        return SQL(
            """
            c.active AND c.state IN %(states)s
            AND c.sla_deadline < %(now)s
            AND (c.escalated_deadline IS DISTINCT FROM c.sla_deadline
                 OR (COALESCE(c.escalation_level, 0) = 1
                     AND COALESCE(co.aftersales_escalation_hours, 0) > 0
                     AND c.sla_deadline + make_interval(hours => co.aftersales_escalation_hours) < %(now)s))
            """,
            states=self._sla_open_states,
            now=now,
        )

    @api.model
    def _cron_escalate(self, batch_size=1000, now=None):
        """C-9: escalate each breached deadline once: level 1 to the team leader, level 2 (still
        breached ``aftersales_escalation_hours`` later) to the After-Sales manager.

        One bounded batch per call: rows are locked with SKIP LOCKED (two workers never escalate
        the same case twice), the cron is told what remains and, after committing this batch,
        calls again; the escalation state written in the batch is the resume point."""
        now = now or fields.Datetime.now()
        return locked_batch(
            self,
            self._escalation_where(now),
            "sla_deadline",
            batch_size,
            lambda records: records._escalate_breach(now),
        )

    _escalation_template = "aftersales_service.mail_template_case_escalation"

    def _escalate_breach(self, now=None):
        """Escalate a batch (rows locked by the caller): an activity for the target of each
        case's level and the escalation email (a mail template, kept on the case's chatter)."""
        escalate(
            self,
            now,
            ("sla_deadline", "escalated_deadline", "escalation_level", "escalation_partner_id"),
            lambda case, level: case._escalation_target(level),
            lambda case, level: self.env._(
                "Case %(name)s is late (level %(level)s)", name=case.name, level=level
            ),
            self._escalation_template,
        )
