"""The customer's warranties and returns on the portal (W, R-3): own records only, bad input
answers 4xx or re-renders the form, nothing half-written."""

from odoo import http
from odoo.tests import HttpCase, freeze_time, tagged
from odoo.tools import mute_logger

from .common import WarrantyCommon


@tagged("post_install", "-at_install")
class TestPortalDocuments(WarrantyCommon, HttpCase):
    def test_home_offers_the_ways_in_to_a_new_customer(self):
        self.authenticate("as_portal", "as_portal")
        home = self.url_open("/my/home")
        self.assertEqual(home.status_code, 200)
        self.assertIn("/my/cases/new", home.text, "Report a problem, even with no record yet")
        self.assertIn("/my/returns/new", home.text, "Request a return, even with no record yet")

    def test_warranties_and_certificate(self):
        order = self.sell([(self.product_camera, 1, 200.0)])
        mine = order.aftersales_warranty_ids
        other = self.sell([(self.product_camera, 1, 200.0)], partner=self.customer_2).aftersales_warranty_ids
        self.assertTrue(mine and other)
        self.authenticate("as_portal", "as_portal")
        page = self.url_open("/my/warranties")
        self.assertIn(mine.name, page.text)
        self.assertIn(mine.lot_id.name, page.text)
        self.assertNotIn(other.name, page.text)
        detail = self.url_open(f"/my/warranties/{mine.id}")
        self.assertIn("Download the warranty certificate", detail.text)
        certificate = self.url_open(f"/my/warranties/{mine.id}?report_type=html")
        self.assertEqual(certificate.status_code, 200)
        self.assertIn("Warranty Certificate", certificate.text)
        self.assertEqual(self.url_open(f"/my/warranties/{other.id}").status_code, 404, "others': not found")
        self.assertEqual(self.url_open("/my/warranties/abc").status_code, 404)
        # internal fields stay internal over RPC
        fields = self.env["aftersales.warranty"].with_user(self.portal_user).fields_get()
        self.assertNotIn("expiry_reminder_sent", fields)

    @mute_logger("odoo.http")  # Odoo logs a route's UserError (its 400 page) as a warning
    def test_request_a_return_from_the_portal(self):
        self.company.aftersales_refund_threshold = 0.0
        order = self.sell([(self.product_psu, 4, 20.0)])
        foreign = self.sell([(self.product_psu, 4, 20.0)], partner=self.customer_2)
        line = order.order_line
        Return = self.env["aftersales.return"]
        self.authenticate("as_portal", "as_portal")
        with freeze_time("2026-03-10"):
            form = self.url_open(f"/my/returns/new?order_id={order.id}")
            self.assertEqual(form.status_code, 200)
            self.assertIn("15", form.text, "the return window is shown")
            token = http.Request.csrf_token(self)
            post = lambda data: self.url_open("/my/returns/new", data=dict(data, csrf_token=token))  # noqa: E731
            bad = post({"order_id": "x", f"qty_{line.id}": 1})
            self.assertEqual(bad.status_code, 400)
            self.assertIn("x is not a valid reference", bad.text, "a 400 page says what is wrong")
            for value in ("nan", "inf", "-1"):
                bad = post({"order_id": order.id, f"qty_{line.id}": value})
                self.assertEqual(bad.status_code, 400)
                self.assertIn(f"{value} is not a quantity", bad.text)
            self.assertEqual(
                post({"order_id": foreign.id, f"qty_{foreign.order_line.id}": 1}).status_code, 404
            )
            self.assertEqual(self.url_open(f"/my/returns/new?order_id={foreign.id}").status_code, 404)
            too_many = post({"order_id": order.id, f"qty_{line.id}": 9})
            self.assertEqual(too_many.status_code, 400)
            self.assertIn("at most 4", too_many.text, "the form again, with the error")
            self.assertFalse(Return.search([("sale_order_id", "=", order.id)]), "nothing written")
            done = post({"order_id": order.id, f"qty_{line.id}": 2, "reason": "Too many"})
        ret = Return.search([("sale_order_id", "=", order.id)])
        self.assertEqual(len(ret), 1)
        self.assertIn(f"/my/returns/{ret.id}", done.url)
        self.assertEqual(ret.state, "waiting_goods", "inside the window: approved at once, goods expected")
        self.assertEqual(ret.line_ids.qty_approved, 2)
        self.assertEqual(ret.partner_id, self.customer)
        page = self.url_open("/my/returns")
        self.assertIn(ret.name, page.text)
        slip = self.url_open(f"/my/returns/{ret.id}?report_type=html")
        self.assertIn("Return Slip", slip.text)

    @mute_logger("odoo.http")  # Odoo logs a route's UserError (its 400 page) as a warning
    def test_portal_exchange_for_another_product(self):
        """R-2 on the portal: an exchange may be for another product of the same kind (a variant
        or its category); another one is not found, and nothing is written."""
        self.company.aftersales_refund_threshold = 0.0
        order = self.sell([(self.product_psu, 4, 20.0)])
        line = order.order_line
        bigger = self.env["product.product"].create(
            {"name": "Test Power Supply 60 W", "categ_id": self.categ_accessories.id, "list_price": 25.0}
        )
        Return = self.env["aftersales.return"]
        self.assertIn(bigger, line._aftersales_exchange_choices())
        self.assertNotIn(self.product_switcher, line._aftersales_exchange_choices(), "another category")
        self.authenticate("as_portal", "as_portal")
        with freeze_time("2026-03-10"):
            form = self.url_open(f"/my/returns/new?order_id={order.id}")
            self.assertIn("Test Power Supply 60 W", form.text, "the choices are offered")
            token = http.Request.csrf_token(self)
            post = lambda data: self.url_open("/my/returns/new", data=dict(data, csrf_token=token))  # noqa: E731
            base = {"order_id": order.id, f"qty_{line.id}": 1}
            self.assertEqual(
                post(
                    dict(base, return_type="exchange", **{f"exchange_{line.id}": self.product_switcher.id})
                ).status_code,
                404,
                "not among the choices",
            )
            wrong_kind = post(dict(base, return_type="no_reason", **{f"exchange_{line.id}": bigger.id}))
            self.assertEqual(wrong_kind.status_code, 400)
            self.assertIn("in an exchange only", wrong_kind.text)
            self.assertEqual(post(dict(base, **{f"exchange_{line.id}": "x"})).status_code, 400)
            self.assertFalse(Return.search([("sale_order_id", "=", order.id)]), "nothing written")
            post(dict(base, return_type="exchange", reason="Too weak", **{f"exchange_{line.id}": bigger.id}))
        ret = Return.search([("sale_order_id", "=", order.id)])
        self.assertEqual(ret.line_ids.exchange_product_id, bigger)
        self.assertEqual(ret.line_ids.exchange_difference, 5.0)
        self.assertEqual(ret.line_ids.exchange_sale_line_id.product_id, bigger, "added to the order")

    def test_order_page_offers_problem_and_return(self):
        order = self.sell([(self.product_psu, 1, 20.0)])
        self.authenticate("as_portal", "as_portal")
        page = self.url_open(f"/my/orders/{order.id}")
        self.assertEqual(page.status_code, 200)
        self.assertIn(f"/my/cases/new?order_id={order.id}", page.text)
        self.assertIn(f"/my/returns/new?order_id={order.id}", page.text)
        form = self.url_open(f"/my/cases/new?order_id={order.id}")
        self.assertRegex(form.text, rf'value="{order.id}"\s+selected')

    # ---------------------------------------------------------------- R-5 compensation offers
    def _offer(self, amount=60.0, case=None):
        self.company.aftersales_refund_threshold = 0.0
        self.company.aftersales_compensation_product_id = self.product_service
        order = self.sell([(self.product_switcher, 1, 1000.0)])
        wizard = self.env["aftersales.compensation.wizard"].create(
            {
                "invoice_id": order.invoice_ids.id,
                "amount": amount,
                "reason": "Scratched",
                "case_id": case and case.id,
            }
        )
        return self.env["account.move"].browse(wizard.action_create()["res_id"]), order

    def test_compensation_offer_accepted_on_the_portal(self):
        offer, _order = self._offer()
        # the customer got the offer: a rendered template with a working link to it, in a mail
        # that is not in the chatter staff read
        link = f'href="{offer.get_base_url()}/my/compensations/{offer.id}?access_token={offer.access_token}'
        mail = self.env["mail.mail"].sudo().search([("body_html", "ilike", f"/my/compensations/{offer.id}?")])
        self.assertEqual(len(mail), 1)
        self.assertIn(link, mail.body_html)
        self.assertNotIn("&lt;a", mail.body_html)
        self.assertEqual(mail.recipient_ids, self.customer)
        self.assertIn(
            offer.currency_id.format(offer.amount_total).replace("\xa0", "&nbsp;"),
            mail.body_html.replace("\xa0", "&nbsp;"),
        )
        self.assertFalse(offer.message_ids.filtered(lambda m: "/my/compensations/" in (m.body or "")))
        self.assertFalse(
            self.env["mail.message"]
            .with_user(self.aftersales_user)
            .search([("body", "ilike", offer.access_token)])
        )
        other, _o = self._offer()
        other.partner_id = self.customer_2

        self.authenticate("as_portal", "as_portal")
        token = http.Request.csrf_token(self)
        listing = self.url_open("/my/compensations")
        self.assertIn(f"/my/compensations/{offer.id}", listing.text)
        self.assertNotIn(f"/my/compensations/{other.id}", listing.text, "only their own offers")
        self.assertEqual(self.url_open(f"/my/compensations/{other.id}").status_code, 404)
        self.assertEqual(self.url_open(f"/my/compensations/{other.id}?access_token=wrong").status_code, 404)
        self.assertEqual(self.url_open("/my/compensations/abc").status_code, 404)
        self.assertEqual(
            self.url_open(f"/my/compensations/{offer.id}/delete", data={"csrf_token": token}).status_code, 404
        )
        self.assertEqual(
            self.url_open(
                f"/my/compensations/{other.id}/accept", data={"csrf_token": token, "name": "X"}
            ).status_code,
            404,
        )
        self.assertEqual(other.aftersales_acceptance, "pending", "nothing written on another's offer")
        page = self.url_open(f"/my/compensations/{offer.id}")
        self.assertEqual(page.status_code, 200)
        self.assertIn("Accept the compensation", page.text)
        nameless = self.url_open(
            f"/my/compensations/{offer.id}/accept", data={"csrf_token": token, "name": " "}
        )
        self.assertEqual(nameless.status_code, 400)
        self.assertEqual(offer.aftersales_acceptance, "pending")
        with freeze_time("2026-03-20"):
            done = self.url_open(
                f"/my/compensations/{offer.id}/accept", data={"csrf_token": token, "name": "Anna Customer"}
            )
        self.assertEqual(done.status_code, 200)
        self.assertEqual(offer.aftersales_acceptance, "accepted")
        self.assertEqual(offer.aftersales_accepted_by, "Anna Customer")
        self.assertEqual(str(offer.aftersales_accepted_date), "2026-03-20")
        again = self.url_open(f"/my/compensations/{offer.id}/refuse", data={"csrf_token": token})
        self.assertEqual(again.status_code, 400, "answered once")
        self.assertEqual(offer.aftersales_acceptance, "accepted")
        self.assertAlmostEqual(offer.aftersales_accepted_amount, offer.amount_total)
        offer.with_user(self.aftersales_manager).action_aftersales_approve()  # always the manager
        offer.action_post()
        self.assertEqual(offer.state, "posted")

    def test_compensation_refused_by_token_reopens_the_case(self):
        case = self.env["aftersales.case"].create(
            {
                "subject": "Scratch",
                "partner_id": self.customer.id,
                "user_id": self.aftersales_user.id,
                "resolution": "discount",
            }
        )
        offer, _order = self._offer(case=case)
        case.action_start()
        case.action_resolve()
        self.assertEqual(case.state, "resolved")
        # not logged in: the link of the email (token) answers
        self.authenticate(None, None)
        url = offer.get_portal_url()
        self.assertIn("access_token=", url)
        self.assertEqual(self.url_open(url).status_code, 200)
        response = self.url_open(
            f"/my/compensations/{offer.id}/refuse",
            data={
                "access_token": offer.access_token,
                "reason": "Too little",
                "csrf_token": http.Request.csrf_token(self),
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(offer.aftersales_acceptance, "refused")
        self.assertEqual(offer.state, "cancel", "a refused offer is never booked")
        self.assertEqual(case.state, "in_progress", "refusal reopens the case")
        activity = case.activity_ids.filtered(lambda a: "refused" in (a.summary or ""))
        self.assertEqual(activity.user_id, self.aftersales_user)
        self.assertIn("Too little", activity.note)
