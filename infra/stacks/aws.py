"""Composes the AWS components from a validated AwsStackSpec. Returns the stack's exports."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Literal

import pulumi

from components.aws.alarms import (
    CacheNode,
    CloudWatchCacheAlarms,
    CloudWatchCacheAlarmsArgs,
    GroupAlarmArgs,
    SecondaryRegionAlarmArgs,
    ServerlessAlarmArgs,
)
from components.aws.autoscaling import ScaledDimensionArgs
from components.aws.connection_secret import ConnectionSecret, ConnectionSecretArgs
from components.aws.dashboard import CacheDashboard, CacheDashboardArgs, DashboardCache
from components.aws.dns import CnameRecord, PrivateZoneArgs, Route53PrivateZone
from components.aws.global_datastore import (
    ElastiCacheGlobalDatastore,
    GlobalDatastoreArgs,
    SecondaryRegionArgs,
)
from components.aws.kms import LogEncryptionKey, LogKeyArgs
from components.aws.memcached import ElastiCacheMemcachedCluster, MemcachedClusterArgs
from components.aws.network import CacheNetwork, CacheNetworkArgs, flow_log_group_name
from components.aws.notifications import (
    AlarmTopic,
    AlarmTopicArgs,
    CacheEventTopic,
    EventTopicArgs,
)
from components.aws.replication_group import (
    LOG_TYPES,
    ElastiCacheReplicationGroup,
    ReplicationGroupArgs,
    log_group_name,
)
from components.aws.serverless import ElastiCacheServerlessCache, ServerlessCacheArgs
from components.aws.users import CacheUserArgs
from infra import naming, providers
from infra.catalog import aws as catalog
from infra.catalog.aws import PROFILES
from infra.config.access import UserSpec
from infra.config.dns import cache_dns_names
from infra.config.spec import (
    AwsStackSpec,
    CacheSpec,
    NetworkSpec,
    ScalingRange,
    ServerlessCacheSpec,
)


def build(spec: AwsStackSpec, project: str) -> dict[str, Any]:
    tags = providers.stack_tags(project, spec.stack, spec.profile)
    random_provider = providers.random_provider()
    aws_by_region = {region: providers.aws_provider(region, tags) for region in spec.regions}
    log_keys = _log_keys(spec, aws_by_region)
    networks = {
        region: _network(spec, region, network, aws_by_region[region], random_provider,
                         log_keys.get(region))
        for region, network in [(spec.region, spec.network), *spec.secondary_networks.items()]
    }
    in_primary = pulumi.ResourceOptions(providers=[aws_by_region[spec.region], random_provider])
    primary_network = networks[spec.region]
    topics = {region: _alarm_topic(spec, region, aws_by_region[region])
              for region in spec.regions}
    # ElastiCache's own events go to a topic of their own: it cannot publish to an encrypted one.
    events = {region: _event_topic(spec, region, aws_by_region[region])
              for region in spec.regions}

    caches: dict[str, Any] = {}
    secrets: dict[str, Any] = {}
    passwords: dict[str, Any] = {}                 # RBAC users' passwords, by cache
    records: dict[str, list[CnameRecord]] = {}     # by region, for network.dns
    for cache in spec.caches:
        if cache.is_memcached:
            memcached = ElastiCacheMemcachedCluster(
                cache.name, replace(_memcached_args(cache, primary_network),
                                    notification_topic_arn=events[spec.region].arn),
                opts=in_primary)
            _alarms(cache, spec.region, topics, aws_by_region, parent=memcached)
            host = memcached.configuration_endpoint.apply(_host)
            caches[cache.name] = {
                **_summary(cache, spec.region),
                "endpoint": memcached.configuration_endpoint,
                "node_endpoints": memcached.node_endpoints,
                "port": memcached.port,
                **_dns_export(spec, cache),
            }
            if cache.secret:
                caches[cache.name]["secret"] = _secret_export(_connection_secret(
                    spec, cache, f"{cache.name}-connection", memcached,
                    {**_connection(cache, spec.region, host, None, memcached.port),
                     "auth": "none"}))
            _add_records(records, spec, cache, {spec.region: (host, None)})
            continue
        group_args = replace(_replication_group_args(cache, primary_network),
                             notification_topic_arn=events[spec.region].arn,
                             log_kms_key_arn=_key_arn(log_keys, spec.region))
        if cache.global_ is None:
            group = ElastiCacheReplicationGroup(cache.name, group_args, opts=in_primary)
            _alarms(cache, spec.region, topics, aws_by_region, parent=group)
            caches[cache.name] = {**_summary(cache, spec.region), **_endpoints(group),
                                  **_dns_export(spec, cache)}
            _add_records(records, spec, cache, {spec.region: (group.endpoint,
                                                              group.reader_endpoint)})
            if group.users is not None:
                caches[cache.name]["users"] = _users_export(spec, cache, group)
                passwords[cache.name] = group.users.passwords
            else:
                secrets[cache.name] = group.auth_token
                if cache.secret:
                    caches[cache.name]["secret"] = _secret_export(_connection_secret(
                        spec, cache, f"{cache.name}-connection", group,
                        {**_connection(cache, spec.region, group.endpoint,
                                       group.reader_endpoint, group.port),
                         "auth": "token", "auth_token": group.auth_token}))
            continue
        datastore = ElastiCacheGlobalDatastore(
            cache.name,
            GlobalDatastoreArgs(
                primary=group_args,
                secondaries=[
                    SecondaryRegionArgs(
                        region=region,
                        provider=aws_by_region[region],
                        replication_group_id=naming.secondary_group_id(cache.cache_id, region),
                        replicas=cache.global_.secondary_replicas,
                        subnet_group_name=networks[region].subnet_group_name,
                        security_group_ids=[networks[region].security_group_id],
                        notification_topic_arn=events[region].arn,
                        final_snapshot_name=naming.final_snapshot_name(
                            naming.secondary_group_id(cache.cache_id, region)),
                        log_kms_key_arn=_key_arn(log_keys, region),
                    )
                    for region in cache.global_.secondary_regions
                ],
            ),
            opts=in_primary,
        )
        # Under the primary group, as for a lone cache: adding `global:` later adopts the alarms
        # through the primary's alias instead of deleting and recreating them.
        _alarms(cache, spec.region, topics, aws_by_region, parent=datastore.primary,
                depends_on=list(datastore.secondaries.values()))
        caches[cache.name] = {
            **_summary(cache, spec.region),
            **_endpoints(datastore.primary),
            "global_replication_group_id": datastore.global_replication_group_id,
            # Clients in a secondary region read locally with the primary's AUTH token.
            "secondaries": {region: {"region": region, **_endpoints(group)}
                            for region, group in datastore.secondaries.items()},
            **_dns_export(spec, cache),
        }
        if cache.secret:
            # One secret per region, under the same name: an application reads its own
            # region's copy, with the local endpoints and the writer (the primary's endpoint).
            members = {spec.region: datastore.primary, **datastore.secondaries}
            for region, member in members.items():
                export = _secret_export(_connection_secret(
                    spec, cache, f"{cache.name}-connection" if region == spec.region
                    else f"{cache.name}-{region}-connection", member,
                    {**_connection(cache, region, member.endpoint, member.reader_endpoint,
                                   member.port),
                     "writer_host": datastore.primary.endpoint,
                     "auth": "token", "auth_token": datastore.primary.auth_token}))
                if region == spec.region:
                    caches[cache.name]["secret"] = export
                else:
                    caches[cache.name]["secondaries"][region]["secret"] = export
        members = {spec.region: datastore.primary, **datastore.secondaries}
        _add_records(records, spec, cache,
                     {region: (group.endpoint, group.reader_endpoint)
                      for region, group in members.items()},
                     writer=datastore.primary.endpoint)
        secrets[cache.name] = datastore.primary.auth_token

    for serverless in spec.serverless_caches:
        cache_out = ElastiCacheServerlessCache(
            serverless.name, _serverless_args(serverless, primary_network), opts=in_primary)
        _serverless_alarms(serverless, topics[spec.region], parent=cache_out)
        caches[serverless.name] = {
            "engine": f"{serverless.engine} {serverless.engine_version}",
            "region": spec.region, "tls": True, "cache_id": serverless.cache_id,
            "serverless": True,
            "endpoint": cache_out.endpoint, "port": cache_out.port,
            **({"reader_endpoint": cache_out.reader_endpoint,
                "reader_port": cache_out.reader_port}
               if cache_out.reader_endpoint is not None else {}),
            # Serverless Valkey/Redis has no AUTH token: AUTH <user> <password>.
            **({"user": cache_out.user_name} if cache_out.user_name else {}),
            **_dns_export(spec, serverless),
        }
        _add_records(records, spec, serverless,
                     {spec.region: (cache_out.endpoint, cache_out.reader_endpoint)})
        if cache_out.password is not None:
            secrets[serverless.name] = cache_out.password
        if serverless.users and cache_out.users is not None:
            caches[serverless.name]["users"] = _user_entries(
                serverless.users, cache_out.arn, cache_out.users.user_arns)
            passwords[serverless.name] = cache_out.users.passwords
    caches = {c.name: caches[c.name] for c in spec.all_caches}   # config order

    zones = _private_zones(spec, networks, aws_by_region, records)
    dashboard = _dashboard(spec, aws_by_region[spec.region])
    return {
        "caches": caches,
        # One secret output: `pulumi stack output auth_tokens --show-secrets` reveals it.
        "auth_tokens": pulumi.Output.secret(secrets),
        # RBAC caches: the password of each password user, by cache and user.
        **({"user_passwords": pulumi.Output.secret(passwords)} if passwords else {}),
        "networks": {region: {"vpc_id": n.vpc_id, "security_group_id": n.security_group_id,
                              **({"dns_zone_id": zones[region].zone_id} if zones else {})}
                     for region, n in networks.items()},
        "monitoring": {"dashboard_url": dashboard.url,
                       "alarm_topics": {region: topic.arn for region, topic in topics.items()}},
    }


def _network(spec: AwsStackSpec, region: str, network: NetworkSpec,
             aws_provider: pulumi.ProviderResource, random_provider: pulumi.ProviderResource,
             log_key: LogEncryptionKey | None) -> CacheNetwork:
    ports = {cache.port for cache in spec.caches_in(region)}
    if region == spec.region:
        ports |= {port for cache in spec.serverless_caches for port in cache.ports}
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
    for region, network in [(spec.region, spec.network), *spec.secondary_networks.items()]:
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
            LogKeyArgs(alias=f"alias/managed-cache/{spec.name_prefix}-logs",
                       log_group_names=names,
                       description=f"managed-cache {spec.name_prefix}: encryption of the "
                                   f"CloudWatch log groups in {region}"),
            opts=pulumi.ResourceOptions(providers=[aws_by_region[region]]),
        )
        for region, names in _log_groups(spec).items()
    }


def _key_arn(log_keys: dict[str, LogEncryptionKey], region: str) -> pulumi.Output[str] | None:
    return log_keys[region].arn if region in log_keys else None


def _summary(cache: CacheSpec, region: str) -> dict[str, Any]:
    auth = "none" if cache.is_memcached else "rbac" if cache.users else "token"
    return {"engine": f"{cache.engine} {cache.engine_version}", "region": region, "tls": True,
            "cache_id": cache.cache_id, "auth": auth}


# ---------------------------------------------------------------------------------------------
# RBAC users and connection secrets
# ---------------------------------------------------------------------------------------------
IAM_CONNECT_ACTION = "elasticache:Connect"


def _connection(cache: CacheSpec, region: str, host: pulumi.Input[str],
                reader: pulumi.Input[str] | None, port: pulumi.Input[int]) -> dict[str, Any]:
    """What every connection secret holds, before the credential."""
    out: dict[str, Any] = {"engine": cache.engine, "host": host, "port": port, "tls": True,
                           "region": region, "cache_id": cache.cache_id,
                           "cluster_mode": cache.cluster_mode}
    if reader is not None:
        out["reader_host"] = reader
    return out


def _connection_secret(spec: AwsStackSpec, cache: CacheSpec, name: str, parent: Any,
                       payload: dict[str, Any], user: str | None = None) -> ConnectionSecret:
    """A secret in the parent's region (the parent's provider), encrypted with the cache's
    customer-managed key there when it has one."""
    kms = getattr(parent, "kms_key_arn", None)
    return ConnectionSecret(
        name,
        ConnectionSecretArgs(
            secret_name=naming.connection_secret_name(spec.name_prefix, cache.name, user),
            description=f"managed-cache {spec.name_prefix}/{cache.name}: connection details"
            + (f" for user {user}" if user else ""),
            payload=payload,
            kms_key_id=kms,
            recovery_window_days=30 if spec.profile == "production" else 0,
            tags={"Cache": cache.name},
        ),
        opts=pulumi.ResourceOptions(parent=parent),
    )


def _secret_export(secret: ConnectionSecret) -> dict[str, Any]:
    return {"name": secret.name, "arn": secret.arn}


def _user_entries(users: tuple[UserSpec, ...], cache_arn: pulumi.Output[str],
                  user_arns: dict[str, pulumi.Output[str]]) -> dict[str, Any]:
    """Per user: the name clients send, how it authenticates, and for IAM users what a client
    role must be allowed (elasticache:Connect on the cache and the user)."""
    return {user.name: {"username": user.user_name, "user_id": user.user_id,
                        "auth": "iam" if user.iam else "password",
                        **({"iam": {"action": IAM_CONNECT_ACTION,
                                    "resources": [cache_arn, user_arns[user.name]]}}
                           if user.iam else {})}
            for user in users}


def _users_export(spec: AwsStackSpec, cache: CacheSpec,
                  group: ElastiCacheReplicationGroup) -> dict[str, Any]:
    """A replication group's users (`_user_entries`), each with its connection secret."""
    assert group.users is not None
    out = _user_entries(cache.users, group.arn, group.users.user_arns)
    for user in cache.users:
        entry = out[user.name]
        payload = {**_connection(cache, spec.region, group.endpoint, group.reader_endpoint,
                                 group.port), "username": user.user_name}
        if user.iam:
            payload.update(auth="iam", iam=entry["iam"])
        else:
            payload.update(auth="rbac", password=group.users.passwords[user.name])
        if cache.secret:
            entry["secret"] = _secret_export(_connection_secret(
                spec, cache, f"{cache.name}-{user.name}-connection", group, payload,
                user=user.name))
    return out


def _endpoints(group: ElastiCacheReplicationGroup) -> dict[str, Any]:
    return {"endpoint": group.endpoint, "reader_endpoint": group.reader_endpoint,
            "port": group.port}


def _replication_group_args(cache: CacheSpec, network: CacheNetwork) -> ReplicationGroupArgs:
    return ReplicationGroupArgs(
        replication_group_id=cache.cache_id,
        description=cache.description,
        engine=cache.engine,
        engine_version=cache.engine_version,
        node_type=cache.node_type.name,
        shards=cache.shards,
        replicas=cache.replicas,
        cluster_mode=cache.cluster_mode,
        port=cache.port,
        parameter_group_name=naming.parameter_group_name(cache.cache_id, cache.family),
        parameter_group_family=cache.family,
        parameters=cache.parameters,
        subnet_group_name=cache.subnet_group_name or network.subnet_group_name,
        security_group_ids=[network.security_group_id],
        create_kms_key=cache.create_kms_key,
        kms_key_arn=cache.kms_key_arn,
        maintenance_window=cache.maintenance_window,
        snapshot_window=cache.snapshot_window,
        snapshot_retention_days=cache.snapshot_retention_days,
        final_snapshot_name=naming.final_snapshot_name(cache.cache_id)
        if cache.final_snapshot else None,
        deletion_protection=cache.deletion_protection,
        log_retention_days=cache.log_retention_days,
        apply_immediately=cache.apply_immediately,
        auto_minor_version_upgrade=cache.auto_minor_version_upgrade,
        data_tiering=cache.node_type.data_tiering,
        tags={"Cache": cache.name},
        users=_user_args(cache.users),
        snapshot_name=cache.restore.snapshot_name if cache.restore else None,
        snapshot_arns=cache.restore.snapshot_arns if cache.restore else (),
        import_id=cache.import_id,
        autoscaling=_scaled_dimensions(cache),
    )


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


def _group_alarms(cache: CacheSpec) -> GroupAlarmArgs | None:
    """Group-level alarms for a cache whose node count the scaler changes."""
    if cache.autoscaling is None:
        return None
    replicas = cache.autoscaling.replicas
    return GroupAlarmArgs(
        replication_group_id=cache.cache_id,
        replicas=cache.replicas >= 1 or (replicas is not None and replicas.max >= 1),
        replicas_may_be_zero=replicas is not None and replicas.min == 0,
        data_tiering=cache.node_type.data_tiering,
    )


def _serverless_args(cache: ServerlessCacheSpec, network: CacheNetwork) -> ServerlessCacheArgs:
    return ServerlessCacheArgs(
        name=cache.cache_id,
        description=cache.description,
        engine=cache.engine,
        major_engine_version=cache.major_engine_version,
        subnet_ids=network.subnet_ids,
        security_group_ids=[network.security_group_id],
        max_data_gb=cache.max_data_gb,
        max_ecpu_per_second=cache.max_ecpu_per_second,
        snapshot_retention_days=cache.snapshot_retention_days,
        daily_snapshot_time=cache.daily_snapshot_time,
        create_kms_key=cache.create_kms_key,
        kms_key_arn=cache.kms_key_arn,
        deletion_protection=cache.deletion_protection,
        user_group=cache.user_group,
        users=_user_args(cache.users),
        snapshot_arns=cache.restore.snapshot_arns if cache.restore else (),
        tags={"Cache": cache.name},
    )


def _user_args(users: tuple[UserSpec, ...]) -> list[CacheUserArgs]:
    return [CacheUserArgs(name=u.name, user_id=u.user_id, user_name=u.user_name,
                          access=u.access, iam=u.iam) for u in users]


def _memcached_args(cache: CacheSpec, network: CacheNetwork) -> MemcachedClusterArgs:
    return MemcachedClusterArgs(
        cluster_id=cache.cache_id,
        engine_version=cache.engine_version,
        node_type=cache.node_type.name,
        nodes=cache.nodes,
        port=cache.port,
        parameter_group_name=naming.parameter_group_name(cache.cache_id, cache.family),
        parameter_group_family=cache.family,
        parameters=cache.parameters,
        subnet_group_name=cache.subnet_group_name or network.subnet_group_name,
        security_group_ids=[network.security_group_id],
        maintenance_window=cache.maintenance_window,
        apply_immediately=cache.apply_immediately,
        deletion_protection=cache.deletion_protection,
        tags={"Cache": cache.name},
        import_id=cache.import_id,
    )


# ---------------------------------------------------------------------------------------------
# Private DNS (network.dns)
# ---------------------------------------------------------------------------------------------
def _host(endpoint: str | None) -> str:
    """`host:port` (a Memcached configuration endpoint) -> host: a CNAME names a host."""
    return (endpoint or "").rsplit(":", 1)[0]


def _dns_export(spec: AwsStackSpec, cache: CacheSpec | ServerlessCacheSpec) -> dict[str, Any]:
    """The cache's stable names for the `caches` export; nothing without network.dns."""
    return {"dns": cache_dns_names(cache, spec.dns.zone)} if spec.dns is not None else {}


def _add_records(records: dict[str, list[CnameRecord]], spec: AwsStackSpec,
                 cache: CacheSpec | ServerlessCacheSpec,
                 members: dict[str, tuple[pulumi.Output[str], pulumi.Output[str] | None]],
                 writer: pulumi.Output[str] | None = None) -> None:
    """The cache's CNAMEs in the zone of each region it has a member in.

    `members`: region -> (primary or configuration endpoint, reader endpoint or None).
    `writer`: a Global Datastore's primary endpoint, named `<cache>-writer` in every region of
    the cache; after creation `python -m ops failover` owns it.
    """
    if spec.dns is None:
        return
    names = cache_dns_names(cache, spec.dns.zone)
    for region, (endpoint, reader) in members.items():
        in_region = records.setdefault(region, [])
        in_region.append(CnameRecord(names["endpoint"], endpoint))
        if reader is not None:
            in_region.append(CnameRecord(names["reader_endpoint"], reader))
        if writer is not None:
            in_region.append(CnameRecord(names["writer_endpoint"], writer,
                                         follows_failover=True))


def _private_zones(spec: AwsStackSpec, networks: dict[str, CacheNetwork],
                   aws_by_region: dict[str, pulumi.ProviderResource],
                   records: dict[str, list[CnameRecord]]) -> dict[str, Route53PrivateZone]:
    """A private zone of the same name in every region, associated with that region's VPC."""
    if spec.dns is None:
        return {}
    zones = {}
    for region, network in networks.items():
        network_spec = spec.network if region == spec.region else spec.secondary_networks[region]
        existing = spec.dns.zone_ids.get(region)
        zones[region] = Route53PrivateZone(
            f"{spec.name_prefix}-{region}-dns",
            PrivateZoneArgs(
                zone=spec.dns.zone,
                region=region,
                vpc_id=network.vpc_id,
                ttl=spec.dns.ttl,
                records=records.get(region, []),
                existing_zone_id=existing,
                associate_vpc=existing is not None and network_spec.vpc_cidr is not None,
                comment=f"managed-cache {spec.name_prefix}: cache names in {region}",
                tags={"Name": spec.dns.zone},
            ),
            opts=pulumi.ResourceOptions(providers=[aws_by_region[region]]),
        )
    return zones


# ---------------------------------------------------------------------------------------------
# Alarms, notifications and the dashboard
# ---------------------------------------------------------------------------------------------
def _event_topic(spec: AwsStackSpec, region: str,
                 aws_provider: pulumi.ProviderResource) -> CacheEventTopic:
    return CacheEventTopic(
        f"{spec.name_prefix}-{region}-events",
        EventTopicArgs(topic_name=f"managed-cache-{spec.name_prefix}-events",
                       emails=spec.alert_emails),
        opts=pulumi.ResourceOptions(providers=[aws_provider]),
    )


def _alarm_topic(spec: AwsStackSpec, region: str,
                 aws_provider: pulumi.ProviderResource) -> AlarmTopic:
    # Alarm actions must name a topic in the alarm's region: one topic per region with caches.
    in_region: list[CacheSpec | ServerlessCacheSpec] = [*spec.caches_in(region)]
    if region == spec.region:
        in_region += spec.serverless_caches
    return AlarmTopic(
        f"{spec.name_prefix}-{region}-alarms",
        AlarmTopicArgs(topic_name=f"managed-cache-{spec.name_prefix}-alarms",
                       emails=spec.alert_emails,
                       # CloudWatch can publish only with a customer-managed key: pay for one
                       # where some alarm pages.
                       customer_managed_key=any(c.alarms.notify for c in in_region)),
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


def _alarms(cache: CacheSpec, primary_region: str, topics: dict[str, AlarmTopic],
            aws_by_region: dict[str, pulumi.ProviderResource], parent: pulumi.Resource,
            depends_on: list[pulumi.Resource] | None = None) -> CloudWatchCacheAlarms:
    return CloudWatchCacheAlarms(
        f"{cache.name}-alarms",
        CloudWatchCacheAlarmsArgs(
            cache_id=cache.cache_id,
            engine=cache.engine,
            vcpus=cache.node_type.vcpus,
            nodes=_alarm_nodes(cache),
            policy=cache.alarms,
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


def _serverless_alarms(cache: ServerlessCacheSpec, topic: AlarmTopic,
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
                          secondary_nodes=_secondary_nodes(cache), group=_group_alarms(cache))


def _dashboard(spec: AwsStackSpec, aws_provider: pulumi.ProviderResource) -> CacheDashboard:
    return CacheDashboard(
        f"{spec.name_prefix}-dashboard",
        CacheDashboardArgs(
            dashboard_name=f"managed-cache-{spec.name_prefix}",
            region=spec.region,
            caches=[_dashboard_cache(spec, cache) for cache in spec.all_caches],
        ),
        opts=pulumi.ResourceOptions(providers=[aws_provider]),
    )
