"""The addon speaks its users' languages: every term in Chinese and Swedish."""

import re

from odoo.tests import TransactionCase, tagged
from odoo.tools.misc import file_path
from odoo.tools.translate import PoFileReader, TranslationModuleReader

LANGS = ("zh_CN", "sv_SE")
POLICY_CODE = re.compile(
    r"\b[CWRPVFS]-\d{1,2}\b|\((?:A|B|C|D)\)"
)  # i18n/zh_CN.po, i18n/sv.po (the base of sv_SE)


@tagged("post_install", "-at_install")
class TestTranslations(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for lang in LANGS:
            cls.env["res.lang"]._activate_lang(lang)
        cls.env["ir.module.module"]._load_module_terms(["aftersales_service"], list(LANGS), overwrite=True)

    def test_no_term_left_untranslated(self):
        for lang in LANGS:
            reader = TranslationModuleReader(self.env.cr, modules=["aftersales_service"], lang=lang)
            terms = [
                (ttype, name, src, value)
                for module, ttype, name, _res, src, value, _c in reader
                if module == "aftersales_service"
            ]
            self.assertGreater(len(terms), 1000, "the addon's terms were read")
            # terms the translator kept as they are (codes such as "SLA"): Odoo stores no
            # translation equal to its source, the .po file says they were translated
            po_name = "sv" if lang == "sv_SE" else lang
            with open(file_path(f"aftersales_service/i18n/{po_name}.po"), "rb") as po_file:
                kept = {entry["src"] for entry in PoFileReader(po_file) if entry["value"] == entry["src"]}
            missing = sorted({src for _t, _name, src, value in terms if not value} - kept)
            self.assertFalse(missing[:20], f"{lang}: {len(missing)} terms untranslated")

    def test_terms_reach_the_user(self):
        Case = self.env["aftersales.case"]
        states = dict(Case.with_context(lang="zh_CN").fields_get(["state"])["state"]["selection"])
        self.assertNotEqual(states["resolved"], "Resolved")
        states_sv = dict(Case.with_context(lang="sv_SE").fields_get(["state"])["state"]["selection"])
        self.assertNotEqual(states_sv["resolved"], "Resolved")
        menu = self.env.ref("aftersales_service.aftersales_menu_root")
        self.assertEqual(menu.with_context(lang="zh_CN").name, "售后")
        self.assertEqual(menu.with_context(lang="sv_SE").name, "Eftermarknad")
        template = self.env.ref("aftersales_service.mail_template_field_visit_appointment")
        self.assertNotIn("Our engineer", template.with_context(lang="sv_SE").body_html)

    def test_no_policy_codes_in_the_interface(self):
        """Policy ids stay in code, docstrings and POLICY_MAP: never in labels, help texts,
        selection values or the settings screen, in any language."""
        field_ids = (
            self.env["ir.model.data"]
            .search([("module", "=", "aftersales_service"), ("model", "=", "ir.model.fields")])
            .mapped("res_id")
        )
        fields_ = self.env["ir.model.fields"].browse(field_ids)
        self.assertGreater(len(fields_), 300, "the addon's fields, on its models and Odoo's")
        settings_view = self.env.ref("aftersales_service.res_config_settings_view_form")
        for lang in ("en_US", *LANGS):
            env = self.env(context=dict(self.env.context, lang=lang))
            found = []
            for model in sorted(set(fields_.mapped("model"))):
                names = fields_.filtered(lambda f, m=model: f.model == m).mapped("name")
                described = env[model].fields_get(names, attributes=["string", "help", "selection"])
                for name, desc in described.items():
                    texts = [desc.get("string") or "", desc.get("help") or ""]
                    texts += [label for _value, label in desc.get("selection") or []]
                    found += [f"{model}.{name}: {text}" for text in texts if POLICY_CODE.search(text)]
            arch = re.sub(r"<!--.*?-->", "", settings_view.with_env(env).arch, flags=re.S)  # not shown
            found += [f"settings: {m.group(0)}" for m in POLICY_CODE.finditer(arch)]
            self.assertFalse(found[:10], f"{lang}: {len(found)} policy codes in the interface")
