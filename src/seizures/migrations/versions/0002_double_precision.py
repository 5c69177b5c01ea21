"""Measured values as 8-byte DOUBLE, and the pre-migration schema_version table dropped.

`sa.Float` is FLOAT on both engines, but FLOAT is 4 bytes in DuckDB (8 in PostgreSQL): 2.3 kg came back as
2.2999999523. A 4-byte column is widened through its values' shortest text form, which gives back the number that
was loaded (2.3) to FLOAT's 7 significant digits. Columns already 8 bytes are left alone: PostgreSQL's, and those
of stores that `init` made (before migrations) from a schema.py that already said DOUBLE.

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

COLUMN_TYPE = sa.text(
    "SELECT data_type FROM information_schema.columns"
    " WHERE table_schema = current_schema() AND table_name = :table AND column_name = :column"
)


def upgrade() -> None:
    bind = op.get_bind()
    for table, column, nullable in MEASURES:
        data_type = bind.execute(COLUMN_TYPE, {"table": table, "column": column}).scalar_one()
        if data_type.upper() not in ("FLOAT", "REAL"):  # the 4-byte type's name in DuckDB, in PostgreSQL
            continue
        op.alter_column(table, column, type_=sa.Double(), existing_type=sa.Float(), existing_nullable=nullable)
        op.execute(f"UPDATE {table} SET {column} = CAST(CAST(CAST({column} AS REAL) AS VARCHAR) AS DOUBLE PRECISION)")
    # Stores made before migrations recorded their version in this table; Alembic's alembic_version replaces it.
    op.execute("DROP TABLE IF EXISTS schema_version")


def downgrade() -> None:
    for table, column, nullable in MEASURES:
        op.alter_column(table, column, type_=sa.Float(), existing_type=sa.Double(), existing_nullable=nullable)
