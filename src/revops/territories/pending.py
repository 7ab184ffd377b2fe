"""The pending territory plan: the design `--plan` proposed, kept in the workspace so that
`--apply` (or the cockpit's "Apply this plan") stores exactly what was reviewed.

`plans/pending/territories.json` holds the as-of day, the fingerprint of the inputs the
design read (:func:`fingerprint`), the comparison, each rep's book and every account's
proposed rep, one account per line so it reads as a diff; `plan_sha256` is the hash of
all of it. Applying checks the hash (the file was not edited), and that the inputs read
again as of the same day give the same fingerprint (nothing changed since the plan);
then it stores the file's assignment and moves the file to
`plans/territory_versions/v<N>.json`. The solver is time-limited, so solving again could
give another design: applying never solves.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any

from revops.errors import TerritoryError
from revops.territories.solve import Account, Rep

PENDING_FILE = Path("plans") / "pending" / "territories.json"
VERSIONS_DIR = Path("plans") / "territory_versions"


@dataclass(frozen=True)
class PendingPlan:
    """A proposed design waiting to be applied."""

    as_of: date
    planned_at: str
    design_file: str
    inputs_sha256: str
    current_version: int | None
    comparison: list[dict[str, Any]]
    solver: dict[str, Any]
    reps: list[dict[str, Any]]
    assignment: list[dict[str, Any]]
    """Per account: account_id, account, owner_id (today), rep_id (proposed), potential,
    workload."""
    warnings: list[str]
    plan_sha256: str = ""

    def content(self) -> dict[str, Any]:
        """Everything but the hash, as written."""
        found = asdict(self)
        found.pop("plan_sha256")
        found["as_of"] = self.as_of.isoformat()
        return found

    def moved(self) -> int:
        """Accounts whose proposed rep is not today's owner."""
        return sum(1 for a in self.assignment if a["rep_id"] != a["owner_id"])


def fingerprint(
    day: date,
    design_text: str,
    current_version: int | None,
    accounts: Sequence[Account],
    reps: Sequence[Rep],
    bookings: dict[str, float],
    crm_books: dict[str, tuple[float, float]],
) -> str:
    """SHA-256 of what a design reads: the day, the design file, the version in effect,
    every account (owner, potential, workload, allowed reps, pin), every rep's capacity,
    the bookings and CRM books behind expected bookings. Numbers are rounded to 4
    decimals, so a sum added up in another order by the warehouse gives the same print."""
    digest = hashlib.sha256()
    digest.update(f"{day.isoformat()}\n{current_version}\n".encode())
    digest.update(hashlib.sha256(design_text.encode()).digest())
    for a in accounts:
        digest.update(
            json.dumps(
                [
                    a.account_id,
                    a.owner_id,
                    round(a.potential, 4),
                    round(a.workload, 4),
                    a.allowed,
                    a.pinned_to,
                ]
            ).encode()
        )
    for r in reps:
        digest.update(json.dumps([r.user_id, round(r.capacity, 6)]).encode())
    for user, amount in sorted(bookings.items()):
        digest.update(json.dumps([user, round(amount, 4)]).encode())
    for user, (potential, workload) in sorted(crm_books.items()):
        digest.update(json.dumps([user, round(potential, 4), round(workload, 4)]).encode())
    return digest.hexdigest()


def plan_hash(content: dict[str, Any]) -> str:
    """SHA-256 of a plan's content, keys sorted."""
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def write_pending(root: Path, plan: PendingPlan) -> tuple[Path, str]:
    """Write the pending plan (replacing one before); its path and hash."""
    content = plan.content()
    digest = plan_hash(content)
    head = {k: v for k, v in content.items() if k != "assignment"}
    lines = ",\n".join(json.dumps(a, sort_keys=True) for a in plan.assignment)
    text = (json.dumps({**head, "plan_sha256": digest}, indent=1, sort_keys=True)[:-2]
            + ',\n "assignment": [\n' + lines + "\n ]\n}\n")  # fmt: skip
    path = root / PENDING_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path, digest


def read_pending(root: Path) -> PendingPlan | None:
    """The pending plan, or None when there is none.

    Raises:
        TerritoryError: the file is not a plan, or was edited since it was written.
    """
    path = root / PENDING_FILE
    if not path.is_file():
        return None
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
        digest = found.pop("plan_sha256")
        plan = PendingPlan(**{**found, "as_of": date.fromisoformat(found["as_of"])})
    except (ValueError, TypeError, KeyError) as exc:
        raise TerritoryError(
            f"{PENDING_FILE}: not a territory plan ({exc}); "
            "`revops plan territories --plan` writes it again"
        ) from None
    if plan_hash(plan.content()) != digest:
        raise TerritoryError(
            f"{PENDING_FILE} was edited since it was planned (its hash "
            "differs); `revops plan territories --plan` writes it again"
        )
    return PendingPlan(**{**asdict(plan), "plan_sha256": digest})


def archive_pending(root: Path, version: int) -> Path:
    """Move the applied plan to `plans/territory_versions/v<N>.json`; its new path."""
    target = root / VERSIONS_DIR / f"v{version}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    (root / PENDING_FILE).replace(target)
    return target
