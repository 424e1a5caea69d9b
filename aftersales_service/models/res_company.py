from datetime import datetime, time, timedelta

import pytz

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.osv import expression

from .aftersales_number_guard import MAX_DISTANCE_KM

# numbered documents: code -> (sequence name, prefix)
AFTERSALES_SEQUENCES = {
    "aftersales.case": ("Service Case", "CASE/%(year)s/"),
    "aftersales.return": ("After-Sales Return", "RET/%(year)s/"),
    "aftersales.complaint": ("Complaint", "CMP/%(year)s/"),
    "aftersales.field.visit": ("Field Visit", "FV/%(year)s/"),
    "aftersales.loan": ("Loaned Unit", "LOAN/%(year)s/"),
}

# F-6 default steps: (operating hours, due from day, due to day) after the warranty start
DEFAULT_MAINTENANCE_STEPS = (
    (100, 7, 14),
    (600, 60, 91),
    (1200, 151, 182),
    (1800, 243, 273),
    (2400, 334, 365),
)


class ResCompany(models.Model):
    _name = "res.company"
    _inherit = ["res.company", "aftersales.number.guard"]
    _aftersales_guard_prefix = "aftersales_"
    _aftersales_number_limits = {
        "aftersales_satisfaction_target": 100,
        "aftersales_city_radius_km": MAX_DISTANCE_KM,
        "aftersales_home_radius_km": MAX_DISTANCE_KM,
    }

    # --- people the policy names (P-7, C-9) -------------------------------------------------
    aftersales_manager_id = fields.Many2one(
        "res.users",
        string="Customer Service Manager",
        help="Owns every complaint and receives escalations of overdue cases.",
    )
    aftersales_executive_id = fields.Many2one(
        "res.users",
        string="After-Sales Executive",
        help="Executive in charge: serious complaints and investigation reports go to this user.",
    )

    # --- warranty (W) -----------------------------------------------------------------------
    aftersales_warranty_policy_id = fields.Many2one(
        "aftersales.warranty.policy",
        string="Default Warranty Policy",
        help="Warranty of the products whose template and categories set none.",
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
        help="Send the customer the case reference when a case is registered.",
    )
    aftersales_case_service_product_id = fields.Many2one(
        "product.product",
        string="Paid Service Product",
        domain=[("type", "=", "service")],
        help="Invoiced per hour spent on paid cases.",
    )
    aftersales_escalation_hours = fields.Integer(
        string="Second Escalation After (hours)",
        default=24,
        help="A breach still open this many hours after its deadline goes to the After-Sales "
        "manager; 0 turns the second escalation off.",
    )
    aftersales_repair_notice_hours = fields.Float(
        string="Repair Deadline Told Within (hours)",
        default=24.0,
        help="When the part is not in stock, the customer is told the repair deadline within "
        "these working hours of the unit's receipt.",
    )
    aftersales_repair_in_stock_hours = fields.Float(
        string="Repaired Within, Part in Stock (hours)",
        default=24.0,
        help="With every part in stock, the unit is repaired within these working hours of the diagnosis.",
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
        help="Days after delivery a customer may return without a reason.",
    )
    aftersales_return_quarantine = fields.Boolean(
        string="Receive Returns in Quarantine",
        default=True,
        help="Returned goods come into each warehouse's Returns location and are graded there "
        "(restock, refurbish, scrap, return to vendor) before they can be sold again.",
    )
    aftersales_replacement_return_days = fields.Integer(
        string="Unit Due Back After Advance Replacement (days)",
        default=14,
        help="When an exchange ships the replacement before the returned unit is back, the "
        "customer has this many days to send the unit; after that it is chased and may be invoiced.",
    )
    aftersales_refund_threshold = fields.Monetary(
        string="Approval Threshold",
        currency_field="currency_id",
        default=500.0,
        help="Refunds and compensations above this amount (company currency) need a manager's "
        "approval; 0 turns the approval off.",
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
        help="Product of the compensation / discount line of a sales discount certificate.",
    )

    aftersales_loaner_location_id = fields.Many2one(
        "stock.location",
        string="Loaner Location",
        domain="[('usage', '=', 'internal'), ('company_id', 'in', [id, False])]",
        help="Units lent to customers while theirs is looked after leave from, and come back to, "
        "this stock location.",
    )

    # --- complaints (P) ---------------------------------------------------------------------
    aftersales_investigation_days = fields.Integer(
        string="Investigation Days",
        default=3,
        help="Days to deliver a complaint's investigation report.",
    )
    aftersales_review_day = fields.Integer(
        string="Monthly Review Day",
        default=10,
        help="From this day of the month, last month's closed complaints are reviewed; 0 turns "
        "the automatic review off.",
    )

    # --- revisits and satisfaction (V) ------------------------------------------------------
    aftersales_revisits_normal = fields.Integer(string="Revisits per Month (normal)", default=1)
    aftersales_revisits_key = fields.Integer(string="Revisits per Month (key)", default=2)
    aftersales_post_sale_months = fields.Integer(
        string="Post-Sale Questionnaire After (months)", default=3, help="0 turns it off."
    )
    aftersales_summary_months = fields.Integer(
        string="Revisit Summary Every (months)", default=2, help="0 turns it off."
    )
    aftersales_satisfaction_target = fields.Float(
        string="Satisfaction Target (%)",
        default=97.0,
        help="Share of satisfied service ratings the company aims at.",
    )
    aftersales_key_customer_amount = fields.Float(
        string="Key Customer From (sales)",
        default=0.0,
        help="Customers whose confirmed sales of the last months (below) reach this amount, in "
        "the company currency, become key customers; 0 turns the rule off (key is then set by "
        "hand). A customer set back to Normal by hand stays so (manual override).",
    )
    aftersales_key_customer_months = fields.Integer(
        string="Key Customer Sales Period (months)", default=12, help="0 turns the rule off."
    )
    aftersales_survey_campaign_months = fields.Integer(
        string="Satisfaction Survey Every (months)",
        default=6,
        help="Every customer is sent the satisfaction questionnaire every this many months "
        "(on the first day of the month); 0 turns the campaign off.",
    )
    aftersales_sales_manager_id = fields.Many2one(
        "res.users", string="Sales Manager", help="Receives revisit alerts and summaries."
    )

    # --- field service (F) --------------------------------------------------------------
    aftersales_city_radius_km = fields.Float(
        string="City Radius (km)",
        default=30.0,
        help="Visits within this distance are in the city band.",
    )
    aftersales_arrival_city_hours = fields.Float(
        string="Arrival Target, City (hours)",
        default=2.0,
        help="Hours to arrive on site for an in-warranty fault in this distance band.",
    )
    aftersales_arrival_200_hours = fields.Float(
        string="Arrival Target, 200 km (hours)",
        default=6.0,
        help="Hours to arrive on site for an in-warranty fault in this distance band.",
    )
    aftersales_arrival_300_hours = fields.Float(
        string="Arrival Target, 300 km (hours)",
        default=8.0,
        help="Hours to arrive on site for an in-warranty fault in this distance band.",
    )
    aftersales_arrival_400_hours = fields.Float(
        string="Arrival Target, 400 km (hours)",
        default=10.0,
        help="Hours to arrive on site for an in-warranty fault in this distance band.",
    )
    aftersales_home_radius_km = fields.Float(
        string="Home Area Radius (km)",
        default=200.0,
        help="Visits farther away need a travel request approved by a manager; 0 turns it off.",
    )
    aftersales_service_location_id = fields.Many2one(
        "stock.location",
        string="Service Stock Location",
        domain="[('usage', '=', 'internal'), ('company_id', 'in', [id, False])]",
        help="Parts used on visits are taken from here; wear parts get their reorder rules "
        "here. Default: the main warehouse's stock.",
    )
    aftersales_wear_part_min = fields.Float(
        string="Wear Parts Minimum",
        default=5.0,
        help="Reorder point of wear parts in the service stock.",
    )
    aftersales_wear_part_max = fields.Float(
        string="Wear Parts Maximum", default=20.0, help="Stock level wear parts are replenished up to."
    )
    aftersales_maintenance_user_id = fields.Many2one(
        "res.users",
        string="Maintenance Engineer",
        help="Lead engineer of the maintenance visits the cron schedules; default: the "
        "customer service manager.",
    )

    # ------------------------------------------------------------------ the business day
    def _aftersales_tz(self):
        """The company's time zone: the one of its working calendar, else UTC. A company has one
        business day, whoever (whatever session time zone) does the work."""
        company = self[:1] or self.env.company
        return company.resource_calendar_id.tz or "UTC"

    def _aftersales_date(self, timestamp=None):
        """The company's calendar day of ``timestamp`` (a UTC datetime as Odoo stores them; now
        when not given; a date is returned as it is). Every date the addon derives from a
        timestamp goes through here: warranty starts, delivery days, request dates, crons'
        "today", review months."""
        company = self[:1] or self.env.company
        if timestamp is None:
            timestamp = fields.Datetime.now()
        elif isinstance(timestamp, str):
            timestamp = fields.Datetime.to_datetime(timestamp) if len(timestamp) > 10 else timestamp
        if not isinstance(timestamp, datetime):
            return fields.Date.to_date(timestamp)
        return fields.Date.context_today(company.with_context(tz=company._aftersales_tz()), timestamp)

    def _aftersales_datetime(self, day, hour=0.0):
        """The UTC timestamp (naive, as Odoo stores them) of ``hour`` o'clock on ``day`` in the
        company's time zone: 08:00 for the customer is 08:00 where the company works."""
        company = self[:1] or self.env.company
        local = datetime.combine(day, time()) + timedelta(hours=hour)
        tz = pytz.timezone(company._aftersales_tz())
        return tz.localize(local).astimezone(pytz.utc).replace(tzinfo=None)

    @api.model
    def _aftersales_date_domain(self, date_field, operator, days=0, company_field="company_id"):
        """``date_field operator today + days`` where "today" is the day of each record's own
        company (a cron working for every company at once); one term per company."""
        # sudo: the companies' time zones, whatever companies the cron's user sees
        companies = self.sudo().with_context(active_test=False).search([])
        return expression.OR(
            [
                [
                    (company_field, "=", company.id),
                    (date_field, operator, company._aftersales_date() + timedelta(days=days)),
                ]
                for company in companies
            ]
            or [expression.FALSE_DOMAIN]
        )

    def _aftersales_arrival_hours(self, band):
        """Arrival target in hours of a distance band (F-2); none beyond the last band."""
        self.ensure_one()
        return {
            "city": self.aftersales_arrival_city_hours,
            "200": self.aftersales_arrival_200_hours,
            "300": self.aftersales_arrival_300_hours,
            "400": self.aftersales_arrival_400_hours,
        }.get(band, 0.0)

    def _aftersales_service_location(self):
        self.ensure_one()
        if self.aftersales_service_location_id:
            return self.aftersales_service_location_id
        # sudo: the default location is configuration read for any after-sales flow
        warehouse = self.env["stock.warehouse"].sudo().search([("company_id", "=", self.id)], limit=1)
        return warehouse.lot_stock_id

    def write(self, vals):
        res = super().write(vals)
        if {"aftersales_wear_part_min", "aftersales_wear_part_max", "aftersales_service_location_id"} & set(
            vals
        ):
            wear_parts = self.env["product.product"].sudo().search([("aftersales_wear_part", "=", True)])
            wear_parts._aftersales_sync_wear_orderpoints(companies=self)
        return res

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        companies._aftersales_create_sequences()
        companies._aftersales_create_maintenance_steps()
        companies._aftersales_create_sla_policies()
        return companies

    @api.model
    def _aftersales_flush_data(self):
        """Called by the last data file: everything the addon's data left pending is written
        before Odoo loads the demo data in a savepoint without a flush of its own (a failed
        demo must not take the addon's own records' computed values with it)."""
        self.env.flush_all()

    @api.model
    def _aftersales_install_sla_policies(self):
        self.with_context(active_test=False).search([])._aftersales_create_sla_policies()

    def _aftersales_create_sla_policies(self):
        """C-6: every company answers within the standard response times from its first case:
        a company without a response-time policy gets a copy of the standard one (as the
        install company got it; its hours are edited per company afterwards)."""
        # sudo: configuration records made with the company
        Policy = self.env["aftersales.sla.policy"].sudo().with_context(active_test=False)
        standard = self.env.ref("aftersales_service.sla_policy_default", raise_if_not_found=False)
        covered = set(Policy.search([("company_id", "in", self.ids)]).company_id.ids)
        for company in self.filtered(lambda c: c.id not in covered):
            if standard:
                standard.sudo().copy(
                    {
                        "company_id": company.id,
                        "team_id": False,
                        "resource_calendar_id": False,
                        "active": True,
                    }
                )
            else:
                Policy.create({"name": _("Standard response"), "company_id": company.id})

    @api.model
    def _aftersales_install_maintenance_steps(self):
        self.with_context(active_test=False).search([])._aftersales_create_maintenance_steps()

    def _aftersales_create_maintenance_steps(self):
        """F-6 defaults: 100 h after about 10 days, 600 h after 2-3 months, 1200 h after 5-6,
        1800 h after 8-9 and 2400 h after 11-12 months of the warranty (editable per company)."""
        # sudo: configuration records made with the company
        Step = self.env["aftersales.maintenance.step"].sudo()
        has_steps = set(
            Step.with_context(active_test=False).search([("company_id", "in", self.ids)]).company_id.ids
        )
        Step.create(
            [
                {
                    "company_id": company.id,
                    "operating_hours": hours,
                    "due_from_days": start,
                    "due_to_days": end,
                }
                for company in self
                if company.id not in has_steps
                for hours, start, end in DEFAULT_MAINTENANCE_STEPS
            ]
        )

    @api.model
    def _aftersales_install_sequences(self):
        self.with_context(active_test=False).search([])._aftersales_create_sequences()

    def _aftersales_create_sequences(self):
        """Each company numbers its own cases, returns and complaints: its sequences are made
        with the company (and for the existing companies when the addon is installed), never
        on its first document, so two first documents cannot race for them."""
        # sudo: sequences are technical records, made with the company by whoever creates it
        Sequence = self.env["ir.sequence"].sudo()
        existing = {
            (seq.code, seq.company_id.id)
            for seq in Sequence.search(
                [("code", "in", list(AFTERSALES_SEQUENCES)), ("company_id", "in", self.ids)]
            )
        }
        Sequence.create(
            [
                {
                    "name": f"{name} ({company.name})",
                    "code": code,
                    "prefix": prefix,
                    "padding": 5,
                    "company_id": company.id,
                }
                for company in self
                for code, (name, prefix) in AFTERSALES_SEQUENCES.items()
                if (code, company.id) not in existing
            ]
        )

    @api.constrains("aftersales_wear_part_min", "aftersales_wear_part_max", "aftersales_review_day")
    def _check_aftersales_settings(self):
        # negative, non-finite and absurd settings: aftersales.number.guard (0 turns a rule off)
        for company in self:
            if (
                company.aftersales_wear_part_max
                and company.aftersales_wear_part_max < company.aftersales_wear_part_min
            ):
                raise ValidationError(_("The wear-part maximum is at least the minimum."))
            if company.aftersales_review_day > 28:
                raise ValidationError(_("The monthly review day is between 1 and 28 (0 turns it off)."))
