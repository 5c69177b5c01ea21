"""Property: whatever the file, an import returns a result (no exception) and writes all of its accepted rows or nothing."""

from __future__ import annotations

import csv
import datetime as dt
import io

import sqlalchemy as sa
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from import_files import HEADER, VALID, fingerprint
from seizures import ingest, schema

TODAY = dt.date(2024, 6, 30)

# Cells: valid values, near misses, and nasty text.
CELLS = st.one_of(
    st.sampled_from(list(VALID.values()) + ["", " ", "05.03.2023", "2023-02-30", "2099-01-01", "0", "-1", "1.5",
                                            "1e3", "NaN", "Prishtinë", "Đakovica", "Atlantis", "rounds", "kg",
                                            "ammunition", "ILL-2019-00001", "EXAMPLE-1", "=1+1", "@SUM(A1)", '"',
                                            "a,b", "x\ny", "\x00", "🙂", "Č" * 70]),
    st.text(max_size=12),
)
HEADERS = st.one_of(
    st.just(HEADER),
    st.permutations(HEADER),
    st.lists(st.sampled_from(HEADER + ["Region", " QTY ", "colour", "", "import_errors", "seized_on"]),
             min_size=1, max_size=11),
)


@st.composite
def malformed_files(draw) -> bytes:
    kind = draw(st.sampled_from(["mutated", "mutated", "csv", "csv", "bytes", "truncated"]))
    if kind == "bytes":
        return draw(st.binary(max_size=300))
    if kind == "mutated":  # valid rows with a few cells spoilt: imports happen, and partial ones with skip_invalid
        header = draw(st.permutations(HEADER))
        rows = []
        for i in range(draw(st.integers(1, 8))):
            cells = [VALID[h] if h != "case_ref" else f"P-{i}" for h in header]
            for _ in range(draw(st.integers(0, 2))):
                cells[draw(st.integers(0, len(header) - 1))] = draw(CELLS)
            rows.append(cells)
    else:
        header = draw(HEADERS)
        rows = draw(st.lists(st.lists(CELLS, min_size=0, max_size=len(header) + 2), max_size=8))
    unique = draw(st.booleans())
    out = io.StringIO()
    writer = csv.writer(out, delimiter=draw(st.sampled_from([",", ";", "\t"])), lineterminator="\n")
    writer.writerow(header)
    for i, cells in enumerate(rows):
        if unique and "case_ref" in header and len(cells) > header.index("case_ref"):
            cells[header.index("case_ref")] = f"P-{i}-{cells[header.index('case_ref')]}"
        writer.writerow(cells)
    data = out.getvalue().encode(draw(st.sampled_from(["utf-8", "cp1250", "utf-16"])), errors="replace")
    if kind == "truncated":
        data = data[: draw(st.integers(0, len(data)))]
    return data


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=malformed_files(), skip_invalid=st.booleans())
def test_any_file_gives_a_result_and_writes_all_or_nothing(any_demo_copy_engine, data, skip_invalid):
    before = fingerprint(any_demo_copy_engine)
    result = ingest.import_file(any_demo_copy_engine, data, "generated.csv", skip_invalid=skip_invalid, today=TODAY)
    event(f"{result.status}{' (file refused)' if result.file_error else ''}")
    assert result.status in ("imported", "rejected", "already_imported")
    after = fingerprint(any_demo_copy_engine)
    if result.status != "imported":
        assert after == before
        assert result.file_error or not result.errors.empty or result.status == "already_imported"
        return
    assert result.rows_accepted + result.rows_rejected == result.rows_read
    assert skip_invalid or result.rows_rejected == 0
    assert after["seizures"][0] == before["seizures"][0] + result.rows_accepted
    assert after["imports"][0] == before["imports"][0] + 1
    s = schema.seizures
    with any_demo_copy_engine.connect() as conn:
        mine = conn.execute(sa.select(sa.func.count()).where(s.c.import_id == result.import_id)).scalar_one()
    assert mine == result.rows_accepted
