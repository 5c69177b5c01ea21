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


# The jurisdiction whose data the store holds (one row): its name in each interface language, a note its name carries
# wherever it is shown (e.g. the footnote of "Kosovo*"), the earliest plausible seizure date, the languages offered.
jurisdiction = sa.Table(
    "jurisdiction",
    metadata,
    sa.Column("code", sa.String(16), primary_key=True),
    sa.Column("name_en", sa.String, nullable=False),
    sa.Column("name_sq", sa.String),
    sa.Column("name_sr", sa.String),
    sa.Column("name_note_en", sa.String),
    sa.Column("name_note_sq", sa.String),
    sa.Column("name_note_sr", sa.String),
    sa.Column("earliest_date", sa.Date, nullable=False),
    sa.Column("languages", sa.String, nullable=False),  # interface languages offered, comma-separated, first = default
    sa.Column("illustrative", sa.Boolean, nullable=False),  # a made-up jurisdiction (demo, tests)
    sa.Column("source", sa.String),
)

regions = sa.Table(
    "regions",
    metadata,
    sa.Column("code", sa.String(8), primary_key=True),
    sa.Column("name_en", sa.String, nullable=False),
    sa.Column("name_sq", sa.String),
    sa.Column("name_sr", sa.String),
    sa.Column("seat", sa.String),
    sa.Column("population", sa.Integer),
    sa.Column("population_source", sa.String),
    sa.Column("population_note", sa.String),
    sa.Column("status", sa.String),
    sa.Column("parent_code", sa.String(8)),
    sa.Column("latitude", sa.Double),  # the seat's, WGS 84
    sa.Column("longitude", sa.Double),
    sa.Column("population_year", sa.Integer),
    sa.Column("position", sa.Integer),  # order on the pages (then the code)
    sa.Column("seat_source", sa.String),
)

municipalities = sa.Table(
    "municipalities",
    metadata,
    sa.Column("name", sa.String, primary_key=True),
    sa.Column("region_code", sa.String(8), nullable=False),
    sa.Column("status", sa.String),
    sa.Column("population", sa.Integer),
    sa.Column("population_year", sa.Integer),
)

# The coded values of a seizure line: kind category | unit | weapon_type | context, each with its labels per
# interface language; a category lists the units it is counted in, a unit whether it is whole and the most one
# record line may hold, a weapon type whether the charts single it out (e.g. converted weapons).
vocabulary = sa.Table(
    "vocabulary",
    metadata,
    sa.Column("kind", sa.String(16), primary_key=True),
    sa.Column("code", sa.String(32), primary_key=True),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("label_en", sa.String, nullable=False),
    sa.Column("label_sq", sa.String),
    sa.Column("label_sr", sa.String),
    sa.Column("units", sa.String),
    sa.Column("whole", sa.Boolean),
    sa.Column("line_limit", sa.Double),
    sa.Column("highlight", sa.Boolean),
    sa.Column("source", sa.String),
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
    sa.Column("seized_on", sa.Date, nullable=False),  # the seizure's date, or the first day of its period
    sa.Column("region_code", sa.String(8)),  # None: the whole jurisdiction (a count not broken down by region)
    sa.Column("municipality", sa.String),
    sa.Column("category", sa.String(16), nullable=False),
    sa.Column("weapon_type", sa.String(32)),  # None: not recorded
    sa.Column("quantity", sa.Double, nullable=False),
    sa.Column("unit", sa.String(8), nullable=False),
    sa.Column("context", sa.String(32)),  # None: not recorded
    sa.Column("case_ref", sa.String),  # None: not recorded (seizure events are counted from case references)
    sa.Column("source", sa.String),
    sa.Column("illustrative", sa.Boolean, nullable=False),
    sa.Column("import_id", sa.BigInteger),
    # What a line is: one seizure (day), or a count of a month, quarter or year.
    sa.Column("period", sa.String(8), nullable=False, server_default="day"),
    # Tracing (SDG 16.4.2, the UNODC Illicit Arms Flows Questionnaire): optional, None where not recorded. On a count
    # by period they say what the counted items have in common (e.g. a count of firearms whose origin was established).
    sa.Column("marked", sa.Boolean),  # a marking was found on the firearm
    sa.Column("trace_requested_on", sa.Date),
    sa.Column("trace_result", sa.String(32)),  # vocab.TRACE_RESULTS
    sa.Column("origin_how", sa.String(32)),  # how the illicit origin or context was established: vocab.ORIGIN_HOW
    sa.Column("manufacture_country", sa.String(2)),  # ISO 3166-1 alpha-2
    sa.Column("import_country", sa.String(2)),  # the country of last legal import, ISO 3166-1 alpha-2
    sa.Column("legal_basis", sa.String(32)),  # vocab.LEGAL_BASES
    sa.Column("criminal_context", sa.String(32)),  # vocab.CRIMINAL_CONTEXTS
    sa.Column("significant", sa.Boolean),  # a significant seizure (the IAFQ's own sheet)
)

# National figures as published: a category in a unit, for one year or a span of years (year_from = year_to for one).
published_totals = sa.Table(
    "published_totals",
    metadata,
    sa.Column("year_from", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("year_to", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("category", sa.String(16), primary_key=True),
    sa.Column("unit", sa.String(8), primary_key=True),
    sa.Column("value", sa.Double, nullable=False),
    sa.Column("qualifier", sa.String),  # "more than" | "at least" | "about" | None (exactly)
    sa.Column("source", sa.String, nullable=False),
    sa.Column("url", sa.String),
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

# The Roadmap's phases: each has its baseline and target year (the KPI status rule measures the time elapsed between
# them), its goals and its KPIs. "confirmed" / "unconfirmed": whether the wording (title) and the years were checked
# against a public source (see source).
roadmap_phases = sa.Table(
    "roadmap_phases",
    metadata,
    sa.Column("code", sa.String(16), primary_key=True),
    sa.Column("title", sa.String),
    sa.Column("wording_status", sa.String),
    sa.Column("baseline_year", sa.Integer, nullable=False),
    sa.Column("target_year", sa.Integer, nullable=False),
    sa.Column("years_status", sa.String),
    sa.Column("source", sa.String),
)

roadmap_goals = sa.Table(
    "roadmap_goals",
    metadata,
    sa.Column("phase_code", sa.String(16), primary_key=True),
    sa.Column("number", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("title", sa.String),
    sa.Column("wording_status", sa.String),
    sa.Column("project_contributes", sa.Boolean, nullable=False),
    sa.Column("source", sa.String),
)

roadmap_kpis = sa.Table(
    "roadmap_kpis",
    metadata,
    sa.Column("phase_code", sa.String(16), primary_key=True),
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
    sa.Column("phase_code", sa.String(16), primary_key=True),
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

# Every change of the Roadmap's wording made in the app (wording.py): a goal's or KPI's title, definition or wording
# status, who changed it, when, and what it was and became.
wording_changes = sa.Table(
    "wording_changes",
    metadata,
    _id_column("wording_changes"),
    sa.Column("table_name", sa.String(32), nullable=False),  # roadmap_goals | roadmap_kpis
    sa.Column("phase_code", sa.String(16), nullable=False),
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("field", sa.String(32), nullable=False),
    sa.Column("old_value", sa.String),
    sa.Column("new_value", sa.String),
    sa.Column("user_name", sa.String, nullable=False),
    sa.Column("changed_at", sa.DateTime, nullable=False),
)

# Reports that arrive (subscriptions.py): who gets which report, how and how often; and each report sent.
subscriptions = sa.Table(
    "subscriptions",
    metadata,
    _id_column("subscriptions"),
    sa.Column("recipient", sa.String, nullable=False),
    sa.Column("email", sa.String),  # an e-mail address, or
    sa.Column("folder", sa.String),  # a folder on the server the report is written to
    sa.Column("filter", sa.String, nullable=False),  # the sidebar filter as URL parameters ("from=2021&region=PZ")
    sa.Column("language", sa.String(8), nullable=False),
    sa.Column("format", sa.String(8), nullable=False),  # pdf | xlsx
    sa.Column("frequency", sa.String(16), nullable=False),  # monthly | quarterly
    sa.Column("created_by", sa.String, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("removed_by", sa.String),
    sa.Column("removed_at", sa.DateTime),  # removed subscriptions are kept with what was sent to them
)

# One row per subscription and cycle (the month or quarter it is due in), written before the report is sent and
# updated after: claimed -> sending -> sent (or failed). See subscriptions.send_due.
report_deliveries = sa.Table(
    "report_deliveries",
    metadata,
    sa.Column("subscription_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("cycle", sa.String(8), primary_key=True),  # "2025-06" (monthly) or "2025-Q2" (quarterly)
    sa.Column("status", sa.String(8), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("claimed_at", sa.DateTime, nullable=False),
    sa.Column("sent_at", sa.DateTime),
    sa.Column("report_period", sa.String(16)),  # the years the report covers, "2019-2024"
    sa.Column("data_as_of", sa.DateTime),
    sa.Column("message_id", sa.String),  # the e-mail's Message-ID (the same on every attempt)
    sa.Column("file_path", sa.String),  # the file written, for a folder
    sa.Column("error", sa.String),  # the last attempt's failure
)

# --- Summaries of the seizure lines (maintained by summary.py on every import and rollback) ---------------------
# The pages read these instead of the lines, so their cost does not grow with the number of lines.

# One row per year, month, directorate, coded values and import: the additive measures of its lines.
def _summary_key() -> list[sa.Column]:
    """The key of the summaries: when (year, month), where and what (the coded values of a line). What a line does
    not record is kept as a value of its own: month 0 (a count of a quarter or a year), region "" (the whole
    jurisdiction), weapon type and context "" (not recorded)."""
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
    sa.Column("lines", sa.BigInteger, nullable=False),  # record-level lines (one seizure each)
    sa.Column("illustrative_lines", sa.BigInteger, nullable=False),  # illustrative rows, lines or counts
    sa.Column("quantity", sa.Double, nullable=False),
    # Seizure events counted here: case references all of whose lines have this row's key (counted in one row: the
    # one of their lowest import id). Lines without a case reference are no event: events are "not recorded" there.
    sa.Column("events", sa.BigInteger, nullable=False),
    sa.Column("count_rows", sa.BigInteger, nullable=False, server_default="0"),  # counts of a month, quarter or year
    sa.Column("case_lines", sa.BigInteger, nullable=False, server_default="0"),  # lines with a case reference
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

# Failed logins per user name (logins.py), kept in the store so that a lockout survives a restart and a change of
# the users file, and holds across app servers sharing the store. Times are seconds since the epoch (a number
# compares and subtracts the same way on both engines).
login_failures = sa.Table(
    "login_failures",
    metadata,
    sa.Column("username", sa.String(255), primary_key=True),
    sa.Column("failures", sa.Integer, nullable=False),
    sa.Column("last_failed_at", sa.Double, nullable=False),
)

# Login cookies ended by "Log out" (logins.py): a copy the browser kept, or one taken from it, no longer logs in. A
# cookie is its user name and its expiry (signed, so not forged); a row is dropped once that expiry has passed.
login_revocations = sa.Table(
    "login_revocations",
    metadata,
    sa.Column("username", sa.String(255), primary_key=True),
    sa.Column("expires_at", sa.Double, primary_key=True),
)

# A column mapping for wide files (one column per weapon type, ...), saved to be used again: see mappings.py.
import_mappings = sa.Table(
    "import_mappings",
    metadata,
    sa.Column("name", sa.String(100), primary_key=True),
    sa.Column("descriptor", sa.Text, nullable=False),  # JSON: a Frictionless resource with the mapping
    sa.Column("saved_by", sa.String),
    sa.Column("saved_at", sa.DateTime, nullable=False),
)

# The rows a reference table held before an import replaced them (JSON), so that the import can be rolled back.
reference_snapshots = sa.Table(
    "reference_snapshots",
    metadata,
    sa.Column("import_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("table_name", sa.String(32), nullable=False),
    sa.Column("rows_before", sa.Text, nullable=False),
)

# Reference tables loaded from data/*.csv by `seizures init --demo`, in load order.
REFERENCE_TABLES = (
    jurisdiction,
    vocabulary,
    regions,
    municipalities,
    published_totals,
    trainings,
    equipment,
    roadmap_phases,
    roadmap_goals,
    roadmap_kpis,
)
