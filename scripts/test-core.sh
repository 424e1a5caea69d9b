#!/usr/bin/env bash
# Standing guard (S-3): Odoo core's own tests of the modules aftersales_service extends, run on a
# database that has the addon installed. Fails on any failure or error.
#
#   scripts/test-core.sh                     every guarded suite (about 15 minutes on 2 cores)
#   CORE_TEST_TAGS=post_install/sale:TestAccessRights scripts/test-core.sh    a subset
#   CORE_DB=name                             database to (re)build (default aftersales_core)
#
# The guarded suites are the post-install tests (at-install tests need the module being installed
# and see a half-loaded registry otherwise) of sale, sale_stock, sale_management and repair,
# and account's invoice / credit-note test classes (they run with every installed module loaded,
# so they see the fields, rules and overrides the addon adds).
source "$(dirname "${BASH_SOURCE[0]}")/_lib.sh"

CORE_DB="${CORE_DB:-aftersales_core}"
ADDON=aftersales_service
DEFAULT_TAGS="post_install/sale,post_install/sale_stock,post_install/sale_management,post_install/repair,post_install/account:TestAccountMoveOutRefundOnchanges,post_install/account:TestAccountMoveOutInvoiceOnchanges"
CORE_TEST_TAGS="${CORE_TEST_TAGS:-$DEFAULT_TAGS}"
started=$SECONDS

check_odoo_src
ensure_system_packages
ensure_venv
ensure_postgres

log="$LOG_DIR/core-tests-$CORE_DB.log"
say "Fresh database $CORE_DB with $ADDON (demo data, as Odoo's own test runs use)"
dropdb --if-exists --force "$CORE_DB" 2>/dev/null || dropdb --if-exists "$CORE_DB"
createdb "$CORE_DB"
odoo_bin -d "$CORE_DB" --data-dir "$DATA_DIR" -i "$ADDON" \
    --stop-after-init --log-level=warn --logfile="$LOG_DIR/core-install-$CORE_DB.log" --max-cron-threads=0 \
    || die "Installing $ADDON on $CORE_DB failed (see $LOG_DIR/core-install-$CORE_DB.log)."

say "Odoo core tests ($CORE_TEST_TAGS), log: $log"
: >"$log"
set +e
odoo_bin -d "$CORE_DB" --data-dir "$DATA_DIR" --test-tags "$CORE_TEST_TAGS" \
    --stop-after-init --log-level=test --logfile="$log" --max-cron-threads=0 --http-port=8079
rc=$?
set -e
summary="$(grep -E 'odoo.tests.result: .*(tests|failed|error)' "$log" | tail -n 1 | sed 's/^.*odoo.tests.result: //' || true)"
failures="$(grep -E '^[0-9-]+ [0-9:,]+ [0-9]+ (ERROR|CRITICAL) .*(FAIL|ERROR): ' "$log" \
    | sed 's/^.*: \(FAIL\|ERROR\): /\1: /' | sort -u || true)"
if [ -n "$failures" ]; then
    printf '%s\n' "$failures" | head -n 40 >&2
fi
if [ "$rc" != 0 ] || [ -n "$failures" ] || [ -z "$summary" ] || ! grep -qE '^0 failed, 0 error' <<<"$summary"; then
    die "Odoo core tests failed with $ADDON installed: ${summary:-no summary} (log: $log)"
fi
say "Core tests green in $((SECONDS - started))s -- ${summary:-no summary}"
