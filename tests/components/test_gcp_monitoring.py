"""The GCP stack's Cloud Monitoring, through the real program under recording mocks: the alert
policies per Memorystore product and their thresholds, notification channels, and the stack's
dashboard."""

from __future__ import annotations

import json

import pytest

from components import resource_types as types
from components.gcp.alerts import hit_rate_rule
from components.gcp.dashboard import MAX_TILES_PER_DASHBOARD
from tests.builders import (
    GCP_PROD,
    gcp_config,
    memcached,
    redis,
    valkey,
)

ALERT, CHANNEL = types.GCP_ALERT_POLICY, types.GCP_NOTIFICATION_CHANNEL
PROD = GCP_PROD


# ---------------------------------------------------------------------------------------------
# Alerts
# ---------------------------------------------------------------------------------------------
def policies_of(rec, component: str) -> dict[str, dict]:
    urn = rec.named(component).urn
    return {r.name[len(component) + 1:]: r.inputs for r in rec.children_of(urn)
            if r.type == ALERT}


def condition(policy: dict) -> dict:
    """The policy's one condition; of a hit-rate policy, the first (the ratio)."""
    first, *others = policy["conditions"]
    assert len(others) == (policy["combiner"] == "AND")
    return first["conditionThreshold"]


def misses_floor(policy: dict) -> dict:
    """The hit-rate policy's second condition: enough misses a second to judge."""
    _, floor = policy["conditions"]
    return floor["conditionThreshold"]


def test_redis_alerts_use_redis_metrics_and_the_cache_thresholds(run_stack):
    rec = run_stack(gcp_config(redis(replicas=1, alarms={"memory_critical_percent": 95,
                                                        "max_connections": 2000}), **PROD))
    assert rec.named("s-alerts").type == "managed-cache:gcp:MemorystoreAlerts"
    policies = policies_of(rec, "s-alerts")
    assert set(policies) == {"memory-warning", "memory-critical", "main-thread-cpu",
                             "connected-clients", "failover", "evictions", "replication-lag",
                             "hit-rate"}
    memory = condition(policies["memory-critical"])
    assert 'resource.type = "redis_instance"' in memory["filter"]
    assert 'metric.type = "redis.googleapis.com/stats/memory/system_memory_usage_ratio"' \
        in memory["filter"]
    assert "test-s" in memory["filter"]
    assert (memory["comparison"], memory["thresholdValue"]) == ("COMPARISON_GT", 0.95)
    assert condition(policies["memory-warning"])["thresholdValue"] == 0.8
    cpu = condition(policies["main-thread-cpu"])
    assert "redis.googleapis.com/stats/cpu_utilization_main_thread" in cpu["filter"]
    assert cpu["aggregations"][0]["perSeriesAligner"] == "ALIGN_RATE"
    assert cpu["thresholdValue"] == 0.9
    assert condition(policies["connected-clients"])["thresholdValue"] == 2000
    assert "redis.googleapis.com/replication/role" in condition(policies["failover"])["filter"]
    assert policies["memory-critical"]["severity"] == "CRITICAL"
    # What on-call reads in the notification (AlertPolicy.Documentation, Cloud Monitoring API
    # v3: "text/markdown" is the only mime type it supports): the instance, the threshold crossed
    # and the metric behind it.
    documentation = policies["memory-critical"]["documentation"]
    assert documentation["mimeType"] == "text/markdown"
    assert documentation["subject"] == "test-s: memory usage ratio above 0.95"
    assert "`test-s`" in documentation["content"]
    assert "redis.googleapis.com/stats/memory/system_memory_usage_ratio" in documentation[
        "content"]
    channel = rec.one(CHANNEL)
    assert channel.inputs["type"] == "email"
    assert channel.inputs["labels"] == {"email_address": "oncall@example.com"}
    # The console lists channels by display name: it names the stack and the address.
    assert channel.inputs["displayName"] == "managed-cache test: oncall@example.com"
    notified = {tuple(p["notificationChannels"]) for p in policies.values()}
    assert len(notified) == 1
    (channels,) = notified
    assert len(channels) == 1
    assert channels[0].startswith("projects/acme-cache/notificationChannels/")


def test_basic_redis_has_no_failover_alert(run_stack):
    assert "failover" not in policies_of(run_stack(gcp_config(redis(replicas=0))), "s-alerts")


@pytest.mark.parametrize(("cache", "resource_type", "metric"), [
    (valkey(), "memorystore.googleapis.com/Instance",
     "memorystore.googleapis.com/instance/memory/maximum_utilization"),
    (memcached(), "memcache_node", "memcache.googleapis.com/node/memory/utilization"),
])
def test_memory_alert_per_product(run_stack, cache, resource_type, metric):
    policy = policies_of(run_stack(gcp_config(cache)), "s-alerts")["memory-critical"]
    assert f'resource.type = "{resource_type}"' in condition(policy)["filter"]
    assert f'metric.type = "{metric}"' in condition(policy)["filter"]
    assert condition(policy)["thresholdValue"] == 0.9


def test_redis_evictions_lag_and_hit_rate_follow_the_aws_alarms(run_stack):
    rec = run_stack(gcp_config(redis(replicas=1, alarms={"evictions_per_minute": 120}), **PROD))
    policies = policies_of(rec, "s-alerts")
    evictions = condition(policies["evictions"])
    assert 'metric.type = "redis.googleapis.com/stats/evicted_keys"' in evictions["filter"]
    # A DELTA count aligned as a rate: keys per second, so 120 a minute is 2 a second.
    assert evictions["aggregations"][0]["perSeriesAligner"] == "ALIGN_RATE"
    assert (evictions["comparison"], evictions["thresholdValue"]) == ("COMPARISON_GT", 2)
    lag = condition(policies["replication-lag"])
    assert "redis.googleapis.com/replication/master/slaves/lag" in lag["filter"]
    assert lag["thresholdValue"] == 1
    hit = condition(policies["hit-rate"])
    # From the counts summed over the instance, not a node's cache_hit_ratio: a replica that
    # serves no reads neither pulls it down nor warns.
    assert 'metric.type = "redis.googleapis.com/stats/keyspace_hits"' in hit["filter"]
    assert 'metric.type = "redis.googleapis.com/stats/keyspace_misses"' in hit[
        "denominatorFilter"]
    assert (hit["comparison"], hit["thresholdValue"], hit["duration"]) == (
        "COMPARISON_LT", 4, "900s")
    assert hit["aggregations"] == hit["denominatorAggregations"] == [{
        "alignmentPeriod": "300s", "perSeriesAligner": "ALIGN_RATE",
        "crossSeriesReducer": "REDUCE_SUM", "groupByFields": ["resource.label.instance_id"]}]
    assert [c["displayName"] for c in policies["hit-rate"]["conditions"]] == [
        "test-s hits per miss below 4", "test-s missed lookups above 0.2/s"]
    assert 'metric.type = "redis.googleapis.com/stats/keyspace_misses"' in misses_floor(
        policies["hit-rate"])["filter"]


@pytest.mark.parametrize("percent, threshold", [(50, 1), (90, 9), (99.5, 199)])
def test_the_hits_per_miss_threshold_is_the_hit_rate_rearranged(percent, threshold):
    # h / (h + m) < p  <=>  h < p h + p m  <=>  h (1 - p) < p m  <=>  h / m < p / (1 - p)
    rule = hit_rate_rule("hits", "misses", percent / 100)
    assert (rule.metric, rule.denominator, rule.comparison) == ("hits", "misses", "COMPARISON_LT")
    assert rule.threshold == pytest.approx(threshold)
    # Below p, misses > (1 - p) x lookups: at one lookup a second the floor never silences it.
    [floor] = rule.also
    assert (floor.metric, floor.comparison) == ("misses", "COMPARISON_GT")
    assert floor.threshold == pytest.approx(1 - percent / 100)


def test_a_hit_rate_of_100_percent_fires_on_any_miss():
    # p / (1 - p) has no value at 100 %: the rule becomes "misses per second above 0".
    rule = hit_rate_rule("hits", "misses", 1.0)
    assert (rule.metric, rule.denominator, rule.comparison, rule.threshold, rule.also) == (
        "misses", None, "COMPARISON_GT", 0, ())
    assert (rule.aligner, rule.reducer, rule.group_by) == (
        "ALIGN_RATE", "REDUCE_SUM", ("resource.label.instance_id",))


def test_development_has_no_hit_rate_alert_and_basic_redis_no_lag_alert(run_stack):
    policies = policies_of(run_stack(gcp_config(redis(replicas=0))), "s-alerts")
    assert "hit-rate" not in policies and "replication-lag" not in policies
    assert "evictions" in policies


def test_valkey_lag_evictions_and_hit_rate_as_a_hits_per_miss_ratio(run_stack):
    rec = run_stack(gcp_config(valkey(replicas=1), **PROD))
    policies = policies_of(rec, "s-alerts")
    prefix = "memorystore.googleapis.com/instance"
    assert f'metric.type = "{prefix}/replication/maximum_ack_lag"' in condition(
        policies["replication-lag"])["filter"]
    assert f'metric.type = "{prefix}/stats/total_evicted_keys_count"' in condition(
        policies["evictions"])["filter"]
    hit = condition(policies["hit-rate"])
    # hits / (hits + misses) < 0.8  <=>  hits / misses < 4, misses in the denominator: its
    # zero is the healthy case, and a total miss (hits 0) reads 0 and fires.
    assert f'metric.type = "{prefix}/stats/total_keyspace_hits_count"' in hit["filter"]
    assert f'metric.type = "{prefix}/stats/total_keyspace_misses_count"' in hit[
        "denominatorFilter"]
    assert hit["thresholdValue"] == 4 and hit["comparison"] == "COMPARISON_LT"
    assert hit["aggregations"] == hit["denominatorAggregations"]
    assert hit["aggregations"][0]["crossSeriesReducer"] == "REDUCE_SUM"
    assert hit["aggregations"][0]["groupByFields"] == ["resource.label.instance_id"]
    # And only with more than (1 - 0.8) x 1 misses a second: a trickle of misses (a health
    # check's GET of a missing key) reads 0 hits per miss and must not warn.
    assert policies["hit-rate"]["combiner"] == "AND"
    floor = misses_floor(policies["hit-rate"])
    assert f'metric.type = "{prefix}/stats/total_keyspace_misses_count"' in floor["filter"]
    assert (floor["comparison"], floor["thresholdValue"], floor["duration"]) == (
        "COMPARISON_GT", 0.2, "900s")
    assert floor["aggregations"] == hit["aggregations"] and "denominatorFilter" not in floor
    # No secondaries: no cross-region policies.
    assert not {"cross-region-links", "cross-region-backlog"} & set(policies)


@pytest.mark.parametrize(("cache", "resource_type", "metric", "region_clause"), [
    (redis(), "redis_instance", "redis.googleapis.com/stats/memory/system_memory_usage_ratio",
     'resource.labels.region = "us-central1"'),
    (valkey(), "memorystore.googleapis.com/Instance",
     "memorystore.googleapis.com/instance/memory/maximum_utilization",
     'resource.labels.location = "us-central1"'),
    # memcache_node's location is the node's zone: us-central1-a, -b, ...
    (memcached(), "memcache_node", "memcache.googleapis.com/node/memory/utilization",
     'resource.labels.location = starts_with("us-central1-")'),
])
def test_alert_filters_name_the_instance_and_its_region(run_stack, cache, resource_type,
                                                        metric, region_clause):
    # An instance of the same id in another region of the project is not watched.
    policy = policies_of(run_stack(gcp_config(cache)), "s-alerts")["memory-critical"]
    assert condition(policy)["filter"] == (
        f'resource.type = "{resource_type}" AND metric.type = "{metric}" AND '
        'resource.labels.instance_id = monitoring.regex.full_match('
        f'"(projects/[^/]+/locations/[^/]+/instances/)?test-s") AND {region_clause}')


def test_valkey_without_replicas_has_no_lag_alert(run_stack):
    assert "replication-lag" not in policies_of(run_stack(gcp_config(valkey(replicas=0))),
                                                "s-alerts")


def test_valkey_primary_watches_the_cross_region_links_and_backlog(run_stack):
    rec = run_stack(gcp_config(valkey(shards=2, **{"global": {"secondary_region": "us-east4"}}),
                               **PROD))
    policies = policies_of(rec, "s-alerts")
    prefix = "memorystore.googleapis.com/instance/cross_instance_replication"
    links = condition(policies["cross-region-links"])
    assert f'metric.type = "{prefix}/secondary_replication_links"' in links["filter"]
    # One link per shard; fewer, or silence, is a broken link.
    assert (links["comparison"], links["thresholdValue"]) == ("COMPARISON_LT", 2)
    assert links["evaluationMissingData"] == "EVALUATION_MISSING_DATA_ACTIVE"
    assert links["aggregations"][0]["groupByFields"] == ["metric.label.secondary_instance_id"]
    backlog = condition(policies["cross-region-backlog"])
    assert f'metric.type = "{prefix}/secondary_maximum_replication_offset_diff"' in backlog[
        "filter"]
    assert backlog["thresholdValue"] == 64 * 1024 * 1024
    assert "test-s" in backlog["filter"] and "use4" not in backlog["filter"]
    # The secondary reports nothing about cross-region links: not watched there.
    secondary = policies_of(rec, "s-us-east4-alerts")
    assert not {"cross-region-links", "cross-region-backlog"} & set(secondary)


def test_secondary_gets_the_primary_policies_with_its_own_replicas(run_stack):
    rec = run_stack(gcp_config(valkey(replicas=2, **{"global": {
        "secondary_region": "us-east4", "secondary_replicas": 1}}), **PROD))
    primary = set(policies_of(rec, "s-alerts")) - {"cross-region-links", "cross-region-backlog"}
    assert set(policies_of(rec, "s-us-east4-alerts")) == primary


@pytest.mark.parametrize(("key", "metric", "comparison", "threshold"), [
    ("evictions", "memcache.googleapis.com/node/eviction_count", "COMPARISON_GT", 100 / 60),
    ("hit-rate", "memcache.googleapis.com/node/hit_ratio", "COMPARISON_LT", 0.8),
])
def test_memcached_evictions_and_hit_ratio(run_stack, key, metric, comparison, threshold):
    policy = condition(policies_of(run_stack(gcp_config(memcached(), **PROD)), "s-alerts")[key])
    assert f'metric.type = "{metric}"' in policy["filter"]
    assert policy["comparison"] == comparison
    assert policy["thresholdValue"] == pytest.approx(threshold)


def test_development_alerts_exist_but_notify_nobody(run_stack):
    rec = run_stack(gcp_config(valkey(), alerts={"emails": ["dev@example.com"]}))
    policies = policies_of(rec, "s-alerts")
    assert policies and all(p.get("notificationChannels", []) == [] for p in policies.values())


def test_secondary_instances_get_their_own_alerts_in_their_region(run_stack):
    rec = run_stack(gcp_config(valkey(**{"global": {"secondary_region": "us-east4"}}), **PROD))
    policies = [r for r in rec.children_of(rec.named("s-us-east4-alerts").urn)]
    assert policies and all(p.provider_name == "gcp-acme-cache-us-east4" for p in policies)
    assert all("test-s-use4" in condition(p.inputs)["filter"]
               and condition(p.inputs)["filter"].endswith('resource.labels.location = "us-east4"')
               for p in policies)


# ---------------------------------------------------------------------------------------------
# The stack's Cloud Monitoring dashboard
# ---------------------------------------------------------------------------------------------
DASHBOARD = "gcp:monitoring/dashboard:Dashboard"


def dashboard_of(rec) -> dict:
    return json.loads(rec.one(DASHBOARD).inputs["dashboardJson"])


def graphs(dashboard: dict) -> dict[str, dict]:
    return {t["widget"]["title"]: t["widget"]["xyChart"]
            for t in dashboard["mosaicLayout"]["tiles"] if "xyChart" in t["widget"]}


def test_one_dashboard_per_stack_with_a_title_and_graphs_per_cache(run_stack):
    rec = run_stack(gcp_config({"a": {"engine": "valkey", "replicas": 1},
                                "b": {"engine": "redis", "replicas": 1}}, **PROD))
    dashboard = dashboard_of(rec)
    assert dashboard["displayName"] == "managed-cache test"
    assert rec.one(DASHBOARD).inputs["project"] == "acme-cache"
    titles = [t["widget"]["text"]["content"] for t in dashboard["mosaicLayout"]["tiles"]
              if "text" in t["widget"]]
    assert titles == ["## a: valkey `test-a` (us-central1)", "## b: redis `test-b` (us-central1)"]
    tiles = dashboard["mosaicLayout"]["tiles"]
    # The API leaves a 0 position out (proto3 default), so the JSON does too.
    assert all(t.get("xPos", 0) + t["width"] <= dashboard["mosaicLayout"]["columns"]
               for t in tiles)
    # No two tiles overlap.
    cells = [(x, y) for t in tiles
             for x in range(t.get("xPos", 0), t.get("xPos", 0) + t["width"])
             for y in range(t.get("yPos", 0), t.get("yPos", 0) + t["height"])]
    assert len(cells) == len(set(cells))


def test_dashboard_graphs_the_alerted_metrics_with_their_thresholds(run_stack):
    rec = run_stack(gcp_config(valkey(replicas=1), **PROD))
    charts = graphs(dashboard_of(rec))
    assert set(charts) == {"Memory", "CPU", "Connections", "Evictions (per s)",
                           "Hits per miss", "Replication lag (s)"}
    memory = charts["Memory"]
    query = memory["dataSets"][0]["timeSeriesQuery"]["timeSeriesFilter"]
    assert 'metric.type = "memorystore.googleapis.com/instance/memory/maximum_utilization"' \
        in query["filter"]
    # No color or direction: the Dashboards API allows neither in an XyChart's thresholds.
    assert memory["thresholds"] == [{"label": "critical alert above", "value": 0.9}]
    ratio = charts["Hits per miss"]["dataSets"][0]["timeSeriesQuery"]["timeSeriesFilterRatio"]
    assert "total_keyspace_hits_count" in ratio["numerator"]["filter"]
    assert "total_keyspace_misses_count" in ratio["denominator"]["filter"]
    # Every graph's threshold is its alert policy's.
    policies = policies_of(rec, "s-alerts")
    assert charts["Replication lag (s)"]["thresholds"][0]["value"] == condition(
        policies["replication-lag"])["thresholdValue"]


@pytest.mark.parametrize("engine", [valkey, redis, memcached], ids=["valkey", "redis", "memcached"])
def test_dashboard_thresholds_carry_only_what_an_xy_chart_allows(run_stack, engine):
    # google.monitoring.dashboard.v1.Threshold: "Color is not allowed in a XyChart", and
    # "Direction is not allowed in a XyChart".
    charts = graphs(dashboard_of(run_stack(gcp_config(engine(), **PROD))))
    thresholds = [t for chart in charts.values() for t in chart.get("thresholds", [])]
    assert thresholds and all(set(t) == {"label", "value"} for t in thresholds)


def test_dashboard_shows_the_secondary_and_the_cross_region_replication(run_stack):
    rec = run_stack(gcp_config(valkey(**{"global": {"secondary_region": "us-east4"}}), **PROD))
    charts = graphs(dashboard_of(rec))
    assert {"Cross-region replication links", "Cross-region backlog (bytes)",
            "Memory in us-east4", "CPU in us-east4"} <= set(charts)
    secondary = charts["Memory in us-east4"]["dataSets"][0]["timeSeriesQuery"]
    assert "test-s-use4" in secondary["timeSeriesFilter"]["filter"]
    assert secondary["timeSeriesFilter"]["filter"].endswith(
        'resource.labels.location = "us-east4"')
    links = charts["Cross-region replication links"]["thresholds"][0]
    assert links == {"label": "critical alert below", "value": 1}


def test_memcached_dashboard_row(run_stack):
    rec = run_stack(gcp_config(memcached(), **PROD))
    charts = graphs(dashboard_of(rec))
    assert set(charts) == {"Memory", "Connections", "Evictions (per s)", "Hit ratio"}


def _defaults_in(value, path="") -> list[str]:
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _defaults_in(v, f"{path}.{k}")]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _defaults_in(v, f"{path}[{i}]")]
    return [path] if value in (0, "", False) else []


def test_dashboard_json_has_no_field_the_api_leaves_out(run_stack):
    # The Dashboards API omits fields at their proto3 default (a tile at xPos 0), and the
    # provider's DiffSuppressFunc only ignores keys missing from the config
    # (monitoring/resource_monitoring_dashboard.go removeComputedKeys): a 0 in the config would
    # update the dashboard on every `pulumi up`.
    rec = run_stack(gcp_config({"a": {"engine": "valkey", "replicas": 1},
                                "b": {"engine": "redis", "replicas": 1}}, **PROD))
    dashboard = dashboard_of(rec)
    assert _defaults_in(dashboard) == []
    tiles = dashboard["mosaicLayout"]["tiles"]
    assert "xPos" not in tiles[0] and "yPos" not in tiles[0]   # the first title, at (0, 0)


def test_a_stack_past_a_dashboards_tiles_gets_further_pages(run_stack):
    # MAX_TILES_PER_DASHBOARD holds under Google's 100 widgets and a reported 50. A Valkey cache
    # with replicas and a secondary region takes 15 tiles: its title, 8 graphs of the primary in
    # two rows of 4, 6 of the secondary in rows of 4 and 2.
    caches = {name: valkey(replicas=1, **{"global": {"secondary_region": "us-east4"}})["s"]
              for name in ("a", "b", "c", "d")}
    rec = run_stack(gcp_config(caches, **PROD))
    boards = sorted(rec.of_type(DASHBOARD), key=lambda d: d.name)    # registered async
    assert [d.name for d in boards] == ["test-dashboard-dashboard", "test-dashboard-dashboard-2"]
    pages = [json.loads(d.inputs["dashboardJson"]) for d in boards]
    assert [p["displayName"] for p in pages] == ["managed-cache test", "managed-cache test (2)"]
    tiles = [p["mosaicLayout"]["tiles"] for p in pages]
    assert [len(t) for t in tiles] == [50, 11]          # 15 + 15 + 15 + 5 | 11
    assert all(len(t) <= MAX_TILES_PER_DASHBOARD == 50 for t in tiles)
    headings = [[t["widget"]["text"]["content"] for t in page if "text" in t["widget"]]
                for page in tiles]
    # Rows stay whole: d's title and first row end the first page (exactly 50 tiles), and its
    # other rows start the second under its title again.
    assert headings == [
        [f"## {c}: valkey `test-{c}` (us-central1)" for c in "abcd"],
        ["## d: valkey `test-d` (us-central1) (continued)"]]
    # Every graph is drawn once, in the order of a one-page dashboard.
    titles = [t["widget"]["title"] for page in tiles for t in page if "xyChart" in t["widget"]]
    assert len(titles) == 4 * 14 and titles[:14] * 4 == titles
    # Each page starts at the top, with no field the API leaves out (xPos/yPos 0).
    assert all("yPos" not in page[0] for page in tiles)
    assert _defaults_in(pages[1]) == []
    assert len(rec.stack_outputs["monitoring"]["dashboard_urls"]) == 2
    assert rec.stack_outputs["monitoring"]["dashboard_urls"][0] == \
        rec.stack_outputs["monitoring"]["dashboard_url"]


def test_an_address_repeated_in_another_case_is_one_channel(run_stack):
    # As the AWS topics' subscriptions: each address once, its first spelling, in config order.
    rec = run_stack(gcp_config(valkey(), alerts={"emails": [
        "oncall@example.com", "db@example.com", "OnCall@Example.com"]}))
    channels = sorted(rec.of_type(CHANNEL), key=lambda c: c.name)
    assert [(c.name, c.inputs["labels"]["email_address"]) for c in channels] == [
        ("test-alerts-email-0", "oncall@example.com"),
        ("test-alerts-email-1", "db@example.com")]
