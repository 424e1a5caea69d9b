from odoo import models


class MailActivity(models.Model):
    _inherit = "mail.activity"

    def _action_done(self, feedback=False, attachment_ids=None):
        # V-1: doing the revisit's own activity (the call planned with it) completes the
        # revisit; another activity on it (a V-3 alert the sales manager closes) does not
        call = self.env.ref("mail.mail_activity_data_call", raise_if_not_found=False)
        revisits = self.env["aftersales.revisit"].browse(
            self.filtered(
                lambda a: a.res_model == "aftersales.revisit" and a.activity_type_id == call
            ).mapped("res_id")
        )
        res = super()._action_done(feedback=feedback, attachment_ids=attachment_ids)
        revisits.exists()._mark_done()
        return res
