from odoo import _, api, fields, models
from odoo.exceptions import UserError

# S-3: the after-sales fields of an order carry the groups that may read their records, so that
# the order's own users (sales, invoicing, warehouse) keep reading and exporting their orders
AFTERSALES_USERS = "aftersales_service.group_aftersales_user"
WARRANTY_READERS = "aftersales_service.group_aftersales_user,sales_team.group_sale_salesman"


class SaleOrder(models.Model):
    _inherit = "sale.order"

    # --- warranty (W)
    aftersales_warranty_ids = fields.One2many(
        "aftersales.warranty", "sale_order_id", string="Warranties", groups=WARRANTY_READERS
    )
    aftersales_warranty_count = fields.Integer(
        string="Warranty Count", compute="_compute_aftersales_warranty_count", groups=WARRANTY_READERS
    )

    def _compute_aftersales_warranty_count(self):
        counts = dict(
            self.env["aftersales.warranty"]._read_group(
                [("sale_order_id", "in", self.ids)], ["sale_order_id"], ["__count"]
            )
        )
        for order in self:
            order.aftersales_warranty_count = counts.get(order, 0)

    # --- service cases (C)
    aftersales_case_ids = fields.One2many(
        "aftersales.case", "sale_order_id", string="Service Cases", groups=AFTERSALES_USERS
    )
    aftersales_case_count = fields.Integer(
        string="Case Count", compute="_compute_aftersales_case_count", groups=AFTERSALES_USERS
    )

    def _compute_aftersales_case_count(self):
        counts = dict(
            self.env["aftersales.case"]._read_group(
                [("sale_order_id", "in", self.ids)], ["sale_order_id"], ["__count"]
            )
        )
        for order in self:
            order.aftersales_case_count = counts.get(order, 0)

    @api.readonly
    def action_view_aftersales_cases(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("aftersales_service.aftersales_case_action")
        action["domain"] = [("sale_order_id", "=", self.id)]
        action["context"] = {"default_sale_order_id": self.id, "default_partner_id": self.partner_id.id}
        return action

    def action_aftersales_report_problem(self):
        """C-1: "Report a problem" on a confirmed order opens a new case about it."""
        self.ensure_one()
        if self.state != "sale":
            raise UserError(_("Only a confirmed order can have a problem reported."))
        return {
            "type": "ir.actions.act_window",
            "res_model": "aftersales.case",
            "view_mode": "form",
            "views": [(False, "form")],
            "context": {
                "default_sale_order_id": self.id,
                "default_partner_id": self.partner_id.id,
                "default_company_id": self.company_id.id,
                "default_category": "quality",
                "default_subject": _("Problem with %(order)s", order=self.name),
            },
        }

    # --- returns (R)
    # the returns with a line of this order (a return may gather several orders of a customer)
    aftersales_return_ids = fields.Many2many(
        "aftersales.return",
        "aftersales_return_sale_order_rel",
        "order_id",
        "return_id",
        string="Returns",
        readonly=True,
        copy=False,
        groups=AFTERSALES_USERS,
    )
    aftersales_return_count = fields.Integer(
        string="Return Count", compute="_compute_aftersales_return_count", groups=AFTERSALES_USERS
    )

    def _compute_aftersales_return_count(self):
        counts = dict(
            self.env["aftersales.return"]._read_group(
                [("sale_order_ids", "in", self.ids)], ["sale_order_ids"], ["__count"]
            )
        )
        for order in self:
            order.aftersales_return_count = counts.get(order, 0)

    def action_aftersales_return(self):
        """R-3: "Return / Exchange" opens a new return form filled with the delivered, not yet
        returned lines; nothing is created until the user saves it."""
        self.ensure_one()
        if self.state != "sale":
            raise UserError(_("Only a confirmed order can be returned."))
        vals = self.env["aftersales.return"]._prepare_return_vals(self)
        return {
            "type": "ir.actions.act_window",
            "name": _("New Return"),
            "res_model": "aftersales.return",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
            "context": {f"default_{field}": value for field, value in vals.items()},
        }

    @api.readonly
    def action_view_aftersales_returns(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("aftersales_service.aftersales_return_action")
        action["domain"] = [("sale_order_ids", "in", self.ids)]
        action["context"] = {"create": False}
        return action

    def _action_confirm(self):
        res = super()._action_confirm()
        # W-2: order-triggered policies start on confirmation
        self.env["aftersales.warranty"]._create_from_order_lines(self.order_line)
        return res

    @api.readonly
    def action_view_aftersales_warranties(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "aftersales_service.aftersales_warranty_action"
        )
        action["domain"] = [("sale_order_id", "=", self.id)]
        action["context"] = {"create": False}
        return action
