from datetime import date

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, freeze_time, tagged

from .common import WarrantyCommon


@tagged("post_install", "-at_install")
class TestWarrantyPolicy(WarrantyCommon):
    def test_seeded_exclusions(self):
        self.assertEqual(self.exclusions.mapped("name"), ["Natural disaster", "Human damage", "Improper use"])

    def test_policy_precedence(self):
        """W-1: template over category over parent category over company default."""
        camera = self.product_camera
        self.assertEqual(camera._get_aftersales_warranty_policy(), self.policy_cameras)
        camera.product_tmpl_id.aftersales_warranty_policy_id = self.policy_switchers
        self.assertEqual(camera._get_aftersales_warranty_policy(), self.policy_switchers)
        camera.product_tmpl_id.aftersales_warranty_policy_id = False
        self.categ_cameras.aftersales_warranty_policy_id = False
        self.assertEqual(camera._get_aftersales_warranty_policy(), self.policy_security, "parent category")
        self.categ_root.aftersales_warranty_policy_id = False
        self.assertEqual(camera._get_aftersales_warranty_policy(), self.policy_default, "company default")
        self.company.aftersales_warranty_policy_id = False
        self.assertFalse(camera._get_aftersales_warranty_policy())

    def test_policy_of_other_company_skipped(self):
        other = self.env["aftersales.warranty.policy"].create(
            {"name": "C2 policy", "duration": 3, "company_id": self.company_2.id}
        )
        self.categ_cameras.aftersales_warranty_policy_id = other
        self.assertEqual(self.product_camera._get_aftersales_warranty_policy(), self.policy_security)
        self.assertEqual(self.product_camera._get_aftersales_warranty_policy(company=self.company_2), other)

    def test_end_date_per_unit(self):
        start = date(2026, 3, 4)
        self.assertEqual(self.policy_cameras._get_end_date(start), date(2027, 3, 3))
        self.assertEqual(self.policy_switchers._get_end_date(start), date(2028, 3, 3))
        self.assertEqual(self.policy_accessories._get_end_date(start), date(2026, 6, 1))
        self.policy_default.duration_unit = "years"
        self.policy_default.duration = 2
        self.assertEqual(self.policy_default._get_end_date(start), date(2028, 3, 3))

    def test_bad_duration_refused(self):
        Policy = self.env["aftersales.warranty.policy"]
        for duration in (0, -3):
            with self.assertRaises(ValidationError) as cm:
                Policy.create({"name": f"Bad {duration}", "duration": duration})
            self.assertIn("must be positive", str(cm.exception))
            self.assertFalse(Policy.search([("name", "=", f"Bad {duration}")]))
        with self.assertRaises(ValidationError) as cm:
            self.policy_cameras.duration = 0
        self.assertIn("must be positive", str(cm.exception))

    def test_other_company_policy_on_product_refused(self):
        other = self.env["aftersales.warranty.policy"].create(
            {"name": "C2 policy", "duration": 3, "company_id": self.company_2.id}
        )
        self.product_switcher.company_id = self.company
        with self.assertRaises(ValidationError) as cm:
            self.product_switcher.product_tmpl_id.aftersales_warranty_policy_id = other
        self.assertIn("cannot use the warranty policy", str(cm.exception))
        self.product_switcher.invalidate_recordset()
        self.assertFalse(self.product_switcher.product_tmpl_id.aftersales_warranty_policy_id)

    def test_policy_form_lists_usage(self):
        self.product_psu.product_tmpl_id.aftersales_warranty_policy_id = self.policy_default
        self.assertEqual(self.policy_default.product_tmpl_ids, self.product_psu.product_tmpl_id)
        self.assertEqual(self.policy_cameras.categ_ids, self.categ_cameras)
        self.assertEqual(self.policy_cameras.product_count, 0)
        self.assertEqual(self.policy_cameras.categ_count, 1)

    def test_settings(self):
        settings = Form(self.env["res.config.settings"])
        settings.aftersales_warranty_policy_id = self.policy_switchers
        settings.aftersales_warranty_reminder_days = 10
        settings.save().execute()
        self.assertEqual(self.company.aftersales_warranty_policy_id, self.policy_switchers)
        self.assertEqual(self.company.aftersales_warranty_reminder_days, 10)

    def test_demo_policies(self):
        """W-1 as the seeds state it: cameras 12 months, matrix switchers and recorders 24."""
        expected = {
            "aftersales_service.product_camera_demo": (12, "months"),
            "aftersales_service.product_matrix_demo": (24, "months"),
            "aftersales_service.product_recorder_demo": (24, "months"),
            "aftersales_service.product_power_supply_demo": (6, "months"),
        }
        for xmlid, term in expected.items():
            policy = self.env.ref(xmlid)._get_aftersales_warranty_policy()
            self.assertEqual((policy.duration, policy.duration_unit), term, xmlid)
        camera = self.env.ref("aftersales_service.product_camera_demo")
        self.assertEqual(camera._get_aftersales_warranty_policy().exclusion_ids, self.exclusions)


@tagged("post_install", "-at_install")
class TestWarrantyRecord(WarrantyCommon):
    def test_manual_warranty_sequence_and_end(self):
        warranty = self._manual_warranty(self.product_camera, date(2026, 3, 4), lot=self.camera_lots[0])
        self.assertTrue(warranty.name.startswith("WTY/"))
        self.assertEqual(warranty.end_date, date(2027, 3, 3))
        self.assertEqual(warranty.state, "active")
        self.assertEqual(warranty.company_id, self.company)
        other = self._manual_warranty(self.product_switcher, date(2026, 3, 4))
        self.assertNotEqual(warranty.name, other.name)

    def test_manual_warranty_form(self):
        with Form(self.Warranty) as form:
            form.partner_id = self.customer
            form.product_id = self.product_switcher
            form.policy_id = self.policy_switchers
            form.start_date = date(2026, 1, 10)
        self.assertEqual(form.record.end_date, date(2028, 1, 9))

    def test_end_before_start_refused(self):
        count = self.Warranty.search_count([])
        with self.assertRaises(ValidationError) as cm:
            self._manual_warranty(self.product_switcher, date(2026, 3, 4), end_date=date(2026, 3, 1))
        self.assertIn("before it starts", str(cm.exception))
        self.assertEqual(self.Warranty.search_count([]), count, "nothing written")

    def test_serial_of_other_product_refused(self):
        lot_psu = self.env["stock.lot"].create({"name": "PSU-LOT", "product_id": self.product_psu.id})
        count = self.Warranty.search_count([])
        with self.assertRaises(ValidationError) as cm:
            self._manual_warranty(self.product_camera, date(2026, 3, 4), lot=lot_psu)
        self.assertIn("belongs to", str(cm.exception))
        self.assertEqual(self.Warranty.search_count([]), count, "nothing written")

    def test_find_covering_warranty(self):
        lot1, lot2 = self.camera_lots[:2]
        contact = self.env["res.partner"].create({"name": "Anna's colleague", "parent_id": self.customer.id})
        self.customer.is_company = True
        w1 = self._manual_warranty(self.product_camera, date(2026, 3, 4), lot=lot1)
        w_switch = self._manual_warranty(self.product_switcher, date(2026, 3, 4))
        find = self.Warranty.find_covering_warranty
        self.assertEqual(find(self.customer, self.product_camera, lot1, date(2026, 3, 4)), w1)
        self.assertEqual(find(self.customer, self.product_camera, lot1, date(2027, 3, 3)), w1, "last day")
        self.assertFalse(find(self.customer, self.product_camera, lot1, date(2027, 3, 4)), "day after")
        self.assertFalse(find(self.customer, self.product_camera, lot1, date(2026, 3, 3)), "before start")
        self.assertFalse(find(self.customer, self.product_camera, lot2, date(2026, 6, 1)), "other serial")
        self.assertFalse(find(self.customer_2, self.product_camera, lot1, date(2026, 6, 1)), "other customer")
        # a contact of the customer, ids instead of records, default date
        self.assertEqual(find(contact.id, self.product_switcher.id, None, "2026-06-01"), w_switch)
        with freeze_time("2027-01-01"):
            self.assertEqual(find(contact, self.product_switcher), w_switch)
        # a serial without a warranty of its own: the customer's warranty without serial covers it
        w_lotless = self._manual_warranty(self.product_camera, date(2026, 5, 1))
        self.assertEqual(find(self.customer, self.product_camera, lot2, date(2026, 6, 1)), w_lotless)
        self.assertEqual(find(self.customer, self.product_camera, lot1, date(2026, 6, 1)), w1, "own first")
        w1.action_void()
        self.assertFalse(find(self.customer, self.product_camera, lot1, date(2026, 6, 1)), "void")
        self.assertEqual(w1.void_reason, f"Voided by {self.env.user.name}")

    def test_lookup_is_indexed(self):
        self.env.cr.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'aftersales_warranty_lookup_index'"
        )
        indexdef = self.env.cr.fetchone()[0]
        self.assertIn("commercial_partner_id, product_id, lot_id, end_date", indexdef)


@tagged("post_install", "-at_install")
class TestWarrantyRepair(WarrantyCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lot = cls.camera_lots[0]
        cls.warranty_camera = cls._manual_warranty(cls.product_camera, date(2026, 3, 4), lot=cls.lot)
        cls.warranty_switcher = cls._manual_warranty(cls.product_switcher, date(2026, 3, 4))
        cls.warranty_psu = cls._manual_warranty(cls.product_psu, date(2026, 3, 4))

    def _quote(self, repair, parts):
        repair.move_ids = [
            Command.create({"product_id": p.id, "product_uom_qty": 1, "repair_line_type": "add"})
            for p in parts
        ]
        repair.action_create_sale_order()
        order = repair.sale_order_id
        order.order_line = [Command.create({"product_id": self.product_service.id, "product_uom_qty": 2})]
        return order

    def _prices(self, order):
        return {line.product_id: line.price_unit for line in order.order_line}

    def test_part_price_rules(self):
        self.assertEqual(self.policy_cameras._get_repair_part_price(self.product_psu, True), 0.0)
        self.assertEqual(self.policy_cameras._get_repair_part_price(self.product_psu, False), 8.0)
        self.assertEqual(self.policy_cameras._get_repair_part_price(self.product_service, False), 0.0)
        self.assertEqual(self.policy_switchers._get_repair_part_price(self.product_psu, False), 20.0)
        self.assertEqual(self.policy_switchers._get_repair_part_price(self.product_service, False), 75.0)
        with self.assertRaises(UserError) as cm:
            self.policy_accessories._get_repair_part_price(self.product_psu, False)
        self.assertIn("does not cover repairs after expiry", str(cm.exception))

    @freeze_time("2026-09-01")
    def test_repair_in_warranty_is_free(self):
        action = self.warranty_camera.with_user(self.aftersales_user).action_create_repair()
        repair = self.env["repair.order"].browse(action["res_id"])
        self.assertEqual(repair.aftersales_warranty_id, self.warranty_camera)
        self.assertEqual(
            (repair.product_id, repair.lot_id, repair.partner_id),
            (self.product_camera, self.lot, self.customer),
        )
        self.assertTrue(repair.under_warranty)
        order = self._quote(repair, self.product_psu)
        self.assertEqual(self._prices(order), {self.product_psu: 0.0, self.product_service: 0.0})
        self.assertEqual(self.warranty_camera.repair_count, 1)

    @freeze_time("2026-09-01")
    def test_repair_from_a_case_finds_the_covering_warranty(self):
        """The contract other features call: no warranty given, the covering one is used."""
        repair = self.Warranty._create_repair_order(
            self.customer, self.product_camera, lot=self.lot, internal_notes="<p>Image flickers</p>"
        )
        self.assertEqual(repair.aftersales_warranty_id, self.warranty_camera)
        self.assertTrue(repair.under_warranty)
        self.assertIn("Image flickers", repair.internal_notes, "extra values are passed through")
        other_lot = self.camera_lots[5]
        repair = self.Warranty._create_repair_order(self.customer, self.product_camera, lot=other_lot)
        self.assertFalse(repair.aftersales_warranty_id, "that serial has no warranty")
        self.assertFalse(repair.under_warranty)

    @freeze_time("2027-06-01")
    def test_repair_expired_lifetime_parts_at_cost(self):
        """W-4: parts at cost, no labour."""
        repair = self.Warranty._create_repair_order(self.customer, self.product_camera, lot=self.lot)
        self.assertEqual(repair.aftersales_warranty_id, self.warranty_camera, "the expired warranty is found")
        self.assertFalse(repair.under_warranty)
        order = self._quote(repair, self.product_psu | self.product_switcher)
        self.assertEqual(
            self._prices(order),
            {self.product_psu: 8.0, self.product_switcher: 600.0, self.product_service: 0.0},
        )

    @freeze_time("2028-06-01")
    def test_repair_expired_paid_at_list_price(self):
        repair = self.Warranty._create_repair_order(
            self.customer, self.product_switcher, warranty=self.warranty_switcher
        )
        self.assertFalse(repair.under_warranty)
        order = self._quote(repair, self.product_psu)
        self.assertEqual(self._prices(order), {self.product_psu: 20.0, self.product_service: 75.0})

    def test_can_create_repair(self):
        with freeze_time("2026-05-01"):
            self.assertTrue(self.warranty_psu.can_create_repair, "covering")
        with freeze_time("2026-12-01"):
            self.warranty_psu.invalidate_recordset(["can_create_repair"])
            self.assertFalse(self.warranty_psu.can_create_repair, "expired, policy 'none'")
            self.assertTrue(self.warranty_camera.can_create_repair, "expired, lifetime repair")
        self.warranty_switcher.action_void()
        self.assertFalse(self.warranty_switcher.can_create_repair)

    @freeze_time("2026-12-01")
    def test_repair_expired_none_refused(self):
        count = self.env["repair.order"].search_count([])
        with self.assertRaises(UserError) as cm:
            self.warranty_psu.action_create_repair()
        self.assertIn("offers no repair after expiry", str(cm.exception))
        self.assertEqual(self.env["repair.order"].search_count([]), count, "nothing written")

    def test_repair_without_warranty_is_plain(self):
        repair = self.Warranty._create_repair_order(self.customer_2, self.product_switcher)
        self.assertFalse(repair.aftersales_warranty_id)
        self.assertFalse(repair.under_warranty)


@tagged("post_install", "-at_install")
class TestWarrantySecurity(WarrantyCommon):
    def test_user_cannot_edit_policies(self):
        policy = self.policy_cameras.with_user(self.aftersales_user)
        self.assertEqual(policy.duration, 12, "users read policies")
        with self.assertRaises(AccessError):
            policy.duration = 6
        with self.assertRaises(AccessError):
            self.env["aftersales.warranty.policy"].with_user(self.aftersales_user).create(
                {"name": "Mine", "duration": 1}
            )
        self.policy_cameras.with_user(self.aftersales_manager).duration = 6
        self.assertEqual(self.policy_cameras.duration, 6)

    def test_other_company_sees_nothing(self):
        warranty = self._manual_warranty(self.product_switcher, date(2026, 3, 4))
        Warranty2 = self.env["aftersales.warranty"].with_user(self.aftersales_user_2)
        self.assertFalse(Warranty2.search([]))
        with self.assertRaises(AccessError):
            warranty.with_user(self.aftersales_user_2).read(["name"])
        self.assertFalse(self.env["aftersales.warranty.policy"].with_user(self.aftersales_user_2).search([]))
        self.assertIn(warranty, self.Warranty.with_user(self.aftersales_user).search([]))

    def test_only_manager_voids(self):
        warranty = self._manual_warranty(self.product_switcher, date(2026, 3, 4))
        with self.assertRaises(AccessError):
            warranty.with_user(self.aftersales_user).action_void()
        self.assertEqual(warranty.state, "active")
        warranty.with_user(self.aftersales_manager).action_void()
        self.assertEqual(warranty.state, "void")

    def test_user_can_create_repair_not_delete_warranty(self):
        warranty = self._manual_warranty(self.product_switcher, date(2026, 3, 4))
        warranty = warranty.with_user(self.aftersales_user)
        with self.assertRaises(AccessError):
            warranty.unlink()
