"""`seizures copy`: a whole store moved between engines, verified by row counts and checksums."""

from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from seizures import migrations, queries, schema, store, transfer
from seizures.cli import main
from seizures.filters import SeizureFilter


def checksums(url: str) -> dict[str, tuple[int, str]]:
    engine = store.make_engine(url)
    with engine.connect() as conn:
        sums = {table.name: transfer.table_checksum(conn, table) for table in schema.metadata.sorted_tables}
    engine.dispose()
    return sums


def next_import_id(url: str) -> tuple[int, int]:
    """(highest copied import id, the id a new import gets)."""
    engine = store.make_engine(url)
    imports = schema.imports
    with engine.begin() as conn:
        top = conn.execute(sa.select(sa.func.max(imports.c.id))).scalar_one()
        new = conn.execute(
            imports.insert().values(file_name="x.csv", content_hash="0" * 64, kind="file", rows_read=0,
                                    rows_accepted=0, rows_rejected=0, imported_at=sa.func.now())
            .returning(imports.c.id)
        ).scalar_one()
    engine.dispose()
    return top, new


def test_a_store_goes_there_and_back_unchanged(demo_url, engine_kind, new_store_url, tmp_path):
    middle, back = new_store_url(engine_kind), f"duckdb:///{tmp_path / 'back.duckdb'}"
    original = checksums(demo_url)
    assert original["seizures"][0] > 5000
    there = transfer.copy_store(demo_url, middle)
    assert all(check.ok for check in there)
    assert {c.table: (c.target_rows, c.target_checksum) for c in there} == original
    transfer.copy_store(middle, back)
    # Checksums computed independently on each engine agree: the rows are the same everywhere.
    assert checksums(middle) == checksums(back) == original
    for url in (middle, back):
        engine = store.make_engine(url)
        pd.testing.assert_frame_equal(
            queries.totals_by_region_year(engine, SeizureFilter()),
            queries.totals_by_region_year(store.make_engine(demo_url), SeizureFilter()),
        )
        engine.dispose()
        top, new = next_import_id(url)
        assert new > top  # the key sequences continue after the copied ids


def test_a_target_with_rows_is_refused_unless_replace(demo_url, engine_kind, new_store_url):
    target = new_store_url(engine_kind)
    engine = store.make_engine(target)
    store.init_db(engine)
    with engine.begin() as conn:
        conn.execute(schema.regions.insert().values(code="XX", name_en="x", name_sq="x", name_sr="x"))
    before = checksums(target)
    with pytest.raises(transfer.TransferError, match="holds 1 rows: add --replace"):
        transfer.copy_store(demo_url, target)
    assert checksums(target) == before
    transfer.copy_store(demo_url, target, replace=True)
    assert checksums(target) == checksums(demo_url)
    engine.dispose()


def test_a_copy_that_does_not_verify_leaves_the_target_unchanged(demo_url, engine_kind, new_store_url, monkeypatch):
    target = new_store_url(engine_kind)
    insert_frame = store.insert_frame

    def lossy_insert(conn, table, frame):
        if table.name == "seizures":
            frame = frame.assign(quantity=frame["quantity"].where(frame.index != 3, 99.0))
        return insert_frame(conn, table, frame)

    monkeypatch.setattr(store, "insert_frame", lossy_insert)
    seen = []
    with pytest.raises(transfer.TransferError, match="differ for seizures: nothing was copied"):
        transfer.copy_store(demo_url, target, on_table=seen.append)
    bad = [check for check in seen if not check.ok]
    assert [check.table for check in bad] == ["seizures"]
    assert bad[0].source_rows == bad[0].target_rows and bad[0].source_checksum != bad[0].target_checksum
    assert set(store.table_counts(store.make_engine(target)).values()) == {0}


def test_the_checksum_sees_one_changed_value_but_not_the_row_order():
    a, b, c = (1, "PR", 2.3, True, None), (2, "PZ", 1.0, False, "x"), (3, "PE", 0.1, True, "y")
    reference = transfer.RowChecksum()
    reference.add([a, b, c])
    shuffled = transfer.RowChecksum()
    shuffled.add([c, a, b])
    changed = transfer.RowChecksum()
    changed.add([a, b, (3, "PE", 0.1 + 1e-16, True, "y")])
    assert shuffled.hex == reference.hex != changed.hex


def test_copy_refuses_the_same_store_and_a_missing_source(demo_url, tmp_path):
    path = Path(sa.make_url(demo_url).database)
    same_file = f"duckdb:///{path.parent / '..' / path.parent.name / path.name}"
    with pytest.raises(transfer.TransferError, match="same store"):
        transfer.copy_store(demo_url, same_file)
    with pytest.raises(transfer.TransferError, match="nothing to copy"):
        transfer.copy_store(f"duckdb:///{tmp_path / 'none.duckdb'}", f"duckdb:///{tmp_path / 'to.duckdb'}")


def test_cli_copy_prints_counts_and_checksums(demo_url, tmp_path, capsys):
    target = f"duckdb:///{tmp_path / 'copy.duckdb'}"
    assert main(["copy", "--from", demo_url, "--to", target]) == 0
    out = capsys.readouterr().out
    for table, (rows, checksum) in checksums(demo_url).items():
        assert f"{rows:,}" in out and f"{checksum}  {checksum}  ok" in out, table
    assert "row counts and checksums match" in out
    assert main(["copy", "--from", demo_url, "--to", target]) == 2
    assert "add --replace" in capsys.readouterr().err
    assert main(["copy", "--from", demo_url, "--to", target, "--replace"]) == 0


def test_a_store_made_before_migrations_with_rows_is_refused_too(demo_url, tmp_path):
    target = f"duckdb:///{tmp_path / 'legacy.duckdb'}"
    engine = store.make_engine(target)
    with engine.begin() as conn:
        migrations.upgrade(conn, "0001")
        conn.execute(schema.regions.insert().values(code="XX", name_en="x", name_sq="x", name_sr="x"))
        conn.execute(sa.text("DROP TABLE alembic_version"))
        conn.execute(sa.text("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TIMESTAMP)"))
        conn.execute(sa.text("INSERT INTO schema_version VALUES (1, CURRENT_TIMESTAMP)"))
    with pytest.raises(transfer.TransferError, match="holds 1 rows"):
        transfer.copy_store(demo_url, target)
    assert store.current_version(engine) is None  # not even upgraded
    engine.dispose()
