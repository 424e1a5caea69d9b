import random
from datetime import datetime, time, timedelta

from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import Command, api, fields, models

from .aftersales_revisit import slots_of_month
from .tools import moves_of_action, privileged

DEMO_MONTHS = 6
CATEGORIES = ("quality", "technical", "complaint", "consultation", "non_quality", "quality", "technical")
SUBJECTS = {
    "quality": "Camera loses its picture every night",
    "technical": "How do I add a camera to the recorder?",
    "complaint": "The technician came a day late",
    "consultation": "Which lens fits a 12 m wide car park?",
    "non_quality": "The parcel arrived crushed",
}
RESOLUTIONS = {
    "quality": "repair",
    "technical": "advice",
    "complaint": "discount",
    "consultation": "advice",
    "non_quality": "replacement",
}
LEVELS = ("very_satisfied", "satisfied", "average", "poor")


class AftersalesDemo(models.AbstractModel):
    """Demo data only: six months of after-sales history made with the addon's own workflow
    methods (then dated back), so that every view, the overview and the reports show meaningful
    numbers on a fresh demo database. Called once from ``demo/history_demo.xml``."""

    _name = "aftersales.demo"
    _description = "After-Sales Demo History"

    @api.model
    def _generate_history(self):
        rng = random.Random(2026)  # the same story on every demo database
        ref = self.env.ref
        company = ref("base.main_company")
        agent = ref("aftersales_service.user_aftersales_agent_demo")
        manager = ref("aftersales_service.user_aftersales_manager_demo")
        customers = (
            ref("aftersales_service.partner_nordic_retail_demo")
            | ref("aftersales_service.partner_huaxin_security_demo")
            | ref("aftersales_service.partner_bergbygg_demo")
            | ref("aftersales_service.partner_fashion_outlet_demo")
            | ref("aftersales_service.partner_private_customer_demo")
        )
        products = (
            ref("aftersales_service.product_camera_demo")
            | ref("aftersales_service.product_recorder_demo")
            | ref("aftersales_service.product_matrix_demo")
            | ref("aftersales_service.product_power_supply_demo")
        )
        this_month = self.env.company._aftersales_date().replace(day=1)
        months = [this_month - relativedelta(months=k) for k in range(DEMO_MONTHS - 1, -1, -1)]
        self._demo_cases(rng, company, agent, manager, customers, products, months)
        self._demo_revisits(rng, company, agent, customers, months)
        self._demo_complaints(rng, company, agent, customers, months)
        if company.chart_template:  # returns and their credit notes need the accounting
            self._demo_returns(company, agent, manager, customers)
            self._demo_multi_order_return(company, agent, manager, customers[0])
            self._demo_contract(company, manager)
        self._demo_loan(company, agent)

    # ---------------------------------------------------------------- cases and ratings (C, V-5)
    def _demo_cases(self, rng, company, agent, manager, customers, products, months):
        Case = self.env["aftersales.case"].with_company(company)
        now = fields.Datetime.now()
        for index, month in enumerate(months):
            current = month == months[-1]
            # the third month was a bad one: satisfaction fell below the 97 % target
            bad_month = index == 2
            for i in range(8):
                category = CATEGORIES[(index + i) % len(CATEGORIES)]
                registered = datetime.combine(month + timedelta(days=2 + i * 3), time(8 + i % 8, 15))
                if registered > now:
                    registered = now - timedelta(hours=2 + i)
                case = Case.with_user(agent).create(
                    {
                        "subject": SUBJECTS[category],
                        "partner_id": customers[(index + i) % len(customers)].id,
                        "category": category,
                        "channel": ("phone", "email", "portal", "visit")[i % 4],
                        "product_id": products[i % len(products)].id,
                        "priority": "1" if i % 5 == 0 else "0",
                        "description": "Registered by the hotline.",
                    }
                )
                case = case.sudo()
                privileged(case).write({"date_registered": registered})
                case._apply_sla()
                if current and i >= 4:
                    if category == "quality" and not case.repair_ids:
                        # C-7: a unit at the workshop, its diagnosis due today
                        case.action_create_repair()
                    continue  # this month's open cases: new, some already late
                case.write({"user_id": (agent if i % 3 else manager).id})
                case.action_start()
                first = registered + timedelta(hours=rng.choice((1, 3, 6, 20, 30)))
                privileged(case).write({"first_response_date": min(first, now)})
                if current and i >= 2:
                    continue
                case.write(
                    {
                        "resolution": RESOLUTIONS[category],
                        "resolution_note": Markup("<p>Solved with the customer; see the chatter.</p>"),
                        "time_spent": rng.choice((0.5, 1.0, 2.0, 4.0)),
                    }
                )
                case.with_context(mail_notify_force_send=False).action_resolve()
                resolved = min(registered + timedelta(hours=rng.choice((4, 12, 30, 60, 100))), now)
                privileged(case).write({"resolved_date": resolved})
                rating = case.rating_ids[:1]
                if rating and (i % 4 or bad_month):  # most customers answer
                    poor = bad_month and i % 3 == 0
                    answers = {
                        dim: ("poor" if poor and dim == "arrival_time" else rng.choice(LEVELS[:2]))
                        for dim in ("attitude", "technical_skill", "arrival_time", "promise_keeping")
                    }
                    rating._submit(answers, comment="Late again." if poor else "Good service.")
                    rating.write({"rating_date": case.company_id._aftersales_date(resolved)})
                if not current:
                    case.action_close()
                    privileged(case).write({"closed_date": resolved + timedelta(days=2)})

    # ---------------------------------------------------------------- revisits (V-1)
    def _demo_revisits(self, rng, company, agent, customers, months):
        Revisit = self.env["aftersales.revisit"].with_company(company)
        today = self.env.company._aftersales_date()
        vals_list = []
        for month in months[:-1]:
            for partner in customers.filtered(lambda p: p.service_class in ("normal", "key")):
                per_month = (
                    company.aftersales_revisits_key
                    if partner.service_class == "key"
                    else (company.aftersales_revisits_normal)
                )
                for key, start, end in slots_of_month(month, per_month):
                    vals_list.append(
                        {
                            "partner_id": partner.id,
                            "company_id": company.id,
                            "user_id": agent.id,
                            "planned_date": min(start + timedelta(days=rng.randint(0, 5)), end),
                            "slot": key,
                            "slot_end": end,
                            "kind": "periodic",
                        }
                    )
        revisits = Revisit.create(vals_list)
        for index, revisit in enumerate(revisits):
            if index % 4 and revisit.planned_date < today:  # one in four was missed
                revisit.write(
                    {
                        "state": "done",
                        "done_date": revisit.planned_date,
                        "channel": rng.choice(("phone", "visit", "email")),
                        "outcome": Markup("<p>Everything works; asked about a second recorder.</p>"),
                    }
                )
            else:
                revisit.write({"state": "missed"})
        revisits.activity_ids.unlink()

    # ---------------------------------------------------------------- complaints (P)
    def _demo_complaints(self, rng, company, agent, customers, months):
        Complaint = self.env["aftersales.complaint"].with_company(company)
        ref = self.env.ref
        employees = ref("aftersales_service.hr_employee_assembler_demo") | ref(
            "aftersales_service.hr_employee_driver_demo"
        )
        departments = ref("aftersales_service.hr_department_production_demo") | ref(
            "aftersales_service.hr_department_logistics_demo"
        )
        causes = ref("aftersales_service.complaint_cause_transport_damage") | ref(
            "aftersales_service.complaint_cause_late_delivery"
        )
        closed = self.env["aftersales.complaint"]
        for index, month in enumerate(months[:-1]):
            driver = index % 2
            complaint = Complaint.create(
                {
                    "partner_id": customers[index % len(customers)].id,
                    "subject": "Units damaged in transport" if driver else "Delivery a week late",
                    "cause_type": "non_quality",
                    "cause_id": causes[driver].id,
                    "severity": "major" if driver else "minor",
                    "customer_demand": "Replace the damaged units.",
                    "investigator_id": agent.id,
                    "replacement_cost": rng.choice((120.0, 240.0, 480.0)),
                    "freight_cost": rng.choice((40.0, 60.0)),
                }
            )
            complaint.action_start_investigation()
            complaint.write(
                {
                    "investigation_report": Markup("<p>The pallet was not strapped before loading.</p>"),
                    "validity": "valid",
                    "responsibility_ids": [
                        Command.create(
                            {
                                "department_id": departments[driver].id,
                                "employee_id": employees[driver].id,
                                "share": 100.0,
                            }
                        )
                    ],
                    "action_ids": [
                        Command.create(
                            {
                                "name": "Strap every pallet before loading"
                                if driver
                                else "Book the carrier a day earlier",
                                "owner_id": agent.id,
                                "deadline": month + timedelta(days=10),
                                "done_date": month + timedelta(days=8),
                            }
                        )
                    ],
                }
            )
            complaint.action_submit()
            # approved by the company's executive, as in real life (not by the system)
            executive = company.aftersales_executive_id or self.env.user
            complaint.with_user(executive).action_approve()
            # the action's effect is confirmed by someone else than who did it (P-8)
            complaint.action_ids.with_user(executive).action_confirm_effect()
            complaint.action_close()
            privileged(complaint).write({"closed_date": month + timedelta(days=20)})
            closed |= complaint
        closed.activity_ids.unlink()
        Review = self.env["aftersales.complaint.review"].with_company(company)
        for month in months[:-1]:
            review = Review._build(company, month)
            if month < months[-2]:
                review.action_approve()

    # ---------------------------------------------------------------- returns (R)
    def _demo_returns(self, company, agent, manager, customers):
        """A return in every state, from orders delivered and invoiced last week."""
        ref = self.env.ref
        psu = ref("aftersales_service.product_power_supply_demo")
        matrix = ref("aftersales_service.product_matrix_demo")
        location = self.env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1).lot_stock_id
        for product in psu | matrix:
            self.env["stock.quant"]._update_available_quantity(product, location, 200.0)
        Return = self.env["aftersales.return"].with_company(company)
        states = ("draft", "to_approve", "waiting_goods", "received", "done", "refused", "cancelled")
        for index, target in enumerate(states):
            expensive = target in ("to_approve", "refused")
            product = matrix if expensive else psu
            order = (
                self.env["sale.order"]
                .with_company(company)
                .create(
                    {
                        "partner_id": customers[index % len(customers)].id,
                        "user_id": agent.id,
                        "order_line": [Command.create({"product_id": product.id, "product_uom_qty": 4})],
                    }
                )
            )
            order.action_confirm()
            self._validate_transfers(order.picking_ids)
            invoice = order._create_invoices()
            invoice.action_post()
            ret = Return.with_user(agent).create(
                {
                    "sale_order_id": order.id,
                    "return_type": "quality" if index % 2 else "no_reason",
                    "requested_outcome": "refund",
                    "description": "Two units do not power on.",
                    "approval_reason": "A key installer: the units failed in the first week."
                    if expensive
                    else False,
                    "line_ids": [
                        Command.create(
                            {
                                "sale_line_id": order.order_line.id,
                                "qty_requested": 2,
                                "reason": "Dead on arrival",
                            }
                        )
                    ],
                }
            )
            if target == "draft":
                continue
            if target == "cancelled":
                ret.action_cancel()
                continue
            ret.action_submit()
            if target == "refused":
                ret.with_user(manager).action_refuse()
                continue
            if target == "to_approve":
                continue
            if ret.state == "to_approve":
                ret.with_user(manager).action_approve()
            if target == "waiting_goods":
                continue
            self._validate_transfers(
                ret.sudo().picking_ids.filtered(lambda p: p.picking_type_code == "incoming")
            )
            if target == "done":
                credit_note = moves_of_action(
                    self.env, ret.with_user(ref("base.user_admin")).action_create_credit_note()
                )
                credit_note.action_post()

    def _demo_multi_order_return(self, company, agent, manager, customer):
        """One return over two orders of a customer, its units graded in the Returns location
        (the switcher restocked, the power supplies sent back to their vendor) and the vendor's
        credit note claimed."""
        ref = self.env.ref
        psu = ref("aftersales_service.product_power_supply_demo")
        matrix = ref("aftersales_service.product_matrix_demo")
        admin = ref("base.user_admin")
        warehouse = self.env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1)
        vendor = self.env["res.partner"].create(
            {
                "name": "Shenzhen Power Parts Co.",
                "is_company": True,
                "supplier_rank": 1,
                "country_id": ref("base.cn").id,
            }
        )
        suppliers = ref("stock.stock_location_suppliers")
        receipt = self.env["stock.picking"].create(
            {
                "picking_type_id": warehouse.in_type_id.id,
                "partner_id": vendor.id,
                "location_id": suppliers.id,
                "location_dest_id": warehouse.lot_stock_id.id,
                "move_ids": [
                    Command.create(
                        {
                            "name": psu.name,
                            "product_id": psu.id,
                            "product_uom_qty": 50,
                            "product_uom": psu.uom_id.id,
                            "location_id": suppliers.id,
                            "location_dest_id": warehouse.lot_stock_id.id,
                        }
                    )
                ],
            }
        )
        receipt.action_confirm()
        self._validate_transfers(receipt)
        bill = self.env["account.move"].create(
            {
                "move_type": "in_invoice",
                "partner_id": vendor.id,
                "invoice_date": company._aftersales_date() - timedelta(days=30),
                "invoice_line_ids": [
                    Command.create(
                        {"product_id": psu.id, "quantity": 50, "price_unit": psu.standard_price or 9.0}
                    )
                ],
            }
        )
        bill.action_post()
        orders = self.env["sale.order"]
        for product, qty in ((psu, 10), (matrix, 1)):
            order = (
                self.env["sale.order"]
                .with_company(company)
                .create(
                    {
                        "partner_id": customer.id,
                        "user_id": agent.id,
                        "order_line": [Command.create({"product_id": product.id, "product_uom_qty": qty})],
                    }
                )
            )
            order.action_confirm()
            self._validate_transfers(order.picking_ids)
            order._create_invoices().action_post()
            orders |= order
        ret = (
            self.env["aftersales.return"]
            .with_company(company)
            .with_user(agent)
            .create(
                {
                    "partner_id": customer.id,
                    "return_type": "quality",
                    "description": "The power supplies of the first order burn out; the switcher came "
                    "scratched.",
                    "approval_reason": "A key installer: both faults were found at installation.",
                    "line_ids": [
                        Command.create(
                            {
                                "sale_line_id": orders[0].order_line.id,
                                "qty_requested": 3,
                                "reason": "Burnt out",
                            }
                        ),
                        Command.create(
                            {
                                "sale_line_id": orders[1].order_line.id,
                                "qty_requested": 1,
                                "reason": "Scratched",
                            }
                        ),
                    ],
                }
            )
        )
        ret.action_submit()
        if ret.state == "to_approve":
            ret.with_user(manager).action_approve()
        self._validate_transfers(ret.sudo().picking_ids.filtered(lambda p: p.picking_type_code == "incoming"))
        for line in ret.line_ids:
            line.with_user(admin).action_set_disposition("vendor" if line.product_id == psu else "restock")
        ret.with_user(admin).action_claim_vendor()

    def _validate_transfers(self, pickings):
        """The warehouse does its job: every move done for its full quantity."""
        pickings.action_assign()
        for move in pickings.move_ids:
            move.quantity = move.product_uom_qty
            move.picked = True
        pickings.button_validate()

    # ---------------------------------------------------------------- service contract (B)
    def _demo_contract(self, company, manager):
        """Nordic Retail's cameras under a yearly service contract started four months ago: its
        first period invoiced by the cron, a covered case using it."""
        ref = self.env.ref
        customer = ref("aftersales_service.partner_nordic_retail_demo")
        camera = ref("aftersales_service.product_camera_demo")
        today = company._aftersales_date()
        contract = (
            self.env["aftersales.contract"]
            .with_user(manager)
            .create(
                {
                    "partner_id": customer.id,
                    "company_id": company.id,
                    "product_ids": [Command.set(camera.ids)],
                    "date_start": today - relativedelta(months=4),
                    "date_end": today + relativedelta(months=8, days=-1),
                    "sla_policy_id": ref("aftersales_service.sla_policy_default").id,
                    "visits_included": 4,
                    "hours_included": 10.0,
                    "price": 1200.0,
                    "invoice_period": "year",
                }
            )
        )
        contract.action_start()
        self.env["aftersales.contract"]._cron_invoice_contracts()
        self.env["aftersales.case"].with_user(manager).create(
            {
                "subject": "Contract camera: lens fogs up in the morning",
                "partner_id": customer.id,
                "company_id": company.id,
                "channel": "phone",
                "category": "quality",
                "product_id": camera.id,
                "time_spent": 1.5,
            }
        )

    # ---------------------------------------------------------------- loaner unit
    def _demo_loan(self, company, agent):
        """A loaner camera out with Erik while his registered camera is looked after."""
        ref = self.env.ref
        camera = ref("aftersales_service.product_camera_demo")
        warehouse = self.env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1)
        case = ref("aftersales_service.aftersales_case_registered_camera_demo", raise_if_not_found=False)
        if not warehouse or not case:
            return
        location = self.env["stock.location"].create(
            {"name": "Loaner units", "usage": "internal", "location_id": warehouse.view_location_id.id}
        )
        company.aftersales_loaner_location_id = location
        lot = self.env["stock.lot"].create(
            {"name": "LOAN-CAM-01", "product_id": camera.id, "company_id": company.id}
        )
        self.env["stock.quant"]._update_available_quantity(camera, location, 1.0, lot_id=lot)
        loan = (
            self.env["aftersales.loan"]
            .with_user(agent)
            .create(
                {
                    "case_id": case.id,
                    "product_id": camera.id,
                    "lot_id": lot.id,
                    "date_due": company._aftersales_date() + timedelta(days=10),
                }
            )
        )
        loan.action_lend()
        # sudo: the warehouse ships the loaner (the agent does not run the warehouse)
        self._validate_transfers(loan.sudo().picking_ids)
