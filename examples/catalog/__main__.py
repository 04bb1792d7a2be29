"""python -m examples.catalog [--host 127.0.0.1] [--port 8080]: serve the product API."""

from __future__ import annotations

import argparse


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m examples.catalog")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    args = parser.parse_args()

    import uvicorn

    from examples.catalog.app import create_app
    from examples.catalog.service import open_catalog_from_env

    uvicorn.run(create_app(open_catalog_from_env), host=args.host, port=args.port,
                log_level="warning")


if __name__ == "__main__":
    main()
