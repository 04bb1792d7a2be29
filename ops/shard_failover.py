"""`test-failover --cache NAME [--shard ID]`: exercise Multi-AZ failover of one shard.

Calls `TestFailover` on one node group (shard) of the cache's replication group in the stack's
region: ElastiCache replaces that shard's primary with a replica, as it would after losing the
primary's zone. Preconditions, checked before the call: Valkey/Redis with replicas in the config,
the live group `available` with automatic failover `enabled`, the shard exists and has a
replica. Then it polls `DescribeReplicationGroups` until the group is `available` again and the
shard's primary has changed (cluster mode off reports node roles; with cluster mode on, until
the group went through a change and is `available` again).

AWS allows a limited number of test failovers per group and day; expect a short write
interruption (typically seconds) on the shard.
"""

from __future__ import annotations

from infra.config.spec import AwsStackSpec, CacheSpec
from ops import live
from ops.clients import Clients
from ops.errors import EXIT_OK, OpsError
from ops.poll import Polling, until


def run(spec: AwsStackSpec, cache: CacheSpec, clients: Clients, shard: str | None,
        polling: Polling) -> int:
    if cache.is_memcached:
        raise OpsError(f"cache '{cache.name}' is Memcached, which has no replicas to fail "
                       "over to")
    if not cache.automatic_failover:
        raise OpsError(f"cache '{cache.name}' has no replica (replicas: {cache.replicas}) and "
                       "so no automatic failover to test")
    group = live.available_group(clients, spec.region, cache.cache_id, "a test failover")
    if group.automatic_failover != "enabled":
        raise OpsError(f"automatic failover is {group.automatic_failover} on {group.id}; "
                       "TestFailover needs it enabled (run `python -m ops verify`)")
    if not group.node_groups:
        raise OpsError(f"replication group {group.id} reports no shards")
    node_group = group.node_groups[0] if shard is None else next(
        (ng for ng in group.node_groups if ng.id == shard), None)
    if node_group is None:
        known = ", ".join(ng.id for ng in group.node_groups)
        raise OpsError(f"replication group {group.id} has no shard '{shard}'; its shards: "
                       f"{known}")
    if len(node_group.members) < 2:
        raise OpsError(f"shard {node_group.id} of {group.id} has no replica to fail over to")

    before = node_group.primary
    print(f"test failover of shard {node_group.id} of {group.id} ({spec.region}); primary now: "
          f"{before or 'not reported (cluster mode)'}")
    response = clients.elasticache(spec.region).test_failover(
        ReplicationGroupId=group.id, NodeGroupId=node_group.id)
    seen_busy = response.get("ReplicationGroup", {}).get("Status", "available") != "available"
    print(f"called TestFailover(ReplicationGroupId={group.id}, NodeGroupId={node_group.id}); "
          f"waiting (every {polling.interval:g}s, at most {polling.timeout:g}s)")

    state: dict[str, str | None] = {"primary": before}

    def check() -> tuple[bool, str]:
        nonlocal seen_busy
        now = live.describe_group(clients, spec.region, group.id)
        if now is None:
            raise OpsError(f"replication group {group.id} disappeared during the test failover")
        ng = next((n for n in now.node_groups if n.id == node_group.id), None)
        primary = ng.primary if ng else None
        state["primary"] = primary
        seen_busy = seen_busy or now.status != "available"
        if before is not None and primary is not None:
            done = now.status == "available" and primary != before
        else:
            done = now.status == "available" and seen_busy
        return done, f"{now.status}; shard {node_group.id} primary: {primary or 'not reported'}"

    until(polling, check, f"shard {node_group.id} of {group.id} has not finished failing over; "
                          f"check with `python -m ops status --stack {spec.stack}`")
    if before is not None and state["primary"] is not None:
        print(f"test failover complete: shard {node_group.id} primary moved from {before} to "
              f"{state['primary']}")
    else:
        print(f"test failover complete: {group.id} is available again")
    print("clients using the group's primary (or configuration) endpoint follow the new "
          "primary automatically; clients pinned to node endpoints must reconnect")
    return EXIT_OK
