"""The benchmark end to end on real servers (valkey/redis-server and PostgreSQL), small sizes.

Skipped, with what is missing and how to install it, on a machine without the servers.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from examples.bench.servers import missing_servers

MISSING = missing_servers()
ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    bool(MISSING), reason="needs real servers, missing: " + "; ".join(MISSING))

REQUIRED = ("requests", "hit_ratio", "db_queries_without_cache", "db_queries_with_cache",
            "db_load_reduction", "p50_ms_with_cache", "p99_ms_with_cache",
            "p50_ms_without_cache", "p99_ms_without_cache", "stale_reads", "sessions_shared",
            "tls", "auth", "cache_server", "postgresql")


def bench_processes() -> list[str]:
    """Command lines of live processes started for a benchmark run (its temp dir's name)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if "managed-cache-bench-" in command:
            found.append(command)
    return found


def test_the_benchmark_on_real_servers():
    """One run (the suite is spread over workers: one test, so one run), checked for what a
    user relies on: the fields, the servers' TLS/auth/parameters, no stale reads, the offload,
    shared sessions, progress on stderr, and nothing left running."""
    completed = subprocess.run(
        [sys.executable, "-m", "examples.bench", "--json", "--products", "300",
         "--requests", "1200", "--rounds", "2", "--concurrency", "8", "--max-seconds", "60"],
        cwd=ROOT, capture_output=True, text=True, timeout=240,
        env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert completed.returncode == 0, completed.stderr[-2000:]
    result = json.loads(completed.stdout)

    assert [key for key in REQUIRED if key not in result] == []
    assert result["requests"] == 1200

    # The cache server ran with TLS only, AUTH, and the dev stack's parameter group.
    assert result["tls"] is True and result["auth"] == "requirepass"
    config = result["cache_config"]
    assert config["plaintext_port"] == 0 and config["tls_protocol"] in ("TLSv1.2", "TLSv1.3")
    assert config["from_stack"] == "dev"
    assert config["maxmemory_policy"] == config["parameters"]["maxmemory-policy"]
    assert config["parameters_applied"]["maxmemory-policy"] == "volatile-lru"

    # No stale reads; the cache took reads off the database; every update invalidated.
    assert result["stale_reads"] == 0
    assert result["db_queries_with_cache"] < result["db_queries_without_cache"]
    assert result["cache_counters"]["invalidations"] == result["db_writes"] > 0

    assert result["sessions_shared"] is True, result["sessions"]

    assert "starting the cache server and PostgreSQL" in completed.stderr
    assert bench_processes() == []
