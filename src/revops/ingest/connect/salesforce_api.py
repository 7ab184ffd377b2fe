"""Salesforce's REST API over ``httpx``: OAuth 2.0 access tokens, retries, and failures
as one line a user acts on.

Credentials, by the connection:

- an access token (``key_env`` or the secrets file's ``api_key``) with the instance URL
  (``base_url``); when Salesforce refuses it (401 ``INVALID_SESSION_ID``) the sync stops;
- ``oauth: refresh_token`` or ``client_credentials``: ``POST {base_url}/services/oauth2/token``
  with the connected app's client id (``user``) and its secrets
  (``SALESFORCE_CLIENT_SECRET``, ``SALESFORCE_REFRESH_TOKEN`` or the secrets file) gives
  the access token and the instance URL; a 401 asks for a new token once, then retries.

Tokens live in memory only. Why not ``simple-salesforce``: see docs/connectors.md.
"""

from __future__ import annotations

import contextlib
import logging
from typing import TYPE_CHECKING, Any

from revops.errors import ConnectorError
from revops.ingest.connect.backoff import Backoff, Retryable

if TYPE_CHECKING:
    import httpx

    from revops.ingest.connect.connection import Connection

API_VERSION = "v60.0"
TOKEN_PATH = "/services/oauth2/token"
log = logging.getLogger(__name__)


class Expired(Exception):  # noqa: N818 - a kind of failure, raised to be caught here
    """The access token was refused (401): a flow may get another."""


class SalesforceApi:
    """GETs against one org's REST API, with a token, retries and clear failures."""

    source = "salesforce"

    def __init__(self, connection: Connection, backoff: Backoff) -> None:
        if not connection.base_url:
            raise ConnectorError(
                self.source,
                None,
                "no instance URL: connect with --base-url https://<my-domain>.my.salesforce.com",
            )
        if connection.oauth and not connection.user:
            raise ConnectorError(
                self.source, None, "no client id: connect with --user <the connected app's id>"
            )
        self.connection = connection
        self.backoff = backoff
        self.instance = connection.base_url.rstrip("/")
        self._token: str | None = None
        self._client: httpx.Client | None = None

    @property
    def client(self) -> httpx.Client:
        if self._client is None:
            import httpx

            self._client = httpx.Client(timeout=120.0, follow_redirects=False)
        return self._client

    def data_url(self, path: str) -> str:
        """The address of a REST resource (``query``, ``sobjects/Account/describe``), or of
        a ``nextRecordsUrl`` as the API gave it."""
        if path.startswith("/"):
            return f"{self.instance}{path}"
        return f"{self.instance}/services/data/{API_VERSION}/{path}"

    def token(self) -> str:
        """The access token: the connection's, or a new one from the OAuth flow."""
        if self._token is None:
            self._token = self._grant() if self.connection.oauth else self.connection.api_key()
        return self._token

    def get(
        self,
        stream: str,
        path: str,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """One GET of a JSON resource with retries; a 401 under an OAuth flow gets a new
        token first.

        Raises:
            ConnectorError: the API refused the request (one line naming the object), or
                kept failing.
        """
        response = self.request(stream, "GET", path, params=params, headers=headers)
        return json_object(response, stream)

    def request(
        self,
        stream: str,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        body: dict[str, Any] | None = None,
    ) -> httpx.Response:
        """One request (a JSON `body` for a POST) answered 200 or 201, with retries; a 401
        under an OAuth flow gets a new token first. The Bulk API 2.0 reads its CSV results
        through it.

        Raises:
            ConnectorError: the API refused the request (one line naming the object), or
                kept failing.
        """
        for _ in range(2):
            try:
                return self.backoff.call(
                    lambda: self._send(stream, method, path, params, headers or {}, body),
                    self.source,
                    stream,
                )
            except Expired as exc:
                if not self.connection.oauth:
                    raise ConnectorError(self.source, stream, self._refused(str(exc))) from None
                log.info("salesforce %s: the access token expired; asking for a new one", stream)
                self._token = None
        raise ConnectorError(self.source, stream, self._refused("refused a fresh token too"))

    def _send(
        self,
        stream: str,
        method: str,
        path: str,
        params: dict[str, Any] | None,
        headers: dict[str, str],
        body: dict[str, Any] | None,
    ) -> httpx.Response:
        import httpx

        auth = {"Authorization": f"Bearer {self.token()}", **headers}
        try:
            response = self.client.request(
                method, self.data_url(path), params=params, headers=auth, json=body
            )
        except httpx.HTTPError as exc:
            raise Retryable(f"connection failed: {type(exc).__name__}: {exc}") from None
        if response.status_code in (200, 201):
            return response
        code, message = _error(response)
        if response.status_code == 429 or response.status_code >= 500:
            raise Retryable(
                f"{'rate limited' if response.status_code == 429 else 'server error'} "
                f"({response.status_code})",
                _retry_after(response.headers.get("Retry-After")),
            )
        if code == "REQUEST_LIMIT_EXCEEDED" and "TotalRequests" not in message:
            # A concurrent-request limit passes; the org's daily limit does not.
            raise Retryable(
                f"rate limited ({message})", _retry_after(response.headers.get("Retry-After"))
            )
        if response.status_code == 401:
            raise Expired(f"{code}: {message}" if code else message)
        raise ConnectorError(
            self.source, stream, _explain(response.status_code, code, message, stream)
        )

    def _refused(self, detail: str) -> str:
        if self.connection.oauth:
            return f"the access token was refused (401) ({detail})"
        where = self.connection.key_env or self.connection.secrets_file
        return f"the access token was refused (401): check the token from {where} ({detail})"

    def _grant(self) -> str:
        """An access token from the OAuth 2.0 flow; the instance URL it names is used."""
        import httpx

        flow = self.connection.oauth
        form = {"grant_type": flow, "client_id": self.connection.user or ""}
        if flow == "refresh_token":
            form["refresh_token"] = self.connection.secret("refresh_token")
            # A connected app may not require its secret with a refresh token.
            with contextlib.suppress(ConnectorError):
                form["client_secret"] = self.connection.secret("client_secret")
        else:
            form["client_secret"] = self.connection.secret("client_secret")

        def attempt() -> dict[str, Any]:
            try:
                response = self.client.post(f"{self.instance}{TOKEN_PATH}", data=form)
            except httpx.HTTPError as exc:
                raise Retryable(f"connection failed: {type(exc).__name__}: {exc}") from None
            if response.status_code == 429 or response.status_code >= 500:
                raise Retryable(f"server error ({response.status_code})")
            body = _json(response)
            if response.status_code != 200 or not isinstance(body.get("access_token"), str):
                detail = (
                    body.get("error_description") or body.get("error") or response.reason_phrase
                )
                raise ConnectorError(
                    self.source,
                    None,
                    f"the OAuth {flow} flow was refused ({response.status_code}): {detail}; "
                    "check the client id, its secret and the refresh token",
                )
            return body

        body = self.backoff.call(attempt, self.source, "oauth")
        if isinstance(body.get("instance_url"), str) and body["instance_url"]:
            self.instance = body["instance_url"].rstrip("/")
        return str(body["access_token"])


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def json_object(response: httpx.Response, stream: str) -> dict[str, Any]:
    """The JSON object a successful answer holds; one line naming `stream` otherwise."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise ConnectorError(
            "salesforce", stream, "the API answered something that is not a JSON object"
        )
    return body


def _error(response: httpx.Response) -> tuple[str, str]:
    """The ``errorCode`` and ``message`` of an error body (a list of them), on one line."""
    try:
        body = response.json()
    except ValueError:
        body = None
    first = body[0] if isinstance(body, list) and body else body
    if isinstance(first, dict):
        code = str(first.get("errorCode") or first.get("error") or "")
        message = str(first.get("message") or first.get("error_description") or "")
        return code, " ".join(message.split())
    return "", response.reason_phrase


def _explain(status: int, code: str, message: str, stream: str) -> str:
    """One line a user acts on, for an error the API will repeat if asked again."""
    if code == "REQUEST_LIMIT_EXCEEDED":
        return (
            f"the org's daily API request limit is used up ({code}: {message}); "
            "sync again once it frees up (Setup → Company Information shows the limit)"
        )
    if status == 403:
        return (
            f"the user may not read {stream} (403): give the user's profile or a permission "
            f"set read access to {stream} ({code}: {message})"
        )
    return f"the API refused the request ({status}): {code}: {message}"


def _retry_after(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None
