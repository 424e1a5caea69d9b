from dateutil.relativedelta import relativedelta

from odoo import api, fields, models

from .tools import count_history, history_action

AFTERSALES_USERS = "aftersales_service.group_aftersales_user"
# the after-sales file of a customer (W-6) beside its warranties, cases, returns and revisits:
# kind -> (model, field giving the customer's commercial entity)
CUSTOMER_HISTORY = {
    "complaint": ("aftersales.complaint", "partner_id.commercial_partner_id"),
    "visit": ("aftersales.field.visit", "partner_id.commercial_partner_id"),
    "maintenance": ("aftersales.maintenance", "partner_id.commercial_partner_id"),
    "repair": ("repair.order", "partner_id.commercial_partner_id"),
}


class ResPartner(models.Model):
    _inherit = "res.partner"

    # --- warranty (W): the customer's after-sales file (W-6)
    aftersales_warranty_count = fields.Integer(
        string="Warranty Count",
        compute="_compute_aftersales_warranty_count",
        groups="aftersales_service.group_aftersales_user,sales_team.group_sale_salesman",
    )

    def _compute_aftersales_warranty_count(self):
        commercial = self.commercial_partner_id
        counts = dict(
            self.env["aftersales.warranty"]._read_group(
                [("commercial_partner_id", "in", commercial.ids)], ["commercial_partner_id"], ["__count"]
            )
        )
        for partner in self:
            partner.aftersales_warranty_count = counts.get(partner.commercial_partner_id, 0)

    # --- revisits and satisfaction (V)
    service_class = fields.Selection(
        [("none", "None"), ("normal", "Normal"), ("key", "Key Customer")],
        default="normal",
        index=True,
        tracking=True,
        help="Every customer is in a class: normal by default, key customers marked here; "
        "revisits per month follow the class (Settings). None: no periodic revisit.",
    )
    service_class_source = fields.Selection(
        [("default", "Default"), ("rule", "Sales Volume"), ("manual", "Set by Hand")],
        string="Class Set By",
        default="default",
        copy=False,
        help="The sales-volume rule (Settings) classes customers whose class was not set by "
        "hand; a class set by hand is an override the rule never changes.",
    )
    aftersales_revisit_count = fields.Integer(
        compute="_compute_aftersales_revisit_count", groups="aftersales_service.group_aftersales_user"
    )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("service_class") and "service_class_source" not in vals:
                vals["service_class_source"] = "manual"
        return super().create(vals_list)

    @api.model
    def _cron_classify_key_customers(self, batch_size=1000):
        """V-1: customers whose confirmed sales over the company's period reach its key-customer
        amount (company currency, untaxed, Odoo's sales analysis) become key customers; those the
        rule made key and who fell below go back to normal. Classes set by hand are overrides
        the rule leaves alone. A bounded batch of changes per call, the rest told to the cron."""
        done = remaining = 0
        self.env.flush_all()  # the sales analysis is an SQL view over the orders
        for company in self.env["res.company"].search([("aftersales_key_customer_amount", ">", 0)]):
            months = company.aftersales_key_customer_months
            if not months:
                continue  # 0 turns the rule off, as every such setting (not "12")
            since = fields.Datetime.now() - relativedelta(months=months)
            groups = (
                self.env["sale.report"]
                .sudo()
                ._read_group(
                    [("company_id", "=", company.id), ("state", "=", "sale"), ("date", ">=", since)],
                    ["commercial_partner_id"],
                    ["price_subtotal:sum"],
                )
            )
            threshold = company.aftersales_key_customer_amount
            reaching = {partner.id for partner, total in groups if partner and total >= threshold}
            base = [
                ("parent_id", "=", False),
                ("service_class_source", "in", ("default", "rule")),
                "|",
                ("company_id", "=", False),
                ("company_id", "=", company.id),
            ]
            promote = self.search(
                [*base, ("id", "in", list(reaching)), ("service_class", "!=", "key")], order="id"
            )
            demote = self.search(
                [
                    *base,
                    ("id", "not in", list(reaching)),
                    ("service_class", "=", "key"),
                    ("service_class_source", "=", "rule"),
                ],
                order="id",
            )
            budget = max(batch_size - done, 0)
            remaining += max(len(promote) + len(demote) - budget, 0)
            promote = promote[:budget]
            demote = demote[: max(budget - len(promote), 0)]
            promote.write({"service_class": "key", "service_class_source": "rule"})
            demote.write({"service_class": "normal", "service_class_source": "rule"})
            done += len(promote) + len(demote)
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        return done

    def _compute_aftersales_revisit_count(self):
        counts = dict(
            self.env["aftersales.revisit"]._read_group(
                [("partner_id", "in", self.ids)], ["partner_id"], ["__count"]
            )
        )
        for partner in self:
            partner.aftersales_revisit_count = counts.get(partner, 0)

    def write(self, vals):
        if "service_class" in vals and "service_class_source" not in vals:
            vals = dict(vals, service_class_source="manual")  # a class set by hand overrides the rule
        res = super().write(vals)
        if "service_class" in vals or vals.get("active") is False:
            self.env["aftersales.revisit"]._on_class_change(self)  # V-1
        return res

    @api.readonly
    def action_view_aftersales_revisits(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("aftersales_service.aftersales_revisit_action")
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {"default_partner_id": self.id}
        return action

    # --- service cases (C)
    aftersales_case_count = fields.Integer(
        string="Case Count",
        compute="_compute_aftersales_case_count",
        groups="aftersales_service.group_aftersales_user",
    )

    def _compute_aftersales_case_count(self):
        counts = dict(
            self.env["aftersales.case"]._read_group(
                [("commercial_partner_id", "in", self.commercial_partner_id.ids)],
                ["commercial_partner_id"],
                ["__count"],
            )
        )
        for partner in self:
            partner.aftersales_case_count = counts.get(partner.commercial_partner_id, 0)

    @api.readonly
    def action_view_aftersales_cases(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("aftersales_service.aftersales_case_action")
        action["domain"] = [("commercial_partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.id}
        return action

    # --- returns (R)
    aftersales_return_count = fields.Integer(
        string="Return Count",
        compute="_compute_aftersales_return_count",
        groups="aftersales_service.group_aftersales_user",
    )

    def _compute_aftersales_return_count(self):
        counts = dict(
            self.env["aftersales.return"]._read_group(
                [("commercial_partner_id", "in", self.commercial_partner_id.ids)],
                ["commercial_partner_id"],
                ["__count"],
            )
        )
        for partner in self:
            partner.aftersales_return_count = counts.get(partner.commercial_partner_id, 0)

    @api.readonly
    def action_view_aftersales_returns(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("aftersales_service.aftersales_return_action")
        action["domain"] = [("commercial_partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"create": False}
        return action

    @api.readonly
    def action_view_aftersales_warranties(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "aftersales_service.aftersales_warranty_action"
        )
        action["domain"] = [("commercial_partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"create": False}
        return action

    # --- the customer's after-sales file (W-6): the same history as a sold unit's, per customer
    aftersales_complaint_count = fields.Integer(
        string="Complaint Count", compute="_compute_aftersales_file_counts", groups=AFTERSALES_USERS
    )
    aftersales_visit_count = fields.Integer(
        string="Field Visit Count", compute="_compute_aftersales_file_counts", groups=AFTERSALES_USERS
    )
    aftersales_maintenance_count = fields.Integer(
        string="Maintenance Count", compute="_compute_aftersales_file_counts", groups=AFTERSALES_USERS
    )
    aftersales_repair_count = fields.Integer(
        string="Repair Count", compute="_compute_aftersales_file_counts", groups=AFTERSALES_USERS
    )

    @api.depends_context("uid")
    def _compute_aftersales_file_counts(self):
        count_history(self, CUSTOMER_HISTORY, lambda partner: partner.commercial_partner_id.id)

    @api.readonly
    def action_view_aftersales_file(self):
        """The documents of one kind (``aftersales_kind`` in the button's context) of this
        customer (the company and its contacts)."""
        self.ensure_one()
        commercial = self.commercial_partner_id
        kind = self.env.context.get("aftersales_kind", "complaint")
        return history_action(CUSTOMER_HISTORY, kind, commercial.id, commercial.display_name)
