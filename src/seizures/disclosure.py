"""Small-count suppression for the public mode: pure functions on the aggregated frames the pages show.

Primary suppression hides a cell whose value is above 0 and below the threshold ("<5"). Secondary suppression hides
more cells ("x") until every hidden cell keeps a protection interval against an attacker who knows every table the
public view shows, that counts are whole and at least 0, that a "<5" cell is 1 to 4 (above 0 and below 5 for
kilograms) and an "x" cell at least the threshold: the values such an attacker cannot rule out must still include
every value a "<5" label allows, and span at least the threshold for an "x" cell.

Table by table: a table's totals shown elsewhere (its margins: each line along one dimension, and the whole table
within a stratum) are taken as known, and each hidden cell's least and greatest possible value is computed exactly.
A table of one or two dimensions with its margins is a network (each cell lies in at most two margins): moving one
hidden cell up moves others down along a path through the margins, and the longest move is a maximum flow, each
other hidden cell letting through what its label leaves it (an "x" cell is credited with at most the threshold either
way, which keeps the tables joinable, below). While some hidden cell's interval is too thin, the cheapest cell that
fixes it is hidden too (the smallest single cell that does, else the one that helps most; else two or three cells:
another of its line with one beside it, or the other corners of a rectangle). The order is fixed: the same data
always gives the same result.

Joined tables: the directorate × year and weapon type × year tables (and the map, the yearly trend, the headline and
the About check) share a measure's national yearly totals, and their lines' period totals are shown only through
`linked_totals`, hidden exactly when their line holds a hidden cell. So in those tables a cell is tied only to its
year's total, and a line's total, when hidden, must itself keep an interval. Which yearly totals are hidden is
decided once per measure over all its tables (`shared_totals`): the small ones, any year where a table would leave
something thin with that total known (a year of small cells only), and complements, by the same rule as any table;
every table then follows that decision and must leave each hidden year's total at least the room the decision relied
on. Likewise the whole (the period's total of a measure, shown in the category table and the headline) is hidden
when some table of the measure cannot protect its cells while the whole is known (a measure whose every context is
small, say) and hiding it helps.

What no suppression can widen: a total below the threshold split into n "<5" parts is known from the labels alone to
be at least n (and each part at most its total's label allows).

A protected frame keeps its columns; a hidden cell's value is missing (NaN), and `<column>_note` says why
("<5" or "x", empty when shown). `shown()` turns such a frame into the text a table or a CSV download shows.
"""

from __future__ import annotations

import math
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Collection, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from seizures.i18n import N_

SECONDARY = "x"
NOTE_SUFFIX = "_note"
FREE = 0  # the node standing for every margin nobody knows
TOLERANCE = 1e-6

GUARANTEE = N_(
    "The public view shows fixed tables of all the data, without filters. Every count below {threshold} is shown as "
    "\"<{threshold}\" and left out of the charts, and a few more figures (at times a national yearly total) are "
    "hidden as \"x\" so that the small ones cannot be worked out. Even from every table, chart and total of the "
    "public view taken together, a \"<{threshold}\" figure could be any number from 1 to {below} (for explosives, "
    "any weight under {threshold} kg) and an \"x\" figure any value in a range at least {threshold} wide. Limits: "
    "the labels tell which figures are small, and a total below {threshold} made of several \"<{threshold}\" "
    "parts is at least their number. Published national figures, training, equipment and KPIs are shown as "
    "published."
)


def primary_label(threshold: float) -> str:
    return f"<{threshold:g}"


def legend(threshold: float) -> str:
    return (f"{primary_label(threshold)}: fewer than {threshold:g}, not shown. {SECONDARY}: hidden so that a "
            f"{primary_label(threshold)} cell cannot be worked out from the totals.")


def _group_ids(keys: pd.DataFrame, cols: list[str]) -> np.ndarray:
    if not cols:
        return np.zeros(len(keys), dtype=int)
    return keys.groupby(cols, sort=False, dropna=False).ngroup().to_numpy()


def _is_whole(values: np.ndarray) -> bool:
    return bool(np.all(values == np.round(values)))


@dataclass(frozen=True)
class Hidden:
    """What all the tables of one measure hide of the totals they share (decided by `shared_totals`): the national
    yearly totals (year -> note) and the whole, the period's total (its note, "" when shown); `room`: how far each
    hidden yearly total may move (year -> (up, down)), which every table must leave it and may use."""

    years: Mapping[int, str] = field(default_factory=dict)
    total: str = ""
    room: Mapping[int, tuple[float, float]] = field(default_factory=dict)


def hidden_cells(
    values: Iterable[float], keys: pd.DataFrame, dims: Sequence[str], strata: Sequence[str] = (), threshold: float = 5,
    linked: Sequence[str] = (), integral: bool | Sequence[bool] | None = None, shared: Hidden | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(primary, hidden) boolean arrays for the cells `values`, whose dimension and stratum columns are in `keys`.

    At most two dimensions. `linked`: a dimension whose lines' totals are shown only through `linked_totals`
    (hidden with their line), so they are not known margins; the other dimension is then the year. `shared`: the
    totals this table shares with the measure's other tables that they all hide (`shared_totals`); None: decided
    from this table alone. `integral`: whether the values count whole things (per cell or for all; None: where a
    stratum's values all are whole). Missing values are not cells; zeros are never hidden.
    """
    if len(dims) > 2:
        raise ValueError("secondary suppression handles tables of at most two dimensions")
    v = np.asarray(pd.to_numeric(pd.Series(list(values), dtype="float64")), dtype="float64")
    present = ~np.isnan(v)
    primary = present & (v > 0) & (v < threshold)
    hidden = primary.copy()
    keys = keys.reset_index(drop=True)
    flags = np.broadcast_to(np.asarray(True if integral is None else integral, dtype=bool), v.shape)
    strata_ids = _group_ids(keys, list(strata))
    for stratum in np.unique(strata_ids[present]):
        rows = np.flatnonzero((strata_ids == stratum) & present)
        part, part_keys = v[rows], keys.iloc[rows].reset_index(drop=True)
        counts = _is_whole(part) if integral is None else bool(flags[rows].all())
        if len(dims) == 2 and set(dims) & set(linked):
            table = _Linked.of(part, part_keys, list(dims), list(linked), threshold, counts)
            decided = shared if shared is not None else _decide([table], [], threshold, counts, may_hide_total=False)
            hidden[rows] = table.protect(set(decided.years), decided.total == SECONDARY, decided.room).hidden
        elif len(dims) == 2:
            hidden[rows] = _crossed(part, part_keys, list(dims), threshold, counts).run()
        else:
            total_hidden = shared is not None and shared.total == SECONDARY
            hidden[rows] = _flat(part, threshold, counts, total_hidden).run()
    return primary, hidden


def _box(value: float, threshold: float, counts: bool) -> tuple[float, float]:
    """How far a hidden figure may move up and down within its label: a "<5" one within 1..4 (0..5 in kilograms),
    an "x" one is credited with at most the threshold either way (its label has no upper end)."""
    if value < threshold:
        return (math.ceil(threshold) - 1.0 - value, value - 1.0) if counts else (threshold - value, value)
    return float(threshold), min(float(threshold), value - threshold)


def _flat(v: np.ndarray, threshold: float, counts: bool, total_hidden: bool = False) -> _Protection:
    """A table of one dimension (or none): its cells add up to its whole, known unless it is below the threshold
    (hidden wherever it is shown) or hidden by the measure's decision; a hidden whole is an edge of its own, which
    this table's hidden cells must leave at least its box."""
    n, total = len(v), float(v.sum())
    table = _Protection(v, threshold, counts, np.zeros(n, dtype=int), np.ones(n, dtype=int))
    if total < threshold or total_hidden:
        up, down = _box(total, threshold, counts)
        table.margins.append((1, FREE, up, down))
        if total_hidden and total >= threshold:
            table.columns.append((np.arange(n), down, up))
    return table


def _crossed(v: np.ndarray, keys: pd.DataFrame, dims: list[str], threshold: float, counts: bool) -> _Protection:
    """A table of two dimensions whose lines' totals are all known (when its whole is: a whole below the threshold
    is hidden wherever it is shown, and so is every total inside it)."""
    n = len(v)
    rows, cols = _group_ids(keys, [dims[0]]) + 1, _group_ids(keys, [dims[1]]) + 1
    if v.sum() < threshold:
        return _Protection(v, threshold, counts, np.zeros(n, dtype=int), np.zeros(n, dtype=int))
    return _Protection(v, threshold, counts, rows, cols + rows.max())


@dataclass
class _Linked:
    """A table whose lines' totals are hidden with their cells (linked): each cell is tied to its column's total
    (a year), the columns' totals are a measure's national yearly totals."""

    v: np.ndarray
    cols: np.ndarray  # column number of each cell
    labels: list  # the column values (the years), by column number
    lines: np.ndarray  # line number of each cell
    threshold: float
    counts: bool  # whole things (else kilograms)

    @classmethod
    def of(cls, v, keys, dims, linked, threshold, counts) -> _Linked:
        line_dim, across = (dims[0], dims[1]) if dims[0] in linked else (dims[1], dims[0])
        cols = _group_ids(keys, [across])
        labels = list(keys[across].groupby(cols).first().sort_index())
        return cls(v, cols, labels, _group_ids(keys, [line_dim]), threshold, counts)

    @property
    def totals(self) -> np.ndarray:
        return np.round(np.bincount(self.cols, weights=self.v, minlength=len(self.labels)), 3)

    def series(self, forced: Collection, total_hidden: bool, room: Mapping) -> _Protection:
        """The column totals protected as a table of their own, `forced` ones hidden from the start, each hidden one
        free within `room` where given (what the tables leave it), else its label's box."""
        totals = self.totals
        series = _flat(totals, self.threshold, self.counts, total_hidden)
        series.boxes = {c: room[y] for c, y in enumerate(self.labels) if y in room}
        series.hidden |= np.isin(self.labels, list(forced)) & (totals > 0)
        series.run()
        return series

    def protect(self, years: Collection, total_hidden: bool, room: Mapping = {}) -> _Protection:  # noqa: B006
        """This table's suppression, the totals of `years` (and the whole, if `total_hidden`) hidden. The table as a
        network: a cell is an edge from its line to its column; a hidden line total an edge from the whole to the
        line, a hidden year's total an edge from its column to the whole, each free within its box (a year's total:
        `room`, else its label's box; this table must leave it that much in turn); the whole is an edge of its own
        when it is hidden, else known."""
        totals = self.totals
        m, n = len(totals), len(self.v)
        total = float(totals.sum())
        to_whole, from_whole = m + 1, m + 2
        single = self.lines.max() == 0  # a single line's total is the table's whole: no line node of its own
        starts = np.full(n, from_whole) if single else self.lines + m + 3
        table = _Protection(self.v, self.threshold, self.counts, starts, self.cols + 1)
        for col in np.flatnonzero(np.isin(self.labels, list(years)) & (totals > 0)):
            up, down = room.get(self.labels[col]) or _box(totals[col], self.threshold, self.counts)
            table.margins.append((col + 1, to_whole, up, down))
            table.columns.append((np.flatnonzero(self.cols == col), down, up))
        if total < self.threshold or total_hidden:
            table.margins.append((to_whole, from_whole, *_box(total, self.threshold, self.counts)))
        if not single:
            table.lines = [np.flatnonzero(self.lines == k) for k in range(self.lines.max() + 1)]
            table.line_source = from_whole
        table.run()
        return table

    def column_room(self, table: _Protection, year) -> tuple[float, float]:
        """How far the hidden cells of a year's column let its total move up and down."""
        col = self.labels.index(year)
        boxes = [table.box(j) for j in np.flatnonzero((self.cols == col) & table.hidden)]
        return sum(u for u, _ in boxes), sum(d for _, d in boxes)

    def thin_years(self, table: _Protection, years: Collection) -> set:
        """Years (not hidden) whose total being known leaves something thin: a thin cell's year; for a thin line,
        the year of its smallest shown cell (hidden with its year's total, that cell can give the line room)."""
        thin = {self.labels[self.cols[i]] for i in np.flatnonzero(table.hidden) if table.deficit(int(i)) > TOLERANCE}
        for k, line in enumerate(table.lines):
            if table.deficit(~k) > TOLERANCE:
                shown = [j for j in line if not table.hidden[j] and self.labels[self.cols[j]] not in years]
                if shown:
                    thin.add(self.labels[self.cols[min(shown, key=lambda j: (self.v[j], j))]])
        return thin - set(years)


def _decide(linked: Sequence[_Linked], flat: Sequence[np.ndarray], threshold: float, counts: bool,
            may_hide_total: bool = True) -> Hidden:
    """The shared totals one measure's tables hide: the yearly totals' own protection, plus every year where some
    table cannot protect its cells while that year's total is known; and the whole when some table cannot protect
    its cells while the whole is known (and hiding it helps)."""
    total = float(linked[0].totals.sum()) if linked else float(np.sum(flat[0]))
    best = None
    for total_hidden in (False, True) if total >= threshold and may_hide_total else (False,):
        forced: set = set()
        room: dict = {}  # a hidden yearly total's box, narrowed to what every table's column leaves it
        while True:
            if not linked:
                years, tables = set(), []
                break
            series = linked[0].series(forced, total_hidden, room)
            years = {linked[0].labels[c] for c in np.flatnonzero(series.hidden)}
            boxes = {linked[0].labels[c]: series.box(c) for c in np.flatnonzero(series.hidden)}
            tables = [table.protect(years, total_hidden, boxes) for table in linked]
            more = set().union(*(t.thin_years(p, years) for t, p in zip(linked, tables))) - forced
            narrower = {}
            for year, (up, down) in boxes.items():
                rooms = [t.column_room(p, year) for t, p in zip(linked, tables)]
                left = (min([up, *(r[0] for r in rooms)]), min([down, *(r[1] for r in rooms)]))
                if left[0] < up - TOLERANCE or left[1] < down - TOLERANCE:
                    narrower[year] = left
            if not more and not narrower:
                break
            forced |= more
            room.update(narrower)
        for v in flat:
            tables.append(_flat(v, threshold, counts, total_hidden))
            tables[-1].run()
        thin = sum(len(table.thin()) for table in tables)
        if best is None or thin < best[0]:
            best = (thin, years, total_hidden, boxes if linked else {})
        if not thin:
            break
    _, years, total_hidden, boxes = best
    totals = dict(zip(linked[0].labels, linked[0].totals)) if linked else {}
    notes = {int(y): primary_label(threshold) if 0 < totals[y] < threshold else SECONDARY for y in sorted(years)}
    total_note = SECONDARY if total_hidden else (primary_label(threshold) if 0 < total < threshold else "")
    return Hidden(notes, total_note, {int(y): (float(boxes[y][0]), float(boxes[y][1])) for y in sorted(years)})


# The breakdowns of a measure (measure_by dimensions) over which its shared totals are decided.
SHARED_BY = (("region_code", "year"), ("weapon_type", "year"), ("context", "year"), ("month",))


def shared_totals(tables: Sequence[pd.DataFrame], threshold: float = 5, integral: bool | None = None) -> Hidden:
    """Which totals all the tables of one measure hide, decided over all of them: `tables` are its results by
    SHARED_BY (directorate × year, weapon type × year, context × year, month), each with a `value` column. Pass the result
    as `shared` to those tables' protection, and to the headline's, the yearly trend's, the About check's, the
    category table's and the map's, so that they all hide the same yearly totals and whole."""
    frames = [f.reset_index(drop=True) for f in tables if not f.empty]
    if not frames:
        return Hidden()
    values = [f["value"].to_numpy(dtype="float64") for f in frames]
    counts = all(_is_whole(v) for v in values) if integral is None else integral
    threshold = float(threshold)
    linked = [_Linked.of(v, f, [f.columns[0], "year"], [f.columns[0]], threshold, counts)
              for v, f in zip(values, frames) if "year" in f.columns and len(f.columns) >= 3]
    flat = [v for v, f in zip(values, frames) if not ("year" in f.columns and len(f.columns) >= 3)]
    return _decide(linked, flat, threshold, counts)


@dataclass
class _Protection:
    """Secondary suppression of one stratum: cell i is an edge between nodes a[i] and b[i] (the margins it belongs
    to; FREE where none is known); a hidden cell's range is found by maximum flows through the other hidden cells."""

    v: np.ndarray
    threshold: float
    counts: bool  # whole things (else kilograms)
    a: np.ndarray
    b: np.ndarray
    margins: list[tuple[int, int, float, float]] = field(default_factory=list)  # hidden margins: (a, b, up, down)
    columns: list[tuple[np.ndarray, float, float]] = field(default_factory=list)  # (cells, down, up) a column must keep
    lines: list[np.ndarray] = field(default_factory=list)  # cells whose total is hidden with them (linked) ...
    line_source: int = FREE  # ... an edge from this node to their line's node (a[i]) while one of them is hidden
    boxes: dict[int, tuple[float, float]] = field(default_factory=dict)  # cells whose box is narrower than the label's

    def __post_init__(self):
        self.primary = (self.v > 0) & (self.v < self.threshold)
        self.hidden = self.primary.copy()
        self.passed: set = set()
        self._boxes: dict[int, tuple[float, float]] = {}  # cells' boxes (lines' at ~k), computed once
        self._ends = None
        self.low, self.high = (1.0, math.ceil(self.threshold) - 1.0) if self.counts else (0.0, float(self.threshold))

    def box(self, i: int) -> tuple[float, float]:
        i = int(i)
        if i not in self._boxes:
            self._boxes[i] = self.boxes.get(i) or _box(self.v[i], self.threshold, self.counts)
        return self._boxes[i]

    def line_box(self, k: int) -> tuple[float, float]:
        if ~k not in self._boxes:
            self._boxes[~k] = _box(float(self.v[self.lines[k]].sum()), self.threshold, self.counts)
        return self._boxes[~k]

    def _arcs(self, skip: int = -1, skip_line: int = -1) -> list[tuple[int, int, float]]:
        if self._ends is None:
            self._ends = (self.a.tolist(), self.b.tolist())
        a, b = self._ends
        arcs = []
        for j in np.flatnonzero(self.hidden).tolist():
            if j != skip and a[j] != b[j]:
                up, down = self.box(j)
                arcs += [(a[j], b[j], up), (b[j], a[j], down)]
        for start, end, up, down in self.margins:
            arcs += [(start, end, up), (end, start, down)]
        for k, line in enumerate(self.lines):
            if k != skip_line and self.hidden[line].any():
                up, down = self.line_box(k)
                arcs += [(self.line_source, a[line[0]], up), (a[line[0]], self.line_source, down)]
        return arcs

    def _shortfall(self, arcs, start: int, end: int, value: float, small: bool) -> float:
        """What an edge start -> end of this value (a cell, or a line's total) misses: up is a flow end -> start,
        down a flow start -> end through the other edges."""
        if small:
            up_needed, down_needed = self.high - value, value - self.low
            up, down = _max_flow(arcs, end, start, up_needed), _max_flow(arcs, start, end, down_needed)
            return max(0.0, up_needed - up) + max(0.0, down_needed - down)
        up = _max_flow(arcs, end, start, self.threshold)
        down = _max_flow(arcs, start, end, min(self.threshold, value - self.threshold))
        return max(0.0, self.threshold - up - down)

    def deficit(self, target) -> float:
        """How much a target still misses: a hidden cell's interval, a hidden line total's, or a hidden column's box."""
        if isinstance(target, int) and target < 0:  # line ~target's total: its own edge, through the others
            line = self.lines[~target]
            if not self.hidden[line].any():
                return 0.0
            total = float(self.v[line].sum())
            return self._shortfall(self._arcs(skip_line=~target), self.line_source, self.a[line[0]], total,
                                   total < self.threshold)
        if isinstance(target, tuple):
            cells, down, up = target
            boxes = [self.box(j) for j in cells if self.hidden[j]]
            return max(0.0, down - sum(d for _, d in boxes)) + max(0.0, up - sum(u for u, _ in boxes))
        if self.a[target] == self.b[target]:
            return 0.0
        return self._shortfall(self._arcs(target), self.a[target], self.b[target], self.v[target],
                               bool(self.primary[target]))

    def _options(self, target) -> Iterable[list[int]]:
        """Cells whose hiding may help, cheapest first: single cells sharing a margin with the target (through the
        hidden margins too); then, for a line, one of its cells with one beside it; for a cell between two known
        margins, the other corners of a rectangle."""
        shown = (~self.hidden) & (self.v >= self.threshold)
        order = lambda cells: sorted(cells, key=lambda j: (self.v[j], j))  # noqa: E731
        if isinstance(target, tuple):
            yield from ([j] for j in order(target[0][shown[target[0]]]))
            return
        line = self.lines[~target] if target < 0 else None
        cells = [j for j in line if self.hidden[j]] if line is not None else [target]
        ends = {self.a[j] for j in cells} | {self.b[j] for j in cells}
        hidden_columns = {margin[0] for margin in self.margins}
        if ends & hidden_columns:  # a hidden year's total moves against the other hidden years'
            ends |= hidden_columns
        ends.discard(FREE)
        near = np.isin(self.a, list(ends)) | np.isin(self.b, list(ends))
        yield from ([j] for j in order(np.flatnonzero(near & shown)))
        if line is not None:  # one more cell of the line with one beside it
            pairs = [(self.v[j] + self.v[k], sorted((j, k))) for j in line if shown[j]
                     for k in np.flatnonzero(shown & (self.b == self.b[j])) if k != j]
            yield from (pair for _, pair in sorted(pairs))
        elif not self.lines and FREE not in (self.a[target], self.b[target]):
            yield from self._rectangles(target)

    def _rectangles(self, i: int) -> list[list[int]]:
        """The other corners of each rectangle through cell i (two known margins): new cells only, cheapest first."""
        usable = self.hidden | (self.v >= self.threshold)
        at = {(self.a[j], self.b[j]): j for j in range(len(self.v))}
        out = []
        for (row, col), j in at.items():
            if row == self.a[i] or col == self.b[i]:
                continue
            corners = [at.get((self.a[i], col)), at.get((row, self.b[i])), j]
            if all(c is not None and usable[c] for c in corners):
                new = [c for c in corners if not self.hidden[c]]
                if new:
                    out.append((sum(self.v[c] for c in new), sorted(new)))
        return [new for _, new in sorted(out)]

    def _fix(self, target) -> bool:
        """Hide what fixes the target at least cost (else the single cell that helps most); False when nothing helps."""
        best, best_deficit = None, self.deficit(target)
        for cells in self._options(target):
            if len(cells) > 1 and best is not None:
                break  # a single cell helps: take it before trying pairs and rectangles
            self.hidden[cells] = True
            after = self.deficit(target)
            self.hidden[cells] = False
            if after <= TOLERANCE:
                self.hidden[cells] = True
                return True
            if after < best_deficit - TOLERANCE:
                best, best_deficit = cells, after
        if best is None:
            return False
        self.hidden[best] = True
        return True

    def _targets(self) -> list:
        targets = [(("column", k), column) for k, column in enumerate(self.columns)]
        targets += [(("cell", i), int(i)) for i in np.flatnonzero(self.hidden)]
        return targets + [(("line", k), ~k) for k in range(len(self.lines))]

    def thin(self) -> list:
        """The targets still missing something (after run: those nothing could fix)."""
        return [name for name, target in self._targets()
                if name not in self.passed and self.deficit(target) > TOLERANCE]

    def run(self) -> np.ndarray:
        # Hiding a cell only adds room (an edge, or a line's edge), so a target once met stays met: it is not
        # checked again.
        self.passed: set = set()
        stuck: set = set()
        while True:
            failing = None
            for name, target in self._targets():
                if name in self.passed or name in stuck:
                    continue
                if self.deficit(target) <= TOLERANCE:
                    self.passed.add(name)
                else:
                    failing = (name, target)
                    break
            if failing is None:
                return self.hidden
            name, target = failing
            if self._fix(target):
                stuck.clear()
            else:
                stuck.add(name)  # nothing left helps (a total below the threshold in small parts): left as it is


def _max_flow(arcs: list[tuple[int, int, float]], source: int, sink: int, limit: float) -> float:
    """The largest flow from source to sink through arcs (from, to, capacity), up to `limit` (augmenting paths)."""
    if limit <= TOLERANCE:
        return 0.0
    if source == sink:
        return limit
    capacity: dict[tuple[int, int], float] = defaultdict(float)
    neighbours: dict[int, list] = defaultdict(list)
    for start, end, room in arcs:
        if room > TOLERANCE and start != end:
            if (start, end) not in capacity and (end, start) not in capacity:
                neighbours[start].append(end)
                neighbours[end].append(start)
            capacity[(start, end)] += room
    flow = 0.0
    while flow < limit - TOLERANCE:
        parent = {source: None}
        queue = deque([source])
        while queue and sink not in parent:
            node = queue.popleft()
            for nxt in neighbours[node]:
                if nxt not in parent and capacity[(node, nxt)] > TOLERANCE:
                    parent[nxt] = node
                    queue.append(nxt)
        if sink not in parent:
            break
        path, node = [], sink
        while parent[node] is not None:
            path.append((parent[node], node))
            node = parent[node]
        push = min(limit - flow, *(capacity[arc] for arc in path))
        for start, end in path:
            capacity[(start, end)] -= push
            capacity[(end, start)] += push
        flow += push
    return flow


def protect(
    frame: pd.DataFrame, values: Sequence[str], dims: Sequence[str], strata: Sequence[str] = (), threshold: float = 5,
    linked: Sequence[str] = (), integral: bool | Sequence[bool] | None = None, shared: Hidden | None = None,
) -> pd.DataFrame:
    """A copy of `frame` with each value column's hidden cells missing and a `<column>_note` column beside it.

    The frame's true totals per value column stay in `attrs["totals"]` (they are margins, shown elsewhere anyway)
    so that shares can still be computed from a protected frame. `linked`, `integral`, `shared`: see hidden_cells.
    """
    out = frame.copy().reset_index(drop=True)
    keys = out[[*dims, *strata]]
    totals = {}
    for column in values:
        numbers = pd.to_numeric(out[column], errors="coerce").astype("float64")
        primary, hidden = hidden_cells(numbers, keys, dims, strata, threshold, linked, integral, shared)
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


def linked_totals(totals: pd.DataFrame, finer: pd.DataFrame, dim: str, threshold: float = 5,
                  shared: Hidden | None = None) -> pd.DataFrame:
    """Totals per `dim` (columns dim, value) protected as the margin of `finer`, the protected dim × year frame
    (protected with linked=(dim,)): a total is hidden exactly when its line there holds a hidden cell. A table of a
    single line is the exception: its total is the measure's whole, shown or hidden as the whole is (`shared`)."""
    out = totals.copy().reset_index(drop=True)
    numbers = pd.to_numeric(out["value"], errors="coerce").astype("float64")
    hide = out[dim].isin(finer.loc[finer["value" + NOTE_SUFFIX] != "", dim]).to_numpy()
    small = (numbers > 0).to_numpy() & (numbers < threshold).to_numpy()
    if len(out) == 1:
        hide = small | bool(shared is not None and shared.total)
    primary = hide & small
    out["value"] = numbers.where(~hide)
    out["value" + NOTE_SUFFIX] = np.select([primary, hide], [primary_label(threshold), SECONDARY], "")
    out.attrs["totals"] = {"value": float(numbers.sum())}
    return out


def note_of(frame: pd.DataFrame, column: str, index) -> str:
    """The note of one cell ("" when shown or when the frame is not protected)."""
    note = column + NOTE_SUFFIX
    return str(frame.at[index, note]) if note in frame.columns else ""


# --- the frames of the pages ------------------------------------------------------------------------------------


def _alone(series: Mapping, threshold: float) -> Hidden:
    """A measure's shared totals decided from its yearly series alone: for callers not given `shared_totals`."""
    years = sorted(series)
    values = np.array([series[y] for y in years], dtype="float64")
    if not len(values):
        return Hidden()
    keys = pd.DataFrame({"line": 0, "year": years})
    table = _Linked.of(values, keys, ["line", "year"], ["line"], float(threshold), _is_whole(values))
    return _decide([table], [], float(threshold), _is_whole(values), may_hide_total=False)


def _note(shared: Hidden, year, value, threshold: float) -> str:
    """A national yearly total's note: as the measure's decision says, and "<5" whenever it is small."""
    note = shared.years.get(int(year), "")
    return note or (primary_label(threshold) if 0 < value < threshold else "")


def protect_years(frame: pd.DataFrame, column: str, shared: Hidden | None, threshold: float = 5) -> pd.DataFrame:
    """A measure's yearly series (the yearly trend: year, `column`): the years `shared` hides, no others (None:
    decided from this series alone)."""
    out = frame.copy().reset_index(drop=True)
    numbers = pd.to_numeric(out[column], errors="coerce").astype("float64")
    if shared is None:
        shared = _alone(dict(zip(out["year"][numbers.notna()], numbers.dropna())), threshold)
    notes = np.array([_note(shared, y, v, threshold) for y, v in zip(out["year"], numbers)], dtype=object)
    out[column] = numbers.where(notes == "")
    out[column + NOTE_SUFFIX] = notes
    out.attrs["totals"] = {column: float(numbers.sum())}
    return out


def protect_headline(frame: pd.DataFrame, threshold: float = 5, shared: Mapping[str, Hidden] | None = None) -> pd.DataFrame:
    """Headline figures (one row per measure): this year's value and last year's are national yearly totals, the
    period total the measure's whole, hidden as `shared` (measure -> shared_totals) says, and whenever small; the
    change is hidden with either value."""
    out = frame.copy().reset_index(drop=True)
    notes = {column: [""] * len(out) for column in ("value", "previous", "period_total")}
    for i, row in out.iterrows():
        decided = (shared or {}).get(row["measure"], Hidden())
        for column, year in (("value", row["year"]), ("previous", row["year"] - 1)):
            number = pd.to_numeric(pd.Series([row[column]]), errors="coerce").iloc[0]
            notes[column][i] = _note(decided, year, number, threshold)
        total = pd.to_numeric(pd.Series([row["period_total"]]), errors="coerce").iloc[0]
        notes["period_total"][i] = decided.total or (primary_label(threshold) if 0 < total < threshold else "")
    for column, column_notes in notes.items():
        numbers = pd.to_numeric(out[column], errors="coerce").astype("float64")
        out[column] = numbers.where(np.array(column_notes) == "")
        out[column + NOTE_SUFFIX] = column_notes
    unknown = (out["value" + NOTE_SUFFIX] != "") | (out["previous" + NOTE_SUFFIX] != "")
    for column in ("change", "pct_change"):
        out[column] = pd.to_numeric(out[column], errors="coerce").astype("float64").where(~unknown)
        out[column + NOTE_SUFFIX] = np.where(unknown, SECONDARY, "")
    return out


def protect_check(frame: pd.DataFrame, threshold: float = 5,
                  shared: Mapping[tuple[str, str], Hidden] | None = None) -> pd.DataFrame:
    """published_vs_recorded: the records' sum beside a published figure is a national total of its years, hidden
    when `shared` ((category, unit) -> shared_totals of that measure) hides one of those years (a span's sum would
    give it away with the others), and whenever small; `consistent` is hidden with it."""
    if frame.empty:
        return frame
    out = frame.copy().reset_index(drop=True)
    notes = []
    for row in out.itertuples():
        decided = (shared or {}).get((row.category, row.unit), Hidden())
        last = row.year_from if pd.isna(row.year_to) else row.year_to
        years = [decided.years.get(int(y), "") for y in range(int(row.year_from), int(last) + 1)]
        note = next((n for n in years if n), "")
        notes.append(note or (primary_label(threshold) if 0 < row.recorded < threshold else ""))
    out["recorded"] = out["recorded"].astype("float64").where(np.array(notes, dtype=object) == "")
    out["recorded" + NOTE_SUFFIX] = notes
    return out.assign(consistent=out["consistent"].astype("boolean").where(out["recorded" + NOTE_SUFFIX] == ""))


def protect_categories(frame: pd.DataFrame, threshold: float = 5,
                       shared: Mapping[tuple[str, str], Hidden] | None = None) -> pd.DataFrame:
    """totals_by_category: each category's quantity is a measure's whole, hidden as `shared` ((category, unit) ->
    shared_totals) says, else only when small; its seizure lines add up across categories to the number of
    seizure lines, which the About page's sources give too, so they are protected as one table."""
    out = frame.copy().reset_index(drop=True)
    numbers = out["quantity"].astype("float64")
    notes = [(shared or {}).get((c, u), Hidden()).total or (primary_label(threshold) if 0 < q < threshold else "")
             for c, u, q in zip(out["category"], out["unit"], numbers)]
    out["quantity"] = numbers.where(np.array(notes, dtype=object) == "")
    out["quantity" + NOTE_SUFFIX] = notes
    kinds = out.assign(kind=out["category"].astype(str) + "/" + out["unit"].astype(str))
    lines = protect(kinds, ["lines"], ["kind"], (), threshold)
    out["lines"] = lines["lines"].to_numpy()
    out["lines" + NOTE_SUFFIX] = lines["lines" + NOTE_SUFFIX].to_numpy()
    out.attrs["totals"] = {"quantity": float(numbers.sum()), **lines.attrs["totals"]}
    return out


def protect_region_year_totals(frame: pd.DataFrame, threshold: float = 5,
                               shared: Mapping[tuple[str, str], Hidden] | None = None) -> pd.DataFrame:
    """totals_by_region_year for the map, which adds each directorate's years up: a directorate's period total is
    hidden as in the Regions page (where its directorate × year line holds a hidden cell), every year row of a
    hidden directorate left missing. `shared`: (category, unit) -> shared_totals of that measure."""
    out = frame.copy().reset_index(drop=True)
    if out.empty:
        return out
    keys = ["category", "unit", "region_code"]
    hidden = []
    for (category, unit), part in out.groupby(["category", "unit"], sort=False):
        decided = None if shared is None else shared.get((category, unit), Hidden())
        cells = protect(part, ["quantity"], ["region_code", "year"], (), threshold, linked=["region_code"],
                        integral=unit != "kg", shared=decided)
        hidden.append(cells.loc[cells["quantity_note"] != "", keys])
    hidden_keys = pd.concat(hidden).drop_duplicates()
    marked = out.merge(hidden_keys.assign(_hidden=True), on=keys, how="left")["_hidden"].eq(True).to_numpy()
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
