"""Streamlit helpers shared by the pages: who is logged in and what they may open, the cached engine, cached
queries (suppressed in the public mode) and the sidebar filter.

This is the only module of the package that imports Streamlit.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import pandas as pd
import plotly.graph_objects as go
import sqlalchemy as sa
import streamlit as st

from seizures import auth, disclosure, export, i18n, queries, settings, store, vocab
from seizures.i18n import N_, _, ngettext
from seizures.filters import SeizureFilter, from_query_params, to_query_params

log = logging.getLogger("seizures.app")

ILLUSTRATIVE_NOTE = N_(
    "Record-level figures (by directorate, month, weapon type, context) are **illustrative**: generated demo data "
    "that adds up to the published national totals. Only the published totals are real."
)


@st.cache_resource(show_spinner=False)
def engine() -> sa.Engine:
    return store.make_engine()


def cached(query_name: str, *args):
    """A query's result, cached per arguments (the filter first, mostly) and data version; query_name is a
    function in seizures.queries.

    Keyed on queries.data_version, so an import or rollback (here or from the CLI) shows without a restart.
    In the public mode the result is protected (disclosure.py), and a query not listed for it is refused.
    """
    if settings.public_mode():
        return _cached_public(query_name, data_version(), settings.suppress_below(), *args)
    return _cached_query(query_name, data_version(), *args)


def _withhold_names(frame: pd.DataFrame, _threshold: int) -> pd.DataFrame:
    return frame.assign(file_name="(withheld in the public view)", user_name="(withheld in the public view)")


def _protect_check(frame: pd.DataFrame, threshold: int) -> pd.DataFrame:
    if frame.empty:
        return frame
    out = disclosure.protect(frame, ["recorded"], ["year"], ["indicator"], threshold)
    return out.assign(consistent=out["consistent"].astype("boolean").where(out["recorded_note"] == ""))


# Query -> how the public mode protects its result. Queries of published or reference figures pass unchanged;
# any other query (the record-level ones) is refused.
PUBLIC_QUERIES: dict[str, Callable | None] = {
    "measure_by": None,  # protected in _protect_measure, which needs the query's arguments
    "totals_by_category": lambda f, t: disclosure.protect(f, ["quantity", "events"], [], ["category", "unit"], t),
    "headline_figures": disclosure.protect_headline,
    "recorded_and_published": lambda f, t: disclosure.protect(f, ["recorded"], ["year"], (), t),
    "totals_by_region_year": disclosure.protect_region_year_totals,
    "data_sources": disclosure.protect_sources,
    "published_vs_recorded": _protect_check,
    "data_loads": _withhold_names,
    "record_counts": lambda counts, _t: (int(counts[0] > 0), int(counts[1] > 0)),  # only "any?" is shown
    **dict.fromkeys(("region_list", "year_bounds", "trainings_by_course", "equipment_delivered",
                     "contributing_goals", "contributing_kpis", "kpi_values_in_period")),
}


@st.cache_data(show_spinner=False, ttl=600)
def _cached_public(query_name: str, version: tuple[int, int], threshold: int, *args):
    if query_name not in PUBLIC_QUERIES:
        raise PermissionError(f"{query_name} is not available in the public view")
    result = _cached_query(query_name, version, *args)
    if query_name == "measure_by":
        return _protect_measure(result, version, threshold, *args)
    protect = PUBLIC_QUERIES[query_name]
    return result if protect is None else protect(result, threshold)


# Dimensions whose period totals the pages show beside their dimension × year table (Regions and Map; Weapons).
LINKED_DIMENSIONS = ("region_code", "weapon_type")


def _protect_measure(frame: pd.DataFrame, version, threshold: int, flt, measure_key: str, *dimensions: str):
    if len(dimensions) == 2 and dimensions[1] == "year" and dimensions[0] in LINKED_DIMENSIONS:
        return disclosure.protect(frame, ["value"], dimensions, (), threshold, linked=dimensions[:1])
    if len(dimensions) == 1 and dimensions[0] in LINKED_DIMENSIONS:
        finer = _cached_public("measure_by", version, threshold, flt, measure_key, dimensions[0], "year")
        return disclosure.linked_totals(frame, finer, dimensions[0], threshold)
    return disclosure.protect(frame, ["value"], dimensions, (), threshold)


_run_data_version: contextvars.ContextVar[tuple[int, int] | None] = contextvars.ContextVar("data_version", default=None)


def data_version() -> tuple[int, int]:
    """Changes with every import and rollback (see queries.data_version); read once per script run (script_run)."""
    return _run_data_version.get() or queries.data_version(engine())


@contextlib.contextmanager
def script_run() -> Iterator[None]:
    """Around each script run (app.py): the store is opened once and its data version read once for the run.

    A DuckDB file stays open for the run (as for one long query), so the connections the run's queries open reuse
    it (about 0.5 ms each instead of 15 ms, see BENCHMARKS.md); between runs it is closed, and a CLI import in
    another process can write. Problems opening the store are left to sidebar_filter to report.
    """
    try:
        db = engine()
        held = db.connect() if store.is_duckdb(db) else contextlib.nullcontext()
    except (store.StoreError, sa.exc.DBAPIError):
        yield
        return
    with held:
        try:
            token = _run_data_version.set(queries.data_version(db))
        except sa.exc.DBAPIError:  # no schema yet
            token = None
        try:
            yield
        finally:
            if token is not None:
                _run_data_version.reset(token)


@st.cache_data(show_spinner=False, ttl=600)
def _cached_query(query_name: str, version: tuple[int, int], *args):
    # `version` is only part of the cache key.
    func: Callable = getattr(queries, query_name)
    return func(engine(), *args)


def empty_state(message: str = N_("No seizure records match the filters.")) -> None:
    st.info(_("{message} Widen the period or clear a filter in the sidebar.").format(message=_(message)), icon=":material/search:")


def figure(build: Callable[..., go.Figure], *args) -> dict:
    """build(*args), a figure builder of charts.py or maps.py, as the figure's dict, cached (see derived): a warm
    page then validates a dict (about 1.5 ms) instead of building the figure (10-50 ms)."""
    return _derived(f"figure of {_name(build)}", i18n.language(), lambda *a: build(*a).to_dict(), *args)


def derived(compute: Callable, *args):
    """compute(*args), cached per arguments and language: for pure functions of the pages' cached query results
    (their results may hold translated text)."""
    return _derived(_name(compute), i18n.language(), compute, *args)


def _name(func: Callable) -> str:
    return f"{func.__module__}.{func.__qualname__}"


@st.cache_data(show_spinner=False, ttl=600, max_entries=2000)
def _derived(name: str, language: str, _compute: Callable, *args):
    # Keyed on the function's name, the language and the arguments (the function itself, "_compute", is not hashed).
    return _compute(*args)


def chart_of(data: pd.DataFrame, build: Callable[..., go.Figure], name: str, *args) -> None:
    """Draw build(data, *args) with its CSV download, or the empty state when the filter left no data."""
    if data.empty:
        empty_state()
    else:
        chart(figure(build, data, *args), data, name)


def chart(fig: go.Figure | dict, data: pd.DataFrame, name: str) -> None:
    """Draw a figure with a CSV download of exactly the data behind it (hidden cells as their note, "<5" or "x")."""
    st.plotly_chart(fig, width="stretch", key=f"chart_{name}")
    suppression_legend(data)
    st.download_button(
        _("Download data (CSV)"), disclosure.shown(data).to_csv(index=False).encode("utf-8"), file_name=f"{name}.csv",
        mime="text/csv", key=f"csv_{name}",
    )


def suppression_legend(data: pd.DataFrame) -> None:
    """Say what "<5" and "x" mean, under a table or chart that hides cells."""
    notes = [c for c in data.columns if str(c).endswith(disclosure.NOTE_SUFFIX)]
    if any((data[c].astype(str) != "").any() for c in notes):
        st.caption(f"🔒 {disclosure.legend(settings.suppress_below())} Hidden values are left out of the chart.")


def shown_number(frame: pd.DataFrame, column: str, index) -> str:
    """A cell as text: its suppression note when hidden, else the number."""
    return disclosure.note_of(frame, column, index) or number(frame.at[index, column])


def regions() -> pd.DataFrame:
    """The directorates, with their name in the current language in a `name` column."""
    frame = cached("region_list")
    return frame.assign(name=i18n.region_names(frame))


def region_names() -> dict[str, str]:
    """Directorate code -> name in the current language."""
    frame = regions()
    return dict(zip(frame["code"], frame["name"]))


def year_bounds() -> tuple[int, int] | None:
    return cached("year_bounds")


def _store_or_stop() -> None:
    """Stop the page with a readable message when the store cannot be opened or has no schema.

    Once a store has shown its schema it is not asked again (Alembic's check costs about 5 ms a run): an app
    started before `seizures init` finds the tables on the next run after it.
    """
    try:
        db = engine()
        if str(db.url) in _stores_with_schema():
            return
        version = store.current_version(db)
    except store.StoreError as exc:
        st.error(_("The seizure store cannot be opened: {error}. Set SEIZURES_DB_URL (see README).").format(error=exc))
        st.stop()
    if version is None:
        st.error(_("The seizure store has no tables yet: run `seizures init --demo` (see README)."))
        st.stop()
    _stores_with_schema().add(str(db.url))


@st.cache_resource(show_spinner=False)
def _stores_with_schema() -> set[str]:
    return set()


def _seed_filter_state(names: dict[str, str], bounds: tuple[int, int] | None) -> None:
    """Set the widgets' state from the URL, once per session; unusable values are dropped with a warning."""
    parsed = from_query_params(st.query_params.to_dict(), names, bounds or (0, 9999))
    flt = parsed.filter
    low, high = bounds or (0, 0)
    st.session_state["f_years"] = (flt.year_from or low, flt.year_to or high)
    st.session_state["f_regions"] = list(flt.regions)
    st.session_state["f_categories"] = list(flt.categories)
    st.session_state["f_weapons"] = list(flt.weapon_types)
    st.session_state["f_contexts"] = list(flt.contexts)
    st.session_state["filter_from_url"] = (_filter_from_state(bounds), parsed.warnings)


def _filter_from_state(bounds: tuple[int, int] | None) -> SeizureFilter:
    """The filter the sidebar widgets hold; a period edge at the data's first or last year is left open."""
    year_from, year_to = st.session_state["f_years"] if bounds else (None, None)
    return SeizureFilter(
        year_from=None if bounds is None or year_from == bounds[0] else year_from,
        year_to=None if bounds is None or year_to == bounds[1] else year_to,
        regions=tuple(st.session_state["f_regions"]),
        categories=tuple(st.session_state["f_categories"]),
        weapon_types=tuple(st.session_state["f_weapons"]),
        contexts=tuple(st.session_state["f_contexts"]),
    )


def _clamp_years(bounds: tuple[int, int] | None) -> None:
    """Keep the period inside the data's years (they change when data is imported or removed)."""
    if bounds is None:
        return
    low, high = st.session_state["f_years"]
    if not (bounds[0] <= low <= high <= bounds[1]):
        low, high = max(min(low, bounds[1]), bounds[0]), min(max(high, bounds[0]), bounds[1])
        st.session_state["f_years"] = (min(low, high), max(low, high))


LANGUAGE_KEY = "f_lang"


def language() -> str:
    """The session's language, set for this run: from the URL (`lang=sq`) on a session's first run, then from the
    sidebar selector. An unknown value gives English and a warning (shown by sidebar_filter)."""
    if LANGUAGE_KEY not in st.session_state:
        lang, warning = i18n.parse_language(st.query_params.get("lang"))
        st.session_state[LANGUAGE_KEY] = lang
        st.session_state["lang_warning"] = warning
    i18n.set_language(st.session_state[LANGUAGE_KEY])
    return i18n.language()


def language_params() -> dict[str, str]:
    """The URL parameter of the chosen language (none for the default, English)."""
    lang = i18n.language()
    return {} if lang == i18n.DEFAULT else {"lang": lang}


def sidebar_filter() -> SeizureFilter:
    """Draw the shared sidebar filter, kept in the URL, and return it (the default filter selects everything).

    The URL is read once per session (a bookmark or shared link), then written from the widgets on every run:
    page switches and reruns that drop the query string get it back. The public mode has no filter (see
    _public_filter).
    """
    language()
    with st.sidebar:  # in every language, so that anyone finds it
        st.selectbox("Language · Gjuha · Jezik", list(i18n.LANGUAGES), format_func=i18n.LANGUAGES.get, key=LANGUAGE_KEY)
    _store_or_stop()
    if settings.public_mode():
        return _public_filter()
    names = region_names()
    bounds = year_bounds()
    if "filter_from_url" not in st.session_state:
        _seed_filter_state(names, bounds)
    _clamp_years(bounds)

    with st.sidebar:
        st.header(_("Filters"))
        if bounds and bounds[0] < bounds[1]:
            st.slider(_("Period"), min_value=bounds[0], max_value=bounds[1], key="f_years")
        everything = _("All")
        st.multiselect(_("Regional directorates"), list(names), format_func=names.get, key="f_regions", placeholder=everything)
        categories, weapons, contexts = (vocab.labels(v) for v in (vocab.CATEGORIES, vocab.WEAPON_TYPES, vocab.CONTEXTS))
        st.multiselect(_("Category"), list(categories), format_func=categories.get, key="f_categories", placeholder=everything)
        st.multiselect(_("Weapon type"), list(weapons), format_func=weapons.get, key="f_weapons", placeholder=everything)
        st.multiselect(_("Seizure context"), list(contexts), format_func=contexts.get, key="f_contexts", placeholder=everything)

    flt = _filter_from_state(bounds)
    url_filter, warnings = st.session_state["filter_from_url"]
    if flt == url_filter:  # the warnings concern the link the user opened: shown until the filter is changed
        for warning in warnings:
            st.warning(_("{warning} Showing the default instead.").format(warning=warning), icon=":material/warning:")
    if language_warning := st.session_state.get("lang_warning"):
        if i18n.language() == i18n.DEFAULT:  # shown until a language is chosen
            st.warning(language_warning, icon=":material/warning:")
    params = {**to_query_params(flt), **language_params()}
    if st.query_params.to_dict() != params:
        st.query_params.from_dict(params)
    return flt


def _public_filter() -> SeizureFilter:
    """The public view shows fixed tables of all the data: a filter could be narrowed and widened again until the
    difference between two shown totals is a hidden small count (a differencing attack)."""
    if st.query_params.to_dict():
        st.warning("Filters are not available in the public view: showing all years, directorates and kinds.",
                   icon=":material/warning:")
        st.query_params.clear()
    with st.sidebar:
        st.info(
            f"**Public view**: totals for all years and directorates. Figures below {settings.suppress_below()} are "
            f"shown as {disclosure.primary_label(settings.suppress_below())}, and a few more are hidden (x) so that "
            "they cannot be worked out from the totals.", icon=":material/lock:",
        )
    return SeizureFilter()


# --- Roles: who is logged in, and the pages each role may open ------------------------------------------------


@dataclass(frozen=True)
class PageSpec:
    path: str
    title: str
    icon: str
    url_path: str | None  # None: the default page, served at "/"
    needs: str  # the least role that may open it


PAGES = (
    PageSpec("app_pages/overview.py", N_("Overview"), ":material/dashboard:", None, auth.PUBLIC),
    PageSpec("app_pages/regions.py", N_("Regions"), ":material/location_city:", "regions", auth.PUBLIC),
    PageSpec("app_pages/map.py", N_("Map"), ":material/map:", "map", auth.PUBLIC),
    PageSpec("app_pages/weapons.py", N_("Weapons & context"), ":material/category:", "weapons", auth.PUBLIC),
    PageSpec("app_pages/records.py", N_("Records"), ":material/table_rows:", "records", auth.ANALYST),
    PageSpec("app_pages/training.py", N_("Training & capacity"), ":material/school:", "training", auth.PUBLIC),
    PageSpec("app_pages/kpis.py", N_("Roadmap KPIs"), ":material/flag:", "kpis", auth.PUBLIC),
    PageSpec("app_pages/data.py", N_("Data"), ":material/upload_file:", "data", auth.ADMIN),
    PageSpec("app_pages/about.py", N_("About & methodology"), ":material/info:", "about", auth.PUBLIC),
)
ROLE_KEY = "_seizures_role"  # set by app.py on every run; no widget has this key, so a browser cannot set it


def pages_for(role: str) -> list[PageSpec]:
    """The pages a role may open, in navigation order."""
    return [spec for spec in PAGES if auth.allows(role, spec.needs)]


def navigation_pages(role: str) -> list:
    return [
        st.Page(spec.path, title=_(spec.title), icon=spec.icon, url_path=spec.url_path, default=spec.url_path is None)
        for spec in pages_for(role)
    ]


def current_role() -> str | None:
    """The role app.py established for this run (None when the page runs without app.py)."""
    return st.session_state.get(ROLE_KEY)


def user_name() -> str:
    """Who is logged in, for the import audit: the user name, the identity provider's e-mail, or the mode."""
    if st.session_state.get("authentication_status"):
        return str(st.session_state.get("username"))
    if st.user.get("is_logged_in", False):
        return str(st.user.get("email"))
    return "app (no login)"


def require_role(needed: str) -> None:
    """At the top of a restricted page: stop with a clear message unless this run's user may open it.

    The navigation does not list such a page for other roles; this refuses it when it is reached anyway (an old
    link, a typed URL).
    """
    role = current_role()
    if role is None or not auth.allows(role, needed):
        st.error(f"This page is for users with the {needed} role or higher; you are "
                 f"{'not logged in' if role in (None, auth.PUBLIC) else 'logged in as ' + role}.", icon=":material/lock:")
        st.stop()


def establish_access() -> str:
    """Who is using the app, as a role; draws the login (and stops the run) when someone must log in first.

    SEIZURES_PUBLIC=1: the public role, no login. SEIZURES_AUTH=off (development): administrator, said in the
    sidebar. Otherwise the users file (streamlit-authenticator) or the identity provider (st.login) decides.
    """
    st.session_state.pop(ROLE_KEY, None)
    if settings.public_mode():
        role = auth.PUBLIC
    else:
        mode = settings.auth_mode()
        if mode == "off":
            st.sidebar.caption("🛠️ **Development mode** (SEIZURES_AUTH=off): no login, everyone acts as "
                               "**administrator**. Never deploy it this way.")
            role = auth.ADMIN
        elif mode == "oidc":
            role = _oidc_role()
        else:
            role = _password_role()
    st.session_state[ROLE_KEY] = role
    return role


@st.cache_resource(show_spinner=False)
def _accounts(path: str, modified: float) -> dict:
    """The users file, shared by every session of this server (so failed logins are counted across sessions);
    read again when the file changes."""
    return auth.read(Path(path))


def _users_data() -> dict:
    path = settings.users_file()
    try:
        modified = path.stat().st_mtime
    except OSError:
        modified = 0.0
    return _accounts(str(path), modified)


def _login_screen_header() -> None:
    st.title("Firearms seizure statistics")
    st.caption("Kosovo Police firearms seizure dashboard. Log in to continue; ask an administrator for an account.")


def _password_role() -> str:
    import streamlit_authenticator as stauth
    from streamlit_authenticator.utilities import LoginError

    data = _users_data()
    accounts = data["credentials"]["usernames"]
    cookie = data["cookie"]
    key = settings.cookie_key() or cookie.get("key")
    if not accounts or not key:
        _login_screen_header()
        st.error(f"No user accounts yet: an administrator creates them with "
                 f"`seizures users add NAME --role admin` (users file: {settings.users_file()}).", icon=":material/lock:")
        st.stop()
    limit, lock_seconds = settings.login_attempts(), settings.login_lock_seconds()
    auth.release_expired_locks(accounts, limit, lock_seconds, time.time())
    credentials = {"usernames": {name: entry for name, entry in accounts.items() if entry.get("password")}}
    authenticator = stauth.Authenticate(
        credentials, cookie.get("name", auth.COOKIE_NAME), key, float(cookie.get("expiry_days", auth.COOKIE_DAYS)),
        auto_hash=False,
    )
    header = not st.session_state.get("authentication_status")
    if header:
        _login_screen_header()
    try:
        authenticator.login(location="main", max_login_attempts=limit, fields={
            "Form name": "Log in", "Username": "User name", "Password": "Password", "Login": "Log in"})
    except LoginError as exc:
        auth.release_expired_locks(accounts, limit, lock_seconds, time.time())
        if "attempts" in str(exc):
            st.error(f"Too many failed logins for this user name: it is locked for up to "
                     f"{lock_seconds / 60:g} minutes.", icon=":material/lock:")
        else:  # a login cookie of a user who has since been removed: drop it, so the form comes back
            authenticator.cookie_controller.delete_cookie()
            st.error("This login is no longer valid: reload the page and log in again.", icon=":material/lock:")
        st.stop()
    auth.release_expired_locks(accounts, limit, lock_seconds, time.time())
    status = st.session_state.get("authentication_status")
    if not status:
        if status is False:
            st.error("Wrong user name or password.", icon=":material/lock:")
        st.stop()
    if header:  # logged in during this run: start again without the login screen
        st.rerun()
    username = st.session_state.get("username")
    role = auth.role_of(data, username)
    if role is None:
        st.error("This account no longer exists: log in again.", icon=":material/lock:")
        authenticator.logout(location="unrendered")
        st.stop()
    with st.sidebar:
        st.caption(f"Logged in as **{st.session_state.get('name') or username}** ({auth.ROLE_TEXT[role]})")
        authenticator.logout("Log out", location="sidebar", key="logout_button")
    if not st.session_state.get("authentication_status"):  # just logged out
        st.rerun()
    return role


def _oidc_role() -> str:
    """Streamlit's own OpenID Connect login (secrets.toml [auth]); the role comes from the users file, matched by
    the e-mail address the identity provider gives. Unknown addresses get nothing."""
    if not st.user.get("is_logged_in", False):
        _login_screen_header()
        st.button("Log in", type="primary", on_click=st.login, key="oidc_login")
        st.stop()
    email = st.user.get("email")
    data = _users_data()
    username = auth.user_for_email(data, email)
    if username is None:
        _login_screen_header()
        st.error(f"The account {email or '(no e-mail address)'} has no access to this dashboard: ask an "
                 "administrator to add it (`seizures users add NAME --role viewer --email ADDRESS`).", icon=":material/lock:")
        st.button("Log out", on_click=st.logout, key="oidc_logout")
        st.stop()
    role = auth.role_of(data, username)
    with st.sidebar:
        st.caption(f"Logged in as **{st.user.get('name') or email}** ({auth.ROLE_TEXT[role]})")
        st.button("Log out", on_click=st.logout, key="oidc_logout")
    return role


def user_list() -> None:
    """The accounts of the users file (no password hashes), for administrators."""
    path = settings.users_file()
    try:
        accounts = auth.users(auth.read(path))
    except auth.UsersError as exc:
        st.error(str(exc))
        return
    if not accounts:
        st.info(f"No accounts in {path}.")
        return
    st.dataframe(
        pd.DataFrame([{"user": u.username, "name": u.name, "role": u.role, "e-mail": u.email or "",
                       "login": "password" if u.has_password else "identity provider"} for u in accounts]),
        hide_index=True, width="stretch", key="user_list",
    )
    st.caption(f"From {path}. Add, change or remove accounts with `seizures users add/remove` on the server.")


# --- Errors: logged with a reference, never shown as a traceback -------------------------------------------------


def run_guarded(body: Callable[[], None]) -> None:
    """Run the app's body; an uncaught error is logged server-side with a short reference the user can quote.

    Streamlit's own control flow (st.stop, st.rerun, st.switch_page) raises exceptions derived from BaseException,
    not Exception, so it passes through.
    """
    try:
        body()
    except Exception as exc:
        reference = secrets.token_hex(4).upper()
        log.exception("error %s (role %s, page %s)", reference, current_role(), st.context.url)
        st.error(f"Something went wrong on this page. The error was logged; when you report it, quote the "
                 f"reference **{reference}**.", icon=":material/warning:")
        if _development():
            st.exception(exc)


def _development() -> bool:
    try:
        return not settings.public_mode() and settings.auth_mode() == "off"
    except ValueError:
        return False


# Helpers of the Training, Roadmap KPIs and About pages

STATUS_BADGES = {  # KPI status -> badge colour and icon
    "on track": ("green", ":material/check_circle:"),
    "at risk": ("orange", ":material/warning:"),
    "off track": ("red", ":material/cancel:"),
    "no data": ("gray", ":material/remove:"),
}


def status_badge(status: str) -> None:
    colour, icon = STATUS_BADGES.get(status, ("gray", None))
    st.badge(_(status) if status in STATUS_BADGES else status, color=colour, icon=icon)


def nothing_loaded(what: str) -> None:
    """Empty state for data that the sidebar filters do not restrict: the store itself holds none."""
    st.info(
        _("No {what} in the store yet. Load the reference data with `seizures init --demo`.").format(what=_(what)),
        icon=":material/database:",
    )


def number(value, signed: bool = False) -> str:
    """A figure as shown on the pages: thousands separators, no needless decimals, an en dash when missing."""
    return i18n.number(value, signed=signed)


def percent(value) -> str:
    """A percentage with one decimal ("11.9 %"; "11,9%" in Albanian and Serbian), or an en dash when missing."""
    return i18n.percent(value)


def percent_sign() -> str:
    return i18n.percent_sign()


def period(flt: SeizureFilter) -> tuple[int, int] | None:
    """The first and last year the filter selects, or None when the store has no seizure lines."""
    bounds = year_bounds()
    if bounds is None:
        return None
    return flt.year_from or bounds[0], flt.year_to or bounds[1]


def period_or_stop(flt: SeizureFilter) -> tuple[int, int]:
    """The filter's first and last year; on a store without seizure lines, say so and stop the page."""
    years = period(flt)
    if years is None:
        st.info(_("No seizure records are stored yet: load the demo data (`seizures init --demo`) or import a file."),
                icon=":material/search:")
        st.stop()
    return years


def period_label(flt: SeizureFilter) -> str:
    years = period(flt)
    if years is None:
        return _("no data")
    return i18n.period(*years)


def measure_picker(flt: SeizureFilter, key: str) -> queries.Measure:
    """A choice of measure (firearms, ammunition, …, seizure events), offering only categories the filter lets through."""
    options = [
        m.key for m in queries.MEASURES_BY_KEY.values()
        if m.category is None or not flt.categories or m.category in flt.categories
    ]
    choice = st.radio(_("Measure"), options, format_func=lambda k: queries.MEASURES_BY_KEY[k].title, key=key, horizontal=True)
    return queries.MEASURES_BY_KEY[choice or options[0]]


def headline_metrics(headline: pd.DataFrame, period_text: str) -> None:
    """One metric per headline measure: the last year's value and its change from the year before."""
    for column, (i, row) in zip(st.columns(len(headline)), enumerate(headline.itertuples())):
        if pd.isna(row.previous) or pd.isna(row.change):
            delta = None
        else:
            change = i18n.number(row.change, signed=True)
            if not pd.isna(row.pct_change):
                change += f" ({i18n.percent(row.pct_change, signed=True)})"
            delta = _("{change} vs {year}").format(change=change, year=row.year - 1)
        column.metric(
            f"{_(row.label)} ({_(row.unit)})", shown_number(headline, "value", headline.index[i]), delta=delta,
            delta_color="off", border=True,
            help=_("{year}. Total for {period}: {total}.").format(
                year=row.year, period=period_text, total=shown_number(headline, "period_total", headline.index[i])),
        )
    suppression_legend(headline)


def recorded_label(flt: SeizureFilter) -> str:
    """The legend name of record-level sums: marked illustrative when any line behind them is."""
    illustrative = cached("record_counts", flt)[1]
    return _("Record-level sum (illustrative)") if illustrative else _("Record-level sum")


def provenance_note(flt: SeizureFilter) -> None:
    """The one-line note on illustrative rows, shown when the filtered lines include any."""
    illustrative = cached("record_counts", flt)[1]
    if illustrative:
        st.caption(f"ℹ️ {_(ILLUSTRATIVE_NOTE)}")


def records_downloads(flt: SeizureFilter, sort: str, descending: bool, rows: int) -> None:
    """CSV and Excel downloads of every line the filter matches, generated from the database when clicked."""
    db = engine()
    left, right = st.columns(2)
    left.download_button(
        _("Download all {rows} rows (CSV)").format(rows=number(rows)), lambda: export.records_csv(db, flt, sort, descending),
        file_name="seizure_records.csv", mime="text/csv", key="records_csv", on_click="ignore",
        disabled=rows == 0, icon=":material/download:",
    )
    too_big = rows > export.EXCEL_MAX_ROWS
    right.download_button(
        _("Download all {rows} rows (Excel)").format(rows=number(rows)), lambda: export.records_xlsx(db, flt, sort, descending),
        file_name="seizure_records.xlsx", key="records_xlsx", on_click="ignore", disabled=rows == 0 or too_big,
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", icon=":material/download:",
        help=_("Too many rows for one Excel sheet: use CSV.") if too_big else None,
    )


def report_downloads(flt: SeizureFilter) -> None:
    """The donor report for the selected period, as PDF and as Excel workbook, built from the database when clicked.

    Not offered in the public mode: the report's tables by directorate are not small-count protected.
    """
    if settings.public_mode() or period(flt) is None:
        return
    from seizures import report  # fpdf2 and kaleido load only when the page offers the report

    db, lang = engine(), i18n.language()

    def build(kind: str) -> Callable[[], bytes]:
        def make() -> bytes:
            with i18n.using(lang):  # the click is served outside this run's language context
                return report.build_pdf(db, flt) if kind == "pdf" else report.build_xlsx(db, flt)
        return make

    left, right = st.columns(2)
    left.download_button(
        _("Donor report (PDF)"), build("pdf"), file_name="donor_report.pdf", mime="application/pdf",
        key="report_pdf", on_click="ignore", icon=":material/picture_as_pdf:",
    )
    right.download_button(
        _("Donor report (Excel)"), build("xlsx"), file_name="donor_report.xlsx", key="report_xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", on_click="ignore",
        icon=":material/download:",
    )


def region_rates(summary: pd.DataFrame, measure: queries.Measure, period_text: str) -> None:
    """Each directorate's yearly rate per 100,000 inhabitants, or a clear "no population figure" with the reason."""
    if summary.empty:
        empty_state()
        return
    hidden = [disclosure.note_of(summary, "value", i) for i in summary.index]
    known = summary["population"].fillna(0) > 0
    no_figure = _("no population figure")
    table = pd.DataFrame({
        _("Directorate"): summary["name"],
        f"{measure.title}, {period_text}": [h or number(v) for h, v in zip(hidden, summary["value"])],
        _("Population"): summary["population"].map(lambda p: no_figure if pd.isna(p) else i18n.number(p, 0)),
        _("{measure} per 100,000 inhabitants per year").format(measure=_(measure.label)): [
            no_figure if not ok else h or i18n.number(r, 1)
            for r, ok, h in zip(summary["rate_per_100k"], known, hidden)
        ],
    })
    st.dataframe(table, hide_index=True, width="stretch", key="region_rates")
    suppression_legend(summary)
    st.caption(_(
        "Rate = the period's total divided by its number of years and by the population, times 100,000. "
        "Populations are shown only where a public figure exists."
    ))
    missing = summary[~known]
    if not missing.empty:
        # The notes are stored reference data (English).
        no_public = _("no public figure.")
        lines = "\n".join(f"- **{row.name}**: {row.population_note or no_public}" for row in missing.itertuples())
        heading = ngettext("**No population figure** for {n} directorate, so no rate:",
                           "**No population figure** for {n} directorates, so no rate:", len(missing))
        st.info(f"{heading.format(n=len(missing))}\n{lines}", icon=":material/info:")


def category_table(totals: pd.DataFrame) -> None:
    """Quantity and number of seizure lines per category and unit."""
    if totals.empty:
        empty_state()
        return
    quantity, lines = _("Quantity"), _("Seizure lines")
    table = pd.DataFrame({
        _("Category"): totals["category"].map(lambda c: vocab.label(vocab.CATEGORIES, c)),
        _("Unit"): totals["unit"].map(lambda u: vocab.label(vocab.UNITS, u)),
        quantity: totals["quantity"].round(3),
        lines: totals["events"],
    })
    protected = "quantity_note" in totals  # public mode: hidden cells shown as "<5" / "x"
    if protected:
        table[quantity] = [shown_number(totals, "quantity", i) for i in totals.index]
        table[lines] = [shown_number(totals, "events", i) for i in totals.index]
    numbers = {quantity: st.column_config.NumberColumn(format="localized"),
               lines: st.column_config.NumberColumn(format="localized")}
    dataframe(table, hide_index=True, key="category_table", column_config=None if protected else numbers)
    suppression_legend(totals)


PAGE_SIZES = (25, 50, 100, 250)
SORT_LABELS = {
    "seized_on": N_("Date"), "region_code": N_("Directorate"), "municipality": N_("Municipality"),
    "category": N_("Category"), "weapon_type": N_("Weapon type"), "quantity": N_("Quantity"), "context": N_("Context"),
    "case_ref": N_("Case reference"),
}


@dataclass(frozen=True)
class RecordsView:
    sort: str
    descending: bool
    page_size: int
    page: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size


def records_controls(flt: SeizureFilter, rows: int) -> RecordsView:
    """Sort column, direction, page size and page number; back to page 1 whenever the filter or the sort changes."""
    sort_col, order_col, size_col, page_col = st.columns([2, 2, 1, 1])
    sort = sort_col.selectbox(_("Sort by"), list(SORT_LABELS), format_func=lambda c: _(SORT_LABELS[c]), key="records_sort")
    order = order_col.radio(_("Order"), [N_("Ascending"), N_("Descending")], format_func=_, key="records_order", horizontal=True)
    page_size = size_col.selectbox(_("Rows per page"), PAGE_SIZES, index=1, key="records_page_size")
    pages = max(1, -(-rows // page_size))
    current = (flt, sort, order, page_size)
    if st.session_state.get("records_view") != current:
        st.session_state["records_view"] = current
        st.session_state["records_page"] = 1
    page = page_col.number_input(_("Page (of {pages})").format(pages=number(pages)), min_value=1, max_value=pages, step=1, key="records_page")
    return RecordsView(sort, order == "Descending", page_size, int(page))


def records_table(frame: pd.DataFrame) -> None:
    """One page of seizure lines with readable labels; the illustrative ones are marked."""
    names = region_names()
    illustrative, date, quantity, unit = _("Illustrative"), _("Date"), _("Quantity"), _("Unit")
    table = pd.DataFrame({
        illustrative: frame["illustrative"].astype(bool),
        date: frame["seized_on"],
        _("Case reference"): frame["case_ref"],
        _("Directorate"): frame["region_code"].map(lambda c: names.get(c, c)),
        _("Municipality"): frame["municipality"],
        _("Category"): frame["category"].map(lambda c: vocab.label(vocab.CATEGORIES, c)),
        _("Weapon type"): frame["weapon_type"].map(lambda c: vocab.label(vocab.WEAPON_TYPES, c)),
        quantity: frame["quantity"].round(3),
        unit: frame["unit"].map(lambda u: vocab.label(vocab.UNITS, u)),
        _("Context"): frame["context"].map(lambda c: vocab.label(vocab.CONTEXTS, c)),
    })
    dataframe(
        table, hide_index=True, width="stretch", key="records_table", placeholder="",
        height=min(36 + 35 * len(table), 900),
        column_config={
            illustrative: st.column_config.CheckboxColumn(help=_("Generated demo data, not a real record"), width="small"),
            date: st.column_config.DateColumn(format=i18n.table_date_format(), width="small"),
            quantity: st.column_config.NumberColumn(format="localized", width="small"),
            unit: st.column_config.TextColumn(width="small"),
        },
    )


def dataframe(data: pd.DataFrame, column_config: dict | None = None, **kwargs):
    """st.dataframe with numbers in the chosen language: "localized" number columns follow the browser's locale,
    so outside English their shown text is formatted here (the values, and their sorting, stay numbers)."""
    config = dict(column_config or {})
    if i18n.language() == i18n.DEFAULT:
        return st.dataframe(data, column_config=config, **kwargs)
    formats = {}
    for column, spec in config.items():
        if isinstance(spec, dict) and (spec.get("type_config") or {}).get("format") == "localized" and column in data:
            formats[column] = lambda v: i18n.number(v, missing=kwargs.get("placeholder") or "")
            config[column] = {**spec, "type_config": {k: v for k, v in spec["type_config"].items() if k != "format"}}
    shown = data.style.format(formats) if formats else data
    return st.dataframe(shown, column_config=config, **kwargs)
