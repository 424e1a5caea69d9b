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
    aftersales_case_ack = fields.Boolean(related="company_id.aftersales_case_ack", readonly=False)
    aftersales_case_service_product_id = fields.Many2one(
        related="company_id.aftersales_case_service_product_id", readonly=False
    )
    aftersales_escalation_hours = fields.Integer(
        related="company_id.aftersales_escalation_hours", readonly=False
    )
    aftersales_repair_notice_hours = fields.Float(
        related="company_id.aftersales_repair_notice_hours", readonly=False
    )
    aftersales_repair_in_stock_hours = fields.Float(
        related="company_id.aftersales_repair_in_stock_hours", readonly=False
    )
    aftersales_key_customer_amount = fields.Float(
        related="company_id.aftersales_key_customer_amount", readonly=False
    )
    aftersales_key_customer_months = fields.Integer(
        related="company_id.aftersales_key_customer_months", readonly=False
    )
    aftersales_survey_campaign_months = fields.Integer(
        related="company_id.aftersales_survey_campaign_months", readonly=False
    )
    aftersales_team_quality_id = fields.Many2one(
        related="company_id.aftersales_team_quality_id", readonly=False
    )
    aftersales_team_technical_id = fields.Many2one(
        related="company_id.aftersales_team_technical_id", readonly=False
    )
    aftersales_team_complaint_id = fields.Many2one(
        related="company_id.aftersales_team_complaint_id", readonly=False
    )
    aftersales_team_non_quality_id = fields.Many2one(
        related="company_id.aftersales_team_non_quality_id", readonly=False
    )
    aftersales_team_return_exchange_id = fields.Many2one(
        related="company_id.aftersales_team_return_exchange_id", readonly=False
    )
    aftersales_team_consultation_id = fields.Many2one(
        related="company_id.aftersales_team_consultation_id", readonly=False
    )

    # --- returns (R) ------------------------------------------------------------------------
    aftersales_return_days = fields.Integer(related="company_id.aftersales_return_days", readonly=False)
    aftersales_return_quarantine = fields.Boolean(
        related="company_id.aftersales_return_quarantine", readonly=False
    )
    aftersales_replacement_return_days = fields.Integer(
        related="company_id.aftersales_replacement_return_days", readonly=False
    )
    aftersales_refund_threshold = fields.Monetary(
        related="company_id.aftersales_refund_threshold", readonly=False, currency_field="currency_id"
    )
    aftersales_post_credit_notes = fields.Boolean(
        related="company_id.aftersales_post_credit_notes", readonly=False
    )
    aftersales_loaner_location_id = fields.Many2one(
        related="company_id.aftersales_loaner_location_id", readonly=False
    )
    aftersales_compensation_product_id = fields.Many2one(
        related="company_id.aftersales_compensation_product_id", readonly=False
    )

    # --- complaints (P) ---------------------------------------------------------------------
    aftersales_investigation_days = fields.Integer(
        related="company_id.aftersales_investigation_days", readonly=False
    )
    aftersales_review_day = fields.Integer(related="company_id.aftersales_review_day", readonly=False)

    # --- revisits and satisfaction (V) ------------------------------------------------------
    aftersales_revisits_normal = fields.Integer(
        related="company_id.aftersales_revisits_normal", readonly=False
    )
    aftersales_revisits_key = fields.Integer(related="company_id.aftersales_revisits_key", readonly=False)
    aftersales_post_sale_months = fields.Integer(
        related="company_id.aftersales_post_sale_months", readonly=False
    )
    aftersales_summary_months = fields.Integer(related="company_id.aftersales_summary_months", readonly=False)
    aftersales_satisfaction_target = fields.Float(
        related="company_id.aftersales_satisfaction_target", readonly=False
    )
    aftersales_sales_manager_id = fields.Many2one(
        related="company_id.aftersales_sales_manager_id", readonly=False
    )

    # --- field service (F) -------------------------------------------------------------------
    aftersales_city_radius_km = fields.Float(related="company_id.aftersales_city_radius_km", readonly=False)
    aftersales_arrival_city_hours = fields.Float(
        related="company_id.aftersales_arrival_city_hours", readonly=False
    )
    aftersales_arrival_200_hours = fields.Float(
        related="company_id.aftersales_arrival_200_hours", readonly=False
    )
    aftersales_arrival_300_hours = fields.Float(
        related="company_id.aftersales_arrival_300_hours", readonly=False
    )
    aftersales_arrival_400_hours = fields.Float(
        related="company_id.aftersales_arrival_400_hours", readonly=False
    )
    aftersales_home_radius_km = fields.Float(related="company_id.aftersales_home_radius_km", readonly=False)
    aftersales_service_location_id = fields.Many2one(
        related="company_id.aftersales_service_location_id", readonly=False
    )
    aftersales_wear_part_min = fields.Float(related="company_id.aftersales_wear_part_min", readonly=False)
    aftersales_wear_part_max = fields.Float(related="company_id.aftersales_wear_part_max", readonly=False)
    aftersales_maintenance_user_id = fields.Many2one(
        related="company_id.aftersales_maintenance_user_id", readonly=False
    )
