import calendar
import re
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, format_date
from odoo.tools.translate import LazyTranslate

from .aftersales_lock import CREATION_LOCKS, SYSTEM, Frozen
from .tools import ensure_can, form_action, isolated, privileged

_lt = LazyTranslate(__name__)

REVISIT_STATES = [("planned", "Planned"), ("done", "Done"), ("missed", "Missed"), ("cancelled", "Cancelled")]
REVISIT_CHANNELS = [("phone", "Phone"), ("sms", "SMS"), ("email", "Email"), ("visit", "Visit")]
REVISIT_KINDS = [
    ("periodic", "Periodic"),
    ("post_sale", "Post-Sale"),
    ("follow_up", "Follow-Up"),
    ("campaign", "Satisfaction Survey"),
]


def slots_of_month(month_start, per_month):
    """The period slots of a month for a class needing ``per_month`` revisits: [(key, start, end)]."""
    last = calendar.monthrange(month_start.year, month_start.month)[1]
    key = month_start.strftime("%Y-%m")
    if per_month <= 1:
        return [(key, month_start, month_start.replace(day=last))]
    # split the month in equal parts: key customers get one revisit in each half (V-1)
    bounds = [round(i * last / per_month) for i in range(per_month + 1)]
    return [
        (
            f"{key}-{i + 1}/{per_month}",
            month_start.replace(day=bounds[i] + 1),
            month_start.replace(day=bounds[i + 1]),
        )
        for i in range(per_month)
    ]


def slot_label(env, slot):
    """A slot as a person reads it: "2026-12-1/2" is "December 2026, 1 of 2", "campaign
    2026-12" is "December 2026", "post-sale S00042" is "S00042"."""
    slot = slot or ""
    match = re.fullmatch(r"(?:campaign )?(\d{4})-(\d{2})(?:-(\d+)/(\d+))?", slot)
    if not match:
        return slot.removeprefix("post-sale ")
    year, month, part, parts = match.groups()
    label = format_date(env, date(int(year), int(month), 1), date_format="MMMM y")
    return f"{label}, {part}/{parts}" if part else label


def revisit_name(env, kind, slot, partner_name):
    """A revisit's name: its kind, its period (or order) and its customer."""
    return f"{dict(REVISIT_KINDS).get(kind, '')} {slot_label(env, slot)} - {partner_name or ''}"


# V-2: deliveries older than the due date by more than this are not invited any more
POST_SALE_WINDOW_DAYS = 30


class AftersalesRevisit(models.Model):
    """A revisit of a customer (V-1..V-4): planned by the ERP per customer class, also an activity
    of its user; doing the activity completes the revisit."""

    _name = "aftersales.revisit"
    _description = "Customer Revisit"
    _inherit = ["aftersales.lock.mixin", "mail.thread", "mail.activity.mixin"]
    _order = "planned_date desc, id desc"
    _check_company_auto = True

    # who may change what, in which state (aftersales.lock.mixin)
    _aftersales_locks = {
        # the workflow, the planner and the questionnaire (V-1, V-2, V-3)
        **dict.fromkeys(("state", "done_date", "survey_input_id", "case_id", "name"), SYSTEM),
        "company_id": CREATION_LOCKS["company_id"],
        # the customer and the period a revisit covers are the planner's (one per slot and kind)
        **dict.fromkeys(
            ("partner_id", "slot", "slot_end", "kind", "sale_order_id"),
            Frozen(reason=_lt("a revisit covers the customer and period it was planned for")),
        ),
        # a revisit that happened (or was missed) is kept as it was: the V-4 summary counts it
        **dict.fromkeys(
            ("user_id", "planned_date", "channel", "outcome", "problems", "major_problem"),
            Frozen(("done", "missed", "cancelled"), reason=_lt("the revisit is over: its results are kept")),
        ),
    }
    _aftersales_unlink_lock = Frozen(
        ("done", "missed"), reason=_lt("a revisit that happened is kept on record")
    )

    name = fields.Char(compute="_compute_name", store=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, check_company=True
    )
    service_class = fields.Selection(related="partner_id.service_class", store=True, string="Class")
    user_id = fields.Many2one(
        "res.users", string="Responsible", required=True, default=lambda self: self.env.user
    )
    planned_date = fields.Date(required=True, index=True)
    slot = fields.Char(
        string="Period Slot", required=True, help="Month (or part of month) this revisit covers."
    )
    slot_end = fields.Date(required=True, index=True)
    channel = fields.Selection(REVISIT_CHANNELS, required=True, default="phone")
    kind = fields.Selection(REVISIT_KINDS, required=True, default="periodic")
    sale_order_id = fields.Many2one("sale.order", check_company=True)
    state = fields.Selection(REVISIT_STATES, default="planned", required=True, index=True, tracking=True)
    # --- workflow buttons: one rule each, in Python (the views only show them)
    survey_url = fields.Char(
        string="Questionnaire Link",
        compute="_compute_survey_url",
        help="The customer's link to the questionnaire.",
    )
    can_done = fields.Boolean(compute="_compute_can_flags")
    can_cancel = fields.Boolean(compute="_compute_can_flags")
    can_create_case = fields.Boolean(compute="_compute_can_flags")
    can_open_survey = fields.Boolean(compute="_compute_can_flags")
    outcome = fields.Html(string="Outcome Notes")
    problems = fields.Text(string="Problems Found")
    major_problem = fields.Boolean(string="Major Quality Problem", help="Alerts the sales manager at once.")
    survey_input_id = fields.Many2one("survey.user_input", string="Questionnaire Answers", readonly=True)
    case_id = fields.Many2one("aftersales.case", string="Follow-up Case", readonly=True)
    done_date = fields.Date(readonly=True)

    _sql_constraints = [
        (
            "partner_slot_kind_uniq",
            "unique(partner_id, slot, kind)",
            "This customer already has this revisit.",
        ),
    ]

    @api.depends("partner_id", "slot", "kind")
    def _compute_name(self):
        for revisit in self:
            revisit.name = revisit_name(self.env, revisit.kind, revisit.slot, revisit.partner_id.name)

    @api.constrains("partner_id")
    def _check_partner_active(self):
        for revisit in self:
            if not revisit.partner_id.active:
                raise ValidationError(
                    _("%(partner)s is archived: it gets no revisit.", partner=revisit.partner_id.display_name)
                )

    @api.model_create_multi
    def create(self, vals_list):
        revisits = super().create(vals_list)
        revisits._schedule_activities()
        return revisits

    def _schedule_activities(self):
        """Each planned revisit is an activity of its user (their usual Odoo to-do list)."""
        model_id = self.env["ir.model"]._get_id(self._name)
        activity_type = self.env.ref("mail.mail_activity_data_call")
        # sudo: the planning cron schedules activities for other users
        self.env["mail.activity"].sudo().with_context(mail_activity_quick_update=True).create(
            [
                {
                    "res_model_id": model_id,
                    "res_id": revisit.id,
                    "activity_type_id": activity_type.id,
                    "user_id": revisit.user_id.id,
                    "date_deadline": revisit.planned_date,
                    "summary": self.env._("Revisit %(partner)s", partner=revisit.partner_id.name),
                }
                for revisit in self.filtered(lambda r: r.state == "planned")
            ]
        )

    @api.depends("state", "problems", "case_id", "survey_input_id")
    def _compute_can_flags(self):
        for revisit in self:
            revisit.can_done = revisit.state == "planned"
            revisit.can_cancel = revisit.state == "planned"
            revisit.can_create_case = bool(revisit.problems) and not revisit.case_id
            revisit.can_open_survey = bool(revisit.survey_input_id)

    def _ensure_can(self, flag, message):
        """The guard of every workflow action: the same rule as the button's ``can_*`` flag."""
        ensure_can(self, flag, message)

    def action_done(self):
        self._ensure_can("can_done", _("Revisit %(names)s is not planned any more."))
        self._mark_done()
        self.activity_ids.filtered(
            lambda a: a.activity_type_id == self.env.ref("mail.mail_activity_data_call")
        ).unlink()
        return True

    def _mark_done(self):
        for revisit in self.filtered(lambda r: r.state == "planned"):
            privileged(revisit).write({"state": "done", "done_date": revisit.company_id._aftersales_date()})
            revisit._alert_if_needed()

    def action_cancel(self):
        self._ensure_can("can_cancel", _("Revisit %(names)s is not planned any more."))
        privileged(self).write({"state": "cancelled"})
        self.activity_ids.unlink()
        return True

    def _alert_if_needed(self):
        """V-3: a major quality problem alerts the sales manager at once."""
        for revisit in self.filtered("major_problem"):
            revisit._alert_sales_manager(
                _("Major quality problem found in revisit %(name)s", name=revisit.name)
            )

    def _alert_sales_manager(self, summary):
        self.ensure_one()
        manager = self.company_id.aftersales_sales_manager_id or self.company_id.aftersales_manager_id
        if manager:
            self.activity_schedule("mail.mail_activity_data_todo", user_id=manager.id, summary=summary)

    def action_create_case(self):
        """V-3: problems found in a revisit become a follow-up case."""
        self.ensure_one()
        self._ensure_can("can_create_case", _("Revisit %(names)s has no problem noted, or has its case."))
        case = self.env["aftersales.case"].create(
            {
                "subject": _("Follow-up of revisit %(name)s", name=self.name),
                "partner_id": self.partner_id.id,
                "company_id": self.company_id.id,
                "description": self.problems,
                "category": "quality" if self.major_problem else "consultation",
                "channel": self.channel if self.channel in ("phone", "sms", "email", "visit") else "phone",
            }
        )
        privileged(self).case_id = case
        return form_action(case)

    @api.readonly
    def action_open_survey(self):
        """Staff fill the questionnaire during the call (V-2)."""
        self.ensure_one()
        answer = self.survey_input_id
        if not answer:
            raise UserError(_("This revisit has no questionnaire."))
        return {
            "type": "ir.actions.act_url",
            "target": "new",
            "url": f"/survey/{answer.survey_id.access_token}/{answer.access_token}",
        }

    # ------------------------------------------------------------------ planning (V-1)
    # the monthly planner (cron, cursor, bulk insert) is in aftersales_revisit_planning.py
    @api.model
    def _mark_missed(self, today, limit=None):
        missed = self.search([("state", "=", "planned"), ("slot_end", "<", today)], limit=limit, order="id")
        privileged(missed).write({"state": "missed"})
        missed.activity_ids.unlink()
        return missed

    # ------------------------------------------------------------------ post-sale (V-2)
    @api.model
    def _cron_plan_post_sale(self, today=None, batch_size=500):
        """Three months (Settings) after an order's delivery: a post-sale revisit with the
        questionnaire, whose invitation the customer gets by email (V-2).

        Only a bounded window of deliveries is looked at (fully delivered orders whose last
        delivery was done in the ``POST_SALE_WINDOW_DAYS`` before the due date), so the first run
        never invites every order ever delivered; each order once (its post-sale revisit is the
        resume point), a bounded batch per call."""
        forced_day = today
        survey = self.env.ref("aftersales_service.survey_after_sales", raise_if_not_found=False)
        done_orders = remaining = 0
        for company in self.env["res.company"].search([]):
            today = forced_day or company._aftersales_date()  # the company's own day
            if not company.aftersales_post_sale_months:
                continue  # 0 turns the questionnaire off
            since = today - relativedelta(months=company.aftersales_post_sale_months)
            window_start = since - timedelta(days=POST_SALE_WINDOW_DAYS)
            pickings = self.env["stock.picking"].search(
                [
                    ("company_id", "=", company.id),
                    ("picking_type_code", "=", "outgoing"),
                    ("state", "=", "done"),
                    ("sale_id", "!=", False),
                    ("date_done", ">=", fields.Datetime.to_datetime(window_start)),
                    ("date_done", "<", fields.Datetime.to_datetime(since) + timedelta(days=1)),
                ]
            )
            orders = pickings.sale_id.filtered(
                lambda o: o.state == "sale" and o.delivery_status == "full" and o.partner_id.active
            )
            invited = set(
                self.search(
                    [("kind", "=", "post_sale"), ("sale_order_id", "in", orders.ids)]
                ).sale_order_id.ids
            )
            todo = orders.filtered(lambda o, invited=invited: o.id not in invited).sorted("id")
            budget = batch_size - done_orders
            remaining += max(len(todo) - budget, 0)
            for order in todo[: max(budget, 0)]:
                with isolated(self.env, f"The post-sale questionnaire of {order.name}"):
                    self._plan_post_sale(order, company, survey, today)
                done_orders += 1
        self.env["ir.cron"]._notify_progress(done=done_orders, remaining=remaining)
        return done_orders

    def _plan_post_sale(self, order, company, survey, today):
        """The post-sale revisit of ``order``, with its questionnaire sent to the customer."""
        answer = survey._create_answer(partner=order.partner_id, check_attempts=False) if survey else False
        revisit = self.create(
            {
                "partner_id": order.partner_id.id,
                "company_id": company.id,
                "user_id": (order.user_id or company.aftersales_manager_id or self.env.user).id,
                "planned_date": today,
                "slot": f"post-sale {order.name}",
                "slot_end": today + timedelta(days=14),
                "kind": "post_sale",
                "channel": "email",
                "sale_order_id": order.id,
                "survey_input_id": answer.id if answer else False,
            }
        )
        if answer:
            revisit._send_survey_invitation(answer)

    # ------------------------------------------------------------------ survey campaign (V-7)
    @api.model
    def _customer_domain(self):
        """V-1's customers: a commercial entity with a confirmed sale order (its own or one of
        its contacts'), or a posted invoice (Odoo's customer rank, raised on posting only), or
        one marked key by hand."""
        return [
            "|",
            "|",
            "|",
            ("customer_rank", ">", 0),
            ("service_class", "=", "key"),
            ("sale_order_ids.state", "=", "sale"),
            ("child_ids.sale_order_ids.state", "=", "sale"),
        ]

    @api.model
    def _cron_survey_campaign(self, today=None, batch_size=500):
        """V-7: every N months (Settings; from the first day of such a month to its end) every
        customer is sent the satisfaction questionnaire: a campaign revisit per customer and
        campaign (the unique key: never twice), a bounded batch per call, the rest told to the
        cron. Poor answers alert the sales manager (V-3) and the monthly team check opens
        improvement actions (V-6)."""
        forced_day = today
        survey = self.env.ref("aftersales_service.survey_after_sales", raise_if_not_found=False)
        if not survey:
            return 0
        done = remaining = 0
        for company in self.env["res.company"].search([("aftersales_survey_campaign_months", ">", 0)]):
            today = forced_day or company._aftersales_date()  # the company's own day
            slot = f"campaign {today.strftime('%Y-%m')}"
            if (today.month - 1) % company.aftersales_survey_campaign_months:
                continue
            domain = [
                ("service_class", "in", ("normal", "key")),
                ("parent_id", "=", False),
                *self._customer_domain(),
                ("email", "!=", False),
                "|",
                ("company_id", "=", False),
                ("company_id", "=", company.id),
            ]
            # customers not invited to this campaign yet (NOT EXISTS: no list of the invited
            # ones in memory, whatever the number of customers)
            not_invited = SQL(
                "NOT EXISTS (SELECT 1 FROM aftersales_revisit r WHERE r.partner_id = res_partner.id "
                "AND r.kind = 'campaign' AND r.slot = %s)",
                slot,
            )
            Partner = self.env["res.partner"]
            query = Partner._search(domain)
            query.add_where(not_invited)
            budget = max(batch_size - done, 0)
            self.env.cr.execute(
                SQL("%s ORDER BY res_partner.id LIMIT %s", query.select("res_partner.id"), budget)
            )
            todo = Partner.browse([row[0] for row in self.env.cr.fetchall()])
            if len(todo) == budget:
                self.env.cr.execute(SQL("SELECT count(*) FROM (%s) q", query.select("res_partner.id")))
                remaining += self.env.cr.fetchone()[0] - len(todo)
            for partner in todo:
                with isolated(self.env, f"The satisfaction survey of {partner.name}"):
                    answer = survey._create_answer(partner=partner, check_attempts=False)
                    revisit = self.create(
                        {
                            "partner_id": partner.id,
                            "company_id": company.id,
                            "user_id": (partner.user_id or company.aftersales_manager_id or self.env.user).id,
                            "planned_date": today,
                            "slot": slot,
                            "slot_end": today + relativedelta(day=31),  # the campaign month
                            "kind": "campaign",
                            "channel": "email",
                            "survey_input_id": answer.id,
                        }
                    )
                    revisit._send_survey_invitation(answer)
                done += 1
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        return done

    def _compute_survey_url(self):
        for revisit in self:
            answer = revisit.survey_input_id
            revisit.survey_url = (
                f"{answer.get_base_url()}/survey/{answer.survey_id.access_token}/{answer.access_token}"
                if answer
                else False
            )

    def _send_survey_invitation(self, answer):
        """V-2: the customer gets the questionnaire (a mail template: real link, their language)."""
        self.ensure_one()
        template = self.env.ref("aftersales_service.mail_template_revisit_survey")
        self.with_context(mail_post_autofollow=False).message_post_with_source(
            template, subtype_xmlid="mail.mt_comment"
        )

    # ------------------------------------------------------------------ summary (V-4)
    @api.model
    def _cron_send_summary(self, today=None):
        """Every N months (Settings, 2): revisits planned / done / missed by class and salesperson,
        questionnaire results and open problems, to the sales manager."""
        forced_day = today
        for company in self.env["res.company"].search([]):
            today = forced_day or company._aftersales_date()  # the company's own day
            months = company.aftersales_summary_months
            if not months or (today.month - 1) % months or today.day != 1:  # 0: no summary
                continue
            start = today - relativedelta(months=months)
            body = self._summary_html(company, start, today)
            manager = company.aftersales_sales_manager_id or company.aftersales_manager_id
            if manager:
                # V-4: an email to the sales manager (a mail template), with the table
                template = self.env.ref("aftersales_service.mail_template_revisit_summary")
                template.with_context(summary_html=body, period=f"{start} - {today}").send_mail(
                    company.id, email_values={"recipient_ids": [Command.set(manager.partner_id.ids)]}
                )

    @api.model
    def _summary_html(self, company, start, end):
        groups = self._read_group(
            [("company_id", "=", company.id), ("planned_date", ">=", start), ("planned_date", "<", end)],
            ["service_class", "user_id", "state"],
            ["__count"],
        )
        rows = {}
        for service_class, user, state, count in groups:
            rows.setdefault((service_class or "-", user.name or "-"), {})[state] = count
        problems = self.search_count(
            [
                ("company_id", "=", company.id),
                ("planned_date", ">=", start),
                ("problems", "!=", False),
                ("case_id", "=", False),
            ]
        )
        # Markup: the names are escaped, the table is not
        lines = Markup("").join(
            Markup("<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>")
            % (cls, user, sum(c.values()), c.get("done", 0), c.get("missed", 0))
            for (cls, user), c in sorted(rows.items())
        )
        return Markup(
            "<p>%s</p><table><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr>%s</table><p>%s</p>"
        ) % (
            _("Revisits from %(start)s to %(end)s", start=start, end=end),
            _("Class"),
            _("Salesperson"),
            _("Planned"),
            _("Done"),
            _("Missed"),
            lines,
            _("Open problems without a case: %(count)s", count=problems),
        )
