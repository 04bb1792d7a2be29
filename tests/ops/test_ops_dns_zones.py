"""`failover` with `network.dns`: finding the writer records, and writing them.

Route 53 is moto's as in test_ops_dns.py. moto returns every zone of a name on one page of
ListHostedZonesByName, so the paging test wraps it in `PagedRoute53`, which pages as Route 53
does (https://docs.aws.amazon.com/Route53/latest/APIReference/API_ListHostedZonesByName.html).
"""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from tests.ops.support import (
    FAST,
    GID,
    NEW,
    OLD,
    SECONDARY,
    STACK_TAGS,
    WRITER,
    assert_failover_refused_for_a_missing_writer,
    clients_for,
    deployed,
    gid_members,
    global_api,
    make_clients,
    rg_api,
    run_failover,
    stub_failover,
    without_endpoints,
    write_dns_project,
)


@pytest.fixture
def project(tmp_path):
    return write_dns_project(tmp_path)


def _reversed_name(name: str) -> str:
    return ".".join(reversed(name.rstrip(".").split(".")))


class PagedRoute53:
    """moto's Route 53 client, with ListHostedZonesByName paged as Route 53 pages it: zones in
    the order of their name (labels reversed) and id, from DNSName (and HostedZoneId) on,
    `per_page` to a page; a request with HostedZoneId must also carry DNSName."""

    def __init__(self, client: Any, per_page: int = 1):
        self.client, self.per_page, self.calls = client, per_page, 0

    def __getattr__(self, operation: str) -> Any:
        return getattr(self.client, operation)

    def list_hosted_zones_by_name(self, DNSName: str | None = None,  # noqa: N803
                                  HostedZoneId: str | None = None) -> dict[str, Any]:  # noqa: N803
        self.calls += 1
        assert self.calls < 20, "ListHostedZonesByName keeps returning the same page"
        if HostedZoneId and not DNSName:
            raise ClientError({"Error": {"Code": "InvalidInput",
                                         "Message": "HostedZoneId requires DNSName"}},
                              "ListHostedZonesByName")

        def key(zone: dict[str, Any]) -> tuple[str, str]:
            return _reversed_name(zone["Name"]), zone["Id"].rsplit("/", 1)[-1]

        zones = sorted(self.client.list_hosted_zones()["HostedZones"], key=key)
        if DNSName:
            zones = [z for z in zones if key(z) >= (_reversed_name(DNSName), HostedZoneId or "")]
        page, rest = zones[:self.per_page], zones[self.per_page:]
        answer: dict[str, Any] = {"HostedZones": page, "IsTruncated": bool(rest),
                                  "MaxItems": str(self.per_page)}
        if rest:
            answer.update(NextDNSName=rest[0]["Name"],
                          NextHostedZoneId=rest[0]["Id"].rsplit("/", 1)[-1])
        return answer


def test_the_stack_zones_are_found_across_pages_of_zones(capsys, project, r53, east, west):
    # Zones sort by name: two come before the stack's, one after; another stack's zone of the
    # same name sits among them. One zone a page makes every step a new request.
    for name in ("a.internal", "b.internal", "other.internal"):
        r53.zone("us-east-1", STACK_TAGS, name=name)
    zones = deployed(r53)
    r53.zone("eu-west-1", {**STACK_TAGS, "Stack": "staging"})
    stub_failover(east, west)
    paged = PagedRoute53(r53.client)
    clients = make_clients({("elasticache", "us-east-1"): east.client,
                            ("elasticache", "eu-west-1"): west.client,
                            ("route53", "us-east-1"): paged})

    code, out, err = run_failover(capsys, project, *FAST, clients=clients)

    assert (code, err) == (0, "")
    assert all(r53.records(z)[WRITER] == (NEW, 20) for z in zones.values())
    # A zone a page from cache.internal on: the page of its third zone names other.internal
    # next, which ends the search.
    assert paged.calls == 3


def test_two_stack_zones_in_one_region_refuse_the_failover(capsys, project, r53, west):
    zones = deployed(r53)
    second = r53.zone("eu-west-1", STACK_TAGS)
    r53.cname(second, WRITER, OLD)
    west.globals_list(global_api(GID, gid_members()))

    code, _, err = run_failover(capsys, project, clients=clients_for(west))

    assert code == 2
    assert "FailoverGlobalReplicationGroup" not in west.operations
    assert err.startswith("error: stack 'ops' has 2 private zones cache.internal in eu-west-1 (")
    assert zones["eu-west-1"] in err and second in err
    assert err.endswith("set network.dns.zone_id to say which one holds the names\n")


@pytest.mark.parametrize(("name", "kind", "value"), [
    ("tokens.cache.internal", "CNAME", OLD),         # another cache's name, after the writer's
    (WRITER, "TXT", '"owner=ops"'),                  # another record type at the writer's name
], ids=["next-name", "other-type"])
def test_only_the_writer_cname_counts_as_the_writer_record(capsys, project, r53, west, name,
                                                           kind, value):
    zones = deployed(r53)
    r53.client.change_resource_record_sets(HostedZoneId=zones["eu-west-1"], ChangeBatch={
        "Changes": [{"Action": "DELETE", "ResourceRecordSet": {
            "Name": WRITER, "Type": "CNAME", "TTL": 20, "ResourceRecords": [{"Value": OLD}]}},
                    {"Action": "CREATE", "ResourceRecordSet": {
                        "Name": name, "Type": kind, "TTL": 20,
                        "ResourceRecords": [{"Value": value}]}}]})
    assert_failover_refused_for_a_missing_writer(capsys, project, west, zones["eu-west-1"])


@pytest.mark.parametrize("extra", [(), ("--dry-run",)], ids=["failover", "dry-run"])
def test_a_writer_record_made_an_alias_by_hand_refuses_the_failover_naming_it(capsys, project,
                                                                            r53, west, extra):
    """An alias record has no value and no TTL; an UPSERT would silently overwrite it."""
    zones = deployed(r53)
    alias = {"Name": WRITER, "Type": "CNAME", "AliasTarget": {
        "HostedZoneId": zones["eu-west-1"], "DNSName": "sessions.cache.internal",
        "EvaluateTargetHealth": False}}
    r53.client.change_resource_record_sets(HostedZoneId=zones["eu-west-1"], ChangeBatch={
        "Changes": [{"Action": "DELETE", "ResourceRecordSet": {
            "Name": WRITER, "Type": "CNAME", "TTL": 20, "ResourceRecords": [{"Value": OLD}]}},
                    {"Action": "CREATE", "ResourceRecordSet": alias}]})
    west.globals_list(global_api(GID, gid_members()))

    code, out, err = run_failover(capsys, project, *extra, clients=clients_for(west))

    assert code == 2
    assert err == (f"error: zone {zones['eu-west-1']} (eu-west-1) has {WRITER} as an alias "
                   "record to sessions.cache.internal, not the CNAME the program manages; "
                   "restore the CNAME by hand, or delete the alias record and run `pulumi up "
                   "--refresh` to create it\n")
    assert "FailoverGlobalReplicationGroup" not in west.operations
    assert "UPSERT" not in out
    listed = r53.client.list_resource_record_sets(HostedZoneId=zones["eu-west-1"])
    assert [r for r in listed["ResourceRecordSets"] if r["Name"] == f"{WRITER}."] == [alias | {
        "Name": f"{WRITER}."}]


@pytest.mark.parametrize("primary_now", ["us-east-1", "eu-west-1"],
                         ids=["failover", "rerun-on-the-primary"])
def test_a_primary_without_an_endpoint_leaves_the_writer_records_alone(capsys, project, r53,
                                                                       west, primary_now):
    # failover: the secondary reports no endpoint (checked before the failover call); a re-run
    # on the primary: its replication group is not found.
    zones = deployed(r53)
    west.globals_list(global_api(GID, gid_members(primary_now)))
    if primary_now == "us-east-1":
        west.group(without_endpoints(rg_api(SECONDARY, "eu-west-1")))
    else:
        west.stubber.add_client_error("describe_replication_groups",
                                      "ReplicationGroupNotFoundFault", "not found",
                                      http_status_code=404)

    code, _, err = run_failover(capsys, project, *FAST, clients=clients_for(west))

    assert code == 2
    assert err == ("error: the primary replication group in eu-west-1 reports no endpoint for "
                   "the writer records to point at\n")
    assert "FailoverGlobalReplicationGroup" not in west.operations
    assert all(r53.records(z)[WRITER] == (OLD, 20) for z in zones.values())


class FailingUpserts:
    """moto's Route 53 client, whose ChangeResourceRecordSets on one zone raises `error`."""

    def __init__(self, client: Any, zone_id: str, error: Exception):
        self.client, self.zone_id, self.error = client, zone_id, error

    def __getattr__(self, operation: str) -> Any:
        return getattr(self.client, operation)

    def change_resource_record_sets(self, **params: Any) -> Any:
        if params["HostedZoneId"] == self.zone_id:
            raise self.error
        return self.client.change_resource_record_sets(**params)


@pytest.mark.parametrize("error, reason", [
    (ClientError({"Error": {"Code": "AccessDenied", "Message": "not authorized"}},
                 "ChangeResourceRecordSets"),
     "AWS refused ChangeResourceRecordSets (AccessDenied): not authorized"),
    (EndpointConnectionError(endpoint_url="https://route53.amazonaws.com/"), "cannot reach AWS"),
], ids=["refused", "no-connection"])
def test_a_writer_record_route53_does_not_update_is_reported_after_the_failover(
        capsys, project, r53, east, west, error, reason):
    zones = deployed(r53)
    stub_failover(east, west)
    route53 = FailingUpserts(r53.client, zones["eu-west-1"], error)
    clients = make_clients({("elasticache", "us-east-1"): east.client,
                            ("elasticache", "eu-west-1"): west.client,
                            ("route53", "us-east-1"): route53})

    code, out, err = run_failover(capsys, project, *FAST, clients=clients)

    assert code == 2
    assert "failover complete: ops-sessions-euw1 (eu-west-1)" in out
    assert err.startswith("error: failover complete, but the writer records were not updated "
                          f"(zone {zones['eu-west-1']} (eu-west-1): {reason}")
    assert err.endswith("run `python -m ops failover --stack ops --cache sessions --to "
                        "eu-west-1` again: on the current primary it only updates the writer "
                        "records\n")
    assert r53.records(zones["us-east-1"])[WRITER] == (NEW, 20)
    assert r53.records(zones["eu-west-1"])[WRITER] == (OLD, 20)
