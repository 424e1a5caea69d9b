from . import portal
from . import rating
from . import field_visit_portal
from . import portal_documents
from . import repair_portal
from . import registration_portal
from . import contract_portal
from . import return_label_portal
