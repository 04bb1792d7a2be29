"""AWS Global Datastore: the `global:` block of a node-based Valkey/Redis cache (its networks in
the secondary regions are aws_network.py's). Each rule appends a Problem."""

from __future__ import annotations

from infra import naming
from infra.catalog import aws as catalog
from infra.config.aws_limits import AWS_LIMITS, MAX_GROUP_NODES, check_group_nodes
from infra.config.common import (
    Problem,
    check_listed_once,
    check_secondary,
    secondary_regions,
    secondary_replicas,
)
from infra.config.schema import GlobalConfig
from infra.config.spec import GlobalSpec


def check_global(cfg: GlobalConfig, group_id: str, node: catalog.NodeType, shards: int,
                 replicas: int, primary_failover: bool, region: str, path: str,
                 problems: list[Problem], warnings: list[str]) -> GlobalSpec | None:
    """`global:` of a Valkey/Redis cache: the Global Datastore's secondary regions and their
    replicas per shard. `primary_failover`: the primary fails over automatically."""
    before = len(problems)
    regions = secondary_regions(cfg, AWS_LIMITS["global.secondary_regions"], path, problems)
    offered = catalog.GLOBAL_DATASTORE_REGIONS
    if region in catalog.AWS_REGIONS and region not in offered:
        problems.append(Problem(path, f"the primary region {region!r} does not offer Global "
                                f"Datastore; use one of {', '.join(sorted(offered))} for "
                                "aws:region, or remove global."))
    for i, secondary in enumerate(regions):
        key = check_secondary(cfg, i, secondary, region, catalog.AWS_REGIONS, "an AWS region",
                              path, problems)
        if key is not None and secondary not in offered:
            problems.append(Problem(key, f"{secondary!r} does not offer Global Datastore; use "
                                    f"one of {', '.join(sorted(offered - {region}))}."))
        elif key is not None and (unoffered := catalog.region_node_problem(node, secondary)):
            problems.append(Problem(key, unoffered))
    for secondary in regions:
        member_id = naming.secondary_group_id(group_id, secondary)
        if secondary in catalog.AWS_REGIONS and len(member_id) > naming.REPLICATION_GROUP_ID_MAX:
            problems.append(Problem(path, f"the secondary id {member_id!r} is {len(member_id)} "
                                    f"characters; ElastiCache allows "
                                    f"{naming.REPLICATION_GROUP_ID_MAX}. Shorten the cache name."))
    check_listed_once(regions, path, problems)
    if node.family not in catalog.GLOBAL_DATASTORE_FAMILIES or node.burstable:
        # AWS's list holds families this catalog does not price yet (m8g, r8g): offer only
        # the ones `node_type` accepts.
        known = {n.family for n in catalog.NODE_TYPES.values()}
        allowed = ", ".join(sorted(catalog.GLOBAL_DATASTORE_FAMILIES & known))
        problems.append(Problem(f"{path}", f"node type {node.name!r} cannot join a Global "
                                f"Datastore; use size large or bigger of {allowed}."))
    per_shard, allowed_count = secondary_replicas(cfg, replicas,
                                                  AWS_LIMITS["global.secondary_replicas"],
                                                  path, problems)
    if allowed_count:
        # A secondary group has the primary's shards (its node groups follow the global group),
        # and each region has its own quota. With the primary's replicas, a group too big is
        # already refused there.
        check_group_nodes(shards, per_shard, f"{path}.secondary_replicas"
                          if cfg.secondary_replicas is not None else path,
                          problems if per_shard != replicas else [], warnings,
                          what=" in each secondary region",
                          fix=f"so use at most {MAX_GROUP_NODES // shards - 1} replicas per "
                              "shard there")
    if not primary_failover:
        # Cluster mode off and no replica: Multi-AZ follows the replicas, automatic failover
        # follows the global group (ignored on the primary), and the provider refuses Multi-AZ
        # without failover, and failover with one node (replication_group.go
        # replicationGroupValidateMultiAZAutomaticFailover, ...AutomaticFailoverNumCacheClusters).
        warnings.append(f"{path}: the primary has no replica, and a Global Datastore primary with "
                        "cluster mode disabled cannot move between 0 and 1 or more replicas "
                        "later; give it its replica now.")
    if allowed_count and primary_failover and per_shard < 1:
        problems.append(Problem(f"{path}.secondary_replicas", "0 is not allowed: the primary has "
                                "automatic failover, so each secondary region needs at least "
                                "one replica."))
    if len(problems) > before:
        return None
    return GlobalSpec(secondary_regions=tuple(regions), secondary_replicas=per_shard,
                      network=cfg.network)
