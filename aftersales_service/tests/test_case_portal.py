from odoo import http
from odoo.tests import HttpCase, tagged

from .case_common import CaseCommon


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
