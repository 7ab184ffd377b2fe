"""Definitions and change management: which definition files of the workspace changed
(git-aware, else against snapshots revops keeps in `.revops/snapshots/`), which named
definitions in them changed, and who and what depends on a definition.

Definition files: `revops.yaml` (lifecycle stages, metric conventions), `metrics/`,
`rules/` (quality rules, lead scoring, routing), `plans/` (comp plans, merges) and
`desk/`. A definition is named by its key: a metric's name, a quality rule's name, a
lifecycle stage's name, a top-level key of `revops.yaml`.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from revops.errors import DeskError

if TYPE_CHECKING:
    from revops.desk.config import DeskFile
    from revops.metrics import Metrics

FOLDERS = ("metrics", "rules", "plans", "desk")
CONFIG = "revops.yaml"
SNAPSHOTS = Path(".revops") / "snapshots"


@dataclass(frozen=True)
class Change:
    """One changed definition file and the definitions in it that changed."""

    path: str
    status: str
    definitions: tuple[str, ...] = ()

    def as_row(self) -> dict[str, Any]:
        """The change as one flat row."""
        return {"path": self.path, "status": self.status,
                "definitions": ", ".join(self.definitions)}  # fmt: skip


@dataclass
class Impact:
    """What depends on a definition."""

    name: str
    kind: str
    metrics: list[dict[str, Any]] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    teams: list[str] = field(default_factory=list)

    def rows(self) -> list[dict[str, Any]]:
        """Everything affected as rows: kind, name, why."""
        out = [{"kind": "metric", "name": m["name"], "why": m["why"], "team": m["team"]}
               for m in self.metrics]  # fmt: skip
        out += [{"kind": "page", "name": p, "why": "shows an affected metric", "team": None}
                for p in self.pages]  # fmt: skip
        out += [{"kind": "file", "name": f, "why": f"names {self.name}", "team": None}
                for f in self.files]  # fmt: skip
        out += [{"kind": "team", "name": t, "why": "owns an affected metric", "team": t}
                for t in self.teams]  # fmt: skip
        return out


def definition_paths(root: Path) -> list[Path]:
    """The workspace's definition files, relative to `root`, in name order."""
    found = [Path(CONFIG)] if (root / CONFIG).exists() else []
    for folder in FOLDERS:
        base = root / folder
        if base.is_dir():
            found += sorted(p.relative_to(root) for p in base.rglob("*")
                            if p.is_file() and p.suffix in (".yaml", ".yml", ".json"))  # fmt: skip
    return found


def named_definitions(text: str | None) -> dict[str, str]:
    """The named definitions of a YAML file's text, each as a canonical JSON string: the
    items of top-level lists whose items have a `name` (metrics, rules, stages) as
    `key.name`, and every other top-level key as itself.

    Examples:
        >>> sorted(named_definitions("metrics: [{name: a, x: 1}]\\nversion: 1"))
        ['metrics.a', 'version']
    """
    import yaml

    from revops.core.yamltext import parse_yaml

    if not text:
        return {}
    try:
        data = parse_yaml(text)
    except yaml.YAMLError:
        return {"(unreadable)": text}
    if not isinstance(data, dict):
        return {"(file)": json.dumps(data, sort_keys=True, default=str)}
    found: dict[str, str] = {}
    for key, value in data.items():
        items = value if isinstance(value, list) else None
        if items and all(isinstance(i, dict) and "name" in i for i in items):
            for item in items:
                found[f"{key}.{item['name']}"] = json.dumps(item, sort_keys=True, default=str)
        else:
            found[str(key)] = json.dumps(value, sort_keys=True, default=str)
    return found


def changed_names(before: str | None, after: str | None) -> tuple[str, ...]:
    """The definitions added, removed or changed between two texts of one file.

    Examples:
        >>> changed_names("metrics: [{name: a, x: 1}, {name: b}]",
        ...               "metrics: [{name: a, x: 2}, {name: b}, {name: c}]")
        ('metrics.a', 'metrics.c')
    """
    old, new = named_definitions(before), named_definitions(after)
    return tuple(sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k)))


def _git(root: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True,
                              text=True, timeout=30, check=False)  # fmt: skip
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


class Changes:
    """Definition changes of a workspace (``ws.desk.changes``)."""

    def __init__(self, root: Path, settings: DeskFile, metrics: Callable[[], Metrics]) -> None:
        self.root = root
        self.settings = settings
        self._metrics = metrics

    def git_root(self) -> Path | None:
        """The top of the git repository holding the workspace, or None."""
        top = _git(self.root, "rev-parse", "--show-toplevel")
        return Path(top.strip()) if top else None

    # -- snapshots ---------------------------------------------------------------------

    def snapshot(self, note: str = "", by: str = "") -> str:
        """Keep a copy of every definition file (where the workspace is no git repo);
        returns the snapshot id."""
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        target = self.root / SNAPSHOTS / stamp
        for path in definition_paths(self.root):
            (target / path).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(self.root / path, target / path)
        target.mkdir(parents=True, exist_ok=True)
        meta = {"id": stamp, "note": note, "by": by, "at": datetime.now(UTC).isoformat()}
        (target / "_snapshot.json").write_text(json.dumps(meta), encoding="utf-8")
        return stamp

    def snapshots(self) -> list[dict[str, Any]]:
        """Every snapshot, newest first."""
        base = self.root / SNAPSHOTS
        if not base.is_dir():
            return []
        found = [json.loads((p / "_snapshot.json").read_text(encoding="utf-8"))
                 for p in base.iterdir() if (p / "_snapshot.json").exists()]  # fmt: skip
        return sorted(found, key=lambda m: m["id"], reverse=True)

    # -- diff --------------------------------------------------------------------------

    def diff(self, rev: str | None = None) -> tuple[str, list[Change]]:
        """The definition files changed since `rev` (a git revision, default HEAD; else a
        snapshot id, default the latest) with the definitions changed in each; returns
        what was compared against and the changes.

        Raises:
            DeskError: an unknown revision or snapshot, or nothing to compare against.
        """
        top = self.git_root()
        if top is not None:
            return self._git_diff(top, rev or "HEAD")
        return self._snapshot_diff(rev)

    def _git_diff(self, top: Path, rev: str) -> tuple[str, list[Change]]:
        if _git(top, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}") is None:
            raise DeskError(f"no git revision {rev!r} in {top}")
        prefix = self.root.resolve().relative_to(top.resolve())
        paths = [str(prefix / p) for p in (CONFIG, *FOLDERS)]
        listed = _git(top, "diff", "--name-status", rev, "--", *paths) or ""
        untracked = _git(top, "ls-files", "--others", "--exclude-standard", "--", *paths) or ""
        entries = [line.split("\t") for line in listed.splitlines() if line.strip()]
        entries += [["A", line] for line in untracked.splitlines() if line.strip()]
        changes = []
        for status, *names in entries:
            path = names[-1]
            before = _git(top, "show", f"{rev}:{path}")
            current = top / path
            after = current.read_text(encoding="utf-8") if current.exists() else None
            relative = str(Path(path).relative_to(prefix)) if prefix != Path() else path
            changes.append(Change(relative, _STATUS.get(status[0], status),
                                  changed_names(before, after)))  # fmt: skip
        return f"git {rev}", sorted(changes, key=lambda c: c.path)

    def _snapshot_diff(self, rev: str | None) -> tuple[str, list[Change]]:
        known = self.snapshots()
        if not known:
            raise DeskError("the workspace is no git repository and has no snapshot: take "
                            "one with `revops definitions snapshot`")  # fmt: skip
        chosen = rev or known[0]["id"]
        base = self.root / SNAPSHOTS / chosen
        if not (base / "_snapshot.json").exists():
            raise DeskError(f"no snapshot {chosen!r} ({', '.join(m['id'] for m in known[:5])})")
        old = {str(p.relative_to(base)) for p in base.rglob("*")
               if p.is_file() and p.name != "_snapshot.json"}  # fmt: skip
        new = {str(p) for p in definition_paths(self.root)}
        changes = []
        for path in sorted(old | new):
            before = (base / path).read_text(encoding="utf-8") if path in old else None
            after = (self.root / path).read_text(encoding="utf-8") if path in new else None
            if before == after:
                continue
            status = "added" if before is None else "deleted" if after is None else "modified"
            changes.append(Change(path, status, changed_names(before, after)))
        return f"snapshot {chosen}", changes

    def log(self, limit: int = 30) -> list[dict[str, Any]]:
        """Changes to definition files, newest first: git commits (author, message, files)
        or snapshots (who took it, note)."""
        top = self.git_root()
        if top is None:
            return [{"when": m["at"], "who": m["by"], "note": m["note"], "id": m["id"],
                     "files": ""} for m in self.snapshots()[:limit]]  # fmt: skip
        prefix = self.root.resolve().relative_to(top.resolve())
        paths = [str(prefix / p) for p in (CONFIG, *FOLDERS)]
        text = _git(top, "log", f"-n{limit}", "--name-only",
                    "--format=%x1e%H%x1f%an <%ae>%x1f%aI%x1f%s", "--", *paths) or ""  # fmt: skip
        entries = []
        for block in text.split("\x1e"):
            lines = [line for line in block.splitlines() if line.strip()]
            if not lines:
                continue
            commit, who, when, subject = lines[0].split("\x1f")
            entries.append({"when": when, "who": who, "note": subject, "id": commit[:10],
                            "files": ", ".join(lines[1:])})  # fmt: skip
        return entries

    # -- impact ------------------------------------------------------------------------

    def impact(self, name: str) -> Impact:
        """Every metric, page, definition file and team that depends on `name`: a metric
        (and, transitively, every metric built on it), a lifecycle stage, a rule or any
        other definition named in the workspace's files.

        Raises:
            DeskError: a name no definition, metric or stage has.
        """
        catalog = {m.name: m for m in self._metrics().definitions()}
        stages = {s.name for s in self._metrics().config.lifecycle_stages}
        key = name.rsplit(".", 1)[-1]  # `metrics.bookings` or `bookings`
        if key in catalog:
            kind, seeds = "metric", {key: "the definition itself"}
        elif key in stages:
            kind = "lifecycle stage"
            seeds = {m.name: _stage_reason(m.filter, key) for m in catalog.values()
                     if m.source in LIFECYCLE_SOURCES and _stage_reason(m.filter, key)}  # fmt: skip
        else:
            kind = "definition"
            seeds = {m.name: f"its filter names {key}" for m in catalog.values()
                     if m.filter and re.search(rf"\b{re.escape(key)}\b", m.filter)}  # fmt: skip
        affected = dict(seeds)
        users = _dependents(catalog)
        queue = list(seeds)
        while queue:
            current = queue.pop()
            for dependent in users.get(current, ()):
                if dependent not in affected:
                    affected[dependent] = f"built on {current}"
                    queue.append(dependent)
        files = self._files_naming(key)
        if kind == "definition" and not files and not affected:
            raise DeskError(f"no metric, lifecycle stage or definition named {name!r}")
        metrics = [{"name": n, "why": affected[n], "team": catalog[n].team,
                    "label": catalog[n].label} for n in sorted(affected)]  # fmt: skip
        pages = sorted({page for page, names in self.settings.pages.items()
                        if set(names) & set(affected) or key in names})  # fmt: skip
        teams = sorted({m["team"] for m in metrics})
        return Impact(name, kind, metrics, pages, files, teams)

    def _files_naming(self, key: str) -> list[str]:
        pattern = re.compile(rf"(?<![\w.-]){re.escape(key)}(?![\w-])")
        found = []
        for path in definition_paths(self.root):
            try:
                text = (self.root / path).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            lines = [i for i, line in enumerate(text.splitlines(), 1)
                     if pattern.search(line) and not PROSE.match(line)]  # fmt: skip
            if lines:
                found.append(f"{path}:{','.join(str(i) for i in lines[:5])}")
        return found


LIFECYCLE_SOURCES = ("lifecycle_entry", "lifecycle_event")
"""Metric sources whose rows are lifecycle stage entries."""


def _stage_reason(condition: str | None, stage: str) -> str:
    """Why a metric over lifecycle entries depends on `stage` ('' when it does not).

    Examples:
        >>> _stage_reason("stage == 'mql'", "mql"), _stage_reason("stage == 'sql'", "mql")
        ('its filter names mql', '')
        >>> _stage_reason(None, "mql")
        'it counts every lifecycle stage'
    """
    if not condition or "stage" not in condition:
        return "it counts every lifecycle stage"
    if re.search(rf"\b{re.escape(stage)}\b", condition):
        return f"its filter names {stage}"
    return ""


PROSE = re.compile(r"^\s*(-\s*)?(label|description|title|note|help|details)\s*:")
"""Keys holding text for people: a name mentioned there is no dependency."""

_STATUS = {"A": "added", "M": "modified", "D": "deleted", "R": "renamed", "C": "copied"}


def _dependents(catalog: dict[str, Any]) -> dict[str, set[str]]:
    """Metric → the metrics computed from it (ratio parts, formula names, targets)."""
    users: dict[str, set[str]] = {}
    for metric in catalog.values():
        parts = set(metric.parts())
        if metric.target:
            parts.add(metric.target)
        for part in parts:
            users.setdefault(part, set()).add(metric.name)
    return users
