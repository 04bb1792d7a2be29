"""`test-failover --cache NAME [--shard ID]`: exercise Multi-AZ failover of one shard.

Calls `TestFailover` on one node group (shard) of the cache's replication group in the stack's
region: ElastiCache replaces that shard's primary with a replica, as it would after losing the
primary's zone. Preconditions, checked before the call: Valkey/Redis with replicas in the config,
the live group `available` with automatic failover `enabled`, the shard exists and has a
replica. Then it polls `DescribeReplicationGroups` and `DescribeEvents` until the group is
`available` again and the shard's primary has changed: by the nodes' roles where ElastiCache
reports them (cluster mode off), else by the event "Failover from primary node A to replica
node B completed". AWS names that event as the completion signal (TestFailover API reference,
https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_TestFailover.html): the
group's status alone need not change, and with cluster mode on the nodes carry no role.

AWS allows test failovers on up to 15 shards per customer in any rolling 24 hours (the same
API reference), so each run spends one; expect a short write interruption (typically seconds)
on the shard. In a cluster-mode group, the next shard's test must wait until the old primary
has been recovered as a replica ("Finished recovery for cache nodes"); the command reports
whether it has.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from infra.config.spec import AwsStackSpec, CacheSpec
from ops import live
from ops.clients import Clients
from ops.errors import EXIT_OK, OpsError, mutate
from ops.poll import Polling, until

# The events of a test failover, in the order the TestFailover API reference lists them. Older
# engines say "master" where newer ones say "primary"; an automatic failover may omit "from".
_CALLED = re.compile(r"Test Failover API called for node group (\S+?)\.?$")
_FAILED_OVER = re.compile(r"Failover (?:from (?:primary|master) node (\S+) )?to replica node "
                          r"(\S+?) completed")
_RECOVERING = "Recovering cache node"
_RECOVERED = "Finished recovery for cache node"
# DescribeEvents filters on AWS's clock: the start is taken from the TestFailover response's
# Date header where there is one (else this machine's clock), less a minute.
_CLOCK_SKEW = timedelta(minutes=1)


@dataclass(frozen=True)
class _Moved:
    old: str | None                   # None: the event did not name it
    new: str
    date: datetime


@dataclass
class _Progress:
    primary: str | None               # the shard's primary by the nodes' roles, if reported
    moved: _Moved | None = None
    events: list[live.Event] = field(default_factory=list)


def _failed_over(events: list[live.Event], group_id: str, shard: str,
                 members: tuple[str, ...]) -> _Moved | None:
    """The shard's failover since its latest "Test Failover API called" event, if completed.

    AWS logs it in two forms, the short one ("Failover to replica node B completed") often
    first: the old primary comes from the long form, else from the node that is then
    recovered ("Recovering cache nodes ..." has that node as its source)."""
    since = max((e.date for e in events if e.source == group_id
                 and (m := _CALLED.search(e.message)) and m.group(1) == shard), default=None)
    found = [(event, match) for event in events
             if (match := _FAILED_OVER.search(event.message)) and match.group(2) in members
             and (since is None or event.date >= since)]
    if not found:
        return None
    first, match = found[0]
    old = next((m.group(1) for _, m in found if m.group(1)), None) or next(
        (e.source for e in events if e.date >= first.date and e.source in members
         and e.source != match.group(2)
         and e.message.startswith((_RECOVERING, _RECOVERED))), None)
    return _Moved(old=old, new=match.group(2), date=first.date)


def _recovered(events: list[live.Event], moved: _Moved) -> bool:
    return any(e.source == moved.old and e.message.startswith(_RECOVERED)
               and e.date >= moved.date for e in events)


def _aws_now(response: dict[str, object]) -> datetime:
    """The time by AWS's clock (the response's Date header), else by this machine's."""
    from email.utils import parsedate_to_datetime

    metadata = response.get("ResponseMetadata")
    headers = metadata.get("HTTPHeaders", {}) if isinstance(metadata, dict) else {}
    try:
        return parsedate_to_datetime(headers["date"])
    except (KeyError, TypeError, ValueError):
        return datetime.now(UTC)


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
    response = mutate(lambda: clients.elasticache(spec.region).test_failover(
        ReplicationGroupId=group.id, NodeGroupId=node_group.id),
        f"TestFailover of shard {node_group.id} of {group.id}",
        f"`aws elasticache describe-events --region {spec.region} --source-identifier "
        f"{group.id} --source-type replication-group`")
    started = _aws_now(response) - _CLOCK_SKEW
    print(f"called TestFailover(ReplicationGroupId={group.id}, NodeGroupId={node_group.id}); "
          f"waiting (every {polling.interval:g}s, at most {polling.timeout:g}s)")

    sources = frozenset({group.id, *node_group.members})
    progress = _Progress(primary=before)

    def check() -> tuple[bool, str]:
        now = live.describe_group(clients, spec.region, group.id)
        if now is None:
            raise OpsError(f"replication group {group.id} disappeared during the test failover")
        ng = next((n for n in now.node_groups if n.id == node_group.id), None)
        primary = ng.primary if ng else None
        events = live.events_since(clients, spec.region, started, sources)
        moved = _failed_over(events, group.id, node_group.id, node_group.members)
        progress.primary, progress.moved, progress.events = primary, moved, events
        roles_moved = before is not None and primary is not None and primary != before
        done = now.status == "available" and (moved is not None or roles_moved)
        last = f"; last event: {events[-1].message}" if events else ""
        return done, (f"{now.status}; shard {node_group.id} primary: "
                      f"{primary or 'not reported'}{last}")

    until(polling, check, f"shard {node_group.id} of {group.id} has not finished failing over; "
                          f"check with `python -m ops status --stack {spec.stack}` and the "
                          "group's events")
    moved = progress.moved
    old = (moved.old if moved else None) or before
    new = moved.new if moved else progress.primary
    print(f"test failover complete: shard {node_group.id} primary moved from "
          f"{old or 'the old primary'} to {new}")
    if moved is not None and moved.old is not None and _recovered(progress.events, moved):
        print(f"{moved.old} has been recovered as a replica")
    elif moved is not None:
        node = moved.old or "the old primary"
        print(f"{node} is still being recovered as a replica; before testing another shard of "
              f"{group.id}, wait for its event \"{_RECOVERED}s\" (aws elasticache "
              f"describe-events --source-type cache-cluster"
              + (f" --source-identifier {moved.old})" if moved.old else ")"))
    print("clients using the group's primary (or configuration) endpoint follow the new "
          "primary automatically; clients pinned to node endpoints must reconnect")
    return EXIT_OK
