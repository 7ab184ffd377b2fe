"""The connectors revops ships, by source."""

from __future__ import annotations

from typing import TYPE_CHECKING

from revops.errors import ConnectorError

if TYPE_CHECKING:
    from revops.ingest.connect.backoff import Backoff
    from revops.ingest.connect.connection import Connection
    from revops.ingest.connect.protocol import Connector

SOURCES = ("hubspot", "salesforce", "stripe", "zendesk")
"""Sources with a connector."""
CHANGE_STREAMS = {
    "hubspot": "deals",
    "salesforce": "Opportunity",
    "stripe": "events",
    "zendesk": "tickets",
}
"""The stream whose cursor is the source's, as `revops sync status` shows it."""
DEFAULT_KEY_ENV = {
    "hubspot": "HUBSPOT_ACCESS_TOKEN",
    "salesforce": "SALESFORCE_ACCESS_TOKEN",
    "stripe": "STRIPE_API_KEY",
    "zendesk": "ZENDESK_API_TOKEN",
}


def create_connector(connection: Connection, backoff: Backoff | None = None) -> Connector:
    """The connector of `connection`'s source.

    Raises:
        ConnectorError: revops has no connector for the source.
    """
    if connection.source == "hubspot":
        from revops.ingest.connect.hubspot import HubSpotConnector

        return HubSpotConnector(connection, backoff)
    if connection.source == "stripe":
        from revops.ingest.connect.stripe import StripeConnector

        return StripeConnector(connection, backoff)
    if connection.source == "zendesk":
        from revops.ingest.connect.zendesk import ZendeskConnector

        return ZendeskConnector(connection, backoff)
    if connection.source == "salesforce":
        from revops.ingest.connect.salesforce import SalesforceConnector

        return SalesforceConnector(connection, backoff)
    raise ConnectorError(
        connection.source,
        None,
        f"no connector for this source (revops connects {', '.join(SOURCES)})",
    )
