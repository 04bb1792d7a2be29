"""A stack's resources as a Terraform plan (JSON), for the IaC scanners reviewers already run.

    python -m infra.plan.tfplan prod > plan-prod.json
    checkov -f plan-prod.json --framework terraform_plan

Pulumi's AWS and GCP providers are bridged from Terraform's (pulumi-terraform-bridge), so every
resource the program registers is one Terraform resource and its inputs are that resource's
arguments: the type token maps to the Terraform type (TF_TYPES) and each input to the
argument of the same name in snake_case, except the list-of-block arguments the bridge
pluralizes (BLOCK_RENAMES). The program runs under the same mocks as `python -m infra.plan`.

The document has the shape of `terraform show -json` for a plan that creates everything:
`planned_values` (the arguments), `resource_changes` (all "create") and `configuration`
(per argument a constant or the resources it references). An argument whose value is another
new resource's output (a VPC id, a key ARN) is written as Terraform would write it before
apply: unknown in `planned_values`, with a reference in `configuration`. That is what lets a
scanner's graph checks see "this flow log belongs to that VPC". Secrets are masked.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable
from typing import Any

from components import resource_types as types
from infra.plan.secrets import SECRET_KEYS, is_unknown, mask, whole_numbers

TERRAFORM_VERSION = "1.9.8"      # what the document claims to be written by; checkov ignores it
FORMAT_VERSION = "1.2"

# Pulumi type token -> Terraform resource type. From the providers' token mapping:
# pulumi/pulumi-gcp provider/resources.go (explicit entries, and `MustComputeTokens` with the
# module table: "network_connectivity" -> NetworkConnectivity, "memorystore" -> MemoryStore);
# pulumi/pulumi-aws provider/cmd/pulumi-resource-aws/bridge-metadata.json "renames.resources".
TF_TYPES: dict[str, str] = {
    types.AWS_SCALING_POLICY: "aws_appautoscaling_policy",
    types.AWS_SCALING_TARGET: "aws_appautoscaling_target",
    types.AWS_DASHBOARD: "aws_cloudwatch_dashboard",
    types.AWS_LOG_GROUP: "aws_cloudwatch_log_group",
    types.AWS_METRIC_ALARM: "aws_cloudwatch_metric_alarm",
    types.AWS_DEFAULT_SECURITY_GROUP: "aws_default_security_group",
    types.AWS_FLOW_LOG: "aws_flow_log",
    types.AWS_SECURITY_GROUP: "aws_security_group",
    types.AWS_SUBNET: "aws_subnet",
    types.AWS_VPC: "aws_vpc",
    types.AWS_CLUSTER: "aws_elasticache_cluster",
    types.AWS_GLOBAL_REPLICATION_GROUP:
        "aws_elasticache_global_replication_group",
    types.AWS_PARAMETER_GROUP: "aws_elasticache_parameter_group",
    types.AWS_REPLICATION_GROUP: "aws_elasticache_replication_group",
    types.AWS_SERVERLESS_CACHE: "aws_elasticache_serverless_cache",
    types.AWS_SUBNET_GROUP: "aws_elasticache_subnet_group",
    types.AWS_USER: "aws_elasticache_user",
    types.AWS_USER_GROUP: "aws_elasticache_user_group",
    types.AWS_IAM_ROLE: "aws_iam_role",
    types.AWS_IAM_ROLE_POLICY: "aws_iam_role_policy",
    types.AWS_KMS_ALIAS: "aws_kms_alias",
    types.AWS_KMS_KEY: "aws_kms_key",
    types.AWS_ROUTE53_RECORD: "aws_route53_record",
    types.AWS_ROUTE53_ZONE: "aws_route53_zone",
    types.AWS_ROUTE53_ZONE_ASSOCIATION: "aws_route53_zone_association",
    types.AWS_SECRET: "aws_secretsmanager_secret",
    types.AWS_SECRET_VERSION: "aws_secretsmanager_secret_version",
    types.AWS_SNS_TOPIC: "aws_sns_topic",
    types.AWS_SNS_TOPIC_POLICY: "aws_sns_topic_policy",
    types.AWS_SNS_SUBSCRIPTION: "aws_sns_topic_subscription",
    types.AWS_INGRESS_RULE:
        "aws_vpc_security_group_ingress_rule",
    types.GCP_FIREWALL: "google_compute_firewall",
    types.GCP_GLOBAL_ADDRESS: "google_compute_global_address",
    types.GCP_NETWORK: "google_compute_network",
    types.GCP_SUBNETWORK: "google_compute_subnetwork",
    types.GCP_MANAGED_ZONE: "google_dns_managed_zone",
    types.GCP_RECORD_SET: "google_dns_record_set",
    types.GCP_KEY_GRANT: "google_kms_crypto_key_iam_member",
    types.GCP_MEMCACHED: "google_memcache_instance",
    types.GCP_VALKEY: "google_memorystore_instance",
    types.GCP_ALERT_POLICY: "google_monitoring_alert_policy",
    types.GCP_DASHBOARD: "google_monitoring_dashboard",
    types.GCP_NOTIFICATION_CHANNEL:
        "google_monitoring_notification_channel",
    types.GCP_CONNECTION_POLICY:
        "google_network_connectivity_service_connection_policy",
    types.GCP_SERVICE: "google_project_service",
    types.GCP_SERVICE_IDENTITY: "google_project_service_identity",
    types.GCP_PROJECT_IAM_MEMBER: "google_project_iam_member",
    types.GCP_REDIS: "google_redis_instance",
    types.GCP_SECRET: "google_secret_manager_secret",
    types.GCP_SECRET_VERSION: "google_secret_manager_secret_version",
    types.GCP_PSA_CONNECTION: "google_service_networking_connection",
    types.RANDOM_PASSWORD: "random_password",
    types.TIME_SLEEP: "time_sleep",
}

PROVIDERS = {"aws": "registry.terraform.io/hashicorp/aws",
             "gcp": "registry.terraform.io/hashicorp/google",
             "random": "registry.terraform.io/hashicorp/random",
             "time": "registry.terraform.io/hashicorp/time"}
PROVIDER_NAMES = {"aws": "aws", "gcp": "google", "random": "random", "time": "time"}

# List-of-block arguments the bridge names in the plural (Terraform: one `allow { }` block per
# item, Pulumi: `allows=[...]`), by Terraform type; keys are Pulumi's names at any depth.
# Sources: bridge-metadata.json of pulumi/pulumi-aws ("renamedProperties") and of
# pulumi/pulumi-gcp ("auto-aliasing" fields), which list each resource's Terraform fields.
BLOCK_RENAMES: dict[str, dict[str, str]] = {
    "aws_elasticache_replication_group": {
        "logDeliveryConfigurations": "log_delivery_configuration"},
    "aws_elasticache_parameter_group": {"parameters": "parameter"},
    "aws_elasticache_serverless_cache": {"ecpuPerSeconds": "ecpu_per_second"},
    "aws_cloudwatch_metric_alarm": {"metricQueries": "metric_query"},
    "aws_route53_zone": {"vpcs": "vpc"},
    "google_compute_firewall": {"allows": "allow", "denies": "deny"},
    "google_memorystore_instance": {"weeklyMaintenanceWindows": "weekly_maintenance_window"},
    "google_redis_instance": {"weeklyMaintenanceWindows": "weekly_maintenance_window"},
    "google_memcache_instance": {"weeklyMaintenanceWindows": "weekly_maintenance_window"},
    "google_dns_record_set": {"geos": "geo", "wrrs": "wrr", "backupGeos": "backup_geo"},
}
# Arguments that are maps (keys are data, kept verbatim); every other object-valued argument
# is a nested block, which Terraform writes as a list (one item for a single block).
MAP_ARGUMENTS = frozenset({"tags", "tags_all", "labels", "user_labels", "engine_configs",
                           "redis_configs", "dimensions", "params"})
# Outputs a reference names, in order of preference, when a value matches several.
_PREFERRED_OUTPUTS = ("id", "arn", "name", "key_id", "self_link")
_ADDRESS_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


class UnmappedTypeError(ValueError):
    """A resource type the renderer does not know the Terraform name of."""


def tf_type(token: str) -> str:
    try:
        return TF_TYPES[token]
    except KeyError:
        raise UnmappedTypeError(
            f"no Terraform resource type for {token}; add it to TF_TYPES in "
            "infra/plan/tfplan.py (see the provider's bridge mapping)") from None


def snake(name: str) -> str:
    """Pulumi's camelCase input name -> Terraform's snake_case argument name."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def argument_name(resource_type: str, key: str) -> str:
    return BLOCK_RENAMES.get(resource_type, {}).get(key) or snake(key)


def render(registrations: Iterable[Any]) -> dict[str, Any]:
    """`terraform show -json`-shaped plan of recorded registrations (infra.plan.mocks; custom
    resources only)."""
    registrations = list(registrations)
    providers = {r.urn: r for r in registrations if r.type.startswith("pulumi:providers:")}
    resources = [r for r in registrations
                 if r.custom and not r.type.startswith("pulumi:providers:")]
    addresses = _addresses(resources)
    by_urn = {r.urn: r for r in resources}
    provider_keys = _provider_keys(providers)

    planned, changes, configured = [], [], []
    for reg in resources:
        address = addresses[reg.urn]
        type_, name = address.split(".", 1)
        package = reg.type.split(":", 1)[0]
        values, expressions, unknown = _arguments(reg, type_, by_urn, addresses)
        provider_name = PROVIDERS.get(package, package)
        common = {"address": address, "mode": "managed", "type": type_, "name": name,
                  "provider_name": provider_name}
        planned.append({**common, "schema_version": 0, "values": values,
                        "sensitive_values": {}})
        changes.append({**common, "change": {
            "actions": ["create"], "before": None, "after": values,
            "after_unknown": unknown, "before_sensitive": False, "after_sensitive": {}}})
        key = provider_keys.get(reg.provider.rsplit("::", 1)[0] if reg.provider else "",
                                PROVIDER_NAMES.get(package, package))
        configured.append({"address": address, "mode": "managed", "type": type_,
                           "name": name, "provider_config_key": key,
                           "expressions": expressions, "schema_version": 0})

    return {
        "format_version": FORMAT_VERSION,
        "terraform_version": TERRAFORM_VERSION,
        "planned_values": {"root_module": {"resources": planned}},
        "resource_changes": changes,
        "configuration": {
            "provider_config": _provider_config(providers, provider_keys),
            "root_module": {"resources": configured},
        },
    }


def _addresses(resources: list[Any]) -> dict[str, str]:
    """URN -> "<terraform type>.<logical name>", unique per type."""
    out: dict[str, str] = {}
    taken: set[str] = set()
    for reg in resources:
        name = _ADDRESS_UNSAFE.sub("_", reg.name)
        if not re.match(r"[A-Za-z_]", name):
            name = f"_{name}"
        address, n = f"{tf_type(reg.type)}.{name}", 1
        while address in taken:
            n += 1
            address = f"{tf_type(reg.type)}.{name}_{n}"
        taken.add(address)
        out[reg.urn] = address
    return out


def _provider_keys(providers: dict[str, Any]) -> dict[str, str]:
    """Provider URN -> Terraform provider config key: "aws.us-east-1", "google.us-central1"."""
    keys = {}
    for urn, reg in providers.items():
        package = reg.type.rsplit(":", 1)[-1]
        base = PROVIDER_NAMES.get(package, package)
        region = str(reg.inputs.get("region") or "")
        keys[urn] = f"{base}.{region}" if region else base
    return keys


def _provider_config(providers: dict[str, Any],
                     keys: dict[str, str]) -> dict[str, Any]:
    config: dict[str, Any] = {}
    for urn, reg in providers.items():
        key = keys[urn]
        package = reg.type.rsplit(":", 1)[-1]
        base = PROVIDER_NAMES.get(package, package)
        entry: dict[str, Any] = {"name": base, "full_name": PROVIDERS.get(package, base)}
        if "." in key:
            entry["alias"] = key.split(".", 1)[1]
        region = reg.inputs.get("region")
        if region:
            entry["expressions"] = {"region": {"constant_value": region}}
        config[key] = entry
    return config


def _arguments(reg: Any, type_: str, by_urn: dict[str, Any], addresses: dict[str, str]
               ) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """(planned values, configuration expressions, after_unknown) of one resource."""
    # The engine carries every number as a double; Terraform's are ints where whole.
    inputs = whole_numbers(mask(reg.inputs, None, SECRET_KEYS | set(reg.additional_secret_outputs)))
    values: dict[str, Any] = {}
    expressions: dict[str, Any] = {}
    unknown: dict[str, Any] = {}
    for key, value in inputs.items():
        if key.startswith("__"):
            continue
        targets = {u: _outputs_by_value(by_urn[u]) for u in
                   reg.property_dependencies.get(key, []) if u in by_urn and u != reg.urn}
        arg = argument_name(type_, key)
        converted, expr, unk = _convert(value, arg, type_, targets, addresses)
        values[arg] = converted
        expressions[arg] = expr
        if unk:
            unknown[arg] = unk
    return values, expressions, unknown


def _outputs_by_value(reg: Any) -> dict[str, str]:
    """A resource's string outputs (and its id) -> the Terraform attribute name."""
    found: dict[str, str] = {}
    outputs = {"id": reg.id, **{snake(k): v for k, v in reg.outputs.items()}}
    ordered = [*(k for k in _PREFERRED_OUTPUTS if k in outputs),
               *(k for k in outputs if k not in _PREFERRED_OUTPUTS)]
    for attr in ordered:
        value = outputs[attr]
        if isinstance(value, str) and value and value not in found:
            found[value] = attr
    return found


def _convert(value: Any, arg: str, type_: str, targets: dict[str, dict[str, str]],
             addresses: dict[str, str]) -> tuple[Any, Any, Any]:
    """(value, expression, after_unknown) of one argument, references resolved."""
    if is_unknown(value) or _matches(value, targets):
        ref = _reference(value, targets, addresses)
        return None, {"references": ref}, True
    if isinstance(value, dict) and arg in MAP_ARGUMENTS:
        return value, {"constant_value": value}, None
    if isinstance(value, dict):
        block, expr, unk = _block(value, type_, targets, addresses)
        return [block], [expr], ([unk] if unk else None)
    if isinstance(value, list) and any(isinstance(v, dict) for v in value):
        converted = [_block(v, type_, targets, addresses) for v in value]
        return ([c[0] for c in converted], [c[1] for c in converted],
                [c[2] or {} for c in converted] if any(c[2] for c in converted) else None)
    if isinstance(value, list):
        items: list[Any] = []
        item_refs: list[str] = []
        unk_items: list[bool] = []
        for item in value:
            if is_unknown(item) or _matches(item, targets):
                items.append(None)
                item_refs += _reference(item, targets, addresses)
                unk_items.append(True)
            else:
                items.append(item)
                unk_items.append(False)
        if item_refs:
            return items, {"references": _unique(item_refs)}, unk_items
        return value, {"constant_value": value}, None
    # A value built from another resource's output (a policy naming a log group's ARN) keeps
    # its text, so scanners can read it; the configuration still names the resources.
    embedded = [f"{addresses[u]}" for u, outs in targets.items()
                if isinstance(value, str) and any(o in value for o in outs if len(o) > 8)]
    if embedded:
        return value, {"constant_value": value, "references": embedded}, None
    return value, {"constant_value": value}, None


def _block(value: dict[str, Any], type_: str, targets: dict[str, dict[str, str]],
           addresses: dict[str, str]) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    block, exprs, unknown = {}, {}, {}
    for key, item in value.items():
        arg = argument_name(type_, key)
        converted, expr, unk = _convert(item, arg, type_, targets, addresses)
        block[arg], exprs[arg] = converted, expr
        if unk:
            unknown[arg] = unk
    return block, exprs, unknown


def _matches(value: Any, targets: dict[str, dict[str, str]]) -> bool:
    return isinstance(value, str) and any(value in outs for outs in targets.values())


def _reference(value: Any, targets: dict[str, dict[str, str]],
               addresses: dict[str, str]) -> list[str]:
    """Terraform's `references` for a value: "<type>.<name>.<attribute>", "<type>.<name>"."""
    refs: list[str] = []
    for urn, outs in targets.items():
        if is_unknown(value) or value in outs:
            address = addresses[urn]
            if not is_unknown(value):
                refs.append(f"{address}.{outs[value]}")
            refs.append(address)
    return _unique(refs)


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def main(argv: list[str] | None = None) -> int:
    import argparse

    from infra.config import ConfigError
    from infra.plan.report import run_plan
    from infra.stackfile import stack_names

    parser = argparse.ArgumentParser(
        prog="python -m infra.plan.tfplan",
        description="Write a stack's resources as Terraform plan JSON (for checkov and other "
                    "scanners of Terraform plans).")
    parser.add_argument("stack", help=f"stack name (one of: {', '.join(stack_names())})")
    parser.add_argument("--output", "-o", metavar="FILE", help="write to FILE, not stdout")
    args = parser.parse_args(argv)
    try:
        plan = run_plan(args.stack)
    except (ConfigError, FileNotFoundError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    document = json.dumps(render(plan.recorder.registrations), indent=2)
    if args.output:
        with open(args.output, "w") as out:
            out.write(document + "\n")
    else:
        print(document)
    return 0


if __name__ == "__main__":
    from infra.plan.report import _exit

    _exit(main())
