"""Every `cloud_owned` provider fact shows up as `ignore_changes` on the resource our component
registers where the fact's condition holds, and nowhere it does not: the first `pulumi up`
creates with our values, and later ones leave what the cloud owns alone instead of failing
with "is part of a global cluster. Request rejected." (components/provider_facts.py)."""

from __future__ import annotations

import pytest

from components import fact_conditions as when
from components import provider_facts as facts
from components.resource_types import (
    AWS_GLOBAL_REPLICATION_GROUP,
    AWS_ROUTE53_RECORD,
    GCP_RECORD_SET,
    GCP_VALKEY,
)
from components.resource_types import AWS_REPLICATION_GROUP as RG
from infra.plan.report import run_plan
from tests.builders import aws_config

RESTORE_INPUTS = ("snapshotName", "snapshotArns")

GLOBAL_CACHE = {"s": {"node_type": "cache.r7g.large", "replicas": 1, "aws": {"port": 6380},
                      "global": {"secondary_region": "eu-west-1"}}}
LONE_CACHE = {"s": {"node_type": "cache.r7g.large", "replicas": 1}}
SCALED = {"node_type": "cache.r7g.large", "shards": 2, "replicas": 1}
SHARDS_SCALED = {"s": {**SCALED, "autoscaling": {
    "shards": {"min": 2, "max": 4, "target_memory_percent": 60}}}}
REPLICAS_SCALED = {"s": {**SCALED, "autoscaling": {
    "replicas": {"min": 1, "max": 3, "target_cpu_percent": 60}}}}


@pytest.fixture(scope="module")
def registered():
    """Resources by condition, from one global stack with DNS and one lone cache."""
    dns = {"dns": {"zone": "cache.internal"}}
    global_stack = run_plan("test", config=aws_config(GLOBAL_CACHE, profile="production",
                                                      network=dns)).recorder
    lone = run_plan("test", config=aws_config(LONE_CACHE, profile="production",
                                              network=dns)).recorder
    shards_scaled, replicas_scaled = (
        run_plan("test", config=aws_config(cache, profile="production")).recorder.of_type(RG)
        for cache in (SHARDS_SCALED, REPLICAS_SCALED))
    groups = {r.inputs["replicationGroupId"]: r for r in global_stack.of_type(RG)}
    records = global_stack.of_type(AWS_ROUTE53_RECORD)
    writer = [r for r in records if r.inputs["name"].startswith("s-writer.")]
    return {
        when.GLOBAL_PRIMARY: [groups["test-s"]],
        when.GLOBAL_SECONDARY: [groups["test-s-euw1"]],
        when.GLOBAL_MEMBER: [groups["test-s"], groups["test-s-euw1"]],
        when.FOLLOWS_FAILOVER: [*writer, *global_stack.of_type(AWS_GLOBAL_REPLICATION_GROUP)],
        when.AUTOSCALED_SHARDS: shards_scaled,
        when.AUTOSCALED_REPLICAS: replicas_scaled,
        "elsewhere": [*lone.of_type(RG), *lone.of_type(AWS_ROUTE53_RECORD),
                      *[r for r in records if not r.inputs["name"].startswith("s-writer.")]],
    }


@pytest.mark.parametrize("fact", [f for f in facts.FACTS if f.kind == "cloud_owned"
                                  and f.type in (RG, AWS_ROUTE53_RECORD,
                                                 AWS_GLOBAL_REPLICATION_GROUP)],
                         ids=lambda f: f"{f.type.split(':')[-1]}.{f.argument}@{f.condition}")
def test_each_cloud_owned_fact_is_ignored_where_it_holds(registered, fact):
    where = [r for r in registered[fact.condition] if r.type == fact.type]
    assert where, f"nothing registered under {fact.condition}"
    for resource in where:
        assert fact.argument in resource.ignore_changes, resource.name


def test_nothing_is_ignored_where_no_fact_holds(registered):
    # Apart from the restore arguments, which apply at creation only (issue 13).
    for resource in registered["elsewhere"]:
        assert [a for a in resource.ignore_changes if a not in RESTORE_INPUTS] == [], \
            resource.name


def test_every_cloud_owned_fact_is_checked_here():
    # A new cloud_owned fact on another type needs its resource checked: the AWS ones in
    # `registered` above, the GCP ones in tests/components/test_gcp_switchover.py.
    assert {f.type for f in facts.FACTS if f.kind == "cloud_owned"} <= {
        RG, AWS_ROUTE53_RECORD, AWS_GLOBAL_REPLICATION_GROUP, GCP_VALKEY, GCP_RECORD_SET}
