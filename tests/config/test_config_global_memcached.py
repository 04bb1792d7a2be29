"""Validation of Global Datastore and Memcached settings (AWS)."""

from __future__ import annotations

import pytest

from infra.config import load_stack_config
from tests.builders import aws_config

# The AWS regions that offer Global Datastore, as the ElastiCache user guide lists them.
GD_REGIONS = {
    "af-south-1", "ap-east-1", "ap-south-2", "ap-southeast-3", "ap-southeast-5",
    "ap-southeast-4", "ap-south-1", "ap-northeast-3", "ap-northeast-2", "ap-southeast-1",
    "ap-southeast-2", "ap-southeast-7", "ap-northeast-1", "ca-central-1", "ca-west-1",
    "eu-central-1", "eu-west-2", "eu-west-1", "eu-south-1", "eu-west-3", "eu-south-2",
    "eu-north-1", "eu-central-2", "il-central-1", "me-south-1", "me-central-1", "us-east-1",
    "us-east-2", "us-west-1", "us-west-2", "mx-central-1", "sa-east-1"}
GLOBAL = {"node_type": "cache.r7g.large", "replicas": 1,
          "global": {"secondary_region": "eu-west-1"}}

BAD = [
    ("redis-6x", {"s": {**GLOBAL, "engine": "redis", "engine_version": "6.x"}},
     "caches.s.engine_version: '6.x' cannot start a Global Datastore; use '6.2'."),
    ("t-class-node", {"s": {**GLOBAL, "node_type": "cache.t4g.medium"}},
     "caches.s.global: node type 'cache.t4g.medium' cannot join a Global Datastore; use size "
     "large or bigger of c7gn, m5, m6g, m7g, r5, r6g, r6gd, r7g."),
    ("same-region", {"s": {**GLOBAL, "global": {"secondary_region": "us-east-1"}}},
     "caches.s.global.secondary_region: 'us-east-1' is the primary region; a secondary must be "
     "another region."),
    ("not-a-region", {"s": {**GLOBAL, "global": {"secondary_region": "eu-wst-1"}}},
     "caches.s.global.secondary_region: 'eu-wst-1' is not an AWS region. Did you mean "
     "'eu-west-1'?"),
    ("secondary-without-global-datastore", {"s": {**GLOBAL, "global": {
        "secondary_region": "ap-east-2"}}},
     "caches.s.global.secondary_region: 'ap-east-2' does not offer Global Datastore; use one of "
     + ", ".join(sorted(GD_REGIONS - {"us-east-1"})) + "."),
    ("three-secondaries", {"s": {**GLOBAL, "global": {
        "secondary_regions": ["eu-west-1", "eu-west-2", "ap-south-1"]}}},
     "caches.s.global: 3 secondary regions is not allowed; a Global Datastore has 1 to 2."),
    ("no-secondary", {"s": {**GLOBAL, "global": {}}},
     "caches.s.global: 0 secondary regions is not allowed; a Global Datastore has 1 to 2."),
    ("both-region-keys", {"s": {**GLOBAL, "global": {"secondary_region": "eu-west-1",
                                                      "secondary_regions": ["eu-west-2"]}}},
     "caches.s.global: set secondary_region or secondary_regions, not both."),
    ("duplicate-secondary", {"s": {**GLOBAL, "global": {
        "secondary_regions": ["eu-west-1", "eu-west-1"]}}},
     "caches.s.global: a secondary region is listed twice."),
    ("node-type-not-in-secondary-region", {"s": {
        **GLOBAL, "node_type": "cache.r6g.large",
        "global": {"secondary_region": "ap-southeast-7"}}},
     "caches.s.global.secondary_region: 'cache.r6g.large' is not offered in ap-southeast-7; "
     "ElastiCache there offers only m7g and r7g (large to 16xlarge), t3 and t4g (micro to "
     "medium)."),
    ("secondary-without-replica", {"s": {**GLOBAL, "global": {"secondary_region": "eu-west-1",
                                                               "secondary_replicas": 0}}},
     "caches.s.global.secondary_replicas: 0 is not allowed: the primary has automatic "
     "failover, so each secondary region needs at least one replica."),
    ("secondary-past-500-nodes", {"s": {**GLOBAL, "shards": 90, "replicas": 1, "global": {
        "secondary_region": "eu-west-1", "secondary_replicas": 5}}},
     "caches.s.global.secondary_replicas: 90 shards of 6 nodes (1 primary, 5 replicas) make "
     "540 nodes in each secondary region; a replication group holds at most 500, so use at "
     "most 4 replicas per shard there."),
    ("global-memcached", {"m": {"engine": "memcached",
                                "global": {"secondary_region": "eu-west-1"}}},
     "caches.m.global: Memcached has no Global Datastore; remove the key or use engine "
     "'valkey'."),
    ("secondary-id-too-long", {"a-cache-name-of-thirty-one-char": GLOBAL},
     "caches.a-cache-name-of-thirty-one-char.global: the secondary id "
     "'test-a-cache-name-of-thirty-one-char-euw1' is 41 characters; ElastiCache allows 40. "
     "Shorten the cache name."),
    ("secondary-network-conflict", {
        "a": {**GLOBAL, "global": {"secondary_region": "eu-west-1",
                                   "network": {"vpc_cidr": "10.1.0.0/16"}}},
        "b": {**GLOBAL, "global": {"secondary_region": "eu-west-1",
                                   "network": {"vpc_cidr": "10.2.0.0/16"}}}},
     "caches.b.global.network: differs from the network caches.a gives eu-west-1; caches in one "
     "region share its network."),
    ("memcached-replicas", {"m": {"engine": "memcached", "replicas": 1}},
     "caches.m.replicas: Memcached has no replication; remove the key or use engine 'valkey'."),
    ("memcached-shards", {"m": {"engine": "memcached", "shards": 2}},
     "caches.m.shards: Memcached has no shards (it spreads keys over nodes instead); remove the "
     "key or use engine 'valkey'."),
    ("memcached-snapshots", {"m": {"engine": "memcached", "snapshot_retention_days": 3}},
     "caches.m.snapshot_retention_days: Memcached has no snapshots; remove the key or use engine "
     "'valkey'."),
    ("memcached-kms", {"m": {"engine": "memcached", "aws": {"create_kms_key": True}}},
     "caches.m.aws.create_kms_key: Memcached has no at-rest encryption with a KMS key; remove "
     "the key or use engine 'valkey'."),
    ("memcached-too-many-nodes", {"m": {"engine": "memcached", "nodes": 301}},
     "caches.m.nodes: 301 is not allowed; a Memcached cluster has 1 to 300 nodes."),
    ("memcached-old-version", {"m": {"engine": "memcached", "engine_version": "1.6.6"}},
     "caches.m.engine_version: '1.6.6' is not a supported memcached version on ElastiCache (TLS "
     "needs Memcached 1.6.12 or later); use one of 1.6.12, 1.6.17, 1.6.22."),
    ("memcached-alarm-key-on-valkey", {"s": {"alarms": {"swap_usage_mb": 10}}},
     "caches.s.alarms.swap_usage_mb: is not watched on valkey; only memcached caches publish "
     "that metric. Remove it."),
    ("valkey-alarm-key-on-memcached", {"m": {"engine": "memcached",
                                             "alarms": {"replication_lag_seconds": 2}}},
     "caches.m.alarms.replication_lag_seconds: is not watched on memcached; only valkey or redis "
     "caches publish that metric. Remove it."),
    ("nodes-on-valkey", {"s": {"nodes": 3}},
     "caches.s.nodes: valkey is sized with shards and replicas; nodes is for memcached only."),
]


@pytest.mark.parametrize("caches,expected", [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_refused_with_message_and_nothing_created(attempt, caches, expected):
    message, recorder = attempt(aws_config(caches))
    assert f"  - {expected}" in message.splitlines(), message
    assert recorder.registrations == []


def test_a_primary_region_without_global_datastore_is_refused(attempt):
    message, recorder = attempt(aws_config({"s": GLOBAL}, **{"aws:region": "ap-east-2"}))
    assert ("  - caches.s.global: the primary region 'ap-east-2' does not offer Global "
            "Datastore; use one of") in message, message
    assert recorder.registrations == []


def test_secondary_network_defaults_to_the_next_block_after_the_primary():
    spec = load_stack_config(aws_config({"s": GLOBAL}, network={"vpc_cidr": "10.40.0.0/16"}),
                             "test")
    assert spec.regions == ["us-east-1", "eu-west-1"]
    eu = spec.secondary_networks["eu-west-1"]
    assert eu.vpc_cidr == "10.41.0.0/16"


def test_existing_primary_vpc_needs_an_explicit_secondary_network(attempt):
    network = {"vpc_id": "vpc-0123456789abcdef0", "subnet_ids": ["subnet-0123456789abcdef0"],
               "allowed_cidrs": ["10.0.0.0/16"]}
    message, _ = attempt(aws_config({"s": GLOBAL}, network=network))
    assert ("  - caches.s.global.network: is required: the primary uses an existing VPC, so say "
            "which network to use in eu-west-1.") in message.splitlines()


def test_secondary_replicas_default_to_the_primary_count():
    spec = load_stack_config(aws_config({"s": {**GLOBAL, "replicas": 2}}), "test")
    assert spec.caches[0].global_.secondary_replicas == 2


def test_memcached_defaults_follow_the_profile():
    dev = load_stack_config(aws_config({"m": {"engine": "memcached"}}), "test").caches[0]
    prod = load_stack_config(aws_config({"m": {"engine": "memcached"}}, profile="production",
                                        alerts={"emails": ["a@example.com"]}), "test").caches[0]
    assert (dev.nodes, prod.nodes) == (1, 3)
    assert (dev.port, dev.family, dev.snapshot_retention_days) == (11211, "memcached1.6", 0)
    assert prod.member_ids == ["test-m"]


# ---------------------------------------------------------------------------------------------
# Cross-region reachability: with global:, clients in every region of the cache write through
# the primary, which is in the other region now or after a failover. Each region's security
# group must admit the other regions' clients; routing between the regions is the user's.
# ---------------------------------------------------------------------------------------------
def test_unset_client_ranges_admit_every_region_of_a_global_cache():
    spec = load_stack_config(aws_config({"s": GLOBAL}, network={"vpc_cidr": "10.40.0.0/16"}),
                             "test")
    assert spec.network.allowed_cidrs == ("10.40.0.0/16", "10.41.0.0/16")
    assert spec.secondary_networks["eu-west-1"].allowed_cidrs == ("10.41.0.0/16", "10.40.0.0/16")


def test_client_ranges_that_miss_the_other_region_are_refused(attempt):
    caches = {"s": {**GLOBAL, "global": {"secondary_region": "eu-west-1", "network": {
        "vpc_cidr": "10.51.0.0/16", "allowed_cidrs": ["10.51.0.0/16", "10.61.0.0/16"]}}}}
    network = {"vpc_cidr": "10.50.0.0/16", "allowed_cidrs": ["10.50.0.0/16", "10.60.0.0/16"]}
    message, recorder = attempt(aws_config(caches, network=network))
    lines = message.splitlines()
    assert ("  - network.allowed_cidrs: does not cover 10.51.0.0/16, 10.61.0.0/16, the clients "
            "of eu-west-1 (caches.s.global.network.allowed_cidrs); with global:, they write to "
            "the primary in us-east-1. Add them; routing between the regions (VPC peering or a "
            "Transit Gateway) is yours: this stack builds none.") in lines, message
    assert ("  - caches.s.global.network.allowed_cidrs: does not cover 10.50.0.0/16, "
            "10.60.0.0/16, the clients of us-east-1 (network.allowed_cidrs); with global:, they "
            "write to the primary in eu-west-1 after a failover. Add them; routing between the "
            "regions (VPC peering or a Transit Gateway) is yours: this stack builds none.") \
        in lines, message
    assert recorder.registrations == []


def test_a_wider_range_covers_the_other_region():
    caches = {"s": {**GLOBAL, "global": {"secondary_region": "eu-west-1", "network": {
        "vpc_cidr": "10.51.0.0/16", "allowed_cidrs": ["10.51.0.0/16", "10.61.0.0/16",
                                                      "10.48.0.0/12"]}}}}
    network = {"vpc_cidr": "10.50.0.0/16", "allowed_cidrs": ["10.48.0.0/12"]}
    spec = load_stack_config(aws_config(caches, network=network), "test")
    assert spec.network.allowed_cidrs == ("10.48.0.0/12",)   # covers 10.51/16 and 10.61/16


def test_clients_admitted_by_security_group_are_warned_they_stay_in_their_region():
    network = {"vpc_cidr": "10.40.0.0/16", "allowed_security_group_ids": ["sg-0123456789abcdef0"]}
    spec = load_stack_config(aws_config({"s": GLOBAL}, network=network), "test")
    assert any(w.startswith("network.allowed_security_group_ids: security groups do not cross "
                            "regions") for w in spec.warnings), spec.warnings


def test_each_secondary_region_past_the_default_node_quota_is_a_warning():
    # Node quotas are per account and region: the secondary region needs its own raise.
    config = aws_config({"s": {**GLOBAL, "shards": 50, "replicas": 1}})
    assert load_stack_config(config, "test").warnings == (
        "caches.s.shards: 100 nodes pass ElastiCache's default quota of 90 nodes per cluster; "
        "ask for 'Nodes per cluster (cluster mode enabled)' in Service Quotas before "
        "`pulumi up`.",
        "caches.s.global: 100 nodes in each secondary region pass "
        "ElastiCache's default quota of 90 nodes per cluster; ask for 'Nodes per cluster "
        "(cluster mode enabled)' in Service Quotas before `pulumi up`.")



@pytest.mark.parametrize("cache, expected", [
    # Out of range: only the range check speaks, not the node count of the group or secondary.
    ({**GLOBAL, "shards": 600, "global": {"secondary_region": "eu-west-1",
                                          "secondary_replicas": 3}},
     "caches.s.shards: 600 is not allowed; a replication group has 1 to 500 shards."),
    # Too many nodes with the primary's replicas: said once, for the group.
    ({**GLOBAL, "shards": 84, "replicas": 5},
     "caches.s.shards: 84 shards of 6 nodes (1 primary, 5 replicas) make 504 nodes; a "
     "replication group holds at most 500, e.g. 83 shards with 5 replicas."),
])
def test_a_group_too_big_is_one_problem(attempt, cache, expected):
    message, _ = attempt(aws_config({"s": cache}))
    assert message.splitlines()[1:] == [f"  - {expected}"]



def test_memcached_past_the_apis_default_40_nodes_is_a_warning():
    # The API takes 1 to 40 until AWS raises the account's limit; a cluster holds up to 300.
    def warnings(nodes: int) -> tuple[str, ...]:
        config = aws_config({"m": {"engine": "memcached", "nodes": nodes}})
        return load_stack_config(config, "test").warnings

    assert warnings(40) == ()
    assert warnings(300) == (
        "caches.m.nodes: 300 nodes pass the 40 Memcached nodes a cluster the ElastiCache API "
        "takes until AWS raises the account's limit; ask for it (ElastiCache limit increase) "
        "before `pulumi up`.",)


def test_a_global_primary_without_a_replica_is_warned_it_keeps_none():
    # Cluster mode off: the primary cannot later move between 0 and 1+ replicas (plan --diff
    # shows that change REJECTED, components/provider_facts.py).
    spec = load_stack_config(aws_config({"s": {**GLOBAL, "replicas": 0}}), "test")
    assert "caches.s.global: the primary has no replica, and a Global Datastore primary with " \
           "cluster mode disabled cannot move between 0 and 1 or more replicas later; give it " \
           "its replica now." in spec.warnings
    assert not any("no replica" in w for w in load_stack_config(
        aws_config({"s": {**GLOBAL, "replicas": 1}}), "test").warnings)
