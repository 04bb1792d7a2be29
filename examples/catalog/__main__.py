"""python -m examples.catalog [--host 127.0.0.1] [--port 8080] [--load N]: serve the product API.

Environment: DATABASE_URL (PostgreSQL); the cache as for examples.connect.from_env
(CACHE_SECRET_FILE, CACHE_OUTPUTS_FILE + CACHE_NAME, or CACHE_URL), or CATALOG_CACHE=off;
CATALOG_TTL_SECONDS (300), CATALOG_DB_POOL_SIZE (8).
--load N first creates the tables (if missing) and replaces their rows with N sample products.
"""

from __future__ import annotations

import argparse
import asyncio
import os


async def _load(database_url: str, count: int) -> None:
    from psycopg import AsyncConnection

    from examples.catalog.store import create_schema, load_products

    async with await AsyncConnection.connect(database_url, autocommit=True) as conn:
        await create_schema(conn)
        await load_products(conn, count)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m examples.catalog")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--load", type=int, metavar="N",
                        help="create the tables and load N sample products first")
    args = parser.parse_args()

    import uvicorn

    from examples.catalog.app import create_app
    from examples.catalog.service import open_catalog_from_env

    if args.load:
        database_url = os.environ.get("DATABASE_URL")
        if not database_url:
            raise SystemExit("set DATABASE_URL, e.g. postgresql://user:pw@127.0.0.1:5432/catalog")
        asyncio.run(_load(database_url, args.load))
        print(f"loaded {args.load} products")
    print(f"catalog on http://{args.host}:{args.port}/products/1")
    uvicorn.run(create_app(open_catalog_from_env), host=args.host, port=args.port,
                log_level="warning")


if __name__ == "__main__":
    main()
