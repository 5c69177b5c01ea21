"""Small-count suppression for the public mode: pure functions on the aggregated frames the pages show.

Primary suppression hides a cell whose value is above 0 and below the threshold ("<5"). Secondary suppression then
hides more cells ("x") so that no hidden cell can be worked out by subtraction from a total shown elsewhere: the
totals a frame adds up to are its margins (each line along one dimension, e.g. one year across all directorates,
and the whole frame within a stratum), and every margin that holds a hidden cell holds at least two, adding up to at
least the threshold and to more than the least they could be ("<5" is at least 1, "x" at least the threshold: else
the sum would pin them down). Secondary cells are the smallest ones available, never a cell that is alone in a
margin that is always shown (that margin would give it away). When only such cells are left, a margin may keep two
hidden cells adding up to less than the threshold: their sum is then known, each one still is not.

Linked tables: a page showing both directorate × year and the directorates' period totals must hide a period total
exactly when its line in the finer table holds a hidden cell (`linked_totals`), or a secondary cell chosen in one
table could be added up from the other.

A protected frame keeps its columns; a hidden cell's value is missing (NaN), and `<column>_note` says why
("<5" or "x", empty when shown). `shown()` turns such a frame into the text a table or a CSV download shows.
"""

from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np
import pandas as pd

SECONDARY = "x"
NOTE_SUFFIX = "_note"


def primary_label(threshold: float) -> str:
    return f"<{threshold:g}"


def legend(threshold: float) -> str:
    return (f"{primary_label(threshold)}: fewer than {threshold:g}, not shown. {SECONDARY}: hidden so that a "
            f"{primary_label(threshold)} cell cannot be worked out from the totals.")


def _groupings(dims: Sequence[str], strata: Sequence[str]) -> list[list[str]]:
    """The column sets whose groups are the frame's margins: one line per dimension, and each stratum whole."""
    out: list[list[str]] = [[*strata, *(d for d in dims if d != dim)] for dim in dims]
    out.append(list(strata))
    unique: list[list[str]] = []
    for cols in out:
        if cols not in unique:
            unique.append(cols)
    return unique


def _group_ids(keys: pd.DataFrame, cols: list[str]) -> np.ndarray:
    if not cols:
        return np.zeros(len(keys), dtype=int)
    return keys.groupby(cols, sort=False, dropna=False).ngroup().to_numpy()


def hidden_cells(
    values: Iterable[float], keys: pd.DataFrame, dims: Sequence[str], strata: Sequence[str] = (), threshold: float = 5,
    linked: Sequence[str] = (),
) -> tuple[np.ndarray, np.ndarray]:
    """(primary, hidden) boolean arrays for the cells `values`, whose dimension and stratum columns are in `keys`.

    `linked`: a dimension whose totals (e.g. each directorate's over the years) are shown only through
    `linked_totals`, hidden with their line: a cell alone in such a line may still protect another.
    Missing values are not cells (neither hidden nor used to protect).
    """
    v = np.asarray(pd.to_numeric(pd.Series(list(values), dtype="float64")), dtype="float64")
    present = ~np.isnan(v)
    primary = present & (v > 0) & (v < threshold)
    hidden = primary.copy()
    columns = _groupings(dims, strata)
    groupings = [_group_ids(keys.reset_index(drop=True), cols) for cols in columns]
    alone = np.zeros(len(v), dtype=bool)
    for cols, ids in zip(columns, groupings):
        if linked and cols == [*strata, *linked]:
            continue
        sizes = np.bincount(ids[present], minlength=ids.max() + 1 if len(ids) else 0)
        alone |= present & (sizes[ids] == 1)
    least = np.where(primary, 1.0, threshold)  # what an attacker knows a hidden cell is at least
    changed = True
    while changed:
        changed = False
        for ids in groupings:
            for group in np.unique(ids[hidden]):
                members = np.flatnonzero((ids == group) & present)
                while True:
                    secret = members[hidden[members]]
                    total = v[secret].sum()
                    if len(secret) == len(members) or (
                            len(secret) >= 2 and total >= threshold and total > least[secret].sum()):
                        break
                    candidates = [i for i in members if not hidden[i] and not alone[i]]
                    if not candidates:
                        break  # nothing left that protects: the margin itself is small and hidden where it is shown
                    pick = min(candidates, key=lambda i: (v[i], i))
                    hidden[pick] = True
                    changed = True
    return primary, hidden


def protect(
    frame: pd.DataFrame, values: Sequence[str], dims: Sequence[str], strata: Sequence[str] = (), threshold: float = 5,
    linked: Sequence[str] = (),
) -> pd.DataFrame:
    """A copy of `frame` with each value column's hidden cells missing and a `<column>_note` column beside it.

    The frame's true totals per value column stay in `attrs["totals"]` (they are margins, shown elsewhere anyway)
    so that shares can still be computed from a protected frame.
    """
    out = frame.copy().reset_index(drop=True)
    keys = out[[*dims, *strata]]
    totals = {}
    for column in values:
        numbers = pd.to_numeric(out[column], errors="coerce").astype("float64")
        primary, hidden = hidden_cells(numbers, keys, dims, strata, threshold, linked)
        totals[column] = float(numbers.sum())
        out[column] = numbers.where(~hidden)
        out[column + NOTE_SUFFIX] = np.select([primary, hidden], [primary_label(threshold), SECONDARY], "")
    out.attrs["totals"] = totals
    return out


def shown(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame as a table or CSV shows it: each hidden value replaced by its note, the note columns dropped."""
    notes = [c for c in frame.columns if c.endswith(NOTE_SUFFIX) and c.removesuffix(NOTE_SUFFIX) in frame.columns]
    if not notes:
        return frame
    out = frame.copy()
    for note in notes:
        column = note.removesuffix(NOTE_SUFFIX)
        hide = out[note].astype(str) != ""
        if hide.any():
            out[column] = out[column].astype(object).where(~hide, out[note])
    return out.drop(columns=notes)


def linked_totals(totals: pd.DataFrame, finer: pd.DataFrame, dim: str, threshold: float = 5) -> pd.DataFrame:
    """Totals per `dim` (columns dim, value) protected as the margin of `finer`, the protected dim × year frame
    (protected with linked=(dim,)): a total is hidden exactly when its line there holds a hidden cell."""
    out = totals.copy().reset_index(drop=True)
    numbers = pd.to_numeric(out["value"], errors="coerce").astype("float64")
    hide = out[dim].isin(finer.loc[finer["value" + NOTE_SUFFIX] != "", dim]).to_numpy()
    primary = hide & (numbers > 0).to_numpy() & (numbers < threshold).to_numpy()
    out["value"] = numbers.where(~hide)
    out["value" + NOTE_SUFFIX] = np.select([primary, hide], [primary_label(threshold), SECONDARY], "")
    out.attrs["totals"] = {"value": float(numbers.sum())}
    return out


def note_of(frame: pd.DataFrame, column: str, index) -> str:
    """The note of one cell ("" when shown or when the frame is not protected)."""
    note = column + NOTE_SUFFIX
    return str(frame.at[index, note]) if note in frame.columns else ""


# --- the frames of the pages ------------------------------------------------------------------------------------


def protect_headline(frame: pd.DataFrame, threshold: float = 5) -> pd.DataFrame:
    """Headline figures (one row per measure): a small value, previous value or period total is hidden, and so is
    the change when either of its two values is."""
    out = frame.copy().reset_index(drop=True)
    for column in ("value", "previous", "period_total"):
        numbers = pd.to_numeric(out[column], errors="coerce").astype("float64")
        small = (numbers > 0) & (numbers < threshold)
        out[column] = numbers.where(~small)
        out[column + NOTE_SUFFIX] = np.where(small, primary_label(threshold), "")
    unknown = (out["value" + NOTE_SUFFIX] != "") | (out["previous" + NOTE_SUFFIX] != "")
    for column in ("change", "pct_change"):
        out[column] = pd.to_numeric(out[column], errors="coerce").astype("float64").where(~unknown)
        out[column + NOTE_SUFFIX] = np.where(unknown, SECONDARY, "")
    return out


def protect_region_year_totals(frame: pd.DataFrame, threshold: float = 5) -> pd.DataFrame:
    """totals_by_region_year for the map, which adds each directorate's years up: a directorate's period total is
    hidden as in the Regions page (where its directorate × year line holds a hidden cell), every year row of a
    hidden directorate left missing."""
    out = frame.copy().reset_index(drop=True)
    if out.empty:
        return out
    keys = ["category", "unit", "region_code"]
    cells = protect(out, ["quantity"], ["region_code", "year"], ["category", "unit"], threshold, linked=["region_code"])
    hidden = cells.loc[cells["quantity_note"] != "", keys].drop_duplicates()
    marked = out.merge(hidden.assign(_hidden=True), on=keys, how="left")["_hidden"].eq(True).to_numpy()
    for column in ("quantity", "lines"):
        out[column] = out[column].astype("float64").where(~marked)
    return out


def protect_sources(frame: pd.DataFrame, threshold: float = 5) -> pd.DataFrame:
    """data_sources: the row count of each source of seizure records (a count of records) is protected."""
    out = frame.copy().reset_index(drop=True)
    records = out["dataset"] == "Seizure records"
    part = protect(out[records], ["rows"], [], [], threshold)
    out["rows"] = out["rows"].astype("float64")
    out["rows_note"] = ""
    out.loc[records, "rows"] = part["rows"].to_numpy()
    out.loc[records, "rows_note"] = part["rows_note"].to_numpy()
    return out if (out["rows_note"] != "").any() else out.drop(columns="rows_note")
