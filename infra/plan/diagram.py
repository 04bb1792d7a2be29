"""A Mermaid flowchart of what a plan builds, for the Markdown report (GitHub renders it).

Drawn from the report alone (its caches and resources), so an earlier JSON plan draws the same
picture: regions, each region's network, every cache with its shards and replicas (per region
for a Global Datastore or a Valkey cross-region secondary), the replication arrows between
regions, the stable DNS names and the alarm topics (or alert channels) the caches notify.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from components import resource_types as types

PRIMARY_ROLES = ("primary",)
CROSS_REGION = {"aws": "Global Datastore", "gcp": "cross-region replication"}


def mermaid(report: dict[str, Any]) -> list[str]:
    """The flowchart's lines (without the ``` fence)."""
    cloud = report["cloud"]
    resources = report["resources"]
    lines = ["flowchart LR"]
    edges: list[str] = []
    cache_nodes: dict[tuple[str, str], str] = {}       # (cache, region) -> node id
    regions = list(report["regions"])
    for region in regions:
        lines.append(f"  subgraph {_id('region', region)}[\"{_text(region)}\"]")
        lines.append("    direction TB")
        network = _network_label(cloud, resources, region)
        lines.append(f"    subgraph {_id('net', region)}[\"{_text(network)}\"]")
        for cache in report["caches"]:
            for line in cache["lines"]:
                if line["region"] != region or (cache["name"], region) in cache_nodes:
                    continue
                node = _id("cache", cache["name"], region)
                cache_nodes[(cache["name"], region)] = node
                label = _cache_label(cache, line, resources)
                lines.append(f"      {node}[(\"{_text(label)}\")]")
        lines.append("    end")
        topic = _topic_label(resources, region) if cloud == "aws" else None
        if topic is not None:
            topic_node = _id("alarms", region)
            lines.append(f"    {topic_node}[[\"{_text(topic)}\"]]")
            for (_cache, cache_region), node in cache_nodes.items():
                if cache_region == region:
                    edges.append(f"  {node} -. alarms .-> {topic_node}")
        lines.append("  end")
    if cloud == "gcp":
        # Alert policies and channels belong to the project, across regions.
        lines.append(f"  alerts[[\"{_text(_alert_label(resources))}\"]]")
        edges += [f"  {node} -. alerts .-> alerts" for node in cache_nodes.values()]

    # Replication across regions: from the cache in the primary region to each other region.
    for cache in report["caches"]:
        primary = cache_nodes.get((cache["name"], cache["region"]))
        for (name, _region), node in cache_nodes.items():
            if name == cache["name"] and node != primary and primary is not None:
                edges.append(f"  {primary} == {_text(CROSS_REGION.get(cloud, 'replication'))} "
                             f"==> {node}")

    # Stable DNS names (network.dns): one node per cache with its names.
    for cache_name, names in _dns_names(resources, [c["name"] for c in report["caches"]]).items():
        target = cache_nodes.get((cache_name, _primary_region(report, cache_name)))
        if target is None:
            continue
        node = _id("dns", cache_name)
        lines.append(f"  {node}([\"{_text('<br/>'.join(sorted(names)))}\"])")
        edges.append(f"  {node} -. DNS .-> {target}")
    return lines + edges


def _primary_region(report: dict[str, Any], cache_name: str) -> str:
    return next(c["region"] for c in report["caches"] if c["name"] == cache_name)


def _id(*parts: str) -> str:
    """A Mermaid node id: letters, digits and underscores only."""
    return "_".join(re.sub(r"[^A-Za-z0-9]", "_", part) for part in parts)


def _text(label: str) -> str:
    """A label Mermaid shows as written: quotes and brackets as entities."""
    return (label.replace("&", "#amp;").replace('"', "#quot;").replace("[", "#91;")
            .replace("]", "#93;").replace("(", "#40;").replace(")", "#41;"))


def _of(resources: Iterable[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [r for r in resources if r["type"] == kind]


def _network_label(cloud: str, resources: list[dict[str, Any]], region: str) -> str:
    if cloud == "gcp":
        networks = _of(resources, types.GCP_NETWORK)
        name = networks[0]["inputs"].get("name") if networks else "existing network"
        subnets = [s["inputs"].get("ipCidrRange") for s in _of(resources, types.GCP_SUBNETWORK)
                   if s["inputs"].get("region") == region]
        return f"VPC network {name}" + (f" · subnet {subnets[0]}" if subnets else "")
    vpcs = [v for v in _of(resources, types.AWS_VPC) if v["provider_region"] == region]
    if vpcs:
        return f"VPC {vpcs[0]['inputs'].get('cidrBlock')} · private subnets"
    return "existing VPC"


def _alert_label(resources: list[dict[str, Any]]) -> str:
    channels = len(_of(resources, types.GCP_NOTIFICATION_CHANNEL))
    dashboard = " · dashboard" if _of(resources, types.GCP_DASHBOARD) else ""
    target = f"{channels} e-mail channel{_s(channels)}" if channels else "nobody"
    return f"Cloud Monitoring alert policies → {target}{dashboard}"


def _s(count: int) -> str:
    return "" if count == 1 else "s"


def _topic_label(resources: list[dict[str, Any]], region: str) -> str | None:
    """The region's SNS topics: the alarm topic, and the events topic ElastiCache sends
    failovers to (each region has its own)."""
    names = sorted(str(t["inputs"].get("name")) for t in _of(resources, types.AWS_SNS_TOPIC)
                   if t["provider_region"] == region)
    if not names:
        return None
    return "SNS " + "<br/>".join(names)


def _cache_label(cache: dict[str, Any], line: dict[str, Any],
                 resources: list[dict[str, Any]]) -> str:
    name, engine = cache["name"], cache["engine"]
    version = cache.get("engine_version") or ""
    header = f"{name}: {engine} {version}".strip()
    role = line["role"]
    if cache.get("node_type") == "serverless":
        limits = _serverless_limits(resources, name)
        return f"{header}<br/>serverless{limits}"
    if role not in PRIMARY_ROLES:
        header += f", {role}"
    node_type = line.get("node_type") or cache.get("node_type") or ""
    shards, replicas = cache.get("shards"), cache.get("replicas")
    nodes = line["nodes"]
    if engine == "memcached":
        shape = f"{nodes} node{_s(nodes)}"
    elif shards and nodes:
        per_shard = nodes // shards if role not in PRIMARY_ROLES else 1 + (replicas or 0)
        shape = (f"{shards} shard{_s(shards)} × primary + {per_shard - 1} "
                 f"replica{_s(per_shard - 1)}")
    else:
        shape = f"{nodes} node{_s(nodes)}"
    span = cache.get("monthly_usd_range")
    scaling = f"<br/>{span['basis']}" if span and role in PRIMARY_ROLES else ""
    return f"{header}<br/>{node_type}<br/>{shape}{scaling}"


def _serverless_limits(resources: list[dict[str, Any]], cache_name: str) -> str:
    for res in _of(resources, types.AWS_SERVERLESS_CACHE):
        if res["cache"] == cache_name:
            limits = res["inputs"].get("cacheUsageLimits") or {}
            data = (limits.get("dataStorage") or {}).get("maximum")
            ecpus = [e.get("maximum") for e in limits.get("ecpuPerSeconds") or []]
            parts = ([f"≤ {data:g} GB"] if isinstance(data, (int, float)) else []) + \
                [f"≤ {e:,.0f} ECPU/s" for e in ecpus if isinstance(e, (int, float))]
            return " · " + ", ".join(parts) if parts else ""
    return ""


def _dns_names(resources: list[dict[str, Any]], caches: list[str]) -> dict[str, set[str]]:
    """Record names by cache: `<cache>`, `<cache>-reader` and `<cache>-writer` in the zone
    (infra.naming.dns_names); the zones are the stack's, not a cache's."""
    names: dict[str, set[str]] = {}
    for res in resources:
        if res["type"] not in (types.AWS_ROUTE53_RECORD, types.GCP_RECORD_SET):
            continue
        name = str(res["inputs"].get("name") or "").rstrip(".")
        label = re.sub(r"-(reader|writer)$", "", name.split(".", 1)[0])
        if label in caches:
            names.setdefault(label, set()).add(name)
    return names
