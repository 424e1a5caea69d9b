#!/usr/bin/env bash
# Release check: the README's two commands as a new user runs them, from an empty cache, in both
# orders -- `scripts/run.sh` then `scripts/test.sh`, and `scripts/test.sh` then `scripts/run.sh`.
#
# Each order gets a throwaway HOME (so a new virtualenv and, unless told otherwise, a new clone of
# Odoo 18.0 made by the commands themselves), its own log folder and its own database names; the
# PostgreSQL server is the one the commands find. run.sh really serves: the script waits for the
# login page to answer 200, then stops the server. Any failure stops the script non-zero.
#
#   ODOO_GIT_URL=url   where the commands clone Odoo from (default GitHub; offline, a local
#                      mirror: ODOO_GIT_URL=file:///srv/mirrors/odoo.git)
#   USE_ODOO_SRC=1     use ODOO_SRC or /opt/odoo/18.0 instead of cloning (the clone is skipped)
#   ORDERS="run-test test-run"   the orders to check (default both)
#   TESTS="..."        what scripts/test.sh runs (default: the whole suite; e.g.
#                      TESTS=aftersales_service/tests/test_reports_pdf.py for a quicker check)
#   NO_WKHTMLTOPDF=1   remove the installed wkhtmltopdf first (root), so the commands install it
#   KEEP=1             keep the throwaway folders (default: removed on success)
set -euo pipefail
PROJECT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ORDERS="${ORDERS:-run-test test-run}"
PORT="${FRESH_HTTP_PORT:-8091}"
say() { printf '\033[1;35m[fresh-machine]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[fresh-machine] FAILED:\033[0m %s\n' "$1" >&2; exit 1; }

if [ -n "${NO_WKHTMLTOPDF:-}" ] && command -v wkhtmltopdf >/dev/null; then
    say "Removing wkhtmltopdf ($(command -v wkhtmltopdf)): the commands must install it"
    [ "$(id -u)" = 0 ] || die "NO_WKHTMLTOPDF=1 needs root"
    for package in wkhtmltox wkhtmltopdf; do  # either may be the one installed
        DEBIAN_FRONTEND=noninteractive apt-get remove -y -q "$package" >/dev/null 2>&1 || true
    done
    hash -r
    command -v wkhtmltopdf >/dev/null && die "wkhtmltopdf is still installed"
fi

run_demo() {  # command 1, then the login page of the server it starts
    local home="$1" db="$2" log="$3/run.out" pid code=""
    (cd "$PROJECT_DIR" && exec env "${env[@]}" DB="$db" HTTP_PORT="$PORT" scripts/run.sh) >"$log" 2>&1 &
    pid=$!
    for _ in $(seq 1 1800); do
        kill -0 "$pid" 2>/dev/null || break
        code="$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/web/login" || true)"
        [ "$code" = 200 ] && break
        sleep 1
    done
    if [ "$code" != 200 ]; then
        kill "$pid" 2>/dev/null || true
        tail -n 30 "$log" >&2
        die "command 1 (scripts/run.sh) did not serve the demo (HOME=$home, log $log)"
    fi
    say "command 1: the demo database $db is served, /web/login answers $code"
    kill "$pid"; wait "$pid" 2>/dev/null || true
}

run_tests() {  # command 2
    local log="$3/test.out"
    # shellcheck disable=SC2086 # TESTS is a list of pytest arguments
    if ! (cd "$PROJECT_DIR" && env "${env[@]}" TEST_DB="$2" scripts/test.sh ${TESTS:-}) >"$log" 2>&1; then
        tail -n 30 "$log" >&2
        die "command 2 (scripts/test.sh) failed (HOME=$1, log $log)"
    fi
    say "command 2: $(tail -n 1 "$log" | sed 's/\x1b\[[0-9;]*m//g')"
}

for order in $ORDERS; do
    home="$(mktemp -d "${TMPDIR:-/tmp}/aftersales-fresh-$order.XXXXXX")"
    tag="fresh_$(echo "$order" | tr - _)_$$"
    env=(HOME="$home" XDG_CACHE_HOME="$home/.cache" LOG_DIR="$home/logs" PIP_CACHE_DIR="$home/.cache/pip")
    if [ -z "${USE_ODOO_SRC:-}" ]; then
        env+=(ODOO_SRC= ODOO_USUAL_SRC="$home/no-odoo-here")
        [ -n "${ODOO_GIT_URL:-}" ] && env+=(ODOO_GIT_URL="$ODOO_GIT_URL")
    fi
    mkdir -p "$home/logs"
    started=$SECONDS
    say "order $order in HOME=$home (databases ${tag}_demo, ${tag}_test)"
    case "$order" in
        run-test) run_demo "$home" "${tag}_demo" "$home/logs"; run_tests "$home" "${tag}_test" "$home/logs" ;;
        test-run) run_tests "$home" "${tag}_test" "$home/logs"; run_demo "$home" "${tag}_demo" "$home/logs" ;;
        *) die "unknown order $order (run-test or test-run)" ;;
    esac
    if [ -z "${USE_ODOO_SRC:-}" ]; then
        [ -f "$home/.cache/aftersales_service/odoo-18.0/odoo-bin" ] || die "the commands did not clone Odoo"
        say "Odoo was cloned by the commands: $(git -C "$home/.cache/aftersales_service/odoo-18.0" log -1 --format='%h %cd' --date=short)"
    fi
    say "order $order passed in $((SECONDS - started)) s"
    PGHOST="${PGHOST:-127.0.0.1}" PGUSER="${PGUSER:-odoo}" dropdb --if-exists "${tag}_demo" 2>/dev/null || true
    PGHOST="${PGHOST:-127.0.0.1}" PGUSER="${PGUSER:-odoo}" dropdb --if-exists "${tag}_test" 2>/dev/null || true
    [ -n "${KEEP:-}" ] || rm -rf "$home"
done
say "both commands passed from nothing in every order: $ORDERS"
