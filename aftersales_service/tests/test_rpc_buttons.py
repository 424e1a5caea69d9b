"""Integrations call the buttons over XML-RPC, which cannot marshal ``None``: every public
``action_*`` method of the addon returns a value (``True`` or an action), checked on the source
of every model and wizard, and the ones that used not to are called over XML-RPC as their role."""

import ast
from pathlib import Path

from odoo.tests import HttpCase, tagged
from odoo.tools.misc import file_path

from .common import CaseCommon


def actions_without_value():
    """``file:line Class.method`` of each ``action_*`` method whose last statement is not a
    ``return <value>`` (nor a ``raise``)."""
    root = Path(file_path("aftersales_service"))
    missing = []
    for path in sorted([*root.glob("models/*.py"), *root.glob("wizards/*.py")]):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for cls in (node for node in tree.body if isinstance(node, ast.ClassDef)):
            for func in (node for node in cls.body if isinstance(node, ast.FunctionDef)):
                if not func.name.startswith("action_"):
                    continue
                last = func.body[-1]
                if isinstance(last, ast.Raise) or (isinstance(last, ast.Return) and last.value is not None):
                    continue
                missing.append(f"{path.name}:{func.lineno} {cls.name}.{func.name}")
    return missing


@tagged("post_install", "-at_install")
class TestButtonsOverXmlRpc(CaseCommon, HttpCase):
    def test_every_action_returns_a_value(self):
        self.assertEqual(actions_without_value(), [])

    def _xmlrpc(self, login, model, method, ids):
        uid = self.xmlrpc_common.authenticate(self.env.cr.dbname, login, login, {})
        self.assertTrue(uid, login)
        return self.xmlrpc_object.execute_kw(self.env.cr.dbname, uid, login, model, method, [ids])

    def test_buttons_answer_over_xmlrpc(self):
        case = self.new_case()
        self.assertIs(self._xmlrpc("as_manager", "aftersales.case", "action_assign_to_me", case.ids), True)
        self.assertEqual(case.user_id, self.aftersales_manager)
        Revisit = self.env["aftersales.revisit"]
        done, cancelled = (
            Revisit.create(
                {
                    "partner_id": self.customer.id,
                    "user_id": self.aftersales_user.id,
                    "planned_date": "2026-12-01",
                    "slot": slot,
                    "slot_end": "2026-12-31",
                }
            )
            for slot in ("2026-12 a", "2026-12 b")
        )
        self.assertIs(self._xmlrpc("as_manager", "aftersales.revisit", "action_done", done.ids), True)
        self.assertIs(self._xmlrpc("as_manager", "aftersales.revisit", "action_cancel", cancelled.ids), True)
        self.assertEqual((done.state, cancelled.state), ("done", "cancelled"))
