#!/usr/bin/env bash
# Command 1 -- run it:  scripts/run.sh
#
# Prepares the virtualenv (Odoo's requirements + dev tools, only when they changed), finds or
# starts PostgreSQL, creates the database with aftersales_service and its demo data (or upgrades
# it on later runs) and serves it on http://127.0.0.1:${HTTP_PORT:-8069}.
#
#   DB=name           database to create/upgrade   (default aftersales_demo)
#   HTTP_PORT=port    port to serve on             (default 8069)
#   NO_SERVE=1        prepare the database and stop (no server)
source "$(dirname "${BASH_SOURCE[0]}")/_lib.sh"

DB="${DB:-aftersales_demo}"
HTTP_PORT="${HTTP_PORT:-8069}"
ADDON=aftersales_service

check_odoo_src
ensure_system_packages
ensure_wkhtmltopdf
ensure_venv
ensure_postgres

common=(-d "$DB" --db-filter="^$DB\$" --data-dir "$DATA_DIR")
if psql -d postgres -tAc "select 1 from pg_database where datname='$DB'" | grep -q 1; then
    say "Upgrading $ADDON in database $DB"
    rm -f "$LOG_DIR/run-$DB.log"
    odoo_bin "${common[@]}" -u "$ADDON" --load-language=zh_CN,sv_SE --stop-after-init --log-level=warn \
        --logfile="$LOG_DIR/run-$DB.log" \
        || die "Upgrade failed, see $LOG_DIR/run-$DB.log"
else
    say "Creating database $DB with $ADDON and its demo data (a few minutes)"
    rm -f "$LOG_DIR/run-$DB.log"
    odoo_bin "${common[@]}" -i "$ADDON" --stop-after-init --log-level=warn --logfile="$LOG_DIR/run-$DB.log" \
        || die "Install failed, see $LOG_DIR/run-$DB.log"
    # then Chinese and Swedish (the policy's own languages), English staying the default: each
    # user switches in the user menu > My Preferences (loaded at creation they became the default)
    odoo_bin "${common[@]}" --load-language=zh_CN,sv_SE --stop-after-init --log-level=warn \
        --logfile="$LOG_DIR/run-$DB.log" \
        || die "Loading the languages failed, see $LOG_DIR/run-$DB.log"
fi

# a demo that failed to load (Odoo then installs without it) or any other problem is a WARNING
# or ERROR line: stop there rather than serve a half-made demo (the one line tolerated is the
# distribution's wkhtmltopdf saying it ignores a switch, see bad_odoo_log_lines)
bad="$(bad_odoo_log_lines "$LOG_DIR/run-$DB.log")"
if [ -n "$bad" ]; then
    printf '%s\n' "$bad" | head -n 40 >&2
    die "Odoo logged warnings or errors, see $LOG_DIR/run-$DB.log"
fi

cat >&2 <<MSG

  After-Sales demo is ready:  http://127.0.0.1:$HTTP_PORT/odoo  (apps menu -> After-Sales)
  Log in as  admin / admin            (After-Sales manager, all settings)
         or  aftersales_agent / aftersales_agent      (After-Sales user)
         or  aftersales_manager / aftersales_manager  (Customer Service Manager)
         or  erik / erik                      (portal customer: /my, registered units, repair, loaner)
  Languages: English, 简体中文 (zh_CN), Svenska (sv_SE): user menu > My Preferences > Language.
  Database: $DB on $PGHOST:$PGPORT   Stop with Ctrl-C.

MSG
[ -n "${NO_SERVE:-}" ] && exit 0
exec "$VENV/bin/python" "$ODOO_SRC/odoo-bin" --addons-path "$ADDONS_PATH" "${ODOO_DB_ARGS[@]}" "${common[@]}" \
    --http-interface 127.0.0.1 --http-port "$HTTP_PORT" --max-cron-threads 1
