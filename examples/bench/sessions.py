"""The two-instance session check: log in on A, be recognised on B, slide, log out, gone.

Talks HTTP to two running session_store instances (AppServer) and looks at the cache directly
to check what the apps claim: the cookie holds only a signed id, the TTL slides, logout deletes.
"""

from __future__ import annotations

import time
from typing import Any

from itsdangerous import BadSignature, Signer

from examples.session_store.app import COOKIE, KEY_PREFIX


def check_sessions(url_a: str, url_b: str, cache: Any, secret_keys: list[str],
                   ttl_seconds: int, slide_wait: float = 0.3) -> dict[str, Any]:
    """Each named check true or false, plus `shared` (all true). cache: a sync redis client."""
    import httpx

    signer = Signer(secret_keys, salt="managed-cache-session-id")
    checks: dict[str, bool] = {}
    with httpx.Client(timeout=10) as http:
        login = http.post(f"{url_a}/login", json={"user": "bench-user"})
        cookie = login.cookies.get(COOKIE) or ""
        checks["login_on_a"] = login.status_code == 200 and bool(cookie)
        try:
            session_id = signer.unsign(cookie).decode()
        except BadSignature:
            session_id = ""
        key = KEY_PREFIX + session_id
        checks["cookie_holds_only_signed_id"] = (
            bool(session_id) and "bench-user" not in cookie and cache.exists(key) == 1)

        on_b = http.get(f"{url_b}/me", cookies={COOKIE: cookie})
        body = on_b.json() if on_b.status_code == 200 else {}
        checks["recognised_on_b"] = (body.get("user") == "bench-user"
                                     and body.get("created_on") != body.get("served_by"))

        # In milliseconds (PTTL), so a fraction of a second shows the idle time running down.
        time.sleep(slide_wait)
        full_ms = ttl_seconds * 1000
        before = int(cache.pttl(key))
        http.get(f"{url_a}/me", cookies={COOKIE: cookie})
        after = int(cache.pttl(key))
        # Ran down while idle, then back to the full TTL (GETEX EX whole seconds, so within 1 s).
        checks["ttl_slides"] = (before <= full_ms - slide_wait * 1000 < after
                                and after >= full_ms - 1000)

        forged = cookie[:-2] + ("AA" if not cookie.endswith("AA") else "BB")
        checks["forged_cookie_rejected"] = (
            http.get(f"{url_b}/me", cookies={COOKIE: forged}).status_code == 401)

        logout = http.post(f"{url_b}/logout", cookies={COOKIE: cookie})
        checks["logout_on_b"] = logout.status_code == 200 and cache.exists(key) == 0
        checks["gone_on_a"] = http.get(f"{url_a}/me", cookies={COOKIE: cookie}).status_code == 401
    return {"shared": all(checks.values()), "checks": checks}
