#!/usr/bin/env bash
# Shared helpers for scripts/run.sh (command 1) and scripts/test.sh (command 2).
# Sourced, not executed. Everything is overridable through the environment:
#   ODOO_SRC    Odoo 18.0 source tree            (default /opt/odoo/18.0 when it is there, else a
#               shallow clone of the 18.0 branch that the scripts make in ~/.cache/aftersales_service/odoo-18.0)
#   ODOO_GIT_URL  where that clone comes from    (default https://github.com/odoo/odoo)
#   WKHTMLTOX_URL the wkhtmltox .deb to try first (default: the 0.12.6.1 patched-Qt build for this distribution)
#   VENV        virtualenv to create/reuse       (default ~/.cache/aftersales_service/venv-py<X.Y>)
#   PYTHON      interpreter for the virtualenv   (default python3)
#   PGHOST/PGPORT/PGUSER  PostgreSQL server, libpq style (default 127.0.0.1:5432, role odoo)
set -euo pipefail

PROJECT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/aftersales_service"
# ODOO_SRC wins; else the usual place; else our own clone (made by check_odoo_src when missing)
ODOO_SRC_GIVEN="${ODOO_SRC:-}"
if [ -z "${ODOO_SRC:-}" ]; then
    ODOO_USUAL_SRC="${ODOO_USUAL_SRC:-/opt/odoo/18.0}"  # scripts/fresh-machine.sh hides it
    if [ -f "$ODOO_USUAL_SRC/odoo-bin" ]; then ODOO_SRC="$ODOO_USUAL_SRC"; else ODOO_SRC="$CACHE_DIR/odoo-18.0"; fi
fi
ODOO_GIT_URL="${ODOO_GIT_URL:-https://github.com/odoo/odoo}"
PYTHON="${PYTHON:-python3}"
PY_VER="$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
VENV="${VENV:-$CACHE_DIR/venv-py${PY_VER}}"
LOG_DIR="${LOG_DIR:-$PROJECT_DIR/.logs}"
# Odoo filestores, shared by every checkout of the project on this machine (keyed by database name)
DATA_DIR="${DATA_DIR:-$CACHE_DIR/data}"
mkdir -p "$LOG_DIR"

say() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31mERROR:\033[0m %s\n' "$1" >&2; exit "${2:-1}"; }

check_odoo_src() {
    if [ ! -f "$ODOO_SRC/odoo-bin" ] && [ -z "$ODOO_SRC_GIVEN" ]; then
        fetch_odoo_src
    fi
    if [ ! -f "$ODOO_SRC/odoo-bin" ] || [ ! -d "$ODOO_SRC/odoo/addons/base" ]; then
        die "No Odoo 18.0 source tree at ODOO_SRC=$ODOO_SRC.
       Unset ODOO_SRC to let the scripts clone Odoo 18.0 into $CACHE_DIR/odoo-18.0,
       or point ODOO_SRC at an existing checkout:  ODOO_SRC=/path/to/odoo $0" 3
    fi
    local release
    release="$(sed -n 's/^version_info = (\([0-9]*\), \([0-9]*\).*/\1.\2/p' "$ODOO_SRC/odoo/release.py")"
    [ "$release" = "18.0" ] || die "ODOO_SRC=$ODOO_SRC is Odoo '$release', this addon needs 18.0." 3
}

# No Odoo tree anywhere: a shallow clone of the 18.0 branch in our cache folder (once; about
# 1 GB, a few minutes). ODOO_GIT_URL may point at a mirror (file:///..., a company proxy).
fetch_odoo_src() {
    command -v git >/dev/null || ensure_system_packages git
    say "No Odoo 18.0 source tree found: cloning the 18.0 branch of $ODOO_GIT_URL into $ODOO_SRC (once, a few minutes)"
    rm -rf "$ODOO_SRC.partial"
    mkdir -p "$(dirname "$ODOO_SRC")"
    git clone -q --depth 1 --single-branch -b 18.0 "$ODOO_GIT_URL" "$ODOO_SRC.partial" >"$LOG_DIR/odoo-clone.log" 2>&1 \
        || die "Could not clone Odoo 18.0 from $ODOO_GIT_URL (see $LOG_DIR/odoo-clone.log).
       Clone it yourself (git clone --depth 1 -b 18.0 https://github.com/odoo/odoo /opt/odoo/18.0)
       or set ODOO_SRC to an Odoo 18.0 tree, or ODOO_GIT_URL to a reachable mirror." 3
    mv "$ODOO_SRC.partial" "$ODOO_SRC"   # only a whole clone takes the name
}

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"
    elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo "$@"
    else return 1
    fi
}

# Debian packages needed to build Odoo's requirements (and chromium for tours); installed when missing.
ensure_system_packages() {
    command -v dpkg-query >/dev/null || return 0
    local wanted=(build-essential libldap2-dev libsasl2-dev libpq-dev libxml2-dev libxslt1-dev libjpeg-dev zlib1g-dev "$@")
    local missing=() p
    for p in "${wanted[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    say "Installing system packages: ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >"$LOG_DIR/apt.log" 2>&1 \
        || { as_root apt-get update -q >>"$LOG_DIR/apt.log" 2>&1 \
             && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >>"$LOG_DIR/apt.log" 2>&1; } \
        || die "Could not install ${missing[*]} (see $LOG_DIR/apt.log); install them yourself and rerun."
}

# Virtualenv with Odoo's requirements + dev tools; rebuilt only when an input changed.
ensure_venv() {
    local stamp_src stamp
    stamp_src="$(cat "$ODOO_SRC/requirements.txt" "$PROJECT_DIR/requirements-dev.txt" "$PROJECT_DIR/constraints.txt"; "$PYTHON" -VV)"
    stamp="$(printf '%s' "$stamp_src" | sha256sum | cut -d' ' -f1)"
    if [ -x "$VENV/bin/python" ] && [ "$(cat "$VENV/.aftersales_stamp" 2>/dev/null)" = "$stamp" ]; then
        return 0
    fi
    say "Preparing virtualenv $VENV (Odoo requirements + dev tools, a few minutes the first time)"
    [ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
    # The constraint must reach the isolated build environments of sdists (setuptools<81):
    # PIP_CONSTRAINT does for pip < 25.3, PIP_BUILD_CONSTRAINT for newer pips.
    export PIP_CONSTRAINT="$PROJECT_DIR/constraints.txt" PIP_BUILD_CONSTRAINT="$PROJECT_DIR/constraints.txt"
    "$VENV/bin/pip" install -q --upgrade pip wheel "setuptools<81" \
        >"$LOG_DIR/pip.log" 2>&1 || die "pip bootstrap failed, see $LOG_DIR/pip.log"
    "$VENV/bin/pip" install -q \
        -r "$ODOO_SRC/requirements.txt" -r "$PROJECT_DIR/requirements-dev.txt" >>"$LOG_DIR/pip.log" 2>&1 \
        || die "pip install failed, see $LOG_DIR/pip.log"
    echo "$stamp" >"$VENV/.aftersales_stamp"
}

# Odoo is used from its source tree, like every addon repository does.
export PYTHONPATH="$ODOO_SRC${PYTHONPATH:+:$PYTHONPATH}"
ADDONS_PATH="$ODOO_SRC/addons,$ODOO_SRC/odoo/addons,$PROJECT_DIR"

# PostgreSQL: the server libpq finds (PG* variables or 127.0.0.1:5432); an `odoo` role is created
# when we may; with no server reachable, a private cluster in $PROJECT_DIR/.pgdata (never as root).
ensure_postgres() {
    export PGHOST="${PGHOST:-127.0.0.1}" PGPORT="${PGPORT:-5432}"
    local pgbin
    pgbin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
    [ -n "$pgbin" ] && PATH="$PATH:$pgbin"
    if ! pg_isready -q -h "$PGHOST" -p "$PGPORT" 2>/dev/null; then
        start_private_cluster "$pgbin"
    fi
    export PGUSER="${PGUSER:-odoo}"
    if [ "$PGUSER" != postgres ] \
        && ! psql -d postgres -U "$PGUSER" -tAc 'select 1' >/dev/null 2>&1; then
        say "Creating PostgreSQL role $PGUSER"
        psql -d postgres -U postgres -v ON_ERROR_STOP=1 -qc "CREATE ROLE \"$PGUSER\" LOGIN CREATEDB" >/dev/null 2>&1 \
            || as_root runuser -u postgres -- psql -h "$PGHOST" -p "$PGPORT" -qc "CREATE ROLE \"$PGUSER\" LOGIN CREATEDB" \
            || die "Cannot connect as role $PGUSER to $PGHOST:$PGPORT and cannot create it; set PGUSER/PGPASSWORD."
    fi
    [ "$PGUSER" = postgres ] && die "Odoo refuses to connect as 'postgres': set PGUSER to another role."
    ODOO_DB_ARGS=(--db_host "$PGHOST" --db_port "$PGPORT" --db_user "$PGUSER")
    [ -n "${PGPASSWORD:-}" ] && ODOO_DB_ARGS+=(--db_password "$PGPASSWORD")
    return 0
}

start_private_cluster() {
    local pgbin="$1" data="$PROJECT_DIR/.pgdata" runas=()
    [ -x "$pgbin/initdb" ] || die "No PostgreSQL server reachable at ${PGHOST}:${PGPORT} and no PostgreSQL binaries installed (apt install postgresql)."
    if [ "$(id -u)" = 0 ]; then
        id postgres >/dev/null 2>&1 || die "Refusing to run a private PostgreSQL cluster as root and no 'postgres' user exists."
        runas=(runuser -u postgres --)
    fi
    export PGHOST="$data" PGPORT="${PRIVATE_PGPORT:-54329}"
    if [ ! -f "$data/PG_VERSION" ]; then
        say "No PostgreSQL server reachable: creating a private cluster in $data"
        mkdir -p "$data"; [ ${#runas[@]} -gt 0 ] && chown postgres "$data"
        "${runas[@]}" "$pgbin/initdb" -D "$data" -U postgres --auth=trust >"$LOG_DIR/initdb.log" 2>&1 \
            || die "initdb failed, see $LOG_DIR/initdb.log"
    fi
    if ! pg_isready -q -h "$PGHOST" -p "$PGPORT"; then
        "${runas[@]}" "$pgbin/pg_ctl" -D "$data" -l "$data/server.log" -w \
            -o "-k $data -p $PGPORT -c listen_addresses=''" start >/dev/null \
            || die "Private PostgreSQL did not start, see $data/server.log"
    fi
}

# wkhtmltopdf, which Odoo needs for every PDF: the build Odoo recommends (0.12.6.1 with patched Qt,
# the wkhtmltox package of the distribution, from wkhtmltopdf's own releases) where it can be
# downloaded, else the distribution's own package. An installed wkhtmltopdf is kept as it is.
ensure_wkhtmltopdf() {
    command -v wkhtmltopdf >/dev/null && return 0
    command -v dpkg >/dev/null || die "wkhtmltopdf is missing: install wkhtmltox 0.12.6.1 (https://wkhtmltopdf.org/downloads.html)."
    local codename arch url deb
    codename="$(. /etc/os-release && echo "${VERSION_CODENAME:-}")"
    arch="$(dpkg --print-architecture)"
    url="${WKHTMLTOX_URL:-https://github.com/wkhtmltopdf/packaging/releases/download/0.12.6.1-3/wkhtmltox_0.12.6.1-3.${codename}_${arch}.deb}"
    deb="$(mktemp --suffix=.deb)"
    if command -v curl >/dev/null \
        && curl -fsSL --connect-timeout 10 --max-time 300 -o "$deb" "$url" 2>>"$LOG_DIR/apt.log"; then
        say "Installing wkhtmltox 0.12.6.1 (patched Qt) from $url"
        chmod 644 "$deb"
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$deb" >>"$LOG_DIR/apt.log" 2>&1 \
            || { as_root apt-get update -q >>"$LOG_DIR/apt.log" 2>&1 \
                 && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$deb" >>"$LOG_DIR/apt.log" 2>&1; } \
            || say "wkhtmltox did not install (see $LOG_DIR/apt.log): using the distribution's wkhtmltopdf"
    else
        say "wkhtmltox 0.12.6.1 cannot be downloaded here: using the distribution's wkhtmltopdf (unpatched Qt)"
    fi
    rm -f "$deb"
    command -v wkhtmltopdf >/dev/null || ensure_system_packages wkhtmltopdf
}

# The one log line tolerated, and only from a wkhtmltopdf built on unpatched Qt (the
# distribution's package): Odoo passes --header-spacing, --header-html and --footer-html to every
# report with the company's layout; that build ignores the three switches (the PDF is whole, but
# without the company's header and footer band) and says so on stderr, which Odoo logs as one
# WARNING per PDF. Its exact text, nothing else (wkhtmltox 0.12.6.1 prints none of it).
WKHTMLTOPDF_UNPATCHED_QT_LINE=' WARNING [^ ]+ odoo\.addons\.base\.models\.ir_actions_report: wkhtmltopdf: The switch --header-spacing, is not support using unpatched qt, and will be ignored\.The switch --header-html, is not support using unpatched qt, and will be ignored\.The switch --footer-html, is not support using unpatched qt, and will be ignored\. ?$'
# Qt (inside wkhtmltopdf) wants a private runtime folder, and warns on stderr -- a WARNING in the
# Odoo log -- when the session has none (services, containers, CI)
if [ -z "${XDG_RUNTIME_DIR:-}" ] || [ ! -d "$XDG_RUNTIME_DIR" ]; then
    export XDG_RUNTIME_DIR="$CACHE_DIR/runtime-$(id -u)"
    mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
fi
wkhtmltopdf_unpatched() {
    command -v wkhtmltopdf >/dev/null && ! wkhtmltopdf --version 2>/dev/null | grep -q 'with patched qt'
}

# WARNING / ERROR / CRITICAL lines and tracebacks of an Odoo log, less the tolerated ones.
# bad_odoo_log_lines LOG [EXTRA_TOLERATED_REGEX]
bad_odoo_log_lines() {
    local log="$1" tolerated="${2:-}"
    if wkhtmltopdf_unpatched; then
        tolerated="${tolerated:+$tolerated|}$WKHTMLTOPDF_UNPATCHED_QT_LINE"
    fi
    grep -nE '^[0-9-]+ [0-9:,]+ [0-9]+ (WARNING|ERROR|CRITICAL) |^Traceback ' "$log" \
        | { if [ -n "$tolerated" ]; then grep -vE "$tolerated"; else cat; fi; } || true
}

odoo_bin() { "$VENV/bin/python" "$ODOO_SRC/odoo-bin" --addons-path "$ADDONS_PATH" "${ODOO_DB_ARGS[@]}" "$@"; }
