#!/usr/bin/env bash
# Concurrency and load check (issue "scale"): copies a database that has the addon, serves it with
# Odoo's multi-worker server (--workers 2 --max-cron-threads 2) on 127.0.0.1, fires the addon's
# crons concurrently and a bounded burst of case intakes (portal form + incoming email), then
# checks that nothing was duplicated or lost and that the log has no serialization failure.
#
#   scripts/load.sh                 copy of $SOURCE_DB (default aftersales_test, built by test.sh)
#   INTAKES=400 THREADS=16 scripts/load.sh
# Then the kill phase (scripts/load_cron_kill.py): for batched crons that create records, a backlog
# of KILL_BATCHES batches, the cron worker running it killed with SIGKILL halfway through a batch,
# the cron run again by the worker the server forks anew, and SQL checks: nothing lost, nothing
# duplicated. KILL_PHASE=0 skips it, LOAD_TEST=0 skips the load test before it.
#   KILL_CRONS=revisit,escalate,warranty KILL_BATCHES=5 KILL_TIMEOUT=90 (seconds per cron)
#   KILL_BATCH_REVISIT=1000 KILL_BATCH_ESCALATE=200 KILL_BATCH_WARRANTY=500 (batch sizes)
# Then the double clicks (scripts/load_double_click.py): CLICKS clients press Approve on one return
# waiting for it, then Create Credit Note on one received return, at the same moment: one document
# each, every other click refused with the action's message. DOUBLE_CLICK=0 skips it.
source "$(dirname "${BASH_SOURCE[0]}")/_lib.sh"

SOURCE_DB="${SOURCE_DB:-aftersales_test}"
LOAD_DB="${LOAD_DB:-aftersales_load}"
PORT="${LOAD_PORT:-8169}"
INTAKES="${INTAKES:-200}"
THREADS="${THREADS:-8}"
TIME_LIMIT="${TIME_LIMIT:-300}"
LOAD_TEST="${LOAD_TEST:-1}"
KILL_PHASE="${KILL_PHASE:-1}"
DOUBLE_CLICK="${DOUBLE_CLICK:-1}"
CLICKS="${CLICKS:-8}"
KILL_CRONS="${KILL_CRONS:-revisit,escalate,warranty}"
KILL_BATCHES="${KILL_BATCHES:-5}"
KILL_AFTER_BATCHES="${KILL_AFTER_BATCHES:-1}"
KILL_TIMEOUT="${KILL_TIMEOUT:-90}"

check_odoo_src
ensure_venv
ensure_postgres
psql -d postgres -tAc "select 1 from pg_database where datname='$SOURCE_DB'" | grep -q 1 \
    || die "No database $SOURCE_DB: build it first with scripts/test.sh (or set SOURCE_DB)."

log="$LOG_DIR/load-$LOAD_DB.log"
say "Copying $SOURCE_DB to $LOAD_DB"
dropdb --if-exists --force "$LOAD_DB" 2>/dev/null || dropdb --if-exists "$LOAD_DB"
createdb -T "$SOURCE_DB" "$LOAD_DB"
rm -rf "$DATA_DIR/filestore/$LOAD_DB"
[ -d "$DATA_DIR/filestore/$SOURCE_DB" ] && cp -r "$DATA_DIR/filestore/$SOURCE_DB" "$DATA_DIR/filestore/$LOAD_DB"
# admin's password is "admin" (the test database's default); late cases give the escalation work
# (all of a case's running deadlines, so that a recomputation, when the dispatch assigns it, finds
# the same next deadline: a changed deadline is a new breach, escalated again by design)
psql -d "$LOAD_DB" -qc "UPDATE aftersales_case SET sla_deadline = now() - interval '2 days', first_response_deadline = now() - interval '2 days', resolution_deadline = now() - interval '2 days', reply_deadline = NULL, first_response_date = NULL WHERE state IN ('new','assigned')"
psql -d "$LOAD_DB" -qc "UPDATE repair_order SET aftersales_milestone_deadline = now() - interval '2 days' WHERE aftersales_received_date IS NOT NULL AND state NOT IN ('done', 'cancel')"

: >"$log"
curl -fs -o /dev/null "http://127.0.0.1:$PORT/web/login" && die "Port $PORT is in use: stop that server or set LOAD_PORT."
say "Serving $LOAD_DB with --workers 2 --max-cron-threads 2 on 127.0.0.1:$PORT (log: $log)"
# the server itself in the background (not through a shell function), so that $! is its pid
"$VENV/bin/python" "$ODOO_SRC/odoo-bin" --addons-path "$ADDONS_PATH" "${ODOO_DB_ARGS[@]}" \
    -d "$LOAD_DB" --db-filter="^$LOAD_DB\$" --data-dir "$DATA_DIR" --workers 2 --max-cron-threads 2 \
    --http-interface 127.0.0.1 --http-port "$PORT" --limit-time-real 120 --logfile "$log" --log-level info &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null' EXIT
for _i in $(seq 1 90); do
    curl -fs -o /dev/null "http://127.0.0.1:$PORT/web/login" && break
    sleep 1
done
curl -fs -o /dev/null "http://127.0.0.1:$PORT/web/login" || die "The server did not start (see $log)."

set +e
rc=0
if [ "$LOAD_TEST" != 0 ]; then
    "$VENV/bin/python" "$PROJECT_DIR/benchmarks/load_test.py" --url "http://127.0.0.1:$PORT" --db "$LOAD_DB" \
        --log "$log" --intakes "$INTAKES" --threads "$THREADS" --time-limit "$TIME_LIMIT"
    rc=$?
fi
if [ "$KILL_PHASE" != 0 ]; then
    say "Kill phase: a cron worker killed mid-batch ($KILL_CRONS), then the cron run again"
    "$VENV/bin/python" "$PROJECT_DIR/scripts/load_cron_kill.py" --db "$LOAD_DB" --server-pid "$server" \
        --log "$log" --crons "$KILL_CRONS" --batches "$KILL_BATCHES" --after-batches "$KILL_AFTER_BATCHES" \
        --timeout "$KILL_TIMEOUT"
    kill_rc=$?
    [ "$rc" = 0 ] && rc=$kill_rc
fi
if [ "$DOUBLE_CLICK" != 0 ]; then
    say "Double clicks: $CLICKS clients press Approve, then Create Credit Note, on one return at once"
    "$VENV/bin/python" "$PROJECT_DIR/scripts/load_double_click.py" --url "http://127.0.0.1:$PORT" --db "$LOAD_DB" \
        --clicks "$CLICKS"
    click_rc=$?
    [ "$rc" = 0 ] && rc=$click_rc
fi
kill "$server" 2>/dev/null
wait "$server" 2>/dev/null
trap - EXIT
# what the load, the killed cron and the double clicks left must keep the money invariants
if ! "$PROJECT_DIR/scripts/check-invariants.sh" "$LOAD_DB"; then
    [ "$rc" = 0 ] && rc=1
fi
exit $rc
