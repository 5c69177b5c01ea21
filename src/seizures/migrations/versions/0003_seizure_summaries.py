"""Summary tables of the seizure lines (seizure_summary, seizure_case_keys), read by the pages.

They are filled from the lines by `seizures init` after the migrations (summary.rebuild), then kept up to date by
every import and rollback.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _key_columns() -> list[sa.Column]:
    return [
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("month", sa.Integer, nullable=False),
        sa.Column("region_code", sa.String(8), nullable=False),
        sa.Column("category", sa.String(16), nullable=False),
        sa.Column("weapon_type", sa.String(32), nullable=False),
        sa.Column("unit", sa.String(8), nullable=False),
        sa.Column("context", sa.String(32), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "seizure_summary",
        *_key_columns(),
        sa.Column("import_id", sa.BigInteger),
        sa.Column("lines", sa.BigInteger, nullable=False),
        sa.Column("illustrative_lines", sa.BigInteger, nullable=False),
        sa.Column("quantity", sa.Double, nullable=False),
        sa.Column("events", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "seizure_case_keys",
        sa.Column("case_ref", sa.String, nullable=False),
        *_key_columns(),
    )


def downgrade() -> None:
    op.drop_table("seizure_case_keys")
    op.drop_table("seizure_summary")
