"""Security and durability rules for ElastiCache and Memorystore, each defined once.

Two readers call these functions: the offline plan (infra/plan/findings.py turns every Finding
into a line of `python -m infra.plan`) and the CrossGuard policy pack (policy/__main__.py turns
every Finding into a policy violation). A rule therefore reads a resource the way both see it:
its Pulumi type token and its input properties under their engine (camelCase) names, the same
in a mock registration and in a policy's `args.props`.

Standard library only, and no import of the rest of `infra`: the policy pack loads this file in
its own virtualenv, which holds pulumi-policy and nothing of this program.

Rules are written for ANY ElastiCache or Memorystore resource, not only the ones this program
builds. A value unknown during `pulumi preview` arrives as UNKNOWN and is never a violation on
its own (the same policies run again, with every value known, during `pulumi up`).

Provider facts used here, with their sources:
- pulumi-gcp 10.2 SDK docstrings: `gcp.redis.Instance.deletion_protection` and
  `gcp.memcache.Instance.deletion_protection` left unset block deletion ("When the field is set
  to true or unset in Terraform state, a `pulumi up` ... that would delete the instance will
  fail"); `gcp.redis.Cluster.deletion_protection_enabled` "Default value is true"; Redis
  instance `tier` defaults to BASIC, `transit_encryption_mode` to DISABLED; Redis Cluster
  `authorization_mode` defaults to AUTH_MODE_DISABLED and `transit_encryption_mode` to
  TRANSIT_ENCRYPTION_MODE_DISABLED; its zone distribution defaults to MULTI_ZONE.
- GoogleCloudPlatform/magic-modules mmv1/products/memorystore/Instance.yaml (commit
  02af433e9d1f): Memorystore for Valkey `deletionProtectionEnabled` has `default_value: true`;
  `zoneDistributionConfig.mode` "Defaults to MULTI_ZONE"; `replicaCount` defaults to 0.
- pulumi-aws 7.51 SDK: `aws.elasticache.ServerlessCache` has no encryption arguments (a
  serverless cache is always encrypted at rest and in transit) and takes AUTH as
  `user_group_id`; `aws.elasticache.Cluster` has no at-rest encryption or AUTH argument.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

SEVERITIES = ("critical", "high", "medium", "low", "info")

AWS_RG = "aws:elasticache/replicationGroup:ReplicationGroup"
AWS_CLUSTER = "aws:elasticache/cluster:Cluster"
AWS_SERVERLESS = "aws:elasticache/serverlessCache:ServerlessCache"
AWS_GLOBAL_RG = "aws:elasticache/globalReplicationGroup:GlobalReplicationGroup"
AWS_USER = "aws:elasticache/user:User"
KMS_KEY = "aws:kms/key:Key"
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
SECURITY_GROUP_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
SUBNET = "aws:ec2/subnet:Subnet"
METRIC_ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
GCP_REDIS = "gcp:redis/instance:Instance"
GCP_REDIS_CLUSTER = "gcp:redis/cluster:Cluster"
GCP_VALKEY = "gcp:memorystore/instance:Instance"
GCP_MEMCACHED = "gcp:memcache/instance:Instance"
GCP_FIREWALL = "gcp:compute/firewall:Firewall"
GCP_ALERT_POLICY = "gcp:monitoring/alertPolicy:AlertPolicy"
VPC = "aws:ec2/vpc:Vpc"
FLOW_LOG = "aws:ec2/flowLog:FlowLog"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
GCP_SUBNETWORK = "gcp:compute/subnetwork:Subnetwork"
AWS_SECRET = "aws:secretsmanager/secret:Secret"

AWS_CACHES = frozenset({AWS_RG, AWS_CLUSTER, AWS_SERVERLESS})
GCP_CACHES = frozenset({GCP_REDIS, GCP_REDIS_CLUSTER, GCP_VALKEY, GCP_MEMCACHED})
CACHES = AWS_CACHES | GCP_CACHES

# Who may connect: RFC 1918 and RFC 6598 (IPv4), unique local addresses (IPv6).
PRIVATE_NETWORKS = tuple(ipaddress.ip_network(n) for n in (
    "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7"))
# Ports a cache listens on: Redis OSS / Valkey 6379 (Memorystore for Redis with TLS: 6378),
# Memcached 11211. The policy pack checks ingress to these unless configured otherwise.
DEFAULT_CACHE_PORTS = frozenset({6378, 6379, 11211})

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
# Memorystore for Memcached is deprecated: "will be shut down on January 31, 2029. After
# February 1, 2027, you can't create Memorystore for Memcached instances in new projects"
# (docs.cloud.google.com/memorystore/docs/memcached/reference/rest/v1/
#  projects.locations.instances/create, banner, last updated 2025-07-09).
GCP_MEMCACHED_NEW_INSTANCES_END = date(2027, 2, 1)
GCP_MEMCACHED_SHUTDOWN = date(2029, 1, 31)
# ElastiCache for Memcached supports TLS from 1.6.12 ("adds support for Memcached version
# 1.6.12 and encryption in-transit", docs.aws.amazon.com/AmazonElastiCache/latest/mem-ug/
# supported-engine-versions-mc.html).
MEMCACHED_TLS_SINCE = (1, 6, 12)


class _Unknown:
    """A value Pulumi does not know yet (preview): never a violation by itself."""

    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN = _Unknown()


@dataclass(frozen=True)
class Resource:
    """One resource as the engine sees it. `encrypts_cache_data` marks a KMS key that encrypts a
    cache (the plan knows; the policy pack cannot tell and leaves it False)."""

    type: str
    name: str
    inputs: Mapping[str, Any]
    urn: str = ""
    parent: str = ""
    protect: bool = False
    encrypts_cache_data: bool = False
    depends_on: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Context:
    """production: the backups, Multi-AZ and deletion protection rules apply.
    cache_ports: the ports whose ingress the network rule checks; None means every port (the
    plan: every security group this program builds guards a cache)."""

    production: bool
    today: date = field(default_factory=date.today)
    cache_ports: frozenset[int] | None = None


@dataclass(frozen=True)
class Finding:
    id: str
    severity: str
    category: str
    message: str


@dataclass(frozen=True)
class Rule:
    """One policy of the pack and one family of the plan's findings.

    enforcement: the pack's default level ("mandatory" blocks `pulumi up`, "advisory" warns);
    an organisation can change it in the pack's config. production_only: the pack evaluates the
    rule only where its config says `environment: production` (the plan always evaluates it and
    reports development results at a lower severity). Resource rules have `check`, stack rules
    (that need every resource at once) `check_stack`.
    """

    name: str
    description: str
    remediation: str
    enforcement: str
    severity: str
    production_only: bool = False
    in_policy_pack: bool = True
    resource_types: frozenset[str] = frozenset()
    check: Callable[[Resource, Context], list[Finding]] | None = None
    check_stack: Callable[[Sequence[Resource], Context],
                          list[tuple[Resource, Finding]]] | None = None


# ---------------------------------------------------------------------------------------------
# Helpers: reading inputs that may be missing or unknown.

def is_set(value: Any) -> bool:
    return value is UNKNOWN or value not in (None, "", [], {})


def is_off(value: Any) -> bool:
    """A flag that must be True and is known not to be."""
    return value is not UNKNOWN and value is not True


def differs(value: Any, expected: str, default: str | None = None) -> bool:
    """A known value (or the provider's default when unset) other than `expected`."""
    if value is UNKNOWN:
        return False
    return (default if value is None else value) != expected


def nested(inputs: Mapping[str, Any], *path: str) -> Any:
    value: Any = inputs
    for key in path:
        if value is UNKNOWN:
            return UNKNOWN
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


def as_int(value: Any) -> int | None:
    if value is UNKNOWN or value is None or isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _engine(res: Resource) -> str:
    default = "memcached" if res.type in (AWS_CLUSTER, GCP_MEMCACHED) else "redis"
    engine = res.inputs.get("engine")
    return str(engine).lower() if isinstance(engine, str) else default


def _is_global_secondary(res: Resource) -> bool:
    """A Global Datastore member other than the primary: encryption, AUTH, engine and failover
    are the global group's, and AWS rejects them on the member."""
    return res.type == AWS_RG and is_set(res.inputs.get("globalReplicationGroupId"))


def _is_group_member(res: Resource) -> bool:
    """An aws.elasticache.Cluster that joins a replication group takes the group's settings."""
    return res.type == AWS_CLUSTER and is_set(res.inputs.get("replicationGroupId"))


def _redis_like(res: Resource) -> bool:
    return _engine(res) in ("redis", "valkey")


def _finding(id_: str, severity: str, category: str, message: str) -> list[Finding]:
    return [Finding(id_, severity, category, message)]


# ---------------------------------------------------------------------------------------------
# Encryption at rest

def check_encryption_at_rest(res: Resource, ctx: Context) -> list[Finding]:
    name, inputs = res.name, res.inputs
    if res.type == AWS_RG and not _is_global_secondary(res):
        if is_off(inputs.get("atRestEncryptionEnabled")):
            return _finding("encryption-at-rest-off", "high", "encryption-at-rest",
                            f"{name}: encryption at rest is off; data and snapshots are stored "
                            "unencrypted (it can only be turned on by replacing the group).")
    elif res.type == AWS_CLUSTER and not _is_group_member(res) and _redis_like(res):
        return _finding("encryption-at-rest-off", "high", "encryption-at-rest",
                        f"{name}: a single-node {_engine(res)} cluster cannot be encrypted at "
                        "rest; use a replication group with at_rest_encryption_enabled.")
    return []


# ---------------------------------------------------------------------------------------------
# Encryption in transit

def check_encryption_in_transit(res: Resource, ctx: Context) -> list[Finding]:
    name, inputs = res.name, res.inputs
    off = "encryption-in-transit-off", "high", "encryption-in-transit"
    if res.type == AWS_RG and not _is_global_secondary(res):
        if is_off(inputs.get("transitEncryptionEnabled")):
            return _finding(*off, f"{name}: TLS is off; clients and replicas talk in plaintext.")
        if inputs.get("transitEncryptionMode") == "preferred":
            return _finding("encryption-in-transit-preferred", "medium",
                            "encryption-in-transit",
                            f"{name}: transit encryption mode is 'preferred', so plaintext "
                            "clients are still accepted; set it to 'required' once clients use "
                            "TLS.")
    elif res.type == AWS_CLUSTER and not _is_group_member(res):
        if is_off(inputs.get("transitEncryptionEnabled")):
            engine = "Memcached" if _engine(res) == "memcached" else _engine(res)
            return _finding(*off, f"{name}: TLS is off; {engine} clients talk in plaintext.")
    elif res.type == GCP_REDIS:
        if differs(inputs.get("transitEncryptionMode"), "SERVER_AUTHENTICATION", "DISABLED"):
            return _finding(*off, f"{name}: TLS is off (transit_encryption_mode is not "
                            "SERVER_AUTHENTICATION); it can only be turned on by replacing the "
                            "instance.")
    elif res.type == GCP_VALKEY:
        if differs(inputs.get("transitEncryptionMode"), "SERVER_AUTHENTICATION",
                   "TRANSIT_ENCRYPTION_DISABLED"):
            return _finding(*off, f"{name}: TLS is off; it can only be turned on by replacing "
                            "the instance.")
    elif res.type == GCP_REDIS_CLUSTER and differs(
            inputs.get("transitEncryptionMode"), "TRANSIT_ENCRYPTION_MODE_SERVER_AUTHENTICATION",
            "TRANSIT_ENCRYPTION_MODE_DISABLED"):
        return _finding(*off, f"{name}: TLS is off; it can only be turned on by replacing the "
                        "cluster.")
    return []


def check_transit_encryption_mode_offered(res: Resource, ctx: Context) -> list[Finding]:
    """Plan only: a replication group with TLS on and no mode is Redis OSS 6 in this program
    (components/provider_facts.py: no mode below 7.0.5); the plan says what that means."""
    inputs = res.inputs
    if res.type == AWS_RG and not _is_global_secondary(res) \
            and inputs.get("transitEncryptionEnabled") is True \
            and not is_set(inputs.get("transitEncryptionMode")):
        return _finding("transit-encryption-mode-not-offered", "info", "encryption-in-transit",
                        f"{res.name}: {inputs.get('engine')} {inputs.get('engineVersion')} "
                        "takes no transit encryption mode (ElastiCache offers one from Redis "
                        "OSS 7.0.5), so none is sent; with TLS on, the engine requires it of "
                        "every client.")
    return []


# ---------------------------------------------------------------------------------------------
# Authentication: AUTH token, RBAC user group or IAM

def check_authentication(res: Resource, ctx: Context) -> list[Finding]:
    name, inputs = res.name, res.inputs
    off = "auth-off", "high", "auth"
    if res.type == AWS_RG and not _is_global_secondary(res):
        if not is_set(inputs.get("authToken")) and not is_set(inputs.get("userGroupIds")):
            return _finding(*off, f"{name}: no AUTH token or RBAC user group; anyone who "
                            "reaches the port can read and write.")
    elif res.type == AWS_SERVERLESS and _redis_like(res):
        if not is_set(inputs.get("userGroupId")):
            return _finding(*off, f"{name}: no RBAC user group; anyone who reaches the "
                            "endpoint can read and write.")
    elif res.type == AWS_CLUSTER and not _is_group_member(res) and _redis_like(res):
        return _finding(*off, f"{name}: a single-node {_engine(res)} cluster takes no AUTH "
                        "token or user group; use a replication group.")
    elif res.type == AWS_USER:
        mode = nested(inputs, "authenticationMode", "type")
        no_password = inputs.get("noPasswordRequired") is True or mode == "no-password-required"
        access = inputs.get("accessString")
        disabled = isinstance(access, str) and access.split()[:1] == ["off"]
        if no_password and not disabled:
            return _finding("rbac-user-without-password", "high", "auth",
                            f"{name}: RBAC user needs no password and is enabled; anyone can "
                            "log in as it.")
    elif res.type == GCP_REDIS:
        if is_off(inputs.get("authEnabled")):
            return _finding(*off, f"{name}: Redis AUTH is off; anyone on the authorized "
                            "network can read and write.")
    elif res.type == GCP_VALKEY:
        if differs(inputs.get("authorizationMode"), "IAM_AUTH", "AUTH_DISABLED"):
            return _finding(*off, f"{name}: IAM authentication is off; anyone on the network "
                            "can read and write.")
    elif res.type == GCP_REDIS_CLUSTER and differs(
            inputs.get("authorizationMode"), "AUTH_MODE_IAM_AUTH", "AUTH_MODE_DISABLED"):
        return _finding(*off, f"{name}: IAM authentication is off; anyone on the network can "
                        "read and write.")
    return []


# ---------------------------------------------------------------------------------------------
# Customer-managed keys (advice)

def check_customer_managed_key(res: Resource, ctx: Context) -> list[Finding]:
    if not ctx.production:
        return []
    name, inputs = res.name, res.inputs
    google = "encryption-at-rest-google-key", "low", "encryption-at-rest"
    google_msg = f"{name}: encrypted at rest with a Google-managed key; CMEK adds key control."
    if res.type == AWS_RG and not _is_global_secondary(res):
        if inputs.get("atRestEncryptionEnabled") is True and not is_set(inputs.get("kmsKeyId")):
            return _finding("encryption-at-rest-aws-owned-key", "low", "encryption-at-rest",
                            f"{name}: encrypted at rest with the AWS-owned key; a "
                            "customer-managed KMS key adds a key policy and CloudTrail records "
                            "of its use.")
    elif res.type == AWS_SERVERLESS:
        if not is_set(inputs.get("kmsKeyId")):
            return _finding("encryption-at-rest-aws-owned-key", "low", "encryption-at-rest",
                            f"{name}: encrypted at rest with the AWS-owned key; a "
                            "customer-managed KMS key adds a key policy and CloudTrail records "
                            "of its use.")
    elif res.type == GCP_REDIS:
        if not is_set(inputs.get("customerManagedKey")):
            return _finding(*google, google_msg)
    elif res.type in (GCP_VALKEY, GCP_REDIS_CLUSTER) and not is_set(inputs.get("kmsKey")):
        return _finding(*google, google_msg)
    return []


# ---------------------------------------------------------------------------------------------
# What Memcached cannot do (advice: no setting fixes it)

def check_memcached_limits(res: Resource, ctx: Context) -> list[Finding]:
    name = res.name
    if res.type == AWS_CLUSTER and not _is_group_member(res) and _engine(res) == "memcached":
        return [
            Finding("memcached-no-encryption-at-rest", "info", "encryption-at-rest",
                    f"{name}: ElastiCache Memcached clusters cannot encrypt data at rest; keep "
                    "secrets and personal data out of it."),
            Finding("memcached-no-auth", "low", "auth",
                    f"{name}: Memcached has no AUTH; its security group is the only gate."),
            Finding("memcached-no-backups", "info", "backups",
                    f"{name}: Memcached has no snapshots; treat its contents as disposable."),
        ]
    if res.type == AWS_SERVERLESS and _engine(res) == "memcached":
        return _finding("memcached-no-auth", "low", "auth",
                        f"{name}: Memcached has no AUTH; its security group is the only gate.")
    if res.type == GCP_MEMCACHED:
        return _finding("memcached-no-auth", "low", "auth",
                        f"{name}: Memorystore for Memcached has no authentication or TLS; the "
                        "network is the only gate.")
    return []


# ---------------------------------------------------------------------------------------------
# Backups (production)

def _backups_off(name: str, ctx: Context, severity_in_production: str, why: str) -> Finding:
    severity = severity_in_production if ctx.production else "low"
    return Finding("backups-off", severity, "backups", f"{name}: {why}")


def check_backups(res: Resource, ctx: Context) -> list[Finding]:
    name, inputs = res.name, res.inputs
    found: list[Finding] = []
    if (res.type == AWS_RG and not _is_global_secondary(res)) or (
            res.type in (AWS_CLUSTER, AWS_SERVERLESS) and not _is_group_member(res)
            and _redis_like(res)):
        retention = inputs.get("snapshotRetentionLimit")
        if retention is not UNKNOWN and not retention:
            found.append(_backups_off(
                name, ctx, "high", "snapshot retention is 0, so there are no automatic backups"
                + (" in a production stack." if ctx.production else ".")))
        if (res.type == AWS_RG and ctx.production
                and not is_set(inputs.get("finalSnapshotIdentifier"))):
            found.append(Finding("final-snapshot-off", "high", "final-snapshot",
                                 f"{name}: no final snapshot; deleting or replacing the group "
                                 "loses its data for good."))
    elif res.type == GCP_REDIS:
        if differs(nested(inputs, "persistenceConfig", "persistenceMode"), "RDB", "DISABLED"):
            found.append(_backups_off(name, ctx, "medium", "RDB persistence is off; a restart "
                                      "or failover of the last node loses the data."))
    elif res.type in (GCP_VALKEY, GCP_REDIS_CLUSTER):
        mode = nested(inputs, "persistenceConfig", "mode")
        if mode is not UNKNOWN and mode in (None, "DISABLED", "PERSISTENCE_MODE_UNSPECIFIED") \
                and not is_set(inputs.get("automatedBackupConfig")):
            found.append(_backups_off(name, ctx, "medium",
                                      "no persistence (RDB/AOF) and no automated backups."))
    return found


# ---------------------------------------------------------------------------------------------
# Multi-AZ (production)

def count(value: Any, default: int) -> int | None:
    """A count input: the provider's default when unset, None when unknown or not a number."""
    return default if value is None else as_int(value)


def check_multi_az(res: Resource, ctx: Context) -> list[Finding]:
    if not ctx.production:
        return []
    name, inputs = res.name, res.inputs
    no_replica = "no-replica", "medium", "availability"
    if res.type == AWS_RG and not _is_global_secondary(res):
        if is_set(inputs.get("numNodeGroups")) or is_set(inputs.get("replicasPerNodeGroup")):
            replicas = count(inputs.get("replicasPerNodeGroup"), 0)
        else:  # AWS creates one node when num_cache_clusters is unset
            clusters = count(inputs.get("numCacheClusters"), 1)
            replicas = None if clusters is None else clusters - 1
        missing = [text for off, text in (
            (replicas is not None and replicas < 1, "no replica"),
            (is_off(inputs.get("multiAzEnabled")), "Multi-AZ off"),
            (is_off(inputs.get("automaticFailoverEnabled")), "automatic failover off")) if off]
        if missing:
            return _finding("multi-az-off", "medium", "availability",
                            f"{name}: {', '.join(missing)} in production; losing the primary's "
                            "node or zone takes the cache down until it is rebuilt.")
    elif res.type == AWS_GLOBAL_RG:
        # Unset inherits the primary's setting; only an explicit False turns failover off.
        if inputs.get("automaticFailoverEnabled") is False:
            return _finding("multi-az-off", "medium", "availability",
                            f"{name}: automatic failover is off on the Global Datastore in "
                            "production.")
    elif res.type == AWS_CLUSTER and not _is_group_member(res):
        if _engine(res) != "memcached":
            return _finding(*no_replica, f"{name}: a single-node cluster in production has no "
                            "replica and no failover; use a replication group.")
        nodes = count(inputs.get("numCacheNodes"), 1)
        if (nodes is not None and nodes < 2) or differs(inputs.get("azMode"), "cross-az",
                                                        "single-az"):
            return _finding("single-az", "medium", "availability",
                            f"{name}: Memcached nodes are not spread over zones (az_mode "
                            "cross-az with 2 or more nodes); one zone's outage empties the "
                            "cache.")
    elif res.type == GCP_REDIS:
        if differs(inputs.get("tier"), "STANDARD_HA", "BASIC"):
            return _finding(*no_replica,
                            f"{name}: BASIC tier in production has no replica and no failover.")
    elif res.type in (GCP_VALKEY, GCP_REDIS_CLUSTER):
        replicas = count(inputs.get("replicaCount"), 0)
        if replicas is not None and replicas < 1:
            return _finding(*no_replica, f"{name}: no replica in production; a node failure "
                            "loses the data held only in memory and stops the cache until it "
                            "is replaced.")
        if nested(inputs, "zoneDistributionConfig", "mode") == "SINGLE_ZONE":
            return _finding("single-az", "medium", "availability",
                            f"{name}: all nodes in one zone (SINGLE_ZONE); a zone outage takes "
                            "the cache down.")
    elif res.type == GCP_MEMCACHED:
        nodes = count(inputs.get("nodeCount"), 1)
        if nodes is not None and nodes < 2:
            return _finding("single-az", "medium", "availability",
                            f"{name}: one Memcached node in production; a zone outage empties "
                            "the cache.")
    return []


# ---------------------------------------------------------------------------------------------
# Deletion protection (production)

def _gcp_protected(res: Resource) -> bool:
    flag = {GCP_REDIS: "deletionProtection", GCP_MEMCACHED: "deletionProtection",
            GCP_VALKEY: "deletionProtectionEnabled",
            GCP_REDIS_CLUSTER: "deletionProtectionEnabled"}.get(res.type)
    # Unset means protected for all four (see the module docstring for the sources).
    return flag is not None and res.inputs.get(flag) is not False


def check_deletion_protection(res: Resource, ctx: Context) -> list[Finding]:
    if not ctx.production or res.protect:
        return []
    holds_data = (res.type in CACHES and not _is_group_member(res)) or res.type == AWS_GLOBAL_RG \
        or (res.type == KMS_KEY and res.encrypts_cache_data)
    if not holds_data or _gcp_protected(res):
        return []
    return _finding("deletion-protection-off", "high", "deletion-protection",
                    f"{res.name} holds data in a production stack but is not protected: a "
                    "rename or removal in a later change would delete it without a second look.")


# ---------------------------------------------------------------------------------------------
# Network: ingress only from private ranges

def is_private(cidr: str) -> bool:
    try:
        network = ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        return False
    return any(network.version == p.version and network.subnet_of(p)  # type: ignore[arg-type]
               for p in PRIVATE_NETWORKS)


def _ports_reach_a_cache(protocol: Any, from_port: Any, to_port: Any,
                         cache_ports: frozenset[int] | None) -> bool:
    if cache_ports is None or str(protocol) in ("-1", "all"):
        return True
    low, high = as_int(from_port), as_int(to_port)
    if low is None and high is None:
        return True  # no port range (or an unknown one): treat as every port
    first = low if low is not None else high
    last = high if high is not None else low
    return any(first <= port <= last for port in cache_ports)  # type: ignore[operator]


def _gcp_ports_reach_a_cache(allows: Any, cache_ports: frozenset[int] | None) -> bool:
    if cache_ports is None:
        return True
    for allow in allows if isinstance(allows, Sequence) else []:
        if not isinstance(allow, Mapping):
            return True
        if str(allow.get("protocol", "all")).lower() not in ("tcp", "all", "6"):
            continue
        ports = allow.get("ports")
        if not ports or ports is UNKNOWN:
            return True
        for spec in ports:
            low, _, high = str(spec).partition("-")
            if not low.isdigit() or (high and not high.isdigit()):
                return True
            if any(int(low) <= port <= int(high or low) for port in cache_ports):
                return True
    return False


def _public_sources(values: Iterable[Any]) -> list[str]:
    return [str(v) for v in values if isinstance(v, str) and v and not is_private(v)]


def _list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, Sequence) and not isinstance(value, str) else []


def check_private_ingress(res: Resource, ctx: Context) -> list[Finding]:
    inputs, kind = res.inputs, res.type
    sources: list[str] = []
    port: Any = None
    if kind == INGRESS_RULE:
        if _ports_reach_a_cache(inputs.get("ipProtocol"), inputs.get("fromPort"),
                                inputs.get("toPort"), ctx.cache_ports):
            sources = _public_sources([inputs.get("cidrIpv4"), inputs.get("cidrIpv6")])
        port = inputs.get("fromPort")
    elif kind == SECURITY_GROUP_RULE and inputs.get("type") == "ingress":
        if _ports_reach_a_cache(inputs.get("protocol"), inputs.get("fromPort"),
                                inputs.get("toPort"), ctx.cache_ports):
            sources = _public_sources(_list(inputs.get("cidrBlocks"))
                                      + _list(inputs.get("ipv6CidrBlocks")))
        port = inputs.get("fromPort")
    elif kind == SECURITY_GROUP:
        for rule in _list(inputs.get("ingress")):
            if isinstance(rule, Mapping) and _ports_reach_a_cache(
                    rule.get("protocol"), rule.get("fromPort"), rule.get("toPort"),
                    ctx.cache_ports):
                sources += _public_sources(_list(rule.get("cidrBlocks"))
                                           + _list(rule.get("ipv6CidrBlocks")))
    elif kind == GCP_FIREWALL:
        direction = inputs.get("direction") or "INGRESS"
        # Deny rules and disabled rules let nothing in; only `allows` can expose a cache.
        if direction == "INGRESS" and inputs.get("disabled") is not True \
                and _gcp_ports_reach_a_cache(_list(inputs.get("allows")), ctx.cache_ports) \
                and _list(inputs.get("allows")):
            sources = _public_sources(_list(inputs.get("sourceRanges")))
    return [Finding("public-ingress", "critical", "network",
                    f"{res.name}: admits {cidr}, which is not a private range"
                    + (f" (port {port})" if as_int(port) is not None else "")
                    + "; caches must only be reachable from private networks.")
            for cidr in sources]


def check_public_subnet(res: Resource, ctx: Context) -> list[Finding]:
    if res.type == SUBNET and res.inputs.get("mapPublicIpOnLaunch") is True:
        return _finding("public-subnet", "medium", "network",
                        f"{res.name}: subnet assigns public IPs on launch; cache subnets should "
                        "be private.")
    return []


# ---------------------------------------------------------------------------------------------
# Engine versions out of support

def _version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", version)[:3])


def engine_support(cloud: str, engine: str, version: str, subject: str,
                   today: date) -> list[Finding]:
    """Support status of an engine version, named after `subject` (a cache or a resource)."""
    engine, version = engine.lower(), str(version or "")
    if cloud == "gcp" and engine == "memcached":
        return _finding("gcp-memcached-deprecated", "medium", "deprecation",
                        f"{subject}: Google stops new Memorystore for Memcached instances in "
                        f"new projects after {GCP_MEMCACHED_NEW_INSTANCES_END.isoformat()}; plan a "
                        "move to Memorystore for Valkey (engine: valkey).")
    if cloud == "aws" and engine == "memcached" and version[:1].isdigit() \
            and _version_tuple(version) < MEMCACHED_TLS_SINCE:
        return _finding("memcached-version-without-tls", "medium", "deprecation",
                        f"{subject}: Memcached {version} predates 1.6.12, the first ElastiCache "
                        "Memcached with TLS; upgrade (a new cluster: upgrades flush the cache).")
    if cloud != "aws" or engine != "redis" or not version[:1].isdigit():
        return []
    end = REDIS_OSS_END_OF_STANDARD_SUPPORT.get(int(version.split(".")[0]))
    if end is None:
        return []
    charges_from = date(end.year + (end.month == 12), end.month % 12 + 1, 1)
    if today > end:
        severity, when = "high", f"has incurred Extended Support charges since {charges_from}"
    elif (end - today).days <= 365:
        severity, when = "medium", (f"leaves standard support on {end}; Extended Support "
                                    f"charges start {charges_from}")
    else:
        severity, when = "low", f"leaves standard support on {end}"
    return _finding("redis-extended-support", severity, "extended-support",
                    f"{subject}: Redis OSS {version} {when}. Upgrade to Valkey (in place, "
                    "cheaper per node) or a supported Redis OSS version.")


def engine_of(res: Resource) -> tuple[str, str, str] | None:
    """(cloud, engine, version) a resource runs, when it decides them itself."""
    inputs = res.inputs
    if res.type in (AWS_RG, AWS_CLUSTER, AWS_GLOBAL_RG) and not (
            _is_global_secondary(res) or _is_group_member(res)):
        version = inputs.get("engineVersion")
        return "aws", _engine(res), version if isinstance(version, str) else ""
    if res.type == AWS_SERVERLESS:
        version = inputs.get("majorEngineVersion")
        return "aws", _engine(res), version if isinstance(version, str) else ""
    if res.type == GCP_MEMCACHED:
        return "gcp", "memcached", str(inputs.get("memcacheVersion") or "")
    return None


def check_engine_support(res: Resource, ctx: Context) -> list[Finding]:
    engine = engine_of(res)
    return engine_support(*engine, res.name, ctx.today) if engine else []


# ---------------------------------------------------------------------------------------------
# Alarms for every cache (stack rule)

def _cache_id(res: Resource) -> str | None:
    key = {AWS_RG: "replicationGroupId", AWS_CLUSTER: "clusterId", AWS_SERVERLESS: "name",
           GCP_VALKEY: "instanceId", GCP_REDIS: "name", GCP_REDIS_CLUSTER: "name",
           GCP_MEMCACHED: "name"}.get(res.type)
    value = res.inputs.get(key) if key else None
    return value if isinstance(value, str) and value else None


def _alarm_texts(alarm: Resource) -> list[str]:
    """What identifies an alarm's subject: CloudWatch dimension values, Cloud Monitoring
    filters and queries."""
    if alarm.type == METRIC_ALARM:
        values = list((alarm.inputs.get("dimensions") or {}).values()) \
            if isinstance(alarm.inputs.get("dimensions"), Mapping) else []
        for query in _list(alarm.inputs.get("metricQueries")):
            dims = nested(query, "metric", "dimensions")
            if isinstance(dims, Mapping):
                values += list(dims.values())
        return [v for v in values if isinstance(v, str)]
    texts = []
    for condition in _list(alarm.inputs.get("conditions")):
        if not isinstance(condition, Mapping):
            continue
        for block in condition.values():
            if isinstance(block, Mapping):
                texts += [v for k, v in block.items()
                          if k in ("filter", "query") and isinstance(v, str)]
    return texts


def _covers(alarm: Resource, cache: Resource, cache_id: str | None) -> bool:
    if cache.urn and cache.urn in alarm.depends_on:
        return True
    if cache_id is None:
        return False
    if alarm.type == METRIC_ALARM:
        # Member ids extend the group id: <rg>-001, <rg>-0001-001.
        return any(v == cache_id or v.startswith(cache_id + "-") for v in _alarm_texts(alarm))
    token = re.compile(rf"(?<![A-Za-z0-9-]){re.escape(cache_id)}(?![A-Za-z0-9-])")
    return any(token.search(text) for text in _alarm_texts(alarm))


def check_alarms(resources: Sequence[Resource], ctx: Context) -> list[tuple[Resource, Finding]]:
    alarms = [r for r in resources if r.type in (METRIC_ALARM, GCP_ALERT_POLICY)]
    found = []
    for res in resources:
        if res.type not in CACHES or _is_group_member(res):
            continue
        wanted = METRIC_ALARM if res.type in AWS_CACHES else GCP_ALERT_POLICY
        cache_id = _cache_id(res)
        if not any(_covers(a, res, cache_id) for a in alarms if a.type == wanted):
            found.append((res, Finding(
                "no-alarms", "medium" if ctx.production else "low", "monitoring",
                f"{res.name}: no {'CloudWatch alarm' if wanted == METRIC_ALARM else 'alert policy'}"
                " watches this cache; memory, CPU and failover problems would go unnoticed.")))
    return found


# ---------------------------------------------------------------------------------------------
# Logging: flow logs and log encryption (stack rule, plan only)

def check_logging(resources: Sequence[Resource],
                  ctx: Context) -> list[tuple[Resource, Finding]]:
    """On in production; a development stack goes without (they cost money) and says so. A VPC
    counts as logged when a flow log sits beside it (the same parent component)."""
    severity = "medium" if ctx.production else "info"
    why = "in a production stack" if ctx.production else "(development profile)"
    logged_networks = {r.parent for r in resources if r.type == FLOW_LOG}
    found = []
    for res in resources:
        if (res.type == VPC and res.parent not in logged_networks) or (
                res.type == GCP_SUBNETWORK and not is_set(res.inputs.get("logConfig"))):
            found.append((res, Finding(
                "flow-logs-off", severity, "logging",
                f"{res.name}: flow logs off {why}: connections to the caches are not recorded; "
                "the production profile turns them on.")))
        elif res.type == LOG_GROUP and not is_set(res.inputs.get("kmsKeyId")):
            found.append((res, Finding(
                "log-encryption-provider-key", severity, "logging",
                f"{res.name}: log group encrypted by CloudWatch Logs, not with the region's "
                f"customer-managed key {why}; the production profile uses one.")))
    return found


# ---------------------------------------------------------------------------------------------
# The rules, in the order the policy pack lists them.

def check_secret_key(res: Resource, ctx: Context) -> list[Finding]:
    """A production connection secret on the account's aws/secretsmanager key."""
    if res.type != AWS_SECRET or not ctx.production or is_set(res.inputs.get("kmsKeyId")):
        return []
    return _finding("secret-aws-managed-key", "low", "encryption-at-rest",
                    f"{res.name}: the connection secret is encrypted with the account's "
                    "aws/secretsmanager key; the cache has no customer-managed key in this "
                    "region to use instead.")


_CACHE_TYPES = CACHES | {AWS_GLOBAL_RG}
# The plan feeds this rule the config's versions (engine_support), once per cache.
ENGINE_SUPPORT = "cache-engine-support"

RULES: tuple[Rule, ...] = (
    Rule("cache-encryption-at-rest",
         "ElastiCache replication groups must encrypt data and snapshots at rest.",
         "Set at_rest_encryption_enabled=True on the replication group (this replaces it: "
         "migrate through a snapshot), or use ElastiCache Serverless. Single-node Redis/Valkey "
         "clusters cannot encrypt at rest: use a replication group.",
         "mandatory", "high", resource_types=frozenset({AWS_RG, AWS_CLUSTER}),
         check=check_encryption_at_rest),
    Rule("cache-encryption-in-transit",
         "Cache clients and replicas must talk TLS (ElastiCache transit encryption 'required', "
         "Memorystore SERVER_AUTHENTICATION).",
         "ElastiCache: transit_encryption_enabled=True and transit_encryption_mode='required'. "
         "Memorystore for Redis/Valkey/Redis Cluster: transit_encryption_mode="
         "SERVER_AUTHENTICATION (immutable: create a new instance and move clients).",
         "mandatory", "high",
         resource_types=frozenset({AWS_RG, AWS_CLUSTER, GCP_REDIS, GCP_VALKEY,
                                   GCP_REDIS_CLUSTER}),
         check=check_encryption_in_transit),
    Rule("cache-authentication",
         "Caches must authenticate clients: an AUTH token or RBAC user group on ElastiCache, "
         "AUTH or IAM authorization on Memorystore; RBAC users must need a password.",
         "ElastiCache: set auth_token (a Pulumi secret) or user_group_ids (serverless: "
         "user_group_id). Memorystore for Redis: auth_enabled=True. Memorystore for Valkey: "
         "authorization_mode=IAM_AUTH; Redis Cluster: AUTH_MODE_IAM_AUTH. RBAC users: set "
         "passwords or IAM authentication, or access_string 'off'.",
         "mandatory", "high",
         resource_types=frozenset({AWS_RG, AWS_SERVERLESS, AWS_CLUSTER, AWS_USER, GCP_REDIS,
                                   GCP_VALKEY, GCP_REDIS_CLUSTER}),
         check=check_authentication),
    Rule("cache-private-ingress",
         "Security groups, security group rules and firewalls must not admit cache ports from "
         "outside private ranges (RFC 1918, RFC 6598, IPv6 ULA).",
         "Allow only the private CIDRs of the clients' networks (or security group "
         "references); never 0.0.0.0/0, ::/0 or public ranges.",
         "mandatory", "critical",
         resource_types=frozenset({SECURITY_GROUP, SECURITY_GROUP_RULE, INGRESS_RULE,
                                   GCP_FIREWALL}),
         check=check_private_ingress),
    Rule("cache-backups",
         "Production Redis/Valkey caches must keep automatic backups (ElastiCache snapshots "
         "and a final snapshot, Memorystore persistence or automated backups).",
         "ElastiCache: snapshot_retention_limit >= 1 and final_snapshot_identifier. Memorystore "
         "for Redis: persistence_config.persistence_mode=RDB. Memorystore for Valkey / Redis "
         "Cluster: persistence_config.mode RDB or AOF, or automated_backup_config.",
         "mandatory", "high", production_only=True,
         resource_types=frozenset({AWS_RG, AWS_CLUSTER, AWS_SERVERLESS, GCP_REDIS, GCP_VALKEY,
                                   GCP_REDIS_CLUSTER}),
         check=check_backups),
    Rule("cache-multi-az",
         "Production caches must survive the loss of a node or zone: replicas with Multi-AZ "
         "and automatic failover, or nodes spread over zones.",
         "ElastiCache: at least one replica, multi_az_enabled=True and "
         "automatic_failover_enabled=True; Memcached: az_mode='cross-az' with 2+ nodes. "
         "Memorystore for Redis: tier STANDARD_HA. Memorystore for Valkey / Redis Cluster: "
         "replica_count >= 1 in MULTI_ZONE.",
         "mandatory", "medium", production_only=True,
         resource_types=frozenset(_CACHE_TYPES),
         check=check_multi_az),
    Rule("cache-deletion-protection",
         "Production caches (and the KMS keys that encrypt them) must be protected from "
         "deletion.",
         "Pass opts=ResourceOptions(protect=True); on Memorystore also leave "
         "deletion_protection(_enabled) at its default, true.",
         "mandatory", "high", production_only=True,
         resource_types=frozenset(_CACHE_TYPES | {KMS_KEY}),
         check=check_deletion_protection),
    Rule(ENGINE_SUPPORT,
         "Engine versions out of (standard) support are flagged: Redis OSS 4-6 on ElastiCache "
         "(Extended Support charges), Memcached without TLS, Memorystore for Memcached "
         "(deprecated).",
         "Upgrade Redis OSS to Valkey or Redis OSS 7; Memcached to 1.6.12 or later; move "
         "Memorystore for Memcached to Memorystore for Valkey.",
         "advisory", "medium",
         resource_types=frozenset({AWS_RG, AWS_CLUSTER, AWS_GLOBAL_RG, AWS_SERVERLESS,
                                   GCP_MEMCACHED}),
         check=check_engine_support),
    Rule("cache-customer-managed-key",
         "Production caches should encrypt at rest with a customer-managed key (KMS / CMEK).",
         "ElastiCache: kms_key_id. Memorystore for Redis: customer_managed_key; Valkey and "
         "Redis Cluster: kms_key.",
         "advisory", "low", production_only=True,
         resource_types=frozenset({AWS_RG, AWS_SERVERLESS, GCP_REDIS, GCP_VALKEY,
                                   GCP_REDIS_CLUSTER}),
         check=check_customer_managed_key),
    Rule("memcached-limits",
         "Memcached has no AUTH, no snapshots and (node-based on AWS) no encryption at rest: "
         "what the engine cannot do, flagged so that it is a decision.",
         "Keep secrets and personal data out of Memcached and guard it by network, or use "
         "Valkey with AUTH/IAM, TLS and backups. Set this policy to mandatory to ban Memcached.",
         "advisory", "low",
         resource_types=frozenset({AWS_CLUSTER, AWS_SERVERLESS, GCP_MEMCACHED}),
         check=check_memcached_limits),
    Rule("cache-alarms",
         "Every cache must have at least one alarm (CloudWatch alarm on its nodes, Cloud "
         "Monitoring alert policy on its instance).",
         "Create alarms whose dimensions name the cache's nodes (CacheClusterId <group>-001 "
         "...) or alert policies whose filter names the instance id.",
         "mandatory", "medium", check_stack=check_alarms),
    Rule("public-subnet",
         "Subnets for caches should not assign public IPs.",
         "Set map_public_ip_on_launch=False on cache subnets.",
         "advisory", "medium", in_policy_pack=False,
         resource_types=frozenset({SUBNET}), check=check_public_subnet),
    # Plan only: a statement about what this program sends (Redis OSS 6), not a violation.
    Rule("transit-encryption-mode-offered",
         "A Redis OSS 6 replication group takes no transit encryption mode (ElastiCache offers "
         "one from 7.0.5): with TLS on, the engine requires it of every client.",
         "Nothing to change; upgrade to Redis OSS 7 or Valkey to choose a mode.",
         "advisory", "low", in_policy_pack=False,
         resource_types=frozenset({AWS_RG}), check=check_transit_encryption_mode_offered),
    # Plan only: which VPC or log group serves a cache is this program's structure, not
    # something a policy can tell in any stack.
    # Plan only: which secret belongs to which cache, and whether that cache has a key of its
    # own, is this program's structure.
    Rule("connection-secret-key",
         "Production connection secrets use a customer-managed key where the cache has one.",
         "Give the cache a customer-managed key (aws.create_kms_key or aws.kms_key_arn); a "
         "Memcached cache has none, and its secret holds no credential.",
         "advisory", "low", production_only=True, in_policy_pack=False,
         resource_types=frozenset({AWS_SECRET}), check=check_secret_key),
    Rule("network-and-log-logging",
         "Production networks keep flow logs and cache log groups use the region's "
         "customer-managed key.",
         "Use the production profile (flow logs with bounded retention, log groups encrypted "
         "with the region's KMS key).",
         "advisory", "medium", in_policy_pack=False, check_stack=check_logging),
)

RESOURCE_RULES = tuple(r for r in RULES if r.check is not None)
STACK_RULES = tuple(r for r in RULES if r.check_stack is not None)
POLICY_RULES = tuple(r for r in RULES if r.in_policy_pack)
