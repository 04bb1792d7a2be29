"""Durability rules (production): backups and final snapshots, replicas across zones
(Multi-AZ), and deletion protection of what holds data.

Standard library only, like infra/plan/rules.py, which the policy pack imports (see there).
"""

from __future__ import annotations

from collections.abc import Mapping

from components import resource_types as types
from infra.plan.checks import model as m
from infra.plan.checks.model import Context, Finding, Resource

# ---------------------------------------------------------------------------------------------
# Backups (production)

def _backups_off(name: str, ctx: Context, severity_in_production: str, why: str) -> Finding:
    severity = severity_in_production if ctx.production else "low"
    return Finding("backups-off", severity, "backups", f"{name}: {why}")


def check_backups(res: Resource, ctx: Context) -> list[Finding]:
    name, inputs = res.name, res.inputs
    found: list[Finding] = []
    if (res.type == types.AWS_REPLICATION_GROUP and not m.is_global_secondary(res)) or (
            res.type in (types.AWS_CLUSTER, types.AWS_SERVERLESS_CACHE)
            and not m.is_group_member(res) and m.redis_like(res)):
        retention = inputs.get("snapshotRetentionLimit")
        if retention is not m.UNKNOWN and not retention:
            found.append(_backups_off(
                name, ctx, "high", "snapshot retention is 0, so there are no automatic backups"
                + (" in a production stack." if ctx.production else ".")))
        if (res.type == types.AWS_REPLICATION_GROUP and ctx.production
                and not m.is_set(inputs.get("finalSnapshotIdentifier"))):
            found.append(Finding("final-snapshot-off", "high", "final-snapshot",
                                 f"{name}: no final snapshot; deleting or replacing the group "
                                 "loses its data for good."))
    elif res.type == types.GCP_REDIS:
        if m.differs(m.nested(inputs, "persistenceConfig", "persistenceMode"), "RDB", "DISABLED"):
            found.append(_backups_off(name, ctx, "medium", "RDB persistence is off; a restart "
                                      "or failover of the last node loses the data."))
    elif res.type in (types.GCP_VALKEY, types.GCP_REDIS_CLUSTER):
        mode = m.nested(inputs, "persistenceConfig", "mode")
        if mode is not m.UNKNOWN and mode in (None, "DISABLED", "PERSISTENCE_MODE_UNSPECIFIED") \
                and not m.is_set(inputs.get("automatedBackupConfig")):
            found.append(_backups_off(name, ctx, "medium",
                                      "no persistence (RDB/AOF) and no automated backups."))
    return found


# ---------------------------------------------------------------------------------------------
# Multi-AZ (production)

def check_multi_az(res: Resource, ctx: Context) -> list[Finding]:
    if not ctx.production:
        return []
    name, inputs = res.name, res.inputs
    no_replica = "no-replica", "medium", "availability"
    if res.type == types.AWS_REPLICATION_GROUP and not m.is_global_secondary(res):
        shards = [s for s in m.as_list(inputs.get("nodeGroupConfigurations"))
                  if isinstance(s, Mapping)]
        if shards and not m.is_set(inputs.get("replicasPerNodeGroup")):
            # Replicas per shard, each in its own block (expandNodeGroupConfigurations sends
            # each replica_count): the fewest decides.
            counts = [m.count(s.get("replicaCount"), 0) for s in shards]
            replicas = None if None in counts else min(c for c in counts if c is not None)
        elif m.is_set(inputs.get("numNodeGroups")) or m.is_set(inputs.get("replicasPerNodeGroup")):
            replicas = m.count(inputs.get("replicasPerNodeGroup"), 0)
        else:  # AWS creates one node when num_cache_clusters is unset
            clusters = m.count(inputs.get("numCacheClusters"), 1)
            replicas = None if clusters is None else clusters - 1
        missing = [text for off, text in (
            (replicas is not None and replicas < 1, "no replica"),
            (m.is_off(inputs.get("multiAzEnabled")), "Multi-AZ off"),
            (m.is_off(inputs.get("automaticFailoverEnabled")), "automatic failover off")) if off]
        if missing:
            return m.flag("multi-az-off", "medium", "availability",
                          f"{name}: {', '.join(missing)} in production; losing the primary's "
                          "node or zone takes the cache down until it is rebuilt.")
    elif res.type == types.AWS_GLOBAL_REPLICATION_GROUP:
        # Unset inherits the primary's setting; only an explicit False turns failover off.
        if inputs.get("automaticFailoverEnabled") is False:
            return m.flag("multi-az-off", "medium", "availability",
                          f"{name}: automatic failover is off on the Global Datastore in "
                          "production.")
    elif res.type == types.AWS_CLUSTER and not m.is_group_member(res) \
            and m.engine_name(res) is not m.UNKNOWN:
        if m.engine_name(res) != "memcached":
            return m.flag(*no_replica, f"{name}: a single-node cluster in production has no "
                          "replica and no failover; use a replication group.")
        nodes = m.count(inputs.get("numCacheNodes"), 1)
        if (nodes is not None and nodes < 2) or m.differs(inputs.get("azMode"), "cross-az",
                                                          "single-az"):
            return m.flag("single-az", "medium", "availability",
                          f"{name}: Memcached nodes are not spread over zones (az_mode "
                          "cross-az with 2 or more nodes); one zone's outage empties the "
                          "cache.")
    elif res.type == types.GCP_REDIS:
        if m.differs(inputs.get("tier"), "STANDARD_HA", "BASIC"):
            return m.flag(*no_replica,
                          f"{name}: BASIC tier in production has no replica and no failover.")
    elif res.type in (types.GCP_VALKEY, types.GCP_REDIS_CLUSTER):
        replicas = m.count(inputs.get("replicaCount"), 0)
        if replicas is not None and replicas < 1:
            return m.flag(*no_replica, f"{name}: no replica in production; a node failure "
                          "loses the data held only in memory and stops the cache until it "
                          "is replaced.")
        if m.nested(inputs, "zoneDistributionConfig", "mode") == "SINGLE_ZONE":
            return m.flag("single-az", "medium", "availability",
                          f"{name}: all nodes in one zone (SINGLE_ZONE); a zone outage takes "
                          "the cache down.")
    elif res.type == types.GCP_MEMCACHED:
        nodes = m.count(inputs.get("nodeCount"), 1)
        if nodes is not None and nodes < 2:
            return m.flag("single-az", "medium", "availability",
                          f"{name}: one Memcached node in production; a zone outage empties "
                          "the cache.")
    return []


# ---------------------------------------------------------------------------------------------
# Deletion protection (production)

def _gcp_protected(res: Resource) -> bool:
    key = {types.GCP_REDIS: "deletionProtection", types.GCP_MEMCACHED: "deletionProtection",
           types.GCP_VALKEY: "deletionProtectionEnabled",
           types.GCP_REDIS_CLUSTER: "deletionProtectionEnabled"}.get(res.type)
    # Unset means protected for all four (see infra/plan/rules.py for the sources).
    return key is not None and res.inputs.get(key) is not False


def check_deletion_protection(res: Resource, ctx: Context) -> list[Finding]:
    if not ctx.production or res.protect:
        return []
    holds_data = (res.type in m.CACHES and not m.is_group_member(res)) \
        or res.type == types.AWS_GLOBAL_REPLICATION_GROUP \
        or (res.type == types.AWS_KMS_KEY and res.encrypts_cache_data)
    if not holds_data or _gcp_protected(res):
        return []
    return m.flag("deletion-protection-off", "high", "deletion-protection",
                  f"{res.name} holds data in a production stack but is not protected: a "
                  "rename or removal in a later change would delete it without a second look.")
