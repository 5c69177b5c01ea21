"""Figure builders on known input: trace names, x/y values, colours and axis titles (asserted on the Python figure,
not on its JSON, where Plotly 7 may base64-encode numeric arrays)."""

import math

import pandas as pd
import pytest

from seizures import charts

NAMES = {"PR": "Prishtina", "PZ": "Prizren", "MN": "Mitrovica North"}  # in the regions' order: their colours
WEAPON_TYPES = {"pistol": "Pistol", "rifle": "Rifle", "shotgun": "Shotgun", "revolver": "Revolver",
                "machine_gun": "Machine gun", "converted_firearm": "Converted firearm",
                "blank_firing_weapon": "Blank-firing weapon"}
HIGHLIGHTED = ("converted_firearm", "blank_firing_weapon")


def by_region_year() -> pd.DataFrame:
    return pd.DataFrame({
        "region_code": ["PR", "PR", "PZ", "PZ", "MN"],
        "year": [2021, 2022, 2021, 2022, 2022],
        "value": [10.0, 12.0, 5.0, 7.0, 1.0],
    })


def test_yearly_trend_draws_records_as_bars_and_published_totals_as_a_line():
    frame = pd.DataFrame({
        "year": [2019, 2020, 2021],
        "recorded": [100.0, 120.0, 150.0],
        "published": [math.nan, 118.0, 140.0],
        "qualifier": [None, None, "more than"],
    })
    fig = charts.yearly_trend(frame, "Firearms (pieces)", "Record-level sum (illustrative)", "Firearms")
    bars, line = fig.data
    assert (bars.type, bars.name) == ("bar", "Record-level sum (illustrative)")
    assert list(bars.x) == [2019, 2020, 2021] and list(bars.y) == [100, 120, 150]
    assert (line.type, line.name) == ("scatter", "Published national total")
    # 2019 has no published figure: the authoritative line starts in 2020, it is not drawn at zero.
    assert list(line.x) == [2020, 2021] and list(line.y) == [118, 140]
    assert list(line.customdata) == ["", "more than"]
    assert line.line.color == charts.PUBLISHED_COLOUR
    assert fig.layout.yaxis.title.text == "Firearms (pieces)"
    assert fig.layout.xaxis.title.text == "Year"
    assert fig.layout.xaxis.dtick == 1
    assert bars.marker.color == charts.ILLUSTRATIVE_COLOUR and line.mode == "lines+markers" and line.text is None


def test_yearly_trend_for_print_shades_the_years_around_the_period_and_writes_the_figures():
    frame = pd.DataFrame({
        "year": [2019, 2020, 2021],
        "recorded": [100.0, 120.0, 1500.0],
        "published": [math.nan, 118.0, 1400.0],
        "qualifier": [None, None, "more than"],
    })
    fig = charts.yearly_trend(frame, "Firearms (pieces)", "Record-level sum", period=(2020, 2021), value_labels=True)
    bars, line = fig.data
    assert list(bars.marker.color) == [charts.CONTEXT_COLOUR, charts.ILLUSTRATIVE_COLOUR, charts.ILLUSTRATIVE_COLOUR]
    assert line.mode == "lines+markers+text"
    assert list(line.text) == ["118", "> 1,400"]  # a "more than" figure is a lower bound


def test_recorded_label_says_illustrative_only_when_it_is():
    assert charts.recorded_label(True) == "Record-level sum (illustrative)"
    assert charts.recorded_label(False) == "Record-level sum"


def test_stacked_by_region_has_one_series_per_directorate_in_its_colour():
    fig = charts.stacked_by_region(by_region_year(), NAMES, "Firearms (pieces)")
    assert fig.layout.barmode == "stack"
    series = {t.name: t for t in fig.data}
    assert list(series) == ["Prishtina", "Prizren", "Mitrovica North"]  # largest total first, at the bottom
    assert list(series["Prizren"].x) == [2021, 2022] and list(series["Prizren"].y) == [5, 7]
    assert list(series["Mitrovica North"].x) == [2022] and list(series["Mitrovica North"].y) == [1]
    assert series["Prizren"].marker.color == charts.PALETTE[1]  # the second region, the palette's second colour
    assert fig.layout.yaxis.title.text == "Firearms (pieces)"


def test_a_directorate_has_the_same_colour_on_every_chart():
    frame = by_region_year()
    stacked = {t.name: t.marker.color for t in charts.stacked_by_region(frame, NAMES, "x").data}
    lines = {t.name: t.line.color for t in charts.region_trends(frame, NAMES, "x").data}
    summary = pd.DataFrame({"region_code": ["MN", "PR", "PZ"], "name": ["Mitrovica North", "Prishtina", "Prizren"],
                            "share_pct": [10.0, 60.0, 30.0]})
    shares = charts.region_shares(summary, NAMES).data[0]
    bars = dict(zip(shares.y, shares.marker.color))
    assert stacked == lines == bars
    assert len(set(stacked.values())) == 3


def test_region_trends_draw_a_line_per_directorate():
    fig = charts.region_trends(by_region_year(), NAMES, "Seizure events (number)")
    series = {t.name: t for t in fig.data}
    assert list(series["Prishtina"].y) == [10, 12]
    assert all(t.mode == "lines+markers" for t in fig.data)
    assert fig.layout.yaxis.title.text == "Seizure events (number)"


def test_region_shares_are_horizontal_bars_in_percent():
    summary = pd.DataFrame({"region_code": ["PZ", "MN"], "name": ["Prizren", "Mitrovica North"],
                            "share_pct": [17.25, 2.5]})
    bar = charts.region_shares(summary, NAMES).data[0]
    assert bar.orientation == "h"
    assert list(bar.y) == ["Prizren", "Mitrovica North"]
    assert list(bar.x) == [17.25, 2.5]
    assert list(bar.text) == ["17.2 %", "2.5 %"]


def test_heatmap_fills_missing_cells_and_years_with_zero():
    frame = pd.DataFrame({"region_code": ["PZ", "PZ", "PR"], "year": [2019, 2021, 2021], "value": [3.0, 4.0, 9.0]})
    fig = charts.region_year_heatmap(frame, NAMES, "Firearms (pieces)")
    heat = fig.data[0]
    assert list(heat.x) == [2019, 2020, 2021]  # 2020 had no seizure at all: still a column
    assert list(heat.y) == ["Prishtina", "Prizren"]  # by name
    assert [list(row) for row in heat.z] == [[0, 0, 9], [3, 0, 4]]
    assert heat.colorbar.title.text == "Firearms (pieces)"


def test_breakdown_bars_sort_largest_first_with_labels_and_highlight_converted_weapons():
    frame = pd.DataFrame({"weapon_type": ["pistol", "converted_firearm", "rifle"], "value": [50.0, 20.0, 30.0]})
    bar = charts.breakdown_bars(frame, "weapon_type", WEAPON_TYPES, "Firearms (pieces)", None, HIGHLIGHTED).data[0]
    assert list(bar.y) == ["Pistol", "Rifle", "Converted firearm"]
    assert list(bar.x) == [50, 30, 20]
    assert bar.marker.color[2] == charts.highlight_colours(HIGHLIGHTED)["converted_firearm"]
    assert bar.marker.color[0] != bar.marker.color[2]


def test_weapon_type_trends_keep_converted_and_blank_firing_and_sum_the_rest():
    rows = []
    totals = {"pistol": 100, "rifle": 80, "shotgun": 60, "revolver": 10, "machine_gun": 5,
              "converted_firearm": 2, "blank_firing_weapon": 1}
    for weapon, value in totals.items():
        rows += [{"weapon_type": weapon, "year": 2021, "value": float(value)},
                 {"weapon_type": weapon, "year": 2022, "value": float(value) + 1}]
    fig = charts.weapon_type_trends(pd.DataFrame(rows), WEAPON_TYPES, "Firearms (pieces)", top=2,
                                    highlighted=HIGHLIGHTED)
    series = {t.name: t for t in fig.data}
    # The two largest, the two highlighted types however small, and the rest together.
    assert list(series) == ["Pistol", "Rifle", "Converted firearm", "Blank-firing weapon", "Other types"]
    assert list(series["Converted firearm"].y) == [2, 3]
    assert list(series["Other types"].y) == [60 + 10 + 5, 61 + 11 + 6]
    assert series["Blank-firing weapon"].line.color == charts.highlight_colours(HIGHLIGHTED)["blank_firing_weapon"]


def test_monthly_seasonality_has_twelve_months_with_zeros():
    frame = pd.DataFrame({"month": [1, 1, 7], "value": [3.0, 4.0, 5.0]})
    fig = charts.monthly_seasonality(frame, "Ammunition (rounds)")
    bar = fig.data[0]
    assert list(bar.x) == ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    assert list(bar.y) == [7, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0, 0]
    assert fig.layout.yaxis.title.text == "Ammunition (rounds)"
    assert fig.layout.xaxis.title.text == "Month"


@pytest.mark.parametrize("builder", [
    lambda: charts.stacked_by_region(by_region_year(), NAMES, "x"),
    lambda: charts.region_trends(by_region_year(), NAMES, "x"),
    lambda: charts.region_year_heatmap(by_region_year(), NAMES, "x"),
    lambda: charts.monthly_seasonality(pd.DataFrame({"month": [3], "value": [1.0]}), "x"),
])
def test_every_chart_uses_the_app_template(builder):
    fig = builder()
    assert fig.layout.template.layout.separators == ".,"
    assert list(fig.layout.template.layout.colorway) == charts.PALETTE


def test_regions_get_colours_by_their_order_whatever_their_codes():
    # Another jurisdiction's seven regions: seven distinct colours, in the regions' order, none grey.
    codes = ["R1", "R2", "R3", "R4", "R5", "R6", "R7"]
    colours = charts.region_colours(codes)
    assert list(colours.values()) == charts.PALETTE[:7] and charts.OTHER_COLOUR not in colours.values()
    frame = pd.DataFrame({"region_code": codes, "year": [2020] * 7, "value": [float(v) for v in range(1, 8)]})
    stacked = {t.name: t.marker.color for t in charts.stacked_by_region(frame, dict(zip(codes, codes)), "x").data}
    assert stacked == colours


def test_not_recorded_and_whole_jurisdiction_have_their_own_labels():
    frame = pd.DataFrame({"weapon_type": ["pistol", ""], "value": [5.0, 7.0]})
    bar = charts.breakdown_bars(frame, "weapon_type", WEAPON_TYPES, "x").data[0]
    assert list(bar.y) == ["not recorded", "Pistol"] and bar.marker.color[0] == charts.OTHER_COLOUR
    fig = charts.region_trends(pd.DataFrame({"region_code": [""], "year": [2020], "value": [3.0]}), NAMES, "x")
    assert fig.data[0].name == "Whole jurisdiction (not by region)"


def test_lines_differ_in_marker_and_dash_not_only_in_colour_and_are_named_at_their_ends():
    fig = charts.region_trends(by_region_year(), NAMES, "x")
    looks = [(t.marker.symbol, t.line.dash) for t in fig.data]
    assert len(set(looks)) == len(looks) == 3
    assert sorted(a.text for a in fig.layout.annotations) == sorted(NAMES.values())  # direct labels


def test_more_than_four_lines_become_small_multiples_on_one_value_axis():
    codes = [f"R{i}" for i in range(8)]
    frame = pd.DataFrame({"region_code": codes * 2, "year": [2021] * 8 + [2022] * 8,
                          "value": [float(v) for v in range(16)]})
    fig = charts.region_trends(frame, {c: f"Region {c}" for c in codes}, "Firearms (pieces)")
    assert len({t.xaxis for t in fig.data}) == 8  # a panel each
    assert [a.text for a in fig.layout.annotations] == [f"Region {c}" for c in codes]  # titled by name
    matches = {fig.layout[f"yaxis{i if i > 1 else ''}"].matches for i in range(1, 9)}
    assert len(matches - {None}) == 1  # every panel on one scale: they compare
    assert fig.layout.showlegend is False


def test_small_multiples_with_events_have_no_matched_axis_with_a_range_of_its_own():
    # plotly.js drew every panel empty (no line, a 0-4 value axis) when an x axis matched to another also had a
    # range, as add_events gave every panel: the Regions page's trend, seen in the browser's screenshots.
    codes = [f"R{i}" for i in range(8)]
    frame = pd.DataFrame({"region_code": codes * 2, "year": [2021] * 8 + [2022] * 8,
                          "value": [float(v) for v in range(16)]})
    events = pd.DataFrame({"starts_on": ["2022-03-01"], "ends_on": [None], "title": ["Census"], "kind": [""]})
    fig = charts.region_trends(frame, {c: f"Region {c}" for c in codes}, "Firearms (pieces)", events=events)
    axes = [fig.layout[f"xaxis{i if i > 1 else ''}"] for i in range(1, 9)]
    assert all(axis.range is not None for axis in axes)  # the events' span is the axis's
    assert [axis.matches for axis in axes if axis.range is not None] == [None] * 8
    assert len({tuple(axis.range) for axis in axes}) == 1  # one time axis for all


def test_stacked_segments_have_a_pattern_each():
    fig = charts.stacked_by_region(by_region_year(), NAMES, "x")
    assert len({t.marker.pattern.shape for t in fig.data}) == 3


def test_every_chart_says_what_it_shows():
    frame = by_region_year()
    for fig in (charts.stacked_by_region(frame, NAMES, "Firearms (pieces)"),
                charts.region_trends(frame, NAMES, "Firearms (pieces)"),
                charts.region_year_heatmap(frame, NAMES, "Firearms (pieces)"),
                charts.monthly_seasonality(pd.DataFrame({"month": [3], "value": [1.0]}), "Firearms (pieces)")):
        assert fig.layout.title.text.startswith("Firearms (pieces) by") or "per regional directorate" in fig.layout.title.text
    summary = pd.DataFrame({"region_code": ["PZ"], "name": ["Prizren"], "share_pct": [17.25]})
    assert charts.region_shares(summary, NAMES).layout.title.text == "Share of the national total by regional directorate"


# --- titles and event labels that fit the narrowest chart (a phone's) -----------------------------------------------

PHONE_CHART_PX = 358  # a 390 px phone less Streamlit's margins
TITLE_CHAR_PX = 8  # the widest of Source Sans's 17 px characters in these titles, on average per character
# The longest measure in each language (as the pages name it) and the charts' titles without a measure.
LONGEST_MEASURE = {"en": "Parts and components (pieces)", "sq": "Pjesë dhe komponentë (copë)",
                   "sr": "Delovi i komponente (komada)"}
FIXED_TITLES = ("Share of the national total by regional directorate", "Officers trained, by course and gender",
                "Progress towards the targets (illustrative values)", "Tracing funnel: firearms (pieces)")


def chart_titles(lang: str) -> list[str]:
    """Every chart title of the pages in `lang`: the catalogue's "{measure} ..." titles with the longest measure."""
    from collections import defaultdict

    from babel.messages.pofile import read_po

    from seizures import i18n

    with open(charts.__file__.replace("charts.py", "locale/sq/LC_MESSAGES/seizures.po"), "rb") as po:
        templates = [m.id for m in read_po(po) if isinstance(m.id, str) and "{measure}" in m.id
                     and not m.id.endswith(".") and len(m.id) < 50]
    assert "{measure} per regional directorate, by year" in templates
    with i18n.using(lang):
        fields = defaultdict(lambda: "2019–2024", measure=LONGEST_MEASURE[lang], base="2023", current="2024")
        return [i18n._(t).format_map(fields) for t in templates] + [i18n._(t) for t in FIXED_TITLES]


@pytest.mark.parametrize("lang", ["en", "sq", "sr"])
def test_every_chart_title_is_wrapped_to_fit_a_phone(lang):
    # The Regions page at 390 px cut its titles ("Firearms (pieces) per regional directorate, by"): plotly.js does
    # not wrap them. Wrapped, every line fits, and no word is lost or cut.
    for title in chart_titles(lang):
        figure = charts.fit_titles({"layout": {"title": {"text": title}, "xaxis": {"title": {"text": title}}}})
        lines = figure["layout"]["title"]["text"].split("<br>")
        assert all(len(line) * TITLE_CHAR_PX <= PHONE_CHART_PX for line in lines), lines
        assert " ".join(lines) == title
        axis = figure["layout"]["xaxis"]["title"]["text"].split("<br>")
        assert all(len(line) <= charts.AXIS_TITLE_CHARS for line in axis) and " ".join(axis) == title
        # Each added line moves the plot area down a line, the title's first line half a line (plotly.js centres
        # a title's lines on where one line would be: unmoved, the first went above the figure's top).
        added = (len(lines) - 1) * charts.TITLE_LINE_PX
        assert figure["layout"].get("margin", {}).get("t", 50) == 50 + added
        assert figure["layout"]["title"].get("pad", {}).get("t", charts.TITLE_PAD_PX) == charts.TITLE_PAD_PX + added // 2
    assert any(len(line) > charts.TITLE_CHARS for line in chart_titles(lang))  # the test has titles to wrap


def test_a_title_wraps_only_past_its_width_into_even_lines():
    assert charts.wrapped("x" * 42, 42) == "x" * 42
    assert charts.wrapped("Firearms (pieces) per regional directorate, by year", 42) == \
        "Firearms (pieces) per<br>regional directorate, by year"  # two lines of 21 and 29, not 42 and 8
    assert charts.wrapped("a " + "y" * 50, 42) == "a<br>" + "y" * 50  # a word longer than the line stays whole
    assert charts.wrapped("one<br>two", 3) == "one<br>two"


def test_long_bar_names_wrap_in_their_tick_labels_only():
    # The Training page at 390 px in Serbian: a course's name took the chart's width and was still cut at the left,
    # and the axis title ran past the right edge of the plot area left over.
    course = "Obuka za pretres stana za pripadnike specijalne jedinice"
    fig = charts.trainees_by_gender(pd.DataFrame({"course": [course, "Obuka"], "men": [30, 2], "women": [10, 1]}))
    figure = charts.fit_titles(fig.to_dict())
    axis = figure["layout"]["yaxis"]
    assert axis["tickvals"] == [course, "Obuka"]
    assert axis["ticktext"] == ["Obuka za pretres<br>stana za pripadnike<br>specijalne jedinice", "Obuka"]
    assert all(len(line) <= charts.CATEGORY_CHARS for t in axis["ticktext"] for line in t.split("<br>"))
    assert [list(t["y"]) for t in figure["data"]] == [[course, "Obuka"]] * 2  # the data (and its table) whole
    short = charts.fit_titles(charts.trainees_by_gender(
        pd.DataFrame({"course": ["Obuka"], "men": [1], "women": [1]})).to_dict())
    assert "ticktext" not in short["layout"].get("yaxis", {})


def test_the_title_starts_at_the_figures_edge_not_the_plot_areas():
    # Horizontal bars' long names pushed a title starting at the plot area 100 px right, past the phone's edge.
    fig = charts.region_shares(pd.DataFrame({"region_code": ["MN"], "name": ["Mitrovica North"], "share_pct": [3.0]}),
                               NAMES)
    template = charts.pio.templates[charts.TEMPLATE_NAME].layout.title
    assert (template.xref, template.x, template.xanchor) == ("container", 0, "left")
    assert fig.layout.title.xref in (None, "container")


def test_panel_titles_wrap_to_a_panel_of_a_phone():
    codes = ["MN", "MS", "PR", "PZ", "PE"]
    names = {"MN": "Severna Mitrovica", "MS": "Južna Mitrovica", "PR": "Priština", "PZ": "Prizren", "PE": "Peć"}
    frame = pd.DataFrame({"region_code": codes, "year": [2022] * 5, "value": [1.0] * 5})
    fig = charts.region_trends(frame, names, "Vatreno oružje (komada)")
    titles = [a.text for a in fig.layout.annotations]
    assert titles[:2] == ["Severna<br>Mitrovica", "Južna<br>Mitrovica"]
    panel_px = PHONE_CHART_PX / 4
    assert all(len(line) * 7.5 <= panel_px for t in titles for line in t.split("<br>"))


DEMO_EVENTS = pd.DataFrame({
    "starts_on": ["2018-07-10", "2020-02-01", "2020-02-01", "2020-02-01", "2024-01-01", "2024-10-28"],
    "ends_on": [None, "2022-06-30", "2022-06-30", "2022-06-30", "2024-12-31", None],
    "title": ["Western Balkans SALW Control Roadmap adopted at the London Summit", "CPIAT project (Kosovo Police)",
              "Basic firearms investigations: 201 officers trained", "House-search training: 40 trained",
              "2024 population census", "Roadmap 2030 endorsed in Budva by the region's interior ministers"],
    "kind": ["other", "other", "training", "training", "census", "other"],
})


def event_label_boxes(fig) -> list[tuple[float, float, float]]:
    """Each event label's extent on a phone's plot area (charts.EVENT_PLOT_PX) in pixels, and its row (yshift);
    asserting that each stands above the plot area."""
    boxes = []
    labels = [a for a in fig.layout.annotations if a.name == "event"]
    assert labels
    for label in labels:
        assert (label.yref, label.y, label.yanchor) == ("paper", 1, "bottom")  # above the plot area: off the bars
        axis = fig.layout.xaxis
        low, high = axis.range
        if isinstance(low, str):
            low, high, x = (pd.Timestamp(v).value for v in (low, high, label.x))
        else:
            x = label.x
        domain = axis.domain or (0, 1)
        at = (domain[0] + (domain[1] - domain[0]) * (x - low) / (high - low)) * charts.EVENT_PLOT_PX
        width = len(label.text) * charts.EVENT_CHAR_PX
        left = at - width if label.xanchor == "right" else at
        boxes.append((left, left + width, label.yshift))
    return boxes


@pytest.mark.parametrize("chart", ["yearly", "monthly", "panels", "narrow"])
def test_event_labels_stand_above_the_plot_and_never_on_one_another(chart):
    # The Overview's yearly trend drew its event labels over the bars and the published line, and over each other
    # (a fifth label went back to the first row).
    if chart == "narrow":  # a label fitting on neither side of its mark is cut to the wider one
        frame = pd.DataFrame({"year": [2021, 2022], "recorded": [1.0, 2.0], "published": [1.0, 2.0],
                              "qualifier": [None, None]})
        fig = charts.yearly_trend(frame, "x", "Records", events=DEMO_EVENTS.iloc[[0]].assign(starts_on="2021-12-01"))
        assert [a.text for a in fig.layout.annotations] == ["▸ Western Balkans SALW C…"]  # 25 of 30 fit
        assert event_label_boxes(fig)[0][1] <= charts.EVENT_PLOT_PX
        return
    if chart == "yearly":
        years = list(range(2016, 2025))
        frame = pd.DataFrame({"year": years, "recorded": [100.0] * 9, "published": [90.0] * 9,
                              "qualifier": [None] * 9})
        fig = charts.yearly_trend(frame, "Firearms (pieces)", "Records", events=DEMO_EVENTS)
    elif chart == "monthly":
        frame = pd.DataFrame({"region_code": "PR", "year": [2018, 2024], "month": [1, 12], "value": [1.0, 2.0]})
        fig = charts.monthly_trends(frame, "region_code", NAMES, "Firearms (pieces)", events=DEMO_EVENTS)
    else:
        codes = [f"R{i}" for i in range(8)]
        frame = pd.DataFrame({"region_code": codes * 2, "year": [2018] * 8 + [2024] * 8, "value": [1.0] * 16})
        fig = charts.region_trends(frame, {c: f"Region {c}" for c in codes}, "Firearms (pieces)", events=DEMO_EVENTS)
    boxes = event_label_boxes(fig)
    assert len(boxes) == 4  # the three trainings share the project's label: "(+3)"... of the demo's four marks
    assert all(left >= 0 and right <= charts.EVENT_PLOT_PX for left, right, _row in boxes), boxes
    for i, (left, right, row) in enumerate(boxes):
        for other_left, other_right, other_row in boxes[i + 1:]:
            assert row != other_row or right <= other_left or other_right <= left, boxes
    # The rows sit between the title and the plot area: the top margin (and the height) grew by them.
    panel_titles = [a for a in fig.layout.annotations if a.name != "event" and a.yref == "paper" and a.y == 1]
    lowest = min(row for _l, _r, row in boxes)
    assert lowest >= (charts.PANEL_TITLE_PX if panel_titles else 0)
    top = max(row for _l, _r, row in boxes) + charts.EVENT_ROW_PX
    assert fig.layout.margin.t >= 50 + top


# --- bar value labels that fit the narrowest plot area ---------------------------------------------------------------

LABEL_CHAR_PX = 7  # Source Sans's 14 px digits, the widest characters of a value label (its average is 6.0-6.3 px)
LABEL_PAD_PX = 3  # plotly.js's gap between a bar's end and its outside label
TICK_GAP_PX = 6  # between a bar's name and the plot area


def phone_plot_px(figure: dict) -> float:
    """The plot area of a chart of horizontal bars on a phone: its width less the margins and the bars' names."""
    axis = figure["layout"].get("yaxis", {})
    names = axis.get("ticktext") or figure["data"][0]["y"]
    widest = max(len(line) for name in names for line in str(name).split("<br>"))
    margin = figure["layout"].get("margin", {})
    return PHONE_CHART_PX - margin.get("l", 10) - margin.get("r", 10) - widest * LABEL_CHAR_PX - TICK_GAP_PX


def labels_cut(figure: dict) -> list[str]:
    """The bars' labels (beyond a bar's end, or beside the zero line: annotations at x=0) and bars that would run
    past the plot area at a phone's width (any wider plot area has more room: a label's width stays the same while
    the bars' lengths grow with it)."""
    bar = figure["data"][0]
    if "range" not in figure["layout"].get("xaxis", {}):
        return ["no range: plotly.js's autorange leaves outside labels no room"]
    low, high = figure["layout"]["xaxis"]["range"]
    plot = phone_plot_px(figure)

    def px(value):
        return (value - low) / (high - low) * plot

    beside_zero = {a["y"]: a for a in figure["layout"].get("annotations", []) if a.get("xref") == "x"}
    cut = []
    for name, value, text in zip(bar["y"], bar["x"], bar["text"]):
        if not px(value) >= 0 or not px(value) <= plot:
            cut.append(f"{name}'s bar: {px(value):.0f} px of {plot:.0f}")
        width = len(str(text)) * LABEL_CHAR_PX + LABEL_PAD_PX
        if bar.get("textposition") == "none":
            label = beside_zero[name]
            assert label["text"] == text and label["x"] == 0
            room = px(0) if label["xanchor"] == "right" else plot - px(0)
            assert (label["xanchor"] == "right") == (value >= 0)  # on the side the bar leaves free
        else:
            room = px(value) if value < 0 else plot - px(value)
        if width > room:
            cut.append(f"{text}: {room:.0f} px of {plot:.0f}")
    return cut


def change_frame() -> pd.DataFrame:
    # The Overview's "What changed" by directorate, 2023 to 2024 (labels of up to 13 characters, both ways).
    rows = [("PE", 189, 220), ("MS", 143, 166), ("GJ", 157, 171), ("GJA", 136, 147), ("MN", 45, 54),
            ("PR", 348, 331), ("PZ", 219, 202), ("FE", 155, 129), ("XX", 0, 4), ("YY", 10, 10)]
    frame = pd.DataFrame(rows, columns=["region_code", "base", "current"])
    frame["change"] = frame["current"] - frame["base"]
    frame["pct_change"] = (frame["change"] / frame["base"] * 100).where(frame["base"] > 0)
    frame["status"] = ["new" if b == 0 else "same" if c == 0 else "rise" if c > 0 else "fall"
                       for b, c in zip(frame["base"], frame["change"])]
    return frame


CHANGE_NAMES = {"PE": "Peć", "MS": "Južna Mitrovica", "GJ": "Gnjilane", "GJA": "Đakovica", "MN": "Severna Mitrovica",
                "PR": "Priština", "PZ": "Prizren", "FE": "Uroševac", "XX": "Nova direkcija", "YY": "Ista"}


@pytest.mark.parametrize("lang", ["en", "sq", "sr"])
def test_bar_value_labels_fit_beside_their_bars_on_a_phone(lang):
    # At 390 px the "What changed" bars' labels ("+31 (+16,4%)") ran past the chart's right edge and, left of the
    # falls, onto the directorates' names; the Training page's "80" was cut at the plot area's edge.
    from seizures import i18n

    with i18n.using(lang):
        figures = {
            "change": charts.change_bars(change_frame(), "region_code", CHANGE_NAMES, "Vatreno oružje (komada)",
                                         ("2023", "2024")),
            "equipment": charts.equipment_delivered(pd.DataFrame({
                "item": ["Computers", "Multifunctional printers", "Link-analysis licence (desktop and server)",
                         "Flying observation cameras"], "quantity": [80, 40, 1, 2]})),
            "breakdown": charts.breakdown_bars(
                pd.DataFrame({"weapon_type": list(WEAPON_TYPES), "value": [1234.0, 20, 5, 3, 1, 777, 0]}),
                "weapon_type", WEAPON_TYPES, "Firearms (pieces)"),
            "shares": charts.region_shares(pd.DataFrame({
                "region_code": ["PR", "PZ", "MN"], "name": ["Prishtina", "Prizren", "Mitrovica North"],
                "share_pct": [61.25, 30.5, 8.25]}), NAMES),
        }
    for name, fig in figures.items():
        figure = charts.fit_titles(fig.to_dict())
        assert labels_cut(figure) == [], name
        bar = figure["data"][0]
        low, high = figure["layout"]["xaxis"]["range"]
        # The bars still take a fair part of the plot area: the longest at least a fifth of it.
        assert max(abs(v) for v in bar["x"]) / (high - low) >= 0.2, (name, low, high)
    change = figures["change"].data[0]
    assert ("+31 (+16.4 %)" if lang == "en" else "+31 (+16,4%)") in change.text  # the long labels are tested


def test_a_fitted_range_has_the_bars_and_their_labels_and_never_collapses():
    # 100 px: a bar of 10 with a 20 px label right of zero, one of 5 with a 30 px label left of it -> 1 unit = 3.33 px
    low, high = charts.fitted_range([(10, 20)], [(5, 30)], 100)
    assert math.isclose(high - low, 30) and math.isclose(high, 16) and math.isclose(low, -14)
    assert charts.fitted_range([(4, 0)], [], 100) == [0.0, 4]  # no labels: the bar fills the plot area
    assert charts.fitted_range([], [], 100)[1] > charts.fitted_range([], [], 100)[0]  # no bars: still a range
    assert charts.fitted_range([(0, 0)], [], 100) == [0.0, 1]
    low, high = charts.fitted_range([(10, 500)], [], 100)  # a label wider than the plot area: the bar still shows
    assert 10 / (high - low) >= 0.1
