"""What changed: a measure's change between two periods, in total and by directorate, weapon type and context,
ranked, and a sentence naming the largest rise and fall.

The default comparison is the last year of the selected period against the year before; any two periods of the
same number of years may be compared (their totals). The change is absolute and relative; the relative change
is undefined when the base is 0 (status NEW, "none in 2021"), never infinite.

Everything is computed from frames of the measure by year (`queries.measure_by(..., dimension, "year")`), so the
same code runs on the frames of the public mode, where small counts are hidden (disclosure.py: hidden cells are
missing with a `value_note`). There a change is shown only when every cell it is made of is shown, so each shown
change, and the total's, is a difference of figures the pages already show: it tells nothing the protected tables
do not. Hidden changes are not ranked, and the sentence says how many were left out, so that "largest rise" is
never a claim about a hidden value (it would bound it). A change of a cell whose other year is shown would give
the hidden one away (12 shown, change +9: the hidden year was 3): that is why either hidden side hides it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import numpy as np
import pandas as pd
import sqlalchemy as sa
from babel.lists import format_list

from seizures import disclosure, i18n, queries
from seizures.filters import SeizureFilter
from seizures.i18n import _, ngettext

NOTE = disclosure.NOTE_SUFFIX
# Status of a change (a code in the frames, shown through the sentence or the page's own labels).
RISE, FALL, SAME, NEW, HIDDEN, NO_DATA = "rise", "fall", "same", "new", "hidden", "no_data"
COMPARED = (RISE, FALL, SAME, NEW)
# The breakdowns of "what changed", as measure_by dimensions.
DIMENSIONS = ("region_code", "weapon_type", "context")
COLUMNS = ["base", "current", "change", "pct_change", "status", "rank"]


@dataclass(frozen=True)
class Periods:
    """Two periods of whole years, (first, last) inclusive, of the same length: base, then current."""

    base: tuple[int, int]
    current: tuple[int, int]

    def __post_init__(self):
        for first, last in (self.base, self.current):
            if first > last:
                raise ValueError(_("A period cannot end before it starts: {period}.").format(
                    period=f"{first}–{last}"))
        if self.base[1] - self.base[0] != self.current[1] - self.current[0]:
            raise ValueError(_("The two periods must have the same number of years: {base} and {current}.").format(
                base=i18n.period(*self.base), current=i18n.period(*self.current)))

    @classmethod
    def last_year(cls, year: int) -> "Periods":
        """A year against the year before."""
        return cls((year - 1, year - 1), (year, year))

    @property
    def first(self) -> int:
        return min(self.base[0], self.current[0])

    @property
    def last(self) -> int:
        return max(self.base[1], self.current[1])

    def labels(self) -> tuple[str, str]:
        """("2021", "2022") or ("2019–2020", "2021–2022")."""
        return i18n.period(*self.base), i18n.period(*self.current)


def default_periods(flt: SeizureFilter, store_years: tuple[int, int] | None) -> Periods | None:
    """The last year of the filter's period (or of the store) against the year before; None for an empty store."""
    if flt.year_to is not None:
        return Periods.last_year(flt.year_to)
    return Periods.last_year(store_years[1]) if store_years else None


def _period_sum(frame: pd.DataFrame, keys: list[str], years: tuple[int, int], hidden: pd.Series) -> pd.DataFrame:
    """Per group: the sum of its shown cells in the years, and whether any of its cells there is hidden."""
    inside = frame["year"].between(*years)
    part = frame.loc[inside, keys].assign(
        value=frame.loc[inside, "value"].where(~hidden[inside], 0.0), hidden=hidden[inside])
    if not keys:
        return pd.DataFrame({"value": [part["value"].sum()], "hidden": [bool(part["hidden"].any())]})
    return part.groupby(keys, as_index=False).agg(value=("value", "sum"), hidden=("hidden", "any"))


def _side_note(notes: pd.Series) -> str:
    return notes.iloc[0] if len(notes) == 1 else disclosure.SECONDARY


def compare(
    by_year: pd.DataFrame, periods: Periods, dimension: str | None = None,
    store_years: tuple[int, int] | None = None,
) -> pd.DataFrame:
    """The change of each group of `dimension` (None: the whole frame, one row) from the base period to the
    current one, ranked by the absolute change (largest rise first; ties share a rank).

    by_year: columns [dimension,] year, value, and value_note when protected (hidden cells missing); a group
    absent in a year had no seizures then (0). store_years: the years the store holds; a period outside them
    has no data (status NO_DATA), not zero.
    Columns: [dimension,] base, current, change, pct_change (NaN when the base is 0), status, rank (NaN when not
    compared), and base_note, current_note, change_note, pct_change_note ("" when shown; disclosure.shown()).
    Hidden and not-compared rows come last.
    """
    keys = [dimension] if dimension else []
    frame = by_year.reset_index(drop=True)
    values = pd.to_numeric(frame["value"], errors="coerce").astype("float64")
    note = frame["value" + NOTE].astype(str) if "value" + NOTE in frame else pd.Series("", index=frame.index)
    hidden = values.isna() | (note != "")
    frame = frame.assign(value=values)
    base = _period_sum(frame, keys, periods.base, hidden)
    current = _period_sum(frame, keys, periods.current, hidden)
    if keys:
        out = base.merge(current, on=keys, how="outer", suffixes=("_base", "_current"))
    else:
        out = base.add_suffix("_base").join(current.add_suffix("_current"))
    for side in ("base", "current"):
        out[f"value_{side}"] = out[f"value_{side}"].fillna(0.0).astype("float64")
        out[f"hidden_{side}"] = out[f"hidden_{side}"].astype("boolean").fillna(False).astype(bool)
    out = out.rename(columns={"value_base": "base", "value_current": "current"})
    # A hidden side's note: its one hidden cell's ("<5" or "x"), "x" for several (their sum is unknown).
    cell_notes = note.where(note != "", disclosure.SECONDARY)
    side_notes = {}
    for side, years in (("base", periods.base), ("current", periods.current)):
        mask = frame["year"].between(*years) & hidden
        if keys:
            per_group = cell_notes[mask].groupby(frame.loc[mask, dimension]).agg(_side_note).to_dict()
            side_notes[side] = np.array([per_group.get(code, "") for code in out[dimension]], dtype=object)
        else:
            side_notes[side] = np.array([_side_note(cell_notes[mask]) if mask.any() else ""])
    known = store_years is None or (store_years[0] <= periods.first and periods.last <= store_years[1])
    concealed = out["hidden_base"] | out["hidden_current"]
    out["base"] = out["base"].where(~out["hidden_base"])
    out["current"] = out["current"].where(~out["hidden_current"])
    out["change"] = (out["current"] - out["base"]).round(3)
    out["pct_change"] = (out["change"] / out["base"].where(out["base"] != 0) * 100).where(~concealed)
    out["status"] = np.select(
        [np.full(len(out), not known), concealed, out["change"] > 0, out["change"] < 0],
        [NO_DATA, HIDDEN, np.where(out["base"] == 0, NEW, RISE), FALL],
        SAME,
    )
    if not known:
        out[["change", "pct_change"]] = np.nan
    compared = out["status"].isin(COMPARED)
    out["rank"] = (-out["change"].where(compared)).rank(method="min")
    out["base" + NOTE] = side_notes["base"]
    out["current" + NOTE] = side_notes["current"]
    for column in ("change", "pct_change"):
        out[column + NOTE] = np.where(concealed, disclosure.SECONDARY, "")
    order = [*keys, *COLUMNS, *(c + NOTE for c in ("base", "current", "change", "pct_change"))]
    out = out.assign(_compared=~compared).sort_values(["_compared", "rank", *keys], na_position="last")
    return out[order].reset_index(drop=True)


@dataclass(frozen=True)
class Changes:
    """A measure's change between two periods: the total and each breakdown (frames as compare() returns)."""

    measure_key: str
    periods: Periods
    total: pd.DataFrame
    by_region: pd.DataFrame
    by_weapon_type: pd.DataFrame
    by_context: pd.DataFrame

    @property
    def measure(self) -> queries.Measure:
        return queries.MEASURES_BY_KEY[self.measure_key]


def from_frames(
    measure_key: str, periods: Periods, by_year: pd.DataFrame, by_region_year: pd.DataFrame,
    by_weapon_type_year: pd.DataFrame, by_context_year: pd.DataFrame, store_years: tuple[int, int] | None = None,
) -> Changes:
    """Changes from the frames of the measure by year (measure_by with "year", "region_code"/"year", ...), as the
    pages read them: in the public mode, the protected frames, and the changes come out protected.

    In the public mode pass the frames the pages show anyway (the whole period), never frames asked for the two
    compared periods alone: a table protected on its own may hide other cells, and two differently protected
    versions of one table can be subtracted from each other.
    """
    return Changes(
        measure_key, periods,
        compare(by_year, periods, None, store_years),
        compare(by_region_year, periods, "region_code", store_years),
        compare(by_weapon_type_year, periods, "weapon_type", store_years),
        compare(by_context_year, periods, "context", store_years),
    )


def what_changed(
    engine: sa.Engine, flt: SeizureFilter, measure_key: str, periods: Periods | None = None
) -> Changes | None:
    """The changes for a filter read from the store (not protected): the filter's categories, weapon types,
    contexts and directorates apply, its years are replaced by the two periods'. None for an empty store."""
    store_years = queries.year_bounds(engine)
    periods = periods or default_periods(flt, store_years)
    if periods is None:
        return None
    window = flt.with_years(periods.first, periods.last)
    frames = [queries.measure_by(engine, window, measure_key, *dims, "year") for dims in ((), *((d,) for d in DIMENSIONS))]
    return from_frames(measure_key, periods, *frames, store_years=store_years)


# --- The sentence -----------------------------------------------------------------------------------------------


def _names(codes, names: Mapping[str, str]) -> str:
    return format_list([names.get(code, code) for code in codes], locale=i18n.babel_locale())


def _signed(value: float) -> str:
    return i18n.number(value, signed=True)


def _pct(value: float, signed: bool = True) -> str:
    return i18n.percent(value if signed else abs(value), signed=signed)


def total_sentence(changes: Changes) -> str:
    """The total's change in one sentence: "Firearms (pieces): 1,473 in 2022, up 15.1 % (+193) on 2021."."""
    row = changes.total.iloc[0]
    base_period, period = changes.periods.labels()
    measure = changes.measure.title
    words = dict(measure=measure, period=period, base_period=base_period)
    if row["status"] == NO_DATA:
        return _("{measure}: nothing to compare: the records do not cover both {base_period} and {period}.").format(
            **words)
    if row["status"] == HIDDEN:
        return _("{measure}: the change from {base_period} to {period} is not shown, to protect small "
                 "counts.").format(**words)
    current, change, pct = i18n.number(row["current"]), _signed(row["change"]), row["pct_change"]
    if row["status"] == NEW:
        return _("{measure}: {current} in {period}, none in {base_period}.").format(current=current, **words)
    if row["status"] == RISE:
        return _("{measure}: {current} in {period}, up {percent} ({change}) on {base_period}.").format(
            current=current, percent=_pct(pct, signed=False), change=change, **words)
    if row["status"] == FALL:
        return _("{measure}: {current} in {period}, down {percent} ({change}) on {base_period}.").format(
            current=current, percent=_pct(pct, signed=False), change=change, **words)
    if row["current"] == 0:
        return _("{measure}: none in {period} nor in {base_period}.").format(**words)
    return _("{measure}: {current} in {period}, the same as in {base_period}.").format(current=current, **words)


def _leaders(frame: pd.DataFrame, column: str, largest: bool) -> pd.DataFrame:
    """The rows with the largest (or smallest) value of column, all of them on a tie."""
    values = frame[column].round(6)
    best = values.max() if largest else values.min()
    return frame[values == best]


def breakdown_sentence(frame: pd.DataFrame, dimension: str, names: Mapping[str, str], periods: Periods) -> str:
    """The largest rise (absolute, then relative when another group leads there) and the largest fall of a
    breakdown (a frame from compare()), naming the groups in the current language (names: code -> name)."""
    base_period, _period = periods.labels()
    if frame.empty:
        return _("Nothing to compare.")
    compared = frame[frame["status"].isin(COMPARED)]
    hidden = int((frame["status"] == HIDDEN).sum())
    if (frame["status"] == NO_DATA).all():
        return _("Nothing to compare: the records do not cover both periods.")
    if compared.empty:
        return _("All are hidden, to protect small counts.")
    parts = []
    if hidden:
        parts.append(ngettext("Compared: {shown} of {total}; {hidden} is hidden, to protect small counts.",
                              "Compared: {shown} of {total}; {hidden} are hidden, to protect small counts.",
                              hidden).format(shown=len(compared), total=len(frame), hidden=hidden))
    rises, falls = compared[compared["change"] > 0], compared[compared["change"] < 0]
    if rises.empty and falls.empty:
        parts.append(_("No rise or fall."))
        return " ".join(parts)
    if rises.empty:
        parts.append(_("No rise."))
    else:
        top = _leaders(rises, "change", largest=True)
        code = top[dimension].iloc[0]
        if len(top) > 1:
            parts.append(_("Largest rise: {names}, {change} each.").format(
                names=_names(top[dimension], names), change=_signed(top["change"].iloc[0])))
        elif top["status"].iloc[0] == NEW:
            parts.append(_("Largest rise: {name}, {change} (none in {base_period}).").format(
                name=names.get(code, code), change=_signed(top["change"].iloc[0]), base_period=base_period))
        else:
            parts.append(_("Largest rise: {name}, {change} ({percent}).").format(
                name=names.get(code, code), change=_signed(top["change"].iloc[0]),
                percent=_pct(top["pct_change"].iloc[0])))
        relative = rises[rises["status"] == RISE]
        if not relative.empty:
            steep = _leaders(relative, "pct_change", largest=True)
            if set(steep[dimension]) != set(top[dimension]):
                if len(steep) > 1:
                    parts.append(_("Largest relative rise: {names}, {percent} each.").format(
                        names=_names(steep[dimension], names), percent=_pct(steep["pct_change"].iloc[0])))
                else:
                    code = steep[dimension].iloc[0]
                    parts.append(_("Largest relative rise: {name}, {percent} ({change}).").format(
                        name=names.get(code, code), percent=_pct(steep["pct_change"].iloc[0]),
                        change=_signed(steep["change"].iloc[0])))
    if falls.empty:
        parts.append(_("No fall."))
    else:
        low = _leaders(falls, "change", largest=False)
        if len(low) > 1:
            parts.append(_("Largest fall: {names}, {change} each.").format(
                names=_names(low[dimension], names), change=_signed(low["change"].iloc[0])))
        else:
            code = low[dimension].iloc[0]
            parts.append(_("Largest fall: {name}, {change} ({percent}).").format(
                name=names.get(code, code), change=_signed(low["change"].iloc[0]),
                percent=_pct(low["pct_change"].iloc[0])))
    return " ".join(parts)


def region_names(region_table: pd.DataFrame) -> dict[str, str]:
    """code -> the directorate's name in the current language (a queries.region_list frame)."""
    return dict(zip(region_table["code"], i18n.region_names(region_table)))


def sentence(changes: Changes, region_table: pd.DataFrame) -> str:
    """The total's change and the directorates' largest rise and fall, in the current language:
    "Firearms (pieces): 1,473 in 2022, up 15.1 % (+193) on 2021. Largest rise: Prishtina, +45 (+14.0 %). ..."."""
    total = total_sentence(changes)
    if changes.total["status"].iloc[0] in (NO_DATA,) or changes.by_region.empty:
        return total
    return f"{total} {breakdown_sentence(changes.by_region, 'region_code', region_names(region_table), changes.periods)}"
