"""The revenue meeting pack: KPIs against targets, the forecast call, pipeline, funnel,
retention, efficiency, data quality, the desk's top requests, the activation plan, and the
risks they show,
in one self-contained HTML page or PDF (see docs/pack.md)."""

from revops.pack.component import Pack
from revops.pack.config import PackFile, PackTemplate, SectionOptions
from revops.pack.model import PackDocument, SubmittedCall
from revops.pack.sections import SECTIONS, register_section

__all__ = [
    "SECTIONS",
    "Pack",
    "PackDocument",
    "PackFile",
    "PackTemplate",
    "SectionOptions",
    "SubmittedCall",
    "register_section",
]
