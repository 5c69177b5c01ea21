"""Events on the timeline: what happened when (an operation, an amnesty, a change of law, a training, an equipment
delivery, a census), nationally or in one directorate, drawn on the trend charts and listed in the donor report.

An event is a day (starts_on) or a span (starts_on to ends_on), national (no region_code) or one directorate's,
with a kind (vocab.EVENT_KINDS), a title in English and optionally in Albanian and Serbian, a source and
optionally a link. Every addition, edit and removal writes a row in `event_changes`: who, when, the values before
and after (JSON), and how (a note such as "imported from events.csv, row 4"). Listing for a filter is
queries.events_in_filter.

Import (CSV or .xlsx, read by upload.py, so hostile files are refused as for seizure records) is all or nothing:
every problem is reported with its row (the header is row 1) and column, and nothing is written unless there is
none. A row with an `id` replaces that stored event (the layout of the export, so an exported file can be edited
and imported back); a row without one adds an event. An event already stored (same start, end, directorate, kind
and English title) is refused, as is the same event twice in a file.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from seizures import i18n, ingest, queries, schema, upload, vocab

KINDS = vocab.EVENT_KINDS
FIELDS = ("starts_on", "ends_on", "region_code", "kind", "title_en", "title_sq", "title_sr", "source", "url")
EXPORT_COLUMNS = ("id", "starts_on", "ends_on", "region", "kind", "title_en", "title_sq", "title_sr", "source", "url")
# File column -> the header spellings accepted for it (after ingest.normalise_header).
COLUMNS = {
    "id": ("id", "event_id"),
    "starts_on": ("starts_on", "start", "start_date", "date", "from"),
    "ends_on": ("ends_on", "end", "end_date", "to", "until"),
    "region": ("region", "region_code", "directorate", "regional_directorate"),
    "kind": ("kind", "type", "event_type"),
    "title_en": ("title_en", "title", "title_english"),
    "title_sq": ("title_sq", "title_albanian"),
    "title_sr": ("title_sr", "title_serbian"),
    "source": ("source",),
    "url": ("url", "link"),
}
REQUIRED = ("starts_on", "kind", "title_en", "source")
ALIASES = {alias: column for column, aliases in COLUMNS.items() for alias in aliases}
EARLIEST, LATEST = dt.date(1990, 1, 1), dt.date(2100, 12, 31)
TITLE_MAX, SOURCE_MAX, URL_MAX = 200, 300, 500
MAX_ROWS = 10_000  # an events file is short; a longer one is not an events file
ERROR_COLUMNS = ["row", "column", "value", "reason"]
RISKY_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Event:
    """One event, as stored (without its id)."""

    starts_on: dt.date
    kind: str
    title_en: str
    source: str
    ends_on: dt.date | None = None
    region_code: str | None = None
    title_sq: str | None = None
    title_sr: str | None = None
    url: str | None = None

    def values(self) -> dict:
        return {name: getattr(self, name) for name in FIELDS}

    def key(self) -> tuple:
        """What makes two events the same one."""
        return (self.starts_on, self.ends_on, self.region_code, self.kind, self.title_en.lower())


class EventError(ValueError):
    """An event cannot be stored as given: problems as (column, value, reason)."""

    def __init__(self, problems: list[tuple[str, str, str]]):
        self.problems = problems
        super().__init__("; ".join(f"{column}: {reason}" for column, _value, reason in problems))


# --- one event ----------------------------------------------------------------------------------------------------


def problems(event: Event, region_codes: set[str]) -> list[tuple[str, str, str]]:
    """What is wrong with an event (column, value, reason); empty when it can be stored."""
    found = []
    for name, when in (("starts_on", event.starts_on), ("ends_on", event.ends_on)):
        if when is not None and not EARLIEST <= when <= LATEST:
            found.append((name, str(when), f"a date between {EARLIEST} and {LATEST}"))
    if event.ends_on is not None and event.ends_on < event.starts_on:
        found.append(("ends_on", str(event.ends_on), f"before the start ({event.starts_on})"))
    if event.region_code is not None and event.region_code not in region_codes:
        found.append(("region_code", event.region_code, "unknown directorate; leave it empty for a national event"))
    if event.kind not in KINDS:
        found.append(("kind", event.kind, f"unknown kind; expected one of: {', '.join(KINDS)}"))
    for name, limit in (("title_en", TITLE_MAX), ("title_sq", TITLE_MAX), ("title_sr", TITLE_MAX),
                        ("source", SOURCE_MAX), ("url", URL_MAX)):
        text = getattr(event, name)
        if name in ("title_en", "source") and not (text or "").strip():
            found.append((name, "", "required"))
        elif text is not None and len(text) > limit:
            found.append((name, text[:40] + "…", f"longer than {limit} characters"))
    if event.url is not None and not re.match(r"https?://[^\s/]+\.[^\s]+$", event.url):
        found.append(("url", event.url[:80], "not a web address (http:// or https://, no spaces)"))
    return found


def _json(values: dict | None) -> str | None:
    if values is None:
        return None
    return json.dumps({k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in values.items()},
                      ensure_ascii=False, sort_keys=True)


def _audit(conn: sa.Connection, event_id: int, action: str, user: str, old: dict | None, new: dict | None,
           note: str | None = None) -> None:
    conn.execute(schema.event_changes.insert().values(
        event_id=event_id, action=action, user_name=user, changed_at=dt.datetime.now(), old_values=_json(old),
        new_values=_json(new), note=note,
    ))


def _region_codes(conn: sa.Connection) -> set[str]:
    return set(conn.execute(sa.select(schema.regions.c.code)).scalars())


def _stored(conn: sa.Connection, event_id: int) -> dict | None:
    e = schema.events
    row = conn.execute(sa.select(*(e.c[f] for f in FIELDS)).where(e.c.id == event_id)).mappings().first()
    return dict(row) if row else None


def _same_stored(conn: sa.Connection, event: Event, other_than: tuple[int, ...] = ()) -> int | None:
    """The id of a stored event that is the same as this one (Event.key), other than those of `other_than`."""
    e = schema.events
    query = sa.select(e.c.id).where(
        e.c.starts_on == event.starts_on, e.c.kind == event.kind,
        sa.func.lower(e.c.title_en) == event.title_en.lower(),
        e.c.ends_on.is_(None) if event.ends_on is None else e.c.ends_on == event.ends_on,
        e.c.region_code.is_(None) if event.region_code is None else e.c.region_code == event.region_code,
    )
    if other_than:
        query = query.where(e.c.id.not_in(other_than))
    return conn.execute(query.limit(1)).scalar()


def _insert(conn: sa.Connection, event: Event, user: str, note: str | None = None) -> int:
    event_id = conn.execute(schema.events.insert().values(**event.values()).returning(schema.events.c.id)).scalar_one()
    _audit(conn, event_id, "add", user, None, event.values(), note)
    return event_id


def _replace(conn: sa.Connection, event_id: int, old: dict, event: Event, user: str, note: str | None = None) -> None:
    conn.execute(schema.events.update().where(schema.events.c.id == event_id).values(**event.values()))
    _audit(conn, event_id, "edit", user, old, event.values(), note)


def add(engine: sa.Engine, event: Event, user: str) -> int:
    """Store a new event (audited); returns its id. EventError if it is invalid or already stored."""
    with engine.begin() as conn:
        found = problems(event, _region_codes(conn))
        same = _same_stored(conn, event)
        if same is not None:
            found.append(("title_en", event.title_en, f"already stored as event #{same}"))
        if found:
            raise EventError(found)
        return _insert(conn, event, user)


def edit(engine: sa.Engine, event_id: int, event: Event, user: str) -> bool:
    """Replace a stored event's values (audited, old and new); False when nothing changed."""
    with engine.begin() as conn:
        old = _stored(conn, event_id)
        if old is None:
            raise EventError([("id", str(event_id), "no such event")])
        found = problems(event, _region_codes(conn))
        same = _same_stored(conn, event, other_than=(event_id,))
        if same is not None:
            found.append(("title_en", event.title_en, f"already stored as event #{same}"))
        if found:
            raise EventError(found)
        if old == event.values():
            return False
        _replace(conn, event_id, old, event, user)
        return True


def remove(engine: sa.Engine, event_id: int, user: str) -> None:
    """Delete a stored event (audited with its last values)."""
    with engine.begin() as conn:
        old = _stored(conn, event_id)
        if old is None:
            raise EventError([("id", str(event_id), "no such event")])
        conn.execute(schema.events.delete().where(schema.events.c.id == event_id))
        _audit(conn, event_id, "remove", user, old, None)


def get(engine: sa.Engine, event_id: int) -> Event | None:
    with engine.connect() as conn:
        values = _stored(conn, event_id)
    return Event(**values) if values else None


def titles(frame: pd.DataFrame, lang: str | None = None) -> pd.Series:
    """Each event's title in a language (the current one by default), in English where it has none."""
    column = f"title_{lang or i18n.language()}"
    english = frame["title_en"]
    if column not in frame or column == "title_en":
        return english
    local = frame[column]
    return local.where(local.notna() & (local.astype(str).str.strip() != ""), english)


def kind_label(kind: str) -> str:
    return vocab.label(KINDS, kind)


# --- files --------------------------------------------------------------------------------------------------------


@dataclass
class ImportResult:
    """What an events import did. status: imported | unchanged | rejected."""

    status: str
    file_name: str
    rows_read: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    file_error: str | None = None
    errors: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=ERROR_COLUMNS))
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        if self.file_error:
            return f"{self.file_name}: nothing imported: {self.file_error}"
        if self.status == "rejected":
            return f"{self.file_name}: nothing imported: {len(self.errors):,} problem(s) in {self.rows_read:,} rows"
        return (f"{self.file_name}: {self.added} event(s) added, {self.updated} updated, "
                f"{self.unchanged} unchanged")


def _fold(text: str) -> str:
    """One form for names typed by hand: lower case, no accents, đ -> dj, runs of space/_/- -> one space."""
    text = text.casefold().replace("đ", "dj")
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return re.sub(r"[\s_\-]+", " ", text).strip()


def _region_lookup(conn: sa.Connection) -> dict[str, str]:
    """Any code or name of a directorate (folded) -> its code."""
    r = schema.regions
    lookup = {}
    for row in conn.execute(sa.select(r.c.code, r.c.name_en, r.c.name_sq, r.c.name_sr)):
        for name in row:
            if name:
                lookup[_fold(name)] = row.code
    return lookup


DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d.%m.%Y.")


def _date(text: str) -> dt.date | None:
    for form in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, form).date()
        except ValueError:
            continue
    return None


def _unquoted(text: str) -> str:
    """A cell as exported (spreadsheet-safe, "'=..."), back to the text stored."""
    return text[1:] if text.startswith("'") and text[1:].startswith(RISKY_START) else text


def _header(raw_header: list[str]) -> tuple[dict[str, int], list[tuple]]:
    positions, found = {}, []
    for index, name in enumerate(raw_header):
        key = ingest.normalise_header(name)
        if not key:
            continue
        column = ALIASES.get(key)
        if column is None:
            found.append((1, name, name, f"unknown column; expected: {', '.join(COLUMNS)}"))
        elif column in positions:
            found.append((1, name, name, f"a second {column} column"))
        else:
            positions[column] = index
    for column in REQUIRED:
        if column not in positions:
            found.append((1, column, "", "required column missing"))
    return positions, found


def _check_header(header: list[str]) -> None:
    if not any(ingest.normalise_header(name) in ALIASES for name in header):
        raise upload.UploadError(
            f"the first row holds none of the expected column names ({', '.join(COLUMNS)}): is this an events file?")


def _rows(raw: upload.RawTable, positions: dict[str, int]) -> list[tuple[int, dict[str, str]]]:
    names = {index: column for column, index in positions.items()}
    selected = ", ".join(f'"c{index}"' for index in names)
    rows = raw.con.execute(f"SELECT row{', ' + selected if selected else ''} FROM raw ORDER BY row").fetchall()
    out = []
    for row in rows:
        cells = {names[index]: ("" if value is None else _unquoted(str(value).strip()))
                 for index, value in zip(names, row[1:])}
        out.append((int(row[0]), cells))
    return out


def _parse(number: int, cells: dict[str, str], regions: dict[str, str], found: list[tuple]) -> tuple[int | None, Event | None]:
    """A file row as (id or None, Event), adding its problems to `found` (row, column, value, reason)."""
    before = len(found)

    def problem(column: str, value: str, reason: str) -> None:
        found.append((number, column, value[:100], reason))

    event_id = None
    if cells.get("id"):
        if re.fullmatch(r"\d{1,18}", cells["id"]):
            event_id = int(cells["id"])
        else:
            problem("id", cells["id"], "not an event id (a whole number, or empty for a new event)")
    dates = {}
    for column in ("starts_on", "ends_on"):
        text = cells.get(column, "")
        dates[column] = _date(text) if text else None
        if text and dates[column] is None:
            problem(column, text, "not a date (YYYY-MM-DD or DD.MM.YYYY)")
    if not cells.get("starts_on"):
        problem("starts_on", "", "required")
    region_text = cells.get("region", "")
    region = regions.get(_fold(region_text)) if region_text else None
    if region_text and region is None:
        problem("region", region_text, "unknown directorate (a code or a name); empty for a national event")
    kind_text = cells.get("kind", "")
    kind = kind_text if kind_text in KINDS else next(
        (code for code, label in KINDS.items() if _fold(label) == _fold(kind_text)), None)
    if kind is None:
        problem("kind", kind_text, f"unknown kind; expected one of: {', '.join(KINDS)}" if kind_text else "required")
    if len(found) > before:
        return event_id, None
    event = Event(
        starts_on=dates["starts_on"], ends_on=dates["ends_on"], region_code=region, kind=kind,
        title_en=cells.get("title_en", ""), title_sq=cells.get("title_sq") or None,
        title_sr=cells.get("title_sr") or None, source=cells.get("source", ""), url=cells.get("url") or None,
    )
    names = {"region_code": "region"}
    for column, value, reason in problems(event, set(regions.values())):
        problem(names.get(column, column), value, reason)
    return event_id, (event if len(found) == before else None)


def import_file(engine: sa.Engine, source: Path | bytes, file_name: str, user: str) -> ImportResult:
    """Import events from a CSV or .xlsx file, all or nothing (see the module's docstring)."""
    result = ImportResult("rejected", file_name)
    try:
        raw = upload.read_upload(source, header_check=_check_header)
    except upload.UploadError as exc:
        result.file_error = str(exc)
        return result
    with raw:
        result.notes = list(raw.notes)
        result.rows_read = raw.rows
        if result.rows_read > MAX_ROWS:
            result.file_error = f"{result.rows_read:,} rows: an events file holds at most {MAX_ROWS:,}"
            return result
        positions, found = _header(raw.header)
        for cell in raw.cell_problems:
            found.append((cell.row, raw.header[cell.column_index] if cell.column_index < len(raw.header) else
                          f"column {cell.column_index + 1}", cell.value or "", cell.reason))
        rows = _rows(raw, positions) if not found else []
    with engine.begin() as conn:
        regions = _region_lookup(conn)
        parsed = []
        for number, cells in rows:
            if not any(cells.values()):
                continue
            event_id, event = _parse(number, cells, regions, found)
            if event is not None:
                parsed.append((number, event_id, event))
        # Stored events that rows of the file replace are judged by their new values (with the file's rows).
        replacing = tuple(event_id for _number, event_id, _event in parsed if event_id is not None)
        seen: dict[tuple, int] = {}
        ids: dict[int, int] = {}
        plan = []
        for number, event_id, event in parsed:
            if event.key() in seen:
                found.append((number, "title_en", event.title_en[:100],
                              f"the same event as row {seen[event.key()]} (start, end, directorate, kind, title)"))
                continue
            seen[event.key()] = number
            old = None
            if event_id is not None:
                if event_id in ids:
                    found.append((number, "id", str(event_id), f"the same id as row {ids[event_id]}"))
                    continue
                ids[event_id] = number
                old = _stored(conn, event_id)
                if old is None:
                    found.append((number, "id", str(event_id), "no such event (leave id empty to add one)"))
                    continue
            same = _same_stored(conn, event, other_than=replacing)
            if same is not None:
                found.append((number, "title_en", event.title_en[:100], f"already stored as event #{same}"))
                continue
            plan.append((number, event_id, old, event))
        if found:
            result.errors = pd.DataFrame(sorted(found, key=lambda p: (p[0], str(p[1]))), columns=ERROR_COLUMNS)
            return result
        for number, event_id, old, event in plan:
            note = f"imported from {file_name}, row {number}"
            if event_id is None:
                _insert(conn, event, user, note)
                result.added += 1
            elif old != event.values():
                _replace(conn, event_id, old, event, user, note)
                result.updated += 1
            else:
                result.unchanged += 1
    result.status = "imported" if result.added or result.updated else "unchanged"
    return result


def export_frame(engine: sa.Engine) -> pd.DataFrame:
    """Every stored event in the import layout (EXPORT_COLUMNS), dates as YYYY-MM-DD, ordered by start."""
    from seizures.filters import SeizureFilter

    frame = queries.events_in_filter(engine, SeizureFilter()).rename(columns={"region_code": "region"})
    for column in ("starts_on", "ends_on"):
        frame[column] = frame[column].map(lambda d: d.isoformat() if isinstance(d, dt.date) else "")
    return frame[list(EXPORT_COLUMNS)]


def export_csv(frame: pd.DataFrame) -> bytes:
    """Events (export_frame) as CSV (UTF-8), spreadsheet-safe: a text cell starting with = + - @ tab or CR gets a
    "'" before it (removed again on import)."""
    buffer = io.StringIO()
    ingest.spreadsheet_safe(frame).to_csv(buffer, index=False)
    return buffer.getvalue().encode("utf-8")


# --- demo ---------------------------------------------------------------------------------------------------------

DEMO_FILE = "events.csv"


def load_demo(conn: sa.Connection, path: Path, user: str) -> int:
    """Add the events of the demo file that are not stored yet (Event.key), audited; returns how many were added.

    Loading again adds nothing; an event removed by hand comes back at the next `seizures init --demo` (edit the
    file to change the demo). Nothing happens on a store whose schema predates events.
    """
    if not sa.inspect(conn).has_table(schema.events.name):
        return 0
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    unknown = set(frame.columns) - set(FIELDS)
    if unknown:
        raise ValueError(f"{path.name}: unknown column(s) {', '.join(sorted(unknown))}")
    codes = _region_codes(conn)
    added = 0
    for number, row in enumerate(frame.to_dict("records"), start=2):
        values = {name: (row.get(name) or "").strip() or None for name in FIELDS}
        for name in ("starts_on", "ends_on"):
            values[name] = dt.date.fromisoformat(values[name]) if values[name] else None
        event = Event(**values)
        found = problems(event, codes)
        if found:
            raise ValueError(f"{path.name}, row {number}: " + "; ".join(f"{c}: {r}" for c, _v, r in found))
        if _same_stored(conn, event) is None:
            _insert(conn, event, user, f"demo data ({path.name}, row {number})")
            added += 1
    return added
