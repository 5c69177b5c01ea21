"""The summaries the pages read (summary.py): kept by imports and rollbacks exactly as a rebuild from the lines makes
them, and giving the numbers the lines give, seizure events (count distinct case references) included."""

from __future__ import annotations

import datetime as dt
import random

import pandas as pd
import pytest
import sqlalchemy as sa

from seizures import ingest, queries, schema, store, summary
from seizures.filters import SeizureFilter

ITEMS = [("firearm", "pistol", "pieces"), ("firearm", "automatic_rifle", "pieces"), ("ammunition", "pistol", "rounds"),
         ("explosive", "explosive", "kg"), ("explosive", "hand_grenade", "pieces")]


def random_lines(rng: random.Random, count: int) -> pd.DataFrame:
    """Lines whose case references come from a small pool, so cases span imports, months, directorates and items;
    about one row in eight a count of a month, quarter or year (no case reference; region, weapon type or context
    sometimes not recorded)."""
    rows = []
    for _ in range(count):
        category, weapon_type, unit = rng.choice(ITEMS)
        row = {
            "seized_on": dt.date(rng.choice([2021, 2022]), rng.choice([1, 6]), rng.choice([1, 15])),
            "region_code": rng.choice(["PR", "PZ"]),
            "category": category, "weapon_type": weapon_type, "unit": unit,
            "quantity": rng.choice([1.0, 2.0, 0.5, 30.0]),
            "context": rng.choice(["house_search", "border_crossing"]),
            "case_ref": None if rng.random() < 0.15 else f"C-{rng.randrange(12)}",
            "illustrative": rng.random() < 0.5,
            "period": "day",
        }
        if rng.random() < 0.125:
            period = rng.choice(["month", "quarter", "year"])
            first_day = {"month": row["seized_on"].replace(day=1), "quarter": row["seized_on"].replace(day=1),
                         "year": row["seized_on"].replace(month=1, day=1)}[period]
            row.update(period=period, seized_on=first_day, case_ref=None,
                       region_code=rng.choice(["PR", None]), weapon_type=rng.choice([weapon_type, None]),
                       context=rng.choice(["house_search", None]))
        rows.append(row)
    return pd.DataFrame(rows)


def summary_keys(lines: pd.DataFrame) -> pd.DataFrame:
    """The lines with year and month, and what they do not record as the summaries keep it (month 0, "")."""
    out = lines.assign(year=[d.year for d in lines["seized_on"]])
    out["month"] = [d.month if p in ("day", "month") else 0 for d, p in zip(lines["seized_on"], lines["period"])]
    return out.fillna({"region_code": "", "weapon_type": "", "context": ""})


def add_import(conn: sa.Connection, lines: pd.DataFrame) -> int:
    import_id = conn.execute(schema.imports.insert().values(
        file_name="test.csv", content_hash="x", kind="file", rows_read=len(lines), rows_accepted=len(lines),
        rows_rejected=0, imported_at=dt.datetime(2024, 1, 1),
    ).returning(schema.imports.c.id)).scalar_one()
    store.insert_frame(conn, schema.seizures, lines.assign(import_id=import_id))
    summary.added(conn, import_id)
    return import_id


def roll_back(conn: sa.Connection, import_id: int) -> None:
    summary.removing(conn, import_id)
    conn.execute(schema.seizures.delete().where(schema.seizures.c.import_id == import_id))


def snapshot(conn: sa.Connection) -> tuple[list, list]:
    t, k = schema.seizure_summary, schema.seizure_case_keys
    rows = sorted(
        (*(r[key] for key in summary.KEY), r["import_id"] or 0, r["lines"], r["count_rows"], r["case_lines"],
         r["illustrative_lines"], round(r["quantity"], 6), r["events"])
        for r in conn.execute(sa.select(t).where((t.c.lines > 0) | (t.c.count_rows > 0))).mappings()
    )
    zero = conn.execute(sa.select(sa.func.count()).select_from(t).where(t.c.lines + t.c.count_rows == 0)).scalar_one()
    assert zero == 0, "a summary row without lines or counts"
    return rows, sorted(tuple(r) for r in conn.execute(sa.select(k)))


def assert_same_as_rebuilt(conn: sa.Connection) -> None:
    kept = snapshot(conn)
    summary.rebuild(conn)
    assert kept == snapshot(conn)


def test_imports_and_rollbacks_keep_the_summaries_as_a_rebuild_makes_them(any_engine):
    rng = random.Random(5)
    with any_engine.begin() as conn:
        # Lines without an import (as the benchmark generator writes them), then imports sharing case references.
        store.insert_frame(conn, schema.seizures, random_lines(rng, 30))
        summary.rebuild(conn)
        ids = [add_import(conn, random_lines(rng, 25)) for _ in range(4)]
        assert_same_as_rebuilt(conn)
        for step in (lambda: roll_back(conn, ids[1]), lambda: add_import(conn, random_lines(rng, 25)),
                     lambda: roll_back(conn, ids[0]), lambda: roll_back(conn, ids[3])):
            step()
            assert_same_as_rebuilt(conn)
        multi = conn.execute(sa.select(sa.func.count(sa.distinct(schema.seizure_case_keys.c.case_ref)))).scalar_one()
    assert multi > 0, "the scenario must have cases whose lines have several keys"


def test_imports_of_new_cases_take_the_short_way_and_keep_the_summaries_exact(any_engine, monkeypatch):
    """An import whose case references have no lines elsewhere skips the recount of the cases before it (summary
    _add_new_cases): single-line cases, cases of several lines on one key or on several keys, lines without a case
    reference; then imports that do share case references with earlier ones take the full way."""
    rng = random.Random(23)
    shortcuts = []
    real = summary._add_new_cases
    monkeypatch.setattr(summary, "_add_new_cases", lambda conn, i: (shortcuts.append(i), real(conn, i)))

    def fresh_lines(prefix: str, count: int) -> pd.DataFrame:
        lines = random_lines(rng, count)
        # Case references of this import only: pools of 1 to 3 lines each, some on one key, some on several.
        lines["case_ref"] = [None if ref is None else f"{prefix}-{rng.randrange(count // 2)}" for ref in lines["case_ref"]]
        same_key = lines.iloc[0].copy()
        same_key["case_ref"] = f"{prefix}-twin"
        return pd.concat([lines, pd.DataFrame([same_key, same_key])], ignore_index=True)

    with any_engine.begin() as conn:
        store.insert_frame(conn, schema.seizures, random_lines(rng, 20))  # C-0 .. C-11, without an import
        summary.rebuild(conn)
        first = add_import(conn, fresh_lines("A", 30))
        assert shortcuts == [first]
        assert_same_as_rebuilt(conn)
        second = add_import(conn, fresh_lines("B", 30))
        assert shortcuts == [first, second]
        assert_same_as_rebuilt(conn)
        shared = fresh_lines("A", 30)  # shares A-... with the first import
        third = add_import(conn, shared)
        assert third not in shortcuts
        assert_same_as_rebuilt(conn)
        fourth = add_import(conn, random_lines(rng, 20))  # shares C-... with the lines without an import
        assert fourth not in shortcuts
        assert_same_as_rebuilt(conn)
        roll_back(conn, first)
        assert_same_as_rebuilt(conn)
        fifth = add_import(conn, fresh_lines("A", 10))  # A-... now only in the third import: shared
        assert fifth not in shortcuts
        assert_same_as_rebuilt(conn)
        roll_back(conn, third)
        roll_back(conn, fifth)
        sixth = add_import(conn, fresh_lines("A", 30))  # A-... has no lines left: new again
        assert shortcuts[-1] == sixth
        assert_same_as_rebuilt(conn)
        multi = conn.execute(sa.select(sa.func.count()).select_from(schema.seizure_case_keys)
                             .where(schema.seizure_case_keys.c.case_ref.like("B-%"))).scalar_one()
    assert multi > 0, "the scenario must have new cases whose lines have several keys"


FILTERS = [
    SeizureFilter(),
    SeizureFilter(2022, 2022),
    SeizureFilter(regions=("PZ",), categories=("firearm", "explosive")),
    SeizureFilter(2021, 2021, ("PR",), (), ("pistol",), ("border_crossing",)),
]


@pytest.mark.parametrize("flt", FILTERS, ids=["all", "2022", "PZ firearm+explosive", "narrow"])
def test_measures_from_the_summaries_equal_the_lines(any_engine, flt):
    rng = random.Random(11)
    with any_engine.begin() as conn:
        ids = [add_import(conn, random_lines(rng, 40)) for _ in range(3)]
        roll_back(conn, ids[1])
        lines = summary_keys(pd.DataFrame(conn.execute(sa.select(schema.seizures)).mappings().all()))
    keep = pd.Series(True, index=lines.index)
    if flt.year_from:
        keep &= lines["year"] >= flt.year_from
    if flt.year_to:
        keep &= lines["year"] <= flt.year_to
    for column, values in (("region_code", flt.regions), ("category", flt.categories),
                           ("weapon_type", flt.weapon_types), ("context", flt.contexts)):
        if values:
            keep &= lines[column].isin(values)
    chosen = lines[keep]
    for dimensions in (("year",), ("region_code", "month"), ("weapon_type",), ("context", "category")):
        got = queries.measure_by(any_engine, flt, "events", *dimensions)
        # Distinct case references; a group with none (counts, lines without one) is not recorded (None).
        expected = {
            key if isinstance(key, tuple) else (key,): group["case_ref"].nunique() or None
            for key, group in chosen.groupby(list(dimensions))
        }
        shown = {tuple(row[:-1]): None if pd.isna(row[-1]) else row[-1] for row in got.itertuples(index=False)}
        assert shown == expected, dimensions
        firearms = queries.measure_by(any_engine, flt, "firearm:pieces", *dimensions)
        pieces = chosen[(chosen["category"] == "firearm") & (chosen["unit"] == "pieces")]
        expected = {key if isinstance(key, tuple) else (key,): g["quantity"].sum() for key, g in pieces.groupby(list(dimensions))}
        assert {tuple(row[:-1]): row[-1] for row in firearms.itertuples(index=False)} == pytest.approx(expected)
    one_seizure = chosen["period"] == "day"
    assert queries.record_counts(any_engine, flt) == (
        one_seizure.sum(), (~one_seizure).sum(), int(chosen["illustrative"].sum()),
        (one_seizure & chosen["case_ref"].notna()).sum())


def test_an_import_and_its_rollback_update_the_numbers_the_pages_show(demo_copy_engine, tmp_path):
    """Through the importer: a case already stored gets a second line (its rounds): still one seizure event."""
    s = schema.seizures
    with demo_copy_engine.connect() as conn:
        case = conn.execute(sa.select(s).where(s.c.category == "firearm").order_by(s.c.id).limit(1)).one()
    flt = SeizureFilter(case.seized_on.year, case.seized_on.year)
    events_before = queries.measure_by(demo_copy_engine, flt, "events", "year")["value"].sum()
    rounds_before = queries.measure_by(demo_copy_engine, flt, "ammunition:rounds", "year")["value"].sum()
    lines_before = queries.record_counts(demo_copy_engine, SeizureFilter())[0]
    path = tmp_path / "rounds.csv"
    path.write_text(
        "seized_on,region,category,weapon_type,quantity,unit,context,case_ref\n"
        f"{case.seized_on:%Y-%m-%d},{case.region_code},ammunition,pistol,40,rounds,{case.context},{case.case_ref}\n"
        f"{case.seized_on:%Y-%m-%d},{case.region_code},ammunition,pistol,7,rounds,{case.context},NEW-CASE-1\n"
    )
    result = ingest.import_file(demo_copy_engine, path)
    assert result.status == "imported", result.summary()
    assert queries.measure_by(demo_copy_engine, flt, "events", "year")["value"].sum() == events_before + 1
    assert queries.measure_by(demo_copy_engine, flt, "ammunition:rounds", "year")["value"].sum() == rounds_before + 47
    assert queries.record_counts(demo_copy_engine, SeizureFilter())[0] == lines_before + 2
    assert ingest.list_imports(demo_copy_engine).set_index("id").at[result.import_id, "lines_stored"] == 2
    ingest.rollback(demo_copy_engine, result.import_id)
    assert queries.measure_by(demo_copy_engine, flt, "events", "year")["value"].sum() == events_before
    assert queries.record_counts(demo_copy_engine, SeizureFilter())[0] == lines_before
    with demo_copy_engine.begin() as conn:
        assert_same_as_rebuilt(conn)
