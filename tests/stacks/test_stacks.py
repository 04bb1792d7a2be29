"""Every Pulumi.<stack>.yaml: runs, registers the same resources in preview as in an update,
keeps secrets secret, and uses only explicit providers."""

from __future__ import annotations

import json

import pytest
import yaml

from infra.config import load_stack_config
from infra.plan.mocks import MOCK_TOKEN
from infra.plan.secrets import SECRET_SIG, SIG_KEY, is_secret
from infra.stackfile import PROJECT_ROOT, flat_stack_config, stack_names
from tests.builders import aws_config

STACKS = stack_names()
AWS_STACKS = [s for s in STACKS if not s.startswith("gcp")]
DATA_HOLDING = {"aws:elasticache/replicationGroup:ReplicationGroup",
                "aws:elasticache/globalReplicationGroup:GlobalReplicationGroup",
                "aws:elasticache/cluster:Cluster", "aws:kms/key:Key"}


def test_the_stacks_the_readme_promises_exist():
    assert {"dev", "prod"} <= set(STACKS)


def test_the_readmes_starter_config_is_valid_as_written():
    # The "keys you will set first" block is what a newcomer copies; it must load as it stands.
    readme = (PROJECT_ROOT / "README.md").read_text()
    block = readme.split("## The keys you will set first", 1)[1].split("```yaml\n", 1)[1]
    config = yaml.safe_load(block.split("```", 1)[0])["config"]
    flat = {k: json.dumps(v) if isinstance(v, (dict, list)) else str(v)
            for k, v in config.items()}
    spec = load_stack_config(flat, "readme")
    assert [cache.name for cache in spec.caches] == ["sessions"]


@pytest.mark.parametrize("stack", STACKS)
def test_stack_file_disables_default_providers(stack):
    config = yaml.safe_load((PROJECT_ROOT / f"Pulumi.{stack}.yaml").read_text())["config"]
    assert config["pulumi:disable-default-providers"] == ["*"]


@pytest.mark.parametrize("stack", STACKS)
def test_preview_registers_the_same_resources_as_an_update(run_stack, stack):
    update = run_stack(stack)
    preview = run_stack(stack, preview=True)
    assert update.registrations, "nothing registered"
    key = sorted((r.type, r.name, r.parent) for r in update.registrations)
    assert key == sorted((r.type, r.name, r.parent) for r in preview.registrations)


@pytest.mark.parametrize("stack", STACKS)
def test_every_resource_names_an_explicit_provider(run_stack, stack):
    recorder = run_stack(stack)
    custom = [r for r in recorder.registrations
              if r.custom and not r.type.startswith("pulumi:providers:")]
    assert custom and all(r.provider for r in custom), [r.name for r in custom if not r.provider]


@pytest.mark.parametrize("stack", STACKS)
def test_auth_secrets_never_appear_in_plain_outputs(run_stack, stack):
    recorder = run_stack(stack)
    outputs = recorder.stack_outputs
    plain = {k: v for k, v in outputs.items() if not is_secret(v)}
    assert MOCK_TOKEN not in json.dumps(plain, default=str)
    tokens = outputs["auth_tokens"]
    assert tokens[SIG_KEY] == SECRET_SIG


def test_dev_is_one_small_cheap_valkey_node(run_stack):
    recorder = run_stack("dev")
    [group] = recorder.of_type("aws:elasticache/replicationGroup:ReplicationGroup")
    assert (group.inputs["engine"], group.inputs["nodeType"]) == ("valkey", "cache.t4g.micro")
    assert group.inputs["numCacheClusters"] == 1
    assert "kmsKeyId" not in group.inputs  # AWS-owned key, no customer-managed key to pay for
    assert not any(r.protect for r in recorder.registrations)


def test_a_memcached_cluster_id_of_50_characters_deploys(run_stack):
    # CreateCacheCluster takes 1 to 50 characters (40 is a replication group's limit).
    name = "sessions-memcached-for-the-checkout-web-tier1"
    recorder = run_stack(aws_config({name: {"engine": "memcached"}}))
    [cluster] = recorder.of_type("aws:elasticache/cluster:Cluster")
    assert cluster.inputs["clusterId"] == f"test-{name}"
    assert len(cluster.inputs["clusterId"]) == 50
    [group] = recorder.of_type("aws:elasticache/parameterGroup:ParameterGroup")
    assert group.inputs["name"].startswith(f"test-{name}-")


def test_prod_is_replicated_encrypted_global_and_protected(run_stack):
    recorder = run_stack("prod")
    groups = {r.inputs["replicationGroupId"]: r
              for r in recorder.of_type("aws:elasticache/replicationGroup:ReplicationGroup")}
    primary = groups["prod-sessions"].inputs
    assert (primary["nodeType"], primary["numCacheClusters"]) == ("cache.r7g.large", 3)
    assert primary["multiAzEnabled"] and primary["automaticFailoverEnabled"]
    assert primary["kmsKeyId"].startswith("arn:")
    assert primary["finalSnapshotIdentifier"] == "prod-sessions-final"
    assert primary["snapshotRetentionLimit"] == 14
    assert "aws-eu-west-1" in groups["prod-sessions-euw1"].provider
    # Failover and other ElastiCache events reach the region's alarm topic.
    assert primary["notificationTopicArn"].startswith("arn:aws:sns:us-east-1:")
    assert groups["prod-sessions-euw1"].inputs["notificationTopicArn"].startswith(
        "arn:aws:sns:eu-west-1:")
    [memcached] = recorder.of_type("aws:elasticache/cluster:Cluster")
    assert (memcached.inputs["numCacheNodes"], memcached.inputs["azMode"]) == (3, "cross-az")
    # Keys encrypting alarm topics and logs hold no cache data; the rest must be protected.
    data = [r for r in recorder.registrations if r.type in DATA_HOLDING
            and "managed-cache:aws:AlarmTopic" not in r.parent
            and "managed-cache:aws:LogEncryptionKey" not in r.parent]
    assert len(data) == 6 and all(r.protect for r in data)


@pytest.mark.parametrize("stack", AWS_STACKS)
def test_provider_tags_every_resource_of_the_stack(run_stack, stack):
    recorder = run_stack(stack)
    for provider in recorder.of_type("pulumi:providers:aws"):
        tags = json.loads(provider.inputs["defaultTags"])["tags"] \
            if isinstance(provider.inputs["defaultTags"], str) \
            else provider.inputs["defaultTags"]["tags"]
        profile = flat_stack_config(stack).get("managed-cache:profile", "development")
        assert tags == {"ManagedBy": "managed-cache", "Project": "managed-cache",
                        "Stack": stack, "Profile": profile}
