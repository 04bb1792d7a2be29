"""GCP Memorystore rules for caches: resolve a cache to Memorystore for Valkey, Redis or
Memcached (the network and stack-wide rules are gcp_network.py's).

Every rule appends a `Problem` with the key path, the bad value and what is allowed, so one
run reports every mistake and nothing is created. Sources: the Terraform google provider docs
for google_redis_instance, google_memorystore_instance and google_memcache_instance, and the
Memorystore product docs cited next to the rules (see docs/cloud-rules.md).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

from infra import naming
from infra.catalog.gcp import (
    _DAY_NAMES,
    _KMS_KEY,
    _REDIS_NAME,
    _VALKEY_ID,
    DEFAULT_ENGINE_VERSION,
    ENGINE_VERSIONS,
    GCP_DEFAULTS,
    INSTANCE_ID_LENGTH,
    MAX_CHANNELS_PER_ALERT_POLICY,
    MAX_REPLICAS,
    MEMCACHED_DISPLAY_NAME_MAX,
    MEMCACHED_END_OF_NEW_INSTANCES,
    MEMCACHED_MAX_CLIENTS,
    MEMCACHED_MAX_GB_PER_VCPU,
    MEMCACHED_MAX_NODE_GB,
    MEMCACHED_MAX_VCPUS,
    MEMCACHED_MIN_GB_PER_VCPU,
    MEMCACHED_ONE_VCPU_REGIONS,
    MEMCACHED_WINDOW_MINUTES,
    NO_SLA_NODE_TYPES,
    PRODUCT,
    RDB_PERIODS,
    REDIS_6_TLS_CLIENTS,
    REDIS_MAX_CLIENTS,
    REDIS_MAX_GB,
    REDIS_MIN_GB,
    REDIS_READ_REPLICAS_MIN_GB,
    VALKEY_KEYSPACE_GB,
    VALKEY_NODE_TYPES,
    GcpDefaults,
    ValkeyNodeType,
    smallest_valkey_node,
)
from infra.catalog.parameters import gcp_parameter_set
from infra.config.access import check_import_id, check_service_accounts, resolve_gcp_restore
from infra.config.alarms import GCP_UNWATCHED, fit_connections, resolve_alarms
from infra.config.common import (
    DAYS,
    Problem,
    WeeklyWindow,
    check_cache_parameters,
    check_range,
    check_sizing_keys,
    check_weekly_window,
    did_you_mean,
    profile_choices,
    resolve_description,
    resolve_snapshots,
)
from infra.config.gcp_global import check_global
from infra.config.gcp_labels import check_labels
from infra.config.gcp_limits import (
    GCP_LIMITS,
    check_valkey_units,
    cluster_disabled_replica_warnings,
)
from infra.config.schema import CacheConfig
from infra.config.spec import GcpCacheSpec


def resolve_cache(name: str, cfg: CacheConfig, profile: str, prefix: str, region: str, path: str,
                  problems: list[Problem]) -> GcpCacheSpec | None:
    """One `caches.<name>` entry for a GCP stack, resolved to its Memorystore product with the
    profile's GCP_DEFAULTS."""
    before = len(problems)
    gcp_defaults = GCP_DEFAULTS[profile]
    engine = cfg.engine
    warnings: list[str] = []
    instance_id = f"{prefix}-{name}"
    version, api_version = _check_version(engine, cfg.engine_version, path, problems)
    _refuse_missing_features(cfg, engine, path, problems)

    common: dict[str, Any] = dict(
        name=name, engine=engine, engine_version=version or "", api_version=api_version or "",
        instance_id=instance_id,
        **profile_choices(cfg, gcp_defaults),
        labels=check_labels(cfg.gcp.labels, name, f"{path}.gcp.labels", problems),
        parameters=check_cache_parameters(cfg.parameters, gcp_parameter_set(engine, version),
                                          version, "gcp", path, problems,
                                          limits=_parameter_limits(cfg, engine, gcp_defaults)),
        alarms=resolve_alarms(cfg.alarms, profile, f"{path}.alarms", problems,
                              unwatched=GCP_UNWATCHED[engine], watched_by=PRODUCT[engine],
                              connection_cap=None, percent_limits={
                                  "memory_critical_percent":
                                  GCP_LIMITS["alarms.memory_critical_percent"]}),
    )
    common["description"] = resolve_description(cfg.description, prefix, name,
                                                f"{engine} {version}", path, problems)
    if engine == "memcached" and len(common["description"]) > MEMCACHED_DISPLAY_NAME_MAX:
        # Memcached's display name "cannot be more than 80 characters" (Memorystore for
        # Memcached REST reference, Instance.displayName).
        problems.append(Problem(f"{path}.description", f"is {len(common['description'])} "
                                "characters; Memorystore for Memcached shows at most "
                                f"{MEMCACHED_DISPLAY_NAME_MAX}."))

    if engine == "valkey":
        engine_fields = _resolve_valkey(cfg, gcp_defaults, profile, region, instance_id, path,
                                        problems, warnings)
    elif engine == "redis":
        engine_fields = _resolve_redis(cfg, gcp_defaults, region, instance_id, path, problems)
    else:
        engine_fields = _resolve_memcached(cfg, gcp_defaults, region, instance_id, path, problems)
        warnings.append(f"caches.{name}: Google stops new Memorystore for Memcached instances in "
                        f"new projects after {MEMCACHED_END_OF_NEW_INSTANCES}; consider engine "
                        "'valkey' (Memorystore for Valkey) instead.")

    if engine != "memcached":
        tls = cfg.gcp.tls if cfg.gcp.tls is not None else gcp_defaults.tls
        auth = cfg.gcp.auth if cfg.gcp.auth is not None else gcp_defaults.auth
        if profile == "production" and not tls:
            warnings.append(f"{path}.gcp.tls is false: traffic to a production cache is not "
                            "encrypted.")
        if profile == "production" and not auth:
            warnings.append(f"{path}.gcp.auth is false: any client in the network can use a "
                            "production cache without credentials.")
        _check_kms(cfg.gcp.kms_key, region, f"{path}.gcp.kms_key", problems)
        _check_zone(cfg.gcp.zone, region, f"{path}.gcp.zone", problems)
        if cfg.gcp.zone is not None and profile == "production" and \
                engine_fields.get("replicas", 0) >= 1 and engine == "valkey":
            warnings.append(f"{path}.gcp.zone puts every replica in {cfg.gcp.zone}: a zone "
                            "outage takes the whole cache down.")
    else:
        tls = auth = False
    # Redis with TLS moves to port 6378 (docs/cloud-rules.md).
    port = 11211 if engine == "memcached" else (6378 if engine == "redis" and tls else 6379)

    accounts = _client_service_accounts(cfg.gcp.client_service_accounts, engine, auth,
                                        f"{path}.gcp.client_service_accounts", problems)
    restore = resolve_gcp_restore(cfg.restore_from, engine, f"{path}.restore_from", problems)
    cap = _client_cap(engine, engine_fields.get("node_type"), common["parameters"], path,
                      problems)
    if engine == "redis" and tls and (version or "").startswith("6"):
        memory = engine_fields.get("memory_gb") or 0
        limit = next((c for gb, c in REDIS_6_TLS_CLIENTS if memory <= gb), REDIS_MAX_CLIENTS)
        cap = (limit, f"a {memory} GB Memorystore for Redis {version} instance with TLS")
    if cap is not None:
        overridden = cfg.alarms is not None and cfg.alarms.max_connections is not None
        common["alarms"] = fit_connections(common["alarms"], *cap, overridden,
                                           f"{path}.alarms", problems)
    import_id = check_import_id(cfg.gcp.import_id, instance_id, "instance",
                                f"{path}.gcp.import_id", problems)
    if cfg.gcp.import_id is not None and cfg.restore_from is not None:
        problems.append(Problem(f"{path}.restore_from", "an import adopts an existing instance "
                                "and a restore creates a new one; set gcp.import_id or "
                                "restore_from, not both."))

    if len(problems) > before or version is None:
        return None
    return GcpCacheSpec(**common, **engine_fields, tls=tls, auth=auth, port=port,
                        kms_key=cfg.gcp.kms_key if engine != "memcached" else None,
                        warnings=tuple(warnings), client_service_accounts=accounts,
                        import_id=import_id, restore=restore)


def _client_service_accounts(accounts: list[str] | None, engine: str, auth: bool, path: str,
                             problems: list[Problem]) -> tuple[str, ...]:
    """Valkey IAM clients; Redis and Memcached have no IAM authentication."""
    if accounts is None:
        return ()
    if engine == "redis":
        problems.append(Problem(path, "Memorystore for Redis has no IAM authentication; clients "
                                      "send the instance's AUTH string (gcp.auth: true, in the "
                                      "secret output auth_tokens). Remove the key or use engine "
                                      "'valkey'."))
        return ()
    if engine == "memcached":
        problems.append(Problem(path, "Memorystore for Memcached has no authentication; remove "
                                      "the key or use engine 'valkey' (IAM authentication)."))
        return ()
    if not accounts:
        problems.append(Problem(path, "is empty; list service accounts or remove the key."))
        return ()
    if not auth:
        problems.append(Problem(path, "needs gcp.auth: true (IAM authorization); without it the "
                                      "instance admits every client in the network and the "
                                      "bindings would grant nothing."))
    return check_service_accounts(accounts, path, problems)


def _check_version(engine: str, version: str | None, path: str,
                   problems: list[Problem]) -> tuple[str | None, str | None]:
    known = ENGINE_VERSIONS[engine]
    chosen = version if version is not None else DEFAULT_ENGINE_VERSION[engine]
    if chosen in known:
        return chosen, known[chosen]
    ours = {api: v for v, api in known.items()}
    hint = f" Write it as {ours[chosen]!r}." if chosen in ours else did_you_mean(chosen, known)
    problems.append(Problem(f"{path}.engine_version", f"{chosen!r} is not a {PRODUCT[engine]} "
                            f"version; use one of {', '.join(known)}.{hint}"))
    return None, None


# Keys a Memorystore product has no counterpart for: refused with the product's name.
_LACKING: dict[str, dict[str, str]] = {
    "valkey": {
        "description": "description field (use gcp.labels)",
        "gcp.vcpus": "vCPU setting (pick a node_type)",
        "gcp.read_replicas": "read replicas mode (replicas of a Valkey instance serve reads "
                             "already)",
    },
    "redis": {
        "node_type": f"node types (it is sized with memory_gb, {REDIS_MIN_GB} to "
                     f"{REDIS_MAX_GB})",
        "global": "cross-region replication",
        "snapshot_window": "automated backups (gcp.persistence: rdb keeps RDB snapshots)",
        "snapshot_retention_days": "automated backups (gcp.persistence: rdb keeps RDB "
                                   "snapshots)",
        "final_snapshot": "final snapshot on deletion (export the RDB file to Cloud Storage "
                          "first)",
        "gcp.cluster_mode": "cluster mode",
        "gcp.vcpus": "vCPU setting (it is sized with memory_gb)",
    },
    "memcached": {
        "replicas": "replication",
        "shards": "shards (it spreads keys over nodes instead)",
        "global": "cross-region replication",
        "snapshot_window": "snapshots",
        "snapshot_retention_days": "snapshots",
        "final_snapshot": "snapshots",
        "node_type": "node types (size nodes with memory_gb and gcp.vcpus)",
        "gcp.cluster_mode": "cluster mode",
        "gcp.read_replicas": "replication",
        "gcp.persistence": "persistence",
        "gcp.rdb_snapshot_hours": "persistence",
        "gcp.tls": "in-transit encryption",
        "gcp.auth": "authentication",
        "gcp.kms_key": "customer-managed encryption keys",
        "gcp.zone": "single-zone placement",
    },
}


def _client_cap(engine: str, api_node_type: str | None, parameters: Mapping[str, str],
                path: str, problems: list[Problem]) -> tuple[int, str] | None:
    """The most clients one node accepts, and whose limit that is; None where unknown."""
    if engine == "redis":
        return REDIS_MAX_CLIENTS, "a Memorystore for Redis node"
    if engine == "memcached":
        return MEMCACHED_MAX_CLIENTS, "a Memorystore for Memcached node"
    node = next((n for n in VALKEY_NODE_TYPES.values() if n.api_name == api_node_type), None)
    if engine != "valkey" or node is None:
        return None
    configured = parameters.get("maxclients")
    if configured is None:
        return node.default_clients, f"a {node.name} node (maxclients {node.default_clients})"
    value = int(configured)
    if value > node.max_clients:
        problems.append(Problem(f"{path}.parameters.maxclients", f"{value} is above the "
                                f"{node.max_clients} clients a {node.name} node takes "
                                "(Memorystore for Valkey quotas, Max clients); use 1 to "
                                f"{node.max_clients}."))
        return node.max_clients, f"a {node.name} node"
    return value, f"a {node.name} node with maxclients {value}"


def _refuse_missing_features(cfg: CacheConfig, engine: str, path: str,
                             problems: list[Problem]) -> None:
    product = PRODUCT[engine]
    alternative = "" if engine == "valkey" else " or use engine 'valkey'"
    for key, feature in _LACKING[engine].items():
        block, _, field = key.rpartition(".")
        model = cfg.gcp if block == "gcp" else cfg
        if field == "global":
            present = cfg.global_ is not None
        elif field == "final_snapshot" and engine != "memcached":
            present = cfg.final_snapshot is True   # false is what Memorystore does anyway
        else:
            present = field in model.model_fields_set
        if present:
            problems.append(Problem(f"{path}.{key}", f"{product} has no {feature}; remove the "
                                                     f"key{alternative}."))
    if cfg.serverless is not None:
        nearest = ("an instance sized with shards, replicas and node_type, whose shards change "
                   "online" if engine == "valkey" else "Memorystore for Valkey (engine 'valkey'), "
                   "sized with shards and node_type, whose shards change online")
        problems.append(Problem(f"{path}.serverless", f"Memorystore has no serverless tier; "
                                f"the nearest option is {nearest}. Remove the key."))
    if cfg.autoscaling is not None:
        nearest = ("set shards and replicas here and change them online, without downtime"
                   if engine == "valkey" else "the nearest option is Memorystore for Valkey "
                   "(engine 'valkey'), whose shards and replicas change online")
        problems.append(Problem(f"{path}.autoscaling", f"{product} has no managed auto "
                                f"scaling; {nearest}. Remove the key."))
    sizing = {"valkey": "shards, replicas and node_type", "redis": "memory_gb and replicas"}
    if engine in sizing and cfg.nodes is not None:
        problems.append(Problem(f"{path}.nodes", f"{product} is sized with {sizing[engine]}; "
                                                 "nodes is for memcached only."))
    if engine == "valkey" and cfg.final_snapshot is True:
        problems.append(Problem(f"{path}.final_snapshot", "Memorystore for Valkey takes no "
                                "backup when an instance is deleted; remove the key (automated "
                                "backups follow snapshot_retention_days)."))


def _resolve_valkey(cfg: CacheConfig, d: GcpDefaults, profile: str, region: str, instance_id: str,
                    path: str, problems: list[Problem], warnings: list[str]) -> dict[str, Any]:
    gcp = cfg.gcp
    if not INSTANCE_ID_LENGTH[0] <= len(instance_id) <= INSTANCE_ID_LENGTH[1] \
            or not _VALKEY_ID.match(instance_id):
        problems.append(Problem(path, f"the instance id {instance_id!r} is not allowed; "
                                f"Memorystore for Valkey ids are {INSTANCE_ID_LENGTH[0]} to "
                                f"{INSTANCE_ID_LENGTH[1]} lowercase letters, digits and "
                                "hyphens. Lengthen the cache name or name_prefix."))
    node = _valkey_node_type(cfg, d, profile, path, problems)
    if node is not None and profile == "production" and node.name in NO_SLA_NODE_TYPES:
        warnings.append(f"{path}.node_type {node.name!r} has no SLA; Google recommends "
                        "standard-small or larger in production.")

    shards = cfg.shards if cfg.shards is not None else 1
    replicas = cfg.replicas if cfg.replicas is not None else d.valkey_replicas
    check_range(shards, GCP_LIMITS["valkey.shards"], f"{path}.shards", problems)
    check_range(replicas, GCP_LIMITS["valkey.replicas"], f"{path}.replicas", problems)
    check_valkey_units(shards, replicas, f"{path}.shards", problems)
    cluster_mode = gcp.cluster_mode if gcp.cluster_mode is not None else shards > 1
    if shards > 1 and not cluster_mode:
        problems.append(Problem(f"{path}.gcp.cluster_mode", f"false does not fit shards: "
                                f"{shards}; mode CLUSTER_DISABLED has exactly one shard."))

    persistence = _persistence(gcp.persistence, d, "valkey", path, problems)
    rdb_period = _rdb_period(gcp.rdb_snapshot_hours, d, path, problems)
    retention, start = resolve_snapshots(
        cfg.snapshot_retention_days, cfg.snapshot_window, d.backup_retention_days,
        d.snapshot_window, GCP_LIMITS["valkey.snapshot_retention_days"], path, problems)
    if start is not None and start.minute != 0:
        problems.append(Problem(f"{path}.snapshot_window", f"{cfg.snapshot_window!r} does not "
                                "start on the hour; Memorystore for Valkey starts automated "
                                "backups at a full hour, e.g. '03:00-04:00'."))
    elif start is not None and start.hour == 0:
        # The provider's expander drops a zero `hours` as empty, and with it the whole backup
        # schedule (terraform-provider-google-beta memorystore/resource_memorystore_instance.go,
        # expandMemorystoreInstanceAutomatedBackupConfig...StartTimeHours): the API gets no
        # start time, and the config's 0 would differ from the state on every update.
        problems.append(Problem(f"{path}.snapshot_window", f"{cfg.snapshot_window!r} starts at "
                                "hour 0, which the provider cannot send to Memorystore for "
                                "Valkey; start it at 01:00 or later, e.g. '01:00-02:00'."))

    window = _one_hour_window(cfg.maintenance_window or d.maintenance_window, "Valkey",
                              f"{path}.maintenance_window", problems)
    secondaries: tuple[str, ...] = ()
    secondary_replicas = replicas
    if cfg.global_ is not None:
        secondaries, secondary_replicas = check_global(cfg.global_, instance_id, shards, replicas,
                                                       region, f"{path}.global", problems)
        if gcp.kms_key is not None:
            problems.append(Problem(f"{path}.gcp.kms_key", "a Cloud KMS key is regional and "
                                    "cross-region secondaries would need their own; remove the "
                                    "key or the global block."))
    if not cluster_mode:
        warnings.extend(cluster_disabled_replica_warnings(
            replicas, secondary_replicas if secondaries else 0, path))
    return dict(
        replicas=replicas, shards=shards, cluster_mode=cluster_mode,
        node_type=node.api_name if node else None,
        maintenance=window, persistence=persistence, rdb_snapshot_period=rdb_period,
        backup_retention_days=retention, backup_start_hour=start.hour if start else 0,
        zone=gcp.zone, secondary_regions=secondaries, secondary_replicas=secondary_replicas,
    )


def _valkey_node_type(cfg: CacheConfig, d: GcpDefaults, profile: str, path: str,
                      problems: list[Problem]) -> ValkeyNodeType | None:
    if not check_sizing_keys(cfg.node_type, cfg.memory_gb, "GB", path, problems):
        return None
    if cfg.memory_gb is not None:
        fitted = smallest_valkey_node(cfg.memory_gb, sla_only=profile == "production")
        if fitted is None:
            largest = max(VALKEY_KEYSPACE_GB, key=VALKEY_KEYSPACE_GB.__getitem__)
            problems.append(Problem(f"{path}.memory_gb", f"{cfg.memory_gb} GB does not fit one "
                                    f"Memorystore for Valkey node (the largest, {largest}, "
                                    f"holds {VALKEY_KEYSPACE_GB[largest]} GB); use shards to "
                                    "spread the data."))
        return fitted
    name = cfg.node_type or d.valkey_node_type
    node = VALKEY_NODE_TYPES.get(name) or VALKEY_NODE_TYPES.get(name.lower().replace("_", "-"))
    if node is None:
        problems.append(Problem(f"{path}.node_type", f"{name!r} is not a Memorystore for Valkey "
                                f"node type; use one of {', '.join(VALKEY_NODE_TYPES)}."
                                + did_you_mean(name, VALKEY_NODE_TYPES)))
    return node


def _resolve_redis(cfg: CacheConfig, d: GcpDefaults, region: str, instance_id: str, path: str,
                   problems: list[Problem]) -> dict[str, Any]:
    gcp = cfg.gcp
    if not _REDIS_NAME.match(instance_id):
        problems.append(Problem(path, f"the instance name {instance_id!r} is not allowed; "
                                "Memorystore for Redis names are 2 to 40 lowercase letters, "
                                "digits and hyphens, starting with a letter."))
    if cfg.shards is not None and cfg.shards != 1:
        problems.append(Problem(f"{path}.shards", f"{cfg.shards} is not allowed; Memorystore for "
                                "Redis has one shard. Use engine 'valkey' with shards to spread "
                                "the data."))
    memory = cfg.memory_gb if cfg.memory_gb is not None else d.redis_memory_gb
    check_range(memory, GCP_LIMITS["redis.memory_gb"], f"{path}.memory_gb", problems)
    replicas = cfg.replicas if cfg.replicas is not None else d.redis_replicas
    read_replicas = gcp.read_replicas if gcp.read_replicas is not None else replicas > 1
    # Tier from replicas: BASIC has 0, STANDARD_HA exactly 1, or 1-5 with read replicas
    # (which need at least 5 GB) -- docs/cloud-rules.md.
    if check_range(replicas, GCP_LIMITS["redis.replicas"], f"{path}.replicas", problems):
        _check_redis_tier(replicas, read_replicas, memory, path, problems)
    persistence = _persistence(gcp.persistence, d, "redis", path, problems)
    rdb_period = _rdb_period(gcp.rdb_snapshot_hours, d, path, problems)
    window = _one_hour_window(cfg.maintenance_window or d.maintenance_window, "Redis",
                              f"{path}.maintenance_window", problems)
    return dict(replicas=replicas, memory_gb=int(memory), read_replicas=read_replicas,
                persistence=persistence, rdb_snapshot_period=rdb_period, maintenance=window,
                zone=gcp.zone)


def _check_redis_tier(replicas: int, read_replicas: bool, memory: float, path: str,
                      problems: list[Problem]) -> None:
    if replicas == 0 and read_replicas:
        problems.append(Problem(f"{path}.gcp.read_replicas", "true does not fit replicas: 0; "
                                "the BASIC tier has no replicas. Set replicas to 1 to "
                                f"{MAX_REPLICAS}."))
    elif replicas > 1 and not read_replicas:
        problems.append(Problem(f"{path}.replicas", f"{replicas} is not allowed without read "
                                "replicas; a STANDARD_HA instance has exactly 1 replica. Remove "
                                "gcp.read_replicas: false or set replicas to 1."))
    elif read_replicas and memory < REDIS_READ_REPLICAS_MIN_GB:
        problems.append(Problem(f"{path}.memory_gb", f"{memory} is not allowed with read "
                                f"replicas; they need at least {REDIS_READ_REPLICAS_MIN_GB} GB."))


def _resolve_memcached(cfg: CacheConfig, d: GcpDefaults, region: str, instance_id: str,
                       path: str, problems: list[Problem]) -> dict[str, Any]:
    if not _REDIS_NAME.match(instance_id):
        problems.append(Problem(path, f"the instance name {instance_id!r} is not allowed; "
                                "Memorystore for Memcached names are 2 to 40 lowercase letters, "
                                "digits and hyphens, starting with a letter."))
    nodes = cfg.nodes if cfg.nodes is not None else d.memcached_nodes
    check_range(nodes, GCP_LIMITS["memcached.nodes"], f"{path}.nodes", problems)
    # Outside the one-vCPU regions a node has at least 2 vCPUs: the defaults rise to fit.
    least = 1 if region in MEMCACHED_ONE_VCPU_REGIONS else 2
    vcpus = cfg.gcp.vcpus if cfg.gcp.vcpus is not None else max(d.memcached_vcpus, least)
    if not (vcpus == 1 or (vcpus % 2 == 0 and 2 <= vcpus <= MEMCACHED_MAX_VCPUS)):
        problems.append(Problem(f"{path}.gcp.vcpus", f"{vcpus} is not allowed; a Memorystore for "
                                f"Memcached node has 1 vCPU or an even number up to "
                                f"{MEMCACHED_MAX_VCPUS}."))
        vcpus = 0
    elif vcpus < least:
        problems.append(Problem(f"{path}.gcp.vcpus", f"{vcpus} is not allowed in {region}; "
                                "Memorystore for Memcached nodes there have at least 2 vCPUs (1 "
                                "only in the regions the Instance and node properties page "
                                "lists). Use 2, with memory_gb 1.8 or more."))
        vcpus = 0
    memory = cfg.memory_gb if cfg.memory_gb is not None else d.memcached_memory_gb
    if cfg.memory_gb is None and cfg.gcp.vcpus is None:   # the defaults, with the region's vCPUs
        memory = max(memory, math.ceil(MEMCACHED_MIN_GB_PER_VCPU * vcpus))
    if vcpus:
        low = max(1.0, MEMCACHED_MIN_GB_PER_VCPU * vcpus)
        high = min(MEMCACHED_MAX_NODE_GB, MEMCACHED_MAX_GB_PER_VCPU * vcpus)
        if not low <= memory <= high:
            raised = "" if cfg.gcp.vcpus is not None or vcpus == d.memcached_vcpus else \
                f" (the least a node has in {region})"
            problems.append(Problem(f"{path}.memory_gb", f"{memory} GB per node is not allowed "
                                    f"with {vcpus} vCPU{raised}; Memorystore for Memcached takes "
                                    f"{low:g} to {high:g} GB per node (at least max(1, "
                                    f"{MEMCACHED_MIN_GB_PER_VCPU:g} x vCPU), at most "
                                    f"{MEMCACHED_MAX_GB_PER_VCPU:g} per vCPU and "
                                    f"{MEMCACHED_MAX_NODE_GB})."))
    raw_window = cfg.maintenance_window or d.memcached_maintenance_window
    window = check_weekly_window(raw_window, f"{path}.maintenance_window", problems)
    low_min, high_min = MEMCACHED_WINDOW_MINUTES
    if window is not None and not low_min <= window.minutes <= high_min:
        problems.append(Problem(f"{path}.maintenance_window", f"{raw_window!r} lasts "
                                f"{window.minutes} minutes; a Memorystore for Memcached "
                                f"maintenance window lasts {low_min // 60} to {high_min // 60} "
                                "hours, e.g. 'sun:05:00-sun:08:00'."))
    # A size past every node's maximum is already refused (or its vCPUs are); keep it out of
    # the arithmetic (1e306 GB in MiB is no int).
    memory_mb = int(round(memory * 1024)) if memory <= MEMCACHED_MAX_NODE_GB else 0
    return dict(replicas=0, nodes=nodes, vcpus=vcpus, memory_mb=memory_mb, maintenance=window)


def _one_hour_window(raw: str, product: str, path: str,
                     problems: list[Problem]) -> WeeklyWindow | None:
    """Memorystore for Valkey and for Redis take a window's day and start hour; `duration` is
    output-only, fixed at one hour, and Valkey refuses a start with minutes (docs/cloud-rules.md:
    magic-modules weeklyMaintenanceWindow, terraform-google-memorystore#336)."""
    window = check_weekly_window(raw, path, problems)
    if window is not None and (window.minutes != 60 or window.minute != 0):
        said = f"lasts {window.minutes} minutes" if window.minutes != 60 else \
            f"starts at {window.hour:02d}:{window.minute:02d}"
        problems.append(Problem(path, f"{raw!r} {said}; a Memorystore for {product} maintenance "
                                "window starts on the hour and lasts exactly one hour, e.g. "
                                f"'{_hour_window(window)}'."))
        return None
    return window


def _hour_window(window: WeeklyWindow) -> str:
    start = DAYS.index(window.day) * 1440 + window.hour * 60
    end = (start + 60) % (7 * 1440)
    return f"{window.day}:{window.hour:02d}:00-{DAYS[end // 1440]}:{end % 1440 // 60:02d}:00"


def _persistence(value: str | None, d: GcpDefaults, engine: str, path: str,
                 problems: list[Problem]) -> str:
    chosen = value or d.persistence
    if engine == "redis" and chosen == "aof":
        problems.append(Problem(f"{path}.gcp.persistence", "'aof' is not allowed; Memorystore "
                                "for Redis has RDB persistence only. Use 'rdb' or 'disabled', or "
                                "engine 'valkey' for AOF."))
    return chosen.upper()


def _rdb_period(hours: int | None, d: GcpDefaults, path: str, problems: list[Problem]) -> str:
    chosen = hours if hours is not None else d.rdb_snapshot_hours
    if chosen not in RDB_PERIODS:
        problems.append(Problem(f"{path}.gcp.rdb_snapshot_hours", f"{chosen} is not allowed; "
                                f"use one of {', '.join(map(str, RDB_PERIODS))}."))
        return RDB_PERIODS[24]
    return RDB_PERIODS[chosen]


def check_key_grant_names(caches: Sequence[GcpCacheSpec], problems: list[Problem]) -> None:
    """A key's grant to a product's service agent is named after the key's location, ring and
    key (components/gcp/cmek.py): two keys that differ only in their project would register two
    grants under one logical name, and the preview fails."""
    seen: dict[tuple[str, str], tuple[str, str]] = {}
    for cache in caches:
        if cache.kms_key is None:
            continue
        product = "valkey" if cache.engine == "valkey" else "redis"   # one service agent each
        slot = (product, naming.gcp_key_grant_label(cache.kms_key))
        other = seen.setdefault(slot, (cache.name, cache.kms_key))
        if other[1] != cache.kms_key:
            problems.append(Problem(f"caches.{cache.name}.gcp.kms_key", f"{cache.kms_key!r} has "
                                    f"the location, key ring and key names of {other[1]!r} "
                                    f"(cache {other[0]}), in another project; the stack names "
                                    "each key's grant after those three, so use a key that "
                                    "differs in one of them."))


def _check_kms(key: str | None, region: str, path: str, problems: list[Problem]) -> None:
    if key is None:
        return
    match = _KMS_KEY.match(key)
    if not match:
        problems.append(Problem(path, f"{key!r} is not a Cloud KMS key; use projects/<project>/"
                                "locations/<region>/keyRings/<ring>/cryptoKeys/<key>."))
    elif region and match.group(1) != region:
        problems.append(Problem(path, f"the key is in {match.group(1)}, not {region}; Memorystore "
                                      "needs a key in the instance's own region."))


def _check_zone(zone: str | None, region: str, path: str, problems: list[Problem]) -> None:
    if zone is not None and not re.match(rf"^{re.escape(region)}-[a-z]$", zone):
        # No example zone: not every region has an "-a" (us-east1 and europe-west1 start at "-b").
        problems.append(Problem(path, f"{zone!r} is not a zone of {region}; use one that "
                                      f"`gcloud compute zones list --filter=region:{region}` "
                                      "lists."))


def _parameter_limits(cfg: CacheConfig, engine: str, d: GcpDefaults
                      ) -> dict[str, tuple[float, float, str]]:
    """Ranges that depend on other settings: Memorystore for Redis takes maxmemory-gb from 20 %
    of the instance's capacity up to all of it (supported-redis-configurations)."""
    if engine != "redis":
        return {}
    memory = cfg.memory_gb if cfg.memory_gb is not None else d.redis_memory_gb
    why = f"20 % to 100 % of memory_gb {memory:g}"
    return {"maxmemory-gb": (round(0.2 * memory, 3), memory, why)}


def day_of_week(window: WeeklyWindow) -> str:
    """'sun' -> 'SUNDAY', the spelling of Memorystore maintenance policies."""
    return _DAY_NAMES[window.day]


def channel_warnings(emails: Sequence[str]) -> list[str]:
    """Every alert policy notifies each address (whatever its case) through its own channel."""
    distinct = len({email.lower() for email in emails})
    if distinct <= MAX_CHANNELS_PER_ALERT_POLICY:
        return []
    return [f"alerts.emails lists {distinct} addresses, one notification channel each on "
            f"every alert policy; Cloud Monitoring has allowed at most "
            f"{MAX_CHANNELS_PER_ALERT_POLICY} channels a policy, so the policies may be refused. "
            "Use a group address."]
