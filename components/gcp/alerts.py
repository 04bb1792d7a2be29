"""Cloud Monitoring for Memorystore: e-mail notification channels, and per instance a set of
alert policies with the metric and monitored-resource types of its product and thresholds from
the cache's AlarmPolicy (profile defaults, overridable per cache under `alarms:`).

With `notify` off (development), the policies exist and show incidents but notify nobody.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_gcp as gcp

from components.gcp.apis import MONITORING, needs
from infra.config.alarms import AlarmPolicy

# Monitored-resource types per product (Cloud Monitoring "GCP metrics" list).
RESOURCE_TYPES = {
    "redis": "redis_instance",
    "valkey": "memorystore.googleapis.com/Instance",
    "memcached": "memcache_node",
}
ALIGNMENT_PERIOD = "300s"


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


def alert_rules(engine: str, policy: AlarmPolicy, high_availability: bool) -> list[AlertRule]:
    """The alert set of one instance. Sources: docs/cloud-rules.md (GCP Cloud Monitoring) and the
    Memorystore "supported monitoring metrics" pages."""
    memory_warn = policy.memory_warning_percent / 100
    memory_crit = policy.memory_critical_percent / 100
    cpu = policy.engine_cpu_percent / 100
    clients = float(policy.max_connections)
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
        ]
        if high_availability:
            # replication/role is 1 on the primary, 0 on a replica: any spread within the
            # window means a node changed role, i.e. a failover happened.
            rules.append(AlertRule("failover", "failover (role change)",
                                   "redis.googleapis.com/replication/role", "ALIGN_STDDEV",
                                   0, "ERROR", duration="0s"))
        return rules
    if engine == "valkey":
        # The documented Memorystore for Valkey metrics have no replication role, so there is
        # no failover policy here (docs/gcp.md).
        memory = "memorystore.googleapis.com/instance/memory/maximum_utilization"
        return [
            AlertRule("memory-warning", "memory utilization", memory, "ALIGN_MAX", memory_warn,
                      "WARNING"),
            AlertRule("memory-critical", "memory utilization", memory, "ALIGN_MAX",
                      memory_crit, "CRITICAL"),
            AlertRule("cpu", "CPU utilization",
                      "memorystore.googleapis.com/instance/cpu/maximum_utilization",
                      "ALIGN_MAX", cpu, "WARNING"),
            AlertRule("connected-clients", "connected clients",
                      "memorystore.googleapis.com/instance/clients/maximum_connected_clients",
                      "ALIGN_MAX", clients, "WARNING"),
        ]
    # Memcached fills its memory by design (LRU), so only the critical level alerts.
    return [
        AlertRule("memory-critical", "memory utilization",
                  "memcache.googleapis.com/node/memory/utilization", "ALIGN_MEAN", memory_crit,
                  "CRITICAL"),
        AlertRule("connected-clients", "active connections",
                  "memcache.googleapis.com/node/active_connections", "ALIGN_MEAN", clients,
                  "WARNING"),
    ]


def instance_filter(resource_type: str, metric: str, instance_id: str) -> str:
    # The instance_id label holds the short id on some products and the full resource name
    # (projects/<p>/locations/<region>/instances/<id>) on others: match either.
    return (f'resource.type = "{resource_type}" AND metric.type = "{metric}" AND '
            f'resource.labels.instance_id = monitoring.regex.full_match('
            f'"(projects/[^/]+/locations/[^/]+/instances/)?{instance_id}")')


@dataclass(frozen=True)
class AlertChannelsArgs:
    name_prefix: str
    emails: Sequence[str]
    # Enabled APIs by service name (components/gcp/apis.py); empty: enabled elsewhere.
    apis: Mapping[str, pulumi.Resource] = field(default_factory=dict)


class AlertChannels(pulumi.ComponentResource):
    channel_ids: list[pulumi.Output[str]]    # projects/<p>/notificationChannels/<n>

    def __init__(self, name: str, args: AlertChannelsArgs,
                 opts: pulumi.ResourceOptions | None = None):
        super().__init__("managed-cache:gcp:AlertChannels", name, None, opts)
        self.channel_ids = [
            gcp.monitoring.NotificationChannel(
                f"{name}-email-{i}",
                type="email",
                display_name=f"managed-cache {args.name_prefix}: {email}",
                labels={"email_address": email},
                opts=pulumi.ResourceOptions(parent=self, depends_on=needs(args.apis, MONITORING)),
            ).name
            for i, email in enumerate(args.emails)
        ]
        self.register_outputs({"channel_ids": self.channel_ids})


@dataclass(frozen=True)
class MemorystoreAlertsArgs:
    engine: str                               # valkey | redis | memcached
    instance_id: str                          # from config, so filters are known at preview
    policy: AlarmPolicy
    notification_channels: Sequence[pulumi.Input[str]] = ()
    high_availability: bool = False           # replicas: alert on failover (Redis)
    apis: Mapping[str, pulumi.Resource] = field(default_factory=dict)  # see AlertChannelsArgs


class MemorystoreAlerts(pulumi.ComponentResource):
    policy_names: dict[str, pulumi.Output[str]]

    def __init__(self, name: str, args: MemorystoreAlertsArgs,
                 opts: pulumi.ResourceOptions | None = None):
        super().__init__("managed-cache:gcp:MemorystoreAlerts", name, None, opts)
        resource_type = RESOURCE_TYPES[args.engine]
        channels = list(args.notification_channels) if args.policy.notify else []
        self.policy_names = {}
        for rule in alert_rules(args.engine, args.policy, args.high_availability):
            display = f"managed-cache/{args.instance_id}/{rule.key}"
            policy = gcp.monitoring.AlertPolicy(
                f"{name}-{rule.key}",
                display_name=display,
                combiner="OR",
                severity=rule.severity,
                conditions=[gcp.monitoring.AlertPolicyConditionArgs(
                    display_name=f"{args.instance_id} {rule.title} above {rule.threshold:g}",
                    condition_threshold=gcp.monitoring.AlertPolicyConditionConditionThresholdArgs(
                        filter=instance_filter(resource_type, rule.metric, args.instance_id),
                        comparison="COMPARISON_GT",
                        threshold_value=rule.threshold,
                        duration=rule.duration,
                        aggregations=[
                            gcp.monitoring.AlertPolicyConditionConditionThresholdAggregationArgs(
                                alignment_period=ALIGNMENT_PERIOD,
                                per_series_aligner=rule.aligner,
                                cross_series_reducer=rule.reducer,
                                group_by_fields=list(rule.group_by) or None,
                            ),
                        ],
                    ),
                )],
                notification_channels=channels,
                documentation=gcp.monitoring.AlertPolicyDocumentationArgs(
                    subject=f"{args.instance_id}: {rule.title} above {rule.threshold:g}",
                    content=f"Memorystore instance `{args.instance_id}` ({args.engine}): "
                            f"{rule.title} ({rule.metric}) stayed above {rule.threshold:g}. "
                            "Thresholds come from the cache's `alarms:` settings.",
                    mime_type="text/markdown",
                ),
                user_labels={"cache_instance": args.instance_id, "managed_by": "managed-cache"},
                opts=pulumi.ResourceOptions(parent=self, depends_on=needs(args.apis, MONITORING)),
            )
            self.policy_names[rule.key] = policy.name
        self.register_outputs({"policy_names": self.policy_names})
