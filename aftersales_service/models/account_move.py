from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import float_compare
from odoo.tools.translate import LazyTranslate

from .aftersales_lock import MANAGER, SYSTEM, Frozen
from .tools import lock_for_action, privileged, send_secret_link

_lt = LazyTranslate(__name__)
# returns whose approval covers their credit notes
APPROVED_RETURN_STATES = ("approved", "waiting_goods", "received", "done")
MANAGER_GROUP = MANAGER


def _approved(move):
    """once an approval (or the customer's acceptance) froze the draft's content"""
    return bool(
        move.move_type in ("out_refund", "out_invoice")
        and (move.aftersales_approved_amount or move.aftersales_approver_id or move.aftersales_acceptance)
    )


def _deleted_approved_product_line(line):
    """a product line of a draft an approval froze (not Odoo's own re-sync of the lines)"""
    return _approved_product_line(line) and not line.env.context.get("dynamic_unlink")


def _approved_product_line(line):
    """on the product lines of a draft whose content an approval froze"""
    return line.display_type == "product" and line.move_id.state == "draft" and _approved(line.move_id)


ACCEPTANCE_STATES = [("pending", "Awaiting the Customer"), ("accepted", "Accepted"), ("refused", "Refused")]


class AccountMove(models.Model):
    _name = "account.move"
    _inherit = ["account.move", "aftersales.lock.mixin"]

    # who may change what (aftersales.lock.mixin), on the after-sales side of a journal entry
    # (Odoo's own fields follow Odoo's rules, but for those an approval fixes)
    _aftersales_lock_scope = "aftersales_"
    _aftersales_lock_scope_field = "aftersales_return_id"
    _aftersales_locks = {
        # set by the approval and acceptance actions only, and by the documents that
        # make the entry
        **dict.fromkeys(
            (
                "aftersales_return_id",
                "aftersales_compensation",
                "aftersales_approver_id",
                "aftersales_approved_amount",
                "aftersales_accepted_date",
                "aftersales_accepted_by",
                "aftersales_accepted_amount",
                "aftersales_accepted_recorder_id",
                "aftersales_acceptance",
            ),
            SYSTEM,
        ),
        # what was approved and accepted is for this customer and this case
        **dict.fromkeys(
            ("partner_id", "aftersales_case_id"),
            Frozen(
                _approved,
                reason=_lt("it was approved (and offered) for this customer and this case"),
                example={"aftersales_approved_amount": 1.0, "move_type": "out_refund", "state": "draft"},
            ),
        ),
    }

    # --- returns (R): credit notes know their return / case (complaints read them for losses)
    aftersales_return_id = fields.Many2one(
        "aftersales.return",
        string="After-Sales Return",
        index="btree_not_null",
        copy=False,
        readonly=True,
        groups="aftersales_service.group_aftersales_user",
    )
    aftersales_case_id = fields.Many2one(
        "aftersales.case",
        string="Service Case",
        index="btree_not_null",
        copy=False,
        groups="aftersales_service.group_aftersales_user",
    )
    aftersales_compensation = fields.Boolean(
        string="Compensation / Discount",
        copy=False,
        readonly=True,
        help="A sales discount certificate: approved by a manager above the threshold, "
        "accepted by the customer.",
    )
    aftersales_approver_id = fields.Many2one("res.users", string="Approved By", copy=False, readonly=True)
    aftersales_approved_amount = fields.Monetary(
        string="Approved Amount",
        currency_field="company_currency_id",
        copy=False,
        readonly=True,
        help="The total (in company currency) that was approved: by a manager, or by the approval "
        "of the return or case the document was made from. Posting a different total needs a "
        "new approval.",
    )
    aftersales_needs_approval = fields.Boolean(compute="_compute_aftersales_needs_approval")
    aftersales_accepted_date = fields.Date(string="Customer Accepted On", copy=False, readonly=True)
    aftersales_accepted_by = fields.Char(string="Accepted By", copy=False, readonly=True)
    aftersales_accepted_amount = fields.Monetary(
        string="Accepted Amount",
        currency_field="company_currency_id",
        copy=False,
        readonly=True,
        help="The total (in company currency) the customer accepted.",
    )
    aftersales_accepted_recorder_id = fields.Many2one(
        "res.users",
        string="Reply Recorded By",
        copy=False,
        readonly=True,
        help="The staff member who recorded the customer's signed reply (empty: the customer "
        "answered on the portal).",
    )
    aftersales_acceptance = fields.Selection(
        ACCEPTANCE_STATES,
        string="Customer Acceptance",
        copy=False,
        readonly=True,
        tracking=True,
        help="The customer accepts or refuses the compensation (on the portal, or staff record "
        "their signed reply) before the credit note can be posted.",
    )

    aftersales_return_count = fields.Integer(
        compute="_compute_aftersales_return_count", groups="aftersales_service.group_aftersales_user"
    )

    def _compute_aftersales_return_count(self):
        orders = self.invoice_line_ids.sale_line_ids.order_id
        counts = dict(
            self.env["aftersales.return"]._read_group(
                [("sale_order_id", "in", orders.ids)], ["sale_order_id"], ["__count"]
            )
        )
        for move in self:
            move.aftersales_return_count = sum(
                counts.get(order, 0) for order in move.invoice_line_ids.sale_line_ids.order_id
            )

    @api.readonly
    def action_view_aftersales_returns(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("aftersales_service.aftersales_return_action")
        action["domain"] = [("sale_order_ids", "in", self.invoice_line_ids.sale_line_ids.order_id.ids)]
        action["context"] = {"create": False}
        return action

    @api.depends(
        "move_type",
        "state",
        "aftersales_compensation",
        "amount_total_signed",
        "aftersales_approver_id",
        "aftersales_approved_amount",
        "aftersales_return_id.state",
        "aftersales_case_id",
        "reversed_entry_id",
    )
    def _compute_aftersales_needs_approval(self):
        """R-4/R-5: whether posting needs an After-Sales manager's (new) approval.

        - a document that was approved (by a manager, or made by an approved return or case)
          needs a new approval as soon as its total differs from the approved one (company
          currency): the approval was given for that content, not for the moment;
        - a compensation always needs the manager (R-5), whatever the threshold;
        - any other customer credit note tied to an after-sales document (a return, a case, or
          Odoo's own reversal of an invoice whose order has a return still awaiting approval)
          needs one above the company's threshold; so does Odoo's own reversal of an invoice
          made by a case or a return."""
        # sudo: billing users post credit notes without after-sales rights; only the states of
        # the linked after-sales documents are read here
        pending = self._aftersales_pending_returns()
        for move in self:
            move_sudo = move.sudo()
            currency = move.company_id.currency_id
            amount = abs(move.amount_total_signed)
            threshold = move.company_id.aftersales_refund_threshold
            if move.move_type not in ("out_refund", "out_invoice") or move.state != "draft":
                needs = False
            elif move.aftersales_approved_amount or move.aftersales_approver_id:
                needs = currency.compare_amounts(amount, move.aftersales_approved_amount) != 0
            elif move.aftersales_compensation:
                needs = True
            elif (
                move.move_type != "out_refund"
                or not threshold
                or currency.compare_amounts(amount, threshold) <= 0
            ):
                needs = False
            elif move_sudo.aftersales_return_id:
                needs = move_sudo.aftersales_return_id.state not in APPROVED_RETURN_STATES
            else:
                # Odoo's own reversal of an after-sales invoice (a case's, a return's
                # exchange settlement) is an after-sales refund too
                reversed_sudo = move_sudo.reversed_entry_id
                needs = bool(
                    move_sudo.aftersales_case_id
                    or reversed_sudo.aftersales_case_id
                    or reversed_sudo.aftersales_return_id
                    or pending.get(move)
                )
            move.aftersales_needs_approval = needs

    def _aftersales_content_frozen(self):
        """Draft after-sales documents whose content an approval froze (R-4, R-5)."""
        return self.filtered(
            lambda m: (
                m.state == "draft"
                and m.move_type in ("out_refund", "out_invoice")
                and (m.aftersales_approved_amount or m.aftersales_approver_id)
            )
        )

    def _aftersales_stamp_approved(self):
        """The document as made by an approved after-sales document (a return's credit note, an
        exchange's settlement, a case's invoice) is what was approved: its total is kept as the
        approved figure that posting compares with."""
        for move in self:
            privileged(move).write({"aftersales_approved_amount": abs(move.amount_total_signed)})

    def _aftersales_pending_returns(self):
        """{credit note: returns awaiting approval on the orders of the invoice it reverses}"""
        refunds = self.filtered(lambda m: m.move_type == "out_refund" and m.reversed_entry_id)
        orders = refunds.reversed_entry_id.invoice_line_ids.sale_line_ids.order_id
        if not orders:
            return {}
        waiting = (
            self.env["aftersales.return"]
            .sudo()
            .search([("sale_order_id", "in", orders.ids), ("state", "in", ("draft", "to_approve"))])
        )
        return {
            move: waiting.filtered(
                lambda r, m=move: (
                    r.sale_order_id in m.reversed_entry_id.invoice_line_ids.sale_line_ids.order_id
                )
            )
            for move in refunds
        }

    def _compute_access_url(self):  # pylint: disable=missing-return
        super()._compute_access_url()
        for move in self.filtered(lambda m: m.aftersales_acceptance == "pending"):
            move.access_url = f"/my/compensations/{move.id}"

    def action_aftersales_approve(self):
        """R-4/R-5: a manager (not the requester) approves a credit note above the threshold."""
        if not self.env.user.has_group("aftersales_service.group_aftersales_manager"):
            raise AccessError(_("Only an After-Sales manager can approve a compensation or refund."))
        lock_for_action(self)
        for move in self:
            if move.create_uid == self.env.user:
                raise UserError(
                    _("You prepared %(move)s: another manager must approve it.", move=move.display_name)
                )
            if move.state != "draft":
                raise UserError(_("%(move)s is not a draft any more.", move=move.display_name))
            if move.aftersales_approver_id and not move.company_currency_id.compare_amounts(
                move.aftersales_approved_amount, abs(move.amount_total_signed)
            ):
                raise UserError(
                    _(
                        "%(move)s is approved already (by %(user)s).",
                        move=move.display_name,
                        user=move.aftersales_approver_id.name,
                    )
                )
        for move in self:
            # the approval is given for this content: the total is kept with it
            privileged(move).write(
                {
                    "aftersales_approver_id": self.env.user.id,
                    "aftersales_approved_amount": abs(move.amount_total_signed),
                }
            )
            move.message_post(
                body=_(
                    "Approved for %(amount)s.",
                    amount=move.company_id.currency_id.format(abs(move.amount_total_signed)),
                )
            )
        return True

    def _aftersales_offer_compensation(self):
        """R-5: the compensation waits for the customer, who gets the offer to accept or refuse
        (a mail template with the link to the offer on the portal)."""
        template = self.env.ref("aftersales_service.mail_template_compensation_offer")
        for move in self:
            privileged(move).write({"aftersales_acceptance": "pending"})
            move._portal_ensure_token()
            send_secret_link(
                move, template, _("The offer was sent to %(partner)s.", partner=move.partner_id.display_name)
            )

    def action_aftersales_customer_accepted(self, accepted_by=None):
        """R-5: record the customer's acceptance of the compensation (a signed reply): by
        After-Sales staff other than whoever prepared it, recorded with their name."""
        self._aftersales_check_recorder(True)
        self._aftersales_customer_decide(True, accepted_by, recorder=self.env.user)
        return True

    def action_aftersales_customer_refused(self):
        """R-5: record the customer's refusal (a signed reply): see ``_aftersales_customer_decide``."""
        self._aftersales_check_recorder(False)
        self._aftersales_customer_decide(False, recorder=self.env.user)
        return True

    def _aftersales_check_recorder(self, accept):
        if self.env.su:
            return
        if not self.env.user.has_group("aftersales_service.group_aftersales_user"):
            if accept:
                raise AccessError(_("Only After-Sales staff record a customer's acceptance."))
            raise AccessError(_("Only After-Sales staff record a customer's refusal."))
        own = self.filtered(lambda m: m.create_uid == self.env.user)
        if own:
            names = ", ".join(own.mapped("display_name"))
            if accept:
                raise AccessError(
                    _("You prepared %(moves)s: a colleague records the customer's acceptance.", moves=names)
                )
            raise AccessError(
                _("You prepared %(moves)s: a colleague records the customer's refusal.", moves=names)
            )

    def _aftersales_customer_decide(self, accept, by=None, reason=None, recorder=None):
        """The customer's answer to a compensation offer, once: accepted (who and when; the
        credit note may then be posted) or refused (the credit note is cancelled and its case,
        if resolved, reopened for its handler)."""
        lock_for_action(self)
        for move in self:
            if not move.aftersales_compensation:
                raise UserError(_("%(move)s is not a compensation.", move=move.display_name))
            if move.state != "draft" or move.aftersales_acceptance in ("accepted", "refused"):
                raise UserError(_("Compensation %(move)s was answered already.", move=move.display_name))
            by = by or move.partner_id.display_name
            if accept:
                privileged(move).write(
                    {
                        "aftersales_acceptance": "accepted",
                        "aftersales_accepted_date": move.company_id._aftersales_date(),
                        "aftersales_accepted_by": by,
                        "aftersales_accepted_amount": abs(move.amount_total_signed),
                        "aftersales_accepted_recorder_id": recorder.id if recorder else False,
                    }
                )
                if recorder:
                    body = _(
                        "%(who)s accepted the compensation (recorded from the signed reply by %(user)s).",
                        who=by,
                        user=recorder.name,
                    )
                else:
                    body = _("%(who)s accepted the compensation.", who=by)
                move.message_post(body=body)
                continue
            privileged(move).write(
                {
                    "aftersales_acceptance": "refused",
                    "aftersales_accepted_recorder_id": recorder.id if recorder else False,
                }
            )
            move.button_cancel()
            if recorder:
                body = _(
                    "%(who)s refused compensation %(move)s (recorded from the signed reply by %(user)s).",
                    who=by,
                    move=move.display_name,
                    user=recorder.name,
                )
            else:
                body = _("%(who)s refused compensation %(move)s.", who=by, move=move.display_name)
            if reason:
                body = _("%(message)s Reason: %(reason)s", message=body, reason=reason)
            move.message_post(body=body)
            # sudo: a billing user or the customer answers; the case is the after-sales side
            case = move.sudo().aftersales_case_id
            if case:
                if case.state in ("resolved", "cancelled"):
                    privileged(case).write({"state": "in_progress", "resolved_date": False})
                case.message_post(body=body)
                case.activity_schedule(
                    "mail.mail_activity_data_todo",
                    user_id=(case.user_id or case.team_id.leader_id or case.create_uid).id,
                    summary=_("The customer refused the compensation"),
                    note=reason or "",
                )

    def _post(self, soft=True):
        for move in self:
            if move.aftersales_compensation and move.aftersales_acceptance != "accepted":
                raise UserError(
                    _(
                        "The customer has not accepted compensation %(move)s yet: it is posted once "
                        "they accept it (on the portal, or their signed reply recorded here).",
                        move=move.display_name,
                    )
                )
            currency = move.company_id.currency_id
            if move.aftersales_compensation and (
                currency.compare_amounts(abs(move.amount_total_signed), move.aftersales_accepted_amount)
            ):
                raise UserError(
                    _(
                        "Compensation %(move)s was changed after the customer accepted "
                        "%(accepted)s: cancel it and offer the new amount again.",
                        move=move.display_name,
                        accepted=currency.format(move.aftersales_accepted_amount),
                    )
                )
            if move.aftersales_needs_approval and (
                move.aftersales_approved_amount or move.aftersales_approver_id
            ):
                raise UserError(
                    _(
                        "%(move)s (%(amount)s) differs from what was approved (%(approved)s): an "
                        "After-Sales manager must approve it again.",
                        move=move.display_name,
                        amount=currency.format(abs(move.amount_total_signed)),
                        approved=currency.format(move.aftersales_approved_amount),
                    )
                )
            if move.aftersales_needs_approval and move.aftersales_compensation:
                raise UserError(
                    _(
                        "Compensation %(move)s needs the approval of an After-Sales manager first.",
                        move=move.display_name,
                    )
                )
            if move.aftersales_needs_approval:
                raise UserError(
                    _(
                        "Credit note %(move)s (%(amount)s) is above the after-sales approval threshold of "
                        "%(threshold)s: an After-Sales manager must approve it first.",
                        move=move.display_name,
                        amount=move.currency_id.format(move.amount_total),
                        threshold=move.company_id.currency_id.format(
                            move.company_id.aftersales_refund_threshold
                        ),
                    )
                )
        self._aftersales_check_return_quantities()
        posted = super()._post(soft=soft)
        # W-2: a posted customer invoice starts the warranties of invoice-triggered policies
        self.env["aftersales.warranty"]._create_from_invoice_lines(
            posted.filtered(lambda m: m.move_type == "out_invoice").invoice_line_ids
        )
        return posted

    def _aftersales_check_return_quantities(self):
        """R-6: a return's credit note never refunds more of a return line than was approved
        (and, for goods, received), counting every other refund of that line."""
        refunds = self.filtered(lambda m: m.move_type == "out_refund").invoice_line_ids
        # sudo: billing users post credit notes; the return lines are after-sales data
        return_lines = refunds.sudo().aftersales_return_line_id
        for line in return_lines:
            allowed = (
                min(line.qty_received, line.qty_approved)
                if line.product_id.is_storable
                else line.qty_approved
            )
            booked = sum(
                line.refund_line_ids.filtered(
                    lambda ml: ml.parent_state == "posted" or ml.move_id in self
                ).mapped("quantity")
            )
            if float_compare(booked, allowed, precision_rounding=line.product_id.uom_id.rounding) > 0:
                raise UserError(
                    _(
                        "%(product)s: the credit notes of return %(return)s refund %(booked)s, more than "
                        "the %(allowed)s approved and received.",
                        product=line.product_id.display_name,
                        booked=booked,
                        allowed=allowed,
                        **{"return": line.return_id.name},
                    )
                )


class AccountMoveLine(models.Model):
    _name = "account.move.line"
    _inherit = ["account.move.line", "aftersales.lock.mixin"]

    # who may change what (aftersales.lock.mixin): the lines of an approved after-sales credit
    # note or invoice are changed by an After-Sales manager only (posting then asks for a new
    # approval), R-4, R-5
    _aftersales_lock_scope = "aftersales_"
    _aftersales_lock_scope_field = "aftersales_return_line_id"
    _aftersales_locks = {
        "aftersales_return_line_id": SYSTEM,
        "aftersales_vendor_return_line_id": SYSTEM,
        **dict.fromkeys(
            ("product_id", "quantity", "price_unit", "discount", "tax_ids", "product_uom_id"),
            Frozen(
                _approved_product_line,
                group=MANAGER,
                reason=_lt("the document was approved as it is (a change needs a new approval)"),
                example={"aftersales_approved_amount": 1.0, "move_type": "out_refund", "state": "draft"},
                via="move_id",
            ),
        ),
    }
    _aftersales_lock_log_on = "move_id"
    # Odoo's own re-sync of a draft's lines (dynamic_unlink) is not a deletion by a user
    _aftersales_unlink_lock = Frozen(
        _deleted_approved_product_line,
        group=MANAGER,
        reason=_lt("the document was approved as it is (a change needs a new approval)"),
    )

    aftersales_return_line_id = fields.Many2one(
        "aftersales.return.line",
        string="Return Line",
        index="btree_not_null",
        copy=False,
        readonly=True,
        groups="aftersales_service.group_aftersales_user",
    )
