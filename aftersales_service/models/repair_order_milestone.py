# pylint: disable=consider-merging-classes-inherited
# (a rule part of the model, in a room of its own: see docs/ARCHITECTURE.md)
from datetime import datetime, time, timedelta

import pytz

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL
from odoo.tools.translate import LazyTranslate

from .aftersales_lock import MANAGER, SYSTEM, Frozen
from .aftersales_sla_mixin import SLA_STATUSES, timer_status, worst_status
from .tools import add_working_hours, escalate, locked_batch, privileged

_lt = LazyTranslate(__name__)

# what a milestone's status depends on: (deadline, done) of each, and the repair's state
MILESTONE_DEPENDS = (
    "state",
    "aftersales_diagnosis_deadline",
    "aftersales_diagnosis_date",
    "aftersales_notice_deadline",
    "aftersales_notice_date",
    "aftersales_repair_deadline",
    "aftersales_repaired_date",
)


class RepairOrder(models.Model):
    """C-7: a unit returned to the workshop is tested the day it is received and the customer is
    told the diagnosis; when the part is in stock it is repaired within
    ``aftersales_repair_in_stock_hours``, when not the customer is told the repair deadline within
    ``aftersales_repair_notice_hours``. Each milestone is a timer with a status, and a breached
    one is escalated (team leader, then the After-Sales manager) by a batched cron, as the case
    timers (C-9)."""

    _name = "repair.order"
    _inherit = ["repair.order", "aftersales.lock.mixin"]

    # who may change what (aftersales.lock.mixin), on the after-sales side of a repair order
    _aftersales_lock_scope = "aftersales_"
    _aftersales_lock_scope_field = "aftersales_case_id"
    _aftersales_locks = {
        # set by the milestone actions, the escalation and the documents that make the repair
        **dict.fromkeys(
            (
                "aftersales_received_date",
                "aftersales_diagnosis_date",
                "aftersales_parts_in_stock",
                "aftersales_notice_date",
                "aftersales_repaired_date",
                "aftersales_diagnosis_deadline",
                "aftersales_notice_deadline",
                "aftersales_repair_deadline",
                "aftersales_milestone_deadline",
                "aftersales_escalation_level",
                "aftersales_escalated_deadline",
                "aftersales_return_line_id",
                "aftersales_redelivery_id",
            ),
            SYSTEM,
        ),
        # who pays for the repair (W-2, W-3): the unit's warranty and case; a manager may still
        # decide otherwise, and it is logged
        **dict.fromkeys(
            ("aftersales_warranty_id", "aftersales_case_id"),
            Frozen(group=MANAGER, reason=_lt("who pays for the repair is decided by the unit's warranty")),
        ),
    }
    # the workshop's findings (an exclusion makes the repair paid: it costs the company nothing)
    _aftersales_free = ("aftersales_diagnosis", "aftersales_promised_date", "aftersales_exclusion_id")

    aftersales_received_date = fields.Datetime(
        string="Unit Received",
        readonly=True,
        copy=False,
        help="When the unit reached the workshop: the service milestones count from it.",
    )
    aftersales_diagnosis = fields.Text(string="Diagnosis", copy=False)
    aftersales_diagnosis_date = fields.Datetime(string="Diagnosis Told", readonly=True, copy=False)
    aftersales_parts_in_stock = fields.Boolean(
        string="Parts in Stock",
        readonly=True,
        copy=False,
        help="At diagnosis: every part of the repair was available in the repair's location.",
    )
    aftersales_promised_date = fields.Datetime(
        string="Promised Repair Date", copy=False, help="The repair deadline told to the customer."
    )
    aftersales_notice_date = fields.Datetime(string="Deadline Told", readonly=True, copy=False)
    aftersales_repaired_date = fields.Datetime(string="Repaired On", readonly=True, copy=False)
    aftersales_diagnosis_deadline = fields.Datetime(string="Diagnosis Due", readonly=True, copy=False)
    aftersales_notice_deadline = fields.Datetime(string="Deadline Notice Due", readonly=True, copy=False)
    aftersales_repair_deadline = fields.Datetime(string="Repair Due", readonly=True, copy=False)
    aftersales_diagnosis_status = fields.Selection(
        SLA_STATUSES, string="Diagnosis Status", compute="_compute_aftersales_milestones"
    )
    aftersales_notice_status = fields.Selection(
        SLA_STATUSES, string="Deadline Notice Status", compute="_compute_aftersales_milestones"
    )
    aftersales_repair_status = fields.Selection(
        SLA_STATUSES, string="Repair Status", compute="_compute_aftersales_milestones"
    )
    aftersales_milestone_status = fields.Selection(
        SLA_STATUSES, string="Milestones", compute="_compute_aftersales_milestones"
    )
    aftersales_milestone_deadline = fields.Datetime(
        string="Next Milestone",
        compute="_compute_aftersales_milestone_deadline",
        store=True,
        index="btree_not_null",
        help="Earliest deadline of the running service milestones: the escalation works on it.",
    )
    aftersales_escalation_level = fields.Integer(
        string="Milestone Escalation Level", readonly=True, copy=False
    )
    aftersales_escalated_deadline = fields.Datetime(string="Escalated Milestone", readonly=True, copy=False)
    aftersales_escalation_partner_id = fields.Many2one(
        "res.partner", string="Escalated To", compute="_compute_aftersales_escalation_partner_id"
    )

    # --- milestones
    def _aftersales_milestones(self):
        """(start, deadline, done) per milestone."""
        self.ensure_one()
        received = self.aftersales_received_date
        return {
            "diagnosis": (received, self.aftersales_diagnosis_deadline, self.aftersales_diagnosis_date),
            "notice": (received, self.aftersales_notice_deadline, self.aftersales_notice_date),
            "repair": (
                self.aftersales_notice_date or self.aftersales_diagnosis_date,
                self.aftersales_repair_deadline,
                self.aftersales_repaired_date,
            ),
        }

    def _aftersales_at_risk_ratio(self):
        """When a running milestone is at risk: the at-risk ratio of the case's SLA policy, else
        of the company's first one (none: on track until breached)."""
        self.ensure_one()
        # sudo: the workshop's repair reads the after-sales policy of its case
        policy = self.sudo().aftersales_case_id.sla_policy_id or self.env[
            "aftersales.sla.policy"
        ].sudo().search([("company_id", "=", self.company_id.id)], limit=1)
        return policy.at_risk_ratio

    @api.depends(*MILESTONE_DEPENDS)
    def _compute_aftersales_milestone_deadline(self):
        for repair in self:
            running = (
                [d for _start, d, done in repair._aftersales_milestones().values() if d and not done]
                if repair.state not in ("done", "cancel")
                else []
            )
            repair.aftersales_milestone_deadline = min(running, default=False)

    @api.depends(*MILESTONE_DEPENDS)
    def _compute_aftersales_milestones(self):
        now = fields.Datetime.now()
        for repair in self:
            ratio = repair._aftersales_at_risk_ratio()
            statuses = {
                name: False
                if repair.state == "cancel" and not done
                else timer_status(start, deadline, done if deadline else False, now, ratio)
                for name, (start, deadline, done) in repair._aftersales_milestones().items()
            }
            repair.aftersales_diagnosis_status = statuses["diagnosis"]
            repair.aftersales_notice_status = statuses["notice"]
            repair.aftersales_repair_status = statuses["repair"]
            repair.aftersales_milestone_status = worst_status(statuses.values())

    @api.depends("aftersales_escalation_level")
    def _compute_aftersales_escalation_partner_id(self):
        for repair in self:
            repair.aftersales_escalation_partner_id = repair._aftersales_escalation_target(
                repair.aftersales_escalation_level or 1
            ).partner_id

    # --- working time
    def _aftersales_calendar(self):
        return self.company_id.resource_calendar_id

    def _aftersales_add_hours(self, start, hours):
        return add_working_hours(self._aftersales_calendar(), start, hours)

    def _aftersales_end_of_working_day(self, start):
        """End of the working day ``start`` falls in (the next working day's when ``start`` is
        after hours), on the company's calendar; midnight when it has none."""
        calendar = self._aftersales_calendar()
        tz = pytz.timezone(calendar.tz or "UTC") if calendar else pytz.utc
        aware = pytz.utc.localize(start)
        if calendar:
            intervals = [
                (s, e)
                for s, e, _meta in calendar._work_intervals_batch(aware, aware + timedelta(days=14))[False]
            ]
            if intervals:
                day = intervals[0][0].astimezone(tz).date()
                end = max(e for s, e in intervals if s.astimezone(tz).date() == day)
                return end.astimezone(pytz.utc).replace(tzinfo=None)
        local_day = aware.astimezone(tz).date()
        midnight = tz.localize(datetime.combine(local_day, time.max.replace(microsecond=0)))
        return midnight.astimezone(pytz.utc).replace(tzinfo=None)

    def _aftersales_start_milestones(self):
        """Start C-7 on units reaching the workshop (now, or the receipt's date a return gave):
        the diagnosis is due by the end of that working day."""
        for repair in self:
            start = repair.aftersales_received_date or fields.Datetime.now()
            privileged(repair).write(
                {
                    "aftersales_received_date": start,
                    "aftersales_diagnosis_deadline": repair._aftersales_end_of_working_day(start),
                }
            )

    @api.model_create_multi
    def create(self, vals_list):
        repairs = super().create(vals_list)
        # C-7 on after-sales units (from a case or a return); the return passes its receipt date
        repairs.filtered(
            lambda r: (
                (r.sudo().aftersales_case_id or r.sudo().aftersales_return_line_id)
                and not r.aftersales_diagnosis_deadline
            )
        )._aftersales_start_milestones()
        return repairs

    def _aftersales_parts_available(self):
        self.ensure_one()
        parts = self.move_ids.filtered(lambda m: m.repair_line_type == "add" and m.state != "cancel")
        if not parts:
            return True
        return all(
            m.product_id.type != "consu"
            or not m.product_id.is_storable
            or m.product_id.with_context(location=m.location_id.id).qty_available >= m.product_uom_qty
            for m in parts
        )

    def action_aftersales_diagnosis_told(self):
        """C-7: the unit is tested and the customer told the diagnosis (mail template). With every
        part in stock the repair is due within the company's in-stock hours; otherwise the
        customer must be told the repair deadline within its notice hours."""
        for repair in self:
            if not repair.aftersales_received_date:
                raise UserError(_("Repair %(name)s is not an after-sales unit.", name=repair.name))
            if repair.aftersales_diagnosis_date:
                raise UserError(_("The diagnosis of %(name)s was told already.", name=repair.name))
            if not (repair.aftersales_diagnosis or "").strip():
                raise UserError(_("Write the diagnosis of %(name)s before telling it.", name=repair.name))
            now = fields.Datetime.now()
            company = repair.company_id
            in_stock = repair._aftersales_parts_available()
            vals = {"aftersales_diagnosis_date": now, "aftersales_parts_in_stock": in_stock}
            if in_stock:
                vals["aftersales_repair_deadline"] = repair._aftersales_add_hours(
                    now, company.aftersales_repair_in_stock_hours
                )
            else:
                vals["aftersales_notice_deadline"] = repair._aftersales_add_hours(
                    repair.aftersales_received_date, company.aftersales_repair_notice_hours
                )
            privileged(repair).write(vals)
            repair._aftersales_tell_customer("aftersales_service.mail_template_repair_diagnosis")
        return True

    def action_aftersales_deadline_told(self):
        """C-7: parts are not in stock; the customer is told the promised repair date."""
        for repair in self:
            if not repair.aftersales_diagnosis_date:
                raise UserError(_("Tell the diagnosis of %(name)s first.", name=repair.name))
            if repair.aftersales_parts_in_stock:
                raise UserError(
                    _(
                        "The parts of %(name)s are in stock: it is repaired without a deadline notice.",
                        name=repair.name,
                    )
                )
            if not repair.aftersales_promised_date:
                raise UserError(_("Set the promised repair date of %(name)s first.", name=repair.name))
            if repair.aftersales_promised_date < fields.Datetime.now():
                raise UserError(_("The promised repair date of %(name)s is in the past.", name=repair.name))
            privileged(repair).write(
                {
                    "aftersales_notice_date": fields.Datetime.now(),
                    "aftersales_repair_deadline": repair.aftersales_promised_date,
                }
            )
            repair._aftersales_tell_customer("aftersales_service.mail_template_repair_deadline")
        return True

    def _aftersales_tell_customer(self, xmlid):
        self.ensure_one()
        if not self.partner_id:
            return
        self.message_post_with_source(xmlid, subtype_xmlid="mail.mt_comment", partner_ids=self.partner_id.ids)

    def action_repair_done(self):
        res = super().action_repair_done()
        privileged(self.filtered(lambda r: r.state == "done" and r.aftersales_received_date)).write(
            {"aftersales_repaired_date": fields.Datetime.now()}
        )
        return res

    # --- escalation (C-9 on the C-7 milestones)
    def _aftersales_escalation_target(self, level):
        self.ensure_one()
        # sudo: the workshop's repair names its case; the team is after-sales data
        team = self.sudo().aftersales_case_id.team_id
        manager = self.company_id.aftersales_manager_id
        if level == 1:
            return self.user_id or team.leader_id or manager
        return manager or team.leader_id

    def _aftersales_escalation_where(self, now):
        """Late milestones not escalated yet at their level (alias ``c``, company ``co``)."""
        return SQL(
            """
            c.state NOT IN ('done', 'cancel')
            AND c.aftersales_milestone_deadline < %(now)s
            AND (c.aftersales_escalated_deadline IS DISTINCT FROM c.aftersales_milestone_deadline
                 OR (COALESCE(c.aftersales_escalation_level, 0) = 1
                     AND COALESCE(co.aftersales_escalation_hours, 0) > 0
                     AND c.aftersales_milestone_deadline
                         + make_interval(hours => co.aftersales_escalation_hours) < %(now)s))
            """,
            now=now,
        )

    @api.model
    def _cron_aftersales_escalate_milestones(self, batch_size=500, now=None):
        """Escalate each breached C-7 milestone once (level 1, then level 2 after the company's
        second-escalation hours): one bounded batch per call, rows locked with SKIP LOCKED, the
        progress told to ``ir.cron``; the escalation state written is the resume point."""
        now = now or fields.Datetime.now()
        return locked_batch(
            self,
            self._aftersales_escalation_where(now),
            "aftersales_milestone_deadline",
            batch_size,
            lambda records: records._aftersales_escalate(now),
        )

    def _aftersales_escalate(self, now):
        escalate(
            self,
            now,
            (
                "aftersales_milestone_deadline",
                "aftersales_escalated_deadline",
                "aftersales_escalation_level",
                "aftersales_escalation_partner_id",
            ),
            lambda repair, level: repair._aftersales_escalation_target(level),
            lambda repair, level: self.env._(
                "Repair %(name)s missed a milestone (level %(level)s)", name=repair.name, level=level
            ),
            "aftersales_service.mail_template_repair_escalation",
        )


class AftersalesCase(models.Model):
    """C-7 on the case: the worst milestone status of its workshop repairs."""

    _inherit = "aftersales.case"

    repair_milestone_status = fields.Selection(
        SLA_STATUSES,
        string="Workshop Milestones",
        compute="_compute_repair_milestone_status",
        help="The worst status of the milestones of this case's repairs.",
    )

    @api.depends("repair_ids.aftersales_milestone_status")
    def _compute_repair_milestone_status(self):
        for case in self:
            case.repair_milestone_status = worst_status(case.repair_ids.mapped("aftersales_milestone_status"))
