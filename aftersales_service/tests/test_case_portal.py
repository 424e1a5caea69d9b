from odoo import http
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from .common import CaseCommon


@tagged("post_install", "-at_install")
class TestCasePortal(CaseCommon, HttpCase):
    def test_portal_list_and_create(self):
        own = self.new_case(subject="My broken camera")
        self.new_case(subject="Someone else's case", partner_id=self.customer_2.id)
        order = self.sell([(self.product_switcher, 1)])
        foreign_order = self.sell([(self.product_switcher, 1)], partner=self.customer_2)
        self.authenticate("as_portal", "as_portal")

        page = self.url_open("/my/cases")
        self.assertEqual(page.status_code, 200)
        self.assertIn(own.name, page.text)
        self.assertNotIn("Someone else", page.text)

        count = self.Case.search_count([])
        response = self.url_open(
            "/my/cases/new",
            data={
                "subject": "Switcher hums",
                "description": "Loud noise",
                "order_id": order.id,
                "csrf_token": http.Request.csrf_token(self),
            },
        )
        self.assertEqual(response.status_code, 200)
        case = self.Case.search([("subject", "=", "Switcher hums")])
        self.assertEqual(case.partner_id, self.customer)
        self.assertEqual(case.channel, "portal")
        self.assertEqual(case.sale_order_id, order)
        self.assertEqual(self.Case.search_count([]), count + 1)

        refused = self.url_open(
            "/my/cases/new",
            data={
                "subject": "Not mine",
                "order_id": foreign_order.id,
                "csrf_token": http.Request.csrf_token(self),
            },
        )
        self.assertEqual(refused.status_code, 404)
        self.assertEqual(self.Case.search_count([]), count + 1, "nothing written for another's order")

    @mute_logger("odoo.http")  # Odoo logs a route's UserError (its 400 page) as a warning
    def test_bad_input_answers_4xx_and_writes_nothing(self):
        own = self.new_case(subject="Mine")
        foreign = self.new_case(subject="Not mine", partner_id=self.customer_2.id)
        order = self.sell([(self.product_switcher, 1)])
        self.authenticate("as_portal", "as_portal")
        count = self.Case.search_count([])
        token = http.Request.csrf_token(self)
        bad_posts = [
            ({"subject": "x", "order_id": "abc"}, 400),  # not a number
            ({"subject": "x", "order_id": "999999999"}, 404),  # unknown
            ({"subject": "x", "order_id": order.id, "product_id": "1.5"}, 400),
            ({"subject": "x", "order_id": order.id, "product_id": self.product_camera.id}, 404),  # not on it
        ]
        for data, status in bad_posts:
            response = self.url_open("/my/cases/new", data=dict(data, csrf_token=token))
            self.assertEqual(response.status_code, status, data)
        empty = self.url_open(
            "/my/cases/new", data={"subject": "  ", "description": "kept", "csrf_token": token}
        )
        self.assertEqual(empty.status_code, 400)
        self.assertIn("Tell us what the problem is.", empty.text, "the form again, with the error")
        self.assertIn("kept", empty.text, "and what the customer typed")
        self.assertEqual(self.Case.search_count([]), count, "nothing half-written")
        # others' and unknown ids, non-numeric ids: never a 500, never data
        self.assertEqual(self.url_open(f"/my/cases/{own.id}").status_code, 200)
        for url in (f"/my/cases/{foreign.id}", "/my/cases/999999999"):
            response = self.url_open(url)
            self.assertEqual(response.status_code, 404, "as an unknown page, not a silent home page")
            self.assertNotIn("Not mine", response.text)
        self.assertEqual(self.url_open("/my/cases/abc").status_code, 404)
        self.assertEqual(self.url_open("/my/cases/page/x").status_code, 404)
        self.assertEqual(self.url_open("/aftersales/rating/1/wrong-token").status_code, 404)
        self.assertEqual(self.url_open("/aftersales/rating/abc/token").status_code, 404)

    def test_product_serial_and_files(self):
        """C-1 on the portal: the customer picks the product and the serial delivered to them
        and attaches photos; the case names the unit and the files are in its chatter."""
        serials = self.camera_lots[:2]
        order = self.create_sale_order([(self.product_camera, 2), (self.product_switcher, 1)])
        self.confirm_order(order)
        self.deliver_order(order, lots={self.product_camera: serials})
        other = self.sell([(self.product_camera, 1)], partner=self.customer_2)
        foreign_serial = other.picking_ids.move_ids.move_line_ids.lot_id
        self.authenticate("as_portal", "as_portal")
        token = http.Request.csrf_token(self)

        form = self.url_open(f"/my/cases/new?order_id={order.id}")
        self.assertEqual(form.status_code, 200)
        for lot in serials:
            self.assertIn(f'value="{lot.id}"', form.text, "delivered serials are offered")
        self.assertNotIn(foreign_serial.name, form.text, "never another customer's serial")

        count = self.Case.search_count([])
        base = {"subject": "Lens cracked", "order_id": order.id, "csrf_token": token}
        # someone else's serial, or a serial of another product: as if it did not exist
        for lot_id, product_id in ((foreign_serial.id, ""), (serials[0].id, self.product_switcher.id)):
            response = self.url_open("/my/cases/new", data=dict(base, lot_id=lot_id, product_id=product_id))
            self.assertEqual(response.status_code, 404)
        # too many files: the form again with the error, nothing written
        too_many = [("attachments", (f"p{i}.jpg", b"jpeg", "image/jpeg")) for i in range(6)]
        response = self.url_open("/my/cases/new", data=base, files=too_many)
        self.assertEqual(response.status_code, 400)
        self.assertIn("Attach at most 5 files.", response.text)
        self.assertEqual(self.Case.search_count([]), count, "nothing half-written")
        self.assertFalse(self.env["ir.attachment"].sudo().search_count([("name", "=", "p0.jpg")]))
        # "Report a problem" takes photos and PDF documents, by their content
        response = self.url_open(
            "/my/cases/new",
            data=base,
            files=[("attachments", ("malware.exe", b"MZ\x90\x00 program", "image/png"))],
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("malware.exe is not a photo or a PDF document", response.text)
        self.assertEqual(self.Case.search_count([]), count, "nothing half-written")

        response = self.url_open(
            "/my/cases/new",
            data=dict(base, lot_id=serials[1].id),
            files=[("attachments", ("crack.jpg", b"\xff\xd8\xff\xe0jpeg", "image/jpeg"))],
        )
        self.assertEqual(response.status_code, 200)
        case = self.Case.search([("subject", "=", "Lens cracked")])
        self.assertEqual(case.lot_id, serials[1])
        self.assertEqual(case.product_id, self.product_camera, "the product follows the serial")
        self.assertEqual(case.sale_order_id, order)
        files = (
            self.env["ir.attachment"]
            .sudo()
            .search([("res_model", "=", "aftersales.case"), ("res_id", "=", case.id)])
        )
        self.assertEqual(files.mapped("name"), ["crack.jpg"])
        message = case.message_ids.filtered(lambda m: m.attachment_ids)
        self.assertEqual(message.author_id, self.customer)
        self.assertEqual(message.attachment_ids, files)
        self.assertFalse(message.subtype_id.internal, "a public message: the portal chatter shows it")
