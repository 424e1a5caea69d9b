# pylint: disable=consider-merging-classes-inherited
# (the bulk planner of the model, in a room of its own: see docs/ARCHITECTURE.md)
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, models
from odoo.tools import SQL

from .aftersales_revisit import revisit_name, slots_of_month
from .tools import isolated

# resume point of an unfinished planning pass: "YYYY-MM:<last customer id>:<customers left>"
REVISIT_CURSOR_KEY = "aftersales_service.revisit_plan_cursor"


class AftersalesRevisit(models.Model):
    """V-1: the monthly planning of the periodic revisits of every classed customer, in bounded,
    resumable batches stored in bulk."""

    _inherit = "aftersales.revisit"

    @api.model
    def _cron_plan_revisits(self, batch_size=1000, today=None):
        """Make sure every classed customer has the revisits of its class this month, spread over
        working days, never twice per slot (unique key); first mark missed revisits.

        One bounded batch per call: the pass through the customers resumes after the last one
        planned (a cursor, per month: ``_plan_cursor``), the cron is told what remains and calls
        again after committing; a finished pass starts over at the next call (nothing is planned
        twice: the existing slots are skipped). Returns the customers of this batch."""
        today = today or self.env.company._aftersales_date()
        month_start = today.replace(day=1)
        month = month_start.strftime("%Y-%m")
        cursor = self._plan_cursor()
        # "YYYY-MM:<last customer id>:<customers left>" while a pass of this month runs
        month_cursor = cursor.split(":") if cursor.startswith(f"{month}:") else []
        last_id = int(month_cursor[1]) if month_cursor else 0
        Partner = self.env["res.partner"]
        if not last_id:
            missed = self._mark_missed(today, limit=batch_size)
            if len(missed) == batch_size:  # more to mark first: the next call goes on
                remaining = self.search_count([("state", "=", "planned"), ("slot_end", "<", today)])
                self.env["ir.cron"]._notify_progress(done=len(missed), remaining=remaining + 1)
                return 0
        # every customer (V-1): a commercial entity in a class that bought from us
        domain = [
            ("service_class", "in", ("normal", "key")),
            ("parent_id", "=", False),
            *self._customer_domain(),
            ("id", ">", last_id),
        ]
        partners = Partner.search_fetch(
            domain, ["name", "service_class", "company_id", "user_id"], order="id", limit=batch_size
        )
        # a customer is revisited by its company, else its salesperson's company
        partners.user_id.fetch(["company_id"])
        by_company = partners.grouped(lambda p: p.company_id or p.user_id.company_id or self.env.company)
        for company, company_partners in by_company.items():
            per_class = {
                "normal": company.aftersales_revisits_normal,
                "key": company.aftersales_revisits_key,
            }
            with isolated(self.env, f"Planning the revisits of {company.name}"):
                self.with_company(company)._plan_batch(
                    company_partners, month_start, per_class, company, today
                )
        remaining = 0
        if len(partners) == batch_size:
            # counted once per pass, then told down batch by batch: counting the customers after
            # the cursor at every call would read the rest of the table each time (a full batch
            # says more may follow; customers made during the pass are planned too)
            if len(month_cursor) > 2:
                left = int(month_cursor[2]) - len(partners)
            else:
                left = Partner.search_count([*domain[:-1], ("id", ">", partners[-1].id)])
            remaining = max(left, 1)
        if remaining:
            self._set_plan_cursor(f"{month}:{partners[-1].id}:{remaining}")
        elif cursor:
            self._set_plan_cursor("")  # the pass is complete: the next starts over
        self.env["ir.cron"]._notify_progress(done=len(partners), remaining=remaining)
        return len(partners)

    @api.model
    def _plan_cursor(self):
        """Where the running planning pass resumes: ``"YYYY-MM:<last customer id>:<left>"`` or ``""``.
        Kept in ``ir_config_parameter`` (system parameter ``aftersales_service.revisit_plan_cursor``)
        but read and written in SQL: ``set_param`` clears the caches of every worker of the
        server (``registry.clear_cache``), which the cron would otherwise do once per batch."""
        self.env.cr.execute(SQL("SELECT value FROM ir_config_parameter WHERE key = %s", REVISIT_CURSOR_KEY))
        row = self.env.cr.fetchone()
        return row[0] if row else ""

    @api.model
    def _set_plan_cursor(self, value):
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO ir_config_parameter (key, value, create_uid, write_uid, create_date, write_date)
                VALUES (%(key)s, %(value)s, %(uid)s, %(uid)s, %(now)s, %(now)s)
                ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, write_uid = EXCLUDED.write_uid,
                                                write_date = EXCLUDED.write_date
                """,
                key=REVISIT_CURSOR_KEY,
                value=value,
                uid=self.env.uid,
                now=self.env.cr.now(),
            )
        )

    def _plan_batch(self, partners, month_start, per_class, company, today):
        self.env.cr.execute(
            SQL(
                "SELECT partner_id, slot FROM aftersales_revisit "
                "WHERE partner_id IN %s AND kind = 'periodic' AND slot LIKE %s",
                tuple(partners.ids),
                month_start.strftime("%Y-%m") + "%",
            )
        )
        existing = set(self.env.cr.fetchall())
        workdays = self._working_days(company, month_start)
        vals_list = []
        for partner in partners:
            count = per_class.get(partner.service_class) or 0
            for key, start, end in slots_of_month(month_start, count):
                if (partner.id, key) in existing or end < today:
                    continue  # planned already, or the slot is over
                days = [d for d in workdays if max(start, today) <= d <= end] or [end]
                vals_list.append(
                    {
                        "partner_id": partner.id,
                        "company_id": company.id,
                        "user_id": (partner.user_id or company.aftersales_manager_id or self.env.user).id,
                        "planned_date": days[partner.id % len(days)],
                        "slot": key,
                        "slot_end": end,
                        "kind": "periodic",
                    }
                )
        if vals_list:
            self._insert_planned(vals_list, partners)

    def _insert_planned(self, vals_list, partners):
        """Store a batch of planned revisits in bulk (V-1 at scale, see docs/ARCHITECTURE.md):
        the same rows as ``create`` followed by ``_schedule_activities`` -- the revisit, its
        activity on the responsible's to-do list, the responsible following it with Odoo's
        default subtypes -- in one INSERT per table instead of three ORM creates per revisit
        (defaults, precomputes and follower subscription record by record cost 15x the rows).
        A slot that another worker planned meanwhile is skipped by the unique key (``ON
        CONFLICT``): the two workers never fail on it, nothing is planned twice. The access
        rights are checked as ``create`` would. Returns the new revisits.

        What it skips compared with ``create`` (with mail and tracking on; the test
        ``test_bulk_planning_stores_what_the_orm_stores`` asserts exactly this):

        - the "Customer Revisit created" note in the chatter (``mail.thread``'s creation log);
        - the creating user as a follower (the cron runs as the inactive superuser, whom
          ``create`` does not subscribe either): the responsible alone follows;
        - the Python constraints and company checks (``_check_partner_active``,
          ``_check_company``): the planner only plans active customers of the company it plans
          for."""
        self.check_access("create")
        cr = self.env.cr
        defaults = self.default_get(["channel", "state"])
        names = {partner.id: partner.name for partner in partners}
        rows = [
            {**vals, "name": revisit_name(self.env, vals["kind"], vals["slot"], names[vals["partner_id"]])}
            for vals in vals_list
        ]
        columns = {
            "partner_id": "int",
            "company_id": "int",
            "user_id": "int",
            "planned_date": "date",
            "slot": "varchar",
            "slot_end": "date",
            "kind": "varchar",
            "name": "varchar",
        }
        cr.execute(
            SQL(
                """
                INSERT INTO aftersales_revisit (%(columns)s, service_class, channel, state,
                                                create_uid, write_uid, create_date, write_date)
                SELECT v.*, p.service_class, %(channel)s, %(state)s, %(uid)s, %(uid)s, %(now)s, %(now)s
                  FROM unnest(%(arrays)s) AS v(%(columns)s)
                  JOIN res_partner p ON p.id = v.partner_id
                ON CONFLICT (partner_id, slot, kind) DO NOTHING
                RETURNING id, user_id, planned_date, partner_id
                """,
                columns=SQL(", ").join(SQL.identifier(column) for column in columns),
                arrays=SQL(", ").join(
                    SQL("%s::%s[]", [row[column] for row in rows], SQL(type_))
                    for column, type_ in columns.items()
                ),
                channel=defaults["channel"],
                state=defaults["state"],
                uid=self.env.uid,
                now=cr.now(),
            )
        )
        rows = cr.fetchall()
        revisits = self.browse(row[0] for row in rows)
        self._insert_activities(rows, names)
        return revisits

    def _insert_activities(self, rows, partner_names):
        """The activities of revisits inserted in bulk, with the responsibles as followers:
        ``rows`` are ``(revisit id, user id, deadline, partner id)``. What Odoo's
        ``mail.activity.create`` does for them -- the record name, the user's time zone, the
        responsible subscribed with the default subtypes (Odoo's own computation), the user's
        to-do counter told over the bus -- in three statements."""
        if not rows:
            return
        cr = self.env.cr
        activity_type = self.env.ref("mail.mail_activity_data_call")
        ids, users, deadlines, partners = (list(column) for column in zip(*rows, strict=True))
        cr.execute(
            SQL(
                """
                INSERT INTO mail_activity (res_model_id, res_model, res_id, res_name, activity_type_id,
                                           summary, date_deadline, user_id, user_tz, automated, active,
                                           create_uid, write_uid, create_date, write_date)
                SELECT %(model_id)s, %(model)s, v.id, r.name, %(type)s, v.summary, v.deadline, v.user_id,
                       up.tz, false, true, %(uid)s, %(uid)s, %(now)s, %(now)s
                  FROM unnest(%(ids)s::int[], %(users)s::int[], %(deadlines)s::date[],
                              %(summaries)s::varchar[]) AS v(id, user_id, deadline, summary)
                  JOIN aftersales_revisit r ON r.id = v.id
                  JOIN res_users u ON u.id = v.user_id
                  JOIN res_partner up ON up.id = u.partner_id
                """,
                model_id=self.env["ir.model"]._get_id(self._name),
                model=self._name,
                type=activity_type.id,
                ids=ids,
                users=users,
                deadlines=deadlines,
                summaries=[self.env._("Revisit %(partner)s", partner=partner_names[pid]) for pid in partners],
                uid=self.env.uid,
                now=cr.now(),
            )
        )
        Followers = self.env["mail.followers"]
        by_user = {}
        for revisit_id, user_id, _deadline, _partner in rows:
            by_user.setdefault(user_id, []).append(revisit_id)
        # sudo: the responsibles' partners (an after-sales user may not read other users)
        users = self.env["res.users"].sudo().browse(by_user)
        for user in users:
            # Odoo's own choice of the follower's subtypes, inserted in one statement
            new, _update = Followers._add_default_followers(
                self._name, by_user[user.id][:1], user.partner_id.ids, check_existing=False
            )
            subtypes = next(iter(new.values()))[0]["subtype_ids"][0][2]  # [Command.set(ids)]
            cr.execute(
                SQL(
                    """
                    WITH followers AS (
                        INSERT INTO mail_followers (res_model, res_id, partner_id)
                        SELECT %(model)s, res_id, %(partner)s FROM unnest(%(ids)s::int[]) AS res_id
                        ON CONFLICT DO NOTHING
                        RETURNING id
                    )
                    INSERT INTO mail_followers_mail_message_subtype_rel
                                (mail_followers_id, mail_message_subtype_id)
                    SELECT f.id, s FROM followers f CROSS JOIN unnest(%(subtypes)s::int[]) AS s
                    """,
                    model=self._name,
                    partner=user.partner_id.id,
                    ids=by_user[user.id],
                    subtypes=list(subtypes),
                )
            )
        # as Odoo does for a new activity due today: the user's to-do counter is refreshed
        today = self.env.company._aftersales_date()
        due = {user_id for _id, user_id, deadline, _partner in rows if deadline <= today}
        users.filtered(lambda u: u.id in due)._bus_send("mail.activity/updated", {"activity_created": True})
        self.env["mail.activity"].invalidate_model()
        self.env["mail.followers"].invalidate_model()
        self.invalidate_model(["activity_ids", "message_follower_ids"])

    @api.model
    def _working_days(self, company, month_start):
        calendar_ = company.resource_calendar_id
        last = month_start + relativedelta(months=1) - timedelta(days=1)
        days = [month_start + timedelta(days=i) for i in range((last - month_start).days + 1)]
        if not calendar_:
            return [d for d in days if d.weekday() < 5]
        workdays = {att.dayofweek for att in calendar_.attendance_ids}
        return [d for d in days if str(d.weekday()) in workdays]

    # ------------------------------------------------------------------ class changes (V-1)
    @api.model
    def _on_class_change(self, partners):
        """``partners`` changed class or were archived: customers leaving a class lose their
        future planned revisits; a class change mid-month keeps the slots of the new class (the
        others are cancelled)."""
        today = self.env.company._aftersales_date()
        leaving = partners.filtered(lambda p: p.service_class in (False, "none") or not p.active)
        changed = partners - leaving
        revisits = self.search(
            [
                ("partner_id", "in", partners.ids),
                ("state", "=", "planned"),
                ("kind", "=", "periodic"),
                ("planned_date", ">=", today),
            ]
        )
        revisits.filtered(lambda r: r.partner_id in leaving).action_cancel()
        for partner in changed:
            company = partner.company_id or self.env.company
            per_month = (
                company.aftersales_revisits_key
                if partner.service_class == "key"
                else company.aftersales_revisits_normal
            )
            keys = {k for k, _s, _e in slots_of_month(today.replace(day=1), per_month)}
            revisits.filtered(
                lambda r, p=partner, k=keys: r.partner_id == p and r.slot not in k
            ).action_cancel()
