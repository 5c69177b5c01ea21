"""The map of the regional directorates: DataFrames in, figures out, drawn with no tile server and no download.

Without boundaries each directorate is a marker at its seat (data/region_seats.csv), sized by the measure.
With a boundaries GeoJSON (SEIZURES_BOUNDARIES=path), each directorate's shape is filled by the measure.
Both are plain longitude/latitude plots (Plotly's geo subplots fetch base maps from a CDN, which offline fails).
"""

from __future__ import annotations

import csv
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from seizures import charts, i18n, settings
from seizures.i18n import N_

SEATS_FILE = "region_seats.csv"

TOTAL, PER_100K = "total", "per_100k"
HAS_VALUE, NO_POPULATION, NOT_SELECTED = "value", "no_population", "not_selected"
SUPPRESSED = "suppressed"  # the public mode hides a small total (see disclosure.py)

# Every user-visible text of this module, in one place (for translation).
TEXT = i18n.Texts({
    "measure_total": N_("Total in the period"),
    "measure_per_100k": N_("Per 100,000 inhabitants"),
    "status_no_population": N_("no population figure"),
    "status_not_selected": N_("not in the filter"),
    "status_suppressed": N_("not shown (small count)"),
    "legend_no_population": N_("No population figure"),
    "legend_not_selected": N_("Not in the filter"),
    "legend_suppressed": N_("Not shown (small count)"),
    "hover_seat": N_("Seat"),
    "hover_population": N_("Population"),
    "hover_quantity": N_("Total"),
    "per_100k_suffix": N_("per 100,000"),
    "longitude": N_("Longitude (°E)"),
    "latitude": N_("Latitude (°N)"),
    "err_seats_missing": N_("{path}: file not found"),
    "err_seats_column": N_("{path}: missing column {column!r}"),
    "err_seats_value": N_("{path}, row {row}: {column} {value!r} is not a number in {low}–{high}"),
    "err_seats_duplicate": N_("{path}, row {row}: directorate {code!r} appears twice"),
    "err_geo_read": N_("{path}: cannot read the boundaries GeoJSON ({reason})"),
    "err_geo_type": N_("{path}: expected a GeoJSON FeatureCollection"),
    "err_geo_key": N_("{path}, feature {index}: no {key!r} (set {setting} to the property holding the directorate code)"),
    "err_geo_code": N_("{path}, feature {index}: unknown directorate code {code!r} (expected one of {known})"),
    "err_geo_geometry": N_("{path}, feature {index}: geometry type {kind!r} is not a Polygon or MultiPolygon"),
    "warn_geo_missing": N_("The boundaries file has no shape for: {names}."),
})

MEASURES = i18n.Texts({TOTAL: TEXT.msgid("measure_total"), PER_100K: TEXT.msgid("measure_per_100k")})
NO_VALUE_COLOUR = "#BBBBBB"
COLOURSCALE = "Blues"
MARKER_MAX_PX = 60
MARKER_MIN_PX = 8
MAP_HEIGHT_PX = 680  # the whole country beside the legend, on a laptop screen
# Seats closer than this (degrees) get their labels pushed apart (Mitrovica South and North are about 1 km apart).
CROWDED_DEG = 0.05


class MapDataError(ValueError):
    """A seats or boundaries file cannot be used: a one-line message naming the file, row and field."""


def read_seats(path: Path | None = None) -> pd.DataFrame:
    """code, seat, latitude, longitude, accuracy, source: one row per directorate seat."""
    path = path or settings.data_dir() / SEATS_FILE
    if not path.exists():
        raise MapDataError(TEXT["err_seats_missing"].format(path=path))
    with path.open(encoding="utf-8") as f:
        reader = csv.DictReader(f)
        for column in ("code", "seat", "latitude", "longitude"):
            if column not in (reader.fieldnames or []):
                raise MapDataError(TEXT["err_seats_column"].format(path=path, column=column))
        rows, seen = [], set()
        for number, row in enumerate(reader, start=2):  # row 1 is the header
            for column, low, high in (("latitude", -90, 90), ("longitude", -180, 180)):
                try:
                    value = float(row[column])
                except (TypeError, ValueError):
                    value = math.nan
                if not low <= value <= high:
                    raise MapDataError(TEXT["err_seats_value"].format(
                        path=path, row=number, column=column, value=row[column], low=low, high=high))
                row[column] = value
            if row["code"] in seen:
                raise MapDataError(TEXT["err_seats_duplicate"].format(path=path, row=number, code=row["code"]))
            seen.add(row["code"])
            rows.append(row)
    return pd.DataFrame(rows, columns=["code", "seat", "latitude", "longitude", "accuracy", "source"])


def region_values(
    totals: pd.DataFrame, regions: pd.DataFrame, seats: pd.DataFrame, category: str, unit: str,
    measure: str = TOTAL, selected: tuple[str, ...] = (),
) -> pd.DataFrame:
    """One row per directorate: its seat, the period's total of one category and unit, and the measure's value.

    `totals` is a totals_by_region_year frame (already filtered). `value` is the total, or the total per 100,000
    inhabitants where the directorate's population is known; it is missing (never zero) where there is no
    population figure or the directorate is not in the filter's `selected` codes (empty = all). `status` says which.
    """
    rows = totals[(totals["category"] == category) & (totals["unit"] == unit)]
    quantity = rows.groupby("region_code")["quantity"].sum(skipna=False)  # NaN: hidden by the public mode
    name = "name" if "name" in regions else "name_en"  # "name": the directorates' names in the page's language
    out = regions[["code", name, "population"]].rename(columns={name: "name"}).merge(
        seats[["code", "seat", "latitude", "longitude"]], on="code", how="left"
    )
    in_filter = out["code"].isin(selected) if selected else pd.Series(True, index=out.index)
    hidden = out["code"].map(quantity.isna()).eq(True) & in_filter
    out["quantity"] = out["code"].map(quantity).fillna(0.0).where(in_filter & ~hidden)
    population = pd.to_numeric(out["population"], errors="coerce").where(lambda p: p > 0)
    out["population"] = population
    if measure == PER_100K:
        out["value"] = out["quantity"] / population * 100_000
    else:
        out["value"] = out["quantity"]
    out["status"] = HAS_VALUE
    out.loc[out["value"].isna(), "status"] = NO_POPULATION
    out.loc[~in_filter, "status"] = NOT_SELECTED
    out.loc[hidden, "status"] = SUPPRESSED
    out["measure"] = measure
    out["category"], out["unit"] = category, unit
    return out.reset_index(drop=True)


def format_value(value: float, measure: str) -> str:
    if pd.isna(value):
        return ""
    if measure == PER_100K:
        return f"{i18n.number(value, 1)} {TEXT['per_100k_suffix']}"
    return i18n.number(value)


def _status_text(row) -> str:
    if row.status == NO_POPULATION:
        return TEXT["status_no_population"]
    if row.status == NOT_SELECTED:
        return TEXT["status_not_selected"]
    if row.status == SUPPRESSED:
        return TEXT["status_suppressed"]
    return format_value(row.value, row.measure)


def _hover(row, measure_label: str) -> str:
    lines = [f"<b>{row.name}</b>", f"{TEXT['hover_seat']}: {row.seat}"]
    if not pd.isna(row.quantity):
        lines.append(f"{TEXT['hover_quantity']}: {format_value(row.quantity, TOTAL)}")
    if not pd.isna(row.population):
        lines.append(f"{TEXT['hover_population']}: {i18n.number(row.population, 0)}")
    lines.append(f"{measure_label}: {_status_text(row)}")
    return "<br>".join(lines)


def _label_offsets(placed: pd.DataFrame) -> dict[str, tuple[int, int]]:
    """Pixel offsets (ax, ay) for labels of crowded seats: the northern one up-left, the southern one down-right."""
    offsets: dict[str, tuple[int, int]] = {}
    points = list(placed[["code", "latitude", "longitude"]].itertuples(index=False))
    for a in points:
        for b in points:
            if a.code != b.code and abs(a.latitude - b.latitude) < CROWDED_DEG and abs(a.longitude - b.longitude) < CROWDED_DEG:
                offsets[a.code] = (-70, -45) if a.latitude >= b.latitude else (70, 45)
    return offsets


def _labels(fig: go.Figure, placed: pd.DataFrame, sizes: dict[str, float]) -> None:
    offsets = _label_offsets(placed)
    for row in placed.itertuples():
        text = f"<b>{row.name}</b><br>{_status_text(row)}"
        if row.code in offsets:
            ax, ay = offsets[row.code]
            fig.add_annotation(x=row.longitude, y=row.latitude, text=text, showarrow=True, arrowhead=0,
                               arrowcolor="#555555", ax=ax, ay=ay, font=dict(size=12), bgcolor="rgba(255,255,255,0.8)")
        else:
            fig.add_annotation(x=row.longitude, y=row.latitude, text=text, showarrow=False,
                               yshift=sizes.get(row.code, MARKER_MIN_PX) / 2 + 18, font=dict(size=12),
                               bgcolor="rgba(255,255,255,0.6)")


def _geographic_axes(fig: go.Figure, lons: list[float], lats: list[float]) -> None:
    """Longitude/latitude axes with equal ground distances (equirectangular around the mean latitude)."""
    pad_x = max((max(lons) - min(lons)) * 0.12, 0.1)
    pad_y = max((max(lats) - min(lats)) * 0.15, 0.1)
    ratio = 1 / math.cos(math.radians(sum(lats) / len(lats)))
    fig.update_xaxes(range=[min(lons) - pad_x, max(lons) + pad_x], title_text=TEXT["longitude"],
                     tickformat=".1f", showgrid=True, gridcolor="#eeeeee", zeroline=False)
    fig.update_yaxes(range=[min(lats) - pad_y, max(lats) + pad_y], title_text=TEXT["latitude"],
                     tickformat=".1f", rangemode="normal", scaleanchor="x", scaleratio=ratio, zeroline=False)
    fig.update_layout(margin=dict(l=70, r=30, t=70, b=60))


def _placed(values: pd.DataFrame) -> pd.DataFrame:
    return values.dropna(subset=["latitude", "longitude"])


def _no_value_traces(fig: go.Figure, placed: pd.DataFrame, measure_label: str) -> None:
    for status, symbol, legend in (
        (NO_POPULATION, "circle-open", TEXT["legend_no_population"]),
        (NOT_SELECTED, "x-thin-open", TEXT["legend_not_selected"]),
        (SUPPRESSED, "square-open", TEXT["legend_suppressed"]),
    ):
        part = placed[placed["status"] == status]
        if part.empty:
            continue
        fig.add_trace(go.Scatter(
            x=part["longitude"], y=part["latitude"], ids=part["code"].tolist(), mode="markers", name=legend,
            marker=dict(symbol=symbol, size=MARKER_MIN_PX + 4, color=NO_VALUE_COLOUR, line=dict(width=2, color=NO_VALUE_COLOUR)),
            hovertext=[_hover(r, measure_label) for r in part.itertuples()], hoverinfo="text",
        ))


def marker_map(values: pd.DataFrame, measure_label: str, title: str | None = None) -> go.Figure:
    """Each directorate as a marker at its seat, its area proportional to the value (a region_values frame)."""
    placed = _placed(values)
    with_value = placed[placed["status"] == HAS_VALUE].sort_values("value", ascending=False)  # small ones on top
    top = with_value["value"].max() if not with_value.empty else 0
    sizes = {
        row.code: max(MARKER_MIN_PX, MARKER_MAX_PX * math.sqrt(row.value / top)) if top > 0 else MARKER_MIN_PX
        for row in with_value.itertuples()
    }
    fig = go.Figure()
    if not with_value.empty:
        fig.add_trace(go.Scatter(
            x=with_value["longitude"], y=with_value["latitude"], ids=with_value["code"].tolist(), mode="markers",
            name=measure_label, showlegend=False,
            marker=dict(size=[sizes[c] for c in with_value["code"]],
                        color=[charts.REGION_COLOURS.get(c, charts.OKABE_ITO[0]) for c in with_value["code"]],
                        opacity=0.75, line=dict(width=1.5, color="white")),
            customdata=with_value["value"], hovertext=[_hover(r, measure_label) for r in with_value.itertuples()],
            hoverinfo="text",
        ))
    _no_value_traces(fig, placed, measure_label)
    _labels(fig, placed, sizes)
    themed = charts.themed(fig, title)
    themed.update_layout(height=MAP_HEIGHT_PX)
    if not placed.empty:
        _geographic_axes(themed, placed["longitude"].tolist(), placed["latitude"].tolist())
    return themed


# --- Boundaries (optional) ---

@dataclass
class Boundaries:
    """Each directorate's polygons as rings of (lon, lat); `warnings` lists what the file lacks."""

    shapes: dict[str, list[list[tuple[float, float]]]]
    warnings: list[str] = field(default_factory=list)


def boundaries_setting() -> tuple[Path | None, str]:
    """The configured boundaries file (or None) and the feature key holding the directorate code."""
    return settings.boundaries_file(), settings.boundaries_key()


def _feature_key(feature: dict, key: str):
    value = feature
    for part in key.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def read_boundaries(path: Path, key: str, region_names: dict[str, str]) -> Boundaries:
    """Read a GeoJSON FeatureCollection of directorate shapes, matched to the directorates by `key`."""
    try:
        collection = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise MapDataError(TEXT["err_geo_read"].format(path=path, reason=str(exc).splitlines()[0])) from exc
    if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection":
        raise MapDataError(TEXT["err_geo_type"].format(path=path))
    shapes: dict[str, list[list[tuple[float, float]]]] = {}
    for index, feature in enumerate(collection.get("features") or [], start=1):
        code = _feature_key(feature, key)
        if code is None:
            raise MapDataError(TEXT["err_geo_key"].format(path=path, index=index, key=key, setting=settings.BOUNDARIES_KEY_SETTING))
        code = str(code).strip().upper()
        if code not in region_names:
            raise MapDataError(TEXT["err_geo_code"].format(
                path=path, index=index, code=code, known=", ".join(region_names)))
        geometry = feature.get("geometry") or {}
        kind = geometry.get("type")
        if kind == "Polygon":
            polygons = [geometry["coordinates"]]
        elif kind == "MultiPolygon":
            polygons = geometry["coordinates"]
        else:
            raise MapDataError(TEXT["err_geo_geometry"].format(path=path, index=index, kind=kind))
        rings = shapes.setdefault(code, [])
        for polygon in polygons:
            rings.extend([(float(p[0]), float(p[1])) for p in ring] for ring in polygon)
    missing = [name for code, name in region_names.items() if code not in shapes]
    warnings = [TEXT["warn_geo_missing"].format(names=", ".join(missing))] if missing else []
    return Boundaries(shapes, warnings)


def _ring_path(rings: list[list[tuple[float, float]]]) -> tuple[list, list]:
    xs: list = []
    ys: list = []
    for ring in rings:
        xs.extend([p[0] for p in ring] + [None])
        ys.extend([p[1] for p in ring] + [None])
    return xs, ys


def _shades(shares: list[float]) -> list[str]:
    """Colours for shares 0..1 of the value range (the palest shades left out, so that 0 stays visible)."""
    return sample_colorscale(COLOURSCALE, [0.15 + 0.85 * share for share in shares])


def choropleth_map(values: pd.DataFrame, boundaries: Boundaries, measure_label: str, title: str | None = None) -> go.Figure:
    """Each directorate's shape filled by its value (sequential colours; grey where there is no value)."""
    fig = go.Figure()
    known = values[values["status"] == HAS_VALUE]["value"]
    low, high = (float(known.min()), float(known.max())) if not known.empty else (0.0, 1.0)
    span = (high - low) or 1.0
    lons: list[float] = []
    lats: list[float] = []
    for row in values.itertuples():
        rings = boundaries.shapes.get(row.code)
        if not rings:
            continue
        xs, ys = _ring_path(rings)
        lons += [x for x in xs if x is not None]
        lats += [y for y in ys if y is not None]
        if row.status == HAS_VALUE:
            colour = _shades([(row.value - low) / span])[0]
        else:
            colour = "#F2F2F2" if row.status == NOT_SELECTED else NO_VALUE_COLOUR
        fig.add_trace(go.Scatter(
            x=xs, y=ys, mode="lines", fill="toself", fillcolor=colour, line=dict(color="white", width=1.5),
            name=f"{row.name}: {_status_text(row)}", showlegend=False, hoveron="fills", hoverinfo="name",
            meta={"code": row.code, "value": None if pd.isna(row.value) else float(row.value)},
        ))
    if not known.empty:  # the colour bar, on an invisible point
        fig.add_trace(go.Scatter(
            x=[None], y=[None], mode="markers", showlegend=False, hoverinfo="skip",
            marker=dict(colorscale=[[i / 10, colour] for i, colour in enumerate(_shades([i / 10 for i in range(11)]))],
                        cmin=low, cmax=high, color=[low], showscale=True,
                        colorbar=dict(title=dict(text=measure_label, side="right"), tickformat=",")),
        ))
    placed = _placed(values)
    if not placed.empty:
        fig.add_trace(go.Scatter(
            x=placed["longitude"], y=placed["latitude"], ids=placed["code"].tolist(), mode="markers",
            marker=dict(size=6, color="#333333"), showlegend=False,
            hovertext=[_hover(r, measure_label) for r in placed.itertuples()], hoverinfo="text",
        ))
        _labels(fig, placed, {})
        lons += placed["longitude"].tolist()
        lats += placed["latitude"].tolist()
    themed = charts.themed(fig, title)
    themed.update_layout(height=MAP_HEIGHT_PX)
    if lons:
        _geographic_axes(themed, lons, lats)
    return themed
