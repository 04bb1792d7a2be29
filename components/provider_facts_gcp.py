"""Provider facts of the GCP resources (terraform-provider-google-beta, as pulumi-gcp bridges
it); the table and its use are described in components/provider_facts.py."""

from __future__ import annotations

from components import resource_types as types
from components.fact_conditions import (
    ALWAYS,
    CIDR_NOT_EXPANDED,
    CROSS_REGION_SECONDARY,
    FOLLOWS_FAILOVER,
    READ_REPLICAS_BELOW_MINIMUM,
    READ_REPLICAS_TURNED_OFF,
    READ_REPLICAS_TURNED_ON,
    REDIS_DOWNGRADE_OUTSIDE_PATTERN,
    REDIS_UPGRADE_WITH_NEWER_CONFIGS,
    REDIS_VERSION_DOWNGRADE,
    VALKEY_UPDATE_MASK,
    VALUE_SET,
    VERSION_DOWNGRADE,
    WITH_ANOTHER_UPDATE_FIELD,
)
from components.fact_model import Fact
from components.fact_model import replaces as _replaces

# pulumi-gcp bridges terraform-provider-google-beta (pulumi/pulumi-gcp .gitmodules). The nearest
# stored source to the release pulumi-gcp 10.2.0 bridges is google-beta main at 93c65b2d
# (2026-08-21, the v8 line; the installed SDK carries its newest fields, e.g. memorystore
# acl_policy); every GCP fact below was read there, and its argument checked in the 10.2.0 SDK.
_TF_GOOGLE = ("hashicorp/terraform-provider-google-beta@93c65b2d60fe (bridged by pulumi-gcp "
              "10.2.0), google-beta/services/")
_REDIS_SRC = _TF_GOOGLE + "redis/resource_redis_instance.go"
_VALKEY_SRC = _TF_GOOGLE + "memorystore/resource_memorystore_instance.go"
_MEMCACHED_SRC = _TF_GOOGLE + "memcache/resource_memcache_instance.go"

GCP_FACTS: tuple[Fact, ...] = (
    # --- GCP: google_redis_instance -------------------------------------------------------
    *_replaces(types.GCP_REDIS, ("name", "region", "project", "connectMode", "authorizedNetwork",
                           "customerManagedKey", "alternativeLocationId",
                           "reservedIpRange"), _REDIS_SRC),
    # Optional, Computed and ForceNew (magic-modules redis/Instance.yaml: immutable,
    # default_from_api): a zone set is a new instance; a zone removed keeps Google's choice.
    *_replaces(types.GCP_REDIS, ("locationId",), _REDIS_SRC, condition=VALUE_SET),
    Fact(types.GCP_REDIS, "tier", "replaces", ALWAYS,
         "BASIC and STANDARD_HA cannot be switched in place (ForceNew): replicas 0 -> 1 or "
         "1 -> 0 recreates the instance empty.",
         _REDIS_SRC + "; https://cloud.google.com/memorystore/docs/redis/redis-tiers"),
    Fact(types.GCP_REDIS, "transitEncryptionMode", "replaces", ALWAYS,
         "TLS can only be chosen when the instance is created (ForceNew): turning it on or off "
         "recreates the instance empty.", _REDIS_SRC),
    Fact(types.GCP_REDIS, "redisVersion", "replaces", REDIS_VERSION_DOWNGRADE,
         "A version downgrade recreates the instance (CustomizeDiff ForceNewIfChange "
         "isRedisVersionDecreasing); upgrades go through the :upgrade call in place.",
         _REDIS_SRC),
    Fact(types.GCP_REDIS, "redisVersion", "rejected", REDIS_DOWNGRADE_OUTSIDE_PATTERN,
         "isRedisVersionDecreasing compares only REDIS_<major>_<minor> versions, so a downgrade "
         "to REDIS_6_X is no replacement: the provider calls :upgrade with the older version and "
         "Memorystore refuses it (an instance's Redis version cannot be downgraded). Keep the "
         "version, or create a new cache on the older one and move the data.",
         _REDIS_SRC + "; https://cloud.google.com/memorystore/docs/redis/upgrading-instance-"
         "version"),
    Fact(types.GCP_REDIS, "readReplicasMode", "rejected", READ_REPLICAS_TURNED_OFF,
         "Memorystore for Redis cannot disable read replicas once they are enabled; the program "
         "never sends READ_REPLICAS_DISABLED, so the instance keeps its read replicas (and its "
         "read endpoint) and only the replica count changes.",
         "https://cloud.google.com/memorystore/docs/redis/about-read-replicas (\"Once read "
         "replicas are enabled on an instance read replicas can no longer be disabled\")",
         not_applied=True),
    Fact(types.GCP_REDIS, "replicaCount", "rejected", READ_REPLICAS_TURNED_OFF,
         "Without read replicas the program sends no replica count (the API refuses one: "
         "\"Setting replica count requires read-replicas-mode to be READ_REPLICAS_ENABLED\"), "
         "and the provider keeps the instance's count (replica_count is Optional and Computed), "
         "so the instance keeps its read replicas and their number. To go down to one replica, "
         "keep `gcp.read_replicas: true` with `replicas: 1`.",
         _REDIS_SRC + " (replica_count Optional, Computed); "
         "https://github.com/hashicorp/terraform-provider-google/issues/14734",
         not_applied=True),
    Fact(types.GCP_REDIS, "memorySizeGb", "rejected", READ_REPLICAS_BELOW_MINIMUM,
         "The instance keeps its read replicas when the config stops asking for them (they "
         "cannot be disabled), and read replicas need at least 5 GB, so Memorystore refuses "
         "the smaller size. Keep memory_gb at 5 or more, or move the data to a new cache.",
         "https://cloud.google.com/memorystore/docs/redis/about-read-replicas (\"Read replicas "
         "are only supported for instance sizes with nodes >= 5 GB\"; \"Once read replicas are "
         "enabled on an instance read replicas can no longer be disabled\")"),
    Fact(types.GCP_REDIS, "redisConfigs", "rejected", REDIS_UPGRADE_WITH_NEWER_CONFIGS,
         "The provider sends the configs in its PATCH and calls :upgrade only after it, so a "
         "config only the new version has (lazyfree-*, maxmemory-clients: \"Redis version 7.0 "
         "and newer\") reaches the old version, which does not have it. Take the upgrade in one "
         "`pulumi up` and the new configs in the next.",
         _REDIS_SRC + " (resourceRedisInstanceUpdate: PATCH with the update mask, then "
         ":upgrade); https://cloud.google.com/memorystore/docs/redis/"
         "supported-redis-configurations"),
    Fact(types.GCP_REDIS, "readReplicasMode", "rejected", READ_REPLICAS_TURNED_ON,
         "Turning read replicas on for an existing instance needs a secondary IP range (\"Required "
         "when enabling read replicas on an existing instance\"), which the program never sends, "
         "so `pulumi up` fails. Create the cache with read replicas (replicas 2 or more), or turn "
         "them on by hand with a secondary range (`auto` picks one), then `pulumi refresh`.",
         _REDIS_SRC + " (secondary_ip_range); "
         "https://cloud.google.com/memorystore/docs/redis/manage-read-replicas"),
    # --- GCP: google_memorystore_instance (Valkey) ------------------------------------------
    *_replaces(types.GCP_VALKEY, ("instanceId", "location", "project", "authorizationMode",
                            "transitEncryptionMode", "kmsKey", "zoneDistributionConfig",
                            "desiredPscAutoConnections", "desiredAutoCreatedEndpoints",
                            "gcsSource", "managedBackupSource", "serverCaMode", "serverCaPool"),
               _VALKEY_SRC),
    Fact(types.GCP_VALKEY, "mode", "replaces", ALWAYS,
         "Cluster mode (CLUSTER / CLUSTER_DISABLED) is immutable (ForceNew): going from one shard "
         "to several turns it on and recreates the instance empty. Create the cache with "
         "gcp.cluster_mode: true to add shards later in place.", _VALKEY_SRC),
    Fact(types.GCP_VALKEY, "engineVersion", "rejected", VERSION_DOWNGRADE,
         "engine_version has no ForceNew: the provider sends the older version and Memorystore "
         "refuses it (an instance's Valkey version cannot be downgraded). Keep the version, or "
         "create a new cache on the older one and move the data.",
         _VALKEY_SRC + "; https://cloud.google.com/memorystore/docs/valkey/upgrade-valkey-version"),
    Fact(types.GCP_VALKEY, "crossInstanceReplicationConfig", "cloud_owned", CROSS_REGION_SECONDARY,
         "A switchover or detach changes the instance role (SECONDARY -> PRIMARY or NONE) and "
         "the primary/secondary instances it lists; the provider sends this block in every "
         "update (it is in the update mask), so `pulumi up` would ask for the old roles back. "
         "The provider's own acceptance test ignores it on the secondary.",
         _VALKEY_SRC + " and memorystore/resource_memorystore_instance_test.go "
         "(createSecondaryInstanceResource: lifecycle ignore_changes); "
         "https://cloud.google.com/memorystore/docs/valkey/about-cross-region-replication"),
    *[Fact(types.GCP_VALKEY, argument, "cloud_owned", CROSS_REGION_SECONDARY,
           "\"You must change the following settings on the primary instance. Memorystore for "
           "Valkey syncs these changes with the secondary instances automatically: Shard "
           "count, Instance configurations, Persistence mode, Valkey version, Node type\"; "
           "Pulumi updates the primary first, so a PATCH of the same field on each secondary "
           "would follow a change already under way there. Only the replica count is the "
           "secondary's own (\"updates to the replica count are local\").",
           "https://cloud.google.com/memorystore/docs/valkey/about-cross-region-replication "
           "(Feature behavior: Scale instance capacity, Scale replica count; Key concepts: "
           "Shard count and slot assignment)")
      for argument in ("shardCount", "nodeType", "engineVersion", "engineConfigs",
                       "persistenceConfig")],
    # One field per update: the program sends all of these but aclPolicy and maintenanceVersion.
    *[Fact(types.GCP_VALKEY, argument, "rejected", WITH_ANOTHER_UPDATE_FIELD,
           "Memorystore for Valkey takes one field per update (\"exactly 1 update_mask field "
           "must be specified per update request\"; nodeType may go with engineConfigs), and "
           "the provider sends every changed field in one PATCH, so `pulumi up` fails when this "
           "field changes together with another. Apply one change per `pulumi up`.",
           _VALKEY_SRC + " (resourceMemorystoreInstanceUpdate: one PATCH; the per-field requests "
           "of GoogleCloudPlatform/magic-modules#17166 were lost in the next regeneration); "
           "https://github.com/hashicorp/terraform-provider-google/issues/20101; "
           "https://github.com/hashicorp/terraform-provider-google/issues/29428")
      for argument in VALKEY_UPDATE_MASK if argument not in ("aclPolicy", "maintenanceVersion")],
    # --- GCP: google_memcache_instance --------------------------------------------------------
    *_replaces(types.GCP_MEMCACHED, ("name", "region", "project", "zones", "authorizedNetwork",
                               "reservedIpRangeIds"), _MEMCACHED_SRC),
    Fact(types.GCP_MEMCACHED, "memcacheVersion", "rejected", VERSION_DOWNGRADE,
         "memcache_version has no ForceNew: the provider calls :upgrade with the older version "
         "and Memorystore refuses it (an instance's Memcached version cannot be downgraded). "
         "Keep the version, or create a new cache on the older one.",
         _MEMCACHED_SRC + "; https://cloud.google.com/memorystore/docs/memcached/upgrade-"
         "memcached-version"),
    Fact(types.GCP_MEMCACHED, "nodeConfig", "replaces", ALWAYS,
         "Node vCPUs and memory are fixed at creation (ForceNew): a new node size recreates "
         "the instance empty; add nodes (node_count) to grow in place.", _MEMCACHED_SRC),
    Fact(types.GCP_MEMCACHED, "memcacheParameters", "replaces", ALWAYS,
         "Memcached parameters are ForceNew in the provider: any parameter change recreates "
         "the instance empty.", _MEMCACHED_SRC),
    # --- GCP: networking, DNS, project services, keys, monitoring ---------------------------
    *_replaces(types.GCP_NETWORK, ("name", "autoCreateSubnetworks", "description",
                             "internalIpv6Range", "networkProfile", "params", "project"),
               _TF_GOOGLE + "compute/resource_compute_network.go"),
    *_replaces(types.GCP_SUBNETWORK, ("name", "network", "description", "region",
                                "externalIpv6Prefix", "internalIpv6Prefix", "params",
                                "reservedInternalRange", "resolveSubnetMask", "project"),
               _TF_GOOGLE + "compute/resource_compute_subnetwork.go"),
    Fact(types.GCP_SUBNETWORK, "ipCidrRange", "replaces", CIDR_NOT_EXPANDED,
         "A subnet's range can only be expanded in place; any other new range recreates it "
         "(CustomizeDiff ForceNewIfChange IsShrinkageIpCidr).",
         _TF_GOOGLE + "compute/resource_compute_subnetwork.go"),
    *_replaces(types.GCP_GLOBAL_ADDRESS, ("name", "addressType", "description",
                                    "ipVersion", "network", "prefixLength", "purpose",
                                    "project"),
               _TF_GOOGLE + "compute/resource_compute_global_address.go"),
    # A pinned range (psa_range) removed in favour of a prefix length keeps the range the
    # address has (address: default_from_api).
    *_replaces(types.GCP_GLOBAL_ADDRESS, ("address",),
               _TF_GOOGLE + "compute/resource_compute_global_address.go", condition=VALUE_SET),
    *_replaces(types.GCP_FIREWALL, ("name", "direction", "params", "project"),
               _TF_GOOGLE + "compute/resource_compute_firewall.go"),
    *_replaces(types.GCP_PSA_CONNECTION, ("network", "service"),
               _TF_GOOGLE + "servicenetworking/resource_service_networking_connection.go"),
    *_replaces(types.GCP_CONNECTION_POLICY, ("location", "name", "network", "serviceClass",
                                       "project"),
               _TF_GOOGLE + "networkconnectivityv1/"
               "resource_network_connectivity_service_connection_policy.go"),
    *_replaces(types.GCP_MANAGED_ZONE, ("dnsName", "name", "reverseLookup",
                                        "serviceDirectoryConfig", "visibility", "project"),
               _TF_GOOGLE + "dns/resource_dns_managed_zone.go"),
    *_replaces(types.GCP_RECORD_SET, ("managedZone", "name", "project"),
               _TF_GOOGLE + "dns/resource_dns_record_set.go"),
    Fact(types.GCP_RECORD_SET, "rrdatas", "cloud_owned", FOLLOWS_FAILOVER,
         "The writer name follows the primary instance, which a Memorystore for Valkey "
         "switchover moves to another region; the operator repoints the record, so `pulumi up` "
         "must not point it back (docs/dns.md).",
         "https://cloud.google.com/memorystore/docs/valkey/about-cross-region-replication"),
    Fact(types.GCP_RECORD_SET, "ttl", "cloud_owned", FOLLOWS_FAILOVER,
         "A TTL change is one Cloud DNS change that deletes the record set as the state holds "
         "it and adds it with the new TTL and the configured addresses; with `rrdatas` "
         "ignored those are the last `pulumi up`'s (the first primary's), so a new "
         "network.dns.ttl would point the writer name back, or fail where the state is stale. "
         "Set the TTL when repointing the record (docs/dns.md).",
         _TF_GOOGLE + "dns/resource_dns_record_set.go (resourceDnsRecordSetUpdate: Deletions "
         "from the old state, Additions with rrdatas from the plan)"),
    *_replaces(types.GCP_SERVICE, ("service", "project"),
               _TF_GOOGLE + "resourcemanager/resource_google_project_service.go"),
    *_replaces(types.GCP_SERVICE_IDENTITY, ("service", "project"),
               _TF_GOOGLE + "resourcemanager/resource_project_service_identity.go"),
    *_replaces(types.GCP_KEY_GRANT, ("cryptoKeyId", "role", "member", "condition"),
               _TF_GOOGLE + "kms/iam_kms_crypto_key.go and "
               "hashicorp/terraform-provider-google-beta google-beta/tpgiamresource/"
               "resource_iam_member.go"),
    *_replaces(types.GCP_ALERT_POLICY, ("project",),
               _TF_GOOGLE + "monitoring/resource_monitoring_alert_policy.go"),
    *_replaces(types.GCP_NOTIFICATION_CHANNEL, ("project",),
               _TF_GOOGLE + "monitoring/resource_monitoring_notification_channel.go"),
    *_replaces(types.GCP_SECRET, ("secretId", "project", "replication"),
               _TF_GOOGLE + "secretmanager/resource_secret_manager_secret.go"),
    *_replaces(types.GCP_SECRET_VERSION, ("secret", "secretData"),
               _TF_GOOGLE + "secretmanager/resource_secret_manager_secret_version.go"),
    *_replaces(types.GCP_PROJECT_IAM_MEMBER, ("project", "role", "member", "condition"),
               _TF_GOOGLE + "tpgiamresource/resource_iam_member.go"),
    *_replaces(types.GCP_DASHBOARD, ("project",),
               _TF_GOOGLE + "monitoring/resource_monitoring_dashboard.go"),
    # The wait before a new agent's key grant (components/gcp/cmek.py): pulumiverse-time 0.1.1
    # bridges hashicorp/terraform-provider-time, whose time_sleep replaces on new triggers
    # (mapplanmodifier.RequiresReplace) and waits only on create; create_duration updates in
    # place without a wait.
    *_replaces(types.TIME_SLEEP, ("triggers",),
               "hashicorp/terraform-provider-time internal/provider/resource_time_sleep.go"),
)
