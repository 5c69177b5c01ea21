"""The store's tables, declared once (SQLAlchemy Core) for DuckDB and PostgreSQL alike.

The database gets them through the migrations in migrations/versions/ (`seizures init`); when a table changes here,
add a migration that makes the same change (tests/test_migrations.py checks that the two agree).
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()
# Measured values are sa.Double: sa.Float is a 4-byte FLOAT in DuckDB (8 bytes in PostgreSQL).


def _id_column(table_name: str) -> sa.Column:
    # duckdb-engine cannot create SERIAL keys: a named sequence works on both engines.
    seq = sa.Sequence(f"{table_name}_id_seq")
    return sa.Column("id", sa.BigInteger, seq, server_default=seq.next_value(), primary_key=True)


regions = sa.Table(
    "regions",
    metadata,
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

municipalities = sa.Table(
    "municipalities",
    metadata,
    sa.Column("name", sa.String, primary_key=True),
    sa.Column("region_code", sa.String(8), nullable=False),
    sa.Column("population_2024", sa.Integer),
    sa.Column("status", sa.String),
)

imports = sa.Table(
    "imports",
    metadata,
    _id_column("imports"),
    sa.Column("file_name", sa.String, nullable=False),
    sa.Column("content_hash", sa.String(64), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),  # demo | file
    sa.Column("rows_read", sa.Integer, nullable=False),
    sa.Column("rows_accepted", sa.Integer, nullable=False),
    sa.Column("rows_rejected", sa.Integer, nullable=False),
    sa.Column("user_name", sa.String),
    sa.Column("imported_at", sa.DateTime, nullable=False),
    sa.Column("rolled_back_at", sa.DateTime),
)

seizures = sa.Table(
    "seizures",
    metadata,
    _id_column("seizures"),
    sa.Column("seized_on", sa.Date, nullable=False),
    sa.Column("region_code", sa.String(8), nullable=False),
    sa.Column("municipality", sa.String),
    sa.Column("category", sa.String(16), nullable=False),
    sa.Column("weapon_type", sa.String(32), nullable=False),
    sa.Column("quantity", sa.Double, nullable=False),
    sa.Column("unit", sa.String(8), nullable=False),
    sa.Column("context", sa.String(32), nullable=False),
    sa.Column("case_ref", sa.String),
    sa.Column("source", sa.String),
    sa.Column("illustrative", sa.Boolean, nullable=False),
    sa.Column("import_id", sa.BigInteger),
)

published_totals = sa.Table(
    "published_totals",
    metadata,
    sa.Column("year", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("indicator", sa.String(32), primary_key=True),
    sa.Column("value", sa.Double, nullable=False),
    sa.Column("qualifier", sa.String),  # e.g. "more than"
    sa.Column("unit", sa.String(8)),
    sa.Column("source", sa.String, nullable=False),
)

trainings = sa.Table(
    "trainings",
    metadata,
    _id_column("trainings"),
    sa.Column("course", sa.String, nullable=False),
    sa.Column("level", sa.String(16), nullable=False),
    sa.Column("year", sa.Integer),
    sa.Column("region_code", sa.String(8)),
    sa.Column("men", sa.Integer, nullable=False),
    sa.Column("women", sa.Integer, nullable=False),
    sa.Column("source", sa.String, nullable=False),
)

equipment = sa.Table(
    "equipment",
    metadata,
    _id_column("equipment"),
    sa.Column("item", sa.String, nullable=False),
    sa.Column("quantity", sa.Integer, nullable=False),
    sa.Column("recipient", sa.String),
    sa.Column("year", sa.Integer),
    sa.Column("source", sa.String, nullable=False),
)

roadmap_goals = sa.Table(
    "roadmap_goals",
    metadata,
    sa.Column("number", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("title", sa.String),
    sa.Column("wording_status", sa.String),
    sa.Column("project_contributes", sa.Boolean, nullable=False),
    sa.Column("source", sa.String),
)

roadmap_kpis = sa.Table(
    "roadmap_kpis",
    metadata,
    sa.Column("number", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("goal_number", sa.Integer),
    sa.Column("title", sa.String),
    sa.Column("definition", sa.String),
    sa.Column("unit", sa.String),
    sa.Column("wording_status", sa.String),
    sa.Column("project_contributes", sa.Boolean, nullable=False),
    sa.Column("source", sa.String),
)

kpi_values = sa.Table(
    "kpi_values",
    metadata,
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

# --- Summaries of the seizure lines (maintained by summary.py on every import and rollback) ---------------------
# The pages read these instead of the lines, so their cost does not grow with the number of lines.

# One row per year, month, directorate, coded values and import: the additive measures of its lines.
def _summary_key() -> list[sa.Column]:
    """The key of the summaries: when (year, month), where and what (the coded values of a line)."""
    return [
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("month", sa.Integer, nullable=False),
        sa.Column("region_code", sa.String(8), nullable=False),
        sa.Column("category", sa.String(16), nullable=False),
        sa.Column("weapon_type", sa.String(32), nullable=False),
        sa.Column("unit", sa.String(8), nullable=False),
        sa.Column("context", sa.String(32), nullable=False),
    ]


seizure_summary = sa.Table(
    "seizure_summary",
    metadata,
    *_summary_key(),
    sa.Column("import_id", sa.BigInteger),
    sa.Column("lines", sa.BigInteger, nullable=False),
    sa.Column("illustrative_lines", sa.BigInteger, nullable=False),
    sa.Column("quantity", sa.Double, nullable=False),
    # Seizure events counted here: lines without a case reference, and case references all of whose lines have
    # this row's key (counted in one row: the one of their lowest import id).
    sa.Column("events", sa.BigInteger, nullable=False),
)

# The case references whose lines have more than one summary key, with each key they have: their events are
# counted from here (count distinct), since they cannot be added up across keys.
seizure_case_keys = sa.Table(
    "seizure_case_keys",
    metadata,
    sa.Column("case_ref", sa.String, nullable=False),
    *_summary_key(),
)

# --- Events on the timeline (events.py): what happened when, drawn on the trend charts ----------------------------

events = sa.Table(
    "events",
    metadata,
    _id_column("events"),
    sa.Column("starts_on", sa.Date, nullable=False),
    sa.Column("ends_on", sa.Date),  # empty: a single day
    sa.Column("region_code", sa.String(8)),  # empty: national
    sa.Column("kind", sa.String(16), nullable=False),  # vocab.EVENT_KINDS
    sa.Column("title_en", sa.String, nullable=False),
    sa.Column("title_sq", sa.String),
    sa.Column("title_sr", sa.String),
    sa.Column("source", sa.String, nullable=False),
    sa.Column("url", sa.String),
)

# Every change to an event: who, when, what it was and what it became (JSON of the event's columns).
event_changes = sa.Table(
    "event_changes",
    metadata,
    _id_column("event_changes"),
    sa.Column("event_id", sa.BigInteger, nullable=False),
    sa.Column("action", sa.String(8), nullable=False),  # add | edit | remove
    sa.Column("user_name", sa.String, nullable=False),
    sa.Column("changed_at", sa.DateTime, nullable=False),
    sa.Column("old_values", sa.String),  # before an edit or a removal
    sa.Column("new_values", sa.String),  # after an addition or an edit
    sa.Column("note", sa.String),  # how: e.g. "imported from events.csv, row 4"
)

# Reference tables loaded from data/*.csv by `seizures init --demo`, in load order.
REFERENCE_TABLES = (
    regions,
    municipalities,
    published_totals,
    trainings,
    equipment,
    roadmap_goals,
    roadmap_kpis,
)
