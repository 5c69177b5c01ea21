"""Where the store lives: one setting, SEIZURES_DB_URL, from the environment or .streamlit/secrets.toml."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

DB_URL_SETTING = "SEIZURES_DB_URL"


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
