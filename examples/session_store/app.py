"""Server-side sessions in Valkey/Redis, so any instance behind a load balancer serves any user.

- The cookie holds only the session id, signed (itsdangerous): no user data leaves the server,
  and a forged or altered id is rejected before the cache is asked.
- Sliding TTL: every authenticated request resets the idle timeout with one `GETEX ... EX`
  (read and refresh in one atomic command); an absolute lifetime caps a session kept alive.
- Login issues a fresh id (and deletes a previous session), so an id planted before login
  is useless (session fixation); logout deletes the session in the cache, so the cookie is
  worthless from then on, on every instance.

Endpoints: POST /login {"user": ...}, GET /me, POST /logout, GET /healthz.
The login accepts any user name: a real app checks a password or an identity provider first.
"""

from __future__ import annotations

import contextlib
import json
import secrets
import time
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

from itsdangerous import BadSignature, Signer
from redis.exceptions import RedisError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

COOKIE = "sid"
KEY_PREFIX = "session:"


class SessionStore:
    """Sessions as JSON strings under `session:<id>`, each with a sliding TTL."""

    def __init__(self, redis: Any, *, ttl_seconds: int = 1800,
                 max_lifetime_seconds: int = 12 * 3600):
        self.redis = redis
        self.ttl_seconds = ttl_seconds
        self.max_lifetime_seconds = max_lifetime_seconds

    async def create(self, data: dict[str, Any]) -> str:
        session_id = secrets.token_urlsafe(32)      # 256 bits: not guessable, not enumerable
        record = json.dumps({**data, "created": time.time()})
        # NX: never overwrite an existing session, however unlikely a collision. The client
        # retries a command whose reply was lost: a key already holding our own record is that
        # retry finding its first attempt's write, not a collision.
        if not await self.redis.set(KEY_PREFIX + session_id, record, ex=self.ttl_seconds,
                                    nx=True) \
                and await self.redis.get(KEY_PREFIX + session_id) not in (record,
                                                                          record.encode()):
            raise RuntimeError("session id collision")
        return session_id

    async def touch(self, session_id: str) -> dict[str, Any] | None:
        """The session's data, its idle timeout reset; None if absent, expired or too old."""
        raw = await self.redis.getex(KEY_PREFIX + session_id, ex=self.ttl_seconds)
        if raw is None:
            return None
        record: dict[str, Any] = json.loads(raw)
        if time.time() - record.get("created", 0) > self.max_lifetime_seconds:
            await self.delete(session_id)
            return None
        return record

    async def delete(self, session_id: str) -> None:
        await self.redis.delete(KEY_PREFIX + session_id)


def create_app(open_redis: Callable[[], Any], *, secret_keys: Sequence[str],
               ttl_seconds: int = 1800, cookie_secure: bool = True,
               instance: str = "app") -> Starlette:
    """open_redis: returns a redis.asyncio client (called once, at startup).
    secret_keys: cookie signing keys, oldest first; the last one signs (rotation)."""
    if not secret_keys or any(len(k) < 32 for k in secret_keys):
        raise ValueError("session signing keys must be at least 32 characters")
    signer = Signer(list(secret_keys), salt="managed-cache-session-id")

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        client = open_redis()
        app.state.sessions = SessionStore(client, ttl_seconds=ttl_seconds)
        try:
            yield
        finally:
            await client.aclose()

    def session_id(request: Request) -> str | None:
        cookie = request.cookies.get(COOKIE)
        if not cookie:
            return None
        try:
            return signer.unsign(cookie).decode()
        except BadSignature:
            return None

    async def login(request: Request) -> JSONResponse:
        sessions: SessionStore = request.app.state.sessions
        try:
            body = await request.json()
        except ValueError:
            body = None
        user = body.get("user") if isinstance(body, dict) else None
        if not isinstance(user, str) or not user.strip():
            return JSONResponse({"error": 'body: {"user": "<name>"}'}, status_code=422)
        previous = session_id(request)
        if previous:
            await sessions.delete(previous)
        new_id = await sessions.create({"user": user.strip(), "created_on": instance})
        response = JSONResponse({"user": user.strip(), "served_by": instance})
        response.set_cookie(COOKIE, signer.sign(new_id).decode(), httponly=True,
                            secure=cookie_secure, samesite="lax")
        return response

    async def me(request: Request) -> JSONResponse:
        sessions: SessionStore = request.app.state.sessions
        sid = session_id(request)
        record = await sessions.touch(sid) if sid else None
        if record is None:
            return JSONResponse({"error": "not logged in"}, status_code=401)
        return JSONResponse({"user": record["user"], "created_on": record.get("created_on"),
                             "served_by": instance, "expires_in": sessions.ttl_seconds})

    async def logout(request: Request) -> JSONResponse:
        sessions: SessionStore = request.app.state.sessions
        sid = session_id(request)
        if sid:
            await sessions.delete(sid)
        response = JSONResponse({"logged_out": True, "served_by": instance})
        response.delete_cookie(COOKIE, httponly=True, secure=cookie_secure, samesite="lax")
        return response

    async def healthz(request: Request) -> JSONResponse:
        await request.app.state.sessions.redis.ping()
        return JSONResponse({"ok": True, "instance": instance})

    async def store_unavailable(request: Request, error: Exception) -> JSONResponse:
        # The cache is down or refusing: not a server bug (500), a dependency out (503), which
        # also takes /healthz out of a load balancer's rotation.
        return JSONResponse({"error": f"session store unavailable ({type(error).__name__})",
                             "instance": instance}, status_code=503)

    return Starlette(
        exception_handlers={RedisError: store_unavailable},
        routes=[
            Route("/login", login, methods=["POST"]),
            Route("/me", me, methods=["GET"]),
            Route("/logout", logout, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
        ],
        lifespan=lifespan,
    )
