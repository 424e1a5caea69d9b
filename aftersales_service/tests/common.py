"""Shared fixture for every aftersales_service test.

``AftersalesCommon`` gives two companies with accounting, a salesperson, an after-sales user,
manager and executive (main company; one user per role), a user of the second company, a portal
customer, products in policy-like categories (storable; one tracked by serial) with stock, and
helpers that take a sale order through confirm -> deliver (validated picking) -> invoice
(posted), each at a frozen date.
"""

from datetime import datetime

from odoo import Command, fields
from odoo.tests import TransactionCase, freeze_time, new_test_user

# Dates used across the suite: an order is confirmed, delivered, invoiced on these days.
ORDER_DATE = datetime(2026, 3, 2, 9, 0)
DELIVERY_DATE = datetime(2026, 3, 4, 10, 0)
INVOICE_DATE = datetime(2026, 3, 5, 11, 0)


class AftersalesCommon(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # mail tracking and notifications are not what these tests are about; keep them fast
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True, mail_create_nolog=True))
        cls.company = cls.env.company
        cls._ensure_chart(cls.company)
        cls.company_2 = cls.env["res.company"].create(
            {"name": "After-Sales Company 2", "currency_id": cls.company.currency_id.id}
        )
        cls._ensure_chart(cls.company_2)
        cls.warehouse = cls.env["stock.warehouse"].search([("company_id", "=", cls.company.id)], limit=1)
        cls.stock_location = cls.warehouse.lot_stock_id

        # ---- users -------------------------------------------------------------------------
        both = [Command.set((cls.company | cls.company_2).ids)]
        cls.salesperson = new_test_user(
            cls.env,
            login="as_salesperson",
            name="Sam Salesperson",
            groups="sales_team.group_sale_salesman",
            company_id=cls.company.id,
        )
        cls.aftersales_user = new_test_user(
            cls.env,
            login="as_user",
            name="Ulla After-Sales User",
            groups="aftersales_service.group_aftersales_user,account.group_account_invoice",
            company_id=cls.company.id,
        )
        cls.aftersales_manager = new_test_user(
            cls.env,
            login="as_manager",
            name="Mats After-Sales Manager",
            groups="aftersales_service.group_aftersales_manager,account.group_account_invoice,"
            "sales_team.group_sale_manager",
            company_id=cls.company.id,
            company_ids=both,
        )
        # the one executive of the suite (approves complaints, penalties, the monthly review);
        # the tests that need one make it the company's executive
        cls.executive = new_test_user(
            cls.env,
            login="as_executive",
            name="Eva Executive",
            email="eva@example.com",
            groups="aftersales_service.group_aftersales_executive",
            company_id=cls.company.id,
        )
        cls.aftersales_user_2 = new_test_user(
            cls.env,
            login="as_user_c2",
            name="Other Company After-Sales User",
            groups="aftersales_service.group_aftersales_user,account.group_account_invoice",
            company_id=cls.company_2.id,
            company_ids=[Command.set(cls.company_2.ids)],
        )

        # ---- customers ---------------------------------------------------------------------
        cls.customer = cls.env["res.partner"].create(
            {"name": "Anna Customer", "email": "anna@customer.example.com", "phone": "+46 70 111 22 33"}
        )
        cls.customer_2 = cls.env["res.partner"].create(
            {"name": "Bo Other Customer", "email": "bo@other.example.com"}
        )
        cls.portal_user = new_test_user(
            cls.env,
            login="as_portal",
            name="Anna Customer",
            groups="base.group_portal",
            partner_id=cls.customer.id,
            email=cls.customer.email,  # else new_test_user writes a generated address on the customer
        )

        # ---- products ----------------------------------------------------------------------
        Category = cls.env["product.category"]
        cls.categ_root = Category.create({"name": "Test Security Equipment"})
        cls.categ_cameras = Category.create({"name": "Test Cameras", "parent_id": cls.categ_root.id})
        cls.categ_switchers = Category.create(
            {"name": "Test Matrix Switchers", "parent_id": cls.categ_root.id}
        )
        cls.categ_accessories = Category.create({"name": "Test Accessories", "parent_id": cls.categ_root.id})
        cls.tax_sale = cls.company.account_sale_tax_id
        Product = cls.env["product.product"]
        # goods are invoiced on delivered quantities, as after-sales companies do
        common = {
            "type": "consu",
            "is_storable": True,
            "invoice_policy": "delivery",
            "taxes_id": [Command.set(cls.tax_sale.ids)],
        }
        cls.product_camera = Product.create(
            dict(
                common,
                name="Test Camera",
                default_code="T-CAM",
                categ_id=cls.categ_cameras.id,
                tracking="serial",
                list_price=200.0,
                standard_price=90.0,
            )
        )
        cls.product_switcher = Product.create(
            dict(
                common,
                name="Test Matrix Switcher",
                default_code="T-MTX",
                categ_id=cls.categ_switchers.id,
                list_price=1000.0,
                standard_price=600.0,
            )
        )
        cls.product_psu = Product.create(
            dict(
                common,
                name="Test Power Supply",
                default_code="T-PSU",
                categ_id=cls.categ_accessories.id,
                list_price=20.0,
                standard_price=8.0,
            )
        )
        cls.product_service = Product.create(
            {
                "name": "Test Service Hour",
                "type": "service",
                "list_price": 75.0,
                "standard_price": 40.0,
                "invoice_policy": "order",
                "taxes_id": [Command.set(cls.tax_sale.ids)],
            }
        )
        for product in (cls.product_switcher, cls.product_psu):
            cls.env["stock.quant"]._update_available_quantity(product, cls.stock_location, 1000.0)
        cls.camera_lots = cls._create_serials(cls.product_camera, 20)

    # ---- fixture helpers -------------------------------------------------------------------
    @classmethod
    def _ensure_chart(cls, company):
        if not company.chart_template:
            cls.env["account.chart.template"].try_loading("generic_coa", company=company, install_demo=False)

    @classmethod
    def _create_serials(cls, product, count, prefix=None, company=None):
        """Create ``count`` serial numbers of ``product`` and put them in stock."""
        company = company or cls.env.company
        prefix = prefix or product.default_code or "SN"
        lots = cls.env["stock.lot"].create(
            [
                {"name": f"{prefix}-{i:04d}", "product_id": product.id, "company_id": company.id}
                for i in range(1, count + 1)
            ]
        )
        location = cls.env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1).lot_stock_id
        for lot in lots:
            cls.env["stock.quant"]._update_available_quantity(product, location, 1.0, lot_id=lot)
        return lots

    @classmethod
    def create_sale_order(cls, lines, partner=None, user=None, company=None, date=ORDER_DATE):
        """Create a quotation. ``lines``: list of (product, qty[, price_unit[, discount]])."""
        line_cmds = []
        for line in lines:
            product, qty, *rest = line
            vals = {"product_id": product.id, "product_uom_qty": qty}
            if rest:
                vals["price_unit"] = rest[0]
            if len(rest) > 1:
                vals["discount"] = rest[1]
            line_cmds.append(Command.create(vals))
        with freeze_time(date):
            return cls.env["sale.order"].create(
                {
                    "partner_id": (partner or cls.customer).id,
                    "user_id": (user or cls.salesperson).id,
                    "company_id": (company or cls.company).id,
                    "order_line": line_cmds,
                }
            )

    @classmethod
    def confirm_order(cls, order, date=ORDER_DATE):
        with freeze_time(date):
            order.action_confirm()
        return order

    @classmethod
    def deliver_order(cls, order, date=DELIVERY_DATE, quantities=None, lots=None):
        """Validate the order's outgoing pickings at ``date``.

        ``quantities``: {product: qty} to deliver less than ordered (a backorder is kept open);
        ``lots``: {product: stock.lot recordset} serials to deliver, else free serials in stock.
        """
        quantities = quantities or {}
        lots = dict(lots or {})
        pickings = order.picking_ids.filtered(
            lambda p: p.picking_type_code == "outgoing" and p.state not in ("done", "cancel")
        )
        with freeze_time(date):
            pickings.action_assign()
            for move in pickings.move_ids:
                qty = quantities.get(move.product_id, move.product_uom_qty)
                if move.has_tracking == "serial":
                    serials = lots.get(move.product_id) or cls._free_serials(move.product_id, int(qty))
                    serials = serials[: int(qty)]
                    lots[move.product_id] = lots.get(move.product_id, serials) - serials
                    move.move_line_ids.unlink()
                    move.write(
                        {
                            "move_line_ids": [
                                Command.create(
                                    {
                                        "product_id": move.product_id.id,
                                        "lot_id": lot.id,
                                        "quantity": 1.0,
                                        "product_uom_id": move.product_uom.id,
                                        "location_id": move.location_id.id,
                                        "location_dest_id": move.location_dest_id.id,
                                    }
                                )
                                for lot in serials
                            ]
                        }
                    )
                else:
                    move.quantity = qty
                move.picked = True
            # partial quantities keep a backorder open, as the user's "Create Backorder" would
            pickings.with_context(skip_backorder=True).button_validate()
        return pickings

    @classmethod
    def _free_serials(cls, product, count):
        quants = cls.env["stock.quant"].search(
            [
                ("product_id", "=", product.id),
                ("location_id.usage", "=", "internal"),
                ("quantity", ">", 0),
                ("reserved_quantity", "=", 0),
                ("lot_id", "!=", False),
            ],
            limit=count,
        )
        return quants.lot_id

    @classmethod
    def invoice_order(cls, order, date=INVOICE_DATE, post=True):
        with freeze_time(date):
            invoice = order._create_invoices()
            invoice.invoice_date = fields.Date.to_date(date)
            if post:
                invoice.action_post()
        return invoice

    @classmethod
    def sell(cls, lines, partner=None, deliver=True, invoice=True, **kw):
        """Quotation -> confirmed -> delivered -> invoiced, at the suite's dates."""
        order = cls.confirm_order(cls.create_sale_order(lines, partner=partner, **kw))
        if deliver:
            cls.deliver_order(order)
        if invoice:
            cls.invoice_order(order)
        return order


# ---- warranty fixtures: the policies of W-1 ------------------------------------------------
class WarrantyCommon(AftersalesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Policy = cls.env["aftersales.warranty.policy"]
        cls.exclusions = (
            cls.env.ref("aftersales_service.warranty_exclusion_natural_disaster")
            | cls.env.ref("aftersales_service.warranty_exclusion_human_damage")
            | cls.env.ref("aftersales_service.warranty_exclusion_improper_use")
        )
        base = {"company_id": cls.company.id, "exclusion_ids": [(6, 0, cls.exclusions.ids)]}
        cls.policy_default = Policy.create(dict(base, name="Default 6 months", duration=6))
        cls.policy_security = Policy.create(dict(base, name="Security 18 months", duration=18))
        cls.policy_cameras = Policy.create(dict(base, name="Cameras 12 months", duration=12))
        cls.policy_switchers = Policy.create(
            dict(base, name="Switchers 24 months", duration=24, after_expiry_mode="paid")
        )
        cls.policy_accessories = Policy.create(
            dict(base, name="Accessories 90 days", duration=90, duration_unit="days")
        )
        cls.policy_accessories.after_expiry_mode = "none"
        cls.company.aftersales_warranty_policy_id = cls.policy_default
        cls.categ_root.aftersales_warranty_policy_id = cls.policy_security
        cls.categ_cameras.aftersales_warranty_policy_id = cls.policy_cameras
        cls.categ_switchers.aftersales_warranty_policy_id = cls.policy_switchers
        cls.categ_accessories.aftersales_warranty_policy_id = cls.policy_accessories
        cls.Warranty = cls.env["aftersales.warranty"]

    @classmethod
    def _manual_warranty(cls, product, start, lot=None, partner=None, policy=None, **vals):
        return cls.Warranty.create(
            dict(
                {
                    "partner_id": (partner or cls.customer).id,
                    "product_id": product.id,
                    "lot_id": lot.id if lot else False,
                    "policy_id": (policy or product._get_aftersales_warranty_policy()).id,
                    "start_date": start,
                },
                **vals,
            )
        )


# ---- service-case fixtures: a UTC working calendar, a team with a leader and an alias, an SLA
# policy on that calendar --------------------------------------------------------------------
class CaseCommon(WarrantyCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.calendar = cls.env["resource.calendar"].create(
            {
                "name": "Service desk 8-17 UTC",
                "tz": "UTC",
                "company_id": cls.company.id,
                "attendance_ids": [
                    Command.create(
                        {"name": f"{day} {frm}", "dayofweek": str(day), "hour_from": frm, "hour_to": to}
                    )
                    for day in range(5)
                    for frm, to in ((8, 12), (13, 17))
                ],
            }
        )
        cls.team_leader = cls.aftersales_manager
        cls.company.aftersales_manager_id = cls.aftersales_manager
        cls.company.aftersales_executive_id = cls.executive
        cls.team = cls.env["aftersales.team"].create(
            {
                "name": "Camera Support",
                "company_id": cls.company.id,
                "leader_id": cls.team_leader.id,
                "member_ids": [Command.set(cls.aftersales_user.ids)],
                "resource_calendar_id": cls.calendar.id,
            }
        )
        cls.company.aftersales_team_quality_id = cls.team
        cls.company.aftersales_team_technical_id = cls.team
        cls.company.aftersales_team_complaint_id = cls.team
        cls.env["aftersales.sla.policy"].search([]).active = False
        cls.sla = cls.env["aftersales.sla.policy"].create(
            {
                "name": "24 h on working hours",
                "company_id": cls.company.id,
                "first_response_hours": 24,
                "reply_hours": 24,
                "resolution_hours": 80,
                "use_working_hours": True,
                "resource_calendar_id": cls.calendar.id,
            }
        )
        cls.company.aftersales_case_service_product_id = cls.product_service
        cls.Case = cls.env["aftersales.case"]

    def assertRaisesMsg(self, exception, text):
        """``assertRaises`` (rolls back to a savepoint, like a failed request) + message check."""
        return _RaisesMsg(self, exception, text)

    @classmethod
    def new_case(cls, user=None, **vals):
        values = {"subject": "Camera does not start", "partner_id": cls.customer.id, "category": "technical"}
        values.update(vals)
        return cls.Case.with_user(user or cls.aftersales_user).create(values)


# a Friday afternoon, for deadlines across a weekend
FRIDAY_4PM = datetime(2026, 6, 5, 16, 0)


class _RaisesMsg:
    def __init__(self, test, exception, text):
        self.test, self.exception, self.text = test, exception, text

    def __enter__(self):
        self.cm = self.test.assertRaises(self.exception)
        self.ctx = self.cm.__enter__()
        return self.ctx

    def __exit__(self, *exc):
        suppressed = self.cm.__exit__(*exc)
        self.test.assertIn(self.text, str(self.ctx.exception))
        return suppressed


class ReturnHelpers:
    """Returns as the tests make them: created by an after-sales user, received in the warehouse."""

    def _new_return(self, order, lines, user=None, **vals):
        """lines: {sale_line: qty} or [(sale_line, qty, lot)]"""
        items = lines.items() if isinstance(lines, dict) else lines
        line_cmds = []
        for item in items:
            sale_line, qty, *lot = item
            line_cmds.append(
                Command.create(
                    {
                        "sale_line_id": sale_line.id,
                        "qty_requested": qty,
                        "lot_id": lot[0].id if lot else False,
                    }
                )
            )
        return (
            self.env["aftersales.return"]
            .with_user(user or self.aftersales_user)
            .create(dict({"sale_order_id": order.id, "line_ids": line_cmds}, **vals))
        )

    def _receive(self, ret, lots=None, quantity=None):
        """The warehouse receives the return: the serials ``lots``, or ``quantity`` of an
        untracked product (default: all of it; less leaves the rest expected)."""
        picking = ret.picking_ids.filtered(lambda p: p.picking_type_code == "incoming" and p.state != "done")
        for move in picking.move_ids:
            if move.has_tracking == "serial":
                move.move_line_ids.unlink()
                move.move_line_ids = [
                    Command.create(
                        {
                            "product_id": move.product_id.id,
                            "lot_id": lot.id,
                            "quantity": 1,
                            "location_id": move.location_id.id,
                            "location_dest_id": move.location_dest_id.id,
                        }
                    )
                    for lot in lots
                ]
            else:
                move.quantity = move.product_uom_qty if quantity is None else quantity
            move.picked = True
        picking.with_context(skip_backorder=True).button_validate()
        return picking
