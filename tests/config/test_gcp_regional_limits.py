"""Memorystore limits that depend on the region. Quotas Google can raise are warnings, not
refusals: the stack cannot see the project's other instances, and a raised quota makes the same
config deploy. Memcached's vCPU minimum is a fixed rule: refused, and the defaults rise to it."""

from __future__ import annotations

from infra.config import load_stack_config
from tests.builders import gcp_config, memcached, refusal_cases

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


# Instance and node properties, Minimum vCPU according to region: 2 outside the listed regions.
REFUSED = [
    ("memcached-memory-below-region-vcpus", gcp_config(memcached(memory_gb=1), **{
        "gcp:region": "us-east5"}), "caches.s.memory_gb: 1.0 GB per node is not allowed with 2 "
     "vCPU (the least a node has in us-east5); Memorystore for Memcached takes 1.8 to 16 GB per "
     "node (at least max(1, 0.9 x vCPU), at most 8 per vCPU and 256)."),
    ("memcached-one-vcpu-region", gcp_config(memcached(gcp={"vcpus": 1}), **{
        "gcp:region": "europe-west8"}), "caches.s.gcp.vcpus: 1 is not allowed in europe-west8; "
     "Memorystore for Memcached nodes there have at least 2 vCPUs (1 only in the regions the "
     "Instance and node properties page lists). Use 2, with memory_gb 1.8 or more."),
]


@refusal_cases(REFUSED)
def test_refused_with_its_message_and_nothing_created(refused, config, expected):
    refused(config, expected)


def test_memcached_defaults_rise_to_the_vcpus_of_the_region():
    cache = load_stack_config(gcp_config(memcached(), **{"gcp:region": "europe-west8"}),
                              "test").caches[0]
    assert (cache.vcpus, cache.memory_mb) == (2, 2048)
    listed = load_stack_config(gcp_config(memcached()), "test").caches[0]      # us-central1
    assert (listed.vcpus, listed.memory_mb) == (1, 1024)
