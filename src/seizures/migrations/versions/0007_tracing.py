"""Tracing fields on the seizure lines and counts (SDG indicator 16.4.2, the UNODC Illicit Arms Flows
Questionnaire): marking found, trace requested (date), its result, how an illicit origin was established, countries of
manufacture and of last legal import, legal basis, criminal context, significant seizure. All optional.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

COLUMNS = (
    ("marked", sa.Boolean), ("trace_requested_on", sa.Date), ("trace_result", sa.String(32)),
    ("origin_how", sa.String(32)), ("manufacture_country", sa.String(2)), ("import_country", sa.String(2)),
    ("legal_basis", sa.String(32)), ("criminal_context", sa.String(32)), ("significant", sa.Boolean),
)


def upgrade() -> None:
    for name, kind in COLUMNS:
        op.add_column("seizures", sa.Column(name, kind))


def downgrade() -> None:
    for name, _kind in reversed(COLUMNS):
        op.drop_column("seizures", name)
