"""The simple numeric limits of config keys, each stated once.

An entry names the key, its lowest and highest value and what the message says is allowed
({low} and {high} stand for the two numbers); `common.check_range` checks a value against it and
phrases the message "<value> is not allowed; <allowed>.". Limits that depend on other settings
(availability zones by profile, Memcached memory per vCPU, expected serverless usage) stay with
their rules. Sources: docs/cloud-rules.md.
"""

from __future__ import annotations

from infra.catalog import aws as aws_catalog
from infra.catalog import gcp as gcp_catalog
from infra.config.common import Range

# ElastiCache (Terraform aws_elasticache_replication_group / cluster docs, AWS quotas).
_AWS_SHARDS = (1, 500)
_AWS_REPLICAS = (0, 5)                  # per shard

AWS_LIMITS: dict[str, Range] = {
    "nodes": Range(1, 40, "a Memcached cluster has {low} to {high} nodes"),
    "shards": Range(*_AWS_SHARDS, "a replication group has {low} to {high} shards"),
    "replicas": Range(*_AWS_REPLICAS, "ElastiCache allows {low} to {high} replicas per shard "
                                      "(1 to 6 nodes)"),
    "snapshot_retention_days": Range(0, 35, "ElastiCache keeps {low} to {high} days"),
    "aws.port": Range(1024, 65535, "use {low} to {high}"),
    "network.availability_zones.development": Range(1, 6, "use {low} to {high}"),
    "network.availability_zones.production": Range(
        2, 6, "use {low} to {high} (production spreads replicas across at least {low} zones for "
              "Multi-AZ)"),
    "global.secondary_regions": Range(1, 2, "a Global Datastore has {low} to {high}",
                                      shown="{value} secondary regions"),
    "global.secondary_replicas": Range(*_AWS_REPLICAS, "use {low} to {high} replicas per shard"),
    "autoscaling.replicas": Range(*_AWS_REPLICAS, "ElastiCache keeps {low} to {high} replicas"),
    "autoscaling.shards": Range(*_AWS_SHARDS, "ElastiCache keeps {low} to {high} shards"),
    "autoscaling.target_percent": Range(*aws_catalog.AUTOSCALING_TARGET_PERCENT,
                                        "ElastiCache auto scaling targets {low} to {high} %"),
    "serverless.max_data_gb": Range(*aws_catalog.SERVERLESS_DATA_GB,
                                    "a serverless cache stores {low} to {high} GB"),
    "serverless.max_ecpu_per_second": Range(*aws_catalog.SERVERLESS_ECPU_PER_SECOND,
                                            "use {low:,} to {high:,} ECPUs a second"),
}

# Memorystore (the numbers and their sources are in infra/catalog/gcp.py).
GCP_LIMITS: dict[str, Range] = {
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

# Both clouds.
STACK_LIMITS: dict[str, Range] = {
    # Names that follow a failover need a short TTL (infra/config/dns.py DNS_DEFAULT_TTL).
    "network.dns.ttl": Range(5, 300, "use {low} to {high} seconds (names that follow a failover "
                                     "need a short TTL)"),
    "alarms.percent": Range(1, 100, "a percentage is {low} to {high}"),
    "alarms.cache_hit_rate_percent": Range(0, 100, "use {low} (no alarm) to {high}"),
}
