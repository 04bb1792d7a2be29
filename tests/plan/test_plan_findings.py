"""Security and durability findings, from configs the validation accepts but a reviewer should
question, and from resource records no valid config can produce (defence in depth)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from infra.plan.findings import evaluate
from infra.plan.report import build_report, run_plan
from tests.builders import aws_config, gcp_config, spec_of


def findings_of(caches: dict, today: date | None = None, **top) -> list[dict]:
    return build_report(run_plan("test", config=aws_config(caches, **top)), today=today)[
        "findings"]


def ids(findings: list[dict], cache: str | None = None) -> dict[str, str]:
    return {f["id"]: f["severity"] for f in findings if cache is None or f["cache"] == cache}


@pytest.fixture(scope="module")
def careless_production() -> list[dict]:
    return findings_of({"sessions": {
        "engine": "redis", "engine_version": "6.2", "node_type": "cache.r7g.large",
        "replicas": 1, "snapshot_retention_days": 0, "final_snapshot": False,
        "deletion_protection": False, "aws": {"create_kms_key": False}}},
        today=date(2026, 6, 1), profile="production", alerts={"emails": ["ops@example.com"]})


def test_production_without_protection_backups_or_final_snapshot(careless_production):
    found = ids(careless_production, "sessions")
    assert found["deletion-protection-off"] == "high"
    assert found["backups-off"] == "high"
    assert found["final-snapshot-off"] == "high"
    assert found["encryption-at-rest-aws-owned-key"] == "low"
    assert all(f["cache"] == "sessions" for f in careless_production)


def test_redis_6_extended_support_charges_by_date():
    caches = {"sessions": {"engine": "redis", "engine_version": "6.2"}}
    soon = ids(findings_of(caches, today=date(2026, 6, 1)))
    assert soon["redis-extended-support"] == "medium"
    late = findings_of(caches, today=date(2027, 3, 1))
    assert ids(late)["redis-extended-support"] == "high"
    [finding] = [f for f in late if f["id"] == "redis-extended-support"]
    assert "since 2027-02-01" in finding["message"]
    assert "redis-extended-support" not in ids(findings_of(
        {"sessions": {"engine": "redis", "engine_version": "7.1"}}, today=date(2027, 3, 1)))


def test_the_shipped_stacks_are_clean_of_serious_findings():
    for stack in ("dev", "prod"):
        serious = [f for f in build_report(run_plan(stack))["findings"]
                   if f["severity"] in ("critical", "high")]
        assert serious == [], (stack, serious)


def test_development_backups_off_is_only_low():
    found = ids(findings_of({"sessions": {"snapshot_retention_days": 0}}))
    assert found["backups-off"] == "low"
    assert "deletion-protection-off" not in found  # not production


def test_memcached_limits_are_reported():
    found = ids(findings_of({"pages": {"engine": "memcached"}}), "pages")
    assert found == {"memcached-no-auth": "low", "memcached-no-backups": "info",
                     "memcached-no-encryption-at-rest": "info"}


def record(type_: str, name: str, cache: str | None = "sessions", region: str = "us-east-1",
           protect: bool = False, **inputs) -> dict:
    return {"urn": f"urn:{name}", "type": type_, "name": name, "parent": "", "custom": True,
            "provider_region": region, "protect": protect, "aliased": False,
            "ignore_changes": [], "cache": cache, "data_holding": True, "inputs": inputs}


SPEC = spec_of(aws_config({"sessions": {"engine": "valkey", "engine_version": "8.1"}},
                          profile="production"), warnings=())


def test_open_ingress_is_critical_and_names_the_cache_behind_it():
    rules = [
        record("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "in-public",
               cache=None, fromPort=6379, cidrIpv4="0.0.0.0/0"),
        record("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "in-v6", cache=None,
               fromPort=6379, cidrIpv6="2001:db8::/32"),
        record("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "in-private",
               cache=None, fromPort=6379, cidrIpv4="10.0.0.0/16"),
    ]
    found = evaluate(SPEC, rules, date(2026, 1, 1))
    assert [(f["id"], f["severity"], f["resource"], f["cache"]) for f in found] == [
        ("public-ingress", "critical", "in-public", "sessions"),
        ("public-ingress", "critical", "in-v6", "sessions")]


def test_an_unencrypted_unauthenticated_group_is_high():
    group = record("aws:elasticache/replicationGroup:ReplicationGroup", "sessions-group",
                   protect=True, atRestEncryptionEnabled=False, transitEncryptionEnabled=False,
                   snapshotRetentionLimit=7, finalSnapshotIdentifier="x")
    found = ids(evaluate(SPEC, [group], date(2026, 1, 1)))
    # A bare group in production also lacks replicas/Multi-AZ and alarms (the rules the policy
    # pack enforces too, infra/plan/rules.py).
    assert found == {"encryption-at-rest-off": "high", "encryption-in-transit-off": "high",
                     "auth-off": "high", "multi-az-off": "medium", "no-alarms": "medium"}


def test_gcp_findings_memcached_deprecation_tls_and_auth():
    spec = spec_of(gcp_config({"pages": {"engine": "memcached"}, "sessions": {"engine": "valkey"}},
                              profile="production"), warnings=())
    valkey = record("gcp:memorystore/instance:Instance", "sessions-instance",
                    region="us-central1", transitEncryptionMode="TRANSIT_ENCRYPTION_DISABLED",
                    authorizationMode="AUTH_DISABLED", deletionProtectionEnabled=False,
                    persistenceConfig={"mode": "DISABLED"})
    found = evaluate(spec, [valkey], date(2026, 1, 1))
    by_id = ids(found)
    assert by_id["gcp-memcached-deprecated"] == "medium"
    [deprecation] = [f for f in found if f["id"] == "gcp-memcached-deprecated"]
    assert "2027-02-01" in deprecation["message"] and deprecation["cache"] == "pages"
    assert by_id["encryption-in-transit-off"] == "high"
    assert by_id["auth-off"] == "high"
    assert by_id["deletion-protection-off"] == "high"
    assert by_id["backups-off"] == "medium"


def test_gcp_dev_stack_reports_its_development_shortcuts():
    found = ids(build_report(run_plan("gcp-dev"))["findings"], "sessions")
    # TLS and IAM authorization stay on in development: the policy pack requires them.
    assert "encryption-in-transit-off" not in found and "auth-off" not in found
    assert "deletion-protection-off" not in found  # development


def test_a_gcp_deny_rule_is_not_public_ingress_but_an_allow_rule_is():
    firewall = "gcp:compute/firewall:Firewall"
    deny = record(firewall, "deny-all-ingress", cache=None, direction="INGRESS",
                  denies=[{"protocol": "all"}], sourceRanges=["0.0.0.0/0"])
    allow = record(firewall, "allow-all", cache=None, direction="INGRESS",
                   allows=[{"protocol": "tcp", "ports": ["6379"]}], sourceRanges=["0.0.0.0/0"])
    egress = record(firewall, "egress", cache=None, direction="EGRESS",
                    allows=[{"protocol": "tcp"}], destinationRanges=["0.0.0.0/0"])
    found = evaluate(SPEC, [deny, allow, egress], date(2026, 1, 1))
    assert [(f["id"], f["resource"]) for f in found] == [("public-ingress", "allow-all")]


@pytest.mark.parametrize("stack", ["dev", "gcp-dev"])
def test_development_says_what_it_leaves_out_of_logging(stack):
    found = [f for f in build_report(run_plan(stack))["findings"] if f["category"] == "logging"]
    flow = [f for f in found if f["id"] == "flow-logs-off"]
    assert len(flow) == 1 and flow[0]["severity"] == "info"
    assert "flow logs off (development profile)" in flow[0]["message"]
    keys = [f for f in found if f["id"] == "log-encryption-provider-key"]
    # AWS: the slow and engine log groups; GCP logs have no CloudWatch log groups.
    assert len(keys) == (2 if stack == "dev" else 0)
    assert all(f["severity"] == "info" and "(development profile)" in f["message"]
               and f["cache"] == "sessions" for f in keys)


@pytest.mark.parametrize("stack", ["prod", "gcp-prod"])
def test_production_logs_everything(stack):
    found = build_report(run_plan(stack))["findings"]
    assert [f for f in found if f["category"] == "logging"] == []


def test_production_without_flow_logs_or_log_key_is_medium():
    spec = replace(SPEC, caches=())
    vpc = record("aws:ec2/vpc:Vpc", "net-vpc", cache=None)
    log_group = record("aws:cloudwatch/logGroup:LogGroup", "s-slow-log", retentionInDays=365)
    found = evaluate(spec, [vpc, log_group], date(2026, 1, 1))
    assert ids(found) == {"flow-logs-off": "medium", "log-encryption-provider-key": "medium"}
    assert all("in a production stack" in f["message"] for f in found)
    flow_log = {**record("aws:ec2/flowLog:FlowLog", "net-flow-log", cache=None),
                "parent": vpc["parent"]}
    keyed = record("aws:cloudwatch/logGroup:LogGroup", "s-slow-log", kmsKeyId="arn:aws:kms:x")
    assert evaluate(spec, [vpc, flow_log, keyed], date(2026, 1, 1)) == []


def test_the_plan_says_redis_6_requires_tls_without_a_transit_encryption_mode():
    found = findings_of({"legacy": {"engine": "redis", "engine_version": "6.2"},
                         "current": {"engine": "redis", "engine_version": "7.1"}})
    [note] = [f for f in found if f["id"] == "transit-encryption-mode-not-offered"]
    assert (note["cache"], note["severity"]) == ("legacy", "info")
    assert "7.0.5" in note["message"] and "every client" in note["message"]


def test_the_plan_says_cross_region_routing_is_the_users():
    found = findings_of({"s": {"node_type": "cache.r7g.large", "replicas": 1,
                               "global": {"secondary_region": "eu-west-1"}}})
    [note] = [f for f in found if f["id"] == "cross-region-routing"]
    assert (note["cache"], note["severity"]) == ("s", "info")
    assert "us-east-1 and eu-west-1" in note["message"]
    assert "admit" in note["message"] and "not built" in note["message"]
