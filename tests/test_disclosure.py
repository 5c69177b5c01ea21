"""Small-count suppression: hand-computed tables, and the subtraction attack tried by brute force."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from seizures import disclosure, maps

T = 5


def grid(rows: dict[str, dict[int, float]]) -> pd.DataFrame:
    """A region × year frame from {region: {year: value}} (absent cells are zero seizures, as GROUP BY leaves them)."""
    return pd.DataFrame(
        [(region, year, value) for region, years in rows.items() for year, value in years.items()],
        columns=["region_code", "year", "value"],
    )


def pattern(frame: pd.DataFrame, column: str = "value") -> dict[tuple, str]:
    """(region, year) -> the value as shown ("<5", "x" or the number)."""
    shown = disclosure.shown(frame)
    return {(r.region_code, r.year): getattr(r, column) for r in shown.itertuples()}


def candidates_for_hidden(original: pd.DataFrame, protected: pd.DataFrame) -> dict[tuple, set]:
    """What an attacker can still believe about each hidden cell: every integer assignment of the hidden cells that
    matches what is shown (the shown cells, "<5" meaning 1-4 and "x" meaning 5 or more) and every total the app
    shows elsewhere (each year's total, each region's total). Returns cell -> the values it may have."""
    truth = {(r.region_code, r.year): r.value for r in original.itertuples()}
    notes = {(r.region_code, r.year): r.value_note for r in protected.itertuples()}
    cells = [cell for cell, note in notes.items() if note]
    margins = []  # (the cells of a year or a region, its shown total)
    for position in (0, 1):
        for key in {cell[position] for cell in truth}:
            members = [cell for cell in truth if cell[position] == key]
            margins.append((members, sum(truth[c] for c in members)))
    def upper(cell):  # a hidden cell is at most any total it belongs to
        return int(min(total for members, total in margins if cell in members))
    ranges = [range(1, T) if notes[c] == disclosure.primary_label(T) else range(T, upper(c) + 1) for c in cells]
    possible: dict[tuple, set] = {cell: set() for cell in cells}
    for values in itertools.product(*ranges):
        guess = {**{c: truth[c] for c in truth if not notes[c]}, **dict(zip(cells, values))}
        if all(sum(guess[c] for c in members) == total for members, total in margins):
            for cell, value in zip(cells, values):
                possible[cell].add(value)
    return possible


def test_a_small_cell_and_its_complements_are_hidden():
    # PZ 2022 = 3 is below 5. Year 2022 then holds one hidden cell: the smallest other one (GJ 10) is hidden too.
    # Region PZ now holds one hidden cell: its other year (12) is hidden; region GJ likewise (8). Year 2023 then
    # holds two hidden cells (12 + 8 = 20 >= 5): done. Prishtina's cells stay shown.
    frame = grid({"PR": {2022: 20, 2023: 30}, "PZ": {2022: 3, 2023: 12}, "GJ": {2022: 10, 2023: 8}})
    protected = disclosure.protect(frame, ["value"], ["region_code", "year"], threshold=T)
    assert pattern(protected) == {
        ("PR", 2022): 20.0, ("PR", 2023): 30.0,
        ("PZ", 2022): "<5", ("PZ", 2023): "x",
        ("GJ", 2022): "x", ("GJ", 2023): "x",
    }
    assert protected.attrs["totals"] == {"value": 83.0}  # the true total, for shares


def test_the_subtraction_attack_does_not_recover_the_small_cell():
    frame = grid({"PR": {2022: 20, 2023: 30}, "PZ": {2022: 3, 2023: 12}, "GJ": {2022: 10, 2023: 8}})
    protected = disclosure.protect(frame, ["value"], ["region_code", "year"], threshold=T)
    possible = candidates_for_hidden(frame, protected)
    assert possible[("PZ", 2022)] == {1, 2, 3, 4}  # every value below 5 fits what is shown

    # Without secondary suppression the same attack gives the exact value: 2022's total 33 - 20 - 10 = 3.
    naive = frame.assign(value_note=np.where(frame["value"] < T, "<5", ""))
    assert candidates_for_hidden(frame, naive)[("PZ", 2022)] == {3}


def test_a_cell_alone_in_its_margin_is_never_the_complement():
    # Mitrovica North has a single cell (9): its region total, shown on the map and in the shares, gives it away,
    # so hiding it would not protect PZ 2023 = 2. Prishtina's 40 is hidden instead (then PR 2022 30, PZ 2022 6).
    frame = grid({"PR": {2022: 30, 2023: 40}, "PZ": {2022: 6, 2023: 2}, "MN": {2023: 9}})
    protected = disclosure.protect(frame, ["value"], ["region_code", "year"], threshold=T)
    assert pattern(protected) == {
        ("PR", 2022): "x", ("PR", 2023): "x", ("PZ", 2022): "x", ("PZ", 2023): "<5", ("MN", 2023): 9.0,
    }
    assert candidates_for_hidden(frame, protected)[("PZ", 2023)] == {1, 2, 3}  # 4 would need PZ 2022 = 4 < 5


def test_one_dimension_small_cells_whose_sum_is_small_get_a_third():
    # 1 and 2 are both below 5, but 1 + 2 = 3 would still be a small count from the total: the smallest other (9)
    # is hidden as well, leaving 50.
    frame = pd.DataFrame({"weapon_type": ["a", "b", "c", "d"], "value": [1.0, 2.0, 50.0, 9.0]})
    shown = disclosure.shown(disclosure.protect(frame, ["value"], ["weapon_type"], threshold=T))
    assert shown["value"].tolist() == ["<5", "<5", 50.0, "x"]


def test_nothing_small_nothing_hidden_and_the_threshold_is_configurable():
    frame = pd.DataFrame({"month": [1, 2, 3], "value": [5.0, 7.0, 9.0]})
    assert disclosure.shown(disclosure.protect(frame, ["value"], ["month"], threshold=5))["value"].tolist() == [5, 7, 9]
    hidden = disclosure.shown(disclosure.protect(frame, ["value"], ["month"], threshold=10))
    assert hidden["value"].tolist() == ["<10", "<10", "<10"]


def test_strata_are_never_added_together():
    # Firearms (pieces) and ammunition (rounds) are separate tables: a small firearm count is protected by another
    # firearm cell, never by a count of rounds.
    frame = pd.DataFrame({
        "category": ["firearm", "firearm", "firearm", "ammunition", "ammunition"],
        "unit": ["pieces", "pieces", "pieces", "rounds", "rounds"],
        "region_code": ["PR", "PZ", "GJ", "PR", "PZ"],
        "quantity": [2.0, 40.0, 12.0, 300.0, 200.0],
    })
    shown = disclosure.shown(disclosure.protect(frame, ["quantity"], ["region_code"], ["category", "unit"], T))
    assert shown["quantity"].tolist() == ["<5", 40.0, "x", 300.0, 200.0]


def test_headline_hides_a_small_value_and_the_change_that_would_reveal_it():
    frame = pd.DataFrame({
        "measure": ["firearms", "explosives"], "label": ["Firearms", "Explosives"], "unit": ["pieces", "kg"],
        "year": [2024, 2024], "value": [120.0, 3.5], "previous": [100.0, 9.0], "change": [20.0, -5.5],
        "pct_change": [20.0, -61.1], "period_total": [700.0, 40.0],
    })
    shown = disclosure.shown(disclosure.protect_headline(frame, T))
    assert shown.loc[0, ["value", "previous", "change", "period_total"]].tolist() == [120.0, 100.0, 20.0, 700.0]
    assert shown.loc[1, ["value", "previous", "change", "pct_change", "period_total"]].tolist() == [
        "<5", 9.0, "x", "x", 40.0]


def test_the_map_hides_a_directorates_small_period_total():
    # Explosives (kg), directorate × year: MN 2022 = 1 and MN 2023 = 2 are small; 2022's other cell (PR 30) and 2023's
    # (PZ 6) must be hidden with them, so MN, PZ and PR are all hidden on the map (each has a hidden year); GJ has
    # no explosives at all (0, shown). Firearms are all shown.
    totals = pd.DataFrame({
        "region_code": ["MN", "MN", "PZ", "PR", "PR", "PZ"],
        "year": [2022, 2023, 2023, 2022, 2023, 2022],
        "category": ["explosive"] * 4 + ["firearm", "firearm"], "unit": ["kg"] * 4 + ["pieces", "pieces"],
        "quantity": [1.0, 2.0, 6.0, 30.0, 50.0, 8.0], "lines": [1, 1, 2, 5, 20, 4],
    })
    protected = disclosure.protect_region_year_totals(totals, T)
    assert protected["quantity"].isna().tolist() == [True, True, True, True, False, False]
    regions = pd.DataFrame({"code": ["MN", "PZ", "PR", "GJ"], "name_en": ["Mitrovica North", "Prizren", "Prishtina",
                                                                            "Gjakova"], "population": [None] * 4,
                            "seat": list("abcd"), "latitude": [42.9, 42.2, 42.7, 42.4],
                            "longitude": [20.9, 20.7, 21.2, 20.4]})
    values = maps.region_values(protected, regions, "explosive", "kg").set_index("code")
    assert values["status"].to_dict() == {"MN": maps.SUPPRESSED, "PZ": maps.SUPPRESSED, "PR": maps.SUPPRESSED,
                                          "GJ": maps.HAS_VALUE}
    assert values.loc["GJ", "quantity"] == 0.0  # GJ: no seizures, not hidden
    assert values.loc[["MN", "PZ", "PR"], "quantity"].isna().all()
    firearms = maps.region_values(protected, regions, "firearm", "pieces").set_index("code")
    assert firearms["quantity"].to_dict() == {"MN": 0.0, "PZ": 8.0, "PR": 50.0, "GJ": 0.0}


def test_period_totals_are_hidden_with_their_line_of_the_yearly_table():
    # Weapon types by year, and their period totals on the same page. X (1 + 2) is small. The yearly table hides W in
    # both years (the smallest beside X each year). Protected alone, the period totals would hide Y (8, the smallest
    # other total) and show W = 14: but Y's single cell is shown in the yearly table, so X = 95 - 14 - 70 - 8.
    # Linked, a total is hidden exactly when its line holds a hidden cell: X and W hidden, Y and Z shown.
    finer = pd.DataFrame({"weapon_type": ["X", "X", "W", "W", "Y", "Z", "Z"],
                          "year": [2022, 2023, 2022, 2023, 2022, 2022, 2023],
                          "value": [1.0, 2.0, 7.0, 7.0, 8.0, 30.0, 40.0]})
    yearly = disclosure.protect(finer, ["value"], ["weapon_type", "year"], threshold=T, linked=["weapon_type"])
    assert set(yearly.loc[yearly["value_note"] != "", "weapon_type"]) == {"X", "W"}
    totals = finer.groupby("weapon_type", as_index=False)["value"].sum()
    alone = disclosure.shown(disclosure.protect(totals, ["value"], ["weapon_type"], threshold=T))
    assert alone.set_index("weapon_type")["value"].to_dict() == {"W": 14.0, "X": "<5", "Y": "x", "Z": 70.0}  # leaks
    linked = disclosure.shown(disclosure.linked_totals(totals, yearly, "weapon_type", T))
    assert linked.set_index("weapon_type")["value"].to_dict() == {"W": "x", "X": "<5", "Y": 8.0, "Z": 70.0}


def test_two_hidden_cells_whose_sum_pins_them_down_get_company():
    # Year 2022: X = 1 (< 5) and W = 5 hidden together add up to 6, and "x" means at least 5: X could only be 1.
    # The sum must exceed what the labels already tell (1 + 5), so a third cell (Y 9) is hidden too.
    frame = pd.DataFrame({"weapon_type": ["X", "W", "Y", "Z"], "value": [1.0, 5.0, 9.0, 40.0]})
    shown = disclosure.shown(disclosure.protect(frame, ["value"], ["weapon_type"], threshold=T))
    assert shown["value"].tolist() == ["<5", "x", "x", 40.0]


def test_sources_hide_only_small_counts_of_seizure_records():
    sources = pd.DataFrame({
        "dataset": ["Training", "Seizure records", "Seizure records", "Seizure records"],
        "source": ["CPIAT", "demo", "Imported from a.csv", "Imported from b.csv"],
        "illustrative": [False, True, False, False], "rows": [3, 9000, 2, 40],
    })
    shown = disclosure.shown(disclosure.protect_sources(sources, T))
    assert shown["rows"].tolist() == [3.0, 9000.0, "<5", "x"]


@pytest.mark.parametrize("seed", range(30))
def test_random_tables_never_leave_a_lone_hidden_cell_in_a_margin(seed):
    rng = np.random.default_rng(seed)
    regions, years = ["PR", "PZ", "PE", "GJ"], [2021, 2022, 2023]
    cells = [(r, y, float(rng.choice([1, 2, 3, 4, 6, 9, 15, 40]))) for r in regions for y in years if rng.random() < 0.85]
    frame = pd.DataFrame(cells, columns=["region_code", "year", "value"])
    protected = disclosure.protect(frame, ["value"], ["region_code", "year"], threshold=T)
    original = frame["value"]
    assert (protected["value_note"] == "<5").tolist() == ((original > 0) & (original < T)).tolist()
    hidden = protected["value_note"] != ""
    # A cell that is the only one of its year or region: hiding it would not help (that total gives it away).
    alone = (frame.groupby("region_code")["value"].transform("size") == 1) | (
        frame.groupby("year")["value"].transform("size") == 1)
    for key in ("region_code", "year"):
        for value, group in frame[hidden].groupby(key):
            members = frame[key] == value
            if (members & ~hidden & ~alone).any():  # anything left that could have protected this total was used
                assert len(group) >= 2 and group["value"].sum() >= T
            else:
                assert (members & hidden).sum() >= 2 or (members & ~hidden).sum() == 0
    if hidden.any() and hidden.sum() < len(frame):
        assert hidden.sum() >= 2 and frame.loc[hidden, "value"].sum() >= T
