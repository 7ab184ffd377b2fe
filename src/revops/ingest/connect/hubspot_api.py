"""HubSpot's CRM API through its official Python SDK (``hubspot-api-client``), answering
the JSON HubSpot sent: the SDK builds the requests and authenticates with the private
app's access token; its responses are read raw (``_preload_content=False``), so a page
is loaded byte for byte as the API wrote it (the SDK's models would rename fields), and
its status (of the answer, or of the SDK's ``ApiException``) decides here what a failure
means: a rate limit or a server error is retried (``Retry-After`` honoured), a refused
token or a missing scope is one line naming the object.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from revops.errors import ConnectorError
from revops.ingest.connect.backoff import Backoff, Retryable

if TYPE_CHECKING:
    from revops.ingest.connect.connection import Connection

SOURCE = "hubspot"
TIMEOUT = 60.0


class HubSpotAPI:
    """The calls the connector makes, each returning the answer's JSON object."""

    def __init__(self, connection: Connection, backoff: Backoff) -> None:
        self.connection = connection
        self.backoff = backoff
        self._apis: dict[str, Any] = {}

    def _api(self, name: str) -> Any:
        """One of the SDK's API objects, made once (each holds its own connection pool)."""
        if not self._apis:
            from hubspot import HubSpot
            from urllib3.util.retry import Retry

            config: dict[str, Any] = {
                "access_token": self.connection.api_key(),
                # Retries are ours (with Retry-After); urllib3 only reports the failure.
                "retry": Retry(total=0, raise_on_status=False),
            }
            if self.connection.base_url:
                config["host"] = self.connection.base_url.rstrip("/")
            crm = HubSpot(**config).crm
            self._apis = {
                "objects": crm.objects.basic_api,
                "search": crm.objects.search_api,
                "owners": crm.owners.owners_api,
                "properties": crm.properties.core_api,
                "associations": crm.associations.v4.batch_api,
            }
        return self._apis[name]

    def objects(self, stream: str, **params: Any) -> dict[str, Any]:
        """``GET /crm/v3/objects/{stream}`` (a page of the list)."""
        return self._call(stream, lambda: self._api("objects").get_page(stream, **params, **RAW))

    def search(self, stream: str, request: dict[str, Any]) -> dict[str, Any]:
        """``POST /crm/v3/objects/{stream}/search``."""
        return self._call(stream, lambda: self._api("search").do_search(stream, request, **RAW))

    def owners(self, **params: Any) -> dict[str, Any]:
        """``GET /crm/v3/owners``."""
        return self._call("owners", lambda: self._api("owners").get_page(**params, **RAW))

    def properties(self, stream: str) -> list[str]:
        """The names of the properties of `stream`'s objects."""
        body = self._call(stream, lambda: self._api("properties").get_all(stream, **RAW))
        results = body.get("results")
        if not isinstance(results, list):
            raise ConnectorError(SOURCE, stream, "the properties answer holds no results")
        return [str(p["name"]) for p in results if isinstance(p, dict) and p.get("name")]

    def associations(self, stream: str, to: str, inputs: list[dict[str, str]]) -> dict[str, Any]:
        """``POST /crm/v4/associations/{stream}/{to}/batch/read`` for `inputs`: ``{"id"}``,
        with ``after`` for a record's next page of associations."""
        request = {"inputs": inputs}
        return self._call(
            stream, lambda: self._api("associations").get_page(stream, to, request, **RAW)
        )

    def _call(self, stream: str, fn: Callable[[], Any]) -> dict[str, Any]:
        """`fn()` with retries; a failure that does not pass becomes one clear line."""
        import urllib3

        refused = _api_exceptions()

        def attempt() -> dict[str, Any]:
            try:
                response = fn()
                status, headers, data = int(response.status), response.headers, response.data
            except refused as exc:  # the SDK raises on any status but 2xx
                error: Any = exc
                status, headers, data = int(error.status or 0), error.headers, error.body
                if status == 0:  # its name for a TLS failure
                    raise Retryable(f"connection failed: {error.reason}") from None
            except urllib3.exceptions.HTTPError as exc:
                raise Retryable(f"connection failed: {type(exc).__name__}: {exc}") from None
            if status == 429 or status >= 500:
                kind = "rate limited" if status == 429 else "server error"
                raise Retryable(f"{kind} ({status})", _retry_after(headers))
            body = _json(data)
            if status != 200:
                raise ConnectorError(SOURCE, stream, self._explain(status, body, stream))
            if not isinstance(body, dict):
                raise ConnectorError(SOURCE, stream, "the API answered something that is not JSON")
            return body

        return self.backoff.call(attempt, SOURCE, stream)

    def _explain(self, status: int, body: Any, stream: str) -> str:
        """One line a user acts on, for an error the API will repeat if asked again."""
        body = body if isinstance(body, dict) else {}
        message = " ".join(str(body.get("message") or f"HTTP {status}").split())
        where = f"the token from {self.connection.key_env or self.connection.secrets_file}"
        if status == 401:
            return f"the access token was refused (401): check {where} ({message})"
        if status == 403:
            scopes = _scopes(body) or [f"crm.objects.{stream}.read"]
            return (
                f"the access token may not read {stream} (403): give the private app the "
                f"scope {' or '.join(scopes)} ({body.get('category') or message})"
            )
        return f"the API refused the request ({status}): {message}"


RAW = {"_preload_content": False, "_request_timeout": TIMEOUT}
"""Ask the SDK for the raw response: its body as HubSpot sent it, whatever the status."""


def _api_exceptions() -> tuple[type[Exception], ...]:
    """The SDK's error classes: each of its API packages has its own ``ApiException``."""
    from hubspot.crm.associations.v4.exceptions import ApiException as AssociationsError
    from hubspot.crm.objects.exceptions import ApiException as ObjectsError
    from hubspot.crm.owners.exceptions import ApiException as OwnersError
    from hubspot.crm.properties.exceptions import ApiException as PropertiesError

    return (AssociationsError, ObjectsError, OwnersError, PropertiesError)


def _json(data: bytes | str | None) -> Any:
    try:
        return json.loads(data or b"")
    except ValueError:
        return None


def _scopes(body: dict[str, Any]) -> list[str]:
    """The scopes a MISSING_SCOPES answer says are needed."""
    found: list[str] = []
    for error in body.get("errors") or []:
        context = error.get("context") if isinstance(error, dict) else None
        if isinstance(context, dict):
            for key in ("requiredGranularScopes", "requiredScopes"):
                found += [str(s) for s in context.get(key) or []]
    return found


def _retry_after(headers: Any) -> float | None:
    value = headers.get("Retry-After") if headers is not None else None
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None
