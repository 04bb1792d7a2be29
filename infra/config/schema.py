"""What users write in Pulumi.<stack>.yaml: pydantic input models, unknown keys rejected.

Unset means "take the profile default"; the resolvers in aws.py and gcp.py turn these into
the typed specs of spec.py.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, StrictBool, StrictFloat, StrictInt

from infra.config.alarms import AlarmsConfig
from infra.config.common import (
    StrictModel,
)

Cloud = Literal["aws", "gcp"]
Engine = Literal["valkey", "redis", "memcached"]


# ---------------------------------------------------------------------------------------------
# What users write under `gcp` (stack-wide), `network.gcp` and `caches.<name>.gcp`.
# ---------------------------------------------------------------------------------------------
class GcpStackOptions(StrictModel):
    # false: the organisation enables the project's APIs itself (docs/first-deploy.md lists them)
    enable_apis: StrictBool = True
    # false: the owner of each caches.<n>.gcp.kms_key grants the Memorystore service agents
    grant_kms_access: StrictBool = True


class GcpNetworkOptions(StrictModel):
    psa_range: str | None = None               # CIDR for private services access (Redis,
    psa_prefix_length: StrictInt | None = None  # Memcached), or only its size (default /20)
    create_psa_connection: StrictBool = True   # false: use the network's existing one as is
    # Existing network: the allocated ranges its servicenetworking connection already has
    # ([] for none); the stack adds its range and keeps these.
    psa_existing_ranges: list[str] | None = None
    create_service_connection_policy: StrictBool = True  # false: gcp-memorystore policy exists


class GcpCacheOptions(StrictModel):
    cluster_mode: StrictBool | None = None     # Valkey: CLUSTER or CLUSTER_DISABLED
    read_replicas: StrictBool | None = None    # Redis: READ_REPLICAS_ENABLED
    vcpus: StrictInt | None = None             # Memcached: vCPUs per node
    persistence: Literal["disabled", "rdb", "aof"] | None = None
    rdb_snapshot_hours: StrictInt | None = None
    tls: StrictBool | None = None
    auth: StrictBool | None = None
    kms_key: str | None = None                 # Cloud KMS key for encryption at rest
    zone: str | None = None                    # Valkey single-zone / Redis primary zone
    labels: dict[str, str] = {}
    # Valkey IAM clients: roles/memorystore.dbConnectionUser for each service account.
    client_service_accounts: list[str] | None = None
    import_id: str | None = None               # adopt the existing instance of this id


# ---------------------------------------------------------------------------------------------
# What the program builds from.


# ---------------------------------------------------------------------------------------------
# What users write (unknown keys rejected; unset means "take the profile default").
# ---------------------------------------------------------------------------------------------
class DnsConfig(StrictModel):
    zone: str | None = None         # the private zone's name, e.g. cache.internal
    zone_id: str | None = None      # an existing zone instead of a new one (see docs/dns.md)
    ttl: StrictInt | None = None


class NetworkConfig(StrictModel):
    vpc_cidr: str | None = None
    vpc_id: str | None = None
    subnet_ids: list[str] | None = None
    availability_zones: StrictInt | None = None
    allowed_cidrs: list[str] | None = None
    allowed_security_group_ids: list[str] = []
    gcp: GcpNetworkOptions | None = None
    dns: DnsConfig | None = None


class AlertsConfig(StrictModel):
    emails: list[str] = []


class GlobalConfig(StrictModel):
    secondary_region: str | None = None
    secondary_regions: list[str] | None = None
    secondary_replicas: StrictInt | None = None
    network: NetworkConfig | None = None


class AwsUserConfig(StrictModel):
    access: str                                # ElastiCache access string, e.g. "on ~a:* +@read"
    iam: StrictBool = False                    # IAM authentication instead of a password


class AwsCacheOptions(StrictModel):
    users: dict[str, AwsUserConfig] | None = None  # RBAC users instead of the AUTH token
    import_id: str | None = None               # adopt the existing cache of this id
    subnet_group_name: str | None = None       # an existing subnet group (adopted caches)
    port: StrictInt | None = None
    kms_key_arn: str | None = None
    create_kms_key: StrictBool | None = None
    log_retention_days: StrictInt | None = None
    apply_immediately: StrictBool | None = None
    auto_minor_version_upgrade: StrictBool = True
    cluster_mode: StrictBool | None = None
    # "preferred" while clients move to TLS (an adopted cache without TLS); "required" after.
    transit_encryption_mode: str | None = None


class ReplicaScalingConfig(StrictModel):
    """`autoscaling.replicas`: replicas per shard, tracking the replicas' engine CPU."""

    min: StrictInt
    max: StrictInt
    target_cpu_percent: StrictInt | StrictFloat = 60


class ShardScalingConfig(StrictModel):
    """`autoscaling.shards`: shards (node groups), tracking memory counted for eviction."""

    min: StrictInt
    max: StrictInt
    target_memory_percent: StrictInt | StrictFloat = 70


class ServerlessConfig(StrictModel):
    """`serverless`: an ElastiCache Serverless cache, capped by usage limits."""

    max_data_gb: StrictInt
    max_ecpu_per_second: StrictInt
    # The plan's cost estimate; unset: a documented fraction of each limit.
    expected_ecpu_per_second: StrictInt | None = None
    expected_data_gb: StrictInt | StrictFloat | None = None


class AutoscalingConfig(StrictModel):
    replicas: ReplicaScalingConfig | None = None
    shards: ShardScalingConfig | None = None


class CacheConfig(StrictModel):
    engine: Engine = "valkey"
    engine_version: str | None = None
    description: str | None = None
    node_type: str | None = None
    memory_gb: float | None = None
    shards: StrictInt | None = None
    replicas: StrictInt | None = None
    nodes: StrictInt | None = None
    parameters: dict[str, Any] = {}
    maintenance_window: str | None = None
    snapshot_window: str | None = None
    snapshot_retention_days: StrictInt | None = None
    final_snapshot: StrictBool | None = None
    deletion_protection: StrictBool | None = None
    global_: GlobalConfig | None = Field(default=None, alias="global")
    secret: StrictBool | None = None           # a connection secret for applications
    restore_from: str | None = None            # snapshot / backup the new cache starts from
    alarms: AlarmsConfig | None = None
    autoscaling: AutoscalingConfig | None = None
    serverless: ServerlessConfig | None = None
    aws: AwsCacheOptions = AwsCacheOptions()
    gcp: GcpCacheOptions = GcpCacheOptions()
