"""A subscription's message: the values of its metrics for its user's rows, as an HTML
e-mail with links to the cockpit or as a Slack/webhook message.

The values come from the metric layer with the user's row scope, the same call the
cockpit's metric API makes for that user, so a message never shows a number the user
would not see on the page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from html import escape
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from revops.automate.workflow import Subscription
from revops.errors import RevOpsError

if TYPE_CHECKING:
    from revops.metrics import Metrics
    from revops.metrics.query import Grain
    from revops.metrics.scope import Scope


@dataclass(frozen=True)
class Digest:
    """The values of a subscription's metrics and the message that carries them."""

    subscription: Subscription
    window: str
    values: list[dict[str, Any]]
    subject: str
    charts: dict[str, bytes] = field(default_factory=dict)
    """PNG per metric (content id ``chart-<metric>``): its values over the window's
    periods, where the window has more than one."""

    def text(self) -> str:
        """The message as plain text (e-mail part, Slack)."""
        lines = [self.subject, ""]
        lines += [f"- {v['label']}: {v['shown']}  <{v['link']}>" for v in self.values]
        return "\n".join(lines)

    def html(self) -> str:
        """The message as an HTML e-mail: a table of the values with links, then each
        metric's chart (an inline image, linked to its page)."""
        rows = "".join(
            f'<tr><td><a href="{escape(v["link"])}">{escape(v["label"])}</a></td>'
            f'<td style="text-align:right" data-metric="{escape(v["metric"])}">'
            f"{escape(v['shown'])}</td></tr>"
            for v in self.values
        )
        charts = "".join(
            f'<p><a href="{escape(v["link"])}"><img src="cid:{chart_id(v["metric"])}" '
            f'alt="{escape(v["label"])} by period" width="480" height="180"></a></p>'
            for v in self.values
            if chart_id(v["metric"]) in self.charts
        )
        return (
            f"<html><body><h2>{escape(self.subject)}</h2>"
            f'<table border="0" cellpadding="4">{rows}</table>{charts}'
            f"<p>Values within your rows, as the cockpit shows them.</p></body></html>"
        )

    def payload(self) -> dict[str, Any]:
        """The JSON body of a webhook delivery."""
        return {"subscription": self.subscription.name, "user": self.subscription.user,
                "window": self.window, "values": self.values, "text": self.text()}  # fmt: skip


@dataclass(frozen=True)
class PackMail:
    """A meeting pack as delivered: its summary (headline figures, risks, a link to the
    pack in the cockpit) and its PDF, made by the caller's :data:`PackMaker` (the pack is
    built above this layer, :func:`revops.app.delivery.pack_maker`)."""

    window: str
    subject: str
    summary: list[str]
    link: str
    pdf: bytes
    filename: str

    def text(self) -> str:
        """The message as plain text (e-mail part, Slack)."""
        return "\n".join([self.subject, "", *self.summary, "", f"The pack: <{self.link}>"])

    def html(self) -> str:
        """The message as an HTML e-mail: the summary, the link; the PDF is attached."""
        items = "".join(f"<li>{escape(line)}</li>" for line in self.summary)
        return (
            f"<html><body><h2>{escape(self.subject)}</h2><ul>{items}</ul>"
            f'<p><a href="{escape(self.link)}">The pack in the cockpit</a>; its PDF is '
            f"attached ({escape(self.filename)}).</p></body></html>"
        )

    def payload(self) -> dict[str, Any]:
        """The JSON body of a webhook delivery (without the PDF: the link fetches it)."""
        return {"window": self.window, "subject": self.subject, "summary": self.summary,
                "link": self.link, "text": self.text()}  # fmt: skip


PackMaker = Callable[[Subscription, datetime], PackMail]
"""Builds the pack of a subscription (its `pack` template) as of an instant for its user.

Raises:
    AutomateError: the user may not read the pack, or it cannot be built.
"""


def chart_id(metric: str) -> str:
    """The content id of `metric`'s chart in the e-mail.

    Examples:
        >>> chart_id("win_rate")
        'chart-win_rate@revops'
    """
    return f"chart-{metric}@revops"


def shown(value: float | None, unit: str) -> str:
    """A value as a person reads it.

    Examples:
        >>> shown(2.4, "multiple"), shown(0.25, "ratio"), shown(1234.5, "currency")
        ('2.40×', '25.0%', '1,234.50')
        >>> shown(None, "count")
        '—'
    """
    if value is None:
        return "—"
    if unit == "multiple":
        return f"{value:.2f}×"
    if unit == "ratio":
        return f"{value * 100:.1f}%"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}"


def digest(
    subscription: Subscription,
    metrics: Metrics,
    scope: Scope,
    as_of: date,
    base_url: str,
) -> Digest:
    """The subscription's metrics for its user's `scope` as of `as_of`."""
    result = metrics.compute(
        list(subscription.metrics), subscription.window, as_of=as_of, scope=scope
    )
    window = result.window.label
    values: list[dict[str, Any]] = []
    for name in subscription.metrics:
        metric = metrics.catalog.metric(name)
        value = result.value(name)
        query = urlencode({"metric": name, "window": window})
        values.append({"metric": name, "label": metric.label, "value": value,
                       "shown": shown(value, metric.unit),
                       "link": f"{base_url.rstrip('/')}{subscription.page}?{query}"})  # fmt: skip
    first = values[0]
    if subscription.kind == "alert":
        side = "under" if subscription.below is not None else "over"
        limit = subscription.below if subscription.below is not None else subscription.above
        subject = f"Alert: {first['label']} is {first['shown']}, {side} {limit} ({window})"
    else:
        subject = f"{subscription.name}: {', '.join(v['label'] for v in values)} ({window})"
    try:
        charts = _charts(subscription, metrics, scope, as_of, values)
    except RevOpsError:  # the values go out without their charts
        charts = {}
    return Digest(subscription, window, values, subject, charts)


def _charts(
    subscription: Subscription,
    metrics: Metrics,
    scope: Scope,
    as_of: date,
    values: list[dict[str, Any]],
) -> dict[str, bytes]:
    """Each metric of a digest over the window's months (its quarters, for a year), for
    the same rows as its values; none for a window of one month. Each value of `values`
    gets its ``series`` (period and value), which the chart draws."""
    from revops.automate.charts import series_png

    names = [str(v["metric"]) for v in values]
    window = metrics.window(subscription.window, as_of)
    grain: Grain = "quarter" if window.kind == "year" else "month"
    periods = metrics.periods(window, grain, as_of)
    if len(periods) < 2:
        return {}
    series = metrics.compute(names, window.label, grain=grain, as_of=as_of, scope=scope)
    charts = {}
    for value in values:
        name = value["metric"]
        points = [series.value(name, period=p.label) for p in periods]
        value["series"] = [
            {"period": p.label, "value": v} for p, v in zip(periods, points, strict=True)
        ]
        label = metrics.catalog.metric(name).label
        charts[chart_id(name)] = series_png(label, [p.label for p in periods], points)
    return charts
