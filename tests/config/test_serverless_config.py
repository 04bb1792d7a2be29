"""`caches.<name>.serverless`: what a serverless cache takes, each refusal with its exact message
and nothing registered, and the defaults it resolves to."""

from __future__ import annotations

import pytest

from infra.config import load_stack_config
from tests.builders import aws_config, gcp_config

LIMITS = {"max_data_gb": 10, "max_ecpu_per_second": 5000}


def bursty(profile: str = "development", **keys):
    return aws_config({"bursty": {"engine": "valkey", "serverless": LIMITS, **keys}},
                      profile=profile)


BAD = [
    ("node-type", bursty(node_type="cache.r7g.large"),
     "caches.bursty.node_type: does not apply to a serverless cache: it has no nodes; "
     "max_data_gb and max_ecpu_per_second cap it instead. Remove the key."),
    ("memory-gb", bursty(memory_gb=4),
     "caches.bursty.memory_gb: does not apply to a serverless cache: it has no nodes; "
     "serverless.max_data_gb caps its data instead. Remove the key."),
    ("shards", bursty(shards=2),
     "caches.bursty.shards: does not apply to a serverless cache: ElastiCache shards it itself. "
     "Remove the key."),
    ("replicas", bursty(replicas=1),
     "caches.bursty.replicas: does not apply to a serverless cache: ElastiCache replicates it "
     "across zones itself. Remove the key."),
    ("nodes", bursty(nodes=3),
     "caches.bursty.nodes: does not apply to a serverless cache: it has no nodes. Remove the key."),
    ("parameters", bursty(parameters={"maxmemory-policy": "allkeys-lru"}),
     "caches.bursty.parameters: does not apply to a serverless cache: it takes no parameter "
     "group. Remove the key."),
    ("maintenance-window", bursty(maintenance_window="sun:05:00-sun:06:00"),
     "caches.bursty.maintenance_window: does not apply to a serverless cache: ElastiCache "
     "applies updates to it without a window or downtime. Remove the key."),
    ("global", bursty(**{"global": {"secondary_region": "eu-west-1"}}),
     "caches.bursty.global: does not apply to a serverless cache: it cannot join a Global "
     "Datastore. Remove the key."),
    ("autoscaling", bursty(autoscaling={"shards": {"min": 1, "max": 2}}),
     "caches.bursty.autoscaling: does not apply to a serverless cache: it scales itself within "
     "its usage limits. Remove the key."),
    ("port", bursty(aws={"port": 7000}),
     "caches.bursty.aws.port: does not apply to a serverless cache: its ports are fixed (6379 "
     "and reader 6380; Memcached 11211). Remove the key."),
    ("final-snapshot", bursty(final_snapshot=True),
     "caches.bursty.final_snapshot: true is not possible: a serverless cache is deleted "
     "without a final snapshot here (terraform-provider-aws sends none). Rely on "
     "snapshot_retention_days, or take a snapshot first."),
    ("data-limit", bursty(serverless={"max_data_gb": 6000, "max_ecpu_per_second": 5000}),
     "caches.bursty.serverless.max_data_gb: 6000 is not allowed; a serverless cache stores 1 to "
     "5000 GB."),
    ("ecpu-limit", bursty(serverless={"max_data_gb": 10, "max_ecpu_per_second": 500}),
     "caches.bursty.serverless.max_ecpu_per_second: 500 is not allowed; use 1,000 to 15,000,000 "
     "ECPUs a second."),
    ("expected-above-limit", bursty(serverless={**LIMITS, "expected_ecpu_per_second": 9000}),
     "caches.bursty.serverless.expected_ecpu_per_second: 9000 is not allowed; use 0 to "
     "max_ecpu_per_second (5000)."),
    ("expected-data-above-limit", bursty(serverless={**LIMITS, "expected_data_gb": 11}),
     "caches.bursty.serverless.expected_data_gb: 11 is not allowed; use 0 to max_data_gb (10)."),
    ("missing-limit", bursty(serverless={"max_data_gb": 10}),
     "caches.bursty.serverless.max_ecpu_per_second: is required."),
    ("version", bursty(engine_version="9.0"),
     "caches.bursty.engine_version: '9.0' is not offered for a serverless valkey cache; use one "
     "of 7.2, 8.0, 8.1, 8.2."),
    ("redis-6", aws_config({"b": {"engine": "redis", "engine_version": "6.2",
                                  "serverless": LIMITS}}),
     "caches.b.engine_version: '6.2' is not offered for a serverless redis cache; use one of "
     "7.0, 7.1."),
    ("memcached-snapshots", aws_config({"b": {"engine": "memcached", "serverless": LIMITS,
                                              "snapshot_retention_days": 3}}),
     "caches.b.snapshot_retention_days: Memcached has no snapshots; remove the key or use "
     "engine 'valkey'."),
    ("user-id-too-long", aws_config({"a-very-long-serverless-cache-name": {
        "serverless": LIMITS}}, name_prefix="prod"),
     "caches.a-very-long-serverless-cache-name: the user id "
     "'prod-a-very-long-serverless-cache-name-default' is 46 characters; ElastiCache allows 40. "
     "Shorten the cache name or set name_prefix."),
    ("gcp-valkey", gcp_config({"s": {"serverless": LIMITS}}),
     "caches.s.serverless: Memorystore has no serverless tier; the nearest option is an "
     "instance sized with shards, replicas and node_type, whose shards change online. Remove "
     "the key."),
    ("gcp-memcached", gcp_config({"s": {"engine": "memcached", "serverless": LIMITS}}),
     "caches.s.serverless: Memorystore has no serverless tier; the nearest option is "
     "Memorystore for Valkey (engine 'valkey'), sized with shards and node_type, whose shards "
     "change online. Remove the key."),
]


@pytest.mark.parametrize("config,expected", [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_bad_serverless_is_refused_and_nothing_is_created(attempt, config, expected):
    message, recorder = attempt(config)
    assert f"  - {expected}" in message.splitlines(), message
    assert recorder.registrations == []


def test_the_issue_example_resolves_with_documented_estimates():
    spec = load_stack_config(bursty("production"), "test")
    assert spec.caches == ()      # no node-based cache
    [cache] = spec.serverless_caches
    assert (cache.engine, cache.major_engine_version) == ("valkey", "8")
    assert (cache.max_data_gb, cache.max_ecpu_per_second) == (10, 5000)
    # Unset estimates: a quarter of each limit (at least the billed minimum of storage).
    assert (cache.expected_data_gb, cache.expected_ecpu_per_second) == (2.5, 1250)
    # Production: backups, a customer-managed key, protection, a user group.
    assert (cache.snapshot_retention_days, cache.daily_snapshot_time) == (7, "03:00")
    assert cache.create_kms_key and cache.deletion_protection and cache.user_group
    assert cache.ports == (6379, 6380)
    assert spec.all_caches == [cache]


def test_memcached_serverless_has_no_snapshots_and_no_user_group():
    spec = load_stack_config(aws_config({"f": {"engine": "memcached", "serverless": {
        "max_data_gb": 1, "max_ecpu_per_second": 1000, "expected_data_gb": 0.2}}}), "test")
    [cache] = spec.serverless_caches
    assert (cache.major_engine_version, cache.snapshot_retention_days) == ("1.6", 0)
    assert cache.daily_snapshot_time is None and not cache.user_group
    assert cache.ports == (11211,)
    assert cache.expected_data_gb == 0.2


def test_serverless_and_node_caches_keep_config_order():
    spec = load_stack_config(aws_config({"a": {}, "b": {"serverless": LIMITS}, "c": {}}), "test")
    assert [c.name for c in spec.all_caches] == ["a", "b", "c"]
    assert [c.name for c in spec.caches] == ["a", "c"]
