# pylint: disable=consider-merging-classes-inherited
# (a rule part of the model, in a room of its own: see docs/ARCHITECTURE.md)
from markupsafe import Markup

from odoo import Command, _, api, fields, models
from odoo.exceptions import AccessError, UserError

from .tools import form_action, lock_for_action, privileged

DISPOSITIONS = [
    ("restock", "Restock"),
    ("refurbish", "Refurbish"),
    ("scrap", "Scrap"),
    ("vendor", "Return to Vendor"),
]
WAREHOUSE_GROUP = "stock.group_stock_user"


class AftersalesReturnLine(models.Model):
    """Grading at receipt: each received unit is restocked, refurbished, scrapped or sent back
    to its vendor, with Odoo's own documents (an internal transfer, a repair order, a scrap, the
    return of the vendor's receipt)."""

    _inherit = "aftersales.return.line"

    disposition = fields.Selection(DISPOSITIONS, readonly=True, copy=False, index="btree_not_null")
    disposition_date = fields.Date(readonly=True, copy=False)
    disposition_user_id = fields.Many2one("res.users", string="Graded By", readonly=True, copy=False)
    disposition_move_ids = fields.Many2many(
        "stock.move",
        "aftersales_return_line_disposition_move_rel",
        "line_id",
        "move_id",
        string="Disposition Moves",
        readonly=True,
        copy=False,
    )
    scrap_ids = fields.Many2many("stock.scrap", string="Scraps", readonly=True, copy=False)
    repair_id = fields.Many2one(
        "repair.order", string="Refurbishment", readonly=True, copy=False, index="btree_not_null"
    )
    vendor_id = fields.Many2one("res.partner", readonly=True, copy=False)
    vendor_refund_line_ids = fields.One2many(
        "account.move.line", "aftersales_vendor_return_line_id", string="Vendor Credit Lines", readonly=True
    )
    can_grade = fields.Boolean(compute="_compute_can_grade")
    # for the warehouse's grading list: warehouse users read return lines, not the returns
    return_name = fields.Char(related="return_id.name", string="Return Reference")
    return_state = fields.Selection(related="return_id.state", string="Return Status")

    @api.depends("disposition", "qty_received", "return_state")
    @api.depends_context("uid")
    def _compute_can_grade(self):
        is_warehouse = self.env.user.has_group(WAREHOUSE_GROUP)
        for line in self:
            line.can_grade = (
                is_warehouse
                and not line.disposition
                and line.outcome != "repair"  # a repaired unit goes back to its customer
                and line.product_id.is_storable
                and line.qty_received > 0
                and line.return_state in ("waiting_goods", "received", "done")
            )

    def action_set_disposition(self, disposition):
        """Record the inspection result of the received units of these lines and move them:
        ``restock`` (internal transfer to stock), ``refurbish`` (a repair order), ``scrap``
        (Odoo's scrap), ``vendor`` (the return of the vendor's receipt). Warehouse users only;
        a line is graded once."""
        if disposition not in dict(DISPOSITIONS):
            raise UserError(_("Choose restock, refurbish, scrap or return to vendor."))
        if not self.env.user.has_group(WAREHOUSE_GROUP):
            raise AccessError(_("Returned goods are graded by warehouse users."))
        lock_for_action(self.return_id)
        for line in self:
            if not line.can_grade:
                raise UserError(
                    _(
                        "%(line)s cannot be graded: only received goods, once.",
                        line=line.sudo().display_name,
                    )
                )
        for line in self:
            # privileged: the documents of the grading are made for the warehouse user's decision
            # (vendor receipts, repairs), the line's protected links are written by this action
            line_sudo = privileged(line.sudo())
            handler = getattr(line_sudo, f"_disposition_{disposition}")
            handler()
            line_sudo.write(
                {
                    "disposition": disposition,
                    "disposition_date": line.company_id._aftersales_date(),
                    "disposition_user_id": self.env.uid,
                }
            )
            # sudo: the return's chatter, for warehouse users who do not read returns
            line.return_id.sudo().message_post(
                body=_(
                    "%(line)s graded: %(disposition)s.",
                    line=line_sudo.display_name,
                    disposition=dict(self._fields["disposition"]._description_selection(self.env))[
                        disposition
                    ],
                )
            )
        return True

    def action_disposition_restock(self):
        return self.action_set_disposition("restock")

    def action_disposition_refurbish(self):
        return self.action_set_disposition("refurbish")

    def action_disposition_scrap(self):
        return self.action_set_disposition("scrap")

    def action_disposition_vendor(self):
        return self.action_set_disposition("vendor")

    # ------------------------------------------------------------------ the units
    def _received_units(self):
        """(location, lots, quantity) of the units this line received."""
        self.ensure_one()
        move_lines = self.return_move_ids.filtered(lambda m: m.state == "done").move_line_ids
        if self.lot_ids and move_lines.lot_id & self.lot_ids:
            move_lines = move_lines.filtered(lambda ml: ml.lot_id in self.lot_ids)
        location = move_lines.location_dest_id[:1]
        lots = move_lines.lot_id
        quantity = float(len(lots)) if self.product_id.tracking == "serial" else self.qty_received
        return location, lots, quantity

    def _warehouse(self, location):
        return location.warehouse_id or self.env["stock.warehouse"].search(
            [("company_id", "=", self.company_id.id)], limit=1
        )

    def _internal_transfer(self, picking_type, source, destination, lots, quantity):
        picking = self.env["stock.picking"].create(
            {
                "picking_type_id": picking_type.id,
                "location_id": source.id,
                "location_dest_id": destination.id,
                "origin": self.return_id.name,
                "company_id": self.company_id.id,
            }
        )
        move = self.env["stock.move"].create(
            {
                "name": self.product_id.display_name,
                "picking_id": picking.id,
                "product_id": self.product_id.id,
                "product_uom": self.product_id.uom_id.id,
                "product_uom_qty": quantity,
                "location_id": source.id,
                "location_dest_id": destination.id,
                "company_id": self.company_id.id,
            }
        )
        self._validate_moves(picking, move, lots, quantity)
        return move

    def _validate_moves(self, picking, moves, lots, quantity):
        picking.action_confirm()
        for move in moves:
            move.move_line_ids.unlink()
            if lots:
                move.move_line_ids = [
                    Command.create(
                        {
                            "product_id": move.product_id.id,
                            "lot_id": lot.id,
                            "quantity": 1.0 if move.product_id.tracking == "serial" else quantity,
                            "product_uom_id": move.product_uom.id,
                            "location_id": move.location_id.id,
                            "location_dest_id": move.location_dest_id.id,
                        }
                    )
                    for lot in lots
                ]
            else:
                move.quantity = quantity
            move.picked = True
        picking.with_context(skip_backorder=True, cancel_backorder=True).button_validate()

    def _disposition_restock(self):
        location, lots, quantity = self._received_units()
        warehouse = self._warehouse(location)
        stock = warehouse.lot_stock_id
        if location.parent_path.startswith(stock.parent_path):
            return  # received into sellable stock already (no quarantine)
        move = self._internal_transfer(warehouse.int_type_id, location, stock, lots, quantity)
        self.disposition_move_ids = [Command.link(move.id)]

    def _disposition_scrap(self):
        location, lots, quantity = self._received_units()
        Scrap = self.env["stock.scrap"]
        for lot in lots or [None]:
            scrap = Scrap.create(
                {
                    "product_id": self.product_id.id,
                    "product_uom_id": self.product_id.uom_id.id,
                    "scrap_qty": 1.0 if lot and self.product_id.tracking == "serial" else quantity,
                    "lot_id": lot.id if lot else False,
                    "location_id": location.id,
                    "company_id": self.company_id.id,
                    "origin": self.return_id.name,
                }
            )
            scrap.do_scrap()
            self.scrap_ids = [Command.link(scrap.id)]

    def _disposition_refurbish(self):
        location, lots, quantity = self._received_units()
        warehouse = self._warehouse(location)
        repair = self.env["repair.order"].create(
            {
                "product_id": self.product_id.id,
                "product_qty": quantity,
                "lot_id": lots[:1].id,
                "picking_type_id": warehouse.repair_type_id.id,
                "product_location_src_id": location.id,
                "product_location_dest_id": warehouse.lot_stock_id.id,
                "company_id": self.company_id.id,
                "internal_notes": Markup("<p>%s</p>")
                % _("Refurbishment of a unit returned on %(name)s.", name=self.return_id.name),
            }
        )
        self.repair_id = repair

    def _disposition_vendor(self):
        location, lots, quantity = self._received_units()
        receipt_move = self._vendor_receipt_move(lots)
        if not receipt_move:
            raise UserError(
                _(
                    "%(product)s: no receipt from a vendor was found to return it to.",
                    product=self.product_id.display_name,
                )
            )
        Wizard = self.env["stock.return.picking"].with_context(
            active_id=receipt_move.picking_id.id,
            active_ids=receipt_move.picking_id.ids,
            active_model="stock.picking",
            aftersales_vendor_source_location_id=location.id,
        )
        wizard = Wizard.create(
            {
                "picking_id": receipt_move.picking_id.id,
                "product_return_moves": [
                    Command.create(
                        dict(
                            Wizard._prepare_stock_return_picking_line_vals_from_move(receipt_move),
                            quantity=quantity,
                        )
                    )
                ],
            }
        )
        picking = self.env["stock.picking"].browse(wizard.action_create_returns()["res_id"])
        picking.origin = f"{picking.origin or ''} ({self.return_id.name})".strip()
        self._validate_moves(picking, picking.move_ids, lots, quantity)
        self.disposition_move_ids = [Command.link(move.id) for move in picking.move_ids]
        self.vendor_id = receipt_move.picking_id.partner_id.commercial_partner_id

    def _vendor_receipt_move(self, lots):
        """The done receipt from a vendor the unit came in with (its serial's, else the last one
        of the product)."""
        domain = [
            ("product_id", "=", self.product_id.id),
            ("state", "=", "done"),
            ("location_id.usage", "=", "supplier"),
            ("company_id", "=", self.company_id.id),
            ("picking_id", "!=", False),
        ]
        if lots:
            domain.append(("move_line_ids.lot_id", "in", lots.ids))
        return self.env["stock.move"].search(domain, order="date desc, id desc", limit=1)

    def _vendor_bill_line(self):
        """The vendor's last posted bill line of the product."""
        self.ensure_one()
        return self.env["account.move.line"].search(
            [
                ("move_id.move_type", "=", "in_invoice"),
                ("parent_state", "=", "posted"),
                ("product_id", "=", self.product_id.id),
                ("partner_id", "=", self.vendor_id.id),
                ("company_id", "=", self.company_id.id),
                ("display_type", "=", "product"),
            ],
            order="date desc, id desc",
            limit=1,
        )


class AftersalesReturn(models.Model):
    """The vendor pays for the vendor's fault: the units returned to their vendor are claimed on
    a vendor credit note reversing the vendor bill's lines."""

    _inherit = "aftersales.return"

    vendor_refund_ids = fields.One2many(
        "account.move",
        "aftersales_return_id",
        string="Vendor Credit Notes",
        domain=[("move_type", "=", "in_refund")],
        groups="aftersales_service.group_aftersales_user",
    )
    vendor_refund_count = fields.Integer(
        compute="_compute_vendor_refund_count", groups="aftersales_service.group_aftersales_user"
    )
    can_claim_vendor = fields.Boolean(compute="_compute_can_claim_vendor")

    def _compute_vendor_refund_count(self):
        for ret in self:
            # sudo: a counter, for after-sales users without vendor bill rights
            ret.vendor_refund_count = len(ret.sudo().vendor_refund_ids)

    @api.depends("line_ids.disposition", "line_ids.vendor_id")
    @api.depends_context("uid")
    def _compute_can_claim_vendor(self):
        is_billing = self.env.user.has_group("account.group_account_invoice")
        for ret in self:
            ret.can_claim_vendor = is_billing and bool(ret.sudo()._vendor_lines_to_claim())

    def _vendor_lines_to_claim(self):
        return self.line_ids.filtered(
            lambda ln: (
                ln.disposition == "vendor"
                and ln.vendor_id
                and not ln.vendor_refund_line_ids.filtered(lambda ml: ml.parent_state != "cancel")
            )
        )

    def action_claim_vendor(self):
        """A vendor credit note (``in_refund``) per vendor bill, reversing the bill lines of the
        units returned to their vendor, at the billed price and taxes. Billing users only."""
        self.ensure_one()
        if not self.env.user.has_group("account.group_account_invoice"):
            raise AccessError(_("Vendor credit notes are made by users with invoicing rights."))
        lock_for_action(self)
        lines = self.sudo()._vendor_lines_to_claim()
        if not lines:
            raise UserError(
                _("Return %(name)s has no unit returned to its vendor left to claim.", name=self.name)
            )
        by_bill = {}
        for line in lines:
            bill_line = line._vendor_bill_line()
            if not bill_line:
                raise UserError(
                    _(
                        "No posted bill of %(vendor)s for %(product)s: claim it once the bill is booked.",
                        vendor=line.vendor_id.display_name,
                        product=line.product_id.display_name,
                    )
                )
            by_bill.setdefault(bill_line.move_id, []).append((line, bill_line))
        vals_list = []
        for bill, items in by_bill.items():
            vals_list.append(
                {
                    "move_type": "in_refund",
                    "partner_id": bill.partner_id.id,
                    "company_id": bill.company_id.id,
                    "currency_id": bill.currency_id.id,
                    "journal_id": bill.journal_id.id,
                    "reversed_entry_id": bill.id,
                    "invoice_date": self.company_id._aftersales_date(),
                    "ref": _("Vendor claim, return %(name)s", name=self.name),
                    "fiscal_position_id": bill.fiscal_position_id.id,
                    "aftersales_return_id": self.id,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "product_id": bill_line.product_id.id,
                                "name": bill_line.name or line.product_id.display_name,
                                "aftersales_vendor_return_line_id": line.id,
                                "quantity": line._received_units()[2],
                                "product_uom_id": bill_line.product_uom_id.id,
                                "price_unit": bill_line.price_unit,
                                "discount": bill_line.discount,
                                "tax_ids": [Command.set(bill_line.tax_ids.ids)],
                                "account_id": bill_line.account_id.id,
                            }
                        )
                        for line, bill_line in items
                    ],
                }
            )
        refunds = privileged(self.env["account.move"]).with_company(self.company_id).create(vals_list)
        refunds = self.env["account.move"].with_company(self.company_id).browse(refunds.ids)
        self.message_post(
            body=Markup(_("Vendor credit note %(moves)s created."))
            % {"moves": Markup(", ").join(m._get_html_link() for m in refunds)}
        )
        return form_action(refunds) if len(refunds) == 1 else refunds._get_records_action()

    @api.readonly
    def action_view_vendor_refunds(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("account.action_move_in_refund_type")
        action["domain"] = [("id", "in", self.vendor_refund_ids.ids)]
        action["context"] = {"create": False}
        return action


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    aftersales_vendor_return_line_id = fields.Many2one(
        "aftersales.return.line",
        string="Returned to Vendor",
        index="btree_not_null",
        copy=False,
        readonly=True,
        groups="aftersales_service.group_aftersales_user",
    )
