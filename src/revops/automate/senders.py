"""Messages leaving revops: e-mail over SMTP, JSON webhooks, Slack incoming webhooks.

Secrets (the SMTP password, webhook URLs) are read from the environment variables the
config names, when a message is sent; they are never logged nor stored. A failing send is
tried again with a doubling wait, a bounded number of times (:func:`with_retries`).
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from revops.errors import AutomateError

if TYPE_CHECKING:
    from revops.config import SmtpSettings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    """How a send ended: `sent` or `failed`, after how many attempts, with the last error."""

    status: str
    attempts: int
    error: str = ""


def secret(env: str, what: str) -> str:
    """The value of environment variable `env`.

    Raises:
        AutomateError: the variable is not set (its name is given, never a value).
    """
    value = os.environ.get(env)
    if not value:
        raise AutomateError(f"environment variable {env} ({what}) is not set")
    return value


def with_retries(
    send: Callable[[], None],
    *,
    attempts: int,
    backoff: float,
    sleep: Callable[[float], None] = time.sleep,
    hide: tuple[str, ...] = (),
) -> Outcome:
    """Call `send` until it succeeds, at most `attempts` times, waiting `backoff` seconds
    before the second attempt and twice as long before each next one.

    `hide` are strings (a URL) blanked out of the error reported.
    """
    error = ""
    for attempt in range(1, attempts + 1):
        try:
            send()
        except AutomateError as exc:  # a missing secret or recipient: trying again won't help
            return Outcome("failed", attempt, str(exc))
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"
            for text in hide:
                if text:
                    error = error.replace(text, "<secret>")
            log.warning("attempt %s of %s failed: %s", attempt, attempts, error)
            if attempt < attempts:
                sleep(backoff * 2 ** (attempt - 1))
            continue
        return Outcome("sent", attempt)
    return Outcome("failed", attempts, error)


def send_email(
    settings: SmtpSettings,
    to: list[str],
    subject: str,
    text: str,
    html: str | None = None,
    images: dict[str, bytes] | None = None,
    attachments: Sequence[tuple[str, bytes, str]] = (),
) -> None:
    """Send one message to `to` through the SMTP server of `settings`; `images` are PNGs
    the HTML part shows inline, each as ``<img src="cid:KEY">``; `attachments` are files
    (name, content, MIME type such as ``application/pdf``)."""
    import smtplib
    from email.message import EmailMessage

    message = EmailMessage()
    message["From"] = settings.sender
    message["To"] = ", ".join(to)
    message["Subject"] = subject
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
        part = message.get_body(preferencelist=("html",))
        for key, png in (images or {}).items():
            if part is not None:
                part.add_related(png, "image", "png", cid=f"<{key}>")
    for name, content, mime in attachments:
        maintype, _, subtype = mime.partition("/")
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=name)
    with smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout_seconds) as smtp:
        if settings.starttls:
            smtp.starttls()
        if settings.user:
            password = (
                secret(settings.password_env, "SMTP password") if settings.password_env else ""
            )
            smtp.login(settings.user, password)
        smtp.send_message(message)


def post_json(url: str, payload: dict[str, Any], timeout: float = 10) -> None:
    """POST `payload` as JSON to `url`; any status but 2xx is an error."""
    import json
    import urllib.request

    body = json.dumps(payload, default=str).encode()
    request = urllib.request.Request(
        url, body, headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        if not 200 <= response.status < 300:
            raise OSError(f"HTTP {response.status}")
