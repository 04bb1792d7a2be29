"""python -m examples.session_store [--host 127.0.0.1] [--port 8001]: serve the session app.

Environment: the cache as for examples.connect.from_env (CACHE_SECRET_FILE, CACHE_OUTPUTS_FILE
+ CACHE_NAME, or CACHE_URL); SESSION_SECRET_FILE (signing keys, one a line, oldest first; every
instance needs the same file); SESSION_TTL_SECONDS (1800); SESSION_COOKIE_SECURE (true; false
only for plain-HTTP on loopback); SESSION_INSTANCE (a name shown in responses).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m examples.session_store")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    args = parser.parse_args()

    import uvicorn

    from examples import connect
    from examples.session_store.app import create_app

    secret_file = os.environ.get("SESSION_SECRET_FILE")
    if not secret_file:
        raise SystemExit("set SESSION_SECRET_FILE: signing keys (>= 32 characters), one a line")
    keys = [line.strip() for line in Path(secret_file).read_text().splitlines() if line.strip()]
    settings = connect.from_env()
    app = create_app(
        settings.async_client,
        secret_keys=keys,
        ttl_seconds=int(os.environ.get("SESSION_TTL_SECONDS", "1800")),
        cookie_secure=os.environ.get("SESSION_COOKIE_SECURE", "true").lower() != "false",
        instance=os.environ.get("SESSION_INSTANCE", f"{args.host}:{args.port}"),
    )
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
