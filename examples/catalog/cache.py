"""Cache-aside with a lease-guarded fill and single-flight loads (asyncio, redis-py).

Read path, `get(key, load)`:
1. One script call reads the value; on a miss it also tries to take the key's *lease*
   (`SET <key>:lease <token> NX PX <lease_ms>`), so a hit and a miss both cost one round trip.
2. The lease holder runs `load()` (the database), returns the value, and fills the cache behind
   it with a second script that writes the value only if its lease is still there, with a TTL
   plus jitter. (The caller does not wait for the cache write; `drain()` does.)
3. A reader that misses while another process holds the lease waits briefly for that fill
   (`lease_wait_seconds`), then reads the database itself without filling.
Inside one process, concurrent `get`s of one key share a single load (single-flight), so a hot
key that expires costs one database query per process, not one per request.

Write path, `invalidate(key)`: after the database commit, one `DEL` removes the value *and*
the lease. That is what closes the stale-set race:

    reader: miss, takes lease L1, reads v1 from the database ......... fill(v1, L1) -> refused
    writer:                         commits v2, DEL value + lease L1 ^

Why a lease and not a version-guarded fill: a version guard needs a marker ("v2 was written")
that outlives every slow reader; under `volatile-lru`/`allkeys-lru` that marker can be evicted
like any key with a TTL, and then the stale fill succeeds. A lease fails safe: an evicted or
expired lease makes the fill refused, so the worst case is one more miss, never a stale value,
and correctness needs no clock or timeout assumption. The same key also coalesces misses across
processes. Its cost: a lease key per miss, written in the lookup's own round trip, and a reader
that finds another process's lease waits up to `lease_wait_seconds` before going to the
database.

Keys use a hash tag (`catalog:product:{42}` and `catalog:product:{42}:lease`), so the value and
its lease live in one slot and both scripts work in cluster mode.

A cache that fails or hangs never holds a request up for long: every cache call is bounded by
`cache_timeout_seconds`, a failed lookup or lease wait answers from the database, and after a
failure that says the cache is out (no connection, or no answer in time) the cache is bypassed
for `bypass_seconds` (reads go to the database; invalidations are still sent), so an outage
costs the database its load, not the clients their latency. Requests that arrive after a load,
while its cache write is on its way, get the value only once the write has landed under the
lease (which proves no invalidation came first); if it is refused, fails or runs past the
lease, they look the key up again, so a process whose write is stuck never serves what it
loaded.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import secrets
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import asdict, dataclass
from typing import Any

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)
# What a failing cache raises: its own errors, or our time limit on a call.
CACHE_FAILURES = (RedisError, TimeoutError)
# ... and of those, what says it is not there (unreachable, hung): only these start a bypass.
# A server reply such as OOM under noeviction comes from a cache that still serves its hits.
CACHE_OUTAGES = (RedisConnectionError, RedisTimeoutError, TimeoutError)

# KEYS[1] value, KEYS[2] lease; ARGV[1] token, ARGV[2] lease ms.
# -> {1, value} on a hit; {0, 1} on a miss with the lease taken; {0, 0} when another holds it.
GET_OR_LEASE = """
local value = redis.call('GET', KEYS[1])
if value then return {1, value} end
if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then return {0, 1} end
return {0, 0}
"""

# KEYS[1] value, KEYS[2] lease; ARGV[1] token, ARGV[2] value, ARGV[3] ttl ms.
# Writes only while our lease is still there: an invalidation since the lease was taken (or an
# eviction or expiry of the lease) deleted it, and the value we read may be older than the
# database now. -> 1 filled, 0 refused.
FILL_IF_LEASED = """
if redis.call('GET', KEYS[2]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  redis.call('DEL', KEYS[2])
  return 1
end
return 0
"""

# KEYS[1] lease; ARGV[1] token. Gives up our lease (nothing to fill: the row does not exist).
RELEASE_LEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


@dataclass
class CacheStats:
    """Per-process counters.

    A get() either looks the key up in the cache (a hit or a miss: what the server and
    CloudWatch's CacheHitRate count) or shares a lookup already in flight for that key in this
    process (coalesced: it gets the same value, hit or miss, without a request of its own).
    """

    hits: int = 0
    misses: int = 0
    coalesced_hits: int = 0
    coalesced_misses: int = 0
    lease_waits: int = 0        # misses that found another process loading the key
    loads: int = 0              # calls of load(): the database reads this cache caused
    fills: int = 0
    fills_refused: int = 0      # stale-set races caught (or leases that expired or were evicted)
    fill_errors: int = 0        # cache writes that failed (the cache was unreachable)
    cache_errors: int = 0       # lookups that failed: answered from the database instead
    bypassed: int = 0           # reads sent straight to the database after a cache outage
    invalidations: int = 0
    invalidation_errors: int = 0  # DELs that failed: the old value lives until its TTL
    lookup_errors: int = 0      # of cache_errors, the lookups themselves (not lease waits)

    @property
    def hit_ratio(self) -> float:
        """Hits per cache lookup: `misses` also counts the reads that never looked the key up
        (bypassed, or a failed lookup), which CloudWatch's CacheHitRate would not see."""
        lookups = self.hits + self.misses - self.bypassed - self.lookup_errors
        return self.hits / lookups if lookups > 0 else 0.0

    @property
    def served_from_cache(self) -> float:
        """Share of get() calls answered from the cache, coalesced ones included."""
        calls = self.hits + self.misses + self.coalesced_hits + self.coalesced_misses
        return (self.hits + self.coalesced_hits) / calls if calls else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "hit_ratio": round(self.hit_ratio, 4),
                "served_from_cache": round(self.served_from_cache, 4)}


class CacheAside:
    """Cache-aside over a redis.asyncio client (Redis or RedisCluster) for JSON values."""

    def __init__(self, redis: Any, *, namespace: str, ttl_seconds: float = 300.0,
                 jitter: float = 0.1, lease_ms: int = 2000, lease_wait_seconds: float = 0.05,
                 lease_poll_seconds: float = 0.005, cache_timeout_seconds: float = 0.25,
                 bypass_seconds: float = 5.0, rng: random.Random | None = None):
        if not 0 <= jitter < 1:
            raise ValueError("jitter is a fraction of the TTL, 0 <= jitter < 1")
        self.redis = redis
        self.cache_timeout_seconds = cache_timeout_seconds
        self.bypass_seconds = bypass_seconds
        self._bypass_until = float("-inf")       # loop time until which reads skip the cache
        self.namespace = namespace
        self.ttl_seconds = ttl_seconds
        self.jitter = jitter
        self.lease_ms = lease_ms
        self.lease_wait_seconds = lease_wait_seconds
        self.lease_poll_seconds = lease_poll_seconds
        self.stats = CacheStats()
        self._rng = rng or random.Random()
        self._inflight: dict[str, asyncio.Future[tuple[Any, str]]] = {}
        self._fills: set[asyncio.Task[Any]] = set()
        self._get_or_lease = redis.register_script(GET_OR_LEASE)
        self._fill = redis.register_script(FILL_IF_LEASED)
        self._release = redis.register_script(RELEASE_LEASE)

    def keys(self, key: str) -> tuple[str, str]:
        """(value key, lease key), one hash slot."""
        value_key = f"{self.namespace}:{{{key}}}"
        return value_key, f"{value_key}:lease"

    def ttl_ms(self) -> int:
        """The TTL with jitter, so keys filled together do not expire together."""
        spread = self._rng.uniform(1 - self.jitter, 1 + self.jitter)
        return max(1, int(self.ttl_seconds * 1000 * spread))

    async def get(self, key: str, load: Callable[[], Awaitable[Any]]) -> Any:
        """The value for key: from the cache, or from load() (None: nothing to cache)."""
        while True:
            flight = self._inflight.get(key)
            if flight is None:
                break
            await asyncio.wait({flight})          # never cancels the shared load
            if flight.cancelled():
                continue                          # its leader was cancelled: load again
            value, source = flight.result()
            if source == "hit":
                self.stats.coalesced_hits += 1
            else:
                self.stats.coalesced_misses += 1
            return value
        flight = asyncio.get_running_loop().create_future()
        flight.add_done_callback(_retrieve)
        self._inflight[key] = flight
        try:
            value, source, fill = await self._fetch(key, load)
        except Exception as error:
            self._forget(key, flight)
            flight.set_exception(error)
            raise
        except BaseException:                     # cancelled: followers load again
            self._forget(key, flight)
            flight.cancel()
            raise
        if source == "hit":
            self.stats.hits += 1
        else:
            self.stats.misses += 1
        flight.set_result((value, source))        # the requests that joined the load
        if fill is None:
            self._forget(key, flight)
            return value
        # The caller has its value; the cache write happens behind it, within the time limit
        # of a cache call (and never past the lease). Requests arriving until it lands get the
        # value only once it has landed under our lease, which proves no invalidation came
        # first; if it is refused, fails or runs out of time they look the key up again. (An
        # invalidation here since the load started has already removed the flight: then
        # nothing is shared.)
        pending: asyncio.Future[tuple[Any, str]] = asyncio.get_running_loop().create_future()
        pending.add_done_callback(_retrieve)
        if self._inflight.get(key) is flight:
            self._inflight[key] = pending
        limit = min(self.cache_timeout_seconds, self.lease_ms / 1000)
        task: asyncio.Task[bool] = asyncio.create_task(self._bounded(fill(), limit))
        self._fills.add(task)
        task.add_done_callback(lambda done: self._filled(done, key, pending, (value, source)))
        return value

    async def invalidate(self, key: str) -> None:
        """Call after the database commit: drops the value and any reader's lease.

        A cache that fails here does not fail the write, which is committed: the old value
        then lives until its TTL (counted in `invalidation_errors` and logged)."""
        # Requests that start from now on load afresh instead of joining a load that may have
        # read the database before the commit.
        self._inflight.pop(key, None)
        try:
            await self._bounded(self.redis.delete(*self.keys(key)))
        except CACHE_FAILURES as error:
            self.stats.invalidation_errors += 1
            log.warning("cache invalidation of %s failed (%s): the old value lives until its "
                        "TTL", key, type(error).__name__)
            return
        self.stats.invalidations += 1

    async def health(self) -> str:
        """"ok", or "unreachable" when a PING fails within the time limit."""
        try:
            await self._bounded(self.redis.ping())
        except CACHE_FAILURES:
            return "unreachable"
        return "ok"

    async def drain(self) -> None:
        """Wait for the cache writes still in flight (before closing the client)."""
        while self._fills:
            await asyncio.gather(*self._fills, return_exceptions=True)

    def _forget(self, key: str, flight: asyncio.Future[Any]) -> None:
        if self._inflight.get(key) is flight:
            del self._inflight[key]

    def _filled(self, task: asyncio.Task[bool], key: str,
                flight: asyncio.Future[tuple[Any, str]], result: tuple[Any, str]) -> None:
        self._fills.discard(task)
        self._forget(key, flight)
        error = None if task.cancelled() else task.exception()
        if error is not None:
            self.stats.fill_errors += 1          # the value is simply not cached
            if isinstance(error, CACHE_FAILURES):
                self._cache_failed(error)
        if not task.cancelled() and task.exception() is None and task.result():
            flight.set_result(result)
        else:
            flight.cancel()                      # not confirmed: followers look it up again

    async def _bounded(self, call: Awaitable[Any], seconds: float | None = None) -> Any:
        """A cache call within its time limit (TimeoutError past it)."""
        async with asyncio.timeout(seconds or self.cache_timeout_seconds):
            return await call

    def _cache_failed(self, error: BaseException) -> None:
        """Bypass the cache for a while if it is out: an outage should cost each request
        nothing. Any other error (a refused write) costs only its own call."""
        if not isinstance(error, CACHE_OUTAGES):
            log.warning("cache refused a call (%s)", type(error).__name__)
            return
        self._bypass_until = asyncio.get_running_loop().time() + self.bypass_seconds
        log.warning("cache unavailable (%s): reads go to the database for %gs",
                    type(error).__name__, self.bypass_seconds)

    async def _fetch(self, key: str, load: Callable[[], Awaitable[Any]]
                     ) -> tuple[Any, str, Callable[[], Coroutine[Any, Any, bool]] | None]:
        """(value, "hit" | "miss", the cache write still to do, if any: it returns whether
        the value may be shared with the requests that joined the load)."""
        value_key, lease_key = self.keys(key)
        token = secrets.token_hex(8)
        if asyncio.get_running_loop().time() < self._bypass_until:
            self.stats.bypassed += 1
            self.stats.loads += 1
            return await load(), "miss", None
        try:
            found, payload = await self._bounded(
                self._get_or_lease(keys=[value_key, lease_key], args=[token, self.lease_ms]))
        except CACHE_FAILURES as error:
            # Unreachable, hung, or full under noeviction (the lease cannot be written): the
            # database still answers; nothing is filled.
            self.stats.cache_errors += 1
            self.stats.lookup_errors += 1
            self._cache_failed(error)
            self.stats.loads += 1
            return await load(), "miss", None
        if int(found):
            return json.loads(payload), "hit", None
        if not int(payload):
            # Another process holds the lease and is loading: give it a moment to fill.
            self.stats.lease_waits += 1
            waited = await self._wait_for_fill(value_key)
            if waited is not None:
                return json.loads(waited), "hit", None
            self.stats.loads += 1
            return await load(), "miss", None     # no lease: read, but never fill
        self.stats.loads += 1
        try:
            value = await load()
        except BaseException:
            # The lease would expire anyway; a failing cache must not hide the load's error.
            with contextlib.suppress(*CACHE_FAILURES):
                await self._bounded(self._release(keys=[lease_key], args=[token]))
            raise
        if value is None:
            async def release() -> bool:
                await self._release(keys=[lease_key], args=[token])
                return True                      # nothing to confirm: the row does not exist

            return None, "miss", release
        payload = json.dumps(value)

        async def fill() -> bool:
            filled = await self._fill(keys=[value_key, lease_key],
                                      args=[token, payload, self.ttl_ms()])
            if int(filled):
                self.stats.fills += 1
                return True
            self.stats.fills_refused += 1
            return False

        return value, "miss", fill

    async def _wait_for_fill(self, value_key: str) -> Any:
        """The value another process fills within lease_wait_seconds, else None (also when the
        cache fails meanwhile: the caller then reads the database)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.lease_wait_seconds
        while loop.time() < deadline:
            await asyncio.sleep(self.lease_poll_seconds)
            try:
                value = await self._bounded(self.redis.get(value_key))
            except CACHE_FAILURES as error:
                self.stats.cache_errors += 1
                self._cache_failed(error)
                return None
            if value is not None:
                return value
        return None


def _retrieve(future: asyncio.Future[Any]) -> None:
    """Mark a failed load's error as seen: followers may not exist to read it."""
    if not future.cancelled():
        future.exception()
