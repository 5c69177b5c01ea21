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
    shows elsewhere (each year's total, each region's total). Returns cell -> the values it may have.

    Cells are assigned one by one; a cell that is the last unassigned one of a total is worked out from it."""
    truth = {(r.region_code, r.year): r.value for r in original.itertuples()}
    notes = {(r.region_code, r.year): r.value_note for r in protected.itertuples()}
    cells = [cell for cell, note in notes.items() if note]
    margins = []  # (the cells of a year or a region, its shown total)
    for position in (0, 1):
        for key in {cell[position] for cell in truth}:
            members = [cell for cell in truth if cell[position] == key]
            margins.append((members, sum(truth[c] for c in members)))
    def allowed(cell):  # a hidden cell is at most any total it belongs to
        if notes[cell] == disclosure.primary_label(T):
            return range(1, T)
        return range(T, int(min(total for members, total in margins if cell in members)) + 1)
    possible: dict[tuple, set] = {cell: set() for cell in cells}
    guess = {c: truth[c] for c in truth if not notes[c]}

    def fits() -> bool:
        for members, total in margins:
            values = [guess.get(c) for c in members]
            known = sum(v for v in values if v is not None)
            if known > total or (None not in values and known != total):
                return False
        return True

    def assign(i: int) -> None:
        if i == len(cells):
            for cell in cells:
                possible[cell].add(guess[cell])
            return
        cell = cells[i]
        options = allowed(cell)
        for members, total in margins:
            if cell in members and all(c == cell or c in guess for c in members):
                options = [v for v in [total - sum(guess[c] for c in members if c != cell)] if v in options]
        for value in options:
            guess[cell] = value
            if fits():
                assign(i + 1)
            del guess[cell]

    assign(0)
    return possible


def test_a_small_cell_and_its_complements_are_hidden():
    # PZ 2022 = 3 is below 5. Year 2022 and region PZ (both totals shown) each need another hidden cell: the
    # rectangle PZ/GJ × 2022/2023 (10, 12, 8). But a rectangle moves as one: with PZ 2022 kept within 1..4 it moves
    # by at most 3, so its "x" cells would be only 3 wide; Prishtina's row (a second rectangle) widens them.
    frame = grid({"PR": {2022: 20, 2023: 30}, "PZ": {2022: 3, 2023: 12}, "GJ": {2022: 10, 2023: 8}})
    protected = disclosure.protect(frame, ["value"], ["region_code", "year"], threshold=T)
    assert pattern(protected) == {
        ("PR", 2022): "x", ("PR", 2023): "x",
        ("PZ", 2022): "<5", ("PZ", 2023): "x",
        ("GJ", 2022): "x", ("GJ", 2023): "x",
    }
    assert protected.attrs["totals"] == {"value": 83.0}  # the true total, for shares


def test_the_subtraction_attack_does_not_recover_the_small_cell():
    frame = grid({"PR": {2022: 20, 2023: 30}, "PZ": {2022: 3, 2023: 12}, "GJ": {2022: 10, 2023: 8}})
    protected = disclosure.protect(frame, ["value"], ["region_code", "year"], threshold=T)
    possible = candidates_for_hidden(frame, protected)
    assert possible[("PZ", 2022)] == {1, 2, 3, 4}  # every value below 5 fits what is shown
    for cell in [("PR", 2022), ("PR", 2023), ("GJ", 2022), ("GJ", 2023)]:  # every "x" cell spans the threshold ...
        assert max(possible[cell]) - min(possible[cell]) >= T, (cell, possible[cell])
    # ... but PZ 2023, the small cell's only partner in a line whose total is shown: it moves as far as the small
    # one does (15 - 1..4), and no suppression can change that; the pages' tables hide such a line's total.
    assert possible[("PZ", 2023)] == {11, 12, 13, 14}

    # Without secondary suppression the same attack gives the exact value: 2022's total 33 - 20 - 10 = 3.
    naive = frame.assign(value_note=np.where(frame["value"] < T, "<5", ""))
    assert candidates_for_hidden(frame, naive)[("PZ", 2022)] == {3}
    # The old rule (a hidden pair adding up to more than its labels tell) hid only the rectangle: every cell of it
    # then moved by 3 at most, the "x" cells 3 wide.
    rectangle = frame.assign(value_note=[("" if r in ("PR",) else ("<5" if v < T else "x"))
                                         for r, v in zip(frame["region_code"], frame["value"])])
    assert candidates_for_hidden(frame, rectangle)[("GJ", 2023)] == {6, 7, 8, 9}


def test_a_cell_alone_in_its_margin_is_never_the_complement():
    # Mitrovica North has a single cell (9): its region total, shown on the map and in the shares, gives it away,
    # so hiding it would not protect PZ 2023 = 2. Prishtina's 40 is hidden instead (then PR 2022 30, PZ 2022 6).
    frame = grid({"PR": {2022: 30, 2023: 40}, "PZ": {2022: 6, 2023: 2}, "MN": {2023: 9}})
    protected = disclosure.protect(frame, ["value"], ["region_code", "year"], threshold=T)
    assert pattern(protected) == {
        ("PR", 2022): "x", ("PR", 2023): "x", ("PZ", 2022): "x", ("PZ", 2023): "<5", ("MN", 2023): 9.0,
    }
    # What no suppression can widen when both totals are shown: Prizren's two cells add up to 8 and the "x" one is
    # at least 5, so the small one is at most 3. The pages' two-dimensional tables hide a line's total with its
    # cells (linked), which is why they never meet this.
    assert candidates_for_hidden(frame, protected)[("PZ", 2023)] == {1, 2, 3}


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
    # Firearms (pieces) and ammunition (rounds) are separate tables: a small firearm count is protected by other
    # firearm cells, never by a count of rounds. With 2 and 12 alone hidden, the total 54 would leave 12 only 10..13:
    # 40 is hidden too.
    frame = pd.DataFrame({
        "category": ["firearm", "firearm", "firearm", "ammunition", "ammunition"],
        "unit": ["pieces", "pieces", "pieces", "rounds", "rounds"],
        "region_code": ["PR", "PZ", "GJ", "PR", "PZ"],
        "quantity": [2.0, 40.0, 12.0, 300.0, 200.0],
    })
    shown = disclosure.shown(disclosure.protect(frame, ["quantity"], ["region_code"], ["category", "unit"], T))
    assert shown["quantity"].tolist() == ["<5", "x", "x", 300.0, 200.0]


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
    # Weapon types by year, and their period totals on the same page. X (1 + 2) is small. In the yearly table a line's
    # total is hidden with its cells, so each year's hidden cells give each other room: 2022 hides W 7 and Z 30 beside
    # X 1 (W alone would leave X at most 3), 2023 hides Z 40 beside X 2. Protected alone, the period totals would hide
    # Y (8, the smallest other total) and show W = 14: but Y's single cell is shown in the yearly table, so
    # X = 95 - 14 - 70 - 8. Linked, a total is hidden exactly when its line holds a hidden cell.
    finer = pd.DataFrame({"weapon_type": ["X", "X", "W", "W", "Y", "Z", "Z"],
                          "year": [2022, 2023, 2022, 2023, 2022, 2022, 2023],
                          "value": [1.0, 2.0, 7.0, 7.0, 8.0, 30.0, 40.0]})
    yearly = disclosure.protect(finer, ["value"], ["weapon_type", "year"], threshold=T, linked=["weapon_type"])
    assert set(yearly.loc[yearly["value_note"] != "", "weapon_type"]) == {"X", "W", "Z"}
    totals = finer.groupby("weapon_type", as_index=False)["value"].sum()
    alone = disclosure.shown(disclosure.protect(totals, ["value"], ["weapon_type"], threshold=T))
    assert alone.set_index("weapon_type")["value"].to_dict()["Y"] == "x"  # the leak: Y's 8 is shown elsewhere
    linked = disclosure.shown(disclosure.linked_totals(totals, yearly, "weapon_type", T))
    assert linked.set_index("weapon_type")["value"].to_dict() == {"W": "x", "X": "<5", "Y": 8.0, "Z": "x"}


def test_a_single_lines_total_is_the_whole_and_shown_as_the_whole_is():
    # Hand grenades are the only weapon type of explosive devices: their period total is the measure's whole, shown
    # in the category table anyway, so hiding it would protect nothing; it is hidden when the whole is.
    finer = pd.DataFrame({"weapon_type": ["G"] * 3, "year": [2022, 2023, 2024], "value": [40.0, 35.0, 3.0]})
    yearly = disclosure.protect(finer, ["value"], ["weapon_type", "year"], threshold=T, linked=["weapon_type"])
    totals = pd.DataFrame({"weapon_type": ["G"], "value": [78.0]})
    assert disclosure.shown(disclosure.linked_totals(totals, yearly, "weapon_type", T))["value"].tolist() == [78.0]
    hidden_whole = disclosure.Hidden(total=disclosure.SECONDARY)
    assert disclosure.shown(disclosure.linked_totals(totals, yearly, "weapon_type", T, hidden_whole))["value"].tolist() \
        == ["x"]
    # 2024's 3 is a yearly total of its own: the years hidden with it (35, 40) keep it anywhere in 1..4.
    assert disclosure.shown(yearly)["value"].tolist() == ["x", "x", "<5"]


def test_two_hidden_cells_whose_sum_pins_them_down_get_company():
    # X = 1 (< 5) and W = 5 hidden together add up to 6, and "x" means at least 5: X could only be 1. W, at the
    # threshold, has no room downwards; Y 9 has 4 and lets X reach 4, but then Y is only 5..9 wide minus what X
    # leaves: 40 is hidden as well, and W stays shown.
    frame = pd.DataFrame({"weapon_type": ["X", "W", "Y", "Z"], "value": [1.0, 5.0, 9.0, 40.0]})
    shown = disclosure.shown(disclosure.protect(frame, ["value"], ["weapon_type"], threshold=T))
    assert shown["value"].tolist() == ["<5", 5.0, "x", "x"]


@pytest.mark.parametrize("partner,expected", [
    (7.0, ["<5", "x", "x", 100.0]),  # 4 + 5 + 7: the 5 moves up by 3 + 2 = exactly the threshold: enough
    (6.0, ["<5", "x", 6.0, "x"]),  # 4 + 5 + 6: only 3 + 1 = 4 for the 5: the 100 is hidden instead of the 6
])
def test_an_x_cell_gets_exactly_the_threshold_or_another_partner(partner, expected):
    # 4 (< 5) needs room down to 1: the smallest cell, 5, has it (an "x" cell has no upper end) but can itself only
    # move up, by what the others can give: 4 down to 1 gives 3, the partner down to 5 gives partner - 5.
    frame = pd.DataFrame({"k": list("abcd"), "value": [4.0, 5.0, partner, 100.0]})
    assert disclosure.shown(disclosure.protect(frame, ["value"], ["k"], threshold=T))["value"].tolist() == expected


def test_sources_hide_only_small_counts_of_seizure_records():
    # 2 and 40 alone would leave 40 between 38 and 41 (the number of seizure lines is shown): 9000 is hidden too.
    sources = pd.DataFrame({
        "dataset": ["Training", "Seizure records", "Seizure records", "Seizure records"],
        "source": ["CPIAT", "demo", "Imported from a.csv", "Imported from b.csv"],
        "illustrative": [False, True, False, False], "rows": [3, 9000, 2, 40],
    })
    shown = disclosure.shown(disclosure.protect_sources(sources, T))
    assert shown["rows"].tolist() == [3.0, "x", "<5", "x"]


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


@pytest.mark.parametrize("lang", ["en", "sq", "sr"])
def test_the_guarantee_is_stated_in_each_language_with_the_threshold(lang):
    from seizures import i18n

    with i18n.using(lang):
        text = i18n._(disclosure.GUARANTEE).format(threshold=7, below=6)
    assert '"<7"' in text and "1" in text and "6" in text and '"x"' in text
    assert "{" not in text


def test_in_kilograms_one_partner_is_enough_in_counts_it_is_not():
    # A "<5" kg cell may be anything in (0, 5): its partner moves as far, 5 in all, the threshold. A "<5" count is
    # 1..4, only 3 of room: its partner would be 3 wide, so a third cell is hidden.
    kilograms = pd.DataFrame({"k": list("abc"), "value": [0.9, 10.9, 50.0]})
    counts = pd.DataFrame({"k": list("abc"), "value": [1.0, 11.0, 50.0]})
    assert disclosure.shown(disclosure.protect(kilograms, ["value"], ["k"], threshold=T))["value"].tolist() == [
        "<5", "x", 50.0]
    assert disclosure.shown(disclosure.protect(counts, ["value"], ["k"], threshold=T))["value"].tolist() == [
        "<5", "x", "x"]
