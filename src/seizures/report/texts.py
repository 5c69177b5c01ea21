"""Every user-visible text of the donor report, in one place (for translation)."""

from seizures import i18n
from seizures.i18n import N_

TEXT = i18n.Texts({
    "doc_title": N_("Firearms seizures in Kosovo"),
    "doc_subtitle": N_("Report for {period}"),
    "doc_audience": N_("Kosovo Police seizure statistics and Western Balkans SALW Control Roadmap indicators"),
    "generated": N_("Generated on {date} from the seizure statistics dashboard."),
    "filter_heading": N_("Selection"),
    "filter_period": N_("Period"),
    "filter_regions": N_("Regional directorates"),
    "filter_categories": N_("Categories"),
    "filter_weapons": N_("Weapon types"),
    "filter_contexts": N_("Seizure contexts"),
    "filter_all": N_("all"),
    "as_of": N_("Data as of"),
    "as_of_value": N_("{time} (server time)"),
    "as_of_note": N_("\"Data as of\" is the time of the last data load in force (loads rolled back are not "
                     "counted): nothing loaded after it is in this report."),
    "as_of_none": N_("no recorded data load"),
    "data_note_heading": N_("About the data"),
    "data_note": (
        N_("Published national figures (firearms confiscated, ammunition rounds, training and equipment) are real, "
        "as published by Kosovo Police and the CPIAT project. Everything below the national level (by directorate, "
        "weapon type or context) and the Roadmap KPI values are ILLUSTRATIVE: generated demo data that adds up to "
        "the published totals. They are marked as such wherever they appear and must not be quoted as real figures.")
    ),
    "contents_heading": N_("Contents"),
    "footer": N_("Firearms seizure statistics, {period}"),
    "footer_page": N_("Page {page} of {{nb}}"),
    "footer_illustrative": N_("This page shows illustrative (generated) data: not real records. See Methodology."),
    "badge_illustrative": N_("ILLUSTRATIVE DATA: generated, not real records"),
    "badge_published": N_("Published figures"),
    "sec_headline": N_("Headline figures"),
    "sec_trend": N_("Yearly trend"),
    "sec_regions": N_("By regional directorate"),
    "sec_kpis": N_("Roadmap KPIs"),
    "sec_training": N_("Training by gender"),
    "sec_equipment": N_("Equipment delivered"),
    "sec_method": N_("Methodology and provenance"),
    "headline_intro": N_("{year} compared with {previous}. Published national figures:"),
    "not_published": N_("{measures}: not published for {year}."),
    "headline_records": N_("Record-level totals, {year} compared with {previous} ({scope}), as on the Overview page:"),
    "scope_all": N_("all records"),
    "scope_filtered": N_("records of the selection above"),
    "change_on": N_("{change} ({pct}) on {previous}"),
    "no_previous": N_("no figure for {previous} to compare with"),
    "trend_intro": N_("Published totals (black line, the authoritative series) beside the sums of the record-level "
                      "lines (bars), as on the Overview page. Years {years}; the report period, {period}, in the "
                      "darker bars."),
    "trend_filtered": N_("The bars count only the records of the selection, so they may differ from the national totals."),
    "regions_intro": N_("Each directorate's share of the national total in {period}, as on the Regions page; then "
                        "the record-level totals of each measure by directorate."),
    "kpis_intro": N_("The Roadmap KPIs the project contributes to, as on the Roadmap KPIs page: the latest actual "
                     "value in {period}, the progress from baseline to target and the status by the rule in the "
                     "methodology (the KPIs' wording is not available here and is left to be filled in from the "
                     "Roadmap's monitoring framework)."),
    "training_intro": N_("Officers trained by the CPIAT project (published; year of training not recorded)."),
    "equipment_intro": N_("Equipment delivered by the CPIAT project (published)."),
    "no_records": N_("No records in the selection for this period."),
    "chart_unavailable": N_("Chart not available: {reason}"),
    "method_points": [
        N_("Published figures are entered as published, with their source; a figure given as \"more than N\" is shown "
        "with \"more than\" and the changes computed from it are bounds (< or >)."),
        N_("Record-level lines (by directorate, month, weapon type, context) are illustrative. They are generated with a "
        "fixed seed and split each year's published national total over the directorates, so their yearly sums equal "
        "the published totals for 2020–2023; 2019 and 2024 have no published total and use an illustrative one."),
        N_("Roadmap KPI values are an illustrative series with a 2018 baseline; the KPIs' wording is not public here."),
        N_("Directorate populations are left empty unless a public figure exists (only Prizren's directorate publishes "
        "one), so per-capita rates are not given for the other directorates."),
        N_("Year-over-year change compares a year with the year before; where the previous year has no figure, no "
        "change is given."),
    ],
    "sources_heading": N_("Sources of the data in the store, as on the About page (rows of all years)"),
    "col_measure": N_("Measure"), "col_basis": N_("Basis"), "col_change": N_("Change"), "col_change_pct": N_("Change %"),
    "col_period_total": N_("Total {period}"),
    "col_year": N_("Year"), "col_directorate": N_("Directorate"),
    "col_kpi": N_("KPI"), "col_goal": N_("Goal"), "col_baseline": N_("Baseline"), "col_target": N_("Target"),
    "col_direction": N_("Better when"), "col_latest_year": N_("Latest year"), "col_latest_value": N_("Latest actual"),
    "col_progress": N_("Progress to target"), "col_unit": N_("Unit"), "col_status": N_("Status"),
    "col_course": N_("Course"), "col_level": N_("Level"), "col_men": N_("Men"), "col_women": N_("Women"), "col_total": N_("Total"),
    "col_share_women": N_("Women %"), "col_item": N_("Item"), "col_quantity": N_("Quantity"), "col_recipient": N_("Recipient"),
    "col_dataset": N_("Data"), "col_source": N_("Source"), "col_illustrative": N_("Illustrative"), "col_rows": N_("Rows"),
    "col_value": N_("Value"), "col_qualifier": N_("Qualifier"), "col_previous": N_("Previous year"),
    "basis_published": N_("published"), "basis_illustrative": N_("illustrative"), "basis_records": N_("seizure records"),
    "all_courses": N_("All courses"),
    "published_firearms": N_("Firearms confiscated"),
    "published_rounds": N_("Ammunition (rounds)"),
    "more_than": N_("more than"),
    "yes": N_("yes"), "no": N_("no"),
    "sheet_about": N_("About"), "sheet_headline": N_("Headline"), "sheet_published": N_("Published totals"),
    "sheet_by_year": N_("Records by year"), "sheet_by_region": N_("Records by directorate"), "sheet_kpis": N_("KPIs"),
    "sheet_training": N_("Training"), "sheet_equipment": N_("Equipment"), "sheet_sources": N_("Sources"),
    "err_no_period": N_("the store has no seizure records: give the period (--year, or --from and --to)"),
    "err_fonts": N_("font {path} not found: install Debian's fonts-dejavu-core (or set SEIZURES_REPORT_FONT_DIR)"),
})
