"""Definition files: YAML shipped in a package or kept in a workspace folder, validated.

Metrics, quality rules and the other definition families load the same way: the built-in
files of a package first, then the workspace's own, each validated into a pydantic model.
A problem names the file and the dotted key (`rules[lead_email].check.regex`), so a user
can find it in a review.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from revops.core.yamltext import parse_yaml
from revops.errors import ConfigError

Model = TypeVar("Model", bound=BaseModel)


def definition_files(package: str, root: Path | None, folder: str) -> list[Path]:
    """The built-in YAML files of `package`, then the workspace's `folder/*.yaml|yml`.

    Each part is in name order, so a workspace file overrides a built-in one and a later
    workspace file an earlier one.
    """
    shipped = resources.files(package)
    files = sorted(Path(str(f)) for f in shipped.iterdir() if f.name.endswith(".yaml"))
    own = root / folder if root is not None else None
    if own is not None and own.is_dir():
        files += sorted(p for p in own.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
    return files


def read_definitions(
    path: Path,
    model: type[Model],
    expected: str,
    *,
    union_tags: Mapping[str, Collection[str]] | None = None,
) -> Model:
    """One definitions file validated into `model`; an empty file gives its defaults.

    Args:
        path: the YAML file.
        model: the pydantic model of a whole file.
        expected: what the top level must hold, for the message (``a mapping with `rules:```).
        union_tags: per key holding a discriminated union, its members' tags, which are
            left out of error keys (pydantic puts the member's tag in the location).

    Raises:
        ConfigError: unreadable file, bad YAML, or content that does not validate.
    """
    try:
        data = parse_yaml(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(path, None, f"cannot read the file: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise ConfigError(path, None, f"not valid YAML{where}") from None
    if data is None:
        return model()
    if not isinstance(data, dict):
        raise ConfigError(path, None, f"must be {expected}")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        key = error_key(data, error["loc"], union_tags)
        raise ConfigError(path, key, error_message(error)) from None


def read_optional(
    root: Path | None, name: Path | str, model: type[Model], expected: str
) -> tuple[Path | None, Model]:
    """The workspace file `name` validated into `model`, and its path; `model`'s defaults
    and no path when there is no workspace folder or no such file.

    Raises:
        ConfigError: as :func:`read_definitions`.
    """
    if root is None or not (root / name).is_file():
        return None, model()
    path = root / name
    return path, read_definitions(path, model, expected)


def error_key(
    data: Any,
    loc: tuple[int | str, ...],
    union_tags: Mapping[str, Collection[str]] | None = None,
) -> str:
    """The dotted key of a pydantic error location; list items are named by their `name`.

    Examples:
        >>> error_key({"rules": [{"name": "a"}, {"name": "b"}]}, ("rules", 1, "check"))
        'rules[b].check'
    """
    parts: list[str] = []
    node: Any = data
    for item in loc:
        if isinstance(item, int) and isinstance(node, list) and item < len(node) and parts:
            node = node[item]
            name = node.get("name") if isinstance(node, dict) else None
            parts[-1] = f"{parts[-1]}[{name or item}]"
            continue
        if parts and item in (union_tags or {}).get(parts[-1], ()):
            continue
        if isinstance(node, dict):
            node = node.get(item)
        parts.append(str(item))
    return ".".join(parts)


def error_message(error: Any) -> str:
    """A pydantic error's message in the words of a definition file."""
    if error.get("type") == "extra_forbidden":
        return "unknown key"
    if error.get("type") == "missing":
        return "required key is missing"
    return str(error.get("msg", "invalid")).removeprefix("Value error, ")
