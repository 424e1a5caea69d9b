from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import AftersalesCommon


@tagged("post_install", "-at_install")
class TestMenusAndGroups(AftersalesCommon):
    def _visible_menus(self, user):
        Menu = self.env["ir.ui.menu"].with_user(user)
        root = self.env.ref("aftersales_service.aftersales_menu_root")
        try:
            visible_ids = Menu._visible_menu_ids()
        except AccessError:  # portal users cannot read menus at all
            return set()

        def shown(menu):  # the web client shows a menu when it and all its parents are visible
            return all(int(menu_id) in visible_ids for menu_id in menu.parent_path.strip("/").split("/"))

        menus = self.env["ir.ui.menu"].search([("id", "child_of", root.id)]).filtered(shown)
        return set(menus.get_external_id().values())

    def test_manager_implies_user(self):
        manager_group = self.env.ref("aftersales_service.group_aftersales_manager")
        user_group = self.env.ref("aftersales_service.group_aftersales_user")
        self.assertIn(user_group, manager_group.implied_ids)
        self.assertEqual(manager_group.category_id, user_group.category_id)
        self.assertEqual(manager_group.category_id.name, "After-Sales")

    def test_menus_per_group(self):
        root = "aftersales_service.aftersales_menu_root"
        config = "aftersales_service.aftersales_menu_config"
        settings = "aftersales_service.aftersales_menu_config_settings"

        user_menus = self._visible_menus(self.aftersales_user)
        self.assertIn(root, user_menus)
        self.assertNotIn(config, user_menus)
        self.assertNotIn(settings, user_menus)

        manager_menus = self._visible_menus(self.aftersales_manager)
        self.assertTrue({root, config} <= manager_menus)
        self.assertNotIn(settings, manager_menus, "only administrators may save settings")
        self.assertTrue(user_menus < manager_menus, "a manager sees all the user sees, and more")

        self.aftersales_manager.groups_id += self.env.ref("base.group_system")
        self.env.registry.clear_cache()
        self.assertIn(settings, self._visible_menus(self.aftersales_manager))

        for outsider in (self.salesperson, self.portal_user):
            self.assertFalse(self._visible_menus(outsider), f"{outsider.login} sees no After-Sales menu")

    def test_settings_fields_on_company(self):
        with self.assertRaises(AccessError):
            self.env["res.config.settings"].with_user(self.aftersales_user).create({})
        self.aftersales_manager.groups_id += self.env.ref("base.group_system")
        settings = self.env["res.config.settings"].with_user(self.aftersales_manager).create({})
        settings.aftersales_manager_id = self.aftersales_manager
        settings.execute()
        self.assertEqual(self.company.aftersales_manager_id, self.aftersales_manager)
        self.assertFalse(self.company_2.aftersales_manager_id, "settings are per company")
