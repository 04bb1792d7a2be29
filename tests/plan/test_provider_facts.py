"""The provider facts table: every `replaces` fact makes `--diff` replace the resource (DATA
LOSS where it holds data) and every `rejected` fact lands in REJECTED / NOT APPLIED, each only
under its condition. (The `cloud_owned` facts are checked against what the components register,
in tests/components/test_provider_facts_owned.py.)"""

from __future__ import annotations

from typing import Any

import pytest

from components import fact_conditions as when
from components import provider_facts as facts
from components.fact_model import KINDS
from components.provider_facts import FACTS, Fact
from components.resource_types import AWS_GLOBAL_REPLICATION_GROUP as GLOBAL_RG
from components.resource_types import AWS_REPLICATION_GROUP as RG
from infra.plan.diff import diff
from infra.plan.resources import is_data_holding

CACHE = "c"

# Per condition, inputs that make it hold and inputs that make it fail: (the other inputs
# before, after, the argument's value before, after, whether the cache is a Global Datastore).
Scenario = tuple[dict[str, Any], dict[str, Any], Any, Any, bool]
ENABLED = {"readReplicasMode": "READ_REPLICAS_ENABLED"}
HOLDS: dict[str, Scenario] = {
    when.ALWAYS: ({}, {}, "a", "b", False),
    when.GLOBAL_MEMBER: ({}, {}, "a", "b", True),
    when.GLOBAL_PRIMARY_ONE_SHARD: ({"numCacheClusters": 1}, {"numCacheClusters": 2}, False,
                                    True, True),
    when.REDIS_BELOW_7_0_5: ({"engine": "redis", "engineVersion": "6.2"},
                              {"engine": "redis", "engineVersion": "6.2"}, False, True, False),
    when.VERSION_DOWNGRADE: ({}, {}, "7.1", "7.0", False),
    when.ENGINE_NOT_REDIS_TO_VALKEY: ({}, {}, "valkey", "redis", False),
    when.MEMCACHED: ({"engine": "memcached"}, {"engine": "memcached"}, "cache.m7g.large",
                      "cache.m7g.xlarge", False),
    when.WITHOUT_MAJOR_UPGRADE: ({"engineVersion": "8.0"}, {"engineVersion": "8.1"},
                                  "a-valkey8", "b-valkey8", True),
    when.READ_REPLICAS_TURNED_OFF: ({"readReplicasMode": "READ_REPLICAS_ENABLED"}, {},
                                     "READ_REPLICAS_ENABLED", None, False),
    when.CIDR_NOT_EXPANDED: ({}, {}, "10.40.0.0/20", "10.40.16.0/20", False),
    when.CLUSTER_MODE_TURNED_ON: ({}, {}, "disabled", "enabled", False),
    when.RBAC_TO_AUTH_TOKEN: ({}, {"authToken": "[secret]"}, ["c-users"], None, False),
    when.ENGINE_NOT_REDIS_VALKEY_SWAP: ({}, {}, "valkey", "memcached", False),
    when.NOT_VALKEY_MAJOR_UPGRADE: ({"engine": "valkey"}, {"engine": "valkey"}, "8", "7", False),
    # Another update-mask field changes too: maintenanceVersion, which has no fact of its own
    # (the program never sends it), so the only refusal is the fact's own argument.
    when.WITH_ANOTHER_UPDATE_FIELD: ({"maintenanceVersion": "a"}, {"maintenanceVersion": "b"},
                                      "a", "b", False),
    when.READ_REPLICAS_TURNED_ON: ({}, {}, None, "READ_REPLICAS_ENABLED", False),
    when.READ_REPLICAS_BELOW_MINIMUM: (ENABLED, ENABLED, 5, 4, False),
    when.REDIS_VERSION_DOWNGRADE: ({}, {}, "REDIS_7_2", "REDIS_7_0", False),
    when.REDIS_DOWNGRADE_OUTSIDE_PATTERN: ({}, {}, "REDIS_7_0", "REDIS_6_X", False),
    when.REDIS_UPGRADE_WITH_NEWER_CONFIGS: ({"redisVersion": "REDIS_6_X"},
                                             {"redisVersion": "REDIS_7_0"},
                                             {}, {"lazyfree-lazy-eviction": "yes"}, False),
    when.VALUE_REMOVED: ({}, {}, "arn:aws:kms:us-east-1:123456789012:key/a", None, False),
    when.VALUE_SET: ({}, {}, None, "us-central1-a", False),
    when.USER_ID_KEPT: ({"userId": "p-c-app"}, {"userId": "p-c-app"}, "app", "app-iam", False),
    when.LEAVES_DATA_TIERING: ({}, {}, "cache.r6gd.xlarge", "cache.r7g.xlarge", False),
    when.TO_SINGLE_AZ: ({}, {}, "cross-az", "single-az", False),
    when.APPLIED_LATER: ({"applyImmediately": False}, {"applyImmediately": False},
                         [{"logType": "slow-log"}], [{"logType": "engine-log"}], False),
}
FAILS: dict[str, Scenario] = {
    when.GLOBAL_MEMBER: ({}, {}, "a", "b", False),
    # Cluster mode enabled: failover is always on, and the group counts node groups.
    when.GLOBAL_PRIMARY_ONE_SHARD: ({"numNodeGroups": 2}, {"numNodeGroups": 2}, False, True,
                                    True),
    when.REDIS_BELOW_7_0_5: ({"engine": "redis", "engineVersion": "7.1"},
                              {"engine": "redis", "engineVersion": "7.1"}, False, True, False),
    when.VERSION_DOWNGRADE: ({}, {}, "7.0", "7.1", False),
    when.ENGINE_NOT_REDIS_TO_VALKEY: ({}, {}, "redis", "valkey", False),
    when.MEMCACHED: ({"engine": "redis"}, {"engine": "redis"}, "cache.m7g.large",
                      "cache.m7g.xlarge", False),
    when.WITHOUT_MAJOR_UPGRADE: ({"engineVersion": "8.0"}, {"engineVersion": "9.0"},
                                  "a-valkey8", "b-valkey9", True),
    # Turned on, with the secondary range READ_REPLICAS_TURNED_ON asks for: nothing refused.
    when.READ_REPLICAS_TURNED_OFF: ({}, {"secondaryIpRange": "auto"}, None,
                                     "READ_REPLICAS_ENABLED", False),
    when.CIDR_NOT_EXPANDED: ({}, {}, "10.40.0.0/20", "10.40.0.0/19", False),
    when.CLUSTER_MODE_TURNED_ON: ({}, {}, "compatible", "enabled", False),
    when.RBAC_TO_AUTH_TOKEN: ({"authToken": "[secret]"}, {}, None, ["c-users"], False),
    when.ENGINE_NOT_REDIS_VALKEY_SWAP: ({}, {}, "valkey", "redis", False),
    when.NOT_VALKEY_MAJOR_UPGRADE: ({"engine": "valkey"}, {"engine": "valkey"}, "7", "8", False),
    when.WITH_ANOTHER_UPDATE_FIELD: ({}, {}, "a", "b", False),
    when.READ_REPLICAS_TURNED_ON: ({}, {"secondaryIpRange": "auto"}, None,
                                    "READ_REPLICAS_ENABLED", False),
    # Read replicas before, and 5 GB kept: their minimum holds.
    when.READ_REPLICAS_BELOW_MINIMUM: (ENABLED, ENABLED, 8, 5, False),
    when.REDIS_VERSION_DOWNGRADE: ({}, {}, "REDIS_7_0", "REDIS_6_X", False),
    when.REDIS_DOWNGRADE_OUTSIDE_PATTERN: ({}, {}, "REDIS_7_2", "REDIS_7_0", False),
    # Already on 7.0: the key is known to the version the PATCH reaches.
    when.REDIS_UPGRADE_WITH_NEWER_CONFIGS: ({"redisVersion": "REDIS_7_0"},
                                             {"redisVersion": "REDIS_7_2"},
                                             {}, {"lazyfree-lazy-eviction": "yes"}, False),
    # Another key: UpdateSecret sends it.
    when.VALUE_REMOVED: ({}, {}, "arn:aws:kms:us-east-1:123456789012:key/a",
                          "arn:aws:kms:us-east-1:123456789012:key/b", False),
    # Left out: the provider keeps the value the resource has.
    when.VALUE_SET: ({}, {}, "us-central1-a", None, False),
    # A new user id too: the replacement is a new user, which CreateUser accepts.
    when.USER_ID_KEPT: ({"userId": "p-c-app"}, {"userId": "q-c-app"}, "app", "app-iam", False),
    # Onto data tiering is a new group (dataTieringEnabled is sent), not a refused scaling.
    when.LEAVES_DATA_TIERING: ({}, {}, "cache.r7g.xlarge", "cache.r6gd.xlarge", False),
    # One node to several: spreading new nodes over zones is in place.
    when.TO_SINGLE_AZ: ({}, {}, "single-az", "cross-az", False),
    # Development applies at once: the change goes through.
    when.APPLIED_LATER: ({"applyImmediately": True}, {"applyImmediately": True},
                         [{"logType": "slow-log"}], [{"logType": "engine-log"}], False),
}


def plan(fact: Fact, inputs: dict[str, Any], global_cache: bool) -> dict[str, Any]:
    resource = {"urn": f"urn:{fact.type}::r", "type": fact.type, "name": "r", "parent": "",
                "custom": True, "provider_region": "us-east-1", "protect": False,
                "aliased": False, "ignore_changes": [], "cache": CACHE,
                "data_holding": is_data_holding(fact.type, CACHE), "inputs": inputs}
    resources = [resource]
    if global_cache:
        resources.append({**resource, "urn": "urn:global", "type": GLOBAL_RG,
                          "name": "c-global", "data_holding": True, "inputs": {}})
    return {"stack": "test", "resources": resources, "caches": []}


def classify(fact: Fact, scenario: Scenario) -> dict[str, Any]:
    old_base, new_base, old_value, new_value, global_cache = scenario
    old = plan(fact, {**old_base, fact.argument: old_value}, global_cache)
    new = plan(fact, {**new_base, fact.argument: new_value}, global_cache)
    return diff(old, new)


def test_every_fact_is_complete():
    for fact in FACTS:
        assert fact.kind in KINDS, fact
        assert fact.condition in when.CONDITIONS, fact
        assert fact.reason.endswith((".", '."', ".)")) and len(fact.reason) > 20, fact
        assert fact.source.startswith(("hashicorp/", "https://", "GoogleCloudPlatform/")), fact
        assert fact.argument[:1].islower() and "_" not in fact.argument, fact  # Pulumi names
        assert not fact.not_applied or fact.kind == "rejected", fact


def test_no_argument_has_two_facts_under_one_condition():
    seen = [(f.type, f.argument, f.condition) for f in FACTS]
    assert len(seen) == len(set(seen))


@pytest.mark.parametrize("fact", [f for f in FACTS if f.kind == "replaces"],
                         ids=lambda f: f"{f.type.split(':')[-1]}.{f.argument}")
def test_each_replaces_fact_replaces_and_loses_data_where_data_lives(fact):
    result = classify(fact, HOLDS[fact.condition])
    [change] = result["changed"]
    assert fact.argument in change["replace_keys"]
    lost = [loss["name"] for loss in result["data_loss"]]
    assert lost == (["r"] if is_data_holding(fact.type, CACHE) else [])
    if fact.condition in FAILS:
        result = classify(fact, FAILS[fact.condition])
        [change] = result["changed"]
        assert fact.argument not in change["replace_keys"], "fires when its condition fails"


@pytest.mark.parametrize("fact", [f for f in FACTS if f.kind == "rejected"],
                         ids=lambda f: f"{f.type.split(':')[-1]}.{f.argument}")
def test_each_rejected_fact_is_flagged_rejected_or_not_applied(fact):
    old_base, new_base, *_ = HOLDS[fact.condition]
    result = classify(fact, HOLDS[fact.condition])
    [item] = [r for r in result["rejected"] if r["key"] == fact.argument]
    assert item["name"] == "r"
    # Anything else flagged is an argument the scenario itself changes (the read replicas mode
    # that turning read replicas off changes alongside the replica count).
    assert {r["key"] for r in result["rejected"]} - {fact.argument} <= set(old_base) | set(new_base)
    assert item["outcome"] == ("not applied" if fact.not_applied else "rejected")
    assert item["reason"] == fact.reason and item["source"] == fact.source
    if fact.condition in FAILS:
        assert classify(fact, FAILS[fact.condition])["rejected"] == []


def test_a_cloud_owned_argument_the_resource_does_not_ignore_is_flagged():
    fact = next(f for f in FACTS if f.kind == "cloud_owned" and f.condition == when.GLOBAL_MEMBER)
    [item] = classify(fact, HOLDS[when.GLOBAL_MEMBER])["rejected"]
    assert item["outcome"] == "rejected" and "does not ignore it" in item["reason"]


def test_ignored_arguments_follow_the_conditions():
    assert facts.ignored_arguments(RG) == []
    primary = facts.ignored_arguments(RG, when.GLOBAL_MEMBER, when.GLOBAL_PRIMARY)
    secondary = facts.ignored_arguments(RG, when.GLOBAL_MEMBER, when.GLOBAL_SECONDARY)
    assert "autoMinorVersionUpgrade" in primary and "autoMinorVersionUpgrade" in secondary
    assert "nodeType" in primary and "nodeType" not in secondary
    assert {"multiAzEnabled", "port"} <= set(secondary) and "port" not in primary


def test_the_pulumi_aws_floor_is_the_version_the_facts_were_read_from():
    import importlib.metadata
    import re
    from pathlib import Path

    requirements = Path(__file__).resolve().parents[2] / "requirements.in"
    [floor] = re.findall(r"^pulumi-aws>=([\d.]+),", requirements.read_text(), re.MULTILINE)
    assert f"pulumi-aws {floor}" in (facts.__doc__ or "")
    installed = tuple(int(p) for p in importlib.metadata.version("pulumi-aws").split(".")[:3])
    assert installed >= tuple(int(p) for p in floor.split("."))


@pytest.mark.parametrize("package", ["pulumi-aws", "pulumi-gcp"])
def test_deploys_lock_the_provider_release_the_facts_were_read_against(package):
    """A provider release can change what is replaced, rejected or owned by the cloud, so the
    lock (what every preview and `pulumi up` installs) moves to a new release only with the facts
    re-read: the update that moves it fails here until this module's docstring names it."""
    import re
    from pathlib import Path

    lock = (Path(__file__).resolve().parents[2] / "requirements.txt").read_text()
    [locked] = re.findall(rf"^{package}==([\d.]+)", lock, re.MULTILINE)
    assert f"{package} {locked} " in " ".join((facts.__doc__ or "").split()), (
        f"requirements.txt locks {package} {locked}: re-read components/provider_facts.py "
        "against that release, then name it in the module's docstring")


def _sdk_class(token: str) -> type:
    """The Pulumi SDK class of a type token: aws:ec2/flowLog:FlowLog -> pulumi_aws.ec2.FlowLog."""
    import importlib

    package, module_path, name = token.split(":")
    module = module_path.split("/")[0]
    # pulumiverse-time is a Pulumiverse package: pulumiverse_time, not pulumi_time.
    sdk = importlib.import_module("pulumiverse_time" if package == "time" else f"pulumi_{package}")
    return getattr(sdk if module == "index" else getattr(sdk, module), name)


def test_every_fact_names_an_input_of_its_resource():
    # A misspelt argument would match no change in the plan diff and never fire.
    import inspect
    import re

    for fact in FACTS:
        inputs = inspect.signature(_sdk_class(fact.type)._internal_init).parameters
        snake = re.sub(r"(?<!^)(?=[A-Z])", "_", fact.argument).lower()
        assert snake in inputs, fact
