"""The session store: two app instances over one cache share sessions; the cookie holds only a
signed id; the TTL slides; logout deletes. fakeredis stands in for the cache."""

from __future__ import annotations

import json
import warnings

import pytest
from itsdangerous import Signer

with warnings.catch_warnings():
    # Starlette 1.x asks for `httpx2` in its TestClient; httpx, which the examples use, works.
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from examples.session_store.app import COOKIE, KEY_PREFIX, create_app

KEYS = ["k" * 40]
TTL = 600


@pytest.fixture
def cache(fake_server):
    import fakeredis

    return fakeredis.FakeRedis(server=fake_server, decode_responses=True)


@pytest.fixture
def instances(fake_server):
    """Two apps ('a', 'b') over the same cache, as behind a load balancer."""
    import fakeredis

    def app(name, keys=KEYS):
        return create_app(lambda: fakeredis.FakeAsyncRedis(server=fake_server),
                          secret_keys=keys, ttl_seconds=TTL, cookie_secure=False,
                          instance=name)

    with TestClient(app("a")) as a, TestClient(app("b")) as b:
        yield a, b, app


def login(client, user="alice"):
    response = client.post("/login", json={"user": user})
    assert response.status_code == 200
    return response.cookies[COOKIE]


def session_id(cookie, keys=KEYS):
    return Signer(keys, salt="managed-cache-session-id").unsign(cookie).decode()


def test_a_session_made_on_one_instance_is_recognised_on_the_other(instances):
    a, b, _ = instances
    cookie = login(a)
    me = b.get("/me", cookies={COOKIE: cookie})
    assert me.status_code == 200
    assert me.json() == {"user": "alice", "created_on": "a", "served_by": "b",
                         "expires_in": TTL}


def test_the_cookie_holds_only_a_signed_random_id(instances, cache):
    a, _, _ = instances
    cookie = login(a, user="alice@example.com")
    sid = session_id(cookie)
    assert len(sid) >= 43 and "alice" not in cookie
    assert json.loads(cache.get(KEY_PREFIX + sid))["user"] == "alice@example.com"
    assert 0 < cache.ttl(KEY_PREFIX + sid) <= TTL


def test_the_cookie_is_http_only_and_same_site(instances):
    a, _, _ = instances
    header = a.post("/login", json={"user": "alice"}).headers["set-cookie"].lower()
    assert "httponly" in header and "samesite=lax" in header


def test_each_request_slides_the_ttl(instances, cache):
    a, b, _ = instances
    cookie = login(a)
    key = KEY_PREFIX + session_id(cookie)
    cache.expire(key, 5)                      # as if the user had been idle a long while
    assert b.get("/me", cookies={COOKIE: cookie}).status_code == 200
    assert cache.ttl(key) > TTL - 5


def test_an_expired_session_is_gone(instances, cache):
    a, b, _ = instances
    cookie = login(a)
    cache.delete(KEY_PREFIX + session_id(cookie))        # what the TTL does
    assert b.get("/me", cookies={COOKIE: cookie}).status_code == 401


def test_logout_on_one_instance_ends_the_session_everywhere(instances, cache):
    a, b, _ = instances
    cookie = login(a)
    key = KEY_PREFIX + session_id(cookie)
    response = b.post("/logout", cookies={COOKIE: cookie})
    assert response.status_code == 200 and cache.exists(key) == 0
    assert f"{COOKIE}=" in response.headers["set-cookie"]      # the browser drops it too
    assert a.get("/me", cookies={COOKIE: cookie}).status_code == 401


def test_forged_or_foreign_cookies_are_rejected(instances, cache):
    a, b, _ = instances
    cookie = login(a)
    sid = session_id(cookie)
    assert b.get("/me", cookies={COOKIE: sid}).status_code == 401         # unsigned
    forged = Signer(["x" * 40], salt="managed-cache-session-id").sign(sid).decode()
    assert b.get("/me", cookies={COOKIE: forged}).status_code == 401      # wrong key
    # Change the signature's first character: it carries six bits of the signature (its last
    # one may carry only padding bits, which base64 decoding ignores).
    at = cookie.rindex(".") + 1
    tampered = cookie[:at] + ("B" if cookie[at] == "A" else "A") + cookie[at + 1:]
    assert b.get("/me", cookies={COOKIE: tampered}).status_code == 401


def test_login_replaces_a_previous_session(instances, cache):
    a, _, _ = instances
    first = login(a)
    second = a.post("/login", json={"user": "alice"}, cookies={COOKIE: first})
    assert cache.exists(KEY_PREFIX + session_id(first)) == 0
    assert session_id(second.cookies[COOKIE]) != session_id(first)


def test_a_rotated_key_still_accepts_cookies_signed_with_the_old_one(instances):
    a, _, make_app = instances
    cookie = login(a)
    with TestClient(make_app("c", keys=[KEYS[0], "n" * 40])) as rotated:
        assert rotated.get("/me", cookies={COOKIE: cookie}).status_code == 200
        new_cookie = login(rotated)
    assert a.get("/me", cookies={COOKIE: new_cookie}).status_code == 401   # signed with new key


def test_a_session_past_its_absolute_lifetime_ends(instances, cache):
    a, b, _ = instances
    cookie = login(a)
    key = KEY_PREFIX + session_id(cookie)
    record = json.loads(cache.get(key))
    record["created"] -= 13 * 3600
    cache.set(key, json.dumps(record), ex=TTL)
    assert b.get("/me", cookies={COOKIE: cookie}).status_code == 401
    assert cache.exists(key) == 0


def test_login_needs_a_user_name(instances):
    a, _, _ = instances
    assert a.post("/login", json={"name": "alice"}).status_code == 422
    assert a.post("/login", content=b"not json").status_code == 422


def test_short_signing_keys_are_refused():
    with pytest.raises(ValueError, match="at least 32 characters"):
        create_app(lambda: None, secret_keys=["short"])


def cookie_flags(header):
    return {part.strip().split("=")[0].lower() for part in header.split(";")[1:]}


def test_the_cookie_is_secure_by_default_and_only_an_explicit_false_drops_it(fake_server):
    import fakeredis

    def flags(**options):
        app = create_app(lambda: fakeredis.FakeAsyncRedis(server=fake_server),
                         secret_keys=KEYS, **options)
        with TestClient(app) as client:
            issued = client.post("/login", json={"user": "alice"})
            dropped = client.post("/logout", cookies={COOKIE: issued.cookies[COOKIE]})
            return (cookie_flags(issued.headers["set-cookie"]),
                    cookie_flags(dropped.headers["set-cookie"]))

    login_flags, logout_flags = flags()                       # the default: Secure
    assert "secure" in login_flags and "secure" in logout_flags
    assert {"httponly", "samesite"} <= login_flags
    assert all("secure" in f for f in flags(cookie_secure=True))
    assert not any("secure" in f for f in flags(cookie_secure=False))


@pytest.mark.parametrize(("value", "secure"), [
    (None, True), ("true", True), ("", True), ("0", True), ("no", True), ("off", True),
    ("false", False), ("FALSE", False), (" False ", False),
])
def test_the_server_keeps_the_cookie_secure_unless_told_false(monkeypatch, tmp_path, value,
                                                               secure):
    import sys

    import uvicorn

    import examples.session_store.app as app_module
    from examples.session_store import __main__ as server

    keys = tmp_path / "keys"
    keys.write_text(KEYS[0] + "\n")
    monkeypatch.setenv("SESSION_SECRET_FILE", str(keys))
    monkeypatch.setenv("CACHE_URL", "redis://127.0.0.1:6379")
    for name in ("CACHE_SECRET_FILE", "CACHE_OUTPUTS_FILE", "SESSION_COOKIE_SECURE"):
        monkeypatch.delenv(name, raising=False)
    if value is not None:
        monkeypatch.setenv("SESSION_COOKIE_SECURE", value)
    made = {}
    monkeypatch.setattr(app_module, "create_app", lambda *a, **kw: made.update(kw) or "app")
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: made.update(served=app))
    monkeypatch.setattr(sys, "argv", ["session_store", "--port", "8123"])
    server.main()
    assert (made["served"], made["cookie_secure"]) == ("app", secure)


def test_a_malformed_cache_url_stops_the_server_without_showing_the_password(monkeypatch,
                                                                             tmp_path):
    import sys

    from examples.session_store import __main__ as server

    keys = tmp_path / "keys"
    keys.write_text(KEYS[0] + "\n")
    monkeypatch.setenv("SESSION_SECRET_FILE", str(keys))
    monkeypatch.setenv("CACHE_URL", "rediss://app:Tok3n#Secret@cache.example.com:6379")
    for name in ("CACHE_SECRET_FILE", "CACHE_OUTPUTS_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(sys, "argv", ["session_store"])
    with pytest.raises(SystemExit) as stopped:
        server.main()
    assert "percent-encode" in str(stopped.value.code)
    assert "Tok3n" not in str(stopped.value.code) and "Secret" not in str(stopped.value.code)


def test_a_cache_outage_is_a_503_not_a_server_error(fake_server):
    import fakeredis

    app = create_app(lambda: fakeredis.FakeAsyncRedis(server=fake_server), secret_keys=KEYS,
                     cookie_secure=False, instance="a")
    with TestClient(app) as client:
        cookie = login(client)
        fake_server.connected = False                  # the cache stops answering
        for response in (client.get("/healthz"), client.post("/login", json={"user": "bob"}),
                         client.get("/me", cookies={COOKIE: cookie})):
            assert response.status_code == 503
            assert response.json() == {"error": "session store unavailable (ConnectionError)",
                                       "instance": "a"}
        fake_server.connected = True
        assert client.get("/healthz").status_code == 200


def test_a_retried_create_that_finds_its_own_write_is_not_a_collision(cache):
    # The client retries SET NX when its reply is lost; the retry then finds the key it wrote.
    import asyncio

    from examples.session_store.app import SessionStore

    class LostReply:
        """SET writes, then answers as the retry would: NX refused."""
        def __init__(self, other: str | None = None):
            self.other = other                         # what an actual collision would hold

        async def set(self, key, value, ex, nx):
            cache.set(key, self.other or value, ex=ex)
            return None

        async def get(self, key):
            return cache.get(key)

    session = asyncio.run(SessionStore(LostReply()).create({"user": "alice"}))
    assert json.loads(cache.get(KEY_PREFIX + session))["user"] == "alice"
    with pytest.raises(RuntimeError, match="session id collision"):
        asyncio.run(SessionStore(LostReply(other='{"user": "mallory"}')).create({"user": "a"}))
