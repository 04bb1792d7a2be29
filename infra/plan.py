"""Offline plan: run the real program under Pulumi mocks and show what `pulumi up` would create.

    python -m infra.plan dev            # the tree of components and resources, secrets masked

No cloud account or Pulumi CLI is needed: the stack's Pulumi.<stack>.yaml is fed to the
program exactly as the CLI would feed it, and every registration is recorded.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from typing import Any

from infra import mockcloud
from infra.stackfile import flat_stack_config, stack_names

SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
SIG_KEY = "4dabf18193072939515e22adb298388d"
MASK = "[secret]"

# The settings a reviewer wants to see per resource type (input names as the engine sees them).
KEY_SETTINGS: dict[str, tuple[str, ...]] = {
    "aws:elasticache/replicationGroup:ReplicationGroup": (
        "replicationGroupId", "engine", "engineVersion", "nodeType", "clusterMode",
        "numCacheClusters", "numNodeGroups", "replicasPerNodeGroup", "automaticFailoverEnabled",
        "multiAzEnabled", "atRestEncryptionEnabled", "kmsKeyId", "transitEncryptionEnabled",
        "authToken", "snapshotRetentionLimit", "finalSnapshotIdentifier",
        "globalReplicationGroupId"),
    "aws:elasticache/globalReplicationGroup:GlobalReplicationGroup": (
        "globalReplicationGroupIdSuffix", "cacheNodeType", "engineVersion", "numNodeGroups",
        "automaticFailoverEnabled"),
    "aws:elasticache/cluster:Cluster": (
        "clusterId", "engine", "engineVersion", "nodeType", "numCacheNodes", "azMode",
        "transitEncryptionEnabled"),
    "aws:elasticache/parameterGroup:ParameterGroup": ("name", "family", "parameters"),
    "aws:elasticache/subnetGroup:SubnetGroup": ("name",),
    "aws:ec2/vpc:Vpc": ("cidrBlock",),
    "aws:ec2/subnet:Subnet": ("cidrBlock", "availabilityZone", "mapPublicIpOnLaunch"),
    "aws:ec2/securityGroup:SecurityGroup": ("name",),
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": (
        "fromPort", "cidrIpv4", "referencedSecurityGroupId"),
    "aws:kms/key:Key": ("enableKeyRotation", "deletionWindowInDays"),
    "aws:cloudwatch/logGroup:LogGroup": ("name", "retentionInDays"),
    "aws:cloudwatch/metricAlarm:MetricAlarm": ("metricName", "threshold", "actionsEnabled"),
    "random:index/randomPassword:RandomPassword": ("length",),
}


@dataclass
class Plan:
    stack: str
    spec: Any                      # infra.config.StackSpec
    recorder: mockcloud.Recorder


def run_plan(stack: str, preview: bool = False) -> Plan:
    """Run the program for `stack` under mocks. Raises ConfigError for an invalid config."""
    import pulumi

    from infra.config import load_stack_config
    from infra.program import main

    flat = flat_stack_config(stack)
    spec = load_stack_config(flat, stack)  # fails fast, before any mock is installed
    recorder = mockcloud.install(stack, preview=preview)
    pulumi.runtime.set_all_config(flat)
    mockcloud.run_program(main)
    return Plan(stack=stack, spec=spec, recorder=recorder)


def mask(value: Any) -> Any:
    """Secrets (as serialized by the SDK) replaced by a mask, recursively."""
    if isinstance(value, dict):
        if value.get(SIG_KEY) == SECRET_SIG:
            return MASK
        return {k: mask(v) for k, v in value.items()}
    if isinstance(value, list):
        return [mask(v) for v in value]
    return value


def _show(value: Any) -> str:
    value = mask(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list) and value and isinstance(value[0], dict) and "name" in value[0]:
        return "{" + ", ".join(f"{v['name']}={v.get('value')}" for v in value) + "}"
    if not isinstance(value, (str, int, float, bool, list, dict)) or value is None:
        return "(known after apply)"
    return str(value)


def render_text(plan: Plan) -> str:
    spec, registrations = plan.spec, plan.recorder.registrations
    regions = ", ".join(spec.regions) if hasattr(spec, "regions") else spec.region
    lines = [f"Stack {plan.stack}: cloud {spec.cloud}, profile {spec.profile}, "
             f"region(s) {regions}",
             f"{sum(r.custom for r in registrations)} resources in "
             f"{sum(not r.custom for r in registrations)} components would be created.", ""]
    for warning in spec.warnings:
        lines.append(f"warning: {warning}")
    if spec.warnings:
        lines.append("")

    children: dict[str, list[mockcloud.Registration]] = {}
    for reg in registrations:
        children.setdefault(reg.parent, []).append(reg)
    roots = [r for r in registrations if r.parent.endswith("pulumi:pulumi:Stack::"
                                                          f"managed-cache-{plan.stack}")]

    def walk(reg: mockcloud.Registration, depth: int) -> None:
        kind = reg.type.split(":")[-1] if reg.custom else reg.type
        flags = " [protected]" if reg.protect else ""
        lines.append(f"{'  ' * depth}+ {reg.name} ({kind}){flags}")
        for key in KEY_SETTINGS.get(reg.type, ()):
            if key in reg.inputs:
                lines.append(f"{'  ' * depth}    {key}: {_show(reg.inputs[key])}")
        for child in sorted(children.get(reg.urn, []), key=lambda r: (r.custom, r.name)):
            walk(child, depth + 1)

    for root in sorted(roots, key=lambda r: (r.custom, r.type, r.name)):
        walk(root, 0)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.plan", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("stack", nargs="?", default="dev",
                        help=f"stack name (one of: {', '.join(stack_names())}); default dev")
    parser.add_argument("--preview", action="store_true",
                        help="answer like `pulumi preview`: computed outputs unknown")
    args = parser.parse_args(argv)

    from infra.config import ConfigError

    try:
        plan = run_plan(args.stack, preview=args.preview)
    except (ConfigError, FileNotFoundError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(render_text(plan))
    return 0


if __name__ == "__main__":
    sys.exit(main())
