from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    # --- people the policy names (P-7, C-9) -------------------------------------------------
    aftersales_manager_id = fields.Many2one(
        related="company_id.aftersales_manager_id",
        readonly=False,
    )
    aftersales_executive_id = fields.Many2one(
        related="company_id.aftersales_executive_id",
        readonly=False,
    )

    # --- warranty (W) -----------------------------------------------------------------------
    aftersales_warranty_policy_id = fields.Many2one(
        related="company_id.aftersales_warranty_policy_id",
        readonly=False,
    )
    aftersales_warranty_reminder_days = fields.Integer(
        related="company_id.aftersales_warranty_reminder_days",
        readonly=False,
    )

    # --- service cases (C) ------------------------------------------------------------------

    # --- returns (R) ------------------------------------------------------------------------

    # --- complaints (P) ---------------------------------------------------------------------

    # --- revisits and satisfaction (V) ------------------------------------------------------
