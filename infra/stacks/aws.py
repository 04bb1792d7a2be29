"""Composes the AWS components from a validated AwsStackSpec. Returns the stack's exports.

This module builds the networks and each cache (replication group, Global Datastore, Memcached
cluster, serverless cache); aws_monitoring.py their topics, alarms and dashboard, and
aws_endpoints.py how clients reach them (exports, connection secrets, private DNS).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, TypedDict

import pulumi

from components.aws.autoscaling import ScaledDimensionArgs
from components.aws.dns import CnameRecord
from components.aws.global_datastore import (
    ElastiCacheGlobalDatastore,
    GlobalDatastoreArgs,
    SecondaryRegionArgs,
)
from components.aws.kms import LogEncryptionKey, LogKeyArgs
from components.aws.memcached import ElastiCacheMemcachedCluster, MemcachedClusterArgs
from components.aws.network import CacheNetwork, CacheNetworkArgs, flow_log_group_name
from components.aws.notifications import AlarmTopic, CacheEventTopic
from components.aws.replication_group import (
    LOG_TYPES,
    ElastiCacheReplicationGroup,
    ReplicationGroupArgs,
    log_group_name,
)
from components.aws.serverless import ElastiCacheServerlessCache, ServerlessCacheArgs
from components.aws.users import CacheUserArgs
from infra import naming, providers
from infra.catalog.aws import PROFILES
from infra.config.access import UserSpec
from infra.config.spec import (
    AwsStackSpec,
    CacheSpec,
    NetworkSpec,
    ScalingRange,
    ServerlessCacheSpec,
)
from infra.stacks import aws_endpoints as endpoints
from infra.stacks import aws_monitoring as monitoring


@dataclass
class _Stack:
    """What every cache is built with (per region), and what building them collects."""

    spec: AwsStackSpec
    aws_by_region: dict[str, pulumi.ProviderResource]
    networks: dict[str, CacheNetwork]
    alarm_topics: dict[str, AlarmTopic]
    event_topics: dict[str, CacheEventTopic]
    log_keys: dict[str, LogEncryptionKey]
    in_primary: pulumi.ResourceOptions
    secrets: dict[str, Any] = field(default_factory=dict)      # AUTH tokens, by cache
    passwords: dict[str, Any] = field(default_factory=dict)    # RBAC users' passwords, by cache
    records: dict[str, list[CnameRecord]] = field(default_factory=dict)  # by region, network.dns

    def log_key_arn(self, region: str) -> pulumi.Output[str] | None:
        return self.log_keys[region].arn if region in self.log_keys else None


def build(spec: AwsStackSpec, project: str) -> dict[str, Any]:
    tags = providers.stack_tags(project, spec.stack, spec.profile)
    random_provider = providers.random_provider()
    aws_by_region = {region: providers.aws_provider(region, tags) for region in spec.regions}
    log_keys = _log_keys(spec, aws_by_region)
    stack = _Stack(
        spec=spec,
        aws_by_region=aws_by_region,
        networks={
            region: _network(spec, region, network, aws_by_region[region], random_provider,
                             log_keys.get(region))
            for region, network in spec.networks.items()
        },
        alarm_topics={region: monitoring.alarm_topic(spec, region, aws_by_region[region])
                      for region in spec.regions},
        event_topics={region: monitoring.event_topic(spec, region, aws_by_region[region])
                      for region in spec.regions},
        log_keys=log_keys,
        in_primary=pulumi.ResourceOptions(providers=[aws_by_region[spec.region],
                                                     random_provider]),
    )

    caches: dict[str, Any] = {}
    for cache in spec.caches:
        if cache.is_memcached:
            caches[cache.name] = _memcached(stack, cache)
        elif cache.global_ is None:
            caches[cache.name] = _replication_group(stack, cache)
        else:
            caches[cache.name] = _global_datastore(stack, cache)
    for serverless in spec.serverless_caches:
        caches[serverless.name] = _serverless(stack, serverless)
    caches = {c.name: caches[c.name] for c in spec.all_caches}   # config order

    zones = endpoints.private_zones(spec, stack.networks, aws_by_region, stack.records)
    dashboard = monitoring.dashboard(spec, aws_by_region[spec.region])
    return {
        "caches": caches,
        # One secret output: `pulumi stack output auth_tokens --show-secrets` reveals it.
        "auth_tokens": pulumi.Output.secret(stack.secrets),
        # RBAC caches: the password of each password user, by cache and user.
        **({"user_passwords": pulumi.Output.secret(stack.passwords)} if stack.passwords else {}),
        "networks": {region: {"vpc_id": n.vpc_id, "security_group_id": n.security_group_id,
                              **({"dns_zone_id": zones[region].zone_id} if zones else {})}
                     for region, n in stack.networks.items()},
        # The first page, and every page: a stack past a dashboard's limits has several.
        "monitoring": {"dashboard_url": dashboard.url, "dashboard_urls": dashboard.urls,
                       "alarm_topics": {region: topic.arn
                                        for region, topic in stack.alarm_topics.items()}},
    }


# ---------------------------------------------------------------------------------------------
# One cache of each kind: its component, alarms, exports, secrets and DNS records
# ---------------------------------------------------------------------------------------------
def _memcached(stack: _Stack, cache: CacheSpec) -> dict[str, Any]:
    spec = stack.spec
    memcached = ElastiCacheMemcachedCluster(
        cache.name, _memcached_args(cache, stack.networks[spec.region], spec.network,
                                    stack.event_topics[spec.region]),
        opts=stack.in_primary)
    monitoring.cache_alarms(cache, spec.region, stack.alarm_topics, stack.aws_by_region,
                            parent=memcached)
    host = memcached.configuration_endpoint.apply(endpoints.host)
    exported = {
        **_summary(cache, spec.region),
        "endpoint": memcached.configuration_endpoint,
        "node_endpoints": memcached.node_endpoints,
        "port": memcached.port,
        **endpoints.dns_export(spec, cache),
    }
    if cache.secret:
        exported["secret"] = endpoints.connection_secret(
            spec, cache, f"{cache.name}-connection", memcached,
            {**endpoints.connection(cache, spec.region, host, None, memcached.port),
             "auth": "none"})
    endpoints.add_records(stack.records, spec, cache, {spec.region: (host, None)})
    return exported


def _replication_group(stack: _Stack, cache: CacheSpec) -> dict[str, Any]:
    spec = stack.spec
    # Aliased to where the primary of a Global Datastore lives (components/aws/global_datastore.py
    # aliases the other way): removing `global:` keeps the group, its token and its alarms. A
    # child's URN names its parents' types, so without it all of them would be created anew
    # under the same names, and refused.
    group = ElastiCacheReplicationGroup(
        cache.name, _primary_group_args(stack, cache),
        opts=pulumi.ResourceOptions.merge(stack.in_primary, pulumi.ResourceOptions(
            aliases=[pulumi.Alias(parent=pulumi.create_urn(
                cache.name, ElastiCacheGlobalDatastore.type_token))])))
    monitoring.cache_alarms(cache, spec.region, stack.alarm_topics, stack.aws_by_region,
                            parent=group)
    exported = {**_summary(cache, spec.region), **endpoints.endpoints(group),
                **endpoints.dns_export(spec, cache)}
    endpoints.add_records(stack.records, spec, cache,
                          {spec.region: (group.endpoint, group.reader_endpoint)})
    if group.users is not None:
        exported["users"] = endpoints.users_export(
            spec, cache, group, group.users, endpoints.group_connection(cache, spec.region, group))
        stack.passwords[cache.name] = group.users.passwords
    else:
        stack.secrets[cache.name] = group.auth_token
        if cache.secret:
            exported["secret"] = endpoints.connection_secret(
                spec, cache, f"{cache.name}-connection", group,
                endpoints.group_connection(cache, spec.region, group, auth="token",
                                           auth_token=group.auth_token))
    return exported


def _global_datastore(stack: _Stack, cache: CacheSpec) -> dict[str, Any]:
    spec = stack.spec
    assert cache.global_ is not None
    secondaries = []
    for region in cache.global_.secondary_regions:
        group_id = naming.secondary_group_id(cache.cache_id, region)
        secondaries.append(SecondaryRegionArgs(
            region=region,
            provider=stack.aws_by_region[region],
            replication_group_id=group_id,
            replicas=cache.global_.secondary_replicas,
            subnet_group_name=stack.networks[region].subnet_group_name,
            security_group_ids=[stack.networks[region].security_group_id],
            notification_topic_arn=stack.event_topics[region].arn,
            final_snapshot_name=naming.final_snapshot_name(group_id),
            log_kms_key_arn=stack.log_key_arn(region),
        ))
    datastore = ElastiCacheGlobalDatastore(
        cache.name,
        GlobalDatastoreArgs(primary=_primary_group_args(stack, cache), secondaries=secondaries),
        opts=stack.in_primary,
    )
    # Under the primary group, as for a lone cache: adding `global:` later adopts the alarms
    # through the primary's alias instead of deleting and recreating them.
    monitoring.cache_alarms(cache, spec.region, stack.alarm_topics, stack.aws_by_region,
                            parent=datastore.primary,
                            depends_on=list(datastore.secondaries.values()))
    exported = {
        **_summary(cache, spec.region),
        **endpoints.endpoints(datastore.primary),
        "global_replication_group_id": datastore.global_replication_group_id,
        # Clients in a secondary region read locally with the primary's AUTH token.
        "secondaries": {region: {"region": region, **endpoints.endpoints(group)}
                        for region, group in datastore.secondaries.items()},
        **endpoints.dns_export(spec, cache),
    }
    members = {spec.region: datastore.primary, **datastore.secondaries}
    if cache.secret:
        # One secret per region, under the same name: an application reads its own
        # region's copy, with the local endpoints and the writer (the primary's endpoint).
        for region, member in members.items():
            export = endpoints.connection_secret(
                spec, cache, f"{cache.name}-connection" if region == spec.region
                else f"{cache.name}-{region}-connection", member,
                endpoints.group_connection(cache, region, member,
                                           writer_host=datastore.primary.endpoint,
                                           auth="token",
                                           auth_token=datastore.primary.auth_token))
            if region == spec.region:
                exported["secret"] = export
            else:
                exported["secondaries"][region]["secret"] = export
    endpoints.add_records(stack.records, spec, cache,
                          {region: (group.endpoint, group.reader_endpoint)
                           for region, group in members.items()},
                          writer=datastore.primary.endpoint)
    stack.secrets[cache.name] = datastore.primary.auth_token
    return exported


def _serverless(stack: _Stack, cache: ServerlessCacheSpec) -> dict[str, Any]:
    spec = stack.spec
    serverless = ElastiCacheServerlessCache(
        cache.name, _serverless_args(cache, stack.networks[spec.region]),
        opts=stack.in_primary)
    monitoring.serverless_alarms(cache, stack.alarm_topics[spec.region], parent=serverless)
    exported = {
        "engine": f"{cache.engine} {cache.engine_version}",
        "region": spec.region, "tls": True, "cache_id": cache.cache_id,
        "serverless": True,
        "endpoint": serverless.endpoint, "port": serverless.port,
        **({"reader_endpoint": serverless.reader_endpoint,
            "reader_port": serverless.reader_port}
           if serverless.reader_endpoint is not None else {}),
        # Serverless Valkey/Redis has no AUTH token: AUTH <user> <password>.
        **({"user": serverless.user_name} if serverless.user_name else {}),
        **endpoints.dns_export(spec, cache),
    }
    endpoints.add_records(stack.records, spec, cache,
                          {spec.region: (serverless.endpoint, serverless.reader_endpoint)})
    connected = endpoints.serverless_connection(cache, spec.region, serverless)
    if cache.users and serverless.users is not None:
        exported["users"] = endpoints.users_export(spec, cache, serverless, serverless.users,
                                                   connected)
        stack.passwords[cache.name] = serverless.users.passwords
        return exported
    if serverless.password is not None:
        stack.secrets[cache.name] = serverless.password
        connected.update(auth="rbac", username=serverless.user_name,
                         password=serverless.password)
    else:
        connected["auth"] = "none"              # serverless Memcached authenticates no one
    if cache.secret:
        exported["secret"] = endpoints.connection_secret(
            spec, cache, f"{cache.name}-connection", serverless, connected)
    return exported


def _summary(cache: CacheSpec, region: str) -> dict[str, Any]:
    auth = "none" if cache.is_memcached else "rbac" if cache.users else "token"
    return {"engine": f"{cache.engine} {cache.engine_version}", "region": region, "tls": True,
            "cache_id": cache.cache_id, "auth": auth}


# ---------------------------------------------------------------------------------------------
# Networks and log encryption keys, per region
# ---------------------------------------------------------------------------------------------
def _network(spec: AwsStackSpec, region: str, network: NetworkSpec,
             aws_provider: pulumi.ProviderResource, random_provider: pulumi.ProviderResource,
             log_key: LogEncryptionKey | None) -> CacheNetwork:
    ports = {port for cache in spec.all_caches_in(region) for port in cache.ports}
    profile = PROFILES[spec.profile]
    return CacheNetwork(
        f"{spec.name_prefix}-{region}",
        CacheNetworkArgs(
            name_prefix=spec.name_prefix,
            ports=sorted(ports),
            allowed_cidrs=network.allowed_cidrs,
            allowed_security_group_ids=network.allowed_security_group_ids,
            vpc_cidr=network.vpc_cidr,
            availability_zones=network.availability_zones,
            vpc_id=network.vpc_id,
            subnet_ids=network.subnet_ids,
            flow_logs=profile.flow_logs,
            flow_log_retention_days=profile.flow_log_retention_days,
            log_kms_key_arn=log_key.arn if log_key is not None else None,
        ),
        opts=pulumi.ResourceOptions(providers=[aws_provider, random_provider]),
    )


def _log_groups(spec: AwsStackSpec) -> dict[str, list[str]]:
    """Per region, the CloudWatch log groups the stack creates there."""
    groups: dict[str, list[str]] = {}
    profile = PROFILES[spec.profile]
    for region, network in spec.networks.items():
        if profile.flow_logs and network.vpc_cidr is not None:
            groups.setdefault(region, []).append(flow_log_group_name(spec.name_prefix))
    for cache in spec.caches:
        if cache.is_memcached:
            continue
        members = {spec.region: cache.cache_id}
        if cache.global_ is not None:
            members.update({region: naming.secondary_group_id(cache.cache_id, region)
                            for region in cache.global_.secondary_regions})
        for region, group_id in members.items():
            groups.setdefault(region, []).extend(log_group_name(group_id, log_type)
                                                 for log_type in LOG_TYPES)
    return groups


def _log_keys(spec: AwsStackSpec, aws_by_region: dict[str, pulumi.ProviderResource]
              ) -> dict[str, LogEncryptionKey]:
    """The production profile's customer-managed key per region with log groups."""
    if not PROFILES[spec.profile].log_kms_key:
        return {}
    return {
        region: LogEncryptionKey(
            f"{spec.name_prefix}-{region}-logs",
            # A "/" no cache id can hold: a cache named `logs` has the alias
            # alias/managed-cache/<prefix>-logs (components/aws/kms.py), and a second
            # CreateAlias of a name fails.
            LogKeyArgs(alias=f"alias/managed-cache/{spec.name_prefix}/logs",
                       log_group_names=names,
                       description=f"managed-cache {spec.name_prefix}: encryption of the "
                                   f"CloudWatch log groups in {region}"),
            opts=pulumi.ResourceOptions(providers=[aws_by_region[region]]),
        )
        for region, names in _log_groups(spec).items()
    }


# ---------------------------------------------------------------------------------------------
# Component arguments from the spec
# ---------------------------------------------------------------------------------------------
class _NodeArgs(TypedDict):
    """What a replication group and a Memcached cluster take alike from a node-based cache."""

    engine_version: str
    node_type: str
    port: int
    parameter_group_name: str
    parameter_group_family: str
    parameters: dict[str, str]
    subnet_group_name: pulumi.Input[str]
    security_group_ids: list[pulumi.Input[str]]
    maintenance_window: str
    apply_immediately: bool
    deletion_protection: bool
    notification_topic_arn: pulumi.Input[str] | None
    tags: dict[str, str]
    import_id: str | None


def _node_args(cache: CacheSpec, network: CacheNetwork,
               events: CacheEventTopic) -> _NodeArgs:
    """The node type, engine parameters, placement (the cache's own subnet group or the
    network's), maintenance, protection and event topic of a node-based cache."""
    return _NodeArgs(
        engine_version=cache.engine_version,
        node_type=cache.node_type.name,
        port=cache.port,
        parameter_group_name=naming.parameter_group_name(cache.cache_id, cache.family),
        parameter_group_family=cache.family,
        parameters=cache.parameters,
        subnet_group_name=cache.subnet_group_name or network.subnet_group_name,
        security_group_ids=[network.security_group_id],
        maintenance_window=cache.maintenance_window,
        apply_immediately=cache.apply_immediately,
        deletion_protection=cache.deletion_protection,
        notification_topic_arn=events.arn,
        tags={"Cache": cache.name},
        import_id=cache.import_id,
    )


class _DataArgs(TypedDict):
    """What a replication group and a serverless cache take alike from their spec: the engine,
    the data's key, the snapshots kept and restored from, and the RBAC users."""

    description: str
    engine: str
    create_kms_key: bool
    kms_key_arn: str | None
    snapshot_retention_days: int
    snapshot_arns: tuple[str, ...]
    users: list[CacheUserArgs]


def _data_args(cache: CacheSpec | ServerlessCacheSpec) -> _DataArgs:
    return _DataArgs(description=cache.description, engine=cache.engine,
                     create_kms_key=cache.create_kms_key, kms_key_arn=cache.kms_key_arn,
                     snapshot_retention_days=cache.snapshot_retention_days,
                     snapshot_arns=cache.restore.snapshot_arns if cache.restore else (),
                     users=_user_args(cache.users))


def _primary_group_args(stack: _Stack, cache: CacheSpec) -> ReplicationGroupArgs:
    """The replication group in the primary region (alone, or a Global Datastore's primary)."""
    region = stack.spec.region
    return ReplicationGroupArgs(
        **_node_args(cache, stack.networks[region], stack.event_topics[region]),
        **_data_args(cache),
        replication_group_id=cache.cache_id,
        shards=cache.shards,
        replicas=cache.replicas,
        cluster_mode=cache.cluster_mode,
        snapshot_window=cache.snapshot_window,
        final_snapshot_name=naming.final_snapshot_name(cache.cache_id)
        if cache.final_snapshot else None,
        log_retention_days=cache.log_retention_days,
        log_kms_key_arn=stack.log_key_arn(region),
        auto_minor_version_upgrade=cache.auto_minor_version_upgrade,
        tls_mode=cache.transit_encryption_mode,
        data_tiering=cache.node_type.data_tiering,
        snapshot_name=cache.restore.snapshot_name if cache.restore else None,
        autoscaling=_scaled_dimensions(cache),
    )


def _memcached_args(cache: CacheSpec, network: CacheNetwork, network_spec: NetworkSpec,
                    events: CacheEventTopic) -> MemcachedClusterArgs:
    return MemcachedClusterArgs(**_node_args(cache, network, events), cluster_id=cache.cache_id,
                                nodes=cache.nodes,
                                availability_zones=_zones(cache, network_spec))


def _zones(cache: CacheSpec, network: NetworkSpec) -> int | None:
    """The zones a node-based cache's subnet group spans: one subnet per zone in a new VPC, at
    most one zone per subnet of an existing one; None for an existing subnet group."""
    if cache.subnet_group_name is not None:
        return None
    return network.availability_zones if network.vpc_cidr is not None \
        else len(network.subnet_ids)


def _scaled_dimensions(cache: CacheSpec) -> list[ScaledDimensionArgs]:
    if cache.autoscaling is None:
        return []
    dimensions = []
    if cache.autoscaling.replicas is not None:
        dimensions.append(_scaled("replicas", cache.autoscaling.replicas))
    if cache.autoscaling.shards is not None:
        dimensions.append(_scaled("shards", cache.autoscaling.shards))
    return dimensions


def _scaled(dimension: Literal["replicas", "shards"],
            scaling: ScalingRange) -> ScaledDimensionArgs:
    return ScaledDimensionArgs(dimension=dimension, min_capacity=scaling.min,
                               max_capacity=scaling.max, target_value=scaling.target_percent,
                               predefined_metric=scaling.metric)


def _serverless_args(cache: ServerlessCacheSpec, network: CacheNetwork) -> ServerlessCacheArgs:
    return ServerlessCacheArgs(
        **_data_args(cache),
        name=cache.cache_id,
        major_engine_version=cache.major_engine_version,
        subnet_ids=network.subnet_ids,
        security_group_ids=[network.security_group_id],
        max_data_gb=cache.max_data_gb,
        max_ecpu_per_second=cache.max_ecpu_per_second,
        daily_snapshot_time=cache.daily_snapshot_time,
        deletion_protection=cache.deletion_protection,
        user_group=cache.user_group,
        tags={"Cache": cache.name},
    )


def _user_args(users: tuple[UserSpec, ...]) -> list[CacheUserArgs]:
    return [CacheUserArgs(name=u.name, user_id=u.user_id, user_name=u.user_name,
                          access=u.access, iam=u.iam) for u in users]
