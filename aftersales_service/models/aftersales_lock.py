"""Who may change what, in which state: one declaration per model, one mechanism.

A model that inherits ``aftersales.lock.mixin`` declares, in its own file:

- ``_aftersales_locks``: ``{field: lock}`` for every field a rule fixes, where a lock is
    - ``SYSTEM``: set by the addon's own code only (the workflow's action methods, crons,
      computations: :func:`tools.privileged`); no role writes it over RPC, on create or on write;
    - ``Frozen(when, group=None, reason=...)``: frozen on the records for which ``when`` holds
      (a tuple of states, or a function of the record; ``ALWAYS`` once created); the members of
      ``group`` (an xml id) may still change it, and that change is logged in the chatter with
      the old and the new value;
- ``_aftersales_free``: the stored fields anyone who may write the record (access rights and
  record rules) may change in any state;
- ``_aftersales_unlink_lock``: a ``Frozen`` saying when the records may no longer be deleted.

The mixin refuses a write, a create or a delete that breaks the declaration with an
:class:`AftersalesLockError` (an ``AccessError``) that names the field and the rule; nothing is
written. ``tests/test_locks.py`` tries every declared field, in every state that freezes it, as
every role, and fails on any stored field of a model that is neither locked nor declared free.
"""

from markupsafe import Markup

from odoo import api, models
from odoo.exceptions import AccessError
from odoo.tools.translate import LazyTranslate

from .tools import is_privileged

_lt = LazyTranslate(__name__)

MANAGER = "aftersales_service.group_aftersales_manager"
EXECUTIVE = "aftersales_service.group_aftersales_executive"
# fields of Odoo's mixins (chatter, activities, portal), which their own rules govern
MIXIN_FIELDS = frozenset(
    {
        "message_follower_ids",
        "message_ids",
        "website_message_ids",
        "activity_ids",
        "message_main_attachment_id",
        "rating_ids",
    }
)


class AftersalesLockError(AccessError):
    """A write, create or delete that a lock declaration refuses."""


class _System:
    def __repr__(self):
        return "SYSTEM"


SYSTEM = _System()


def ALWAYS(record):
    return True


class Frozen:
    """A field frozen on the records for which ``when`` holds, except for ``group``."""

    __slots__ = ("when", "group", "reason", "via", "open_values", "example")

    def __init__(self, when=ALWAYS, group=None, reason=None, via=None, open_values=(), example=None):
        """``when``: states of the record (or of its ``via`` many2one: a line's document), or a
        function of the record. ``open_values``: values anyone may still write (a case made
        paid costs the company nothing). ``example``: for a function, column values of the
        record (or of its ``via``) under which it holds (the generated test puts a record in
        that condition)."""
        self.when = when
        self.group = group
        self.reason = reason
        self.via = via
        self.open_values = open_values
        self.example = example

    def applies(self, record):
        if isinstance(self.when, tuple | list | frozenset | set):
            holder = record[self.via] if self.via else record
            return holder.state in self.when
        return bool(self.when(record))

    def states(self, model):
        """The states (of the record, or of its ``via``) in which the lock holds, for the
        generated test and the lock table."""
        if isinstance(self.when, tuple | list | frozenset | set):
            return tuple(self.when)
        return ()

    def __repr__(self):
        return f"Frozen({self.when!r}, group={self.group!r})"


# a document's reference and company, given at creation: declared once, spread by each model
CREATION_LOCKS = {
    "name": Frozen(ALWAYS, reason=_lt("its reference is given at creation")),
    "company_id": Frozen(ALWAYS, reason=_lt("its company is given at creation")),
}


class AftersalesLockMixin(models.AbstractModel):
    _name = "aftersales.lock.mixin"
    _description = "After-Sales: who may change what, in which state"

    _aftersales_locks = {}
    _aftersales_free = ()
    # on a model of Odoo's (account.move, sale.order.line): the prefix of the addon's own fields,
    # the only ones the declaration must cover (Odoo's own fields follow Odoo's rules, unless
    # declared)
    _aftersales_lock_scope = None
    # ... and a field set on its after-sales records (the generated test tries one of those)
    _aftersales_lock_scope_field = None
    _aftersales_unlink_lock = None
    # where a change by the group allowed to make it is logged, for records without a chatter
    _aftersales_lock_log_on = None

    # ------------------------------------------------------------------ enforcement
    @api.model_create_multi
    def create(self, vals_list):
        if is_privileged(self):
            return super().create(vals_list)
        self._aftersales_check_create(vals_list)
        records = super().create(vals_list)
        records._aftersales_check_created(vals_list)
        return records

    @api.model
    def _aftersales_check_create(self, vals_list):
        """A client creates a record without its system fields: a value it sends back as the
        form had it (empty, the default) is dropped, any other is refused. A model whose
        ``create`` sets system fields itself calls this first, then creates privileged."""
        system = [f for f, lock in self._aftersales_locks.items() if lock is SYSTEM]
        # a computed value that only a group may choose is computed for the others
        chosen = [
            f
            for f, lock in self._aftersales_locks.items()
            if isinstance(lock, Frozen)
            and lock.when is ALWAYS
            and lock.group
            and self._fields[f].compute
            and not self.env.user.has_group(lock.group)
        ]
        for vals in vals_list:
            for fname in system:
                if fname in vals:
                    if self._aftersales_is_default(fname, vals[fname]):
                        vals.pop(fname)
                    else:
                        raise self._aftersales_lock_error(fname, None)
            for fname in chosen:
                if fname in vals and vals[fname] not in self._aftersales_locks[fname].open_values:
                    vals.pop(fname)

    def _aftersales_check_created(self, vals_list):
        """A frozen field is not created on a frozen record either (a line added to a submitted
        return, a corrective action added to an approved complaint)."""
        for record, vals in zip(self, vals_list, strict=False):
            for fname in vals:
                lock = self._aftersales_locks.get(fname)
                # a condition on the record's own values is what the create sets: only the
                # states of the record or of its document (via) freeze what is created
                on_document = isinstance(lock, Frozen) and (lock.states(self) or lock.via)
                if on_document and lock.when is not ALWAYS and lock.applies(record):
                    if not (lock.group and self.env.user.has_group(lock.group)):
                        raise self._aftersales_lock_error(fname, lock, record)

    def write(self, vals):
        if is_privileged(self) or not self:
            return super().write(vals)
        logged = self._aftersales_check_locks(vals)
        olds = {fname: {rec: rec[fname] for rec in recs} for fname, recs in logged.items()}
        result = super().write(vals)
        if logged:
            self._aftersales_log_override(olds)
        return result

    def unlink(self):
        lock = self._aftersales_unlink_lock
        if lock and not is_privileged(self):
            frozen = self.filtered(lock.applies)
            if frozen and not (lock.group and self.env.user.has_group(lock.group)):
                raise AftersalesLockError(
                    self.env._(
                        "%(records)s cannot be deleted: %(reason)s.",
                        records=", ".join(frozen.mapped("display_name")),
                        reason=str(lock.reason or _lt("it is kept on record")),
                    )
                )
        return super().unlink()

    def _aftersales_check_locks(self, vals):
        """Refuse ``vals`` on ``self`` by the declaration; returns {field: records} of the
        changes a group may make, to log them."""
        logged = {}
        for fname, value in vals.items():
            lock = self._aftersales_locks.get(fname)
            if lock is None:
                continue
            changed = self.filtered(lambda rec, f=fname, v=value: not rec._aftersales_same(f, v))
            if not changed:
                continue
            if lock is SYSTEM:
                raise self._aftersales_lock_error(fname, None, changed[:1])
            if value in lock.open_values:
                continue
            frozen = changed.filtered(lock.applies)
            if not frozen:
                continue
            if lock.group and self.env.user.has_group(lock.group):
                logged[fname] = frozen
                continue
            raise self._aftersales_lock_error(fname, lock, frozen[:1])
        return logged

    def _aftersales_same(self, fname, value):
        """Whether writing ``value`` leaves the field as it is (a form sends unchanged values)."""
        field = self._fields[fname]
        if field.type in ("one2many", "many2many", "html", "binary"):
            return False
        try:
            new = field.convert_to_record(field.convert_to_cache(value, self), self)
        except (ValueError, TypeError, ArithmeticError):
            return False  # not a value of the field: the field's own checks say why
        return new == self[fname]

    @api.model
    def _aftersales_is_default(self, fname, value):
        if not value:
            return True
        default = self.default_get([fname]).get(fname)
        if default is None:
            return False
        field = self._fields[fname]
        try:
            return field.convert_to_cache(value, self) == field.convert_to_cache(default, self)
        except (ValueError, TypeError):
            return False

    def _aftersales_lock_error(self, fname, lock, record=None):
        label = self._fields[fname]._description_string(self.env)
        document = self.env["ir.model"]._get(self._name).name
        name = record.display_name if record else self.env._("(new)")
        if lock is None or lock is SYSTEM:
            return AftersalesLockError(
                self.env._(
                    "%(field)s of %(document)s %(name)s is set by the system only (its buttons and "
                    "scheduled actions): it cannot be written.",
                    field=label,
                    document=document,
                    name=name,
                )
            )
        who = ""
        if lock.group:
            who = self.env._(
                " Only %(group)s may still change it.", group=self.env.ref(lock.group).sudo().full_name
            )
        return AftersalesLockError(
            self.env._(
                "%(field)s of %(document)s %(name)s is frozen: %(reason)s.%(who)s",
                field=label,
                document=document,
                name=name,
                reason=str(lock.reason or _lt("it was fixed by the workflow")),
                who=who,
            )
        )

    def _aftersales_log_override(self, olds):
        """The change a group may make in a frozen state, told in the chatter: who, what, from
        what to what."""
        for record in self:
            rows = Markup()
            for fname, by_record in olds.items():
                if record not in by_record:
                    continue
                field = self._fields[fname]
                old, new = by_record[record], record[fname]
                rows += Markup("<li>%s: %s &#8594; %s</li>") % (
                    field._description_string(self.env),
                    self._aftersales_display(field, old),
                    self._aftersales_display(field, new),
                )
            if not rows:
                continue
            target = record
            if not hasattr(record, "message_post") and record._aftersales_lock_log_on:
                target = record[record._aftersales_lock_log_on]
            if not target or not hasattr(target, "message_post"):
                continue
            body = Markup("<p>%s</p><ul>%s</ul>") % (
                self.env._("Changed after it was frozen, by %(user)s:", user=self.env.user.name),
                rows,
            )
            target.sudo().message_post(body=body, subtype_xmlid="mail.mt_note")

    @api.model
    def _aftersales_display(self, field, value):
        if field.type in ("many2one", "one2many", "many2many"):
            return ", ".join(value.mapped("display_name")) or "-"
        if field.type == "selection":
            return dict(field._description_selection(self.env)).get(value, value) or "-"
        return "-" if value in (False, None) else str(value)

    # ------------------------------------------------------------------ introspection
    @api.model
    def _aftersales_lock_table(self):
        """The declaration as rows (field, kind, states, group), for the docs and the tests."""
        rows = []
        for fname, lock in sorted(self._aftersales_locks.items()):
            if lock is SYSTEM:
                rows.append((fname, "system", (), None))
            else:
                rows.append((fname, "frozen", lock.states(self), lock.group))
        return rows


def lock_table_markdown(env):
    """The lock declarations of every model as the Markdown table of docs/ARCHITECTURE.md
    (tests/test_locks.py checks the document shows them as they are)."""
    lines = [
        "| model | field | locked | in states | who may still change it |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name in sorted(env.registry["aftersales.lock.mixin"]._inherit_children):
        model = env[name]
        if model._abstract:
            continue
        for fname, kind, states, group in model._aftersales_lock_table():
            lock = model._aftersales_locks[fname]
            if kind == "system":
                when, who = "always", "the system only"
            else:
                via = f"{lock.via}: " if lock.via else ""
                if states:
                    when = f"{via}{', '.join(states)}"
                elif lock.when is ALWAYS:
                    when = "once created"
                else:
                    when = (lock.when.__doc__ or lock.when.__name__).strip()
                who = group.split(".")[-1] if group else "nobody"
            lines.append(f"| `{name}` | `{fname}` | {kind} | {when} | {who} |")
        free = ", ".join(f"`{f}`" for f in sorted(model._aftersales_free)) or "-"
        if model._aftersales_lock_scope:
            free = f"{free} (Odoo's own fields follow Odoo's rules)"
        lines.append(f"| `{name}` | {free} | free | - | whoever may write the record |")
        lock = model._aftersales_unlink_lock
        if lock:
            via = f"{lock.via}: " if lock.via else ""
            states = ", ".join(lock.states(model))
            if states:
                when = f"{via}{states}"
            elif lock.when is ALWAYS:
                when = "always"
            else:
                when = (lock.when.__doc__ or "a condition").strip()
            who = lock.group.split(".")[-1] if lock.group else "nobody"
            lines.append(f"| `{name}` | (delete) | frozen | {when} | {who} |")
    return "\n".join(lines) + "\n"
