"""Static facts about the clouds' cache products: engine versions, node types, limits.

Kept as plain data so validation, naming, alarms and the offline plan read one source.
Sources: the AWS ElastiCache user guide (supported node types, engine versions, parameter-group
families) and the Terraform AWS provider docs for aws_elasticache_replication_group.
"""

from __future__ import annotations

from dataclasses import dataclass

from infra.catalog.profiles import by_profile

# ---------------------------------------------------------------------------------------------
# Engine versions -> parameter-group family (AWS).
# Valkey and Redis 7+ take "major.minor"; Redis 6 takes "6.x" or "6.2" (docs/cloud-rules.md).
# Redis OSS 4 and 5 are in paid extended support and not offered for new caches.
# Redis OSS 6 is offered with TLS but without a transit encryption mode, which ElastiCache takes
# only from Redis OSS 7.0.5 (components/provider_facts.py): TLS is then required of every client.
# ---------------------------------------------------------------------------------------------
AWS_ENGINE_VERSIONS: dict[str, dict[str, str]] = {
    "valkey": {
        "7.2": "valkey7",
        "8.0": "valkey8",
        "8.1": "valkey8",
        "8.2": "valkey8",
        "9.0": "valkey9",
        "9.1": "valkey9",      # ElastiCache user guide, engine-versions: "version 9.1 for Valkey"
    },
    "redis": {
        "6.x": "redis6.x",
        "6.2": "redis6.x",
        "7.0": "redis7",
        "7.1": "redis7",
    },
    "memcached": {
        "1.6.12": "memcached1.6",
        "1.6.17": "memcached1.6",
        "1.6.22": "memcached1.6",
    },
}

DEFAULT_ENGINE_VERSION: dict[str, str] = {
    "valkey": "8.1",
    "redis": "7.1",
    "memcached": "1.6.22",
}

# Default ports of the engines (ElastiCache and Memorystore agree, except Memorystore Redis
# with TLS, which moves to 6378).
ENGINE_PORT: dict[str, int] = {"valkey": 6379, "redis": 6379, "memcached": 11211}


def parameter_group_family(engine: str, version: str) -> str:
    return AWS_ENGINE_VERSIONS[engine][version]


# ---------------------------------------------------------------------------------------------
# Node types (AWS). memory_gib is the node's memory as AWS lists it; usable memory leaves room
# for the reserved-memory-percent of 25 % that ElastiCache applies by default to Valkey/Redis.
# ---------------------------------------------------------------------------------------------
RESERVED_MEMORY_FRACTION = 0.25


@dataclass(frozen=True)
class NodeType:
    name: str
    memory_gib: float
    vcpus: int

    @property
    def family(self) -> str:  # "cache.r7g.large" -> "r7g"
        return self.name.split(".")[1]

    @property
    def size(self) -> str:  # "cache.r7g.large" -> "large"
        return self.name.split(".")[2]

    @property
    def burstable(self) -> bool:
        return self.family.startswith("t")

    @property
    def usable_memory_gib(self) -> float:
        return round(self.memory_gib * (1 - RESERVED_MEMORY_FRACTION), 2)

    @property
    def data_tiering(self) -> bool:
        # Data tiering is required for, and only for, r6gd nodes (docs/cloud-rules.md).
        return self.family == "r6gd"


# Data tiering limitations: "Data tiering only supports volatile-lru, allkeys-lru and noeviction
# maxmemory policies" (https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/data-tiering.html).
DATA_TIERING_EVICTION_POLICIES = ("volatile-lru", "allkeys-lru", "noeviction")


def _sizes(family: str, sizes: dict[str, tuple[float, int]]) -> list[NodeType]:
    return [NodeType(f"cache.{family}.{size}", mem, cpu) for size, (mem, cpu) in sizes.items()]


_GRAVITON_M = {
    "large": (6.38, 2), "xlarge": (12.93, 4), "2xlarge": (26.04, 8), "4xlarge": (52.26, 16),
    "8xlarge": (103.68, 32), "12xlarge": (157.12, 48), "16xlarge": (209.55, 64),
}
_GRAVITON_R = {
    "large": (13.07, 2), "xlarge": (26.32, 4), "2xlarge": (52.82, 8), "4xlarge": (105.81, 16),
    "8xlarge": (209.55, 32), "12xlarge": (317.77, 48), "16xlarge": (419.09, 64),
}
_BURSTABLE = {"micro": (0.5, 2), "small": (1.37, 2), "medium": (3.09, 2)}

NODE_TYPES: dict[str, NodeType] = {
    node.name: node
    for node in [
        *_sizes("t4g", _BURSTABLE),
        *_sizes("t3", _BURSTABLE),
        *_sizes("m7g", _GRAVITON_M),
        *_sizes("m6g", _GRAVITON_M),
        # m5 and r5 have no 8xlarge or 16xlarge but a 24xlarge (96 vCPU; maxmemory from the
        # Redis OSS node-type specific parameters, ParameterGroups.Engine.html).
        *_sizes("m5", {**{k: v for k, v in _GRAVITON_M.items() if k not in ("8xlarge", "16xlarge")},
                       "24xlarge": (314.32, 96)}),
        *_sizes("r7g", _GRAVITON_R),
        *_sizes("r6g", _GRAVITON_R),
        *_sizes("r5", {**{k: v for k, v in _GRAVITON_R.items() if k not in ("8xlarge", "16xlarge")},
                       "24xlarge": (635.61, 96)}),
        *_sizes("r6gd", {k: v for k, v in _GRAVITON_R.items() if k != "large"}),
        *_sizes("c7gn", {"large": (3.09, 2), "xlarge": (6.38, 4), "2xlarge": (12.94, 8),
                         "4xlarge": (26.05, 16), "8xlarge": (52.26, 32),
                         "12xlarge": (78.56, 48), "16xlarge": (105.81, 64)}),
    ]
}

# Memcached's `max_cache_memory` in MB per node type, fixed by ElastiCache ("Memcached node-type
# specific parameters", https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/
# ParameterGroups.Engine.html#ParameterGroups.Memcached.NodeSpecific). The table is also the
# list of node types Memcached runs on: it has no r6gd (data tiering is Valkey/Redis only).
# Its c7gn.12xlarge row reads 325400, the r-family 12xlarge figure, between 53516 (8xlarge) and
# 108347 (16xlarge): we take the node's maxmemory, 78.56 GiB, instead.
MEMCACHED_MAX_CACHE_MEMORY_MB: dict[str, int] = {
    "cache.t3.micro": 512, "cache.t3.small": 1402, "cache.t3.medium": 3364,
    "cache.t4g.micro": 512, "cache.t4g.small": 1402, "cache.t4g.medium": 3164,
    **{f"cache.{family}.{size}": mb for family in ("m5", "m6g", "m7g")
       for size, mb in {"large": 6537, "xlarge": 13248, "2xlarge": 26671, "4xlarge": 53516,
                        "8xlarge": 107000, "12xlarge": 160900, "16xlarge": 214577,
                        "24xlarge": 321865}.items()
       if f"cache.{family}.{size}" in NODE_TYPES},
    **{f"cache.{family}.{size}": mb for family in ("r5", "r6g", "r7g")
       for size, mb in {"large": 13387, "xlarge": 26953, "2xlarge": 54084, "4xlarge": 108347,
                        "8xlarge": 214577, "12xlarge": 325400, "16xlarge": 429154,
                        "24xlarge": 650869}.items()
       if f"cache.{family}.{size}" in NODE_TYPES},
    "cache.c7gn.large": 3164, "cache.c7gn.xlarge": 6537, "cache.c7gn.2xlarge": 13248,
    "cache.c7gn.4xlarge": 26671, "cache.c7gn.8xlarge": 53516, "cache.c7gn.12xlarge": 80445,
    "cache.c7gn.16xlarge": 108347,
}

# Memcached 1.6 defaults (ElastiCache memcached1.6 family): 1 MiB items, 512 KiB slab chunks.
MEMCACHED_ITEM_SIZE, MEMCACHED_SLAB_CHUNK = 1048576, 524288
MEMCACHED_CONNECTIONS_OVERHEAD_MB = 100         # ElastiCache's default (Memcached parameters)
MEMCACHED_SLAB_PAGE = 1048576                   # settings.slab_page_size, memcached.c


def memcached_item_memory_mb(node_type: str, overhead_mb: int) -> int:
    """What memcached gets for items (its -m, in MiB): the node type's max_cache_memory less
    memcached_connections_overhead."""
    return max(MEMCACHED_MAX_CACHE_MEMORY_MB[node_type] - overhead_mb, 0)


def memcached_largest_item(node_type: str, overhead_mb: int, chunk: int) -> int:
    """The largest max_item_size ElastiCache accepts on the node type: a quarter of its item
    memory, in whole slab chunks (Version management, Memcached 1.5.10 changes)."""
    return memcached_item_memory_mb(node_type, overhead_mb) * 2**20 // 4 // chunk * chunk

# Node families ElastiCache Global Datastore accepts, size large or bigger (docs/cloud-rules.md).
GLOBAL_DATASTORE_FAMILIES = frozenset(
    {"m5", "m6g", "m7g", "m8g", "r5", "r6g", "r6gd", "r7g", "r8g", "c7gn"}
)

# ElastiCache Auto Scaling for Valkey/Redis (AWS ElastiCache user guide, "Auto Scaling Valkey
# and Redis OSS clusters", docs.aws.amazon.com/AmazonElastiCache/latest/dg/AutoScaling.html,
# read 2026-09): cluster mode enabled only; Valkey 7.2+ or Redis OSS 6.0+ (data tiering: Valkey
# 7.2+ or Redis OSS 7.0.7+, which ElastiCache's "7.0" is); sizes large, xlarge and 2xlarge of
# R7g, R6g, R6gd, R5, M7g, M6g, M5, C7gn; not on a Global Datastore, Outposts or Local Zones.
AUTOSCALING_FAMILIES = frozenset({"r7g", "r6g", "r6gd", "r5", "m7g", "m6g", "m5", "c7gn"})
AUTOSCALING_SIZES = ("large", "xlarge", "2xlarge")
AUTOSCALING_MIN_VERSION = {"valkey": (7, 2), "redis": (6, 0)}
AUTOSCALING_DATA_TIERING_MIN_VERSION = {"valkey": (7, 2), "redis": (7, 0)}
# Target-tracking targets the console and the docs accept: 35 to 70 percent
# (AutoScaling-Scaling-Policies-Replicas-Replicas.html, AutoScaling-Scaling-Adding-Policy-
# Shards.html). Scale-in waits until the metric is below 75 % of the target.
AUTOSCALING_TARGET_PERCENT = (35, 70)
# Predefined target-tracking metrics (AutoScaling-Scaling-Policies-Target.html): replicas track
# the replicas' average engine CPU; shards track memory counted for eviction, or capacity
# (memory + SSD) on data-tiering nodes, which cannot use the memory metric.
AUTOSCALING_REPLICA_METRIC = "ElastiCacheReplicaEngineCPUUtilization"
AUTOSCALING_SHARD_MEMORY_METRIC = "ElastiCacheDatabaseMemoryUsageCountedForEvictPercentage"
AUTOSCALING_SHARD_CAPACITY_METRIC = "ElastiCacheDatabaseCapacityUsageCountedForEvictPercentage"


# ElastiCache Serverless (aws.elasticache.ServerlessCache).
# Major engine versions a serverless cache takes (`major_engine_version`; the service applies
# minor and patch versions itself, AWS "Version Management for ElastiCache"): the CacheEngine
# versions of aws-cdk's @aws-cdk/aws-elasticache-alpha (VALKEY_7, VALKEY_8, REDIS_7,
# MEMCACHED 1.6). Our `engine_version` maps to its major.
SERVERLESS_MAJOR_VERSION: dict[str, dict[str, str]] = {
    "valkey": {"7.2": "7", "8.0": "8", "8.1": "8", "8.2": "8"},
    "redis": {"7.0": "7", "7.1": "7"},
    "memcached": {"1.6.12": "1.6", "1.6.17": "1.6", "1.6.22": "1.6"},
}
# cache_usage_limits: data storage 1-5,000 GB (pulumi-aws ServerlessCacheCacheUsageLimits-
# DataStorageArgs), ECPU/s 1,000-15,000,000 (terraform-provider-aws serverless_cache.go,
# int64validator.Between(1000, 15000000)).
SERVERLESS_DATA_GB = (1, 5000)
SERVERLESS_ECPU_PER_SECOND = (1000, 15_000_000)
# Storage is metered at no less than this per cache (AWS ElastiCache pricing; AWS Database Blog
# "Unlock on-demand, cost-optimized performance with Amazon ElastiCache Serverless": 1 GB for
# Redis OSS; 100 MB for Valkey).
SERVERLESS_MIN_BILLED_GB = {"valkey": 0.1, "redis": 1.0, "memcached": 1.0}
# Endpoint ports: the primary (read/write) and, for Valkey/Redis, the reader endpoint on 6380
# (DescribeServerlessCaches Endpoint / ReaderEndpoint).
SERVERLESS_PORTS = {"valkey": (6379, 6380), "redis": (6379, 6380), "memcached": (11211,)}
# The plan's estimate when the config gives none: this fraction of each usage limit
# (and at least the billed minimum of storage). A documented assumption, not an AWS fact.
SERVERLESS_EXPECTED_FRACTION = 0.25
# AWS recommends alarming at 75 % of a serverless usage limit (ElastiCache user guide,
# "Scaling ElastiCache", Setting scaling limits to manage costs).
SERVERLESS_LIMIT_ALARM_PERCENT = 75


# Families `memory_gb` may choose from, in order of preference per profile: memory-optimised
# Graviton for production, burstable then general purpose for development.
SIZING_FAMILIES: dict[str, tuple[str, ...]] = {
    "production": ("r7g",),
    "development": ("t4g", "m7g", "r7g"),
}


def smallest_node_for(memory_gib: float, families: tuple[str, ...]) -> NodeType | None:
    """The node type with the least memory whose usable memory fits, among `families`."""
    fitting = [
        node for node in NODE_TYPES.values()
        if node.family in families and node.usable_memory_gib >= memory_gib
    ]
    return min(fitting, key=lambda n: (n.memory_gib, families.index(n.family)), default=None)


# AWS regions where ElastiCache is offered; used to catch typos. Asia Pacific (New Zealand),
# ap-southeast-6, has an ElastiCache endpoint (AWS General Reference, "Amazon ElastiCache
# endpoints and quotas"); which node types it offers is not documented yet, so none is refused.
AWS_REGIONS = frozenset({
    "us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "ca-west-1",
    "sa-east-1", "mx-central-1",
    "eu-west-1", "eu-west-2", "eu-west-3", "eu-central-1", "eu-central-2", "eu-north-1",
    "eu-south-1", "eu-south-2",
    "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-southeast-1", "ap-southeast-2",
    "ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "ap-southeast-6", "ap-southeast-7",
    "ap-south-1", "ap-south-2", "ap-east-1", "ap-east-2",
    "me-south-1", "me-central-1", "il-central-1", "af-south-1",
})

# Regions that offer only some node types. Supported node types: "The following instance types
# are supported in the AWS Asia Pacific (Thailand) and Mexico (Central) regions: m7g/r7g: large,
# xl, 2xl, 4xl, 8xl, 12xl and 16xl. t3/t4g: micro, small and medium."
# (https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/CacheNodes.SupportedTypes.html)
_FEW_NODE_TYPES = frozenset(
    node.name for node in NODE_TYPES.values() if node.family in ("m7g", "r7g", "t3", "t4g"))
_FEW_NODE_TYPES_TEXT = "m7g and r7g (large to 16xlarge), t3 and t4g (micro to medium)"
REGION_NODE_TYPES: dict[str, tuple[frozenset[str], str]] = {
    "ap-southeast-7": (_FEW_NODE_TYPES, _FEW_NODE_TYPES_TEXT),
    "mx-central-1": (_FEW_NODE_TYPES, _FEW_NODE_TYPES_TEXT),
}


def region_node_problem(node: NodeType, region: str) -> str | None:
    """Why `region` does not offer `node`, or None when it does (or is not limited)."""
    offered = REGION_NODE_TYPES.get(region)
    if offered is None or node.name in offered[0]:
        return None
    return (f"{node.name!r} is not offered in {region}; ElastiCache there offers only "
            f"{offered[1]}.")


# The commercial regions that offer Global Datastore, primary and secondaries alike (the China
# and GovCloud regions are not ElastiCache regions here). ElastiCache user guide, "Prerequisites
# and limitations" (read 2026-11):
#   https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Redis-Global-Datastores-Getting-Started.html
#   Africa: Cape Town. Asia Pacific: Hong Kong, Hyderabad, Jakarta, Malaysia, Melbourne, Mumbai,
#   Osaka, Seoul, Singapore, Sydney, Thailand, Tokyo. Canada: Central, West (Calgary). Europe:
#   Frankfurt, London, Ireland, Milan, Paris, Spain, Stockholm, Zurich. Israel: Tel Aviv.
#   Middle East: Bahrain, UAE. US: N. Virginia, Ohio, N. California, Oregon. South America:
#   Mexico (Central), Sao Paulo.
GLOBAL_DATASTORE_REGIONS = frozenset({
    "af-south-1",
    "ap-east-1", "ap-south-2", "ap-southeast-3", "ap-southeast-5", "ap-southeast-4", "ap-south-1",
    "ap-northeast-3", "ap-northeast-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-7",
    "ap-northeast-1",
    "ca-central-1", "ca-west-1",
    "eu-central-1", "eu-west-2", "eu-west-1", "eu-south-1", "eu-west-3", "eu-south-2",
    "eu-north-1", "eu-central-2",
    "il-central-1",
    "me-south-1", "me-central-1",
    "us-east-1", "us-east-2", "us-west-1", "us-west-2",
    "mx-central-1", "sa-east-1",
})


# ---------------------------------------------------------------------------------------------
# Profile defaults: what `profile: development | production` means on AWS, as data. A cache key
# left unset takes its value from the stack's profile; anything set explicitly wins.
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class AwsProfileDefaults:
    node_type: str
    replicas: int                  # per shard (Valkey/Redis)
    memcached_nodes: int
    snapshot_retention_days: int   # automatic daily backups kept
    final_snapshot: bool           # snapshot taken when the cache is deleted
    deletion_protection: bool      # Pulumi `protect` on data-holding resources
    create_kms_key: bool           # customer-managed KMS key for encryption at rest
    log_retention_days: int        # slow-log / engine-log retention in CloudWatch Logs
    # Security logging that costs money, on in production (Checkov CKV2_AWS_11, CKV_AWS_158):
    flow_logs: bool                # VPC flow logs of each VPC the stack creates
    flow_log_retention_days: int   # their retention in CloudWatch Logs
    log_kms_key: bool              # log groups encrypted with a customer-managed key per region
    apply_immediately: bool        # False: risky modifications wait for the maintenance window
    availability_zones: int
    maintenance_window: str        # UTC, weekly
    snapshot_window: str           # UTC, daily; does not overlap the maintenance window
    connection_secret: bool        # a Secrets Manager secret applications read


# Each setting once: (development, production).
PROFILES: dict[str, AwsProfileDefaults] = by_profile(
    AwsProfileDefaults,
    node_type=("cache.t4g.micro", "cache.r7g.large"),
    replicas=(0, 2),
    memcached_nodes=(1, 3),
    snapshot_retention_days=(1, 7),
    final_snapshot=(False, True),
    deletion_protection=(False, True),
    create_kms_key=(False, True),
    log_retention_days=(7, 365),            # production: a year of evidence (CKV_AWS_338)
    flow_logs=(False, True),                # ingestion is billed per GB
    flow_log_retention_days=(7, 365),
    log_kms_key=(False, True),              # a key costs 1 USD/month per region
    apply_immediately=(True, False),
    availability_zones=(2, 3),
    maintenance_window=("sun:05:00-sun:06:00", "sun:05:00-sun:06:00"),
    snapshot_window=("03:00-04:00", "03:00-04:00"),
    connection_secret=(False, True),
)
