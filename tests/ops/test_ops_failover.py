"""`failover` (Global Datastore) and `test-failover` (one shard).

moto implements neither DescribeGlobalReplicationGroups, FailoverGlobalReplicationGroup nor
TestFailover, so these tests put botocore's Stubber in front of the elasticache clients; the
responses use the service model's fields (Stubber rejects anything else) and each mutating
call is expected with its exact parameters. Everything runs under mock_aws as well, so a call
that escaped the stubs could never reach AWS.
"""

from __future__ import annotations

import pytest
from botocore.exceptions import EndpointConnectionError

from tests.ops.support import (
    FAST,
    GID,
    GLOBAL_SESSIONS,
    PRIMARY,
    SECONDARY,
    clients_for,
    endpoint_of,
    gid_members,
    global_api,
    make_clients,
    rg_api,
    run_failover,
    run_ops,
    stub_failover,
    stub_ready_to_fail_over,
    without_endpoints,
    write_failover_project,
    write_stack,
)


@pytest.fixture
def project(tmp_path):
    return write_failover_project(tmp_path)


# ---------------------------------------------------------------------------------------------
# failover
# ---------------------------------------------------------------------------------------------
def test_failover_promotes_the_secondary_and_waits_for_the_roles(capsys, project, east, west):
    other = global_api("xyzab-ops-sessions-old", [])          # a different suffix: ignored
    stub_failover(east, west, other, polls=(
        global_api(GID, gid_members(), status="modifying"),
        global_api(GID, gid_members("eu-west-1"), status="modifying")))

    code, out, err = run_failover(capsys, project, *FAST, clients=clients_for(east, west))

    assert (code, err) == (0, "")
    west.done()
    east.done()
    assert west.operations.count("FailoverGlobalReplicationGroup") == 1
    progress = [line for line in out.splitlines() if line.startswith("  [")]
    assert len(progress) == 3
    assert ("Global Datastore ldgnf-ops-sessions: promote ops-sessions-euw1 (eu-west-1) to "
            "primary; the primary now is ops-sessions (us-east-1)") in out
    assert ("called FailoverGlobalReplicationGroup(GlobalReplicationGroupId=ldgnf-ops-sessions, "
            "PrimaryRegion=eu-west-1, PrimaryReplicationGroupId=ops-sessions-euw1); waiting for "
            "the roles to switch (every 0s, at most 60s)\n") in out
    assert "note:" not in out                        # an available secondary: nothing to note
    assert "What clients must change:" in out
    assert "modifying: us-east-1 ops-sessions: PRIMARY (associated)" in progress[0]
    assert "available: us-east-1 ops-sessions: SECONDARY (associated), eu-west-1 " \
           "ops-sessions-euw1: PRIMARY (associated)" in progress[2]
    assert "failover complete: ops-sessions-euw1 (eu-west-1) is the primary of " \
           "ldgnf-ops-sessions" in out
    assert f"writers: connect to {endpoint_of(SECONDARY, 'eu-west-1')}:6379 in eu-west-1" in out
    assert f"ops-sessions in us-east-1 ({endpoint_of(PRIMARY, 'us-east-1')}:6379) becomes a " \
           "read-only secondary" in out
    assert "readers: keep using the reader endpoint of their own region (us-east-1: " \
           f"{endpoint_of(PRIMARY, 'us-east-1', 'replica')}:6379; eu-west-1: " \
           f"{endpoint_of(SECONDARY, 'eu-west-1', 'replica')}:6379)" in out
    assert "fail back with `python -m ops failover --stack ops --cache sessions --to " \
           "us-east-1`" in out
    assert "  - AUTH token and TLS settings stay the same: every member uses the primary's\n" \
        in out
    assert "connection secrets: their writer_host still names ops-sessions in us-east-1, " \
           "which takes no writes now; apps that read it must use the endpoint above until you " \
           "fail back\n" in out


def test_failover_picks_the_datastore_holding_the_stacks_groups(capsys, project, east, west):
    """AWS prefixes a Global Datastore's suffix per region: another stack with this name_prefix
    and cache, primary in eu-west-1, has one with the same suffix, listed here first."""
    another_stacks = global_api("qwert-ops-sessions", [
        ("ops-sessions", "eu-west-1", "PRIMARY", "associated"),
        ("ops-sessions-use1", "us-east-1", "SECONDARY", "associated")])
    stub_failover(east, west, another_stacks)       # the call expects GID and SECONDARY

    code, out, err = run_failover(capsys, project, *FAST, clients=clients_for(east, west))

    assert (code, err) == (0, "")
    west.done()
    assert "failover complete: ops-sessions-euw1 (eu-west-1) is the primary of " \
           "ldgnf-ops-sessions" in out


def test_failover_completes_while_the_old_primary_region_is_unreachable(capsys, project, east,
                                                                         west):
    west.globals_list(global_api(GID, gid_members()))
    west.group(rg_api(SECONDARY, "eu-west-1"))
    west.stubber.add_response("failover_global_replication_group",
                              {"GlobalReplicationGroup": global_api(GID, gid_members())})
    west.global_by_id(global_api(GID, gid_members("eu-west-1")))
    east.stubber.add_client_error("describe_replication_groups", "InternalFailure",
                                  "regional outage", http_status_code=500)
    code, out, _ = run_failover(capsys, project, *FAST, clients=clients_for(east, west))
    assert code == 0
    east.done()
    assert "ops-sessions in us-east-1 ((unreachable)) becomes a read-only secondary" in out


def test_dry_run_checks_everything_and_changes_nothing(capsys, project, east, west):
    stub_ready_to_fail_over(west)
    east.group(rg_api(PRIMARY, "us-east-1", global_id=GID, role="PRIMARY"))

    code, out, _ = run_failover(capsys, project, "--dry-run", clients=clients_for(east, west))

    assert code == 0
    west.done()
    assert "FailoverGlobalReplicationGroup" not in west.operations + east.operations
    assert ("dry run: would call FailoverGlobalReplicationGroup(GlobalReplicationGroupId="
            "ldgnf-ops-sessions, PrimaryRegion=eu-west-1, PrimaryReplicationGroupId="
            "ops-sessions-euw1); nothing changed") in out
    assert "What clients will have to change after the failover:" in out


def test_a_region_outside_the_config_is_refused_without_any_request(capsys, project, west):
    code, _, err = run_ops(capsys, "failover", "--stack", "ops", "--project-dir", str(project),
                           "--cache", "sessions", "--to", "eu-central-1",
                           clients=clients_for(west))
    assert code == 2
    assert err == ("error: eu-central-1 is not a region of cache 'sessions'; its Global "
                   "Datastore spans us-east-1, eu-west-1\n")
    assert west.operations == []


def test_a_configured_region_that_is_not_a_live_member_is_refused(capsys, project, west):
    west.globals_list(global_api(GID, gid_members()[:1]))
    code, _, err = run_failover(capsys, project, clients=clients_for(west))
    assert code == 2
    assert err == ("error: eu-west-1 is not a member of Global Datastore ldgnf-ops-sessions "
                   "(members: us-east-1 ops-sessions: PRIMARY (associated))\n")
    assert "FailoverGlobalReplicationGroup" not in west.operations


def test_a_member_the_stack_does_not_manage_is_not_promoted(capsys, project, west):
    west.globals_list(global_api(GID, [gid_members()[0],
                                       ("someone-elses-group", "eu-west-1", "SECONDARY",
                                        "associated")]))
    code, _, err = run_failover(capsys, project, clients=clients_for(west))
    assert code == 2
    assert err == ("error: the member of Global Datastore ldgnf-ops-sessions in eu-west-1 is "
                   "someone-elses-group, not the stack's ops-sessions-euw1; refusing to promote "
                   "a group this stack does not manage\n")
    assert "FailoverGlobalReplicationGroup" not in west.operations


@pytest.mark.parametrize("stack", ["local", "dev"])
def test_a_cache_without_global_is_refused(capsys, project, west, stack):
    code, _, err = run_ops(capsys, "failover", "--stack", stack, "--project-dir", str(project),
                           "--cache", "sessions", "--to", "eu-west-1", clients=clients_for(west))
    assert code == 2
    assert err == ("error: cache 'sessions' is not a Global Datastore cache (its config has no "
                   "global: block); there is no other region to fail over to\n")
    assert west.operations == []


def test_memcached_is_not_a_global_cache(capsys, project, west):
    code, _, err = run_ops(capsys, "failover", "--stack", "ops", "--project-dir", str(project),
                           "--cache", "fragments", "--to", "eu-west-1", clients=clients_for(west))
    assert code == 2 and "cache 'fragments' is not a Global Datastore cache" in err


def test_a_missing_global_datastore_is_reported(capsys, project, west):
    west.globals_list(global_api("abcde-other-cache", gid_members()))
    code, _, err = run_failover(capsys, project, clients=clients_for(west))
    assert code == 2
    assert err == ("error: no Global Datastore with id suffix 'ops-sessions' found from "
                   "eu-west-1; has the stack been deployed?\n")


def test_the_current_primary_is_a_no_op(capsys, project, west):
    west.globals_list(global_api(GID, gid_members("eu-west-1")))
    code, out, _ = run_failover(capsys, project, clients=clients_for(west))
    assert code == 0
    assert out == ("ops-sessions-euw1 (eu-west-1) is already the primary of Global Datastore "
                   "ldgnf-ops-sessions; nothing changed\n")
    assert "FailoverGlobalReplicationGroup" not in west.operations


@pytest.mark.parametrize(("global_status", "member_status", "group_status", "message"), [
    ("modifying", "associated", None,
     "Global Datastore ldgnf-ops-sessions is modifying; a failover needs it available"),
    ("available", "associating", None,
     "ops-sessions-euw1 (eu-west-1) is associating in Global Datastore ldgnf-ops-sessions"),
    ("available", "associated", "deleting",
     "replication group ops-sessions-euw1 (eu-west-1) is deleting; it cannot become the "
     "primary"),
    ("available", "associated", "creating",
     "replication group ops-sessions-euw1 (eu-west-1) is creating; it cannot become the "
     "primary"),
    ("available", "associated", "create-failed",
     "replication group ops-sessions-euw1 (eu-west-1) is create-failed; it cannot become the "
     "primary"),
])
def test_a_busy_global_datastore_is_not_failed_over(capsys, project, west, global_status,
                                                    member_status, group_status, message):
    west.globals_list(global_api(GID, gid_members(west_status=member_status), status=global_status))
    if group_status is not None:
        west.group(rg_api(SECONDARY, "eu-west-1", status=group_status))
    code, _, err = run_failover(capsys, project, clients=clients_for(west))
    assert code == 2 and message in err
    assert "FailoverGlobalReplicationGroup" not in west.operations


@pytest.mark.parametrize("group_status", ["modifying", "snapshotting"])
def test_a_secondary_busy_with_its_own_change_is_still_promoted(capsys, project, east, west,
                                                                group_status):
    # "Promotion is allowed anytime, even if other modifications are in progress": in a
    # regional outage the runbook must not wait for the secondary's backup to finish.
    stub_failover(east, west, group_status=group_status)
    code, out, err = run_failover(capsys, project, *FAST, clients=clients_for(east, west))
    assert (code, err) == (0, "")
    west.done()
    assert west.operations.count("FailoverGlobalReplicationGroup") == 1
    assert (f"note: replication group ops-sessions-euw1 (eu-west-1) is {group_status}; "
            "promotion is allowed during other changes, and AWS decides") in out


def test_aws_refusing_the_failover_is_one_line(capsys, project, west):
    west.globals_list(global_api(GID, gid_members()))
    west.group(rg_api(SECONDARY, "eu-west-1"))
    west.stubber.add_client_error("failover_global_replication_group",
                                  "InvalidGlobalReplicationGroupState",
                                  "The Global Datastore is not in a valid state.")
    code, out, err = run_failover(capsys, project, *FAST, clients=clients_for(west))
    assert code == 2
    assert err == ("error: AWS refused FailoverGlobalReplicationGroup "
                   "(InvalidGlobalReplicationGroupState): The Global Datastore is not in a "
                   "valid state.\n")
    assert "  [" not in out                                 # no waiting after a refusal


def test_a_failover_that_does_not_finish_times_out_clearly(capsys, project, west):
    west.globals_list(global_api(GID, gid_members()))
    west.group(rg_api(SECONDARY, "eu-west-1"))
    west.stubber.add_response("failover_global_replication_group",
                              {"GlobalReplicationGroup": global_api(GID, gid_members())})
    west.global_by_id(global_api(GID, gid_members(), status="modifying"))
    code, out, err = run_failover(capsys, project, "--poll-interval", "0", "--timeout", "0",
                               clients=clients_for(west))
    assert code == 2
    west.done()
    assert err.startswith("error: timed out after 0s: eu-west-1 has not become the primary of "
                          "ldgnf-ops-sessions; AWS may still complete the failover")
    assert out.count("  [") == 1


def test_a_poll_that_fails_after_the_failover_started_says_the_change_was_accepted(
        capsys, project, west):
    # Exit 2 otherwise means nothing changed; here the failover is running in AWS.
    west.globals_list(global_api(GID, gid_members()))
    west.group(rg_api(SECONDARY, "eu-west-1"))
    west.stubber.add_response("failover_global_replication_group",
                              {"GlobalReplicationGroup": global_api(GID, gid_members())})
    west.stubber.add_client_error("describe_global_replication_groups", "Throttling",
                                  "Rate exceeded")
    code, _, err = run_failover(capsys, project, *FAST, clients=clients_for(west))
    assert code == 2
    assert err.startswith("error: stopped waiting, a status poll failed (AWS refused "
                          "DescribeGlobalReplicationGroups (Throttling): Rate exceeded); the "
                          "change was accepted: eu-west-1 has not become the primary of "
                          "ldgnf-ops-sessions; AWS may still complete the failover")


def test_a_retried_failover_that_aws_then_refuses_may_have_been_accepted(capsys, project, west):
    """botocore retries a FailoverGlobalReplicationGroup whose answer was lost (read timeout,
    5xx); the retry meets the failover the first attempt started. Exit 2 must not read as
    'AWS refused, nothing changed'."""
    west.globals_list(global_api(GID, gid_members()))
    west.group(rg_api(SECONDARY, "eu-west-1"))
    west.stubber.add_client_error("failover_global_replication_group",
                                  "InvalidGlobalReplicationGroupState",
                                  "The Global Datastore is not in a valid state.",
                                  response_meta={"RetryAttempts": 1})
    code, _, err = run_failover(capsys, project, *FAST, clients=clients_for(west))
    assert code == 2
    assert "may have been accepted" in err
    assert err.endswith("Check with `python -m ops status --stack ops` before trying again\n")


def test_the_failover_waits_until_the_new_primary_is_the_only_primary(capsys, project, east,
                                                                      west):
    # Right after the call the Global Datastore can still be `available` with the old roles,
    # and mid-switch report no primary: neither is a completed failover.
    no_primary = [(group, region, "SECONDARY", status)
                  for group, region, _, status in gid_members()]
    stub_failover(east, west, polls=(global_api(GID, gid_members()),
                                      global_api(GID, no_primary)))

    code, out, err = run_failover(capsys, project, *FAST, clients=clients_for(east, west))

    assert (code, err) == (0, "")
    west.done()
    progress = [line for line in out.splitlines() if line.startswith("  [")]
    assert len(progress) == 3
    assert "available: us-east-1 ops-sessions: PRIMARY (associated)" in progress[0]
    assert "eu-west-1 ops-sessions-euw1: PRIMARY (associated)" in progress[2]


def test_a_secondary_group_that_is_gone_is_not_promoted(capsys, project, west):
    west.globals_list(global_api(GID, gid_members()))
    west.stubber.add_client_error("describe_replication_groups", "ReplicationGroupNotFoundFault",
                                  "ReplicationGroup ops-sessions-euw1 not found.",
                                  http_status_code=404)
    code, _, err = run_failover(capsys, project, clients=clients_for(west))
    assert code == 2
    assert err == "error: replication group ops-sessions-euw1 not found in eu-west-1\n"
    assert "FailoverGlobalReplicationGroup" not in west.operations


def test_a_global_datastore_that_disappears_while_failing_over_stops_the_wait(capsys, project,
                                                                             west):
    stub_ready_to_fail_over(west)
    west.stubber.add_response("failover_global_replication_group",
                              {"GlobalReplicationGroup": global_api(GID, gid_members())})
    west.stubber.add_client_error("describe_global_replication_groups",
                                  "GlobalReplicationGroupNotFoundFault", "not found",
                                  http_status_code=404)
    code, out, err = run_failover(capsys, project, *FAST, clients=clients_for(west))
    assert code == 2
    west.done()
    assert "Global Datastore ldgnf-ops-sessions disappeared while failing over" in err
    assert "failover complete" not in out


class _Unreachable:
    """An elasticache client of a region that cannot be reached at all."""

    def __getattr__(self, operation):
        def call(**_):
            raise EndpointConnectionError(endpoint_url="https://elasticache.us-east-1.amazonaws.com/")
        return call


@pytest.mark.parametrize(("old_primary", "endpoint", "reader"), [
    ("not-found", "(not found)", "(not found)"),
    ("unreachable", "(unreachable)", "(unreachable)"),
    ("no-endpoint", "(no endpoint)", "(no endpoint)"),
])
def test_the_client_changes_name_what_is_known_of_the_old_primary(capsys, project, east, west,
                                                                  old_primary, endpoint, reader):
    stub_ready_to_fail_over(west)
    west.stubber.add_response("failover_global_replication_group",
                              {"GlobalReplicationGroup": global_api(GID, gid_members())})
    west.global_by_id(global_api(GID, gid_members("eu-west-1")))
    old_client = east.client
    if old_primary == "not-found":
        east.stubber.add_client_error("describe_replication_groups",
                                      "ReplicationGroupNotFoundFault", "not found",
                                      http_status_code=404)
    elif old_primary == "unreachable":
        old_client = _Unreachable()
    else:
        east.group(without_endpoints(rg_api(PRIMARY, "us-east-1")))
    clients = make_clients({("elasticache", "us-east-1"): old_client,
                            ("elasticache", "eu-west-1"): west.client})

    code, out, err = run_failover(capsys, project, *FAST, clients=clients)

    assert (code, err) == (0, "")
    assert f"ops-sessions in us-east-1 ({endpoint}) becomes a read-only secondary" in out
    assert f"their own region (us-east-1: {reader}; eu-west-1: " in out


def test_failing_back_to_the_stacks_own_region_says_so(capsys, project, east, west):
    east.globals_list(global_api(GID, gid_members("eu-west-1")))
    east.group(rg_api(PRIMARY, "us-east-1", global_id=GID, role="SECONDARY"))
    east.stubber.add_response(
        "failover_global_replication_group",
        {"GlobalReplicationGroup": global_api(GID, gid_members("eu-west-1"))},
        {"GlobalReplicationGroupId": GID, "PrimaryRegion": "us-east-1",
         "PrimaryReplicationGroupId": PRIMARY})
    east.global_by_id(global_api(GID, gid_members()))
    west.group(rg_api(SECONDARY, "eu-west-1", global_id=GID, role="SECONDARY"))

    code, out, err = run_ops(capsys, "failover", "--stack", "ops", "--project-dir",
                             str(project), "--cache", "sessions", "--to", "us-east-1", *FAST,
                             clients=clients_for(east, west))

    assert (code, err) == (0, "")
    east.done()
    assert "  - the primary is back in the stack's own region (us-east-1)" in out
    # The connection secrets name the configured primary, which is the primary again.
    assert "connection secrets" not in out
    assert "verify --stack ops` reports it until you fail back" not in out


def test_a_cache_without_connection_secrets_gets_no_secret_advice(capsys, project, east, west):
    write_stack(project, "ops", {"sessions": {**GLOBAL_SESSIONS, "secret": False}})
    stub_failover(east, west)
    code, out, err = run_failover(capsys, project, *FAST, clients=clients_for(east, west))
    assert (code, err) == (0, "")
    assert "failover complete" in out
    assert "connection secrets" not in out


def test_skip_dns_on_a_stack_without_dns_says_nothing_of_dns(capsys, project, east, west):
    stub_failover(east, west)
    code, out, err = run_failover(capsys, project, *FAST, "--skip-dns",
                                  clients=clients_for(east, west))
    assert (code, err) == (0, "")
    assert "DNS" not in out


def test_a_global_datastore_reporting_no_primary_is_planned_as_such(capsys, project, west):
    # e.g. the old primary's region lost from the member list in an outage
    west.globals_list(global_api(GID, gid_members()[1:]))
    west.group(rg_api(SECONDARY, "eu-west-1", global_id=GID, role="SECONDARY"))

    code, out, _ = run_failover(capsys, project, "--dry-run", clients=clients_for(west))

    assert code == 0
    assert "promote ops-sessions-euw1 (eu-west-1) to primary; the primary now is no primary" \
        in out
    assert "becomes a read-only secondary" not in out
