# pylint: disable=consider-merging-classes-inherited
# (a rule part of the model, in a room of its own: see docs/ARCHITECTURE.md)
from odoo import _, api, fields, models
from odoo.exceptions import UserError

from .aftersales_case import OPEN_STATES
from .tools import form_action

INTERNAL = "aftersales_service.group_aftersales_user"


class AftersalesCase(models.Model):
    """The field-service part of a case: a fault that cannot be solved by phone is dispatched to
    an on-site visit (F-1); travel, parts and labour add to the case's service cost (F-5)."""

    _inherit = "aftersales.case"

    field_visit_ids = fields.One2many(
        "aftersales.field.visit", "case_id", string="Field Visits", groups=INTERNAL
    )
    field_visit_count = fields.Integer(compute="_compute_service_cost", groups=INTERNAL)
    currency_id = fields.Many2one(related="company_id.currency_id")
    service_cost_parts = fields.Monetary(
        string="Parts Cost", compute="_compute_service_cost", groups=INTERNAL, currency_field="currency_id"
    )
    service_cost_labour = fields.Monetary(
        string="Labour Cost", compute="_compute_service_cost", groups=INTERNAL, currency_field="currency_id"
    )
    service_cost_travel = fields.Monetary(
        string="Travel Cost", compute="_compute_service_cost", groups=INTERNAL, currency_field="currency_id"
    )
    service_cost = fields.Monetary(
        compute="_compute_service_cost",
        groups=INTERNAL,
        currency_field="currency_id",
        help="Parts at cost (case and visits), labour hours at the service product's cost and the "
        "approved travel costs.",
    )
    can_dispatch = fields.Boolean(compute="_compute_can_dispatch")

    @api.depends(
        "part_ids.quantity",
        "time_spent",
        "field_visit_ids.parts_cost",
        "field_visit_ids.labour_hours",
        "field_visit_ids.travel_cost",
        "field_visit_ids.state",
    )
    def _compute_service_cost(self):
        for case in self:
            # sudo: costs are read for the case's own visits and parts (standard prices, travel)
            case_sudo = case.sudo()
            visits = case_sudo.field_visit_ids.filtered(lambda v: v.state != "cancelled")
            hour_cost = case_sudo.company_id.aftersales_case_service_product_id.standard_price
            case.field_visit_count = len(case_sudo.field_visit_ids)
            case.service_cost_parts = sum(
                part.product_id.standard_price * part.quantity for part in case_sudo.part_ids
            ) + sum(visits.mapped("parts_cost"))
            case.service_cost_labour = (case_sudo.time_spent + sum(visits.mapped("labour_hours"))) * hour_cost
            case.service_cost_travel = sum(visits.mapped("travel_cost"))
            case.service_cost = case.service_cost_parts + case.service_cost_labour + case.service_cost_travel

    @api.depends("state")
    def _compute_can_dispatch(self):
        for case in self:
            case.can_dispatch = case.state in OPEN_STATES

    def action_dispatch(self):
        """F-1: the fault cannot be solved by phone: an on-site visit for the case's unit."""
        self.ensure_one()
        if not self.can_dispatch:
            raise UserError(_("Case %(name)s is not open: it cannot be dispatched.", name=self.name))
        if not self.partner_id:
            raise UserError(_("Set the customer of case %(name)s before dispatching it.", name=self.name))
        visit = self.env["aftersales.field.visit"].create(self._prepare_field_visit_vals())
        return form_action(visit)

    def _prepare_field_visit_vals(self):
        self.ensure_one()
        return {
            "case_id": self.id,
            "company_id": self.company_id.id,
            "kind": "repair",
            "partner_id": self.partner_id.id,
            "product_id": self.product_id.id,
            "lot_id": self.lot_id.id,
            "warranty_id": self.warranty_id.id,
            "user_id": (self.user_id or self.env.user).id,
        }

    @api.readonly
    def action_view_field_visits(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "aftersales_service.aftersales_field_visit_action"
        )
        action["domain"] = [("case_id", "=", self.id)]
        action["context"] = {"default_case_id": self.id}
        return action
