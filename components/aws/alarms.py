"""CloudWatch alarms for one ElastiCache cache, per node, with thresholds from an AlarmPolicy.

Every alarm is derived from plain data (node ids, vCPUs, the policy), never from computed
outputs, so the full set exists at preview time. ElastiCache publishes node metrics per
`CacheClusterId`: a replication group's members (`<rg>-001`, sharded `<rg>-0001-001`), never the
group id, which has no node metrics and would leave an alarm in INSUFFICIENT_DATA forever.
Memcached publishes per node of the cluster: `CacheClusterId` plus `CacheNodeId` ("0001").

The alarm set, thresholds and what to do when one fires: docs/alarms.md.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import pulumi
import pulumi_aws as aws

from components import naming
from components.alarm_policy import AlarmPolicy
from components.component import Component, Outputs

NAMESPACE = "AWS/ElastiCache"
MIB = 1024 * 1024
GREATER = "GreaterThanThreshold"
LESS = "LessThanThreshold"


@dataclass(frozen=True)
class Window:
    """How an alarm reads its metric. ElastiCache publishes one datapoint per node a minute."""

    period: int                 # seconds per datapoint
    evaluation_periods: int     # datapoints looked at
    datapoints_to_alarm: int    # of which this many must breach
    treat_missing_data: str


# Gauges published every minute while a node lives (CPU, memory, connections, swap): missing
# data means the node is gone or the dimension is wrong. "missing" lets the alarm fall to
# INSUFFICIENT_DATA, which `ops verify` and the console show, instead of silently reading OK
# ("notBreaching") or paging for a node being replaced ("breaching").
# Five breaching minutes in a row: a snapshot fork, a failover or a deploy's reconnect storm
# lasts less and does not page.
SUSTAINED = Window(period=60, evaluation_periods=5, datapoints_to_alarm=5,
                   treat_missing_data="missing")
# Memory at the critical line is minutes from evictions (or write errors under noeviction):
# three minutes are enough to tell a trend from a blip.
URGENT = Window(period=60, evaluation_periods=3, datapoints_to_alarm=3,
                treat_missing_data="missing")
# The memory warning moves slowly; 15 minutes of 5-minute averages keep it from flapping
# around the threshold.
SLOW = Window(period=300, evaluation_periods=3, datapoints_to_alarm=3,
              treat_missing_data="missing")
# The hit rate is as slow. It is computed from the lookup counts (_hit_rate_queries), which give
# no datapoint for a node with too few lookups to judge: missing data is "notBreaching", so a
# replica that serves no reads neither pages nor sits in INSUFFICIENT_DATA.
HIT_RATE = Window(period=300, evaluation_periods=3, datapoints_to_alarm=3,
                  treat_missing_data="notBreaching")
# Below this many lookups in a period (one a second over HIT_RATE's 5 minutes) a hit rate says
# little: a replica that only answers a health check's GET of a missing key would read 0 %.
HIT_RATE_MIN_LOOKUPS = 300
# The counts a hit rate is computed from. The published CacheHitRate is hits / (hits + misses)
# per minute, and what it reports for a minute without lookups is undocumented: 0 would page
# every replica that serves no reads. The counts avoid the question, and weigh each lookup of
# the period alike instead of averaging minute ratios. Both exist per node (CacheClusterId) and
# per serverless cache (clusterId): AWS ElastiCache user guide, CacheMetrics.Redis.html and
# serverless-metrics-events-redis.html.
LOOKUP_COUNTS = ("CacheHits", "CacheMisses")
# Counts that come in bursts (evictions) and lag that only replicas publish: 3 of 5 minutes
# catches a pattern, not one burst. Missing data is "notBreaching": no evictions reported means
# none, and a replica promoted by a failover stops publishing ReplicationLag and should clear.
BURSTY = Window(period=60, evaluation_periods=5, datapoints_to_alarm=3,
                treat_missing_data="notBreaching")
# GlobalDatastoreReplicationLag on the secondary region's primary: silence means the
# cross-region link or the secondary is broken, which is exactly the failure a disaster-recovery
# copy must not hide, so missing data is "breaching". The alarms depend on the secondary group
# (see infra/stacks/aws.py), so a fresh deploy does not page while the datastore is created.
CROSS_REGION = Window(period=60, evaluation_periods=5, datapoints_to_alarm=5,
                      treat_missing_data="breaching")


@dataclass(frozen=True)
class CacheNode:
    """One cache node as CloudWatch names it."""

    cluster_id: str                 # CacheClusterId: a member id, or the Memcached cluster id
    node_id: str | None = None      # CacheNodeId: Memcached nodes ("0001"), None for members
    replica: bool = False           # Valkey/Redis: a read replica at creation (node 2+ a shard)

    @property
    def dimensions(self) -> dict[str, str]:
        if self.node_id is None:
            return {"CacheClusterId": self.cluster_id}
        return {"CacheClusterId": self.cluster_id, "CacheNodeId": self.node_id}

    @property
    def subject(self) -> str:
        """The node's part of the alarm name: the member id, or the Memcached node id."""
        return self.node_id if self.node_id is not None else self.cluster_id


def shards(nodes: Sequence[CacheNode]) -> list[list[CacheNode]]:
    """Valkey/Redis nodes grouped by shard: each shard starts at its primary (nodes are given
    primary first per shard)."""
    grouped: list[list[CacheNode]] = []
    for node in nodes:
        if not node.replica or not grouped:
            grouped.append([])
        grouped[-1].append(node)
    return grouped


def shard_id(shard: Sequence[CacheNode]) -> str:
    """The member ids' common part: `<rg>` for `<rg>-001`, `<rg>-0001` for `<rg>-0001-001`."""
    return shard[0].cluster_id.rsplit("-", 1)[0]


def node_memory_metric(data_tiering: bool) -> str:
    # On r6gd nodes ElastiCache moves values to SSD once memory is full, so memory use sits near
    # 100 % on a healthy cache; DatabaseCapacityUsagePercentage counts memory and SSD there
    # (and equals DatabaseMemoryUsagePercentage elsewhere). AWS ElastiCache user guide,
    # data-tiering.html and CacheMetrics.Redis.html.
    return "DatabaseCapacityUsagePercentage" if data_tiering else "DatabaseMemoryUsagePercentage"


@dataclass(frozen=True)
class SecondaryRegionAlarmArgs:
    """A Global Datastore secondary region: its nodes serve reads there and become the
    primary after a failover, so they get the same per-node alarms as the primary's nodes,
    plus the cross-region lag of each shard."""

    region: str
    provider: pulumi.ProviderResource            # an aws.Provider for this region
    nodes: Sequence[CacheNode]                    # the secondary group's nodes, primary first
    topic_arn: pulumi.Input[str] | None = None    # SNS topic in this region (actions are regional)


@dataclass(frozen=True)
class GroupAlarmArgs:
    """Alarms on replication-group metrics, which hold at any node count: for a cache whose
    nodes an auto scaler adds and removes, where per-node alarms from config cannot follow.

    ElastiCache publishes these per group for auto scaling's predefined metrics (AWS
    ElastiCache user guide, AutoScaling-Scaling-Policies-Target.html): EngineCPUUtilization
    with dimensions ReplicationGroupId and Role (Primary / Replica), and
    DatabaseMemoryUsageCountedForEvictPercentage (DatabaseCapacityUsageCountedForEvictPercentage
    on data-tiering nodes) with ReplicationGroupId.
    """

    replication_group_id: str
    replicas: bool = True            # the group may have replicas: alarm on their engine CPU
    data_tiering: bool = False       # memory + SSD: the capacity metric replaces the memory one


@dataclass(frozen=True)
class ServerlessAlarmArgs:
    """A serverless cache: no nodes; ElastiCache publishes its metrics per cache, with the
    dimension `clusterId` (AWS ElastiCache user guide, "Metrics for serverless caches"), and
    AWS recommends alarming at 75 % of each usage limit ("Scaling ElastiCache")."""

    max_data_gb: int
    max_ecpu_per_second: int
    limit_alarm_percent: float = 75


@dataclass(frozen=True)
class CloudWatchCacheAlarmsArgs:
    cache_id: str                                 # names every alarm: managed-cache/<cache id>/...
    engine: str                                   # valkey | redis | memcached
    vcpus: int                                    # of the node type
    nodes: Sequence[CacheNode]                    # primary region nodes, primary first per shard
    policy: AlarmPolicy
    data_tiering: bool = False                    # r6gd nodes: memory + SSD (node_memory_metric)
    topic_arn: pulumi.Input[str] | None = None    # SNS topic in the primary region
    actions_enabled: bool = True                  # False: alarms exist but page nobody
    secondaries: Sequence[SecondaryRegionAlarmArgs] = ()
    group: GroupAlarmArgs | None = None           # group-level alarms (auto-scaled caches)
    serverless: ServerlessAlarmArgs | None = None  # a serverless cache: per-cache alarms only
    tags: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class AlarmDefinition:
    """One alarm, as plain data: what `CloudWatchCacheAlarms` creates and the tests read."""

    key: str                        # short role, part of the logical name
    subject: str                    # node part of the alarm name
    metric: str                     # CloudWatch metric name
    name_suffix: str                # metric part of the alarm name
    statistic: str
    comparison: str
    threshold: float
    window: Window
    dimensions: dict[str, str]      # the metric's dimensions; empty when `series` is set
    severity: str                   # critical | warning
    summary: str                    # what it means and what to do (alarm description)
    region: str | None = None       # None: the primary region
    # Several series of `metric` (one dimension set each): the alarm reads their maximum
    # (metric math), for a value whichever node of a shard currently reports.
    series: tuple[dict[str, str], ...] = ()
    # A hit rate (metric math) from these two counts on `dimensions`, (hits, misses), in place
    # of the published `metric`: see _hit_rate_queries.
    hit_rate_from: tuple[str, str] | None = None


def host_cpu_threshold(host_cpu_percent: float, vcpus: int) -> float:
    """CPUUtilization threshold for a Valkey/Redis node.

    The engine runs its commands on one core, but CPUUtilization is the whole host. On nodes
    with 2 vCPUs or fewer, AWS advises alarming on host CPU at 90 % divided by the number of
    cores (a 2-vCPU node saturates its engine core at about 45 % host CPU); on bigger nodes
    EngineCPUUtilization watches the engine core and host CPU keeps the plain threshold.
    """
    return round(host_cpu_percent / vcpus, 2) if vcpus <= 2 else float(host_cpu_percent)


def alarm_definitions(args: CloudWatchCacheAlarmsArgs) -> list[AlarmDefinition]:
    """Every alarm for the cache, in a stable order (nodes first, then secondary regions)."""
    if args.serverless is not None:
        return serverless_alarm_definitions(args.cache_id, args.engine, args.serverless,
                                            args.policy)
    if args.engine == "memcached":
        return [d for node in args.nodes for d in _memcached_node(node, args.policy)]
    defs = _valkey_nodes(args.nodes, args)
    if args.group is not None:
        defs += group_alarm_definitions(args.group, args.policy, args.engine)
    for secondary in args.secondaries:
        # The same node alarms as the primary region's, in the secondary's own region.
        defs += _valkey_nodes(secondary.nodes, args, secondary.region)
        defs += [_global_lag(shard, secondary.region, args.policy)
                 for shard in shards(secondary.nodes)]
    return defs


def _valkey_nodes(nodes: Sequence[CacheNode], args: CloudWatchCacheAlarmsArgs,
                  region: str | None = None) -> list[AlarmDefinition]:
    return [d for shard in shards(nodes) for node in shard
            for d in _valkey_node(node, args, replicated=len(shard) > 1, region=region)]


def _global_lag(shard: Sequence[CacheNode], region: str, p: AlarmPolicy) -> AlarmDefinition:
    """GlobalDatastoreReplicationLag of one secondary shard. Its current primary publishes it,
    and an automatic failover in that region moves the primary: the alarm reads every node of
    the shard, and only silence from all of them is "no data". One node: its own metric.
    Several: their MAX, which for two or more series is a series (CloudWatch user guide,
    using-metric-math.html)."""
    several = len(shard) > 1
    return AlarmDefinition(
        key="global-replication-lag", subject=shard_id(shard),
        metric="GlobalDatastoreReplicationLag", name_suffix="GlobalDatastoreReplicationLag",
        statistic="Maximum", comparison=GREATER, threshold=float(p.replication_lag_seconds),
        window=CROSS_REGION, dimensions={} if several else shard[0].dimensions,
        series=tuple(node.dimensions for node in shard) if several else (),
        severity="critical", region=region,
        summary=f"The {region} copy of shard {shard_id(shard)} lags the primary region by "
                f"more than {p.replication_lag_seconds} s, or reports nothing: a failover to it "
                "now would lose writes.")


def _valkey_node(node: CacheNode, args: CloudWatchCacheAlarmsArgs, replicated: bool,
                 region: str | None = None) -> list[AlarmDefinition]:
    """A Valkey/Redis node's alarms; `replicated`: its shard has replicas."""
    p, vcpus, dims = args.policy, args.vcpus, node.dimensions
    role = "replica" if node.replica else "primary"
    where = f"{args.engine} {role} {node.cluster_id}" + (f" in {region}" if region else "")
    memory = node_memory_metric(args.data_tiering)
    of_what = "memory and SSD" if args.data_tiering else "maxmemory"

    def alarm(key: str, metric: str, statistic: str, comparison: str, threshold: float,
              window: Window, severity: str, summary: str, suffix: str | None = None,
              ) -> AlarmDefinition:
        return AlarmDefinition(key=key, subject=node.subject, metric=metric,
                               name_suffix=suffix or metric, statistic=statistic,
                               comparison=comparison, threshold=float(threshold), window=window,
                               dimensions=dims, severity=severity, summary=f"{where}: {summary}",
                               region=region)

    host_cpu = host_cpu_threshold(p.host_cpu_percent, vcpus)
    defs = [
        alarm("engine-cpu", "EngineCPUUtilization", "Average", GREATER, p.engine_cpu_percent,
              SUSTAINED, "critical", f"the engine thread is above {p.engine_cpu_percent} % "
              "CPU; commands queue and latency climbs."),
        alarm("host-cpu", "CPUUtilization", "Average", GREATER, host_cpu, SUSTAINED, "critical",
              f"host CPU is above {host_cpu} % ({p.host_cpu_percent} % over {vcpus} vCPUs when "
              "2 or fewer): the node is saturated."),
        alarm("memory-warning", memory, "Average", GREATER, p.memory_warning_percent, SLOW,
              "warning", f"data uses more than {p.memory_warning_percent} % of {of_what}; "
              "plan a bigger node or more shards.", suffix=f"{memory}-warning"),
        alarm("memory-critical", memory, "Average", GREATER, p.memory_critical_percent, URGENT,
              "critical", f"data uses more than {p.memory_critical_percent} % of {of_what}; "
              "evictions or write errors follow.", suffix=f"{memory}-critical"),
        alarm("evictions", "Evictions", "Sum", GREATER, p.evictions_per_minute, BURSTY,
              "critical", f"more than {p.evictions_per_minute} keys a minute are evicted for "
              "lack of memory."),
        alarm("connections", "CurrConnections", "Maximum", GREATER, p.max_connections,
              SUSTAINED, "critical", f"more than {p.max_connections} client connections; a "
              "connection leak or a client storm."),
        # AWS: "The FreeableMemory CloudWatch metric being close to 0 (i.e., below 100MB) ...
        # indicates a node is under memory pressure" (CacheMetrics.WhichShouldIMonitor).
        alarm("freeable-memory", "FreeableMemory", "Average", LESS, p.freeable_memory_mb * MIB,
              SUSTAINED, "critical", f"less than {p.freeable_memory_mb} MiB of host memory is "
              "free: a snapshot or a replica's full sync forks the engine and can run the node "
              "out of memory. Raise reserved-memory-percent or use a bigger node type."),
    ]
    if replicated:
        # On every node of a shard with replicas: a failover makes a replica the primary and
        # the old primary a replica. Only replicas publish ReplicationLag; the primary's alarm
        # reads no data as "notBreaching" and stays OK.
        defs.append(alarm("replication-lag", "ReplicationLag", "Maximum", GREATER,
                          p.replication_lag_seconds, BURSTY, "critical",
                          f"the node, as a replica, is more than {p.replication_lag_seconds} s "
                          "behind its primary; reads are stale and a failover would lose "
                          "writes."))
    if p.cache_hit_rate_percent > 0:
        defs.append(replace(alarm(
            "hit-rate", "CacheHitRate", "Sum", LESS, p.cache_hit_rate_percent, HIT_RATE,
            "warning", f"fewer than {p.cache_hit_rate_percent} % of lookups hit; the cache is "
            "too small or keys expire too early."), hit_rate_from=LOOKUP_COUNTS))
    return defs


GROUP_SUBJECT = "group"   # the alarm-name part of group-level alarms: managed-cache/<id>/group/


def group_memory_metric(data_tiering: bool) -> str:
    return ("DatabaseCapacityUsageCountedForEvictPercentage" if data_tiering
            else "DatabaseMemoryUsageCountedForEvictPercentage")


def group_alarm_definitions(group: GroupAlarmArgs, p: AlarmPolicy,
                            engine: str) -> list[AlarmDefinition]:
    """Replication-group alarms: they cover every node the scaler adds, at any count."""
    group_dims = {"ReplicationGroupId": group.replication_group_id}
    where = f"{engine} group {group.replication_group_id}"

    def alarm(key: str, metric: str, dims: dict[str, str], threshold: float, window: Window,
              severity: str, suffix: str, summary: str) -> AlarmDefinition:
        return AlarmDefinition(key=key, subject=GROUP_SUBJECT, metric=metric, name_suffix=suffix,
                               statistic="Average", comparison=GREATER,
                               threshold=float(threshold), window=window, dimensions=dims,
                               severity=severity, summary=f"{where}: {summary}")

    memory = group_memory_metric(group.data_tiering)
    defs = [
        alarm("engine-cpu-primary", "EngineCPUUtilization",
              {**group_dims, "Role": "Primary"}, p.engine_cpu_percent, SUSTAINED, "critical",
              "EngineCPUUtilization-primary", f"the primaries' engine threads average above "
              f"{p.engine_cpu_percent} % CPU, at whatever shard count the scaler has reached."),
        alarm("memory-warning", memory, group_dims, p.memory_warning_percent, SLOW,
              "warning", f"{memory}-warning", f"data counted for eviction uses more than "
              f"{p.memory_warning_percent} % of the group's memory; the scaler is near its "
              "limit or slow to follow."),
        alarm("memory-critical", memory, group_dims, p.memory_critical_percent, URGENT,
              "critical", f"{memory}-critical", f"data counted for eviction uses more than "
              f"{p.memory_critical_percent} % of the group's memory; raise "
              "autoscaling.shards.max or the node type."),
    ]
    if group.replicas:
        # Auto scaling keeps at least one replica (ElastiCache's minimum), so a group with
        # replicas always reports their CPU.
        defs.insert(1, alarm(
            "engine-cpu-replica", "EngineCPUUtilization",
            {**group_dims, "Role": "Replica"}, p.engine_cpu_percent, SUSTAINED, "critical",
            "EngineCPUUtilization-replica", f"the replicas' engine threads average above "
            f"{p.engine_cpu_percent} % CPU; raise autoscaling.replicas.max or read less."))
    return defs


SERVERLESS_SUBJECT = "serverless"   # the alarm-name part: managed-cache/<id>/serverless/...
GB = 10**9   # usage limits are in GB; decimal GB keeps a threshold at or below the AWS limit


def serverless_alarm_definitions(cache_id: str, engine: str, limits: ServerlessAlarmArgs,
                                 p: AlarmPolicy) -> list[AlarmDefinition]:
    """A serverless cache's alarms: data and ECPUs against their limits, throttling, and the
    node alarms' counterparts that serverless caches publish per cache."""
    dims = {"clusterId": cache_id}
    where = f"serverless {engine} {cache_id}"
    warn = limits.limit_alarm_percent

    def alarm(key: str, metric: str, statistic: str, comparison: str, threshold: float,
              window: Window, severity: str, summary: str, suffix: str | None = None,
              ) -> AlarmDefinition:
        return AlarmDefinition(key=key, subject=SERVERLESS_SUBJECT, metric=metric,
                               name_suffix=suffix or metric, statistic=statistic,
                               comparison=comparison, threshold=float(threshold), window=window,
                               dimensions=dims, severity=severity, summary=f"{where}: {summary}")

    # An idle cache may report no ECPUs or throttling at all: that is not a fault.
    quiet = replace(SUSTAINED, treat_missing_data="notBreaching")
    defs = [
        alarm("data-warning", "BytesUsedForCache", "Maximum", GREATER,
              limits.max_data_gb * GB * warn / 100, SLOW, "warning",
              f"data stored passed {warn:g} % of max_data_gb ({limits.max_data_gb} GB); at the "
              "limit ElastiCache evicts keys with a TTL, then refuses writes.",
              suffix="BytesUsedForCache-warning"),
        alarm("data-critical", "BytesUsedForCache", "Maximum", GREATER,
              limits.max_data_gb * GB * p.memory_critical_percent / 100, URGENT, "critical",
              f"data stored passed {p.memory_critical_percent:g} % of max_data_gb "
              f"({limits.max_data_gb} GB); raise serverless.max_data_gb now.",
              suffix="BytesUsedForCache-critical"),
        alarm("ecpu-warning", "ElastiCacheProcessingUnits", "Sum", GREATER,
              limits.max_ecpu_per_second * 60 * warn / 100, quiet, "warning",
              f"ECPUs passed {warn:g} % of max_ecpu_per_second ({limits.max_ecpu_per_second:,}"
              "/s); at the limit ElastiCache throttles requests."),
        alarm("throttled", "ThrottledCmds", "Sum", GREATER, 0, BURSTY, "critical",
              "requests are throttled: the ECPU limit is reached or load grows faster than "
              "ElastiCache scales."),
        alarm("evictions", "Evictions", "Sum", GREATER, p.evictions_per_minute, BURSTY,
              "critical", f"more than {p.evictions_per_minute} keys a minute are evicted; data "
              "is at max_data_gb."),
        alarm("connections", "CurrConnections", "Maximum", GREATER, p.max_connections, quiet,
              "critical", f"more than {p.max_connections} client connections; a connection "
              "leak or a client storm."),
    ]
    if engine != "memcached" and p.cache_hit_rate_percent > 0:
        defs.append(replace(alarm(
            "hit-rate", "CacheHitRate", "Sum", LESS, p.cache_hit_rate_percent, HIT_RATE,
            "warning", f"fewer than {p.cache_hit_rate_percent} % of lookups hit; data may be "
            "evicted at max_data_gb or keys expire too early."), hit_rate_from=LOOKUP_COUNTS))
    return defs


def _memcached_node(node: CacheNode, p: AlarmPolicy) -> list[AlarmDefinition]:
    dims = node.dimensions
    where = f"memcached {node.cluster_id} node {node.node_id}"

    def alarm(key: str, metric: str, statistic: str, comparison: str, threshold: float,
              window: Window, summary: str) -> AlarmDefinition:
        return AlarmDefinition(key=key, subject=node.subject, metric=metric, name_suffix=metric,
                               statistic=statistic, comparison=comparison,
                               threshold=float(threshold), window=window, dimensions=dims,
                               severity="critical", summary=f"{where}: {summary}")

    return [
        # Memcached is multi-threaded: host CPU is the engine's CPU, no scaling by vCPUs.
        alarm("cpu", "CPUUtilization", "Average", GREATER, p.host_cpu_percent, SUSTAINED,
              f"host CPU is above {p.host_cpu_percent} %; add nodes or a bigger node type."),
        alarm("swap", "SwapUsage", "Average", GREATER, p.swap_usage_mb * MIB, SUSTAINED,
              f"the host swaps more than {p.swap_usage_mb} MiB; raise the "
              "memcached_connections_overhead parameter or use a bigger node type."),
        alarm("freeable-memory", "FreeableMemory", "Average", LESS, p.freeable_memory_mb * MIB,
              SUSTAINED, f"less than {p.freeable_memory_mb} MiB of host memory is free; the "
              "node is under memory pressure."),
        alarm("evictions", "Evictions", "Sum", GREATER, p.evictions_per_minute, BURSTY,
              f"more than {p.evictions_per_minute} items a minute are evicted for lack of "
              "memory."),
        alarm("connections", "CurrConnections", "Maximum", GREATER, p.max_connections,
              SUSTAINED, f"more than {p.max_connections} client connections; a connection leak "
              "or a client storm."),
    ]


class CloudWatchCacheAlarms(Component[CloudWatchCacheAlarmsArgs],
                            type_token="managed-cache:aws:CloudWatchCacheAlarms"):
    alarm_names: list[str]                   # physical names, known from config

    def build(self, name: str, args: CloudWatchCacheAlarmsArgs) -> Outputs:
        secondaries = {s.region: s for s in args.secondaries}
        self.alarm_names = []
        for definition in alarm_definitions(args):
            if definition.region is None:
                topic_arn = args.topic_arn
                child = pulumi.ResourceOptions(parent=self)
            else:
                # Alarms live in their metric's region and may only notify a topic there.
                secondary = secondaries[definition.region]
                topic_arn = secondary.topic_arn
                child = pulumi.ResourceOptions(parent=self, provider=secondary.provider)
            alarm_name = naming.alarm_name(args.cache_id, definition.subject,
                                           definition.name_suffix)
            actions = [topic_arn] if topic_arn is not None else []
            window = definition.window
            aws.cloudwatch.MetricAlarm(
                f"{name}-{definition.subject}-{definition.key}",
                name=alarm_name,
                alarm_description=f"[{definition.severity}] {definition.summary} "
                                  "Runbook: docs/alarms.md",
                **_metric_args(definition),
                comparison_operator=definition.comparison,
                threshold=definition.threshold,
                evaluation_periods=window.evaluation_periods,
                datapoints_to_alarm=window.datapoints_to_alarm,
                treat_missing_data=window.treat_missing_data,
                # No `unit`: a unit that differs from the published one matches no data.
                actions_enabled=args.actions_enabled,
                # Actions stay wired when disabled, so enabling paging is a one-field change.
                alarm_actions=actions,
                ok_actions=actions,
                tags={**args.tags, "Severity": definition.severity},
                opts=child,
            )
            self.alarm_names.append(alarm_name)
        return {"alarm_names": self.alarm_names}


def _hit_rate_queries(
        definition: AlarmDefinition) -> list[aws.cloudwatch.MetricAlarmMetricQueryArgs]:
    """The hit rate in percent from the lookup counts of one period, and no datapoint where the
    period had fewer than HIT_RATE_MIN_LOOKUPS lookups.

    CloudWatch metric math (user guide, using-metric-math.html): arithmetic reads a missing
    value as 0, and IF(condition, value) with no false value drops the datapoint where the
    condition is false, so a node that reports no counts gives no datapoint, never 0 %.
    """
    assert definition.hit_rate_from is not None
    period = definition.window.period

    def count(query_id: str, metric: str) -> aws.cloudwatch.MetricAlarmMetricQueryArgs:
        return aws.cloudwatch.MetricAlarmMetricQueryArgs(
            id=query_id, return_data=False,
            metric=aws.cloudwatch.MetricAlarmMetricQueryMetricArgs(
                namespace=NAMESPACE, metric_name=metric, dimensions=definition.dimensions,
                stat="Sum", period=period))

    hits, misses = definition.hit_rate_from
    return [
        count("hits", hits),
        count("misses", misses),
        aws.cloudwatch.MetricAlarmMetricQueryArgs(
            id="lookups", expression="hits + misses", return_data=False),
        aws.cloudwatch.MetricAlarmMetricQueryArgs(
            id="hit_rate", label=definition.metric, return_data=True,
            expression=f"IF(lookups >= {HIT_RATE_MIN_LOOKUPS}, 100 * hits / lookups)"),
    ]


def _metric_args(definition: AlarmDefinition) -> dict[str, Any]:
    """One metric, the maximum of several series, or a hit rate from lookup counts (metric math:
    the provider refuses metric_name, namespace, dimensions, statistic and period beside
    metric_query)."""
    period = definition.window.period
    if definition.hit_rate_from is not None:
        return dict(metric_queries=_hit_rate_queries(definition))
    if not definition.series:
        return dict(namespace=NAMESPACE, metric_name=definition.metric,
                    dimensions=definition.dimensions, statistic=definition.statistic,
                    period=period)
    queries = [aws.cloudwatch.MetricAlarmMetricQueryArgs(
        id=f"m{index}", return_data=False,
        metric=aws.cloudwatch.MetricAlarmMetricQueryMetricArgs(
            namespace=NAMESPACE, metric_name=definition.metric, dimensions=dimensions,
            stat=definition.statistic, period=period))
        for index, dimensions in enumerate(definition.series, start=1)]
    queries.append(aws.cloudwatch.MetricAlarmMetricQueryArgs(
        id="worst", expression="MAX(METRICS())", label=definition.metric, return_data=True))
    return dict(metric_queries=queries)
