"""What an ingest run did: each load's counts, notes on whole files, the references left
unresolved."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from revops.quality import RunResult


@dataclass(frozen=True)
class ObjectLoad:
    """What loading one mapping's files did."""

    mapping: str
    source_system: str
    object: str
    entity: str
    files: tuple[str, ...]
    status: Literal["loaded", "failed"]
    message: str = ""
    load_id: str | None = None
    rows_in: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0
    quarantined: int = 0
    skipped: int = 0
    released: int = 0
    history_rows: int = 0
    flagged: int = 0
    """Values loaded with a warning: a control character, a negative amount."""
    seconds: float = 0.0
    reused: str | None = None
    """The load whose result stands, when the files, mapping and vocabularies were the
    same as that load's: nothing was read or written."""

    @property
    def loaded(self) -> int:
        """Rows now in the canonical table from this load (new, updated or unchanged)."""
        return self.inserted + self.updated + self.unchanged

    def as_row(self) -> dict[str, Any]:
        """The load as one flat row a person reads (the CLI's summary, a job's result)."""
        return {
            "object": f"{self.source_system}/{self.object}",
            "entity": self.entity,
            "rows_in": self.rows_in,
            "loaded": self.loaded,
            "new": self.inserted,
            "updated": self.updated,
            "duplicates": self.duplicates,
            "quarantined": self.quarantined,
            "skipped": self.skipped,
            "history": self.history_rows,
            "released": self.released,
            "status": self.status,
            "message": self.message,
        }


@dataclass(frozen=True)
class FileNote:
    """Something about a file as a whole. An `error` means the file loaded nothing
    (unreadable, empty, not the object its name says, no mapping, an ambiguous header);
    a `warning` that it loaded, with something to check (a column missing)."""

    file: str
    message: str
    level: Literal["error", "warning"] = "warning"


@dataclass
class IngestReport:
    """Every load of a run, the notes on files, and unresolved references found after."""

    loads: list[ObjectLoad] = field(default_factory=list)
    notes: list[FileNote] = field(default_factory=list)
    reference_warnings: int = 0
    unresolved: list[dict[str, Any]] = field(default_factory=list)
    """Unresolved references by source, entity and column, most first."""
    run_id: str = ""
    """This ingest run's id, stored with the quality run that ends it."""
    quality: RunResult | None = None
    """The quality run scoring the warehouse after these loads (None when not asked for,
    or nothing loaded)."""
    quality_problem: str = ""
    """Why the quality run could not be made (a rule the workspace's stages break)."""

    @property
    def failed(self) -> list[ObjectLoad]:
        """Loads that did not happen."""
        return [load for load in self.loads if load.status == "failed"]

    @property
    def refused(self) -> list[FileNote]:
        """Files that loaded nothing, each with why."""
        return [note for note in self.notes if note.level == "error"]

    @property
    def ok(self) -> bool:
        """Whether every file found loaded: no file refused, no load failed."""
        return not self.refused and not self.failed
