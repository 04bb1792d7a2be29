"""An ElastiCache Memcached cluster: TLS in transit, its own parameter group, nodes spread
across zones when there are several of both. Memcached has no replication, snapshots or AUTH:
the security group is its only gate."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.aws.node_cache import NodeCacheArgs
from components.aws.node_cache import parameter_group as node_parameter_group
from components.component import Component, Outputs


@dataclass(frozen=True, kw_only=True)
class MemcachedClusterArgs(NodeCacheArgs):
    cluster_id: str
    nodes: int
    # The zones of the subnet group's subnets; None when they are not known (an existing subnet
    # group), taken as several.
    availability_zones: int | None
    import_id: str | None = None             # adopt this live cluster instead of creating one

    @property
    def az_mode(self) -> str:
        """More than one node over more than one zone is spread (a zone outage loses a
        fraction); otherwise the nodes share a zone, and that is what the provider reads back:
        az_mode is cross-az only when DescribeCacheClusters reports PreferredAvailabilityZone
        "Multiple" (terraform-provider-aws elasticache/cluster.go resourceClusterRead), so
        cross-az sent for nodes in one zone would show a change and send ModifyCacheCluster on
        every `pulumi up`."""
        spread = self.availability_zones is None or self.availability_zones > 1
        return "cross-az" if self.nodes > 1 and spread else "single-az"


class ElastiCacheMemcachedCluster(Component[MemcachedClusterArgs],
                                  type_token="managed-cache:aws:ElastiCacheMemcachedCluster"):
    cluster_id: pulumi.Output[str]
    configuration_endpoint: pulumi.Output[str]   # host:port; clients auto-discover nodes here
    node_endpoints: pulumi.Output[list[str]]
    port: pulumi.Output[int]

    def build(self, name: str, args: MemcachedClusterArgs) -> Outputs:
        parameter_group = node_parameter_group(name, args, args.cluster_id,
                                               pulumi.ResourceOptions(parent=self))
        cluster = aws.elasticache.Cluster(
            f"{name}-cluster",
            cluster_id=args.cluster_id,
            engine="memcached",
            engine_version=args.engine_version,
            node_type=args.node_type,
            num_cache_nodes=args.nodes,
            az_mode=args.az_mode,
            port=args.port,
            parameter_group_name=parameter_group.name,
            subnet_group_name=args.subnet_group_name,
            security_group_ids=list(args.security_group_ids),
            transit_encryption_enabled=True,
            maintenance_window=args.maintenance_window,
            apply_immediately=args.apply_immediately,
            notification_topic_arn=args.notification_topic_arn,
            tags=dict(args.tags),
            # An adopted cluster is protected whatever the profile (see replication_group.py).
            opts=pulumi.ResourceOptions(
                parent=self, protect=args.deletion_protection or args.import_id is not None,
                import_=args.import_id),
        )
        self.cluster_id = cluster.cluster_id
        self.configuration_endpoint = cluster.configuration_endpoint
        self.node_endpoints = cluster.cache_nodes.apply(
            lambda nodes: [f"{n.address}:{n.port}" for n in nodes or []])
        self.port = pulumi.Output.from_input(args.port)
        return {
            "cluster_id": self.cluster_id,
            "configuration_endpoint": self.configuration_endpoint,
            "node_endpoints": self.node_endpoints,
        }
