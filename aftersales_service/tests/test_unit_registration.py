"""Issue 26, item 3: units bought elsewhere are registered (portal or agent), approved by an
After-Sales user, and get the warranty of their product's policy from the proven purchase date;
a serial sold by us or registered by someone else is refused; a transfer keeps the rest of the
warranty."""

import base64
from datetime import date

from odoo import http
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, freeze_time, new_test_user, tagged
from odoo.tools import mute_logger

from .common import CaseCommon

RECEIPT = b"%PDF-1.4 receipt of a camera bought at a dealer"


@tagged("post_install", "-at_install")
class TestUnitRegistration(CaseCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Registration = cls.env["aftersales.unit.registration"]
        cls.dealer = cls.env["res.partner"].create({"name": "Camera Dealer AB", "is_company": True})
        # whoever enters a registration is not who approves it
        cls.clerk = new_test_user(
            cls.env,
            login="as_reg_clerk",
            name="Cleo Clerk",
            groups="aftersales_service.group_aftersales_user",
        )

    def _registration(self, serial="DEALER-0001", user=None, proof=True, **vals):
        registration = self.Registration.with_user(user or self.clerk).create(
            dict(
                {
                    "partner_id": self.customer.id,
                    "product_id": self.product_camera.id,
                    "serial": serial,
                    "purchase_date": "2026-03-01",
                    "dealer_id": self.dealer.id,
                },
                **vals,
            )
        )
        if proof:
            registration.message_post(
                body="Receipt", attachments=[("receipt.pdf", RECEIPT)], message_type="comment"
            )
        return registration

    @freeze_time("2026-06-10 10:00:00")
    def test_unit_in_our_stock_or_long_expired(self):
        """A serial in our own stock was never sold: refused; a unit bought long ago gets its
        warranty expired at approval, not active until the cron runs."""
        in_stock = self.camera_lots[-1]
        self.assertTrue(self.env["stock.quant"].search([("lot_id", "=", in_stock.id), ("quantity", ">", 0)]))
        registration = self._registration(serial=in_stock.name)
        with self.assertRaisesMsg(UserError, "in our own stock"):
            registration.action_submit()
        self.assertEqual(registration.state, "draft")
        old = self._registration(serial="DEALER-OLD-1", purchase_date="2024-03-01")
        old.action_submit()
        old.with_user(self.aftersales_user).action_approve()
        self.assertEqual(old.warranty_id.end_date, date(2025, 2, 28))
        self.assertEqual(old.warranty_id.state, "expired")

    @freeze_time("2026-06-10 10:00:00")
    def test_approved_unit_gets_its_warranty_from_the_purchase_date(self):
        registration = self._registration()
        registration.action_submit()
        self.assertEqual(registration.state, "submitted")
        registration.with_user(self.aftersales_user).action_approve()
        warranty = registration.warranty_id
        self.assertEqual(registration.state, "approved")
        self.assertEqual(registration.approved_by_id, self.aftersales_user)
        self.assertEqual(warranty.partner_id, self.customer)
        self.assertEqual(warranty.policy_id, self.policy_cameras, "W-1: the product's (category's) policy")
        self.assertEqual(warranty.start_date, date(2026, 3, 1), "W-2: from the proven purchase date")
        self.assertEqual(warranty.end_date, date(2027, 2, 28), "12 months")
        self.assertEqual(warranty.lot_id.name, "DEALER-0001", "the serial is made for the unit")
        self.assertEqual(warranty.lot_id.product_id, self.product_camera)
        self.assertFalse(warranty.sale_order_id, "no sale of ours")
        # the owner is told, with the template, in the chatter of the registration
        self.assertTrue(
            registration.message_ids.filtered(
                lambda m: "runs until" in (m.body or "") and self.customer in m.partner_ids
            )
        )
        # the unit can carry a case: the case finds the covering warranty of the registered serial
        case = self.new_case(product_id=self.product_camera.id, lot_id=warranty.lot_id.id)
        self.assertEqual(case.warranty_id, warranty)
        self.assertEqual(case.warranty_state, "in")
        self.assertEqual(case.service_type, "free", "W-3: in warranty, free of charge")

    def test_bad_registrations_are_refused_and_nothing_written(self):
        # no proof of purchase
        registration = self._registration(proof=False)
        with self.assertRaisesMsg(UserError, "proof of purchase"):
            registration.action_submit()
        self.assertEqual(registration.state, "draft")
        # a purchase date in the future
        with self.assertRaises(ValidationError), self.cr.savepoint():
            self._registration(serial="DEALER-0002", purchase_date="2099-01-01")
        # a tracked product without its serial
        registration = self._registration(serial=False)
        with self.assertRaisesMsg(UserError, "Give the serial number"):
            registration.action_submit()
        # a serial sold by us: its warranty exists already
        order = self.sell([(self.product_camera, 1, 200.0)])
        sold = order.picking_ids.move_ids.move_line_ids.lot_id
        registration = self._registration(serial=sold.name.lower(), partner_id=self.customer_2.id)
        with self.assertRaisesMsg(UserError, "was sold by us"):
            registration.action_submit()
        # a serial registered by someone else
        first = self._registration(serial="DEALER-0009")
        first.action_submit()
        second = self._registration(serial=" dealer-0009 ", partner_id=self.customer_2.id)
        with self.assertRaisesMsg(UserError, "is registered already"):
            second.action_submit()
        self.assertEqual(second.state, "draft")
        self.assertFalse(self.env["aftersales.warranty"].search([("lot_id.name", "=", "DEALER-0009")]))

    def test_roles_and_direct_writes(self):
        registration = self._registration()
        registration.action_submit()
        # a salesperson and a portal customer cannot decide
        with self.assertRaises(AccessError):
            registration.with_user(self.salesperson).action_approve()
        with self.assertRaises(AccessError):
            registration.with_user(self.portal_user).action_approve()
        # the state and the warranty change through the buttons only
        with self.assertRaises(AccessError):
            registration.with_user(self.aftersales_user).write({"state": "approved"})
        with self.assertRaises(AccessError):
            registration.with_user(self.aftersales_user).write(
                {"warranty_id": self.sell([(self.product_camera, 1, 1.0)]).aftersales_warranty_ids.id}
            )
        # a submitted registration keeps its unit
        with self.assertRaisesMsg(UserError, "only a draft registration"):
            registration.with_user(self.aftersales_user).write({"purchase_date": "2025-01-01"})
        # refusing says why, and the owner is told
        with self.assertRaisesMsg(UserError, "Say why"):
            registration.with_user(self.aftersales_user).action_refuse()
        registration.with_user(self.aftersales_user).decision_note = "The receipt is unreadable"
        registration.with_user(self.aftersales_user).action_refuse()
        self.assertEqual(registration.state, "refused")
        self.assertEqual(registration.refuse_reason, "The receipt is unreadable")
        self.assertFalse(registration.warranty_id)
        self.assertTrue(registration.message_ids.filtered(lambda m: "unreadable" in (m.body or "")))
        with self.assertRaisesMsg(UserError, "not waiting for approval"):
            registration.with_user(self.aftersales_user).action_approve()

    @freeze_time("2026-06-10 10:00:00")
    def test_transfer_keeps_the_rest_of_the_warranty(self):
        registration = self._registration()
        registration.action_submit()
        registration.with_user(self.aftersales_user).action_approve()
        warranty = registration.warranty_id
        end = warranty.end_date
        registration.with_user(self.aftersales_user).transfer_partner_id = self.customer_2
        registration.with_user(self.aftersales_user).action_transfer()
        self.assertEqual(registration.partner_id, self.customer_2)
        self.assertEqual(warranty.partner_id, self.customer_2)
        self.assertEqual(warranty.end_date, end, "the rest of the warranty, not a new one")
        self.assertEqual(warranty.start_date, date(2026, 3, 1))
        found = self.env["aftersales.warranty"].find_covering_warranty(
            self.customer_2, self.product_camera, lot=warranty.lot_id
        )
        self.assertEqual(found, warranty)
        self.assertFalse(
            self.env["aftersales.warranty"].find_covering_warranty(
                self.customer, self.product_camera, lot=warranty.lot_id
            )
        )

    # ---------------------------------------------------------------- portal
    @freeze_time("2026-06-10 10:00:00")
    def test_portal_registration(self):
        self.authenticate("as_portal", "as_portal")
        form = self.url_open("/my/registrations/new")
        self.assertEqual(form.status_code, 200)
        self.assertIn(self.product_camera.display_name, form.text)
        token = http.Request.csrf_token(self)

        def post(data, files=None):
            return self.url_open("/my/registrations/new", data=dict(data, csrf_token=token), files=files)

        good = {
            "product_id": self.product_camera.id,
            "serial": "PORTAL-0001",
            "purchase_date": "2026-05-01",
            "dealer_name": "Kamerabutiken",
        }
        with mute_logger("odoo.http"):
            for data, files, message in (
                (good, None, "Attach the proof of purchase"),
                (
                    dict(good, product_id="x"),
                    {"attachments": ("r.pdf", RECEIPT)},
                    "x is not a valid reference",
                ),
                (dict(good, purchase_date="yesterday"), {"attachments": ("r.pdf", RECEIPT)}, "is not a date"),
                (dict(good, purchase_date="2027-01-01"), {"attachments": ("r.pdf", RECEIPT)}, "future"),
                # a program or a text renamed as a receipt, a page of text as a serial
                (good, {"attachments": ("malware.exe", b"MZ\x90\x00 a program")}, "is not a photo or a PDF"),
                (good, {"attachments": ("fake.png", b"just some text")}, "is not a photo or a PDF"),
                (dict(good, serial="X" * 5000), {"attachments": ("r.pdf", RECEIPT)}, "at most 64 characters"),
            ):
                response = post(data, files)
                self.assertEqual(response.status_code, 400, message)
                self.assertIn(message, response.text)
        self.assertFalse(self.Registration.search([("serial", "=", "PORTAL-0001")]), "nothing half-written")
        self.env["ir.config_parameter"].set_param("aftersales_service.portal_max_file_mb", 0.00001)
        with mute_logger("odoo.http"):
            too_large = post(good, {"attachments": ("r.pdf", RECEIPT)})
        self.assertEqual(too_large.status_code, 400)
        self.assertIn("is larger than", too_large.text)
        self.env["ir.config_parameter"].set_param("aftersales_service.portal_max_file_mb", 10)

        response = post(good, {"attachments": ("receipt.pdf", RECEIPT)})
        self.assertEqual(response.status_code, 200)
        registration = self.Registration.search([("serial", "=", "PORTAL-0001")])
        self.assertEqual(registration.state, "submitted", "submitted at once with its proof")
        self.assertEqual(registration.partner_id, self.customer)
        self.assertEqual(registration.dealer_name, "Kamerabutiken")
        self.assertEqual(registration.proof_count, 1)
        self.assertEqual(
            base64.b64decode(
                self.env["ir.attachment"]
                .search([("res_model", "=", registration._name), ("res_id", "=", registration.id)])
                .datas
            ),
            RECEIPT,
        )
        self.assertIn(f"/my/registrations/{registration.id}?message=created", response.url)
        listing = self.url_open("/my/registrations")
        self.assertIn(registration.name, listing.text)
        self.assertIn("Under review", listing.text)
        registration.with_user(self.aftersales_user).action_approve()
        page = self.url_open(f"/my/registrations/{registration.id}")
        self.assertIn(registration.warranty_id.name, page.text)
        self.assertIn("/my/warranties", page.text)
        # the warranty is the customer's, on the portal too
        self.assertIn(registration.warranty_id.name, self.url_open("/my/warranties").text)
        # someone else's registration, or none: not found
        other = self._registration(serial="OTHER-1", partner_id=self.customer_2.id)
        self.assertEqual(self.url_open(f"/my/registrations/{other.id}").status_code, 404)
        self.assertNotIn(other.name, self.url_open("/my/registrations").text)
        self.assertEqual(self.url_open("/my/registrations/abc").status_code, 404)
        # the same serial again: refused
        with mute_logger("odoo.http"):
            again = post(good, {"attachments": ("receipt.pdf", RECEIPT)})
        self.assertEqual(again.status_code, 400)
        self.assertIn("is registered already", again.text)
        self.assertEqual(self.Registration.search_count([("serial", "=", "PORTAL-0001")]), 1)
