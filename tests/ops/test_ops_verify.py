"""`verify` against moto (replication groups, cache clusters, alarms), and against Stubber for
the Global Datastore (DescribeGlobalReplicationGroups is not in moto) with moto's alarms."""

from __future__ import annotations

import boto3
import pytest
from botocore.stub import Stubber

from ops import live
from ops.verify import check_group, check_memcached, version_matches
from tests.ops.support import (
    FRAGMENTS,
    KMS_KEY,
    PROD_SESSIONS,
    cache_of,
    clients_for,
    deploy,
    deploy_alarms,
    deploy_group,
    deploy_memcached,
    load,
    make_clients,
    rg_api,
    run_ops,
    serverless_api,
    write_stack,
)


def _verify(capsys, project, stack="ops", clients=None):
    return run_ops(capsys, "verify", "--stack", stack, "--project-dir", str(project),
                   clients=clients)


def _ec():
    return boto3.client("elasticache", region_name="us-east-1")


def _cw():
    return boto3.client("cloudwatch", region_name="us-east-1")


def test_a_deployment_that_matches_passes(capsys, project):
    deploy(load(project, "ops"))
    code, out, err = _verify(capsys, project)
    assert (code, out, err) == (0, "stack 'ops': 2 cache(s) match the config\n", "")


def test_the_in_repo_dev_stack_verifies_when_deployed_as_configured(capsys):
    """The real Pulumi.dev.yaml (no Global Datastore, so moto covers it all)."""
    from ops import stack

    deploy(stack.load("dev"))
    code, out, err = run_ops(capsys, "verify", "--stack", "dev")
    assert (code, err) == (0, ""), out
    assert out.endswith("match the config\n")


# One cache per deviation, all in one stack and one run: each must produce exactly its line.
DEVIATIONS: dict[str, tuple[dict, str]] = {
    "node-type": ({"CacheNodeType": "cache.r7g.xlarge"},
                  "node type is cache.r7g.xlarge, the config says cache.r7g.large"),
    "engine": ({"Engine": "redis"}, "engine is redis, the config says valkey"),
    "nodes": ({"ReplicasPerNodeGroup": 1},
              "has 2 nodes, the config says 3 (1 shard(s) x (1 primary + 2 replicas))"),
    "multi-az": ({"MultiAZEnabled": False}, "Multi-AZ is disabled, the config says enabled"),
    "failover": ({"AutomaticFailoverEnabled": False},
                 "automatic failover is disabled, the config says enabled"),
    "at-rest": ({"AtRestEncryptionEnabled": False, "KmsKeyId": None},
                "encryption at rest is off"),
    "kms": ({"KmsKeyId": None}, "encrypted at rest with the AWS-owned key, the config asks for "
                                "a customer-managed KMS key"),
    "in-transit": ({"TransitEncryptionEnabled": False, "TransitEncryptionMode": None},
                   "encryption in transit is off"),
    "tls-mode": ({"TransitEncryptionMode": "preferred"},
                 "encryption in transit is in preferred mode, expected required (clients may "
                 "connect without TLS)"),
    "auth": ({"AuthToken": None}, "AUTH is off (no auth token)"),
    "retention": ({"SnapshotRetentionLimit": 1},
                  "snapshot retention is 1 days, the config says 14"),
}


MEMCACHED_DEVIATIONS: dict[str, tuple[dict, str]] = {
    "count": ({"NumCacheNodes": 2}, "has 2 nodes, the config says 3"),
    "size": ({"CacheNodeType": "cache.m7g.xlarge"},
             "node type is cache.m7g.xlarge, the config says cache.m7g.large"),
    "version": ({"EngineVersion": "1.6.17"}, "engine version is 1.6.17, the config says 1.6.22"),
    "plain": ({"TransitEncryptionEnabled": None}, "encryption in transit is off"),
}


@pytest.mark.parametrize(("deviations", "cache", "deploy_cache"), [
    (DEVIATIONS, PROD_SESSIONS, deploy_group),
    (MEMCACHED_DEVIATIONS, FRAGMENTS, deploy_memcached),
], ids=["replication-group", "memcached"])
def test_each_deviation_is_exactly_one_line(capsys, tmp_path, deviations, cache, deploy_cache):
    write_stack(tmp_path, "ops", dict.fromkeys(deviations, cache))
    spec = load(tmp_path, "ops")
    for name, (overrides, _) in deviations.items():
        deploy_cache(_ec(), cache_of(spec, name), **overrides)
        deploy_alarms(_cw(), cache_of(spec, name))
    code, out, err = _verify(capsys, tmp_path)
    assert code == 1
    assert sorted(out.splitlines()) == sorted(f"{name}: {line}"
                                              for name, (_, line) in deviations.items())
    assert err == f"{len(deviations)} deviations from the config of stack 'ops'\n"


def test_engine_version_is_compared_with_the_live_patch_level(capsys, project):
    spec = load(project, "ops")
    deploy_group(_ec(), cache_of(spec, "sessions"), version="8.0.2")
    deploy_alarms(_cw(), cache_of(spec, "sessions"))
    code, out, _ = _verify(capsys, project)
    assert code == 1
    assert "sessions: engine version is 8.0.2, the config says 8.1\n" in out


def test_nothing_deployed_reports_every_cache_and_its_alarms(capsys, project):
    code, out, err = _verify(capsys, project)
    assert code == 1
    assert out.splitlines() == [
        "fragments: Memcached cluster ops-fragments not found in us-east-1",
        "fragments: no CloudWatch alarms named managed-cache/ops-fragments/* in us-east-1",
        "sessions: replication group ops-sessions not found in us-east-1",
        "sessions: no CloudWatch alarms named managed-cache/ops-sessions/* in us-east-1",
    ]
    assert err == "4 deviations from the config of stack 'ops'\n"


def test_a_node_without_alarms_is_named(capsys, project):
    spec = load(project, "ops")
    sessions = cache_of(spec, "sessions")
    deploy(spec)
    _cw().delete_alarms(AlarmNames=[f"managed-cache/ops-sessions/{sessions.member_ids[2]}/"
                                    "DatabaseMemoryUsagePercentage"])
    code, out, _ = _verify(capsys, project)
    assert code == 1
    assert out == ("sessions: node ops-sessions-003 has no CloudWatch alarm "
                   "(managed-cache/ops-sessions/ops-sessions-003/*)\n")


def test_sharded_groups_are_checked_by_shard_and_node_count(capsys, tmp_path):
    write_stack(tmp_path, "ops", {"big": {"shards": 2, "replicas": 1}})
    spec = load(tmp_path, "ops")
    big = cache_of(spec, "big")
    assert big.member_ids == ["ops-big-0001-001", "ops-big-0001-002", "ops-big-0002-001",
                              "ops-big-0002-002"]
    deploy_group(_ec(), big, NumNodeGroups=3)
    deploy_alarms(_cw(), big)
    code, out, _ = _verify(capsys, tmp_path)
    assert code == 1
    assert out.splitlines() == [
        "big: has 3 shards, the config says 2",
        "big: has 6 nodes, the config says 4 (2 shard(s) x (1 primary + 1 replicas))",
    ]


def test_an_engine_version_that_cannot_be_read_is_named_with_why(project):
    spec = load(project, "ops")
    group = live.group_from_api("us-east-1", rg_api("ops-sessions", "us-east-1"), None)
    assert "engine version could not be read (no member node found)" in \
        check_group(cache_of(spec, "sessions"), group, "us-east-1")
    cluster = live.LiveMemcached(region="us-east-1", id="ops-fragments", status="available",
                                 engine="memcached", engine_version=None,
                                 node_type="cache.m7g.large", nodes=3, transit_encryption=True,
                                 endpoint=None)
    assert check_memcached(cache_of(spec, "fragments"), cluster, "us-east-1") == [
        "engine version could not be read (the cluster reports none)"]


def _encryption_lines(cache, **api) -> list[str]:
    group = live.group_from_api("us-east-1", {**rg_api(cache.cache_id, "us-east-1"), **api},
                                "8.1.0")
    return [line for line in check_group(cache, group, "us-east-1")
            if "AUTH" in line or "user group" in line or "in transit" in line]


def test_a_cache_with_users_is_checked_by_its_user_group_not_an_auth_token(tmp_path):
    # With aws.users the group admits its RBAC users only: AWS reports no AUTH token.
    write_stack(tmp_path, "ops", {"sessions": {**PROD_SESSIONS, "aws": {"users": {
        "app": {"access": "on ~* +@all"}}}}})
    cache = cache_of(load(tmp_path, "ops"), "sessions")
    assert _encryption_lines(cache, AuthTokenEnabled=False,
                             UserGroupIds=["ops-sessions-users"]) == []
    assert _encryption_lines(cache, AuthTokenEnabled=False) == [
        "user group ops-sessions-users (aws.users) is not attached"]
    assert _encryption_lines(cache, AuthTokenEnabled=False, UserGroupIds=["other"]) == [
        "user group ops-sessions-users (aws.users) is not attached; attached: other"]


def test_node_ids_other_than_the_config_implies_are_named(project):
    # After DecreaseReplicaCount removed -001 and a replica was added, or on an adopted group,
    # the nodes are -002..-004: alarms on -001 watch nothing.
    cache = cache_of(load(project, "ops"), "sessions")
    api = rg_api("ops-sessions", "us-east-1")
    api["MemberClusters"] = ["ops-sessions-002", "ops-sessions-003", "ops-sessions-004"]
    group = live.group_from_api("us-east-1", api, "8.1.0")
    assert check_group(cache, group, "us-east-1") == [
        "node ids ops-sessions-004 are not the ones the config implies (ops-sessions-001): "
        "their per-node alarms watch nodes that do not exist"]


def test_memcached_node_ids_other_than_the_config_implies_are_named(project):
    # An adopted cluster whose node 0001 was replaced numbers its nodes 0002..0004: the alarms
    # on CacheNodeId 0001 watch nothing.
    cache = cache_of(load(project, "ops"), "fragments")

    def cluster(*node_ids: str) -> live.LiveMemcached:
        return live.LiveMemcached(region="us-east-1", id="ops-fragments", status="available",
                                  engine="memcached", engine_version="1.6.22",
                                  node_type="cache.m7g.large", nodes=3,
                                  transit_encryption=True, endpoint=None, node_ids=node_ids)

    assert check_memcached(cache, cluster("0001", "0002", "0003"), "us-east-1") == []
    assert check_memcached(cache, cluster("0002", "0003", "0004"), "us-east-1") == [
        "node ids 0004 are not the ones the config implies: the per-node alarms watch 0001, "
        "which do not exist, and none watch 0004"]
    # A cluster listing fewer nodes than it counts (a node being replaced) is not judged.
    assert check_memcached(cache, cluster("0002", "0003"), "us-east-1") == []


def test_memcached_node_ids_are_read_from_the_cluster():
    # DescribeCacheClusters with ShowCacheNodeInfo lists each node's CacheNodeId.
    client = boto3.client("elasticache", region_name="us-east-1")
    stubber = Stubber(client)
    stubber.add_response("describe_cache_clusters", {"CacheClusters": [{
        "CacheClusterId": "ops-fragments", "Engine": "memcached", "NumCacheNodes": 2,
        "CacheNodes": [{"CacheNodeId": "0002"}, {"CacheNodeId": "0003"}]}]},
        {"CacheClusterId": "ops-fragments", "ShowCacheNodeInfo": True})
    with stubber:
        found = live.describe_memcached(make_clients({("elasticache", "us-east-1"): client}),
                                        "us-east-1", "ops-fragments")
    assert found is not None and found.node_ids == ("0002", "0003")


def test_tls_preferred_in_the_config_is_not_a_deviation(tmp_path):
    # An adopted cache moving to TLS: the config itself says preferred for now.
    write_stack(tmp_path, "ops", {"sessions": {**PROD_SESSIONS, "aws": {
        "transit_encryption_mode": "preferred"}}})
    cache = cache_of(load(tmp_path, "ops"), "sessions")
    assert _encryption_lines(cache, TransitEncryptionMode="preferred") == []
    assert _encryption_lines(cache, TransitEncryptionMode="required") == [
        "encryption in transit is in required mode, expected preferred"]


@pytest.mark.parametrize(("intended", "live", "matches"), [
    ("8.1", "8.1.0", True), ("8.1", "8.1", True), ("8.1", "8.10.0", False),
    ("8.1", "8.0.1", False), ("6.x", "6.2.6", True), ("6.x", "7.0.7", False),
    ("1.6.22", "1.6.22", True), ("1.6.22", "1.6.2", False), ("8.1", None, False),
    ("1.6.22", "1.6", False),
])
def test_version_matching(intended, live, matches):
    assert version_matches(intended, live) is matches


def _deploy_scaled_feed(project, shards: int, replicas: int) -> None:
    """The `ops` stack with one auto-scaled cache, `feed` (2-4 shards, 1-2 replicas), deployed
    with `shards` shards of 1 primary + `replicas` replicas, and its alarms."""
    scaled = {"shards": 2, "replicas": 1, "node_type": "cache.r7g.large",
              "autoscaling": {"shards": {"min": 2, "max": 4}, "replicas": {"min": 1, "max": 2}}}
    write_stack(project, "ops", {"feed": scaled})
    feed = cache_of(load(project, "ops"), "feed")
    deploy_group(_ec(), feed, NumNodeGroups=shards, ReplicasPerNodeGroup=replicas)
    deploy_alarms(_cw(), feed)


@pytest.mark.parametrize(("shards", "replicas"), [(3, 2), (2, 1), (4, 2)],
                         ids=["scaled-out", "at-the-minimum", "at-the-maximum"])
def test_an_auto_scaled_group_matches_within_its_ranges(capsys, tmp_path, shards, replicas):
    # e.g. the scaler added a shard and a replica per shard: still within the ranges.
    _deploy_scaled_feed(tmp_path, shards=shards, replicas=replicas)
    code, out, _ = _verify(capsys, tmp_path)
    assert (code, out.splitlines()[-1]) == (0, "stack 'ops': 1 cache(s) match the config")


def test_an_auto_scaled_group_outside_its_ranges_is_named(capsys, tmp_path):
    _deploy_scaled_feed(tmp_path, shards=5, replicas=3)
    code, out, _ = _verify(capsys, tmp_path)
    assert code == 1
    assert out.splitlines() == [
        "feed: has 5 shards, outside the auto scaling range 2-4",
        "feed: has 20 nodes, outside 10-15 (5 shards x (1 primary + 1-2 replicas))",
    ]


# ---------------------------------------------------------------------------------------------
# Serverless: ElastiCache through Stubber (moto has no serverless), alarms through moto
# ---------------------------------------------------------------------------------------------
BURSTY = {"engine": "valkey", "engine_version": "8.1", "snapshot_retention_days": 14,
          "serverless": {"max_data_gb": 10, "max_ecpu_per_second": 5000}}


def _serverless_alarm(name: str = "ops-bursty") -> None:
    _cw().put_metric_alarm(
        AlarmName=f"managed-cache/{name}/serverless/ThrottledCmds", Namespace="AWS/ElastiCache",
        MetricName="ThrottledCmds", Dimensions=[{"Name": "clusterId", "Value": name}],
        Statistic="Sum", Period=60, EvaluationPeriods=5, Threshold=0.0,
        ComparisonOperator="GreaterThanThreshold")


def test_a_serverless_cache_that_matches_passes(capsys, tmp_path, east):
    write_stack(tmp_path, "ops", {"bursty": BURSTY})
    _serverless_alarm()
    east.serverless("ops-bursty", serverless_api("ops-bursty"))
    code, out, err = _verify(capsys, tmp_path, clients=clients_for(east))
    east.done()
    assert (code, out, err) == (0, "stack 'ops': 1 cache(s) match the config\n", "")


def test_a_missing_serverless_cache_is_a_deviation(capsys, tmp_path, east):
    write_stack(tmp_path, "ops", {"bursty": BURSTY})
    east.serverless("ops-bursty")
    code, out, _ = _verify(capsys, tmp_path, clients=clients_for(east))
    assert code == 1
    assert out.splitlines() == [
        "bursty: serverless cache ops-bursty not found in us-east-1",
        "bursty: no CloudWatch alarms named managed-cache/ops-bursty/* in us-east-1"]


def test_each_serverless_deviation_is_one_line(capsys, tmp_path, east):
    write_stack(tmp_path, "ops", {"bursty": BURSTY})
    _serverless_alarm()
    east.serverless("ops-bursty", serverless_api(
        "ops-bursty", Status="modifying", Engine="redis", MajorEngineVersion="7", KmsKeyId=None,
        UserGroupId=None,
        SnapshotRetentionLimit=1, CacheUsageLimits={"DataStorage": {"Maximum": 20, "Unit": "GB"},
                                                    "ECPUPerSecond": {"Maximum": 1000}}))
    code, out, _ = _verify(capsys, tmp_path, clients=clients_for(east))
    assert code == 1
    assert out.splitlines() == [f"bursty: {line}" for line in (
        "status is modifying, expected available",
        "engine is redis, the config says valkey",
        "major engine version is 7, the config says 8",
        "max data is 20 GB, the config says 10",
        "max ECPU per second is 1000, the config says 5000",
        "encrypted with the AWS-owned key, the config asks for a customer-managed KMS key",
        "user group is none, the config says ops-bursty-users",
        "snapshot retention is 1 days, the config says 14")]


OTHER_KEY = "arn:aws:kms:us-east-1:123456789012:key/9999abcd-12ab-34cd-56ef-1234567890ab"


@pytest.mark.parametrize(("aws", "live_key", "lines"), [
    ({"kms_key_arn": KMS_KEY}, KMS_KEY, []),
    ({"kms_key_arn": KMS_KEY}, OTHER_KEY,
     [f"encrypted with {OTHER_KEY}, the config says {KMS_KEY}"]),
    ({"kms_key_arn": KMS_KEY}, None,
     [f"encrypted with the AWS-owned key, the config says {KMS_KEY}"]),
    ({"create_kms_key": False}, None, []),
], ids=["same-key", "other-key", "aws-owned-key", "aws-owned-key-configured"])
def test_a_serverless_cache_is_checked_against_its_configured_key(capsys, tmp_path, east, aws,
                                                                  live_key, lines):
    write_stack(tmp_path, "ops", {"bursty": {**BURSTY, "aws": aws}})
    _serverless_alarm()
    east.serverless("ops-bursty", serverless_api("ops-bursty", KmsKeyId=live_key))
    code, out, _ = _verify(capsys, tmp_path, clients=clients_for(east))
    assert (code, [line for line in out.splitlines() if "encrypted" in line]) == \
        (1 if lines else 0, [f"bursty: {line}" for line in lines])


def _with_dns_zone(project, zone_id):
    import yaml

    path = project / "Pulumi.ops.yaml"
    document = yaml.safe_load(path.read_text())
    document["config"]["managed-cache:network"]["dns"] = {"zone": "cache.internal",
                                                          "zone_id": zone_id}
    path.write_text(yaml.safe_dump(document))


def _zone(name, private=True):
    route53 = boto3.client("route53", region_name="us-east-1")
    vpc = boto3.client("ec2", region_name="us-east-1").create_vpc(
        CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    extra = {"VPC": {"VPCRegion": "us-east-1", "VPCId": vpc}} if private else {}
    zone = route53.create_hosted_zone(Name=name, CallerReference=name,
                                      HostedZoneConfig={"PrivateZone": private}, **extra)
    return zone["HostedZone"]["Id"].rsplit("/", 1)[-1]


def test_an_existing_zone_of_another_name_is_a_deviation(capsys, project):
    # Route 53 takes the records under <cache>.cache.internal.corp.example without an error.
    deploy(load(project, "ops"))
    zone_id = _zone("corp.example")
    _with_dns_zone(project, zone_id)
    code, out, _ = _verify(capsys, project)
    assert code == 1
    assert out.splitlines()[0] == (
        f"network.dns: zone {zone_id} (us-east-1) is named corp.example, not cache.internal: "
        "its records are named <cache>.cache.internal.corp.example, which clients do not ask "
        "for")


def test_an_existing_zone_of_the_configured_name_matches(capsys, project):
    deploy(load(project, "ops"))
    _with_dns_zone(project, _zone("cache.internal"))
    code, out, err = _verify(capsys, project)
    assert (code, out, err) == (0, "stack 'ops': 2 cache(s) match the config\n", "")


@pytest.mark.parametrize(("status", "lines"), [
    ("available", []),
    # The daily automatic backup: status `snapshotting` until it completes, then available.
    ("snapshotting", []),
    ("modifying", ["status is modifying, expected available"]),
])
def test_a_group_taking_its_daily_backup_is_in_service(project, status, lines):
    cache = cache_of(load(project, "ops"), "sessions")
    group = live.group_from_api("us-east-1", rg_api("ops-sessions", "us-east-1", status=status),
                                "8.1.0")
    assert check_group(cache, group, "us-east-1") == lines


def test_a_public_zone_named_in_the_config_is_a_deviation(capsys, project):
    deploy(load(project, "ops"))
    zone_id = _zone("cache.internal", private=False)
    _with_dns_zone(project, zone_id)
    code, out, err = _verify(capsys, project)
    assert code == 1
    assert out.splitlines() == [f"network.dns: zone {zone_id} (us-east-1) is a public zone; the "
                                "names must be private"]
    assert err == "1 deviation from the config of stack 'ops'\n"


def test_a_configured_zone_that_does_not_exist_is_a_deviation(capsys, project):
    deploy(load(project, "ops"))
    _with_dns_zone(project, "Z0DELETED0ZONE")
    code, out, _ = _verify(capsys, project)
    assert code == 1
    assert out.splitlines() == ["network.dns: zone Z0DELETED0ZONE (us-east-1) does not exist"]


def test_a_group_in_the_other_cluster_mode_is_a_deviation(project):
    cache = cache_of(load(project, "ops"), "sessions")
    group = live.group_from_api("us-east-1", {**rg_api("ops-sessions", "us-east-1"),
                                              "ClusterEnabled": True}, "8.1.0")
    assert "cluster mode is enabled, the config says disabled" in \
        check_group(cache, group, "us-east-1")


@pytest.mark.parametrize("only", ["shards", "replicas"])
def test_an_auto_scaled_count_without_a_range_must_be_the_configured_one(capsys, tmp_path,
                                                                         only):
    # Only one of the counts scales; the other stays as configured.
    scaled = {"shards": 2, "replicas": 1, "node_type": "cache.r7g.large",
              "autoscaling": {only: {"min": 2 if only == "shards" else 1, "max": 4}}}
    write_stack(tmp_path, "ops", {"feed": scaled})
    feed = cache_of(load(tmp_path, "ops"), "feed")
    deploy_group(_ec(), feed, NumNodeGroups=3 if only == "shards" else 2,
                 ReplicasPerNodeGroup=1 if only == "shards" else 2)
    deploy_alarms(_cw(), feed)
    code, out, _ = _verify(capsys, tmp_path)
    assert (code, out.splitlines()[-1]) == (0, "stack 'ops': 1 cache(s) match the config")


def test_a_sharded_group_deployed_as_configured_matches(capsys, tmp_path):
    write_stack(tmp_path, "ops", {"big": {"shards": 2, "replicas": 1}})
    big = cache_of(load(tmp_path, "ops"), "big")
    deploy_group(_ec(), big)
    deploy_alarms(_cw(), big)
    code, out, err = _verify(capsys, tmp_path)
    assert (code, out, err) == (0, "stack 'ops': 1 cache(s) match the config\n", "")



@pytest.mark.parametrize(("live_key", "lines"), [
    (KMS_KEY, []),
    (OTHER_KEY, [f"encrypted at rest with {OTHER_KEY}, the config says {KMS_KEY}"]),
    (None, [f"encrypted at rest with the AWS-owned key, the config says {KMS_KEY}"]),
], ids=["same-key", "other-key", "aws-owned-key"])
def test_a_group_is_checked_against_its_configured_key(tmp_path, live_key, lines):
    write_stack(tmp_path, "ops", {"sessions": {**PROD_SESSIONS,
                                               "aws": {"kms_key_arn": KMS_KEY}}})
    cache = cache_of(load(tmp_path, "ops"), "sessions")
    group = live.group_from_api("us-east-1", {**rg_api("ops-sessions", "us-east-1"),
                                              "KmsKeyId": live_key}, "8.1.0")
    assert [line for line in check_group(cache, group, "us-east-1") if "encrypted" in line] \
        == lines


def test_a_group_that_reports_no_transit_encryption_mode_is_not_a_deviation(project):
    # Groups that had TLS before TransitEncryptionMode existed report no mode.
    cache = cache_of(load(project, "ops"), "sessions")
    assert _encryption_lines(cache, TransitEncryptionMode=None) == []


def test_another_caches_alarms_do_not_count_as_this_caches(capsys, project):
    spec = load(project, "ops")
    ec = _ec()
    deploy_group(ec, cache_of(spec, "sessions"))
    deploy_memcached(ec, cache_of(spec, "fragments"))
    deploy_alarms(_cw(), cache_of(spec, "sessions"))              # none for fragments
    code, out, _ = _verify(capsys, project)
    assert code == 1
    assert out == ("fragments: no CloudWatch alarms named managed-cache/ops-fragments/* in "
                   "us-east-1\n")
