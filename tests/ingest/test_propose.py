"""`revops ingest inspect`'s proposal on small hand-made exports, and `extends:`."""

from __future__ import annotations

from pathlib import Path

import pytest

from revops.config import RevOpsConfig
from revops.errors import ConfigError
from revops.ingest.mapping import load_mapping_file
from revops.ingest.propose import propose

HEADER = "Id,StageName,IsClosed,IsWon,Probability,Type,CloseDate,FiscalYear,FiscalQuarter"


def _export(tmp_path: Path, *rows: str) -> Path:
    folder = tmp_path / "salesforce"
    folder.mkdir()
    (folder / "Opportunity.csv").write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return folder


def test_a_fiscal_year_starting_in_april_named_by_its_start(tmp_path: Path) -> None:
    folder = _export(
        tmp_path,
        "1,Scoping,false,false,30,New Customer,2024-04-15,2024,1",
        "2,Won,true,true,100,New Customer,2024-06-30,2024,1",
        "3,Lost,true,false,0,New Customer,2024-07-01,2024,2",
        "4,Won,true,true,100,New Customer,2025-03-31,2024,4",
    )
    proposal = propose([folder], RevOpsConfig())
    assert (proposal.fiscal_year_start_month, proposal.fiscal_year_named_by) == (4, "start")
    assert [(s.name, s.category, s.probability) for s in proposal.stages] == [
        ("Scoping", "open", 30),
        ("Won", "won", 100),
        ("Lost", "lost", 0),
    ]


def test_unknown_types_are_proposed_by_their_wording_or_named_in_a_note(tmp_path: Path) -> None:
    folder = _export(
        tmp_path,
        "1,Won,true,true,100,Upsell - Add-on,2024-04-15,,",
        "2,Won,true,true,100,Partner Resale,2024-04-15,,",
        "3,Lost,true,false,0,New Customer,2024-04-15,,",
    )
    proposal = propose([folder], RevOpsConfig())
    assert proposal.types == {"expansion": ("Upsell - Add-on",)}
    assert any("Partner Resale" in note for note in proposal.notes)


def _mapping(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mine.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_extends_adds_replaces_and_drops_columns_of_the_shipped_mapping(tmp_path: Path) -> None:
    path = _mapping(
        tmp_path,
        "extends: salesforce/Opportunity\n"
        "columns:\n  next_step: NextStep\n  lost_reason: null\n  amount: {field: Amount__c}\n",
    )
    [mapping] = load_mapping_file(path)
    assert mapping.name == "salesforce.Opportunity.opportunity"
    assert mapping.columns["next_step"].field == "NextStep"
    assert "lost_reason" not in mapping.columns
    assert mapping.columns["amount"].field == "Amount__c"
    assert mapping.history is not None  # the rest is the shipped mapping's
    assert mapping.ids == "salesforce"


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("salesforce/Opportunityy", "no shipped mapping 'salesforce/Opportunityy'"),
        ("hubspot/contacts", "2 shipped mappings match"),
        ("Opportunity", "name a shipped mapping as source/object[/entity]"),
    ],
)
def test_extends_names_a_shipped_mapping_or_says_why_not(
    tmp_path: Path, name: str, problem: str
) -> None:
    path = _mapping(tmp_path, f"extends: {name}\ncolumns: {{}}\n")
    with pytest.raises(ConfigError, match="extends") as caught:
        load_mapping_file(path)
    assert problem in str(caught.value)
