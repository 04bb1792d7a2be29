"""The Terraform plan rendering (infra/plan/tfplan.py) scanners read, and the gate that holds
Checkov's results to the failures docs/security.md argues (security/checkov_gate.py)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from infra.plan import tfplan
from infra.plan.mocks import MOCK_TOKEN
from infra.plan.report import run_plan
from infra.plan.secrets import MASK
from security import checkov_gate

ROOT = Path(__file__).resolve().parents[2]
ACCEPTED = ROOT / "security" / "checkov-accepted.txt"
STACKS = ("dev", "prod", "gcp-dev", "gcp-prod")


@cache
def rendered(stack: str, preview: bool = False) -> dict[str, Any]:
    return tfplan.render(run_plan(stack, preview=preview).recorder.registrations)


def planned(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["address"]: r for r in document["planned_values"]["root_module"]["resources"]}


def configured(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["address"]: r["expressions"]
            for r in document["configuration"]["root_module"]["resources"]}


def test_prod_renders_terraform_types_and_argument_names():
    document = rendered("prod")
    resources = planned(document)
    types = {r["type"] for r in resources.values()}
    assert {"aws_vpc", "aws_subnet", "aws_default_security_group", "aws_flow_log",
            "aws_iam_role", "aws_iam_role_policy", "aws_cloudwatch_log_group", "aws_kms_key",
            "aws_elasticache_replication_group", "aws_elasticache_global_replication_group",
            "aws_elasticache_cluster", "aws_vpc_security_group_ingress_rule",
            "aws_sns_topic", "random_password"} <= types
    assert not any(t.startswith(("pulumi", "managed-cache")) for t in types)
    group = resources["aws_elasticache_replication_group.sessions-group"]
    assert group["mode"] == "managed"
    assert group["provider_name"] == "registry.terraform.io/hashicorp/aws"
    values = group["values"]
    # Terraform's names, including the singular block name the bridge pluralizes.
    assert values["at_rest_encryption_enabled"] is True
    assert values["transit_encryption_mode"] == "required"
    assert "log_delivery_configurations" not in values
    assert sorted(b["log_type"] for b in values["log_delivery_configuration"]) == \
        ["engine-log", "slow-log"]
    # Whole numbers are ints, as Terraform writes them; secrets never appear.
    assert values["num_cache_clusters"] == 3 and type(values["num_cache_clusters"]) is int
    assert values["auth_token"] == MASK
    assert MOCK_TOKEN not in json.dumps(document)
    # The cross-region lag alarm reads its shard's nodes through metric_query blocks, and each
    # hit rate is computed from its node's lookup counts.
    math = {r["values"]["name"]: r["values"] for r in resources.values()
            if r["type"] == "aws_cloudwatch_metric_alarm" and "metric_query" in r["values"]}
    [lag] = [v for name, v in math.items() if name.endswith("/GlobalDatastoreReplicationLag")]
    assert "metric_queries" not in lag
    assert [q["id"] for q in lag["metric_query"]] == ["m1", "m2", "worst"]
    hit_rate = math["managed-cache/prod-sessions/prod-sessions-001/CacheHitRate"]
    assert [q["id"] for q in hit_rate["metric_query"]] == ["hits", "misses", "lookups",
                                                            "hit_rate"]
    assert hit_rate["metric_query"][0]["metric"][0]["metric_name"] == "CacheHits"
    parameters = resources["aws_elasticache_parameter_group.sessions-parameters-params"]
    assert {"name": "maxmemory-policy", "value": "volatile-lru"} in \
        parameters["values"]["parameter"]
    # One resource per address; every change is a create.
    assert len(resources) == len(document["resource_changes"])
    assert {tuple(c["change"]["actions"]) for c in document["resource_changes"]} == \
        {("create",)}


def test_references_connect_resources_as_terraform_would_before_apply():
    document = rendered("prod")
    values, expressions = planned(document), configured(document)
    flow_log = "aws_flow_log.prod-us-east-1-flow-log"
    # Unknown until the VPC exists, so Terraform writes null and a reference.
    assert values[flow_log]["values"]["vpc_id"] is None
    assert expressions[flow_log]["vpc_id"] == {
        "references": ["aws_vpc.prod-us-east-1-vpc.id", "aws_vpc.prod-us-east-1-vpc"]}
    assert expressions[flow_log]["log_destination"]["references"][-1] == \
        "aws_cloudwatch_log_group.prod-us-east-1-flow-logs"
    default_sg = configured(document)["aws_default_security_group.prod-eu-west-1-default-sg"]
    assert default_sg["vpc_id"]["references"][-1] == "aws_vpc.prod-eu-west-1-vpc"
    assert "ingress" not in values["aws_default_security_group.prod-eu-west-1-default-sg"][
        "values"]
    log_group = expressions["aws_cloudwatch_log_group.sessions-eu-west-1-slow-log"]
    assert log_group["kms_key_id"] == {
        "references": ["aws_kms_key.prod-eu-west-1-logs-kms.arn",
                       "aws_kms_key.prod-eu-west-1-logs-kms"]}
    # Inside a block, and in a list.
    [delivery, _] = expressions["aws_elasticache_replication_group.sessions-group"][
        "log_delivery_configuration"]
    assert delivery["destination"]["references"][-1].startswith("aws_cloudwatch_log_group.")
    assert expressions["aws_elasticache_subnet_group.prod-us-east-1-subnets"]["subnet_ids"][
        "references"][1::2] == [f"aws_subnet.prod-us-east-1-private-{i}" for i in (1, 2, 3)]
    # A policy naming another resource's ARN keeps its text for the scanner to read.
    policy = values["aws_iam_role_policy.prod-us-east-1-flow-logs-write"]["values"]["policy"]
    assert ":log-group:/aws/vpc-flow-logs/prod-cache" in policy
    # Providers per region, as aliases.
    assert document["configuration"]["provider_config"]["aws.eu-west-1"]["alias"] == "eu-west-1"


def test_a_preview_renders_references_without_values():
    document = rendered("prod", preview=True)
    flow_log = configured(document)["aws_flow_log.prod-us-east-1-flow-log"]
    assert flow_log["vpc_id"] == {"references": ["aws_vpc.prod-us-east-1-vpc"]}
    # The key policies are known in a preview: they come from invokes, not outputs.
    key = planned(document)["aws_kms_key.prod-us-east-1-logs-kms"]["values"]
    assert json.loads(key["policy"])["Statement"][0]["Sid"] == "AccountAdministersTheKey"


def test_gcp_prod_renders_firewall_blocks_and_subnet_flow_logs():
    resources = planned(rendered("gcp-prod"))
    deny = resources["google_compute_firewall.gcp-prod-us-central1-deny-all-ingress"]["values"]
    assert deny["deny"] == [{"protocol": "all"}] and "allow" not in deny
    egress = resources["google_compute_firewall.gcp-prod-us-central1-allow-egress"]["values"]
    assert egress["allow"] == [{"protocol": "tcp", "ports": ["11000-13047", "6378", "6379"]}]
    subnet = resources["google_compute_subnetwork.gcp-prod-us-central1-subnet-us-east4"]
    # A single nested block is a list of one in a Terraform plan; maps stay maps.
    assert subnet["values"]["log_config"] == [{"aggregation_interval": "INTERVAL_5_SEC",
                                               "flow_sampling": 0.5,
                                               "metadata": "INCLUDE_ALL_METADATA"}]
    valkey = resources["google_memorystore_instance.sessions-instance"]["values"]
    assert valkey["engine_configs"] == {"maxmemory-policy": "volatile-lru"}
    assert "weekly_maintenance_window" in valkey["maintenance_policy"][0]
    assert {r["provider_name"] for r in resources.values()} == \
        {"registry.terraform.io/hashicorp/google"}


def test_names_and_types():
    assert tfplan.snake("cidrIpv4") == "cidr_ipv4"
    assert tfplan.snake("ipv6CidrBlocks") == "ipv6_cidr_blocks"
    assert tfplan.argument_name("google_compute_firewall", "allows") == "allow"
    assert tfplan.argument_name("google_compute_firewall", "sourceRanges") == "source_ranges"
    assert tfplan.tf_type("aws:ec2/flowLog:FlowLog") == "aws_flow_log"
    with pytest.raises(tfplan.UnmappedTypeError, match="aws:s3/bucket:Bucket; add it to"):
        tfplan.tf_type("aws:s3/bucket:Bucket")


def test_the_cli_writes_a_plan(tmp_path):
    out = tmp_path / "plan.json"
    assert tfplan.main(["gcp-dev", "-o", str(out)]) == 0
    assert json.loads(out.read_text())["format_version"] == tfplan.FORMAT_VERSION


# ---------------------------------------------------------------------------------------------
# The gate
# ---------------------------------------------------------------------------------------------
def failure(check: str, resource: str) -> dict[str, str]:
    return {"check_id": check, "resource": resource, "check_name": "a check"}


def results(*failures: dict[str, str]) -> dict[str, Any]:
    return {"summary": {"passed": 5, "checkov_version": "3.3.30"},
            "results": {"failed_checks": list(failures)}}


ARGUED = [checkov_gate.Accepted("dev", "CKV_AWS_158", "aws_cloudwatch_log_group.*", "x")]


def test_gate_accepts_argued_failures_only():
    lines, ok = checkov_gate.gate(ARGUED, {"dev": results(
        failure("CKV_AWS_158", "aws_cloudwatch_log_group.a"))})
    assert ok and lines == ["dev: checkov 3.3.30: 5 passed, 1 failed "
                            "(1 argued in docs/security.md, 0 not)"]
    lines, ok = checkov_gate.gate(ARGUED, {"dev": results(
        failure("CKV_AWS_158", "aws_cloudwatch_log_group.a"),
        failure("CKV_AWS_158", "aws_sns_topic.a"))})
    assert not ok and lines[1] == "  NOT ARGUED CKV_AWS_158 aws_sns_topic.a: a check"
    # The same check on another stack is not argued.
    _, ok = checkov_gate.gate(ARGUED, {"prod": results(
        failure("CKV_AWS_158", "aws_cloudwatch_log_group.a"))})
    assert not ok


def test_gate_refuses_a_stale_argument():
    lines, ok = checkov_gate.gate(ARGUED, {"dev": results()})
    assert not ok and lines[-1].startswith("  STALE dev CKV_AWS_158")
    # A stack not scanned this time says nothing about its lines.
    assert checkov_gate.gate(ARGUED, {"prod": results()})[1]


def test_every_argued_failure_points_at_an_argument_in_docs_security():
    accepted = checkov_gate.read_accepted(ACCEPTED)
    assert accepted
    security = (ROOT / "docs" / "security.md").read_text()
    anchors = {re.sub(r"[^a-z0-9 -]", "", h.lower()).strip().replace(" ", "-")
               for h in re.findall(r"^#+ (.+)$", security, re.MULTILINE)}
    for entry in accepted:
        assert entry.stack in STACKS
        assert entry.section in anchors, entry
        assert entry.check_id in security, entry


def test_gate_reads_a_broken_line_as_an_error(tmp_path):
    bad = tmp_path / "accepted.txt"
    bad.write_text("# fine\nprod CKV_AWS_29\n")
    with pytest.raises(ValueError, match=r"accepted.txt:2: expected"):
        checkov_gate.read_accepted(bad)


# ---------------------------------------------------------------------------------------------
# Checkov itself, when installed (it is not a project dependency: see docs/security.md)
# ---------------------------------------------------------------------------------------------
CHECKOV = shutil.which(os.environ.get("CHECKOV", "checkov"))


@pytest.mark.skipif(CHECKOV is None, reason="checkov is not installed (set CHECKOV=<path>)")
@pytest.mark.parametrize("stack", STACKS)
def test_checkov_finds_nothing_that_is_not_argued(stack, tmp_path):
    plan = tmp_path / f"{stack}.json"
    plan.write_text(json.dumps(rendered(stack)))
    scan = subprocess.run([str(CHECKOV), "-f", str(plan), "--framework", "terraform_plan",
                           "--skip-download", "-o", "json"],
                          capture_output=True, text=True, timeout=600)
    assert scan.returncode in (0, 1), scan.stderr[-2000:]
    found = json.loads(scan.stdout)
    lines, ok = checkov_gate.gate(checkov_gate.read_accepted(ACCEPTED), {stack: found})
    assert ok, "\n".join(lines)
    if stack in ("prod", "gcp-prod"):
        # Production: only the Global Datastore secondary's inherited settings remain, and the
        # connection secrets' rotation (the program rotates) and Memcached's secret's key.
        assert {(f["check_id"], f["resource"]) for f in found["results"]["failed_checks"]
                if f["resource"] != "aws_elasticache_replication_group.sessions-eu-west-1-group"
                } <= {("CKV2_AWS_57", f"aws_secretsmanager_secret.{name}") for name in (
                    "sessions-connection-secret", "sessions-eu-west-1-connection-secret",
                    "fragments-connection-secret")} | {
                    ("CKV_AWS_149", "aws_secretsmanager_secret.fragments-connection-secret")}
