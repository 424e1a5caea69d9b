from . import aftersales_compensation_wizard
from . import aftersales_case_resolve_wizard
