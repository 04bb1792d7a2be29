"""Cache-aside: hits and misses, TTL with jitter, invalidation, the stale-set race, single-flight
and cross-process leases. fakeredis runs the same Lua scripts a server would; the database is
the `product_store` fixture (tests/examples/conftest.py)."""

from __future__ import annotations

import asyncio
import random

import pytest

from examples.catalog.cache import CacheAside
from examples.catalog.service import Catalog


def make_cache(redis, **kwargs) -> CacheAside:
    kwargs.setdefault("ttl_seconds", 300)
    return CacheAside(redis, namespace="catalog:product", **kwargs)


def run(coroutine, timeout: float = 10.0):
    """Run a scenario; a deadlock fails the test instead of hanging it."""
    return asyncio.run(asyncio.wait_for(coroutine, timeout))


async def read_paused_across_update(store, catalog: Catalog, product_id: int,
                                    changes: dict) -> tuple[asyncio.Task, asyncio.Event]:
    """Start catalog.get(product_id), let it read the row, then commit `changes` to that row
    while the read is paused. Returns the paused read and the event that resumes it."""
    gate = asyncio.Event()
    store.gate = gate
    paused_read = asyncio.create_task(catalog.get(product_id))
    await store.read_done.wait()
    store.gate = None
    await catalog.update(product_id, changes)
    return paused_read, gate


async def lease_held_elsewhere(fake_server, store, product_id: int):
    """Another process (its own client of the same server) has taken the key's lease and is
    reading the database: returns that process's cache, its paused get() and the gate that
    resumes it."""
    import fakeredis

    holder = make_cache(fakeredis.FakeAsyncRedis(server=fake_server))
    gate = asyncio.Event()
    store.gate = gate
    loading = asyncio.create_task(holder.get(str(product_id),
                                             lambda: store.fetch(product_id)))
    await store.read_done.wait()
    return holder, loading, gate


def test_miss_fills_with_ttl_and_jitter_then_hits(fake_redis, product_store):
    async def scenario():
        store, cache = product_store(), make_cache(fake_redis, jitter=0.1)
        catalog = Catalog(store, cache)  # type: ignore[arg-type]
        first = await catalog.get(3)
        await cache.drain()                   # the fill happens behind the caller
        second = await catalog.get(3)
        ttl = await fake_redis.pttl(cache.keys("3")[0])
        return store, cache, first, second, ttl

    store, cache, first, second, ttl = run(scenario())
    assert first == second == {"id": 3, "price_cents": 300, "version": 1}
    assert store.reads == 1
    assert (cache.stats.hits, cache.stats.misses, cache.stats.fills) == (1, 1, 1)
    assert 270_000 - 1000 <= ttl <= 330_000


def test_jitter_spreads_expiry_within_bounds():
    cache = CacheAside.__new__(CacheAside)
    cache.ttl_seconds, cache.jitter, cache._rng = 100, 0.2, random.Random(1)
    ttls = [cache.ttl_ms() for _ in range(500)]
    assert min(ttls) >= 80_000 and max(ttls) <= 120_000
    assert len(set(ttls)) > 400          # not one expiry moment for keys filled together


def test_update_commits_then_deletes_the_key(fake_redis, product_store):
    async def scenario():
        store, cache = product_store(), make_cache(fake_redis)
        catalog = Catalog(store, cache)  # type: ignore[arg-type]
        await catalog.get(2)
        await cache.drain()
        updated = await catalog.update(2, {"price_cents": 999})
        cached = await fake_redis.exists(cache.keys("2")[0])
        after = await catalog.get(2)
        return updated, cached, after

    updated, cached, after = run(scenario())
    assert updated["version"] == 2
    assert cached == 0
    assert after == {"id": 2, "price_cents": 999, "version": 2}


def test_stale_set_race_is_refused(fake_redis, product_store):
    """A reader reads v1, an update commits v2 and invalidates, then the reader fills: the fill
    must be refused, or v1 would be served until the TTL ends."""

    async def race():
        store, cache = product_store(), make_cache(fake_redis)
        catalog = Catalog(store, cache)  # type: ignore[arg-type]
        slow_reader, gate = await read_paused_across_update(store, catalog, 5, {"price_cents": 1})
        gate.set()
        stale = await slow_reader
        await cache.drain()
        cached_after_race = await fake_redis.get(cache.keys("5")[0])
        fresh = await catalog.get(5)
        return cache, stale, cached_after_race, fresh

    cache, stale, cached_after_race, fresh = run(race())
    assert stale["version"] == 1            # it overlapped the update: either version is fair
    assert cached_after_race is None        # ...but it must not be cached
    assert cache.stats.fills_refused == 1
    assert fresh["version"] == 2


def test_an_evicted_lease_fails_safe(fake_redis, product_store):
    """Under an LRU policy the lease key can be evicted: the fill is then refused (one more
    miss), never accepted."""

    async def scenario():
        store, cache = product_store(), make_cache(fake_redis)
        gate = asyncio.Event()
        store.gate = gate
        reader = asyncio.create_task(cache.get("7", lambda: store.fetch(7)))
        await store.read_done.wait()
        await fake_redis.delete(cache.keys("7")[1])   # the lease is gone
        gate.set()
        await reader
        await cache.drain()
        return cache, await fake_redis.get(cache.keys("7")[0])

    cache, cached = run(scenario())
    assert cached is None and cache.stats.fills_refused == 1


def test_concurrent_misses_share_one_load(fake_redis, product_store):
    async def scenario():
        store, cache = product_store(), make_cache(fake_redis)
        gate = asyncio.Event()
        store.gate = gate
        readers = [asyncio.create_task(cache.get("4", lambda: store.fetch(4)))
                   for _ in range(50)]
        await store.read_done.wait()
        await asyncio.sleep(0)
        gate.set()
        return store, cache, await asyncio.gather(*readers)

    store, cache, results = run(scenario())
    assert store.reads == 1
    assert all(result == results[0] for result in results)
    assert (cache.stats.misses, cache.stats.coalesced_misses) == (1, 49)
    assert cache.stats.hit_ratio == 0.0 and cache.stats.served_from_cache == 0.0


def test_a_read_after_an_update_does_not_join_an_older_load(fake_redis, product_store):
    """Single-flight must not hand a request that starts after an update the result of a load
    that read the database before it."""

    async def scenario():
        store, cache = product_store(), make_cache(fake_redis)
        catalog = Catalog(store, cache)  # type: ignore[arg-type]
        old_load, gate = await read_paused_across_update(store, catalog, 6, {"price_cents": 5})
        # Starts after the update completed; joining the old load would wait for its gate.
        after_update = await asyncio.wait_for(catalog.get(6), 2)
        gate.set()
        return after_update, await old_load

    after_update, old = run(scenario())
    assert after_update["version"] == 2
    assert old["version"] == 1


def test_another_process_waits_for_the_lease_holder_fill(fake_server, product_store):
    import fakeredis

    async def scenario():
        store = product_store()
        holder, first, gate = await lease_held_elsewhere(fake_server, store, 8)
        waiter = make_cache(fakeredis.FakeAsyncRedis(server=fake_server),
                            lease_wait_seconds=2.0)

        async def never_called():
            raise AssertionError("the waiter must not read the database")

        second = asyncio.create_task(waiter.get("8", never_called))
        await asyncio.sleep(0.02)
        gate.set()
        results = await first, await second
        await holder.drain()
        return holder, waiter, *results

    holder, waiter, first, second = run(scenario())
    assert first == second
    assert (waiter.stats.lease_waits, waiter.stats.hits, waiter.stats.loads) == (1, 1, 0)
    assert holder.stats.fills == 1


@pytest.mark.parametrize("cache_fails", [False, True], ids=["lease-held-too-long",
                                                               "cache-fails-while-waiting"])
def test_a_waiter_without_a_fill_reads_the_database_and_never_fills(fake_server, product_store,
                                                                   cache_fails):
    """The lease holder is stuck: the waiter gives up after lease_wait_seconds, or at once
    when the cache fails while it waits, and reads the database without filling."""
    import fakeredis
    from redis.exceptions import ConnectionError as CacheDown

    async def scenario():
        store = product_store()
        _, stuck, gate = await lease_held_elsewhere(fake_server, store, 9)
        waiter = make_cache(fakeredis.FakeAsyncRedis(server=fake_server),
                            lease_wait_seconds=2.0 if cache_fails else 0.02)
        if cache_fails:
            async def down(*args, **kwargs):
                raise CacheDown("Connection refused")

            waiter.redis.get = down
        value = await waiter.get("9", lambda: product_store().fetch(9))
        cached = await fakeredis.FakeAsyncRedis(server=fake_server).get(waiter.keys("9")[0])
        gate.set()
        await stuck
        return waiter, value, cached

    waiter, value, cached = run(scenario())
    assert value["id"] == 9 and cached is None
    assert (waiter.stats.lease_waits, waiter.stats.misses, waiter.stats.loads,
            waiter.stats.fills, waiter.stats.cache_errors) == (1, 1, 1, 0, int(cache_fails))


def test_a_missing_row_is_not_cached_and_frees_the_lease(fake_redis, product_store):
    async def scenario():
        store, cache = product_store(count=3), make_cache(fake_redis)
        value = await cache.get("42", lambda: store.fetch(42))
        await cache.drain()
        return cache, value, await fake_redis.exists(*cache.keys("42"))

    cache, value, keys_left = run(scenario())
    assert value is None and keys_left == 0 and cache.stats.fills == 0


def test_a_failed_load_reaches_every_waiter_and_frees_the_lease(fake_redis, product_store):
    async def scenario():
        store, cache = product_store(), make_cache(fake_redis)
        store.fail = RuntimeError("database down")
        gate = asyncio.Event()
        store.gate = gate
        readers = [asyncio.create_task(cache.get("1", lambda: store.fetch(1)))
                   for _ in range(3)]
        await store.read_done.wait()
        gate.set()
        results = await asyncio.gather(*readers, return_exceptions=True)
        return results, await fake_redis.exists(cache.keys("1")[1])

    results, lease_left = run(scenario())
    assert [str(r) for r in results] == ["database down"] * 3
    assert lease_left == 0


def test_value_and_lease_share_a_cluster_slot():
    from redis.crc import key_slot

    cache = CacheAside.__new__(CacheAside)
    cache.namespace = "catalog:product"
    for key in ("1", "42", "99999"):
        value_key, lease_key = cache.keys(key)
        assert key_slot(value_key.encode()) == key_slot(lease_key.encode())


def test_jitter_must_be_a_fraction(fake_redis):
    with pytest.raises(ValueError, match="0 <= jitter < 1"):
        make_cache(fake_redis, jitter=1.5)


@pytest.mark.parametrize(("refusing", "counter"), [
    # A full cache under noeviction refusing the lookup's lease write; an unreachable cache
    # refuses it the same way.
    ("_get_or_lease", "cache_errors"),
    # What Redis 7.0 did when full: the lease write went through, the fill was refused.
    ("_fill", "fill_errors"),
], ids=["lookup", "fill"])
def test_a_full_cache_still_answers_from_the_database_and_caches_nothing(
        fake_redis, product_store, refusing, counter):
    from redis.exceptions import OutOfMemoryError

    async def scenario():
        store, cache = product_store(), make_cache(fake_redis)

        async def refuse(*args, **kwargs):
            raise OutOfMemoryError("command not allowed when used memory > 'maxmemory'")

        setattr(cache, refusing, refuse)
        value = await cache.get("3", lambda: store.fetch(3))
        await cache.drain()
        return store, cache, value, await fake_redis.exists(cache.keys("3")[0])

    store, cache, value, cached = run(scenario())
    assert value["id"] == 3 and store.reads == 1
    assert (getattr(cache.stats, counter), cache.stats.misses, cache.stats.fills, cached) == (
        1, 1, 0, 0)


def test_a_full_cache_keeps_serving_its_hits_after_refusing_a_lookup(fake_redis, product_store):
    # Out of memory under noeviction is a reply, not an outage: it must not send the hot keys
    # that are still cached to the database (only unreachable or hung caches are bypassed).
    from redis.exceptions import OutOfMemoryError

    async def scenario():
        store, cache = product_store(), make_cache(fake_redis, bypass_seconds=60)
        await cache.get("1", lambda: store.fetch(1))
        await cache.drain()
        lookup = cache._get_or_lease

        async def full_for_new_keys(*, keys, args):
            if keys[0] != cache.keys("1")[0]:
                raise OutOfMemoryError("command not allowed when used memory > 'maxmemory'")
            return await lookup(keys=keys, args=args)

        cache._get_or_lease = full_for_new_keys
        await cache.get("2", lambda: store.fetch(2))
        hits = [await cache.get("1", lambda: store.fetch(1)) for _ in range(3)]
        return store, cache, hits

    store, cache, hits = run(scenario())
    assert all(hit["id"] == 1 for hit in hits) and store.reads == 2    # 1 once, then 2
    assert (cache.stats.hits, cache.stats.cache_errors, cache.stats.bypassed) == (3, 1, 0)
    # Three hits out of the four lookups the cache ran: a script that may write is refused
    # before it runs when memory is full, so the refused one looked nothing up.
    assert cache.stats.hit_ratio == 3 / 4


# ---------------------------------------------------------------------------------------------
# A failing or hung cache costs the database its load, never the clients their latency
# ---------------------------------------------------------------------------------------------
async def _hang(*args, **kwargs):
    await asyncio.Event().wait()          # a cache that accepts the call and never answers


def hung(fake_redis, call: str) -> CacheAside:
    """A cache whose script `call` never answers; 50 ms per cache call, a long bypass."""
    cache = make_cache(fake_redis, cache_timeout_seconds=0.05, bypass_seconds=60)
    setattr(cache, call, _hang)
    return cache


async def timed(awaitable):
    """(its result, the seconds it took)."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    result = await awaitable
    return result, loop.time() - started


def test_a_hung_cache_answers_from_the_database_within_the_time_limit(fake_redis,
                                                                      product_store):
    async def scenario():
        store, cache = product_store(), hung(fake_redis, "_get_or_lease")
        first, took = await timed(cache.get("3", lambda: store.fetch(3)))
        second = await cache.get("4", lambda: store.fetch(4))   # bypassed: no cache call
        return store, cache, first, second, took

    store, cache, first, second, took = run(scenario())
    assert first["id"] == 3 and second["id"] == 4 and store.reads == 2
    assert took < 1.0
    assert (cache.stats.cache_errors, cache.stats.bypassed) == (1, 1)
    # Neither read looked a key up: no lookups, so no hit ratio to speak of.
    assert (cache.stats.misses, cache.stats.hit_ratio) == (2, 0.0)


def test_the_cache_is_used_again_after_the_bypass(fake_redis, product_store):
    async def scenario():
        store, cache = product_store(), make_cache(fake_redis, bypass_seconds=0.02)
        healthy = cache._get_or_lease
        cache._get_or_lease = _hang
        cache.cache_timeout_seconds = 0.02
        await cache.get("3", lambda: store.fetch(3))
        cache._get_or_lease = healthy
        await asyncio.sleep(0.05)
        await cache.get("3", lambda: store.fetch(3))
        await cache.drain()
        return cache, await fake_redis.exists(cache.keys("3")[0])

    cache, cached = run(scenario())
    assert cache.stats.bypassed == 0 and cache.stats.fills == 1 and cached == 1


def test_a_stuck_fill_never_serves_the_loaded_value_after_an_invalidation(fake_server,
                                                                          product_store):
    # Process B loaded v1 and its cache write hangs; process A commits v2 and invalidates.
    # B's next read must see v2, not the value its stuck write still holds.
    import fakeredis

    async def scenario():
        store = product_store()
        process_b = make_cache(fakeredis.FakeAsyncRedis(server=fake_server), lease_ms=100)
        process_a = make_cache(fakeredis.FakeAsyncRedis(server=fake_server))
        process_b._fill = _hang
        first = await process_b.get("5", lambda: store.fetch(5))
        await store.update(5, {"price_cents": 999})
        await process_a.invalidate("5")
        # B's next read joins its own pending write, which never lands: it must look again.
        second = await process_b.get("5", lambda: store.fetch(5))
        return first, second

    first, second = run(scenario())
    assert (first["version"], second["version"]) == (1, 2)


def test_a_request_after_the_load_waits_for_the_write_and_looks_again_if_refused(
        fake_server, product_store):
    # A load read v1 and returned; before its write lands an update elsewhere commits v2 and
    # deletes value and lease. A request arriving in that moment must not get v1.
    import fakeredis

    async def scenario():
        store = product_store()
        cache = make_cache(fakeredis.FakeAsyncRedis(server=fake_server))
        elsewhere = make_cache(fakeredis.FakeAsyncRedis(server=fake_server))
        fill = cache._fill
        release = asyncio.Event()

        async def held_fill(*args, **kwargs):
            await release.wait()
            return await fill(*args, **kwargs)

        cache._fill = held_fill
        first = await cache.get("5", lambda: store.fetch(5))
        second = asyncio.create_task(cache.get("5", lambda: store.fetch(5)))
        await asyncio.sleep(0)
        await store.update(5, {"price_cents": 999})
        await elsewhere.invalidate("5")
        release.set()
        return cache, first, await second

    cache, first, second = run(scenario())
    assert (first["version"], second["version"]) == (1, 2)
    assert cache.stats.fills_refused == 1


def test_a_hung_fill_gives_up_in_time_and_the_next_reads_bypass_the_cache(fake_redis,
                                                                         product_store):
    # The hot keys are the ones with a write pending: a hung write must not hold the requests
    # that wait for it longer than one cache call's time limit.
    async def scenario():
        store, cache = product_store(), hung(fake_redis, "_fill")
        await cache.get("6", lambda: store.fetch(6))
        waiting, took = await timed(asyncio.gather(*(cache.get("6", lambda: store.fetch(6))
                                                     for _ in range(3))))
        await cache.drain()
        return store, cache, waiting, took

    store, cache, waiting, took = run(scenario(), timeout=2.0)
    assert [value["id"] for value in waiting] == [6, 6, 6]
    assert took < 0.5
    assert cache.stats.fill_errors == 1 and cache.stats.bypassed >= 1


def test_the_lease_expires_so_a_crashed_loader_never_blocks_fills(fake_redis, product_store):
    async def scenario():
        store, cache = product_store(), make_cache(fake_redis, lease_ms=2000)
        gate = asyncio.Event()
        store.gate = gate
        loading = asyncio.create_task(cache.get("7", lambda: store.fetch(7)))
        await store.read_done.wait()
        lease_ttl = await fake_redis.pttl(cache.keys("7")[1])
        gate.set()
        await loading
        return lease_ttl

    assert 0 < run(scenario()) <= 2000


def test_a_failed_load_is_reported_even_when_the_lease_cannot_be_released(fake_redis,
                                                                         product_store):
    from redis.exceptions import ConnectionError as CacheDown

    async def scenario():
        store, cache = product_store(), make_cache(fake_redis)
        store.fail = RuntimeError("database down")

        async def down(*args, **kwargs):
            raise CacheDown("Connection refused")

        cache._release = down
        with pytest.raises(RuntimeError, match="database down"):
            await cache.get("1", lambda: store.fetch(1))

    run(scenario())


def test_a_failed_invalidation_does_not_fail_the_committed_write(fake_redis, product_store):
    from redis.exceptions import ConnectionError as CacheDown

    async def scenario():
        store, cache = product_store(), make_cache(fake_redis)
        catalog = Catalog(store, cache)  # type: ignore[arg-type]

        async def down(*args, **kwargs):
            raise CacheDown("Connection refused")

        cache.redis.delete = down
        updated = await catalog.update(2, {"price_cents": 1})
        return store, cache, updated

    store, cache, updated = run(scenario())
    assert updated["version"] == 2 and store.rows[2]["price_cents"] == 1
    assert (cache.stats.invalidations, cache.stats.invalidation_errors) == (0, 1)
