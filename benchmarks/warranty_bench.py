#!/usr/bin/env python3
"""Warranty creation on delivery: queries and time for 50 vs 500 lines / serials (W-2).

    $V/python benchmarks/warranty_bench.py -d <db with aftersales_service installed>

Builds, in one cursor that is rolled back at the end, a sale order of N untracked products
(N lines) and one of N serials of a tracked product, validates their deliveries and reports,
for each size: the queries and time of the whole validation, and of the warranty creation
alone (``aftersales.warranty._create_from_moves``). Nothing is committed.
"""

import argparse
import os
import sys
import time

ODOO_SRC = os.environ.get("ODOO_SRC", "/opt/odoo/18.0")
PROJECT_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ODOO_SRC not in sys.path:
    sys.path.insert(0, ODOO_SRC)

import odoo  # noqa: E402
from odoo import Command, api  # noqa: E402


class Meter:
    """Counts queries (the cursor's own counter) and wall time."""

    def __init__(self, cr):
        self.cr = cr

    def __enter__(self):
        self.queries = self.cr.sql_log_count
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.queries = self.cr.sql_log_count - self.queries
        self.seconds = time.perf_counter() - self.start


def build(env, size, tracked, tag):
    company = env.company
    warehouse = env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1)
    policy = env["aftersales.warranty.policy"].create({"name": f"Bench {tag}", "duration": 12})
    categ = env["product.category"].create(
        {"name": f"Bench {tag}", "aftersales_warranty_policy_id": policy.id}
    )
    customer = env["res.partner"].create({"name": f"Bench customer {tag}"})
    common = {"type": "consu", "is_storable": True, "categ_id": categ.id, "list_price": 10.0}
    Quant = env["stock.quant"]
    if tracked:
        product = env["product.product"].create(dict(common, name=f"Bench camera {tag}", tracking="serial"))
        lots = env["stock.lot"].create(
            [{"name": f"BENCH-{tag}-{i:05d}", "product_id": product.id} for i in range(size)]
        )
        for lot in lots:
            Quant._update_available_quantity(product, warehouse.lot_stock_id, 1.0, lot_id=lot)
        lines = [Command.create({"product_id": product.id, "product_uom_qty": size})]
    else:
        products = env["product.product"].create(
            [dict(common, name=f"Bench part {tag} {i}") for i in range(size)]
        )
        for product in products:
            Quant._update_available_quantity(product, warehouse.lot_stock_id, 10.0)
        lines = [Command.create({"product_id": p.id, "product_uom_qty": 2}) for p in products]
    order = env["sale.order"].create({"partner_id": customer.id, "order_line": lines})
    order.action_confirm()
    picking = order.picking_ids
    picking.action_assign()
    for move in picking.move_ids:
        if not tracked:
            move.quantity = move.product_uom_qty
        move.picked = True
    env.flush_all()
    return order, picking


def measure(env, size, tracked):
    tag = f"{'sn' if tracked else 'ln'}{size}"
    order, picking = build(env, size, tracked, tag)
    Warranty = env.registry["aftersales.warranty"]
    original = Warranty._create_from_moves
    inner = {}

    def metered(self, moves):
        self.env.flush_all()  # Odoo's own pending stock writes are not the warranties' cost
        with Meter(self.env.cr) as meter:
            res = original(self, moves)
            self.env.flush_all()
        inner.update(queries=meter.queries, seconds=meter.seconds)
        return res

    Warranty._create_from_moves = metered
    try:
        with Meter(env.cr) as total:
            picking.button_validate()
            env.flush_all()
    finally:
        Warranty._create_from_moves = original
    count = env["aftersales.warranty"].search_count([("sale_order_id", "=", order.id)])
    return {
        "case": f"{size} {'serials' if tracked else 'lines'}",
        "warranties": count,
        "validate_q": total.queries,
        "validate_s": total.seconds,
        "warranty_q": inner["queries"],
        "warranty_s": inner["seconds"],
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--sizes", default="50,500")
    args = parser.parse_args()
    odoo.tools.config.parse_config(
        [
            "-d",
            args.database,
            f"--addons-path={ODOO_SRC}/addons,{ODOO_SRC}/odoo/addons,{PROJECT_DIR}",
            f"--db_host={os.environ.get('PGHOST', '127.0.0.1')}",
            f"--db_user={os.environ.get('PGUSER', 'odoo')}",
            "--log-level=warn",
        ]
    )
    registry = odoo.modules.registry.Registry(args.database)
    sizes = [int(s) for s in args.sizes.split(",")]
    rows = []
    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True})
        try:
            for tracked in (False, True):
                for size in sizes:
                    rows.append(measure(env, size, tracked))
        finally:
            cr.rollback()
    header = f"{'case':<14}{'warranties':>11}" + "".join(
        f"{title:>12}" for title in ("validate q", "validate s", "warranty q", "warranty s")
    )
    print(header)
    print("-" * len(header))
    for r in rows:
        print(
            f"{r['case']:<14}{r['warranties']:>11}{r['validate_q']:>12}{r['validate_s']:>12.2f}"
            f"{r['warranty_q']:>12}{r['warranty_s']:>12.2f}"
        )


if __name__ == "__main__":
    main()
