"""No config mistake reaches the user as a Python traceback: every stack file's config, mutated
at random (a value swapped for one of another type or range, a key added, removed or copied
from elsewhere), either loads or raises one ConfigError whose problems each name a key path.
The seed is fixed, so a failure names a config that can be replayed."""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path
from typing import Any

import pytest
import yaml

from infra.config import ConfigError, load_stack_config
from tests.builders import gcp_config, memcached, redis

ROOT = Path(__file__).resolve().parents[2]
STACKS = sorted(p.name[len("Pulumi."):-len(".yaml")] for p in ROOT.glob("Pulumi.*.yaml"))
MUTATIONS_PER_STACK = 500

ODD_VALUES: list[Any] = [
    None, -1, 0, 1, 3, 500, 10**12, 2**63, 1.5, -0.5, 1e306, float("nan"), float("inf"), "",
    " ",
    "x" * 300, [], {}, [None], {"a": 1}, True, False, "ÄÖ", "8.0", "1.6.22", "cache.r7g.large",
    "highmem-medium", "us-east-1", "eu-west-1", "us-central1", "us-central1-a", "valkey",
    "redis", "memcached", "10.0.0.0/16", "10.0.0.0/33", "0.0.0.0/0", "sun:05:00-sun:06:00",
    "05:00-06:00", "sg-123", "vpc-123", "a@b.co", "on ~* +@all", "production", "gcp", "yes",
    {"secondary_region": "eu-west-1"}, {"max_data_gb": 10}, {"min_shards": 1, "max_shards": 3},
    {"engine_cpu_percent": "high"}, {"replicas": {"min": 1, "max": "x"}},
]
KNOWN_KEYS = [
    "engine", "engine_version", "node_type", "shards", "replicas", "nodes", "memory_gb",
    "parameters", "global", "aws", "gcp", "serverless", "autoscaling", "users", "alarms",
    "maintenance_window", "snapshot_window", "snapshot_retention_days", "final_snapshot",
    "deletion_protection", "description", "port", "dns", "network", "kms_key", "tls", "auth",
    "persistence", "zone", "labels", "cluster_mode", "read_replicas", "vcpus", "import_id",
    "restore", "secondary_region", "secondary_replicas", "vpc_cidr", "allowed_cidrs", "emails",
]


PYDANTIC_TAGS = {"int", "float", "str", "bool", "list", "dict", "function-after",
                 "function-before", "function-plain", "function-wrap"}


def _places(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[tuple[Any, ...], Any]]:
    found = [(path, node)]
    children = node.items() if isinstance(node, dict) else (
        enumerate(node) if isinstance(node, list) else ())
    for key, child in children:
        found += _places(child, (*path, key))
    return found


def _mutate(config: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    config = copy.deepcopy(config)
    objects = sorted(k for k, v in config.items() if isinstance(v, (dict, list)))
    for _ in range(rng.randint(1, 3)):
        if rng.random() < 0.1:                      # a scalar key: cloud, region, profile...
            config[rng.choice(sorted(config))] = copy.deepcopy(rng.choice(ODD_VALUES))
            continue
        places = _places(config[rng.choice(objects)])
        path, node = rng.choice(places)
        odd = copy.deepcopy(rng.choice(ODD_VALUES))
        roll = rng.random()
        if isinstance(node, dict) and (not path or roll < 0.3):
            node[rng.choice(KNOWN_KEYS)] = odd
            continue
        if not path:
            continue
        parent = places[0][1]
        for key in path[:-1]:
            parent = parent[key]
        if roll < 0.65:
            parent[path[-1]] = odd
        elif roll < 0.85 and isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent[path[-1]] = copy.deepcopy(rng.choice(places)[1])
    return config


def _flat(config: dict[str, Any]) -> dict[str, str]:
    """As the CLI passes it (objects as JSON), and as infra.plan flattens a stack file."""
    return {key: json.dumps(value) if isinstance(value, (dict, list))
            else str(value).lower() if isinstance(value, bool) else str(value)
            for key, value in config.items()}


@pytest.mark.parametrize("stack", STACKS)
def test_a_mutated_config_loads_or_names_each_problem(stack):
    base = yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text())["config"]
    rng = random.Random(f"mutations-{stack}")
    refused = 0
    for attempt in range(MUTATIONS_PER_STACK):
        mutated = _mutate(base, rng)
        try:
            load_stack_config(_flat(mutated), stack)
        except ConfigError as error:
            refused += 1
            assert error.problems, mutated
            for problem in error.problems:
                assert problem.path and problem.message, (attempt, mutated, problem)
                # No key of pydantic's own, e.g. the union member in `percent.int`.
                assert not set(problem.path.split(".")) & PYDANTIC_TAGS, (mutated, problem)
        except Exception as error:  # a traceback the user would see
            pytest.fail(f"mutation {attempt} of {stack} raised {error!r}; config: "
                        f"{json.dumps(mutated, default=str)}")
    # The mutations do exercise the checks: most are refused, some still load.
    assert 0 < refused < MUTATIONS_PER_STACK


# YAML's .inf and .nan reach the loader as JSON's Infinity and NaN (infra.plan reads the stack
# file itself; Python's json accepts them), and 1e306 GB overflows once in MiB: none is a size.
# Each once raised a traceback.
@pytest.mark.parametrize("config,expected", [
    (gcp_config(redis(memory_gb=float("inf"))),
     "caches.s.memory_gb: inf is not allowed: input should be a finite number."),
    (gcp_config(memcached(memory_gb=float("nan"))),
     "caches.s.memory_gb: nan is not allowed: input should be a finite number."),
    # Finite, but infinite once in MiB.
    (gcp_config(memcached(memory_gb=1e306)),
     "caches.s.memory_gb: 1e+306 GB per node is not allowed with 1 vCPU; Memorystore for "
     "Memcached takes 1 to 8 GB per node (at least max(1, 0.9 x vCPU), at most 8 per vCPU and "
     "256)."),
], ids=["redis-memory-infinite", "memcached-memory-nan", "memcached-memory-huge"])
def test_a_size_too_big_or_not_finite_is_named_not_a_traceback(config, expected):
    with pytest.raises(ConfigError) as refused:
        load_stack_config(config, "test")
    assert [str(p) for p in refused.value.problems] == [expected]
