"""Measured values as 8-byte DOUBLE, and the pre-migration schema_version table dropped.

`sa.Float` is FLOAT on both engines, but FLOAT is 4 bytes in DuckDB (8 in PostgreSQL): 2.3 kg came back as
2.2999999523. On DuckDB the stored values are widened through their shortest text form, which gives back the
number that was loaded (2.3) to FLOAT's 7 significant digits. On PostgreSQL the type change is a no-op.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# (table, column, nullable)
MEASURES = (
    ("seizures", "quantity", False),
    ("published_totals", "value", False),
    ("kpi_values", "value", True),
    ("kpi_values", "baseline", True),
    ("kpi_values", "target", True),
)


def upgrade() -> None:
    duckdb = op.get_bind().dialect.name == "duckdb"
    for table, column, nullable in MEASURES:
        op.alter_column(table, column, type_=sa.Double(), existing_type=sa.Float(), existing_nullable=nullable)
        if duckdb:
            op.execute(f"UPDATE {table} SET {column} = CAST(CAST(CAST({column} AS FLOAT) AS VARCHAR) AS DOUBLE)")
    # Stores made before migrations recorded their version in this table; Alembic's alembic_version replaces it.
    op.execute("DROP TABLE IF EXISTS schema_version")


def downgrade() -> None:
    for table, column, nullable in MEASURES:
        op.alter_column(table, column, type_=sa.Float(), existing_type=sa.Double(), existing_nullable=nullable)
