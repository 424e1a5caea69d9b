from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import email_normalize

from .aftersales_lock import ALWAYS, CREATION_LOCKS, MANAGER, SYSTEM, Frozen, _lt
from .tools import ensure_can, form_action, is_privileged, new_access_token, privileged

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
FOLDED_STATES = ("closed", "cancelled")  # kanban columns shown folded
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
    ("paid", "Paid"),
    ("contract", "Contract"),
    ("free", "Free"),
    ("internal", "Internal"),
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
INTERNAL = "aftersales_service.group_aftersales_user"


class AftersalesCase(models.Model):
    """A customer request of any kind (C-1): registered, acknowledged (C-2), classified (C-3),
    routed (C-4), answered on time (C-6, C-7), escalated when late (C-9), kept on record (C-8)."""

    _name = "aftersales.case"
    _description = "Service Case"
    _inherit = [
        "aftersales.lock.mixin",
        "aftersales.number.guard",
        "aftersales.sla.mixin",
        "portal.mixin",
        "mail.thread.cc",
        "mail.activity.mixin",
    ]
    _order = "priority desc, id desc"
    _check_company_auto = True
    _mail_post_access = "read"

    # who may change what, in which state (aftersales.lock.mixin)
    _aftersales_locks = {
        # the workflow, the timers, the escalation and the documents they make (C-6, C-8, C-9)
        **dict.fromkeys(
            (
                "state",
                "date_registered",
                "resolved_date",
                "closed_date",
                "escalation_level",
                "escalated_deadline",
                "first_response_date",
                "last_reply_date",
                "first_response_deadline",
                "reply_deadline",
                "resolution_deadline",
                "first_response_hours",
                "resolution_hours",
                "sla_deadline",
                "sla_met",
                "sla_policy_id",
                "warranty_state",
                "is_internal",
                "invoice_ids",
                "access_token",
                "field_visit_ids",
                "loan_ids",
                "repair_ids",
                "return_ids",
                "rating_ids",
                "internal_cost_line_ids",
            ),
            SYSTEM,
        ),
        **CREATION_LOCKS,
        # who pays (C-5, W-4): computed from the warranty, the contract and the equipment; a
        # manager may still decide otherwise, and it is logged
        **dict.fromkeys(
            ("warranty_id", "contract_id", "equipment_id"),
            Frozen(
                ALWAYS,
                group=MANAGER,
                reason=_lt("who pays for the service is decided by its warranty and contract"),
            ),
        ),
        # anyone may still make a case paid: it costs the company nothing
        "service_type": Frozen(
            ALWAYS,
            group=MANAGER,
            reason=_lt("who pays for the service is decided by its warranty and contract"),
            open_values=("paid",),
        ),
    }
    _aftersales_free = (
        "active",
        "callback_datetime",
        "category",
        "channel",
        "description",
        "email_cc",
        "email_from",
        "exclusion_id",
        "lot_id",
        "no_rating_reason",
        "part_ids",
        "partner_id",
        "phone",
        "priority",
        "product_id",
        "purchase_date",
        "purchase_place_id",
        "resolution",
        "resolution_note",
        "sale_line_id",
        "sale_order_id",
        "subject",
        "tag_ids",
        "team_id",
        "time_spent",
        "user_id",
    )

    name = fields.Char(string="Reference", required=True, readonly=True, copy=False, default="/")
    # drawn at creation: portal pages (read-only cursors) never write one
    access_token = fields.Char(default=lambda self: new_access_token())
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
    callback_datetime = fields.Datetime(
        string="Promised Call-back", tracking=True, help="When the customer was promised a call back."
    )
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
    purchase_place_id = fields.Many2one(
        "crm.team",
        compute="_compute_purchase_place_id",
        store=True,
        readonly=False,
        precompute=True,
        help="Shop or sales channel the goods were bought in: the order's sales team.",
    )
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
        help="In warranty and advice are free, out of warranty repairs are paid; editable.",
    )
    # --- handling and result (C-8)
    description = fields.Html()
    # every state is a kanban column, in the workflow's order (not alphabetical)
    state = fields.Selection(
        CASE_STATES, default="new", required=True, index=True, tracking=True, copy=False, group_expand=True
    )
    resolution = fields.Selection(RESOLUTIONS, tracking=True)
    # internal fields carry groups=: portal customers read their cases, not the staff's notes (S-3)
    resolution_note = fields.Html(string="Resolution Notes", groups=INTERNAL)
    time_spent = fields.Float(help="Hours spent on the case.", groups=INTERNAL)
    part_ids = fields.One2many("aftersales.case.part", "case_id", string="Parts Used", groups=INTERNAL)
    exclusion_id = fields.Many2one(
        "aftersales.warranty.exclusion",
        string="Not Covered Because",
        tracking=True,
        groups=INTERNAL,
        help="The fault's cause is one the warranty does not cover (misuse, disaster, unauthorised "
        "repair): the work is invoiced as out of warranty, the cause named on the invoice.",
    )
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
                case.purchase_date = case.company_id._aftersales_date(case.sale_order_id.date_order)

    @api.depends("sale_order_id")
    def _compute_purchase_place_id(self):
        for case in self:
            if case.sale_order_id:
                # sudo: the order's sales team, for after-sales users who read orders only
                case.purchase_place_id = case.sale_order_id.sudo().team_id

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

    @api.depends(
        "category",
        "warranty_state",
        "exclusion_id",
        "field_visit_ids.exclusion_id",
        "field_visit_ids.responsibility",
    )
    def _compute_service_type(self):
        for case in self:
            if case.category in ("consultation", "complaint", "non_quality", "return_exchange"):
                case.service_type = "free"
            elif case.warranty_state == "in":
                # W-1: a cause the warranty excludes makes the repair a paid one
                case.service_type = "paid" if case._aftersales_has_exclusion() else "free"
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
            case.can_cancel = state in OPEN_STATES  # a resolved case is closed or reopened
            case.can_reopen = state in ("resolved", "cancelled")

    def _ensure_can(self, flag, message):
        """The guard of every workflow action: the same rule as the button's ``can_*`` flag."""
        ensure_can(self, flag, message)

    def _compute_counts(self):
        for case in self:
            case.repair_count = len(case.repair_ids)
            case.return_count = len(case.return_ids)
            case.invoice_count = len(case.invoice_ids)

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
        """True when a done customer delivery of this serial went to ``customer``, or the unit is
        theirs by a warranty (a unit bought elsewhere and registered, or transferred to them)."""
        # sudo: stock move lines and warranties are read only to check the serial's customer,
        # nothing is returned
        return bool(
            self.env["aftersales.warranty"]
            .sudo()
            .search_count(
                [
                    ("lot_id", "=", self.lot_id.id),
                    ("commercial_partner_id", "=", customer.id),
                    ("state", "!=", "void"),
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
    @api.model
    def web_read_group(self, domain, fields, groupby, limit=None, offset=0, orderby=False, lazy=True):
        """The case kanban by state: closed and cancelled cases in folded columns."""
        result = super().web_read_group(
            domain, fields, groupby, limit=limit, offset=offset, orderby=orderby, lazy=lazy
        )
        if groupby and groupby[0] == "state":
            for group in result["groups"]:
                group["__fold"] = group.get("state") in FOLDED_STATES
        return result

    @api.model_create_multi
    def create(self, vals_list):
        if not is_privileged(self):
            # a case starts at the start: the workflow and timers set the rest (C-8, S-1)
            self._aftersales_check_create(vals_list)
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                company = self.env["res.company"].browse(vals.get("company_id")) or self.env.company
                vals["name"] = (
                    self.env["ir.sequence"].with_company(company).next_by_code("aftersales.case") or "/"
                )
            if vals.get("user_id") and vals.get("state", "new") == "new":
                vals["state"] = "assigned"
        # the client's values were checked above; the state is the system's
        cases = self.browse(super(AftersalesCase, privileged(self)).create(vals_list).ids)
        cases._apply_sla(restart_reply=False)
        for case in cases:
            if case.partner_id:
                case.message_subscribe(partner_ids=case.partner_id.ids)
        cases._send_acknowledgement()
        cases._escalate_urgent_complaints()
        cases.filtered("callback_datetime")._sync_callback_activity()
        return cases

    def write(self, vals):
        if "user_id" in vals and vals["user_id"]:
            to_assign = self.filtered(lambda c: c.state == "new")
        else:
            to_assign = self.browse()
        if not self.env.su and not self.env.user.has_group("aftersales_service.group_aftersales_manager"):
            closed = self.filtered(lambda c: c.state == "closed")
            if closed and set(vals) - {"active", "message_main_attachment_id"}:
                raise UserError(
                    _(
                        "Case %(names)s is closed: it is kept on record as it is.",
                        names=", ".join(closed.mapped("name")),
                    )
                )
        res = super().write(vals)
        if to_assign:
            privileged(to_assign).write({"state": "assigned"})
        if {"category", "priority", "team_id"} & set(vals):
            self._apply_sla(restart_reply=False)
        if {"category", "priority"} & set(vals):
            self._escalate_urgent_complaints()  # C-9: whenever a complaint becomes urgent
        if {"callback_datetime", "user_id"} & set(vals):
            self._sync_callback_activity()
        return res

    def _sync_callback_activity(self):
        """C-10: a promised call-back is a "call" activity of the responsible, due that day (its
        overdue status is the activity's); a new promise replaces the open one."""
        call = self.env.ref("mail.mail_activity_data_call")
        prefix = _("Call back")
        for case in self:
            case.activity_ids.filtered(
                lambda a: a.activity_type_id == call and a.summary and a.summary.startswith(prefix)
            ).unlink()
            user = case.user_id or case.team_id.leader_id or case.company_id.aftersales_manager_id
            if case.callback_datetime and user and case.state in OPEN_STATES:
                case.activity_schedule(
                    "mail.mail_activity_data_call",
                    date_deadline=case.company_id._aftersales_date(case.callback_datetime),
                    user_id=user.id,
                    summary=_(
                        "Call back %(customer)s", customer=case.partner_id.display_name or case.email_from
                    ),
                    note=_("Promised for %(time)s.", time=fields.Datetime.to_string(case.callback_datetime)),
                )

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(_("Cases are kept on record: archive them instead of deleting them."))

    # ------------------------------------------------------------------ timers (C-6)
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

    def _compute_access_url(self):  # pylint: disable=missing-return
        super()._compute_access_url()
        for case in self:
            case.access_url = f"/my/cases/{case.id}"

    # ------------------------------------------------------------------ actions
    def action_assign_to_me(self):
        self.write({"user_id": self.env.user.id})
        return True

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
        """Hook after cases were resolved (the cases are resolved already): the rating request
        (aftersales_rating.py) plugs in here."""

    def action_close(self):
        """S-1: a case closes once resolved and its satisfaction step done (``can_close``: the
        customer asked to rate, or the reason why not recorded; aftersales_rating.py)."""
        self.filtered(lambda c: c.state != "resolved")._ensure_can(
            "can_close", _("Case %(names)s must be resolved before it closes.")
        )
        self._ensure_can(
            "can_close",
            _(
                "Case %(names)s has no rating request: resolve it with a responsible and a customer "
                "(the customer is asked to rate), or record why no rating is asked."
            ),
        )
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

    @api.readonly
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

    # ------------------------------------------------------------------ intake (C-1)
