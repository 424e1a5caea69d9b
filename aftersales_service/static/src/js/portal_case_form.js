/** @odoo-module **/
// The portal's "Report a problem" form: once an order is chosen, the product and serial lists
// offer what that order delivered only (the server checks it again on submit).
import publicWidget from "@web/legacy/js/public/public_widget";

publicWidget.registry.AftersalesCaseForm = publicWidget.Widget.extend({
    selector: ".o_aftersales_case_form",
    events: {
        "change select[name=order_id]": "_filter",
        "change select[name=product_id]": "_filter",
    },

    start() {
        this._filter();
        return this._super(...arguments);
    },

    _filter() {
        const orderId = this.el.querySelector("select[name=order_id]").value;
        const productSelect = this.el.querySelector("select[name=product_id]");
        this._show(productSelect, (option) => !orderId || option.dataset.orderId === orderId);
        const productId = productSelect.value;
        this._show(
            this.el.querySelector("select[name=lot_id]"),
            (option) =>
                (!orderId || option.dataset.orderId === orderId) &&
                (!productId || option.dataset.productId === productId)
        );
    },

    _show(select, keep) {
        for (const option of select.querySelectorAll("option[value]:not([value=''])")) {
            const shown = keep(option);
            option.hidden = !shown;
            option.disabled = !shown;
            if (!shown && option.selected) {
                select.value = "";
            }
        }
        for (const group of select.querySelectorAll("optgroup")) {
            group.hidden = ![...group.querySelectorAll("option")].some((option) => !option.hidden);
        }
    },
});
