"""Each main flow in a real browser (Odoo tours in headless Chromium), as the role that does it;
after the tour, the test checks what the flow wrote."""

from datetime import datetime

from odoo.tests import HttpCase, freeze_time, new_test_user, tagged

from .common import ReturnHelpers
from .test_field_service import FieldServiceCommon


@tagged("post_install", "-at_install")
class TestPortalTours(FieldServiceCommon, HttpCase):
    def test_portal_case_tour(self):
        # an older order of another product: the form offers the chosen order's products only
        self.sell([(self.product_psu, 1, 20.0)], date=datetime(2026, 2, 2, 9, 0))
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

    def test_portal_registration_tour(self):
        self.start_tour("/my/home", "aftersales_portal_registration_tour", login="as_portal", timeout=120)
        registration = self.env["aftersales.unit.registration"].search([("serial", "=", "TOUR-SN-1")])
        self.assertEqual(len(registration), 1)
        self.assertEqual(registration.partner_id, self.customer)
        self.assertEqual(registration.state, "submitted")
        self.assertEqual(str(registration.purchase_date), "2026-05-02")
        self.assertEqual(registration.proof_count, 1, "the receipt is on the registration")

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
        offer.with_user(self.aftersales_manager).action_aftersales_approve()  # always
        offer.action_post()
        self.assertEqual(offer.state, "posted")


@tagged("post_install", "-at_install")
class TestFlowTours(ReturnHelpers, FieldServiceCommon, HttpCase):
    """Staff flows in the web client, each step by the role that does it."""

    def test_case_flow_tour(self):
        self.start_tour("/odoo", "aftersales_case_flow_tour", login="as_user", timeout=180)
        case = self.Case.search([("subject", "=", "Projector flickers")])
        self.assertEqual(len(case), 1)
        self.assertEqual(case.partner_id, self.customer)
        self.assertEqual(case.user_id, self.aftersales_user)
        self.assertEqual(case.state, "resolved")
        self.assertEqual(case.resolution, "repair")
        self.assertIn("Replaced the lamp driver", case.resolution_note, "asked together with the outcome")
        rating = self.env["aftersales.rating"].search([("case_id", "=", case.id)])
        self.assertEqual(rating.state, "requested", "the customer is asked to rate (V-5)")

    def test_return_flow_tours(self):
        self.company.write(
            {"aftersales_refund_threshold": 0.0, "aftersales_manager_id": self.aftersales_manager.id}
        )
        self.aftersales_manager.groups_id += self.env.ref("stock.group_stock_user")
        order = self.sell([(self.product_psu, 2, 20.0)])
        invoice = order.invoice_ids
        self.start_tour(
            f"/odoo/sale.order/{order.id}", "aftersales_return_request_tour", login="as_user", timeout=180
        )
        ret = self.env["aftersales.return"].search([("sale_order_id", "=", order.id)])
        self.assertEqual(ret.state, "to_approve", "delivered months ago: a manager decides (R-4)")
        self.assertEqual(ret.create_uid, self.aftersales_user)
        self.start_tour(
            f"/odoo/aftersales.return/{ret.id}",
            "aftersales_return_approve_tour",
            login="as_manager",
            timeout=180,
        )
        self.assertEqual(ret.approver_id, self.aftersales_manager)
        self.assertEqual(ret.line_ids.qty_received, 2)
        credit_note = ret.credit_note_ids
        self.assertEqual(len(credit_note), 1)
        self.assertEqual(credit_note.move_type, "out_refund")
        self.assertEqual(credit_note.reversed_entry_id, invoice)
        self.assertAlmostEqual(credit_note.amount_total, invoice.amount_total)
        note = ret.message_ids.filtered(lambda m: "Credit note" in (m.body or ""))
        self.assertIn(f'data-oe-id="{credit_note.id}"', note.body.replace("'", '"'), "a real link")
        self.assertNotIn("&lt;a", note.body)

    def test_return_multi_order_and_grading_tours(self):
        """One return over two orders of a customer with scanned serials (After-Sales user), its
        units graded by the warehouse user."""
        # a window wide enough for the deliveries of the fixture: approved at once, goods expected
        self.company.write(
            {
                "aftersales_refund_threshold": 0.0,
                "aftersales_return_days": 3650,
                "aftersales_return_quarantine": True,
            }
        )
        lots = self.camera_lots[:2]
        cameras = self.sell([(self.product_camera, 2, 200.0)], deliver=False, invoice=False)
        self.deliver_order(cameras, lots={self.product_camera: lots})
        self.invoice_order(cameras)
        psu = self.sell([(self.product_psu, 4, 20.0)])
        warehouse_user = new_test_user(
            self.env, login="as_warehouse_tour", groups="stock.group_stock_user", company_id=self.company.id
        )
        self.start_tour(
            "/odoo/action-aftersales_service.aftersales_return_action",
            "aftersales_return_multi_order_tour",
            login="as_user",
            timeout=180,
        )
        ret = self.env["aftersales.return"].search(
            [("partner_id", "=", self.customer.id)], order="id desc", limit=1
        )
        self.assertEqual(ret.sale_order_ids, cameras | psu)
        self.assertEqual(ret.state, "waiting_goods")
        self.assertEqual(ret.line_ids.lot_id, lots, "one line per serial underneath")
        receipt = ret.picking_ids.filtered(lambda p: p.picking_type_code == "incoming")
        self.assertEqual(len(receipt), 1, "one receipt for both orders")
        self._receive(ret, lots=lots)
        self.assertEqual(ret.state, "received")
        self.start_tour(
            "/odoo/action-aftersales_service.aftersales_return_line_action_grading",
            "aftersales_return_grading_tour",
            login="as_warehouse_tour",
            timeout=180,
        )
        by_lot = {line.lot_id: line for line in ret.line_ids if line.lot_id}
        self.assertEqual(by_lot[lots[0]].disposition, "restock")
        self.assertEqual(by_lot[lots[1]].disposition, "scrap")
        self.assertEqual(by_lot[lots[1]].scrap_ids.state, "done")
        self.assertEqual(by_lot[lots[0]].disposition_user_id, warehouse_user)

    def test_complaint_flow_tours(self):
        self.env["hr.department"].create({"name": "Production"})
        executive = new_test_user(
            self.env,
            login="as_exec_tour",
            name="Elsa Executive",
            groups="aftersales_service.group_aftersales_executive",
        )
        self.company.aftersales_executive_id = executive
        complaint = self.env["aftersales.complaint"].create(
            {"partner_id": self.customer.id, "investigator_id": self.aftersales_user.id, "other_cost": 50.0}
        )
        url = f"/odoo/aftersales.complaint/{complaint.id}"
        self.start_tour(url, "aftersales_complaint_investigate_tour", login="as_user", timeout=180)
        self.assertEqual(complaint.state, "to_approve")
        self.assertEqual(complaint.validity, "valid")
        self.assertEqual(complaint.responsibility_ids.department_id.name, "Production")
        self.assertEqual(complaint.responsibility_ids.share, 100)
        self.assertIn("Wrong firmware", complaint.investigation_report)
        self.start_tour(url, "aftersales_complaint_approve_tour", login="as_exec_tour", timeout=180)
        self.assertEqual(complaint.state, "approved")
        self.assertEqual(complaint.approver_id, executive)

    def test_revisit_tour(self):
        self.salesperson.groups_id += self.env.ref("aftersales_service.group_aftersales_user")
        revisit = self.env["aftersales.revisit"].create(
            {
                "partner_id": self.customer.id,
                "user_id": self.salesperson.id,
                "planned_date": "2026-11-20",
                "slot": "2026-11",
                "slot_end": "2026-11-30",
            }
        )
        self.assertTrue(revisit.activity_ids, "planned: an activity of the salesperson")
        self.start_tour(
            f"/odoo/aftersales.revisit/{revisit.id}",
            "aftersales_revisit_tour",
            login="as_salesperson",
            timeout=180,
        )
        self.assertEqual(revisit.state, "done")
        self.assertFalse(revisit.activity_ids, "the activity is done with it")
        self.assertEqual(revisit.case_id.partner_id, self.customer)
        self.assertIn("training", revisit.case_id.description)

    def test_field_visit_tour(self):
        visit = self._visit(distance_km=10)
        visit.write({"appointment_start": "2026-04-02 08:00:00", "appointment_end": "2026-04-02 10:00:00"})
        visit.action_schedule()
        self.start_tour(
            f"/odoo/aftersales.field.visit/{visit.id}",
            "aftersales_field_visit_tour",
            login="as_engineer",
            timeout=180,
        )
        self.assertEqual(visit.state, "done")
        self.assertTrue(visit.signature)
        self.assertEqual(visit.signed_by, "Anna Customer")
        self.assertTrue(visit.unit_inspected and visit.no_parts_replaced)
        self.assertIn("Dust", visit.cause_analysis)

    def test_repair_diagnosis_tour(self):
        """C-7 in the browser, as the workshop (a stock user without after-sales rights)."""
        new_test_user(
            self.env, login="as_workshop_tour", name="Wim Workshop", groups="stock.group_stock_user"
        )
        case = self.new_case(product_id=self.product_psu.id)
        repair = self.env["repair.order"].browse(
            case.with_user(self.aftersales_manager).action_create_repair()["res_id"]
        )
        self.assertTrue(repair.aftersales_diagnosis_deadline)
        self.start_tour(
            f"/odoo/repair.order/{repair.id}",
            "aftersales_repair_diagnosis_tour",
            login="as_workshop_tour",
            timeout=180,
        )
        self.assertTrue(repair.aftersales_diagnosis_date)
        self.assertIn("Lens motor worn out", repair.aftersales_diagnosis)
        self.assertTrue(repair.aftersales_parts_in_stock)
        self.assertTrue(repair.aftersales_repair_deadline)
        told = repair.message_ids.filtered(lambda m: self.customer in m.partner_ids)
        self.assertIn("Lens motor worn out", told.body)

    def test_overview_tour(self):
        self.new_case(subject="Nobody took me")
        self.new_case(subject="Somebody has me", user_id=self.aftersales_user.id)
        self.start_tour("/odoo", "aftersales_overview_tour", login="as_manager", timeout=180)

    def test_contract_tours(self):
        contract = self.env["aftersales.contract"].create(
            {
                "partner_id": self.customer.id,
                "product_ids": [(6, 0, self.product_camera.ids)],
                "date_start": "2026-06-01",
                "date_end": "2027-05-31",
                "price": 300.0,
                "invoice_period": "quarter",
            }
        )
        url = f"/odoo/aftersales.contract/{contract.id}"
        self.start_tour(url, "aftersales_contract_start_tour", login="as_manager", timeout=180)
        self.assertEqual(contract.state, "running")
        with freeze_time("2026-06-10 10:00:00"):  # in the first quarter
            self.env["aftersales.contract"]._cron_invoice_contracts()
        invoice = contract.invoice_ids
        self.assertEqual(len(invoice), 1, "the first quarter")
        self.assertEqual((invoice.state, invoice.amount_untaxed), ("posted", 300.0))
        self.start_tour(url, "aftersales_contract_invoices_tour", login="as_manager", timeout=180)
