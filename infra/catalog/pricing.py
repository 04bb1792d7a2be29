"""On-demand prices for cost estimates (offline plan, right-sizing).

AWS: ElastiCache node-based clusters, on-demand USD per node-hour in us-east-1 for Redis OSS
and Memcached, from the AWS ElastiCache pricing page (read 2025-10). Valkey nodes are priced
20 % below Redis OSS (same page). Other regions apply the multiplier below, an approximation
of the published regional prices (typically within 5 %); `priced_exactly` says which.
Not included anywhere: data transfer (including Global Datastore cross-region replication),
backup storage beyond the free allowance, CloudWatch, KMS and log ingestion.
"""

from __future__ import annotations

HOURS_PER_MONTH = 730
PRICES_AS_OF = "2025-10"
PRICES_SOURCE = "aws.amazon.com/elasticache/pricing (on-demand, node-based)"
VALKEY_DISCOUNT = 0.20

_SIZES = ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge")


def _family(name: str, prices: tuple[float | None, ...],
            sizes: tuple[str, ...] = _SIZES) -> dict[str, float]:
    return {f"cache.{name}.{size}": price for size, price in zip(sizes, prices, strict=True)
            if price is not None}


# Redis OSS / Memcached, us-east-1, USD per node-hour.
AWS_NODE_HOURLY_USD: dict[str, float] = {
    **_family("t4g", (0.016, 0.032, 0.065), ("micro", "small", "medium")),
    **_family("t3", (0.017, 0.034, 0.068), ("micro", "small", "medium")),
    **_family("m7g", (0.158, 0.315, 0.629, 1.257, 2.514, 3.771, 5.028)),
    **_family("m6g", (0.149, 0.298, 0.595, 1.190, 2.380, 3.571, 4.761)),
    **_family("m5", (0.156, 0.311, 0.623, 1.245, None, 3.740, None)),
    **_family("r7g", (0.219, 0.437, 0.873, 1.745, 3.490, 5.235, 6.980)),
    **_family("r6g", (0.206, 0.411, 0.821, 1.642, 3.284, 4.926, 6.568)),
    **_family("r5", (0.216, 0.431, 0.862, 1.723, None, 5.170, None)),
    **_family("r6gd", (None, 0.781, 1.562, 3.124, 6.248, 9.372, 12.496)),
    **_family("c7gn", (0.255, 0.510, 1.020, 2.040, 4.080, 6.120, 8.160)),
}

# Approximate price level of a region relative to us-east-1.
AWS_REGION_MULTIPLIER: dict[str, float] = {
    "us-east-1": 1.00, "us-east-2": 1.00, "us-west-2": 1.00, "us-west-1": 1.12,
    "ca-central-1": 1.10, "eu-west-1": 1.10, "eu-west-2": 1.15, "eu-central-1": 1.18,
    "eu-north-1": 1.06, "eu-west-3": 1.15, "ap-northeast-1": 1.27, "ap-southeast-1": 1.22,
    "ap-southeast-2": 1.22, "ap-south-1": 1.12, "sa-east-1": 1.48,
}
DEFAULT_REGION_MULTIPLIER = 1.25


def aws_node_hourly_usd(node_type: str, engine: str, region: str) -> tuple[float, bool]:
    """(USD per node-hour, priced_exactly). Raises KeyError for a node type without a price."""
    base = AWS_NODE_HOURLY_USD[node_type]
    if engine == "valkey":
        base *= 1 - VALKEY_DISCOUNT
    exact = region == "us-east-1"
    return round(base * AWS_REGION_MULTIPLIER.get(region, DEFAULT_REGION_MULTIPLIER), 4), exact


# ElastiCache Serverless, us-east-1, USD: per GB-hour of data stored (hourly average, at least
# the engine's minimum, catalog.SERVERLESS_MIN_BILLED_GB) and per million ECPUs.
#   Redis OSS and Memcached: 0.125 / GB-hour, 0.0034 / million ECPUs (AWS Database Blog,
#     "Unlock on-demand, cost-optimized performance with Amazon ElastiCache Serverless").
#   Valkey: 0.084 / GB-hour, 0.0023 / million ECPUs (aws.amazon.com/elasticache/pricing, as
#     quoted by usage.ai's "ElastiCache Serverless pricing", June 2026); about a third below
#     Redis OSS, in line with the node-based Valkey discount.
# Other regions apply AWS_REGION_MULTIPLIER (eu-west-1 Redis OSS is quoted at 0.14 / GB-hour
# and 0.0038 / million ECPUs, 1.12 x; the multiplier says 1.10): approximate there.
SERVERLESS_PRICES_AS_OF = "2026-06"
AWS_SERVERLESS_GB_HOURLY_USD = {"valkey": 0.084, "redis": 0.125, "memcached": 0.125}
AWS_SERVERLESS_USD_PER_MILLION_ECPU = {"valkey": 0.0023, "redis": 0.0034, "memcached": 0.0034}


def aws_serverless_usd(engine: str, region: str) -> tuple[float, float, bool]:
    """(USD per GB-hour, USD per million ECPUs, priced_exactly) for a serverless cache."""
    multiplier = AWS_REGION_MULTIPLIER.get(region, DEFAULT_REGION_MULTIPLIER)
    return (round(AWS_SERVERLESS_GB_HOURLY_USD[engine] * multiplier, 4),
            round(AWS_SERVERLESS_USD_PER_MILLION_ECPU[engine] * multiplier, 6),
            region == "us-east-1")


def monthly(hourly: float, nodes: int = 1) -> float:
    return round(hourly * nodes * HOURS_PER_MONTH, 2)


# ---------------------------------------------------------------------------------------------
# GCP Memorystore. USD, on-demand, us-central1 (Iowa) list prices, read 2025-10 from the
# Memorystore pricing pages below. Unlike the AWS table these figures could not be re-read
# from a machine-readable source when this table was written: treat them as estimates and
# check the pages before quoting a number to anyone. Other regions apply the approximate
# multiplier below; `priced_exactly` is True only in us-central1.
#   Redis      cloud.google.com/memorystore/docs/redis/pricing     per GB-hour of provisioned
#              capacity, by tier (BASIC / STANDARD_HA) and capacity tier M1..M5
#   Valkey     cloud.google.com/memorystore/docs/valkey/pricing    per node-hour by node type
#   Memcached  cloud.google.com/memorystore/docs/memcached/pricing per vCPU-hour + per GB-hour
# Not included: network egress, cross-region replication traffic, backup/export storage,
# Private Service Connect / service networking charges, Cloud Monitoring.
# ---------------------------------------------------------------------------------------------
GCP_PRICES_AS_OF = "2025-10"
GCP_PRICES_SOURCE = ("cloud.google.com/memorystore/docs/{redis,valkey,memcached}/pricing "
                     "(on-demand, us-central1; estimates, see infra/pricing.py)")
GCP_BASE_REGION = "us-central1"

# Capacity tiers of Memorystore for Redis: (upper bound in GB inclusive, name).
GCP_REDIS_CAPACITY_TIERS: tuple[tuple[float, str], ...] = (
    (4, "M1"), (10, "M2"), (35, "M3"), (100, "M4"), (300, "M5"),
)
# USD per GB-hour. STANDARD_HA's price covers the primary and its one failover replica.
GCP_REDIS_GB_HOURLY_USD: dict[str, dict[str, float]] = {
    "BASIC": {"M1": 0.049, "M2": 0.027, "M3": 0.023, "M4": 0.019, "M5": 0.016},
    "STANDARD_HA": {"M1": 0.064, "M2": 0.054, "M3": 0.046, "M4": 0.038, "M5": 0.032},
}
# Memorystore for Valkey, USD per node-hour, and each node type's capacity (GB) from the
# instance and node specification page.
GCP_VALKEY_NODE_HOURLY_USD: dict[str, float] = {
    "SHARED_CORE_NANO": 0.0375,
    "STANDARD_SMALL": 0.1006,
    "HIGHMEM_MEDIUM": 0.1808,
    "HIGHMEM_XLARGE": 0.8069,
}
# Memorystore for Memcached, USD per vCPU-hour and per GB-hour of node memory.
GCP_MEMCACHED_VCPU_HOURLY_USD = 0.050
GCP_MEMCACHED_GB_HOURLY_USD = 0.0044

GCP_REGION_MULTIPLIER: dict[str, float] = {
    "us-central1": 1.00, "us-east1": 1.00, "us-west1": 1.00, "us-east4": 1.12,
    "us-west2": 1.20, "northamerica-northeast1": 1.10, "europe-west1": 1.10,
    "europe-north1": 1.10, "europe-west4": 1.10, "europe-west2": 1.20, "europe-west3": 1.20,
    "asia-east1": 1.15, "asia-northeast1": 1.28, "asia-southeast1": 1.23,
    "australia-southeast1": 1.35, "southamerica-east1": 1.50,
}


def _gcp_region(hourly: float, region: str) -> tuple[float, bool]:
    multiplier = GCP_REGION_MULTIPLIER.get(region, DEFAULT_REGION_MULTIPLIER)
    return round(hourly * multiplier, 4), region == GCP_BASE_REGION


def gcp_redis_capacity_tier(capacity_gb: float) -> str:
    """'M1'..'M5' for a Memorystore for Redis capacity. Raises ValueError outside 1-300 GB."""
    if not 1 <= capacity_gb <= 300:
        raise ValueError(f"{capacity_gb} GB is outside Memorystore for Redis' 1-300 GB")
    return next(name for limit, name in GCP_REDIS_CAPACITY_TIERS if capacity_gb <= limit)


def gcp_redis_hourly_usd(tier: str, capacity_gb: float, region: str = GCP_BASE_REGION,
                         read_replicas: int = 0) -> tuple[float, bool]:
    """(USD per hour for the whole instance, priced_exactly).

    tier: BASIC or STANDARD_HA. The STANDARD_HA rate includes one replica; a Standard
    instance with read replicas enabled (1-5 replicas) is billed per node, modelled here as
    every replica beyond the first adding half of the STANDARD_HA rate (one node's share).
    """
    tier = tier.upper()
    if tier == "STANDARD":
        tier = "STANDARD_HA"
    rate = GCP_REDIS_GB_HOURLY_USD[tier][gcp_redis_capacity_tier(capacity_gb)]
    nodes_factor = 1.0
    if tier == "STANDARD_HA" and read_replicas > 1:
        nodes_factor += (read_replicas - 1) / 2
    return _gcp_region(rate * capacity_gb * nodes_factor, region)


def gcp_valkey_node_hourly_usd(node_type: str, region: str = GCP_BASE_REGION
                               ) -> tuple[float, bool]:
    """(USD per node-hour, priced_exactly). node_type as the API spells it (HIGHMEM_MEDIUM) or
    as the docs do (highmem-medium). Raises KeyError for an unknown node type."""
    key = node_type.upper().replace("-", "_")
    return _gcp_region(GCP_VALKEY_NODE_HOURLY_USD[key], region)


def gcp_memcached_node_hourly_usd(vcpus: int, memory_gb: float,
                                  region: str = GCP_BASE_REGION) -> tuple[float, bool]:
    """(USD per node-hour, priced_exactly) for a Memcached node of `vcpus` and `memory_gb`."""
    hourly = vcpus * GCP_MEMCACHED_VCPU_HOURLY_USD + memory_gb * GCP_MEMCACHED_GB_HOURLY_USD
    return _gcp_region(hourly, region)
