"""About & methodology: what each indicator means, where each figure comes from, and the last data load."""

import pandas as pd
import streamlit as st

import plotly.graph_objects as go

from seizures import charts, coverage, disclosure, i18n, kpis, queries, settings
from seizures.dashboard import data, widgets
from seizures.i18n import N_, _

STATUS_COLOURS = {  # coverage status -> its colour and the value the heat-map draws
    coverage.NOT_EXPECTED: ("#ffffff", 0), coverage.NONE: ("#e5e5e5", 1), coverage.MISSING: ("#D55E00", 2),
    coverage.PRESENT: ("#0072B2", 3),
}


def coverage_figure(cells: pd.DataFrame, names: dict[str, str]) -> go.Figure:
    """Directorate x month, coloured by whether data are present, missing (a gap), none recorded (a quiet month) or
    outside the data's months; the hover gives the rows."""
    months = i18n.month_names()
    cells = cells.assign(column=[f"{months[m - 1][:3]} {y}" for y, m in zip(cells["year"], cells["month"])],
                         name=cells["region_code"].map(lambda c: names.get(c, c)),
                         value=cells["status"].map(lambda s: STATUS_COLOURS[s][1]))
    order = list(dict.fromkeys(cells["column"]))
    rows = list(dict.fromkeys(cells["name"]))
    z = cells.pivot(index="name", columns="column", values="value").loc[rows, order]
    text = cells.assign(label=[
        _(coverage.STATUS_LABELS[s]) + ("" if pd.isna(r) else f": {i18n.number(r)}")
        for s, r in zip(cells["status"], cells["rows"])
    ]).pivot(index="name", columns="column", values="label").loc[rows, order]
    scale = []
    for colour, value in sorted(STATUS_COLOURS.values(), key=lambda item: item[1]):
        scale += [[value / 3, colour], [min((value + 0.999) / 3, 1.0), colour]]
    fig = go.Figure(go.Heatmap(z=z.to_numpy(), x=order, y=rows, text=text.to_numpy(), hoverinfo="text+x+y",
                               colorscale=scale, zmin=0, zmax=3, showscale=False, xgap=1, ygap=1))
    fig = charts.themed(fig, _("Rows by directorate and month"))
    fig.update_yaxes(autorange="reversed", tickformat=None)
    fig.update_xaxes(tickformat=None, tickangle=-45, nticks=24)
    fig.update_layout(height=120 + 28 * len(rows))
    return fig


def coverage_section(flt) -> None:
    """For the sidebar filter: per directorate and month whether data are present, the directorate-years with
    months missing (and the note their change carries), the imports that rejected rows."""
    st.header(_("Data coverage"))
    st.caption(_("This section follows the sidebar filter. A month without rows is called missing when the "
                 "directorate's other months of that year average {level} rows or more (a month without any then "
                 "happens by chance less than once in a hundred); below that it is \"none recorded\", as a quiet "
                 "month is plausible. Counts of a quarter or a year cover each of their months.").format(
        level=i18n.number(coverage.QUIET_LEVEL)))
    cells = data.cached(coverage.grid, flt)
    if cells.empty:
        widgets.empty_state()
        return
    names = {**data.region_names(), "": _("Whole jurisdiction (not by region)")}
    # Its cells are statuses, not amounts: the text alternative is the coverage sentence, not a table of codes (and a
    # table of 12 months a year would scroll sideways).
    summary = coverage.sentence(data.cached(coverage.overview, flt), names, data.period(flt))
    widgets.chart(data.figure(coverage_figure, cells, names), cells, "coverage_grid", summary=summary, table=False)
    st.caption(" · ".join(f":{'blue' if s == coverage.PRESENT else 'orange' if s == coverage.MISSING else 'gray'}"
                          f"[■] {_(label)}" for s, label in coverage.STATUS_LABELS.items()))
    if settings.public_mode():
        return  # the tables below count record-level rows by directorate and year
    years = data.derived(coverage.by_year, cells, data.cached(coverage.year_totals, flt))
    st.subheader(_("By directorate and year"))
    shown = ["region_code", "year", "months_present", "months_expected", "missing_months", "lines", "counts",
             "illustrative_share", "change", "note"]
    widgets.dataframe(
        years.assign(region_code=years["region_code"].map(lambda c: names.get(c, c)),
                     missing_months=years["missing_months"].map(
                         lambda ms: ", ".join(i18n.month_names()[m - 1] for m in ms)))[shown],
        hide_index=True, width="stretch", placeholder="–",
        column_config={
            "region_code": _("Directorate"), "year": st.column_config.NumberColumn(_("Year"), format="%d"),
            "months_present": st.column_config.NumberColumn(_("Months with data")),
            "months_expected": st.column_config.NumberColumn(_("Months expected")),
            "missing_months": _("Months missing"),
            "lines": st.column_config.NumberColumn(_("Lines"), format="localized"),
            "counts": st.column_config.NumberColumn(_("Counts by period"), format="localized"),
            "illustrative_share": st.column_config.NumberColumn(_("Illustrative (%)"), format="%.0f"),
            "change": st.column_config.NumberColumn(_("Rows, change from the year before"), format="localized"),
            "note": st.column_config.TextColumn(_("Note on the change"), width="large"),
        },
    )
    rejected = data.cached(coverage.rejections, flt)
    st.subheader(_("Rows rejected at import"))
    if rejected.empty:
        st.caption(_("No import in force that reaches into the selection rejected rows."))
    else:
        st.caption(_("Imports in force whose rows reach into the selection and that rejected rows (imported with "
                     "\"valid rows only\"). The rejected rows are not stored: their dates are not known, so the "
                     "span is that of the rows each import stored."))
        widgets.dataframe(rejected, hide_index=True, width="stretch", column_config={
            "id": st.column_config.NumberColumn(_("import")), "file_name": _("file"), "imported_at": _("imported at"),
            "rows_read": st.column_config.NumberColumn(_("rows read"), format="localized"),
            "rows_accepted": st.column_config.NumberColumn(_("accepted"), format="localized"),
            "rows_rejected": st.column_config.NumberColumn(_("rejected"), format="localized"),
            "first_date": _("first date"), "last_date": _("last date"),
        })


st.title(_("About & methodology"))
st.caption(_("The sidebar filters do not apply to this page, except to its data coverage: it describes all the data "
             "in the store."))
if i18n.language() != i18n.DEFAULT:
    st.info(_(i18n.REVIEW_NOTE), icon=":material/translate:")
if settings.public_mode():  # what the suppression guarantees (tests/test_disclosure_audit.py checks it)
    st.header(_("What the public view hides"))
    threshold = settings.suppress_below()
    st.markdown(_(disclosure.GUARANTEE).format(threshold=i18n.number(threshold), below=i18n.number(threshold - 1)))

st.header(_("Last data load"))
loads = data.cached(queries.data_loads)
if loads.empty:
    widgets.nothing_loaded(N_("recorded data load"))
else:
    latest = loads.iloc[0]
    st.metric(_("Last data load (server time)"),
              f"{latest.imported_at:%Y-%m-%d %H:%M}" if i18n.language() == i18n.DEFAULT else i18n.datetime(latest.imported_at))
    st.caption(_(
        "File {file} ({kind}), {rows} rows, loaded by {user}. Loads that were rolled back are not counted."
    ).format(file=latest.file_name, kind=latest.kind, rows=i18n.number(latest.rows_accepted),
             user=latest.user_name or _("unknown")))
    with st.expander(_("All loads in force ({count})").format(count=len(loads))):
        widgets.dataframe(loads.drop(columns="id"), hide_index=True, width="stretch", column_config={
            "file_name": _("file"), "kind": _("kind"), "user_name": _("by"), "imported_at": _("imported at"),
            "rows_accepted": st.column_config.NumberColumn(_("accepted"), format="localized"),
        })

coverage_section(st.session_state["filter"])

st.header(_("What the indicators mean"))
st.markdown(_(
    """
| Indicator | Meaning | Unit |
|---|---|---|
| **A category in a unit** (e.g. firearms in pieces, ammunition in rounds, explosives in kg or pieces) | The quantity seized, confiscated or surrendered, added up only within one category and one unit. The categories, units, weapon types and contexts are the store's own vocabulary (below). | its unit |
| **Record-level line** | One seizure of one kind of item (a line may hold several weapons of one type). | lines |
| **Count by period** | A quantity for a month, a quarter or a year, as a service publishes or reports it; not a single seizure. | — |
| **Seizure events** | Distinct case references of the record-level lines. Lines without a case reference, and counts by period, are no event: where a selection holds none, its events are "not recorded", never 0. | events |
| **Rate per 100,000** | Quantity seized per 100,000 residents of a directorate, only where a population figure exists for it (see the sources below); otherwise the page says "no population figure" and the regions table's note says why. | per 100,000 residents |
| **Year-over-year change** | (this year − previous year) ÷ previous year × 100, only when the previous year is in the data. | % |
| **KPI status** | On track / at risk / off track / no data, from a KPI's baseline, target and latest actual (rule below). | — |
"""
))

st.header(_("Where the figures come from"))
place = data.jurisdiction()
if place is not None:
    st.markdown(_("The store holds the figures of **{place}** (source: {source}); its earliest plausible seizure date "
                  "is {earliest}.").format(place=place.name(), source=place.source or _("not given"),
                                          earliest=i18n.date(place.earliest_date)))
    widgets.name_note(place)
    if place.illustrative:
        st.warning(_("This jurisdiction is made up (flagged illustrative in its reference data): none of its "
                     "figures are real."), icon=":material/science:")
st.markdown(_("- **Published** figures (national totals, training, equipment, the Roadmap's goals and KPI numbers) "
              "are shown as published, with their source (below)."))
sources = data.cached(queries.data_sources)
if sources["illustrative"].any() if not sources.empty else False:
    st.markdown(_("- **Illustrative** figures are generated demo data, flagged in the store and labelled on every "
                  "page that shows them: {datasets}.").format(
        datasets=", ".join(_(d) for d in sources.loc[sources["illustrative"], "dataset"].drop_duplicates())))
if sources.empty:
    widgets.nothing_loaded(N_("data"))
else:
    widgets.dataframe(
        sources.assign(illustrative=sources["illustrative"].map({True: _("illustrative"), False: _("published")}),
                       dataset=sources["dataset"].map(_)),
        hide_index=True, width="stretch", height="content",
        column_config={"dataset": _("Data"), "source": _("Source (as stored)"), "illustrative": _("Kind"),
                       "rows": st.column_config.NumberColumn(_("Rows"), format="localized")},
    )

st.header(_("Check: records against the published totals"))
check = data.cached(queries.published_vs_recorded)
if check.empty:
    widgets.nothing_loaded(N_("published figures"))
else:
    st.caption(_(
        "For each published national figure, the sum of the stored rows of its years, category and unit. \"More "
        "than\" figures are matched when the records exceed them, \"about\" figures within 5 %; a figure whose "
        "years the rows do not all cover is not checked."
    ))
    shown = check.assign(
        years=[i18n.period(a, b) for a, b in zip(check["year_from"], check["year_to"])],
        measure=[data.measure(queries.measure_key(c, u)).title for c, u in zip(check["category"], check["unit"])],
        qualifier=check["qualifier"].map(lambda q: _(q) if isinstance(q, str) and q else ""),
        verdict=[_("not checked: the rows do not cover these years") if not covered else _("hidden") if pd.isna(ok)
                 else _("yes") if ok else _("no") for ok, covered in zip(check["consistent"], check["covered"])],
    )
    # The public view hides a verdict with its sum (disclosure.protect_check): neither counted nor listed below, so
    # that the count of matches says nothing of it.
    checked = shown[shown["covered"] & shown["consistent"].notna()]
    st.metric(_("Published figures the records match"), _("{matching} of {years}").format(
        matching=int(checked["consistent"].astype(bool).sum()), years=len(checked)))
    mismatches = checked[~checked["consistent"].astype(bool)]
    if not mismatches.empty:
        st.warning(
            _("The records do not add up to the published figure for: ")
            + "; ".join(f"{row.measure} {row.years}" for row in mismatches.itertuples()),
            icon=":material/error:",
        )
    widgets.dataframe(
        shown[["years", "measure", "qualifier", "value", "recorded", "verdict", "source"]],
        hide_index=True, width="stretch", height="content", placeholder="–",
        column_config={
            "years": _("Years"), "measure": _("Measure"), "qualifier": _("Qualifier"),
            "value": st.column_config.NumberColumn(_("Published"), format="localized"),
            "recorded": st.column_config.NumberColumn(_("Records (sum)"), format="localized"),
            "verdict": _("Matches"), "source": _("Source"),
        },
    )

st.header(_("KPI status rule"))
phases = kpis.phases_from(data.cached(queries.phase_list))
if not phases:
    widgets.nothing_loaded(N_("Roadmap phases"))
else:
    st.markdown(_("The Roadmap is monitored in phases; a KPI's status is measured against its phase's baseline and "
                  "target years."))
    widgets.dataframe(
        pd.DataFrame({
            _("Phase"): [p.title or p.code for p in phases],
            _("Baseline year"): [str(p.baseline_year) for p in phases],
            _("Target year"): [str(p.target_year) for p in phases],
            _("Checked"): [_("yes") if p.confirmed else _("not verified yet") for p in phases],
            _("Source"): [p.source or "" for p in phases],
        }),
        hide_index=True, width="stretch", height="content",
    )
    years = data.year_bounds()
    st.markdown(kpis.rule(kpis.phase_for(phases, years[1] if years else None)))
