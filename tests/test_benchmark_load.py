"""benchmarks/load.py at its smallest size (tables produced, every number finite; no time asserted: times belong in
BENCHMARKS.md, from the full runs), and the protocol client it drives (benchmarks/streamlit_client.py) at its
boundaries: a refused login, a forged cookie and a missing page are errors, never a chart."""

from __future__ import annotations

import asyncio
import math
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import load  # noqa: E402
from streamlit_client import Session  # noqa: E402


def table_rows(report: str) -> list[list[str]]:
    """The cells of a markdown table's body rows."""
    lines = [line for line in report.splitlines() if line.startswith("| ") and not line.startswith("|---")]
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in lines[1:]]


def numbers(cell: str) -> list[float]:
    return [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", cell)]


def test_load_benchmark_measures_sessions_in_every_mode(demo_url):
    public = load.main(["--sessions", "1,2", "--modes", "public", "--single-repeats", "2", "--db-url", demo_url])
    login = load.main(["--sessions", "1", "--modes", "login,cookie", "--single-repeats", "1", "--db-url", demo_url])
    rounds = public["rounds"] + login["rounds"]
    assert [(r.mode, r.sessions, r.visits) for r in rounds] == [
        ("public", 1, 2), ("public", 2, 2), ("login", 1, 1), ("cookie", 1, 1)]  # the single session repeated
    for r in rounds:
        assert r.errors == 0 and len(r.seconds) == r.visits, r
        assert all(math.isfinite(s) and s > 0 for s in r.seconds), r
        assert r.rss_before_mb > 0 and r.rss_after_mb > 0 and math.isfinite(r.per_session_mb), r
        assert r.server_cpu > 0, r  # the server did the work
    # The login form is filled and submitted: more runs than the public page's one (the form, its submission, the
    # run after the login); a returning user's cookie logs in without the form, in one run.
    runs = {r.mode: r.runs for r in rounds}
    assert runs["public"] == runs["cookie"] == 1 and runs["login"] > 1, runs
    for report, modes in ((public["report"], ["public", "public"]), (login["report"], ["login", "cookie"])):
        rows = table_rows(report)
        assert [row[0] for row in rows] == modes
        for row in rows:
            p50, p95 = numbers(row[2])[0], numbers(row[3])[0]
            assert 0 < p50 <= p95 and math.isfinite(p95), row
            assert numbers(row[5]) == [0], row  # errors
        assert "through Streamlit's websocket protocol" in report


@pytest.fixture(scope="module")
def login_server(demo_url, tmp_path_factory):
    from browser import app_env
    from serving import serve, stop

    from seizures import auth

    users = tmp_path_factory.mktemp("users") / "users.yaml"
    auth.add_user(users, load.USER, "analyst", password=load.PASSWORD)
    proc, base = serve("app.py", ROOT, app_env(demo_url, SEIZURES_AUTH="password", SEIZURES_USERS_FILE=str(users)))
    yield base, users
    stop(proc)


def visit(session: Session):
    async def go():
        try:
            return await session.visit(timeout=120)
        finally:
            await session.close()

    return asyncio.run(go())


def test_a_wrong_password_is_an_error_and_no_chart(login_server):
    base, _users = login_server
    seen = visit(Session(base, username=load.USER, password="not the password"))
    assert seen.first_chart is None
    assert any("Wrong user name or password" in e for e in seen.errors), seen.errors


def test_a_forged_login_cookie_leaves_the_login_form(login_server):
    base, users = login_server
    import jwt

    key = "not the key of this users file, 32+ bytes"
    forged = jwt.encode({"username": load.USER, "exp_date": 4e9}, key, algorithm="HS256")
    seen = visit(Session(base, cookies={"seizures_login": forged}))
    assert seen.first_chart is None and seen.errors == ["the page's runs ended without a Plotly chart"]
    good = visit(Session(base, cookies=load.login_cookie(users)))
    assert good.first_chart is not None and not good.errors, good


def test_the_login_mode_waits_for_no_component(login_server):
    """The login cookie is read from the request (st.context.cookies) and written by a script in the page; no
    component is drawn (access._NoCookieComponent): a session that answers none logs in with the same runs, and a
    returning user's cookie opens the page in one run."""
    base, users = login_server
    answered = visit(Session(base, username=load.USER, password=load.PASSWORD))
    silent = visit(Session(base, username=load.USER, password=load.PASSWORD, answer_components=False))
    assert answered.first_chart is not None and silent.first_chart is not None
    assert not answered.errors and not silent.errors
    assert silent.runs == answered.runs, (silent.runs, answered.runs)
    returning = visit(Session(base, cookies=load.login_cookie(users)))
    assert returning.first_chart is not None and not returning.errors and returning.runs == 1, returning


def test_a_page_that_does_not_exist_is_an_error(login_server):
    base, users = login_server
    seen = visit(Session(base, page="no-such-page", cookies=load.login_cookie(users)))
    assert seen.errors, seen


def test_the_nginx_configuration_of_the_scale_out_is_valid(tmp_path):
    """deploy/nginx.conf as benchmarks/scale_out.py runs it (its ports replaced): sticky sessions, the websocket
    upgrade and a long read timeout, and `nginx -t` accepts it (where nginx is installed; the full scale-out is a
    documented benchmark, not a test)."""
    import shutil
    import subprocess

    import scale_out

    site = scale_out.nginx_site((18501, 18502), 18080)
    assert "ip_hash;" in site and "server 127.0.0.1:18501;" in site and "server 127.0.0.1:18502;" in site
    assert "listen 127.0.0.1:18080;" in site and "listen 80;" not in site and "server 127.0.0.1:8501;" not in site
    for line in ("proxy_set_header Upgrade $http_upgrade;", "proxy_set_header Connection $connection_upgrade;",
                 "proxy_set_header Host $http_host;", "proxy_read_timeout 1d;"):
        assert line in site, line
    if not shutil.which("nginx") and not Path(scale_out.NGINX).exists():
        pytest.skip("nginx not installed")
    folder = tmp_path / "nginx"
    conf = scale_out.write_nginx_conf(folder, (18501, 18502), 18080)
    checked = subprocess.run([scale_out.NGINX, "-t", "-p", str(folder), "-c", str(conf)], capture_output=True,
                             text=True)
    assert checked.returncode == 0, checked.stderr


def test_a_server_that_dies_before_answering_is_reported_with_its_output():
    import subprocess
    import time

    import serving

    proc = subprocess.Popen([sys.executable, "-c", "import sys; sys.stderr.write('no such store'); sys.exit(3)"],
                            stderr=subprocess.PIPE)
    started = time.monotonic()
    with pytest.raises(RuntimeError, match="the app did not start within 5 s: no such store"):
        serving.wait_for_health(proc, f"http://127.0.0.1:{serving.free_port()}", 5, "the app",
                                lambda: proc.stderr.read().decode())
    assert proc.returncode == 3 and time.monotonic() - started < 5  # it ended of itself: the deadline not waited out
