from collections import defaultdict

from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models, tools
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL, float_compare

from .tools import form_action

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
    can_create_repair = fields.Boolean(
        compute="_compute_can_create_repair",
        help="Not void, and covering today or its policy still repairs after expiry (W-4).",
    )

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

    @api.depends("state", "start_date", "end_date", "policy_id.after_expiry_mode")
    def _compute_can_create_repair(self):
        for warranty in self:
            warranty.can_create_repair = warranty.state != "void" and (
                warranty._is_covering() or warranty.policy_id.after_expiry_mode != "none"
            )

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
        self._void(_("Voided by %(user)s", user=self.env.user.name))

    def action_create_repair(self):
        self.ensure_one()
        repair = self._create_repair_order(self.partner_id, self.product_id, lot=self.lot_id, warranty=self)
        return form_action(repair)

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
    def find_covering_warranty(self, partner, product, lot=None, date=None):
        """The warranty (0 or 1 record) covering ``product`` (serial ``lot``) of ``partner`` on
        ``date`` (default today): same commercial partner, not void, start <= date <= end.

        A serial that has no warranty of its own (its policy started on the invoice or the order,
        before serials were known) is covered by the customer's warranty of that product without
        serial."""
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

    def _is_covering(self, date=None):
        self.ensure_one()
        date = fields.Date.to_date(date) if date else fields.Date.context_today(self)
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
        company = self.env["res.company"].browse(vals.get("company_id")) or self.env.company
        Repair = self.env["repair.order"]
        if not Repair.has_access("create"):
            # sudo: after-sales users open the repair of a unit they handle (their case or
            # warranty, checked by reading it above) without warehouse rights; the repair is
            # then worked by the workshop's stock users, after-sales users only read it
            Repair = Repair.sudo()
        return Repair.with_company(company).create(vals).sudo(False)

    # --- automatic creation (W-2, W-5) and returns
    @api.model
    def _get_start_trigger(self, policy, product):
        """The policy's trigger; products that are never delivered start on the invoice (W-2)."""
        if policy.start_trigger == "delivery" and product.type == "service":
            return "invoice"
        return policy.start_trigger

    @api.model
    def _auto_env(self):
        # sudo: warranties are the bookkeeping of a validated delivery, posted invoice or
        # confirmed order; the stock, accounting or sales user who triggers it may have no
        # after-sales rights, and the values come from that document only.
        return self.sudo().with_context(mail_create_nolog=True, mail_create_nosubscribe=True)

    @api.model
    def _policies_by_trigger(self, trigger, products_companies):
        """{(product, company): policy} for the pairs whose effective policy starts on ``trigger``."""
        res = {}
        for product, company in set(products_companies):
            policy = product._get_aftersales_warranty_policy(company=company)
            if policy and self._get_start_trigger(policy, product) == trigger:
                res[product, company] = policy
        return res

    @api.model
    def _prepare_warranty_vals(self, sale_line, policy, start_date, quantity, lot=None, **extra_vals):
        """Values of one warranty of ``sale_line`` (override point)."""
        order = sale_line.order_id
        vals = {
            "partner_id": order.partner_id.id,
            "sale_order_id": order.id,
            "sale_line_id": sale_line.id,
            "user_id": order.user_id.id,
            "company_id": order.company_id.id,
            "product_id": sale_line.product_id.id,
            "lot_id": lot.id if lot else False,
            "quantity": quantity,
            "policy_id": policy.id,
            "start_date": start_date,
        }
        vals.update(extra_vals)
        return vals

    @api.model
    def _create_from_moves(self, moves):
        """Customer deliveries validated: one warranty per delivered move, one per serial/lot when
        tracked, starting on the done date (W-2). Moves that already have theirs are skipped."""
        moves = moves.filtered(
            lambda m: (
                m.state == "done"
                and m.sale_line_id
                and m.location_dest_id.usage == "customer"
                and m.location_id.usage != "customer"
            )
        )
        if not moves:
            return self.browse()
        Warranty = self._auto_env()
        policies = self._policies_by_trigger("delivery", [(m.product_id, m.company_id) for m in moves])
        done_moves = Warranty.search_fetch([("move_id", "in", moves.ids)], ["move_id"]).move_id
        vals_list = []
        for move in moves.filtered(lambda m: m not in done_moves):
            policy = policies.get((move.product_id, move.company_id))
            if not policy:
                continue
            start = fields.Date.context_today(self, move.date)
            if move.has_tracking != "none":
                qty_by_lot = defaultdict(float)
                for move_line in move.move_line_ids:
                    qty_by_lot[move_line.lot_id] += move_line.quantity_product_uom
                for lot, qty in qty_by_lot.items():
                    vals_list.append(
                        self._prepare_warranty_vals(
                            move.sale_line_id, policy, start, qty, lot=lot, move_id=move.id
                        )
                    )
            else:
                qty = move.product_uom._compute_quantity(move.quantity, move.product_id.uom_id)
                vals_list.append(
                    self._prepare_warranty_vals(move.sale_line_id, policy, start, qty, move_id=move.id)
                )
        return Warranty.create(vals_list)

    @api.model
    def _create_from_invoice_lines(self, lines):
        """Customer invoice posted: one warranty per invoiced line, from the invoice date (W-2)."""
        lines = lines.filtered(
            lambda line: (
                line.move_id.move_type == "out_invoice"
                and line.display_type == "product"
                and line.product_id
                and line.sale_line_ids
                and line.quantity > 0
            )
        )
        if not lines:
            return self.browse()
        Warranty = self._auto_env()
        policies = self._policies_by_trigger(
            "invoice", [(line.product_id, line.company_id) for line in lines]
        )
        done_lines = Warranty.search_fetch(
            [("invoice_line_id", "in", lines.ids)], ["invoice_line_id"]
        ).invoice_line_id
        vals_list = []
        for line in lines.filtered(lambda line: line not in done_lines):
            policy = policies.get((line.product_id, line.company_id))
            if not policy:
                continue
            qty = line.product_uom_id._compute_quantity(line.quantity, line.product_id.uom_id)
            vals_list.append(
                self._prepare_warranty_vals(
                    line.sale_line_ids[:1], policy, line.move_id.invoice_date, qty, invoice_line_id=line.id
                )
            )
        return Warranty.create(vals_list)

    @api.model
    def _create_from_order_lines(self, lines):
        """Order confirmed: one warranty per order line, from the order date (W-2)."""
        lines = lines.filtered(
            lambda line: (
                not line.display_type
                and line.product_id
                and not line.is_downpayment
                and line.product_uom_qty > 0
            )
        )
        if not lines:
            return self.browse()
        Warranty = self._auto_env()
        policies = self._policies_by_trigger("order", [(line.product_id, line.company_id) for line in lines])
        done_lines = Warranty.search_fetch(
            [("sale_line_id", "in", lines.ids), ("move_id", "=", False), ("invoice_line_id", "=", False)],
            ["sale_line_id"],
        ).sale_line_id
        vals_list = []
        for line in lines.filtered(lambda line: line not in done_lines):
            policy = policies.get((line.product_id, line.company_id))
            if not policy:
                continue
            start = fields.Date.context_today(self, line.order_id.date_order)
            qty = line.product_uom._compute_quantity(line.product_uom_qty, line.product_id.uom_id)
            vals_list.append(self._prepare_warranty_vals(line, policy, start, qty))
        return Warranty.create(vals_list)

    @api.model
    def _process_customer_returns(self, moves):
        """A validated customer return voids the warranty of the returned serials, or reduces the
        quantity of an untracked warranty (voided when nothing is left)."""
        moves = moves.filtered(
            lambda m: (
                m.state == "done"
                and m.location_id.usage == "customer"
                and m.location_dest_id.usage != "customer"
                and (m.origin_returned_move_id or m.sale_line_id)
            )
        )
        if not moves:
            return
        Warranty = self._auto_env()
        candidates = Warranty.search(
            [
                ("state", "!=", "void"),
                "|",
                ("move_id", "in", moves.origin_returned_move_id.ids),
                ("sale_line_id", "in", moves.sale_line_id.ids),
            ],
            order="start_date desc, id desc",
        )
        for move in moves:
            reason = _("Returned with %(reference)s", reference=move.picking_id.name or move.reference)

            def matches(warranty, move=move):
                if warranty.state == "void" or warranty.product_id != move.product_id:
                    return False
                if move.origin_returned_move_id and warranty.move_id == move.origin_returned_move_id:
                    return True
                return bool(move.sale_line_id) and warranty.sale_line_id == move.sale_line_id

            mine = candidates.filtered(matches)
            # the warranties of the returned delivery first
            mine = mine.sorted(lambda w, origin=move.origin_returned_move_id: w.move_id != origin)
            remaining = move.product_uom._compute_quantity(move.quantity, move.product_id.uom_id)
            if move.has_tracking != "none":
                returned = mine.filtered(
                    lambda w, lots=move.move_line_ids.lot_id: w.lot_id and w.lot_id in lots
                )
                returned._void(reason)
                remaining -= sum(returned.mapped("quantity"))
                mine = mine.filtered(lambda w: not w.lot_id)
            for warranty in mine:
                if float_compare(remaining, 0.0, precision_rounding=move.product_id.uom_id.rounding) <= 0:
                    break
                taken = min(warranty.quantity, remaining)
                remaining -= taken
                if (
                    float_compare(
                        taken, warranty.quantity, precision_rounding=move.product_id.uom_id.rounding
                    )
                    >= 0
                ):
                    warranty._void(reason)
                else:
                    warranty.quantity -= taken
                    warranty.message_post(
                        body=_(
                            "%(qty)s unit(s) returned with %(reference)s.",
                            qty=taken,
                            reference=move.reference,
                        )
                    )

    def _void(self, reason):
        self.write({"state": "void", "void_reason": reason})
        for warranty in self:
            warranty.message_post(body=reason)

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
