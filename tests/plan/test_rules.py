"""The rule definitions the plan's findings and the policy pack share (infra/plan/rules.py):
well-formed, and read by the plan the way the pack reads them."""

from __future__ import annotations

from datetime import date

from components import resource_types as types
from infra.plan import rules
from infra.plan.findings import evaluate
from tests.builders import gcp_config, spec_of

SPEC = spec_of(gcp_config({"sessions": {"engine": "valkey"}}, profile="production"), warnings=())


def record(type_: str, name: str, **inputs) -> dict:
    return {"urn": f"urn:{name}", "type": type_, "name": name, "parent": "", "custom": True,
            "provider_region": "us-central1", "protect": False, "aliased": False,
            "ignore_changes": [], "cache": None, "data_holding": False, "inputs": inputs}


def test_every_rule_is_well_formed():
    names = [rule.name for rule in rules.RULES]
    assert len(names) == len(set(names))
    for rule in rules.RULES:
        assert rule.enforcement in ("mandatory", "advisory"), rule.name
        assert rule.severity in ("critical", "high", "medium", "low"), rule.name
        assert rule.description.endswith(".") and rule.remediation, rule.name
        assert (rule.check is None) != (rule.check_stack is None), rule.name


def test_a_deny_all_firewall_is_not_public_ingress_but_a_public_allow_is():
    deny_all = record(types.GCP_FIREWALL, "deny-all-ingress", direction="INGRESS",
                      denies=[{"protocol": "all"}], sourceRanges=["0.0.0.0/0"], priority=65534)
    assert evaluate(SPEC, [deny_all], date(2026, 1, 1)) == []
    allow = record(types.GCP_FIREWALL, "allow-cache", direction="INGRESS",
                   allows=[{"protocol": "tcp", "ports": ["6379"]}], sourceRanges=["0.0.0.0/0"])
    [finding] = evaluate(SPEC, [allow], date(2026, 1, 1))
    assert (finding["id"], finding["severity"], finding["cache"]) == (
        "public-ingress", "critical", "sessions")


def test_the_plan_checks_every_port_and_the_pack_only_cache_ports():
    ssh = {"ipProtocol": "tcp", "fromPort": 22, "toPort": 22, "cidrIpv4": "0.0.0.0/0"}
    resource = rules.Resource(types.AWS_INGRESS_RULE, "ssh", ssh)
    plan = rules.Context(production=True, cache_ports=None)
    pack = rules.Context(production=True, cache_ports=rules.DEFAULT_CACHE_PORTS)
    assert [f.id for f in rules.check_private_ingress(resource, plan)] == ["public-ingress"]
    assert rules.check_private_ingress(resource, pack) == []
    wide = rules.Resource(types.AWS_INGRESS_RULE, "wide", {**ssh, "fromPort": 0, "toPort": 65535})
    assert rules.check_private_ingress(wide, pack)


def test_a_global_datastore_secondary_is_judged_by_its_global_group():
    secondary = rules.Resource(types.AWS_REPLICATION_GROUP, "eu-group", {
        "globalReplicationGroupId": "ldgnf-prod-sessions", "numCacheClusters": 2,
        "snapshotRetentionLimit": 7})
    context = rules.Context(production=True)
    for check in (rules.check_encryption_at_rest, rules.check_encryption_in_transit,
                  rules.check_authentication, rules.check_multi_az, rules.check_backups):
        assert check(secondary, context) == [], check.__name__
    assert [f.id for f in rules.check_deletion_protection(secondary, context)] == [
        "deletion-protection-off"]


def test_engine_support_is_one_definition_for_config_and_resources():
    today = date(2027, 3, 1)
    from_config = rules.engine_support("aws", "redis", "6.2", "sessions", today)
    group = rules.Resource(types.AWS_REPLICATION_GROUP, "sessions", {"engine": "redis",
                                                       "engineVersion": "6.2"})
    from_resource = rules.check_engine_support(group, rules.Context(production=True,
                                                                    today=today))
    assert from_config == from_resource
    assert from_config[0].severity == "high" and "since 2027-02-01" in from_config[0].message
