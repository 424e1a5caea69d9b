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


def manager_env(cr):
    """The environment of a normal user, tracking on (never the superuser): an After-Sales manager
    of the database (the demo one), else the administrator user. Returns ``(env, login)``."""
    admin = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
    manager = admin["res.users"].search(
        [("groups_id", "in", admin.ref("aftersales_service.group_aftersales_manager").id), ("id", ">", 2)],
        limit=1,
        order="id",
    ) or admin.ref("base.user_admin")
    return odoo.api.Environment(cr, manager.id, {}), manager.login
