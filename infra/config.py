"""The stack config: pydantic models, profile defaults, and every validation rule.

`load_stack_config(flat_config, stack)` turns the CLI's flat `"<namespace>:<key>"` config into a
fully resolved, immutable `StackSpec`, or raises one `ConfigError` that lists every problem at
once. Nothing in here creates resources, so an invalid config creates nothing.
"""

from __future__ import annotations

import difflib
import ipaddress
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, get_args, get_origin

from pulumi.errors import RunError
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, ValidationError

from infra import catalog, naming
from infra.profiles import PROFILES, ProfileDefaults

NAMESPACE = "managed-cache"

Cloud = Literal["aws", "gcp"]
Profile = Literal["development", "production"]
Engine = Literal["valkey", "redis", "memcached"]

# ElastiCache limits (Terraform aws_elasticache_replication_group docs, AWS quotas).
MAX_SHARDS = 500
MAX_REPLICAS = 5
MAX_SNAPSHOT_RETENTION_DAYS = 35
MIN_WINDOW_MINUTES = 60
# CloudWatch Logs accepts only these retention values (PutRetentionPolicy).
LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096,
                      1827, 2192, 2557, 2922, 3288, 3653)
# Private ranges a cache may admit clients from: RFC 1918 and the RFC 6598 shared space.
PRIVATE_RANGES = tuple(ipaddress.ip_network(n) for n in
                       ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"))
DEFAULT_VPC_CIDR = "10.40.0.0/16"


class ConfigError(RunError):
    """Every problem in a stack config. A RunError, so the CLI prints it without a traceback."""

    def __init__(self, stack: str, problems: list[Problem]):
        self.problems = problems
        noun = "problem" if len(problems) == 1 else "problems"
        lines = [f"The config of stack '{stack}' has {len(problems)} {noun}; nothing was created:"]
        lines += [f"  - {p}" for p in problems]
        super().__init__("\n".join(lines))


@dataclass(frozen=True)
class Problem:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


# ---------------------------------------------------------------------------------------------
# What users write (unknown keys rejected; unset means "take the profile default").
# ---------------------------------------------------------------------------------------------
class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class NetworkConfig(_Strict):
    vpc_cidr: str | None = None
    vpc_id: str | None = None
    subnet_ids: list[str] | None = None
    availability_zones: StrictInt | None = None
    allowed_cidrs: list[str] | None = None
    allowed_security_group_ids: list[str] = []


class AlertsConfig(_Strict):
    emails: list[str] = []


class GlobalConfig(_Strict):
    secondary_region: str
    secondary_replicas: StrictInt | None = None
    network: NetworkConfig | None = None


class AwsCacheOptions(_Strict):
    port: StrictInt | None = None
    kms_key_arn: str | None = None
    create_kms_key: StrictBool | None = None
    log_retention_days: StrictInt | None = None
    apply_immediately: StrictBool | None = None
    auto_minor_version_upgrade: StrictBool = True
    cluster_mode: StrictBool | None = None


class CacheConfig(_Strict):
    engine: Engine = "valkey"
    engine_version: str | None = None
    description: str | None = None
    node_type: str | None = None
    memory_gb: float | None = None
    shards: StrictInt = 1
    replicas: StrictInt | None = None
    nodes: StrictInt | None = None
    parameters: dict[str, Any] = {}
    maintenance_window: str | None = None
    snapshot_window: str | None = None
    snapshot_retention_days: StrictInt | None = None
    final_snapshot: StrictBool | None = None
    deletion_protection: StrictBool | None = None
    global_: GlobalConfig | None = Field(default=None, alias="global")
    aws: AwsCacheOptions = AwsCacheOptions()


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
class GlobalSpec:
    secondary_region: str
    secondary_replicas: int
    network: NetworkSpec


@dataclass(frozen=True)
class CacheSpec:
    name: str
    engine: str
    engine_version: str
    family: str
    description: str
    node_type: catalog.NodeType
    shards: int
    replicas: int
    cluster_mode: bool
    nodes: int                      # Memcached node count (1 + replicas per shard otherwise)
    parameters: dict[str, str]
    maintenance_window: str
    snapshot_window: str
    snapshot_retention_days: int
    final_snapshot: bool
    deletion_protection: bool
    port: int
    create_kms_key: bool
    kms_key_arn: str | None
    log_retention_days: int
    apply_immediately: bool
    auto_minor_version_upgrade: bool
    cache_id: str                   # replication group id / cluster id
    global_: GlobalSpec | None = None

    @property
    def automatic_failover(self) -> bool:
        # Cluster mode requires automatic failover; otherwise it needs a replica (CLOUD_RULES.md).
        return self.cluster_mode or self.replicas >= 1

    @property
    def multi_az(self) -> bool:
        return self.replicas >= 1

    @property
    def member_ids(self) -> list[str]:
        return naming.member_cluster_ids(self.cache_id, self.shards, self.replicas,
                                         self.cluster_mode)


@dataclass(frozen=True)
class StackSpec:
    stack: str
    cloud: str
    profile: str
    name_prefix: str
    region: str
    network: NetworkSpec
    alert_emails: tuple[str, ...]
    caches: tuple[CacheSpec, ...]
    warnings: tuple[str, ...] = field(default=())


# ---------------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------------
_OBJECT_KEYS = {"network": NetworkConfig, "alerts": AlertsConfig}
_SCALAR_KEYS = ("cloud", "profile", "name_prefix")
_TOP_LEVEL_KEYS = (*_SCALAR_KEYS, *_OBJECT_KEYS, "caches")


def load_stack_config(flat: Mapping[str, Any], stack: str) -> StackSpec:
    """Validate the flat CLI config of one stack; raise ConfigError listing every problem."""
    problems: list[Problem] = []
    own = _own_keys(flat, problems)

    cloud = own.get("cloud")
    if cloud is None:
        problems.append(Problem("cloud", "is required; set it to 'aws' or 'gcp'."))
    elif cloud not in get_args(Cloud):
        problems.append(Problem("cloud", f"{cloud!r} is not allowed; use 'aws' or 'gcp'."
                                + _did_you_mean(str(cloud), get_args(Cloud))))
    elif cloud == "gcp":
        problems.append(Problem("cloud", "'gcp' is not available in this version yet; "
                                         "use 'aws'."))

    profile = own.get("profile", "development")
    if profile not in PROFILES:
        problems.append(Problem("profile", f"{profile!r} is not allowed; use 'development' or "
                                           f"'production'." + _did_you_mean(str(profile), PROFILES)))
        profile = "development"
    defaults = PROFILES[profile]

    prefix = own.get("name_prefix", stack)
    if not isinstance(prefix, str) or not naming.is_valid_name_part(prefix):
        problems.append(Problem("name_prefix", f"{prefix!r} is not a valid name prefix; use "
                                "lowercase letters, digits and single hyphens, starting with a "
                                "letter (it defaults to the stack name)."))
        prefix = "x"

    region = str(flat.get("aws:region", "") or "")
    if cloud == "aws":
        if not region:
            problems.append(Problem("aws:region", "is required for cloud 'aws'; set it with "
                                                  "`pulumi config set aws:region us-east-1`."))
        elif region not in catalog.AWS_REGIONS:
            problems.append(Problem("aws:region", f"{region!r} is not an AWS region ElastiCache "
                                    "is offered in." + _did_you_mean(region, catalog.AWS_REGIONS)))

    network_cfg = _parse_model(own, "network", NetworkConfig, problems)
    alerts_cfg = _parse_model(own, "alerts", AlertsConfig, problems)
    network = _resolve_network(network_cfg, defaults, profile, "network", problems)
    emails = tuple(alerts_cfg.emails) if alerts_cfg else ()
    for i, email in enumerate(emails):
        if not _EMAIL.match(email):
            problems.append(Problem(f"alerts.emails.{i}", f"{email!r} is not an e-mail address."))

    caches = _parse_caches(own.get("caches"), defaults, profile, prefix, region, problems)

    warnings: list[str] = []
    if profile == "production" and not emails:
        warnings.append("alerts.emails is empty: production alarms will notify nobody.")
    warnings += [f"caches.{c.name}.replicas is 0: a production cache without a replica has no "
                 "automatic failover and no Multi-AZ." for c in caches
                 if profile == "production" and c.engine != "memcached" and c.replicas == 0]

    if problems:
        raise ConfigError(stack, problems)
    assert network is not None and cloud is not None
    return StackSpec(stack=stack, cloud=cloud, profile=profile, name_prefix=prefix,
                     region=region, network=network, alert_emails=emails, caches=tuple(caches),
                     warnings=tuple(warnings))


def _own_keys(flat: Mapping[str, Any], problems: list[Problem]) -> dict[str, Any]:
    """Our namespace's keys, objects decoded from the JSON strings the CLI passes."""
    own: dict[str, Any] = {}
    for full_key, value in flat.items():
        namespace, _, key = full_key.partition(":")
        if namespace != NAMESPACE:
            continue
        if key not in _TOP_LEVEL_KEYS:
            problems.append(Problem(key, "is not a known key" + _did_you_mean(key, _TOP_LEVEL_KEYS)
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


def _parse_model(own: dict[str, Any], key: str, model: type[_Strict],
                 problems: list[Problem]) -> Any:
    raw = own.get(key, {})
    if raw is None:
        raw = {}
    try:
        return model.model_validate(raw)
    except ValidationError as err:
        problems.extend(_translate(err, key, model))
        return None


def _parse_caches(raw: Any, defaults: ProfileDefaults, profile: str, prefix: str,
                  region: str, problems: list[Problem]) -> list[CacheSpec]:
    if not isinstance(raw, dict) or not raw:
        problems.append(Problem("caches", "must name at least one cache, e.g. "
                                          "`sessions: {engine: valkey}`."))
        return []
    specs = []
    for name, cache_raw in raw.items():
        path = f"caches.{name}"
        before = len(problems)
        _check_cache_name(name, prefix, path, problems)
        try:
            cfg = CacheConfig.model_validate(cache_raw if cache_raw is not None else {})
        except ValidationError as err:
            problems.extend(_translate(err, path, CacheConfig))
            continue
        spec = _resolve_cache(name, cfg, defaults, profile, prefix, region, path, problems)
        if spec is not None and len(problems) == before:
            specs.append(spec)
    return specs


# ---------------------------------------------------------------------------------------------
# Rules. Each appends Problems with the key path, the bad value and what is allowed.
# ---------------------------------------------------------------------------------------------
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.IGNORECASE)
_VPC_ID = re.compile(r"^vpc-[0-9a-f]{8,17}$")
_SUBNET_ID = re.compile(r"^subnet-[0-9a-f]{8,17}$")
_SG_ID = re.compile(r"^sg-[0-9a-f]{8,17}$")
_KMS_ARN = re.compile(r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)/[A-Za-z0-9/_-]+$")
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_MAINTENANCE = re.compile(r"^(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):([0-5]\d)-"
                          r"(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):([0-5]\d)$")
_DAILY = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$")
_PATCH_VERSION = re.compile(r"^\d+\.\d+\.\d+$")


def _check_cache_name(name: str, prefix: str, path: str, problems: list[Problem]) -> None:
    if not naming.is_valid_name_part(name):
        problems.append(Problem(path, f"the cache name {name!r} is not allowed; use lowercase "
                                      "letters, digits and single hyphens, starting with a "
                                      "letter and not ending with a hyphen."))
        return
    group_id = naming.replication_group_id(prefix, name)
    if len(group_id) > naming.REPLICATION_GROUP_ID_MAX:
        problems.append(Problem(path, f"the cache id {group_id!r} is {len(group_id)} characters; "
                                      f"ElastiCache allows {naming.REPLICATION_GROUP_ID_MAX}. "
                                      "Shorten the cache name or set name_prefix."))


def _resolve_network(cfg: NetworkConfig | None, defaults: ProfileDefaults, profile: str,
                     path: str, problems: list[Problem]) -> NetworkSpec | None:
    if cfg is None:
        return None
    before = len(problems)
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

    vpc_cidr = None if existing else (cfg.vpc_cidr or DEFAULT_VPC_CIDR)
    if vpc_cidr is not None:
        net = _parse_cidr(vpc_cidr, f"{path}.vpc_cidr", problems)
        # Subnets are carved 4 bits smaller than the VPC and AWS's smallest subnet is a /28.
        if net is not None and not (16 <= net.prefixlen <= 24):
            problems.append(Problem(f"{path}.vpc_cidr", f"{vpc_cidr!r} is a /{net.prefixlen}; "
                                    "use a prefix from /16 to /24 (AWS VPCs are /16 to /28 and "
                                    "each subnet takes 1/16 of the VPC)."))
        elif net is not None and not _is_private(net):
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
    for i, cidr in enumerate(allowed):
        net = _parse_cidr(cidr, f"{path}.allowed_cidrs.{i}", problems)
        if net is not None and not _is_private(net):
            problems.append(Problem(f"{path}.allowed_cidrs.{i}", f"{cidr!r} is not a private "
                                    "range; caches never admit clients from the internet. Use "
                                    "ranges inside 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 or "
                                    "100.64.0.0/10."))
    if existing and not allowed and not cfg.allowed_security_group_ids:
        problems.append(Problem(path, "with an existing VPC, set allowed_cidrs or "
                                      "allowed_security_group_ids: otherwise no client could "
                                      "connect."))
    if len(problems) > before:
        return None
    return NetworkSpec(vpc_cidr=vpc_cidr, vpc_id=cfg.vpc_id, subnet_ids=tuple(cfg.subnet_ids or ()),
                       availability_zones=zones, allowed_cidrs=tuple(allowed),
                       allowed_security_group_ids=tuple(cfg.allowed_security_group_ids))


def _resolve_cache(name: str, cfg: CacheConfig, defaults: ProfileDefaults, profile: str,
                   prefix: str, region: str, path: str,
                   problems: list[Problem]) -> CacheSpec | None:
    before = len(problems)
    engine = cfg.engine
    version = _check_engine_version(engine, cfg.engine_version, path, problems)
    node = _check_node_type(cfg, defaults, profile, path, problems)

    if cfg.description is not None and not cfg.description.strip():
        problems.append(Problem(f"{path}.description", "must not be empty (ElastiCache requires "
                                                       "a description)."))
    if engine == "memcached":
        problems.append(Problem(f"{path}.engine", "'memcached' is not available in this version "
                                                  "yet; use 'valkey' or 'redis'."))
        return None

    replicas = cfg.replicas if cfg.replicas is not None else defaults.replicas
    if not 1 <= cfg.shards <= MAX_SHARDS:
        problems.append(Problem(f"{path}.shards", f"{cfg.shards} is not allowed; a replication "
                                                  f"group has 1 to {MAX_SHARDS} shards."))
    if not 0 <= replicas <= MAX_REPLICAS:
        problems.append(Problem(f"{path}.replicas", f"{replicas} is not allowed; ElastiCache "
                                f"allows 0 to {MAX_REPLICAS} replicas per shard (1 to 6 nodes)."))
    cluster_mode = cfg.aws.cluster_mode if cfg.aws.cluster_mode is not None else cfg.shards > 1
    if cfg.shards > 1 and not cluster_mode:
        problems.append(Problem(f"{path}.aws.cluster_mode", f"false does not fit shards: "
                                f"{cfg.shards}; more than one shard needs cluster mode."))
    if cfg.nodes is not None:
        problems.append(Problem(f"{path}.nodes", f"{engine} sizes with shards and replicas; "
                                                 "nodes is for memcached only."))
    if cfg.global_ is not None:
        problems.append(Problem(f"{path}.global", "Global Datastore is not available in this "
                                                  "version yet; remove the key."))

    parameters = _check_parameters(cfg.parameters, engine, cluster_mode, f"{path}.parameters",
                                   problems)
    maintenance = cfg.maintenance_window or defaults.maintenance_window
    snapshot = cfg.snapshot_window or defaults.snapshot_window
    _check_maintenance_window(maintenance, f"{path}.maintenance_window", problems)
    _check_snapshot_window(snapshot, f"{path}.snapshot_window", problems)
    retention = cfg.snapshot_retention_days if cfg.snapshot_retention_days is not None \
        else defaults.snapshot_retention_days
    if not 0 <= retention <= MAX_SNAPSHOT_RETENTION_DAYS:
        problems.append(Problem(f"{path}.snapshot_retention_days", f"{retention} is not allowed; "
                                f"ElastiCache keeps 0 to {MAX_SNAPSHOT_RETENTION_DAYS} days."))

    aws = cfg.aws
    port = aws.port if aws.port is not None else catalog.ENGINE_PORT[engine]
    if not 1024 <= port <= 65535:
        problems.append(Problem(f"{path}.aws.port", f"{port} is not allowed; use 1024 to 65535."))
    if aws.kms_key_arn is not None:
        if not _KMS_ARN.match(aws.kms_key_arn):
            problems.append(Problem(f"{path}.aws.kms_key_arn", f"{aws.kms_key_arn!r} is not a KMS "
                                    "key ARN (arn:aws:kms:<region>:<account>:key/<id>)."))
        elif region and f":kms:{region}:" not in aws.kms_key_arn:
            problems.append(Problem(f"{path}.aws.kms_key_arn", f"the key is not in {region}; "
                                    "ElastiCache needs a KMS key in the cache's own region."))
        if aws.create_kms_key:
            problems.append(Problem(f"{path}.aws", "set kms_key_arn (your key) or "
                                                   "create_kms_key: true (a new key), not both."))
    log_retention = aws.log_retention_days if aws.log_retention_days is not None \
        else defaults.log_retention_days
    if log_retention not in LOG_RETENTION_DAYS:
        problems.append(Problem(f"{path}.aws.log_retention_days", f"{log_retention} is not a "
                                "CloudWatch Logs retention; use one of "
                                f"{', '.join(map(str, LOG_RETENTION_DAYS))}."))

    if len(problems) > before or version is None or node is None:
        return None
    create_kms_key = aws.create_kms_key if aws.create_kms_key is not None else (
        defaults.create_kms_key and aws.kms_key_arn is None)
    return CacheSpec(
        name=name,
        engine=engine,
        engine_version=version,
        family=catalog.parameter_group_family(engine, version),
        description=cfg.description or f"managed-cache {prefix}/{name} ({engine} {version})",
        node_type=node,
        shards=cfg.shards,
        replicas=replicas,
        cluster_mode=cluster_mode,
        nodes=cfg.shards * (1 + replicas),
        parameters=parameters,
        maintenance_window=maintenance,
        snapshot_window=snapshot,
        snapshot_retention_days=retention,
        final_snapshot=cfg.final_snapshot if cfg.final_snapshot is not None
        else defaults.final_snapshot,
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
    )


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
    problems.append(Problem(f"{path}.engine_version", f"{version!r} is not a supported {engine} "
                            f"version on ElastiCache; use one of {', '.join(known)}."))
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
        families = sorted({n.family for n in catalog.NODE_TYPES.values()})
        problems.append(Problem(f"{path}.node_type", f"{name!r} is not a known ElastiCache node "
                                "type." + _did_you_mean(name, catalog.NODE_TYPES)
                                + f" Known families: {', '.join(families)}."))
    return node


def _check_parameters(params: dict[str, Any], engine: str, cluster_mode: bool, path: str,
                      problems: list[Problem]) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in params.items():
        if key == "cluster-enabled":
            problems.append(Problem(f"{path}.cluster-enabled", "is set from shards (and "
                                    "aws.cluster_mode); remove it from parameters."))
        elif isinstance(value, bool):
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


def _window_minutes(start: int, end: int, period: int) -> int:
    return (end - start) % period


def _check_maintenance_window(value: str, path: str, problems: list[Problem]) -> None:
    match = _MAINTENANCE.match(value)
    if not match:
        problems.append(Problem(path, f"{value!r} is not a maintenance window; use "
                                      "'ddd:hh24:mi-ddd:hh24:mi' in UTC, e.g. "
                                      "'sun:05:00-sun:06:00'."))
        return
    d1, h1, m1, d2, h2, m2 = match.groups()
    start = _DAYS.index(d1) * 1440 + int(h1) * 60 + int(m1)
    end = _DAYS.index(d2) * 1440 + int(h2) * 60 + int(m2)
    minutes = _window_minutes(start, end, 7 * 1440)
    if minutes < MIN_WINDOW_MINUTES:
        problems.append(Problem(path, f"{value!r} lasts {minutes} minutes; ElastiCache needs at "
                                      f"least {MIN_WINDOW_MINUTES}."))


def _check_snapshot_window(value: str, path: str, problems: list[Problem]) -> None:
    match = _DAILY.match(value)
    if not match:
        problems.append(Problem(path, f"{value!r} is not a snapshot window; use 'hh24:mi-hh24:mi' "
                                      "in UTC, e.g. '03:00-04:00'."))
        return
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    minutes = _window_minutes(h1 * 60 + m1, h2 * 60 + m2, 1440)
    if minutes < MIN_WINDOW_MINUTES:
        problems.append(Problem(path, f"{value!r} lasts {minutes} minutes; ElastiCache needs at "
                                      f"least {MIN_WINDOW_MINUTES}."))


def _parse_cidr(value: str, path: str, problems: list[Problem]) -> ipaddress.IPv4Network | None:
    try:
        return ipaddress.IPv4Network(value)
    except ValueError as err:
        problems.append(Problem(path, f"{value!r} is not an IPv4 CIDR block ({err})."))
        return None


def _is_private(net: ipaddress.IPv4Network) -> bool:
    return any(net.subnet_of(r) for r in PRIVATE_RANGES)


# ---------------------------------------------------------------------------------------------
# Pydantic errors -> sentences
# ---------------------------------------------------------------------------------------------
def _did_you_mean(value: str, choices: Any) -> str:
    match = difflib.get_close_matches(value, list(choices), n=1, cutoff=0.6)
    return f" Did you mean {match[0]!r}?" if match else ""


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
    if get_origin(annotation) is not None and len(args) == 1 and \
            get_origin(annotation) not in (dict, list):
        return args[0]
    return annotation


def _translate(err: ValidationError, prefix: str, model: type[BaseModel]) -> list[Problem]:
    problems = []
    for e in err.errors():
        loc = tuple(e["loc"])
        path = ".".join([prefix, *map(str, loc)])
        kind, value = e["type"], e.get("input")
        if kind == "extra_forbidden":
            allowed = _fields_at(model, loc[:-1])
            message = ("is not a known key." + _did_you_mean(str(loc[-1]), allowed)
                       + f" Allowed keys here: {', '.join(allowed)}.")
        elif kind == "missing":
            message = "is required."
        elif kind == "literal_error":
            expected = e.get("ctx", {}).get("expected", "")
            message = (f"{value!r} is not allowed; use {expected}."
                       + _did_you_mean(str(value), re.findall(r"'([^']+)'", expected)))
        elif kind == "string_type" and isinstance(value, (int, float)):
            message = (f"{value!r} must be a string; quote it in YAML, e.g. \"{value}\" "
                       "(unquoted 8.0 is read as a number).")
        elif kind in ("model_type", "dict_type"):
            message = f"{value!r} is not allowed; write a mapping of keys here."
        else:
            message = f"{value!r} is not allowed: {e['msg'][0].lower()}{e['msg'][1:]}."
        problems.append(Problem(path, message))
    return problems
