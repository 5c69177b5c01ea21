"""The analyst's filter: one typed object, turned into SQL conditions and into URL query parameters."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Iterable, Mapping

import sqlalchemy as sa

from seizures import reference, vocab
from seizures.i18n import _, user_text
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
# URL parameter -> the vocabulary's kind of its codes
KINDS = {"category": "category", "weapon": "weapon_type", "context": "context"}


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
        warnings.append(_("Ignored {name}={value}: not a year.").format(name=name, value=user_text(raw)))
        return None
    if not bounds[0] <= year <= bounds[1]:
        warnings.append(_("Ignored {name}={year}: outside the data's years {first}–{last}.").format(
            name=name, year=user_text(raw), first=bounds[0], last=bounds[1]))
        return None
    return year


Aliases = Mapping[str, Mapping[str, str]]


def allowed_codes(region_codes: Iterable[str], vocabulary: reference.Vocabulary) -> dict[str, list[str]]:
    """URL parameter -> the codes a link may give: the store's regions and its vocabulary."""
    return {"region": list(region_codes), **{param: vocabulary.codes(kind) for param, kind in KINDS.items()}}


def region_aliases(regions: Iterable[Mapping[str, str]]) -> dict[str, dict[str, str]]:
    """The `aliases` that let a link name directorates (Peja, Pejë, Peć) as well as codes, from rows with code,
    name_en, name_sq, name_sr (queries.region_list(...).to_dict("records"))."""
    names = {}
    for region in regions:
        for column in ("name_en", "name_sq", "name_sr"):
            if region.get(column):
                names[str(region[column])] = str(region["code"])
    return {"region": names}


def vocabulary_aliases(vocabulary: reference.Vocabulary) -> dict[str, dict[str, str]]:
    """The `aliases` that let a link name categories, weapon types and contexts by their label in any language."""
    return {param: {label: term.code for term in vocabulary.of(kind) for _lang, label in term.labels if label}
            for param, kind in KINDS.items()}


def _spellings(allowed: Iterable[str], aliases: Mapping[str, str]) -> dict[str, str]:
    """Folded spelling -> code: the codes themselves first (they win a clash), then the aliases."""
    folded: dict[str, str] = {}
    for spelling, code in aliases.items():
        folded.setdefault(vocab.fold(spelling), code)
    folded.update({vocab.fold(code): code for code in allowed})
    return folded


def from_query_params(
    params: Mapping[str, str], allowed: Mapping[str, Iterable[str]], year_bounds: tuple[int, int],
    aliases: Aliases | None = None,
) -> ParsedFilter:
    """Read a filter from URL parameters; unknown or malformed values are dropped with a warning, never raised.

    `allowed`: URL parameter (region, category, weapon, context) -> its codes (allowed_codes). Values are matched as
    the importer matches names (vocab.fold: any case, accents optional, đ = dj): codes, and `aliases` ({"region":
    {"Peja": "PE", ...}, "category": {"Firearms": "firearm", ...}}: region_aliases, vocabulary_aliases). Warnings are
    Markdown: what the user typed is shown by i18n.user_text.
    """
    warnings: list[str] = []
    year_from = _parse_year(params.get("from"), "from", year_bounds, warnings)
    year_to = _parse_year(params.get("to"), "to", year_bounds, warnings)
    if year_from is not None and year_to is not None and year_from > year_to:
        warnings.append(_("Ignored the period {first}–{last}: it ends before it starts.").format(first=year_from, last=year_to))
        year_from = year_to = None
    lists: dict[str, tuple[str, ...]] = {}
    for param, field_name in LIST_PARAMS.items():
        codes_allowed = set(allowed.get(param, ()))
        spellings = _spellings(codes_allowed, (aliases or {}).get(param, {}))
        raw = params.get(param) or ""
        values = [v.strip() for v in raw.split(",") if v.strip()]
        codes = [v if v in codes_allowed else spellings.get(vocab.fold(v)) for v in values]
        unknown = [v for v, code in zip(values, codes) if code is None]
        if unknown:
            shown = ", ".join(user_text(v) for v in unknown[:5]) + (", …" if len(unknown) > 5 else "")
            warnings.append(_("Ignored unknown {param} value(s): {values}.").format(param=param, values=shown))
        lists[field_name] = tuple(dict.fromkeys(code for code in codes if code is not None))
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
