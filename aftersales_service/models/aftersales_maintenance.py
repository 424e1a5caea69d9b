from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression
from odoo.tools import SQL
from odoo.tools.translate import LazyTranslate

from .aftersales_lock import MANAGER, SYSTEM, Frozen
from .tools import isolated, privileged

_lt = LazyTranslate(__name__)

MAINTENANCE_STATES = [
    ("planned", "Planned"),
    ("scheduled", "Scheduled"),
    ("done", "Done"),
    ("missed", "Missed"),
    ("cancelled", "Cancelled"),
]


class AftersalesMaintenanceStep(models.Model):
    """F-6: the company's mandatory maintenance steps: operating hours and the due window,
    in days from the warranty start (Settings)."""

    _name = "aftersales.maintenance.step"
    _description = "Mandatory Maintenance Step"
    _order = "company_id, operating_hours"
    _check_company_auto = True
    _inherit = ["aftersales.number.guard"]

    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    operating_hours = fields.Integer(required=True)
    due_from_days = fields.Integer(string="Due From (days)", required=True)
    due_to_days = fields.Integer(string="Due To (days)", required=True)
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("hours_company_uniq", "unique(company_id, operating_hours)", "Each operating-hours step once."),
        (
            "window_valid",
            "CHECK(operating_hours > 0 AND due_from_days >= 0 AND due_to_days >= due_from_days)",
            "A step has positive hours and a window that ends after it starts.",
        ),
    ]

    @api.depends("operating_hours", "due_from_days", "due_to_days")
    def _compute_display_name(self):
        for step in self:
            step.display_name = _(
                "%(hours)s h (day %(start)s-%(end)s)",
                hours=step.operating_hours,
                start=step.due_from_days,
                end=step.due_to_days,
            )


class AftersalesMaintenance(models.Model):
    """F-6: one row per due mandatory maintenance of a sold unit. Planned from the warranty start
    for the products (or categories) flagged for mandatory maintenance; steps whose window starts
    after the warranty end are not planned. A cron schedules the visit ahead of the window and
    tells the customer, marks missed steps; an operating-hours reading pulls the next step
    forward."""

    _name = "aftersales.maintenance"
    _description = "Mandatory Maintenance"
    _inherit = ["aftersales.lock.mixin", "aftersales.number.guard", "mail.thread", "mail.activity.mixin"]
    _order = "due_from, id"
    _check_company_auto = True

    # who may change what, in which state (aftersales.lock.mixin)
    _aftersales_locks = {
        # the planner, the visits and the operating-hours readings (F-6)
        **dict.fromkeys(("state", "visit_id", "pulled_forward", "name"), SYSTEM),
        # the unit and its step: planned from the warranty
        **dict.fromkeys(
            ("company_id", "warranty_id", "lot_id", "partner_id", "product_id", "operating_hours"),
            Frozen(reason=_lt("a maintenance step is planned from the unit's warranty")),
        ),
        # the due window is the company's rule (F-6); a manager may still move it, logged
        **dict.fromkeys(
            ("due_from", "due_to"),
            Frozen(
                group=MANAGER, reason=_lt("the due window of a mandatory maintenance is the company's rule")
            ),
        ),
    }
    _aftersales_unlink_lock = Frozen(reason=_lt("a planned maintenance is cancelled, not deleted"))

    name = fields.Char(compute="_compute_name", store=True)
    company_id = fields.Many2one("res.company", required=True, index=True)
    warranty_id = fields.Many2one(
        "aftersales.warranty", required=True, index=True, ondelete="cascade", check_company=True
    )
    lot_id = fields.Many2one("stock.lot", string="Serial", index="btree_not_null", check_company=True)
    partner_id = fields.Many2one("res.partner", string="Customer", required=True, index=True)
    product_id = fields.Many2one("product.product", required=True)
    operating_hours = fields.Integer(required=True)
    due_from = fields.Date(required=True, index=True)
    due_to = fields.Date(required=True)
    visit_id = fields.Many2one(
        "aftersales.field.visit", index="btree_not_null", check_company=True, copy=False
    )
    state = fields.Selection(MAINTENANCE_STATES, default="planned", required=True, index=True, tracking=True)
    pulled_forward = fields.Boolean(readonly=True, help="Brought forward by an operating-hours reading.")

    _sql_constraints = [
        (
            "warranty_hours_uniq",
            "unique(warranty_id, operating_hours)",
            "This unit has this maintenance step already.",
        ),
        ("window_valid", "CHECK(due_to >= due_from)", "The due window ends after it starts."),
    ]

    @api.depends("operating_hours", "lot_id", "product_id")
    def _compute_name(self):
        for row in self:
            row.name = _(
                "%(hours)s h maintenance of %(unit)s",
                hours=row.operating_hours,
                unit=row.lot_id.name or row.product_id.display_name,
            )

    # ------------------------------------------------------------------ planning
    @api.model
    def _plan_for_warranties(self, warranties):
        """Rows for the steps of each warranty that are missing, in one insert (idempotent:
        existing rows are skipped and the unique key guards concurrent runs)."""
        if not warranties:
            return self.browse()
        steps_by_company = {}
        self.flush_model(["warranty_id", "operating_hours"])
        self.env.cr.execute(
            SQL(
                "SELECT warranty_id, operating_hours FROM aftersales_maintenance WHERE warranty_id IN %s",
                tuple(warranties.ids),
            )
        )
        existing = set(self.env.cr.fetchall())
        vals_list = []
        for warranty in warranties:
            company = warranty.company_id
            if company not in steps_by_company:
                steps_by_company[company] = self.env["aftersales.maintenance.step"].search(
                    [("company_id", "=", company.id)]
                )
            for step in steps_by_company[company]:
                due_from = warranty.start_date + timedelta(days=step.due_from_days)
                if due_from > warranty.end_date or (warranty.id, step.operating_hours) in existing:
                    continue  # the window starts after the warranty: not planned (F-6)
                vals_list.append(
                    {
                        "company_id": company.id,
                        "warranty_id": warranty.id,
                        "lot_id": warranty.lot_id.id,
                        "partner_id": warranty.partner_id.id,
                        "product_id": warranty.product_id.id,
                        "operating_hours": step.operating_hours,
                        "due_from": due_from,
                        "due_to": min(
                            warranty.start_date + timedelta(days=step.due_to_days), warranty.end_date
                        ),
                    }
                )
        # sudo: planning is the bookkeeping of a sold unit's warranty, by the cron or whoever
        # delivered it; the values come from the warranty and the company's steps only
        return self.sudo().with_context(mail_create_nolog=True, tracking_disable=True).create(vals_list)

    @api.model
    def _cron_plan_maintenance(self, batch_size=2000):
        """F-6: plan the missing rows of flagged units (a bounded batch per call, resumable: the
        batch is the next warranties without rows), schedule visits ahead of the window, mark
        missed steps. Progress is reported to the cron, which commits and calls again."""
        Warranty = self.env["aftersales.warranty"]
        # the earliest "today" of all companies: no warranty still running somewhere is left out
        companies = self.env["res.company"].sudo().search([])
        today = min(company._aftersales_date() for company in companies)
        self.env.flush_all()  # the query reads flags, warranties and rows the ORM may hold
        self.env.cr.execute(
            SQL(
                """
                SELECT w.id FROM aftersales_warranty w
                  JOIN product_product pp ON pp.id = w.product_id
                  JOIN product_template pt ON pt.id = pp.product_tmpl_id
                 WHERE pt.aftersales_maintenance_required AND w.state != 'void' AND w.end_date >= %s
                   AND NOT EXISTS (SELECT 1 FROM aftersales_maintenance m WHERE m.warranty_id = w.id)
                 ORDER BY w.id LIMIT %s
                """,
                today,
                batch_size + 1,
            )
        )
        ids = [row[0] for row in self.env.cr.fetchall()]
        remaining = max(len(ids) - batch_size, 0)
        planned = self._plan_for_warranties(Warranty.browse(ids[:batch_size]))
        scheduled = self._schedule_due()
        self._mark_missed()
        # inside the cron: report the batch; with work remaining the cron runs again at once,
        # after committing this batch (Odoo 18's batched crons)
        self.env["ir.cron"]._notify_progress(done=len(ids[:batch_size]), remaining=remaining)
        return planned, scheduled

    @api.model
    def _schedule_due(self, today=None, limit=500):
        """Rows whose window opens within the lead time get a scheduled maintenance visit, the
        customer is told (the visit's appointment template). "Today" is each row's company's
        day (``today`` forces one day)."""
        Company = self.env["res.company"]
        if today:
            window = [("due_from", "<=", today + timedelta(days=7)), ("due_to", ">=", today)]
        else:
            window = expression.AND(
                [
                    Company._aftersales_date_domain("due_from", "<=", days=7),
                    Company._aftersales_date_domain("due_to", ">="),
                ]
            )
        rows = self.search([("state", "=", "planned"), ("visit_id", "=", False), *window], limit=limit)
        for row in rows:
            company = row.company_id
            engineer = company.aftersales_maintenance_user_id or company.aftersales_manager_id
            if not engineer:
                continue
            with isolated(self.env, f"Scheduling {row.name}"):
                self._schedule_visit(row, engineer, today or company._aftersales_date())
        return rows

    def _schedule_visit(self, row, engineer, today):
        """The maintenance visit of ``row``, on the first day of its window (at the earliest
        tomorrow), scheduled: the customer is told (the visit's appointment template)."""
        company = row.company_id
        day = max(row.due_from, today + timedelta(days=1))
        start = company._aftersales_datetime(day, 8)  # 08:00 where the company works
        visit = (
            self.env["aftersales.field.visit"]
            .with_company(company)
            .create(
                {
                    "kind": "maintenance",
                    "company_id": company.id,
                    "partner_id": row.partner_id.id,
                    "product_id": row.product_id.id,
                    "lot_id": row.lot_id.id,
                    "warranty_id": row.warranty_id.id,
                    "maintenance_id": row.id,
                    "user_id": engineer.id,
                    "appointment_start": start,
                    "appointment_end": start + timedelta(hours=2),
                }
            )
        )
        visit.action_schedule()
        privileged(row).write({"state": "scheduled", "visit_id": visit.id})

    @api.model
    def _mark_missed(self, today=None):
        late = (
            [("due_to", "<", today)]
            if today
            else self.env["res.company"]._aftersales_date_domain("due_to", "<")
        )
        missed = self.search([("state", "in", ("planned", "scheduled")), *late])
        privileged(missed).write({"state": "missed"})
        return missed

    @api.model
    def _on_visits_done(self, visits):
        """A done maintenance visit completes its step; any visit's operating-hours reading pulls
        the unit's next step forward when the unit reached its hours (F-6)."""
        for visit in visits:
            today = visit.company_id._aftersales_date()
            if visit.maintenance_id:
                privileged(visit.maintenance_id).write({"state": "done"})
            if visit.operating_hours and visit.warranty_id:
                due = self.search(
                    [
                        ("warranty_id", "=", visit.warranty_id.id),
                        ("state", "=", "planned"),
                        ("operating_hours", "<=", visit.operating_hours),
                        ("due_from", ">", today),
                    ]
                )
                for row in due:
                    window = (row.due_to - row.due_from).days
                    privileged(row).write(
                        {
                            "due_from": today,
                            "due_to": today + timedelta(days=max(window, 10)),
                            "pulled_forward": True,
                        }
                    )

    def action_cancel(self):
        if self.filtered(lambda r: r.state == "done"):
            raise UserError(_("A done maintenance stays on record."))
        self.visit_id.filtered(lambda v: v.state in ("draft", "scheduled")).action_cancel()
        privileged(self).write({"state": "cancelled"})
        return True
