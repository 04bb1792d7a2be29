"""`status`: moto for replication groups and Memcached; Stubber for a Global Datastore. Also
the live readers (ops/live.py) status shares with the other commands, on answers moto does not
give."""

from __future__ import annotations

import boto3
import pytest
from botocore.stub import Stubber

from ops import live
from ops.status import _group_row
from tests.ops import support


def _status(capsys, project, clients=None):
    return support.run_ops(capsys, "status", "--stack", "ops", "--project-dir", str(project),
                           clients=clients)


def _rows(out: str) -> dict[str, list[str]]:
    """Table rows by (cache, region), split into cells on runs of two or more spaces."""
    import re

    lines = out.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("CACHE"))
    rows = {}
    for line in lines[header + 1:]:
        cells = re.split(r"\s{2,}", line.strip())
        if len(cells) >= 5:
            rows[f"{cells[0]} {cells[1]}"] = cells
    return rows


def test_status_shows_each_cache_and_what_is_missing(capsys, tmp_path):
    support.write_stack(tmp_path, "ops", {"sessions": support.PROD_SESSIONS,
                                          "fragments": support.FRAGMENTS,
                                          "big": {"shards": 2, "replicas": 1}})
    spec = support.load(tmp_path, "ops")
    ec = boto3.client("elasticache", region_name="us-east-1")
    support.deploy_group(ec, support.cache_of(spec, "sessions"))
    support.deploy_memcached(ec, support.cache_of(spec, "fragments"))

    code, out, err = _status(capsys, tmp_path)

    assert (code, err) == (0, "")
    rows = _rows(out)
    sessions = rows["sessions us-east-1"]
    assert sessions[2:11] == ["-", "ops-sessions", "available", "valkey 8.1.0", "cache.r7g.large",
                              "3", "yes", "yes", "yes"]
    assert sessions[11].startswith("master.ops-sessions.") and sessions[11].endswith(":6379")
    assert rows["fragments us-east-1"][2:11] == ["-", "ops-fragments", "available",
                                                 "memcached 1.6.22", "cache.m7g.large", "3",
                                                 "n/a", "yes", "n/a"]
    assert rows["big us-east-1"][3:5] == ["ops-big", "not found"]


def test_status_of_a_global_datastore_lists_members_and_roles(capsys, tmp_path, east, west):
    support.write_stack(tmp_path, "ops", {"sessions": support.GLOBAL_SESSIONS})
    east.globals_list(support.global_api(support.GID, support.gid_members("eu-west-1")))
    west.group(support.rg_api(support.SECONDARY, "eu-west-1", global_id=support.GID,
                              role="PRIMARY"))
    east.group(support.rg_api(support.PRIMARY, "us-east-1", global_id=support.GID,
                              role="SECONDARY", status="modifying"))

    code, out, _ = _status(capsys, tmp_path, clients=support.clients_for(east, west))

    assert code == 0
    east.done()
    west.done()
    rows = _rows(out)
    assert list(rows) == ["sessions eu-west-1", "sessions us-east-1"]   # the primary first
    assert rows["sessions eu-west-1"][2:5] == ["PRIMARY", "ops-sessions-euw1", "available"]
    assert rows["sessions eu-west-1"][11] == (
        f"{support.endpoint_of('ops-sessions-euw1', 'eu-west-1')}:6379")
    assert rows["sessions us-east-1"][2:5] == ["SECONDARY", "ops-sessions", "modifying"]
    assert "sessions: Global Datastore ldgnf-ops-sessions is available; primary eu-west-1" in out


def test_status_reads_the_datastore_holding_the_stacks_groups(capsys, tmp_path, east, west):
    """Another stack's Global Datastore with the same suffix (its primary in eu-west-1, so
    another AWS prefix) is listed first; the one holding this stack's groups is reported."""
    support.write_stack(tmp_path, "ops", {"sessions": support.GLOBAL_SESSIONS})
    east.globals_list(
        support.global_api("qwert-ops-sessions", [
            ("ops-sessions", "eu-west-1", "PRIMARY", "associated"),
            ("ops-sessions-use1", "us-east-1", "SECONDARY", "associated")]),
        support.global_api(support.GID, support.gid_members()))
    east.group(support.rg_api(support.PRIMARY, "us-east-1", global_id=support.GID,
                              role="PRIMARY"))
    west.group(support.rg_api(support.SECONDARY, "eu-west-1", global_id=support.GID,
                              role="SECONDARY"))

    code, out, _ = _status(capsys, tmp_path, clients=support.clients_for(east, west))

    assert code == 0
    east.done()
    west.done()
    rows = _rows(out)
    assert rows["sessions us-east-1"][2:4] == ["PRIMARY", "ops-sessions"]
    assert rows["sessions eu-west-1"][2:4] == ["SECONDARY", "ops-sessions-euw1"]
    assert "sessions: Global Datastore ldgnf-ops-sessions is available; primary us-east-1" in out


def test_status_survives_an_unreachable_secondary_region(capsys, tmp_path, east, west):
    support.write_stack(tmp_path, "ops", {"sessions": support.GLOBAL_SESSIONS})
    east.globals_list(support.global_api(support.GID, support.gid_members()))
    east.group(support.rg_api(support.PRIMARY, "us-east-1", global_id=support.GID,
                              role="PRIMARY"))
    _unavailable(west, "describe_replication_groups")

    code, out, _ = _status(capsys, tmp_path, clients=support.clients_for(east, west))

    assert code == 0
    assert list(_rows(out)) == ["sessions us-east-1", "sessions eu-west-1"]   # primary first
    west_row = _rows(out)["sessions eu-west-1"]
    assert west_row[4] == ("unreachable: AWS refused DescribeReplicationGroups "
                           "(InternalFailure): service unavailable")


def test_status_shows_rbac_for_a_group_with_users_instead_of_a_token():
    api = {**support.rg_api("ops-sessions", "us-east-1"), "AuthTokenEnabled": False,
           "UserGroupIds": ["ops-sessions-users"]}
    row = _group_row("sessions", "us-east-1", "-", "ops-sessions",
                     live.group_from_api("us-east-1", api, "8.1.0"))
    assert row[-2] == "RBAC"
    token = live.group_from_api("us-east-1", support.rg_api("ops-sessions", "us-east-1"),
                                "8.1.0")
    assert _group_row("sessions", "us-east-1", "-", "ops-sessions", token)[-2] == "yes"


def test_status_shows_a_serverless_cache_with_its_limits(capsys, tmp_path, east):
    support.write_stack(tmp_path, "ops", {"bursty": {
        "engine": "valkey", "serverless": {"max_data_gb": 10, "max_ecpu_per_second": 5000}}})
    east.serverless("ops-bursty", support.serverless_api("ops-bursty"))
    code, out, _ = _status(capsys, tmp_path, clients=support.clients_for(east))
    assert code == 0
    assert _rows(out)["bursty us-east-1"] == [
        "bursty", "us-east-1", "serverless", "ops-bursty", "available", "valkey 8", "-",
        "10 GB, 5000 ECPU/s", "yes", "yes", "RBAC",
        "ops-bursty-abc123.serverless.use1.cache.amazonaws.com:6379"]


def test_status_of_a_global_datastore_when_the_home_region_does_not_answer(capsys, tmp_path,
                                                                          east, west):
    """The outage a failover is for: every failover message points at `ops status`."""
    support.write_stack(tmp_path, "ops", {"sessions": support.GLOBAL_SESSIONS})
    _unavailable(east, "describe_global_replication_groups")
    west.globals_list(support.global_api(support.GID, support.gid_members("eu-west-1")))
    west.group(support.rg_api(support.SECONDARY, "eu-west-1", global_id=support.GID,
                              role="PRIMARY"))
    _unavailable(east, "describe_replication_groups")

    code, out, _ = _status(capsys, tmp_path, clients=support.clients_for(east, west))

    assert code == 0
    rows = _rows(out)
    assert list(rows) == ["sessions eu-west-1", "sessions us-east-1"]   # the primary first
    assert rows["sessions eu-west-1"][2:5] == ["PRIMARY", "ops-sessions-euw1", "available"]
    assert rows["sessions us-east-1"][4].startswith("unreachable: AWS refused")
    assert "sessions: us-east-1 did not answer: AWS refused DescribeGlobalReplicationGroups " \
           "(InternalFailure)" in out
    assert "sessions: Global Datastore ldgnf-ops-sessions is available; primary eu-west-1" in out


def test_status_fails_when_no_member_region_answers(capsys, tmp_path, east, west):
    support.write_stack(tmp_path, "ops", {"sessions": support.GLOBAL_SESSIONS})
    for region in (east, west):
        region.stubber.add_client_error("describe_global_replication_groups", "AccessDenied",
                                        "not allowed", http_status_code=403)

    code, _, err = _status(capsys, tmp_path, clients=support.clients_for(east, west))

    assert code == 2
    assert err.startswith("error: AWS refused DescribeGlobalReplicationGroups (AccessDenied)")


def _unavailable(region: support.Stubbed, operation: str) -> None:
    """The region's next `operation` answers 500, as during a regional outage."""
    region.stubber.add_client_error(operation, "InternalFailure", "service unavailable",
                                    http_status_code=500)
    no_token = live.group_from_api("us-east-1", {**support.rg_api("ops-sessions", "us-east-1"),
                                                 "AuthTokenEnabled": False}, "8.1.0")
    assert _group_row("sessions", "us-east-1", "-", "ops-sessions", no_token)[-2] == "no"


def test_table_columns_line_up_under_their_widest_cell():
    from ops.table import format_table

    assert format_table(["CACHE", "STATUS", "NODES"],
                        [["sessions", "available", "3"], ["big", "not found", ""]]) == (
        "CACHE     STATUS     NODES\n"
        "sessions  available  3\n"
        "big       not found")


@pytest.mark.parametrize(("enabled", "mode"), [(True, "enabled"), (False, "compatible")])
def test_a_cluster_mode_group_is_reached_through_its_configuration_endpoint(enabled, mode):
    # While a group moves to cluster mode ("compatible") it already has one: clients use it.
    address = "clustercfg.ops-big.ab12cd.use1.cache.amazonaws.com"
    api = {**support.rg_api("ops-big", "us-east-1"), "ClusterEnabled": enabled,
           "ClusterMode": mode, "ConfigurationEndpoint": {"Address": address, "Port": 6379}}
    group = live.group_from_api("us-east-1", api, "8.1.0")
    assert (group.endpoint, group.reader_endpoint) == (f"{address}:6379",) * 2


def test_a_group_listing_no_member_nodes_is_read_without_a_version(east):
    group = {**support.rg_api("ops-sessions", "us-east-1"), "MemberClusters": []}
    east.stubber.add_response("describe_replication_groups", {"ReplicationGroups": [group]},
                              {"ReplicationGroupId": "ops-sessions"})
    found = live.describe_group(support.clients_for(east), "us-east-1", "ops-sessions")
    east.done()
    assert found is not None and (found.engine, found.engine_version) == ("valkey", None)
    assert east.operations == ["DescribeReplicationGroups"]


def test_a_cache_without_backups_reads_as_zero_retention_days(east):
    # verify compares it with snapshot_retention_days: 0 must not read as a deviation.
    api = {**support.rg_api("ops-dev", "us-east-1"), "SnapshotRetentionLimit": 0}
    assert live.group_from_api("us-east-1", api, "8.1.0").snapshot_retention == 0
    east.serverless("ops-dev", support.serverless_api("ops-dev", SnapshotRetentionLimit=0))
    found = live.describe_serverless(support.clients_for(east), "us-east-1", "ops-dev")
    assert found is not None and found.snapshot_retention == 0


def test_a_memcached_cluster_is_reached_through_its_configuration_endpoint(east):
    address = "ops-fragments.ab12cd.cfg.use1.cache.amazonaws.com"
    east.stubber.add_response("describe_cache_clusters", {"CacheClusters": [{
        "CacheClusterId": "ops-fragments", "Engine": "memcached", "EngineVersion": "1.6.22",
        "CacheNodeType": "cache.m7g.large", "CacheClusterStatus": "available",
        "NumCacheNodes": 1, "ConfigurationEndpoint": {"Address": address, "Port": 11211},
        "CacheNodes": [{"CacheNodeId": "0001", "CacheNodeStatus": "available"}]}]},
        {"CacheClusterId": "ops-fragments", "ShowCacheNodeInfo": True})
    found = live.describe_memcached(support.clients_for(east), "us-east-1", "ops-fragments")
    assert found is not None and found.endpoint == f"{address}:11211"


def test_alarms_are_listed_by_prefix_composite_alarms_included():
    # DescribeAlarms returns only metric alarms unless AlarmTypes asks for composite ones too.
    cw = boto3.client("cloudwatch", region_name="us-east-1")
    stubber = Stubber(cw)
    stubber.add_response("describe_alarms", {
        "MetricAlarms": [{"AlarmName": "managed-cache/ops-sessions/ops-sessions-001/memory"}],
        "CompositeAlarms": [{"AlarmName": "managed-cache/ops-sessions/any"}]},
        {"AlarmNamePrefix": "managed-cache/ops-sessions/",
         "AlarmTypes": ["MetricAlarm", "CompositeAlarm"]})
    stubber.activate()
    clients = support.make_clients({("cloudwatch", "us-east-1"): cw})
    assert live.alarm_names(clients, "us-east-1", "managed-cache/ops-sessions/") == [
        "managed-cache/ops-sessions/any", "managed-cache/ops-sessions/ops-sessions-001/memory"]
    stubber.assert_no_pending_responses()
