# pylint: disable=consider-merging-classes-inherited
# (a rule part of the model, in a room of its own: see docs/ARCHITECTURE.md)
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import float_compare

# categories that are free whatever covers the unit (advice, complaints, returns)
FREE_CATEGORIES = ("consultation", "complaint", "non_quality", "return_exchange")


class AftersalesCase(models.Model):
    """C-5 type B: a case on a unit a running service contract covers (its serial, or its
    product) is a contract case: not invoiced per case while the contract's period has visits
    and hours left, a paid one beyond; answered within the contract's response times."""

    _inherit = "aftersales.case"

    contract_id = fields.Many2one(
        "aftersales.contract",
        string="Service Contract",
        compute="_compute_contract_id",
        store=True,
        readonly=False,
        precompute=True,
        index="btree_not_null",
        tracking=True,
        check_company=True,
        help="The running service contract of the customer covering the case's serial or product "
        "on the day the case was registered.",
    )

    @api.depends("partner_id", "lot_id", "product_id", "company_id", "date_registered")
    def _compute_contract_id(self):
        for case in self:
            case.contract_id = case._aftersales_find_contract()

    @api.constrains("contract_id", "partner_id")
    def _check_contract_customer(self):
        """A case uses its own customer's contract, never another customer's entitlement."""
        for case in self.sudo().filtered("contract_id"):
            if case.contract_id.commercial_partner_id != case.partner_id.commercial_partner_id:
                raise ValidationError(
                    self.env._(
                        "Case %(case)s: contract %(contract)s is not its customer's.",
                        case=case.name,
                        contract=case.contract_id.name,
                    )
                )

    def _aftersales_find_contract(self):
        """The running contract covering the case's unit: by serial first, then by product."""
        self.ensure_one()
        partner = self.partner_id.commercial_partner_id
        if not partner or not (self.lot_id or self.product_id):
            return self.env["aftersales.contract"]
        company = self.company_id or self.env.company
        day = company._aftersales_date(self.date_registered or fields.Datetime.now())
        domain = [
            ("state", "=", "running"),
            ("company_id", "=", company.id),
            ("commercial_partner_id", "=", partner.id),
            ("date_start", "<=", day),
            ("date_end", ">=", day),
        ]
        covers = []
        if self.lot_id:
            covers.append([("lot_ids", "in", self.lot_id.ids)])
        if self.product_id:
            covers.append([("product_ids", "in", self.product_id.ids)])
        cover = covers[0] if len(covers) == 1 else ["|", *covers[0], *covers[1]]
        # sudo: the lookup is bound to the case's own customer and company; the user creating the
        # case (a customer on the portal, a salesperson) need not read contracts
        contracts = (
            self.env["aftersales.contract"].sudo().search(domain + cover, order="date_start desc, id desc")
        )
        by_serial = contracts.filtered(lambda c: self.lot_id and self.lot_id in c.lot_ids)
        return self.env["aftersales.contract"].browse((by_serial or contracts)[:1].ids)

    @api.depends(
        "category",
        "warranty_state",
        "exclusion_id",
        "field_visit_ids.exclusion_id",
        "field_visit_ids.responsibility",
        "contract_id",
        "time_spent",
        "field_visit_ids.state",
    )
    def _compute_service_type(self):
        res = super()._compute_service_type()
        for case in self:
            if not case.contract_id:
                if case.service_type == "contract":  # no longer covered: nothing makes it free
                    case.service_type = "paid"
            elif not case._aftersales_beyond_entitlement():
                case.service_type = "contract"
            elif case.category in FREE_CATEGORIES or (
                case.warranty_state == "in" and case.service_type == "free"
            ):
                pass  # free anyway (advice, W-3 in warranty): the contract changes nothing
            else:
                case.service_type = "paid"
        return res

    def _aftersales_contract_usage(self):
        """(visits, hours) the case uses of its contract's entitlement: its field visits not
        cancelled and the hours spent on it."""
        self.ensure_one()
        # sudo: visits and hours are internal fields; only counted here
        case = self.sudo()
        visits = len(case.field_visit_ids.filtered(lambda v: v.state != "cancelled"))
        return visits, case.time_spent or 0.0

    def _aftersales_beyond_entitlement(self):
        """Whether the case goes beyond the visits and hours its contract includes in the period
        of the case's day: counted with the contract's cases registered before it in that period
        (the case crossing the line, and every later one, is paid service)."""
        self.ensure_one()
        contract = self.sudo().contract_id
        company = self.company_id or self.env.company
        registered = self.date_registered or fields.Datetime.now()
        start, end = contract._period_bounds(company._aftersales_date(registered))
        own_id = self._origin.id
        # sudo: the other cases of the contract, only counted
        others = (
            self.env["aftersales.case"]
            .sudo()
            .search(
                [
                    ("contract_id", "=", contract.id),
                    ("id", "!=", own_id or 0),
                    ("date_registered", ">=", company._aftersales_datetime(start)),
                    ("date_registered", "<", company._aftersales_datetime(end + timedelta(days=1))),
                    ("date_registered", "<=", registered),
                ]
            )
        )
        visits, hours = self._aftersales_contract_usage()
        for other in others:
            if other.date_registered < registered or (own_id and other.id < own_id) or not own_id:
                other_visits, other_hours = other._aftersales_contract_usage()
                visits += other_visits
                hours += other_hours
        return visits > contract.visits_included or float_compare(hours, contract.hours_included, 2) > 0

    def write(self, vals):
        res = super().write(vals)
        if {"contract_id", "partner_id", "lot_id", "product_id"} & set(vals):
            self._apply_sla(restart_reply=False)  # the contract's response times, or no longer
        return res


class AftersalesSlaPolicy(models.Model):
    _inherit = "aftersales.sla.policy"

    @api.model
    def _get_policy(self, case):
        """A case a service contract covers is answered within the contract's own response
        times (they override C-6); the others by the company's policies."""
        # sudo: the case's contract terms, read for the case the user works on
        policy = case.sudo().contract_id.sla_policy_id
        if policy:
            return self.browse(policy.id)
        return super()._get_policy(case)
