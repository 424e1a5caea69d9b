import math

from odoo import _, api, models
from odoo.exceptions import ValidationError

NUMBER_TYPES = ("float", "monetary", "integer")
# above this, a number is a typing or integration error, whatever the currency or unit
ABSURD = 1e15
# the longest trip on Earth, half its circumference
MAX_DISTANCE_KM = 20040


class AftersalesNumberGuard(models.AbstractModel):
    """Every number an after-sales record takes is a real, sensible one: NaN, infinities, numbers
    beyond any plausible value and negatives are refused with a clear error before anything is
    written, whoever writes (the form, an import or RPC, where JSON and XML-RPC both carry NaN).

    Models inheriting it list what may be negative (``_aftersales_signed_fields``) and the
    largest sensible value of a field (``_aftersales_number_limits``). On a core model it guards
    only the addon's own fields (``_aftersales_guard_prefix``)."""

    _name = "aftersales.number.guard"
    _description = "After-Sales: sensible numbers"

    _aftersales_signed_fields = ("sequence", "color")
    _aftersales_number_limits = {}
    _aftersales_guard_prefix = ""

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._aftersales_check_numbers(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._aftersales_check_numbers(vals)
        return super().write(vals)

    @api.model
    def _aftersales_check_numbers(self, vals):
        for fname, value in vals.items():
            field = self._fields.get(fname)
            if (
                field is None
                or field.type not in NUMBER_TYPES
                or not fname.startswith(self._aftersales_guard_prefix)
                or value is False
                or value is None
                or isinstance(value, bool)
            ):
                continue
            label = field._description_string(self.env)
            try:
                number = float(value)
            except (TypeError, ValueError):
                raise ValidationError(
                    _("%(field)s must be a number, not %(value)r.", field=label, value=value)
                ) from None
            if not math.isfinite(number):
                raise ValidationError(
                    _("%(field)s must be a real number, not %(value)s.", field=label, value=value)
                )
            if abs(number) >= ABSURD:
                raise ValidationError(_("%(field)s is far too large (%(value)s).", field=label, value=value))
            if number < 0 and fname not in self._aftersales_signed_fields:
                raise ValidationError(
                    _("%(field)s cannot be negative (%(value)s).", field=label, value=value)
                )
            limit = self._aftersales_number_limits.get(fname)
            if limit is not None and number > limit:
                raise ValidationError(
                    _(
                        "%(field)s cannot be above %(limit)s (%(value)s).",
                        field=label,
                        limit=limit,
                        value=value,
                    )
                )
