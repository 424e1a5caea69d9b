"""Each main flow in a real browser (Odoo tours in headless Chromium), as the role that does it;
after the tour, the test checks what the flow wrote."""

from odoo.tests import HttpCase, tagged

from .test_field_service import FieldServiceCommon


@tagged("post_install", "-at_install")
class TestPortalTours(FieldServiceCommon, HttpCase):
    def test_portal_case_tour(self):
        order = self.sell([(self.product_camera, 1, 200.0)])
        serial = order.picking_ids.move_ids.move_line_ids.lot_id
        self.start_tour("/my/home", "aftersales_portal_case_tour", login="as_portal", timeout=120)
        case = self.Case.search([("subject", "=", "Lens cracked")])
        self.assertEqual(len(case), 1)
        self.assertEqual(case.partner_id, self.customer)
        self.assertEqual(case.channel, "portal")
        self.assertEqual(case.sale_order_id, order)
        self.assertEqual(case.product_id, self.product_camera)
        self.assertEqual(case.lot_id, serial)

    def test_portal_return_tour(self):
        self.company.aftersales_refund_threshold = 0.0
        order = self.sell([(self.product_psu, 3, 20.0)])
        self.start_tour("/my/home", "aftersales_portal_return_tour", login="as_portal", timeout=120)
        ret = self.env["aftersales.return"].search([("sale_order_id", "=", order.id)])
        self.assertEqual(len(ret), 1)
        self.assertEqual(ret.partner_id, self.customer)
        self.assertEqual(ret.line_ids.qty_requested, 1)
        # delivered months ago: outside the no-reason window, a manager decides
        self.assertEqual(ret.state, "to_approve")

    def test_portal_sign_tour(self):
        visit = self._visit(distance_km=10)
        visit.write({"appointment_start": "2026-04-02 08:00:00", "appointment_end": "2026-04-02 10:00:00"})
        visit.action_schedule()
        visit.action_arrive()
        self.start_tour(
            f"/my/visits/{visit.id}", "aftersales_portal_sign_tour", login="as_portal", timeout=120
        )
        self.assertTrue(visit.signature)
        self.assertEqual(visit.signed_by, "Anna Customer")
        self.assertTrue(visit.signed_on)

    def test_portal_rating_tour(self):
        case = self.new_case(user_id=self.aftersales_user.id, resolution="repair")
        case.action_resolve()
        rating = self.env["aftersales.rating"].search([("case_id", "=", case.id)])
        self.assertEqual(rating.state, "requested")
        # the link of the email: no login needed
        self.start_tour(
            f"/aftersales/rating/{rating.id}/{rating.access_token}",
            "aftersales_portal_rating_tour",
            timeout=120,
        )
        self.assertEqual(rating.state, "rated")
        self.assertEqual(rating.attitude, "very_satisfied")
        self.assertEqual(rating.arrival_time, "satisfied")
        self.assertEqual(rating.comment, "Fast and friendly")
        self.assertTrue(rating.is_satisfied)

    def test_portal_compensation_tour(self):
        self.company.aftersales_refund_threshold = 0.0
        self.company.aftersales_compensation_product_id = self.product_service
        order = self.sell([(self.product_switcher, 1, 1000.0)])
        wizard = self.env["aftersales.compensation.wizard"].create(
            {"invoice_id": order.invoice_ids.id, "amount": 80.0, "reason": "Late delivery"}
        )
        offer = self.env["account.move"].browse(wizard.action_create()["res_id"])
        self.start_tour(
            "/my/compensations", "aftersales_portal_compensation_tour", login="as_portal", timeout=120
        )
        self.assertEqual(offer.aftersales_acceptance, "accepted")
        self.assertEqual(offer.aftersales_accepted_by, "Anna Customer")
        offer.action_post()
        self.assertEqual(offer.state, "posted")
