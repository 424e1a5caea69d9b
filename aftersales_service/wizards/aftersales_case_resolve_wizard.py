from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..models.aftersales_case import RESOLUTIONS


class AftersalesCaseResolveWizard(models.TransientModel):
    """Resolve asks for what it needs in one step: the outcome and how the case was solved."""

    _name = "aftersales.case.resolve.wizard"
    _description = "Resolve a Service Case"

    case_id = fields.Many2one("aftersales.case", required=True, readonly=True)
    resolution = fields.Selection(RESOLUTIONS, string="Outcome", required=True)
    resolution_note = fields.Html(string="How It Was Solved")

    @api.model
    def default_get(self, fields_list):
        res = super().default_get(fields_list)
        case = self.env["aftersales.case"].browse(res.get("case_id") or self.env.context.get("active_id"))
        if case.exists():
            res.setdefault("case_id", case.id)
            res.setdefault("resolution", case.resolution)
            res.setdefault("resolution_note", case.resolution_note)
        return res

    def action_resolve(self):
        self.ensure_one()
        case = self.case_id
        if not case.can_resolve:
            raise UserError(_("Case %(name)s is not open.", name=case.name))
        case.write({"resolution": self.resolution, "resolution_note": self.resolution_note})
        case.action_resolve()
        return {"type": "ir.actions.act_window_close"}
