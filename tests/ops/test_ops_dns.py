"""`failover` with `network.dns`: the `<cache>-writer` CNAME follows the new primary.

Route 53 is moto's (in-process `mock_aws`): private zones of the same name per region,
associated with that region's VPC and tagged with the stack as the program's provider tags them,
plus zones that must not be touched. The ElastiCache calls moto does not implement are
Stubber'd as in test_ops_failover.py. The last test checks the program's side of the agreement:
it registers the very records ops rewrites, with `ignore_changes` on their value.
"""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from botocore.exceptions import (
    EndpointConnectionError,
    ParamValidationError,
    ProxyConnectionError,
    ReadTimeoutError,
    SSLError,
    TokenRetrievalError,
)
from botocore.stub import Stubber

from infra.stackfile import flat_stack_config
from tests.ops.support import (
    FAST,
    GID,
    NEW,
    OLD,
    PRIMARY,
    SECONDARY,
    STACK_TAGS,
    WRITER,
    Stubbed,
    assert_failover_refused_for_a_missing_writer,
    clients_for,
    deployed,
    endpoint_of,
    gid_members,
    global_api,
    make_clients,
    rg_api,
    run_failover,
    stub_failover,
    stub_ready_to_fail_over,
    write_dns_project,
    write_dns_stack,
)


@pytest.fixture
def project(tmp_path):
    return write_dns_project(tmp_path)


# ---------------------------------------------------------------------------------------------
def test_failover_points_the_writer_name_at_the_new_primary_in_every_region(capsys, project,
                                                                           r53, east, west):
    zones = deployed(r53)
    other_stack = r53.zone("eu-west-1", {**STACK_TAGS, "Stack": "staging"})
    r53.cname(other_stack, WRITER, OLD)
    stub_failover(east, west)
    batches: list[dict[str, Any]] = []
    r53.client.meta.events.register("provide-client-params.route53.ChangeResourceRecordSets",
                                    lambda params, **_: batches.append(params["ChangeBatch"]))
    clients = make_clients({("elasticache", "us-east-1"): east.client,
                            ("elasticache", "eu-west-1"): west.client,
                            ("route53", "us-east-1"): r53.client})

    code, out, err = run_failover(capsys, project, *FAST, clients=clients)

    assert (code, err) == (0, "")
    west.done()
    east.done()
    # The zone's change history says who moved the writer name, and why.
    assert [b["Comment"] for b in batches] == [
        "managed-cache ops failover: sessions writer in eu-west-1"] * 2
    for region, zone_id in zones.items():
        records = r53.records(zone_id)
        assert records[WRITER] == (NEW, 20), region
        # The regional names stay on the region's own member.
        local = PRIMARY if region == "us-east-1" else SECONDARY
        assert records["sessions.cache.internal"] == (endpoint_of(local, region), 20)
        assert f"DNS: UPSERT {WRITER} CNAME {NEW} TTL 20s (was {OLD}) in zone {zone_id} " \
               f"({region}): " \
               "INSYNC" in out
    assert r53.records(other_stack)[WRITER] == (OLD, 20)       # another stack's zone: untouched
    lines = out.splitlines()
    assert lines.index("failover complete: ops-sessions-euw1 (eu-west-1) is the primary of "
                       "ldgnf-ops-sessions") < min(i for i, line in enumerate(lines)
                                                    if line.startswith("DNS: UPSERT"))
    assert f"DNS: resolvers answer {WRITER} with the new primary within 20s (the TTL) of " \
           "Route 53 reporting INSYNC; `pulumi up` leaves the record as it is" in out
    assert f"  - writers that connect to {WRITER} need no change: it names the primary" in out
    assert "must use the endpoint above until you fail back (or resolve the writer name)\n" in out


def test_dry_run_names_the_zones_and_changes_no_record(capsys, project, r53, east, west):
    zones = deployed(r53)
    stub_ready_to_fail_over(west)
    east.group(rg_api(PRIMARY, "us-east-1", global_id=GID, role="PRIMARY"))

    code, out, _ = run_failover(capsys, project, "--dry-run", clients=clients_for(east, west))

    assert code == 0
    assert "FailoverGlobalReplicationGroup" not in west.operations
    assert f"dry run: would then UPSERT {WRITER} CNAME {NEW} in zones " \
           f"{zones['us-east-1']} (us-east-1), {zones['eu-west-1']} (eu-west-1)" in out
    assert all(r53.records(z)[WRITER] == (OLD, 20) for z in zones.values())


def test_a_missing_writer_record_refuses_the_failover_before_any_change(capsys, project, r53,
                                                                       west):
    zones = deployed(r53)
    r53.client.change_resource_record_sets(HostedZoneId=zones["eu-west-1"], ChangeBatch={
        "Changes": [{"Action": "DELETE", "ResourceRecordSet": {
            "Name": WRITER, "Type": "CNAME", "TTL": 20, "ResourceRecords": [{"Value": OLD}]}}]})
    assert_failover_refused_for_a_missing_writer(capsys, project, west, zones["eu-west-1"])


def test_a_region_without_the_stack_zone_refuses_the_failover(capsys, project, r53, west):
    zone = r53.zone("us-east-1", STACK_TAGS)
    r53.cname(zone, WRITER, OLD)
    r53.zone("eu-west-1", {**STACK_TAGS, "Stack": "staging"})     # not this stack's
    west.globals_list(global_api(GID, gid_members()))

    code, _, err = run_failover(capsys, project, clients=clients_for(west))

    assert code == 2
    assert err == ("error: no private hosted zone cache.internal of stack 'ops' is associated "
                   "with a VPC in eu-west-1; has the stack been deployed with network.dns?\n")
    assert "FailoverGlobalReplicationGroup" not in west.operations


def test_zones_named_in_the_config_are_used_without_looking_for_tags(capsys, tmp_path, r53,
                                                                   east, west):
    east_zone = r53.zone("us-east-1")                              # existing, untagged
    west_zone = r53.zone("eu-west-1", STACK_TAGS)                  # created by the stack
    for zone_id in (east_zone, west_zone):
        r53.cname(zone_id, WRITER, OLD)
    write_dns_stack(tmp_path, {"zone": "cache.internal", "zone_id": east_zone})
    stub_failover(east, west)

    code, out, _ = run_failover(capsys, tmp_path, *FAST, clients=clients_for(east, west))

    assert code == 0
    assert r53.records(east_zone)[WRITER] == (NEW, 30)            # the default TTL
    assert r53.records(west_zone)[WRITER] == (NEW, 30)


def test_a_rerun_on_the_current_primary_repairs_only_stale_writer_records(capsys, project, r53,
                                                                         west):
    zones = deployed(r53)
    r53.client.change_resource_record_sets(HostedZoneId=zones["eu-west-1"], ChangeBatch={
        "Changes": [{"Action": "UPSERT", "ResourceRecordSet": {
            "Name": WRITER, "Type": "CNAME", "TTL": 20, "ResourceRecords": [{"Value": NEW}]}}]})
    west.globals_list(global_api(GID, gid_members("eu-west-1")))
    west.group(rg_api(SECONDARY, "eu-west-1", global_id=GID, role="PRIMARY"))

    code, out, err = run_failover(capsys, project, clients=clients_for(west))

    assert (code, err) == (0, "")
    assert "FailoverGlobalReplicationGroup" not in west.operations
    assert out.startswith("ops-sessions-euw1 (eu-west-1) is already the primary of Global "
                          "Datastore ldgnf-ops-sessions; nothing changed\n")
    assert f"in zone {zones['us-east-1']} (us-east-1)" in out
    assert f"in zone {zones['eu-west-1']}" not in out               # already right: no UPSERT
    assert all(r53.records(z)[WRITER] == (NEW, 20) for z in zones.values())

    code, out, _ = run_failover(capsys, project, clients=clients_for(_rerun(west)))
    assert code == 0
    assert f"DNS: {WRITER} already points at {NEW} with TTL 20s in every region's zone" in out


def test_a_rerun_on_the_current_primary_applies_a_new_ttl(capsys, project, r53, west):
    """`pulumi up` leaves the writer's TTL alone (it would rewrite the record's value with it):
    a re-run against the current primary is how a new network.dns.ttl reaches the writers."""
    zones = deployed(r53)
    for zone_id in zones.values():
        r53.client.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch={
            "Changes": [{"Action": "UPSERT", "ResourceRecordSet": {
                "Name": WRITER, "Type": "CNAME", "TTL": 60,
                "ResourceRecords": [{"Value": NEW}]}}]})

    code, out, _ = run_failover(capsys, project, clients=clients_for(_rerun(west)))

    assert code == 0
    assert f"DNS: UPSERT {WRITER} CNAME {NEW} TTL 20s (was {NEW}, TTL 60s) in zone " in out
    assert all(r53.records(z)[WRITER] == (NEW, 20) for z in zones.values())


def test_a_writer_record_written_with_a_trailing_dot_already_points_at_the_primary(
        capsys, project, r53, west):
    zones = deployed(r53)
    for zone_id in zones.values():
        r53.client.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch={
            "Changes": [{"Action": "UPSERT", "ResourceRecordSet": {
                "Name": WRITER, "Type": "CNAME", "TTL": 20,
                "ResourceRecords": [{"Value": f"{NEW}."}]}}]})

    code, out, _ = run_failover(capsys, project, clients=clients_for(_rerun(west)))

    assert code == 0
    assert f"DNS: {WRITER} already points at {NEW} with TTL 20s in every region's zone" in out


def _rerun(west: Stubbed) -> Stubbed:
    west.globals_list(global_api(GID, gid_members("eu-west-1")))
    west.group(rg_api(SECONDARY, "eu-west-1", global_id=GID, role="PRIMARY"))
    return west


def route53_answering(code: str, message: str, status: int) -> Any:
    """A Route 53 client whose first call (ListHostedZonesByName) gets this error."""
    route53 = boto3.client("route53", region_name="us-east-1")
    stubber = Stubber(route53)
    stubber.add_client_error("list_hosted_zones_by_name", code, message,
                             http_status_code=status)
    stubber.activate()
    return route53


# Route 53 cannot answer now: a 5xx, or its throttling (Throttling, PriorRequestNotComplete are
# 400s, https://docs.aws.amazon.com/Route53/latest/APIReference/CommonErrors.html).
@pytest.mark.parametrize("code,status", [("ServiceUnavailable", 503), ("Throttling", 400),
                                         ("PriorRequestNotComplete", 400)])
def test_a_route53_outage_does_not_hold_back_the_failover(capsys, project, east, west, code,
                                                          status):
    route53 = route53_answering(code, "Route 53 is not available", status)
    stub_failover(east, west)
    clients = make_clients({("elasticache", "us-east-1"): east.client,
                            ("elasticache", "eu-west-1"): west.client,
                            ("route53", "us-east-1"): route53})

    code_, out, err = run_failover(capsys, project, *FAST, clients=clients)

    assert code_ == 2
    west.done()
    assert west.operations.count("FailoverGlobalReplicationGroup") == 1
    assert "failover complete: ops-sessions-euw1 (eu-west-1)" in out
    assert err == ("error: failover complete, but the writer records were not updated (cannot "
                   f"read Route 53: AWS refused ListHostedZonesByName ({code}): "
                   "Route 53 is not available); once Route 53 answers, run `python -m ops "
                   "failover --stack ops --cache sessions --to eu-west-1` again: on the current "
                   "primary it only updates the writer records\n")


def test_route53_refusing_the_reads_refuses_the_failover_before_any_change(capsys, project,
                                                                          west):
    # A permission problem does not pass like an outage: the re-run the outage path asks for
    # would meet the same refusal, while the writer name points at a read-only group.
    route53 = route53_answering(
        "AccessDenied", "User: arn:aws:sts::123456789012:assumed-role/ops/me is not authorized "
        "to perform: route53:ListHostedZonesByName", 403)
    west.globals_list(global_api(GID, gid_members()))
    clients = make_clients({("elasticache", "eu-west-1"): west.client,
                            ("route53", "us-east-1"): route53})

    code, _, err = run_failover(capsys, project, *FAST, clients=clients)

    assert code == 2
    assert "FailoverGlobalReplicationGroup" not in west.operations
    assert err == (
        f"error: cannot read the writer records {WRITER}: AWS refused ListHostedZonesByName "
        "(AccessDenied): User: arn:aws:sts::123456789012:assumed-role/ops/me is not authorized "
        "to perform: route53:ListHostedZonesByName. A failover now would leave them on the old "
        "primary, which turns read-only; fix this first, or pass --skip-dns to fail over and "
        "leave them as they are\n")


class Route53Raising:
    """A Route 53 client whose every call raises `error` (botocore raises these itself)."""

    def __init__(self, error: Exception):
        self.error = error

    def __getattr__(self, operation: str) -> Any:
        def call(**_: Any) -> Any:
            raise self.error
        return call


# Transport failures are outages; an expired SSO login or a bad parameter is not: a re-run
# would meet it again, so the failover must not go ahead without the records.
@pytest.mark.parametrize("error, goes_ahead", [
    (EndpointConnectionError(endpoint_url="https://route53.amazonaws.com/"), True),
    (ReadTimeoutError(endpoint_url="https://route53.amazonaws.com/"), True),
    (TokenRetrievalError(provider="sso", error_msg="the SSO session has expired"), False),
    (ParamValidationError(report="Invalid length for parameter HostedZoneId"), False),
    (SSLError(endpoint_url="https://route53.amazonaws.com/", error="CERTIFICATE_VERIFY_FAILED"),
     False),
    (ProxyConnectionError(proxy_url="http://proxy:3128", error="refused"), False),
], ids=["no-connection", "read-timeout", "expired-sso-token", "invalid-parameter",
        "tls-interception", "proxy-refused"])
def test_only_a_route53_that_cannot_answer_lets_the_failover_go_ahead(
        capsys, project, east, west, error, goes_ahead):
    if goes_ahead:
        stub_failover(east, west)
    else:
        west.globals_list(global_api(GID, gid_members()))
    clients = make_clients({("elasticache", "us-east-1"): east.client,
                            ("elasticache", "eu-west-1"): west.client,
                            ("route53", "us-east-1"): Route53Raising(error)})

    code, _, err = run_failover(capsys, project, *FAST, clients=clients)

    assert code == 2
    assert (west.operations.count("FailoverGlobalReplicationGroup") == 1) == goes_ahead
    assert err.startswith("error: failover complete, but the writer records were not updated"
                          if goes_ahead else f"error: cannot read the writer records {WRITER}")


def test_a_configured_zone_that_does_not_exist_refuses_the_failover(capsys, tmp_path, r53,
                                                                    west):
    west_zone = r53.zone("eu-west-1", STACK_TAGS)
    r53.cname(west_zone, WRITER, OLD)
    write_dns_stack(tmp_path, {"zone": "cache.internal", "zone_id": "Z0DELETED0ZONE"})
    west.globals_list(global_api(GID, gid_members()))

    code, _, err = run_failover(capsys, tmp_path, *FAST, clients=clients_for(west))

    assert code == 2
    assert "FailoverGlobalReplicationGroup" not in west.operations
    assert err.startswith(f"error: cannot read the writer records {WRITER}: AWS refused "
                          "ListResourceRecordSets (NoSuchHostedZone)")


def test_skip_dns_fails_over_without_touching_route53(capsys, project, east, west):
    # Every Route 53 call would fail (the stub has no answers): exit 0 shows none was made.
    route53 = boto3.client("route53", region_name="us-east-1")
    Stubber(route53).activate()
    stub_failover(east, west)
    clients = make_clients({("elasticache", "us-east-1"): east.client,
                            ("elasticache", "eu-west-1"): west.client,
                            ("route53", "us-east-1"): route53})

    code, out, err = run_failover(capsys, project, *FAST, "--skip-dns", clients=clients)

    assert (code, err) == (0, "")
    west.done()
    assert "failover complete: ops-sessions-euw1 (eu-west-1)" in out
    assert ("DNS: --skip-dns: the writer records are neither read nor changed; once Route 53 "
            "lets them be, `python -m ops failover --stack ops --cache sessions --to "
            "eu-west-1` points them at the primary") in out


def test_the_program_registers_the_records_ops_rewrites_and_leaves_their_value(run_stack,
                                                                             project):
    """The two sides agree: same names, same TTL, and `pulumi up` ignores the value ops sets."""
    rec = run_stack(flat_stack_config("ops", project), stack="ops")
    writers = [r for r in rec.of_type("aws:route53/record:Record")
               if r.inputs["name"] == WRITER]
    assert sorted(r.provider.rsplit("::", 2)[-2] for r in writers) == ["aws-eu-west-1",
                                                                      "aws-us-east-1"]
    for record in writers:
        assert record.ignore_changes == ["records", "ttl"]
        assert (record.inputs["type"], record.inputs["ttl"]) == ("CNAME", 20)
    # The zones carry the tags ops looks for (from the provider's default tags) and the stack's
    # zone name; ops finds them by name, tag and the region of their VPC.
    zones = rec.of_type("aws:route53/zone:Zone")
    assert {z.inputs["name"] for z in zones} == {"cache.internal"}
    for provider in rec.of_type("pulumi:providers:aws"):
        tags = provider.inputs["defaultTags"]
        tags = tags["tags"] if isinstance(tags, dict) else json.loads(tags)["tags"]
        assert (tags["ManagedBy"], tags["Stack"]) == ("managed-cache", "ops")


def test_a_dry_run_on_the_current_primary_changes_no_record(capsys, project, r53, west):
    """README: failover changes anything 'yes (not with --dry-run)'."""
    zones = deployed(r53)                                  # writers still on the old primary

    code, out, _ = run_failover(capsys, project, "--dry-run", clients=clients_for(_rerun(west)))

    assert code == 0
    assert "DNS: UPSERT" not in out
    assert (f"dry run: would UPSERT {WRITER} CNAME {NEW} TTL 20s in zones "
            f"{zones['us-east-1']} (us-east-1), {zones['eu-west-1']} (eu-west-1)") in out
    assert all(r53.records(z)[WRITER] == (OLD, 20) for z in zones.values())


def test_a_dry_run_on_the_current_primary_with_right_records_has_nothing_to_do(capsys, project,
                                                                             r53, west):
    zones = deployed(r53)
    for zone_id in zones.values():
        r53.client.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch={
            "Changes": [{"Action": "UPSERT", "ResourceRecordSet": {
                "Name": WRITER, "Type": "CNAME", "TTL": 20,
                "ResourceRecords": [{"Value": NEW}]}}]})

    code, out, _ = run_failover(capsys, project, "--dry-run", clients=clients_for(_rerun(west)))

    assert code == 0
    assert "would UPSERT" not in out
    assert f"DNS: {WRITER} already points at {NEW} with TTL 20s in every region's zone" in out


@pytest.mark.parametrize(("primary_now", "extra", "what"), [
    ("us-east-1", ("--dry-run",), "dry run: the writer records could not be read"),
    ("eu-west-1", (), "the writer records were not checked"),
], ids=["dry-run", "rerun-on-the-primary"])
def test_a_route53_outage_is_reported_when_nothing_fails_over(capsys, project, east, west,
                                                              primary_now, extra, what):
    route53 = route53_answering("ServiceUnavailable", "Route 53 is not available", 503)
    west.globals_list(global_api(GID, gid_members(primary_now)))
    west.group(rg_api(SECONDARY, "eu-west-1", global_id=GID, role="SECONDARY"))
    east.group(rg_api(PRIMARY, "us-east-1", global_id=GID, role="PRIMARY"))
    clients = make_clients({("elasticache", "us-east-1"): east.client,
                            ("elasticache", "eu-west-1"): west.client,
                            ("route53", "us-east-1"): route53})

    code, _, err = run_failover(capsys, project, *extra, clients=clients)

    assert code == 2
    assert "FailoverGlobalReplicationGroup" not in west.operations
    assert err.startswith(f"error: {what} (cannot read Route 53: AWS refused "
                          "ListHostedZonesByName (ServiceUnavailable): Route 53 is not "
                          "available); once Route 53 answers, run `python -m ops failover")
