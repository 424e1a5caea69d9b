/** @odoo-module **/
// The staff's side of each after-sales flow, start to end, in the web client. The records are
// made by the Python tests (tests/test_tours.py), which log in as the right role and check what
// the flow wrote.
import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

const tours = registry.category("web_tour.tours");

const click = (trigger, content) => ({ content, trigger, run: "click" });
const status = (value) => ({
    content: `The document is now ${value}`,
    trigger: `.o_form_view .o_statusbar_status button[data-value="${value}"].o_arrow_button_current`,
});
const tab = (label) => click(`.o_form_view .o_notebook_headers a:contains("${label}")`, `Open the ${label} tab`);

// C-1..C-4, V-5: intake -> assign -> start -> resolve; the customer is asked for a rating
tours.add("aftersales_case_flow_tour", {
    steps: () => [
        ...stepUtils.goToAppSteps("aftersales_service.aftersales_menu_root", "Open After-Sales"),
        click('.o_main_navbar [data-menu-xmlid="aftersales_service.aftersales_menu_operations"]', "Operations"),
        click('.dropdown-item[data-menu-xmlid="aftersales_service.aftersales_case_menu"]', "Service Cases"),
        click(".o_control_panel_main_buttons .o-kanban-button-new", "A new case"),
        {
            content: "What the customer says",
            trigger: ".o_form_view .o_field_widget[name=subject] input",
            run: "edit Projector flickers",
        },
        {
            content: "Who calls",
            trigger: ".o_form_view .o_field_widget[name=partner_id] input",
            run: "edit Anna Customer",
        },
        click('.ui-menu-item > a:contains("Anna Customer")', "The customer"),
        click(".o_form_view button[name=action_assign_to_me]", "Take the case"),
        click(".o_form_view button[name=action_start]", "Start working on it"),
        status("in_progress"),
        click('.o_form_view .o_statusbar_buttons button:contains("Resolve")', "Resolve"),
        // one step: the outcome and how it was solved, together
        click('.modal .o_field_widget[name=resolution] input[data-value="repair"]', "The outcome"),
        {
            content: "How it was solved",
            trigger: ".modal .o_field_widget[name=resolution_note] .odoo-editor-editable",
            run: "editor Replaced the lamp driver",
        },
        click(".modal footer button[name=action_resolve]", "Resolve"),
        status("resolved"),
        {
            // the link itself is the customer's: it is in their mail, not in the chatter staff read
            content: "The customer was asked to rate the service (the chatter says so, without the link)",
            trigger: '.o-mail-Message:contains("rating request was sent")',
        },
        {
            content: "No rating link in the chatter",
            trigger: '.o-mail-Message:contains("rating request was sent"):not(:has(a[href*="/aftersales/rating/"]))',
        },
    ],
});

// R-3, R-4 (requester): "Return / Exchange" on the order, outside the window: submitted with a reason
tours.add("aftersales_return_request_tour", {
    steps: () => [
        click(".o_form_view button[name=action_aftersales_return]", "Return / Exchange on the order"),
        {
            content: "A new return, filled with the delivered lines (not saved yet)",
            trigger: ".o_form_view .o_form_editable .o_field_widget[name=line_ids] .o_data_row",
        },
        tab("Problem and Approval"),
        {
            content: "Why the return is outside the rules",
            trigger: ".o_form_view .o_field_widget[name=approval_reason] textarea",
            run: "edit Customer found the wrong model installed",
        },
        click(".o_form_view button[name=action_submit]", "Submit"),
        status("to_approve"),
    ],
});

// R-7 (manager): approve -> receive the goods -> credit note
tours.add("aftersales_return_approve_tour", {
    steps: () => [
        click(".o_form_view button[name=action_approve]", "Approve"),
        status("waiting_goods"),
        click(".o_form_view .o_statusbar_buttons button[name=action_view_pickings]", "Next step: receive the goods"),
        click(".o_form_view button[name=button_validate]", "Receive the goods"),
        status("done"),
        click(".o_breadcrumb li.breadcrumb-item:last a", "Back to the return"),
        click(".o_form_view button[name=action_create_credit_note]", "Create the credit note"),
        {
            content: "The credit note (Odoo's own) opens",
            trigger: ".o_form_view .o_field_widget[name=invoice_line_ids] .o_data_row",
        },
        click(".o_breadcrumb li.breadcrumb-item:last a", "Back to the return"),
        {
            content: "The return's chatter links the credit note",
            trigger: '.o-mail-Message:contains("Credit note") a[data-oe-model="account.move"]',
        },
        click(".o_form_view button[name=action_view_credit_notes]", "Its credit notes"),
        {
            content: "The credit note again",
            trigger: ".o_form_view .o_field_widget[name=invoice_line_ids] .o_data_row",
        },
    ],
});

// P-1..P-4 (investigator): investigate -> validity and responsibility -> submit
tours.add("aftersales_complaint_investigate_tour", {
    steps: () => [
        click(".o_form_view button[name=action_start_investigation]", "Start the investigation"),
        status("investigating"),
        {
            content: "The complaint is valid",
            trigger: ".o_form_view .o_field_widget[name=validity] select",
            run: 'select "valid"',
        },
        tab("Investigation"),
        {
            content: "The investigation report",
            trigger: ".o_form_view .o_field_widget[name=investigation_report] .odoo-editor-editable",
            run: "editor Wrong firmware loaded at the factory",
        },
        tab("Loss and Responsibility"),
        click(".o_form_view .o_field_widget[name=responsibility_ids] .o_field_x2many_list_row_add a", "Add a line"),
        {
            content: "The department responsible",
            trigger: ".o_form_view .o_selected_row .o_field_widget[name=department_id] input",
            run: "edit Production",
        },
        click('.ui-menu-item > a:contains("Production")', "Production"),
        {
            content: "Its share",
            trigger: ".o_form_view .o_selected_row .o_field_widget[name=share] input",
            run: "edit 100",
        },
        click(".o_form_view button[name=action_submit]", "Submit for approval"),
        status("to_approve"),
    ],
});

// P-4 (executive): approve
tours.add("aftersales_complaint_approve_tour", {
    steps: () => [
        click(".o_form_view button[name=action_approve]", "Approve"),
        status("approved"),
    ],
});

// V-1..V-3 (salesperson): the planned revisit is done
tours.add("aftersales_revisit_tour", {
    steps: () => [
        {
            content: "What the customer said",
            trigger: ".o_form_view .o_field_widget[name=problems] textarea",
            run: "edit Asks for a training of the new staff",
        },
        click(".o_form_view button[name=action_done]", "Mark done"),
        status("done"),
        click(".o_form_view button[name=action_create_case]", "The problem becomes a case"),
        {
            content: "The follow-up case is open",
            trigger: '.o_form_view .o_statusbar_status button[data-value="new"].o_arrow_button_current',
        },
    ],
});

// F-1..F-4 (engineer): scheduled visit -> on site -> report -> customer's signature -> done
tours.add("aftersales_field_visit_tour", {
    steps: () => [
        click(".o_form_view button[name=action_arrive]", "Arrived at the customer"),
        status("on_site"),
        tab("On-Site Checks"),
        {
            content: "The fault cause",
            trigger: ".o_form_view .o_field_widget[name=cause_analysis] .odoo-editor-editable",
            run: "editor Dust in the power supply",
        },
        click(".o_form_view .o_field_widget[name=unit_inspected] input", "The whole unit was inspected"),
        tab("Parts and Tools"),
        click(".o_form_view .o_field_widget[name=no_parts_replaced] input", "No parts replaced"),
        tab("Customer Acceptance"),
        {
            content: "Who signs",
            trigger: ".o_form_view .o_field_widget[name=signed_by] input",
            run: "edit Anna Customer",
        },
        click(".o_form_view .o_field_widget[name=signature] .o_signature", "The customer signs"),
        click('.modal .btn-primary:contains("Adopt & Sign"):enabled', "Adopt & Sign"),
        {
            content: "The signature is on the report",
            trigger: ".o_form_view .o_field_widget[name=signature] img.o_signature",
        },
        click(".o_form_view button[name=action_done]", "Complete"),
        status("done"),
    ],
});

// C-7 (workshop): the returned unit is tested, the customer told the diagnosis
tours.add("aftersales_repair_diagnosis_tour", {
    steps: () => [
        tab("Service Milestones"),
        {
            content: "What the test found",
            trigger: ".o_form_view .o_field_widget[name=aftersales_diagnosis] textarea",
            run: "edit Lens motor worn out: replaced from stock",
        },
        click(".o_form_view button[name=action_aftersales_diagnosis_told]", "Tell the customer"),
        {
            content: "The diagnosis milestone is met",
            trigger: '.o_form_view .o_field_widget[name=aftersales_diagnosis_status]:contains("Met")',
        },
        {
            content: "The repair is now due",
            trigger: ".o_form_view .o_field_widget[name=aftersales_repair_deadline]:not(:empty)",
        },
    ],
});

// The Overview: each figure of a team's card opens the documents behind it; the case kanban
// reads in the workflow's order
tours.add("aftersales_overview_tour", {
    steps: () => [
        ...stepUtils.goToAppSteps("aftersales_service.aftersales_menu_root", "Open After-Sales"),
        click('.o_main_navbar [data-menu-xmlid="aftersales_service.aftersales_menu_overview"]', "Overview"),
        {
            content: "The team's card says what waits on it",
            trigger: '.o_kanban_record:contains("Camera Support") .o_aftersales_team_todo',
        },
        click(
            '.o_kanban_record:contains("Camera Support") button[name=action_open_overview]:contains("Unassigned")',
            "The unassigned cases"
        ),
        {
            content: "The unassigned case, and only it",
            trigger: '.o_list_view .o_data_row:contains("Nobody took me")',
        },
        {
            content: "No other case",
            trigger: ".o_list_view:not(:has(.o_data_row:contains('Somebody has me')))",
        },
        click('.o_main_navbar [data-menu-xmlid="aftersales_service.aftersales_menu_operations"]', "Operations"),
        click('.dropdown-item[data-menu-xmlid="aftersales_service.aftersales_case_menu"]', "Service Cases"),
        {
            content: "The kanban's columns follow the workflow: New before Assigned before In Progress",
            trigger: ".o_kanban_group:nth-child(1):contains('New') + .o_kanban_group:contains('Assigned')",
        },
    ],
});

// C-5 (B): the manager starts a service contract; the cron invoices it; the invoice is on the
// contract (tests/test_tours.py opens the contract)
tours.add("aftersales_contract_start_tour", {
    steps: () => [
        click(".o_form_view button[name=action_start]", "Start the draft contract"),
        status("running"),
    ],
});

tours.add("aftersales_contract_invoices_tour", {
    steps: () => [
        click(".o_form_view button[name=action_view_invoices]", "Its invoices"),
        {
            content: "The period's invoice, for the contract's price",
            trigger: '.o_list_view .o_data_row:contains("300.00")',
        },
    ],
});

// One return over several orders of a customer (requester): started from the customer, serials
// scanned one per line, a product whose order is found for the user; submitted inside the rules
tours.add("aftersales_return_multi_order_tour", {
    steps: () => [
        click(".o_control_panel_main_buttons .o_list_button_add", "A new return"),
        {
            content: "The customer (no order chosen)",
            trigger: ".o_form_view .o_field_widget[name=partner_id] input",
            run: "edit Anna Customer",
        },
        click('.ui-menu-item > a:contains("Anna Customer")', "The customer"),
        click(".o_form_view .o_form_button_save", "Save the draft"),
        click(".o_form_view button[name=action_open_serial_wizard]", "Add serials"),
        {
            content: "Scan the serials, one per line",
            trigger: ".modal .o_field_widget[name=serials] textarea",
            async run(helpers) {
                await helpers.edit("T-CAM-0001\nT-CAM-0002");
            },
        },
        click(".modal footer button[name=action_apply]", "Add them"),
        {
            content: "One line carries both serials, on the order they were delivered with",
            trigger: '.o_form_view .o_field_widget[name=line_ids] .o_data_row:has(.o_field_widget[name=lot_ids] .badge:contains("T-CAM-0002"))',
        },
        click(".o_form_view .o_field_widget[name=line_ids] .o_field_x2many_list_row_add a", "Add a line"),
        {
            content: "Start from the product only",
            trigger: ".o_form_view .o_selected_row .o_field_widget[name=product_id] input",
            run: "edit Test Power Supply",
        },
        click('.ui-menu-item > a:contains("Test Power Supply")', "The power supply"),
        {
            content: "One unit back",
            trigger: ".o_form_view .o_selected_row .o_field_widget[name=qty_requested] input",
            run: "edit 1",
        },
        click(".o_form_view .o_form_button_save", "Save"),
        {
            content: "Its delivered order line was proposed",
            trigger: '.o_form_view .o_data_row td[name=sale_line_id]:contains("Test Power Supply")',
        },
        {
            content: "Two orders on one return",
            trigger: ".o_form_view .o_field_widget[name=sale_order_ids] .badge:eq(1)",
        },
        click(".o_form_view button[name=action_submit]", "Submit"),
        status("waiting_goods"),
    ],
});

// Grading at receipt (warehouse user): restock one unit, scrap the other; a graded unit leaves
// the list of those to grade
tours.add("aftersales_return_grading_tour", {
    steps: () => [
        click(
            '.o_list_view .o_data_row:has(td:contains("T-CAM-0001")) button[name=action_disposition_restock]',
            "Restock the first unit"
        ),
        {
            content: "Graded: no longer to grade",
            trigger: '.o_list_view:not(:has(td:contains("T-CAM-0001"))) .o_data_row:has(td:contains("T-CAM-0002"))',
        },
        click(
            '.o_list_view .o_data_row:has(td:contains("T-CAM-0002")) button[name=action_disposition_scrap]',
            "Scrap the second one"
        ),
        {
            content: "Nothing left to grade",
            trigger: '.o_list_view:not(:has(td:contains("T-CAM-0002")))',
        },
    ],
});
