"""Reading `rules/routing.yaml` and checking it against the org model."""

from __future__ import annotations

import re
from pathlib import Path

from revops.definitions import read_definitions
from revops.errors import ConfigError
from revops.routing.directory import Directory
from revops.routing.rules import RULE_KINDS, RoutingFile

ROUTING_FILE = Path("rules") / "routing.yaml"


def read_routing(path: Path) -> RoutingFile:
    """One routing file, validated; a missing file is the defaults (every lead queued).

    Raises:
        ConfigError: unreadable file, bad YAML, or a key that does not validate.
    """
    if not path.exists():
        return RoutingFile()
    try:
        routing = read_definitions(path, RoutingFile, "a mapping with `rules:`")
    except ConfigError as exc:
        raise ConfigError(path, _without_kind(exc.key), exc.problem) from None
    _check_names(path, routing)
    return routing


def _without_kind(key: str | None) -> str | None:
    """The key without the rule kind pydantic puts in a list item's location.

    Examples:
        >>> _without_kind("rules[a].territory.rep")
        'rules[a].rep'
    """
    if key is None:
        return None
    kinds = "|".join(RULE_KINDS)
    return re.sub(rf"^(rules\[[^\]]+\])\.({kinds})\b\.?", r"\1.", key).rstrip(".")


def _check_names(path: Path, routing: RoutingFile) -> None:
    pools = [p.name for p in routing.pools]
    for name in pools:
        if pools.count(name) > 1:
            raise ConfigError(path, f"pools[{name}]", "two pools share this name")
    names = [r.name for r in routing.rules]
    for rule in routing.rules:
        if names.count(rule.name) > 1:
            raise ConfigError(path, f"rules[{rule.name}]", "two rules share this name")
        target = getattr(rule, "pool", None)
        if target is not None and target not in pools:
            known = ", ".join(pools) or "none defined"
            raise ConfigError(path, f"rules[{rule.name}].pool", f"no pool {target!r} ({known})")


def check_reps(path: Path, routing: RoutingFile, directory: Directory) -> None:
    """Every rep the file names is a user of the org model.

    Raises:
        ConfigError: names the key of the first rep that is not.
    """
    named: list[tuple[str, str]] = [(f"reps[{i}].rep", r.rep) for i, r in enumerate(routing.reps)]
    for pool in routing.pools:
        named += [(f"pools[{pool.name}].reps", rep) for rep in pool.reps]
    for rule in routing.rules:
        rep = getattr(rule, "rep", None)
        if rep is not None:
            named.append((f"rules[{rule.name}].rep", rep))
    for key, ref in named:
        if directory.find(ref) is None:
            raise ConfigError(path, key, f"no user {ref!r} in the org model (user_id or email)")
