"""Alembic environment: runs on the connection :mod:`revops.app.db` hands over."""

from __future__ import annotations

from alembic import context

from revops.app.models import Base


def run_migrations() -> None:
    """Run the pending migrations on the connection in the Alembic config's attributes."""
    attributes = context.config.attributes
    context.configure(
        connection=attributes["connection"],
        target_metadata=Base.metadata,
        version_table_schema=attributes.get("schema"),
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


# Alembic executes this file to migrate; a plain import (docs, doctests) does nothing.
if getattr(context, "_proxy", None) is not None:
    run_migrations()
