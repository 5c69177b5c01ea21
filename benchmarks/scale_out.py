"""The scale-out: two app servers on one PostgreSQL store behind nginx (deploy/nginx.conf), N sessions through it,
and an import seen by both servers.

    export SEIZURES_TEST_PG_URL=postgresql+psycopg://seizures@127.0.0.1:54329/seizures_test
    .venv/bin/python benchmarks/scale_out.py --sessions 25 --write    # ~2 min; needs nginx (apt-get install nginx)

What it does, all on this machine, on free ports, in a temporary folder removed at the end:
1. a new database on the PostgreSQL server of --pg-url (default SEIZURES_TEST_PG_URL), the demo store loaded into it
   (`seizures init --demo`'s tables), dropped at the end;
2. two `streamlit run app.py` on it, in the public mode, with the options of README's deployment section;
3. nginx with deploy/nginx.conf as it is in the repository, but for its two servers' ports, its listening port and
   one added response header naming the server that answered (X-Upstream: for the benchmark only, it tells the
   internal addresses); a throwaway main configuration around it (pid, logs and temporary files in the folder);
4. the same N simultaneous sessions (benchmarks/streamlit_client.py: Streamlit's protocol, no drawing) on one
   server directly and through nginx, in turn (--repeats times each), each session from its own loopback address
   (127.0.k.1: ip_hash spreads client addresses by their first three bytes, so 127.0.0.1 alone would land every
   session on one server); time to the first chart, p50/p95, errors, how many sessions each server got and the
   CPU each server used;
5. the import: a session through nginx on each server reads the Overview's headline metrics (their figures cached
   in each server's st.cache_data), then `seizures import` (the CLI, against the PostgreSQL URL) adds seizure lines
   in the data's last year, and a new session on each server must show the new figures: the store's data version
   changed, so every server's cached figures are read again. The session after the import comes from the same
   address as the one before: it must reach the same server (ip_hash).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import datetime as dt
import getpass
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from browser import app_env  # noqa: E402
from load import cpu_seconds, percentile  # noqa: E402
from serving import free_port, head_commit, serve, stop, wait_for_health, write_section  # noqa: E402
from streamlit_client import Session  # noqa: E402

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
NGINX_CONF = ROOT / "deploy" / "nginx.conf"
START_MARK = "<!-- benchmarks/scale_out.py: start -->"
END_MARK = "<!-- benchmarks/scale_out.py: end -->"
SECTION = "## Two app servers behind nginx (issue 17)"
IMPORTED_LINES = 7  # firearms, one piece each, in the data's last year
MEASURE = "Firearms (pieces)"  # the headline metric they add to
TIMEOUT_S = 300
# As README's deployment section starts the app servers: no watching of the code for changes, no full garbage
# collection after every run.
DEPLOY_OPTIONS = {"server.fileWatcherType": "none", "runner.postScriptGC": "false"}


@dataclass
class Round:
    where: str
    seconds: list[float]
    errors: list[str]
    upstreams: Counter
    wall: float
    cpu: tuple[float, ...] = ()  # each app server's CPU seconds during the round


def new_database(server_url: str) -> str:
    """A new, empty database on the server of `server_url`: its URL."""
    import sqlalchemy as sa

    name = f"seizures_scale_{uuid.uuid4().hex[:8]}"
    server = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    server.dispose()
    return sa.make_url(server_url).set(database=name).render_as_string(hide_password=False)


def drop_database(server_url: str, url: str) -> None:
    import sqlalchemy as sa

    server = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{sa.make_url(url).database}" WITH (FORCE)')
    server.dispose()


def load_demo(url: str) -> int:
    """The demo store's tables into the database; returns the data's last year."""
    from seizures import queries, seed, store

    engine = store.make_engine(url)
    try:
        store.init_db(engine)
        seed.load_demo(engine)
        return queries.year_bounds(engine)[1]
    finally:
        engine.dispose()


def nginx_site(ports: tuple[int, int], listen: int) -> str:
    """deploy/nginx.conf with this run's ports, and the X-Upstream header added (which server answered)."""
    text = NGINX_CONF.read_text()
    for default, port in zip(("127.0.0.1:8501", "127.0.0.1:8502"), ports):
        assert default in text, f"{NGINX_CONF} no longer names {default}: update benchmarks/scale_out.py"
        text = text.replace(default, f"127.0.0.1:{port}")
    text, listens = re.subn(r"listen 80;", f"listen 127.0.0.1:{listen};", text)
    text, headers = re.subn(r"(proxy_pass http://seizures_app;)",
                            r"\1\n        add_header X-Upstream $upstream_addr always;", text)
    assert listens == 1 and headers == 1, f"{NGINX_CONF}: one `listen 80;` and one proxy_pass expected"
    return text


def write_nginx_conf(folder: Path, ports: tuple[int, int], listen: int) -> Path:
    """A throwaway main configuration around the site: pid, logs and temporary files in `folder`."""
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    user = f"user {getpass.getuser()};\n" if os.geteuid() == 0 else ""  # workers as this user (the folder's owner)
    conf = folder / "nginx.conf"
    conf.write_text(
        f"{user}worker_processes 1;\npid {folder}/nginx.pid;\nerror_log {folder}/error.log;\n"
        "events { worker_connections 1024; }\n"
        f"http {{\n access_log {folder}/access.log;\n client_body_temp_path {folder}/body;\n"
        f" proxy_temp_path {folder}/proxy;\n fastcgi_temp_path {folder}/fastcgi;\n uwsgi_temp_path {folder}/uwsgi;\n"
        f" scgi_temp_path {folder}/scgi;\n{nginx_site(ports, listen)}\n}}\n")
    return conf


def start_nginx(folder: Path, ports: tuple[int, int]) -> tuple[subprocess.Popen, str]:
    listen = free_port()
    conf = write_nginx_conf(folder, ports, listen)
    proc = subprocess.Popen([NGINX, "-p", str(folder), "-c", str(conf), "-g", "daemon off;"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{listen}"
    wait_for_health(proc, base, 30, "nginx", lambda: proc.stderr.read().decode(errors="replace"))
    return proc, base


def address(k: int) -> str:
    """A loopback address of its own for the k-th client (k from 0): 127.0.(k+1).1."""
    return f"127.{(k + 1) // 256}.{(k + 1) % 256}.1"


async def sessions(base: str, n: int, where: str, pids: tuple[int, ...] = ()) -> Round:
    clients = [Session(base, local_addr=address(k)) for k in range(n)]
    cpu_before = [cpu_seconds(pid) for pid in pids]
    started = time.perf_counter()
    visits = await asyncio.gather(*(c.visit(TIMEOUT_S) for c in clients))
    wall = time.perf_counter() - started
    cpu = tuple(cpu_seconds(pid) - before for pid, before in zip(pids, cpu_before))
    for c in clients:
        await c.close()
    seconds = [v.first_chart for v in visits if not v.errors and v.first_chart is not None]
    return Round(where, seconds, [e for v in visits for e in v.errors], Counter(v.upstream for v in visits), wall,
                 cpu)


async def headline(base: str, local_addr: str) -> tuple[str | None, dict[str, str], list[str]]:
    """A new session's upstream, its headline metrics and errors."""
    client = Session(base, local_addr=local_addr)
    seen = await client.visit(TIMEOUT_S)
    await client.close()
    return seen.upstream, dict(seen.metrics), seen.errors


def import_file(folder: Path, url: str, year: int) -> tuple[str, float]:
    """`seizures import` of IMPORTED_LINES firearm lines dated in `year`: (its summary line, seconds)."""
    path = folder / "scale-out-import.csv"
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["seized_on", "region", "municipality", "category", "weapon_type", "quantity", "unit",
                         "context", "case_ref"])
        for i in range(IMPORTED_LINES):
            writer.writerow([f"{year}-06-{10 + i}", "PZ", "Prizren", "firearm", "pistol", "1", "pieces",
                             "house_search", f"SCALE-{uuid.uuid4().hex[:6]}-{i}"])
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "seizures", "--db-url", url, "import", str(path)],
                          cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT / "src")}, capture_output=True,
                          text=True)
    if done.returncode != 0:
        raise RuntimeError(f"seizures import failed: {done.stdout}{done.stderr}")
    return done.stdout.strip().splitlines()[-1], time.perf_counter() - started


def number(text: str) -> float:
    return float(re.sub(r"[^\d.\-]", "", text))


async def scenario(direct: str, proxy: str, ports: tuple[int, int], pids: tuple[int, int], n: int, url: str,
                   year: int, folder: Path, repeats: int) -> dict:
    await sessions(direct, 1, "warm-up")  # each server's caches filled once before the rounds
    warm = await sessions(proxy, 8, "warm-up")
    rounds = []
    for _ in range(repeats):  # in turn, so that the machine's other load falls on both alike
        rounds.append(await sessions(direct, n, f"{n} on one server directly", pids))
        await asyncio.sleep(2)
        rounds.append(await sessions(proxy, n, f"{n} through nginx on two servers", pids))
        await asyncio.sleep(2)
    # A client address on each server, for the import check.
    on: dict[str, str] = {}
    for k in range(64):
        upstream, _metrics, _errors = await headline(proxy, address(1000 + k))
        on.setdefault(upstream, address(1000 + k))
        if len(on) == 2:
            break
    before = {upstream: await headline(proxy, addr) for upstream, addr in on.items()}
    summary, import_seconds = import_file(folder, url, year)
    after = {upstream: await headline(proxy, addr) for upstream, addr in on.items()}
    return {"warm_upstreams": warm.upstreams, "rounds": rounds, "ports": ports, "before": before,
            "after": after, "import": summary, "import_seconds": import_seconds}


def measure(n: int, pg_url: str, repeats: int = 2) -> dict:
    if not Path(NGINX).exists():
        raise SystemExit("nginx is not installed (Debian: apt-get install nginx)")
    work = Path(tempfile.mkdtemp(prefix="scale-out-"))
    os.chmod(work, 0o755)
    url = new_database(pg_url)
    procs = []
    load_start = os.getloadavg()[0]
    try:
        year = load_demo(url)
        env = app_env(url, SEIZURES_PUBLIC="1")
        servers = [serve("app.py", ROOT, env, work / f"app{i}.log", DEPLOY_OPTIONS) for i in (1, 2)]
        procs += [p for p, _base in servers]
        ports = tuple(int(base.rsplit(":", 1)[1]) for _p, base in servers)
        nginx, proxy = start_nginx(work / "nginx", ports)
        procs.append(nginx)
        pids = tuple(p.pid for p, _base in servers)
        results = asyncio.run(scenario(servers[0][1], proxy, ports, pids, n, url, year, work, repeats))
    finally:
        for proc in reversed(procs):
            stop(proc)
        drop_database(pg_url, url)
        shutil.rmtree(work, ignore_errors=True)
    results.update(load=(load_start, os.getloadavg()[0]), year=year, sessions=n, repeats=repeats)
    return results


def render(results: dict) -> str:
    commit = head_commit()
    nginx_version = subprocess.run([NGINX, "-v"], capture_output=True, text=True).stderr.strip().split("/")[-1]
    ports = results["ports"]
    name = {f"127.0.0.1:{p}": f"server {i}" for i, p in enumerate(ports, 1)}
    load_start, load_end = results["load"]
    lines = [
        f"Generated by `benchmarks/scale_out.py` on {dt.date.today()}, commit `{commit}`: two app servers (public "
        f"mode, {', '.join(f'`{k}={v}`' for k, v in DEPLOY_OPTIONS.items())}) on one PostgreSQL database holding "
        f"the demo store, nginx {nginx_version} with deploy/nginx.conf "
        f"(ip_hash), sessions through Streamlit's protocol from one process, all on the same {os.cpu_count()} cores "
        f"(shared; load average (1 min) {load_start:.1f} at the start, {load_end:.1f} at the end).",
        "",
        "| sessions at once | first chart p50 s | p95 s | errors | all settled s | sessions per server | "
        "CPU s: server 1, server 2 |",
        "|---|---:|---:|---:|---:|---|---|",
    ]
    for r in results["rounds"]:
        per = ", ".join(f"{name.get(u, 'server 1 (directly)')}: {c}"
                        for u, c in sorted(r.upstreams.items(), key=lambda item: name.get(item[0], "")))
        times = (f"{percentile(r.seconds, 50):.2f} | {percentile(r.seconds, 95):.2f}" if r.seconds else "– | –")
        cpu = ", ".join(f"{c:.1f}" for c in r.cpu)
        lines.append(f"| {r.where} | {times} | {len(r.errors)} | {r.wall:.1f} | {per} | {cpu} |")
    alone = [s for r in results["rounds"][0::2] for s in r.seconds]
    behind = [s for r in results["rounds"][1::2] for s in r.seconds]
    if alone and behind:
        lines += ["", f"Over the {results['repeats']} rounds of each: first chart p95 through nginx ÷ p95 on one "
                      f"server {percentile(behind, 95) / percentile(alone, 95):.2f}, p50 "
                      f"{percentile(behind, 50) / percentile(alone, 50):.2f}."]
    errors = sorted({e for r in results["rounds"] for e in r.errors})
    if errors:
        lines += ["", "Errors: " + "; ".join(f"`{e[:160]}`" for e in errors[:5]) + "."]
    lines += ["", f"The import: `seizures import` of {IMPORTED_LINES} firearm lines dated {results['year']} "
                  f"({results['import_seconds']:.1f} s: {results['import']}). The Overview's \"{MEASURE}\" in a "
                  "new session on each server, through nginx:", "",
              "| server | before the import | after | seen | the same server after (sticky) |",
              "|---|---:|---:|---|---|"]
    for upstream, (_u, metrics, errors) in sorted(results["before"].items(), key=lambda item: name.get(item[0], "")):
        again, after, errors_after = results["after"][upstream]
        old, new = metrics.get(MEASURE), after.get(MEASURE)
        seen = (old is not None and new is not None and not errors and not errors_after
                and number(new) - number(old) == IMPORTED_LINES)
        lines.append(f"| {name.get(upstream, upstream)} | {old} | {new} | {'yes' if seen else '**no**'} | "
                     f"{'yes' if again == upstream else '**no**'} |")
    return "\n".join(lines)


def seen_everywhere(results: dict) -> bool:
    """Whether both servers showed the imported lines (and each had a session through nginx)."""
    if len(results["before"]) != 2:
        return False
    for upstream, (_u, before, errors) in results["before"].items():
        again, after, errors_after = results["after"][upstream]
        if again != upstream or errors or errors_after or MEASURE not in before or MEASURE not in after:
            return False
        if number(after[MEASURE]) - number(before[MEASURE]) != IMPORTED_LINES:
            return False
    return True


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=25, help="simultaneous sessions in each round")
    parser.add_argument("--pg-url", default=os.environ.get("SEIZURES_TEST_PG_URL"),
                        help="a PostgreSQL server's URL whose role may create databases (default: "
                             "SEIZURES_TEST_PG_URL)")
    parser.add_argument("--repeats", type=int, default=2, help="rounds of each kind, in turn")
    parser.add_argument("--write", action="store_true", help="put the tables into BENCHMARKS.md")
    args = parser.parse_args(argv)
    if not args.pg_url:
        parser.error("give --pg-url or set SEIZURES_TEST_PG_URL")
    results = measure(args.sessions, args.pg_url, args.repeats)
    report = render(results)
    print(report)
    if args.write:
        write_section(report, START_MARK, END_MARK, SECTION)
    results["report"] = report
    results["seen_everywhere"] = seen_everywhere(results)
    if not results["seen_everywhere"]:
        print("the import was NOT seen by both servers", file=sys.stderr)
    return results


if __name__ == "__main__":
    main()
