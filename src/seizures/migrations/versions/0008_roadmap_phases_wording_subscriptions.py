"""The Roadmap's phases (each with its baseline and target year, goals, KPIs and KPI values), the audit of the
Roadmap's wording edited in the app, and report subscriptions with the reports sent.

roadmap_goals, roadmap_kpis and kpi_values get a phase_code in their key: they are rebuilt (not altered: DuckDB
cannot change a primary key) and their rows kept. A store upgraded with goals, KPIs or KPI values gets the phase the
code held before this revision (2018 to 2024) and its rows belong to it.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# What kpis.BASELINE_YEAR and TARGET_YEAR held before this revision, with the Roadmap's title (confirmed).
FIRST_PHASE = {
    "code": "roadmap-2024",
    "title": "Roadmap for a sustainable solution to the illegal possession, misuse and trafficking of Small Arms and "
             "Light Weapons (SALW) and their ammunition in the Western Balkans by 2024",
    "wording_status": "confirmed", "baseline_year": 2018, "target_year": 2024, "years_status": "confirmed",
    "source": "What the code assumed before this revision (baseline 2018, goals by 2024)",
}


def _id(table_name: str) -> sa.Column:
    seq = sa.Sequence(f"{table_name}_id_seq")  # created in upgrade(): create_table does not create sequences
    return sa.Column("id", sa.BigInteger, seq, server_default=seq.next_value(), primary_key=True)


def _rebuilt(bind, name: str, *columns: sa.Column) -> None:
    """Drop a table and create it with a phase_code first in its key, its rows put back in the first phase."""
    rows = [dict(row._mapping) for row in bind.execute(sa.text(f"SELECT * FROM {name}"))]
    op.drop_table(name)
    table = op.create_table(name, sa.Column("phase_code", sa.String(16), primary_key=True), *columns)
    if rows:
        op.bulk_insert(table, [{**row, "phase_code": FIRST_PHASE["code"]} for row in rows])


def upgrade() -> None:
    bind = op.get_bind()
    phases = op.create_table(
        "roadmap_phases",
        sa.Column("code", sa.String(16), primary_key=True),
        sa.Column("title", sa.String),
        sa.Column("wording_status", sa.String),
        sa.Column("baseline_year", sa.Integer, nullable=False),
        sa.Column("target_year", sa.Integer, nullable=False),
        sa.Column("years_status", sa.String),
        sa.Column("source", sa.String),
    )
    held = sum(bind.execute(sa.text(f"SELECT count(*) FROM {name}")).scalar_one()
               for name in ("roadmap_goals", "roadmap_kpis", "kpi_values"))
    if held:
        op.bulk_insert(phases, [FIRST_PHASE])
    _rebuilt(
        bind, "roadmap_goals",
        sa.Column("number", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("title", sa.String),
        sa.Column("wording_status", sa.String),
        sa.Column("project_contributes", sa.Boolean, nullable=False),
        sa.Column("source", sa.String),
    )
    _rebuilt(
        bind, "roadmap_kpis",
        sa.Column("number", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("goal_number", sa.Integer),
        sa.Column("title", sa.String),
        sa.Column("definition", sa.String),
        sa.Column("unit", sa.String),
        sa.Column("wording_status", sa.String),
        sa.Column("project_contributes", sa.Boolean, nullable=False),
        sa.Column("source", sa.String),
    )
    _rebuilt(
        bind, "kpi_values",
        sa.Column("kpi_number", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("year", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("jurisdiction", sa.String, primary_key=True),
        sa.Column("value", sa.Double),
        sa.Column("baseline", sa.Double),
        sa.Column("target", sa.Double),
        sa.Column("unit", sa.String),
        sa.Column("source", sa.String),
        sa.Column("illustrative", sa.Boolean, nullable=False),
    )

    for name in ("wording_changes", "subscriptions"):
        op.execute(sa.schema.CreateSequence(sa.Sequence(f"{name}_id_seq")))
    op.create_table(
        "wording_changes",
        _id("wording_changes"),
        sa.Column("table_name", sa.String(32), nullable=False),
        sa.Column("phase_code", sa.String(16), nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("field", sa.String(32), nullable=False),
        sa.Column("old_value", sa.String),
        sa.Column("new_value", sa.String),
        sa.Column("user_name", sa.String, nullable=False),
        sa.Column("changed_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "subscriptions",
        _id("subscriptions"),
        sa.Column("recipient", sa.String, nullable=False),
        sa.Column("email", sa.String),
        sa.Column("folder", sa.String),
        sa.Column("filter", sa.String, nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("format", sa.String(8), nullable=False),
        sa.Column("frequency", sa.String(16), nullable=False),
        sa.Column("created_by", sa.String, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("removed_by", sa.String),
        sa.Column("removed_at", sa.DateTime),
    )
    op.create_table(
        "report_deliveries",
        sa.Column("subscription_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("cycle", sa.String(8), primary_key=True),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("claimed_at", sa.DateTime, nullable=False),
        sa.Column("sent_at", sa.DateTime),
        sa.Column("report_period", sa.String(16)),
        sa.Column("data_as_of", sa.DateTime),
        sa.Column("message_id", sa.String),
        sa.Column("file_path", sa.String),
        sa.Column("error", sa.String),
    )


def downgrade() -> None:
    raise NotImplementedError("the phases cannot be folded back into one fixed span: restore a backup")
