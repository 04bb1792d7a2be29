"""The stack's CloudWatch dashboard: its graphs per cache, and its pages within CloudWatch's
dashboard limits (the alarms it draws: test_alarms.py)."""

from __future__ import annotations

import json

from components.aws.alarms import CacheNode
from components.aws.dashboard import (
    MAX_METRICS_PER_DASHBOARD,
    MAX_METRICS_PER_WIDGET,
    MAX_WIDGETS_PER_DASHBOARD,
    CacheDashboard,
    CacheDashboardArgs,
    DashboardCache,
    dashboard_bodies,
)
from infra.config.alarms import ALARM_DEFAULTS
from tests.builders import aws_config

DASHBOARD = "aws:cloudwatch/dashboard:Dashboard"


def _dashboard_metrics(body: dict) -> list[list]:
    return [m for w in body["widgets"] if w["type"] == "metric"
            for m in w["properties"]["metrics"]]


def _graphed_nodes(widget) -> list[str]:
    return [m[m.index("CacheClusterId") + 1] for m in widget["properties"]["metrics"]]


def test_one_dashboard_per_stack_with_key_widgets_per_cache(run_stack):
    recorder = run_stack("prod")
    [dashboard] = recorder.of_type(DASHBOARD)
    # Dashboard names are account-wide: the stack's region keeps another region's stack of the
    # same name_prefix from overwriting it.
    assert dashboard.inputs["dashboardName"] == "managed-cache-prod-us-east-1"
    assert "::aws-us-east-1::" in dashboard.provider
    body = json.loads(dashboard.inputs["dashboardBody"])
    titles = [w["properties"].get("title") for w in body["widgets"] if w["type"] == "metric"]
    assert titles == [
        "Memory used (% of maxmemory)", "Engine CPU (%)", "Host CPU (%)",
        "Evictions (per minute)", "Connections", "Replication lag (s)",
        "Global Datastore lag in eu-west-1 (s)",
        "Memory used (% of maxmemory) in eu-west-1", "Engine CPU (%) in eu-west-1",
        "Host CPU (%) in eu-west-1", "Evictions (per minute) in eu-west-1",
        "Connections in eu-west-1",
        "Freeable memory (bytes)", "Swap used (bytes)", "CPU (%)", "Evictions (per minute)",
        "Connections",
    ]
    metrics = _dashboard_metrics(body)
    assert all(m[0] == "AWS/ElastiCache" for m in metrics)
    cluster_ids = {m[m.index("CacheClusterId") + 1] for m in metrics}
    assert cluster_ids == {"prod-sessions-001", "prod-sessions-002", "prod-sessions-003",
                           "prod-sessions-euw1-001", "prod-sessions-euw1-002", "prod-fragments"}
    in_secondary = [w for w in body["widgets"]
                    if w["properties"].get("title", "").endswith("in eu-west-1")]
    assert len(in_secondary) == 5
    assert all(w["properties"]["region"] == "eu-west-1" for w in in_secondary)
    [global_lag] = [w for w in body["widgets"]
                    if w["properties"].get("title", "").startswith("Global")]
    assert global_lag["properties"]["region"] == "eu-west-1"
    # Lag is graphed for every node that can be a replica (lag) or the secondary's primary
    # (cross-region lag): a failover swaps the roles.
    assert _graphed_nodes(global_lag) == ["prod-sessions-euw1-001", "prod-sessions-euw1-002"]
    [replica_lag] = [w for w in body["widgets"]
                     if w["properties"].get("title") == "Replication lag (s)"]
    assert _graphed_nodes(replica_lag) == [
        "prod-sessions-001", "prod-sessions-002", "prod-sessions-003"]
    [memory, _] = [w for w in body["widgets"]
                   if w["properties"].get("title", "").startswith("Memory")]
    assert [a["value"] for a in memory["properties"]["annotations"]["horizontal"]] == [80, 90]
    # Widgets never overlap and stay within the 24-column grid.
    cells = set()
    for w in body["widgets"]:
        assert w["x"] + w["width"] <= 24
        for x in range(w["x"], w["x"] + w["width"]):
            for y in range(w["y"], w["y"] + w["height"]):
                assert (x, y) not in cells
                cells.add((x, y))


def _largest_group(name: str, secondary_region: str | None = None) -> DashboardCache:
    """A replication group at ElastiCache's 500 nodes: 250 shards of a primary and a replica."""
    def nodes(prefix: str) -> list[CacheNode]:
        return [CacheNode(f"{prefix}-{shard:04d}-{node:03d}", replica=node > 1)
                for shard in range(1, 251) for node in (1, 2)]
    return DashboardCache(
        name=name, cache_id=name, engine="valkey", region="us-east-1", vcpus=2,
        nodes=nodes(name), policy=ALARM_DEFAULTS["production"],
        secondary_nodes={secondary_region: nodes(f"{name}-2nd")} if secondary_region else {})


def _pages(*caches: DashboardCache) -> list[dict]:
    return [json.loads(body) for body in dashboard_bodies(CacheDashboardArgs(
        dashboard_name="managed-cache-test-us-east-1", region="us-east-1", caches=caches))]


def _within_cloudwatch_limits(page: dict) -> None:
    graphs = [w for w in page["widgets"] if w["type"] == "metric"]
    assert len(page["widgets"]) <= MAX_WIDGETS_PER_DASHBOARD == 500
    assert sum(len(g["properties"]["metrics"]) for g in graphs) <= MAX_METRICS_PER_DASHBOARD \
        == 2500
    assert max(len(g["properties"]["metrics"]) for g in graphs) <= MAX_METRICS_PER_WIDGET == 500


def test_no_dashboard_graph_holds_more_than_a_widgets_500_metrics():
    # CloudWatch service quotas (dashboards): at most 500 metrics per widget; a replication
    # group has up to 500 nodes, so each graph holds one metric per node, never two.
    [first, *_] = _pages(_largest_group("big"))
    counts = {w["properties"]["title"]: len(w["properties"]["metrics"])
              for w in first["widgets"] if w["type"] == "metric"}
    assert counts["Engine CPU (%)"] == counts["Host CPU (%)"] == 500
    _within_cloudwatch_limits(first)


def test_graphs_past_a_dashboards_2500_metrics_go_on_further_pages():
    # CloudWatch service quotas (dashboards): at most 2,500 metrics per dashboard. A 500-node
    # group's node row alone holds 2,500 (five graphs of 500 nodes), its replication lag 500
    # more, and a Global Datastore secondary as many again.
    pages = _pages(_largest_group("big", secondary_region="eu-west-1"))
    for page in pages:
        _within_cloudwatch_limits(page)
    titles = [[w["properties"].get("title") or w["properties"]["markdown"]
               for w in page["widgets"]] for page in pages]
    heading = "## big: valkey `big` (us-east-1)"
    assert titles == [
        [heading, "Memory used (% of maxmemory)", "Engine CPU (%)", "Host CPU (%)",
         "Evictions (per minute)", "Connections"],
        [f"{heading} (continued)", "Replication lag (s)", "Global Datastore lag in eu-west-1 (s)"],
        [f"{heading} (continued)", "Memory used (% of maxmemory) in eu-west-1",
         "Engine CPU (%) in eu-west-1", "Host CPU (%) in eu-west-1",
         "Evictions (per minute) in eu-west-1", "Connections in eu-west-1"],
    ]
    # Each page starts at the top: its title, then its one row.
    assert [sorted({w["y"] for w in page["widgets"]}) for page in pages] == [[0, 1]] * 3


def test_a_stack_past_a_dashboards_500_widgets_gets_a_second_page(run):
    # Dashboard Body Structure and Syntax: a body holds at most 500 widgets. 80 production
    # caches of one shard with replicas take 7 widgets each (title, five node graphs, lag).
    def cache(number: int) -> DashboardCache:
        name = f"c{number:02d}"
        return DashboardCache(
            name=name, cache_id=f"test-{name}", engine="valkey", region="us-east-1", vcpus=2,
            nodes=[CacheNode(f"test-{name}-00{n}", replica=n > 1) for n in (1, 2, 3)],
            policy=ALARM_DEFAULTS["production"])

    args = CacheDashboardArgs(dashboard_name="managed-cache-test-us-east-1",
                              region="us-east-1", caches=[cache(n) for n in range(80)])
    component: list[CacheDashboard] = []
    recorder = run(lambda: component.append(CacheDashboard("test-dashboard", args)))
    boards = sorted(recorder.of_type(DASHBOARD), key=lambda d: d.name)    # registered async
    # The first page keeps a one-page dashboard's resource and dashboard names.
    assert [(d.name, d.inputs["dashboardName"]) for d in boards] == [
        ("test-dashboard-dashboard", "managed-cache-test-us-east-1"),
        ("test-dashboard-dashboard-2", "managed-cache-test-us-east-1-2")]
    bodies = [json.loads(d.inputs["dashboardBody"]) for d in boards]
    assert [len(b["widgets"]) for b in bodies] == [497, 63]      # 71 caches, then 9
    for body in bodies:
        _within_cloudwatch_limits(body)
    # Every cache is on exactly one page, whole, in config order.
    headings = [w["properties"]["markdown"] for b in bodies for w in b["widgets"]
                if w["type"] == "text"]
    assert headings == [f"## c{n:02d}: valkey `test-c{n:02d}` (us-east-1)" for n in range(80)]
    [dashboard] = component
    assert dashboard.urls == [
        "https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1"
        f"#dashboards:name={name}"
        for name in ("managed-cache-test-us-east-1", "managed-cache-test-us-east-1-2")]
    assert dashboard.url == dashboard.urls[0]


def test_data_tiering_nodes_are_graphed_on_memory_and_ssd(run_stack):
    # An r6gd node moves values to SSD once its memory is full: its graph, like its alarms
    # (test_alarms.py), follows the capacity of memory and SSD.
    recorder = run_stack(aws_config({"c": {"node_type": "cache.r6gd.xlarge"}},
                                    profile="production"))
    body = json.loads(recorder.of_type(DASHBOARD)[0].inputs["dashboardBody"])
    [capacity] = [w for w in body["widgets"] if w["properties"].get("title", "").startswith(
        "Data used (% of memory and SSD)")]
    assert {m[1] for m in capacity["properties"]["metrics"]} == {
        "DatabaseCapacityUsagePercentage"}
    assert "DatabaseMemoryUsagePercentage" not in {m[1] for m in _dashboard_metrics(body)}


def test_memcached_dashboard_uses_node_dimensions(run_stack):
    recorder = run_stack("prod")
    body = json.loads(recorder.of_type(DASHBOARD)[0].inputs["dashboardBody"])
    memcached = [m for m in _dashboard_metrics(body) if "prod-fragments" in m]
    assert {m[1] for m in memcached} == {"FreeableMemory", "SwapUsage", "CPUUtilization",
                                         "Evictions", "CurrConnections"}
    assert {tuple(m[2:6]) for m in memcached} == {
        ("CacheClusterId", "prod-fragments", "CacheNodeId", f"{n:04d}") for n in (1, 2, 3)}


def test_monitoring_is_exported(run_stack):
    recorder = run_stack("prod")
    monitoring = recorder.stack_outputs["monitoring"]
    assert monitoring["dashboard_url"] == (
        "https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1"
        "#dashboards:name=managed-cache-prod-us-east-1")
    assert monitoring["dashboard_urls"] == [monitoring["dashboard_url"]]
    assert sorted(monitoring["alarm_topics"]) == ["eu-west-1", "us-east-1"]


def test_a_300_node_memcached_cluster_stays_within_a_widgets_500_metrics():
    # Swap has its own graph: beside freeable memory it made two metrics a node, 600 at 300.
    nodes = [CacheNode("big", node_id=f"{n:04d}") for n in range(1, 301)]
    cache = DashboardCache(name="big", cache_id="big", engine="memcached", region="us-east-1",
                           vcpus=2, nodes=nodes, policy=ALARM_DEFAULTS["production"])
    [page] = _pages(cache)
    _within_cloudwatch_limits(page)
    graphs = {w["properties"]["title"]: w["properties"] for w in page["widgets"]
              if w["type"] == "metric"}
    assert {title: len(g["metrics"]) for title, g in graphs.items()} == {
        "Freeable memory (bytes)": 300, "Swap used (bytes)": 300, "CPU (%)": 300,
        "Evictions (per minute)": 300, "Connections": 300}
    swap = graphs["Swap used (bytes)"]
    assert swap["annotations"]["horizontal"] == [{"label": "alarm", "value": 50 * 1024 * 1024}]
