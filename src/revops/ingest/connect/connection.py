"""Connections to source APIs: where a source is, and where its credentials come from.

A connection is stored in the workspace's ``connections.yaml`` (not in ``revops.yaml``)
and never holds a secret: it names the environment variable that holds the API key, or
a secrets file outside the workspace folder, so the workspace can be kept in git::

    stripe:
      base_url: null                 # the vendor's own API; a URL for a proxy or a test server
      key_env: STRIPE_API_KEY        # or: secrets_file: ~/.config/revops/secrets.yaml
      page_size: 100
    zendesk:
      base_url: https://acme.zendesk.com
      user: agent@acme.com           # an API token is used with its agent's e-mail
      key_env: ZENDESK_API_TOKEN
    salesforce:
      base_url: https://acme.my.salesforce.com   # the instance (My Domain) URL
      key_env: SALESFORCE_ACCESS_TOKEN           # or an OAuth flow:
      # oauth: refresh_token                     # user: the connected app's client id

A secrets file is YAML: ``stripe: {api_key: sk_live_...}`` (one entry per source; a
HubSpot private app's access token is its ``hubspot: {api_key: pat-...}``); an OAuth
flow's secrets are ``salesforce: {client_secret: ..., refresh_token: ...}``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from revops.core.yamltext import parse_yaml
from revops.errors import ConfigError, ConnectorError

CONNECTIONS_FILE = "connections.yaml"


class Connection(BaseModel):
    """How to reach one source's API and where its key is (never the key itself)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    source: str = Field(description="The source system: stripe, zendesk, ...")
    base_url: str | None = Field(
        default=None, description="The API's address; empty for the vendor's own."
    )
    user: str | None = Field(
        default=None, description="The API user where the API asks for one (Zendesk: an e-mail)."
    )
    key_env: str | None = Field(
        default=None, description="The environment variable that holds the API key."
    )
    secrets_file: str | None = Field(
        default=None,
        description="A YAML file outside the workspace holding `<source>: {api_key: ...}`.",
    )
    oauth: Literal["refresh_token", "client_credentials"] | None = Field(
        default=None,
        description="Salesforce: the OAuth 2.0 flow that gets an access token (`user` is the "
        "connected app's client id; the secrets come from <SOURCE>_CLIENT_SECRET and "
        "<SOURCE>_REFRESH_TOKEN or the secrets file); none: the access token of key_env.",
    )
    page_size: int = Field(
        default=100,
        ge=1,
        le=1000,
        description="Records asked for per page (Stripe, HubSpot: 100 at most).",
    )

    bulk_threshold: int | None = Field(
        default=None,
        ge=0,
        description="Salesforce: a full sync reads an object holding at least this many "
        "records through a Bulk API 2.0 query job instead of REST query pages (0: every "
        "object; none: 50,000). Incremental syncs always use REST.",
    )

    def api_key(self) -> str:
        """The API key, read now from the environment or the secrets file.

        Raises:
            ConnectorError: the variable is unset, the file unreadable or without the key.
        """
        if self.key_env:
            value = os.environ.get(self.key_env, "").strip()
            if not value:
                raise ConnectorError(
                    self.source,
                    None,
                    f"no API key: the environment variable {self.key_env} is unset",
                )
            return value
        if self.secrets_file:
            return _key_from_file(self.source, Path(self.secrets_file).expanduser())
        raise ConnectorError(
            self.source, None, "no API key: the connection names no key_env or secrets_file"
        )

    def secret(self, name: str) -> str:
        """A secret other than the key (an OAuth flow's ``client_secret``): read now from
        the variable ``<SOURCE>_<NAME>``, else from the secrets file's ``<source>: {name:}``.

        Raises:
            ConnectorError: neither holds it.
        """
        variable = f"{self.source}_{name}".upper()
        value = os.environ.get(variable, "").strip()
        if value:
            return value
        if self.secrets_file:
            return _key_from_file(self.source, Path(self.secrets_file).expanduser(), name)
        raise ConnectorError(
            self.source, None, f"no {name}: the environment variable {variable} is unset"
        )


def _key_from_file(source: str, path: Path, name: str = "api_key") -> str:
    try:
        data = parse_yaml(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConnectorError(source, None, f"cannot read the secrets file {path}: {exc}") from None
    entry = data.get(source) if isinstance(data, dict) else None
    key = entry.get(name) if isinstance(entry, dict) else None
    if not isinstance(key, str) or not key.strip():
        raise ConnectorError(source, None, f"the secrets file {path} has no {source}.{name}")
    return key.strip()


def load_connections(root: Path) -> dict[str, Connection]:
    """The workspace's connections by source (none when the file does not exist).

    Raises:
        ConfigError: the file is not valid YAML or a connection is invalid.
    """
    path = root / CONNECTIONS_FILE
    if not path.exists():
        return {}
    try:
        data = parse_yaml(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(path, None, f"not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(path, None, "expected a mapping of source to connection")
    found = {}
    for source, entry in data.items():
        if entry is not None and not isinstance(entry, dict):
            raise ConfigError(path, str(source), "expected a mapping (base_url, key_env, ...)")
        try:
            found[str(source)] = Connection.model_validate({**(entry or {}), "source": source})
        except ValidationError as exc:
            problem = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
            raise ConfigError(path, str(source), problem) from None
    return found


def get_connection(root: Path, source: str) -> Connection:
    """The stored connection of `source`.

    Raises:
        ConnectorError: the source was never connected.
    """
    found = load_connections(root).get(source)
    if found is None:
        raise ConnectorError(source, None, f"not connected: run `revops connect {source}` first")
    return found


def save_connection(root: Path, connection: Connection) -> Path:
    """Store `connection` in the workspace's connections file, replacing the source's.

    Raises:
        ConnectorError: the secrets file is inside the workspace (it would end up in git).
    """
    if connection.secrets_file:
        secrets = Path(connection.secrets_file).expanduser().resolve()
        if secrets.is_relative_to(root.resolve()):
            raise ConnectorError(
                connection.source,
                None,
                f"the secrets file {secrets} is inside the workspace; keep it outside, "
                "where it is not committed with the workspace's YAML",
            )
    path = root / CONNECTIONS_FILE
    current: dict[str, Any] = {}
    if path.exists():
        current = {s: c.model_dump(exclude={"source"}) for s, c in load_connections(root).items()}
    current[connection.source] = connection.model_dump(exclude={"source"})
    text = "# Source API connections (revops connect): no secrets here, only where they are.\n"
    path.write_text(text + yaml.safe_dump(current, sort_keys=True), encoding="utf-8")
    return path
