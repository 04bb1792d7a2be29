"""Reads of the live state (ElastiCache, CloudWatch alarms), shared by every command.

Each reader returns a small typed snapshot, or None when the resource does not exist, so the
commands compare plain values and never parse API responses themselves. Field names follow
botocore's elasticache service model (ReplicationGroup, CacheCluster, GlobalReplicationGroup).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from infra import naming
from infra.config.spec import CacheSpec
from ops.clients import Clients
from ops.errors import OpsError

_NOT_FOUND_CODES = frozenset({
    "ReplicationGroupNotFoundFault", "CacheClusterNotFound", "CacheClusterNotFoundFault",
    "GlobalReplicationGroupNotFoundFault", "ServerlessCacheNotFoundFault",
})


def _not_found(err: ClientError) -> bool:
    return err.response.get("Error", {}).get("Code") in _NOT_FOUND_CODES


def _endpoint(value: dict[str, Any] | None) -> str | None:
    if not value or not value.get("Address"):
        return None
    port = value.get("Port")
    return f"{value['Address']}:{port}" if port else str(value["Address"])


@dataclass(frozen=True)
class NodeGroup:
    """One shard: its id, its member node ids and (cluster mode off only) the primary's id."""

    id: str
    status: str
    members: tuple[str, ...]
    primary: str | None


@dataclass(frozen=True)
class LiveGroup:
    """A Valkey/Redis replication group in one region."""

    region: str
    id: str
    status: str
    engine: str | None
    engine_version: str | None        # read from a member node; None when unreadable
    node_type: str | None
    members: tuple[str, ...]
    node_groups: tuple[NodeGroup, ...]
    cluster_enabled: bool
    multi_az: str                     # enabled | disabled
    automatic_failover: str           # enabled | disabled | enabling | disabling
    at_rest_encryption: bool
    kms_key_id: str | None
    transit_encryption: bool
    transit_encryption_mode: str | None
    auth_token_enabled: bool
    user_group_ids: tuple[str, ...]              # RBAC user groups attached (aws.users)
    snapshot_retention: int
    endpoint: str | None              # configuration endpoint (cluster mode) or primary endpoint
    reader_endpoint: str | None
    global_id: str | None
    global_role: str | None

    @property
    def node_count(self) -> int:
        return len(self.members)


@dataclass(frozen=True)
class LiveMemcached:
    region: str
    id: str
    status: str
    engine: str | None
    engine_version: str | None
    node_type: str | None
    nodes: int
    transit_encryption: bool
    endpoint: str | None
    node_ids: tuple[str, ...] = ()  # CacheNodeId of each node ("0001"), as CloudWatch names them


@dataclass(frozen=True)
class GlobalMember:
    group_id: str
    region: str
    role: str                         # PRIMARY | SECONDARY
    status: str                       # associated | associating | disassociating ...

    @property
    def is_primary(self) -> bool:
        return self.role.upper() == "PRIMARY"


@dataclass(frozen=True)
class LiveGlobal:
    id: str
    status: str
    engine: str | None
    engine_version: str | None
    node_type: str | None
    members: tuple[GlobalMember, ...] = field(default_factory=tuple)

    @property
    def primary(self) -> GlobalMember | None:
        return next((m for m in self.members if m.is_primary), None)

    def member_in(self, region: str) -> GlobalMember | None:
        return next((m for m in self.members if m.region == region), None)

    def describe_roles(self) -> str:
        return ", ".join(f"{m.region} {m.group_id}: {m.role} ({m.status})" for m in self.members)


# ---------------------------------------------------------------------------------------------
# Replication groups
# ---------------------------------------------------------------------------------------------
def available_group(clients: Clients, region: str, group_id: str, purpose: str) -> LiveGroup:
    """The replication group, which must exist and be available for `purpose` (e.g. "a
    snapshot"); OpsError otherwise."""
    group = describe_group(clients, region, group_id)
    if group is None:
        raise OpsError(f"replication group {group_id} not found in {region}")
    if group.status != "available":
        raise OpsError(f"replication group {group.id} is {group.status}; {purpose} needs it "
                       "available")
    return group


def describe_group(clients: Clients, region: str, group_id: str,
                   read_version: bool = True) -> LiveGroup | None:
    """The group, or None; `read_version=False` spares the member-node call that reads the
    engine version (engine_version is then None)."""
    ec = clients.elasticache(region)
    try:
        groups = ec.describe_replication_groups(ReplicationGroupId=group_id)["ReplicationGroups"]
    except ClientError as err:
        if _not_found(err):
            return None
        raise
    if not groups:
        return None
    rg = groups[0]
    members = tuple(rg.get("MemberClusters", []))
    engine, version = rg.get("Engine"), None
    if members and read_version:
        # ReplicationGroup has no EngineVersion; every member node reports the group's.
        node = describe_cache_cluster(clients, region, members[0])
        if node is not None:
            engine = engine or node.get("Engine")
            version = node.get("EngineVersion")
    return group_from_api(region, rg, version, engine)


def group_from_api(region: str, rg: dict[str, Any], engine_version: str | None,
                   engine: str | None = None) -> LiveGroup:
    node_groups = tuple(
        NodeGroup(
            id=ng.get("NodeGroupId", ""),
            status=ng.get("Status", ""),
            members=tuple(m.get("CacheClusterId", "") for m in ng.get("NodeGroupMembers", [])),
            primary=next((m.get("CacheClusterId") for m in ng.get("NodeGroupMembers", [])
                          if m.get("CurrentRole") == "primary"), None),
        )
        for ng in rg.get("NodeGroups", [])
    )
    cluster_enabled = bool(rg.get("ClusterEnabled"))
    first = rg.get("NodeGroups", [{}])[0] if rg.get("NodeGroups") else {}
    if cluster_enabled or rg.get("ConfigurationEndpoint"):
        endpoint = _endpoint(rg.get("ConfigurationEndpoint"))
        reader = endpoint
    else:
        endpoint = _endpoint(first.get("PrimaryEndpoint"))
        reader = _endpoint(first.get("ReaderEndpoint"))
    info = rg.get("GlobalReplicationGroupInfo") or {}
    return LiveGroup(
        region=region,
        id=rg["ReplicationGroupId"],
        status=rg.get("Status", "unknown"),
        engine=engine or rg.get("Engine"),
        engine_version=engine_version,
        node_type=rg.get("CacheNodeType"),
        members=tuple(rg.get("MemberClusters", [])),
        node_groups=node_groups,
        cluster_enabled=cluster_enabled,
        multi_az=rg.get("MultiAZ", "disabled"),
        automatic_failover=rg.get("AutomaticFailover", "disabled"),
        at_rest_encryption=bool(rg.get("AtRestEncryptionEnabled")),
        kms_key_id=rg.get("KmsKeyId") or None,
        transit_encryption=bool(rg.get("TransitEncryptionEnabled")),
        transit_encryption_mode=rg.get("TransitEncryptionMode"),
        auth_token_enabled=bool(rg.get("AuthTokenEnabled")),
        user_group_ids=tuple(rg.get("UserGroupIds") or ()),
        snapshot_retention=int(rg.get("SnapshotRetentionLimit") or 0),
        endpoint=endpoint,
        reader_endpoint=reader,
        global_id=info.get("GlobalReplicationGroupId") or None,
        global_role=info.get("GlobalReplicationGroupMemberRole") or None,
    )


@dataclass(frozen=True)
class LiveServerless:
    """An ElastiCache Serverless cache as DescribeServerlessCaches reports it."""

    region: str
    name: str
    status: str                        # lower case: available, creating, modifying, ...
    engine: str | None
    major_engine_version: str | None
    max_data_gb: int | None
    max_ecpu_per_second: int | None
    kms_key_id: str | None
    user_group_id: str | None
    snapshot_retention: int
    endpoint: str | None = None          # "<address>:<port>" (the writer endpoint)


def describe_serverless(clients: Clients, region: str, name: str) -> LiveServerless | None:
    try:
        found = clients.elasticache(region).describe_serverless_caches(
            ServerlessCacheName=name)["ServerlessCaches"]
    except ClientError as err:
        if _not_found(err):
            return None
        raise
    if not found:
        return None
    cache = found[0]
    limits = cache.get("CacheUsageLimits") or {}
    return LiveServerless(
        region=region, name=cache["ServerlessCacheName"],
        # The model documents upper case (CREATE-FAILED); the service answers in lower case.
        status=str(cache.get("Status", "unknown")).lower(),
        engine=cache.get("Engine"), major_engine_version=cache.get("MajorEngineVersion"),
        max_data_gb=(limits.get("DataStorage") or {}).get("Maximum"),
        max_ecpu_per_second=(limits.get("ECPUPerSecond") or {}).get("Maximum"),
        kms_key_id=cache.get("KmsKeyId") or None, user_group_id=cache.get("UserGroupId"),
        snapshot_retention=int(cache.get("SnapshotRetentionLimit") or 0),
        endpoint=_endpoint(cache.get("Endpoint")))


def describe_cache_cluster(clients: Clients, region: str, cluster_id: str) -> dict[str, Any] | None:
    try:
        found = clients.elasticache(region).describe_cache_clusters(
            CacheClusterId=cluster_id, ShowCacheNodeInfo=True)["CacheClusters"]
    except ClientError as err:
        if _not_found(err):
            return None
        raise
    return found[0] if found else None


def describe_memcached(clients: Clients, region: str, cluster_id: str) -> LiveMemcached | None:
    cluster = describe_cache_cluster(clients, region, cluster_id)
    if cluster is None:
        return None
    return LiveMemcached(
        region=region,
        id=cluster["CacheClusterId"],
        status=cluster.get("CacheClusterStatus", "unknown"),
        engine=cluster.get("Engine"),
        engine_version=cluster.get("EngineVersion"),
        node_type=cluster.get("CacheNodeType"),
        nodes=int(cluster.get("NumCacheNodes") or 0),
        transit_encryption=bool(cluster.get("TransitEncryptionEnabled")),
        endpoint=_endpoint(cluster.get("ConfigurationEndpoint")),
        node_ids=tuple(node["CacheNodeId"] for node in cluster.get("CacheNodes") or []
                       if node.get("CacheNodeId")),
    )


# ---------------------------------------------------------------------------------------------
# Global Datastore
# ---------------------------------------------------------------------------------------------
def global_from_api(g: dict[str, Any]) -> LiveGlobal:
    return LiveGlobal(
        id=g["GlobalReplicationGroupId"],
        status=g.get("Status", "unknown"),
        engine=g.get("Engine"),
        engine_version=g.get("EngineVersion"),
        node_type=g.get("CacheNodeType"),
        members=tuple(
            GlobalMember(group_id=m.get("ReplicationGroupId", ""),
                         region=m.get("ReplicationGroupRegion", ""),
                         role=m.get("Role", ""), status=m.get("Status", ""))
            for m in g.get("Members", [])
        ),
    )


def is_global_id_for(global_id: str, cache_id: str) -> bool:
    """AWS names a Global Datastore `<AWS prefix>-<suffix>`; our suffix is the cache id."""
    prefix, _, suffix = global_id.partition("-")
    return bool(prefix) and "-" not in prefix and suffix == cache_id


def find_global(clients: Clients, region: str, cache_id: str,
                members: Mapping[str, str]) -> LiveGlobal | None:
    """The Global Datastore whose id suffix is the cache's id and that holds one of `members`
    (region -> replication group id), else the first with that suffix, else None. The suffix
    alone is not unique: AWS prefixes it per region ("Each Amazon Region has its own prefix",
    CreateGlobalReplicationGroup), so two stacks with one name_prefix and cache name whose
    primaries are in different regions each have one, and a region both reach lists both."""
    first: LiveGlobal | None = None
    paginator = clients.elasticache(region).get_paginator("describe_global_replication_groups")
    for page in paginator.paginate(ShowMemberInfo=True):
        for g in page.get("GlobalReplicationGroups", []):
            if is_global_id_for(g["GlobalReplicationGroupId"], cache_id):
                found = global_from_api(g)
                if any((m.region, m.group_id) in members.items() for m in found.members):
                    return found
                first = first or found
    return first


def describe_global(clients: Clients, region: str, global_id: str) -> LiveGlobal | None:
    try:
        found = clients.elasticache(region).describe_global_replication_groups(
            GlobalReplicationGroupId=global_id, ShowMemberInfo=True)["GlobalReplicationGroups"]
    except ClientError as err:
        if _not_found(err):
            return None
        raise
    return global_from_api(found[0]) if found else None


def expected_global_members(cache: CacheSpec, primary_region: str) -> dict[str, str]:
    """Region -> replication group id of every Global Datastore member the config declares."""
    members = {primary_region: cache.cache_id}
    if cache.global_ is not None:
        for region in cache.global_.secondary_regions:
            members[region] = naming.secondary_group_id(cache.cache_id, region)
    return members


# ---------------------------------------------------------------------------------------------
# Events
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Event:
    source: str                       # SourceIdentifier: a group, node, parameter group ...
    message: str
    date: datetime


def events_since(clients: Clients, region: str, start: datetime,
                 sources: frozenset[str]) -> list[Event]:
    """The region's ElastiCache events since `start` whose source is one of `sources`, oldest
    first. One unfiltered DescribeEvents (paginated): a test failover's events come from the
    replication group and from its nodes, which SourceType cannot select together."""
    paginator = clients.elasticache(region).get_paginator("describe_events")
    found = [Event(source=e.get("SourceIdentifier", ""), message=e.get("Message", ""),
                   date=e["Date"])
             for page in paginator.paginate(StartTime=start)
             for e in page.get("Events", []) if e.get("SourceIdentifier") in sources]
    return sorted(found, key=lambda event: event.date)


# ---------------------------------------------------------------------------------------------
# CloudWatch alarms
# ---------------------------------------------------------------------------------------------
def alarm_prefix(cache_id: str, subject: str | None = None) -> str:
    return naming.alarm_prefix(cache_id, subject)


def alarm_names(clients: Clients, region: str, prefix: str) -> list[str]:
    paginator = clients.cloudwatch(region).get_paginator("describe_alarms")
    names: list[str] = []
    for page in paginator.paginate(AlarmNamePrefix=prefix,
                                   AlarmTypes=["MetricAlarm", "CompositeAlarm"]):
        names += [a["AlarmName"] for a in page.get("MetricAlarms", [])]
        names += [a["AlarmName"] for a in page.get("CompositeAlarms", [])]
    return sorted(names)
