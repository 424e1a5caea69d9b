"""Every report the addon ships, rendered by wkhtmltopdf into a real PDF and downloaded the way
the web client (``/report/pdf/...``, as the back-office role) and the portal (the customer's
Download links) ask for it: the answer is a PDF whose text carries the document's reference.

Odoo's test mode renders qweb-pdf reports as HTML unless the context asks for the real thing
(``force_report_rendering``); these tests ask for it on every rendering they trigger, so the
commands' wkhtmltopdf (installed by scripts/test.sh) is what answers."""

import io
import re
import shutil

from odoo.addons.base.models.ir_actions_report import IrActionsReport
from odoo.tests import HttpCase, freeze_time, tagged
from odoo.tools.pdf import PdfFileReader

from ..models.aftersales_return_label import RMA_LABEL_REPORT
from .common import ReturnHelpers
from .test_field_service import FieldServiceCommon

REPORTS = {
    "certificate": "aftersales_service.report_warranty_certificate",
    "slip": "aftersales_service.report_return_slip",
    "label": RMA_LABEL_REPORT,
    "service_report": "aftersales_service.report_field_visit",
    "penalty_notice": "aftersales_service.report_penalty_notice",
}


def pdf_text(content):
    """The text of every page of a PDF (PyPDF2, in Odoo's own requirements)."""
    reader = PdfFileReader(io.BytesIO(content), strict=False)
    return "\n".join(page.extract_text() for page in reader.pages)


@tagged("post_install", "-at_install")
class TestReportsArePdf(ReturnHelpers, FieldServiceCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.aftersales_refund_threshold = 0.0
        cls.company.aftersales_executive_id = cls.executive

    def setUp(self):
        super().setUp()
        # the real renderer in test mode, for every rendering of these tests (HTTP workers included)
        original = IrActionsReport._pre_render_qweb_pdf

        def _pre_render_qweb_pdf(report, *args, **kwargs):
            return original(report.with_context(force_report_rendering=True), *args, **kwargs)

        self.patch(IrActionsReport, "_pre_render_qweb_pdf", _pre_render_qweb_pdf)
        # wkhtmltopdf fetches the report's stylesheets from the server (report.url). Here they
        # are taken from nowhere (refused at once), for two reasons: the test server answers one
        # request at a time (a lock around the test cursor) and a download being rendered holds
        # it; and the distribution's wkhtmltopdf (unpatched Qt) draws the stylesheets' web fonts
        # as shapes, leaving no text to read back. With the system fonts the PDF is still made
        # whole by wkhtmltopdf, and its text can be checked.
        self.env["ir.config_parameter"].sudo().set_param("report.url", "http://127.0.0.1:9")

    def assertPdfOf(self, content, *references, msg=""):
        self.assertTrue(content.startswith(b"%PDF-"), f"{msg}: not a PDF: {content[:80]!r}")
        text = re.sub(r"\s+", " ", pdf_text(content))
        for reference in references:
            self.assertIn(re.sub(r"\s+", " ", reference), text, f"{msg}: {reference!r} not printed")
        return text

    def _documents(self):
        """One document per report: a warranty, an approved return (slip and label), a service
        report and a complaint review."""
        order = self.sell([(self.product_camera, 1, 200.0)])
        warranty = order.aftersales_warranty_ids
        psu_order = self.sell([(self.product_psu, 2, 20.0)])
        with freeze_time("2026-03-10"):
            ret = self._new_return(psu_order, {psu_order.order_line: 1})
            ret.action_submit()
        self.assertEqual(ret.state, "waiting_goods", "approved at once: the label exists")
        visit = self._visit()
        return warranty, ret, visit, self._review()

    def _review(self):
        """A monthly review with notices to print (the demo's: complaints of six months)."""
        review = self.env["aftersales.complaint.review"].search(
            [("company_id", "=", self.company.id), ("responsibility_ids.employee_id", "!=", False)], limit=1
        )
        self.assertTrue(review, "the demo data has reviews with employees responsible")
        return review

    def test_wkhtmltopdf_is_installed(self):
        """The commands install it: without it every PDF below is an error page."""
        self.assertTrue(shutil.which("wkhtmltopdf"), "scripts/test.sh installs wkhtmltopdf")
        self.assertEqual(self.env["ir.actions.report"].get_wkhtmltopdf_state(), "ok")

    def test_back_office_downloads_are_pdfs(self):
        warranty, ret, visit, review = self._documents()
        for login, report, record in (
            ("as_user", REPORTS["certificate"], warranty),
            ("as_user", REPORTS["slip"], ret),
            ("as_user", REPORTS["label"], ret),
            ("as_user", REPORTS["service_report"], visit),
            ("as_executive", REPORTS["penalty_notice"], review),
        ):
            with self.subTest(report=report):
                self.authenticate(login, login)
                response = self.url_open(f"/report/pdf/{report}/{record.id}")
                self.assertEqual(response.status_code, 200, response.text[:300])
                self.assertEqual(response.headers["Content-Type"], "application/pdf")
                self.assertPdfOf(response.content, record.name, msg=report)

    def test_portal_downloads_are_pdfs(self):
        warranty, ret, visit, _review = self._documents()
        self.authenticate("as_portal", "as_portal")
        for url, record in (
            (f"/my/warranties/{warranty.id}?report_type=pdf&download=true", warranty),
            (f"/my/returns/{ret.id}?report_type=pdf&download=true", ret),
            (f"/my/returns/{ret.id}/label?download=1", ret),
            (f"/my/visits/{visit.id}?report_type=pdf&download=true", visit),
        ):
            with self.subTest(url=url):
                response = self.url_open(url)
                self.assertEqual(response.status_code, 200, response.text[:300])
                self.assertEqual(response.headers["Content-Type"], "application/pdf")
                self.assertIn("attachment", response.headers.get("Content-Disposition", ""))
                self.assertPdfOf(response.content, record.name, msg=url)

    def test_label_sent_with_the_approval_is_a_pdf(self):
        """The label attached to the approval mail is rendered by wkhtmltopdf too."""
        order = self.sell([(self.product_psu, 2, 20.0)])
        with freeze_time("2026-03-10"):
            ret = self._new_return(order, {order.order_line: 1})
            ret.action_submit()
        label = ret.sudo().return_label_id
        self.assertEqual(label.mimetype, "application/pdf")
        self.assertPdfOf(label.raw, ret.name, self.customer.name, msg="label attachment")

    def test_penalty_notice_of_one_employee_is_a_pdf(self):
        """Publishing a review attaches each employee's own notice: a PDF with their name and
        the review's reference, and nobody else's lines."""
        review = self._review()
        employee = review.responsibility_ids.employee_id[:1]
        Report = self.env["ir.actions.report"].with_user(self.executive)
        content, kind = Report._render_qweb_pdf(
            REPORTS["penalty_notice"], review.ids, data={"employee_id": employee.id}
        )
        self.assertEqual(kind, "pdf")
        text = self.assertPdfOf(content, review.name, employee.name, msg="notice")
        for other in review.responsibility_ids.employee_id - employee:
            self.assertNotIn(other.name, text)
