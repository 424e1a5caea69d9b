from odoo import api, fields, models


class MaintenanceEquipment(models.Model):
    """F-8: repair tools and equipment are Odoo's own equipment, with an owner (the engineer,
    ``owner_user_id``), a service life and preventive maintenance (``maintenance.request``)."""

    _inherit = "maintenance.equipment"

    aftersales_is_tool = fields.Boolean(
        string="Service Tool", help="A repair tool or instrument engineers take on field visits."
    )
    aftersales_service_life_end = fields.Date(
        string="End of Service Life", help="Expected end date of the tool's service life."
    )
    aftersales_next_preventive_date = fields.Date(
        string="Next Preventive Maintenance", compute="_compute_aftersales_next_preventive_date"
    )
    # counts after-sales records: for after-sales users (maintenance users keep reading equipment)
    aftersales_visit_count = fields.Integer(
        compute="_compute_aftersales_visit_count",
        string="Field Visits",
        groups="aftersales_service.group_aftersales_user",
    )

    @api.depends(
        "maintenance_ids.schedule_date", "maintenance_ids.maintenance_type", "maintenance_ids.stage_id"
    )
    def _compute_aftersales_next_preventive_date(self):
        for equipment in self:
            dates = [
                equipment.company_id._aftersales_date(request.schedule_date)
                for request in equipment.maintenance_ids
                if request.maintenance_type == "preventive"
                and request.schedule_date
                and not request.stage_id.done
            ]
            equipment.aftersales_next_preventive_date = min(dates, default=False)

    def _compute_aftersales_visit_count(self):
        counts = dict(
            self.env["aftersales.field.visit"]._read_group(
                [("tool_ids", "in", self.ids)], ["tool_ids"], ["__count"]
            )
        )
        for equipment in self:
            equipment.aftersales_visit_count = counts.get(equipment, 0)
