# pylint: disable=consider-merging-classes-inherited
# (a rule part of the model, in a room of its own: see docs/ARCHITECTURE.md)
from odoo import Command, _, api, models
from odoo.exceptions import UserError

from .aftersales_case import SERVICE_TYPES
from .aftersales_field_visit import RESPONSIBILITIES
from .tools import documents_action, form_action, lock_for_action, privileged


class AftersalesCase(models.Model):
    """C-5: a paid case is invoiced with a standard customer invoice, priced per the warranty
    (W-3 free in warranty, W-4 after expiry per the terms frozen on the warranty), with the parts
    and labour of the case and of its field visits. W-1: a fault whose cause the warranty
    excludes (recorded on the case or a visit, or a visit's misuse) is billed as out of warranty,
    the cause named on the line; an upgrade is billed at the part's cost even in warranty."""

    _inherit = "aftersales.case"

    @api.depends(
        "service_type",
        "is_internal",
        "state",
        "invoice_ids.state",
        "part_ids.is_upgrade",
        "field_visit_ids.part_ids.is_upgrade",
        "field_visit_ids.state",
    )
    def _compute_can_invoice(self):
        for case in self:
            # internal service (our own equipment) is never invoiced, whatever its type says
            case.can_invoice = (
                not case.is_internal
                and (case.service_type == "paid" or any(case._aftersales_upgrade_parts()))
                and case.state not in ("new", "cancelled")
                and not case.invoice_ids.filtered(lambda m: m.state != "cancel")
            )

    def _aftersales_billed_visits(self):
        """The field visits whose work is billed with the case: the done ones."""
        # sudo: the visits of the case, read by the user invoicing it (parts, hours, causes)
        return self.sudo().field_visit_ids.filtered(lambda v: v.state == "done").sudo(False)

    def _aftersales_upgrade_parts(self):
        visits = self._aftersales_billed_visits()
        return self.sudo().part_ids.filtered("is_upgrade"), visits.sudo().part_ids.filtered("is_upgrade")

    def _aftersales_exclusion_cause(self, visit=None):
        """The cause the warranty does not cover, for the case's own work or a visit's: the
        case's exclusion, else the visit's exclusion, else a visit's misuse; '' when covered."""
        case_sudo = self.sudo()
        if case_sudo.exclusion_id:
            return case_sudo.exclusion_id.name
        if visit:
            visit_sudo = visit.sudo()
            if visit_sudo.exclusion_id:
                return visit_sudo.exclusion_id.name
            if visit_sudo.responsibility == "misuse":
                return dict(RESPONSIBILITIES)["misuse"]
        return ""

    def _aftersales_has_exclusion(self):
        self.ensure_one()
        return bool(self._aftersales_exclusion_cause()) or any(
            self._aftersales_exclusion_cause(visit)
            for visit in self.sudo().field_visit_ids.filtered(lambda v: v.state != "cancelled")
        )

    def _get_part_price(self, product, excluded=False, upgrade=False):
        """Unit price of a part (or of the labour product) on a case: the warranty rules (W-3 free
        in warranty unless ``excluded``, W-4 after expiry per the terms frozen on the warranty)
        when the case has a warranty, else the list price; an ``upgrade`` at the part's cost. A
        warranty without repair after expiry ("none") leaves the work priced normally: it is then
        a plain paid service."""
        self.ensure_one()
        warranty = self.warranty_id
        in_warranty = self.warranty_state == "in" and not excluded
        if warranty and (in_warranty or upgrade or warranty.after_expiry_mode != "none"):
            return warranty._get_repair_part_price(product, in_warranty, upgrade=upgrade)
        return product.standard_price if upgrade else product.lst_price

    def _prepare_invoice_line(self, product, quantity, cause="", upgrade=False, origin=None):
        price = self._get_part_price(product, excluded=bool(cause), upgrade=upgrade)
        vals = {"product_id": product.id, "quantity": quantity, "price_unit": price}
        notes = []
        if origin:
            notes.append(origin.name)
        if upgrade:
            notes.append(_("upgrade, at cost"))
        elif cause and self.warranty_state == "in":
            notes.append(_("not covered by the warranty: %(cause)s", cause=cause))
        if notes:
            vals["name"] = f"{product.display_name} ({', '.join(notes)})"
        return vals

    def _prepare_invoice_vals(self):
        self.ensure_one()
        service_product = self.company_id.aftersales_case_service_product_id
        paid = self.service_type == "paid"
        case_sudo = self.sudo()
        work = []  # (product, quantity, cause, upgrade, origin)
        labour = []
        if paid:
            cause = self._aftersales_exclusion_cause()
            if case_sudo.time_spent:
                labour.append((case_sudo.time_spent, cause, None))
            work += [(p.product_id, p.quantity, cause, p.is_upgrade, None) for p in case_sudo.part_ids]
            for visit in self._aftersales_billed_visits():
                visit_sudo = visit.sudo()
                cause = self._aftersales_exclusion_cause(visit)
                if visit_sudo.labour_hours:
                    labour.append((visit_sudo.labour_hours, cause, visit))
                work += [(p.product_id, p.quantity, cause, p.is_upgrade, visit) for p in visit_sudo.part_ids]
        else:  # a free case bills only the upgrades the customer chose
            case_parts, visit_parts = self._aftersales_upgrade_parts()
            work += [(p.product_id, p.quantity, "", True, None) for p in case_parts]
            work += [(p.product_id, p.quantity, "", True, p.visit_id) for p in visit_parts]
        lines = []
        if labour and not service_product:
            raise UserError(_("Choose the paid-service product in the After-Sales settings first."))
        for hours, cause, origin in labour:
            vals = self._prepare_invoice_line(service_product, hours, cause=cause, origin=origin)
            # W-4: "parts at cost, no service fee" after expiry: no labour line at all
            if not service_product.currency_id.is_zero(vals["price_unit"]):
                lines.append(Command.create(vals))
        for product, quantity, cause, upgrade, origin in work:
            vals = self._prepare_invoice_line(product, quantity, cause=cause, upgrade=upgrade, origin=origin)
            lines.append(Command.create(vals))
        if not lines:
            raise UserError(
                _(
                    "Case %(name)s has nothing to invoice: no parts, and no time spent that its "
                    "warranty terms bill.",
                    name=self.name,
                )
            )
        return {
            "move_type": "out_invoice",
            "partner_id": self.partner_id.id,
            "company_id": self.company_id.id,
            "invoice_origin": self.name,
            "ref": self.name,
            "invoice_line_ids": lines,
        }

    def action_create_invoice(self):
        """C-5: a paid case is invoiced with a standard customer invoice; the others only for the
        upgrades the customer chose."""
        self.ensure_one()
        lock_for_action(self)
        if self.service_type != "paid" and not any(self._aftersales_upgrade_parts()):
            raise UserError(
                _(
                    "Case %(name)s is a %(type)s service: only paid cases are invoiced.",
                    name=self.name,
                    type=dict(SERVICE_TYPES)[self.service_type],
                )
            )
        if not self.can_invoice:
            raise UserError(
                _(
                    "Case %(name)s cannot be invoiced now (new, cancelled or already invoiced).",
                    name=self.name,
                )
            )
        if not self.partner_id:
            raise UserError(_("Set the customer of case %(name)s before invoicing it.", name=self.name))
        invoice = self.env["account.move"].with_company(self.company_id).create(self._prepare_invoice_vals())
        invoice._aftersales_stamp_approved()  # what was invoiced from the case is what gets posted
        privileged(self).invoice_ids = [Command.link(invoice.id)]
        self.message_post(body=_("Invoice %(invoice)s created.", invoice=invoice._get_html_link()))
        return form_action(invoice)

    @api.readonly
    def action_view_invoices(self):
        self.ensure_one()
        return documents_action(self.env, "account.action_move_out_invoice_type", self.invoice_ids)
