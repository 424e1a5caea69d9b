from werkzeug.exceptions import Forbidden, NotFound

from odoo import http
from odoo.exceptions import ValidationError
from odoo.http import request
from odoo.tools import consteq


class AftersalesRatingController(http.Controller):
    """V-5: the customer rates the service from the tokenised link, without logging in (or
    logged in to the portal); staff, the rated employee among them, are refused."""

    def _get_rating(self, rating_id, token):
        if not request.env.user.share:
            # an internal user (the rated employee...) never rates a service in the customer's name
            raise Forbidden(request.env._("Ratings are given by customers, not by staff."))
        # sudo: public page; access is granted by the secret token checked below
        rating = request.env["aftersales.rating"].sudo().browse(rating_id).exists()
        if not rating or not token or not consteq(rating.access_token or "", token):
            raise NotFound()
        return rating

    @http.route(
        "/aftersales/rating/<int:rating_id>/<string:token>",
        type="http",
        auth="public",
        methods=["GET"],
        website=True,
        readonly=True,
    )
    def rating_form(self, rating_id, token, **kw):
        rating = self._get_rating(rating_id, token)
        if rating.partner_id.lang:
            request.update_context(lang=rating.partner_id.lang)  # the customer's language
        return request.render(
            "aftersales_service.rating_page",
            {"rating": rating, "token": token, "levels": rating.LEVELS, "done": rating.state == "rated"},
        )

    @http.route(
        "/aftersales/rating/<int:rating_id>/<string:token>",
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
        csrf=False,
    )
    def rating_submit(self, rating_id, token, comment=None, **answers):
        rating = self._get_rating(rating_id, token)
        if rating.state == "rated":
            return request.make_response("This service was rated already.", status=403)
        try:
            rating._submit(answers, comment=comment)
        except ValidationError:
            return request.make_response("Answer each question on the four-level scale.", status=400)
        return request.render(
            "aftersales_service.rating_page", {"rating": rating, "done": True, "levels": rating.LEVELS}
        )
