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

    def _aftersales_sync_wear_orderpoints(self, companies=None):
        """F-7: a reorder rule (Odoo's own, min/max from Settings) for each wear part in each
        company's service location; rules of parts no longer flagged are archived."""
        # sudo: reorder rules are warehouse configuration, kept in line with the product flag
        # and the After-Sales settings by whoever changes them
        Orderpoint = self.env["stock.warehouse.orderpoint"].sudo()
        companies = companies or self.env["res.company"].sudo().search([])
        for company in companies:
            location = company._aftersales_service_location()
            if not location:
                continue
            warehouse = location.warehouse_id
            existing = Orderpoint.with_context(active_test=False).search(
                [
                    ("product_id", "in", self.ids),
                    ("location_id", "=", location.id),
                    ("company_id", "=", company.id),
                ]
            )
            by_product = {op.product_id: op for op in existing}
            vals_list = []
            for product in self:
                orderpoint = by_product.get(product)
                wanted = product.aftersales_wear_part and product.is_storable and product.active
                values = {
                    "product_min_qty": company.aftersales_wear_part_min,
                    "product_max_qty": max(
                        company.aftersales_wear_part_max, company.aftersales_wear_part_min
                    ),
                }
                if wanted and orderpoint:
                    orderpoint.write(dict(values, active=True))
                elif wanted:
                    vals_list.append(
                        dict(
                            values,
                            product_id=product.id,
                            location_id=location.id,
                            warehouse_id=warehouse.id,
                            company_id=company.id,
                            trigger="auto",
                        )
                    )
                elif orderpoint and orderpoint.active:
                    orderpoint.active = False
            if vals_list:
                Orderpoint.create(vals_list)
