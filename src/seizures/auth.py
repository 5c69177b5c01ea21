"""Roles, the users file and the login lockout (no Streamlit here: ui.py draws the login).

The users file is YAML in the layout streamlit-authenticator reads (credentials.usernames.NAME.{name, password,
email, roles}, and a cookie section); passwords are stored only as bcrypt hashes. `seizures users add` writes it.
"""

from __future__ import annotations

import os
import re
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path

import bcrypt
import yaml

from seizures.i18n import N_

PUBLIC, VIEWER, ANALYST, ADMIN = "public", "viewer", "analyst", "admin"
ROLES = (VIEWER, ANALYST, ADMIN)  # the roles a user may have; "public" is the no-login public mode
RANK = {PUBLIC: 0, VIEWER: 1, ANALYST: 2, ADMIN: 3}
ROLE_TEXT = {  # English here (the CLI); the app shows them translated
    PUBLIC: N_("public (aggregated figures, small counts hidden)"),
    VIEWER: N_("viewer (aggregated pages)"),
    ANALYST: N_("analyst (+ seizure records and their exports)"),
    ADMIN: N_("administrator (+ data import, rollback and the user list)"),
}
USERNAME = re.compile(r"[a-z0-9][a-z0-9._@-]{0,63}")
PASSWORD_MIN = 8
PASSWORD_MAX_BYTES = 72  # bcrypt uses at most 72 bytes (bcrypt 5 refuses longer ones)
COOKIE_NAME = "seizures_login"
COOKIE_DAYS = 1.0
FILE_HEADER = (
    "# Users of the seizure statistics dashboard: written by `seizures users add/remove`.\n"
    "# Passwords are bcrypt hashes; the cookie key signs the login cookie. Keep this file private (git-ignored).\n"
)


class UsersError(ValueError):
    """A users-file problem or a refused user: a one-line message."""


def allows(role: str, needed: str) -> bool:
    """Whether a role may open what `needed` may (roles are ordered: public < viewer < analyst < admin)."""
    return RANK.get(role, -1) >= RANK[needed]


@dataclass(frozen=True)
class User:
    username: str
    name: str
    role: str
    email: str | None
    has_password: bool


def read(path: Path) -> dict:
    """The users file as a dict (an empty layout when the file does not exist)."""
    if not path.exists():
        return {"credentials": {"usernames": {}}, "cookie": {}}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise UsersError(f"cannot read the users file {path}: {str(exc).splitlines()[0]}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("credentials", {}).get("usernames", {}) or {}, dict):
        raise UsersError(f"{path} is not a users file (credentials.usernames missing)")
    data.setdefault("credentials", {})
    data["credentials"]["usernames"] = data["credentials"].get("usernames") or {}
    data["cookie"] = data.get("cookie") or {}
    return data


def write(path: Path, data: dict) -> None:
    """Write the users file atomically, readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".users-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(FILE_HEADER)
            yaml.safe_dump(data, f, sort_keys=True, allow_unicode=True)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def users(data: dict) -> list[User]:
    out = []
    for username, entry in sorted(data["credentials"]["usernames"].items()):
        entry = entry or {}
        out.append(User(str(username), str(entry.get("name") or username), role_of_entry(entry),
                        entry.get("email"), bool(entry.get("password"))))
    return out


def role_of_entry(entry: dict) -> str:
    """A user's role: the first known role listed (streamlit-authenticator keeps a list), else viewer."""
    roles = entry.get("roles") or []
    roles = [roles] if isinstance(roles, str) else roles
    return next((r for r in roles if r in ROLES), VIEWER)


def role_of(data: dict, username: str | None) -> str | None:
    """The role of a user named in the file, or None when there is no such user."""
    entry = data["credentials"]["usernames"].get((username or "").lower())
    return None if entry is None else role_of_entry(entry)


def user_for_email(data: dict, email: str | None) -> str | None:
    """The username whose e-mail address is `email` (case-insensitive), for identity-provider logins."""
    if not email:
        return None
    wanted = email.strip().lower()
    for username, entry in data["credentials"]["usernames"].items():
        if str((entry or {}).get("email") or "").strip().lower() == wanted:
            return username
    return None


def check_password(password: str) -> None:
    if password != password.strip():
        raise UsersError("the password starts or ends with a space (the login form strips them)")
    if len(password) < PASSWORD_MIN:
        raise UsersError(f"the password is shorter than {PASSWORD_MIN} characters")
    if len(password.encode("utf-8")) > PASSWORD_MAX_BYTES:
        raise UsersError(f"the password is longer than {PASSWORD_MAX_BYTES} bytes (bcrypt's limit)")


def hash_password(password: str) -> str:
    """A bcrypt hash, as streamlit-authenticator's Hasher makes and checks them."""
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt()).decode("ascii")


def add_user(
    path: Path, username: str, role: str, password: str | None = None, email: str | None = None,
    name: str | None = None, replace: bool = False,
) -> User:
    """Add (or with `replace`, update) a user. Without a password the user can log in only through the identity
    provider (matched by e-mail). The file is created, with a fresh cookie key, if it does not exist."""
    username = username.strip().lower()
    if not USERNAME.fullmatch(username):
        raise UsersError(f"{username!r} is not a user name: 1-64 of a-z, 0-9, '.', '_', '@', '-'")
    if role not in ROLES:
        raise UsersError(f"unknown role {role!r}: one of {', '.join(ROLES)}")
    if password is None and not email:
        raise UsersError("give a password, or an e-mail address for identity-provider logins")
    if password is not None:
        check_password(password)
    data = read(path)
    accounts = data["credentials"]["usernames"]
    if username in accounts and not replace:
        raise UsersError(f"user {username!r} exists already (add --replace to change it)")
    entry = {"name": name or username, "roles": [role]}
    if email:
        entry["email"] = email.strip()
    if password is not None:
        entry["password"] = hash_password(password)
    accounts[username] = entry
    cookie = data["cookie"]
    cookie.setdefault("name", COOKIE_NAME)
    cookie.setdefault("expiry_days", COOKIE_DAYS)
    if not cookie.get("key"):
        cookie["key"] = secrets.token_urlsafe(32)
    write(path, data)
    return users({"credentials": {"usernames": {username: entry}}})[0]


def remove_user(path: Path, username: str) -> None:
    data = read(path)
    if data["credentials"]["usernames"].pop(username.strip().lower(), None) is None:
        raise UsersError(f"there is no user {username!r} in {path}")
    write(path, data)


# --- login lockout ------------------------------------------------------------------------------------------
# streamlit-authenticator counts each user's failed logins ("failed_login_attempts" in the credentials it is given)
# and refuses a user who reached max_login_attempts, for good. This adds the time limit: a lock is lifted after
# `lock_seconds`, so a stranger typing wrong passwords cannot shut an administrator out for ever.

LOCKED_AT = "locked_at"
FAILED = "failed_login_attempts"


def release_expired_locks(accounts: dict, limit: int, lock_seconds: float, now: float) -> None:
    """Note when each user reached `limit` failed logins, and clear the count of those locked for `lock_seconds`."""
    for entry in accounts.values():
        if entry.get(FAILED, 0) < limit:
            entry.pop(LOCKED_AT, None)
            continue
        locked_at = entry.setdefault(LOCKED_AT, now)
        if now - locked_at >= lock_seconds:
            entry[FAILED] = 0
            entry.pop(LOCKED_AT)

