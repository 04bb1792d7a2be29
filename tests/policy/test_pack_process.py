"""The pack as the Pulumi CLI runs it: `python -u -m pulumi.policy <engine> <pack dir>` from the
pack's folder, with nothing of the project on the path. The analyzer's gRPC server then answers
GetAnalyzerInfo, Configure and Analyze as it would for `pulumi preview --policy-pack policy`.

Also: the rule definitions import with the standard library alone (the pack's virtualenv
holds pulumi-policy and nothing of the program)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
from google.protobuf import empty_pb2, struct_pb2
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

from components import resource_types as types
from infra.plan import rules
from infra.plan.report import build_report, run_plan
from infra.stackfile import stack_names

ROOT = Path(__file__).resolve().parents[2]
POLICY_DIR = ROOT / "policy"


def clean_env() -> dict[str, str]:
    """The environment without anything that would put the project on sys.path."""
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONSTARTUP")}


@pytest.fixture(scope="module")
def analyzer() -> Iterator[analyzer_pb2_grpc.AnalyzerStub]:
    process = subprocess.Popen(
        [sys.executable, "-u", "-m", "pulumi.policy", "127.0.0.1:0", str(POLICY_DIR)],
        cwd=POLICY_DIR, env=clean_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True)
    try:
        port = process.stdout.readline().strip() if process.stdout else ""
        if not port.isdigit():
            process.kill()
            raise AssertionError(f"the pack did not start: {process.communicate()[1]}")
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            grpc.channel_ready_future(channel).result(timeout=20)
            yield analyzer_pb2_grpc.AnalyzerStub(channel)
    finally:
        process.terminate()
        process.wait(timeout=20)


def analyze(stub: analyzer_pb2_grpc.AnalyzerStub, type_: str, props: dict,
            name: str = "cache", protect: bool = False) -> list[analyzer_pb2.AnalyzeDiagnostic]:
    properties = struct_pb2.Struct()
    properties.update(props)
    request = analyzer_pb2.AnalyzeRequest(
        type=type_, properties=properties, name=name,
        urn=f"urn:pulumi:test::managed-cache::{type_}::{name}",
        options=analyzer_pb2.AnalyzerResourceOptions(protect=protect))
    return list(stub.Analyze(request, timeout=20).diagnostics)


def configure(stub: analyzer_pb2_grpc.AnalyzerStub, environment: str) -> None:
    config = {}
    for rule in rules.POLICY_RULES:
        if rule.production_only:
            properties = struct_pb2.Struct()
            properties.update({"environment": environment})
            config[rule.name] = analyzer_pb2.PolicyConfig(
                enforcementLevel=analyzer_pb2.EnforcementLevel.Value(rule.enforcement.upper()),
                properties=properties)
    stub.Configure(analyzer_pb2.ConfigureAnalyzerRequest(policyConfig=config), timeout=20)


def test_the_cli_sees_every_policy_with_its_level(analyzer):
    info = analyzer.GetAnalyzerInfo(empty_pb2.Empty(), timeout=20)
    assert info.name == "managed-cache-security"
    levels = {p.name: analyzer_pb2.EnforcementLevel.Name(p.enforcementLevel).lower()
              for p in info.policies}
    assert levels == {r.name: r.enforcement for r in rules.POLICY_RULES}
    assert all(p.remediation_steps for p in info.policies)


def test_a_careless_group_is_blocked_and_a_careful_one_passes(analyzer):
    configure(analyzer, "production")
    careless = {"replicationGroupId": "prod-sessions", "engine": "valkey",
                "engineVersion": "8.1", "numCacheClusters": 1,
                "atRestEncryptionEnabled": False}
    found = {(d.policyName, analyzer_pb2.EnforcementLevel.Name(d.enforcementLevel))
             for d in analyze(analyzer, types.AWS_REPLICATION_GROUP, careless)}
    assert {("cache-encryption-at-rest", "MANDATORY"), ("cache-encryption-in-transit",
            "MANDATORY"), ("cache-authentication", "MANDATORY"), ("cache-backups", "MANDATORY"),
            ("cache-multi-az", "MANDATORY"), ("cache-deletion-protection", "MANDATORY")} <= found
    careful = {**careless, "numCacheClusters": 3, "multiAzEnabled": True,
               "automaticFailoverEnabled": True, "atRestEncryptionEnabled": True,
               "kmsKeyId": "arn:aws:kms:us-east-1:1:key/k", "transitEncryptionEnabled": True,
               "transitEncryptionMode": "required", "authToken": "t0ken-value",
               "snapshotRetentionLimit": 7, "finalSnapshotIdentifier": "final"}
    assert analyze(analyzer, types.AWS_REPLICATION_GROUP, careful, protect=True) == []


def test_development_config_turns_the_production_rules_off(analyzer):
    configure(analyzer, "development")
    try:
        single = {"replicationGroupId": "dev-sessions", "engine": "valkey",
                  "atRestEncryptionEnabled": True, "transitEncryptionEnabled": True,
                  "authToken": "t0ken-value", "numCacheClusters": 1}
        assert analyze(analyzer, types.AWS_REPLICATION_GROUP, single) == []
    finally:
        configure(analyzer, "production")


def test_the_rules_import_with_the_standard_library_alone():
    # -S: no site-packages at all, as a stand-in for the pack's own, program-free virtualenv.
    code = ("import sys; sys.path.insert(0, sys.argv[1]); import infra.plan.rules as r; "
            "print(len(r.POLICY_RULES))")
    result = subprocess.run([sys.executable, "-S", "-c", code, str(ROOT)], cwd="/",
                            env=clean_env(), capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) == len(rules.POLICY_RULES)


def test_every_module_of_the_checks_imports_with_the_standard_library_alone():
    # The checks the rules are made of (infra/plan/checks/), each module on its own, so that one
    # rules.py does not import yet is held to the same rule; and nothing of the program beyond
    # them, infra.plan.rules and the resource type tokens (components/resource_types.py, plain
    # constants) is loaded.
    package = ROOT / "infra" / "plan" / "checks"
    modules = sorted(f"infra.plan.checks.{p.stem}" for p in package.glob("*.py")
                     if p.stem != "__init__")
    assert modules, "infra/plan/checks/ has no modules"
    modules.append("infra.plan.rules")
    code = ("import importlib, sys; sys.path.insert(0, sys.argv[1]); "
            "[importlib.import_module(m) for m in sys.argv[2:]]; "
            "print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('infra', 'components', 'policy', 'pulumi', 'pulumi_policy'))))")
    result = subprocess.run([sys.executable, "-S", "-c", code, str(ROOT), *modules], cwd="/",
                            env=clean_env(), capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    loaded = result.stdout.split()
    assert set(modules) <= set(loaded)
    assert all(m in ("infra", "infra.plan", "infra.plan.rules", "infra.plan.checks",
                     "components", "components.resource_types")
               or m.startswith("infra.plan.checks.") for m in loaded), loaded


@pytest.mark.parametrize("stack", stack_names())
def test_every_shipped_stack_passes_the_mandatory_policies_of_its_environment(analyzer, stack):
    # What the deploy workflow runs: the pack, configured for the stack's profile, on every
    # resource the stack registers (a mandatory violation stops its `pulumi up`).
    report = build_report(run_plan(stack))
    environment = "development" if report["profile"] == "development" else "production"
    configure(analyzer, environment)
    try:
        stopped = [(res["name"], d.policyName)
                   for res in report["resources"] if res["custom"]
                   for d in analyze(analyzer, res["type"], res["inputs"], name=res["name"],
                                    protect=res["protect"])
                   if d.enforcementLevel == analyzer_pb2.EnforcementLevel.Value("MANDATORY")]
    finally:
        configure(analyzer, "production")
    assert stopped == []
