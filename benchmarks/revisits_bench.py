"""Revisit planning (V-1) for 10k and 100k classed customers (10 % key), side by side, with the
time plain SQL needs to insert the same revisit rows as the floor.

Usage: PYTHONPATH=$ODOO_SRC python benchmarks/revisits_bench.py -d <db with aftersales_service>
        [--sizes 10000,100000] [--batch 1000]

Customers are inserted with SQL in a transaction rolled back at the end.
"""

import argparse
import time
from datetime import date

from _bootstrap import open_registry

import odoo
from odoo.tools import SQL


def make_customers(env, size, tag):
    env.cr.execute(
        SQL(
            """
            INSERT INTO res_partner (name, complete_name, active, type, is_company, service_class, user_id,
                                     create_uid, write_uid, create_date, write_date, autopost_bills)
            SELECT %(tag)s || g, %(tag)s || g, true, 'contact', true,
                   CASE WHEN mod(g, 10) = 0 THEN 'key' ELSE 'normal' END, %(uid)s, 1, 1, now(), now(), 'ask'
              FROM generate_series(1, %(size)s) g
            """,
            tag=tag,
            uid=env.user.id,
            size=size,
        )
    )
    env.cr.execute("ANALYZE res_partner")


def measure(env, size, batch):
    cr = env.cr
    cr.execute("SAVEPOINT bench")
    env["res.partner"].search([("service_class", "in", ("normal", "key"))]).write({"service_class": "none"})
    make_customers(env, size, f"Bench{size}-")
    env.flush_all()
    today = date(2026, 6, 3)
    # the cron's calls: one bounded batch each (the cron commits between), until the pass ends
    q0, t0 = cr.sql_log_count, time.perf_counter()
    while env["aftersales.revisit"]._cron_plan_revisits(batch_size=batch, today=today) == batch:
        env.flush_all()
        env.invalidate_all()
    env.flush_all()
    queries, seconds = cr.sql_log_count - q0, time.perf_counter() - t0
    cr.execute("SELECT count(*) FROM aftersales_revisit WHERE slot LIKE '2026-06%'")
    rows = cr.fetchone()[0]
    # second run: nothing to plan
    q1, t1 = cr.sql_log_count, time.perf_counter()
    while env["aftersales.revisit"]._cron_plan_revisits(batch_size=batch, today=today) == batch:
        env.invalidate_all()
    env.flush_all()
    rerun = (cr.sql_log_count - q1, time.perf_counter() - t1)
    cr.execute("ROLLBACK TO SAVEPOINT bench")
    env.invalidate_all()
    # floor: the same rows with one plain INSERT ... SELECT (no activities, no ORM)
    cr.execute("SAVEPOINT floor")
    make_customers(env, size, f"Floor{size}-")
    t2 = time.perf_counter()
    cr.execute(
        SQL(
            """
            INSERT INTO aftersales_revisit (name, company_id, partner_id, service_class, user_id,
                                            planned_date, slot, slot_end, channel, kind, state,
                                            create_uid, write_uid, create_date, write_date)
            SELECT p.name, %(company)s, p.id, p.service_class, p.user_id, %(day)s, s.slot, %(end)s, 'phone',
                   'periodic', 'planned', 1, 1, now(), now()
              FROM res_partner p
              JOIN LATERAL (SELECT '2026-06' AS slot WHERE p.service_class = 'normal'
                            UNION ALL SELECT '2026-06-1/2' WHERE p.service_class = 'key'
                            UNION ALL SELECT '2026-06-2/2' WHERE p.service_class = 'key') s ON true
             WHERE p.name LIKE %(like)s
            """,
            company=env.company.id,
            day=today,
            end=date(2026, 6, 30),
            like=f"Floor{size}-%",
        )
    )
    floor = time.perf_counter() - t2
    cr.execute("ROLLBACK TO SAVEPOINT floor")
    env.invalidate_all()
    batches = -(-size // batch)
    return rows, queries, queries / batches, seconds, rerun, floor


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--batch", type=int, default=1000)
    args = parser.parse_args()
    registry = open_registry(args.database)
    rows = []
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True})
        try:
            for size in (int(s) for s in args.sizes.split(",")):
                rows.append((size, *measure(env, size, args.batch)))
        finally:
            cr.rollback()
    print(
        f"{'customers':>10}{'revisits':>10}{'queries':>10}{'q/batch':>9}{'seconds':>9}"
        f"{'rerun q':>9}{'rerun s':>9}{'SQL floor s':>12}"
    )
    for size, count, queries, per_batch, seconds, (rq, rs), floor in rows:
        print(
            f"{size:>10}{count:>10}{queries:>10}{per_batch:>9.1f}{seconds:>9.1f}{rq:>9}{rs:>9.1f}{floor:>12.2f}"
        )


if __name__ == "__main__":
    main()
