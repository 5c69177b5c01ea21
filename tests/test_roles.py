"""Roles and logins through AppTest: the pages each role gets, refused pages, the downloads a viewer and the public
get, the password login with its lockout, the identity-provider login, and errors shown only as a reference."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
import streamlit_authenticator as stauth
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from seizures import auth, queries, settings
from seizures.dashboard import access, data
from seizures.filters import SeizureFilter

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
AGGREGATED = ["overview", "regions", "map", "weapons", "training", "kpis", "about"]  # the public view's pages
VIEWER_PAGES = AGGREGATED[:6] + ["tracing", "about"]  # and SDG 16.4.2 (percentages of small counts: not public)
PASSWORDS = {"ada": "admin pass 1", "ana": "analyst pass 1", "vic": "viewer pass 1"}
ROLES = {"ada": "admin", "ana": "analyst", "vic": "viewer"}


@pytest.fixture(scope="module")
def users_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("users") / "users.yaml"
    for name, password in PASSWORDS.items():
        auth.add_user(path, name, ROLES[name], password=password)
    auth.add_user(path, "oli", "analyst", email="Oli@Police.example", name="Oli")  # identity provider only
    return path


@pytest.fixture()
def password_mode(monkeypatch, users_path, demo_copy_url, fresh_caches):
    # A private copy of the demo store: failed logins are written to it.
    monkeypatch.setenv("SEIZURES_AUTH", "password")
    monkeypatch.setenv("SEIZURES_USERS_FILE", str(users_path))
    monkeypatch.setenv("SEIZURES_DB_URL", demo_copy_url)


def app(logged_in_as: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    if logged_in_as:  # what streamlit-authenticator leaves in the session after a login
        at.session_state["authentication_status"] = True
        at.session_state["username"] = logged_in_as
    return at.run()


_menus: list[list[str]] = []


@pytest.fixture(autouse=True)
def record_menu(monkeypatch):
    """Record the menu each st.navigation call shows: its visible pages (none when the menu is hidden)."""
    original = st.navigation

    def recording(pages, **kwargs):
        shown = kwargs.get("position", "sidebar") != "hidden"
        _menus.append([Path(str(p._page)).stem for p in pages if shown and p.visibility == "visible"])
        return original(pages, **kwargs)

    _menus.clear()
    monkeypatch.setattr(st, "navigation", recording)


def listed_pages(at: AppTest) -> list[str]:
    """The pages in the menu of the app's last run, by file stem (every page is registered; these are shown)."""
    return _menus[-1] if _menus else []


def texts(at: AppTest) -> str:
    """Everything the page wrote as text: titles, markdown, captions, alerts."""
    parts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "error", "warning", "info", "success"):
        parts += [str(e.value) for e in at.get(kind)]
    return "\n".join(parts)


@pytest.mark.parametrize("user,expected", [
    ("vic", VIEWER_PAGES),
    ("ana", VIEWER_PAGES[:4] + ["records"] + VIEWER_PAGES[4:]),
    ("ada", VIEWER_PAGES[:4] + ["records"] + VIEWER_PAGES[4:7] + ["data", "about"]),
])
def test_each_role_lists_its_pages(password_mode, user, expected):
    at = app(user)
    assert not at.exception
    assert listed_pages(at) == expected
    assert [Path(spec.path).stem for spec in access.pages_for(ROLES[user])] == expected
    assert f"({auth.ROLE_TEXT[ROLES[user]]})" in texts(at)  # "Logged in as ... (role)" in the sidebar


def test_public_mode_lists_aggregated_pages_without_login(monkeypatch, demo_url, fresh_caches):
    monkeypatch.setenv("SEIZURES_PUBLIC", "1")
    monkeypatch.setenv("SEIZURES_AUTH", "password")  # ignored: the public mode has no login
    monkeypatch.setenv("SEIZURES_DB_URL", demo_url)
    at = app()
    assert not at.exception
    assert listed_pages(at) == AGGREGATED
    assert not at.text_input  # no login form


def test_the_public_about_page_states_what_the_suppression_guarantees(monkeypatch, demo_url, fresh_caches):
    monkeypatch.setenv("SEIZURES_PUBLIC", "1")
    monkeypatch.setenv("SEIZURES_SUPPRESS_BELOW", "10")
    monkeypatch.setenv("SEIZURES_DB_URL", demo_url)
    at = app()
    at.switch_page("app_pages/about.py").run()
    assert not at.exception
    assert "What the public view hides" in [h.value for h in at.header]
    guarantee = next(m.value for m in at.markdown if "public view shows fixed tables" in m.value)
    assert "any number from 1 to 9" in guarantee and '"<10"' in guarantee
    monkeypatch.delenv("SEIZURES_PUBLIC")
    at = app()
    at.switch_page("app_pages/about.py").run()
    assert "What the public view hides" not in [h.value for h in at.header]  # the logged-in pages hide nothing


def test_development_mode_is_administrator_and_says_so(monkeypatch, demo_url, fresh_caches):
    monkeypatch.setenv("SEIZURES_DB_URL", demo_url)  # conftest sets SEIZURES_AUTH=off, as `make run` does
    at = app()
    assert "data" in listed_pages(at) and "records" in listed_pages(at)
    assert any("Development mode" in c.value for c in at.sidebar.caption)


def test_without_login_nothing_but_the_login_form(password_mode):
    at = app()
    assert not at.exception
    assert listed_pages(at) == []
    assert [t.label for t in at.text_input] == ["User name", "Password"]
    assert not at.get("plotly_chart") and not at.get("download_button") and not at.dataframe


def test_a_deployment_without_accounts_says_how_to_make_one(password_mode, monkeypatch, tmp_path):
    monkeypatch.setenv("SEIZURES_USERS_FILE", str(tmp_path / "none.yaml"))
    at = app()
    assert not at.exception and listed_pages(at) == []
    assert any("seizures users add NAME --role admin" in e.value for e in at.error)


def test_secret_files_are_not_committed():
    ignored = subprocess.run(["git", "check-ignore", ".streamlit/secrets.toml", ".streamlit/users.yaml"], cwd=ROOT,
                             capture_output=True, text=True)
    assert ignored.stdout.split() == [".streamlit/secrets.toml", ".streamlit/users.yaml"]
    tracked = subprocess.run(["git", "ls-files", ".streamlit"], cwd=ROOT, capture_output=True, text=True).stdout
    assert tracked.split() == [".streamlit/config.toml", ".streamlit/secrets.toml.example"]


@pytest.mark.parametrize("user,page", [("vic", "records"), ("vic", "data"), ("ana", "data")])
def test_a_forbidden_page_reached_through_the_app_says_so(password_mode, user, page):
    # Registered (so that its address resolves) but not in the role's menu; opened anyway, it refuses and says why.
    at = app(user)
    at.switch_page(f"app_pages/{page}.py").run()
    assert not at.exception
    needed = "analyst" if page == "records" else "administrator"
    assert any(f"for users with the {needed} role" in e.value for e in at.error), [e.value for e in at.error]
    assert not at.title and not at.dataframe and not at.get("download_button") and not at.get("file_uploader")


@pytest.mark.parametrize("role,page", [(None, "records"), ("viewer", "records"), ("public", "records"),
                                       ("analyst", "data"), (None, "data")])
def test_a_forbidden_page_refuses_when_run_directly(demo_url, monkeypatch, fresh_caches, role, page):
    # As a deep link would on a server that runs the page file without app.py, or a role lost since the last run.
    monkeypatch.setenv("SEIZURES_DB_URL", demo_url)
    at = AppTest.from_file(str(ROOT / "app_pages" / f"{page}.py"), default_timeout=60)
    at.session_state["filter"] = SeizureFilter()
    if role:
        at.session_state[access.ROLE_KEY] = role
    at.run()
    assert not at.exception
    needed = "analyst" if page == "records" else "administrator"
    assert any(f"for users with the {needed} role" in e.value for e in at.error)
    assert not at.title and not at.dataframe and not at.get("download_button") and not at.get("file_uploader")


def test_the_guard_lets_the_right_role_through(demo_url, monkeypatch, fresh_caches):
    monkeypatch.setenv("SEIZURES_DB_URL", demo_url)
    at = AppTest.from_file(str(ROOT / "app_pages" / "records.py"), default_timeout=60)
    at.session_state["filter"] = SeizureFilter()
    at.session_state[access.ROLE_KEY] = "analyst"
    at.run()
    assert not at.exception and [t.value for t in at.title] == ["Seizure records"]


# --- downloads: what leaves the app --------------------------------------------------------------------------


def visit_every_page(at: AppTest) -> None:
    for page in listed_pages(at):
        at.switch_page(f"app_pages/{page}.py").run()
        assert not at.exception, (page, at.exception)


def csv_downloads(files: dict) -> dict[str, pd.DataFrame]:
    out = {}
    for name, data in files.items():
        if name and name.endswith(".csv"):
            raw = data() if callable(data) else data
            out[name] = pd.read_csv(io.BytesIO(raw if isinstance(raw, bytes) else raw.encode()), dtype=str)
    return out


def test_a_viewers_downloads_hold_no_record_level_rows(password_mode, downloads, demo_engine):
    at = app("vic")
    visit_every_page(at)
    frames = csv_downloads(downloads)
    assert len(frames) >= 10, sorted(frames)  # the chart downloads of every page were collected
    case_refs = set(pd.read_sql("SELECT case_ref FROM seizures", demo_engine.connect())["case_ref"])
    records = queries.record_counts(demo_engine, SeizureFilter()).lines
    for name, frame in frames.items():
        assert not {"case_ref", "seized_on", "municipality"} & set(frame.columns), name
        assert not case_refs & set(frame.to_numpy().ravel()), name
        assert len(frame) < records / 10, name  # aggregates: a handful of rows, not one per seizure line
    assert not any(n.startswith("seizure_records") for n in downloads)


def test_public_mode_shows_small_counts_as_below_the_threshold(monkeypatch, demo_url, fresh_caches, downloads,
                                                                 demo_engine):
    monkeypatch.setenv("SEIZURES_PUBLIC", "1")
    monkeypatch.setenv("SEIZURES_DB_URL", demo_url)
    at = app()
    at.radio(key="overview_measure").set_value("explosive:kg").run()  # kg of explosives: small in some directorates
    assert not at.exception
    shown = csv_downloads(downloads)["by_directorate.csv"].set_index(["region_code", "year"])["value"]
    truth = queries.measure_by(demo_engine, SeizureFilter(), "explosive:kg", "region_code", "year")
    truth = truth.assign(year=truth["year"].astype(str)).set_index(["region_code", "year"])["value"]
    small = truth[(truth > 0) & (truth < 5)]
    assert len(small) >= 5, "the demo data has small explosive totals in some directorate-years"
    assert (shown[small.index] == "<5").all()
    numbers = shown[~shown.isin(["<5", "x"])].astype(float)
    assert numbers.to_dict() == pytest.approx(truth[numbers.index].to_dict())  # what is shown is the true number
    assert (shown == "x").sum() >= 1  # secondary suppression
    # No year's total gives a hidden cell away (a directorate's total is hidden with its line: test_disclosure.py).
    hidden = shown.isin(["<5", "x"]).groupby(level="year").sum()
    assert not (hidden == 1).any(), hidden
    assert any("<5" in c.value for c in at.caption)  # the legend explains it
    # No record-level query is served in the public mode, even if a page asked for one.
    with pytest.raises(PermissionError):
        data._cached_public(data._name(queries.records_page), (0, 0), 5, queries.records_page, SeizureFilter())
    visit_every_page(at)
    case_refs = set(pd.read_sql("SELECT case_ref FROM seizures", demo_engine.connect())["case_ref"])
    for name, frame in csv_downloads(downloads).items():
        assert not case_refs & set(frame.to_numpy().ravel()), name


def test_public_mode_ignores_filters_in_the_url(monkeypatch, demo_url, fresh_caches):
    monkeypatch.setenv("SEIZURES_PUBLIC", "1")
    monkeypatch.setenv("SEIZURES_DB_URL", demo_url)
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["region"] = "MN"
    at.query_params["category"] = "explosive"
    at.run()
    assert not at.exception
    assert any("Filters are not available in the public view" in w.value for w in at.warning)
    assert not at.multiselect and not at.slider
    assert dict(at.query_params) == {}


# --- logging in ----------------------------------------------------------------------------------------------


def log_in(at: AppTest, user: str, password: str) -> AppTest:
    at.text_input[0].input(user)
    at.text_input[1].input(password)
    return at.button[0].click().run()


def test_a_wrong_password_is_refused_and_the_right_one_opens_the_app(password_mode):
    at = app()
    log_in(at, "vic", "not the password")
    assert any(e.value == "Wrong user name or password." for e in at.error)
    assert listed_pages(at) == [] and not at.get("plotly_chart")
    log_in(at, "nobody", "not the password")  # an unknown user gets the same answer
    assert any(e.value == "Wrong user name or password." for e in at.error)
    log_in(at, "VIC", PASSWORDS["vic"])  # user names are not case-sensitive
    assert not at.exception
    assert listed_pages(at) == VIEWER_PAGES
    assert [t.value for t in at.title] == ["Firearms seizures in Kosovo*"]
    next(b for b in at.sidebar.button if b.label == "Log out").click().run()
    assert listed_pages(at) == [] and [t.label for t in at.text_input] == ["User name", "Password"]


def test_repeated_failures_lock_the_user_for_a_while(password_mode, monkeypatch, users_path):
    monkeypatch.setenv("SEIZURES_LOGIN_ATTEMPTS", "3")
    monkeypatch.setenv("SEIZURES_LOGIN_LOCK_MINUTES", "0.05")  # 3 s
    at = app()
    for _ in range(3):  # no wait before each check (login_sleep_time=0): the lock is what stops guessing
        log_in(at, "ana", "wrong password")
        assert any(e.value == "Wrong user name or password." for e in at.error)
    log_in(at, "ana", PASSWORDS["ana"])  # the right password, but the user is locked
    assert any("Too many failed logins" in e.value for e in at.error)
    assert listed_pages(at) == []
    # Another session (a new browser) is locked out too: the count is the server's, not the session's.
    other = app()
    log_in(other, "ana", PASSWORDS["ana"])
    assert any("Too many failed logins" in e.value for e in other.error)
    # Other users are not affected.
    log_in(app(), "vic", PASSWORDS["vic"])
    time.sleep(3.2)
    log_in(at, "ana", PASSWORDS["ana"])
    assert not at.exception and "records" in listed_pages(at)  # analyst again after the lock
    assert auth.read(users_path)["credentials"]["usernames"]["ana"].get("failed_login_attempts") is None  # file untouched


def test_the_lockout_survives_a_change_of_the_users_file_and_a_restart(password_mode, monkeypatch, tmp_path):
    monkeypatch.setenv("SEIZURES_LOGIN_ATTEMPTS", "2")
    path = tmp_path / "users.yaml"
    auth.add_user(path, "ana", "analyst", password=PASSWORDS["ana"])
    monkeypatch.setenv("SEIZURES_USERS_FILE", str(path))
    at = app()
    for _ in range(2):
        log_in(at, "ana", "wrong password")
    auth.add_user(path, "zed", "viewer", password="zed password 1")  # the users file changes
    os.utime(path, (time.time() + 5, time.time() + 5))
    log_in(app(), "ana", PASSWORDS["ana"])
    st.cache_resource.clear()  # a restart: the server's memory is gone, the store is not
    st.cache_data.clear()
    restarted = app()
    log_in(restarted, "ana", PASSWORDS["ana"])
    assert any("Too many failed logins" in e.value for e in restarted.error)
    assert listed_pages(restarted) == []


def test_a_role_change_in_the_users_file_applies_at_the_next_run(password_mode, tmp_path, monkeypatch):
    path = tmp_path / "users.yaml"
    auth.add_user(path, "zed", "admin", password="zed password")
    monkeypatch.setenv("SEIZURES_USERS_FILE", str(path))
    at = app("zed")
    assert "data" in listed_pages(at)
    time.sleep(0.01)
    auth.add_user(path, "zed", "viewer", password="zed password", replace=True)
    os.utime(path, (time.time() + 5, time.time() + 5))  # a new modification time, whatever the clock's resolution
    at.run()
    assert listed_pages(at) == VIEWER_PAGES
    auth.remove_user(path, "zed")
    os.utime(path, (time.time() + 10, time.time() + 10))
    at.run()
    assert listed_pages(at) == []


def test_identity_provider_login_takes_the_role_from_the_users_file(password_mode, monkeypatch):
    monkeypatch.setenv("SEIZURES_AUTH", "oidc")
    at = AppTest.from_file(APP, default_timeout=60)
    at.user = {"is_logged_in": False}
    at.run()
    assert [b.label for b in at.button] == ["Log in"] and listed_pages(at) == []
    at.user = {"is_logged_in": True, "email": "oli@police.example", "name": "Oli"}
    at.run()
    assert not at.exception
    assert "records" in listed_pages(at) and "data" not in listed_pages(at)
    at.user = {"is_logged_in": True, "email": "stranger@elsewhere.example"}
    at.run()
    assert listed_pages(at) == []
    assert any("has no access to this dashboard" in e.value for e in at.error)


def test_auth_mode_defaults(monkeypatch, tmp_path):
    monkeypatch.delenv("SEIZURES_AUTH")
    monkeypatch.setenv("SEIZURES_HOME", str(tmp_path))
    assert settings.auth_mode() == "password"  # no identity provider configured
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "secrets.toml").write_text('[auth]\nclient_id = "x"\n')
    assert settings.auth_mode() == "oidc"
    monkeypatch.setenv("SEIZURES_AUTH", "bogus")
    with pytest.raises(ValueError, match="SEIZURES_AUTH='bogus'"):
        settings.auth_mode()


# --- the users command --------------------------------------------------------------------------------------


def seizures(*args: str, stdin: str = "", env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "seizures", *args], input=stdin, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=60)


def test_users_add_writes_a_private_file_of_bcrypt_hashes(tmp_path):
    path = tmp_path / "conf" / "users.yaml"
    env = {"SEIZURES_USERS_FILE": str(path)}
    done = seizures("users", "add", "Maria", "--role", "analyst", "--full-name", "Maria K", stdin="a long secret\n",
                    env=env)
    assert done.returncode == 0, done.stderr
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    text = path.read_text()
    assert "a long secret" not in text
    entry = auth.read(path)["credentials"]["usernames"]["maria"]
    assert entry["roles"] == ["analyst"] and entry["name"] == "Maria K"
    assert stauth.Hasher.check_pw("a long secret", entry["password"])  # the library's own check accepts it
    assert not stauth.Hasher.check_pw("a long secreT", entry["password"])
    assert len(auth.read(path)["cookie"]["key"]) >= 40

    refused = seizures("users", "add", "maria", "--role", "admin", stdin="another secret\n", env=env)
    assert refused.returncode == 2 and "exists already" in refused.stderr
    short = seizures("users", "add", "bob", "--role", "viewer", stdin="short\n", env=env)
    assert short.returncode == 2 and "shorter than 8" in short.stderr
    bad_role = seizures("users", "add", "bob", "--role", "root", stdin="a long secret\n", env=env)
    assert bad_role.returncode == 2 and "invalid choice" in bad_role.stderr
    listed = seizures("users", "list", env=env)
    assert listed.stdout.split("\t")[:2] == ["maria", "analyst"] and "$2b$" not in listed.stdout
    assert seizures("users", "remove", "maria", env=env).returncode == 0
    assert auth.users(auth.read(path)) == []


# --- errors -------------------------------------------------------------------------------------------------


def test_an_error_shows_a_reference_and_no_traceback(monkeypatch, demo_url, fresh_caches, caplog):
    monkeypatch.setenv("SEIZURES_PUBLIC", "1")  # not the development mode, which also shows the traceback
    monkeypatch.setenv("SEIZURES_DB_URL", demo_url)

    def broken(*args):
        raise RuntimeError("(duckdb.BinderException) SELECT secret_column FROM seizures WHERE x = 'boom'")

    monkeypatch.setattr(queries, "measure_by", broken)  # the headline figures' query fails inside
    at = app()
    assert not at.exception  # nothing uncaught, so Streamlit shows no traceback either
    message = next(e.value for e in at.error if "Something went wrong" in e.value)
    reference = message.split("**")[1]
    assert len(reference) == 8
    assert "SELECT" not in texts(at) and "secret_column" not in texts(at)
    logged = [r for r in caplog.records if reference in r.getMessage()]
    assert logged and "secret_column" in str(logged[0].exc_info[1])  # the details are in the server log


def test_error_details_are_off_in_the_served_config():
    import tomllib

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["showErrorDetails"] == "none"


def cookie_changes(at: AppTest) -> list[tuple[str, str]]:
    """The login cookie's changes this run asks the browser for (access.COOKIE_SCRIPT), as (set or delete, cookie)."""
    from seizures.dashboard import access

    prefix, suffix = access.COOKIE_SCRIPT.split("%s")
    assignments = [json.loads(h.proto.body.removeprefix(prefix).removesuffix(suffix)) for h in at.get("html")
                   if h.proto.body.startswith(prefix)]
    return [("delete" if "expires=Thu, 01 Jan 1970" in a else "set", a.split("=")[0]) for a in assignments]


def test_the_login_cookie_is_asked_for_in_every_run(password_mode):
    # The authenticator sets the cookie in the run that logs in, which ends with a rerun: under load Streamlit dropped
    # it before it reached the browser, and every new tab asked for the login again. (A log-out alike: a reload logged
    # in again.) Every run of the session asks for it.
    # No cookie component either: its iframe's first answer started a second run as a page loaded, and Streamlit
    # dropped what the first had not yet sent (a link's page or filter).
    first = app().run()
    assert [t.label for t in first.text_input] == ["User name", "Password"] and not first.get("component_instance")
    at = log_in(app(), "vic", PASSWORDS["vic"])
    for _ in range(2):
        assert cookie_changes(at) == [("set", auth.COOKIE_NAME)]
        assert not at.get("component_instance")
        at.run()
    next(b for b in at.sidebar.button if b.label == "Log out").click().run()
    for _ in range(2):
        assert cookie_changes(at) == [("delete", auth.COOKIE_NAME)]
        assert [t.label for t in at.text_input] == ["User name", "Password"]
        at.run()
