"""The public mode's small-count suppression, page by page: the new rule (disclosure.py) side by side with the old
one (disclosure.py at a git revision) and with the page's own queries, on the demo store or a generated one.

    .venv/bin/python benchmarks/disclosure.py [--db-url duckdb:///data/seizures.duckdb] [--baseline a67cabe]

For each page: everything its public view protects in every measure it offers, once, from the queries' results (as
a cold cache does; the pages cache the protected results per data version). The protection is called as the
dashboard layer wires it (seizures.dashboard.data: _shared_totals, _SHARED_PROTECTION): each measure's shared totals
decided once over its directorate × year, weapon type × year, context × year and month tables, then every table of the
page protected with them. The measures are those the store's vocabulary offers and its rows hold something of. The
old rule knew no shared totals: on today's frames it is called as it was wired then (the About check grouped by
category and unit instead of its indicator). Times are medians of 5 runs.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from seizures import disclosure, queries, reference, store
from seizures.filters import SeizureFilter

ROOT = Path(__file__).resolve().parents[1]
REPEATS = 5
EVERY = SeizureFilter()
MEASURES: list[str] = []  # the store's measure keys (main)
HEADLINE: list[str] = []  # the Overview's headline measures (main)
TRENDS: list[str] = []  # the measures with a published yearly trend (main)
PAIRS: dict[str, tuple[str, str]] = {}  # measure key -> (category, unit), seizure events left out (main)
LINKED = ("region_code", "weapon_type", "context")  # as dashboard/data.py's LINKED_DIMENSIONS


def median_seconds(func) -> float:
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def results(engine) -> dict:
    """Every query result the public pages protect, unprotected."""
    out = {("measure_by", key, *dims): queries.measure_by(engine, EVERY, key, *dims)
           for key in MEASURES for dims in (("region_code", "year"), ("weapon_type", "year"), ("context", "year"),
                                            ("region_code",), ("weapon_type",), ("context",), ("month",))}
    bounds = queries.year_bounds(engine)
    out["headline_figures"] = queries.headline_figures(engine, EVERY, *bounds, tuple(HEADLINE))
    for key in TRENDS:
        out[("recorded_and_published", key)] = queries.recorded_and_published(engine, EVERY, key)
    out["published_vs_recorded"] = queries.published_vs_recorded(engine)
    out["totals_by_region_year"] = queries.totals_by_region_year(engine, EVERY)
    out["totals_by_category"] = queries.totals_by_category(engine, EVERY)
    out["data_sources"] = queries.data_sources(engine)
    return out


def new_rule(r: dict, t: int) -> dict:
    """Each page's protection with the new rule, as the dashboard layer wires it (each page from a cold cache)."""
    shared: dict = {}

    def decided(key):
        if key not in shared:
            shared[key] = disclosure.shared_totals(
                [r[("measure_by", key, *dims)] for dims in disclosure.SHARED_BY], t)
        return shared[key]

    def by(key, *dims):
        frame = r[("measure_by", key, *dims)]
        if len(dims) == 2:
            return disclosure.protect(frame, ["value"], dims, (), t, linked=dims[:1], shared=decided(key))
        if dims[0] in LINKED:
            return disclosure.linked_totals(frame, by(key, dims[0], "year"), dims[0], t, decided(key))
        return disclosure.protect(frame, ["value"], dims, (), t, shared=decided(key))

    def pairs():
        return {pair: decided(key) for key, pair in PAIRS.items()}

    pages = {
        "Overview": lambda: (
            disclosure.protect_headline(r["headline_figures"], t, {k: decided(k) for k in HEADLINE}),
            [disclosure.protect_years(r[("recorded_and_published", k)], "recorded", decided(k), t) for k in TRENDS],
            [by(k, "region_code", "year") for k in MEASURES]),
        "Regions": lambda: [(by(k, "region_code", "year"), by(k, "region_code")) for k in MEASURES],
        "Map": lambda: disclosure.protect_region_year_totals(r["totals_by_region_year"], t, pairs()),
        "Weapons & context": lambda: (
            disclosure.protect_categories(r["totals_by_category"], t, pairs()),
            [(by(k, "weapon_type"), by(k, "weapon_type", "year"), by(k, "context"), by(k, "month")) for k in MEASURES]),
        "About": lambda: (
            disclosure.protect_sources(r["data_sources"], t),
            disclosure.protect_check(r["published_vs_recorded"], t, pairs())),
    }
    return {page: (lambda run: lambda: (shared.clear(), run()))(run) for page, run in pages.items()}


def old_rule(module, r: dict, t: int) -> dict:
    """Each page's protection with the old rule, as dashboard/data.py wires it."""
    def by(key, *dims):
        frame = r[("measure_by", key, *dims)]
        if len(dims) == 2:
            return module.protect(frame, ["value"], dims, (), t, linked=dims[:1])
        if dims[0] in LINKED:
            return module.linked_totals(frame, by(key, dims[0], "year"), dims[0], t)
        return module.protect(frame, ["value"], dims, (), t)

    return {
        "Overview": lambda: (module.protect_headline(r["headline_figures"], t),
                             [module.protect(r[("recorded_and_published", k)], ["recorded"], ["year"], (), t)
                              for k in TRENDS],
                             [by(k, "region_code", "year") for k in MEASURES]),
        "Regions": lambda: [(by(k, "region_code", "year"), by(k, "region_code")) for k in MEASURES],
        "Map": lambda: module.protect_region_year_totals(r["totals_by_region_year"], t),
        "Weapons & context": lambda: (
            module.protect(r["totals_by_category"], ["quantity", "lines"], [], ["category", "unit"], t),
            [(by(k, "weapon_type"), by(k, "weapon_type", "year"), by(k, "context"), by(k, "month")) for k in MEASURES]),
        "About": lambda: (module.protect_sources(r["data_sources"], t),
                          module.protect(r["published_vs_recorded"], ["recorded"], ["year_from"],
                                         ["category", "unit"], t)),
    }


def baseline_module(revision: str):
    """disclosure.py as it was at a git revision, loaded as a module of its own."""
    source = subprocess.run(["git", "show", f"{revision}:src/seizures/disclosure.py"], cwd=ROOT, check=True,
                            capture_output=True, text=True).stdout
    path = Path(tempfile.mkdtemp()) / "disclosure_baseline.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("disclosure_baseline", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def page_queries(engine) -> dict:
    """The raw query time behind each page's protected tables (every measure), for scale."""
    by = lambda key, *dims: queries.measure_by(engine, EVERY, key, *dims)  # noqa: E731
    bounds = queries.year_bounds(engine)
    return {
        "Overview": lambda: (queries.headline_figures(engine, EVERY, *bounds, tuple(HEADLINE)),
                             [queries.recorded_and_published(engine, EVERY, k) for k in TRENDS],
                             [by(k, "region_code", "year") for k in MEASURES]),
        "Regions": lambda: [(by(k, "region_code", "year"), by(k, "region_code")) for k in MEASURES],
        "Map": lambda: queries.totals_by_region_year(engine, EVERY),
        "Weapons & context": lambda: (queries.totals_by_category(engine, EVERY), [
            (by(k, "weapon_type"), by(k, "weapon_type", "year"), by(k, "context"), by(k, "month")) for k in MEASURES]),
        "About": lambda: (queries.data_sources(engine), queries.published_vs_recorded(engine)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db-url", default=f"duckdb:///{ROOT / 'data' / 'seizures.duckdb'}")
    parser.add_argument("--baseline", default="a67cabe", help="git revision of the old rule")
    parser.add_argument("--threshold", type=int, default=5)
    args = parser.parse_args()
    engine = store.make_engine(args.db_url)
    vocabulary = reference.read_vocabulary(engine)
    present = queries.measures_with_data(engine, EVERY)
    MEASURES[:] = [m.key for m in queries.measures(vocabulary) if m.key in present]
    PAIRS.update({key: queries.measure_pair(key) for key in MEASURES if key != queries.EVENTS})
    HEADLINE[:] = queries.headline_keys(vocabulary, present)
    TRENDS[:] = queries.trend_keys(vocabulary, queries.published(engine), present)
    r = results(engine)
    new, old = new_rule(r, args.threshold), old_rule(baseline_module(args.baseline), r, args.threshold)
    raw = page_queries(engine)
    print(f"{args.db_url}, threshold {args.threshold}, median of {REPEATS} runs; every measure a page offers, cold")
    print(f"{'page':<20}{'queries':>10}{'old rule':>10}{'new rule':>10}{'new/old':>9}{'new/queries':>13}")
    for page in new:
        q, o, n = (median_seconds(f) for f in (raw[page], old[page], new[page]))
        print(f"{page:<20}{q * 1000:>8.1f}ms{o * 1000:>8.1f}ms{n * 1000:>8.1f}ms{n / o:>8.1f}×{n / q:>12.1f}×")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
