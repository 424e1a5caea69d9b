"""Double clicks make one document (issue 23): two users (or two tabs) pressing the same button
at the same moment, in two real transactions on two real cursors, as Odoo's own concurrency
tests do (odoo/addons/onboarding/tests/test_onboarding_concurrency.py).

The second user's transaction has read the document before the first one commits; it then
presses the button after the first one's commit. Each side runs through
``odoo.service.model.retrying``, as every RPC and HTTP request does: the second one must end
with the action's own message, and exactly one document exists.

The records are committed (two cursors cannot see a test's uncommitted data): the file is named
to run last, and its records live in a company of their own."""

import threading
import uuid
from datetime import datetime

import odoo
from odoo import Command, api
from odoo.exceptions import UserError
from odoo.modules.registry import Registry
from odoo.service.model import retrying
from odoo.tests import BaseCase, freeze_time, get_db_name, tagged
from odoo.tools import mute_logger

from .common import AftersalesCommon, ReturnHelpers

SHOP_HELPERS = (
    "create_sale_order",
    "confirm_order",
    "deliver_order",
    "_free_serials",
    "invoice_order",
    "sell",
)


@tagged("post_install", "-at_install")
class TestDoubleClick(BaseCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        tag = uuid.uuid4().hex[:8]
        with cls.registry.cursor() as cr:
            env = api.Environment(
                cr, odoo.SUPERUSER_ID, {"tracking_disable": True, "mail_create_nolog": True}
            )
            main = env.ref("base.main_company")
            company = env["res.company"].create(
                {"name": f"Double Click {tag}", "currency_id": main.currency_id.id}
            )
            env["account.chart.template"].try_loading("generic_coa", company=company, install_demo=False)
            env = env(context=dict(env.context, allowed_company_ids=company.ids))

            def user(role, groups):
                return env["res.users"].create(
                    {
                        "name": f"{role} {tag}",
                        "login": f"dc_{role}_{tag}",
                        "email": f"{role}.{tag}@example.com",
                        "company_id": company.id,
                        "company_ids": [Command.set(company.ids)],
                        "groups_id": [Command.set([env.ref(g).id for g in groups])],
                    }
                )

            billing = ("aftersales_service.group_aftersales_user", "account.group_account_invoice")
            managing = ("aftersales_service.group_aftersales_manager", "account.group_account_invoice")
            executive = ("aftersales_service.group_aftersales_executive",)
            users = {
                "agent_1": user("agent1", billing),
                "agent_2": user("agent2", billing),
                "manager_1": user("manager1", managing),
                "manager_2": user("manager2", managing),
                "manager_3": user("manager3", managing),
                "executive_1": user("exec1", executive),
                "executive_2": user("exec2", executive),
            }
            salesperson = user("sales", ("sales_team.group_sale_salesman",))
            customer = env["res.partner"].create({"name": f"Customer {tag}", "email": f"c.{tag}@example.com"})
            warehouse = env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1)
            products = env["product.product"].create(
                [
                    {"name": f"Recorder {tag}", "is_storable": True, "list_price": 500.0},
                    {"name": f"Small Recorder {tag}", "is_storable": True, "list_price": 100.0},
                    {"name": f"Service hour {tag}", "type": "service", "list_price": 80.0},
                ]
            )
            for product in products[:2]:
                env["stock.quant"]._update_available_quantity(product, warehouse.lot_stock_id, 50.0)
            company.write(
                {
                    "aftersales_compensation_product_id": products[2].id,
                    "aftersales_case_service_product_id": products[2].id,
                    "aftersales_executive_id": users["executive_1"].id,
                    "aftersales_manager_id": users["manager_1"].id,
                }
            )
            shop = type(
                "Shop",
                (),
                dict(
                    {name: classmethod(getattr(AftersalesCommon, name).__func__) for name in SHOP_HELPERS},
                    env=env,
                    customer=customer,
                    salesperson=salesperson,
                    company=company,
                ),
            )
            Return = env["aftersales.return"].with_user(users["agent_1"]).with_company(company)

            def new_return(order, qty=1, exchange_for=None, **vals):
                ret = Return.create(
                    dict(
                        {
                            "sale_order_id": order.id,
                            "line_ids": [
                                Command.create({"sale_line_id": order.order_line.id, "qty_requested": qty})
                            ],
                            "approval_reason": "Kept for the race",
                        },
                        **vals,
                    )
                )
                if exchange_for:
                    ret.line_ids.exchange_product_id = exchange_for
                ret.action_submit()
                return ret

            with freeze_time(datetime(2026, 6, 1, 10, 0)):
                # a return waiting for the manager (outside the return window)
                to_approve = new_return(shop.sell([(products[0], 2, 500.0)], company=company))
                # a return approved and received, not refunded yet
                received = new_return(shop.sell([(products[0], 2, 500.0)], company=company))
                received.with_user(users["manager_3"]).action_approve()
                ReturnHelpers._receive(None, received.sudo())
                # an exchange for the cheaper product, approved, not settled
                exchange = new_return(
                    shop.sell([(products[0], 1, 500.0)], company=company),
                    return_type="exchange",
                    exchange_for=products[1],
                )
                exchange.with_user(users["manager_3"]).action_approve()
                # a paid case, in progress, with an hour of work
                case = (
                    env["aftersales.case"]
                    .with_user(users["agent_1"])
                    .with_company(company)
                    .create(
                        {
                            "subject": "Out of warranty repair",
                            "partner_id": customer.id,
                            "category": "technical",
                            "service_type": "paid",
                            "time_spent": 1.0,
                        }
                    )
                )
                case.action_assign_to_me()
                case.action_start()
                # a compensation waiting for the manager's approval
                invoice = shop.sell([(products[0], 1, 500.0)], company=company).invoice_ids
                wizard = (
                    env["aftersales.compensation.wizard"]
                    .with_user(users["agent_1"])
                    .create({"invoice_id": invoice.id, "amount": 50.0, "reason": "Late delivery"})
                )
                compensation = env["account.move"].browse(wizard.action_create()["res_id"])
                # a second compensation, its wizard not confirmed yet
                wizard_2 = (
                    env["aftersales.compensation.wizard"]
                    .with_user(users["agent_1"])
                    .create({"invoice_id": invoice.id, "amount": 20.0, "reason": "Scratched box"})
                )
            cls.ids = {
                "to_approve": to_approve.id,
                "received": received.id,
                "exchange": exchange.id,
                "case": case.id,
                "compensation": compensation.id,
                "wizard": wizard_2.id,
            }
            cls.users = {key: value.id for key, value in users.items()}
            cls.company_id = company.id

    def _race(self, model, res_id, method, first_user, second_user, read_fields):
        """``second_user`` reads the record, ``first_user`` presses ``method`` and commits, then
        ``second_user`` presses it in the transaction that read before the commit. Returns
        (first result, second result) where a result is the return value or the exception."""
        second_has_read = threading.Event()
        first_committed = threading.Event()
        results = {}

        def press(key, uid, before=None):
            with self.registry.cursor() as cr:
                env = api.Environment(cr, uid, {"allowed_company_ids": [self.company_id]})
                if before:
                    before(env)
                try:
                    results[key] = retrying(lambda: getattr(env[model].browse(res_id), method)(), env)
                except Exception as exc:  # noqa: BLE001 - the result of the second click
                    cr.rollback()
                    results[key] = exc

        def first():
            second_has_read.wait(10)
            try:
                press("first", first_user)
            finally:
                first_committed.set()

        def second():
            def read_then_wait(env):
                env[model].browse(res_id).read(read_fields)  # this transaction's snapshot
                second_has_read.set()
                first_committed.wait(10)

            press("second", second_user, read_then_wait)

        threads = [threading.Thread(target=first), threading.Thread(target=second)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        return results.get("first"), results.get("second")

    def _env(self, cr):
        return api.Environment(cr, odoo.SUPERUSER_ID, {})

    def assertSecondRefused(self, first, second, *texts):
        """The first click did its work; the second one got one of the action's messages."""
        self.assertNotIsInstance(first, Exception, first)
        self.assertIsInstance(second, UserError, f"the second click must be refused, got {second!r}")
        self.assertTrue(any(text in str(second) for text in texts), str(second))

    @mute_logger("odoo.sql_db", "odoo.service.model")
    def test_credit_note_twice(self):
        first, second = self._race(
            "aftersales.return",
            self.ids["received"],
            "action_create_credit_note",
            self.users["agent_1"],
            self.users["agent_2"],
            ["state", "line_ids"],
        )
        # all refunded and received: the return is done, or nothing is left to refund on it
        self.assertSecondRefused(first, second, "Nothing left to refund", "must be approved before refunding")
        with self.registry.cursor() as cr:
            ret = self._env(cr)["aftersales.return"].browse(self.ids["received"])
            self.assertEqual(len(ret.credit_note_ids), 1)
            self.assertEqual(sum(ret.line_ids.mapped("qty_refunded")), 1)

    @mute_logger("odoo.sql_db", "odoo.service.model")
    def test_return_approved_twice(self):
        first, second = self._race(
            "aftersales.return",
            self.ids["to_approve"],
            "action_approve",
            self.users["manager_1"],
            self.users["manager_2"],
            ["state"],
        )
        self.assertSecondRefused(first, second, "not waiting for approval")
        with self.registry.cursor() as cr:
            ret = self._env(cr)["aftersales.return"].browse(self.ids["to_approve"])
            self.assertEqual(ret.approver_id.id, self.users["manager_1"])
            self.assertEqual(len(ret.picking_ids), 1)

    @mute_logger("odoo.sql_db", "odoo.service.model")
    def test_exchange_settled_twice(self):
        first, second = self._race(
            "aftersales.return",
            self.ids["exchange"],
            "action_invoice_exchange_difference",
            self.users["agent_1"],
            self.users["agent_2"],
            ["state", "line_ids"],
        )
        self.assertSecondRefused(first, second, "no exchange for another product to settle")
        with self.registry.cursor() as cr:
            moves = self._env(cr)["account.move"].search(
                [("aftersales_return_id", "=", self.ids["exchange"])]
            )
            self.assertEqual(len(moves), 1)

    @mute_logger("odoo.sql_db", "odoo.service.model")
    def test_case_invoiced_twice(self):
        first, second = self._race(
            "aftersales.case",
            self.ids["case"],
            "action_create_invoice",
            self.users["agent_1"],
            self.users["agent_2"],
            ["state", "invoice_ids", "can_invoice"],
        )
        self.assertSecondRefused(first, second, "cannot be invoiced now")
        with self.registry.cursor() as cr:
            case = self._env(cr)["aftersales.case"].browse(self.ids["case"])
            self.assertEqual(len(case.invoice_ids), 1)
            self.assertEqual(
                self._env(cr)["account.move"].search_count([("invoice_origin", "=", case.name)]), 1
            )

    @mute_logger("odoo.sql_db", "odoo.service.model")
    def test_compensation_approved_twice(self):
        first, second = self._race(
            "account.move",
            self.ids["compensation"],
            "action_aftersales_approve",
            self.users["manager_1"],
            self.users["manager_2"],
            ["state", "aftersales_approver_id"],
        )
        self.assertSecondRefused(first, second, "approved already")
        with self.registry.cursor() as cr:
            move = self._env(cr)["account.move"].browse(self.ids["compensation"])
            self.assertEqual(move.aftersales_approver_id.id, self.users["manager_1"])
            approvals = move.message_ids.filtered(lambda m: "Approved for" in (m.body or ""))
            self.assertEqual(len(approvals), 1)

    @mute_logger("odoo.sql_db", "odoo.service.model")
    def test_compensation_created_twice(self):
        # the same wizard (two clicks on Create, or two tabs) makes one credit note
        with self.registry.cursor() as cr:
            wizard = self._env(cr)["aftersales.compensation.wizard"].browse(self.ids["wizard"])
            invoice_id = wizard.invoice_id.id
        first, second = self._race(
            "aftersales.compensation.wizard",
            self.ids["wizard"],
            "action_create",
            self.users["agent_1"],
            self.users["agent_1"],
            ["invoice_id", "amount"],
        )
        self.assertSecondRefused(first, second, "created already")
        with self.registry.cursor() as cr:
            count = self._env(cr)["account.move"].search_count(
                [("reversed_entry_id", "=", invoice_id), ("ref", "ilike", "Scratched box")]
            )
            self.assertEqual(count, 1)
