from datetime import date
from unittest.mock import patch

from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import HttpCase, freeze_time, tagged
from odoo.tools import mute_logger

from .common import AftersalesCommon, CaseCommon
from .test_crons import calls_until_done


class RevisitCommon(AftersalesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.aftersales_sales_manager_id = cls.aftersales_manager
        Partner = cls.env["res.partner"]
        cls.key_customer = Partner.create(
            {"name": "Key Co", "service_class": "key", "user_id": cls.salesperson.id, "customer_rank": 1}
        )
        cls.normal_customer = Partner.create(
            {
                "name": "Normal Co",
                "service_class": "normal",
                "user_id": cls.salesperson.id,
                "customer_rank": 1,
            }
        )
        cls.none_customer = Partner.create(
            {"name": "Classless Co", "service_class": "none", "customer_rank": 1}
        )
        cls.Revisit = cls.env["aftersales.revisit"]

    def revisits(self, partner, **domain):
        return self.Revisit.search(
            [("partner_id", "=", partner.id), *[(k, "=", v) for k, v in domain.items()]]
        )


@tagged("post_install", "-at_install")
class TestRevisitPlanning(RevisitCommon):
    @freeze_time("2026-06-03")
    def test_revisits_per_class_idempotent(self):
        self.Revisit._cron_plan_revisits()
        key = self.revisits(self.key_customer)
        self.assertEqual(len(key), 2, "key customers: twice a month")
        first, second = key.sorted("slot")
        self.assertTrue(
            first.planned_date <= date(2026, 6, 15) < second.planned_date, "one in each half-month"
        )
        self.assertTrue(all(d.weekday() < 5 for d in key.mapped("planned_date")), "on working days")
        self.assertEqual(len(self.revisits(self.normal_customer)), 1)
        self.assertFalse(self.revisits(self.none_customer))
        activity = key[0].activity_ids
        self.assertEqual(activity.user_id, self.salesperson, "an activity in the salesperson's list")
        self.Revisit._cron_plan_revisits()
        self.env.ref("aftersales_service.ir_cron_aftersales_revisit_plan").method_direct_trigger()
        self.assertEqual(len(self.revisits(self.key_customer)), 2, "running twice plans nothing more")
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"):  # one revisit per slot
            key[0].copy()
            self.env.flush_all()

    @freeze_time("2026-06-03")
    def test_every_customer_is_in_a_class(self):
        """V-1: a new customer is "normal" without anyone classing it, and is revisited; partners
        that are not customers, or contacts of a customer company, are not."""
        Partner = self.env["res.partner"]
        newcomer = Partner.create({"name": "New Customer", "customer_rank": 1})
        self.assertEqual(newcomer.service_class, "normal")
        vendor = Partner.create({"name": "A Vendor", "supplier_rank": 1})
        contact = Partner.create(
            {"name": "Their buyer", "parent_id": self.key_customer.id, "customer_rank": 1}
        )
        self.Revisit._cron_plan_revisits()
        self.assertEqual(len(self.revisits(newcomer)), 1)
        self.assertFalse(self.revisits(vendor), "not a customer")
        self.assertFalse(self.revisits(contact), "the company is revisited, not each of its contacts")
        marked = Partner.create({"name": "Marked Key", "service_class": "key"})
        self.Revisit._cron_plan_revisits()
        self.assertEqual(len(self.revisits(marked)), 2, "marked key by hand: revisited before any sale")

    @freeze_time("2026-06-03")
    def test_planning_in_bulk_tells_the_salesperson_once(self):
        """V-1 at scale: the planned revisit is an activity of the salesperson, who follows it;
        nobody gets an "assigned to you" email per revisit, and no creation note is written."""
        Revisit = self.Revisit.with_context(tracking_disable=False, mail_create_nolog=False)
        Revisit.with_user(self.aftersales_manager)._cron_plan_revisits()
        revisits = self.revisits(self.key_customer) | self.revisits(self.normal_customer)
        self.assertEqual(len(revisits), 3)
        for revisit in revisits:
            self.assertEqual(revisit.activity_ids.user_id, self.salesperson)
            self.assertIn(self.salesperson.partner_id, revisit.message_partner_ids)
        self.assertFalse(revisits.message_ids, "no per-revisit note or assignment message")
        self.assertFalse(
            self.env["mail.mail"].search(
                [("model", "=", "aftersales.revisit"), ("res_id", "in", revisits.ids)]
            ),
            "no assignment email per revisit",
        )

    @freeze_time("2026-06-03")
    def test_bulk_planning_stores_what_the_orm_stores(self):
        """V-1 at scale: the planning inserts revisits, activities and followers in bulk; the rows
        are those ``create`` makes for a revisit by hand (same stored values, same activity, the
        responsible following with Odoo's default subtypes), mail and tracking on. The bulk path
        skips exactly what ``_insert_planned`` says: the "created" note and the creating user as
        a follower."""
        # mail and tracking as in production (the fixture turns them off)
        Revisit = self.Revisit.with_context(tracking_disable=False, mail_create_nolog=False).with_user(
            self.aftersales_manager
        )
        Revisit._cron_plan_revisits()
        bulk = self.revisits(self.normal_customer)
        by_hand_customer = self.env["res.partner"].create(
            {"name": "By Hand Co", "service_class": "normal", "user_id": self.salesperson.id}
        )
        by_hand = Revisit.create(
            {
                "partner_id": by_hand_customer.id,
                "user_id": self.salesperson.id,
                "planned_date": bulk.planned_date,
                "slot": bulk.slot,
                "slot_end": bulk.slot_end,
            }
        )
        self.assertEqual(bulk.name, "Periodic June 2026 - Normal Co")

        def stored(records, skip):
            names = [
                name
                for name, field in records._fields.items()
                if field.store and field.type not in ("one2many", "many2many") and name not in skip
            ]
            values = records.read(names)[0]
            del values["id"]
            return values

        skip = {"id", "partner_id", "name", "create_date", "write_date", "res_id", "res_name", "summary"}
        self.assertEqual(stored(bulk, skip), stored(by_hand, skip))
        self.assertEqual(stored(bulk.activity_ids, skip), stored(by_hand.activity_ids, skip))
        self.assertEqual(bulk.activity_ids.res_name, bulk.display_name)
        self.assertEqual(bulk.activity_ids.summary, "Revisit Normal Co")
        self.assertEqual(bulk.activity_ids.user_tz, self.salesperson.tz)

        def following(revisit):
            return {(f.partner_id, f.subtype_ids) for f in revisit.message_follower_ids}

        # what the bulk path skips (its docstring): the creating user following the revisit...
        creator = self.aftersales_manager.partner_id
        self.assertEqual(following(bulk), {(p, s) for p, s in following(by_hand) if p != creator})
        self.assertEqual(by_hand.message_partner_ids, self.salesperson.partner_id | creator)
        self.assertEqual(bulk.message_partner_ids, self.salesperson.partner_id)
        # ... and the "created" note in the chatter; nothing else is posted by either path
        self.assertEqual(len(by_hand.message_ids), 1)
        self.assertIn("Customer Revisit created", by_hand.message_ids.body)
        self.assertFalse(bulk.message_ids)
        # the bulk revisit's activity is a real one: in the to-do of the salesperson (doing
        # revisits as an After-Sales user), done from there
        self.salesperson.groups_id += self.env.ref("aftersales_service.group_aftersales_user")
        groups = self.env["res.users"].with_user(self.salesperson)._get_activity_groups()
        self.assertIn("aftersales.revisit", [group["model"] for group in groups])
        bulk.activity_ids.with_user(self.salesperson).action_feedback(feedback="Called")
        self.assertEqual(bulk.state, "done")

    @freeze_time("2026-06-03")
    def test_bulk_planning_twice_at_once_plans_once(self):
        """Two workers planning the same customers: the second insert skips the slots the first
        planned (the unique key), without an error and without a second activity or follower."""
        vals = {
            "partner_id": self.normal_customer.id,
            "company_id": self.company.id,
            "user_id": self.salesperson.id,
            "planned_date": date(2026, 6, 10),
            "slot": "2026-06",
            "slot_end": date(2026, 6, 30),
            "kind": "periodic",
        }
        first = self.Revisit._insert_planned([vals], self.normal_customer)
        again = self.Revisit._insert_planned([vals], self.normal_customer)
        self.assertEqual(len(first), 1)
        self.assertFalse(again)
        revisit = self.revisits(self.normal_customer)
        self.assertEqual(revisit, first)
        self.assertEqual(len(revisit.activity_ids), 1)
        self.assertEqual(len(revisit.message_follower_ids), 1)
        # the rights of create hold: a salesperson cannot plan revisits
        with self.assertRaises(AccessError):
            self.Revisit.with_user(self.salesperson)._insert_planned(
                [dict(vals, slot="2026-07")], self.normal_customer
            )

    @freeze_time("2026-06-03")
    def test_bulk_planning_refreshes_the_todo_counter_without_clearing_caches(self):
        """An activity due today refreshes its user's to-do counter (as Odoo's own activities do);
        the batches never clear the caches of the server's workers (no ``set_param`` per batch)."""
        due_today = self.env["res.partner"].create(
            {
                "name": "Due Today Co",
                "service_class": "normal",
                "user_id": self.aftersales_user.id,
                "customer_rank": 1,
            }
        )
        self.env["res.partner"].create(
            [{"name": f"Later Co {i}", "service_class": "normal", "customer_rank": 1} for i in range(3)]
        )
        sent = []
        original_send = type(self.env["res.users"])._bus_send

        def bus_send(users, notification_type, message, **kwargs):
            sent.append((users, notification_type, message))
            return original_send(users, notification_type, message, **kwargs)

        registry = type(self.env.registry)
        with (
            patch.object(type(self.env["res.users"]), "_bus_send", bus_send),
            patch.object(registry, "clear_cache", autospec=True) as clear_cache,
        ):
            with patch.object(type(self.Revisit), "_working_days", lambda *a: [date(2026, 6, 3)]):
                progress = calls_until_done(self.Revisit._cron_plan_revisits, batch_size=2)
        self.assertGreater(len(progress), 2, "several batches, each moving the cursor")
        clear_cache.assert_not_called()
        self.assertEqual(self.revisits(due_today).activity_ids.date_deadline, date(2026, 6, 3))
        refreshed = [users for users, kind, message in sent if kind == "mail.activity/updated"]
        self.assertIn(self.aftersales_user, sum(refreshed, self.env["res.users"]))
        self.assertEqual(self.Revisit._plan_cursor(), "")

    def test_missed_at_slot_end_and_activity_completes(self):
        with freeze_time("2026-06-03"):
            self.Revisit._cron_plan_revisits()
            first, second = self.revisits(self.key_customer).sorted("slot")
            second.activity_ids.action_feedback(feedback="Called, all fine")
            self.assertEqual(second.state, "done", "doing the activity completes the revisit")
        with freeze_time("2026-06-16"):
            self.Revisit._cron_plan_revisits()
            self.assertEqual(first.state, "missed")
            self.assertFalse(first.activity_ids)
            self.assertEqual(second.state, "done")

    def test_class_changes(self):
        with freeze_time("2026-06-03"):
            self.Revisit._cron_plan_revisits()
            self.key_customer.service_class = "none"
            self.assertEqual(set(self.revisits(self.key_customer).mapped("state")), {"cancelled"})
            self.normal_customer.service_class = "key"
            self.Revisit._cron_plan_revisits()
            planned = self.revisits(self.normal_customer, state="planned")
            self.assertEqual(
                sorted(planned.mapped("slot")), ["2026-06-1/2", "2026-06-2/2"], "no duplicate, no lost slot"
            )

    def test_archived_customer_refused(self):
        self.none_customer.active = False
        with self.assertRaises(ValidationError):
            self.Revisit.create(
                {
                    "partner_id": self.none_customer.id,
                    "planned_date": "2026-06-05",
                    "slot": "manual",
                    "slot_end": "2026-06-30",
                }
            )

    def test_post_sale_questionnaire_and_poor_alert(self):
        self.sell([(self.product_psu, 1, 20.0)])  # delivered 2026-03-04
        with freeze_time("2026-06-03"):
            self.Revisit._cron_plan_post_sale()
            self.assertFalse(self.revisits(self.customer, kind="post_sale"), "not before 3 months")
        with freeze_time("2026-06-04"):
            self.Revisit._cron_plan_post_sale()
            self.Revisit._cron_plan_post_sale()
            revisit = self.revisits(self.customer, kind="post_sale")
            self.assertEqual(len(revisit), 1)
            answer = revisit.survey_input_id
            self.assertEqual(len(answer.survey_id.question_ids), 9)
            self.assertEqual(answer.partner_id, self.customer)
            invitation = revisit.message_ids.filtered(lambda m: answer.access_token in (m.body or ""))
            self.assertEqual(len(invitation), 1)
            self.assertIn(f'href="{revisit.survey_url}"', invitation.body, "a working link")
            self.assertNotIn("&lt;a", invitation.body)
            question = answer.survey_id.question_ids[0]
            poor = question.suggested_answer_ids.filtered("aftersales_poor")
            # V-3: the answer record says it is poor, whatever its label reads (translated, renamed)
            poor.value = "Dåligt"
            answer._save_lines(question, poor.id)
            answer._mark_done()
            alert = revisit.activity_ids.filtered(lambda a: a.user_id == self.aftersales_manager)
            self.assertTrue(alert, "a poor answer alerts the sales manager at once")

    def test_summary_content(self):
        with freeze_time("2026-06-03"):
            self.Revisit._cron_plan_revisits()
            self.revisits(self.normal_customer).action_done()
        mine = self.Revisit.search([("partner_id", "in", (self.key_customer | self.normal_customer).ids)])
        self.assertEqual(len(mine), 3)
        self.assertEqual(mine.company_id, self.company)
        html = self.Revisit._summary_html(self.company, date(2026, 5, 1), date(2026, 7, 1))
        self.assertIn("<td>key</td><td>Sam Salesperson</td><td>2</td><td>0</td>", html)
        self.assertIn("<td>normal</td><td>Sam Salesperson</td><td>1</td><td>1</td>", html)
        with freeze_time("2026-07-01"):
            self.Revisit._cron_send_summary()
        # V-4: an email to the sales manager (a mail template), the table as HTML, not escaped
        mail = self.env["mail.mail"].search(
            [
                ("recipient_ids", "in", self.aftersales_manager.partner_id.ids),
                ("subject", "like", "Revisit summary"),
            ]
        )
        self.assertEqual(len(mail), 1)
        self.assertIn("<table>", mail.body_html)
        self.assertIn("<td>key</td><td>Sam Salesperson</td>", mail.body_html)
        self.assertNotIn("&lt;table", mail.body_html)


@tagged("post_install", "-at_install")
class TestRating(RevisitCommon, HttpCase):
    def _resolved_case(self):
        case = self.env["aftersales.case"].create(
            {
                "subject": "Noisy fan",
                "partner_id": self.customer.id,
                "user_id": self.aftersales_user.id,
                "resolution": "repair",
            }
        )
        case.action_resolve()
        return case, self.env["aftersales.rating"].search([("case_id", "=", case.id)])

    def test_resolve_requests_rating_and_public_page(self):
        case, rating = self._resolved_case()
        self.assertEqual(rating.rated_user_id, self.aftersales_user)
        # a mail template to the customer only (not a chatter message staff read): a real link,
        # not escaped text
        request = self.env["mail.mail"].sudo().search([("body_html", "ilike", rating.access_token)])
        self.assertEqual(len(request), 1)
        self.assertIn(f'href="{rating._get_public_url()}"', request.body_html)
        self.assertNotIn("&lt;a", request.body_html)
        self.assertEqual(request.recipient_ids, case.partner_id)
        self.assertFalse(case.message_ids.filtered(lambda m: rating.access_token in (m.body or "")))
        url = f"/aftersales/rating/{rating.id}/{rating.access_token}"
        page = self.url_open(url)
        self.assertEqual(page.status_code, 200)
        # the site's own layout (header, footer, assets), as Odoo's rating pages
        self.assertIn("o_aftersales_rating_page", page.text)
        self.assertIn("/web/assets/", page.text)
        self.assertIn("<header", page.text)
        self.assertEqual(self.url_open(f"/aftersales/rating/{rating.id}/wrong-token").status_code, 404)
        bad = self.url_open(
            url,
            data={
                "attitude": "great",
                "technical_skill": "satisfied",
                "arrival_time": "satisfied",
                "promise_keeping": "satisfied",
            },
        )
        self.assertEqual(bad.status_code, 400)
        self.assertEqual(rating.state, "requested", "nothing written")
        answers = {
            "attitude": "very_satisfied",
            "technical_skill": "satisfied",
            "arrival_time": "satisfied",
            "promise_keeping": "satisfied",
            "comment": "Quick",
        }
        self.assertEqual(self.url_open(url, data=answers).status_code, 200)
        self.assertEqual(rating.state, "rated")
        self.assertTrue(rating.is_satisfied)
        self.assertEqual(self.url_open(url, data=answers).status_code, 403, "a used token rates no more")

    def test_satisfaction_rate(self):
        Rating = self.env["aftersales.rating"]
        ratings = Rating.create(
            [{"partner_id": self.customer.id, "rated_user_id": self.aftersales_user.id}] * 3
        )
        good = dict.fromkeys(Rating.DIMENSIONS, "satisfied")
        ratings[0]._submit(good)
        ratings[1]._submit(dict(good, attitude="very_satisfied"))
        ratings[2]._submit(dict(good, arrival_time="average"))
        self.assertEqual(ratings.mapped("is_satisfied"), [True, True, False])
        rate = Rating._satisfaction_rate([("id", "in", ratings.ids)])
        self.assertAlmostEqual(rate, 200 / 3, places=2)
        self.assertLess(rate, self.company.aftersales_satisfaction_target)
        with self.assertRaises(ValidationError):
            Rating.create({"partner_id": self.customer.id, "rated_user_id": self.aftersales_user.id})._submit(
                dict(good, attitude="great")
            )


@tagged("post_install", "-at_install")
class TestSatisfactionTarget(CaseCommon):
    """V-6: satisfaction against the company's target per team and month."""

    def _rate(self, case, satisfied, day):
        rating = self.env["aftersales.rating"].create(
            {"partner_id": self.customer.id, "rated_user_id": self.aftersales_user.id, "case_id": case.id}
        )
        level = "satisfied" if satisfied else "poor"
        with freeze_time(day):
            rating._submit(dict.fromkeys(rating.DIMENSIONS, "satisfied") | {"attitude": level})
        return rating

    def test_month_below_target_tells_the_manager_once(self):
        self.company.aftersales_satisfaction_target = 97.0
        good_team = self.env["aftersales.team"].create({"name": "Good Team", "company_id": self.company.id})
        case = self.new_case()
        good_case = self.new_case(team_id=good_team.id)
        self._rate(case, True, "2026-05-10")
        self._rate(case, False, "2026-05-20")
        self._rate(good_case, True, "2026-05-12")
        self._rate(case, False, "2026-06-02")  # next month: not counted for May
        Team = self.env["aftersales.team"]
        below = Team._cron_check_satisfaction(today=date(2026, 6, 1))
        self.assertEqual(below, self.team, "50 % in May: below the 97 % target")
        activity = self.team.activity_ids
        self.assertEqual(activity.user_id, self.aftersales_manager)
        self.assertIn("2026-05: 50.0 % of 2 ratings", activity.summary)
        self.assertFalse(good_team.activity_ids, "100 %: nothing to do")
        self.assertFalse(Team._cron_check_satisfaction(today=date(2026, 6, 1)), "once per month")
        self.assertEqual(len(self.team.activity_ids), 1)
        # the team card: this month's rate against the target
        with freeze_time("2026-06-15"):
            self.team.invalidate_recordset()
            self.assertEqual(self.team.rating_count_month, 1)
            self.assertEqual(self.team.satisfaction_month, 0.0)
            self.assertTrue(self.team.satisfaction_below_target)
            self.assertEqual(self.team.satisfaction_target, 97.0)

    def test_poor_rating_opens_an_improvement_action(self):
        """S-1, V-7: a rating below "satisfied" gives the team leader an improvement action."""
        case = self.new_case()
        good = self.new_case()
        self._rate(good, True, "2026-05-10")
        self.assertFalse(good.activity_ids.filtered(lambda a: "Improvement" in (a.summary or "")))
        rating = self._rate(case, False, "2026-05-11")
        rating.comment = "Late twice"
        action = case.activity_ids.filtered(lambda a: "Improvement action" in (a.summary or ""))
        self.assertEqual(len(action), 1)
        self.assertEqual(action.user_id, self.team.leader_id)
        self.assertIn("Attitude: Poor", action.note)

    def test_scorecard_measures_and_team_card(self):
        """S-2: first-response and resolution hours per case (pivot averages) and this month's
        scorecard of the team on its Overview card."""
        with freeze_time("2026-06-01 08:00:00"):
            case = self.new_case(user_id=self.aftersales_user.id, resolution="repair")
        with freeze_time("2026-06-01 10:30:00"):
            case.with_user(self.aftersales_user).message_post(
                body="We are on it", message_type="comment", subtype_xmlid="mail.mt_comment"
            )
        with freeze_time("2026-06-02 08:00:00"):
            case.with_user(self.aftersales_user).action_resolve()
        self.assertAlmostEqual(case.first_response_hours, 2.5)
        self.assertAlmostEqual(case.resolution_hours, 24.0)
        groups = self.Case._read_group(
            [("id", "=", case.id)], ["team_id"], ["first_response_hours:avg", "resolution_hours:avg"]
        )
        self.assertEqual(groups, [(self.team, 2.5, 24.0)], "averages per team in the pivot")
        with freeze_time("2026-06-15"):
            self.team.invalidate_recordset()
            self.assertAlmostEqual(self.team.first_response_month, 2.5)
            self.assertAlmostEqual(self.team.resolution_month, 24.0)
            self.assertEqual(self.team.sla_met_month, case.sla_met)


@tagged("post_install", "-at_install")
class TestEveryCustomerRevisited(RevisitCommon):
    @freeze_time("2026-06-03")
    def test_confirmed_order_makes_a_customer(self):
        """V-1: a partner whose order is confirmed (not invoiced yet: Odoo's customer rank is
        still 0) is a customer, revisited by its class; a contact's order counts for its company."""
        Partner = self.env["res.partner"]
        buyer = Partner.create({"name": "Fresh Buyer", "service_class": "normal"})
        company = Partner.create({"name": "Fresh Company", "service_class": "normal", "is_company": True})
        contact = Partner.create({"name": "Fresh Contact", "parent_id": company.id})
        prospect = Partner.create({"name": "Only a quotation", "service_class": "normal"})
        for partner in (buyer, contact):
            self.confirm_order(self.create_sale_order([(self.product_psu, 1, 10.0)], partner=partner))
        self.create_sale_order([(self.product_psu, 1, 10.0)], partner=prospect)
        self.assertEqual((buyer | company | prospect).mapped("customer_rank"), [0, 0, 0])
        self.Revisit._cron_plan_revisits()
        self.assertEqual(len(self.revisits(buyer)), 1)
        self.assertEqual(len(self.revisits(company)), 1)
        self.assertFalse(self.revisits(prospect), "a quotation is not a purchase")

    @freeze_time("2026-06-03")
    def test_only_the_revisit_call_completes_it(self):
        self.Revisit._cron_plan_revisits()
        revisit = self.revisits(self.normal_customer)
        call = revisit.activity_ids
        alert = revisit.activity_schedule(
            "mail.mail_activity_data_todo", user_id=self.aftersales_manager.id, summary="Poor answer"
        )
        alert.action_feedback("Called the customer's manager")
        self.assertEqual(revisit.state, "planned", "the sales manager's alert is not the revisit")
        call.action_feedback("Visited, all fine")
        self.assertEqual(revisit.state, "done")
