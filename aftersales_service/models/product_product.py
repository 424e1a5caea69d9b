from odoo import models


class ProductProduct(models.Model):
    _inherit = "product.product"

    def _get_aftersales_warranty_policy(self, company=None):
        """Effective warranty policy (W-1): template, then its category, then the parent
        categories, then the company default from Settings. Policies of another company are
        skipped. Returns an empty recordset when nothing applies."""
        self.ensure_one()
        company = company or self.env.company
        Policy = self.env["aftersales.warranty.policy"]

        def usable(policy):
            return policy and policy.active and policy.company_id in (company, company.browse())

        candidates = [self.product_tmpl_id.aftersales_warranty_policy_id]
        categ = self.categ_id
        while categ:
            candidates.append(categ.aftersales_warranty_policy_id)
            categ = categ.parent_id
        candidates.append(company.aftersales_warranty_policy_id)
        for policy in candidates:
            if usable(policy):
                return policy
        return Policy
