"""Data coverage, stated: for a filter, per directorate and month, whether the store holds data, how many record
lines and counts, the share illustrative; which directorate-years have months missing; the imports that rejected
rows; and the note a year-on-year change carries when either year's coverage is incomplete.

A month without rows is not always a gap: a quiet directorate may seize nothing in a month. A month is called
missing only where the directorate's other months of that year average at least QUIET_LEVEL rows (a month without
any then happens by chance less than once in a hundred: e^-5 < 0.01); below that it is "none recorded". A year is
incomplete for a directorate that reports otherwise when it has a missing month, and for every directorate when the
store's data do not reach over the whole year (it begins or ends within it). Counts of a quarter or a year cover
each of their months. Months outside the store's first and last month are not expected.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa

from seizures import i18n, queries
from seizures.filters import SeizureFilter
from seizures.i18n import N_, _
from seizures.schema import imports, seizure_summary, seizures

QUIET_LEVEL = 5.0  # rows a month: from this level on, a month without any is called missing
PERIOD_MONTHS = {"quarter": 3, "year": 12}
PRESENT, MISSING, NONE, NOT_EXPECTED = "present", "missing", "none", "not expected"
STATUS_LABELS = {PRESENT: N_("data present"), MISSING: N_("missing"), NONE: N_("none recorded"),
                 NOT_EXPECTED: N_("outside the data's months")}
GRID_COLUMNS = ["region_code", "year", "month", "lines", "counts", "period_counts", "illustrative", "rows", "status"]


def _index(year: int, month: int) -> int:
    return year * 12 + month - 1


def _period_counts(engine: sa.Engine, flt: SeizureFilter | None) -> pd.DataFrame:
    """Counts of a quarter or a year, one row per month they cover: region_code, year, month, rows, illustrative."""
    s = seizures
    where = [s.c.period.in_(tuple(PERIOD_MONTHS))]
    if flt is not None:
        where += flt.conditions(s)
    query = (sa.select(s.c.region_code, s.c.seized_on, s.c.period, sa.func.count().label("rows"),
                       sa.func.sum(sa.case((s.c.illustrative, 1), else_=0)).label("illustrative"))
             .where(*where).group_by(s.c.region_code, s.c.seized_on, s.c.period))
    with engine.connect() as conn:
        found = conn.execute(query).all()
    out = []
    for region, start, period, rows, illustrative in found:
        region = region or ""  # the whole jurisdiction, as the summaries have it
        first = _index(start.year, start.month)
        for i in range(first, first + PERIOD_MONTHS[period]):
            out.append((region, i // 12, i % 12 + 1, int(rows), int(illustrative)))
    return pd.DataFrame(out, columns=["region_code", "year", "month", "period_counts", "period_illustrative"])


def month_span(engine: sa.Engine) -> tuple[int, int] | None:
    """The first and last month (as year * 12 + month - 1) the store holds any row of, counts of a quarter or year
    reaching over their months; None for an empty store."""
    t = seizure_summary
    with engine.connect() as conn:
        low, high = conn.execute(sa.select(sa.func.min(t.c.year * 12 + t.c.month - 1),
                                           sa.func.max(t.c.year * 12 + t.c.month - 1)).where(t.c.month > 0)).one()
    months = [int(v) for v in (low, high) if v is not None]
    counted = _period_counts(engine, None)
    if not counted.empty:
        covered = counted["year"] * 12 + counted["month"] - 1
        months += [int(covered.min()), int(covered.max())]
    return (min(months), max(months)) if months else None


def grid(engine: sa.Engine, flt: SeizureFilter) -> pd.DataFrame:
    """Per directorate (and "" for rows of the whole jurisdiction, where there are any) and month of the filter's
    period: lines (record-level), counts (of that month), period_counts (of a quarter or year covering it),
    illustrative (rows), rows, and status (present, missing, none, not expected). GRID_COLUMNS."""
    years = queries.period(engine, flt)
    span = month_span(engine)
    if years is None or span is None:
        return pd.DataFrame(columns=GRID_COLUMNS)
    t = seizure_summary
    keys = [t.c.region_code, t.c.year, t.c.month]
    query = (sa.select(*keys, sa.func.sum(t.c.lines).label("lines"), sa.func.sum(t.c.count_rows).label("counts"),
                       sa.func.sum(t.c.illustrative_lines).label("illustrative"))
             .where(*flt.conditions(t), t.c.month > 0).group_by(*keys))
    with engine.connect() as conn:
        monthly = pd.DataFrame(conn.execute(query).all(), columns=["region_code", "year", "month", "lines", "counts",
                                                                   "illustrative"])
    counted = _period_counts(engine, flt)
    if not counted.empty:
        counted = counted.groupby(["region_code", "year", "month"], as_index=False).sum()
    codes = list(queries.region_list(engine)["code"])
    if flt.regions:
        codes = [c for c in codes if c in flt.regions]
    present_codes = set(monthly["region_code"]) | set(counted["region_code"])
    codes += sorted(c for c in present_codes if c not in codes)  # "" (whole jurisdiction), unknown codes
    cells = pd.DataFrame(
        [(code, year, month) for code in codes for year in range(years[0], years[1] + 1) for month in range(1, 13)],
        columns=["region_code", "year", "month"],
    )
    out = cells.merge(monthly, on=["region_code", "year", "month"], how="left")
    out = out.merge(counted, on=["region_code", "year", "month"], how="left") if not counted.empty else out.assign(
        period_counts=0, period_illustrative=0)
    for column in ("lines", "counts", "illustrative", "period_counts", "period_illustrative"):
        out[column] = pd.to_numeric(out[column]).fillna(0).astype("int64")
    out["illustrative"] += out.pop("period_illustrative")
    out["rows"] = out["lines"] + out["counts"] + out["period_counts"]
    index = out["year"] * 12 + out["month"] - 1
    expected = index.between(*span)
    # A directorate-year's level: its rows a month over the months that have any (the others may be the gap).
    with_rows = out[out["rows"] > 0].groupby(["region_code", "year"])["rows"].mean().rename("level")
    level = out.join(with_rows, on=["region_code", "year"])["level"].fillna(0.0)
    out["status"] = NONE
    out.loc[(out["rows"] == 0) & (level >= QUIET_LEVEL), "status"] = MISSING
    out.loc[out["rows"] > 0, "status"] = PRESENT
    out.loc[~expected & (out["rows"] == 0), "status"] = NOT_EXPECTED
    return out[GRID_COLUMNS]


def year_totals(engine: sa.Engine, flt: SeizureFilter) -> pd.DataFrame:
    """Per directorate ("" for the whole jurisdiction) and year: lines, counts (of a month, quarter or year) and
    illustrative rows the filter selects."""
    t = seizure_summary
    keys = [t.c.region_code, t.c.year]
    query = (sa.select(*keys, sa.func.sum(t.c.lines).label("lines"), sa.func.sum(t.c.count_rows).label("counts"),
                       sa.func.sum(t.c.illustrative_lines).label("illustrative"))
             .where(*flt.conditions(t)).group_by(*keys))
    with engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(query).all(), columns=["region_code", "year", "lines", "counts",
                                                                 "illustrative"])
    return frame.astype({c: "int64" for c in ("year", "lines", "counts", "illustrative")})


YEAR_COLUMNS = ["region_code", "year", "months_expected", "months_present", "missing_months", "lines", "counts",
                "rows", "illustrative_share", "level", "change", "incomplete", "note"]


def by_year(cells: pd.DataFrame, totals: pd.DataFrame) -> pd.DataFrame:
    """Per directorate and year of a grid (with its year_totals): months expected and present, the missing months
    (numbers), lines, counts, rows, the share illustrative (%), the level (rows a month, over the months with data),
    the change of rows from the year before, whether the year is incomplete, and the note its change carries (empty
    when both years are complete)."""
    if cells.empty:
        return pd.DataFrame(columns=YEAR_COLUMNS)
    sums = totals.set_index(["region_code", "year"])
    rows = []
    for (code, year), part in cells.groupby(["region_code", "year"], sort=False):
        expected = part[part["status"] != NOT_EXPECTED]
        present = part[part["status"] == PRESENT]
        missing = part.loc[part["status"] == MISSING, "month"].tolist()
        lines, counts, illustrative = (int(sums.at[(code, year), c]) if (code, year) in sums.index else 0
                                       for c in ("lines", "counts", "illustrative"))
        rows.append({
            "region_code": code, "year": int(year), "months_expected": len(expected),
            "months_present": len(present), "missing_months": missing, "lines": lines, "counts": counts,
            "rows": lines + counts,
            "illustrative_share": illustrative / (lines + counts) * 100 if lines + counts else None,
            "level": float(present["rows"].mean()) if len(present) else 0.0,
            "incomplete": bool(missing) or len(expected) < 12,
        })
    out = pd.DataFrame(rows).reset_index(drop=True)
    previous = out.groupby("region_code", sort=False)["rows"].shift(1)
    consecutive = out.groupby("region_code", sort=False)["year"].shift(1) == out["year"] - 1
    out["change"] = (out["rows"] - previous).where(consecutive)
    before = out.groupby("region_code", sort=False)["incomplete"].shift(1)
    was_incomplete = before.where(consecutive, False).fillna(False).astype(bool)
    out["note"] = [change_note(row, earlier) if row.incomplete or earlier else ""
                   for row, earlier in zip(out.itertuples(), was_incomplete)]
    return out[YEAR_COLUMNS]


def _months(numbers: list[int]) -> str:
    names = i18n.month_names()
    return ", ".join(names[m - 1] for m in numbers)


def change_note(row, previous_incomplete: bool) -> str:
    """The note a directorate's year-on-year change carries (in the current language)."""
    parts = []
    if row.missing_months:
        parts.append(_("{year}: months missing: {months}").format(year=row.year, months=_months(row.missing_months)))
    elif row.months_expected < 12:
        parts.append(_("{year}: the data cover {months} of its 12 months").format(year=row.year,
                                                                                 months=row.months_expected))
    if previous_incomplete:
        parts.append(_("{year} is incomplete").format(year=row.year - 1))
    return _("Coverage incomplete ({details}): the change compares unequal coverage.").format(
        details="; ".join(parts))


@dataclass(frozen=True)
class Summary:
    """What the Overview says in one line: the directorate-years with months missing, and the years the store's
    data do not reach over whole."""

    missing: list[tuple[str, int, list[int]]]  # (region code, year, missing months)
    partial_years: list[tuple[int, int]]  # (year, months the data cover)
    rejected_rows: int  # rows rejected by the imports in force whose rows fall in the period
    empty: bool = False  # no seizure lines or counts in the selection at all


def summary(cells: pd.DataFrame, totals: pd.DataFrame, rejected: pd.DataFrame) -> Summary:
    if cells.empty:
        return Summary([], [], 0, empty=True)
    years = by_year(cells, totals)
    missing = [(r.region_code, r.year, r.missing_months) for r in years.itertuples() if r.missing_months]
    expected = cells[cells["status"] != NOT_EXPECTED].groupby("year")["month"].nunique()
    partial = [(int(y), int(n)) for y, n in expected.items() if n < 12]
    partial += [(int(y), 0) for y in sorted(set(cells["year"]) - set(expected.index))]
    return Summary(missing, sorted(partial), int(rejected["rows_rejected"].sum()) if not rejected.empty else 0)


REJECTION_COLUMNS = ["id", "file_name", "imported_at", "rows_read", "rows_accepted", "rows_rejected", "first_date",
                     "last_date"]


def rejections(engine: sa.Engine, flt: SeizureFilter) -> pd.DataFrame:
    """The imports in force that rejected rows and whose stored rows reach into the filter's period: REJECTION_COLUMNS
    (first_date and last_date: the span of the dates of the rows they stored; the rejected rows are not stored, so
    their own dates are not known)."""
    i, s = imports, seizures
    spans = (sa.select(s.c.import_id, sa.func.min(s.c.seized_on).label("first_date"),
                       sa.func.max(s.c.seized_on).label("last_date"))
             .group_by(s.c.import_id).subquery("spans"))
    query = (sa.select(i.c.id, i.c.file_name, i.c.imported_at, i.c.rows_read, i.c.rows_accepted, i.c.rows_rejected,
                       spans.c.first_date, spans.c.last_date)
             .join_from(i, spans, spans.c.import_id == i.c.id)
             .where(i.c.rolled_back_at.is_(None), i.c.rows_rejected > 0))
    if flt.year_from is not None:
        query = query.where(spans.c.last_date >= dt.date(flt.year_from, 1, 1))
    if flt.year_to is not None:
        query = query.where(spans.c.first_date <= dt.date(flt.year_to, 12, 31))
    with engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(query.order_by(i.c.imported_at, i.c.id)).all(), columns=REJECTION_COLUMNS)
    return frame.astype({c: "int64" for c in ("id", "rows_read", "rows_accepted", "rows_rejected")})


def overview(engine: sa.Engine, flt: SeizureFilter) -> Summary:
    """The Overview's one line, as data: directorate-years with months missing, partial years, rows rejected."""
    cells = grid(engine, flt)
    return summary(cells, year_totals(engine, flt), rejections(engine, flt))


def sentence(found: Summary, names: dict[str, str], years: tuple[int, int], shown: int = 3) -> str:
    """The Overview's line on coverage, in the current language: "Coverage: " and its details."""
    return _("Coverage: {details}.").format(details=details(found, names, years, shown))


def details(found: Summary, names: dict[str, str], years: tuple[int, int], shown: int = 3) -> str:
    """Whether the last year's change compares years of unequal coverage, the directorate-years with months missing,
    the partial years, the rows rejected at import; or that there are no gaps (current language)."""
    if found.empty:
        return _("no seizure data in {period}").format(period=i18n.period(*years))
    parts = []
    last_year = years[1]
    affected = {year for _code, year, _months in found.missing} | {year for year, _n in found.partial_years}
    if affected & {last_year, last_year - 1}:
        parts.append(_("the change from {previous} to {year} compares years of unequal coverage").format(
            previous=last_year - 1, year=last_year))
    if found.missing:
        listed = "; ".join(f"{names.get(code, code)} {year}: {_months(months)}"
                           for code, year, months in found.missing[:shown])
        more = _(", and {count} more").format(count=len(found.missing) - shown) if len(found.missing) > shown else ""
        parts.append(_("months missing in {listed}{more}").format(listed=listed, more=more))
    for year, months in found.partial_years:
        parts.append(_("the data cover {months} of the 12 months of {year}").format(months=months, year=year))
    if found.rejected_rows:
        parts.append(_("{rows} rows were rejected at import").format(rows=i18n.number(found.rejected_rows)))
    if not parts:
        return _("no gaps in {period}: every directorate that reports regularly has data in every month").format(
            period=i18n.period(*years))
    return "; ".join(parts)
