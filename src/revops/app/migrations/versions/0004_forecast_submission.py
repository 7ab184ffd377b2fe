"""Forecast calls: every rep's and manager's submission per period, kept as history.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the submissions table."""
    op.create_table(
        "forecast_submission",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("period", sa.String(40), nullable=False, index=True),
        sa.Column("owner_id", sa.String(400), nullable=False, index=True),
        sa.Column("owner_email", sa.String(320), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("commit_amount", sa.Float, nullable=False),
        sa.Column("best_case_amount", sa.Float, nullable=False),
        sa.Column("pipeline_amount", sa.Float, nullable=False),
        sa.Column("team_commit", sa.Float, nullable=True),
        sa.Column("team_best_case", sa.Float, nullable=True),
        sa.Column("team_pipeline", sa.Float, nullable=True),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sa.Column("submitted_by", sa.String(320), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False, index=True),
    )


def downgrade() -> None:
    """Drop the submissions table (every call submitted is lost)."""
    op.drop_table("forecast_submission")
