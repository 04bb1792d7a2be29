"""Monitoring of the AWS stack's caches: the alarm and event topics of each region, every
cache's CloudWatch alarms (per node, in every region it has nodes in) and the dashboard.
infra/stacks/aws.py calls these for each cache it builds."""

from __future__ import annotations

import pulumi

from components.aws.alarms import (
    CacheNode,
    CloudWatchCacheAlarms,
    CloudWatchCacheAlarmsArgs,
    GroupAlarmArgs,
    SecondaryRegionAlarmArgs,
    ServerlessAlarmArgs,
)
from components.aws.dashboard import CacheDashboard, CacheDashboardArgs, DashboardCache
from components.aws.notifications import (
    AlarmTopic,
    AlarmTopicArgs,
    CacheEventTopic,
    EventTopicArgs,
)
from infra import naming
from infra.catalog import aws as catalog
from infra.config.spec import AwsStackSpec, CacheSpec, ServerlessCacheSpec


def event_topic(spec: AwsStackSpec, region: str,
                aws_provider: pulumi.ProviderResource) -> CacheEventTopic:
    """ElastiCache's own events go to a topic of their own: it cannot publish to an encrypted
    one."""
    return CacheEventTopic(
        f"{spec.name_prefix}-{region}-events",
        EventTopicArgs(topic_name=f"managed-cache-{spec.name_prefix}-events",
                       emails=spec.alert_emails),
        opts=pulumi.ResourceOptions(providers=[aws_provider]),
    )


def alarm_topic(spec: AwsStackSpec, region: str,
                aws_provider: pulumi.ProviderResource) -> AlarmTopic:
    # Alarm actions must name a topic in the alarm's region: one topic per region with caches.
    return AlarmTopic(
        f"{spec.name_prefix}-{region}-alarms",
        AlarmTopicArgs(topic_name=f"managed-cache-{spec.name_prefix}-alarms",
                       emails=spec.alert_emails,
                       # CloudWatch can publish only with a customer-managed key: pay for one
                       # where some alarm pages.
                       customer_managed_key=any(c.alarms.notify
                                                for c in spec.all_caches_in(region))),
        opts=pulumi.ResourceOptions(providers=[aws_provider]),
    )


def _alarm_nodes(cache: CacheSpec) -> list[CacheNode]:
    """The cache's nodes in the primary region, as CloudWatch names them."""
    if cache.is_memcached:
        return [CacheNode(cache.cache_id, node_id=node_id)
                for node_id in naming.memcached_node_ids(cache.nodes)]
    # member_ids lists each shard's nodes primary first: every (replicas + 1)th is a primary.
    per_shard = cache.replicas + 1
    return [CacheNode(member, replica=index % per_shard != 0)
            for index, member in enumerate(cache.member_ids)]


def _secondary_nodes(cache: CacheSpec) -> dict[str, list[CacheNode]]:
    """Per secondary region, the secondary group's nodes as CloudWatch names them."""
    if cache.global_ is None:
        return {}
    replicas = cache.global_.secondary_replicas
    return {
        region: [CacheNode(member, replica=index % (replicas + 1) != 0)
                 for index, member in enumerate(naming.member_cluster_ids(
                     naming.secondary_group_id(cache.cache_id, region), cache.shards, replicas,
                     cache.cluster_mode))]
        for region in cache.global_.secondary_regions
    }


def _group_alarms(cache: CacheSpec) -> GroupAlarmArgs | None:
    """Group-level alarms for a cache whose node count the scaler changes."""
    if cache.autoscaling is None:
        return None
    replicas = cache.autoscaling.replicas
    return GroupAlarmArgs(
        replication_group_id=cache.cache_id,
        replicas=cache.replicas >= 1 or (replicas is not None and replicas.max >= 1),
        data_tiering=cache.node_type.data_tiering,
    )


def cache_alarms(cache: CacheSpec, primary_region: str, topics: dict[str, AlarmTopic],
                 aws_by_region: dict[str, pulumi.ProviderResource], parent: pulumi.Resource,
                 depends_on: list[pulumi.Resource] | None = None) -> CloudWatchCacheAlarms:
    """The alarms on every node of a node-based cache, in each region it has nodes in."""
    return CloudWatchCacheAlarms(
        f"{cache.name}-alarms",
        CloudWatchCacheAlarmsArgs(
            cache_id=cache.cache_id,
            engine=cache.engine,
            vcpus=cache.node_type.vcpus,
            nodes=_alarm_nodes(cache),
            policy=cache.alarms,
            data_tiering=cache.node_type.data_tiering,
            topic_arn=topics[primary_region].arn,
            actions_enabled=cache.alarms.notify,
            secondaries=[
                SecondaryRegionAlarmArgs(region=region, provider=aws_by_region[region],
                                         nodes=nodes, topic_arn=topics[region].arn)
                for region, nodes in _secondary_nodes(cache).items()
            ],
            group=_group_alarms(cache),
            tags={"Cache": cache.name},
        ),
        opts=pulumi.ResourceOptions(parent=parent, depends_on=depends_on),
    )


def _serverless_limits(cache: ServerlessCacheSpec) -> ServerlessAlarmArgs:
    return ServerlessAlarmArgs(max_data_gb=cache.max_data_gb,
                               max_ecpu_per_second=cache.max_ecpu_per_second,
                               limit_alarm_percent=catalog.SERVERLESS_LIMIT_ALARM_PERCENT)


def serverless_alarms(cache: ServerlessCacheSpec, topic: AlarmTopic,
                      parent: pulumi.Resource) -> CloudWatchCacheAlarms:
    """Per-cache alarms: a serverless cache has no nodes."""
    return CloudWatchCacheAlarms(
        f"{cache.name}-alarms",
        CloudWatchCacheAlarmsArgs(
            cache_id=cache.cache_id, engine=cache.engine, vcpus=0, nodes=[],
            policy=cache.alarms, topic_arn=topic.arn, actions_enabled=cache.alarms.notify,
            serverless=_serverless_limits(cache), tags={"Cache": cache.name}),
        opts=pulumi.ResourceOptions(parent=parent),
    )


def _dashboard_cache(spec: AwsStackSpec,
                     cache: CacheSpec | ServerlessCacheSpec) -> DashboardCache:
    if isinstance(cache, ServerlessCacheSpec):
        return DashboardCache(name=cache.name, cache_id=cache.cache_id, engine=cache.engine,
                              region=spec.region, vcpus=0, nodes=[], policy=cache.alarms,
                              serverless=_serverless_limits(cache))
    return DashboardCache(name=cache.name, cache_id=cache.cache_id, engine=cache.engine,
                          region=spec.region, vcpus=cache.node_type.vcpus,
                          nodes=_alarm_nodes(cache), policy=cache.alarms,
                          data_tiering=cache.node_type.data_tiering,
                          secondary_nodes=_secondary_nodes(cache), group=_group_alarms(cache))


def dashboard(spec: AwsStackSpec, aws_provider: pulumi.ProviderResource) -> CacheDashboard:
    return CacheDashboard(
        f"{spec.name_prefix}-dashboard",
        CacheDashboardArgs(
            # Dashboards are account-wide, not regional (PutDashboard: "All dashboards in your
            # account are global"), and PutDashboard overwrites a dashboard of the same name:
            # the region keeps same-prefix stacks in other regions from taking turns on one.
            dashboard_name=f"managed-cache-{spec.name_prefix}-{spec.region}",
            region=spec.region,
            caches=[_dashboard_cache(spec, cache) for cache in spec.all_caches],
        ),
        opts=pulumi.ResourceOptions(providers=[aws_provider]),
    )
