from odoo import _, models


class SurveyUserInput(models.Model):
    _inherit = "survey.user_input"

    def _mark_done(self):
        res = super()._mark_done()
        # V-3: a "poor" answer to the after-sales questionnaire alerts the sales manager at once
        survey = self.env.ref("aftersales_service.survey_after_sales", raise_if_not_found=False)
        for answer in self.filtered(lambda a: survey and a.survey_id == survey):
            if any(line.suggested_answer_id.aftersales_poor for line in answer.user_input_line_ids):
                revisit = self.env["aftersales.revisit"].search(
                    [("survey_input_id", "=", answer.id)], limit=1
                )
                if revisit:
                    revisit._alert_sales_manager(
                        _(
                            "Poor answer in the after-sales questionnaire of %(partner)s",
                            partner=revisit.partner_id.name,
                        )
                    )
        return res
