"""Memorystore for Valkey cross-region replication: the `global:` block of a Valkey cache (a
GCP network spans every region, so it has no network of its own). Each rule appends a Problem."""

from __future__ import annotations

from infra.catalog.gcp import GCP_REGIONS, INSTANCE_ID_LENGTH, VALKEY_MAX_INSTANCE_UNITS
from infra.config.common import (
    Problem,
    check_listed_once,
    check_secondary,
    secondary_regions,
    secondary_replicas,
)
from infra.config.gcp_limits import GCP_LIMITS, check_valkey_units
from infra.config.schema import GlobalConfig
from infra.config.spec import secondary_instance_id


def check_global(cfg: GlobalConfig, instance_id: str, shards: int, replicas: int, region: str,
                 path: str, problems: list[Problem]) -> tuple[tuple[str, ...], int]:
    """The secondary regions and their replicas per shard (the primary's unless set); each
    secondary is an instance of the primary's shards."""
    if cfg.network is not None:
        problems.append(Problem(f"{path}.network", "a GCP VPC network spans every region: the "
                                "secondary's subnet comes from network.vpc_cidr or "
                                "network.subnet_ids; remove the key."))
    regions = secondary_regions(cfg, GCP_LIMITS["valkey.global.secondary_regions"], path,
                                problems)
    for i, secondary in enumerate(regions):
        key = check_secondary(cfg, i, secondary, region, GCP_REGIONS,
                              "a GCP region Memorystore is offered in", path, problems)
        if key is not None and \
                len(secondary_instance_id(instance_id, secondary)) > INSTANCE_ID_LENGTH[1]:
            problems.append(Problem(key, "the secondary instance id would be longer than "
                                         f"{INSTANCE_ID_LENGTH[1]} characters; shorten the "
                                         "cache name."))
    check_listed_once(regions, path, problems)
    per_shard, allowed = secondary_replicas(
        cfg, replicas, GCP_LIMITS["valkey.global.secondary_replicas"], path, problems)
    if allowed and per_shard != replicas:
        check_valkey_units(shards, per_shard, f"{path}.secondary_replicas", problems,
                           where=" in each secondary region",
                           fix=f"so use at most {VALKEY_MAX_INSTANCE_UNITS // shards - 1} "
                               "replicas per shard there")
    return tuple(regions), per_shard
