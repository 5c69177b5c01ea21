"""What changed: the changes against sums computed independently from the stored lines (the oracle), the sentence
in three languages and its wording at the edges, and the public mode's suppression (including a change that would
give a hidden count away)."""

from __future__ import annotations


import numpy as np
import pandas as pd
import pytest

from seizures import changes, disclosure, i18n, queries
from seizures.changes import Periods
from seizures.filters import SeizureFilter

T = 5
FIREARMS = queries.Measure("firearm:pieces", "Firearms", "pieces", "firearm", "pieces")  # as the demo labels it
MEASURES = ("firearm:pieces", "ammunition:rounds", "explosive:kg", "events")


def oracle_change(oracle, measure, periods: Periods, dimension, regions=(), contexts=()):
    """{group: (base, current)} from the stored lines, for each group with a non-zero value in either period."""
    out = {}
    for side, years in enumerate((periods.base, periods.current)):
        for code, group in oracle.select(years=years, regions=regions, contexts=contexts).groupby(dimension):
            out.setdefault(code, [0.0, 0.0])[side] = oracle.measure(group, measure)
    return {code: tuple(pair) for code, pair in out.items() if any(pair)}


@pytest.mark.parametrize("measure", MEASURES)
def test_changes_equal_the_oracle_by_each_breakdown(any_demo_engine, oracle, measure):
    result = changes.what_changed(any_demo_engine, SeizureFilter(year_to=2022), measure)
    assert result.periods == Periods((2021, 2021), (2022, 2022))
    for dimension, frame in (("region_code", result.by_region), ("weapon_type", result.by_weapon_type),
                             ("context", result.by_context)):
        expected = oracle_change(oracle, measure, result.periods, dimension)
        assert set(frame[dimension]) == set(expected), dimension
        for row in frame.itertuples():
            base, current = expected[getattr(row, dimension)]
            assert (row.base, row.current) == (pytest.approx(base), pytest.approx(current))
            assert row.change == pytest.approx(current - base)
            if base:
                assert row.pct_change == pytest.approx((current - base) / base * 100)
            else:
                assert np.isnan(row.pct_change) and row.status == changes.NEW
        # Ranked by the absolute change, largest rise first; ties share a rank.
        assert frame["change"].is_monotonic_decreasing
        assert frame["rank"].tolist() == frame["change"].rank(ascending=False, method="min").tolist()
    total = result.total.iloc[0]
    rows = oracle.select
    assert total["base"] == pytest.approx(oracle.measure(rows(years=(2021, 2021)), measure))
    assert total["current"] == pytest.approx(oracle.measure(rows(years=(2022, 2022)), measure))


def test_two_periods_and_a_filter_against_the_oracle(any_demo_engine, oracle):
    periods = Periods((2019, 2020), (2023, 2024))
    flt = SeizureFilter(year_from=2023, year_to=2023, regions=("PR", "PE", "MN"), contexts=("house_search", "other"))
    result = changes.what_changed(any_demo_engine, flt, "firearm:pieces", periods)
    expected = oracle_change(oracle, "firearm:pieces", periods, "region_code", flt.regions, flt.contexts)
    assert {r.region_code: (r.base, r.current) for r in result.by_region.itertuples()} == expected
    by_context = oracle_change(oracle, "firearm:pieces", periods, "context", flt.regions, flt.contexts)
    assert set(result.by_context["context"]) == {"house_search", "other"} == set(by_context)
    total = result.total.iloc[0]
    assert (total["base"], total["current"]) == tuple(map(sum, zip(*expected.values())))


def test_the_managers_question_on_the_demo_data(any_demo_engine, oracle):
    """How did firearm seizures change nationally from 2021 to 2022, and which directorate grew most?"""
    result = changes.what_changed(any_demo_engine, SeizureFilter(), "firearm:pieces", Periods.last_year(2022))
    total = result.total.iloc[0]
    assert (total["base"], total["current"], total["change"]) == (1280, 1473, 193)  # the published totals
    assert round(total["pct_change"], 1) == 15.1
    by_region = result.by_region.set_index("region_code")
    expected = oracle_change(oracle, "firearm:pieces", result.periods, "region_code")
    growth = {code: current - base for code, (base, current) in expected.items()}
    assert max(growth, key=growth.get) == "PR" == by_region.index[0] and growth["PR"] == 76
    relative = by_region["pct_change"]
    assert relative.idxmax() == "MN" and round(relative["MN"]) == 44
    assert by_region.loc["MS", "status"] == changes.FALL and growth["MS"] == -8
    assert (by_region["status"] == changes.FALL).sum() == 1


SENTENCES = {
    "en": "Firearms (pieces): 1,473 in 2022, up 15.1 % (+193) on 2021. Largest rise: Prishtina, +76 (+22.8 %). "
          "Largest relative rise: Mitrovica North, +44.4 % (+16). Largest fall: Mitrovica South, -8 (-5.6 %).",
    "sq": "Armë zjarri (copë): 1\u00a0473 në 2022, rritje 15,1% (+193) nga 2021. Rritja më e madhe: Prishtinë, +76 "
          "(+22,8%). Rritja më e madhe relative: Mitrovicë Veri, +44,4% (+16). Rënia më e madhe: Mitrovicë Jug, -8 "
          "(-5,6%).",
    "sr": "Vatreno oružje (komada): 1.473 u 2022, rast od 15,1% (+193) u odnosu na 2021. Najveći rast: Priština, +76 "
          "(+22,8%). Najveći relativni rast: Severna Mitrovica, +44,4% (+16). Najveći pad: Južna Mitrovica, -8 (-5,6%).",
}


@pytest.mark.parametrize("lang", list(SENTENCES))
def test_the_sentence_in_each_language(demo_engine, lang):
    with i18n.using(lang):  # the measure's labels come from the store, in the language
        result = changes.what_changed(demo_engine, SeizureFilter(year_to=2022), "firearm:pieces")
        text = changes.sentence(result, queries.region_list(demo_engine))
    assert text == SENTENCES[lang]


def frame_of(rows: dict[str, tuple[float, float]], years=(2021, 2022)) -> pd.DataFrame:
    """A region × year frame from {region: (base, current)}; a zero is left out, as GROUP BY leaves it."""
    return pd.DataFrame(
        [(code, year, value) for code, pair in rows.items() for year, value in zip(years, pair) if value],
        columns=["region_code", "year", "value"],
    )


NAMES = {"PR": "Prishtina", "PZ": "Prizren", "PE": "Peja", "GJ": "Gjakova", "FE": "Ferizaj"}
P = Periods.last_year(2022)


def breakdown(rows, lang="en", periods=P):
    with i18n.using(lang):
        return changes.breakdown_sentence(changes.compare(frame_of(rows), periods, "region_code"), "region_code",
                                          NAMES, periods)


def test_wording_of_ties_no_change_only_falls_and_a_base_of_zero():
    assert breakdown({"PR": (10, 20), "PZ": (30, 40), "PE": (50, 45)}) == (
        "Largest rise: Prishtina and Prizren, +10 each. Largest relative rise: Prishtina, +100.0 % (+10). "
        "Largest fall: Peja, -5 (-10.0 %).")
    assert breakdown({"PR": (10, 10), "PZ": (7, 7)}) == "No rise or fall."
    assert breakdown({"PR": (10, 4), "PZ": (7, 6)}) == "No rise. Largest fall: Prishtina, -6 (-60.0 %)."
    assert breakdown({"PR": (10, 14), "PZ": (7, 7)}) == "Largest rise: Prishtina, +4 (+40.0 %). No fall."
    # A base of 0: "new", never an infinite percentage; the relative leader is among those with a base.
    new = breakdown({"PR": (0, 12), "PZ": (5, 10), "PE": (9, 9)})
    assert new == "Largest rise: Prishtina, +12 (none in 2021). Largest relative rise: Prizren, +100.0 % (+5). No fall."
    frame = changes.compare(frame_of({"PR": (0, 12)}), P, "region_code")
    assert frame.loc[0, "status"] == changes.NEW and np.isnan(frame.loc[0, "pct_change"])
    # A directorate whose seizures stopped: -100 %.
    assert breakdown({"PR": (8, 0), "PZ": (5, 6)}) == (
        "Largest rise: Prizren, +1 (+20.0 %). Largest fall: Prishtina, -8 (-100.0 %).")
    assert breakdown({"PR": (8, 0), "PZ": (6, 0)}) == "No rise. Largest fall: Prishtina, -8 (-100.0 %)."
    assert breakdown({"PR": (8, 4), "PZ": (6, 2), "PE": (3, 4)}) == (
        "Largest rise: Peja, +1 (+33.3 %). Largest fall: Prishtina and Prizren, -4 each.")
    assert breakdown({}) == "Nothing to compare."


@pytest.mark.parametrize("lang", ["en", "sq", "sr"])
def test_every_wording_exists_in_every_language(lang):
    """Each case renders in each language (strict mode: a text missing from a catalogue raises)."""
    for rows in ({"PR": (10, 20), "PZ": (30, 40), "PE": (50, 45)}, {"PR": (10, 10)}, {"PR": (10, 4)},
                 {"PR": (0, 12), "PZ": (5, 10)}, {"PR": (3, 12), "PZ": (4, 20), "PE": (9, 9)}, {}):
        assert breakdown(rows, lang)
    totals = {"rise": (10, 20), "fall": (20, 10), "same": (7, 7), "new": (0, 3), "none": (0, 0)}
    with i18n.using(lang):
        texts = {name: changes.total_sentence(_changes(years_frame(*pair))) for name, pair in totals.items()}
        texts["no data"] = changes.total_sentence(_changes(years_frame(5, 7), store_years=(2022, 2024)))
        hidden = disclosure.protect(years_frame(3, 7), ["value"], ["year"], threshold=T)
        texts["hidden"] = changes.total_sentence(_changes(hidden))
    assert len(set(texts.values())) == len(texts)
    if lang == "en":
        assert texts == {
            "rise": "Firearms (pieces): 20 in 2022, up 100.0 % (+10) on 2021.",
            "fall": "Firearms (pieces): 10 in 2022, down 50.0 % (-10) on 2021.",
            "same": "Firearms (pieces): 7 in 2022, the same as in 2021.",
            "new": "Firearms (pieces): 3 in 2022, none in 2021.",
            "none": "Firearms (pieces): none in 2022 nor in 2021.",
            "no data": "Firearms (pieces): nothing to compare: the records do not cover both 2021 and 2022.",
            "hidden": "Firearms (pieces): the change from 2021 to 2022 is not shown, to protect small counts.",
        }


def _changes(by_year: pd.DataFrame, store_years=None) -> changes.Changes:
    """Changes whose total is made of by_year, with empty breakdowns."""
    empty = pd.DataFrame({"code": pd.Series(dtype=str), "year": pd.Series(dtype=int), "value": pd.Series(dtype=float)})
    return changes.Changes(FIREARMS, P, changes.compare(by_year, P, None, store_years), *(
        changes.compare(empty.rename(columns={"code": d}), P, d) for d in changes.DIMENSIONS))


def years_frame(base: float, current: float) -> pd.DataFrame:
    return pd.DataFrame([(y, v) for y, v in ((2021, base), (2022, current)) if v], columns=["year", "value"])


def test_periods_must_be_whole_and_of_the_same_length():
    with pytest.raises(ValueError, match="same number of years"):
        Periods((2019, 2020), (2022, 2022))
    with pytest.raises(ValueError, match="cannot end before it starts"):
        Periods((2021, 2020), (2022, 2021))
    assert changes.default_periods(SeizureFilter(), (2019, 2024)) == Periods.last_year(2024)
    assert changes.default_periods(SeizureFilter(year_from=2020, year_to=2021), (2019, 2024)) == Periods.last_year(2021)
    assert changes.default_periods(SeizureFilter(), None) is None


def test_an_empty_store_and_a_year_before_the_records(any_engine, demo_engine):
    assert changes.what_changed(any_engine, SeizureFilter(), "firearm:pieces") is None
    before = changes.what_changed(demo_engine, SeizureFilter(year_to=2019), "firearm:pieces")  # 2018: no records
    assert before.total["status"].tolist() == [changes.NO_DATA]
    assert set(before.by_region["status"]) == {changes.NO_DATA} and before.by_region["rank"].isna().all()
    assert changes.breakdown_sentence(before.by_region, "region_code", NAMES, before.periods) == (
        "Nothing to compare: the records do not cover both periods.")
    assert changes.sentence(before, queries.region_list(demo_engine)).startswith("Firearms (pieces): nothing to")


# --- The public mode ----------------------------------------------------------------------------------------------


def protected(rows: dict[str, dict[int, float]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A region × year table as the public mode protects it (the Regions page's, linked), and the raw one."""
    raw = pd.DataFrame([(r, y, v) for r, years in rows.items() for y, v in years.items()],
                       columns=["region_code", "year", "value"])
    return disclosure.protect(raw, ["value"], ["region_code", "year"], threshold=T, linked=["region_code"]), raw


# PZ 2022 (3) is small; secondary suppression hides PZ 2020 and GJ 2020, 2022 with it, and leaves PZ 2021 shown.
TABLE = {
    "PR": {2020: 20, 2021: 30, 2022: 41},
    "PZ": {2020: 6, 2021: 12, 2022: 3},
    "PE": {2020: 9, 2021: 15, 2022: 18},
    "GJ": {2020: 8, 2021: 30, 2022: 10},
}


def test_a_change_that_would_reveal_a_hidden_count_is_hidden():
    table, raw = protected(TABLE)
    notes = disclosure.shown(table).set_index(["region_code", "year"])["value"]
    # PZ 2022 = 3 is hidden; its 2021 (12) is shown. PZ's change, -9, would give it away: 12 - 9 = 3.
    assert notes[("PZ", 2022)] == "<5" and notes[("PZ", 2021)] == 12
    naive = changes.compare(raw, P, "region_code").set_index("region_code")
    assert naive.loc["PZ", "change"] == -9 and 12 + naive.loc["PZ", "change"] == 3  # the leak, without protection
    result = changes.compare(table, P, "region_code").set_index("region_code")
    hidden_2022 = set(table.loc[(table["year"] == 2022) & (table["value_note"] != ""), "region_code"])
    assert hidden_2022 >= {"PZ"} and len(hidden_2022) >= 2  # PZ and its complement in 2022
    for code in hidden_2022:
        assert result.loc[code, "status"] == changes.HIDDEN and np.isnan(result.loc[code, "change"])
        assert result.loc[code, "change_note"] == disclosure.SECONDARY and np.isnan(result.loc[code, "rank"])
    assert result.loc["PZ", "current_note"] == "<5" and result.loc["PZ", "base"] == 12
    shown_rows = result[result["status"] != changes.HIDDEN]
    assert shown_rows["rank"].tolist() == list(range(1, len(shown_rows) + 1))
    assert result.index[-len(hidden_2022):].isin(hidden_2022).all()  # hidden rows last, unranked

    # An attacker who knows what the page shows (cells, year and region totals, the shown changes) can narrow
    # PZ 2022 to 1-4 only, exactly as without the changes; with the naive change shown, to 3.
    assert feasible(raw, table, result)[("PZ", 2022)] == range(1, T)
    assert feasible(raw, table, naive.assign(status=changes.RISE))[("PZ", 2022)] == range(3, 4)


def feasible(raw: pd.DataFrame, table: pd.DataFrame, shown_changes: pd.DataFrame) -> dict[tuple, range]:
    """The least and greatest whole value each hidden cell may have, as a range, given the shown cells ("<5" = 1-4,
    "x" = 5 or more), the year and region totals, and the 2021 -> 2022 changes shown (status not hidden). Integer
    programs (SciPy's HiGHS, as tests/disclosure_audit.py): trying every combination grew too many with the
    secondary suppression's extra cells."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    truth = {(r.region_code, r.year): r.value for r in raw.itertuples()}
    notes = {(r.region_code, r.year): r.value_note for r in table.itertuples()}
    cells = [c for c, n in notes.items() if n]
    column = {c: i for i, c in enumerate(cells)}
    rows, targets = [], []
    for i in (0, 1):  # region totals, year totals
        for key in {c[i] for c in truth}:
            members = [c for c in truth if c[i] == key]
            rows.append([1.0 if c in members else 0.0 for c in cells])
            targets.append(sum(truth[c] for c in members) - sum(truth[c] for c in members if c not in column))
    shown = shown_changes[shown_changes["status"] != changes.HIDDEN]
    for code, row in shown.iterrows():
        coefficients = [0.0] * len(cells)
        known = 0.0
        for year, sign in ((2022, 1.0), (2021, -1.0)):
            if (code, year) in column:
                coefficients[column[(code, year)]] = sign
            else:
                known += sign * truth.get((code, year), 0.0)
        rows.append(coefficients)
        targets.append(row["change"] - known)
    low = [1 if notes[c] == "<5" else T for c in cells]
    high = [T - 1 if notes[c] == "<5" else sum(truth.values()) for c in cells]
    constraint = LinearConstraint(np.array(rows), targets, targets)
    out = {}
    for c in cells:
        ends = []
        for sign in (1.0, -1.0):
            objective = np.zeros(len(cells))
            objective[column[c]] = sign
            found = milp(objective, constraints=constraint, integrality=np.ones(len(cells)), bounds=Bounds(low, high))
            assert found.success, found.message
            ends.append(round(found.x[column[c]]))
        out[c] = range(ends[0], ends[1] + 1)
    return out


@pytest.mark.parametrize("seed", range(25))
def test_every_shown_change_is_a_difference_of_shown_figures(seed):
    """Random protected tables: a change is shown exactly when both its sides are, and equals their difference;
    the total's change is the difference of the year totals (shown on the pages anyway)."""
    rng = np.random.default_rng(seed)
    rows = {code: {year: float(rng.choice([0, 1, 2, 3, 4, 6, 9, 15, 40])) for year in (2020, 2021, 2022)}
            for code in ("PR", "PZ", "PE", "GJ", "FE")}
    table, raw = protected({c: {y: v for y, v in ys.items() if v} for c, ys in rows.items()})
    result = changes.compare(table, P, "region_code").set_index("region_code")
    cells = table.set_index(["region_code", "year"])
    for code, row in result.iterrows():
        sides = [cells.loc[(code, y)] if (code, y) in cells.index else None for y in (2021, 2022)]
        hidden = any(s is not None and s["value_note"] != "" for s in sides)
        assert (row["status"] == changes.HIDDEN) == hidden
        if not hidden:
            values = [0.0 if s is None else s["value"] for s in sides]
            assert (row["base"], row["current"], row["change"]) == (values[0], values[1], values[1] - values[0])
    by_year = raw.groupby("year", as_index=False)["value"].sum()
    national = disclosure.protect(by_year, ["value"], ["year"], threshold=T)
    total = changes.compare(national, P).iloc[0]
    years = national.set_index("year")
    if (years.loc[[2021, 2022], "value_note"] == "").all():
        assert total["change"] == years.loc[2022, "value"] - years.loc[2021, "value"]
    else:
        assert total["status"] == changes.HIDDEN


def test_the_sentence_says_what_was_left_out_in_the_public_mode(demo_engine):
    table, _raw = protected(TABLE)
    frame = changes.compare(table, P, "region_code")
    hidden = int((frame["status"] == changes.HIDDEN).sum())
    for lang in ("en", "sq", "sr"):
        with i18n.using(lang):
            text = changes.breakdown_sentence(frame, "region_code", NAMES, P)
        assert "Prizren" not in text and "Prishtina" in text  # PZ's hidden change is never named
    with i18n.using("en"):
        text = changes.breakdown_sentence(frame, "region_code", NAMES, P)
    assert text.startswith(f"Compared: {4 - hidden} of 4; {hidden} are hidden, to protect small counts.")
    everything = changes.compare(protected({"PR": {2021: 2, 2022: 3}})[0], P, "region_code")
    assert changes.breakdown_sentence(everything, "region_code", NAMES, P) == "All are hidden, to protect small counts."


def test_from_frames_on_the_demo_as_the_public_mode_protects_it(demo_engine):
    """The frames as ui.cached gives them in the public mode (whole period, protected like the pages')."""
    flt = SeizureFilter()
    frames = {d: queries.measure_by(demo_engine, flt, "explosive:kg", d, "year") for d in changes.DIMENSIONS}
    linked = {"region_code": ["region_code"], "weapon_type": ["weapon_type"], "context": ["context"]}
    protected_frames = {d: disclosure.protect(f, ["value"], [d, "year"], threshold=T, linked=linked[d])
                        for d, f in frames.items()}
    by_year = disclosure.protect(queries.measure_by(demo_engine, flt, "explosive:kg", "year"), ["value"], ["year"],
                                 threshold=T)
    explosives = queries.Measure("explosive:kg", "Explosives", "kg", "explosive", "kg")
    result = changes.from_frames(explosives, Periods.last_year(2022), by_year, protected_frames["region_code"],
                                 protected_frames["weapon_type"], protected_frames["context"], (2019, 2024))
    plain = changes.what_changed(demo_engine, flt, "explosive:kg", Periods.last_year(2022))
    for mine, theirs, dim in ((result.by_region, plain.by_region, "region_code"),
                              (result.by_context, plain.by_context, "context")):
        mine, theirs = mine.set_index(dim), theirs.set_index(dim)
        shown = mine["status"] != changes.HIDDEN
        assert (mine.loc[shown, "change"] == theirs.loc[mine.index[shown], "change"]).all()
        small = theirs[(theirs[["base", "current"]].gt(0) & theirs[["base", "current"]].lt(T)).any(axis=1)].index
        assert (mine.loc[small, "status"] == changes.HIDDEN).all()
    assert (result.by_region["status"] == changes.HIDDEN).any()  # explosives (kg) per directorate: some are small
