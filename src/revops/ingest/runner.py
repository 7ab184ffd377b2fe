"""Ingest files into the warehouse: find them, map each object, validate, load atomically.

For each mapping that has files, one load writes, in one transaction: the canonical
rows (upserted by source id, so the same files twice change nothing), the versions its
snapshots add to a history entity, and the quarantine rows of those files (replacing
the previous ones: a fixed file re-ingested releases its rows). A log row records the
counts, which always add up: rows in = loaded + quarantined + duplicates + skipped.
"""

from __future__ import annotations

import fnmatch
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa

from revops.ingest import fingerprint as fingerprints
from revops.ingest import tables
from revops.ingest.files import SourceFiles, source_of
from revops.ingest.history import changed_versions
from revops.ingest.mapping import Mapping, all_mappings
from revops.ingest.readers import (
    LEFT_OUT,
    SUPPORTED_SUFFIXES,
    ReadError,
    SourceRows,
    find_files,
)
from revops.ingest.references import check_references, unresolved_references
from revops.ingest.report import FileNote, IngestReport, ObjectLoad
from revops.ingest.screen import screen
from revops.ingest.transform import MappedRows, MappingError, engine, map_rows
from revops.ingest.vocabulary import Vocabulary, vocabularies
from revops.model import ENTITIES, get_entity
from revops.warehouse import LoadSpec
from revops.warehouse.batch import new_load_id

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from revops.config import RevOpsConfig
    from revops.warehouse import Warehouse
    from revops.workspace import Workspace


@dataclass(frozen=True)
class PlannedLoad:
    """One mapping and the files it will read."""

    mapping: Mapping
    files: tuple[Path, ...]
    lookup_files: dict[str, tuple[Path, ...]] = field(default_factory=dict)
    """Object name → files of the same source read for the mapping's lookups."""


def allowed_for(mapping: Mapping, config: RevOpsConfig) -> dict[str, Vocabulary]:
    """The workspace's vocabularies of `mapping`'s columns (stages, types, categories)."""
    return vocabularies(mapping, config)


def plan(
    paths: Sequence[Path | str],
    mappings: Sequence[Mapping],
    files: SourceFiles,
    source: str | None = None,
    include: Collection[str] = (),
) -> tuple[list[PlannedLoad], list[FileNote]]:
    """Which mapping reads which files, in load order, with the files no mapping reads.

    Raises:
        ReadError: no path names a file revops can read.
    """
    sources = {m.source for m in mappings}
    notes: list[FileNote] = []
    by_mapping: dict[str, list[Path]] = {}
    by_object: dict[tuple[str, str], list[Path]] = {}
    looked_up = {(m.source, lookup.object) for m in mappings for lookup in m.lookups.values()}
    found = find_files(paths, include=include)
    if not found:
        raise ReadError(
            f"no file to ingest in {', '.join(str(p) for p in paths)}: revops reads "
            f"{', '.join(sorted(SUPPORTED_SUFFIXES))} files" + _left_out_hint(paths, include)
        )
    for path in found:
        system = source or source_of(path.resolve(), sources)
        if system is None:
            notes.append(
                FileNote(
                    str(path),
                    f"no source system: name its folder after one ({', '.join(sorted(sources))}) "
                    "or pass --source",
                    "error",
                )
            )
            continue
        names = files.object_names(path)
        for name in names:
            by_object.setdefault((system, name), []).append(path)
        matched = [
            m
            for m in mappings
            if m.source == system
            and (m.object in names or any(fnmatch.fnmatch(path.name, p) for p in m.files))
        ]
        only_looked_up = all((system, name) in looked_up for name in names)
        if not matched and names and not only_looked_up and not files.unreadable(path):
            notes.append(
                FileNote(
                    str(path),
                    f"no {system} mapping reads {', '.join(sorted(names))}; "
                    "`revops ingest mapping new` scaffolds one",
                    "error",
                )
            )
        for mapping in matched:
            by_mapping.setdefault(mapping.name, []).append(path)
    chosen = [m for m in mappings if m.name in by_mapping]
    ordered = sorted(chosen, key=_load_order)
    planned = [
        PlannedLoad(
            m,
            tuple(by_mapping[m.name]),
            {
                lookup.object: tuple(by_object.get((m.source, lookup.object), ()))
                for lookup in m.lookups.values()
            },
        )
        for m in ordered
    ]
    return planned, notes


def _left_out_hint(paths: Sequence[Path | str], include: Collection[str]) -> str:
    """Why a folder holding only a left-out folder (truth/) gave no file."""
    skipped = {
        name
        for entry in paths
        if Path(entry).is_dir()
        for name in LEFT_OUT - set(include)
        if any(p.is_dir() for p in Path(entry).rglob(name))
    }
    return "".join(f" ({name}/ is left out unless --include {name})" for name in sorted(skipped))


def _load_order(mapping: Mapping) -> tuple[int, int]:
    """Shipped history first (snapshots compare with it), then in model order."""
    entity = get_entity(mapping.entity)
    order = list(ENTITIES).index(entity.name)
    return (0 if entity.history_key else 1, order)


def ingest(
    workspace: Workspace,
    paths: Sequence[Path | str],
    *,
    source: str | None = None,
    progress: Callable[[PlannedLoad, int, int], None] | None = None,
    quality: bool = True,
    as_of: date | None = None,
    include: Collection[str] = (),
    force: bool = False,
) -> IngestReport:
    """Ingest the files at `paths` (files, folders or globs) into the workspace warehouse.

    Args:
        workspace: the workspace; its warehouse is created where missing.
        paths: what to read.
        source: the source system of every file; by default each file's folder name.
        progress: called before each load with the plan, its position and the total.
        quality: end with a quality run tied to this run's loads, so the quality score
            trends load by load.
        as_of: the day that quality run is evaluated as of (default today, UTC).
        include: folders left out by default to read all the same (``truth``).
        force: load every file, even those whose load would change nothing (see
            :mod:`revops.ingest.fingerprint`).

    Raises:
        ReadError: a path names nothing, or no file revops can read.
    """
    report = IngestReport(run_id=new_load_id())
    mappings = all_mappings(workspace.root)
    items = run(
        workspace,
        paths,
        source=source,
        progress=progress,
        mappings=mappings,
        include=include,
        force=force,
    )
    for item in items:
        if isinstance(item, ObjectLoad):
            report.loads.append(item)
        else:
            report.notes.append(item)
    loaded = [load for load in report.loads if load.status == "loaded"]
    # A reused load wrote nothing: its references were checked when it was made.
    made = [load for load in loaded if not load.reused]

    def closing_checks() -> None:
        report.reference_warnings = check_references(workspace.warehouse, mappings, made)
        report.unresolved = unresolved_references(workspace.warehouse)
        if quality and loaded:
            _score_loads(workspace, report, loaded, as_of)

    try:
        with workspace.warehouse.memory_held(workspace.config.ingest.memory_limit):
            closing_checks()
    except duckdb.OutOfMemoryException:
        # The limit bounds the loads; the checks after them, whose writes roll back
        # whole, run again with the warehouse's own limit rather than fail.
        closing_checks()
    return report


def _score_loads(
    workspace: Workspace, report: IngestReport, loaded: Sequence[ObjectLoad], as_of: date | None
) -> None:
    """Score the warehouse as these loads left it, stored with the ids of those made
    (a reused load has none of its own)."""
    from revops.errors import RevOpsError
    from revops.quality import Loads

    loads = Loads(
        ingest_run_id=report.run_id,
        load_ids=tuple(load.load_id for load in loaded if load.load_id),
        sources=tuple(dict.fromkeys(load.source_system for load in loaded)),
    )
    try:
        report.quality = workspace.quality.run(as_of, loads=loads)
    except RevOpsError as exc:  # the data is in; a broken rules file must not fail the ingest
        report.quality_problem = str(exc)


def run(
    workspace: Workspace,
    paths: Sequence[Path | str],
    *,
    source: str | None = None,
    progress: Callable[[PlannedLoad, int, int], None] | None = None,
    mappings: Sequence[Mapping] | None = None,
    include: Collection[str] = (),
    commit_with: Sequence[LoadSpec] = (),
    prepare: bool = True,
    force: bool = False,
) -> Iterator[ObjectLoad | FileNote]:
    """The loads of :func:`ingest`, one at a time, as they finish.

    `commit_with` are more tables' batches written in the transaction of the last load,
    when every load before it loaded (a sync's cursor, so it is committed with the rows
    it covers); they are not written when a load failed or nothing was planned.

    A load whose files, mapping and vocabularies are those of the mapping's last load
    (:mod:`revops.ingest.fingerprint`) is not made again: its result stands, reported
    with `reused`, unless `force` or `commit_with` is given.
    """
    mappings = mappings if mappings is not None else all_mappings(workspace.root)
    settings = workspace.config.ingest
    files = SourceFiles(settings.part_mb << 20)
    loads, notes = plan(paths, mappings, files, source, include)
    warehouse = workspace.warehouse
    if prepare:
        workspace.init_warehouse()
        tables.ensure_tables(warehouse)
    yield from files.notes
    files.notes.clear()
    yield from notes
    previous = {} if force or commit_with else fingerprints.stored(warehouse)
    reused: list[ObjectLoad] = []
    failed = False
    with ExitStack() as held:
        held.enter_context(warehouse.memory_held(settings.memory_limit))
        held.callback(_log_reused, warehouse, reused)
        for index, planned in enumerate(loads):
            if progress:
                progress(planned, index, len(loads))
            needed = {p for later in loads[index:] for p in _paths(later)}
            files.keep_only(needed)
            mapping = planned.mapping
            digest = fingerprints.fingerprint(
                mapping, _paths(planned), allowed_for(mapping, workspace.config)
            )
            same = previous.get(mapping.name)
            if same is not None and same.fingerprint == digest:
                reused.append(_reuse(planned, same))
                yield reused[-1]
                continue
            readable, screen_notes, refused = _screened(files, planned)
            yield from files.notes
            files.notes.clear()
            yield from screen_notes
            last = index == len(loads) - 1
            if readable:
                extra = [
                    *(commit_with if last and not failed else ()),
                    fingerprints.spec(mapping.name, digest),
                ]
                # An engine of its own per load: what one load's engine allocated goes back
                # to the system when it closes, not to the next load.
                with engine(settings.memory_limit) as con:
                    load = _load(con, warehouse, workspace.config, planned, readable, files, extra)
            else:
                load = _refuse(warehouse, planned, refused)
            failed = failed or load.status == "failed"
            yield from files.notes
            files.notes.clear()
            yield load


def _reuse(planned: PlannedLoad, same: fingerprints.StoredLoad) -> ObjectLoad:
    """The result of the mapping's last load, standing for a load of the same files."""
    mapping = planned.mapping
    counts = same.counts
    return ObjectLoad(
        mapping.name,
        mapping.source,
        mapping.object,
        mapping.entity,
        tuple(str(p) for p in planned.files),
        status="loaded",
        message=f"files unchanged since load {same.load_id}: nothing to write",
        rows_in=counts["rows_in"],
        unchanged=counts["inserted"] + counts["updated"] + counts["unchanged"],
        duplicates=counts["duplicates"],
        quarantined=counts["quarantined"],
        skipped=counts["skipped"],
        reused=same.load_id,
    )


def _paths(planned: PlannedLoad) -> set[Path]:
    return {*planned.files, *(p for paths in planned.lookup_files.values() for p in paths)}


def _objects(files: SourceFiles, paths: Iterable[Path], mapping: Mapping) -> list[SourceRows]:
    found = []
    for path in paths:
        objects = files.objects(path)
        exact = [o for o in objects if o.object == mapping.object]
        found += exact or objects[:1]
    return found


def _screened(
    files: SourceFiles, planned: PlannedLoad
) -> tuple[list[SourceRows], list[FileNote], dict[str, str]]:
    """The objects `planned` may read, notes on the others and on what to check, and
    why each refused file was refused."""
    readable: list[SourceRows] = []
    notes: list[FileNote] = []
    refused: dict[str, str] = {}
    for source in _objects(files, planned.files, planned.mapping):
        verdict = screen(planned.mapping, source)
        if verdict.refusal:
            refused[str(source.file)] = verdict.refusal
            if not files.unreadable(source.file):  # the reader's note says it already
                notes.append(FileNote(str(source.file), verdict.refusal, "error"))
            continue
        readable.append(source)
        notes += [FileNote(str(source.file), warning) for warning in verdict.warnings]
    return readable, notes, refused


def _refuse(warehouse: Warehouse, planned: PlannedLoad, refused: dict[str, str]) -> ObjectLoad:
    """A load none of whose files could be read, logged as failed."""
    mapping = planned.mapping
    started = datetime.now(UTC)
    failed = ObjectLoad(
        mapping.name,
        mapping.source,
        mapping.object,
        mapping.entity,
        tuple(str(p) for p in planned.files),
        status="failed",
        message="nothing loaded: "
        + "; ".join(f"{file}: {reason}" for file, reason in refused.items()),
    )
    _log(warehouse, failed, started)
    return failed


def _load(
    con: duckdb.DuckDBPyConnection,
    warehouse: Warehouse,
    config: RevOpsConfig,
    planned: PlannedLoad,
    sources: list[SourceRows],
    files: SourceFiles,
    commit_with: Sequence[LoadSpec] = (),
) -> ObjectLoad:
    mapping = planned.mapping
    started = datetime.now(UTC)
    began = time.perf_counter()
    names = tuple(dict.fromkeys(str(s.file) for s in sources))
    pending = ObjectLoad(
        mapping.name, mapping.source, mapping.object, mapping.entity, names, status="failed"
    )
    lookups = {
        name: [o for path in paths for o in files.objects(path) if o.object == name]
        for name, paths in planned.lookup_files.items()
    }
    try:
        mapped = map_rows(
            con,
            mapping,
            sources,
            lookups,
            allowed_for(mapping, config),
        )
    except MappingError as exc:
        failed = replace(pending, message=str(exc))
        _log(warehouse, failed, started)
        return failed
    message = (
        f"column(s) missing from the file: {', '.join(mapped.missing_fields)}"
        if mapped.missing_fields
        else ""
    )
    # Snapshots compare with their history in memory: such objects are not the large ones.
    history = (
        changed_versions(warehouse, mapping, mapped.good, started) if mapping.history else None
    )
    released = _released(warehouse, mapping, names, mapped.rejected)
    entity = get_entity(mapping.entity)
    specs = [LoadSpec(entity.name, _accepted(warehouse, mapped), entity.namespace, distinct=True)]
    if history is not None and mapping.history is not None:
        target = get_entity(mapping.history.entity)
        specs.append(LoadSpec(target.name, history, target.namespace))
    scope = {"mapping": [mapping.name], "file": list(names)}
    for table, rows in ((tables.REJECTED, mapped.rejected), (tables.FLAGGED, mapped.flagged)):
        name, namespace = table
        rows = _quarantine_rows(mapped, rows)
        specs.append(LoadSpec(name, rows, namespace, "replace", (), scope))
    try:
        results = warehouse.load_many([*specs, *commit_with])
    except duckdb.OutOfMemoryException as exc:  # rolled back: nothing of it was written
        failed = replace(
            pending,
            message=f"the warehouse ran out of memory writing the load "
            f"({str(exc).splitlines()[0]}): raise ingest.memory_limit in revops.yaml",
        )
        _log(warehouse, failed, started)
        return failed
    core = results[0]
    done = replace(
        pending,
        status="loaded",
        message=message,
        load_id=core.load_id,
        rows_in=mapped.rows_in,
        inserted=core.inserted,
        updated=core.updated,
        unchanged=core.unchanged,
        duplicates=mapped.duplicates + core.duplicates,
        quarantined=mapped.quarantined,
        skipped=mapped.skipped,
        released=released,
        history_rows=results[1].inserted if history is not None else 0,
        flagged=mapped.flagged.num_rows if mapped.flagged is not None else 0,
        seconds=time.perf_counter() - began,
    )
    _log(warehouse, done, started)
    return done


def _accepted(warehouse: Warehouse, mapped: MappedRows) -> pa.Table | ir.Table:
    """The accepted rows as the warehouse loads them: read from the engine's file by a
    warehouse that reads files (memory never holds them), else as one Arrow table. They
    are distinct, with ids of their own (the mapping made them so)."""
    if mapped.good_file is not None:
        rows = warehouse.file_rows(mapped.good_file)
        if rows is not None:
            import ibis

            entity = get_entity(mapped.mapping.entity)
            schema = warehouse.table(entity.name, entity.namespace).schema()
            unmapped = {  # columns the mapping fills for no row
                name: ibis.null().cast(kind)
                for name, kind in schema.items()
                if name not in rows.columns and name != "load_id"
            }
            return rows.mutate(**unmapped) if unmapped else rows
    return mapped.good


def _quarantine_rows(mapped: MappedRows, rows: pa.Table | None) -> pa.Table:
    """`rows` (refused or flagged) with the mapping they came through."""
    rows = rows if rows is not None else mapped.rejected.schema.empty_table()
    n = rows.num_rows
    mapping = mapped.mapping

    def constant(value: str) -> pa.Array:
        return pa.array([value] * n, pa.string())

    return (
        rows.append_column("mapping", constant(mapping.name))
        .append_column("source_system", constant(mapping.source))
        .append_column("object", constant(mapping.object))
        .append_column("entity", constant(mapping.entity))
    )


def _released(
    warehouse: Warehouse, mapping: Mapping, files: tuple[str, ...], rejected: pa.Table
) -> int:
    """Rows quarantined by the previous load of these files that this load accepts."""
    name, namespace = tables.REJECTED
    previous = warehouse.table(name, namespace)
    before = (
        previous.filter(previous.mapping == mapping.name, previous.file.isin(list(files)))
        .select("file", "row", "source_id")
        .distinct()
        .to_pyarrow()
        .to_pylist()
    )
    still = {
        (r["file"], r["source_id"] or r["row"])
        for r in rejected.select(["file", "row", "source_id"]).to_pylist()
    }
    return sum((r["file"], r["source_id"] or r["row"]) not in still for r in before)


def _log(warehouse: Warehouse, load: ObjectLoad, started: datetime) -> None:
    name, namespace = tables.LOG
    table = pa.Table.from_pylist(
        [_log_row(load, started)], schema=tables.schema(tables.LOG).to_pyarrow()
    )
    # Under the load's own id, so the log entry and the rows it wrote share it.
    spec = LoadSpec(name, table, namespace, "append")
    warehouse.load_many([spec], load_id=load.load_id)


def _log_reused(warehouse: Warehouse, loads: Sequence[ObjectLoad]) -> None:
    """One log entry per load whose result was reused, written together."""
    if not loads:
        return
    name, namespace = tables.LOG
    now = datetime.now(UTC)
    rows = [_log_row(load, now) for load in loads]
    table = pa.Table.from_pylist(rows, schema=tables.schema(tables.LOG).to_pyarrow())
    warehouse.load_many([LoadSpec(name, table, namespace, "append")])


def _log_row(load: ObjectLoad, started: datetime) -> dict[str, Any]:
    return {
        "load_id": load.load_id,
        "mapping": load.mapping,
        "source_system": load.source_system,
        "object": load.object,
        "entity": load.entity,
        "files": "; ".join(load.files),
        "started_at": started,
        "finished_at": datetime.now(UTC),
        "status": load.status,
        "message": load.message,
        **{
            k: getattr(load, k)
            for k in (
                "rows_in",
                "inserted",
                "updated",
                "unchanged",
                "duplicates",
                "quarantined",
                "skipped",
                "released",
                "history_rows",
            )
        },
    }
