"""The public view audited as an attacker would: every table it publishes, collected through the running app,
turned into one linear program per measure, and each hidden cell's smallest and largest possible value computed
with SciPy's HiGHS (`scipy.optimize.milp`).

The attacker knows every published table at once, that each count is a whole number >= 0 (kilograms need not be
whole), that a cell listed in a table is above zero and an absent one is zero, that a "<5" cell lies between 1 and
4 (0 and 5 for kilograms) and an "x" cell is at least the threshold. The relations between the tables are the ones
an attacker can write down: a directorate × year table adds up to the yearly national totals and to the directorates'
period totals, so does the weapon type × year table, the contexts and the months add up to the period total, a share
is the directorate's total over the national one, a rate per 100,000 is the total over the years and the population,
the headline change is this year's total minus last year's, What changed (Overview and Regions, by directorate: the
tab open by default) shows two directorate-years and their difference, the category table holds each measure's
period total, the About check gives the records' sum over a published figure's years and whether it agrees with the
figure and its qualifier. A displayed number (a metric, a table cell) is known only to its rounding; a chart download
holds the number itself. The measures are those of the store's vocabulary its rows hold something of.

Not read: the charts' text alternatives (the drawn numbers again), the Regions page's Compare table (sums of shown
cells only, changes.side_by_side), What changed by weapon type and context (tabs not open by default). Monthly
charts, surge flags and year-to-date figures are not in the public view; nor are the coverage grid's counts.

Requirement for each hidden cell (issue #18): its feasible range holds every value its label allows (a "<5" cell: 1
to 4, or the whole (0, 5) for kilograms) and is at least the threshold wide for an "x" cell. A hidden change (this
year's total minus last year's) is as uncertain as its two parts together, or at least the threshold wide. A range
that the labels alone already narrow (a total below the threshold split into several "<5" parts is at least their
number) is told apart as `inherent`: no suppression can widen it.

This module lives under tests/: it needs SciPy (a test-only dependency) and Streamlit's AppTest to collect what the
app shows; it checks the app and is no part of it.
"""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa
from scipy.optimize import Bounds, LinearConstraint, milp
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from seizures import disclosure, maps, queries, reference
from seizures.filters import SeizureFilter

APP = str(Path(__file__).resolve().parents[1] / "app.py")
LINES = "lines"  # seizure lines per category (Weapons) and per source (About): a domain of its own
EXACT = 1e-6  # a chart download's number: exact up to float noise (kilograms are summed to the gram)
GRAM = 1e-3
NO_CHANGES = pd.DataFrame(columns=["region_code", "base", "current", "change", "status"])


def measures_of(engine: sa.Engine) -> list[queries.Measure]:
    """Every measure the store's vocabulary offers and its rows hold something of (the pages' measure pickers)."""
    present = set(queries.measures_with_data(engine, SeizureFilter()))
    return [m for m in queries.measures(reference.read_vocabulary(engine)) if m.key in present]


# --- collecting what the app publishes ----------------------------------------------------------------------------


@dataclass
class Publication:
    """Everything the public view showed: chart downloads, tables and metrics, per page and measure."""

    csv: dict[tuple[str, str], pd.DataFrame] = field(default_factory=dict)  # (measure or "", file stem) -> frame
    tables: dict[tuple[str, str], pd.DataFrame] = field(default_factory=dict)  # (measure or "", table) -> frame
    metrics: dict[str, list] = field(default_factory=dict)  # page -> its metrics


class Downloads:
    """Catches the files the download buttons of one run offer (MediaFileManager.add, and add_deferred for those made
    on the click), as in tests/test_roles.py."""

    def __init__(self):
        self.files: dict[str, bytes] = {}
        self._add, self._add_deferred = MediaFileManager.add, MediaFileManager.add_deferred

    def __enter__(self):
        add, add_deferred, files = self._add, self._add_deferred, self.files

        def keep(manager, data, mimetype, coordinates, file_name=None, *args, **kwargs):
            files[file_name] = data
            return add(manager, data, mimetype, coordinates, file_name, *args, **kwargs)

        def keep_deferred(manager, data_callable, mimetype, coordinates, file_name=None, **kwargs):
            files[file_name] = data_callable  # made on the click: made here when taken
            return add_deferred(manager, data_callable, mimetype, coordinates, file_name, **kwargs)

        MediaFileManager.add, MediaFileManager.add_deferred = keep, keep_deferred
        return self

    def __exit__(self, *exc):
        MediaFileManager.add, MediaFileManager.add_deferred = self._add, self._add_deferred

    def take(self) -> dict[str, pd.DataFrame]:
        out = {}
        for name, data in self.files.items():
            if name and name.endswith(".csv"):
                data = data() if callable(data) else data
                raw = data if isinstance(data, bytes) else data.encode()
                out[name.removesuffix(".csv")] = pd.read_csv(io.BytesIO(raw), dtype=str, keep_default_na=False)
        self.files.clear()
        return out


def _run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, at.exception
    # An error the app caught (access.run_guarded) leaves the rest of the page unpublished: a failure too.
    assert not [e.value for e in at.error if "Something went wrong" in e.value], [e.value for e in at.error]
    return at


def _table(at: AppTest, column: str) -> pd.DataFrame:
    """The page's one table with that column (AppTest does not keep the tables' keys)."""
    (frame,) = [d.value for d in at.dataframe if column in d.value.columns]
    return frame


def _open(at: AppTest, page: str) -> AppTest:
    at.switch_page(f"app_pages/{page}.py")
    return _run(at)


def collect(measures: list[queries.Measure]) -> Publication:
    """Drive every public page in every measure it offers (SEIZURES_PUBLIC and SEIZURES_DB_URL set by the caller)."""
    pub = Publication()
    keys = [m.key for m in measures]
    slugs = {m.slug: m.key for m in measures}
    pairs = [(m.category, m.unit) for m in measures if m.category]
    with Downloads() as downloads:
        at = _run(AppTest.from_file(APP, default_timeout=120))
        first = downloads.take()
        pub.metrics["overview"] = list(at.metric)
        for name, frame in first.items():  # the yearly trends of the measures with published figures
            if name.startswith("trend_"):
                pub.csv[(slugs[name.removeprefix("trend_")], "trend")] = frame
        assert any(name == "trend" for _key, name in pub.csv), sorted(first)
        for key in keys:
            at.radio(key="overview_measure").set_value(key)
            _run(at)
            files = downloads.take()
            pub.csv[(key, "by_directorate")] = files["by_directorate"]
            pub.csv[(key, "overview_change")] = files.get("overview_change_region_code", NO_CHANGES)  # else nothing to compare

        _open(at, "regions")
        for key in keys:
            at.radio(key="regions_measure").set_value(key)
            _run(at)
            files = downloads.take()
            for name in ("region_trends", "region_shares", "region_year_heatmap"):
                pub.csv[(key, name)] = files[name]
            pub.csv[(key, "regions_change")] = files.get("regions_change_region_code", NO_CHANGES)  # else nothing to compare
            pub.tables[(key, "region_rates")] = _table(at, "Population")

        _open(at, "map")
        for pair in pairs:
            for measure in (maps.TOTAL, maps.PER_100K):
                at.selectbox(key="map_what").set_value(pair)
                at.radio(key="map_measure").set_value(measure)
                _run(at)
                key = queries.measure_key(*pair)
                pub.csv[(key, f"map_{measure}")] = downloads.take()["map"]
                pub.tables[(key, f"map_{measure}")] = _table(at, "seat")

        _open(at, "weapons")
        pub.tables[("", "category_table")] = _table(at, "Seizure lines")
        for key in keys:
            at.radio(key="weapons_measure").set_value(key)
            _run(at)
            files = downloads.take()
            for name in ("by_weapon_type", "weapon_type_trends", "by_context", "by_month"):
                pub.csv[(key, name)] = files[name]

        _open(at, "about")
        for frame in (d.value for d in at.dataframe):
            if "dataset" in frame:
                pub.tables[("", "sources")] = frame
            elif "verdict" in frame:
                pub.tables[("", "check")] = frame
        pub.metrics["about"] = list(at.metric)
        assert ("", "check") in pub.tables and ("", "sources") in pub.tables
    return pub


# --- the true values, from the store (to check the model and to report) ---------------------------------------


def truth(engine: sa.Engine, measures: list[queries.Measure]) -> dict[tuple, float]:
    """Every variable of the model with its true value, from unprotected queries over all the data."""
    flt, out = SeizureFilter(), {}
    for key in (m.key for m in measures):
        for dims, name in ((("region_code", "year"), "RY"), (("weapon_type", "year"), "WY"), (("context",), "CTX"),
                           (("month",), "MON"), (("year",), "T"), (("region_code",), "R"), (("weapon_type",), "W")):
            frame = queries.measure_by(engine, flt, key, *dims)
            for row in frame.itertuples(index=False):
                out[(key, name, *row[:-1])] = float(row[-1])
        totals = queries.measure_by(engine, flt, key, "year")
        out[(key, "G")] = float(totals["value"].sum())
    categories = queries.totals_by_category(engine, flt)
    for row in categories.itertuples():
        out[(LINES, "L", row.category, row.unit)] = float(row.lines)
    sources = queries.data_sources(engine)
    for row in sources[sources["dataset"] == "Seizure records"].itertuples():
        out[(LINES, "S", row.source)] = float(row.rows)
    return out


# --- the model: variables, relations, what was shown ------------------------------------------------------------


@dataclass
class Shown:
    """One published figure: a linear expression of the variables, and what the page told about it."""

    table: str
    name: str
    expr: dict[tuple, float]
    low: float = -math.inf  # the number shown (low == high) or the interval its rounding leaves
    high: float = math.inf
    label: str = ""  # "<5", "x", "hidden" (hidden without a label: the map), "" when shown
    cell: bool = True  # a count of its own (a cell or a total): a label bounds it; False for a change, a share


@dataclass
class Domain:
    """One measure (or the seizure lines): its variables, the relations between its tables, what was shown."""

    name: str
    whole: bool
    threshold: float
    relations: list[tuple[dict[tuple, float], float, float]] = field(default_factory=list)
    shown: list[Shown] = field(default_factory=list)
    variables: dict[tuple, int] = field(default_factory=dict)

    def var(self, key: tuple) -> tuple:
        self.variables.setdefault(key, len(self.variables))
        return key

    def relate(self, expr: dict[tuple, float], low: float = 0.0, high: float = 0.0) -> None:
        for key in expr:
            self.var(key)
        self.relations.append((expr, low, high))

    def show(self, item: Shown) -> None:
        for key in item.expr:
            self.var(key)
        self.shown.append(item)

    def label_bounds(self, label: str) -> tuple[float, float]:
        if label == disclosure.primary_label(self.threshold):
            return (1.0, self.threshold - 1) if self.whole else (0.0, self.threshold)
        if label == disclosure.SECONDARY:
            return self.threshold, math.inf
        return 0.0, math.inf


def _number(text: str) -> tuple[float, float] | None:
    """A number as a page displays it ("1,408", "59.4", "+28", "-4,215"): the interval its rounding leaves."""
    text = str(text).strip().replace(",", "").replace("+", "")
    if not re.fullmatch(r"-?\d+(\.\d+)?", text):
        return None
    value = float(text)
    half = 0.5 * 10 ** -len(text.split(".")[1]) if "." in text else 0.0
    return value - half, value + half


def _exact(value: float, whole: bool) -> tuple[float, float]:
    slack = EXACT if whole else GRAM
    return value - slack, value + slack


def _add_cell(domain: Domain, table: str, name: str, expr: dict, text: str, exact: bool = True, cell: bool = True):
    """A published figure: a label, a number from a download (exact), or a displayed number (its rounding)."""
    text = "" if text is None or (isinstance(text, float) and math.isnan(text)) else str(text)
    labels = (disclosure.primary_label(domain.threshold), disclosure.SECONDARY)
    if text in labels:
        domain.show(Shown(table, name, expr, label=text, cell=cell))
    elif text in ("", "nan", "–"):
        domain.show(Shown(table, name, expr, label="hidden", cell=cell))
    elif exact:
        low, high = _exact(float(text), domain.whole)
        domain.show(Shown(table, name, expr, low, high, cell=cell))
    else:
        bounds = _number(text)
        assert bounds is not None, (table, name, text)
        domain.show(Shown(table, name, expr, *bounds, cell=cell))


def build(pub: Publication, threshold: float, measures: list[queries.Measure]) -> dict[str, Domain]:
    """The published tables as one linear model per measure (and one for the seizure lines)."""
    domains = {m.key: Domain(m.key, m.unit != "kg", threshold) for m in measures}
    domains[LINES] = Domain(LINES, True, threshold)
    years: set[int] = set()
    for (key, name), frame in pub.csv.items():
        if "year" in frame and name != "trend":  # the trends hold the published figures' years too
            years |= {int(y) for y in frame["year"]}
    years_list = sorted(years)

    for key, d in domains.items():
        if key == LINES:
            continue
        T = {y: d.var((key, "T", y)) for y in years_list}
        G = d.var((key, "G"))
        d.relate({**{T[y]: 1.0 for y in years_list}, G: -1.0})
        # Directorate × year (three downloads of the same numbers) and weapon type × year: margins are the yearly
        # totals and the rows' period totals.
        for table, cell_kind, total_kind in (("region_trends", "RY", "R"), ("weapon_type_trends", "WY", "W")):
            frame = pub.csv[(key, table)]
            dim = frame.columns[0]
            cells = {(row[dim], int(row["year"])): row["value"] for _, row in frame.iterrows()}
            for year in years_list:
                d.relate({**{(key, cell_kind, k, y): 1.0 for (k, y) in cells if y == year}, T[year]: -1.0})
            for k in {k for k, _ in cells}:
                d.relate({**{(key, cell_kind, k, y): 1.0 for (kk, y) in cells if kk == k}, (key, total_kind, k): -1.0})
            for stem in ((table, "by_directorate", "region_year_heatmap") if cell_kind == "RY" else (table,)):
                for _, row in pub.csv[(key, stem)].iterrows():
                    _add_cell(d, stem, f"{row[dim]} {row['year']}", {(key, cell_kind, row[dim], int(row["year"])): 1.0},
                              row["value"])
        for table, kind in (("by_context", "CTX"), ("by_month", "MON")):
            frame = pub.csv[(key, table)]
            dim = frame.columns[0]
            d.relate({**{(key, kind, str(v) if kind == "CTX" else int(v)): 1.0 for v in frame[dim]}, G: -1.0})
            for _, row in frame.iterrows():
                k = str(row[dim]) if kind == "CTX" else int(row[dim])
                _add_cell(d, table, str(row[dim]), {(key, kind, k): 1.0}, row["value"])
        for _, row in pub.csv[(key, "by_weapon_type")].iterrows():
            _add_cell(d, "by_weapon_type", row["weapon_type"], {(key, "W", row["weapon_type"]): 1.0}, row["value"])
        n_years = len(years_list)
        _regions_pages(pub, d, key, G, n_years)
        _changes(pub, d, key, years_list[-1])

    _overview(pub, domains, measures)
    _weapons_and_about(pub, domains, measures)
    return domains


def _changes(pub: Publication, d: Domain, key: str, last: int) -> None:
    """What changed (Overview and Regions), by directorate: the last year against the one before, each side a
    directorate's yearly cell (an absent one is zero), and their difference."""
    for table in ("overview_change", "regions_change"):
        for _, row in pub.csv[(key, table)].iterrows():
            expr = {}
            for side, year, sign in (("base", last - 1, -1.0), ("current", last, 1.0)):
                if row[side] in ("", "0", "0.0"):  # no cell: zero, as the directorate × year table has it
                    continue
                cell = (key, "RY", row["region_code"], year)
                expr[cell] = sign
                _add_cell(d, table, f"{row['region_code']} {side}", {cell: 1.0}, row[side])
            if row["change"] != "" and expr:
                _add_cell(d, table, f"{row['region_code']} change", expr, row["change"], cell=False)


def _regions_pages(pub: Publication, d: Domain, key: str, G: tuple, n_years: int) -> None:
    """Shares, rates and the map: each directorate's period total, directly or through a share or a rate."""
    population: dict[str, float] = {}
    shares = pub.csv[(key, "region_shares")]
    rates = pub.tables[(key, "region_rates")]
    for _, row in shares.iterrows():
        R = (key, "R", row["region_code"])
        _add_cell(d, "region_shares", f"{row['region_code']} value", {R: 1.0}, row["value"])
        if row["share_pct"] not in ("", "nan"):  # share = R / G * 100
            s = float(row["share_pct"])
            d.show(Shown("region_shares", f"{row['region_code']} share", {R: 1.0, G: -s / 100}, -EXACT, EXACT, cell=False))
        if row["rate_per_100k"] not in ("", "nan"):
            rate_row = rates[rates.iloc[:, 0] == row["name"]].iloc[0]
            population[row["region_code"]] = _number(rate_row.iloc[2])[0]
            factor = n_years * population[row["region_code"]] / 100_000
            low, high = _exact(float(row["rate_per_100k"]) * factor, d.whole)
            d.show(Shown("region_shares", f"{row['region_code']} rate", {R: 1.0}, low - EXACT * factor,
                         high + EXACT * factor))
    code_of = dict(zip(shares["name"], shares["region_code"]))
    for _, row in rates.iterrows():  # the rates table: the same totals and rates, as displayed
        code = code_of[row.iloc[0]]
        R = (key, "R", code)
        _add_cell(d, "region_rates", f"{code} value", {R: 1.0}, row.iloc[1], exact=False)
        rate = _number(row.iloc[3])
        if rate is not None and code in population:
            factor = n_years * population[code] / 100_000
            d.show(Shown("region_rates", f"{code} rate", {R: 1.0}, rate[0] * factor, rate[1] * factor))
    if key == queries.EVENTS:  # no map of seizure events
        return
    for measure in (maps.TOTAL, maps.PER_100K):
        frame = pub.csv[(key, f"map_{measure}")]
        for _, row in frame.iterrows():
            R = (key, "R", row["code"])
            _add_cell(d, f"map ({measure})", f"{row['code']} quantity", {R: 1.0}, row["quantity"])
            if measure == maps.PER_100K and row["status"] == maps.HAS_VALUE:
                factor = float(row["population"]) / 100_000
                low, high = _exact(float(row["value"]) * factor, d.whole)
                d.show(Shown(f"map ({measure})", f"{row['code']} per 100,000", {R: 1.0}, low, high))
        table = pub.tables[(key, f"map_{measure}")]
        for code, (_, row) in zip(frame["code"], table.iterrows()):
            _add_cell(d, f"map table ({measure})", f"{code} quantity", {(key, "R", code): 1.0}, row["quantity"])


def _overview(pub: Publication, domains: dict[str, Domain], measures: list[queries.Measure]) -> None:
    """Headline metrics (this year, its change from last year, the period total) and the yearly trends."""
    by_title = {m.title: m.key for m in measures}
    assert pub.metrics["overview"], "the Overview shows no headline figure"
    for metric in pub.metrics["overview"]:
        key = by_title[metric.label]
        d = domains[key]
        year = int(re.match(r"(\d{4})\.", metric.proto.help).group(1))
        now, before = (key, "T", year), (key, "T", year - 1)
        value = "0" if metric.value == "not recorded" else metric.value
        _add_cell(d, "headline", f"{year} value", {now: 1.0}, value, exact=False)
        total = re.search(r": (.+)\.$", metric.proto.help).group(1)
        _add_cell(d, "headline", "period total", {(key, "G"): 1.0}, total, exact=False)
        delta = metric.proto.delta
        if delta:
            match = re.match(r"(\S+) \((\S+) ?%\) vs", delta) or re.match(r"(\S+) vs", delta)
            change = _number(match.group(1))
            d.show(Shown("headline", f"{year} change", {now: 1.0, before: -1.0}, *change, cell=False))
            if match.re.groups == 2:  # now - before = pct / 100 * before, pct known to its rounding
                low, high = _number(match.group(2))
                d.show(Shown("headline", f"{year} % change >", {now: 1.0, before: -1.0 - low / 100}, 0.0, math.inf,
                             cell=False))
                d.show(Shown("headline", f"{year} % change <", {now: 1.0, before: -1.0 - high / 100}, -math.inf, 0.0,
                             cell=False))
        else:
            d.show(Shown("headline", f"{year} change", {now: 1.0, before: -1.0}, label=disclosure.SECONDARY,
                         cell=False))
    for (key, name), frame in pub.csv.items():
        if name != "trend":
            continue
        d = domains[key]
        for _, row in frame.iterrows():
            if row["recorded"] not in ("",):
                _add_cell(d, "trend", f"{row['year']} recorded", {(key, "T", int(row["year"])): 1.0}, row["recorded"])


def _weapons_and_about(pub: Publication, domains: dict[str, Domain], measures: list[queries.Measure]) -> None:
    lines = domains[LINES]
    categories = pub.tables[("", "category_table")]
    names = {(m.label, m.unit_label): m.key for m in measures if m.category}
    pairs = {m.key: (m.category, m.unit) for m in measures if m.category}
    line_vars = []
    for _, row in categories.iterrows():
        key = names[(row.iloc[0], row.iloc[1])]
        _add_cell(domains[key], "category_table", "period total", {(key, "G"): 1.0}, row.iloc[2], exact=False)
        L = (LINES, "L", *pairs[key])
        line_vars.append(L)
        _add_cell(lines, "category_table", f"{key} lines", {L: 1.0}, row.iloc[3], exact=False)
    sources = pub.tables[("", "sources")]
    source_vars = []
    for _, row in sources[sources["dataset"] == "Seizure records"].iterrows():
        S = (LINES, "S", row["source"])
        source_vars.append(S)
        value = row["rows"]
        text = "" if pd.isna(value) else f"{float(value):.0f}"
        note = row.get("rows_note", "")
        _add_cell(lines, "sources", row["source"], {S: 1.0}, note if isinstance(note, str) and note else text)
    lines.relate({**{L: 1.0 for L in line_vars}, **{S: -1.0 for S in source_vars}})

    # The check: each published figure beside the records' sum over its years (a span: several yearly totals),
    # and whether they agree. A verdict is hidden with its sum; the count of figures that agree must leave the hidden
    # ones out (counted, it would tell them at its extremes: all hidden ones agree, or none).
    check = pub.tables[("", "check")]
    by_title = {m.title: m.key for m in measures}
    (matching,) = [re.fullmatch(r"(\d+) of (\d+)", m.value).groups() for m in pub.metrics["about"]
                   if m.label == "Published figures the records match"]
    verdicts = []
    for _, row in check.iterrows():
        verdict, recorded = row["verdict"], row["recorded"]
        if pd.isna(recorded):
            assert verdict in ("hidden", "not checked: the rows do not cover these years"), (row["years"], verdict)
        elif verdict in ("yes", "no"):
            verdicts.append(verdict)
        key = by_title.get(row["measure"])
        if key is None or key not in domains:  # a measure the records hold nothing of
            continue
        d = domains[key]
        first, last = (int(y) for y in re.fullmatch(r"(\d{4})(?:\D+(\d{4}))?", row["years"]).groups(
            default=row["years"][:4]))
        span = {(key, "T", y): 1.0 for y in range(first, last + 1) if (key, "T", y) in d.variables}  # else zero
        if not span:  # no records in its years: nothing of them
            continue
        if len(span) == 1 or not pd.isna(recorded):
            _add_cell(d, "check", f"{row['years']} recorded", span, "" if pd.isna(recorded) else recorded)
        # A hidden sum of several years is no figure of its own: it is hidden so as not to give away a hidden year
        # with the others, and that year's interval is judged. (Other tables may pin the sum closely: a year just
        # begun, "<5", and the two years hidden beside it add up to what the shown years leave of the whole.)
        if not pd.isna(recorded) and verdict in ("yes", "no"):
            _consistency(d, span, row, verdict == "yes")
    assert matching == (str(verdicts.count("yes")), str(len(verdicts))), (matching, verdicts)


def _consistency(d: Domain, span: dict[tuple, float], row, consistent: bool) -> None:
    """The About check: the records' sum agrees with the published figure and its qualifier
    (queries.matches_published), or it does not."""
    value, qualifier = float(row["value"]), row["qualifier"]
    step = 1.0 if d.whole else GRAM
    years = row["years"]
    if qualifier == "more than":
        low, high = (value + step, math.inf) if consistent else (-math.inf, value + EXACT)
    elif qualifier == "at least":
        low, high = (value - EXACT, math.inf) if consistent else (-math.inf, value - step)
    elif qualifier == "about":
        tolerance = queries.ABOUT_TOLERANCE * value
        if not consistent:
            return  # further than 5 % off, on either side: no interval
        low, high = value - tolerance - EXACT, value + tolerance + EXACT
    elif consistent:
        low, high = value - EXACT, value + EXACT
    else:
        return  # "not equal" is no interval
    d.show(Shown("check", f"{years} matches published", span, low, high, cell=False))


# --- the linear programs --------------------------------------------------------------------------------------


@dataclass
class Interval:
    domain: str
    table: str
    name: str
    label: str
    true: float
    low: float
    high: float
    ok: bool
    inherent: bool = False  # the labels alone narrow it as much: no suppression can widen it
    cell: bool = True  # a count of its own (not a change)

    def __str__(self) -> str:
        return (f"{self.domain} {self.table} {self.name} ({self.label}, true {self.true:g}): "
                f"[{self.low:g}, {self.high:g}]")


class Program:
    """One domain as a mixed-integer program: min and max of any expression over what the attacker knows."""

    def __init__(self, domain: Domain, labels_only: bool = False):
        self.domain = domain
        n = len(domain.variables)
        low, high = np.zeros(n), np.full(n, np.inf)
        rows, lows, highs = [], [], []
        for expr, lo, hi in domain.relations:
            rows.append(self._row(expr))
            lows.append(lo)
            highs.append(hi)
        for item in domain.shown:
            if item.label:
                if item.cell and len(item.expr) == 1:
                    (key,) = item.expr
                    i = domain.variables[key]
                    lo, hi = domain.label_bounds(item.label)
                    low[i], high[i] = max(low[i], lo), min(high[i], hi)
                continue
            if labels_only:  # a shown count is known only to be at least the threshold (or zero)
                if item.cell and len(item.expr) == 1:
                    (key,) = item.expr
                    i = domain.variables[key]
                    if item.high <= EXACT + GRAM:
                        high[i] = 0.0
                    else:
                        low[i] = max(low[i], min(domain.threshold, item.low))
                continue
            rows.append(self._row(item.expr))
            lows.append(item.low)
            highs.append(item.high)
        for key, i in domain.variables.items():  # a listed cell is above zero
            if key[1] in ("RY", "WY", "CTX", "MON", "L", "S") and domain.whole:
                low[i] = max(low[i], 1.0)
        self.bounds = Bounds(low, high)
        self.constraints = LinearConstraint(np.array(rows), np.array(lows), np.array(highs)) if rows else None
        self.integrality = np.ones(n) if domain.whole else np.zeros(n)

    def _row(self, expr: dict[tuple, float]) -> np.ndarray:
        row = np.zeros(len(self.domain.variables))
        for key, coef in expr.items():
            row[self.domain.variables[key]] += coef
        return row

    def extreme(self, expr: dict[tuple, float], sign: float) -> float:
        """min (sign 1) or max (sign -1) of the expression; infinite when unbounded."""
        result = self._solve(sign * self._row(expr))
        if result.status == 0:
            return sign * result.fun
        if result.status != 2 and self._solve(np.zeros(len(self.domain.variables))).status == 0:
            return -sign * math.inf  # feasible, and not bounded in that direction
        raise AssertionError(f"{self.domain.name}: the model has no solution ({result.message}): a relation of the "
                             "audit does not hold on the published tables")

    def _solve(self, c: np.ndarray):
        return milp(c, integrality=self.integrality, bounds=self.bounds,
                    constraints=[self.constraints] if self.constraints is not None else [])

    def feasible_at(self, values: dict[tuple, float]) -> list[str]:
        """The relations the true values break (none, for a correct model)."""
        x = np.array([values.get(key, 0.0) for key in self.domain.variables])  # absent: zero
        broken = []
        if self.constraints is not None:
            ax = self.constraints.A @ x
            tol = 1e-3 if self.domain.whole else 0.05
            for i in np.flatnonzero((ax < self.constraints.lb - tol) | (ax > self.constraints.ub + tol)):
                broken.append(f"row {i}: {ax[i]} not in [{self.constraints.lb[i]}, {self.constraints.ub[i]}]")
        outside = (x < self.bounds.lb - 1e-6) | (x > self.bounds.ub + 1e-6)
        keys = list(self.domain.variables)
        broken += [f"{keys[i]} = {x[i]} outside its bounds" for i in np.flatnonzero(outside)]
        return broken


def audit(domains: dict[str, Domain], true: dict[tuple, float]) -> list[Interval]:
    """The feasible interval of every hidden figure (one per figure, however many tables show it)."""
    out = []
    for name, domain in domains.items():
        program = Program(domain)
        broken = program.feasible_at(true)
        assert not broken, f"{name}: the audit's model does not hold on the true values: {broken[:5]}"
        hidden: dict[tuple, Shown] = {}
        for item in domain.shown:
            key = tuple(sorted(item.expr.items()))
            if item.label and (key not in hidden or hidden[key].label == "hidden"):
                hidden[key] = item
        labels = None
        for item in hidden.values():
            value = sum(c * true.get(k, 0.0) for k, c in item.expr.items())  # absent: zero
            low, high = program.extreme(item.expr, 1.0), program.extreme(item.expr, -1.0)
            label = item.label
            if label == "hidden":  # a hidden map total carries no label: judged as its label elsewhere would be
                label = disclosure.primary_label(domain.threshold) if value < domain.threshold else disclosure.SECONDARY
            ok = _wide_enough(domain, label, item.cell, low, high)
            if not ok and not item.cell:  # a change: as uncertain as its parts together is all it can be
                parts = sum(program.extreme({k: 1.0}, -1.0) - program.extreme({k: 1.0}, 1.0) for k in item.expr)
                ok = high - low >= parts - (1e-6 if domain.whole else 2 * GRAM)
            inherent = False
            if not ok:
                labels = labels or Program(domain, labels_only=True)
                inherent = _same(domain, (low, high), (labels.extreme(item.expr, 1.0), labels.extreme(item.expr, -1.0)))
            out.append(Interval(name, item.table, item.name, label, value, low, high, ok, inherent, item.cell))
    return out


def _wide_enough(domain: Domain, label: str, cell: bool, low: float, high: float) -> bool:
    tol = 1e-6 if domain.whole else 2 * GRAM
    if label == disclosure.primary_label(domain.threshold) and cell:
        lo, hi = domain.label_bounds(label)
        return low <= lo + tol and high >= hi - tol
    return high - low >= domain.threshold - tol


def _same(domain: Domain, a: tuple[float, float], b: tuple[float, float]) -> bool:
    tol = 1e-6 if domain.whole else 2 * GRAM
    return abs(a[0] - b[0]) <= tol and abs(a[1] - b[1]) <= tol


def shown_below_threshold(domains: dict[str, Domain]) -> list[str]:
    """Counts shown as a number between 0 and the threshold (never allowed)."""
    out = []
    for domain in domains.values():
        for item in domain.shown:
            if not item.label and item.cell and len(item.expr) == 1 and item.high > EXACT + GRAM:
                if item.low < domain.threshold - (EXACT if domain.whole else GRAM):
                    out.append(f"{domain.name} {item.table} {item.name}: {item.low:g}..{item.high:g}")
    return out


def summary(intervals: list[Interval]) -> str:
    """Figures for the closing note: hidden figures, thin ones (and inherent ones), the worst intervals."""
    thin = [i for i in intervals if not i.ok and not i.inherent]
    inherent = [i for i in intervals if i.inherent]
    worst = sorted(thin, key=lambda i: (i.high - i.low, i.domain, i.table, i.name))[:8]
    lines = [f"{len(intervals)} distinct hidden figures; {len(thin)} thin; {len(inherent)} narrowed by the labels alone"]
    lines += [f"  {i}" for i in worst]
    wide = sorted((i for i in intervals if i.ok and i.cell and i.label == disclosure.SECONDARY),
                  key=lambda i: (i.high - i.low, i.domain, i.table, i.name))
    if wide and not thin:
        lines.append(f"  narrowest x: {'; '.join(str(i) for i in wide[:3])}")
    return "\n".join(lines)


# --- generated stores ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Generated:
    """Seizure lines drawn at random: `lines` in all, the last year holding `last_year_share` of them (a year
    just begun), directorates and sources of very unequal size, so that small cells and small totals occur."""

    seed: int
    lines: int
    last_year_share: float | None = None
    years: tuple[int, ...] = (2019, 2020, 2021, 2022, 2023, 2024)


REGION_WEIGHTS = {"PR": 30, "PZ": 18, "PE": 12, "GJ": 10, "MS": 10, "GL": 10, "FE": 8, "MN": 2}
SOURCE_WEIGHTS = {"Generated: central register": 90, "Generated: border police": 9, "Generated: late file": 1}
KINDS = {  # (category, unit): weight, weapon types and their weights, a quantity drawn at random
    ("firearm", "pieces"): (55, {"pistol": 50, "automatic_rifle": 15, "rifle": 10, "revolver": 5, "machine_gun": 1,
                                 "converted_firearm": 6, "blank_firing_weapon": 8, "other": 2},
                            lambda r: r.choices([1, 2, 3, 5], [85, 10, 4, 1])[0]),
    ("ammunition", "rounds"): (25, {"pistol": 50, "automatic_rifle": 30, "hunting_weapon": 15, "machine_gun": 5},
                               lambda r: max(1, int(r.lognormvariate(3.2, 1.0)))),
    ("explosive", "kg"): (4, {"explosive": 1}, lambda r: round(r.uniform(0.1, 4.0), 1)),
    ("explosive", "pieces"): (10, {"hand_grenade": 1}, lambda r: r.choices([1, 2, 4], [80, 15, 5])[0]),
    ("component", "pieces"): (6, {"pistol": 60, "automatic_rifle": 30, "other": 10}, lambda r: r.randint(1, 4)),
}
CONTEXTS = {"house_search": 34, "traffic_control": 24, "special_investigative_measure": 16, "voluntary_surrender": 12,
            "border_crossing": 5, "other": 9}


def generated_rows(spec: Generated, data: Path) -> list[dict]:
    import random

    from seizures import demo

    rng = random.Random(spec.seed)
    towns = demo.read_municipalities(data)
    pick = lambda weights: rng.choices(list(weights), list(weights.values()))[0]  # noqa: E731
    year_weights = {y: 1.0 for y in spec.years}
    if spec.last_year_share is not None:
        rest = (1 - spec.last_year_share) / (len(spec.years) - 1)
        year_weights = {y: rest for y in spec.years[:-1]} | {spec.years[-1]: spec.last_year_share}
    rows = []
    for i in range(spec.lines):
        year = pick(year_weights)
        month = rng.randint(1, 2) if year == spec.years[-1] and spec.last_year_share is not None else rng.randint(1, 12)
        region = pick(REGION_WEIGHTS)
        (category, unit) = kind = pick({k: v[0] for k, v in KINDS.items()})
        _, weapons, quantity = KINDS[kind]
        rows.append({
            "seized_on": f"{year}-{month:02d}-{rng.randint(1, 28):02d}", "region_code": region,
            "municipality": rng.choice(towns[region]), "category": category, "weapon_type": pick(weapons),
            "quantity": quantity(rng), "unit": unit, "context": pick(CONTEXTS), "case_ref": f"GEN-{spec.seed}-{i:06d}",
            "source": pick(SOURCE_WEIGHTS), "illustrative": "true",
        })
    return rows


def generated_store(spec: Generated, folder: Path) -> str:
    """A DuckDB store with the reference data of data/ and the generated lines as its records."""
    import shutil

    from seizures import demo, seed, settings, store

    data = folder / "data"
    data.mkdir(parents=True)
    for path in settings.data_dir().glob("*.csv"):
        if path.name != seed.DEMO_FILE:
            shutil.copy(path, data / path.name)
    demo.write_csv(data / seed.DEMO_FILE, demo.SEIZURE_COLUMNS, generated_rows(spec, data))
    url = f"duckdb:///{folder / 'generated.duckdb'}"
    engine = store.make_engine(url)
    store.init_db(engine)
    seed.load_demo(engine, data)
    engine.dispose()
    return url
