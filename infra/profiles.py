"""Profile defaults: what `profile: development | production` means, as data.

A cache key left unset takes its value from the stack's profile; anything set explicitly wins.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ProfileDefaults:
    node_type: str
    replicas: int                  # per shard (Valkey/Redis)
    memcached_nodes: int
    snapshot_retention_days: int   # automatic daily backups kept
    final_snapshot: bool           # snapshot taken when the cache is deleted
    deletion_protection: bool      # Pulumi `protect` on data-holding resources
    create_kms_key: bool           # customer-managed KMS key for encryption at rest
    log_retention_days: int        # slow-log / engine-log retention in CloudWatch Logs
    apply_immediately: bool        # False: risky modifications wait for the maintenance window
    availability_zones: int
    maintenance_window: str        # UTC, weekly
    snapshot_window: str           # UTC, daily; does not overlap the maintenance window


PROFILES: dict[str, ProfileDefaults] = {
    "development": ProfileDefaults(
        node_type="cache.t4g.micro",
        replicas=0,
        memcached_nodes=1,
        snapshot_retention_days=1,
        final_snapshot=False,
        deletion_protection=False,
        create_kms_key=False,
        log_retention_days=7,
        apply_immediately=True,
        availability_zones=2,
        maintenance_window="sun:05:00-sun:06:00",
        snapshot_window="03:00-04:00",
    ),
    "production": ProfileDefaults(
        node_type="cache.r7g.large",
        replicas=2,
        memcached_nodes=3,
        snapshot_retention_days=7,
        final_snapshot=True,
        deletion_protection=True,
        create_kms_key=True,
        log_retention_days=30,
        apply_immediately=False,
        availability_zones=3,
        maintenance_window="sun:05:00-sun:06:00",
        snapshot_window="03:00-04:00",
    ),
}
