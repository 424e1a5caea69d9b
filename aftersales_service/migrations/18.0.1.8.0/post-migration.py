"""18.0.1.8.0: a return line carries several serials (``lot_ids``, ``lot_id`` is the first) and
goods without stock moves are refunded after a confirmed receipt. Lines written before keep
their serial, and their approved goods without moves stay refundable as they were."""

import logging

_logger = logging.getLogger(__name__)


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """
        INSERT INTO aftersales_return_line_lot_rel (line_id, lot_id)
             SELECT id, lot_id FROM aftersales_return_line WHERE lot_id IS NOT NULL
        ON CONFLICT DO NOTHING
        """
    )
    _logger.info("aftersales.return.line: %s serials kept", cr.rowcount)
    cr.execute(
        """
        UPDATE aftersales_return_line l
           SET qty_received_confirmed = l.qty_approved, qty_received = l.qty_approved
          FROM product_product p, product_template t, aftersales_return r
         WHERE p.id = l.product_id AND t.id = p.product_tmpl_id AND r.id = l.return_id
           AND NOT t.is_storable
           AND r.state IN ('approved', 'waiting_goods', 'received', 'done')
        """
    )
    _logger.info("aftersales.return.line: %s lines without stock moves kept refundable", cr.rowcount)
