"""The key that signs session cookies: from the environment or a private file.

``REVOPS_SECRET_KEY`` wins (several servers behind a balancer share it); otherwise the
workspace's ``.revops/secret.key``, made on first start with mode 0600 in a 0700 folder
that ignores itself in git. The key is never kept in the app database, where a copy of
``app.db`` (a backup, a bug report) would let anyone forge a session.
"""

from __future__ import annotations

import logging
import os
import secrets
import stat
from pathlib import Path

from revops.errors import AppError

log = logging.getLogger(__name__)
SECRET_ENV = "REVOPS_SECRET_KEY"
KEY_FILE = Path(".revops") / "secret.key"
MIN_LENGTH = 32


def session_key(root: Path) -> str:
    """The session signing key for the workspace at `root`.

    Raises:
        AppError: the variable or file holds fewer than 32 characters, or the file cannot
            be read or made.
    """
    value = os.environ.get(SECRET_ENV, "").strip()
    if value:
        return _checked(value, f"${SECRET_ENV}")
    path = root / KEY_FILE
    try:
        return _checked(_read(path) if path.exists() else _create(path), str(path))
    except OSError as exc:
        raise AppError(f"cannot read or make the session key {path}: {exc}") from None


def _checked(value: str, where: str) -> str:
    if len(value) < MIN_LENGTH:
        raise AppError(f"the session key in {where} needs at least {MIN_LENGTH} characters")
    return value


def _read(path: Path) -> str:
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        log.warning("%s was readable by others (mode %o): made 0600", path, mode)
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


def _create(path: Path) -> str:
    folder = path.parent
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    ignore = folder / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# Private to this machine: never commit.\n*\n", encoding="utf-8")
    value = secrets.token_urlsafe(48)
    try:
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another worker made it first
        return _read(path)
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(value + "\n")
    return value
