"""R-3 on the portal: the customer ticks the serials they send back (one return line each) and
attaches photos or documents with the limits of the case form; someone else's or an unknown
serial, or a file too large, is refused on the form and nothing is written."""

from odoo import http
from odoo.tests import HttpCase, freeze_time, tagged
from odoo.tools import mute_logger

from .common import WarrantyCommon


@tagged("post_install", "-at_install")
class TestReturnPortalSerials(WarrantyCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.aftersales_refund_threshold = 0.0
        cls.serials = cls.camera_lots[:3]
        cls.order = cls.create_sale_order([(cls.product_camera, 3, 200.0), (cls.product_psu, 2, 20.0)])
        cls.confirm_order(cls.order)
        cls.deliver_order(cls.order, lots={cls.product_camera: cls.serials})
        cls.invoice_order(cls.order)
        cls.camera_line = cls.order.order_line.filtered(lambda sl: sl.product_id == cls.product_camera)
        cls.psu_line = cls.order.order_line - cls.camera_line
        other = cls.sell([(cls.product_camera, 1, 200.0)], partner=cls.customer_2)
        cls.foreign_serial = other.picking_ids.move_ids.move_line_ids.lot_id

    def _returns(self):
        return self.env["aftersales.return"].search([("sale_order_id", "=", self.order.id)])

    def _attachments(self, name):
        return self.env["ir.attachment"].sudo().search([("name", "=", name)])

    def _post(self, data, files=None):
        data = dict(data, order_id=self.order.id, csrf_token=http.Request.csrf_token(self))
        return self.url_open("/my/returns/new", data=data, files=files)

    def test_form_lists_the_delivered_serials(self):
        self.authenticate("as_portal", "as_portal")
        with freeze_time("2026-03-10"):
            form = self.url_open(f"/my/returns/new?order_id={self.order.id}")
        self.assertEqual(form.status_code, 200)
        for lot in self.serials:
            self.assertIn(lot.name, form.text, "the serials delivered to the customer are offered")
            self.assertIn(f'name="lot_{self.camera_line.id}" value="{lot.id}"', form.text)
        self.assertNotIn(self.foreign_serial.name, form.text, "never another customer's serial")
        self.assertIn(f'name="qty_{self.psu_line.id}"', form.text, "untracked products: a quantity")
        self.assertNotIn(f'name="qty_{self.camera_line.id}"', form.text)
        self.assertIn('name="attachments"', form.text)

    @mute_logger("odoo.http")
    def test_return_two_serials_with_a_photo(self):
        self.authenticate("as_portal", "as_portal")
        chosen = self.serials[:2]
        with freeze_time("2026-03-10"):
            response = self._post(
                {f"lot_{self.camera_line.id}": chosen.ids, f"qty_{self.psu_line.id}": 1},
                files=[("attachments", ("scratch.jpg", b"\xff\xd8\xff\xe0jpeg", "image/jpeg"))],
            )
            self.assertEqual(response.status_code, 200)
            ret = self._returns()
            self.assertEqual(len(ret), 1)
            self.assertIn(f"/my/returns/{ret.id}", response.url)
            serial_lines = ret.line_ids.filtered("lot_id")
            self.assertEqual(serial_lines.lot_id, chosen, "one line per serial ticked")
            self.assertEqual(serial_lines.mapped("qty_requested"), [1.0, 1.0])
            self.assertEqual(serial_lines.sale_line_id, self.camera_line)
            psu = ret.line_ids - serial_lines
            self.assertEqual((psu.sale_line_id, psu.qty_requested), (self.psu_line, 1.0), "quantities too")
            self.assertEqual(ret.state, "waiting_goods")
            files = (
                self.env["ir.attachment"]
                .sudo()
                .search([("res_model", "=", "aftersales.return"), ("res_id", "=", ret.id)])
            ) - ret.sudo().return_label_id  # the approval's return label is the return's own
            self.assertEqual(files.mapped("name"), ["scratch.jpg"])
            message = ret.message_ids.filtered(lambda m: m.attachment_ids)
            self.assertEqual(len(message), 1, "the files in one message")
            self.assertEqual(message.author_id, self.customer)
            self.assertEqual(message.attachment_ids, files)
            # the serials on their way back are not offered again, nor accepted twice
            form = self.url_open(f"/my/returns/new?order_id={self.order.id}")
            self.assertNotIn(f'value="{chosen[0].id}"', form.text)
            self.assertIn(f'value="{self.serials[2].id}"', form.text)
            again = self._post({f"lot_{self.camera_line.id}": chosen[0].id})
            self.assertEqual(again.status_code, 400)
        self.assertEqual(len(self._returns()), 1)

    @mute_logger("odoo.http")
    def test_foreign_or_unknown_serial_refused(self):
        self.authenticate("as_portal", "as_portal")
        with freeze_time("2026-03-10"):
            for value in (self.foreign_serial.id, 999999999):
                response = self._post(
                    {f"lot_{self.camera_line.id}": [self.serials[0].id, value]},
                    files=[("attachments", ("foreign.jpg", b"\xff\xd8\xff\xe0jpeg", "image/jpeg"))],
                )
                self.assertEqual(response.status_code, 400)
                self.assertIn("was not delivered to you on this order", response.text, "the form says why")
                self.assertIn("Request the return", response.text, "the form again")
                self.assertNotIn(self.foreign_serial.name, response.text)
        self.assertFalse(self._returns(), "no return")
        self.assertFalse(self._attachments("foreign.jpg"), "no attachment")

    @mute_logger("odoo.http")
    def test_non_numeric_serial_refused(self):
        self.authenticate("as_portal", "as_portal")
        with freeze_time("2026-03-10"):
            response = self._post(
                {f"lot_{self.camera_line.id}": [self.serials[0].id, "abc"]},
                files=[("attachments", ("abc.jpg", b"\xff\xd8\xff\xe0jpeg", "image/jpeg"))],
            )
        self.assertEqual(response.status_code, 400)
        self.assertIn("abc is not a serial number", response.text)
        self.assertFalse(self._returns())
        self.assertFalse(self._attachments("abc.jpg"))

    @mute_logger("odoo.http")
    def test_programs_texts_and_negative_quantities_refused(self):
        """A program or a text renamed as a photo, and a negative quantity sent past the browser's
        check: the form again with its message (HTTP 400), nothing written."""
        self.authenticate("as_portal", "as_portal")
        with freeze_time("2026-03-10"):
            for name, raw in (("malware.exe", b"MZ\x90\x00 a program"), ("fake.png", b"just some text")):
                response = self._post(
                    {f"lot_{self.camera_line.id}": self.serials[0].id},
                    files=[("attachments", (name, raw, "image/png"))],
                )
                self.assertEqual(response.status_code, 400, name)
                self.assertIn(f"{name} is not a photo or a PDF document", response.text)
            response = self._post({f"qty_{self.psu_line.id}": "-3"})
            self.assertEqual(response.status_code, 400)
            self.assertIn("-3 is not a quantity or a product of the order", response.text)
            self.assertIn("Request the return", response.text, "the form again")
        self.assertFalse(self._returns(), "no return")
        self.assertFalse(self._attachments("malware.exe") | self._attachments("fake.png"))

    @mute_logger("odoo.http")
    def test_file_over_the_limit_refused(self):
        """The limits of the case form (Settings' system parameters), with its message."""
        self.env["ir.config_parameter"].set_param("aftersales_service.portal_max_file_mb", 0.00001)
        self.authenticate("as_portal", "as_portal")
        with freeze_time("2026-03-10"):
            response = self._post(
                {f"lot_{self.camera_line.id}": self.serials[0].id},
                files=[("attachments", ("big.jpg", b"\xff\xd8" + b"x" * 100, "image/jpeg"))],
            )
            self.assertEqual(response.status_code, 400)
            self.assertIn("big.jpg is larger than", response.text)
            too_many = [("attachments", (f"p{i}.jpg", b"jpeg", "image/jpeg")) for i in range(6)]
            self.env["ir.config_parameter"].set_param("aftersales_service.portal_max_file_mb", 10)
            response = self._post({f"lot_{self.camera_line.id}": self.serials[0].id}, files=too_many)
            self.assertEqual(response.status_code, 400)
            self.assertIn("Attach at most 5 files.", response.text)
        self.assertFalse(self._returns(), "no return")
        self.assertFalse(self._attachments("big.jpg") | self._attachments("p0.jpg"), "no attachment")
