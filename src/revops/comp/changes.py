"""Plan changes, planned then applied: what a changed plan would pay, a change applied as
an effective-dated version of the plan (:mod:`revops.comp.versions`), and its revert.

A change may start only after the plan's last closed period: a locked period's
statements never change, and a version in effect in a closed period stays.
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from revops.comp.plan import CompPlan, read_plan
from revops.comp.versions import PlanVersions, check_version, version_path
from revops.errors import CompError, ConfigError

if TYPE_CHECKING:
    from revops.comp.component import Comp


def parse_candidate(text: str, name: str = "candidate.yaml") -> CompPlan:
    """A plan given as YAML text (a form, an API body), validated as a plan file is.

    Raises:
        ConfigError: names `name` and the key.
    """
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_text(text, encoding="utf-8")
        try:
            return read_plan(path)
        except ConfigError as exc:
            raise ConfigError(Path(name), exc.key, exc.problem) from None


def candidate_versions(comp: Comp, plan: CompPlan, effective: date | None) -> PlanVersions:
    """The plan's versions with `plan` applied from `effective` (from the start when
    None: the whole plan replaced)."""
    current = comp.versions.get(plan.name)
    if current is None or effective is None:
        return PlanVersions(plan)
    check_version(Path("candidate.yaml"), plan, current.base)
    return current.with_change(effective, plan)


def check_effective(comp: Comp, versions: PlanVersions, effective: date) -> None:
    """Raise unless `effective` starts one of the plan's periods after its last closed one.

    Raises:
        CompError: says which.
    """
    kind = versions.base.period
    if comp.calendar.period_of(effective, kind).start != effective:
        first = comp.calendar.period_of(effective, kind)
        raise CompError(
            f"a change of {versions.name} starts on the first day of a {kind}: "
            f"{effective} is inside {first.label} (starts {first.start})"
        )
    closed = [comp.calendar.parse(label) for label in comp.closed(versions.name)]
    last = max((p.last_day for p in closed), default=None)
    if last is not None and effective <= last:
        raise CompError(
            f"{versions.name} is closed up to {last}: a change starts after it "
            "(locked periods never change)"
        )


def apply_change(
    comp: Comp, text: str, effective: date, source: str = "candidate.yaml"
) -> dict[str, object]:
    """Keep the plan in `text` (read from `source`, named in errors) as the version of its
    plan in effect from `effective`.

    Raises:
        ConfigError: the text is not a valid plan, or changes the plan's period.
        CompError: no such plan, a day that does not start a period or falls in a closed
            one, or a version already in effect from that day.
    """
    plan = parse_candidate(text, source)
    current = comp.versions.get(plan.name)
    if current is None:
        raise CompError(f"no comp plan {plan.name!r} to change; plans: {', '.join(comp.plans)}")
    check_version(Path(source), plan, current.base)
    check_effective(comp, current, effective)
    if any(v.effective == effective for v in current.changes):
        raise CompError(f"{plan.name} has a version from {effective}: revert it first")
    assert comp.root is not None
    path = version_path(comp.root, plan.name, effective)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    return _row(comp, plan.name, effective, path, "applied")


def revert_change(comp: Comp, name: str, effective: date) -> dict[str, object]:
    """Remove the version of plan `name` in effect from `effective`.

    Raises:
        CompError: no such version, or it is in effect in a closed period.
    """
    current = comp.versions.get(name)
    found = [v for v in (current.changes if current else ()) if v.effective == effective]
    if current is None or not found or found[0].path is None:
        raise CompError(f"no version of {name!r} from {effective}")
    check_effective(comp, current, effective)
    path = found[0].path
    path.unlink()
    if not any(path.parent.iterdir()):
        path.parent.rmdir()
    return _row(comp, name, effective, path, "reverted")


def version_rows(comp: Comp) -> list[dict[str, object]]:
    """Every plan's versions: the base file, then each change from its effective day."""
    rows: list[dict[str, object]] = []
    closed = {name: comp.closed(name) for name in comp.versions}
    for name, versions in comp.versions.items():
        rows.append(_describe(name, None, versions.base, None, closed[name]))
        for version in versions.changes:
            rows.append(
                _describe(name, version.effective, version.plan, version.path, closed[name])
            )
    return rows


def _describe(
    name: str, effective: date | None, plan: CompPlan, path: Path | None, closed: list[str]
) -> dict[str, object]:
    return {
        "plan": name,
        "effective": effective.isoformat() if effective else "base",
        "label": plan.label,
        "period": plan.period,
        "measure": plan.measure,
        "tiers": len(plan.rates),
        "file": str(path.name if path else ""),
        "closed_periods": len(closed),
    }


def _row(comp: Comp, name: str, effective: date, path: Path, action: str) -> dict[str, object]:
    root = comp.root or path.parent
    return {
        "plan": name,
        "effective": effective.isoformat(),
        "file": str(path.relative_to(root)),
        "action": action,
    }
