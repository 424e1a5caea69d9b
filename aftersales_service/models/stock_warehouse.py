from odoo import _, models


class StockWarehouse(models.Model):
    _inherit = "stock.warehouse"

    def _aftersales_returns_location(self):
        """The warehouse's quarantine location for returned goods (an internal location "Returns"
        under the warehouse), made the first time it is needed."""
        self.ensure_one()
        # sudo: returns are received by after-sales actions for users without warehouse rights
        Location = self.env["stock.location"].sudo()
        location = Location.search(
            [
                ("location_id", "=", self.view_location_id.id),
                ("aftersales_is_returns", "=", True),
                ("company_id", "=", self.company_id.id),
            ],
            limit=1,
        )
        if not location:
            location = Location.create(
                {
                    "name": _("Returns"),
                    "usage": "internal",
                    "location_id": self.view_location_id.id,
                    "company_id": self.company_id.id,
                    "aftersales_is_returns": True,
                }
            )
        return location.sudo(False)


class StockReturnPicking(models.TransientModel):
    _inherit = "stock.return.picking"

    def _prepare_picking_default_values(self):
        vals = super()._prepare_picking_default_values()
        # after-sales returns come back into the warehouse's quarantine location, to be graded
        location_id = self.env.context.get("aftersales_return_location_id")
        if location_id and self.picking_id.picking_type_id.code == "outgoing":
            vals["location_dest_id"] = location_id
        # a unit graded "return to vendor" leaves from where it was graded, not from stock
        source_id = self.env.context.get("aftersales_vendor_source_location_id")
        if source_id and self.picking_id.picking_type_id.code == "incoming":
            vals["location_id"] = source_id
        return vals
