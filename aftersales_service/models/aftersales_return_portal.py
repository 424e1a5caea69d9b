# pylint: disable=consider-merging-classes-inherited
# (a rule part of the model, in a room of its own: see docs/ARCHITECTURE.md)
from odoo import _, api, models
from odoo.exceptions import MissingError, UserError, ValidationError
from odoo.tools import float_compare

# context key: {order line id: [lot ids]} of the portal request being prepared
PORTAL_LOTS_KEY = "aftersales_portal_lots"


class AftersalesReturn(models.Model):
    """R-3 on the portal: the customer picks the serials they send back (one return line each)
    and attaches photos or documents, with the limits of the case form."""

    _inherit = "aftersales.return"

    @api.model
    def _portal_returnable_lots(self, sale_lines):
        """{order line id: stock.lot} the serials delivered to the customer on each of
        ``sale_lines`` (serial-tracked products) still with them and not in a return under way.
        Records in sudo: portal customers read neither moves nor serials; callers pass the
        customer's own order lines."""
        # sudo: the deliveries and returns of the customer's own order lines (checked by callers)
        sale_lines = sale_lines.sudo().filtered(lambda sl: sl.product_id.tracking == "serial")
        return {line.id: line._aftersales_returnable_lots().sudo().sorted("name") for line in sale_lines}

    @api.model
    def _create_from_portal(
        self,
        order_id,
        quantities,
        reason=None,
        return_type="no_reason",
        exchange_products=None,
        lot_ids=None,
        attachments=None,
    ):
        """Also ``lot_ids`` {order line id: [lot ids]}: the serials the customer sends back, one
        return line each (quantity 1), among those delivered to them on that line and not yet
        returned (else ``ValidationError``); and ``attachments`` ``[(filename, bytes,
        mimetype)]``, within the limits of the case form, posted on the return's chatter as the
        customer. Bad input writes nothing."""
        files = self.env["aftersales.case"]._check_portal_attachments(attachments or [])
        quantities = dict(quantities)
        chosen = {}
        lot_ids = {line_id: set(ids) for line_id, ids in (lot_ids or {}).items() if ids}
        if lot_ids:
            order = self.env["sale.order"].browse(order_id).exists()
            if not order:
                raise MissingError(_("This order does not exist."))
            self.env["aftersales.case"]._check_portal_order(order)  # reads it: their own orders only
            # sudo: the customer's own order (checked above)
            sale_lines = order.sudo().order_line
            returnable_lots = self._portal_returnable_lots(sale_lines)
            for line_id, ids in lot_ids.items():
                sale_line = sale_lines.filtered(lambda sl, line_id=line_id: sl.id == line_id)
                if not sale_line:
                    raise MissingError(_("This line is not on that order."))
                if sale_line.id not in returnable_lots:
                    raise UserError(
                        _(
                            "%(product)s has no serial numbers: type the quantity you return.",
                            product=sale_line.product_id.display_name,
                        )
                    )
                lots = returnable_lots[sale_line.id].filtered(lambda lt, ids=ids: lt.id in ids)
                if len(lots) != len(ids):
                    raise ValidationError(
                        _(
                            "%(product)s: a serial number you chose was not delivered to you on "
                            "this order or is already being returned. Choose among the serial "
                            "numbers listed.",
                            product=sale_line.product_id.display_name,
                        )
                    )
                typed = quantities.get(line_id)
                if typed and float_compare(typed, len(lots), precision_digits=6):
                    raise UserError(
                        _(
                            "%(product)s: tick the serial numbers of the units you return "
                            "(%(qty)s typed, %(count)s ticked).",
                            product=sale_line.product_id.display_name,
                            qty=typed,
                            count=len(lots),
                        )
                    )
                quantities[line_id] = float(len(lots))
                chosen[line_id] = lots.ids
        with self.env.cr.savepoint():  # bad input leaves nothing half-written
            ret = super(AftersalesReturn, self.with_context(**{PORTAL_LOTS_KEY: chosen}))._create_from_portal(
                order_id,
                quantities,
                reason=reason,
                return_type=return_type,
                exchange_products=exchange_products,
            )
            if files:
                # sudo: portal customers do not post on returns; the files were checked above and
                # the message is the customer's own, on their own return
                ret.sudo().message_post(
                    body=_("Files from the customer"),
                    attachments=[(name, raw) for name, raw, _mimetype in files],
                    author_id=self.env.user.partner_id.id,
                    message_type="comment",
                    subtype_xmlid="mail.mt_comment",
                )
        return ret.with_env(self.env)

    @api.model
    def _prepare_return_vals(self, order, products=None, lines=None, **extra):
        """A portal request with serials (``_create_from_portal``): one line per serial."""
        chosen = self.env.context.get(PORTAL_LOTS_KEY)
        if chosen and lines:
            expanded = []
            for line_vals in lines:
                lot_ids = chosen.get(line_vals.get("sale_line_id"))
                if not lot_ids:
                    expanded.append(line_vals)
                    continue
                expanded.extend(dict(line_vals, lot_id=lot_id, qty_requested=1.0) for lot_id in lot_ids)
            lines = expanded
        return super()._prepare_return_vals(order, products=products, lines=lines, **extra)
