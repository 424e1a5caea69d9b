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
