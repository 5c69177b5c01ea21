"""The map of the directorates: seats data, figure builders, GeoJSON boundaries, and the Map page through AppTest."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from seizures import maps, queries, settings
from seizures.filters import SeizureFilter
from seizures.schema import regions, seizures

APP = str(Path(__file__).resolve().parents[1] / "app.py")
CODES = {"PR", "PZ", "PE", "GJ", "MS", "MN", "GL", "FE"}


def store_sums(engine, category="firearm", unit="pieces", year_from=None, year_to=None) -> dict[str, float]:
    """Per directorate, the sum the store holds (written here in plain SQL, independently of the app's queries)."""
    year = sa.extract("year", seizures.c.seized_on)
    where = [seizures.c.category == category, seizures.c.unit == unit]
    if year_from is not None:
        where.append(year >= year_from)
    if year_to is not None:
        where.append(year <= year_to)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(seizures.c.region_code, sa.func.sum(seizures.c.quantity)).where(*where).group_by(seizures.c.region_code)
        ).all()
    return {code: float(total) for code, total in rows}


def store_populations(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return dict(conn.execute(sa.select(regions.c.code, regions.c.population).where(regions.c.population.is_not(None))).all())


def decode(value):
    """Plotly 7 stores numeric arrays as base64 (`bdata`) in the figure JSON."""
    if isinstance(value, dict) and "bdata" in value:
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"])).tolist()
    return value


def map_page(monkeypatch, url, params=None, measure=None) -> tuple[AppTest, dict]:
    monkeypatch.setenv("SEIZURES_DB_URL", url)
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.run()
    at.switch_page("app_pages/map.py").run()
    if measure is not None:
        at.radio(key="map_measure").set_value(measure).run()
    assert not at.exception, at.exception
    charts = at.get("plotly_chart")
    assert len(charts) == 1
    return at, json.loads(charts[0].proto.spec)


def traces_by_name(figure: dict) -> dict[str, dict]:
    return {trace.get("name"): trace for trace in figure["data"]}


# --- The seats file ---

def test_every_directorate_has_a_seat_inside_kosovo(demo_engine):
    seats = maps.read_seats()
    assert set(seats["code"]) == set(queries.region_list(demo_engine)["code"]) == CODES
    assert seats["latitude"].between(41.8, 43.3).all() and seats["longitude"].between(20.0, 21.8).all()
    assert seats["accuracy"].str.contains("approximate").all()


@pytest.mark.parametrize(
    "line,expected",
    [
        ("PR,Prishtinë,north,21.166,x,y", "row 2: latitude 'north' is not a number"),
        ("PR,Prishtinë,42.6,210,x,y", "row 2: longitude '210' is not a number in -180–180"),
    ],
)
def test_a_bad_seat_row_is_named(tmp_path, line, expected):
    path = tmp_path / "seats.csv"
    path.write_text("code,seat,latitude,longitude,accuracy,source\n" + line + "\n", encoding="utf-8")
    with pytest.raises(maps.MapDataError, match=expected):
        maps.read_seats(path)


# --- Figure builders ---

def test_region_values_total_and_per_100k(demo_engine):
    flt = SeizureFilter(year_from=2022, year_to=2022)
    totals = queries.totals_by_region_year(demo_engine, flt)
    region_frame = queries.region_list(demo_engine)
    expected = store_sums(demo_engine, year_from=2022, year_to=2022)
    total = maps.region_values(totals, region_frame, maps.read_seats(), "firearm", "pieces").set_index("code")
    assert total["value"].to_dict() == pytest.approx(expected)
    per = maps.region_values(totals, region_frame, maps.read_seats(), "firearm", "pieces", maps.PER_100K).set_index("code")
    populations = store_populations(demo_engine)
    assert set(populations) == {"PZ"}
    assert per.loc["PZ", "value"] == pytest.approx(expected["PZ"] / populations["PZ"] * 100_000)
    others = per.drop(index="PZ")
    assert others["value"].isna().all(), "no population figure must not become zero"
    assert (others["status"] == maps.NO_POPULATION).all()


def test_mitrovica_labels_point_in_opposite_directions(demo_engine):
    totals = queries.totals_by_region_year(demo_engine, SeizureFilter())
    values = maps.region_values(totals, queries.region_list(demo_engine), maps.read_seats(), "firearm", "pieces")
    fig = maps.marker_map(values, "Total")
    arrows = {a.text.split("</b>")[0].removeprefix("<b>"): a for a in fig.layout.annotations if a.showarrow}
    assert set(arrows) == {"Mitrovica South", "Mitrovica North"}
    north, south = arrows["Mitrovica North"], arrows["Mitrovica South"]
    assert north.ay < 0 < south.ay and north.ax < 0 < south.ax  # north label up-left, south label down-right


# --- Boundaries GeoJSON ---

def square(lon: float, lat: float, half: float = 0.08) -> list:
    ring = [[lon - half, lat - half], [lon + half, lat - half], [lon + half, lat + half], [lon - half, lat + half],
            [lon - half, lat - half]]
    return [ring]


def synthetic_geojson(path: Path, codes=None, key: str = "code", geometry: str = "Polygon") -> Path:
    """A square around each directorate's seat, tagged with its code under `key` (a property, or the feature id)."""
    seats = maps.read_seats()
    features = []
    for row in seats.itertuples():
        if codes is not None and row.code not in codes:
            continue
        coordinates = square(row.longitude, row.latitude)
        feature = {"type": "Feature", "properties": {"name": row.seat},
                   "geometry": {"type": geometry, "coordinates": [coordinates] if geometry == "MultiPolygon" else coordinates}}
        if key == "id":
            feature["id"] = row.code.lower()
        else:
            feature["properties"][key] = row.code
        features.append(feature)
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    return path


def region_names(engine) -> dict[str, str]:
    frame = queries.region_list(engine)
    return dict(zip(frame["code"], frame["name_en"]))


def test_boundaries_by_property_or_feature_id(tmp_path, demo_engine):
    names = region_names(demo_engine)
    by_property = maps.read_boundaries(synthetic_geojson(tmp_path / "a.geojson"), settings.DEFAULT_BOUNDARIES_KEY, names)
    assert set(by_property.shapes) == CODES and by_property.warnings == []
    by_id = maps.read_boundaries(synthetic_geojson(tmp_path / "b.geojson", key="id", geometry="MultiPolygon"), "id", names)
    assert set(by_id.shapes) == CODES
    assert by_id.shapes["PZ"] == by_property.shapes["PZ"]


def test_boundaries_missing_a_directorate_warn(tmp_path, demo_engine):
    path = synthetic_geojson(tmp_path / "seven.geojson", codes=CODES - {"MN"})
    result = maps.read_boundaries(path, settings.DEFAULT_BOUNDARIES_KEY, region_names(demo_engine))
    assert result.warnings == ["The boundaries file has no shape for: Mitrovica North."]


@pytest.mark.parametrize(
    "content,expected",
    [
        ("not json", "cannot read the boundaries GeoJSON"),
        ('{"type": "Feature"}', "expected a GeoJSON FeatureCollection"),
        ('{"type": "FeatureCollection", "features": [{"properties": {}}]}', "feature 1: no 'properties.code'"),
        ('{"type": "FeatureCollection", "features": [{"properties": {"code": "XX"}}]}', "feature 1: unknown directorate code 'XX'"),
        ('{"type": "FeatureCollection", "features": [{"properties": {"code": "PR"}, "geometry": {"type": "Point"}}]}',
         "feature 1: geometry type 'Point' is not a Polygon"),
    ],
)
def test_bad_boundaries_are_refused_with_the_feature_named(tmp_path, demo_engine, content, expected):
    path = tmp_path / "bad.geojson"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(maps.MapDataError, match=expected):
        maps.read_boundaries(path, settings.DEFAULT_BOUNDARIES_KEY, region_names(demo_engine))


# --- The Map page (AppTest) ---

def test_map_page_shows_the_stores_totals_per_directorate(monkeypatch, demo_url, demo_engine, fresh_caches):
    monkeypatch.delenv(settings.BOUNDARIES_SETTING, raising=False)
    _, figure = map_page(monkeypatch, demo_url, {"from": "2021", "to": "2022"})
    traces = [t for t in figure["data"] if t.get("ids")]
    assert {code for t in traces for code in t["ids"]} == CODES
    values = traces_by_name(figure)[maps.TEXT["measure_total"]]
    shown = dict(zip(values["ids"], decode(values["customdata"])))
    assert shown == pytest.approx(store_sums(demo_engine, year_from=2021, year_to=2022))


def test_map_page_per_100k_only_where_the_population_is_known(monkeypatch, demo_url, demo_engine, fresh_caches):
    monkeypatch.delenv(settings.BOUNDARIES_SETTING, raising=False)
    at, figure = map_page(monkeypatch, demo_url, {"from": "2022", "to": "2022"}, measure=maps.PER_100K)
    traces = traces_by_name(figure)
    values = traces[maps.TEXT["measure_per_100k"]]
    population = store_populations(demo_engine)["PZ"]
    expected = store_sums(demo_engine, year_from=2022, year_to=2022)["PZ"] / population * 100_000
    assert dict(zip(values["ids"], decode(values["customdata"]))) == pytest.approx({"PZ": expected})
    assert set(traces[maps.TEXT["legend_no_population"]]["ids"]) == CODES - {"PZ"}
    assert any("277,007" in c.value for c in at.caption)


def test_map_page_keeps_directorates_outside_the_filter_visible(monkeypatch, demo_url, demo_engine, fresh_caches):
    monkeypatch.delenv(settings.BOUNDARIES_SETTING, raising=False)
    _, figure = map_page(monkeypatch, demo_url, {"region": "PZ,GJ"})
    traces = traces_by_name(figure)
    assert set(traces[maps.TEXT["legend_not_selected"]]["ids"]) == CODES - {"PZ", "GJ"}
    values = traces[maps.TEXT["measure_total"]]
    sums = store_sums(demo_engine)
    assert dict(zip(values["ids"], decode(values["customdata"]))) == pytest.approx({c: sums[c] for c in ("PZ", "GJ")})


def test_map_page_draws_the_boundaries_choropleth(monkeypatch, tmp_path, demo_url, demo_engine, fresh_caches):
    monkeypatch.setenv(settings.BOUNDARIES_SETTING, str(synthetic_geojson(tmp_path / "regions.geojson", codes=CODES - {"FE"})))
    at, figure = map_page(monkeypatch, demo_url, {"from": "2022", "to": "2022"})
    shapes = {t["meta"]["code"]: t for t in figure["data"] if t.get("fill") == "toself"}
    assert set(shapes) == CODES - {"FE"}
    expected = store_sums(demo_engine, year_from=2022, year_to=2022)
    assert {code: t["meta"]["value"] for code, t in shapes.items()} == pytest.approx({c: expected[c] for c in shapes})
    fills = {code: t["fillcolor"] for code, t in shapes.items()}
    largest, smallest = max(shapes, key=lambda c: expected[c]), min(shapes, key=lambda c: expected[c])
    assert fills[largest] != fills[smallest]
    assert any("no shape for: Ferizaj" in w.value for w in at.warning)


def test_map_page_falls_back_to_markers_on_a_bad_boundaries_file(monkeypatch, tmp_path, demo_url, fresh_caches):
    bad = tmp_path / "bad.geojson"
    bad.write_text('{"type": "FeatureCollection", "features": [{"properties": {"code": "XX"}}]}', encoding="utf-8")
    monkeypatch.setenv(settings.BOUNDARIES_SETTING, str(bad))
    at, figure = map_page(monkeypatch, demo_url)
    assert any("unknown directorate code 'XX'" in w.value for w in at.warning)
    assert not [t for t in figure["data"] if t.get("fill") == "toself"]
    assert maps.TEXT["measure_total"] in traces_by_name(figure)


def test_map_page_on_an_empty_store(monkeypatch, empty_url, fresh_caches):
    monkeypatch.setenv("SEIZURES_DB_URL", empty_url)
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("app_pages/map.py").run()
    assert not at.exception
    assert any("No seizure records" in i.value for i in at.info)

