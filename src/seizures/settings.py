"""Settings: where the store lives (SEIZURES_DB_URL), who may see what (SEIZURES_AUTH, SEIZURES_PUBLIC, the users
file, the disclosure threshold, the login lockout), the limits of an import (SEIZURES_MAX_UPLOAD_MB,
SEIZURES_LOCK_WAIT_SECONDS), the map's boundaries (SEIZURES_BOUNDARIES, SEIZURES_BOUNDARIES_KEY) and the report's
fonts (SEIZURES_REPORT_FONT_DIR).

Each is read from the environment, else from the top level of .streamlit/secrets.toml (git-ignored).
"""

from __future__ import annotations

import functools
import os
import tomllib
from pathlib import Path

DB_URL_SETTING = "SEIZURES_DB_URL"
MAX_UPLOAD_SETTING = "SEIZURES_MAX_UPLOAD_MB"
LOCK_WAIT_SETTING = "SEIZURES_LOCK_WAIT_SECONDS"
DEFAULT_MAX_UPLOAD_MB = 200  # Streamlit's own default upload limit; a 1 M-row CSV is about 70 MB
DEFAULT_LOCK_WAIT_SECONDS = 10.0


def project_root() -> Path:
    """The checkout the app runs from: SEIZURES_HOME, else the folder holding data/ above this package, else cwd."""
    if home := os.environ.get("SEIZURES_HOME"):
        return Path(home)
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "data" / "regions.csv").exists():
            return parent
    return Path.cwd()


def data_dir() -> Path:
    return project_root() / "data"


def default_db_url() -> str:
    return f"duckdb:///{data_dir() / 'seizures.duckdb'}"


def secrets_path() -> Path:
    return project_root() / ".streamlit" / "secrets.toml"


def _secrets() -> dict:
    path = secrets_path()
    try:
        modified = path.stat().st_mtime_ns
    except OSError:
        return {}
    return _read_secrets(str(path), modified)


@functools.lru_cache(maxsize=4)
def _read_secrets(path: str, _modified: int) -> dict:
    """secrets.toml, read again only when it changes (settings are read many times per page)."""
    with open(path, "rb") as f:
        return tomllib.load(f)


def setting(name: str) -> str | None:
    """A setting's text: the environment, else the top level of .streamlit/secrets.toml, else None."""
    value = os.environ.get(name)
    if value is None:
        value = _secrets().get(name)
    if value is None or isinstance(value, dict):
        return None
    return str(value).strip() or None


def db_url(override: str | None = None) -> str:
    """The database URL: an explicit override, the environment, secrets.toml, or the embedded default."""
    return override or setting(DB_URL_SETTING) or default_db_url()


# --- who may see what ---------------------------------------------------------------------------------------

AUTH_SETTING = "SEIZURES_AUTH"
PUBLIC_SETTING = "SEIZURES_PUBLIC"
USERS_FILE_SETTING = "SEIZURES_USERS_FILE"
COOKIE_KEY_SETTING = "SEIZURES_COOKIE_KEY"
SUPPRESS_SETTING = "SEIZURES_SUPPRESS_BELOW"
LOGIN_ATTEMPTS_SETTING = "SEIZURES_LOGIN_ATTEMPTS"
LOGIN_LOCK_SETTING = "SEIZURES_LOGIN_LOCK_MINUTES"
AUTH_MODES = ("password", "oidc", "off")
DEFAULT_SUPPRESS_BELOW = 5
DEFAULT_LOGIN_ATTEMPTS = 5
DEFAULT_LOGIN_LOCK_MINUTES = 15.0


def auth_mode() -> str:
    """How users log in: "password" (the users file), "oidc" (Streamlit's st.login with the identity provider of
    secrets.toml's [auth] section) or "off" (development: everyone is an administrator).

    SEIZURES_AUTH names it; unset, it is "oidc" when secrets.toml has an [auth] section, else "password".
    """
    raw = setting(AUTH_SETTING)
    if raw is None:
        return "oidc" if isinstance(_secrets().get("auth"), dict) else "password"
    mode = raw.lower()
    if mode not in AUTH_MODES:
        raise ValueError(f"{AUTH_SETTING}={raw!r} is not one of {', '.join(AUTH_MODES)}")
    return mode


def public_mode() -> bool:
    """SEIZURES_PUBLIC=1: no login, aggregated pages only, small counts suppressed."""
    return (setting(PUBLIC_SETTING) or "").lower() in ("1", "true", "yes", "on")


def users_file() -> Path:
    """The users file (hashed passwords and roles): SEIZURES_USERS_FILE, default .streamlit/users.yaml."""
    raw = setting(USERS_FILE_SETTING)
    return Path(raw) if raw else project_root() / ".streamlit" / "users.yaml"


def cookie_key() -> str | None:
    """The key signing the login cookie, when set apart from the users file (SEIZURES_COOKIE_KEY)."""
    return setting(COOKIE_KEY_SETTING)


def suppress_below() -> int:
    """Public mode hides a count below this (SEIZURES_SUPPRESS_BELOW, default 5)."""
    return int(_positive_number(SUPPRESS_SETTING, DEFAULT_SUPPRESS_BELOW))


def login_attempts() -> int:
    """Failed logins of one user before the user is locked out for a while (SEIZURES_LOGIN_ATTEMPTS, default 5)."""
    return int(_positive_number(LOGIN_ATTEMPTS_SETTING, DEFAULT_LOGIN_ATTEMPTS))


def login_lock_seconds() -> float:
    """How long a locked-out user waits (SEIZURES_LOGIN_LOCK_MINUTES, default 15)."""
    return _positive_number(LOGIN_LOCK_SETTING, DEFAULT_LOGIN_LOCK_MINUTES) * 60


def _positive_number(name: str, default: float) -> float:
    raw = setting(name) or ""
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name}={raw!r} is not a number") from None
    if value <= 0:
        raise ValueError(f"{name}={raw!r} must be greater than 0")
    return value


def max_upload_mb() -> float:
    """The largest file an import accepts, in MB (SEIZURES_MAX_UPLOAD_MB, default 200)."""
    return _positive_number(MAX_UPLOAD_SETTING, DEFAULT_MAX_UPLOAD_MB)


# --- the map and the report ----------------------------------------------------------------------------------------

BOUNDARIES_SETTING = "SEIZURES_BOUNDARIES"
BOUNDARIES_KEY_SETTING = "SEIZURES_BOUNDARIES_KEY"
DEFAULT_BOUNDARIES_KEY = "properties.code"  # where each feature holds its directorate code (as Plotly's featureidkey)
REPORT_FONT_DIR_SETTING = "SEIZURES_REPORT_FONT_DIR"
DEFAULT_REPORT_FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")  # Debian's fonts-dejavu-core


def boundaries_file() -> Path | None:
    """A GeoJSON of the directorates' shapes for the map (SEIZURES_BOUNDARIES), or None: markers at the seats."""
    raw = setting(BOUNDARIES_SETTING)
    return Path(raw) if raw else None


def boundaries_key() -> str:
    """Where each boundary feature holds its directorate code (SEIZURES_BOUNDARIES_KEY, default properties.code)."""
    return setting(BOUNDARIES_KEY_SETTING) or DEFAULT_BOUNDARIES_KEY


def report_font_dir() -> Path:
    """The folder of the DejaVu fonts the PDF report embeds (SEIZURES_REPORT_FONT_DIR)."""
    raw = setting(REPORT_FONT_DIR_SETTING)
    return Path(raw) if raw else DEFAULT_REPORT_FONT_DIR


def lock_wait_seconds() -> float:
    """How long to wait for a DuckDB file another process holds before saying so (SEIZURES_LOCK_WAIT_SECONDS)."""
    return _positive_number(LOCK_WAIT_SETTING, DEFAULT_LOCK_WAIT_SECONDS)

