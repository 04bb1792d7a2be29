"""The catalog: products from PostgreSQL, cache-aside in Valkey/Redis.

- `get`: the cache first; on a miss the database, then a fill with TTL + jitter (cache.py).
- `update`: the database first (committed), then the cache key is deleted. Never the other
  way round: deleting first lets a reader refill the old row before the commit.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator
from typing import Any

from examples.catalog.cache import CacheAside
from examples.catalog.store import ProductStore

DEFAULT_TTL_SECONDS = 300.0


class Catalog:
    def __init__(self, store: ProductStore, cache: CacheAside | None = None):
        self.store = store
        self.cache = cache

    async def get(self, product_id: int) -> dict[str, Any] | None:
        if self.cache is None:
            return await self.store.fetch(product_id)
        return await self.cache.get(str(product_id), lambda: self.store.fetch(product_id))

    async def update(self, product_id: int, changes: dict[str, Any]) -> dict[str, Any] | None:
        product = await self.store.update(product_id, changes)     # committed on return
        if product is not None and self.cache is not None:
            await self.cache.invalidate(str(product_id))
        return product

    def stats(self) -> dict[str, Any]:
        return {"db_reads": self.store.reads, "db_writes": self.store.writes,
                "cache": self.cache.stats.as_dict() if self.cache else None}


@contextlib.asynccontextmanager
async def open_catalog(database_url: str, cache_client: Any | None, *, pool_size: int = 8,
                       ttl_seconds: float = DEFAULT_TTL_SECONDS,
                       jitter: float = 0.1) -> AsyncIterator[Catalog]:
    """A Catalog over a psycopg pool (and a redis.asyncio client, or None for no cache)."""
    from psycopg_pool import AsyncConnectionPool

    pool = AsyncConnectionPool(database_url, min_size=pool_size, max_size=pool_size,
                               kwargs={"autocommit": True}, open=False)
    await pool.open(wait=True, timeout=30)
    cache = None
    if cache_client is not None:
        cache = CacheAside(cache_client, namespace="catalog:product",
                           ttl_seconds=ttl_seconds, jitter=jitter)
    try:
        yield Catalog(ProductStore(pool), cache)
    finally:
        await pool.close()
        if cache is not None:
            await cache.drain()
            await cache.redis.aclose()


def open_catalog_from_env() -> contextlib.AbstractAsyncContextManager[Catalog]:
    """DATABASE_URL for PostgreSQL; the cache from examples.connect.from_env(), or none with
    CATALOG_CACHE=off; CATALOG_TTL_SECONDS, CATALOG_DB_POOL_SIZE."""
    from examples import connect

    database_url = os.environ.get("DATABASE_URL")
    if not database_url:
        raise SystemExit("set DATABASE_URL, e.g. postgresql://user:pw@127.0.0.1:5432/catalog")
    cache_client = None
    if os.environ.get("CATALOG_CACHE", "on").lower() not in ("off", "0", "false", "no"):
        cache_client = connect.from_env().async_client(decode_responses=False)
    return open_catalog(database_url, cache_client,
                        pool_size=int(os.environ.get("CATALOG_DB_POOL_SIZE", "8")),
                        ttl_seconds=float(os.environ.get("CATALOG_TTL_SECONDS",
                                                         DEFAULT_TTL_SECONDS)))
