"""What valid GCP Memorystore configs resolve to: the versions, node types, tiers, windows,
profile defaults and warnings users rely on. Refused configs are in test_gcp_config.py."""

from __future__ import annotations

import pytest

from infra.config import load_stack_config
from tests.builders import (
    GCP_BARE_NETWORK,
    GCP_PROD,
    SUBNET,
    gcp_config,
    memcached,
    redis,
    valkey,
)


def spec_of(config: dict[str, str]):
    return load_stack_config(config, "test")


def cache_of(config: dict[str, str]):
    (cache,) = spec_of(config).caches
    return cache


@pytest.mark.parametrize(("engine", "version", "api"), [
    ("valkey", "7.2", "VALKEY_7_2"), ("valkey", "8.0", "VALKEY_8_0"),
    ("valkey", "9.0", "VALKEY_9_0"), ("redis", "6.x", "REDIS_6_X"),
    ("redis", "7.2", "REDIS_7_2"), ("memcached", "1.5", "MEMCACHE_1_5"),
])
def test_engine_version_maps_to_the_memorystore_name(engine, version, api):
    cache = cache_of(gcp_config({"s": {"engine": engine, "engine_version": version}}))
    assert (cache.engine_version, cache.api_version) == (version, api)


def test_development_defaults_are_small_and_unprotected_but_encrypted_and_authenticated():
    cache = cache_of(gcp_config())
    assert (cache.engine, cache.node_type, cache.replicas) == ("valkey", "SHARED_CORE_NANO", 0)
    # TLS and authentication cost nothing and can only be chosen at creation: on everywhere.
    assert (cache.tls, cache.auth, cache.deletion_protection) == (True, True, False)
    assert (cache.persistence, cache.backup_retention_days) == ("DISABLED", 0)
    assert cache.alarms.notify is False


def test_production_defaults_are_highly_available_and_protected():
    cache = cache_of(gcp_config(profile="production", alerts={"emails": ["ops@example.com"]}))
    assert (cache.node_type, cache.replicas) == ("HIGHMEM_MEDIUM", 2)
    assert (cache.tls, cache.auth, cache.deletion_protection) == (True, True, True)
    assert (cache.persistence, cache.rdb_snapshot_period) == ("RDB", "ONE_HOUR")
    assert cache.backup_retention_days == 7
    assert cache.alarms.notify is True


@pytest.mark.parametrize(("profile", "memory_gb", "node_type"), [
    ("development", 1, "SHARED_CORE_NANO"),
    ("production", 1, "STANDARD_SMALL"),     # no shared-core-nano (no SLA) in production
    ("development", 10, "HIGHMEM_MEDIUM"),
    ("development", 40, "HIGHMEM_XLARGE"),
    # Node types of unknown capacity (custom-micro, standard-large, ...) are never picked.
    ("production", 2, "STANDARD_SMALL"),
    ("development", 15, "HIGHMEM_XLARGE"),
])
def test_valkey_memory_picks_the_smallest_fitting_node_type(profile, memory_gb, node_type):
    cache = cache_of(gcp_config(valkey(memory_gb=memory_gb), profile=profile))
    assert cache.node_type == node_type


@pytest.mark.parametrize(("node_type", "api", "clients"), [
    ("custom-micro", "CUSTOM_MICRO", 16000), ("highcpu-medium", "HIGHCPU_MEDIUM", 32000),
    ("standard-large", "STANDARD_LARGE", 32000), ("highmem-2xlarge", "HIGHMEM_2XLARGE", 64000),
])
def test_every_node_type_google_offers_is_accepted_with_its_client_limit(node_type, api, clients,
                                                                         attempt):
    cache = cache_of(gcp_config(valkey(node_type=node_type), profile="production"))
    assert cache.node_type == api
    # The client limit of Google's quotas page holds the connection threshold.
    error, recorder = attempt(gcp_config(valkey(node_type=node_type,
                                                alarms={"max_connections": clients})))
    assert f"max_connections: {clients} is not allowed; a {node_type} node (maxclients " \
        f"{clients}) accepts at most {clients} clients" in error
    assert recorder.registrations == []


@pytest.mark.parametrize(("shards", "cluster_mode"), [(1, False), (3, True)])
def test_valkey_cluster_mode_follows_shards(shards, cluster_mode):
    assert cache_of(gcp_config(valkey(shards=shards))).cluster_mode is cluster_mode


def test_a_node_type_in_the_api_spelling_is_accepted():
    assert cache_of(gcp_config(valkey(node_type="HIGHMEM_MEDIUM"))).node_type == "HIGHMEM_MEDIUM"


@pytest.mark.parametrize(("keys", "tier", "read_replicas"), [
    ({"replicas": 0}, "BASIC", False),
    ({"replicas": 1}, "STANDARD_HA", False),
    ({"replicas": 1, "memory_gb": 5, "gcp": {"read_replicas": True}}, "STANDARD_HA", True),
    ({"replicas": 3, "memory_gb": 5}, "STANDARD_HA", True),
])
def test_redis_tier_and_read_replicas_follow_replicas(keys, tier, read_replicas):
    cache = cache_of(gcp_config(redis(**keys)))
    assert (cache.tier, cache.read_replicas) == (tier, read_replicas)


def test_redis_with_tls_moves_to_port_6378():
    assert cache_of(gcp_config(redis(gcp={"tls": True}))).port == 6378
    assert cache_of(gcp_config(redis(gcp={"tls": False}))).port == 6379


def test_a_default_connection_threshold_above_the_node_cap_is_lowered_to_fire():
    # Development's 5000 equals a shared-core-nano node's cap: GT 5000 could never be met.
    [cache] = load_stack_config(gcp_config(valkey(node_type="shared-core-nano")), "test").caches
    assert cache.alarms.max_connections == 4000
    [cache] = load_stack_config(gcp_config(valkey(node_type="standard-small")), "test").caches
    assert cache.alarms.max_connections == 5000       # the profile's, below 16000


def test_redis_6_with_tls_lowers_the_default_threshold_to_its_tier():
    [cache] = load_stack_config(gcp_config(redis(engine_version="6.x", memory_gb=5,
                                                 gcp={"tls": True, "auth": True}),
                                           profile="production",
                                           alerts={"emails": ["ops@example.com"]}),
                                "test").caches
    assert cache.alarms.max_connections == 2000           # 80 % of the M2 tier's 2500
    [cache] = load_stack_config(gcp_config(redis(memory_gb=5, gcp={"tls": True}),
                                           profile="production",
                                           alerts={"emails": ["ops@example.com"]}),
                                "test").caches
    assert cache.alarms.max_connections == 10000          # Redis 7: 65000, the profile's


def test_a_maxclients_above_the_node_type_still_holds_the_threshold_to_its_maximum(attempt):
    message, _ = attempt(gcp_config(valkey(node_type="standard-small",
                                           parameters={"maxclients": "40000"},
                                           alarms={"max_connections": 35000})))
    assert "caches.s.parameters.maxclients: 40000 is above" in message
    assert "caches.s.alarms.max_connections: 35000 is not allowed; a standard-small node " \
        "accepts at most 32000 clients" in message


def test_maintenance_window_maps_to_day_and_start():
    cache = cache_of(gcp_config(valkey(maintenance_window="wed:22:00-wed:23:00")))
    assert (cache.maintenance.day, cache.maintenance.hour, cache.maintenance.minute) == \
        ("wed", 22, 0)


@pytest.mark.parametrize(("vcpus", "memory_gb", "memory_mb"), [
    (2, 4, 4096),
    (32, 256, 262144),          # the largest node: 32 vCPUs, 256 GB
])
def test_memcached_memory_is_per_node_in_mebibytes(vcpus, memory_gb, memory_mb):
    cache = cache_of(gcp_config(memcached(nodes=3, memory_gb=memory_gb, gcp={"vcpus": vcpus})))
    assert (cache.nodes, cache.vcpus, cache.memory_mb) == (3, vcpus, memory_mb)


def test_memcached_warns_that_google_stops_new_instances():
    spec = spec_of(gcp_config(memcached()))
    assert "caches.s: Google stops new Memorystore for Memcached instances in new projects " \
           "after 2027-02-01; consider engine 'valkey' (Memorystore for Valkey) instead." \
           in spec.warnings


def test_production_warns_about_no_sla_nodes_and_turned_off_security():
    spec = spec_of(gcp_config(valkey(node_type="shared-core-nano", gcp={"tls": False}),
                              profile="production", alerts={"emails": ["ops@example.com"]}))
    assert "caches.s.node_type 'shared-core-nano' has no SLA; Google recommends standard-small " \
           "or larger in production." in spec.warnings
    assert "caches.s.gcp.tls is false: traffic to a production cache is not encrypted." \
        in spec.warnings


ZONE_WARNING = ("caches.s.gcp.zone puts every replica in us-central1-a: a zone outage takes the "
                "whole cache down.")


@pytest.mark.parametrize(("caches", "top", "expected"), [
    # Development may turn TLS and AUTH off without a word; production with both on says nothing.
    (valkey(gcp={"tls": False, "auth": False}), {}, []),
    (valkey(), GCP_PROD, []),
    (valkey(gcp={"auth": False}), GCP_PROD,
     ["caches.s.gcp.auth is false: any client in the network can use a production cache "
      "without credentials."]),
    (valkey(replicas=1, gcp={"zone": "us-central1-a"}), GCP_PROD, [ZONE_WARNING]),
    (valkey(replicas=0, gcp={"zone": "us-central1-a"}), GCP_PROD, []),
    # gcp.zone places a Redis primary; its STANDARD_HA replica is in another zone.
    (redis(replicas=1, gcp={"zone": "us-central1-a"}), GCP_PROD, []),
], ids=["development-tls-auth-off", "production-defaults", "production-auth-off",
        "valkey-replica-in-one-zone", "valkey-without-replicas", "redis-standard-ha"])
def test_production_warns_about_unauthenticated_caches_and_replicas_in_one_zone(caches, top,
                                                                                  expected):
    warnings = spec_of(gcp_config(caches, **top)).warnings
    assert [w for w in warnings if w.startswith("caches.s.gcp.")] == expected


def test_valkey_automated_backups_follow_retention_and_window():
    cache = cache_of(gcp_config(valkey(snapshot_retention_days=30, snapshot_window="02:00-03:00")))
    assert (cache.backup_retention_days, cache.backup_start_hour) == (30, 2)


def test_limits_at_their_edge_are_accepted():
    # 40-character Redis and Memcached ids, an 80-character Memcached display name, a prefix
    # whose longest network name is 63 characters, Valkey backups from 01:00, a 63-character
    # Valkey secondary id, a 63-character managed zone name (on a network the stack names no
    # resource of), maxclients at its node type's maximum, a 4-character Valkey id, an 8-hour
    # Memcached window, 8 GB on a 1-vCPU Memcached node, and what a product does anyway: one
    # Redis shard, no Redis final snapshot.
    for config in (gcp_config(redis(), name_prefix="p" * 38),
                   gcp_config(memcached(), name_prefix="p" * 38),
                   gcp_config(memcached(description="d" * 80)),
                   gcp_config(valkey(snapshot_window="01:00-02:00"), name_prefix="p" * 39),
                   gcp_config(valkey(**{"global": {"secondary_region": "us-east4"}}),
                              name_prefix="p" * 56, network=GCP_BARE_NETWORK),
                   gcp_config(valkey(), name_prefix="p" * 57,
                              network={**GCP_BARE_NETWORK, "dns": {"zone": "cache.internal"}}),
                   gcp_config(valkey(node_type="standard-small",
                                     parameters={"maxclients": "32000"})),
                   gcp_config({"ab": {}}, name_prefix="x"),
                   gcp_config(memcached(maintenance_window="sun:05:00-sun:13:00")),
                   gcp_config(memcached(gcp={"vcpus": 1}, memory_gb=8)),
                   gcp_config(redis(shards=1, final_snapshot=False))):
        assert load_stack_config(config, "test").caches


def test_existing_network_with_subnet_per_valkey_region_is_accepted():
    spec = spec_of(gcp_config(valkey(**{"global": {"secondary_region": "us-east4"}}),
                              network={"vpc_id": "shared", "subnet_ids": [
                                  SUBNET.format("us-central1"), SUBNET.format("us-east4")]}))
    assert spec.network.network == "shared"
    assert spec.network.subnet_regions() == {"us-central1": [SUBNET.format("us-central1")],
                                             "us-east4": [SUBNET.format("us-east4")]}



def test_more_e_mail_addresses_than_a_policy_took_channels_is_a_warning():
    # Each address is a notification channel on every alert policy; Cloud Monitoring's quotas
    # have allowed 16 a policy.
    def warnings(count: int) -> tuple[str, ...]:
        emails = [f"oncall{i}@example.com" for i in range(count)]
        return load_stack_config(gcp_config(alerts={"emails": emails}), "test").warnings

    assert warnings(16) == ()
    assert warnings(17) == (
        "alerts.emails lists 17 addresses, one notification channel each on every alert "
        "policy; Cloud Monitoring has allowed at most 16 channels a policy, so the policies may "
        "be refused. Use a group address.",)



@pytest.mark.parametrize("shards, replicas", [(250, 0), (125, 1), (41, 5)])
def test_a_valkey_instance_of_exactly_its_usage_units_is_accepted(shards, replicas):
    # "Usage units per instance: 250", shards x (1 + replicas): at the limit, not past it.
    config = gcp_config(valkey(shards=shards, replicas=replicas,
                               **{"global": {"secondary_region": "us-east4"}}))
    [cache] = load_stack_config(config, "test").caches
    assert (cache.shards, cache.replicas, cache.secondary_replicas) == (shards, replicas, replicas)


def test_an_address_repeated_in_another_case_counts_once_toward_the_channel_warning():
    emails = [f"oncall{i}@example.com" for i in range(16)] + ["ONCALL0@example.com"]
    assert load_stack_config(gcp_config(alerts={"emails": emails}), "test").warnings == ()


@pytest.mark.parametrize(("cache", "expected"), [
    (valkey(replicas=3), ["caches.s.replicas: 3 replicas on one shard without cluster mode; "
                          "Google's Cluster Mode page says a Cluster Mode Disabled instance has "
                          "at most 2 read replicas. If the create is refused, use 2 or set "
                          "gcp.cluster_mode: true (decided at creation)."]),
    (valkey(replicas=2), []),
    (valkey(replicas=5, shards=2), []),                     # cluster mode: five per shard
    (valkey(replicas=3, gcp={"cluster_mode": True}), []),
    (valkey(replicas=2, **{"global": {"secondary_region": "us-east4", "secondary_replicas": 4}}),
     ["caches.s.global.secondary_replicas: 4 replicas on one shard without cluster mode; "
      "Google's Cluster Mode page says a Cluster Mode Disabled instance has at most 2 read "
      "replicas. If the create is refused, use 2 or set gcp.cluster_mode: true (decided at "
      "creation)."]),
], ids=["three-replicas", "two-replicas", "cluster-mode-shards", "cluster-mode-one-shard",
        "secondary-with-four"])
def test_valkey_without_cluster_mode_past_two_replicas_is_warned(cache, expected):
    warnings = spec_of(gcp_config(cache, **GCP_PROD)).warnings
    assert [w for w in warnings if "Cluster Mode" in w] == expected
