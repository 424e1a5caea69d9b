"""V-1: every customer is in a class. Before 18.0.1.4.0 the default class was "none" (no
periodic revisit), so customers nobody classified were never revisited: they become "normal",
as customers created since then are. A class set since then is kept."""

import logging

_logger = logging.getLogger(__name__)


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """
        UPDATE res_partner
           SET service_class = 'normal', service_class_source = 'default'
         WHERE service_class IS NULL OR service_class = 'none'
        """
    )
    _logger.info("V-1: %s partners without a class are now Normal customers", cr.rowcount)
