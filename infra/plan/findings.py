"""Security and durability findings of a plan, read from what the program registers.

Checks run on the resources' inputs (what `pulumi up` would send), so they hold whatever path
the config took to get there; the stack spec supplies the profile, engine versions and ports.
Each finding: id, severity (critical > high > medium > low > info), category, cache (None for
stack-wide findings), resource (logical name or None) and message.
"""

from __future__ import annotations

import ipaddress
import re
from datetime import date
from typing import Any

SEVERITIES = ("critical", "high", "medium", "low", "info")

RG = "aws:elasticache/replicationGroup:ReplicationGroup"
CLUSTER = "aws:elasticache/cluster:Cluster"
GLOBAL_RG = "aws:elasticache/globalReplicationGroup:GlobalReplicationGroup"
KMS_KEY = "aws:kms/key:Key"
INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
SUBNET = "aws:ec2/subnet:Subnet"
VPC = "aws:ec2/vpc:Vpc"
FLOW_LOG = "aws:ec2/flowLog:FlowLog"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
GCP_SUBNETWORK = "gcp:compute/subnetwork:Subnetwork"
GCP_REDIS = "gcp:redis/instance:Instance"
GCP_VALKEY = "gcp:memorystore/instance:Instance"
GCP_MEMCACHED = "gcp:memcache/instance:Instance"
GCP_FIREWALL = "gcp:compute/firewall:Firewall"

# Who may connect: RFC 1918 and RFC 6598 (IPv4), unique local addresses (IPv6).
PRIVATE_NETWORKS = tuple(ipaddress.ip_network(n) for n in (
    "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7"))

# Redis OSS on ElastiCache: end of standard support, after which caches are enrolled in paid
# Extended Support from the first day of the next month (AWS policy, read 2025-10):
#   docs.aws.amazon.com/AmazonElastiCache/latest/dg/extended-support.html
#     "the ElastiCache end of standard support date for Redis OSS 4.0.10 is January 31, 2026
#      ... Starting ... February 1, 2026, ElastiCache automatically charges you for Extended
#      Support"; available up to 3 years (v4/v5 until January 31, 2029), then auto-upgrade.
#   docs.aws.amazon.com/AmazonElastiCache/latest/dg/extended-support-charges.html
#     "... Redis OSS version 6 past the end of standard support date of January 31, 2027,
#      those caches will again incur Extended Support charges starting on February 1, 2027."
#   aws.amazon.com/blogs/database/introducing-extended-support-for-amazon-elasticache-
#     version-4-and-version-5-for-redis-oss
# Redis OSS 7 and Valkey have no announced end of standard support.
REDIS_OSS_END_OF_STANDARD_SUPPORT: dict[int, date] = {
    4: date(2026, 1, 31),
    5: date(2026, 1, 31),
    6: date(2027, 1, 31),
}
# Google stops new Memorystore for Memcached instances in new projects after this date
# (docs/cloud-rules.md; Memorystore for Memcached deprecation notice).
GCP_MEMCACHED_NEW_INSTANCES_END = date(2027, 2, 1)


def evaluate(spec: Any, resources: list[dict[str, Any]],
             today: date | None = None) -> list[dict[str, Any]]:
    """Every finding for the plan, most severe first."""
    today = today or date.today()
    production = spec.profile == "production"
    findings: list[dict[str, Any]] = []

    def add(id_: str, severity: str, category: str, cache: str | None, resource: str | None,
            message: str) -> None:
        findings.append({"id": id_, "severity": severity, "category": category, "cache": cache,
                         "resource": resource, "message": message})

    for res in resources:
        kind = res["type"]
        if kind == RG:
            _replication_group(res, production, add)
        elif kind == CLUSTER:
            _memcached_cluster(res, production, add)
        elif kind in (GLOBAL_RG, KMS_KEY) and res["data_holding"]:
            _protected(res, production, add)
        elif kind == GCP_REDIS:
            _gcp_redis(res, production, add)
        elif kind == GCP_VALKEY:
            _gcp_valkey(res, production, add)
        elif kind == GCP_MEMCACHED:
            _gcp_memcached(res, production, add)
    _network(spec, resources, add)
    _logging(spec, resources, add)
    _versions(spec, today, add)
    for warning in getattr(spec, "warnings", ()):
        match = re.match(r"caches\.([a-z0-9-]+)\.", warning)
        add("config-warning", "medium", "config", match.group(1) if match else None, None,
            warning)

    order = {severity: i for i, severity in enumerate(SEVERITIES)}
    findings.sort(key=lambda f: (order[f["severity"]], f["cache"] or "", f["id"],
                                 f["resource"] or ""))
    return findings


def _is_set(value: Any) -> bool:
    return value not in (None, "", [], {})


def _protected(res: dict[str, Any], production: bool, add: Any,
               provider_protected: bool = False) -> None:
    if production and not res["protect"] and not provider_protected:
        add("deletion-protection-off", "high", "deletion-protection", res["cache"], res["name"],
            f"{res['name']} holds data in a production stack but is not protected: a rename "
            "or removal in a later change would delete it without a second look.")


def _replication_group(res: dict[str, Any], production: bool, add: Any) -> None:
    inputs, cache, name = res["inputs"], res["cache"], res["name"]
    _protected(res, production, add)
    if _is_set(inputs.get("globalReplicationGroupId")):
        return  # encryption, AUTH and engine are the global group's; the primary is checked
    if inputs.get("atRestEncryptionEnabled") is not True:
        add("encryption-at-rest-off", "high", "encryption-at-rest", cache, name,
            f"{name}: encryption at rest is off; data and snapshots are stored unencrypted "
            "(it can only be turned on by replacing the group).")
    elif not _is_set(inputs.get("kmsKeyId")) and production:
        add("encryption-at-rest-aws-owned-key", "low", "encryption-at-rest", cache, name,
            f"{name}: encrypted at rest with the AWS-owned key; a customer-managed KMS key "
            "adds a key policy and CloudTrail records of its use.")
    if inputs.get("transitEncryptionEnabled") is not True:
        add("encryption-in-transit-off", "high", "encryption-in-transit", cache, name,
            f"{name}: TLS is off; clients and replicas talk in plaintext.")
    elif inputs.get("transitEncryptionMode") == "preferred":
        add("encryption-in-transit-preferred", "medium", "encryption-in-transit", cache, name,
            f"{name}: transit encryption mode is 'preferred', so plaintext clients are still "
            "accepted; set it to 'required' once clients use TLS.")
    if not _is_set(inputs.get("authToken")) and not _is_set(inputs.get("userGroupIds")):
        add("auth-off", "high", "auth", cache, name,
            f"{name}: no AUTH token or RBAC user group; anyone who reaches the port can read "
            "and write.")
    if not inputs.get("snapshotRetentionLimit"):
        add("backups-off", "high" if production else "low", "backups", cache, name,
            f"{name}: snapshot retention is 0, so there are no automatic backups"
            + (" in a production stack." if production else "."))
    if production and not _is_set(inputs.get("finalSnapshotIdentifier")):
        add("final-snapshot-off", "high", "final-snapshot", cache, name,
            f"{name}: no final snapshot; deleting or replacing the group loses its data for "
            "good.")


def _memcached_cluster(res: dict[str, Any], production: bool, add: Any) -> None:
    inputs, cache, name = res["inputs"], res["cache"], res["name"]
    _protected(res, production, add)
    if inputs.get("engine", "memcached") != "memcached":
        return
    if inputs.get("transitEncryptionEnabled") is not True:
        add("encryption-in-transit-off", "high", "encryption-in-transit", cache, name,
            f"{name}: TLS is off; Memcached clients talk in plaintext.")
    add("memcached-no-encryption-at-rest", "info", "encryption-at-rest", cache, name,
        f"{name}: ElastiCache Memcached clusters cannot encrypt data at rest; keep secrets and "
        "personal data out of it.")
    add("memcached-no-auth", "low", "auth", cache, name,
        f"{name}: Memcached has no AUTH; its security group is the only gate.")
    add("memcached-no-backups", "info", "backups", cache, name,
        f"{name}: Memcached has no snapshots; treat its contents as disposable.")


def _gcp_protected(res: dict[str, Any], flag: str) -> bool:
    # pulumi-gcp: deletion protection left unset means protected (docs/cloud-rules.md).
    return res["inputs"].get(flag) is not False


def _gcp_redis(res: dict[str, Any], production: bool, add: Any) -> None:
    inputs, cache, name = res["inputs"], res["cache"], res["name"]
    _protected(res, production, add, _gcp_protected(res, "deletionProtection"))
    if inputs.get("transitEncryptionMode") != "SERVER_AUTHENTICATION":
        add("encryption-in-transit-off", "high", "encryption-in-transit", cache, name,
            f"{name}: TLS is off (transit_encryption_mode is not SERVER_AUTHENTICATION); it "
            "can only be turned on by replacing the instance.")
    if inputs.get("authEnabled") is not True:
        add("auth-off", "high", "auth", cache, name,
            f"{name}: Redis AUTH is off; anyone on the authorized network can read and write.")
    if production and not _is_set(inputs.get("customerManagedKey")):
        add("encryption-at-rest-google-key", "low", "encryption-at-rest", cache, name,
            f"{name}: encrypted at rest with a Google-managed key; CMEK adds key control.")
    persistence = inputs.get("persistenceConfig") or {}
    if persistence.get("persistenceMode") != "RDB":
        add("backups-off", "medium" if production else "low", "backups", cache, name,
            f"{name}: RDB persistence is off; a restart or failover of the last node loses "
            "the data.")
    if production and (inputs.get("tier") or "BASIC") == "BASIC":
        add("no-replica", "medium", "availability", cache, name,
            f"{name}: BASIC tier in production has no replica and no failover.")


def _gcp_valkey(res: dict[str, Any], production: bool, add: Any) -> None:
    inputs, cache, name = res["inputs"], res["cache"], res["name"]
    _protected(res, production, add, _gcp_protected(res, "deletionProtectionEnabled"))
    if inputs.get("transitEncryptionMode") != "SERVER_AUTHENTICATION":
        add("encryption-in-transit-off", "high", "encryption-in-transit", cache, name,
            f"{name}: TLS is off; it can only be turned on by replacing the instance.")
    if inputs.get("authorizationMode") != "IAM_AUTH":
        add("auth-off", "high", "auth", cache, name,
            f"{name}: IAM authentication is off; anyone on the network can read and write.")
    if production and not _is_set(inputs.get("kmsKey")):
        add("encryption-at-rest-google-key", "low", "encryption-at-rest", cache, name,
            f"{name}: encrypted at rest with a Google-managed key; CMEK adds key control.")
    mode = (inputs.get("persistenceConfig") or {}).get("mode")
    if mode in (None, "DISABLED") and not _is_set(inputs.get("automatedBackupConfig")):
        add("backups-off", "medium" if production else "low", "backups", cache, name,
            f"{name}: no persistence (RDB/AOF) and no automated backups.")


def _gcp_memcached(res: dict[str, Any], production: bool, add: Any) -> None:
    cache, name = res["cache"], res["name"]
    _protected(res, production, add, _gcp_protected(res, "deletionProtection"))
    add("memcached-no-auth", "low", "auth", cache, name,
        f"{name}: Memorystore for Memcached has no authentication or TLS; the network is the "
        "only gate.")


def _network(spec: Any, resources: list[dict[str, Any]], add: Any) -> None:
    for res in resources:
        inputs, kind = res["inputs"], res["type"]
        sources: list[str] = []
        if kind == INGRESS_RULE:
            sources = [v for v in (inputs.get("cidrIpv4"), inputs.get("cidrIpv6")) if v]
            port = inputs.get("fromPort")
        elif kind == SECURITY_GROUP:
            for rule in inputs.get("ingress") or []:
                sources += list(rule.get("cidrBlocks") or []) + list(
                    rule.get("ipv6CidrBlocks") or [])
            port = None
        elif kind == GCP_FIREWALL and (inputs.get("direction") or "INGRESS") == "INGRESS" \
                and inputs.get("allows"):
            # A deny rule admits nothing, whatever its source ranges.
            sources = list(inputs.get("sourceRanges") or [])
            port = None
        elif kind == SUBNET and inputs.get("mapPublicIpOnLaunch") is True:
            add("public-subnet", "medium", "network", None, res["name"],
                f"{res['name']}: subnet assigns public IPs on launch; cache subnets should be "
                "private.")
            continue
        else:
            continue
        for cidr in sources:
            if not _is_private(str(cidr)):
                caches = _caches_behind(spec, res["provider_region"], port)
                add("public-ingress", "critical", "network", caches, res["name"],
                    f"{res['name']}: admits {cidr}, which is not a private range"
                    + (f" (port {port})" if port is not None else "")
                    + "; caches must only be reachable from private networks.")


def _logging(spec: Any, resources: list[dict[str, Any]], add: Any) -> None:
    """Flow logs and log encryption: on in production; a development stack goes without
    (they cost money) and the plan says so."""
    production = spec.profile == "production"
    severity = "medium" if production else "info"
    why = "in a production stack" if production else f"({spec.profile} profile)"
    logged_networks = {r["parent"] for r in resources if r["type"] == FLOW_LOG}
    for res in resources:
        kind, inputs, name = res["type"], res["inputs"], res["name"]
        if (kind == VPC and res["parent"] not in logged_networks) or (
                kind == GCP_SUBNETWORK and not _is_set(inputs.get("logConfig"))):
            add("flow-logs-off", severity, "logging", None, name,
                f"{name}: flow logs off {why}: connections to the caches are not recorded; "
                "the production profile turns them on.")
        elif kind == LOG_GROUP and not _is_set(inputs.get("kmsKeyId")):
            add("log-encryption-provider-key", severity, "logging", res["cache"], name,
                f"{name}: log group encrypted by CloudWatch Logs, not with the region's "
                f"customer-managed key {why}; the production profile uses one.")


def _is_private(cidr: str) -> bool:
    try:
        network = ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        return False
    return any(network.version == p.version and network.subnet_of(p)  # type: ignore[arg-type]
               for p in PRIVATE_NETWORKS)


def _caches_behind(spec: Any, region: str | None, port: Any) -> str | None:
    names = []
    for cache in spec.caches:
        regions = {getattr(cache, "region", None) or spec.region}
        global_ = getattr(cache, "global_", None)
        regions |= set(getattr(global_, "secondary_regions", ()) or ())
        regions |= set(getattr(cache, "secondary_regions", ()) or ())
        cache_port = getattr(cache, "port", None)
        if (region is None or region in regions) and (port is None or cache_port is None
                                                      or int(port) == int(cache_port)):
            names.append(cache.name)
    return ", ".join(names) or None


def _versions(spec: Any, today: date, add: Any) -> None:
    for cache in spec.caches:
        engine = cache.engine
        version = str(getattr(cache, "engine_version", "") or "")
        if spec.cloud == "gcp" and engine == "memcached":
            add("gcp-memcached-deprecated", "medium", "deprecation", cache.name, None,
                f"{cache.name}: Google stops new Memorystore for Memcached instances in new "
                f"projects after {GCP_MEMCACHED_NEW_INSTANCES_END.isoformat()}; plan a move to "
                "Memorystore for Valkey (engine: valkey).")
        if spec.cloud != "aws" or engine != "redis" or not version[:1].isdigit():
            continue
        major = int(version.split(".")[0])
        end = REDIS_OSS_END_OF_STANDARD_SUPPORT.get(major)
        if end is None:
            continue
        charges_from = date(end.year + (end.month == 12), end.month % 12 + 1, 1)
        if today > end:
            severity, when = "high", f"has incurred Extended Support charges since {charges_from}"
        elif (end - today).days <= 365:
            severity, when = "medium", (f"leaves standard support on {end}; Extended Support "
                                        f"charges start {charges_from}")
        else:
            severity, when = "low", f"leaves standard support on {end}"
        add("redis-extended-support", severity, "extended-support", cache.name, None,
            f"{cache.name}: Redis OSS {version} {when}. Upgrade to Valkey (in place, cheaper "
            "per node) or a supported Redis OSS version.")
