"""Loading: the CLI's flat config -> a validated StackSpec, or one ConfigError."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TypedDict, TypeVar, get_args

from pydantic import ValidationError

from infra import naming
from infra.catalog.profiles import PROFILE_NAMES
from infra.config.access import check_iam_client_names
from infra.config.common import (
    Problem,
    StrictModel,
    check_cache_name,
    did_you_mean,
    near_misses,
)
from infra.config.dns import _resolve_dns
from infra.config.errors import ConfigError, fields_at, translate_errors
from infra.config.schema import (
    AlertsConfig,
    CacheConfig,
    Cloud,
    GcpStackOptions,
    NetworkConfig,
)
from infra.config.spec import (
    AnyCacheSpec,
    AnyStackSpec,
    AwsStackSpec,
    CacheSpec,
    DnsSpec,
    GcpCacheSpec,
    GcpStackSpec,
    NetworkSpec,
    ServerlessCacheSpec,
)

NAMESPACE = "managed-cache"


# ---------------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------------
_SCALAR_KEYS = ("cloud", "profile", "name_prefix")
_TOP_LEVEL_KEYS = (*_SCALAR_KEYS, "network", "alerts", "caches", "gcp")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.IGNORECASE)


def load_stack_config(flat: Mapping[str, Any], stack: str) -> AnyStackSpec:
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
    if profile not in PROFILE_NAMES:
        problems.append(Problem("profile", f"{profile!r} is not allowed; use 'development' or "
                                "'production'." + did_you_mean(str(profile), PROFILE_NAMES)))
        profile = "development"

    prefix = own.get("name_prefix", stack)
    if not isinstance(prefix, str) or not naming.is_valid_name_part(prefix):
        problems.append(Problem("name_prefix", f"{prefix!r} is not a valid name prefix; use "
                                "lowercase letters, digits and single hyphens, starting with a "
                                "letter (it defaults to the stack name)."))
        prefix = "x"

    region, gcp_project = _region(cloud, flat, problems)
    network_cfg = _parse_model(own, "network", NetworkConfig, problems)
    gcp_options = _gcp_options(own, cloud, problems)
    alerts_cfg = _parse_model(own, "alerts", AlertsConfig, problems)
    emails = tuple(alerts_cfg.emails) if alerts_cfg else ()
    for i, email in enumerate(emails):
        if not _EMAIL.match(email):
            problems.append(Problem(f"alerts.emails.{i}", f"{email!r} is not an e-mail address."))

    parsed = _Parsed(stack, own, profile, prefix, region, network_cfg, emails)
    # Each cloud's rules are imported only for a stack on that cloud (program cost).
    if cloud == "gcp":
        return _load_gcp(parsed, gcp_project, gcp_options or GcpStackOptions(), problems)
    return _load_aws(parsed, cloud, problems)


@dataclass(frozen=True)
class _Parsed:
    """What both clouds read the same way, parsed (problems already reported)."""

    stack: str
    own: dict[str, Any]
    profile: str
    prefix: str
    region: str
    network_cfg: NetworkConfig | None
    emails: tuple[str, ...]

    def stack_fields(self, dns: DnsSpec | None, warnings: list[str]) -> _StackFields:
        """The fields every stack spec takes from what both clouds parse alike."""
        return _StackFields(stack=self.stack, profile=self.profile, name_prefix=self.prefix,
                            region=self.region, alert_emails=self.emails, dns=dns,
                            warnings=tuple(warnings))


class _StackFields(TypedDict):
    stack: str
    profile: str
    name_prefix: str
    region: str
    alert_emails: tuple[str, ...]
    dns: DnsSpec | None
    warnings: tuple[str, ...]


def _load_gcp(parsed: _Parsed, gcp_project: str, options: GcpStackOptions,
              problems: list[Problem]) -> GcpStackSpec:
    from infra.config import gcp as gcp_rules
    from infra.config import gcp_network
    from infra.config.gcp_limits import redis_capacity_warnings

    network = None if parsed.network_cfg is None else \
        gcp_network.resolve_network(parsed.network_cfg, parsed.profile, problems)
    caches: list[GcpCacheSpec] = []
    for name, path, cfg, before in _cache_configs(parsed, "gcp", problems):
        spec = gcp_rules.resolve_cache(name, cfg, parsed.profile, parsed.prefix, parsed.region,
                                       path, problems)
        if spec is not None and len(problems) == before:
            caches.append(spec)
    gcp_rules.check_key_grant_names(caches, problems)
    check_iam_client_names([(c.name, c.client_service_accounts) for c in caches], problems)
    if network is not None:
        # GCP rules that need the region, the network and every cache together.
        gcp_network.check_stack(parsed.region, network, caches, problems, project=gcp_project,
                                prefix=parsed.prefix)
    dns = None if parsed.network_cfg is None else \
        _resolve_dns(parsed.network_cfg, "gcp", parsed.region, [*caches], problems)
    if network is not None and dns is not None:
        gcp_network.check_dns(dns, network, parsed.prefix, problems)
    if problems:
        raise ConfigError(parsed.stack, problems)
    assert network is not None
    return GcpStackSpec(
        **parsed.stack_fields(dns, _warnings(parsed.profile, parsed.emails, [*caches])
                              + gcp_rules.channel_warnings(parsed.emails)
                              + redis_capacity_warnings(caches, parsed.region)),
        cloud="gcp", network=network, caches=tuple(caches), gcp_project=gcp_project,
        enable_apis=options.enable_apis, grant_kms_access=options.grant_kms_access)


def _load_aws(parsed: _Parsed, cloud: str | None, problems: list[Problem]) -> AwsStackSpec:
    """An AWS stack; with no valid cloud, only what every stack shares is checked."""
    from infra.catalog.aws import PROFILES
    from infra.config import aws as aws_rules
    from infra.config import aws_network, aws_serverless

    defaults = PROFILES[parsed.profile]
    if cloud is not None:
        aws_network.check_security_group_name(parsed.prefix, problems)
    network = None if parsed.network_cfg is None or cloud is None else \
        aws_network.resolve_network(parsed.network_cfg, defaults, parsed.profile, "network",
                                    problems)
    caches: list[CacheSpec] = []
    # Serverless caches are specs of their own: no nodes, shards or secondaries.
    serverless: list[ServerlessCacheSpec] = []
    every_cache: list[AnyCacheSpec] = []
    for name, path, cfg, before in _cache_configs(parsed, cloud, problems):
        spec: CacheSpec | ServerlessCacheSpec | None
        if cfg.serverless is not None:
            spec = aws_serverless.resolve_serverless_cache(
                name, cfg, defaults, parsed.profile, parsed.prefix, parsed.region, path,
                problems)
        else:
            spec = aws_rules.resolve_cache(name, cfg, defaults, parsed.profile, parsed.prefix,
                                           parsed.region, path, problems)
        if spec is None or len(problems) != before:
            continue
        every_cache.append(spec)
        if isinstance(spec, ServerlessCacheSpec):
            serverless.append(spec)
        else:
            caches.append(spec)
    _check_unique_user_ids(every_cache, problems)
    secondary_networks: dict[str, NetworkSpec] = {}
    network_warnings: list[str] = []
    if network is not None:
        secondary_networks = aws_network.secondary_networks(caches, network, defaults,
                                                            parsed.profile, problems)
        _check_subnet_groups(caches, network, problems)
        if parsed.network_cfg is not None and secondary_networks:
            network, secondary_networks, network_warnings = \
                aws_network.cross_region_clients(caches, parsed.region, parsed.network_cfg,
                                                 network, secondary_networks, problems)
        aws_network.check_addresses(parsed.region, network, secondary_networks, caches,
                                    serverless, problems, network_warnings)
    dns = None if parsed.network_cfg is None or cloud is None else \
        _resolve_dns(parsed.network_cfg, cloud, parsed.region, every_cache, problems)
    if problems:
        raise ConfigError(parsed.stack, problems)
    assert network is not None
    warnings = _warnings(parsed.profile, parsed.emails, every_cache) + network_warnings
    return AwsStackSpec(
        **parsed.stack_fields(dns, warnings), cloud="aws", network=network, caches=tuple(caches),
        secondary_networks=secondary_networks, serverless_caches=tuple(serverless),
        cache_order=tuple(c.name for c in every_cache))


def _gcp_options(own: dict[str, Any], cloud: str | None,
                 problems: list[Problem]) -> GcpStackOptions | None:
    """The top-level `gcp:` block: stack-wide GCP options."""
    if cloud == "aws" and "gcp" in own:
        problems.append(Problem("gcp", "options for gcp do not apply to a stack on aws; remove "
                                       "the block."))
        return None
    return _parse_model(own, "gcp", GcpStackOptions, problems)


def _region(cloud: str | None, flat: Mapping[str, Any],
            problems: list[Problem]) -> tuple[str, str]:
    if cloud == "gcp":
        region = str(flat.get("gcp:region", "") or "")
        project = str(flat.get("gcp:project", "") or "")
        for key, value in (("gcp:region", region), ("gcp:project", project)):
            if not value:
                problems.append(Problem(key, f"is required for cloud 'gcp'; set it with "
                                             f"`pulumi config set {key} <value>`."))
        from infra.catalog.gcp import GCP_REGIONS

        if region and region not in GCP_REGIONS:
            problems.append(Problem("gcp:region", f"{region!r} is not a GCP region Memorystore "
                                    "is offered in." + did_you_mean(region, GCP_REGIONS)))
        return region, project
    region = str(flat.get("aws:region", "") or "")
    if cloud == "aws":
        from infra.catalog import aws as catalog

        if not region:
            problems.append(Problem("aws:region", "is required for cloud 'aws'; set it with "
                                                  "`pulumi config set aws:region us-east-1`."))
        elif region not in catalog.AWS_REGIONS:
            problems.append(Problem("aws:region", f"{region!r} is not an AWS region ElastiCache "
                                    "is offered in." + did_you_mean(region, catalog.AWS_REGIONS)))
    return region, ""


# Keys of the other cloud's block that have a counterpart here: named in the refusal.
_COUNTERPARTS = {
    ("aws", "users"): "ElastiCache RBAC users do not exist on Memorystore; use "
                      "gcp.client_service_accounts (Memorystore for Valkey IAM authentication) or "
                      "gcp.auth (the Memorystore for Redis AUTH string). Remove the key.",
    ("gcp", "client_service_accounts"): "Memorystore IAM bindings do not exist on ElastiCache; "
                                        "use aws.users with iam: true (IAM-authenticated RBAC "
                                        "users). Remove the key.",
}


def _check_other_cloud_block(cfg: CacheConfig, cloud: str, path: str,
                             problems: list[Problem]) -> None:
    other = "gcp" if cloud == "aws" else "aws"
    if other not in cfg.model_fields_set:
        return
    block = getattr(cfg, other)
    generic = False
    for key in sorted(block.model_fields_set):
        if (other, key) in _COUNTERPARTS:
            problems.append(Problem(f"{path}.{other}.{key}", _COUNTERPARTS[(other, key)]))
        else:
            generic = True
    if generic or not block.model_fields_set:
        problems.append(Problem(f"{path}.{other}", f"options for {other} do not apply to a "
                                                   f"stack on {cloud}; remove the block."))


def _check_unique_user_ids(caches: list[AnyCacheSpec], problems: list[Problem]) -> None:
    """User ids are `<cache id>-<user>` and unique per account and region (CreateUser:
    UserAlreadyExistsFault), so cache `a` with user `b-c` and cache `a-b` with user `c` would
    make the second CreateUser fail. Reported at a configured user: two generated ids (a
    group's `-default`, a serverless cache's `-app`) cannot meet."""
    # user id -> (key path of a configured user, or None, and what the id is)
    seen: dict[str, tuple[str | None, str]] = {}
    for cache in caches:
        if isinstance(cache, ServerlessCacheSpec) and not cache.is_memcached:
            generated = [("the default user", naming.default_user_id(cache.cache_id))]
            if not cache.users:
                generated.append(("the app user", naming.app_user_id(cache.cache_id)))
        elif isinstance(cache, CacheSpec) and cache.users:
            generated = [("the default user", naming.default_user_id(cache.cache_id))]
        else:
            continue                            # AUTH token, Memcached or GCP: no ElastiCache users
        ids: list[tuple[str | None, str, str]] = [
            (None, f"{what} of cache {cache.name!r}", user_id) for what, user_id in generated]
        ids += [(f"caches.{cache.name}.aws.users.{user.name}",
                 f"user {user.name!r} of cache {cache.name!r}", user.user_id)
                for user in cache.users]
        for path, what, user_id in ids:
            if user_id not in seen:
                seen[user_id] = (path, what)
                continue
            other_path, other = seen[user_id]
            problems.append(Problem(path or other_path or f"caches.{cache.name}",
                                    f"the user id {user_id!r} is also that of "
                                    f"{other if path else what}; ElastiCache user ids are unique "
                                    "in an account and region, so creating the second would "
                                    "fail. Rename the user."))


def _check_subnet_groups(caches: list[CacheSpec], network: NetworkSpec,
                         problems: list[Problem]) -> None:
    """An existing subnet group must be in the VPC of the security group the stack creates."""
    for cache in caches:
        if cache.subnet_group_name and network.vpc_id is None:
            problems.append(Problem(f"caches.{cache.name}.aws.subnet_group_name", "an existing "
                                    "subnet group needs network.vpc_id (its VPC) with "
                                    "subnet_ids: the cache's security group is created there."))


def _warnings(profile: str, emails: tuple[str, ...], caches: list[AnyCacheSpec]) -> list[str]:
    warnings = []
    paging = [f"caches.{cache.name}" for cache in caches if cache.alarms.notify]
    if profile == "production" and not emails:
        warnings.append("alerts.emails is empty: production alarms will notify nobody.")
    elif paging and not emails:
        warnings.append(f"alerts.emails is empty: the alarms of {', '.join(paging)} notify "
                        "(alarms.notify: true) and will reach nobody.")
    for cache in caches:
        if profile == "production" and cache.engine != "memcached" \
                and not isinstance(cache, ServerlessCacheSpec) and cache.replicas == 0:
            warnings.append(f"caches.{cache.name}.replicas is 0: a production cache without a "
                            "replica has no automatic failover and no copy in another zone.")
        warnings.extend(cache.warnings)
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


Model = TypeVar("Model", bound=StrictModel)


def _parse_model(own: dict[str, Any], key: str, model: type[Model],
                 problems: list[Problem]) -> Model | None:
    return _validated(own.get(key) or {}, key, model, problems)


def _validated(raw: Any, path: str, model: type[Model], problems: list[Problem]) -> Model | None:
    """`raw` as `model`, or None with its problems reported. A block whose only mistakes are
    unknown keys (typos) is checked again with each under the key it meant, so a typo does not
    hide the block's other mistakes; the result then still stands for a refused config."""
    try:
        return model.model_validate(raw)
    except ValidationError as err:
        problems.extend(translate_errors(err, path, model))
        known = _typos_corrected(raw, err, model)
    if known is None:
        return None
    try:
        return model.model_validate(known)
    except ValidationError:
        return None


def _typos_corrected(raw: Any, err: ValidationError,
                     model: type[StrictModel]) -> dict[str, Any] | None:
    """`raw` without the unknown keys `err` reports, each moved to the one key it most likely
    meant when there is one and it is not set (a mistyped `engine` must not be checked as the
    default engine), else dropped (`tags`: no key of ours); None when `err` reports anything
    else."""
    if not isinstance(raw, dict) or any(e["type"] != "extra_forbidden" for e in err.errors()):
        return None
    out = json.loads(json.dumps(raw))
    for error in err.errors():
        *parents, key = error["loc"]
        node = out
        for part in parents:
            node = node[part]
        value = node.pop(key)
        meant = near_misses(str(key), fields_at(model, tuple(parents)))
        if len(meant) == 1 and meant[0] not in node:
            node[meant[0]] = value
    return out


def _aws_id_max(cache_raw: object) -> int:
    """A node-based Memcached cluster's id may be longer than a replication group's or a
    serverless cache's. Read from the raw config, so the limit holds when other keys are bad."""
    memcached = isinstance(cache_raw, dict) and cache_raw.get("engine") == "memcached" \
        and cache_raw.get("serverless") is None
    return naming.MEMCACHED_CLUSTER_ID_MAX if memcached else naming.REPLICATION_GROUP_ID_MAX


def _cache_configs(parsed: _Parsed, cloud: str | None, problems: list[Problem]
                   ) -> Iterator[tuple[str, str, CacheConfig, int]]:
    """Each cache's (name, key path, parsed config, problem count before it) that a cloud's
    rules should resolve; none when the cloud is unknown (the shared checks still run)."""
    raw = parsed.own.get("caches")
    if not isinstance(raw, dict) or not raw:
        problems.append(Problem("caches", "must name at least one cache, e.g. "
                                          "`sessions: {engine: valkey}`."))
        return
    for name, cache_raw in raw.items():
        path = f"caches.{name}"
        before = len(problems)
        check_cache_name(name, parsed.prefix, path, problems,
                         id_max=None if cloud == "gcp" else _aws_id_max(cache_raw))
        cfg = _validated(cache_raw if cache_raw is not None else {}, path, CacheConfig,
                         problems)
        if cfg is None:
            continue
        if cloud is None:
            continue
        _check_other_cloud_block(cfg, cloud, path, problems)
        yield name, path, cfg, before
