from datetime import date

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import Form, freeze_time, new_test_user, tagged

from .common import DELIVERY_DATE, WarrantyCommon


@tagged("post_install", "-at_install")
class TestWarrantyTriggers(WarrantyCommon):
    def _warranties(self, order, product=None):
        warranties = self.Warranty.search([("sale_order_id", "=", order.id)], order="id")
        return warranties.filtered(lambda w: w.product_id == product) if product else warranties

    def _return(self, picking, quantities, lots=None, when=date(2026, 3, 20)):
        """Validate a customer return of ``quantities`` {product: qty} (serials ``lots``)."""
        with freeze_time(when):
            wizard = Form(
                self.env["stock.return.picking"].with_context(
                    active_id=picking.id, active_model="stock.picking"
                )
            ).save()
            for line in wizard.product_return_moves:
                line.quantity = quantities.get(line.product_id, 0.0)
            action = wizard.action_create_returns()
            return_picking = self.env["stock.picking"].browse(action["res_id"])
            for move in return_picking.move_ids:
                if lots and move.product_id in lots:
                    move.move_line_ids.unlink()
                    move.move_line_ids = [
                        Command.create(
                            {
                                "product_id": move.product_id.id,
                                "lot_id": lot.id,
                                "quantity": 1.0,
                                "location_id": move.location_id.id,
                                "location_dest_id": move.location_dest_id.id,
                            }
                        )
                        for lot in lots[move.product_id]
                    ]
                else:
                    move.quantity = move.product_uom_qty
                move.picked = True
            return_picking.button_validate()
        return return_picking

    # --- delivery trigger ---------------------------------------------------------------------
    def test_delivery_creates_one_per_serial_and_line(self):
        """W-2: the done date of the delivery, one per serial; W-5: accessories on their own policy."""
        order = self.sell([(self.product_camera, 3), (self.product_switcher, 2), (self.product_psu, 1)])
        cameras = self._warranties(order, self.product_camera)
        self.assertEqual(len(cameras), 3)
        self.assertEqual(len(cameras.lot_id), 3)
        self.assertEqual(cameras.lot_id, cameras.move_id.move_line_ids.lot_id)
        self.assertEqual(set(cameras.mapped("quantity")), {1.0})
        self.assertEqual(set(cameras.mapped("start_date")), {DELIVERY_DATE.date()})
        self.assertEqual(set(cameras.mapped("end_date")), {date(2027, 3, 3)})
        self.assertEqual(cameras.policy_id, self.policy_cameras)
        self.assertEqual(cameras.move_id.picking_id, order.picking_ids)
        switcher = self._warranties(order, self.product_switcher)
        self.assertRecordValues(
            switcher,
            [
                {
                    "quantity": 2.0,
                    "lot_id": False,
                    "end_date": date(2028, 3, 3),
                    "state": "active",
                    "partner_id": self.customer.id,
                    "user_id": self.salesperson.id,
                    "company_id": self.company.id,
                }
            ],
        )
        psu = self._warranties(order, self.product_psu)
        self.assertEqual((psu.policy_id, psu.end_date), (self.policy_accessories, date(2026, 6, 1)))
        self.assertFalse(self._warranties(order).invoice_line_id, "delivery policies ignore the invoice")
        # the order line and the smart buttons show it
        camera_line = order.order_line.filtered(lambda line: line.product_id == self.product_camera)
        self.assertEqual(camera_line.aftersales_warranty_end_date, date(2027, 3, 3))
        self.assertEqual(camera_line.aftersales_warranty_state, "active")
        self.assertEqual(order.aftersales_warranty_count, 5)
        contact = self.env["res.partner"].create({"name": "Contact", "parent_id": self.customer.id})
        self.customer.is_company = True
        self.assertEqual(contact.aftersales_warranty_count, 5)
        action = self.customer.action_view_aftersales_warranties()
        self.assertEqual(self.Warranty.search(action["domain"]), self._warranties(order))

    def test_policy_change_keeps_sold_terms(self):
        """W-5: a unit keeps the warranty stated when it was bought."""
        order = self.sell([(self.product_psu, 1)], invoice=False)
        self.policy_accessories.duration = 30
        self.categ_accessories.aftersales_warranty_policy_id = self.policy_switchers
        self.assertEqual(self._warranties(order).end_date, date(2026, 6, 1))

    def test_partial_delivery_and_backorder(self):
        order = self.confirm_order(self.create_sale_order([(self.product_switcher, 5)]))
        self.deliver_order(order, quantities={self.product_switcher: 2})
        self.assertEqual(self._warranties(order).mapped("quantity"), [2.0])
        self.deliver_order(order, date=date(2026, 4, 1))
        warranties = self._warranties(order)
        self.assertEqual(warranties.mapped("quantity"), [2.0, 3.0])
        self.assertEqual(warranties.mapped("start_date"), [date(2026, 3, 4), date(2026, 4, 1)])

    def test_delivery_idempotent(self):
        order = self.sell([(self.product_camera, 2), (self.product_switcher, 1)])
        self.assertEqual(len(self._warranties(order)), 3)
        moves = order.picking_ids.move_ids
        self.assertFalse(self.Warranty._create_from_moves(moves))
        # re-posting the invoice does not create delivery warranties either
        invoice = order.invoice_ids
        invoice.button_draft()
        invoice.action_post()
        self.assertEqual(len(self._warranties(order)), 3)

    def test_no_policy_no_warranty(self):
        self.categ_root.aftersales_warranty_policy_id = False
        self.categ_switchers.aftersales_warranty_policy_id = False
        self.company.aftersales_warranty_policy_id = False
        order = self.sell([(self.product_switcher, 1)])
        self.assertFalse(self._warranties(order))

    def test_stock_user_delivery_creates_warranties(self):
        """The warehouse clerk who validates has no after-sales rights; the warranty is still made."""
        clerk = new_test_user(self.env, login="as_clerk", groups="stock.group_stock_user")
        order = self.confirm_order(self.create_sale_order([(self.product_switcher, 1)]))
        picking = order.picking_ids
        picking.action_assign()
        picking.move_ids.picked = True
        with freeze_time(DELIVERY_DATE):
            picking.with_user(clerk).button_validate()
        self.assertEqual(picking.state, "done")
        self.assertEqual(self._warranties(order).mapped("start_date"), [DELIVERY_DATE.date()])
        with self.assertRaises(AccessError):
            self.Warranty.with_user(clerk).search([])

    def test_salesperson_reads_status_on_order(self):
        order = self.sell([(self.product_switcher, 1)], invoice=False)
        line = order.order_line.with_user(self.salesperson)
        self.assertEqual(line.aftersales_warranty_state, "active")
        self.assertEqual(line.order_id.aftersales_warranty_count, 1)
        with self.assertRaises(AccessError):
            line.aftersales_warranty_ids.write({"quantity": 5})

    def test_other_company_uses_its_own_policy(self):
        policy_c2 = self.env["aftersales.warranty.policy"].create(
            {"name": "C2 default", "duration": 3, "company_id": self.company_2.id}
        )
        self.company_2.aftersales_warranty_policy_id = policy_c2
        warehouse_2 = self.env["stock.warehouse"].search([("company_id", "=", self.company_2.id)], limit=1)
        stock_2 = warehouse_2.lot_stock_id
        self.env["stock.quant"]._update_available_quantity(self.product_switcher, stock_2, 5.0)
        order = self.create_sale_order(
            [(self.product_switcher, 1)], user=self.aftersales_user_2, company=self.company_2
        )
        self.confirm_order(order.with_company(self.company_2))
        self.deliver_order(order.with_company(self.company_2))
        warranty = self._warranties(order)
        self.assertRecordValues(
            warranty,
            [{"company_id": self.company_2.id, "policy_id": policy_c2.id, "end_date": date(2026, 6, 3)}],
        )
        self.assertEqual(self.Warranty.with_user(self.aftersales_user_2).search([]), warranty)
        self.assertNotIn(warranty, self.Warranty.with_user(self.aftersales_user).search([]))

    # --- invoice and order triggers -----------------------------------------------------------
    def test_invoice_trigger_idempotent(self):
        self.policy_switchers.start_trigger = "invoice"
        order = self.sell([(self.product_switcher, 2), (self.product_psu, 1)], invoice=False)
        self.assertFalse(self._warranties(order, self.product_switcher), "not at delivery")
        invoice = self.invoice_order(order)
        warranty = self._warranties(order, self.product_switcher)
        self.assertRecordValues(
            warranty,
            [
                {
                    "start_date": date(2026, 3, 5),
                    "end_date": date(2028, 3, 4),
                    "quantity": 2.0,
                    "move_id": False,
                }
            ],
        )
        self.assertEqual(warranty.invoice_line_id.move_id, invoice)
        invoice.button_draft()
        invoice.action_post()
        self.assertEqual(self._warranties(order, self.product_switcher), warranty, "re-posting: no duplicate")
        self.assertEqual(len(self._warranties(order)), 2)

    def test_service_without_delivery_starts_on_invoice(self):
        """W-2: no delivery -> the invoice date."""
        order = self.sell([(self.product_service, 3)], deliver=False)
        warranty = self._warranties(order)
        self.assertEqual((warranty.policy_id, warranty.start_date), (self.policy_default, date(2026, 3, 5)))

    def test_order_trigger_idempotent(self):
        self.policy_accessories.start_trigger = "order"
        order = self.confirm_order(
            self.create_sale_order([(self.product_psu, 4), (self.product_switcher, 1)])
        )
        warranty = self._warranties(order)
        self.assertRecordValues(
            warranty,
            [
                {
                    "product_id": self.product_psu.id,
                    "quantity": 4.0,
                    "start_date": date(2026, 3, 2),
                    "end_date": date(2026, 5, 30),
                }
            ],
        )
        order._action_cancel()
        order.action_draft()
        self.confirm_order(order)
        self.deliver_order(order)
        self.invoice_order(order)
        self.assertEqual(self._warranties(order, self.product_psu), warranty, "no duplicate")

    # --- customer returns ---------------------------------------------------------------------
    def test_return_of_serial_voids_its_warranty(self):
        order = self.sell([(self.product_camera, 3)], invoice=False)
        cameras = self._warranties(order)
        returned_lot = cameras[1].lot_id
        self._return(order.picking_ids, {self.product_camera: 1}, lots={self.product_camera: returned_lot})
        self.assertEqual(cameras.mapped("state"), ["active", "void", "active"])
        self.assertIn("Returned with", cameras[1].void_reason)
        self.assertFalse(
            self.Warranty.find_covering_warranty(
                self.customer, self.product_camera, returned_lot, "2026-04-01"
            )
        )

    def test_return_of_serial_reduces_warranty_without_serial(self):
        """Invoice-triggered warranties know no serial: the return lowers their quantity."""
        self.policy_cameras.start_trigger = "invoice"
        order = self.sell([(self.product_camera, 3)])
        warranty = self._warranties(order)
        self.assertRecordValues(warranty, [{"lot_id": False, "quantity": 3.0}])
        returned = order.picking_ids.move_ids.move_line_ids.lot_id[:1]
        self._return(order.picking_ids, {self.product_camera: 1}, lots={self.product_camera: returned})
        self.assertRecordValues(warranty, [{"quantity": 2.0, "state": "active"}])

    def test_return_reduces_then_voids(self):
        order = self.sell([(self.product_switcher, 3)], invoice=False)
        picking = order.picking_ids
        warranty = self._warranties(order)
        self._return(picking, {self.product_switcher: 1})
        self.assertRecordValues(warranty, [{"quantity": 2.0, "state": "active"}])
        self._return(picking, {self.product_switcher: 2})
        self.assertRecordValues(warranty, [{"quantity": 2.0, "state": "void"}])
        self.assertEqual(len(self._warranties(order)), 1, "the return creates no warranty")


@tagged("post_install", "-at_install")
class TestWarrantyCron(WarrantyCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.order = cls.sell([(cls.product_camera, 1)], invoice=False)
        cls.warranty = cls.Warranty.search([("sale_order_id", "=", cls.order.id)])
        cls.cron = cls.env.ref("aftersales_service.ir_cron_aftersales_warranty_states")
        cls.company.aftersales_warranty_reminder_days = 30

    def _reminders(self):
        return self.warranty.activity_ids.filtered(
            lambda a: a.activity_type_id == self.env.ref("mail.mail_activity_data_todo")
        )

    def test_expiry_at_boundary(self):
        self.assertEqual(self.warranty.end_date, date(2027, 3, 3))
        with freeze_time("2027-03-03 12:00"):
            self.Warranty._cron_update_warranty_states()
        self.assertEqual(self.warranty.state, "active", "the last day is covered")
        with freeze_time("2027-03-04 06:00"):
            self.cron.method_direct_trigger()
        self.assertEqual(self.warranty.state, "expired")
        self.assertEqual(self.order.order_line.aftersales_warranty_state, "expired")

    def test_void_never_expires_back(self):
        self.warranty.action_void()
        with freeze_time("2027-06-01"):
            self.Warranty._cron_update_warranty_states()
        self.assertEqual(self.warranty.state, "void")

    def test_reminder_before_expiry(self):
        with freeze_time("2027-01-31"):
            self.Warranty._cron_update_warranty_states()
        self.assertFalse(self._reminders(), "31 days before: not yet")
        with freeze_time("2027-02-01"):
            self.cron.method_direct_trigger()
            self.Warranty._cron_update_warranty_states()
        reminder = self._reminders()
        self.assertEqual(len(reminder), 1, "once, even when the cron runs again")
        self.assertEqual(reminder.user_id, self.salesperson)
        self.assertEqual(reminder.date_deadline, date(2027, 3, 3))

    def test_reminder_off(self):
        self.company.aftersales_warranty_reminder_days = 0
        with freeze_time("2027-03-01"):
            self.Warranty._cron_update_warranty_states()
        self.assertFalse(self._reminders())
        self.assertEqual(self.warranty.state, "active")
