"""CloudWatch alarms and the dashboard, as the whole program registers them (where the alarms
page: test_alarm_notifications.py)."""

from __future__ import annotations

import os

import pytest

from components.aws.alarms import HIT_RATE_MIN_LOOKUPS, host_cpu_threshold
from infra import naming
from tests.builders import aws_config

ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
ALARMS_COMPONENT = "managed-cache:aws:CloudWatchCacheAlarms"
TOPIC = "aws:sns/topic:Topic"
DASHBOARD = "aws:cloudwatch/dashboard:Dashboard"
MIB = 1024 * 1024

VALKEY_NODE_METRICS = ["EngineCPUUtilization", "CPUUtilization",
                       "DatabaseMemoryUsagePercentage", "DatabaseMemoryUsagePercentage",
                       "Evictions", "CurrConnections", "FreeableMemory"]
GLOBAL = {"global": {"secondary_region": "eu-west-1", "secondary_replicas": 1}}


def _metric(alarm) -> str:
    """The alarm's metric: its own, the one its metric-math queries read, or the label of
    what it computes from several (the hit rate from CacheHits and CacheMisses)."""
    if "metricQueries" not in alarm.inputs:
        return alarm.inputs["metricName"]
    queries = alarm.inputs["metricQueries"]
    names = {q["metric"]["metricName"] for q in queries if "metric" in q}
    if len(names) == 1:
        return names.pop()
    [result] = [q for q in queries if q["returnData"]]
    return result["label"]


def _series(alarm) -> list[dict]:
    """The dimension sets a metric-math alarm reads."""
    return [q["metric"]["dimensions"] for q in alarm.inputs["metricQueries"] if "metric" in q]


def _without_dimensions(inputs: dict) -> list[dict]:
    """An alarm's metric-math queries with the node left out."""
    return [{**q, "metric": {k: v for k, v in q["metric"].items() if k != "dimensions"}}
            if "metric" in q else q for q in inputs["metricQueries"]]


def _dimensions(alarm) -> dict | None:
    """The one node (or cache) an alarm reads, whether from one metric or several; None for an
    alarm over several nodes' series."""
    if "metricQueries" not in alarm.inputs:
        return alarm.inputs["dimensions"]
    series = _series(alarm)
    return series[0] if all(d == series[0] for d in series) else None


def _alarms(recorder, metric: str | None = None):
    alarms = recorder.of_type(ALARM)
    return [a for a in alarms if metric is None or _metric(a) == metric]


def _by_name(recorder) -> dict[str, dict]:
    return {a.inputs["name"]: a.inputs for a in _alarms(recorder)}


def _cluster_ids(alarms) -> list[str]:
    return sorted(_dimensions(a)["CacheClusterId"] for a in alarms)


# ---------------------------------------------------------------------------------------------
# Valkey / Redis
# ---------------------------------------------------------------------------------------------
def test_single_valkey_node_gets_exactly_the_node_alarms(run_stack):
    recorder = run_stack(aws_config())  # development: one t4g.micro node, no hit-rate alarm
    alarms = _by_name(recorder)
    prefix = "managed-cache/test-sessions/test-sessions-001"
    assert sorted(alarms) == sorted([
        f"{prefix}/EngineCPUUtilization",
        f"{prefix}/CPUUtilization",
        f"{prefix}/DatabaseMemoryUsagePercentage-warning",
        f"{prefix}/DatabaseMemoryUsagePercentage-critical",
        f"{prefix}/Evictions",
        f"{prefix}/CurrConnections",
        f"{prefix}/FreeableMemory",
    ])
    for alarm_name, inputs in alarms.items():
        assert inputs["namespace"] == "AWS/ElastiCache"
        assert inputs["dimensions"] == {"CacheClusterId": "test-sessions-001"}
        assert "unit" not in inputs
        # Tags to find a cache's alarms by, and how urgent each one is.
        severity = "warning" if alarm_name.endswith("-warning") else "critical"
        assert inputs["tags"] == {"Cache": "sessions", "Severity": severity}


# metric name suffix -> (metric, statistic, comparison, threshold, period, evaluation periods,
# datapoints to alarm, treat_missing_data), for the production profile on cache.r7g.large.
PRODUCTION_VALKEY = {
    "EngineCPUUtilization": ("EngineCPUUtilization", "Average", "GreaterThanThreshold", 90.0,
                             60, 5, 5, "missing"),
    # r7g.large has 2 vCPUs: 90 % / 2.
    "CPUUtilization": ("CPUUtilization", "Average", "GreaterThanThreshold", 45.0,
                       60, 5, 5, "missing"),
    "DatabaseMemoryUsagePercentage-warning": ("DatabaseMemoryUsagePercentage", "Average",
                                              "GreaterThanThreshold", 80.0, 300, 3, 3,
                                              "missing"),
    "DatabaseMemoryUsagePercentage-critical": ("DatabaseMemoryUsagePercentage", "Average",
                                               "GreaterThanThreshold", 90.0, 60, 3, 3,
                                               "missing"),
    "Evictions": ("Evictions", "Sum", "GreaterThanThreshold", 100.0, 60, 5, 3, "notBreaching"),
    "CurrConnections": ("CurrConnections", "Maximum", "GreaterThanThreshold", 10000.0,
                        60, 5, 5, "missing"),
    # AWS: FreeableMemory "below 100MB" means memory pressure (Which Metrics Should I Monitor?).
    "FreeableMemory": ("FreeableMemory", "Average", "LessThanThreshold", 100.0 * 2**20,
                       60, 5, 5, "missing"),
    "ReplicationLag": ("ReplicationLag", "Maximum", "GreaterThanThreshold", 1.0,
                       60, 5, 3, "notBreaching"),
}


@pytest.mark.parametrize("suffix", sorted(PRODUCTION_VALKEY))
def test_production_valkey_alarm_settings(run_stack, suffix):
    recorder = run_stack(aws_config(profile="production"))
    inputs = _by_name(recorder)[f"managed-cache/test-sessions/test-sessions-002/{suffix}"]
    got = tuple(inputs[k] for k in ("metricName", "statistic", "comparisonOperator",
                                    "threshold", "period", "evaluationPeriods",
                                    "datapointsToAlarm", "treatMissingData"))
    assert got == PRODUCTION_VALKEY[suffix]
    assert inputs["namespace"] == "AWS/ElastiCache"
    assert inputs["dimensions"] == {"CacheClusterId": "test-sessions-002"}


def test_production_valkey_counts(run_stack):
    # 1 shard x (1 primary + 2 replicas): 8 alarms a node (hit rate on), and ReplicationLag on
    # all 3: a failover swaps which of them are replicas.
    recorder = run_stack(aws_config(profile="production"))
    assert len(_alarms(recorder)) == 3 * 8 + 3
    assert _cluster_ids(_alarms(recorder, "CacheHitRate")) == [
        "test-sessions-001", "test-sessions-002", "test-sessions-003"]


@pytest.mark.parametrize("node_type, vcpus, expected", [
    ("cache.t4g.micro", 2, 45.0),
    ("cache.r7g.large", 2, 45.0),
    ("cache.r7g.xlarge", 4, 90.0),
    ("cache.m7g.2xlarge", 8, 90.0),
])
def test_host_cpu_is_scaled_to_vcpus_on_small_nodes(run_stack, node_type, vcpus, expected):
    recorder = run_stack(aws_config({"c": {"node_type": node_type}}))
    [host] = _alarms(recorder, "CPUUtilization")
    assert host.inputs["threshold"] == expected == host_cpu_threshold(90, vcpus)
    [engine] = _alarms(recorder, "EngineCPUUtilization")
    assert engine.inputs["threshold"] == 90.0


def test_host_cpu_threshold_follows_the_policy():
    assert host_cpu_threshold(80, 2) == 40.0
    assert host_cpu_threshold(80, 1) == 80.0
    assert host_cpu_threshold(80, 16) == 80.0


@pytest.mark.parametrize("shards, replicas, nodes", [
    (1, 0, ["test-c-001"]),
    (1, 2, ["test-c-001", "test-c-002", "test-c-003"]),
    (2, 1, ["test-c-0001-001", "test-c-0001-002", "test-c-0002-001", "test-c-0002-002"]),
    (3, 2, [f"test-c-{s:04d}-{n:03d}" for s in (1, 2, 3) for n in (1, 2, 3)]),
])
def test_counts_grow_with_shards_times_replicas(run_stack, shards, replicas, nodes):
    recorder = run_stack(aws_config({"c": {"shards": shards, "replicas": replicas}}))
    alarms = _alarms(recorder)
    lag_nodes = nodes if replicas else []
    assert len(alarms) == 7 * shards * (1 + replicas) + len(lag_nodes)
    for metric in set(VALKEY_NODE_METRICS):
        per_node = VALKEY_NODE_METRICS.count(metric)
        assert _cluster_ids(_alarms(recorder, metric)) == sorted(nodes * per_node)
    # ReplicationLag on every node of a shard with replicas (a failover swaps the roles), on
    # none without replicas, and never on the group id.
    assert _cluster_ids(_alarms(recorder, "ReplicationLag")) == sorted(lag_nodes)
    assert "test-c" not in {a.inputs["dimensions"]["CacheClusterId"] for a in alarms}


def test_two_shards_of_one_replica_differ_from_one_shard_of_two(run_stack):
    two_by_one = run_stack(aws_config({"c": {"shards": 2, "replicas": 1}}))
    one_by_two = run_stack(aws_config({"c": {"shards": 1, "replicas": 2}}))
    assert len(_alarms(two_by_one)) == 32      # 4 nodes x 7 + lag on the 4
    assert len(_alarms(one_by_two)) == 24      # 3 nodes x 7 + lag on the 3


def test_replication_lag_reads_no_data_as_ok_for_the_shards_primary(run_stack):
    # The node that is primary publishes no ReplicationLag: its alarm must stay OK, not page.
    recorder = run_stack(aws_config({"c": {"replicas": 1}}))
    lags = _alarms(recorder, "ReplicationLag")
    assert _cluster_ids(lags) == ["test-c-001", "test-c-002"]
    assert {a.inputs["treatMissingData"] for a in lags} == {"notBreaching"}


def test_every_alarm_name_comes_from_naming_and_is_unique(run_stack):
    recorder = run_stack("prod")
    names = [a.inputs["name"] for a in _alarms(recorder)]
    assert len(names) == len(set(names))
    for alarm in _alarms(recorder):
        if _dimensions(alarm) is None:
            # A shard's cross-region lag: named after the shard its series belong to.
            cache_id = "prod-sessions"
            subject = os.path.commonprefix(
                [d["CacheClusterId"] for d in _series(alarm)]).rstrip("-0")
            assert subject == "prod-sessions-euw1"
        else:
            dims = _dimensions(alarm)
            memcached = "CacheNodeId" in dims
            cache_id = "prod-fragments" if memcached else "prod-sessions"
            subject = dims["CacheNodeId"] if memcached else dims["CacheClusterId"]
        suffix = alarm.inputs["name"].rsplit("/", 1)[1]
        assert suffix.split("-")[0] == _metric(alarm)
        # `ops verify` finds them by the cache id prefix, secondary-region alarms included.
        assert alarm.inputs["name"] == naming.alarm_name(cache_id, subject, suffix)
        assert alarm.inputs["name"].startswith(f"managed-cache/{cache_id}/")


def test_alarms_are_children_of_the_cache_component(run_stack):
    recorder = run_stack(aws_config({"lone": {}, "frag": {"engine": "memcached"}}))
    components = {r.name: r for r in recorder.of_type(ALARMS_COMPONENT)}
    assert sorted(components) == ["frag-alarms", "lone-alarms"]
    assert components["lone-alarms"].parent == recorder.named("lone").urn
    assert components["frag-alarms"].parent == recorder.named("frag").urn
    for alarm in _alarms(recorder):
        assert alarm.parent in {c.urn for c in components.values()}
        assert alarm.name.startswith(("lone-alarms-", "frag-alarms-"))


# ---------------------------------------------------------------------------------------------
# Global Datastore
# ---------------------------------------------------------------------------------------------
def test_global_lag_alarm_uses_the_secondary_region_and_provider(run_stack):
    recorder = run_stack(aws_config({"s": GLOBAL}, profile="production"))
    [lag] = _alarms(recorder, "GlobalDatastoreReplicationLag")
    assert lag.inputs["name"] == "managed-cache/test-s/test-s-euw1/GlobalDatastoreReplicationLag"
    assert (lag.inputs["comparisonOperator"], lag.inputs["threshold"]) == (
        "GreaterThanThreshold", 1.0)
    # Silence from the DR copy pages: the cross-region link may be broken.
    assert lag.inputs["treatMissingData"] == "breaching"
    assert "::aws-eu-west-1::" in lag.provider
    assert all(":sns:eu-west-1:" in arn for arn in lag.inputs["alarmActions"])
    primary_region = [a for a in _alarms(recorder) if "euw1" not in a.inputs["name"]]
    assert primary_region and all("::aws-us-east-1::" in a.provider for a in primary_region)
    assert all(":sns:us-east-1:" in a.inputs["alarmActions"][0] for a in primary_region)
    assert len(primary_region) == 3 * 9      # 7 + hit rate + ReplicationLag a node


def test_global_lag_reads_whichever_secondary_node_is_primary(run_stack):
    # The lag is published by the secondary shard's current primary; a failover in eu-west-1
    # moves it from 001 to 002. The alarm reads the maximum of both, so it neither pages for
    # the demoted 001's silence nor misses 002's lag.
    recorder = run_stack(aws_config({"s": GLOBAL}, profile="production"))
    [lag] = _alarms(recorder, "GlobalDatastoreReplicationLag")
    inputs = lag.inputs
    # The provider refuses these beside metric queries.
    assert not {"metricName", "namespace", "dimensions", "statistic", "period"} & set(inputs)
    metrics = [q for q in inputs["metricQueries"] if "metric" in q]
    assert [q["metric"]["dimensions"] for q in metrics] == [
        {"CacheClusterId": "test-s-euw1-001"}, {"CacheClusterId": "test-s-euw1-002"}]
    for query in metrics:
        assert query["returnData"] is False
        assert (query["metric"]["namespace"], query["metric"]["stat"],
                query["metric"]["period"]) == ("AWS/ElastiCache", "Maximum", 60)
    [expression] = [q for q in inputs["metricQueries"] if "expression" in q]
    assert expression["expression"] == "MAX(METRICS())"
    assert expression["returnData"] is True
    # The console graphs the alarm's value under this label: the metric, not the query id.
    assert expression["label"] == "GlobalDatastoreReplicationLag"
    assert (inputs["evaluationPeriods"], inputs["datapointsToAlarm"]) == (5, 5)


def test_global_lag_of_a_lone_secondary_node_reads_its_own_metric(run_stack):
    recorder = run_stack(aws_config(
        {"s": {"replicas": 0, "node_type": "cache.r7g.large",
               "global": {"secondary_region": "eu-west-1",
                          "secondary_replicas": 0}}}))
    [lag] = _alarms(recorder, "GlobalDatastoreReplicationLag")
    assert lag.inputs["dimensions"] == {"CacheClusterId": "test-s-euw1-001"}
    assert "metricQueries" not in lag.inputs
    assert lag.inputs["name"] == "managed-cache/test-s/test-s-euw1/GlobalDatastoreReplicationLag"


def test_secondary_nodes_get_the_primary_regions_node_alarms_in_their_region(run_stack):
    # The secondary serves reads in eu-west-1 and becomes the primary after a failover.
    recorder = run_stack(aws_config({"s": GLOBAL}, profile="production"))
    secondary = [a for a in _alarms(recorder) if "euw1" in a.inputs["name"]
                 and _metric(a) != "GlobalDatastoreReplicationLag"]
    assert all("::aws-eu-west-1::" in a.provider for a in secondary)
    # Children of the cache's alarms component, as the primary region's are: their URNs stay.
    assert {a.parent for a in secondary} == {recorder.named("s-alarms").urn}
    assert all(a.inputs["alarmActions"] == a.inputs["okActions"] and
               ":sns:eu-west-1:" in a.inputs["alarmActions"][0] for a in secondary)

    def suffixes(node: str) -> list[str]:
        return sorted(a.inputs["name"].rsplit("/", 1)[1] for a in _alarms(recorder)
                      if _dimensions(a) == {"CacheClusterId": node})

    # Each node has its primary-region twin's alarms, ReplicationLag included (001 and 002
    # swap roles on a failover in eu-west-1).
    assert suffixes("test-s-euw1-001") == suffixes("test-s-001")
    assert suffixes("test-s-euw1-002") == suffixes("test-s-002")
    assert "ReplicationLag" in suffixes("test-s-euw1-001")
    # 2 secondary nodes x 9 (7 + hit rate + ReplicationLag).
    assert len(secondary) == 2 * 9
    # Same thresholds as the primary region's.
    by_name = _by_name(recorder)
    for alarm in secondary:
        twin = alarm.inputs["name"].replace("test-s-euw1-", "test-s-")
        for key in ("threshold", "statistic", "period", "evaluationPeriods",
                    "datapointsToAlarm", "treatMissingData", "comparisonOperator"):
            assert alarm.inputs.get(key) == by_name[twin].get(key), (alarm.inputs["name"], key)
        if "metricQueries" in alarm.inputs:   # the same computation, on its own node's counts
            assert _without_dimensions(alarm.inputs) == _without_dimensions(by_name[twin])


def test_prod_secondary_region_nodes_have_the_primary_regions_alarms(run_stack):
    recorder = run_stack("prod")

    def node_alarms(region_marker: str) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for a in _alarms(recorder):
            node = (_dimensions(a) or {}).get("CacheClusterId", "")
            metric = a.inputs["name"].rsplit("/", 1)[1]
            if node.startswith(region_marker) and metric != "GlobalDatastoreReplicationLag":
                out.setdefault(node[len(region_marker):], set()).add(metric)
        return out

    primary, secondary = node_alarms("prod-sessions-0"), node_alarms("prod-sessions-euw1-0")
    # eu-west-1 runs 1 replica, us-east-1 2: every eu-west-1 node has its twin's alarms.
    assert sorted(secondary) == ["01", "02"]
    for node, metrics in secondary.items():
        assert metrics == primary[node]


def test_global_lag_alarm_on_each_secondary_shard(run_stack):
    recorder = run_stack(aws_config({"s": {"shards": 2, "replicas": 1, **GLOBAL}},
                                    profile="production"))
    lags = _alarms(recorder, "GlobalDatastoreReplicationLag")
    assert {a.inputs["name"]: [d["CacheClusterId"] for d in _series(a)] for a in lags} == {
        "managed-cache/test-s/test-s-euw1-0001/GlobalDatastoreReplicationLag":
            ["test-s-euw1-0001-001", "test-s-euw1-0001-002"],
        "managed-cache/test-s/test-s-euw1-0002/GlobalDatastoreReplicationLag":
            ["test-s-euw1-0002-001", "test-s-euw1-0002-002"],
    }
    assert all("::aws-eu-west-1::" in a.provider for a in lags)


def test_global_alarms_wait_for_the_secondary_group(run_stack):
    # "breaching" must not page while the datastore is still being created.
    recorder = run_stack(aws_config({"s": GLOBAL}, profile="production"))
    component = recorder.named("s-alarms")
    secondary_group = recorder.named("s-eu-west-1-group")
    assert secondary_group.urn in component.dependencies
    # Under the primary group, like a lone cache, so adding `global:` adopts the alarms.
    assert component.parent == [r for r in recorder.registrations
                                if r.type == "managed-cache:aws:ElastiCacheReplicationGroup"
                                and r.name == "s"][0].urn


# ---------------------------------------------------------------------------------------------
# Memcached
# ---------------------------------------------------------------------------------------------
# metric -> (statistic, comparison, threshold, period, evaluation, datapoints, missing data)
PRODUCTION_MEMCACHED = {
    "CPUUtilization": ("Average", "GreaterThanThreshold", 90.0, 60, 5, 5, "missing"),
    "SwapUsage": ("Average", "GreaterThanThreshold", 50.0 * MIB, 60, 5, 5, "missing"),
    "FreeableMemory": ("Average", "LessThanThreshold", 100.0 * MIB, 60, 5, 5, "missing"),
    "Evictions": ("Sum", "GreaterThanThreshold", 100.0, 60, 5, 3, "notBreaching"),
    "CurrConnections": ("Maximum", "GreaterThanThreshold", 10000.0, 60, 5, 5, "missing"),
}


def test_memcached_alarms_per_node(run_stack):
    recorder = run_stack(aws_config({"frag": {"engine": "memcached", "nodes": 3,
                                              "node_type": "cache.m7g.large"}},
                                    profile="production"))
    alarms = _alarms(recorder)
    assert len(alarms) == 3 * 5
    for alarm in alarms:
        inputs = alarm.inputs
        node = inputs["dimensions"]["CacheNodeId"]
        assert inputs["dimensions"] == {"CacheClusterId": "test-frag", "CacheNodeId": node}
        assert node in ("0001", "0002", "0003")
        assert inputs["name"] == f"managed-cache/test-frag/{node}/{inputs['metricName']}"
        assert inputs["namespace"] == "AWS/ElastiCache"
        assert tuple(inputs[k] for k in ("statistic", "comparisonOperator", "threshold",
                                         "period", "evaluationPeriods", "datapointsToAlarm",
                                         "treatMissingData")) \
            == PRODUCTION_MEMCACHED[inputs["metricName"]]
    for metric in PRODUCTION_MEMCACHED:
        assert len(_alarms(recorder, metric)) == 3
    # Memcached is multi-threaded: its CPU threshold is not divided by the 2 vCPUs.
    assert {a.inputs["threshold"] for a in _alarms(recorder, "CPUUtilization")} == {90.0}


def test_memcached_has_no_valkey_only_alarms(run_stack):
    recorder = run_stack(aws_config({"frag": {"engine": "memcached"}}, profile="production"))
    metrics = {a.inputs["metricName"] for a in _alarms(recorder)}
    assert metrics == set(PRODUCTION_MEMCACHED)


# ---------------------------------------------------------------------------------------------
# Hit rate and overrides
# ---------------------------------------------------------------------------------------------
def test_hit_rate_alarm_follows_the_policy(run_stack):
    off = run_stack(aws_config({"c": {"alarms": {"cache_hit_rate_percent": 0}}},
                               profile="production"))
    assert _alarms(off, "CacheHitRate") == []
    on = run_stack(aws_config({"c": {"alarms": {"cache_hit_rate_percent": 75}}}))
    [hit_rate] = _alarms(on, "CacheHitRate")
    assert (hit_rate.inputs["comparisonOperator"], hit_rate.inputs["threshold"]) == (
        "LessThanThreshold", 75.0)


def test_hit_rate_is_computed_from_the_lookup_counts_of_enough_lookups(run_stack):
    # ElastiCache's own CacheHitRate may read 0 % on a replica that serves no reads, which
    # would warn forever. The alarm computes the rate from CacheHits and CacheMisses instead,
    # and CloudWatch drops the datapoint of a period with fewer lookups than the floor (IF
    # with no false value), so an idle node reads as missing data: "notBreaching".
    recorder = run_stack(aws_config(profile="production"))
    [hit_rate] = [a for a in _alarms(recorder, "CacheHitRate")
                  if _dimensions(a) == {"CacheClusterId": "test-sessions-002"}]
    inputs = hit_rate.inputs
    assert inputs["name"] == "managed-cache/test-sessions/test-sessions-002/CacheHitRate"
    # The provider refuses these beside metric queries.
    assert not {"metricName", "namespace", "dimensions", "statistic", "period"} & set(inputs)
    assert inputs["metricQueries"] == [
        {"id": "hits", "returnData": False, "metric": {
            "namespace": "AWS/ElastiCache", "metricName": "CacheHits", "stat": "Sum",
            "period": 300, "dimensions": {"CacheClusterId": "test-sessions-002"}}},
        {"id": "misses", "returnData": False, "metric": {
            "namespace": "AWS/ElastiCache", "metricName": "CacheMisses", "stat": "Sum",
            "period": 300, "dimensions": {"CacheClusterId": "test-sessions-002"}}},
        {"id": "lookups", "expression": "hits + misses", "returnData": False},
        {"id": "hit_rate", "label": "CacheHitRate", "returnData": True,
         "expression": f"IF(lookups >= {HIT_RATE_MIN_LOOKUPS}, 100 * hits / lookups)"},
    ]
    assert HIT_RATE_MIN_LOOKUPS == 300   # one lookup a second over the 5-minute period
    assert (inputs["comparisonOperator"], inputs["threshold"], inputs["evaluationPeriods"],
            inputs["datapointsToAlarm"], inputs["treatMissingData"]) == (
        "LessThanThreshold", 80.0, 3, 3, "notBreaching")


def test_overrides_reach_the_alarms(run_stack):
    recorder = run_stack(aws_config({"c": {"replicas": 1, "alarms": {
        "memory_warning_percent": 70, "memory_critical_percent": 95, "evictions_per_minute": 10,
        "max_connections": 2000, "replication_lag_seconds": 3, "host_cpu_percent": 80,
    }}}))
    alarms = _by_name(recorder)
    base = "managed-cache/test-c/test-c-002"
    assert alarms[f"{base}/DatabaseMemoryUsagePercentage-warning"]["threshold"] == 70.0
    assert alarms[f"{base}/DatabaseMemoryUsagePercentage-critical"]["threshold"] == 95.0
    assert alarms[f"{base}/Evictions"]["threshold"] == 10.0
    assert alarms[f"{base}/CurrConnections"]["threshold"] == 2000.0
    assert alarms[f"{base}/ReplicationLag"]["threshold"] == 3.0
    assert alarms[f"{base}/CPUUtilization"]["threshold"] == 40.0   # 80 % over 2 vCPUs


# ---------------------------------------------------------------------------------------------
# Memory and SSD
# ---------------------------------------------------------------------------------------------
def test_data_tiering_nodes_are_watched_on_memory_and_ssd(run_stack):
    # An r6gd node moves values to SSD once its memory is full: memory use near 100 % is its
    # normal state. The node alarms follow the capacity of memory and SSD.
    recorder = run_stack(aws_config({"c": {"node_type": "cache.r6gd.xlarge"}},
                                    profile="production"))
    metrics = {_metric(a) for a in _alarms(recorder)}
    assert "DatabaseMemoryUsagePercentage" not in metrics
    base = "managed-cache/test-c/test-c-001/DatabaseCapacityUsagePercentage"
    alarms = _by_name(recorder)
    assert (alarms[f"{base}-warning"]["threshold"], alarms[f"{base}-critical"]["threshold"]) \
        == (80.0, 90.0)
    assert "memory and SSD" in alarms[f"{base}-critical"]["alarmDescription"]


# ---------------------------------------------------------------------------------------------
# Preview
# ---------------------------------------------------------------------------------------------
def _plain(inputs: dict) -> dict:
    # Topic ARNs are unknown in a preview; everything else comes from config.
    return {k: v for k, v in inputs.items() if k not in ("alarmActions", "okActions")}


def _provider_urn(reference: str) -> str:
    return reference.rsplit("::", 1)[0]     # a provider's id is unknown in a preview


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_preview_registers_the_same_alarms_and_dashboard(run_stack, stack):
    up = run_stack(stack)
    preview = run_stack(stack, preview=True)
    up_alarms = {a.name: (_plain(a.inputs), a.parent, _provider_urn(a.provider))
                 for a in _alarms(up)}
    preview_alarms = {a.name: (_plain(a.inputs), a.parent, _provider_urn(a.provider))
                      for a in _alarms(preview)}
    assert up_alarms and preview_alarms == up_alarms
    [up_board] = up.of_type(DASHBOARD)
    [preview_board] = preview.of_type(DASHBOARD)
    assert isinstance(preview_board.inputs["dashboardBody"], str)
    assert preview_board.inputs["dashboardBody"] == up_board.inputs["dashboardBody"]
    assert sorted(t.name for t in preview.of_type(TOPIC)) == sorted(
        t.name for t in up.of_type(TOPIC))
