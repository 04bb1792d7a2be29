"""What the two node-based ElastiCache caches have in common: a replication group
(Valkey/Redis) and a Memcached cluster both run on nodes of one type, in the stack's subnet group
and security groups, with their own parameter group named after its family."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi

from components.aws.parameter_group import CacheParameterGroup, CacheParameterGroupArgs


@dataclass(frozen=True, kw_only=True)
class NodeCacheArgs:
    engine_version: str
    node_type: str
    port: int
    parameter_group_name: str
    parameter_group_family: str
    subnet_group_name: pulumi.Input[str]
    security_group_ids: Sequence[pulumi.Input[str]]
    parameters: Mapping[str, str] = field(default_factory=dict)
    maintenance_window: str = "sun:05:00-sun:06:00"
    apply_immediately: bool = False
    deletion_protection: bool = False
    # ElastiCache events (failover, node replaced, ...) go to this SNS topic, which must not be
    # encrypted (components/aws/notifications.py, CacheEventTopic).
    notification_topic_arn: pulumi.Input[str] | None = None
    tags: Mapping[str, str] = field(default_factory=dict)


def parameter_group(name: str, args: NodeCacheArgs, cache_id: str,
                    opts: pulumi.ResourceOptions) -> CacheParameterGroup:
    """The cache's own parameter group (the family's defaults plus `args.parameters`)."""
    return CacheParameterGroup(
        f"{name}-parameters",
        CacheParameterGroupArgs(
            group_name=args.parameter_group_name,
            family=args.parameter_group_family,
            description=f"managed-cache parameters for {cache_id}",
            parameters=args.parameters,
        ),
        opts=opts,
    )
