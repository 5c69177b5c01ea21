"""One importer of the concurrency test, as a process of its own: `python concurrent_importer.py URL PLAN.json`.

It connects, prints "ready", waits for "go" on stdin, then runs the plan's steps in order:
{"key", "action": "import", "file", "skip_invalid"} or {"key", "action": "rollback", "of": key of an import step};
after each step it prints one JSON line: the step and what came of it ("error" if it raised).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from seizures import ingest, store


def run_step(engine, step: dict, import_ids: dict[str, int]) -> dict:
    if step["action"] == "rollback":
        return {"removed": ingest.rollback(engine, import_ids[step["of"]])}
    waited = []
    result = ingest.import_file(engine, Path(step["file"]), skip_invalid=step["skip_invalid"], user=step["key"],
                                progress=lambda _fraction, text: waited.append(text == ingest.WAITING))
    if result.written:
        import_ids[step["key"]] = result.import_id
    return {
        "status": result.status,
        "import_id": result.import_id,
        "rows_accepted": result.rows_accepted,
        "previous_id": (result.previous or {}).get("id"),
        "errors": [[int(r), c, reason] for r, c, reason in zip(result.errors["row"], result.errors["column"],
                                                              result.errors["reason"])],
        "file_error": result.file_error,
        "waited": any(waited),  # found another import or rollback writing, and waited for it
    }


def main(url: str, plan_path: str) -> None:
    engine = store.make_engine(url)
    steps = json.loads(Path(plan_path).read_text())
    print("ready", flush=True)
    if sys.stdin.readline().strip() != "go":  # the test gave up (its end closed the pipe): do nothing
        return
    import_ids: dict[str, int] = {}
    for step in steps:
        try:
            outcome = run_step(engine, step, import_ids)
        except Exception as exc:  # reported to the test, which counts it as an error
            outcome = {"error": f"{type(exc).__name__}: {exc}"}
        print(json.dumps({**step, **outcome}), flush=True)
    engine.dispose()


if __name__ == "__main__":
    main(*sys.argv[1:])
