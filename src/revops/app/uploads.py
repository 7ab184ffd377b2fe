"""Files uploaded to ingest: checked (a CSV export of a known source object, not too
big) and saved under the workspace's `uploads/` with a generated name, so no name sent
by a client ever becomes a path."""

from __future__ import annotations

import secrets
import shutil
from pathlib import Path
from typing import BinaryIO

from fastapi import HTTPException

UPLOADS = "uploads"
MAX_BYTES = 200 * 1024 * 1024
"""The largest file accepted (413 above it)."""
_CHUNK = 1024 * 1024


def check_target(root: Path, source: str, object_name: str) -> None:
    """Refuse (422, naming the field) a source system or object no mapping reads."""
    from revops.ingest.mapping import all_mappings

    mappings = all_mappings(root)
    sources = sorted({m.source for m in mappings})
    if source not in sources:
        raise HTTPException(422, f"source: no mapping for {source!r}; one of {', '.join(sources)}")
    objects = sorted({m.object for m in mappings if m.source == source})
    if object_name not in objects:
        raise HTTPException(
            422, f"object: no {source} mapping reads {object_name!r}; one of {', '.join(objects)}"
        )


def check_name(filename: str | None) -> None:
    """Refuse (422) a file name that is no plain ``NAME.csv``: a path, or another type."""
    name = filename or ""
    if not name or "/" in name or "\\" in name or ".." in name or "\x00" in name:
        raise HTTPException(422, f"file: {name!r} is not a plain file name")
    if not name.lower().endswith(".csv"):
        raise HTTPException(422, f"file: {name!r} is not a CSV export (NAME.csv)")


def save(root: Path, stream: BinaryIO, object_name: str) -> Path:
    """Copy the upload to ``uploads/<random>/<object>.csv`` (the runner maps a file by its
    object's name); nothing is kept when it is refused.

    Raises:
        HTTPException: over :data:`MAX_BYTES` (413), or binary rather than text (422).
    """
    max_bytes = MAX_BYTES
    folder = root / UPLOADS / secrets.token_hex(8)
    folder.mkdir(parents=True)
    target = folder / f"{object_name}.csv"
    size = 0
    try:
        with target.open("wb") as out:
            while chunk := stream.read(_CHUNK):
                if size == 0 and b"\x00" in chunk[:8192]:
                    raise HTTPException(422, "file: binary content, not a CSV text export")
                size += len(chunk)
                if size > max_bytes:
                    raise HTTPException(
                        413, f"file: larger than the {max_bytes // (1024 * 1024)} MB allowed"
                    )
                out.write(chunk)
        if size == 0:
            raise HTTPException(422, "file: empty")
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return target
