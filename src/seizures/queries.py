"""Aggregations computed in the database (GROUP BY), returned as small pandas DataFrames.

Quantities are only added up within one category and unit: firearms in pieces, ammunition in rounds,
explosives in pieces (grenades) or kg. Every function works on an empty store and returns an empty frame.
"""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from seizures.filters import SeizureFilter
from seizures.schema import imports, published_totals, regions, seizures

YEAR = sa.cast(sa.extract("year", seizures.c.seized_on), sa.Integer).label("year")
MONTH = sa.cast(sa.extract("month", seizures.c.seized_on), sa.Integer).label("month")
MEASURES = (
    sa.func.sum(seizures.c.quantity).label("quantity"),
    sa.func.count().label("events"),
)
# Published indicator -> the record-level category and unit it is compared with.
PUBLISHED_INDICATORS = {
    "firearms_confiscated": ("firearm", "pieces"),
    "ammunition_rounds": ("ammunition", "rounds"),
}


def _frame(engine: sa.Engine, query: sa.Select) -> pd.DataFrame:
    with engine.connect() as conn:
        result = conn.execute(query)
        frame = pd.DataFrame(result.fetchall(), columns=list(result.keys()))
    if "quantity" in frame:
        frame["quantity"] = frame["quantity"].astype("float64")
    if "events" in frame:
        frame["events"] = frame["events"].astype("int64")
    return frame


def _grouped(engine: sa.Engine, flt: SeizureFilter, *dimensions: sa.ColumnElement) -> pd.DataFrame:
    keys = (*dimensions, seizures.c.category, seizures.c.unit)
    query = (
        sa.select(*keys, *MEASURES)
        .where(*flt.conditions())
        .group_by(*keys)
        .order_by(*keys)
    )
    return _frame(engine, query)


def totals_by_year(engine: sa.Engine, flt: SeizureFilter) -> pd.DataFrame:
    """year, category, unit, quantity, events."""
    return _grouped(engine, flt, YEAR)


def totals_by_region_year(engine: sa.Engine, flt: SeizureFilter) -> pd.DataFrame:
    """region_code, year, category, unit, quantity, events."""
    return _grouped(engine, flt, seizures.c.region_code, YEAR)


def totals_by_weapon_type(engine: sa.Engine, flt: SeizureFilter) -> pd.DataFrame:
    """weapon_type, category, unit, quantity, events."""
    return _grouped(engine, flt, seizures.c.weapon_type)


def totals_by_context(engine: sa.Engine, flt: SeizureFilter) -> pd.DataFrame:
    """context, category, unit, quantity, events."""
    return _grouped(engine, flt, seizures.c.context)


def totals_by_month(engine: sa.Engine, flt: SeizureFilter) -> pd.DataFrame:
    """year, month, category, unit, quantity, events."""
    return _grouped(engine, flt, YEAR, MONTH)


def year_over_year(frame: pd.DataFrame, keys: tuple[str, ...] = ("category", "unit")) -> pd.DataFrame:
    """Add previous, change and pct_change (None where there is no previous year) to a by-year frame."""
    out = frame.sort_values([*keys, "year"]).copy()
    previous = out.groupby(list(keys), sort=False)["quantity"].shift(1)
    consecutive = out.groupby(list(keys), sort=False)["year"].shift(1) == out["year"] - 1
    out["previous"] = previous.where(consecutive)
    out["change"] = out["quantity"] - out["previous"]
    out["pct_change"] = out["change"] / out["previous"].where(out["previous"] != 0) * 100
    return out.reset_index(drop=True)


def published(engine: sa.Engine) -> pd.DataFrame:
    """year, indicator, value, qualifier, unit, source."""
    t = published_totals
    return _frame(engine, sa.select(t).order_by(t.c.indicator, t.c.year))


def published_vs_recorded(engine: sa.Engine) -> pd.DataFrame:
    """Each published national figure beside the sum of the record-level lines for that year.

    `consistent` is true when the records equal the figure (or exceed it, for "more than" figures).
    """
    pub = published(engine)
    recorded = totals_by_year(engine, SeizureFilter())
    if pub.empty:
        return pub.assign(recorded=pd.Series(dtype="float64"), consistent=pd.Series(dtype="bool"))
    pairs = pd.DataFrame(
        [(k, c, u) for k, (c, u) in PUBLISHED_INDICATORS.items()], columns=["indicator", "category", "unit"]
    )
    merged = pub.merge(pairs, on=["indicator", "unit"], how="left").merge(
        recorded[["year", "category", "unit", "quantity"]], on=["year", "category", "unit"], how="left"
    )
    merged = merged.rename(columns={"quantity": "recorded"}).drop(columns=["category"])
    merged["recorded"] = merged["recorded"].fillna(0.0)
    more_than = merged["qualifier"].fillna("") == "more than"
    merged["consistent"] = (merged["recorded"] == merged["value"]) | (more_than & (merged["recorded"] > merged["value"]))
    return merged


def region_list(engine: sa.Engine) -> pd.DataFrame:
    """The regional directorates, in a stable order."""
    return _frame(engine, sa.select(regions).order_by(regions.c.code))


def year_bounds(engine: sa.Engine) -> tuple[int, int] | None:
    """First and last year with a seizure line, or None for an empty store."""
    with engine.connect() as conn:
        low, high = conn.execute(sa.select(sa.func.min(seizures.c.seized_on), sa.func.max(seizures.c.seized_on))).one()
    return (low.year, high.year) if low else None


def data_version(engine: sa.Engine) -> tuple[int, int]:
    """A cheap stamp that changes whenever seizure lines are imported or rolled back.

    (highest import id, number of rolled-back imports): every import adds an id, every rollback a timestamp.
    Caches keyed on it show new numbers without a restart.
    """
    with engine.connect() as conn:
        last, rolled_back = conn.execute(
            sa.select(sa.func.coalesce(sa.func.max(imports.c.id), 0), sa.func.count(imports.c.rolled_back_at))
        ).one()
    return int(last), int(rolled_back)
