"""Alarm thresholds: profile defaults as data, overridable per cache under `alarms:`.

One policy serves both clouds: CloudWatch alarms on AWS, Cloud Monitoring alert policies on GCP
read the same numbers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields, replace

from pydantic import StrictBool, StrictFloat, StrictInt

from components.alarm_policy import AlarmPolicy
from infra.config.common import Problem, Range, StrictModel, check_range
from infra.config.limits import STACK_LIMITS

ALARM_DEFAULTS: dict[str, AlarmPolicy] = {
    "development": AlarmPolicy(
        notify=False, memory_warning_percent=80, memory_critical_percent=90,
        engine_cpu_percent=90, host_cpu_percent=90, evictions_per_minute=1000,
        max_connections=5000, replication_lag_seconds=1, cache_hit_rate_percent=0,
        swap_usage_mb=50, freeable_memory_mb=100,
    ),
    "production": AlarmPolicy(
        notify=True, memory_warning_percent=80, memory_critical_percent=90,
        engine_cpu_percent=90, host_cpu_percent=90, evictions_per_minute=100,
        max_connections=10000, replication_lag_seconds=1, cache_hit_rate_percent=80,
        swap_usage_mb=50, freeable_memory_mb=100,
    ),
}

_PERCENT_KEYS = ("memory_warning_percent", "memory_critical_percent", "engine_cpu_percent",
                 "host_cpu_percent")
_COUNT_KEYS = ("evictions_per_minute", "max_connections", "swap_usage_mb", "freeable_memory_mb")
# ElastiCache fixes maxclients at 65000 per node (Valkey/Redis; Memcached's default is the same):
# a higher CurrConnections threshold could never fire.
MAX_NODE_CONNECTIONS = 65000


class AlarmsConfig(StrictModel):
    """What a cache may override under `alarms:`; unset keys take the profile's value."""

    notify: StrictBool | None = None
    memory_warning_percent: StrictInt | StrictFloat | None = None
    memory_critical_percent: StrictInt | StrictFloat | None = None
    engine_cpu_percent: StrictInt | StrictFloat | None = None
    host_cpu_percent: StrictInt | StrictFloat | None = None
    evictions_per_minute: StrictInt | None = None
    max_connections: StrictInt | None = None
    replication_lag_seconds: StrictInt | StrictFloat | None = None
    cache_hit_rate_percent: StrictInt | StrictFloat | None = None
    swap_usage_mb: StrictInt | None = None
    freeable_memory_mb: StrictInt | None = None


# Thresholds that only one kind of ElastiCache engine is watched on (CloudWatch metric sets).
_ONLY_FOR: dict[str, tuple[str, ...]] = {
    "memcached": ("swap_usage_mb",),
    "valkey or redis": ("memory_warning_percent", "memory_critical_percent",
                        "engine_cpu_percent", "replication_lag_seconds",
                        "cache_hit_rate_percent"),
}


# Thresholds no Cloud Monitoring alert policy of a Memorystore product reads
# (components/gcp/alerts.py alert_rules): Memorystore publishes no host CPU, swap or freeable
# memory, and Memcached fills its memory by design (critical level only) and has no CPU rule.
_NO_HOST = ("host_cpu_percent", "swap_usage_mb", "freeable_memory_mb")
GCP_UNWATCHED: dict[str, tuple[str, ...]] = {
    "valkey": _NO_HOST,
    "redis": _NO_HOST,
    "memcached": (*_NO_HOST, "memory_warning_percent", "engine_cpu_percent",
                  "replication_lag_seconds"),
}
# ... nor a serverless cache's alarms (components/aws/alarms.py serverless_alarms): no nodes,
# a data warning at a fixed share of max_data_gb, no replication; no hit rate on Memcached.
_SERVERLESS_UNWATCHED = (*_NO_HOST, "memory_warning_percent", "engine_cpu_percent",
                         "replication_lag_seconds")
SERVERLESS_UNWATCHED: dict[str, tuple[str, ...]] = {
    "valkey": _SERVERLESS_UNWATCHED,
    "redis": _SERVERLESS_UNWATCHED,
    "memcached": (*_SERVERLESS_UNWATCHED, "cache_hit_rate_percent"),
}


def resolve_alarms(cfg: AlarmsConfig | None, profile: str, path: str,
                   problems: list[Problem], engine: str | None = None,
                   unwatched: tuple[str, ...] = (), watched_by: str = "",
                   connection_cap: int | None = MAX_NODE_CONNECTIONS,
                   percent_limits: Mapping[str, Range] | None = None) -> AlarmPolicy:
    """The profile's policy with the cache's overrides. Overrides no alarm of the cache reads
    are refused rather than silently unused: with an ElastiCache node-based `engine`, those
    for metrics it does not publish; otherwise the `unwatched` keys of `watched_by` (a
    Memorystore product, a serverless cache). `connection_cap`: the most connections a node
    accepts, if the same for every node (None: the caller fits the threshold itself).
    `percent_limits`: a cloud's own range for a percentage key, in place of the shared one."""
    policy = ALARM_DEFAULTS[profile]
    if cfg is None:
        return policy
    overrides = {f.name: getattr(cfg, f.name) for f in fields(AlarmPolicy)
                 if getattr(cfg, f.name, None) is not None}
    for key in unwatched:
        if key in overrides:
            problems.append(Problem(f"{path}.{key}", f"is not watched on {watched_by}: no "
                                    "alarm reads it (docs/alarms.md). Remove it."))
    if engine is not None:
        kind = "memcached" if engine == "memcached" else "valkey or redis"
        for other, keys in _ONLY_FOR.items():
            for key in keys:
                if other != kind and key in overrides:
                    problems.append(Problem(f"{path}.{key}", f"is not watched on {engine}; only "
                                            f"{other} caches publish that metric. Remove it."))
    before = len(problems)
    for key in _PERCENT_KEYS:
        value = overrides.get(key)
        if value is not None:
            limit = (percent_limits or {}).get(key) or STACK_LIMITS[
                "alarms.engine_cpu_percent" if key == "engine_cpu_percent" else "alarms.percent"]
            check_range(value, limit, f"{path}.{key}", problems)
    for key in _COUNT_KEYS:
        value = overrides.get(key)
        if value is not None and value <= 0:
            problems.append(Problem(f"{path}.{key}", f"{value} is not allowed; use a positive "
                                                     "whole number."))
    connections = overrides.get("max_connections")
    if connections is not None and connection_cap is not None and connections >= connection_cap:
        problems.append(Problem(f"{path}.max_connections", f"{connections} is not allowed; a "
                                f"node accepts at most {connection_cap} connections, so "
                                "the alarm (above the threshold) could never fire. Use 1 to "
                                f"{connection_cap - 1}."))
    lag = overrides.get("replication_lag_seconds")
    if lag is not None and lag <= 0:
        problems.append(Problem(f"{path}.replication_lag_seconds", f"{lag} is not allowed; use a "
                                                                   "positive number of seconds."))
    hit_rate = overrides.get("cache_hit_rate_percent")
    if hit_rate is not None:
        check_range(hit_rate, STACK_LIMITS["alarms.cache_hit_rate_percent"],
                    f"{path}.cache_hit_rate_percent", problems)
    resolved = replace(policy, **overrides)
    # A memory percentage already refused above is not compared again (one message per mistake).
    memory_keys = (f"{path}.memory_warning_percent", f"{path}.memory_critical_percent")
    memory_refused = any(p.path in memory_keys for p in problems[before:])
    if not memory_refused and "memory_warning_percent" not in unwatched \
            and resolved.memory_warning_percent >= resolved.memory_critical_percent:
        problems.append(Problem(f"{path}.memory_warning_percent",
                                f"{resolved.memory_warning_percent} is not below "
                                f"memory_critical_percent ({resolved.memory_critical_percent}); "
                                "the warning must fire first."))
    return resolved


def fit_connections(policy: AlarmPolicy, cap: int, where: str, overridden: bool, path: str,
                    problems: list[Problem]) -> AlarmPolicy:
    """The policy with a connection threshold below `cap`, the most clients a node accepts
    (`where` says whose cap): an alert above it could never fire. An override at or above the
    cap is refused; a profile default is lowered to 80 % of it."""
    if policy.max_connections < cap:
        return policy
    if overridden:
        problems.append(Problem(f"{path}.max_connections", f"{policy.max_connections} is not "
                                f"allowed; {where} accepts at most {cap} clients, so the alert "
                                f"(above the threshold) could never fire. Use 1 to {cap - 1}."))
        return policy
    return replace(policy, max_connections=max(1, cap * 4 // 5))
