from datetime import timedelta

from odoo import Command, _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools.translate import LazyTranslate

from .aftersales_lock import ALWAYS, CREATION_LOCKS, SYSTEM, Frozen
from .aftersales_number_guard import MAX_DISTANCE_KM
from .tools import ensure_can, is_privileged, new_access_token, privileged

_lt = LazyTranslate(__name__)

VISIT_STATES = [
    ("draft", "Draft"),
    ("scheduled", "Scheduled"),
    ("on_site", "On Site"),
    ("done", "Done"),
    ("cancelled", "Cancelled"),
]
VISIT_KINDS = [("repair", "Repair"), ("maintenance", "Maintenance")]
DISTANCE_BANDS = [
    ("city", "City"),
    ("200", "Up to 200 km"),
    ("300", "Up to 300 km"),
    ("400", "Up to 400 km"),
    ("beyond", "Beyond 400 km (by appointment)"),
]
RESPONSIBILITIES = [
    ("quality", "Product Quality"),
    ("installation", "Installation"),
    ("transport", "Transport"),
    ("misuse", "Misuse by the Customer"),
    ("wear", "Normal Wear"),
    ("other", "Other"),
]
CLOSED = ("done", "cancelled")
# what sets the arrival target and the travel rule (F-2, F-5): fixed once the engineer arrived
VISIT_ARRIVAL_FIELDS = (
    "distance_km",
    "distance_band",
    "kind",
    "case_id",
    "warranty_id",
    "appointment_start",
)


def _arrived(visit):
    """once the engineer arrived"""
    return bool(visit.arrival_date) or visit.state in CLOSED


def _not_on_site(visit):
    """unless the engineer is on site"""
    return visit.state != "on_site"


# what the customer signs (F-4): a change after the signature clears it
VISIT_REPORT_FIELDS = (
    "case_id",
    "partner_id",
    "product_id",
    "lot_id",
    "cause_analysis",
    "responsibility",
    "misuse_explained",
    "exclusion_id",
    "unit_inspected",
    "nameplate_model",
    "nameplate_serial",
    "no_parts_replaced",
    "labour_hours",
    "operating_hours",
    "check_ids",
    "part_ids",
)
MANAGER_GROUP = "aftersales_service.group_aftersales_manager"
# a context marker only Python code can set: the write that signs also writes the report (its
# parts and checks included) the customer signs; nothing signed is cleared then
_SIGNING = object()
# internal fields: portal customers read their visits, not the staff's costs and tools (S-3)
INTERNAL = "aftersales_service.group_aftersales_user"


class AftersalesFieldVisit(models.Model):
    """The engineer field service form (F-1): an on-site visit with an appointment, an arrival
    target by distance band (F-2), the on-site checks (F-3), a signed service report (F-4), travel
    approval outside the home area (F-5), parts consumed from the service stock (F-7) and the
    tools taken (F-8). Maintenance visits (F-6) are planned by ``aftersales.maintenance``."""

    _name = "aftersales.field.visit"
    _description = "Field Service Visit"
    _aftersales_unlink_lock = Frozen(
        ("scheduled", "on_site", "done", "cancelled"),
        reason=_lt("only draft visits are deleted; cancel the others"),
    )
    _inherit = [
        "aftersales.lock.mixin",
        "aftersales.number.guard",
        "portal.mixin",
        "mail.thread",
        "mail.activity.mixin",
    ]
    _order = "appointment_start desc, id desc"
    _check_company_auto = True
    _aftersales_number_limits = {"distance_km": MAX_DISTANCE_KM, "labour_hours": 24 * 366}

    # who may change what, in which state (aftersales.lock.mixin)
    _aftersales_locks = {
        # the workflow's clock and what it computes from it (F-2, F-4)
        **dict.fromkeys(
            (
                "state",
                "request_date",
                "arrival_date",
                "signed_on",
                "done_date",
                "access_token",
                "in_warranty",
                "arrival_deadline",
                "arrived_late",
                "on_time_rate",
                "parts_cost",
            ),
            SYSTEM,
        ),
        **CREATION_LOCKS,
        # the report of a done visit is kept as signed
        **dict.fromkeys(
            (
                "maintenance_id",
                "partner_id",
                "user_id",
                "engineer_ids",
                "product_id",
                "lot_id",
                "appointment_end",
                "nameplate_model",
                "nameplate_serial",
                "cause_analysis",
                "responsibility",
                "exclusion_id",
                "misuse_explained",
                "unit_inspected",
                "check_ids",
                "operating_hours",
                "part_ids",
                "no_parts_replaced",
                "tool_ids",
                "labour_hours",
                "signed_by",
                "travel_request_ids",
            ),
            Frozen(CLOSED, reason=_lt("the visit is done or cancelled: its report is kept as signed")),
        ),
        # the arrival target is the one the engineer was dispatched with (F-2, F-5)
        **dict.fromkeys(
            VISIT_ARRIVAL_FIELDS,
            Frozen(
                _arrived,
                reason=_lt(
                    "the engineer arrived: the distance, kind, case, warranty and appointment set "
                    "the arrival target"
                ),
                example={"arrival_date": "2026-01-05 09:00:00"},
            ),
        ),
        # the customer signs on site (F-4)
        "signature": Frozen(
            _not_on_site,
            reason=_lt("the customer signs the service report on site, once the work is done"),
            example={"state": "scheduled"},
        ),
    }

    name = fields.Char(string="Reference", required=True, readonly=True, copy=False, default="/")
    # drawn at creation: portal pages (read-only cursors) never write one
    access_token = fields.Char(default=lambda self: new_access_token())
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    kind = fields.Selection(VISIT_KINDS, required=True, default="repair", tracking=True)
    state = fields.Selection(
        VISIT_STATES, default="draft", required=True, index=True, tracking=True, copy=False
    )
    case_id = fields.Many2one(
        "aftersales.case", string="Service Case", index="btree_not_null", check_company=True, tracking=True
    )
    maintenance_id = fields.Many2one(
        "aftersales.maintenance",
        string="Maintenance Step",
        index="btree_not_null",
        check_company=True,
        groups=INTERNAL,
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
        compute="_compute_from_case",
        store=True,
        readonly=False,
        precompute=True,
    )
    address = fields.Char(compute="_compute_address", string="Site Address")
    user_id = fields.Many2one(
        "res.users",
        string="Lead Engineer",
        index=True,
        tracking=True,
        domain=[("share", "=", False)],
        check_company=True,
    )
    engineer_ids = fields.Many2many(
        "res.users",
        string="Other Engineers",
        domain=[("share", "=", False)],
        check_company=True,
        groups=INTERNAL,
    )
    team_id = fields.Many2one(related="case_id.team_id", store=True)
    # --- the unit (F-3)
    product_id = fields.Many2one(
        "product.product",
        compute="_compute_from_case",
        store=True,
        readonly=False,
        precompute=True,
        check_company=True,
    )
    lot_id = fields.Many2one(
        "stock.lot",
        string="Sold Serial",
        compute="_compute_from_case",
        store=True,
        readonly=False,
        precompute=True,
        check_company=True,
    )
    warranty_id = fields.Many2one(
        "aftersales.warranty",
        compute="_compute_from_case",
        store=True,
        readonly=False,
        precompute=True,
        check_company=True,
    )
    in_warranty = fields.Boolean(compute="_compute_in_warranty", store=True)
    # --- appointment and arrival (F-1, F-2)
    request_date = fields.Datetime(
        string="Dispatch Requested",
        required=True,
        readonly=True,
        default=fields.Datetime.now,
        copy=False,
        help="When the on-site service was requested: the arrival target of an in-warranty fault "
        "counts from here.",
    )
    appointment_start = fields.Datetime(tracking=True, index=True)
    appointment_end = fields.Datetime(tracking=True)
    distance_km = fields.Float(string="Distance (km)", tracking=True)
    distance_band = fields.Selection(
        DISTANCE_BANDS,
        compute="_compute_distance_band",
        store=True,
        readonly=False,
        precompute=True,
        help="From the distance and the company's city radius; editable.",
    )
    arrival_deadline = fields.Datetime(
        compute="_compute_arrival_deadline",
        store=True,
        help="In-warranty repairs: dispatch request + the distance band's arrival target (Settings); "
        "beyond the last band and other visits: the appointment.",
    )
    arrival_date = fields.Datetime(readonly=True, copy=False, tracking=True)
    arrived_late = fields.Boolean(compute="_compute_arrived_late", store=True)
    on_time_rate = fields.Float(
        string="On-Time Arrival (%)",
        compute="_compute_arrived_late",
        store=True,
        aggregator="avg",
        help="100 for an arrival by the deadline, 0 for a late one.",
    )
    # --- on-site checks (F-3)
    nameplate_model = fields.Char(help="Model read on the unit's nameplate.")
    nameplate_serial = fields.Char(help="Serial number read on the unit's nameplate.")
    nameplate_mismatch = fields.Boolean(compute="_compute_nameplate_mismatch")
    cause_analysis = fields.Html(string="Fault Cause Analysis")
    responsibility = fields.Selection(RESPONSIBILITIES, tracking=True)
    exclusion_id = fields.Many2one(
        "aftersales.warranty.exclusion",
        string="Not Covered Because",
        tracking=True,
        groups=INTERNAL,
        help="The fault's cause is one the warranty does not cover: the visit's parts and labour are "
        "invoiced as out of warranty. A fault caused by misuse is never covered either.",
    )
    misuse_explained = fields.Boolean(
        string="Misuse Explained to the Customer",
        help="A fault caused by misuse is explained to the customer.",
    )
    unit_inspected = fields.Boolean(string="Whole Unit Inspected", tracking=True)
    check_ids = fields.One2many(
        "aftersales.field.visit.check", "visit_id", string="Inspection Checklist", groups=INTERNAL
    )
    operating_hours = fields.Float(
        string="Operating Hours Reading",
        help="Read on site; pulls the unit's next maintenance forward.",
        groups=INTERNAL,
    )
    # --- parts and tools (F-4, F-7, F-8)
    part_ids = fields.One2many(
        "aftersales.field.visit.part", "visit_id", string="Parts Replaced", groups=INTERNAL
    )
    no_parts_replaced = fields.Boolean(help="Confirm that no part was replaced on this visit.")
    tool_ids = fields.Many2many(
        "maintenance.equipment",
        string="Tools Taken",
        domain="[('aftersales_is_tool', '=', True)]",
        check_company=True,
        groups=INTERNAL,
    )
    labour_hours = fields.Float(string="Labour (hours)", groups=INTERNAL)
    # --- report and acceptance (F-4)
    signature = fields.Image(copy=False, attachment=True, max_width=1024, max_height=1024)
    signed_by = fields.Char(copy=False, tracking=True)
    signed_on = fields.Datetime(copy=False, readonly=True)
    done_date = fields.Datetime(copy=False, readonly=True)
    # --- travel (F-5)
    travel_request_ids = fields.One2many(
        "aftersales.travel.request", "visit_id", string="Travel Requests", groups=INTERNAL
    )
    needs_travel_approval = fields.Boolean(compute="_compute_travel", groups=INTERNAL)
    travel_approved = fields.Boolean(compute="_compute_travel", groups=INTERNAL)
    travel_cost = fields.Monetary(compute="_compute_travel", groups=INTERNAL)
    parts_cost = fields.Monetary(compute="_compute_parts_cost", store=True, groups=INTERNAL)
    # --- workflow buttons: one rule each, in Python (the views only show them)
    can_schedule = fields.Boolean(compute="_compute_can_flags")
    can_arrive = fields.Boolean(compute="_compute_can_flags")
    can_done = fields.Boolean(compute="_compute_can_flags")
    can_cancel = fields.Boolean(compute="_compute_can_flags")
    can_sign = fields.Boolean(compute="_compute_can_flags")

    # ------------------------------------------------------------------ computes
    @api.depends("case_id")
    def _compute_from_case(self):
        for visit in self:
            case = visit.case_id
            if not case:
                continue
            visit.partner_id = case.partner_id or visit.partner_id
            visit.product_id = case.product_id or visit.product_id
            visit.lot_id = case.lot_id or visit.lot_id
            visit.warranty_id = case.warranty_id or visit.warranty_id

    @api.depends("partner_id")
    def _compute_address(self):
        for visit in self:
            visit.address = visit.partner_id._display_address(without_company=True).replace("\n", ", ")

    @api.depends("warranty_id", "request_date", "kind")
    def _compute_in_warranty(self):
        for visit in self:
            date = fields.Date.to_date(visit.request_date) if visit.request_date else None
            visit.in_warranty = bool(visit.warranty_id) and visit.warranty_id._is_covering(date)

    # F-2: no dependency on the settings: a visit keeps the band (and so the arrival target) it
    # was dispatched with when the city radius changes later
    @api.depends("distance_km")
    def _compute_distance_band(self):
        for visit in self:
            km = visit.distance_km
            if km <= visit.company_id.aftersales_city_radius_km:
                visit.distance_band = "city"
            elif km <= 200:
                visit.distance_band = "200"
            elif km <= 300:
                visit.distance_band = "300"
            elif km <= 400:
                visit.distance_band = "400"
            else:
                visit.distance_band = "beyond"

    @api.depends("kind", "in_warranty", "distance_band", "request_date", "appointment_start")
    def _compute_arrival_deadline(self):
        for visit in self:
            hours = visit.company_id._aftersales_arrival_hours(visit.distance_band)
            if visit.kind == "repair" and visit.in_warranty and hours and visit.request_date:
                visit.arrival_deadline = visit.request_date + timedelta(hours=hours)
            else:
                visit.arrival_deadline = visit.appointment_start

    @api.depends("arrival_date", "arrival_deadline")
    def _compute_arrived_late(self):
        for visit in self:
            if not visit.arrival_date or not visit.arrival_deadline:
                visit.arrived_late = False
                visit.on_time_rate = 100.0 if visit.arrival_date else False
                continue
            visit.arrived_late = visit.arrival_date > visit.arrival_deadline
            visit.on_time_rate = 0.0 if visit.arrived_late else 100.0

    @api.depends("nameplate_serial", "nameplate_model", "lot_id", "product_id")
    def _compute_nameplate_mismatch(self):
        for visit in self:
            serial = (visit.nameplate_serial or "").strip().lower()
            model = (visit.nameplate_model or "").strip().lower()
            mismatch = bool(serial and visit.lot_id and serial != visit.lot_id.name.strip().lower())
            if model and visit.product_id:
                names = {
                    (visit.product_id.default_code or "").lower(),
                    (visit.product_id.name or "").lower(),
                }
                mismatch = mismatch or model not in names
            visit.nameplate_mismatch = mismatch

    @api.depends("distance_km", "travel_request_ids.state", "travel_request_ids.actual_cost", "company_id")
    def _compute_travel(self):
        for visit in self:
            radius = visit.company_id.aftersales_home_radius_km
            requests = visit.travel_request_ids
            approved = requests.filtered(lambda r: r.state == "approved")
            visit.needs_travel_approval = bool(radius) and visit.distance_km > radius
            visit.travel_approved = bool(approved)
            visit.travel_cost = sum(approved.mapped(lambda r: r.actual_cost or r.estimated_cost))

    @api.depends("part_ids.cost")
    def _compute_parts_cost(self):
        for visit in self:
            visit.parts_cost = sum(visit.part_ids.mapped("cost"))

    @api.depends("state", "signature")
    def _compute_can_flags(self):
        for visit in self:
            state = visit.state
            visit.can_schedule = state == "draft"
            visit.can_arrive = state == "scheduled"
            visit.can_done = state == "on_site"
            visit.can_cancel = state in ("draft", "scheduled", "on_site")
            visit.can_sign = state == "on_site" and not visit.signature

    def _ensure_can(self, flag, message):
        """The guard of every workflow action: the same rule as the button's ``can_*`` flag."""
        ensure_can(self, flag, message)

    def _compute_access_url(self):  # pylint: disable=missing-return
        super()._compute_access_url()
        for visit in self:
            visit.access_url = f"/my/visits/{visit.id}"

    # ------------------------------------------------------------------ constraints
    @api.constrains("appointment_start", "appointment_end")
    def _check_appointment(self):
        for visit in self:
            if (
                visit.appointment_start
                and visit.appointment_end
                and visit.appointment_end <= visit.appointment_start
            ):
                raise ValidationError(
                    _("The appointment of visit %(name)s must end after it starts.", name=visit.name)
                )

    @api.constrains("misuse_explained", "responsibility")
    def _check_misuse(self):
        for visit in self:
            if visit.misuse_explained and visit.responsibility != "misuse":
                raise ValidationError(_("Only a fault caused by misuse is explained as misuse."))

    # ------------------------------------------------------------------ CRUD
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                company = self.env["res.company"].browse(vals.get("company_id")) or self.env.company
                vals["name"] = (
                    self.env["ir.sequence"].with_company(company).next_by_code("aftersales.field.visit")
                    or "/"
                )
        visits = super().create(vals_list)
        visits._add_checklist()
        return visits

    def write(self, vals):
        if not is_privileged(self) and vals.get("signature"):
            for visit in self:
                signer = vals["signed_by"] if "signed_by" in vals else visit.signed_by
                if not isinstance(signer, str) or not signer.strip():
                    raise ValidationError(_("Give the name of the person who signs the service report."))
        if set(vals) & set(VISIT_REPORT_FIELDS) and not vals.get("signature"):
            self._clear_signature()
        if vals.get("signature") and "signed_on" not in vals:
            res = super(AftersalesFieldVisit, self.with_context(aftersales_signing=_SIGNING)).write(vals)
            privileged(self).write({"signed_on": fields.Datetime.now()})
            return res
        return super().write(vals)

    def _clear_signature(self):
        """F-4: the customer signed the report as it was: a change clears the signature (logged),
        and the report is signed again before the visit can be completed."""
        if is_privileged(self) or self.env.context.get("aftersales_signing") is _SIGNING:
            return
        signed = self.filtered("signature")
        if not signed:
            return
        privileged(signed).write({"signature": False, "signed_by": False, "signed_on": False})
        for visit in signed:
            visit.message_post(
                body=_(
                    "The service report changed after the customer signed it: the signature was "
                    "cleared, the customer signs the new report."
                ),
                subtype_xmlid="mail.mt_note",
            )

    def _add_checklist(self):
        """F-3: the inspection items of the unit's product category (and its parents) and the
        general items (no category) become the visit's checklist."""
        Item = self.env["aftersales.inspection.item"]
        for visit in self.filtered(lambda v: not v.check_ids):
            categ_ids = []
            categ = visit.product_id.categ_id
            while categ:
                categ_ids.append(categ.id)
                categ = categ.parent_id
            items = Item.search(
                [
                    ("company_id", "in", [visit.company_id.id, False]),
                    "|",
                    ("categ_id", "=", False),
                    ("categ_id", "in", categ_ids),
                ]
            )
            if items:
                visit.check_ids = [Command.create({"item_id": item.id, "name": item.name}) for item in items]

    # ------------------------------------------------------------------ actions
    def action_schedule(self):
        """F-1: the appointment is set and the customer told (mail template)."""
        self._ensure_can("can_schedule", _("Visit %(names)s is scheduled already."))
        for visit in self:
            if not visit.user_id:
                raise UserError(_("Choose the lead engineer of visit %(name)s.", name=visit.name))
            if not visit.appointment_start or not visit.appointment_end:
                raise UserError(_("Set the appointment of visit %(name)s.", name=visit.name))
        privileged(self).write({"state": "scheduled"})
        self._notify_appointment()
        return True

    def _notify_appointment(self):
        template = self.env.ref(
            "aftersales_service.mail_template_field_visit_appointment", raise_if_not_found=False
        )
        for visit in self.filtered("partner_id"):
            visit.message_subscribe(partner_ids=visit.partner_id.ids)
            if template:
                visit.with_context(mail_post_autofollow=False).message_post_with_source(
                    template, subtype_xmlid="mail.mt_comment"
                )
            if visit.user_id:
                visit.activity_schedule(
                    "mail.mail_activity_data_meeting",
                    date_deadline=fields.Date.to_date(visit.appointment_start),
                    user_id=visit.user_id.id,
                    summary=_("On-site visit %(name)s", name=visit.name),
                )

    def action_arrive(self):
        """F-2: the engineer records the arrival, at the server's clock (no caller tells another
        time); late arrivals are flagged. A visit outside the home area leaves only with its
        travel approved (F-5)."""
        self._ensure_can("can_arrive", _("Visit %(names)s is not scheduled."))
        for visit in self:
            if visit.needs_travel_approval and not visit.travel_approved:
                raise UserError(
                    _(
                        "Visit %(name)s is %(km)s km away, outside the home area: a manager must approve "
                        "its travel request first.",
                        name=visit.name,
                        km=visit.distance_km,
                    )
                )
        privileged(self).write({"state": "on_site", "arrival_date": fields.Datetime.now()})
        late = self.filtered("arrived_late")
        for visit in late:
            visit.message_post(
                body=_("Arrived after the arrival target of %(deadline)s.", deadline=visit.arrival_deadline),
                subtype_xmlid="mail.mt_note",
            )
        return True

    def _check_report(self):
        """F-4: a visit without cause analysis, parts lines (or "no parts replaced") and the
        customer's signature is not valid."""
        for visit in self:
            missing = []
            if not visit.cause_analysis or not visit.cause_analysis.striptags().strip():
                missing.append(_("the fault cause analysis"))
            if not visit.part_ids and not visit.no_parts_replaced:
                missing.append(_('the parts replaced (or "no parts replaced")'))
            if visit.part_ids and visit.no_parts_replaced:
                missing.append(_('either parts or "no parts replaced", not both'))
            if visit.responsibility == "misuse" and not visit.misuse_explained:
                missing.append(_("the misuse explained to the customer"))
            if not visit.unit_inspected:
                missing.append(_("the whole-unit inspection"))
            if not visit.signature:
                missing.append(_("the customer's acceptance signature"))
            if missing:
                raise UserError(
                    _(
                        "Visit %(name)s cannot be completed without %(missing)s.",
                        name=visit.name,
                        missing=", ".join(missing),
                    )
                )

    def action_done(self):
        """F-4: the signed, complete report closes the visit; parts are consumed from the service
        stock (F-7); a maintenance visit completes its step and its reading pulls the next one
        forward (F-6)."""
        self._ensure_can("can_done", _("Visit %(names)s is not on site."))
        self._check_report()
        self.part_ids._consume()
        privileged(self).write({"state": "done", "done_date": fields.Datetime.now()})
        self.env["aftersales.maintenance"]._on_visits_done(self)
        self._action_done()
        return True

    def _action_done(self):
        """Hook after visits were completed."""

    def action_cancel(self):
        self._ensure_can("can_cancel", _("Visit %(names)s is done or cancelled already."))
        privileged(self).write({"state": "cancelled"})
        privileged(self.maintenance_id.filtered(lambda m: m.state == "scheduled")).write(
            {"state": "planned", "visit_id": False}
        )
        self.activity_ids.unlink()
        return True

    @api.readonly
    def action_print_report(self):
        return self.env.ref("aftersales_service.action_report_field_visit").report_action(self)

    def _get_report_base_filename(self):
        self.ensure_one()
        return _("Service Report - %(name)s", name=self.name)

    def _portal_sign(self, name, signature):
        """F-4: the customer signs the service report on the portal (``sudo`` record checked by
        the controller's token)."""
        self.ensure_one()
        if not self.can_sign:
            raise UserError(_("This service report is not waiting for your signature."))
        if not (name or "").strip() or not signature:
            raise ValidationError(_("Your name and signature are needed."))
        self.write({"signed_by": name.strip(), "signature": signature})

    def _check_manager(self):
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(_("Only an After-Sales manager can do this."))


class AftersalesFieldVisitCheck(models.Model):
    """F-3: one whole-unit inspection item ticked on site."""

    _name = "aftersales.field.visit.check"
    _description = "Field Visit Inspection Item"
    _inherit = ["aftersales.lock.mixin"]
    _order = "visit_id, sequence, id"

    # who may change what, in which state (aftersales.lock.mixin)
    _aftersales_locks = {
        **dict.fromkeys(
            ("visit_id", "item_id"), Frozen(ALWAYS, reason=_lt("an inspection item stays with its visit"))
        ),
        **dict.fromkeys(
            ("name", "done", "result", "note"),
            Frozen(
                CLOSED,
                via="visit_id",
                reason=_lt("the visit is done or cancelled: its report is kept as signed"),
            ),
        ),
    }
    _aftersales_lock_log_on = "visit_id"
    _aftersales_unlink_lock = Frozen(
        CLOSED, via="visit_id", reason=_lt("the visit is done or cancelled: its report is kept as signed")
    )

    visit_id = fields.Many2one("aftersales.field.visit", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="visit_id.company_id", store=True)
    item_id = fields.Many2one("aftersales.inspection.item")
    sequence = fields.Integer(related="item_id.sequence", store=True)
    name = fields.Char(required=True)
    done = fields.Boolean(string="Checked")
    result = fields.Selection([("ok", "OK"), ("issue", "Issue Found")])
    note = fields.Char()

    @api.model_create_multi
    def create(self, vals_list):
        checks = super().create(vals_list)
        checks.visit_id._clear_signature()
        return checks

    def write(self, vals):
        self.visit_id._clear_signature()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_clear_signature(self):
        self.visit_id._clear_signature()


class AftersalesFieldVisitPart(models.Model):
    """F-4, F-7: a part replaced on a visit, consumed from the service stock location."""

    _name = "aftersales.field.visit.part"
    _description = "Part Replaced on a Field Visit"
    _inherit = ["aftersales.lock.mixin", "aftersales.number.guard"]

    # who may change what, in which state (aftersales.lock.mixin)
    _aftersales_locks = {
        "cost": SYSTEM,
        "move_id": SYSTEM,
        "visit_id": Frozen(ALWAYS, reason=_lt("a part stays with the visit it was replaced on")),
        **dict.fromkeys(
            ("product_id", "quantity", "lot_id", "is_upgrade"),
            Frozen(CLOSED, via="visit_id", reason=_lt("the visit is closed: its parts are kept")),
        ),
    }
    _aftersales_lock_log_on = "visit_id"
    _aftersales_unlink_lock = Frozen(
        CLOSED, via="visit_id", reason=_lt("the visit is closed: its parts are kept")
    )

    visit_id = fields.Many2one("aftersales.field.visit", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="visit_id.company_id", store=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    product_id = fields.Many2one("product.product", required=True, domain=[("type", "=", "consu")])
    quantity = fields.Float(default=1.0, digits="Product Unit of Measure")
    lot_id = fields.Many2one("stock.lot", string="Serial/Lot", domain="[('product_id', '=', product_id)]")
    cost = fields.Monetary(compute="_compute_cost", store=True)
    is_upgrade = fields.Boolean(
        string="Upgrade",
        help="An improvement the customer chose, charged at the part's cost even in warranty.",
    )
    move_id = fields.Many2one("stock.move", readonly=True, copy=False)

    @api.depends("product_id", "quantity")
    def _compute_cost(self):
        for part in self:
            part.cost = part.product_id.standard_price * part.quantity

    @api.constrains("quantity")
    def _check_quantity(self):
        if any(part.quantity <= 0 for part in self):
            raise ValidationError(_("The quantity of a part replaced must be positive."))

    @api.model_create_multi
    def create(self, vals_list):
        parts = super().create(vals_list)
        parts.visit_id._clear_signature()
        return parts

    def write(self, vals):
        if set(vals) - {"move_id"}:
            self.visit_id._clear_signature()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_clear_signature(self):
        self.visit_id._clear_signature()

    def _consume(self):
        """F-7: one done stock move per storable part, from the company's service location to
        the customer (Odoo's own stock valuation and reorder rules follow)."""
        # sudo: engineers record parts without warehouse rights; the moves are exactly the parts
        # of a visit being completed (checked by action_done)
        moves_vals = []
        storable = self.filtered(lambda p: p.product_id.is_storable and not p.move_id)
        for part in storable:
            visit = part.visit_id
            company = visit.company_id
            source = company._aftersales_service_location()
            if part.product_id.tracking != "none" and not part.lot_id:
                raise UserError(
                    _(
                        "Part %(product)s is tracked: give its serial/lot.",
                        product=part.product_id.display_name,
                    )
                )
            moves_vals.append(
                {
                    "name": _(
                        "%(visit)s: %(product)s", visit=visit.name, product=part.product_id.display_name
                    ),
                    "product_id": part.product_id.id,
                    "product_uom_qty": part.quantity,
                    "product_uom": part.product_id.uom_id.id,
                    "location_id": source.id,
                    "location_dest_id": visit.partner_id.property_stock_customer.id
                    or self.env.ref("stock.stock_location_customers").id,
                    "company_id": company.id,
                    "partner_id": visit.partner_id.id,
                    "origin": visit.name,
                }
            )
        if not moves_vals:
            return
        moves = self.env["stock.move"].sudo().create(moves_vals)
        moves._action_confirm()
        moves._action_assign()
        for move, part in zip(moves, storable, strict=True):
            move.move_line_ids.unlink()
            move.move_line_ids = [
                Command.create(
                    {
                        "product_id": move.product_id.id,
                        "quantity": part.quantity,
                        "product_uom_id": move.product_uom.id,
                        "location_id": move.location_id.id,
                        "location_dest_id": move.location_dest_id.id,
                        "lot_id": part.lot_id.id,
                    }
                )
            ]
            move.picked = True
        moves._action_done()
        for move, part in zip(moves, storable, strict=True):
            privileged(part).move_id = move
