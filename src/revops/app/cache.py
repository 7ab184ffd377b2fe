"""Computed results kept per key for as long as the warehouse's data is the same.

A value is built once however many requests ask for it at the same moment: the first
builds it, the others wait for that build (a cockpit under load would otherwise compute
the same page once per waiting client, one after the other behind the warehouse lock).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from typing import Any, TypeVar

T = TypeVar("T")
_UNSET = object()

UNVERSIONED_SECONDS = 300.0
"""How long a result is kept when the warehouse cannot tell whether its data changed."""
CHECK_SECONDS = 2.0
"""How often the data version is asked for: the check is cheap, but not free on a server."""


class ResultCache:
    """Results by key, dropped when the warehouse's data version changes.

    Args:
        version: the warehouse's data version (:meth:`revops.warehouse.Warehouse.
            data_version`), or None when it cannot tell; then results expire after
            :data:`UNVERSIONED_SECONDS`. Called at most every :data:`CHECK_SECONDS`;
            it returns the last known version itself when it cannot ask now.
        size: how many results are kept (least recently used go first).
        on_change: called (from the checking thread) after a change of version emptied
            the cache, so the caller can compute the most asked-for results again.
    """

    def __init__(
        self,
        version: Callable[[], Hashable | None],
        *,
        size: int = 512,
        on_change: Callable[[], None] | None = None,
    ) -> None:
        self._version = version
        self._size = size
        self._on_change = on_change
        self._entries: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
        self._building: dict[Hashable, Future[Any]] = {}
        self._lock = threading.Lock()
        self._known: object = _UNSET
        self._checked = -CHECK_SECONDS
        self._generation = 0

    def get(self, key: Hashable, build: Callable[[], T]) -> T:
        """The value under `key`, built by `build()` unless kept or being built already.

        An error of `build` reaches every caller waiting for it and is not kept.
        """
        self.refresh()
        now = time.monotonic()
        with self._lock:
            hit = self._entries.get(key)
            if hit is not None and (self._known is not None or now - hit[0] < UNVERSIONED_SECONDS):
                self._entries.move_to_end(key)
                return hit[1]  # type: ignore[no-any-return]
            generation = self._generation
            pending = self._building.get(key)
            owner = pending is None
            if pending is None:
                pending = self._building[key] = Future()
        if not owner:
            return pending.result()  # type: ignore[no-any-return]
        try:
            value = build()
        except BaseException as exc:
            with self._lock:
                del self._building[key]
            pending.set_exception(exc)
            raise
        with self._lock:
            del self._building[key]
            # Built from data that changed meanwhile: handed to its callers, not kept.
            if generation == self._generation:
                self._entries[key] = (now, value)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)
        pending.set_result(value)
        return value

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._entries

    def items(self) -> list[tuple[Hashable, Any]]:
        """The kept keys and values, least recently used first."""
        with self._lock:
            return [(key, value) for key, (_, value) in self._entries.items()]

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def refresh(self) -> None:
        """Ask for the data version (unless asked in the last :data:`CHECK_SECONDS`) and
        empty the cache when it changed."""
        now = time.monotonic()
        if now - self._checked < CHECK_SECONDS:
            return
        self._checked = now
        version = self._version()
        with self._lock:
            first = self._known is _UNSET
            changed = version != self._known
            self._known = version
            if changed:
                self._entries.clear()
                self._generation += 1
        if changed and not first and self._on_change is not None:
            self._on_change()

    def stale(self) -> None:
        """Forget every kept result and ask for the data version at the next read, whose
        change then calls `on_change` (after a write the app made itself)."""
        self.clear()
        with self._lock:
            self._checked = -CHECK_SECONDS

    def clear(self) -> None:
        """Forget every kept result."""
        with self._lock:
            self._entries.clear()
            self._generation += 1
