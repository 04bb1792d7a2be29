"""Day-2 changes that the order of an update decides: Pulumi updates before it deletes, and
ElastiCache holds some modifications for the maintenance window. `--diff` says so before
`pulumi up` finds out."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from infra.plan.diff import CROSS_AZ_LATER, OLD_PARAMETER_GROUP, diff
from tests.builders import aws_plan

SESSIONS = {"engine": "valkey", "engine_version": "8.1", "node_type": "cache.r7g.large",
            "replicas": 1}
GLOBAL = {**SESSIONS, "global": {"secondary_region": "eu-west-1"}}
PRODUCTION = {"profile": "production"}


def rejected_keys(result: dict[str, Any]) -> list[tuple[str, str]]:
    return [(r["name"], r["key"]) for r in result["rejected"]]


def changed_keys(result: dict[str, Any], name: str) -> list[str]:
    [entry] = [c for c in result["changed"] if c["name"] == name]
    return entry["keys"]


def notes_of(result: dict[str, Any], name: str) -> list[str]:
    [entry] = [c for c in result["changed"] if c["name"] == name]
    return entry["notes"]


@pytest.fixture(scope="module")
def global_cache() -> dict[str, Any]:
    return aws_plan({"sessions": GLOBAL}, **PRODUCTION)


def test_a_primary_leaving_its_global_datastore_is_rejected_with_the_way_out(global_cache):
    result = diff(copy.deepcopy(global_cache), aws_plan({"sessions": SESSIONS}, **PRODUCTION))
    assert rejected_keys(result) == [("sessions-group", "autoMinorVersionUpgrade")]
    [refusal] = result["rejected"]
    [global_group] = [r for r in global_cache["resources"] if r["name"] == "sessions-global"]
    # The way out deletes the Global Datastore first, by its URN, and keeps the primary.
    assert f"`pulumi destroy --target '{global_group['urn']}' --target-dependents`" \
        in refusal["reason"]
    assert refusal["condition"] == "the primary leaves its Global Datastore"
    assert "issues/24919" in refusal["source"]


def test_a_primary_that_never_upgrades_minor_versions_leaves_without_a_refusal(global_cache):
    # AWS turned the setting off on joining; a config that keeps it off sends nothing new.
    off = {"aws": {"auto_minor_version_upgrade": False}}
    before = aws_plan({"sessions": {**GLOBAL, **off}}, **PRODUCTION)
    after = aws_plan({"sessions": {**SESSIONS, **off}}, **PRODUCTION)
    assert rejected_keys(diff(before, after)) == []


def test_joining_a_global_datastore_is_not_refused(global_cache):
    lone = aws_plan({"sessions": SESSIONS}, **PRODUCTION)
    assert rejected_keys(diff(lone, copy.deepcopy(global_cache))) == []


@pytest.mark.parametrize(("change", "keys", "shown_again"), [
    ({"node_type": "cache.r7g.xlarge"}, "nodeType", ""),
    ({"engine_version": "9.0"}, "engineVersion, parameterGroupName",
     ", and until then every preview shows the parameterGroupName change again"),
])
def test_a_production_group_change_waits_for_the_maintenance_window(change, keys, shown_again):
    """The provider reads a pending node type and version back (terraform-provider-aws#48246),
    not a pending parameter group (#49270): only that one shows again until the window."""
    before = aws_plan({"sessions": SESSIONS}, **PRODUCTION)
    after = aws_plan({"sessions": {**SESSIONS, **change}}, **PRODUCTION)
    [note] = [n for n in notes_of(diff(before, after), "sessions-group")
              if "maintenance window" in n]
    window = f"{keys}: waits for the maintenance window (applyImmediately false)"
    assert note.startswith(window + shown_again)
    assert ("shows" in note) == bool(shown_again)
    # Only a new parameter group leaves an old one to delete at the end of the update.
    assert (OLD_PARAMETER_GROUP in note) == ("parameterGroupName" in keys)


def test_a_production_memcached_node_count_waits_for_the_window_too():
    pages = {"engine": "memcached", "node_type": "cache.m7g.large", "nodes": 2}
    before = aws_plan({"pages": pages}, **PRODUCTION)
    after = aws_plan({"pages": {**pages, "nodes": 3}}, **PRODUCTION)
    assert notes_of(diff(before, after), "pages-cluster") == [
        "numCacheNodes: waits for the maintenance window (applyImmediately false), and until "
        "then every preview shows this change again"]


def test_development_applies_at_once_and_says_nothing_of_the_window():
    before = aws_plan({"sessions": SESSIONS})
    after = aws_plan({"sessions": {**SESSIONS, "engine_version": "9.0"}})
    assert not any("maintenance window" in n for n in notes_of(diff(before, after),
                                                                "sessions-group"))


def test_a_global_datastore_upgrade_is_applied_at_once_not_in_the_window(global_cache):
    upgraded = aws_plan({"sessions": {**GLOBAL, "engine_version": "9.0"}}, **PRODUCTION)
    result = diff(copy.deepcopy(global_cache), upgraded)
    assert [n for c in result["changed"] for n in c["notes"] if "waits for the" in n] == []


@pytest.mark.parametrize(("type_", "name_input", "outcome"), [
    ("aws:cloudwatch/metricAlarm:MetricAlarm", "name", "not applied"),
    ("aws:cloudwatch/dashboard:Dashboard", "dashboardName", "not applied"),
    ("aws:sns/topic:Topic", "name", "rejected"),
])
def test_a_name_kept_under_a_new_urn_is_flagged_by_what_the_cloud_does_with_it(type_, name_input,
                                                                                outcome):
    """A program change that moves a resource under a new parent without an alias: Pulumi
    creates the new URN before deleting the old. SNS (through pulumi-aws) refuses the name;
    CloudWatch takes the live alarm or dashboard over, and the delete then removes it."""
    before = aws_plan({"sessions": SESSIONS}, **PRODUCTION)
    after = copy.deepcopy(before)
    moved = next(r for r in after["resources"] if r["type"] == type_)
    # A new parent type in the URN's type chain, and no alias.
    moved["urn"] = moved["urn"].replace(f"${type_}::", f"$managed-cache:moved:Parent${type_}::")
    assert moved["urn"] != before["resources"][after["resources"].index(moved)]["urn"]
    [flagged] = [r for r in diff(before, after)["rejected"] if r["type"] == type_]
    assert (flagged["key"], flagged["outcome"], flagged["condition"]) == (
        name_input, outcome, "the same name under a new URN")
    assert f"'{moved['inputs'][name_input]}' is created under a new URN" in flagged["reason"]


def test_a_memcached_cluster_spread_to_a_second_zone_says_its_nodes_stay_until_more_come():
    pages = {"engine": "memcached", "node_type": "cache.t4g.micro", "nodes": 2}
    one_zone = aws_plan({"pages": pages}, network={"vpc_cidr": "10.0.0.0/16",
                                                   "availability_zones": 1})
    two_zones = aws_plan({"pages": pages}, network={"vpc_cidr": "10.0.0.0/16",
                                                    "availability_zones": 2})
    result = diff(one_zone, two_zones)
    assert changed_keys(result, "pages-cluster") == ["azMode"]
    assert CROSS_AZ_LATER in notes_of(result, "pages-cluster")
    assert rejected_keys(result) == []
