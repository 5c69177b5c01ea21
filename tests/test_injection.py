"""Classic SQL injection payloads through every URL parameter, every filter field, the Records sort and an uploaded
file: the store is unchanged (every table's row count and checksum) and no SQL text reaches the page."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from seizures import export, ingest, queries, schema, transfer
from seizures.filters import LIST_PARAMS, SeizureFilter

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PAYLOADS = [
    "' OR '1'='1",
    "PZ'; DROP TABLE seizures; --",
    "1; DELETE FROM seizures",
    "\" OR \"\"=\"",
    "PZ') UNION SELECT case_ref, NULL FROM seizures --",
    "2020 OR 1=1",
    "'; UPDATE imports SET user_name='x' WHERE '1'='1",
    "%' AND 1=(SELECT COUNT(*) FROM information_schema.tables) --",
    "\\'; COPY seizures TO '/tmp/leak.csv'; --",
]
# What an error that leaked SQL would show (the page's own words never match).
SQL_TEXT = re.compile(r"\bselect\b[^\n]*\bfrom\b|drop table|delete from|syntax error|parser error|binder error|"
                      r"catalog error|traceback|sqlalchemy|duckdb\.|psycopg", re.IGNORECASE)


def checksums(url: str) -> dict[str, tuple[int, str]]:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        sums = {table.name: transfer.table_checksum(conn, table) for table in schema.metadata.sorted_tables}
    engine.dispose()
    return sums


def page_text(at: AppTest) -> str:
    """What the page says, less the warnings that name the refused URL values ("Ignored ... 'PZ'; DROP ...")."""
    parts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "error", "warning", "info", "success",
                 "exception"):
        parts += [str(getattr(e, "value", e)) for e in at.get(kind)]
    return "\n".join(p for p in parts if not p.startswith("Ignored"))


def assert_nothing_leaked(at: AppTest, where) -> None:
    assert not at.exception, where
    assert not SQL_TEXT.search(page_text(at)), (where, SQL_TEXT.search(page_text(at)))


@pytest.mark.parametrize("param", ["from", "to", *LIST_PARAMS])
def test_url_parameters(monkeypatch, demo_copy_url, fresh_caches, param):
    before = checksums(demo_copy_url)
    monkeypatch.setenv("SEIZURES_DB_URL", demo_copy_url)
    for payload in PAYLOADS:
        at = AppTest.from_file(APP, default_timeout=60)
        at.query_params[param] = payload
        at.run()
        assert_nothing_leaked(at, (param, payload))
        assert any(w.value.startswith("Ignored") for w in at.warning)  # the value was refused, and the page said so
        assert at.query_params.get(param) is None  # and dropped from the URL
        at.switch_page("app_pages/records.py").run()
        assert_nothing_leaked(at, (param, payload, "records"))
    assert checksums(demo_copy_url) == before


def test_every_page_with_every_parameter_poisoned(monkeypatch, demo_copy_url, fresh_caches):
    before = checksums(demo_copy_url)
    monkeypatch.setenv("SEIZURES_DB_URL", demo_copy_url)
    at = AppTest.from_file(APP, default_timeout=60)
    for i, param in enumerate(["from", "to", *LIST_PARAMS]):
        at.query_params[param] = PAYLOADS[i % len(PAYLOADS)] if param in ("from", "to") else ",".join(PAYLOADS)
    at.run()
    for page in ["overview", "regions", "map", "weapons", "records", "training", "kpis", "tracing", "about", "data"]:
        if page != "overview":
            at.switch_page(f"app_pages/{page}.py").run()
        assert_nothing_leaked(at, page)
    assert checksums(demo_copy_url) == before


@pytest.mark.parametrize("field", ["regions", "categories", "weapon_types", "contexts"])
def test_filter_fields_reach_the_database_only_as_bound_parameters(demo_copy_url, field):
    # The filter as the pages hand it to the queries, past the URL checks: every value is a bound parameter.
    before = checksums(demo_copy_url)
    engine = sa.create_engine(demo_copy_url, poolclass=sa.pool.NullPool)
    flt = SeizureFilter(**{field: tuple(PAYLOADS)})
    assert queries.record_counts(engine, flt).rows == 0
    assert queries.records_page(engine, flt).empty
    assert queries.totals_by_region_year(engine, flt).empty
    assert queries.measure_by(engine, flt, "firearm:pieces", "region_code", "year").empty
    assert queries.headline_figures(engine, flt, 2020, 2023, ("firearm:pieces",))["value"].eq(0).all()
    assert export.records_csv(engine, flt).decode().strip() == ",".join(queries.RECORD_COLUMNS)
    # Placed beside a real value, a payload neither widens nor breaks the selection.
    real = SeizureFilter(**{field: ("PZ", "firearm", "pistol", "house_search", *PAYLOADS)})
    just = SeizureFilter(**{field: ("PZ", "firearm", "pistol", "house_search")})
    assert queries.record_counts(engine, real) == queries.record_counts(engine, just) != (0, 0, 0, 0)
    engine.dispose()
    assert checksums(demo_copy_url) == before


@pytest.mark.parametrize("payload", PAYLOADS + ["seized_on; DROP TABLE seizures", "quantity DESC, (SELECT 1)"])
def test_the_records_sort_is_a_whitelisted_column(demo_copy_url, payload):
    before = checksums(demo_copy_url)
    engine = sa.create_engine(demo_copy_url, poolclass=sa.pool.NullPool)
    with pytest.raises(ValueError, match="cannot sort by"):
        queries.records_page(engine, SeizureFilter(), payload)
    with pytest.raises(ValueError, match="cannot sort by"):
        export.records_csv(engine, SeizureFilter(), payload)
    with pytest.raises(KeyError):
        queries.measure_by(engine, SeizureFilter(), "firearm:pieces", payload)  # dimensions: a whitelist too
    engine.dispose()
    assert checksums(demo_copy_url) == before


def test_the_records_sort_widget_offers_only_columns(monkeypatch, demo_copy_url, fresh_caches):
    monkeypatch.setenv("SEIZURES_DB_URL", demo_copy_url)
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("app_pages/records.py").run()
    assert set(at.selectbox(key="records_sort").options) <= {
        "Date", "Directorate", "Municipality", "Category", "Weapon type", "Quantity", "Context", "Case reference"}
    with pytest.raises(Exception):
        at.selectbox(key="records_sort").set_value(PAYLOADS[1]).run()


def test_an_uploaded_file_is_stored_as_text(demo_copy_url):
    untouched = ["regions", "municipalities", "published_totals", "trainings", "equipment", "roadmap_goals",
                 "roadmap_kpis", "kpi_values"]
    before = checksums(demo_copy_url)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["seized_on", "region", "municipality", "category", "weapon_type", "quantity", "unit", "context",
                     "case_ref", "source"])
    for i, payload in enumerate(PAYLOADS[:5]):
        writer.writerow([f"2023-03-0{i + 1}", "PZ", "", "firearm", "pistol", 1, "pieces", "house_search", payload,
                         payload])
    content = buffer.getvalue().encode()
    engine = sa.create_engine(demo_copy_url, poolclass=sa.pool.NullPool)
    result = ingest.import_file(engine, content, "payloads.csv", user="test")
    assert result.status == "imported", result.errors
    with engine.connect() as conn:
        stored = pd.read_sql(sa.text("SELECT case_ref FROM seizures WHERE import_id = :i ORDER BY seized_on"),
                             conn, params={"i": result.import_id})
    engine.dispose()
    assert len(stored) == 5 and stored["case_ref"].str.contains("DROP TABLE|UNION SELECT|' OR '").sum() == 3
    after = checksums(demo_copy_url)
    assert {t: after[t] for t in untouched} == {t: before[t] for t in untouched}
    assert after["seizures"][0] == before["seizures"][0] + 5
