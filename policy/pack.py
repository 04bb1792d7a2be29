"""The CrossGuard policies: one per rule of infra/plan/rules.py, the definitions the offline
plan's findings come from too. This module only adapts pulumi-policy's arguments to a
rules.Resource and each rules.Finding to a violation.

Which resources: any ElastiCache or Memorystore resource (and security groups, rules and
firewalls in front of them), whoever's program creates them.

Policy config (`--policy-pack-config FILE`, see policy/config/):
- the production rules (backups, Multi-AZ, deletion protection, customer-managed keys) take
  `environment`: "production" (the default: strict unless told otherwise) or "development"
  (then they report "not applicable");
- cache-private-ingress takes `cachePorts`, the ports whose ingress it checks (default 6378,
  6379, 11211; an empty list checks every port).
Every policy's enforcement level can be changed there too ({"<policy>": "advisory"}).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyConfigSchema,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UnknownValueError

from components.resource_types import AWS_CLUSTER
from infra.plan import rules

PACK_NAME = "managed-cache-security"
ENVIRONMENTS = ("production", "development")
DEFAULT_ENVIRONMENT = "production"
INGRESS_RULE_NAME = "cache-private-ingress"

ENVIRONMENT_SCHEMA: dict[str, Any] = {
    "type": "string", "enum": list(ENVIRONMENTS), "default": DEFAULT_ENVIRONMENT,
    "description": "production enforces backups, Multi-AZ, deletion protection and "
                   "customer-managed keys; development makes them not applicable.",
}
CACHE_PORTS_SCHEMA: dict[str, Any] = {
    "type": "array", "items": {"type": "integer", "minimum": 0, "maximum": 65535},
    "default": sorted(rules.DEFAULT_CACHE_PORTS),
    "description": "Ports whose ingress must come from private ranges; [] checks every port.",
}


def plain(value: Any) -> Any:
    """Policy props as plain dicts and lists, with values unknown during preview replaced by
    rules.UNKNOWN (pulumi-policy raises UnknownValueError when one is read)."""
    if isinstance(value, Mapping):
        out = {}
        for key in value:
            try:
                out[key] = plain(value[key])
            except UnknownValueError:
                out[key] = rules.UNKNOWN
        return out
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        items = []
        for i in range(len(value)):
            try:
                items.append(plain(value[i]))
            except UnknownValueError:
                items.append(rules.UNKNOWN)
        return items
    return value


def stack_props(r: PolicyResource) -> dict[str, Any]:
    """A stack policy's resource as the rules read inputs. AnalyzeStack sends OUTPUTS: in a
    preview, an output the provider computes and the program left unset (a standalone
    aws.elasticache.Cluster's replicationGroupId) is unknown, with no property dependency; an
    unknown the program sent from another resource's output has one. A top-level unknown
    without one is read as unset, but for the exception below."""
    props = plain(r.props)
    unset = {key for key, value in props.items()
             if value is rules.UNKNOWN and not r.property_dependencies.get(key)}
    # Not every unknown the program sends has a property dependency: an output-form invoke on
    # unknown arguments resolves to an unknown with none (pulumi sdk/python runtime/invoke.py,
    # _invoke: InvokeResult(None, is_known=False)). A cluster's group id is only unset when the
    # program set its engine: the provider takes exactly one of the two (terraform-provider-aws
    # internal/service/elasticache/cluster.go, ExactlyOneOf engine / replication_group_id).
    engine = props.get("engine")
    engine_set = (isinstance(engine, str) and engine != "") or (
        engine is rules.UNKNOWN and "engine" not in unset)
    if r.resource_type == AWS_CLUSTER and not engine_set:
        unset.discard("replicationGroupId")
    return {key: None if key in unset else value for key, value in props.items()}


def context(rule: rules.Rule, config: Mapping[str, Any],
            today: date | None = None) -> rules.Context:
    """The rules' context from one policy's config, with the documented defaults."""
    environment = config.get("environment", DEFAULT_ENVIRONMENT)
    if environment not in ENVIRONMENTS:
        raise ValueError(f"policy {rule.name}: environment {environment!r} is not one of "
                         f"{', '.join(ENVIRONMENTS)}")
    ports = config.get("cachePorts", sorted(rules.DEFAULT_CACHE_PORTS))
    # JSON numbers arrive as floats through the policy config.
    cache_ports = frozenset(int(p) for p in ports) or None
    return rules.Context(production=environment == "production",
                         today=today or date.today(), cache_ports=cache_ports)


def violation(rule: rules.Rule, finding: rules.Finding) -> str:
    return f"[{finding.id}] {finding.message} Remediation: {rule.remediation}"


def _skip_in_development(rule: rules.Rule, ctx: rules.Context,
                         not_applicable: Callable[[str], None]) -> None:
    if rule.production_only and not ctx.production:
        not_applicable(f"{rule.name} applies to production only; this pack's config says "
                       "environment: development")


def resource_policy(rule: rules.Rule, today: date | None = None) -> ResourceValidationPolicy:
    check = rule.check
    assert check is not None

    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        if rule.resource_types and args.resource_type not in rule.resource_types:
            return
        ctx = context(rule, args.get_config(), today)
        _skip_in_development(rule, ctx, args.not_applicable)
        resource = rules.Resource(type=args.resource_type, name=args.name,
                                  inputs=plain(args.props), urn=args.urn,
                                  protect=bool(args.opts.protect) if args.opts else False)
        for finding in check(resource, ctx):
            report_violation(violation(rule, finding), None)

    return ResourceValidationPolicy(
        name=rule.name, description=rule.description, validate=validate,
        enforcement_level=EnforcementLevel(rule.enforcement), severity=Severity(rule.severity),
        config_schema=_config_schema(rule), remediation_steps=rule.remediation)


def stack_policy(rule: rules.Rule, today: date | None = None) -> StackValidationPolicy:
    check_stack = rule.check_stack
    assert check_stack is not None

    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        ctx = context(rule, args.get_config(), today)
        _skip_in_development(rule, ctx, args.not_applicable)
        resources = []
        for r in args.resources:
            depends_on = {d.urn for d in r.dependencies}
            depends_on |= {d.urn for deps in r.property_dependencies.values() for d in deps}
            resources.append(rules.Resource(
                type=r.resource_type, name=r.name, inputs=stack_props(r), urn=r.urn,
                parent=r.parent.urn if r.parent else "",
                protect=bool(r.opts.protect) if r.opts else False,
                depends_on=frozenset(depends_on)))
        for resource, finding in check_stack(resources, ctx):
            report_violation(violation(rule, finding), resource.urn)

    return StackValidationPolicy(
        name=rule.name, description=rule.description, validate=validate,
        enforcement_level=EnforcementLevel(rule.enforcement), severity=Severity(rule.severity),
        config_schema=_config_schema(rule), remediation_steps=rule.remediation)


def _config_schema(rule: rules.Rule) -> PolicyConfigSchema | None:
    properties: dict[str, dict[str, Any]] = {}
    if rule.production_only:
        properties["environment"] = ENVIRONMENT_SCHEMA
    if rule.name == INGRESS_RULE_NAME:
        properties["cachePorts"] = CACHE_PORTS_SCHEMA
    return PolicyConfigSchema(properties=properties) if properties else None


def policies(today: date | None = None) -> list[Policy]:
    """Every policy of the pack, in rules.POLICY_RULES order."""
    built: list[Policy] = []
    for rule in rules.POLICY_RULES:
        built.append(resource_policy(rule, today) if rule.check is not None
                     else stack_policy(rule, today))
    return built
