from odoo import fields, models


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
        help="Every customer is in a class (V-1): normal by default, key customers marked here; "
        "revisits per month follow the class (Settings). None: no periodic revisit.",
    )
    aftersales_revisit_count = fields.Integer(
        compute="_compute_aftersales_revisit_count", groups="aftersales_service.group_aftersales_user"
    )

    def _compute_aftersales_revisit_count(self):
        counts = dict(
            self.env["aftersales.revisit"]._read_group(
                [("partner_id", "in", self.ids)], ["partner_id"], ["__count"]
            )
        )
        for partner in self:
            partner.aftersales_revisit_count = counts.get(partner, 0)

    def write(self, vals):
        res = super().write(vals)
        if "service_class" in vals or vals.get("active") is False:
            # customers leaving a class lose their future planned revisits (V-1)
            today = fields.Date.context_today(self)
            leaving = self.filtered(lambda p: p.service_class in (False, "none") or not p.active)
            changed = self - leaving
            revisits = self.env["aftersales.revisit"].search(
                [
                    ("partner_id", "in", self.ids),
                    ("state", "=", "planned"),
                    ("kind", "=", "periodic"),
                    ("planned_date", ">=", today),
                ]
            )
            revisits.filtered(lambda r: r.partner_id in leaving).action_cancel()
            # a class change mid-month keeps the slots of the new class; others are cancelled
            for partner in changed:
                company = partner.company_id or self.env.company
                per_month = (
                    company.aftersales_revisits_key
                    if partner.service_class == "key"
                    else company.aftersales_revisits_normal
                )
                from .aftersales_revisit import slots_of_month  # noqa: PLC0415

                keys = {k for k, _s, _e in slots_of_month(today.replace(day=1), per_month)}
                revisits.filtered(
                    lambda r, p=partner, k=keys: r.partner_id == p and r.slot not in k
                ).action_cancel()
        return res

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

    def action_view_aftersales_returns(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("aftersales_service.aftersales_return_action")
        action["domain"] = [("commercial_partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"create": False}
        return action

    def action_view_aftersales_warranties(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "aftersales_service.aftersales_warranty_action"
        )
        action["domain"] = [("commercial_partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"create": False}
        return action
