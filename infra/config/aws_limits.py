"""The simple numeric limits of ElastiCache config keys, each stated once (see limits.py)."""

from __future__ import annotations

from infra.catalog import aws as aws_catalog
from infra.config.common import Problem, Range

# ElastiCache (Terraform aws_elasticache_replication_group / cluster docs, AWS quotas).
_AWS_SHARDS = (1, 500)
_AWS_REPLICAS = (0, 5)                  # per shard

AWS_LIMITS: dict[str, Range] = {
    # "A Memcached cluster can have up to 300 nodes" (ElastiCache user guide); the API takes
    # 40 until AWS raises the account's limit (DEFAULT_MEMCACHED_NODES).
    "nodes": Range(1, 300, "a Memcached cluster has {low} to {high} nodes"),
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
    # Auto scaling, Minimum and maximum capacity: shards "less than or equal to 250 with a
    # minimum of 1"; replicas "at least 1, and equal to or less than ... 5"
    # (https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/AutoScaling-Policies.html).
    "autoscaling.replicas": Range(1, 5, "ElastiCache auto scaling keeps {low} to {high} "
                                        "replicas"),
    "autoscaling.shards": Range(1, 250, "ElastiCache auto scaling keeps {low} to {high} shards"),
    "autoscaling.target_percent": Range(*aws_catalog.AUTOSCALING_TARGET_PERCENT,
                                        "ElastiCache auto scaling targets {low} to {high} %"),
    "serverless.max_data_gb": Range(*aws_catalog.SERVERLESS_DATA_GB,
                                    "a serverless cache stores {low} to {high} GB"),
    "serverless.max_ecpu_per_second": Range(*aws_catalog.SERVERLESS_ECPU_PER_SECOND,
                                            "use {low:,} to {high:,} ECPUs a second"),
}


# Nodes in one replication group, shards x (1 + replicas). ElastiCache user guide, High
# availability using replication groups: "up to 90 nodes per cluster", and "The node or shard
# limit can be increased to a maximum of 500 per cluster" (Valkey, and Redis OSS 5.0.6 or later:
# every version here). Service Quotas names the quota "Nodes per cluster (cluster mode enabled)".
MAX_GROUP_NODES = 500
DEFAULT_GROUP_NODES_QUOTA = 90
# CreateCacheCluster NumCacheNodes: "For clusters running Memcached, this value must be between 1
# and 40. If you need more than 40 nodes for your Memcached cluster, please fill out the
# ElastiCache Limit Increase Request form".
DEFAULT_MEMCACHED_NODES = 40
# A weekly maintenance window: "You can modify your cluster to specify a time range of up to 24
# hours in duration" (ElastiCache user guide, Managing maintenance); at least 60 minutes is
# common.MIN_WINDOW_MINUTES.
MAX_MAINTENANCE_MINUTES = 24 * 60


def check_group_nodes(shards: int, replicas: int, path: str, problems: list[Problem],
                      warnings: list[str] | None = None, *, what: str = "",
                      fix: str | None = None, refuse: bool = True) -> None:
    """A group of `shards` shards of one primary and `replicas` replicas each: past
    MAX_GROUP_NODES a problem (or, with `refuse` False, a warning) ending in `fix`; past the
    default quota, a warning. Either warning only when `warnings` is given."""
    if not (_AWS_SHARDS[0] <= shards <= _AWS_SHARDS[1]
            and _AWS_REPLICAS[0] <= replicas <= _AWS_REPLICAS[1]):
        return                                  # out of range: that check says so
    nodes = shards * (1 + replicas)
    each = f"{replicas} replica{'' if replicas == 1 else 's'}"
    made = f"{shards} shards of {1 + replicas} nodes (1 primary, {each}) make {nodes} nodes{what}"
    if nodes > MAX_GROUP_NODES:
        fix = fix or f"e.g. {MAX_GROUP_NODES // (1 + replicas)} shards with {each}"
        sentence = f"{made}; a replication group holds at most {MAX_GROUP_NODES}, {fix}."
        if refuse:
            problems.append(Problem(path, sentence))
        elif warnings is not None:
            warnings.append(f"{path}: {sentence}")
    elif nodes > DEFAULT_GROUP_NODES_QUOTA and warnings is not None:
        warnings.append(f"{path}: {nodes} nodes{what} pass ElastiCache's default quota of "
                        f"{DEFAULT_GROUP_NODES_QUOTA} nodes per cluster; ask for 'Nodes per "
                        "cluster (cluster mode enabled)' in Service Quotas before `pulumi up`.")
