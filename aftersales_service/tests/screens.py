"""Screenshots of the main screens, on the demo data, for reviewers who do not install the addon
(scripts/screenshots.sh writes them to docs/screenshots/, which the README links).

Not part of the test suite: pytest collects test_*.py files only, the script names this file.
Each screen is opened in Odoo's own headless Chrome (the tour runner's browser), as the role that
works it, and captured once its content is there."""

import base64
import os
import pathlib
from unittest.mock import patch

from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import ChromeBrowser

PORTAL_TILES_READY = '.o_portal_index_card:not(.d-none) a[href="/my/warranties"]'
READY = """
const wanted = %r;
const started = Date.now();
(function wait() {
    if (document.querySelector(wanted)) {
        setTimeout(() => console.log("test successful"), 800);  // fonts and images settle
    } else if (Date.now() - started > 20000) {
        console.error("Screen not ready: " + wanted);
    } else {
        setTimeout(wait, 100);
    }
})();
"""


@tagged("post_install", "-at_install", "-standard", "aftersales_screens")
class Screens(HttpCase):
    def _capture(self, name, url, ready, login):
        """Open ``url`` as ``login``, wait for ``ready``, and capture the page just before the
        test runner closes its browser."""
        shot = {}
        stop = ChromeBrowser.stop

        def capture_then_stop(browser):
            try:
                if browser.ws is not None:
                    shot["png"] = browser._websocket_request("Page.captureScreenshot", timeout=30)["data"]
            finally:
                stop(browser)

        with patch.object(ChromeBrowser, "stop", capture_then_stop):
            self.browser_js(url, READY % ready, login=login, timeout=60)
        target = pathlib.Path(os.environ.get("AFTERSALES_SCREENSHOTS", "docs/screenshots"))
        target.mkdir(parents=True, exist_ok=True)
        (target / f"{name}.png").write_bytes(base64.b64decode(shot["png"]))

    def test_screens(self):
        ref = self.env.ref
        customer = ref("aftersales_service.partner_nordic_retail_demo")
        new_test_user(
            self.env,
            login="screens_portal",
            name=customer.name,
            email=customer.email,
            groups="base.group_portal",
            partner_id=customer.id,
        )
        own = [("partner_id", "child_of", customer.id)]
        case = self.env["aftersales.case"].search(own, limit=1, order="id desc")
        ret = self.env["aftersales.return"].search([("state", "=", "to_approve")], limit=1)
        warranty = self.env["aftersales.warranty"].search(own, limit=1)
        self.assertTrue(case and ret and warranty, "the demo data has the documents to show")
        screens = [
            (
                "overview",
                "/odoo/action-aftersales_service.aftersales_team_action_overview",
                ".o_aftersales_team_todo",
                "admin",
            ),
            (
                "cases_kanban",
                "/odoo/action-aftersales_service.aftersales_case_action",
                ".o_kanban_group .o_kanban_record",
                "admin",
            ),
            (
                "case_form",
                f"/odoo/action-aftersales_service.aftersales_case_action/{case.id}",
                ".o_form_view .o_statusbar_status",
                "admin",
            ),
            (
                "return_form",
                f"/odoo/action-aftersales_service.aftersales_return_action/{ret.id}",
                ".o_form_view .o_statusbar_status",
                "admin",
            ),
            # the document tiles show once their counters came (Odoo's portal home fetches them)
            ("portal_home", "/my", PORTAL_TILES_READY, "screens_portal"),
            ("portal_case", f"/my/cases/{case.id}", ".o_aftersales_case", "screens_portal"),
            ("portal_warranty", f"/my/warranties/{warranty.id}", "#wrap", "screens_portal"),
        ]
        for name, url, ready, login in screens:
            with self.subTest(screen=name):
                self._capture(name, url, ready, login)
