"""Composes the AWS components from a validated StackSpec. Returns the stack's exports."""

from __future__ import annotations

from typing import Any

import pulumi

from components.aws.network import CacheNetwork, CacheNetworkArgs
from components.aws.replication_group import ElastiCacheReplicationGroup, ReplicationGroupArgs
from infra import naming, providers
from infra.config import CacheSpec, StackSpec


def build(spec: StackSpec, project: str) -> dict[str, Any]:
    tags = providers.stack_tags(project, spec.stack, spec.profile)
    aws_primary = providers.aws_provider(spec.region, tags)
    random_provider = providers.random_provider()
    in_primary = pulumi.ResourceOptions(providers=[aws_primary, random_provider])

    network = CacheNetwork(
        f"{spec.name_prefix}-{spec.region}",
        CacheNetworkArgs(
            name_prefix=spec.name_prefix,
            ports=sorted({cache.port for cache in spec.caches}),
            allowed_cidrs=spec.network.allowed_cidrs,
            allowed_security_group_ids=spec.network.allowed_security_group_ids,
            vpc_cidr=spec.network.vpc_cidr,
            availability_zones=spec.network.availability_zones,
            vpc_id=spec.network.vpc_id,
            subnet_ids=spec.network.subnet_ids,
        ),
        opts=in_primary,
    )

    caches: dict[str, Any] = {}
    secrets: dict[str, Any] = {}
    for cache in spec.caches:
        group = ElastiCacheReplicationGroup(
            cache.name, _replication_group_args(cache, network), opts=in_primary)
        caches[cache.name] = {
            "engine": f"{cache.engine} {cache.engine_version}",
            "region": spec.region,
            "endpoint": group.endpoint,
            "reader_endpoint": group.reader_endpoint,
            "port": group.port,
            "tls": True,
            "replication_group_id": group.replication_group_id,
        }
        secrets[cache.name] = group.auth_token

    return {
        "caches": caches,
        # One secret output: `pulumi stack output auth_tokens --show-secrets` reveals it.
        "auth_tokens": pulumi.Output.secret(secrets),
        "security_group_id": network.security_group_id,
        "vpc_id": network.vpc_id,
    }


def _replication_group_args(cache: CacheSpec, network: CacheNetwork) -> ReplicationGroupArgs:
    return ReplicationGroupArgs(
        replication_group_id=cache.cache_id,
        description=cache.description,
        engine=cache.engine,
        engine_version=cache.engine_version,
        node_type=cache.node_type.name,
        shards=cache.shards,
        replicas=cache.replicas,
        cluster_mode=cache.cluster_mode,
        port=cache.port,
        parameter_group_name=naming.parameter_group_name(cache.cache_id, cache.family),
        parameter_group_family=cache.family,
        parameters=cache.parameters,
        subnet_group_name=network.subnet_group_name,
        security_group_ids=[network.security_group_id],
        create_kms_key=cache.create_kms_key,
        kms_key_arn=cache.kms_key_arn,
        maintenance_window=cache.maintenance_window,
        snapshot_window=cache.snapshot_window,
        snapshot_retention_days=cache.snapshot_retention_days,
        final_snapshot_name=naming.final_snapshot_name(cache.cache_id)
        if cache.final_snapshot else None,
        deletion_protection=cache.deletion_protection,
        log_retention_days=cache.log_retention_days,
        apply_immediately=cache.apply_immediately,
        auto_minor_version_upgrade=cache.auto_minor_version_upgrade,
        data_tiering=cache.node_type.data_tiering,
        tags={"Cache": cache.name},
    )
