"""Helpers for the ops tests (no tests here): stack files, moto seeding, Stubber responses.

- `write_stack` writes a Pulumi.<stack>.yaml into a temporary project dir, read by the CLI
  with `--project-dir`, so each test controls its config.
- `deploy_*` create in moto (in-process `mock_aws` or a moto server: they take a client) what
  `pulumi up` would have created for a CacheSpec, so tests start from "matches the config".
- `*_api` build responses for botocore's Stubber from the fields of the elasticache service
  model (Stubber validates every response against that model, so an invented field fails).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml
from botocore import loaders
from botocore import session as botocore_session
from botocore.stub import ANY, Stubber
from moto import mock_aws

from infra import naming
from infra.config.spec import AwsStackSpec, CacheSpec
from ops import stack
from ops.__main__ import main
from ops.clients import Clients

KMS_KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
AUTH_TOKEN = "A1b2C3d4E5f6G7h8I9j0-k!l#"


# ---------------------------------------------------------------------------------------------
# Environment and stacks
# ---------------------------------------------------------------------------------------------
def fake_aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fake credentials, no real config files, no instance metadata, no endpoint override,
    no moto default images."""
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL",
                 "AWS_ENDPOINT_URL_ELASTICACHE", "AWS_ENDPOINT_URL_CLOUDWATCH",
                 "AWS_DEFAULT_REGION", "AWS_REGION", "OPS_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/aws-config")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/aws-credentials")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    # moto's EC2 backend loads a few hundred default AMIs for every region it starts (seconds
    # per run of the ops tests); no ops command reads images.
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")


@functools.cache
def _shared_loader(data_path: str | None) -> loaders.Loader:
    return loaders.create_loader(data_path)


@pytest.fixture(autouse=True)
def mocked_aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fake credentials and moto around every test of a module that imports this fixture.

    moto gives each test a fresh default boto3 session, and each session would parse the
    service models' JSON again (a quarter of the ops tests' time); the sessions share one
    loader, which caches the parsed files, instead.
    """
    fake_aws_env(monkeypatch)
    monkeypatch.setattr(botocore_session, "create_loader", _shared_loader)
    with mock_aws():
        yield


def write_stack(root: Path, name: str, caches: dict[str, Any], profile: str = "production",
                region: str = "us-east-1") -> str:
    config: dict[str, Any] = {
        "pulumi:disable-default-providers": ["*"],
        "aws:region": region,
        "managed-cache:cloud": "aws",
        "managed-cache:profile": profile,
        "managed-cache:network": {"vpc_cidr": "10.50.0.0/16", "availability_zones": 3},
        "managed-cache:alerts": {"emails": ["oncall@example.com"]},
        "managed-cache:caches": caches,
    }
    (root / f"Pulumi.{name}.yaml").write_text(yaml.safe_dump({"config": config}))
    return name


PROD_SESSIONS = {"engine": "valkey", "engine_version": "8.1", "node_type": "cache.r7g.large",
                 "replicas": 2, "snapshot_retention_days": 14}
FRAGMENTS = {"engine": "memcached", "node_type": "cache.m7g.large", "nodes": 3}
GLOBAL_SESSIONS = {**PROD_SESSIONS, "global": {"secondary_region": "eu-west-1"}}


def load(root: Path, name: str) -> AwsStackSpec:
    return stack.load(name, root)


def cache_of(spec: AwsStackSpec, name: str) -> CacheSpec:
    return stack.find_cache(spec, name)


_SESSION: list[boto3.session.Session] = []


def make_clients(overrides: dict[tuple[str, str], Any] | None = None) -> Clients:
    """Clients on one boto3 session shared by the tests (loading service models once).

    The CLI itself builds a fresh session per run; test_ops_cli covers that path.
    """
    if not _SESSION:
        _SESSION.append(boto3.session.Session(aws_access_key_id="testing",
                                              aws_secret_access_key="testing"))
    return Clients(session=_SESSION[0], overrides=overrides)


def run_ops(capsys: pytest.CaptureFixture[str], *argv: str,
            clients: Clients | None = None) -> tuple[int, str, str]:
    code = main(list(argv), clients=clients if clients is not None else make_clients())
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# ---------------------------------------------------------------------------------------------
# moto seeding
# ---------------------------------------------------------------------------------------------
def live_version(cache: CacheSpec) -> str:
    """What AWS reports for a configured major.minor: a patch level added."""
    return cache.engine_version if cache.engine_version.count(".") >= 2 else \
        f"{cache.engine_version}.0"


def deploy_group(ec: Any, cache: CacheSpec, version: str | None = None,
                 **overrides: Any) -> None:
    """Create in moto the replication group the program would create for `cache`.

    moto quirk: with cluster mode off it ignores NumCacheClusters and sizes the group from
    ReplicasPerNodeGroup, so that is what is passed. moto does not create the member nodes as
    cache clusters; they are added so that DescribeCacheClusters reports the engine version.
    """
    params: dict[str, Any] = {
        "ReplicationGroupId": cache.cache_id,
        "ReplicationGroupDescription": cache.description,
        "Engine": cache.engine,
        "EngineVersion": cache.engine_version,
        "CacheNodeType": cache.node_type.name,
        "ReplicasPerNodeGroup": cache.replicas,
        "AutomaticFailoverEnabled": cache.automatic_failover,
        "MultiAZEnabled": cache.multi_az,
        "AtRestEncryptionEnabled": True,
        "TransitEncryptionEnabled": True,
        "TransitEncryptionMode": "required",
        "AuthToken": AUTH_TOKEN,
        "SnapshotRetentionLimit": cache.snapshot_retention_days,
        "Port": cache.port,
    }
    if cache.cluster_mode:
        params.update(ClusterMode="enabled", NumNodeGroups=cache.shards)
    if cache.kms_key_arn or cache.create_kms_key:
        params["KmsKeyId"] = cache.kms_key_arn or KMS_KEY
    params.update(overrides)
    params = {k: v for k, v in params.items() if v is not None}
    group = ec.create_replication_group(**params)["ReplicationGroup"]
    for member in group["MemberClusters"]:
        ec.create_cache_cluster(CacheClusterId=member, ReplicationGroupId=cache.cache_id,
                                Engine=params["Engine"], EngineVersion=version or
                                live_version(cache), CacheNodeType=params["CacheNodeType"])


def deploy_memcached(ec: Any, cache: CacheSpec, **overrides: Any) -> None:
    params: dict[str, Any] = {
        "CacheClusterId": cache.cache_id, "Engine": "memcached",
        "EngineVersion": cache.engine_version, "CacheNodeType": cache.node_type.name,
        "NumCacheNodes": cache.nodes, "TransitEncryptionEnabled": True, "AZMode": "cross-az",
        "Port": cache.port,
    }
    params.update(overrides)
    ec.create_cache_cluster(**{k: v for k, v in params.items() if v is not None})


def deploy_alarms(cw: Any, cache: CacheSpec, members: list[str] | None = None) -> None:
    """One alarm per member node, named with infra.naming.alarm_name like the alarms component."""
    for member in cache.member_ids if members is None else members:
        cw.put_metric_alarm(
            AlarmName=naming.alarm_name(cache.cache_id, member, "DatabaseMemoryUsagePercentage"),
            Namespace="AWS/ElastiCache", MetricName="DatabaseMemoryUsagePercentage",
            Dimensions=[{"Name": "CacheClusterId", "Value": member}], Statistic="Maximum",
            Period=300, EvaluationPeriods=3, Threshold=80.0,
            ComparisonOperator="GreaterThanThreshold")


def serverless_api(name: str, region: str = "us-east-1", **fields: Any) -> dict[str, Any]:
    """A ServerlessCache as DescribeServerlessCaches returns it (moto has no serverless)."""
    cache: dict[str, Any] = {
        "ServerlessCacheName": name, "Status": "available", "Engine": "valkey",
        "MajorEngineVersion": "8", "FullEngineVersion": "8.1",
        "CacheUsageLimits": {"DataStorage": {"Maximum": 10, "Unit": "GB"},
                             "ECPUPerSecond": {"Maximum": 5000}},
        "KmsKeyId": KMS_KEY, "UserGroupId": f"{name}-users", "SnapshotRetentionLimit": 14,
        "ARN": f"arn:aws:elasticache:{region}:123456789012:serverlesscache:{name}",
        "Endpoint": {"Address": f"{name}-abc123.serverless.use1.cache.amazonaws.com",
                     "Port": 6379},
    }
    cache.update(fields)
    return {k: v for k, v in cache.items() if v is not None}


def deploy(spec: AwsStackSpec, region: str = "us-east-1") -> None:
    """Everything a stack declares, in moto (in-process), matching the config."""
    ec = boto3.client("elasticache", region_name=region)
    cw = boto3.client("cloudwatch", region_name=region)
    for cache in spec.caches:
        if cache.is_memcached:
            deploy_memcached(ec, cache)
        else:
            deploy_group(ec, cache)
        deploy_alarms(cw, cache)


# ---------------------------------------------------------------------------------------------
# Stubber responses (fields from botocore's elasticache service-2.json)
# ---------------------------------------------------------------------------------------------
def endpoint_of(group_id: str, region: str, kind: str = "master") -> str:
    return f"{kind}.{group_id}.ab12cd.{naming.region_code(region)}.cache.amazonaws.com"


def rg_api(group_id: str, region: str, *, nodes: int = 3, status: str = "available",
           primary: int = 0, node_type: str = "cache.r7g.large", global_id: str | None = None,
           role: str | None = None, automatic_failover: str = "enabled") -> dict[str, Any]:
    """A ReplicationGroup (cluster mode off) as DescribeReplicationGroups returns it."""
    members = [f"{group_id}-{n:03d}" for n in range(1, nodes + 1)]
    group: dict[str, Any] = {
        "ReplicationGroupId": group_id,
        "Description": f"managed-cache {group_id}",
        "Status": status,
        "MemberClusters": members,
        "NodeGroups": [{
            "NodeGroupId": "0001",
            "Status": status,
            "PrimaryEndpoint": {"Address": endpoint_of(group_id, region), "Port": 6379},
            "ReaderEndpoint": {"Address": endpoint_of(group_id, region, "replica"),
                               "Port": 6379},
            "NodeGroupMembers": [
                {"CacheClusterId": member, "CacheNodeId": "0001",
                 "PreferredAvailabilityZone": f"{region}{'abc'[i % 3]}",
                 "CurrentRole": "primary" if i == primary else "replica"}
                for i, member in enumerate(members)
            ],
        }],
        "AutomaticFailover": automatic_failover,
        "MultiAZ": "enabled",
        "SnapshotRetentionLimit": 14,
        "SnapshotWindow": "03:00-04:00",
        "ClusterEnabled": False,
        "CacheNodeType": node_type,
        "AuthTokenEnabled": True,
        "TransitEncryptionEnabled": True,
        "AtRestEncryptionEnabled": True,
        "KmsKeyId": KMS_KEY,
        "ARN": f"arn:aws:elasticache:{region}:123456789012:replicationgroup:{group_id}",
        "TransitEncryptionMode": "required",
        "ClusterMode": "disabled",
        "Engine": "valkey",
    }
    if global_id is not None:
        group["GlobalReplicationGroupInfo"] = {"GlobalReplicationGroupId": global_id,
                                               "GlobalReplicationGroupMemberRole": role}
    return group


def without_endpoints(group: dict[str, Any]) -> dict[str, Any]:
    """An rg_api group whose shard reports no endpoints (as while it is being created)."""
    for node_group in group["NodeGroups"]:
        node_group.pop("PrimaryEndpoint")
        node_group.pop("ReaderEndpoint")
    return group


def cc_api(cluster_id: str, group_id: str, version: str = "8.1.0") -> dict[str, Any]:
    """A member node as DescribeCacheClusters returns it."""
    return {"CacheClusterId": cluster_id, "CacheNodeType": "cache.r7g.large",
            "Engine": "valkey", "EngineVersion": version, "CacheClusterStatus": "available",
            "NumCacheNodes": 1, "ReplicationGroupId": group_id}


def global_api(global_id: str, members: list[tuple[str, str, str, str]],
               status: str = "available") -> dict[str, Any]:
    """A GlobalReplicationGroup; members are (group id, region, role, member status)."""
    return {
        "GlobalReplicationGroupId": global_id,
        "GlobalReplicationGroupDescription": "managed-cache",
        "Status": status,
        "CacheNodeType": "cache.r7g.large",
        "Engine": "valkey",
        "EngineVersion": "8.1.0",
        "Members": [{"ReplicationGroupId": group_id, "ReplicationGroupRegion": region,
                     "Role": role, "AutomaticFailover": "enabled", "Status": member_status}
                    for group_id, region, role, member_status in members],
        "ClusterEnabled": False,
        "AuthTokenEnabled": True,
        "TransitEncryptionEnabled": True,
        "AtRestEncryptionEnabled": True,
        "ARN": f"arn:aws:elasticache::123456789012:globalreplicationgroup:{global_id}",
    }


class Stubbed:
    """An elasticache client in one region behind botocore's Stubber, recording operations."""

    def __init__(self, region: str):
        self.client = boto3.client("elasticache", region_name=region)
        self.stubber = Stubber(self.client)
        self.operations: list[str] = []
        self.client.meta.events.register("before-parameter-build.elasticache",
                                         self._record)
        self.stubber.activate()

    def _record(self, model: Any, **_: Any) -> None:
        self.operations.append(model.name)

    def group(self, group: dict[str, Any], version: str = "8.1.0") -> None:
        """DescribeReplicationGroups, then DescribeCacheClusters of its first member."""
        self.stubber.add_response("describe_replication_groups", {"ReplicationGroups": [group]},
                                  {"ReplicationGroupId": group["ReplicationGroupId"]})
        first = group["MemberClusters"][0]
        self.stubber.add_response("describe_cache_clusters",
                                  {"CacheClusters": [cc_api(first, group["ReplicationGroupId"],
                                                            version)]},
                                  {"CacheClusterId": first, "ShowCacheNodeInfo": True})

    def serverless(self, name: str, *caches: dict[str, Any]) -> None:
        """DescribeServerlessCaches of one name: the cache, or ServerlessCacheNotFoundFault."""
        if caches:
            self.stubber.add_response("describe_serverless_caches",
                                      {"ServerlessCaches": list(caches)},
                                      {"ServerlessCacheName": name})
        else:
            self.stubber.add_client_error("describe_serverless_caches",
                                          "ServerlessCacheNotFoundFault", http_status_code=404,
                                          expected_params={"ServerlessCacheName": name})

    def globals_list(self, *groups: dict[str, Any]) -> None:
        """DescribeGlobalReplicationGroups as the suffix search sends it (one page)."""
        self.stubber.add_response("describe_global_replication_groups",
                                  {"GlobalReplicationGroups": list(groups)},
                                  {"ShowMemberInfo": True})

    def global_by_id(self, group: dict[str, Any]) -> None:
        self.stubber.add_response("describe_global_replication_groups",
                                  {"GlobalReplicationGroups": [group]},
                                  {"GlobalReplicationGroupId": group["GlobalReplicationGroupId"],
                                   "ShowMemberInfo": True})

    def events(self, *events: tuple[str, str, int]) -> None:
        """DescribeEvents (one page): (source id, message, minutes from now), in any order."""
        now = datetime.now(UTC)
        self.stubber.add_response(
            "describe_events",
            {"Events": [{"SourceIdentifier": source, "Message": message,
                         "Date": now + timedelta(minutes=minutes)}
                        for source, message, minutes in events]},
            {"StartTime": ANY})

    def done(self) -> None:
        self.stubber.assert_no_pending_responses()


# The Global Datastore the failover and DNS tests drive.
GID = "ldgnf-ops-sessions"
PRIMARY, SECONDARY = "ops-sessions", "ops-sessions-euw1"
FAST = ("--poll-interval", "0", "--timeout", "60")      # failover: poll without sleeping


def run_failover(capsys: pytest.CaptureFixture[str], project: Path, *extra: str,
                 clients: Clients) -> tuple[int, str, str]:
    """`failover` of the `ops` stack's sessions cache to eu-west-1."""
    return run_ops(capsys, "failover", "--stack", "ops", "--project-dir", str(project),
                   "--cache", "sessions", "--to", "eu-west-1", *extra, clients=clients)


def clients_for(*stubs: Stubbed) -> Clients:
    """Clients whose elasticache client in each stub's region is that stub's."""
    return make_clients({("elasticache", s.client.meta.region_name): s.client for s in stubs})


def gid_members(primary_region: str = "us-east-1", west_status: str = "associated"):
    """GID's members as global_api takes them, with `primary_region` primary."""
    return [(PRIMARY, "us-east-1", "PRIMARY" if primary_region == "us-east-1" else "SECONDARY",
             "associated"),
            (SECONDARY, "eu-west-1", "PRIMARY" if primary_region == "eu-west-1" else "SECONDARY",
             west_status)]


def stub_ready_to_fail_over(west: Stubbed, *also_listed: dict[str, Any],
                            group_status: str = "available") -> None:
    """What `failover` to eu-west-1 reads first: the Global Datastore (listed after
    `also_listed`) with us-east-1 primary, and the secondary's replication group."""
    west.globals_list(*also_listed, global_api(GID, gid_members()))
    west.group(rg_api(SECONDARY, "eu-west-1", global_id=GID, role="SECONDARY",
                      status=group_status))


def stub_failover(east: Stubbed, west: Stubbed, *also_listed: dict[str, Any],
                  polls: tuple[dict[str, Any], ...] = (), group_status: str = "available") -> None:
    """A `failover` to eu-west-1 that succeeds: ready (stub_ready_to_fail_over), the exact
    FailoverGlobalReplicationGroup call accepted, the Global Datastore as each poll sees it
    (`polls`, then eu-west-1 primary), and the old primary's group as a secondary."""
    stub_ready_to_fail_over(west, *also_listed, group_status=group_status)
    west.stubber.add_response(
        "failover_global_replication_group",
        {"GlobalReplicationGroup": global_api(GID, gid_members(), status="modifying")},
        {"GlobalReplicationGroupId": GID, "PrimaryRegion": "eu-west-1",
         "PrimaryReplicationGroupId": SECONDARY})
    for poll in polls:
        west.global_by_id(poll)
    west.global_by_id(global_api(GID, gid_members("eu-west-1")))
    east.group(rg_api(PRIMARY, "us-east-1", global_id=GID, role="SECONDARY"))


# ---------------------------------------------------------------------------------------------
# Route 53 (network.dns): the private zones and writer records the failover tests read
# ---------------------------------------------------------------------------------------------
WRITER = "sessions-writer.cache.internal"
OLD = endpoint_of(PRIMARY, "us-east-1")             # the primary's endpoint host
NEW = endpoint_of(SECONDARY, "eu-west-1")
STACK_TAGS = {"ManagedBy": "managed-cache", "Project": "managed-cache", "Stack": "ops",
              "Profile": "production"}


def write_dns_stack(root, dns: dict[str, Any]) -> None:
    write_stack(root, "ops", {"sessions": GLOBAL_SESSIONS})
    path = root / "Pulumi.ops.yaml"
    document = yaml.safe_load(path.read_text())
    document["config"]["managed-cache:network"]["dns"] = dns
    path.write_text(yaml.safe_dump(document))


class Route53:
    """The private zones `pulumi up` would have created, in moto."""

    def __init__(self):
        self.client = boto3.client("route53", region_name="us-east-1")
        self.vpcs = {region: boto3.client("ec2", region_name=region).create_vpc(
            CidrBlock=cidr)["Vpc"]["VpcId"]
            for region, cidr in (("us-east-1", "10.50.0.0/16"), ("eu-west-1", "10.51.0.0/16"))}

    def zone(self, region: str, tags: dict[str, str] | None = None, name: str = "cache.internal",
             vpc: str | None = None) -> str:
        count = len(self.client.list_hosted_zones()["HostedZones"])
        zone_id = self.client.create_hosted_zone(
            Name=name, CallerReference=f"{region}-{count}",
            VPC={"VPCRegion": region, "VPCId": vpc or self.vpcs[region]},
            HostedZoneConfig={"PrivateZone": True, "Comment": f"cache names in {region}"},
        )["HostedZone"]["Id"].rsplit("/", 1)[-1]
        if tags:
            self.client.change_tags_for_resource(
                ResourceType="hostedzone", ResourceId=zone_id,
                AddTags=[{"Key": k, "Value": v} for k, v in tags.items()])
        return zone_id

    def cname(self, zone_id: str, name: str, target: str, ttl: int = 20) -> None:
        self.client.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch={"Changes": [{
            "Action": "CREATE", "ResourceRecordSet": {
                "Name": name, "Type": "CNAME", "TTL": ttl,
                "ResourceRecords": [{"Value": target}]}}]})

    def records(self, zone_id: str) -> dict[str, tuple[str, int]]:
        """name -> (CNAME target, TTL)."""
        sets = self.client.list_resource_record_sets(HostedZoneId=zone_id)["ResourceRecordSets"]
        return {r["Name"].rstrip("."): (r["ResourceRecords"][0]["Value"], r["TTL"])
                for r in sets if r["Type"] == "CNAME"}


def deployed(r53: Route53) -> dict[str, str]:
    """A zone per region as the program creates them, with the cache's three names."""
    zones = {region: r53.zone(region, STACK_TAGS) for region in ("us-east-1", "eu-west-1")}
    for region, zone_id in zones.items():
        local = PRIMARY if region == "us-east-1" else SECONDARY
        r53.cname(zone_id, "sessions.cache.internal", endpoint_of(local, region))
        r53.cname(zone_id, "sessions-reader.cache.internal",
                  endpoint_of(local, region, "replica"))
        r53.cname(zone_id, WRITER, OLD)
    return zones


def write_failover_project(root: Path) -> Path:
    """A project folder for the failover commands: `ops` with the Global Datastore cache and
    Memcached, `local` with a lone production cache, `dev` with a cache without replicas."""
    write_stack(root, "ops", {"sessions": GLOBAL_SESSIONS, "fragments": FRAGMENTS})
    write_stack(root, "local", {"sessions": PROD_SESSIONS})
    write_stack(root, "dev", {"sessions": {"node_type": "cache.t4g.micro", "replicas": 0}},
                profile="development")
    return root


def write_dns_project(root: Path) -> Path:
    """A project folder whose `ops` stack has the Global Datastore cache and network.dns
    (zone cache.internal, TTL 20 s)."""
    write_dns_stack(root, {"zone": "cache.internal", "ttl": 20})
    return root


def assert_failover_refused_for_a_missing_writer(capsys: pytest.CaptureFixture[str],
                                                 project: Path, west: Stubbed,
                                                 zone_id: str) -> None:
    """A failover to eu-west-1 whose zone there lacks the writer's CNAME: refused before any
    change, naming the zone."""
    west.globals_list(global_api(GID, gid_members()))
    code, _, err = run_failover(capsys, project, clients=clients_for(west))
    assert code == 2
    assert err == (f"error: zone {zone_id} (eu-west-1) has no CNAME {WRITER}; run "
                   "`pulumi up --refresh` to create it\n")
    assert "FailoverGlobalReplicationGroup" not in west.operations
