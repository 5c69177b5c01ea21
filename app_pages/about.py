"""About & methodology: what each indicator means, where each figure comes from, and the last data load."""

import streamlit as st

from seizures import kpis, ui

st.title("About & methodology")
st.caption("The sidebar filters do not apply to this page: it describes all the data in the store.")

st.header("Last data load")
loads = ui.cached("data_loads")
if loads.empty:
    ui.nothing_loaded("recorded data load")
else:
    latest = loads.iloc[0]
    st.metric("Last data load (server time)", f"{latest.imported_at:%Y-%m-%d %H:%M}")
    st.caption(
        f"File {latest.file_name} ({latest.kind}), {latest.rows_accepted:,} rows, "
        f"loaded by {latest.user_name or 'unknown'}. "
        "Loads that were rolled back are not counted."
    )
    with st.expander(f"All loads in force ({len(loads)})"):
        st.dataframe(loads.drop(columns="id"), hide_index=True, width="stretch")

st.header("What the indicators mean")
st.markdown(
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
)

st.header("Where the figures come from")
st.markdown(
    "- **Published** figures are shown as published, with their source: national totals of firearms and "
    "ammunition (Kosovo Police), officers trained and equipment delivered (CPIAT project results), the Roadmap's "
    "goals and KPI numbers (SEESAC).\n"
    "- **Illustrative** figures are generated demo data, flagged in the store and labelled on every page that "
    "shows them: every seizure record (so every breakdown by directorate, month, weapon type or context) and every "
    "KPI value. The records add up exactly to the published yearly totals of firearms."
)
sources = ui.cached("data_sources")
if sources.empty:
    ui.nothing_loaded("data")
else:
    st.dataframe(
        sources.assign(illustrative=sources["illustrative"].map({True: "illustrative", False: "published"})),
        hide_index=True, width="stretch", height="content",
        column_config={"dataset": "Data", "source": "Source (as stored)", "illustrative": "Kind",
                       "rows": st.column_config.NumberColumn("Rows", format="localized")},
    )
st.caption(ui.ILLUSTRATIVE_NOTE)

st.header("Check: records against the published totals")
check = ui.cached("published_vs_recorded")
if check.empty:
    ui.nothing_loaded("published figures")
else:
    st.caption(
        "For each published national figure, the sum of the record-level lines of that year and kind. "
        "\"More than\" figures are matched when the records exceed them."
    )
    labels = {"firearms_confiscated": "Firearms (pieces)", "ammunition_rounds": "Ammunition (rounds)"}
    shown = check.assign(indicator=check["indicator"].map(labels).fillna(check["indicator"]))
    for column, label in zip(st.columns(len(labels)), labels.values()):
        rows = shown[shown["indicator"] == label]
        column.metric(f"{label}: years matching the published total", f"{int(rows['consistent'].sum())} of {len(rows)}")
    mismatches = shown[~shown["consistent"]]
    if not mismatches.empty:
        st.warning(
            "The records do not add up to the published figure for: "
            + "; ".join(f"{row.indicator} {row.year}" for row in mismatches.itertuples()),
            icon=":material/error:",
        )
    st.dataframe(
        shown[["year", "indicator", "qualifier", "value", "recorded", "consistent", "source"]],
        hide_index=True, width="stretch", height="content", placeholder="–",
        column_config={
            "year": st.column_config.NumberColumn("Year", format="%d"), "indicator": "Indicator",
            "qualifier": "Qualifier", "value": st.column_config.NumberColumn("Published", format="localized"),
            "recorded": st.column_config.NumberColumn("Records (sum)", format="localized"),
            "consistent": "Matches", "source": "Source",
        },
    )

st.header("KPI status rule")
st.markdown(kpis.RULE)
