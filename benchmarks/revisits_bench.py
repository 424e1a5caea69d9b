"""Revisit planning (V-1) at 10k, 100k and 1M customers (10 % key), side by side, batch after
batch as the cron calls it, against the time plain SQL needs to insert the same rows.

Usage: PYTHONPATH=$ODOO_SRC python benchmarks/revisits_bench.py -d <db with aftersales_service>
        [--sizes 10000,100000,1000000] [--batch 1000]

Method: the planning runs as a normal user (an After-Sales manager, tracking on: revisits are
mail threads and each planned revisit is an activity of its salesperson), one bounded batch per
call as ``ir.cron`` calls it, the ORM cache cleared between calls; "s/batch" is the median
batch (the first call of a pass also marks last month's missed revisits). The floor is one plain
``INSERT ... SELECT`` of the same revisit rows plus one of their activities (no ORM, no
tracking). Customers are inserted with SQL; everything happens in a transaction rolled back at
the end (a size's rows are gone before the next size starts). Rolled-back rows stay in the
tables as dead rows until vacuumed: run it on a vacuumed database (``VACUUM FULL ANALYZE`` of
res_partner, aftersales_revisit, mail_activity, mail_followers before a run), else every later
run measures a bloated one (about 1.5x slower batches, seen here).
"""

import argparse
import statistics
import time
from contextlib import contextmanager
from datetime import date
from unittest.mock import patch

from _bootstrap import manager_env, open_registry

from odoo.tools import SQL

TODAY = date(2026, 6, 3)


def make_customers(env, size, tag):
    env.cr.execute(
        SQL(
            """
            INSERT INTO res_partner (name, complete_name, active, type, is_company, service_class, user_id,
                                     customer_rank, create_uid, write_uid, create_date, write_date,
                                     autopost_bills)
            SELECT %(tag)s || g, %(tag)s || g, true, 'contact', true,
                   CASE WHEN mod(g, 10) = 0 THEN 'key' ELSE 'normal' END, %(uid)s, 1,
                   1, 1, now(), now(), 'ask'
              FROM generate_series(1, %(size)s) g
            """,
            tag=tag,
            uid=env.user.id,
            size=size,
        )
    )
    env.cr.execute("ANALYZE res_partner")


def sql_floor(env, size):
    """Seconds for PostgreSQL alone to insert the same revisits and their activities."""
    cr = env.cr
    cr.execute("SAVEPOINT floor")
    make_customers(env, size, f"Floor{size}-")
    model_id = env["ir.model"]._get_id("aftersales.revisit")
    call = env.ref("mail.mail_activity_data_call").id
    t0 = time.perf_counter()
    cr.execute(
        SQL(
            """
            WITH rows AS (
                INSERT INTO aftersales_revisit (name, company_id, partner_id, service_class, user_id,
                                                planned_date, slot, slot_end, channel, kind, state,
                                                create_uid, write_uid, create_date, write_date)
                SELECT p.name, %(company)s, p.id, p.service_class, p.user_id, %(day)s, s.slot, %(end)s,
                       'phone', 'periodic', 'planned', 1, 1, now(), now()
                  FROM res_partner p
                  JOIN LATERAL (SELECT '2026-06' AS slot WHERE p.service_class = 'normal'
                                UNION ALL SELECT '2026-06-1/2' WHERE p.service_class = 'key'
                                UNION ALL SELECT '2026-06-2/2' WHERE p.service_class = 'key') s ON true
                 WHERE p.name LIKE %(like)s
             RETURNING id, name, user_id, planned_date
            )
            INSERT INTO mail_activity (res_model_id, res_model, res_id, res_name, activity_type_id,
                                       summary, date_deadline, user_id, active, automated,
                                       create_uid, write_uid, create_date, write_date)
            SELECT %(model)s, 'aftersales.revisit', id, name, %(call)s, 'Revisit ' || name, planned_date,
                   user_id, true, false, 1, 1, now(), now()
              FROM rows
            """,
            company=env.company.id,
            day=TODAY,
            end=date(2026, 6, 30),
            like=f"Floor{size}-%",
            model=model_id,
            call=call,
        )
    )
    floor = time.perf_counter() - t0
    cr.execute("ROLLBACK TO SAVEPOINT floor")
    env.invalidate_all()
    return floor


@contextmanager
def cron_progress(env):
    """What the cron reports after each call (``ir.cron`` calls again while something remains)."""
    reported = []

    def notify(_cron, *, done, remaining, deactivate=False):  # noqa: ARG001 (ir.cron's signature)
        reported.append(remaining)

    with patch.object(type(env["ir.cron"]), "_notify_progress", notify):
        yield reported


def plan_until_done(env, batch, after_call=None):
    """Call the planning as ``ir.cron`` does: again while it reports remaining customers."""
    with cron_progress(env) as remaining:
        while True:
            env["aftersales.revisit"]._cron_plan_revisits(batch_size=batch, today=TODAY)
            if after_call:
                after_call()
            if not remaining[-1]:
                return


def measure(env, size, batch):
    cr = env.cr
    cr.execute("SAVEPOINT bench")
    sudo = env["res.partner"].sudo()
    sudo.search([("service_class", "in", ("normal", "key"))]).write({"service_class": "none"})
    make_customers(env, size, f"Bench{size}-")
    env.flush_all()
    env.invalidate_all()
    # the cron's calls: one bounded batch each (the cron commits between), until the pass ends
    per_batch = []
    mark = [cr.sql_log_count, time.perf_counter()]

    def after_call():
        env.flush_all()
        per_batch.append((cr.sql_log_count - mark[0], time.perf_counter() - mark[1]))
        env.invalidate_all()
        mark[:] = [cr.sql_log_count, time.perf_counter()]

    plan_until_done(env, batch, after_call)
    cr.execute(
        "SELECT count(*), count(DISTINCT (partner_id, slot)) FROM aftersales_revisit "
        "WHERE slot LIKE '2026-06%'"
    )
    rows, distinct = cr.fetchone()
    assert rows == distinct, "duplicate revisits"
    cr.execute(
        "SELECT count(*) FROM mail_activity "
        "WHERE res_model = 'aftersales.revisit' AND date_deadline >= '2026-06-01'"
    )
    activities = cr.fetchone()[0]
    # second pass: nothing left to plan
    q1, t1 = cr.sql_log_count, time.perf_counter()
    plan_until_done(env, batch, env.invalidate_all)
    env.flush_all()
    rerun = (cr.sql_log_count - q1, time.perf_counter() - t1)
    cr.execute("ROLLBACK TO SAVEPOINT bench")
    env.invalidate_all()
    return rows, activities, per_batch, rerun, sql_floor(env, size)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--batch", type=int, default=1000)
    args = parser.parse_args()
    registry = open_registry(args.database)
    results = []
    with registry.cursor() as cr:
        env, login = manager_env(cr)
        try:
            for size in (int(s) for s in args.sizes.split(",")):
                results.append((size, *measure(env, size, args.batch)))
                print(f"  {size} customers measured", flush=True)
        finally:
            cr.rollback()
    print(f"as user {login} (tracking on), batch {args.batch} customers, date {TODAY}")
    print(
        f"{'customers':>10}{'revisits':>10}{'activities':>11}{'batches':>8}{'q/batch min':>12}"
        f"{'q/batch max':>12}{'s/batch':>8}{'floor s/batch':>14}{'ratio':>6}{'total s':>8}{'rerun q':>8}"
    )
    for size, rows, activities, per_batch, (rq, _rs), floor in results:
        full = per_batch[:-1] or per_batch  # the last call ends the pass (a partial batch)
        seconds = sum(s for _q, s in per_batch)
        # the median batch: the first call of a pass also marks last month's missed revisits
        s_batch = statistics.median(s for _q, s in full)
        floor_batch = floor / len(full)
        print(
            f"{size:>10}{rows:>10}{activities:>11}{len(per_batch):>8}{min(q for q, _s in full):>12}"
            f"{max(q for q, _s in full):>12}{s_batch:>8.2f}{floor_batch:>14.3f}{s_batch / floor_batch:>6.1f}"
            f"{seconds:>8.1f}{rq:>8}"
        )


if __name__ == "__main__":
    main()
