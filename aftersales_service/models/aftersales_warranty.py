from collections import defaultdict

from odoo import _, api, fields, models, tools
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL

from .aftersales_lock import ALWAYS, CREATION_LOCKS, MANAGER, SYSTEM, Frozen, _lt
from .aftersales_warranty_policy import AFTER_EXPIRY_MODES
from .tools import form_action, new_access_token

WARRANTY_STATES = [("active", "Active"), ("expired", "Expired"), ("void", "Void")]


class AftersalesWarranty(models.Model):
    """The warranty of one sold unit group (W-2): per serial/lot when tracked."""

    _name = "aftersales.warranty"
    _description = "Warranty"
    _inherit = [
        "aftersales.lock.mixin",
        "aftersales.number.guard",
        "portal.mixin",
        "mail.thread",
        "mail.activity.mixin",
    ]
    _order = "end_date desc, id desc"
    _check_company_auto = True

    # who may change what, in which state (aftersales.lock.mixin): what was sold under which
    # terms is fixed at the sale (W-2, W-4, W-5); a manager may still correct it, logged
    _aftersales_locks = {
        **dict.fromkeys(
            (
                "state",
                "void_reason",
                "expiry_reminder_sent",
                "access_token",
                "sale_order_id",
                "sale_line_id",
                "move_id",
                "invoice_line_id",
                "repair_ids",
            ),
            SYSTEM,
        ),
        **CREATION_LOCKS,
        **dict.fromkeys(
            (
                "partner_id",
                "product_id",
                "lot_id",
                "quantity",
                "policy_id",
                "start_date",
                "end_date",
                "after_expiry_mode",
                "coverage",
            ),
            Frozen(ALWAYS, group=MANAGER, reason=_lt("the terms of a warranty are fixed when it is given")),
        ),
    }
    # the salesperson told before expiry
    _aftersales_free = ("user_id",)

    name = fields.Char(string="Reference", required=True, readonly=True, copy=False, default="/")
    # drawn at creation: portal pages (read-only cursors) never write one
    access_token = fields.Char(default=lambda self: new_access_token())
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    # --- what was sold, to whom
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, tracking=True, check_company=True
    )
    commercial_partner_id = fields.Many2one(
        related="partner_id.commercial_partner_id",
        store=True,
        precompute=True,
        index=True,
        string="Commercial Entity",
    )
    sale_order_id = fields.Many2one("sale.order", index="btree_not_null", check_company=True, readonly=True)
    sale_line_id = fields.Many2one(
        "sale.order.line", string="Order Line", index="btree_not_null", check_company=True, readonly=True
    )
    user_id = fields.Many2one(
        "res.users",
        string="Salesperson",
        compute="_compute_user_id",
        store=True,
        readonly=False,
        precompute=True,
        help="Receives the expiry reminder.",
    )
    product_id = fields.Many2one(
        "product.product", required=True, index=True, tracking=True, check_company=True
    )
    lot_id = fields.Many2one(
        "stock.lot",
        string="Serial/Lot",
        index="btree_not_null",
        tracking=True,
        check_company=True,
        domain="[('product_id', '=', product_id)]",
    )
    quantity = fields.Float(default=1.0, digits="Product Unit of Measure", tracking=True)
    # --- where it came from (idempotence keys)
    move_id = fields.Many2one("stock.move", string="Delivery Move", index="btree_not_null", readonly=True)
    invoice_line_id = fields.Many2one("account.move.line", index="btree_not_null", readonly=True)
    # --- terms
    policy_id = fields.Many2one(
        "aftersales.warranty.policy",
        required=True,
        tracking=True,
        check_company=True,
        ondelete="restrict",
    )
    # the terms of the sale (W-5): copied from the policy when the warranty is made, so that a
    # later edit of the policy does not change what units already sold were promised
    after_expiry_mode = fields.Selection(
        AFTER_EXPIRY_MODES,
        compute="_compute_terms",
        store=True,
        precompute=True,
        readonly=True,
        help="How repairs are charged once this warranty has expired, as the policy said when the "
        "unit was sold.",
    )
    coverage = fields.Html(
        translate=True,
        compute="_compute_terms",
        store=True,
        precompute=True,
        readonly=True,
        help="What this warranty covers, as the policy said when the unit was sold.",
    )
    start_date = fields.Date(
        required=True, tracking=True, default=lambda self: self.env.company._aftersales_date()
    )
    end_date = fields.Date(
        compute="_compute_end_date",
        store=True,
        readonly=False,
        precompute=True,
        index=True,
        tracking=True,
        help="Last day covered.",
    )
    state = fields.Selection(WARRANTY_STATES, default="active", required=True, tracking=True, index=True)
    void_reason = fields.Char(readonly=True, groups="aftersales_service.group_aftersales_user")
    expiry_reminder_sent = fields.Boolean(
        copy=False, readonly=True, groups="aftersales_service.group_aftersales_user"
    )
    repair_ids = fields.One2many(
        "repair.order",
        "aftersales_warranty_id",
        string="Repairs",
        groups="aftersales_service.group_aftersales_user",
    )
    repair_count = fields.Integer(
        compute="_compute_repair_count", groups="aftersales_service.group_aftersales_user"
    )
    can_void = fields.Boolean(compute="_compute_can_void")
    can_create_repair = fields.Boolean(
        compute="_compute_can_create_repair",
        help="Not void, and covering today or its policy still repairs after expiry.",
    )

    def init(self):
        # the lookup of find_covering_warranty: customer + product (+ serial) + date range
        tools.create_index(
            self._cr,
            "aftersales_warranty_lookup_index",
            self._table,
            ["commercial_partner_id", "product_id", "lot_id", "end_date"],
        )

    def _compute_access_url(self):  # pylint: disable=missing-return
        super()._compute_access_url()
        for warranty in self:
            warranty.access_url = f"/my/warranties/{warranty.id}"

    @api.depends("sale_order_id")
    def _compute_user_id(self):
        for warranty in self:
            warranty.user_id = warranty.sale_order_id.user_id or warranty.user_id

    @api.depends("policy_id", "start_date")
    def _compute_end_date(self):
        for warranty in self:
            if warranty.policy_id and warranty.start_date:
                warranty.end_date = warranty.policy_id._get_end_date(warranty.start_date)

    def _compute_repair_count(self):
        counts = dict(
            self.env["repair.order"]._read_group(
                [("aftersales_warranty_id", "in", self.ids)], ["aftersales_warranty_id"], ["__count"]
            )
        )
        for warranty in self:
            warranty.repair_count = counts.get(warranty, 0)

    @api.depends("state")
    @api.depends_context("uid")
    def _compute_can_void(self):
        is_manager = self.env.user.has_group("aftersales_service.group_aftersales_manager")
        for warranty in self:
            warranty.can_void = is_manager and warranty.state != "void"

    @api.depends("policy_id")
    def _compute_terms(self):
        """W-5: the policy's terms as they are when the warranty is made (or its policy
        changed), never followed afterwards (the dependency is the policy, not its fields)."""
        for warranty in self:
            policy = warranty.policy_id
            warranty.after_expiry_mode = policy.after_expiry_mode
            warranty.coverage = policy.coverage

    @api.depends("state", "start_date", "end_date", "after_expiry_mode")
    def _compute_can_create_repair(self):
        for warranty in self:
            warranty.can_create_repair = warranty.state != "void" and (
                warranty._is_covering() or warranty.after_expiry_mode != "none"
            )

    def _get_repair_part_price(self, product, in_warranty, upgrade=False):
        """Unit price of ``product`` used on a repair of this unit (W-3, W-4), with the terms
        frozen on the warranty: an upgrade at the part's cost whatever the warranty, else free in
        warranty, after expiry per the warranty's own after-expiry mode."""
        self.ensure_one()
        if upgrade:
            return product.standard_price
        return self.policy_id._get_repair_part_price(product, in_warranty, mode=self.after_expiry_mode)

    @api.constrains("start_date", "end_date")
    def _check_dates(self):
        for warranty in self:
            if not warranty.end_date or warranty.end_date < warranty.start_date:
                raise ValidationError(
                    _(
                        "Warranty %(name)s ends on %(end)s, before it starts on %(start)s.",
                        name=warranty.name,
                        end=warranty.end_date,
                        start=warranty.start_date,
                    )
                )

    @api.constrains("lot_id", "product_id")
    def _check_lot_product(self):
        for warranty in self:
            if warranty.lot_id and warranty.lot_id.product_id != warranty.product_id:
                raise ValidationError(
                    _(
                        "Serial/lot %(lot)s belongs to %(lot_product)s, not to %(product)s.",
                        lot=warranty.lot_id.name,
                        lot_product=warranty.lot_id.product_id.display_name,
                        product=warranty.product_id.display_name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        to_name = defaultdict(list)
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                to_name[vals.get("company_id") or self.env.company.id].append(vals)
        for company_id, company_vals in to_name.items():
            names = self._next_names(self.env["res.company"].browse(company_id), len(company_vals))
            for vals, name in zip(company_vals, names, strict=True):
                vals["name"] = name
        return super().create(vals_list)

    # --- actions
    def action_void(self):
        if not self.env.user.has_group("aftersales_service.group_aftersales_manager"):
            raise AccessError(_("Only an After-Sales manager can void a warranty."))
        refused = self.filtered(lambda w: not w.can_void)
        if refused:
            raise UserError(_("Warranty %(names)s is void already.", names=", ".join(refused.mapped("name"))))
        self._void(_("Voided by %(user)s", user=self.env.user.name))
        return True

    def action_create_repair(self):
        self.ensure_one()  # _create_repair_order refuses what can_create_repair hides, with its reason
        repair = self._create_repair_order(self.partner_id, self.product_id, lot=self.lot_id, warranty=self)
        return form_action(repair)

    @api.readonly
    def action_view_repairs(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("repair.action_repair_order_tree")
        action["domain"] = [("aftersales_warranty_id", "=", self.id)]
        action["context"] = {"create": False}
        return action

    # --- business methods
    @api.model
    def _next_names(self, company, count):
        """``count`` references of the warranty sequence, drawn in one query (a delivery of 500
        serials creates 500 warranties; ``next_by_code`` would cost two queries each)."""
        # sudo: reading the sequence definition only, as ir.sequence.next_by_code does
        sequence = (
            self.env["ir.sequence"]
            .sudo()
            .search(
                [("code", "=", "aftersales.warranty"), ("company_id", "in", [company.id, False])],
                order="company_id",
                limit=1,
            )
        )
        if not sequence:
            return ["/"] * count
        if sequence.implementation != "standard" or sequence.use_date_range or count == 1:
            return [sequence.with_company(company)._next() for _i in range(count)]
        self.env.cr.execute(
            SQL(
                "SELECT nextval(%s) FROM generate_series(1, %s)",
                "ir_sequence_%03d" % sequence.id,
                count,
            )
        )
        return [sequence.get_next_char(number) for (number,) in self.env.cr.fetchall()]

    @api.model
    @api.readonly
    @api.returns("self", lambda value: value.id)
    def find_covering_warranty(self, partner, product, lot=None, date=None):
        """The warranty (0 or 1 record) covering ``product`` (serial ``lot``) of ``partner`` on
        ``date`` (default today): same commercial partner, not void, start <= date <= end.
        Over RPC (read-only: a replica answers it) the warranty's id, or False.

        A serial that has no warranty of its own (its policy started on the invoice or the order,
        before serials were known) is covered by the customer's warranty of that product without
        serial."""
        partner = self.env["res.partner"].browse(int(partner)) if isinstance(partner, int) else partner
        product = self.env["product.product"].browse(int(product)) if isinstance(product, int) else product
        if isinstance(lot, int):
            lot = self.env["stock.lot"].browse(lot)
        date = fields.Date.to_date(date) if date else self.company_id[:1]._aftersales_date()
        domain = [
            ("commercial_partner_id", "=", partner.commercial_partner_id.id),
            ("product_id", "=", product.id),
            ("state", "!=", "void"),
            ("start_date", "<=", date),
            ("end_date", ">=", date),
        ]
        if not lot:
            return self.search(domain, order="end_date desc, id desc", limit=1)
        warranty = self.search(domain + [("lot_id", "=", lot.id)], order="end_date desc, id desc", limit=1)
        if warranty or self.search_count(domain[:2] + [("lot_id", "=", lot.id)], limit=1):
            return warranty
        return self.search(domain + [("lot_id", "=", False)], order="end_date desc, id desc", limit=1)

    @api.model
    def _find_last_warranty(self, partner, product, lot=None):
        """The latest non-void warranty of that unit, covering or not (for after-expiry pricing)."""
        domain = [
            ("commercial_partner_id", "=", partner.commercial_partner_id.id),
            ("product_id", "=", product.id),
            ("state", "!=", "void"),
        ]
        if not lot:
            return self.search(domain, order="end_date desc, id desc", limit=1)
        warranty = self.search(domain + [("lot_id", "=", lot.id)], order="end_date desc, id desc", limit=1)
        if warranty or self.search_count(domain[:2] + [("lot_id", "=", lot.id)], limit=1):
            return warranty
        return self.search(domain + [("lot_id", "=", False)], order="end_date desc, id desc", limit=1)

    def _get_report_base_filename(self):
        self.ensure_one()
        return _("Warranty - %(name)s", name=self.name)

    def _is_covering(self, date=None):
        self.ensure_one()
        date = fields.Date.to_date(date) if date else self.company_id[:1]._aftersales_date()
        if self.state == "void" or not (self.start_date and self.end_date):
            return False
        return self.start_date <= date <= self.end_date

    @api.model
    def _prepare_repair_order_vals(self, partner, product, lot=None, warranty=None, **extra_vals):
        in_warranty = bool(warranty) and warranty._is_covering()
        vals = {
            "partner_id": partner.id,
            "product_id": product.id,
            "lot_id": lot.id if lot else False,
            "under_warranty": in_warranty,
            "aftersales_warranty_id": warranty.id if warranty else False,
        }
        if warranty:
            vals["company_id"] = warranty.company_id.id
        vals.update(extra_vals)
        return vals

    @api.model
    def _create_repair_order(self, partner, product, lot=None, warranty=None, **extra_vals):
        """A standard ``repair.order`` for that unit, priced per the warranty (W-3, W-4).

        Without ``warranty`` the covering warranty is looked up, else the last expired one. An
        expired warranty whose policy refuses repairs (``none``) raises a ``UserError``."""
        if not warranty:
            warranty = self.find_covering_warranty(partner, product, lot=lot) or self._find_last_warranty(
                partner, product, lot=lot
            )
        if warranty and warranty.state == "void":
            raise UserError(_("Warranty %(name)s is void: create the repair without it.", name=warranty.name))
        if warranty and not warranty._is_covering() and warranty.after_expiry_mode == "none":
            raise UserError(
                _(
                    "Warranty %(name)s expired on %(date)s and its policy %(policy)s offers no repair "
                    "after expiry.",
                    name=warranty.name,
                    date=warranty.end_date,
                    policy=warranty.policy_id.name,
                )
            )
        vals = self._prepare_repair_order_vals(partner, product, lot=lot, warranty=warranty, **extra_vals)
        company = self.env["res.company"].browse(vals.get("company_id")) or self.env.company
        Repair = self.env["repair.order"]
        if not Repair.has_access("create"):
            # sudo: after-sales users open the repair of a unit they handle (their case or
            # warranty, checked by reading it above) without warehouse rights; the repair is
            # then worked by the workshop's stock users, after-sales users only read it
            Repair = Repair.sudo()
        return Repair.with_company(company).create(vals).sudo(False)

    # --- scheduled actions
