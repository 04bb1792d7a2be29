"""The stack config: pydantic models, profile defaults, and every validation rule.

`load_stack_config(flat_config, stack)` turns the CLI's flat `"<namespace>:<key>"` config into a
fully resolved, immutable `StackSpec`, or raises one `ConfigError` that lists every problem at
once. Nothing in here creates resources, so an invalid config creates nothing.
AWS rules live here; GCP Memorystore rules in `infra/gcp_config.py`.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, get_args, get_origin

from pulumi.errors import RunError
from pydantic import BaseModel, Field, StrictBool, StrictInt, ValidationError

from infra import catalog, gcp_config, naming
from infra.alarm_policy import AlarmPolicy, AlarmsConfig, resolve_alarms
from infra.profiles import PROFILES, ProfileDefaults
from infra.validation import (
    Problem,
    StrictModel,
    check_allowed_cidrs,
    check_daily_window,
    check_weekly_window,
    did_you_mean,
    is_private,
    parse_cidr,
)

NAMESPACE = "managed-cache"

Cloud = Literal["aws", "gcp"]
Engine = Literal["valkey", "redis", "memcached"]

# ElastiCache limits (Terraform aws_elasticache_replication_group / cluster docs, AWS quotas).
MAX_SHARDS = 500
MAX_REPLICAS = 5
MAX_MEMCACHED_NODES = 40
MAX_GLOBAL_SECONDARIES = 2
MAX_SNAPSHOT_RETENTION_DAYS = 35
# CloudWatch Logs accepts only these retention values (PutRetentionPolicy).
LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096,
                      1827, 2192, 2557, 2922, 3288, 3653)
DEFAULT_VPC_CIDR = "10.40.0.0/16"
# Private DNS (network.dns). 30 seconds: the writer record is rewritten by `python -m ops
# failover`, and clients keep writing to the demoted (read-only) primary for up to one TTL after
# that; 30 s is small next to the minutes a Global Datastore failover takes, yet long enough
# that resolvers do not look the name up on every connection. Regional names change only when a
# cache is replaced, so one short TTL for every record keeps the rule simple.
DNS_DEFAULT_TTL = 30
DNS_TTL_RANGE = (5, 300)


class ConfigError(RunError):
    """Every problem in a stack config. A RunError, so the CLI prints it without a traceback."""

    def __init__(self, stack: str, problems: list[Problem]):
        self.problems = problems
        noun = "problem" if len(problems) == 1 else "problems"
        lines = [f"The config of stack '{stack}' has {len(problems)} {noun}; nothing was created:"]
        lines += [f"  - {p}" for p in problems]
        super().__init__("\n".join(lines))


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
    gcp: gcp_config.GcpNetworkOptions | None = None
    dns: DnsConfig | None = None


class AlertsConfig(StrictModel):
    emails: list[str] = []


class GlobalConfig(StrictModel):
    secondary_region: str | None = None
    secondary_regions: list[str] | None = None
    secondary_replicas: StrictInt | None = None
    network: NetworkConfig | None = None


class AwsCacheOptions(StrictModel):
    port: StrictInt | None = None
    kms_key_arn: str | None = None
    create_kms_key: StrictBool | None = None
    log_retention_days: StrictInt | None = None
    apply_immediately: StrictBool | None = None
    auto_minor_version_upgrade: StrictBool = True
    cluster_mode: StrictBool | None = None


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
    alarms: AlarmsConfig | None = None
    aws: AwsCacheOptions = AwsCacheOptions()
    gcp: gcp_config.GcpCacheOptions = gcp_config.GcpCacheOptions()


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

    @property
    def is_memcached(self) -> bool:
        return self.engine == "memcached"

    @property
    def automatic_failover(self) -> bool:
        # Cluster mode requires automatic failover; otherwise it needs a replica (CLOUD_RULES.md).
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


@dataclass(frozen=True)
class StackSpec:
    stack: str
    cloud: str
    profile: str
    name_prefix: str
    region: str
    network: NetworkSpec | gcp_config.GcpNetworkSpec
    alert_emails: tuple[str, ...]
    caches: tuple[Any, ...]         # CacheSpec on AWS, gcp_config.GcpCacheSpec on GCP
    # Networks of the Global Datastore secondary regions, by region (AWS).
    secondary_networks: dict[str, NetworkSpec] = field(default_factory=dict)
    gcp_project: str = ""
    warnings: tuple[str, ...] = ()
    dns: DnsSpec | None = None      # network.dns; None: no private DNS names

    @property
    def regions(self) -> list[str]:
        """The primary region first, then every secondary region a cache replicates to."""
        regions = [self.region, *self.secondary_networks]
        for cache in self.caches:
            for region in getattr(cache, "secondary_regions", ()):
                if region not in regions:
                    regions.append(region)
        return regions


# ---------------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------------
_SCALAR_KEYS = ("cloud", "profile", "name_prefix")
_TOP_LEVEL_KEYS = (*_SCALAR_KEYS, "network", "alerts", "caches")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.IGNORECASE)


def load_stack_config(flat: Mapping[str, Any], stack: str) -> StackSpec:
    """Validate the flat CLI config of one stack; raise ConfigError listing every problem."""
    problems: list[Problem] = []
    own = _own_keys(flat, problems)

    cloud = own.get("cloud")
    if cloud is None:
        problems.append(Problem("cloud", "is required; set it to 'aws' or 'gcp'."))
    elif cloud not in get_args(Cloud):
        problems.append(Problem("cloud", f"{cloud!r} is not allowed; use 'aws' or 'gcp'."
                                + did_you_mean(str(cloud), get_args(Cloud))))
        cloud = None

    profile = own.get("profile", "development")
    if profile not in PROFILES:
        problems.append(Problem("profile", f"{profile!r} is not allowed; use 'development' or "
                                "'production'." + did_you_mean(str(profile), PROFILES)))
        profile = "development"
    defaults = PROFILES[profile]

    prefix = own.get("name_prefix", stack)
    if not isinstance(prefix, str) or not naming.is_valid_name_part(prefix):
        problems.append(Problem("name_prefix", f"{prefix!r} is not a valid name prefix; use "
                                "lowercase letters, digits and single hyphens, starting with a "
                                "letter (it defaults to the stack name)."))
        prefix = "x"

    region, gcp_project = _region(cloud, flat, problems)
    network_cfg = _parse_model(own, "network", NetworkConfig, problems)
    alerts_cfg = _parse_model(own, "alerts", AlertsConfig, problems)
    emails = tuple(alerts_cfg.emails) if alerts_cfg else ()
    for i, email in enumerate(emails):
        if not _EMAIL.match(email):
            problems.append(Problem(f"alerts.emails.{i}", f"{email!r} is not an e-mail address."))

    network: Any = None
    if network_cfg is not None and cloud == "gcp":
        network = gcp_config.resolve_network(network_cfg, profile, problems)
    elif network_cfg is not None:
        network = _resolve_network(network_cfg, defaults, profile, "network", problems)

    caches = _parse_caches(own.get("caches"), cloud, defaults, profile, prefix, region, problems)
    secondary_networks = _secondary_networks(caches, network, defaults, profile, problems) \
        if cloud == "aws" and network is not None else {}
    if cloud == "gcp" and network is not None:
        # GCP rules that need the region, the network and every cache together.
        gcp_config.check_stack(region, network, caches, problems)
    dns = _resolve_dns(network_cfg, cloud, region, caches, problems) \
        if network_cfg is not None and cloud is not None else None
    if cloud == "gcp" and network is not None and dns is not None:
        gcp_config.check_dns(dns, network, prefix, problems)

    if problems:
        raise ConfigError(stack, problems)
    assert network is not None and cloud is not None
    return StackSpec(stack=stack, cloud=cloud, profile=profile, name_prefix=prefix,
                     region=region, network=network, alert_emails=emails, caches=tuple(caches),
                     secondary_networks=secondary_networks, gcp_project=gcp_project,
                     warnings=tuple(_warnings(profile, emails, caches)), dns=dns)


def _region(cloud: str | None, flat: Mapping[str, Any],
            problems: list[Problem]) -> tuple[str, str]:
    if cloud == "gcp":
        region = str(flat.get("gcp:region", "") or "")
        project = str(flat.get("gcp:project", "") or "")
        for key, value in (("gcp:region", region), ("gcp:project", project)):
            if not value:
                problems.append(Problem(key, f"is required for cloud 'gcp'; set it with "
                                             f"`pulumi config set {key} <value>`."))
        return region, project
    region = str(flat.get("aws:region", "") or "")
    if cloud == "aws":
        if not region:
            problems.append(Problem("aws:region", "is required for cloud 'aws'; set it with "
                                                  "`pulumi config set aws:region us-east-1`."))
        elif region not in catalog.AWS_REGIONS:
            problems.append(Problem("aws:region", f"{region!r} is not an AWS region ElastiCache "
                                    "is offered in." + did_you_mean(region, catalog.AWS_REGIONS)))
    return region, ""


def _warnings(profile: str, emails: tuple[str, ...], caches: list[Any]) -> list[str]:
    warnings = []
    if profile == "production" and not emails:
        warnings.append("alerts.emails is empty: production alarms will notify nobody.")
    for cache in caches:
        if profile == "production" and cache.engine != "memcached" and cache.replicas == 0:
            warnings.append(f"caches.{cache.name}.replicas is 0: a production cache without a "
                            "replica has no automatic failover and no Multi-AZ.")
        warnings.extend(getattr(cache, "warnings", ()))
    return warnings


def _own_keys(flat: Mapping[str, Any], problems: list[Problem]) -> dict[str, Any]:
    """Our namespace's keys, objects decoded from the JSON strings the CLI passes."""
    own: dict[str, Any] = {}
    for full_key, value in flat.items():
        namespace, _, key = full_key.partition(":")
        if namespace != NAMESPACE:
            continue
        if key not in _TOP_LEVEL_KEYS:
            problems.append(Problem(key, "is not a known key." + did_you_mean(key, _TOP_LEVEL_KEYS)
                                    + f" Known keys: {', '.join(_TOP_LEVEL_KEYS)}."))
            continue
        if key not in _SCALAR_KEYS and isinstance(value, str):
            try:
                value = json.loads(value)
            except json.JSONDecodeError:
                problems.append(Problem(key, f"{value!r} is not an object; write it as a YAML "
                                             "mapping under the key."))
                continue
        own[key] = value
    return own


def _parse_model(own: dict[str, Any], key: str, model: type[StrictModel],
                 problems: list[Problem]) -> Any:
    raw = own.get(key) or {}
    try:
        return model.model_validate(raw)
    except ValidationError as err:
        problems.extend(translate_errors(err, key, model))
        return None


def _parse_caches(raw: Any, cloud: str | None, defaults: ProfileDefaults, profile: str,
                  prefix: str, region: str, problems: list[Problem]) -> list[Any]:
    if not isinstance(raw, dict) or not raw:
        problems.append(Problem("caches", "must name at least one cache, e.g. "
                                          "`sessions: {engine: valkey}`."))
        return []
    specs = []
    for name, cache_raw in raw.items():
        path = f"caches.{name}"
        before = len(problems)
        _check_cache_name(name, prefix, path, problems, id_limit=cloud != "gcp")
        try:
            cfg = CacheConfig.model_validate(cache_raw if cache_raw is not None else {})
        except ValidationError as err:
            problems.extend(translate_errors(err, path, CacheConfig))
            continue
        if cloud is None:
            continue
        other = "gcp" if cloud == "aws" else "aws"
        if other in cfg.model_fields_set:
            problems.append(Problem(f"{path}.{other}", f"options for {other} do not apply to a "
                                                       f"stack on {cloud}; remove the block."))
        spec: Any
        if cloud == "gcp":
            spec = gcp_config.resolve_cache(name, cfg, defaults, profile, prefix, region, path,
                                            problems)
        else:
            spec = _resolve_aws_cache(name, cfg, defaults, profile, prefix, region, path,
                                      problems)
        if spec is not None and len(problems) == before:
            specs.append(spec)
    return specs


# ---------------------------------------------------------------------------------------------
# AWS rules. Each appends Problems with the key path, the bad value and what is allowed.
# ---------------------------------------------------------------------------------------------
_VPC_ID = re.compile(r"^vpc-[0-9a-f]{8,17}$")
_SUBNET_ID = re.compile(r"^subnet-[0-9a-f]{8,17}$")
_SG_ID = re.compile(r"^sg-[0-9a-f]{8,17}$")
_KMS_ARN = re.compile(r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)/[A-Za-z0-9/_-]+$")
_PATCH_VERSION = re.compile(r"^\d+\.\d+\.\d+$")


def _check_cache_name(name: str, prefix: str, path: str, problems: list[Problem],
                      id_limit: bool = True) -> None:
    """Name syntax for both clouds; the 40-character id limit is ElastiCache's (GCP's own
    instance-id limits are checked in gcp_config)."""
    if not naming.is_valid_name_part(name):
        problems.append(Problem(path, f"the cache name {name!r} is not allowed; use lowercase "
                                      "letters, digits and single hyphens, starting with a "
                                      "letter and not ending with a hyphen."))
        return
    group_id = naming.replication_group_id(prefix, name)
    if id_limit and len(group_id) > naming.REPLICATION_GROUP_ID_MAX:
        problems.append(Problem(path, f"the cache id {group_id!r} is {len(group_id)} characters; "
                                      f"ElastiCache allows {naming.REPLICATION_GROUP_ID_MAX}. "
                                      "Shorten the cache name or set name_prefix."))


def _resolve_network(cfg: NetworkConfig, defaults: ProfileDefaults, profile: str,
                     path: str, problems: list[Problem],
                     default_cidr: str | None = DEFAULT_VPC_CIDR) -> NetworkSpec | None:
    before = len(problems)
    if cfg.gcp is not None:
        problems.append(Problem(f"{path}.gcp", "options for gcp do not apply to a stack on aws; "
                                               "remove the block."))
    existing = cfg.vpc_id is not None or cfg.subnet_ids is not None
    if cfg.vpc_cidr is not None and existing:
        problems.append(Problem(path, "set vpc_cidr (a new VPC) or vpc_id with subnet_ids (an "
                                      "existing VPC), not both."))
    if existing and (cfg.vpc_id is None or not cfg.subnet_ids):
        problems.append(Problem(path, "an existing VPC needs both vpc_id and subnet_ids (at "
                                      "least one subnet)."))
    if cfg.vpc_id is not None and not _VPC_ID.match(cfg.vpc_id):
        problems.append(Problem(f"{path}.vpc_id", f"{cfg.vpc_id!r} is not a VPC id "
                                                  "(vpc-0123456789abcdef0)."))
    for i, subnet in enumerate(cfg.subnet_ids or []):
        if not _SUBNET_ID.match(subnet):
            problems.append(Problem(f"{path}.subnet_ids.{i}", f"{subnet!r} is not a subnet id "
                                                               "(subnet-0123456789abcdef0)."))
    for i, sg in enumerate(cfg.allowed_security_group_ids):
        if not _SG_ID.match(sg):
            problems.append(Problem(f"{path}.allowed_security_group_ids.{i}",
                                    f"{sg!r} is not a security group id (sg-0123456789abcdef0)."))

    vpc_cidr = None if existing else (cfg.vpc_cidr or default_cidr)
    if not existing and vpc_cidr is None:
        problems.append(Problem(path, "set vpc_cidr (a new VPC) or vpc_id with subnet_ids."))
    if vpc_cidr is not None:
        net = parse_cidr(vpc_cidr, f"{path}.vpc_cidr", problems)
        # Subnets are carved 4 bits smaller than the VPC and AWS's smallest subnet is a /28.
        if net is not None and not (16 <= net.prefixlen <= 24):
            problems.append(Problem(f"{path}.vpc_cidr", f"{vpc_cidr!r} is a /{net.prefixlen}; "
                                    "use a prefix from /16 to /24 (AWS VPCs are /16 to /28 and "
                                    "each subnet takes 1/16 of the VPC)."))
        elif net is not None and not is_private(net):
            problems.append(Problem(f"{path}.vpc_cidr", f"{vpc_cidr!r} is not a private range; "
                                    "use part of 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16."))

    zones = cfg.availability_zones if cfg.availability_zones is not None \
        else defaults.availability_zones
    min_zones = 2 if profile == "production" else 1
    if not min_zones <= zones <= 6:
        problems.append(Problem(f"{path}.availability_zones",
                                f"{zones} is not allowed; use {min_zones} to 6"
                                + (" (production spreads replicas across at least 2 zones for "
                                   "Multi-AZ)." if profile == "production" else ".")))

    allowed = cfg.allowed_cidrs
    if allowed is None:
        allowed = [vpc_cidr] if vpc_cidr is not None else []
    check_allowed_cidrs(allowed, f"{path}.allowed_cidrs", problems)
    if existing and not allowed and not cfg.allowed_security_group_ids:
        problems.append(Problem(path, "with an existing VPC, set allowed_cidrs or "
                                      "allowed_security_group_ids: otherwise no client could "
                                      "connect."))
    if len(problems) > before:
        return None
    return NetworkSpec(vpc_cidr=vpc_cidr, vpc_id=cfg.vpc_id, subnet_ids=tuple(cfg.subnet_ids or ()),
                       availability_zones=zones, allowed_cidrs=tuple(allowed),
                       allowed_security_group_ids=tuple(cfg.allowed_security_group_ids))


def _resolve_aws_cache(name: str, cfg: CacheConfig, defaults: ProfileDefaults, profile: str,
                       prefix: str, region: str, path: str,
                       problems: list[Problem]) -> CacheSpec | None:
    before = len(problems)
    engine = cfg.engine
    memcached = engine == "memcached"
    version = _check_engine_version(engine, cfg.engine_version, path, problems)
    node = _check_node_type(cfg, defaults, profile, path, problems)
    if cfg.description is not None and not cfg.description.strip():
        problems.append(Problem(f"{path}.description", "must not be empty (ElastiCache requires "
                                                       "a description)."))

    if memcached:
        _refuse_for_memcached(cfg, path, problems)
        shards, replicas, cluster_mode = 1, 0, False
        nodes = cfg.nodes if cfg.nodes is not None else defaults.memcached_nodes
        if not 1 <= nodes <= MAX_MEMCACHED_NODES:
            problems.append(Problem(f"{path}.nodes", f"{nodes} is not allowed; a Memcached "
                                    f"cluster has 1 to {MAX_MEMCACHED_NODES} nodes."))
    else:
        shards = cfg.shards if cfg.shards is not None else 1
        replicas = cfg.replicas if cfg.replicas is not None else defaults.replicas
        nodes = shards * (1 + replicas)
        if not 1 <= shards <= MAX_SHARDS:
            problems.append(Problem(f"{path}.shards", f"{shards} is not allowed; a replication "
                                                      f"group has 1 to {MAX_SHARDS} shards."))
        if not 0 <= replicas <= MAX_REPLICAS:
            problems.append(Problem(f"{path}.replicas", f"{replicas} is not allowed; ElastiCache "
                                    f"allows 0 to {MAX_REPLICAS} replicas per shard (1 to 6 "
                                    "nodes)."))
        cluster_mode = cfg.aws.cluster_mode if cfg.aws.cluster_mode is not None else shards > 1
        if shards > 1 and not cluster_mode:
            problems.append(Problem(f"{path}.aws.cluster_mode", f"false does not fit shards: "
                                    f"{shards}; more than one shard needs cluster mode."))
        if cfg.nodes is not None:
            problems.append(Problem(f"{path}.nodes", f"{engine} is sized with shards and "
                                                     "replicas; nodes is for memcached only."))

    parameters = _check_parameters(cfg.parameters, engine, cluster_mode, f"{path}.parameters",
                                   problems)
    maintenance = cfg.maintenance_window or defaults.maintenance_window
    snapshot = cfg.snapshot_window or defaults.snapshot_window
    check_weekly_window(maintenance, f"{path}.maintenance_window", problems)
    if not memcached:
        check_daily_window(snapshot, f"{path}.snapshot_window", problems)
    retention = 0 if memcached else (cfg.snapshot_retention_days
                                     if cfg.snapshot_retention_days is not None
                                     else defaults.snapshot_retention_days)
    if not 0 <= retention <= MAX_SNAPSHOT_RETENTION_DAYS:
        problems.append(Problem(f"{path}.snapshot_retention_days", f"{retention} is not allowed; "
                                f"ElastiCache keeps 0 to {MAX_SNAPSHOT_RETENTION_DAYS} days."))

    aws = cfg.aws
    port = aws.port if aws.port is not None else catalog.ENGINE_PORT[engine]
    if not 1024 <= port <= 65535:
        problems.append(Problem(f"{path}.aws.port", f"{port} is not allowed; use 1024 to 65535."))
    _check_kms(aws, region, path, problems)
    log_retention = aws.log_retention_days if aws.log_retention_days is not None \
        else defaults.log_retention_days
    if log_retention not in LOG_RETENTION_DAYS:
        problems.append(Problem(f"{path}.aws.log_retention_days", f"{log_retention} is not a "
                                "CloudWatch Logs retention; use one of "
                                f"{', '.join(map(str, LOG_RETENTION_DAYS))}."))
    if node is not None and version is not None and node.data_tiering \
            and catalog.version_tuple(version) < (6, 2):
        problems.append(Problem(f"{path}.node_type", f"{node.name!r} uses data tiering, which "
                                "needs Valkey or Redis 6.2 or later."))
    alarms = resolve_alarms(cfg.alarms, profile, f"{path}.alarms", problems, engine=engine)
    global_spec = None
    if cfg.global_ is not None and not memcached and node is not None:
        global_spec = _check_global(cfg.global_, naming.replication_group_id(prefix, name), node,
                                    replicas, cluster_mode or replicas >= 1,
                                    region, f"{path}.global", problems)

    if len(problems) > before or version is None or node is None:
        return None
    create_kms_key = False if memcached else (
        aws.create_kms_key if aws.create_kms_key is not None
        else defaults.create_kms_key and aws.kms_key_arn is None)
    return CacheSpec(
        name=name,
        engine=engine,
        engine_version=version,
        family=catalog.parameter_group_family(engine, version),
        description=cfg.description or f"managed-cache {prefix}/{name} ({engine} {version})",
        node_type=node,
        shards=shards,
        replicas=replicas,
        cluster_mode=cluster_mode,
        nodes=nodes,
        parameters=parameters,
        maintenance_window=maintenance,
        snapshot_window=snapshot,
        snapshot_retention_days=retention,
        final_snapshot=False if memcached else (
            cfg.final_snapshot if cfg.final_snapshot is not None else defaults.final_snapshot),
        deletion_protection=cfg.deletion_protection if cfg.deletion_protection is not None
        else defaults.deletion_protection,
        port=port,
        create_kms_key=create_kms_key,
        kms_key_arn=aws.kms_key_arn,
        log_retention_days=log_retention,
        apply_immediately=aws.apply_immediately if aws.apply_immediately is not None
        else defaults.apply_immediately,
        auto_minor_version_upgrade=aws.auto_minor_version_upgrade,
        cache_id=naming.replication_group_id(prefix, name),
        alarms=alarms,
        global_=global_spec,
    )


def _refuse_for_memcached(cfg: CacheConfig, path: str, problems: list[Problem]) -> None:
    """Options Memcached does not have are refused, not silently ignored."""
    lacking = {
        "replicas": "replication", "shards": "shards (it spreads keys over nodes instead)",
        "global": "Global Datastore", "snapshot_window": "snapshots",
        "snapshot_retention_days": "snapshots", "final_snapshot": "snapshots",
    }
    for key, feature in lacking.items():
        if key in cfg.model_fields_set or (key == "global" and cfg.global_ is not None):
            problems.append(Problem(f"{path}.{key}", f"Memcached has no {feature}; remove the key "
                                    "or use engine 'valkey'."))
    for key, feature in {"kms_key_arn": "at-rest encryption with a KMS key",
                         "create_kms_key": "at-rest encryption with a KMS key",
                         "cluster_mode": "cluster mode"}.items():
        if key in cfg.aws.model_fields_set:
            problems.append(Problem(f"{path}.aws.{key}", f"Memcached has no {feature}; remove the "
                                                         "key or use engine 'valkey'."))


def _check_kms(aws: AwsCacheOptions, region: str, path: str, problems: list[Problem]) -> None:
    if aws.kms_key_arn is None:
        return
    if not _KMS_ARN.match(aws.kms_key_arn):
        problems.append(Problem(f"{path}.aws.kms_key_arn", f"{aws.kms_key_arn!r} is not a KMS "
                                "key ARN (arn:aws:kms:<region>:<account>:key/<id>)."))
    elif region and f":kms:{region}:" not in aws.kms_key_arn:
        problems.append(Problem(f"{path}.aws.kms_key_arn", f"the key is not in {region}; "
                                "ElastiCache needs a KMS key in the cache's own region."))
    if aws.create_kms_key:
        problems.append(Problem(f"{path}.aws", "set kms_key_arn (your key) or "
                                               "create_kms_key: true (a new key), not both."))


def _check_global(cfg: GlobalConfig, group_id: str, node: catalog.NodeType, replicas: int,
                  primary_failover: bool, region: str, path: str,
                  problems: list[Problem]) -> GlobalSpec | None:
    before = len(problems)
    if cfg.secondary_region is not None and cfg.secondary_regions is not None:
        problems.append(Problem(path, "set secondary_region or secondary_regions, not both."))
    regions = cfg.secondary_regions if cfg.secondary_regions is not None else (
        [cfg.secondary_region] if cfg.secondary_region is not None else [])
    if not 1 <= len(regions) <= MAX_GLOBAL_SECONDARIES:
        problems.append(Problem(path, f"{len(regions)} secondary regions is not allowed; a "
                                      f"Global Datastore has 1 to {MAX_GLOBAL_SECONDARIES}."))
    for i, secondary in enumerate(regions):
        key = f"{path}.secondary_regions.{i}" if cfg.secondary_regions is not None \
            else f"{path}.secondary_region"
        if secondary not in catalog.AWS_REGIONS:
            problems.append(Problem(key, f"{secondary!r} is not an AWS region."
                                    + did_you_mean(secondary, catalog.AWS_REGIONS)))
        elif secondary == region:
            problems.append(Problem(key, f"{secondary!r} is the primary region; a secondary must "
                                         "be another region."))
    for secondary in regions:
        member_id = naming.secondary_group_id(group_id, secondary)
        if secondary in catalog.AWS_REGIONS and len(member_id) > naming.REPLICATION_GROUP_ID_MAX:
            problems.append(Problem(path, f"the secondary id {member_id!r} is {len(member_id)} "
                                    f"characters; ElastiCache allows "
                                    f"{naming.REPLICATION_GROUP_ID_MAX}. Shorten the cache name."))
    if len(set(regions)) != len(regions):
        problems.append(Problem(path, "a secondary region is listed twice."))
    if node.family not in catalog.GLOBAL_DATASTORE_FAMILIES or node.burstable:
        allowed = ", ".join(sorted(catalog.GLOBAL_DATASTORE_FAMILIES))
        problems.append(Problem(f"{path}", f"node type {node.name!r} cannot join a Global "
                                f"Datastore; use size large or bigger of {allowed}."))
    secondary_replicas = cfg.secondary_replicas if cfg.secondary_replicas is not None \
        else replicas
    if not 0 <= secondary_replicas <= MAX_REPLICAS:
        problems.append(Problem(f"{path}.secondary_replicas", f"{secondary_replicas} is not "
                                f"allowed; use 0 to {MAX_REPLICAS} replicas per shard."))
    elif primary_failover and secondary_replicas < 1:
        problems.append(Problem(f"{path}.secondary_replicas", "0 is not allowed: the primary has "
                                "automatic failover, so each secondary region needs at least "
                                "one replica."))
    if len(problems) > before:
        return None
    return GlobalSpec(secondary_regions=tuple(regions), secondary_replicas=secondary_replicas,
                      network=cfg.network)


def _secondary_networks(caches: list[CacheSpec], primary: NetworkSpec, defaults: ProfileDefaults,
                        profile: str, problems: list[Problem]) -> dict[str, NetworkSpec]:
    """One network per secondary region, shared by every cache replicating there.

    A cache may describe the region's network under global.network; caches replicating to the
    same region must agree. Unset, the region gets a new VPC on the /16 after the primary's.
    """
    chosen: dict[str, tuple[str, NetworkConfig | None]] = {}
    for cache in caches:
        if cache.global_ is None:
            continue
        cfg = cache.global_.network
        for secondary in cache.global_.secondary_regions:
            if secondary in chosen and cfg is not None and chosen[secondary][1] not in (None, cfg):
                problems.append(Problem(f"caches.{cache.name}.global.network", "differs from the "
                                        f"network caches.{chosen[secondary][0]} gives "
                                        f"{secondary}; caches in one region share its network."))
            elif secondary not in chosen or chosen[secondary][1] is None:
                chosen[secondary] = (cache.name, cfg)
    networks: dict[str, NetworkSpec] = {}
    for index, (secondary, (cache_name, cfg)) in enumerate(sorted(chosen.items())):
        path = f"caches.{cache_name}.global.network"
        default_cidr = None
        if primary.vpc_cidr is not None:
            base = ipaddress.IPv4Network(primary.vpc_cidr)
            default_cidr = str(ipaddress.IPv4Network(
                (int(base.network_address) + (index + 1) * base.num_addresses, base.prefixlen)))
        if cfg is None and default_cidr is None:
            problems.append(Problem(path, f"is required: the primary uses an existing VPC, so "
                                          f"say which network to use in {secondary}."))
            continue
        network = _resolve_network(cfg or NetworkConfig(), defaults, profile, path, problems,
                                   default_cidr=default_cidr)
        if network is not None:
            networks[secondary] = network
    return networks


# ---------------------------------------------------------------------------------------------
# Private DNS (network.dns): rules shared by both clouds and the AWS ones; the GCP ones live in
# gcp_config.check_dns.
# ---------------------------------------------------------------------------------------------
_DNS_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")
# Route 53 hosted zone ids: up to 32 upper-case letters and digits (Z0123456789ABCDEFGHIJ),
# without the "/hostedzone/" prefix some APIs put in front.
_HOSTED_ZONE_ID = re.compile(r"^[A-Z0-9]{1,32}$")


def cache_dns_names(cache: Any, zone: str) -> dict[str, str]:
    """The stable names of a cache (AWS CacheSpec or GcpCacheSpec), by role.

    Valkey/Redis get a reader name; a cache that spans regions (Global Datastore, Valkey
    cross-region replication) gets a writer name that follows a failover.
    """
    spans_regions = bool(getattr(cache, "global_", None) is not None
                         or getattr(cache, "secondary_regions", ()))
    return naming.dns_names(cache.name, zone, reader=cache.engine != "memcached",
                            writer=spans_regions)


def _resolve_dns(cfg: NetworkConfig, cloud: str, region: str, caches: list[Any],
                 problems: list[Problem]) -> DnsSpec | None:
    """`network.dns` (and, on AWS, a secondary region's `global.network.dns`)."""
    before = len(problems)
    secondary = [(cache, cache.global_.network.dns) for cache in caches
                 if getattr(cache, "global_", None) is not None
                 and cache.global_.network is not None and cache.global_.network.dns is not None]
    if cfg.dns is None:
        for cache, _ in secondary:
            problems.append(Problem(f"caches.{cache.name}.global.network.dns", "DNS is off for "
                                    "this stack; set network.dns (the zone every region uses) "
                                    "or remove the key."))
        return None
    zone = _check_zone_name(cfg.dns.zone, "network.dns.zone", problems)
    ttl = cfg.dns.ttl if cfg.dns.ttl is not None else DNS_DEFAULT_TTL
    if not DNS_TTL_RANGE[0] <= ttl <= DNS_TTL_RANGE[1]:
        problems.append(Problem("network.dns.ttl", f"{ttl} is not allowed; use {DNS_TTL_RANGE[0]} "
                                f"to {DNS_TTL_RANGE[1]} seconds (names that follow a failover "
                                "need a short TTL)."))

    # Existing zones by region, with the key that named each (for the messages).
    zone_ids: dict[str, tuple[str, str]] = {}
    if cfg.dns.zone_id is not None:
        if cloud == "aws":
            _check_hosted_zone_id(cfg.dns.zone_id, "network.dns.zone_id", problems)
        zone_ids[region] = (cfg.dns.zone_id, "network.dns.zone_id")
    for cache, own in secondary:
        path = f"caches.{cache.name}.global.network.dns"
        if own.zone is not None and zone is not None and own.zone.rstrip(".") != zone:
            problems.append(Problem(f"{path}.zone", f"{own.zone!r} differs from network.dns.zone "
                                    f"{zone!r}; every region's zone has the same name, so that "
                                    "one name works in every region. Remove the key."))
        if own.ttl is not None:
            problems.append(Problem(f"{path}.ttl", "applies to every region; set it under "
                                                   "network.dns.ttl and remove the key."))
        if own.zone_id is not None:
            _check_hosted_zone_id(own.zone_id, f"{path}.zone_id", problems)
            for secondary_region in cache.global_.secondary_regions:
                zone_ids[secondary_region] = (own.zone_id, f"{path}.zone_id")
    first_region: dict[str, str] = {}
    for zone_region, (zone_id, path) in zone_ids.items():
        if zone_id in first_region:
            problems.append(Problem(path, f"{zone_id!r} is already the zone of "
                                    f"{first_region[zone_id]}; each region needs its own zone, "
                                    "because a region's names answer with that region's "
                                    "endpoints."))
        first_region.setdefault(zone_id, zone_region)

    if zone is not None:
        for cache in caches:
            _check_dns_names(cache, zone, problems)
    if len(problems) > before or zone is None:
        return None
    return DnsSpec(zone=zone, ttl=ttl, zone_ids={r: z for r, (z, _) in zone_ids.items()})


def _check_zone_name(value: str | None, path: str, problems: list[Problem]) -> str | None:
    """A private zone name: at least two labels of letters, digits and inner hyphens."""
    if value is None:
        problems.append(Problem(path, "is required; name the private zone, e.g. "
                                      "'cache.internal'."))
        return None
    zone = value[:-1] if value.endswith(".") else value  # the root's dot is optional
    labels = zone.split(".")
    before = len(problems)
    if not all(_DNS_LABEL.match(label) for label in labels):
        problems.append(Problem(path, f"{value!r} is not a DNS name; use labels of lowercase "
                                      "letters, digits and hyphens (not first or last) joined "
                                      "by dots, e.g. 'cache.internal'."))
    elif len(labels) < 2:
        problems.append(Problem(path, f"{value!r} is a single label; use at least two, e.g. "
                                      "'cache.internal': a zone for a whole top-level domain "
                                      "would answer every name under it in the network."))
    longest = max(labels, key=len)
    if len(longest) > naming.DNS_LABEL_MAX:
        problems.append(Problem(path, f"{value!r} has a label of {len(longest)} characters; DNS "
                                      f"allows {naming.DNS_LABEL_MAX}."))
    if len(zone) > naming.DNS_NAME_MAX:
        problems.append(Problem(path, f"{value!r} is {len(zone)} characters; DNS allows "
                                      f"{naming.DNS_NAME_MAX}."))
    return zone if len(problems) == before else None


def _check_dns_names(cache: Any, zone: str, problems: list[Problem]) -> None:
    """The longest record name of a cache (`<cache>-reader` / `-writer`) within DNS limits."""
    names = cache_dns_names(cache, zone)
    fqdn = max(names.values(), key=len)
    label = fqdn.split(".", 1)[0]
    if len(label) > naming.DNS_LABEL_MAX:
        problems.append(Problem(f"caches.{cache.name}", f"the DNS name {fqdn!r} has a first "
                                f"label of {len(label)} characters; DNS allows "
                                f"{naming.DNS_LABEL_MAX}. Shorten the cache name."))
    elif len(fqdn) > naming.DNS_NAME_MAX:
        problems.append(Problem(f"caches.{cache.name}", f"the DNS name {fqdn!r} is {len(fqdn)} "
                                f"characters; DNS allows {naming.DNS_NAME_MAX}. Shorten the "
                                "cache name or network.dns.zone."))


def _check_hosted_zone_id(value: str, path: str, problems: list[Problem]) -> None:
    if not _HOSTED_ZONE_ID.match(value):
        problems.append(Problem(path, f"{value!r} is not a Route 53 hosted zone id "
                                      "(Z0123456789ABCDEFGHIJ)."))


def _check_engine_version(engine: str, version: str | None, path: str,
                          problems: list[Problem]) -> str | None:
    known = catalog.AWS_ENGINE_VERSIONS[engine]
    if version is None:
        return catalog.DEFAULT_ENGINE_VERSION[engine]
    if version in known:
        return version
    if engine != "memcached" and _PATCH_VERSION.match(version) and int(version[0]) >= 7:
        major_minor = ".".join(version.split(".")[:2])
        problems.append(Problem(f"{path}.engine_version", f"{version!r} has a patch level; "
                                f"{engine} {version[0]}+ takes major.minor only, e.g. "
                                f"{major_minor!r}."))
        return None
    hint = " (TLS needs Memcached 1.6.12 or later)" if engine == "memcached" else ""
    problems.append(Problem(f"{path}.engine_version", f"{version!r} is not a supported {engine} "
                            f"version on ElastiCache{hint}; use one of {', '.join(known)}."))
    return None


def _check_node_type(cfg: CacheConfig, defaults: ProfileDefaults, profile: str, path: str,
                     problems: list[Problem]) -> catalog.NodeType | None:
    if cfg.node_type is not None and cfg.memory_gb is not None:
        problems.append(Problem(path, "set node_type or memory_gb, not both."))
        return None
    if cfg.memory_gb is not None:
        families = catalog.SIZING_FAMILIES[profile]
        if cfg.memory_gb <= 0:
            problems.append(Problem(f"{path}.memory_gb", f"{cfg.memory_gb} is not allowed; use a "
                                                         "positive number of GiB."))
            return None
        node = catalog.smallest_node_for(cfg.memory_gb, families)
        if node is None:
            problems.append(Problem(f"{path}.memory_gb", f"{cfg.memory_gb} GiB does not fit one "
                                    f"node of the {'/'.join(families)} families; use shards to "
                                    "spread the data."))
        return node
    name = cfg.node_type or defaults.node_type
    node = catalog.NODE_TYPES.get(name)
    if node is None:
        known = sorted({n.family for n in catalog.NODE_TYPES.values()})
        problems.append(Problem(f"{path}.node_type", f"{name!r} is not a known ElastiCache node "
                                "type." + did_you_mean(name, catalog.NODE_TYPES)
                                + f" Known families: {', '.join(known)}."))
    return node


def _check_parameters(params: dict[str, Any], engine: str, cluster_mode: bool, path: str,
                      problems: list[Problem]) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in params.items():
        if key == "cluster-enabled":
            problems.append(Problem(f"{path}.cluster-enabled", "is set from shards (and "
                                    "aws.cluster_mode); remove it from parameters."))
        elif isinstance(value, bool):
            # YAML 1.1 readers turn `yes` into true; engines spell booleans yes/no (Memcached 1/0).
            out[key] = ("yes" if value else "no") if engine != "memcached" else str(int(value))
        elif isinstance(value, (str, int, float)):
            out[key] = str(value)
        else:
            problems.append(Problem(f"{path}.{key}", f"{value!r} is not allowed; a parameter "
                                                     "value is a string, number or boolean."))
    if engine != "memcached":
        # Sharding needs cluster-enabled=yes in the group's parameters (CLOUD_RULES.md).
        out["cluster-enabled"] = "yes" if cluster_mode else "no"
    return dict(sorted(out.items()))


# ---------------------------------------------------------------------------------------------
# Pydantic errors -> sentences
# ---------------------------------------------------------------------------------------------
def _fields_at(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The keys allowed at `loc` inside `model` (walks nested models, dicts and lists)."""
    annotation: Any = model
    for part in loc:
        annotation = _unwrap_optional(annotation)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            fields = {f.alias or n: f for n, f in annotation.model_fields.items()}
            annotation = fields[part].annotation if part in fields else None
        elif get_origin(annotation) in (dict, list):
            annotation = get_args(annotation)[-1]
        else:
            return []
    annotation = _unwrap_optional(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return sorted(f.alias or n for n, f in annotation.model_fields.items())
    return []


def _unwrap_optional(annotation: Any) -> Any:
    args = [a for a in get_args(annotation) if a is not type(None)]
    if get_origin(annotation) not in (None, dict, list) and len(args) == 1:
        return args[0]
    return annotation


def translate_errors(err: ValidationError, prefix: str, model: type[BaseModel]) -> list[Problem]:
    """Pydantic's errors as Problems: key path, bad value, what is allowed, "did you mean"."""
    problems = []
    for e in err.errors():
        loc = tuple(e["loc"])
        path = ".".join([prefix, *map(str, loc)])
        kind, value = e["type"], e.get("input")
        if kind == "extra_forbidden":
            allowed = _fields_at(model, loc[:-1])
            message = ("is not a known key." + did_you_mean(str(loc[-1]), allowed)
                       + f" Allowed keys here: {', '.join(allowed)}.")
        elif kind == "missing":
            message = "is required."
        elif kind == "literal_error":
            expected = e.get("ctx", {}).get("expected", "")
            message = (f"{value!r} is not allowed; use {expected}."
                       + did_you_mean(str(value), re.findall(r"'([^']+)'", expected)))
        elif kind == "string_type" and isinstance(value, (int, float)):
            message = (f"{value!r} must be a string; quote it in YAML, e.g. \"{value}\" "
                       "(unquoted 8.0 is read as a number).")
        elif kind in ("model_type", "dict_type"):
            message = f"{value!r} is not allowed; write a mapping of keys here."
        else:
            message = f"{value!r} is not allowed: {e['msg'][0].lower()}{e['msg'][1:]}."
        problems.append(Problem(path, message))
    return problems
