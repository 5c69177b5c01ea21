"""The public view audited by linear programming (tests/disclosure_audit.py): every published table, collected
through the running app in public mode, on the demo data and on generated data; no hidden figure may be narrowed
below what its label allows, and no count under the threshold may show."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

import pytest
import streamlit as st

import disclosure_audit as audit
from seizures import disclosure, store

T = 5
GENERATED = {  # dense and sparse tables, and a year just begun (its totals below the threshold)
    "dense": audit.Generated(seed=1, lines=8000),
    "sparse": audit.Generated(seed=2, lines=600),
    "very sparse": audit.Generated(seed=3, lines=150),
    "a year just begun": audit.Generated(seed=4, lines=3000, last_year_share=0.004),
}


def audited(monkeypatch, url: str, figures: list, name: str) -> list[audit.Interval]:
    monkeypatch.setenv("SEIZURES_PUBLIC", "1")
    monkeypatch.setenv("SEIZURES_DB_URL", url)
    engine = store.make_engine(url)
    try:
        measures = audit.measures_of(engine)
        true = audit.truth(engine, measures)
    finally:
        engine.dispose()
    st.cache_data.clear()
    st.cache_resource.clear()
    try:
        published = audit.collect(measures)
    finally:
        st.cache_data.clear()
        st.cache_resource.clear()
    domains = audit.build(published, T, measures)
    assert not audit.shown_below_threshold(domains)
    intervals = audit.audit(domains, true)
    figures.append(f"disclosure audit, {name}: {audit.summary(intervals)}")
    return intervals


def thin(intervals: list[audit.Interval]) -> list[str]:
    return [str(i) for i in intervals if not i.ok and not i.inherent]


def test_the_demo_datas_public_view_survives_the_audit(monkeypatch, demo_url, figures):
    intervals = audited(monkeypatch, demo_url, figures, "demo data")
    assert len(intervals) >= 40  # the demo's explosives, devices and components hide cells in every page
    assert not thin(intervals), "\n".join(thin(intervals))
    assert not any(i.inherent for i in intervals)  # no total below the threshold in the demo


@pytest.mark.parametrize("kind", list(GENERATED))
def test_generated_datas_public_view_survives_the_audit(monkeypatch, tmp_path, figures, kind):
    url = audit.generated_store(GENERATED[kind], tmp_path)
    intervals = audited(monkeypatch, url, figures, f"generated, {kind}")
    assert intervals
    assert not thin(intervals), "\n".join(thin(intervals))


# --- the audit itself, on tables small enough to check by hand -------------------------------------------------


def column(cells: dict[str, tuple[float, str]], total: float, whole: bool = True) -> audit.Domain:
    """One year of a directorate table: each cell a number ("" label) or hidden, the year's total published."""
    d = audit.Domain("devices", whole, T)
    d.relate({**{("devices", "RY", k, 2021): 1.0 for k in cells}, ("devices", "T", 2021): -1.0})
    d.show(audit.Shown("headline", "2021", {("devices", "T", 2021): 1.0}, total, total))
    for k, (value, label) in cells.items():
        expr = {("devices", "RY", k, 2021): 1.0}
        d.show(audit.Shown("t", k, expr, label=label) if label else audit.Shown("t", k, expr, value, value))
    return d


def intervals_of(d: audit.Domain, values: dict[str, float]) -> dict[str, audit.Interval]:
    true = {("devices", "RY", k, 2021): v for k, v in values.items()}
    true[("devices", "T", 2021)] = sum(values.values())
    return {i.name: i for i in audit.audit({"devices": d}, true)}


def test_the_audit_finds_a_pair_pinned_by_its_total():
    # Devices 2021 on the demo data, as the issue found it: 94 - 87 = 7 shared by a "<5" and an "x" cell.
    d = column({"A": (87, ""), "MN": (2, "<5"), "GL": (5, "x")}, 94)
    found = intervals_of(d, {"A": 87, "MN": 2, "GL": 5})
    assert (found["MN"].low, found["MN"].high) == (1, 2) and not found["MN"].ok and not found["MN"].inherent
    assert (found["GL"].low, found["GL"].high) == (5, 6) and not found["GL"].ok


def test_the_audit_passes_a_cell_whose_range_is_just_wide_enough():
    # "<5" = 2 beside x = 9: their sum 11 lets the small cell be 1..4 (x is then 10..7, at least 5), but x only
    # 7..10 (3 wide: thin). A second x cell (6) widens both x cells to 5..11.
    d = column({"A": (80, ""), "S": (2, "<5"), "X": (9, "x")}, 91)
    found = intervals_of(d, {"A": 80, "S": 2, "X": 9})
    assert found["S"].ok and (found["S"].low, found["S"].high) == (1, 4)
    assert not found["X"].ok and found["X"].high - found["X"].low == 3
    d = column({"A": (80, ""), "S": (2, "<5"), "X": (9, "x"), "Y": (6, "x")}, 97)
    found = intervals_of(d, {"A": 80, "S": 2, "X": 9, "Y": 6})
    assert all(i.ok for i in found.values()), found
    assert (found["Y"].low, found["Y"].high) == (5, 11)


def test_a_total_below_the_threshold_split_into_small_parts_is_narrowed_by_the_labels_alone():
    # A year's total "<5" made of two "<5" cells: from the labels alone each part is at most 3 and the total at
    # least 2. The audit says so (inherent), whatever else is shown.
    d = audit.Domain("devices", True, T)
    d.relate({("devices", "RY", "A", 2021): 1.0, ("devices", "RY", "B", 2021): 1.0, ("devices", "T", 2021): -1.0})
    d.show(audit.Shown("headline", "2021", {("devices", "T", 2021): 1.0}, label="<5"))
    for k in ("A", "B"):
        d.show(audit.Shown("t", k, {("devices", "RY", k, 2021): 1.0}, label="<5"))
    true = {("devices", "RY", "A", 2021): 1.0, ("devices", "RY", "B", 2021): 2.0, ("devices", "T", 2021): 3.0}
    found = {i.name: i for i in audit.audit({"devices": d}, true)}
    assert (found["A"].low, found["A"].high) == (1, 3) and found["A"].inherent
    assert (found["2021"].low, found["2021"].high) == (2, 4) and found["2021"].inherent


def test_kilograms_need_the_whole_range_below_the_threshold():
    # Explosives 2021 on the demo data: 6.3 kg shared by a "<5" cell (0.9) and an "x" cell: the small one is at
    # most 1.3 kg, not anything below 5.
    d = column({"A": (62.5, ""), "PE": (0.9, "<5"), "MS": (5.4, "x")}, 68.8, whole=False)
    found = intervals_of(d, {"A": 62.5, "PE": 0.9, "MS": 5.4})
    assert not found["PE"].ok and math.isclose(found["PE"].high, 1.3, abs_tol=0.01)


def test_a_shown_count_below_the_threshold_is_reported():
    d = column({"A": (90, ""), "B": (3, "")}, 93)
    assert audit.shown_below_threshold({"devices": d}) == ["devices t B: 3..3"]


# --- the rule itself, on random tables judged by the same linear programs ---------------------------------------


def random_table(seed: int, lines: int, years: int, sparse: float) -> pd.DataFrame:
    """A line × year table of counts: most cells a few dozen, some small, some absent (zero)."""
    rng = np.random.default_rng(seed)
    rows = []
    for line in range(lines):
        for year in range(2019, 2019 + years):
            if rng.random() < sparse:
                continue
            value = rng.choice([1, 2, 3, 4]) if rng.random() < sparse else int(rng.integers(5, 60))
            rows.append((f"L{line}", year, float(value)))
    return pd.DataFrame(rows, columns=["line", "year", "value"])


def linked_domain(frame: pd.DataFrame, threshold: float) -> audit.Domain:
    """A linked line × year table as the pages publish it: its cells, its lines' totals (linked_totals), the yearly
    totals and the whole (each shown unless the measure's decision hides it)."""
    shared = disclosure.shared_totals([frame], threshold)
    cells = disclosure.protect(frame, ["value"], ["line", "year"], (), threshold, linked=["line"], shared=shared)
    totals = disclosure.linked_totals(frame.groupby("line", as_index=False)["value"].sum(), cells, "line", threshold,
                                      shared)
    years = frame.groupby("year")["value"].sum()
    d = audit.Domain("t", True, threshold)
    G = d.var(("t", "G"))
    d.relate({**{("t", "T", y): 1.0 for y in years.index}, G: -1.0})
    for y in years.index:
        d.relate({**{("t", "C", k, y): 1.0 for k in frame.loc[frame["year"] == y, "line"]}, ("t", "T", y): -1.0})
    for k in totals["line"]:
        d.relate({**{("t", "C", k, y): 1.0 for y in frame.loc[frame["line"] == k, "year"]}, ("t", "R", k): -1.0})
    shown = lambda value, note: note or value  # noqa: E731
    for row in cells.itertuples():
        audit._add_cell(d, "cells", f"{row.line} {row.year}", {("t", "C", row.line, row.year): 1.0},
                        shown(row.value, row.value_note))
    for row in totals.itertuples():
        audit._add_cell(d, "lines", row.line, {("t", "R", row.line): 1.0}, shown(row.value, row.value_note))
    for y, value in years.items():
        note = shared.years.get(y) or (disclosure.primary_label(threshold) if value < threshold else "")
        audit._add_cell(d, "years", str(y), {("t", "T", y): 1.0}, shown(value, note))
    audit._add_cell(d, "whole", "G", {G: 1.0}, shown(years.sum(), shared.total))
    return d


def truth_of(frame: pd.DataFrame) -> dict:
    true = {("t", "C", r.line, r.year): r.value for r in frame.itertuples()}
    true |= {("t", "T", y): v for y, v in frame.groupby("year")["value"].sum().items()}
    true |= {("t", "R", k): v for k, v in frame.groupby("line")["value"].sum().items()}
    return true | {("t", "G"): frame["value"].sum()}


@pytest.mark.parametrize("seed", range(12))
def test_random_linked_tables_keep_every_interval(seed):
    sparse = (0.1, 0.3, 0.5, 0.7)[seed % 4]
    frame = random_table(seed, lines=3 + seed % 5, years=4 + seed % 3, sparse=sparse)
    intervals = audit.audit({"t": linked_domain(frame, T)}, truth_of(frame))
    assert not thin(intervals), "\n".join(thin(intervals))


@pytest.mark.parametrize("values", [
    [3.0, 100.0], [1.0, 2.0, 50.0], [4.0, 5.0, 6.0, 100.0], [2.0, 9.0, 9.0], [3.0, 3.0, 3.0], [4.0, 60.0, 70.0, 80.0],
])
def test_one_dimensional_tables_keep_every_interval(values):
    # Each cell, and the whole (shown unless the decision hides it: a table of two cells, one small, cannot keep
    # the other 5 wide while its whole is known).
    frame = pd.DataFrame({"k": [f"k{i}" for i in range(len(values))], "value": values})
    shared = disclosure.shared_totals([frame], T)
    cells = disclosure.protect(frame, ["value"], ["k"], (), T, shared=shared)
    d = audit.Domain("t", True, T)
    d.relate({**{("t", "C", k): 1.0 for k in frame["k"]}, ("t", "G"): -1.0})
    for row in cells.itertuples():
        audit._add_cell(d, "cells", row.k, {("t", "C", row.k): 1.0}, row.value_note or row.value)
    small = disclosure.primary_label(T) if sum(values) < T else ""
    audit._add_cell(d, "whole", "G", {("t", "G"): 1.0}, shared.total or small or sum(values))
    true = {("t", "C", k): v for k, v in zip(frame["k"], values)} | {("t", "G"): sum(values)}
    intervals = audit.audit({"t": d}, true)
    assert not thin(intervals), "\n".join(thin(intervals))
    assert (cells["value_note"] == "<5").tolist() == [0 < v < T for v in values]
