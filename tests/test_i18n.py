"""Languages: the message catalogues (complete, consistent, compiled), locale formats, and every page rendered in
English, Albanian and Serbian with no missing or untranslated text (strict mode is on for the tests: conftest)."""

from __future__ import annotations

import io
import json
import re
import string
from pathlib import Path

import plotly.io as pio
import pytest
import sqlalchemy as sa
from babel.messages.mofile import read_mo
from streamlit.testing.v1 import AppTest

from seizures import i18n, schema, vocab

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PAGES = ["app_pages/overview.py", "app_pages/regions.py", "app_pages/map.py", "app_pages/weapons.py",
         "app_pages/records.py", "app_pages/training.py", "app_pages/kpis.py", "app_pages/tracing.py",
         "app_pages/data.py",
         "app_pages/about.py"]
NBSP = "\u00a0"


def catalog(lang: str):
    return i18n.read_catalog(i18n.po_path(lang), i18n.BABEL_LOCALES[lang])


def entries(cat) -> dict:
    """msgid (the singular for plurals) -> message, without the header."""
    return {(m.id[0] if isinstance(m.id, tuple) else m.id): m for m in cat if m.id}


# --- the catalogues ---------------------------------------------------------------------------------------------


def test_every_catalogue_has_the_keys_of_every_other():
    keys = {"template": set(entries(i18n.read_catalog(i18n.TEMPLATE)))}
    keys.update({lang: set(entries(catalog(lang))) for lang in i18n.TRANSLATED})
    assert len(keys["template"]) > 300
    for name, own in keys.items():
        for other, theirs in keys.items():
            assert not theirs - own, f"{name} misses keys that {other} has: {sorted(theirs - own)[:10]}"


@pytest.mark.parametrize("lang", i18n.TRANSLATED)
def test_no_translation_is_empty_or_fuzzy(lang):
    for msgid, message in entries(catalog(lang)).items():
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert strings and all(s.strip() for s in strings), f"{lang}: empty translation of {msgid!r}"
        assert not message.fuzzy, f"{lang}: fuzzy translation of {msgid!r}"


def test_the_template_holds_every_text_marked_in_the_code():
    # Fails when texts were added or changed without `python -m seizures.i18n update`.
    in_code = set(entries(i18n.extract()))
    in_template = set(entries(i18n.read_catalog(i18n.TEMPLATE)))
    assert in_code == in_template, (sorted(in_code - in_template)[:10], sorted(in_template - in_code)[:10])


@pytest.mark.parametrize("lang", i18n.TRANSLATED)
def test_the_compiled_catalogue_matches_its_po_file(lang):
    # Fails when a .po file changed without `python -m seizures.i18n compile`.
    with i18n.po_path(lang).with_suffix(".mo").open("rb") as f:
        committed = {str(m.id): str(m.string) for m in read_mo(f) if m.id}
    fresh = {str(m.id): str(m.string) for m in read_mo(io.BytesIO(i18n.compiled(lang))) if m.id}
    assert committed == fresh
    assert len(committed) == len(entries(catalog(lang)))


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


@pytest.mark.parametrize("lang", i18n.TRANSLATED)
def test_translations_keep_the_placeholders(lang):
    for msgid, message in entries(catalog(lang)).items():
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in strings:
            assert fields(text) == fields(ids[-1]), f"{lang}: placeholders differ in {msgid!r}: {text!r}"
            assert ("{{nb}}" in text) == ("{{nb}}" in ids[-1])


@pytest.mark.parametrize("lang", i18n.TRANSLATED)
def test_catalogue_header_says_the_translation_awaits_review(lang):
    text = i18n.po_path(lang).read_text(encoding="utf-8")
    assert f"NOTE: {i18n.REVIEW_NOTE}" in text.split("msgid", 1)[0]


def test_strict_mode_refuses_a_text_missing_from_the_catalogues():
    with pytest.raises(i18n.MissingTranslation):
        i18n._("A text nobody put in the catalogue")
    with i18n.using("sq"):
        assert i18n._("Trace pending") == entries(catalog("sq"))["Trace pending"].string


# --- formats: CLDR conventions through babel ----------------------------------------------------------------------


@pytest.mark.parametrize("lang, whole, fraction, negative, separators", [
    ("en", "1,473", "29,903.5", "-12.5", ".,"),
    ("sq", f"1{NBSP}473", f"29{NBSP}903,5", "-12,5", f",{NBSP}"),
    ("sr", "1.473", "29.903,5", "-12,5", ",."),
])
def test_numbers_follow_the_language(lang, whole, fraction, negative, separators):
    with i18n.using(lang):
        assert i18n.number(1473) == whole
        assert i18n.number(29903.5) == fraction
        assert i18n.number(-12.5) == negative
        assert i18n.number(-12.5, minus="−") == "−" + negative[1:]  # print uses the true minus sign
        assert i18n.number(float("nan")) == "–"
        assert i18n.plotly_separators() == separators


def test_dates_and_months_follow_the_language():
    import datetime as dt

    day = dt.date(2022, 3, 5)
    with i18n.using("sq"):
        assert i18n.date(day, "long") == "5 mars 2022"
        assert i18n.month_names()[0].lower().startswith("jan")
    with i18n.using("sr"):
        assert i18n.date(day, "long") == "5. mart 2022."
    assert i18n.date(day, "long") == "March 5, 2022"


def test_vocabulary_labels_are_translated_but_imports_still_match_english():
    with i18n.using("sr"):
        assert vocab.label(vocab.TRACE_RESULTS, "pending") == "Praćenje u toku"
        assert vocab.label(vocab.TRACE_RESULTS, "unknown_code") == "unknown_code"
        assert vocab.TRACE_RESULTS["pending"] == "Trace pending"  # the vocabulary itself stays English


# --- the app in each language ------------------------------------------------------------------------------------


def open_app(monkeypatch, url, lang: str | None) -> AppTest:
    monkeypatch.setenv("SEIZURES_DB_URL", url)
    at = AppTest.from_file(APP, default_timeout=90)
    if lang is not None:
        at.query_params["lang"] = lang
    return at.run()


def english_texts(lang: str) -> list[tuple[str, re.Pattern]]:
    """Patterns of the English texts whose translation differs, to find any left untranslated on a page.

    Each pattern is the text's longest fixed part (placeholders cut it up); one-word texts must match a whole
    element, longer ones may sit inside one. Names of stored reference data are left out: they show as stored
    when the catalogue lacks them.
    """
    data_names = set(vocab.DATA_LABELS)
    patterns = []
    for msgid, message in entries(catalog(lang)).items():
        translated = message.string[0] if isinstance(message.string, tuple) else message.string
        if translated == msgid or msgid in data_names:
            continue
        parts = [p.strip(" .,:;()") for p in re.split(r"\{[^}]*\}", msgid)]
        longest = max(parts, key=len)
        words = len(longest.split())
        if words == 1 and len(parts) == 1 and len(longest) > 3:
            patterns.append((msgid, re.compile(rf"^{re.escape(longest)}$")))
        elif words >= 2:
            patterns.append((msgid, re.compile(rf"(?<![\w-]){re.escape(longest)}(?![\w-])")))
    return patterns


def shown_texts(at: AppTest) -> list[str]:
    """The texts a user reads: headings, captions, messages, labels, options, metrics, table and chart labels."""
    texts = []
    for kind in ("title", "header", "subheader", "caption", "markdown", "info", "warning", "success", "error"):
        texts += [e.value for e in getattr(at, kind)]
    for metric in at.metric:
        texts += [metric.label, metric.value, metric.proto.delta, metric.proto.help]
    for kind in ("selectbox", "radio", "multiselect", "checkbox", "button", "number_input", "slider", "expander"):
        for widget in getattr(at, kind):
            texts.append(widget.label)
            texts += [str(o) for o in getattr(widget, "options", [])]
    texts += [b.proto.label for b in at.get("download_button")]
    for frame in at.dataframe:
        config = json.loads(frame.proto.columns or "{}")
        texts += [c.get("label") or "" for c in config.values()]
        texts += [str(c) for c in frame.value.columns if str(c) not in config]
    for chart in at.get("plotly_chart"):
        fig = pio.from_json(chart.proto.spec)
        texts += [fig.layout.title.text or "", fig.layout.xaxis.title.text or "", fig.layout.yaxis.title.text or ""]
        texts += [t.name or "" for t in fig.data] + [a.text or "" for a in fig.layout.annotations]
    return [t for t in texts if t]


@pytest.mark.parametrize("lang", i18n.TRANSLATED)
def test_every_page_renders_translated(monkeypatch, demo_url, fresh_caches, lang):
    patterns = english_texts(lang)
    assert len(patterns) > 250
    translations = {m.string if isinstance(m.string, str) else m.string[0] for m in entries(catalog(lang)).values()}
    with i18n.using(lang):  # AppTest re-applies widgets' format functions in this thread
        at = open_app(monkeypatch, demo_url, lang)
        for page in PAGES:
            if page != PAGES[0]:
                at.switch_page(page).run()
            assert not at.exception, (page, at.exception)  # a text missing from the catalogue raises
            texts = shown_texts(at)
            assert len(texts) > 5, page
            texts = [t for t in texts if t not in translations]  # e.g. sq "Data" (date) is not English "Data"
            left = {(msgid, text[:80]) for text in texts for msgid, pattern in patterns if pattern.search(text)}
            assert not left, f"{page} shows English in {lang}: {sorted(left)[:5]}"
        assert at.selectbox(key="f_lang").value == lang
        assert at.query_params["lang"] == [lang] or at.query_params["lang"] == lang


def test_every_page_renders_in_english_by_default(monkeypatch, demo_url, fresh_caches):
    at = open_app(monkeypatch, demo_url, None)
    for page in PAGES:
        if page != PAGES[0]:
            at.switch_page(page).run()
        assert not at.exception, (page, at.exception)
    assert at.selectbox(key="f_lang").value == "en"
    assert "lang" not in at.query_params


def region_names(engine, column: str) -> dict[str, str]:
    with engine.connect() as conn:
        return dict(conn.execute(sa.select(schema.regions.c.code, schema.regions.c[column])).all())


def chart(at: AppTest, name: str):
    return next(pio.from_json(c.proto.spec) for c in at.get("plotly_chart") if c.proto.id.endswith(f"chart_{name}"))


def test_serbian_overview_uses_the_store_names_and_serbian_numbers(monkeypatch, demo_url, demo_engine, fresh_caches,
                                                                   oracle):
    with i18n.using("sr"):
        at = open_app(monkeypatch, demo_url, "sr")
        assert at.title[0].value == i18n._("Firearms seizures in {place}").format(place="Kosovo*")
        by_region = chart(at, "by_directorate")
        assert {t.name for t in by_region.data} == set(region_names(demo_engine, "name_sr").values())
        assert by_region.layout.separators == ",."
        # The firearms metric: the last year's sum over the stored lines, written the Serbian way (1.420).
        rows = oracle.select(years=(2024, 2024))
        firearms = rows.loc[rows["category"] == "firearm", "quantity"].sum()
        label = "Vatreno oružje (komada)"  # the store's Serbian labels (data/vocabulary.csv)
        metric = next(m for m in at.metric if m.label == label)
        assert metric.value == f"{int(firearms) // 1000}.{int(firearms) % 1000:03d}"
        trend = chart(at, "trend_firearm_pieces")
        published = next(t for t in trend.data if t.name == i18n._("Published national total"))
        assert dict(zip(published.x, published.y))[2022] == 1473


def test_albanian_weapons_page_translates_coded_values_and_months(monkeypatch, demo_url, fresh_caches):
    with i18n.using("sq"):
        at = open_app(monkeypatch, demo_url, "sq")
        at.switch_page("app_pages/weapons.py").run()
        bars = chart(at, "by_weapon_type").data[0]
        assert "Pistoletë" in bars.y and "Pistol" not in bars.y  # the store's Albanian label (data/vocabulary.csv)
        months = chart(at, "by_month").data[0].x
        assert list(months) == i18n.month_names() and months[0] != "Jan"
        category_table = next(f.value for f in at.dataframe if i18n._("Category") in f.value.columns)
        assert "Armë zjarri" in set(category_table[i18n._("Category")])


def test_language_selector_writes_the_url(monkeypatch, demo_url, fresh_caches):
    at = open_app(monkeypatch, demo_url, None)
    at.selectbox(key="f_lang").set_value("sr").run()  # (AppTest formats the English page's options in this thread)
    assert not at.exception
    with i18n.using("sr"):
        assert at.query_params["lang"] in ("sr", ["sr"])
        assert at.title[0].value == "Zaplene vatrenog oružja: Kosovo*"
        assert at.multiselect(key="f_regions").label == i18n._("Regional directorates")


@pytest.mark.parametrize("raw", ["xx", "<script>", "EN-us"])
def test_unknown_language_falls_back_to_english_with_a_warning(monkeypatch, demo_url, fresh_caches, raw):
    at = open_app(monkeypatch, demo_url, raw)
    assert not at.exception
    assert at.selectbox(key="f_lang").value == "en"
    assert at.title[0].value == "Firearms seizures in Kosovo*"
    assert any("Ignored lang=" in w.value and "Showing English" in w.value for w in at.warning)
    assert "lang" not in at.query_params


def test_language_in_the_url_keeps_the_filter(monkeypatch, demo_url, fresh_caches):
    monkeypatch.setenv("SEIZURES_DB_URL", demo_url)
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params["lang"] = "SQ"  # the code's case does not matter
    at.query_params["region"] = "PZ"
    with i18n.using("sq"):
        at.run()
        assert not at.exception and not at.warning
        assert at.selectbox(key="f_lang").value == "sq"
        assert at.multiselect(key="f_regions").value == ["PZ"]
        assert at.query_params["region"] in ("PZ", ["PZ"]) and at.query_params["lang"] in ("sq", ["sq"])


def test_cached_figures_follow_the_language(monkeypatch, demo_url, fresh_caches):
    """Figures are cached (ui.figure) per language: the KPI progress chart's data are numbers, the same in every
    language, its texts are not."""
    seen = []
    for lang in ("en", "sq", "sr", "en"):
        with i18n.using(lang):
            at = open_app(monkeypatch, demo_url, lang)
            at.switch_page("app_pages/kpis.py").run()
            schedule = chart(at, "kpi_progress").data[-1].name
            assert schedule == i18n._("Expected (on schedule)"), lang
            seen.append(schedule)
    assert len(set(seen)) == 3
