"""`plans/pack.yaml`: the meeting pack's templates, each a list of sections with options.

The shipped templates (``weekly``, ``quarterly``, in ``revops/pack/builtin/pack.yaml``)
load through the same path as a workspace's own file; a template of the workspace's file
replaces the shipped one of the same name.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

PACK_FILE = Path("plans") / "pack.yaml"
"""Where a workspace keeps its pack templates."""

Comparison = Literal["previous", "last_year"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SectionOptions(_Frozen):
    """One section of a template and its options."""

    kind: str = Field(
        description="What the section shows: headline, forecast, pipeline, funnel, revenue, "
        "efficiency, quality, desk, plan or risks (see docs/pack.md)."
    )
    title: str | None = Field(default=None, description="Heading; default the kind's own.")
    enabled: bool = Field(default=True, description="False leaves the section out.")
    team: str | None = Field(
        default=None, description="The team a headline section is of (sales, marketing, ...)."
    )
    metrics: tuple[str, ...] | None = Field(
        default=None,
        description="Catalog metrics the section shows (headline, funnel, revenue, "
        "efficiency); default the kind's own list.",
    )
    compare: tuple[Comparison, ...] = Field(
        default=("previous", "last_year"),
        description="Comparisons beside each value: previous (the period before, to date) "
        "and last_year (the same days a year earlier).",
    )
    limit: int = Field(default=5, ge=1, le=50, description="Rows of each list (deals, owners).")
    chart: bool = Field(default=True, description="Draw the section's chart, where it has one.")
    waterfall_days: int | None = Field(
        default=None,
        ge=1,
        le=366,
        description="Pipeline section: the waterfall covers the last N days; default since "
        "the period began.",
    )

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, value: str) -> str:
        from revops.pack.sections import SECTIONS

        if value not in SECTIONS:
            raise ValueError(f"unknown section kind {value!r}; one of {', '.join(SECTIONS)}")
        return value


class PackTemplate(_Frozen):
    """A pack template: its title and sections in order."""

    title: str = Field(min_length=1, description="The pack's title.")
    sections: tuple[SectionOptions, ...] = Field(
        min_length=1, description="The sections, in the order they are shown."
    )


class PackFile(_Frozen):
    """Everything `plans/pack.yaml` holds."""

    version: Literal[1] = Field(default=1, description="Version of the file format.")
    templates: dict[str, PackTemplate] = Field(
        default_factory=dict,
        description="Templates by name; a name of the shipped ones (weekly, quarterly) "
        "replaces it.",
    )


def read_pack_file(root: Path | None) -> PackFile:
    """The shipped templates with the workspace's `plans/pack.yaml` over them.

    Raises:
        ConfigError: naming the file and key of the first problem.
    """
    from importlib import resources

    from revops.definitions import read_definitions

    expected = "a mapping with `templates:`"
    shipped = Path(str(resources.files("revops.pack.builtin") / "pack.yaml"))
    base = read_definitions(shipped, PackFile, expected)
    own = root / PACK_FILE if root is not None else None
    if own is None or not own.exists():
        return base
    mine = read_definitions(own, PackFile, expected)
    return PackFile(templates={**base.templates, **mine.templates})
