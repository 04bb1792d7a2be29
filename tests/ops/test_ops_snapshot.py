"""`snapshot`: against moto (CreateSnapshot, DescribeSnapshots, replication groups); which node
or group a snapshot is taken from, from DescribeReplicationGroups answers."""

from __future__ import annotations

import re

import boto3
import pytest
from botocore.exceptions import ClientError

from ops import live, snapshot
from tests.ops.support import (
    cache_of,
    deploy_group,
    load,
    make_clients,
    rg_api,
    run_ops,
)


@pytest.fixture
def ec():
    return boto3.client("elasticache", region_name="us-east-1")


def _snapshot(capsys, project, *extra):
    return run_ops(capsys, "snapshot", "--stack", "ops", "--project-dir", str(project),
                   "--poll-interval", "0", *extra)


def _names(ec) -> list[str]:
    return [s["SnapshotName"] for s in ec.describe_snapshots()["Snapshots"]]


def test_snapshot_with_a_name_is_created_tagged_and_waited_for(capsys, project, ec):
    deploy_group(ec, cache_of(load(project, "ops"), "sessions"))
    code, out, err = _snapshot(capsys, project, "--cache", "sessions", "--name", "before-upgrade")
    assert (code, err) == (0, "")
    taken = ec.describe_snapshots(SnapshotName="before-upgrade")["Snapshots"][0]
    # Cluster mode off: taken from a replica node (-001 is the primary), as the user guide
    # says to back up such a group.
    assert (taken["CacheClusterId"], taken["SnapshotSource"]) == ("ops-sessions-002", "manual")
    assert "of ops-sessions (us-east-1, from ops-sessions-002) requested" in out
    tags = ec.list_tags_for_resource(ResourceName=taken["ARN"])["TagList"]
    assert {t["Key"]: t["Value"] for t in tags} == {
        "managed-cache:stack": "ops", "managed-cache:cache": "sessions",
        "managed-cache:created-by": "ops snapshot"}
    assert "  [    0s] snapshot before-upgrade: available" in out
    assert "snapshot before-upgrade is available" in out


def test_default_name_is_the_cache_id_and_a_utc_timestamp(capsys, project, ec):
    deploy_group(ec, cache_of(load(project, "ops"), "sessions"))
    code, _, _ = _snapshot(capsys, project, "--cache", "sessions", "--no-wait")
    assert code == 0
    [name] = _names(ec)
    assert re.fullmatch(r"ops-sessions-ops-\d{8}-\d{6}", name)


def test_an_existing_name_is_refused_and_nothing_created(capsys, project, ec):
    deploy_group(ec, cache_of(load(project, "ops"), "sessions"))
    ec.create_snapshot(ReplicationGroupId="ops-sessions", SnapshotName="taken")
    code, _, err = _snapshot(capsys, project, "--cache", "sessions", "--name", "taken")
    assert code == 2
    assert err == ("error: a snapshot named 'taken' already exists in us-east-1; choose another "
                   "--name\n")
    assert _names(ec) == ["taken"]


@pytest.mark.parametrize(("argv", "message"), [
    (("--cache", "fragments"), "error: cache 'fragments' is Memcached, which has no snapshots\n"),
    (("--cache", "sessions", "--name", "Bad--Name"),
     "error: 'Bad--Name' is not a valid snapshot name; use lowercase letters, digits and single "
     "hyphens, starting with a letter (at most 255 characters)\n"),
    (("--cache", "sessions"), "error: replication group ops-sessions not found in us-east-1\n"),
])
def test_preconditions_create_nothing(capsys, project, ec, argv, message):
    code, _, err = _snapshot(capsys, project, *argv)
    assert (code, err) == (2, message)
    assert _names(ec) == []


def test_a_group_that_is_not_available_is_not_snapshotted(capsys, project, ec):
    deploy_group(ec, cache_of(load(project, "ops"), "sessions"))
    ec.delete_replication_group(ReplicationGroupId="ops-sessions", RetainPrimaryCluster=True)
    code, _, err = _snapshot(capsys, project, "--cache", "sessions")
    assert code == 2
    assert err == ("error: replication group ops-sessions is deleting; a snapshot needs it "
                   "available\n")
    assert _names(ec) == []


@pytest.mark.parametrize(("api", "source"), [
    ({}, {"CacheClusterId": "g-001"}),                      # the primary is -002: a replica
    ({"ClusterEnabled": True}, {"ReplicationGroupId": "g"}),  # cluster mode: the whole group
    ({"MemberClusters": ["g-001"], "NodeGroups": []}, {"CacheClusterId": "g-001"}),  # no replica
    ({"MemberClusters": ["g-002"]}, {"CacheClusterId": "g-002"}),  # only the primary: it
    ({"MemberClusters": [], "NodeGroups": []}, {"ReplicationGroupId": "g"}),  # no nodes listed
])
def test_the_snapshot_source_follows_the_cluster_mode(api, source):
    group = live.group_from_api("us-east-1", {**rg_api("g", "us-east-1", primary=1), **api},
                                "8.1.0")
    assert snapshot.snapshot_source(group) == source


def test_another_snapshot_does_not_take_the_name(capsys, project, ec):
    deploy_group(ec, cache_of(load(project, "ops"), "sessions"))
    ec.create_snapshot(ReplicationGroupId="ops-sessions", SnapshotName="last-week")
    code, _, err = _snapshot(capsys, project, "--cache", "sessions", "--name", "before-upgrade")
    assert (code, err) == (0, "")
    assert sorted(_names(ec)) == ["before-upgrade", "last-week"]


@pytest.mark.parametrize(("length", "accepted"), [(255, True), (256, False)])
def test_a_snapshot_name_has_at_most_255_characters(capsys, project, ec, length, accepted):
    deploy_group(ec, cache_of(load(project, "ops"), "sessions"))
    name = "b" * length
    code, _, err = _snapshot(capsys, project, "--cache", "sessions", "--name", name)
    assert code == (0 if accepted else 2)
    assert _names(ec) == ([name] if accepted else [])
    if not accepted:
        assert err.startswith(f"error: '{name}' is not a valid snapshot name")


class _Snapshots:
    """moto's elasticache client, where the snapshot goes `failed`, disappears once created, or
    DescribeSnapshots is refused."""

    def __init__(self, client, what: str):
        self.client, self.what = client, what

    def __getattr__(self, operation):
        return getattr(self.client, operation)

    def create_snapshot(self, **params):
        created = self.client.create_snapshot(**params)
        if self.what == "disappeared":
            self.client.delete_snapshot(SnapshotName=params["SnapshotName"])
        return created

    def describe_snapshots(self, **params):
        if self.what == "refused":
            raise ClientError({"Error": {"Code": "AccessDenied", "Message": "not authorized"}},
                              "DescribeSnapshots")
        answer = self.client.describe_snapshots(**params)
        if self.what == "failed":
            for found in answer["Snapshots"]:
                found["SnapshotStatus"] = "failed"
        return answer


@pytest.mark.parametrize("what", ["failed", "disappeared"])
def test_a_snapshot_that_fails_or_disappears_ends_the_wait(capsys, project, ec, what):
    deploy_group(ec, cache_of(load(project, "ops"), "sessions"))
    clients = make_clients({("elasticache", "us-east-1"): _Snapshots(ec, what)})
    code, out, err = run_ops(capsys, "snapshot", "--stack", "ops", "--project-dir", str(project),
                             "--poll-interval", "0", "--timeout", "60", "--cache", "sessions",
                             "--name", "before-upgrade", clients=clients)
    assert code == 2
    assert err == (f"error: snapshot before-upgrade {what}; check the group's events in "
                   "us-east-1\n")
    assert "is available" not in out


def test_a_refused_snapshot_lookup_creates_nothing(capsys, project, ec):
    deploy_group(ec, cache_of(load(project, "ops"), "sessions"))
    clients = make_clients({("elasticache", "us-east-1"): _Snapshots(ec, "refused")})
    code, _, err = run_ops(capsys, "snapshot", "--stack", "ops", "--project-dir", str(project),
                           "--cache", "sessions", "--name", "before-upgrade", clients=clients)
    assert code == 2
    assert "AWS refused DescribeSnapshots (AccessDenied): not authorized" in err
    assert _names(ec) == []
