"""python -m examples.session_store [--host 127.0.0.1] [--port 8001]: serve the session app.

Environment: the cache as for examples.connect.from_env (CACHE_SECRET_FILE, CACHE_OUTPUTS_FILE
+ CACHE_NAME, or CACHE_URL); SESSION_SECRET_FILE (signing keys, one a line, oldest first; every
instance needs the same file); SESSION_TTL_SECONDS (1800); SESSION_COOKIE_SECURE (true; only
`false` turns the cookie's Secure flag off, for plain-HTTP on loopback); SESSION_INSTANCE (a name
shown in responses).
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping
from pathlib import Path


def cookie_secure(environ: Mapping[str, str]) -> bool:
    """The cookie's Secure flag: on unless SESSION_COOKIE_SECURE is exactly `false` (any case);
    an unset, empty or unrecognised value keeps it on."""
    return environ.get("SESSION_COOKIE_SECURE", "true").strip().lower() != "false"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m examples.session_store")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    args = parser.parse_args(argv)

    import uvicorn

    from examples import connect
    from examples.session_store.app import create_app

    secret_file = os.environ.get("SESSION_SECRET_FILE")
    if not secret_file:
        raise SystemExit("set SESSION_SECRET_FILE: signing keys (>= 32 characters), one a line")
    keys = [line.strip() for line in Path(secret_file).read_text().splitlines() if line.strip()]
    try:
        settings = connect.from_env()
    except connect.ConnectError as error:
        # One line, never a traceback (whose text could hold part of a malformed CACHE_URL).
        raise SystemExit(f"error: {error}") from None
    app = create_app(
        settings.async_client,
        secret_keys=keys,
        ttl_seconds=int(os.environ.get("SESSION_TTL_SECONDS", "1800")),
        cookie_secure=cookie_secure(os.environ),
        instance=os.environ.get("SESSION_INSTANCE", f"{args.host}:{args.port}"),
    )
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
