from odoo.tests import HttpCase, tagged

from .common import AftersalesCommon


@tagged("post_install", "-at_install")
class TestUi(AftersalesCommon, HttpCase):
    def test_tour_user_menu(self):
        self.start_tour("/odoo", "aftersales_user_menu_tour", login="as_user", timeout=180)
        # the tour ended on the After-Sales app: the browser's session belongs to the user
        self.assertTrue(self.aftersales_user.has_group("aftersales_service.group_aftersales_user"))

    def test_tour_manager_settings(self):
        # saving settings is an administrator's right in Odoo (res.config.settings.execute)
        self.aftersales_manager.groups_id += self.env.ref("base.group_system")
        self.company.aftersales_manager_id = self.aftersales_manager
        self.start_tour("/odoo", "aftersales_manager_settings_tour", login="as_manager", timeout=180)
        # opening the settings page changed nothing
        self.assertEqual(self.company.aftersales_manager_id, self.aftersales_manager)
