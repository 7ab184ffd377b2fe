"""The built-in catalog: it covers shared/KPIS.md, and docs/metrics.md is its reference."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from revops.metrics import load_catalog
from revops.metrics.reference import reference

ROOT = Path(__file__).parents[2]
# KPIs of the spec the catalog does not hold yet.
LATER: set[str] = set()
# Metrics issue 29 asked for that serve no KPI of the spec: the file holding them, or names.
BEYOND_SPEC_FILES = {"partners.yaml", "budget.yaml"}
BEYOND_SPEC = {f"campaign_roi_{m}" for m in ("sourced", "first_touch", "last_touch", "linear",
                                              "w_shaped")}  # fmt: skip


def spec_kpis() -> list[str]:
    """The KPI names of shared/KPIS.md: the first cell of each table row."""
    for parent in Path(__file__).resolve().parents:
        spec = parent / "shared" / "KPIS.md"
        if spec.is_file():
            break
    else:
        pytest.fail("shared/KPIS.md not found next to the project")
    names = []
    for line in spec.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(cells) == 3 and cells[0] not in ("KPI", "---"):
            names.append(cells[0])
    return names


def test_the_spec_lists_the_kpis_we_expect() -> None:
    names = spec_kpis()
    assert "bookings" in names
    assert "net revenue retention (NRR)" in names
    assert len(names) >= 40


def test_every_kpi_of_the_spec_is_in_the_catalog() -> None:
    covered = {m.kpi for m in load_catalog()}
    missing = [k for k in spec_kpis() if k not in covered and k not in LATER]
    assert missing == []


def test_every_built_in_metric_names_the_kpi_it_serves() -> None:
    kpis = set(spec_kpis())
    catalog = load_catalog()
    beyond = {
        m.name
        for m in catalog
        if m.name in BEYOND_SPEC or catalog.origins[m.name].file.name in BEYOND_SPEC_FILES
    }
    unknown = {m.name: m.kpi for m in catalog if m.kpi not in kpis and m.name not in beyond}
    assert unknown == {}
    assert {m.name for m in catalog if m.name in beyond and m.kpi is not None} == set()


def test_docs_metrics_md_is_the_reference_of_the_catalog() -> None:
    written = (ROOT / "docs" / "metrics.md").read_text(encoding="utf-8")
    # Regenerate with: revops metrics docs > docs/metrics.md
    assert written == reference(load_catalog())


def test_every_metric_is_described_in_the_docs() -> None:
    written = (ROOT / "docs" / "metrics.md").read_text(encoding="utf-8")
    for metric in load_catalog():
        assert re.search(rf"### `{metric.name}` — ", written), metric.name
        assert metric.description.strip(), metric.name
