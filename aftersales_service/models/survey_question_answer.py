from odoo import fields, models


class SurveyQuestionAnswer(models.Model):
    _inherit = "survey.question.answer"

    aftersales_poor = fields.Boolean(
        string="Poor Answer (After-Sales)",
        help="Choosing this answer in the after-sales questionnaire alerts the sales manager. "
        "A flag on the answer itself: it holds in every language.",
    )
