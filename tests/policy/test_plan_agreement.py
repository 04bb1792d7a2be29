"""The offline plan and the policy pack agree: fed the resources of the same plan, the pack
reports exactly the plan's findings (both come from infra/plan/rules.py). Engine versions are
left out of the comparison: the plan reads them from the config once per cache, the pack from
each resource."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi_policy import PolicyResource, ResourceValidationPolicy, StackValidationArgs

from infra.plan import rules
from infra.plan.report import build_report, run_plan
from tests.builders import aws_config, gcp_config
from tests.policy.support import TODAY, options, resource_args

PACK_ONLY = {rules.ENGINE_SUPPORT}

CARELESS_AWS = aws_config({"sessions": {
    "engine": "redis", "engine_version": "6.2", "node_type": "cache.r7g.large",
    "replicas": 1, "snapshot_retention_days": 0, "final_snapshot": False,
    "deletion_protection": False, "aws": {"create_kms_key": False}},
    "pages": {"engine": "memcached", "nodes": 1}},
    profile="production", alerts={"emails": ["ops@example.com"]})
CARELESS_GCP = gcp_config({"sessions": {
    "engine": "valkey", "replicas": 0, "deletion_protection": False,
    "gcp": {"tls": False, "auth": False, "persistence": "disabled"}},
    "limits": {"engine": "redis", "memory_gb": 5, "replicas": 0}},
    profile="production", alerts={"emails": ["ops@example.com"]})


def plan_findings(report: dict[str, Any]) -> set[tuple[str, str]]:
    ids = {(f["id"], f["resource"]) for f in report["findings"] if f["resource"] is not None}
    return {(id_, name) for id_, name in ids if id_ not in _plan_only_finding_ids(report)}


def _plan_only_finding_ids(report: dict[str, Any]) -> set[str]:
    """Ids the rules that are not policies (public-subnet, logging) find in this plan."""
    context = rules.Context(production=True, today=TODAY)
    records = [rules.Resource(r["type"], r["name"], r["inputs"], urn=r["urn"],
                              parent=r["parent"]) for r in report["resources"]]
    found = set()
    for rule in rules.RULES:
        if rule.in_policy_pack:
            continue
        if rule.check is not None:
            found |= {f.id for record in records for f in rule.check(record, context)}
        if rule.check_stack is not None:
            found |= {f.id for _, f in rule.check_stack(records, context)}
    return found


def pack_findings(report: dict[str, Any], policies: dict) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    by_urn = {r["urn"]: r for r in report["resources"]}

    def collect(message: str, urn: str | None, name: str | None = None) -> None:
        finding_id = message[1:message.index("]")]
        found.add((finding_id, name if name is not None else by_urn[urn]["name"]))

    for res in report["resources"]:
        if not res["custom"]:
            continue
        for rule in rules.POLICY_RULES:
            policy = policies[rule.name]
            if rule.name in PACK_ONLY or not isinstance(policy, ResourceValidationPolicy):
                continue
            args = resource_args(res["type"], res["inputs"], name=res["name"],
                                 protect=res["protect"])
            policy.validate(args, lambda message, urn=None, n=res["name"]: collect(message, urn, n))
    stack = [PolicyResource(r["type"], r["inputs"], r["urn"], r["name"], options(r["protect"]),
                            None, None, [], {}) for r in report["resources"] if r["custom"]]
    for rule in rules.STACK_RULES:
        if rule.in_policy_pack:
            policies[rule.name].validate(StackValidationArgs(stack), collect)
    return found


@pytest.mark.parametrize("stack, config", [
    ("careless-aws", CARELESS_AWS), ("careless-gcp", CARELESS_GCP),
    ("prod", None), ("gcp-prod", None)])
def test_the_pack_reports_what_the_plan_finds_in_production(stack, config, policies):
    plan = run_plan(stack if config is None else "test", config=config)
    report = build_report(plan, today=TODAY)
    assert report["profile"] == "production"
    expected = plan_findings(report)
    assert pack_findings(report, policies) == expected
    if config is not None:  # the careless stacks do break rules of every kind
        assert {"auth-off", "backups-off", "deletion-protection-off"} & {i for i, _ in expected}
