"""W-5: a warranty keeps the terms of its sale. Before 18.0.1.5.0 its after-expiry mode was read
live from its policy (an edit of the policy changed the terms of units already sold). The terms
become the warranty's own: each existing warranty gets its policy's current mode and coverage
(the best record of the terms of its sale there is), before Odoo adds the columns, so that the
upgrade computes nothing and changes no row's meaning."""

import logging

from odoo.tools.sql import column_exists, create_column

_logger = logging.getLogger(__name__)


def migrate(cr, version):
    if not version:
        return
    if not column_exists(cr, "aftersales_warranty", "after_expiry_mode"):
        create_column(cr, "aftersales_warranty", "after_expiry_mode", "varchar")
    if not column_exists(cr, "aftersales_warranty", "coverage"):
        create_column(cr, "aftersales_warranty", "coverage", "jsonb")
    cr.execute(
        """
        UPDATE aftersales_warranty w
           SET after_expiry_mode = p.after_expiry_mode,
               coverage = p.coverage
          FROM aftersales_warranty_policy p
         WHERE p.id = w.policy_id
           AND w.after_expiry_mode IS NULL
        """
    )
    _logger.info("W-5: the terms of %s warranties are now their own", cr.rowcount)
