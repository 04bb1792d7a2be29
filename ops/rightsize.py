"""`rightsize [--days 14] [--cache NAME]`: recommend the cheapest node type with headroom.

Data: CloudWatch `AWS/ElastiCache`, dimension `CacheClusterId` = every live member node
(`MemberClusters`, the secondary regions' members of a Global Datastore included), hourly periods
over the last `--days`: Maximum of DatabaseMemoryUsagePercentage, EngineCPUUtilization and
CurrConnections, Sum of Evictions. The busiest node decides, since all nodes of a cache share
one node type.

The rule (per cache; the thresholds follow the cache's alarm policy, so a node is never
recommended that would sit close to its own alarms):
1. Memory needed = peak DatabaseMemoryUsagePercentage x the current node's usable memory
   (memory minus the 25 % ElastiCache reserves). Any eviction means the data did not fit: the
   need is then at least the current node's whole usable memory, which forces a size up.
2. A candidate must hold that need at most at (memory warning alarm - 10) % of its usable
   memory: 70 % with the default 80 % alarm.
3. Engine CPU: a candidate with fewer vCPUs must keep the projected peak (peak x current vCPUs /
   candidate vCPUs, a conservative linear guess) at most at (engine CPU alarm - 30) %: 60 % by
   default. Bigger nodes are not assumed to lower it: one busy engine thread is relieved by
   more shards, not by more vCPUs, and the output says so.
4. Burstable (t-class) nodes only when the engine CPU peak is at most 20 % (their CPU-credit
   baseline).
5. Candidates: the profile's sizing families (infra.catalog.SIZING_FAMILIES) plus the current
   family; Global Datastore-capable families only for a global cache; data tiering (r6gd) only
   when the cache already uses it; only node types with a price in infra.pricing.
6. The cheapest fitting candidate wins (ties: less memory). The monthly difference covers every
   node of the cache in every region (Global Datastore secondaries included), on-demand.

CurrConnections does not size a node (maxclients is 65,000 on every node type; client buffers
already count in the memory percentage); it is reported and flagged above the alarm threshold.
Memcached is skipped: it has no DatabaseMemoryUsagePercentage; sizing it from
BytesUsedForCacheItems against the node's max_cache_memory (catalog
MEMCACHED_MAX_CACHE_MEMORY_MB) is not done yet.
r6gd (data-tiering) caches are skipped too: their memory is full by design (values move to SSD,
AWS ElastiCache user guide, data-tiering.html), and their size is memory plus SSD
(DatabaseCapacityUsagePercentage), whose SSD capacity the catalog does not hold.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from infra import naming
from infra.catalog import aws as catalog
from infra.catalog import pricing
from infra.config.spec import AwsStackSpec, CacheSpec
from ops import live
from ops.clients import Clients
from ops.errors import EXIT_OK
from ops.table import format_table

NAMESPACE = "AWS/ElastiCache"
PERIOD_SECONDS = 3600
MAX_DAYS = 455                      # CloudWatch keeps hourly data for 455 days
QUERIES_PER_CALL = 500              # GetMetricData limit
STATS = {
    "DatabaseMemoryUsagePercentage": "Maximum",
    "EngineCPUUtilization": "Maximum",
    "CurrConnections": "Maximum",
    "Evictions": "Sum",
}
MEMORY_HEADROOM_POINTS = 10.0       # below the memory warning alarm
CPU_HEADROOM_POINTS = 30.0          # below the engine CPU alarm
BURSTABLE_MAX_ENGINE_CPU = 20.0

HEADER = ("CACHE", "NODE TYPE", "NODES", "PEAK MEMORY", "PEAK ENGINE CPU", "PEAK CONNECTIONS",
          "EVICTIONS", "RECOMMENDATION", "MONTHLY CHANGE")


@dataclass(frozen=True)
class Usage:
    memory_percent: float | None     # peak DatabaseMemoryUsagePercentage of any node
    engine_cpu_percent: float | None
    connections: float | None        # peak CurrConnections of any node
    evictions: float | None          # sum over all nodes and the whole window
    nodes_without_data: tuple[str, ...] = ()


@dataclass(frozen=True)
class Advice:
    current: catalog.NodeType
    recommended: catalog.NodeType | None   # None: no data, or nothing fits
    needed_gib: float | None
    notes: tuple[str, ...]


# ---------------------------------------------------------------------------------------------
# The rule (pure, no AWS)
# ---------------------------------------------------------------------------------------------
def memory_target(cache: CacheSpec) -> float:
    return float(cache.alarms.memory_warning_percent) - MEMORY_HEADROOM_POINTS


def cpu_target(cache: CacheSpec) -> float:
    return float(cache.alarms.engine_cpu_percent) - CPU_HEADROOM_POINTS


def hourly_price(node: str, engine: str, region: str) -> float | None:
    try:
        return pricing.aws_node_hourly_usd(node, engine, region)[0]
    except KeyError:
        return None


def candidates(cache: CacheSpec, profile: str, region: str) -> list[catalog.NodeType]:
    current = cache.node_type
    families = {*catalog.SIZING_FAMILIES[profile], current.family}
    regions = (region, *(cache.global_.secondary_regions if cache.global_ else ()))
    found = []
    for node in catalog.NODE_TYPES.values():
        if node.family not in families or node.data_tiering != current.data_tiering:
            continue
        if any(catalog.region_node_problem(node, member) for member in regions):
            continue
        if cache.global_ is not None and (node.burstable or
                                          node.family not in catalog.GLOBAL_DATASTORE_FAMILIES):
            continue
        if hourly_price(node.name, cache.engine, region) is None:
            continue
        found.append(node)
    return found


def projected_cpu(cpu: float, current: catalog.NodeType, node: catalog.NodeType) -> float:
    return cpu * current.vcpus / node.vcpus if node.vcpus < current.vcpus else cpu


def recommend(cache: CacheSpec, profile: str, region: str, usage: Usage) -> Advice:
    current = cache.node_type
    mem_target, cpu_limit = memory_target(cache), cpu_target(cache)
    if usage.memory_percent is None:
        return Advice(current, None, None, ("no DatabaseMemoryUsagePercentage data in the "
                                            "window: not sized",))
    notes: list[str] = []
    needed = usage.memory_percent / 100 * current.usable_memory_gib
    if usage.evictions:
        needed = max(needed, current.usable_memory_gib)
        notes.append(f"{usage.evictions:.0f} evictions: the data did not fit, so at least "
                     f"{current.usable_memory_gib:.2f} GiB (all of {current.name}) is needed")
    cpu = usage.engine_cpu_percent or 0.0
    fitting = [
        node for node in candidates(cache, profile, region)
        if needed <= node.usable_memory_gib * mem_target / 100
        and (node.vcpus >= current.vcpus or projected_cpu(cpu, current, node) <= cpu_limit)
        and not (node.burstable and cpu > BURSTABLE_MAX_ENGINE_CPU)
    ]
    if cpu > cpu_limit:
        notes.append(f"engine CPU peaked at {cpu:.0f} % (target {cpu_limit:.0f} %): a bigger "
                     "node barely helps one busy engine thread; add shards to spread the load")
    if usage.connections is not None and usage.connections > cache.alarms.max_connections:
        notes.append(f"connections peaked at {usage.connections:.0f}, above the alarm's "
                     f"{cache.alarms.max_connections}: check client connection pooling (no node "
                     "type raises maxclients)")
    if usage.nodes_without_data:
        notes.append(f"no data for {', '.join(usage.nodes_without_data)}")
    if not fitting:
        notes.append(f"no candidate node type holds {needed:.2f} GiB at {mem_target:.0f} % or "
                     "less: add shards")
        return Advice(current, None, needed, tuple(notes))

    def cost(node: catalog.NodeType) -> tuple[float, float]:
        return hourly_price(node.name, cache.engine, region) or 0.0, node.memory_gib

    best = min(fitting, key=cost)
    notes.insert(0, f"needs {needed:.2f} GiB: {best.name} holds it at "
                    f"{needed / best.usable_memory_gib * 100:.0f} % of {best.usable_memory_gib:.2f}"
                    f" GiB usable (target <= {mem_target:.0f} %); engine CPU "
                    f"{projected_cpu(cpu, current, best):.0f} % projected on {best.vcpus} vCPUs "
                    f"(target <= {cpu_limit:.0f} %)")
    return Advice(current, best, needed, tuple(notes))


def node_counts(spec: AwsStackSpec, cache: CacheSpec) -> dict[str, int]:
    """Nodes per region: the primary region's plus each Global Datastore secondary's."""
    counts = {spec.region: cache.nodes}
    if cache.global_ is not None:
        for region in cache.global_.secondary_regions:
            counts[region] = cache.shards * (1 + cache.global_.secondary_replicas)
    return counts


def monthly_cost(spec: AwsStackSpec, cache: CacheSpec, node: str) -> tuple[float, bool] | None:
    """(USD per month for every node of the cache, priced exactly) or None without a price."""
    total, exact = 0.0, True
    for region, nodes in node_counts(spec, cache).items():
        try:
            hourly, precise = pricing.aws_node_hourly_usd(node, cache.engine, region)
        except KeyError:
            return None
        total += pricing.monthly(hourly, nodes)
        exact = exact and precise
    return round(total, 2), exact


# ---------------------------------------------------------------------------------------------
# CloudWatch
# ---------------------------------------------------------------------------------------------
def configured_groups(spec: AwsStackSpec, cache: CacheSpec) -> dict[str, str]:
    """Region -> the id of the cache's replication group there (secondaries included)."""
    groups = {spec.region: cache.cache_id}
    if cache.global_ is not None:
        for region in cache.global_.secondary_regions:
            groups[region] = naming.secondary_group_id(cache.cache_id, region)
    return groups


def live_members(spec: AwsStackSpec, cache: CacheSpec,
                 clients: Clients) -> tuple[dict[str, list[str]], list[str]]:
    """Region -> the live member nodes (MemberClusters) to read, and why any were not read.

    Live, not the ids the config implies: replica auto scaling, or a replica removed and
    added again, gives nodes other numbers. A group running another node type than the config
    is not sized: its memory percentages are of that node type's memory."""
    members: dict[str, list[str]] = {}
    problems: list[str] = []
    for region, group_id in configured_groups(spec, cache).items():
        group = live.describe_group(clients, region, group_id, read_version=False)
        if group is None:
            problems.append(f"replication group {group_id} not found in {region}")
        elif group.node_type not in (None, cache.node_type.name):
            problems.append(f"{group_id} in {region} runs {group.node_type}, the config says "
                            f"{cache.node_type.name}: let a running change finish, "
                            "or deploy the config")
        else:
            members[region] = list(group.members)
    return members, problems


def _chunks(items: list[Any], size: int) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def fetch(cw: Any, members: list[str], start: datetime,
          end: datetime) -> dict[str, dict[str, list[float]]]:
    """member -> metric -> hourly values (one GetMetricData query per member and metric)."""
    queries: list[dict[str, Any]] = []
    index: dict[str, tuple[str, str]] = {}
    for member in members:
        for metric, stat in STATS.items():
            query_id = f"q{len(queries)}"
            index[query_id] = (member, metric)
            queries.append({
                "Id": query_id,
                "MetricStat": {
                    "Metric": {"Namespace": NAMESPACE, "MetricName": metric,
                               "Dimensions": [{"Name": "CacheClusterId", "Value": member}]},
                    "Period": PERIOD_SECONDS,
                    "Stat": stat,
                },
                "ReturnData": True,
            })
    values: dict[str, dict[str, list[float]]] = {m: {k: [] for k in STATS} for m in members}
    paginator = cw.get_paginator("get_metric_data")
    for chunk in _chunks(queries, QUERIES_PER_CALL):
        for page in paginator.paginate(MetricDataQueries=chunk, StartTime=start, EndTime=end):
            for result in page.get("MetricDataResults", []):
                member, metric = index[result["Id"]]
                values[member][metric] += [float(v) for v in result.get("Values", [])]
    return values


def summarize(values: dict[str, dict[str, list[float]]]) -> Usage:
    def peak(metric: str) -> float | None:
        found = [v for per_node in values.values() for v in per_node[metric]]
        return max(found) if found else None

    evictions = [v for per_node in values.values() for v in per_node["Evictions"]]
    return Usage(
        memory_percent=peak("DatabaseMemoryUsagePercentage"),
        engine_cpu_percent=peak("EngineCPUUtilization"),
        connections=peak("CurrConnections"),
        evictions=sum(evictions) if evictions else None,
        nodes_without_data=tuple(m for m, per_node in values.items()
                                 if not per_node["DatabaseMemoryUsagePercentage"]),
    )


# ---------------------------------------------------------------------------------------------
# The command
# ---------------------------------------------------------------------------------------------
def _money(value: float, exact: bool) -> str:
    return f"{'' if exact else '~'}{value:+.2f} USD"


def _fmt(value: float | None, unit: str = "") -> str:
    return "-" if value is None else f"{value:.0f}{unit}"


def run(spec: AwsStackSpec, clients: Clients, days: int, only: CacheSpec | None = None,
        now: datetime | None = None) -> int:
    end = (now or datetime.now(UTC)).replace(second=0, microsecond=0)
    start = end - timedelta(days=days)
    rows: list[tuple[str, ...]] = []
    notes: list[str] = []
    for cache in spec.caches:
        if only is not None and cache is not only:
            continue
        skipped = "Memcached" if cache.is_memcached else \
            "data tiering" if cache.node_type.data_tiering else None
        if skipped is not None:
            rows.append((cache.name, cache.node_type.name, str(cache.nodes), "-", "-", "-", "-",
                         f"skipped ({skipped})", "-"))
            continue
        members, problems = live_members(spec, cache, clients)
        if problems:
            rows.append((cache.name, cache.node_type.name, str(cache.nodes), "-", "-", "-", "-",
                         "skipped (see below)", "-"))
            notes += [f"{cache.name}: {problem}" for problem in problems]
            continue
        values: dict[str, dict[str, list[float]]] = {}
        for region, region_members in members.items():
            values.update(fetch(clients.cloudwatch(region), region_members, start, end))
        usage = summarize(values)
        advice = recommend(cache, spec.profile, spec.region, usage)
        rows.append(_row(spec, cache, usage, advice))
        notes += [f"{cache.name}: {note}" for note in advice.notes]
    print(f"rightsize stack {spec.stack} ({spec.profile}, {spec.region}): hourly peaks over the "
          f"last {days} days to {end:%Y-%m-%d %H:%M} UTC")
    print(format_table(HEADER, rows))
    for note in notes:
        print(note)
    print(f"rule: memory at most (memory warning alarm - {MEMORY_HEADROOM_POINTS:.0f}) % of "
          f"usable memory, projected engine CPU at most (engine CPU alarm - "
          f"{CPU_HEADROOM_POINTS:.0f}) %, cheapest fitting node type; see ops/README.md")
    print(f"prices: {pricing.PRICES_SOURCE}, {pricing.PRICES_AS_OF}; ~ marks regional "
          "approximations")
    return EXIT_OK


def _row(spec: AwsStackSpec, cache: CacheSpec, usage: Usage, advice: Advice) -> tuple[str, ...]:
    current = cache.node_type
    memory = "-"
    if usage.memory_percent is not None:
        used = usage.memory_percent / 100 * current.usable_memory_gib
        memory = f"{used:.2f} GiB ({usage.memory_percent:.1f} %)"
    measured = (cache.name, current.name, str(sum(node_counts(spec, cache).values())), memory,
                _fmt(usage.engine_cpu_percent, " %"), _fmt(usage.connections),
                _fmt(usage.evictions))
    if advice.recommended is None:
        verdict = "no data" if advice.needed_gib is None else "none fits: add shards"
        return (*measured, verdict, "-")
    if advice.recommended.name == current.name:
        return (*measured, "keep", _money(0.0, True))
    before = monthly_cost(spec, cache, current.name)
    after = monthly_cost(spec, cache, advice.recommended.name)
    change = "-" if before is None or after is None else \
        _money(after[0] - before[0], before[1] and after[1])
    return (*measured, advice.recommended.name, change)
