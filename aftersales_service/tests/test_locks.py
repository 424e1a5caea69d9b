"""Locked by design: the lock declarations (aftersales.lock.mixin), tried field by field.

For every model that declares its locks, every declared field, every state that freezes it and
every role (After-Sales user, billing user, salesperson, warehouse user, After-Sales manager,
executive, portal customer), a write sent the way ``/web/dataset/call_kw`` sends it (JSON values,
``odoo.api.call_kw``) is refused and leaves the record as it was; the group a lock names may
still make the change. A stored field of such a model that is neither locked nor declared free
fails the walk, so a new field cannot slip past the declaration."""

import json
from datetime import timedelta
from pathlib import Path

from odoo import Command, api, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, freeze_time, new_test_user, tagged
from odoo.tools import mute_logger
from odoo.tools.misc import file_path

from ..models.aftersales_lock import ALWAYS, MIXIN_FIELDS, SYSTEM, AftersalesLockError, lock_table_markdown
from .common import ReturnHelpers, WarrantyCommon

MAGIC = {"id", "create_uid", "create_date", "write_uid", "write_date", "display_name"}
REFUSALS = (AccessError, UserError, ValidationError, ValueError, TypeError)


def locked_models(env):
    return [
        env[name]
        for name in sorted(env.registry["aftersales.lock.mixin"]._inherit_children)
        if not env[name]._abstract
    ]


class LockRoles:
    @classmethod
    def _lock_roles(cls):
        cls.billing_user = new_test_user(
            cls.env, login="as_billing", name="Bea Billing", groups="account.group_account_invoice"
        )
        cls.warehouse_user = new_test_user(
            cls.env, login="as_warehouse", name="Wim Warehouse", groups="stock.group_stock_user"
        )
        return {
            "after-sales user": cls.aftersales_user,
            "billing user": cls.billing_user,
            "salesperson": cls.salesperson,
            "warehouse user": cls.warehouse_user,
            "after-sales manager": cls.aftersales_manager,
            "executive": cls.executive,
            "portal customer": cls.portal_user,
        }

    def _rpc_write(self, user, record, vals):
        """What /web/dataset/call_kw does with the JSON it receives."""
        env = api.Environment(self.env.cr, user.id, {"lang": "en_US"})
        payload = json.loads(json.dumps(vals))
        return api.call_kw(env[record._name], "write", [[record.id], payload], {})


@tagged("post_install", "-at_install")
class TestLockDeclarations(LockRoles, WarrantyCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.roles = cls._lock_roles()

    def test_every_stored_field_is_declared(self):
        """Each stored field of a model with locks is locked or declared free (related fields
        write their target, whose own declaration holds; mixin fields follow the mixin's rules)."""
        models_ = locked_models(self.env)
        self.assertGreaterEqual(len(models_), 4)
        undeclared = []
        for model in models_:
            locks, free = model._aftersales_locks, set(model._aftersales_free)
            self.assertFalse(set(locks) & free, f"{model._name}: both locked and free")
            scope = model._aftersales_lock_scope
            for fname, field in model._fields.items():
                if not field.store or field.related or fname in MAGIC or fname in MIXIN_FIELDS:
                    continue
                if scope and not fname.startswith(scope):
                    continue  # Odoo's own fields of Odoo's models follow Odoo's rules
                if fname not in locks and fname not in free:
                    undeclared.append(f"{model._name}.{fname}")
            for fname in [*locks, *free]:
                self.assertIn(fname, model._fields, f"{model._name}: {fname} declared but not a field")
        self.assertFalse(undeclared, "stored fields neither locked nor declared free")

    # ------------------------------------------------------------------ the generated test
    def _record(self, model):
        scope_field = model._aftersales_lock_scope_field
        domain = [(scope_field, "!=", False)] if scope_field else []
        record = model.sudo().search(domain, limit=1, order="id desc")
        self.assertTrue(record, f"no {model._name} in the test database (the demo makes one of each)")
        return record

    def _force_state(self, record, lock):
        """Put the record (or its document) in each state the lock names, without the
        workflow's side effects: the lock, not the workflow, is under test."""
        holder = record[lock.via] if lock.via else record
        for state in lock.states(record):
            self.env.cr.execute(
                f'UPDATE "{holder._table}" SET state = %s WHERE id = %s',  # noqa: S608
                (state, holder.id),
            )
            self.env.invalidate_all()
            yield state
        if lock.when is not ALWAYS and not lock.states(record) and not lock.applies(record):
            # a condition other than a state: the lock's example puts the record in it
            self.assertTrue(lock.example, f"{record._name}: {lock!r} has no example to try it on")
            columns = ", ".join(f'"{column}" = %s' for column in lock.example)
            self.env.cr.execute(
                f'UPDATE "{holder._table}" SET {columns} WHERE id = %s',  # noqa: S608
                (*lock.example.values(), holder.id),
            )
            self.env.invalidate_all()
            self.assertTrue(lock.applies(record), f"{record._name}: {lock!r}'s example does not make it hold")
        if lock.when is ALWAYS or not lock.states(record):
            yield holder.state if "state" in holder._fields else None

    def _other_value(self, record, fname):
        """A JSON value unlike the field's current one, as a client would send it (and not one
        the lock leaves open to anyone)."""
        field = record._fields[fname]
        lock = record._aftersales_locks.get(fname)
        open_values = getattr(lock, "open_values", ())
        current = record[fname]
        if field.type == "many2one":
            other = self.env[field.comodel_name].sudo().search([("id", "!=", current.id)], limit=1)
            return other.id or False
        if field.type in ("one2many", "many2many"):
            if current:
                return [[6, 0, []]]
            other = self.env[field.comodel_name].sudo().search([], limit=1)
            return [[6, 0, other.ids]]
        if field.type == "selection":
            values = [
                v
                for v, _label in field._description_selection(self.env)
                if v != current and v not in open_values
            ]
            return values[0] if values else False
        if field.type == "boolean":
            return not current
        if field.type in ("integer", "float", "monetary"):
            return (current or 0) + 1
        # a day (an hour) later: a change that keeps the record's own constraints (a window's
        # start before its end), so the group allowed to make it succeeds
        if field.type == "date":
            return fields.Date.to_string(current + timedelta(days=1)) if current else "2031-01-02"
        if field.type == "datetime":
            return (
                fields.Datetime.to_string(current + timedelta(hours=1)) if current else "2031-01-02 10:00:00"
            )
        if field.type == "binary":
            return "aGVsbG8="
        return "changed by a client"

    def _snapshot(self, record, fname):
        self.env.invalidate_all()
        value = record.sudo()[fname]
        return value.ids if hasattr(value, "ids") else value

    def test_every_lock_holds_for_every_role(self):
        failures, tried, refused_otherwise = [], 0, 0
        for model in locked_models(self.env):
            record = self._record(model)
            for fname, lock in sorted(model._aftersales_locks.items()):
                field = model._fields[fname]
                if field.related:
                    continue
                for state in self._force_state(record, lock) if lock is not SYSTEM else [None]:
                    value = self._other_value(record, fname)
                    before = self._snapshot(record, fname)
                    for role, user in self.roles.items():
                        allowed = lock is not SYSTEM and lock.group and user.has_group(lock.group)
                        tried += 1
                        with self.env.cr.savepoint() as savepoint:
                            try:
                                self._rpc_write(user, record, {fname: value})
                                self.env.flush_all()
                            except AftersalesLockError as exc:
                                if allowed:
                                    failures.append(f"{model._name}.{fname} [{state}] {role}: refused: {exc}")
                            except REFUSALS:
                                # access rights, record rules or the record's own checks
                                refused_otherwise += 1
                            else:
                                if not allowed:
                                    failures.append(f"{model._name}.{fname} [{state}] {role}: accepted")
                            if not allowed and self._snapshot(record, fname) != before:
                                failures.append(f"{model._name}.{fname} [{state}] {role}: changed")
                            savepoint.rollback()
                            self.env.invalidate_all()
        self.assertGreater(tried, 500, "every lock was tried")
        self.assertLess(refused_otherwise, tried, "the locks themselves refused some")
        self.assertFalse(failures, "\n".join(failures[:40]))

    def test_system_fields_are_refused_on_create(self):
        """A client cannot create a record in a later state: a value other than the default
        of a field the system sets is refused, nothing is created."""
        Case = self.env["aftersales.case"].with_user(self.aftersales_user)
        count = Case.search_count([])
        with self.assertRaises(AftersalesLockError):
            Case.create({"subject": "Skip it", "partner_id": self.customer.id, "state": "closed"})
        self.assertEqual(Case.search_count([]), count)
        # what a form sends back as it was (the default, empty) is simply left to the system
        case = Case.create({"subject": "Fine", "partner_id": self.customer.id, "state": "new"})
        self.assertEqual(case.state, "new")


@tagged("post_install", "-at_install")
class TestLockReproductions(LockRoles, ReturnHelpers, WarrantyCommon):
    """The ways around the rules found over RPC, each refused for the role that did it; the
    legitimate path (the manager's change, logged) still works."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.roles = cls._lock_roles()
        cls.company.aftersales_refund_threshold = 100.0

    def test_approved_exchange_does_not_become_a_refund(self):
        order = self.sell([(self.product_psu, 2, 20.0)])
        with freeze_time("2026-03-10"):
            ret = self._new_return(order, {order.order_line: 1}, return_type="exchange")
            ret.action_submit()
        self.assertNotEqual(ret.state, "draft")
        line = ret.line_ids
        self.assertEqual(line.outcome, "exchange")
        with self.assertRaisesRegex(AftersalesLockError, "frozen"):
            self._rpc_write(self.aftersales_user, line, {"outcome": "refund"})
        with self.assertRaises(AftersalesLockError):
            self._rpc_write(self.aftersales_manager, line, {"outcome": "refund"})
        self.env.invalidate_all()
        self.assertEqual(line.outcome, "exchange")
        # nor through the return's lines
        with self.assertRaises(AftersalesLockError):
            self._rpc_write(self.aftersales_user, ret, {"line_ids": [[1, line.id, {"outcome": "refund"}]]})
        with self.assertRaises(AftersalesLockError):
            self.env["aftersales.return.line"].with_user(self.aftersales_user).create(
                {"return_id": ret.id, "sale_line_id": order.order_line.id, "qty_requested": 1}
            )

    def test_draft_return_is_dated_when_it_changes(self):
        old_order = self.sell([(self.product_psu, 3, 20.0)])
        with freeze_time("2026-03-06"):
            ret = self._new_return(old_order, {old_order.order_line: 1})
        self.assertEqual(ret.request_date, fields.Date.to_date("2026-03-06"))
        with freeze_time("2026-10-01"):
            ret.line_ids.with_user(self.aftersales_user).write({"qty_requested": 2})
            self.assertEqual(ret.request_date, fields.Date.to_date("2026-03-06"), "same request")
            ret.with_user(self.aftersales_user).write(
                {"line_ids": [Command.create({"sale_line_id": old_order.order_line.id, "qty_requested": 1})]}
            )
            self.assertEqual(ret.request_date, fields.Date.to_date("2026-10-01"), "the lines changed")
            self.assertTrue(ret.needs_approval, "judged from the day the request changed")

    def test_paid_case_is_not_made_free_by_a_user(self):
        order = self.sell([(self.product_camera, 1, 200.0)])
        case = (
            self.env["aftersales.case"]
            .with_user(self.aftersales_user)
            .create(
                {
                    "subject": "Broken",
                    "partner_id": self.customer.id,
                    "category": "technical",
                    "sale_order_id": order.id,
                    "service_type": "free",
                }
            )
        )
        # anyone may make it paid; only a manager makes it free again
        self._rpc_write(self.aftersales_user, case, {"service_type": "paid"})
        computed = "paid"
        with self.assertRaisesRegex(AftersalesLockError, "Only"):
            self._rpc_write(self.aftersales_user, case, {"service_type": "free"})

        equipment = self.env["maintenance.equipment"].sudo().create({"name": "Our own forklift"})
        with self.assertRaises(AftersalesLockError):
            self._rpc_write(self.aftersales_user, case, {"equipment_id": equipment.id})
        self.env.invalidate_all()
        self.assertEqual(case.service_type, computed)
        self.assertFalse(case.equipment_id)
        # the manager may decide otherwise: it is logged with the old and the new value
        other = "free"
        self._rpc_write(self.aftersales_manager, case, {"service_type": other})
        self.env.invalidate_all()
        self.assertEqual(case.service_type, other)
        note = case.message_ids.filtered(lambda m: "Changed after it was frozen" in (m.body or ""))
        self.assertEqual(len(note), 1)
        self.assertIn(self.aftersales_manager.name, note.body)

    def test_another_customers_contract_is_refused(self):
        case = (
            self.env["aftersales.case"]
            .sudo()
            .create({"subject": "Broken", "partner_id": self.customer.id, "category": "technical"})
        )
        contract = self.env["aftersales.contract"].sudo().search([("partner_id", "!=", False)], limit=1)
        self.assertTrue(contract, "the demo has contracts")
        with self.assertRaises(ValidationError):
            case.with_user(self.aftersales_manager).write({"contract_id": contract.id})

    def test_sold_warranty_is_not_rewritten(self):
        order = self.sell([(self.product_camera, 1, 200.0)])
        warranty = order.aftersales_warranty_ids[:1]
        end = warranty.end_date
        for vals in ({"end_date": "2030-01-01"}, {"after_expiry_mode": "paid"}, {"start_date": "2025-01-01"}):
            with self.subTest(vals=vals), self.assertRaises(AftersalesLockError):
                self._rpc_write(self.aftersales_user, warranty, vals)
        warranty.with_user(self.aftersales_manager).action_void()
        self.assertEqual(warranty.state, "void")
        for user in (self.aftersales_user, self.aftersales_manager):
            with self.assertRaisesRegex(AftersalesLockError, "set by the system only"):
                self._rpc_write(user, warranty, {"state": "active"})
        self.env.invalidate_all()
        self.assertEqual(warranty.state, "void")
        self.assertEqual(warranty.end_date, end)


@tagged("post_install", "-at_install")
class TestLocksOverHttp(ReturnHelpers, WarrantyCommon, HttpCase):
    @mute_logger("odoo.http")  # the refusal, logged by Odoo for every RPC error
    def test_refused_over_json_rpc_with_its_message(self):
        order = self.sell([(self.product_camera, 1, 200.0)])
        warranty = order.aftersales_warranty_ids[:1]
        end = warranty.end_date
        self.authenticate("as_user", "as_user")
        response = self.url_open(
            "/web/dataset/call_kw/aftersales.warranty/write",
            data=json.dumps(
                {
                    "jsonrpc": "2.0",
                    "method": "call",
                    "params": {
                        "model": "aftersales.warranty",
                        "method": "write",
                        "args": [[warranty.id], {"end_date": "2030-01-01"}],
                        "kwargs": {},
                    },
                }
            ),
            headers={"Content-Type": "application/json"},
        )
        error = response.json()["error"]["data"]
        self.assertEqual(
            error["name"], "odoo.addons.aftersales_service.models.aftersales_lock.AftersalesLockError"
        )
        self.assertIn("End Date", error["message"])
        warranty.invalidate_recordset()
        self.assertEqual(warranty.end_date, end)


@tagged("post_install", "-at_install")
class TestLockTable(WarrantyCommon):
    def test_architecture_shows_the_declarations(self):
        """docs/ARCHITECTURE.md shows the lock table as the code declares it."""
        doc = Path(file_path("aftersales_service")).parent / "docs" / "ARCHITECTURE.md"
        text = doc.read_text(encoding="utf-8")
        shown = text.split("<!-- locks:begin -->\n", 1)[1].split("<!-- locks:end -->", 1)[0]
        expected = lock_table_markdown(self.env)
        self.assertEqual(shown, expected, f"paste this table into {doc}:\n{expected}")
