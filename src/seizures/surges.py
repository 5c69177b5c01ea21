"""Surge flags: a month whose count is far from its series' own recent level (a directorate's, or a weapon type's
within a directorate), up (surge) or down (dip).

The rule, for each series of monthly counts (months without seizures count 0):

- expected level: the mean of the previous 12 months, with each month first divided by its seasonal factor, then
  multiplied by the factor of the month tested. A trailing year holds every month of the year once, so a long
  run of high or low months moves the level within a year and a single surge moves it by a twelfth. Seasonal
  factors come from all the series together (one series is too noisy at small counts), shrunk towards 1 by how
  much of their spread is noise (none without three complete years);
- score: the difference of square roots, 2 (sqrt(x + 3/8) - sqrt(expected + 3/8)) / sqrt(dispersion), which for
  Poisson counts is close to a standard normal score whatever the level (Anscombe), so one threshold serves a
  directorate with 2 seizures a month and one with 200. Seizure counts are more variable than Poisson (a seizure
  may hold several weapons; rounds come by the hundred): the dispersion is the series' own mean squared Pearson
  residual (each capped, so that a surge does not hide the next one), at least that of the measure's busier
  series (a quiet series sees too few seizures to learn that they come several weapons at a time) and, in a
  series with no seizures in most months, at least the variance over the mean of its other months (there one
  seizure of 500 rounds in a while is the usual way, not a surge), at least 1;
- a surge: score >= 3.5, at least 5 counted and at least 1.5 times the expected level; a dip: score <= -3.5,
  an expected level of at least 5 and at most half of it counted. The minimum base (as ACLED's flags have) keeps
  a month of 3 after a year of zeros off the list, and the measure's dispersion a single seizure of 8 weapons
  where there is usually one a month. 3.5 rather than 3: at 3, one flag in 10 was false on the benchmark's
  series, at 3.5 one in 100 (BENCHMARKS.md has both);
- no flag before a series has 12 months of history, nor where the store has no months (a store ending in June
  does not make July a dip).

Why not a robust z-score on the trailing median and MAD: with small counts the median and the MAD are often 0
(the score is infinite) and counts are skewed, not normal. Why not the trailing mean alone (ACLED's): seizures have
a season (more around New Year and in summer) as large as many surges; left in, it either flags busy Januaries or,
counted as noise, hides a doubling in a quiet month (tests/test_surges.py has such a case). Why a whole year
before any judgment: a shorter history is mostly season. The dispersion and the seasonal factors use the whole
span given, so a new month of data may change the judgment of an earlier one slightly.
How well the rule finds planted surges and dips, and how often it flags series without any, is measured by
benchmarks/surges.py (BENCHMARKS.md, "Surge flags: precision and recall").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import sqlalchemy as sa

from seizures import i18n, queries
from seizures.filters import SeizureFilter
from seizures.i18n import N_, _

SURGE, DIP = "surge", "dip"
DIRECTIONS = {SURGE: N_("Surge"), DIP: N_("Dip")}
COLUMNS = ["year", "month", "direction", "observed", "expected", "score", "reason"]


@dataclass(frozen=True)
class Rule:
    window: int = 12  # months of history making the expected level (and needed before a month is judged)
    threshold: float = 3.5  # the score beyond which a month is flagged
    min_surge: float = 5.0  # a surge counts at least this much
    min_dip_base: float = 5.0  # a dip needs an expected level of at least this much
    surge_ratio: float = 1.5  # a surge is at least this multiple of the expected level
    dip_ratio: float = 0.5  # a dip is at most this fraction of it


RULE = Rule()


@dataclass(frozen=True)
class Series:
    """Monthly counts as a matrix: one row per series (keys), one column per month of the span."""

    keys: pd.DataFrame
    first: int  # the first month of the span, as year * 12 + month - 1
    values: np.ndarray

    @property
    def months(self) -> np.ndarray:
        return self.first + np.arange(self.values.shape[1])


def _month_index(year, month):
    return np.asarray(year, dtype="int64") * 12 + np.asarray(month, dtype="int64") - 1


def series(monthly: pd.DataFrame, by: tuple[str, ...], span: tuple[tuple[int, int], tuple[int, int]] | None = None
           ) -> Series:
    """The monthly counts (columns *by, year, month, value) as a dense matrix, months without a row being 0.

    span: the first and last (year, month) the counts cover (default: those of the frame); rows outside it are
    left out.
    """
    values = pd.to_numeric(monthly["value"], errors="coerce").to_numpy(dtype="float64")
    if np.isnan(values).any() or (values < 0).any():
        raise ValueError("monthly counts must all be known and not negative (hidden or missing values cannot be judged)")
    months = _month_index(monthly["year"], monthly["month"])
    if span is None:
        if not len(months):
            return Series(pd.DataFrame(columns=list(by)), 0, np.zeros((0, 0)))
        first, last = int(months.min()), int(months.max())
    else:
        first, last = (int(_month_index(*span[0])), int(_month_index(*span[1])))
    inside = (months >= first) & (months <= last)
    frame = monthly.loc[inside, list(by)].reset_index(drop=True)
    if by:
        rows = frame.groupby(list(by), sort=True).ngroup().to_numpy()
        keys = frame.drop_duplicates().sort_values(list(by)).reset_index(drop=True)
    else:
        rows = np.zeros(len(frame), dtype="int64")
        keys = pd.DataFrame(index=range(1 if len(frame) or span else 0))
    matrix = np.zeros((len(keys), max(last - first + 1, 0)))
    np.add.at(matrix, (rows, months[inside] - first), values[inside])
    return Series(keys, first, matrix)


def _dispersion(values: np.ndarray, expected: np.ndarray, judged: np.ndarray) -> np.ndarray:
    """Per series and month: how many times more variable than Poisson counts (1) its counts are.

    Its own estimate: the mean squared Pearson residual of its judged months, each capped at 9 times a first,
    robust guess (from the median, which a surge cannot move), so that one surge does not hide the next.
    A quiet series sees too few seizures to tell its own, so it is at least
    - the median of the own estimates of the series with seizures in most months: how many weapons (or rounds) a
      seizure holds is a property of the measure;
    - for a series with no seizures in most months, the variance of its other months' counts (the whole span) over
      their mean, nothing capped: there a big month is the series' normal way (one seizure of many items).
    """
    usable = judged & (expected > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        squared = np.where(usable, (values - expected) ** 2 / np.where(expected > 0, expected, 1), np.nan)
    counted = usable.sum(axis=1)
    has = counted > 1
    robust = np.ones(len(values))
    robust[has] = np.nanmedian(squared[has], axis=1) / 0.455  # the median of a chi-square with 1 degree of freedom
    capped = np.minimum(squared, 9 * np.maximum(robust, 1)[:, None])
    own = np.ones(len(values))
    own[has] = np.nansum(capped[has], axis=1) / (counted[has] - 1)
    months = judged.sum(axis=1)
    active = (judged & (values > 0)).sum(axis=1)
    busy = has & (active >= 0.5 * np.maximum(months, 1))
    pooled = float(np.median(own[busy])) if busy.sum() >= 3 else 1.0
    # A quiet series' big months are its normal way (one seizure of many items), not outliers: nothing capped;
    # and each month is judged against the others (leave one out), or a single big month would explain itself.
    quiet = ((active > 0) & ~busy)[:, None]
    x = values
    n, s1, s2 = x.shape[1] - 1, x.sum(axis=1)[:, None] - x, (x ** 2).sum(axis=1)[:, None] - x ** 2
    with np.errstate(divide="ignore", invalid="ignore"):
        spread = (s2 - s1 ** 2 / n) / (n - 1) / (s1 / n)
    size = np.where(quiet & np.isfinite(spread), spread, 1.0)
    return np.maximum(np.maximum(own, pooled)[:, None], np.maximum(size, 1.0))


MIN_SEASON_YEARS = 3  # complete years needed to tell a season (the median of two years is their mean)


def seasonal_factors(data: Series, dispersion: float = 1.0) -> np.ndarray:
    """Twelve factors (January first) from all the series added up: for each complete year of the span, each
    month's share of that year's monthly mean; per month, the median over the years (one year's surge does not
    make a season), shrunk towards 1 by the share of the factors' spread that chance would explain (Poisson
    noise times the dispersion). All 1 without MIN_SEASON_YEARS complete years."""
    total = data.values.sum(axis=0)
    start = (-data.first) % 12  # the first January in the span
    years = (len(total) - start) // 12
    if years < MIN_SEASON_YEARS:
        return np.ones(12)
    by_year = total[start: start + years * 12].reshape(years, 12)
    monthly_mean = by_year.mean(axis=1, keepdims=True)
    counted = monthly_mean[:, 0] > 0
    if counted.sum() < MIN_SEASON_YEARS:
        return np.ones(12)
    raw = np.median(by_year[counted] / monthly_mean[counted], axis=0)
    raw = raw / raw.mean()
    # The variance of a median of n shares if the months differed by chance only: pi/2 times that of their mean.
    noise = np.pi / 2 * dispersion / (monthly_mean[counted].mean() * counted.sum())
    spread = max(raw.var(ddof=1) - noise, 0.0)
    weight = spread / (spread + noise)
    return np.maximum(1 + weight * (raw - 1), 0.05)  # a month never busy so far is still not impossible


@dataclass(frozen=True)
class Assessment:
    """Every month of every series, scored: what flags() reads, and what the benchmark measures."""

    data: Series
    expected: np.ndarray
    score: np.ndarray
    judged: np.ndarray  # months with a full window of history
    surge: np.ndarray
    dip: np.ndarray
    factors: np.ndarray
    dispersion: np.ndarray  # per series and month


def assess(data: Series, rule: Rule = RULE) -> Assessment:
    values = data.values
    n_series, n_months = values.shape
    calendar = (data.months % 12) if n_months else np.zeros(0, dtype="int64")
    judged = np.zeros((n_series, n_months), dtype=bool)
    judged[:, rule.window:] = True

    def expected_with(factors: np.ndarray) -> np.ndarray:
        season = factors[calendar]
        adjusted = np.cumsum(np.pad(values / season, ((0, 0), (1, 0))), axis=1)  # adjusted[:, t] = sum before t
        level = np.zeros_like(values)
        if n_months > rule.window:
            level[:, rule.window:] = (adjusted[:, rule.window:-1] - adjusted[:, :-rule.window - 1]) / rule.window
        return level * season

    flat = expected_with(np.ones(12))
    pooled = float(np.median(_dispersion(values, flat, judged))) if n_series else 1.0
    factors = seasonal_factors(data, pooled)
    expected = expected_with(factors)
    dispersion = _dispersion(values, expected, judged)
    score = 2 * (np.sqrt(values + 0.375) - np.sqrt(expected + 0.375)) / np.sqrt(dispersion)
    surge = judged & (score >= rule.threshold) & (values >= rule.min_surge) & (values >= rule.surge_ratio * expected)
    dip = (judged & (score <= -rule.threshold) & (expected >= rule.min_dip_base)
           & (values <= rule.dip_ratio * expected))
    return Assessment(data, expected, score, judged, surge, dip, factors, dispersion)


def reason(observed: float, expected: float, rule: Rule = RULE) -> str:
    """Why a month is flagged, in the current language (the direction is said apart: direction_label)."""
    if expected <= 0:
        return _("{observed} counted, none in the previous {months} months.").format(
            observed=i18n.number(observed), months=rule.window)
    return _("{observed} counted where {expected} was expected from the previous {months} months, allowing for "
             "the month of the year.").format(
        observed=i18n.number(observed), expected=i18n.number(expected, decimals=1), months=rule.window)


def flags(
    monthly: pd.DataFrame, by: tuple[str, ...] = ("region_code",),
    span: tuple[tuple[int, int], tuple[int, int]] | None = None, rule: Rule = RULE,
) -> pd.DataFrame:
    """The flagged months of each series of monthly counts.

    monthly: columns *by (e.g. region_code, or region_code and weapon_type; none for one national series), year,
    month, value: record-level lines summed by month, or counts imported by month, alike. span: the months the
    counts cover ((year, month), (year, month)); months of the span without a row are zero.
    Returns *by, year, month, direction (SURGE or DIP), observed, expected, score, reason (current language),
    ordered by month, then the largest departure first.
    """
    data = series(monthly, tuple(by), span)
    result = assess(data, rule)
    rows, cols = np.nonzero(result.surge | result.dip)
    out = data.keys.iloc[rows].reset_index(drop=True)
    months = data.first + cols
    observed, expected = data.values[rows, cols], result.expected[rows, cols]
    direction = np.where(result.surge[rows, cols], SURGE, DIP)
    out = out.assign(
        year=months // 12, month=months % 12 + 1, direction=direction, observed=observed,
        expected=expected.round(2), score=result.score[rows, cols].round(2),
        reason=[reason(o, e, rule) for o, e in zip(observed, expected)],
    )
    out = out.astype({"year": "int64", "month": "int64", "observed": "float64", "expected": "float64",
                      "score": "float64"})
    order = out.assign(_size=-out["score"].abs()).sort_values(["year", "month", "_size", *by]).index
    return out.loc[order, [*by, *COLUMNS]].reset_index(drop=True)


def direction_label(direction: str) -> str:
    return _(DIRECTIONS[direction])


def history_filter(flt: SeizureFilter) -> SeizureFilter:
    """The filter whose monthly counts flags_in needs: the same, from the store's first year to the period's end."""
    return flt.with_years(None, flt.year_to)


def flags_in(
    monthly: pd.DataFrame, flt: SeizureFilter, store_months: tuple[tuple[int, int], tuple[int, int]] | None,
    by: tuple[str, ...] = ("region_code",), rule: Rule = RULE,
) -> pd.DataFrame:
    """The flagged months within the filter's period, judged on the whole history before it.

    monthly: the measure by *by, year, month for history_filter(flt) (e.g. data.cached(queries.measure_by, ...) in the dashboard);
    store_months: queries.month_bounds (months the store holds: a month after the last one is not a zero).
    """
    if store_months is None:
        return pd.DataFrame(columns=[*by, *COLUMNS])
    first, last = store_months
    if flt.year_to is not None and flt.year_to < last[0]:
        last = (flt.year_to, 12)
    found = flags(monthly, by, (first, last), rule)
    if flt.year_from is not None:
        found = found[found["year"] >= flt.year_from].reset_index(drop=True)
    return found


def flags_for(
    engine: sa.Engine, flt: SeizureFilter, measure_key: str, by: tuple[str, ...] = ("region_code",),
    rule: Rule = RULE,
) -> pd.DataFrame:
    """The flagged months of a measure within the filter's period, judged on the store's whole history up to the
    period's end (the filter's directorates, categories, weapon types and contexts apply to every month).

    by: ("region_code",) for directorates, ("region_code", "weapon_type") for the weapon types within them,
    () for the selection's total. Not for the public mode: a flag states a directorate-month's count.
    """
    monthly = queries.measure_by(engine, history_filter(flt), measure_key, *by, "year", "month")
    return flags_in(monthly, flt, queries.month_bounds(engine), by, rule)
