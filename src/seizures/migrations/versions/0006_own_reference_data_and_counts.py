"""A service's own reference data in the store, and counts by period beside the record-level lines.

- jurisdiction (its name, the note its name carries, the earliest plausible date, the languages offered) and
  vocabulary (categories with their units, units, weapon types, contexts, each with labels per language): tables,
  not constants in the code;
- regions carry their seat's coordinates (until now data/region_seats.csv), an optional parent, the population's
  year and an order; municipalities a population with its year (was population_2024);
- seizures: `period` (day for one seizure; month, quarter or year for a count), and region, weapon type and context
  may be missing (a count of the whole jurisdiction; not recorded);
- published_totals: a category in a unit for a year or a span of years, with an optional URL (was one row per year
  and indicator name);
- seizure_summary: count_rows and case_lines; import_mappings and reference_snapshots.

A store upgraded with seizure lines gets what the code held before this revision (the vocabulary, Kosovo as the
jurisdiction, the 8 directorates' seats), so it keeps working; a new store stays empty until its data is loaded.

Revision ID: 0006
Revises: 0005
"""

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# Frozen copies of what the code held before this revision (for stores upgraded with data).
VOCABULARY = [
    # kind, code, position, label_en, units, whole, line_limit, highlight
    ("category", "firearm", 1, "Firearms", "pieces", None, None, None),
    ("category", "ammunition", 2, "Ammunition", "rounds", None, None, None),
    ("category", "explosive", 3, "Explosives", "pieces,kg", None, None, None),
    ("category", "component", 4, "Parts and components", "pieces", None, None, None),
    ("unit", "pieces", 1, "pieces", None, True, 10_000, None),
    ("unit", "rounds", 2, "rounds", None, True, 1_000_000, None),
    ("unit", "kg", 3, "kg", None, False, 10_000, None),
    *(("weapon_type", code, i, label, None, None, None, code in ("converted_firearm", "blank_firing_weapon"))
      for i, (code, label) in enumerate([
          ("pistol", "Pistol"), ("revolver", "Revolver"), ("rifle", "Rifle"), ("automatic_rifle", "Automatic rifle"),
          ("shotgun", "Shotgun"), ("hunting_weapon", "Hunting weapon"), ("submachine_gun", "Submachine gun"),
          ("machine_gun", "Machine gun"), ("converted_firearm", "Converted firearm"),
          ("blank_firing_weapon", "Blank-firing weapon"), ("hand_grenade", "Hand grenade"), ("explosive", "Explosive"),
          ("other", "Other")], start=1)),
    *(("context", code, i, label, None, None, None, None) for i, (code, label) in enumerate([
        ("traffic_control", "Traffic control"), ("house_search", "House search"), ("border_crossing", "Border crossing"),
        ("special_investigative_measure", "Special investigative measure"),
        ("voluntary_surrender", "Voluntary surrender"), ("other", "Other")], start=1)),
]
SEATS = {  # code: (latitude, longitude), from data/region_seats.csv as shipped before this revision
    "PR": (42.663, 21.166), "PZ": (42.214, 20.740), "PE": (42.659, 20.288), "GJ": (42.380, 20.431),
    "MS": (42.883, 20.867), "MN": (42.894, 20.866), "GL": (42.464, 21.469), "FE": (42.370, 21.155),
}
KOSOVO_NOTE = ("This designation is without prejudice to positions on status, and is in line with UNSCR 1244/1999 and "
               "the ICJ Opinion on the Kosovo declaration of independence.")
INDICATORS = {"firearms_confiscated": ("firearm", "pieces"), "ammunition_rounds": ("ammunition", "rounds")}


def upgrade() -> None:
    bind = op.get_bind()
    has_lines = bind.execute(sa.text("SELECT count(*) FROM seizures")).scalar_one() > 0
    has_regions = bind.execute(sa.text("SELECT count(*) FROM regions")).scalar_one() > 0

    jurisdiction = op.create_table(
        "jurisdiction",
        sa.Column("code", sa.String(16), primary_key=True),
        sa.Column("name_en", sa.String, nullable=False),
        sa.Column("name_sq", sa.String),
        sa.Column("name_sr", sa.String),
        sa.Column("name_note_en", sa.String),
        sa.Column("name_note_sq", sa.String),
        sa.Column("name_note_sr", sa.String),
        sa.Column("earliest_date", sa.Date, nullable=False),
        sa.Column("languages", sa.String, nullable=False),
        sa.Column("illustrative", sa.Boolean, nullable=False),
        sa.Column("source", sa.String),
    )
    vocabulary = op.create_table(
        "vocabulary",
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
    op.create_table(
        "import_mappings",
        sa.Column("name", sa.String(100), primary_key=True),
        sa.Column("descriptor", sa.Text, nullable=False),
        sa.Column("saved_by", sa.String),
        sa.Column("saved_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "reference_snapshots",
        sa.Column("import_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("table_name", sa.String(32), nullable=False),
        sa.Column("rows_before", sa.Text, nullable=False),
    )

    op.alter_column("regions", "name_sq", existing_type=sa.String, nullable=True)
    op.alter_column("regions", "name_sr", existing_type=sa.String, nullable=True)
    for column in (sa.Column("parent_code", sa.String(8)), sa.Column("latitude", sa.Double),
                   sa.Column("longitude", sa.Double), sa.Column("population_year", sa.Integer),
                   sa.Column("position", sa.Integer), sa.Column("seat_source", sa.String)):
        op.add_column("regions", column)

    # Rebuilt rather than altered: PostgreSQL keeps a dropped column's place, so the layout would differ from a new store's.
    op.rename_table("municipalities", "municipalities_before_0004")
    op.create_table(
        "municipalities",
        sa.Column("name", sa.String, primary_key=True),
        sa.Column("region_code", sa.String(8), nullable=False),
        sa.Column("status", sa.String),
        sa.Column("population", sa.Integer),
        sa.Column("population_year", sa.Integer),
    )
    op.execute("INSERT INTO municipalities (name, region_code, status, population, population_year) "
               "SELECT name, region_code, status, population_2024, CASE WHEN population_2024 IS NOT NULL THEN 2024 END "
               "FROM municipalities_before_0004")
    op.drop_table("municipalities_before_0004")

    op.add_column("seizures", sa.Column("period", sa.String(8), nullable=False, server_default="day"))
    for column, length in (("region_code", 8), ("weapon_type", 32), ("context", 32)):
        op.alter_column("seizures", column, existing_type=sa.String(length), nullable=True)

    old = sa.table("published_totals", sa.column("year"), sa.column("indicator"), sa.column("value"),
                   sa.column("qualifier"), sa.column("unit"), sa.column("source"))
    published = bind.execute(sa.select(old)).all()
    op.drop_table("published_totals")
    new = op.create_table(
        "published_totals",
        sa.Column("year_from", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("year_to", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("category", sa.String(16), primary_key=True),
        sa.Column("unit", sa.String(8), primary_key=True),
        sa.Column("value", sa.Double, nullable=False),
        sa.Column("qualifier", sa.String),
        sa.Column("source", sa.String, nullable=False),
        sa.Column("url", sa.String),
    )
    rows = [
        {"year_from": r.year, "year_to": r.year, "category": INDICATORS[r.indicator][0],
         "unit": INDICATORS[r.indicator][1], "value": r.value, "qualifier": r.qualifier or None, "source": r.source}
        for r in published if r.indicator in INDICATORS
    ]
    if rows:
        op.bulk_insert(new, rows)

    op.add_column("seizure_summary", sa.Column("count_rows", sa.BigInteger, nullable=False, server_default="0"))
    op.add_column("seizure_summary", sa.Column("case_lines", sa.BigInteger, nullable=False, server_default="0"))

    if has_lines:
        op.bulk_insert(vocabulary, [
            {"kind": kind, "code": code, "position": position, "label_en": label, "units": units, "whole": whole,
             "line_limit": limit, "highlight": highlight, "source": "The vocabulary built into the code before it was data"}
            for kind, code, position, label, units, whole, limit, highlight in VOCABULARY
        ])
    if has_regions:
        for code, (latitude, longitude) in SEATS.items():
            op.execute(sa.text("UPDATE regions SET latitude = :lat, longitude = :lon WHERE code = :code").bindparams(
                lat=latitude, lon=longitude, code=code))
        if has_lines:
            op.bulk_insert(jurisdiction, [{
                "code": "XK", "name_en": "Kosovo", "name_sq": "Kosova", "name_sr": "Kosovo", "name_note_en": KOSOVO_NOTE,
                "earliest_date": dt.date(1999, 1, 1), "languages": "en,sq,sr", "illustrative": False,
                "source": "What the code assumed before this revision",
            }])


def downgrade() -> None:
    raise NotImplementedError("the store's reference data cannot be put back into the code: restore a backup")
