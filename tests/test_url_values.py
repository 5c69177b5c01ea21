"""URL values in the app's own warnings are never Markdown (issue 15), and links may name directorates and labels.

Streamlit renders a warning as Markdown: `/?from=[Session expired - log in again](http://evil.example/login)`
showed a clickable link inside the app's warning and made the browser fetch an image. What the user typed is now
shown cut to 40 characters inside an inline code span (i18n.user_text)."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from import_files import demo_allowed, demo_vocabulary
from seizures import i18n, settings
from seizures.cli import main
from seizures.filters import SeizureFilter, from_query_params, region_aliases, vocabulary_aliases

REGIONS = ["PR", "PZ", "PE", "GJ", "MS", "MN", "GL", "FE"]
BOUNDS = (2019, 2024)
PHISHING = "[Session expired - log in again](http://evil.example/login) ![t](http://evil.example/p.png)"
HOSTILE = [
    PHISHING,
    "<img src=http://evil.example/p.png> <a href='http://evil.example'>x</a>",
    "**bold** _it_ # heading $x^2$ :red[red] :material/lock: http://evil.example www.evil.example",
    "`code` and ``two`` then [x](http://evil.example)",
    "`[x](http://evil.example)`",
    " [x](http://evil.example) ",
    "line\n\n[x](http://evil.example)\r\n# heading",
    "x" * 20_000,
]
PARAMS = ["from", "to", "region", "category", "weapon", "context"]


def code_spans(markdown: str) -> tuple[list[str], str]:
    """The contents of the inline code spans of a one-paragraph Markdown text (CommonMark: a backtick run opens a
    span closed by the next run of the same length), and the text outside them."""
    spans, outside, position = [], [], 0
    while True:
        opening = re.compile(r"`+").search(markdown, position)
        if opening is None:
            outside.append(markdown[position:])
            return spans, "".join(outside)
        fence = opening[0]
        closing = re.compile(rf"(?<!`){fence}(?!`)").search(markdown, opening.end())
        if closing is None:
            outside.append(markdown[position:])
            return spans, "".join(outside)
        outside.append(markdown[position:opening.start()])
        content = markdown[opening.end():closing.start()]
        if content.startswith(" ") and content.endswith(" ") and content.strip():
            content = content[1:-1]
        spans.append(content)
        position = closing.end()


def assert_user_text_is_inert(warning: str, typed: str) -> None:
    spans, outside = code_spans(warning)
    assert "\n" not in warning and "\r" not in warning  # one paragraph: the span cannot be broken
    for sign in ("http", "evil", "[", "](", "<", "*", "$", ":red", "#"):
        assert sign not in outside, (sign, warning)
    shown = typed[:40] + ("…" if len(typed) > 40 else "")
    expected = re.sub(r"[\x00-\x1f]", lambda m: chr(0x2400 + ord(m[0])), shown)
    assert expected in spans, (warning, spans)
    assert len(warning) < 200


@pytest.mark.parametrize("param", PARAMS)
@pytest.mark.parametrize("typed", HOSTILE, ids=range(len(HOSTILE)))
def test_a_typed_value_is_shown_cut_inside_a_code_span(param, typed):
    parsed = from_query_params({param: typed}, demo_allowed(REGIONS), BOUNDS)
    assert parsed.filter == SeizureFilter()
    [warning] = parsed.warnings
    assert_user_text_is_inert(warning, typed.strip() if param not in ("from", "to") else typed)


@pytest.mark.parametrize("typed", HOSTILE, ids=range(len(HOSTILE)))
def test_the_language_warning_too(typed):
    lang, warning = i18n.parse_language(typed)
    assert lang == "en"
    assert_user_text_is_inert(warning, typed)


def test_a_year_of_thousands_of_digits_is_cut_too():
    [warning] = from_query_params({"from": "9" * 4000}, demo_allowed(REGIONS), BOUNDS).warnings
    assert "outside the data's years" in warning and len(warning) < 200


def test_at_most_five_unknown_values_are_named():
    [warning] = from_query_params({"region": ",".join(f"X{i}" for i in range(100))}, demo_allowed(REGIONS), BOUNDS).warnings
    assert code_spans(warning)[0] == ["X0", "X1", "X2", "X3", "X4"] and warning.endswith(", ….")


@pytest.mark.parametrize("typed, shown", [
    ("a`b", "``a`b``"), ("`a", "`` `a ``"), ("a``", "``` a`` ```"), (" a ", "`  a  `"), ("   ", "`   `"),
    ("", "``"), ("tab\there", "`tab\u2409here`"),
])
def test_user_text_fences(typed, shown):
    assert i18n.user_text(typed) == shown


# --- names in links -----------------------------------------------------------------------------------------


def aliases():
    """region_aliases of the directorates in data/regions.csv, as the app gives them from the store."""
    frame = pd.read_csv(settings.data_dir() / "regions.csv")
    return region_aliases(frame.to_dict("records"))


@pytest.mark.parametrize("typed, code", [
    ("Peja", "PE"), ("Pejë", "PE"), ("peje", "PE"), ("PEĆ", "PE"), ("pe", "PE"), ("Đakovica", "GJ"),
    ("djakovica", "GJ"), ("gjakove", "GJ"), ("Mitrovica-North", "MN"), ("južna mitrovica", "MS"),
])
def test_directorates_by_name_in_any_case_and_accents(typed, code):
    parsed = from_query_params({"region": f"{typed},PZ"}, demo_allowed(REGIONS), BOUNDS, aliases())
    assert parsed.filter.regions == (code, "PZ") and parsed.warnings == []


@pytest.mark.parametrize("param, typed, code", [
    ("category", "Firearms", "firearm"), ("category", "parts and components", "component"),
    ("weapon", "Hand grenade", "hand_grenade"), ("weapon", "blank firing weapon", "blank_firing_weapon"),
    ("weapon", "HAND_GRENADE", "hand_grenade"), ("context", "House search", "house_search"),
    ("category", "Armë zjarri", "firearm"), ("weapon", "pistolj", "pistol"),  # the store's labels, any language
])
def test_coded_values_by_their_label_in_any_language(param, typed, code):
    parsed = from_query_params({param: typed}, demo_allowed(REGIONS), BOUNDS, vocabulary_aliases(demo_vocabulary()))
    field = {"category": "categories", "weapon": "weapon_types", "context": "contexts"}[param]
    assert getattr(parsed.filter, field) == (code,) and parsed.warnings == []


def test_without_aliases_a_directorate_name_is_unknown_as_before():
    parsed = from_query_params({"region": "Peja,PE,PE"}, demo_allowed(REGIONS), BOUNDS)
    assert parsed.filter.regions == ("PE",) and "unknown region" in parsed.warnings[0]


def test_the_report_command_takes_directorate_names(demo_url, tmp_path, capsys):
    out = tmp_path / "r.xlsx"
    assert main(["--db-url", demo_url, "report", "--year", "2022", "--region", "Pejë,Prizren", "--xlsx", str(out)]) == 0
    assert out.exists()
