"""Return labels: an approved return gets a label (the carrier's, else an RMA label), attached
to the return, sent with the approval mail and downloaded on the portal; the inbound tracking
reference is recorded."""

from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tests import HttpCase, freeze_time, tagged
from odoo.tools import mute_logger

from ..models.aftersales_return_label import RMA_LABEL_REPORT
from .common import CaseCommon, ReturnHelpers


@tagged("post_install", "-at_install")
class TestReturnLabel(CaseCommon, ReturnHelpers, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.aftersales_refund_threshold = 0.0
        cls.company.aftersales_return_days = 15
        cls.order = cls.sell([(cls.product_psu, 4, 20.0)])
        cls.Return = cls.env["aftersales.return"]

    def _approved_return(self, order=None, qty=2):
        order = order or self.order
        with freeze_time("2026-03-10"):
            ret = self._new_return(order, {order.order_line: qty})
            ret.action_submit()
        self.assertEqual(ret.state, "waiting_goods", "inside the rules: approved at once, goods expected")
        return ret

    def _labels(self, ret):
        return self.env["ir.attachment"].search(
            [("res_model", "=", "aftersales.return"), ("res_id", "=", ret.id)]
        )

    def test_label_renders_for_an_approved_return(self):
        ret = self._approved_return()
        Report = self.env["ir.actions.report"].with_user(self.aftersales_user)
        html = Report._render_qweb_html(RMA_LABEL_REPORT, ret.ids)[0].decode()
        self.assertIn(ret.name, html)
        self.assertIn(f"Barcode {ret.name}", html, "the RMA number as a barcode")
        self.assertIn(self.customer.name, html, "from: the customer")
        self.assertIn(ret._aftersales_return_address().name, html, "to: where the goods go back")
        self.assertIn(self.product_psu.name, html)
        action = ret.with_user(self.aftersales_user).action_print_label()
        self.assertEqual(action["type"], "ir.actions.report")
        self.assertEqual(action["report_name"], "aftersales_service.report_return_label")

    def test_no_label_for_a_draft_return(self):
        with freeze_time("2026-03-10"):
            ret = self._new_return(self.order, {self.order.order_line: 1})
        self.assertFalse(ret.can_print_label)
        with self.assertRaises(UserError):
            ret.with_user(self.aftersales_user).action_print_label()

    def test_approval_mail_carries_the_label_once(self):
        ret = self._approved_return()
        label = ret.sudo().return_label_id
        self.assertTrue(label)
        self.assertEqual(label.mimetype, "application/pdf")
        self.assertFalse(ret.sudo().return_label_by_carrier, "no carrier: the RMA label")
        mail = ret.message_ids.filtered(lambda m: self.customer in m.partner_ids)
        self.assertEqual(len(mail), 1, "the approval mail to the customer")
        self.assertIn("is accepted", mail.subject)
        self.assertEqual(mail.attachment_ids, label, "the label goes with the approval mail")
        self.assertEqual(self._labels(ret), label, "one attachment on the return")
        # regenerating replaces the label: still one
        with freeze_time("2026-03-11"):
            again = ret.with_user(self.aftersales_user)._attach_return_label()
        self.assertEqual(self._labels(ret), again)
        self.assertEqual(ret.sudo().return_label_id, again)

    def test_refusal_mail_has_no_label(self):
        with freeze_time("2026-04-10"):  # outside the return window: a manager decides
            ret = self._new_return(self.order, {self.order.order_line: 1}, approval_reason="Late")
            ret.action_submit()
            self.assertEqual(ret.state, "to_approve")
            ret.with_user(self.aftersales_manager).action_refuse()
        mail = ret.message_ids.filtered(lambda m: self.customer in m.partner_ids)
        self.assertEqual(len(mail), 1)
        self.assertIn("was not accepted", mail.subject)
        self.assertFalse(mail.attachment_ids)
        self.assertFalse(self._labels(ret))

    def test_manager_approval_sends_the_label(self):
        with freeze_time("2026-04-10"):
            ret = self._new_return(self.order, {self.order.order_line: 1}, approval_reason="Late")
            ret.action_submit()
            ret.with_user(self.aftersales_manager).action_approve()
        mail = ret.message_ids.filtered(lambda m: self.customer in m.partner_ids)
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.attachment_ids, ret.sudo().return_label_id)
        self.assertEqual(len(self._labels(ret)), 1)

    def test_carrier_label_is_sent_and_served_when_the_carrier_makes_one(self):
        """With a carrier that makes return labels (stock_delivery), its label is the one sent,
        printed and downloaded."""
        ReturnModel = type(self.env["aftersales.return"])
        carrier_label = ("LabelReturn-test-0001.pdf", b"%PDF-1.4 carrier label")
        with patch.object(ReturnModel, "_carrier_return_label", lambda self: carrier_label):
            ret = self._approved_return()
        label = ret.sudo().return_label_id
        self.assertTrue(ret.sudo().return_label_by_carrier)
        self.assertEqual(label.raw, carrier_label[1])
        action = ret.with_user(self.aftersales_user).action_print_label()
        self.assertEqual(action["type"], "ir.actions.act_url")
        self.assertIn(f"/web/content/{label.id}", action["url"])
        self.authenticate("as_portal", "as_portal")
        response = self.url_open(f"/my/returns/{ret.id}/label")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.content, carrier_label[1])

    def test_no_carrier_without_stock_delivery(self):
        ret = self._approved_return()
        # no carrier on the receipt (or no stock_delivery at all): the RMA label is used
        self.assertIsNone(ret._carrier_return_label())

    @mute_logger("odoo.http")
    def test_portal_download(self):
        ret = self._approved_return()
        other_order = self.sell([(self.product_psu, 2, 20.0)], partner=self.customer_2)
        foreign = self._approved_return(order=other_order)
        with freeze_time("2026-03-10"):
            draft = self._new_return(self.order, {self.order.order_line: 1})
        self.authenticate("as_portal", "as_portal")
        page = self.url_open(f"/my/returns/{ret.id}")
        self.assertIn(f"/my/returns/{ret.id}/label", page.text, "the download is offered")
        response = self.url_open(f"/my/returns/{ret.id}/label?download=true")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers["Content-Type"], "application/pdf")
        self.assertIn("attachment", response.headers["Content-Disposition"])
        self.assertEqual(self.url_open(f"/my/returns/{foreign.id}/label").status_code, 404, "not theirs")
        self.assertEqual(self.url_open(f"/my/returns/{draft.id}/label").status_code, 404, "not approved")
        self.assertNotIn(f"/my/returns/{draft.id}/label", self.url_open(f"/my/returns/{draft.id}").text)
        self.authenticate(None, None)
        self.assertEqual(self.url_open(f"/my/returns/{ret.id}/label?access_token=wrong").status_code, 404)
        shared = self.url_open(f"/my/returns/{ret.id}/label?access_token={ret.access_token}")
        self.assertEqual(shared.status_code, 200, "the mail's link works without logging in")
        self.assertEqual(shared.headers["Content-Type"], "application/pdf")

    def test_tracking_reference(self):
        ret = self._approved_return().with_user(self.aftersales_user)
        with freeze_time("2026-03-11"):
            ret.carrier_tracking_ref = "1Z999AA10123456784"
        self.assertEqual(ret.carrier_tracking_ref, "1Z999AA10123456784")
        receipt = ret.sudo().picking_ids.filtered(lambda p: p.picking_type_code == "incoming")
        self.assertTrue(receipt)
        if "carrier_tracking_ref" in receipt._fields:
            self.assertEqual(receipt.carrier_tracking_ref, "1Z999AA10123456784", "copied to the receipt")
        self.assertIn(
            "1Z999AA10123456784",
            self.env["ir.actions.report"]._render_qweb_html(RMA_LABEL_REPORT, ret.ids)[0].decode(),
        )
        with freeze_time("2026-03-10"):
            draft = self._new_return(self.order, {self.order.order_line: 1})
        with self.assertRaises(UserError):
            draft.with_user(self.aftersales_user).carrier_tracking_ref = "X"
