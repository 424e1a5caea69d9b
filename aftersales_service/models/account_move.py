from odoo import models


class AccountMove(models.Model):
    _inherit = "account.move"

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        # W-2: a posted customer invoice starts the warranties of invoice-triggered policies
        self.env["aftersales.warranty"]._create_from_invoice_lines(
            posted.filtered(lambda m: m.move_type == "out_invoice").invoice_line_ids
        )
        return posted
