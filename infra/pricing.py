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


def monthly(hourly: float, nodes: int = 1) -> float:
    return round(hourly * nodes * HOURS_PER_MONTH, 2)
