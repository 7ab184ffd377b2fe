"""`ws.pack`: the revenue meeting pack built from one template for one period."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from revops.errors import ConfigError
from revops.pack.config import PACK_FILE, PackFile, read_pack_file
from revops.pack.context import Engines, PackContext
from revops.pack.model import Links, PackDocument, Section, SubmittedCall
from revops.pack.sections import SECTIONS, charted_by, metrics_of

if TYPE_CHECKING:
    from collections.abc import Sequence

    from revops.config import RevOpsConfig

log = logging.getLogger(__name__)


class Pack:
    """The meeting pack of a workspace (``ws.pack``).

    Args:
        root: the workspace folder, whose `plans/pack.yaml` extends the shipped templates.
        config: the workspace configuration (reporting currency, the cockpit's address).
        engines: the engines the sections read (the workspace).
    """

    def __init__(self, root: Path | None, config: RevOpsConfig, engines: Engines) -> None:
        self.root = root
        self.config = config
        self.engines = engines

    @cached_property
    def file(self) -> PackFile:
        """The templates: shipped, with the workspace's file over them."""
        return read_pack_file(self.root)

    def templates(self) -> dict[str, str]:
        """Template name → title."""
        return {name: t.title for name, t in self.file.templates.items()}

    @staticmethod
    def schema() -> dict[str, Any]:
        """The JSON schema of `plans/pack.yaml`."""
        return PackFile.model_json_schema()

    def build(
        self,
        period: str | None = None,
        *,
        as_of: date | None = None,
        template: str = "quarterly",
        base_url: str | None = None,
        calls: Sequence[SubmittedCall] | None = None,
    ) -> PackDocument:
        """The pack of `template` for `period` (default the quarter holding the as-of day).

        Args:
            calls: the reps' and managers' latest calls for the period by the as-of day
                (the cockpit keeps them, :func:`revops.app.calls.pack_calls`); None when
                the caller has none to give (the forecast section says so).

        Raises:
            ConfigError: an unknown template, or a bad `plans/pack.yaml`.
            MetricError: an unreadable period or a metric the catalog lacks.
        """
        chosen = self.file.templates.get(template)
        if chosen is None:
            where = self.root / PACK_FILE if self.root is not None else PACK_FILE
            known = ", ".join(sorted(self.file.templates))
            raise ConfigError(where, f"templates.{template}", f"no such template; one of {known}")
        day = as_of or datetime.now(UTC).date()
        metrics = self.engines.metrics
        window = metrics.window(period, day)
        base = base_url or self.config.automate.base_url
        sections = [s for s in chosen.sections if s.enabled]
        wanted = [m for s in sections for m in metrics_of(s)]
        for name in wanted:
            metrics.catalog.metric(name)  # an unknown metric fails before any query
        charted = [m for s in sections for m in charted_by(s)]
        ctx = PackContext(
            self.engines, window, day, Links(base), wanted=wanted, charted=charted,
            calls=None if calls is None else list(calls),
        )  # fmt: skip
        built: dict[int, Section] = {}
        # The risks section reads what the others found, so it is built last.
        for position, options in sorted(enumerate(sections), key=lambda p: p[1].kind == "risks"):
            log.info("pack section %s", options.kind)
            built[position] = SECTIONS[options.kind].builder(ctx, options)
        ctx.renumber(list(built.values()))
        return PackDocument(
            title=chosen.title,
            template=template,
            period=window.label,
            period_start=window.start,
            period_end=window.last_day,
            as_of=day,
            currency=self.config.reporting_currency,
            base_url=base,
            sections=[built[i] for i in range(len(sections))],
        )

    def html(self, document: PackDocument) -> str:
        """The pack as one self-contained HTML page (inline CSS, charts as data: URIs)."""
        from revops.pack.render import render_html

        return render_html(document)

    def pdf(self, document: PackDocument) -> bytes:
        """The pack as PDF (WeasyPrint, the system's DejaVu fonts, no network)."""
        from revops.pack.render import render_pdf

        return render_pdf(document)
