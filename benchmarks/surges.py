"""How well the surge rule (src/seizures/surges.py) finds surges and dips, and how fast it is at national scale.

    .venv/bin/python benchmarks/surges.py            # prints the tables (~1 min)
    .venv/bin/python benchmarks/surges.py --write    # and puts them into BENCHMARKS.md ("Surge flags: ...")

Generated monthly series, 20 years each, made the way seizures come (the demo generator's way): seizure events
drawn from a Poisson law whose monthly mean is the series' level, times a season (the demo's month weights, at
0-2 times their amplitude), a trend (-5 % to +5 % a year) and a month-to-month wobble (gamma, 15 %); each
event seizes one weapon (4 in 5) or 2-8. Levels from 0.2 to 50 events a month: a small directorate's rare weapon
type to a busy directorate's total.
- planted series: about one month in 48 (never in the first year) has its event rate multiplied by 2.5-4 (a
  surge) or by 0-0.2 (a dip). A flag is right when it is on a planted month in the planted direction.
  Recall: planted months flagged right / planted months; precision: flags that are right / all flags.
- clean series: the same without plants; the false-flag rate is flags / months judged.
Speed: the rule on a national store's monthly counts, 20 directorates × 15 weapon types × 20 years, beside the
query reading the demo store's monthly counts by directorate and weapon type (what a page asks first).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import datetime as dt
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from seizures import demo, surges  # noqa: E402
from serving import head_commit  # noqa: E402

BENCHMARKS_MD = ROOT / "BENCHMARKS.md"
START_MARK = "<!-- benchmarks/surges.py: start -->"
END_MARK = "<!-- benchmarks/surges.py: end -->"
SECTION = "## Surge flags: precision and recall"
LEVELS = (0.2, 0.5, 1, 2, 5, 10, 20, 50)  # seizure events a month
YEARS = 20
SEASON = np.array(demo.MONTH_WEIGHTS) / np.mean(demo.MONTH_WEIGHTS)
PLANT_EVERY = 48  # months, on average


@dataclass
class Generated:
    monthly: pd.DataFrame  # series, year, month, value
    truth: pd.DataFrame  # series, year, month, direction (planted months)
    level: dict[int, float]  # series -> level


def generate(seed: int, series_per_level: int, planted: bool, levels=LEVELS, years: int = YEARS) -> Generated:
    rng = np.random.default_rng(seed)
    months = years * 12
    rows, truth, level_of = [], [], {}
    for level in levels:
        for _ in range(series_per_level):
            sid = len(level_of)
            level_of[sid] = level
            amplitude = rng.uniform(0, 2)
            season = 1 + amplitude * (SEASON - 1)
            trend = np.exp(rng.uniform(-0.05, 0.05) * np.arange(months) / 12)
            wobble = rng.gamma(1 / 0.15**2, 0.15**2, months)
            rate = level * np.tile(season, years) * trend * wobble
            if planted:
                count = rng.poisson((months - 12) / PLANT_EVERY)
                chosen = rng.choice(np.arange(12, months), size=min(count, months - 12), replace=False)
                for month in chosen:
                    surge = rng.random() < 0.5
                    rate[month] *= rng.uniform(2.5, 4) if surge else rng.uniform(0, 0.2)
                    truth.append((sid, 2000 + month // 12, month % 12 + 1, surges.SURGE if surge else surges.DIP))
            events = rng.poisson(rate)
            sizes = np.array([_weapons(rng, n) for n in events], dtype=float)
            rows.append(pd.DataFrame({"series": sid, "year": 2000 + np.arange(months) // 12,
                                      "month": np.arange(months) % 12 + 1, "value": sizes}))
    monthly = pd.concat(rows, ignore_index=True)
    monthly = monthly[monthly["value"] > 0]  # as a GROUP BY gives them: months without seizures have no row
    truth_frame = pd.DataFrame(truth, columns=["series", "year", "month", "direction"])
    return Generated(monthly.reset_index(drop=True), truth_frame, level_of)


def _weapons(rng: np.random.Generator, events: int) -> int:
    """Weapons seized in `events` seizure events: one each (4 in 5), else 2-8."""
    if not events:
        return 0
    single = rng.random(events) < 0.8
    return int(single.sum() + rng.integers(2, 9, (~single).sum()).sum())


def evaluate(seed: int = 1, series_per_level: int = 60, rule: surges.Rule = surges.RULE) -> dict:
    """Recall and precision on planted series, false-flag rate on clean ones, per level and overall."""
    span = ((2000, 1), (2000 + YEARS - 1, 12))
    planted = generate(seed, series_per_level, planted=True)
    clean = generate(seed + 1000, series_per_level, planted=False)
    flagged = surges.flags(planted.monthly, ("series",), span, rule)
    truth = planted.truth.merge(flagged[["series", "year", "month", "direction"]], how="left",
                                on=["series", "year", "month"], suffixes=("", "_flag"))
    truth["found"] = truth["direction"] == truth["direction_flag"]
    marked = flagged.merge(planted.truth, how="left", on=["series", "year", "month"], suffixes=("", "_true"))
    marked["right"] = marked["direction"] == marked["direction_true"]
    false_flags = surges.flags(clean.monthly, ("series",), span, rule)
    judged_per_series = YEARS * 12 - rule.window
    rows = []
    for level in LEVELS:
        ids = [s for s, v in planted.level.items() if v == level]
        clean_ids = [s for s, v in clean.level.items() if v == level]
        t, m = truth[truth["series"].isin(ids)], marked[marked["series"].isin(ids)]
        rows.append({
            "level": level,
            "surges": int((t["direction"] == surges.SURGE).sum()),
            "surge_recall": _share(t.loc[t["direction"] == surges.SURGE, "found"]),
            "dips": int((t["direction"] == surges.DIP).sum()),
            "dip_recall": _share(t.loc[t["direction"] == surges.DIP, "found"]),
            "flags": len(m), "precision": _share(m["right"]),
            "false_flag_rate": false_flags["series"].isin(clean_ids).sum() / (len(clean_ids) * judged_per_series),
        })
    overall = {
        "precision": _share(marked["right"]), "surge_recall": _share(truth.loc[truth["direction"] == surges.SURGE, "found"]),
        "dip_recall": _share(truth.loc[truth["direction"] == surges.DIP, "found"]),
        "false_flag_rate": len(false_flags) / (len(clean.level) * judged_per_series),
        "planted": len(truth), "flags": len(marked), "clean_months": len(clean.level) * judged_per_series,
        "false_flags": len(false_flags),
    }
    return {"levels": rows, "overall": overall, "seed": seed, "series_per_level": series_per_level}


def _share(flags: pd.Series) -> float:
    return float(flags.mean()) if len(flags) else float("nan")


def national_frame(regions: int = 20, weapon_types: int = 15, years: int = YEARS, seed: int = 7) -> pd.DataFrame:
    """Monthly counts by directorate and weapon type, a national store's worth."""
    rng = np.random.default_rng(seed)
    keys = pd.MultiIndex.from_product([[f"R{r:02d}" for r in range(regions)], [f"w{w:02d}" for w in range(weapon_types)],
                                       range(2000, 2000 + years), range(1, 13)],
                                      names=["region_code", "weapon_type", "year", "month"]).to_frame(index=False)
    level = rng.choice([0.2, 1, 3, 10, 30], len(keys) // (years * 12)).repeat(years * 12)
    keys["value"] = rng.poisson(level * np.tile(SEASON, len(keys) // 12)).astype(float)
    return keys[keys["value"] > 0].reset_index(drop=True)


def timings(runs: int = 5) -> dict:
    frame = national_frame()
    by_region = frame.groupby(["region_code", "year", "month"], as_index=False)["value"].sum()
    out = {"cells": len(frame), "series": frame.groupby(["region_code", "weapon_type"]).ngroups,
           "load": os.getloadavg()[0]}
    for name, monthly, by in (("weapon_types", frame, ("region_code", "weapon_type")),
                              ("regions", by_region, ("region_code",))):
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            surges.flags(monthly, by)
            times.append(time.perf_counter() - started)
        out[name] = statistics.median(times)
    try:
        from seizures import queries, settings, store
        from seizures.filters import SeizureFilter

        engine = store.make_engine(f"duckdb:///{settings.data_dir() / 'seizures.duckdb'}")
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            queries.measure_by(engine, SeizureFilter(), "firearm:pieces", "region_code", "weapon_type", "year", "month")
            times.append(time.perf_counter() - started)
        out["query_demo"] = statistics.median(times)
        engine.dispose()
    except Exception as exc:  # the demo store is not built: say so in the table
        out["query_demo"] = float("nan")
        out["query_error"] = str(exc)[:120]
    return out


def demo_flags() -> list[dict] | None:
    """Flags on the demo store, whose records are generated without surges: every flag there is a false one."""
    from seizures import queries, settings, store
    from seizures.filters import SeizureFilter

    path = settings.data_dir() / "seizures.duckdb"
    if not path.exists():
        return None
    engine = store.make_engine(f"duckdb:///{path}")
    span = queries.month_bounds(engine)
    rows = []
    for measure in ("firearm:pieces", "ammunition:rounds", "explosive:kg", "events"):
        for by in (("region_code",), ("region_code", "weapon_type")):
            monthly = queries.measure_by(engine, SeizureFilter(), measure, *by, "year", "month")
            judged = int(surges.assess(surges.series(monthly, by, span)).judged.sum())
            rows.append({"measure": measure, "by": by, "flags": len(surges.flags(monthly, by, span)),
                         "judged": judged})
    engine.dispose()
    return rows


def pct(value: float, decimals: int = 1) -> str:
    return "–" if value != value else f"{value * 100:.{decimals}f} %"


THRESHOLDS = (3.0, 3.5, 4.0)  # the rule's own, and its neighbours, for comparison


def render(result: dict, speed: dict, neighbours: dict[float, dict], demo: list[dict] | None) -> str:
    commit = head_commit()
    o, rule = result["overall"], surges.RULE
    lines = [
        f"Generated by `benchmarks/surges.py` on {dt.date.today().isoformat()}, commit `{commit}`, seed {result['seed']}, "
        f"{result['series_per_level']} planted and {result['series_per_level']} clean series of {YEARS} years per level. "
        f"The rule: score threshold {rule.threshold:g}, window {rule.window} months, a surge at least "
        f"{rule.min_surge:g} and {rule.surge_ratio:g} × expected, a dip only from an expected {rule.min_dip_base:g}, "
        f"at most {rule.dip_ratio:g} × expected.",
        "",
        f"**Overall**: precision {pct(o['precision'])} ({o['flags']:,} flags on planted series), recall "
        f"{pct(o['surge_recall'])} of surges and {pct(o['dip_recall'])} of dips ({o['planted']:,} planted months), "
        f"false-flag rate {pct(o['false_flag_rate'], 3)} on series without any ({o['false_flags']:,} flags in "
        f"{o['clean_months']:,} months judged).",
        "",
        "| events a month | planted surges | surge recall | planted dips | dip recall | flags | precision | false-flag rate (clean series) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in result["levels"]:
        lines.append(f"| {r['level']:g} | {r['surges']} | {pct(r['surge_recall'])} | {r['dips']} | {pct(r['dip_recall'])} | "
                     f"{r['flags']} | {pct(r['precision'])} | {pct(r['false_flag_rate'], 3)} |")
    lines += [
        "",
        "The same series judged with other score thresholds (everything else as above):",
        "",
        "| threshold | precision | surge recall | dip recall | false-flag rate |",
        "|---:|---:|---:|---:|---:|",
    ]
    for threshold, other in sorted(neighbours.items()):
        n = other["overall"]
        mark = " (the rule's)" if threshold == rule.threshold else ""
        lines.append(f"| {threshold:g}{mark} | {pct(n['precision'])} | {pct(n['surge_recall'])} | "
                     f"{pct(n['dip_recall'])} | {pct(n['false_flag_rate'], 3)} |")
    if demo:
        parts = [f"{r['measure']} by {' and '.join('directorate' if b == 'region_code' else 'weapon type' for b in r['by'])} "
                 f"{r['flags']} in {r['judged']:,}" for r in demo]
        lines += ["", "On the demo store, whose records are generated without surges (so every flag there is a false "
                  "one), flags in the months judged: " + "; ".join(parts) + "."]
    query = speed["query_demo"]
    lines += [
        "",
        f"**Speed** (median of 5, load average {speed['load']:.1f} at the start): the rule on {speed['series']:,} series (20 directorates × 15 weapon types × "
        f"{YEARS} years, {speed['cells']:,} months with seizures) takes {speed['weapon_types'] * 1000:.0f} ms; on the 20 "
        f"directorates' totals {speed['regions'] * 1000:.1f} ms. Reading the demo store's monthly counts by "
        f"directorate and weapon type (`queries.measure_by`, 8 × 11 series × 6 years) takes "
        + ("(demo store not built)" if query != query else f"{query * 1000:.1f} ms")
        + (f": the rule at national scale costs {speed['weapon_types'] / query:.1f} × that query." if query == query else "."),
    ]
    return "\n".join(lines)


def write_benchmarks_md(text: str) -> None:
    block = f"{START_MARK}\n{text}\n{END_MARK}"
    current = BENCHMARKS_MD.read_text() if BENCHMARKS_MD.exists() else "# Benchmarks\n"
    if START_MARK in current:
        before, rest = current.split(START_MARK, 1)
        BENCHMARKS_MD.write_text(before + block + rest.split(END_MARK, 1)[1])
        return
    intro = ("How often the surge rule flags what it should (`src/seizures/surges.py`, the rule in its docstring and\n"
             "the README), measured on generated series with planted surges and dips, and on series without any.\n"
             "`tests/test_surges.py` runs the same measurement on other seeds and fails below its thresholds.")
    BENCHMARKS_MD.write_text(current.rstrip("\n") + f"\n\n{SECTION}\n\n{intro}\n\n{block}\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--series", type=int, default=100, help="planted (and clean) series per level")
    parser.add_argument("--write", action="store_true", help="put the tables into BENCHMARKS.md")
    args = parser.parse_args()
    result = evaluate(args.seed, args.series)
    neighbours = {t: result if t == surges.RULE.threshold else
                  evaluate(args.seed, args.series, dataclasses.replace(surges.RULE, threshold=t)) for t in THRESHOLDS}
    text = render(result, timings(), neighbours, demo_flags())
    print(text)
    if args.write:
        write_benchmarks_md(text)
        print(f"written to {BENCHMARKS_MD}")


if __name__ == "__main__":
    main()
