"""Mixed load on one or more Odoo servers, with the transactions and statements each PostgreSQL
cluster ran for it (issue 27, "past one machine").

Run by scripts/replica.sh, once per setup (one server without replica, then two servers sharing
one data directory and reading on a streaming replica), on a database of its own. Two phases:

- ``portal``: customers browse their cases, warranties, returns and visits and download the
  warranty certificate and return slip PDFs. Measures the share of the transactions and
  statements that ran on the replica, and what the primary ran per page view.
- ``mixed``: the same customers, agents working cases in the back office (list, kanban and pivot
  reads, a write read back at once on the other server), case intakes through the portal form,
  Odoo's own portal write as the floor (a customer posting on their sale order's chatter,
  ``/mail/message/post``), and the addon's crons.

Every client logs in once, on the first server, and sends its requests round robin to all of
them: a second server only works when both share the sessions (Odoo's data directory).
Checks: every intake stored once, every write seen by the next read on the other server
(read-your-writes), no error in the servers' logs. Prints a JSON line of figures last, which
replica.sh puts side by side. Only loopback addresses; every loop has a time limit.
"""

import argparse
import concurrent.futures
import itertools
import json
import pathlib
import random
import re
import statistics
import sys
import threading
import time
import xmlrpc.client

import psycopg2
import requests

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "benchmarks"))
from load_test import CRONS, Rpc  # noqa: E402

PORTAL_PASSWORD = "replica-portal-pw"


class Client:
    """A browser-like client: one session (logged in once), requests spread over the servers."""

    def __init__(self, urls, db, login, password):
        self.urls = urls
        self.session = requests.Session()
        response = self.session.post(
            f"{urls[0]}/web/session/authenticate",
            json={"jsonrpc": "2.0", "params": {"db": db, "login": login, "password": password}},
            timeout=60,
        )
        response.raise_for_status()
        if not (response.json().get("result") or {}).get("uid"):
            raise SystemExit(f"login failed for {login}")
        self.turn = itertools.cycle(range(len(urls)))
        self.csrf = None

    def url(self, path, server=None):
        return self.urls[next(self.turn) if server is None else server % len(self.urls)] + path

    def get(self, path, server=None):
        response = self.session.get(self.url(path, server), timeout=60, allow_redirects=False)
        if response.status_code != 200:
            raise RuntimeError(f"GET {path}: HTTP {response.status_code}")
        return response

    def json(self, path, params, server=None):
        response = self.session.post(
            self.url(path, server), json={"jsonrpc": "2.0", "method": "call", "params": params}, timeout=60
        )
        response.raise_for_status()
        body = response.json()
        if body.get("error"):
            raise RuntimeError(f"{path}: {body['error'].get('data', {}).get('message') or body['error']}")
        return body.get("result")

    def call(self, model, method, *args, server=None, **kwargs):
        return self.json(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
            server=server,
        )


def cluster_stats(dsn, db):
    """(transactions, statements) the cluster ran in ``db`` so far: pg_stat_database and
    pg_stat_statements, read from the ``postgres`` database (not counted in ``db``)."""
    if not dsn:
        return 0, 0
    with psycopg2.connect(dsn) as cnx, cnx.cursor() as cr:
        cr.execute("SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = %s", [db])
        xacts = cr.fetchone()[0]
        cr.execute(
            "SELECT COALESCE(sum(calls), 0) FROM pg_stat_statements s"
            " JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = %s",
            [db],
        )
        statements = int(cr.fetchone()[0])
    cnx.close()
    return xacts, statements


def settle():
    """PostgreSQL 15 backends flush their statistics when idle, at most every 10 s."""
    time.sleep(11)


def percentile(values, share):
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * share + 0.5) - 1)] if ordered else 0.0


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies = {}
        self.errors = []

    def timed(self, kind, func, *args, **kwargs):
        t0 = time.perf_counter()
        try:
            result = func(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 (a load client reports every failure)
            with self.lock:
                self.errors.append(f"{kind}: {str(exc)[:200]}")
            return None
        elapsed = time.perf_counter() - t0
        with self.lock:
            self.latencies.setdefault(kind, []).append(elapsed)
        return result


def setup(admin, tag, customers):
    """Portal logins for the customers that have the most after-sales documents, and what
    each of them may open."""
    groups = admin("ir.model.data", "check_object_reference", "base", "group_portal")[1]
    counts = admin(
        "aftersales.warranty",
        "read_group",
        [],
        ["commercial_partner_id"],
        ["commercial_partner_id"],
        orderby="commercial_partner_id_count desc",
        limit=customers,
    )
    people = []
    for i, group in enumerate(counts):
        partner_id = group["commercial_partner_id"][0]
        login = f"{tag.lower()}_customer_{i}"
        contact = admin(
            "res.partner",
            "create",
            {"name": f"{tag} buyer {i}", "parent_id": partner_id, "email": f"{login}@x.example"},
        )
        admin(
            "res.users",
            "create",
            {
                "name": f"{tag} buyer {i}",
                "login": login,
                "password": PORTAL_PASSWORD,
                "partner_id": contact,
                "groups_id": [(6, 0, [groups])],
            },
        )
        domain = [("partner_id", "child_of", partner_id)]
        orders = admin(
            "sale.order", "search_read", domain + [("state", "=", "sale")], fields=["access_token"]
        )
        for order in orders:
            if not order["access_token"]:
                admin("sale.order", "write", [order["id"]], {"access_token": f"{tag}-{order['id']}"})
                order["access_token"] = f"{tag}-{order['id']}"
        people.append(
            {
                "login": login,
                "warranties": admin("aftersales.warranty", "search", domain, limit=20),
                "cases": admin("aftersales.case", "search", domain, limit=20),
                "returns": admin("aftersales.return", "search", domain, limit=20),
                "orders": orders[:5],
            }
        )
    return people


def portal_pages(person):
    """The pages and documents a customer opens, with their kind."""
    pages = [("portal page", path) for path in ("/my/cases", "/my/warranties", "/my/returns", "/my/visits")]
    pages += [("portal page", f"/my/cases/{i}") for i in person["cases"][:5]]
    pages += [("portal page", f"/my/warranties/{i}") for i in person["warranties"][:5]]
    pages += [("portal page", f"/my/returns/{i}") for i in person["returns"][:3]]
    pages += [
        ("portal PDF", f"/my/warranties/{i}?report_type=pdf&download=true") for i in person["warranties"][:2]
    ]
    pages += [("portal PDF", f"/my/returns/{i}?report_type=pdf&download=true") for i in person["returns"][:1]]
    return pages


def browse(recorder, clients, people, deadline, seed):
    rng = random.Random(seed)
    while time.time() < deadline:
        i = rng.randrange(len(clients))
        kind, path = rng.choice(portal_pages(people[i]))
        response = recorder.timed(kind, clients[i].get, path)
        if response is not None and kind == "portal PDF" and not response.content.startswith(b"%PDF"):
            recorder.errors.append(f"{path}: not a PDF")


def back_office(recorder, agent, case_ids, deadline, seed, stale):
    """An agent's list, kanban and pivot reads, and a write read back at once on another server."""
    rng = random.Random(seed)
    spec = {"name": {}, "subject": {}, "state": {}, "partner_id": {"fields": {"display_name": {}}}}
    n = 0
    while time.time() < deadline:
        n += 1
        step = n % 4
        if step == 0:
            recorder.timed(
                "agent list",
                agent.call,
                "aftersales.case",
                "web_search_read",
                [],
                specification=spec,
                limit=80,
            )
        elif step == 1:
            recorder.timed(
                "agent kanban",
                agent.call,
                "aftersales.case",
                "web_read_group",
                [],
                ["state"],
                ["state"],
                lazy=True,
            )
        elif step == 2:
            recorder.timed(
                "agent pivot",
                agent.call,
                "aftersales.case",
                "read_group",
                [],
                ["__count"],
                ["team_id", "state"],
                lazy=False,
            )
        else:
            case_id = rng.choice(case_ids)
            note = f"<p>checked {seed}-{n}</p>"
            server = rng.randrange(len(agent.urls))
            done = recorder.timed(
                "agent write",
                agent.call,
                "aftersales.case",
                "write",
                [case_id],
                {"description": note},
                server=server,
            )
            if done:
                read = recorder.timed(
                    "agent read",
                    agent.call,
                    "aftersales.case",
                    "web_read",
                    [case_id],
                    specification={"description": {}},
                    server=server + 1,
                )
                if read is not None and note not in (read[0]["description"] or ""):
                    stale.append(f"case {case_id}: the write on server {server} not seen on the other")


def intake(recorder, client, tag, deadline, seed, created, stale):
    """Cases opened through the portal form; the page after it opened on the other server."""
    n = 0
    while time.time() < deadline:
        n += 1
        server = n % len(client.urls)
        if client.csrf is None:
            page = recorder.timed("portal page", client.get, "/my/cases/new", server=server)
            if page is None:
                continue
            client.csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        subject = f"{tag} intake {seed}-{n}"

        def post(server=server, subject=subject):
            response = client.session.post(
                client.url("/my/cases/new", server),
                data={"subject": subject, "description": "replica load", "csrf_token": client.csrf},
                timeout=60,
                allow_redirects=False,
            )
            if response.status_code not in (302, 303):
                raise RuntimeError(f"intake: HTTP {response.status_code}")
            return response.headers["Location"]

        location = recorder.timed("intake (addon)", post)
        if location:
            created.append(subject)
            path = re.sub(r"^https?://[^/]+", "", location)
            page = recorder.timed(
                "portal page",
                client.session.get,
                client.url(path, server + 1),
                timeout=60,
                allow_redirects=False,
            )
            if page is not None and (page.status_code != 200 or subject not in page.text):
                stale.append(f"{path}: HTTP {page.status_code} on the other server right after the intake")


def floor(recorder, client, person, deadline, seed):
    """Odoo's own portal write: a message on the customer's sale order."""
    n = 0
    while time.time() < deadline and person["orders"]:
        n += 1
        order = person["orders"][n % len(person["orders"])]
        recorder.timed(
            "chatter post (Odoo floor)",
            client.json,
            "/mail/message/post",
            {
                "thread_model": "sale.order",
                "thread_id": order["id"],
                "post_data": {
                    "body": f"floor {seed}-{n}",
                    "message_type": "comment",
                    "subtype_xmlid": "mail.mt_comment",
                },
                "token": order["access_token"],
            },
        )


def fire_crons(admin):
    errors = []
    for xmlid in CRONS:
        cron_id = admin("ir.model.data", "check_object_reference", *xmlid.split("."))[1]
        try:
            admin("ir.cron", "method_direct_trigger", [cron_id])
        except xmlrpc.client.Fault as fault:
            if "already" not in fault.faultString.lower():
                errors.append(f"cron {xmlid}: {fault.faultString.splitlines()[-1][:200]}")
    return errors


def top_statements(dsn, db, limit=12):
    """The statements the cluster ran most often in ``db`` (since the last reset)."""
    with psycopg2.connect(dsn) as cnx, cnx.cursor() as cr:
        cr.execute(
            "SELECT calls, left(regexp_replace(query, '\\s+', ' ', 'g'), 110) FROM pg_stat_statements s"
            " JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = %s ORDER BY calls DESC LIMIT %s",
            [db, limit],
        )
        rows = cr.fetchall()
    cnx.close()
    return rows


def table_writes(dsn, db):
    """{table: rows inserted + updated + deleted so far} in ``db`` (two transactions of ours)."""
    with psycopg2.connect(dsn.replace("dbname=postgres", f"dbname={db}")) as cnx, cnx.cursor() as cr:
        cr.execute("SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_user_tables")
        rows = dict(cr.fetchall())
    cnx.close()
    return rows


def wait_for_crons(dsn, db, timeout=180):
    """Until no cron is due: a server just started runs every late job of the copied database
    first (mail queue, procurement, ...), which is not the load measured."""
    quiet, deadline = 0, time.time() + timeout
    while time.time() < deadline and quiet < 2:
        with psycopg2.connect(dsn.replace("dbname=postgres", f"dbname={db}")) as cnx, cnx.cursor() as cr:
            cr.execute(
                "SELECT (SELECT count(*) FROM ir_cron WHERE active AND nextcall <= now() AT TIME ZONE 'UTC')"
                " + (SELECT count(*) FROM ir_cron_trigger WHERE call_at <= now() AT TIME ZONE 'UTC')"
            )
            due = cr.fetchone()[0]
        cnx.close()
        quiet = quiet + 1 if not due else 0
        time.sleep(5)
    return quiet >= 2


def cursor_modes(paths):
    """{(kind, mode): requests} of the portal pages and PDFs, from Odoo's request log: each line
    ends with the cursor mode the request ran on (ro: a read-only cursor, the replica when there
    is one; rw; ro->rw: a read-only request that had to write)."""
    modes = {}
    for path in paths:
        for line in pathlib.Path(path).read_text(encoding="utf-8", errors="replace").splitlines():
            match = re.search(r'"GET (/my/[^ ]*) HTTP[^"]*" \d+ .* (ro|rw|ro->rw)\s*$', line)
            if match:
                kind = (
                    "page after the customer's own write"
                    if "message=" in match.group(1)
                    else "portal page or PDF"
                )
                modes[(kind, match.group(2))] = modes.get((kind, match.group(2)), 0) + 1
    return modes


def reset_statements(dsn):
    """Statement counts from zero for the phase (a per-phase top; the sums are deltas anyway)."""
    if dsn:
        with psycopg2.connect(dsn) as cnx, cnx.cursor() as cr:
            cr.execute("SELECT pg_stat_statements_reset()")
        cnx.close()


def run_phase(name, args, work):
    reset_statements(args.primary_dsn)
    reset_statements(args.replica_dsn)
    settle()  # what ran before the phase is flushed to the statistics first
    writes_before = table_writes(args.primary_dsn, args.db)
    before = cluster_stats(args.primary_dsn, args.db), cluster_stats(args.replica_dsn, args.db)
    recorder = Recorder()
    t0 = time.perf_counter()
    work(recorder)
    seconds = time.perf_counter() - t0
    settle()
    after = cluster_stats(args.primary_dsn, args.db), cluster_stats(args.replica_dsn, args.db)
    writes = {
        table: rows - writes_before.get(table, 0)
        for table, rows in table_writes(args.primary_dsn, args.db).items()
    }
    writes = sorted(((rows, table) for table, rows in writes.items() if rows), reverse=True)[:8]
    primary = [a - b for a, b in zip(after[0], before[0], strict=True)]
    replica = [a - b for a, b in zip(after[1], before[1], strict=True)]
    kinds = {
        kind: {
            "count": len(values),
            "rps": len(values) / seconds,
            "p50_ms": statistics.median(values) * 1000,
            "p95_ms": percentile(values, 0.95) * 1000,
        }
        for kind, values in sorted(recorder.latencies.items())
    }
    return {
        "top_primary": top_statements(args.primary_dsn, args.db),
        "rows_written": writes,
        "seconds": seconds,
        "requests": sum(k["count"] for k in kinds.values()),
        "kinds": kinds,
        "primary_xacts": primary[0],
        "primary_statements": primary[1],
        "replica_xacts": replica[0],
        "replica_statements": replica[1],
        "errors": recorder.errors,
    }


# Debian's wkhtmltopdf is built without Odoo's patched Qt: Odoo warns at each PDF that the header
# and footer switches are ignored (the PDF is made); the only warning not counted as a problem
KNOWN_WARNINGS = re.compile(r"wkhtmltopdf: The switch --header-spacing, is not support using unpatched qt")


def log_problems(paths):
    """Errors and warnings in the servers' logs. A serialization failure that Odoo retried
    ("bad query ... could not serialize access", then "... tries left, try again") is
    concurrency handled, counted apart; one not retried is a problem."""
    problems, conflicts, retried = [], 0, 0
    for path in paths:
        lines = pathlib.Path(path).read_text(encoding="utf-8", errors="replace").splitlines()
        for i, line in enumerate(lines):
            if KNOWN_WARNINGS.search(line):
                continue
            if re.search(
                r"(SERIALIZATION_FAILURE|DEADLOCK_DETECTED|LOCK_NOT_AVAILABLE), \d+ tries left", line
            ):
                retried += 1
            if " odoo.sql_db: bad query" in line and any(
                re.search(r"could not serialize access|deadlock detected", nxt)
                for nxt in lines[i + 1 : i + 4]
            ):
                conflicts += 1
                continue
            if re.search(r" (ERROR|CRITICAL|WARNING) |^Traceback", line):
                problems.append(f"{pathlib.Path(path).name}: {line.strip()[:240]}")
    if retried < conflicts:
        problems.append(f"{conflicts - retried} serialization failures not retried")
    return problems, conflicts


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--urls", required=True, help="comma-separated server URLs")
    parser.add_argument("--db", required=True)
    parser.add_argument("--label", required=True)
    parser.add_argument("--primary-dsn", required=True)
    parser.add_argument("--replica-dsn", default="")
    parser.add_argument("--logs", required=True, help="comma-separated server log files")
    parser.add_argument("--admin-password", default="admin")
    parser.add_argument("--customers", type=int, default=3)
    parser.add_argument("--browsers", type=int, default=6, help="portal client threads")
    parser.add_argument("--portal-seconds", type=int, default=30)
    parser.add_argument("--mixed-seconds", type=int, default=40)
    parser.add_argument("--out", required=True, help="file for the figures (JSON)")
    args = parser.parse_args()
    urls = args.urls.split(",")
    for url in urls:
        if not re.match(r"^http://(127\.\d+\.\d+\.\d+|localhost)(:\d+)?$", url):
            raise SystemExit("only loopback addresses are load-tested")
    tag = f"RPL{int(time.time())}"
    admin = Rpc(urls[0], args.db, "admin", args.admin_password)
    # report.url is left alone: wkhtmltopdf fetches the report's styles over HTTP from it (else
    # web.base.url, no server here: the fetch is refused at once and the PDF made without them).
    # Pointed at these servers, two PDFs at once take both workers of a server while their
    # wkhtmltopdf wait for a third to serve the styles: every request hangs until the timeout
    # (seen here). A deployment gives report.url workers that are not the ones rendering.
    people = setup(admin, tag, args.customers)
    customers = [Client(urls, args.db, person["login"], PORTAL_PASSWORD) for person in people]
    browsers = [Client(urls, args.db, person["login"], PORTAL_PASSWORD) for person in people]
    posters = [Client(urls, args.db, people[i % len(people)]["login"], PORTAL_PASSWORD) for i in range(2)]
    agents = [Client(urls, args.db, "aftersales_agent", "aftersales_agent") for _i in range(2)]
    case_ids = admin("aftersales.case", "search", [("state", "not in", ["closed", "cancelled"])], limit=30)
    # warm-up: every page once per server (templates, assets and caches of each worker)
    for client, person in zip(browsers, people, strict=True):
        for _kind, path in portal_pages(person):
            for server in range(len(urls)):
                client.get(path, server=server)

    if not wait_for_crons(args.primary_dsn, args.db):
        print("note: crons were still due after 3 minutes; the portal phase includes their work")

    def portal_only(recorder):
        deadline = time.time() + args.portal_seconds
        with concurrent.futures.ThreadPoolExecutor(args.browsers) as pool:
            for future in [
                pool.submit(browse, recorder, browsers, people, deadline, seed)
                for seed in range(args.browsers)
            ]:
                future.result()

    created, stale, cron_errors = [], [], []

    def mixed(recorder):
        deadline = time.time() + args.mixed_seconds
        with concurrent.futures.ThreadPoolExecutor(args.browsers + 6) as pool:
            futures = [
                pool.submit(browse, recorder, browsers, people, deadline, seed)
                for seed in range(max(1, args.browsers - 2))
            ]
            futures += [
                # each agent works their own cases: a case written by two agents at once would
                # show the other's write, which is no replication lag
                pool.submit(
                    back_office, recorder, agent, case_ids[i :: len(agents)], deadline, 100 + i, stale
                )
                for i, agent in enumerate(agents)
            ]
            futures += [
                pool.submit(
                    intake, recorder, customers[i % len(customers)], tag, deadline, 200 + i, created, stale
                )
                for i in range(2)
            ]
            futures += [
                pool.submit(floor, recorder, posters[i], people[i % len(people)], deadline, 300 + i)
                for i in range(len(posters))
            ]
            futures.append(pool.submit(lambda: cron_errors.extend(fire_crons(admin))))
            for future in futures:
                future.result()

    phases = {"portal": run_phase("portal", args, portal_only), "mixed": run_phase("mixed", args, mixed)}
    stored = admin(
        "aftersales.case", "search_read", [("subject", "like", f"{tag} intake %")], fields=["subject"]
    )
    subjects = [case["subject"] for case in stored]
    problems, conflicts = log_problems(args.logs.split(","))
    errors = phases["portal"]["errors"] + phases["mixed"]["errors"] + cron_errors
    checks = {
        "every intake stored once (nothing lost or duplicated)": sorted(subjects) == sorted(created),
        "read-your-writes: each write seen by the next read on the other server": not stale,
        "no failed request": not errors,
        "no error or warning in the servers' logs": not problems,
    }
    print(f"== {args.label}: {len(urls)} server(s), replica {'yes' if args.replica_dsn else 'no'}")
    for name, phase in phases.items():
        views = sum(k["count"] for kind, k in phase["kinds"].items() if kind.startswith("portal"))
        print(f"-- phase {name}: {phase['requests']} requests in {phase['seconds']:.1f} s")
        for kind, k in phase["kinds"].items():
            print(
                f"   {kind:26} {k['count']:5d}  {k['rps']:6.1f}/s"
                f"  p50 {k['p50_ms']:6.0f} ms  p95 {k['p95_ms']:6.0f} ms"
            )
        print(
            f"   transactions: primary {phase['primary_xacts']}, replica {phase['replica_xacts']};"
            f" statements: primary {phase['primary_statements']}, replica {phase['replica_statements']}"
            + (
                f"; per portal view: primary {phase['primary_xacts'] / views:.2f} transactions,"
                f" {phase['primary_statements'] / views:.1f} statements"
                if views and name == "portal"
                else ""
            )
        )
        if name == "portal":
            print("   the primary's most frequent statements in this phase:")
            for calls, query in phase["top_primary"]:
                print(f"   {calls:7d}  {query}")
            print(f"   rows written on the primary: {phase['rows_written'] or 'none'}")
    print(
        f"intakes {len(created)} sent, {len(subjects)} stored; read-your-writes misses {len(stale)};"
        f" serialization failures retried by Odoo: {conflicts}"
    )
    modes = cursor_modes(args.logs.split(","))
    for kind in sorted({kind for kind, _mode in modes}):
        total = sum(n for (k, _m), n in modes.items() if k == kind)
        readonly = modes.get((kind, "ro"), 0)
        print(
            f"{kind}: {readonly} of {total} requests on a read-only cursor ({readonly / total:.0%}),"
            f" {modes.get((kind, 'ro->rw'), 0)} retried read/write"
        )
    for line in (stale + errors + problems)[:15]:
        print(f"  - {line}")
    for name, ok in checks.items():
        print(f"{'PASS' if ok else 'FAIL'}  {name}")
    result = {
        "cursor_modes": {f"{k}|{m}": n for (k, m), n in modes.items()},
        "label": args.label,
        "servers": len(urls),
        "replica": bool(args.replica_dsn),
        "phases": phases,
        "checks": checks,
        "intakes": len(created),
        "stale": len(stale),
    }
    for phase in phases.values():
        phase["errors"] = phase["errors"][:20]
    pathlib.Path(args.out).write_text(json.dumps(result, indent=1))
    raise SystemExit(0 if all(checks.values()) else 1)


if __name__ == "__main__":
    main()
