"""Sales compensation: plans as code, exact statements, what-if on a deal (docs/comp.md)."""

from revops.comp.component import Comp, WhatIf

__all__ = ["Comp", "WhatIf"]
