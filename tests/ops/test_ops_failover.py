"""`failover` (Global Datastore) and `test-failover` (one shard).

moto implements neither DescribeGlobalReplicationGroups, FailoverGlobalReplicationGroup nor
TestFailover, so these tests put botocore's Stubber in front of the elasticache clients; the
responses use the service model's fields (Stubber rejects anything else) and each mutating
call is expected with its exact parameters. Everything runs under mock_aws as well, so a call
that escaped the stubs could never reach AWS.
"""

from __future__ import annotations

import pytest

from tests.ops.support import (
    FAST,
    FRAGMENTS,
    GID,
    GLOBAL_SESSIONS,
    PRIMARY,
    PROD_SESSIONS,
    SECONDARY,
    clients_for,
    endpoint_of,
    gid_members,
    global_api,
    rg_api,
    run_failover,
    run_ops,
    stub_failover,
    stub_ready_to_fail_over,
    write_stack,
)


@pytest.fixture
def project(tmp_path):
    write_stack(tmp_path, "ops", {"sessions": GLOBAL_SESSIONS, "fragments": FRAGMENTS})
    write_stack(tmp_path, "local", {"sessions": PROD_SESSIONS})
    write_stack(tmp_path, "dev", {"sessions": {"node_type": "cache.t4g.micro", "replicas": 0}},
                profile="development")
    return tmp_path


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
    assert "connection secrets: their writer_host still names ops-sessions in us-east-1, " \
           "which takes no writes now; apps that read it must use the endpoint above until you " \
           "fail back\n" in out


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


# ---------------------------------------------------------------------------------------------
# test-failover
# ---------------------------------------------------------------------------------------------
def _test_failover(capsys, project, *extra, stack="local", clients):
    return run_ops(capsys, "test-failover", "--stack", stack, "--project-dir", str(project),
                   "--cache", "sessions", *extra, clients=clients)


def test_test_failover_moves_the_shard_primary(capsys, project, east):
    east.group(rg_api("local-sessions", "us-east-1"))
    east.stubber.add_response(
        "test_failover",
        {"ReplicationGroup": rg_api("local-sessions", "us-east-1")},
        {"ReplicationGroupId": "local-sessions", "NodeGroupId": "0001"})
    east.group(rg_api("local-sessions", "us-east-1"))                    # not started yet
    east.events()
    east.group(rg_api("local-sessions", "us-east-1", status="modifying"))
    east.events()
    east.group(rg_api("local-sessions", "us-east-1", primary=1))
    east.events()

    code, out, err = _test_failover(capsys, project, *FAST, clients=clients_for(east))

    assert (code, err) == (0, "")
    east.done()
    assert "modifying; shard 0001 primary: local-sessions-001" in out
    assert "test failover complete: shard 0001 primary moved from local-sessions-001 to " \
           "local-sessions-002" in out


def _cluster_rg(group_id: str, shards: int = 2) -> dict:
    """A cluster-mode group: DescribeReplicationGroups reports no node roles there."""
    group = rg_api(group_id, "us-east-1")
    group.update(ClusterEnabled=True, ClusterMode="enabled",
                 ConfigurationEndpoint={"Address": endpoint_of(group_id, "us-east-1", "clustercfg"),
                                        "Port": 6379})
    group["NodeGroups"] = [
        {"NodeGroupId": f"{shard:04d}", "Status": "available",
         "NodeGroupMembers": [{"CacheClusterId": f"{group_id}-{shard:04d}-{node:03d}",
                               "CacheNodeId": "0001"} for node in (1, 2)]}
        for shard in range(1, shards + 1)]
    group["MemberClusters"] = [m["CacheClusterId"] for ng in group["NodeGroups"]
                               for m in ng["NodeGroupMembers"]]
    return group


CALLED = ("local-sessions", "Test Failover API called for node group 0001", 0)


def _failed_over(shard: str, minutes: int) -> tuple[str, str, int]:
    return ("local-sessions", f"Failover from primary node local-sessions-{shard}-001 to replica "
            f"node local-sessions-{shard}-002 completed", minutes)


def _start_cluster_failover(project, east) -> dict:
    """A two-shard `local` stack, its live group, the TestFailover call on shard 0001 and the
    first poll's group; the test adds that poll's events."""
    write_stack(project, "local", {"sessions": {**PROD_SESSIONS, "shards": 2, "replicas": 1}})
    group = _cluster_rg("local-sessions")
    east.group(group)
    east.stubber.add_response("test_failover", {"ReplicationGroup": group},
                              {"ReplicationGroupId": "local-sessions", "NodeGroupId": "0001"})
    east.group(group)
    return group


def test_test_failover_in_cluster_mode_completes_on_the_failover_event(capsys, project, east):
    # The group stays `available` and reports no roles: only the events tell the failover done.
    group = _start_cluster_failover(project, east)
    east.events(CALLED)
    east.group(group)
    east.events(CALLED, _failed_over("0001", 1),
                ("local-sessions-0001-001", "Recovering cache nodes 0001", 2))

    code, out, err = _test_failover(capsys, project, *FAST, clients=clients_for(east))

    assert (code, err) == (0, "")
    east.done()
    assert "available; shard 0001 primary: not reported; last event: Test Failover API called " \
           "for node group 0001" in out
    assert "test failover complete: shard 0001 primary moved from local-sessions-0001-001 to " \
           "local-sessions-0001-002" in out
    assert ("local-sessions-0001-001 is still being recovered as a replica; before testing "
            "another shard of local-sessions, wait for its event \"Finished recovery for cache "
            "nodes\"") in out


def test_test_failover_reports_the_old_primary_recovered(capsys, project, east):
    _start_cluster_failover(project, east)
    east.events(("local-sessions-0001-001", "Finished recovery for cache nodes 0001", 3),
                _failed_over("0001", 1), CALLED)

    code, out, _ = _test_failover(capsys, project, *FAST, clients=clients_for(east))

    assert code == 0
    assert "local-sessions-0001-001 has been recovered as a replica" in out
    assert "still being recovered" not in out


@pytest.mark.parametrize("events", [
    # another shard's failover
    [CALLED, _failed_over("0002", 1)],
    # a failover of this shard before the latest TestFailover call (an earlier test)
    [("local-sessions", "Test Failover API called for node group 0001", -3),
     _failed_over("0001", -2), CALLED],
], ids=["other-shard", "earlier-test"])
def test_test_failover_waits_for_its_own_shard_and_call(capsys, project, east, events):
    _start_cluster_failover(project, east)
    east.events(*events)

    code, _, err = _test_failover(capsys, project, "--poll-interval", "0", "--timeout", "0",
                                  clients=clients_for(east))

    assert code == 2
    assert err == ("error: timed out after 0s: shard 0001 of local-sessions has not finished "
                   "failing over; check with `python -m ops status --stack local` and the "
                   "group's events\n")


def test_test_failover_of_a_cache_without_replicas_is_refused(capsys, project, east):
    code, _, err = _test_failover(capsys, project, stack="dev", clients=clients_for(east))
    assert code == 2
    assert err == ("error: cache 'sessions' has no replica (replicas: 0) and so no automatic "
                   "failover to test\n")
    assert east.operations == []


def test_test_failover_of_an_unknown_shard_is_refused(capsys, project, east):
    east.group(rg_api("local-sessions", "us-east-1"))
    code, _, err = _test_failover(capsys, project, "--shard", "0002", clients=clients_for(east))
    assert code == 2
    assert err == ("error: replication group local-sessions has no shard '0002'; its shards: "
                   "0001\n")
    assert "TestFailover" not in east.operations


def test_test_failover_needs_automatic_failover_live(capsys, project, east):
    east.group(rg_api("local-sessions", "us-east-1", automatic_failover="disabled"))
    code, _, err = _test_failover(capsys, project, clients=clients_for(east))
    assert code == 2 and "automatic failover is disabled on local-sessions" in err
    assert "TestFailover" not in east.operations


def test_test_failover_of_memcached_is_refused(capsys, project, east):
    code, _, err = run_ops(capsys, "test-failover", "--stack", "ops", "--project-dir",
                           str(project), "--cache", "fragments", clients=clients_for(east))
    assert code == 2 and "Memcached, which has no replicas" in err
    assert east.operations == []


@pytest.mark.parametrize("message, old", [
    ("Failover from master node g-0001-001 to replica node g-0001-002 completed", "g-0001-001"),
    ("Failover to replica node g-0001-002 completed", None),
])
def test_the_failover_event_is_read_in_its_older_wordings(message, old):
    from datetime import UTC, datetime

    from ops import live, shard_failover

    event = live.Event(source="g", message=message, date=datetime.now(UTC))
    moved = shard_failover._failed_over([event], "g", "0001", ("g-0001-001", "g-0001-002"))
    assert moved is not None and (moved.old, moved.new) == (old, "g-0001-002")


SHORT_FORM = ("local-sessions", "Failover to replica node local-sessions-0001-002 completed", 1)


@pytest.mark.parametrize(("events", "recovery"), [
    # The order AWS logged in a real cluster-mode test failover: the short form without the
    # old primary first, the long form after it, then the old primary's recovery.
    ([CALLED, SHORT_FORM, _failed_over("0001", 2),
      ("local-sessions-0001-001", "Recovering cache nodes 0001", 3)],
     "local-sessions-0001-001 is still being recovered as a replica"),
    # Without the long form, the node being recovered is the old primary.
    ([CALLED, SHORT_FORM, ("local-sessions-0001-001", "Recovering cache nodes 0001", 2),
      ("local-sessions-0001-001", "Finished recovery for cache nodes 0001", 3)],
     "local-sessions-0001-001 has been recovered as a replica"),
], ids=["short-form-first", "short-form-only"])
def test_the_old_primary_is_found_from_either_event_form(capsys, project, east, events,
                                                         recovery):
    _start_cluster_failover(project, east)
    east.events(*events)

    code, out, _ = _test_failover(capsys, project, *FAST, clients=clients_for(east))

    assert code == 0
    assert "primary moved from local-sessions-0001-001 to local-sessions-0001-002" in out
    assert recovery in out


def test_events_are_read_from_aws_clock_not_this_machines(capsys, project, east):
    # This machine's clock may run ahead: StartTime comes from the TestFailover response's
    # Date header, less a minute, so AWS's own filter never hides the failover's events.
    from datetime import UTC, datetime

    write_stack(project, "local", {"sessions": {**PROD_SESSIONS, "shards": 2, "replicas": 1}})
    group = _cluster_rg("local-sessions")
    east.group(group)
    east.stubber.add_response(
        "test_failover",
        {"ReplicationGroup": group,
         "ResponseMetadata": {"HTTPHeaders": {"date": "Sun, 06 Dec 2026 10:00:00 GMT"},
                              "HTTPStatusCode": 200, "RequestId": "r", "RetryAttempts": 0}},
        {"ReplicationGroupId": "local-sessions", "NodeGroupId": "0001"})
    east.group(group)
    east.stubber.add_response(
        "describe_events",
        {"Events": [{"SourceIdentifier": "local-sessions", "Message": message,
                     "Date": datetime(2026, 12, 6, 10, 0, 30, tzinfo=UTC)}
                    for message in ("Test Failover API called for node group 0001",
                                    "Failover to replica node local-sessions-0001-002 "
                                    "completed")]},
        {"StartTime": datetime(2026, 12, 6, 9, 59, tzinfo=UTC)})

    code, out, err = _test_failover(capsys, project, *FAST, clients=clients_for(east))

    assert (code, err) == (0, "")
    east.done()


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
