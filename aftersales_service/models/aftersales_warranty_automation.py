# pylint: disable=consider-merging-classes-inherited
# (a rule part of the model, in a room of its own: see docs/ARCHITECTURE.md)
from collections import defaultdict

from dateutil.relativedelta import relativedelta

from odoo import _, api, models
from odoo.tools import float_compare

from .tools import isolated, privileged


class AftersalesWarranty(models.Model):
    """W-2, W-5: warranties made automatically from what was sold (validated deliveries, posted
    invoices, confirmed orders, per the policy's start trigger), voided by customer returns, and
    kept up to date by the daily cron (states, expiry reminders)."""

    _inherit = "aftersales.warranty"

    @api.model
    def _get_start_trigger(self, policy, product):
        """The policy's trigger; products that are never delivered start on the invoice (W-2)."""
        if policy.start_trigger == "delivery" and product.type == "service":
            return "invoice"
        return policy.start_trigger

    @api.model
    def _auto_env(self):
        # sudo: warranties are the bookkeeping of a validated delivery, posted invoice or
        # confirmed order; the stock, accounting or sales user who triggers it may have no
        # after-sales rights, and the values come from that document only.
        return self.sudo().with_context(mail_create_nolog=True, mail_create_nosubscribe=True)

    @api.model
    def _policies_by_trigger(self, trigger, products_companies):
        """{(product, company): policy} for the pairs whose effective policy starts on ``trigger``."""
        res = {}
        for product, company in set(products_companies):
            policy = product._get_aftersales_warranty_policy(company=company)
            if policy and self._get_start_trigger(policy, product) == trigger:
                res[product, company] = policy
        return res

    @api.model
    def _prepare_warranty_vals(self, sale_line, policy, start_date, quantity, lot=None, **extra_vals):
        """Values of one warranty of ``sale_line`` (override point)."""
        order = sale_line.order_id
        vals = {
            "partner_id": order.partner_id.id,
            "sale_order_id": order.id,
            "sale_line_id": sale_line.id,
            "user_id": order.user_id.id,
            "company_id": order.company_id.id,
            "product_id": sale_line.product_id.id,
            "lot_id": lot.id if lot else False,
            "quantity": quantity,
            "policy_id": policy.id,
            "start_date": start_date,
        }
        vals.update(extra_vals)
        return vals

    @api.model
    def _create_from_moves(self, moves):
        """Customer deliveries validated: one warranty per delivered move, one per serial/lot when
        tracked, starting on the done date (W-2). Moves that already have theirs are skipped."""
        moves = moves.filtered(
            lambda m: (
                m.state == "done"
                and m.sale_line_id
                and m.location_dest_id.usage == "customer"
                and m.location_id.usage != "customer"
            )
        )
        if not moves:
            return self.browse()
        Warranty = self._auto_env()
        policies = self._policies_by_trigger("delivery", [(m.product_id, m.company_id) for m in moves])
        done_moves = Warranty.search_fetch([("move_id", "in", moves.ids)], ["move_id"]).move_id
        vals_list = []
        for move in moves.filtered(lambda m: m not in done_moves):
            policy = policies.get((move.product_id, move.company_id))
            if not policy:
                continue
            start = move.company_id._aftersales_date(move.date)
            if move.has_tracking != "none":
                qty_by_lot = defaultdict(float)
                for move_line in move.move_line_ids:
                    qty_by_lot[move_line.lot_id] += move_line.quantity_product_uom
                for lot, qty in qty_by_lot.items():
                    vals_list.append(
                        self._prepare_warranty_vals(
                            move.sale_line_id, policy, start, qty, lot=lot, move_id=move.id
                        )
                    )
            else:
                qty = move.product_uom._compute_quantity(move.quantity, move.product_id.uom_id)
                vals_list.append(
                    self._prepare_warranty_vals(move.sale_line_id, policy, start, qty, move_id=move.id)
                )
        return Warranty.create(vals_list)

    @api.model
    def _create_from_invoice_lines(self, lines):
        """Customer invoice posted: one warranty per invoiced line, from the invoice date (W-2)."""
        lines = lines.filtered(
            lambda line: (
                line.move_id.move_type == "out_invoice"
                and line.display_type == "product"
                and line.product_id
                and line.sale_line_ids
                and line.quantity > 0
            )
        )
        if not lines:
            return self.browse()
        Warranty = self._auto_env()
        policies = self._policies_by_trigger(
            "invoice", [(line.product_id, line.company_id) for line in lines]
        )
        done_lines = Warranty.search_fetch(
            [("invoice_line_id", "in", lines.ids)], ["invoice_line_id"]
        ).invoice_line_id
        vals_list = []
        for line in lines.filtered(lambda line: line not in done_lines):
            policy = policies.get((line.product_id, line.company_id))
            if not policy:
                continue
            qty = line.product_uom_id._compute_quantity(line.quantity, line.product_id.uom_id)
            vals_list.append(
                self._prepare_warranty_vals(
                    line.sale_line_ids[:1], policy, line.move_id.invoice_date, qty, invoice_line_id=line.id
                )
            )
        return Warranty.create(vals_list)

    @api.model
    def _create_from_order_lines(self, lines):
        """Order confirmed: one warranty per order line, from the order date (W-2)."""
        lines = lines.filtered(
            lambda line: (
                not line.display_type
                and line.product_id
                and not line.is_downpayment
                and line.product_uom_qty > 0
            )
        )
        if not lines:
            return self.browse()
        Warranty = self._auto_env()
        policies = self._policies_by_trigger("order", [(line.product_id, line.company_id) for line in lines])
        done_lines = Warranty.search_fetch(
            [("sale_line_id", "in", lines.ids), ("move_id", "=", False), ("invoice_line_id", "=", False)],
            ["sale_line_id"],
        ).sale_line_id
        vals_list = []
        for line in lines.filtered(lambda line: line not in done_lines):
            policy = policies.get((line.product_id, line.company_id))
            if not policy:
                continue
            start = line.order_id.company_id._aftersales_date(line.order_id.date_order)
            qty = line.product_uom._compute_quantity(line.product_uom_qty, line.product_id.uom_id)
            vals_list.append(self._prepare_warranty_vals(line, policy, start, qty))
        return Warranty.create(vals_list)

    @api.model
    def _process_customer_returns(self, moves):
        """A validated customer return voids the warranty of the returned serials, or reduces the
        quantity of an untracked warranty (voided when nothing is left)."""
        moves = moves.filtered(
            lambda m: (
                m.state == "done"
                and m.location_id.usage == "customer"
                and m.location_dest_id.usage != "customer"
                and (m.origin_returned_move_id or m.sale_line_id)
            )
        )
        # W-2, W-3: a unit that comes back to be repaired goes home under its warranty
        repaired = (
            self.env["aftersales.return.line"]
            .sudo()
            .search([("return_move_ids", "in", moves.ids), ("outcome", "=", "repair")])
            .return_move_ids
        )
        moves -= repaired
        if not moves:
            return
        Warranty = self._auto_env()
        candidates = Warranty.search(
            [
                ("state", "!=", "void"),
                "|",
                ("move_id", "in", moves.origin_returned_move_id.ids),
                ("sale_line_id", "in", moves.sale_line_id.ids),
            ],
            order="start_date desc, id desc",
        )
        for move in moves:
            reason = _("Returned with %(reference)s", reference=move.picking_id.name or move.reference)

            def matches(warranty, move=move):
                if warranty.state == "void" or warranty.product_id != move.product_id:
                    return False
                if move.origin_returned_move_id and warranty.move_id == move.origin_returned_move_id:
                    return True
                return bool(move.sale_line_id) and warranty.sale_line_id == move.sale_line_id

            mine = candidates.filtered(matches)
            # the warranties of the returned delivery first
            mine = mine.sorted(lambda w, origin=move.origin_returned_move_id: w.move_id != origin)
            remaining = move.product_uom._compute_quantity(move.quantity, move.product_id.uom_id)
            if move.has_tracking != "none":
                returned = mine.filtered(
                    lambda w, lots=move.move_line_ids.lot_id: w.lot_id and w.lot_id in lots
                )
                returned._void(reason)
                remaining -= sum(returned.mapped("quantity"))
                mine = mine.filtered(lambda w: not w.lot_id)
            for warranty in mine:
                if float_compare(remaining, 0.0, precision_rounding=move.product_id.uom_id.rounding) <= 0:
                    break
                taken = min(warranty.quantity, remaining)
                remaining -= taken
                if (
                    float_compare(
                        taken, warranty.quantity, precision_rounding=move.product_id.uom_id.rounding
                    )
                    >= 0
                ):
                    warranty._void(reason)
                else:
                    warranty.quantity -= taken
                    warranty.message_post(
                        body=_(
                            "%(qty)s unit(s) returned with %(reference)s.",
                            qty=taken,
                            reference=move.reference,
                        )
                    )

    def _void(self, reason):
        privileged(self).write({"state": "void", "void_reason": reason})
        for warranty in self:
            warranty.message_post(body=reason)

    @api.model
    def _cron_update_warranty_states(self, batch_size=5000):
        """Daily: expire warranties past their end date, remind salespeople before expiry. A
        bounded batch per call: the cron commits it and, told what remains, calls again; each
        warranty is expired and reminded once (``state``, ``expiry_reminder_sent``), so a rerun
        or a second worker never repeats one. "Today" is each warranty's company's day."""
        ended = [("state", "=", "active"), *self.env["res.company"]._aftersales_date_domain("end_date", "<")]
        expired = self.search(ended, limit=batch_size)
        privileged(expired).write({"state": "expired"})
        reminded = (
            self._plan_expiry_reminders(limit=batch_size - len(expired)) if len(expired) < batch_size else 0
        )
        remaining = self.search_count(ended) + sum(
            self.search_count(domain) for domain in self._expiry_reminder_domains()
        )
        self.env["ir.cron"]._notify_progress(done=len(expired) + reminded, remaining=remaining)
        return len(expired), reminded

    @api.model
    def _expiry_reminder_domains(self, today=None):
        """Per company: its active warranties ending within its reminder days from its own
        today (``today`` forces one day for every company)."""
        companies = self.env["res.company"].search([("aftersales_warranty_reminder_days", ">", 0)])
        domains = []
        for company in companies:
            day = today or company._aftersales_date()
            domains.append(
                [
                    ("company_id", "=", company.id),
                    ("state", "=", "active"),
                    ("expiry_reminder_sent", "=", False),
                    ("end_date", ">=", day),
                    ("end_date", "<=", day + relativedelta(days=company.aftersales_warranty_reminder_days)),
                ]
            )
        return domains

    @api.model
    def _plan_expiry_reminders(self, today=None, limit=5000):
        """A to-do for the salesperson N days before expiry (N per company, 0 = off), created in
        one statement per batch; returns how many were planned."""
        activity_type = self.env.ref("mail.mail_activity_data_todo")
        model_id = self.env["ir.model"]._get_id(self._name)
        planned = 0
        for domain in self._expiry_reminder_domains(today):
            if planned >= limit:
                break
            warranties = self.search(domain, limit=limit - planned, order="end_date, id")
            if not warranties:
                continue
            company = warranties[:1].company_id
            vals_list = [
                {
                    "res_model_id": model_id,
                    "res_id": warranty.id,
                    "activity_type_id": activity_type.id,
                    "date_deadline": warranty.end_date,
                    "summary": self.env._("Warranty expires on %(date)s", date=warranty.end_date),
                    "note": self.env._(
                        "The warranty of %(product)s sold to %(customer)s ends on %(date)s.",
                        product=warranty.product_id.display_name,
                        customer=warranty.partner_id.display_name,
                        date=warranty.end_date,
                    ),
                    "user_id": (warranty.user_id or company.aftersales_manager_id or self.env.user).id,
                }
                for warranty in warranties
            ]
            with isolated(self.env, f"The expiry reminders of {company.name}"):
                # sudo: the cron plans to-dos for other users (the salespeople of the warranties)
                self.env["mail.activity"].sudo().with_context(mail_activity_quick_update=True).create(
                    vals_list
                )
                privileged(warranties).expiry_reminder_sent = True
                planned += len(warranties)
        return planned
