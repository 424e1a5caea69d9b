#!/usr/bin/env bash
# Upgrades keep everything (issue 23, item 3): for each earlier released version of the addon,
# install that version from the git history with its demo data into a scratch database, upgrade it
# to the working tree (-u aftersales_service, same database and filestore) and fail unless
#   - the upgrade is clean: exit 0, no ERROR/CRITICAL line and no traceback in its Odoo log, and
#     the module's installed version is the working tree's afterwards;
#   - every after-sales row is still there with the same states, dates, datetimes, amounts,
#     quantities and links (every table named aftersales_*, and relation tables pointing at them;
#     compared on the columns that exist before and after, write_date/write_uid excepted);
#   - every invoice / credit note linked to an after-sales record is still linked to it, with the
#     same state, move_type and amount_total.
#
#   scripts/test-upgrade.sh                      every released version (about 3 minutes for five, 2 cores)
#   VERSIONS="18.0.1.4.0" scripts/test-upgrade.sh    only these released versions
#   KEEP_DB=1                                     keep the scratch databases (aftersales_upgrade_*)
#   OLD_INSTALL_TIME="2026-12-06 22:30:00"        install the old versions at this UTC time (faketime)
#
# A released version is the manifest's "version" on the last commit before the manifest was
# bumped: the tag named after the version when there is one, otherwise found in `git log` of
# __manifest__.py (the CI checkout need not carry tags). Odoo's own modules are installed once
# (with demo data) into a template database that each version's scratch database starts from.
# Logs: .logs/upgrade-<version>-install.log, -upgrade.log, -diff.txt.
source "$(dirname "${BASH_SOURCE[0]}")/_lib.sh"

ADDON=aftersales_service
MANIFEST="$ADDON/__manifest__.py"
DB_PREFIX=aftersales_upgrade_
BASE_DB="${DB_PREFIX}base"
started=$SECONDS

# Values an upgrade is meant to change, as "table.column" (the diff ignores them). Each entry
# names the migration that changes it; anything else that changes is a failure.
ALLOWED_CHANGES=(
)

check_odoo_src
ensure_venv
ensure_postgres

WORK_DIR="$(mktemp -d "${TMPDIR:-/tmp}/aftersales-upgrade.XXXXXX")"
CREATED_DBS=()
failed=()
cleanup() {
    local db
    if [ "${KEEP_DB:-}" = 1 ]; then
        [ ${#CREATED_DBS[@]} -gt 0 ] && say "KEEP_DB=1: kept ${CREATED_DBS[*]}"
    else
        for db in "${CREATED_DBS[@]}"; do drop_db "$db"; done
    fi
    rm -rf "$WORK_DIR"
}
trap cleanup EXIT

drop_db() {
    dropdb --if-exists --force "$1" 2>/dev/null || dropdb --if-exists "$1"
    rm -rf "${DATA_DIR:?}/filestore/$1"
}

git_() { git -C "$PROJECT_DIR" "$@"; }

# The "version" of a manifest read on stdin.
manifest_version() {
    "$VENV/bin/python" -c "import ast,sys; print(ast.literal_eval(sys.stdin.read())['version'])"
}

# "version commit" per released version, oldest first.
released_versions() {
    local current head_version c v pv
    if [ "$(git_ rev-parse --is-shallow-repository)" = true ]; then
        git_ fetch --quiet --unshallow \
            || die "Shallow git checkout and 'git fetch --unshallow' failed: the releases are in the history."
    fi
    current="$(manifest_version <"$PROJECT_DIR/$MANIFEST")"
    # Commits of the first-parent history that changed the manifest; a bump's parent is a release.
    for c in $(git_ rev-list --first-parent --reverse HEAD -- "$MANIFEST"); do
        git_ cat-file -e "$c^:$MANIFEST" 2>/dev/null || continue
        v="$(git_ show "$c:$MANIFEST" | manifest_version)"
        pv="$(git_ show "$c^:$MANIFEST" | manifest_version)"
        [ "$v" != "$pv" ] && echo "$pv $(git_ rev-parse "$c^")"
    done
    # A bump not committed yet makes HEAD the release of its version.
    head_version="$(git_ show "HEAD:$MANIFEST" | manifest_version)"
    [ "$head_version" != "$current" ] && echo "$head_version $(git_ rev-parse HEAD)"
    return 0
}

release_commit() {  # version, commit found in the log -> the tag's commit when the tag exists
    local tagged
    if tagged="$(git_ rev-parse -q --verify "refs/tags/$1^{commit}")"; then
        [ "$tagged" != "$2" ] && say "$1: tag $1 is $tagged, not ${2:0:7} found in the manifest's log: using the tag"
        echo "$tagged"
    else
        echo "$2"
    fi
}

# Odoo with a given addons path, optionally under faketime: run_odoo <addons_dir> <clock|""> args...
run_odoo() {
    local addons="$ODOO_SRC/addons,$ODOO_SRC/odoo/addons,$1" clock="$2" prefix=()
    shift 2
    # The monotonic clock stays real: Python's threading waits on it (a faked one hangs them).
    [ -n "$clock" ] && prefix=(env TZ=UTC FAKETIME_DONT_FAKE_MONOTONIC=1 faketime -m -f "@$clock")
    "${prefix[@]}" "$VENV/bin/python" "$ODOO_SRC/odoo-bin" --addons-path "$addons" "${ODOO_DB_ARGS[@]}" \
        --data-dir "$DATA_DIR" --no-http --max-cron-threads=0 --stop-after-init --log-level=info "$@"
}

bad_log_lines() {  # ERROR / CRITICAL lines and tracebacks of an Odoo log
    grep -nE '^[0-9-]+ [0-9:,]+ [0-9]+ (ERROR|CRITICAL) |^Traceback ' "$1" || true
}

new_scratch_db() {  # a copy of the template database, filestore included
    drop_db "$1"
    createdb -T "$BASE_DB" "$1"
    CREATED_DBS+=("$1")
    if [ -d "$DATA_DIR/filestore/$BASE_DB" ]; then
        mkdir -p "$DATA_DIR/filestore"
        cp -r "$DATA_DIR/filestore/$BASE_DB" "$DATA_DIR/filestore/$1"
    fi
}

installed_version() {
    psql -d "$1" -tAc "SELECT latest_version FROM ir_module_module WHERE name = '$ADDON' AND state = 'installed'"
}

# A snapshot of the after-sales data in the schema upgrade_check of the scratch database (Odoo
# never looks at other schemas): one row per (table, row key, column, value as text).
SNAPSHOT_SQL=$(cat <<'SQL'
CREATE SCHEMA IF NOT EXISTS upgrade_check;
CREATE TABLE IF NOT EXISTS upgrade_check.cols (tag text, tbl text, col text, typ text);
CREATE TABLE IF NOT EXISTS upgrade_check.snap (tag text, tbl text, key text, col text, val text);
CREATE OR REPLACE FUNCTION upgrade_check.take(p_tag text) RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
    t record;
    l record;
    vals text;
    keyexpr text;
BEGIN
    DELETE FROM upgrade_check.snap WHERE tag = p_tag;
    DELETE FROM upgrade_check.cols WHERE tag = p_tag;
    -- The tables: every aftersales_* table, and relation tables (no id) that point at one;
    -- wizards' (transient) tables are not data.
    FOR t IN
        SELECT c.oid, c.relname AS tbl,
               EXISTS (SELECT 1 FROM pg_attribute a
                        WHERE a.attrelid = c.oid AND a.attname = 'id' AND NOT a.attisdropped) AS has_id
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
         WHERE c.relkind IN ('r', 'p')
           AND c.relname NOT IN (SELECT replace(model, '.', '_') FROM ir_model WHERE transient)
           AND (c.relname LIKE 'aftersales\_%'
                OR (NOT EXISTS (SELECT 1 FROM pg_attribute a
                                 WHERE a.attrelid = c.oid AND a.attname = 'id' AND NOT a.attisdropped)
                    AND EXISTS (SELECT 1 FROM pg_constraint k JOIN pg_class f ON f.oid = k.confrelid
                                 WHERE k.conrelid = c.oid AND k.contype = 'f'
                                   AND f.relname LIKE 'aftersales\_%')))
         ORDER BY c.relname
    LOOP
        INSERT INTO upgrade_check.cols
        SELECT p_tag, t.tbl, column_name, data_type FROM information_schema.columns
         WHERE table_schema = 'public' AND table_name = t.tbl;
        keyexpr := CASE WHEN t.has_id THEN 'r.id::text' ELSE 'row(r.*)::text' END;
        -- The values kept: states, dates and datetimes, numbers (amounts, quantities, links).
        SELECT string_agg(format('(%L, %s)', column_name,
                   CASE WHEN data_type IN ('numeric', 'double precision', 'real')
                        THEN format('trim_scale(r.%I::numeric)::text', column_name)
                        ELSE format('r.%I::text', column_name) END), ', ' ORDER BY column_name)
          INTO vals
          FROM information_schema.columns
         WHERE table_schema = 'public' AND table_name = t.tbl AND t.has_id
           AND column_name NOT IN ('id', 'write_date', 'write_uid')
           AND (data_type IN ('date', 'timestamp without time zone', 'timestamp with time zone',
                              'numeric', 'double precision', 'real', 'integer', 'bigint', 'smallint')
                OR column_name = 'state' OR column_name LIKE '%\_state');
        EXECUTE format('INSERT INTO upgrade_check.snap SELECT %L, %L, %s, v.col, v.val FROM %I r '
                       'CROSS JOIN LATERAL (VALUES (''(row)'', '''')%s) v(col, val)',
                       p_tag, t.tbl, keyexpr, t.tbl, COALESCE(', ' || vals, ''));
    END LOOP;
    -- Invoices and credit notes linked to after-sales records: (table, after-sales column, move
    -- column) of every table with a foreign key to an aftersales_* table and one to account_move;
    -- an aftersales_* table's own id and account_move's own id count as such keys.
    FOR l IN
        WITH fk AS (
            SELECT c.relname AS tbl, a.attname AS col, f.relname AS target
              FROM pg_constraint k
              JOIN pg_class c ON c.oid = k.conrelid
              JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
              JOIN pg_class f ON f.oid = k.confrelid
              JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.conkey[1]
             WHERE k.contype = 'f' AND array_length(k.conkey, 1) = 1
             UNION
            SELECT c.relname, 'id', c.relname
              FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
             WHERE c.relkind = 'r' AND (c.relname LIKE 'aftersales\_%' OR c.relname = 'account_move')
               -- relation tables (aftersales_*_rel) have no id of their own
               AND EXISTS (SELECT 1 FROM pg_attribute i
                            WHERE i.attrelid = c.oid AND i.attname = 'id' AND NOT i.attisdropped)
        )
        SELECT DISTINCT a.tbl, a.col AS acol, m.col AS mcol
          FROM fk a JOIN fk m ON m.tbl = a.tbl AND m.target = 'account_move'
         WHERE a.target LIKE 'aftersales\_%' AND (a.col, m.col) <> ('id', 'id')
           AND (a.tbl LIKE 'aftersales\_%' OR a.tbl LIKE 'account\_move%')
           AND (a.tbl <> 'account_move' OR m.col = 'id')
           AND a.tbl NOT IN (SELECT replace(model, '.', '_') FROM ir_model WHERE transient)
         ORDER BY 1, 2, 3
    LOOP
        EXECUTE format(
            'INSERT INTO upgrade_check.snap SELECT DISTINCT %L, ''account_move'','
            ' ''move '' || m.id || '' <- '' || %L'
            ' || ''.'' || %L || ''='' || r.%I || '' (by '' || %L || '')'', v.col, v.val'
            ' FROM %I r JOIN account_move m ON m.id = r.%I'
            ' CROSS JOIN LATERAL (VALUES (''(row)'', ''''), (''state'', m.state), (''move_type'', m.move_type),'
            ' (''amount_total'', trim_scale(m.amount_total)::text)) v(col, val)'
            ' WHERE r.%I IS NOT NULL',
            p_tag, l.tbl, l.acol, l.acol, l.mcol, l.tbl, l.mcol, l.acol);
    END LOOP;
END
$fn$;
SQL
)

# The differences between the snapshots, one row each (none: the upgrade kept everything):
# rows and move links lost, and values changed in columns that exist before and after, but for
# the :allowed "table.column" list.
DIFF_SQL=$(cat <<'SQL'
WITH b AS (SELECT * FROM upgrade_check.snap WHERE tag = 'before'),
     a AS (SELECT * FROM upgrade_check.snap WHERE tag = 'after'),
     after_cols AS (SELECT DISTINCT tbl, col, typ FROM upgrade_check.cols WHERE tag = 'after')
SELECT b.tbl AS "table", b.key AS "row", '(row)' AS "column", 'present' AS before, 'LOST' AS after
  FROM b
 WHERE b.col = '(row)'
   AND NOT EXISTS (SELECT 1 FROM a WHERE a.tbl = b.tbl AND a.key = b.key AND a.col = '(row)')
 UNION ALL
SELECT b.tbl, b.key, b.col, coalesce(b.val, 'NULL'),
       CASE WHEN a.tbl IS NULL THEN '(now ' || ac.typ || ', not compared)' ELSE coalesce(a.val, 'NULL') END
  FROM b
  JOIN a r ON r.tbl = b.tbl AND r.key = b.key AND r.col = '(row)'
  LEFT JOIN after_cols ac ON ac.tbl = b.tbl AND ac.col = b.col
  LEFT JOIN a ON a.tbl = b.tbl AND a.key = b.key AND a.col = b.col
 WHERE b.col <> '(row)'
   AND (ac.tbl IS NOT NULL OR b.tbl = 'account_move')
   AND (a.tbl IS NULL OR a.val IS DISTINCT FROM b.val)
   AND NOT (b.tbl || '.' || b.col = ANY (string_to_array(:'allowed', ' ')))
 ORDER BY 1, 2, 3
SQL
)

scratch_db_name() { echo "${DB_PREFIX}${1//./_}"; }

# Called in an `if`, where `set -e` is off: every step checks its own status.
check_version() {  # version commit -> 0 when the upgrade keeps everything
    local version="$1" commit="$2" src="$WORK_DIR/$1" db t0 t_install t_upgrade bad got hour
    local log_install="$LOG_DIR/upgrade-$1-install.log" log_upgrade="$LOG_DIR/upgrade-$1-upgrade.log"
    local diff_file="$LOG_DIR/upgrade-$1-diff.txt" clock="${OLD_INSTALL_TIME:-}"
    local n_tables n_rows n_links n_values n_after n_diff dropped
    db="$(scratch_db_name "$version")"
    rm -f "$diff_file"
    say "$version (commit ${commit:0:7}): install with demo data into $db"
    mkdir -p "$src"
    if ! git_ archive "$commit" "$ADDON" | tar -x -C "$src"; then
        say "$version: cannot extract $ADDON from ${commit:0:7}"; return 1
    fi
    got="$(manifest_version <"$src/$MANIFEST")"
    [ "$got" = "$version" ] || { say "$version: commit ${commit:0:7} has version $got"; return 1; }

    t0=$SECONDS
    new_scratch_db "$db" || return 1
    : >"$log_install"
    if ! run_odoo "$src" "$clock" -d "$db" -i "$ADDON" --logfile="$log_install" \
            || [ -n "$(bad_log_lines "$log_install")" ]; then
        # Known bug of 18.0.1.4.0 and older: their demo data may fail to load between 22:00 and
        # 24:00 UTC. Such an install is tried again at midday when faketime is at hand.
        if [ -n "$clock" ]; then hour="$(date -u -d "$clock" +%H)"; else hour="$(date -u +%H)"; fi
        if [ "$hour" -ge 22 ] && { command -v faketime >/dev/null || (ensure_system_packages faketime); } \
                && command -v faketime >/dev/null; then
            clock="$(date -u -d "${clock:-now}" +%F) 12:00:00"
            say "$version: install failed at $hour:xx UTC (the old demo data's clock bug); again at $clock UTC (faketime)"
            cp "$log_install" "$log_install.at-$hour"
            new_scratch_db "$db" || return 1
            : >"$log_install"
            run_odoo "$src" "$clock" -d "$db" -i "$ADDON" --logfile="$log_install"
        elif [ "$hour" -ge 22 ]; then
            say "$version: install failed at $hour:xx UTC and faketime is not available: run after 00:00 UTC"
        fi
        bad="$(bad_log_lines "$log_install")"
        if [ -n "$bad" ] || [ "$(installed_version "$db")" != "$version" ]; then
            printf '%s\n' "${bad:-$(tail -n 20 "$log_install")}" | head -n 20 >&2
            say "$version: installing the old version failed (log: $log_install)"
            return 1
        fi
    fi
    t_install=$((SECONDS - t0))

    psql -d "$db" -v ON_ERROR_STOP=1 -qo /dev/null <<<"$SNAPSHOT_SQL
        SELECT upgrade_check.take('before');" || { say "$version: snapshot failed"; return 1; }

    say "$version: upgrade to the working tree ($CURRENT) with -u $ADDON"
    t0=$SECONDS
    : >"$log_upgrade"
    if ! run_odoo "$PROJECT_DIR" "" -d "$db" -u "$ADDON" --logfile="$log_upgrade"; then
        tail -n 20 "$log_upgrade" >&2
        say "$version: the upgrade failed (log: $log_upgrade)"
        return 1
    fi
    t_upgrade=$((SECONDS - t0))
    bad="$(bad_log_lines "$log_upgrade")"
    if [ -n "$bad" ]; then
        printf '%s\n' "$bad" | head -n 40 >&2
        say "$version: the upgrade wrote errors/tracebacks to its log ($log_upgrade)"
        return 1
    fi
    got="$(installed_version "$db")"
    [ "$got" = "$CURRENT" ] || { say "$version: after the upgrade the module is at '$got', not $CURRENT"; return 1; }
    "$PROJECT_DIR/scripts/check-invariants.sh" "$db" || { say "$version: the money invariants are broken after the upgrade"; return 1; }

    psql -d "$db" -v ON_ERROR_STOP=1 -qo /dev/null -c "SELECT upgrade_check.take('after')" \
        || { say "$version: snapshot failed"; return 1; }
    read -r n_tables n_rows n_links n_values n_after < <(psql -d "$db" -tA -F' ' -c "
        SELECT count(DISTINCT tbl) FILTER (WHERE tbl <> 'account_move'),
               count(*) FILTER (WHERE col = '(row)' AND tbl <> 'account_move'),
               count(*) FILTER (WHERE col = '(row)' AND tbl = 'account_move'),
               count(*) FILTER (WHERE col <> '(row)'),
               (SELECT count(*) FROM upgrade_check.snap WHERE tag = 'after' AND col = '(row)')
          FROM upgrade_check.snap WHERE tag = 'before'")
    say "$version: install ${t_install}s, upgrade ${t_upgrade}s; compared $n_rows rows of $n_tables tables, $n_links links to invoices/credit notes, $n_values values (after: $n_after rows and links)"
    dropped="$(psql -d "$db" -tA -c "
        SELECT string_agg(DISTINCT b.tbl || '.' || b.col, ' ') FROM upgrade_check.cols b
         WHERE b.tag = 'before' AND NOT EXISTS (SELECT 1 FROM upgrade_check.cols a
               WHERE a.tag = 'after' AND a.tbl = b.tbl AND a.col = b.col)")"
    if [ -n "$dropped" ]; then say "$version: columns gone after the upgrade (not compared): $dropped"; fi
    n_diff="$(psql -d "$db" -v ON_ERROR_STOP=1 -v allowed="${ALLOWED_CHANGES[*]}" -tA <<<"$DIFF_SQL" | wc -l)" \
        || { say "$version: comparison failed"; return 1; }
    if [ "$n_diff" != 0 ]; then
        psql -d "$db" -v allowed="${ALLOWED_CHANGES[*]}" -P footer=off <<<"$DIFF_SQL" >"$diff_file"
        head -n 42 "$diff_file" >&2
        say "$version: the upgrade lost or changed data: $n_diff differences (all in $diff_file)"
        return 1
    fi
    return 0
}

CURRENT="$(manifest_version <"$PROJECT_DIR/$MANIFEST")"
mapfile -t releases < <(released_versions)
[ ${#releases[@]} -gt 0 ] || die "No released version of $ADDON found in the git history."
selected=()
for r in "${releases[@]}"; do
    read -r version commit <<<"$r"
    [ -z "${VERSIONS:-}" ] || [[ " $VERSIONS " == *" $version "* ]] || continue
    selected+=("$version $(release_commit "$version" "$commit")")
done
[ ${#selected[@]} -gt 0 ] || die "None of VERSIONS='${VERSIONS:-}' is a released version (${releases[*]})."
say "Upgrades to $CURRENT from: $(for r in "${selected[@]}"; do printf '%s (%s) ' "${r% *}" "$(cut -c1-7 <<<"${r#* }")"; done)"

# Odoo's modules every selected version depends on, with demo data, once.
deps="$(for r in "${selected[@]}"; do git_ show "${r#* }:$MANIFEST" \
    | "$VENV/bin/python" -c "import ast,sys; print(' '.join(ast.literal_eval(sys.stdin.read())['depends']))"; done \
    | tr ' ' '\n' | sort | uniq -c | awk -v n=${#selected[@]} '$1 == n {print $2}' | paste -sd, -)"
say "Template database $BASE_DB: $deps with demo data"
t0=$SECONDS
drop_db "$BASE_DB"
createdb "$BASE_DB"
CREATED_DBS+=("$BASE_DB")
base_log="$LOG_DIR/upgrade-base.log"
: >"$base_log"
run_odoo "$PROJECT_DIR" "" -d "$BASE_DB" -i "$deps" --logfile="$base_log" \
    || die "Installing $deps failed (log: $base_log)."
say "Template ready in $((SECONDS - t0))s"

for r in "${selected[@]}"; do
    t0=$SECONDS
    if check_version "${r% *}" "${r#* }"; then
        say "${r% *} -> $CURRENT: OK in $((SECONDS - t0))s"
    else
        failed+=("${r% *}")
        say "${r% *} -> $CURRENT: FAILED in $((SECONDS - t0))s"
    fi
    if [ "${KEEP_DB:-}" != 1 ]; then drop_db "$(scratch_db_name "${r% *}")"; fi
done

[ ${#failed[@]} -eq 0 ] || die "Upgrade to $CURRENT failed from: ${failed[*]} (logs: $LOG_DIR/upgrade-*)"
say "Upgrades to $CURRENT keep everything, from ${#selected[@]} released versions, in $((SECONDS - started))s"
