import logging
import uuid
from contextlib import contextmanager
from datetime import timedelta

from odoo.exceptions import UserError
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tools import SQL

_logger = logging.getLogger(__name__)


def form_action(record):
    """The window action that opens ``record`` in its form view."""
    record.ensure_one()
    return {
        "type": "ir.actions.act_window",
        "res_model": record._name,
        "res_id": record.id,
        "view_mode": "form",
        "views": [(False, "form")],
    }


# A marker that only Python code can put in a context: RPC callers send JSON, which cannot
# carry this object, so a context key holding it proves the write comes from an action method
# of the addon (after that method's own checks), never from a client.
_PRIVILEGED = object()
PRIVILEGED_KEY = "aftersales_privileged"


def privileged(records):
    """``records`` allowed to write their protected (approval, state, amount) fields: for
    action methods, after they checked the user's right to do what they do."""
    return records.with_context(**{PRIVILEGED_KEY: _PRIVILEGED})


def is_privileged(records):
    return records.env.su or records.env.context.get(PRIVILEGED_KEY) is _PRIVILEGED


@contextmanager
def isolated(env, what):
    """A cron's unit of work (a record, a company's batch) in a savepoint: when it fails, it is
    rolled back and logged, and the cron goes on with the others. Concurrency errors are not
    swallowed: they reach Odoo's retry (of the request, or the cron's next run)."""
    try:
        with env.cr.savepoint():
            yield
    except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
        raise
    except Exception:
        _logger.exception("%s failed; the others go on", what)


def moves_of_action(env, action):
    """The records an action returned by ``_get_records_action`` opens (one or several)."""
    ids = [action["res_id"]] if action.get("res_id") else action["domain"][0][2]
    return env[action["res_model"]].browse(ids)


def lock_for_action(records):
    """A double click makes one document: an action that creates a document (an approval, a
    picking, a credit note, an invoice, a notice) first marks its records as written by this
    transaction. A second transaction doing the same on the same records then waits for the
    first one and fails with a serialization error, which Odoo answers by running the request
    again (``odoo.service.model.retrying``): the second run sees the first one's document and
    refuses with the action's own message. A row lock alone would not do: a transaction that
    started before the first one committed would still read the old state."""
    if not records.ids:
        return
    records.env.cr.execute(
        SQL(
            "UPDATE %s SET write_date = write_date WHERE id IN %s",
            SQL.identifier(records._table),
            tuple(records.ids),
        )
    )


def ensure_can(records, flag, message):
    """Refuse a workflow action on the records whose ``can_*`` flag is off: one rule for the
    button and the action (``message`` has a ``%(names)s`` placeholder)."""
    refused = records.filtered(lambda record: not record[flag])
    if refused:
        raise UserError(message % {"names": ", ".join(refused.mapped("name"))})


def locked_batch(model, where, deadline_column, batch_size, process):
    """One batch of a cron working on late documents (C-9): the rows of ``model`` (alias ``c``,
    joined to its company as ``co``) that match ``where``, earliest ``deadline_column`` first,
    locked ``FOR UPDATE SKIP LOCKED`` (two workers never take the same row), are given to
    ``process``; then, what still matches is counted and told to ``ir.cron`` with the progress:
    it is left for the next calls (a document escalated to level 1 in this batch may already be
    due for level 2). Returns how many were done."""
    env = model.env
    env.flush_all()  # the query reads fields written by the ORM
    source = SQL(
        "%s c JOIN res_company co ON co.id = c.company_id WHERE %s", SQL.identifier(model._table), where
    )
    env.cr.execute(
        SQL(
            "SELECT c.id FROM %s ORDER BY c.%s, c.id LIMIT %s FOR UPDATE OF c SKIP LOCKED",
            source,
            SQL.identifier(deadline_column),
            batch_size,
        )
    )
    ids = [row[0] for row in env.cr.fetchall()]
    remaining = 0
    if ids:
        process(model.browse(ids))
        env.flush_all()
        env.cr.execute(SQL("SELECT count(*) FROM %s", source))
        remaining = env.cr.fetchone()[0]
    env["ir.cron"]._notify_progress(done=len(ids), remaining=remaining)
    return len(ids)


def escalate(records, now, fnames, target, summary, template):
    """Escalate a batch of late documents (rows locked by the caller, C-9): each goes one level
    up (1, or 2 when the same deadline was escalated already), its target gets an activity and
    the escalation email of ``template`` (rendered for the whole batch); the escalation state is
    written in one statement per level.

    ``fnames``: (deadline, escalated deadline, level, escalation partner) field names;
    ``target(record, level)``: the user; ``summary(record, level)``: the activity's summary."""
    env = records.env
    deadline, escalated, level_field, partner_field = fnames
    model_id = env["ir.model"]._get_id(records._name)
    todo = env.ref("mail.mail_activity_data_todo")
    levels, activity_vals = {}, []
    for record in records:
        level = 1 if record[escalated] != record[deadline] else 2
        # a higher level reached another way (C-9: an urgent complaint at the executive's, 3)
        # is never lowered by a breach
        level = max(level, record[level_field] or 0)
        levels.setdefault(level, []).append(record.id)
        user = target(record, level)
        if user:
            activity_vals.append(
                {
                    "res_model_id": model_id,
                    "res_id": record.id,
                    "activity_type_id": todo.id,
                    "user_id": user.id,
                    "summary": summary(record, level),
                    "date_deadline": record.company_id._aftersales_date(now),
                }
            )
    for level, ids in levels.items():
        env.cr.execute(
            SQL(
                "UPDATE %s SET %s = %s, %s = %s WHERE id IN %s",
                SQL.identifier(records._table),
                SQL.identifier(level_field),
                level,
                SQL.identifier(escalated),
                SQL.identifier(deadline),
                tuple(ids),
            )
        )
    records.invalidate_recordset([level_field, escalated, partner_field])
    # sudo: the cron plans activities for other users and mails them as the system
    env["mail.activity"].sudo().with_context(mail_activity_quick_update=True).create(activity_vals)
    recipients = records.sudo().filtered(partner_field)
    if recipients:
        env.ref(template).sudo().send_mail_batch(recipients.ids)


# ---- the after-sales file (W-6) of a sold unit or a customer: kind -> (model, fields pointing to it)
def history_domain(fields_, value, operator="="):
    """The domain of one kind of the after-sales file: any of its fields points to ``value``
    (``operator`` "in": to any of the ``value`` ids)."""
    names = (fields_,) if isinstance(fields_, str) else fields_
    return ["|"] * (len(names) - 1) + [(name, operator, value) for name in names]


def count_history(records, history, value_of):
    """Set ``aftersales_<kind>_count`` of each record: the documents of that kind pointing to
    ``value_of(record)`` (0 for the kinds the user does not read). One ``_read_group`` per kind
    for all the records: grouped by the first field of each pointing path (by document where a
    path starts with an x2many), the rest of the path followed from the groups in Python; a
    document counts once per value it points to, by whichever of its paths."""
    values = {value for value in map(value_of, records) if value and isinstance(value, int)}  # no NewId
    for kind, (model, fields_) in history.items():
        Model = records.env[model]
        counts = dict.fromkeys(values, 0)
        if values and Model.has_access("read"):
            paths = [name.split(".", 1) for name in ((fields_,) if isinstance(fields_, str) else fields_)]
            # a many2one is grouped by; an x2many is not (a document would count once per line)
            groupby = list(
                dict.fromkeys(
                    path[0] if Model._fields[path[0]].type == "many2one" else "id" for path in paths
                )
            )
            groups = Model._read_group(history_domain(fields_, list(values), "in"), groupby, ["__count"])
            for *keys, count in groups:
                by_spec = dict(zip(groupby, keys, strict=True))
                pointed = set()
                for path in paths:
                    first = path[0] if path[0] in by_spec else "id"
                    # sudo: only the ids the user's documents point to are read, to count them
                    start = Model.browse(by_spec["id"]) if first == "id" else by_spec[first]
                    rest = ".".join(path) if first == "id" else ".".join(path[1:])
                    pointed.update((start.sudo().mapped(rest) if rest else start).ids)
                for value in pointed & values:
                    counts[value] += count
        for record in records:
            record[f"aftersales_{kind}_count"] = counts.get(value_of(record), 0)


def history_action(history, kind, value, name):
    """The list of the documents of one kind of the after-sales file pointing to ``value``."""
    model, fields_ = history[kind]
    return {
        "type": "ir.actions.act_window",
        "name": name,
        "res_model": model,
        "view_mode": "list,form",
        "domain": history_domain(fields_, value),
        "context": {"create": False},
    }


def add_working_hours(calendar, start, hours):
    """``start`` + ``hours`` counted on the working ``calendar`` (its leaves included), or round
    the clock without one."""
    planned = calendar.plan_hours(hours, start, compute_leaves=True) if calendar else False
    return planned or start + timedelta(hours=hours)


def new_access_token():
    """The portal token of a new document, as ``portal.mixin._portal_ensure_token`` draws it.
    Drawn at creation, so that a portal page rendering links to the document (``get_portal_url``)
    never writes one: those pages run on read-only cursors (a replica)."""
    return str(uuid.uuid4())


def documents_action(env, xmlid, records):
    """Odoo's window action ``xmlid`` (invoices, credit notes...) on ``records`` only, without a
    New button: the smart buttons of the documents an after-sales record made."""
    action = env["ir.actions.act_window"]._for_xml_id(xmlid)
    action["domain"] = [("id", "in", records.ids)]
    action["context"] = {"create": False}
    return action


def chase_once(record, user, summary, flag, what):
    """A cron's reminder or chase of ``record``: a to-do for ``user`` (``schedule_todo``) in a
    savepoint of its own (``isolated``: one failing record does not stop the batch), then
    ``flag`` set, so that it is never planned twice (the cron's resume point)."""
    with isolated(record.env, what):
        schedule_todo(record, user, summary)
        privileged(record).write({flag: True})


def schedule_todo(record, user, summary):
    """A to-do for ``user`` on ``record``, due on its company's day; nothing without a user (the
    crons' reminders and chases)."""
    if user:
        record.activity_schedule(
            "mail.mail_activity_data_todo",
            user_id=user.id,
            date_deadline=record.company_id._aftersales_date(),
            summary=summary,
        )


def send_secret_link(record, template, note):
    """Send ``template`` (a mail with the customer's secret link: a rating, an offer) to its
    recipients only: the mail is not a message of the record's chatter, is authored by the
    company and is deleted once sent, so that no staff member reads the link (V-5, R-5); the
    chatter tells that it was sent (``note``), without the link."""
    record.ensure_one()
    company = record.company_id if "company_id" in record._fields else record.env.company
    # sudo: the mail is the system's, read by nobody but its recipients
    mail_id = template.sudo().send_mail(
        record.id,
        email_layout_xmlid="mail.mail_notification_light",
        email_values={"model": False, "res_id": False, "author_id": company.partner_id.id},
    )
    record.message_post(body=note, subtype_xmlid="mail.mt_note")
    return record.env["mail.mail"].sudo().browse(mail_id)
