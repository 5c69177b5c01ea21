"""Roadmap KPI status: how far each KPI has moved from its baseline towards its target, against the time elapsed.

Pure functions on plain values and DataFrames (no database, no Streamlit), so the rule is tested by hand.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from seizures import i18n
from seizures.i18n import N_, _

# The Roadmap's monitoring frame: baseline = calendar year 2018, goals "by 2024".
BASELINE_YEAR = 2018
TARGET_YEAR = 2024
# How far (share of the baseline-to-target distance) a KPI may lag the straight line and still be on track.
TOLERANCE = 0.10

ON_TRACK, AT_RISK, OFF_TRACK, NO_DATA = N_("on track"), N_("at risk"), N_("off track"), N_("no data")
STATUSES = (ON_TRACK, AT_RISK, OFF_TRACK, NO_DATA)

RULE_TEXT = N_("""\
**How the status is computed** (the same rule for every KPI):

1. *Direction*: a KPI whose target is above its baseline is better when higher; below, better when lower.
2. *Progress* = (latest actual − baseline) ÷ (target − baseline): 0 % at the baseline, 100 % at the target,
   negative when the KPI moved the wrong way.
3. *Expected progress* = share of the Roadmap period elapsed by the year of the latest actual:
   (year − {baseline_year}) ÷ ({target_year} − {baseline_year}), between 0 % and 100 %.
4. Status:
   - **on track**: progress at most {tolerance} percentage points behind the expected progress
     (or the target reached);
   - **at risk**: further behind, but progress above 0 % (moving the right way);
   - **off track**: progress 0 % or below (no movement, or moving away from the target);
   - **no data**: no actual value in the selected period, or no baseline or target, or target = baseline.
""")


def rule() -> str:
    """How the status is computed, in the current language (Markdown)."""
    return _(RULE_TEXT).format(baseline_year=BASELINE_YEAR, target_year=TARGET_YEAR, tolerance=f"{TOLERANCE * 100:.0f}")


@dataclass(frozen=True)
class Assessment:
    status: str
    progress: float | None  # share of the way from baseline to target (1.0 = reached)
    expected: float | None  # share of the Roadmap period elapsed
    reason: str


def _missing(value) -> bool:
    return value is None or bool(pd.isna(value))


def direction(baseline, target) -> str | None:
    """"higher" or "lower" (which way is better), or None when it cannot be told."""
    if _missing(baseline) or _missing(target) or baseline == target:
        return None
    return N_("higher") if target > baseline else N_("lower")


def progress(value, baseline, target) -> float | None:
    """Share of the way from baseline to target; None when baseline, target or value is missing."""
    if _missing(value) or direction(baseline, target) is None:
        return None
    return (value - baseline) / (target - baseline)


def expected_progress(year: int, baseline_year: int = BASELINE_YEAR, target_year: int = TARGET_YEAR) -> float:
    """Share of the period from baseline year to target year that has elapsed by `year` (0 to 1)."""
    share = (year - baseline_year) / (target_year - baseline_year)
    return min(max(share, 0.0), 1.0)


def assess(
    baseline, target, actual, year,
    baseline_year: int = BASELINE_YEAR, target_year: int = TARGET_YEAR, tolerance: float = TOLERANCE,
) -> Assessment:
    """The status of one KPI from its baseline, target and latest actual value (in `year`)."""
    if _missing(actual) or _missing(year):
        return Assessment(NO_DATA, None, None, _("no actual value in the selected period"))
    if _missing(baseline) or _missing(target):
        return Assessment(NO_DATA, None, None, _("no baseline or no target"))
    if baseline == target:
        return Assessment(NO_DATA, None, None, _("target equals baseline"))
    done = progress(actual, baseline, target)
    expected = expected_progress(int(year), baseline_year, target_year)
    if done >= expected - tolerance:
        status = ON_TRACK
    elif done > 0:
        status = AT_RISK
    else:
        status = OFF_TRACK
    reason = _("progress {done} against {expected} expected by {year}").format(
        done=i18n.percent(done * 100, 0), expected=i18n.percent(expected * 100, 0), year=int(year))
    return Assessment(status, done, expected, reason)


def _latest_per_kpi(values: pd.DataFrame) -> pd.DataFrame:
    """Per KPI: the latest year with a value, that value, and the latest baseline and target given."""
    rows = []
    for number, series in values.sort_values("year").groupby("kpi_number"):
        actual = series.dropna(subset=["value"])
        baseline = series["baseline"].dropna()
        target = series["target"].dropna()
        unit = series["unit"].dropna() if "unit" in series else pd.Series(dtype=object)
        rows.append({
            "kpi_number": number,
            "latest_year": int(actual["year"].iloc[-1]) if len(actual) else None,
            "latest_value": float(actual["value"].iloc[-1]) if len(actual) else None,
            "baseline": float(baseline.iloc[-1]) if len(baseline) else None,
            "target": float(target.iloc[-1]) if len(target) else None,
            "value_unit": unit.iloc[-1] if len(unit) else None,
        })
    return pd.DataFrame(rows, columns=["kpi_number", "latest_year", "latest_value", "baseline", "target", "value_unit"])


KPI_TABLE_COLUMNS = [
    "number", "goal_number", "title", "unit", "baseline", "target", "direction",
    "latest_year", "latest_value", "change", "progress", "expected", "status", "reason",
]


def kpi_table(kpis: pd.DataFrame, values: pd.DataFrame, **rule) -> pd.DataFrame:
    """One row per KPI in `kpis` (number, goal_number, title, unit) with its latest value and status.

    `values` holds kpi_number, year, value, baseline, target (and optionally unit); KPIs without values get
    status "no data". Keyword arguments override the rule's baseline_year, target_year and tolerance.
    """
    if kpis.empty:
        return pd.DataFrame(columns=KPI_TABLE_COLUMNS)
    latest = _latest_per_kpi(values).astype({"kpi_number": "Int64"})
    table = kpis[["number", "goal_number", "title", "unit"]].merge(
        latest, left_on="number", right_on="kpi_number", how="left"
    ).drop(columns=["kpi_number"])
    table["unit"] = table["unit"].where(table["unit"].notna(), table["value_unit"])
    table = table.drop(columns=["value_unit"])
    assessments = [
        assess(row.baseline, row.target, row.latest_value, row.latest_year, **rule) for row in table.itertuples()
    ]
    table["change"] = table["latest_value"] - table["baseline"]
    table["direction"] = [direction(row.baseline, row.target) for row in table.itertuples()]
    table["progress"] = [a.progress for a in assessments]
    table["expected"] = [a.expected for a in assessments]
    table["status"] = [a.status for a in assessments]
    table["reason"] = [a.reason for a in assessments]
    table = table.astype({"goal_number": "Int64", "latest_year": "Int64"})
    return table[KPI_TABLE_COLUMNS].reset_index(drop=True)


def status_counts(table: pd.DataFrame) -> dict[str, int]:
    """How many KPIs have each status, in the order of STATUSES (zeros included)."""
    counts = table["status"].value_counts() if not table.empty else {}
    return {status: int(counts.get(status, 0)) for status in STATUSES}


def progress_series(
    values: pd.DataFrame, baseline_year: int = BASELINE_YEAR, target_year: int = TARGET_YEAR
) -> pd.DataFrame:
    """kpi_number, year, value, progress_pct (0 = baseline, 100 = target) and expected_pct, per KPI and year."""
    columns = ["kpi_number", "year", "value", "progress_pct", "expected_pct"]
    if values.empty:
        return pd.DataFrame(columns=columns)
    out = values.dropna(subset=["value"]).sort_values(["kpi_number", "year"]).copy()
    out["progress_pct"] = [
        None if (p := progress(r.value, r.baseline, r.target)) is None else p * 100 for r in out.itertuples()
    ]
    out["expected_pct"] = [expected_progress(int(y), baseline_year, target_year) * 100 for y in out["year"]]
    return out.dropna(subset=["progress_pct"])[columns].reset_index(drop=True)
