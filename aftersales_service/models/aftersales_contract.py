from collections import defaultdict
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import Command, _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools.translate import LazyTranslate

from .aftersales_lock import CREATION_LOCKS, MANAGER, SYSTEM, Frozen
from .tools import (
    chase_once,
    documents_action,
    isolated,
    lock_for_action,
    new_access_token,
    privileged,
)

CONTRACT_STATES = [
    ("draft", "Draft"),
    ("running", "Running"),
    ("expired", "Expired"),
    ("cancelled", "Cancelled"),
]
INVOICE_PERIODS = [("month", "Monthly"), ("quarter", "Quarterly"), ("year", "Yearly")]
PERIOD_MONTHS = {"month": 1, "quarter": 3, "year": 12}
_lt = LazyTranslate(__name__)
MANAGER_GROUP = "aftersales_service.group_aftersales_manager"
USER_GROUP = "aftersales_service.group_aftersales_user"


class AftersalesContract(models.Model):
    """C-5 type B: a service contract. The customer pays a price per period (invoiced in advance
    by the invoicing cron, one standard customer invoice per period) for the units it covers
    (serials and/or products): their cases are contract cases, not invoiced per case while the
    period's included visits and labour hours last, and answered within the contract's own
    response times (overriding C-6)."""

    _name = "aftersales.contract"
    _description = "Service Contract"
    _inherit = [
        "aftersales.lock.mixin",
        "aftersales.number.guard",
        "portal.mixin",
        "mail.thread",
        "mail.activity.mixin",
    ]
    _order = "date_start desc, id desc"
    _check_company_auto = True

    # who may change what, in which state (aftersales.lock.mixin)
    _aftersales_locks = {
        # the workflow and the invoicing cron (C-5 type B)
        **dict.fromkeys(
            (
                "state",
                "invoice_ids",
                "invoiced_until",
                "renewal_reminded",
                "next_invoice_date",
                "renewal_date",
                "access_token",
            ),
            SYSTEM,
        ),
        **CREATION_LOCKS,
        # what the customer pays for and gets: fixed once the manager started the contract; a
        # manager may still amend it, and it is logged
        **dict.fromkeys(
            (
                "partner_id",
                "lot_ids",
                "product_ids",
                "date_start",
                "date_end",
                "sla_policy_id",
                "visits_included",
                "hours_included",
                "price",
                "invoice_period",
                "invoice_product_id",
            ),
            Frozen(
                ("running", "expired", "cancelled"),
                group=MANAGER,
                reason=_lt("the terms of a started contract are the ones the customer agreed to"),
            ),
        ),
    }
    # the account manager, the reminder's notice, the cases (their own contract lock holds)
    _aftersales_free = ("user_id", "renewal_reminder_days", "case_ids")
    _aftersales_unlink_lock = Frozen(
        ("running", "expired", "cancelled"), reason=_lt("a started contract is kept on record")
    )

    name = fields.Char(string="Reference", required=True, readonly=True, copy=False, default="/")
    # drawn at creation: portal pages (read-only cursors) never write one
    access_token = fields.Char(default=lambda self: new_access_token())
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        default=lambda self: self.env.user,
        tracking=True,
        check_company=True,
        domain=[("share", "=", False)],
        help="Gets the renewal reminder when the company has no after-sales manager.",
    )
    # --- customer and what is covered
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, tracking=True, check_company=True
    )
    commercial_partner_id = fields.Many2one(
        related="partner_id.commercial_partner_id", store=True, index=True, string="Customer Company"
    )
    lot_ids = fields.Many2many(
        "stock.lot", string="Covered Serials", check_company=True, help="Units covered by their serial."
    )
    product_ids = fields.Many2many(
        "product.product",
        string="Covered Products",
        check_company=True,
        help="Every unit of these products the customer has is covered.",
    )
    date_start = fields.Date(
        string="Start Date",
        required=True,
        tracking=True,
        default=lambda self: self.env.company._aftersales_date(),
    )
    date_end = fields.Date(string="End Date", required=True, tracking=True, help="Last day covered.")
    # --- terms
    sla_policy_id = fields.Many2one(
        "aftersales.sla.policy",
        string="Response Times",
        check_company=True,
        tracking=True,
        help="The response and resolution times of the covered cases, instead of the company's.",
    )
    visits_included = fields.Integer(tracking=True, help="Field visits included per invoicing period.")
    hours_included = fields.Float(tracking=True, help="Labour hours included per invoicing period.")
    price = fields.Monetary(currency_field="currency_id", tracking=True, help="Invoiced per period.")
    invoice_period = fields.Selection(INVOICE_PERIODS, required=True, default="month", tracking=True)
    invoice_product_id = fields.Many2one(
        "product.product",
        string="Invoiced Product",
        required=True,
        check_company=True,
        domain=[("type", "=", "service")],
        default=lambda self: self.env.ref(
            "aftersales_service.product_service_contract", raise_if_not_found=False
        ),
    )
    renewal_reminder_days = fields.Integer(
        string="Renewal Reminder (days)",
        default=30,
        help="Plan an activity this many days before the contract ends; 0 turns the reminder off.",
    )
    # --- workflow and invoicing
    state = fields.Selection(
        CONTRACT_STATES, default="draft", required=True, readonly=True, copy=False, tracking=True, index=True
    )
    invoice_ids = fields.Many2many("account.move", string="Invoices", readonly=True, copy=False)
    invoice_count = fields.Integer(compute="_compute_invoice_count")
    invoiced_until = fields.Date(
        readonly=True,
        copy=False,
        help="End of the last invoiced period: the next invoice starts the day after.",
    )
    next_invoice_date = fields.Date(
        compute="_compute_next_invoice_date",
        store=True,
        index=True,
        help="Start of the next period to invoice; empty once every period is invoiced.",
    )
    renewal_date = fields.Date(compute="_compute_renewal_date", store=True, string="Renewal Reminder On")
    renewal_reminded = fields.Boolean(readonly=True, copy=False)
    # --- consumption of the current period
    period_start = fields.Date(string="Current Period From", compute="_compute_usage")
    period_end = fields.Date(string="Current Period To", compute="_compute_usage")
    visits_used = fields.Integer(compute="_compute_usage", help="Field visits of the current period.")
    hours_used = fields.Float(compute="_compute_usage", help="Hours spent on cases of the current period.")
    case_ids = fields.One2many("aftersales.case", "contract_id", string="Cases", groups=USER_GROUP)
    case_count = fields.Integer(compute="_compute_case_count", groups=USER_GROUP)

    _sql_constraints = [
        ("name_company_uniq", "unique(name, company_id)", "A contract reference is unique per company."),
    ]

    def _compute_access_url(self):  # pylint: disable=missing-return
        super()._compute_access_url()
        for contract in self:
            contract.access_url = f"/my/contracts/{contract.id}"

    def _compute_invoice_count(self):
        for contract in self:
            contract.invoice_count = len(contract.invoice_ids)

    @api.depends("invoiced_until", "date_start", "date_end")
    def _compute_next_invoice_date(self):
        for contract in self:
            start = (
                contract.invoiced_until + timedelta(days=1)
                if contract.invoiced_until
                else contract.date_start
            )
            contract.next_invoice_date = (
                start if start and contract.date_end and start <= contract.date_end else False
            )

    @api.depends("date_end", "renewal_reminder_days")
    def _compute_renewal_date(self):
        for contract in self:
            days = contract.renewal_reminder_days
            contract.renewal_date = (
                contract.date_end - timedelta(days=days) if contract.date_end and days else False
            )

    def _compute_case_count(self):
        counts = dict(
            self.env["aftersales.case"]._read_group(
                [("contract_id", "in", self.ids)], ["contract_id"], ["__count"]
            )
        )
        for contract in self:
            contract.case_count = counts.get(contract, 0)

    @api.depends_context("uid")
    def _compute_usage(self):
        """Visits and hours of the period containing today (the company's day)."""
        usage = self._usage_in_periods()
        for contract in self:
            start, end, visits, hours = usage.get(contract.id, (False, False, 0, 0.0))
            contract.period_start, contract.period_end = start, end
            contract.visits_used, contract.hours_used = visits, hours

    # ------------------------------------------------------------------ periods and usage
    def _period_bounds(self, day):
        """(first, last day) of the invoicing period containing ``day``; periods run from the
        contract's start, each ``invoice_period`` long; the last one ends with the contract."""
        self.ensure_one()
        months = PERIOD_MONTHS[self.invoice_period or "month"]
        delta = relativedelta(day, self.date_start)
        index = (delta.years * 12 + delta.months) // months

        def bounds(i):
            return (
                self.date_start + relativedelta(months=i * months),
                self.date_start + relativedelta(months=(i + 1) * months) - timedelta(days=1),
            )

        start, end = bounds(index)
        while day > end:  # month ends (a start on the 31st) make relativedelta fall short
            index += 1
            start, end = bounds(index)
        while day < start and index > 0:
            index -= 1
            start, end = bounds(index)
        return start, min(end, self.date_end) if self.date_end else end

    def _usage_in_periods(self, day=None):
        """{contract id: (period start, period end, visits, hours)} for the period containing
        ``day`` (today): the hours spent on the contract's cases registered in that period and
        their field visits (not cancelled). One search for all the contracts."""
        periods = {}
        for contract in self:
            if contract.id and contract.date_start and contract.date_end:
                today = day or contract.company_id._aftersales_date()
                periods[contract.id] = contract._period_bounds(today)
        result = {cid: (start, end, 0, 0.0) for cid, (start, end) in periods.items()}
        if not periods:
            return result
        company = self[:1].company_id
        date_from = company._aftersales_datetime(
            min(start for start, _end in periods.values()) - timedelta(days=1)
        )
        date_to = company._aftersales_datetime(
            max(end for _start, end in periods.values()) + timedelta(days=2)
        )
        # sudo: counting the work done on the contracts the user reads (hours are internal fields)
        cases = (
            self.env["aftersales.case"]
            .sudo()
            .search(
                [
                    ("contract_id", "in", list(periods)),
                    ("date_registered", ">=", date_from),
                    ("date_registered", "<", date_to),
                ]
            )
        )
        totals = defaultdict(lambda: [0, 0.0])
        for case in cases:
            start, end = periods[case.contract_id.id]
            if start <= case.company_id._aftersales_date(case.date_registered) <= end:
                visits, hours = case._aftersales_contract_usage()
                totals[case.contract_id.id][0] += visits
                totals[case.contract_id.id][1] += hours
        for cid, (visits, hours) in totals.items():
            start, end = periods[cid]
            result[cid] = (start, end, visits, hours)
        return result

    # ------------------------------------------------------------------ checks
    @api.constrains("date_start", "date_end")
    def _check_dates(self):
        for contract in self:
            if contract.date_start and contract.date_end and contract.date_end < contract.date_start:
                raise ValidationError(_("Contract %(name)s cannot end before it starts.", name=contract.name))

    def _ensure_manager(self):
        if not self.env.su and not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(_("Only an After-Sales manager can start or cancel a service contract."))

    # ------------------------------------------------------------------ CRUD
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                company = self.env["res.company"].browse(vals.get("company_id")) or self.env.company
                vals["name"] = self.env["ir.sequence"].with_company(company).next_by_code(
                    "aftersales.contract"
                ) or _("New")
        return super().create(vals_list)

    # ------------------------------------------------------------------ workflow
    def action_start(self):
        self._ensure_manager()
        lock_for_action(self)
        for contract in self:
            if contract.state != "draft":
                raise UserError(_("Contract %(name)s is not a draft.", name=contract.name))
            if not contract.partner_id or not contract.date_start or not contract.date_end:
                raise UserError(
                    _("Give contract %(name)s a customer, a start and an end date.", name=contract.name)
                )
            if not contract.lot_ids and not contract.product_ids:
                raise UserError(
                    _("Choose the serials or products contract %(name)s covers.", name=contract.name)
                )
        privileged(self).write({"state": "running"})
        return True

    def action_cancel(self):
        self._ensure_manager()
        lock_for_action(self)
        for contract in self:
            if contract.state not in ("draft", "running"):
                raise UserError(_("Contract %(name)s is over already.", name=contract.name))
        privileged(self).write({"state": "cancelled"})
        return True

    @api.readonly
    def action_view_invoices(self):
        self.ensure_one()
        return documents_action(self.env, "account.action_move_out_invoice_type", self.invoice_ids)

    @api.readonly
    def action_view_cases(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Cases"),
            "res_model": "aftersales.case",
            "view_mode": "list,form",
            "domain": [("contract_id", "=", self.id)],
            "context": {"create": False},
        }

    # ------------------------------------------------------------------ invoicing
    def _prepare_invoice_vals(self, period_start, period_end, invoice_date):
        self.ensure_one()
        return {
            "move_type": "out_invoice",
            "partner_id": self.partner_id.id,
            "company_id": self.company_id.id,
            "currency_id": self.currency_id.id,
            "invoice_date": invoice_date,
            "invoice_origin": self.name,
            "invoice_line_ids": [
                Command.create(
                    {
                        "product_id": self.invoice_product_id.id,
                        "quantity": 1.0,
                        "price_unit": self.price,
                        "name": _(
                            "Service contract %(name)s: %(start)s to %(end)s",
                            name=self.name,
                            start=period_start,
                            end=period_end,
                        ),
                    }
                )
            ],
        }

    def _invoice_due_periods(self, today):
        """Invoice each period of the contract starting on or before ``today`` and not invoiced
        yet: one posted customer invoice per period, ``invoiced_until`` advanced in the same
        transaction (the idempotence key: a rerun, or a run killed after this, never invoices a
        period twice)."""
        self.ensure_one()
        lock_for_action(self)
        self.invalidate_recordset(["invoiced_until", "next_invoice_date"])
        invoices = self.env["account.move"]
        while self.next_invoice_date and self.next_invoice_date <= today:
            start, end = self._period_bounds(self.next_invoice_date)
            invoice = (
                self.env["account.move"]
                .with_company(self.company_id)
                .create(self._prepare_invoice_vals(start, end, today))
            )
            invoice.action_post()
            privileged(self).write({"invoice_ids": [Command.link(invoice.id)], "invoiced_until": end})
            invoices |= invoice
        return invoices

    # ------------------------------------------------------------------ cron
    def _cron_domain_today(self, field, operator):
        return self.env["res.company"]._aftersales_date_domain(field, operator)

    @api.model
    def _cron_invoice_contracts(self, batch_size=200):
        """The invoicing of service contracts, in bounded batches (the cron is told what remains
        and calls again): (1) every period started and not invoiced yet is invoiced, also for a
        contract that ended meanwhile; (2) contracts past their end date expire; (3) the
        renewal reminder is planned once, ``renewal_reminder_days`` before the end, for the
        company's after-sales manager. Each step's written state is its resume point."""
        done = remaining = 0
        # (1) invoicing
        domain = [("state", "in", ("running", "expired")), ("next_invoice_date", "!=", False)]
        domain += self._cron_domain_today("next_invoice_date", "<=")
        contracts = self.search(domain, limit=batch_size, order="next_invoice_date, id")
        for contract in contracts:
            with isolated(self.env, f"Invoicing the service contract {contract.name}"):
                contract._invoice_due_periods(contract.company_id._aftersales_date())
        done += len(contracts)
        if len(contracts) == batch_size:
            remaining += self.search_count(domain)
        # (2) expiry
        domain = [("state", "=", "running")] + self._cron_domain_today("date_end", "<")
        contracts = self.search(domain, limit=batch_size, order="date_end, id")
        privileged(contracts).write({"state": "expired"})
        done += len(contracts)
        if len(contracts) == batch_size:
            remaining += self.search_count(domain)
        # (3) renewal reminders
        domain = [("state", "=", "running"), ("renewal_reminded", "=", False), ("renewal_date", "!=", False)]
        domain += self._cron_domain_today("renewal_date", "<=")
        contracts = self.search(domain, limit=batch_size, order="renewal_date, id")
        for contract in contracts:
            chase_once(
                contract,
                contract.company_id.aftersales_manager_id or contract.user_id,
                _(
                    "Service contract %(name)s ends on %(date)s: renew it with the customer",
                    name=contract.name,
                    date=contract.date_end,
                ),
                "renewal_reminded",
                f"Renewal reminder of the service contract {contract.name}",
            )
        done += len(contracts)
        if len(contracts) == batch_size:
            remaining += self.search_count(domain)
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        return done
