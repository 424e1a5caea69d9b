"""Return -> receive -> credit note -> post for returns of 5 and 50 lines, side by side.

Usage: PYTHONPATH=$ODOO_SRC python benchmarks/returns_bench.py -d <db with aftersales_service>
        [--sizes 5,50]

Each size sells, delivers and invoices an order of N storable products (not measured), then
measures every step of the return flow: SQL queries and milliseconds, and the per-line slope
between the two sizes. Everything runs in a transaction that is rolled back.

Method (the same for every comparison): the steps run as a normal user (an After-Sales manager
who is also a billing and a warehouse user, made for the run), with tracking on, and the ORM
cache cleared before each step; the return picking is received as a warehouse user does it
(validate: Odoo pre-fills the quantities of a receipt from a customer); query counts are
deterministic, timings are indicative.
"""

import argparse
import collections
import sys
import time
from contextlib import contextmanager
from unittest.mock import patch

from _bootstrap import open_registry

import odoo
from odoo import Command
from odoo.sql_db import Cursor

STEPS = ("create", "submit (return picking)", "receive (validate)", "credit note", "post")


def measure_setup(env, size, tag=""):
    """An order of ``size`` storable products, delivered and invoiced (not measured), and the
    user who does the flow; returns ``{"_order", "_invoice", "_env"}`` for that user."""
    company = env.company
    stock = env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1).lot_stock_id
    company.aftersales_refund_threshold = 0.0
    products = env["product.product"].create(
        [
            {
                "name": f"Bench part {i}",
                "type": "consu",
                "is_storable": True,
                "invoice_policy": "delivery",
                "list_price": 10.0 + i,
            }
            for i in range(size)
        ]
    )
    for product in products:
        env["stock.quant"]._update_available_quantity(product, stock, 100.0)
    partner = env["res.partner"].create({"name": f"Bench customer {size}{tag}"})
    order = env["sale.order"].create(
        {
            "partner_id": partner.id,
            "order_line": [
                Command.create({"product_id": p.id, "product_uom_qty": 10, "discount": 5.0}) for p in products
            ],
        }
    )
    order.action_confirm()
    picking = order.picking_ids
    for move in picking.move_ids:
        move.quantity = move.product_uom_qty
        move.picked = True
    picking.button_validate()
    invoice = order._create_invoices()
    invoice.action_post()
    env.flush_all()

    user = env["res.users"].create(
        {
            "name": f"Bench returns {size}{tag}",
            "login": f"bench_returns_{size}{tag}",
            "email": f"bench_returns_{size}{tag}@example.com",
            "groups_id": [
                Command.set(
                    [
                        env.ref("aftersales_service.group_aftersales_manager").id,
                        env.ref("account.group_account_invoice").id,
                        env.ref("stock.group_stock_user").id,
                    ]
                )
            ],
        }
    )
    user_env = env(user=user, context={})  # the steps run as that user, tracking on
    return {"_order": order.with_env(user_env), "_invoice": invoice.with_env(user_env), "_env": user_env}


def measure(env, size, tag="", counts=None):
    """The addon's flow; with ``counts`` (a Counter), the steps' queries are also counted there
    by origin."""
    results = measure_setup(env, size, tag=tag)
    order, _invoice, env = results.pop("_order"), results.pop("_invoice"), results.pop("_env")
    cr = env.cr

    def step(name, func):
        env.flush_all()
        env.invalidate_all()
        with count_by_origin(counts):
            q0, t0 = cr.sql_log_count, time.perf_counter()
            res = func()
            env.flush_all()
            results[name] = (cr.sql_log_count - q0, (time.perf_counter() - t0) * 1000)
        return res

    ret = step(
        "create",
        lambda: env["aftersales.return"].create(
            {
                "sale_order_id": order.id,
                "line_ids": [
                    Command.create({"sale_line_id": sl.id, "qty_requested": 3}) for sl in order.order_line
                ],
            }
        ),
    )
    step("submit (return picking)", ret.action_submit)

    def receive():
        back = ret.picking_ids.filtered(lambda p: p.picking_type_code == "incoming")
        back.button_validate()

    step("receive (validate)", receive)
    action = step("credit note", ret.action_create_credit_note)
    credit_note = env[action["res_model"]].browse(action["res_id"])
    step("post", credit_note.action_post)
    assert ret.state == "done" or ret.state == "received", ret.state
    assert len(credit_note.invoice_line_ids) == size
    return results


def measure_core(env, size):
    """The floor: the same flow with Odoo's own wizards only (stock.return.picking for the goods,
    account.move.reversal for the credit note), same user, same method."""
    results = measure_setup(env, size, tag="-core")
    order, invoice, env = results.pop("_order"), results.pop("_invoice"), results.pop("_env")
    cr = env.cr

    def step(name, func):
        env.flush_all()
        env.invalidate_all()
        q0, t0 = cr.sql_log_count, time.perf_counter()
        res = func()
        env.flush_all()
        results[name] = (cr.sql_log_count - q0, (time.perf_counter() - t0) * 1000)
        return res

    def return_wizard():
        picking = order.picking_ids
        wizard = (
            env["stock.return.picking"]
            .with_context(active_id=picking.id, active_ids=picking.ids, active_model="stock.picking")
            .create({"picking_id": picking.id})
        )
        for line in wizard.product_return_moves:
            line.quantity = 3
        return env["stock.picking"].browse(wizard.action_create_returns()["res_id"])

    back = step("return wizard (Odoo)", return_wizard)

    def receive():
        back.button_validate()

    step("receive (validate)", receive)

    def reversal():
        wizard = (
            env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"reason": "return", "journal_id": invoice.journal_id.id})
        )
        return env["account.move"].browse(wizard.refund_moves()["res_id"])

    credit_note = step("credit note (Odoo reversal)", reversal)
    step("post", credit_note.action_post)
    return results


def _origin():
    """Who issued the query: the innermost frame of the addon, else the Odoo module whose code
    runs (the ORM's own frames are skipped: they work for whoever called them)."""
    frame = sys._getframe(2)
    while frame:
        path = frame.f_code.co_filename
        if "/aftersales_service/" in path and "/benchmarks/" not in path:
            return (
                "aftersales_service: " + path.split("/aftersales_service/")[-1] + " " + frame.f_code.co_name
            )
        if "/addons/" in path:
            return "Odoo " + path.split("/addons/")[-1].split("/")[0]
        frame = frame.f_back
    return "Odoo ORM / other"


@contextmanager
def count_by_origin(counts):
    """Count the queries run inside by origin into ``counts`` (nothing when it is None)."""
    if counts is None:
        yield
        return
    execute = Cursor.execute

    def counting(cursor, query, params=None, log_exceptions=True):
        counts[_origin()] += 1
        return execute(cursor, query, params, log_exceptions)

    with patch.object(Cursor, "execute", counting):
        yield


def print_by_origin(env, small, large):
    """The per-extra-line queries of the measured steps by who issues them (``--by-origin``)."""
    per_size = {}
    for size in (small, large):
        per_size[size] = collections.Counter()
        measure(env, size, tag="-origin", counts=per_size[size])
    print(f"\nqueries per extra line of the addon's flow by origin ({small} vs {large} lines)")
    keys = set(per_size[small]) | set(per_size[large])
    rows = sorted(((per_size[large][k] - per_size[small][k]) / (large - small), k) for k in keys)
    for slope, key in reversed(rows):
        if abs(slope) >= 0.05:
            print(f"{slope:>8.2f}  {key}")
    addon = sum(slope for slope, key in rows if key.startswith("aftersales_service"))
    print(f"{addon:>8.2f}  all of aftersales_service")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--sizes", default="5,50")
    parser.add_argument(
        "--by-origin", action="store_true", help="also attribute each extra line's queries to their code"
    )
    args = parser.parse_args()
    registry = open_registry(args.database)
    small, large = (int(s) for s in args.sizes.split(","))
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        try:
            res_small = measure(env, small)
            res_large = measure(env, large)
            core_small = measure_core(env, small)
            core_large = measure_core(env, large)
            if args.by_origin:
                print_by_origin(env, small, large)
        finally:
            cr.rollback()
    print(
        f"{'step':<26}{f'{small} lines q':>12}{f'{small} ms':>10}{f'{large} lines q':>13}{f'{large} ms':>10}"
        f"{'q/extra line':>14}"
    )
    total_small = total_large = 0
    for name in STEPS:
        (qs, ms), (ql, ml) = res_small[name], res_large[name]
        total_small += qs
        total_large += ql
        print(f"{name:<26}{qs:>12}{ms:>10.0f}{ql:>13}{ml:>10.0f}{(ql - qs) / (large - small):>14.1f}")
    print(
        f"{'whole flow':<26}{total_small:>12}{'':>10}{total_large:>13}{'':>10}"
        f"{(total_large - total_small) / (large - small):>14.1f}"
    )
    print("\nThe floor: Odoo's own wizards, same user, same method")
    total_small = total_large = 0
    for name in core_small:
        (qs, ms), (ql, ml) = core_small[name], core_large[name]
        total_small += qs
        total_large += ql
        print(f"{name:<30}{qs:>8}{ms:>10.0f}{ql:>13}{ml:>10.0f}{(ql - qs) / (large - small):>14.1f}")
    print(
        f"{'whole flow':<30}{total_small:>8}{'':>10}{total_large:>13}{'':>10}"
        f"{(total_large - total_small) / (large - small):>14.1f}"
    )


if __name__ == "__main__":
    main()
