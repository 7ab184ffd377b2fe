"""The `Examples:` blocks of every module's docstrings run and give what they show."""

from __future__ import annotations

import doctest
import importlib
import pkgutil
from types import ModuleType

import pytest

import revops


def modules() -> list[str]:
    return sorted(
        info.name
        for info in pkgutil.walk_packages(revops.__path__, "revops.")
        if not info.name.endswith("__main__")
    )


@pytest.mark.parametrize("name", modules())
def test_every_module_imports_and_its_examples_run(name: str) -> None:
    module: ModuleType = importlib.import_module(name)
    results = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert results.failed == 0


def test_the_public_names_are_pinned() -> None:
    assert revops.__all__ == ["RevOpsConfig", "RevOpsError", "Workspace", "__version__"]
