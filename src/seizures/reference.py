"""A store's reference data as typed, hashable values: the jurisdiction and the vocabulary of a seizure line.

They are read from the store (loaded by `seizures init --demo` or `seizures reference import`), never assumed in the
code: another police service brings its own regions, names, languages and coded values. Both are frozen dataclasses
of tuples, so the dashboard can cache them and pass them to cached functions.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from seizures import i18n
from seizures.i18n import N_, _
from seizures.schema import jurisdiction as jurisdiction_table
from seizures.schema import vocabulary as vocabulary_table

KINDS = ("category", "unit", "weapon_type", "context")
CODE_LENGTHS = {"category": 16, "unit": 8, "weapon_type": 32, "context": 32}  # the seizures table's columns
NOT_RECORDED = ""  # the summaries' value for a weapon type or context a line does not record
WHOLE_JURISDICTION = ""  # the summaries' region of a count not broken down by region
NOT_RECORDED_LABEL = N_("not recorded")
WHOLE_JURISDICTION_LABEL = N_("Whole jurisdiction (not by region)")
DEFAULT_EARLIEST_DATE = dt.date(1900, 1, 1)  # before any jurisdiction's data is loaded


def _localised(values: dict[str, str | None], lang: str | None = None) -> str:
    """The value in a language, else in English."""
    chosen = values.get(lang or i18n.language())
    return chosen if isinstance(chosen, str) and chosen.strip() else values["en"]


@dataclass(frozen=True)
class Jurisdiction:
    code: str
    names: tuple[tuple[str, str | None], ...]  # (language, name)
    name_notes: tuple[tuple[str, str | None], ...]  # (language, the note the name carries), e.g. "Kosovo*"
    earliest_date: dt.date
    languages: tuple[str, ...]
    illustrative: bool
    source: str | None = None

    def name(self, lang: str | None = None, marked: bool = True) -> str:
        """The name in a language; with `marked`, followed by "*" when it carries a note (see note())."""
        text = _localised(dict(self.names), lang)
        return f"{text}*" if marked and self.note(lang) else text

    def note(self, lang: str | None = None) -> str | None:
        """The note the name carries wherever it is shown ("*This designation is ..."), or None."""
        notes = dict(self.name_notes)
        if not any(isinstance(v, str) and v.strip() for v in notes.values()):
            return None
        return _localised(notes, lang)


def read_jurisdiction(conn: sa.Connection | sa.Engine) -> Jurisdiction | None:
    """The store's jurisdiction, or None before one is loaded."""
    if isinstance(conn, sa.Engine):
        with conn.connect() as c:
            return read_jurisdiction(c)
    row = conn.execute(sa.select(jurisdiction_table).limit(1)).mappings().first()
    if row is None:
        return None
    languages = tuple(code.strip() for code in (row["languages"] or "").split(",") if code.strip() in i18n.LANGUAGES)
    return Jurisdiction(
        code=row["code"],
        names=tuple((lang, row[f"name_{lang}"]) for lang in i18n.LANGUAGES),
        name_notes=tuple((lang, row[f"name_note_{lang}"]) for lang in i18n.LANGUAGES),
        earliest_date=row["earliest_date"],
        languages=languages or (i18n.DEFAULT,),
        illustrative=bool(row["illustrative"]),
        source=row["source"],
    )


@dataclass(frozen=True)
class Term:
    """One coded value of the vocabulary."""

    kind: str
    code: str
    position: int
    labels: tuple[tuple[str, str | None], ...]  # (language, label)
    units: tuple[str, ...] = ()  # a category: the units it is counted in
    whole: bool = False  # a unit: counted in whole numbers
    line_limit: float | None = None  # a unit: the most one record line may hold
    highlight: bool = False  # a weapon type the charts single out

    def label(self, lang: str | None = None) -> str:
        return _localised(dict(self.labels), lang)


@dataclass(frozen=True)
class Vocabulary:
    """The coded values of a seizure line (categories, units, weapon types, contexts), in their order."""

    terms: tuple[Term, ...] = ()

    def of(self, kind: str) -> list[Term]:
        return sorted((t for t in self.terms if t.kind == kind), key=lambda t: (t.position, t.code))

    def codes(self, kind: str) -> list[str]:
        return [t.code for t in self.of(kind)]

    def term(self, kind: str, code: str) -> Term | None:
        return next((t for t in self.terms if t.kind == kind and t.code == code), None)

    def label(self, kind: str, code: str | None, lang: str | None = None) -> str:
        """A code's label in a language (the current one by default); "not recorded" for a missing weapon type or
        context; an unknown code is shown as it is."""
        if code is None or code == NOT_RECORDED:
            return _(NOT_RECORDED_LABEL)
        term = self.term(kind, code)
        return term.label(lang) if term else code

    def labels(self, kind: str, lang: str | None = None) -> dict[str, str]:
        """code -> label, in order."""
        return {t.code: t.label(lang) for t in self.of(kind)}

    def units_of(self, category: str) -> tuple[str, ...]:
        term = self.term("category", category)
        return term.units if term else ()

    def highlighted(self, kind: str = "weapon_type") -> list[str]:
        return [t.code for t in self.of(kind) if t.highlight]

    def measure_pairs(self) -> list[tuple[str, str]]:
        """(category, unit): every quantity that may be added up, in the vocabulary's order."""
        return [(c.code, unit) for c in self.of("category") for unit in c.units]


def read_vocabulary(conn: sa.Connection | sa.Engine) -> Vocabulary:
    """The store's vocabulary (empty before one is loaded)."""
    if isinstance(conn, sa.Engine):
        with conn.connect() as c:
            return read_vocabulary(c)
    v = vocabulary_table
    rows = conn.execute(sa.select(v).order_by(v.c.kind, v.c.position, v.c.code)).mappings().all()
    return vocabulary_of([dict(row) for row in rows])


def vocabulary_of(rows) -> Vocabulary:
    """A Vocabulary from rows with the vocabulary table's columns (dicts, e.g. a DataFrame's records)."""

    def text(value) -> str | None:
        return value if isinstance(value, str) and value.strip() else None

    terms = [
        Term(
            kind=row["kind"], code=row["code"], position=int(row["position"]),
            labels=tuple((lang, text(row.get(f"label_{lang}"))) for lang in i18n.LANGUAGES),
            units=tuple(u.strip() for u in (text(row.get("units")) or "").split(",") if u.strip()),
            whole=row.get("whole") is True or str(row.get("whole")).lower() == "true",
            line_limit=float(row["line_limit"]) if str(row.get("line_limit") or "").strip() not in ("", "nan", "None")
            else None,
            highlight=row.get("highlight") is True or str(row.get("highlight")).lower() == "true",
        )
        for row in rows
    ]
    return Vocabulary(tuple(sorted(terms, key=lambda t: (t.kind, t.position, t.code))))
