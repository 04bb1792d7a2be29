"""AWS ElastiCache rules for node-based caches (replication groups and Memcached clusters):
resolve a cache, appending a Problem per mistake. Networks are aws_network.py's, serverless
caches aws_serverless.py's."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Literal

from components.fact_conditions import redis_below_7_0_5
from infra import naming
from infra.catalog import aws as catalog
from infra.catalog.aws import AwsProfileDefaults
from infra.catalog.parameters import AWS_FAMILIES, version_key
from infra.config.access import (
    UserSpec,
    check_default_user_id,
    check_import_id,
    resolve_aws_restore,
    resolve_users,
)
from infra.config.alarms import resolve_alarms
from infra.config.aws_global import check_global
from infra.config.aws_limits import (
    AWS_LIMITS,
    DEFAULT_MEMCACHED_NODES,
    MAX_MAINTENANCE_MINUTES,
    check_group_nodes,
)
from infra.config.common import (
    DAYS,
    DailyWindow,
    Problem,
    WeeklyWindow,
    check_cache_parameters,
    check_daily_window,
    check_range,
    check_sizing_keys,
    check_weekly_window,
    did_you_mean,
    profile_choices,
    resolve_description,
)
from infra.config.schema import AutoscalingConfig, AwsCacheOptions, CacheConfig
from infra.config.spec import AutoscalingSpec, CacheSpec, ScalingRange

# CloudWatch Logs accepts only these retention values (PutRetentionPolicy).
LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096,
                      1827, 2192, 2557, 2922, 3288, 3653)


# ---------------------------------------------------------------------------------------------
# AWS rules. Each appends Problems with the key path, the bad value and what is allowed.
# ---------------------------------------------------------------------------------------------
# A key ARN only: AWS reads an alias back as the key's ARN, and kms_key_id forces a new cache, so
# an alias would replace the cache on every later update (terraform-provider-aws#25713).
_KMS_ARN = re.compile(r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key/[A-Za-z0-9-]+$")
_KMS_ALIAS_ARN = re.compile(r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:alias/")
_PATCH_VERSION = re.compile(r"^\d+\.\d+\.\d+$")
# CreateCacheSubnetGroup: at most 255 letters, digits or hyphens.
_SUBNET_GROUP = re.compile(r"^[A-Za-z0-9-]{1,255}$")

# What adopting a cache (aws.import_id) cannot do in the same update: (the conflict, the key to
# name, the message).
_IMPORT_CONFLICTS: tuple[tuple[Callable[[CacheConfig], object], str, str], ...] = (
    (lambda cfg: cfg.global_, "aws.import_id", "a Global Datastore cannot be adopted in one "
     "step; import the primary as a lone cache (without global:), then add global:, which "
     "keeps the group (see docs/adopting.md)."),
    # RegisterScalableTarget with tags (the provider's default tags) is refused for a target
    # that exists: "The scalable target that you tried to tag already exists"
    # (hashicorp/terraform-provider-aws#31839), and the target is created, not imported.
    (lambda cfg: cfg.autoscaling, "autoscaling", "an adopted group (aws.import_id) gets auto "
     "scaling in a later update, not the one that imports it: a target the group already has "
     "in Application Auto Scaling refuses to be registered again with tags. Adopt it without "
     "autoscaling, deregister its live targets (docs/adopting.md), then add autoscaling."),
    (lambda cfg: cfg.restore_from, "restore_from", "an import adopts an existing cache and a "
     "restore creates a new one; set aws.import_id or restore_from, not both."),
    # The update after the import adds the stack's log delivery, and ElastiCache refuses a log
    # delivery change not applied at once (docs/cloud-rules.md, Log_Delivery.html), which the
    # provider sends with the group's apply_immediately (terraform-provider-aws#49842).
    (lambda cfg: cfg.engine != "memcached" and cfg.aws.apply_immediately is False,
     "aws.apply_immediately", "false cannot adopt a group: the update after the import adds "
     "the stack's log delivery, which ElastiCache accepts only applied at once. Leave it out "
     "while aws.import_id is set (adoption applies at once), and set it after adoption."),
)


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
    if node is not None and (unoffered := catalog.region_node_problem(node, region)):
        problems.append(Problem(f"{path}.node_type", unoffered))
    if memcached and node is not None and node.name not in catalog.MEMCACHED_MAX_CACHE_MEMORY_MB:
        problems.append(Problem(f"{path}.node_type", f"{node.name!r} is not offered for "
                                "Memcached: data tiering nodes (r6gd) run Valkey and Redis "
                                "only; use an r7g or m7g node of the same size."))
        node = None
    # Neither engine nor version in the default description: an upgrade would modify every
    # member, and ModifyReplicationGroup on a Global Datastore member is rejected.
    description = resolve_description(cfg.description, prefix, name, "", path, problems,
                                      why=" (ElastiCache requires a description)")

    size_warnings: list[str] = []
    if memcached:
        _refuse_for_memcached(cfg, path, problems)
        shards, replicas, cluster_mode = 1, 0, False
        nodes = cfg.nodes if cfg.nodes is not None else defaults.memcached_nodes
        if check_range(nodes, AWS_LIMITS["nodes"], f"{path}.nodes", problems) \
                and nodes > DEFAULT_MEMCACHED_NODES:
            size_warnings.append(f"{path}.nodes: {nodes} nodes pass the {DEFAULT_MEMCACHED_NODES} "
                                 "Memcached nodes a cluster the ElastiCache API takes until AWS "
                                 "raises the account's limit; ask for it (ElastiCache limit "
                                 "increase) before `pulumi up`.")
    else:
        shards = cfg.shards if cfg.shards is not None else 1
        replicas = cfg.replicas if cfg.replicas is not None else defaults.replicas
        nodes = shards * (1 + replicas)
        check_range(shards, AWS_LIMITS["shards"], f"{path}.shards", problems)
        check_range(replicas, AWS_LIMITS["replicas"], f"{path}.replicas", problems)
        # With auto scaling, the quota warning is for the scaler's maxima (_check_autoscaling).
        check_group_nodes(shards, replicas, f"{path}.shards", problems,
                          size_warnings if cfg.autoscaling is None else None)
        cluster_mode = cfg.aws.cluster_mode if cfg.aws.cluster_mode is not None else shards > 1
        if shards > 1 and not cluster_mode:
            problems.append(Problem(f"{path}.aws.cluster_mode", f"false does not fit shards: "
                                    f"{shards}; more than one shard needs cluster mode."))
        if cfg.nodes is not None:
            problems.append(Problem(f"{path}.nodes", f"{engine} is sized with shards and "
                                                     "replicas; nodes is for memcached only."))

    family = catalog.parameter_group_family(engine, version) if version is not None else None
    parameters = check_cache_parameters(cfg.parameters, AWS_FAMILIES[family] if family else None,
                                        version, "aws", path, problems)
    if memcached:
        _check_memcached_item_sizes(parameters, node, f"{path}.parameters", problems)
    else:
        # Sharding needs cluster-enabled=yes in the group's parameters (docs/cloud-rules.md).
        parameters = dict(sorted({**parameters,
                                  "cluster-enabled": "yes" if cluster_mode else "no"}.items()))
    maintenance = cfg.maintenance_window or defaults.maintenance_window
    snapshot = cfg.snapshot_window or defaults.snapshot_window
    weekly = check_weekly_window(maintenance, f"{path}.maintenance_window", problems)
    if weekly is not None and weekly.minutes > MAX_MAINTENANCE_MINUTES:
        problems.append(Problem(f"{path}.maintenance_window", f"{maintenance!r} lasts "
                                f"{weekly.minutes} minutes; an ElastiCache maintenance window "
                                "lasts 60 minutes to 24 hours (one that ends before it starts "
                                "runs into the next week), e.g. 'sun:05:00-sun:06:00'."))
        weekly = None                           # no overlap check against a refused window
    if not memcached:
        daily = check_daily_window(snapshot, f"{path}.snapshot_window", problems)
        if weekly is not None and daily is not None:
            _check_windows_apart(weekly, daily, snapshot, maintenance, path, problems)
    retention = 0 if memcached else (cfg.snapshot_retention_days
                                     if cfg.snapshot_retention_days is not None
                                     else defaults.snapshot_retention_days)
    check_range(retention, AWS_LIMITS["snapshot_retention_days"],
                f"{path}.snapshot_retention_days", problems)

    aws = cfg.aws
    port = aws.port if aws.port is not None else catalog.ENGINE_PORT[engine]
    check_range(port, AWS_LIMITS["aws.port"], f"{path}.aws.port", problems)
    create_kms_key = resolve_kms(aws, defaults, region, path, problems)
    log_retention = aws.log_retention_days if aws.log_retention_days is not None \
        else defaults.log_retention_days
    if log_retention not in LOG_RETENTION_DAYS:
        problems.append(Problem(f"{path}.aws.log_retention_days", f"{log_retention} is not a "
                                "CloudWatch Logs retention; use one of "
                                f"{', '.join(map(str, LOG_RETENTION_DAYS))}."))
    if node is not None and version is not None and node.data_tiering and not memcached:
        _check_data_tiering(node, version, parameters, path, problems)
    alarms = resolve_alarms(cfg.alarms, profile, f"{path}.alarms", problems, engine=engine)
    if node is not None and alarms.host_cpu_percent == 100 and (memcached or node.vcpus > 2):
        # CPUUtilization is the whole host's and stops at 100 %; only a Valkey/Redis node of
        # 2 vCPUs or fewer divides the threshold by its cores (components/aws/alarms.py
        # host_cpu_threshold), so only there can a 100 fire. Above 100 the range check speaks.
        problems.append(Problem(f"{path}.alarms.host_cpu_percent",
                                f"{alarms.host_cpu_percent:g} is not allowed on {node.name} "
                                f"({node.vcpus} vCPUs): host CPU never passes 100 %, so the "
                                "alarm could never fire; use 1 to 99."))
    global_spec = None
    if cfg.global_ is not None and not memcached and node is not None:
        global_spec = check_global(cfg.global_, naming.replication_group_id(prefix, name), node,
                                   shards, replicas, cluster_mode or replicas >= 1,
                                   region, f"{path}.global", problems, size_warnings)
        if version is not None and version.endswith(".x"):
            # The provider compares "6.x" (6.<max>) with the created group's 6.2.6 as a minor
            # upgrade, and refuses one with a parameter group after creating the global group
            # (terraform-provider-aws global_replication_group.go,
            # resourceGlobalReplicationGroupCreate): the stack could never finish it.
            problems.append(Problem(f"{path}.engine_version", f"{version!r} cannot start a "
                                    f"Global Datastore; use '{version[:-2]}.2'."))

    cache_id = naming.replication_group_id(prefix, name)
    users: tuple[UserSpec, ...] = ()
    if aws.users is not None and not memcached and version is not None:
        users = resolve_users(aws.users, cache_id, engine, version, cfg.global_ is not None,
                              f"{path}.aws.users", problems)
        if users:
            check_default_user_id(cache_id, path, problems)
    restore = None if memcached else resolve_aws_restore(cfg.restore_from,
                                                         f"{path}.restore_from", problems)
    final_snapshot = False if memcached else (
        cfg.final_snapshot if cfg.final_snapshot is not None else defaults.final_snapshot)
    if restore is not None and final_snapshot \
            and restore.snapshot_name == naming.final_snapshot_name(cache_id):
        # DeleteReplicationGroup fails with SnapshotAlreadyExistsFault when the final snapshot's
        # name is taken: this cache could never be deleted or replaced.
        problems.append(Problem(f"{path}.restore_from", f"{restore.snapshot_name!r} is the name "
                                "this cache's own final snapshot takes when it is deleted, so "
                                "its deletion would fail; copy the snapshot to another name "
                                "(`aws elasticache copy-snapshot --source-snapshot-name "
                                f"{restore.snapshot_name} --target-snapshot-name "
                                f"{cache_id}-restore`), restore from the copy, and delete "
                                f"{restore.snapshot_name} (the copy keeps its data)."))
    import_id = check_import_id(aws.import_id, cache_id,
                                "cluster" if memcached else "replication group",
                                f"{path}.aws.import_id", problems)
    # The conflicts hold whatever the id: a wrong one must not hide them.
    if aws.import_id is not None:
        problems.extend(Problem(f"{path}.{key}", message)
                        for conflicts, key, message in _IMPORT_CONFLICTS if conflicts(cfg))
    if aws.subnet_group_name is not None and not _SUBNET_GROUP.match(aws.subnet_group_name):
        problems.append(Problem(f"{path}.aws.subnet_group_name", f"{aws.subnet_group_name!r} is "
                                "not a cache subnet group name; use up to 255 letters, digits "
                                "and hyphens."))
    elif aws.subnet_group_name is not None and aws.subnet_group_name.lower() != \
            aws.subnet_group_name:
        # CreateCacheSubnetGroup: the name "is stored as a lowercase string", and the cache's
        # subnet_group_name (ForceNew) is read back as stored: a replacement on every update.
        problems.append(Problem(f"{path}.aws.subnet_group_name", f"{aws.subnet_group_name!r} is "
                                "stored by ElastiCache in lower case, and the name as written "
                                "would replace the cache on every update; write "
                                f"{aws.subnet_group_name.lower()!r}."))
    tls_mode, warnings = _check_tls_mode(aws.transit_encryption_mode, engine, version, profile,
                                         path, problems)
    autoscaling = None
    if cfg.autoscaling is not None and node is not None and version is not None:
        autoscaling = _check_autoscaling(cfg.autoscaling, engine, version, node, shards, replicas,
                                         cluster_mode, cfg.global_ is not None,
                                         f"{path}.autoscaling", problems, size_warnings)
        reserved = parameters.get("reserved-memory-percent", "25")
        if autoscaling is not None and autoscaling.replicas is not None \
                and reserved.isdigit() and int(reserved) < 25:
            # "Auto Scaling doesn't support scaling of replicas with a cluster having
            # ReservedMemoryPercent less than 25 percent" (the ElastiCache guide's replica auto
            # scaling page, awsdocs/amazon-elasticache-docs); the live page could not be read.
            size_warnings.append(f"{path}.parameters.reserved-memory-percent: {reserved} is "
                                 "below 25, with which ElastiCache has documented that it does "
                                 "not auto scale replicas; keep 25 or more.")

    if len(problems) > before or version is None or node is None:
        return None
    return CacheSpec(
        name=name,
        engine=engine,
        engine_version=version,
        family=catalog.parameter_group_family(engine, version),
        description=description,
        node_type=node,
        shards=shards,
        replicas=replicas,
        cluster_mode=cluster_mode,
        nodes=nodes,
        parameters=parameters,
        maintenance_window=maintenance,
        snapshot_window=snapshot,
        snapshot_retention_days=retention,
        final_snapshot=final_snapshot,
        **profile_choices(cfg, defaults),
        port=port,
        create_kms_key=create_kms_key and not memcached,
        kms_key_arn=aws.kms_key_arn,
        log_retention_days=log_retention,
        apply_immediately=aws.apply_immediately if aws.apply_immediately is not None
        else import_id is not None or defaults.apply_immediately,
        auto_minor_version_upgrade=aws.auto_minor_version_upgrade,
        cache_id=cache_id,
        transit_encryption_mode=tls_mode,
        warnings=(*size_warnings, *warnings),
        alarms=alarms,
        global_=global_spec,
        users=users,
        import_id=import_id,
        restore=restore,
        subnet_group_name=aws.subnet_group_name,
        autoscaling=autoscaling,
    )


def _check_memcached_item_sizes(parameters: dict[str, str], node: catalog.NodeType | None,
                                path: str, problems: list[Problem]) -> None:
    """CreateCacheCluster and ModifyCacheCluster fail "If slab_chunk_max > max_item_size", "If
    max_item_size modulo slab_chunk_max != 0" and "If max_item_size > ((max_cache_memory -
    memcached_connections_overhead) / 4)" (ElastiCache for Memcached, Version management,
    Memcached 1.5.10 changes). Memcached itself exits unless slab_chunk_max divides its 1 MiB
    slab page ("must divide evenly into ... (slab_page_size)", memcached.c)."""
    texts = [parameters.get(key, str(default)) for key, default in (
        ("max_item_size", catalog.MEMCACHED_ITEM_SIZE),
        ("slab_chunk_max", catalog.MEMCACHED_SLAB_CHUNK),
        ("memcached_connections_overhead", catalog.MEMCACHED_CONNECTIONS_OVERHEAD_MB))]
    if not all(text.isdigit() for text in texts):
        return                                  # already refused by the parameter check
    item, chunk, overhead = map(int, texts)
    if catalog.MEMCACHED_SLAB_PAGE % chunk:
        problems.append(Problem(f"{path}.slab_chunk_max", f"{chunk} does not divide Memcached's "
                                f"slab page of {catalog.MEMCACHED_SLAB_PAGE} bytes, so the engine "
                                "does not start; use a power of two up to 1048576, e.g. 524288."))
        return
    # The node's cap: a quarter of its memory for items, in whole chunks (None: node unknown).
    capacity = None if node is None else catalog.MEMCACHED_MAX_CACHE_MEMORY_MB[node.name]
    largest = None if node is None else catalog.memcached_largest_item(node.name, overhead, chunk)
    if chunk > item or item % chunk:
        key = "max_item_size" if "max_item_size" in parameters else "slab_chunk_max"
        example = max(chunk, item // chunk * chunk)
        if largest is not None and largest >= chunk:
            example = min(example, largest)
        problems.append(Problem(f"{path}.{key}", f"max_item_size {item} and slab_chunk_max "
                                f"{chunk} do not fit: max_item_size must be a multiple of "
                                "slab_chunk_max (and not below it), or ElastiCache refuses the "
                                f"cluster; e.g. max_item_size {example}."))
        return
    if node is None or capacity is None or largest is None or item <= largest:
        return
    memory_mb = catalog.memcached_item_memory_mb(node.name, overhead)
    room = (f"the {memory_mb} MB a {node.name} node has for items (its max_cache_memory "
            f"less memcached_connections_overhead {overhead})")
    if "max_item_size" in parameters and largest >= chunk:
        key, fix = "max_item_size", f"use at most {largest} (a multiple of slab_chunk_max)"
    else:
        # The overhead leaves too little: the most it may be for this item size.
        most = capacity - -(-4 * item // 2**20)
        key, fix = (("memcached_connections_overhead",
                     f"use a memcached_connections_overhead of at most {most}") if most >= 0
                    else ("max_item_size", "use a smaller max_item_size"))
    problems.append(Problem(f"{path}.{key}", f"max_item_size {item} is more than a quarter of "
                            f"{room}, so ElastiCache refuses the cluster; {fix}, or choose a "
                            "larger node type."))


def _check_data_tiering(node: catalog.NodeType, version: str, parameters: dict[str, str],
                        path: str, problems: list[Problem]) -> None:
    if version_key(version) < (6, 2):
        problems.append(Problem(f"{path}.node_type", f"{node.name!r} uses data tiering, which "
                                "needs Valkey or Redis 6.2 or later."))
    policy = parameters.get("maxmemory-policy")
    if policy is not None and policy not in catalog.DATA_TIERING_EVICTION_POLICIES:
        problems.append(Problem(f"{path}.parameters.maxmemory-policy", f"{policy!r} is not "
                                f"supported on data tiering nodes ({node.name}); use one of "
                                f"{', '.join(catalog.DATA_TIERING_EVICTION_POLICIES)}."))


def _check_autoscaling(cfg: AutoscalingConfig, engine: str, version: str,
                       node: catalog.NodeType, shards: int, replicas: int, cluster_mode: bool,
                       is_global: bool, path: str, problems: list[Problem],
                       warnings: list[str]) -> AutoscalingSpec | None:
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
    if version_key(version) < minimum:
        what = "data tiering nodes" if node.data_tiering else "auto scaling"
        problems.append(Problem(path, f"{engine} {version} cannot auto scale; {what} need "
                                f"{engine} {'.'.join(map(str, minimum))} or later."))
    ranges: dict[str, ScalingRange] = {}
    for dimension, scaling, configured, target_key, metric in (
        ("replicas", cfg.replicas, replicas, "target_cpu_percent",
         catalog.AUTOSCALING_REPLICA_METRIC),
        ("shards", cfg.shards, shards, "target_memory_percent",
         catalog.AUTOSCALING_SHARD_CAPACITY_METRIC if node.data_tiering
         else catalog.AUTOSCALING_SHARD_MEMORY_METRIC),
    ):
        if scaling is None:
            continue
        key = f"{path}.{dimension}"
        count = len(problems)
        for bound in ("min", "max"):
            check_range(getattr(scaling, bound), AWS_LIMITS[f"autoscaling.{dimension}"],
                        f"{key}.{bound}", problems)
        if len(problems) == count and scaling.min > scaling.max:
            problems.append(Problem(key, f"min {scaling.min} is above max {scaling.max}."))
        elif len(problems) == count and not scaling.min <= configured <= scaling.max:
            problems.append(Problem(key, f"{dimension}: {configured} is outside min "
                                    f"{scaling.min} to max {scaling.max}; the count you "
                                    "configure must lie within the range the scaler keeps."))
        target = getattr(scaling, target_key)
        check_range(target, AWS_LIMITS["autoscaling.target_percent"], f"{key}.{target_key}",
                    problems)
        ranges[dimension] = ScalingRange(min=scaling.min, max=scaling.max,
                                         target_percent=float(target), metric=metric)
    if len(problems) > before:
        return None
    # The scaler may take both dimensions to their maxima at once. Maxima within the scaler's
    # own ranges (AWS_LIMITS) register whatever nodes they add up to; only the scale-out past
    # 500 nodes would fail: a warning.
    check_group_nodes(ranges["shards"].max if "shards" in ranges else shards,
                      ranges["replicas"].max if "replicas" in ranges else replicas,
                      path, problems, warnings, what=" at the scaler's maximum",
                      fix="so scaling out fails before the maxima; lower shards.max or "
                          "replicas.max", refuse=False)
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
                         "transit_encryption_mode": "TLS mode (a cluster has TLS on or off "
                                                    "from its creation)",
                         "users": "RBAC users or AUTH (its security group is its only gate)",
                         }.items():
        if key in cfg.aws.model_fields_set:
            problems.append(Problem(f"{path}.aws.{key}", f"Memcached has no {feature}; remove the "
                                                         "key or use engine 'valkey'."))


def resolve_kms(aws: AwsCacheOptions, defaults: AwsProfileDefaults, region: str, path: str,
                problems: list[Problem]) -> bool:
    """Whether the program creates a KMS key for the cache (create_kms_key, else the profile's
    default unless kms_key_arn names the user's own key), and the key ARN's rules."""
    _check_kms_arn(aws, region, path, problems)
    return aws.create_kms_key if aws.create_kms_key is not None \
        else defaults.create_kms_key and aws.kms_key_arn is None


def _check_kms_arn(aws: AwsCacheOptions, region: str, path: str,
                   problems: list[Problem]) -> None:
    if aws.kms_key_arn is None:
        return
    if _KMS_ALIAS_ARN.match(aws.kms_key_arn):
        problems.append(Problem(f"{path}.aws.kms_key_arn", f"{aws.kms_key_arn!r} is an alias "
                                "ARN; use the key's ARN (arn:aws:kms:<region>:<account>:key/<id>, "
                                "`aws kms describe-key --key-id <alias>` prints it): ElastiCache "
                                "reports the key's ARN, and any other value would replace the "
                                "cache on every later update."))
    elif not _KMS_ARN.match(aws.kms_key_arn):
        problems.append(Problem(f"{path}.aws.kms_key_arn", f"{aws.kms_key_arn!r} is not a KMS "
                                "key ARN (arn:aws:kms:<region>:<account>:key/<id>)."))
    elif region and f":kms:{region}:" not in aws.kms_key_arn:
        problems.append(Problem(f"{path}.aws.kms_key_arn", f"the key is not in {region}; "
                                "ElastiCache needs a KMS key in the cache's own region."))
    if aws.create_kms_key:
        problems.append(Problem(f"{path}.aws", "set kms_key_arn (your key) or "
                                               "create_kms_key: true (a new key), not both."))


def _check_engine_version(engine: str, version: str | None, path: str,
                          problems: list[Problem]) -> str | None:
    known = catalog.AWS_ENGINE_VERSIONS[engine]
    if version is None:
        return catalog.DEFAULT_ENGINE_VERSION[engine]
    if version in known:
        return version
    major = version.split(".")[0]
    if engine != "memcached" and _PATCH_VERSION.match(version) and int(major) >= 7:
        major_minor = ".".join(version.split(".")[:2])
        problems.append(Problem(f"{path}.engine_version", f"{version!r} has a patch level; "
                                f"{engine} {major}+ takes major.minor only, e.g. "
                                f"{major_minor!r}."))
        return None
    hint = " (TLS needs Memcached 1.6.12 or later)" if engine == "memcached" else ""
    problems.append(Problem(f"{path}.engine_version", f"{version!r} is not a supported {engine} "
                            f"version on ElastiCache{hint}; use one of {', '.join(known)}."))
    return None


def _check_node_type(cfg: CacheConfig, defaults: AwsProfileDefaults, profile: str, path: str,
                     problems: list[Problem]) -> catalog.NodeType | None:
    if not check_sizing_keys(cfg.node_type, cfg.memory_gb, "GiB", path, problems):
        return None
    if cfg.memory_gb is not None:
        families = catalog.SIZING_FAMILIES[profile]
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


def _check_windows_apart(weekly: WeeklyWindow, daily: DailyWindow, snapshot: str,
                         maintenance: str, path: str, problems: list[Problem]) -> None:
    """ElastiCache refuses a daily snapshot window that overlaps the weekly maintenance window
    on any day ("The snapshot window and maintenance window must not overlap",
    hashicorp/terraform#17247), even with snapshots off."""
    week = 7 * 1440
    daily_start = daily.hour * 60 + daily.minute
    weekly_start = DAYS.index(weekly.day) * 1440 + weekly.hour * 60 + weekly.minute
    for day in range(7):
        start = day * 1440 + daily_start
        if (start - weekly_start) % week < weekly.minutes \
                or (weekly_start - start) % week < daily.minutes:
            problems.append(Problem(f"{path}.snapshot_window", f"{snapshot!r} overlaps the "
                                    f"maintenance window {maintenance!r}; ElastiCache needs "
                                    "them apart. Move one of them."))
            return


TLS_MODES = ("preferred", "required")


def _check_tls_mode(mode: str | None, engine: str, version: str | None, profile: str,
                    path: str, problems: list[Problem],
                    ) -> tuple[Literal["preferred", "required"], tuple[str, ...]]:
    """`aws.transit_encryption_mode`. Turning TLS on for a live group (an adopted cache without
    it) takes two updates: "preferred" first, then "required" (ModifyReplicationGroup,
    TransitEncryptionMode: "you must first set it to preferred"); a new cache starts at
    "required"."""
    if mode is None or engine == "memcached":
        return "required", ()
    key = f"{path}.aws.transit_encryption_mode"
    if mode not in TLS_MODES:
        problems.append(Problem(key, f"{mode!r} is not allowed; use one of "
                                f"{', '.join(TLS_MODES)}."))
    elif version is not None and redis_below_7_0_5(engine, version):
        problems.append(Problem(key, f"Redis OSS {version} has no TLS mode (it needs 7.0.5 or "
                                "later); remove the key."))
    elif mode == "preferred":
        warnings = (f"{key} is 'preferred': clients may still connect without TLS; set "
                    "'required' once they all use TLS.",) if profile == "production" else ()
        return "preferred", warnings
    return "required", ()
