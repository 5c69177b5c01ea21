"""Who is using the app and what they may open: roles, the pages, the login, and the guard that logs an error with a
reference instead of showing a traceback.

Every page is registered with st.navigation on every run, whoever asks (hidden from the menu where the role may not
open it, or all of them while the login is shown): a link to a page then lands on that page after the login, and a
page a role may not open says so (require_role) instead of Streamlit silently opening the default page.
"""

from __future__ import annotations

import contextvars
import functools
import logging
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import streamlit as st

from seizures import auth, logins, settings
from seizures.dashboard import data as store_data
from seizures.dashboard import document, sidebar
from seizures.i18n import N_, _

log = logging.getLogger("seizures.app")


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
    # Not public: percentages of small counts, and the questionnaire's list of seizures (see the page).
    PageSpec("app_pages/tracing.py", N_("SDG 16.4.2 and tracing"), ":material/travel_explore:", "tracing", auth.VIEWER),
    PageSpec("app_pages/data.py", N_("Data"), ":material/upload_file:", "data", auth.ADMIN),
    PageSpec("app_pages/about.py", N_("About & methodology"), ":material/info:", "about", auth.PUBLIC),
)
ROLE_KEY = "_seizures_role"  # set by app.py on every run; no widget has this key, so a browser cannot set it


def pages_for(role: str) -> list[PageSpec]:
    """The pages a role may open, in navigation order."""
    return [spec for spec in PAGES if auth.allows(role, spec.needs)]


def navigation(role: str | None):
    """st.navigation of every page: those the role may not open are hidden from the menu (their address still
    resolves, and the page explains itself); before a login the whole menu is hidden."""
    pages = [
        st.Page(spec.path, title=_(spec.title), icon=spec.icon, url_path=spec.url_path, default=spec.url_path is None,
                visibility="visible" if role is not None and auth.allows(role, spec.needs) else "hidden")
        for spec in PAGES
    ]
    return st.navigation(pages, position="sidebar" if role is not None else "hidden")


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


ROLE_NAMES = {auth.VIEWER: N_("viewer"), auth.ANALYST: N_("analyst"), auth.ADMIN: N_("administrator")}


def require_role(needed: str) -> None:
    """At the top of a restricted page: stop with a clear message unless this run's user may open it.

    The menu does not list such a page for other roles; this refuses it when it is reached anyway (an old link, a
    typed URL, a colleague's link).
    """
    role = current_role()
    if role is not None and auth.allows(role, needed):
        return
    if role in (None, auth.PUBLIC):
        who = _("This page is not part of the public view.")
    else:
        who = _("You are logged in as {role}.").format(role=_(ROLE_NAMES[role]))
    st.error(_("This page is for users with the {needed} role or higher. {who} Ask an administrator for access, or "
               "choose another page in the menu.").format(needed=_(ROLE_NAMES[needed]), who=who), icon=":material/lock:")
    st.stop()


# --- Who is using the app -----------------------------------------------------------------------------------------


def establish_access() -> str | None:
    """Who is using the app, as a role, or None when someone must log in first (draw login_screen() after the
    navigation). Draws nothing but the sidebar's account line.

    SEIZURES_PUBLIC=1: the public role, no login. SEIZURES_AUTH=off (development): administrator, said in the
    sidebar. Otherwise the users file (password and login cookie) or the identity provider (st.login) decides.
    """
    st.session_state.pop(ROLE_KEY, None)
    if settings.public_mode():
        role: str | None = auth.PUBLIC
    else:
        mode = settings.auth_mode()
        if mode == "off":
            st.sidebar.caption(_("🛠️ **Development mode** (SEIZURES_AUTH=off): no login, everyone acts as "
                                 "**administrator**. Never deploy it this way."))
            role = auth.ADMIN
        elif mode == "oidc":
            role = _oidc_role()
        else:
            role = _password_role()
    if role is not None:
        st.session_state[ROLE_KEY] = role
    return role


def login_screen() -> None:
    """The login, in the language chosen on it; stops the run (a successful login starts the run again)."""
    st.title(_("Firearms seizure statistics"))
    st.caption(_("Firearms seizure statistics dashboard. Log in to continue; ask an administrator for an account."))
    sidebar.language_selector()
    if settings.auth_mode() == "oidc":
        _oidc_login()
    else:
        _password_login()
    st.stop()


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


# This run's authenticator: made once per run (its cookie component may be drawn once per run only).
_run_authenticator: contextvars.ContextVar = contextvars.ContextVar("authenticator", default=None)


class _NoCookieComponent:
    """Stands in for extra-streamlit-components' CookieManager inside streamlit-authenticator, which draws it (an
    iframe reading every cookie) in every run. Its first answer started a second run as soon as a page loaded, and
    Streamlit drops what the first run had not yet sent: a link's page or filter could be lost in login mode. The
    authenticator reads the cookie from the request (st.context.cookies); _deliver_cookie_change sets and deletes it."""

    def set(self, *args, **kwargs) -> None:  # the two methods the authenticator calls
        pass

    def delete(self, *args, **kwargs) -> None:
        pass


@functools.cache  # once per process: it replaces the authenticator module's reference for every session
def _without_cookie_component() -> None:
    from types import SimpleNamespace

    from streamlit_authenticator.models import cookie_model

    cookie_model.stx = SimpleNamespace(CookieManager=_NoCookieComponent)


def _authenticator(data: dict):
    """streamlit-authenticator over the users file's accounts, made once per run: it draws the login form and sets
    or deletes the login cookie (None when the file has no account or no cookie key).

    Its credentials are this run's copy, each user's failed logins as the store counts them (logins.py: a lock that
    survives a restart and a change of the users file, and holds across app servers): `limit` for a locked user,
    whom the authenticator then refuses without checking a password, else 0.
    """
    import streamlit_authenticator as stauth

    made = _run_authenticator.get()
    if made is not None and made[0] is data:
        return made[1]
    accounts = data["credentials"]["usernames"]
    cookie = data["cookie"]
    key = settings.cookie_key() or cookie.get("key")
    if not accounts or not key:
        return None
    _without_cookie_component()
    limit = settings.login_attempts()
    locked = logins.locked_users(store_data.engine(), limit, settings.login_lock_seconds())
    credentials = {"usernames": {name: {**entry, auth.FAILED: limit if name in locked else 0}
                                 for name, entry in accounts.items() if entry.get("password")}}
    authenticator = stauth.Authenticate(
        credentials, cookie.get("name", auth.COOKIE_NAME), key, float(cookie.get("expiry_days", auth.COOKIE_DAYS)),
        auto_hash=False,
        login_sleep_time=0,  # its wait for the cookie component: the cookie is read from the request (st.context)
    )
    _run_authenticator.set((data, authenticator))
    return authenticator


def _drop_bad_cookie(data: dict, authenticator) -> None:
    """A login cookie the authenticator would fail on (forged, another algorithm, no expiry, a removed user) means
    "logged out": it is not read this session, and the browser is told to delete it."""
    cookie = data["cookie"]
    raw = st.context.cookies.get(cookie.get("name", auth.COOKIE_NAME))
    key = settings.cookie_key() or cookie.get("key")
    if raw is not None and not auth.valid_login_cookie(raw, key, authenticator.authentication_controller
                                                       .authentication_model.credentials["usernames"]):
        _drop_cookie(authenticator)


def _drop_cookie(authenticator) -> None:
    """Not read this session, and the browser told to delete it."""
    st.session_state["logout"] = True  # the authenticator's get_cookie then ignores the cookie
    st.session_state[COOKIE_CHANGE_KEY] = _cookie_deletion(authenticator)


# What this session asks the browser to do with the login cookie, as a document.cookie assignment: set it (after a
# login) or delete it (after "Log out", or a cookie that is not valid). Re-sent with every run (_deliver_cookie_change).
COOKIE_CHANGE_KEY = "_login_cookie_change"
LOGIN_EXPIRY_KEY = "_login_expires_at"  # this session's login cookie, revoked at "Log out"
COOKIE_SCRIPT = "<script>document.cookie = %s;</script>"


def _cookie_name(authenticator) -> str:
    return authenticator.cookie_controller.cookie_model.cookie_name


def _login_cookie(authenticator) -> str:
    """The cookie the authenticator has just set at a login, with its expiry."""
    from email.utils import formatdate

    model = authenticator.cookie_controller.cookie_model
    return (f"{model.cookie_name}={model._token_encode()}; expires={formatdate(model.exp_date, usegmt=True)}; "
            "path=/; SameSite=Strict")


def _cookie_deletion(authenticator) -> str:
    return f"{_cookie_name(authenticator)}=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/; SameSite=Strict"


def _deliver_cookie_change() -> None:
    """Set (after a login) or delete (after a log-out) the login cookie by a script drawn in every run of the session.

    The authenticator's cookie component (replaced: _NoCookieComponent) was drawn once, in the run that logs in or
    out, which then ends with st.rerun(); Streamlit drops what that run had not yet sent when the next one starts,
    and under load the cookie was never set (a new tab asked for the login again) or never deleted (a reload logged
    in again). Drawing the component in every run until it answered did not hold either: at times its frame never
    loaded, a grey placeholder for 60 s and then Streamlit's warning. A script in the page arrives with whichever
    run the browser draws; setting the same cookie again changes nothing.
    """
    change = st.session_state.get(COOKIE_CHANGE_KEY)
    if change is not None:
        st.html(COOKIE_SCRIPT % document.script_value(change), unsafe_allow_javascript=True)


def _password_role() -> str | None:
    """The logged-in user's role (from this session, else from a valid login cookie), with the account line and the
    log-out button in the sidebar; None when nobody is logged in."""
    data = _users_data()
    authenticator = _authenticator(data)
    if authenticator is None:
        return None
    _deliver_cookie_change()
    if not st.session_state.get("authentication_status"):
        _drop_bad_cookie(data, authenticator)
        token = authenticator.cookie_controller.get_cookie()
        if token and logins.revoked(store_data.engine(), token["username"], token["exp_date"]):
            _drop_cookie(authenticator)  # ended by "Log out", though the browser kept it
        elif token:
            authenticator.authentication_controller.login(token=token)
            st.session_state[LOGIN_EXPIRY_KEY] = token["exp_date"]
    if not st.session_state.get("authentication_status"):
        return None
    username = st.session_state.get("username")
    role = auth.role_of(data, username)
    if role is None:  # removed from the users file since: out
        authenticator.logout(location="unrendered")
        st.session_state["account_removed"] = True
        return None
    with st.sidebar:
        st.caption(_("Logged in as **{name}** ({role})").format(
            name=st.session_state.get("name") or username, role=_(auth.ROLE_TEXT[role])))
        authenticator.logout(_("Log out"), location="sidebar", key="logout_button")
    if not st.session_state.get("authentication_status"):  # just logged out
        if (expires := st.session_state.pop(LOGIN_EXPIRY_KEY, None)) is not None:
            logins.revoke(store_data.engine(), username, expires)
        st.session_state[COOKIE_CHANGE_KEY] = _cookie_deletion(authenticator)
        st.rerun()
    return role


def _password_login() -> None:
    data = _users_data()
    authenticator = _authenticator(data)
    if authenticator is None:
        st.error(_("No user accounts yet: an administrator creates them with `seizures users add NAME --role admin` "
                   "(users file: {path}).").format(path=settings.users_file()), icon=":material/lock:")
        return
    if st.session_state.pop("account_removed", False):
        st.error(_("This account no longer exists: log in again."), icon=":material/lock:")
    limit, lock_seconds = settings.login_attempts(), settings.login_lock_seconds()
    counts = authenticator.authentication_controller.authentication_model.credentials["usernames"]
    before = {name: entry.get(auth.FAILED, 0) for name, entry in counts.items()}
    from streamlit_authenticator.utilities import LoginError

    try:
        st.header(_("Log in"))  # the form's own title is an h3 (a subheader): an h2 comes first
        authenticator.login(location="main", max_login_attempts=limit, fields={
            "Form name": _("Your account"), "Username": _("User name"), "Password": _("Password"), "Login": _("Log in")})
    except LoginError as exc:
        if "attempts" in str(exc):
            st.error(_("Too many failed logins for this user name: it is locked for up to {minutes} minutes.").format(
                minutes=f"{lock_seconds / 60:g}"), icon=":material/lock:")
        else:
            st.error(_("This login is no longer valid: reload the page and log in again."), icon=":material/lock:")
        return
    status = st.session_state.get("authentication_status")
    if status:  # logged in: start again, on the page the address asked for (the navigation already holds it)
        logins.clear(store_data.engine(), st.session_state["username"])
        st.session_state[LOGIN_EXPIRY_KEY] = authenticator.cookie_controller.cookie_model.exp_date
        st.session_state[COOKIE_CHANGE_KEY] = _login_cookie(authenticator)
        st.rerun()
    if status is False:
        # The authenticator counts a failure only for a user of the file: a made-up name is never stored.
        for name, entry in counts.items():
            if entry.get(auth.FAILED, 0) > before.get(name, 0):
                logins.record_failure(store_data.engine(), name, lock_seconds)
        st.error(_("Wrong user name or password."), icon=":material/lock:")


def _oidc_role() -> str | None:
    """Streamlit's own OpenID Connect login (secrets.toml [auth]); the role comes from the users file, matched by
    the e-mail address the identity provider gives. Unknown addresses get nothing."""
    if not st.user.get("is_logged_in", False):
        return None
    username = auth.user_for_email(_users_data(), st.user.get("email"))
    if username is None:
        return None
    role = auth.role_of(_users_data(), username)
    with st.sidebar:
        st.caption(_("Logged in as **{name}** ({role})").format(
            name=st.user.get("name") or st.user.get("email"), role=_(auth.ROLE_TEXT[role])))
        st.button(_("Log out"), on_click=st.logout, key="oidc_logout")
    return role


def _oidc_login() -> None:
    if not st.user.get("is_logged_in", False):
        st.button(_("Log in"), type="primary", on_click=st.login, key="oidc_login")
        return
    email = st.user.get("email")
    st.error(_("The account {email} has no access to this dashboard: ask an administrator to add it (`seizures users "
               "add NAME --role viewer --email ADDRESS`).").format(email=email or _("(no e-mail address)")),
             icon=":material/lock:")
    st.button(_("Log out"), on_click=st.logout, key="oidc_logout")


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
        st.error(_("Something went wrong on this page. The error was logged; when you report it, quote the reference "
                   "**{reference}**.").format(reference=reference), icon=":material/warning:")
        if _development():
            st.exception(exc)


def _development() -> bool:
    try:
        return not settings.public_mode() and settings.auth_mode() == "off"
    except ValueError:
        return False
