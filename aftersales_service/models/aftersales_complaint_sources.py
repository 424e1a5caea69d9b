# pylint: disable=consider-merging-classes-inherited
# (a rule part of the models, in a room of its own: see docs/ARCHITECTURE.md)
from odoo import _, models
from odoo.exceptions import UserError

from .tools import form_action, privileged


class AftersalesCase(models.Model):
    """P-1, C-9: the complaint a case opens, and a serious complaint at the executive's at once."""

    _inherit = "aftersales.case"

    def action_create_complaint(self):
        """P-1: a complaint case opens a complaint form with the case's facts."""
        self.ensure_one()
        if not self.partner_id:
            raise UserError(_("Set the customer of case %(name)s first.", name=self.name))
        Complaint = self.env["aftersales.complaint"]
        complaint = Complaint.create(
            Complaint._prepare_complaint_vals(
                self.partner_id,
                sale_order=self.sale_order_id,
                company=self.company_id,
                case_id=self.id,
                cause_type="non_quality" if self.category == "non_quality" else "quality",
                customer_demand=self.subject,
                subject=self.subject,
            )
        )
        return form_action(complaint)

    # ------------------------------------------------------------------ serious complaints (C-9)
    def _escalate_urgent_complaints(self):
        """C-9: an urgent complaint goes to the executive at once, registered so or raised to it
        later; once (level 3 is the mark)."""
        # sudo: the escalation level is read to notify once (users without the field's group)
        for case in self.filtered(
            lambda c: c.category == "complaint" and c.priority == "2" and c.sudo().escalation_level != 3
        ):
            executive = case.company_id.aftersales_executive_id
            if executive:
                # one escalation, one message: the escalation email below tells the executive,
                # not also Odoo's "activity assigned to you" notice
                case.with_context(mail_activity_quick_update=True).activity_schedule(
                    "mail.mail_activity_data_todo",
                    user_id=executive.id,
                    summary=_("Serious complaint %(name)s", name=case.name),
                    note=_("An urgent complaint was registered: it goes to the executive at once."),
                )
                privileged(case).write({"escalation_level": 3})
                # sudo: the email goes to the executive whoever raised the priority
                self.env.ref(case._escalation_template).sudo().send_mail(case.id)


class AftersalesReturn(models.Model):
    """P-1: the complaint a return opens (its credit notes count in the loss)."""

    _inherit = "aftersales.return"

    def action_create_complaint(self):
        """P-1: a return can open a complaint form that reads its credit notes for the loss."""
        self.ensure_one()
        self._ensure_can("can_create_complaint", _("Return %(names)s is a draft or cancelled."))
        Complaint = self.env["aftersales.complaint"]
        complaint = Complaint.create(
            Complaint._prepare_complaint_vals(
                self.partner_id,
                sale_order=self.sale_order_id,
                company=self.company_id,
                return_id=self.id,
                case_id=self.case_id.id,
                cause_type="quality" if self.return_type == "quality" else "non_quality",
                customer_demand=self.description,
                subject=_("Return %(name)s", name=self.name),
            )
        )
        return form_action(complaint)
