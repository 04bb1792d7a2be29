"""Cloud Monitoring for Memorystore: e-mail notification channels, and per instance a set of
alert policies with the metric and monitored-resource types of its product and thresholds from
the cache's AlarmPolicy (profile defaults, overridable per cache under `alarms:`).

The set matches the AWS alarms where Memorystore publishes a counterpart (docs/alarms.md):
memory, CPU, connections, evictions, replication lag, hit rate, failover, and for a Valkey
instance with cross-region secondaries the replication links and backlog towards each of them.
Metric names, kinds and units: Cloud Monitoring "Google Cloud metrics" lists (memcache,
memorystore: metrics_gcp_i_o; redis: metrics_gcp_p_z; generated 2026-04-10).

With `notify` off (development), the policies exist and show incidents but notify nobody.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_gcp as gcp

from components.alarm_policy import AlarmPolicy
from components.component import Component, Outputs
from components.gcp.apis import MONITORING, needs

# Monitored-resource types per product (Cloud Monitoring "GCP metrics" list).
RESOURCE_TYPES = {
    "redis": "redis_instance",
    "valkey": "memorystore.googleapis.com/Instance",
    "memcached": "memcache_node",
}
ALIGNMENT_PERIOD = "300s"
GREATER, LESS = "COMPARISON_GT", "COMPARISON_LT"
MIB = 1024 * 1024
# Cross-region backlog: bytes written on the primary not yet on a secondary. Google documents no
# threshold; 64 MiB is this project's choice - a few seconds of heavy writes, and what a
# switchover to that secondary would lose.
CROSS_REGION_BACKLOG_BYTES = 64 * MIB
# Hit rates need traffic to mean anything: judged over 15 minutes, and not below one lookup a
# second (as the AWS alarms: components/aws/alarms.py HIT_RATE_MIN_LOOKUPS).
HIT_RATE_DURATION = "900s"
HIT_RATE_MIN_LOOKUPS_PER_SECOND = 1


@dataclass(frozen=True)
class AlertRule:
    key: str                     # logical name suffix and display name part
    title: str
    metric: str
    aligner: str
    threshold: float
    severity: str                # CRITICAL | ERROR | WARNING
    duration: str = "300s"       # how long the condition must hold
    reducer: str | None = None
    group_by: tuple[str, ...] = ()
    comparison: str = GREATER
    # A ratio condition: `metric` / `denominator`, both aggregated alike (Cloud Monitoring
    # threshold conditions' denominator_filter).
    denominator: str | None = None
    # Missing data counts as a breach (a silent cross-region link is a broken one).
    missing_breaches: bool = False
    unit: str = ""                # for messages: "", "/s", " s", " bytes"
    # Conditions that must hold as well (the policy's combiner becomes AND).
    also: tuple[AlertRule, ...] = ()

    @property
    def describe(self) -> str:
        word = "below" if self.comparison == LESS else "above"
        return f"{self.title} {word} {self.threshold:g}{self.unit}"


def alert_rules(engine: str, policy: AlarmPolicy, high_availability: bool,
                replicas: int = 0, cross_region_shards: int = 0) -> list[AlertRule]:
    """The alert set of one instance. Sources: docs/cloud-rules.md (GCP Cloud Monitoring) and the
    Memorystore "supported monitoring metrics" pages.

    replicas: per shard (Valkey replication lag). cross_region_shards: the shard count of a
    Valkey primary instance with cross-region secondaries (0: none).
    """
    memory_warn = policy.memory_warning_percent / 100
    memory_crit = policy.memory_critical_percent / 100
    cpu = policy.engine_cpu_percent / 100
    clients = float(policy.max_connections)
    # Eviction counts are DELTA metrics: ALIGN_RATE gives keys per second.
    evictions = policy.evictions_per_minute / 60
    hit_rate = policy.cache_hit_rate_percent / 100
    lag = float(policy.replication_lag_seconds)
    if engine == "redis":
        memory = "redis.googleapis.com/stats/memory/system_memory_usage_ratio"
        rules = [
            AlertRule("memory-warning", "memory usage ratio", memory, "ALIGN_MEAN",
                      memory_warn, "WARNING"),
            AlertRule("memory-critical", "memory usage ratio", memory, "ALIGN_MEAN",
                      memory_crit, "CRITICAL"),
            # CPU-seconds of the main thread, per user/system space: the rate summed per node
            # is the main thread's utilisation (0..1).
            AlertRule("main-thread-cpu", "main-thread CPU",
                      "redis.googleapis.com/stats/cpu_utilization_main_thread", "ALIGN_RATE",
                      cpu, "WARNING", reducer="REDUCE_SUM",
                      group_by=("resource.label.instance_id", "resource.label.node_id")),
            AlertRule("connected-clients", "connected clients",
                      "redis.googleapis.com/clients/connected", "ALIGN_MEAN", clients,
                      "WARNING"),
            AlertRule("evictions", "evicted keys", "redis.googleapis.com/stats/evicted_keys",
                      "ALIGN_RATE", evictions, "CRITICAL", unit="/s"),
        ]
        if high_availability:
            # replication/role is 1 on the primary, 0 on a replica: any spread within the
            # window means a node changed role, i.e. a failover happened.
            rules.append(AlertRule("failover", "failover (role change)",
                                   "redis.googleapis.com/replication/role", "ALIGN_STDDEV",
                                   0, "ERROR", duration="0s"))
            rules.append(AlertRule("replication-lag", "replica lag",
                                   "redis.googleapis.com/replication/master/slaves/lag",
                                   "ALIGN_MAX", lag, "CRITICAL", unit=" s"))
        if hit_rate > 0:
            # From the lookup counts summed over the instance, not the per-node
            # stats/cache_hit_ratio gauge, whose value on a replica that serves no reads is
            # undocumented (a 0 would warn forever).
            rules.append(hit_rate_rule("redis.googleapis.com/stats/keyspace_hits",
                                       "redis.googleapis.com/stats/keyspace_misses", hit_rate))
        return rules
    if engine == "valkey":
        # The documented Memorystore for Valkey metrics have no replication-role metric, so
        # there is no failover policy here (docs/gcp.md).
        memory = "memorystore.googleapis.com/instance/memory/maximum_utilization"
        prefix = "memorystore.googleapis.com/instance"
        rules = [
            AlertRule("memory-warning", "memory utilization", memory, "ALIGN_MAX", memory_warn,
                      "WARNING"),
            AlertRule("memory-critical", "memory utilization", memory, "ALIGN_MAX",
                      memory_crit, "CRITICAL"),
            AlertRule("cpu", "CPU utilization", f"{prefix}/cpu/maximum_utilization",
                      "ALIGN_MAX", cpu, "WARNING"),
            AlertRule("connected-clients", "connected clients",
                      f"{prefix}/clients/maximum_connected_clients", "ALIGN_MAX", clients,
                      "WARNING"),
            # Instance-wide (all shards): stricter than a per-node count.
            AlertRule("evictions", "evicted keys", f"{prefix}/stats/total_evicted_keys_count",
                      "ALIGN_RATE", evictions, "CRITICAL", unit="/s"),
        ]
        if replicas > 0:
            rules.append(AlertRule("replication-lag", "replica acknowledge lag",
                                   f"{prefix}/replication/maximum_ack_lag", "ALIGN_MAX", lag,
                                   "CRITICAL", unit=" s"))
        if hit_rate > 0:
            # Valkey publishes hit and miss counts, no ratio.
            rules.append(hit_rate_rule(f"{prefix}/stats/total_keyspace_hits_count",
                                       f"{prefix}/stats/total_keyspace_misses_count", hit_rate))
        if cross_region_shards > 0:
            # Reported on the primary instance, one series per secondary (label
            # secondary_instance_id): a link per shard, and the bytes a secondary is behind.
            rules.append(AlertRule(
                "cross-region-links", "replication links to a secondary",
                f"{prefix}/cross_instance_replication/secondary_replication_links", "ALIGN_MIN",
                float(cross_region_shards), "CRITICAL", comparison=LESS,
                group_by=("metric.label.secondary_instance_id",), reducer="REDUCE_MIN",
                missing_breaches=True))
            rules.append(AlertRule(
                "cross-region-backlog", "replication backlog to a secondary",
                f"{prefix}/cross_instance_replication/secondary_maximum_replication_offset_diff",
                "ALIGN_MAX", float(CROSS_REGION_BACKLOG_BYTES), "CRITICAL",
                group_by=("metric.label.secondary_instance_id",), reducer="REDUCE_MAX",
                unit=" bytes"))
        return rules
    # Memcached fills its memory by design (LRU), so only the critical level alerts.
    rules = [
        AlertRule("memory-critical", "memory utilization",
                  "memcache.googleapis.com/node/memory/utilization", "ALIGN_MEAN", memory_crit,
                  "CRITICAL"),
        AlertRule("connected-clients", "active connections",
                  "memcache.googleapis.com/node/active_connections", "ALIGN_MEAN", clients,
                  "WARNING"),
        AlertRule("evictions", "evicted items", "memcache.googleapis.com/node/eviction_count",
                  "ALIGN_RATE", evictions, "CRITICAL", unit="/s"),
    ]
    if hit_rate > 0:
        rules.append(AlertRule("hit-rate", "hit ratio", "memcache.googleapis.com/node/hit_ratio",
                               "ALIGN_MEAN", hit_rate, "WARNING", duration=HIT_RATE_DURATION,
                               comparison=LESS))
    return rules


def hit_rate_rule(hits: str, misses: str, hit_rate: float) -> AlertRule:
    """hits / (hits + misses) < p, from two count metrics summed over the instance's nodes, as
    the ratio condition hits / misses < p / (1 - p).

    Misses go in the denominator because a zero there is the healthy case: every lookup hit.
    Whatever Cloud Monitoring makes of a division by zero (no point, or infinity), that period
    cannot fire, while an instance whose every lookup misses has a ratio of 0 and does. With
    hits in the denominator it would be the other way round: a total miss would divide by zero
    and might never fire. An instance without lookups (0 / 0) fires in neither form.
    p = 100 %: any miss fires (misses per second above 0).

    A second condition keeps a trickle of misses from firing (a health check's GET of a missing
    key reads 0 hits per miss): misses above (1 - p) x HIT_RATE_MIN_LOOKUPS_PER_SECOND. Below p,
    misses exceed (1 - p) x lookups, so an instance with at least that many lookups a second
    still fires whenever its hit rate is below p.
    """
    def misses_rate(threshold: float) -> AlertRule:
        return AlertRule("hit-rate", "missed lookups", misses, "ALIGN_RATE", threshold,
                         "WARNING", duration=HIT_RATE_DURATION, reducer="REDUCE_SUM",
                         group_by=("resource.label.instance_id",), unit="/s")

    if hit_rate >= 1:
        return misses_rate(0)
    return AlertRule("hit-rate", "hits per miss", hits, "ALIGN_RATE",
                     round(hit_rate / (1 - hit_rate), 6), "WARNING",
                     duration=HIT_RATE_DURATION, reducer="REDUCE_SUM",
                     group_by=("resource.label.instance_id",), comparison=LESS,
                     denominator=misses,
                     also=(misses_rate(round((1 - hit_rate) * HIT_RATE_MIN_LOOKUPS_PER_SECOND,
                                             6)),))


def _condition(rule: AlertRule, resource_type: str, instance_id: str,
               region: str) -> gcp.monitoring.AlertPolicyConditionArgs:
    aggregation: dict[str, Any] = dict(
        alignment_period=ALIGNMENT_PERIOD, per_series_aligner=rule.aligner,
        cross_series_reducer=rule.reducer, group_by_fields=list(rule.group_by) or None)
    monitoring = gcp.monitoring
    return monitoring.AlertPolicyConditionArgs(
        display_name=f"{instance_id} {rule.describe}",
        condition_threshold=monitoring.AlertPolicyConditionConditionThresholdArgs(
            filter=instance_filter(resource_type, rule.metric, instance_id, region),
            comparison=rule.comparison,
            threshold_value=rule.threshold,
            duration=rule.duration,
            aggregations=[
                monitoring.AlertPolicyConditionConditionThresholdAggregationArgs(**aggregation)],
            denominator_filter=(instance_filter(resource_type, rule.denominator, instance_id,
                                                region) if rule.denominator else None),
            denominator_aggregations=[
                monitoring.AlertPolicyConditionConditionThresholdDenominatorAggregationArgs(
                    **aggregation)] if rule.denominator else None,
            evaluation_missing_data=("EVALUATION_MISSING_DATA_ACTIVE"
                                     if rule.missing_breaches else None),
        ))


# Where each monitored resource says its instance runs (Monitored resource types,
# https://cloud.google.com/monitoring/api/resources): redis_instance has `region`; Valkey's
# memorystore.googleapis.com/Instance has `location`, the region; memcache_node has `location`,
# the node's zone, and its instance_id is unique only "among Memcached instances in the region".
# Without the clause an instance of the same id in another region of the project is watched too.
_REGION_CLAUSES = {
    "redis_instance": 'resource.labels.region = "{region}"',
    "memorystore.googleapis.com/Instance": 'resource.labels.location = "{region}"',
    "memcache_node": 'resource.labels.location = starts_with("{region}-")',
}


def instance_filter(resource_type: str, metric: str, instance_id: str, region: str) -> str:
    # The instance_id label holds the short id on some products and the full resource name
    # (projects/<p>/locations/<region>/instances/<id>) on others: match either.
    return (f'resource.type = "{resource_type}" AND metric.type = "{metric}" AND '
            f'resource.labels.instance_id = monitoring.regex.full_match('
            f'"(projects/[^/]+/locations/[^/]+/instances/)?{instance_id}") AND '
            + _REGION_CLAUSES[resource_type].format(region=region))


@dataclass(frozen=True)
class AlertChannelsArgs:
    name_prefix: str
    emails: Sequence[str]
    # Enabled APIs by service name (components/gcp/apis.py); empty: enabled elsewhere.
    apis: Mapping[str, pulumi.Resource] = field(default_factory=dict)


def _distinct(emails: Sequence[str]) -> list[str]:
    """Each address once, whatever its case or repetition (as the AWS topics' subscriptions):
    its first spelling, in config order, so the channels of a list without repeats keep their
    names."""
    first: dict[str, str] = {}
    for email in emails:
        first.setdefault(email.lower(), email)
    return list(first.values())


class AlertChannels(Component[AlertChannelsArgs],
                    type_token="managed-cache:gcp:AlertChannels"):
    channel_ids: list[pulumi.Output[str]]    # projects/<p>/notificationChannels/<n>

    def build(self, name: str, args: AlertChannelsArgs) -> Outputs:
        self.channel_ids = [
            gcp.monitoring.NotificationChannel(
                f"{name}-email-{i}",
                type="email",
                display_name=f"managed-cache {args.name_prefix}: {email}",
                labels={"email_address": email},
                opts=pulumi.ResourceOptions(parent=self, depends_on=needs(args.apis, MONITORING)),
            ).name
            for i, email in enumerate(_distinct(args.emails))
        ]
        return {"channel_ids": self.channel_ids}


@dataclass(frozen=True)
class MemorystoreAlertsArgs:
    engine: str                               # valkey | redis | memcached
    instance_id: str                          # from config, so filters are known at preview
    region: str                               # where the instance runs (filters name it)
    policy: AlarmPolicy
    notification_channels: Sequence[pulumi.Input[str]] = ()
    high_availability: bool = False           # replicas: alert on failover (Redis)
    apis: Mapping[str, pulumi.Resource] = field(default_factory=dict)  # see AlertChannelsArgs
    replicas: int = 0                         # per shard: replication lag (Valkey)
    cross_region_shards: int = 0              # a Valkey primary with secondaries: its shards


class MemorystoreAlerts(Component[MemorystoreAlertsArgs],
                        type_token="managed-cache:gcp:MemorystoreAlerts"):
    policy_names: dict[str, pulumi.Output[str]]

    def build(self, name: str, args: MemorystoreAlertsArgs) -> Outputs:
        resource_type = RESOURCE_TYPES[args.engine]
        channels = list(args.notification_channels) if args.policy.notify else []
        self.policy_names = {}
        for rule in alert_rules(args.engine, args.policy, args.high_availability,
                                args.replicas, args.cross_region_shards):
            display = f"managed-cache/{args.instance_id}/{rule.key}"
            policy = gcp.monitoring.AlertPolicy(
                f"{name}-{rule.key}",
                display_name=display,
                # Every condition at once: a rule's `also` conditions narrow it.
                combiner="AND" if rule.also else "OR",
                severity=rule.severity,
                conditions=[_condition(part, resource_type, args.instance_id, args.region)
                            for part in (rule, *rule.also)],
                notification_channels=channels,
                documentation=gcp.monitoring.AlertPolicyDocumentationArgs(
                    subject=f"{args.instance_id}: {rule.describe}",
                    content=f"Memorystore instance `{args.instance_id}` ({args.engine}): "
                            f"{rule.describe} ({rule.metric}"
                            + (f" / {rule.denominator}" if rule.denominator else "")
                            + f") for {rule.duration}. "
                            "Thresholds come from the cache's `alarms:` settings.",
                    mime_type="text/markdown",
                ),
                user_labels={"cache_instance": args.instance_id, "managed_by": "managed-cache"},
                opts=pulumi.ResourceOptions(parent=self, depends_on=needs(args.apis, MONITORING)),
            )
            self.policy_names[rule.key] = policy.name
        return {"policy_names": self.policy_names}
