"""The summaries of the seizure lines: what the pages read instead of the lines, so that a page costs the same at
ten million lines as at ten thousand (in time and in memory).

`seizure_summary` has one row per key (year, month, directorate, category, weapon type, unit, context) and import,
holding the additive measures of its rows: record lines, counts by period, illustrative rows, quantity, lines with a
case reference, and the seizure events that can be added up. A seizure event is one case reference, and a case may
have lines with different keys (a pistol and its rounds): such a case must count once in each group a query makes of
its keys, which no sum of per-key counts gives. So a case is counted in `seizure_summary.events` only when all its
lines share one key (in the row of its lowest import id); the others are listed with each of their keys in
`seizure_case_keys`, and the queries add their count distinct per group. Lines without a case reference, and counts
by period, are no event: where a group has no line with a case reference, its events are "not recorded".

Every write of seizure lines keeps them exact, inside the writer's transaction:
- rebuild(conn): from all the lines (`seizures init`, the benchmark generator, after editing lines with SQL);
- added(conn, import_id): after an import's lines were inserted;
- removing(conn, import_id): before an import's lines are deleted (rollback).
The last two cost in proportion to the import's lines, plus one pass over the stored case references. On a store
whose schema predates the summaries they do nothing: `seizures init` builds them when it upgrades the store.
"""

from __future__ import annotations

import sqlalchemy as sa

from seizures.schema import seizure_case_keys, seizure_summary, seizures

KEY = ("year", "month", "region_code", "category", "weapon_type", "unit", "context")
MEASURES = ("lines", "illustrative_lines", "quantity", "events", "count_rows", "case_lines")
NO_IMPORT = 0  # stands for a NULL import id when matching rows (import ids start at 1)

# Work tables, while the summaries are brought up to date: the lines of the case references an import touches, and
# each case reference's extent (the lowest and highest of each key column over its lines, and its lowest import).
_work = sa.MetaData()
case_lines = sa.Table(
    "summary_case_lines",
    _work,
    sa.Column("case_ref", sa.String, nullable=False),
    *(sa.Column(c.name, c.type) for c in seizure_case_keys.c if c.name in KEY),
    sa.Column("import_id", sa.BigInteger),
    prefixes=["TEMPORARY"],
)
case_extents = sa.Table(
    "summary_case_extents",
    _work,
    sa.Column("case_ref", sa.String, nullable=False),
    *(sa.Column(f"{c.name}_{end}", c.type) for c in seizure_case_keys.c if c.name in KEY for end in ("min", "max")),
    sa.Column("import_id", sa.BigInteger),
    prefixes=["TEMPORARY"],
)
ONE_KEY = sa.and_(*(case_extents.c[f"{k}_min"] == case_extents.c[f"{k}_max"] for k in KEY))


def _keyed_lines(*where: sa.ColumnElement[bool]) -> sa.Select:
    """The lines' case reference, key and import id; what a line does not record gets the key's own value for it
    (month 0 for a count of a quarter or a year, "" for no region, weapon type or context)."""
    s = seizures
    dated_to_the_month = s.c.period.in_(("day", "month"))
    return sa.select(
        s.c.case_ref,
        sa.cast(sa.extract("year", s.c.seized_on), sa.Integer).label("year"),
        sa.case((dated_to_the_month, sa.cast(sa.extract("month", s.c.seized_on), sa.Integer)), else_=0).label("month"),
        sa.func.coalesce(s.c.region_code, "").label("region_code"), s.c.category,
        sa.func.coalesce(s.c.weapon_type, "").label("weapon_type"), s.c.unit,
        sa.func.coalesce(s.c.context, "").label("context"), s.c.import_id,
    ).where(*where)


def _line_totals(*where: sa.ColumnElement[bool], events=None) -> sa.Select:
    """Per key and import: the measures of the rows (record lines and counts); events counted on the lines are none
    by default (a case reference is counted through the extents); `events(lines)` may give a per-line count (1, 0)."""
    lines = _keyed_lines(*where).add_columns(
        seizures.c.illustrative, seizures.c.quantity, (seizures.c.period == "day").label("one_seizure"),
    ).subquery("lines")
    keys = [lines.c[k] for k in KEY]
    one_event = events(lines) if events else sa.literal(0)

    def count(condition) -> sa.ColumnElement[int]:
        return sa.func.sum(sa.case((condition, 1), else_=0))

    return sa.select(
        *keys, lines.c.import_id,
        count(lines.c.one_seizure).label("lines"),
        count(lines.c.illustrative).label("illustrative_lines"),
        sa.func.sum(lines.c.quantity).label("quantity"),
        sa.func.sum(one_event).label("events"),
        count(sa.not_(lines.c.one_seizure)).label("count_rows"),
        count(sa.and_(lines.c.one_seizure, lines.c.case_ref.is_not(None))).label("case_lines"),
    ).group_by(*keys, lines.c.import_id)


def _extents(lines: sa.FromClause) -> sa.Select:
    """Per case reference among `lines`: the lowest and highest of each key column, and the lowest import id."""
    return (
        sa.select(
            lines.c.case_ref,
            *(agg(lines.c[k]) for k in KEY for agg in (sa.func.min, sa.func.max)),
            sa.func.min(lines.c.import_id),
        )
        .where(lines.c.case_ref.is_not(None))
        .group_by(lines.c.case_ref)
    )


def _fill_extents(conn: sa.Connection, lines: sa.FromClause) -> None:
    case_extents.create(conn)
    conn.execute(case_extents.insert().from_select([c.name for c in case_extents.c], _extents(lines)))


def _single_key_counts() -> sa.Select:
    """Per key and import: how many case references (in case_extents) have all their lines on that one key."""
    keys = [case_extents.c[f"{k}_min"].label(k) for k in KEY]
    return sa.select(*keys, case_extents.c.import_id, sa.func.count().label("events")).where(ONE_KEY).group_by(
        *(case_extents.c[f"{k}_min"] for k in KEY), case_extents.c.import_id)


def _multi_key_cases(lines: sa.FromClause) -> sa.Select:
    """Each key of the case references (in case_extents) whose lines have more than one key."""
    several = sa.select(case_extents.c.case_ref).where(sa.not_(ONE_KEY))
    return sa.select(lines.c.case_ref, *(lines.c[k] for k in KEY)).where(lines.c.case_ref.in_(several)).distinct()


def _same_row(counts: sa.FromClause) -> sa.ColumnElement[bool]:
    t = seizure_summary
    return sa.and_(
        *(t.c[k] == counts.c[k] for k in KEY),
        sa.func.coalesce(t.c.import_id, NO_IMPORT) == sa.func.coalesce(counts.c.import_id, NO_IMPORT),
    )


def rebuild(conn: sa.Connection) -> None:
    """Recompute both summaries from every stored line (in the caller's transaction)."""
    conn.execute(seizure_case_keys.delete())
    conn.execute(seizure_summary.delete())
    lines = _keyed_lines().subquery("lines")
    _fill_extents(conn, lines)
    totals = _line_totals().subquery("totals")
    cases = _single_key_counts().subquery("cases")
    rows = sa.select(
        *(totals.c[k] for k in KEY), totals.c.import_id, totals.c.lines, totals.c.illustrative_lines,
        totals.c.quantity, (totals.c.events + sa.func.coalesce(cases.c.events, 0)).label("events"),
        totals.c.count_rows, totals.c.case_lines,
    ).select_from(totals.outerjoin(cases, sa.and_(
        *(totals.c[k] == cases.c[k] for k in KEY),
        sa.func.coalesce(totals.c.import_id, NO_IMPORT) == sa.func.coalesce(cases.c.import_id, NO_IMPORT),
    )))
    conn.execute(seizure_summary.insert().from_select([*KEY, "import_id", *MEASURES], rows))
    conn.execute(seizure_case_keys.insert().from_select(["case_ref", *KEY], _multi_key_cases(lines)))
    case_extents.drop(conn)


def _summarised(conn: sa.Connection) -> bool:
    return sa.inspect(conn).has_table(seizure_summary.name)


def added(conn: sa.Connection, import_id: int) -> None:
    """Bring the summaries up to date after the lines of import `import_id` were inserted (same transaction)."""
    if not _summarised(conn):
        return
    if _cases_shared(conn, import_id):
        conn.execute(seizure_summary.insert().from_select(
            [*KEY, "import_id", *MEASURES], _line_totals(seizures.c.import_id == import_id)))
        without = sa.func.coalesce(case_lines.c.import_id, NO_IMPORT) != import_id
        _recount_cases(conn, import_id, before=without, after=sa.true())
    else:
        _add_new_cases(conn, import_id)


def _cases_shared(conn: sa.Connection, import_id: int) -> bool:
    """Whether a line of another import (or of none) has a case reference that import `import_id` has lines of."""
    s, other = seizures, seizures.alias("other")
    touched = sa.select(s.c.case_ref).where(s.c.import_id == import_id, s.c.case_ref.is_not(None))
    return conn.execute(sa.select(sa.exists().where(
        other.c.case_ref.in_(touched), sa.func.coalesce(other.c.import_id, NO_IMPORT) != import_id,
    ))).scalar_one()


def _add_new_cases(conn: sa.Connection, import_id: int) -> None:
    """added() when the import's case references have no lines elsewhere (the usual case: new cases).

    Nothing was counted for them before, so there is nothing to take away (nor any seizure_case_keys row to
    replace); a case reference with a single line is one event on that line's key, counted with the line totals in
    one pass. Only the case references with several lines go through the extents (usually few).
    """
    s = seizures
    mine = s.c.import_id == import_id
    several = (sa.select(s.c.case_ref).where(mine, s.c.case_ref.is_not(None))
               .group_by(s.c.case_ref).having(sa.func.count() > 1))
    case_lines.create(conn)
    conn.execute(case_lines.insert().from_select(
        [c.name for c in case_lines.c], _keyed_lines(mine, s.c.case_ref.in_(several))))
    def single_line_cases(lines: sa.Subquery) -> sa.ColumnElement[int]:
        return sa.case((lines.c.case_ref.is_(None), 0),
                       (lines.c.case_ref.in_(sa.select(case_lines.c.case_ref)), 0), else_=1)

    conn.execute(seizure_summary.insert().from_select(
        [*KEY, "import_id", *MEASURES], _line_totals(mine, events=single_line_cases)))
    new_lines = sa.select(case_lines).subquery("lines")
    _fill_extents(conn, new_lines)
    _add_events(conn, 1)
    conn.execute(seizure_case_keys.insert().from_select(["case_ref", *KEY], _multi_key_cases(new_lines)))
    case_extents.drop(conn)
    case_lines.drop(conn)


def removing(conn: sa.Connection, import_id: int) -> None:
    """Take import `import_id` out of the summaries, before its lines are deleted (same transaction)."""
    if not _summarised(conn):
        return
    without = sa.func.coalesce(case_lines.c.import_id, NO_IMPORT) != import_id
    _recount_cases(conn, import_id, before=sa.true(), after=without,
                   between=seizure_summary.delete().where(seizure_summary.c.import_id == import_id))


def _add_events(conn: sa.Connection, sign: int) -> None:
    """Add (sign 1) or take away (-1) the events of the single-key cases in case_extents."""
    counts = _single_key_counts().subquery("counts")
    conn.execute(seizure_summary.update().where(_same_row(counts))
                 .values(events=seizure_summary.c.events + sign * counts.c.events))


def _recount_cases(conn: sa.Connection, import_id: int, before, after, between=None) -> None:
    """Move the events of the case references the import has lines of from their state before to after."""
    touched = sa.select(seizures.c.case_ref).where(seizures.c.import_id == import_id, seizures.c.case_ref.is_not(None))
    # The work tables are dropped at the end; a failure rolls the transaction back, and them with it.
    case_lines.create(conn)
    conn.execute(case_lines.insert().from_select(
        [c.name for c in case_lines.c], _keyed_lines(seizures.c.case_ref.in_(touched))))
    _fill_extents(conn, sa.select(case_lines).where(before).subquery("lines"))
    _add_events(conn, -1)
    case_extents.drop(conn)
    if between is not None:
        conn.execute(between)
    new_lines = sa.select(case_lines).where(after).subquery("lines")
    _fill_extents(conn, new_lines)
    _add_events(conn, 1)
    conn.execute(seizure_case_keys.delete().where(seizure_case_keys.c.case_ref.in_(sa.select(case_lines.c.case_ref))))
    conn.execute(seizure_case_keys.insert().from_select(["case_ref", *KEY], _multi_key_cases(new_lines)))
    case_extents.drop(conn)
    case_lines.drop(conn)
