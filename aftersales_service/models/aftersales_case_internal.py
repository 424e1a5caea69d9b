# pylint: disable=consider-merging-classes-inherited
# (a rule part of the model, in a room of its own: see docs/ARCHITECTURE.md)
from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_round

from .tools import privileged

INTERNAL = "aftersales_service.group_aftersales_user"


class ResCompany(models.Model):
    _inherit = "res.company"

    aftersales_internal_analytic_account_id = fields.Many2one(
        "account.analytic.account",
        string="Internal Service Account",
        check_company=True,
        help="The parts and hours of internal service cases are booked as costs on this analytic "
        "account when the case closes.",
    )
    aftersales_internal_hour_cost = fields.Monetary(
        string="Internal Hour Cost",
        currency_field="currency_id",
        help="Cost of one hour of service work on internal cases.",
    )


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    aftersales_internal_analytic_account_id = fields.Many2one(
        related="company_id.aftersales_internal_analytic_account_id", readonly=False
    )
    aftersales_internal_hour_cost = fields.Monetary(
        related="company_id.aftersales_internal_hour_cost", readonly=False
    )


class AccountAnalyticLine(models.Model):
    _inherit = "account.analytic.line"

    aftersales_case_id = fields.Many2one(
        "aftersales.case", string="Service Case", index="btree_not_null", readonly=True, copy=False
    )


class AftersalesCase(models.Model):
    """C-5, type D: a case about the company's own equipment (a ``maintenance.equipment``, or a
    customer that is one of our companies) is internal service. It is never invoiced; when it
    closes, its parts (at cost) and hours (at the company's internal hour cost) are booked on the
    analytic account of Settings, as Odoo's own cost lines (``account.analytic.line``)."""

    _inherit = "aftersales.case"

    equipment_id = fields.Many2one(
        "maintenance.equipment",
        string="Own Equipment",
        check_company=True,
        tracking=True,
        help="The company's own equipment the case is about: internal service, never invoiced.",
    )
    is_internal = fields.Boolean(
        compute="_compute_is_internal",
        store=True,
        precompute=True,
        help="About the company's own equipment, or the customer is one of our companies.",
    )
    # the cost lines themselves for who reads analytic lines (accounting); the total for every
    # after-sales user
    internal_cost_line_ids = fields.One2many(
        "account.analytic.line",
        "aftersales_case_id",
        string="Internal Costs",
        groups="account.group_account_invoice,account.group_account_readonly",
    )
    internal_cost = fields.Monetary(
        compute="_compute_internal_cost", currency_field="company_currency_id", groups=INTERNAL
    )
    company_currency_id = fields.Many2one(related="company_id.currency_id", string="Company Currency")

    @api.depends("equipment_id", "partner_id.commercial_partner_id")
    def _compute_is_internal(self):
        # sudo: which partners are our companies' (a user of one company reads the others' names)
        own = set(self.env["res.company"].sudo().search([]).partner_id.ids)
        for case in self:
            case.is_internal = bool(case.equipment_id) or case.partner_id.commercial_partner_id.id in own

    @api.depends("is_internal")
    def _compute_service_type(self):
        res = super()._compute_service_type()
        for case in self:
            if case.is_internal:
                case.service_type = "internal"
        return res

    @api.depends("service_type")
    def _compute_can_invoice(self):
        res = super()._compute_can_invoice()
        for case in self:
            if case.service_type == "internal":
                case.can_invoice = False
        return res

    def _compute_internal_cost(self):
        for case in self:
            # sudo: the total of the case's own cost lines, for after-sales users without accounting
            case.internal_cost = -sum(case.sudo().internal_cost_line_ids.mapped("amount"))

    def action_create_invoice(self):
        internal = self.filtered(lambda c: c.is_internal or c.service_type == "internal")
        if internal:
            raise UserError(
                _(
                    "Case %(name)s is internal service (our own equipment): it is never invoiced; "
                    "its costs are booked when it closes.",
                    name=internal[0].name,
                )
            )
        return super().action_create_invoice()

    def _action_close(self):
        res = super()._action_close()
        self.filtered(lambda c: c.service_type == "internal")._aftersales_book_internal_costs()
        return res

    def _aftersales_internal_cost_vals(self):
        """The cost lines of the case's work: each part used (the case's and its done visits') at
        the product's cost, and the hours spent at the company's internal hour cost."""
        self.ensure_one()
        case = self.sudo()
        company = case.company_id
        account = company.aftersales_internal_analytic_account_id
        visits = case._aftersales_billed_visits().sudo()
        vals = []
        for part in [*case.part_ids, *visits.part_ids]:
            cost = part.product_id.with_company(company).standard_price * part.quantity
            vals.append(
                {
                    "name": _("%(case)s: %(part)s", case=case.name, part=part.product_id.display_name),
                    "product_id": part.product_id.id,
                    "unit_amount": part.quantity,
                    "product_uom_id": part.product_id.uom_id.id,
                    "amount": -company.currency_id.round(cost),
                }
            )
        hours = case.time_spent + sum(visits.mapped("labour_hours"))
        if hours:
            vals.append(
                {
                    "name": _(
                        "%(case)s: %(hours)s h of service work", case=case.name, hours=float_round(hours, 2)
                    ),
                    "unit_amount": hours,
                    "amount": -company.currency_id.round(hours * company.aftersales_internal_hour_cost),
                }
            )
        for line in vals:
            if account:
                # the account's own plan column (account_id is the project plan's only)
                line[account.plan_id._column_name()] = account.id
            line.update(
                {
                    "company_id": company.id,
                    "date": company._aftersales_date(),
                    "aftersales_case_id": case.id,
                }
            )
        return vals

    def _aftersales_book_internal_costs(self):
        """Once per case: a case reopened and closed again books nothing more."""
        lines, booked = [], self.browse()
        for case in self:
            # sudo: the cost lines are the bookkeeping of the close, checked by its workflow
            if case.sudo().internal_cost_line_ids:
                continue
            vals = case._aftersales_internal_cost_vals()
            if vals and not case.company_id.aftersales_internal_analytic_account_id:
                raise UserError(
                    _(
                        "Case %(name)s is internal service: choose the analytic account of internal "
                        "service in Settings to book its costs.",
                        name=case.name,
                    )
                )
            lines += vals
            booked |= case if vals else booked.browse()
        if lines:
            # sudo: after-sales users do not write analytic lines; the values come from the case
            self.env["account.analytic.line"].sudo().create(lines)
            for case in booked:
                privileged(case).message_post(
                    body=_(
                        "Internal service: %(amount)s booked on %(account)s.",
                        amount=case.company_currency_id.format(case.sudo().internal_cost),
                        account=case.company_id.aftersales_internal_analytic_account_id.display_name,
                    )
                )
