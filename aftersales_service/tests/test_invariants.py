"""The money invariants (data/invariants.sql, run on whole databases by
scripts/check-invariants.sh) hold on what the suite's flows make, and each query finds the break
it is written for."""

import re

from odoo.tests import tagged
from odoo.tools.misc import file_open

from .test_approved_content import _MoneyCommon


def invariants():
    """{name: query} of data/invariants.sql, as scripts/check-invariants.sh splits it."""
    with file_open("aftersales_service/data/invariants.sql") as sql_file:
        text = sql_file.read()
    blocks = re.split(r"^-- invariant: (\S+)\n", text, flags=re.M)[1:]
    return dict(zip(blocks[::2], blocks[1::2], strict=True))


@tagged("post_install", "-at_install")
class TestMoneyInvariants(_MoneyCommon):
    def _broken(self):
        self.env.flush_all()
        broken = {}
        for name, query in invariants().items():
            self.env.cr.execute(query)
            rows = self.env.cr.fetchall()
            if rows:
                broken[name] = rows
        return broken

    def test_the_flows_keep_the_invariants_and_a_break_is_found(self):
        self.assertGreaterEqual(len(invariants()), 9)
        credit_note = self._compensation(150.0)
        credit_note.with_user(self.aftersales_manager).action_aftersales_approve()
        credit_note.with_user(self.manager_2).action_aftersales_customer_accepted()
        credit_note.with_user(self.billing_user).action_post()
        self.assertEqual(credit_note.state, "posted")
        self.assertEqual(self._broken(), {})
        # what the locks now refuse, done behind the ORM's back, is found
        other = self.env["res.partner"].create({"name": "Bengt Other Customer"})
        self.env.cr.execute(
            "UPDATE account_move SET partner_id = %s WHERE id = %s", (other.id, credit_note.id)
        )
        self.env.cr.execute(
            "UPDATE account_move SET aftersales_accepted_amount = 1 WHERE id = %s", (credit_note.id,)
        )
        broken = self._broken()
        self.assertEqual(
            set(broken), {"compensation_to_another_customer", "compensation_not_as_approved_and_accepted"}
        )
        self.assertEqual(broken["compensation_to_another_customer"][0][0], credit_note.id)
        warranty = self.sell([(self.product_camera, 1, 200.0)]).aftersales_warranty_ids[:1]
        self.env.cr.execute(
            "UPDATE aftersales_warranty SET end_date = CURRENT_DATE - 5 WHERE id = %s", (warranty.id,)
        )
        self.assertIn("active_warranty_past_its_end", self._broken())
