"""python -m examples.bench [--json]: the catalog and session workloads on real servers.

Starts valkey-server/redis-server (TLS with a CA made for the run, requirepass, the dev stack's
parameters) and PostgreSQL in a temporary directory on 127.0.0.1, loads the products, runs the
Zipf read/update workload without and with the cache, checks sessions across two app
instances, stops everything and prints the result. Progress goes to stderr.
Exit 0 when it ran (with --check: only when every goal is met), 1 on goals missed under
--check, 2 when a server is missing or failed.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
from typing import Any

from examples.bench.run import Options, run
from examples.bench.servers import ServerError
from examples.bench.workload import Progress


def parse(argv: list[str] | None) -> tuple[argparse.Namespace, Options]:
    defaults = Options()
    parser = argparse.ArgumentParser(prog="python -m examples.bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--check", action="store_true", help="exit 1 unless every goal is met")
    parser.add_argument("--products", type=int, default=defaults.products)
    parser.add_argument("--requests", type=int, default=defaults.requests,
                        help="requests per run (each run does the same sequence)")
    parser.add_argument("--update-ratio", type=float, default=defaults.update_ratio)
    parser.add_argument("--zipf", type=float, default=defaults.zipf_s, help="Zipf exponent s")
    parser.add_argument("--concurrency", type=int, default=defaults.concurrency)
    parser.add_argument("--db-pool-size", type=int, default=defaults.db_pool_size)
    parser.add_argument("--ttl", type=float, default=defaults.ttl_seconds, help="seconds")
    parser.add_argument("--cold", action="store_true", help="do not warm the cache first")
    parser.add_argument("--rounds", type=int, default=defaults.rounds,
                        help="alternating without/with-cache rounds the requests are split in")
    parser.add_argument("--stack", default=defaults.stack,
                        help="take the cache parameters from this stack")
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument("--max-seconds", type=float, default=defaults.max_seconds,
                        help="time limit for the measured rounds")
    parser.add_argument("--keep-tmp", action="store_true", help="keep the temporary directory")
    args = parser.parse_args(argv)
    limits = {"products": (1, 1_000_000), "requests": (1, 1_000_000), "concurrency": (1, 256),
              "db_pool_size": (1, 20), "rounds": (1, 100)}
    for name, (low, high) in limits.items():
        if not low <= getattr(args, name) <= high:
            parser.error(f"--{name.replace('_', '-')} must be {low}-{high}")
    if not 0 <= args.update_ratio < 1 or args.zipf <= 0 or args.max_seconds <= 0:
        parser.error("--update-ratio must be 0-1 (exclusive), --zipf and --max-seconds > 0")
    return args, Options(
        products=args.products, requests=args.requests, update_ratio=args.update_ratio,
        zipf_s=args.zipf, concurrency=args.concurrency, db_pool_size=args.db_pool_size,
        ttl_seconds=args.ttl, cold=args.cold, rounds=args.rounds, stack=args.stack,
        seed=args.seed,
        max_seconds=args.max_seconds, keep_tmp=args.keep_tmp)


def summary(result: dict[str, Any]) -> str:
    runs = result["runs"]
    lines = [
        f"cache server  {result['cache_server']} (TLS {result['cache_config']['tls_protocol']}, "
        f"auth {result['auth']}, maxmemory-policy "
        f"{result['cache_config']['maxmemory_policy']}, from the "
        f"{result['cache_config']['from_stack']} stack)",
        f"database      {result['postgresql']}",
        f"workload      {result['requests']:,} requests per mode over "
        f"{result['workload']['products']:,} products, Zipf s={result['workload']['zipf_s']}, "
        f"{result['workload']['update_ratio']:.0%} updates, "
        f"{result['workload']['concurrency']} concurrent",
        "",
        "                       without cache   with cache",
        f"  reads p50 (ms)       {result['p50_ms_without_cache']:>13.3f}   "
        f"{result['p50_ms_with_cache']:>10.3f}",
        f"  reads p99 (ms)       {result['p99_ms_without_cache']:>13.3f}   "
        f"{result['p99_ms_with_cache']:>10.3f}",
        f"  database reads       {result['db_queries_without_cache']:>13,}   "
        f"{result['db_queries_with_cache']:>10,}",
        f"  requests per second  {runs['without_cache']['requests_per_second']:>13,.0f}   "
        f"{runs['with_cache']['requests_per_second']:>10,.0f}",
        f"  CPU ms per request   {runs['without_cache']['cpu_ms_per_request']:>13.3f}   "
        f"{runs['with_cache']['cpu_ms_per_request']:>10.3f}",
        "",
        f"hit ratio {result['hit_ratio']:.3f}, database load reduction "
        f"{result['db_load_reduction']:.1f}x, stale reads {result['stale_reads']}, "
        f"sessions shared across instances: {'yes' if result['sessions_shared'] else 'NO'}",
        "goals: " + ", ".join(f"{name} {'ok' if met else 'MISSED'}"
                              for name, met in result["goals"].items()),
    ]
    return "\n".join(lines)


def _terminate(signum: int, frame: Any) -> None:
    # As Ctrl-C: asyncio cancels the running workload cleanly, then every server is stopped.
    signal.raise_signal(signal.SIGINT)


def main(argv: list[str] | None = None) -> int:
    args, options = parse(argv)
    # Ctrl-C must stop the run even where SIGINT was inherited ignored (a background job).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _terminate)
    try:
        result = run(options, Progress())
    except ServerError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\ninterrupted; servers stopped", file=sys.stderr)
        return 130
    print(json.dumps(result, indent=2) if args.json else summary(result))
    return 1 if args.check and not result["goals_met"] else 0


if __name__ == "__main__":
    sys.exit(main())
