"""`snapshot --cache NAME [--name SNAPSHOT] [--no-wait]`: a named manual snapshot.

Take one before a risky change (engine upgrade, node type change, parameter change). Manual
snapshots are kept until deleted, unlike the automatic ones (`snapshot_retention_days`).
With cluster mode off the snapshot is taken from one node, a replica when there is one (the
user guide's way); a cluster-mode group is snapshotted whole.
Preconditions, checked before anything is created: Valkey/Redis (Memcached has no snapshots),
the replication group exists and is `available`, the name is valid and not taken. The default
name is `<cache id>-ops-<UTC yyyymmdd-hhmmss>`. The snapshot is tagged with the stack and
cache; by default the command waits until it is `available`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from infra import naming
from infra.config.spec import AwsStackSpec, CacheSpec
from ops import live
from ops.clients import Clients
from ops.errors import EXIT_OK, OpsError, mutate
from ops.poll import Polling, until

SNAPSHOT_NAME_MAX = 255


def default_name(cache_id: str, now: datetime) -> str:
    return f"{cache_id}-ops-{now.strftime('%Y%m%d-%H%M%S')}"


def run(spec: AwsStackSpec, cache: CacheSpec, clients: Clients, name: str | None, wait: bool,
        polling: Polling, now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> int:
    if cache.is_memcached:
        raise OpsError(f"cache '{cache.name}' is Memcached, which has no snapshots")
    snapshot_name = name or default_name(cache.cache_id, now())
    if not naming.is_valid_name_part(snapshot_name) or len(snapshot_name) > SNAPSHOT_NAME_MAX:
        raise OpsError(f"'{snapshot_name}' is not a valid snapshot name; use lowercase "
                       "letters, digits and single hyphens, starting with a letter "
                       f"(at most {SNAPSHOT_NAME_MAX} characters)")
    group = live.available_group(clients, spec.region, cache.cache_id, "a snapshot")
    ec = clients.elasticache(spec.region)
    if _snapshot_status(ec, snapshot_name) is not None:
        raise OpsError(f"a snapshot named '{snapshot_name}' already exists in {spec.region}; "
                       "choose another --name")

    source = snapshot_source(group)
    created = mutate(lambda: ec.create_snapshot(
        **source, SnapshotName=snapshot_name,
        Tags=[{"Key": "managed-cache:stack", "Value": spec.stack},
              {"Key": "managed-cache:cache", "Value": cache.name},
              {"Key": "managed-cache:created-by", "Value": "ops snapshot"}],
    ), f"CreateSnapshot {snapshot_name}",
        f"`aws elasticache describe-snapshots --region {spec.region} --snapshot-name "
        f"{snapshot_name}`")["Snapshot"]
    print(f"snapshot {snapshot_name} of {group.id} ({spec.region}, from "
          f"{next(iter(source.values()))}) requested: "
          f"{created.get('SnapshotStatus', 'creating')}")
    if wait:
        def check() -> tuple[bool, str]:
            status = _snapshot_status(ec, snapshot_name)
            if status in (None, "failed"):
                raise OpsError(f"snapshot {snapshot_name} {status or 'disappeared'}; check the "
                               f"group's events in {spec.region}")
            return status == "available", f"snapshot {snapshot_name}: {status}"

        until(polling, check, f"snapshot {snapshot_name} is not available yet; it keeps "
                              "being created in the background")
        print(f"snapshot {snapshot_name} is available")
    print(f"restore it into a new group with: aws elasticache create-replication-group "
          f"--region {spec.region} --snapshot-name {snapshot_name} ...")
    return EXIT_OK


def snapshot_source(group: live.LiveGroup) -> dict[str, str]:
    """What CreateSnapshot copies: a cluster-mode group by its id; with cluster mode off, one
    node, a replica when there is one ("Use this parameter [--cache-cluster-id] only when
    backing up a Redis (cluster mode disabled) cluster ... the name of the node in the cluster
    that you want to use for the backup. For example ... mycluster-002"; --replication-group-id
    "when backing up a Redis (cluster mode enabled) cluster", user guide, Creating manual
    backups). A replica spares the primary the fork a backup takes."""
    if group.cluster_enabled or not group.members:
        return {"ReplicationGroupId": group.id}
    primary = group.node_groups[0].primary if group.node_groups else None
    replicas = [member for member in group.members if member != primary]
    return {"CacheClusterId": (replicas or list(group.members))[0]}


def _snapshot_status(ec: Any, snapshot_name: str) -> str | None:
    try:
        found = ec.describe_snapshots(SnapshotName=snapshot_name)["Snapshots"]
    except ClientError as err:
        if err.response.get("Error", {}).get("Code") == "SnapshotNotFoundFault":
            return None
        raise
    return str(found[0].get("SnapshotStatus", "unknown")) if found else None
