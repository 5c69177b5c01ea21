"""The baseline most Streamlit dashboards are: the whole seizures table loaded into pandas once, every page number
filtered and aggregated in pandas on every run.

`install()` replaces each function of the app that reads seizure lines (seizures.queries, seizures.ingest) with a
pandas version over that one frame, so the same pages render the same numbers with only the data path changed:
- the frame is loaded once per process (like `st.cache_resource`) with DuckDB's own `.df()` on a connection of the
  app's engine, the fastest loader there is (a dashboard's `pd.read_sql` through SQLAlchemy is many times slower);
- the seizure aggregations are not cached: a typical dashboard recomputes them on each run;
- reference tables (directorates, published totals, ...) are still read with SQL as in the app.
`check=True` also calls the app's own function on each first call and records any difference, so the comparison
is between two ways of computing the same numbers.
"""

from __future__ import annotations

import time
from typing import Callable

import numpy as np
import pandas as pd

from seizures import ingest, queries, schema
from seizures.dashboard import data
from seizures.filters import SeizureFilter

_state: dict = {"frame": None, "load_seconds": []}
mismatches: list[str] = []
checked: set[str] = set()


def load() -> pd.DataFrame:
    """SELECT * FROM seizures into pandas, plus year and month columns (what a dashboard derives once)."""
    started = time.perf_counter()
    with data.engine().connect() as conn:
        frame = conn.connection.dbapi_connection.sql("SELECT * FROM seizures").df()
    frame["year"] = frame["seized_on"].dt.year.astype("int64")
    frame["month"] = frame["seized_on"].dt.month.astype("int64")
    _state["load_seconds"].append(time.perf_counter() - started)
    return frame


def frame() -> pd.DataFrame:
    if _state["frame"] is None:
        _state["frame"] = load()
    return _state["frame"]


def drop_frame() -> None:
    _state["frame"] = None


def select(flt: SeizureFilter) -> pd.DataFrame:
    rows = frame()
    keep = np.ones(len(rows), dtype=bool)
    if flt.year_from is not None:
        keep &= (rows["year"] >= flt.year_from).to_numpy()
    if flt.year_to is not None:
        keep &= (rows["year"] <= flt.year_to).to_numpy()
    for column, values in (("region_code", flt.regions), ("category", flt.categories),
                           ("weapon_type", flt.weapon_types), ("context", flt.contexts)):
        if values:
            keep &= rows[column].isin(values).to_numpy()
    return rows[keep]


def measure_by(_engine, flt: SeizureFilter, measure_key: str, *dimensions: str) -> pd.DataFrame:
    if not dimensions:
        raise ValueError("a measure needs at least one dimension to group by")
    pair = queries.measure_pair(measure_key)
    for d in dimensions:
        if d not in queries.DIMENSIONS:  # the same whitelist
            raise KeyError(d)
    rows = select(flt)
    keys = list(dimensions)
    if pair is None:  # seizure events: distinct case references; none in a group: not recorded
        value = rows.groupby(keys, sort=True)["case_ref"].nunique()
        value = value.where(rows["case_ref"].notna().groupby([rows[k] for k in keys], sort=True).any())
    else:
        rows = rows[(rows["category"] == pair[0]) & (rows["unit"] == pair[1])]
        value = rows.groupby(keys, sort=True)["quantity"].sum()
    out = value.rename("value").reset_index()
    out["value"] = out["value"].astype("float64").round(3)
    return out[[*keys, "value"]]


def _grouped(flt: SeizureFilter, *dimensions: str) -> pd.DataFrame:
    keys = [*dimensions, "category", "unit"]
    rows = select(flt)
    out = rows.groupby(keys, sort=True).agg(quantity=("quantity", "sum"), lines=("quantity", "size")).reset_index()
    return out.astype({"quantity": "float64", "lines": "int64"})


def totals_by_year(_engine, flt):
    return _grouped(flt, "year")


def totals_by_region_year(_engine, flt):
    return _grouped(flt, "region_code", "year")


def totals_by_category(_engine, flt):
    return _grouped(flt)


def year_bounds(_engine):
    rows = frame()
    return None if rows.empty else (int(rows["year"].min()), int(rows["year"].max()))


def record_counts(_engine, flt):
    rows = select(flt)  # the benchmark's stores hold record lines only, no counts by period
    return queries.StoredRows(len(rows), 0, int(rows["illustrative"].sum()), int(rows["case_ref"].notna().sum()))


def measures_with_data(_engine, flt):
    rows = select(flt)
    sums = rows.groupby(["category", "unit"], sort=True)["quantity"].sum()
    keys = [queries.measure_key(c, u) for (c, u), q in sums.items() if q > 0]
    return keys + ([queries.EVENTS] if rows["case_ref"].notna().any() else [])


def _as_stored(values: pd.Series) -> pd.Series:
    """A column as the app's records hold it: an empty field None (not pd.NA or NaT), a date a date."""
    if pd.api.types.is_datetime64_any_dtype(values):  # .dt.date keeps a datetime64 dtype in pandas 3
        return pd.Series([v.date() if pd.notna(v) else None for v in values], index=values.index, dtype=object)
    if pd.api.types.is_extension_array_dtype(values) or values.dtype == object:
        return pd.Series([v if pd.notna(v) else None for v in values], index=values.index, dtype=object)
    return values


def records_page(_engine, flt, sort="seized_on", descending=False, limit=50, offset=0):
    if sort not in queries.SORTABLE_COLUMNS:
        raise ValueError(f"cannot sort by {sort!r}")
    rows = select(flt).sort_values([sort, "id"], ascending=not descending, na_position="last", kind="stable")
    page = rows.iloc[offset:offset + limit][list(queries.RECORD_COLUMNS)].reset_index(drop=True)
    page = pd.DataFrame({column: _as_stored(page[column]) for column in page.columns})
    return page if not page.empty else pd.DataFrame(columns=list(queries.RECORD_COLUMNS))


def data_sources(engine):
    """The app's data_sources with the seizure records counted in pandas (the small tables still by SQL)."""
    import sqlalchemy as sa

    others = []
    for name, table in (("Published national totals", schema.published_totals), ("Training", schema.trainings),
                        ("Equipment", schema.equipment), ("Roadmap phases", schema.roadmap_phases),
                        ("Roadmap goals", schema.roadmap_goals), ("Roadmap KPIs", schema.roadmap_kpis)):
        others.append(sa.select(sa.literal(name, sa.String).label("dataset"), table.c.source.label("source"),
                                sa.cast(sa.false(), sa.Boolean).label("illustrative"),
                                sa.func.count().label("rows")).group_by(table.c.source))
    k = schema.kpi_values
    others.append(sa.select(sa.literal("KPI values", sa.String).label("dataset"), k.c.source.label("source"),
                            k.c.illustrative.label("illustrative"), sa.func.count().label("rows"))
                  .group_by(k.c.source, k.c.illustrative))
    r = schema.regions
    others.append(sa.select(sa.literal("Directorate populations", sa.String).label("dataset"),
                            r.c.population_source.label("source"), sa.cast(sa.false(), sa.Boolean).label("illustrative"),
                            sa.func.count().label("rows"))
                  .where(r.c.population.is_not(None)).group_by(r.c.population_source))
    with engine.connect() as conn:
        result = conn.execute(sa.union_all(*others))
        small = pd.DataFrame(result.fetchall(), columns=list(result.keys()))
    rows = frame()
    lines = rows.groupby(["source", "illustrative"], dropna=False).size().rename("rows").reset_index()
    lines.insert(0, "dataset", "Seizure records")
    table = pd.concat([small, lines], ignore_index=True).astype({"illustrative": bool, "rows": "int64"})
    order = ["Published national totals", "Training", "Equipment", "Roadmap phases", "Roadmap goals", "Roadmap KPIs",
             "KPI values", "Seizure records"]
    position = table["dataset"].map({name: i for i, name in enumerate(order)}).fillna(len(order))
    return table.assign(order=position).sort_values(["order", "source"]).drop(columns="order").reset_index(drop=True)


def list_imports(engine):
    """ingest.list_imports with the lines per import counted in pandas."""
    import sqlalchemy as sa

    i = schema.imports
    with engine.connect() as conn:
        result = conn.execute(sa.select(i).order_by(i.c.id.desc()))
        imports = pd.DataFrame(result.fetchall(), columns=list(result.keys()))
    lines = frame().groupby("import_id").size()
    imports["lines_stored"] = imports["id"].map(lines).fillna(0).astype("int64")
    columns = ["id", "kind", "file_name", "rows_read", "rows_accepted", "rows_rejected", "user_name", "imported_at",
               "rolled_back_at", "lines_stored", "content_hash"]
    return imports[columns]


# The app's functions that read seizure lines -> their pandas versions.
QUERY_FUNCTIONS: dict[str, Callable] = {
    "measure_by": measure_by,
    "measures_with_data": measures_with_data,
    "totals_by_year": totals_by_year,
    "totals_by_region_year": totals_by_region_year,
    "totals_by_category": totals_by_category,
    "year_bounds": year_bounds,
    "record_counts": record_counts,
    "records_page": records_page,
    "data_sources": data_sources,
}
INGEST_FUNCTIONS: dict[str, Callable] = {"list_imports": list_imports}


def _same(name: str, ours, theirs) -> bool:
    if isinstance(ours, pd.DataFrame):
        try:
            pd.testing.assert_frame_equal(
                ours.reset_index(drop=True), theirs.reset_index(drop=True), check_dtype=False, rtol=1e-9,
                check_index_type=False, check_column_type=False,
            )
        except AssertionError as exc:
            mismatches.append(f"{name}: {str(exc).splitlines()[0:3]}")
            return False
        return True
    if ours != theirs:
        mismatches.append(f"{name}: {ours!r} != {theirs!r}")
        return False
    return True


def _checked(name: str, ours: Callable, theirs: Callable) -> Callable:
    def call(*args):
        result = ours(*args)
        key = f"{name}{args[1:]!r}"
        if key not in checked:  # the app's own function, once per distinct call (not timed: see run.py)
            checked.add(key)
            _same(key, result, theirs(*args))
        return result
    return call


def install(check: bool) -> None:
    """Route the app's seizure reads to pandas; the per-query Streamlit cache is bypassed for them."""
    installed = set()
    for module, functions in ((queries, QUERY_FUNCTIONS), (ingest, INGEST_FUNCTIONS)):
        for name, ours in functions.items():
            theirs = getattr(module, name)
            function = _checked(name, ours, theirs) if check else ours
            setattr(module, name, function)
            installed.add(function)
    cached = data.cached

    def uncached(query, *args):
        if query in installed:
            return query(data.engine(), *args)
        return cached(query, *args)

    data.cached = uncached

