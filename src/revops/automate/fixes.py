"""Data-quality fixes assigned to the records' owners: a task per record failing a rule,
as one automation run (listed with the runs, undone like them)."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from revops.automate.component import Automate, RunResult
    from revops.quality.component import Quality

ALL = 1_000_000
"""Records taken from the failing list: every one, in practice."""


def assign_fixes(
    quality: Quality,
    automate: Automate,
    entity: str,
    rule: str,
    *,
    owner: str | None = None,
    as_of: date | None = None,
    due_days: int = 2,
    at: datetime | None = None,
) -> RunResult:
    """Give each owner a task per record of theirs failing `rule` (of `owner` only, when
    given), evaluated as :meth:`Quality.failures` does; records already given one by an
    earlier assignment of the rule, or without an owner, are skipped (the run says so).

    Raises:
        QualityError: no such entity, rule or owner.
    """
    failing = quality.failures(entity, rule, as_of=as_of, owner=owner, limit=ALL)
    title = f"Fix {{name}}: {rule} ({failing.rule.severity}) - {failing.rule.fix}"
    return automate.assign_tasks(
        f"quality:{rule}", f"records failing {rule}", entity, failing.rows, title,
        due_days=due_days, at=at,
    )  # fmt: skip
