"""The benchmark run: servers up, catalog without and with the cache, session check, servers
down. Returns one flat dict (the --json output)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import pwd
import secrets
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from examples.bench import servers
from examples.bench.sessions import check_sessions
from examples.bench.workload import Progress, RunResult, make_ops, run_ops, warm

GOAL_HIT_RATIO = 0.90
GOAL_DB_LOAD_REDUCTION = 10.0
SESSION_TTL_SECONDS = 60
SCHEMAS = ("without_cache", "with_cache")
# ElastiCache keeps 25 % of a node's memory back by default (reserved-memory-percent); the
# local server gets what is left of the stack's node type.
RESERVED_MEMORY_FRACTION = 0.25


@dataclass(frozen=True)
class Options:
    products: int = 10_000
    requests: int = 20_000
    update_ratio: float = 0.05
    zipf_s: float = 1.1
    concurrency: int = 32
    db_pool_size: int = 8
    ttl_seconds: float = 300.0
    jitter: float = 0.1
    cold: bool = False                    # skip warming: measure from an empty cache
    rounds: int = 4                       # ABBA-alternating slices of the request sequence
    stack: str = "dev"
    seed: int = 16
    max_seconds: float = 300.0            # for the measured rounds; they stop there
    keep_tmp: bool = False


def stack_cache_profile(stack: str) -> dict[str, Any]:
    """The stack's first Valkey/Redis cache: engine, node type, parameter group, memory."""
    from infra.config import load_stack_config
    from infra.stackfile import flat_stack_config

    spec = load_stack_config(flat_stack_config(stack), stack)
    cache = next((c for c in spec.caches if c.engine in ("valkey", "redis")), None)
    if cache is None:
        raise servers.ServerError(f"stack {stack} has no Valkey or Redis cache")
    memory_gib = getattr(getattr(cache, "node_type", None), "memory_gib", None) or 0.5
    return {
        "stack": stack,
        "cache": cache.name,
        "engine": f"{cache.engine} {cache.engine_version}",
        "node_type": getattr(getattr(cache, "node_type", None), "name", None),
        "parameters": {k: str(v) for k, v in dict(cache.parameters).items()},
        "maxmemory_bytes": int(memory_gib * (1 - RESERVED_MEMORY_FRACTION) * 2**30),
    }


def run(options: Options, progress: Progress) -> dict[str, Any]:
    missing = servers.missing_servers()
    if missing:
        raise servers.ServerError("not found: " + "; ".join(missing))
    profile = stack_cache_profile(options.stack)
    started = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="managed-cache-bench-"))
    try:
        if os.geteuid() == 0:
            # PostgreSQL runs as `postgres` and must be able to enter its directory.
            user = pwd.getpwnam(servers.PG_USER)
            os.chown(tmp, user.pw_uid, user.pw_gid)
        with contextlib.ExitStack() as stack:
            progress.say("starting the cache server and PostgreSQL", force=True)
            tls = servers.make_tls(tmp)
            cache = stack.enter_context(servers.CacheServer(
                servers.find_cache_server() or "", tmp / "cache", tls,
                password=secrets.token_urlsafe(32),
                maxmemory_bytes=profile["maxmemory_bytes"], parameters=profile["parameters"]))
            database = stack.enter_context(servers.PostgresServer(
                servers.find_postgres_bin() or "", tmp / "pg",
                password=secrets.token_urlsafe(24)))
            probe = cache.probe() | {"parameters_applied": cache.applied,
                                     "parameters_skipped": cache.skipped}
            catalog = asyncio.run(_catalog(options, database.url, cache.secret(), progress))
            with cache.client() as client:
                memory = client.info("memory")
                evicted = int(client.info("stats").get("evicted_keys", 0))
                cached_keys = int(client.dbsize())

            progress.say("session check: two app instances", force=True)
            secret_file = tmp / "cache-secret.json"
            servers.write_private(secret_file, json.dumps(cache.secret()).encode())
            keys = [secrets.token_urlsafe(48)]
            key_file = tmp / "session-keys"
            servers.write_private(key_file, (keys[0] + "\n").encode())
            apps = []
            for name in ("a", "b"):
                apps.append(stack.enter_context(servers.AppServer(
                    "examples.session_store",
                    {"CACHE_SECRET_FILE": str(secret_file), "SESSION_SECRET_FILE": str(key_file),
                     "SESSION_TTL_SECONDS": str(SESSION_TTL_SECONDS),
                     "SESSION_COOKIE_SECURE": "false", "SESSION_INSTANCE": name},
                    tmp / f"app-{name}.log")))
            with cache.client() as client:
                sessions = check_sessions(apps[0].url, apps[1].url, client, keys,
                                          SESSION_TTL_SECONDS)
            postgres_version = database.version()
            progress.say("stopping the servers", force=True)
    finally:
        if options.keep_tmp:
            progress.done(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    progress.done("done")
    return _report(options, profile, probe, postgres_version, catalog, sessions,
                   {"used_memory": int(memory.get("used_memory", 0)), "evicted_keys": evicted,
                    "keys": cached_keys}, time.monotonic() - started)


async def _catalog(options: Options, database_url: str, secret: dict[str, Any],
                   progress: Progress) -> dict[str, Any]:
    """The same request sequence without and with the cache, on two identical copies of the
    data (schemas), in ABBA-ordered rounds, so load from elsewhere on the machine drifting over
    time weighs on both modes alike and neither mode's updates touch the other's data."""
    from psycopg import AsyncConnection

    from examples import connect
    from examples.catalog.service import open_catalog
    from examples.catalog.store import create_schema, load_products

    progress.say(f"loading {options.products:,} products (twice: one copy per mode)",
                 force=True)
    for schema in SCHEMAS:
        async with await AsyncConnection.connect(database_url, autocommit=True) as conn:
            await conn.execute(f"CREATE SCHEMA {schema}")
            await conn.execute(f"SET search_path = {schema}")
            await create_schema(conn)
            await load_products(conn, options.products, seed=options.seed)
    ops = make_ops(options.products, options.requests, options.update_ratio, options.zipf_s,
                   options.seed)
    size = -(-len(ops) // options.rounds)
    slices = [ops[i:i + size] for i in range(0, len(ops), size)]

    client = connect.from_secret(secret).async_client(decode_responses=False)
    await client.flushdb()
    results = {"without": RunResult(), "with": RunResult()}
    async with open_catalog(_in_schema(database_url, "without_cache"), None,
                            pool_size=options.db_pool_size) as plain, \
            open_catalog(_in_schema(database_url, "with_cache"), client,
                         pool_size=options.db_pool_size, ttl_seconds=options.ttl_seconds,
                         jitter=options.jitter) as cached:
        assert cached.cache is not None
        warm_seconds, warm_reads = 0.0, 0
        if not options.cold:
            warm_seconds = await warm(cached, list(range(1, options.products + 1)),
                                      concurrency=options.concurrency, progress=progress)
            await cached.cache.drain()
            warm_reads = cached.store.reads
        cached.store.reads = 0
        cached.cache.stats = type(cached.cache.stats)()
        deadline = time.perf_counter() + options.max_seconds
        for number, part in enumerate(slices):
            modes = [("without", plain), ("with", cached)]
            for mode, catalog in modes if number % 2 == 0 else reversed(modes):
                await run_ops(catalog, part, concurrency=options.concurrency,
                              deadline=deadline, progress=progress, result=results[mode],
                              label=f"round {number + 1}/{len(slices)}, {mode} cache")
        await cached.cache.drain()
        return {"without": results["without"].summary(), "with": results["with"].summary(),
                "db_without": plain.store.reads, "db_with": cached.store.reads,
                "cache_stats": cached.cache.stats.as_dict(),
                "warm_seconds": warm_seconds, "warm_db_reads": warm_reads}


def _in_schema(database_url: str, schema: str) -> str:
    """The URL with the session's search_path set to `schema`."""
    separator = "&" if "?" in database_url else "?"
    return f"{database_url}{separator}options=-csearch_path%3D{schema}"


def _report(options: Options, profile: dict[str, Any], probe: dict[str, Any],
            postgres_version: str, catalog: dict[str, Any], sessions: dict[str, Any],
            memory: dict[str, Any], seconds: float) -> dict[str, Any]:
    without, with_cache = catalog["without"], catalog["with"]
    db_without, db_with = catalog["db_without"], catalog["db_with"]
    writes = with_cache["updates"]
    hit_ratio = catalog["cache_stats"]["hit_ratio"]
    reduction = db_without / db_with if db_with else float(db_without)
    reduction_all = (db_without + without["updates"]) / (db_with + writes) \
        if db_with + writes else 0.0
    stale = without["stale_reads"] + with_cache["stale_reads"]
    tls_ok = (probe["plaintext_port"] == 0 and probe["tls_port"] > 0
              and probe["plaintext_refused"])
    goals = {
        f"hit_ratio >= {GOAL_HIT_RATIO}": hit_ratio >= GOAL_HIT_RATIO,
        f"db_load_reduction >= {GOAL_DB_LOAD_REDUCTION:g}": reduction >= GOAL_DB_LOAD_REDUCTION,
        "stale_reads == 0": stale == 0,
        "p99 with cache < p99 without": with_cache["p99_ms"] < without["p99_ms"],
        "sessions_shared": sessions["shared"],
    }
    return {
        "requests": with_cache["requests"],
        "hit_ratio": hit_ratio,
        "reads_served_from_cache": catalog["cache_stats"]["served_from_cache"],
        "db_queries_without_cache": db_without,
        "db_queries_with_cache": db_with,
        "db_load_reduction": round(reduction, 2),
        "p50_ms_with_cache": with_cache["p50_ms"],
        "p99_ms_with_cache": with_cache["p99_ms"],
        "p50_ms_without_cache": without["p50_ms"],
        "p99_ms_without_cache": without["p99_ms"],
        "stale_reads": stale,
        "sessions_shared": sessions["shared"],
        "tls": tls_ok,
        "auth": "requirepass" if probe["unauthenticated_refused"] else "none",
        "cache_server": probe["server"],
        "postgresql": postgres_version,
        "goals": goals,
        "goals_met": all(goals.values()),
        "notes": {
            "db_queries": "product reads that reached PostgreSQL in the measured run; the "
                          "updates are database writes in both runs (db_writes)",
            "latency": "per read, in the catalog service (cache + database round trips), "
                       "client-side, under the given concurrency; HTTP is not included",
            "method": "the same request sequence on two identical copies of the data, without "
                      "and with the cache, in alternating (ABBA) rounds",
            "warm": "the cache was warmed by reading every product once before the measured "
                    "run (steady state)" if not options.cold else "measured from an empty cache",
        },
        "db_writes": writes,
        "db_load_reduction_incl_writes": round(reduction_all, 2),
        "runs": {"without_cache": without, "with_cache": with_cache},
        "cache_counters": catalog["cache_stats"],
        "warmup": {"db_reads": catalog["warm_db_reads"],
                   "seconds": round(catalog["warm_seconds"], 2)},
        "cache_memory": memory,
        "sessions": sessions["checks"],
        "cache_config": {
            "from_stack": profile["stack"], "stack_cache": profile["cache"],
            "stack_engine": profile["engine"], "stack_node_type": profile["node_type"],
            "parameters": profile["parameters"],
            "parameters_applied": probe["parameters_applied"],
            "parameters_skipped": probe["parameters_skipped"],
            "tls_protocol": probe["tls_protocol"], "plaintext_port": probe["plaintext_port"],
            "maxmemory": probe["maxmemory"], "maxmemory_policy": probe["maxmemory_policy"],
        },
        "workload": {k: v for k, v in asdict(options).items() if k != "keep_tmp"},
        "duration_seconds": round(seconds, 1),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
