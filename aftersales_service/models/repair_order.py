from markupsafe import Markup

from odoo import Command, _, api, fields, models

from .tools import privileged


class RepairOrder(models.Model):
    _inherit = "repair.order"

    aftersales_warranty_id = fields.Many2one(
        "aftersales.warranty",
        string="Warranty",
        index="btree_not_null",
        check_company=True,
        help="The customer's warranty for this unit: free while it covers, after expiry the "
        "quotation follows the policy's after-expiry mode.",
    )
    aftersales_after_expiry_mode = fields.Selection(related="aftersales_warranty_id.after_expiry_mode")
    aftersales_exclusion_id = fields.Many2one(
        "aftersales.warranty.exclusion",
        string="Not Covered Because",
        groups="aftersales_service.group_aftersales_user",
        help="The fault's cause is one the warranty does not cover: the repair is charged as out of "
        "warranty, the cause named on the quotation.",
    )
    aftersales_case_id = fields.Many2one(
        "aftersales.case",
        string="Service Case",
        index="btree_not_null",
        check_company=True,
        copy=False,
        groups="aftersales_service.group_aftersales_user",
    )

    aftersales_return_line_id = fields.Many2one(
        "aftersales.return.line",
        string="Return Line",
        index="btree_not_null",
        copy=False,
        readonly=True,
        groups="aftersales_service.group_aftersales_user",
        help="The returned unit this repair is for; once repaired it is delivered back.",
    )
    aftersales_redelivery_id = fields.Many2one(
        "stock.picking",
        string="Re-delivery",
        copy=False,
        readonly=True,
        groups="aftersales_service.group_aftersales_user",
    )

    def action_repair_done(self):
        res = super().action_repair_done()
        # sudo: the workshop (stock users) ends the repair; the return is after-sales data
        self.sudo().filtered(
            lambda r: r.state == "done" and r.aftersales_return_line_id
        )._aftersales_redeliver()
        return res

    def _aftersales_redeliver(self):
        """R-2: a repaired returned unit goes back to the customer with a standard delivery from
        where the repair put it (the same serial), linked to the return."""
        for repair in self.filtered(lambda r: not r.aftersales_redelivery_id):
            line = repair.aftersales_return_line_id
            ret = line.return_id
            warehouse = self.env["stock.warehouse"].search(
                [("company_id", "=", repair.company_id.id)], limit=1
            )
            picking_type = warehouse.out_type_id
            customer = self.env.ref("stock.stock_location_customers")
            picking = (
                self.env["stock.picking"]
                .with_company(repair.company_id)
                .create(
                    {
                        "picking_type_id": picking_type.id,
                        "partner_id": ret.partner_id.id,
                        "origin": f"{ret.name} / {repair.name}",
                        "location_id": (repair.product_location_dest_id or repair.location_id).id,
                        "location_dest_id": customer.id,
                        "aftersales_return_id": ret.id,
                        "move_ids": [
                            Command.create(
                                {
                                    "name": repair.product_id.display_name,
                                    "product_id": repair.product_id.id,
                                    "product_uom_qty": repair.product_qty,
                                    "product_uom": repair.product_uom.id,
                                    "location_id": (repair.product_location_dest_id or repair.location_id).id,
                                    "location_dest_id": customer.id,
                                }
                            )
                        ],
                    }
                )
            )
            picking.action_confirm()
            picking.action_assign()
            if repair.lot_id:  # the repaired serial itself, not any unit in stock
                picking.move_ids.move_line_ids.write({"lot_id": repair.lot_id.id})
            privileged(repair).aftersales_redelivery_id = picking
            ret.message_post(
                body=Markup(_("%(repair)s is done: the unit goes back to the customer with %(picking)s."))
                % {"repair": repair._get_html_link(), "picking": picking._get_html_link()}
            )

    @api.onchange("aftersales_warranty_id", "aftersales_exclusion_id")
    def _onchange_aftersales_warranty_id(self):
        if self.aftersales_warranty_id:
            self.under_warranty = (
                self.aftersales_warranty_id._is_covering() and not self.aftersales_exclusion_id
            )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("aftersales_exclusion_id"):
                vals["under_warranty"] = False  # W-1: an excluded cause is never free
        return super().create(vals_list)

    def write(self, vals):
        if vals.get("aftersales_exclusion_id"):
            vals = dict(vals, under_warranty=False)
        return super().write(vals)

    def _get_aftersales_price(self, product):
        """Unit price (company currency) of ``product`` on this repair's quotation, or None when
        the warranty rules do not apply (no warranty, or Odoo's own under-warranty pricing)."""
        self.ensure_one()
        warranty = self.aftersales_warranty_id
        if not warranty:
            return None
        in_warranty = self.under_warranty and not self.aftersales_exclusion_id
        if not in_warranty and warranty.after_expiry_mode == "none" and self.aftersales_exclusion_id:
            return None  # an excluded fault on a unit without after-expiry terms: normal prices
        return warranty._get_repair_part_price(product, in_warranty)
