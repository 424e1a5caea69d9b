"""Mandatory maintenance planning (F-6) for 10k and 100k sold units, side by side: the cron's
batches until nothing is left, queries and seconds per batch (constant), and a re-run that plans
nothing.

Usage: PYTHONPATH=$ODOO_SRC python benchmarks/maintenance_bench.py -d <db with aftersales_service>
        [--sizes 10000,100000] [--batch 2000]

Method: the warranties of the sold units (a product flagged for mandatory maintenance, a 1-year
warranty: five steps each) are inserted with SQL; the planning runs as an After-Sales manager (a
normal user, tracking on), batch after batch as the cron calls it. Everything happens in a
transaction that is rolled back.
"""

import argparse
import time
from datetime import date, timedelta

from _bootstrap import manager_env, open_registry

from odoo.tools import SQL


def make_units(env, size, product, policy, partner):
    env.cr.execute(
        SQL(
            """
            INSERT INTO aftersales_warranty (name, company_id, partner_id, commercial_partner_id, product_id,
                                             policy_id, quantity, start_date, end_date, state,
                                             create_uid, write_uid, create_date, write_date)
            SELECT 'BENCH/' || g, %(company)s, %(partner)s, %(partner)s, %(product)s, %(policy)s, 1,
                   %(start)s, %(end)s, 'active', 1, 1, now(), now()
              FROM generate_series(1, %(size)s) g
            """,
            company=env.company.id,
            partner=partner.id,
            product=product.id,
            policy=policy.id,
            size=size,
            # the units start their warranty in a month: every step is planned, none due yet
            start=date.today() + timedelta(days=30),
            end=date.today() + timedelta(days=395),
        )
    )
    env.cr.execute("ANALYZE aftersales_warranty")


def measure(env, size, batch):
    cr = env.cr
    cr.execute("SAVEPOINT bench")
    su = env(su=True)
    product = su["product.product"].create(
        {"name": f"Bench unit {size}", "type": "consu", "aftersales_maintenance_required": True}
    )
    policy = su["aftersales.warranty.policy"].create({"name": f"Bench 12 months {size}", "duration": 12})
    partner = su["res.partner"].create({"name": f"Bench owner {size}"})
    make_units(env, size, product, policy, partner)
    env.flush_all()
    env.invalidate_all()
    Maintenance = env["aftersales.maintenance"].with_context(tz="UTC")
    per_batch, batches = [], 0
    t_all = time.perf_counter()
    while True:
        q0, t0 = cr.sql_log_count, time.perf_counter()
        planned, _scheduled = Maintenance._cron_plan_maintenance(batch_size=batch)
        env.flush_all()
        env.invalidate_all()  # the cron commits and starts afresh between batches
        if not planned:
            break
        batches += 1
        per_batch.append((cr.sql_log_count - q0, time.perf_counter() - t0))
    total = time.perf_counter() - t_all
    cr.execute(
        "SELECT count(*) FROM aftersales_maintenance m JOIN aftersales_warranty w ON w.id = m.warranty_id "
        "WHERE w.name LIKE 'BENCH/%%'"
    )
    rows = cr.fetchone()[0]
    q1, t1 = cr.sql_log_count, time.perf_counter()
    Maintenance._cron_plan_maintenance(batch_size=batch)
    env.flush_all()
    rerun = (cr.sql_log_count - q1, time.perf_counter() - t1)
    cr.execute("ROLLBACK TO SAVEPOINT bench")
    env.invalidate_all()
    queries = [q for q, _s in per_batch]
    seconds = [s for _q, s in per_batch]
    return rows, batches, min(queries), max(queries), sum(seconds) / len(seconds), total, rerun


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--batch", type=int, default=2000)
    args = parser.parse_args()
    registry = open_registry(args.database)
    results = []
    with registry.cursor() as cr:
        env, login = manager_env(cr)
        try:
            for size in (int(s) for s in args.sizes.split(",")):
                results.append((size, *measure(env, size, args.batch)))
        finally:
            cr.rollback()
    print(f"as user {login} (tracking on), batch {args.batch}, date {date.today()}")
    print(
        f"{'units':>8}{'rows':>9}{'batches':>8}{'q/batch min':>12}{'q/batch max':>12}{'s/batch':>9}"
        f"{'total s':>9}{'rerun q':>9}{'rerun s':>9}"
    )
    for size, rows, batches, qmin, qmax, s_batch, total, (rq, rs) in results:
        print(
            f"{size:>8}{rows:>9}{batches:>8}{qmin:>12}{qmax:>12}{s_batch:>9.2f}{total:>9.1f}{rq:>9}{rs:>9.2f}"
        )


if __name__ == "__main__":
    main()
