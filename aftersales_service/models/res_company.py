from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    # --- people the policy names (P-7, C-9) -------------------------------------------------
    aftersales_manager_id = fields.Many2one(
        "res.users",
        string="Customer Service Manager",
        help="Owns every complaint (P-7) and receives escalations of overdue cases (C-9).",
    )
    aftersales_executive_id = fields.Many2one(
        "res.users",
        string="After-Sales Executive",
        help="Executive in charge: serious complaints and investigation reports go to this user (C-9, P-3).",
    )

    # --- warranty (W) -----------------------------------------------------------------------
    aftersales_warranty_policy_id = fields.Many2one(
        "aftersales.warranty.policy",
        string="Default Warranty Policy",
        help="Warranty of the products whose template and categories set none (W-1).",
    )
    aftersales_warranty_reminder_days = fields.Integer(
        string="Warranty Expiry Reminder (days)",
        default=30,
        help="Plan an activity for the salesperson this many days before a warranty expires; "
        "0 turns the reminder off.",
    )

    # --- service cases (C) ------------------------------------------------------------------

    # --- returns (R) ------------------------------------------------------------------------

    # --- complaints (P) ---------------------------------------------------------------------

    # --- revisits and satisfaction (V) ------------------------------------------------------
