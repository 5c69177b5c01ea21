"""The charts' colours, computed: WCAG 2.1 contrast against the background (3:1 for a series, 4.5:1 for text), and
the series still apart with protanopia, deuteranopia and tritanopia simulated (Machado et al. 2009)."""

import itertools

import pytest

from seizures import charts, colour, maps
from seizures.dashboard import document

DEFICIENCIES = ("protanopia", "deuteranopia", "tritanopia")
WHITE = charts.BACKGROUND
# Least CIEDE2000 difference between two series' colours, in normal vision and in each simulation: about 2 is just
# noticeable; 10 is clearly another colour.
LEAST_DIFFERENCE = 10


def test_the_colour_arithmetic_matches_published_values():
    # WCAG's own examples, and the measurements of the old palette.
    assert colour.contrast("#000000", "#FFFFFF") == pytest.approx(21)
    assert colour.contrast("#767676", "#FFFFFF") == pytest.approx(4.54, abs=0.01)
    assert colour.contrast("#F0E442", WHITE) == pytest.approx(1.32, abs=0.01)  # Okabe-Ito's yellow
    assert colour.contrast("#828180", WHITE) == pytest.approx(3.88, abs=0.02)  # Streamlit's caption grey
    # CIEDE2000: Sharma, Wu & Dalal's test pairs.
    assert colour.difference_lab((50, 2.6772, -79.7751), (50, 0, -82.7485)) == pytest.approx(2.0425, abs=1e-4)
    assert colour.difference_lab((22.7233, 20.0904, -46.6940), (23.0331, 14.973, -42.5619)) == pytest.approx(2.0373, abs=1e-4)
    # Dichromacy leaves greys alone and merges red and green for deuteranopes.
    assert colour.simulate("#777777", "deuteranopia") == "#777777"
    assert colour.difference(colour.simulate("#D55E00", "deuteranopia"),
                             colour.simulate("#009E73", "deuteranopia")) < colour.difference("#D55E00", "#009E73") / 2


@pytest.mark.parametrize("name,value", [
    *((f"series {i + 1}", c) for i, c in enumerate(charts.PALETTE)),
    *((f"highlight {i + 1}", c) for i, c in enumerate(charts.HIGHLIGHT_PALETTE)),
    ("published", charts.PUBLISHED_COLOUR), ("recorded", charts.ILLUSTRATIVE_COLOUR),
    ("other", charts.OTHER_COLOUR), ("reference lines", charts.MUTED_COLOUR), ("map: no value", maps.NO_VALUE_COLOUR),
])
def test_every_series_colour_has_3_to_1_against_the_background(name, value):
    assert colour.contrast(value, WHITE) >= 3, name


@pytest.mark.parametrize("vision", ["normal", *DEFICIENCIES])
def test_series_colours_stay_apart_with_colour_blindness(vision):
    seen = [c if vision == "normal" else colour.simulate(c, vision) for c in charts.PALETTE]
    closest = min(itertools.combinations(range(len(seen)), 2), key=lambda p: colour.difference(seen[p[0]], seen[p[1]]))
    least = colour.difference(seen[closest[0]], seen[closest[1]])
    assert least >= LEAST_DIFFERENCE, (vision, [charts.PALETTE[i] for i in closest], round(least, 1))


def test_okabe_ito_fails_these_checks():
    # The palette this one replaced: the checks above would have caught it.
    okabe_ito = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442", "#000000"]
    assert [c for c in okabe_ito if colour.contrast(c, WHITE) < 3] == ["#E69F00", "#56B4E9", "#F0E442"]


def test_text_has_4_5_to_1():
    assert colour.contrast(charts.TEXT_COLOUR, WHITE) >= 4.5
    caption = document.STYLE.split('[data-testid="stCaptionContainer"] code {')[1].split("color:")[1].split(";")[0]
    for background in ("#FFFFFF", "#F8F8F7", "#F0F2F6"):  # the page, the sidebar, a secondary background
        assert colour.contrast(caption.strip(), background) >= 4.5, background


def _interpolate(scale, t: float) -> str:
    for (t0, c0), (t1, c1) in zip(scale, scale[1:]):
        if t0 <= t <= t1:
            f = (t - t0) / (t1 - t0)
            return colour.hex_of(a + (b - a) * f for a, b in zip(colour.rgb(c0), colour.rgb(c1)))
    raise ValueError(t)


def test_heatmap_labels_are_readable_on_every_cell_colour():
    cells = [_interpolate(charts.HEATMAP_SCALE, i / 200) for i in range(201)]
    worst = min(colour.contrast(charts.HEATMAP_TEXT, c) for c in cells)
    assert worst >= 4.5, worst
    # Plotly's "Blues" with the same black labels would not do: its darkest cells are navy.
    assert colour.contrast(charts.HEATMAP_TEXT, "#08306B") < 4.5


def test_more_series_than_colours_still_differ_in_shape():
    styles = list(charts.series_styles(range(20)).values())
    assert len({(s.colour, s.symbol, s.dash, s.pattern) for s in styles}) == 20
    # The ninth series has the first one's colour but another marker, dash and pattern.
    assert styles[8].colour == styles[0].colour
    assert (styles[8].symbol, styles[8].dash, styles[8].pattern) != (styles[0].symbol, styles[0].dash, styles[0].pattern)
