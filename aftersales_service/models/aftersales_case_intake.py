# pylint: disable=consider-merging-classes-inherited
# (a rule part of the model, in a room of its own: see docs/ARCHITECTURE.md)
from odoo import _, api, models
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.tools import email_normalize, email_split
from odoo.tools.mimetypes import guess_mimetype

# what a customer attaches on the portal: photos and PDF documents, by their content
PORTAL_FILE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf"})


class AftersalesCase(models.Model):
    """C-1, C-2: how cases come in (portal form, email to a team's alias, "Report a problem" on
    an order) and the acknowledgement the customer gets. Controllers only parse input and call
    these methods."""

    _inherit = "aftersales.case"

    @api.model
    def message_new(self, msg_dict, custom_values=None):
        """C-1: an email to a team's alias becomes a case; the sender is matched to a customer."""
        values = dict(custom_values or {})
        email = (email_split(msg_dict.get("email_from") or "") or [""])[0]
        partner = self.env["res.partner"].browse()
        if email:
            partner = self.env["res.partner"].search(
                [("email_normalized", "=", email_normalize(email))], limit=1
            )
        values.setdefault("subject", msg_dict.get("subject") or _("No subject"))
        values.setdefault("description", msg_dict.get("body"))
        values.setdefault("channel", "email")
        values["email_from"] = email or msg_dict.get("email_from")
        values.setdefault("name", "/")  # the reference comes from the sequence, not the subject
        if partner:
            values["partner_id"] = partner.id
        return super().message_new(msg_dict, custom_values=values)

    def _message_get_suggested_recipients(self):
        recipients = super()._message_get_suggested_recipients()
        for case in self:
            if case.partner_id:
                case._message_add_suggested_recipient(
                    recipients, partner=case.partner_id, reason=_("Customer")
                )
            elif case.email_from:
                case._message_add_suggested_recipient(
                    recipients, email=case.email_from, reason=_("Customer Email")
                )
        return recipients

    def _send_acknowledgement(self):
        """C-2: the customer gets the case reference (Settings can turn it off)."""
        template = self.env.ref(
            "aftersales_service.mail_template_case_acknowledgement", raise_if_not_found=False
        )
        for case in self:
            if (
                template
                and case.company_id.aftersales_case_ack
                and (case.partner_id.email or case.email_from)
            ):
                case.with_context(mail_post_autofollow=False).message_post_with_source(
                    template, subtype_xmlid="mail.mt_note" if not case.partner_id else "mail.mt_comment"
                )

    def _get_customer_information(self):
        email_keys_to_values = super()._get_customer_information()
        for case in self:
            if not case.partner_id and case.email_from:
                email_keys_to_values.setdefault(email_normalize(case.email_from), {})
        return email_keys_to_values

    def _check_portal_order(self, order):
        """Portal intake: a customer may only open cases on their own orders."""
        partner = self.env.user.partner_id.commercial_partner_id
        if order.partner_id.commercial_partner_id != partner:
            raise AccessError(_("This order is not yours."))

    @api.model
    def _portal_intake_choices(self):
        """What the logged-in customer may report a problem on: ``{order: {product: lots}}`` for
        their confirmed orders, each product sold on it and the serials delivered of it (C-1).
        Records are returned in sudo (portal users read neither products nor serials)."""
        partner = self.env.user.partner_id.commercial_partner_id
        # portal users read their own orders only (sale's portal rules)
        orders = self.env["sale.order"].search(
            [("partner_id", "child_of", partner.id), ("state", "=", "sale")],
            order="date_order desc",
            limit=50,
        )
        # sudo: the orders above are the customer's own; their lines and deliveries are shown
        move_lines = (
            self.env["stock.move.line"]
            .sudo()
            .search(
                [
                    ("move_id.sale_line_id.order_id", "in", orders.ids),
                    ("state", "=", "done"),
                    ("lot_id", "!=", False),
                    ("move_id.picking_code", "=", "outgoing"),
                ]
            )
        )
        choices = {}
        for order in orders.sudo():
            lots = move_lines.filtered(lambda ml, order=order: ml.move_id.sale_line_id.order_id == order)
            choices[order] = {
                product: lots.filtered(lambda ml, product=product: ml.product_id == product).lot_id
                for product in order.order_line.filtered(lambda sl: not sl.display_type).product_id
            }
        return choices

    @api.model
    def _create_from_portal(
        self, subject, description=None, order_id=None, product_id=None, lot_id=None, attachments=None
    ):
        """C-1: a case the logged-in customer files on the portal, about one of their own
        confirmed orders (and one of its products, and one serial delivered of it), with files
        (``attachments``: ``[(filename, bytes, mimetype)]``). Raises ``AccessError``/
        ``MissingError`` for someone else's or an unknown order/product/serial, ``UserError`` for
        an empty subject or too many / too large files; nothing is written then."""
        subject = (subject or "").strip()
        if not subject:
            raise UserError(_("Tell us what the problem is."))
        partner = self.env.user.partner_id
        order = self.env["sale.order"]
        if order_id:
            # portal users read their own orders only (sale's portal rules)
            order = self.env["sale.order"].browse(order_id).exists()
            if not order:
                raise MissingError(_("This order does not exist."))
            self._check_portal_order(order)
            if order.state != "sale":
                raise UserError(_("Only a confirmed order can have a problem reported."))
        choices = self._portal_intake_choices().get(order.sudo(), {}) if order else {}
        product = self.env["product.product"]
        if product_id:
            product = next((p for p in choices if p.id == product_id), product)
            if not product:
                raise MissingError(_("This product is not on that order."))
        lot = self.env["stock.lot"]
        if lot_id:
            delivered = choices[product] if product else self.env["stock.lot"].sudo().union(*choices.values())
            lot = delivered.filtered(lambda lt: lt.id == lot_id)
            if not lot:
                raise MissingError(_("This serial number was not delivered on that order."))
            product = lot.product_id
        files = self._check_portal_attachments(attachments or [])
        vals = {
            "subject": subject,
            "description": description,
            "partner_id": partner.id,
            "channel": "portal",
            "sale_order_id": order.id or False,
            "product_id": product.id or False,
            "lot_id": lot.id or False,
            "company_id": (order.company_id or partner.company_id or self.env.company).id,
        }
        # sudo: portal users have no create right on cases; the values above were checked
        # against their own orders, and the case belongs to their own partner
        case = self.sudo().create(vals)
        if files:
            # the files become the case's attachments, on a message of the customer (chatter)
            case.message_post(
                body=_("Files from the customer"),
                attachments=[(name, raw) for name, raw, _mimetype in files],
                author_id=partner.id,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        return case.sudo(False)

    @api.model
    def _check_portal_attachments(self, files):
        """The customer's files within the limits of Settings (number and size each), and
        photos or PDF documents by their content, whatever their name says (a program renamed
        ``.png`` is refused)."""
        # sudo: reading the system parameters of the limits
        params = self.env["ir.config_parameter"].sudo()
        max_files = int(params.get_param("aftersales_service.portal_max_files", 5))
        max_mb = float(params.get_param("aftersales_service.portal_max_file_mb", 10))
        files = [(name, raw, mimetype) for name, raw, mimetype in files if name and raw]
        if len(files) > max_files:
            raise UserError(_("Attach at most %(count)s files.", count=max_files))
        checked = []
        for name, raw, _mimetype in files:
            if len(raw) > max_mb * 1024 * 1024:
                raise UserError(_("%(file)s is larger than %(size)s MB.", file=name, size=max_mb))
            mimetype = guess_mimetype(raw, default="")
            if mimetype not in PORTAL_FILE_TYPES:
                raise UserError(
                    _(
                        "%(file)s is not a photo or a PDF document: attach pictures (PNG, JPEG, GIF, "
                        "WebP) or PDF files.",
                        file=name,
                    )
                )
            checked.append((name, raw, mimetype))
        return checked
