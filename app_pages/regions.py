"""Regions (analysts): trends per regional directorate (yearly, and monthly with the months that stand out), what
changed and where, share of the national total, rate per 100,000 inhabitants where a population figure is known,
two directorates (or one and the national average) and two periods side by side, and a directorate × year
heat-map whose table rows select a directorate."""

import pandas as pd
import streamlit as st

from seizures import changes, charts, disclosure, i18n, queries, reference, settings
from seizures.dashboard import data, insights, sidebar, widgets
from seizures.i18n import _, ngettext


def region_rates(summary: pd.DataFrame, measure: queries.Measure, period_text: str) -> None:
    """Each directorate's yearly rate per 100,000 inhabitants, or a clear "no population figure" with the reason."""
    if summary.empty:
        widgets.empty_state()
        return
    hidden = [disclosure.note_of(summary, "value", i) for i in summary.index]
    known = summary["population"].fillna(0) > 0
    no_figure = _("no population figure")
    table = pd.DataFrame({
        _("Directorate"): summary["name"],
        f"{measure.title}, {period_text}": [h or i18n.number(v) for h, v in zip(hidden, summary["value"])],
        _("Population"): summary["population"].map(lambda p: no_figure if pd.isna(p) else i18n.number(p, 0)),
        _("{measure} per 100,000 inhabitants per year").format(measure=measure.label): [
            no_figure if not ok else h or i18n.number(r, 1)
            for r, ok, h in zip(summary["rate_per_100k"], known, hidden)
        ],
    })
    st.dataframe(table, hide_index=True, width="stretch", key="region_rates")
    widgets.suppression_legend(summary)
    st.caption(_(
        "Rate = the period's total divided by its number of years and by the population, times 100,000. "
        "Populations are shown only where a public figure exists."
    ))
    missing = summary[~known]
    if not missing.empty:
        # The notes are stored reference data (English).
        no_public = _("no public figure.")
        lines = "\n".join(f"- **{row.name}**: {row.population_remark or no_public}" for row in missing.itertuples())
        heading = ngettext("**No population figure** for {n} directorate, so no rate:",
                           "**No population figure** for {n} directorates, so no rate:", len(missing))
        st.info(f"{heading.format(n=len(missing))}\n{lines}", icon=":material/info:")


def compare_table(side: pd.DataFrame, names: dict[str, str], periods: changes.Periods, measure: queries.Measure
                  ) -> pd.DataFrame:
    """Two directorates (or one and the national average) in two periods, with their rates where known."""
    base, current = periods.labels()
    shown = disclosure.shown(side)
    rate = _("per 100,000 inhabitants per year")
    no_figure = _("no population figure")

    def rates(column: str) -> list[str]:
        return [no_figure if pd.isna(p) or not p else (n or i18n.number(v, 1)) for v, p, n in
                zip(side[column], side["population"], side[column.replace("rate_", "") + disclosure.NOTE_SUFFIX])]

    return pd.DataFrame({
        "": [names.get(c, c) for c in side["region_code"]],
        base: [v if isinstance(v, str) else i18n.number(v) for v in shown["base"]],
        current: [v if isinstance(v, str) else i18n.number(v) for v in shown["current"]],
        _("Change"): [n or charts.change_text(c, b) for c, b, n in
                      zip(side["current"], side["base"], side["change" + disclosure.NOTE_SUFFIX])],
        f"{base}, {rate}": rates("rate_base"),
        f"{current}, {rate}": rates("rate_current"),
    })


@insights.fragment
def compare_section(flt, measure: queries.Measure, names: dict[str, str], first: int, last: int) -> None:
    """Two directorates, or a directorate and the national average, in two periods side by side; and the same
    months of two years (year to date). Its choices rerun only this section."""
    st.header(_("Compare"))
    bounds = data.year_bounds()
    national = changes.NATIONAL
    options = [*names, national]
    labels = {**names, national: _("National average (per directorate)")}
    left, right = st.columns(2)
    chosen = tuple(dict.fromkeys((
        left.selectbox(_("First"), options, format_func=labels.get, key="compare_first"),
        right.selectbox(_("Second"), options, index=len(options) - 1, format_func=labels.get, key="compare_second"),
    )))
    years = list(range(bounds[0], bounds[1] + 1))
    default_base = (max(bounds[0], last - 1),) * 2
    left, right = st.columns(2)
    base = left.select_slider(_("Earlier period"), years, value=default_base, key="compare_base")
    current = right.select_slider(_("Later period"), years, value=(last, last), key="compare_current")
    try:
        periods = changes.Periods(tuple(base), tuple(current))
    except ValueError as exc:
        st.warning(str(exc), icon=":material/warning:")
        return
    # All directorates (the sidebar's choice does not limit what can be compared); the filter's other parts apply.
    everywhere = flt.with_regions(()) if settings.public_mode() else flt.with_regions(()).with_years(periods.first, periods.last)
    by_region_year = data.cached(queries.measure_by, everywhere, measure.key, "region_code", "year")
    by_year = data.cached(queries.measure_by, everywhere, measure.key, "year")
    side = data.derived(changes.side_by_side, by_region_year, by_year, periods, chosen, data.cached(queries.region_list))
    widgets.dataframe(compare_table(side, labels, periods, measure), hide_index=True, width="stretch",
                      key="compare_table")
    st.caption(_("The national average is the national total divided by the number of directorates ({count}); its "
                 "rate needs every directorate's population. Rates are yearly averages over each period.").format(
        count=len(names)))

    st.markdown("**" + _("Same months of two years (year to date)") + "**")
    if settings.public_mode():
        st.caption(_("Not in the public view: a part of a year is a total whose small counts are not protected."))
        return
    year = periods.current[1]
    months = data.cached(queries.measure_by, everywhere.with_years(year - 1, year), measure.key, "year", "month")
    last_month = changes.last_month(months, year)
    if last_month is None:
        st.info(_("{year} has no monthly figures: counts of a quarter or a year have no month, so no months can be "
                  "compared.").format(year=year), icon=":material/info:")
        return
    through = st.select_slider(_("From January to"), list(range(1, 13)), value=last_month,
                               format_func=lambda m: i18n.month_names()[m - 1], key="compare_through")
    rows = []
    for code in chosen:
        regional = insights.year_to_date(everywhere if code == national else everywhere.with_regions((code,)),
                                         measure, year, through)
        if regional is None:
            continue
        total = regional.frame.iloc[0] if len(regional.frame) else None
        divide = len(names) if code == national else 1
        before = 0.0 if total is None else total["base"] / divide
        now = 0.0 if total is None else total["current"] / divide
        rows.append({"": labels[code], f"{insights.months_text(through)} {year - 1}": i18n.number(before),
                     f"{insights.months_text(through)} {year}": i18n.number(now),
                     _("Change"): charts.change_text(now, before)})
        if regional.without_month:
            st.caption(_("{name}: not included: {value} from counts of a quarter or a year, which have no "
                         "month.").format(name=labels[code], value=i18n.number(regional.without_month / divide)))
    widgets.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", key="year_to_date_table")


# 1. The period, the measure and the directorates
flt = st.session_state["filter"]
st.title(_("Regional directorates"))
first, last = widgets.period_or_stop(flt)
widgets.provenance_note(flt)
if not settings.public_mode():  # the public view has no filter
    st.caption(_("Choose directorates under **Regional directorates** in the sidebar; with none chosen, all are shown."))
measure = widgets.measure_picker(flt, key="regions_measure")
names = data.region_names()
by_region_year = data.cached(queries.measure_by, flt, measure.key, "region_code", "year")
timeline = insights.events_for(flt)

# 2. Each directorate's trend, by year with the events of the period, then by month with the months that stand out
st.header(_("Trend per directorate"))
widgets.chart_of(by_region_year, charts.region_trends, "region_trends", names, measure.title, None, timeline)
if sidebar.selectable():
    st.caption(_("Click a point, a bar or a table row to filter the pages to its directorate (and year); "
                 "\"Clear the selection\" in the sidebar undoes it."))
insights.events_list(timeline)

# 3. What changed, and where
insights.fragment(insights.what_changed)(flt, measure, "regions")  # its periods and tabs rerun only it

# 4. Month by month, with the months that stand out (not in the public view: a flag states a month's count)
if not settings.public_mode():
    st.header(_("Month by month, with the months that stand out"))
    monthly = data.cached(queries.measure_by, flt, measure.key, "region_code", "year", "month")
    flags = insights.all_flags(flt, measure.key)
    widgets.chart_of(monthly[monthly["month"] > 0], charts.monthly_trends, "region_months", "region_code", names,
                     measure.title, flags, timeline, None, data.vocabulary().labels("weapon_type"))
    st.caption(_(insights.RULE))
    without_month = monthly.loc[monthly["month"] == 0, "value"].sum()
    if without_month:
        st.caption(_("Not in this chart: {value} from counts of a quarter or a year, which have no month.").format(
            value=i18n.number(without_month)))

# 5. Shares of the national total (all directorates, whatever the directorate filter)
st.header(_("Share of the national total, {period}").format(period=data.period_label(flt)))
national = data.cached(queries.measure_by, flt.with_regions(()), measure.key, "region_code")
summary = data.derived(queries.region_summary, national, data.regions(), flt.regions, last - first + 1)
widgets.chart_of(summary, charts.region_shares, "region_shares", names)

# 6. Rates per 100,000 inhabitants, where a population is published
st.header(_("Rate per 100,000 inhabitants"))
region_rates(summary, measure, data.period_label(flt))

# 7. Two directorates (or one and the national average) and two periods, side by side
compare_section(flt, measure, names, first, last)

# 8. Directorate × year, and its numbers as a table whose rows select a directorate
st.header(_("Directorate × year"))
widgets.chart_of(by_region_year, charts.region_year_heatmap, "region_year_heatmap", names, measure.title)
if not by_region_year.empty:
    grid = disclosure.shown(by_region_year).pivot_table(index="region_code", columns="year", values="value",
                                                         aggfunc="first", fill_value=0)
    codes = list(grid.index)
    table = grid.rename(columns=str).reset_index(drop=True)
    if settings.public_mode():  # hidden cells are "<5" or "x": the column is text
        table = table.map(lambda v: v if isinstance(v, str) else i18n.number(v))
    table.insert(0, _("Directorate"), [names.get(c) or _(reference.WHOLE_JURISDICTION_LABEL) for c in codes])
    selection = {"on_select": sidebar.row_selection("region_year_rows", codes), "selection_mode": "single-row"} if (
        sidebar.selectable()) else {}
    numbers = {} if settings.public_mode() else {
        column: st.column_config.NumberColumn(format="localized") for column in table.columns[1:]}
    widgets.dataframe(table, numbers, hide_index=True, width="stretch", key="region_year_rows", **selection)
