"""The pack drawn as one self-contained HTML page and as PDF.

The page holds its CSS inline and its charts as `data:` URIs, and names only fonts
installed on the machine (DejaVu), so it opens, prints and converts without a network.
Every number carries a footnote linking its definition and the rows behind it.
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

from revops.errors import RevOpsError

if TYPE_CHECKING:
    from revops.pack.model import Chart, PackDocument, Source


class PackRenderError(RevOpsError):
    """The pack cannot be drawn in the format asked for (no PDF engine)."""


def chart_uri(chart: Chart) -> str:
    """The chart as a PNG `data:` URI (:mod:`revops.automate.charts`)."""
    from revops.automate.charts import bars_png, series_png

    if chart.kind == "bars":
        png = bars_png(chart.title, chart.labels, chart.values)
    else:
        png = series_png(chart.title, chart.labels, chart.values, chart.marks)
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


class _Notes:
    """Footnotes numbered in reading order; the same source keeps its number."""

    def __init__(self) -> None:
        self.sources: list[Source] = []
        self._seen: dict[tuple[Any, ...], int] = {}

    def __call__(self, source: Source) -> int:
        key = (source.label, source.definition_url, source.rows_url)
        if key not in self._seen:
            self.sources.append(source)
            self._seen[key] = len(self.sources)
        return self._seen[key]


def render_html(document: PackDocument) -> str:
    """The pack as HTML."""
    from importlib import resources

    import jinja2

    from revops.metrics.display import formatted

    text = (resources.files("revops.pack") / "templates" / "pack.html").read_text("utf-8")
    environment = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    environment.filters["fmt"] = lambda value, unit: formatted(value, unit)
    environment.filters["chart"] = chart_uri
    return environment.from_string(text).render(doc=document, note=_Notes())


def render_pdf(document: PackDocument) -> bytes:
    """The pack as PDF (see :func:`render_pdf_pages`)."""
    return render_pdf_pages(document)[0]


def render_pdf_pages(document: PackDocument) -> tuple[bytes, int]:
    """The pack as PDF, by WeasyPrint from its HTML, and its number of pages.

    Raises:
        PackRenderError: WeasyPrint (or the Pango library it draws text with) is missing.
    """
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: Pango missing from the system
        raise PackRenderError(
            f"PDF needs WeasyPrint and the Pango library ({exc}); install revops's "
            "dependencies, or use --format html"
        ) from None
    html = render_html(document)
    # `data:` URIs only: the pack is self-contained, the PDF asks no network.
    offline = weasyprint.URLFetcher(allowed_protocols={"data"})
    laid_out = weasyprint.HTML(string=html, url_fetcher=offline).render()
    pdf: bytes = laid_out.write_pdf()
    return pdf, len(laid_out.pages)
