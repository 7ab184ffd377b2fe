"""Security headers on every response: pages, API, errors, static files, redirects.

The Content-Security-Policy allows scripts, styles and images from the app itself only:
no inline script, no inline event handler, no ``javascript:`` URL runs, so a value that
slipped into a page unescaped still could not execute. A response that sets its own
policy (the API reference page, which loads Swagger UI) keeps it.
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
SECURITY_HEADERS: tuple[tuple[str, str], ...] = (
    ("content-security-policy", CONTENT_SECURITY_POLICY),
    ("x-frame-options", "DENY"),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "same-origin"),
    ("cross-origin-opener-policy", "same-origin"),
)


class SecurityHeaders:
    """ASGI middleware adding :data:`SECURITY_HEADERS` to every HTTP response that does
    not set the header itself."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [
                    (name.encode(), value.encode())
                    for name, value in SECURITY_HEADERS
                    if name.encode() not in present
                ]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


class SecuredApp(FastAPI):
    """A FastAPI app with :class:`SecurityHeaders` outermost, so that even the 500 of an
    unhandled error (answered by Starlette's outermost error middleware) carries them."""

    def build_middleware_stack(self) -> ASGIApp:
        """The usual stack, wrapped in :class:`SecurityHeaders`."""
        return SecurityHeaders(super().build_middleware_stack())
