from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools.translate import LazyTranslate

from .aftersales_lock import CREATION_LOCKS, SYSTEM, Frozen
from .aftersales_number_guard import MAX_DISTANCE_KM
from .tools import is_privileged, privileged

_lt = LazyTranslate(__name__)

TRAVEL_STATES = [
    ("draft", "Draft"),
    ("submitted", "Submitted"),
    ("approved", "Approved"),
    ("refused", "Refused"),
]


class AftersalesTravelRequest(models.Model):
    """F-5: service outside the home area needs a travel request approved by a manager (never by
    the requester); its cost adds to the case's service cost."""

    _name = "aftersales.travel.request"
    _description = "Travel Request"
    _inherit = ["aftersales.lock.mixin", "aftersales.number.guard", "mail.thread", "mail.activity.mixin"]
    _order = "id desc"
    _check_company_auto = True
    _aftersales_number_limits = {"distance_km": MAX_DISTANCE_KM}

    # who may change what, in which state (aftersales.lock.mixin)
    _aftersales_locks = {
        **dict.fromkeys(("state", "approver_id", "approval_date", "requester_id"), SYSTEM),
        **CREATION_LOCKS,
        # the manager decides on an estimate: it is kept as submitted
        **dict.fromkeys(
            ("visit_id", "distance_km", "estimated_cost"),
            Frozen(
                ("submitted", "approved", "refused"),
                reason=_lt("the manager decides on the travel as it was submitted"),
            ),
        ),
        # a refused trip costs nothing; an approved one's actual cost goes back to the manager
        "actual_cost": Frozen(("refused",), reason=_lt("a refused travel request has no cost")),
    }
    _aftersales_free = ("reason",)
    _aftersales_unlink_lock = Frozen(
        ("submitted", "approved", "refused"), reason=_lt("a submitted travel request is kept on record")
    )

    name = fields.Char(string="Reference", required=True, readonly=True, copy=False, default="/")
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    visit_id = fields.Many2one(
        "aftersales.field.visit", required=True, index=True, ondelete="cascade", check_company=True
    )
    case_id = fields.Many2one(related="visit_id.case_id", store=True, index="btree_not_null")
    partner_id = fields.Many2one(related="visit_id.partner_id")
    requester_id = fields.Many2one(
        "res.users", required=True, readonly=True, default=lambda self: self.env.user, tracking=True
    )
    destination = fields.Char(related="visit_id.address")
    distance_km = fields.Float(string="Distance (km)")
    travel_date = fields.Datetime(related="visit_id.appointment_start", string="Travel Date")
    estimated_cost = fields.Monetary(tracking=True)
    actual_cost = fields.Monetary(tracking=True, help="Filled in after the trip; the service cost uses it.")
    reason = fields.Text()
    state = fields.Selection(
        TRAVEL_STATES, default="draft", required=True, tracking=True, copy=False, index=True
    )
    approver_id = fields.Many2one("res.users", readonly=True, copy=False, tracking=True)
    approval_date = fields.Datetime(readonly=True, copy=False)
    can_submit = fields.Boolean(compute="_compute_can_flags")
    can_approve = fields.Boolean(compute="_compute_can_flags")

    @api.depends("state", "requester_id")
    @api.depends_context("uid")
    def _compute_can_flags(self):
        is_manager = self.env.user.has_group("aftersales_service.group_aftersales_manager")
        for request in self:
            request.can_submit = request.state == "draft"
            request.can_approve = (
                is_manager and request.state == "submitted" and request.requester_id != self.env.user
            )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code("aftersales.travel.request") or "/"
        return super().create(vals_list)

    def write(self, vals):
        reapprove = self.browse()
        if not is_privileged(self) and "actual_cost" in vals:
            reapprove = self.filtered(
                lambda r: (
                    r.state == "approved"
                    and r.currency_id.compare_amounts(r.actual_cost, vals["actual_cost"] or 0.0)
                )
            )
        res = super().write(vals)
        if reapprove:
            # F-5: the approval was given for a cost: another one goes back to the manager
            privileged(reapprove).write({"state": "submitted", "approver_id": False, "approval_date": False})
            for request in reapprove:
                request.message_post(
                    body=_("The actual cost changed after the approval: a manager approves it again."),
                    subtype_xmlid="mail.mt_note",
                )
            reapprove._notify_manager()
        return res

    def action_submit(self):
        if self.filtered(lambda r: not r.can_submit):
            raise UserError(_("Only draft travel requests are submitted."))
        for request in self:
            if not request.estimated_cost:
                raise ValidationError(_("Give the estimated travel cost of %(name)s.", name=request.name))
        privileged(self).write({"state": "submitted"})
        self._notify_manager()
        return True

    def _notify_manager(self):
        for request in self:
            manager = request.company_id.aftersales_manager_id
            if manager and manager != request.requester_id:
                request.activity_schedule(
                    "mail.mail_activity_data_todo",
                    user_id=manager.id,
                    summary=_("Approve travel request %(name)s", name=request.name),
                )

    def action_approve(self):
        """F-5: a manager approves, never the requester."""
        if not self.env.user.has_group("aftersales_service.group_aftersales_manager"):
            raise AccessError(_("Only an After-Sales manager approves travel requests."))
        for request in self:
            if request.requester_id == self.env.user:
                raise UserError(
                    _("You requested %(name)s: another manager must approve it.", name=request.name)
                )
            if request.state != "submitted":
                raise UserError(_("Travel request %(name)s is not submitted.", name=request.name))
        privileged(self).write(
            {"state": "approved", "approver_id": self.env.user.id, "approval_date": fields.Datetime.now()}
        )
        self.activity_ids.action_feedback(_("Approved"))
        return True

    def action_refuse(self):
        if not self.env.user.has_group("aftersales_service.group_aftersales_manager"):
            raise AccessError(_("Only an After-Sales manager refuses travel requests."))
        if self.filtered(lambda r: r.state != "submitted"):
            raise UserError(_("Only submitted travel requests are refused."))
        privileged(self).write(
            {"state": "refused", "approver_id": self.env.user.id, "approval_date": fields.Datetime.now()}
        )
        self.activity_ids.action_feedback(_("Refused"))
        return True


class AftersalesFieldVisit(models.Model):
    """F-5: a visit far away asks for a travel request."""

    _inherit = "aftersales.field.visit"

    def action_request_travel(self):
        self.ensure_one()
        request = self.env["aftersales.travel.request"].create(
            {"visit_id": self.id, "distance_km": self.distance_km, "company_id": self.company_id.id}
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": "aftersales.travel.request",
            "res_id": request.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }
