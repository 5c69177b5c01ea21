"""Failed logins per user name (login_failures), so that a lockout survives a restart and a change of the users
file, and holds across app servers sharing the store.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_failures",
        sa.Column("username", sa.String(255), primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("last_failed_at", sa.Double, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("login_failures")
