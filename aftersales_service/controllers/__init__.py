from . import portal
from . import rating
