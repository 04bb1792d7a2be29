"""Day-2 changes on GCP (issue 11, defect 10): `python -m infra.plan <stack> --diff OLD.json`
classifies what Memorystore does with each change. OLD is a plan of one config, NEW of another:

- in place: Redis memory size, Memcached node count, Valkey replicas;
- DATA LOSS: Valkey `mode` (shards 1 -> 2 turns cluster mode on), Memcached node size or
  parameters (`node_config`, `memcache_parameters` are ForceNew);
- NOT APPLIED: Redis read replicas turned off (Memorystore cannot disable them; the program no
  longer sends READ_REPLICAS_DISABLED, so the instance keeps them);
- REJECTED: Redis read replicas turned on for an existing instance (the API wants a secondary IP
  range the program never sends), two Valkey update-mask fields in one `pulumi up` (the API
  takes one per update, nodeType with engineConfigs excepted), and version downgrades the
  provider does not replace (Redis to REDIS_6_X, Valkey, Memcached).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from infra.plan.diff import STANDARD_SHRINK, diff
from infra.plan.render import render
from infra.plan.report import build_report, load_report, run_plan
from tests.builders import gcp_config
from tests.builders import gcp_plan as report

VALKEY = "gcp:memorystore/instance:Instance"
REDIS = "gcp:redis/instance:Instance"
MEMCACHED = "gcp:memcache/instance:Instance"



def compare(tmp_path: Path, before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """Diff NEW (`after`) against OLD.json written from `before`, as CI does."""
    path = tmp_path / "OLD.json"
    path.write_text(json.dumps(report(before)))
    return diff(load_report(str(path)), report(after))


def change_of(result: dict[str, Any], type_: str) -> dict[str, Any]:
    (change,) = [c for c in result["changed"] if c["type"] == type_]
    return change


def lost(result: dict[str, Any]) -> list[str]:
    return [loss["name"] for loss in result["data_loss"]]


def test_redis_memory_size_is_changed_in_place(tmp_path):
    result = compare(tmp_path, {"r": {"engine": "redis", "memory_gb": 5}},
                     {"r": {"engine": "redis", "memory_gb": 8}})
    change = change_of(result, REDIS)
    assert change["keys"] == ["memorySizeGb"] and not change["replace"]
    assert result["data_loss"] == [] and result["rejected"] == []


def test_valkey_replicas_are_changed_in_place(tmp_path):
    result = compare(tmp_path, {"v": {"engine": "valkey", "replicas": 1}},
                     {"v": {"engine": "valkey", "replicas": 2}})
    assert change_of(result, VALKEY)["keys"] == ["replicaCount"]
    assert result["data_loss"] == [] and result["rejected"] == []


def test_valkey_going_from_one_shard_to_two_changes_mode_and_loses_data(tmp_path):
    result = compare(tmp_path, {"v": {"engine": "valkey", "shards": 1}},
                     {"v": {"engine": "valkey", "shards": 2}})
    change = change_of(result, VALKEY)
    assert change["replace"] and change["replace_keys"] == ["mode"]
    assert lost(result) == ["v-instance"]
    (loss,) = result["data_loss"]
    assert "mode" in loss["reason"]


def test_valkey_created_in_cluster_mode_adds_shards_in_place(tmp_path):
    result = compare(tmp_path, {"v": {"engine": "valkey", "shards": 1,
                                      "gcp": {"cluster_mode": True}}},
                     {"v": {"engine": "valkey", "shards": 2}})
    change = change_of(result, VALKEY)
    assert change["keys"] == ["shardCount"] and not change["replace"]
    assert result["data_loss"] == []


def test_a_global_valkey_cache_scales_through_its_primary_alone(tmp_path):
    # Memorystore scales the secondaries to match the primary; their replica count stays theirs.
    cache = {"engine": "valkey", "shards": 2, "gcp": {"cluster_mode": True},
             "global": {"secondary_region": "us-east4"}}
    result = compare(tmp_path, {"v": cache}, {"v": {**cache, "shards": 4}})
    assert change_of(result, VALKEY)["name"] == "v-instance"
    assert change_of(result, VALKEY)["keys"] == ["shardCount"]
    assert result["data_loss"] == [] and result["rejected"] == []
    result = compare(tmp_path, {"v": cache}, {"v": {**cache, "replicas": 2}})
    assert {c["name"] for c in result["changed"] if c["type"] == VALKEY} == {
        "v-instance", "v-secondary-us-east4"}


@pytest.mark.parametrize("before, after, key", [
    ({"memory_gb": 4}, {"memory_gb": 6}, "nodeConfig"),
    ({"memory_gb": 4, "gcp": {"vcpus": 2}}, {"memory_gb": 4, "gcp": {"vcpus": 4}}, "nodeConfig"),
    ({"parameters": {"max-item-size": "1048576"}}, {"parameters": {"max-item-size": "2097152"}},
     "memcacheParameters"),
])
def test_memcached_size_or_parameters_replace_the_instance(tmp_path, before, after, key):
    result = compare(tmp_path, {"m": {"engine": "memcached", **before}},
                     {"m": {"engine": "memcached", **after}})
    change = change_of(result, MEMCACHED)
    assert key in change["replace_keys"]
    assert lost(result) == ["m-instance"]


def test_memcached_node_count_is_changed_in_place(tmp_path):
    result = compare(tmp_path, {"m": {"engine": "memcached", "nodes": 2}},
                     {"m": {"engine": "memcached", "nodes": 3}})
    assert change_of(result, MEMCACHED)["keys"] == ["nodeCount"]
    assert result["data_loss"] == []


def test_redis_read_replicas_turned_off_are_not_applied(tmp_path):
    result = compare(tmp_path, {"r": {"engine": "redis", "memory_gb": 5, "replicas": 2}},
                     {"r": {"engine": "redis", "memory_gb": 5, "replicas": 1}})
    assert result["data_loss"] == []
    mode, count = sorted(result["rejected"], key=lambda item: item["key"])
    assert (mode["type"], mode["key"], mode["outcome"]) == (REDIS, "readReplicasMode",
                                                            "not applied")
    assert "cannot" in mode["reason"] and mode["source"].startswith("https://cloud.google.com")
    # Without read replicas no count is sent, and the instance keeps its two.
    assert (count["key"], count["outcome"]) == ("replicaCount", "not applied")
    assert "keep `gcp.read_replicas: true` with `replicas: 1`" in count["reason"]
    text = render({**report({"r": {"engine": "redis", "memory_gb": 5, "replicas": 1}}),
                   "diff": result}, "text")
    assert "NOT APPLIED" in text
    # The instance keeps its nodes, so its price does not change either.
    assert result["cost_delta_monthly_usd"] == 0
    changes = {c["change"]: c["detail"] for c in result["cache_changes"]}
    assert changes["nodes"] == "3 -> 2 (not applied: readReplicasMode, replicaCount)"
    assert changes["monthly_usd"].endswith("(not applied: readReplicasMode, replicaCount)")
    assert any(note.startswith("the cost change leaves out r:") for note in result["notes"])


def test_memory_below_5_gb_is_rejected_while_read_replicas_stay(tmp_path):
    # Read replicas cannot be disabled and need 5 GB: turning them off in the config with a
    # smaller size leaves an instance Memorystore will not shrink.
    result = compare(tmp_path, {"r": {"engine": "redis", "memory_gb": 5, "replicas": 2}},
                     {"r": {"engine": "redis", "memory_gb": 4, "replicas": 1}})
    refused = {item["key"]: item for item in result["rejected"]}
    assert sorted(refused) == ["memorySizeGb", "readReplicasMode", "replicaCount"]
    assert refused["memorySizeGb"]["outcome"] == "rejected"
    assert "at least 5 GB" in refused["memorySizeGb"]["reason"]
    assert "about-read-replicas" in refused["memorySizeGb"]["source"]
    # Without read replicas before, 5 -> 4 GB is an ordinary in-place change.
    result = compare(tmp_path, {"r": {"engine": "redis", "memory_gb": 5, "replicas": 1}},
                     {"r": {"engine": "redis", "memory_gb": 4, "replicas": 1}})
    assert result["rejected"] == [] and change_of(result, REDIS)["keys"] == ["memorySizeGb"]


@pytest.mark.parametrize(("replicas", "noted"), [(1, True), (0, False)])
def test_a_smaller_standard_instance_must_still_hold_its_data(tmp_path, replicas, noted):
    result = compare(tmp_path, {"r": {"engine": "redis", "memory_gb": 8, "replicas": replicas}},
                     {"r": {"engine": "redis", "memory_gb": 6, "replicas": replicas}})
    change = change_of(result, REDIS)
    assert change["keys"] == ["memorySizeGb"] and not change["replace"]
    assert (STANDARD_SHRINK in change["notes"]) is noted
    grown = compare(tmp_path, {"r": {"engine": "redis", "memory_gb": 6, "replicas": replicas}},
                    {"r": {"engine": "redis", "memory_gb": 8, "replicas": replicas}})
    assert STANDARD_SHRINK not in change_of(grown, REDIS)["notes"]


def test_memory_applied_beside_replicas_that_are_not_is_still_priced(tmp_path):
    # 5 -> 10 GB is applied; the plans price 10 GB with two replicas fewer, which the
    # instance keeps: the estimate stays, with a note that it counts the unapplied part.
    result = compare(tmp_path, {"r": {"engine": "redis", "memory_gb": 5, "replicas": 2}},
                     {"r": {"engine": "redis", "memory_gb": 10, "replicas": 1}})
    assert result["cost_delta_monthly_usd"] != 0
    assert ("the cost change of r counts readReplicasMode, replicaCount as changed, which "
            "will not be applied (NOT APPLIED above); its other size change will"
            ) in result["notes"]


def test_a_change_applied_beside_a_cache_that_keeps_its_size_is_still_priced(tmp_path):
    before = {"r": {"engine": "redis", "memory_gb": 5, "replicas": 2},
              "s": {"engine": "redis", "memory_gb": 5}}
    result = compare(tmp_path, before, {**before, "r": {**before["r"], "replicas": 1},
                                        "s": {"engine": "redis", "memory_gb": 8}})
    old_s, new_s = [c["monthly_usd"] for c in (report(before)["caches"][1],
                                               report({"s": {"engine": "redis",
                                                             "memory_gb": 8}})["caches"][0])]
    assert result["cost_delta_monthly_usd"] == round(new_s - old_s, 2) != 0


def test_the_program_never_sends_read_replicas_disabled(tmp_path):
    for replicas in (0, 1, 2):
        plan = report({"r": {"engine": "redis", "memory_gb": 5, "replicas": replicas}})
        (redis,) = [r for r in plan["resources"] if r["type"] == REDIS]
        assert redis["inputs"].get("readReplicasMode") in (None, "READ_REPLICAS_ENABLED")


def test_read_replicas_turned_on_for_an_existing_instance_are_rejected(tmp_path):
    # This test used to assert the change applied in place; the provider's secondary_ip_range
    # is "Required when enabling read replicas on an existing instance" and the program never
    # sends one, so the update fails.
    result = compare(tmp_path, {"r": {"engine": "redis", "memory_gb": 5, "replicas": 1}},
                     {"r": {"engine": "redis", "memory_gb": 5, "replicas": 2}})
    assert result["data_loss"] == [] and not change_of(result, REDIS)["replace"]
    (item,) = result["rejected"]
    assert (item["type"], item["key"], item["outcome"]) == (REDIS, "readReplicasMode",
                                                            "rejected")
    assert "secondary IP range" in item["reason"] and "secondary_ip_range" in item["source"]


def test_valkey_two_update_fields_in_one_update_are_rejected(tmp_path):
    """The Memorystore API takes one update-mask field per PATCH (nodeType may go with
    engineConfigs); the provider sends every changed field in one."""
    result = compare(tmp_path, {"v": {"engine": "valkey", "replicas": 1}},
                     {"v": {"engine": "valkey", "replicas": 2, "node_type": "standard-small"}})
    assert result["data_loss"] == []
    assert [(i["key"], i["outcome"]) for i in result["rejected"]] == [
        ("nodeType", "rejected"), ("replicaCount", "rejected")]
    assert all("one change per `pulumi up`" in i["reason"] for i in result["rejected"])
    # A new node type with new engine configs is one update the API accepts.
    result = compare(tmp_path, {"v": {"engine": "valkey"}},
                     {"v": {"engine": "valkey", "node_type": "standard-small",
                            "parameters": {"maxmemory-policy": "allkeys-lru"}}})
    assert change_of(result, VALKEY)["keys"] == ["engineConfigs", "nodeType"]
    assert result["rejected"] == []
    # A downgrade beside another field is REJECTED once, as a downgrade.
    result = compare(tmp_path, {"v": {"engine": "valkey", "engine_version": "8.0"}},
                     {"v": {"engine": "valkey", "engine_version": "7.2", "replicas": 1}})
    assert [(i["key"], "cannot be downgraded" in i["reason"]) for i in result["rejected"]] == [
        ("engineVersion", True), ("replicaCount", False)]


@pytest.mark.parametrize("cache, before, after, type_, key", [
    ({"engine": "redis", "memory_gb": 5}, "7.0", "6.x", REDIS, "redisVersion"),
    ({"engine": "valkey"}, "8.0", "7.2", VALKEY, "engineVersion"),
    ({"engine": "memcached"}, "1.6.15", "1.5", MEMCACHED, "memcacheVersion"),
], ids=["redis-to-6.x", "valkey", "memcached"])
def test_a_downgrade_the_provider_does_not_replace_is_rejected(tmp_path, cache, before, after,
                                                              type_, key):
    result = compare(tmp_path, {"c": {**cache, "engine_version": before}},
                     {"c": {**cache, "engine_version": after}})
    assert result["data_loss"] == [] and not change_of(result, type_)["replace"]
    (item,) = result["rejected"]
    assert (item["type"], item["key"], item["outcome"]) == (type_, key, "rejected")
    assert "cannot be downgraded" in item["reason"]
    # Between two REDIS_<major>_<minor> versions isRedisVersionDecreasing forces a replacement.
    if key == "redisVersion":
        result = compare(tmp_path, {"c": {**cache, "engine_version": "7.2"}},
                         {"c": {**cache, "engine_version": "7.0"}})
        assert change_of(result, REDIS)["replace_keys"] == ["redisVersion"]
        assert lost(result) == ["c-instance"] and result["rejected"] == []


def test_redis_basic_to_standard_replaces_the_instance(tmp_path):
    result = compare(tmp_path, {"r": {"engine": "redis", "replicas": 0}},
                     {"r": {"engine": "redis", "replicas": 1}})
    assert "tier" in change_of(result, REDIS)["replace_keys"]
    assert lost(result) == ["r-instance"]


def test_fail_on_data_loss_fails_on_not_applied(tmp_path, monkeypatch, capsys):
    from infra.plan import report as plan_module

    path = tmp_path / "OLD.json"
    path.write_text(json.dumps(report({"r": {"engine": "redis", "memory_gb": 5, "replicas": 2}})))
    config = gcp_config({"r": {"engine": "redis", "memory_gb": 5, "replicas": 1}})
    monkeypatch.setattr(plan_module, "run_plan",
                        lambda stack, preview=False: run_plan(stack, preview=preview,
                                                              config=config))
    code = plan_module.main(["test", "--diff", str(path), "--fail-on-data-loss"])
    assert code == plan_module.EXIT_DATA_LOSS
    assert "NOT APPLIED" in capsys.readouterr().out


def test_every_gcp_resource_type_the_program_creates_has_its_facts():
    # The table is what --diff and the components know about a type: a type the program
    # creates without facts would have every change shown as in place.
    from components.provider_facts import types_with_facts

    key = "projects/acme-cache/locations/us-central1/keyRings/r/cryptoKeys/k"
    everything = report({"v": {"engine": "valkey", "global": {"secondary_region": "us-east4"}},
                         "k": {"engine": "valkey", "gcp": {"kms_key": key}},
                         "r": {"engine": "redis"}, "m": {"engine": "memcached"}},
                        profile="production", alerts={"emails": ["oncall@example.com"]},
                        network={"dns": {"zone": "cache.internal"}})
    created = {r["type"] for r in everything["resources"] if r["type"].startswith("gcp:")}
    assert created - types_with_facts() == set()


def test_a_secondary_region_added_later_keeps_the_connection_secret(tmp_path):
    # Secret.replication is ForceNew (secretmanager/resource_secret_manager_secret.go) and
    # pulumi-gcp replaces the secret delete-first (provider/secret_manager.go): replicating to the
    # new region would delete the secret, its versions and its readers' IAM grants.
    def prod(cache: dict[str, Any]) -> dict[str, Any]:
        return build_report(run_plan("test", config=gcp_config({"v": cache},
                                                               profile="production")))
    path = tmp_path / "OLD.json"
    path.write_text(json.dumps(prod({"engine": "valkey"})))
    result = diff(load_report(str(path)),
                  prod({"engine": "valkey", "global": {"secondary_region": "us-east4"}}))
    secret = "gcp:secretmanager/secret:Secret"
    assert [c for c in result["changed"] if c["type"] == secret and c["replace"]] == []


def test_redis_configs_new_in_the_target_version_with_the_upgrade_are_rejected(tmp_path):
    """The provider PATCHes the configs before it calls :upgrade (resource_redis_instance.go
    resourceRedisInstanceUpdate): a 7.0-only key would reach the 6.x instance."""
    old = {"r": {"engine": "redis", "memory_gb": 5, "engine_version": "6.x"}}
    result = compare(tmp_path, old, {"r": {"engine": "redis", "memory_gb": 5,
                                           "engine_version": "7.0",
                                           "parameters": {"lazyfree-lazy-eviction": "yes"}}})
    [item] = result["rejected"]
    assert (item["type"], item["key"], item["outcome"]) == (REDIS, "redisConfigs", "rejected")
    assert "Take the upgrade in one `pulumi up` and the new configs in the next" in item["reason"]
    # The upgrade alone, or a key 6.x has, goes through.
    assert compare(tmp_path, old, {"r": {**old["r"], "engine_version": "7.0"}})["rejected"] == []
    assert compare(tmp_path, old, {"r": {**old["r"], "engine_version": "7.0", "parameters": {
        "maxmemory-policy": "allkeys-lru"}}})["rejected"] == []


def test_alert_filters_that_gain_the_region_are_updated_in_place(tmp_path):
    # A stack deployed before the filters named the region (794edb4): its alert policies and
    # dashboard see an update on the next `pulumi up`, nothing replaced (only `project` is
    # ForceNew: monitoring/resource_monitoring_alert_policy.go, resource_monitoring_dashboard.go).
    cache = {"s": {"engine": "valkey"}}
    text = json.dumps(report(cache))
    for quote in ('\\"', '\\\\\\"'):        # in the policies, and in the dashboard's JSON
        text = text.replace(f" AND resource.labels.location = {quote}us-central1{quote}", "")
    path = tmp_path / "OLD.json"
    path.write_text(text)
    result = diff(load_report(str(path)), report(cache))
    changed = {c["type"] for c in result["changed"]}
    assert changed == {"gcp:monitoring/alertPolicy:AlertPolicy",
                       "gcp:monitoring/dashboard:Dashboard"}
    assert not any(c["replace"] for c in result["changed"])
    assert result["data_loss"] == [] and result["rejected"] == []


def test_a_grant_kept_under_a_new_urn_is_flagged_not_applied():
    """A new name_prefix renames the Valkey IAM clients' bindings (same project, role, member):
    the new one is added first, then deleting the old one removes the member from the role."""
    caches = {"s": {"engine": "valkey", "gcp": {
        "auth": True, "client_service_accounts": ["app@acme-cache.iam.gserviceaccount.com"]}}}
    result = diff(report(caches, name_prefix="blue"), report(caches, name_prefix="green"))
    [flag] = [r for r in result["rejected"] if r["type"] == "gcp:projects/iAMMember:IAMMember"]
    assert flag["name"] == "blue-valkey-clients-app-acme-cache"
    assert flag["outcome"] == "not applied"
    assert "removes the member from the role" in flag["reason"]


def test_a_renamed_grant_with_an_alias_is_not_flagged():
    """The remedy the flag gives: an alias (pulumi.Alias(name=<old name>)) keeps the old
    binding, so Pulumi neither adds nor deletes it: nothing is lost."""
    caches = {"s": {"engine": "valkey", "gcp": {
        "auth": True, "client_service_accounts": ["app@acme-cache.iam.gserviceaccount.com"]}}}
    new = report(caches, name_prefix="green")
    for res in new["resources"]:
        if res["type"] == "gcp:projects/iAMMember:IAMMember":
            res["aliased"] = True
    result = diff(report(caches, name_prefix="blue"), new)
    assert not [r for r in result["rejected"] if r["type"] == "gcp:projects/iAMMember:IAMMember"]


@pytest.mark.parametrize("type_, before, after, key", [
    (REDIS, {"engine": "redis", "memory_gb": 5, "replicas": 1},
     {"engine": "redis", "memory_gb": 5, "replicas": 0}, "deletionProtection"),
    (VALKEY, {"engine": "valkey", "gcp": {"tls": True}},
     {"engine": "valkey", "gcp": {"tls": False}}, "deletionProtectionEnabled"),
    (MEMCACHED, {"engine": "memcached", "memory_gb": 4, "gcp": {"vcpus": 2}},
     {"engine": "memcached", "memory_gb": 4, "gcp": {"vcpus": 4}}, "deletionProtection"),
], ids=["redis", "valkey", "memcached"])
def test_protection_lifted_in_the_update_that_replaces_is_rejected(tmp_path, type_, before, after,
                                                                   key):
    # The replacement deletes the old instance under its current state, protection on.
    result = compare(tmp_path, {"c": {**before, "deletion_protection": True}},
                     {"c": {**after, "deletion_protection": False}})
    assert change_of(result, type_)["replace"]
    [refusal] = [r for r in result["rejected"] if r["type"] == type_]
    assert refusal["key"] == key and "in its own `pulumi up` first" in refusal["reason"]
    # Lifted on its own, it is an update; the replacement then finds it off.
    lifted = compare(tmp_path, {"c": {**before, "deletion_protection": True}},
                     {"c": {**before, "deletion_protection": False}})
    assert not change_of(lifted, type_)["replace"] and lifted["rejected"] == []
    assert compare(tmp_path, {"c": {**before, "deletion_protection": False}},
                   {"c": {**after, "deletion_protection": False}})["rejected"] == []


# A Redis config edit on the same version is an ordinary update.
def test_a_redis_config_edit_without_a_version_change_is_in_place(tmp_path):
    result = compare(tmp_path, {"r": {"engine": "redis", "parameters": {
        "maxmemory-policy": "allkeys-lru"}}}, {"r": {"engine": "redis", "parameters": {
            "maxmemory-policy": "volatile-lru"}}})
    assert change_of(result, REDIS)["keys"] == ["redisConfigs"]
    assert result["rejected"] == [] and result["data_loss"] == []


# A secondary ignores the shape it copies from the primary, so its own replica count is its
# only update-mask field.
def test_a_secondary_replica_change_beside_a_reshard_is_not_two_update_fields(tmp_path):
    cache = {"engine": "valkey", "shards": 2, "gcp": {"cluster_mode": True},
             "global": {"secondary_region": "us-east4"}}
    result = compare(tmp_path, {"v": cache}, {"v": {**cache, "shards": 4, "global": {
        "secondary_region": "us-east4", "secondary_replicas": 2}}})
    assert result["rejected"] == [] and result["data_loss"] == []


# A swap is judged on this cache's secondaries, and refuses the new one alone.
def test_a_secondary_swap_counts_and_refuses_this_caches_secondaries_alone():
    def valkey(*regions: str, **extra: Any) -> dict[str, Any]:
        return {"engine": "valkey", "global": {"secondary_regions": list(regions)}, **extra}

    # Another cache's secondary going away does not count against this cache's two.
    before = report({"a": valkey("us-west1"), "b": valkey("us-east4")}, profile="production")
    after = report({"a": valkey("us-west2"), "b": {"engine": "valkey"}}, profile="production")
    assert diff(before, after)["rejected"] == []
    # One of two swapped while the connection secret is turned on: the secret is no secondary.
    two = report({"s": valkey("us-east4", "us-west1")})
    swapped = report({"s": valkey("us-east4", "us-west2", secret=True)})
    assert [(r["name"], r["key"]) for r in diff(two, swapped)["rejected"]] == [
        ("s-secondary-us-west2", "crossInstanceReplicationConfig")]


# An OLD.json without a total or a cache list (load_report takes any JSON plan with resources)
# still compares, without a cost change, even with a size change that is not applied.
def test_an_earlier_plan_without_totals_or_caches_still_compares(tmp_path):
    old = report({"r": {"engine": "redis", "memory_gb": 5, "replicas": 2}})
    del old["total_monthly_usd"], old["caches"]
    result = diff(old, report({"r": {"engine": "redis", "memory_gb": 5, "replicas": 1}}))
    assert {(r["key"], r["outcome"]) for r in result["rejected"]} == {
        ("readReplicasMode", "not applied"), ("replicaCount", "not applied")}
    assert result["cost_delta_monthly_usd"] is None


def network(psa_range: str = "10.60.0.0/20", vpc_cidr: str = "10.44.0.0/16") -> dict[str, Any]:
    return {"vpc_cidr": vpc_cidr, "gcp": {"psa_range": psa_range}}


NETWORKED = {"r": {"engine": "redis"}, "v": {"engine": "valkey"}}


def test_moving_the_private_services_range_under_redis_is_rejected():
    before = report(NETWORKED, network=network())
    [refusal] = diff(before, report(NETWORKED, network=network("10.70.0.0/20")))["rejected"]
    assert (refusal["type"], refusal["key"]) == ("gcp:compute/globalAddress:GlobalAddress",
                                                 "address")
    assert "while r hold addresses in it" in refusal["reason"]
    # Leaving psa_range out later sends no address: the provider keeps the allocated one.
    unpinned = {"vpc_cidr": "10.44.0.0/16"}
    assert diff(before, report(NETWORKED, network=unpinned))["rejected"] == []


@pytest.mark.parametrize(("before", "after"), [
    # A new prefix length replaces the range Google allocated.
    ({"psa_prefix_length": 20}, {"psa_prefix_length": 18}),
    # A pinned /22 left out falls back to the default /20: a new prefix length too.
    ({"psa_range": "10.60.0.0/22"}, {}),
])
def test_a_new_private_services_prefix_under_redis_is_rejected(before, after):
    old = report(NETWORKED, network={"vpc_cidr": "10.44.0.0/16", "gcp": before})
    result = diff(old, report(NETWORKED, network={"vpc_cidr": "10.44.0.0/16", "gcp": after}))
    [refusal] = result["rejected"]
    assert (refusal["type"], refusal["key"]) == ("gcp:compute/globalAddress:GlobalAddress",
                                                 "address")
    assert "Keep psa_range and psa_prefix_length" in refusal["reason"]


def test_a_region_leaving_the_list_is_not_applied_to_the_subnets_after_it():
    # Subnet ranges are handed out by position: without a's us-east4, b's europe-west1 moves
    # to a's range in the config, but the subnet keeps its own; vpc_cidr did not change.
    def caches(*regions: str) -> dict[str, Any]:
        return {name: {"engine": "valkey", "global": {"secondary_region": region}}
                for name, region in zip("ab", regions, strict=False) if region}
    before = report(caches("us-east4", "europe-west1"), network={"vpc_cidr": "10.44.0.0/16"})
    after = report({"b": caches("us-east4", "europe-west1")["b"]},
                   network={"vpc_cidr": "10.44.0.0/16"})
    [item] = diff(before, after)["rejected"]
    assert (item["name"], item["key"], item["outcome"]) == (
        "test-us-central1-subnet-europe-west1", "ipCidrRange", "not applied")
    assert "the subnet keeps 10.44.32.0/20 (fixed at creation)" in item["reason"]
    assert "can be given 10.44.32.0/20" in item["reason"]


def test_moving_the_vpc_cidr_is_rejected_on_each_subnet_that_keeps_its_range():
    before = report(NETWORKED, network=network())
    rejected = diff(before, report(NETWORKED, network=network(vpc_cidr="10.45.0.0/16")))[
        "rejected"]
    assert [(r["key"], r["condition"]) for r in rejected] == [
        ("ipCidrRange", "a network range moved under live caches")]
    assert "the subnet keeps 10.44.0.0/20" in rejected[0]["reason"]
