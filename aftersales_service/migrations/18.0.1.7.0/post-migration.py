"""Portal tokens are drawn when a document is created (``tools.new_access_token``): the portal
pages run on read-only cursors, a replica when Odoo has ``--db_replica_host``, and must not write
a token on the first view. Documents created before 18.0.1.7.0 get theirs now."""

import logging

from odoo.tools import SQL

_logger = logging.getLogger(__name__)

TABLES = ("aftersales_case", "aftersales_warranty", "aftersales_return", "aftersales_field_visit")


def migrate(cr, version):
    if not version:
        return
    for table in TABLES:
        cr.execute(
            SQL(
                "UPDATE %s SET access_token = gen_random_uuid()::text WHERE access_token IS NULL",
                SQL.identifier(table),
            )
        )
        _logger.info("%s: %s portal tokens drawn", table, cr.rowcount)
