"""The file readers: every record of a file lands in `rows` or in `problems`, with the
position a user sees when opening the file."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from revops.errors import RevOpsError
from revops.ingest.readers import (
    SUPPORTED_SUFFIXES,
    ReadError,
    SourceRows,
    find_files,
    read_file,
    read_files,
)

from support import salesforce_sample

LWC = salesforce_sample()


def write(folder: Path, name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
    return path


def read_one(path: Path) -> SourceRows:
    [source] = read_file(path)
    return source


def rows(source: SourceRows) -> list[dict[str, Any]]:
    return source.rows.to_pylist()


def problems(source: SourceRows) -> list[tuple[int | None, str]]:
    return [(p.row, p.text) for p in source.problems]


def assert_every_column_is_text(source: SourceRows) -> None:
    schema = source.rows.schema
    assert schema.names[-1] == "__row"
    assert schema.field("__row").type == pa.int64()
    assert all(field.type == pa.string() for field in list(schema)[:-1])


# CSV and other delimited text


def test_csv_reads_every_value_as_text_with_its_line_number(tmp_path: Path) -> None:
    path = write(tmp_path, "Opportunity.csv", "Id,Amount,Closed\n006A,125000,true\n006B,,false\n")
    source = read_one(path)
    assert (source.object, source.format, source.delimiter, source.encoding) == (
        "Opportunity",
        "csv",
        ",",
        "utf-8",
    )
    assert rows(source) == [
        {"Id": "006A", "Amount": "125000", "Closed": "true", "__row": 2},
        {"Id": "006B", "Amount": None, "Closed": "false", "__row": 3},
    ]
    assert source.problems == ()
    assert_every_column_is_text(source)


@pytest.mark.parametrize(
    ("delimiter", "name"),
    [(";", "semicolon.csv"), ("\t", "tab.tsv"), ("|", "pipe.txt"), ("\t", "tab.csv")],
)
def test_the_delimiter_is_found_from_the_file(tmp_path: Path, delimiter: str, name: str) -> None:
    # Commas inside values must not fool the detection.
    content = f"Id{delimiter}Name{delimiter}Amount\n1{delimiter}Acme, Inc{delimiter}1,5\n"
    content += f"2{delimiter}Beta{delimiter}2\n"
    source = read_one(write(tmp_path, name, content))
    assert source.delimiter == delimiter
    assert rows(source) == [
        {"Id": "1", "Name": "Acme, Inc", "Amount": "1,5", "__row": 2},
        {"Id": "2", "Name": "Beta", "Amount": "2", "__row": 3},
    ]


def test_a_utf8_byte_order_mark_is_not_part_of_the_first_column_name(tmp_path: Path) -> None:
    source = read_one(write(tmp_path, "a.csv", "\ufeff Id ,Name\n1,Zoë\n"))
    assert source.encoding == "utf-8-sig"
    assert rows(source) == [{"Id": "1", "Name": "Zoë", "__row": 2}]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be"])
def test_utf16_files_read(tmp_path: Path, encoding: str) -> None:
    text = "Id\tName\n1\tZoë Ærø\n2\t北京\n"
    content = text.encode(encoding)
    if encoding == "utf-16-be":
        content = b"\xfe\xff" + content
    source = read_one(write(tmp_path, "a.txt", content))
    assert source.encoding == "utf-16"
    assert source.delimiter == "\t"
    assert [r["Name"] for r in rows(source)] == ["Zoë Ærø", "北京"]


def test_a_windows_1252_file_reads_its_accents(tmp_path: Path) -> None:
    content = "Id;Name;Note\n1;Müller;Crème brûlée\n2;Zoë Françoise;€ 5 – “net”\n"
    source = read_one(write(tmp_path, "a.csv", content, "cp1252"))
    assert source.encoding == "cp1252"
    assert [(r["Name"], r["Note"]) for r in rows(source)] == [
        ("Müller", "Crème brûlée"),
        ("Zoë Françoise", "€ 5 – “net”"),
    ]


def test_a_latin1_file_with_a_single_accent_reads(tmp_path: Path) -> None:
    source = read_one(write(tmp_path, "a.csv", "Id,City\n1,Besançon\n", "latin-1"))
    assert rows(source) == [{"Id": "1", "City": "Besançon", "__row": 2}]


def test_bytes_not_valid_in_a_utf8_file_make_one_problem_per_record(tmp_path: Path) -> None:
    content = "Id,Name\n1,Müller\n2,Zoë\n3,Åsa\n4,Jürgen\n".encode()
    content = content.replace("Zoë".encode(), b"Zo\xeb\xff").replace("Åsa".encode(), b"\xc5sa")
    source = read_one(write(tmp_path, "a.csv", content))
    assert source.encoding == "utf-8"
    assert [r["Name"] for r in rows(source)] == ["Müller", "Jürgen"]
    assert problems(source) == [(3, "2,Zo\ufffd\ufffd"), (4, "3,\ufffdsa")]
    assert {p.reason for p in source.problems} == {"bytes that are not valid utf-8 replaced"}


def test_quoted_values_hold_delimiters_doubled_quotes_and_line_breaks(tmp_path: Path) -> None:
    content = (
        "Id,Name,Note\n"
        '1,"Acme, Inc","He said ""hi"""\n'
        '2,Beta,"first line\nsecond line\n\nfourth line"\n'
        "3,Gamma,after the multi-line value\n"
        '4,"",""\n'
    )
    source = read_one(write(tmp_path, "a.csv", content))
    assert rows(source) == [
        {"Id": "1", "Name": "Acme, Inc", "Note": 'He said "hi"', "__row": 2},
        {"Id": "2", "Name": "Beta", "Note": "first line\nsecond line\n\nfourth line", "__row": 3},
        {"Id": "3", "Name": "Gamma", "Note": "after the multi-line value", "__row": 7},
        {"Id": "4", "Name": None, "Note": None, "__row": 8},
    ]


def test_windows_line_endings_read_the_same(tmp_path: Path) -> None:
    content = 'Id,Note\r\n1,"a\r\nb"\r\n\r\n2,c\r\n'
    source = read_one(write(tmp_path, "a.csv", content))
    assert rows(source) == [
        {"Id": "1", "Note": "a\r\nb", "__row": 2},
        {"Id": "2", "Note": "c", "__row": 5},
    ]


def test_old_mac_line_endings_read(tmp_path: Path) -> None:
    source = read_one(write(tmp_path, "a.csv", "Id,Name\r1,a\r2,b\r"))
    assert rows(source) == [
        {"Id": "1", "Name": "a", "__row": 2},
        {"Id": "2", "Name": "b", "__row": 3},
    ]


def test_records_with_a_different_number_of_fields_are_problems(tmp_path: Path) -> None:
    content = "Id,Name,Phone\n1,Acme,555\n2,Beta,556,extra\n3,Gamma\n4,Delta,557,\n5,Eta,558\n"
    source = read_one(write(tmp_path, "a.csv", content))
    assert [(r["Id"], r["__row"]) for r in rows(source)] == [("1", 2), ("5", 6)]
    assert [(p.row, p.reason, p.text) for p in source.problems] == [
        (3, "has 4 fields, the header has 3", "2,Beta,556,extra"),
        (4, "has 2 fields, the header has 3", "3,Gamma"),
        (5, "has 4 fields, the header has 3", "4,Delta,557,"),
    ]


def test_a_salesforce_report_record_may_stop_where_an_object_ends(tmp_path: Path) -> None:
    content = (
        "Account: Name,Account: Type,Contact: Name,Contact: Email\n"
        "Acme,Partner,Ana,ana@acme.com\n"
        "Beta,Customer\n"  # an account without contacts
        "Gamma\n"  # stops inside the account's columns
    )
    source = read_one(write(tmp_path, "a.csv", content))
    assert rows(source)[1] == {
        "Account: Name": "Beta",
        "Account: Type": "Customer",
        "Contact: Name": None,
        "Contact: Email": None,
        "__row": 3,
    }
    assert [(p.row, p.reason) for p in source.problems] == [(4, "has 1 field, the header has 4")]


@pytest.mark.parametrize(
    ("broken", "reason"),
    [
        ('2,"Beta,556', "a quoted value is not closed before the end of the file"),
        ('2,"Beta,556\n3,Gamma,"557"', "text follows the closing quote"),
    ],
)
def test_an_unterminated_quote_costs_only_its_own_line(
    tmp_path: Path, broken: str, reason: str
) -> None:
    tail = "\n3,Gamma,557" if "Gamma" not in broken else ""
    content = f"Id,Name,Phone\n1,Acme,555\n{broken}{tail}\n4,Delta,558\n"
    source = read_one(write(tmp_path, "a.csv", content))
    assert [(r["Id"], r["__row"]) for r in rows(source)] == [("1", 2), ("3", 4), ("4", 5)]
    assert problems(source) == [(3, '2,"Beta,556')]
    assert reason in source.problems[0].reason


def test_a_quote_inside_an_unquoted_value_is_just_a_character(tmp_path: Path) -> None:
    content = 'Id,Product,Note\n1,27" monitor,ok\n2,Desk,"two\nlines"\n3,5" x 7" frame,ok\n'
    source = read_one(write(tmp_path, "a.csv", content))
    assert rows(source) == [
        {"Id": "1", "Product": '27" monitor', "Note": "ok", "__row": 2},
        {"Id": "2", "Product": "Desk", "Note": "two\nlines", "__row": 3},
        {"Id": "3", "Product": '5" x 7" frame', "Note": "ok", "__row": 5},
    ]


@pytest.mark.parametrize("content", [b"", b"\n\n  \n", b"\xef\xbb\xbf"])
def test_an_empty_file_is_one_whole_file_problem(tmp_path: Path, content: bytes) -> None:
    source = read_one(write(tmp_path, "Account.csv", content))
    assert source.rows.num_rows == 0
    assert [(p.row, p.reason) for p in source.problems] == [(None, "file is empty")]


def test_a_binary_file_is_one_whole_file_problem(tmp_path: Path) -> None:
    source = read_one(write(tmp_path, "Account.csv", bytes(range(256)) * 20))
    assert source.rows.num_rows == 0
    assert [(p.row, p.reason) for p in source.problems] == [
        (None, "not a text file (it holds binary data)")
    ]


def test_a_header_only_file_has_its_columns_and_no_rows(tmp_path: Path) -> None:
    source = read_one(write(tmp_path, "a.csv", "Id,Name\n"))
    assert source.rows.column_names == ["Id", "Name", "__row"]
    assert source.rows.num_rows == 0
    assert source.problems == ()


def test_blank_lines_are_not_records(tmp_path: Path) -> None:
    content = "\nId,Name\n\n1,Acme\n\n\n2,Beta\n\n\n\n"
    source = read_one(write(tmp_path, "a.csv", content))
    assert [(r["Id"], r["__row"]) for r in rows(source)] == [("1", 4), ("2", 7)]
    assert source.problems == ()


def test_header_cells_are_trimmed_and_made_distinct(tmp_path: Path) -> None:
    source = read_one(write(tmp_path, "a.csv", " Name ,,Name,__row\na,b,c,d\n"))
    assert rows(source) == [
        {"Name": "a", "column_2": "b", "Name_2": "c", "__row_2": "d", "__row": 2}
    ]


EVERY_KIND = (
    "Id,Name,Note\n"  # 1
    "1,Zoë,plain\n"  # 2
    '2,"Beta, Inc","a ""quoted"" word"\n'  # 3
    '3,Gamma,"two\n'  # 4
    'lines"\n'  # 5
    "4,Delta,too,many\n"  # 6
    "\n"  # 7
    "5,Epsilon\n"  # 8
    "6,Zeta,bad \udcff byte\n"  # 9
    '7,Eta,"unterminated\n'  # 10
    "8,Theta,after\n"  # 11
    '9,Iota,"also ""fine"""\n'  # 12
)


@pytest.mark.parametrize("quote", ["closed", "unterminated"])
def test_a_file_with_every_kind_of_bad_row(tmp_path: Path, quote: str) -> None:
    content = EVERY_KIND.encode("utf-8", errors="surrogateescape")
    if quote == "closed":
        content = content.replace(b'"unterminated', b'"terminated"')
    source = read_one(write(tmp_path, "a.csv", content))
    expected = [("1", 2), ("2", 3), ("3", 4), ("7", 10), ("8", 11), ("9", 12)]
    bad = [
        (6, "has 4 fields, the header has 3"),
        (8, "has 2 fields, the header has 3"),
        (9, "bytes that are not valid utf-8 replaced"),
    ]
    if quote == "unterminated":
        expected.remove(("7", 10))
        bad.append((10, "broken quoting: text follows the closing quote of a quoted value; "
                    "reading resumed on the next line"))  # fmt: skip
    assert [(r["Id"], r["__row"]) for r in rows(source)] == expected
    by_id = {r["Id"]: r for r in rows(source)}
    assert by_id["2"]["Note"] == 'a "quoted" word'
    assert by_id["3"]["Note"] == "two\nlines"
    assert by_id["9"]["Note"] == 'also "fine"'
    assert [(p.row, p.reason) for p in source.problems] == bad
    assert source.problems[2].text == "6,Zeta,bad \ufffd byte"
    data_records = 9
    assert source.rows.num_rows + len(source.problems) == data_records


def test_line_numbers_hold_across_a_large_file(tmp_path: Path) -> None:
    lines = ["Id,Name,Note"]
    expected_rows: list[int] = []
    expected_problems: list[int] = []
    for i in range(60_000):
        line = len(lines) + 1
        if i % 1000 == 7:
            lines += [f'{i},Name {i},"spans', 'two lines"']
            expected_rows.append(line)
        elif i % 5000 == 9:
            lines.append(f"{i},Name {i},x,y")
            expected_problems.append(line)
        else:
            lines.append(f"{i},Name {i},note {i}")
            expected_rows.append(line)
    source = read_one(write(tmp_path, "big.csv", "\n".join(lines) + "\n"))
    assert source.rows.column("__row").to_pylist() == expected_rows
    assert [p.row for p in source.problems] == expected_problems
    multi = [r for r in rows(source) if r["Id"] == "1007"]
    assert multi == [{"Id": "1007", "Name": "Name 1007", "Note": "spans\ntwo lines", "__row": 1010}]


# JSON Lines


def test_jsonl_flattens_objects_and_keeps_lists_as_json(tmp_path: Path) -> None:
    lines = [
        {"id": 1, "amount": 125000, "rate": 1.5, "whole": 3.0, "paid": True, "closed_at": None,
         "satisfaction_rating": {"score": "good", "by": {"id": 7}},
         "custom_fields": [{"id": 1, "value": "3"}], "subject": "Zoë"},
        {"id": 2, "extra": "only here"},
    ]  # fmt: skip
    content = "\n".join(json.dumps(line) for line in lines) + "\n"
    source = read_one(write(tmp_path, "Ticket.ndjson", content))
    assert (source.object, source.format) == ("Ticket", "jsonl")
    assert rows(source) == [
        {
            "id": "1",
            "amount": "125000",
            "rate": "1.5",
            "whole": "3",
            "paid": "true",
            "closed_at": None,
            "satisfaction_rating.score": "good",
            "satisfaction_rating.by.id": "7",
            "custom_fields": '[{"id":1,"value":"3"}]',
            "subject": "Zoë",
            "extra": None,
            "__row": 1,
        },
        {
            "id": "2",
            "amount": None,
            "rate": None,
            "whole": None,
            "paid": None,
            "closed_at": None,
            "satisfaction_rating.score": None,
            "satisfaction_rating.by.id": None,
            "custom_fields": None,
            "subject": None,
            "extra": "only here",
            "__row": 2,
        },
    ]
    assert_every_column_is_text(source)


def test_jsonl_lines_that_are_not_objects_are_problems(tmp_path: Path) -> None:
    content = '{"id": 1}\n\n{"id": 2,\n[1, 2]\n"text"\n   \n{"id": 3}\n'
    source = read_one(write(tmp_path, "Ticket.jsonl", content))
    assert [(r["id"], r["__row"]) for r in rows(source)] == [("1", 1), ("3", 7)]
    assert [p.row for p in source.problems] == [3, 4, 5]
    assert source.problems[0].reason.startswith("not valid JSON: ")
    assert source.problems[0].text == '{"id": 2,'
    assert source.problems[1].reason == "not a JSON object but an array"
    assert source.problems[2].reason == "not a JSON object but a string"


def test_an_empty_jsonl_file_is_a_whole_file_problem(tmp_path: Path) -> None:
    source = read_one(write(tmp_path, "Ticket.jsonl", "\n\n"))
    assert [(p.row, p.reason) for p in source.problems] == [(None, "file is empty")]


# Parquet


def test_parquet_columns_of_every_type_become_text(tmp_path: Path) -> None:
    table = pa.table(
        {
            "id": pa.array([1, None], pa.int64()),
            "amount": [125000.0, 1.5],
            "price": pa.array([Decimal("1.50"), None], pa.decimal128(10, 2)),
            "won": [True, False],
            "created_at": pa.array([dt.datetime(2024, 3, 1, 14, 5), None], pa.timestamp("us")),
            "closed_at": pa.array(
                [dt.datetime(2024, 3, 1, 14, 5, tzinfo=dt.UTC), None], pa.timestamp("ms", "UTC")
            ),
            "close_date": [dt.date(2024, 3, 1), None],
            "stage": pa.array(["Won", "Won"]).dictionary_encode(),
            "address": [{"city": "Paris", "zip": "75001"}, None],
            "tags": [["a", "b"], None],
        }
    )
    path = tmp_path / "Deal.parquet"
    pq.write_table(table, path)
    source = read_one(path)
    assert (source.object, source.format) == ("Deal", "parquet")
    assert rows(source) == [
        {
            "id": "1",
            "amount": "125000",
            "price": "1.50",
            "won": "true",
            "created_at": "2024-03-01T14:05:00",
            "closed_at": "2024-03-01T14:05:00Z",
            "close_date": "2024-03-01",
            "stage": "Won",
            "address.city": "Paris",
            "address.zip": "75001",
            "tags": '["a","b"]',
            "__row": 1,
        },
        {
            "id": None,
            "amount": "1.5",
            "price": None,
            "won": "false",
            "created_at": None,
            "closed_at": None,
            "close_date": None,
            "stage": "Won",
            "address.city": None,
            "address.zip": None,
            "tags": None,
            "__row": 2,
        },
    ]
    assert_every_column_is_text(source)


def test_a_file_that_is_not_parquet_is_a_whole_file_problem(tmp_path: Path) -> None:
    source = read_one(write(tmp_path, "Deal.parquet", "Id,Name\n1,Acme\n"))
    [problem] = source.problems
    assert problem.row is None
    assert problem.reason.startswith("not a Parquet file")


# Excel


def test_xlsx_sheets_are_objects_with_spreadsheet_row_numbers(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    deals = book.active
    assert deals is not None
    deals.title = "Deals"
    deals.append([])
    deals.append(["Id", " Amount ", "Close date", "Won", "Signed at", "Note"])
    deals.append(["D1", 125000.0, dt.date(2024, 3, 1), True, dt.datetime(2024, 3, 1, 14, 5), None])
    deals.append([])
    deals.append(["D2", 1.5, dt.datetime(2024, 4, 2), False, None, "ok"])
    deals.append(["D3", 2, None, None, None, None, "beyond"])
    reps = book.create_sheet("Reps")
    reps.append(["Rep", "Quota"])
    reps.append(["Ana", 1000])
    book.create_sheet("Empty")
    path = tmp_path / "Plan.xlsx"
    book.save(path)
    deal_rows, rep_rows = read_file(path)
    assert (deal_rows.object, rep_rows.object, deal_rows.format) == ("Deals", "Reps", "xlsx")
    assert rows(deal_rows) == [
        {
            "Id": "D1",
            "Amount": "125000",
            "Close date": "2024-03-01",
            "Won": "true",
            "Signed at": "2024-03-01T14:05:00",
            "Note": None,
            "__row": 3,
        },
        {
            "Id": "D2",
            "Amount": "1.5",
            "Close date": "2024-04-02",
            "Won": "false",
            "Signed at": None,
            "Note": "ok",
            "__row": 5,
        },
    ]
    [problem] = deal_rows.problems
    assert (problem.row, problem.reason) == (6, "has a value in column G, which has no header")
    assert rows(rep_rows) == [{"Rep": "Ana", "Quota": "1000", "__row": 2}]
    assert_every_column_is_text(deal_rows)


def test_a_workbook_with_one_sheet_is_named_after_the_file(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Id"])
    book.create_sheet("Notes")
    book.save(tmp_path / "Account.xlsx")
    [source] = read_file(tmp_path / "Account.xlsx")
    assert (source.object, source.rows.num_rows, source.problems) == ("Account", 0, ())


def test_a_file_that_is_not_a_workbook_is_a_whole_file_problem(tmp_path: Path) -> None:
    source = read_one(write(tmp_path, "Plan.xlsx", "Id,Name\n"))
    [problem] = source.problems
    assert problem.row is None
    assert problem.reason.startswith("not an xlsx workbook")


# Salesforce sObject tree JSON

TREE = {
    "records": [
        {
            "attributes": {"type": "Account", "referenceId": "AccountRef1"},
            "Name": "Acme",
            "NumberOfEmployees": 120,
            "BillingAddress": {"city": "Paris", "country": "FR"},
            "Contacts": {
                "records": [
                    {"attributes": {"type": "Contact", "referenceId": "ContactRef1"},
                     "LastName": "Li", "Twitter": "@li"},
                    {"attributes": {"type": "Contact", "referenceId": "ContactRef2"},
                     "LastName": "Ng", "Cases": {"records": [
                         {"attributes": {"type": "Case", "referenceId": "CaseRef1"},
                          "Subject": "Broken"}]}},
                ]
            },
        },
        {
            "attributes": {"type": "Account", "referenceId": "AccountRef2"},
            "Id": "001000000000001AAA",
            "Name": "Beta",
            "ParentId": "@AccountRef1",
        },
        {"attributes": {"type": "Contact", "referenceId": "ContactRef3"},
         "LastName": "Top", "AccountId": "@AccountRef2"},
    ]
}  # fmt: skip


def test_an_sobject_tree_gives_one_object_per_record_type(tmp_path: Path) -> None:
    path = write(tmp_path, "Accounts.json", json.dumps(TREE))
    accounts, contacts, cases = read_file(path)
    assert [s.object for s in (accounts, contacts, cases)] == ["Account", "Contact", "Case"]
    assert {s.format for s in (accounts, contacts, cases)} == {"sobject_tree"}
    assert rows(accounts) == [
        {
            "Id": "AccountRef1",
            "Name": "Acme",
            "NumberOfEmployees": "120",
            "BillingAddress.city": "Paris",
            "BillingAddress.country": "FR",
            "ParentId": None,
            "__row": 1,
        },
        {
            "Id": "001000000000001AAA",
            "Name": "Beta",
            "NumberOfEmployees": None,
            "BillingAddress.city": None,
            "BillingAddress.country": None,
            "ParentId": "AccountRef1",
            "__row": 2,
        },
    ]
    assert rows(contacts) == [
        {
            "Id": "ContactRef1",
            "LastName": "Li",
            "Twitter": "@li",
            "ParentReferenceId": "AccountRef1",
            "AccountId": "AccountRef1",
            "__row": 1,
        },
        {
            "Id": "ContactRef2",
            "LastName": "Ng",
            "Twitter": None,
            "ParentReferenceId": "AccountRef1",
            "AccountId": "AccountRef1",
            "__row": 2,
        },
        {
            "Id": "ContactRef3",
            "LastName": "Top",
            "Twitter": None,
            "ParentReferenceId": None,
            "AccountId": "AccountRef2",
            "__row": 3,
        },
    ]
    assert rows(cases) == [
        {
            "Id": "CaseRef1",
            "Subject": "Broken",
            "ParentReferenceId": "ContactRef2",
            "ContactId": "ContactRef2",
            "__row": 1,
        }
    ]
    assert all(s.problems == () for s in (accounts, contacts, cases))


def test_a_record_without_a_type_is_a_problem(tmp_path: Path) -> None:
    tree = {
        "records": [
            {"attributes": {"type": "Account"}, "Name": "A", "Contacts": {"records": [{"X": 1}]}},
            {"Name": "B"},
            {"attributes": {"type": "Account"}, "Name": "C"},
        ]
    }
    accounts, untyped = read_file(write(tmp_path, "Accounts.json", json.dumps(tree)))
    assert [(r["Name"], r["__row"]) for r in rows(accounts)] == [("A", 1), ("C", 2)]
    assert [(p.row, p.reason) for p in accounts.problems] == [(2, "record has no attributes.type")]
    assert (untyped.object, untyped.rows.num_rows) == ("Accounts", 0)
    assert [(p.row, p.text) for p in untyped.problems] == [(3, '{"Name": "B"}')]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ('{"totalSize": 1}', "not a Salesforce sObject tree (no records list)"),
        ('[{"Name": "A"}]', "not a Salesforce sObject tree (no records list)"),
        ('{"records": [', "not valid JSON: "),
        ("", "file is empty"),
    ],
)
def test_json_that_is_not_a_tree_is_a_whole_file_problem(
    tmp_path: Path, content: str, reason: str
) -> None:
    [source] = read_file(write(tmp_path, "Accounts.json", content))
    assert (source.object, source.rows.num_rows) == ("Accounts", 0)
    [problem] = source.problems
    assert problem.row is None
    assert problem.reason.startswith(reason)


def test_a_data_plan_is_recognised_and_gives_nothing(tmp_path: Path) -> None:
    plan = [{"sobject": "Account", "saveRefs": True, "files": ["Accounts.json"]}]
    assert read_file(write(tmp_path, "data-plan.json", json.dumps(plan))) == []


def test_the_salesforce_lwc_recipes_sample_reads_without_a_problem() -> None:
    sources = list(read_files([LWC]))
    by_object = {s.object: s for s in sources}
    assert sorted(by_object) == ["Account", "Accounts-Contacts", "Contact", "Opportunity"]
    assert all(s.problems == () for s in sources)
    for name, file in [
        ("Account", "Accounts.json"),
        ("Contact", "Contacts.json"),
        ("Opportunity", "Opportunities.json"),
    ]:
        expected = json.loads((LWC / file).read_text())["records"]
        assert by_object[name].rows.num_rows == len(expected)
        assert by_object[name].rows.column("Id").to_pylist() == [
            r["attributes"]["referenceId"] for r in expected
        ]
    account_ids = set(by_object["Account"].rows.column("Id").to_pylist())
    for child in ("Contact", "Opportunity"):
        assert set(by_object[child].rows.column("AccountId").to_pylist()) <= account_ids
    report = by_object["Accounts-Contacts"]
    assert report.encoding == "utf-8-sig"
    assert report.rows.column_names[:2] == ["Account: Account Name", "Account: Type"]
    data_lines = (LWC / "Accounts-Contacts.csv").read_text().strip().count("\n")
    assert report.rows.num_rows == data_lines
    assert report.rows.column("__row").to_pylist() == list(range(2, data_lines + 2))


# Finding files


def test_find_files_searches_folders_and_patterns_and_skips_hidden_files(tmp_path: Path) -> None:
    for name in [
        "crm/Account.csv",
        "crm/deep/Deal.PARQUET",
        "crm/notes.md",
        "crm/.hidden.csv",
        "crm/.git/config.json",
        "crm/~$Plan.xlsx",
        "billing/Invoice.jsonl",
        "billing/Plan.xlsx",
    ]:
        write(tmp_path, name, "x")
    found = find_files([tmp_path / "crm", str(tmp_path / "billing" / "*.jsonl")])
    assert found == [
        tmp_path / "billing/Invoice.jsonl",
        tmp_path / "crm/Account.csv",
        tmp_path / "crm/deep/Deal.PARQUET",
    ]
    assert find_files([tmp_path / "crm/Account.csv", tmp_path / "crm"])[0] == (
        tmp_path / "crm/Account.csv"
    )
    assert find_files([str(tmp_path / "**" / "*.xlsx")]) == [tmp_path / "billing/Plan.xlsx"]


def test_find_files_refuses_a_path_that_names_nothing(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match=r"no such file or folder: .*missing"):
        find_files([tmp_path / "missing"])
    with pytest.raises(ReadError, match=r"no file or folder matches .*\*\.csv"):
        find_files([str(tmp_path / "*.csv")])
    assert issubclass(ReadError, RevOpsError)


def test_read_file_refuses_a_type_it_does_not_know(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match=r"cannot read \.md"):
        read_file(write(tmp_path, "notes.md", "# notes"))
    assert ".md" not in SUPPORTED_SUFFIXES
