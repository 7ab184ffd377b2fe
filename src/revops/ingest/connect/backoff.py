"""Retry a source API call that failed for a reason that passes: rate limits, server
errors, dropped connections. A rate limit's ``Retry-After`` is honoured; otherwise the
wait doubles from one second, with jitter, up to a cap. What does not pass (bad
credentials, a missing permission) is raised at once by the connector as a
:class:`~revops.errors.ConnectorError`."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from revops.errors import ConnectorError

T = TypeVar("T")
log = logging.getLogger(__name__)


class Retryable(Exception):  # noqa: N818 - a kind of failure, raised to be caught here
    """A failure that may pass: `retry_after` seconds when the API said how long."""

    def __init__(self, problem: str, retry_after: float | None = None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.retry_after = retry_after


@dataclass(frozen=True)
class Backoff:
    """How often and how long to wait before giving up."""

    attempts: int = 6
    first_wait: float = 1.0
    max_wait: float = 60.0
    sleep: Callable[[float], None] = time.sleep

    def wait(self, attempt: int, retry_after: float | None) -> float:
        """Seconds to wait before try `attempt + 1` (`attempt` counts from 1)."""
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.max_wait)
        base = min(self.first_wait * 2.0 ** (attempt - 1), self.max_wait)
        return base / 2 + random.uniform(0, base / 2)

    def call(self, fn: Callable[[], T], source: str, stream: str) -> T:
        """`fn()`, tried again after each :class:`Retryable` failure.

        Raises:
            ConnectorError: every attempt failed (naming the source, the stream and the
                last failure).
        """
        for attempt in range(1, self.attempts + 1):
            try:
                return fn()
            except Retryable as exc:
                if attempt == self.attempts:
                    raise ConnectorError(
                        source, stream, f"gave up after {self.attempts} attempts: {exc.problem}"
                    ) from None
                seconds = self.wait(attempt, exc.retry_after)
                log.warning("%s %s: %s; retrying in %.1fs", source, stream, exc.problem, seconds)
                self.sleep(seconds)
        raise AssertionError("unreachable")  # pragma: no cover
