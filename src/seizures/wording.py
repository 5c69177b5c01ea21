"""The Roadmap's wording, edited in the app by an administrator: goal titles, KPI titles and definitions, and whether
each is checked against the Roadmap. Every change is audited in `wording_changes` (who, when, the old and the new
value), all of an edit's changes in one transaction or none.

The wording is not invented anywhere in the code: it stays empty ("not available") until someone enters it from the
Roadmap's monitoring framework. `reapply` puts the audited edits back after `seizures init --demo` has reloaded the
reference CSV files, so an edit made in the app survives a reload of the demo.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa

from seizures import spreadsheet
from seizures.i18n import N_
from seizures.schema import roadmap_goals, roadmap_kpis, wording_changes

TABLES = {"roadmap_goals": roadmap_goals, "roadmap_kpis": roadmap_kpis}
# The fields an administrator edits, per table.
FIELDS = {"roadmap_goals": ("title", "wording_status"), "roadmap_kpis": ("title", "definition", "wording_status")}
# The stored values of wording_status, with what the app calls them.
STATUSES = {
    "confirmed": N_("checked against the Roadmap"),
    "unconfirmed": N_("not verified yet"),
    "not available": N_("not available"),
}
MAX_LENGTH = 2000  # a title or definition longer than this is a paste gone wrong


class WordingError(ValueError):
    """An edit that cannot be saved: the message names the goal or KPI and the field."""


@dataclass(frozen=True)
class Change:
    table_name: str  # roadmap_goals | roadmap_kpis
    phase_code: str
    number: int
    field: str
    old: str | None
    new: str | None

    @property
    def subject(self) -> str:
        kind = "goal" if self.table_name == "roadmap_goals" else "KPI"
        return f"{kind} {self.number} ({self.phase_code})"


def current(engine: sa.Engine, table_name: str, phase_code: str) -> pd.DataFrame:
    """Every goal or KPI of a phase (not only those the project contributes to) with its editable fields, by number."""
    table = TABLES[table_name]
    columns = [table.c.number, *(table.c[f] for f in FIELDS[table_name])]
    with engine.connect() as conn:
        rows = conn.execute(sa.select(*columns).where(table.c.phase_code == phase_code).order_by(table.c.number)).all()
    frame = pd.DataFrame(rows, columns=["number", *FIELDS[table_name]])
    return frame.astype({"number": "int64"}).astype({f: "object" for f in FIELDS[table_name]})


def _clean(value) -> str | None:
    """A cell as stored: trimmed text, None for empty."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    text = str(value).strip()
    return text or None


def changes(before: pd.DataFrame, after: pd.DataFrame, table_name: str, phase_code: str) -> list[Change]:
    """What an edited table (the `current` frame, edited) changes: one Change per field whose value differs.

    The rows are matched by number; a row added or removed, or a number changed, is refused (the goals and KPIs
    themselves are reference data, not wording)."""
    if sorted(before["number"]) != sorted(after["number"]):
        raise WordingError("goals and KPIs cannot be added, removed or renumbered here: only their wording is edited")
    old = before.set_index("number")
    out = []
    for row in after.to_dict("records"):
        number = int(row["number"])
        for field in FIELDS[table_name]:
            was, now = _clean(old.at[number, field]), _clean(row.get(field))
            if was != now:
                out.append(Change(table_name, phase_code, number, field, was, now))
    return out


def _check(after: pd.DataFrame, table_name: str) -> None:
    """Refuse what cannot be stored: an unknown status, control characters, over-long text, a title without a
    status saying whether it is checked, a checked status without a title."""
    kind = "goal" if table_name == "roadmap_goals" else "KPI"
    for row in after.to_dict("records"):
        where = f"{kind} {int(row['number'])}"
        for field in FIELDS[table_name]:
            value = _clean(row.get(field))
            if value is None:
                continue
            if any(ord(c) < 32 and c not in "\t\n" or ord(c) == 127 for c in value):
                raise WordingError(f"{where}, {field}: control characters are not allowed")
            if len(value) > MAX_LENGTH:
                raise WordingError(f"{where}, {field}: longer than {MAX_LENGTH:,} characters")
        status, title = _clean(row.get("wording_status")), _clean(row.get("title"))
        if status is not None and status not in STATUSES:
            raise WordingError(f"{where}, wording_status: {status!r} is not one of {', '.join(STATUSES)}")
        if title and status in (None, "not available"):
            raise WordingError(f"{where}: a title needs its status: checked against the Roadmap, or to be verified")
        if status == "confirmed" and not title:
            raise WordingError(f"{where}: wording checked against the Roadmap needs the wording")


def save(engine: sa.Engine, before: pd.DataFrame, after: pd.DataFrame, table_name: str, phase_code: str,
         user: str) -> list[Change]:
    """Store an edit of a phase's goals or KPIs (`current`, then edited) and audit each change, in one transaction.

    Refused whole (WordingError, nothing written) when a value cannot be stored, or when a field changed in the
    store since `before` was read (someone else saved meanwhile: reload and edit again)."""
    if not user:
        raise WordingError("who makes the change must be known")
    _check(after, table_name)
    found = changes(before, after, table_name, phase_code)
    if not found:
        return []
    table = TABLES[table_name]
    now = dt.datetime.now()
    with engine.begin() as conn:
        for change in found:
            key = (table.c.phase_code == phase_code, table.c.number == change.number)
            stored = conn.execute(sa.select(table.c[change.field]).where(*key)).one_or_none()
            if stored is None or _clean(stored[0]) != change.old:
                raise WordingError(f"{change.subject}, {change.field}: changed by someone else since it was read; "
                                   "reload the page and edit again")
            conn.execute(table.update().where(*key).values({change.field: change.new}))
        conn.execute(wording_changes.insert(), [
            {"table_name": c.table_name, "phase_code": c.phase_code, "number": c.number, "field": c.field,
             "old_value": c.old, "new_value": c.new, "user_name": user, "changed_at": now} for c in found
        ])
    return found


HISTORY_COLUMNS = ["changed_at", "user_name", "table_name", "phase_code", "number", "field", "old_value", "new_value"]


def history(engine: sa.Engine) -> pd.DataFrame:
    """Every audited change, newest first (HISTORY_COLUMNS)."""
    w = wording_changes
    with engine.connect() as conn:
        rows = conn.execute(sa.select(*(w.c[c] for c in HISTORY_COLUMNS)).order_by(w.c.id.desc())).all()
    return pd.DataFrame(rows, columns=HISTORY_COLUMNS)


def history_csv(engine: sa.Engine) -> bytes:
    """The audit as a CSV file, safe to open in a spreadsheet."""
    return spreadsheet.csv_bytes(history(engine))


def wording_csv(engine: sa.Engine, phase_code: str) -> bytes:
    """A phase's goals and KPIs with their current wording, as a CSV file (kind, number, title, definition, status)."""
    goals = current(engine, "roadmap_goals", phase_code).assign(kind="goal", definition=None)
    kpis = current(engine, "roadmap_kpis", phase_code).assign(kind="KPI")
    frame = pd.concat([goals, kpis], ignore_index=True).assign(phase_code=phase_code)
    return spreadsheet.csv_bytes(frame[["phase_code", "kind", "number", "title", "definition", "wording_status"]])


def reapply(conn: sa.Connection) -> int:
    """Put each field's latest audited value back (after the reference CSV files were reloaded); returns how many
    fields it set. Goals or KPIs no longer in the store are left alone."""
    w = wording_changes
    latest = sa.select(sa.func.max(w.c.id)).group_by(w.c.table_name, w.c.phase_code, w.c.number, w.c.field)
    rows = conn.execute(sa.select(w.c.table_name, w.c.phase_code, w.c.number, w.c.field, w.c.new_value)
                        .where(w.c.id.in_(latest))).all()
    rows = [row for row in rows if row.field in FIELDS.get(row.table_name, ())]
    for row in rows:
        table = TABLES[row.table_name]
        conn.execute(table.update().where(table.c.phase_code == row.phase_code, table.c.number == row.number)
                     .values({row.field: row.new_value}))
    return len(rows)
