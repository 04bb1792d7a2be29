"""`failover --cache NAME --to REGION`: promote a Global Datastore secondary to primary.

Runbook as code:
1. Preconditions, all checked before anything changes: the cache has a `global:` block, the
   region is one of its configured regions and a live member of the Global Datastore (found by
   its id suffix, the cache id) with the id infra.naming gives it, the Global Datastore is
   `available`, the member `associated` and its replication group neither being created nor
   deleted (a secondary that is modifying or taking a backup may be promoted). A region that
   already is the primary is a no-op.
2. `FailoverGlobalReplicationGroup` (GlobalReplicationGroupId, PrimaryRegion,
   PrimaryReplicationGroupId). `--dry-run` stops before this call and prints the plan.
3. Poll `DescribeGlobalReplicationGroups` until the region's member is PRIMARY, every other
   member SECONDARY and the Global Datastore `available` again, printing each state.
4. With `network.dns`: UPSERT the `<cache>-writer` CNAME in the private zone of every region of
   the cache to the new primary's endpoint (the program created the record and ignores changes
   to its value, so the next `pulumi up` leaves it there). The zones are found before step 2:
   a missing zone or record, a writer record made an alias record by hand, or Route 53
   refusing the reads (AccessDenied, NoSuchHostedZone), refuses the failover; a Route 53 that
   cannot answer (5xx, throttling, no connection) does not (the records are then left for a
   re-run, which on the current primary only repairs them). `--skip-dns` fails over without
   reading or writing them.
5. Print what clients must change.

All ElastiCache calls go to the region being promoted: during a regional outage that is the
healthy one. Route 53 is a global service.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from infra.config.dns import cache_dns_names
from infra.config.spec import AwsStackSpec, CacheSpec
from ops import live
from ops.clients import Clients
from ops.errors import EXIT_OK, OpsError, explain, is_unavailable, mutate
from ops.poll import Polling, until

# A secondary being created or deleted cannot take over. Any other status (modifying, or
# snapshotting during its daily backup) does not stop a promotion: "Promotion is allowed anytime,
# even if other modifications are in progress" (user guide, Global Datastore console), and
# FailoverGlobalReplicationGroup refuses only for the Global Datastore's own state
# (InvalidGlobalReplicationGroupStateFault), which is checked.
UNPROMOTABLE = frozenset({"creating", "create-failed", "deleting"})

# Route 53 answers at one global endpoint whatever the region a client names.
ROUTE53_REGION = "us-east-1"


@dataclass(frozen=True)
class WriterRecord:
    """The `<cache>-writer` CNAME in one region's private zone."""

    region: str
    zone_id: str
    name: str                         # e.g. sessions-writer.cache.internal
    target: str                       # the endpoint host it points at now
    ttl: int | None                   # its TTL now, seconds


def run(spec: AwsStackSpec, cache: CacheSpec, clients: Clients, to_region: str, dry_run: bool,
        polling: Polling, skip_dns: bool = False) -> int:
    if cache.is_memcached or cache.global_ is None:
        raise OpsError(f"cache '{cache.name}' is not a Global Datastore cache (its config has "
                       "no global: block); there is no other region to fail over to")
    expected = live.expected_global_members(cache, spec.region)
    if to_region not in expected:
        raise OpsError(f"{to_region} is not a region of cache '{cache.name}'; its Global "
                       f"Datastore spans {', '.join(expected)}")

    found = live.find_global(clients, to_region, cache.cache_id, expected)
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
    writers: list[WriterRecord] = []
    dns_problem: str | None = None
    if skip_dns and spec.dns is not None:
        print("DNS: --skip-dns: the writer records are neither read nor changed; once Route 53 "
              f"lets them be, `python -m ops failover --stack {spec.stack} --cache {cache.name} "
              f"--to {to_region}` points them at the primary")
    else:
        writers, dns_problem = _writer_records(spec, cache, clients, list(expected))
    if target.is_primary:
        print(f"{target.group_id} ({to_region}) is already the primary of Global Datastore "
              f"{found.id}; nothing changed")
        if writers:
            # A re-run repairs writer records a failed Route 53 call left behind.
            host = _host(live.describe_group(clients, to_region, target.group_id), to_region)
            # ... and applies a new network.dns.ttl: `pulumi up` leaves the writer's TTL alone
            # (provider_facts: Route 53 would rewrite its value with the TTL).
            assert spec.dns is not None                    # writers come from its zones
            stale = [w for w in writers if (w.target, w.ttl) != (host, spec.dns.ttl)]
            if stale and dry_run:
                zones = ", ".join(f"{w.zone_id} ({w.region})" for w in stale)
                print(f"dry run: would UPSERT {stale[0].name} CNAME {host} TTL {spec.dns.ttl}s "
                      f"in zones {zones}")
            elif stale:
                dns_problem = _upsert_writers(spec, cache, clients, stale, host, to_region)
            else:
                print(f"DNS: {writers[0].name} already points at {host} with TTL "
                      f"{spec.dns.ttl}s in every region's zone")
        return _dns_outcome(spec, cache, to_region, dns_problem,
                            "the writer records were not checked")
    if found.status != "available":
        raise OpsError(f"Global Datastore {found.id} is {found.status}; a failover needs it "
                       "available (wait for the running change to finish)")
    if target.status != "associated":
        raise OpsError(f"{target.group_id} ({to_region}) is {target.status} in Global "
                       f"Datastore {found.id}; only an associated member can be promoted")
    group = live.describe_group(clients, to_region, target.group_id)
    if group is None:
        raise OpsError(f"replication group {target.group_id} not found in {to_region}")
    if group.status in UNPROMOTABLE:
        raise OpsError(f"replication group {target.group_id} ({to_region}) is {group.status}; "
                       "it cannot become the primary")
    if group.status != "available":
        print(f"note: replication group {target.group_id} ({to_region}) is {group.status}; "
              "promotion is allowed during other changes, and AWS decides")

    old = found.primary
    old_text = f"{old.group_id} ({old.region})" if old else "no primary"
    print(f"Global Datastore {found.id}: promote {target.group_id} ({to_region}) to primary; "
          f"the primary now is {old_text}")
    call = (f"FailoverGlobalReplicationGroup(GlobalReplicationGroupId={found.id}, "
            f"PrimaryRegion={to_region}, PrimaryReplicationGroupId={target.group_id})")
    host = _host(group, to_region) if writers else ""
    if dry_run:
        print(f"dry run: would call {call}; nothing changed")
        if writers:
            zones = ", ".join(f"{w.zone_id} ({w.region})" for w in writers)
            print(f"dry run: would then UPSERT {writers[0].name} CNAME {host} in zones {zones}")
        _print_client_changes(spec, cache, clients, group, old, after=False)
        return _dns_outcome(spec, cache, to_region, dns_problem,
                            "dry run: the writer records could not be read")

    mutate(lambda: clients.elasticache(to_region).failover_global_replication_group(
        GlobalReplicationGroupId=found.id, PrimaryRegion=to_region,
        PrimaryReplicationGroupId=target.group_id), call,
        f"`python -m ops status --stack {spec.stack}`")
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
    if writers:
        dns_problem = _upsert_writers(spec, cache, clients, writers, host, to_region)
    _print_client_changes(spec, cache, clients, group, old, after=True)
    return _dns_outcome(spec, cache, to_region, dns_problem,
                        "failover complete, but the writer records were not updated")


# ---------------------------------------------------------------------------------------------
# The writer record (network.dns)
# ---------------------------------------------------------------------------------------------
def _host(group: live.LiveGroup | None, region: str) -> str:
    """A group's primary (or configuration) endpoint without its port: what a CNAME names."""
    if group is None or not group.endpoint:
        raise OpsError(f"the primary replication group in {region} reports no endpoint for the "
                       "writer records to point at")
    return group.endpoint.rsplit(":", 1)[0]


def _writer_records(spec: AwsStackSpec, cache: CacheSpec, clients: Clients,
                    regions: list[str]) -> tuple[list[WriterRecord], str | None]:
    """The writer record in the zone of each region, and why Route 53 could not be read.

    Zones the config names (`zone_id`) are used as they are; the others are the private zones
    named network.dns.zone, tagged with this stack and associated with a VPC of the region.
    A missing zone or record, or a read Route 53 refuses, raises OpsError: a failover would
    leave the writer name on the old primary, which turns read-only, until someone fixes what
    a re-run cannot. A Route 53 that cannot answer returns its reason, so that an outage of
    Route 53's API does not hold back the failover itself.
    """
    if spec.dns is None:
        return [], None
    name = cache_dns_names(cache, spec.dns.zone)["writer_endpoint"]
    route53 = clients.client("route53", ROUTE53_REGION)
    try:
        found = {} if all(r in spec.dns.zone_ids for r in regions) \
            else _stack_zones(route53, spec)
        records = []
        for region in regions:
            zone_id = spec.dns.zone_ids.get(region) or found.get(region)
            if zone_id is None:
                raise OpsError(f"no private hosted zone {spec.dns.zone} of stack '{spec.stack}' "
                               f"is associated with a VPC in {region}; has the stack been "
                               "deployed with network.dns?")
            rrset = _cname(route53, zone_id, name)
            if rrset is None:
                # --refresh: a record deleted by hand is still in the state, so a plain
                # `pulumi up` (which does not refresh) would see nothing to create.
                raise OpsError(f"zone {zone_id} ({region}) has no CNAME {name}; run `pulumi up "
                               "--refresh` to create it")
            values = rrset.get("ResourceRecords")
            if not values:
                # An alias record made by hand (AliasTarget, no value, no TTL): an UPSERT would
                # silently overwrite it, and `pulumi up` (which does not refresh) sees no drift.
                alias = (rrset.get("AliasTarget") or {}).get("DNSName", "").rstrip(".")
                raise OpsError(f"zone {zone_id} ({region}) has {name} as an alias record"
                               + (f" to {alias}" if alias else "") + ", not the CNAME the "
                               "program manages; restore the CNAME by hand, or delete the alias "
                               "record and run `pulumi up --refresh` to create it")
            records.append(WriterRecord(region, zone_id, name,
                                        str(values[0]["Value"]).rstrip("."), rrset.get("TTL")))
    except (ClientError, BotoCoreError) as err:
        if not is_unavailable(err):
            raise OpsError(
                f"cannot read the writer records {name}: {explain(err)}. A failover now would "
                "leave them on the old primary, which turns read-only; fix this first, or pass "
                "--skip-dns to fail over and leave them as they are") from err
        return [], f"cannot read Route 53: {explain(err)}"
    return records, None


def _stack_zones(route53: Any, spec: AwsStackSpec) -> dict[str, str]:
    """Region -> id of this stack's private zone of that name associated with the region."""
    assert spec.dns is not None
    dns_name = f"{spec.dns.zone}."
    by_region: dict[str, list[str]] = {}
    # Zones come sorted by name: the matches are the first ones from DNSName on.
    page = route53.list_hosted_zones_by_name(DNSName=dns_name)
    while True:
        zones = [z for z in page.get("HostedZones", []) if z["Name"] == dns_name]
        for zone in zones:
            if not zone.get("Config", {}).get("PrivateZone"):
                continue
            zone_id = zone["Id"].rsplit("/", 1)[-1]
            tags = route53.list_tags_for_resource(ResourceType="hostedzone", ResourceId=zone_id)
            tag = {t["Key"]: t["Value"] for t in tags["ResourceTagSet"].get("Tags", [])}
            if (tag.get("ManagedBy"), tag.get("Stack")) != ("managed-cache", spec.stack):
                continue
            for vpc in route53.get_hosted_zone(Id=zone_id).get("VPCs") or []:
                by_region.setdefault(vpc["VPCRegion"], []).append(zone_id)
        if not page.get("IsTruncated") or page.get("NextDNSName") != dns_name:
            break
        page = route53.list_hosted_zones_by_name(DNSName=dns_name,
                                                 HostedZoneId=page["NextHostedZoneId"])
    for region, ids in by_region.items():
        if len(ids) > 1:
            raise OpsError(f"stack '{spec.stack}' has {len(ids)} private zones "
                           f"{spec.dns.zone} in {region} ({', '.join(ids)}); set "
                           "network.dns.zone_id to say which one holds the names")
    return {region: ids[0] for region, ids in by_region.items()}


def _cname(route53: Any, zone_id: str, name: str) -> dict[str, Any] | None:
    """The CNAME record set `name` in the zone as ListResourceRecordSets reports it, or None."""
    page = route53.list_resource_record_sets(HostedZoneId=zone_id, StartRecordName=name,
                                             StartRecordType="CNAME", MaxItems="1")
    for rrset in page.get("ResourceRecordSets", []):
        if rrset["Name"].rstrip(".") == name and rrset["Type"] == "CNAME":
            return rrset
    return None


def _upsert_writers(spec: AwsStackSpec, cache: CacheSpec, clients: Clients,
                    writers: list[WriterRecord], host: str, to_region: str) -> str | None:
    """Point every writer record at `host`; returns why Route 53 refused, if it did."""
    assert spec.dns is not None
    route53 = clients.client("route53", ROUTE53_REGION)
    for writer in writers:
        try:
            change = route53.change_resource_record_sets(
                HostedZoneId=writer.zone_id,
                ChangeBatch={
                    "Comment": f"managed-cache ops failover: {cache.name} writer in {to_region}",
                    "Changes": [{"Action": "UPSERT", "ResourceRecordSet": {
                        "Name": writer.name, "Type": "CNAME", "TTL": spec.dns.ttl,
                        "ResourceRecords": [{"Value": host}]}}],
                })
        except (ClientError, BotoCoreError) as err:
            return f"zone {writer.zone_id} ({writer.region}): {explain(err)}"
        was = writer.target + ("" if writer.ttl == spec.dns.ttl else f", TTL {writer.ttl}s")
        print(f"DNS: UPSERT {writer.name} CNAME {host} TTL {spec.dns.ttl}s (was {was}) in zone "
              f"{writer.zone_id} ({writer.region}): {change['ChangeInfo']['Status']}")
    print(f"DNS: resolvers answer {writers[0].name} with the new primary within "
          f"{spec.dns.ttl}s (the TTL) of Route 53 reporting INSYNC; `pulumi up` leaves the "
          "record as it is")
    return None


def _dns_outcome(spec: AwsStackSpec, cache: CacheSpec, to_region: str, problem: str | None,
                 what: str) -> int:
    """EXIT_OK, or one line on the writer records Route 53 did not let us read or update."""
    if problem is None:
        return EXIT_OK
    raise OpsError(f"{what} ({problem}); once Route 53 answers, run `python -m ops failover "
                   f"--stack {spec.stack} --cache {cache.name} --to {to_region}` again: on the "
                   "current primary it only updates the writer records")


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


def _print_client_changes(spec: AwsStackSpec, cache: CacheSpec, clients: Clients,
                          target: live.LiveGroup, old: live.GlobalMember | None,
                          after: bool) -> None:
    must = "must change" if after else "will have to change after the failover"
    print(f"What clients {must}:")
    print(f"  - writers: connect to {target.endpoint or '(no endpoint)'} in {target.region} "
          f"({target.id})")
    if spec.dns is not None:
        writer = cache_dns_names(cache, spec.dns.zone)["writer_endpoint"]
        print(f"  - writers that connect to {writer} need no change: it names the primary; "
              "they reconnect once their connection fails or the TTL has passed")
    if old is not None:
        old_endpoint, old_reader = _endpoints_of(clients, old.region, old.group_id)
        print(f"  - {old.group_id} in {old.region} ({old_endpoint}) becomes a read-only "
              "secondary: writes sent there fail with READONLY errors")
        print(f"  - readers: keep using the reader endpoint of their own region ({old.region}: "
              f"{old_reader}; {target.region}: {target.reader_endpoint or target.endpoint})")
    print("  - AUTH token and TLS settings stay the same: every member uses the primary's")
    if cache.secret and target.region != spec.region:
        # The program writes the configured primary's endpoint there, and never learns of the
        # failover (nothing in the program models which member is primary).
        print(f"  - connection secrets: their writer_host still names {cache.cache_id} in "
              f"{spec.region}, which takes no writes now; apps that read it must use the "
              "endpoint above until you fail back"
              + (" (or resolve the writer name)" if spec.dns is not None else ""))
    if target.region != spec.region:
        print(f"  - the stack config still names {spec.region} as the primary region: `python "
              f"-m ops verify --stack {spec.stack}` reports it until you fail back with "
              f"`python -m ops failover --stack {spec.stack} --cache {cache.name} "
              f"--to {spec.region}`")
    else:
        print(f"  - the primary is back in the stack's own region ({spec.region})")
