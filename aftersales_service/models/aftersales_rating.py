# pylint: disable=consider-merging-classes-inherited
# (a rule part of the model, in a room of its own: see docs/ARCHITECTURE.md)
from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools.translate import LazyTranslate

from .aftersales_lock import SYSTEM, Frozen
from .tools import privileged, send_secret_link

_lt = LazyTranslate(__name__)


class AftersalesRating(models.Model):
    """A service rating (V-5): four dimensions on four levels, by email link or by staff."""

    _name = "aftersales.rating"
    _description = "Service Rating"
    _inherit = ["aftersales.lock.mixin", "portal.mixin"]
    _order = "id desc"
    _check_company_auto = True

    # who may change what (aftersales.lock.mixin): the answers are the customer's, given through
    # the link only they get (V-5); the rated employee never rates their own service
    _aftersales_locks = {
        **dict.fromkeys(
            (
                "state",
                "rating_date",
                "attitude",
                "technical_skill",
                "arrival_time",
                "promise_keeping",
                "comment",
                "is_satisfied",
                "satisfaction",
                "access_token",
            ),
            SYSTEM,
        ),
        **dict.fromkeys(
            ("company_id", "partner_id", "rated_user_id", "case_id"),
            Frozen(
                reason=_lt("a rating request is for the customer, the staff and the case it was sent for")
            ),
        ),
    }
    _aftersales_unlink_lock = Frozen(reason=_lt("ratings are kept on record"))
    _aftersales_lock_log_on = "case_id"

    # V-5: the secret of the customer's link: read by the system (the portal page, the mail it
    # renders), never by staff
    access_token = fields.Char(groups="base.group_system")

    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    partner_id = fields.Many2one("res.partner", string="Customer", required=True, check_company=True)
    rated_user_id = fields.Many2one(
        "res.users", string="Rated Staff", required=True, index=True, check_company=True
    )
    case_id = fields.Many2one("aftersales.case", index="btree_not_null")
    team_id = fields.Many2one(related="case_id.team_id", store=True)
    state = fields.Selection(
        [("requested", "Requested"), ("rated", "Rated")], default="requested", required=True
    )
    rating_date = fields.Date(readonly=True, index=True)
    attitude = fields.Selection("_levels")
    technical_skill = fields.Selection("_levels")
    arrival_time = fields.Selection("_levels")
    promise_keeping = fields.Selection("_levels")
    comment = fields.Text()
    is_satisfied = fields.Boolean(
        compute="_compute_is_satisfied",
        store=True,
        help="All four answers satisfied or very satisfied: what the satisfaction rate counts.",
    )
    satisfaction = fields.Float(
        compute="_compute_is_satisfied",
        store=True,
        aggregator="avg",
        string="Satisfaction Rate (%)",
    )

    LEVELS = [
        ("very_satisfied", "Very Satisfied"),
        ("satisfied", "Satisfied"),
        ("average", "Average"),
        ("poor", "Poor"),
    ]
    DIMENSIONS = ("attitude", "technical_skill", "arrival_time", "promise_keeping")

    @api.model
    def _levels(self):
        return self.LEVELS

    @api.depends("attitude", "technical_skill", "arrival_time", "promise_keeping", "state")
    def _compute_is_satisfied(self):
        for rating in self:
            answers = [rating[d] for d in self.DIMENSIONS]
            rating.is_satisfied = rating.state == "rated" and all(
                a in ("very_satisfied", "satisfied") for a in answers
            )
            rating.satisfaction = 100.0 if rating.is_satisfied else 0.0

    @api.model_create_multi
    def create(self, vals_list):
        ratings = super().create(vals_list)
        for rating in ratings:
            rating._portal_ensure_token()  # the secret of the customer's rating link
        return ratings

    def _compute_access_url(self):  # pylint: disable=missing-return
        super()._compute_access_url()
        for rating in self:
            rating.access_url = f"/aftersales/rating/{rating.id}"

    def _submit(self, answers, comment=None):
        """Record the four answers (from the public page or by staff); each must be on the scale."""
        self.ensure_one()
        if self.state == "rated":
            raise UserError(_("This service was rated already."))
        allowed = {key for key, _label in self.LEVELS}
        vals = {}
        for dim in self.DIMENSIONS:
            if answers.get(dim) not in allowed:
                raise ValidationError(_("Answer %(dim)s on the four-level scale.", dim=dim))
            vals[dim] = answers[dim]
        vals.update(comment=comment or False, state="rated", rating_date=self.company_id._aftersales_date())
        # the answers were checked above; the public page and the demo give them
        privileged(self).write(vals)
        if not self.is_satisfied:
            self._open_improvement_action()

    def _open_improvement_action(self):
        """S-1, V-7: a rating below "satisfied" opens an improvement action: an activity on the
        case for its team leader (else the After-Sales manager), with the answers and comment."""
        self.ensure_one()
        # sudo: the customer rates from a public page; the action is for the staff
        case = self.sudo().case_id
        owner = case.team_id.leader_id or self.company_id.aftersales_manager_id
        if not case or not owner:
            return
        levels = dict(self._fields["attitude"]._description_selection(self.env))
        answers = ", ".join(
            f"{self._fields[dim]._description_string(self.env)}: {levels.get(self[dim], '')}"
            for dim in self.DIMENSIONS
            if self[dim] not in ("very_satisfied", "satisfied")
        )
        case.activity_schedule(
            "mail.mail_activity_data_todo",
            user_id=owner.id,
            summary=self.env._("Improvement action: poor rating of %(case)s", case=case.name),
            note=self.env._(
                "%(answers)s. Comment: %(comment)s", answers=answers, comment=self.comment or "-"
            ),
        )

    def _get_public_url(self):
        self.ensure_one()
        return f"{self.get_base_url()}{self.access_url}/{self._portal_ensure_token()}"

    @api.model
    def _satisfaction_rate(self, domain):
        rated = self.search_count([*domain, ("state", "=", "rated")])
        satisfied = self.search_count([*domain, ("state", "=", "rated"), ("is_satisfied", "=", True)])
        return 100.0 * satisfied / rated if rated else 0.0


class AftersalesCase(models.Model):
    """The rating part of a case: resolving it asks the customer to rate the service (S-1,
    V-5). Ratings depend on cases, never the reverse."""

    _inherit = "aftersales.case"

    rating_ids = fields.One2many(
        "aftersales.rating", "case_id", string="Ratings", groups="aftersales_service.group_aftersales_user"
    )
    # V-5: the link is the customer's (portal, public page, the email rendered by the system):
    # staff never read it, so the rated employee cannot rate their own service
    aftersales_rating_url = fields.Char(
        string="Rating Link",
        compute="_compute_aftersales_rating_url",
        groups="base.group_portal,base.group_public",
        help="The customer's link to rate.",
    )

    def _compute_aftersales_rating_url(self):
        # sudo: the link of the case's latest rating request, shown to the customer it is for
        ratings = self.env["aftersales.rating"].sudo().search([("case_id", "in", self.ids)], order="id desc")
        for case in self:
            rating = ratings.filtered(lambda r, case=case: r.case_id == case)[:1]
            case.aftersales_rating_url = rating._get_public_url() if rating else False

    no_rating_reason = fields.Char(
        string="No Rating Because",
        groups="aftersales_service.group_aftersales_user",
        help="Why the customer was not asked to rate this case (no contact, internal case...): a case "
        "closes after its satisfaction step or with this reason.",
    )

    @api.depends("state", "resolution", "rating_ids", "no_rating_reason")
    def _compute_can_flags(self):  # pylint: disable=missing-return
        """S-1: Close is offered once the satisfaction step is done (a rating asked for or
        given, or the reason why none is): the button never leads to a refusal."""
        super()._compute_can_flags()
        for case in self.filtered("can_close"):
            # sudo: whether a rating exists, for users who do not read ratings
            case.can_close = bool(case.sudo().rating_ids or case.sudo().no_rating_reason)

    def _action_resolve(self):
        res = super()._action_resolve()
        self._request_rating()
        return res

    def _request_rating(self):
        """Resolving a case asks the customer to rate the service (S-1, V-5)."""
        Rating = self.env["aftersales.rating"]
        template = self.env.ref("aftersales_service.mail_template_case_rating_request")
        for case in self.filtered("partner_id"):
            Rating.sudo().create(  # sudo: the rating request is a system record
                {
                    "partner_id": case.partner_id.id,
                    # the responsible, else whoever resolved the case
                    "rated_user_id": (case.user_id or self.env.user).id,
                    "case_id": case.id,
                    "company_id": case.company_id.id,
                }
            )
            case.invalidate_recordset(["aftersales_rating_url"])
            # a mail template: a real link, in the customer's language, for the customer only
            send_secret_link(
                case,
                template,
                self.env._(
                    "The rating request was sent to %(partner)s.", partner=case.partner_id.display_name
                ),
            )
