"""One Cloud Monitoring dashboard per GCP stack, the counterpart of the AWS stack's CloudWatch
dashboard: per cache a title and rows of graphs of the metrics its alert policies watch, each
with the policy's threshold drawn as a line; a Valkey cache's cross-region secondaries get the
primary's graphs again, plus the cross-region replication links and backlog.

The JSON is built with json.dumps from config-derived ids and thresholds only, so it is known at
preview time and diffs readably. It carries no field at its proto3 default (0, "", [], false):
the Dashboards API leaves those out of what it returns, and the provider's diff suppression only
drops keys the config lacks (removeComputedKeys in monitoring/resource_monitoring_dashboard.go),
so a tile at `"xPos": 0` would be an update on every `pulumi up`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_gcp as gcp

from components.alarm_policy import AlarmPolicy
from components.component import Component, Outputs
from components.dashboard_pages import paginate
from components.gcp.alerts import (
    ALIGNMENT_PERIOD,
    LESS,
    RESOURCE_TYPES,
    AlertRule,
    alert_rules,
    instance_filter,
)
from components.gcp.apis import MONITORING, needs

COLUMNS = 48            # the mosaic grid's width
# Tiles (titles included) per dashboard; past it the stack gets further pages. Cloud Monitoring
# release notes, 2025-05-02: "The limit for the number of widgets on a custom dashboard has
# increased to 100, from 40." A 2026 Terraform module says "GCP rejects any dashboard with more
# than 50 widgets"; 50 holds under both (docs/cloud-rules.md).
MAX_TILES_PER_DASHBOARD = 50
GRAPHS_PER_ROW = 4
GRAPH_HEIGHT = 16
TITLE_HEIGHT = 4
# Graph order and titles (None: the rule's own); a rule the instance lacks is left out.
GRAPHS: tuple[tuple[str, str | None], ...] = (
    ("memory-critical", "Memory"),
    ("cpu", "CPU"),
    ("main-thread-cpu", "Main-thread CPU"),
    ("connected-clients", "Connections"),
    ("evictions", "Evictions (per s)"),
    ("hit-rate", None),                 # hits per miss on Valkey and Redis, a ratio on Memcached
    ("replication-lag", "Replication lag (s)"),
    ("cross-region-links", "Cross-region replication links"),
    ("cross-region-backlog", "Cross-region backlog (bytes)"),
)


@dataclass(frozen=True)
class DashboardInstance:
    name: str                                   # the cache's config name
    engine: str
    instance_id: str
    region: str
    policy: AlarmPolicy
    high_availability: bool = False
    replicas: int = 0
    shards: int = 1
    # Valkey cross-region secondaries: region -> (instance id, replicas per shard).
    secondaries: Mapping[str, tuple[str, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class MemorystoreDashboardArgs:
    display_name: str
    project: str
    instances: Sequence[DashboardInstance]
    apis: Mapping[str, pulumi.Resource] = field(default_factory=dict)  # enabled APIs to wait for


class MemorystoreDashboard(Component[MemorystoreDashboardArgs],
                           type_token="managed-cache:gcp:MemorystoreDashboard"):
    dashboard_id: pulumi.Output[str]        # the first page's: projects/<number>/dashboards/<id>
    url: pulumi.Output[str]                 # the first page's
    urls: list[pulumi.Output[str]]          # every page's, first page first

    def build(self, name: str, args: MemorystoreDashboardArgs) -> Outputs:
        # The first page keeps the resource name and display name of a one-page dashboard.
        dashboards = [gcp.monitoring.Dashboard(
            f"{name}-dashboard" + (f"-{page}" if page > 1 else ""),
            project=args.project,
            dashboard_json=body,
            opts=pulumi.ResourceOptions(parent=self, depends_on=needs(args.apis, MONITORING)),
        ) for page, body in enumerate(dashboard_jsons(args), start=1)]
        self.dashboard_id = dashboards[0].id
        self.urls = [d.id.apply(lambda id_: dashboard_url(args.project, id_))
                     for d in dashboards]
        self.url = self.urls[0]
        return {"dashboard_id": self.dashboard_id, "url": self.url, "urls": self.urls}


def dashboard_url(project: str, dashboard_id: str) -> str:
    return (f"https://console.cloud.google.com/monitoring/dashboards/builder/"
            f"{dashboard_id.rsplit('/', 1)[-1]}?project={project}")


def dashboard_jsons(args: MemorystoreDashboardArgs) -> list[str]:
    """One dashboard per page (components/dashboard_pages.py): "<display name> (2)" and on."""
    sections = [(f"## {cache.name}: {cache.engine} `{cache.instance_id}` ({cache.region})",
                 _rows(cache)) for cache in args.instances]
    bodies = []
    for number, page in enumerate(paginate(sections, max_widgets=MAX_TILES_PER_DASHBOARD),
                                  start=1):
        tiles: list[dict[str, Any]] = []
        y = 0
        for title, rows in page:
            tiles.append(_title(title, y))
            y += TITLE_HEIGHT
            for row in rows:
                width = COLUMNS // GRAPHS_PER_ROW
                for column, widget in enumerate(row):
                    tiles.append({"xPos": column * width, "yPos": y, "width": width,
                                  "height": GRAPH_HEIGHT, "widget": widget})
                y += GRAPH_HEIGHT
        display_name = args.display_name + (f" ({number})" if number > 1 else "")
        bodies.append(json.dumps(without_defaults({
            "displayName": display_name, "mosaicLayout": {"columns": COLUMNS, "tiles": tiles}}),
            sort_keys=True))
    return bodies


def _rows(cache: DashboardInstance) -> list[list[dict[str, Any]]]:
    """Rows of up to GRAPHS_PER_ROW graphs: the primary's, then each secondary's."""
    copies = [(cache.instance_id, cache.region, cache.replicas,
               cache.shards if cache.secondaries else 0)]
    copies += [(instance_id, region, replicas, 0)
               for region, (instance_id, replicas) in cache.secondaries.items()]
    rows = []
    for instance_id, region, replicas, cross_region_shards in copies:
        rules = {r.key: r for r in alert_rules(cache.engine, cache.policy,
                                               cache.high_availability, replicas,
                                               cross_region_shards)}
        suffix = "" if instance_id == cache.instance_id else f" in {region}"
        graphs = [_graph(f"{title or rules[key].title.capitalize()}{suffix}", cache.engine,
                         instance_id, region, rules[key])
                  for key, title in GRAPHS if key in rules]
        rows += [graphs[start:start + GRAPHS_PER_ROW]
                 for start in range(0, len(graphs), GRAPHS_PER_ROW)]
    return rows


def without_defaults(value: Any) -> Any:
    """`value` without the fields at their proto3 default, which the API never returns."""
    if isinstance(value, dict):
        kept = {k: without_defaults(v) for k, v in value.items()}
        return {k: v for k, v in kept.items()
                if not (v is False or v in ("", [], {}) or (type(v) in (int, float) and v == 0))}
    if isinstance(value, list):
        return [without_defaults(v) for v in value]
    return value


def _graph(title: str, engine: str, instance_id: str, region: str,
           rule: AlertRule) -> dict[str, Any]:
    resource_type = RESOURCE_TYPES[engine]
    aggregation: dict[str, Any] = {"alignmentPeriod": ALIGNMENT_PERIOD,
                                   "perSeriesAligner": rule.aligner}
    if rule.reducer:
        aggregation["crossSeriesReducer"] = rule.reducer
        aggregation["groupByFields"] = list(rule.group_by)
    numerator: dict[str, Any] = {"filter": instance_filter(resource_type, rule.metric,
                                                           instance_id, region),
                                 "aggregation": aggregation}
    query: dict[str, Any]
    if rule.denominator:
        query = {"timeSeriesFilterRatio": {
            "numerator": numerator,
            "denominator": {"filter": instance_filter(resource_type, rule.denominator,
                                                      instance_id, region),
                            "aggregation": aggregation}}}
    else:
        query = {"timeSeriesFilter": numerator}
    return {
        "title": title,
        "xyChart": {
            "dataSets": [{"plotType": "LINE", "timeSeriesQuery": query}],
            # Label and value only: "Color is not allowed in a XyChart", nor direction
            # (google.monitoring.dashboard.v1.Threshold), so the label says which side alerts;
            # Google's sample dashboards set neither on a line chart.
            "thresholds": [{"label": f"{rule.severity.lower()} alert "
                                     f"{'below' if rule.comparison == LESS else 'above'}",
                            "value": rule.threshold}],
        },
    }


def _title(markdown: str, y: int) -> dict[str, Any]:
    return {"xPos": 0, "yPos": y, "width": COLUMNS, "height": TITLE_HEIGHT,
            "widget": {"text": {"content": markdown, "format": "MARKDOWN"}}}
