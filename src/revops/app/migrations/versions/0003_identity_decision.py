"""Reviewers' decisions on identity pairs made in the cockpit, until `revops identity run`
stores them in the warehouse's `identity.review`.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the decisions table."""
    op.create_table(
        "identity_decision",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("unique_id_l", sa.String(400), nullable=False),
        sa.Column("unique_id_r", sa.String(400), nullable=False),
        sa.Column("decision", sa.String(10), nullable=False),
        sa.Column("decided_by", sa.String(320), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("moved_at", sa.DateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    """Drop the decisions table (decisions not yet moved to the warehouse are lost)."""
    op.drop_table("identity_decision")
