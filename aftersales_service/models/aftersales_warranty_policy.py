from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

DURATION_UNITS = [("days", "Days"), ("months", "Months"), ("years", "Years")]
START_TRIGGERS = [
    ("delivery", "Customer Delivery"),
    ("invoice", "Customer Invoice"),
    ("order", "Order Confirmation"),
]
AFTER_EXPIRY_MODES = [
    ("lifetime_parts_only", "Lifetime Repair: Parts at Cost, No Labour"),
    ("paid", "Paid Repair at Normal Prices"),
    ("none", "No Repair"),
]


class AftersalesWarrantyPolicy(models.Model):
    """A warranty policy (W-1): term, start trigger (W-2), scope, exclusions, after-expiry mode (W-4)."""

    _name = "aftersales.warranty.policy"
    _description = "Warranty Policy"
    _inherit = ["aftersales.number.guard", "mail.thread"]
    # the term has a check of its own, which names the policy (_check_duration)
    _aftersales_signed_fields = ("sequence", "duration")
    _order = "sequence, name, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True, tracking=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one(
        "res.company",
        index=True,
        default=lambda self: self.env.company,
        help="Leave empty to share the policy between companies.",
    )
    # --- term (W-1) and start (W-2)
    duration = fields.Integer(required=True, default=12, tracking=True, help="Warranty term.")
    duration_unit = fields.Selection(DURATION_UNITS, required=True, default="months", tracking=True)
    start_trigger = fields.Selection(
        START_TRIGGERS,
        required=True,
        default="delivery",
        tracking=True,
        help="When the warranty starts: the date the customer delivery is validated, the "
        "customer invoice date, or the order confirmation date. Products that are never delivered "
        "(services) start on the invoice date when the trigger is the delivery.",
    )
    # --- scope
    coverage = fields.Html(translate=True, help="What the warranty covers.")
    exclusion_ids = fields.Many2many(
        "aftersales.warranty.exclusion",
        string="Exclusions",
        help="Causes the warranty does not cover.",
    )
    after_expiry_mode = fields.Selection(
        AFTER_EXPIRY_MODES,
        required=True,
        default="lifetime_parts_only",
        tracking=True,
        help="How repairs are charged once the warranty has expired: lifetime repair charging "
        "parts at cost and no labour, normal prices, or no repair at all.",
    )
    # --- where the policy is used
    product_tmpl_ids = fields.One2many("product.template", "aftersales_warranty_policy_id", string="Products")
    categ_ids = fields.One2many("product.category", "aftersales_warranty_policy_id", string="Categories")
    product_count = fields.Integer(compute="_compute_usage_counts")
    categ_count = fields.Integer(compute="_compute_usage_counts")
    warranty_count = fields.Integer(compute="_compute_usage_counts")

    @api.depends("product_tmpl_ids", "categ_ids")
    def _compute_usage_counts(self):
        counts = dict(
            self.env["aftersales.warranty"]._read_group(
                [("policy_id", "in", self.ids)], ["policy_id"], ["__count"]
            )
        )
        for policy in self:
            policy.product_count = len(policy.product_tmpl_ids)
            policy.categ_count = len(policy.categ_ids)
            policy.warranty_count = counts.get(policy, 0)

    @api.constrains("duration")
    def _check_duration(self):
        for policy in self:
            if policy.duration <= 0:
                raise ValidationError(
                    _(
                        "The warranty term of policy %(policy)s must be positive (got %(duration)s).",
                        policy=policy.name,
                        duration=policy.duration,
                    )
                )

    @api.readonly
    def action_view_warranties(self):
        self.ensure_one()
        xml_id = "aftersales_service.aftersales_warranty_action"
        action = self.env["ir.actions.act_window"]._for_xml_id(xml_id)
        action["domain"] = [("policy_id", "=", self.id)]
        action["context"] = {"default_policy_id": self.id}
        return action

    # --- business methods
    def _get_end_date(self, start_date):
        """Last day covered by a warranty of this policy that starts on ``start_date``."""
        self.ensure_one()
        if not start_date:
            return False
        delta = relativedelta(**{self.duration_unit: self.duration})
        return fields.Date.to_date(start_date) + delta - relativedelta(days=1)

    def _get_repair_part_price(self, product, in_warranty, mode=None):
        """Unit price charged for ``product`` used in a repair (W-3, W-4), in company currency.

        In warranty everything is free; after expiry (``mode``: the terms frozen on a warranty,
        else the policy's own) ``lifetime_parts_only`` charges goods at cost and services
        (labour) nothing, ``paid`` the list price, ``none`` refuses.
        """
        self.ensure_one()
        mode = mode or self.after_expiry_mode
        if in_warranty:
            return 0.0
        if mode == "none":
            raise UserError(
                _(
                    "The warranty policy %(policy)s does not cover repairs after expiry: %(product)s "
                    "cannot be repaired under it. Quote the repair outside the after-sales policy.",
                    policy=self.name,
                    product=product.display_name,
                )
            )
        if mode == "lifetime_parts_only":
            if product.type == "service":
                return 0.0
            return product.standard_price
        return product.lst_price
