"""What the program builds from: resolved, immutable specs with every value concrete."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Generic, Literal, TypeVar

from components.alarm_policy import AlarmPolicy
from infra import naming
from infra.config.access import RestoreSpec, UserSpec
from infra.config.common import (
    WeeklyWindow,
)
from infra.config.schema import NetworkConfig

if TYPE_CHECKING:
    from infra.catalog import aws as catalog
# Each cloud's catalog loads where a method of its specs needs it: a stack loads its own alone.


# ---------------------------------------------------------------------------------------------
# What the program builds from (every value concrete).
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class NetworkSpec:
    vpc_cidr: str | None            # a new VPC when set
    vpc_id: str | None              # or an existing VPC ...
    subnet_ids: tuple[str, ...]     # ... and its subnets
    availability_zones: int
    allowed_cidrs: tuple[str, ...]
    allowed_security_group_ids: tuple[str, ...]


@dataclass(frozen=True)
class DnsSpec:
    """Private DNS names for the caches: one zone per region on AWS, one zone on GCP."""

    zone: str                       # e.g. "cache.internal" (no trailing dot)
    ttl: int                        # seconds, every record
    # Existing zones by region (AWS hosted zone id / GCP managed zone name); a region not
    # listed gets a zone the stack creates.
    zone_ids: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class GlobalSpec:
    secondary_regions: tuple[str, ...]
    secondary_replicas: int         # per shard, in every secondary region
    network: NetworkConfig | None = None  # as written; resolved per region in StackSpec


@dataclass(frozen=True)
class ScalingRange:
    """One scaled dimension: the scaler keeps the count within min..max, tracking a target."""

    min: int
    max: int
    target_percent: float
    metric: str                     # the predefined target-tracking metric


@dataclass(frozen=True)
class AutoscalingSpec:
    replicas: ScalingRange | None = None    # replicas per shard
    shards: ScalingRange | None = None      # node groups


@dataclass(frozen=True)
class CacheSpec:
    name: str
    engine: str
    engine_version: str
    family: str
    description: str
    node_type: catalog.NodeType
    shards: int
    replicas: int                   # per shard; 0 for Memcached
    cluster_mode: bool
    nodes: int                      # all nodes in the primary region
    parameters: dict[str, str]
    maintenance_window: str
    snapshot_window: str
    snapshot_retention_days: int    # 0 for Memcached (no snapshots)
    final_snapshot: bool
    deletion_protection: bool
    port: int
    create_kms_key: bool
    kms_key_arn: str | None
    log_retention_days: int
    apply_immediately: bool
    auto_minor_version_upgrade: bool
    cache_id: str                   # replication group id / Memcached cluster id
    alarms: AlarmPolicy
    global_: GlobalSpec | None = None
    warnings: tuple[str, ...] = ()
    users: tuple[UserSpec, ...] = ()    # RBAC users (instead of the AUTH token)
    secret: bool = False                # a connection secret per region
    import_id: str | None = None        # adopt the live cache of this id (== cache_id)
    restore: RestoreSpec | None = None  # snapshot the new cache is created from
    subnet_group_name: str | None = None  # an existing subnet group instead of the network's
    # "preferred": plaintext clients still connect (turning TLS on for an adopted cache)
    transit_encryption_mode: Literal["preferred", "required"] = "required"
    autoscaling: AutoscalingSpec | None = None

    @property
    def is_memcached(self) -> bool:
        return self.engine == "memcached"

    @property
    def secondary_regions(self) -> tuple[str, ...]:
        """Global Datastore secondary regions; () for a cache in one region."""
        return self.global_.secondary_regions if self.global_ is not None else ()

    @property
    def automatic_failover(self) -> bool:
        # Cluster mode requires automatic failover; otherwise it needs a replica
        # (docs/cloud-rules.md).
        return not self.is_memcached and (self.cluster_mode or self.replicas >= 1)

    @property
    def multi_az(self) -> bool:
        return not self.is_memcached and self.replicas >= 1

    @property
    def member_ids(self) -> list[str]:
        """Node ids in the primary region (CloudWatch's CacheClusterId dimension)."""
        if self.is_memcached:
            return [self.cache_id]
        return naming.member_cluster_ids(self.cache_id, self.shards, self.replicas,
                                         self.cluster_mode)

    @property
    def ports(self) -> tuple[int, ...]:
        """The ports clients connect to, as ServerlessCacheSpec.ports: here the one port."""
        return (self.port,)


@dataclass(frozen=True)
class ServerlessCacheSpec:
    """An ElastiCache Serverless cache: no nodes, usage limits instead of a size."""

    name: str
    engine: str
    engine_version: str             # as written, e.g. "8.1"
    description: str
    cache_id: str                   # the serverless cache's name
    max_data_gb: int
    max_ecpu_per_second: int
    expected_data_gb: float         # the plan's estimate
    expected_ecpu_per_second: int
    snapshot_retention_days: int    # Memcached too: serverless Memcached keeps snapshots
    daily_snapshot_time: str | None  # "HH:MM" UTC
    deletion_protection: bool
    create_kms_key: bool
    kms_key_arn: str | None
    alarms: AlarmPolicy
    ports: tuple[int, ...]          # endpoint (and reader endpoint) ports
    user_group: bool                # Valkey/Redis: RBAC user group (no AUTH token serverless)
    users: tuple[UserSpec, ...] = ()    # aws.users: the group's users instead of `app`
    restore: RestoreSpec | None = None  # serverless snapshots the new cache starts from
    secret: bool = False                # a connection secret (per user with aws.users)
    secondary_regions: tuple[str, ...] = ()   # one region: no cross-region serverless
    warnings: tuple[str, ...] = ()

    @property
    def is_memcached(self) -> bool:
        return self.engine == "memcached"

    @property
    def cluster_mode(self) -> bool:
        """Serverless Valkey/Redis speak only the cluster protocol: clients must be cluster
        clients, and SELECT is refused ("ElastiCache serverless is only available in a
        cluster-mode enabled configuration": docs/cloud-rules.md, serverless)."""
        return not self.is_memcached

    @property
    def major_engine_version(self) -> str:
        """What the service takes: "8", "7", "1.6" (catalog.SERVERLESS_MAJOR_VERSION)."""
        from infra.catalog import aws as catalog
        return catalog.SERVERLESS_MAJOR_VERSION[self.engine][self.engine_version]


@dataclass(frozen=True)
class GcpNetworkSpec:
    vpc_cidr: str | None                # a new VPC network: one subnet per region carved from it
    network: str | None                 # or an existing network (name or full path) ...
    subnetworks: tuple[str, ...]        # ... and its subnets (full paths) for Valkey endpoints
    psa_range: str | None               # private services access range; None: Google picks
    psa_prefix_length: int
    create_psa_connection: bool
    create_service_connection_policy: bool
    psa_existing_ranges: tuple[str, ...] | None = None  # existing network: ranges to keep

    @property
    def network_project(self) -> str | None:
        """The project of an existing network given as a path (a Shared VPC host or the stack's
        own project); None for a new network or one named without a project."""
        if self.network is not None and self.network.startswith("projects/"):
            return self.network.split("/")[1]
        return None

    def subnet_regions(self) -> dict[str, list[str]]:
        from infra.catalog.gcp import SUBNETWORK
        out: dict[str, list[str]] = {}
        for subnet in self.subnetworks:
            match = SUBNETWORK.match(subnet)
            if match:
                out.setdefault(match.group(1), []).append(subnet)
        return out


@dataclass(frozen=True)
class GcpCacheSpec:
    name: str
    engine: str                         # valkey | redis | memcached
    engine_version: str                 # as written, e.g. "8.0"
    api_version: str                    # VALKEY_8_0 / REDIS_7_2 / MEMCACHE_1_6_15
    instance_id: str
    description: str
    replicas: int                       # per shard; 0 for Memcached
    alarms: AlarmPolicy
    deletion_protection: bool
    maintenance: WeeklyWindow
    labels: dict[str, str]
    parameters: dict[str, str]
    port: int
    tls: bool
    auth: bool                          # Redis AUTH string / Valkey IAM authorization
    # Valkey
    shards: int = 1
    cluster_mode: bool = False
    node_type: str | None = None        # Memorystore enum, e.g. HIGHMEM_MEDIUM
    backup_retention_days: int = 0
    backup_start_hour: int = 3
    zone: str | None = None
    secondary_regions: tuple[str, ...] = ()
    secondary_replicas: int = 0
    # Valkey and Redis
    persistence: str = "DISABLED"       # DISABLED | RDB | AOF
    rdb_snapshot_period: str = "TWENTY_FOUR_HOURS"
    kms_key: str | None = None
    # Redis
    memory_gb: int = 0
    read_replicas: bool = False
    # Memcached
    nodes: int = 0
    vcpus: int = 0
    memory_mb: int = 0                  # per node
    warnings: tuple[str, ...] = ()
    # Access and adoption
    client_service_accounts: tuple[str, ...] = ()  # Valkey IAM clients
    secret: bool = False                # a Secret Manager connection secret
    import_id: str | None = None        # adopt the live instance of this id (== instance_id)
    restore: RestoreSpec | None = None  # Valkey: RDB files or a backup to start from

    @property
    def product(self) -> str:
        from infra.catalog.gcp import PRODUCT
        return PRODUCT[self.engine]

    @property
    def tier(self) -> str:
        """Memorystore for Redis tier: BASIC without replicas, STANDARD_HA with."""
        return "STANDARD_HA" if self.replicas >= 1 else "BASIC"

    @property
    def high_availability(self) -> bool:
        return self.engine != "memcached" and self.replicas >= 1

    @property
    def ports(self) -> tuple[int, ...]:
        """The ports clients connect to, as on AWS: here the one port."""
        return (self.port,)

    def secondary_instance_id(self, region: str) -> str:
        return secondary_instance_id(self.instance_id, region)


def secondary_instance_id(instance_id: str, region: str) -> str:
    return naming.secondary_group_id(instance_id, region)


# ---------------------------------------------------------------------------------------------
# The whole stack: one cloud's caches and network.
# ---------------------------------------------------------------------------------------------
CacheT = TypeVar("CacheT", CacheSpec, GcpCacheSpec)
NetworkT = TypeVar("NetworkT", NetworkSpec, GcpNetworkSpec)


@dataclass(frozen=True, kw_only=True)
class StackSpec(Generic[CacheT, NetworkT]):
    """What both clouds' stacks share; AwsStackSpec and GcpStackSpec fix the cache types."""

    stack: str
    cloud: str
    profile: str
    name_prefix: str
    region: str
    network: NetworkT
    alert_emails: tuple[str, ...]
    caches: tuple[CacheT, ...]
    warnings: tuple[str, ...] = ()
    dns: DnsSpec | None = None      # network.dns; None: no private DNS names

    def caches_in(self, region: str) -> list[CacheT]:
        """The caches with nodes in `region`: every cache in the primary region, and in a
        secondary region those that replicate to it."""
        return [c for c in self.caches
                if region == self.region or region in c.secondary_regions]

    @property
    def regions(self) -> list[str]:
        """The primary region first, then every secondary region a cache replicates to."""
        regions = [self.region]
        for cache in self.caches:
            for region in cache.secondary_regions:
                if region not in regions:
                    regions.append(region)
        return regions


@dataclass(frozen=True, kw_only=True)
class AwsStackSpec(StackSpec[CacheSpec, NetworkSpec]):
    # Networks of the Global Datastore secondary regions, by region.
    secondary_networks: dict[str, NetworkSpec] = field(default_factory=dict)
    # Serverless caches, apart from `caches` (node-based): in the primary region only.
    serverless_caches: tuple[ServerlessCacheSpec, ...] = ()
    cache_order: tuple[str, ...] = ()   # cache names as the config lists them

    @property
    def all_caches(self) -> list[CacheSpec | ServerlessCacheSpec]:
        """Every cache, node-based and serverless, in config order."""
        caches: list[CacheSpec | ServerlessCacheSpec] = [*self.caches, *self.serverless_caches]
        order = {name: i for i, name in enumerate(self.cache_order)}
        return sorted(caches, key=lambda c: order.get(c.name, len(order)))

    def all_caches_in(self, region: str) -> list[CacheSpec | ServerlessCacheSpec]:
        """The caches clients reach in `region`: the node-based ones with nodes there
        (caches_in), then, in the primary region, the serverless ones."""
        caches: list[CacheSpec | ServerlessCacheSpec] = [*self.caches_in(region)]
        if region == self.region:
            caches += self.serverless_caches
        return caches

    @property
    def networks(self) -> dict[str, NetworkSpec]:
        """The network of every region, the primary region's first."""
        return {self.region: self.network, **self.secondary_networks}


@dataclass(frozen=True, kw_only=True)
class GcpStackSpec(StackSpec[GcpCacheSpec, GcpNetworkSpec]):
    gcp_project: str
    enable_apis: bool = True        # the stack enables the project APIs it uses (`gcp:` block)
    grant_kms_access: bool = True   # the stack grants the service agents their cache's key

    @property
    def all_caches(self) -> list[GcpCacheSpec]:
        """Every cache, in config order (as AwsStackSpec.all_caches)."""
        return list(self.caches)


AnyStackSpec = AwsStackSpec | GcpStackSpec
AnyCacheSpec = CacheSpec | ServerlessCacheSpec | GcpCacheSpec
