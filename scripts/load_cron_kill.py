"""A cron worker killed with SIGKILL in the middle of a batch loses nothing and duplicates
nothing when the cron runs again (issue 23 item 7). Run by scripts/load.sh against the server it
started (``odoo-bin --workers 2 --max-cron-threads 2``), after the load test.

For each scenario (a batched cron of the addon that creates records): a backlog of several
batches is inserted in SQL (clones of existing rows), every other cron is pushed a year ahead,
the cron is made due and the cron workers woken (NOTIFY cron_trigger). Its progress rows
(``ir_cron_progress``: one per batch, committed before the batch, written done/remaining with
the batch's commit) tell when a batch is in flight; halfway through the next batch the cron
worker process that runs the job (the pid in the log line "Job ... starting", a child of the
server, whose PostgreSQL connection is ``odoo-<pid>``) gets SIGKILL. The server forks a new
cron worker, which runs the job again to the end. Then SQL checks: no duplicate record, every
item of the backlog processed, and the killed batch really was lost (its progress row never
completed, so the kill was mid-batch). Exit status 1 when a check fails.

Only loopback/local PostgreSQL and the server's own child processes are touched; every loop
has a time limit.
"""

import argparse
import os
import re
import signal
import sys
import time

import psycopg2

TAG = f"KILL{int(time.time())}"


class Db:
    def __init__(self, dbname):
        self.cnx = psycopg2.connect(dbname=dbname)
        self.cnx.autocommit = True

    def all(self, query, params=()):
        with self.cnx.cursor() as cr:
            cr.execute(query, params)
            return cr.fetchall() if cr.description else []

    def one(self, query, params=()):
        rows = self.all(query, params)
        return rows[0] if rows else None

    def value(self, query, params=()):
        row = self.one(query, params)
        return row[0] if row else None

    def clone(self, table, source_id, count, overrides):
        """``count`` copies of row ``source_id`` of ``table``, the columns of ``overrides`` set
        by SQL expressions (``g``: 1..count, ``src``: the source row). Returns the new ids."""
        columns = [
            row[0]
            for row in self.all(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' "
                "AND table_name = %s AND column_name <> 'id' ORDER BY ordinal_position",
                [table],
            )
        ]
        unknown = set(overrides) - set(columns)
        if unknown:
            raise SystemExit(f"{table} has no column {', '.join(sorted(unknown))}")
        select = ", ".join(overrides.get(c, f'src."{c}"') for c in columns)
        return [
            row[0]
            for row in self.all(
                f'INSERT INTO "{table}" ({", ".join(f"{chr(34)}{c}{chr(34)}" for c in columns)}) '
                f'SELECT {select} FROM "{table}" src, generate_series(1, %s) g WHERE src.id = %s '
                "ORDER BY g RETURNING id",
                [count, source_id],
            )
        ]


# ---------------------------------------------------------------- scenarios
# each: cron xmlid, method (the server action code gets batch_size), default batch size,
# setup(db, items) -> context (backlog ids), checks(db, ctx) -> {name: (ok, detail)},
# done_rows(db, ctx) -> rows of work committed (the "rows done" counter).


def revisit_setup(db, items):
    source = db.value(
        "SELECT id FROM res_partner WHERE parent_id IS NULL AND active AND is_company "
        "ORDER BY customer_rank DESC, id LIMIT 1"
    )
    ids = db.clone(
        "res_partner",
        source,
        items,
        {
            "name": f"'{TAG} key customer ' || g",
            "complete_name": f"'{TAG} key customer ' || g",
            "email": f"'{TAG.lower()}-' || g || '@kill.example.com'",
            "ref": "NULL",
            "vat": "NULL",
            "barcode": "NULL",
            "parent_id": "NULL",
            "service_class": "'key'",
            "create_date": "now() at time zone 'UTC'",
            "write_date": "now() at time zone 'UTC'",
        },
    )
    db.all("UPDATE res_partner SET commercial_partner_id = id WHERE id = ANY(%s)", [ids])
    return {"partners": ids}


def revisit_done(db, ctx):
    return db.value(
        "SELECT count(*) FROM aftersales_revisit WHERE partner_id = ANY(%s) AND kind = 'periodic'",
        [ctx["partners"]],
    )


def revisit_checks(db, ctx):
    month = time.strftime("%Y-%m")
    per_partner = db.all(
        "SELECT p.id, count(r.id) FROM unnest(%s::int[]) p(id) LEFT JOIN aftersales_revisit r "
        "ON r.partner_id = p.id AND r.kind = 'periodic' AND r.slot LIKE %s GROUP BY p.id",
        [ctx["partners"], month + "%"],
    )
    counts = [c for _p, c in per_partner]
    expected = max(counts)
    short = sum(1 for c in counts if c < expected)
    dup_slots = db.value(
        "SELECT count(*) - count(DISTINCT (partner_id, slot, kind)) FROM aftersales_revisit "
        "WHERE partner_id = ANY(%s)",
        [ctx["partners"]],
    )
    activities = db.all(
        "SELECT count(a.id) FROM aftersales_revisit r LEFT JOIN mail_activity a "
        "ON a.res_model = 'aftersales.revisit' AND a.res_id = r.id "
        "WHERE r.partner_id = ANY(%s) AND r.kind = 'periodic' GROUP BY r.id",
        [ctx["partners"]],
    )
    return {
        "no duplicate revisit (partner, slot)": (dup_slots == 0, f"{dup_slots} duplicates"),
        "no revisit with two activities": (
            not any(c > 1 for (c,) in activities),
            f"{sum(1 for (c,) in activities if c > 1)} revisits with >1 activity",
        ),
        "every key customer of the backlog planned": (
            expected > 0 and short == 0,
            f"{len(counts)} customers, {expected} revisits each expected, {short} short",
        ),
        "every revisit has its activity": (
            not any(c == 0 for (c,) in activities),
            f"{sum(1 for (c,) in activities if c == 0)} revisits without activity",
        ),
    }


def escalate_setup(db, items):
    # each case is escalated twice (level 1, then level 2: still late escalation_hours later)
    source = db.value(
        "SELECT c.id FROM aftersales_case c JOIN aftersales_team t ON t.id = c.team_id "
        "WHERE t.leader_id IS NOT NULL AND c.active AND c.state IN ('new', 'assigned', 'in_progress') "
        "ORDER BY c.id LIMIT 1"
    )
    if not source:
        raise SystemExit("no open case with a team leader to clone")
    ids = db.clone(
        "aftersales_case",
        source,
        max(items // 2, 1),
        {
            "name": f"'{TAG}-' || g",
            "subject": f"'{TAG} late case ' || g",
            "access_token": "NULL",
            "sla_deadline": "(now() at time zone 'UTC') - interval '2 days'",
            "escalated_deadline": "NULL",
            "escalation_level": "0",
            "create_date": "now() at time zone 'UTC'",
            "write_date": "now() at time zone 'UTC'",
        },
    )
    return {"cases": ids}


def escalate_done(db, ctx):
    return db.value(
        "SELECT count(*) FROM mail_activity WHERE res_model = 'aftersales.case' AND res_id = ANY(%s) "
        "AND summary LIKE '%%is late (level%%'",
        [ctx["cases"]],
    )


def escalate_checks(db, ctx):
    cases = ctx["cases"]
    dup = db.value(
        "SELECT count(*) FROM (SELECT res_id, summary FROM mail_activity WHERE res_model = 'aftersales.case' "
        "AND res_id = ANY(%s) AND summary LIKE '%%is late (level%%' GROUP BY 1, 2 HAVING count(*) > 1) x",
        [cases],
    )
    dup_mail = db.value(
        "SELECT count(*) FROM (SELECT res_id FROM mail_mail m JOIN mail_message mm ON mm.id = m.mail_message_id "
        "WHERE mm.model = 'aftersales.case' AND mm.res_id = ANY(%s) GROUP BY 1 HAVING count(*) > 2) x",
        [cases],
    )
    not_escalated = db.value(
        "SELECT count(*) FROM aftersales_case WHERE id = ANY(%s) AND (COALESCE(escalation_level, 0) <> 2 "
        "OR escalated_deadline IS DISTINCT FROM sla_deadline)",
        [cases],
    )
    levels = db.all(
        "SELECT c.id, count(a.id) FILTER (WHERE a.summary LIKE '%%(level 1)'), "
        "count(a.id) FILTER (WHERE a.summary LIKE '%%(level 2)') FROM unnest(%s::int[]) c(id) "
        "LEFT JOIN mail_activity a ON a.res_model = 'aftersales.case' AND a.res_id = c.id GROUP BY c.id",
        [cases],
    )
    missing = sum(1 for _c, l1, l2 in levels if not l1 or not l2)
    return {
        "no duplicate escalation activity (case, level)": (dup == 0, f"{dup} duplicates"),
        "no case mailed more than once per level": (dup_mail == 0, f"{dup_mail} cases with >2 mails"),
        "every late case escalated to level 2": (not_escalated == 0, f"{not_escalated} of {len(cases)} not"),
        "every late case has its level 1 and 2 activities": (missing == 0, f"{missing} missing"),
    }


def warranty_setup(db, items):
    source = db.value("SELECT id FROM aftersales_warranty WHERE state = 'active' ORDER BY id LIMIT 1")
    days = db.value(
        "SELECT co.aftersales_warranty_reminder_days FROM aftersales_warranty w "
        "JOIN res_company co ON co.id = w.company_id WHERE w.id = %s",
        [source],
    )
    if not source or not days:
        raise SystemExit("no active warranty (of a company with expiry reminders) to clone")
    # odd: past its end date (to expire); even: ends inside the reminder window (to remind)
    ids = db.clone(
        "aftersales_warranty",
        source,
        items,
        {
            "name": f"'{TAG} warranty ' || g",
            "state": "'active'",
            "expiry_reminder_sent": "false",
            "end_date": f"CASE WHEN mod(g, 2) = 1 THEN current_date - 3 ELSE current_date + {max(days // 2, 1)} END",
            "create_date": "now() at time zone 'UTC'",
            "write_date": "now() at time zone 'UTC'",
        },
    )
    return {"warranties": ids, "to_expire": ids[0::2], "to_remind": ids[1::2]}


def warranty_done(db, ctx):
    return db.value(
        "SELECT count(*) FROM aftersales_warranty WHERE id = ANY(%s) AND (state = 'expired' OR expiry_reminder_sent)",
        [ctx["warranties"]],
    )


def warranty_checks(db, ctx):
    dup = db.value(
        "SELECT count(*) FROM (SELECT res_id FROM mail_activity WHERE res_model = 'aftersales.warranty' "
        "AND res_id = ANY(%s) AND summary LIKE 'Warranty expires on%%' GROUP BY 1 HAVING count(*) > 1) x",
        [ctx["warranties"]],
    )
    not_expired = db.value(
        "SELECT count(*) FROM aftersales_warranty WHERE id = ANY(%s) AND state <> 'expired'", [ctx["to_expire"]]
    )
    not_reminded = db.value(
        "SELECT count(*) FROM aftersales_warranty w WHERE w.id = ANY(%s) AND (NOT w.expiry_reminder_sent "
        "OR NOT EXISTS (SELECT 1 FROM mail_activity a WHERE a.res_model = 'aftersales.warranty' "
        "AND a.res_id = w.id AND a.summary LIKE 'Warranty expires on%%'))",
        [ctx["to_remind"]],
    )
    return {
        "no warranty reminded twice": (dup == 0, f"{dup} warranties with >1 reminder"),
        "every warranty past its end expired": (not_expired == 0, f"{not_expired} of {len(ctx['to_expire'])} not"),
        "every warranty near its end reminded once": (
            not_reminded == 0,
            f"{not_reminded} of {len(ctx['to_remind'])} not",
        ),
    }


SCENARIOS = {
    "revisit": ("aftersales_service.ir_cron_aftersales_revisit_plan", "_cron_plan_revisits", 1000,
                revisit_setup, revisit_done, revisit_checks),
    "escalate": ("aftersales_service.ir_cron_aftersales_case_escalate", "_cron_escalate", 200,
                 escalate_setup, escalate_done, escalate_checks),
    "warranty": ("aftersales_service.ir_cron_aftersales_warranty_states", "_cron_update_warranty_states", 500,
                 warranty_setup, warranty_done, warranty_checks),
}


# ---------------------------------------------------------------- processes and crons
def children(pid):
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    stat = f.read()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(entry))
    return out


def cron_locked(db, cron_id):
    """Whether a cron worker holds the cron's row (it is running it)."""
    with db.cnx.cursor() as cr:
        cr.execute("BEGIN")
        cr.execute("SELECT id FROM ir_cron WHERE id = %s FOR UPDATE SKIP LOCKED", [cron_id])
        free = cr.fetchone()
        cr.execute("ROLLBACK")
    return not free


def wake(pg):
    pg.all("SELECT pg_notify('cron_trigger', %s)", [pg.dbname])


def quiet_crons(db, timeout):
    """Every cron a year ahead (none competes with the scenario), once no cron is running."""
    end = time.time() + timeout
    while time.time() < end:
        total = db.value("SELECT count(*) FROM ir_cron")
        with db.cnx.cursor() as cr:
            cr.execute("BEGIN")
            cr.execute("SELECT id FROM ir_cron FOR UPDATE SKIP LOCKED")
            free = len(cr.fetchall())
            if free == total:
                cr.execute("UPDATE ir_cron SET nextcall = (now() at time zone 'UTC') + interval '1 year'")
                cr.execute("DELETE FROM ir_cron_trigger")
                cr.execute("COMMIT")
                return
            cr.execute("ROLLBACK")
        time.sleep(0.5)
    raise SystemExit("a cron kept running: cannot start the kill phase")


def log_pid(log, offset, name, cron_id):
    with open(log, encoding="utf-8", errors="replace") as f:
        f.seek(offset)
        text = f.read()
    pids = re.findall(
        rf"^\S+ \S+ (\d+) INFO \S+ odoo\.addons\.base\.models\.ir_cron: Job '{re.escape(name)}' \({cron_id}\) starting",
        text,
        flags=re.M,
    )
    return int(pids[-1]) if pids else None


def run_scenario(key, args, db, pg):
    xmlid, method, default_batch, setup, done_rows, checks = SCENARIOS[key]
    batch = int(os.environ.get(f"KILL_BATCH_{key.upper()}", default_batch))
    items = batch * args.batches
    module, name = xmlid.split(".")
    cron_id, cron_name, action_id = db.one(
        "SELECT c.id, c.cron_name, c.ir_actions_server_id FROM ir_model_data d JOIN ir_cron c ON c.id = d.res_id "
        "WHERE d.module = %s AND d.name = %s",
        [module, name],
    )
    cron_name = cron_name if isinstance(cron_name, str) else db.value(
        "SELECT name->>'en_US' FROM ir_act_server WHERE id = %s", [action_id]
    )
    print(f"--- {key}: cron {xmlid} ({method}, batch {batch}), backlog {items} items of work")
    t0 = time.time()
    ctx = setup(db, items)
    db.all("UPDATE ir_act_server SET code = %s WHERE id = %s", [f"model.{method}(batch_size={batch})", action_id])
    before = done_rows(db, ctx)
    last_progress = db.value("SELECT coalesce(max(id), 0) FROM ir_cron_progress") or 0
    with open(args.log, "rb") as f:
        log_offset = f.seek(0, 2)
    db.all("UPDATE ir_cron SET nextcall = (now() at time zone 'UTC') - interval '1 minute' WHERE id = %s", [cron_id])
    wake(pg)
    deadline = time.time() + args.timeout
    results = {}

    # ---- wait for batch N+1 to be halfway (N = --after-batches committed)
    killed = None
    while time.time() < deadline:
        rows = db.all(
            "SELECT id, done, remaining, extract(epoch FROM (now() at time zone 'UTC') - create_date), "
            "extract(epoch FROM create_date) FROM ir_cron_progress WHERE cron_id = %s AND id > %s ORDER BY id",
            [cron_id, last_progress],
        )
        committed = [r for r in rows if r[1] or r[2]]
        if rows and not rows[-1][1] and not rows[-1][2] and len(committed) >= args.after_batches and len(rows) >= 2:
            first_batch = float(rows[1][4] - rows[0][4]) or 0.2
            if float(rows[-1][3]) >= first_batch / 2:
                pid = log_pid(args.log, log_offset, cron_name, cron_id)
                backends = db.all(
                    "SELECT pid, state, xact_start, left(regexp_replace(query, '\\s+', ' ', 'g'), 80) "
                    "FROM pg_stat_activity WHERE application_name = %s AND datname = current_database()",
                    [f"odoo-{pid}"],
                )
                if not pid or pid not in children(args.server_pid) or not backends:
                    raise SystemExit(f"cannot identify the cron worker (log pid {pid}, backends {backends})")
                done_committed = sum(r[1] for r in committed)
                rows_at_kill = done_rows(db, ctx)
                os.kill(pid, signal.SIGKILL)
                killed = {
                    "pid": pid,
                    "batch": len(rows),
                    "in_batch_s": float(rows[-1][3]),
                    "first_batch_s": first_batch,
                    "progress_id": rows[-1][0],
                    "done_committed": done_committed,
                    "rows_at_kill": rows_at_kill,
                    "backends": backends,
                }
                break
        elif rows and (rows[-1][1] or rows[-1][2]) and not rows[-1][2] and not cron_locked(db, cron_id):
            break  # finished before the kill point: backlog too small for this machine
        time.sleep(0.05)
    if not killed:
        print(f"FAIL  {key}: the cron was not caught mid-batch (finished or timed out); raise KILL_BATCHES")
        return False
    print(
        f"killed cron worker pid {killed['pid']} (SIGKILL) {killed['in_batch_s']:.2f}s into batch "
        f"{killed['batch']} (first batch took {killed['first_batch_s']:.2f}s); committed before: "
        f"{killed['done_committed']} items in {killed['batch'] - 1} batches, rows done at kill: "
        f"{killed['rows_at_kill']} (of {before} before the run)"
    )
    for backend in killed["backends"]:
        print(f"  its PostgreSQL backend {backend[0]}: {backend[1]}, transaction since {backend[2]}: {backend[3]}")

    # ---- the killed worker's transactions end (PostgreSQL sees the connection closed)
    end = time.time() + 20
    while time.time() < end and db.value(
        "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", [f"odoo-{killed['pid']}"]
    ):
        time.sleep(0.2)
    for (backend,) in db.all(
        "SELECT pid FROM pg_stat_activity WHERE application_name = %s", [f"odoo-{killed['pid']}"]
    ):
        db.all("SELECT pg_terminate_backend(%s)", [backend])
    after_kill = done_rows(db, ctx)
    lost_batch = db.one("SELECT done, remaining FROM ir_cron_progress WHERE id = %s", [killed["progress_id"]])
    print(f"after the kill: rows done {after_kill} (the killed batch rolled back: its progress {lost_batch})")
    results["killed mid-batch (its batch never committed)"] = (
        lost_batch == (0, 0) and after_kill == killed["rows_at_kill"],
        f"progress {lost_batch}, rows {killed['rows_at_kill']} -> {after_kill}",
    )

    # ---- the cron runs again (a new cron worker forked by the server) to the end
    last_wake = 0
    while time.time() < deadline:
        if not children(args.server_pid):
            raise SystemExit("the server died")
        locked = cron_locked(db, cron_id)
        due = db.value(
            "SELECT nextcall <= (now() at time zone 'UTC') FROM ir_cron WHERE id = %s", [cron_id]
        )
        if not locked and not due:
            break
        if not locked and due and time.time() - last_wake > 2:
            wake(pg)
            last_wake = time.time()
        time.sleep(0.2)
    else:
        print(f"FAIL  {key}: the cron did not finish again within {args.timeout}s")
        return False
    rerun = db.all(
        "SELECT done, remaining, timed_out_counter FROM ir_cron_progress WHERE cron_id = %s AND id > %s ORDER BY id",
        [cron_id, killed["progress_id"]],
    )
    after = done_rows(db, ctx)
    print(
        f"rerun: {len(rerun)} batches, {sum(r[0] for r in rerun)} items; rows done: before {before}, "
        f"at kill {killed['rows_at_kill']}, after rerun {after}; phase {time.time() - t0:.1f}s"
    )
    results.update(checks(db, ctx))
    ok = True
    for check, (passed, detail) in results.items():
        print(f"{'PASS' if passed else 'FAIL'}  {key}: {check} ({detail})")
        ok &= bool(passed)
    return ok


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--server-pid", type=int, required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--crons", default="revisit,escalate,warranty")
    parser.add_argument("--batches", type=int, default=5, help="backlog = batches x batch size")
    parser.add_argument("--after-batches", type=int, default=1, help="batches committed before the kill")
    parser.add_argument("--timeout", type=int, default=90, help="seconds per cron")
    args = parser.parse_args()
    db = Db(args.db)
    pg = Db("postgres")
    pg.dbname = args.db
    t0 = time.time()
    quiet_crons(db, args.timeout)
    ok = True
    for key in [k.strip() for k in args.crons.split(",") if k.strip()]:
        if key not in SCENARIOS:
            raise SystemExit(f"unknown cron scenario {key!r} (known: {', '.join(SCENARIOS)})")
        ok &= run_scenario(key, args, db, pg)
    print(f"kill phase: {time.time() - t0:.1f}s, {'all checks passed' if ok else 'FAILED'}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
