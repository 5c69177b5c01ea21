"""Every user-visible text of the donor report, in one place (for translation)."""

from seizures import i18n
from seizures.i18n import N_

TEXT = i18n.Texts({
    "doc_title": N_("Firearms seizures in {place}"),
    "no_place": N_("the jurisdiction"),
    "doc_subtitle": N_("Report for {period}"),
    "doc_audience": N_("Seizure statistics and SALW Control Roadmap indicators"),
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
    "data_note": N_("Published national figures (totals, training, equipment) are real, as published; their sources "
                    "are listed in the methodology. Every figure, table and page marked ILLUSTRATIVE shows generated "
                    "demo data, not real records: it must not be quoted as a real figure."),
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
    "sec_events": N_("Events on the timeline"),
    "events_intro": N_("What happened in {period} (operations, campaigns, changes of law, trainings, deliveries, "
                       "censuses), as the trend charts of the pages draw it; kept by the administrators, with "
                       "their sources."),
    "no_events": N_("No event is recorded for this period."),
    "col_from": N_("From"), "col_to": N_("To"), "col_kind": N_("Kind"), "col_event": N_("Event"),
    "national": N_("national"), "sheet_events": N_("Events"),
    "headline_intro": N_("{year} compared with {previous}. Published national figures:"),
    "not_published": N_("{measures}: not published for {year}."),
    "headline_records": N_("Record-level totals, {year} compared with {previous} ({scope}), as on the Overview page:"),
    "scope_all": N_("all records"),
    "scope_filtered": N_("records of the selection above"),
    "change_on": N_("{change} ({pct}) on {previous}"),
    "no_previous": N_("no figure for {previous} to compare with"),
    "published_listed": N_("The national figures of these years as published, with their sources (a figure of "
                           "several years together with its years):"),
    "trend_intro": N_("Published totals (black line, the authoritative series) beside the sums of the record-level "
                      "lines (bars), as on the Overview page. Years {years}; the report period, {period}, in the "
                      "darker bars."),
    "trend_filtered": N_("The bars count only the records of the selection, so they may differ from the national totals."),
    "regions_intro": N_("Each directorate's share of the national total in {period}, as on the Regions page; then "
                        "the record-level totals of each measure by directorate."),
    "kpis_intro": N_("The Roadmap KPIs of {phase} ({span}) that the project contributes to, as on the Roadmap KPIs "
                     "page: the latest actual value in {period}, the progress from the baseline ({baseline_year}) to "
                     "the target ({target_year}) and the status by the rule in the methodology."),
    "kpis_untitled": N_("The KPIs' wording is not in the store yet: it is entered from the Roadmap's monitoring "
                        "framework by an administrator (Data page, Roadmap wording)."),
    "kpi_title": N_("KPI {number}: {title}"),
    "wording_unverified": N_("(wording to be verified)"),
    "phase_unverified": N_("The phase's wording or years are to be verified: {source}."),
    "no_phase": N_("No Roadmap phase is in the store."),
    "filter_phase": N_("Roadmap phase"),
    "coverage": N_("Coverage"),
    "sdg_heading": N_("SDG indicator 16.4.2"),
    "sdg_intro": N_("{definition} (UN SDG metadata). The firearms (pieces) of the selection, as on the SDG 16.4.2 "
                    "and tracing page: the numerator is those whose illicit origin or context was established; where "
                    "no trace result is recorded the indicator is \"not recorded\", never 0 %."),
    "sdg_none": N_("No firearms in the selection for this period."),
    "not_recorded": N_("not recorded"),
    "col_seized": N_("Firearms seized"), "col_established": N_("Origin established"),
    "col_sdg": N_("SDG 16.4.2 (%)"), "col_no_tracing": N_("No tracing field"),
    "sheet_sdg": N_("SDG 16.4.2"),
    "training_intro": N_("Officers trained, as published (sources in the methodology; the year of training where it "
                         "is recorded)."),
    "equipment_intro": N_("Equipment delivered, as published (sources in the methodology)."),
    "no_records": N_("No records in the selection for this period."),
    "chart_unavailable": N_("Chart not available: {reason}"),
    "method_published": N_("Published figures are entered as published, with their source; a figure given as "
                           "\"more than N\" is shown with \"more than\" and the changes computed from it are bounds "
                           "(< or >). A figure of several years together is listed with its years, not split."),
    "method_records": N_("Record-level figures are sums of the stored lines (one seizure each) that match the "
                         "selection; seizure events are their distinct case references."),
    "method_counts": N_("Some figures are counts by period (a month, quarter or year) as a service reports them: they "
                        "are added to the record-level lines, and hold no seizure events."),
    "method_illustrative": N_("Figures marked illustrative are generated demo data, flagged in the store; the source "
                              "of those rows (in the table below) says how they were made."),
    "method_kpis": N_("Roadmap KPI values marked illustrative are a generated series, not figures reported to "
                      "SEESAC; the KPIs' wording is not public here."),
    "method_population": N_("Directorate populations are left empty unless a figure exists, so per-capita rates are "
                            "given only where one does."),
    "method_change": N_("Year-over-year change compares a year with the year before; where the previous year has no "
                        "figure, no change is given."),
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
    "col_url": N_("Address"),
    "col_title": N_("Title"), "col_definition": N_("Definition"),
    "more_than": N_("more than"),
    "yes": N_("yes"), "no": N_("no"),
    "sheet_about": N_("About"), "sheet_headline": N_("Headline"), "sheet_published": N_("Published totals"),
    "sheet_by_year": N_("Records by year"), "sheet_by_region": N_("Records by directorate"), "sheet_kpis": N_("KPIs"),
    "sheet_training": N_("Training"), "sheet_equipment": N_("Equipment"), "sheet_sources": N_("Sources"),
    "err_phase": N_("unknown Roadmap phase {code} (the store has: {known})"),
    "err_no_period": N_("the store has no seizure records: give the period (--year, or --from and --to)"),
    "err_fonts": N_("font {path} not found: install Debian's fonts-dejavu-core (or set SEIZURES_REPORT_FONT_DIR)"),
})
