"""Identity resolution's settings: comparisons, per kind of record, thresholds."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from revops.config.base import Frozen

IdentityMode = Literal["dedupe_only", "link_only", "link_and_dedupe"]
IdentityPreset = Literal["email", "company", "company_name"]


class IdentityComparison(Frozen):
    """One compared field and the levels its agreement is graded in, best first.

    The levels present are, in this order: exact (term-frequency adjusted when
    `term_frequency`), a shipped `preset`'s levels, a nickname of the same first name,
    the name swapped with `swap_with`, the date levels, Damerau-Levenshtein distances,
    Jaro-Winkler similarities, the same first `prefix` / last `suffix` characters; any
    other pair is "different", and a pair with the field empty on one side weighs nothing.
    """

    field: str = Field(
        description=(
            "Record column compared: a canonical person or account column (first_name, "
            "last_name, email, phone, address_line1, address_line2, city, postcode, state, "
            "country, birth_date, name, domain) as normalised (docs/identity.md)."
        )
    )
    preset: IdentityPreset | None = Field(
        default=None,
        description=(
            "A shipped comparison instead of levels: 'email' (same address, same mailbox "
            "name at a free provider, another mailbox at the same company), 'company' "
            "(a person's company: same domain or name) or 'company_name' (an account's "
            "name: same, one typo apart, Jaro-Winkler >= 0.92)."
        ),
    )
    exact: bool = Field(default=True, description="A level for the same value.")
    term_frequency: bool = Field(
        default=False,
        description="Weigh an exact match of a common value (Smith) less than a rare one.",
    )
    nickname: bool = Field(
        default=False, description="A level for a nickname of the same first name (Bob, Robert)."
    )
    swap_with: str | None = Field(
        default=None,
        description=(
            "Another column (last_name for first_name): a level for the two values "
            "swapped between the records (first and last name entered the other way)."
        ),
    )
    date: bool = Field(
        default=False,
        description=("Date levels (YYYY-MM-DD values): day and month transposed, one digit wrong."),
    )
    damerau_levenshtein: tuple[int, ...] = Field(
        default=(), description="Levels for at most this many typos (insert, delete, swap)."
    )
    jaro_winkler: tuple[float, ...] = Field(
        default=(), description="Levels for a Jaro-Winkler similarity at least this (0-1)."
    )
    prefix: int | None = Field(
        default=None, ge=1, description="A level for the same first N characters (postcode)."
    )
    suffix: int | None = Field(
        default=None, ge=1, description="A level for the same last N characters (phone)."
    )


class IdentityKindSettings(Frozen):
    """How one kind of record (people, companies) is compared, blocked and trained."""

    mode: IdentityMode = Field(
        default="dedupe_only",
        description=(
            "dedupe_only: every record against every other; link_only: only records of "
            "two different `sources` (each assumed free of duplicates); link_and_dedupe: "
            "both."
        ),
    )
    sources: tuple[str, ...] = Field(
        default=(),
        description=(
            "Source systems resolved (salesforce, hubspot, ...); empty: all. link_only "
            "needs at least two."
        ),
    )
    comparisons: tuple[IdentityComparison, ...] | None = Field(
        default=None,
        description=(
            "Fields compared; empty: the shipped ones (docs/identity.md). A comparison "
            "whose field is empty on every record is left out of the run."
        ),
    )
    blocking: tuple[tuple[str, ...], ...] | None = Field(
        default=None,
        description=(
            "Blocking rules: each a list of columns (or SQL expressions over one record) "
            "that must be equal for a pair to be scored; empty: the shipped ones."
        ),
    )
    deterministic: tuple[tuple[str, ...], ...] | None = Field(
        default=None,
        description=(
            "Rules whose pairs are almost all matches, for the prior; empty: the shipped "
            "ones. When they find no pair, expected_duplicate_rate sets the prior."
        ),
    )
    expected_duplicate_rate: float = Field(
        default=0.01,
        gt=0,
        lt=1,
        description=(
            "Share of records that are a copy of another, assumed when no deterministic "
            "rule finds a pair. Kept low on purpose: it errs towards fewer merges."
        ),
    )

    @model_validator(mode="after")
    def _link_needs_sources(self) -> IdentityKindSettings:
        if self.mode == "link_only" and len(self.sources) < 2:
            raise ValueError("link_only needs at least two `sources` to link")
        return self


class IdentitySettings(Frozen):
    """Thresholds and engine of identity resolution (docs/identity.md)."""

    engine: Literal["auto", "duckdb"] = Field(
        default="auto",
        description=(
            "Where Splink computes: 'auto' on the warehouse's own backend (PostgreSQL in a "
            "work schema dropped after the run, or the Spark session), 'duckdb' always in "
            "an embedded in-memory DuckDB (the records are read out of the warehouse), for "
            "a small warehouse or a PostgreSQL server without the fuzzystrmatch extension."
        ),
    )

    person_threshold: float = Field(
        default=0.995,
        gt=0,
        lt=1,
        description=(
            "Match probability at or above which two person records (leads, contacts) are "
            "one person. Higher merges less: a wrong merge costs more than a missed one."
        ),
    )
    company_threshold: float = Field(
        default=0.3,
        gt=0,
        lt=1,
        description=(
            "Match probability at or above which two accounts are one company. Lower than "
            "for people: the unsupervised model's prior is cautious, and a distinctive "
            "company name alone (no domain on one side) scores about 0.5."
        ),
    )
    lead_account_min_score: float = Field(
        default=0.9,
        ge=0,
        le=1,
        description=(
            "Least name similarity (0-1) for a lead to be matched to an account by company "
            "name when no domain matches."
        ),
    )
    person: IdentityKindSettings = Field(
        default_factory=IdentityKindSettings,
        description="Fields, blocking rules and mode of people (leads, contacts).",
    )
    company: IdentityKindSettings = Field(
        default_factory=IdentityKindSettings,
        description="Fields, blocking rules and mode of companies (accounts).",
    )
    max_block_size: int = Field(
        default=25,
        ge=2,
        description=(
            "Most records one blocking key may hold: a key shared by more (a common name, "
            "a first-name mailbox) is split into chunks of this many neighbours (sorted by "
            "the other fields that tell records apart, and again offset by half a chunk), "
            "so each record meets at most twice this many others per rule, whatever the "
            "size of the data. Lower it if a run runs out of memory or time."
        ),
    )
    max_pairs_per_record: int = Field(
        default=10,
        ge=1,
        description=(
            "Scored pairs kept per record below its kind's threshold (its best ones, for "
            "explain and review); every pair at or above the threshold is kept."
        ),
    )
    predict_chunk_records: int = Field(
        default=500_000,
        ge=100,
        description=(
            "Records per chunk when the pairs are scored: a run of more records scores "
            "the pairs of one chunk of left-hand records at a time (Splink's chunked "
            "predict), so the engine's memory holds one chunk's comparisons. Lower it "
            "when a large run runs out of memory."
        ),
    )
    memory_limit: str = Field(
        default="6GB",
        pattern=r"^\d+(\.\d+)?\s*(MB|GB|MiB|GiB)$",
        description=(
            "Memory the embedded DuckDB engine may use before it spills to disk or stops "
            "with an error naming this setting."
        ),
    )
    review_band: tuple[float, float] = Field(
        default=(0.1, 0.9999),
        description=(
            "Match probabilities [low, high) of the pairs `revops identity review` lists "
            "for a person to accept or reject (around both kinds' thresholds)."
        ),
    )

    @field_validator("review_band")
    @classmethod
    def _band_is_ordered(cls, band: tuple[float, float]) -> tuple[float, float]:
        if not 0 <= band[0] < band[1] <= 1:
            raise ValueError("review_band is [low, high) with 0 <= low < high <= 1")
        return band
