"""Loaner units: a case lends a unit from the loaner location with a standard delivery, takes it
back with Odoo's return of that delivery, chases it with an activity when overdue (the company's
day), and the manager invoices an unreturned unit with a standard customer invoice."""

from datetime import date

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, HttpCase, freeze_time, tagged

from .common import CaseCommon
from .test_crons import calls_until_done

DUE = date(2026, 6, 10)
LENT_AT = "2026-06-01 09:00:00"
# Stockholm is UTC+2 in June: 21:59 UTC is still 10 June there, 22:00 UTC is 11 June
LAST_MINUTE_DUE_DAY = "2026-06-10 21:59:00"
FIRST_MINUTE_OVERDUE = "2026-06-10 22:00:00"


class LoanCommon(CaseCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.resource_calendar_id.tz = "Europe/Stockholm"
        # users far from the company: "overdue" is the company's day, never the user's
        cls.aftersales_user.tz = "Pacific/Niue"  # UTC-11
        cls.aftersales_manager.tz = "Pacific/Niue"
        cls.loaner_location = cls.env["stock.location"].create(
            {
                "name": "Loaners",
                "usage": "internal",
                "location_id": cls.warehouse.view_location_id.id,
                "company_id": cls.company.id,
            }
        )
        cls.loaner_lots = cls.env["stock.lot"].create(
            [
                {"name": f"LOANER-{i}", "product_id": cls.product_camera.id, "company_id": cls.company.id}
                for i in (1, 2, 3)
            ]
        )
        for lot in cls.loaner_lots:
            cls.env["stock.quant"]._update_available_quantity(
                cls.product_camera, cls.loaner_location, 1.0, lot_id=lot
            )
        cls.company.aftersales_loaner_location_id = cls.loaner_location
        cls.Loan = cls.env["aftersales.loan"]

    def _new_loan(self, case=None, lot=None, user=None, due=DUE):
        case = case or self.new_case(subject="Camera in repair")
        return self.Loan.with_user(user or self.aftersales_user).create(
            {
                "case_id": case.id,
                "product_id": self.product_camera.id,
                "lot_id": (lot or self.loaner_lots[0]).id,
                "date_due": due,
            }
        )

    def _lent(self, **kw):
        """A loan lent by the After-Sales user, its delivery validated by the warehouse."""
        loan = self._new_loan(**kw)
        with freeze_time(LENT_AT):
            loan.action_lend()
            delivery = loan.sudo().picking_ids
            delivery.move_ids.picked = True
            delivery.button_validate()
        self.assertEqual(delivery.state, "done")
        return loan

    def _qty_in(self, lot, location):
        return sum(
            self.env["stock.quant"]
            .search([("lot_id", "=", lot.id), ("location_id", "=", location.id)])
            .mapped("quantity")
        )


@tagged("post_install", "-at_install")
class TestLoan(LoanCommon):
    @freeze_time(LENT_AT)
    def test_lend_and_return_as_user(self):
        case = self.new_case(subject="Camera in repair")
        action = case.with_user(self.aftersales_user).action_new_loan()
        with Form(self.Loan.with_user(self.aftersales_user).with_context(**action["context"])) as form:
            self.assertEqual(form.partner_id, self.customer, "the customer comes from the case")
            form.product_id = self.product_camera
            form.lot_id = self.loaner_lots[0]
            form.date_due = DUE
        loan = form.record
        self.assertTrue(loan.name.startswith("LOAN/"))
        self.assertEqual((loan.state, loan.case_id, loan.company_id), ("draft", case, self.company))

        loan.action_lend()
        self.assertEqual(loan.state, "out")
        delivery = loan.picking_ids
        self.assertEqual(len(delivery), 1)
        self.assertEqual(delivery.picking_type_id, self.warehouse.out_type_id)
        self.assertEqual(delivery.location_id, self.loaner_location)
        self.assertEqual(delivery.location_dest_id.usage, "customer")
        self.assertEqual(delivery.partner_id, self.customer)
        self.assertEqual(delivery.state, "assigned")
        self.assertEqual(delivery.move_line_ids.lot_id, self.loaner_lots[0], "the chosen serial is reserved")
        self.assertEqual(case.loan_ids, loan)
        self.assertEqual(case.with_user(self.aftersales_user).loan_count, 1)
        with self.assertRaisesMsg(UserError, "already lent"):
            loan.action_lend()

        # the warehouse validates the delivery as usual
        delivery.sudo().move_ids.picked = True
        delivery.sudo().button_validate()
        self.assertEqual(self._qty_in(self.loaner_lots[0], self.loaner_location), 0)

        loan.with_user(self.aftersales_user).action_returned()
        self.assertEqual(loan.state, "returned")
        back = loan.picking_ids - delivery
        self.assertEqual(back.state, "done")
        self.assertEqual(back.return_id, delivery, "Odoo's return of the delivery")
        self.assertEqual(back.location_dest_id, self.loaner_location)
        self.assertEqual(back.move_line_ids.lot_id, self.loaner_lots[0])
        self.assertEqual(self._qty_in(self.loaner_lots[0], self.loaner_location), 1)
        with self.assertRaisesMsg(UserError, "is not out"):
            loan.with_user(self.aftersales_user).action_returned()

    @freeze_time(LENT_AT)
    def test_lend_needs_product_due_date_and_serial(self):
        loan = self._new_loan()
        # a due day already past would make the loan overdue (and invoiceable) at once
        loan.date_due = "2026-05-31"
        with self.assertRaisesMsg(UserError, "overdue at once"):
            loan.action_lend()
        loan.date_due = False
        with self.assertRaisesMsg(UserError, "due back"):
            loan.action_lend()
        loan.write({"date_due": DUE, "lot_id": False})
        with self.assertRaisesMsg(UserError, "serial number"):
            loan.action_lend()
        # a serial that is not in the loaner location (it is in the main stock)
        loan.lot_id = self.camera_lots[0]
        with self.assertRaisesMsg(UserError, "not available in the loaner location"):
            loan.action_lend()
        self.assertEqual((loan.state, loan.picking_ids.ids), ("draft", []))

    @freeze_time(LENT_AT)
    def test_no_loaner_location_is_a_clear_error(self):
        self.company.aftersales_loaner_location_id = False
        loan = self._new_loan()
        pickings_before = self.env["stock.picking"].search_count([])
        with self.assertRaisesMsg(UserError, "No loaner location is set"):
            loan.with_user(self.aftersales_user).action_lend()
        self.assertEqual(loan.state, "draft")
        self.assertFalse(loan.picking_ids)
        self.assertEqual(self.env["stock.picking"].search_count([]), pickings_before, "nothing created")

    def test_protected_fields_refused_for_direct_writes(self):
        loan = self._lent()
        as_user = loan.with_user(self.aftersales_user)
        for vals in ({"state": "invoiced"}, {"state": "returned"}, {"picking_ids": [(5, 0, 0)]}):
            with self.assertRaises(AccessError, msg=str(vals)):
                as_user.write(vals)
        self.assertEqual(loan.state, "out")
        with self.assertRaisesMsg(UserError, "frozen"):
            as_user.lot_id = self.loaner_lots[1]
        # a loan is created as a draft: a client sending another state is refused
        vals = {
            "case_id": loan.case_id.id,
            "product_id": self.product_camera.id,
            "lot_id": self.loaner_lots[1].id,
        }
        with self.assertRaisesRegex(AccessError, "set by the system only"), self.cr.savepoint():
            self.Loan.with_user(self.aftersales_user).create(dict(vals, state="invoiced"))
        created = self.Loan.with_user(self.aftersales_user).create(dict(vals, state="draft"))
        self.assertEqual(created.state, "draft")

    def test_invoice_unreturned_loaner(self):
        loan = self._lent()
        # the After-Sales user is refused, even for an overdue unit
        with freeze_time(FIRST_MINUTE_OVERDUE):
            with self.assertRaises(AccessError):
                loan.with_user(self.aftersales_user).action_invoice()
            self.assertFalse(loan.with_user(self.aftersales_user).can_invoice)
        # the due day is not over in the company's time zone (the manager's is far behind)
        with freeze_time(LAST_MINUTE_DUE_DAY):
            self.assertFalse(loan.with_user(self.aftersales_manager).can_invoice)
            with self.assertRaisesMsg(UserError, "only after that day"):
                loan.with_user(self.aftersales_manager).action_invoice()
        self.assertEqual(loan.state, "out")
        self.assertFalse(loan.invoice_ids)

        with freeze_time(FIRST_MINUTE_OVERDUE):
            as_manager = loan.with_user(self.aftersales_manager)
            self.assertTrue(as_manager.can_invoice)
            action = as_manager.action_invoice()
        invoice = loan.invoice_ids
        self.assertEqual(action["res_id"], invoice.id)
        self.assertEqual(loan.state, "invoiced")
        self.assertEqual((invoice.move_type, invoice.partner_id), ("out_invoice", self.customer))
        self.assertEqual(invoice.invoice_line_ids.product_id, self.product_camera)
        self.assertEqual(invoice.invoice_line_ids.price_unit, self.product_camera.lst_price)
        self.assertEqual(invoice.invoice_line_ids.quantity, 1)
        with freeze_time(FIRST_MINUTE_OVERDUE), self.assertRaisesMsg(UserError, "is not out"):
            loan.with_user(self.aftersales_manager).action_invoice()
        self.assertEqual(len(loan.invoice_ids), 1)

    def test_cron_chases_each_overdue_loan_once(self):
        responsible_case = self.new_case(subject="With a responsible")
        responsible_case.user_id = self.aftersales_user
        unassigned_case = self.new_case(subject="Nobody yet")
        unassigned_case.user_id = False
        overdue_1 = self._lent(case=responsible_case, lot=self.loaner_lots[0])
        overdue_2 = self._lent(case=unassigned_case, lot=self.loaner_lots[1])
        not_due = self._lent(lot=self.loaner_lots[2], due=date(2026, 6, 11))
        draft = self._new_loan(lot=self.loaner_lots[2])
        todo = self.env.ref("mail.mail_activity_data_todo")

        with freeze_time(LAST_MINUTE_DUE_DAY):
            self.assertEqual(self.Loan._cron_chase_overdue(), 0, "not overdue before the company's midnight")
        with freeze_time(FIRST_MINUTE_OVERDUE):
            self.env.ref("aftersales_service.ir_cron_aftersales_loan_chase").method_direct_trigger()
        self.assertEqual(overdue_1.activity_ids.user_id, self.aftersales_user, "the case's responsible")
        self.assertEqual(overdue_2.activity_ids.user_id, self.aftersales_manager, "else the manager")
        for loan in overdue_1 | overdue_2:
            self.assertEqual(len(loan.activity_ids), 1)
            self.assertEqual(loan.activity_ids.activity_type_id, todo)
            self.assertIn(loan.name, loan.activity_ids.summary)
        self.assertFalse((not_due | draft).activity_ids)

        with freeze_time(FIRST_MINUTE_OVERDUE):
            self.assertEqual(self.Loan._cron_chase_overdue(), 0, "second run: nothing twice")
            self.env.ref("aftersales_service.ir_cron_aftersales_loan_chase").method_direct_trigger()
        self.assertEqual(len((overdue_1 | overdue_2).activity_ids), 2)

        # the unit comes back: its chase is done
        overdue_1.with_user(self.aftersales_user).action_returned()
        self.assertFalse(overdue_1.activity_ids)

    def test_cron_resumes_by_batches(self):
        loans = self._lent(lot=self.loaner_lots[0]) | self._lent(lot=self.loaner_lots[1])
        loans |= self._lent(lot=self.loaner_lots[2])
        with freeze_time(FIRST_MINUTE_OVERDUE):
            progress = calls_until_done(self.Loan._cron_chase_overdue, batch_size=2)
            self.assertEqual(progress, [(2, 1), (1, 0)])
            self.assertEqual(calls_until_done(self.Loan._cron_chase_overdue, batch_size=2), [(0, 0)])
        self.assertEqual(len(loans.activity_ids), 3)
        self.assertTrue(all(len(loan.activity_ids) == 1 for loan in loans))
        # a new due day: chased again once it is overdue again
        loans[0].with_user(self.aftersales_user).date_due = date(2026, 6, 20)
        self.assertFalse(loans[0].overdue_chased)
        with freeze_time("2026-06-20 22:00:00"):
            self.assertEqual(self.Loan._cron_chase_overdue(), 1)

    def test_other_company_does_not_see_loans(self):
        loan = self._new_loan()
        self.assertFalse(self.Loan.with_user(self.aftersales_user_2).search([("id", "=", loan.id)]))
        with self.assertRaises(AccessError):
            loan.with_user(self.portal_user).read(["name"])


@tagged("post_install", "-at_install")
class TestLoanPortal(LoanCommon, HttpCase):
    def test_portal_case_page_shows_the_loan(self):
        case = self.new_case(subject="Camera in repair")
        self._lent(case=case)
        self.authenticate("as_portal", "as_portal")
        page = self.url_open(f"/my/cases/{case.id}")
        self.assertEqual(page.status_code, 200)
        self.assertIn("Loaned unit", page.text)
        self.assertIn(self.product_camera.name, page.text)
        self.assertIn("LOANER-1", page.text)
        self.assertIn("Lent", page.text)
        self.assertIn("06/10/2026", page.text)
