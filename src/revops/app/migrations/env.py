"""Alembic environment: runs on the connection :mod:`revops.app.db` hands over."""

from __future__ import annotations

from alembic import context

from revops.app.models import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    version_table_schema=context.config.attributes.get("schema"),
    render_as_batch=True,
)
with context.begin_transaction():
    context.run_migrations()
