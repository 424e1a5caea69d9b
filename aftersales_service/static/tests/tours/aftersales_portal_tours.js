/** @odoo-module **/
// The customer's side of each after-sales flow, in the browser. The records are made by the
// Python tests (tests/test_tours.py), which also check what the flow wrote.
import { registry } from "@web/core/registry";

// Each tour ends once its last page settled: the portal chatter (in its shadow root) and every
// image, avatars included, loaded. A request of the page still in flight when the test ends
// reaches a closed test cursor ("cursor already closed", an error in the log).
const pageSettled = {
    content: "The page settled: its chatter and images are loaded",
    trigger: "body",
    async run() {
        for (let i = 0; i < 100; i++) {
            const root = document.querySelector("#chatterRoot");
            const shadow = root && root.shadowRoot;
            const images = [...document.images, ...(shadow ? shadow.querySelectorAll("img") : [])];
            const chatterReady = !document.querySelector(".o_portal_chatter") || (shadow && shadow.querySelector(".o-mail-Thread"));
            if (chatterReady && images.every((img) => img.complete)) {
                return;
            }
            await new Promise((resolve) => setTimeout(resolve, 50));
        }
    },
};
const tourRegistry = registry.category("web_tour.tours");
const tours = {
    add(name, tour) {
        tourRegistry.add(name, { ...tour, steps: () => [...tour.steps(), pageSettled] });
    },
};

tours.add("aftersales_portal_case_tour", {
    url: "/my/home",
    steps: () => [
        {
            content: "Report a problem from the portal home",
            trigger: 'a[href="/my/cases/new"]',
            run: "click",
        },
        {
            content: "Say what is wrong",
            trigger: "form.o_aftersales_case_form input[name=subject]",
            run: "edit Lens cracked",
        },
        {
            content: "Choose the order",
            trigger: "form.o_aftersales_case_form select[name=order_id]",
            run: "selectByIndex 1",
        },
        {
            content: "Only the chosen order's products are offered",
            trigger: "form.o_aftersales_case_form select[name=product_id]",
            run() {
                const options = document.querySelectorAll(
                    "form.o_aftersales_case_form select[name=product_id] option"
                );
                const offered = [...options].filter((o) => !o.hidden).map((o) => o.textContent);
                if (offered.some((label) => label.includes("Power Supply"))) {
                    throw new Error(`Another order's product is offered: ${offered.join(", ")}`);
                }
            },
        },
        {
            content: "Choose the product",
            trigger: "form.o_aftersales_case_form select[name=product_id]",
            run: "selectByLabel Test Camera",
        },
        {
            content: "Choose the serial number delivered",
            trigger: "form.o_aftersales_case_form select[name=lot_id]",
            run: "selectByIndex 1",
        },
        {
            content: "Describe it",
            trigger: "form.o_aftersales_case_form textarea[name=description]",
            run: "edit The lens cracked after a week.",
        },
        {
            content: "Send",
            trigger: "form.o_aftersales_case_form button[type=submit]",
            run: "click",
        },
        {
            content: "The case is registered and shown",
            trigger: '.alert-success:contains("Your request is registered")',
        },
        {
            trigger: '.o_aftersales_case:contains("Lens cracked"):contains("T-CAM-")',
        },
    ],
});

tours.add("aftersales_portal_return_tour", {
    url: "/my/home",
    steps: () => [
        {
            content: "Request a return from the portal home",
            trigger: 'a[href="/my/returns/new"]',
            run: "click",
        },
        {
            content: "Choose the delivered order",
            trigger: "select[name=order_id]",
            run: "selectByIndex 1",
        },
        {
            content: "The window and returnable quantity are shown; return one unit",
            trigger: "form input[name^=qty_]",
            run: "edit 1",
        },
        {
            content: "Why",
            trigger: "form textarea[name=reason]",
            run: "edit Ordered one too many",
        },
        {
            content: "Send the request",
            trigger: 'form button[type=submit]:contains("Request the return")',
            run: "click",
        },
        {
            content: "The return is registered",
            trigger: '.alert-success:contains("Your return request is registered")',
        },
    ],
});

tours.add("aftersales_portal_sign_tour", {
    steps: () => [
        {
            content: "Open the signature dialog",
            trigger: 'a:contains("Sign the service report")',
            run: "click",
        },
        {
            content: "The customer's name is filled in",
            trigger: ".modal .o_web_sign_name_and_signature input:value(Anna Customer)",
        },
        {
            content: "Choose a signature style",
            trigger: ".modal .o_web_sign_auto_select_style button",
            run: "click",
        },
        {
            trigger: ".o-dropdown-item:eq(1)",
            run: "click",
        },
        {
            // the style's font loads before it is drawn: sign once the canvas holds the name
            content: "The signature is drawn",
            trigger: ".modal canvas.o_web_sign_signature",
            async run() {
                const canvas = this.anchor;
                const blank = document.createElement("canvas");
                blank.width = canvas.width;
                blank.height = canvas.height;
                for (let i = 0; i < 100 && canvas.toDataURL() === blank.toDataURL(); i++) {
                    await new Promise((resolve) => setTimeout(resolve, 50));
                }
            },
        },
        {
            content: "Sign",
            trigger: ".modal .o_portal_sign_submit:enabled",
            run: "click",
        },
        {
            content: "The report is signed",
            trigger: '.alert-success:contains("the service report is signed")',
        },
    ],
});

tours.add("aftersales_portal_rating_tour", {
    steps: () => [
        ...["attitude", "technical_skill", "arrival_time", "promise_keeping"].map((name) => ({
            content: `Rate ${name}`,
            trigger: `.o_aftersales_rating_page select[name=${name}]`,
            run: `select ${name === "arrival_time" ? "satisfied" : "very_satisfied"}`,
        })),
        {
            content: "Comment",
            trigger: ".o_aftersales_rating_page textarea[name=comment]",
            run: "edit Fast and friendly",
        },
        {
            content: "Send the rating",
            trigger: '.o_aftersales_rating_page button[type=submit]',
            run: "click",
        },
        {
            content: "Thanked",
            trigger: '.o_aftersales_rating_page .alert-success:contains("Thank you for your rating")',
        },
    ],
});

tours.add("aftersales_portal_compensation_tour", {
    url: "/my/compensations",
    steps: () => [
        {
            content: "Open the offer",
            trigger: 'a[href^="/my/compensations/"]',
            run: "click",
        },
        {
            content: "Sign with one's name",
            trigger: ".o_aftersales_compensation input[name=name]",
            run: "edit Anna Customer",
        },
        {
            content: "Accept",
            trigger: '.o_aftersales_compensation button:contains("Accept the compensation")',
            run: "click",
        },
        {
            content: "Accepted",
            trigger: '.o_aftersales_compensation .alert-success:contains("Accepted by Anna Customer")',
        },
    ],
});

// W-1, W-2 for units bought elsewhere: the customer registers a unit with its proof of purchase
tours.add("aftersales_portal_registration_tour", {
    url: "/my/home",
    steps: () => [
        {
            content: "Register a unit from the portal home",
            trigger: 'a[href="/my/registrations/new"]',
            run: "click",
        },
        {
            content: "The product bought from a dealer",
            trigger: "form.o_aftersales_registration_form select[name=product_id]",
            run: "selectByLabel Test Camera",
        },
        {
            content: "Its serial number",
            trigger: "form.o_aftersales_registration_form input[name=serial]",
            run: "edit TOUR-SN-1",
        },
        {
            content: "When it was bought",
            trigger: "form.o_aftersales_registration_form input[name=purchase_date]",
            run() {
                this.anchor.value = "2026-05-02"; // a date input: its value, as the date picker sets it
            },
        },
        {
            content: "Where",
            trigger: "form.o_aftersales_registration_form input[name=dealer_name]",
            run: "edit Kamerabutiken",
        },
        {
            content: "The receipt",
            trigger: "form.o_aftersales_registration_form input[name=attachments]",
            run() {
                const files = new DataTransfer();
                files.items.add(new File(["%PDF-1.4 receipt of TOUR-SN-1"], "receipt.pdf", { type: "application/pdf" }));
                this.anchor.files = files.files;
            },
        },
        {
            content: "Register",
            trigger: "form.o_aftersales_registration_form button[type=submit]",
            run: "click",
        },
        {
            content: "Registered, under review",
            trigger: '.o_aftersales_registration:contains("TOUR-SN-1"):contains("Under review")',
        },
    ],
});
