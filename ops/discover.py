"""`python -m ops discover --region REGION`: the live ElastiCache caches of a region as config.

For each Valkey/Redis replication group and each Memcached cluster it prints a YAML document of
`Pulumi.<stack>.yaml` config keys that reproduces the cache (engine, version, node type, shards,
replicas, windows, backup retention, port, parameter overrides, encryption key, subnet group and
network) with `aws.import_id`, so `pulumi up` adopts the cache instead of creating one (see
docs/adopting.md). Every document validates with the program's own config loader.

What AWS lists and how it is read (botocore's elasticache service model):
- DescribeReplicationGroups: id, description, node type, shards (NodeGroups), members, snapshot
  window and retention, encryption, KMS key, AUTH, user groups, Global Datastore membership.
- DescribeCacheClusters lists the member nodes of replication groups too (with their
  ReplicationGroupId): they are read for the engine version, maintenance window, subnet group and
  parameter group of their group, and never reported as caches of their own.
- Parameter overrides: the group's parameters (DescribeCacheParameters) that differ from the
  family's defaults (DescribeEngineDefaultParameters); `cluster-enabled` is the program's own.
"""

from __future__ import annotations

import ipaddress
import re
import textwrap
from dataclasses import dataclass, field
from typing import Any

import yaml

from components.fact_conditions import redis_below_7_0_5
from infra import naming
from infra.catalog import aws as catalog
from infra.config.common import is_private
from ops.clients import Clients
from ops.errors import EXIT_OK

MANAGED_PARAMETERS = frozenset({"cluster-enabled"})
_KMS_ARN = re.compile(r"^arn:aws[a-z-]*:kms:")


def _vpc_cidrs(vpc: dict[str, Any]) -> list[str]:
    """Every IPv4 range of the VPC, the primary first: `CidrBlock` is only the primary, and
    secondary ranges (EKS pods, for one) are in `CidrBlockAssociationSet` (EC2 DescribeVpcs,
    shape Vpc); a client in any of them must keep reaching the adopted cache."""
    primary = vpc.get("CidrBlock")
    associated = [a["CidrBlock"] for a in vpc.get("CidrBlockAssociationSet") or []
                  if (a.get("CidrBlockState") or {}).get("State") == "associated"
                  and a.get("CidrBlock")]
    return ([primary] if primary else []) + sorted(set(associated) - {primary})


@dataclass
class Discovered:
    """One live cache, as config: the document's keys and the comments printed above it."""

    cache_id: str
    comments: list[str] = field(default_factory=list)
    config: dict[str, Any] | None = None     # None: cannot be adopted (comments say why)


HEADER = ("# Live ElastiCache caches of {region}, as managed-cache config. Paste a document's\n"
          "# keys under `config:` in Pulumi.<stack>.yaml (a stack has one name_prefix and one\n"
          "# network), run `pulumi up`, then remove aws.import_id: see docs/adopting.md.")


def run(region: str, clients: Clients, name_prefix: str | None = None) -> int:
    print(HEADER.format(region=region))
    found = discover(region, clients, name_prefix)
    for item in found:
        print(render(item))
    if not found:
        print(f"# no replication groups or Memcached clusters in {region}")
    return EXIT_OK


def render(found: Discovered) -> str:
    head = "\n".join("\n".join(textwrap.wrap(line, width=98, initial_indent="# ",
                                              subsequent_indent="#   "))
                     for line in found.comments)
    if found.config is None:
        return head + "\n"
    body = yaml.safe_dump(found.config, sort_keys=False, default_flow_style=False, width=100)
    return f"---\n{head}\n{body}"


def discover(region: str, clients: Clients, name_prefix: str | None = None) -> list[Discovered]:
    ec = clients.elasticache(region)
    groups = [g for page in ec.get_paginator("describe_replication_groups").paginate()
              for g in page.get("ReplicationGroups", [])]
    clusters = [c for page in ec.get_paginator("describe_cache_clusters").paginate(
        ShowCacheNodeInfo=True) for c in page.get("CacheClusters", [])]
    by_id = {c["CacheClusterId"]: c for c in clusters}
    members = {m for g in groups for m in g.get("MemberClusters") or []}
    reader = _Reader(ec, clients, region)
    found = [reader.group(g, by_id, name_prefix)
             for g in sorted(groups, key=lambda g: g["ReplicationGroupId"])]
    for cluster in sorted(clusters, key=lambda c: c["CacheClusterId"]):
        if cluster.get("ReplicationGroupId") or cluster["CacheClusterId"] in members:
            continue  # a member node of a replication group, read with its group above
        if cluster.get("Engine") == "memcached":
            found.append(reader.memcached(cluster, name_prefix))
        else:
            found.append(Discovered(cluster["CacheClusterId"], [
                f"{cluster['CacheClusterId']}: a {cluster.get('Engine')} cache cluster outside "
                "a replication group; the program runs Valkey and Redis as replication groups "
                "only. Add it to a replication group first (CreateReplicationGroup with "
                "PrimaryClusterId), then run discover again."]))
    return found


class _Reader:
    def __init__(self, ec: Any, clients: Clients, region: str):
        self.ec, self.clients, self.region = ec, clients, region

    # -----------------------------------------------------------------------------------------
    def group(self, group: dict[str, Any], clusters: dict[str, dict[str, Any]],
              prefix: str | None) -> Discovered:
        cache_id = group["ReplicationGroupId"]
        member = next((clusters[m] for m in group.get("MemberClusters", []) if m in clusters),
                      {})
        engine = (group.get("Engine") or member.get("Engine") or "redis").lower()
        live_version = member.get("EngineVersion", "")
        shards = max(1, len(group.get("NodeGroups") or []))
        members = len(group.get("MemberClusters") or [])
        replicas = max(0, members // shards - 1)
        found = Discovered(cache_id, [
            f"{cache_id}: {engine} {live_version or '(version unknown)'} replication group in "
            f"{self.region}, {shards} shard(s) x {replicas + 1} node(s)"])
        if group.get("GlobalReplicationGroupInfo", {}).get("GlobalReplicationGroupId"):
            found.comments.append(
                "member of Global Datastore "
                f"{group['GlobalReplicationGroupInfo']['GlobalReplicationGroupId']}: a Global "
                "Datastore cannot be adopted in one step; not printed (docs/adopting.md).")
            return found
        names = _split(cache_id, prefix)
        if names is None:
            found.comments.append(_naming_comment(cache_id, prefix))
            return found
        cache: dict[str, Any] = {"engine": engine}
        version = config_version(engine, live_version)
        if version is not None:
            cache["engine_version"] = version
        cache["description"] = group.get("Description") or cache_id
        cache["node_type"] = group.get("CacheNodeType")
        if shards > 1:
            cache["shards"] = shards
        cache["replicas"] = replicas
        parameters = self.parameter_overrides(member)
        if parameters:
            cache["parameters"] = parameters
        if member.get("PreferredMaintenanceWindow"):
            cache["maintenance_window"] = member["PreferredMaintenanceWindow"].lower()
        if group.get("SnapshotWindow"):
            cache["snapshot_window"] = group["SnapshotWindow"]
        cache["snapshot_retention_days"] = int(group.get("SnapshotRetentionLimit") or 0)
        aws: dict[str, Any] = {"import_id": cache_id}
        endpoint = group.get("ConfigurationEndpoint") or \
            ((group.get("NodeGroups") or [{}])[0].get("PrimaryEndpoint") or {})
        port = endpoint.get("Port")
        if port and port != catalog.ENGINE_PORT[engine]:
            aws["port"] = port
        kms = group.get("KmsKeyId")
        if kms and _KMS_ARN.match(kms):
            aws["kms_key_arn"] = kms
        elif kms:
            found.comments.append(f"encrypted with KMS key {kms}: write its ARN as "
                                  "aws.kms_key_arn (the program needs the ARN).")
        else:
            aws["create_kms_key"] = False   # a new key would replace the cache
        if group.get("ClusterEnabled") and shards == 1:
            aws["cluster_mode"] = True
        if group.get("AutoMinorVersionUpgrade") is False:
            aws["auto_minor_version_upgrade"] = False
        plaintext_allowed = not group.get("TransitEncryptionEnabled") \
            or group.get("TransitEncryptionMode") == "preferred"
        if plaintext_allowed and version is not None and not redis_below_7_0_5(engine, version):
            # AWS turns TLS on for a live group only as "preferred" first (ModifyReplicationGroup
            # TransitEncryptionMode), and a group in "preferred" still has plaintext clients:
            # "required" comes in a later update, once every client uses TLS.
            aws["transit_encryption_mode"] = "preferred"
        network = self.network(member, aws, found)
        cache["aws"] = aws
        found.comments += _auth_comments(group)
        found.comments += _encryption_comments(group, engine)
        if version is None or version not in catalog.AWS_ENGINE_VERSIONS[engine]:
            found.comments.append(
                f"engine version {live_version!r} is not one this project offers for {engine} "
                f"({', '.join(catalog.AWS_ENGINE_VERSIONS[engine])}); upgrade it in place "
                "first, then run discover again.")
        found.config = _document(self.region, names[0], names[1], cache, network)
        return found

    def memcached(self, cluster: dict[str, Any], prefix: str | None) -> Discovered:
        cache_id = cluster["CacheClusterId"]
        found = Discovered(cache_id, [
            f"{cache_id}: memcached {cluster.get('EngineVersion')} cluster in {self.region}, "
            f"{cluster.get('NumCacheNodes')} node(s)"])
        names = _split(cache_id, prefix)
        if names is None:
            found.comments.append(_naming_comment(cache_id, prefix))
            return found
        cache: dict[str, Any] = {"engine": "memcached",
                                 "engine_version": cluster.get("EngineVersion"),
                                 "node_type": cluster.get("CacheNodeType"),
                                 "nodes": int(cluster.get("NumCacheNodes") or 1)}
        parameters = self.parameter_overrides(cluster)
        if parameters:
            cache["parameters"] = parameters
        if cluster.get("PreferredMaintenanceWindow"):
            cache["maintenance_window"] = cluster["PreferredMaintenanceWindow"].lower()
        aws: dict[str, Any] = {"import_id": cache_id}
        port = (cluster.get("ConfigurationEndpoint") or {}).get("Port")
        if port and port != catalog.ENGINE_PORT["memcached"]:
            aws["port"] = port
        network = self.network(cluster, aws, found)
        cache["aws"] = aws
        if not cluster.get("TransitEncryptionEnabled"):
            found.comments.append(
                "TLS is off: the program turns it on, which replaces a Memcached cluster "
                "(transit_encryption_enabled is ForceNew in terraform-provider-aws cluster.go); "
                "the import keeps the cluster protected, so the update stops instead. Move the "
                "data to a new cluster instead of adopting this one.")
        version = cluster.get("EngineVersion") or ""
        if version not in catalog.AWS_ENGINE_VERSIONS["memcached"]:
            found.comments.append(
                f"engine version {version!r} is not one this project offers for memcached "
                f"({', '.join(catalog.AWS_ENGINE_VERSIONS['memcached'])}).")
        found.config = _document(self.region, names[0], names[1], cache, network)
        return found

    # -----------------------------------------------------------------------------------------
    def network(self, cluster: dict[str, Any], aws: dict[str, Any],
                found: Discovered) -> dict[str, Any] | None:
        """The cache's subnet group, and the VPC it lives in as `network`."""
        name = cluster.get("CacheSubnetGroupName")
        if not name:
            found.comments.append("no subnet group reported: set network and "
                                  "aws.subnet_group_name by hand.")
            return None
        aws["subnet_group_name"] = name
        groups = self.ec.describe_cache_subnet_groups(
            CacheSubnetGroupName=name).get("CacheSubnetGroups", [])
        if not groups:
            return None
        vpc_id = groups[0].get("VpcId")
        subnets = sorted(s["SubnetIdentifier"] for s in groups[0].get("Subnets", []))
        vpcs = self.clients.client("ec2", self.region).describe_vpcs(
            VpcIds=[vpc_id]).get("Vpcs", [])
        network: dict[str, Any] = {"vpc_id": vpc_id, "subnet_ids": subnets}
        cidrs = _vpc_cidrs(vpcs[0]) if vpcs else []
        private = [c for c in cidrs if is_private(ipaddress.IPv4Network(c))]
        if private:
            network["allowed_cidrs"] = private
        if len(private) < len(cidrs):
            found.comments.append(
                f"network: VPC {vpc_id} also has {', '.join(c for c in cidrs if c not in private)}"
                f", not a private range, which network.allowed_cidrs cannot admit; clients "
                "there lose access to the cache after `pulumi up`.")
        security_groups = [g.get("SecurityGroupId") for g in cluster.get("SecurityGroups") or []]
        found.comments.append(
            f"network: VPC {vpc_id} of subnet group {name}. The stack's own security group "
            "replaces " + (", ".join(security_groups) if security_groups
                           else "the cache's security groups")
            + " in place; it admits network.allowed_cidrs (the whole VPC here: narrow it) and "
            "network.allowed_security_group_ids.")
        return network

    def parameter_overrides(self, cluster: dict[str, Any]) -> dict[str, str]:
        """The cache's parameter group values that differ from its family's defaults."""
        name = (cluster.get("CacheParameterGroup") or {}).get("CacheParameterGroupName")
        if not name or name.startswith("default."):
            return {}
        groups = self.ec.describe_cache_parameter_groups(
            CacheParameterGroupName=name).get("CacheParameterGroups", [])
        if not groups:
            return {}
        family = groups[0]["CacheParameterGroupFamily"]
        values = {p["ParameterName"]: p.get("ParameterValue")
                  for page in self.ec.get_paginator("describe_cache_parameters").paginate(
                      CacheParameterGroupName=name)
                  for p in page.get("Parameters", [])}
        defaults = {p["ParameterName"]: p.get("ParameterValue")
                    for page in self.ec.get_paginator(
                        "describe_engine_default_parameters").paginate(
                        CacheParameterGroupFamily=family)
                    for p in page.get("EngineDefaults", {}).get("Parameters", [])}
        return {key: str(value) for key, value in sorted(values.items())
                if value is not None and key not in MANAGED_PARAMETERS
                and value != defaults.get(key)}


# ---------------------------------------------------------------------------------------------
def config_version(engine: str, live: str) -> str | None:
    """The engine_version the config takes for a live version: Valkey and Redis 7+ as
    major.minor, Redis 6.2 as '6.2', Redis 6.0 as '6.x'; Memcached as reported."""
    if not live:
        return None
    if engine == "memcached":
        return live
    parts = live.split(".")
    if engine == "redis" and parts[0] == "6":
        return "6.2" if parts[1:2] == ["2"] else "6.x"
    return ".".join(parts[:2])


def _split(cache_id: str, prefix: str | None) -> tuple[str, str] | None:
    """(name_prefix, cache name) such that <prefix>-<name> is the id, as the program names it."""
    if prefix is not None:
        if not cache_id.startswith(f"{prefix}-"):
            return None
        pair = (prefix, cache_id[len(prefix) + 1:])
    else:
        head, _, rest = cache_id.partition("-")
        pair = (head, rest)
    if not all(naming.is_valid_name_part(part) for part in pair):
        return None
    return pair


def _naming_comment(cache_id: str, prefix: str | None) -> str:
    wanted = f"'{prefix}-<cache>'" if prefix is not None else "'<name_prefix>-<cache>'"
    return (f"not printed: the program names a cache {wanted} and {cache_id!r} cannot be "
            "written that way; adopting it would mean a new id, which replaces the cache.")


def _auth_comments(group: dict[str, Any]) -> list[str]:
    if group.get("UserGroupIds"):
        return [f"uses RBAC user group(s) {', '.join(group['UserGroupIds'])}: describe its "
                "users under aws.users before removing aws.import_id, or the next update moves "
                "the cache to the program's AUTH token."]
    if group.get("AuthTokenEnabled"):
        return ["uses an AUTH token, which AWS does not reveal: after the import the program "
                "sets its own (or attaches aws.users), and clients must switch then."]
    return ["has no AUTH: after the import the program sets an AUTH token (or aws.users); "
            "clients must authenticate from then on."]


def _encryption_comments(group: dict[str, Any], engine: str) -> list[str]:
    out = []
    if not group.get("AtRestEncryptionEnabled"):
        out.append("not encrypted at rest: the program encrypts, which AWS can only do on a new "
                   "group (at_rest_encryption_enabled is ForceNew); the import keeps it "
                   "protected, so the update stops. Restore a snapshot into a new cache "
                   "(restore_from) instead of adopting this one.")
    if group.get("TransitEncryptionEnabled") and group.get("TransitEncryptionMode") == "preferred":
        out.append("TLS is preferred: plaintext clients may still connect, so the block keeps "
                   "aws.transit_encryption_mode: preferred; once every client uses TLS, remove "
                   "the key (or set 'required') and update again.")
    if not group.get("TransitEncryptionEnabled"):
        out.append("TLS is off: the program turns it on, in place from engine 7.0.5 (otherwise "
                   "by replacement): first as aws.transit_encryption_mode: preferred, which "
                   "still admits plaintext clients; once every client uses TLS, remove the key "
                   "(or set 'required') and update again.")
    return out


def _document(region: str, prefix: str, name: str, cache: dict[str, Any],
              network: dict[str, Any] | None) -> dict[str, Any]:
    doc: dict[str, Any] = {"aws:region": region, "managed-cache:cloud": "aws",
                           "managed-cache:name_prefix": prefix}
    if network is not None:
        doc["managed-cache:network"] = network
    doc["managed-cache:caches"] = {name: cache}
    return doc
