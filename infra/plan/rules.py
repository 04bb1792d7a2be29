"""Security and durability rules for ElastiCache and Memorystore, each defined once.

Two readers call these functions: the offline plan (infra/plan/findings.py turns every Finding
into a line of `python -m infra.plan`) and the CrossGuard policy pack (policy/__main__.py turns
every Finding into a policy violation). A rule therefore reads a resource the way both see it:
its Pulumi type token and its input properties under their engine (camelCase) names, the same
in a mock registration and in a policy's `args.props`.

Standard library only, and no import of the rest of `infra`: the policy pack loads this file in
its own virtualenv, which holds pulumi-policy and nothing of this program. The same holds for
infra/plan/checks/, where the checks live by concern and which this file imports
(tests/policy/test_pack_process.py imports both with `python -S`):
  model.py       resource type tokens, Resource, Context, Finding, Rule, UNKNOWN and the
                 helpers that read inputs which may be missing or unknown;
  encryption.py  at rest, in transit, customer-managed keys, connection secrets' keys;
  access.py      authentication (AUTH, RBAC, IAM) and RBAC users;
  durability.py  backups, Multi-AZ, deletion protection;
  network.py     private ingress, public subnets;
  engines.py     engine versions out of support, what Memcached cannot do;
  monitoring.py  alarms on every cache, flow logs and log encryption (stack rules).
This file holds the RULES table, in the order the policy pack lists them, and every name its
readers use (`rules.Resource`, `rules.check_backups`, ...); the resource type tokens come
from components/resource_types.py.

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

from components import resource_types as types
from infra.plan.checks.access import (
    check_authentication,
)
from infra.plan.checks.durability import (
    check_backups,
    check_deletion_protection,
    check_multi_az,
)
from infra.plan.checks.encryption import (
    check_customer_managed_key,
    check_encryption_at_rest,
    check_encryption_in_transit,
    check_secret_key,
    check_transit_encryption_mode_offered,
)
from infra.plan.checks.engines import (
    GCP_MEMCACHED_NEW_INSTANCES_END,
    GCP_MEMCACHED_SHUTDOWN,
    MEMCACHED_TLS_SINCE,
    REDIS_OSS_END_OF_STANDARD_SUPPORT,
    check_engine_support,
    check_memcached_limits,
    engine_of,
    engine_support,
)
from infra.plan.checks.model import (
    AWS_CACHES,
    CACHES,
    DEFAULT_CACHE_PORTS,
    GCP_CACHES,
    PRIVATE_NETWORKS,
    SEVERITIES,
    UNKNOWN,
    Context,
    Finding,
    Resource,
    Rule,
    as_int,
    count,
    differs,
    is_off,
    is_set,
    nested,
)
from infra.plan.checks.monitoring import (
    check_alarms,
    check_logging,
)
from infra.plan.checks.network import (
    check_private_ingress,
    check_public_subnet,
    is_private,
)

__all__ = [
    "AWS_CACHES",
    "CACHES",
    "Context",
    "DEFAULT_CACHE_PORTS",
    "ENGINE_SUPPORT",
    "Finding",
    "GCP_CACHES",
    "GCP_MEMCACHED_NEW_INSTANCES_END",
    "GCP_MEMCACHED_SHUTDOWN",
    "MEMCACHED_TLS_SINCE",
    "POLICY_RULES",
    "PRIVATE_NETWORKS",
    "REDIS_OSS_END_OF_STANDARD_SUPPORT",
    "RESOURCE_RULES",
    "RULES",
    "Resource",
    "Rule",
    "SEVERITIES",
    "STACK_RULES",
    "UNKNOWN",
    "as_int",
    "check_alarms",
    "check_authentication",
    "check_backups",
    "check_customer_managed_key",
    "check_deletion_protection",
    "check_encryption_at_rest",
    "check_encryption_in_transit",
    "check_engine_support",
    "check_logging",
    "check_memcached_limits",
    "check_multi_az",
    "check_private_ingress",
    "check_public_subnet",
    "check_secret_key",
    "check_transit_encryption_mode_offered",
    "count",
    "differs",
    "engine_of",
    "engine_support",
    "is_off",
    "is_private",
    "is_set",
    "nested",
]

# ---------------------------------------------------------------------------------------------
# The rules, in the order the policy pack lists them.

_CACHE_TYPES = CACHES | {types.AWS_GLOBAL_REPLICATION_GROUP}
# The plan feeds this rule the config's versions (engine_support), once per cache.
ENGINE_SUPPORT = "cache-engine-support"

RULES: tuple[Rule, ...] = (
    Rule("cache-encryption-at-rest",
         "ElastiCache replication groups must encrypt data and snapshots at rest.",
         "Set at_rest_encryption_enabled=True on the replication group (this replaces it: "
         "migrate through a snapshot), or use ElastiCache Serverless. Single-node Redis/Valkey "
         "clusters cannot encrypt at rest: use a replication group.",
         "mandatory", "high",
         resource_types=frozenset({types.AWS_REPLICATION_GROUP, types.AWS_CLUSTER}),
         check=check_encryption_at_rest),
    Rule("cache-encryption-in-transit",
         "Cache clients and replicas must talk TLS (ElastiCache transit encryption 'required', "
         "Memorystore SERVER_AUTHENTICATION).",
         "ElastiCache: transit_encryption_enabled=True and transit_encryption_mode='required'. "
         "Memorystore for Redis/Valkey/Redis Cluster: transit_encryption_mode="
         "SERVER_AUTHENTICATION (immutable: create a new instance and move clients).",
         "mandatory", "high",
         resource_types=frozenset({types.AWS_REPLICATION_GROUP, types.AWS_CLUSTER, types.GCP_REDIS,
                                   types.GCP_VALKEY, types.GCP_REDIS_CLUSTER}),
         check=check_encryption_in_transit),
    Rule("cache-authentication",
         "Caches must authenticate clients: an AUTH token or RBAC user group on ElastiCache, "
         "AUTH or IAM authorization on Memorystore; RBAC users must need a password.",
         "ElastiCache: set auth_token (a Pulumi secret) or user_group_ids (serverless: "
         "user_group_id). Memorystore for Redis: auth_enabled=True. Memorystore for Valkey: "
         "authorization_mode=IAM_AUTH; Redis Cluster: AUTH_MODE_IAM_AUTH. RBAC users: set "
         "passwords or IAM authentication, or access_string 'off'.",
         "mandatory", "high",
         resource_types=frozenset({types.AWS_REPLICATION_GROUP, types.AWS_SERVERLESS_CACHE,
                                   types.AWS_CLUSTER, types.AWS_USER, types.GCP_REDIS,
                                   types.GCP_VALKEY, types.GCP_REDIS_CLUSTER}),
         check=check_authentication),
    Rule("cache-private-ingress",
         "Security groups, security group rules and firewalls must not admit cache ports from "
         "outside private ranges (RFC 1918, RFC 6598, IPv6 ULA).",
         "Allow only the private CIDRs of the clients' networks (or security group "
         "references); never 0.0.0.0/0, ::/0 or public ranges.",
         "mandatory", "critical",
         resource_types=frozenset({types.AWS_SECURITY_GROUP, types.AWS_DEFAULT_SECURITY_GROUP,
                                   types.AWS_SECURITY_GROUP_RULE,
                                   types.AWS_INGRESS_RULE, types.GCP_FIREWALL}),
         check=check_private_ingress),
    Rule("cache-backups",
         "Production Redis/Valkey caches must keep automatic backups (ElastiCache snapshots "
         "and a final snapshot, Memorystore persistence or automated backups).",
         "ElastiCache: snapshot_retention_limit >= 1 and final_snapshot_identifier. Memorystore "
         "for Redis: persistence_config.persistence_mode=RDB. Memorystore for Valkey / Redis "
         "Cluster: persistence_config.mode RDB or AOF, or automated_backup_config.",
         "mandatory", "high", production_only=True,
         resource_types=frozenset({types.AWS_REPLICATION_GROUP, types.AWS_CLUSTER,
                                   types.AWS_SERVERLESS_CACHE, types.GCP_REDIS, types.GCP_VALKEY,
                                   types.GCP_REDIS_CLUSTER}),
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
         resource_types=frozenset(_CACHE_TYPES | {types.AWS_KMS_KEY}),
         check=check_deletion_protection),
    Rule(ENGINE_SUPPORT,
         "Engine versions out of (standard) support are flagged: Redis OSS 4-6 on ElastiCache "
         "(Extended Support charges), Memcached without TLS, Memorystore for Memcached "
         "(deprecated).",
         "Upgrade Redis OSS to Valkey or Redis OSS 7; Memcached to 1.6.12 or later; move "
         "Memorystore for Memcached to Memorystore for Valkey.",
         "advisory", "medium",
         resource_types=frozenset({types.AWS_REPLICATION_GROUP, types.AWS_CLUSTER,
                                   types.AWS_GLOBAL_REPLICATION_GROUP, types.AWS_SERVERLESS_CACHE,
                                   types.GCP_MEMCACHED}),
         check=check_engine_support),
    Rule("cache-customer-managed-key",
         "Production caches should encrypt at rest with a customer-managed key (KMS / CMEK).",
         "ElastiCache: kms_key_id. Memorystore for Redis: customer_managed_key; Valkey and "
         "Redis Cluster: kms_key.",
         "advisory", "low", production_only=True,
         resource_types=frozenset({types.AWS_REPLICATION_GROUP, types.AWS_SERVERLESS_CACHE,
                                   types.GCP_REDIS, types.GCP_VALKEY, types.GCP_REDIS_CLUSTER}),
         check=check_customer_managed_key),
    Rule("memcached-limits",
         "Memcached has no AUTH, no snapshots and (node-based on AWS) no encryption at rest: "
         "what the engine cannot do, flagged so that it is a decision.",
         "Keep secrets and personal data out of Memcached and guard it by network, or use "
         "Valkey with AUTH/IAM, TLS and backups. Set this policy to mandatory to ban Memcached.",
         "advisory", "low",
         resource_types=frozenset({types.AWS_CLUSTER, types.AWS_SERVERLESS_CACHE,
                                   types.GCP_MEMCACHED}),
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
         resource_types=frozenset({types.AWS_SUBNET}), check=check_public_subnet),
    # Plan only: a statement about what this program sends (Redis OSS 6), not a violation.
    Rule("transit-encryption-mode-offered",
         "A Redis OSS 6 replication group takes no transit encryption mode (ElastiCache offers "
         "one from 7.0.5): with TLS on, the engine requires it of every client.",
         "Nothing to change; upgrade to Redis OSS 7 or Valkey to choose a mode.",
         "advisory", "low", in_policy_pack=False,
         resource_types=frozenset({types.AWS_REPLICATION_GROUP}),
         check=check_transit_encryption_mode_offered),
    # Plan only: which VPC or log group serves a cache is this program's structure, not
    # something a policy can tell in any stack.
    # Plan only: which secret belongs to which cache, and whether that cache has a key of its
    # own, is this program's structure.
    Rule("connection-secret-key",
         "Production connection secrets use a customer-managed key where the cache has one.",
         "Give the cache a customer-managed key (aws.create_kms_key or aws.kms_key_arn); a "
         "Memcached cache has none, and its secret holds no credential.",
         "advisory", "low", production_only=True, in_policy_pack=False,
         resource_types=frozenset({types.AWS_SECRET}), check=check_secret_key),
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
