"""Data-quality results: what each quality run found (one ends every ingest run), kept so
scores trend over loads."""

from __future__ import annotations

from revops.model.base import DATE, FLOAT, ID, INT, TEXT, TIMESTAMP, Column, Entity

FAMILY = "quality"

QUALITY_RUN = Entity(
    "quality_run",
    FAMILY,
    "One evaluation of the data-quality rules over the warehouse (`revops quality run`).",
    (
        Column("run_at", TIMESTAMP, "When the run evaluated the rules (UTC).", required=True),
        Column(
            "as_of_date",
            DATE,
            "The day the rules were evaluated as of: later records, touches and ages not seen.",
            required=True,
        ),
        Column("entities", TEXT, "Entities evaluated, comma-separated."),
        Column("rules", INT, "Rules evaluated."),
        Column("records", INT, "Records checked."),
        Column("passing", INT, "Records that pass every rule applying to them."),
        Column("seconds", FLOAT, "How long the evaluation took."),
        Column(
            "ingest_run_id",
            ID,
            "The ingest run that ended with this evaluation; null for `revops quality run`.",
        ),
        Column("load_ids", TEXT, "Loads (load_id) that ingest run made, comma-separated."),
        Column("sources", TEXT, "Source systems those loads read, comma-separated."),
    ),
)

_RUN = (
    Column(
        "quality_run_id",
        ID,
        "The quality run (quality_run_id).",
        required=True,
        ref=("quality_run",),
    ),
    Column("run_at", TIMESTAMP, "When the run evaluated the rules (UTC).", required=True),
    Column(
        "as_of_date",
        DATE,
        "The day the rules were evaluated as of: later records, touches and ages not seen.",
        required=True,
    ),
    Column("entity_name", TEXT, "Entity whose records were checked.", required=True),
    Column(
        "owner_id", ID, "User (user_id) who owns the records; null for unowned ones.", ref=("user",)
    ),
)

QUALITY_SCORE = Entity(
    "quality_score",
    FAMILY,
    "The records of one entity and owner checked by one quality run, and how many passed.",
    (
        *_RUN,
        Column("records", INT, "Records checked.", required=True),
        Column("passing", INT, "Records that pass every rule applying to them.", required=True),
        Column("checks", INT, "Rule-record pairs checked (rules applying, summed)."),
        Column("checks_passed", INT, "Rule-record pairs that passed."),
    ),
)

QUALITY_FAILURE = Entity(
    "quality_failure",
    FAMILY,
    "One rule's result on the records of one owner in one quality run.",
    (
        *_RUN,
        Column("rule_name", TEXT, "The rule.", required=True),
        Column("kind", TEXT, "completeness, validity, consistency, freshness or uniqueness."),
        Column("severity", TEXT, "error, warning or info."),
        Column("team", TEXT, "Team that owns fixing the rule's failures."),
        Column("records", INT, "Records the rule applies to.", required=True),
        Column("failures", INT, "Records that fail it.", required=True),
    ),
)

ENTITIES = (QUALITY_RUN, QUALITY_SCORE, QUALITY_FAILURE)
