from odoo import api, fields, models

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


def history_domain(fields_, value):
    """The domain of one kind of the after-sales file: any of its fields points to ``value``."""
    names = (fields_,) if isinstance(fields_, str) else fields_
    return ["|"] * (len(names) - 1) + [(name, "=", value) for name in names]


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
        for kind, (model, field) in UNIT_HISTORY.items():
            Model = self.env[model]
            counts = {}
            if Model.has_access("read"):
                for lot in self:
                    counts[lot.id] = Model.search_count(history_domain(field, lot.id)) if lot.id else 0
            for lot in self:
                lot[f"aftersales_{kind}_count"] = counts.get(lot.id, 0)

    def action_view_aftersales_file(self):
        """The documents of one kind (``aftersales_kind`` in the button's context) of this unit."""
        self.ensure_one()
        kind = self.env.context.get("aftersales_kind", "case")
        model, field = UNIT_HISTORY[kind]
        return {
            "type": "ir.actions.act_window",
            "name": self.name,
            "res_model": model,
            "view_mode": "list,form",
            "domain": history_domain(field, self.id),
            "context": {"create": False},
        }
