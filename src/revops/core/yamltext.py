"""YAML read with libyaml's parser when PyYAML has it: ten times faster than the pure
Python one (the metric catalog's built-in files: 13 ms against 123 ms), same results."""

from __future__ import annotations

from typing import Any


def parse_yaml(text: str) -> Any:
    """`text` parsed as safe YAML (plain data only: no Python objects).

    Raises:
        yaml.YAMLError: not valid YAML (with `problem_mark` where the parser knows it).

    Examples:
        >>> parse_yaml("metrics:\\n  - name: bookings\\n")
        {'metrics': [{'name': 'bookings'}]}
    """
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(text, Loader=loader)
