"""Settings: where the store lives (SEIZURES_DB_URL), who may see what (SEIZURES_AUTH, SEIZURES_PUBLIC, the users
file, the disclosure threshold, the login lockout), the limits of an import (SEIZURES_MAX_UPLOAD_MB,
SEIZURES_LOCK_WAIT_SECONDS, and the budgets of reading a workbook: SEIZURES_XLSX_MAX_*), the map's boundaries
(SEIZURES_BOUNDARIES, SEIZURES_BOUNDARIES_KEY), the report's fonts (SEIZURES_REPORT_FONT_DIR) and the e-mailed
reports (SEIZURES_SMTP_*, SEIZURES_SEND_LEASE_MINUTES).

Each is read from the environment, else from the top level of .streamlit/secrets.toml (git-ignored).
"""

from __future__ import annotations

import functools
import os
import tomllib
from dataclasses import dataclass
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
    return _found_root(Path.cwd())


@functools.cache
def _found_root(cwd: Path) -> Path:
    # Asked on every call of the public mode's suppress_below (9.6 % of a server's time under 25 sessions).
    for parent in Path(__file__).resolve().parents:
        if (parent / "data" / "regions.csv").exists():
            return parent
    return cwd


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


# --- the budgets of reading a workbook (upload.py, workbook.py) ----------------------------------------------

XLSX_ROWS_SETTING = "SEIZURES_XLSX_MAX_ROWS"
XLSX_CELLS_SETTING = "SEIZURES_XLSX_MAX_CELLS"
XLSX_XML_SETTING = "SEIZURES_XLSX_MAX_XML_MB"
XLSX_SECONDS_SETTING = "SEIZURES_XLSX_MAX_SECONDS"
XLSX_MEMORY_SETTING = "SEIZURES_XLSX_MAX_MEMORY_MB"
EXCEL_MAX_ROWS = 1_048_576  # Excel's own limit: no sheet made by Excel has more rows
DEFAULT_XLSX_MAX_CELLS = 15_000_000  # Excel's rows times about 14 columns (the template has 10)
DEFAULT_XLSX_MAX_XML_MB = 1000  # a full sheet of the template's 10 columns unpacks to about 500 MB
DEFAULT_XLSX_MAX_SECONDS = 180.0
DEFAULT_XLSX_MAX_MEMORY_MB = 1024.0


@dataclass(frozen=True)
class XlsxBudgets:
    """What reading one workbook may use: row elements (empty ones count), cells, MB of XML unpacked, seconds of
    wall-clock time, MB of memory (the reader's address space)."""

    rows: int
    cells: int
    xml_mb: float
    seconds: float
    memory_mb: float


def xlsx_budgets() -> XlsxBudgets:
    """The budgets of reading a workbook, each from its setting (SEIZURES_XLSX_MAX_ROWS, _CELLS, _XML_MB, _SECONDS,
    _MEMORY_MB); a value that is not a positive number raises ValueError."""
    return XlsxBudgets(
        rows=int(_positive_number(XLSX_ROWS_SETTING, EXCEL_MAX_ROWS)),
        cells=int(_positive_number(XLSX_CELLS_SETTING, DEFAULT_XLSX_MAX_CELLS)),
        xml_mb=_positive_number(XLSX_XML_SETTING, DEFAULT_XLSX_MAX_XML_MB),
        seconds=_positive_number(XLSX_SECONDS_SETTING, DEFAULT_XLSX_MAX_SECONDS),
        memory_mb=_positive_number(XLSX_MEMORY_SETTING, DEFAULT_XLSX_MAX_MEMORY_MB),
    )


# --- reports that arrive (subscriptions.py) -------------------------------------------------------------------

SMTP_HOST_SETTING = "SEIZURES_SMTP_HOST"
SMTP_PORT_SETTING = "SEIZURES_SMTP_PORT"
SMTP_TLS_SETTING = "SEIZURES_SMTP_TLS"
SMTP_USER_SETTING = "SEIZURES_SMTP_USER"
SMTP_PASSWORD_SETTING = "SEIZURES_SMTP_PASSWORD"
SMTP_FROM_SETTING = "SEIZURES_SMTP_FROM"
SEND_LEASE_SETTING = "SEIZURES_SEND_LEASE_MINUTES"
SMTP_TLS_MODES = {"starttls": 587, "ssl": 465, "off": 25}  # how the connection is secured -> its usual port
DEFAULT_SEND_LEASE_MINUTES = 30.0


@dataclass(frozen=True)
class Smtp:
    """Where e-mailed reports go out: the server, how the connection is secured (STARTTLS, TLS from the start, or
    none: only for a server on the same machine), the login (the password from the environment or secrets.toml,
    never the store) and the sender address."""

    host: str
    port: int
    tls: str
    user: str | None
    password: str | None
    sender: str


def smtp() -> Smtp | None:
    """The SMTP settings (SEIZURES_SMTP_*), or None when SEIZURES_SMTP_HOST is not set (reports go to folders only).
    A setting that cannot be used raises ValueError naming it."""
    host = setting(SMTP_HOST_SETTING)
    if host is None:
        return None
    tls = (setting(SMTP_TLS_SETTING) or "starttls").lower()
    if tls not in SMTP_TLS_MODES:
        raise ValueError(f"{SMTP_TLS_SETTING}={tls!r} is not one of {', '.join(SMTP_TLS_MODES)}")
    port = int(_positive_number(SMTP_PORT_SETTING, SMTP_TLS_MODES[tls]))
    sender = setting(SMTP_FROM_SETTING)
    if sender is None or "@" not in sender:
        raise ValueError(f"{SMTP_FROM_SETTING} must give the sender's e-mail address")
    user = setting(SMTP_USER_SETTING)
    password = setting(SMTP_PASSWORD_SETTING)
    if user and password is None:
        raise ValueError(f"{SMTP_USER_SETTING} is set but {SMTP_PASSWORD_SETTING} is not")
    return Smtp(host, port, tls, user, password, sender)


def send_lease_seconds() -> float:
    """How long a report being sent is left to the run that claimed it before another run takes it over as
    interrupted (SEIZURES_SEND_LEASE_MINUTES, default 30)."""
    return _positive_number(SEND_LEASE_SETTING, DEFAULT_SEND_LEASE_MINUTES) * 60
