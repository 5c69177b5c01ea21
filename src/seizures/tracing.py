"""SDG indicator 16.4.2 and the tracing of seized firearms: the indicator as the UN defines it, its numerator and
denominator, and the tracing funnel (seized, marked, trace requested, origin established), by year and directorate.

The indicator (UN SDG metadata): the proportion of seized, found or surrendered arms whose illicit origin or context
has been traced or established by a competent authority in line with international instruments. Here:

- denominator: the firearms (category "firearm", in pieces) of the filter's rows, lines and counts by period alike;
- numerator: those of them whose trace result is "illicit origin or context established".

Honest where the fields are empty: the tracing fields are optional, and a row without a trace result says nothing
about its firearms' origin. Where none of a group's firearms has a trace result, the indicator is "not recorded"
(None), never 0 %; a group whose firearms have results and none established is a true 0 %. Beside it, how many of the
seized firearms have no tracing field at all. A count by period stands for items that have its fields in common, so
its quantity goes wherever its fields say (a count of 120 firearms whose origin was established adds 120 to the
numerator).

The figures read the seizure lines (the summaries do not hold the tracing fields), restricted to firearms.
"""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from seizures.filters import SeizureFilter
from seizures.i18n import N_
from seizures.schema import seizures

DEFINITION = N_("Proportion of seized, found or surrendered arms whose illicit origin or context has been traced or "
                "established by a competent authority in line with international instruments")
FIREARM = ("firearm", "pieces")  # the category and unit the indicator counts
FIELDS = ("marked", "trace_requested_on", "trace_result", "origin_how", "manufacture_country", "import_country",
          "legal_basis", "criminal_context", "significant")
DIMENSIONS = ("year", "region_code")
ESTABLISHED = "origin_established"

# The funnel's stages, in order, with their labels.
STAGES = {
    "seized": N_("Seized, found or surrendered"),
    "marked": N_("Marking found"),
    "trace_requested": N_("Trace requested"),
    "established": N_("Illicit origin or context established"),
}
MEASURES = ("seized", "rows", "illustrative_rows", "recorded", "marked", "unmarked", "marking_not_recorded",
            "trace_requested", "result_recorded", "established", "not_established", "pending")


def _keys(dimensions: tuple[str, ...]) -> list[sa.ColumnElement]:
    s = seizures
    columns = {
        "year": sa.cast(sa.extract("year", s.c.seized_on), sa.Integer).label("year"),
        "region_code": sa.func.coalesce(s.c.region_code, "").label("region_code"),  # "": the whole jurisdiction
    }
    for d in dimensions:
        if d not in columns:
            raise KeyError(d)
    return [columns[d] for d in dimensions]


def firearm_conditions(flt: SeizureFilter) -> list[sa.ColumnElement[bool]]:
    """The filter's conditions on the lines, restricted to firearms in pieces (a category filter without firearms
    leaves nothing)."""
    s = seizures
    return [*flt.conditions(s), s.c.category == FIREARM[0], s.c.unit == FIREARM[1]]


def funnel_query(flt: SeizureFilter, dimensions: tuple[str, ...]) -> sa.Select:
    """Per group of the dimensions: firearms seized and at each tracing stage (quantities, lines and counts alike),
    and the rows they come from."""
    s = seizures
    q = s.c.quantity

    def firearms(condition) -> sa.ColumnElement:
        return sa.func.coalesce(sa.func.sum(sa.case((condition, q), else_=0.0)), 0.0)

    any_field = sa.or_(*(s.c[f].is_not(None) for f in FIELDS))
    keys = _keys(dimensions)
    query = sa.select(
        *keys,
        sa.func.coalesce(sa.func.sum(q), 0.0).label("seized"),
        sa.func.count().label("rows"),
        sa.func.coalesce(sa.func.sum(sa.case((s.c.illustrative, 1), else_=0)), 0).label("illustrative_rows"),
        firearms(any_field).label("recorded"),
        firearms(s.c.marked.is_(True)).label("marked"),
        firearms(s.c.marked.is_(False)).label("unmarked"),
        firearms(s.c.marked.is_(None)).label("marking_not_recorded"),
        firearms(s.c.trace_requested_on.is_not(None)).label("trace_requested"),
        firearms(s.c.trace_result.is_not(None)).label("result_recorded"),
        firearms(s.c.trace_result == ESTABLISHED).label("established"),
        firearms(s.c.trace_result == "origin_not_established").label("not_established"),
        firearms(s.c.trace_result == "pending").label("pending"),
    ).where(*firearm_conditions(flt))
    if keys:
        query = query.group_by(*keys).order_by(*keys)
    return query


def funnel_by(engine: sa.Engine, flt: SeizureFilter, *dimensions: str) -> pd.DataFrame:
    """The funnel per group of the dimensions (year, region_code; none: one row for the whole filter), with the
    indicator: columns *dimensions, MEASURES, not_recorded (firearms with no tracing field at all), share_pct (the
    indicator in %, None where not recorded) and share_of_results_pct (established among the firearms with a trace
    result)."""
    with engine.connect() as conn:
        result = conn.execute(funnel_query(flt, tuple(dimensions)))
        frame = pd.DataFrame(result.fetchall(), columns=list(result.keys()))
    if not dimensions and not frame.empty and frame["rows"].iloc[0] == 0:
        frame = frame.iloc[0:0]
    return with_indicator(frame)


def with_indicator(frame: pd.DataFrame) -> pd.DataFrame:
    """Add not_recorded, share_pct and share_of_results_pct to a funnel frame (pure: tested by hand)."""
    out = frame.copy()
    for column in MEASURES:
        out[column] = pd.to_numeric(out[column]).astype("float64").round(3)
    out["rows"] = out["rows"].astype("int64")
    out["illustrative_rows"] = out["illustrative_rows"].astype("int64")
    out["not_recorded"] = (out["seized"] - out["recorded"]).round(3)
    known = (out["result_recorded"] > 0) & (out["seized"] > 0)
    out["share_pct"] = (out["established"] / out["seized"] * 100).where(known)
    out["share_of_results_pct"] = (out["established"] / out["result_recorded"] * 100).where(known)
    return out.reset_index(drop=True)


def stages(row: pd.Series) -> pd.DataFrame:
    """The funnel of one group (a row of funnel_by) as stage, value (firearms), in order."""
    return pd.DataFrame({"stage": list(STAGES), "value": [float(row[s]) for s in STAGES]})
