from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class ProductTemplate(models.Model):
    _inherit = "product.template"

    aftersales_warranty_policy_id = fields.Many2one(
        "aftersales.warranty.policy",
        string="Warranty Policy",
        index="btree_not_null",
        domain="company_id and [('company_id', 'in', [company_id, False])] or []",
        help="Overrides the warranty policy of the product category.",
    )

    # --- field service (F-6, F-7)
    aftersales_maintenance_required = fields.Boolean(
        string="Mandatory Maintenance",
        compute="_compute_aftersales_maintenance_required",
        store=True,
        readonly=False,
        precompute=True,
        help="Each sold unit gets the mandatory maintenance steps (operating hours) within its "
        "warranty. Defaults from the product category.",
    )
    aftersales_wear_part = fields.Boolean(
        string="Wear Part",
        help="Kept in the service stock with a reorder rule (min/max in Settings) for fast swaps.",
    )

    @api.depends("categ_id.aftersales_maintenance_required")
    def _compute_aftersales_maintenance_required(self):
        for template in self:
            template.aftersales_maintenance_required = template.categ_id.aftersales_maintenance_required

    @api.model_create_multi
    def create(self, vals_list):
        templates = super().create(vals_list)
        templates.filtered("aftersales_wear_part").product_variant_ids._aftersales_sync_wear_orderpoints()
        return templates

    def write(self, vals):
        res = super().write(vals)
        if "aftersales_wear_part" in vals:
            self.product_variant_ids._aftersales_sync_wear_orderpoints()
        return res

    @api.constrains("aftersales_warranty_policy_id", "company_id")
    def _check_aftersales_warranty_policy_company(self):
        for template in self:
            policy = template.aftersales_warranty_policy_id
            if template.company_id and policy.company_id and policy.company_id != template.company_id:
                raise ValidationError(
                    _(
                        "Product %(product)s belongs to %(company)s: it cannot use the warranty policy "
                        "%(policy)s of %(policy_company)s.",
                        product=template.display_name,
                        company=template.company_id.name,
                        policy=policy.name,
                        policy_company=policy.company_id.name,
                    )
                )
