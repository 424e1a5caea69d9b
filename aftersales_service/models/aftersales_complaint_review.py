import base64

from dateutil.relativedelta import relativedelta

from odoo import Command, _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools.translate import LazyTranslate

from .aftersales_complaint import EXECUTIVE_GROUP
from .aftersales_lock import CREATION_LOCKS, SYSTEM, Frozen
from .tools import isolated, lock_for_action, privileged

_lt = LazyTranslate(__name__)
# P-6: an approved or published review is kept as it was decided
REVIEW_LOCKED_STATES = ("approved", "published")


class AftersalesComplaintReview(models.Model):
    """P-6: the monthly review of the complaints closed up to the end of its month and not
    counted by an earlier review, approved by the general manager (executive), then published
    by them as reward/penalty notices; read-only once approved."""

    _name = "aftersales.complaint.review"
    _description = "Monthly Complaint Review"
    _inherit = ["aftersales.lock.mixin", "mail.thread"]
    _order = "month desc"
    _check_company_auto = True

    # who may change what, in which state (aftersales.lock.mixin)
    _aftersales_locks = {
        **dict.fromkeys(
            ("state", "approver_id", "name", "complaint_count", "loss_total", "penalty_total"), SYSTEM
        ),
        "company_id": CREATION_LOCKS["company_id"],
        **dict.fromkeys(
            ("month", "complaint_ids", "responsibility_ids"),
            Frozen(REVIEW_LOCKED_STATES, reason=_lt("the review is kept as it was decided")),
        ),
    }
    _aftersales_unlink_lock = Frozen(REVIEW_LOCKED_STATES, reason=_lt("the review is kept as it was decided"))

    name = fields.Char(compute="_compute_name", store=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    currency_id = fields.Many2one(related="company_id.currency_id")
    month = fields.Date(required=True, help="First day of the reviewed month.")
    state = fields.Selection(
        [("draft", "Draft"), ("approved", "Approved"), ("published", "Published")],
        default="draft",
        tracking=True,
    )
    complaint_ids = fields.Many2many(
        "aftersales.complaint",
        "aftersales_review_complaint_rel",
        "review_id",
        "complaint_id",
        string="Closed Complaints",
    )
    responsibility_ids = fields.Many2many(
        "aftersales.complaint.responsibility",
        "aftersales_review_responsibility_rel",
        "review_id",
        "responsibility_id",
        string="Responsibilities",
    )
    complaint_count = fields.Integer(compute="_compute_totals", store=True)
    loss_total = fields.Monetary(compute="_compute_totals", store=True)
    penalty_total = fields.Monetary(compute="_compute_totals", store=True)
    approver_id = fields.Many2one("res.users", readonly=True)

    _sql_constraints = [
        ("company_month_uniq", "unique(company_id, month)", "This month already has its complaint review."),
    ]

    @api.depends("month")
    def _compute_name(self):
        for review in self:
            review.name = (
                _("Complaint review %(month)s", month=review.month.strftime("%Y-%m")) if review.month else "/"
            )

    @api.depends("complaint_ids", "responsibility_ids.penalty_amount")
    def _compute_totals(self):
        for review in self:
            review.complaint_count = len(review.complaint_ids)
            review.loss_total = sum(review.complaint_ids.mapped("loss_amount"))
            review.penalty_total = sum(review.responsibility_ids.mapped("penalty_amount"))

    def _totals_by(self, field):
        """{department or employee: (loss, penalty)} for the review's responsibilities."""
        self.ensure_one()
        totals = {}
        for resp in self.responsibility_ids:
            key = resp[field]
            if key:
                loss, penalty = totals.get(key, (0.0, 0.0))
                totals[key] = (loss + resp.loss_amount, penalty + resp.penalty_amount)
        return totals

    @api.model
    def _build(self, company, month):
        """The review of ``month`` (first day): the complaints closed up to the end of the month
        that no review counted yet (closed after their own month's review was built, or in a
        month that had no review), and their responsibilities."""
        if self.search_count([("company_id", "=", company.id), ("month", "=", month)]):
            raise UserError(_("%(month)s already has its complaint review.", month=month.strftime("%Y-%m")))
        # sudo: which complaints a review counted is the review's business, whoever builds it
        complaints = (
            self.env["aftersales.complaint"]
            .sudo()
            .search(
                [
                    ("company_id", "=", company.id),
                    ("state", "=", "closed"),
                    ("closed_date", "<", month + relativedelta(months=1)),
                    ("review_ids", "=", False),
                ]
            )
        )
        return self.create(
            {
                "company_id": company.id,
                "month": month,
                "complaint_ids": [Command.set(complaints.ids)],
                "responsibility_ids": [Command.set(complaints.responsibility_ids.ids)],
            }
        )

    @api.model
    def _cron_build_reviews(self):
        """From day N (Settings, 10) of a month: last month's review, once per company (P-6)."""
        for company in self.env["res.company"].search([]):
            today = company._aftersales_date()
            last_month = today.replace(day=1) - relativedelta(months=1)
            if not company.aftersales_review_day or today.day < company.aftersales_review_day:
                continue
            if not self.search_count([("company_id", "=", company.id), ("month", "=", last_month)]):
                with isolated(self.env, f"The complaint review of {company.name}"):
                    self.with_company(company)._build(company, last_month)

    def action_approve(self):
        if not self.env.user.has_group(EXECUTIVE_GROUP):
            raise AccessError(_("Only the executive / general manager approves the monthly review."))
        lock_for_action(self)
        privileged(self.filtered(lambda r: r.state == "draft")).write(
            {"state": "approved", "approver_id": self.env.user.id}
        )
        return True

    def action_publish(self):
        """Issue one reward/penalty notice per employee: a PDF posted on the employee's chatter
        with the notice email (a template) to the employee's work contact. The executive (general
        manager) who approves the review publishes it."""
        if not self.env.user.has_group(EXECUTIVE_GROUP):
            raise AccessError(_("Only the executive / general manager publishes the monthly review."))
        lock_for_action(self)
        report = self.env.ref("aftersales_service.action_report_penalty_notice")
        template = self.env.ref("aftersales_service.mail_template_penalty_notice")
        for review in self:
            if review.state != "approved":
                raise UserError(_("Approve the review before publishing it."))
            # sudo: the executive publishes notices on employees whose HR records they need not
            # manage (the attachment and the message on the employee; the author stays the user)
            for employee in review.responsibility_ids.employee_id.sudo():
                # a PDF (an HTML document when Odoo runs its tests without wkhtmltopdf workers)
                content, fmt = report._render_qweb_pdf(
                    report.report_name, res_ids=review.ids, data={"employee_id": employee.id}
                )
                attachment = (
                    self.env["ir.attachment"]
                    .sudo()
                    .create(
                        {
                            "name": f"{review.name} - {employee.name}.{fmt}",
                            "datas": base64.b64encode(content),
                            "res_model": "hr.employee",
                            "res_id": employee.id,
                            "mimetype": "application/pdf" if fmt == "pdf" else "text/html",
                        }
                    )
                )
                # the notice is emailed to the employee (a template), the PDF attached
                lines = review.responsibility_ids.filtered(lambda r, e=employee: r.employee_id == e)
                employee.with_context(
                    aftersales_review_name=review.name,
                    aftersales_notice_total=review.currency_id.format(sum(lines.mapped("penalty_amount"))),
                ).message_post_with_source(
                    template, subtype_xmlid="mail.mt_comment", attachment_ids=attachment.ids
                )
            privileged(review).state = "published"
        return True
