"""What the browser benchmarks share: headless Chromium's path and flags, an app served by `streamlit run` on a free
port (as tests/test_browser.py starts it), and their section of BENCHMARKS.md rewritten between its markers."""

from __future__ import annotations

import io
import re
import socket
import subprocess
import sys
import tarfile
import time
import urllib.request
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS_MD = ROOT / "BENCHMARKS.md"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(script: str, cwd: Path, env: dict, log: Path | None = None,
          options: dict[str, str] | None = None) -> tuple[subprocess.Popen, str]:
    """`streamlit run SCRIPT` in `cwd` on a free port, once its health check answers: (process, base URL). Its
    output goes to `log` when given (the app logs its errors there), else nowhere; `options` are Streamlit
    configuration options given on its command line (e.g. {"server.fileWatcherType": "none"})."""
    port = free_port()
    out = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 (the child holds it; closed below)
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", script, "--server.address", "127.0.0.1", "--server.port",
             str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false",
             *(arg for name, value in (options or {}).items() for arg in (f"--{name}", value))],
            cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT if log else subprocess.DEVNULL)
    finally:
        if log:
            out.close()
    base = f"http://127.0.0.1:{port}"
    tail = (lambda: Path(log).read_bytes()[-2000:].decode(errors="replace")) if log else (lambda: "")
    wait_for_health(proc, base, 120, f"streamlit run {script} in {cwd}", tail)
    return proc, base


def wait_for_health(proc: subprocess.Popen, base: str, seconds: float, what: str,
                    output: Callable[[], str] = lambda: "") -> None:
    """Until `base`'s /_stcore/health answers "ok" (Streamlit's, or nginx passing it on); else `proc` killed and
    an error naming `what` with the end of its `output`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if urllib.request.urlopen(f"{base}/_stcore/health", timeout=2).read() == b"ok":
                return
        except OSError:
            time.sleep(0.3)
    proc.kill()
    proc.wait()
    raise RuntimeError(f"{what} did not start within {seconds:.0f} s: {output()}")


def head_commit() -> str:
    """This checkout's commit, short: what a benchmark's table says it measured."""
    return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                          text=True).stdout.strip()


def tree_at(ref: str, folder: Path) -> Path:
    """The files of git revision `ref` in `folder`, from git's objects (nothing in the checkout is written): the app
    as it was, to measure beside this checkout."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", ref], capture_output=True, check=True)
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(folder, filter="data")
    return folder


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def write_section(report: str, start: str, end: str, section: str) -> None:
    """Put `report` between the markers `start` and `end` of BENCHMARKS.md, or append it under `section`."""
    text = BENCHMARKS_MD.read_text()
    block = f"{start}\n{report}\n{end}"
    if start in text:
        text = re.sub(re.escape(start) + ".*?" + re.escape(end), lambda _m: block, text, flags=re.S)
    else:
        text = text.rstrip() + f"\n\n{section}\n\n{block}\n"
    BENCHMARKS_MD.write_text(text)
