"""AWS ElastiCache rules for node-based caches (replication groups and Memcached clusters):
resolve a cache, appending a Problem per mistake. Networks are aws_network.py's, serverless
caches aws_serverless.py's."""

from __future__ import annotations

import re

from infra import naming
from infra.catalog import aws as catalog
from infra.catalog.aws import AwsProfileDefaults
from infra.catalog.parameters import AWS_FAMILIES
from infra.config.access import (
    UserSpec,
    check_default_user_id,
    check_import_id,
    resolve_aws_restore,
    resolve_users,
)
from infra.config.alarms import resolve_alarms
from infra.config.common import (
    Problem,
    check_daily_window,
    check_parameters,
    check_weekly_window,
    did_you_mean,
)
from infra.config.schema import AutoscalingConfig, AwsCacheOptions, CacheConfig, GlobalConfig
from infra.config.spec import AutoscalingSpec, CacheSpec, GlobalSpec, ScalingRange

# ElastiCache limits (Terraform aws_elasticache_replication_group / cluster docs, AWS quotas).
MAX_SHARDS = 500
MAX_REPLICAS = 5
MAX_MEMCACHED_NODES = 40
MAX_GLOBAL_SECONDARIES = 2
MAX_SNAPSHOT_RETENTION_DAYS = 35
# CloudWatch Logs accepts only these retention values (PutRetentionPolicy).
LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096,
                      1827, 2192, 2557, 2922, 3288, 3653)


# ---------------------------------------------------------------------------------------------
# AWS rules. Each appends Problems with the key path, the bad value and what is allowed.
# ---------------------------------------------------------------------------------------------
_KMS_ARN = re.compile(r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)/[A-Za-z0-9/_-]+$")
_PATCH_VERSION = re.compile(r"^\d+\.\d+\.\d+$")
# CreateCacheSubnetGroup: at most 255 letters, digits or hyphens.
_SUBNET_GROUP = re.compile(r"^[A-Za-z0-9-]{1,255}$")


def resolve_cache(name: str, cfg: CacheConfig, defaults: AwsProfileDefaults, profile: str,
                  prefix: str, region: str, path: str,
                  problems: list[Problem]) -> CacheSpec | None:
    """A node-based cache: a Valkey/Redis replication group or a Memcached cluster (serverless
    caches are aws_serverless.py's)."""
    before = len(problems)
    engine = cfg.engine
    memcached = engine == "memcached"
    version = _check_engine_version(engine, cfg.engine_version, path, problems)
    node = _check_node_type(cfg, defaults, profile, path, problems)
    if cfg.description is not None and not cfg.description.strip():
        problems.append(Problem(f"{path}.description", "must not be empty (ElastiCache requires "
                                                       "a description)."))

    if memcached:
        _refuse_for_memcached(cfg, path, problems)
        shards, replicas, cluster_mode = 1, 0, False
        nodes = cfg.nodes if cfg.nodes is not None else defaults.memcached_nodes
        if not 1 <= nodes <= MAX_MEMCACHED_NODES:
            problems.append(Problem(f"{path}.nodes", f"{nodes} is not allowed; a Memcached "
                                    f"cluster has 1 to {MAX_MEMCACHED_NODES} nodes."))
    else:
        shards = cfg.shards if cfg.shards is not None else 1
        replicas = cfg.replicas if cfg.replicas is not None else defaults.replicas
        nodes = shards * (1 + replicas)
        if not 1 <= shards <= MAX_SHARDS:
            problems.append(Problem(f"{path}.shards", f"{shards} is not allowed; a replication "
                                                      f"group has 1 to {MAX_SHARDS} shards."))
        if not 0 <= replicas <= MAX_REPLICAS:
            problems.append(Problem(f"{path}.replicas", f"{replicas} is not allowed; ElastiCache "
                                    f"allows 0 to {MAX_REPLICAS} replicas per shard (1 to 6 "
                                    "nodes)."))
        cluster_mode = cfg.aws.cluster_mode if cfg.aws.cluster_mode is not None else shards > 1
        if shards > 1 and not cluster_mode:
            problems.append(Problem(f"{path}.aws.cluster_mode", f"false does not fit shards: "
                                    f"{shards}; more than one shard needs cluster mode."))
        if cfg.nodes is not None:
            problems.append(Problem(f"{path}.nodes", f"{engine} is sized with shards and "
                                                     "replicas; nodes is for memcached only."))

    family = catalog.parameter_group_family(engine, version) if version is not None else None
    parameters = check_parameters(
        cfg.parameters, AWS_FAMILIES[family] if family else None, version,
        f"{path}.parameters", problems,
        managed={"cluster-enabled": "is set from shards (and aws.cluster_mode); remove it from "
                                    "parameters."})
    if not memcached:
        # Sharding needs cluster-enabled=yes in the group's parameters (docs/cloud-rules.md).
        parameters = dict(sorted({**parameters,
                                  "cluster-enabled": "yes" if cluster_mode else "no"}.items()))
    maintenance = cfg.maintenance_window or defaults.maintenance_window
    snapshot = cfg.snapshot_window or defaults.snapshot_window
    check_weekly_window(maintenance, f"{path}.maintenance_window", problems)
    if not memcached:
        check_daily_window(snapshot, f"{path}.snapshot_window", problems)
    retention = 0 if memcached else (cfg.snapshot_retention_days
                                     if cfg.snapshot_retention_days is not None
                                     else defaults.snapshot_retention_days)
    if not 0 <= retention <= MAX_SNAPSHOT_RETENTION_DAYS:
        problems.append(Problem(f"{path}.snapshot_retention_days", f"{retention} is not allowed; "
                                f"ElastiCache keeps 0 to {MAX_SNAPSHOT_RETENTION_DAYS} days."))

    aws = cfg.aws
    port = aws.port if aws.port is not None else catalog.ENGINE_PORT[engine]
    if not 1024 <= port <= 65535:
        problems.append(Problem(f"{path}.aws.port", f"{port} is not allowed; use 1024 to 65535."))
    check_kms(aws, region, path, problems)
    log_retention = aws.log_retention_days if aws.log_retention_days is not None \
        else defaults.log_retention_days
    if log_retention not in LOG_RETENTION_DAYS:
        problems.append(Problem(f"{path}.aws.log_retention_days", f"{log_retention} is not a "
                                "CloudWatch Logs retention; use one of "
                                f"{', '.join(map(str, LOG_RETENTION_DAYS))}."))
    if node is not None and version is not None and node.data_tiering \
            and catalog.version_tuple(version) < (6, 2):
        problems.append(Problem(f"{path}.node_type", f"{node.name!r} uses data tiering, which "
                                "needs Valkey or Redis 6.2 or later."))
    alarms = resolve_alarms(cfg.alarms, profile, f"{path}.alarms", problems, engine=engine)
    global_spec = None
    if cfg.global_ is not None and not memcached and node is not None:
        global_spec = _check_global(cfg.global_, naming.replication_group_id(prefix, name), node,
                                    replicas, cluster_mode or replicas >= 1,
                                    region, f"{path}.global", problems)

    cache_id = naming.replication_group_id(prefix, name)
    users: tuple[UserSpec, ...] = ()
    if aws.users is not None and not memcached and version is not None:
        users = resolve_users(aws.users, cache_id, engine, version, cfg.global_ is not None,
                              f"{path}.aws.users", problems)
        if users:
            check_default_user_id(cache_id, path, problems)
    restore = None if memcached else resolve_aws_restore(cfg.restore_from,
                                                         f"{path}.restore_from", problems)
    import_id = check_import_id(aws.import_id, cache_id,
                                "cluster" if memcached else "replication group",
                                f"{path}.aws.import_id", problems)
    if import_id is not None and cfg.global_ is not None:
        problems.append(Problem(f"{path}.aws.import_id", "a Global Datastore cannot be adopted "
                                "in one step; import the primary as a lone cache (without "
                                "global:), then add global:, which keeps the group (see "
                                "docs/adopting.md)."))
    if import_id is not None and cfg.restore_from is not None:
        problems.append(Problem(f"{path}.restore_from", "an import adopts an existing cache and "
                                "a restore creates a new one; set aws.import_id or "
                                "restore_from, not both."))
    if aws.subnet_group_name is not None and not _SUBNET_GROUP.match(aws.subnet_group_name):
        problems.append(Problem(f"{path}.aws.subnet_group_name", f"{aws.subnet_group_name!r} is "
                                "not a cache subnet group name; use up to 255 letters, digits "
                                "and hyphens."))
    autoscaling = None
    if cfg.autoscaling is not None and node is not None and version is not None:
        autoscaling = _check_autoscaling(cfg.autoscaling, engine, version, node, shards, replicas,
                                         cluster_mode, cfg.global_ is not None,
                                         f"{path}.autoscaling", problems)

    if len(problems) > before or version is None or node is None:
        return None
    create_kms_key = False if memcached else (
        aws.create_kms_key if aws.create_kms_key is not None
        else defaults.create_kms_key and aws.kms_key_arn is None)
    return CacheSpec(
        name=name,
        engine=engine,
        engine_version=version,
        family=catalog.parameter_group_family(engine, version),
        # Neither engine nor version in the default description: an upgrade would modify every
        # member, and ModifyReplicationGroup on a Global Datastore member is rejected.
        description=cfg.description or f"managed-cache {prefix}/{name}",
        node_type=node,
        shards=shards,
        replicas=replicas,
        cluster_mode=cluster_mode,
        nodes=nodes,
        parameters=parameters,
        maintenance_window=maintenance,
        snapshot_window=snapshot,
        snapshot_retention_days=retention,
        final_snapshot=False if memcached else (
            cfg.final_snapshot if cfg.final_snapshot is not None else defaults.final_snapshot),
        deletion_protection=cfg.deletion_protection if cfg.deletion_protection is not None
        else defaults.deletion_protection,
        port=port,
        create_kms_key=create_kms_key,
        kms_key_arn=aws.kms_key_arn,
        log_retention_days=log_retention,
        apply_immediately=aws.apply_immediately if aws.apply_immediately is not None
        else defaults.apply_immediately,
        auto_minor_version_upgrade=aws.auto_minor_version_upgrade,
        cache_id=cache_id,
        alarms=alarms,
        global_=global_spec,
        users=users,
        secret=cfg.secret if cfg.secret is not None else defaults.connection_secret,
        import_id=import_id,
        restore=restore,
        subnet_group_name=aws.subnet_group_name,
        autoscaling=autoscaling,
    )


def _check_autoscaling(cfg: AutoscalingConfig, engine: str, version: str,
                       node: catalog.NodeType, shards: int, replicas: int, cluster_mode: bool,
                       is_global: bool, path: str,
                       problems: list[Problem]) -> AutoscalingSpec | None:
    """ElastiCache auto scaling's own rules (infra/catalog/aws.py, AUTOSCALING_*)."""
    before = len(problems)
    if engine == "memcached":
        problems.append(Problem(path, "Memcached has no replicas or shards to scale; remove "
                                      "autoscaling or use engine 'valkey'."))
        return None
    if cfg.replicas is None and cfg.shards is None:
        problems.append(Problem(path, "is empty; set replicas, shards or both, e.g. "
                                      "`shards: {min: 2, max: 6}`."))
    if is_global:
        problems.append(Problem(path, "ElastiCache does not auto scale a Global Datastore "
                                      "member; remove autoscaling or global."))
    if not cluster_mode:
        problems.append(Problem(path, "needs cluster mode; ElastiCache auto scales only "
                                      "cluster-mode-enabled groups. Set shards above 1 or "
                                      "aws.cluster_mode: true."))
    if node.family not in catalog.AUTOSCALING_FAMILIES \
            or node.size not in catalog.AUTOSCALING_SIZES:
        families = ", ".join(sorted(catalog.AUTOSCALING_FAMILIES))
        sizes = catalog.AUTOSCALING_SIZES
        problems.append(Problem(path, f"node type {node.name!r} cannot auto scale; use size "
                                f"{', '.join(sizes[:-1])} or {sizes[-1]} of {families}."))
    minimum = (catalog.AUTOSCALING_DATA_TIERING_MIN_VERSION if node.data_tiering
               else catalog.AUTOSCALING_MIN_VERSION)[engine]
    if catalog.version_tuple(version) < minimum:
        what = "data tiering nodes" if node.data_tiering else "auto scaling"
        problems.append(Problem(path, f"{engine} {version} cannot auto scale; {what} need "
                                f"{engine} {'.'.join(map(str, minimum))} or later."))
    low, high = catalog.AUTOSCALING_TARGET_PERCENT
    ranges: dict[str, ScalingRange] = {}
    for dimension, scaling, configured, limits, target_key, metric in (
        ("replicas", cfg.replicas, replicas, (0, MAX_REPLICAS), "target_cpu_percent",
         catalog.AUTOSCALING_REPLICA_METRIC),
        ("shards", cfg.shards, shards, (1, MAX_SHARDS), "target_memory_percent",
         catalog.AUTOSCALING_SHARD_CAPACITY_METRIC if node.data_tiering
         else catalog.AUTOSCALING_SHARD_MEMORY_METRIC),
    ):
        if scaling is None:
            continue
        key = f"{path}.{dimension}"
        count = len(problems)
        for bound in ("min", "max"):
            value = getattr(scaling, bound)
            if not limits[0] <= value <= limits[1]:
                problems.append(Problem(f"{key}.{bound}", f"{value} is not allowed; ElastiCache "
                                        f"keeps {limits[0]} to {limits[1]} {dimension}."))
        if len(problems) == count and scaling.min > scaling.max:
            problems.append(Problem(key, f"min {scaling.min} is above max {scaling.max}."))
        elif len(problems) == count and not scaling.min <= configured <= scaling.max:
            problems.append(Problem(key, f"{dimension}: {configured} is outside min "
                                    f"{scaling.min} to max {scaling.max}; the count you "
                                    "configure must lie within the range the scaler keeps."))
        target = getattr(scaling, target_key)
        if not low <= target <= high:
            problems.append(Problem(f"{key}.{target_key}", f"{target} is not allowed; "
                                    f"ElastiCache auto scaling targets {low} to {high} %."))
        ranges[dimension] = ScalingRange(min=scaling.min, max=scaling.max,
                                         target_percent=float(target), metric=metric)
    if len(problems) > before:
        return None
    return AutoscalingSpec(replicas=ranges.get("replicas"), shards=ranges.get("shards"))


def _refuse_for_memcached(cfg: CacheConfig, path: str, problems: list[Problem]) -> None:
    """Options Memcached does not have are refused, not silently ignored."""
    lacking = {
        "replicas": "replication", "shards": "shards (it spreads keys over nodes instead)",
        "global": "Global Datastore", "snapshot_window": "snapshots",
        "snapshot_retention_days": "snapshots", "final_snapshot": "snapshots",
        "restore_from": "snapshots to restore from",
    }
    for key, feature in lacking.items():
        if key in cfg.model_fields_set or (key == "global" and cfg.global_ is not None):
            problems.append(Problem(f"{path}.{key}", f"Memcached has no {feature}; remove the key "
                                    "or use engine 'valkey'."))
    for key, feature in {"kms_key_arn": "at-rest encryption with a KMS key",
                         "create_kms_key": "at-rest encryption with a KMS key",
                         "cluster_mode": "cluster mode",
                         "users": "RBAC users or AUTH (its security group is its only gate)",
                         }.items():
        if key in cfg.aws.model_fields_set:
            problems.append(Problem(f"{path}.aws.{key}", f"Memcached has no {feature}; remove the "
                                                         "key or use engine 'valkey'."))


def check_kms(aws: AwsCacheOptions, region: str, path: str, problems: list[Problem]) -> None:
    if aws.kms_key_arn is None:
        return
    if not _KMS_ARN.match(aws.kms_key_arn):
        problems.append(Problem(f"{path}.aws.kms_key_arn", f"{aws.kms_key_arn!r} is not a KMS "
                                "key ARN (arn:aws:kms:<region>:<account>:key/<id>)."))
    elif region and f":kms:{region}:" not in aws.kms_key_arn:
        problems.append(Problem(f"{path}.aws.kms_key_arn", f"the key is not in {region}; "
                                "ElastiCache needs a KMS key in the cache's own region."))
    if aws.create_kms_key:
        problems.append(Problem(f"{path}.aws", "set kms_key_arn (your key) or "
                                               "create_kms_key: true (a new key), not both."))


def _check_global(cfg: GlobalConfig, group_id: str, node: catalog.NodeType, replicas: int,
                  primary_failover: bool, region: str, path: str,
                  problems: list[Problem]) -> GlobalSpec | None:
    before = len(problems)
    if cfg.secondary_region is not None and cfg.secondary_regions is not None:
        problems.append(Problem(path, "set secondary_region or secondary_regions, not both."))
    regions = cfg.secondary_regions if cfg.secondary_regions is not None else (
        [cfg.secondary_region] if cfg.secondary_region is not None else [])
    if not 1 <= len(regions) <= MAX_GLOBAL_SECONDARIES:
        problems.append(Problem(path, f"{len(regions)} secondary regions is not allowed; a "
                                      f"Global Datastore has 1 to {MAX_GLOBAL_SECONDARIES}."))
    offered = catalog.GLOBAL_DATASTORE_REGIONS
    if region in catalog.AWS_REGIONS and region not in offered:
        problems.append(Problem(path, f"the primary region {region!r} does not offer Global "
                                f"Datastore; use one of {', '.join(sorted(offered))} for "
                                "aws:region, or remove global."))
    for i, secondary in enumerate(regions):
        key = f"{path}.secondary_regions.{i}" if cfg.secondary_regions is not None \
            else f"{path}.secondary_region"
        if secondary not in catalog.AWS_REGIONS:
            problems.append(Problem(key, f"{secondary!r} is not an AWS region."
                                    + did_you_mean(secondary, catalog.AWS_REGIONS)))
        elif secondary == region:
            problems.append(Problem(key, f"{secondary!r} is the primary region; a secondary must "
                                         "be another region."))
        elif secondary not in offered:
            problems.append(Problem(key, f"{secondary!r} does not offer Global Datastore; use "
                                    f"one of {', '.join(sorted(offered - {region}))}."))
    for secondary in regions:
        member_id = naming.secondary_group_id(group_id, secondary)
        if secondary in catalog.AWS_REGIONS and len(member_id) > naming.REPLICATION_GROUP_ID_MAX:
            problems.append(Problem(path, f"the secondary id {member_id!r} is {len(member_id)} "
                                    f"characters; ElastiCache allows "
                                    f"{naming.REPLICATION_GROUP_ID_MAX}. Shorten the cache name."))
    if len(set(regions)) != len(regions):
        problems.append(Problem(path, "a secondary region is listed twice."))
    if node.family not in catalog.GLOBAL_DATASTORE_FAMILIES or node.burstable:
        allowed = ", ".join(sorted(catalog.GLOBAL_DATASTORE_FAMILIES))
        problems.append(Problem(f"{path}", f"node type {node.name!r} cannot join a Global "
                                f"Datastore; use size large or bigger of {allowed}."))
    secondary_replicas = cfg.secondary_replicas if cfg.secondary_replicas is not None \
        else replicas
    if not 0 <= secondary_replicas <= MAX_REPLICAS:
        problems.append(Problem(f"{path}.secondary_replicas", f"{secondary_replicas} is not "
                                f"allowed; use 0 to {MAX_REPLICAS} replicas per shard."))
    elif primary_failover and secondary_replicas < 1:
        problems.append(Problem(f"{path}.secondary_replicas", "0 is not allowed: the primary has "
                                "automatic failover, so each secondary region needs at least "
                                "one replica."))
    if len(problems) > before:
        return None
    return GlobalSpec(secondary_regions=tuple(regions), secondary_replicas=secondary_replicas,
                      network=cfg.network)


def _check_engine_version(engine: str, version: str | None, path: str,
                          problems: list[Problem]) -> str | None:
    known = catalog.AWS_ENGINE_VERSIONS[engine]
    if version is None:
        return catalog.DEFAULT_ENGINE_VERSION[engine]
    if version in known:
        return version
    if engine != "memcached" and _PATCH_VERSION.match(version) and int(version[0]) >= 7:
        major_minor = ".".join(version.split(".")[:2])
        problems.append(Problem(f"{path}.engine_version", f"{version!r} has a patch level; "
                                f"{engine} {version[0]}+ takes major.minor only, e.g. "
                                f"{major_minor!r}."))
        return None
    hint = " (TLS needs Memcached 1.6.12 or later)" if engine == "memcached" else ""
    problems.append(Problem(f"{path}.engine_version", f"{version!r} is not a supported {engine} "
                            f"version on ElastiCache{hint}; use one of {', '.join(known)}."))
    return None


def _check_node_type(cfg: CacheConfig, defaults: AwsProfileDefaults, profile: str, path: str,
                     problems: list[Problem]) -> catalog.NodeType | None:
    if cfg.node_type is not None and cfg.memory_gb is not None:
        problems.append(Problem(path, "set node_type or memory_gb, not both."))
        return None
    if cfg.memory_gb is not None:
        families = catalog.SIZING_FAMILIES[profile]
        if cfg.memory_gb <= 0:
            problems.append(Problem(f"{path}.memory_gb", f"{cfg.memory_gb} is not allowed; use a "
                                                         "positive number of GiB."))
            return None
        node = catalog.smallest_node_for(cfg.memory_gb, families)
        if node is None:
            problems.append(Problem(f"{path}.memory_gb", f"{cfg.memory_gb} GiB does not fit one "
                                    f"node of the {'/'.join(families)} families; use shards to "
                                    "spread the data."))
        return node
    name = cfg.node_type or defaults.node_type
    node = catalog.NODE_TYPES.get(name)
    if node is None:
        known = sorted({n.family for n in catalog.NODE_TYPES.values()})
        problems.append(Problem(f"{path}.node_type", f"{name!r} is not a known ElastiCache node "
                                "type." + did_you_mean(name, catalog.NODE_TYPES)
                                + f" Known families: {', '.join(known)}."))
    return node
