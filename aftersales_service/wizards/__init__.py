from . import aftersales_compensation_wizard
