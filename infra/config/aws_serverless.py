"""AWS ElastiCache Serverless (`serverless:` on a cache): usage limits instead of nodes, the
keys a serverless cache has no use for, and its users, restore and adoption. Each rule appends a
Problem."""

from __future__ import annotations

from infra import naming
from infra.catalog import aws as catalog
from infra.catalog.aws import AwsProfileDefaults
from infra.config.access import (
    RestoreSpec,
    UserSpec,
    check_default_user_id,
    resolve_serverless_restore,
    resolve_users,
)
from infra.config.alarms import SERVERLESS_UNWATCHED, resolve_alarms
from infra.config.aws import resolve_kms
from infra.config.aws_limits import AWS_LIMITS
from infra.config.common import (
    Problem,
    Range,
    check_range,
    profile_choices,
    resolve_description,
    resolve_snapshots,
)
from infra.config.schema import CacheConfig
from infra.config.spec import ServerlessCacheSpec

# Keys that size or place nodes, which a serverless cache does not have, and what to do instead.
_NOT_SERVERLESS: dict[str, str] = {
    "node_type": "it has no nodes; max_data_gb and max_ecpu_per_second cap it instead",
    "memory_gb": "it has no nodes; serverless.max_data_gb caps its data instead",
    "shards": "ElastiCache shards it itself",
    "replicas": "ElastiCache replicates it across zones itself",
    "nodes": "it has no nodes",
    "parameters": "it takes no parameter group",
    "maintenance_window": "ElastiCache applies updates to it without a window or downtime",
    "global": "it cannot join a Global Datastore",
    "autoscaling": "it scales itself within its usage limits",
}
_NOT_SERVERLESS_AWS: dict[str, str] = {
    "port": "its ports are fixed (6379 and reader 6380; Memcached 11211)",
    "cluster_mode": "ElastiCache shards it itself",
    "apply_immediately": "changes to it apply without a maintenance window",
    "log_retention_days": "it delivers no slow or engine logs",
    "subnet_group_name": "it takes the network's subnets directly, not a cache subnet group",
}


def resolve_serverless_cache(name: str, cfg: CacheConfig, defaults: AwsProfileDefaults,
                             profile: str, prefix: str, region: str, path: str,
                             problems: list[Problem]) -> ServerlessCacheSpec | None:
    """`serverless:` on AWS: aws.elasticache.ServerlessCache, capped by usage limits."""
    before = len(problems)
    engine = cfg.engine
    serverless = cfg.serverless
    assert serverless is not None
    for key, why in _NOT_SERVERLESS.items():
        present = cfg.global_ is not None if key == "global" else key in cfg.model_fields_set
        if present:
            problems.append(Problem(f"{path}.{key}", f"does not apply to a serverless cache: "
                                                     f"{why}. Remove the key."))
    for key, why in _NOT_SERVERLESS_AWS.items():
        if key in cfg.aws.model_fields_set:
            problems.append(Problem(f"{path}.aws.{key}", f"does not apply to a serverless "
                                                         f"cache: {why}. Remove the key."))
    if not cfg.aws.auto_minor_version_upgrade:
        problems.append(Problem(f"{path}.aws.auto_minor_version_upgrade", "false is not "
                                "possible: ElastiCache Serverless applies minor versions "
                                "itself, without downtime. Remove the key."))
    if cfg.final_snapshot:
        problems.append(Problem(f"{path}.final_snapshot", "true is not possible: a serverless "
                                "cache is deleted without a final snapshot here "
                                "(terraform-provider-aws sends none). Rely on "
                                "snapshot_retention_days, or take a snapshot first."))

    versions = catalog.SERVERLESS_MAJOR_VERSION[engine]
    version = cfg.engine_version or catalog.DEFAULT_ENGINE_VERSION[engine]
    major = versions.get(version)
    if major is None:
        problems.append(Problem(f"{path}.engine_version", f"{version!r} is not offered for a "
                                f"serverless {engine} cache; use one of {', '.join(versions)}."))

    for key in ("max_data_gb", "max_ecpu_per_second"):
        check_range(getattr(serverless, key), AWS_LIMITS[f"serverless.{key}"],
                    f"{path}.serverless.{key}", problems)
    fraction = catalog.SERVERLESS_EXPECTED_FRACTION
    minimum_gb = catalog.SERVERLESS_MIN_BILLED_GB[engine]
    expected_ecpu = serverless.expected_ecpu_per_second
    if expected_ecpu is None:
        expected_ecpu = round(serverless.max_ecpu_per_second * fraction)
    else:
        check_range(expected_ecpu, _up_to(serverless.max_ecpu_per_second, "max_ecpu_per_second"),
                    f"{path}.serverless.expected_ecpu_per_second", problems)
    expected_gb = serverless.expected_data_gb
    if expected_gb is None:
        expected_gb = max(minimum_gb, serverless.max_data_gb * fraction)
    else:
        check_range(expected_gb, _up_to(serverless.max_data_gb, "max_data_gb"),
                    f"{path}.serverless.expected_data_gb", problems)

    # Serverless Memcached keeps snapshots too ("Available for Valkey, Redis OSS and Serverless
    # Memcached only", CreateServerlessCache SnapshotRetentionLimit and DailySnapshotTime).
    retention, start = resolve_snapshots(
        cfg.snapshot_retention_days, cfg.snapshot_window, defaults.snapshot_retention_days,
        defaults.snapshot_window, AWS_LIMITS["snapshot_retention_days"], path, problems)
    snapshot_time = f"{start.hour:02d}:{start.minute:02d}" if start is not None else None
    create_kms_key = resolve_kms(cfg.aws, defaults, region, path, problems)
    description = resolve_description(cfg.description, prefix, name, f"serverless {engine}",
                                      path, problems)
    if len(description) > SERVERLESS_DESCRIPTION_MAX:
        # CreateServerlessCache Description: "The maximum length is 255 characters."
        problems.append(Problem(f"{path}.description", f"has {len(description)} characters; "
                                "a serverless cache's description takes at most "
                                f"{SERVERLESS_DESCRIPTION_MAX}."))
    cache_id = naming.replication_group_id(prefix, name)
    user_group = engine != "memcached"
    users, restore = _serverless_access(cfg, cache_id, version if major else None, region, path,
                                        problems)
    alarms = resolve_alarms(cfg.alarms, profile, f"{path}.alarms", problems,
                            unwatched=SERVERLESS_UNWATCHED[engine],
                            watched_by=f"a serverless {engine} cache")
    warning = catalog.SERVERLESS_LIMIT_ALARM_PERCENT
    critical_path = f"{path}.alarms.memory_critical_percent"
    if alarms.memory_critical_percent <= warning \
            and all(p.path != critical_path for p in problems):      # one message per mistake
        # The data warning sits at a fixed share of max_data_gb: critical must come after it.
        problems.append(Problem(critical_path,
                                f"{alarms.memory_critical_percent:g} is not above the "
                                f"{warning} % of max_data_gb at which a serverless cache's data "
                                "warning fires; the critical alarm must come after it. Use "
                                f"{warning + 1} to 100."))
    if len(problems) > before or major is None:
        return None
    return ServerlessCacheSpec(
        name=name,
        engine=engine,
        engine_version=version,
        description=description,
        cache_id=cache_id,
        max_data_gb=serverless.max_data_gb,
        max_ecpu_per_second=serverless.max_ecpu_per_second,
        expected_data_gb=float(expected_gb),
        expected_ecpu_per_second=expected_ecpu,
        snapshot_retention_days=retention,
        daily_snapshot_time=snapshot_time,
        **profile_choices(cfg, defaults),
        create_kms_key=create_kms_key,
        kms_key_arn=cfg.aws.kms_key_arn,
        alarms=alarms,
        ports=catalog.SERVERLESS_PORTS[engine],
        user_group=user_group,
        users=users,
        restore=restore,
    )


SERVERLESS_DESCRIPTION_MAX = 255


def _up_to(high: float, key: str) -> Range:
    """An expected usage: 0 up to its usage limit, the serverless key `key`."""
    return Range(0, high, f"use {{low}} to {key} ({{high}})")


def _serverless_access(cfg: CacheConfig, cache_id: str, version: str | None, region: str,
                       path: str, problems: list[Problem]
                       ) -> tuple[tuple[UserSpec, ...], RestoreSpec | None]:
    """aws.users, restore_from and aws.import_id on a serverless cache."""
    engine = cfg.engine
    users: tuple[UserSpec, ...] = ()
    restore = None
    if engine == "memcached":
        if cfg.aws.users is not None:
            problems.append(Problem(f"{path}.aws.users", "Memcached has no RBAC users or AUTH "
                                    "(its security group is its only gate); remove the key or "
                                    "use engine 'valkey'."))
    else:
        # The group holds a disabled `default` user, and the users or else `app`.
        check_default_user_id(cache_id, path, problems)
        if version is not None:
            users = resolve_users(cfg.aws.users, cache_id, engine, version, False,
                                  f"{path}.aws.users", problems,
                                  without="a generated user named 'app'")
    # A serverless Memcached snapshot restores into a new serverless Memcached cache
    # (ElastiCache, "Restoring from a backup into a new cache").
    restore = resolve_serverless_restore(cfg.restore_from, region, f"{path}.restore_from",
                                         problems)
    if cfg.aws.import_id is not None:
        problems.append(Problem(f"{path}.aws.import_id", "a serverless cache cannot be adopted "
                                "here: the program would give it its own user group, cutting "
                                "off the users clients log in with now, and `python -m ops "
                                "discover` does not describe serverless caches. Start a new "
                                "cache from the live one's data instead: take a snapshot "
                                "(`aws elasticache create-serverless-cache-snapshot`) and set "
                                "restore_from to its ARN. Remove the key."))
    return users, restore
