"""Builders of import files for the tests, and a fingerprint of a store (either engine) to prove nothing was written."""

from __future__ import annotations

import csv
import io

import sqlalchemy as sa

HEADER = ["seized_on", "region", "municipality", "category", "weapon_type", "quantity", "unit", "context", "case_ref"]
VALID = {
    "seized_on": "2023-03-05", "region": "PZ", "municipality": "Prizren", "category": "firearm",
    "weapon_type": "pistol", "quantity": "1", "unit": "pieces", "context": "house_search", "case_ref": "T-1",
}


def row(**changes: str) -> dict[str, str]:
    """A valid row with some cells changed."""
    return {**VALID, **changes}


def csv_bytes(rows: list[dict[str, str]], header: list[str] | None = None, *, delimiter: str = ",",
              encoding: str = "utf-8", line_end: str = "\n") -> bytes:
    header = header or HEADER
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=line_end)
    writer.writerow(header)
    for r in rows:
        writer.writerow([r.get(h, "") for h in header])
    return out.getvalue().encode(encoding)


def valid_rows(n: int, prefix: str = "T") -> list[dict[str, str]]:
    return [row(case_ref=f"{prefix}-{i}") for i in range(1, n + 1)]


# An order-independent checksum of a table's rows, in SQL: DuckDB's row hash, PostgreSQL's md5 of the row's text.
ROW_CHECKSUM = {
    "duckdb": "coalesce(sum(hash(t)::HUGEINT), 0)",
    "postgresql": "coalesce(sum(('x' || left(md5(CAST(t AS text)), 16))::bit(64)::bigint), 0)",
}


def fingerprint(engine: sa.Engine) -> dict[str, tuple[int, int]]:
    """Row count and checksum of every table of the store."""
    checksum = ROW_CHECKSUM[engine.dialect.name]
    with engine.connect() as conn:
        names = conn.exec_driver_sql(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY 1"
        ).scalars().all()
        return {
            name: tuple(conn.exec_driver_sql(f'SELECT count(*), {checksum} FROM "{name}" t').one())
            for name in names
        }


def errors_at(result) -> set[tuple[int, str]]:
    """(row, column) of every problem reported."""
    return {(int(r), c) for r, c in zip(result.errors["row"], result.errors["column"])}
