"""GCP Memorystore static facts and the GCP profile defaults, as data."""

from __future__ import annotations

import re
from dataclasses import dataclass

from infra.catalog.profiles import by_profile

# ---------------------------------------------------------------------------------------------
# Static facts
# ---------------------------------------------------------------------------------------------
# Our engine_version -> the Memorystore enum (docs/cloud-rules.md; pulumi-gcp 10 docs). Valkey
# 9.1: Memorystore for Valkey "Supported versions" (its default since 2026-07-27); the provider
# passes any string (magic-modules Instance.yaml `engineVersion`), so this map is the check.
VALKEY_VERSIONS = {"7.2": "VALKEY_7_2", "8.0": "VALKEY_8_0", "9.0": "VALKEY_9_0",
                   "9.1": "VALKEY_9_1"}
REDIS_VERSIONS = {"6.x": "REDIS_6_X", "7.0": "REDIS_7_0", "7.2": "REDIS_7_2"}
MEMCACHED_VERSIONS = {"1.5": "MEMCACHE_1_5", "1.6.15": "MEMCACHE_1_6_15"}
ENGINE_VERSIONS = {"valkey": VALKEY_VERSIONS, "redis": REDIS_VERSIONS,
                   "memcached": MEMCACHED_VERSIONS}
DEFAULT_ENGINE_VERSION = {"valkey": "8.0", "redis": "7.2", "memcached": "1.6.15"}
PRODUCT = {"valkey": "Memorystore for Valkey", "redis": "Memorystore for Redis",
           "memcached": "Memorystore for Memcached"}


@dataclass(frozen=True)
class ValkeyNodeType:
    name: str                 # our spelling, e.g. "highmem-medium"
    api_name: str             # Memorystore's enum, e.g. "HIGHMEM_MEDIUM"
    default_clients: int      # maxclients per node unless engine configs set it
    max_clients: int          # the highest maxclients the node type takes
    # None where no Google page could be read for it: such a type is taken as an explicit
    # node_type, never picked for a memory_gb.
    capacity_gb: float | None = None    # total node capacity
    keyspace_gb: float | None = None    # default writable keyspace (capacity minus overhead)


# Memorystore for Valkey "Instance and node specification" page (node types and their capacity)
# and "Quotas and limits", Max clients (default, maximum):
# https://cloud.google.com/memorystore/docs/valkey/instance-node-specification,
# https://cloud.google.com/memorystore/docs/valkey/quotas. The six types Google added on
# 2026-04-15 (the provider lists them too: pulumi-gcp 10 `memorystore.Instance.node_type`) have
# their client limits from the quotas page; their capacity was read only from secondary copies
# of the specification page, so it is not recorded, and the plan prices them as unknown.
VALKEY_NODE_TYPES: dict[str, ValkeyNodeType] = {
    n.name: n for n in (
        ValkeyNodeType("shared-core-nano", "SHARED_CORE_NANO", 5000, 5000, 1.4, 1.12),
        ValkeyNodeType("custom-pico", "CUSTOM_PICO", 16000, 32000),
        ValkeyNodeType("custom-micro", "CUSTOM_MICRO", 16000, 32000),
        ValkeyNodeType("custom-mini", "CUSTOM_MINI", 16000, 32000),
        ValkeyNodeType("standard-small", "STANDARD_SMALL", 16000, 32000, 6.5, 5.2),
        ValkeyNodeType("highmem-medium", "HIGHMEM_MEDIUM", 32000, 64000, 13, 10.4),
        ValkeyNodeType("highcpu-medium", "HIGHCPU_MEDIUM", 32000, 64000),
        ValkeyNodeType("standard-large", "STANDARD_LARGE", 32000, 64000),
        ValkeyNodeType("highmem-xlarge", "HIGHMEM_XLARGE", 64000, 64000, 58, 46.4),
        ValkeyNodeType("highmem-2xlarge", "HIGHMEM_2XLARGE", 64000, 64000),
    )
}
# What a memory_gb is fitted to: the writable keyspace of each node type that has a known one.
VALKEY_KEYSPACE_GB: dict[str, float] = {
    n.name: n.keyspace_gb for n in VALKEY_NODE_TYPES.values() if n.keyspace_gb is not None}


def smallest_valkey_node(memory_gb: float, sla_only: bool) -> ValkeyNodeType | None:
    """The smallest node type of known keyspace that holds `memory_gb`; with `sla_only`, none
    without an SLA (NO_SLA_NODE_TYPES)."""
    fits = {name: gb for name, gb in VALKEY_KEYSPACE_GB.items()
            if gb >= memory_gb and not (sla_only and name in NO_SLA_NODE_TYPES)}
    return VALKEY_NODE_TYPES[min(fits, key=fits.__getitem__)] if fits else None
# "Connected clients per instance ... 65,000 for each node" (Memorystore for Redis quotas,
# https://cloud.google.com/memorystore/docs/redis/quotas).
REDIS_MAX_CLIENTS = 65000
# With in-transit encryption, Redis before 7.0 takes fewer clients by capacity tier
# ("Connection limits for in-transit encryption", https://cloud.google.com/memorystore/docs/
# redis/about-in-transit-encryption): (largest GB of the tier, clients); 101 GB and up: 65,000.
REDIS_6_TLS_CLIENTS = ((4, 1000), (10, 2500), (35, 15000), (100, 30000))
# "Connected clients per node: 65,000" (Memorystore for Memcached quotas,
# https://cloud.google.com/memorystore/docs/memcached/quotas).
MEMCACHED_MAX_CLIENTS = 65000
# shared-core-nano has no SLA: Google recommends it for development and tests only.
NO_SLA_NODE_TYPES = frozenset({"shared-core-nano"})

# "Notification channels per alerting policy: 16" (Cloud Monitoring quotas, in the copies we
# could read; the current table was not): each alerts.emails address is a channel on every policy.
MAX_CHANNELS_PER_ALERT_POLICY = 16
VALKEY_MAX_SHARDS = 250
# "Usage units per instance: 250", where units = shard_count * (1 + replica_count): the nodes of
# one instance (Memorystore for Valkey quotas, https://cloud.google.com/memorystore/docs/valkey/quotas).
VALKEY_MAX_INSTANCE_UNITS = 250
MAX_REPLICAS = 5                   # Valkey per shard; Redis with read replicas
# "You can have a maximum of two read replicas for the instance" (Memorystore for Valkey, Enable
# and disable Cluster Mode, https://cloud.google.com/memorystore/docs/valkey/cluster-mode-enabled-
# and-disabled), where the overview allows up to five per shard: stated for Cluster Mode
# Disabled, but written when the overview said two, so a warning, not a refusal.
VALKEY_CLUSTER_DISABLED_MAX_REPLICAS = 2
VALKEY_MAX_SECONDARIES = 2         # cross-region replication: up to 2 secondaries
REDIS_MIN_GB, REDIS_MAX_GB = 1, 300
# "The default per-project quota for Memorystore for Redis allows you to provision 1 TB of Redis
# capacity in each region" (three 300 GB instances leave 100 GB:
# https://cloud.google.com/memorystore/docs/redis/quotas); a quota Google can raise.
REDIS_REGION_QUOTA_GB = 1000
REDIS_READ_REPLICAS_MIN_GB = 5
MEMCACHED_MAX_NODES = 20
MEMCACHED_MAX_VCPUS = 32
MEMCACHED_DISPLAY_NAME_MAX = 80
MEMCACHED_MAX_NODE_GB = 256
MEMCACHED_MAX_GB_PER_VCPU = 8
MEMCACHED_MIN_GB_PER_VCPU = 0.9
# "The minimum vCPU count for nodes in a Memcached instance is 2", except in these regions, where
# it is 1 (Instance and node properties, Minimum vCPU according to region,
# https://cloud.google.com/memorystore/docs/memcached/instance-node-properties).
MEMCACHED_ONE_VCPU_REGIONS = frozenset({
    "asia-east1", "asia-east2", "asia-northeast1", "asia-northeast2", "asia-northeast3",
    "asia-south1", "asia-south2", "asia-southeast1", "asia-southeast2", "australia-southeast1",
    "australia-southeast2", "europe-central2", "europe-north1", "europe-west1", "europe-west2",
    "europe-west3", "europe-west4", "europe-west6", "northamerica-northeast1",
    "northamerica-northeast2", "southamerica-east1", "us-central1", "us-east1", "us-east4",
    "us-west1", "us-west2", "us-west3", "us-west4",
})
MEMCACHED_WINDOW_MINUTES = (180, 480)   # maintenance windows last 3 to 8 hours
MAX_BACKUP_RETENTION_DAYS = 365         # Valkey automated backups: 1 to 365 days
INSTANCE_ID_LENGTH = (4, 63)            # Valkey instance ids
RDB_PERIODS = {1: "ONE_HOUR", 6: "SIX_HOURS", 12: "TWELVE_HOURS", 24: "TWENTY_FOUR_HOURS"}
MEMCACHED_END_OF_NEW_INSTANCES = "2027-02-01"
DEFAULT_VPC_CIDR = "10.40.0.0/16"
DEFAULT_PSA_PREFIX_LENGTH = 20

# Regions where Memorystore is offered; used to catch typos and suggest the right spelling.
GCP_REGIONS = frozenset({
    "africa-south1", "asia-east1", "asia-east2", "asia-northeast1", "asia-northeast2",
    "asia-northeast3", "asia-south1", "asia-south2", "asia-southeast1", "asia-southeast2",
    "australia-southeast1", "australia-southeast2", "europe-central2", "europe-north1",
    "europe-north2", "europe-southwest1", "europe-west1", "europe-west2", "europe-west3",
    "europe-west4", "europe-west6", "europe-west8", "europe-west9", "europe-west10",
    "europe-west12", "me-central1", "me-central2", "me-west1", "northamerica-northeast1",
    "northamerica-northeast2", "northamerica-south1", "southamerica-east1",
    "southamerica-west1", "us-central1", "us-east1", "us-east4", "us-east5", "us-south1",
    "us-west1", "us-west2", "us-west3", "us-west4",
})

_DAY_NAMES = {"mon": "MONDAY", "tue": "TUESDAY", "wed": "WEDNESDAY", "thu": "THURSDAY",
              "fri": "FRIDAY", "sat": "SATURDAY", "sun": "SUNDAY"}
# Memorystore for Redis and for Memcached instance ids: "Must be between 1-40 characters", a
# letter first, a letter or digit last (the REST references' instances.create `instanceId`; the
# provider's own pattern allows 41). Valkey ids may be 4-63 characters.
_REDIS_NAME = re.compile(r"^[a-z][a-z0-9-]{0,38}[a-z0-9]$")
_VALKEY_ID = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")
_NETWORK_NAME = r"[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?"
_NETWORK = re.compile(rf"^(?:projects/[a-z][-a-z0-9]{{4,28}}[a-z0-9]/global/networks/)?"
                      rf"{_NETWORK_NAME}$")
SUBNETWORK = re.compile(rf"^projects/[a-z][-a-z0-9]{{4,28}}[a-z0-9]/regions/([a-z]+-[a-z]+\d+)"
                         rf"/subnetworks/{_NETWORK_NAME}$")
_KMS_KEY = re.compile(r"^projects/[^/]+/locations/([^/]+)/keyRings/[^/]+/cryptoKeys/[^/]+$")
_LABEL_KEY = re.compile(r"^[a-z][a-z0-9_-]{0,62}$")
_LABEL_VALUE = re.compile(r"^[a-z0-9_-]{0,63}$")


# ---------------------------------------------------------------------------------------------
# Profile defaults for GCP, as data (infra/catalog/aws.py holds the AWS ones).
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class GcpDefaults:
    valkey_node_type: str
    valkey_replicas: int               # per shard
    redis_memory_gb: int
    redis_replicas: int                # 0: BASIC tier; 1: STANDARD_HA
    memcached_nodes: int
    memcached_vcpus: int
    memcached_memory_gb: float         # per node
    tls: bool                          # Valkey and Redis: in-transit encryption
    auth: bool                         # Redis: AUTH string; Valkey: IAM authorization
    persistence: str                   # disabled | rdb | aof (aof: Valkey only)
    rdb_snapshot_hours: int
    backup_retention_days: int         # Valkey automated backups; 0: none
    deletion_protection: bool
    maintenance_window: str            # Valkey/Redis: the window lasts one hour from its start
    memcached_maintenance_window: str  # Memcached: 3 to 8 hours
    snapshot_window: str               # Valkey automated backups start at its hour
    flow_logs: bool                    # subnet flow logs of a new network (billed per GB)
    connection_secret: bool            # a Secret Manager secret applications read


# Each setting once: (development, production).
GCP_DEFAULTS: dict[str, GcpDefaults] = by_profile(
    GcpDefaults,
    valkey_node_type=("shared-core-nano", "highmem-medium"),
    valkey_replicas=(0, 2),
    redis_memory_gb=(1, 5),
    redis_replicas=(0, 1),
    memcached_nodes=(1, 3),
    memcached_vcpus=(1, 2),
    memcached_memory_gb=(1, 4),
    tls=(True, True),
    auth=(True, True),
    persistence=("disabled", "rdb"),
    rdb_snapshot_hours=(24, 1),
    backup_retention_days=(0, 7),
    deletion_protection=(False, True),
    maintenance_window=("sun:05:00-sun:06:00", "sun:05:00-sun:06:00"),
    memcached_maintenance_window=("sun:05:00-sun:08:00", "sun:05:00-sun:08:00"),
    snapshot_window=("03:00-04:00", "03:00-04:00"),
    flow_logs=(False, True),
    connection_secret=(False, True),
)
