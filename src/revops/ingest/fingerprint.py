"""What a load read, as one digest: the bytes of its files, its mapping, the workspace's
vocabularies it maps through and the code that maps and loads. A load whose digest equals
the one stored with the mapping's last load has nothing to write (the same files twice
change nothing), so ingest reuses that load's result instead of reading the files again.

The digest is stored in the load's own transaction, so it never names a load that did not
commit. Anything else that changes the mapping's rows in between (a hand-made edit, a load
of other files through the same mapping, which replaces the digest) is not seen by the
files' digest: `revops ingest --force` reads and loads every file whatever its digest.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from revops.ingest import tables
from revops.warehouse import LoadSpec

if TYPE_CHECKING:
    from revops.ingest.mapping import Mapping as SourceMapping
    from revops.ingest.vocabulary import Vocabulary
    from revops.warehouse import Warehouse

_CHUNK = 1 << 20
COUNTS = ("rows_in", "inserted", "updated", "unchanged", "duplicates", "quarantined", "skipped")


@dataclass(frozen=True)
class StoredLoad:
    """The digest stored with a mapping's last load and that load's logged counts."""

    fingerprint: str
    load_id: str
    counts: dict[str, int]


def fingerprint(
    mapping: SourceMapping, files: Iterable[Path], vocabularies: Mapping[str, Vocabulary]
) -> str:
    """The digest of a load of `files` through `mapping` with `vocabularies`."""
    digest = hashlib.blake2b(digest_size=20)
    digest.update(_code_stamp().encode())
    digest.update(mapping.model_dump_json().encode())
    words = {name: asdict(v) for name, v in sorted(vocabularies.items())}
    digest.update(json.dumps(words, sort_keys=True, default=str).encode())
    for path in sorted({p.resolve() for p in files}):
        digest.update(f"\n{path}\n".encode())
        with path.open("rb") as content:
            while chunk := content.read(_CHUNK):
                digest.update(chunk)
    return digest.hexdigest()


@cache
def _code_stamp() -> str:
    """A digest of the code that reads, maps and loads (a new release may map the same
    file differently)."""
    import revops

    root = Path(revops.__file__).parent
    digest = hashlib.blake2b(digest_size=16)
    for folder in ("ingest", "model", "warehouse"):
        for path in sorted((root / folder).rglob("*.py")) + sorted((root / folder).rglob("*.yaml")):
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def stored(warehouse: Warehouse) -> dict[str, StoredLoad]:
    """Per mapping, the digest of its last committed load and that load's counts."""
    prints = warehouse.table(*tables.FINGERPRINT)
    log = warehouse.table(*tables.LOG)
    joined = prints.join(log, prints.load_id == log.load_id).select(
        prints.mapping, prints.fingerprint, prints.load_id, *(log[c] for c in COUNTS)
    )
    out: dict[str, StoredLoad] = {}
    for row in joined.to_pyarrow().to_pylist():
        counts = {c: int(row[c] or 0) for c in COUNTS}
        out[row["mapping"]] = StoredLoad(row["fingerprint"], row["load_id"], counts)
    return out


def spec(mapping: str, digest: str) -> LoadSpec:
    """The write that stores `digest` as `mapping`'s, in the load's transaction (the
    warehouse stamps the load's id)."""
    name, namespace = tables.FINGERPRINT
    row: dict[str, Any] = {"mapping": mapping, "fingerprint": digest}
    schema = tables.schema(tables.FINGERPRINT).to_pyarrow()
    data = pa.Table.from_pylist([{**row, "load_id": None}], schema=schema)
    return LoadSpec(name, data, namespace, "replace", (), {"mapping": [mapping]})
