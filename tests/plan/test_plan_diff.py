"""`--diff OLD.json`: added, removed, changed, and DATA LOSS for changes that replace or delete
a data-holding resource. OLD.json is written from one config, the new plan made from another."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from components.provider_facts import types_with_facts
from infra.plan import report as plan_module
from infra.plan.diff import TLS_MODE_AFTER_REDIS_6, diff
from infra.plan.render import render
from infra.plan.report import build_report, load_report, run_plan
from tests.builders import aws_config
from tests.builders import aws_plan as report

RG = "aws:elasticache/replicationGroup:ReplicationGroup"
SESSIONS = {"engine": "valkey", "node_type": "cache.r7g.large", "replicas": 1}



def old_json(tmp_path: Path, caches: dict, **top) -> dict:
    """Write the earlier plan to OLD.json and read it back, as CI does."""
    path = tmp_path / "OLD.json"
    path.write_text(json.dumps(report(caches, **top)))
    return load_report(str(path))


def losses(result: dict) -> dict[str, dict]:
    return {loss["name"]: loss for loss in result["data_loss"]}


@pytest.fixture(scope="module")
def baseline() -> dict:
    return report({"sessions": SESSIONS})


def test_the_same_config_twice_changes_nothing(baseline):
    result = diff(copy.deepcopy(baseline), report({"sessions": SESSIONS}))
    assert (result["added"], result["removed"], result["changed"], result["data_loss"]) == (
        [], [], [], [])
    assert result["cost_delta_monthly_usd"] == 0


def test_a_renamed_cache_is_data_loss(tmp_path):
    old = old_json(tmp_path, {"sessions": SESSIONS})
    new = report({"sessions2": SESSIONS})
    result = diff(old, new)
    lost = losses(result)
    assert lost["sessions-group"]["action"] == "delete"
    assert lost["sessions-group"]["type"] == RG
    assert lost["sessions"]["type"] == "cache"  # the cache-level entry
    assert {"cache": "sessions", "change": "removed",
            "detail": "valkey cache removed or renamed"} in result["cache_changes"]
    assert "sessions2-group" in {r["name"] for r in result["added"]}
    assert {"cache": "sessions2", "change": "added",
            "detail": "new valkey cache"} in result["cache_changes"]
    new["diff"] = result
    assert "DATA LOSS" in render(new, "text")
    assert "> [!CAUTION]" in render(new, "markdown")


def test_an_engine_change_is_data_loss(tmp_path):
    old = old_json(tmp_path, {"sessions": SESSIONS})
    new = report({"sessions": {**SESSIONS, "engine": "redis", "engine_version": "7.1"}})
    result = diff(old, new)
    [group] = [c for c in result["changed"] if c["name"] == "sessions-group"]
    assert group["replace"] and "engine" in group["replace_keys"]
    assert losses(result)["sessions-group"]["action"] == "replace"
    assert losses(result)["sessions"]["reason"].startswith("engine valkey -> redis")


def test_redis_to_valkey_is_an_in_place_upgrade_not_data_loss(tmp_path):
    old = old_json(tmp_path, {"sessions": {**SESSIONS, "engine": "redis",
                                           "engine_version": "7.1"}})
    result = diff(old, report({"sessions": {**SESSIONS, "engine_version": "8.0"}}))
    [group] = [c for c in result["changed"] if c["name"] == "sessions-group"]
    assert not group["replace"], group
    assert any("in place" in note for note in group["notes"])
    assert result["data_loss"] == []


# Replaced in the same update (a new port) too: the user group, updated in place, still turns
# valkey while the old Redis OSS group refers to it.
@pytest.mark.parametrize("port", [{}, {"port": 6380}], ids=["in-place", "replaced"])
def test_redis_to_valkey_with_users_names_the_cache_to_move_first(tmp_path, port):
    users = {"app": {"access": "on ~app:* +@all -@dangerous"}}
    old = old_json(tmp_path, {"sessions": {**SESSIONS, "aws": {"users": users},
                                           "engine": "redis", "engine_version": "7.1"}})
    result = diff(old, report({"sessions": {**SESSIONS, "aws": {"users": users, **port},
                                            "engine_version": "8.0"}}))
    by_name = {c["name"]: c for c in result["changed"]}
    group, users_group = by_name["sessions-group"], by_name["sessions-users-group"]
    params = by_name["sessions-parameters-params"]
    assert users_group["changes"]["engine"] == {"old": "redis", "new": "valkey"}
    [note] = users_group["notes"]
    assert "a Redis OSS cache takes only redis user groups" in note
    assert note.endswith(f"`pulumi up --target '{params['urn']}' --target '{group['urn']}'`, "
                         "then `pulumi up`")
    assert group["replace"] is bool(port) and bool(result["data_loss"]) is bool(port)
    assert result["rejected"] == []


def test_redis_to_valkey_without_users_has_no_user_group_note(tmp_path):
    old = old_json(tmp_path, {"sessions": {**SESSIONS, "engine": "redis",
                                           "engine_version": "7.1"}})
    result = diff(old, report({"sessions": {**SESSIONS, "engine_version": "8.0"}}))
    assert not [c for c in result["changed"] if c["type"].endswith(":UserGroup")]
    assert all("user groups" not in note for c in result["changed"] for note in c["notes"])


@pytest.mark.parametrize(("change", "key"), [
    ({"aws": {"port": 6380}}, "port"),
    ({"aws": {"create_kms_key": True}}, "kmsKeyId"),
])
def test_replace_forcing_inputs_are_data_loss(baseline, change, key):
    result = diff(copy.deepcopy(baseline), report({"sessions": {**SESSIONS, **change}}))
    [group] = [c for c in result["changed"] if c["name"] == "sessions-group"]
    assert key in group["replace_keys"]
    assert "sessions-group" in losses(result)


def test_a_new_subnet_group_replaces_the_cache(baseline):
    result = diff(copy.deepcopy(baseline), report({"sessions": SESSIONS}, name_prefix="blue"))
    lost = losses(result)
    # The group id and subnet group name both follow the prefix.
    assert lost["sessions-group"]["action"] == "replace"
    [group] = [c for c in result["changed"] if c["name"] == "sessions-group"]
    assert {"replicationGroupId", "subnetGroupName"} <= set(group["replace_keys"])


def test_in_place_changes_are_not_data_loss(baseline):
    result = diff(copy.deepcopy(baseline), report({"sessions": {**SESSIONS, "replicas": 2,
                                                                 "snapshot_retention_days": 5}}))
    [group] = [c for c in result["changed"] if c["name"] == "sessions-group"]
    assert {"numCacheClusters", "snapshotRetentionLimit"} <= set(group["keys"])
    assert not group["replace"]
    assert result["data_loss"] == []
    assert result["cost_delta_monthly_usd"] > 0


def test_adding_a_global_datastore_keeps_the_group_through_its_alias():
    old = report({"sessions": SESSIONS}, profile="production")
    new = report({"sessions": {**SESSIONS, "global": {"secondary_region": "eu-west-1"}}},
                 profile="production")
    result = diff(old, new)
    assert [(m["name"], m["aliased"]) for m in result["moved"]] == [("sessions", True)]
    assert result["data_loss"] == []
    assert "sessions-eu-west-1-group" in {r["name"] for r in result["added"]}


def test_a_move_without_an_alias_is_data_loss(baseline):
    old = copy.deepcopy(baseline)
    new = copy.deepcopy(baseline)
    [group] = [r for r in new["resources"] if r["name"] == "sessions-group"]
    group["urn"] = group["urn"].replace("ElastiCacheReplicationGroup$", "SomethingElse$")
    group["aliased"] = False
    result = diff(old, new)
    assert losses(result)["sessions-group"]["action"] == "replace"
    assert "no alias" in losses(result)["sessions-group"]["reason"]


def test_removing_a_protected_cache_says_pulumi_will_stop(tmp_path):
    old = old_json(tmp_path, {"sessions": SESSIONS, "pages": {"engine": "memcached"}},
                   profile="production")
    result = diff(old, report({"sessions": SESSIONS}, profile="production"))
    lost = losses(result)
    assert lost["pages-cluster"]["protected"] is True
    assert "protected" in lost["pages-cluster"]["reason"]


def test_gcp_tier_and_tls_mode_changes_replace_the_instance():
    def instance(**inputs):
        return {"urn": "urn:x", "type": "gcp:redis/instance:Instance", "name": "r-instance",
                "parent": "", "custom": True, "provider_region": "us-central1", "protect": True,
                "aliased": False, "ignore_changes": [], "cache": "r", "data_holding": True,
                "inputs": inputs}

    old = {"stack": "gcp", "resources": [instance(tier="BASIC", transitEncryptionMode="DISABLED",
                                                  memorySizeGb=5)], "caches": []}
    new = {"stack": "gcp", "resources": [instance(tier="STANDARD_HA",
                                                  transitEncryptionMode="SERVER_AUTHENTICATION",
                                                  memorySizeGb=6)], "caches": []}
    [change] = diff(old, new)["changed"]
    assert set(change["replace_keys"]) == {"tier", "transitEncryptionMode"}
    assert "memorySizeGb" in change["keys"]


def test_the_facts_table_covers_every_data_holding_type():
    from infra.plan.resources import DATA_HOLDING_TYPES

    assert set(DATA_HOLDING_TYPES) <= types_with_facts()


def test_cli_diff_flags_data_loss_and_can_fail_on_it(tmp_path, capsys):
    # OLD.json is the dev stack as it would be with the cache named differently.
    config = json.loads(json.dumps(aws_config({"cache": {"node_type": "cache.t4g.micro",
                                                         "replicas": 0}})))
    old = build_report(run_plan("dev", config=config))
    path = tmp_path / "OLD.json"
    path.write_text(json.dumps(old))
    out = tmp_path / "comment.md"
    code = plan_module.main(["dev", "--format", "markdown", "--diff", str(path),
                             "-o", str(out), "--fail-on-data-loss"])
    assert code == plan_module.EXIT_DATA_LOSS
    text = out.read_text()
    assert "**DATA LOSS" in text and "`cache-group`" in text
    assert plan_module.main(["dev", "--diff", str(tmp_path / "missing.json")]) == \
        plan_module.EXIT_USAGE
    assert "cannot read" in capsys.readouterr().err


def gcp_prod(**changes: dict) -> dict:
    """The gcp-prod stack file's config with cache settings changed."""
    from infra.stackfile import flat_stack_config

    config = flat_stack_config("gcp-prod")
    caches = json.loads(config["managed-cache:caches"])
    for cache, settings in changes.items():
        caches[cache] = {**caches[cache], **settings}
    config["managed-cache:caches"] = json.dumps(caches)
    return build_report(run_plan("gcp-prod", config=config))


@pytest.fixture(scope="module")
def gcp_baseline() -> dict:
    return gcp_prod()


def test_gcp_redis_tier_change_is_data_loss(gcp_baseline):
    # replicas 2 -> 0 turns STANDARD_HA into BASIC, which Memorystore cannot do in place.
    result = diff(copy.deepcopy(gcp_baseline),
                  gcp_prod(ratelimits={"replicas": 0, "gcp": {"read_replicas": False}}))
    [instance] = [c for c in result["changed"] if c["name"] == "ratelimits-instance"]
    assert "tier" in instance["replace_keys"]
    assert losses(result)["ratelimits-instance"]["action"] == "replace"


def test_gcp_valkey_tls_change_is_data_loss(gcp_baseline):
    result = diff(copy.deepcopy(gcp_baseline), gcp_prod(sessions={"gcp": {"tls": False}}))
    replaced = {c["name"]: c["replace_keys"] for c in result["changed"] if c["replace"]}
    assert "transitEncryptionMode" in replaced["sessions-instance"]
    assert "sessions-instance" in losses(result)


def test_gcp_redis_zone_removed_keeps_the_instance_and_a_zone_set_replaces_it():
    # location_id is Optional, Computed and immutable: left out, Google's zone stays.
    zoned = gcp_prod(ratelimits={"gcp": {"zone": "us-central1-a"}})
    kept = diff(copy.deepcopy(zoned), gcp_prod())
    assert "ratelimits-instance" not in losses(kept)
    assert all("locationId" not in c["replace_keys"] for c in kept["changed"])
    moved = diff(gcp_prod(), zoned)
    [instance] = [c for c in moved["changed"] if c["name"] == "ratelimits-instance"]
    assert "locationId" in instance["replace_keys"]
    # A replacement that holds only under a condition says which.
    assert [n for n in instance["notes"] if n.startswith("locationId: ")]


def test_two_preview_plans_compare_equal():
    first = build_report(run_plan("prod", preview=True))
    second = build_report(run_plan("prod", preview=True))
    assert json.dumps(first).count("(known after apply)") > 0
    assert "pulumi.output" not in json.dumps(first)
    result = diff(first, second)
    assert (result["changed"], result["data_loss"]) == ([], [])


def test_swapping_one_of_two_valkey_secondary_regions_is_rejected():
    # Pulumi creates the new secondary before it deletes the old: three at once, one too many.
    two = gcp_prod(sessions={"global": {"secondary_regions": ["us-east4", "us-west1"]}})
    swapped = gcp_prod(sessions={"global": {"secondary_regions": ["us-east4", "us-west2"]}})
    rejected = diff(copy.deepcopy(two), swapped)["rejected"]
    assert [(r["name"], r["key"]) for r in rejected] == [
        ("sessions-secondary-us-west2", "crossInstanceReplicationConfig")]
    # With one secondary, a new region may replace it in one update (two exist meanwhile).
    one = gcp_prod(sessions={"global": {"secondary_regions": ["us-west1"]}})
    moved = gcp_prod(sessions={"global": {"secondary_regions": ["us-west2"]}})
    assert diff(copy.deepcopy(one), moved)["rejected"] == []


def test_a_new_provider_region_replaces_the_group_and_is_data_loss(baseline):
    result = diff(copy.deepcopy(baseline), report({"sessions": SESSIONS},
                                                  **{"aws:region": "us-west-2"}))
    [group] = [c for c in result["changed"] if c["name"] == "sessions-group"]
    assert group["replace"] and group["replace_keys"][0] == "(provider region)"
    assert group["changes"]["(provider region)"] == {"old": "us-east-1", "new": "us-west-2"}
    assert losses(result)["sessions-group"]["action"] == "replace"


def test_a_group_moved_with_its_aliased_component_is_kept_and_compared(baseline):
    # Pulumi gives a child its ancestor's old place when the ancestor declares an alias
    # (step_generator.go inheritedChildAlias): the group moves with its component, and what
    # changes on it is an update of the kept group.
    old, new = copy.deepcopy(baseline), copy.deepcopy(baseline)
    by_name = {r["name"]: r for r in new["resources"]}
    component, group = by_name["sessions"], by_name["sessions-group"]

    def wrapped(urn: str) -> str:
        return urn.replace("::managed-cache::", "::managed-cache::managed-cache:aws:Wrapper$", 1)

    component["urn"], component["declares_alias"] = wrapped(component["urn"]), True
    group["urn"], group["parent"] = wrapped(group["urn"]), component["urn"]
    group["declares_alias"] = False
    group["inputs"]["snapshotRetentionLimit"] = 9
    result = diff(old, new)
    assert {(m["name"], m["aliased"]) for m in result["moved"]} == {("sessions", True),
                                                                    ("sessions-group", True)}
    assert (result["added"], result["removed"], result["data_loss"]) == ([], [], [])
    assert [(c["name"], c["keys"], c["replace"]) for c in result["changed"]] == [
        ("sessions-group", ["snapshotRetentionLimit"], False)]


@pytest.mark.parametrize(("field", "value", "note"), [
    ("stack", "prod", "compared with a plan of another stack (prod)"),
    ("preview", True, "one plan was made with --preview and the other without: values known in "
                      "one and unknown in the other show as changes"),
    ("schema_version", 0, "the earlier plan has schema_version 0, this one {schema_version}"),
], ids=["another-stack", "preview-and-not", "older-schema"])
def test_plans_made_differently_are_compared_with_a_note(baseline, field, value, note):
    old = {**copy.deepcopy(baseline), field: value}
    result = diff(old, copy.deepcopy(baseline))
    assert note.format(schema_version=baseline["schema_version"]) in result["notes"]


# A reviewer reads the top of the list first: replacements that lose data, then other
# replacements, then updates.
def test_changes_list_data_losing_replacements_first_then_replacements_then_updates(baseline):
    old = copy.deepcopy(baseline)
    [dashboard] = [r for r in old["resources"]
                   if r["type"] == "aws:cloudwatch/dashboard:Dashboard"]
    dashboard["inputs"]["dashboardName"] = "managed-cache-test"    # replaced, holds no data
    result = diff(old, report({"sessions": {**SESSIONS, "aws": {"port": 6380,
                                                                "log_retention_days": 90}}}))
    assert [(c["name"], c["replace"]) for c in result["changed"]] == [
        ("sessions-group", True), ("test-dashboard-dashboard", True),
        ("sessions-engine-log", False), ("sessions-slow-log", False)]


# A region removed whole deletes its cache before its subnets, so no subnet note.
def test_removing_the_secondary_region_says_nothing_of_its_subnets():
    paired = report({"sessions": {**SESSIONS, "global": {"secondary_region": "eu-west-1"}}},
                    profile="production")
    result = diff(paired, report({"sessions": SESSIONS}, profile="production"))
    assert "test-eu-west-1-private-1" in {r["name"] for r in result["removed"]}
    assert [n for n in result["notes"] if n.startswith("subnet ")] == []


@pytest.mark.parametrize(("before", "after"), [("redis", "valkey"), ("valkey", "redis")])
def test_a_serverless_engine_switch_is_noted_as_an_online_change(before, after):
    def bursty(engine: str) -> dict:
        return {"bursty": {"engine": engine, "engine_version": {"redis": "7.1"}.get(engine, "7.2"),
                           "serverless": {"max_data_gb": 10, "max_ecpu_per_second": 10000}}}

    result = diff(report(bursty(before)), report(bursty(after)))
    [cache] = [c for c in result["changed"] if c["name"] == "bursty-cache"]
    assert f"engine: in place: {before} -> {after} is an online change" in cache["notes"]


# Only a Global Datastore skips the maintenance window.
def test_a_lone_cache_upgrade_is_not_said_to_skip_the_maintenance_window(baseline):
    result = diff(report({"sessions": {**SESSIONS, "engine_version": "7.2"}}),
                  copy.deepcopy(baseline))
    [group] = [c for c in result["changed"] if c["name"] == "sessions-group"]
    assert "engineVersion" in group["keys"] and group["notes"] == []


# The cache-level DATA LOSS entries of a stack where nothing is protected (`protected` is in
# the JSON format, docs/plan.md).
def test_cache_level_data_loss_is_not_called_protected_when_nothing_is(tmp_path):
    old = old_json(tmp_path, {"sessions": SESSIONS, "pages": {"engine": "memcached"}})
    result = diff(old, report({"sessions": {**SESSIONS, "engine": "redis",
                                            "engine_version": "7.1"}}))
    assert {(loss["name"], loss["protected"]) for loss in result["data_loss"]
            if loss["type"] == "cache"} == {("pages", False), ("sessions", False)}


# A plan that carries no recoveryWindowInDays (an earlier plan) has Secrets Manager's default,
# 30 days.
def test_a_removed_secret_without_a_recovery_window_in_its_plan_keeps_its_name_30_days(baseline):
    old = report({"sessions": {**SESSIONS, "secret": True}})
    [secret] = [r for r in old["resources"] if r["type"] == "aws:secretsmanager/secret:Secret"]
    del secret["inputs"]["recoveryWindowInDays"]
    [note] = [n for n in diff(old, copy.deepcopy(baseline))["notes"] if n.startswith("secret ")]
    assert "is deleted with a 30-day recovery window" in note


# Redis OSS 6.2 and 6.x name the same minor line, so neither is a downgrade.
@pytest.mark.parametrize(("before", "after"), [("6.2", "6.x"), ("6.x", "6.2")])
def test_redis_6_2_and_6_x_are_not_a_downgrade(before, after):
    result = diff(report({"s": {"engine": "redis", "engine_version": before}}),
                  report({"s": {"engine": "redis", "engine_version": after}}))
    [group] = [c for c in result["changed"] if c["name"] == "s-group"]
    assert group["keys"] == ["engineVersion"] and not group["replace"]
    assert result["data_loss"] == []


# Redis OSS 6 takes no TLS mode; the group is sent one with its upgrade, which ElastiCache may
# refuse (infra/plan/diff.py TLS_MODE_AFTER_REDIS_6): the diff says so and how to recover.
@pytest.mark.parametrize("global_", [{}, {"global": {"secondary_region": "eu-west-1"}}],
                         ids=["lone", "global-datastore"])
@pytest.mark.parametrize(("before", "after", "noted"), [
    (("redis", "6.2"), ("redis", "7.1"), True), (("redis", "6.2"), ("valkey", "8.1"), True),
    (("redis", "7.0"), ("redis", "7.1"), False)])
def test_a_tls_mode_first_sent_with_an_upgrade_from_redis_6_is_noted(global_, before, after,
                                                                      noted):
    def cache(engine_and_version: tuple[str, str]) -> dict:
        engine, version = engine_and_version
        return {"s": {"engine": engine, "engine_version": version, **global_}}

    result = diff(report(cache(before), profile="production"),
                  report(cache(after), profile="production"))
    [group] = [c for c in result["changed"] if c["name"] == "s-group"] or [{"notes": []}]
    assert (TLS_MODE_AFTER_REDIS_6 in group["notes"]) is noted
    assert result["rejected"] == []
