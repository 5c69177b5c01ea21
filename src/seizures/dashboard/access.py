"""Who is using the app and what they may open: roles, the pages, the login, and the guard that logs an error with a
reference instead of showing a traceback.

Every page is registered with st.navigation on every run, whoever asks (hidden from the menu where the role may not
open it, or all of them while the login is shown): a link to a page then lands on that page after the login, and a
page a role may not open says so (require_role) instead of Streamlit silently opening the default page.
"""

from __future__ import annotations

import contextvars
import logging
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import streamlit as st

from seizures import auth, settings
from seizures.dashboard import sidebar
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


def _authenticator(data: dict):
    """streamlit-authenticator over the users file's accounts: it draws the login form and sets or deletes the
    login cookie (None when the file has no account or no cookie key)."""
    import streamlit_authenticator as stauth

    made = _run_authenticator.get()
    if made is not None and made[0] is data:
        return made[1]
    accounts = data["credentials"]["usernames"]
    cookie = data["cookie"]
    key = settings.cookie_key() or cookie.get("key")
    if not accounts or not key:
        return None
    credentials = {"usernames": {name: entry for name, entry in accounts.items() if entry.get("password")}}
    authenticator = stauth.Authenticate(
        credentials, cookie.get("name", auth.COOKIE_NAME), key, float(cookie.get("expiry_days", auth.COOKIE_DAYS)),
        auto_hash=False,
    )
    _run_authenticator.set((data, authenticator))
    return authenticator


def _password_role() -> str | None:
    """The logged-in user's role (from this session, else from a valid login cookie), with the account line and the
    log-out button in the sidebar; None when nobody is logged in."""
    data = _users_data()
    authenticator = _authenticator(data)
    if authenticator is None:
        return None
    if not st.session_state.get("authentication_status"):
        try:
            token = authenticator.cookie_controller.get_cookie()
        except Exception:  # noqa: BLE001 - a malformed cookie means "logged out", never an error page
            token = None
        if token:
            authenticator.authentication_controller.login(token=token)
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
    accounts = data["credentials"]["usernames"]
    limit, lock_seconds = settings.login_attempts(), settings.login_lock_seconds()
    auth.release_expired_locks(accounts, limit, lock_seconds, time.time())
    from streamlit_authenticator.utilities import LoginError

    try:
        authenticator.login(location="main", max_login_attempts=limit, fields={
            "Form name": _("Log in"), "Username": _("User name"), "Password": _("Password"), "Login": _("Log in")})
    except LoginError as exc:
        auth.release_expired_locks(accounts, limit, lock_seconds, time.time())
        if "attempts" in str(exc):
            st.error(_("Too many failed logins for this user name: it is locked for up to {minutes} minutes.").format(
                minutes=f"{lock_seconds / 60:g}"), icon=":material/lock:")
        else:  # a login cookie of a user who has since been removed: drop it, so the form comes back
            authenticator.cookie_controller.delete_cookie()
            st.error(_("This login is no longer valid: reload the page and log in again."), icon=":material/lock:")
        return
    auth.release_expired_locks(accounts, limit, lock_seconds, time.time())
    status = st.session_state.get("authentication_status")
    if status:  # logged in: start again, on the page the address asked for (the navigation already holds it)
        st.rerun()
    if status is False:
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
