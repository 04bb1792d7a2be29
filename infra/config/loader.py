"""Loading: the CLI's flat config -> a validated StackSpec, or one ConfigError."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, get_args

from pydantic import ValidationError

from infra import naming
from infra.catalog.profiles import PROFILE_NAMES
from infra.config.common import (
    Problem,
    StrictModel,
    check_cache_name,
    did_you_mean,
)
from infra.config.dns import _resolve_dns
from infra.config.errors import ConfigError, translate_errors
from infra.config.schema import (
    AlertsConfig,
    CacheConfig,
    Cloud,
    GcpStackOptions,
    NetworkConfig,
)
from infra.config.spec import AnyStackSpec, AwsStackSpec, GcpStackSpec, ServerlessCacheSpec

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

    # Each cloud's rules are imported only for a stack on that cloud (program cost).
    network: Any = None
    secondary_networks: dict[str, Any] = {}
    cross_region_warnings: list[str] = []
    serverless: list[Any] = []
    if cloud == "gcp":
        from infra.config import gcp_network

        if network_cfg is not None:
            network = gcp_network.resolve_network(network_cfg, profile, problems)
        caches = every_cache = _parse_caches(own.get("caches"), cloud, profile, prefix, region,
                                             problems)
        if network is not None:
            # GCP rules that need the region, the network and every cache together.
            gcp_network.check_stack(region, network, caches, problems, project=gcp_project)
    else:
        from infra.catalog.aws import PROFILES
        from infra.config import aws_network

        if network_cfg is not None and cloud == "aws":
            network = aws_network.resolve_network(network_cfg, PROFILES[profile], profile,
                                                  "network", problems)
        every_cache = _parse_caches(own.get("caches"), cloud, profile, prefix, region,
                                    problems)
        # Serverless caches (AWS) are specs of their own: no nodes, shards or secondaries.
        serverless = [c for c in every_cache if isinstance(c, ServerlessCacheSpec)]
        caches = [c for c in every_cache if not isinstance(c, ServerlessCacheSpec)]
        if cloud == "aws" and network is not None:
            secondary_networks = aws_network.secondary_networks(caches, network,
                                                                PROFILES[profile], profile,
                                                                problems)
            _check_subnet_groups(caches, network, problems)
        if cloud == "aws" and network is not None and network_cfg is not None \
                and secondary_networks:
            network, secondary_networks, cross_region_warnings = \
                aws_network.cross_region_clients(caches, region, network_cfg, network,
                                                 secondary_networks, problems)
    dns = _resolve_dns(network_cfg, cloud, region, every_cache, problems) \
        if network_cfg is not None and cloud is not None else None
    if cloud == "gcp" and network is not None and dns is not None:
        gcp_network.check_dns(dns, network, prefix, problems)

    if problems:
        raise ConfigError(stack, problems)
    assert network is not None and cloud is not None
    common = dict(stack=stack, cloud=cloud, profile=profile, name_prefix=prefix, region=region,
                  network=network, alert_emails=emails, caches=tuple(caches), dns=dns,
                  warnings=tuple(_warnings(profile, emails, every_cache) + cross_region_warnings))
    if cloud == "gcp":
        options = gcp_options or GcpStackOptions()
        return GcpStackSpec(**common, gcp_project=gcp_project, enable_apis=options.enable_apis,
                            grant_kms_access=options.grant_kms_access)
    return AwsStackSpec(**common, secondary_networks=secondary_networks,
                        serverless_caches=tuple(serverless),
                        cache_order=tuple(c.name for c in every_cache))


def _gcp_options(own: dict[str, Any], cloud: str | None,
                 problems: list[Problem]) -> GcpStackOptions | None:
    """The top-level `gcp:` block: stack-wide GCP options."""
    if cloud == "aws" and "gcp" in own:
        problems.append(Problem("gcp", "options for gcp do not apply to a stack on aws; remove "
                                       "the block."))
        return None
    options: GcpStackOptions | None = _parse_model(own, "gcp", GcpStackOptions, problems)
    return options


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


def _check_subnet_groups(caches: list[Any], network: Any, problems: list[Problem]) -> None:
    """An existing subnet group must be in the VPC of the security group the stack creates."""
    for cache in caches:
        if getattr(cache, "subnet_group_name", None) and network.vpc_id is None:
            problems.append(Problem(f"caches.{cache.name}.aws.subnet_group_name", "an existing "
                                    "subnet group needs network.vpc_id (its VPC) with "
                                    "subnet_ids: the cache's security group is created there."))


def _warnings(profile: str, emails: tuple[str, ...], caches: list[Any]) -> list[str]:
    warnings = []
    if profile == "production" and not emails:
        warnings.append("alerts.emails is empty: production alarms will notify nobody.")
    for cache in caches:
        if profile == "production" and cache.engine != "memcached" \
                and getattr(cache, "replicas", None) == 0:
            warnings.append(f"caches.{cache.name}.replicas is 0: a production cache without a "
                            "replica has no automatic failover and no Multi-AZ.")
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


def _parse_model(own: dict[str, Any], key: str, model: type[StrictModel],
                 problems: list[Problem]) -> Any:
    raw = own.get(key) or {}
    try:
        return model.model_validate(raw)
    except ValidationError as err:
        problems.extend(translate_errors(err, key, model))
        return None


def _parse_caches(raw: Any, cloud: str | None, profile: str, prefix: str, region: str,
                  problems: list[Problem]) -> list[Any]:
    if not isinstance(raw, dict) or not raw:
        problems.append(Problem("caches", "must name at least one cache, e.g. "
                                          "`sessions: {engine: valkey}`."))
        return []
    specs = []
    for name, cache_raw in raw.items():
        path = f"caches.{name}"
        before = len(problems)
        check_cache_name(name, prefix, path, problems, id_limit=cloud != "gcp")
        try:
            cfg = CacheConfig.model_validate(cache_raw if cache_raw is not None else {})
        except ValidationError as err:
            problems.extend(translate_errors(err, path, CacheConfig))
            continue
        if cloud is None:
            continue
        _check_other_cloud_block(cfg, cloud, path, problems)
        spec: Any
        if cloud == "gcp":
            from infra.config import gcp as gcp_rules

            spec = gcp_rules.resolve_cache(name, cfg, profile, prefix, region, path, problems)
        else:
            from infra.catalog.aws import PROFILES
            from infra.config import aws as aws_rules
            from infra.config import aws_serverless

            resolve = aws_serverless.resolve_serverless_cache if cfg.serverless is not None \
                else aws_rules.resolve_cache
            spec = resolve(name, cfg, PROFILES[profile], profile, prefix, region, path,
                           problems)
        if spec is not None and len(problems) == before:
            specs.append(spec)
    return specs
