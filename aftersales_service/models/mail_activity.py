from odoo import models


class MailActivity(models.Model):
    _inherit = "mail.activity"

    def _action_done(self, feedback=False, attachment_ids=None):
        # V-1: doing the revisit's activity completes the revisit
        revisits = self.env["aftersales.revisit"].browse(
            self.filtered(lambda a: a.res_model == "aftersales.revisit").mapped("res_id")
        )
        res = super()._action_done(feedback=feedback, attachment_ids=attachment_ids)
        revisits.exists()._mark_done()
        return res
