"""Failed logins per user name, and the login cookies ended by "Log out", kept in the store (tables login_failures
and login_revocations).

A lockout kept in the server's memory was lost at every restart and whenever the users file changed (`seizures users
add`), and each app server behind a load balancer counted alone. Here the count lives in the store: it survives
both, and every server sharing the store sees it.

The rule: a user name is locked once `limit` failed logins were counted, for `lock_seconds` after the last of them
(exactly at that moment it is free again). A failure `lock_seconds` or more after the previous one starts a new
count; a successful login clears it. Record only the attempts that were checked against a password of a user of
the users file (streamlit-authenticator counts only those, and refuses a locked user without a check): a name an
attacker makes up is never stored.
"""

from __future__ import annotations

import contextlib
import time

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as upsert

from seizures import schema, store

NAME_MAX = 255
t = schema.login_failures


def _now(now: float | None) -> float:
    return time.time() if now is None else now


def record_failure(engine: sa.Engine, username: str, lock_seconds: float, now: float | None = None) -> int:
    """Count one failed login of a user name; returns the count now held (1 when the previous failure is
    lock_seconds or more ago). One statement (an upsert), so that concurrent failures are all counted: on
    PostgreSQL the row lock orders them across servers; on DuckDB (one process) its threads take turns."""
    if len(username) > NAME_MAX:
        raise ValueError(f"a user name is at most {NAME_MAX} characters")
    now = _now(now)
    statement = upsert(t).values(username=username, failures=1, last_failed_at=now)
    statement = statement.on_conflict_do_update(
        index_elements=[t.c.username],
        set_={
            "failures": sa.case((sa.literal(now) - t.c.last_failed_at >= lock_seconds, 1), else_=t.c.failures + 1),
            "last_failed_at": sa.func.greatest(t.c.last_failed_at, now),  # concurrent requests may arrive late
        },
    ).returning(t.c.failures)
    with _turn(engine), engine.begin() as conn:
        return int(conn.execute(statement).scalar_one())


def clear(engine: sa.Engine, username: str) -> None:
    """Forget a user name's failed logins (after a successful login)."""
    with _turn(engine), engine.begin() as conn:
        conn.execute(t.delete().where(t.c.username == username))


def seconds_locked(engine: sa.Engine, username: str, limit: int, lock_seconds: float, now: float | None = None) -> float:
    """How long a user name stays locked (0.0 when it is not)."""
    with engine.connect() as conn:
        row = conn.execute(sa.select(t.c.failures, t.c.last_failed_at).where(t.c.username == username)).first()
    return _remaining(row, limit, lock_seconds, _now(now))


def locked_users(engine: sa.Engine, limit: int, lock_seconds: float, now: float | None = None) -> dict[str, float]:
    """Every user name locked now, with the seconds it stays locked (one query, for a login page's run)."""
    now = _now(now)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(t.c.username, t.c.failures, t.c.last_failed_at)
            .where(t.c.failures >= limit, t.c.last_failed_at > now - lock_seconds)
        ).all()
    return {row.username: left for row in rows if (left := _remaining(row, limit, lock_seconds, now)) > 0}


def _remaining(row, limit: int, lock_seconds: float, now: float) -> float:
    if row is None or row.failures < limit:
        return 0.0
    return max(0.0, lock_seconds - (now - row.last_failed_at))


# --- Login cookies ended by "Log out" ------------------------------------------------------------------------------
#
# Deleting the cookie in the browser is not enough: the deletion may not reach it (a reload right after "Log out"),
# and a copy of the cookie would log in until it expires. A cookie is known by its user name and its expiry (both
# signed); a revoked one is refused by every server sharing the store.

r = schema.login_revocations


def revoke(engine: sa.Engine, username: str, expires_at: float, now: float | None = None) -> None:
    """End one login cookie (a user's, with that expiry); forget those already expired."""
    statement = upsert(r).values(username=username, expires_at=expires_at).on_conflict_do_nothing()
    with _turn(engine), engine.begin() as conn:
        conn.execute(r.delete().where(r.c.expires_at <= _now(now)))
        conn.execute(statement)


def revoked(engine: sa.Engine, username: str, expires_at: float) -> bool:
    """Whether that login cookie was ended by "Log out"."""
    with engine.connect() as conn:
        found = conn.execute(sa.select(r.c.username).where(r.c.username == username, r.c.expires_at == expires_at))
        return found.first() is not None


def _turn(engine: sa.Engine):
    """DuckDB refuses a second concurrent change of the same row (a write conflict): this process's threads
    take turns. PostgreSQL orders them itself."""
    if engine.dialect.name == "postgresql":
        return contextlib.nullcontext()
    return store._process_write_lock(engine, "logins")
