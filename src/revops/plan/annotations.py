"""`ws.annotations`: dated notes on a metric or a cockpit page ("pricing change on 1 March"),
kept in `plans/annotations.yaml` so they are reviewed in git like the plan; the CLI, the
API and the pages read and add them through this one component.
"""

from __future__ import annotations

import datetime as dt
import secrets
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field, model_validator

from revops.errors import MetricError, PlanError

if TYPE_CHECKING:
    from revops.metrics import Catalog

ANNOTATIONS_FILE = Path("plans") / "annotations.yaml"
TEXT_LIMIT = 500
_WRITING = threading.Lock()


class Annotation(BaseModel):
    """A dated note on a metric, a page, or both."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(min_length=1, max_length=40, description="Identifier (made when added).")
    date: dt.date = Field(description="The day the note is about.")
    text: str = Field(min_length=1, max_length=TEXT_LIMIT, description="The note.")
    metric: str | None = Field(default=None, description="The metric it is about, if any.")
    page: str | None = Field(default=None, description="The cockpit page (`/pipeline`), if any.")
    author: str | None = Field(default=None, description="Who wrote it.")
    created_at: datetime | None = Field(default=None, description="When it was added (UTC).")

    @model_validator(mode="after")
    def _about(self) -> Annotation:
        if self.metric is None and self.page is None:
            raise ValueError("name a metric or a page")
        if self.page is not None and not self.page.startswith("/"):
            raise ValueError(f"a page is a cockpit path starting with /, not {self.page!r}")
        return self


class AnnotationsFile(BaseModel):
    """The whole `plans/annotations.yaml`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    annotations: tuple[Annotation, ...] = Field(default=(), description="The notes.")


class Annotations:
    """The annotations of a workspace.

    Args:
        root: the workspace folder (its `plans/annotations.yaml`); None keeps none.
        catalog: returns the metric catalog (to refuse an unknown metric).
    """

    def __init__(self, root: Path | None, catalog: Callable[[], Catalog]) -> None:
        self.root = root
        self._catalog = catalog

    @property
    def path(self) -> Path | None:
        """The file the notes are kept in."""
        return self.root / ANNOTATIONS_FILE if self.root is not None else None

    def all(self) -> list[Annotation]:
        """Every note, by date.

        Raises:
            ConfigError: the file is invalid (file, key).
        """
        from revops.definitions import read_definitions

        path = self.path
        if path is None or not path.is_file():
            return []
        found = read_definitions(path, AnnotationsFile, "a mapping with `annotations:`")
        return sorted(found.annotations, key=lambda a: (a.date, a.created_at or datetime.min))

    def find(
        self,
        *,
        metric: str | None = None,
        page: str | None = None,
        start: dt.date | None = None,
        end: dt.date | None = None,
    ) -> list[Annotation]:
        """The notes on `metric` and/or `page` dated from `start` to `end` (both included)."""
        return [
            a
            for a in self.all()
            if (metric is None or a.metric == metric)
            and (page is None or a.page == page)
            and (start is None or a.date >= start)
            and (end is None or a.date <= end)
        ]

    def for_metric(
        self, name: str, start: dt.date | None = None, end: dt.date | None = None
    ) -> list[Annotation]:
        """The notes on metric `name` dated from `start` to `end` (for its charts)."""
        return self.find(metric=name, start=start, end=end)

    def add(
        self,
        day: dt.date,
        text: str,
        *,
        metric: str | None = None,
        page: str | None = None,
        author: str | None = None,
    ) -> Annotation:
        """Add a note and write the file.

        Raises:
            PlanError: no workspace folder, no metric or page, an unknown metric, or an
                empty or too long text.
        """
        path = self.path
        if path is None:
            raise PlanError("annotations live in a workspace folder; open one")
        if metric is not None:
            try:
                metric = self._catalog().metric(metric).name
            except MetricError as exc:
                raise PlanError(str(exc)) from None
        text = text.strip()
        if not text:
            raise PlanError("an annotation needs a text")
        if len(text) > TEXT_LIMIT:
            raise PlanError(f"an annotation's text is at most {TEXT_LIMIT} characters")
        if metric is None and page is None:
            raise PlanError("an annotation names a metric (--metric) or a page (--page)")
        if page is not None and not page.startswith("/"):
            raise PlanError(f"a page is a cockpit path starting with /, not {page!r}")
        note = Annotation(
            id=secrets.token_hex(4), date=day, text=text, metric=metric, page=page,
            author=author, created_at=datetime.now(UTC).replace(microsecond=0),
        )  # fmt: skip
        with _WRITING:
            self._write([*self.all(), note])
        return note

    def remove(self, annotation_id: str) -> Annotation:
        """Remove the note with this id and write the file.

        Raises:
            PlanError: no note has this id.
        """
        with _WRITING:
            notes = self.all()
            found = next((a for a in notes if a.id == annotation_id), None)
            if found is None:
                raise PlanError(f"no annotation {annotation_id!r}")
            self._write([a for a in notes if a.id != annotation_id])
        return found

    def _write(self, notes: list[Annotation]) -> None:
        import yaml

        path = self.path
        assert path is not None
        path.parent.mkdir(parents=True, exist_ok=True)
        data = {"annotations": [a.model_dump(mode="json", exclude_none=True) for a in notes]}
        text = "# Dated notes on metrics and pages (revops annotate add).\n" + yaml.safe_dump(
            data, sort_keys=False, allow_unicode=True
        )
        # Written whole to a temporary file then renamed: a reader never sees half a file.
        temporary = path.with_suffix(".yaml.tmp")
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(path)
