"""Warranty fixtures on top of the shared ``AftersalesCommon``: the policies of W-1."""

from .common import AftersalesCommon


class WarrantyCommon(AftersalesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Policy = cls.env["aftersales.warranty.policy"]
        cls.exclusions = (
            cls.env.ref("aftersales_service.warranty_exclusion_natural_disaster")
            | cls.env.ref("aftersales_service.warranty_exclusion_human_damage")
            | cls.env.ref("aftersales_service.warranty_exclusion_improper_use")
        )
        base = {"company_id": cls.company.id, "exclusion_ids": [(6, 0, cls.exclusions.ids)]}
        cls.policy_default = Policy.create(dict(base, name="Default 6 months", duration=6))
        cls.policy_security = Policy.create(dict(base, name="Security 18 months", duration=18))
        cls.policy_cameras = Policy.create(dict(base, name="Cameras 12 months", duration=12))
        cls.policy_switchers = Policy.create(
            dict(base, name="Switchers 24 months", duration=24, after_expiry_mode="paid")
        )
        cls.policy_accessories = Policy.create(
            dict(base, name="Accessories 90 days", duration=90, duration_unit="days")
        )
        cls.policy_accessories.after_expiry_mode = "none"
        cls.company.aftersales_warranty_policy_id = cls.policy_default
        cls.categ_root.aftersales_warranty_policy_id = cls.policy_security
        cls.categ_cameras.aftersales_warranty_policy_id = cls.policy_cameras
        cls.categ_switchers.aftersales_warranty_policy_id = cls.policy_switchers
        cls.categ_accessories.aftersales_warranty_policy_id = cls.policy_accessories
        cls.Warranty = cls.env["aftersales.warranty"]

    @classmethod
    def _manual_warranty(cls, product, start, lot=None, partner=None, policy=None, **vals):
        return cls.Warranty.create(
            dict(
                {
                    "partner_id": (partner or cls.customer).id,
                    "product_id": product.id,
                    "lot_id": lot.id if lot else False,
                    "policy_id": (policy or product._get_aftersales_warranty_policy()).id,
                    "start_date": start,
                },
                **vals,
            )
        )
