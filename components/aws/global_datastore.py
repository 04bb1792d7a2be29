"""An ElastiCache Global Datastore: the primary replication group, the global group on it, and
a secondary replication group in each secondary region (each through its own provider).

Node type, engine version, shard count and automatic failover are modelled on the global group:
after creation a change to them in config edits the global group, while the members ignore them
(the primary through `ignore_changes`, the secondaries by never setting them). A major upgrade
also carries the new family's parameter group through the global group; a parameter edit
without one reaches no node (the plan diff flags it NOT APPLIED, components/provider_facts.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import pulumi
import pulumi_aws as aws

from components import fact_conditions as when
from components import provider_facts as facts
from components.aws.replication_group import ElastiCacheReplicationGroup, ReplicationGroupArgs
from components.component import Component, Outputs
from components.resource_types import AWS_GLOBAL_REPLICATION_GROUP

# The primary member moves with a failover: the global group must not be replaced to move it back.
FAILOVER_OWNED = facts.ignored_arguments(AWS_GLOBAL_REPLICATION_GROUP, when.FOLLOWS_FAILOVER)


@dataclass(frozen=True)
class SecondaryRegionArgs:
    region: str
    provider: pulumi.ProviderResource        # an aws.Provider for this region
    replication_group_id: str
    replicas: int                            # per shard
    subnet_group_name: pulumi.Input[str]
    security_group_ids: Sequence[pulumi.Input[str]]
    notification_topic_arn: pulumi.Input[str] | None = None   # this region's event topic
    final_snapshot_name: str | None = None   # taken when deleted, if the primary takes one
    log_kms_key_arn: pulumi.Input[str] | None = None          # this region's log key


@dataclass(frozen=True)
class GlobalDatastoreArgs:
    primary: ReplicationGroupArgs            # the primary region's group, as for a lone cache
    secondaries: Sequence[SecondaryRegionArgs]


class ElastiCacheGlobalDatastore(Component[GlobalDatastoreArgs],
                                 type_token="managed-cache:aws:ElastiCacheGlobalDatastore"):
    global_replication_group_id: pulumi.Output[str]
    primary: ElastiCacheReplicationGroup
    secondaries: dict[str, ElastiCacheReplicationGroup]

    def build(self, name: str, args: GlobalDatastoreArgs) -> Outputs:
        primary_args = args.primary
        data = pulumi.ResourceOptions(parent=self, protect=primary_args.deletion_protection)

        # Same logical name as a lone cache, aliased to where a lone cache lives: adding
        # `global:` to an existing cache adopts its replication group instead of replacing it.
        self.primary = ElastiCacheReplicationGroup(
            name,
            replace(primary_args, global_role="primary"),
            opts=pulumi.ResourceOptions(
                parent=self, aliases=[pulumi.Alias(parent=pulumi.ROOT_STACK_RESOURCE)]),
        )
        global_group = aws.elasticache.GlobalReplicationGroup(
            f"{name}-global",
            global_replication_group_id_suffix=primary_args.replication_group_id,
            primary_replication_group_id=self.primary.replication_group_id,
            global_replication_group_description=f"managed-cache global {primary_args.description}",
            engine=primary_args.engine,
            engine_version=primary_args.engine_version,
            cache_node_type=primary_args.node_type,
            num_node_groups=primary_args.shards if primary_args.cluster_mode else None,
            automatic_failover_enabled=primary_args.automatic_failover,
            # The primary's own group, named after its family. AWS attaches an auto-generated
            # global-datastore-* group to every member when the primary joins, and
            # ModifyGlobalReplicationGroup takes a parameter group only with a major engine
            # upgrade: a family change (new major version) changes this name in the same update
            # as the version, so the new family's group reaches every member. Unchanged, the
            # provider keeps it without sending it (terraform-provider-aws PR #49110).
            parameter_group_name=self.primary.parameter_group_name,
            opts=pulumi.ResourceOptions.merge(data, pulumi.ResourceOptions(
                ignore_changes=FAILOVER_OWNED)),
        )
        self.global_replication_group_id = global_group.global_replication_group_id

        self.secondaries = {}
        for secondary in args.secondaries:
            self.secondaries[secondary.region] = ElastiCacheReplicationGroup(
                f"{name}-{secondary.region}",
                replace(
                    primary_args,
                    replication_group_id=secondary.replication_group_id,
                    replicas=secondary.replicas,
                    subnet_group_name=secondary.subnet_group_name,
                    security_group_ids=secondary.security_group_ids,
                    notification_topic_arn=secondary.notification_topic_arn,
                    # A customer-managed key must live in the secondary's own region.
                    kms_key_arn=None,
                    log_kms_key_arn=secondary.log_kms_key_arn,
                    final_snapshot_name=secondary.final_snapshot_name
                    if primary_args.final_snapshot_name is not None else None,
                    global_role="secondary",
                    global_replication_group_id=global_group.global_replication_group_id,
                ),
                opts=pulumi.ResourceOptions(parent=self, providers=[secondary.provider],
                                            depends_on=[global_group]),
            )
        return {
            "global_replication_group_id": self.global_replication_group_id,
            "primary_endpoint": self.primary.endpoint,
            **{f"{region}_endpoint": group.endpoint for region, group in self.secondaries.items()},
        }
