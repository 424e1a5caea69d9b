"""User flows through ``odoo.tests.Form``: onchanges, computes and readonly rules as the web
client runs them, as the role users who do the work."""

from odoo.exceptions import AccessError
from odoo.tests import Form, freeze_time, tagged

from .common import CaseCommon


@tagged("post_install", "-at_install")
class TestForms(CaseCommon):
    def test_case_form_flow_as_user(self):
        order = self.sell([(self.product_camera, 1, 200.0)])
        lot = order.picking_ids.move_ids.move_line_ids.lot_id
        with freeze_time("2026-04-01 10:00:00"):
            form = Form(self.env["aftersales.case"].with_user(self.aftersales_user))
            form.subject = "No picture"
            form.partner_id = self.customer
            form.sale_order_id = order
            form.sale_line_id = order.order_line
            form.lot_id = lot
            self.assertEqual(form.product_id, self.product_camera, "product from the order line")
            self.assertEqual(form.warranty_state, "in", "warranty found from the serial")
            self.assertEqual(form.service_type, "free", "in warranty: free")
            self.assertEqual(form.team_id, self.team, "routed to the category's team")
            case = form.save()
        self.assertEqual(case.state, "new")
        self.assertTrue(case.can_start)
        self.assertFalse(case.can_close)
        case.action_start()
        with Form(case) as edit:
            edit.resolution = "advice"
        case.action_resolve()
        self.assertTrue(case.can_close)
        case.action_close()
        self.assertEqual(case.state, "closed")

    def test_return_form_fills_lines_from_the_order(self):
        self.company.aftersales_refund_threshold = 0.0
        order = self.sell([(self.product_psu, 4, 20.0), (self.product_switcher, 1, 1000.0)])
        with freeze_time("2026-03-10"):
            form = Form(self.env["aftersales.return"].with_user(self.aftersales_user))
            form.sale_order_id = order
            self.assertEqual(len(form.line_ids), 2, "delivered, not yet returned lines")
            with form.line_ids.edit(0) as line:
                line.qty_requested = 1
            form.line_ids.remove(1)
            ret = form.save()
            self.assertEqual(ret.request_date.isoformat(), "2026-03-10")
            self.assertFalse(ret.needs_approval)
            ret.action_submit()
        self.assertEqual(ret.state, "waiting_goods")
        self.assertEqual(ret.line_ids.qty_approved, 1)

    def test_complaint_form_as_user_and_executive(self):
        executive = self.executive
        department = self.env["hr.department"].create({"name": "Quality"})
        form = Form(self.env["aftersales.complaint"].with_user(self.aftersales_user))
        form.partner_id = self.customer
        form.investigator_id = self.aftersales_user
        form.other_cost = 40.0
        complaint = form.save()
        self.assertTrue(complaint.can_investigate)
        self.assertFalse(complaint.can_approve, "users never approve")
        complaint.action_start_investigation()
        with Form(complaint) as edit:
            edit.investigation_report = "<p>Wrong settings at installation</p>"
            edit.validity = "valid"
            with edit.responsibility_ids.new() as resp:
                resp.department_id = department
                resp.share = 100
        complaint.action_submit()
        with self.assertRaises(AccessError):
            complaint.action_approve()
        complaint.with_user(executive).action_approve()
        self.assertEqual(complaint.state, "approved")
        self.assertEqual(complaint.loss_amount, 40.0)
