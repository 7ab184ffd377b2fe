"""What the root command hands to every command: where the workspace is."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from revops.workspace import Workspace

if TYPE_CHECKING:
    from revops.app.db import AppDatabase


@dataclass
class State:
    """Global options of the `revops` command."""

    workspace_path: Path | None
    debug: bool = False

    def open_workspace(self, *, read_only: bool = False) -> Workspace:
        """The workspace named by --workspace, $REVOPS_WORKSPACE or the current folder.

        Commands that only read open it `read_only`: an embedded DuckDB warehouse is
        then opened for reading, which works while `revops serve` (or another reader)
        holds the file; commands that write need it to themselves.
        """
        return Workspace.open(self.workspace_path, read_only=read_only)

    def open_app_database(self) -> AppDatabase:
        """The cockpit's app database of the workspace (users, tokens, audit log),
        migrated to the current schema. The warehouse is not opened."""
        from revops.app.db import AppDatabase

        ws = self.open_workspace(read_only=True)
        db = AppDatabase(ws.config.app_database.url, ws.root)
        db.migrate()
        return db

    def create_workspace(self, directory: Path | None) -> Workspace:
        """A new workspace in `directory`, else where --workspace points."""
        return Workspace.create(Workspace.locate(directory or self.workspace_path))
