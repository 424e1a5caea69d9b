from odoo import Command, _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.osv import expression
from odoo.tools.translate import LazyTranslate

from .aftersales_lock import CREATION_LOCKS, SYSTEM, Frozen
from .tools import (
    chase_once,
    documents_action,
    form_action,
    lock_for_action,
    privileged,
)

_lt = LazyTranslate(__name__)

LOAN_STATES = [
    ("draft", "Draft"),
    ("out", "Lent"),
    ("returned", "Returned"),
    ("invoiced", "Invoiced"),
]
MANAGER_GROUP = "aftersales_service.group_aftersales_manager"


class AftersalesLoan(models.Model):
    """A unit lent to the customer of a case from the company's loaner stock, with a due date:
    it leaves with a standard delivery and comes back with Odoo's return of that delivery; an
    overdue loan is chased with an activity, and an unreturned one can be invoiced to the
    customer at the product's sales price (a standard customer invoice)."""

    _name = "aftersales.loan"
    _description = "Loaned Unit"
    _inherit = ["aftersales.lock.mixin", "aftersales.number.guard", "mail.thread", "mail.activity.mixin"]
    _order = "id desc"
    _check_company_auto = True

    # who may change what, in which state (aftersales.lock.mixin)
    _aftersales_locks = {
        # the stock and invoicing actions and the chase cron
        **dict.fromkeys(("state", "picking_ids", "invoice_ids", "overdue_chased"), SYSTEM),
        **CREATION_LOCKS,
        # once lent, what was lent is frozen: the delivery was made for it
        **dict.fromkeys(
            ("case_id", "partner_id", "product_id", "lot_id"),
            Frozen(
                ("out", "returned", "invoiced"),
                reason=_lt("the unit was lent: its case, customer, product and serial are those delivered"),
            ),
        ),
    }
    # a new due day is agreed with the customer (the unit is chased again if it is late)
    _aftersales_free = ("date_due",)
    _aftersales_unlink_lock = Frozen(
        ("out", "returned", "invoiced"), reason=_lt("only draft loans are deleted")
    )

    name = fields.Char(string="Reference", required=True, readonly=True, copy=False, default="/")
    company_id = fields.Many2one(
        "res.company",
        compute="_compute_company_id",
        store=True,
        readonly=False,
        precompute=True,
        required=True,
        index=True,
    )
    case_id = fields.Many2one(
        "aftersales.case", string="Service Case", required=True, index=True, tracking=True, check_company=True
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
    product_id = fields.Many2one(
        "product.product",
        string="Loaned Product",
        required=True,
        tracking=True,
        check_company=True,
        domain=[("is_storable", "=", True)],
    )
    tracking = fields.Selection(related="product_id.tracking")
    lot_id = fields.Many2one(
        "stock.lot",
        string="Serial Number",
        tracking=True,
        check_company=True,
        domain="[('product_id', '=', product_id)]",
    )
    date_due = fields.Date(
        string="Due Back On", tracking=True, help="The day the customer brings the unit back."
    )
    state = fields.Selection(
        LOAN_STATES, default="draft", required=True, tracking=True, copy=False, index=True
    )
    is_overdue = fields.Boolean(compute="_compute_is_overdue", search="_search_is_overdue")
    overdue_chased = fields.Boolean(
        readonly=True, copy=False, help="An activity was scheduled to chase the overdue unit."
    )
    picking_ids = fields.Many2many(
        "stock.picking", string="Transfers", copy=False, readonly=True, check_company=True
    )
    picking_count = fields.Integer(compute="_compute_counts")
    invoice_ids = fields.Many2many(
        "account.move",
        string="Invoices",
        copy=False,
        readonly=True,
        check_company=True,
        groups="account.group_account_invoice",
    )
    invoice_count = fields.Integer(compute="_compute_counts")
    # --- workflow buttons: one rule each, in Python (the views only show them)
    can_lend = fields.Boolean(compute="_compute_can_flags")
    can_return = fields.Boolean(compute="_compute_can_flags")
    can_invoice = fields.Boolean(compute="_compute_can_flags")

    _sql_constraints = [
        ("name_company_uniq", "unique(name, company_id)", "A loan reference is unique per company."),
    ]

    # ------------------------------------------------------------------ computes
    @api.depends("case_id")
    def _compute_company_id(self):
        for loan in self:
            if loan.case_id:
                loan.company_id = loan.case_id.company_id
            elif not loan.company_id:
                loan.company_id = self.env.company

    @api.depends("case_id")
    def _compute_partner_id(self):
        for loan in self:
            if loan.case_id.partner_id:
                loan.partner_id = loan.case_id.partner_id

    @api.depends("state", "date_due", "company_id")
    def _compute_is_overdue(self):
        for loan in self:
            loan.is_overdue = (
                loan.state == "out"
                and bool(loan.date_due)
                and loan.date_due < loan.company_id._aftersales_date()
            )

    def _search_is_overdue(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(_("Search overdue loans with = or != True/False only."))
        domain = expression.AND(
            [[("state", "=", "out")], self.env["res.company"]._aftersales_date_domain("date_due", "<")]
        )
        if (operator == "=") == value:
            return domain
        return ["!", *domain]

    def _compute_counts(self):
        # sudo: counters only; after-sales users without invoicing rights see how many
        for loan in self:
            loan_sudo = loan.sudo()
            loan.picking_count = len(loan_sudo.picking_ids)
            loan.invoice_count = len(loan_sudo.invoice_ids)

    @api.depends("state", "date_due", "company_id")
    @api.depends_context("uid")
    def _compute_can_flags(self):
        is_manager = self.env.user.has_group(MANAGER_GROUP)
        for loan in self:
            loan.can_lend = loan.state == "draft"
            loan.can_return = loan.state == "out"
            loan.can_invoice = is_manager and loan.is_overdue

    # ------------------------------------------------------------------ CRUD
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                company = self.env["res.company"].browse(vals.get("company_id"))
                if not company and vals.get("case_id"):
                    company = self.env["aftersales.case"].browse(vals["case_id"]).company_id
                company = company or self.env.company
                vals["name"] = (
                    self.env["ir.sequence"].with_company(company).next_by_code("aftersales.loan") or "/"
                )
        return super().create(vals_list)

    def write(self, vals):
        res = super().write(vals)
        if "date_due" in vals:
            # a new due day: the unit is chased again if it is not back by then
            privileged(self).filtered("overdue_chased").write({"overdue_chased": False})
        return res

    # ------------------------------------------------------------------ lend
    def action_lend(self):
        """Lend the unit: a delivery from the company's loaner location to the customer, confirmed
        and with the serial number reserved; the warehouse validates it as any delivery."""
        lock_for_action(self)
        for loan in self:
            loan._check_can_lend()
        for loan in self:
            loan._action_lend()
        return True

    def _check_can_lend(self):
        self.ensure_one()
        if self.state != "draft":
            raise UserError(_("Loan %(name)s was already lent.", name=self.name))
        if not self.product_id:
            raise UserError(_("Choose the product to lend on loan %(name)s.", name=self.name))
        if not self.date_due:
            raise UserError(_("Set the day the unit is due back on loan %(name)s.", name=self.name))
        if self.date_due < self.company_id._aftersales_date():
            raise UserError(
                _("Loan %(name)s would be overdue at once: its due day is in the past.", name=self.name)
            )
        if self.product_id.tracking != "none" and not self.lot_id:
            raise UserError(
                _(
                    "%(product)s is tracked: choose the serial number of the unit lent on loan %(name)s.",
                    product=self.product_id.display_name,
                    name=self.name,
                )
            )
        if self.lot_id and self.lot_id.product_id != self.product_id:
            raise UserError(
                _(
                    "Serial number %(lot)s is not a %(product)s.",
                    lot=self.lot_id.name,
                    product=self.product_id.display_name,
                )
            )
        location = self.company_id.aftersales_loaner_location_id
        if not location:
            raise UserError(
                _(
                    "No loaner location is set for %(company)s: choose it in the After-Sales settings "
                    "(Loaner units) before lending a unit.",
                    company=self.company_id.name,
                )
            )
        if not self._loaner_warehouse():
            raise UserError(
                _("%(company)s has no warehouse to deliver the unit from.", company=self.company_id.name)
            )
        # sudo: the loaner stock, for after-sales users who do not run the warehouse
        available = (
            self.env["stock.quant"]
            .sudo()
            ._get_available_quantity(self.product_id, location, lot_id=self.lot_id or None, strict=False)
        )
        if available < 1:
            raise UserError(
                _(
                    "%(unit)s is not available in the loaner location %(location)s.",
                    unit=self.lot_id.name or self.product_id.display_name,
                    location=location.display_name,
                )
            )

    def _loaner_warehouse(self):
        self.ensure_one()
        # sudo: the company's warehouse is configuration read by any after-sales flow
        return self.env["stock.warehouse"].sudo().search([("company_id", "=", self.company_id.id)], limit=1)

    def _prepare_delivery_vals(self):
        """Values of the loan's delivery: one unit from the loaner location to the customer."""
        self.ensure_one()
        location = self.company_id.aftersales_loaner_location_id
        partner = self.partner_id.with_company(self.company_id)
        destination = partner.property_stock_customer or self.env.ref("stock.stock_location_customers")
        return {
            "picking_type_id": self._loaner_warehouse().out_type_id.id,
            "partner_id": self.partner_id.id,
            "company_id": self.company_id.id,
            "location_id": location.id,
            "location_dest_id": destination.id,
            "origin": self.name,
            "scheduled_date": fields.Datetime.now(),
            "move_ids": [
                Command.create(
                    {
                        "name": _(
                            "Loan %(name)s: %(product)s", name=self.name, product=self.product_id.display_name
                        ),
                        "product_id": self.product_id.id,
                        "product_uom_qty": 1.0,
                        "product_uom": self.product_id.uom_id.id,
                        "location_id": location.id,
                        "location_dest_id": destination.id,
                        "company_id": self.company_id.id,
                    }
                )
            ],
        }

    def _action_lend(self):
        """Create and confirm the delivery, reserve the lent unit.

        Runs as superuser: called by ``action_lend`` once the loan was checked, it creates exactly
        the delivery of the loaned unit, so after-sales users need no warehouse rights."""
        self.ensure_one()
        loan = self.sudo()
        picking = loan.env["stock.picking"].create(loan._prepare_delivery_vals())
        picking.action_confirm()
        move = picking.move_ids
        if loan.lot_id:
            # the chosen unit, not any other unit of the loaner stock
            move.move_line_ids.unlink()
            loan.env["stock.move.line"].create(
                {
                    "move_id": move.id,
                    "picking_id": picking.id,
                    "product_id": loan.product_id.id,
                    "product_uom_id": move.product_uom.id,
                    "lot_id": loan.lot_id.id,
                    "quantity": 1.0,
                    "location_id": picking.location_id.id,
                    "location_dest_id": picking.location_dest_id.id,
                }
            )
        else:
            picking.action_assign()
        privileged(self).write({"state": "out", "picking_ids": [Command.link(picking.id)]})
        self.message_post(body=_("Unit lent: delivery %(picking)s created.", picking=picking.name))
        return picking

    # ------------------------------------------------------------------ return
    def action_returned(self):
        """The unit came back: Odoo's return of the loan's delivery brings it into the loaner
        location, validated at once (the user records the unit they received)."""
        lock_for_action(self)
        for loan in self:
            if loan.state != "out":
                raise UserError(_("Loan %(name)s is not out: only a lent unit comes back.", name=loan.name))
            if not loan.company_id.aftersales_loaner_location_id:
                raise UserError(
                    _(
                        "No loaner location is set for %(company)s: choose it in the After-Sales settings.",
                        company=loan.company_id.name,
                    )
                )
            delivery = loan._loan_delivery()
            if delivery.state != "done":
                raise UserError(
                    _(
                        "The delivery %(picking)s of loan %(name)s was not validated: the unit never "
                        "left. Validate the delivery first.",
                        picking=delivery.name,
                        name=loan.name,
                    )
                )
        for loan in self:
            loan._action_returned()
        return True

    def _loan_delivery(self):
        self.ensure_one()
        # sudo: the loan's own transfers, for after-sales users without warehouse rights
        return self.sudo().picking_ids.filtered(
            lambda p: p.picking_type_code == "outgoing" and p.state != "cancel"
        )[:1]

    def _action_returned(self):
        """Return the delivery with Odoo's return wizard, into the loaner location, and validate it.

        Runs as superuser: called by ``action_returned`` once the loan was checked; it receives
        exactly the loan's unit."""
        self.ensure_one()
        loan = self.sudo()
        delivery = loan._loan_delivery()
        location = loan.company_id.aftersales_loaner_location_id
        Wizard = loan.env["stock.return.picking"].with_context(
            active_id=delivery.id, active_ids=delivery.ids, active_model="stock.picking"
        )
        wizard = Wizard.create(
            {
                "picking_id": delivery.id,
                "product_return_moves": [
                    Command.create(
                        {**Wizard._prepare_stock_return_picking_line_vals_from_move(move), "quantity": 1.0}
                    )
                    for move in delivery.move_ids.filtered(lambda m: m.state == "done")
                ],
            }
        )
        action = wizard.action_create_returns()
        back = loan.env["stock.picking"].browse(action["res_id"])
        # into the loaner stock, not the warehouse's receipt location
        back.location_dest_id = location
        back.move_line_ids.unlink()
        for move in back.move_ids:
            if loan.lot_id:
                loan.env["stock.move.line"].create(
                    {
                        "move_id": move.id,
                        "picking_id": back.id,
                        "product_id": move.product_id.id,
                        "product_uom_id": move.product_uom.id,
                        "lot_id": loan.lot_id.id,
                        "quantity": move.product_uom_qty,
                        "location_id": move.location_id.id,
                        "location_dest_id": location.id,
                    }
                )
            else:
                move.quantity = move.product_uom_qty
            move.picked = True
        back.with_context(skip_backorder=True).button_validate()
        privileged(self).write({"state": "returned", "picking_ids": [Command.link(back.id)]})
        self.activity_ids.action_feedback(_("Unit returned"))
        self.message_post(body=_("Unit returned: %(picking)s received.", picking=back.name))
        return back

    # ------------------------------------------------------------------ invoice
    def action_invoice(self):
        """Invoice an overdue, unreturned loaner to the customer at the product's sales price
        (a standard customer invoice, left in draft for accounting)."""
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(_("Only an After-Sales manager can invoice an unreturned loaner."))
        lock_for_action(self)
        for loan in self:
            if loan.state != "out":
                raise UserError(
                    _("Loan %(name)s is not out: only an unreturned unit is invoiced.", name=loan.name)
                )
            if not loan.is_overdue:
                raise UserError(
                    _(
                        "Loan %(name)s is due back on %(date)s: it can be invoiced only after that day.",
                        name=loan.name,
                        date=loan.date_due,
                    )
                )
        invoices = self.env["account.move"]
        for loan in self:
            invoices |= loan._action_invoice()
        if len(invoices) == 1:
            return form_action(invoices)
        return True

    def _prepare_invoice_vals(self):
        self.ensure_one()
        product = self.product_id.with_company(self.company_id)
        name = _(
            "%(product)s: loaned unit not returned (%(loan)s)", product=product.display_name, loan=self.name
        )
        if self.lot_id:
            name = _(
                "%(product)s, serial %(lot)s: loaned unit not returned (%(loan)s)",
                product=product.display_name,
                lot=self.lot_id.name,
                loan=self.name,
            )
        return {
            "move_type": "out_invoice",
            "partner_id": self.partner_id.id,
            "company_id": self.company_id.id,
            "invoice_origin": self.name,
            "ref": self.name,
            "invoice_line_ids": [
                Command.create(
                    {"product_id": product.id, "quantity": 1.0, "price_unit": product.lst_price, "name": name}
                )
            ],
        }

    def _action_invoice(self):
        """Runs the creation as superuser: called by ``action_invoice`` after the manager check,
        it creates one draft invoice of the loaned product; managers may lack invoicing rights."""
        self.ensure_one()
        invoice = (
            self.env["account.move"].sudo().with_company(self.company_id).create(self._prepare_invoice_vals())
        )
        privileged(self.sudo()).write({"state": "invoiced", "invoice_ids": [Command.link(invoice.id)]})
        self.activity_ids.action_feedback(_("Invoiced"))
        self.message_post(body=_("Unreturned unit invoiced: %(invoice)s.", invoice=invoice.display_name))
        return invoice.sudo(False)

    # ------------------------------------------------------------------ views
    @api.readonly
    def action_view_pickings(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("stock.action_picking_tree_all")
        action["domain"] = [("id", "in", self.picking_ids.ids)]
        action["context"] = {"create": False}
        return action

    @api.readonly
    def action_view_invoices(self):
        self.ensure_one()
        return documents_action(self.env, "account.action_move_out_invoice_type", self.invoice_ids)

    # ------------------------------------------------------------------ cron
    @api.model
    def _cron_chase_overdue(self, batch_size=500):
        """Chase the units not back on their due day (the company's day): one activity per
        overdue loan, for the case's responsible or the company's after-sales manager, never
        twice (``overdue_chased`` is the resume point). A bounded batch per call."""
        domain = [("is_overdue", "=", True), ("overdue_chased", "=", False)]
        loans = self.search(domain, limit=batch_size, order="date_due, id")
        for loan in loans:
            chase_once(
                loan,
                loan.case_id.user_id or loan.company_id.aftersales_manager_id,
                _("Loaned unit %(name)s was due back on %(date)s", name=loan.name, date=loan.date_due),
                "overdue_chased",
                f"Chasing the overdue loan {loan.name}",
            )
        remaining = self.search_count(domain) if len(loans) == batch_size else 0
        self.env["ir.cron"]._notify_progress(done=len(loans), remaining=remaining)
        return len(loans)
