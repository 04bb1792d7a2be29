"""AWS networks: the stack's VPC (new or existing), the networks of Global Datastore secondary
regions, and the client ranges each region must admit. Each rule appends a Problem."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import replace

from infra.catalog.aws import AwsProfileDefaults
from infra.config.aws_limits import AWS_LIMITS
from infra.config.common import (
    DEFAULT_VPC_CIDR,
    Problem,
    check_allowed_cidrs,
    check_each_once,
    check_format,
    check_range,
    check_vpc_cidr,
    uses_existing_network,
)
from infra.config.schema import NetworkConfig
from infra.config.spec import CacheSpec, NetworkSpec

_VPC_ID = re.compile(r"^vpc-[0-9a-f]{8,17}$")
_SUBNET_ID = re.compile(r"^subnet-[0-9a-f]{8,17}$")
_SG_ID = re.compile(r"^sg-[0-9a-f]{8,17}$")


def check_security_group_name(prefix: str, problems: list[Problem]) -> None:
    """Each region's security group is named `<name_prefix>-cache`, and EC2 refuses a group name
    beginning with "sg-", the prefix of group ids (terraform-provider-aws
    ec2/vpc_security_group.go: "cannot begin with sg-")."""
    if f"{prefix}-cache".startswith("sg-"):
        problems.append(Problem("name_prefix", f"{prefix!r} names the security group "
                                f"'{prefix}-cache', and AWS refuses security group names that "
                                "begin with 'sg-' (the prefix of group ids); use another "
                                "prefix (it defaults to the stack name)."))


def resolve_network(cfg: NetworkConfig, defaults: AwsProfileDefaults, profile: str,
                    path: str, problems: list[Problem],
                    default_cidr: str | None = DEFAULT_VPC_CIDR) -> NetworkSpec | None:
    """`network:` of an AWS stack, or a secondary region's `global.network`: a new VPC from
    vpc_cidr (default_cidr when unset) or an existing one, and who may connect."""
    before = len(problems)
    if cfg.gcp is not None:
        problems.append(Problem(f"{path}.gcp", "options for gcp do not apply to a stack on aws; "
                                               "remove the block."))
    existing = uses_existing_network(cfg, "vpc_cidr (a new VPC) or vpc_id with subnet_ids (an "
                                          "existing VPC)", path, problems)
    if existing and (cfg.vpc_id is None or not cfg.subnet_ids):
        problems.append(Problem(path, "an existing VPC needs both vpc_id and subnet_ids (at "
                                      "least one subnet)."))
    for key, values, pattern, what in (
            ("vpc_id", cfg.vpc_id, _VPC_ID, "a VPC id (vpc-0123456789abcdef0)"),
            ("subnet_ids", cfg.subnet_ids, _SUBNET_ID, "a subnet id (subnet-0123456789abcdef0)"),
            ("allowed_security_group_ids", cfg.allowed_security_group_ids, _SG_ID,
             "a security group id (sg-0123456789abcdef0)")):
        check_format(values, pattern, f"{path}.{key}", what, problems)

    vpc_cidr = None if existing else (cfg.vpc_cidr or default_cidr)
    if not existing and vpc_cidr is None:
        problems.append(Problem(path, "set vpc_cidr (a new VPC) or vpc_id with subnet_ids."))
    if vpc_cidr is not None:
        # AWS's smallest subnet is a /28.
        check_vpc_cidr(vpc_cidr, "AWS VPCs are /16 to /28 and each subnet takes 1/16 of the VPC",
                       f"{path}.vpc_cidr", problems)

    zones = cfg.availability_zones if cfg.availability_zones is not None \
        else defaults.availability_zones
    check_range(zones, AWS_LIMITS[f"network.availability_zones.{profile}"],
                f"{path}.availability_zones", problems)

    allowed = cfg.allowed_cidrs
    if allowed is not None:
        check_allowed_cidrs(allowed, f"{path}.allowed_cidrs", problems)
        check_each_once(allowed, f"{path}.allowed_cidrs", problems)
    else:
        # The default is the new VPC's own range, checked (and reported) as vpc_cidr: a refused
        # vpc_cidr is one problem, not a second one under a key the user did not write.
        allowed = [vpc_cidr] if vpc_cidr is not None else []
    check_each_once(cfg.allowed_security_group_ids, f"{path}.allowed_security_group_ids",
                    problems)
    if existing and not allowed and not cfg.allowed_security_group_ids:
        problems.append(Problem(path, "with an existing VPC, set allowed_cidrs or "
                                      "allowed_security_group_ids: otherwise no client could "
                                      "connect."))
    if len(problems) > before:
        return None
    return NetworkSpec(vpc_cidr=vpc_cidr, vpc_id=cfg.vpc_id, subnet_ids=tuple(cfg.subnet_ids or ()),
                       availability_zones=zones, allowed_cidrs=tuple(allowed),
                       allowed_security_group_ids=tuple(cfg.allowed_security_group_ids))


def secondary_networks(caches: list[CacheSpec], primary: NetworkSpec, defaults: AwsProfileDefaults,
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
        network = resolve_network(cfg or NetworkConfig(), defaults, profile, path, problems,
                                  default_cidr=default_cidr)
        if network is not None:
            networks[secondary] = network
    return networks


def cross_region_clients(caches: list[CacheSpec], region: str, primary_cfg: NetworkConfig,
                         primary: NetworkSpec, secondaries: dict[str, NetworkSpec],
                         problems: list[Problem]
                         ) -> tuple[NetworkSpec, dict[str, NetworkSpec], list[str]]:
    """Each region of a Global Datastore admits the clients of its other regions.

    The writer (the primary, and after a failover the promoted secondary) is in one region and
    clients in every region of the cache write to it, so each region's security group must admit
    the other regions' client ranges. Where allowed_cidrs is unset, the other regions' ranges are
    added to the default; where it is set, it must cover them. Routing between the regions is
    the user's (this stack peers nothing): the plan says so. Clients admitted by security group
    cannot be admitted across regions: a warning says so.
    """
    # Per region: (network, whether allowed_cidrs was written, its key path).
    networks: dict[str, tuple[NetworkSpec, bool, str]] = {
        region: (primary, primary_cfg.allowed_cidrs is not None, "network")}
    for cache in caches:
        if cache.global_ is None:
            continue
        cfg = cache.global_.network
        for secondary in cache.global_.secondary_regions:
            if secondary not in secondaries:
                continue            # its network was refused, and that problem is reported
            if secondary not in networks or (
                    cfg is not None and not networks[secondary][1]
                    and cfg.allowed_cidrs is not None):
                networks[secondary] = (secondaries[secondary],
                                       cfg is not None and cfg.allowed_cidrs is not None,
                                       f"caches.{cache.name}.global.network")
    needed: dict[str, dict[str, None]] = {r: {} for r in networks}   # ordered sets
    warnings: list[str] = []
    for cache in caches:
        if cache.global_ is None:
            continue
        regions = [r for r in (region, *cache.global_.secondary_regions) if r in networks]
        for here in regions:
            network, _, path = networks[here]
            if network.allowed_security_group_ids:
                warning = (f"{path}.allowed_security_group_ids: security groups do not cross "
                           f"regions: the clients they admit reach only {here}'s members, not a "
                           f"primary of caches.{cache.name} in another region (now or after a "
                           "failover); list their CIDRs under allowed_cidrs to let them write.")
                if warning not in warnings:
                    warnings.append(warning)
            for there in regions:
                if there != here:
                    needed[here].update(dict.fromkeys(networks[there][0].allowed_cidrs))

    resolved: dict[str, NetworkSpec] = {}
    for here, (network, written, path) in networks.items():
        own = [ipaddress.ip_network(c, strict=False) for c in network.allowed_cidrs]
        missing = [c for c in needed[here] if not any(
            ipaddress.ip_network(c, strict=False).subnet_of(n) for n in own)]  # type: ignore[arg-type]
        if not missing:
            resolved[here] = network
        elif not written:
            resolved[here] = replace(network, allowed_cidrs=network.allowed_cidrs
                                     + tuple(missing))
        else:
            resolved[here] = network
            for there, (other, _, other_path) in networks.items():
                theirs = [c for c in missing if c in other.allowed_cidrs and there != here]
                if not theirs:
                    continue
                when = "" if here == region else " after a failover"
                problems.append(Problem(
                    f"{path}.allowed_cidrs", f"does not cover {', '.join(theirs)}, the clients "
                    f"of {there} ({other_path}.allowed_cidrs); with global:, they write to the "
                    f"primary in {here}{when}. Add them; routing between the regions (VPC "
                    "peering or a Transit Gateway) is yours: this stack builds none."))
    return (resolved[region], {r: n for r, n in resolved.items() if r != region}, warnings)
