from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class ProductTemplate(models.Model):
    _inherit = "product.template"

    aftersales_warranty_policy_id = fields.Many2one(
        "aftersales.warranty.policy",
        string="Warranty Policy",
        index="btree_not_null",
        domain="company_id and [('company_id', 'in', [company_id, False])] or []",
        help="Overrides the warranty policy of the product category (W-1, W-5).",
    )

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
