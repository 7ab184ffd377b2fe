"""A large delimited file read in parts gives exactly the records, lines and problems of
the file read whole; a file that cannot be cut safely is read whole."""

from __future__ import annotations

import codecs
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from revops import Workspace
from revops.config import RevOpsConfig
from revops.ingest.mapping import shipped_mappings
from revops.ingest.readers import SourceRows, read_file
from revops.ingest.readers.delimited import read_delimited
from revops.ingest.readers.parts import read_delimited_parts
from revops.ingest.runner import allowed_for, ingest
from revops.ingest.transform import MappedRows, engine, map_rows


def _same(path: Path, part_bytes: int) -> SourceRows:
    [whole] = read_delimited(path)
    [parted] = read_delimited_parts(path, part_bytes)
    joined = parted.whole()
    assert joined.rows.equals(whole.rows)
    assert joined.problems == whole.problems
    assert (joined.repeated, joined.delimiter, joined.encoding) == (
        whole.repeated,
        whole.delimiter,
        whole.encoding,
    )
    return parted


def _write(tmp_path: Path, text: str | bytes, name: str = "Account.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


def test_records_lines_and_problems_match_the_whole_read(tmp_path: Path) -> None:
    lines = ["", "Id,Name,Notes,Name"]  # a blank line before the header; a repeated name
    for i in range(1, 400):
        if i % 50 == 0:
            lines.append(f'{i},"Acme {i}","two\nlines",x')  # a record over two lines
        elif i % 70 == 0:
            lines.append(f"{i},too,many,fields,here")  # a problem
        elif i % 90 == 0:
            lines.append("")  # blank lines are not records
        else:
            lines.append(f'{i},"Acme, ""{i}""",,y')
    path = _write(tmp_path, "\r\n".join(lines) + "\r\n")
    for part_bytes in (40, 97, 512, 1500):
        parted = _same(path, part_bytes)
        assert parted.later is not None, part_bytes
    problems = parted.whole().problems
    # record i is on line i + 2, one line lower for each two-line record before it
    # (50, 100, 150, 200, 250); 350 is a two-line record, not a problem
    assert [p.row for p in problems] == [70 + 3, 140 + 4, 210 + 6, 280 + 7]
    assert all("has 5 fields" in p.reason for p in problems)


def test_a_byte_order_mark_and_a_salesforce_report(tmp_path: Path) -> None:
    header = "Account: Name,Account: Type,Contact: Name,Contact: Email"
    rows = [f"Acme {i},Customer" + (f",Ana {i},a{i}@x.com" if i % 3 else "") for i in range(300)]
    path = _write(tmp_path, codecs.BOM_UTF8 + "\n".join([header, *rows]).encode())
    parted = _same(path, 256)
    assert parted.later is not None
    assert parted.encoding == "utf-8-sig"
    assert parted.whole().rows.num_rows == 300


@pytest.mark.parametrize(
    ("text", "why"),
    [
        (b"Id,Name\n" + b"1,Zo\xeb\n" * 300, "not UTF-8"),
        (b"Id,Name\n" + b'1,"Acme\n' + b"2,Beta\n" * 300, "a quote never closed"),
        (b"Id,Name\n" + b'1,"Acme" Inc\n' * 300, "text after a closing quote"),
        (b"Id,Name\r" + b"1,Acme\r" * 300, "lone carriage returns"),
    ],
)
def test_a_file_that_cannot_be_cut_safely_is_read_whole(
    tmp_path: Path, text: bytes, why: str
) -> None:
    path = _write(tmp_path, text)
    parted = _same(path, 64)
    assert parted.later is None, why


def test_a_small_file_is_read_whole(tmp_path: Path) -> None:
    path = _write(tmp_path, "Id,Name\n1,Acme\n2,Beta\n")
    assert _same(path, 1 << 20).later is None


def test_parts_are_read_again_each_time(tmp_path: Path) -> None:
    path = _write(tmp_path, "Id\n" + "".join(f"{i}\n" for i in range(1000)))
    [parted] = read_delimited_parts(path, 100)
    assert parted.later is not None
    first = [rows.num_rows for rows, _ in parted.later()]
    again = [rows.num_rows for rows, _ in parted.later()]
    assert first == again
    assert parted.rows.num_rows + sum(first) == 1000


_CELL = st.one_of(
    st.text(alphabet='ab ,"\n;é', max_size=6),
    st.sampled_from(["", "x", '"', "\r\n"]),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    records=st.lists(st.lists(_CELL, min_size=1, max_size=4), min_size=3, max_size=40),
    part_bytes=st.integers(min_value=1, max_value=80),
    newline=st.sampled_from(["\n", "\r\n"]),
)
def test_any_file_reads_the_same_in_parts(
    tmp_path_factory: pytest.TempPathFactory,
    records: list[list[str]],
    part_bytes: int,
    newline: str,
) -> None:
    """Random cells, quoted as a writer quotes them or left raw (so some files have
    broken quoting and some records the wrong number of fields)."""

    def cell(value: str, index: int) -> str:
        if index % 2 and any(c in value for c in ',"\n\r'):
            return '"' + value.replace('"', '""') + '"'
        return value

    lines = ["A,B,C"] + [",".join(cell(v, i) for i, v in enumerate(r)) for r in records]
    path = _write(tmp_path_factory.mktemp("parts"), newline.join(lines) + newline)
    _same(path, part_bytes)


def _mapped(path: Path, part_bytes: int | None, lookups: dict[str, list[SourceRows]]) -> MappedRows:
    mapping = next(m for m in shipped_mappings() if m.name == "salesforce.Contact.contact")
    sources = read_file(path, part_bytes)
    with engine("64MB") as con:
        mapped = map_rows(con, mapping, sources, lookups, allowed_for(mapping, RevOpsConfig()))
        # The accepted rows of a load read in parts are a file of the engine's, removed
        # with it: read them while it is open.
        assert (mapped.good_file is not None) == (part_bytes is not None)
        return replace(mapped, good_rows=mapped.good, good_file=None)


def test_a_file_mapped_in_parts_maps_as_one(tmp_path: Path) -> None:
    """Repeated ids (exact copies and conflicting ones) in different parts, refused rows
    and unreadable records: the same accepted rows, quarantine and counts."""
    header = "Id,AccountId,FirstName,LastName,Email,CreatedDate,LastModifiedDate"
    rows = [
        f"003{i:015d},001000000000000001,Ana,Ng {i},a{i}@x.com,2024-01-0{1 + i % 9},"
        "2024-02-01T00:00:00Z"
        for i in range(600)
    ]
    rows[3] = rows[3].replace("2024-01-0", "someday-")  # a date that is not one
    rows[500] = rows[10]  # an exact copy, in another part
    rows[550] = rows[20].replace("Ana", "Eva")  # the same id, other content
    rows[580] = "003x,too,few"
    path = _write(tmp_path, "\n".join([header, *rows]) + "\n", "Contact.csv")
    whole = _mapped(path, None, {})
    parted = _mapped(path, 2048, {})
    assert read_file(path, 2048)[0].later is not None
    assert whole.rows_in == parted.rows_in == 600
    assert (whole.duplicates, whole.quarantined, whole.skipped) == (1, 4, 0)
    assert (parted.duplicates, parted.quarantined, parted.skipped) == (1, 4, 0)
    assert whole.good.sort_by("source_id").equals(parted.good.sort_by("source_id"))
    assert whole.rejected.equals(parted.rejected)
    reasons = {r["row"]: r["reason"] for r in parted.rejected.to_pylist()}
    assert set(reasons) == {5, 22, 552, 582}
    assert "has 3 fields" in reasons[582]


COUNTS = ("status", "rows_in", "inserted", "updated", "unchanged", "duplicates", "quarantined")


def _contacts(count: int, changed: int | None = None) -> str:
    header = "Id,AccountId,FirstName,LastName,Email,CreatedDate,LastModifiedDate"
    rows = [
        f"003{i:015d},001000000000000001,Ana,Ng {i},a{i}@example.com,2024-01-02,"
        f"2024-02-0{1 + (i == changed)}T00:00:00Z"
        for i in range(count)
    ]
    rows[5] = rows[5].replace(",Ana,", ",Zoë,")  # not ASCII: still UTF-8
    rows[7] = rows[7].replace("2024-01-02", "someday")  # refused
    rows[count - 3] = rows[9]  # an exact copy, parts apart
    return "\n".join([header, *rows]) + "\n"


def _ingested(tmp_path: Path, name: str, text: str, part_mb: int | None) -> dict[str, object]:
    root = tmp_path / name
    if not root.exists():
        Workspace.create(root).close()
        if part_mb is not None:
            config = root / "revops.yaml"
            config.write_text(config.read_text() + f"\ningest:\n  part_mb: {part_mb}\n")
    folder = tmp_path / f"{name}-files" / "salesforce"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "Contact.csv").write_text(text, encoding="utf-8")
    ws = Workspace.open(root)
    try:
        report = ingest(ws, [folder], quality=False)
        [load] = report.loads
        contacts = ws.warehouse.table("contact").drop("load_id").order_by("contact_id")
        rejected = ws.warehouse.table("rejected_row", "quarantine")
        quarantined = rejected.drop("file", "load_id").order_by("row").to_pyarrow().to_pylist()
        for row in quarantined:  # the source record, but for the folder it was in
            row["record"] = {k: v for k, v in json.loads(row["record"]).items() if k != "__file"}
        return {
            "counts": tuple(getattr(load, name) for name in COUNTS),
            "rows": contacts.to_pyarrow().to_pylist(),
            "rejected": quarantined,
        }
    finally:
        ws.close()


def test_a_large_file_ingests_in_parts_as_it_does_whole(tmp_path: Path) -> None:
    """Loaded from the engine's file of accepted rows into an empty table, then again
    with a row changed (compared with the table), into a DuckDB warehouse."""
    first = _contacts(30_000)
    assert len(first.encode()) > 2 * (1 << 20)
    whole = _ingested(tmp_path, "whole", first, None)
    parted = _ingested(tmp_path, "parted", first, 1)
    assert whole == parted
    assert whole["counts"] == ("loaded", 30_000, 29_998, 0, 0, 1, 1)
    again = _contacts(30_000, changed=12)
    whole, parted = (_ingested(tmp_path, name, again, None) for name in ("whole", "parted"))
    assert whole == parted
    assert whole["counts"] == ("loaded", 30_000, 0, 1, 29_997, 1, 1)


def test_the_spill_folder_of_a_killed_engine_is_removed_by_the_next(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    stale = tmp_path / f"revops-ingest-{gone.stdout.strip()}-abc"
    (stale / "spill").mkdir(parents=True)
    mine = tmp_path / f"revops-ingest-{os.getpid()}-def"
    mine.mkdir()
    with engine("64MB") as con:
        assert con.execute("SELECT 1").fetchone() == (1,)
        [running] = [p for p in tmp_path.iterdir() if p != mine]
        assert running.name.startswith(f"revops-ingest-{os.getpid()}-")
    assert not stale.exists()
    assert mine.exists()  # this process's: not stale
    assert sorted(tmp_path.iterdir()) == [mine]
