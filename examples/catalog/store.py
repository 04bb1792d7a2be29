"""The catalog's source of truth in PostgreSQL, through psycopg 3: `products` and `reviews`.

A read is a product page: the product row, its review count and average rating, and its five
latest reviews, in one query. That composite read is what a cache is for; a bare primary-key
lookup on a local database costs about as much as the cache round trip that would replace it.

The pool runs in autocommit, so a read is one round trip and an UPDATE is committed when
`update()` returns: the cache is invalidated only after that (see service.py).
"""

from __future__ import annotations

import random
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS products (
    id          integer PRIMARY KEY,
    sku         text NOT NULL UNIQUE,
    name        text NOT NULL,
    description text NOT NULL,
    price_cents integer NOT NULL CHECK (price_cents >= 0),
    stock       integer NOT NULL CHECK (stock >= 0),
    version     bigint NOT NULL DEFAULT 1,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS reviews (
    id          bigserial PRIMARY KEY,
    product_id  integer NOT NULL REFERENCES products (id),
    author      text NOT NULL,
    rating      smallint NOT NULL CHECK (rating BETWEEN 1 AND 5),
    body        text NOT NULL,
    created_at  timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS reviews_product_recent ON reviews (product_id, created_at DESC);
"""

PRODUCT_COLUMNS = "p.id, p.sku, p.name, p.description, p.price_cents, p.stock, p.version, " \
                  "p.updated_at"
PAGE_QUERY = f"""
SELECT {PRODUCT_COLUMNS}, summary.review_count, summary.rating, recent.reviews
FROM products p
CROSS JOIN LATERAL (
    SELECT count(*) AS review_count, avg(r.rating)::numeric(3, 2) AS rating
    FROM reviews r WHERE r.product_id = p.id) summary
CROSS JOIN LATERAL (
    SELECT coalesce(json_agg(latest), '[]'::json) AS reviews
    FROM (SELECT author, rating, body, created_at FROM reviews r
          WHERE r.product_id = p.id ORDER BY created_at DESC LIMIT 5) latest) recent
WHERE p.id = %s
"""

COLUMNS = PRODUCT_COLUMNS.replace("p.", "")
# What PUT may change; `version` and `updated_at` follow from every change.
UPDATABLE = ("name", "description", "price_cents", "stock")

_WORDS = ("alpine", "basalt", "cedar", "delta", "ember", "fjord", "granite", "harbor", "indigo",
          "juniper", "kelp", "lumen", "meridian", "nimbus", "onyx", "prairie", "quartz", "raven",
          "sierra", "tundra", "umber", "vale", "willow", "xenon", "yarrow", "zephyr")


class ProductStore:
    """Reads and writes products; counts the queries it sends (the database load)."""

    def __init__(self, pool: Any):
        self.pool = pool              # psycopg_pool.AsyncConnectionPool, autocommit connections
        self.reads = 0
        self.writes = 0

    async def ping(self) -> None:
        """One round trip to the database (health checks); not counted as a read."""
        async with self.pool.connection() as conn:
            await conn.execute("SELECT 1")

    async def fetch(self, product_id: int) -> dict[str, Any] | None:
        """The product page; None if there is no such product."""
        self.reads += 1
        async with self.pool.connection() as conn:
            cursor = await conn.execute(PAGE_QUERY, (product_id,))
            row = await cursor.fetchone()
        if row is None:
            return None
        page = _product(row[:8])
        review_count, rating, reviews = row[8:]
        page.update(review_count=int(review_count),
                    rating=None if rating is None else float(rating), recent_reviews=reviews)
        return page

    async def update(self, product_id: int, changes: dict[str, Any]) -> dict[str, Any] | None:
        """Apply changes and bump the version; committed when this returns. Returns the product
    row (not the page); None: no such product."""
        from psycopg import sql

        unknown = set(changes) - set(UPDATABLE)
        if unknown or not changes:
            raise ValueError(f"updatable fields: {', '.join(UPDATABLE)}; got {sorted(changes)}")
        assignments = sql.SQL(", ").join(
            sql.SQL("{} = {}").format(sql.Identifier(column), sql.Placeholder())
            for column in changes)
        query = sql.SQL("UPDATE products SET {}, version = version + 1, updated_at = now() "
                        "WHERE id = {} RETURNING {}").format(
            assignments, sql.Placeholder(), sql.SQL(COLUMNS))
        self.writes += 1
        async with self.pool.connection() as conn:
            cursor = await conn.execute(query, (*changes.values(), product_id))
            row = await cursor.fetchone()
        return _product(row) if row else None


async def create_schema(conn: Any) -> None:
    await conn.execute(SCHEMA)


async def load_products(conn: Any, count: int, seed: int = 16,
                        reviews_per_product: int = 10) -> None:
    """Replace the tables' rows with `count` generated products (ids 1..count, by COPY) and
    0 to 2 x reviews_per_product reviews each (generated in the database)."""
    rng = random.Random(seed)
    await conn.execute("TRUNCATE products, reviews")
    async with conn.cursor() as cursor, cursor.copy(
            "COPY products (id, sku, name, description, price_cents, stock) "
            "FROM STDIN") as copy:
        for product_id in range(1, count + 1):
            words = rng.sample(_WORDS, 3)
            await copy.write_row((
                product_id,
                f"SKU-{product_id:06d}",
                " ".join(w.capitalize() for w in words[:2]) + f" {product_id}",
                " ".join(rng.choice(_WORDS) for _ in range(40)),
                rng.randrange(199, 99_999),
                rng.randrange(0, 500),
            ))
    await conn.execute("SELECT setseed(%s)", (rng.random() * 2 - 1,))
    # `+ p.id * 0` ties the series to each product, so its length is drawn per product.
    await conn.execute(
        """INSERT INTO reviews (product_id, author, rating, body, created_at)
           SELECT p.id, 'customer-' || (random() * 100000)::int, 1 + (random() * 4)::int,
                  repeat('Sturdy, well made and as described. ', 2 + (random() * 6)::int),
                  now() - random() * interval '700 days'
           FROM products p, LATERAL generate_series(1, (random() * %s)::int + p.id * 0)""",
        (2 * reviews_per_product,))
    await conn.execute("ANALYZE products")
    await conn.execute("ANALYZE reviews")


def _product(row: Any) -> dict[str, Any]:
    product_id, sku, name, description, price_cents, stock, version, updated_at = row
    return {"id": product_id, "sku": sku, "name": name, "description": description,
            "price_cents": price_cents, "stock": stock, "version": int(version),
            "updated_at": updated_at.isoformat()}
