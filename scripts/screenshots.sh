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
check_odoo_src
ensure_postgres
if [ -n "${FRESH:-}" ] || ! psql -d postgres -tAc "select 1 from pg_database where datname='$TEST_DB'" | grep -q 1; then
    say "Building $TEST_DB (the addon with its demo data) first"
    SKIP_LINT=1 "$PROJECT_DIR/scripts/test.sh" "$PROJECT_DIR/aftersales_service/tests/test_harness.py"
fi
mkdir -p "$OUT"
say "Taking the screenshots into $OUT"
AFTERSALES_SCREENSHOTS="$OUT" SKIP_INSTALL=1 SKIP_LINT=1 TEST_DB="$TEST_DB" \
    "$PROJECT_DIR/scripts/test.sh" "aftersales_service/tests/screens.py"
ls -1 "$OUT"/*.png
