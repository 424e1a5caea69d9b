# pylint: disable=consider-merging-classes-inherited
# (a rule part of the model, in a room of its own: see docs/ARCHITECTURE.md)
from odoo import api, fields, models

INTERNAL = "aftersales_service.group_aftersales_user"


class AftersalesCase(models.Model):
    """Loaner units: a case may lend the customer a unit from the loaner stock
    (``aftersales.loan``) while theirs is looked after."""

    _inherit = "aftersales.case"

    loan_ids = fields.One2many("aftersales.loan", "case_id", string="Loaned Units", groups=INTERNAL)
    loan_count = fields.Integer(compute="_compute_loan_count", groups=INTERNAL)

    @api.depends("loan_ids")
    def _compute_loan_count(self):
        counts = dict(
            self.env["aftersales.loan"]._read_group([("case_id", "in", self.ids)], ["case_id"], ["__count"])
        )
        for case in self:
            case.loan_count = counts.get(case._origin, 0)

    def action_new_loan(self):
        """A new loan form for the case (its customer, company filled in)."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Lend a Unit"),
            "res_model": "aftersales.loan",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
            "context": {"default_case_id": self.id},
        }

    @api.readonly
    def action_view_loans(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("aftersales_service.aftersales_loan_action")
        action["domain"] = [("case_id", "=", self.id)]
        action["context"] = {"default_case_id": self.id}
        return action
