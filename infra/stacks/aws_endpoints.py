"""How clients reach the AWS stack's caches: the endpoints exported per cache, connection
secrets (Secrets Manager, one per region and RBAC user), RBAC users' exports and the private
DNS names (network.dns). infra/stacks/aws.py calls these for each cache it builds."""

from __future__ import annotations

from typing import Any, Protocol

import pulumi

from components.aws.connection_secret import ConnectionSecret, ConnectionSecretArgs
from components.aws.dns import CnameRecord, PrivateZoneArgs, Route53PrivateZone
from components.aws.memcached import ElastiCacheMemcachedCluster
from components.aws.network import CacheNetwork
from components.aws.replication_group import ElastiCacheReplicationGroup
from components.aws.serverless import ElastiCacheServerlessCache
from infra import naming
from infra.config.access import UserSpec
from infra.config.dns import cache_dns_names
from infra.config.spec import AwsStackSpec, CacheSpec, ServerlessCacheSpec

IAM_CONNECT_ACTION = "elasticache:Connect"


class CreatedUsers(Protocol):
    """A cache's RBAC users as registered (a replication group's or a serverless cache's)."""

    @property
    def user_arns(self) -> dict[str, pulumi.Output[str]]: ...

    @property
    def passwords(self) -> dict[str, pulumi.Output[str]]: ...


def endpoints(group: ElastiCacheReplicationGroup) -> dict[str, Any]:
    return {"endpoint": group.endpoint, "reader_endpoint": group.reader_endpoint,
            "port": group.port}


# ---------------------------------------------------------------------------------------------
# RBAC users and connection secrets
# ---------------------------------------------------------------------------------------------
def connection(cache: CacheSpec | ServerlessCacheSpec, region: str, host: pulumi.Input[str],
               reader: pulumi.Input[str] | None, port: pulumi.Input[int]) -> dict[str, Any]:
    """What every connection secret holds, before the credential."""
    out: dict[str, Any] = {"engine": cache.engine, "host": host, "port": port, "tls": True,
                           "region": region, "cache_id": cache.cache_id,
                           "cluster_mode": cache.cluster_mode}
    if reader is not None:
        out["reader_host"] = reader
    return out


def group_connection(cache: CacheSpec, region: str, group: ElastiCacheReplicationGroup,
                     **credential: Any) -> dict[str, Any]:
    """A replication group's connection details in `region`, then `credential`'s entries."""
    return {**connection(cache, region, group.endpoint, group.reader_endpoint, group.port),
            **credential}


def serverless_connection(cache: ServerlessCacheSpec, region: str,
                          serverless: ElastiCacheServerlessCache) -> dict[str, Any]:
    """A serverless cache's connection details: its endpoint, and the reader endpoint with its
    own port (Valkey/Redis)."""
    out = connection(cache, region, serverless.endpoint, serverless.reader_endpoint,
                     serverless.port)
    if serverless.reader_port is not None:
        out["reader_port"] = serverless.reader_port
    return {**out, "serverless": True}


def connection_secret(spec: AwsStackSpec, cache: CacheSpec | ServerlessCacheSpec, name: str,
                      parent: (ElastiCacheReplicationGroup | ElastiCacheMemcachedCluster
                               | ElastiCacheServerlessCache),
                      payload: dict[str, Any], user: str | None = None) -> dict[str, Any]:
    """A secret in the parent's region (the parent's provider), encrypted with the cache's
    customer-managed key there when it has one (Memcached has none); its export."""
    kms = (parent.kms_key_arn
           if isinstance(parent, ElastiCacheReplicationGroup | ElastiCacheServerlessCache)
           else None)
    secret = ConnectionSecret(
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
    return {"name": secret.name, "arn": secret.arn}


def user_entries(users: tuple[UserSpec, ...], cache_arn: pulumi.Output[str],
                 user_arns: dict[str, pulumi.Output[str]]) -> dict[str, Any]:
    """Per user: the name clients send, how it authenticates, and for IAM users what a client
    role must be allowed (elasticache:Connect on the cache and the user)."""
    return {user.name: {"username": user.user_name, "user_id": user.user_id,
                        "auth": "iam" if user.iam else "password",
                        **({"iam": {"action": IAM_CONNECT_ACTION,
                                    "resources": [cache_arn, user_arns[user.name]]}}
                           if user.iam else {})}
            for user in users}


def users_export(spec: AwsStackSpec, cache: CacheSpec | ServerlessCacheSpec,
                 owner: ElastiCacheReplicationGroup | ElastiCacheServerlessCache,
                 users: CreatedUsers, connected: dict[str, Any]) -> dict[str, Any]:
    """A cache's RBAC users (`user_entries`), each with its connection secret: `connected`
    (the cache's connection details) with the user's credential."""
    out = user_entries(cache.users, owner.arn, users.user_arns)
    for user in cache.users:
        entry = out[user.name]
        payload = {**connected, "username": user.user_name}
        if user.iam:
            payload.update(auth="iam", iam=entry["iam"])
        else:
            payload.update(auth="rbac", password=users.passwords[user.name])
        if cache.secret:
            entry["secret"] = connection_secret(
                spec, cache, f"{cache.name}-{user.name}-connection", owner, payload,
                user=user.name)
    return out


# ---------------------------------------------------------------------------------------------
# Private DNS (network.dns)
# ---------------------------------------------------------------------------------------------
def host(endpoint: str | None) -> str:
    """`host:port` (a Memcached configuration endpoint) -> host: a CNAME names a host."""
    return (endpoint or "").rsplit(":", 1)[0]


def dns_export(spec: AwsStackSpec, cache: CacheSpec | ServerlessCacheSpec) -> dict[str, Any]:
    """The cache's stable names for the `caches` export; nothing without network.dns."""
    return {"dns": cache_dns_names(cache, spec.dns.zone)} if spec.dns is not None else {}


def add_records(records: dict[str, list[CnameRecord]], spec: AwsStackSpec,
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


def private_zones(spec: AwsStackSpec, networks: dict[str, CacheNetwork],
                  aws_by_region: dict[str, pulumi.ProviderResource],
                  records: dict[str, list[CnameRecord]]) -> dict[str, Route53PrivateZone]:
    """A private zone of the same name in every region, associated with that region's VPC."""
    if spec.dns is None:
        return {}
    zones = {}
    for region, network in networks.items():
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
                associate_vpc=existing is not None
                and spec.networks[region].vpc_cidr is not None,
                comment=f"managed-cache {spec.name_prefix}: cache names in {region}",
                tags={"Name": spec.dns.zone},
            ),
            opts=pulumi.ResourceOptions(providers=[aws_by_region[region]]),
        )
    return zones
