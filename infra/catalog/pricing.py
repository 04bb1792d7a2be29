"""On-demand prices for cost estimates (offline plan, right-sizing).

AWS: ElastiCache node-based clusters, on-demand USD per node-hour in us-east-1 for Redis OSS
and Memcached, from the AWS ElastiCache pricing page (read 2025-10). Valkey nodes are priced
20 % below Redis OSS (same page). Other regions apply the multiplier below, an approximation
of the published regional prices (typically within 5 %); `priced_exactly` says which.
Not included anywhere: data transfer (including Global Datastore cross-region replication),
backup storage beyond the free allowance, CloudWatch, KMS and log ingestion.
"""

from __future__ import annotations

from infra.catalog import gcp_prices

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
    # The 24xlarge sizes: 7.488 and 10.368 (DefangLabs/pulumi-defang's ElastiCache catalog,
    # from aws.amazon.com/elasticache/pricing and instances.vantage.sh).
    "cache.m5.24xlarge": 7.488, "cache.r5.24xlarge": 10.368,
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
# GCP Memorystore, USD, on-demand. Redis (per GiB-hour by tier and capacity tier) and Valkey (per
# node-hour by node type): list prices for every region the config accepts, from a dated
# Cloud Billing Catalog snapshot - source, date and cross-check in infra/catalog/gcp_prices.py.
# Those are exact (`priced_exactly`). Two figures have no verifiable source and are estimates,
# never exact:
#   Memcached: 0.050 USD per vCPU-hour and 0.0044 USD per GB-hour in us-central1 (read 2025-10
#     from cloud.google.com/memorystore/docs/memcached/pricing, not re-verifiable from any saved
#     catalog data); other regions scaled by that region's Valkey standard-small price level.
#   Redis Standard with read replicas (2-5): billed per node ("Redis Standard Node Capacity"
#     SKUs, not in the snapshot); modelled as half the Standard rate per node - the Standard
#     rate covers two nodes, a primary and one replica.
# Not included: network egress, cross-region replication traffic, backup/export storage,
# Private Service Connect / service networking charges, Cloud Monitoring.
# ---------------------------------------------------------------------------------------------
GCP_PRICES_AS_OF = gcp_prices.SNAPSHOT_DATE
GCP_PRICES_SOURCE = gcp_prices.SNAPSHOT_SOURCE
GCP_BASE_REGION = "us-central1"
GCP_MEMCACHED_AS_OF = "2025-10"

# Capacity tiers of Memorystore for Redis: (upper bound in GB inclusive, name).
GCP_REDIS_CAPACITY_TIERS: tuple[tuple[float, str], ...] = (
    (4, "M1"), (10, "M2"), (35, "M3"), (100, "M4"), (300, "M5"),
)
GCP_REDIS_GIB_HOURLY_USD: dict[str, dict[str, dict[str, float]]] = {
    "BASIC": gcp_prices.REDIS_BASIC_GIB_HOURLY,
    "STANDARD_HA": gcp_prices.REDIS_STANDARD_GIB_HOURLY,
}
# The us-central1 column, for quick reference and tests.
GCP_REDIS_GB_HOURLY_USD: dict[str, dict[str, float]] = {
    tier: {m: prices[GCP_BASE_REGION] for m, prices in by_m.items()}
    for tier, by_m in GCP_REDIS_GIB_HOURLY_USD.items()
}
GCP_VALKEY_NODE_HOURLY_USD: dict[str, float] = {
    node: prices[GCP_BASE_REGION] for node, prices in gcp_prices.VALKEY_NODE_HOURLY.items()
}
# Memorystore for Memcached, us-central1, USD per vCPU-hour and per GB-hour of node memory.
GCP_MEMCACHED_VCPU_HOURLY_USD = 0.050
GCP_MEMCACHED_GB_HOURLY_USD = 0.0044
# For a region missing from the snapshot (not one the config accepts): us-central1 x this.
GCP_UNKNOWN_REGION_MULTIPLIER = 1.25


def _gcp_regional(prices: dict[str, float], region: str) -> tuple[float, bool]:
    """(price in `region`, exact): the snapshot's price, else us-central1's x 1.25."""
    if region in prices:
        return prices[region], True
    return prices[GCP_BASE_REGION] * GCP_UNKNOWN_REGION_MULTIPLIER, False


def gcp_redis_capacity_tier(capacity_gb: float) -> str:
    """'M1'..'M5' for a Memorystore for Redis capacity. Raises ValueError outside 1-300 GB."""
    if not 1 <= capacity_gb <= 300:
        raise ValueError(f"{capacity_gb} GB is outside Memorystore for Redis' 1-300 GB")
    return next(name for limit, name in GCP_REDIS_CAPACITY_TIERS if capacity_gb <= limit)


def gcp_redis_node_gib_hourly_usd(capacity_gb: float, region: str = GCP_BASE_REGION
                                  ) -> tuple[float, bool]:
    """(USD per GiB-hour for one node of a Standard instance with read replicas, exact=False):
    half the region's Standard rate (module comment)."""
    standard, _ = _gcp_regional(
        GCP_REDIS_GIB_HOURLY_USD["STANDARD_HA"][gcp_redis_capacity_tier(capacity_gb)], region)
    return standard / 2, False


def gcp_redis_hourly_usd(tier: str, capacity_gb: float, region: str = GCP_BASE_REGION,
                         read_replicas: int = 0) -> tuple[float, bool]:
    """(USD per hour for the whole instance, priced_exactly).

    tier: BASIC or STANDARD_HA. BASIC and STANDARD_HA with at most one replica: the region's
    list price per GiB-hour x capacity, exact. STANDARD_HA with 2-5 read replicas: per node,
    1 + read_replicas nodes at gcp_redis_node_gib_hourly_usd - an estimate.
    """
    tier = tier.upper()
    if tier == "STANDARD":
        tier = "STANDARD_HA"
    capacity_tier = gcp_redis_capacity_tier(capacity_gb)
    if tier == "STANDARD_HA" and read_replicas > 1:
        per_node, _ = gcp_redis_node_gib_hourly_usd(capacity_gb, region)
        return round(per_node * capacity_gb * (1 + read_replicas), 4), False
    rate, exact = _gcp_regional(GCP_REDIS_GIB_HOURLY_USD[tier][capacity_tier], region)
    return round(rate * capacity_gb, 4), exact


def gcp_valkey_node_hourly_usd(node_type: str, region: str = GCP_BASE_REGION
                               ) -> tuple[float, bool]:
    """(USD per node-hour, priced_exactly). node_type as the API spells it (HIGHMEM_MEDIUM) or
    as the docs do (highmem-medium). Raises KeyError for an unknown node type."""
    key = node_type.upper().replace("-", "_")
    price, exact = _gcp_regional(gcp_prices.VALKEY_NODE_HOURLY[key], region)
    return round(price, 4), exact


def gcp_memcached_node_hourly_usd(vcpus: int, memory_gb: float,
                                  region: str = GCP_BASE_REGION) -> tuple[float, bool]:
    """(USD per node-hour, priced_exactly=False) for a Memcached node of `vcpus` and
    `memory_gb`: an estimate everywhere (module comment)."""
    hourly = vcpus * GCP_MEMCACHED_VCPU_HOURLY_USD + memory_gb * GCP_MEMCACHED_GB_HOURLY_USD
    level, _ = _gcp_regional(gcp_prices.VALKEY_NODE_HOURLY["STANDARD_SMALL"], region)
    return round(hourly * level / GCP_VALKEY_NODE_HOURLY_USD["STANDARD_SMALL"], 4), False
