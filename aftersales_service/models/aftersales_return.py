from datetime import timedelta

from odoo import Command, _, api, fields, models
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.tools import float_compare, float_is_zero

from .aftersales_lock import CREATION_LOCKS, SYSTEM, Frozen, _lt
from .tools import (
    ensure_can,
    is_privileged,
    lock_for_action,
    new_access_token,
    privileged,
)

RETURN_STATES = [
    ("draft", "Draft"),
    ("to_approve", "To Approve"),
    ("approved", "Approved"),
    ("waiting_goods", "Waiting Goods"),
    ("received", "Received"),
    ("done", "Done"),
    ("refused", "Refused"),
    ("cancelled", "Cancelled"),
]
RETURN_TYPES = [("no_reason", "No-Reason Return"), ("quality", "Quality Problem"), ("exchange", "Exchange")]
OUTCOMES = [("refund", "Refund"), ("exchange", "Exchange"), ("repair", "Repair")]
ACTIVE_STATES = ("draft", "to_approve", "approved", "waiting_goods", "received", "done")
SUBMITTED = ("to_approve", "approved", "waiting_goods", "received", "done", "refused", "cancelled")


class AftersalesReturn(models.Model):
    """A return, exchange or refund request (R-1..R-8), carried out with Odoo's own return
    pickings and credit notes."""

    _name = "aftersales.return"
    _description = "After-Sales Return"
    _inherit = ["aftersales.lock.mixin", "portal.mixin", "mail.thread", "mail.activity.mixin"]
    _order = "id desc"
    _check_company_auto = True

    # who may change what, in which state (aftersales.lock.mixin)
    _aftersales_locks = {
        # the workflow, the approval and the documents it makes
        **dict.fromkeys(
            (
                "state",
                "approver_id",
                "approval_date",
                "request_date",
                "user_id",
                "access_token",
                "sale_order_ids",
                "picking_ids",
                "credit_note_ids",
                "vendor_refund_ids",
                "return_label_id",
                "return_label_by_carrier",
                "replacement_due_date",
                "replacement_chased",
            ),
            SYSTEM,
        ),
        **CREATION_LOCKS,
        # what the approval was given for: reset to draft (refused, cancelled) to change it
        **dict.fromkeys(
            (
                "sale_order_id",
                "partner_id",
                "return_type",
                "requested_outcome",
                "line_ids",
                "approval_reason",
            ),
            Frozen(SUBMITTED, reason=_lt("the request was submitted as it is")),
        ),
    }
    _aftersales_free = ("case_id", "channel", "purchase_place_id", "description", "carrier_tracking_ref")
    _aftersales_unlink_lock = Frozen(
        ("to_approve", "approved", "waiting_goods", "received", "done", "refused"),
        reason=_lt("only draft or cancelled documents are deleted"),
    )

    name = fields.Char(string="Reference", required=True, readonly=True, copy=False, default="/")
    # drawn at creation: portal pages (read-only cursors) never write one
    access_token = fields.Char(default=lambda self: new_access_token())
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    # the first order of the return (where it was started from); its lines may come from
    # several delivered orders of the same customer (``sale_order_ids``)
    sale_order_id = fields.Many2one(
        "sale.order",
        compute="_compute_sale_order_id",
        store=True,
        readonly=False,
        precompute=True,
        index=True,
        tracking=True,
        check_company=True,
        domain="[('state', '=', 'sale'), ('partner_id', 'child_of', commercial_partner_id or [])]",
    )
    sale_order_ids = fields.Many2many(
        "sale.order",
        "aftersales_return_sale_order_rel",
        "return_id",
        "order_id",
        string="Orders",
        compute="_compute_sale_order_ids",
        store=True,
        help="The orders the returned goods were bought on.",
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        compute="_compute_partner_id",
        store=True,
        readonly=False,
        precompute=True,
        required=True,
        index=True,
        tracking=True,
        check_company=True,
    )
    commercial_partner_id = fields.Many2one(
        related="partner_id.commercial_partner_id", store=True, index=True
    )
    case_id = fields.Many2one(
        "aftersales.case", string="Service Case", index="btree_not_null", check_company=True
    )
    return_type = fields.Selection(
        RETURN_TYPES, string="Type", required=True, default="no_reason", tracking=True
    )
    requested_outcome = fields.Selection(OUTCOMES, required=True, default="refund", tracking=True)
    channel = fields.Char(help="Shop or channel the goods were bought in, when not a sales team.")
    purchase_place_id = fields.Many2one(
        "crm.team",
        compute="_compute_purchase_place_id",
        store=True,
        readonly=False,
        precompute=True,
        help="Shop or sales channel the goods were bought in: the order's sales team.",
    )
    description = fields.Text(string="Problem", help="What the customer reports.")
    state = fields.Selection(
        RETURN_STATES, default="draft", required=True, tracking=True, copy=False, index=True
    )
    request_date = fields.Date(
        default=lambda self: self.env.company._aftersales_date(),
        required=True,
        readonly=True,
        tracking=True,
        help="The day the return was registered, set by the server: the return window is judged from it.",
    )
    user_id = fields.Many2one(
        "res.users", string="Requested By", default=lambda self: self.env.user, required=True, readonly=True
    )
    line_ids = fields.One2many("aftersales.return.line", "return_id", string="Lines", copy=True)
    # --- approval
    eligibility_note = fields.Text(
        compute="_compute_eligibility",
        string="Outside the Rules",
        groups="aftersales_service.group_aftersales_user",
    )
    needs_approval = fields.Boolean(
        compute="_compute_eligibility", groups="aftersales_service.group_aftersales_user"
    )
    approval_reason = fields.Text(
        help="Why a return outside the rules should be accepted.",
        tracking=True,
        groups="aftersales_service.group_aftersales_user",
    )
    approver_id = fields.Many2one(
        "res.users",
        readonly=True,
        copy=False,
        tracking=True,
        groups="aftersales_service.group_aftersales_user",
    )
    approval_date = fields.Datetime(
        readonly=True, copy=False, groups="aftersales_service.group_aftersales_user"
    )
    refund_estimate = fields.Monetary(compute="_compute_refund_estimate", currency_field="currency_id")
    currency_id = fields.Many2one(related="sale_order_id.currency_id")
    # --- documents
    picking_ids = fields.One2many(
        "stock.picking",
        "aftersales_return_id",
        string="Transfers",
        groups="aftersales_service.group_aftersales_user",
    )
    return_picking_count = fields.Integer(
        compute="_compute_counts", groups="aftersales_service.group_aftersales_user"
    )
    credit_note_ids = fields.One2many(
        "account.move",
        "aftersales_return_id",
        string="Credit Notes",
        domain=[("move_type", "in", ("out_refund", "out_invoice"))],
        groups="aftersales_service.group_aftersales_user",
    )
    credit_note_count = fields.Integer(
        compute="_compute_counts", groups="aftersales_service.group_aftersales_user"
    )
    can_refund = fields.Boolean(compute="_compute_can_refund")
    can_settle_exchange = fields.Boolean(compute="_compute_can_refund")
    # --- workflow buttons: one rule each, in Python (the views only show them)
    can_submit = fields.Boolean(compute="_compute_can_flags")
    can_approve = fields.Boolean(compute="_compute_can_flags")
    can_refuse = fields.Boolean(compute="_compute_can_flags")
    can_cancel = fields.Boolean(compute="_compute_can_flags")
    can_reset = fields.Boolean(compute="_compute_can_flags")
    can_compensate = fields.Boolean(compute="_compute_can_flags")
    can_create_complaint = fields.Boolean(compute="_compute_can_flags")

    # ------------------------------------------------------------------ computes
    @api.depends("sale_order_id")
    def _compute_partner_id(self):
        for ret in self:
            ret.partner_id = ret.partner_id or ret.sale_order_id.partner_id

    @api.depends("line_ids.sale_line_id")
    def _compute_sale_order_ids(self):
        for ret in self:
            ret.sale_order_ids = ret.line_ids.sale_line_id.order_id

    @api.depends("line_ids.sale_line_id")
    def _compute_sale_order_id(self):
        for ret in self:
            orders = ret.line_ids.sale_line_id.order_id
            ret.sale_order_id = (
                orders.sorted("id")[:1] if orders and ret.sale_order_id not in orders else ret.sale_order_id
            )

    @api.depends("sale_order_id")
    def _compute_purchase_place_id(self):
        for ret in self:
            if ret.sale_order_id:
                # sudo: the order's sales team, for after-sales users who read orders only
                ret.purchase_place_id = ret.sale_order_id.sudo().team_id

    @api.depends("line_ids.refund_estimate")
    def _compute_refund_estimate(self):
        for ret in self:
            ret.refund_estimate = sum(ret.line_ids.mapped("refund_estimate"))

    @api.depends(
        "return_type",
        "request_date",
        "line_ids.delivery_date",
        "line_ids.lot_ids",
        "refund_estimate",
        "requested_outcome",
        "line_ids.outcome",
        "line_ids.exchange_difference",
        "company_id.aftersales_return_days",
        "company_id.aftersales_refund_threshold",
    )
    def _compute_eligibility(self):
        Warranty = self.env["aftersales.warranty"]
        for ret in self:
            notes = []
            days = ret.company_id.aftersales_return_days
            for line in ret.line_ids:
                if ret.return_type in ("no_reason", "exchange"):
                    if not line.delivery_date:
                        notes.append(
                            _("%(product)s was not delivered yet.", product=line.product_id.display_name)
                        )
                    elif ret.request_date > line.delivery_date + timedelta(days=days):
                        notes.append(
                            _(
                                "%(product)s: the %(days)s-day return window closed on %(date)s.",
                                product=line.product_id.display_name,
                                days=days,
                                date=line.delivery_date + timedelta(days=days),
                            )
                        )
                elif ret.return_type == "quality":
                    for lot in line.lot_ids or [None]:
                        if not Warranty.find_covering_warranty(
                            ret.partner_id, line.product_id, lot=lot, date=ret.request_date
                        ):
                            notes.append(
                                _(
                                    "%(product)s is not under warranty on %(date)s.",
                                    product=(lot or line.product_id).display_name,
                                    date=ret.request_date,
                                )
                            )
            threshold = ret.company_id.aftersales_refund_threshold
            credit = ret._credit_estimate()
            if threshold and ret._to_company_currency(credit) > threshold:
                notes.append(
                    _(
                        "The refund of %(amount)s is above the approval threshold of %(threshold)s.",
                        amount=ret.currency_id.format(credit) if ret.currency_id else credit,
                        threshold=ret.company_id.currency_id.format(threshold),
                    )
                )
            ret.eligibility_note = "\n".join(notes) or False
            ret.needs_approval = bool(notes)

    @api.depends("state")
    @api.depends_context("uid")
    def _compute_can_flags(self):
        is_manager = self.env.user.has_group("aftersales_service.group_aftersales_manager")
        is_billing = self.env.user.has_group("account.group_account_invoice")
        for ret in self:
            state = ret.state
            ret.can_submit = state == "draft"
            ret.can_approve = is_manager and state == "to_approve"
            ret.can_refuse = is_manager and state == "to_approve"  # a draft is cancelled, not refused
            ret.can_cancel = state in ("draft", "to_approve", "approved", "waiting_goods", "received")
            ret.can_reset = state in ("refused", "cancelled")
            ret.can_compensate = is_billing and state in ("approved", "waiting_goods", "received", "done")
            ret.can_create_complaint = state not in ("draft", "cancelled")

    def _ensure_can(self, flag, message):
        """The guard of every workflow action: the same rule as the button's ``can_*`` flag."""
        ensure_can(self, flag, message)

    def _credit_estimate(self):
        """What the return would credit the customer (R-4: every path that credits money is under
        the same threshold): the refund of refund lines, and the price difference of exchanges
        for a cheaper product."""
        self.ensure_one()
        refund = sum(self.line_ids.filtered(lambda ln: ln.outcome == "refund").mapped("refund_estimate"))
        exchange = sum(
            -ln.exchange_difference
            for ln in self.line_ids.filtered(lambda ln: ln.outcome == "exchange")
            if ln.exchange_difference < 0
        )
        return refund + exchange

    def _to_company_currency(self, amount):
        """``amount`` of the return's currency in company currency at the request date
        (thresholds are company amounts, orders may be in another currency)."""
        self.ensure_one()
        company_currency = self.company_id.currency_id
        if not self.currency_id or self.currency_id == company_currency:
            return amount
        return self.currency_id._convert(
            amount, company_currency, self.company_id, self.request_date or self.company_id._aftersales_date()
        )

    def _compute_counts(self):
        # sudo: counters only; after-sales users without stock or invoicing rights see how many
        for ret in self:
            ret.return_picking_count = len(ret.sudo().picking_ids)
            ret.credit_note_count = len(ret.sudo().credit_note_ids)

    @api.depends("state", "line_ids.qty_to_refund", "line_ids.exchange_sale_line_id")
    @api.depends_context("uid")
    def _compute_can_refund(self):
        # money buttons for the roles that can complete them: credit notes need invoicing rights
        is_billing = self.env.user.has_group("account.group_account_invoice")
        for ret in self:
            ret.can_settle_exchange = (
                is_billing
                and ret.state in ("approved", "waiting_goods", "received", "done")
                and bool(ret.sudo()._exchange_lines_to_settle())
            )
            ret.can_refund = (
                is_billing
                and ret.state in ("approved", "waiting_goods", "received")
                and any(
                    not float_is_zero(q, precision_digits=4) for q in ret.line_ids.mapped("qty_to_refund")
                )
            )

    # ------------------------------------------------------------------ CRUD
    @api.model_create_multi
    def create(self, vals_list):
        # a new return starts as a draft of its requester, dated today (the company's
        # day): the defaults; a client cannot send others (aftersales.lock.mixin)
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                company = self.env["res.company"].browse(vals.get("company_id")) or self.env.company
                vals["name"] = (
                    self.env["ir.sequence"].with_company(company).next_by_code("aftersales.return") or "/"
                )
        return super().create(vals_list)

    def write(self, vals):
        result = super().write(vals)
        if not is_privileged(self) and set(vals) & {"partner_id", "sale_order_id", "line_ids"}:
            self._redate_draft()
        return result

    def _redate_draft(self):
        """R-1: a draft's window is judged from the day it became what it is: changing its
        customer, orders or lines dates it today (the company's day)."""
        for ret in self.filtered(lambda r: r.state == "draft"):
            today = ret.company_id._aftersales_date()
            if ret.request_date != today:
                privileged(ret).write({"request_date": today})

    @api.onchange("sale_order_id")
    def _onchange_sale_order_id(self):
        if self.sale_order_id and not self.line_ids:
            self.line_ids = [Command.create(vals) for vals in self._prepare_default_lines(self.sale_order_id)]

    def _compute_access_url(self):  # pylint: disable=missing-return
        super()._compute_access_url()
        for ret in self:
            ret.access_url = f"/my/returns/{ret.id}"

    def _get_report_base_filename(self):
        self.ensure_one()
        return _("Return Slip - %(name)s", name=self.name)

    @api.model
    def _create_from_portal(
        self, order_id, quantities, reason=None, return_type="no_reason", exchange_products=None
    ):
        """R-3: the logged-in customer requests a return of one of their delivered orders from the
        portal: ``quantities`` {order line id: quantity}, each capped by what was delivered and not
        yet returned. Raises ``AccessError``/``MissingError`` for someone else's or an unknown order
        or line, ``UserError``/``ValidationError`` for bad quantities; writes nothing then. The
        request is submitted: inside the rules it is approved at once, else a manager decides
        with the customer's reason. ``exchange_products`` {order line id: product id}: an
        exchange for another product, among the line's exchange choices (another one answers
        ``MissingError``)."""
        exchange_products = {k: v for k, v in (exchange_products or {}).items() if v}
        if exchange_products and return_type != "exchange":
            raise UserError(_('Another product is taken in an exchange only: choose "An exchange".'))
        if return_type not in ("no_reason", "quality", "exchange"):
            raise UserError(_("Choose the kind of return."))
        order = self.env["sale.order"].browse(order_id).exists()
        if not order:
            raise MissingError(_("This order does not exist."))
        self.env["aftersales.case"]._check_portal_order(order)  # reads it: their own orders only
        if order.state != "sale":
            raise UserError(_("Only a confirmed order can be returned."))
        # sudo: what was delivered and not yet returned on the customer's own order (checked
        # above) reads returns and moves, which portal customers do not read themselves
        order_sudo = order.sudo()
        returnable = order_sudo.order_line._aftersales_returnable_qties()
        lines = []
        for line_id, qty in quantities.items():
            sale_line = order_sudo.order_line.filtered(lambda sl, line_id=line_id: sl.id == line_id)
            if not sale_line:
                raise MissingError(_("This line is not on that order."))
            if qty <= 0:
                continue
            rounding = sale_line.product_uom.rounding
            if float_compare(qty, returnable.get(sale_line.id, 0.0), precision_rounding=rounding) > 0:
                raise ValidationError(
                    _(
                        "%(product)s: at most %(qty)s can be returned.",
                        product=sale_line.product_id.display_name,
                        qty=returnable.get(sale_line.id, 0.0),
                    )
                )
            line_vals = {"sale_line_id": sale_line.id, "qty_requested": qty, "reason": reason}
            if exchange_products.get(line_id):
                choice = sale_line._aftersales_exchange_choices().filtered(
                    lambda p, pid=exchange_products[line_id]: p.id == pid
                )
                if not choice:
                    raise MissingError(_("This product cannot be taken in exchange."))
                line_vals["exchange_product_id"] = choice.id
            lines.append(line_vals)
        if not lines:
            raise UserError(_("Choose at least one product and quantity to return."))
        vals = self.sudo()._prepare_return_vals(
            order_sudo,
            lines=lines,
            return_type=return_type,
            description=reason,
            approval_reason=reason,
            channel="portal",
        )
        # sudo: portal customers have no create right on returns; the order and quantities were
        # checked above against their own delivered orders
        with self.env.cr.savepoint():  # bad input leaves nothing half-written
            ret = self.sudo().create(vals)
            if ret.needs_approval and not reason:
                raise UserError(
                    _("This return is outside the return rules: tell us why, a manager will decide.")
                )
            ret.action_submit()
        return ret.sudo(False)

    @api.model
    def _prepare_return_vals(self, order, products=None, lines=None, **extra):
        """Values of a new return of ``order`` (R-3) with its delivered, not yet returned lines
        (of ``products`` only, when given), or the given ``lines`` (line values): the one place
        every entry point (the order's "Return / Exchange", a case, the portal, other addons)
        goes through."""
        if lines is None:
            lines = self._prepare_default_lines(order)
        if products:
            sale_lines = self.env["sale.order.line"].browse([vals["sale_line_id"] for vals in lines])
            keep = set(sale_lines.filtered(lambda sl: sl.product_id in products).ids)
            lines = [vals for vals in lines if vals["sale_line_id"] in keep]
        vals = {
            "sale_order_id": order.id,
            "company_id": order.company_id.id,
            "line_ids": [Command.create(line_vals) for line_vals in lines],
        }
        vals.update(extra)
        return vals

    @api.model
    def _prepare_default_lines(self, order):
        """Lines for what was delivered and not yet returned."""
        lines = []
        sale_lines = order.order_line.filtered(lambda sl: sl.product_id.type == "consu")
        returnable = sale_lines._aftersales_returnable_qties()
        for sale_line in sale_lines:
            available = returnable[sale_line.id]
            if float_compare(available, 0.0, precision_rounding=sale_line.product_uom.rounding) > 0:
                lines.append({"sale_line_id": sale_line.id, "qty_requested": available})
        return lines

    # ------------------------------------------------------------------ checks
    def _check_lines(self):
        for ret in self:
            if not ret.line_ids:
                raise UserError(_("Return %(name)s has no line.", name=ret.name))
            available = ret.line_ids.sale_line_id._aftersales_returnable_qties(exclude=ret)
            for line in ret.line_ids:
                line._check_line(available=available)

    # ------------------------------------------------------------------ actions
    def action_submit(self):
        """Submit: inside the rules the return is approved at once, else it waits for a manager
        (R-4), who needs the requester's reason."""
        self._ensure_can("can_submit", _("Return %(names)s was already submitted."))
        for ret in self:
            ret._check_lines()
            if ret.needs_approval:
                if not ret.approval_reason:
                    raise UserError(
                        _(
                            "Return %(name)s is outside the rules:\n%(why)s\n"
                            "Give a reason for the manager's approval.",
                            name=ret.name,
                            why=ret.eligibility_note,
                        )
                    )
                privileged(ret).write({"state": "to_approve"})
                ret._notify_managers()
            else:
                for line in ret.line_ids:
                    privileged(line).qty_approved = line.qty_requested
                privileged(ret).write({"state": "approved", "approval_date": fields.Datetime.now()})
                ret._create_return_pickings()
                ret._notify_decision()
        return True

    def _notify_managers(self):
        manager = self.company_id.aftersales_manager_id
        for ret in self:
            if manager:
                ret.activity_schedule(
                    "mail.mail_activity_data_todo",
                    user_id=manager.id,
                    summary=_("Approve return %(name)s", name=ret.name),
                    note=ret.eligibility_note,
                )

    def action_approve(self):
        """R-4: a manager, never the requester, approves a return outside the rules."""
        if not self.env.user.has_group("aftersales_service.group_aftersales_manager"):
            raise AccessError(_("Only an After-Sales manager can approve returns outside the rules."))
        lock_for_action(self)
        self._ensure_can("can_approve", _("Return %(names)s is not waiting for approval."))
        for ret in self:
            if ret.user_id == self.env.user:
                raise UserError(
                    _("You requested return %(name)s: another manager must approve it.", name=ret.name)
                )
            ret._check_lines()
            for line in ret.line_ids:
                if not line.qty_approved:
                    privileged(line).qty_approved = line.qty_requested
            privileged(ret).write(
                {"state": "approved", "approver_id": self.env.user.id, "approval_date": fields.Datetime.now()}
            )
            ret.activity_ids.filtered(lambda a, ret=ret: a.summary and ret.name in a.summary).action_feedback(
                _("Approved")
            )
            ret._create_return_pickings()
        self._notify_decision()
        self._action_approve()
        return True

    def _action_approve(self):
        """Hook after a manager approved returns (approved, transfers created)."""

    def action_refuse(self):
        """A refused (not valid) return changes nothing in stock or receivables (R-7)."""
        if not self.env.user.has_group("aftersales_service.group_aftersales_manager"):
            raise AccessError(_("Only an After-Sales manager can refuse returns."))
        self._ensure_can("can_refuse", _("Return %(names)s cannot be refused any more."))
        privileged(self).write(
            {"state": "refused", "approver_id": self.env.user.id, "approval_date": fields.Datetime.now()}
        )
        self.activity_ids.action_feedback(_("Refused"))
        self._notify_decision()
        return True

    def _notify_decision(self):
        """R-4: the customer is told the return was accepted or refused (a mail template)."""
        template = self.env.ref("aftersales_service.mail_template_return_decision")
        for ret in self.filtered("partner_id"):
            ret.with_context(mail_post_autofollow=False).message_post_with_source(
                template, subtype_xmlid="mail.mt_comment", partner_ids=ret.partner_id.ids
            )

    def action_cancel(self):
        self._ensure_can("can_cancel", _("Return %(names)s cannot be cancelled from its state."))
        # sudo: whether money or goods moved decides; after-sales users read neither invoices nor
        # every transfer
        for ret in self.sudo():
            if ret.credit_note_ids.filtered(lambda m: m.state == "posted"):
                raise UserError(
                    _("Return %(name)s has a posted credit note: it cannot be cancelled.", name=ret.name)
                )
            if ret.picking_ids.filtered(lambda p: p.state == "done"):
                raise UserError(
                    _("Goods of return %(name)s were received: it cannot be cancelled.", name=ret.name)
                )
        # sudo: cancelling the return's own open transfers; after-sales users do not run the
        # warehouse, and only the transfers made for these returns are touched
        self.picking_ids.sudo().filtered(lambda p: p.state != "cancel").action_cancel()
        privileged(self).write({"state": "cancelled"})
        return True

    def action_draft(self):
        self._ensure_can("can_reset", _("Only refused or cancelled returns go back to draft (%(names)s)."))
        privileged(self.line_ids).write({"qty_approved": 0.0})
        privileged(self).write({"state": "draft", "approver_id": False, "approval_date": False})
        return True

    @api.readonly
    def action_view_pickings(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("stock.action_picking_tree_all")
        action["domain"] = [("id", "in", self.picking_ids.ids)]
        action["context"] = {"create": False}
        if len(self.picking_ids) == 1:  # one transfer: its form, as sale's deliveries button does
            action.update(views=[(False, "form")], view_mode="form", res_id=self.picking_ids.id)
        return action

    @api.readonly
    def action_view_credit_notes(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("account.action_move_out_refund_type")
        action["domain"] = [("id", "in", self.credit_note_ids.ids)]
        action["context"] = {"create": False}
        if len(self.credit_note_ids) == 1:
            action.update(views=[(False, "form")], view_mode="form", res_id=self.credit_note_ids.id)
        return action
