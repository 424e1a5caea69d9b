#!/usr/bin/env bash
# Screenshots of the main screens (Overview, case kanban and form, a return, the customer's portal
# home, case and warranty pages) on the demo data, taken by Odoo's own headless Chrome (the tour
# runner's browser) as the role that works each screen, into docs/screenshots/ (the README links
# them). Uses the test database built by scripts/test.sh (TEST_DB, default aftersales_test).
#
#   scripts/screenshots.sh            (after scripts/test.sh, or FRESH=1 to build the database first)
source "$(dirname "${BASH_SOURCE[0]}")/_lib.sh"

TEST_DB="${TEST_DB:-aftersales_test}"
OUT="${OUT:-$PROJECT_DIR/docs/screenshots}"
conf="$LOG_DIR/odoo-$TEST_DB.conf"
check_odoo_src
ensure_postgres
if [ -n "${FRESH:-}" ] || [ ! -f "$conf" ] \
    || ! psql -d postgres -tAc "select 1 from pg_database where datname='$TEST_DB'" | grep -q 1; then
    say "Building $TEST_DB (the addon with its demo data) first"
    SKIP_LINT=1 TEST_DB="$TEST_DB" "$PROJECT_DIR/scripts/test.sh" "$PROJECT_DIR/aftersales_service/tests/test_harness.py"
fi
mkdir -p "$OUT"
say "Taking the screenshots into $OUT (log: $LOG_DIR/screenshots.out)"
# pytest directly: the browser's own console noise when it is closed after a capture is not a
# test failure; a screen that does not show fails the run (pytest's exit code)
(cd "$PROJECT_DIR" && AFTERSALES_SCREENSHOTS="$OUT" CHROME_BIN="$(command -v chromium || true)" \
    timeout 600 "$VENV/bin/pytest" --odoo-config="$conf" --odoo-database="$TEST_DB" --odoo-http \
    -p no:cacheprovider -o addopts="" -q aftersales_service/tests/screens.py) >"$LOG_DIR/screenshots.out" 2>&1 \
    || { tail -n 30 "$LOG_DIR/screenshots.out" >&2; die "The screenshots failed."; }
ls -1 "$OUT"/*.png
