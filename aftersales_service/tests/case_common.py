"""Service-case fixtures on top of the warranty fixtures: a UTC working calendar, a team with a
leader and an alias, an SLA policy on that calendar."""

from datetime import datetime

from odoo import Command

from .warranty_common import WarrantyCommon


class CaseCommon(WarrantyCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.calendar = cls.env["resource.calendar"].create(
            {
                "name": "Service desk 8-17 UTC",
                "tz": "UTC",
                "company_id": cls.company.id,
                "attendance_ids": [
                    Command.create(
                        {"name": f"{day} {frm}", "dayofweek": str(day), "hour_from": frm, "hour_to": to}
                    )
                    for day in range(5)
                    for frm, to in ((8, 12), (13, 17))
                ],
            }
        )
        cls.team_leader = cls.aftersales_manager
        cls.company.aftersales_manager_id = cls.aftersales_manager
        cls.executive = cls.env["res.users"].create(
            {
                "name": "Eva Executive",
                "login": "as_executive",
                "email": "eva@example.com",
                "groups_id": [Command.set(cls.env.ref("aftersales_service.group_aftersales_manager").ids)],
            }
        )
        cls.company.aftersales_executive_id = cls.executive
        cls.team = cls.env["aftersales.team"].create(
            {
                "name": "Camera Support",
                "company_id": cls.company.id,
                "leader_id": cls.team_leader.id,
                "member_ids": [Command.set(cls.aftersales_user.ids)],
                "resource_calendar_id": cls.calendar.id,
            }
        )
        cls.company.aftersales_team_quality_id = cls.team
        cls.company.aftersales_team_technical_id = cls.team
        cls.company.aftersales_team_complaint_id = cls.team
        cls.env["aftersales.sla.policy"].search([]).active = False
        cls.sla = cls.env["aftersales.sla.policy"].create(
            {
                "name": "24 h on working hours",
                "company_id": cls.company.id,
                "first_response_hours": 24,
                "reply_hours": 24,
                "resolution_hours": 80,
                "use_working_hours": True,
                "resource_calendar_id": cls.calendar.id,
            }
        )
        cls.company.aftersales_case_service_product_id = cls.product_service
        cls.Case = cls.env["aftersales.case"]

    def assertRaisesMsg(self, exception, text):
        """``assertRaises`` (rolls back to a savepoint, like a failed request) + message check."""
        return _RaisesMsg(self, exception, text)

    @classmethod
    def new_case(cls, user=None, **vals):
        values = {"subject": "Camera does not start", "partner_id": cls.customer.id, "category": "technical"}
        values.update(vals)
        return cls.Case.with_user(user or cls.aftersales_user).create(values)


# a Friday afternoon, for deadlines across a weekend
FRIDAY_4PM = datetime(2026, 6, 5, 16, 0)


class _RaisesMsg:
    def __init__(self, test, exception, text):
        self.test, self.exception, self.text = test, exception, text

    def __enter__(self):
        self.cm = self.test.assertRaises(self.exception)
        self.ctx = self.cm.__enter__()
        return self.ctx

    def __exit__(self, *exc):
        suppressed = self.cm.__exit__(*exc)
        self.test.assertIn(self.text, str(self.ctx.exception))
        return suppressed
