"""Day-2 changes, as `python -m infra.plan <stack> --diff OLD.json` classifies them: OLD and NEW
are plans of two config variations. In place, DATA LOSS, or REJECTED / NOT APPLIED, each from
the provider facts table (components/provider_facts.py)."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from infra.plan import report as plan_module
from infra.plan.diff import diff
from infra.plan.report import build_report, run_plan
from infra.plan.secrets import UNKNOWN
from tests.builders import aws_config
from tests.builders import aws_plan as report

SESSIONS = {"engine": "valkey", "node_type": "cache.r7g.large", "replicas": 1,
            "parameters": {"maxmemory-policy": "volatile-lru"}}
PAGES = {"engine": "memcached", "node_type": "cache.m7g.large", "nodes": 2}
GLOBAL = {**SESSIONS, "global": {"secondary_region": "eu-west-1"}}



def with_(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {**copy.deepcopy(base), **changes}


def loss_names(result: dict[str, Any]) -> set[str]:
    return {loss["name"] for loss in result["data_loss"]}


def changed(result: dict[str, Any], name: str) -> dict[str, Any]:
    [entry] = [c for c in result["changed"] if c["name"] == name]
    return entry


@pytest.fixture(scope="module")
def lone() -> dict[str, Any]:
    return report({"sessions": SESSIONS, "pages": PAGES})


@pytest.fixture(scope="module")
def global_cache() -> dict[str, Any]:
    return report({"sessions": GLOBAL}, profile="production")


# ---------------------------------------------------------------------------------------------
# In place
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("cache", "change", "resource", "key"), [
    ("sessions", {"replicas": 2}, "sessions-group", "numCacheClusters"),
    ("sessions", {"node_type": "cache.r7g.xlarge"}, "sessions-group", "nodeType"),
    ("sessions", {"snapshot_retention_days": 9}, "sessions-group", "snapshotRetentionLimit"),
    ("sessions", {"aws": {"log_retention_days": 90}}, "sessions-slow-log", "retentionInDays"),
    ("pages", {"nodes": 3}, "pages-cluster", "numCacheNodes"),
])
def test_in_place_changes(lone, cache, change, resource, key):
    caches = {"sessions": SESSIONS, "pages": PAGES}
    caches[cache] = with_(caches[cache], **change)
    result = diff(copy.deepcopy(lone), report(caches))
    entry = changed(result, resource)
    assert key in entry["keys"] and not entry["replace"], entry
    assert (result["data_loss"], result["rejected"]) == ([], [])


# ---------------------------------------------------------------------------------------------
# DATA LOSS
# ---------------------------------------------------------------------------------------------
KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/00000000-1111-2222-3333-444444444444"


@pytest.mark.parametrize(("change", "replaced"), [
    ({"aws": {"port": 6380}}, "port"),
    ({"aws": {"create_kms_key": True}}, "kmsKeyId"),
    ({"aws": {"kms_key_arn": KEY_ARN}}, "kmsKeyId"),
])
def test_data_loss_changes(lone, change, replaced):
    result = diff(copy.deepcopy(lone),
                  report({"sessions": with_(SESSIONS, **change), "pages": PAGES}))
    assert replaced in changed(result, "sessions-group")["replace_keys"]
    assert "sessions-group" in loss_names(result)


def test_a_rename_is_data_loss(lone):
    result = diff(copy.deepcopy(lone), report({"store": SESSIONS, "pages": PAGES}))
    assert {"sessions-group", "sessions"} <= loss_names(result)


def test_a_memcached_node_type_change_is_data_loss(lone):
    bigger = with_(PAGES, node_type="cache.m7g.xlarge")
    result = diff(copy.deepcopy(lone), report({"sessions": SESSIONS, "pages": bigger}))
    assert "nodeType" in changed(result, "pages-cluster")["replace_keys"]
    assert "pages-cluster" in loss_names(result)


# ---------------------------------------------------------------------------------------------
# REJECTED / NOT APPLIED, and what a Global Datastore applies
# ---------------------------------------------------------------------------------------------
def test_a_parameter_edit_on_a_global_cache_is_not_applied(global_cache):
    edited = with_(GLOBAL, parameters={"maxmemory-policy": "allkeys-lru"})
    result = diff(copy.deepcopy(global_cache), report({"sessions": edited}, profile="production"))
    [item] = result["rejected"]
    assert (item["name"], item["key"], item["outcome"]) == (
        "sessions-parameters-params", "parameters", "not applied")
    assert "global-datastore-" in item["reason"]
    assert result["data_loss"] == []


def test_the_same_edit_on_a_lone_cache_applies(lone):
    edited = with_(SESSIONS, parameters={"maxmemory-policy": "allkeys-lru"})
    result = diff(copy.deepcopy(lone), report({"sessions": edited, "pages": PAGES}))
    assert "parameters" in changed(result, "sessions-parameters-params")["keys"]
    assert result["rejected"] == []


def test_a_major_upgrade_of_a_global_cache_carries_its_parameters(global_cache):
    upgraded = with_(GLOBAL, engine_version="9.0",
                     parameters={"maxmemory-policy": "allkeys-lru"})
    result = diff(copy.deepcopy(global_cache), report({"sessions": upgraded},
                                                      profile="production"))
    assert result["rejected"] == [] and result["data_loss"] == []
    entry = changed(result, "sessions-global")
    assert {"engineVersion", "parameterGroupName"} <= set(entry["keys"])
    assert not entry["replace"]


def test_a_family_change_without_a_major_upgrade_is_rejected():
    """Redis OSS 7.1 -> Valkey 7.2 is a minor version with a new family (redis7 -> valkey7):
    the provider refuses a new parameter group on the global group without a major upgrade."""
    redis = with_(GLOBAL, engine="redis", engine_version="7.1")
    old = report({"sessions": redis}, profile="production")
    new = report({"sessions": with_(GLOBAL, engine_version="7.2")}, profile="production")
    [item] = diff(old, new)["rejected"]
    assert (item["name"], item["key"], item["outcome"]) == (
        "sessions-global", "parameterGroupName", "rejected")


def test_cli_fails_on_a_rejected_change(tmp_path, global_cache, monkeypatch):
    path = tmp_path / "OLD.json"
    path.write_text(json.dumps(global_cache))
    config = aws_config({"sessions": with_(GLOBAL, parameters={"maxmemory-policy": "noeviction"})},
                        profile="production")
    original = plan_module.run_plan
    monkeypatch.setattr(plan_module, "run_plan", lambda stack, preview=False: original(
        stack, preview=preview, config=config))
    out = tmp_path / "plan.txt"
    code = plan_module.main(["test", "--diff", str(path), "-o", str(out), "--fail-on-data-loss"])
    assert code == plan_module.EXIT_DATA_LOSS
    text = out.read_text()
    assert "REJECTED / NOT APPLIED: 1 change(s)" in text
    assert "NOT APPLIED sessions-parameters-params" in text


# ---------------------------------------------------------------------------------------------
# What the provider sends in a way ElastiCache refuses
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("change", [{"shards": 2}, {"aws": {"cluster_mode": True}}],
                         ids=["shards-1-to-2", "cluster-mode-key"])
def test_turning_cluster_mode_on_for_an_existing_group_is_rejected(lone, change):
    """Cluster mode disabled -> enabled goes through "compatible" first; the provider sends
    enabled directly, so the update fails."""
    result = diff(copy.deepcopy(lone), report({"sessions": with_(SESSIONS, **change),
                                               "pages": PAGES}))
    [item] = result["rejected"]
    assert (item["name"], item["key"], item["outcome"]) == (
        "sessions-group", "clusterMode", "rejected")
    assert "Compatible" in item["reason"] and "aws.cluster_mode: true" in item["reason"]
    assert "modify-cluster-mode.html" in item["source"]
    assert result["data_loss"] == []


SHARDED = {**SESSIONS, "shards": 2}


@pytest.mark.parametrize("cache", [SHARDED, SESSIONS], ids=["cluster-mode", "one-shard"])
def test_turning_backups_on_is_an_update_in_place(cache):
    """Retention 0 -> N: the bridged provider leaves SnapshottingClusterId out in cluster mode
    and names the group's current primary otherwise (terraform-provider-aws#46326, which ended
    the "Cannot set snapshotting cluster for cluster mode enabled replication group" refusal
    of #20052), so neither is refused any more."""
    result = diff(report({"sessions": with_(cache, snapshot_retention_days=0)}),
                  report({"sessions": with_(cache, snapshot_retention_days=7)}))
    assert (result["data_loss"], result["rejected"]) == ([], [])
    assert changed(result, "sessions-group")["changes"] == {
        "snapshotRetentionLimit": {"old": 0, "new": 7}}


LIMITS = {"max_data_gb": 10, "max_ecpu_per_second": 10000}
BURSTY = {"engine": "valkey", "serverless": LIMITS}


def test_a_serverless_valkey_major_upgrade_is_in_place():
    """terraform-provider-aws PR #45087: a Valkey major upgrade is an update, not a
    replacement (RequiresReplaceIf on major_engine_version)."""
    result = diff(report({"bursty": with_(BURSTY, engine_version="7.2")}),
                  report({"bursty": with_(BURSTY, engine_version="8.0")}))
    entry = changed(result, "bursty-cache")
    assert entry["keys"] == ["majorEngineVersion"] and not entry["replace"], entry
    assert (result["data_loss"], result["rejected"]) == ([], [])
    # A downgrade still replaces the cache.
    result = diff(report({"bursty": with_(BURSTY, engine_version="8.0")}),
                  report({"bursty": with_(BURSTY, engine_version="7.2")}))
    assert changed(result, "bursty-cache")["replace_keys"] == ["majorEngineVersion"]
    assert "bursty-cache" in loss_names(result)


@pytest.mark.parametrize(("before", "after"), [
    ({"engine": "redis", "engine_version": "7.1"}, {"engine_version": "8.0"}),
    ({"engine_version": "7.2"}, {"engine": "redis", "engine_version": "7.1"}),
], ids=["redis-7-to-valkey-8", "valkey-7-to-redis-7"])
def test_a_serverless_cache_switches_between_redis_and_valkey_in_place(before, after):
    """serverless_cache.go lets redis <-> valkey through its engine RequiresReplaceIf (PRs
    #42208, #45087); Valkey 7 -> Redis OSS 7 keeps the major version."""
    result = diff(report({"bursty": with_(BURSTY, **before)}),
                  report({"bursty": with_(BURSTY, **after)}))
    entry = changed(result, "bursty-cache")
    assert "engine" in entry["keys"] and not entry["replace"], entry
    assert result["data_loss"] == []
    [engine] = [c for c in result["cache_changes"] if c["change"] == "engine"]
    assert engine["detail"].endswith("(in place)")
    # Any other engine change replaces it.
    result = diff(report({"bursty": BURSTY}),
                  report({"bursty": with_(BURSTY, engine="memcached")}))
    assert "engine" in changed(result, "bursty-cache")["replace_keys"]


def test_a_serverless_move_to_valkey_names_the_cache_to_move_before_its_users():
    # Serverless caches always have a user group; Pulumi updates it before the cache.
    result = diff(report({"bursty": with_(BURSTY, engine="redis", engine_version="7.1")}),
                  report({"bursty": BURSTY}))
    cache = changed(result, "bursty-cache")
    [group] = [c for c in result["changed"] if c["type"].endswith(":UserGroup")]
    [note] = group["notes"]
    assert note.endswith(f"`pulumi up --target '{cache['urn']}'`, then `pulumi up`")
    # Back to Redis OSS the group turns redis first, which a Valkey cache takes: no note.
    result = diff(report({"bursty": BURSTY}),
                  report({"bursty": with_(BURSTY, engine="redis", engine_version="7.1")}))
    [group] = [c for c in result["changed"] if c["type"].endswith(":UserGroup")]
    assert group["notes"] == []


def test_a_new_vpc_cidr_replaces_the_vpc_and_its_subnets(lone):
    # cidr_block is ForceNew on aws_vpc and aws_subnet: this is no in-place edit.
    moved = report({"sessions": SESSIONS, "pages": PAGES}, network={"vpc_cidr": "10.60.0.0/16"})
    result = diff(lone, moved)
    replaced = {c["name"] for c in result["changed"] if c["replace"]}
    assert {c["name"] for c in result["changed"]
            if c["type"] in ("aws:ec2/vpc:Vpc", "aws:ec2/subnet:Subnet")} <= replaced
    assert any(c["type"] == "aws:ec2/vpc:Vpc" for c in result["changed"] if c["replace"])


def test_a_renamed_key_alias_is_a_new_alias_on_the_same_key():
    # The log key's alias moved to alias/managed-cache/<prefix>/logs: the alias is replaced
    # (name is ForceNew), the key is untouched and nothing holding data is lost.
    new = build_report(run_plan("prod"))
    old = copy.deepcopy(new)
    for res in old["resources"]:
        if res["type"] == "aws:kms/alias:Alias" and res["inputs"]["name"].endswith("/logs"):
            res["inputs"]["name"] = res["inputs"]["name"].replace("/logs", "-logs")
    result = diff(old, new)
    aliases = [c for c in result["changed"] if c["type"] == "aws:kms/alias:Alias"]
    assert aliases and all(c["replace"] and c["replace_keys"] == ["name"] for c in aliases)
    assert not [c for c in result["changed"] if c["type"] == "aws:kms/key:Key"]
    assert result["data_loss"] == []


def test_a_renamed_alarm_is_replaced_without_data_loss():
    new = build_report(run_plan("prod"))
    old = copy.deepcopy(new)
    [lag] = [r for r in old["resources"] if r["type"] == "aws:cloudwatch/metricAlarm:MetricAlarm"
             and r["inputs"]["name"].endswith("/GlobalDatastoreReplicationLag")]
    lag["inputs"]["name"] = "managed-cache/prod-sessions/prod-sessions-euw1-001/" \
                            "GlobalDatastoreReplicationLag"
    result = diff(old, new)
    [change] = [c for c in result["changed"] if c["urn"] == lag["urn"]]
    assert change["replace"] and change["replace_keys"] == ["name"]
    assert result["data_loss"] == []


# ---------------------------------------------------------------------------------------------
# Secrets Manager names outlive their secrets
# ---------------------------------------------------------------------------------------------
SECRET = "aws:secretsmanager/secret:Secret"


def test_a_production_secret_removed_keeps_its_name_for_its_recovery_window(global_cache):
    result = diff(copy.deepcopy(global_cache),
                  report({"sessions": with_(GLOBAL, secret=False)}, profile="production"))
    reserved = [n for n in result["notes"] if n.startswith("secret 'managed-cache/test/sessions'")]
    assert sorted(reserved) == [
        f"secret 'managed-cache/test/sessions' ({region}) is deleted with a 30-day recovery "
        "window: the name cannot be used again until then. To bring it back sooner, `aws "
        "secretsmanager restore-secret` and `pulumi import` it, or delete it for good with "
        "`--force-delete-without-recovery`." for region in ("eu-west-1", "us-east-1")]
    assert result["rejected"] == []


def test_a_secret_whose_customer_key_is_removed_keeps_it_and_says_so():
    keyed = report({"sessions": with_(SESSIONS, secret=True, aws={"kms_key_arn": KEY_ARN})})
    result = diff(keyed, report({"sessions": with_(SESSIONS, secret=True)}))
    assert "sessions-group" in loss_names(result)   # the group itself is replaced
    [item] = result["rejected"]
    assert (item["type"], item["key"], item["outcome"]) == (SECRET, "kmsKeyId", "not applied")
    assert "--kms-key-id alias/aws/secretsmanager" in item["reason"]


def test_a_development_secret_removed_leaves_no_note(lone):
    result = diff(report({"sessions": with_(SESSIONS, secret=True), "pages": PAGES}),
                  copy.deepcopy(lone))
    assert "aws:secretsmanager/secret:Secret" in {r["type"] for r in result["removed"]}
    assert [n for n in result["notes"] if n.startswith("secret ")] == []


@pytest.mark.parametrize("profile", ["development", "production"])
def test_a_secret_that_keeps_its_name_under_a_new_urn_is_rejected(profile):
    """Pulumi creates the new secret before deleting the old one; Secrets Manager refuses the
    duplicate name. The name is refused, not held for a recovery window: no note on that."""
    before = report({"sessions": with_(SESSIONS, secret=True)}, profile=profile)
    moved = copy.deepcopy(before)
    [secret] = [res for res in moved["resources"] if res["type"] == SECRET]
    secret["urn"] = secret["urn"].replace("::sessions-", "::sessions-moved-")
    result = diff(before, moved)
    [item] = result["rejected"]
    assert (item["type"], item["key"], item["outcome"]) == (SECRET, "name", "rejected")
    assert "'managed-cache/test/sessions' is created under a new URN" in item["reason"]
    assert "Secrets Manager refuses a second secret" in item["reason"]
    assert ("`aws secretsmanager delete-secret --secret-id managed-cache/test/sessions "
            "--force-delete-without-recovery`") in item["reason"]
    assert [n for n in result["notes"] if n.startswith("secret ")] == []


def test_a_cache_key_alias_kept_across_serverless_and_node_based_is_rejected():
    """The cache's KMS alias is named after the cache id, whatever runs the cache: moving it
    between a replication group and a serverless cache creates the alias under the new parent
    before the old one is deleted, and CreateAlias refuses the duplicate."""
    serverless = {"engine": "valkey",
                  "serverless": {"max_data_gb": 10, "max_ecpu_per_second": 5000}}
    lone = report({"sessions": SESSIONS}, profile="production")
    result = diff(lone, report({"sessions": serverless}, profile="production"))
    [item] = [r for r in result["rejected"] if r["type"] == "aws:kms/alias:Alias"]
    assert item["key"] == "name" and item["outcome"] == "rejected"
    assert item["reason"].startswith("'alias/managed-cache/test-sessions' is created under a "
                                     "new URN before the old one is deleted, and KMS refuses")
    assert "API_CreateAlias.html" in item["source"]
    assert "remove the cache in one `pulumi up` (its key stays, the alias goes)" in item["reason"]


def test_users_kept_across_serverless_and_node_based_are_rejected():
    """A cache's users and user group keep their ids (<cache id>-<user>, <cache id>-users) when
    it moves between a replication group and a serverless cache: created under their new parent
    before the old ones are deleted, CreateUser and CreateUserGroup refuse the duplicates."""
    users = {"aws": {"users": {"app": {"access": "on ~* +@all"}}}}
    node_based = report({"sessions": {**SESSIONS, **users}})
    serverless = report({"sessions": {"engine": "valkey", **users,
                                      "serverless": {"max_data_gb": 10,
                                                     "max_ecpu_per_second": 5000}}})
    result = diff(node_based, serverless)
    rbac = ("aws:elasticache/user:User", "aws:elasticache/userGroup:UserGroup")
    rejected = [r for r in result["rejected"] if r["type"] in rbac]
    # The configured user, the group's disabled default user, and the group.
    assert sorted((r["type"], r["key"], r["reason"].split("'")[1]) for r in rejected) == [
        ("aws:elasticache/user:User", "userId", "test-sessions-app"),
        ("aws:elasticache/user:User", "userId", "test-sessions-default"),
        ("aws:elasticache/userGroup:UserGroup", "userGroupId", "test-sessions-users")]
    assert all("created under a new URN before the old one is deleted" in r["reason"]
               and "remove the cache in one `pulumi up`" in r["reason"] for r in rejected)


def test_a_name_unknown_in_the_plan_is_not_taken_for_a_collision():
    before = report({"sessions": with_(SESSIONS, secret=True)})
    moved = copy.deepcopy(before)
    for plan in (before, moved):
        [secret] = [res for res in plan["resources"] if res["type"] == SECRET]
        secret["inputs"]["name"] = UNKNOWN
    secret["urn"] = secret["urn"].replace("::sessions-", "::sessions-moved-")
    assert diff(before, moved)["rejected"] == []


def test_fewer_availability_zones_say_a_node_in_a_dropped_subnet_fails_the_update():
    production = {"sessions": SESSIONS}
    result = diff(report(production, profile="production"),
                  report(production, profile="production", network={"availability_zones": 2}))
    assert [n for n in result["notes"] if n.startswith("subnet ")] == [
        "subnet 'test-us-east-1-private-3' (us-east-1) leaves the cache subnet group and is "
        "deleted: EC2 refuses to delete a subnet that still holds a network interface, so "
        "`pulumi up` fails while a cache node sits in it. Move the nodes out first (fewer "
        "replicas, or a new cache), or keep network.availability_zones."]
    assert loss_names(result) == set()


def test_a_dashboard_named_before_the_region_joined_its_name_is_replaced(lone):
    """cloudwatch/dashboard.go: dashboard_name is ForceNew. Stacks deployed before the name
    carried the region get a new dashboard once; it holds no data."""
    before = copy.deepcopy(lone)
    [dashboard] = [r for r in before["resources"]
                   if r["type"] == "aws:cloudwatch/dashboard:Dashboard"]
    dashboard["inputs"]["dashboardName"] = "managed-cache-test"
    result = diff(before, lone)
    entry = changed(result, dashboard["name"])
    assert entry["replace"] and entry["replace_keys"] == ["dashboardName"]
    assert result["data_loss"] == []


def test_replicas_added_beside_a_parameter_edit_that_is_not_applied_are_priced():
    # The parameter edit of a Global Datastore member is NOT APPLIED; it sizes nothing, so
    # the replicas added with it are priced and nothing is marked as not applied.
    before = report({"sessions": GLOBAL}, profile="production")
    after = report({"sessions": with_(GLOBAL, replicas=2,
                                      parameters={"maxmemory-policy": "allkeys-lru"})},
                   profile="production")
    result = diff(copy.deepcopy(before), after)
    assert [item["key"] for item in result["rejected"]] == ["parameters"]
    assert result["cost_delta_monthly_usd"] == round(
        after["total_monthly_usd"] - before["total_monthly_usd"], 2) > 0
    assert all("not applied" not in c["detail"] for c in result["cache_changes"])


# ---------------------------------------------------------------------------------------------
# Private DNS zones: one per name on a VPC
# ---------------------------------------------------------------------------------------------
ZONE_ID = "Z0123456789ABCDEFGHIJ"


@pytest.mark.parametrize(("before", "after", "came"), [
    ({}, {"zone_id": ZONE_ID}, "aws:route53/zoneAssociation:ZoneAssociation"),
    ({"zone_id": ZONE_ID}, {}, "aws:route53/zone:Zone"),
], ids=["own-zone-to-existing", "existing-zone-to-own"])
def test_moving_a_vpc_between_its_own_and_an_existing_zone_is_rejected(before, after, came):
    def dns(extra: dict[str, Any]) -> dict[str, Any]:
        return report({"sessions": SESSIONS},
                      network={"dns": {"zone": "cache.internal", **extra}})
    result = diff(dns(before), dns(after))
    [item] = result["rejected"]
    assert (item["type"], item["outcome"]) == (came, "rejected")
    assert "Take it in two updates: remove `network.dns`" in item["reason"]
    assert "ConflictingDomainExists" in item["source"]


def test_a_dns_change_that_keeps_the_zone_is_not_rejected():
    def dns(ttl: int) -> dict[str, Any]:
        return report({"sessions": SESSIONS},
                      network={"dns": {"zone": "cache.internal", "zone_id": ZONE_ID, "ttl": ttl}})
    assert diff(dns(30), dns(60))["rejected"] == []


# ---------------------------------------------------------------------------------------------
# Optional, computed arguments left out keep their value
# ---------------------------------------------------------------------------------------------
def test_a_group_moving_off_data_tiering_nodes_is_rejected_not_replaced():
    # data_tiering_enabled is sent only for r6gd nodes; left out, the provider keeps the value
    # (Optional, Computed), so only the node type changes, which ElastiCache refuses for a
    # data-tiering group (data-tiering page, Limitations). Nothing is replaced.
    tiered = report({"sessions": with_(SESSIONS, node_type="cache.r6gd.xlarge")})
    result = diff(copy.deepcopy(tiered),
                  report({"sessions": with_(SESSIONS, node_type="cache.r7g.xlarge")}))
    entry = changed(result, "sessions-group")
    assert "nodeType" in entry["keys"] and not entry["replace"], entry
    assert result["data_loss"] == []
    assert [(r["name"], r["key"]) for r in result["rejected"]] == [("sessions-group", "nodeType")]
    # The other way, the flag is sent and forces a new group.
    back = diff(report({"sessions": with_(SESSIONS, node_type="cache.r7g.xlarge")}), tiered)
    assert "dataTieringEnabled" in changed(back, "sessions-group")["replace_keys"]
    assert "sessions-group" in loss_names(back)


def test_a_global_datastore_moving_off_data_tiering_nodes_is_rejected_on_its_global_group():
    # A Global Datastore scales through ModifyGlobalReplicationGroup, which the same limitation
    # refuses; the members' node type is the global group's to change.
    def on(node_type: str) -> dict[str, Any]:
        return report({"sessions": with_(GLOBAL, node_type=node_type)}, profile="production")
    result = diff(on("cache.r6gd.xlarge"), on("cache.r7g.xlarge"))
    assert ("sessions-global", "cacheNodeType") in {
        (r["name"], r["key"]) for r in result["rejected"]}
    assert diff(on("cache.r6gd.xlarge"), on("cache.r6gd.2xlarge"))["rejected"] == []


# ---------------------------------------------------------------------------------------------
# A new name_prefix renames everything: what follows it is replaced
# ---------------------------------------------------------------------------------------------
def test_a_new_name_prefix_replaces_users_groups_secrets_and_scaling():
    caches = {"feed": {"engine": "valkey", "shards": 2, "replicas": 1,
                       "node_type": "cache.r7g.large", "secret": True,
                       "autoscaling": {"replicas": {"min": 1, "max": 3,
                                                    "target_cpu_percent": 60}},
                       "aws": {"users": {"app": {"access": "on ~app:* +@all -@dangerous"},
                                         "jobs": {"access": "on ~* +@read", "iam": True}}}}}
    result = diff(report(caches, name_prefix="blue"), report(caches, name_prefix="green"))
    replaced = {(c["type"].split(":")[-1], key) for c in result["changed"] if c["replace"]
                for key in c["replace_keys"]}
    assert {("User", "userId"), ("UserGroup", "userGroupId"), ("Secret", "name"),
            ("Target", "resourceId"), ("Policy", "resourceId")} <= replaced
    # The IAM user's name changes with its id, so its replacement is a new user, not refused.
    assert result["rejected"] == []


FEED = {"engine": "valkey", "shards": 2, "replicas": 1, "node_type": "cache.r7g.large",
        "autoscaling": {"shards": {"min": 2, "max": 6, "target_memory_percent": 70},
                        "replicas": {"min": 1, "max": 3, "target_cpu_percent": 60}}}


def test_removing_autoscaling_says_the_group_goes_back_to_the_configured_counts():
    scaled = report({"feed": FEED})
    shards_only = report({"feed": with_(FEED, autoscaling={"shards": FEED["autoscaling"]["shards"]}
                                        )})
    result = diff(copy.deepcopy(scaled), shards_only)
    [note] = [n for n in result["notes"] if n.startswith("feed:")]
    assert "auto scaling of replicas is removed" in note and "(replicas: 1)" in note
    assert "Set replicas to the live count first" in note
    unscaled = report({"feed": with_(FEED, autoscaling=None)})
    notes = [n for n in diff(copy.deepcopy(scaled), unscaled)["notes"] if n.startswith("feed:")]
    assert sorted(n.split(" is removed")[0] for n in notes) == [
        "feed: auto scaling of replicas", "feed: auto scaling of shards"]
    assert any("(shards: 2)" in n for n in notes)
    # Adding auto scaling hands the counts to the scaler: nothing to say. Nor when the cache
    # goes with its scaler.
    assert not [n for n in diff(copy.deepcopy(unscaled), scaled)["notes"] if "auto scaling" in n]
    gone = diff(copy.deepcopy(scaled), report({"other": SESSIONS}))
    assert not [n for n in gone["notes"] if "auto scaling" in n]


def test_a_global_datastore_change_says_it_does_not_wait_for_the_maintenance_window(global_cache):
    bigger = report({"sessions": with_(GLOBAL, node_type="cache.r7g.xlarge")},
                    profile="production")
    entry = changed(diff(copy.deepcopy(global_cache), bigger), "sessions-global")
    assert any(n.startswith("applied at once in every region") for n in entry["notes"]), entry


def test_resharding_a_global_datastore_says_cross_region_membership_changes():
    two = report({"sessions": with_(GLOBAL, shards=2)}, profile="production")
    three = report({"sessions": with_(GLOBAL, shards=3)}, profile="production")
    entry = changed(diff(two, three), "sessions-global")
    assert "cross-region membership changes: numNodeGroups" in entry["notes"]
    assert not entry["replace"]


def test_removing_global_keeps_the_primary_group_and_deletes_the_rest(global_cache):
    lone_again = report({"sessions": SESSIONS}, profile="production")
    result = diff(copy.deepcopy(global_cache), lone_again)
    [primary] = [m for m in result["moved"] if m["type"].endswith("ElastiCacheReplicationGroup")]
    assert primary["aliased"], primary          # kept under its Global Datastore URN's alias
    assert loss_names(result) == {"sessions-eu-west-1-group", "sessions-eu-west-1-kms",
                                  "sessions-global"}


def test_a_global_primary_cannot_move_between_no_replica_and_replicas():
    # Multi-AZ follows the replicas; failover is the global group's and ignored on the primary,
    # so the provider checks the new Multi-AZ against the old failover and refuses.
    alone = report({"sessions": with_(GLOBAL, replicas=0)}, profile="production")
    paired = report({"sessions": GLOBAL}, profile="production")
    for old, new in ((alone, paired), (paired, alone)):
        rejected = [(r["name"], r["key"]) for r in diff(copy.deepcopy(old), new)["rejected"]]
        assert ("sessions-group", "multiAzEnabled") in rejected
    # A lone cache changes its replicas in place.
    lone_alone = report({"sessions": with_(SESSIONS, replicas=0)})
    assert diff(lone_alone, report({"sessions": SESSIONS}))["rejected"] == []


EXISTING_VPC = {"vpc_id": "vpc-0123456789abcdef0",
                "subnet_ids": ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
                "allowed_cidrs": ["10.0.0.0/16"]}
OWNED_ZONE = "Z0123456789ABCDEFGHIJ"


def test_zone_id_removed_on_an_existing_vpc_is_rejected_and_added_is_a_note():
    # The zone's owner associated their zone with the VPC; the stack made no association.
    reused = report({"sessions": SESSIONS}, network={
        **EXISTING_VPC, "dns": {"zone": "cache.internal", "zone_id": OWNED_ZONE}})
    own = report({"sessions": SESSIONS}, network={**EXISTING_VPC,
                                                  "dns": {"zone": "cache.internal"}})
    removed = diff(copy.deepcopy(reused), own)
    assert [(r["type"], r["key"]) for r in removed["rejected"]] == [
        ("aws:route53/zone:Zone", "vpcs")]
    assert "disassociate-vpc-from-hosted-zone" in removed["rejected"][0]["reason"]
    added = diff(copy.deepcopy(own), reused)
    assert added["rejected"] == []
    assert any(n.startswith("private zone (us-east-1): with network.dns.zone_id the stack's "
                            "own zone is deleted") for n in added["notes"]), added["notes"]


def test_memcached_down_to_one_node_is_rejected_and_a_version_upgrade_empties_it(lone):
    # AZMode single-az is refused for nodes in several zones; an upgrade flushes every node.
    one = diff(copy.deepcopy(lone), report({"sessions": SESSIONS,
                                            "pages": with_(PAGES, nodes=1)}))
    assert [(r["name"], r["key"]) for r in one["rejected"]] == [("pages-cluster", "azMode")]
    old = report({"sessions": SESSIONS, "pages": with_(PAGES, engine_version="1.6.17")})
    upgraded = diff(old, report({"sessions": SESSIONS,
                                 "pages": with_(PAGES, engine_version="1.6.22")}))
    [loss] = upgraded["data_loss"]
    assert (loss["name"], loss["action"]) == ("pages-cluster", "empty")
    assert "flushes every node" in loss["reason"]
