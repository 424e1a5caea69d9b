from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools.translate import LazyTranslate

from .aftersales_lock import CREATION_LOCKS, SYSTEM, Frozen
from .tools import lock_for_action, new_access_token, privileged

_lt = LazyTranslate(__name__)

REGISTRATION_STATES = [
    ("draft", "Draft"),
    ("submitted", "Submitted"),
    ("approved", "Approved"),
    ("refused", "Refused"),
]
USER_GROUP = "aftersales_service.group_aftersales_user"
# the longest serial number of a nameplate (stock.lot names have no limit of their own)
MAX_SERIAL_LENGTH = 64


class AftersalesUnitRegistration(models.Model):
    """W-1, W-2 for units we did not sell: a customer (on the portal) or an agent registers a
    unit bought elsewhere, with its serial, purchase date, dealer and proof of purchase. Once an
    After-Sales user approves it, the unit gets the warranty of its product's policy from the
    proven purchase date, and can carry cases and visits like a unit sold by us."""

    _name = "aftersales.unit.registration"
    _description = "Registered Unit"
    _inherit = [
        "aftersales.lock.mixin",
        "aftersales.number.guard",
        "portal.mixin",
        "mail.thread",
        "mail.activity.mixin",
    ]
    _order = "id desc"
    _check_company_auto = True

    # who may change what, in which state (aftersales.lock.mixin)
    _aftersales_locks = {
        # the decision and what it gives (W-1, W-2)
        **dict.fromkeys(
            ("state", "warranty_id", "lot_id", "approved_by_id", "refuse_reason", "access_token"), SYSTEM
        ),
        **CREATION_LOCKS,
        # what is decided on: as it was submitted; Transfer changes the owner
        **dict.fromkeys(
            ("partner_id", "product_id", "serial", "purchase_date", "dealer_id", "dealer_name"),
            Frozen(
                ("submitted", "approved", "refused"),
                reason=_lt("only a draft registration is changed; Transfer changes the owner"),
            ),
        ),
    }
    _aftersales_free = ("decision_note", "transfer_partner_id")
    _aftersales_unlink_lock = Frozen(
        ("submitted", "approved", "refused"), reason=_lt("a submitted registration is kept on record")
    )

    name = fields.Char(string="Reference", required=True, readonly=True, copy=False, default="/")
    # drawn at creation: portal pages (read-only cursors) never write one
    access_token = fields.Char(default=lambda self: new_access_token())
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    partner_id = fields.Many2one(
        "res.partner", string="Owner", required=True, index=True, tracking=True, check_company=True
    )
    product_id = fields.Many2one(
        "product.product",
        required=True,
        tracking=True,
        check_company=True,
        domain="[('type', '=', 'consu')]",
    )
    serial = fields.Char(string="Serial Number", tracking=True, help="As printed on the unit.")
    lot_id = fields.Many2one(
        "stock.lot",
        string="Serial/Lot",
        readonly=True,
        copy=False,
        check_company=True,
        help="The unit's serial in Odoo, found or made at approval.",
    )
    purchase_date = fields.Date(required=True, tracking=True)
    dealer_id = fields.Many2one("res.partner", tracking=True, help="Where the customer bought the unit.")
    dealer_name = fields.Char(help="The dealer as the customer named it (portal).")
    proof_count = fields.Integer(string="Proofs of Purchase", compute="_compute_proof_count")
    state = fields.Selection(
        REGISTRATION_STATES,
        default="draft",
        required=True,
        readonly=True,
        copy=False,
        tracking=True,
        index=True,
    )
    refuse_reason = fields.Char(readonly=True, copy=False, tracking=True)
    decision_note = fields.Char(
        string="Reason for Refusal",
        copy=False,
        groups=USER_GROUP,
        help="Told to the owner when the registration is refused.",
    )
    approved_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    warranty_id = fields.Many2one("aftersales.warranty", readonly=True, copy=False, check_company=True)
    warranty_end_date = fields.Date(related="warranty_id.end_date", string="Warranty Until")
    transfer_partner_id = fields.Many2one(
        "res.partner",
        string="New Owner",
        check_company=True,
        groups=USER_GROUP,
        help="The unit changes hands: Transfer makes this partner its owner, with the rest of its warranty.",
    )

    _sql_constraints = [
        ("name_company_uniq", "unique(name, company_id)", "A registration reference is unique per company."),
    ]

    def _compute_access_url(self):
        res = super()._compute_access_url()
        for registration in self:
            registration.access_url = f"/my/registrations/{registration.id}"
        return res

    def _compute_proof_count(self):
        # sudo: counting the attachments of records the user reads
        counts = dict(
            self.env["ir.attachment"]
            .sudo()
            ._read_group(
                [("res_model", "=", self._name), ("res_id", "in", self.ids)], ["res_id"], ["__count"]
            )
        )
        for registration in self:
            registration.proof_count = counts.get(registration.id, 0)

    # ------------------------------------------------------------------ checks
    @api.constrains("serial")
    def _check_serial_length(self):
        """A serial number is read off a nameplate: a page of text is not one."""
        for registration in self:
            if registration.serial and len(registration.serial) > MAX_SERIAL_LENGTH:
                raise ValidationError(
                    _("A serial number has at most %(count)s characters.", count=MAX_SERIAL_LENGTH)
                )

    @api.constrains("purchase_date")
    def _check_purchase_date(self):
        for registration in self:
            if (
                registration.purchase_date
                and registration.purchase_date > registration.company_id._aftersales_date()
            ):
                raise ValidationError(_("The purchase date cannot be in the future."))

    def _serial_key(self):
        return (self.serial or "").strip().upper()

    def _check_unit_is_free(self):
        """A serial sold by us has its warranty already; a serial registered by someone else is
        theirs: both refused, with the reason."""
        self.ensure_one()
        if self.product_id.tracking != "none" and not self._serial_key():
            raise UserError(
                _("Give the serial number of the %(product)s.", product=self.product_id.display_name)
            )
        if not self._serial_key():
            return
        # sudo: the check looks at every company's serials and deliveries, not the user's view
        lots = (
            self.env["stock.lot"]
            .sudo()
            .search([("product_id", "=", self.product_id.id), ("name", "=ilike", self._serial_key())])
        )
        if lots and (
            self.env["stock.move.line"]
            .sudo()
            .search_count(
                [
                    ("lot_id", "in", lots.ids),
                    ("state", "=", "done"),
                    ("location_dest_id.usage", "=", "customer"),
                ],
                limit=1,
            )
        ):
            raise UserError(
                _(
                    "Serial %(serial)s of %(product)s was sold by us: its warranty exists already.",
                    serial=self.serial,
                    product=self.product_id.display_name,
                )
            )
        # a unit in our own stock was never sold: it is nobody's to register
        if lots and self.env["stock.quant"].sudo().search_count(
            [("lot_id", "in", lots.ids), ("location_id.usage", "=", "internal"), ("quantity", ">", 0)],
            limit=1,
        ):
            raise UserError(
                _(
                    "Serial %(serial)s of %(product)s is in our own stock: it was never sold, it cannot be "
                    "registered.",
                    serial=self.serial,
                    product=self.product_id.display_name,
                )
            )
        other = self.sudo().search(
            [
                ("id", "!=", self.id),
                ("product_id", "=", self.product_id.id),
                ("serial", "=ilike", self._serial_key()),
                ("state", "in", ("submitted", "approved")),
            ],
            limit=1,
        )
        if other:
            raise UserError(
                _(
                    "Serial %(serial)s of %(product)s is registered already (%(reference)s).",
                    serial=self.serial,
                    product=self.product_id.display_name,
                    reference=other.name,
                )
            )

    def _ensure_user(self):
        if not self.env.su and not self.env.user.has_group(USER_GROUP):
            raise AccessError(_("Only an After-Sales user can decide on a registered unit."))

    # ------------------------------------------------------------------ CRUD
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("serial"):
                vals["serial"] = vals["serial"].strip()
            if vals.get("name", "/") == "/":
                company = self.env["res.company"].browse(vals.get("company_id")) or self.env.company
                vals["name"] = self.env["ir.sequence"].with_company(company).next_by_code(
                    "aftersales.unit.registration"
                ) or _("New")
        return super().create(vals_list)

    def write(self, vals):
        if vals.get("serial"):
            vals["serial"] = vals["serial"].strip()
        return super().write(vals)

    # ------------------------------------------------------------------ workflow
    def action_submit(self):
        lock_for_action(self)
        for registration in self:
            if registration.state != "draft":
                raise UserError(_("Registration %(name)s was submitted already.", name=registration.name))
            if not registration.proof_count:
                raise UserError(_("Attach the proof of purchase (receipt or invoice) first."))
            registration._check_unit_is_free()
        privileged(self).write({"state": "submitted"})
        return True

    def action_approve(self):
        """W-1, W-2: the warranty of the product's policy, from the proven purchase date."""
        self._ensure_user()
        lock_for_action(self)
        Warranty = self.env["aftersales.warranty"]
        for registration in self:
            if registration.state != "submitted":
                raise UserError(
                    _("Registration %(name)s is not waiting for approval.", name=registration.name)
                )
            if not self.env.su and registration.create_uid == self.env.user:
                raise AccessError(
                    _(
                        "You entered registration %(name)s: another After-Sales user checks its proof "
                        "of purchase and approves it.",
                        name=registration.name,
                    )
                )
            registration._check_unit_is_free()
            policy = registration.product_id._get_aftersales_warranty_policy(company=registration.company_id)
            if not policy:
                raise UserError(
                    _(
                        "%(product)s has no warranty policy: set one on the product or its category.",
                        product=registration.product_id.display_name,
                    )
                )
            lot = registration._find_or_make_lot()
            # sudo: the warranty is the bookkeeping of the approval, made with the values checked above
            warranty = Warranty.sudo().create(
                {
                    "partner_id": registration.partner_id.id,
                    "company_id": registration.company_id.id,
                    "product_id": registration.product_id.id,
                    "lot_id": lot.id,
                    "policy_id": policy.id,
                    "start_date": registration.purchase_date,
                }
            )
            warranty.message_post(
                body=_(
                    "Registered unit %(name)s approved by %(user)s.",
                    name=registration.name,
                    user=self.env.user.name,
                )
            )
            # a unit bought long ago: its warranty is over already, not active until the cron runs
            if warranty.end_date < registration.company_id._aftersales_date():
                privileged(warranty).write({"state": "expired"})
            privileged(registration).write(
                {
                    "state": "approved",
                    "lot_id": lot.id,
                    "warranty_id": warranty.id,
                    "approved_by_id": self.env.user.id,
                }
            )
            registration._notify_owner()
        return True

    def _find_or_make_lot(self):
        self.ensure_one()
        if self.product_id.tracking == "none" or not self._serial_key():
            return self.env["stock.lot"]
        # sudo: serials are the warehouse's; the registered one is found or made for the unit
        Lot = self.env["stock.lot"].sudo()
        lot = Lot.search(
            [
                ("product_id", "=", self.product_id.id),
                ("name", "=ilike", self._serial_key()),
                ("company_id", "in", [self.company_id.id, False]),
            ],
            limit=1,
        )
        return lot or Lot.create(
            {"name": self.serial, "product_id": self.product_id.id, "company_id": self.company_id.id}
        )

    def action_refuse(self, reason=None):
        self._ensure_user()
        lock_for_action(self)
        for registration in self:
            if registration.state != "submitted":
                raise UserError(
                    _("Registration %(name)s is not waiting for approval.", name=registration.name)
                )
            text = (reason or registration.decision_note or "").strip()
            if not text:
                raise UserError(_("Say why the registration is refused: the owner is told."))
            privileged(registration).write(
                {"state": "refused", "refuse_reason": text, "decision_note": False}
            )
        for registration in self:
            registration._notify_owner()
        return True

    def action_reset_draft(self):
        """A refused registration is corrected and submitted again."""
        for registration in self:
            if registration.state != "refused":
                raise UserError(_("Only a refused registration goes back to draft."))
        privileged(self).write({"state": "draft", "refuse_reason": False})
        return True

    def action_transfer(self):
        """The unit changes hands: the new owner gets the rest of its warranty (same end date)."""
        self._ensure_user()
        self.ensure_one()
        lock_for_action(self)
        new_owner = self.transfer_partner_id
        if self.state != "approved" or not new_owner:
            raise UserError(_("Choose the new owner of an approved unit."))
        if new_owner.commercial_partner_id == self.partner_id.commercial_partner_id:
            raise UserError(_("%(partner)s owns this unit already.", partner=new_owner.display_name))
        old_owner = self.partner_id
        # sudo: the warranty follows its unit; its dates are kept
        self.warranty_id.sudo().write({"partner_id": new_owner.id})
        privileged(self).write({"partner_id": new_owner.id, "transfer_partner_id": False})
        self.message_post(
            body=_(
                "Unit transferred from %(old)s to %(new)s; its warranty runs until %(end)s.",
                old=old_owner.display_name,
                new=new_owner.display_name,
                end=self.warranty_id.end_date,
            )
        )
        return True

    def action_view_proofs(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Proofs of Purchase"),
            "res_model": "ir.attachment",
            "view_mode": "kanban,list,form",
            "domain": [("res_model", "=", self._name), ("res_id", "=", self.id)],
            "context": {"default_res_model": self._name, "default_res_id": self.id},
        }

    def _notify_owner(self):
        """The owner is told the decision (the registration's mail template)."""
        template = self.env.ref(
            "aftersales_service.mail_template_unit_registration_decision", raise_if_not_found=False
        )
        if template:
            self.message_post_with_source(template, subtype_xmlid="mail.mt_comment")

    # ------------------------------------------------------------------ portal
    @api.model
    def _create_from_portal(self, product_id, serial, purchase_date, dealer_name=None, attachments=None):
        """A unit the logged-in customer registers on the portal, submitted at once with its
        proof of purchase (``attachments``: ``[(filename, bytes, mimetype)]``, the limits of the
        case form). Raises ``UserError`` for bad input; nothing is written then."""
        product = self.env["product.product"].sudo().browse(product_id).exists()
        if not product or not product.sale_ok or product.type != "consu":
            raise UserError(_("Choose one of our products."))
        files = self.env["aftersales.case"]._check_portal_attachments(attachments or [])
        if not files:
            raise UserError(_("Attach the proof of purchase (receipt or invoice) first."))
        try:
            purchase_date = fields.Date.to_date(purchase_date)
        except ValueError as exc:
            raise UserError(_("%(value)s is not a date.", value=purchase_date)) from exc
        if not purchase_date:
            raise UserError(_("Give the purchase date."))
        partner = self.env.user.partner_id
        # sudo: portal users have no create right; the registration belongs to their own partner
        registration = privileged(self.sudo()).create(
            {
                "partner_id": partner.id,
                "company_id": (partner.company_id or self.env.company).id,
                "product_id": product.id,
                "serial": serial,
                "purchase_date": purchase_date,
                "dealer_name": (dealer_name or "").strip() or False,
            }
        )
        registration.message_post(
            body=_("Proof of purchase from the customer"),
            attachments=[(name, raw) for name, raw, _mimetype in files],
            author_id=partner.id,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        registration.action_submit()
        return registration.sudo(False)
