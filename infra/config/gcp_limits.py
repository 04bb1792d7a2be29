"""The simple numeric limits of Memorystore config keys, each stated once (see limits.py)."""

from __future__ import annotations

from collections.abc import Sequence

from infra.catalog import gcp as gcp_catalog
from infra.config.common import Problem, Range
from infra.config.spec import GcpCacheSpec

# Memorystore (the numbers and their sources are in infra/catalog/gcp.py).
GCP_LIMITS: dict[str, Range] = {
    # The memory metrics the alerts read are fractions that stop at 1.0 (Valkey
    # instance/memory/maximum_utilization "from 0.0 to 1.0"; Memcached node/memory/utilization
    # and Redis stats/memory/system_memory_usage_ratio, ratios of the maximum), and an alert
    # fires above its threshold.
    "alarms.memory_critical_percent": Range(
        1, 99, "use {low} to {high} (Memorystore's memory use stops at 100 %, so an alert above "
               "it could never fire)"),
    "valkey.shards": Range(1, gcp_catalog.VALKEY_MAX_SHARDS,
                           "Memorystore for Valkey has {low} to {high} shards"),
    "valkey.replicas": Range(0, gcp_catalog.MAX_REPLICAS,
                             "Memorystore for Valkey allows {low} to {high} replicas per shard"),
    "valkey.snapshot_retention_days": Range(
        0, gcp_catalog.MAX_BACKUP_RETENTION_DAYS,
        "Memorystore for Valkey keeps automated backups 1 to {high} days (0 turns them off)"),
    "valkey.global.secondary_regions": Range(
        1, gcp_catalog.VALKEY_MAX_SECONDARIES,
        "Memorystore for Valkey cross-region replication has {low} to {high} secondaries",
        shown="{value} secondary regions"),
    "valkey.global.secondary_replicas": Range(0, gcp_catalog.MAX_REPLICAS,
                                              "use {low} to {high} replicas per shard"),
    "redis.memory_gb": Range(gcp_catalog.REDIS_MIN_GB, gcp_catalog.REDIS_MAX_GB,
                             "Memorystore for Redis takes a whole number of GB from {low} to "
                             "{high}", whole=True),
    "redis.replicas": Range(0, gcp_catalog.MAX_REPLICAS,
                            "Memorystore for Redis has {low} (BASIC tier), 1 (STANDARD_HA) or "
                            "up to {high} with read replicas"),
    "memcached.nodes": Range(1, gcp_catalog.MEMCACHED_MAX_NODES,
                             "Memorystore for Memcached has {low} to {high} nodes"),
    # Each Redis instance takes a /29 (a /28 with read replicas), each Memcached node a /29 of
    # the allocated range; Google suggests /16, and smaller than /24 leaves little room.
    "network.gcp.psa_prefix_length": Range(16, 24, "use a prefix from /{low} to /{high} for the "
                                                   "private services access range",
                                           shown="a /{value}"),
}



def check_valkey_units(shards: int, replicas: int, path: str, problems: list[Problem],
                       where: str = "", fix: str | None = None) -> None:
    """An instance's usage units, shards x (1 + replicas), its nodes: at most
    VALKEY_MAX_INSTANCE_UNITS per instance, a secondary's own included."""
    if not (1 <= shards <= gcp_catalog.VALKEY_MAX_SHARDS
            and 0 <= replicas <= gcp_catalog.MAX_REPLICAS):
        return                                  # out of range: that check says so
    units = shards * (1 + replicas)
    most = gcp_catalog.VALKEY_MAX_INSTANCE_UNITS
    if units > most:
        each = f"{replicas} replica{'' if replicas == 1 else 's'}"
        fix = fix or f"e.g. {most // (1 + replicas)} shards with {each}"
        problems.append(Problem(path, f"{shards} shards of {1 + replicas} nodes (1 primary, "
                                f"{each}) make {units} nodes{where}; a Memorystore for Valkey "
                                f"instance holds at most {most} (usage units), {fix}."))


def redis_capacity_warnings(caches: Sequence[GcpCacheSpec], region: str) -> list[str]:
    """The stack's Redis instances (all in its region) against the default regional quota; other
    instances of the project count too, so this is the least they need."""
    total = sum(cache.memory_gb for cache in caches if cache.engine == "redis")
    if total <= gcp_catalog.REDIS_REGION_QUOTA_GB:
        return []
    return [f"caches: the Memorystore for Redis instances hold {total} GB in {region}; the "
            f"default quota is {gcp_catalog.REDIS_REGION_QUOTA_GB} GB a region (Total Redis "
            "capacity (GB)), so ask Google for more before `pulumi up`."]


def cluster_disabled_replica_warnings(replicas: int, secondary_replicas: int,
                                      path: str) -> list[str]:
    """A Valkey instance without cluster mode past its documented replicas: one warning, on
    the primary's count, or else on its secondaries' own (0: no secondaries)."""
    limit = gcp_catalog.VALKEY_CLUSTER_DISABLED_MAX_REPLICAS
    crowded = [(key, count) for key, count in ((f"{path}.replicas", replicas),
                                               (f"{path}.global.secondary_replicas",
                                                secondary_replicas)) if count > limit]
    return [f"{key}: {count} replicas on one shard without cluster mode; Google's Cluster Mode "
            f"page says a Cluster Mode Disabled instance has at most {limit} read replicas. If "
            f"the create is refused, use {limit} or set gcp.cluster_mode: true (decided at "
            "creation)." for key, count in crowded[:1]]
