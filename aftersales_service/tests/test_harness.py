from odoo.tests import tagged

from .common import DELIVERY_DATE, INVOICE_DATE, AftersalesCommon


@tagged("post_install", "-at_install")
class TestHarness(AftersalesCommon):
    """The shared fixture really sells, delivers and invoices through Odoo's stock and accounting."""

    def test_order_delivered_and_invoiced(self):
        order = self.sell([(self.product_switcher, 2, 1000.0), (self.product_camera, 3, 200.0, 10.0)])
        self.assertEqual(order.state, "sale")

        picking = order.picking_ids
        self.assertEqual(len(picking), 1)
        self.assertEqual(picking.state, "done")
        self.assertEqual(picking.date_done, DELIVERY_DATE)
        moves = picking.move_ids
        self.assertEqual(set(moves.mapped("state")), {"done"})
        self.assertEqual(moves.filtered(lambda m: m.product_id == self.product_switcher).quantity, 2.0)
        camera_lines = moves.move_line_ids.filtered(lambda ml: ml.product_id == self.product_camera)
        self.assertEqual(len(camera_lines.lot_id), 3, "one serial per delivered camera")
        self.assertEqual(order.order_line.mapped("qty_delivered"), [2.0, 3.0])

        invoice = order.invoice_ids
        self.assertEqual(invoice.move_type, "out_invoice")
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(invoice.invoice_date, INVOICE_DATE.date())
        untaxed = 2 * 1000.0 + 3 * 200.0 * 0.9
        self.assertAlmostEqual(invoice.amount_untaxed, untaxed)
        tax_rate = self.tax_sale.amount / 100.0
        self.assertAlmostEqual(invoice.amount_total, round(untaxed * (1 + tax_rate), 2))
        self.assertEqual(order.invoice_status, "invoiced")

    def test_partial_delivery_keeps_backorder(self):
        order = self.confirm_order(self.create_sale_order([(self.product_psu, 10)]))
        self.deliver_order(order, quantities={self.product_psu: 4})
        self.assertEqual(order.order_line.qty_delivered, 4.0)
        backorder = order.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
        self.assertEqual(backorder.move_ids.product_uom_qty, 6.0)

    def test_second_company_is_separate(self):
        self.assertNotEqual(self.company_2, self.company)
        self.assertTrue(self.company_2.chart_template, "second company has accounting")
        self.assertEqual(self.aftersales_user_2.company_ids, self.company_2)
        self.assertTrue(self.aftersales_manager.has_group("aftersales_service.group_aftersales_user"))
