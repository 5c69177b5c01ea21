"""About & methodology: what each indicator means, where each figure comes from, and the last data load."""

import streamlit as st

from seizures import i18n, kpis, queries
from seizures.dashboard import data, widgets
from seizures.i18n import N_, _

st.title(_("About & methodology"))
st.caption(_("The sidebar filters do not apply to this page: it describes all the data in the store."))
if i18n.language() != i18n.DEFAULT:
    st.info(_(i18n.REVIEW_NOTE), icon=":material/translate:")

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

st.header(_("What the indicators mean"))
st.markdown(_(
    """
| Indicator | Meaning | Unit |
|---|---|---|
| **Firearms** | Weapons confiscated or surrendered: pistols, revolvers, rifles, automatic rifles, shotguns, hunting and submachine guns, machine guns, converted and blank-firing weapons. Each weapon counts once. | pieces |
| **Ammunition rounds** | Cartridges of any calibre, counted one by one. | rounds |
| **Explosives (kg)** | Explosive substances by weight. Hand grenades are counted separately, in pieces. | kg |
| **Seizure events** | Lines in the seizure records: one line per seizure of one kind of item (a line may hold several weapons of one type). | events |
| **Rate per 100,000** | Quantity seized per 100,000 residents of a directorate, only where a public population figure exists for it (see the sources below); otherwise the page says "no population figure". Mitrovica North's 2024 census count is very low (boycott), so a rate there would mislead. | per 100,000 residents |
| **Year-over-year change** | (this year − previous year) ÷ previous year × 100, only when the previous year is in the data. | % |
| **KPI status** | On track / at risk / off track / no data, from a KPI's baseline, target and latest actual (rule below). | — |
"""
))

st.header(_("Where the figures come from"))
st.markdown(_(
    "- **Published** figures are shown as published, with their source: national totals of firearms and "
    "ammunition (Kosovo Police), officers trained and equipment delivered (CPIAT project results), the Roadmap's "
    "goals and KPI numbers (SEESAC).\n"
    "- **Illustrative** figures are generated demo data, flagged in the store and labelled on every page that "
    "shows them: every seizure record (so every breakdown by directorate, month, weapon type or context) and every "
    "KPI value. The records add up exactly to the published yearly totals of firearms."
))
sources = data.cached(queries.data_sources)
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
st.caption(_(widgets.ILLUSTRATIVE_NOTE))

st.header(_("Check: records against the published totals"))
check = data.cached(queries.published_vs_recorded)
if check.empty:
    widgets.nothing_loaded(N_("published figures"))
else:
    st.caption(_(
        "For each published national figure, the sum of the record-level lines of that year and kind. "
        "\"More than\" figures are matched when the records exceed them."
    ))
    labels = {"firearms_confiscated": _("Firearms (pieces)"), "ammunition_rounds": _("Ammunition (rounds)")}
    shown = check.assign(indicator=check["indicator"].map(labels).fillna(check["indicator"]),
                         qualifier=check["qualifier"].map(lambda q: _(q) if isinstance(q, str) and q else q))
    for column, label in zip(st.columns(len(labels)), labels.values()):
        rows = shown[shown["indicator"] == label]
        column.metric(_("{indicator}: years matching the published total").format(indicator=label),
                      _("{matching} of {years}").format(matching=int(rows["consistent"].sum()), years=len(rows)))
    mismatches = shown[~shown["consistent"]]
    if not mismatches.empty:
        st.warning(
            _("The records do not add up to the published figure for: ")
            + "; ".join(f"{row.indicator} {row.year}" for row in mismatches.itertuples()),
            icon=":material/error:",
        )
    widgets.dataframe(
        shown[["year", "indicator", "qualifier", "value", "recorded", "consistent", "source"]],
        hide_index=True, width="stretch", height="content", placeholder="–",
        column_config={
            "year": st.column_config.NumberColumn(_("Year"), format="%d"), "indicator": _("Indicator"),
            "qualifier": _("Qualifier"), "value": st.column_config.NumberColumn(_("Published"), format="localized"),
            "recorded": st.column_config.NumberColumn(_("Records (sum)"), format="localized"),
            "consistent": _("Matches"), "source": _("Source"),
        },
    )

st.header(_("KPI status rule"))
st.markdown(kpis.rule())
