from . import test_harness
from . import test_security
from . import test_ui
from . import test_warranty
from . import test_warranty_triggers
from . import test_case
from . import test_case_portal
from . import test_return
