from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import float_compare
from odoo.tools.translate import LazyTranslate

from .aftersales_lock import ALWAYS, CREATION_LOCKS, SYSTEM, Frozen
from .tools import (
    ensure_can,
    form_action,
    isolated,
    lock_for_action,
    privileged,
)

COMPLAINT_STATES = [
    ("draft", "Draft"),
    ("investigating", "Investigating"),
    ("to_approve", "To Approve"),
    ("approved", "Approved"),
    ("closed", "Closed"),
    ("cancelled", "Cancelled"),
]
CAUSE_TYPES = [("quality", "Quality"), ("non_quality", "Non-Quality")]
SEVERITIES = [("minor", "Minor"), ("major", "Major"), ("critical", "Critical")]
PENALTY_KINDS = [("warning", "Warning"), ("fine", "Fine"), ("bonus_deduction", "Bonus Deduction")]
EXECUTIVE_GROUP = "aftersales_service.group_aftersales_executive"
MANAGER_GROUP = "aftersales_service.group_aftersales_manager"
LOCKED_STATES = ("approved", "closed")
# P-8: the corrective actions of these complaints are read-only
ACTION_LOCKED_STATES = ("closed", "cancelled")
_lt = LazyTranslate(__name__)
# P-4: the inputs of the approved loss and penalties, frozen once the executive approved
APPROVED = Frozen(
    LOCKED_STATES,
    reason=_lt(
        "the executive approved the loss and the penalties; reopen it if the customer does not accept"
    ),
)


class AftersalesComplaint(models.Model):
    """A numbered complaint form (P-1): order facts (P-2), investigation within N days (P-3),
    responsibility, loss and penalty approved by the executive (P-4), reopening (P-5), owned by
    the customer service manager (P-7), corrective actions (P-8)."""

    _name = "aftersales.complaint"
    _description = "Complaint"
    _inherit = ["aftersales.lock.mixin", "aftersales.number.guard", "mail.thread", "mail.activity.mixin"]
    _order = "id desc"
    _check_company_auto = True
    _rec_names_search = ["name", "subject"]

    # who may change what, in which state (aftersales.lock.mixin)
    _aftersales_locks = {
        # the workflow, its deadlines and reports, and the loss it computes (P-2, P-3, P-4, P-5)
        **dict.fromkeys(
            (
                "state",
                "approver_id",
                "approval_date",
                "closed_date",
                "investigation_deadline",
                "overdue_reported",
                "executive_notified",
                "parent_id",
                "owner_id",
                "refund_loss",
                "loss_amount",
                "vendor_recovered_amount",
                "net_loss_amount",
                "penalty_total",
                "review_ids",
            ),
            SYSTEM,
        ),
        **CREATION_LOCKS,
        **dict.fromkeys(
            (
                "partner_id",
                "case_id",
                "return_id",
                "sale_order_id",
                "date",
                "cause_type",
                "cause_id",
                "severity",
                "validity",
                "investigation_report",
                "root_cause",
                "credit_note_ids",
                "vendor_refund_ids",
                "replacement_cost",
                "freight_cost",
                "other_cost",
                "responsibility_ids",
            ),
            APPROVED,
        ),
    }
    # the actions and the reopened complaints follow their own declarations
    _aftersales_free = (
        "subject",
        "order_specification",
        "order_quantity",
        "delivery_date",
        "customer_demand",
        "investigator_id",
        "action_ids",
        "child_ids",
    )
    _aftersales_unlink_lock = Frozen(
        ("investigating", "to_approve", "approved", "closed"),
        reason=_lt("a complaint is kept on record once its investigation started"),
    )

    name = fields.Char(string="Reference", required=True, readonly=True, copy=False, default="/")
    subject = fields.Char(tracking=True, help="What the customer complains about, in one line.")
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, tracking=True, check_company=True
    )
    case_id = fields.Many2one(
        "aftersales.case", string="Service Case", index="btree_not_null", check_company=True
    )
    return_id = fields.Many2one("aftersales.return", index="btree_not_null", check_company=True)
    sale_order_id = fields.Many2one("sale.order", string="Order", check_company=True, tracking=True)
    # --- order facts (P-2), filled from the order
    order_specification = fields.Text(
        compute="_compute_order_facts", store=True, readonly=False, precompute=True
    )
    order_quantity = fields.Float(compute="_compute_order_facts", store=True, readonly=False, precompute=True)
    delivery_date = fields.Date(compute="_compute_order_facts", store=True, readonly=False, precompute=True)
    date = fields.Date(default=lambda self: self.env.company._aftersales_date(), required=True, tracking=True)
    # --- classification (P-1)
    cause_type = fields.Selection(CAUSE_TYPES, required=True, default="quality", tracking=True)
    cause_id = fields.Many2one(
        "aftersales.complaint.cause", domain="[('cause_type', '=', cause_type)]", tracking=True
    )
    severity = fields.Selection(SEVERITIES, required=True, default="minor", tracking=True)
    customer_demand = fields.Text()
    validity = fields.Selection(
        [("pending", "To Check"), ("valid", "Valid"), ("not_valid", "Not Valid")],
        default="pending",
        required=True,
        tracking=True,
        help="A complaint found not valid carries no penalty and leaves receivables alone.",
    )
    # --- investigation (P-3)
    investigator_id = fields.Many2one("res.users", tracking=True, domain=[("share", "=", False)])
    investigation_deadline = fields.Date(readonly=True, tracking=True, copy=False)
    investigation_report = fields.Html()
    root_cause = fields.Text()
    is_overdue = fields.Boolean(compute="_compute_is_overdue", search="_search_is_overdue")
    overdue_reported = fields.Boolean(readonly=True, copy=False)
    executive_notified = fields.Boolean(
        readonly=True, copy=False, help="A critical complaint went to the executive, once."
    )
    state = fields.Selection(
        COMPLAINT_STATES, default="draft", required=True, tracking=True, index=True, copy=False
    )
    owner_id = fields.Many2one(
        "res.users",
        compute="_compute_owner_id",
        store=True,
        help="The customer service manager owns every complaint.",
    )
    approver_id = fields.Many2one("res.users", readonly=True, copy=False)
    approval_date = fields.Datetime(readonly=True, copy=False)
    closed_date = fields.Date(readonly=True, copy=False, index=True)
    # --- reopen chain (P-5)
    parent_id = fields.Many2one(
        "aftersales.complaint", string="Reopened From", readonly=True, index="btree_not_null"
    )
    child_ids = fields.One2many("aftersales.complaint", "parent_id", string="Reopened As")
    # --- loss basis (P-4)
    currency_id = fields.Many2one(related="company_id.currency_id")
    credit_note_ids = fields.Many2many(
        "account.move",
        string="Refunds and Compensations",
        domain="[('move_type', '=', 'out_refund'), ('partner_id', 'child_of', partner_id)]",
        help="Credit notes counted in the loss; those of the linked return and case are added.",
    )
    refund_loss = fields.Monetary(compute="_compute_loss", store=True)
    replacement_cost = fields.Monetary()
    freight_cost = fields.Monetary()
    other_cost = fields.Monetary(string="Manual Costs")
    loss_amount = fields.Monetary(compute="_compute_loss", store=True, tracking=True)
    # what the vendor credited for a purchased component at fault (vendor credit notes of the
    # return, and those linked here by accounting)
    vendor_refund_ids = fields.Many2many(
        "account.move",
        "aftersales_complaint_vendor_refund_rel",
        "complaint_id",
        "move_id",
        string="Vendor Credit Notes",
        domain="[('move_type', '=', 'in_refund'), ('company_id', '=', company_id)]",
        help="Vendor credit notes recovering this loss; those of the linked return are added.",
    )
    vendor_recovered_amount = fields.Monetary(compute="_compute_net_loss", store=True, tracking=True)
    net_loss_amount = fields.Monetary(
        compute="_compute_net_loss", store=True, help="The loss minus what the vendor credited."
    )
    # --- responsibility and actions (P-4, P-8)
    responsibility_ids = fields.One2many("aftersales.complaint.responsibility", "complaint_id", copy=False)
    # S-3: what an employee is fined is for managers, not for every colleague
    penalty_total = fields.Monetary(compute="_compute_penalty_total", store=True, groups=MANAGER_GROUP)
    action_ids = fields.One2many(
        "aftersales.complaint.action", "complaint_id", string="Corrective Actions", copy=False
    )
    # P-6: the monthly review that counted the complaint (one, built after it closed)
    review_ids = fields.Many2many(
        "aftersales.complaint.review",
        "aftersales_review_complaint_rel",
        "complaint_id",
        "review_id",
        string="Monthly Reviews",
        readonly=True,
        copy=False,
        groups=MANAGER_GROUP,
    )
    # --- workflow buttons: one rule each, in Python (the views only show them)
    can_investigate = fields.Boolean(compute="_compute_can_flags")
    can_submit = fields.Boolean(compute="_compute_can_flags")
    can_approve = fields.Boolean(compute="_compute_can_flags")
    can_close = fields.Boolean(compute="_compute_can_flags")
    can_reopen = fields.Boolean(compute="_compute_can_flags")
    can_cancel = fields.Boolean(compute="_compute_can_flags")
    can_propose_penalties = fields.Boolean(compute="_compute_can_flags")

    @api.depends("state")
    @api.depends_context("uid")
    def _compute_can_flags(self):
        is_executive = self.env.user.has_group(EXECUTIVE_GROUP)
        is_manager = self.env.user.has_group(MANAGER_GROUP)
        for complaint in self:
            state = complaint.state
            complaint.can_investigate = state == "draft"
            complaint.can_submit = state == "investigating"
            complaint.can_approve = is_executive and state == "to_approve"
            complaint.can_close = state == "approved"
            complaint.can_reopen = state in LOCKED_STATES
            complaint.can_cancel = state in ("draft", "investigating", "to_approve")
            complaint.can_propose_penalties = is_manager and state in ("investigating", "to_approve")

    def _ensure_can(self, flag, message):
        """The guard of every workflow action: the same rule as the button's ``can_*`` flag."""
        ensure_can(self, flag, message)

    @api.depends("sale_order_id")
    def _compute_order_facts(self):
        for complaint in self:
            order = complaint.sale_order_id
            if not order:
                continue
            lines = order.order_line.filtered(lambda ln: not ln.display_type)
            complaint.order_specification = "\n".join(
                f"{ln.product_id.display_name}: {ln.product_uom_qty:g} {ln.product_uom.name}" for ln in lines
            )
            complaint.order_quantity = sum(lines.mapped("product_uom_qty"))
            done = order.picking_ids.filtered(
                lambda p: p.state == "done" and p.picking_type_code == "outgoing"
            )
            complaint.delivery_date = (
                complaint.company_id._aftersales_date(max(done.mapped("date_done"))) if done else False
            )

    @api.depends("company_id.aftersales_manager_id")
    def _compute_owner_id(self):
        for complaint in self:
            complaint.owner_id = complaint.company_id.aftersales_manager_id

    # the loss counts posted credit notes only, whose amounts cannot change: their state is the
    # trigger (an amount dependency would search complaints for every line of every credit note)
    @api.depends(
        "credit_note_ids.state",
        "return_id.credit_note_ids.state",
        "case_id",
        "replacement_cost",
        "freight_cost",
        "other_cost",
        "validity",
    )
    def _compute_loss(self):
        for complaint in self:
            if complaint.state in LOCKED_STATES and complaint._origin.id:
                continue  # P-4: the approved loss is kept as approved
            moves = complaint._loss_credit_notes()
            complaint.refund_loss = -sum(moves.mapped("amount_total_signed"))
            complaint.loss_amount = (
                complaint.refund_loss
                + complaint.replacement_cost
                + complaint.freight_cost
                + complaint.other_cost
            )

    @api.depends("loss_amount", "vendor_refund_ids.state", "return_id.vendor_refund_ids.state")
    def _compute_net_loss(self):
        for complaint in self:
            # sudo: vendor credit notes, for after-sales users without vendor bill rights
            complaint_sudo = complaint.sudo()
            refunds = complaint_sudo.vendor_refund_ids | complaint_sudo.return_id.vendor_refund_ids
            refunds = refunds.filtered(lambda m: m.state == "posted" and m.move_type == "in_refund")
            complaint.vendor_recovered_amount = sum(abs(m.amount_total_signed) for m in refunds)
            complaint.net_loss_amount = complaint.loss_amount - complaint.vendor_recovered_amount

    def action_claim_vendor(self):
        """Claim the complaint's loss from the vendor of the faulty component: through its return
        (the units graded "return to vendor")."""
        self.ensure_one()
        if not self.return_id:
            raise UserError(
                _(
                    "Complaint %(name)s has no return: link the vendor's credit note "
                    "under Vendor Credit Notes.",
                    name=self.name,
                )
            )
        return self.return_id.action_claim_vendor()

    def _loss_credit_notes(self):
        """Posted refunds and compensations of the complaint, its return and its case (P-4)."""
        self.ensure_one()
        moves = self.credit_note_ids | self.return_id.credit_note_ids
        if self.case_id:
            moves |= self.env["account.move"].search([("aftersales_case_id", "=", self.case_id.id)])
        return moves.filtered(lambda m: m.state == "posted" and m.move_type == "out_refund")

    @api.depends("responsibility_ids.penalty_amount")
    def _compute_penalty_total(self):
        for complaint in self:
            if complaint.state in LOCKED_STATES and complaint._origin.id:
                continue
            complaint.penalty_total = sum(complaint.responsibility_ids.mapped("penalty_amount"))

    def _compute_is_overdue(self):
        today = {}  # the day of each complaint's company
        for complaint in self:
            company = complaint.company_id
            if company not in today:
                today[company] = company._aftersales_date()
            complaint.is_overdue = (
                complaint.state == "investigating"
                and bool(complaint.investigation_deadline)
                and complaint.investigation_deadline < today[company]
            )

    def _search_is_overdue(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(_("Unsupported search on overdue complaints."))
        domain = [
            ("state", "=", "investigating"),
            *self.env["res.company"]._aftersales_date_domain("investigation_deadline", "<"),
        ]
        return domain if (operator == "=") == value else ["!", "&", *domain]

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                company = self.env["res.company"].browse(vals.get("company_id")) or self.env.company
                vals["name"] = (
                    self.env["ir.sequence"].with_company(company).next_by_code("aftersales.complaint") or "/"
                )
        complaints = super().create(vals_list)
        complaints._notify_executive_if_critical()
        for complaint in complaints.filtered("owner_id"):
            complaint.message_subscribe(partner_ids=complaint.owner_id.partner_id.ids)
        return complaints

    def write(self, vals):
        res = super().write(vals)
        if "severity" in vals:
            self._notify_executive_if_critical()
        return res

    @api.constrains("vendor_refund_ids")
    def _check_vendor_refunds(self):
        """P-4: a vendor credit reduces one complaint's loss, and is the vendor's credit of the
        complaint's company."""
        for complaint in self:
            # sudo: vendor credit notes, for after-sales users without vendor bill rights
            refunds = complaint.sudo().vendor_refund_ids
            company = complaint.company_id
            if any(m.move_type != "in_refund" or m.company_id != company for m in refunds):
                raise ValidationError(
                    _(
                        "Only vendor credit notes of %(company)s reduce a loss.",
                        company=complaint.company_id.name,
                    )
                )
            others = self.sudo().search(
                [("id", "!=", complaint.id), ("vendor_refund_ids", "in", refunds.ids)], limit=1
            )
            if others:
                raise ValidationError(
                    _(
                        "A vendor credit note reduces one complaint's loss: it is counted by "
                        "%(other)s already.",
                        other=others.name,
                    )
                )

    def _notify_executive_if_critical(self):
        """C-9: a complaint registered as critical, or raised to it later, goes to the
        executive at once, once."""
        for complaint in self.filtered(lambda c: c.severity == "critical" and not c.executive_notified):
            executive = complaint.company_id.aftersales_executive_id
            if not executive:
                continue
            complaint.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=executive.id,
                summary=_("Critical complaint %(name)s", name=complaint.name),
                note=_("A critical complaint goes to the executive at once."),
            )
            privileged(complaint).write({"executive_notified": True})

    # ------------------------------------------------------------------ workflow
    def action_start_investigation(self):
        self._ensure_can("can_investigate", _("Complaint %(names)s is already under way."))
        for complaint in self:
            if not complaint.investigator_id:
                raise UserError(_("Choose the investigator of complaint %(name)s.", name=complaint.name))
            days = complaint.company_id.aftersales_investigation_days
            deadline = complaint.company_id._aftersales_date() + relativedelta(days=days)
            privileged(complaint).write({"state": "investigating", "investigation_deadline": deadline})
            complaint.activity_schedule(
                "mail.mail_activity_data_todo",
                date_deadline=deadline,
                user_id=complaint.investigator_id.id,
                summary=_("Investigation report for %(name)s", name=complaint.name),
                note=_("Cause, responsibility and corrective action, within %(days)s days.", days=days),
            )
        return True

    def action_submit(self):
        """Investigation done: report, root cause and responsibilities go to the executive."""
        self._ensure_can("can_submit", _("Complaint %(names)s is not under investigation."))
        for complaint in self:
            if not complaint.investigation_report:
                raise UserError(_("Write the investigation report of %(name)s first.", name=complaint.name))
            if complaint.validity == "pending":
                raise UserError(_("Decide whether complaint %(name)s is valid.", name=complaint.name))
            complaint._check_shares()
            privileged(complaint).state = "to_approve"
            executive = complaint.company_id.aftersales_executive_id
            if executive:
                complaint.activity_schedule(
                    "mail.mail_activity_data_todo",
                    user_id=executive.id,
                    summary=_("Approve responsibility and penalties of %(name)s", name=complaint.name),
                )
        return True

    def _check_shares(self):
        self.ensure_one()
        if self.validity != "valid" or not self.responsibility_ids:
            return
        total = sum(self.responsibility_ids.mapped("share"))
        if float_compare(total, 100.0, precision_digits=2) != 0:
            raise ValidationError(
                _(
                    "Responsibility shares of %(name)s total %(total)s %%, not 100 %%.",
                    name=self.name,
                    total=total,
                )
            )

    def action_approve(self):
        """P-4: only the executive makes responsibility, loss and penalties take effect."""
        if not self.env.user.has_group(EXECUTIVE_GROUP):
            raise AccessError(_("Only the After-Sales executive approves complaint outcomes."))
        lock_for_action(self)
        self._ensure_can("can_approve", _("Complaint %(names)s is not waiting for approval."))
        for complaint in self:
            complaint._check_shares()
        # the loss and penalties are computed one last time, then kept as approved (P-4)
        self.flush_recordset(["loss_amount", "penalty_total"])
        self.responsibility_ids.flush_recordset(["loss_amount", "penalty_amount"])
        privileged(self).write(
            {"state": "approved", "approver_id": self.env.user.id, "approval_date": fields.Datetime.now()}
        )
        self._action_approve()
        return True

    def _action_approve(self):
        """Hook after the executive approved (the complaints are approved already)."""

    def action_close(self):
        self._ensure_can("can_close", _("Complaint %(names)s must be approved before it closes."))
        for complaint in self:
            open_actions = complaint.action_ids.filtered(lambda a: not a.done_date or not a.effect_confirmed)
            if open_actions:
                raise UserError(
                    _(
                        "Complaint %(name)s has open corrective actions: %(actions)s.",
                        name=complaint.name,
                        actions=", ".join(open_actions.mapped("name")),
                    )
                )
        privileged(self).write({"state": "closed", "closed_date": self.company_id[:1]._aftersales_date()})
        return True

    def action_cancel(self):
        self._ensure_can("can_cancel", _("Complaint %(names)s is approved, closed or cancelled: it stays."))
        privileged(self).write({"state": "cancelled"})
        return True

    def action_reopen(self):
        """P-5: the customer does not accept the outcome: a new complaint linked to this one."""
        self.ensure_one()
        self._ensure_can("can_reopen", _("Only an approved or closed complaint can be reopened (%(names)s)."))
        # a fresh loss record: no credit notes, costs, return or case links are carried over, so
        # the monthly review never counts the parent's loss twice
        child = privileged(self.env["aftersales.complaint"]).create(
            self._prepare_complaint_vals(
                partner=self.partner_id,
                sale_order=self.sale_order_id,
                company=self.company_id,
                parent_id=self.id,
                cause_type=self.cause_type,
                cause_id=self.cause_id.id,
                severity=self.severity,
                customer_demand=self.customer_demand,
                investigator_id=self.investigator_id.id,
                subject=self.subject,
            )
        )
        self.message_post(
            body=_(
                "Reopened as %(child)s: the customer did not accept the outcome.",
                child=child._get_html_link(),
            )
        )
        return form_action(child)

    @api.model
    def _prepare_complaint_vals(self, partner, sale_order=None, company=None, **extra):
        """Values of a new complaint (P-1): the one place every entry point (case, return,
        reopen, other addons) goes through."""
        company = company or (sale_order and sale_order.company_id) or self.env.company
        vals = {
            "partner_id": partner.id,
            "sale_order_id": sale_order.id if sale_order else False,
            "company_id": company.id,
            "state": "draft",
        }
        vals.update(extra)
        return vals

    def action_propose_penalties(self):
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(_("Penalties are proposed by an After-Sales manager."))
        self._ensure_can("can_propose_penalties", _("Complaint %(names)s is not being investigated."))
        self.responsibility_ids._propose_penalty()
        return True

    @api.model
    def _cron_report_overdue(self, batch_size=1000):
        """P-2: customer service reports overdue investigations to the manager, once (a bounded
        batch per call; ``overdue_reported`` is the resume point)."""
        domain = [("is_overdue", "=", True), ("overdue_reported", "=", False)]
        overdue = self.search(domain, limit=batch_size, order="id")
        for complaint in overdue:
            with isolated(self.env, f"Reporting the overdue complaint {complaint.name}"):
                manager = complaint.owner_id or complaint.company_id.aftersales_manager_id
                if manager:
                    complaint.activity_schedule(
                        "mail.mail_activity_data_todo",
                        user_id=manager.id,
                        summary=_("Investigation of %(name)s is overdue", name=complaint.name),
                    )
                privileged(complaint).write({"overdue_reported": True})
        remaining = self.search_count(domain) if len(overdue) == batch_size else 0
        self.env["ir.cron"]._notify_progress(done=len(overdue), remaining=remaining)
        return len(overdue)


class AftersalesComplaintAction(models.Model):
    """P-8: a corrective action, tracked to completion and its effect confirmed.

    Kept once the complaint left draft (no deletion), read-only once the complaint is closed or
    cancelled; its effect is confirmed by the complaint's owner or a manager, never by the
    action's own responsible; overdue actions remind their responsible once per deadline."""

    _name = "aftersales.complaint.action"
    _description = "Corrective Action"
    _inherit = ["aftersales.lock.mixin"]

    # who may change what, in which state (aftersales.lock.mixin)
    _aftersales_locks = {
        "effect_confirmed": SYSTEM,
        "overdue_reminded": SYSTEM,
        # an action stays with its complaint (the complaint's closing counts it)
        "complaint_id": Frozen(ALWAYS, reason=_lt("a corrective action stays with its complaint")),
        **dict.fromkeys(
            ("name", "deadline", "done_date"),
            Frozen(
                ACTION_LOCKED_STATES,
                via="complaint_id",
                reason=_lt("the complaint is closed or cancelled: its corrective actions are read-only"),
            ),
        ),
        # who did the work is kept once it is done: its effect is confirmed by someone else
        "owner_id": Frozen(
            lambda action: action.done_date or action.complaint_id.state in ACTION_LOCKED_STATES,
            reason=_lt("the work is done: who did it is kept, and someone else confirms its effect"),
            example={"done_date": "2026-01-05"},
        ),
    }
    _aftersales_lock_log_on = "complaint_id"
    _aftersales_unlink_lock = Frozen(
        ("investigating", "to_approve", "approved", "closed", "cancelled"),
        via="complaint_id",
        reason=_lt("corrective actions are kept on record once the investigation started: mark them done"),
    )

    complaint_id = fields.Many2one("aftersales.complaint", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="complaint_id.company_id", store=True)
    name = fields.Char(string="Description", required=True)
    owner_id = fields.Many2one("res.users", string="Responsible")
    deadline = fields.Date()
    done_date = fields.Date()
    effect_confirmed = fields.Boolean(readonly=True, copy=False)
    overdue_reminded = fields.Boolean(
        readonly=True, copy=False, help="The responsible was reminded of this deadline already."
    )
    can_confirm_effect = fields.Boolean(compute="_compute_can_confirm_effect")

    @api.depends("done_date", "effect_confirmed", "owner_id", "complaint_id.state", "complaint_id.owner_id")
    @api.depends_context("uid")
    def _compute_can_confirm_effect(self):
        user = self.env.user
        is_manager = user.has_group(MANAGER_GROUP)
        for action in self:
            action.can_confirm_effect = (
                bool(action.done_date)
                and not action.effect_confirmed
                and action.complaint_id.state not in ACTION_LOCKED_STATES
                and action.owner_id != user
                and (is_manager or action.complaint_id.owner_id == user)
            )

    def write(self, vals):
        res = super().write(vals)
        if "deadline" in vals:
            # a new deadline is reminded again when missed
            privileged(self.filtered("overdue_reminded")).write({"overdue_reminded": False})
        return res

    def _check_complaint_open(self):
        locked = self.complaint_id.filtered(lambda c: c.state in ACTION_LOCKED_STATES)
        if locked:
            raise UserError(
                _(
                    "Complaint %(names)s is closed or cancelled: its corrective actions are read-only.",
                    names=", ".join(locked.mapped("name")),
                )
            )

    def action_confirm_effect(self):
        """The complaint's owner (or an After-Sales manager) confirms that a done action had its
        effect; the action's responsible never confirms their own work."""
        user = self.env.user
        is_manager = user.has_group(MANAGER_GROUP)
        own = self.filtered(lambda a: a.owner_id == user)
        if own:
            raise AccessError(
                _(
                    "The responsible of a corrective action cannot confirm its effect (%(names)s): "
                    "the complaint's owner or an After-Sales manager does.",
                    names=", ".join(own.mapped("name")),
                )
            )
        if not is_manager and self.complaint_id.filtered(lambda c: c.owner_id != user):
            raise AccessError(
                _("Only the complaint's owner or an After-Sales manager confirms the effect of its actions.")
            )
        self._check_complaint_open()
        not_done = self.filtered(lambda a: not a.done_date)
        if not_done:
            raise UserError(
                _(
                    "Corrective action %(names)s is not done yet: its effect cannot be confirmed.",
                    names=", ".join(not_done.mapped("name")),
                )
            )
        privileged(self).write({"effect_confirmed": True})
        return True

    @api.model
    def _overdue_domain(self, companies):
        """Actions past their deadline (each company's own day), not done, not reminded yet."""
        by_company = [
            ["&", ("company_id", "=", company.id), ("deadline", "<", company._aftersales_date())]
            for company in companies
        ]
        if not by_company:
            return [("id", "=", 0)]
        return [
            *(["|"] * (len(by_company) - 1)),
            *[term for terms in by_company for term in terms],
            ("done_date", "=", False),
            ("overdue_reminded", "=", False),
            ("owner_id", "!=", False),
            ("complaint_id.state", "not in", ACTION_LOCKED_STATES),
        ]

    @api.model
    def _cron_remind_overdue(self, batch_size=500):
        """Remind the responsible of each overdue action once (an activity on the complaint),
        a bounded batch per call; ``overdue_reminded`` is the resume point."""
        domain = self._overdue_domain(self.env["res.company"].search([]))
        actions = self.search(domain, limit=batch_size, order="deadline, id")
        model_id = self.env["ir.model"]._get_id("aftersales.complaint")
        todo = self.env.ref("mail.mail_activity_data_todo")
        activity_vals = [
            {
                "res_model_id": model_id,
                "res_id": action.complaint_id.id,
                "activity_type_id": todo.id,
                "user_id": action.owner_id.id,
                "summary": self.env._(
                    "Corrective action overdue: %(action)s (%(name)s)",
                    action=action.name,
                    name=action.complaint_id.name,
                ),
                "date_deadline": action.company_id._aftersales_date(),
            }
            for action in actions
        ]
        # sudo: the cron plans activities for other users
        self.env["mail.activity"].sudo().with_context(mail_activity_quick_update=True).create(activity_vals)
        privileged(actions).write({"overdue_reminded": True})
        remaining = self.search_count(domain) if len(actions) == batch_size else 0
        self.env["ir.cron"]._notify_progress(done=len(actions), remaining=remaining)
        return len(actions)


class AftersalesComplaintResponsibility(models.Model):
    """P-4: who carries the complaint: a department and/or an employee, a share of the loss and
    a penalty proposed from the company's penalty rules."""

    _name = "aftersales.complaint.responsibility"
    _description = "Complaint Responsibility"
    _inherit = ["aftersales.lock.mixin", "aftersales.number.guard"]

    # who may change what, in which state (aftersales.lock.mixin)
    _aftersales_locks = {
        "loss_amount": SYSTEM,
        "complaint_id": Frozen(ALWAYS, reason=_lt("a responsibility stays with its complaint")),
        **dict.fromkeys(
            ("department_id", "employee_id", "share", "penalty_kind", "penalty_amount"),
            Frozen(
                LOCKED_STATES,
                via="complaint_id",
                reason=_lt("the executive approved the responsibilities and penalties"),
            ),
        ),
    }
    _aftersales_lock_log_on = "complaint_id"
    _aftersales_unlink_lock = Frozen(
        LOCKED_STATES, via="complaint_id", reason=_lt("approved responsibilities are kept on record")
    )
    _aftersales_number_limits = {"share": 100}
    _check_company_auto = True

    complaint_id = fields.Many2one("aftersales.complaint", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="complaint_id.company_id", store=True)
    currency_id = fields.Many2one(related="complaint_id.currency_id")
    department_id = fields.Many2one("hr.department", check_company=True)
    employee_id = fields.Many2one("hr.employee", check_company=True)
    share = fields.Float(string="Share (%)", default=100.0)
    loss_amount = fields.Monetary(compute="_compute_loss_amount", store=True)
    penalty_kind = fields.Selection(
        PENALTY_KINDS, compute="_compute_penalty", store=True, readonly=False, groups=MANAGER_GROUP
    )
    penalty_amount = fields.Monetary(
        compute="_compute_penalty", store=True, readonly=False, groups=MANAGER_GROUP
    )
    closed_date = fields.Date(related="complaint_id.closed_date", store=True)

    @api.depends("share", "complaint_id.loss_amount")
    def _compute_loss_amount(self):
        for resp in self:
            if resp.complaint_id.state in LOCKED_STATES and resp._origin.id:
                continue  # P-4: kept as approved
            resp.loss_amount = resp.complaint_id.loss_amount * resp.share / 100.0

    @api.depends(
        "loss_amount",
        "complaint_id.cause_type",
        "complaint_id.cause_id",
        "complaint_id.severity",
        "complaint_id.validity",
    )
    def _compute_penalty(self):
        for resp in self:
            if resp.complaint_id.state in LOCKED_STATES and resp._origin.id:
                continue  # P-4: kept as approved
            resp._propose_penalty()

    def _propose_penalty(self):
        for resp in self:
            complaint = resp.complaint_id
            if complaint.validity == "not_valid":
                resp.penalty_kind, resp.penalty_amount = False, 0.0
                continue
            rule = self.env["aftersales.penalty.rule"]._match(complaint)
            if rule:
                resp.penalty_kind = rule.penalty_kind
                resp.penalty_amount = rule._amount(resp.loss_amount)

    @api.constrains("share", "penalty_amount")
    def _check_amounts(self):
        for resp in self:
            if resp.share <= 0 or resp.share > 100:
                raise ValidationError(_("A responsibility share is between 0 and 100 %%."))
            if resp.penalty_amount < 0:
                raise ValidationError(_("Penalties cannot be negative."))
            if not resp.department_id and not resp.employee_id:
                raise ValidationError(_("A responsibility names a department or an employee."))
