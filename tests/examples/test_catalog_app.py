"""The product API over the catalog service: GET/PUT, validation, 404s and counters."""

from __future__ import annotations

import contextlib
import warnings

import pytest

from examples.catalog.app import create_app
from examples.catalog.cache import CacheAside
from examples.catalog.service import Catalog

with warnings.catch_warnings():
    warnings.simplefilter("ignore")        # Starlette 1.x prefers httpx2; httpx works
    from starlette.testclient import TestClient


@pytest.fixture
def api(fake_server, product_store):
    import fakeredis

    store = product_store(rows={1: {"id": 1, "name": "Cedar Onyx 1", "price_cents": 500,
                                    "stock": 3, "version": 1}})

    @contextlib.asynccontextmanager
    async def open_catalog():
        cache = CacheAside(fakeredis.FakeAsyncRedis(server=fake_server),
                           namespace="catalog:product")
        yield Catalog(store, cache)  # type: ignore[arg-type]

    with TestClient(create_app(open_catalog)) as client:
        yield client, store


def test_get_reads_through_the_cache(api):
    client, store = api
    assert client.get("/products/1").json()["price_cents"] == 500
    assert client.get("/products/1").status_code == 200
    stats = client.get("/stats").json()
    assert (store.reads, stats["db_reads"], stats["cache"]["misses"]) == (1, 1, 1)
    # The second GET found the value in the cache (had the write behind the first one not
    # landed yet, it waited for it under the first one's lease): never the database.
    assert stats["cache"]["hits"] == 1


def test_put_updates_then_the_next_get_sees_it(api):
    client, store = api
    client.get("/products/1")
    updated = client.put("/products/1", json={"price_cents": 750, "stock": 0})
    assert updated.status_code == 200 and updated.json()["version"] == 2
    assert client.get("/products/1").json()["price_cents"] == 750
    assert client.get("/stats").json()["cache"]["invalidations"] == 1


def test_unknown_products_are_404_and_not_cached(api):
    client, store = api
    assert client.get("/products/99").status_code == 404
    assert client.get("/products/99").status_code == 404
    assert store.reads == 2
    assert client.put("/products/99", json={"stock": 1}).status_code == 404


@pytest.mark.parametrize(("body", "message"), [
    ({}, "a JSON object"),
    ({"version": 9}, "unknown fields ['version']"),
    ({"price_cents": -1}, "price_cents: a whole number >= 0"),
    ({"price_cents": 1.5}, "price_cents: a whole number >= 0"),
    ({"stock": True}, "stock: a whole number >= 0"),
    ({"name": " "}, "name: a non-empty string"),
])
def test_put_refuses_bad_bodies_with_the_reason(api, body, message):
    client, store = api
    response = client.put("/products/1", json=body)
    assert response.status_code == 422 and message in response.json()["error"]
    assert store.writes == 0


def test_health_stays_ok_while_the_cache_is_down(api):
    # Reads fall back to the database, so a cache outage must not take every instance out of
    # its load balancer.
    from redis.exceptions import ConnectionError as CacheDown

    client, store = api

    async def down(*args, **kwargs):
        raise CacheDown("Connection refused")

    assert client.get("/healthz").json() == {"ok": True, "database": "ok", "cache": "ok",
                                             "degraded": False}
    client.app.state.catalog.cache.redis.ping = down
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"ok": True, "database": "ok", "cache": "unreachable",
                               "degraded": True}


def test_health_fails_when_the_database_does_not_answer(api):
    client, store = api
    store.fail = RuntimeError("connection refused")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"ok": False, "database": "RuntimeError", "cache": "ok"}
