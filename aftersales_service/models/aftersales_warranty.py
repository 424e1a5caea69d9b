from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models, tools
from odoo.exceptions import UserError, ValidationError

WARRANTY_STATES = [("active", "Active"), ("expired", "Expired"), ("void", "Void")]


class AftersalesWarranty(models.Model):
    """The warranty of one sold unit group (W-2): per serial/lot when tracked."""

    _name = "aftersales.warranty"
    _description = "Warranty"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "end_date desc, id desc"
    _check_company_auto = True

    name = fields.Char(string="Reference", required=True, readonly=True, copy=False, default="/")
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    # --- what was sold, to whom
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, tracking=True, check_company=True
    )
    commercial_partner_id = fields.Many2one(
        related="partner_id.commercial_partner_id", store=True, index=True, string="Commercial Entity"
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
    after_expiry_mode = fields.Selection(related="policy_id.after_expiry_mode")
    start_date = fields.Date(required=True, tracking=True, default=fields.Date.context_today)
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
    void_reason = fields.Char(readonly=True)
    expiry_reminder_sent = fields.Boolean(copy=False, readonly=True)
    repair_ids = fields.One2many("repair.order", "aftersales_warranty_id", string="Repairs")
    repair_count = fields.Integer(compute="_compute_repair_count")

    def init(self):
        # the lookup of find_covering_warranty: customer + product (+ serial) + date range
        tools.create_index(
            self._cr,
            "aftersales_warranty_lookup_index",
            self._table,
            ["commercial_partner_id", "product_id", "lot_id", "end_date"],
        )

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
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                company = self.env["res.company"].browse(vals.get("company_id")) or self.env.company
                vals["name"] = (
                    self.env["ir.sequence"].with_company(company).next_by_code("aftersales.warranty") or "/"
                )
        return super().create(vals_list)

    # --- actions
    def action_void(self):
        self.write({"state": "void"})

    def action_create_repair(self):
        self.ensure_one()
        repair = self._create_repair_order(self.partner_id, self.product_id, lot=self.lot_id, warranty=self)
        return {
            "type": "ir.actions.act_window",
            "res_model": "repair.order",
            "res_id": repair.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }

    def action_view_repairs(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("repair.action_repair_order_tree")
        action["domain"] = [("aftersales_warranty_id", "=", self.id)]
        action["context"] = {"create": False}
        return action

    # --- business methods
    @api.model
    def find_covering_warranty(self, partner, product, lot=None, date=None):
        """The warranty (0 or 1 record) covering ``product`` (serial ``lot``) of ``partner`` on
        ``date`` (default today): same commercial partner, not void, start <= date <= end."""
        partner = self.env["res.partner"].browse(int(partner)) if isinstance(partner, int) else partner
        product = self.env["product.product"].browse(int(product)) if isinstance(product, int) else product
        if isinstance(lot, int):
            lot = self.env["stock.lot"].browse(lot)
        date = fields.Date.to_date(date) if date else fields.Date.context_today(self)
        domain = [
            ("commercial_partner_id", "=", partner.commercial_partner_id.id),
            ("product_id", "=", product.id),
            ("state", "!=", "void"),
            ("start_date", "<=", date),
            ("end_date", ">=", date),
        ]
        if lot:
            domain.append(("lot_id", "=", lot.id))
        return self.search(domain, order="end_date desc, id desc", limit=1)

    @api.model
    def _find_last_warranty(self, partner, product, lot=None):
        """The latest non-void warranty of that unit, covering or not (for after-expiry pricing)."""
        domain = [
            ("commercial_partner_id", "=", partner.commercial_partner_id.id),
            ("product_id", "=", product.id),
            ("state", "!=", "void"),
        ]
        if lot:
            domain.append(("lot_id", "=", lot.id))
        return self.search(domain, order="end_date desc, id desc", limit=1)

    def _is_covering(self, date=None):
        self.ensure_one()
        date = fields.Date.to_date(date) if date else fields.Date.context_today(self)
        return self.state != "void" and self.start_date <= date <= self.end_date

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
        if warranty and not warranty._is_covering() and warranty.policy_id.after_expiry_mode == "none":
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
        return self.env["repair.order"].create(vals)

    # --- scheduled actions
    @api.model
    def _cron_update_warranty_states(self):
        """Daily: expire warranties past their end date, remind salespeople before expiry."""
        today = fields.Date.context_today(self)
        self.search([("state", "=", "active"), ("end_date", "<", today)]).write({"state": "expired"})
        self._plan_expiry_reminders(today)

    @api.model
    def _plan_expiry_reminders(self, today):
        """Plan a to-do for the salesperson N days before expiry (N per company, 0 = off)."""
        for company in self.env["res.company"].search([("aftersales_warranty_reminder_days", ">", 0)]):
            limit = today + relativedelta(days=company.aftersales_warranty_reminder_days)
            warranties = self.search(
                [
                    ("company_id", "=", company.id),
                    ("state", "=", "active"),
                    ("expiry_reminder_sent", "=", False),
                    ("end_date", ">=", today),
                    ("end_date", "<=", limit),
                ]
            )
            for warranty in warranties:
                warranty.activity_schedule(
                    "mail.mail_activity_data_todo",
                    date_deadline=warranty.end_date,
                    summary=_("Warranty expires on %(date)s", date=warranty.end_date),
                    note=_(
                        "The warranty of %(product)s sold to %(customer)s ends on %(date)s.",
                        product=warranty.product_id.display_name,
                        customer=warranty.partner_id.display_name,
                        date=warranty.end_date,
                    ),
                    user_id=(warranty.user_id or company.aftersales_manager_id or self.env.user).id,
                )
            warranties.expiry_reminder_sent = True
