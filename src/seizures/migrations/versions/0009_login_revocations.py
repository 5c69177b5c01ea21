"""Login cookies ended by "Log out" (login_revocations): a copy of one no longer logs in.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_revocations",
        sa.Column("username", sa.String(255), primary_key=True),
        sa.Column("expires_at", sa.Double, primary_key=True),
    )


def downgrade() -> None:
    op.drop_table("login_revocations")
