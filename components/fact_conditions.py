"""Under what a provider fact holds (components/provider_facts.py): one name per condition,
with the sentence the plan diff shows. The components know their own conditions (a component
is told its Global Datastore role); the plan diff decides them from two plans
(infra/plan/conditions.py)."""

from __future__ import annotations

ALWAYS = "always"
GLOBAL_MEMBER = "global-member"
GLOBAL_PRIMARY = "global-primary"
GLOBAL_SECONDARY = "global-secondary"
REDIS_BELOW_7_0_5 = "redis-below-7.0.5"
VERSION_DOWNGRADE = "version-downgrade"
ENGINE_NOT_REDIS_TO_VALKEY = "engine-not-redis-to-valkey"
MEMCACHED = "memcached"
WITHOUT_MAJOR_UPGRADE = "without-major-upgrade"
FOLLOWS_FAILOVER = "follows-failover"
READ_REPLICAS_TURNED_OFF = "read-replicas-turned-off"
CROSS_REGION_SECONDARY = "cross-region-secondary"
CIDR_NOT_EXPANDED = "cidr-not-expanded"
AUTOSCALED_SHARDS = "autoscaled-shards"
AUTOSCALED_REPLICAS = "autoscaled-replicas"
CLUSTER_MODE_TURNED_ON = "cluster-mode-turned-on"
RBAC_TO_AUTH_TOKEN = "rbac-to-auth-token"
ENGINE_NOT_REDIS_VALKEY_SWAP = "engine-not-redis-valkey-swap"
NOT_VALKEY_MAJOR_UPGRADE = "not-valkey-major-upgrade"
WITH_ANOTHER_UPDATE_FIELD = "with-another-update-field"
READ_REPLICAS_TURNED_ON = "read-replicas-turned-on"
READ_REPLICAS_BELOW_MINIMUM = "read-replicas-below-minimum"
REDIS_VERSION_DOWNGRADE = "redis-version-downgrade"
REDIS_DOWNGRADE_OUTSIDE_PATTERN = "redis-downgrade-outside-pattern"
REDIS_UPGRADE_WITH_NEWER_CONFIGS = "redis-upgrade-with-newer-configs"
VALUE_REMOVED = "value-removed"
VALUE_SET = "value-set"
GLOBAL_PRIMARY_ONE_SHARD = "global-primary-one-shard"
LEAVES_DATA_TIERING = "leaves-data-tiering"
TO_SINGLE_AZ = "to-single-az"
USER_ID_KEPT = "user-id-kept"
APPLIED_LATER = "applied-later"

CONDITIONS: dict[str, str] = {
    ALWAYS: "always",
    GLOBAL_MEMBER: "on a member (primary or secondary) of a Global Datastore, or a resource of "
                   "a cache that already is one",
    GLOBAL_PRIMARY: "on the primary member of a Global Datastore",
    GLOBAL_PRIMARY_ONE_SHARD: "on the primary member of a Global Datastore with cluster mode "
                              "disabled",
    GLOBAL_SECONDARY: "on a secondary member of a Global Datastore",
    REDIS_BELOW_7_0_5: "while the engine is Redis OSS below 7.0.5 (6.x, 6.2; the '7.0' "
                       "ElastiCache offers is 7.0.7)",
    VERSION_DOWNGRADE: "when the new engine version is lower than the old one",
    ENGINE_NOT_REDIS_TO_VALKEY: "when the engine changes other than Redis OSS to Valkey (the "
                                "only in-place engine change)",
    MEMCACHED: "on a Memcached cluster",
    WITHOUT_MAJOR_UPGRADE: "unless the same change upgrades the engine's major version",
    FOLLOWS_FAILOVER: "on what follows a cross-region failover (a Global Datastore failover, "
                      "a Memorystore for Valkey switchover): the writer DNS record, the Global "
                      "Datastore's primary member",
    READ_REPLICAS_TURNED_OFF: "when Memorystore for Redis read replicas go from enabled to not "
                              "enabled",
    CROSS_REGION_SECONDARY: "on a Memorystore for Valkey instance created as a cross-region "
                            "secondary",
    CIDR_NOT_EXPANDED: "when the new range does not contain the old one (only an expansion is "
                       "in place)",
    AUTOSCALED_SHARDS: "on a replication group whose shard count Application Auto Scaling "
                       "manages (`autoscaling.shards`)",
    AUTOSCALED_REPLICAS: "on a replication group whose replicas per shard Application Auto "
                         "Scaling manages (`autoscaling.replicas`)",
    CLUSTER_MODE_TURNED_ON: "when cluster mode goes from disabled to enabled",
    RBAC_TO_AUTH_TOKEN: "when a replication group moves from RBAC users (user groups) back to "
                        "an AUTH token",
    ENGINE_NOT_REDIS_VALKEY_SWAP: "when the engine changes other than between Redis OSS and "
                                  "Valkey (either way)",
    NOT_VALKEY_MAJOR_UPGRADE: "unless the cache is Valkey and its major version goes up",
    WITH_ANOTHER_UPDATE_FIELD: "when the same update changes another field of the Memorystore "
                               "for Valkey update mask (only nodeType with engineConfigs may go "
                               "together)",
    READ_REPLICAS_BELOW_MINIMUM: "when a Memorystore for Redis instance that has had read "
                                 "replicas goes below their 5 GB minimum",
    READ_REPLICAS_TURNED_ON: "when Memorystore for Redis read replicas are turned on for an "
                             "existing instance without a secondary IP range",
    REDIS_VERSION_DOWNGRADE: "when the Redis version goes down between two REDIS_<major>_<minor> "
                             "versions (the only ones the provider compares)",
    REDIS_DOWNGRADE_OUTSIDE_PATTERN: "when the Redis version goes down to or from one outside "
                                     "REDIS_<major>_<minor> (REDIS_6_X)",
    REDIS_UPGRADE_WITH_NEWER_CONFIGS: "when the Redis version goes up and the same change sets "
                                      "a config only the new version has",
    VALUE_REMOVED: "when the argument had a value and no longer has one",
    VALUE_SET: "when the argument is given a new value (left out, it keeps the one the "
               "resource has: the provider reads it back as Optional and Computed)",
    USER_ID_KEPT: "while the user keeps its user_id",
    APPLIED_LATER: "when the replication group applies changes in the maintenance window "
                   "(aws.apply_immediately false)",
    LEAVES_DATA_TIERING: "when the node type moves from a data-tiering family (r6gd) to another",
    TO_SINGLE_AZ: "when a Memcached cluster's zone mode goes from cross-az to single-az (its "
                  "nodes down to one)",
}

# The fields resourceMemorystoreInstanceUpdate puts in its updateMask (google-beta@93c65b2d),
# as Pulumi inputs. The API takes one per PATCH, except nodeType together with engineConfigs
# (hashicorp/terraform-provider-google#29428).
VALKEY_UPDATE_MASK: tuple[str, ...] = (
    "automatedBackupConfig", "replicaCount", "aclPolicy", "shardCount", "nodeType",
    "persistenceConfig", "maintenancePolicy", "maintenanceVersion", "engineVersion",
    "engineConfigs", "deletionProtectionEnabled", "crossInstanceReplicationConfig", "labels")
VALKEY_UPDATE_PAIR: frozenset[str] = frozenset({"nodeType", "engineConfigs"})


def redis_below_7_0_5(engine: str | None, version: str | None) -> bool:
    """The REDIS_BELOW_7_0_5 condition for an engine and an ElastiCache version string
    ('6.x', '6.2', '7.0', '7.1', '8.1'...). Only Redis OSS 6 qualifies among the versions
    offered: ElastiCache resolves '7.0' to its latest patch, 7.0.7."""
    major = (version or "").split(".", 1)[0]
    return (engine or "redis") == "redis" and major.isdigit() and int(major) < 7
