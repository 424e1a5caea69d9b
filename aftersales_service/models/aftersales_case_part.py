from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from .tools import is_privileged


class AftersalesCasePart(models.Model):
    _name = "aftersales.case.part"
    _description = "Part Used on a Service Case"
    _inherit = ["aftersales.number.guard"]

    case_id = fields.Many2one("aftersales.case", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="case_id.company_id", store=True)
    product_id = fields.Many2one("product.product", required=True, domain=[("type", "=", "consu")])
    quantity = fields.Float(default=1.0, digits="Product Unit of Measure")
    lot_id = fields.Many2one("stock.lot", string="Serial/Lot")
    is_upgrade = fields.Boolean(
        string="Upgrade",
        help="An improvement the customer chose, charged at the part's cost even in warranty.",
    )

    @api.constrains("quantity")
    def _check_quantity(self):
        if any(part.quantity <= 0 for part in self):
            raise ValidationError(_("The quantity of a part used must be positive."))

    def _check_case_open(self):
        """C-8: the parts of a closed or invoiced case are kept as they were."""
        if is_privileged(self):
            return
        locked = self.case_id.filtered(
            lambda c: (
                c.state in ("closed", "cancelled")
                or c.sudo().invoice_ids.filtered(lambda m: m.state != "cancel")
            )
        )
        if locked:
            raise UserError(
                _(
                    "Case %(names)s is closed or invoiced: its parts cannot change.",
                    names=", ".join(locked.mapped("name")),
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        parts = super().create(vals_list)
        parts._check_case_open()
        return parts

    def write(self, vals):
        self._check_case_open()
        res = super().write(vals)
        if "case_id" in vals:
            self._check_case_open()
        return res

    @api.ondelete(at_uninstall=False)
    def _unlink_if_case_open(self):
        self._check_case_open()
