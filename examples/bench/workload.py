"""The catalog workload: Zipf-distributed reads with a share of updates, run concurrently, with
latencies and a stale-read check.

Stale read: a read that returns a version older than the newest update that had *completed*
(returned to its caller: database committed and cache invalidated) before the read started.
Reads that overlap an update may see either version; that is the consistency window.

Latency is taken per request around the catalog call (cache and database round trips, no
HTTP), client-side, under `concurrency` requests in flight in one asyncio process.
"""

from __future__ import annotations

import asyncio
import bisect
import itertools
import math
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

READ, UPDATE = "read", "update"


def zipf_sampler(n: int, s: float, rng: random.Random) -> Callable[[], int]:
    """Draws product ids 1..n with P(rank k) ~ 1/k^s; ranks map to ids in a random order, so the
    hot products are spread over the table rather than being ids 1, 2, 3."""
    weights = [1.0 / (rank ** s) for rank in range(1, n + 1)]
    total = sum(weights)
    cumulative = list(itertools.accumulate(w / total for w in weights))
    cumulative[-1] = 1.0
    ids = list(range(1, n + 1))
    rng.shuffle(ids)
    return lambda: ids[bisect.bisect_left(cumulative, rng.random())]


def make_ops(products: int, requests: int, update_ratio: float, zipf_s: float,
             seed: int) -> list[tuple[str, int]]:
    """The request sequence: (read|update, product id); both kinds follow the Zipf law, so hot
    products are also the most updated (the harder case for a cache)."""
    rng = random.Random(seed)
    draw = zipf_sampler(products, zipf_s, rng)
    return [(UPDATE if rng.random() < update_ratio else READ, draw()) for _ in range(requests)]


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile (values need not be sorted); 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = min(len(ordered), max(1, math.ceil(fraction * len(ordered))))
    return ordered[rank - 1]


@dataclass
class RunResult:
    """One mode's requests, accumulated over the slices it ran."""

    reads: int = 0
    updates: int = 0
    stale_reads: int = 0
    missing: int = 0                      # reads that found no product (none expected)
    read_ms: list[float] = field(default_factory=list)
    update_ms: list[float] = field(default_factory=list)
    seconds: float = 0.0
    cpu_seconds: float = 0.0              # this process's CPU: robust to other load
    truncated: bool = False               # stopped at the time limit
    # product id -> version of the newest completed update (the stale-read floor)
    committed: dict[int, int] = field(default_factory=dict)
    rng: random.Random = field(default_factory=lambda: random.Random(7))

    def summary(self) -> dict[str, Any]:
        return {
            "requests": self.reads + self.updates,
            "reads": self.reads,
            "updates": self.updates,
            "p50_ms": round(percentile(self.read_ms, 0.50), 3),
            "p99_ms": round(percentile(self.read_ms, 0.99), 3),
            "p99_update_ms": round(percentile(self.update_ms, 0.99), 3),
            "stale_reads": self.stale_reads,
            "missing": self.missing,
            "seconds": round(self.seconds, 2),
            "requests_per_second": round((self.reads + self.updates) / self.seconds, 1)
            if self.seconds else 0.0,
            "cpu_ms_per_request": round(self.cpu_seconds * 1000 / (self.reads + self.updates), 3)
            if self.reads + self.updates else 0.0,
            "truncated": self.truncated,
        }


class Progress:
    """One progress line on stderr, rewritten in place on a terminal; quiet otherwise."""

    def __init__(self, enabled: bool = True):
        self.enabled = enabled
        self.tty = sys.stderr.isatty()
        self._last = 0.0

    def say(self, text: str, force: bool = False) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if self.tty:
            if force or now - self._last >= 0.2:
                sys.stderr.write(f"\r\033[K{text}")
                sys.stderr.flush()
                self._last = now
        elif force or now - self._last >= 5.0:
            sys.stderr.write(text + "\n")
            sys.stderr.flush()
            self._last = now

    def done(self, text: str) -> None:
        if self.enabled:
            sys.stderr.write(f"\r\033[K{text}\n" if self.tty else text + "\n")
            sys.stderr.flush()


async def run_ops(catalog: Any, ops: list[tuple[str, int]], *, concurrency: int,
                  deadline: float, label: str, progress: Progress,
                  result: RunResult | None = None) -> RunResult:
    """Run ops against catalog.get / catalog.update with `concurrency` workers, adding to
    `result` (a new one if None). Stops at `deadline` (a time.perf_counter() value)."""
    result = result if result is not None else RunResult()
    committed = result.committed
    queue = iter(ops)
    started, cpu_started = time.perf_counter(), time.process_time()
    done = 0

    async def worker() -> None:
        nonlocal done
        for kind, product_id in queue:
            if time.perf_counter() > deadline:
                result.truncated = True
                return
            if kind == READ:
                floor = committed.get(product_id, 0)
                begin = time.perf_counter()
                product = await catalog.get(product_id)
                result.read_ms.append((time.perf_counter() - begin) * 1000)
                result.reads += 1
                if product is None:
                    result.missing += 1
                elif product["version"] < floor:
                    result.stale_reads += 1
            else:
                begin = time.perf_counter()
                product = await catalog.update(
                    product_id, {"price_cents": result.rng.randrange(199, 99_999)})
                result.update_ms.append((time.perf_counter() - begin) * 1000)
                result.updates += 1
                if product is not None:
                    committed[product_id] = max(committed.get(product_id, 0),
                                                product["version"])
            done += 1
            if done % 250 == 0:
                rate = done / max(time.perf_counter() - started, 1e-9)
                progress.say(f"  {label}: {done:,}/{len(ops):,} requests, {rate:,.0f} req/s")

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    result.seconds += time.perf_counter() - started
    result.cpu_seconds += time.process_time() - cpu_started
    return result


async def warm(catalog: Any, ids: list[int], *, concurrency: int, progress: Progress,
               label: str = "warming the cache") -> float:
    """Read every id once through the normal read path (lease-guarded fills), so the measured
    run starts in the steady state of a long-running service. Returns seconds taken."""
    queue = iter(ids)
    started = time.perf_counter()
    count = 0

    async def worker() -> None:
        nonlocal count
        for product_id in queue:
            await catalog.get(product_id)
            count += 1
            if count % 1000 == 0:
                progress.say(f"  {label}: {count:,}/{len(ids):,}")

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - started
