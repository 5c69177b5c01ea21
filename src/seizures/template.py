"""The import templates: the expected columns, an example row, and the allowed values of every coded column, all
from the store's reference data (its regions, municipalities and vocabulary)."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from seizures import i18n, ingest, spreadsheet, workbench

RULES = [
    "One row per seized item line; the first row holds the column names (any case, spaces allowed).",
    "Delete the example row (its case reference starts with EXAMPLE) before importing.",
    "A file with any invalid row imports nothing, unless 'import valid rows only' is chosen.",
    "Importing the same file twice changes nothing; a wrong import can be rolled back on the Data page.",
    "Save CSV files as 'CSV UTF-8'; Windows-1250/1252 files are converted and a note says so.",
    "Counts of a month, quarter or year: a file with the columns period (2023, 2023-03, 03.2023 or 2023Q1), "
    "region (empty: the whole jurisdiction), category, unit, weapon_type, context and quantity; or any layout "
    "through a column mapping (`seizures import FILE --mapping NAME`).",
]


def references(engine: sa.Engine) -> workbench.References:
    with engine.connect() as conn:
        return workbench.read_references(conn)


def example_row(refs: workbench.References) -> dict[str, str]:
    """A row of the template that would import (but for its EXAMPLE case reference), in the store's own terms."""
    v = refs.vocabulary
    region = refs.regions["code"].iloc[0]
    municipality = refs.municipalities.loc[refs.municipalities["region_code"] == region, "name"]
    category = v.codes("category")[0]
    units = v.units_of(category) or tuple(v.codes("unit"))
    weapons, contexts = v.codes("weapon_type"), v.codes("context")
    example = {
        "seized_on": "05.03.2023", "region": region, "municipality": municipality.iloc[0] if len(municipality) else "",
        "category": category, "weapon_type": weapons[0] if weapons else "", "quantity": "1", "unit": units[0],
        "context": contexts[0] if contexts else "", "case_ref": f"{ingest.EXAMPLE_PREFIX}-2023-0001", "source": "",
    }
    return {column: example.get(column, "") for column in ingest.COLUMNS}


def column_help(refs: workbench.References) -> dict[str, str]:
    v = refs.vocabulary
    limits = ", ".join(f"{t.line_limit:,g} {t.code}" for t in v.of("unit") if t.line_limit)
    whole = " and ".join(t.code for t in v.of("unit") if t.whole)
    earliest = workbench.earliest_text(refs.jurisdiction.earliest_date)
    help_ = {
        "seized_on": f"required; date of the seizure: YYYY-MM-DD or DD.MM.YYYY, not in the future, not before {earliest}",
        "region": "required; region: its code, or its name in any of the interface languages",
        "municipality": "optional; a municipality of that region",
        "category": "required; " + ", ".join(v.codes("category")) + " (or a label)",
        "weapon_type": "optional (empty: not recorded); " + ", ".join(v.codes("weapon_type")),
        "quantity": "required; greater than 0" + (f"; whole numbers for {whole}" if whole else "")
        + (f"; at most {limits} per line" if limits else ""),
        "unit": "required; " + "; ".join(f"{t.code}: {' or '.join(t.units)}" for t in v.of("category")),
        "context": "optional (empty: not recorded); " + ", ".join(v.codes("context")),
        "case_ref": "optional; case reference, at most 64 characters; seizure events are counted from case "
        "references; one line per case, category, weapon type and unit",
        "source": "optional; where the record comes from (default: the file name)",
        "marked": "optional; a marking was found on the firearm: yes or no (also true/false, 1/0)",
        "trace_requested_on": "optional; the date a trace was requested, as seized_on",
        "trace_result": "optional; " + ", ".join(workbench.TRACE_RESULTS_CODES),
        "origin_how": "optional; how the illicit origin was established: " + ", ".join(workbench.ORIGIN_HOW_CODES),
        "manufacture_country": "optional; country of manufacture: ISO 3166-1 alpha-2 code (DE, RS, ...)",
        "import_country": "optional; country of the last legal import: ISO 3166-1 alpha-2 code",
        "legal_basis": "optional; " + ", ".join(workbench.LEGAL_BASIS_CODES),
        "criminal_context": "optional; " + ", ".join(workbench.CRIMINAL_CONTEXT_CODES),
        "significant": "optional; a significant seizure: yes or no",
    }
    return help_


def allowed_values(refs: workbench.References) -> pd.DataFrame:
    """column, value, meaning: every accepted code of every coded column (names and labels are accepted too)."""
    rows = [("region", r.code, " / ".join(dict.fromkeys(n for n in (r.name_en, r.name_sq, r.name_sr)
                                                          if isinstance(n, str) and n)))
            for r in refs.regions.itertuples()]
    rows += [("municipality", m.name, f"region {m.region_code}") for m in refs.municipalities.itertuples()]
    for kind in ingest.CODED:
        rows += [(kind, t.code, t.label("en")) for t in refs.vocabulary.of(kind)]
    with i18n.using("en"):
        for column, codes in workbench.TRACING_CODED.items():
            rows += [(column, code, i18n._(text)) for code, text in codes.items()]
    for column in workbench.BOOLEAN_COLUMNS:
        rows += [(column, "yes", "true, 1"), (column, "no", "false, 0")]
    countries = pd.read_csv(workbench.COUNTRIES_FILE, dtype=str, keep_default_na=False)
    rows += [("country", c.alpha_2, c.name) for c in countries.itertuples()]
    return pd.DataFrame(rows, columns=["column", "value", "meaning"])


def template_frame(refs: workbench.References) -> pd.DataFrame:
    return pd.DataFrame([example_row(refs)], columns=list(ingest.COLUMNS))


def template_csv(engine: sa.Engine) -> bytes:
    return spreadsheet.csv_bytes(template_frame(references(engine)))


def allowed_values_csv(engine: sa.Engine) -> bytes:
    return spreadsheet.csv_bytes(allowed_values(references(engine)))


def template_xlsx(engine: sa.Engine) -> bytes:
    """A workbook: sheet "records" (header, example row, drop-down lists), "allowed values", "instructions"."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    refs = references(engine)
    allowed = allowed_values(refs)
    example = example_row(refs)
    book = Workbook()
    records = book.active
    records.title = "records"
    columns = list(ingest.COLUMNS)
    records.append(columns)
    records.append([example[c] for c in columns])
    for cell in records[1]:
        cell.font = Font(bold=True)
    records.freeze_panes = "A2"

    lists = book.create_sheet("allowed values")
    lists.append(["column", "value", "meaning"])
    for row in allowed.itertuples(index=False):
        lists.append(list(row))
    for cell in lists[1]:
        cell.font = Font(bold=True)
    # A drop-down on each coded column, pointing at its block of the "allowed values" sheet.
    blocks = {c: c for c in ("region", "municipality", *ingest.CODED, *workbench.TRACING_CODED,
                             *workbench.BOOLEAN_COLUMNS)}
    blocks.update({c: "country" for c in workbench.COUNTRY_COLUMNS})
    for column, block in blocks.items():
        positions = allowed.index[allowed["column"] == block]
        if positions.empty:
            continue
        first, last = positions.min() + 2, positions.max() + 2
        letter = get_column_letter(columns.index(column) + 1)
        check = DataValidation(type="list", formula1=f"='allowed values'!$B${first}:$B${last}", allow_blank=True)
        check.error = f"Not an allowed {column}: see the sheet 'allowed values'"
        # Names and labels in any interface language are accepted too: the list only suggests.
        check.showErrorMessage = column in ("municipality",)
        records.add_data_validation(check)
        check.add(f"{letter}2:{letter}100000")

    notes = book.create_sheet("instructions")
    notes.append(["column", "what to write"])
    helps = column_help(refs)
    for column in columns:
        notes.append([column, helps[column]])
    notes.append([])
    for rule in RULES:
        notes.append([rule])
    for sheet, widths in ((records, [14] * len(columns)), (lists, [20, 32, 50]), (notes, [20, 110])):
        for i, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(i)].width = width
    spreadsheet.no_formulas(book)  # names come from the store
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def write_template(engine: sa.Engine, path: Path) -> list[Path]:
    """Write the template to path (.xlsx or .csv; beside a CSV also its allowed values); returns the files written."""
    if path.suffix.lower() == ".xlsx":
        path.write_bytes(template_xlsx(engine))
        return [path]
    if path.suffix.lower() != ".csv":
        raise ValueError(f"{path.name}: the template is .csv or .xlsx")
    path.write_bytes(template_csv(engine))
    values = path.with_name(f"{path.stem}-allowed-values.csv")
    values.write_bytes(allowed_values_csv(engine))
    return [path, values]
