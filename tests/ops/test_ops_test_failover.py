"""`test-failover` (one shard): TestFailover, then the shard's primary moving.

moto implements neither TestFailover nor the events it logs, so these tests put botocore's
Stubber in front of the elasticache client as test_ops_failover.py does; TestFailover is
expected with its exact parameters.
"""

from __future__ import annotations

import pytest

from tests.ops.support import (
    FAST,
    PROD_SESSIONS,
    clients_for,
    endpoint_of,
    rg_api,
    run_ops,
    write_failover_project,
    write_stack,
)


@pytest.fixture
def project(tmp_path):
    return write_failover_project(tmp_path)


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
    assert "modifying; shard 0001 primary: local-sessions-001\n" in out      # no events yet
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
    # The long form after the short one, no recovery yet: the old primary is the long form's.
    ([CALLED, SHORT_FORM, _failed_over("0001", 2)],
     "local-sessions-0001-001 is still being recovered as a replica"),
    # Only the short form, and the old primary's recovery started (not finished).
    ([CALLED, SHORT_FORM, ("local-sessions-0001-001", "Recovering cache nodes 0001", 2)],
     "local-sessions-0001-001 is still being recovered as a replica"),
    # The old primary's recovery from before this failover is not this one's.
    ([("local-sessions-0001-001", "Finished recovery for cache nodes 0001", -1), CALLED,
      _failed_over("0001", 1)],
     "local-sessions-0001-001 is still being recovered as a replica"),
    # Another shard's TestFailover called after this one's does not hide this shard's failover.
    ([CALLED, _failed_over("0001", 1),
      ("local-sessions", "Test Failover API called for node group 0002", 2)],
     "local-sessions-0001-001 is still being recovered as a replica"),
], ids=["short-form-first", "short-form-only", "long-form-no-recovery", "recovery-started",
        "earlier-recovery", "other-shard-called-later"])
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


def test_a_failover_event_naming_no_old_primary_says_the_old_primary(capsys, project, east):
    _start_cluster_failover(project, east)
    east.events(CALLED, SHORT_FORM)

    code, out, _ = _test_failover(capsys, project, *FAST, clients=clients_for(east))

    assert code == 0
    assert "primary moved from the old primary to local-sessions-0001-002" in out
    assert ("the old primary is still being recovered as a replica; before testing another "
            "shard of local-sessions, wait for its event \"Finished recovery for cache nodes\" "
            "(aws elasticache describe-events --source-type cache-cluster)\n") in out


def _without_roles(group: dict) -> dict:
    for member in group["NodeGroups"][0]["NodeGroupMembers"]:
        member.pop("CurrentRole")
    return group


def test_test_failover_is_done_when_available_with_the_primary_moved(capsys, project, east):
    # Roles can move before the group is available again, and a poll can report no roles:
    # neither ends the wait.
    east.group(rg_api("local-sessions", "us-east-1"))
    east.stubber.add_response("test_failover",
                              {"ReplicationGroup": rg_api("local-sessions", "us-east-1")})
    for group in (rg_api("local-sessions", "us-east-1", status="modifying", primary=1),
                  _without_roles(rg_api("local-sessions", "us-east-1")),
                  rg_api("local-sessions", "us-east-1", primary=1)):
        east.group(group)
        east.events()

    code, out, err = _test_failover(capsys, project, *FAST, clients=clients_for(east))

    assert (code, err) == (0, "")
    east.done()
    assert [line.split("] ", 1)[1] for line in out.splitlines() if line.startswith("  [")] == [
        "modifying; shard 0001 primary: local-sessions-002",
        "available; shard 0001 primary: not reported",
        "available; shard 0001 primary: local-sessions-002"]
    assert "primary moved from local-sessions-001 to local-sessions-002" in out


@pytest.mark.parametrize(("group", "message"), [
    (rg_api("local-sessions", "us-east-1", nodes=1),
     "shard 0001 of local-sessions has no replica to fail over to"),
    ({**rg_api("local-sessions", "us-east-1"), "NodeGroups": []},
     "replication group local-sessions reports no shards"),
    (rg_api("local-sessions", "us-east-1", status="modifying"),
     "replication group local-sessions is modifying; a test failover needs it available"),
], ids=["single-node-shard", "no-shards", "not-available"])
def test_a_live_group_that_cannot_fail_over_is_not_tested(capsys, project, east, group,
                                                          message):
    east.group(group)
    code, _, err = _test_failover(capsys, project, clients=clients_for(east))
    assert (code, err) == (2, f"error: {message}\n")
    assert "TestFailover" not in east.operations


def test_an_unknown_shard_is_refused_naming_every_shard(capsys, project, east):
    write_stack(project, "local", {"sessions": {**PROD_SESSIONS, "shards": 2, "replicas": 1}})
    east.group(_cluster_rg("local-sessions"))
    code, _, err = _test_failover(capsys, project, "--shard", "0003", clients=clients_for(east))
    assert code == 2
    assert err.endswith("has no shard '0003'; its shards: 0001, 0002\n")


def test_a_group_that_disappears_during_the_test_failover_stops_the_wait(capsys, project, east):
    east.group(rg_api("local-sessions", "us-east-1"))
    east.stubber.add_response("test_failover",
                              {"ReplicationGroup": rg_api("local-sessions", "us-east-1")})
    east.stubber.add_client_error("describe_replication_groups", "ReplicationGroupNotFoundFault",
                                  "not found", http_status_code=404)
    code, out, err = _test_failover(capsys, project, *FAST, clients=clients_for(east))
    assert code == 2
    assert "replication group local-sessions disappeared during the test failover" in err
    assert "test failover complete" not in out


def test_a_malformed_date_header_falls_back_to_this_machines_clock():
    from datetime import UTC, datetime, timedelta

    from ops import shard_failover

    now = shard_failover._aws_now({"ResponseMetadata": {"HTTPHeaders": {"date": "not a date"}}})
    assert abs(now - datetime.now(UTC)) < timedelta(minutes=1)


def test_the_old_primary_is_the_node_recovered_after_the_failover(capsys, project, east):
    # Two replicas a shard: the third node's events (a recovery from an earlier test, a backup
    # taken from it) do not make it the old primary.
    write_stack(project, "local", {"sessions": {**PROD_SESSIONS, "shards": 2, "replicas": 2}})
    group = _cluster_rg("local-sessions")
    for node_group in group["NodeGroups"]:
        node_group["NodeGroupMembers"].append(
            {"CacheClusterId": f"local-sessions-{node_group['NodeGroupId']}-003",
             "CacheNodeId": "0001"})
    group["MemberClusters"] = [m["CacheClusterId"] for ng in group["NodeGroups"]
                               for m in ng["NodeGroupMembers"]]
    east.group(group)
    east.stubber.add_response("test_failover", {"ReplicationGroup": group})
    east.group(group)
    east.events(("local-sessions-0001-003", "Recovering cache nodes 0001", -2), CALLED,
                SHORT_FORM,
                ("local-sessions-0001-003", "Snapshot succeeded for snapshot with ID 'nightly'",
                 2),
                ("local-sessions-0001-001", "Recovering cache nodes 0001", 3))

    code, out, _ = _test_failover(capsys, project, *FAST, clients=clients_for(east))

    assert code == 0
    assert "primary moved from local-sessions-0001-001 to local-sessions-0001-002" in out
    assert "local-sessions-0001-001 is still being recovered as a replica" in out
