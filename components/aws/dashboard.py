"""The stack's CloudWatch dashboard: a row of key graphs per cache.

The body is built with json.dumps from config-derived ids only (member ids, regions,
thresholds), so it is known at preview time and diffs readably. A stack whose graphs pass a
dashboard's limits gets further pages (`<name>-2`, `<name>-3`, ...), split between rows.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from components.alarm_policy import AlarmPolicy
from components.aws.alarms import (
    GB,
    NAMESPACE,
    CacheNode,
    GroupAlarmArgs,
    ServerlessAlarmArgs,
    group_memory_metric,
    host_cpu_threshold,
    node_memory_metric,
    shards,
)
from components.component import Component, Outputs
from components.dashboard_pages import paginate

GRAPH_HEIGHT = 6
FULL_WIDTH = 24
# Fixed CloudWatch limits, not quotas one can raise. Dashboard Body Structure and Syntax
# (CloudWatch API Reference): a body holds "between 0 and 500 widget objects"; CloudWatch service
# quotas (dashboards): "Up to 500 metrics per dashboard widget. Up to 2500 metrics per dashboard,
# across all widgets". A graph holds one metric per node and a group has at most 500 nodes.
MAX_WIDGETS_PER_DASHBOARD = 500
MAX_METRICS_PER_DASHBOARD = 2500
MAX_METRICS_PER_WIDGET = 500


@dataclass(frozen=True)
class DashboardCache:
    name: str
    cache_id: str
    engine: str
    region: str
    vcpus: int
    nodes: Sequence[CacheNode]                           # as given to the alarms
    policy: AlarmPolicy                                  # thresholds drawn as lines
    data_tiering: bool = False                           # r6gd: memory + SSD capacity graphed
    # Secondary region -> the secondary group's nodes, primary first (Global Datastore).
    secondary_nodes: Mapping[str, Sequence[CacheNode]] = field(default_factory=dict)
    # An auto-scaled cache: group metrics, which cover the nodes the scaler adds.
    group: GroupAlarmArgs | None = None
    # A serverless cache: per-cache metrics against its usage limits instead of node graphs.
    serverless: ServerlessAlarmArgs | None = None


@dataclass(frozen=True)
class CacheDashboardArgs:
    dashboard_name: str
    region: str
    caches: Sequence[DashboardCache]


class CacheDashboard(Component[CacheDashboardArgs],
                     type_token="managed-cache:aws:CacheDashboard"):
    dashboard_name: pulumi.Output[str]       # the first page's
    url: str                                 # the first page's console link, known from config
    urls: list[str]                          # every page's, first page first

    def build(self, name: str, args: CacheDashboardArgs) -> Outputs:
        pages = dashboard_bodies(args)
        # The first page keeps the resource and dashboard names of a one-page dashboard.
        names = [args.dashboard_name] + [f"{args.dashboard_name}-{page}"
                                         for page in range(2, len(pages) + 1)]
        dashboards = [aws.cloudwatch.Dashboard(
            f"{name}-dashboard" + (f"-{page}" if page > 1 else ""),
            dashboard_name=page_name,
            dashboard_body=body,
            opts=pulumi.ResourceOptions(parent=self),
        ) for page, (page_name, body) in enumerate(zip(names, pages, strict=True), start=1)]
        self.dashboard_name = dashboards[0].dashboard_name
        self.urls = [dashboard_url(args.region, page_name) for page_name in names]
        self.url = self.urls[0]
        return {"dashboard_name": self.dashboard_name, "url": self.url, "urls": self.urls}


def dashboard_url(region: str, dashboard_name: str) -> str:
    return (f"https://{region}.console.aws.amazon.com/cloudwatch/home?region={region}"
            f"#dashboards:name={dashboard_name}")


def dashboard_bodies(args: CacheDashboardArgs) -> list[str]:
    """One body per page (components/dashboard_pages.py)."""
    sections = [(_heading(cache), _rows(cache)) for cache in args.caches]
    bodies = []
    for page in paginate(sections, max_widgets=MAX_WIDGETS_PER_DASHBOARD,
                         max_metrics=MAX_METRICS_PER_DASHBOARD,
                         max_graph_metrics=MAX_METRICS_PER_WIDGET,
                         metrics=lambda graph: len(graph["metrics"])):
        widgets: list[dict[str, Any]] = []
        y = 0
        for title, rows in page:
            widgets.append(_text(title, y))
            y += 1
            for row in rows:
                width = FULL_WIDTH // len(row)
                for column, graph in enumerate(row):
                    widgets.append({"type": "metric", "x": column * width, "y": y,
                                    "width": width, "height": GRAPH_HEIGHT, "properties": graph})
                y += GRAPH_HEIGHT
        bodies.append(json.dumps({"widgets": widgets}, sort_keys=True))
    return bodies


def _heading(cache: DashboardCache) -> str:
    kind = f"serverless {cache.engine}" if cache.serverless is not None else cache.engine
    return f"## {cache.name}: {kind} `{cache.cache_id}` ({cache.region})"


def _rows(cache: DashboardCache) -> list[list[dict[str, Any]]]:
    if cache.serverless is not None:
        return _serverless_rows(cache, cache.serverless)
    if cache.engine == "memcached":
        return _memcached_rows(cache)
    return _valkey_rows(cache)


def _valkey_rows(cache: DashboardCache) -> list[list[dict[str, Any]]]:
    p = cache.policy
    rows = [_valkey_node_row(cache, cache.region, cache.nodes)]
    if cache.group is not None:
        rows.append(_group_row(cache, cache.group))
    lag: list[dict[str, Any]] = []
    # Every node of a shard with replicas: a failover swaps which of them are replicas.
    replicated = [n for shard in shards(cache.nodes) if len(shard) > 1 for n in shard]
    if replicated:
        lag.append(_graph("Replication lag (s)", cache.region, "ReplicationLag", replicated,
                          "Maximum", lines={"alarm": p.replication_lag_seconds}))
    for secondary_region, nodes in cache.secondary_nodes.items():
        lag.append(_graph(f"Global Datastore lag in {secondary_region} (s)", secondary_region,
                          "GlobalDatastoreReplicationLag", nodes, "Maximum",
                          lines={"alarm": p.replication_lag_seconds}))
    if lag:
        rows.append(lag)
    # A secondary region's nodes serve reads there and take over on failover: same graphs.
    for secondary_region, nodes in cache.secondary_nodes.items():
        rows.append(_valkey_node_row(cache, secondary_region, nodes,
                                     suffix=f" in {secondary_region}"))
    return rows


def _valkey_node_row(cache: DashboardCache, region: str, nodes: Sequence[CacheNode],
                     suffix: str = "") -> list[dict[str, Any]]:
    p = cache.policy
    host_cpu = host_cpu_threshold(p.host_cpu_percent, cache.vcpus)
    return [
        _graph(f"Data used (% of memory and SSD){suffix}" if cache.data_tiering
               else f"Memory used (% of maxmemory){suffix}", region,
               node_memory_metric(cache.data_tiering), nodes, "Maximum",
               lines={"warning": p.memory_warning_percent, "critical": p.memory_critical_percent},
               percent=True),
        _graph(f"Engine CPU (%){suffix}", region, "EngineCPUUtilization", nodes, "Average",
               lines={"alarm": p.engine_cpu_percent}, percent=True),
        # A graph of its own, not host lines beside the engine's: a widget holds at most 500
        # metrics (CloudWatch service quotas, dashboards) and a group up to 500 nodes.
        _graph(f"Host CPU (%){suffix}", region, "CPUUtilization", nodes, "Average",
               lines={"alarm": host_cpu}, percent=True),
        _graph(f"Evictions (per minute){suffix}", region, "Evictions", nodes, "Sum",
               lines={"alarm": p.evictions_per_minute}),
        _graph(f"Connections{suffix}", region, "CurrConnections", nodes, "Maximum",
               lines={"alarm": p.max_connections}),
    ]


def _group_row(cache: DashboardCache, group: GroupAlarmArgs) -> list[dict[str, Any]]:
    """The replication group's own metrics: they follow the scaler at any node count."""
    p = cache.policy
    dims = ["ReplicationGroupId", group.replication_group_id]
    cpu = [[NAMESPACE, "EngineCPUUtilization", *dims, "Role", role,
            {"label": f"{role.lower()}s (average)", "stat": "Average"}]
           for role in (("Primary", "Replica") if group.replicas else ("Primary",))]
    memory = group_memory_metric(group.data_tiering)
    return [
        {"title": "Group engine CPU, any node count (%)", "region": cache.region,
         "view": "timeSeries", "stacked": False, "period": 60, "stat": "Average",
         "metrics": cpu, "yAxis": {"left": {"min": 0, "max": 100}},
         "annotations": {"horizontal": [{"label": "alarm", "value": p.engine_cpu_percent}]}},
        {"title": "Group memory counted for eviction (%)", "region": cache.region,
         "view": "timeSeries", "stacked": False, "period": 60, "stat": "Average",
         "metrics": [[NAMESPACE, memory, *dims, {"label": "group", "stat": "Average"}]],
         "yAxis": {"left": {"min": 0, "max": 100}},
         "annotations": {"horizontal": [
             {"label": "warning", "value": p.memory_warning_percent},
             {"label": "critical", "value": p.memory_critical_percent}]}},
    ]


def _serverless_rows(cache: DashboardCache,
                     limits: ServerlessAlarmArgs) -> list[list[dict[str, Any]]]:
    """One row: data and ECPUs against their limits, throttled commands, connections."""
    p = cache.policy
    dims = ["clusterId", cache.cache_id]

    def graph(title: str, metric: str, stat: str, lines: Mapping[str, float]) -> dict[str, Any]:
        return {"title": title, "region": cache.region, "view": "timeSeries", "stacked": False,
                "period": 60, "stat": stat,
                "metrics": [[NAMESPACE, metric, *dims, {"label": cache.name, "stat": stat}]],
                "annotations": {"horizontal": [{"label": label, "value": value}
                                               for label, value in lines.items()]}}

    return [[
        graph("Data stored (bytes)", "BytesUsedForCache", "Maximum",
              {"alarm": limits.max_data_gb * GB * limits.limit_alarm_percent / 100,
               "limit": limits.max_data_gb * GB}),
        graph("ECPUs (per minute)", "ElastiCacheProcessingUnits", "Sum",
              {"alarm": limits.max_ecpu_per_second * 60 * limits.limit_alarm_percent / 100,
               "limit": limits.max_ecpu_per_second * 60}),
        graph("Throttled commands (per minute)", "ThrottledCmds", "Sum", {"alarm": 0}),
        graph("Connections", "CurrConnections", "Maximum", {"alarm": p.max_connections}),
    ]]


def _memcached_rows(cache: DashboardCache) -> list[list[dict[str, Any]]]:
    p = cache.policy
    region = cache.region
    return [[
        # Swap on a graph of its own: a widget holds at most 500 metrics, a cluster 300 nodes.
        _graph("Freeable memory (bytes)", region, "FreeableMemory", cache.nodes, "Minimum",
               lines={"alarm": p.freeable_memory_mb * 1024 * 1024}),
        _graph("Swap used (bytes)", region, "SwapUsage", cache.nodes, "Maximum",
               lines={"alarm": p.swap_usage_mb * 1024 * 1024}),
        _graph("CPU (%)", region, "CPUUtilization", cache.nodes, "Average",
               lines={"alarm": p.host_cpu_percent}, percent=True),
        _graph("Evictions (per minute)", region, "Evictions", cache.nodes, "Sum",
               lines={"alarm": p.evictions_per_minute}),
        _graph("Connections", region, "CurrConnections", cache.nodes, "Maximum",
               lines={"alarm": p.max_connections}),
    ]]


def _graph(title: str, region: str, metric: str, nodes: Sequence[CacheNode], stat: str,
           lines: Mapping[str, float], percent: bool = False) -> dict[str, Any]:
    graph: dict[str, Any] = {
        "title": title,
        "region": region,
        "view": "timeSeries",
        "stacked": False,
        "period": 60,
        "stat": stat,
        "metrics": [_metric(metric, n, _label(n), stat) for n in nodes],
        "annotations": {"horizontal": [
            {"label": label, "value": value}
            for label, value in lines.items()
        ]},
    }
    if percent:
        graph["yAxis"] = {"left": {"min": 0, "max": 100}}
    return graph


def _metric(metric: str, node: CacheNode, label: str, stat: str) -> list[Any]:
    dims = [part for key, value in node.dimensions.items() for part in (key, value)]
    return [NAMESPACE, metric, *dims, {"label": label, "stat": stat}]


def _label(node: CacheNode) -> str:
    return node.subject


def _text(markdown: str, y: int) -> dict[str, Any]:
    return {"type": "text", "x": 0, "y": y, "width": FULL_WIDTH, "height": 1,
            "properties": {"markdown": markdown}}
