"""Every CLI command is documented in the README."""

from pathlib import Path

import typer.main

from revops.cli.app import app

README = (Path(__file__).parents[2] / "README.md").read_text()


def command_paths() -> list[str]:
    root = typer.main.get_command(app)
    paths = []

    def walk(command: object, prefix: str) -> None:
        children = getattr(command, "commands", None)
        if children is None:
            paths.append(prefix)
            return
        if getattr(command, "invoke_without_command", False):
            paths.append(prefix)
        for name, child in children.items():
            walk(child, f"{prefix} {name}")

    walk(root, "revops")
    return [p for p in paths if p != "revops"]


def test_every_command_is_in_the_readme() -> None:
    paths = command_paths()
    assert "revops warehouse init" in paths
    assert "revops model" in paths
    missing = [p for p in paths if f"`{p}" not in README]
    assert missing == []
