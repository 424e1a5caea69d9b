from odoo import api, fields, models


class RepairOrder(models.Model):
    _inherit = "repair.order"

    aftersales_warranty_id = fields.Many2one(
        "aftersales.warranty",
        string="Warranty",
        index="btree_not_null",
        check_company=True,
        help="The customer's warranty for this unit: free while it covers (W-3), after expiry the "
        "quotation follows the policy's after-expiry mode (W-4).",
    )
    aftersales_after_expiry_mode = fields.Selection(related="aftersales_warranty_id.after_expiry_mode")
    aftersales_case_id = fields.Many2one(
        "aftersales.case",
        string="Service Case",
        index="btree_not_null",
        check_company=True,
        copy=False,
        groups="aftersales_service.group_aftersales_user",
    )

    @api.onchange("aftersales_warranty_id")
    def _onchange_aftersales_warranty_id(self):
        if self.aftersales_warranty_id:
            self.under_warranty = self.aftersales_warranty_id._is_covering()

    def _get_aftersales_price(self, product):
        """Unit price (company currency) of ``product`` on this repair's quotation, or None when
        the warranty rules do not apply (no warranty, or Odoo's own under-warranty pricing)."""
        self.ensure_one()
        warranty = self.aftersales_warranty_id
        if not warranty:
            return None
        return warranty.policy_id._get_repair_part_price(product, self.under_warranty)
