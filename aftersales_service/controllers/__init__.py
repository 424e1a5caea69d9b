from . import portal
from . import rating
from . import field_visit_portal
from . import portal_documents
