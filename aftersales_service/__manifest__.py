# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
{
    "name": "After-Sales Service",
    "summary": "Warranties, service cases with response timers, returns and refunds, "
    "complaint penalties, revisits and satisfaction ratings",
    "version": "18.0.1.8.0",
    "category": "Services/After-Sales",
    "website": "https://github.com/aftersales-service/aftersales_service",
    "author": "aftersales_service contributors",
    "license": "LGPL-3",
    "development_status": "Beta",
    "maintainers": ["aftersales-service"],
    "application": True,
    "installable": True,
    "depends": [
        "sale_management",
        "sale_stock",
        "mail",
        "portal",
        "repair",
        "hr",
        "survey",
        "maintenance",
    ],
    "data": [
        # security
        "security/aftersales_service_groups.xml",
        "security/ir.model.access.csv",
        "security/aftersales_service_security.xml",
        # data
        # - warranty (W)
        "data/ir_sequence_data.xml",
        "data/aftersales_warranty_data.xml",
        "data/aftersales_registration_data.xml",
        "data/aftersales_contract_data.xml",
        "data/ir_cron_data.xml",
        # - service cases (C)
        "data/aftersales_case_data.xml",
        "data/aftersales_loan_data.xml",
        # - complaints (P)
        "data/aftersales_complaint_data.xml",
        "report/penalty_notice_report.xml",
        # - field service (F)
        "data/aftersales_field_service_data.xml",
        "report/field_visit_report.xml",
        "report/aftersales_documents_report.xml",
        "report/aftersales_return_label_report.xml",
        # - revisits and satisfaction (V)
        "data/aftersales_revisit_data.xml",
        "data/mail_template_data.xml",
        # wizards
        "wizards/aftersales_compensation_wizard_views.xml",
        "wizards/aftersales_case_resolve_wizard_views.xml",
        # views
        # - warranty (W)
        "views/aftersales_warranty_views.xml",
        "views/aftersales_warranty_policy_views.xml",
        "views/product_template_views.xml",
        "views/product_category_views.xml",
        "views/repair_order_views.xml",
        "views/stock_lot_views.xml",
        "views/sale_order_views.xml",
        # - returns (R) (before cases: the case form opens returns)
        "views/aftersales_return_views.xml",
        "views/aftersales_return_label_views.xml",
        "views/account_move_views.xml",
        # - complaints (P)
        "views/aftersales_complaint_views.xml",
        "views/aftersales_complaint_cause_views.xml",
        "views/aftersales_penalty_rule_views.xml",
        "views/aftersales_complaint_review_views.xml",
        # - revisits and satisfaction (V)
        "views/aftersales_revisit_views.xml",
        "views/aftersales_rating_views.xml",
        "views/aftersales_revisit_templates.xml",
        # - service cases (C)
        "views/aftersales_case_views.xml",
        "views/aftersales_case_tag_views.xml",
        "views/aftersales_team_views.xml",
        "views/aftersales_sla_policy_views.xml",
        "views/aftersales_case_portal_templates.xml",
        "views/aftersales_documents_portal_templates.xml",
        "views/aftersales_return_label_templates.xml",
        "views/aftersales_repair_portal_templates.xml",
        "views/aftersales_registration_portal_templates.xml",
        "views/aftersales_contract_portal_templates.xml",
        # - field service (F)
        "views/aftersales_field_visit_views.xml",
        "views/aftersales_field_visit_portal_templates.xml",
        "views/aftersales_travel_request_views.xml",
        "views/aftersales_maintenance_views.xml",
        "views/aftersales_inspection_item_views.xml",
        "views/maintenance_equipment_views.xml",
        "views/res_partner_views.xml",
        "views/res_config_settings_views.xml",
        # menus (last: they reference the actions above)
        "views/aftersales_menus.xml",
        # - loaner units (after the menus: its menu is under Operations)
        "views/aftersales_loan_views.xml",
        # - registered units (W-1, W-2 for units bought elsewhere; its menu is under Operations)
        "views/aftersales_unit_registration_views.xml",
        # - internal service (C-5, type D)
        "views/aftersales_case_internal_views.xml",
        # - service contracts (C-5 type B; its menu is under Operations)
        "views/aftersales_contract_views.xml",
        "data/aftersales_data_done.xml",
    ],
    "demo": [
        "demo/aftersales_demo.xml",
        "demo/warranty_demo.xml",
        "demo/case_demo.xml",
        "demo/complaint_demo.xml",
        "demo/revisit_demo.xml",
        "demo/field_service_demo.xml",
        "demo/registration_demo.xml",
        "demo/history_demo.xml",
    ],
    "assets": {
        "web.assets_frontend": [
            "aftersales_service/static/src/js/portal_case_form.js",
        ],
        "web.assets_tests": [
            "aftersales_service/static/tests/tours/*.js",
        ],
    },
}
