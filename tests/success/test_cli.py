"""`revops success`: lifetime value as a table and as JSON; a request that cannot be
answered is one red line and exit code 1."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from success.test_component import buyers

from support import Company, company_on, run_cli


@pytest.fixture
def shop(tmp_path: Path) -> Iterator[str]:
    with company_on(tmp_path / "shop", "duckdb", "") as made:
        buyers(made)
        made.ws.close()
        yield str(made.ws.root)


def test_clv_prints_the_parameters_and_the_most_valuable_buyers(
    shop: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(capsys, "-w", shop, "success", "clv", "--as-of", "2026-06-30",
                             "--periods", "6", "-n", "3", "--format", "json")  # fmt: skip

    assert code == 0, err
    rows = json.loads(out)
    assert len(rows) == 3
    values = [r["expected_value"] for r in rows]
    assert values == sorted(values, reverse=True)
    assert rows[0]["customer_name"].startswith("Buyer ")

    code, out, err = run_cli(capsys, "-w", shop, "success", "clv", "--as-of", "2026-06-30")
    assert code == 0, err
    assert "60 customers as of 2026-06-30; BG/NBD r=" in out


def test_a_request_that_cannot_be_answered_is_one_line(
    company: Company, capsys: pytest.CaptureFixture[str]
) -> None:
    company.ws.close()
    root = str(company.ws.root)

    code, _, err = run_cli(capsys, "-w", root, "success", "risk", "--as-of", "2026-11-22")

    assert code == 1
    assert "at least 5 events" in err
    assert "Traceback" not in err
    code, _, err = run_cli(capsys, "-w", root, "success", "clv", "--unit", "day")
    assert code == 1
    assert "unknown period unit 'day'" in err
