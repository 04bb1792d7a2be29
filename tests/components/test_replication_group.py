"""ElastiCacheReplicationGroup: the arguments each shape sends to AWS."""

from __future__ import annotations

from dataclasses import replace

import pulumi
import pytest

from components.aws.replication_group import (
    AUTH_TOKEN_SPECIALS,
    ElastiCacheReplicationGroup,
    ReplicationGroupArgs,
)
from infra import providers
from infra.plan.secrets import SECRET_SIG, SIG_KEY
from tests.builders import ARGS

RG = "aws:elasticache/replicationGroup:ReplicationGroup"
def build(args: ReplicationGroupArgs):
    def program():
        aws = providers.aws_provider("us-east-1", {"Stack": "test"})
        ElastiCacheReplicationGroup("sessions", args, opts=pulumi.ResourceOptions(
            providers=[aws, providers.random_provider()]))
    return program


def group_inputs(recorder):
    [group] = recorder.of_type(RG)
    return group, group.inputs


def test_cluster_mode_off_sizes_with_num_cache_clusters_and_fails_over(run):
    _, inputs = group_inputs(run(build(ARGS)))
    assert inputs["clusterMode"] == "disabled"
    assert inputs["numCacheClusters"] == 3
    assert "numNodeGroups" not in inputs and "replicasPerNodeGroup" not in inputs
    assert inputs["automaticFailoverEnabled"] is True
    assert inputs["multiAzEnabled"] is True


def test_a_single_node_has_no_failover_or_multi_az(run):
    _, inputs = group_inputs(run(build(replace(ARGS, replicas=0))))
    assert inputs["numCacheClusters"] == 1
    assert inputs["automaticFailoverEnabled"] is False
    assert inputs["multiAzEnabled"] is False


def test_sharded_group_uses_node_groups_and_always_fails_over(run):
    _, inputs = group_inputs(run(build(replace(ARGS, shards=3, replicas=0, cluster_mode=True))))
    assert inputs["clusterMode"] == "enabled"
    assert (inputs["numNodeGroups"], inputs["replicasPerNodeGroup"]) == (3, 0)
    assert "numCacheClusters" not in inputs
    assert inputs["automaticFailoverEnabled"] is True
    assert inputs["multiAzEnabled"] is False


def test_encrypted_at_rest_and_in_transit_with_a_secret_auth_token(run):
    recorder = run(build(ARGS))
    group, inputs = group_inputs(recorder)
    assert inputs["atRestEncryptionEnabled"] is True
    assert inputs["transitEncryptionEnabled"] is True
    assert inputs["transitEncryptionMode"] == "required"
    assert inputs["authTokenUpdateStrategy"] == "ROTATE"
    # The token travels as a secret and is registered as an additional secret output.
    assert inputs["authToken"][SIG_KEY] == SECRET_SIG
    assert "authToken" in group.additional_secret_outputs
    [token] = recorder.of_type("random:index/randomPassword:RandomPassword")
    assert token.inputs["length"] == 64
    assert token.inputs["overrideSpecial"] == AUTH_TOKEN_SPECIALS == "!&#$^<>-"
    assert token.inputs["special"] is True


@pytest.mark.parametrize(("engine", "version", "mode"), [
    ("redis", "6.x", None), ("redis", "6.2", None),     # TLS on; the mode is 7.0.5+ only
    ("redis", "7.0", "required"), ("redis", "7.1", "required"),
    ("valkey", "7.2", "required"), ("valkey", "8.1", "required"),
])
def test_transit_encryption_mode_only_where_the_engine_takes_it(run, engine, version, mode):
    """AWS refuses a transit encryption mode below Redis OSS 7.0.5 ("Transit encryption mode is
    not supported for engine version 6.2.6"): Redis 6 gets TLS, which it always requires."""
    family = "redis6.x" if version.startswith("6") else f"{engine}{version[0]}"
    _, inputs = group_inputs(run(build(replace(ARGS, engine=engine, engine_version=version,
                                               parameter_group_family=family))))
    assert inputs["transitEncryptionEnabled"] is True
    assert inputs.get("transitEncryptionMode") == mode


def test_no_customer_key_by_default_and_a_rotating_key_when_asked(run):
    _, inputs = group_inputs(run(build(ARGS)))
    assert "kmsKeyId" not in inputs  # AWS-owned key
    recorder = run(build(replace(ARGS, create_kms_key=True, deletion_protection=True)))
    [key] = recorder.of_type("aws:kms/key:Key")
    assert key.inputs["enableKeyRotation"] is True and key.protect
    _, inputs = group_inputs(recorder)
    assert inputs["kmsKeyId"].startswith("arn:aws:mock:us-east-1")
    [alias] = recorder.of_type("aws:kms/alias:Alias")
    assert alias.inputs["name"] == "alias/managed-cache/test-sessions"


def test_the_cache_key_outlives_the_cache(run):
    """Its final snapshot, manual snapshots and connection secret are encrypted under the key,
    and a key pending deletion cannot be used: deleting it with the cache would leave them
    unreadable. The alias goes, so a new cache of the same id gets a new key."""
    for final_snapshot in ("test-sessions-final", None):
        recorder = run(build(replace(ARGS, create_kms_key=True,
                                     final_snapshot_name=final_snapshot)))
        [key] = recorder.of_type("aws:kms/key:Key")
        [alias] = recorder.of_type("aws:kms/alias:Alias")
        assert key.retain_on_delete and not alias.retain_on_delete


def test_an_existing_key_is_used_as_given(run):
    arn = "arn:aws:kms:us-east-1:123456789012:key/abcd"
    recorder = run(build(replace(ARGS, kms_key_arn=arn)))
    assert recorder.of_type("aws:kms/key:Key") == []
    assert group_inputs(recorder)[1]["kmsKeyId"] == arn


def test_production_protection_and_final_snapshot(run):
    recorder = run(build(replace(ARGS, deletion_protection=True,
                                 final_snapshot_name="test-sessions-final")))
    group, inputs = group_inputs(recorder)
    assert group.protect
    assert inputs["finalSnapshotIdentifier"] == "test-sessions-final"
    group, inputs = group_inputs(run(build(ARGS)))
    assert not group.protect and "finalSnapshotIdentifier" not in inputs


def test_windows_retention_and_tags(run):
    recorder = run(build(replace(ARGS, snapshot_retention_days=14, tags={"Cache": "sessions"})))
    _, inputs = group_inputs(recorder)
    assert inputs["maintenanceWindow"] == "sun:05:00-sun:06:00"
    assert inputs["snapshotWindow"] == "03:00-04:00"
    assert inputs["snapshotRetentionLimit"] == 14
    assert inputs["tags"] == {"Cache": "sessions"}
    # Its log groups carry the cache's tags too.
    assert [g.inputs["tags"] for g in recorder.of_type("aws:cloudwatch/logGroup:LogGroup")] == \
        [{"Cache": "sessions"}] * 2


def test_slow_and_engine_logs_go_to_cloudwatch_with_retention(run):
    recorder = run(build(ARGS))
    logs = {r.inputs["name"]: r.inputs["retentionInDays"]
            for r in recorder.of_type("aws:cloudwatch/logGroup:LogGroup")}
    assert logs == {"/aws/elasticache/test-sessions/slow-log": 30,
                    "/aws/elasticache/test-sessions/engine-log": 30}
    _, inputs = group_inputs(recorder)
    assert sorted((c["logType"], c["destination"], c["destinationType"])
                  for c in inputs["logDeliveryConfigurations"]) == [
        ("engine-log", "/aws/elasticache/test-sessions/engine-log", "cloudwatch-logs"),
        ("slow-log", "/aws/elasticache/test-sessions/slow-log", "cloudwatch-logs")]


def test_parameter_group_named_after_its_family(run):
    recorder = run(build(ARGS))
    [params] = recorder.of_type("aws:elasticache/parameterGroup:ParameterGroup")
    assert params.inputs["name"] == "test-sessions-valkey8"
    assert params.inputs["family"] == "valkey8"
    # A description that holds across versions: ElastiCache cannot change it, so a new one
    # would replace the group under its own name, which creating before deleting cannot do
    # (ForceNew in terraform-provider-aws elasticache/parameter_group.go).
    assert params.inputs["description"] == "managed-cache parameters for test-sessions"
    assert params.inputs["parameters"] == [{"name": "cluster-enabled", "value": "no"},
                                           {"name": "maxmemory-policy", "value": "volatile-lru"}]
    assert group_inputs(recorder)[1]["parameterGroupName"] == "test-sessions-valkey8"
    # Replacement creates the new group before deleting the old one, which the cache still
    # uses: set explicitly, since the bridge deletes first for a resource the program names.
    assert (params.delete_before_replace_defined, params.delete_before_replace) == (True, False)


@pytest.mark.parametrize("node_type,tiering", [("cache.r6gd.xlarge", True),
                                               ("cache.r7g.large", False)])
def test_data_tiering_only_on_r6gd(run, node_type, tiering):
    _, inputs = group_inputs(run(build(replace(ARGS, node_type=node_type,
                                               data_tiering=tiering))))
    assert inputs.get("dataTieringEnabled", False) is tiering


def test_every_child_is_parented_and_uses_explicit_providers(run):
    recorder = run(build(ARGS))
    [component] = recorder.of_type("managed-cache:aws:ElastiCacheReplicationGroup")
    custom = [r for r in recorder.registrations if r.custom and not r.type.startswith("pulumi:")]
    assert custom and all(r.provider for r in custom)
    children = [r for r in recorder.registrations
                if r is not component and not r.type.startswith("pulumi:providers")]
    # parameter group component + its group, token, two log groups, the replication group
    assert len(children) == 6
    assert all(recorder.descends_from(r, component.urn) for r in children)


def test_a_global_secondary_sets_nothing_aws_rejects_on_a_secondary(run):
    args = replace(ARGS, global_role="secondary", global_replication_group_id="ldgnf-test",
                   replicas=1)
    recorder = run(build(args))
    _, inputs = group_inputs(recorder)
    rejected = {"numNodeGroups", "parameterGroupName", "engine", "engineVersion", "nodeType",
                "securityGroupNames", "transitEncryptionEnabled", "transitEncryptionMode",
                "atRestEncryptionEnabled", "snapshotArns", "snapshotName", "authToken", "port",
                "automaticFailoverEnabled", "multiAzEnabled"}
    assert rejected.isdisjoint(inputs), rejected & set(inputs)
    assert inputs["globalReplicationGroupId"] == "ldgnf-test"
    assert inputs["numCacheClusters"] == 2
    assert recorder.of_type("random:index/randomPassword:RandomPassword") == []
    assert recorder.of_type("aws:elasticache/parameterGroup:ParameterGroup") == []


def test_a_global_primary_leaves_global_settings_to_the_global_group(run):
    group, _ = group_inputs(run(build(replace(ARGS, global_role="primary"))))
    assert {"nodeType", "engineVersion", "numNodeGroups", "automaticFailoverEnabled"} <= set(
        group.ignore_changes)


def test_the_auth_token_draws_from_every_character_class(run):
    [token] = run(build(ARGS)).of_type("random:index/randomPassword:RandomPassword")
    inputs = token.inputs
    assert inputs["special"] is True
    assert all(inputs[f"min{kind}"] >= 1 for kind in ("Lower", "Upper", "Numeric", "Special"))


def test_logs_are_delivered_as_json(run):
    _, inputs = group_inputs(run(build(ARGS)))
    assert [c["logFormat"] for c in inputs["logDeliveryConfigurations"]] == ["json", "json"]
