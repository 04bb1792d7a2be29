"""Estimated monthly cost of a plan: per cache, per engine, per region, in total.

On-demand prices from infra/catalog/pricing.py at 730 hours a month. Every billed node counts: each
shard's primary and replicas and, for an AWS Global Datastore, every secondary region's nodes
(the same shards, `secondary_replicas` replicas each). GCP caches are priced from the
Memorystore resources the program registers (their inputs are what will be billed), falling
back to the sizes of the GcpCacheSpec.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from components.resource_types import (
    GCP_MEMCACHED,
    GCP_REDIS,
    GCP_VALKEY,
)
from infra.catalog import aws as catalog
from infra.catalog import pricing
from infra.config.spec import (
    AnyCacheSpec,
    AnyStackSpec,
    CacheSpec,
    GcpCacheSpec,
    ScalingRange,
    ServerlessCacheSpec,
)

NOT_INCLUDED: dict[str, tuple[str, ...]] = {
    "aws": (
        "data transfer (cross-AZ, internet egress, Global Datastore cross-region replication)",
        "backup storage beyond the free allowance, snapshot exports to S3",
        "CloudWatch alarms, dashboards and Logs ingestion/storage, SNS, KMS keys and requests",
        "reserved-node discounts (prices are on-demand)",
        "Extended Support charges for Redis OSS past end of standard support (see findings)",
    ),
    "gcp": (
        "network egress and cross-region replication traffic",
        "backup and RDB/AOF persistence storage, exports to Cloud Storage",
        "Cloud Monitoring, Private Service Connect and service networking charges, Cloud KMS",
        "committed-use discounts (prices are on-demand)",
    ),
}



def estimate(spec: AnyStackSpec, resources: list[dict[str, Any]]) -> dict[str, Any]:
    """The cost section of a plan report; `caches` follows the JSON shape of the report."""
    caches = []
    for cache in spec.all_caches:
        if isinstance(cache, ServerlessCacheSpec):
            caches.append(_serverless_entry(cache, spec.region))
            continue
        if isinstance(cache, GcpCacheSpec):
            own = [r for r in resources if r["cache"] == cache.name
                   and r["type"] in (GCP_REDIS, GCP_VALKEY, GCP_MEMCACHED)]
            lines = _gcp_lines_from_resources(own) if own \
                else _gcp_lines_from_spec(cache, spec.region)
            entry = _cache_entry(cache, lines)
            entry["monthly_usd_range"] = None
        else:
            entry = _cache_entry(cache, _aws_lines(cache, spec.region))
            entry["monthly_usd_range"] = _aws_range(cache, spec.region)
        caches.append(entry)

    by_engine: dict[str, float] = {}
    by_region: dict[str, float] = {}
    for entry in caches:
        for line in entry["lines"]:
            if line["monthly_usd"] is None:
                continue
            by_engine[entry["engine"]] = by_engine.get(entry["engine"], 0.0) + line["monthly_usd"]
            by_region[line["region"]] = by_region.get(line["region"], 0.0) + line["monthly_usd"]
    unpriced = [f"{entry['name']}: {line['note']}" for entry in caches
                for line in entry["lines"] if line["monthly_usd"] is None]
    exact = all(line["priced_exactly"] for entry in caches for line in entry["lines"])
    ranged = [e for e in caches if e.get("monthly_usd_range")]
    total_range = None
    if ranged:
        total_range = {
            bound: _round(sum((e["monthly_usd_range"] or {}).get(bound, e["monthly_usd"] or 0.0)
                              for e in caches))
            for bound in ("min", "max")
        }
    return {
        "caches": caches,
        "total_monthly_usd": _round(sum(e["monthly_usd"] or 0.0 for e in caches)),
        # Between what auto-scaled (and serverless) caches cost at their lower and upper bound,
        # the others at their fixed size; None when every cache has a fixed size.
        "total_monthly_usd_range": total_range,
        "by_engine": {k: _round(v) for k, v in sorted(by_engine.items())},
        "by_region": {k: _round(v) for k, v in sorted(by_region.items())},
        "hours_per_month": pricing.HOURS_PER_MONTH,
        "priced_exactly": exact,
        "prices": _sources(spec.cloud),
        "not_included": list(NOT_INCLUDED.get(spec.cloud, NOT_INCLUDED["aws"])),
        "unpriced": unpriced,
    }


def _sources(cloud: str) -> dict[str, str]:
    if cloud == "gcp":
        return {"as_of": pricing.GCP_PRICES_AS_OF, "source": pricing.GCP_PRICES_SOURCE,
                "regions": "Redis and Valkey exact in every accepted region; Memcached "
                           f"(as of {pricing.GCP_MEMCACHED_AS_OF}) and Redis read-replica "
                           "nodes estimated"}
    return {"as_of": pricing.PRICES_AS_OF,
            "source": f"{pricing.PRICES_SOURCE}; serverless per GB-hour and million ECPUs, "
                      f"{pricing.SERVERLESS_PRICES_AS_OF}",
            "regions": "exact in us-east-1; other regions approximate (typically within 5 %)"}


def _round(value: float) -> float:
    return round(value, 2)


def _line(region: str, role: str, node_type: str, nodes: int,
          hourly_per_node: float | None, exact: bool, note: str = "") -> dict[str, Any]:
    monthly = None if hourly_per_node is None else pricing.monthly(hourly_per_node, nodes)
    return {"region": region, "role": role, "node_type": node_type, "nodes": nodes,
            "hourly_usd_per_node": hourly_per_node, "monthly_usd": monthly,
            "priced_exactly": exact and hourly_per_node is not None, "note": note}


def _cache_entry(cache: AnyCacheSpec, lines: list[dict[str, Any]]) -> dict[str, Any]:
    """A cache's entry from its lines, the first of which (its primary region's) every cache
    has; a serverless cache has no shards or replicas."""
    priced = [line["monthly_usd"] for line in lines if line["monthly_usd"] is not None]
    primary = lines[0]
    sized = None if isinstance(cache, ServerlessCacheSpec) else cache
    return {
        "name": cache.name,
        "engine": cache.engine,
        "engine_version": cache.engine_version,
        "region": primary["region"],
        "node_type": primary["node_type"],
        "nodes": sum(line["nodes"] for line in lines),
        "shards": sized.shards if sized is not None else None,
        "replicas": sized.replicas if sized is not None else None,
        "monthly_usd": _round(sum(priced)) if priced else None,
        "partial": len(priced) != len(lines),
        "priced_exactly": all(line["priced_exactly"] for line in lines),
        "lines": lines,
    }


# ---------------------------------------------------------------------------------------------
# AWS: from the validated CacheSpec.
# ---------------------------------------------------------------------------------------------
def _aws_lines(cache: CacheSpec, region: str) -> list[dict[str, Any]]:
    node_type = cache.node_type.name
    lines = [_aws_line(region, "primary", node_type, cache.engine, cache.nodes)]
    if cache.global_ is not None:
        per_region = cache.shards * (1 + cache.global_.secondary_replicas)
        for region in cache.global_.secondary_regions:
            lines.append(_aws_line(region, "global secondary", node_type, cache.engine,
                                   per_region))
    return lines


def _serverless_entry(cache: ServerlessCacheSpec, region: str) -> dict[str, Any]:
    """A serverless cache: data stored per GB-hour (at least the engine's billed minimum) and
    ECPUs per million, at the config's estimate; the range runs up to its usage limits."""
    gb_hour, per_million, exact = pricing.aws_serverless_usd(cache.engine, region)
    minimum_gb = catalog.SERVERLESS_MIN_BILLED_GB[cache.engine]
    hours = pricing.HOURS_PER_MONTH

    def storage(gb: float) -> float:
        return max(gb, minimum_gb) * gb_hour * hours

    def ecpus(per_second: float) -> float:
        return per_second * 3600 * hours / 1e6 * per_million

    stored, ecpu = cache.expected_data_gb, cache.expected_ecpu_per_second
    lines = [
        {"region": region, "role": f"data stored ({max(stored, minimum_gb):g} GB est.)",
         "node_type": "serverless", "nodes": 0, "hourly_usd_per_node": None,
         "monthly_usd": _round(storage(stored)), "priced_exactly": exact,
         "note": f"{gb_hour} USD per GB-hour, at least {minimum_gb:g} GB"},
        {"region": region, "role": f"ECPUs ({ecpu:,}/s est.)", "node_type": "serverless",
         "nodes": 0, "hourly_usd_per_node": None, "monthly_usd": _round(ecpus(ecpu)),
         "priced_exactly": exact, "note": f"{per_million} USD per million ECPUs"},
    ]
    entry = _cache_entry(cache, lines)
    entry["monthly_usd_range"] = {
        "min": entry["monthly_usd"],
        "max": _round(storage(cache.max_data_gb) + ecpus(cache.max_ecpu_per_second)),
        "basis": f"serverless: the estimate up to the limits ({cache.max_data_gb} GB, "
                 f"{cache.max_ecpu_per_second:,} ECPU/s)",
    }
    return entry


def _aws_range(cache: CacheSpec, region: str) -> dict[str, Any] | None:
    """An auto-scaled cache's cost from its minimum to its maximum node count."""
    scaling = cache.autoscaling
    if scaling is None:
        return None
    try:
        hourly, _ = pricing.aws_node_hourly_usd(cache.node_type.name, cache.engine, region)
    except KeyError:
        return None
    shards, replicas = scaling.shards, scaling.replicas

    def nodes(bound: Callable[[ScalingRange], int]) -> int:
        shard_count = bound(shards) if shards is not None else cache.shards
        replica_count = bound(replicas) if replicas is not None else cache.replicas
        return shard_count * (1 + replica_count)

    bounds = {"min": nodes(lambda scaled: scaled.min), "max": nodes(lambda scaled: scaled.max)}
    basis = ", ".join(
        f"{name} {scaled.min}-{scaled.max}"
        for name, scaled in (("shards", shards), ("replicas per shard", replicas))
        if scaled is not None)
    return {"min": pricing.monthly(hourly, bounds["min"]),
            "max": pricing.monthly(hourly, bounds["max"]),
            "nodes_min": bounds["min"], "nodes_max": bounds["max"],
            "basis": f"auto scaling: {basis}"}


def _aws_line(region: str, role: str, node_type: str, engine: str, nodes: int
              ) -> dict[str, Any]:
    try:
        hourly, exact = pricing.aws_node_hourly_usd(node_type, engine, region)
    except KeyError:
        return _line(region, role, node_type, nodes, None, False,
                     f"no price for {node_type} in infra/catalog/pricing.py")
    return _line(region, role, node_type, nodes, hourly, exact)


# ---------------------------------------------------------------------------------------------
# GCP: from the Memorystore resources, or from the spec.
# ---------------------------------------------------------------------------------------------
def _gcp_lines_from_resources(resources: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    lines = []
    for index, res in enumerate(resources):
        inputs, region = res["inputs"], res["provider_region"] or "unknown"
        role = "primary" if index == 0 else "cross-region replica"
        if res["type"] == GCP_REDIS:
            lines.append(_gcp_redis_line(region, role, inputs.get("tier") or "BASIC",
                                         _number(inputs.get("memorySizeGb")),
                                         int(_number(inputs.get("replicaCount")) or 0)))
        elif res["type"] == GCP_VALKEY:
            shards = int(_number(inputs.get("shardCount")) or 1)
            replicas = int(_number(inputs.get("replicaCount")) or 0)
            lines.append(_gcp_valkey_line(region, role, inputs.get("nodeType"),
                                          shards * (1 + replicas)))
        else:
            config = inputs.get("nodeConfig") or {}
            memory_mb = _number(config.get("memorySizeMb"))
            lines.append(_gcp_memcached_line(
                region, role, int(_number(inputs.get("nodeCount")) or 1),
                _number(config.get("cpuCount")),
                None if memory_mb is None else memory_mb / 1024))
    return lines


def _gcp_lines_from_spec(cache: GcpCacheSpec, region: str) -> list[dict[str, Any]]:
    """The primary instance (and a Valkey cache's cross-region secondaries) from the sizes in
    the spec; a size of 0 is one the spec does not hold, and its line is unpriced."""
    if cache.engine == "redis":
        return [_gcp_redis_line(region, "primary", cache.tier, float(cache.memory_gb) or None,
                                cache.replicas)]
    if cache.engine == "valkey":
        shards = cache.shards or 1
        lines = [_gcp_valkey_line(region, "primary", cache.node_type,
                                  shards * (1 + cache.replicas))]
        for secondary in cache.secondary_regions:
            lines.append(_gcp_valkey_line(secondary, "cross-region replica", cache.node_type,
                                          shards * (1 + cache.secondary_replicas)))
        return lines
    return [_gcp_memcached_line(region, "primary", cache.nodes or 1, float(cache.vcpus) or None,
                                cache.memory_mb / 1024 or None)]


def _gcp_redis_line(region: str, role: str, tier: str, capacity_gb: float | None,
                    replicas: int) -> dict[str, Any]:
    tier = tier.upper()
    nodes = 1 if tier == "BASIC" else 1 + max(replicas, 1)
    label = f"{tier} {capacity_gb:g} GB" if capacity_gb is not None else tier
    if capacity_gb is None:
        return _line(region, role, label, nodes, None, False, "memory size unknown")
    try:
        hourly, exact = pricing.gcp_redis_hourly_usd(tier, capacity_gb, region, replicas)
    except (KeyError, ValueError) as err:
        return _line(region, role, label, nodes, None, False, str(err))
    label += f" ({pricing.gcp_redis_capacity_tier(capacity_gb)})"
    note = ("read replicas: billed per node, estimated at half the Standard rate"
            if tier.startswith("STANDARD") and replicas > 1 else "")
    # The Redis price is per instance; spread it over its nodes so lines add up.
    return _line(region, role, label, nodes, round(hourly / nodes, 6), exact, note)


def _gcp_valkey_line(region: str, role: str, node_type: Any, nodes: int) -> dict[str, Any]:
    name = str(node_type) if node_type else "unknown"
    try:
        hourly, exact = pricing.gcp_valkey_node_hourly_usd(name, region)
    except KeyError:
        return _line(region, role, name, nodes, None, False,
                     f"no price for Valkey node type {name!r}")
    return _line(region, role, name, nodes, hourly, exact)


def _gcp_memcached_line(region: str, role: str, nodes: int, vcpus: float | None,
                        memory_gb: float | None) -> dict[str, Any]:
    if vcpus is None or memory_gb is None:
        return _line(region, role, "unknown", nodes, None, False, "node vCPU/memory unknown")
    label = f"{vcpus:g} vCPU / {memory_gb:g} GB"
    hourly, exact = pricing.gcp_memcached_node_hourly_usd(int(vcpus), memory_gb, region)
    return _line(region, role, label, nodes, hourly, exact)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None
