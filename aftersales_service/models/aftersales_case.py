import logging
from datetime import timedelta

from odoo import Command, _, api, fields, models
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.tools import SQL, email_normalize, email_split

from .tools import check_protected_write, form_action, is_privileged, privileged

CASE_STATES = [
    ("new", "New"),
    ("assigned", "Assigned"),
    ("in_progress", "In Progress"),
    ("waiting_customer", "Waiting Customer"),
    ("resolved", "Resolved"),
    ("closed", "Closed"),
    ("cancelled", "Cancelled"),
]
OPEN_STATES = ("new", "assigned", "in_progress", "waiting_customer")
CASE_CHANNELS = [
    ("phone", "Phone"),
    ("email", "Email"),
    ("web", "Web Form"),
    ("portal", "Portal"),
    ("visit", "Visit"),
    ("sms", "SMS"),
]
CASE_CATEGORIES = [
    ("quality", "Product Quality"),
    ("technical", "Technical Support"),
    ("complaint", "Complaint"),
    ("non_quality", "Non-Quality Problem"),
    ("return_exchange", "Return / Exchange"),
    ("consultation", "Consultation"),
]
CASE_PRIORITIES = [("0", "Normal"), ("1", "High"), ("2", "Urgent")]
SERVICE_TYPES = [
    ("paid", "Paid (A)"),
    ("contract", "Contract (B)"),
    ("free", "Free (C)"),
    ("internal", "Internal (D)"),
]
RESOLUTIONS = [
    ("advice", "Advice"),
    ("repair", "Repair"),
    ("replacement", "Replacement"),
    ("refund", "Refund"),
    ("exchange", "Exchange"),
    ("discount", "Discount"),
    ("no_action", "No Action"),
]
# Set by the workflow, the timers and the escalation only: a direct write is refused.
CASE_PROTECTED_FIELDS = (
    "state",
    "resolved_date",
    "closed_date",
    "escalation_level",
    "escalated_deadline",
    "first_response_date",
    "last_reply_date",
    "invoice_ids",
    "date_registered",
)
INTERNAL = "aftersales_service.group_aftersales_user"
_logger = logging.getLogger(__name__)
SLA_STATUSES = [("on_track", "On Track"), ("at_risk", "At Risk"), ("breached", "Breached"), ("met", "Met")]


class AftersalesCase(models.Model):
    """A customer request of any kind (C-1): registered, acknowledged (C-2), classified (C-3),
    routed (C-4), answered on time (C-6, C-7), escalated when late (C-9), kept on record (C-8)."""

    _name = "aftersales.case"
    _description = "Service Case"
    _inherit = ["portal.mixin", "mail.thread.cc", "mail.activity.mixin"]
    _order = "priority desc, id desc"
    _check_company_auto = True
    _mail_post_access = "read"

    name = fields.Char(string="Reference", required=True, readonly=True, copy=False, default="/")
    subject = fields.Char(required=True, tracking=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    # --- customer and contact (C-1)
    partner_id = fields.Many2one(
        "res.partner", string="Customer", index=True, tracking=True, check_company=True
    )
    commercial_partner_id = fields.Many2one(
        related="partner_id.commercial_partner_id", store=True, index=True, string="Customer Company"
    )
    email_from = fields.Char(
        string="Email", compute="_compute_contact", store=True, readonly=False, precompute=True
    )
    phone = fields.Char(compute="_compute_contact", store=True, readonly=False, precompute=True)
    channel = fields.Selection(CASE_CHANNELS, required=True, default="phone", tracking=True)
    date_registered = fields.Datetime(
        string="Registered On", required=True, readonly=True, copy=False, default=fields.Datetime.now
    )
    callback_datetime = fields.Datetime(string="Promised Call-back", tracking=True, help="C-10")
    # --- classification (C-3)
    category = fields.Selection(CASE_CATEGORIES, required=True, default="technical", tracking=True)
    tag_ids = fields.Many2many("aftersales.case.tag", string="Tags", groups=INTERNAL)
    priority = fields.Selection(CASE_PRIORITIES, default="0", required=True, tracking=True)
    # --- routing (C-4)
    team_id = fields.Many2one(
        "aftersales.team",
        compute="_compute_team_id",
        store=True,
        readonly=False,
        precompute=True,
        index=True,
        tracking=True,
        check_company=True,
    )
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        index=True,
        tracking=True,
        check_company=True,
        domain=[("share", "=", False)],
    )
    # --- what it is about
    sale_order_id = fields.Many2one("sale.order", index="btree_not_null", check_company=True)
    sale_line_id = fields.Many2one("sale.order.line", string="Order Line", check_company=True)
    product_id = fields.Many2one(
        "product.product",
        compute="_compute_product_id",
        store=True,
        readonly=False,
        precompute=True,
        check_company=True,
    )
    lot_id = fields.Many2one("stock.lot", string="Serial/Lot", check_company=True)
    purchase_date = fields.Date(compute="_compute_purchase_date", store=True, readonly=False, precompute=True)
    warranty_id = fields.Many2one(
        "aftersales.warranty",
        compute="_compute_warranty_id",
        store=True,
        readonly=False,
        precompute=True,
        check_company=True,
        help="Found with the warranty lookup of the product (serial) sold to the customer.",
    )
    warranty_state = fields.Selection(
        [("in", "In Warranty"), ("out", "Out of Warranty"), ("none", "No Warranty")],
        compute="_compute_warranty_state",
        store=True,
        precompute=True,
    )
    service_type = fields.Selection(
        SERVICE_TYPES,
        compute="_compute_service_type",
        store=True,
        readonly=False,
        precompute=True,
        tracking=True,
        help="C-5: in warranty and advice are free, out of warranty repairs are paid; editable.",
    )
    # --- handling and result (C-8)
    description = fields.Html()
    state = fields.Selection(CASE_STATES, default="new", required=True, index=True, tracking=True, copy=False)
    resolution = fields.Selection(RESOLUTIONS, tracking=True)
    # internal fields carry groups=: portal customers read their cases, not the staff's notes (S-3)
    resolution_note = fields.Html(string="Resolution Notes", groups=INTERNAL)
    time_spent = fields.Float(help="Hours spent on the case.", groups=INTERNAL)
    part_ids = fields.One2many("aftersales.case.part", "case_id", string="Parts Used", groups=INTERNAL)
    repair_ids = fields.One2many("repair.order", "aftersales_case_id", string="Repairs")
    repair_count = fields.Integer(compute="_compute_counts")
    return_ids = fields.One2many("aftersales.return", "case_id", string="Returns")
    return_count = fields.Integer(compute="_compute_counts")
    invoice_ids = fields.Many2many(
        "account.move", string="Invoices", copy=False, readonly=True, groups=INTERNAL
    )
    invoice_count = fields.Integer(compute="_compute_counts", groups=INTERNAL)
    can_invoice = fields.Boolean(compute="_compute_can_invoice", groups=INTERNAL)
    # --- workflow buttons: one rule each, in Python (the views only show them)
    can_start = fields.Boolean(compute="_compute_can_flags")
    can_wait = fields.Boolean(compute="_compute_can_flags")
    can_resolve = fields.Boolean(compute="_compute_can_flags")
    can_close = fields.Boolean(compute="_compute_can_flags")
    can_cancel = fields.Boolean(compute="_compute_can_flags")
    can_reopen = fields.Boolean(compute="_compute_can_flags")
    resolved_date = fields.Datetime(readonly=True, copy=False)
    closed_date = fields.Datetime(readonly=True, copy=False)
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
    sla_status = fields.Selection(SLA_STATUSES, compute="_compute_sla_status", search="_search_sla_status")
    sla_met = fields.Float(
        string="SLA Met (%)",
        compute="_compute_sla_met",
        store=True,
        aggregator="avg",
        help="100 when a resolved case met its first-response and resolution deadlines, else 0 (S-2).",
    )
    # --- escalation (C-9)
    escalation_level = fields.Integer(
        readonly=True, copy=False, help="1 team leader, 2 manager, 3 executive.", groups=INTERNAL
    )
    escalated_deadline = fields.Datetime(
        readonly=True, copy=False, help="The deadline whose breach was escalated.", groups=INTERNAL
    )

    _sql_constraints = [
        ("name_company_uniq", "unique(name, company_id)", "A case reference is unique per company."),
    ]

    # ------------------------------------------------------------------ computes
    @api.depends("partner_id")
    def _compute_contact(self):
        for case in self:
            if case.partner_id:
                case.email_from = case.partner_id.email or case.email_from
                case.phone = case.partner_id.phone or case.partner_id.mobile or case.phone

    @api.depends("category", "company_id")
    def _compute_team_id(self):
        for case in self:
            if not case.team_id or case.team_id.company_id != case.company_id:
                case.team_id = self.env["aftersales.team"]._get_default_team(case.category, case.company_id)

    @api.depends("sale_line_id")
    def _compute_product_id(self):
        for case in self:
            if case.sale_line_id:
                case.product_id = case.sale_line_id.product_id

    @api.depends("sale_order_id")
    def _compute_purchase_date(self):
        for case in self:
            if case.sale_order_id:
                case.purchase_date = case.sale_order_id.date_order.date()

    @api.depends("partner_id", "product_id", "lot_id")
    def _compute_warranty_id(self):
        Warranty = self.env["aftersales.warranty"]
        for case in self:
            if case.partner_id and case.product_id:
                case.warranty_id = Warranty.find_covering_warranty(
                    case.partner_id, case.product_id, lot=case.lot_id or None
                ) or Warranty._find_last_warranty(case.partner_id, case.product_id, lot=case.lot_id or None)
            else:
                case.warranty_id = False

    @api.depends("warranty_id", "warranty_id.state", "warranty_id.end_date")
    def _compute_warranty_state(self):
        for case in self:
            if not case.warranty_id:
                case.warranty_state = "none"
            else:
                case.warranty_state = "in" if case.warranty_id._is_covering() else "out"

    @api.depends("category", "warranty_state")
    def _compute_service_type(self):
        for case in self:
            if case.category in ("consultation", "complaint", "non_quality", "return_exchange"):
                case.service_type = "free"
            elif case.warranty_state == "in":
                case.service_type = "free"
            elif case.warranty_state == "out":
                case.service_type = "paid"
            else:
                case.service_type = case.service_type or "free"

    @api.depends("state", "resolution")
    def _compute_can_flags(self):
        for case in self:
            state = case.state
            case.can_start = state in ("new", "assigned", "waiting_customer")
            case.can_wait = state in ("assigned", "in_progress")
            case.can_resolve = state in OPEN_STATES
            case.can_close = state == "resolved"
            case.can_cancel = state in OPEN_STATES or state == "resolved"
            case.can_reopen = state in ("resolved", "cancelled")

    def _ensure_can(self, flag, message):
        """The guard of every workflow action: the same rule as the button's ``can_*`` flag."""
        refused = self.filtered(lambda c: not c[flag])
        if refused:
            raise UserError(message % {"names": ", ".join(refused.mapped("name"))})

    def _compute_counts(self):
        for case in self:
            case.repair_count = len(case.repair_ids)
            case.return_count = len(case.return_ids)
            case.invoice_count = len(case.invoice_ids)

    @api.depends("service_type", "state", "invoice_ids.state")
    def _compute_can_invoice(self):
        for case in self:
            case.can_invoice = (
                case.service_type == "paid"
                and case.state not in ("new", "cancelled")
                and not case.invoice_ids.filtered(lambda m: m.state != "cancel")
            )

    @api.depends(
        "first_response_deadline", "first_response_date", "reply_deadline", "resolution_deadline", "state"
    )
    def _compute_sla_deadline(self):
        for case in self:
            case.sla_deadline = min(case._running_deadlines(), default=False)

    @api.depends(
        "state", "resolved_date", "first_response_date", "first_response_deadline", "resolution_deadline"
    )
    def _compute_sla_met(self):
        for case in self:
            if case.state not in ("resolved", "closed"):
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
        if self.state not in OPEN_STATES:
            return []
        deadlines = [self.reply_deadline, self.resolution_deadline]
        if not self.first_response_date:
            deadlines.append(self.first_response_deadline)
        return [d for d in deadlines if d]

    def _timer_status(self, start, deadline, done, now):
        if done:
            return "met" if not deadline or done <= deadline else "breached"
        if not deadline:
            return False
        if now > deadline:
            return "breached"
        ratio = self.sla_policy_id.at_risk_ratio
        if start and (now - start) >= (deadline - start) * ratio:
            return "at_risk"
        return "on_track"

    @api.depends_context("uid")
    def _compute_sla_status(self):
        now = fields.Datetime.now()
        order = ["breached", "at_risk", "on_track", "met"]
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
            closed = case.resolved_date if case.state in ("resolved", "closed") else False
            case.resolution_status = case._timer_status(start, case.resolution_deadline, closed, now)
            statuses = [
                s for s in (case.first_response_status, case.reply_status, case.resolution_status) if s
            ]
            case.sla_status = min(statuses, key=order.index) if statuses else False

    def _search_sla_status(self, operator, value):
        if operator not in ("=", "!=") or value not in ("breached",):
            raise UserError(_("Only searching breached cases is supported."))
        domain = [("state", "in", OPEN_STATES), ("sla_deadline", "<", fields.Datetime.now())]
        return domain if operator == "=" else ["!", *domain]

    # ------------------------------------------------------------------ constraints
    @api.constrains("partner_id", "sale_order_id", "sale_line_id", "lot_id", "product_id")
    def _check_sale_links(self):
        for case in self:
            customer = case.partner_id.commercial_partner_id
            order = case.sale_order_id
            if order and customer and order.partner_id.commercial_partner_id != customer:
                raise ValidationError(
                    _(
                        "Order %(order)s belongs to %(owner)s, not to %(customer)s.",
                        order=order.name,
                        owner=order.partner_id.commercial_partner_id.display_name,
                        customer=customer.display_name,
                    )
                )
            if case.sale_line_id and case.sale_line_id.order_id != order:
                raise ValidationError(
                    _(
                        "Order line %(line)s is not a line of order %(order)s.",
                        line=case.sale_line_id.display_name,
                        order=order.name or "-",
                    )
                )
            if case.lot_id:
                if case.product_id and case.lot_id.product_id != case.product_id:
                    raise ValidationError(
                        _(
                            "Serial %(lot)s is not a serial of %(product)s.",
                            lot=case.lot_id.name,
                            product=case.product_id.display_name,
                        )
                    )
                if customer and not case._lot_sold_to(customer):
                    raise ValidationError(
                        _(
                            "Serial %(lot)s was not sold to %(customer)s.",
                            lot=case.lot_id.name,
                            customer=customer.display_name,
                        )
                    )

    def _lot_sold_to(self, customer):
        """True when a done customer delivery of this serial went to ``customer``."""
        # sudo: stock move lines are read only to check the serial's customer, nothing is returned
        return bool(
            self.env["stock.move.line"]
            .sudo()
            .search_count(
                [
                    ("lot_id", "=", self.lot_id.id),
                    ("state", "=", "done"),
                    ("location_dest_id.usage", "=", "customer"),
                    ("move_id.partner_id.commercial_partner_id", "=", customer.id),
                ],
                limit=1,
            )
            or self.env["stock.move.line"]
            .sudo()
            .search_count(
                [
                    ("lot_id", "=", self.lot_id.id),
                    ("state", "=", "done"),
                    ("location_dest_id.usage", "=", "customer"),
                    ("picking_id.partner_id.commercial_partner_id", "=", customer.id),
                ],
                limit=1,
            )
        )

    @api.constrains("partner_id", "email_from")
    def _check_contact(self):
        for case in self:
            if not case.partner_id and not case.email_from:
                raise ValidationError(_("A case needs a customer or at least an email address to answer."))

    # ------------------------------------------------------------------ CRUD
    @api.model_create_multi
    def create(self, vals_list):
        privileged_create = is_privileged(self)
        for vals in vals_list:
            if not privileged_create:
                # a case starts at the start: the workflow and timers set the rest (C-8, S-1)
                for key in CASE_PROTECTED_FIELDS:
                    vals.pop(key, None)
            if vals.get("name", "/") == "/":
                company = self.env["res.company"].browse(vals.get("company_id")) or self.env.company
                vals["name"] = (
                    self.env["ir.sequence"].with_company(company).next_by_code("aftersales.case") or "/"
                )
            if vals.get("user_id") and vals.get("state", "new") == "new":
                vals["state"] = "assigned"
        cases = super().create(vals_list)
        cases._apply_sla(restart_reply=False)
        for case in cases:
            if case.partner_id:
                case.message_subscribe(partner_ids=case.partner_id.ids)
        cases._send_acknowledgement()
        cases._escalate_urgent_complaints()
        return cases

    def write(self, vals):
        check_protected_write(self, vals, CASE_PROTECTED_FIELDS, _("a service case"))
        if "user_id" in vals and vals["user_id"]:
            to_assign = self.filtered(lambda c: c.state == "new")
        else:
            to_assign = self.browse()
        if not self.env.su and not self.env.user.has_group("aftersales_service.group_aftersales_manager"):
            closed = self.filtered(lambda c: c.state == "closed")
            if closed and set(vals) - {"active", "message_main_attachment_id"}:
                raise UserError(
                    _(
                        "Case %(names)s is closed: it is kept on record as it is (C-8).",
                        names=", ".join(closed.mapped("name")),
                    )
                )
        res = super().write(vals)
        if to_assign:
            privileged(to_assign).write({"state": "assigned"})
        if {"category", "priority", "team_id"} & set(vals):
            self._apply_sla(restart_reply=False)
        return res

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(_("Cases are kept on record (C-8): archive them instead of deleting them."))

    # ------------------------------------------------------------------ SLA
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
            case.write(vals)

    def _is_staff_author(self, message):
        author_user = message.author_id.user_ids[:1]
        return bool(author_user) and not author_user.share

    def _message_post_after_hook(self, message, msg_values):
        """C-6: a staff message to the customer meets the first response and answers the pending
        reply; a customer message restarts the reply timer."""
        res = super()._message_post_after_hook(message, msg_values)
        if message.message_type not in ("comment", "email") or message.subtype_id != self.env.ref(
            "mail.mt_comment"
        ):
            return res
        now = fields.Datetime.now()
        for case in self:
            if case.state not in OPEN_STATES:
                continue
            if case._is_staff_author(message):
                vals = {"reply_deadline": False, "last_reply_date": now}
                if not case.first_response_date:
                    vals["first_response_date"] = now
                super(AftersalesCase, case.sudo()).write(vals)  # sudo: timers are system fields
            elif (
                case.partner_id
                and message.author_id.commercial_partner_id == case.commercial_partner_id
                or (
                    not case.partner_id
                    and email_normalize(message.email_from or "") == email_normalize(case.email_from or "")
                )
            ):
                # sudo: working calendars are read on behalf of the customer who wrote
                policy = case.sla_policy_id.sudo()
                deadline = (
                    policy._add_hours(now, policy.reply_hours, case.team_id.sudo()) if policy else False
                )
                # sudo: a customer posting from the portal restarts the reply timer of their case
                super(AftersalesCase, case.sudo()).write({"reply_deadline": deadline, "last_reply_date": now})
        return res

    # ------------------------------------------------------------------ mail
    @api.model
    def message_new(self, msg_dict, custom_values=None):
        """C-1: an email to a team's alias becomes a case; the sender is matched to a customer."""
        values = dict(custom_values or {})
        email = (email_split(msg_dict.get("email_from") or "") or [""])[0]
        partner = self.env["res.partner"].browse()
        if email:
            partner = self.env["res.partner"].search(
                [("email_normalized", "=", email_normalize(email))], limit=1
            )
        values.setdefault("subject", msg_dict.get("subject") or _("No subject"))
        values.setdefault("description", msg_dict.get("body"))
        values.setdefault("channel", "email")
        values["email_from"] = email or msg_dict.get("email_from")
        values.setdefault("name", "/")  # the reference comes from the sequence, not the subject
        if partner:
            values["partner_id"] = partner.id
        return super().message_new(msg_dict, custom_values=values)

    def _message_get_suggested_recipients(self):
        recipients = super()._message_get_suggested_recipients()
        for case in self:
            if case.partner_id:
                case._message_add_suggested_recipient(
                    recipients, partner=case.partner_id, reason=_("Customer")
                )
            elif case.email_from:
                case._message_add_suggested_recipient(
                    recipients, email=case.email_from, reason=_("Customer Email")
                )
        return recipients

    def _send_acknowledgement(self):
        """C-2: the customer gets the case reference (Settings can turn it off)."""
        template = self.env.ref(
            "aftersales_service.mail_template_case_acknowledgement", raise_if_not_found=False
        )
        for case in self:
            if (
                template
                and case.company_id.aftersales_case_ack
                and (case.partner_id.email or case.email_from)
            ):
                case.with_context(mail_post_autofollow=False).message_post_with_source(
                    template, subtype_xmlid="mail.mt_note" if not case.partner_id else "mail.mt_comment"
                )

    def _get_customer_information(self):
        email_keys_to_values = super()._get_customer_information()
        for case in self:
            if not case.partner_id and case.email_from:
                email_keys_to_values.setdefault(email_normalize(case.email_from), {})
        return email_keys_to_values

    def _compute_access_url(self):  # pylint: disable=missing-return
        super()._compute_access_url()
        for case in self:
            case.access_url = f"/my/cases/{case.id}"

    # ------------------------------------------------------------------ actions
    def action_assign_to_me(self):
        self.write({"user_id": self.env.user.id})

    def action_start(self):
        self._ensure_can("can_start", _("Case %(names)s cannot be started from its state."))
        privileged(self).write({"state": "in_progress"})
        return True

    def action_wait_customer(self):
        self._ensure_can("can_wait", _("Case %(names)s is not being worked on."))
        privileged(self).write({"state": "waiting_customer"})
        return True

    def action_resolve(self):
        self._ensure_can("can_resolve", _("Case %(names)s is not open."))
        for case in self:
            if not case.resolution:
                raise UserError(_("Set the resolution of case %(name)s before resolving it.", name=case.name))
        privileged(self).write({"state": "resolved", "resolved_date": fields.Datetime.now()})
        self._action_resolve()
        return True

    def _action_resolve(self):
        """Hook after cases were resolved (the cases are resolved already)."""
        self._on_resolved()

    def _on_resolved(self):
        """Resolving a case asks the customer to rate the service (S-1, V-5)."""
        Rating = self.env["aftersales.rating"]
        for case in self.filtered(lambda c: c.partner_id and c.user_id):
            rating = Rating.sudo().create(  # sudo: the rating request is a system record
                {
                    "partner_id": case.partner_id.id,
                    "rated_user_id": case.user_id.id,
                    "case_id": case.id,
                    "company_id": case.company_id.id,
                }
            )
            case.message_post(
                body=_(
                    "How did we do? Please rate our service: <a href='%(url)s'>%(url)s</a>",
                    url=rating._get_public_url(),
                ),
                partner_ids=case.partner_id.ids,
                subtype_xmlid="mail.mt_comment",
                message_type="comment",
            )

    def action_close(self):
        """S-1: a case closes once resolved (the resolution asked the customer for a rating)."""
        self._ensure_can("can_close", _("Case %(names)s must be resolved before it closes."))
        privileged(self).write({"state": "closed", "closed_date": fields.Datetime.now()})
        self._action_close()
        return True

    def _action_close(self):
        """Hook after cases were closed."""

    def action_cancel(self):
        self._ensure_can("can_cancel", _("Case %(names)s is closed or cancelled already."))
        privileged(self).write({"state": "cancelled"})
        return True

    def action_reopen(self):
        self._ensure_can("can_reopen", _("Case %(names)s is neither resolved nor cancelled."))
        privileged(self).write({"state": "in_progress", "resolved_date": False})
        return True

    def action_create_repair(self):
        self.ensure_one()
        if not self.product_id:
            raise UserError(_("Set the product of case %(name)s before creating a repair.", name=self.name))
        if not self.partner_id:
            raise UserError(_("Set the customer of case %(name)s before creating a repair.", name=self.name))
        repair = self.env["aftersales.warranty"]._create_repair_order(
            self.partner_id,
            self.product_id,
            lot=self.lot_id or None,
            warranty=self.warranty_id or None,
            aftersales_case_id=self.id,
            internal_notes=self.subject,
        )
        return form_action(repair)

    def action_view_repairs(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("repair.action_repair_order_tree")
        action["domain"] = [("aftersales_case_id", "=", self.id)]
        action["context"] = {"create": False}
        return action

    def action_create_return(self):
        """R-3: a return started from the case, for its order."""
        self.ensure_one()
        if not self.sale_order_id:
            raise UserError(
                _("Set the sale order of case %(name)s before creating a return.", name=self.name)
            )
        if self.sale_order_id.state != "sale":
            raise UserError(_("Only a confirmed order can be returned."))
        Return = self.env["aftersales.return"]
        ret = Return.create(
            Return._prepare_return_vals(
                self.sale_order_id,
                products=self.product_id or None,
                case_id=self.id,
                return_type="quality" if self.category == "quality" else "no_reason",
                description=self.subject,
            )
        )
        return form_action(ret)

    def action_create_complaint(self):
        """P-1: a complaint case opens a complaint form with the case's facts."""
        self.ensure_one()
        if not self.partner_id:
            raise UserError(_("Set the customer of case %(name)s first.", name=self.name))
        Complaint = self.env["aftersales.complaint"]
        complaint = Complaint.create(
            Complaint._prepare_complaint_vals(
                self.partner_id,
                sale_order=self.sale_order_id,
                company=self.company_id,
                case_id=self.id,
                cause_type="non_quality" if self.category == "non_quality" else "quality",
                customer_demand=self.subject,
            )
        )
        return form_action(complaint)

    def _get_part_price(self, product):
        """Unit price of a part (or of the labour product) on a paid case: the warranty rules
        (W-3 free in warranty, W-4 after expiry per the policy's mode) when the case has a
        warranty, else the list price. A policy that repairs after expiry outside its terms
        ("none") leaves the case priced normally: it is then a plain paid service."""
        self.ensure_one()
        policy = self.warranty_id.policy_id
        if policy and not (self.warranty_state == "out" and policy.after_expiry_mode == "none"):
            return policy._get_repair_part_price(product, self.warranty_state == "in")
        return product.lst_price

    def _prepare_invoice_vals(self):
        self.ensure_one()
        service_product = self.company_id.aftersales_case_service_product_id
        lines = []
        if self.time_spent:
            if not service_product:
                raise UserError(_("Choose the paid-service product in the After-Sales settings first."))
            labour_price = self._get_part_price(service_product)
            # W-4: "parts at cost, no service fee" after expiry: no labour line at all
            if not service_product.currency_id.is_zero(labour_price):
                lines.append(
                    Command.create(
                        {
                            "product_id": service_product.id,
                            "quantity": self.time_spent,
                            "price_unit": labour_price,
                        }
                    )
                )
        for part in self.part_ids:
            lines.append(
                Command.create(
                    {
                        "product_id": part.product_id.id,
                        "quantity": part.quantity,
                        "price_unit": self._get_part_price(part.product_id),
                    }
                )
            )
        if not lines:
            raise UserError(
                _(
                    "Case %(name)s has nothing to invoice: no parts, and no time spent that its "
                    "warranty terms bill.",
                    name=self.name,
                )
            )
        return {
            "move_type": "out_invoice",
            "partner_id": self.partner_id.id,
            "company_id": self.company_id.id,
            "invoice_origin": self.name,
            "ref": self.name,
            "invoice_line_ids": lines,
        }

    def action_create_invoice(self):
        """C-5: a paid case is invoiced with a standard customer invoice; the others never."""
        self.ensure_one()
        if self.service_type != "paid":
            raise UserError(
                _(
                    "Case %(name)s is a %(type)s service: only paid cases are invoiced.",
                    name=self.name,
                    type=dict(SERVICE_TYPES)[self.service_type],
                )
            )
        if not self.can_invoice:
            raise UserError(
                _(
                    "Case %(name)s cannot be invoiced now (new, cancelled or already invoiced).",
                    name=self.name,
                )
            )
        if not self.partner_id:
            raise UserError(_("Set the customer of case %(name)s before invoicing it.", name=self.name))
        invoice = self.env["account.move"].with_company(self.company_id).create(self._prepare_invoice_vals())
        privileged(self).invoice_ids = [Command.link(invoice.id)]
        self.message_post(body=_("Invoice %(invoice)s created.", invoice=invoice._get_html_link()))
        return form_action(invoice)

    def action_view_invoices(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("account.action_move_out_invoice_type")
        action["domain"] = [("id", "in", self.invoice_ids.ids)]
        action["context"] = {"create": False}
        return action

    # ------------------------------------------------------------------ escalation (C-4, C-9)
    def _escalate_urgent_complaints(self):
        for case in self.filtered(lambda c: c.category == "complaint" and c.priority == "2"):
            executive = case.company_id.aftersales_executive_id
            if executive:
                case.activity_schedule(
                    "mail.mail_activity_data_todo",
                    user_id=executive.id,
                    summary=_("Serious complaint %(name)s", name=case.name),
                    note=_("An urgent complaint was registered: it goes to the executive at once (C-9)."),
                )
                privileged(case).write({"escalation_level": 3})

    def _escalation_target(self, level):
        self.ensure_one()
        if level == 1:
            return self.team_id.leader_id or self.company_id.aftersales_manager_id
        return self.company_id.aftersales_manager_id or self.team_id.leader_id

    @api.model
    def _cron_escalate(self, batch_size=1000, now=None):
        """C-9: escalate each breached deadline once: level 1 to the team leader, level 2 (still
        breached ``aftersales_escalation_hours`` later) to the After-Sales manager. Rows are locked
        with SKIP LOCKED, so two workers never escalate the same case twice."""
        now = now or fields.Datetime.now()
        escalated = 0
        while True:
            self.env.flush_all()  # the query below reads escalation fields written by the ORM
            self.env.cr.execute(
                SQL(
                    """
                    SELECT c.id FROM aftersales_case c
                      JOIN res_company co ON co.id = c.company_id
                     WHERE c.active AND c.state IN %(states)s
                       AND c.sla_deadline < %(now)s
                       AND (c.escalated_deadline IS DISTINCT FROM c.sla_deadline
                            OR (COALESCE(c.escalation_level, 0) = 1
                                AND COALESCE(co.aftersales_escalation_hours, 0) > 0
                                AND c.sla_deadline
                                    + make_interval(hours => co.aftersales_escalation_hours)
                                    < %(now)s))
                     ORDER BY c.sla_deadline
                     LIMIT %(limit)s
                       FOR UPDATE OF c SKIP LOCKED
                    """,
                    states=OPEN_STATES,
                    now=now,
                    limit=batch_size,
                )
            )
            ids = [row[0] for row in self.env.cr.fetchall()]
            if not ids:
                break
            cases = self.browse(ids)
            cases._escalate_breach(now)
            escalated += len(ids)
            if len(ids) < batch_size:
                break
        return escalated

    def _escalate_breach(self, now=None):
        """Escalate a batch (rows locked by the caller): one activity per case for the target of
        its level, one chatter note per case, and the escalation state, each in one statement."""
        activity_vals, message_vals, levels = [], [], {}
        model_id = self.env["ir.model"]._get_id(self._name)
        todo = self.env.ref("mail.mail_activity_data_todo")
        note = self.env.ref("mail.mt_note")
        today = fields.Date.context_today(self, now)
        # one sender/reply-to for the batch (else mail.message looks up the alias of every record)
        sender = self.env.ref("base.partner_root")
        reply_to = (
            self.env.company.catchall_formatted or self.env.company.email_formatted or sender.email_formatted
        )
        for case in self:
            level = 1 if case.escalated_deadline != case.sla_deadline else 2
            levels.setdefault(level, []).append(case.id)
            target = case._escalation_target(level)
            if target:
                activity_vals.append(
                    {
                        "res_model_id": model_id,
                        "res_id": case.id,
                        "activity_type_id": todo.id,
                        "user_id": target.id,
                        "summary": _("Case %(name)s is late (level %(level)s)", name=case.name, level=level),
                        "date_deadline": today,
                    }
                )
            message_vals.append(
                {
                    "model": self._name,
                    "res_id": case.id,
                    "message_type": "notification",
                    "subtype_id": note.id,
                    "author_id": sender.id,
                    "email_from": sender.email_formatted,
                    "reply_to": reply_to,
                    "body": _(
                        "Deadline %(deadline)s passed: escalated to %(user)s (level %(level)s).",
                        deadline=fields.Datetime.to_string(case.sla_deadline),
                        user=target.name or _("nobody (set a team leader)"),
                        level=level,
                    ),
                }
            )
        # sudo: the cron plans activities for other users and writes the notes as the system
        self.env["mail.activity"].sudo().with_context(mail_activity_quick_update=True).create(activity_vals)
        self.env["mail.message"].sudo().create(message_vals)
        for level, ids in levels.items():
            self.env.cr.execute(
                SQL(
                    "UPDATE aftersales_case SET escalation_level = %s, escalated_deadline = sla_deadline "
                    "WHERE id IN %s",
                    level,
                    tuple(ids),
                )
            )
        self.invalidate_recordset(["escalation_level", "escalated_deadline"])

    @api.model
    def _cron_dispatch_unassigned(self):
        """C-4: cases still unassigned at the end of a working day go to the team leader (or the
        manager of the case's own company), first thing the next working morning (the activity's
        date). Per company and per team; a case that fails is logged and the others go on."""
        cases = self.search([("state", "=", "new"), ("user_id", "=", False)])
        now = fields.Datetime.now()
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
                        case._dispatch_to(leader, fields.Date.to_date(morning or now))
                except Exception:
                    _logger.exception("Dispatching case %s failed; the other cases go on", case.name)

    def _dispatch_to(self, leader, date):
        self.ensure_one()
        summary = _("Dispatch unassigned case %(name)s", name=self.name)
        if not self.activity_ids.filtered(lambda a: a.summary == summary):
            self.activity_schedule(
                "mail.mail_activity_data_todo", date_deadline=date, user_id=leader.id, summary=summary
            )
        self.with_context(tracking_disable=True).write({"user_id": leader.id})

    # ------------------------------------------------------------------ intake (C-1)
    def _check_portal_order(self, order):
        """Portal intake: a customer may only open cases on their own orders."""
        partner = self.env.user.partner_id.commercial_partner_id
        if order.partner_id.commercial_partner_id != partner:
            raise AccessError(_("This order is not yours."))

    @api.model
    def _create_from_portal(self, subject, description=None, order_id=None, product_id=None):
        """C-1: a case the logged-in customer files on the portal, about one of their own
        confirmed orders (and one of its products). Raises ``AccessError``/``MissingError`` for
        someone else's or an unknown order/product, ``UserError`` for an empty subject."""
        subject = (subject or "").strip()
        if not subject:
            raise UserError(_("Tell us what the problem is."))
        partner = self.env.user.partner_id
        order = self.env["sale.order"]
        if order_id:
            # portal users read their own orders only (sale's portal rules)
            order = self.env["sale.order"].browse(order_id).exists()
            if not order:
                raise MissingError(_("This order does not exist."))
            self._check_portal_order(order)
            if order.state != "sale":
                raise UserError(_("Only a confirmed order can have a problem reported."))
        product = self.env["product.product"]
        if product_id:
            product = order.order_line.product_id.filtered(lambda p: p.id == product_id)
            if not product:
                raise MissingError(_("This product is not on that order."))
        vals = {
            "subject": subject,
            "description": description,
            "partner_id": partner.id,
            "channel": "portal",
            "sale_order_id": order.id or False,
            "product_id": product.id or False,
            "company_id": (order.company_id or partner.company_id or self.env.company).id,
        }
        # sudo: portal users have no create right on cases; the values above were checked
        # against their own orders, and the case belongs to their own partner
        return self.sudo().create(vals).sudo(False)


class AftersalesCasePart(models.Model):
    _name = "aftersales.case.part"
    _description = "Part Used on a Service Case"

    case_id = fields.Many2one("aftersales.case", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="case_id.company_id", store=True)
    product_id = fields.Many2one("product.product", required=True, domain=[("type", "=", "consu")])
    quantity = fields.Float(default=1.0, digits="Product Unit of Measure")
    lot_id = fields.Many2one("stock.lot", string="Serial/Lot")

    @api.constrains("quantity")
    def _check_quantity(self):
        if any(part.quantity <= 0 for part in self):
            raise ValidationError(_("The quantity of a part used must be positive."))

    def _check_case_open(self):
        """C-8: the parts of a closed or invoiced case are kept as they were."""
        if is_privileged(self):
            return
        locked = self.case_id.filtered(
            lambda c: (
                c.state in ("closed", "cancelled")
                or c.sudo().invoice_ids.filtered(lambda m: m.state != "cancel")
            )
        )
        if locked:
            raise UserError(
                _(
                    "Case %(names)s is closed or invoiced: its parts cannot change.",
                    names=", ".join(locked.mapped("name")),
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        parts = super().create(vals_list)
        parts._check_case_open()
        return parts

    def write(self, vals):
        self._check_case_open()
        res = super().write(vals)
        if "case_id" in vals:
            self._check_case_open()
        return res

    @api.ondelete(at_uninstall=False)
    def _unlink_if_case_open(self):
        self._check_case_open()


class AftersalesCaseTag(models.Model):
    _name = "aftersales.case.tag"
    _description = "Service Case Tag"

    name = fields.Char(required=True, translate=True)
    color = fields.Integer()

    _sql_constraints = [("name_uniq", "unique(name)", "This tag already exists.")]
