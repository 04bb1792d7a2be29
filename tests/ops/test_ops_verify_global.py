"""`verify` of a Global Datastore cache: ElastiCache through Stubber
(DescribeGlobalReplicationGroups is not in moto), CloudWatch alarms through moto."""

from __future__ import annotations

import boto3
import pytest

from tests.ops.support import (
    GID,
    GLOBAL_SESSIONS,
    cache_of,
    clients_for,
    deploy_alarms,
    global_api,
    load,
    rg_api,
    run_ops,
    write_stack,
)


def _verify(capsys, project, clients):
    return run_ops(capsys, "verify", "--stack", "ops", "--project-dir", str(project),
                   clients=clients)


def _cw(region: str = "us-east-1"):
    return boto3.client("cloudwatch", region_name=region)


def test_global_datastore_after_a_failover_and_with_a_short_secondary(capsys, tmp_path, east,
                                                                       west):
    _global_stack_with_alarms(tmp_path)
    _east_a_secondary_of(east, ("ops-sessions-euw1", "eu-west-1", "PRIMARY", "associated"),
                         ("ops-sessions-apse2", "ap-southeast-2", "SECONDARY", "associated"))
    west.group(rg_api("ops-sessions-euw1", "eu-west-1", nodes=2))

    code, out, _ = _verify(capsys, tmp_path, clients_for(east, west))

    east.done()
    west.done()
    assert code == 1
    assert out.splitlines() == [
        "sessions: ops-sessions-apse2 (ap-southeast-2) is a member of Global Datastore "
        "ldgnf-ops-sessions but not in the config",
        "sessions: the Global Datastore primary is ops-sessions-euw1 (eu-west-1), the config "
        "expects us-east-1; fail back with `python -m ops failover --stack ops --cache sessions "
        "--to us-east-1`",
        "sessions: ops-sessions-euw1 (eu-west-1) has 2 nodes, the config says 3 (1 shard(s) x "
        "(1 + 2 replicas))",
    ]


def test_global_datastore_that_is_missing(capsys, tmp_path, east):
    write_stack(tmp_path, "ops", {"sessions": GLOBAL_SESSIONS})
    deploy_alarms(_cw(), cache_of(load(tmp_path, "ops"), "sessions"))
    east.group(rg_api("ops-sessions", "us-east-1"))
    east.globals_list(global_api("ldgnf-ops-sessions-2", []))   # suffix differs: not ours
    code, out, err = _verify(capsys, tmp_path, clients_for(east))
    assert (code, err) == (1, "2 deviations from the config of stack 'ops'\n")
    assert out.splitlines() == [
        "sessions: no Global Datastore with id suffix 'ops-sessions' found; the config declares "
        "members in us-east-1, eu-west-1",
        "sessions: no CloudWatch alarms named managed-cache/ops-sessions/* in eu-west-1 "
        "(replication lag of the secondary)",
    ]


def test_a_global_datastore_that_is_busy_and_without_a_primary_is_named(capsys, tmp_path, east,
                                                                        west):
    _global_stack_with_alarms(tmp_path)
    _east_a_secondary_of(east, ("ops-sessions-euw1", "eu-west-1", "SECONDARY", "associating"),
                         status="modifying")
    west.group(rg_api("ops-sessions-euw1", "eu-west-1"))

    code, out, _ = _verify(capsys, tmp_path, clients_for(east, west))

    assert code == 1
    assert out.splitlines() == [
        "sessions: Global Datastore ldgnf-ops-sessions is modifying, expected available",
        "sessions: ops-sessions-euw1 (eu-west-1) is associating in Global Datastore "
        "ldgnf-ops-sessions, expected associated",
        "sessions: Global Datastore ldgnf-ops-sessions has no primary member",
    ]


@pytest.mark.parametrize(("west_member", "west_group", "lines"), [
    (None, None, ["replication group ops-sessions-euw1 not found in eu-west-1"]),
    (("someone-elses-group", "eu-west-1", "SECONDARY", "associated"),
     rg_api("ops-sessions-euw1", "eu-west-1", status="modifying"),
     ["ops-sessions-euw1 (eu-west-1) status is modifying, expected available"]),
], ids=["no-member", "another-group"])
def test_a_configured_secondary_that_is_not_the_member_is_named(capsys, tmp_path, east, west,
                                                                west_member, west_group, lines):
    _global_stack_with_alarms(tmp_path)
    east.group(rg_api("ops-sessions", "us-east-1", global_id=GID, role="PRIMARY"))
    members = [("ops-sessions", "us-east-1", "PRIMARY", "associated")]
    east.globals_list(global_api(GID, members + ([west_member] if west_member else [])))
    if west_group is None:
        west.stubber.add_client_error("describe_replication_groups",
                                      "ReplicationGroupNotFoundFault", "not found",
                                      http_status_code=404)
    else:
        west.group(west_group)

    code, out, _ = _verify(capsys, tmp_path, clients_for(east, west))

    assert code == 1
    assert out.splitlines() == [f"sessions: {line}" for line in [
        "ops-sessions-euw1 (eu-west-1) is not a member of Global Datastore ldgnf-ops-sessions",
        *lines]]


def _global_stack_with_alarms(root) -> None:
    """The `ops` stack with the Global Datastore cache, deployed with its alarms in both
    regions (the secondary's on its one member)."""
    write_stack(root, "ops", {"sessions": GLOBAL_SESSIONS})
    sessions = cache_of(load(root, "ops"), "sessions")
    deploy_alarms(_cw(), sessions)
    deploy_alarms(_cw("eu-west-1"), sessions, members=["ops-sessions-euw1-001"])


def _east_a_secondary_of(east, *others: tuple[str, str, str, str], **fields) -> None:
    """us-east-1's group as a secondary member of the Global Datastore, beside `others`."""
    east.group(rg_api("ops-sessions", "us-east-1", global_id=GID, role="SECONDARY"))
    east.globals_list(global_api(GID, [("ops-sessions", "us-east-1", "SECONDARY", "associated"),
                                       *others], **fields))
