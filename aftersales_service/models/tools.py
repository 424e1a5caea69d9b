import logging
from contextlib import contextmanager

from odoo.exceptions import AccessError, UserError
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY

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


def check_protected_write(records, vals, protected, label):
    """Refuse a direct write of ``protected`` fields (R-4, P-4): they change through the
    document's action methods only."""
    touched = sorted(set(vals) & set(protected))
    if touched and records and not is_privileged(records):
        fields_desc = records._fields
        raise AccessError(
            records.env._(
                "%(fields)s of %(doc)s change only through its buttons (approve, refuse, submit...), "
                "not by editing the record.",
                fields=", ".join(fields_desc[f].string for f in touched),
                doc=label,
            )
        )


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


def ensure_can(records, flag, message):
    """Refuse a workflow action on the records whose ``can_*`` flag is off: one rule for the
    button and the action (``message`` has a ``%(names)s`` placeholder)."""
    refused = records.filtered(lambda record: not record[flag])
    if refused:
        raise UserError(message % {"names": ", ".join(refused.mapped("name"))})
