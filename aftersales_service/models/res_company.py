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
    aftersales_case_ack = fields.Boolean(
        string="Acknowledge New Cases",
        default=True,
        help="Send the customer the case reference when a case is registered (C-2).",
    )
    aftersales_case_service_product_id = fields.Many2one(
        "product.product",
        string="Paid Service Product",
        domain=[("type", "=", "service")],
        help="Invoiced per hour spent on paid cases (C-5).",
    )
    aftersales_escalation_hours = fields.Integer(
        string="Second Escalation After (hours)",
        default=24,
        help="A breach still open this many hours after its deadline goes to the After-Sales manager (C-9).",
    )
    aftersales_team_quality_id = fields.Many2one("aftersales.team", string="Team for Quality Problems")
    aftersales_team_technical_id = fields.Many2one("aftersales.team", string="Team for Technical Support")
    aftersales_team_complaint_id = fields.Many2one("aftersales.team", string="Team for Complaints")
    aftersales_team_non_quality_id = fields.Many2one(
        "aftersales.team", string="Team for Non-Quality Problems"
    )
    aftersales_team_return_exchange_id = fields.Many2one(
        "aftersales.team", string="Team for Returns/Exchanges"
    )
    aftersales_team_consultation_id = fields.Many2one("aftersales.team", string="Team for Consultations")

    # --- returns (R) ------------------------------------------------------------------------
    aftersales_return_days = fields.Integer(
        string="No-Reason Return Window (days)",
        default=15,
        help="Days after delivery a customer may return without a reason (R-1).",
    )
    aftersales_refund_threshold = fields.Monetary(
        string="Approval Threshold",
        currency_field="currency_id",
        default=500.0,
        help="Refunds and compensations above this amount need a manager's approval (R-4).",
    )
    aftersales_post_credit_notes = fields.Boolean(
        string="Post Return Credit Notes",
        default=False,
        help="Post the credit notes of returns at once; else they stay draft for accounting.",
    )
    aftersales_compensation_product_id = fields.Many2one(
        "product.product",
        string="Compensation Product",
        domain=[("type", "=", "service")],
        help="Product of the compensation / discount line of a sales discount certificate (R-5).",
    )

    # --- complaints (P) ---------------------------------------------------------------------
    aftersales_investigation_days = fields.Integer(
        string="Investigation Days",
        default=3,
        help="Days to deliver a complaint's investigation report (P-3).",
    )
    aftersales_review_day = fields.Integer(
        string="Monthly Review Day",
        default=10,
        help="From this day of the month, last month's closed complaints are reviewed (P-6).",
    )

    # --- revisits and satisfaction (V) ------------------------------------------------------
    aftersales_revisits_normal = fields.Integer(string="Revisits per Month (normal)", default=1)
    aftersales_revisits_key = fields.Integer(string="Revisits per Month (key)", default=2)
    aftersales_post_sale_months = fields.Integer(
        string="Post-Sale Questionnaire After (months)", default=3, help="V-2"
    )
    aftersales_summary_months = fields.Integer(string="Revisit Summary Every (months)", default=2, help="V-4")
    aftersales_satisfaction_target = fields.Float(string="Satisfaction Target (%)", default=97.0, help="V-6")
    aftersales_sales_manager_id = fields.Many2one(
        "res.users", string="Sales Manager", help="Receives revisit alerts (V-3) and summaries (V-4)."
    )
