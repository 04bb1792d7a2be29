"""`caches.<name>.autoscaling`: ElastiCache auto scaling's rules, each refused with its exact
message and nothing registered; a valid block resolves to the scaler's ranges."""

from __future__ import annotations

import pytest

from infra.config import load_stack_config
from tests.builders import aws_config, gcp_config

FEED = {"shards": 2, "replicas": 1, "node_type": "cache.r7g.large"}
BOTH = {"replicas": {"min": 1, "max": 3, "target_cpu_percent": 60},
        "shards": {"min": 2, "max": 6, "target_memory_percent": 70}}


def feed(**changes):
    return aws_config({"feed": {**FEED, **changes}}, profile="production")


BAD = [
    ("memcached", aws_config({"feed": {"engine": "memcached", "autoscaling": BOTH}}),
     "caches.feed.autoscaling: Memcached has no replicas or shards to scale; remove "
     "autoscaling or use engine 'valkey'."),
    ("empty", feed(autoscaling={}),
     "caches.feed.autoscaling: is empty; set replicas, shards or both, e.g. "
     "`shards: {min: 2, max: 6}`."),
    ("no-cluster-mode", feed(shards=1, autoscaling={"replicas": {"min": 1, "max": 3}}),
     "caches.feed.autoscaling: needs cluster mode; ElastiCache auto scales only "
     "cluster-mode-enabled groups. Set shards above 1 or aws.cluster_mode: true."),
    ("global-datastore", feed(autoscaling=BOTH, **{"global": {"secondary_region": "eu-west-1"}}),
     "caches.feed.autoscaling: ElastiCache does not auto scale a Global Datastore member; "
     "remove autoscaling or global."),
    ("burstable-family", feed(node_type="cache.t4g.medium", autoscaling=BOTH),
     "caches.feed.autoscaling: node type 'cache.t4g.medium' cannot auto scale; use size large, "
     "xlarge or 2xlarge of c7gn, m5, m6g, m7g, r5, r6g, r6gd, r7g."),
    ("too-big-a-size", feed(node_type="cache.r7g.4xlarge", autoscaling=BOTH),
     "caches.feed.autoscaling: node type 'cache.r7g.4xlarge' cannot auto scale; use size "
     "large, xlarge or 2xlarge of c7gn, m5, m6g, m7g, r5, r6g, r6gd, r7g."),
    ("data-tiering-on-redis-6", feed(engine="redis", engine_version="6.2",
                                     node_type="cache.r6gd.xlarge", autoscaling=BOTH),
     "caches.feed.autoscaling: redis 6.2 cannot auto scale; data tiering nodes need redis 7.0 "
     "or later."),
    ("configured-below-min", feed(replicas=1, autoscaling={"replicas": {"min": 2, "max": 3}}),
     "caches.feed.autoscaling.replicas: replicas: 1 is outside min 2 to max 3; the count you "
     "configure must lie within the range the scaler keeps."),
    ("configured-above-max", feed(shards=8, autoscaling=BOTH),
     "caches.feed.autoscaling.shards: shards: 8 is outside min 2 to max 6; the count you "
     "configure must lie within the range the scaler keeps."),
    # RegisterScalableTarget with tags refuses a target that exists (terraform-provider-aws#31839).
    ("adopted-in-the-same-update", feed(autoscaling=BOTH, aws={"import_id": "test-feed"}),
     "caches.feed.autoscaling: an adopted group (aws.import_id) gets auto scaling in a later "
     "update, not the one that imports it: a target the group already has in Application Auto "
     "Scaling refuses to be registered again with tags. Adopt it without autoscaling, deregister "
     "its live targets (docs/adopting.md), then add autoscaling."),
    ("min-above-max", feed(autoscaling={"shards": {"min": 6, "max": 2}}),
     "caches.feed.autoscaling.shards: min 6 is above max 2."),
    # AutoScaling-Policies, Minimum and maximum capacity: shards 1 to 250, replicas 1 to 5.
    ("replicas-beyond-aws", feed(autoscaling={"replicas": {"min": 1, "max": 6}}),
     "caches.feed.autoscaling.replicas.max: 6 is not allowed; ElastiCache auto scaling keeps 1 "
     "to 5 replicas."),
    ("zero-replicas", feed(autoscaling={"replicas": {"min": 0, "max": 2}}),
     "caches.feed.autoscaling.replicas.min: 0 is not allowed; ElastiCache auto scaling keeps 1 "
     "to 5 replicas."),
    ("shards-beyond-aws", feed(autoscaling={"shards": {"min": 2, "max": 251}}),
     "caches.feed.autoscaling.shards.max: 251 is not allowed; ElastiCache auto scaling keeps 1 "
     "to 250 shards."),
    ("zero-shards", feed(autoscaling={"shards": {"min": 0, "max": 4}}),
     "caches.feed.autoscaling.shards.min: 0 is not allowed; ElastiCache auto scaling keeps 1 to "
     "250 shards."),
    ("cpu-target", feed(autoscaling={"replicas": {"min": 1, "max": 3,
                                                  "target_cpu_percent": 90}}),
     "caches.feed.autoscaling.replicas.target_cpu_percent: 90 is not allowed; ElastiCache auto "
     "scaling targets 35 to 70 %."),
    ("memory-target", feed(autoscaling={"shards": {"min": 2, "max": 6,
                                                   "target_memory_percent": 20}}),
     "caches.feed.autoscaling.shards.target_memory_percent: 20 is not allowed; ElastiCache auto "
     "scaling targets 35 to 70 %."),
    ("missing-max", feed(autoscaling={"shards": {"min": 2}}),
     "caches.feed.autoscaling.shards.max: is required."),
    ("misspelled", feed(autoscaling={"shard": {"min": 2, "max": 6}}),
     "caches.feed.autoscaling.shard: is not a known key. Did you mean 'shards'? Allowed keys "
     "here: replicas, shards."),
    ("gcp-valkey", gcp_config({"s": {"autoscaling": BOTH}}),
     "caches.s.autoscaling: Memorystore for Valkey has no managed auto scaling; set shards and "
     "replicas here and change them online, without downtime. Remove the key."),
    ("gcp-redis", gcp_config({"s": {"engine": "redis", "autoscaling": BOTH}}),
     "caches.s.autoscaling: Memorystore for Redis has no managed auto scaling; the nearest "
     "option is Memorystore for Valkey (engine 'valkey'), whose shards and replicas change "
     "online. Remove the key."),
]


@pytest.mark.parametrize("config,expected", [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_bad_autoscaling_is_refused_and_nothing_is_created(attempt, config, expected):
    message, recorder = attempt(config)
    assert f"  - {expected}" in message.splitlines(), message
    assert recorder.registrations == []


def test_the_issue_example_resolves_to_the_scalers_ranges():
    spec = load_stack_config(feed(autoscaling=BOTH), "test")
    [cache] = spec.caches
    scaling = cache.autoscaling
    assert (scaling.replicas.min, scaling.replicas.max, scaling.replicas.target_percent) == (
        1, 3, 60.0)
    assert scaling.replicas.metric == "ElastiCacheReplicaEngineCPUUtilization"
    assert (scaling.shards.min, scaling.shards.max, scaling.shards.target_percent) == (2, 6, 70.0)
    assert scaling.shards.metric == "ElastiCacheDatabaseMemoryUsageCountedForEvictPercentage"
    # The configured counts are what gets created; the scaler moves them later.
    assert (cache.shards, cache.replicas, cache.nodes) == (2, 1, 4)


def test_targets_default_and_data_tiering_tracks_capacity():
    spec = load_stack_config(feed(node_type="cache.r6gd.xlarge", autoscaling={
        "replicas": {"min": 1, "max": 2}, "shards": {"min": 1, "max": 4}}), "test")
    scaling = spec.caches[0].autoscaling
    assert (scaling.replicas.target_percent, scaling.shards.target_percent) == (60.0, 70.0)
    # Data-tiering nodes cannot use the memory metric (AutoScaling-Scaling-Policies-Target).
    assert scaling.shards.metric == "ElastiCacheDatabaseCapacityUsageCountedForEvictPercentage"


def test_one_shard_with_cluster_mode_on_may_scale():
    spec = load_stack_config(feed(shards=1, aws={"cluster_mode": True},
                                  autoscaling={"shards": {"min": 1, "max": 3}}), "test")
    assert spec.caches[0].autoscaling.shards.max == 3


def test_maxima_past_500_nodes_are_a_warning_as_registering_them_succeeds():
    # Application Auto Scaling registers any maxima; only a scale-out past 500 nodes would fail.
    spec = load_stack_config(feed(autoscaling={"replicas": {"min": 1, "max": 5},
                                               "shards": {"min": 2, "max": 100}}), "test")
    assert spec.caches[0].warnings == (
        "caches.feed.autoscaling: 100 shards of 6 nodes (1 primary, 5 replicas) make 600 nodes "
        "at the scaler's maximum; a replication group holds at most 500, so scaling out fails "
        "before the maxima; lower shards.max or replicas.max.",)


def test_maxima_past_the_default_node_quota_are_a_warning():
    # The group's own 50 x 2 = 100 nodes are not warned again: the maxima's warning covers it.
    spec = load_stack_config(feed(shards=50, autoscaling={"shards": {"min": 2, "max": 60}}),
                             "test")
    assert spec.caches[0].warnings == (
        "caches.feed.autoscaling: 120 nodes at the scaler's maximum pass ElastiCache's default "
        "quota of 90 nodes per cluster; ask for 'Nodes per cluster (cluster mode enabled)' in "
        "Service Quotas before `pulumi up`.",)


def test_replica_scaling_with_little_reserved_memory_is_warned():
    # The ElastiCache guide: no replica auto scaling below 25 % reserved memory.
    def warnings(reserved: str) -> tuple[str, ...]:
        return load_stack_config(aws_config({"s": {
            "node_type": "cache.r7g.large", "shards": 2, "replicas": 1,
            "parameters": {"reserved-memory-percent": reserved},
            "autoscaling": {"replicas": {"min": 1, "max": 3}}}}), "test").warnings
    assert "caches.s.parameters.reserved-memory-percent: 10 is below 25, with which " \
           "ElastiCache has documented that it does not auto scale replicas; keep 25 or " \
           "more." in warnings("10")
    assert any(w.startswith("caches.s.parameters.reserved-memory-percent: 24 is below 25")
               for w in warnings("24"))
    assert not any("reserved-memory-percent" in w for w in warnings("25"))
