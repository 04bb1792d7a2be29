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

Memcached clusters (dimensions CacheClusterId and CacheNodeId, every live node of
DescribeCacheClusters' CacheNodes) are sized by the same steps with Memcached's own metrics:
Maximum of BytesUsedForCacheItems and CPUUtilization (Memcached is multi-threaded, so host CPU
is the engine's CPU), Maximum of CurrConnections, Sum of Evictions (ElastiCache user guide,
"Metrics for Memcached" and "Which metrics should I monitor?"). Differences:
- A node's memory is what memcached gets for items: the node type's max_cache_memory less the
  cache's memcached_connections_overhead (catalog.memcached_item_memory_mb). Memcached has no
  memory alarm, so the target is a fixed MEMCACHED_MEMORY_TARGET_PERCENT of it: its slabs lose
  memory to item sizes between chunk classes, and AWS warns of evictions before that memory is
  all used.
- CPU: the target is (host CPU alarm - 30) %, and more vCPUs are projected to lower it as
  fewer raise it (linear): AWS advises a larger node type or more nodes for busy Memcached.
- A candidate must accept the cache's max_item_size (a quarter of its item memory), or the
  config would be refused. When nothing fits, the advice is more nodes.

r6gd (data-tiering) caches are skipped: their memory is full by design (values move to SSD,
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
MEMORY_HEADROOM_POINTS = 10.0       # below the memory warning alarm
CPU_HEADROOM_POINTS = 30.0          # below the engine (Memcached: host) CPU alarm
BURSTABLE_MAX_ENGINE_CPU = 20.0
MEMCACHED_MEMORY_TARGET_PERCENT = 70.0   # of a node's item memory (no alarm to follow)

HEADER = ("CACHE", "NODE TYPE", "NODES", "PEAK MEMORY", "PEAK ENGINE CPU", "PEAK CONNECTIONS",
          "EVICTIONS", "RECOMMENDATION", "MONTHLY CHANGE")

Dimensions = list[dict[str, str]]


@dataclass(frozen=True)
class Usage:
    memory_percent: float | None     # peak share of a node's data memory, busiest node
    engine_cpu_percent: float | None  # Memcached: CPUUtilization, its engine's CPU
    connections: float | None        # peak CurrConnections of any node
    evictions: float | None          # sum over all nodes and the whole window
    nodes_without_data: tuple[str, ...] = ()


@dataclass(frozen=True)
class Advice:
    current: catalog.NodeType
    recommended: catalog.NodeType | None   # None: no data, or nothing fits
    needed_gib: float | None
    notes: tuple[str, ...]


@dataclass(frozen=True)
class Sizing:
    """How one cache's nodes are measured, and what a candidate node type must hold."""
    memory_metric: str               # a percentage; bytes for Memcached (memcached_overhead_mb)
    cpu_metric: str
    memory_target: float             # percent of a node's data memory the need may fill
    cpu_limit: float                 # percent the projected CPU may reach
    scale_out: str                   # what to add when no node type fits: shards | nodes
    memcached_overhead_mb: int | None = None   # memcached_connections_overhead
    memcached_item_size: int = 0     # max_item_size every candidate must accept
    memcached_chunk: int = 0         # slab_chunk_max

    @property
    def stats(self) -> dict[str, str]:
        return {self.memory_metric: "Maximum", self.cpu_metric: "Maximum",
                "CurrConnections": "Maximum", "Evictions": "Sum"}

    @property
    def multi_threaded(self) -> bool:
        """Memcached's threads use every vCPU: more of them lower its CPU."""
        return self.memcached_overhead_mb is not None

    def data_gib(self, node: catalog.NodeType) -> float:
        """The memory data may use on the node type: usable memory, or Memcached's -m."""
        if self.memcached_overhead_mb is None:
            return node.usable_memory_gib
        return catalog.memcached_item_memory_mb(node.name, self.memcached_overhead_mb) / 1024

    def accepts(self, node: catalog.NodeType) -> bool:
        """Memcached runs on the node type and it takes the cache's max_item_size."""
        if self.memcached_overhead_mb is None:
            return True
        return (node.name in catalog.MEMCACHED_MAX_CACHE_MEMORY_MB
                and self.memcached_item_size <= catalog.memcached_largest_item(
                    node.name, self.memcached_overhead_mb, self.memcached_chunk))


# ---------------------------------------------------------------------------------------------
# The rule (pure, no AWS)
# ---------------------------------------------------------------------------------------------
def memory_target(cache: CacheSpec) -> float:
    return float(cache.alarms.memory_warning_percent) - MEMORY_HEADROOM_POINTS


def cpu_target(cache: CacheSpec) -> float:
    return float(cache.alarms.engine_cpu_percent) - CPU_HEADROOM_POINTS


def sizing(cache: CacheSpec) -> Sizing:
    if not cache.is_memcached:
        return Sizing("DatabaseMemoryUsagePercentage", "EngineCPUUtilization",
                      memory_target(cache), cpu_target(cache), scale_out="shards")

    def parameter(key: str, default: int) -> int:
        return int(cache.parameters.get(key, default))   # digits: the loader checked them

    return Sizing(
        "BytesUsedForCacheItems", "CPUUtilization", MEMCACHED_MEMORY_TARGET_PERCENT,
        float(cache.alarms.host_cpu_percent) - CPU_HEADROOM_POINTS, scale_out="nodes",
        memcached_overhead_mb=parameter("memcached_connections_overhead",
                                        catalog.MEMCACHED_CONNECTIONS_OVERHEAD_MB),
        memcached_item_size=parameter("max_item_size", catalog.MEMCACHED_ITEM_SIZE),
        memcached_chunk=parameter("slab_chunk_max", catalog.MEMCACHED_SLAB_CHUNK))


def hourly_price(node: str, engine: str, region: str) -> float | None:
    try:
        return pricing.aws_node_hourly_usd(node, engine, region)[0]
    except KeyError:
        return None


def candidates(cache: CacheSpec, profile: str, region: str) -> list[catalog.NodeType]:
    current, rule = cache.node_type, sizing(cache)
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
        if not rule.accepts(node) or hourly_price(node.name, cache.engine, region) is None:
            continue
        found.append(node)
    return found


def projected_cpu(cpu: float, current: catalog.NodeType, node: catalog.NodeType,
                  multi_threaded: bool = False) -> float:
    """Linear in vCPUs. One busy Valkey/Redis engine thread gains nothing from more of them."""
    if node.vcpus < current.vcpus or multi_threaded:
        return cpu * current.vcpus / node.vcpus
    return cpu


def recommend(cache: CacheSpec, profile: str, region: str, usage: Usage) -> Advice:
    current, rule = cache.node_type, sizing(cache)
    cpu_limit = rule.cpu_limit
    if usage.memory_percent is None:
        return Advice(current, None, None, (f"no {rule.memory_metric} data in the window: "
                                            "not sized",))
    notes: list[str] = []
    capacity = rule.data_gib(current)
    needed = usage.memory_percent / 100 * capacity
    if usage.evictions:
        needed = max(needed, capacity)
        notes.append(f"{usage.evictions:.0f} evictions: the data did not fit, so at least "
                     f"{capacity:.2f} GiB (all of {current.name}) is needed")
    cpu = usage.engine_cpu_percent or 0.0
    if usage.engine_cpu_percent is None:
        notes.append(f"no {rule.cpu_metric} data in the window: no node type with fewer vCPUs "
                     "(or burstable) is considered")

    def cpu_fits(node: catalog.NodeType) -> bool:
        if usage.engine_cpu_percent is None:       # no evidence that fewer vCPUs would do
            return node.vcpus >= current.vcpus and (current.burstable or not node.burstable)
        if node.burstable and cpu > BURSTABLE_MAX_ENGINE_CPU:
            return False
        return (projected_cpu(cpu, current, node, rule.multi_threaded) <= cpu_limit
                or (node.vcpus >= current.vcpus and not rule.multi_threaded))

    fitting = [node for node in candidates(cache, profile, region)
               if needed <= rule.data_gib(node) * rule.memory_target / 100 and cpu_fits(node)]
    if cpu > cpu_limit and rule.multi_threaded:
        notes.append(f"CPU peaked at {cpu:.0f} % (target {cpu_limit:.0f} %): only node types "
                     "with enough vCPUs to bring it under target are candidates; more nodes "
                     "spread the load too")
    elif cpu > cpu_limit:
        notes.append(f"engine CPU peaked at {cpu:.0f} % (target {cpu_limit:.0f} %): a bigger "
                     "node barely helps one busy engine thread; add shards to spread the load")
    if usage.connections is not None and usage.connections > cache.alarms.max_connections:
        notes.append(f"connections peaked at {usage.connections:.0f}, above the alarm's "
                     f"{cache.alarms.max_connections}: check client connection pooling (no node "
                     "type raises maxclients)")
    if usage.nodes_without_data:
        notes.append(f"no data for {', '.join(usage.nodes_without_data)}")
    if not fitting:
        notes.append(f"no candidate node type holds {needed:.2f} GiB at "
                     f"{rule.memory_target:.0f} % or less: add {rule.scale_out}")
        return Advice(current, None, needed, tuple(notes))

    def cost(node: catalog.NodeType) -> tuple[float, float]:
        return hourly_price(node.name, cache.engine, region) or 0.0, node.memory_gib

    best = min(fitting, key=cost)
    kind = "item memory" if rule.multi_threaded else "usable"
    which_cpu = "CPU" if rule.multi_threaded else "engine CPU"
    cpu_line = (f"{which_cpu} not measured, {best.vcpus} vCPUs kept or added"
                if usage.engine_cpu_percent is None else
                f"{which_cpu} {projected_cpu(cpu, current, best, rule.multi_threaded):.0f} % "
                f"projected on {best.vcpus} vCPUs (target <= {cpu_limit:.0f} %)")
    notes.insert(0, f"needs {needed:.2f} GiB: {best.name} holds it at "
                    f"{needed / rule.data_gib(best) * 100:.0f} % of {rule.data_gib(best):.2f}"
                    f" GiB {kind} (target <= {rule.memory_target:.0f} %); {cpu_line}")
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


def _other_node_type(cache_id: str, region: str, live_type: str | None,
                     cache: CacheSpec) -> str | None:
    if live_type in (None, cache.node_type.name):
        return None
    return (f"{cache_id} in {region} runs {live_type}, the config says "
            f"{cache.node_type.name}: let a running change finish, or deploy the config")


def live_nodes(spec: AwsStackSpec, cache: CacheSpec,
               clients: Clients) -> tuple[dict[str, dict[str, Dimensions]], list[str]]:
    """Region -> node name -> its CloudWatch dimensions, for the live nodes; and why any were
    not read.

    Live, not the ids the config implies: replica auto scaling, a replica removed and added
    again, or an adopted Memcached cluster's replaced nodes give nodes other numbers. A cache
    running another node type than the config is not sized: its measurements are of that node
    type's memory."""
    if cache.is_memcached:
        cluster = live.describe_memcached(clients, spec.region, cache.cache_id)
        if cluster is None:
            return {}, [f"Memcached cluster {cache.cache_id} not found in {spec.region}"]
        problem = _other_node_type(cache.cache_id, spec.region, cluster.node_type, cache)
        if problem is None and not cluster.node_ids:
            problem = (f"{cache.cache_id} in {spec.region} lists no nodes "
                       f"(status {cluster.status})")
        if problem is not None:
            return {}, [problem]
        return {spec.region: {
            f"{cache.cache_id} node {node_id}": [
                {"Name": "CacheClusterId", "Value": cache.cache_id},
                {"Name": "CacheNodeId", "Value": node_id}]
            for node_id in cluster.node_ids}}, []
    nodes: dict[str, dict[str, Dimensions]] = {}
    problems: list[str] = []
    for region, group_id in configured_groups(spec, cache).items():
        group = live.describe_group(clients, region, group_id, read_version=False)
        if group is None:
            problems.append(f"replication group {group_id} not found in {region}")
        elif (problem := _other_node_type(group_id, region, group.node_type, cache)) is not None:
            problems.append(problem)
        else:
            nodes[region] = {member: [{"Name": "CacheClusterId", "Value": member}]
                             for member in group.members}
    return nodes, problems


def _chunks(items: list[Any], size: int) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


@dataclass
class Measurements:
    values: dict[str, dict[str, list[float]]]   # node -> metric -> hourly values
    incomplete: list[str]                       # what CloudWatch said it did not return


def fetch(cw: Any, nodes: dict[str, Dimensions], stats: dict[str, str], start: datetime,
          end: datetime) -> Measurements:
    """One GetMetricData query per node and metric. A result whose final StatusCode is not
    Complete (InternalError, Forbidden, PartialData without a further page) or a message on
    the call means data is missing, and peaks from it could recommend too small a node."""
    queries: list[dict[str, Any]] = []
    index: dict[str, tuple[str, str]] = {}
    for node, dimensions in nodes.items():
        for metric, stat in stats.items():
            query_id = f"q{len(queries)}"
            index[query_id] = (node, metric)
            queries.append({
                "Id": query_id,
                "MetricStat": {
                    "Metric": {"Namespace": NAMESPACE, "MetricName": metric,
                               "Dimensions": dimensions},
                    "Period": PERIOD_SECONDS,
                    "Stat": stat,
                },
                "ReturnData": True,
            })
    values: dict[str, dict[str, list[float]]] = {n: {k: [] for k in stats} for n in nodes}
    status: dict[str, str] = {}
    messages: list[str] = []
    paginator = cw.get_paginator("get_metric_data")
    for chunk in _chunks(queries, QUERIES_PER_CALL):
        for page in paginator.paginate(MetricDataQueries=chunk, StartTime=start, EndTime=end):
            messages += [f"{m.get('Code', '')}: {m.get('Value', '')}"
                         for m in page.get("Messages", [])]
            for result in page.get("MetricDataResults", []):
                node, metric = index[result["Id"]]
                values[node][metric] += [float(v) for v in result.get("Values", [])]
                status[result["Id"]] = result.get("StatusCode", "Complete")
    incomplete = [f"{index[q][1]} of {index[q][0]}: {code}"
                  for q, code in status.items() if code != "Complete"]
    return Measurements(values, incomplete + messages)


def summarize(values: dict[str, dict[str, list[float]]], rule: Sizing,
              current: catalog.NodeType) -> Usage:
    def peak(metric: str) -> float | None:
        found = [v for per_node in values.values() for v in per_node[metric]]
        return max(found) if found else None

    memory = peak(rule.memory_metric)
    if memory is not None and rule.multi_threaded:       # bytes -> % of the node's -m
        memory = memory / (rule.data_gib(current) * 2**30) * 100
    evictions = [v for per_node in values.values() for v in per_node["Evictions"]]
    return Usage(
        memory_percent=memory,
        engine_cpu_percent=peak(rule.cpu_metric),
        connections=peak("CurrConnections"),
        evictions=sum(evictions) if evictions else None,
        nodes_without_data=tuple(n for n, per_node in values.items()
                                 if not per_node[rule.memory_metric]),
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
        if cache.node_type.data_tiering:
            rows.append((cache.name, cache.node_type.name, str(cache.nodes), "-", "-", "-", "-",
                         "skipped (data tiering)", "-"))
            continue
        nodes, problems = live_nodes(spec, cache, clients)
        if problems:
            rows.append((cache.name, cache.node_type.name, str(cache.nodes), "-", "-", "-", "-",
                         "skipped (see below)", "-"))
            notes += [f"{cache.name}: {problem}" for problem in problems]
            continue
        rule = sizing(cache)
        values: dict[str, dict[str, list[float]]] = {}
        incomplete: list[str] = []
        for region, region_nodes in nodes.items():
            measured = fetch(clients.cloudwatch(region), region_nodes, rule.stats, start, end)
            values.update(measured.values)
            incomplete += measured.incomplete
        if incomplete:
            rows.append((cache.name, cache.node_type.name, str(cache.nodes), "-", "-", "-", "-",
                         "skipped (see below)", "-"))
            notes.append(f"{cache.name}: CloudWatch returned incomplete data, so it is not "
                         f"sized; run again: {'; '.join(incomplete)}")
            continue
        usage = summarize(values, rule, cache.node_type)
        advice = recommend(cache, spec.profile, spec.region, usage)
        rows.append(_row(spec, cache, usage, advice))
        notes += [f"{cache.name}: {note}" for note in advice.notes]
    print(f"rightsize stack {spec.stack} ({spec.profile}, {spec.region}): hourly peaks over the "
          f"last {days} days to {end:%Y-%m-%d %H:%M} UTC")
    print(format_table(HEADER, rows))
    for note in notes:
        print(note)
    print(f"rule: memory at most (memory warning alarm - {MEMORY_HEADROOM_POINTS:.0f}) % of "
          f"usable memory (Memcached: {MEMCACHED_MEMORY_TARGET_PERCENT:.0f} % of item memory), "
          f"projected engine CPU at most (engine CPU alarm - {CPU_HEADROOM_POINTS:.0f}) % "
          "(Memcached: host CPU alarm), cheapest fitting node type; see ops/README.md")
    print(f"prices: {pricing.PRICES_SOURCE}, {pricing.PRICES_AS_OF}; ~ marks regional "
          "approximations")
    return EXIT_OK


def _row(spec: AwsStackSpec, cache: CacheSpec, usage: Usage, advice: Advice) -> tuple[str, ...]:
    current = cache.node_type
    memory = "-"
    if usage.memory_percent is not None:
        used = usage.memory_percent / 100 * sizing(cache).data_gib(current)
        memory = f"{used:.2f} GiB ({usage.memory_percent:.1f} %)"
    measured = (cache.name, current.name, str(sum(node_counts(spec, cache).values())), memory,
                _fmt(usage.engine_cpu_percent, " %"), _fmt(usage.connections),
                _fmt(usage.evictions))
    if advice.recommended is None:
        verdict = ("no data" if advice.needed_gib is None
                   else f"none fits: add {sizing(cache).scale_out}")
        return (*measured, verdict, "-")
    if advice.recommended.name == current.name:
        return (*measured, "keep", _money(0.0, True))
    before = monthly_cost(spec, cache, current.name)
    after = monthly_cost(spec, cache, advice.recommended.name)
    change = "-" if before is None or after is None else \
        _money(after[0] - before[0], before[1] and after[1])
    return (*measured, advice.recommended.name, change)
