"""Shared start-up of the benchmark scripts: Odoo from ``ODOO_SRC``, the project's addons, the
PostgreSQL server of the ``PG*`` variables, and the registry of the given database."""

import os
import sys

ODOO_SRC = os.environ.get("ODOO_SRC", "/opt/odoo/18.0")
PROJECT_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ODOO_SRC not in sys.path:
    sys.path.insert(0, ODOO_SRC)

import odoo  # noqa: E402


def open_registry(database):
    odoo.tools.config.parse_config(
        [
            "-d",
            database,
            f"--addons-path={ODOO_SRC}/addons,{ODOO_SRC}/odoo/addons,{PROJECT_DIR}",
            f"--db_host={os.environ.get('PGHOST', '127.0.0.1')}",
            f"--db_port={os.environ.get('PGPORT', '5432')}",
            f"--db_user={os.environ.get('PGUSER', 'odoo')}",
            "--log-level=warn",
        ]
    )
    return odoo.modules.registry.Registry(database)
