/** @odoo-module **/
import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

registry.category("web_tour.tours").add("aftersales_user_menu_tour", {
    steps: () => [
        ...stepUtils.goToAppSteps("aftersales_service.aftersales_menu_root", "Open the After-Sales app"),
        {
            content: "The After-Sales app is open",
            trigger: '.o_main_navbar .o_menu_brand:contains("After-Sales")',
        },
        {
            content: "A user has no Configuration menu",
            trigger: '.o_main_navbar:not(:has([data-menu-xmlid="aftersales_service.aftersales_menu_config"]))',
        },
    ],
});

registry.category("web_tour.tours").add("aftersales_manager_settings_tour", {
    steps: () => [
        ...stepUtils.goToAppSteps("aftersales_service.aftersales_menu_root", "Open the After-Sales app"),
        {
            content: "Open Configuration",
            trigger: '.o_main_navbar [data-menu-xmlid="aftersales_service.aftersales_menu_config"]',
            run: "click",
        },
        {
            content: "Open Settings",
            trigger: '.dropdown-item[data-menu-xmlid="aftersales_service.aftersales_menu_config_settings"]',
            run: "click",
        },
        {
            content: "The After-Sales settings section is shown with its people settings",
            trigger: '.app_settings_block[data-key="aftersales_service"] #aftersales_executive_setting div[name="aftersales_executive_id"] input',
        },
        {
            content: "The executive set on the company is shown",
            trigger: '#aftersales_manager_setting div[name="aftersales_manager_id"] input:value("Mats After-Sales Manager")',
        },
        ...stepUtils.goToAppSteps("aftersales_service.aftersales_menu_root", "Back to After-Sales"),
        {
            content: "Leave the settings: the app's first view is shown",
            trigger: ".o_action_manager .o_view_controller:not(.o_form_view)",
        },
    ],
});
