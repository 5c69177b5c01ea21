"""Schema migrations (Alembic), run in-process by `seizures init` on DuckDB and PostgreSQL alike.

No alembic.ini: the configuration is built here, and the scripts are found inside the installed package.
New revision: `.venv/bin/python -m seizures.migrations "what changes"` writes versions/NNNN_*.py to fill in by hand
(duckdb-engine cannot reflect, so there is no autogenerate; schema.py must match the head, a test checks it).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

import sqlalchemy as sa

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

# Alembic (and Mako, Pygments under it) is imported on first use, not with the store: most commands (an import, a
# report) never migrate, and it is a tenth of the command line's start-up.


@functools.cache
def _register_duckdb() -> None:
    """Tell Alembic that DuckDB's DDL is PostgreSQL-like and transactional (defining the class registers it)."""
    from alembic.ddl.impl import DefaultImpl

    class DuckDBImpl(DefaultImpl):
        __dialect__ = "duckdb"
        transactional_ddl = True


def config(connection: sa.Connection | None = None) -> Config:
    from alembic.config import Config

    _register_duckdb()
    cfg = Config()
    cfg.set_main_option("script_location", "seizures:migrations")
    cfg.attributes["connection"] = connection
    return cfg


def scripts() -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(config())


def head() -> str:
    return scripts().get_current_head()


def known_revisions() -> set[str]:
    return {script.revision for script in scripts().walk_revisions()}


def current(conn: sa.Connection) -> str | None:
    """The store's revision, or None if Alembic has never run on it."""
    from alembic.runtime.migration import MigrationContext

    _register_duckdb()
    return MigrationContext.configure(conn).get_current_revision()


def upgrade(conn: sa.Connection, target: str = "head") -> None:
    """Run the missing migrations inside the caller's transaction."""
    from alembic import command

    command.upgrade(config(conn), target)


def stamp(conn: sa.Connection, revision: str) -> None:
    """Record a revision without running anything (for stores whose tables already match it)."""
    from alembic import command

    command.stamp(config(conn), revision)


def new_revision(message: str) -> str:
    """Write the next numbered revision file (to fill in by hand); returns its path."""
    script = scripts()
    number = len(known_revisions()) + 1
    return script.generate_revision(f"{number:04d}", message, head=script.get_current_head() or "base").path
