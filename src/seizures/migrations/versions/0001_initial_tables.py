"""The first tables: the schema as `seizures init` created it before migrations (schema_version 1).

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

KEYED_BY_SEQUENCE = ("imports", "seizures", "trainings", "equipment")


def _id(table_name: str) -> sa.Column:
    seq = sa.Sequence(f"{table_name}_id_seq")  # created in upgrade(): create_table does not create sequences
    return sa.Column("id", sa.BigInteger, seq, server_default=seq.next_value(), primary_key=True)


def upgrade() -> None:
    for name in KEYED_BY_SEQUENCE:
        op.execute(sa.schema.CreateSequence(sa.Sequence(f"{name}_id_seq")))
    op.create_table(
        "regions",
        sa.Column("code", sa.String(8), primary_key=True),
        sa.Column("name_en", sa.String, nullable=False),
        sa.Column("name_sq", sa.String, nullable=False),
        sa.Column("name_sr", sa.String, nullable=False),
        sa.Column("seat", sa.String),
        sa.Column("population", sa.Integer),
        sa.Column("population_source", sa.String),
        sa.Column("population_note", sa.String),
        sa.Column("status", sa.String),
    )
    op.create_table(
        "municipalities",
        sa.Column("name", sa.String, primary_key=True),
        sa.Column("region_code", sa.String(8), nullable=False),
        sa.Column("population_2024", sa.Integer),
        sa.Column("status", sa.String),
    )
    op.create_table(
        "imports",
        _id("imports"),
        sa.Column("file_name", sa.String, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("rows_read", sa.Integer, nullable=False),
        sa.Column("rows_accepted", sa.Integer, nullable=False),
        sa.Column("rows_rejected", sa.Integer, nullable=False),
        sa.Column("user_name", sa.String),
        sa.Column("imported_at", sa.DateTime, nullable=False),
        sa.Column("rolled_back_at", sa.DateTime),
    )
    op.create_table(
        "seizures",
        _id("seizures"),
        sa.Column("seized_on", sa.Date, nullable=False),
        sa.Column("region_code", sa.String(8), nullable=False),
        sa.Column("municipality", sa.String),
        sa.Column("category", sa.String(16), nullable=False),
        sa.Column("weapon_type", sa.String(32), nullable=False),
        sa.Column("quantity", sa.Float, nullable=False),
        sa.Column("unit", sa.String(8), nullable=False),
        sa.Column("context", sa.String(32), nullable=False),
        sa.Column("case_ref", sa.String),
        sa.Column("source", sa.String),
        sa.Column("illustrative", sa.Boolean, nullable=False),
        sa.Column("import_id", sa.BigInteger),
    )
    op.create_table(
        "published_totals",
        sa.Column("year", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("indicator", sa.String(32), primary_key=True),
        sa.Column("value", sa.Float, nullable=False),
        sa.Column("qualifier", sa.String),
        sa.Column("unit", sa.String(8)),
        sa.Column("source", sa.String, nullable=False),
    )
    op.create_table(
        "trainings",
        _id("trainings"),
        sa.Column("course", sa.String, nullable=False),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("year", sa.Integer),
        sa.Column("region_code", sa.String(8)),
        sa.Column("men", sa.Integer, nullable=False),
        sa.Column("women", sa.Integer, nullable=False),
        sa.Column("source", sa.String, nullable=False),
    )
    op.create_table(
        "equipment",
        _id("equipment"),
        sa.Column("item", sa.String, nullable=False),
        sa.Column("quantity", sa.Integer, nullable=False),
        sa.Column("recipient", sa.String),
        sa.Column("year", sa.Integer),
        sa.Column("source", sa.String, nullable=False),
    )
    op.create_table(
        "roadmap_goals",
        sa.Column("number", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("title", sa.String),
        sa.Column("wording_status", sa.String),
        sa.Column("project_contributes", sa.Boolean, nullable=False),
        sa.Column("source", sa.String),
    )
    op.create_table(
        "roadmap_kpis",
        sa.Column("number", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("goal_number", sa.Integer),
        sa.Column("title", sa.String),
        sa.Column("definition", sa.String),
        sa.Column("unit", sa.String),
        sa.Column("wording_status", sa.String),
        sa.Column("project_contributes", sa.Boolean, nullable=False),
        sa.Column("source", sa.String),
    )
    op.create_table(
        "kpi_values",
        sa.Column("kpi_number", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("year", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("jurisdiction", sa.String, primary_key=True),
        sa.Column("value", sa.Float),
        sa.Column("baseline", sa.Float),
        sa.Column("target", sa.Float),
        sa.Column("unit", sa.String),
        sa.Column("source", sa.String),
        sa.Column("illustrative", sa.Boolean, nullable=False),
    )


def downgrade() -> None:
    for name in ("kpi_values", "roadmap_kpis", "roadmap_goals", "equipment", "trainings", "published_totals",
                 "seizures", "imports", "municipalities", "regions"):
        op.drop_table(name)
    for name in KEYED_BY_SEQUENCE:
        op.execute(sa.schema.DropSequence(sa.Sequence(f"{name}_id_seq")))
