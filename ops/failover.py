"""`failover --cache NAME --to REGION`: promote a Global Datastore secondary to primary.

Runbook as code:
1. Preconditions, all checked before anything changes: the cache has a `global:` block, the
   region is one of its configured regions and a live member of the Global Datastore (found by
   its id suffix, the cache id) with the id infra.naming gives it, the Global Datastore is
   `available`, the member `associated` and its replication group `available`. A region that
   already is the primary is a no-op.
2. `FailoverGlobalReplicationGroup` (GlobalReplicationGroupId, PrimaryRegion,
   PrimaryReplicationGroupId). `--dry-run` stops before this call and prints the plan.
3. Poll `DescribeGlobalReplicationGroups` until the region's member is PRIMARY, every other
   member SECONDARY and the Global Datastore `available` again, printing each state.
4. Print what clients must change.

All calls go to the region being promoted: during a regional outage that is the healthy one.
"""

from __future__ import annotations

from botocore.exceptions import BotoCoreError, ClientError

from infra.config import CacheSpec, StackSpec
from ops import live
from ops.clients import Clients
from ops.errors import EXIT_OK, OpsError
from ops.poll import Polling, until


def run(spec: StackSpec, cache: CacheSpec, clients: Clients, to_region: str, dry_run: bool,
        polling: Polling) -> int:
    if cache.is_memcached or cache.global_ is None:
        raise OpsError(f"cache '{cache.name}' is not a Global Datastore cache (its config has "
                       "no global: block); there is no other region to fail over to")
    expected = live.expected_global_members(cache, spec.region)
    if to_region not in expected:
        raise OpsError(f"{to_region} is not a region of cache '{cache.name}'; its Global "
                       f"Datastore spans {', '.join(expected)}")

    found = live.find_global(clients, to_region, cache.cache_id)
    if found is None:
        raise OpsError(f"no Global Datastore with id suffix '{cache.cache_id}' found from "
                       f"{to_region}; has the stack been deployed?")
    target = found.member_in(to_region)
    if target is None:
        raise OpsError(f"{to_region} is not a member of Global Datastore {found.id} "
                       f"(members: {found.describe_roles()})")
    if target.group_id != expected[to_region]:
        raise OpsError(f"the member of Global Datastore {found.id} in {to_region} is "
                       f"{target.group_id}, not the stack's {expected[to_region]}; refusing to "
                       "promote a group this stack does not manage")
    if target.is_primary:
        print(f"{target.group_id} ({to_region}) is already the primary of Global Datastore "
              f"{found.id}; nothing changed")
        return EXIT_OK
    if found.status != "available":
        raise OpsError(f"Global Datastore {found.id} is {found.status}; a failover needs it "
                       "available (wait for the running change to finish)")
    if target.status != "associated":
        raise OpsError(f"{target.group_id} ({to_region}) is {target.status} in Global "
                       f"Datastore {found.id}; only an associated member can be promoted")
    group = live.describe_group(clients, to_region, target.group_id)
    if group is None:
        raise OpsError(f"replication group {target.group_id} not found in {to_region}")
    if group.status != "available":
        raise OpsError(f"replication group {target.group_id} ({to_region}) is {group.status}; "
                       "a failover needs it available")

    old = found.primary
    old_text = f"{old.group_id} ({old.region})" if old else "no primary"
    print(f"Global Datastore {found.id}: promote {target.group_id} ({to_region}) to primary; "
          f"the primary now is {old_text}")
    call = (f"FailoverGlobalReplicationGroup(GlobalReplicationGroupId={found.id}, "
            f"PrimaryRegion={to_region}, PrimaryReplicationGroupId={target.group_id})")
    if dry_run:
        print(f"dry run: would call {call}; nothing changed")
        _print_client_changes(spec, cache, clients, group, old, after=False)
        return EXIT_OK

    clients.elasticache(to_region).failover_global_replication_group(
        GlobalReplicationGroupId=found.id, PrimaryRegion=to_region,
        PrimaryReplicationGroupId=target.group_id)
    print(f"called {call}; waiting for the roles to switch "
          f"(every {polling.interval:g}s, at most {polling.timeout:g}s)")

    def check() -> tuple[bool, str]:
        now = live.describe_global(clients, to_region, found.id)
        if now is None:
            raise OpsError(f"Global Datastore {found.id} disappeared while failing over")
        switched = (now.status == "available"
                    and all(m.is_primary == (m.region == to_region) for m in now.members))
        return switched, f"{now.status}: {now.describe_roles()}"

    until(polling, check, f"{to_region} has not become the primary of {found.id}; AWS may "
                          f"still complete the failover: check with `python -m ops status "
                          f"--stack {spec.stack}`")
    print(f"failover complete: {target.group_id} ({to_region}) is the primary of {found.id}")
    _print_client_changes(spec, cache, clients, group, old, after=True)
    return EXIT_OK


def _endpoints_of(clients: Clients, region: str, group_id: str) -> tuple[str, str]:
    """(primary or configuration endpoint, reader endpoint), or why they are unknown."""
    try:
        group = live.describe_group(clients, region, group_id)
    except (ClientError, BotoCoreError):
        return "(unreachable)", "(unreachable)"
    if group is None:
        return "(not found)", "(not found)"
    endpoint = group.endpoint or "(no endpoint)"
    return endpoint, group.reader_endpoint or endpoint


def _print_client_changes(spec: StackSpec, cache: CacheSpec, clients: Clients,
                          target: live.LiveGroup, old: live.GlobalMember | None,
                          after: bool) -> None:
    must = "must change" if after else "will have to change after the failover"
    print(f"What clients {must}:")
    print(f"  - writers: connect to {target.endpoint or '(no endpoint)'} in {target.region} "
          f"({target.id})")
    if old is not None:
        old_endpoint, old_reader = _endpoints_of(clients, old.region, old.group_id)
        print(f"  - {old.group_id} in {old.region} ({old_endpoint}) becomes a read-only "
              "secondary: writes sent there fail with READONLY errors")
        print(f"  - readers: keep using the reader endpoint of their own region ({old.region}: "
              f"{old_reader}; {target.region}: {target.reader_endpoint or target.endpoint})")
    print("  - AUTH token and TLS settings stay the same: every member uses the primary's")
    if target.region != spec.region:
        print(f"  - the stack config still names {spec.region} as the primary region: `python "
              f"-m ops verify --stack {spec.stack}` reports it until you fail back with "
              f"`python -m ops failover --stack {spec.stack} --cache {cache.name} "
              f"--to {spec.region}`")
    else:
        print(f"  - the primary is back in the stack's own region ({spec.region})")
