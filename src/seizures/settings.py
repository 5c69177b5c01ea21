"""Settings: where the store lives (SEIZURES_DB_URL, from the environment or .streamlit/secrets.toml) and the
limits of an import (SEIZURES_MAX_UPLOAD_MB, SEIZURES_LOCK_WAIT_SECONDS, from the environment)."""

from __future__ import annotations

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


def _from_secrets(root: Path) -> str | None:
    path = root / ".streamlit" / "secrets.toml"
    if not path.exists():
        return None
    with path.open("rb") as f:
        value = tomllib.load(f).get(DB_URL_SETTING)
    return str(value) if value else None


def db_url(override: str | None = None) -> str:
    """The database URL: an explicit override, the environment, secrets.toml, or the embedded default."""
    return (
        override
        or os.environ.get(DB_URL_SETTING)
        or _from_secrets(project_root())
        or default_db_url()
    )


def _positive_number(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
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


def lock_wait_seconds() -> float:
    """How long to wait for a DuckDB file another process holds before saying so (SEIZURES_LOCK_WAIT_SECONDS)."""
    return _positive_number(LOCK_WAIT_SETTING, DEFAULT_LOCK_WAIT_SECONDS)
