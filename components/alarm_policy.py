"""Alarm thresholds one cache's alarm set reads: CloudWatch alarms on AWS and Cloud Monitoring
alert policies on GCP take the same numbers. The profile defaults and the `alarms:` overrides
that produce it live in infra/config/alarms.py."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AlarmPolicy:
    notify: bool                     # False: alarms exist but page nobody (development)
    memory_warning_percent: float    # DatabaseMemoryUsagePercentage / memory usage ratio
    memory_critical_percent: float
    engine_cpu_percent: float        # EngineCPUUtilization / main-thread CPU
    host_cpu_percent: float          # CPUUtilization, before scaling to the node's vCPUs
    evictions_per_minute: int
    max_connections: int             # CurrConnections / connected clients
    replication_lag_seconds: float   # ReplicationLag / GlobalDatastoreReplicationLag
    cache_hit_rate_percent: float    # below this: CacheHitRate alarm (0 disables)
    swap_usage_mb: int               # Memcached SwapUsage
    freeable_memory_mb: int          # Memcached FreeableMemory floor
