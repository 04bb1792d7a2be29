"""`python -m ops discover --region REGION` against moto: a YAML block per live cache that the
config loader accepts and the program adopts (import), member nodes read with their group and
never listed as caches, and ids, Global Datastore members and standalone nodes explained.

moto (5.2) leaves out fields AWS returns for cache clusters (a member's ReplicationGroupId, its
CacheParameterGroup and SecurityGroups, a Memcached cluster's ConfigurationEndpoint) and has no
parameter-group API: `AwsFaithful` adds those fields to moto's answers and answers the
parameter calls, with fields from botocore's elasticache service model.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml
from botocore.awsrequest import AWSResponse
from moto.server import ThreadedMotoServer

from infra.config import load_stack_config
from ops import discover
from ops.clients import Clients
from tests.ops.support import make_clients, run_ops

REGION = "us-east-1"
KMS = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
PROJECT = Path(__file__).resolve().parents[2]
FAMILY_DEFAULTS = {"valkey8": {"maxmemory-policy": "volatile-lru", "timeout": "0",
                               "cluster-enabled": "no"},
                   "memcached1.6": {"max_item_size": "1048576", "chunk_size": "48"}}
LIVE_PARAMETERS = {"legacy-valkey": ("valkey8", {"maxmemory-policy": "allkeys-lru",
                                                  "timeout": "0", "cluster-enabled": "no"}),
                   "legacy-memcached": ("memcached1.6", {"max_item_size": "4194304",
                                                         "chunk_size": "48"}),
                   "legacy-valkey-cluster": ("valkey8", {"cluster-enabled": "yes",
                                                         "timeout": "300"})}


class AwsFaithful:
    """Hooks on a moto-backed elasticache client that make its answers read like AWS's."""

    def __init__(self, client: Any, parameter_groups: dict[str, str],
                 global_members: dict[str, str] | None = None,
                 fields: dict[str, dict[str, Any]] | None = None):
        self.parameter_groups = parameter_groups      # cache id -> parameter group name
        self.global_members = global_members or {}    # replication group id -> global id
        # group or node id -> fields its answer reports instead (None: leaves the field out)
        self.fields = fields or {}
        self.members: dict[str, str] = {}             # member node id -> group id
        events = client.meta.events
        events.register("after-call.elasticache.DescribeReplicationGroups", self._groups)
        events.register("after-call.elasticache.DescribeCacheClusters", self._clusters)
        for operation, answer in (("DescribeCacheParameterGroups", self._parameter_groups),
                                  ("DescribeCacheParameters", self._parameters),
                                  ("DescribeEngineDefaultParameters", self._defaults)):
            events.register(f"before-call.elasticache.{operation}", answer)

    def _groups(self, parsed: dict[str, Any], **_: Any) -> None:
        for group in parsed.get("ReplicationGroups", []):
            for member in group.get("MemberClusters", []):
                self.members[member] = group["ReplicationGroupId"]
            if group["ReplicationGroupId"] in self.global_members:
                group["GlobalReplicationGroupInfo"] = {
                    "GlobalReplicationGroupId": self.global_members[group["ReplicationGroupId"]],
                    "GlobalReplicationGroupMemberRole": "PRIMARY"}
            self._amend(group, group["ReplicationGroupId"])

    def _amend(self, answer: dict[str, Any], answer_id: str) -> None:
        for key, value in self.fields.get(answer_id, {}).items():
            if value is None:
                answer.pop(key, None)
            else:
                answer[key] = value

    def _clusters(self, parsed: dict[str, Any], **_: Any) -> None:
        for cluster in parsed.get("CacheClusters", []):
            cluster_id = cluster["CacheClusterId"]
            owner = self.members.get(cluster_id)
            if owner is not None:                  # AWS names a member's group
                cluster["ReplicationGroupId"] = owner
            name = self.parameter_groups.get(owner or cluster_id)
            if name is not None:
                cluster["CacheParameterGroup"] = {"CacheParameterGroupName": name,
                                                  "ParameterApplyStatus": "in-sync"}
            cluster["SecurityGroups"] = [{"SecurityGroupId": "sg-0aaa1111bbbb2222c",
                                          "Status": "active"}]
            if cluster.get("Engine") == "memcached":
                cluster["ConfigurationEndpoint"] = {
                    "Address": f"{cluster_id}.ab12cd.cfg.use1.cache.amazonaws.com", "Port": 11211}
            self._amend(cluster, cluster_id)

    @staticmethod
    def _answer(body: dict[str, Any]) -> tuple[AWSResponse, dict[str, Any]]:
        return AWSResponse("https://elasticache.us-east-1.amazonaws.com", 200, {}, None), body

    # before-call hands over the serialized request; elasticache's query protocol puts the
    # operation's parameters in its body.
    def _parameter_groups(self, params: dict[str, Any], **_: Any):
        name = params["body"]["CacheParameterGroupName"]
        family, _values = LIVE_PARAMETERS[name]
        return self._answer({"CacheParameterGroups": [{
            "CacheParameterGroupName": name, "CacheParameterGroupFamily": family,
            "Description": "legacy"}]})

    def _parameters(self, params: dict[str, Any], **_: Any):
        _family, values = LIVE_PARAMETERS[params["body"]["CacheParameterGroupName"]]
        return self._answer({"Parameters": [
            {"ParameterName": key, "ParameterValue": value, "Source": "user"}
            for key, value in values.items()]})

    def _defaults(self, params: dict[str, Any], **_: Any):
        family = params["body"]["CacheParameterGroupFamily"]
        return self._answer({"EngineDefaults": {
            "CacheParameterGroupFamily": family,
            "Parameters": [{"ParameterName": key, "ParameterValue": value}
                           for key, value in FAMILY_DEFAULTS[family].items()]}})


# ---------------------------------------------------------------------------------------------
# Seeding moto with caches created outside this project
# ---------------------------------------------------------------------------------------------
def network(ec2: Any, ec: Any) -> tuple[str, list[str]]:
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.9.{i}.0/24")["Subnet"]["SubnetId"]
               for i in range(2)]
    ec.create_cache_subnet_group(CacheSubnetGroupName="legacy-subnets",
                                 CacheSubnetGroupDescription="legacy", SubnetIds=subnets)
    return vpc, subnets


def legacy_group(ec: Any, group_id: str = "prod-sessions", **overrides: Any) -> None:
    """A replication group, and its member nodes as AWS lists them (moto does not add them)."""
    params: dict[str, Any] = dict(
        ReplicationGroupId=group_id, ReplicationGroupDescription="sessions (legacy)",
        Engine="valkey", EngineVersion="8.0", CacheNodeType="cache.r7g.large",
        ReplicasPerNodeGroup=2, AutomaticFailoverEnabled=True, MultiAZEnabled=True,
        AtRestEncryptionEnabled=True, TransitEncryptionEnabled=True,
        AuthToken="A1b2C3d4E5f6G7h8I9j0", KmsKeyId=KMS, SnapshotRetentionLimit=7,
        SnapshotWindow="02:00-03:00", Port=6380, CacheSubnetGroupName="legacy-subnets")
    params.update(overrides)
    params = {key: value for key, value in params.items() if value is not None}
    group = ec.create_replication_group(**params)["ReplicationGroup"]
    for member in group["MemberClusters"]:
        ec.create_cache_cluster(CacheClusterId=member, ReplicationGroupId=group_id,
                                Engine=params["Engine"], EngineVersion="8.0.1",
                                CacheNodeType=params["CacheNodeType"],
                                PreferredMaintenanceWindow="tue:06:00-tue:07:00",
                                CacheSubnetGroupName="legacy-subnets")


def legacy_memcached(ec: Any, cluster_id: str = "prod-fragments") -> None:
    ec.create_cache_cluster(CacheClusterId=cluster_id, Engine="memcached",
                            EngineVersion="1.6.22", CacheNodeType="cache.m7g.large",
                            NumCacheNodes=3, PreferredMaintenanceWindow="sun:05:00-sun:08:00",
                            CacheSubnetGroupName="legacy-subnets", TransitEncryptionEnabled=True)


@pytest.fixture
def seeded() -> dict[str, Any]:
    ec2 = boto3.client("ec2", region_name=REGION)
    ec = boto3.client("elasticache", region_name=REGION)
    vpc, subnets = network(ec2, ec)
    legacy_group(ec)
    legacy_memcached(ec)
    return {"vpc": vpc, "subnets": subnets, "ec": ec}


def faithful_clients(global_members: dict[str, str] | None = None,
                     fields: dict[str, dict[str, Any]] | None = None) -> Clients:
    clients = make_clients()
    AwsFaithful(clients.elasticache(REGION),
                {"prod-sessions": "legacy-valkey", "prod-fragments": "legacy-memcached",
                 "prod-carts": "legacy-valkey-cluster"},
                global_members, fields)
    return clients


def documents(out: str) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(out) if doc]


def unwrapped(out: str) -> str:
    """The output with wrapped comment lines joined again."""
    return out.replace("\n#   ", " ")


def flat(doc: dict[str, Any]) -> dict[str, str]:
    """A document as the CLI passes config: objects as JSON strings."""
    return {k: json.dumps(v) if isinstance(v, (dict, list)) else str(v) for k, v in doc.items()}


# ---------------------------------------------------------------------------------------------
def test_each_cache_becomes_a_block_the_config_loader_accepts(capsys, seeded):
    code, out, err = run_ops(capsys, "discover", "--region", REGION, clients=faithful_clients())
    assert (code, err) == (0, "")
    docs = documents(out)
    assert [list(d["managed-cache:caches"]) for d in docs] == [["sessions"], ["fragments"]]
    for doc in docs:
        spec = load_stack_config(flat(doc), "adopt")      # validates, or raises ConfigError
        assert spec.name_prefix == "prod" and spec.region == REGION
    sessions = docs[0]["managed-cache:caches"]["sessions"]
    assert sessions == {
        "engine": "valkey", "engine_version": "8.0", "description": "sessions (legacy)",
        "node_type": "cache.r7g.large", "replicas": 2,
        # Overrides only: the family default and cluster-enabled (the program's own) are left out.
        "parameters": {"maxmemory-policy": "allkeys-lru"},
        "maintenance_window": "tue:06:00-tue:07:00", "snapshot_window": "02:00-03:00",
        "snapshot_retention_days": 7,
        "aws": {"import_id": "prod-sessions", "port": 6380, "kms_key_arn": KMS,
                "subnet_group_name": "legacy-subnets"}}
    assert docs[0]["managed-cache:network"] == {
        "vpc_id": seeded["vpc"], "subnet_ids": sorted(seeded["subnets"]),
        "allowed_cidrs": ["10.9.0.0/16"]}
    fragments = docs[1]["managed-cache:caches"]["fragments"]
    assert fragments == {
        "engine": "memcached", "engine_version": "1.6.22", "node_type": "cache.m7g.large",
        "nodes": 3, "parameters": {"max_item_size": "4194304"},
        "maintenance_window": "sun:05:00-sun:08:00",
        "aws": {"import_id": "prod-fragments", "subnet_group_name": "legacy-subnets"}}
    assert "# prod-sessions: valkey 8.0.1 replication group in us-east-1, 1 shard(s) x 3 " \
           "node(s)" in out
    assert "uses an AUTH token, which AWS does not reveal" in unwrapped(out)


def test_every_private_range_of_the_vpc_is_admitted(capsys, seeded):
    """DescribeVpcs' CidrBlock is the primary range only; secondary ranges (EKS pods, say) are
    associations, and a client there must keep reaching the adopted cache."""
    ec2 = boto3.client("ec2", region_name=REGION)
    ec2.associate_vpc_cidr_block(VpcId=seeded["vpc"], CidrBlock="100.64.0.0/16")
    gone = ec2.associate_vpc_cidr_block(VpcId=seeded["vpc"], CidrBlock="10.10.0.0/16")
    ec2.disassociate_vpc_cidr_block(AssociationId=gone["CidrBlockAssociation"]["AssociationId"])
    ec2.associate_vpc_cidr_block(VpcId=seeded["vpc"], CidrBlock="198.19.0.0/16")   # not private

    code, out, err = run_ops(capsys, "discover", "--region", REGION, clients=faithful_clients())

    assert (code, err) == (0, "")
    docs = documents(out)
    assert docs[0]["managed-cache:network"]["allowed_cidrs"] == ["10.9.0.0/16", "100.64.0.0/16"]
    load_stack_config(flat(docs[0]), "adopt")                 # validates, or raises ConfigError
    assert "VPC " + seeded["vpc"] + " also has 198.19.0.0/16, not a private range, which " \
           "network.allowed_cidrs cannot admit; clients there lose access to the cache after " \
           "`pulumi up`." in unwrapped(out)


def test_member_nodes_are_read_with_their_group_never_as_caches(capsys, seeded):
    # As AWS lists them: members carry their ReplicationGroupId.
    out = run_ops(capsys, "discover", "--region", REGION, clients=faithful_clients())[1]
    assert "prod-sessions-001" not in out and "outside a replication group" not in out
    # Without ReplicationGroupId (moto's answer), membership in MemberClusters still tells.
    out = run_ops(capsys, "discover", "--region", REGION, clients=make_clients())[1]
    assert "prod-sessions-001" not in out
    assert [list(d["managed-cache:caches"]) for d in documents(out)] == [["sessions"],
                                                                         ["fragments"]]


def test_a_standalone_redis_node_is_explained_not_printed(capsys, seeded):
    seeded["ec"].create_cache_cluster(CacheClusterId="prod-lonely", Engine="redis",
                                      EngineVersion="7.1", CacheNodeType="cache.t4g.micro",
                                      NumCacheNodes=1)
    out = unwrapped(run_ops(capsys, "discover", "--region", REGION,
                            clients=faithful_clients())[1])
    assert "# prod-lonely: a redis cache cluster outside a replication group; the program " \
           "runs Valkey" in out
    assert len(documents(out)) == 2


def test_sharded_group_without_kms_key(capsys, seeded):
    legacy_group(seeded["ec"], "prod-carts", ClusterMode="enabled", NumNodeGroups=2,
                 ReplicasPerNodeGroup=1, KmsKeyId=None, Port=6379)
    found = {f.cache_id: f for f in discover.discover(REGION, faithful_clients())}
    carts = found["prod-carts"].config["managed-cache:caches"]["carts"]
    assert (carts["shards"], carts["replicas"]) == (2, 1)
    # No key on the live group: a new one would replace it, so the block says so.
    assert carts["aws"]["create_kms_key"] is False and "port" not in carts["aws"]
    load_stack_config(flat(found["prod-carts"].config), "adopt")


def test_ids_the_program_cannot_name_are_explained(capsys, seeded):
    legacy_group(seeded["ec"], "sessions")            # no "<prefix>-" part
    out = unwrapped(run_ops(capsys, "discover", "--region", REGION,
                            clients=faithful_clients())[1])
    assert "# not printed: the program names a cache '<name_prefix>-<cache>' and 'sessions' " \
           "cannot be written that way" in out
    out = unwrapped(run_ops(capsys, "discover", "--region", REGION, "--name-prefix", "stage",
                            clients=faithful_clients())[1])
    assert documents(out) == []
    assert out.count("# not printed: the program names a cache 'stage-<cache>'") == 3


def test_a_global_datastore_member_is_not_printed(capsys, seeded):
    clients = faithful_clients({"prod-sessions": "ldgnf-prod-sessions"})
    out = unwrapped(run_ops(capsys, "discover", "--region", REGION, clients=clients)[1])
    assert "member of Global Datastore ldgnf-prod-sessions" in out
    assert [list(d["managed-cache:caches"]) for d in documents(out)] == [["fragments"]]


def test_the_block_makes_the_program_import_the_live_cache(capsys, seeded, run_stack):
    out = run_ops(capsys, "discover", "--region", REGION, clients=faithful_clients())[1]
    recorder = run_stack(flat(documents(out)[0]), stack="adopt")
    [group] = recorder.of_type("aws:elasticache/replicationGroup:ReplicationGroup")
    assert group.import_id == "prod-sessions" and group.protect
    assert (group.inputs["replicationGroupId"], group.inputs["port"],
            group.inputs["kmsKeyId"], group.inputs["subnetGroupName"]) == (
        "prod-sessions", 6380, KMS, "legacy-subnets")
    assert group.inputs["numCacheClusters"] == 3


def test_a_group_without_tls_is_adopted_with_tls_preferred_first(capsys, seeded, run_stack):
    # AWS turns TLS on for a live group only as "preferred"; "required" in one step is refused.
    legacy_group(seeded["ec"], "prod-plain", TransitEncryptionEnabled=False, AuthToken=None,
                 Port=6379)
    found = {f.cache_id: f for f in discover.discover(REGION, faithful_clients())}
    plain = found["prod-plain"]
    assert plain.config["managed-cache:caches"]["plain"]["aws"]["transit_encryption_mode"] \
        == "preferred"
    assert any("first as aws.transit_encryption_mode: preferred" in c for c in plain.comments)
    assert ("has no AUTH: after the import the program sets an AUTH token (or aws.users); "
            "clients must authenticate from then on.") in plain.comments
    recorder = run_stack(flat(plain.config), stack="adopt")
    [group] = recorder.of_type("aws:elasticache/replicationGroup:ReplicationGroup")
    assert (group.inputs["transitEncryptionEnabled"], group.inputs["transitEncryptionMode"]) \
        == (True, "preferred")
    # A group that has TLS keeps the program's "required".
    sessions = found["prod-sessions"].config["managed-cache:caches"]["sessions"]["aws"]
    assert "transit_encryption_mode" not in sessions


def test_a_group_with_tls_preferred_keeps_preferred(seeded):
    # Plaintext clients still connect: switching to required on adoption would cut them off.
    legacy_group(seeded["ec"], "prod-mixed", TransitEncryptionMode="preferred", Port=6379)
    found = {f.cache_id: f for f in discover.discover(REGION, faithful_clients())}
    mixed = found["prod-mixed"]
    assert mixed.config["managed-cache:caches"]["mixed"]["aws"]["transit_encryption_mode"] \
        == "preferred"
    assert any(c.startswith("TLS is preferred") for c in mixed.comments)


def test_an_empty_region_says_so(capsys):
    code, out, _ = run_ops(capsys, "discover", "--region", "eu-west-1", clients=make_clients())
    assert code == 0 and out.endswith("# no replication groups or Memcached clusters in "
                                      "eu-west-1\n")


def test_an_unknown_region_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_:
        run_ops(capsys, "discover", "--region", "us-est-1")
    assert exit_.value.code == 2
    assert "'us-est-1' is not an AWS region ElastiCache is offered in. Did you mean " \
           "'us-east-1'" in capsys.readouterr().err


@pytest.mark.parametrize(("live", "config"), [
    ("8.0.1", "8.0"), ("7.2.4", "7.2"), ("7.1.0", "7.1"), ("6.2.6", "6.2"), ("6.0.5", "6.x")])
def test_live_versions_map_to_config_versions(live, config):
    engine = "valkey" if live.startswith(("8", "7.2")) else "redis"
    assert discover.config_version(engine, live) == config


def test_each_block_says_what_adopting_changes_and_nothing_else(seeded):
    found = {f.cache_id: f for f in discover.discover(REGION, faithful_clients())}
    network_note = (f"network: VPC {seeded['vpc']} of subnet group legacy-subnets. The stack's "
                    "own security group replaces sg-0aaa1111bbbb2222c in place; it admits "
                    "network.allowed_cidrs (the whole VPC here: narrow it) and "
                    "network.allowed_security_group_ids.")
    assert found["prod-sessions"].comments == [
        "prod-sessions: valkey 8.0.1 replication group in us-east-1, 1 shard(s) x 3 node(s)",
        network_note,
        "uses an AUTH token, which AWS does not reveal: after the import the program sets its "
        "own (or attaches aws.users), and clients must switch then."]
    assert found["prod-fragments"].comments == [
        "prod-fragments: memcached 1.6.22 cluster in us-east-1, 3 node(s)", network_note]


def test_a_single_shard_cluster_mode_group_keeps_its_mode_port_and_settings(seeded):
    # One shard does not tell cluster mode; adopting it as cluster mode off would replace it.
    legacy_group(seeded["ec"], "prod-carts", ClusterMode="enabled", NumNodeGroups=1,
                 ReplicasPerNodeGroup=0, KmsKeyId=None, AtRestEncryptionEnabled=False,
                 AuthToken=None, UserGroupIds=["legacy-users"], AutoMinorVersionUpgrade=False,
                 SnapshotRetentionLimit=0)
    clients = faithful_clients(fields={"prod-carts-0001-001": {"SecurityGroups": None}})
    [carts] = [f for f in discover.discover(REGION, clients) if f.cache_id == "prod-carts"]
    assert carts.config["managed-cache:caches"]["carts"] == {
        "engine": "valkey", "engine_version": "8.0", "description": "sessions (legacy)",
        "node_type": "cache.r7g.large", "replicas": 0,
        "parameters": {"timeout": "300"},                      # cluster-enabled is the program's
        "maintenance_window": "tue:06:00-tue:07:00", "snapshot_window": "02:00-03:00",
        "snapshot_retention_days": 0,
        "aws": {"import_id": "prod-carts", "port": 6380, "create_kms_key": False,
                "cluster_mode": True, "auto_minor_version_upgrade": False,
                "subnet_group_name": "legacy-subnets"}}
    assert carts.comments[0] == ("prod-carts: valkey 8.0.1 replication group in us-east-1, "
                                 "1 shard(s) x 1 node(s)")
    assert "security group replaces the cache's security groups in place" in carts.comments[1]
    assert carts.comments[2:] == [
        "uses RBAC user group(s) legacy-users: describe its users under aws.users before "
        "removing aws.import_id, or the next update moves the cache to the program's AUTH token.",
        "not encrypted at rest: the program encrypts, which AWS can only do on a new group "
        "(at_rest_encryption_enabled is ForceNew); the import keeps it protected, so the update "
        "stops. Restore a snapshot into a new cache (restore_from) instead of adopting this one."]
    load_stack_config(flat(carts.config), "adopt")


def test_a_group_answer_without_engine_and_an_old_version_and_kms_key_id_is_explained(seeded):
    # An older DescribeReplicationGroups answer names no Engine: the member node's tells.
    legacy_group(seeded["ec"], "prod-old", Engine="redis", EngineVersion="5.0.6", Port=6379,
                 KmsKeyId="1234abcd-12ab-34cd-56ef-1234567890ab")
    clients = faithful_clients(fields={
        "prod-old": {"Engine": None}, "prod-sessions": {"Engine": None},
        "prod-old-001": {"CacheSubnetGroupName": None, "EngineVersion": "5.0.6"}})
    found = {f.cache_id: f for f in discover.discover(REGION, clients)}
    assert found["prod-sessions"].config["managed-cache:caches"]["sessions"]["engine"] == \
        "valkey"
    old = found["prod-old"]
    cache = old.config["managed-cache:caches"]["old"]
    assert (cache["engine"], cache["engine_version"]) == ("redis", "5.0")
    assert "kms_key_arn" not in cache["aws"] and "create_kms_key" not in cache["aws"]
    assert "subnet_group_name" not in cache["aws"]
    assert "managed-cache:network" not in old.config
    assert old.comments == [
        "prod-old: redis 5.0.6 replication group in us-east-1, 1 shard(s) x 3 node(s)",
        "encrypted with KMS key 1234abcd-12ab-34cd-56ef-1234567890ab: write its ARN as "
        "aws.kms_key_arn (the program needs the ARN).",
        "no subnet group reported: set network and aws.subnet_group_name by hand.",
        "uses an AUTH token, which AWS does not reveal: after the import the program sets its "
        "own (or attaches aws.users), and clients must switch then.",
        "engine version '5.0.6' is not one this project offers for redis (6.x, 6.2, 7.0, 7.1); "
        "upgrade it in place first, then run discover again."]


def test_a_group_whose_nodes_are_not_listed_has_an_unknown_version(seeded):
    seeded["ec"].create_replication_group(
        ReplicationGroupId="prod-bare", ReplicationGroupDescription="bare", Engine="valkey",
        CacheNodeType="cache.r7g.large", ReplicasPerNodeGroup=1, TransitEncryptionEnabled=True,
        AtRestEncryptionEnabled=True, KmsKeyId=KMS)
    [bare] = [f for f in discover.discover(REGION, faithful_clients())
              if f.cache_id == "prod-bare"]
    assert bare.comments[0] == ("prod-bare: valkey (version unknown) replication group in "
                                "us-east-1, 1 shard(s) x 2 node(s)")
    assert "engine_version" not in bare.config["managed-cache:caches"]["bare"]


def test_a_memcached_cluster_without_tls_on_another_port_and_version_is_explained(seeded):
    legacy_memcached(seeded["ec"], "prod-tiles")
    clients = faithful_clients(fields={"prod-tiles": {
        "TransitEncryptionEnabled": None, "EngineVersion": "1.5.16",
        "ConfigurationEndpoint": {"Address": "prod-tiles.cfg", "Port": 11212},
        "SecurityGroups": [{"SecurityGroupId": "sg-1", "Status": "active"},
                           {"SecurityGroupId": "sg-2", "Status": "active"}]}})
    [tiles] = [f for f in discover.discover(REGION, clients) if f.cache_id == "prod-tiles"]
    assert tiles.config["managed-cache:caches"]["tiles"]["aws"]["port"] == 11212
    assert tiles.comments[0] == "prod-tiles: memcached 1.5.16 cluster in us-east-1, 3 node(s)"
    assert "security group replaces sg-1, sg-2 in place" in tiles.comments[1]
    assert tiles.comments[2:] == [
        "TLS is off: the program turns it on, which replaces a Memcached cluster "
        "(transit_encryption_enabled is ForceNew in terraform-provider-aws cluster.go); the "
        "import keeps the cluster protected, so the update stops instead. Move the data to a "
        "new cluster instead of adopting this one.",
        "engine version '1.5.16' is not one this project offers for memcached (1.6.12, 1.6.17, "
        "1.6.22)."]


def test_a_name_prefix_takes_the_rest_of_the_id_as_the_cache_name(capsys, seeded):
    legacy_group(seeded["ec"], "products-main", Port=6379)
    out = unwrapped(run_ops(capsys, "discover", "--region", REGION, "--name-prefix", "prod",
                            clients=faithful_clients())[1])
    assert [list(d["managed-cache:caches"]) for d in documents(out)] == [["sessions"],
                                                                         ["fragments"]]
    assert "# not printed: the program names a cache 'prod-<cache>' and 'products-main' " in out


def test_a_cache_that_is_not_printed_is_only_comment_lines(capsys, seeded):
    clients = faithful_clients({"prod-sessions": "ldgnf-prod-sessions"})
    out = run_ops(capsys, "discover", "--region", REGION, clients=clients)[1]
    assert ("\n# prod-sessions: valkey 8.0.1 replication group in us-east-1, 1 shard(s) x 3 "
            "node(s)\n# member of Global Datastore ldgnf-prod-sessions: a Global Datastore "
            "cannot be adopted in one\n#   step; not printed (docs/adopting.md).\n\n---\n") in out
    assert [doc for doc in yaml.safe_load_all(out)] == documents(out)      # no empty document


# ---------------------------------------------------------------------------------------------
def test_cli_subprocess_honours_aws_endpoint_url(tmp_path):
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        seed = {"region_name": REGION, "endpoint_url": endpoint,
                "aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
        ec = boto3.client("elasticache", **seed)
        network(boto3.client("ec2", **seed), ec)
        legacy_group(ec)
        env = {"PATH": os.environ.get("PATH", ""), "AWS_ENDPOINT_URL": endpoint,
               "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
               "AWS_CONFIG_FILE": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
               "AWS_EC2_METADATA_DISABLED": "true"}
        done = subprocess.run([sys.executable, "-m", "ops", "discover", "--region", REGION],
                              cwd=PROJECT, env=env, capture_output=True, text=True, timeout=60,
                              check=False)
    finally:
        server.stop()
    assert (done.returncode, done.stderr) == (0, "")
    [doc] = documents(done.stdout)
    assert doc["managed-cache:caches"]["sessions"]["aws"]["import_id"] == "prod-sessions"
    load_stack_config(flat(doc), "adopt")
