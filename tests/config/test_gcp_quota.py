"""Memorystore quotas Google can raise are warnings, not refusals: the stack cannot see the
project's other instances, and a raised quota makes the same config deploy."""

from __future__ import annotations

from infra.config import load_stack_config
from tests.builders import gcp_config

QUOTA_WARNING = ("caches: the Memorystore for Redis instances hold 1200 GB in us-central1; the "
                 "default quota is 1000 GB a region (Total Redis capacity (GB)), so ask Google "
                 "for more before `pulumi up`.")


def redis_caches(count: int, memory_gb: int) -> dict[str, dict[str, object]]:
    return {f"r{i}": {"engine": "redis", "memory_gb": memory_gb, "replicas": 0}
            for i in range(count)}


def test_redis_capacity_past_the_regional_quota_is_a_warning():
    # Redis quotas: "1 TB of Redis capacity in each region"; three 300 GB instances leave 100.
    spec = load_stack_config(gcp_config(redis_caches(4, 300)), "test")
    assert QUOTA_WARNING in spec.warnings


def test_redis_capacity_at_the_quota_says_nothing():
    spec = load_stack_config(gcp_config(redis_caches(4, 250)), "test")
    assert not [w for w in spec.warnings if "quota" in w]
