"""Events on the timeline (events) and the audit of their changes (event_changes).

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _id(table_name: str) -> sa.Column:
    seq = sa.Sequence(f"{table_name}_id_seq")  # created in upgrade(): create_table does not create sequences
    return sa.Column("id", sa.BigInteger, seq, server_default=seq.next_value(), primary_key=True)


def upgrade() -> None:
    for name in ("events", "event_changes"):
        op.execute(sa.schema.CreateSequence(sa.Sequence(f"{name}_id_seq")))
    op.create_table(
        "events",
        _id("events"),
        sa.Column("starts_on", sa.Date, nullable=False),
        sa.Column("ends_on", sa.Date),
        sa.Column("region_code", sa.String(8)),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("title_en", sa.String, nullable=False),
        sa.Column("title_sq", sa.String),
        sa.Column("title_sr", sa.String),
        sa.Column("source", sa.String, nullable=False),
        sa.Column("url", sa.String),
    )
    op.create_table(
        "event_changes",
        _id("event_changes"),
        sa.Column("event_id", sa.BigInteger, nullable=False),
        sa.Column("action", sa.String(8), nullable=False),
        sa.Column("user_name", sa.String, nullable=False),
        sa.Column("changed_at", sa.DateTime, nullable=False),
        sa.Column("old_values", sa.String),
        sa.Column("new_values", sa.String),
        sa.Column("note", sa.String),
    )


def downgrade() -> None:
    op.drop_table("event_changes")
    op.drop_table("events")
    for name in ("event_changes", "events"):
        op.execute(sa.schema.DropSequence(sa.Sequence(f"{name}_id_seq")))
