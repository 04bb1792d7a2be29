"""An ElastiCache Valkey/Redis replication group with the safe defaults built in.

Encryption at rest (optionally with a customer-managed KMS key) and in transit, an AUTH token
that exists only as a Pulumi secret, Multi-AZ with automatic failover whenever there are
replicas, slow-log and engine-log delivery to CloudWatch Logs, and `protect` when asked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from components import fact_conditions as when
from components import naming
from components import provider_facts as facts
from components.aws import kms
from components.aws.autoscaling import (
    ElastiCacheAutoScaling,
    ReplicationGroupAutoScalingArgs,
    ScaledDimensionArgs,
    scaler_owned,
)
from components.aws.node_cache import NodeCacheArgs
from components.aws.node_cache import parameter_group as node_parameter_group
from components.aws.parameter_group import CacheParameterGroup
from components.aws.users import CacheUserArgs, ElastiCacheUsers, ElastiCacheUsersArgs
from components.component import Component, Outputs
from components.resource_types import (
    AWS_REPLICATION_GROUP,
)

# What the cloud owns on a member of a Global Datastore, by role (components/provider_facts.py):
# left out of `pulumi up` after creation. A primary's node type, version, shard count, failover
# and parameter group are changed through the global group; AWS turns auto minor version
# upgrade off on every member; a secondary inherits Multi-AZ, failover and port.
MEMBER_OWNED: dict[str, list[str]] = {
    "primary": facts.ignored_arguments(AWS_REPLICATION_GROUP, when.GLOBAL_MEMBER,
                                       when.GLOBAL_PRIMARY),
    "secondary": facts.ignored_arguments(AWS_REPLICATION_GROUP, when.GLOBAL_MEMBER,
                                         when.GLOBAL_SECONDARY),
}

# The only special characters ElastiCache accepts in an AUTH token (docs/cloud-rules.md); the
# Terraform provider's own check is looser, so generate with exactly these.
AUTH_TOKEN_SPECIALS = "!&#$^<>-"
AUTH_TOKEN_LENGTH = 64          # AWS allows 16 to 128 printable characters
LOG_TYPES = ("slow-log", "engine-log")
# A restore happens only when the group is created, and both arguments are ForceNew
# (terraform-provider-aws replication_group.go): ignored afterwards, so editing or removing
# restore_from later never replaces a cache full of newer data.
RESTORE_ARGS = ["snapshot_name", "snapshot_arns"]
# While a live group is imported, its credentials stay as they are: the AUTH token cannot be
# read back from AWS, and changing it (or moving to users) breaks connected clients, so that
# happens in the next update, after the import, where the plan says so.
IMPORT_KEEPS = ["auth_token", "auth_token_update_strategy", "user_group_ids"]


def log_group_name(replication_group_id: str, log_type: str) -> str:
    """The CloudWatch log group a replication group delivers `log_type` to."""
    return f"/aws/elasticache/{replication_group_id}/{log_type}"


@dataclass(frozen=True, kw_only=True)
class ReplicationGroupArgs(NodeCacheArgs):
    replication_group_id: str
    description: str
    engine: str
    shards: int
    replicas: int                            # per shard
    cluster_mode: bool
    create_kms_key: bool = False
    kms_key_arn: str | None = None
    snapshot_window: str = "03:00-04:00"
    snapshot_retention_days: int = 1
    final_snapshot_name: str | None = None    # None: no snapshot when deleted
    log_retention_days: int = 30
    # The region's customer-managed key for the slow-log and engine-log groups (production);
    # None: CloudWatch Logs' own encryption.
    log_kms_key_arn: pulumi.Input[str] | None = None
    auto_minor_version_upgrade: bool = True
    data_tiering: bool = False
    # "preferred" lets plaintext clients in while they move to TLS: the first step of turning
    # TLS on for a live group that has none (an adopted cache).
    tls_mode: Literal["preferred", "required"] = "required"
    # Global Datastore membership. A primary leaves node type, version, shard count and
    # failover to the global group after creation; a secondary sets none of the arguments AWS
    # rejects on a secondary and inherits engine, encryption and AUTH from the primary.
    global_role: Literal["primary", "secondary"] | None = None
    global_replication_group_id: pulumi.Input[str] | None = None
    # RBAC users instead of the AUTH token (not on a Global Datastore: config refuses it).
    users: Sequence[CacheUserArgs] = ()
    # Created from a snapshot in the region or RDB files in S3 (only at creation).
    snapshot_name: str | None = None
    snapshot_arns: Sequence[str] = ()
    import_id: str | None = None             # adopt this live group instead of creating one
    # Application Auto Scaling (cluster mode only): the scaler owns these dimensions' counts.
    autoscaling: Sequence[ScaledDimensionArgs] = ()

    @property
    def automatic_failover(self) -> bool:
        return self.cluster_mode or self.replicas >= 1

    @property
    def multi_az(self) -> bool:
        return self.replicas >= 1

    @property
    def transit_encryption_mode(self) -> str | None:
        """`tls_mode` ('required': no plaintext client) where the engine takes a mode; None
        below Redis OSS 7.0.5, which refuses the argument and requires TLS of every client."""
        if when.redis_below_7_0_5(self.engine, self.engine_version):
            return None
        return self.tls_mode


class ElastiCacheReplicationGroup(Component[ReplicationGroupArgs],
                                  type_token="managed-cache:aws:ElastiCacheReplicationGroup"):
    replication_group_id: pulumi.Output[str]
    arn: pulumi.Output[str]
    endpoint: pulumi.Output[str]             # what clients connect to (configuration endpoint
    reader_endpoint: pulumi.Output[str]      # when sharded, primary endpoint otherwise)
    port: pulumi.Output[int]
    auth_token: pulumi.Output[str] | None    # a Pulumi secret; None on a secondary / with users
    kms_key_arn: pulumi.Output[str] | None
    parameter_group_name: pulumi.Output[str] | None   # the group's own; None on a secondary
    users: ElastiCacheUsers | None           # with RBAC users

    def build(self, name: str, args: ReplicationGroupArgs) -> Outputs:
        child = pulumi.ResourceOptions(parent=self)
        data = pulumi.ResourceOptions(parent=self, protect=args.deletion_protection)

        self.kms_key_arn = kms.cache_data_key(
            self, name, cache_id=args.replication_group_id, what="", kms_key_arn=args.kms_key_arn,
            create=args.create_kms_key, tags=dict(args.tags), opts=data)
        logs = {
            log_type: aws.cloudwatch.LogGroup(
                f"{name}-{log_type}",
                name=log_group_name(args.replication_group_id, log_type),
                retention_in_days=args.log_retention_days,
                kms_key_id=args.log_kms_key_arn,
                tags=dict(args.tags),
                opts=child,
            )
            for log_type in LOG_TYPES
        }
        common: dict[str, Any] = dict(
            replication_group_id=args.replication_group_id,
            description=args.description,
            subnet_group_name=args.subnet_group_name,
            security_group_ids=list(args.security_group_ids),
            kms_key_id=self.kms_key_arn,
            maintenance_window=args.maintenance_window,
            snapshot_window=args.snapshot_window,
            snapshot_retention_limit=args.snapshot_retention_days,
            final_snapshot_identifier=args.final_snapshot_name,
            apply_immediately=args.apply_immediately,
            notification_topic_arn=args.notification_topic_arn,
            log_delivery_configurations=[
                aws.elasticache.ReplicationGroupLogDeliveryConfigurationArgs(
                    destination=log.name, destination_type="cloudwatch-logs",
                    log_format="json", log_type=log_type)
                for log_type, log in logs.items()
            ],
            tags=dict(args.tags),
        )
        token = None
        self.users = None
        if args.global_role == "secondary":
            group_args = {**common, **self._secondary_args(args)}
            self.parameter_group_name = None
        else:
            if args.users:
                self.users = ElastiCacheUsers(
                    f"{name}-users",
                    ElastiCacheUsersArgs(
                        user_group_id=naming.user_group_id(args.replication_group_id),
                        engine=args.engine,
                        default_user_id=naming.default_user_id(args.replication_group_id),
                        users=args.users,
                        tags=dict(args.tags),
                    ),
                    opts=child,
                )
                # No token: the group admits only its users. DELETE is the strategy AWS takes
                # when a group that had a token moves to RBAC (ModifyReplicationGroup with
                # UserGroupIdsToAdd); the provider sends it only then, never on create.
                auth: dict[str, Any] = dict(user_group_ids=[self.users.user_group_id],
                                            auth_token_update_strategy="DELETE")
            else:
                token = random.RandomPassword(
                    f"{name}-auth-token",
                    length=AUTH_TOKEN_LENGTH,
                    special=True,
                    override_special=AUTH_TOKEN_SPECIALS,
                    min_lower=4, min_upper=4, min_numeric=4, min_special=2,
                    opts=child,
                )
                # Sent only when the token changes on a live group (an adopted one, a new
                # token): ROTATE adds it beside the old token, or beside password-less access;
                # SET, which makes one token required, is refused unless a ROTATE came first
                # (AuthTokenUpdateStrategy "SET - allowed only after ROTATE"). The one-call
                # SET that follows is docs/adopting.md's, by hand: no diff, the strategy is
                # never read back.
                auth = dict(auth_token=token.result, auth_token_update_strategy="ROTATE")
            parameter_group = node_parameter_group(name, args, args.replication_group_id,
                                                   child)
            group_args = {**common, **self._primary_args(args, parameter_group), **auth,
                          **self._restore_args(args)}
            self.parameter_group_name = parameter_group.name

        ignored = [] if args.global_role == "secondary" else list(RESTORE_ARGS)
        if args.global_role:
            ignored += MEMBER_OWNED[args.global_role]
        if args.import_id is not None:
            ignored += IMPORT_KEEPS
        ignored += scaler_owned(args.autoscaling)
        group = aws.elasticache.ReplicationGroup(
            f"{name}-group",
            **group_args,
            opts=pulumi.ResourceOptions.merge(data, pulumi.ResourceOptions(
                additional_secret_outputs=["auth_token"],
                ignore_changes=ignored or None,
                # An adopted group is protected whatever the profile: if its config does not
                # match, the update after the import must not be able to replace it.
                protect=args.deletion_protection or args.import_id is not None,
                import_=args.import_id,
            )),
        )
        if args.autoscaling:
            assert args.cluster_mode, "ElastiCache auto scales cluster-mode groups only"
            ElastiCacheAutoScaling(
                f"{name}-autoscaling",
                ReplicationGroupAutoScalingArgs(replication_group_id=args.replication_group_id,
                                                dimensions=args.autoscaling),
                # Registered once the group exists; the resource id is known from config.
                opts=pulumi.ResourceOptions(parent=self, depends_on=[group]),
            )

        self.replication_group_id = group.replication_group_id
        self.arn = group.arn
        if args.cluster_mode:
            self.endpoint = group.configuration_endpoint_address
            self.reader_endpoint = group.configuration_endpoint_address
        else:
            self.endpoint = group.primary_endpoint_address
            self.reader_endpoint = group.reader_endpoint_address
        self.port = pulumi.Output.from_input(args.port)  # from config: known at preview
        # A secondary has no token of its own: clients in its region use the primary's.
        self.auth_token = pulumi.Output.secret(token.result) if token is not None else None
        return {
            "replication_group_id": self.replication_group_id,
            "endpoint": self.endpoint,
            "reader_endpoint": self.reader_endpoint,
            "port": self.port,
            "auth_token": self.auth_token,
        }

    @staticmethod
    def _restore_args(args: ReplicationGroupArgs) -> dict[str, Any]:
        if args.snapshot_name is not None:
            return dict(snapshot_name=args.snapshot_name)
        if args.snapshot_arns:
            return dict(snapshot_arns=list(args.snapshot_arns))
        return {}

    @staticmethod
    def _primary_args(args: ReplicationGroupArgs,
                      parameter_group: CacheParameterGroup) -> dict[str, Any]:
        if args.cluster_mode:
            sizing: dict[str, Any] = dict(cluster_mode="enabled", num_node_groups=args.shards,
                                          replicas_per_node_group=args.replicas)
        else:
            sizing = dict(cluster_mode="disabled", num_cache_clusters=1 + args.replicas)
        return dict(
            engine=args.engine,
            engine_version=args.engine_version,
            node_type=args.node_type,
            port=args.port,
            parameter_group_name=parameter_group.name,
            at_rest_encryption_enabled=True,
            transit_encryption_enabled=True,
            transit_encryption_mode=args.transit_encryption_mode,
            auto_minor_version_upgrade=args.auto_minor_version_upgrade,
            automatic_failover_enabled=args.automatic_failover,
            multi_az_enabled=args.multi_az,
            data_tiering_enabled=args.data_tiering or None,
            **sizing,
        )

    @staticmethod
    def _secondary_args(args: ReplicationGroupArgs) -> dict[str, Any]:
        # Only what a secondary may set: its replica count and its membership. Engine, version,
        # node type, shard count, parameter group, port and encryption come from the global
        # group; AWS switches auto minor version upgrade off on members, so it is not sent.
        assert args.global_replication_group_id is not None, "a secondary needs its global group"
        sizing: dict[str, Any] = (dict(replicas_per_node_group=args.replicas)
                                  if args.cluster_mode
                                  else dict(num_cache_clusters=1 + args.replicas))
        # Multi-AZ and failover are left unset too: the global group owns them, and AWS rejects
        # unexpected parameters on a secondary with InvalidParameterCombination
        # (terraform-provider-aws #24854, umotif-public/terraform-aws-elasticache-redis #31).
        return dict(global_replication_group_id=args.global_replication_group_id, **sizing)
