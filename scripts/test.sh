#!/usr/bin/env bash
# Command 2 -- test it:  scripts/test.sh [extra pytest args, e.g. a test file or -k expr]
#
# Builds a fresh test database (drop + create), installs aftersales_service with its demo data
# (fails on any WARNING/ERROR/traceback in the install log), runs pytest with pytest-odoo over
# aftersales_service/tests (HttpCase tours included), then the linters. Non-zero on any failure.
#
#   TEST_DB=name      database to (re)build            (default aftersales_test)
#   FAST=1            start from a cached template with Odoo's own modules installed
#                     (for development; CI and the default build everything)
#   SKIP_LINT=1       skip ruff / pylint-odoo          SKIP_INSTALL=1  reuse TEST_DB as it is
source "$(dirname "${BASH_SOURCE[0]}")/_lib.sh"

TEST_DB="${TEST_DB:-aftersales_test}"
ADDON=aftersales_service
started=$SECONDS

check_odoo_src
ensure_system_packages chromium
ensure_wkhtmltopdf  # the tests render every report as a real PDF
ensure_venv
ensure_postgres

install_log="$LOG_DIR/install-$TEST_DB.log"
test_log="$LOG_DIR/tests-$TEST_DB.log"
conf="$LOG_DIR/odoo-$TEST_DB.conf"
cat >"$conf" <<CONF
[options]
addons_path = $ADDONS_PATH
db_host = $PGHOST
db_port = $PGPORT
db_user = $PGUSER
db_password = ${PGPASSWORD:-False}
db_name = $TEST_DB
dbfilter = ^$TEST_DB\$
data_dir = $DATA_DIR
logfile = $test_log
max_cron_threads = 0
CONF

# Any of these in an Odoo log is a bug (DEVELOPERS.md): warnings, errors, tracebacks.
check_log() {
    local log="$1" what="$2" bad
    # The one line ignored besides the distribution's wkhtmltopdf (bad_odoo_log_lines): pytest-odoo
    # imports odoo.tests before it reads Odoo's configuration, and Odoo complains that its test
    # framework is imported outside test mode.
    bad="$(bad_odoo_log_lines "$log" \
        ' ERROR \? odoo\.tests\.common: Importing test framework, avoid importing from business modules')"
    if [ -n "$bad" ]; then
        printf '%s\n' "$bad" | head -n 40 >&2
        die "$what wrote warnings/errors to the Odoo log ($log)."
    fi
}

deps_template() {
    # Odoo's own modules the addon depends on, installed once with demo data, keyed on the
    # manifest's depends and the Odoo tree (any change builds a new template).
    local deps key tmpl
    deps="$("$VENV/bin/python" -c "import ast,sys; print(','.join(ast.literal_eval(open(sys.argv[1]).read())['depends']))" "$PROJECT_DIR/$ADDON/__manifest__.py")"
    key="$(printf '%s %s %s' "$deps" "$ODOO_SRC" "$(stat -c %Y "$ODOO_SRC/odoo/release.py")" | sha256sum | cut -c1-10)"
    tmpl="aftersales_tmpl_$key"
    if ! psql -d postgres -tAc "select 1 from pg_database where datname='$tmpl'" | grep -q 1; then
        say "Building template database $tmpl ($deps)"
        createdb "$tmpl"
        odoo_bin -d "$tmpl" -i "$deps" --data-dir "$DATA_DIR" --stop-after-init --log-level=warn \
            --logfile="$LOG_DIR/template.log" >&2 \
            || { dropdb "$tmpl"; die "Template build failed, see $LOG_DIR/template.log"; }
    fi
    echo "$tmpl"
}

if [ -z "${SKIP_INSTALL:-}" ]; then
    say "Fresh test database $TEST_DB"
    dropdb --if-exists --force "$TEST_DB" 2>/dev/null || dropdb --if-exists "$TEST_DB"  # --force: PostgreSQL 13+
    if [ -n "${FAST:-}" ]; then
        tmpl="$(deps_template)"
        createdb -T "$tmpl" "$TEST_DB"
        rm -rf "$DATA_DIR/filestore/$TEST_DB"
        if [ -d "$DATA_DIR/filestore/$tmpl" ]; then
            cp -r "$DATA_DIR/filestore/$tmpl" "$DATA_DIR/filestore/$TEST_DB"
        fi
    else
        createdb "$TEST_DB"
    fi
    say "Installing $ADDON with demo data (log: $install_log)"
    : >"$install_log"
    odoo_bin -c "$conf" -d "$TEST_DB" -i "$ADDON" --stop-after-init --log-level=info --logfile="$install_log" \
        || { tail -n 40 "$install_log" >&2; die "Installing $ADDON failed."; }
    check_log "$install_log" "Installing $ADDON"
fi

say "Running pytest on real Odoo ($TEST_DB, log: $test_log)"
: >"$test_log"
pytest_out="$LOG_DIR/pytest-$TEST_DB.out"
set +e
(cd "$PROJECT_DIR" && CHROME_BIN="$(command -v chromium || true)" "$VENV/bin/pytest" \
    --odoo-config="$conf" --odoo-database="$TEST_DB" --odoo-log-level=info --odoo-http \
    -p no:cacheprovider -o addopts="" \
    -W "ignore:pkg_resources is deprecated as an API:UserWarning" \
    "${@:-$ADDON/tests}") 2>&1 | tee "$pytest_out"
rc=${PIPESTATUS[0]}
set -e
summary="$(grep -E '^=+ .*(passed|failed|error|skipped|no tests ran).* in [0-9.]+s' "$pytest_out" | tail -n 1)"
[ "$rc" = 0 ] || die "pytest failed (exit $rc): ${summary:-no summary}"
if grep -qE 'skipped' <<<"$summary"; then
    die "pytest skipped tests ($summary): a skipped test tests nothing here."
fi
check_log "$test_log" "The test run"
# the money invariants on the demo data the suite ran on (issue "Locked by design")
"$PROJECT_DIR/scripts/check-invariants.sh" "$TEST_DB" || die "The money invariants are broken in $TEST_DB."

if [ -z "${SKIP_LINT:-}" ]; then
    say "Linters: ruff, pylint-odoo (mandatory checks)"
    lint_paths=("$ADDON")
    [ -d "$PROJECT_DIR/benchmarks" ] && lint_paths+=(benchmarks)
    (cd "$PROJECT_DIR" && "$VENV/bin/ruff" check "${lint_paths[@]}" && "$VENV/bin/ruff" format --check "${lint_paths[@]}") \
        || die "ruff found problems (fix: $VENV/bin/ruff check --fix . && $VENV/bin/ruff format .)."
    (cd "$PROJECT_DIR" && "$VENV/bin/pylint" --rcfile=.pylintrc-mandatory "$ADDON") \
        || die "pylint-odoo found problems."
    (cd "$PROJECT_DIR" && "$VENV/bin/python" scripts/gen_readme.py --check) \
        || die "$ADDON/README.rst is out of date (fix: python3 scripts/gen_readme.py)."
fi

say "All green in $((SECONDS - started))s -- $summary"
