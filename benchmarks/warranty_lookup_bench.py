"""Warranty lookup (W-3, R-2, C-5) at 10k and 1M warranties, side by side: by customer, by serial
and by product, with the plan PostgreSQL chooses (index scans, not sequential scans).

Usage: PYTHONPATH=$ODOO_SRC python benchmarks/warranty_lookup_bench.py -d <db with aftersales_service>
        [--sizes 10000,1000000] [--lookups 200]

Method: the warranties (10 % with a serial) are inserted with SQL over 1,000 customers and 100
products, in a transaction rolled back at the end; the lookups run as an After-Sales user (a
normal user, the record rules apply), cache cleared before each lookup; queries per lookup and
the median time are printed, then EXPLAIN of each lookup's query.
"""

import argparse
import statistics
import time

from _bootstrap import open_registry

import odoo
from odoo.tools import SQL


def populate(env, size, tag):
    cr = env.cr
    su = env(su=True)
    partners = su["res.partner"].create([{"name": f"{tag} customer {i}"} for i in range(1000)])
    products = su["product.product"].create(
        [
            {"name": f"{tag} unit {i}", "type": "consu", "tracking": "serial", "is_storable": True}
            for i in range(100)
        ]
    )
    policy = su["aftersales.warranty.policy"].create({"name": f"{tag} 12 months", "duration": 12})
    serials = size // 10
    cr.execute(
        SQL(
            """
            INSERT INTO stock_lot (name, product_id, company_id,
                                   create_uid, write_uid, create_date, write_date)
            SELECT %(tag)s || '-SN-' || g, (%(products)s)[1 + mod(g, 100)], %(company)s, 1, 1, now(), now()
              FROM generate_series(1, %(serials)s) g
            """,
            tag=tag,
            products=products.ids,
            company=env.company.id,
            serials=serials,
        )
    )
    cr.execute(SQL("SELECT min(id) FROM stock_lot WHERE name LIKE %s", f"{tag}-SN-%"))
    first_lot = cr.fetchone()[0]
    cr.execute(
        SQL(
            """
            INSERT INTO aftersales_warranty (name, company_id, partner_id, commercial_partner_id, product_id,
                                             lot_id, policy_id, quantity, start_date, end_date, state,
                                             create_uid, write_uid, create_date, write_date)
            SELECT %(tag)s || '/' || g, %(company)s, (%(partners)s)[1 + mod(g, 1000)],
                   (%(partners)s)[1 + mod(g, 1000)], (%(products)s)[1 + mod(g, 100)],
                   CASE WHEN g <= %(serials)s THEN %(first_lot)s + g - 1 END, %(policy)s, 1,
                   DATE '2026-01-01' - mod(g, 700), DATE '2027-01-01' - mod(g, 700), 'active',
                   1, 1, now(), now()
              FROM generate_series(1, %(size)s) g
            """,
            tag=tag,
            company=env.company.id,
            partners=partners.ids,
            products=products.ids,
            serials=serials,
            first_lot=first_lot,
            policy=policy.id,
            size=size,
        )
    )
    cr.execute("ANALYZE aftersales_warranty")
    cr.execute("ANALYZE stock_lot")
    return partners, products, first_lot


def timed(env, func, count):
    cr = env.cr
    times, queries = [], []
    for i in range(count):
        env.invalidate_all()
        q0, t0 = cr.sql_log_count, time.perf_counter()
        func(i)
        times.append((time.perf_counter() - t0) * 1000)
        queries.append(cr.sql_log_count - q0)
    return max(queries), statistics.median(times)


def explain(env, domain, lookup=True):
    """The plan of a lookup (the first covering warranty) or of a count (``lookup=False``)."""
    Warranty = env["aftersales.warranty"]
    query = (
        Warranty._search(domain, order="end_date desc, id desc", limit=1)
        if lookup
        else Warranty._search(domain)
    )
    env.cr.execute(SQL("EXPLAIN %s", query.select()))
    plan = [row[0] for row in env.cr.fetchall()]
    scans = [line.strip().lstrip("-> ") for line in plan if "Index" in line] or [
        line.strip() for line in plan if "Scan" in line
    ]
    return " / ".join(scans) if scans else plan[0]


def measure(env, size, lookups):
    cr = env.cr
    cr.execute("SAVEPOINT bench")
    tag = f"LK{size}"
    partners, products, first_lot = populate(env, size, tag)
    Warranty = env["aftersales.warranty"]
    Lot = env["stock.lot"]
    date = "2026-06-01"
    by_customer = timed(
        env,
        lambda i: Warranty.find_covering_warranty(partners[i % 1000], products[i % 100], date=date),
        lookups,
    )
    by_serial = timed(
        env,
        lambda i: Warranty.find_covering_warranty(
            partners[(i + 1) % 1000], products[(i + 1) % 100], lot=Lot.browse(first_lot + i), date=date
        ),
        lookups,
    )
    by_product = timed(
        env,
        lambda i: Warranty.search_count(
            [("product_id", "=", products[i % 100].id), ("state", "=", "active")]
        ),
        lookups // 4,
    )
    plans = {
        "customer": explain(
            env,
            [
                ("commercial_partner_id", "=", partners[0].id),
                ("product_id", "=", products[0].id),
                ("start_date", "<=", date),
                ("end_date", ">=", date),
            ],
        ),
        "serial": explain(env, [("lot_id", "=", first_lot)]),
        "product": explain(
            env, [("product_id", "=", products[0].id), ("state", "=", "active")], lookup=False
        ),
    }
    cr.execute("ROLLBACK TO SAVEPOINT bench")
    env.invalidate_all()
    return by_customer, by_serial, by_product, plans


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--sizes", default="10000,1000000")
    parser.add_argument("--lookups", type=int, default=200)
    args = parser.parse_args()
    registry = open_registry(args.database)
    results = []
    with registry.cursor() as cr:
        admin = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        user = admin["res.users"].search(
            [
                ("groups_id", "in", admin.ref("aftersales_service.group_aftersales_user").id),
                ("share", "=", False),
            ],
            order="id desc",
            limit=1,
        )
        env = odoo.api.Environment(cr, user.id, {})
        login = user.login
        try:
            for size in (int(s) for s in args.sizes.split(",")):
                results.append((size, *measure(env, size, args.lookups)))
        finally:
            cr.rollback()
    print(f"as user {login}; queries per lookup (max) and median ms")
    print(f"{'warranties':>11}{'customer q':>11}{'ms':>7}{'serial q':>10}{'ms':>7}{'product q':>11}{'ms':>7}")
    for size, (cq, cms), (sq, sms), (pq, pms), _plans in results:
        print(f"{size:>11}{cq:>11}{cms:>7.2f}{sq:>10}{sms:>7.2f}{pq:>11}{pms:>7.2f}")
    for size, *_rest, plans in results:
        for name, plan in plans.items():
            print(f"EXPLAIN {size:>8} {name:<9} {plan}")


if __name__ == "__main__":
    main()
