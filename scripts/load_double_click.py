"""Double clicks on the real multi-worker server (issue 23, "double clicks make one document").

Several clients press the same button on the same document at the same moment, over XML-RPC,
as two users (or two browser tabs) would: the approval of a return waiting for it, and the credit
note of a received return. Exactly one call must do the work; every other one must end with the
action's own message (after Odoo retried it on the serialization failure), and exactly one
approval / receipt / credit note must exist afterwards.

Run by scripts/load.sh on its copy of the test database (admin's password is "admin"), with the
server's URL. Only loopback addresses are contacted; every loop has a fixed count.
"""

import argparse
import concurrent.futures
import pathlib
import sys
import threading
import time
import uuid
import xmlrpc.client

# the load test's XML-RPC client (one proxy per client thread)
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "benchmarks"))
from load_test import Rpc  # noqa: E402


def xmlid(admin, module, name):
    return admin("ir.model.data", "check_object_reference", module, name)[1]


def make_users(admin, url, db, count):
    """``count`` After-Sales managers with invoicing rights, with passwords, logged in."""
    groups = [
        xmlid(admin, "aftersales_service", "group_aftersales_manager"),
        xmlid(admin, "account", "group_account_invoice"),
        xmlid(admin, "stock", "group_stock_user"),
    ]
    tag = uuid.uuid4().hex[:6]
    users = []
    for i in range(count):
        login = f"double_click_{tag}_{i}"
        admin(
            "res.users",
            "create",
            {
                "name": f"Double Click {i}",
                "login": login,
                "password": login,
                "email": f"{login}@example.com",
                "groups_id": [(6, 0, groups)],
            },
        )
        users.append(Rpc(url, db, login, login))
    return users


def race(users, model, method, record_id, clicks):
    """``clicks`` calls of ``method`` at once, spread over ``users``: (successes, faults, seconds)."""
    barrier = threading.Barrier(clicks)

    def click(i):
        barrier.wait(timeout=30)
        try:
            users[i % len(users)](model, method, [record_id])
            return None
        except xmlrpc.client.Fault as fault:
            return fault.faultString.strip().splitlines()[-1]

    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(max_workers=clicks) as pool:
        results = list(pool.map(click, range(clicks)))
    elapsed = time.perf_counter() - started
    return [r for r in results if r is None], [r for r in results if r is not None], elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--clicks", type=int, default=8)
    args = parser.parse_args()
    admin = Rpc(args.url, args.db, "admin", "admin")
    company = xmlid(admin, "base", "main_company")
    users = make_users(admin, args.url, args.db, 2)
    ok = True

    def check(label, condition, detail):
        nonlocal ok
        ok &= bool(condition)
        print(f"  {'PASS' if condition else 'FAIL'} {label}: {detail}")

    # 1. the approval of a return waiting for a manager
    waiting = admin(
        "aftersales.return", "search", [("state", "=", "to_approve"), ("company_id", "=", company)], limit=1
    )
    # 2. the credit note of a received return, not refunded yet
    received = admin(
        "aftersales.return",
        "search",
        [("state", "=", "received"), ("company_id", "=", company), ("credit_note_ids", "=", False)],
        limit=1,
    )
    if not waiting or not received:
        print("FAIL: the database has no return waiting for approval or received (demo data?)")
        return 1
    print(f"Double clicks: {args.clicks} clients at once, as 2 managers, on {args.url}")

    successes, faults, elapsed = race(users, "aftersales.return", "action_approve", waiting[0], args.clicks)
    ret = admin("aftersales.return", "read", waiting, ["state", "approver_id", "picking_ids"])[0]
    print(f"- approve {waiting[0]}: {len(successes)} done, {len(faults)} refused in {elapsed:.2f} s")
    check("one approval", len(successes) == 1, f"{len(successes)} calls approved")
    check(
        "the others told why",
        all("not waiting for approval" in f or "must approve it" in f for f in faults),
        sorted(set(faults)),
    )
    check("one receipt", len(ret["picking_ids"]) == 1, f"state {ret['state']}, pickings {ret['picking_ids']}")

    successes, faults, elapsed = race(
        users, "aftersales.return", "action_create_credit_note", received[0], args.clicks
    )
    notes = admin("aftersales.return", "read", received, ["state", "credit_note_ids"])[0]["credit_note_ids"]
    print(f"- credit note {received[0]}: {len(successes)} done, {len(faults)} refused in {elapsed:.2f} s")
    check("one credit note call", len(successes) == 1, f"{len(successes)} calls made a credit note")
    check("one credit note", len(notes) == 1, f"credit notes {notes}")
    check(
        "the others told why",
        all("Nothing left to refund" in f or "must be approved before refunding" in f for f in faults),
        sorted(set(faults)),
    )
    print("Double clicks: " + ("PASS" if ok else "FAIL"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
