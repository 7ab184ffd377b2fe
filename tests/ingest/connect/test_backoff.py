"""Retries of a source API call: Retry-After honoured, and one clear error at the end."""

from __future__ import annotations

import pytest

from revops.errors import ConnectorError
from revops.ingest.connect.backoff import Backoff, Retryable


def test_a_failure_that_outlasts_the_retries_names_source_stream_and_problem() -> None:
    waits: list[float] = []
    calls = 0

    def fails() -> None:
        nonlocal calls
        calls += 1
        raise Retryable("server error (503)", retry_after=2.5)

    backoff = Backoff(attempts=3, sleep=waits.append)
    with pytest.raises(ConnectorError) as caught:
        backoff.call(fails, "stripe", "customers")
    assert calls == 3
    assert waits == [2.5, 2.5]  # the API's Retry-After, between the three tries
    assert caught.value.source == "stripe"
    assert caught.value.object == "customers"
    assert "gave up after 3 attempts: server error (503)" in str(caught.value)


def test_a_failure_that_passes_is_retried() -> None:
    answers = iter([Retryable("rate limited (429)"), "page"])

    def flaky() -> str:
        answer = next(answers)
        if isinstance(answer, Retryable):
            raise answer
        return answer

    assert Backoff(sleep=lambda _: None).call(flaky, "zendesk", "tickets") == "page"
