#!/usr/bin/env bash
# Past one machine (issue 27), built on this one: a PostgreSQL primary and its streaming replica
# (two private clusters on other ports, made with initdb and pg_basebackup -R, run with pg_ctl),
# and Odoo served first by one server on the primary alone, then by two servers (--workers 2
# each, other ports) that share one data directory (sessions, filestore) and read on the replica
# (--db_replica_host/--db_replica_port). The same mixed load runs on both setups
# (scripts/replica_load.py): portal customers browsing and downloading certificates, agents
# reading and writing cases in the back office, intakes, Odoo's own portal write as the floor,
# and the crons. Prints, side by side: requests per second and p50/p95 per kind, the share of
# the transactions and statements that ran on the replica, what the primary ran per portal page,
# and the checks (nothing lost or duplicated, read-your-writes across servers, clean logs).
#
#   scripts/replica.sh                  from $SOURCE_DB (default aftersales_test, built by test.sh)
#   SYNC=0 scripts/replica.sh           asynchronous replica (default: synchronous_commit = remote_apply)
#   PORTAL_SECONDS=30 MIXED_SECONDS=40 BROWSERS=6 scripts/replica.sh
#   KEEP=1 scripts/replica.sh           leave the clusters in $REPLICA_DIR (stopped)
# Too heavy for .ci/run (about 6 minutes); the read-only routes are tested there
# (tests/test_readonly_routes.py).
source "$(dirname "${BASH_SOURCE[0]}")/_lib.sh"

SOURCE_DB="${SOURCE_DB:-aftersales_test}"
REPLICA_DIR="${REPLICA_DIR:-/tmp/aftersales_replica}"
PRIMARY_PORT="${PRIMARY_PORT:-5441}"
STANDBY_PORT="${STANDBY_PORT:-5442}"
HTTP_PORTS=("${HTTP_PORT_1:-8181}" "${HTTP_PORT_2:-8182}")
GEVENT_PORTS=("${GEVENT_PORT_1:-8183}" "${GEVENT_PORT_2:-8184}")
SYNC="${SYNC:-1}"
PORTAL_SECONDS="${PORTAL_SECONDS:-30}"
MIXED_SECONDS="${MIXED_SECONDS:-40}"
BROWSERS="${BROWSERS:-6}"

check_odoo_src
ensure_system_packages
ensure_wkhtmltopdf
ensure_venv
ensure_postgres
psql -d postgres -tAc "select 1 from pg_database where datname='$SOURCE_DB'" | grep -q 1 \
    || die "No database $SOURCE_DB: build it first with scripts/test.sh (or set SOURCE_DB)."
PGBIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
[ -x "$PGBIN/pg_basebackup" ] || die "No PostgreSQL server binaries (initdb, pg_ctl, pg_basebackup) found."
for port in "$PRIMARY_PORT" "$STANDBY_PORT" "${HTTP_PORTS[@]}" "${GEVENT_PORTS[@]}"; do
    (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null && die "Port $port is in use: set PRIMARY_PORT, STANDBY_PORT, HTTP_PORT_1/2."
done

# the clusters run as the postgres user when we are root (PostgreSQL refuses root)
RUNAS=()
if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || die "Running as root and no 'postgres' user to run the clusters."
    RUNAS=(runuser -u postgres --)
fi
pg() { "${RUNAS[@]}" "$PGBIN/$1" "${@:2}"; }
PRIMARY="$REPLICA_DIR/primary" STANDBY="$REPLICA_DIR/standby" SHARED="$REPLICA_DIR/odoo-data"
LOGS="$LOG_DIR/replica"
mkdir -p "$LOGS"
rm -f "$LOGS"/*.log

servers=()
cleanup() {
    for pid in "${servers[@]}"; do kill "$pid" 2>/dev/null; done
    for pid in "${servers[@]}"; do wait "$pid" 2>/dev/null; done
    [ -f "$STANDBY/postmaster.pid" ] && pg pg_ctl -D "$STANDBY" -m fast stop >/dev/null 2>&1
    [ -f "$PRIMARY/postmaster.pid" ] && pg pg_ctl -D "$PRIMARY" -m fast stop >/dev/null 2>&1
    cp "$REPLICA_DIR"/*.log "$LOGS/" 2>/dev/null  # the clusters' own logs (written as postgres)
    [ -z "${KEEP:-}" ] && rm -rf "$REPLICA_DIR"
}
trap cleanup EXIT

# ---- the primary: a private cluster, pg_stat_statements loaded, replication allowed
[ -f "$PRIMARY/postmaster.pid" ] && pg pg_ctl -D "$PRIMARY" -m fast stop >/dev/null 2>&1
[ -f "$STANDBY/postmaster.pid" ] && pg pg_ctl -D "$STANDBY" -m fast stop >/dev/null 2>&1
rm -rf "$REPLICA_DIR"
mkdir -p "$REPLICA_DIR" "$SHARED"
[ ${#RUNAS[@]} -gt 0 ] && chown postgres "$REPLICA_DIR"
say "Primary cluster on 127.0.0.1:$PRIMARY_PORT ($PRIMARY)"
pg initdb -D "$PRIMARY" -U postgres --auth=trust >"$LOGS/initdb.log" 2>&1 || die "initdb failed, see $LOGS/initdb.log"
cat >>"$PRIMARY/postgresql.conf" <<CONF
port = $PRIMARY_PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$REPLICA_DIR'
max_connections = 300
shared_preload_libraries = 'pg_stat_statements'
pg_stat_statements.track = all
wal_level = replica
max_wal_senders = 5
hot_standby = on
CONF
echo "host replication all 127.0.0.1/32 trust" >>"$PRIMARY/pg_hba.conf"
pg pg_ctl -D "$PRIMARY" -l "$REPLICA_DIR/primary.log" -w start >/dev/null || die "The primary did not start, see $REPLICA_DIR/primary.log"
P=(-h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres)
psql "${P[@]}" -d postgres -qc "CREATE ROLE \"$PGUSER\" LOGIN CREATEDB" -c "CREATE EXTENSION pg_stat_statements"

# ---- the database: a copy of $SOURCE_DB with the addon of this working tree
BASE_DB=replica_base
say "Copying $SOURCE_DB to the primary and upgrading the addon there"
psql "${P[@]}" -d postgres -qc "CREATE DATABASE $BASE_DB OWNER \"$PGUSER\""
pg_dump -Fc "$SOURCE_DB" | pg_restore "${P[@]}" -d "$BASE_DB" --no-owner --role="$PGUSER" \
    || die "Could not copy $SOURCE_DB to the primary."
P_ODOO=(--db_host 127.0.0.1 --db_port "$PRIMARY_PORT" --db_user "$PGUSER")
mkdir -p "$SHARED/filestore"
copy_filestore() { [ -d "$DATA_DIR/filestore/$SOURCE_DB" ] && cp -r "$DATA_DIR/filestore/$SOURCE_DB" "$SHARED/filestore/$1"; return 0; }
copy_filestore "$BASE_DB"
"$VENV/bin/python" "$ODOO_SRC/odoo-bin" --addons-path "$ADDONS_PATH" "${P_ODOO[@]}" -d "$BASE_DB" \
    --data-dir "$SHARED" -u aftersales_service --stop-after-init --logfile "$LOGS/upgrade.log" \
    || die "Upgrade failed, see $LOGS/upgrade.log"
# the two setups each get their own copy, made before the replica exists (so both clusters have it)
for db in replica_one replica_two; do
    psql "${P[@]}" -d postgres -qc "CREATE DATABASE $db TEMPLATE $BASE_DB OWNER \"$PGUSER\""
    cp -r "$SHARED/filestore/$BASE_DB" "$SHARED/filestore/$db"
done

# ---- the replica: pg_basebackup -R, started on its own port
say "Streaming replica on 127.0.0.1:$STANDBY_PORT ($STANDBY, pg_basebackup -R)"
pg pg_basebackup -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -D "$STANDBY" -R -X stream -c fast \
    >"$LOGS/basebackup.log" 2>&1 || die "pg_basebackup failed, see $LOGS/basebackup.log"
cat >>"$STANDBY/postgresql.auto.conf" <<CONF
port = $STANDBY_PORT
primary_conninfo = 'host=127.0.0.1 port=$PRIMARY_PORT user=postgres application_name=aftersales_replica'
CONF
pg pg_ctl -D "$STANDBY" -l "$REPLICA_DIR/standby.log" -w start >/dev/null || die "The replica did not start, see $REPLICA_DIR/standby.log"
S=(-h 127.0.0.1 -p "$STANDBY_PORT" -U postgres)
for _i in $(seq 1 30); do
    [ "$(psql "${S[@]}" -d postgres -tAc 'select pg_is_in_recovery()')" = t ] \
        && [ "$(psql "${P[@]}" -d postgres -tAc "select state from pg_stat_replication where application_name='aftersales_replica'")" = streaming ] \
        && break
    sleep 1
done
[ "$(psql "${P[@]}" -d postgres -tAc "select state from pg_stat_replication where application_name='aftersales_replica'")" = streaming ] \
    || die "The replica is not streaming, see $REPLICA_DIR/standby.log"

set_sync() {  # $1: 1 = commits wait until the replica applied them (read-your-writes anywhere)
    if [ "$1" = 1 ]; then
        psql "${P[@]}" -d postgres -qc "ALTER SYSTEM SET synchronous_standby_names = 'aftersales_replica'" \
            -c "ALTER SYSTEM SET synchronous_commit = 'remote_apply'" -c "SELECT pg_reload_conf()" >/dev/null
    else
        psql "${P[@]}" -d postgres -qc "ALTER SYSTEM RESET synchronous_standby_names" \
            -c "ALTER SYSTEM RESET synchronous_commit" -c "SELECT pg_reload_conf()" >/dev/null
    fi
}

serve() {  # serve DB PORT GEVENT_PORT LOG [replica args...]; appends the pid to servers
    local db="$1" port="$2" gevent_port="$3" log="$4"
    "$VENV/bin/python" "$ODOO_SRC/odoo-bin" --addons-path "$ADDONS_PATH" "${P_ODOO[@]}" "${@:5}" \
        -d "$db" --db-filter="^$db\$" --data-dir "$SHARED" --workers 2 --max-cron-threads 1 \
        --http-interface 127.0.0.1 --http-port "$port" --gevent-port "$gevent_port" --limit-time-real 300 --logfile "$log" --log-level info &
    servers+=($!)
}
wait_up() {
    for port in "$@"; do
        for _i in $(seq 1 90); do curl -fs -o /dev/null "http://127.0.0.1:$port/web/login" && break; sleep 1; done
        curl -fs -o /dev/null "http://127.0.0.1:$port/web/login" || die "The server on port $port did not start."
    done
}
stop_servers() {
    for pid in "${servers[@]}"; do kill "$pid" 2>/dev/null; done
    for pid in "${servers[@]}"; do wait "$pid" 2>/dev/null; done
    servers=()
}
load() {  # load DB LABEL URLS LOGS [--replica-dsn DSN]
    "$VENV/bin/python" "$PROJECT_DIR/scripts/replica_load.py" --db "$1" --label "$2" --urls "$3" --logs "$4" \
        --primary-dsn "host=127.0.0.1 port=$PRIMARY_PORT user=postgres dbname=postgres" \
        --portal-seconds "$PORTAL_SECONDS" --mixed-seconds "$MIXED_SECONDS" --browsers "$BROWSERS" \
        --out "$LOGS/$1.json" "${@:5}"
}

set +e
rc=0
# ---- setup 1: one server, no replica (the primary alone, no synchronous standby)
set_sync 0
say "Setup 1: one Odoo server (--workers 2) on the primary alone, port ${HTTP_PORTS[0]}"
serve replica_one "${HTTP_PORTS[0]}" "${GEVENT_PORTS[0]}" "$LOGS/one.log"
wait_up "${HTTP_PORTS[0]}"
load replica_one "one server, no replica" "http://127.0.0.1:${HTTP_PORTS[0]}" "$LOGS/one.log" \
    --replica-dsn "host=127.0.0.1 port=$STANDBY_PORT user=postgres dbname=postgres" || rc=1
stop_servers

# ---- setup 2: two servers sharing the data directory, reads on the replica
set_sync "$SYNC"
say "Setup 2: two Odoo servers (--workers 2 each) sharing $SHARED, reading on the replica (synchronous_commit $([ "$SYNC" = 1 ] && echo remote_apply || echo local))"
replica_args=(--db_replica_host 127.0.0.1 --db_replica_port "$STANDBY_PORT")
serve replica_two "${HTTP_PORTS[0]}" "${GEVENT_PORTS[0]}" "$LOGS/two-a.log" "${replica_args[@]}"
serve replica_two "${HTTP_PORTS[1]}" "${GEVENT_PORTS[1]}" "$LOGS/two-b.log" "${replica_args[@]}"
wait_up "${HTTP_PORTS[@]}"
load replica_two "two servers, replica" "http://127.0.0.1:${HTTP_PORTS[0]},http://127.0.0.1:${HTTP_PORTS[1]}" \
    "$LOGS/two-a.log,$LOGS/two-b.log" \
    --replica-dsn "host=127.0.0.1 port=$STANDBY_PORT user=postgres dbname=postgres" || rc=1
stop_servers

"$VENV/bin/python" - "$LOGS/replica_one.json" "$LOGS/replica_two.json" <<'PY'
import json, sys
one, two = (json.load(open(path)) for path in sys.argv[1:])
print("\n== side by side: one server without replica | two servers reading on the replica")
for phase in ("portal", "mixed"):
    a, b = one["phases"][phase], two["phases"][phase]
    print(f"-- {phase}: requests/s {a['requests'] / a['seconds']:.1f} | {b['requests'] / b['seconds']:.1f}")
    for kind in sorted(set(a["kinds"]) | set(b["kinds"])):
        ka, kb = a["kinds"].get(kind), b["kinds"].get(kind)
        fmt = lambda k: f"{k['rps']:5.1f}/s p50 {k['p50_ms']:5.0f} p95 {k['p95_ms']:5.0f} ms" if k else "-"
        print(f"   {kind:26} {fmt(ka)} | {fmt(kb)}")
    views_a = sum(k["count"] for n, k in a["kinds"].items() if n.startswith("portal"))
    views_b = sum(k["count"] for n, k in b["kinds"].items() if n.startswith("portal"))
    for what in ("xacts", "statements"):
        share = b[f"replica_{what}"] / max(1, b[f"replica_{what}"] + b[f"primary_{what}"])
        per_a, per_b = a[f"primary_{what}"] / max(1, views_a), b[f"primary_{what}"] / max(1, views_b)
        fall = 1 - per_b / per_a if per_a else 0
        print(f"   {'transactions' if what == 'xacts' else 'statements':12} on the replica {share:6.1%}"
              f"   primary per portal view {per_a:6.2f} | {per_b:6.2f} (fall {fall:.0%})")
floor, addon = two["phases"]["mixed"]["kinds"].get("chatter post (Odoo floor)"), two["phases"]["mixed"]["kinds"].get("intake (addon)")
if floor and addon:
    print(f"-- intake vs Odoo's own portal write (two servers, mixed): p50 {addon['p50_ms']:.0f} vs {floor['p50_ms']:.0f} ms"
          f" ({addon['p50_ms'] / floor['p50_ms']:.2f}x), p95 {addon['p95_ms']:.0f} vs {floor['p95_ms']:.0f} ms"
          f" ({addon['p95_ms'] / floor['p95_ms']:.2f}x)")
PY
[ "$rc" = 0 ] && say "replica.sh: all checks passed (figures in $LOGS/*.json)" || say "replica.sh: a check FAILED (logs in $LOGS)"
exit $rc
