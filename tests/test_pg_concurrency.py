"""Concurrent imports on PostgreSQL: 4 importer processes and 20 reader threads on one store over loopback.

Every import lands whole or not at all (importers racing with the same lines or the same file: exactly one lands),
readers never see part of an import, and the final counts are exact. The figures go to the terminal summary and
to tests/artifacts/pg_concurrency.txt.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from import_files import csv_bytes, row
from seizures import queries, schema, store

IMPORTERS, READERS = 4, 20
OWN_ROWS, CONTESTED_ROWS, SHARED_ROWS, INVALID_ROWS = 400, 300, 200, 50
CONTESTED_GROUPS = 2
WORKER = Path(__file__).with_name("concurrent_importer.py")
ARTIFACT = Path(__file__).parent / "artifacts" / "pg_concurrency.txt"
TIME_LIMIT_SECONDS = 180  # a hung importer fails the test instead of hanging it
READ_PAUSE_SECONDS = 0.02  # between two reads of a reader (20 back-to-back readers would starve 2 cores)


def lines(prefix: str, n: int) -> list[dict[str, str]]:
    return [row(case_ref=f"{prefix}-{i}", quantity=str(1 + i % 7)) for i in range(n)]


def write_plan(folder: Path, importer: int) -> list[dict]:
    """The same sequence of steps for every importer, so that the contested ones meet at about the same time.

    contested-g: the lines of group g, in an order of this importer's own (another file each time, same lines);
    shared: one file, byte for byte the same for all; invalid: one bad cell; own-1 has one too, imported with
    skip_invalid; own-0 is rolled back at the end.
    """

    def step(key: str, rows: list[dict], skip_invalid: bool = False) -> dict:
        path = folder / f"{importer}-{key}.csv"
        path.write_bytes(csv_bytes(rows))
        return {"key": key, "action": "import", "file": str(path), "skip_invalid": skip_invalid}

    def contested(group: int) -> dict:
        rows = lines(f"CONTESTED{group}", CONTESTED_ROWS)
        return step(f"contested-{group}", rows[importer:] + rows[:importer])

    invalid = lines(f"INVALID{importer}", INVALID_ROWS)
    invalid[2]["quantity"] = "0"
    own_with_a_bad_row = lines(f"OWN{importer}-1", OWN_ROWS)
    own_with_a_bad_row[5]["region"] = "Atlantis"
    steps = [
        contested(0),
        step("own-0", lines(f"OWN{importer}-0", OWN_ROWS)),
        step("shared", lines("SHARED", SHARED_ROWS)),
        contested(1),
        step("own-1", own_with_a_bad_row, skip_invalid=True),
        step("invalid", invalid),
        {"key": "rollback-own-0", "action": "rollback", "of": "own-0"},
    ]
    plan = folder / f"plan-{importer}.json"
    plan.write_text(json.dumps(steps))
    return steps


class Reader(threading.Thread):
    """Reads the store over and over until told to stop, checking each snapshot for part of an import."""

    def __init__(self, url: str, stop: threading.Event):
        super().__init__(daemon=True)
        self.url, self.stop = url, stop
        self.reads = 0
        self.states: set[tuple] = set()
        self.problems: list[str] = []  # a half-import or a data version going back
        self.errors: list[str] = []

    def run(self) -> None:
        try:
            engine = store.make_engine(self.url)
        except Exception as exc:
            self.errors.append(f"{type(exc).__name__}: {exc}")
            return
        last_version = (0, 0)
        try:
            while True:
                finished = self.stop.is_set()  # one more read after the importers have finished
                try:
                    self.read_once(engine)
                    version = queries.data_version(engine)
                    if version[0] < last_version[0] or version[1] < last_version[1]:
                        self.problems.append(f"data version went back from {last_version} to {version}")
                    last_version = version
                except Exception as exc:
                    self.errors.append(f"{type(exc).__name__}: {exc}")
                if finished:
                    return
                time.sleep(READ_PAUSE_SECONDS)
        finally:
            engine.dispose()

    def read_once(self, engine: sa.Engine) -> None:
        """The total, the lines of each import and the audit rows, in one snapshot: every import all there or absent."""
        s, i = schema.seizures, schema.imports
        with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn, conn.begin():
            total = conn.execute(sa.select(sa.func.count()).select_from(s)).scalar_one()
            stored = dict(conn.execute(sa.select(s.c.import_id, sa.func.count()).group_by(s.c.import_id)).all())
            audit = conn.execute(sa.select(i.c.id, i.c.rows_accepted, i.c.rolled_back_at)).all()
        expected = {a.id: 0 if a.rolled_back_at else a.rows_accepted for a in audit}
        partial = {k: (stored.get(k, 0), n) for k, n in expected.items() if stored.get(k, 0) != n}
        unaudited = set(stored) - set(expected)
        if partial or unaudited or total != sum(expected.values()):
            self.problems.append(f"total {total}, (stored, rows_accepted) {partial}, lines without audit row "
                                 f"{unaudited}")
        self.reads += 1
        self.states.add(tuple(sorted(expected.items())))


@dataclass
class Run:
    steps: list[dict]  # every importer's steps with their outcomes
    readers: list[Reader]
    seconds: float  # from the start signal until the last importer finished
    reads: int  # reads done in that time
    errors: list[str]


def run_concurrently(url: str, folder: Path) -> Run:
    """Start the importers (each waits until connected and ready), then the readers, then let the importers go."""
    plans = [write_plan(folder, importer) for importer in range(IMPORTERS)]
    workers = [
        subprocess.Popen([sys.executable, str(WORKER), url, str(folder / f"plan-{importer}.json")],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for importer in range(IMPORTERS)
    ]
    stop = threading.Event()
    readers = [Reader(url, stop) for _ in range(READERS)]
    try:
        for worker in workers:
            assert worker.stdout.readline().strip() == "ready", worker.communicate(timeout=30)[1]
        for reader in readers:
            reader.start()
        deadline = time.monotonic() + 60
        while any(r.reads == 0 and not r.errors for r in readers) and time.monotonic() < deadline:
            time.sleep(0.01)
        reads_before = sum(r.reads for r in readers)
        started = time.monotonic()
        for worker in workers:
            worker.stdin.write("go\n")
            worker.stdin.flush()
        outputs = [worker.communicate(timeout=TIME_LIMIT_SECONDS) for worker in workers]
        seconds = time.monotonic() - started
        reads = sum(r.reads for r in readers) - reads_before
    finally:
        stop.set()
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait()
        for reader in readers:
            reader.join(timeout=60)
    steps = [json.loads(line) for stdout, _ in outputs for line in stdout.splitlines()]
    errors = [f"{step['key']}: {step['error']}" for step in steps if "error" in step]
    errors += [f"importer exited with {w.returncode}: {err.strip()[-500:]}" for w, (_, err) in zip(workers, outputs)
               if w.returncode]
    errors += [error for reader in readers for error in reader.errors]
    errors += [f"reader {n} still running" for n, reader in enumerate(readers) if reader.is_alive()]
    if not errors:
        assert len(steps) == sum(len(plan) for plan in plans)
    return Run(steps, readers, seconds, reads, errors)


def test_concurrent_importers_and_readers(pg_databases, pg_demo_template, tmp_path, figures):
    url = pg_databases.new_url(template=pg_demo_template)
    engine = store.make_engine(url)
    base_lines = store.table_counts(engine)["seizures"]
    server_version = ".".join(map(str, engine.dialect.server_version_info))

    run = run_concurrently(url, tmp_path)
    problems = [problem for reader in run.readers for problem in reader.problems]
    assert not run.errors, run.errors[:5]
    assert not problems, problems[:5]

    by_key: dict[str, list[dict]] = {}
    for step in run.steps:
        by_key.setdefault(step["key"], []).append(step)
    # Each importer's own files land (own-1 without its bad row), its invalid file does not, its rollback works.
    assert [s["rows_accepted"] for s in by_key["own-0"] if s["status"] == "imported"] == [OWN_ROWS] * IMPORTERS
    assert [s["rows_accepted"] for s in by_key["own-1"] if s["status"] == "imported"] == [OWN_ROWS - 1] * IMPORTERS
    assert [(s["status"], s["errors"]) for s in by_key["invalid"]] == [
        ("rejected", [[4, "quantity", "must be greater than 0"]])] * IMPORTERS
    assert [s["removed"] for s in by_key["rollback-own-0"]] == [OWN_ROWS] * IMPORTERS
    # Contested lines land once; the other importers are told where they already are.
    for group in range(CONTESTED_GROUPS):
        outcomes = by_key[f"contested-{group}"]
        assert sorted(s["status"] for s in outcomes) == ["imported"] + ["rejected"] * (IMPORTERS - 1)
        winner = next(s for s in outcomes if s["status"] == "imported")
        assert winner["rows_accepted"] == CONTESTED_ROWS
        for refused in (s for s in outcomes if s["status"] == "rejected"):
            assert len(refused["errors"]) == CONTESTED_ROWS
            assert {reason.split(")")[0] for _, _, reason in refused["errors"]} == {
                f"already in the store (import #{winner['import_id']}"}
    # The same file: imported once, recognised by the others.
    shared = by_key["shared"]
    assert sorted(s["status"] for s in shared) == ["already_imported"] * (IMPORTERS - 1) + ["imported"]
    winner = next(s for s in shared if s["status"] == "imported")
    assert {s["previous_id"] for s in shared if s["status"] == "already_imported"} == {winner["import_id"]}

    # The final counts, exactly: what the plans say must have landed, and each import's lines all there.
    landed = [s for s in run.steps if s.get("status") == "imported"]
    kept = [s for s in landed if s["key"] != "own-0"]
    expected_lines = IMPORTERS * (OWN_ROWS - 1) + CONTESTED_GROUPS * CONTESTED_ROWS + SHARED_ROWS
    assert sum(s["rows_accepted"] for s in kept) == expected_lines
    lines_t, imports_t = schema.seizures, schema.imports
    line_key = (sa.func.upper(lines_t.c.case_ref), lines_t.c.category, lines_t.c.weapon_type, lines_t.c.unit)
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(lines_t)).scalar_one() == base_lines + expected_lines
        per_import = dict(conn.execute(
            sa.select(lines_t.c.import_id, sa.func.count())
            .where(lines_t.c.import_id.in_([x["import_id"] for x in landed]))
            .group_by(lines_t.c.import_id)
        ).all())
        file_imports = conn.execute(
            sa.select(sa.func.count(), sa.func.count(imports_t.c.rolled_back_at)).where(imports_t.c.kind == "file")
        ).one()
        repeated = conn.execute(sa.select(sa.func.count()).select_from(
            sa.select(*line_key).group_by(*line_key).having(sa.func.count() > 1).subquery()
        )).scalar_one()
    engine.dispose()
    assert per_import == {x["import_id"]: x["rows_accepted"] for x in kept}
    assert tuple(file_imports) == (len(landed), IMPORTERS)
    assert repeated == 0
    # The readers did read while the imports went on: they saw the store in more states than before and after.
    states = set().union(*(reader.states for reader in run.readers))
    assert min(reader.reads for reader in run.readers) >= 2
    assert len(states) >= 3

    import_steps = [s for s in run.steps if s["action"] == "import"]
    outcome = Counter(
        "landed" if s["status"] == "imported" else "same file" if s["status"] == "already_imported"
        else "lines already stored" if s["key"].startswith("contested") else "invalid"
        for s in import_steps
    )
    report = (
        f"PostgreSQL {server_version} on 127.0.0.1: {IMPORTERS} importer processes and {READERS} reader threads, "
        f"{run.seconds:.1f} s from start to the last import\n"
        f"  imports: {len(import_steps)}: {outcome['landed']} landed, {len(import_steps) - outcome['landed']} refused "
        f"({outcome['lines already stored']} lines already stored by a racing import, {outcome['same file']} same "
        f"file already imported, {outcome['invalid']} invalid); rollbacks: {len(run.steps) - len(import_steps)}; "
        f"imports that found another one writing and waited: {sum(s['waited'] for s in import_steps)}\n"
        f"  reads: {run.reads:,} during the imports (each: total, lines per import and audit rows in one snapshot; "
        f"{len(states)} store states seen); half-imports seen: {len(problems)}; errors: {len(run.errors)}\n"
        f"  final seizure lines: {base_lines + expected_lines:,} = {base_lines:,} demo + {expected_lines:,} imported, "
        f"exactly as planned"
    )
    ARTIFACT.parent.mkdir(exist_ok=True)
    ARTIFACT.write_text(report + "\n")
    figures.append(report)
