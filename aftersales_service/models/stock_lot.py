from odoo import api, fields, models

from .tools import count_history, history_action

AFTERSALES_USERS = "aftersales_service.group_aftersales_user"
# the after-sales file of a sold unit (W-6): kind -> (model, field pointing to the serial)
UNIT_HISTORY = {
    "warranty": ("aftersales.warranty", "lot_id"),
    "case": ("aftersales.case", "lot_id"),
    "return": ("aftersales.return", "line_ids.lot_id"),
    "visit": ("aftersales.field.visit", "lot_id"),
    "maintenance": ("aftersales.maintenance", "lot_id"),
    "complaint": ("aftersales.complaint", ("case_id.lot_id", "return_id.line_ids.lot_id")),
    "repair": ("repair.order", "lot_id"),
}


class StockLot(models.Model):
    """W-6: each sold unit shows its after-sales file: warranty, cases, returns, field visits,
    mandatory maintenance, complaints and repairs."""

    _inherit = "stock.lot"

    aftersales_warranty_count = fields.Integer(
        string="Warranty Count", compute="_compute_aftersales_counts", groups=AFTERSALES_USERS
    )
    aftersales_case_count = fields.Integer(
        string="Case Count", compute="_compute_aftersales_counts", groups=AFTERSALES_USERS
    )
    aftersales_return_count = fields.Integer(
        string="Return Count", compute="_compute_aftersales_counts", groups=AFTERSALES_USERS
    )
    aftersales_visit_count = fields.Integer(
        string="Field Visit Count", compute="_compute_aftersales_counts", groups=AFTERSALES_USERS
    )
    aftersales_maintenance_count = fields.Integer(
        string="Maintenance Count", compute="_compute_aftersales_counts", groups=AFTERSALES_USERS
    )
    aftersales_complaint_count = fields.Integer(
        string="Complaint Count", compute="_compute_aftersales_counts", groups=AFTERSALES_USERS
    )
    aftersales_repair_count = fields.Integer(
        string="Repair Count", compute="_compute_aftersales_counts", groups=AFTERSALES_USERS
    )

    @api.depends_context("uid")
    def _compute_aftersales_counts(self):
        count_history(self, UNIT_HISTORY, lambda lot: lot.id)

    @api.readonly
    def action_view_aftersales_file(self):
        """The documents of one kind (``aftersales_kind`` in the button's context) of this unit."""
        self.ensure_one()
        return history_action(
            UNIT_HISTORY, self.env.context.get("aftersales_kind", "case"), self.id, self.name
        )
