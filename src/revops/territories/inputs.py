"""What the design reads in the warehouse as of a day: each account's potential and
workload (one query; only a few numbers per account reach Python), and the reps.

An account created after the as-of day is not there (the metric layer's source context
drops records saved later); open pipeline and open deals are the deals open at the end of
the day as their history stood then; ARR is twelve times the MRR at the day's end.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from revops.errors import ConfigError
from revops.routing import Directory, User
from revops.territories.config import RULE_FIELDS, TERRITORIES_FILE, TerritoriesFile
from revops.territories.solve import Account, Rep

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from revops.metrics import Metrics, SourceContext


def account_measures(metrics: Metrics, day: date, design: TerritoriesFile) -> ir.Table:
    """One row per company known at the end of `day` (its golden account: a CRM account,
    a billing customer and a support organisation of one company are one row): id, name,
    owner, the rule fields, `potential` and `workload` by the design's weights (in the
    reporting currency).

    The row carries the company's record that has an owner (the CRM account), else its
    lowest id; employees and revenue are the largest any of its records states; open
    pipeline, open deals and ARR are summed over all its records, so a billing customer's
    ARR counts for the CRM account of the same company."""
    import ibis

    from revops.metrics import mrr_at, open_stages, pipeline_at, subscription_lines

    ctx: SourceContext = metrics.context(day)
    accounts = ctx.table("account")
    golden = ctx.golden_accounts()
    records = accounts.join(golden, accounts.account_id == golden.account_id)
    ranked = records.mutate(
        _rank=ibis.row_number().over(
            group_by=records.golden_account_id,
            order_by=[records.owner_id.isnull(), records.account_id],
        )
    )
    company = records.group_by(company_id="golden_account_id").aggregate(
        employees=records.employees.cast("float64").max(),
        annual_revenue=records.annual_revenue.cast("float64").max(),
    )
    first = ranked.filter(ranked._rank == 0).select(
        "account_id", "name", "owner_id", *RULE_FIELDS, "golden_account_id"
    )  # fmt: skip
    table = first.join(company, first.golden_account_id == company.company_id).drop("company_id")
    used = set(design.potential) | set(design.workload)

    def per_company(rows: ir.Table, **measures: Any) -> ir.Table:
        members = ctx.golden_accounts()
        keyed = rows.join(members, rows.account_id == members.account_id)
        return keyed.group_by(measured_company="golden_account_id").aggregate(**{
            name: measure(keyed) for name, measure in measures.items()
        })  # fmt: skip

    if used & {"open_pipeline", "open_deals"}:
        snap = pipeline_at(ctx, day)
        snap = snap.filter(snap.stage.isin(open_stages(ctx)) & snap.account_id.notnull())
        deals = per_company(
            snap,
            open_pipeline=lambda t: t.amount.cast("float64").sum(),
            open_deals=lambda t: t.count(),
        )
        table = table.left_join(deals, table.golden_account_id == deals.measured_company).drop(
            "measured_company"
        )
    if "arr" in used:
        mrr = mrr_at(subscription_lines(ctx), day)
        arr = per_company(mrr, arr=lambda t: t.mrr.cast("float64").sum() * 12)
        table = table.left_join(arr, table.golden_account_id == arr.measured_company).drop(
            "measured_company"
        )
    table = table.drop("golden_account_id")

    def weighted(weights: dict[str, float]) -> ir.FloatingValue:
        # `accounts` (a constant per account) is added in Python: PostgreSQL returns a bare
        # literal as numeric, and casts no boolean to a number.
        total = table.employees.fill_null(0.0) * 0.0
        for m, w in weights.items():
            if w and m != "accounts":
                total = total + table[m].cast("float64").fill_null(0.0) * float(w)
        return total

    return table.select(
        "account_id", "name", "owner_id", *RULE_FIELDS,
        potential=weighted({str(m): w for m, w in design.potential.items()}),
        workload=weighted({str(m): w for m, w in design.workload.items()}),
    ).order_by("account_id")  # fmt: skip


NONE = "(none)"
"""The value a rule names to match accounts whose field is empty."""


class People:
    """The CRM users (routing's directory), to resolve the file's references."""

    def __init__(self, directory: Directory, file: Path | None) -> None:
        self.directory = directory
        self.users = directory.users
        self.file = file or TERRITORIES_FILE

    def find(self, ref: str, key: str) -> User:
        """The user `ref` names (user_id or e-mail).

        Raises:
            ConfigError: no CRM user is `ref`, naming the key.
        """
        found = self.directory.find(ref)
        if found is None:
            raise ConfigError(self.file, key, f"no CRM user has the id or e-mail {ref!r}")
        return found


def choose_reps(design: TerritoriesFile, people: People, owners: set[str], day: date) -> list[Rep]:
    """The reps of the design with their effective capacity (capacity times ramp): the
    listed ones, those pinned accounts name, and (by default) the active account owners."""
    listed = {people.find(p.user, f"reps.people[{i}].user").user_id: p
              for i, p in enumerate(design.reps.people)}  # fmt: skip
    excluded = {people.find(x, f"reps.exclude[{i}]").user_id
                for i, x in enumerate(design.reps.exclude)}  # fmt: skip
    pinned = {people.find(p.rep, f"pinned[{i}].rep").user_id
              for i, p in enumerate(design.pinned)}  # fmt: skip
    chosen = set(listed) | pinned
    if design.reps.source == "account_owners":
        chosen |= {o for o in owners if o in people.users and _employed(people.users[o])}
    ramps = sorted(design.reps.ramp_by_tenure, key=lambda r: r.under_months)
    reps = []
    for user_id in sorted(chosen - excluded):
        user = people.users[user_id]
        entry = listed.get(user_id)
        ramp = entry.ramp if entry and entry.ramp is not None else _tenure_ramp(user, ramps, day)
        capacity = (entry.capacity if entry else 1.0) * ramp
        reps.append(Rep(user_id, user.name, capacity, user.team))
    return reps


def _employed(user: User) -> bool:
    return user.is_active and user.termination_date is None


def _tenure_ramp(user: User, ramps: list[Any], day: date) -> float:
    if user.hire_date is None:
        return 1.0
    months = (day - user.hire_date).days / 30.4375
    for ramp in ramps:
        if months < ramp.under_months:
            return float(ramp.factor)
    return 1.0


def build_accounts(
    rows: list[dict[str, Any]], design: TerritoriesFile, people: People, reps: list[Rep]
) -> tuple[list[Account], list[str]]:
    """The accounts with the reps each may have (by the rules) and their pins; warnings
    for pins of accounts not known as of the day."""
    rep_ids = {r.user_id for r in reps}
    teams: dict[str, set[str]] = {}
    for user in people.users.values():
        for key in (user.team_id, user.team):
            if key:
                teams.setdefault(key.casefold(), set()).add(user.user_id)
    rules = []
    for i, rule in enumerate(design.rules):
        allowed = {people.find(ref, f"rules[{i}].reps[{j}]").user_id
                   for j, ref in enumerate(rule.reps)}  # fmt: skip
        for j, team in enumerate(rule.teams):
            if team.casefold() not in teams:
                raise ConfigError(people.file, f"rules[{i}].teams[{j}]", f"no team is {team!r}")
            allowed |= teams[team.casefold()]
        rules.append((rule.field, {v.casefold() for v in rule.values}, allowed & rep_ids))
    pins = {p.account: people.find(p.rep, f"pinned[{i}].rep").user_id
            for i, p in enumerate(design.pinned)}  # fmt: skip
    everyone = tuple(sorted(rep_ids))
    per_account_p = float(design.potential.get("accounts", 0.0))
    per_account_w = float(design.workload.get("accounts", 0.0))
    accounts = []
    for row in rows:
        allowed_set = set(everyone)
        for field, values, reps_of_rule in rules:
            value = row.get(field)
            if (NONE if value is None else str(value).casefold()) in values:
                allowed_set &= reps_of_rule
        accounts.append(Account(
            row["account_id"], row["name"] or row["account_id"], row["owner_id"],
            max(float(row["potential"] or 0.0) + per_account_p, 0.0),
            max(float(row["workload"] or 0.0) + per_account_w, 0.0),
            tuple(sorted(allowed_set)), pins.get(row["account_id"]),
        ))  # fmt: skip
    known = {a.account_id for a in accounts}
    warnings = [f"pinned account {a} is not known as of the day: left out"
                for a in pins if a not in known]  # fmt: skip
    return accounts, warnings
