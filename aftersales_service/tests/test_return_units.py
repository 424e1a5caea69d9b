"""Right to the unit (R-6): what came back is counted per unit. Lines sharing a return move (the
serials of one delivery, several lines on one order line) never count the same unit twice, a
partial receipt refunds exactly the units received, and what a return asks on one order line is
limited to what it delivered, across the return's lines."""

from odoo.exceptions import ValidationError
from odoo.tests import freeze_time, tagged

from .common import CaseCommon, ReturnHelpers


@tagged("post_install", "-at_install")
class TestReturnPerUnit(ReturnHelpers, CaseCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.aftersales_refund_threshold = 0.0
        cls.company.aftersales_return_days = 15

    def _approved(self, ret):
        ret.action_submit()
        if ret.state == "to_approve":
            ret.with_user(self.aftersales_manager).action_approve()
        self.assertIn(ret.state, ("approved", "waiting_goods"))

    def test_one_of_two_serials_back_refunds_one(self):
        order = self.sell([(self.product_camera, 2, 90.0)])
        lots = order.picking_ids.move_ids.move_line_ids.lot_id
        self.assertEqual(len(lots), 2)
        with freeze_time("2026-03-10"):
            ret = self._new_return(order, [(order.order_line, 1, lots[0]), (order.order_line, 1, lots[1])])
            self._approved(ret)
            self._receive(ret, lots=lots[1])
        first, second = ret.line_ids.sorted("id")
        self.assertEqual(first.return_move_ids, second.return_move_ids, "one return move for the delivery")
        self.assertEqual((first.qty_received, second.qty_received), (0.0, 1.0), "each serial on its own line")
        self.assertFalse(
            ret.activity_ids.filtered(lambda a: a.summary == "More goods received than approved"),
            "no false over-receipt",
        )
        ret.with_user(self.aftersales_user).action_create_credit_note()
        credit_note = ret.credit_note_ids
        self.assertAlmostEqual(sum(credit_note.invoice_line_ids.mapped("quantity")), 1.0)
        self.assertAlmostEqual(credit_note.amount_untaxed, 90.0)
        self.assertEqual((first.qty_refunded, second.qty_refunded), (0.0, 1.0))

    def test_lines_on_one_order_line_share_what_came_back(self):
        order = self.sell([(self.product_psu, 8, 20.0)])
        line = order.order_line
        with freeze_time("2026-03-10"):
            ret = self._new_return(order, [(line, 2), (line, 6)])
            self._approved(ret)
            self._receive(ret, quantity=8.0)
        small, large = ret.line_ids.sorted("id")
        self.assertEqual((small.qty_received, large.qty_received), (2.0, 6.0), "not 8 on each line")
        self.assertEqual(sum(ret.line_ids.mapped("qty_received")), 8.0)
        self.assertFalse(
            ret.activity_ids.filtered(lambda a: a.summary == "More goods received than approved")
        )
        ret.with_user(self.aftersales_user).action_create_credit_note()
        self.assertAlmostEqual(sum(ret.credit_note_ids.invoice_line_ids.mapped("quantity")), 8.0)

    def test_partial_receipt_of_shared_lines_fills_them_in_order(self):
        order = self.sell([(self.product_psu, 8, 20.0)])
        line = order.order_line
        with freeze_time("2026-03-10"):
            ret = self._new_return(order, [(line, 2), (line, 6)])
            self._approved(ret)
            self._receive(ret, quantity=5.0)
        small, large = ret.line_ids.sorted("id")
        self.assertEqual((small.qty_received, large.qty_received), (2.0, 3.0))
        ret.with_user(self.aftersales_user).action_create_credit_note()
        self.assertAlmostEqual(ret.credit_note_ids.amount_untaxed, 100.0, msg="5 units at 20, not 2 x 5")

    def test_lines_on_one_order_line_are_limited_together(self):
        order = self.sell([(self.product_psu, 7, 20.0)])
        line = order.order_line
        with freeze_time("2026-03-10"), self.assertRaisesRegex(ValidationError, "8.0 requested but only 7.0"):
            self._new_return(order, [(line, 2), (line, 6)])
        with freeze_time("2026-03-10"):
            ret = self._new_return(order, [(line, 2), (line, 5)])
        self.assertEqual(sum(ret.line_ids.mapped("qty_requested")), 7.0)
