"""What changed, surge flags and events, as the pages show them: the "What changed" section (Overview and Regions),
the events and the surge flags of a filter as the trend charts draw them, the list of flagged months, and the
year to date.

The numbers come from changes.py, surges.py and queries.events_in_filter through the pages' cached queries; in the
public mode the changes are made from the protected frames the pages show anyway (changes.from_frames), and there
are no flags and no year to date (a flag states a directorate-month's count; a part of a year is a total the
protection does not cover).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from typing import Callable

import pandas as pd
import streamlit as st
from babel import dates as babel_dates

from seizures import changes, charts, disclosure, events, i18n, queries, reference, settings, surges
from seizures.changes import Periods
from seizures.dashboard import data, sidebar, widgets
from seizures.filters import SeizureFilter, to_query_params
from seizures.i18n import N_, _

BREAKDOWNS = (  # (dimension, tab title)
    ("region_code", N_("By directorate")),
    ("weapon_type", N_("By weapon type")),
    ("context", N_("By seizure context")),
)
STATUS = {changes.RISE: N_("rise"), changes.FALL: N_("fall"), changes.SAME: N_("no change"), changes.NEW: N_("new"),
          changes.HIDDEN: N_("hidden"), changes.NO_DATA: N_("no data")}


def markdown_text(text: str) -> str:
    """Stored names put into Markdown: the signs that start emphasis, a link, code, HTML or mathematics escaped."""
    return re.sub(r"([\\`*_\[\]<>~|#$])", r"\\\1", str(text))


def labels(dimension: str) -> dict[str, str]:
    """Code -> name in the page's language, for a breakdown ("" is the whole jurisdiction, or not recorded)."""
    if dimension == "region_code":
        names = dict(data.region_names())
        names.setdefault(reference.WHOLE_JURISDICTION, _(reference.WHOLE_JURISDICTION_LABEL))
        return names
    names = dict(data.vocabulary().labels(dimension))
    names.setdefault(reference.NOT_RECORDED, _(reference.NOT_RECORDED_LABEL))
    return names


def fragment(section: Callable) -> Callable:
    """st.fragment for a page's section whose own widgets (a measure, periods to compare) should rerun only it.

    A fragment rerun runs without app.py: the store is opened and its data version read once for it here (without,
    every cached query would read the version again, and a fragment rerun took longer than the whole page), and a
    chart selection made in it, which changes the filter of every section and of the sidebar, reruns the whole app.
    """
    @functools.wraps(section)
    def run(*args, **kwargs):
        sidebar.follow_selection()
        with data.script_run():
            section(*args, **kwargs)

    return st.fragment(run)


# --- Events on the timeline -----------------------------------------------------------------------------------


def _titled(frame: pd.DataFrame, _lang: str) -> pd.DataFrame:
    return frame.assign(title=events.titles(frame), kind=frame["kind"].map(events.kind_label))


def events_for(flt: SeizureFilter) -> pd.DataFrame:
    """The events of the filter's period and directorates (queries.events_in_filter), titled in the page's language
    with their kind's label, as the trend charts draw them (charts.add_events)."""
    frame = data.cached(queries.events_in_filter, flt)
    return data.derived(_titled, frame, i18n.language())


def events_list(frame: pd.DataFrame) -> None:
    """The events drawn on the charts above, as a list (dates, directorate, kind, title, source)."""
    if frame.empty:
        return
    names = data.region_names()
    with st.expander(_("Events on the timeline ({count})").format(count=len(frame))):
        widgets.dataframe(pd.DataFrame({
            _("From"): frame["starts_on"].map(i18n.date),
            _("To"): [i18n.date(d) if isinstance(d, dt.date) else "" for d in frame["ends_on"]],
            _("Where"): [names.get(c, c) if isinstance(c, str) and c else _("national") for c in frame["region_code"]],
            _("Kind"): frame["kind"],
            _("Event"): frame["title"],
            _("Source"): frame["source"],
        }), hide_index=True, width="stretch")
        st.caption(_("Events are kept by the administrators on the Data page; only those of the selected period and "
                     "directorates are drawn."))


# --- Surge flags ------------------------------------------------------------------------------------------------


def _judged(monthly: pd.DataFrame, by: tuple[str, ...]) -> pd.DataFrame:
    """The series that can be judged: a series with a month whose value is not recorded (seizure events of counts)
    is left out rather than read as zero."""
    unknown = monthly["value"].isna()
    if not unknown.any():
        return monthly
    if not by:
        return monthly.iloc[0:0]
    bad = monthly.loc[unknown, list(by)].drop_duplicates().assign(_bad=True)
    marked = monthly.merge(bad, on=list(by), how="left")["_bad"].eq(True).to_numpy()
    return monthly[~marked].reset_index(drop=True)


def _flags(monthly: pd.DataFrame, flt: SeizureFilter, store_months, by: tuple[str, ...], _lang: str) -> pd.DataFrame:
    return surges.flags_in(_judged(monthly, by), flt, store_months, by)


def flags(flt: SeizureFilter, measure_key: str, by: tuple[str, ...] = ("region_code",)) -> pd.DataFrame | None:
    """The flagged months of the filter's period (surges.flags_in on the cached monthly counts); None in the public
    mode.

    Judged among all directorates (and, within them, all weapon types) whatever the filter's directorates and
    weapon types, then kept to those selected: a flag then stays the same when the view is narrowed to it (the
    rule's dispersion and season come from all the series judged together). The filter's categories and contexts,
    and its weapon types for the directorates' own series, apply.
    """
    if settings.public_mode():
        return None
    scope = surges.history_filter(flt).with_regions(())
    if "weapon_type" in by:
        scope = SeizureFilter(year_from=scope.year_from, year_to=scope.year_to, categories=scope.categories,
                              contexts=scope.contexts)
    monthly = data.cached(queries.measure_by, scope, measure_key, *by, "year", "month")
    found = data.derived(_flags, monthly, flt, data.cached(queries.month_bounds), by, i18n.language())
    if flt.regions and "region_code" in by:
        found = found[found["region_code"].isin(flt.regions)]
    if flt.weapon_types and "weapon_type" in by:
        found = found[found["weapon_type"].isin(flt.weapon_types)]
    return found.reset_index(drop=True)


def all_flags(flt: SeizureFilter, measure_key: str) -> pd.DataFrame | None:
    """Directorate-months and weapon types within them, together (weapon_type "" for a directorate's own)."""
    own, within = flags(flt, measure_key), flags(flt, measure_key, ("region_code", "weapon_type"))
    if own is None or within is None:
        return None
    if len(flt.weapon_types) == 1:  # a directorate's own series is then that weapon type's: one flag, not two
        own = own.merge(within[["region_code", "year", "month"]], how="left", indicator=True)
        own = own[own.pop("_merge") == "left_only"]
    frame = pd.concat([own.assign(weapon_type=""), within], ignore_index=True)
    return frame.sort_values(["year", "month", "region_code", "weapon_type"]).reset_index(drop=True)


RULE = N_("A month is flagged when its count is far from the level of the previous 12 months, allowing for the "
          "month of the year: a surge is at least 5 and 1.5 times the expected level, a dip at most half of an "
          "expected level of at least 5, each beyond a score of 3.5 (differences of square roots, scaled by how "
          "variable the counts are).")
RULE_DETAILS = N_(
    "The expected level is the mean of the previous 12 months, with seasonal factors from all the series together "
    "(one series is too noisy). The score, the difference of the square roots of the count and of the expected "
    "level, behaves alike at 2 seizures a month and at 200; it is scaled by how much more variable than chance the "
    "measure's counts are (a seizure may hold several weapons). No month is judged before a year of history, nor "
    "counts of a quarter or a year (they have no month). Measured on generated series with planted surges and "
    "dips: 98 % of the flags are right and 1 month in 6,000 of series without any is flagged; it finds most "
    "doublings at 50 seizures a month, fewer at 10, next to none below 5, where such changes are within chance. "
    "The full rule and its measurement: README, section \"What changed, surge flags and events\", and "
    "BENCHMARKS.md, \"Surge flags: precision and recall\"."
)


def month_label(year: int, month: int) -> str:
    return f"{i18n.month_names()[int(month) - 1]} {int(year)}"


def flag_link(flt: SeizureFilter, region: str, weapon: str, year: int, page: str = "regions") -> str:
    """The address of the filtered view of a flag: the page, with the filter narrowed to its directorate (and
    weapon type) and its year, in the page's language (a relative link: the app's pages share one level)."""
    narrowed = SeizureFilter(year_from=year, year_to=year, regions=(region,), categories=flt.categories,
                             weapon_types=(weapon,) if weapon else flt.weapon_types, contexts=flt.contexts)
    params = {**to_query_params(narrowed), **sidebar.language_params()}
    return f"{page}?" + "&".join(f"{k}={v}" for k, v in params.items())


def flags_section(flt: SeizureFilter, measure: queries.Measure, period_text: str) -> None:
    """The months that stand out in the filter's period: directorates and weapon types within them, each with a link
    to its filtered view; the rule on the page. Not in the public mode."""
    st.header(_("Months that stand out, {period}").format(period=period_text))
    if settings.public_mode():
        st.caption(_("Not in the public view: a flag states a directorate's count of one month."))
        return
    found = all_flags(flt, measure.key)
    st.caption(_(RULE))
    with st.expander(_("How flags are found")):
        st.markdown(_(RULE_DETAILS))
    if found is None or found.empty:
        st.success(_("No month stands out in {period} for {measure}: every directorate's monthly count is within its "
                     "usual range by the rule above.").format(period=period_text, measure=measure.title),
                   icon=":material/check:")
        return
    names, weapon_types = labels("region_code"), labels("weapon_type")
    table = pd.DataFrame({
        _("Month"): [month_label(y, m) for y, m in zip(found["year"], found["month"])],
        _("Directorate"): [names.get(c, c) for c in found["region_code"]],
        _("Weapon type"): [weapon_types.get(w, w) if w else _("all") for w in found["weapon_type"]],
        _("Flag"): found["direction"].map(surges.direction_label),
        _("Counted"): found["observed"],
        _("Expected"): found["expected"].round(1),
        _("Why"): found["reason"],
        _("View"): [flag_link(flt, r, w, y) for r, w, y in zip(found["region_code"], found["weapon_type"], found["year"])],
    })
    widgets.dataframe(
        table, hide_index=True, width="stretch", key="flags_table",
        column_config={
            _("View"): st.column_config.LinkColumn(display_text=_("Open the filtered view")),
            _("Counted"): st.column_config.NumberColumn(format="localized"),
            _("Expected"): st.column_config.NumberColumn(format="localized"),
        },
    )
    st.caption(_("Each flag is drawn as a triangle on the monthly chart of the Regions page (up: surge, down: dip); "
                 "its link opens that page filtered to the directorate, weapon type and year."))


# --- What changed -----------------------------------------------------------------------------------------------


def _choose_periods(flt: SeizureFilter, key: str) -> Periods | None:
    """The two periods compared: the last year of the filter's period against the year before (default), or two
    periods of the user's choice (of equal length, within the store's years)."""
    bounds = data.year_bounds()
    default = changes.default_periods(flt, bounds)
    if default is None or bounds is None:
        return None
    if bounds[0] == bounds[1]:
        return default
    # Fixed labels: a label naming the years would change with the filter and reset the choice.
    choice = st.radio(
        _("Compare"), ["last", "custom"], horizontal=True, key=f"{key}_periods",
        format_func={"last": _("The last year of the period against the year before"),
                     "custom": _("Two periods of my choice")}.get,
    )
    if choice == "last":
        return default
    years = list(range(bounds[0], bounds[1] + 1))
    left, right = st.columns(2)
    base = left.select_slider(_("Earlier period"), years, value=(max(bounds[0], default.base[0]),) * 2,
                              key=f"{key}_base")
    current = right.select_slider(_("Later period"), years, value=(default.current[0],) * 2, key=f"{key}_current")
    try:
        return Periods(tuple(base), tuple(current))
    except ValueError as exc:
        st.warning(str(exc), icon=":material/warning:")
        return None


def changes_for(flt: SeizureFilter, measure: queries.Measure, periods: Periods) -> changes.Changes:
    """The changes from the cached frames of the measure by year: for the two periods' years with the filter (its
    other parts apply); in the public mode, the protected frames of the whole period the pages show anyway."""
    window = flt if settings.public_mode() else flt.with_years(periods.first, periods.last)
    frames = [data.cached(queries.measure_by, window, measure.key, *dims, "year")
              for dims in ((), *((d,) for d in changes.DIMENSIONS))]
    return data.derived(changes.from_frames, measure, periods, *frames, data.year_bounds())


def _change_table(frame: pd.DataFrame, dimension: str, periods: Periods) -> pd.DataFrame:
    names = labels(dimension)
    base, current = periods.labels()
    shown = disclosure.shown(frame)
    if settings.public_mode():  # hidden cells are "<5" or "x": the columns are text
        shown = shown.map(lambda v: i18n.number(v) if isinstance(v, float) else v)
    return pd.DataFrame({
        _("Rank"): frame["rank"].astype("Int64"),
        _("Name"): [names.get(c, c) for c in frame[dimension]],
        base: shown["base"],
        current: shown["current"],
        _("Change"): shown["change"],
        _("Change %"): [note or ("" if pd.isna(v) else round(v, 1)) for v, note in
                        zip(frame["pct_change"], frame["pct_change" + disclosure.NOTE_SUFFIX])],
        _("Status"): frame["status"].map(lambda s: _(STATUS[s])),
    })


def what_changed(flt: SeizureFilter, measure: queries.Measure, key: str) -> None:
    """What changed between two periods, in total and by directorate, weapon type and context: the sentence naming
    the largest rise and fall, and per breakdown a diverging bar chart (a bar selects its code) and a ranked
    table."""
    st.header(_("What changed"))
    periods = _choose_periods(flt, key)
    if periods is None:
        return
    result = changes_for(flt, measure, periods)
    regions = data.cached(queries.region_list)
    st.markdown(f"**{markdown_text(data.derived(changes.sentence, result, regions))}**")
    partial_year(flt, measure, periods)
    base, current = periods.labels()
    # Only the open tab's chart and table are made and sent (a change of tab reruns this section).
    tabs = st.tabs([_(title) for _dimension, title in BREAKDOWNS], key=f"{key}_breakdown", on_change="rerun")
    frames = {"region_code": result.by_region, "weapon_type": result.by_weapon_type, "context": result.by_context}
    for tab, (dimension, _title) in zip(tabs, BREAKDOWNS):
        frame = frames[dimension]
        if tab.open is False:
            continue
        with tab:
            names = labels(dimension)
            if dimension != "region_code":
                st.markdown(markdown_text(changes.breakdown_sentence(frame, dimension, names, periods)))
            if not frame["status"].isin(changes.COMPARED).any():
                st.info(_("Nothing to compare for {base} and {current}.").format(base=base, current=current),
                        icon=":material/search:")
                continue
            widgets.chart(data.figure(charts.change_bars, frame, dimension, names, measure.title, (base, current)),
                          frame, f"{key}_change_{dimension}")
            widgets.dataframe(_change_table(frame, dimension, periods), hide_index=True, width="stretch",
                              key=f"{key}_change_table_{dimension}")
    if settings.public_mode():
        st.caption(_("Public view: a change is shown only where both of its figures are; hidden changes are not "
                     "ranked."))
    elif sidebar.selectable():
        st.caption(_("Click a bar to filter the pages to it; \"Clear the selection\" in the sidebar undoes it."))


# --- Year to date -----------------------------------------------------------------------------------------------


def partial_year(flt: SeizureFilter, measure: queries.Measure, periods: Periods) -> None:
    """Say so when the later period ends in a year the records stop in before December (part of a year against a
    whole one), with the same months of both years where they can be shown."""
    store_months = data.cached(queries.month_bounds)
    if store_months is None:
        return
    (last_year, last_month) = store_months[1]
    if periods.current[1] != last_year or last_month == 12:
        return
    month = babel_dates.get_month_names("wide", context="stand-alone", locale=i18n.babel_locale())[last_month]
    text = _("The records of {year} stop in {month}: its total is of part of a year.").format(
        year=last_year, month=month)
    result = year_to_date(flt, measure, last_year, last_month)
    if result is not None and periods.base == (last_year - 1, last_year - 1):
        text += " " + year_to_date_text(result, measure)
    st.warning(text, icon=":material/calendar_month:")


def months_text(through: int) -> str:
    """"January–August" as the language writes the months (abbreviated)."""
    names = i18n.month_names()
    return names[0] if through == 1 else f"{names[0]}–{names[through - 1]}"


def year_to_date(flt: SeizureFilter, measure: queries.Measure, year: int, through: int | None = None,
                 dimension: str | None = None) -> changes.SameMonths | None:
    """The year's first months (to `through`, by default its last month with data) against the same months of the
    year before, from the cached monthly counts; None when the year has no month (or in the public mode)."""
    if settings.public_mode():
        return None
    dims = (dimension,) if dimension else ()
    monthly = data.cached(queries.measure_by, flt.with_years(year - 1, year), measure.key, *dims, "year", "month")
    through = through or changes.last_month(monthly, year)
    if through is None:
        return None
    return data.derived(changes.same_months, monthly, year, through, dimension)


def year_to_date_text(result: changes.SameMonths, measure: queries.Measure) -> str:
    row = result.frame.iloc[0] if len(result.frame) else None
    months = months_text(result.through_month)
    words = dict(measure=measure.title, months=months, year=result.year, previous=result.year - 1)
    if row is None:
        text = _("{measure}, {months} {year}: none, nor in the same months of {previous}.").format(**words)
    else:
        text = _("{measure}, {months} {year} (year to date): {current}, {change} on the same months of {previous} "
                 "({base}).").format(current=i18n.number(row["current"]), base=i18n.number(row["base"]),
                                     change=charts.change_text(row["current"], row["base"]), **words)
    if result.without_month:
        text += " " + _("Not included: {value} from counts of a quarter or a year, which have no month.").format(
            value=i18n.number(result.without_month))
    return text
