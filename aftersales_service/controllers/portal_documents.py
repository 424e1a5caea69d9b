import math

from werkzeug.exceptions import NotFound

from odoo import _, http
from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.http import request
from odoo.tools import consteq

from .portal import own_domain, parse_id, readonly_unless_just_written


class AftersalesDocumentsPortal(CustomerPortal):
    """The customer's warranties (W) and returns (R) on the portal. Rules live in the models;
    routes parse input, call them and render."""

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        for counter, model in (
            ("aftersales_warranty_count", "aftersales.warranty"),
            ("aftersales_return_count", "aftersales.return"),
        ):
            if counter in counters:
                Model = request.env[model]
                values[counter] = Model.search_count(own_domain()) if Model.has_access("read") else 0
        if "aftersales_compensation_count" in counters:
            values["aftersales_compensation_count"] = len(self._pending_compensations())
        return values

    # ------------------------------------------------------------------ compensations
    def _pending_compensations(self):
        """The compensation offers waiting for the logged-in customer's answer."""
        partner = request.env.user.partner_id.commercial_partner_id
        # sudo: offers are draft credit notes, which portal users do not read (account's rules);
        # only the customer's own are searched
        return (
            request.env["account.move"]
            .sudo()
            .search(
                [
                    ("partner_id", "child_of", partner.id),
                    ("move_type", "=", "out_refund"),
                    ("aftersales_compensation", "=", True),
                    ("aftersales_acceptance", "=", "pending"),
                    ("state", "=", "draft"),
                ],
                order="id desc",
            )
        )

    def _compensation_sudo(self, move_id, access_token):
        """The offer the customer may answer: theirs (or the token's), a compensation, else 404."""
        move_sudo = request.env["account.move"].sudo().browse(move_id).exists()
        partner = request.env.user.partner_id.commercial_partner_id
        if not move_sudo or not move_sudo.aftersales_compensation or move_sudo.move_type != "out_refund":
            raise request.not_found()
        own = not request.env.user._is_public() and move_sudo.partner_id.commercial_partner_id == partner
        if not own and not (access_token and consteq(move_sudo.access_token or "", access_token)):
            raise request.not_found()
        return move_sudo

    @http.route(["/my/compensations"], type="http", auth="user", website=True, readonly=True)
    def portal_my_compensations(self, **kw):
        values = self._prepare_portal_layout_values()
        values.update({"compensations": self._pending_compensations(), "page_name": "compensations"})
        return request.render("aftersales_service.portal_my_compensations", values)

    @http.route(
        ["/my/compensations/<int:move_id>"],
        type="http",
        auth="public",
        website=True,
        methods=["GET"],
        readonly=readonly_unless_just_written,
    )
    def portal_my_compensation(self, move_id, access_token=None, **kw):
        move_sudo = self._compensation_sudo(move_id, access_token)
        return self._render_compensation(move_sudo, access_token)

    def _render_compensation(self, move_sudo, access_token, error=None, status=200):
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "move": move_sudo,
                "token": access_token,
                "error": error,
                "page_name": "compensations",
            }
        )
        return request.render("aftersales_service.portal_my_compensation", values, status=status)

    @http.route(
        ["/my/compensations/<int:move_id>/<string:decision>"],
        type="http",
        auth="public",
        website=True,
        methods=["POST"],
    )
    def portal_compensation_decide(self, move_id, decision, access_token=None, name="", reason="", **kw):
        if decision not in ("accept", "refuse"):
            raise request.not_found()
        move_sudo = self._compensation_sudo(move_id, access_token)
        name = (name or "").strip()
        if decision == "accept" and not name:
            return self._render_compensation(
                move_sudo, access_token, error=request.env._("Type your name to accept."), status=400
            )
        try:
            with request.env.cr.savepoint():
                move_sudo._aftersales_customer_decide(
                    decision == "accept", by=name or None, reason=(reason or "").strip() or None
                )
        except UserError as exc:
            return self._render_compensation(move_sudo, access_token, error=exc.args[0], status=400)
        # ?message=: the page after the answer reads the primary (readonly_unless_just_written)
        query = f"&access_token={access_token}" if access_token else ""
        return request.redirect(f"/my/compensations/{move_sudo.id}?message=answered{query}")

    def _list(self, model, url, template, key, page, order="id desc"):
        Model = request.env[model]
        count = Model.search_count(own_domain())
        pager = portal_pager(url=url, total=count, page=page, step=self._items_per_page)
        # sudo after the search: the record rules chose the customer's own documents
        records = Model.search(
            own_domain(), order=order, limit=self._items_per_page, offset=pager["offset"]
        ).sudo()
        values = self._prepare_portal_layout_values()
        values.update({key: records, "pager": pager, "page_name": key, "default_url": url})
        return request.render(template, values)

    def _detail(self, model, record_id, access_token, template, key, report_ref, report_type, download, **kw):
        try:
            record_sudo = self._document_check_access(model, record_id, access_token)
        except (AccessError, MissingError) as exc:
            raise NotFound() from exc
        if report_type in ("html", "pdf", "text"):
            return self._show_report(
                model=record_sudo, report_type=report_type, report_ref=report_ref, download=download
            )
        values = self._prepare_portal_layout_values()
        values.update(
            {key: record_sudo, "page_name": key, "token": access_token, "message": kw.get("message")}
        )
        return request.render(template, values)

    # ------------------------------------------------------------------ warranties (W)
    @http.route(
        ["/my/warranties", "/my/warranties/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
        readonly=True,
    )
    def portal_my_warranties(self, page=1, **kw):
        return self._list(
            "aftersales.warranty",
            "/my/warranties",
            "aftersales_service.portal_my_warranties",
            "warranties",
            page,
            order="end_date desc, id desc",
        )

    @http.route(
        ["/my/warranties/<int:warranty_id>"],
        type="http",
        auth="public",
        website=True,
        methods=["GET"],
        readonly=readonly_unless_just_written,
    )
    def portal_my_warranty(self, warranty_id, access_token=None, report_type=None, download=False, **kw):
        return self._detail(
            "aftersales.warranty",
            warranty_id,
            access_token,
            "aftersales_service.portal_my_warranty",
            "warranty",
            "aftersales_service.action_report_warranty_certificate",
            report_type,
            download,
            **kw,
        )

    # ------------------------------------------------------------------ returns (R)
    @http.route(
        ["/my/returns", "/my/returns/page/<int:page>"], type="http", auth="user", website=True, readonly=True
    )
    def portal_my_returns(self, page=1, **kw):
        return self._list(
            "aftersales.return", "/my/returns", "aftersales_service.portal_my_returns", "returns", page
        )

    @http.route(
        ["/my/returns/<int:return_id>"],
        type="http",
        auth="public",
        website=True,
        methods=["GET"],
        readonly=readonly_unless_just_written,
    )
    def portal_my_return(self, return_id, access_token=None, report_type=None, download=False, **kw):
        return self._detail(
            "aftersales.return",
            return_id,
            access_token,
            "aftersales_service.portal_my_return",
            "aftersales_return",
            "aftersales_service.action_report_return_slip",
            report_type,
            download,
            **kw,
        )

    def _returnable_orders(self):
        partner = request.env.user.partner_id.commercial_partner_id
        orders = request.env["sale.order"].search(
            [("partner_id", "child_of", partner.id), ("state", "=", "sale")],
            order="date_order desc",
            limit=50,
        )
        return orders.filtered(lambda o: o.order_line.filtered(lambda sl: sl.qty_delivered > 0))

    def _render_return_form(self, order=None, error=None, values=None, status=200):
        # sudo: the order was read as the customer above (their own); lines and delivery dates
        # are shown from it
        order_sudo = order.sudo() if order else request.env["sale.order"]
        returnable = order_sudo.order_line._aftersales_returnable_qties() if order else {}
        # serial-tracked lines: the customer ticks the units they send back
        returnable_lots = (
            request.env["aftersales.return"]._portal_returnable_lots(order_sudo.order_line) if order else {}
        )
        company = order_sudo.company_id or request.env.company
        page = self._prepare_portal_layout_values()
        page.update(
            {
                "orders": self._returnable_orders(),
                "order": order_sudo,
                "returnable": returnable,
                "returnable_lots": returnable_lots,
                "chosen_lots": {
                    key: request.httprequest.form.getlist(key)
                    for key in request.httprequest.form
                    if key.startswith("lot_")
                },
                "return_days": company.aftersales_return_days,
                "delivery_dates": {
                    line.id: max(
                        line.move_ids.filtered(lambda m: m.state == "done").mapped("date"), default=False
                    )
                    for line in order_sudo.order_line
                },
                "error": error,
                "values": values or {},
                "page_name": "returns",
            }
        )
        return request.render("aftersales_service.portal_return_new", page, status=status)

    def _portal_order(self, order_id):
        """The customer's own order ``order_id``, else 404 (someone else's or unknown)."""
        order = request.env["sale.order"].browse(order_id).exists()
        if not order:
            raise request.not_found()
        try:
            request.env["aftersales.case"]._check_portal_order(order)
        except AccessError:
            raise request.not_found() from None
        return order

    @http.route(["/my/returns/new"], type="http", auth="user", website=True, methods=["GET"], readonly=True)
    def portal_return_new(self, order_id=None, **kw):
        order = self._portal_order(parse_id(order_id)) if order_id else None
        return self._render_return_form(order)

    @http.route(["/my/returns/new"], type="http", auth="user", website=True, methods=["POST"])
    def portal_return_create(self, order_id=None, reason="", return_type="no_reason", **kw):
        order_id = parse_id(order_id)
        if not order_id:
            return self._render_return_form(
                None, error=_("Choose the order whose goods you return."), values=kw, status=400
            )
        quantities, exchange_products = {}, {}
        for key, value in kw.items():
            if value in ("", None):
                continue
            try:
                if key.startswith("qty_"):
                    quantity = float(value)
                    if not math.isfinite(quantity) or quantity < 0:
                        raise ValueError(value)
                    quantities[int(key[4:])] = quantity
                elif key.startswith("exchange_"):
                    exchange_products[int(key[9:])] = int(value)
            except ValueError:
                # the form again, with the message (a negative quantity sent past the browser)
                error = _("%(value)s is not a quantity or a product of the order.", value=value)
                return self._render_return_form(
                    self._portal_order(order_id), error=error, values=kw, status=400
                )
        # the form is shown again on an error: of the customer's own order only
        order = self._portal_order(order_id)
        # the serials ticked (a checkbox per unit: several values under one name)
        lot_ids = {}
        form = request.httprequest.form
        for key in form:
            if not key.startswith("lot_"):
                continue
            for value in form.getlist(key):
                if value in ("", None):
                    continue
                try:
                    lot_ids.setdefault(int(key[4:]), []).append(int(value))
                except ValueError:
                    error = _("%(value)s is not a serial number of the order.", value=value)
                    return self._render_return_form(order, error=error, values=kw, status=400)
        files = [
            (upload.filename, upload.read(), upload.mimetype)
            for upload in request.httprequest.files.getlist("attachments")
            if upload.filename
        ]
        try:
            ret = request.env["aftersales.return"]._create_from_portal(
                order_id,
                quantities,
                reason=(reason or "").strip() or None,
                return_type=return_type,
                exchange_products=exchange_products,
                lot_ids=lot_ids,
                attachments=files,
            )
        except (AccessError, MissingError):
            raise request.not_found() from None
        except (UserError, ValidationError) as exc:
            return self._render_return_form(order, error=exc.args[0], values=kw, status=400)
        return request.redirect(f"/my/returns/{ret.id}?message=created")
