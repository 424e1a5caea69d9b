from odoo import http
from odoo.tests import HttpCase, tagged

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
        empty = self.url_open("/my/cases/new", data={"subject": "  ", "csrf_token": token})
        self.assertIn("error=subject", empty.url, "the form again, with the error")
        self.assertEqual(self.Case.search_count([]), count, "nothing half-written")
        # others' and unknown ids, non-numeric ids: never a 500, never data
        self.assertEqual(self.url_open(f"/my/cases/{own.id}").status_code, 200)
        for url in (f"/my/cases/{foreign.id}", "/my/cases/999999999"):
            response = self.url_open(url)
            self.assertEqual(response.status_code, 200)
            self.assertNotIn("Not mine", response.text)
            self.assertTrue(response.url.endswith("/my"), "redirected home")
        self.assertEqual(self.url_open("/my/cases/abc").status_code, 404)
        self.assertEqual(self.url_open("/my/cases/page/x").status_code, 404)
        self.assertEqual(self.url_open("/aftersales/rating/1/wrong-token").status_code, 404)
        self.assertEqual(self.url_open("/aftersales/rating/abc/token").status_code, 404)
