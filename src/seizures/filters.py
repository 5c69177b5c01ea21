"""The analyst's filter: one typed object, turned into SQL conditions and into URL query parameters."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Iterable, Mapping

import sqlalchemy as sa

from seizures import vocab
from seizures.i18n import _
from seizures.schema import seizures


@dataclass(frozen=True)
class SeizureFilter:
    """Which seizure lines to count. An empty tuple means "all"; years are inclusive."""

    year_from: int | None = None
    year_to: int | None = None
    regions: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    weapon_types: tuple[str, ...] = ()
    contexts: tuple[str, ...] = ()

    def conditions(self, table: sa.FromClause = seizures) -> list[sa.ColumnElement[bool]]:
        """Bound-parameter SQL conditions on the seizures table (date ranges, so DuckDB can skip row groups), or on
        a summary table of it (which has a `year` column instead of the date)."""
        where: list[sa.ColumnElement[bool]] = []
        dated = "seized_on" in table.c
        if self.year_from is not None:
            where.append(table.c.seized_on >= dt.date(self.year_from, 1, 1) if dated else table.c.year >= self.year_from)
        if self.year_to is not None:
            where.append(table.c.seized_on < dt.date(self.year_to + 1, 1, 1) if dated else table.c.year <= self.year_to)
        for column, values in (
            ("region_code", self.regions),
            ("category", self.categories),
            ("weapon_type", self.weapon_types),
            ("context", self.contexts),
        ):
            if values:
                where.append(table.c[column].in_(values))
        return where

    def with_years(self, year_from: int | None, year_to: int | None) -> "SeizureFilter":
        return replace(self, year_from=year_from, year_to=year_to)

    def with_regions(self, regions: tuple[str, ...]) -> "SeizureFilter":
        return replace(self, regions=tuple(regions))

    def with_open_edges(self, bounds: tuple[int, int] | None) -> "SeizureFilter":
        """The same selection with a period edge at the seizure lines' first or last year left open, as the sidebar
        keeps it: the period then also takes in the KPI values and published figures before or after those years."""
        if bounds is None:
            return self
        return self.with_years(
            None if self.year_from == bounds[0] else self.year_from, None if self.year_to == bounds[1] else self.year_to
        )


# URL parameter -> filter field holding a list of codes
LIST_PARAMS = {
    "region": "regions",
    "category": "categories",
    "weapon": "weapon_types",
    "context": "contexts",
}
VOCABULARIES = {
    "categories": vocab.CATEGORIES,
    "weapon_types": vocab.WEAPON_TYPES,
    "contexts": vocab.CONTEXTS,
}


@dataclass
class ParsedFilter:
    filter: SeizureFilter
    warnings: list[str] = field(default_factory=list)


def _parse_year(raw: str | None, name: str, bounds: tuple[int, int], warnings: list[str]) -> int | None:
    if raw in (None, ""):
        return None
    try:
        year = int(raw)
    except ValueError:
        warnings.append(_("Ignored {name}={value}: not a year.").format(name=name, value=repr(raw)))
        return None
    if not bounds[0] <= year <= bounds[1]:
        warnings.append(_("Ignored {name}={year}: outside the data's years {first}–{last}.").format(
            name=name, year=year, first=bounds[0], last=bounds[1]))
        return None
    return year


def from_query_params(
    params: Mapping[str, str], region_codes: Iterable[str], year_bounds: tuple[int, int]
) -> ParsedFilter:
    """Read a filter from URL parameters; unknown or malformed values are dropped with a warning, never raised."""
    warnings: list[str] = []
    year_from = _parse_year(params.get("from"), "from", year_bounds, warnings)
    year_to = _parse_year(params.get("to"), "to", year_bounds, warnings)
    if year_from is not None and year_to is not None and year_from > year_to:
        warnings.append(_("Ignored the period {first}–{last}: it ends before it starts.").format(first=year_from, last=year_to))
        year_from = year_to = None
    allowed = {"regions": set(region_codes), **{k: set(v) for k, v in VOCABULARIES.items()}}
    lists: dict[str, tuple[str, ...]] = {}
    for param, field_name in LIST_PARAMS.items():
        raw = params.get(param) or ""
        values = [v.strip() for v in raw.split(",") if v.strip()]
        known = [v for v in dict.fromkeys(values) if v in allowed[field_name]]
        unknown = [v for v in values if v not in allowed[field_name]]
        if unknown:
            warnings.append(_("Ignored unknown {param} value(s): {values}.").format(
                param=param, values=", ".join(repr(v[:40]) for v in unknown[:5])))
        lists[field_name] = tuple(known)
    return ParsedFilter(SeizureFilter(year_from=year_from, year_to=year_to, **lists), warnings)


def to_query_params(flt: SeizureFilter) -> dict[str, str]:
    """The URL parameters that restore a filter (defaults are left out)."""
    params: dict[str, str] = {}
    if flt.year_from is not None:
        params["from"] = str(flt.year_from)
    if flt.year_to is not None:
        params["to"] = str(flt.year_to)
    for param, field_name in LIST_PARAMS.items():
        values = getattr(flt, field_name)
        if values:
            params[param] = ",".join(values)
    return params
