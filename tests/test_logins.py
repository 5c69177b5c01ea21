"""The login cookie (auth.valid_login_cookie) and the lockout kept in the store (logins.py), issue 15.

A malformed login cookie made streamlit-authenticator fail every page until it was deleted by hand; the lockout
after 5 wrong passwords was forgotten at a restart and at any change of the users file."""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from types import SimpleNamespace

import jwt
import pytest
import sqlalchemy as sa

from seizures import auth, logins, schema, store

KEY = secrets.token_urlsafe(48)  # 64 characters: no short-key warning for HS512
ACCOUNTS = {"ana": {"name": "ana", "password": "$2b$12$hash", "roles": ["analyst"]}}
NOW = time.time()


def signed(claims: dict, key: str = KEY, algorithm: str = "HS256", **header) -> str:
    return jwt.encode(claims, key, algorithm=algorithm, headers=header or None)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hand_made(header: dict | str, claims: dict | str, key: str | None = KEY) -> str:
    """A token built by hand (PyJWT refuses to write some of these), signed with HS256 when a key is given."""
    import hashlib
    import hmac

    part = lambda v: b64(v.encode() if isinstance(v, str) else json.dumps(v).encode())  # noqa: E731
    body = f"{part(header)}.{part(claims)}"
    signature = b64(hmac.new(key.encode(), body.encode(), hashlib.sha256).digest()) if key else ""
    return f"{body}.{signature}"


VALID = signed({"username": "ana", "exp_date": NOW + 3600})
FORGED = {
    "alg none": hand_made({"alg": "none", "typ": "JWT"}, {"username": "ana", "exp_date": NOW + 3600}, None),
    "alg none, signed": hand_made({"alg": "none"}, {"username": "ana", "exp_date": NOW + 3600}),
    "HS512 with the key": signed({"username": "ana", "exp_date": NOW + 3600}, algorithm="HS512"),
    "wrong key": signed({"username": "ana", "exp_date": NOW + 3600}, key=secrets.token_urlsafe(32)),
    "missing exp_date": signed({"username": "ana"}),
    "exp_date as a string": signed({"username": "ana", "exp_date": str(NOW + 3600)}),
    "exp_date true": signed({"username": "ana", "exp_date": True}),
    "exp_date infinite": hand_made({"alg": "HS256", "typ": "JWT"}, '{"username": "ana", "exp_date": Infinity}'),
    "exp_date NaN": hand_made({"alg": "HS256", "typ": "JWT"}, '{"username": "ana", "exp_date": NaN}'),
    "expired": signed({"username": "ana", "exp_date": NOW - 1}),
    "expired by its exp claim": signed({"username": "ana", "exp_date": NOW + 3600, "exp": int(NOW) - 60}),
    "unknown user": signed({"username": "zed", "exp_date": NOW + 3600}),
    "username a list": signed({"username": ["ana"], "exp_date": NOW + 3600}),
    "no username": signed({"exp_date": NOW + 3600}),
    "payload not an object": hand_made({"alg": "HS256", "typ": "JWT"}, "[1, 2]"),
    "header nested deep": hand_made('{"alg": "HS256", "x": ' + "[" * 5000 + "]" * 5000 + "}",
                                    {"username": "ana", "exp_date": NOW + 3600}),
    "garbage": "not a cookie at all",
    "three dots": "a.b.c",
    "bad base64": "!!!.???.***",
    "empty": "",
    "huge": signed({"username": "ana", "exp_date": NOW + 3600, "pad": "x" * 5000}),
    "not text": None,
}


def test_a_signed_cookie_of_a_user_is_valid():
    assert auth.valid_login_cookie(VALID, KEY, ACCOUNTS)


@pytest.mark.parametrize("name", FORGED)
def test_a_forged_or_broken_cookie_is_not(name):
    assert not auth.valid_login_cookie(FORGED[name], KEY, ACCOUNTS)


def test_the_boundaries_of_expiry_and_key():
    token = signed({"username": "ana", "exp_date": 2_000_000_000})
    assert auth.valid_login_cookie(token, KEY, ACCOUNTS, now=1_999_999_999.9)
    assert not auth.valid_login_cookie(token, KEY, ACCOUNTS, now=2_000_000_000)  # the authenticator wants exp_date > now
    assert not auth.valid_login_cookie(token, "", ACCOUNTS) and not auth.valid_login_cookie(token, None, ACCOUNTS)
    assert not auth.valid_login_cookie(token, KEY, {})  # the user has been removed


def authenticator_accepts(token, key: str, accounts: dict) -> bool:
    """What streamlit-authenticator 0.4.2 does with a cookie (CookieModel.get_cookie, then the login by token): True
    when it logs in, False when it shows the form; an exception is what fails every page."""
    from streamlit_authenticator.models.cookie_model import CookieModel
    from streamlit_authenticator.utilities import LoginError

    decoded = CookieModel._token_decode(SimpleNamespace(token=token, cookie_key=key))
    if decoded is not False and "username" in decoded and decoded["exp_date"] > time.time():
        if decoded["username"] not in accounts:
            raise LoginError("User not authorized")
        return True
    return False


# Cookies the authenticator would take that the check refuses: one that never expires, one larger than a browser keeps.
STRICTER = {"exp_date infinite", "huge"}


@pytest.mark.parametrize("name", ["valid", *FORGED])
def test_what_is_valid_is_what_the_authenticator_takes_without_failing(name):
    token = VALID if name == "valid" else FORGED[name]
    if not isinstance(token, str) or not token:
        return  # the authenticator never decodes a missing cookie
    try:
        accepted, failed = authenticator_accepts(token, KEY, ACCOUNTS), None
    except Exception as exc:  # noqa: BLE001
        accepted, failed = False, exc
    if auth.valid_login_cookie(token, KEY, ACCOUNTS):
        assert accepted and failed is None
    elif name in STRICTER:
        assert accepted  # the authenticator would log in with it; the check refuses it on purpose
    else:
        assert not accepted  # it fails (then the cookie must be deleted first) or shows the login form


def test_issue_15s_cookies_fail_the_authenticator():
    """The two cookies of the issue do break streamlit-authenticator: why the check comes first."""
    with pytest.raises(jwt.InvalidAlgorithmError):
        authenticator_accepts(FORGED["alg none, signed"], KEY, ACCOUNTS)
    with pytest.raises(KeyError):
        authenticator_accepts(FORGED["missing exp_date"], KEY, ACCOUNTS)


# --- the lockout in the store -------------------------------------------------------------------------------

LIMIT, LOCK = 5, 900.0


def test_locked_exactly_at_the_limit_and_free_exactly_at_expiry(any_engine):
    for i in range(LIMIT - 1):
        logins.record_failure(any_engine, "ana", LOCK, now=1000 + i)
    assert logins.seconds_locked(any_engine, "ana", LIMIT, LOCK, now=1004) == 0.0
    assert logins.record_failure(any_engine, "ana", LOCK, now=1004) == LIMIT
    assert logins.seconds_locked(any_engine, "ana", LIMIT, LOCK, now=1004) == LOCK
    assert logins.seconds_locked(any_engine, "ana", LIMIT, LOCK, now=1004 + LOCK - 0.5) == 0.5
    assert logins.seconds_locked(any_engine, "ana", LIMIT, LOCK, now=1004 + LOCK) == 0.0
    assert logins.locked_users(any_engine, LIMIT, LOCK, now=1100) == {"ana": 804.0}
    assert logins.locked_users(any_engine, LIMIT, LOCK, now=1004 + LOCK) == {}
    # after the lock a failure starts a new count
    assert logins.record_failure(any_engine, "ana", LOCK, now=1004 + LOCK) == 1
    assert logins.seconds_locked(any_engine, "ana", LIMIT, LOCK, now=1004 + LOCK) == 0.0


def test_failures_long_apart_do_not_add_up(any_engine):
    for i in range(LIMIT):
        assert logins.record_failure(any_engine, "ana", LOCK, now=1000 + i * LOCK) == 1
    assert logins.seconds_locked(any_engine, "ana", LIMIT, LOCK, now=1000 + (LIMIT - 1) * LOCK) == 0.0


def test_a_success_clears_the_count_and_other_names_are_apart(any_engine):
    for i in range(LIMIT):
        logins.record_failure(any_engine, "ana", LOCK, now=1000 + i)
        logins.record_failure(any_engine, "bob", LOCK, now=1000 + i)
    logins.clear(any_engine, "bob")
    assert logins.seconds_locked(any_engine, "bob", LIMIT, LOCK, now=1010) == 0.0
    assert logins.seconds_locked(any_engine, "ana", LIMIT, LOCK, now=1010) > 0
    assert logins.record_failure(any_engine, "bob", LOCK, now=1011) == 1


def test_the_lock_survives_a_restart_and_a_change_of_the_users_file(any_url, tmp_path, monkeypatch):
    users = tmp_path / "users.yaml"
    auth.add_user(users, "ana", "analyst", password="analyst pass 1")
    engine = store.make_engine(any_url)
    now = time.time()
    for i in range(LIMIT):
        logins.record_failure(engine, "ana", LOCK, now=now)
    engine.dispose()  # the server stops
    auth.add_user(users, "zed", "viewer", password="viewer pass 1")  # `seizures users add zed`
    restarted = store.make_engine(any_url)
    assert logins.seconds_locked(restarted, "ana", LIMIT, LOCK) > LOCK - 60
    restarted.dispose()


def test_a_name_longer_than_the_column_is_refused(any_engine):
    with pytest.raises(ValueError):
        logins.record_failure(any_engine, "x" * 256, LOCK)


def test_concurrent_failures_are_all_counted(any_url):
    """Threads of one server and (PostgreSQL) several servers, each with its own engine, failing at once."""
    servers = [store.make_engine(any_url) for _ in range(3 if any_url.startswith("postgresql") else 1)]
    threads_per_server, failures_each = 4, 10
    start = threading.Barrier(len(servers) * threads_per_server)
    errors = []

    def fail(engine):
        start.wait()
        try:
            for _ in range(failures_each):
                logins.record_failure(engine, "ana", LOCK)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=fail, args=(engine,)) for engine in servers for _ in range(threads_per_server)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with servers[0].connect() as conn:
        counted = conn.execute(sa.select(schema.login_failures.c.failures)).scalar_one()
    assert counted == len(servers) * threads_per_server * failures_each
    for engine in servers:
        engine.dispose()


def test_a_revoked_cookie_stays_revoked_until_it_expires_and_others_are_apart(any_engine):
    expires = NOW + 3600.25
    assert not logins.revoked(any_engine, "ana", expires)
    logins.revoke(any_engine, "ana", expires, now=NOW)
    logins.revoke(any_engine, "ana", expires, now=NOW)  # a second "Log out" of the same cookie
    assert logins.revoked(any_engine, "ana", expires)
    assert not logins.revoked(any_engine, "ana", expires + 1)  # the same user's cookie of another login
    assert not logins.revoked(any_engine, "bob", expires)
    logins.revoke(any_engine, "bob", NOW + 7200, now=expires)  # later: ana's cookie has expired and is forgotten
    with any_engine.connect() as conn:
        assert conn.execute(sa.select(schema.login_revocations.c.username)).scalars().all() == ["bob"]
