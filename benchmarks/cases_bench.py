"""Escalation of late service cases (C-9) over 10k and 100k open cases, side by side.

Usage: PYTHONPATH=$ODOO_SRC python benchmarks/cases_bench.py -d <db with aftersales_service>
        [--db_host 127.0.0.1 --db_user odoo] [--sizes 10000,100000] [--breached 1000]

The escalation runs as a normal user (an After-Sales manager, tracking on), one bounded batch
per call, called until nothing is left as the cron does. Open cases are inserted with plain SQL
in a transaction that is rolled back at the end. Each size has the same number of breached
cases: the escalation reads the stored, indexed ``sla_deadline``, so its cost follows the
breached cases (queries per batch are bounded), not the open ones.
"""

import argparse
import time
from datetime import datetime, timedelta

from _bootstrap import manager_env, open_registry

from odoo.tools import SQL


def count_queries(cr):
    return cr.sql_log_count


def run(env, size, breached, batch):
    cr = env.cr
    company = env.company
    # the fixtures are made as the superuser (the measured calls run as the manager)
    partner = env["res.partner"].sudo().create({"name": "Bench Customer", "email": "bench@example.com"})
    team = env["aftersales.team"].create({"name": "Bench Team", "leader_id": env.user.id})
    now = datetime(2026, 6, 10, 12, 0)
    cr.execute(
        SQL(
            """
            INSERT INTO aftersales_case (name, subject, company_id, partner_id, commercial_partner_id,
                                         channel, category, priority, team_id, state, active, date_registered,
                                         sla_deadline, first_response_deadline, escalation_level,
                                         create_uid, write_uid, create_date, write_date)
            SELECT 'BENCH/' || g, 'Bench case ' || g, %(company)s, %(partner)s, %(partner)s, 'phone',
                   'technical', '0', %(team)s, 'new', true, %(now)s,
                   CASE WHEN g <= %(breached)s THEN %(past)s ELSE %(future)s END,
                   CASE WHEN g <= %(breached)s THEN %(past)s ELSE %(future)s END,
                   0, 1, 1, %(now)s, %(now)s
              FROM generate_series(1, %(size)s) g
            """,
            company=company.id,
            partner=partner.id,
            team=team.id,
            now=now,
            breached=breached,
            past=now - timedelta(hours=2),
            future=now + timedelta(days=3),
            size=size,
        )
    )
    cr.execute("ANALYZE aftersales_case")
    env.invalidate_all()
    Case = env["aftersales.case"]
    # the cron's calls: one bounded batch each, until nothing is left (the cron commits between)
    q0, t0 = count_queries(cr), time.perf_counter()
    escalated = batches = 0
    while done := Case._cron_escalate(batch_size=batch, now=now):
        escalated += done
        batches += 1
        env.flush_all()
        env.invalidate_all()
    first = (count_queries(cr) - q0, time.perf_counter() - t0, batches)
    q0, t0 = count_queries(cr), time.perf_counter()
    again = Case._cron_escalate(batch_size=batch, now=now)
    env.flush_all()
    second = (count_queries(cr) - q0, time.perf_counter() - t0)
    return escalated, first, again, second


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--breached", type=int, default=3000)
    parser.add_argument("--batch", type=int, default=1000)
    args = parser.parse_args()
    registry = open_registry(args.database)
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        with registry.cursor() as cr:
            env, login = manager_env(cr)
            escalated, first, again, second = run(env, size, args.breached, args.batch)
            rows.append((size, escalated, first, again, second))
            cr.rollback()
    print(f"as user {login} (tracking on), batch {args.batch}")
    print(
        f"{'open cases':>10} {'escalated':>9} {'queries':>8} {'q/batch':>8} {'seconds':>8} "
        f"{'rerun esc.':>10} {'rerun q':>8} {'rerun s':>8}"
    )
    for size, escalated, (q1, s1, batches), again, (q2, s2) in rows:
        batches = max(1, batches)
        print(
            f"{size:>10} {escalated:>9} {q1:>8} {q1 / batches:>8.1f} {s1:>8.2f} "
            f"{again:>10} {q2:>8} {s2:>8.3f}"
        )


if __name__ == "__main__":
    main()
