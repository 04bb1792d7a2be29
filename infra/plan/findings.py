"""Security and durability findings of a plan, read from what the program registers.

Checks run on the resources' inputs (what `pulumi up` would send), so they hold whatever path
the config took to get there; the stack spec supplies the profile, engine versions and ports.
Each finding: id, severity (critical > high > medium > low > info), category, cache (None for
stack-wide findings), resource (logical name or None) and message.

Every check is a rule of infra/plan/rules.py, the same definitions the CrossGuard policy pack
(policy/) enforces: this module only feeds them the plan's records and names the cache each
finding belongs to. Its `info` note on cross-region routing is the plan's own: it reads the
config (the regions of a Global Datastore), not resources (`_notes`).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from components import resource_types as types
from infra.config.spec import AnyStackSpec, AwsStackSpec
from infra.plan import rules

SEVERITIES = rules.SEVERITIES
# Kept here for readers of the plan; the definitions live in rules.py.
PRIVATE_NETWORKS = rules.PRIVATE_NETWORKS
REDIS_OSS_END_OF_STANDARD_SUPPORT = rules.REDIS_OSS_END_OF_STANDARD_SUPPORT
GCP_MEMCACHED_NEW_INSTANCES_END = rules.GCP_MEMCACHED_NEW_INSTANCES_END


def evaluate(spec: AnyStackSpec, resources: list[dict[str, Any]],
             today: date | None = None) -> list[dict[str, Any]]:
    """Every finding for the plan, most severe first."""
    # The plan checks ingress on every port: each security group this program builds guards a
    # cache (the policy pack, which sees any stack, narrows it to cache ports).
    context = rules.Context(production=spec.profile == "production",
                            today=today or date.today(), cache_ports=None)
    findings: list[dict[str, Any]] = []

    def add(finding: rules.Finding, cache: str | None, resource: str | None) -> None:
        findings.append({"id": finding.id, "severity": finding.severity,
                         "category": finding.category, "cache": cache, "resource": resource,
                         "message": finding.message})

    records = [as_rule_resource(res) for res in resources]
    for res, record in zip(resources, records, strict=True):
        for rule in rules.RESOURCE_RULES:
            if rule.check is None or rule.name == rules.ENGINE_SUPPORT:
                continue  # engine versions are read from the config below, once per cache
            for finding in rule.check(record, context):
                add(finding, _cache_of(spec, res, finding), res["name"])
    by_urn = {res["urn"]: res for res in resources}
    for rule in rules.STACK_RULES:
        assert rule.check_stack is not None
        for record, finding in rule.check_stack(records, context):
            add(finding, by_urn[record.urn]["cache"], record.name)
    for cache in spec.all_caches:
        for finding in rules.engine_support(spec.cloud, cache.engine, cache.engine_version,
                                            cache.name, context.today):
            add(finding, cache.name, None)
    findings.extend(_notes(spec))
    for res in resources:
        for finding in adoption(res):
            add(finding, res["cache"], res["name"])
    for warning in spec.warnings:
        match = re.match(r"caches\.([a-z0-9-]+)\.", warning)
        findings.append({"id": "config-warning", "severity": "medium", "category": "config",
                         "cache": match.group(1) if match else None, "resource": None,
                         "message": warning})

    order = {severity: i for i, severity in enumerate(SEVERITIES)}
    findings.sort(key=lambda f: (order[f["severity"]], f["cache"] or "", f["id"],
                                 f["resource"] or ""))
    return findings


# What a cache is created from, by resource type: the inputs holding the source.
RESTORE_INPUTS = {types.AWS_REPLICATION_GROUP: ("snapshotName", "snapshotArns"),
                  types.AWS_SERVERLESS_CACHE: ("snapshotArnsToRestores",),
                  types.GCP_VALKEY: ("gcsSource", "managedBackupSource")}


def adoption(res: dict[str, Any]) -> list[rules.Finding]:
    """Where a cache's data comes from (plan only: the import id is an option, not an input).
    An import adopts a live cache; a restore seeds a new one and happens only at creation."""
    name, out = res["name"], []
    if res.get("import_id"):
        out.append(rules.Finding(
            "import", "info", "adoption",
            f"{name}: adopts the existing {res['import_id']} (import) instead of creating it; "
            "it stays protected while aws.import_id / gcp.import_id is set: remove it after "
            "the first `pulumi up`. `pulumi preview` shows what differs from the live cache; "
            "that `pulumi up` applies what can change in place, except, on AWS, the "
            "program's AUTH token or users, which wait until the import key is removed."))
    for key in RESTORE_INPUTS.get(res["type"], ()):
        source = res["inputs"].get(key)
        if rules.is_set(source):
            out.append(rules.Finding(
                "restore-at-creation", "info", "adoption",
                f"{name}: created from {restore_source(source)}. The restore happens only when the "
                "cache is created: an existing cache is never re-seeded, and later edits of "
                "restore_from are ignored (they would otherwise replace the cache). Pulumi "
                "keeps the source in its state: a replacement creates the cache from it "
                f"again, unless that `pulumi up` runs with `--replace '{res['urn']}'`."))
    return out


def restore_source(value: Any) -> str:
    """A restore source as written: a name, an ARN, or the URIs / backup inside a block."""
    if isinstance(value, dict):
        value = value.get("uris") or value.get("backup") or value
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def as_rule_resource(res: dict[str, Any]) -> rules.Resource:
    """A plan record as the rules read it. A KMS key counts as cache data when the plan found
    it inside a cache (infra/plan/resources.py: data_holding)."""
    return rules.Resource(type=res["type"], name=res["name"], inputs=res["inputs"],
                          urn=res["urn"], parent=res["parent"], protect=res["protect"],
                          encrypts_cache_data=bool(res["data_holding"]))


def _cache_of(spec: AnyStackSpec, res: dict[str, Any], finding: rules.Finding) -> str | None:
    if finding.id == "public-ingress":
        port = res["inputs"].get("fromPort") if res["type"] in (
            types.AWS_INGRESS_RULE, types.AWS_SECURITY_GROUP_RULE) else None
        return _caches_behind(spec, res["provider_region"], port)
    return res["cache"]


def _caches_behind(spec: AnyStackSpec, region: str | None, port: Any) -> str | None:
    """The caches a security group or firewall rule in `region` on `port` admits clients to:
    those with nodes in that region (the primary or a secondary one) listening on that port."""
    names = []
    for cache in spec.all_caches:
        regions = {spec.region, *cache.secondary_regions}
        if (region is None or region in regions) and (
                port is None or int(port) in cache.ports):
            names.append(cache.name)
    return ", ".join(names) or None


def _notes(spec: AnyStackSpec) -> list[dict[str, Any]]:
    """What this program does where a reader might expect otherwise (severity info): on AWS,
    that clients in every region of a Global Datastore are admitted but not routed."""
    notes = []

    def note(id_: str, category: str, cache: str | None, resource: str | None,
             message: str) -> None:
        notes.append({"id": id_, "severity": "info", "category": category, "cache": cache,
                      "resource": resource, "message": message})

    if isinstance(spec, AwsStackSpec):
        for cache in spec.caches:
            global_ = cache.global_
            if global_ is None:
                continue
            regions = " and ".join([spec.region, *global_.secondary_regions])
            note("cross-region-routing", "network", cache.name, None,
                 f"{cache.name}: clients in {regions} write to the primary, in either region "
                 "after a failover. Each region's security group admits every region's client "
                 "ranges (checked by the config); routing between the regions is not built by "
                 "this stack: peer the VPCs or attach them to a Transit Gateway.")
    return notes
