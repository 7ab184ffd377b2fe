"""The quality report as one self-contained HTML page (inline styles, no scripts, no CDN)."""

from __future__ import annotations

from importlib import resources

from revops.quality.report import Report

TEMPLATE = "report.html.j2"


def render_html(report: Report) -> str:
    """The report rendered with the template shipped in `revops/quality/templates/`."""
    from jinja2 import Environment

    source = resources.files("revops.quality").joinpath("templates", TEMPLATE).read_text("utf-8")
    environment = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)
    template = environment.from_string(source)
    return template.render(report=report, pct=_percent, width=_width)


def _percent(share: float | None) -> str:
    return "" if share is None else f"{share:.1%}"


def _width(share: float | None) -> int:
    return 0 if share is None else round(share * 100)
