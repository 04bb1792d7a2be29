"""Application Auto Scaling for an ElastiCache replication group: a scalable target and a
target-tracking policy per scaled dimension (replicas per shard, shards).

The scaler owns the scaled counts once a dimension is registered: the replication group ignores
them (cloud-owned facts in components/provider_facts.py), so `pulumi up` does not undo a
scale-out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import pulumi
import pulumi_aws as aws

from components import fact_conditions as when
from components import provider_facts as facts
from components.component import Component, Outputs
from components.resource_types import (
    AWS_REPLICATION_GROUP,
)

# Application Auto Scaling for ElastiCache (docs.aws.amazon.com/autoscaling/application/
# userguide/services-that-can-integrate-elasticache.html): the service namespace and the
# scalable dimensions of a replication group, whose resource id is `replication-group/<id>`.
SERVICE_NAMESPACE = "elasticache"
SCALABLE_DIMENSION = {"replicas": "elasticache:replication-group:Replicas",
                      "shards": "elasticache:replication-group:NodeGroups"}

# Application Auto Scaling's own cooldown for ElastiCache replication groups, in seconds, both
# ways ("a default value of 600 for Amazon ElastiCache replication groups", API reference,
# TargetTrackingScalingPolicyConfiguration). Sent explicitly: the provider sends 0 for a
# cooldown left unset (terraform-provider-aws appautoscaling/policy.go
# getPutScalingPolicyInput reads the key whether or not it was set), which would let a
# scale-in follow a scale-out at once.
COOLDOWN_SECONDS = 600

# Replication group arguments the scaler changes itself: cloud-owned facts of
# components/provider_facts.py, under the condition of the scaled dimension.
SCALER_CONDITIONS = {"replicas": when.AUTOSCALED_REPLICAS, "shards": when.AUTOSCALED_SHARDS}


@dataclass(frozen=True)
class ScaledDimensionArgs:
    dimension: Literal["replicas", "shards"]
    min_capacity: int
    max_capacity: int
    target_value: float                     # percent the policy keeps the metric at
    predefined_metric: str                  # e.g. ElastiCacheReplicaEngineCPUUtilization

    @property
    def scalable_dimension(self) -> str:
        return SCALABLE_DIMENSION[self.dimension]


@dataclass(frozen=True)
class ReplicationGroupAutoScalingArgs:
    replication_group_id: str                 # from config, so the plan shows it at preview
    dimensions: Sequence[ScaledDimensionArgs]


def scaler_owned(dimensions: Sequence[ScaledDimensionArgs]) -> list[str]:
    """The replication group arguments to ignore for these scaled dimensions (Pulumi input
    names, as `ignore_changes` takes them)."""
    if not dimensions:
        return []
    return facts.ignored_arguments(AWS_REPLICATION_GROUP,
                                   *(SCALER_CONDITIONS[d.dimension] for d in dimensions))


class ElastiCacheAutoScaling(Component[ReplicationGroupAutoScalingArgs],
                             type_token="managed-cache:aws:ElastiCacheAutoScaling"):
    target_ids: dict[str, pulumi.Output[str]]

    def build(self, name: str, args: ReplicationGroupAutoScalingArgs) -> Outputs:
        child = pulumi.ResourceOptions(parent=self)
        resource_id = f"replication-group/{args.replication_group_id}"
        self.target_ids = {}
        for dimension in args.dimensions:
            target = aws.appautoscaling.Target(
                f"{name}-{dimension.dimension}",
                service_namespace=SERVICE_NAMESPACE,
                resource_id=resource_id,
                scalable_dimension=dimension.scalable_dimension,
                min_capacity=dimension.min_capacity,
                max_capacity=dimension.max_capacity,
                opts=child,
            )
            aws.appautoscaling.Policy(
                f"{name}-{dimension.dimension}-policy",
                name=f"{args.replication_group_id}-{dimension.dimension}",
                policy_type="TargetTrackingScaling",
                service_namespace=target.service_namespace,
                resource_id=target.resource_id,
                scalable_dimension=target.scalable_dimension,
                target_tracking_scaling_policy_configuration=(
                    aws.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationArgs(
                        target_value=dimension.target_value,
                        scale_in_cooldown=COOLDOWN_SECONDS,
                        scale_out_cooldown=COOLDOWN_SECONDS,
                        predefined_metric_specification=(
                            aws.appautoscaling
                            .PolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecificationArgs(
                                predefined_metric_type=dimension.predefined_metric)),
                    )),
                opts=child,
            )
            self.target_ids[dimension.dimension] = target.id
        return {"target_ids": self.target_ids}
