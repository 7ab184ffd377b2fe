"""Server-side sessions and sign-in throttles; the session key leaves the database.

The key that signed session cookies was kept in ``app_setting``; it now comes from
``REVOPS_SECRET_KEY`` or a 0600 file in the workspace (:mod:`revops.app.keys`), so the
table goes. Sessions signed with the old key have no row in ``app_session`` and end.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the session and throttle tables, drop the stored key."""
    op.create_table(
        "app_session",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("app_user.id"), nullable=False, index=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("client", sa.String(100), nullable=False),
    )
    op.create_table(
        "signin_throttle",
        sa.Column("key", sa.String(400), primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("last_failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
    )
    op.drop_table("app_setting")


def downgrade() -> None:
    """Back to the stored key's table (empty: a new key is made on start)."""
    op.create_table(
        "app_setting",
        sa.Column("key", sa.String(100), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    op.drop_table("signin_throttle")
    op.drop_table("app_session")
