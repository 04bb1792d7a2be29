"""ElastiCacheGlobalDatastore: primary, global group and secondaries across two regions."""

from __future__ import annotations

from dataclasses import replace

import pulumi

from components.aws.global_datastore import (
    ElastiCacheGlobalDatastore,
    GlobalDatastoreArgs,
    SecondaryRegionArgs,
)
from infra import providers
from tests.builders import ARGS, aws_config

RG = "aws:elasticache/replicationGroup:ReplicationGroup"
GLOBAL = "aws:elasticache/globalReplicationGroup:GlobalReplicationGroup"


def build(primary=ARGS, replicas=1):
    def program():
        east = providers.aws_provider("us-east-1", {})
        west = providers.aws_provider("eu-west-1", {})
        ElastiCacheGlobalDatastore("sessions", GlobalDatastoreArgs(
            primary=primary,
            secondaries=[SecondaryRegionArgs(
                region="eu-west-1", provider=west, replication_group_id="test-sessions-euw1",
                replicas=replicas, subnet_group_name="test-cache-eu",
                security_group_ids=["sg-0123456789abcdef9"])],
        ), opts=pulumi.ResourceOptions(providers=[east, providers.random_provider()]))
    return program


def groups(recorder):
    return {r.inputs["replicationGroupId"]: r for r in recorder.of_type(RG)}


def test_sharded_global_datastore_two_shards_one_replica(run):
    primary = replace(ARGS, shards=2, replicas=1, cluster_mode=True,
                      parameters={"cluster-enabled": "yes"})
    recorder = run(build(primary, replicas=1))
    [global_group] = recorder.of_type(GLOBAL)
    assert global_group.inputs["globalReplicationGroupIdSuffix"] == "test-sessions"
    assert global_group.inputs["numNodeGroups"] == 2
    assert global_group.inputs["cacheNodeType"] == "cache.r7g.large"
    # The members take their engine from the global group: a Redis OSS to Valkey upgrade is
    # made there (ModifyGlobalReplicationGroup, Engine and EngineVersion together).
    assert (global_group.inputs["engine"], global_group.inputs["engineVersion"]) == (
        "valkey", "8.1")
    assert global_group.inputs["automaticFailoverEnabled"] is True
    assert global_group.inputs["parameterGroupName"] == "test-sessions-valkey8"
    by_id = groups(recorder)
    assert by_id["test-sessions"].inputs["numNodeGroups"] == 2
    assert by_id["test-sessions"].inputs["replicasPerNodeGroup"] == 1
    secondary = by_id["test-sessions-euw1"].inputs
    assert secondary["replicasPerNodeGroup"] == 1
    assert "numNodeGroups" not in secondary and "numCacheClusters" not in secondary
    assert secondary["globalReplicationGroupId"] == "ldgnf-test-sessions"


def test_secondary_uses_the_secondary_region_provider_and_network(run):
    recorder = run(build())
    by_id = groups(recorder)
    assert "aws-us-east-1" in by_id["test-sessions"].provider
    assert "aws-eu-west-1" in by_id["test-sessions-euw1"].provider
    secondary = by_id["test-sessions-euw1"].inputs
    assert secondary["subnetGroupName"] == "test-cache-eu"
    assert secondary["securityGroupIds"] == ["sg-0123456789abcdef9"]
    assert secondary["numCacheClusters"] == 2
    [global_group] = recorder.of_type(GLOBAL)
    assert "aws-us-east-1" in global_group.provider
    # The secondary's component waits for the global group it joins.
    [secondary_component] = [r for r in recorder.of_type(
        "managed-cache:aws:ElastiCacheReplicationGroup") if r.name == "sessions-eu-west-1"]
    assert global_group.urn in secondary_component.dependencies


def test_secondary_sets_nothing_aws_rejects(run):
    secondary = groups(run(build()))["test-sessions-euw1"].inputs
    rejected = {"numNodeGroups", "parameterGroupName", "engine", "engineVersion", "nodeType",
                "securityGroupNames", "transitEncryptionEnabled", "transitEncryptionMode",
                "atRestEncryptionEnabled", "snapshotArns", "snapshotName", "authToken"}
    assert rejected.isdisjoint(secondary), rejected & set(secondary)


def test_each_region_gets_its_own_customer_key(run):
    recorder = run(build(replace(ARGS, create_kms_key=True)))
    keys = recorder.of_type("aws:kms/key:Key")
    assert sorted(k.provider.split("::")[-2] for k in keys) == ["aws-eu-west-1", "aws-us-east-1"]


def test_primary_keeps_a_lone_cache_urn_through_an_alias(run):
    recorder = run(build())
    [primary] = [r for r in recorder.of_type("managed-cache:aws:ElastiCacheReplicationGroup")
                 if r.name == "sessions"]
    [datastore] = recorder.of_type("managed-cache:aws:ElastiCacheGlobalDatastore")
    assert primary.parent == datastore.urn
    assert primary.aliased  # declares the lone cache's URN as an alias


def test_a_lone_primary_keeps_the_urn_it_had_in_a_global_datastore_through_an_alias(run_stack):
    # Removing `global:`: the real engine puts every parent's type in a child's URN, so
    # without this alias the group, its AUTH token and alarms would all be created anew.
    lone_cache = {"s": {"node_type": "cache.r7g.large", "replicas": 1}}
    global_cache = {"s": {**lone_cache["s"], "global": {"secondary_region": "eu-west-1"}}}
    [datastore] = run_stack(aws_config(global_cache)).of_type(
        "managed-cache:aws:ElastiCacheGlobalDatastore")
    [lone] = [r for r in run_stack(aws_config(lone_cache)).of_type(
        "managed-cache:aws:ElastiCacheReplicationGroup") if r.name == "s"]
    assert lone.parent.endswith("pulumi:pulumi:Stack::managed-cache-test")
    # The mocks put the root stack's type into a top-level URN; the engine leaves it out
    # (sdk/go/common/resource/urn/urn.go New), as pulumi.create_urn does.
    assert datastore.parent.endswith("pulumi:pulumi:Stack::managed-cache-test")
    assert lone.alias_parents == [datastore.urn.replace("pulumi:pulumi:Stack$", "")]


def test_changing_node_type_edits_the_global_group_not_the_members(run_stack):
    """After creation, a new node type reaches AWS through the global group only."""
    caches = {"s": {"node_type": "cache.r7g.large", "replicas": 1,
                    "global": {"secondary_region": "eu-west-1"}}}
    before = run_stack(aws_config(caches))
    caches["s"]["node_type"] = "cache.r7g.xlarge"
    after = run_stack(aws_config(caches))
    [g_before], [g_after] = before.of_type(GLOBAL), after.of_type(GLOBAL)
    assert (g_before.inputs["cacheNodeType"], g_after.inputs["cacheNodeType"]) == (
        "cache.r7g.large", "cache.r7g.xlarge")
    primary = groups(after)["test-s"]
    assert "nodeType" in primary.ignore_changes          # the member is never edited
    assert "nodeType" not in groups(after)["test-s-euw1"].inputs


def test_secondary_sends_nothing_it_inherits_or_aws_switches_off(run):
    """A secondary inherits Multi-AZ, failover and port from the primary, and AWS turns auto
    minor version upgrade off on every member: sending any of them is refused or drifts."""
    secondary = groups(run(build(replace(ARGS, port=6380))))["test-sessions-euw1"]
    inherited = {"multiAzEnabled", "automaticFailoverEnabled", "port", "autoMinorVersionUpgrade"}
    assert inherited.isdisjoint(secondary.inputs), inherited & set(secondary.inputs)
    assert inherited <= set(secondary.ignore_changes)


def test_primary_leaves_auto_minor_version_upgrade_to_aws_once_it_joins(run):
    primary = groups(run(build()))["test-sessions"]
    assert primary.inputs["autoMinorVersionUpgrade"] is True      # sent when created
    assert "autoMinorVersionUpgrade" in primary.ignore_changes    # then AWS owns it


def test_a_version_bump_edits_the_global_group_and_no_member(run_stack):
    """Nothing that names the engine version (such as a description) may change on a member:
    ModifyReplicationGroup on a member of a Global Datastore is rejected."""
    caches = {"s": {"engine_version": "8.0", "node_type": "cache.r7g.large", "replicas": 1,
                    "global": {"secondary_region": "eu-west-1"}}}
    before = groups(run_stack(aws_config(caches)))
    caches["s"]["engine_version"] = "8.1"
    recorder = run_stack(aws_config(caches))
    for group_id, group in groups(recorder).items():
        old = before[group_id].inputs
        changed = {k for k in set(old) | set(group.inputs)
                   if old.get(k) != group.inputs.get(k)} - set(group.ignore_changes)
        assert changed == set(), (group_id, changed)
    [global_group] = recorder.of_type(GLOBAL)
    assert global_group.inputs["engineVersion"] == "8.1"


def test_a_major_upgrade_carries_the_new_family_group_through_the_global_group(run_stack):
    """ModifyGlobalReplicationGroup takes a parameter group only with a major engine upgrade:
    the global group names the family's group, so a family change travels with the version."""
    caches = {"s": {"engine_version": "7.2", "node_type": "cache.r7g.large", "replicas": 1,
                    "parameters": {"maxmemory-policy": "allkeys-lru"},
                    "global": {"secondary_region": "eu-west-1"}}}
    [before] = run_stack(aws_config(caches)).of_type(GLOBAL)
    caches["s"]["engine_version"] = "8.1"
    recorder = run_stack(aws_config(caches))
    [after] = recorder.of_type(GLOBAL)
    assert (before.inputs["engineVersion"], before.inputs["parameterGroupName"]) == (
        "7.2", "test-s-valkey7")
    assert (after.inputs["engineVersion"], after.inputs["parameterGroupName"]) == (
        "8.1", "test-s-valkey8")
    [group] = [g for g in recorder.of_type("aws:elasticache/parameterGroup:ParameterGroup")
               if g.inputs["name"] == "test-s-valkey8"]
    assert group.inputs["family"] == "valkey8"
    assert {"name": "maxmemory-policy", "value": "allkeys-lru"} in group.inputs["parameters"]
