"""What every part of `revops.yaml` shares: the file's name and frozen, strict models."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

CONFIG_FILE = "revops.yaml"
WAREHOUSE_SCHEMES = ("duckdb", "postgres", "postgresql", "spark")


class Frozen(BaseModel):
    """A part of the file: immutable once read, and an unknown key is an error."""

    model_config = ConfigDict(frozen=True, extra="forbid")
