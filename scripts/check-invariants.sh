#!/usr/bin/env bash
# The money invariants (aftersales_service/data/invariants.sql) on one database: each block
# selects the rows that break a rule of the addon (credited beyond received, a compensation not
# as approved and accepted or to another customer, an unpaid case invoiced, an active warranty
# past its end, a document made twice...). Any row fails the command.
#
#   scripts/check-invariants.sh DATABASE
#
# Called by scripts/test.sh (the test database, after the suite), scripts/load.sh (after the
# load) and scripts/test-upgrade.sh (each upgraded database).
set -euo pipefail
# shellcheck source=scripts/_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/_lib.sh"
DB="${1:?usage: scripts/check-invariants.sh DATABASE}"
SQL_FILE="$PROJECT_DIR/aftersales_service/data/invariants.sql"
export PGHOST="${PGHOST:-127.0.0.1}" PGPORT="${PGPORT:-5432}" PGUSER="${PGUSER:-odoo}"

blocks="$(mktemp -d)"
trap 'rm -rf "$blocks"' EXIT
awk -v dir="$blocks" '/^-- invariant: /{n++; file=sprintf("%s/%03d-%s.sql", dir, n, $3)} n{print > file}' "$SQL_FILE"
checked=0 broken=0
for block in "$blocks"/*.sql; do
    name="$(basename "$block" .sql)"
    name="${name#*-}"
    rows="$(psql -d "$DB" -v ON_ERROR_STOP=1 -tA -F' ' -f "$block")" || die "invariant $name: the query failed on $DB"
    checked=$((checked + 1))
    if [ -n "$rows" ]; then
        broken=$((broken + 1))
        printf '\033[1;31mbroken:\033[0m %s (%s rows): %s\n' "$name" "$(wc -l <<<"$rows")" \
            "$(head -n 5 <<<"$rows" | tr '\n' ';')" >&2
    fi
done
[ "$checked" -gt 0 ] || die "no invariant found in $SQL_FILE"
[ "$broken" = 0 ] || die "$broken of $checked money invariants are broken in $DB"
say "Money invariants: $checked checked on $DB, none broken"
