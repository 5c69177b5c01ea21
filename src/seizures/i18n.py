"""Languages: English (the source texts), Albanian (sq) and Serbian in Latin script (sr).

Every user-visible text is a gettext message: `_("Overview")` gives the current language's translation, `N_`
marks a text that is translated where it is shown (vocabularies, text tables). The catalogues are
`locale/<lang>/LC_MESSAGES/seizures.po` (for translators), compiled to the `.mo` files beside them (read at run
time, committed; a test checks they match the `.po` files). After changing texts in the code:

    .venv/bin/python -m seizures.i18n update    # re-extract locale/seizures.pot, merge it into each .po
    (translate the new or changed entries: no empty msgstr, no "fuzzy" flag left)
    .venv/bin/python -m seizures.i18n compile   # write the .mo files

Numbers and dates follow each language's CLDR conventions through babel (sq "1 473,5", sr "1.473,5").
The current language is per thread (a Streamlit script run, a report being built): `set_language`, `using`.
With SEIZURES_I18N_STRICT=1 (the tests) a text missing from the catalogues raises MissingTranslation.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import functools
import gettext as _gettext
import math
import os
import re
import sys
from collections.abc import Mapping
from pathlib import Path

from babel import dates as babel_dates
from babel import numbers as babel_numbers

DOMAIN = "seizures"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
TEMPLATE = LOCALE_DIR / f"{DOMAIN}.pot"
DEFAULT = "en"
# Each language's name in that language, as the selector shows it.
LANGUAGES = {"en": "English", "sq": "Shqip", "sr": "Srpski"}
BABEL_LOCALES = {"en": "en", "sq": "sq", "sr": "sr_Latn"}
TRANSLATED = tuple(lang for lang in LANGUAGES if lang != DEFAULT)
STRICT_SETTING = "SEIZURES_I18N_STRICT"
# Percent sign as each language writes it after a number: CLDR's for sq and sr, the app's own " %" in English.
PERCENT_SUFFIX = {"en": " %", "sq": "%", "sr": "%"}
# Date pattern for Streamlit's date columns (moment.js tokens, numeric: the frontend names months in English).
TABLE_DATE_FORMATS = {"en": "YYYY-MM-DD", "sq": "D.M.YYYY", "sr": "D. M. YYYY."}


class MissingTranslation(KeyError):
    """A text the catalogues do not hold (raised only in strict mode)."""


def N_(message: str) -> str:
    """Mark a text for the catalogues without translating it here (it is translated where it is shown)."""
    return message


# The note in each catalogue's header, also shown on the About page.
REVIEW_NOTE = N_("Translations await review by a native speaker.")

_current = contextvars.ContextVar("seizures_language", default=DEFAULT)




# --- The current language ---

def language() -> str:
    return _current.get()


def set_language(lang: str) -> None:
    """Set this thread's language (an unknown code means English)."""
    _current.set(lang if lang in LANGUAGES else DEFAULT)


@contextlib.contextmanager
def using(lang: str | None):
    """Run a block in a language (None: the current one)."""
    token = _current.set(lang if lang in LANGUAGES else DEFAULT) if lang is not None else None
    try:
        yield
    finally:
        if token is not None:
            _current.reset(token)


def parse_language(raw: str | None) -> tuple[str, str | None]:
    """A language code from a URL or a command line: (code, warning); unknown values give English and a warning
    (Markdown: the value is shown by user_text)."""
    if raw in (None, ""):
        return DEFAULT, None
    code = str(raw).strip().lower()
    if code in LANGUAGES:
        return code, None
    known = ", ".join(LANGUAGES)
    return DEFAULT, f"Ignored lang={user_text(raw)}: not one of {known}. Showing English."


USER_TEXT_MAX = 40
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def user_text(raw: object, limit: int = USER_TEXT_MAX) -> str:
    """A value a user typed (a URL parameter), to be shown inside a message that Streamlit renders as Markdown:
    cut to `limit` characters (then "…"), control characters shown as symbols (a line break would end the
    paragraph), and put in an inline code span whose fence is longer than any run of backticks in it, so that
    nothing in it is a link, an image, emphasis, HTML, a heading, LaTeX or an emoji."""
    text = str(raw)
    if len(text) > limit:
        text = text[:limit] + "…"
    text = CONTROL.sub(lambda m: "\u2421" if m[0] == "\x7f" else chr(0x2400 + ord(m[0])), text)
    if not text:
        return "``"  # nothing typed: shown as an empty pair of backticks
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    # CommonMark strips one space at each end of a code span that starts and ends with one, and a backtick at an
    # end would join the fence: pad with a space.
    pad = " " if text[0] == "`" or text[-1] == "`" or (text[0] == " " and text[-1] == " " and text.strip()) else ""
    return f"{fence}{pad}{text}{pad}{fence}"


# --- Translation ---

def _strict() -> bool:
    return os.environ.get(STRICT_SETTING, "") not in ("", "0")


@functools.cache
def _translations(lang: str) -> _gettext.NullTranslations:
    if lang == DEFAULT:
        return _gettext.NullTranslations()
    return _gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang])


@functools.cache
def _template_ids() -> frozenset[str]:
    """The msgids of the template (read only in strict mode, to check English texts too)."""
    from babel.messages.pofile import read_po

    with TEMPLATE.open("rb") as f:
        return frozenset(m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id)


def _check(message: str) -> None:
    if _strict() and message not in _template_ids():
        raise MissingTranslation(f"not in the message catalogues: {message!r}")


def _(message: str) -> str:
    """The current language's translation of a text."""
    _check(message)
    lang = language()
    if lang == DEFAULT:
        return message
    translated = _translations(lang).gettext(message)
    if translated is message and _strict():  # gettext returns the msgid itself when the entry is missing
        raise MissingTranslation(f"no {lang} translation of {message!r}")
    return translated


def ngettext(singular: str, plural: str, n: int) -> str:
    """The translation for a count (Serbian has three forms, Albanian and English two)."""
    _check(singular)
    lang = language()
    if lang == DEFAULT:
        return singular if n == 1 else plural
    return _translations(lang).ngettext(singular, plural, n)


def data_text(value):
    """A stored reference-data text (a course or item name) in the current language when the catalogue has it,
    else as stored: never raises."""
    if not isinstance(value, str) or not value or language() == DEFAULT:
        return value
    return _translations(language()).gettext(value)


class Texts(Mapping):
    """A module's texts by key (each marked with N_): looking one up gives it in the current language (a list of
    texts: each item translated)."""

    def __init__(self, texts: dict):
        self._texts = dict(texts)

    def __getitem__(self, key):
        value = self._texts[key]
        return [_(item) for item in value] if isinstance(value, list) else _(value)

    def __iter__(self):
        return iter(self._texts)

    def __len__(self) -> int:
        return len(self._texts)

    def msgid(self, key) -> str:
        """The English source text of a key."""
        return self._texts[key]


# --- Numbers and dates ---

def babel_locale(lang: str | None = None) -> str:
    return BABEL_LOCALES[lang or language()]


def _missing(value) -> bool:
    if value is None:
        return True
    try:
        return bool(value != value) or (isinstance(value, float) and math.isnan(value))
    except (TypeError, ValueError):  # pd.NA
        return True


def number(value, decimals: int | None = None, signed: bool = False, missing: str = "–", minus: str = "-") -> str:
    """A figure with the language's grouping and decimal signs: 1,473.5 / 1 473,5 / 1.473,5.

    decimals None: whole numbers without decimals, others with one. signed: "+" before positive values. `minus`
    is "-" by default (Streamlit reads a metric's direction from it), "−" in print.
    """
    if _missing(value):
        return missing
    value = float(value)
    if decimals is None:
        decimals = 0 if value.is_integer() else 1
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    text = babel_numbers.format_decimal(abs(value), format=pattern, locale=babel_locale(), decimal_quantization=True)
    if round(value, decimals) < 0:
        return minus + text
    return ("+" if signed and round(value, decimals) > 0 else "") + text


def percent_sign() -> str:
    """The percent sign as the current language writes it after a number (" %" in English, "%" in sq and sr)."""
    return PERCENT_SUFFIX[language()]


def percent(value, decimals: int = 1, signed: bool = False, missing: str = "–") -> str:
    """A percentage given in percent points (11.9 -> "11.9 %" / "11,9%")."""
    if _missing(value):
        return missing
    return number(value, decimals, signed=signed) + percent_sign()


def period(first: int, last: int) -> str:
    """A period of years as every page and report writes it: "2022", or "2021–2022" (an en dash)."""
    return str(first) if first == last else f"{first}–{last}"


def date(value: dt.date, form: str = "medium") -> str:
    return babel_dates.format_date(value, form, locale=babel_locale())


def datetime(value: dt.datetime, form: str = "short") -> str:
    """A date and time (the date in its medium form)."""
    date_part = babel_dates.format_date(value, "medium", locale=babel_locale())
    time_part = babel_dates.format_time(value, form, locale=babel_locale())
    return f"{date_part} {time_part}"


def month_names() -> list[str]:
    """January .. December, abbreviated, as the language writes them standing alone."""
    names = babel_dates.get_month_names("abbreviated", context="stand-alone", locale=babel_locale())
    return [names[m] for m in range(1, 13)]


def plotly_separators() -> str:
    """Plotly's `separators` (decimal sign, then thousands sign) for the current language."""
    locale = babel_locale()
    return babel_numbers.get_decimal_symbol(locale) + babel_numbers.get_group_symbol(locale)


def table_date_format() -> str:
    return TABLE_DATE_FORMATS[language()]


# --- Reference data in the chosen language ---

def region_name_column(lang: str | None = None) -> str:
    """The regions table's column naming the directorates in a language (name_en, name_sq, name_sr)."""
    return f"name_{lang or language()}"


def region_names(frame) -> list[str]:
    """The directorates' names (a regions frame) in the current language, English where a name is missing."""
    column = region_name_column()
    if column not in frame:
        return list(frame["name_en"])
    return [local if isinstance(local, str) and local.strip() else english
            for local, english in zip(frame[column], frame["name_en"])]


# --- The catalogues (python -m seizures.i18n update | compile) ---

SOURCES = ("app.py", "app_pages", "src/seizures")
ROOT = LOCALE_DIR.parents[2]


def _source_files() -> list[Path]:
    files: list[Path] = []
    for source in SOURCES:
        path = ROOT / source
        files += [path] if path.is_file() else sorted(p for p in path.rglob("*.py") if "migrations" not in p.parts)
    return files


def extract():
    """A template catalogue of every text marked in the code (_, N_, ngettext)."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_file

    template = Catalog(project="seizures", domain=DOMAIN, fuzzy=False)
    for path in _source_files():
        for lineno, message, comments, context in extract_from_file("python", path):
            template.add(message, None, [(str(path.relative_to(ROOT)), lineno)], auto_comments=comments,
                         context=context)
    # The reference tables' descriptors (Frictionless Table Schemas): their titles and column descriptions are shown.
    import json

    for path in sorted((LOCALE_DIR.parent / "tables").glob("*.json")):
        spec = json.loads(path.read_text(encoding="utf-8"))
        for item in (spec, *spec.get("fields", [])):
            for key in ("title", "description"):
                if item.get(key):
                    template.add(item[key], None, [(str(path.relative_to(ROOT)), 1)])
    return template


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_catalog(path: Path, locale: str | None = None):
    from babel.messages.pofile import read_po

    with path.open("rb") as f:
        return read_po(f, locale=locale)


def write_catalog(path: Path, catalog) -> None:
    from babel.messages.pofile import write_po

    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as f:
        write_po(f, catalog, width=116, include_lineno=False, sort_output=False)


def update() -> None:
    """Write the template and merge it into each language's catalogue (new texts come in untranslated)."""
    from babel.messages.catalog import Catalog

    template = extract()
    write_catalog(TEMPLATE, template)
    for lang in TRANSLATED:
        path = po_path(lang)
        catalog = read_catalog(path, BABEL_LOCALES[lang]) if path.exists() else Catalog(
            locale=BABEL_LOCALES[lang], domain=DOMAIN, project="seizures")
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        catalog.header_comment = (f"# {LANGUAGES[lang]} texts of the seizures dashboard.\n"
                                  f"# NOTE: {REVIEW_NOTE}")
        catalog.fuzzy = False
        catalog.last_translator = f"draft translation ({REVIEW_NOTE})"
        catalog.language_team = LANGUAGES[lang]
        write_catalog(path, catalog)


def compiled(lang: str) -> bytes:
    """The .mo bytes of a language's .po file."""
    import io

    from babel.messages.mofile import write_mo

    buffer = io.BytesIO()
    write_mo(buffer, read_catalog(po_path(lang), BABEL_LOCALES[lang]), use_fuzzy=False)
    return buffer.getvalue()


def compile_all() -> None:
    for lang in TRANSLATED:
        po_path(lang).with_suffix(".mo").write_bytes(compiled(lang))


if __name__ == "__main__":
    commands = {"update": update, "compile": compile_all}
    if len(sys.argv) != 2 or sys.argv[1] not in commands:
        sys.exit("usage: python -m seizures.i18n update|compile")
    commands[sys.argv[1]]()
