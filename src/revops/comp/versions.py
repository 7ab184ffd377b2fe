"""Plan versions: a plan change applied from an effective date, a YAML file per version.

`plans/comp/<file>.yaml` is a plan as first written; each change applied to it is a whole
plan file kept in `plans/comp/versions/<plan>/<YYYY-MM-DD>.yaml`, in effect for the plan's
periods starting on or after that day, until the next version. The files are reviewed in
git like the plan itself; reverting a change removes its file. A version starts on the
first day of one of the plan's periods and keeps its period (month, quarter, year), so the
chain of statements (draw balances, clawbacks, held lines) runs across versions.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from revops.comp.plan import PLANS_FOLDER, CompPlan, read_plan
from revops.errors import ConfigError

VERSIONS_FOLDER = PLANS_FOLDER / "versions"


@dataclass(frozen=True)
class Version:
    """One applied change: the plan in effect from `effective`, and its file."""

    effective: date
    plan: CompPlan
    path: Path | None = None


@dataclass(frozen=True)
class PlanVersions:
    """A plan as first written and the changes applied to it, in effective order."""

    base: CompPlan
    changes: tuple[Version, ...] = ()

    @property
    def name(self) -> str:
        """The plan's name."""
        return self.base.name

    def at(self, day: date) -> CompPlan:
        """The plan in effect on `day`."""
        found = self.base
        for version in self.changes:
            if version.effective <= day:
                found = version.plan
        return found

    def plans(self) -> Iterator[CompPlan]:
        """The base and every version."""
        yield self.base
        for version in self.changes:
            yield version.plan

    def with_change(
        self, effective: date, plan: CompPlan, path: Path | None = None
    ) -> PlanVersions:
        """These versions and `plan` from `effective` (replacing a version of that day)."""
        kept = [v for v in self.changes if v.effective != effective]
        changes = sorted([*kept, Version(effective, plan, path)], key=lambda v: v.effective)
        return replace(self, changes=tuple(changes))


def version_path(root: Path, name: str, effective: date) -> Path:
    """The file of the version of plan `name` in effect from `effective`."""
    return root / VERSIONS_FOLDER / name / f"{effective.isoformat()}.yaml"


def load_versions(root: Path | None, plans: dict[str, CompPlan]) -> dict[str, PlanVersions]:
    """Every plan with its versions, by name.

    Raises:
        ConfigError: a version file is invalid, is not named by a day, names another plan,
            is of a plan that does not exist, or changes the plan's period.
    """
    found = {name: PlanVersions(plan) for name, plan in plans.items()}
    folder = None if root is None else root / VERSIONS_FOLDER
    if folder is None or not folder.is_dir():
        return found
    for holder in sorted(p for p in folder.iterdir() if p.is_dir()):
        for path in sorted(holder.iterdir()):
            if path.suffix not in (".yaml", ".yml") or not path.is_file():
                continue
            versions = found.get(holder.name)
            if versions is None:
                raise ConfigError(path, None, f"no plan {holder.name!r} in plans/comp/")
            plan = _checked(path, versions)
            found[holder.name] = versions.with_change(_effective(path), plan, path)
    return found


def check_version(path: Path, plan: CompPlan, base: CompPlan) -> None:
    """Raise when `plan` cannot be a version of `base` (another name or period).

    Raises:
        ConfigError: names the file and the key.
    """
    if plan.name != base.name:
        raise ConfigError(path, "name", f"a version of plan {base.name!r} must be named so")
    if plan.period != base.period:
        raise ConfigError(
            path, "period", f"plan {base.name!r} is paid by {base.period}; a version keeps it"
        )


def _checked(path: Path, versions: PlanVersions) -> CompPlan:
    plan = read_plan(path)
    check_version(path, plan, versions.base)
    return plan


def _effective(path: Path) -> date:
    try:
        return date.fromisoformat(path.stem)
    except ValueError:
        raise ConfigError(
            path, None, "a version file is named by its effective day: YYYY-MM-DD.yaml"
        ) from None
