"""AWS networks: the stack's VPC (new or existing), the networks of Global Datastore secondary
regions, the client ranges each region must admit, and whether the caches fit the addresses of
the subnets the stack creates. Each rule appends a Problem."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import replace

from infra.catalog.aws import AwsProfileDefaults
from infra.config.aws_limits import AWS_LIMITS
from infra.config.common import (
    DEFAULT_VPC_CIDR,
    SUBNET_PREFIX_BITS,
    VPC_PREFIXES,
    Problem,
    check_allowed_cidrs,
    check_each_once,
    check_format,
    check_range,
    check_vpc_cidr,
    uses_existing_network,
)
from infra.config.schema import NetworkConfig
from infra.config.spec import CacheSpec, NetworkSpec, ServerlessCacheSpec

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
    elif existing and profile == "production" and len(cfg.subnet_ids or ()) == 1:
        # As network.availability_zones for a new VPC: one subnet is one zone, where Multi-AZ
        # has no zone to fail over to and Memcached nodes cannot spread (a single-az cluster).
        problems.append(Problem(f"{path}.subnet_ids", "one subnet puts every node in one zone; "
                                "production spreads nodes across at least 2 zones (Multi-AZ, "
                                "cross-az Memcached). List subnets in two or more zones."))
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


# ---------------------------------------------------------------------------------------------
# Addresses: the caches of a region must fit the subnets of the VPC the stack creates there.
# ---------------------------------------------------------------------------------------------
# AWS "reserves both the first four and the last IPv4 address in each subnet's CIDR block.
# They're not available for your use" (EC2 API CreateSubnet,
# https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSubnet.html; Amazon VPC user
# guide, Subnet sizing, https://docs.aws.amazon.com/vpc/latest/userguide/subnet-sizing.html).
RESERVED_PER_SUBNET = 5


def usable_addresses(prefix: int, zones: int) -> int:
    """What a new VPC of /`prefix` leaves for caches: one subnet per zone, each 1/16 of the VPC
    (components/aws/network.py private_subnet_cidrs), less the addresses AWS reserves in each."""
    return zones * (2 ** (32 - prefix - SUBNET_PREFIX_BITS) - RESERVED_PER_SUBNET)


def check_addresses(region: str, primary: NetworkSpec, secondaries: dict[str, NetworkSpec],
                    caches: list[CacheSpec], serverless: list[ServerlessCacheSpec],
                    problems: list[Problem], warnings: list[str]) -> None:
    """Each VPC the stack creates holds the caches of its region, or ElastiCache fails at apply
    time: a node takes an address of its subnet group's subnets ("note the number of available
    IP addresses. If the subnet has very few free IP addresses, you might be constrained as to
    how many more nodes you can add to the cluster", ElastiCache user guide, Creating a subnet
    group, https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/SubnetGroups.Creating.html),
    and a serverless cache deploys its VPC endpoint in each of its subnets (CreateServerlessCache
    SubnetIds: "the subnets where the VPC endpoint for the serverless cache will be deployed";
    "ElastiCache uses those subnets to allocate IP addresses for your cache", Choosing a network
    type for serverless caches). How many addresses the endpoint takes in a subnet is not
    documented: one is counted, the least it can take, so what is refused surely fails and a
    config that passes may still be a few addresses short. The check is on the total: how
    ElastiCache places nodes among the zones may exhaust one subnet sooner. Refused when the
    configured nodes do not fit; warned when only the auto scaling maxima do not (registering
    them succeeds, a later scale-out fails). An existing VPC (vpc_id) is not checked: its free
    addresses are unknown offline."""
    for here, network in {region: primary, **secondaries}.items():
        if network.vpc_cidr is None:
            continue
        # (cache, what takes addresses, addresses as configured, at the auto scaling maxima)
        takers: list[tuple[str, str, int, int]] = []
        for cache in caches:
            if here == region:
                takers.append((cache.name, "nodes", cache.nodes, _scaled_nodes(cache)))
            elif cache.global_ is not None and here in cache.global_.secondary_regions:
                nodes = cache.shards * (1 + cache.global_.secondary_replicas)
                takers.append((cache.name, "nodes", nodes, nodes))
        zones = network.availability_zones
        if here == region:
            takers += [(s.name, "addresses, its endpoint in each subnet", zones, zones)
                       for s in serverless]
        block = ipaddress.IPv4Network(network.vpc_cidr)
        path, subject, example_base = _cidr_source(here, region, block, primary, caches)
        usable = usable_addresses(block.prefixlen, zones)
        need = sum(t[2] for t in takers)
        most = sum(t[3] for t in takers)
        subnets = (f"{zones} subnet{'s' if zones > 1 else ''} of "
                   f"/{block.prefixlen + SUBNET_PREFIX_BITS}, each "
                   f"{2 ** (32 - block.prefixlen - SUBNET_PREFIX_BITS)} addresses less the "
                   f"{RESERVED_PER_SUBNET} AWS reserves")
        if need > usable:
            parts = "; ".join(f"caches.{name}: {count} {what}" for name, what, count, _ in takers)
            problems.append(Problem(path, f"{subject} leaves {usable} usable addresses in {here} "
                                    f"({subnets}), and the caches there take {need} ({parts}); "
                                    f"{_fix(need, zones, example_base)}."))
        elif most > usable:
            parts = "; ".join(f"caches.{name}: {top} {what}"
                              + (" at its scaler's maximum" if top > count else "")
                              for name, what, count, top in takers)
            warnings.append(f"{path}: at the auto scaling maxima the caches in {here} take {most} "
                            f"addresses ({parts}), past the {usable} usable in {subject} "
                            f"({subnets}); registering the maxima succeeds, but a scale-out "
                            f"past {usable} fails: {_fix(most, zones, example_base)}, or lower "
                            "the maxima.")


def _scaled_nodes(cache: CacheSpec) -> int:
    """The nodes of a cache at its auto scaling maxima (its configured nodes without)."""
    scaling = cache.autoscaling
    if scaling is None:
        return cache.nodes
    shards = scaling.shards.max if scaling.shards is not None else cache.shards
    replicas = scaling.replicas.max if scaling.replicas is not None else cache.replicas
    return shards * (1 + replicas)


def _cidr_source(here: str, region: str, block: ipaddress.IPv4Network, primary: NetworkSpec,
                 caches: list[CacheSpec]) -> tuple[str, str, ipaddress.IPv4Network]:
    """Where the prefix of `here`'s VPC `block` comes from: (key path, the block as the message
    names it, the block a fix resizes). A secondary region's VPC without a vpc_cidr of its own
    takes the primary's prefix (secondary_networks), so the fix is there."""
    if here == region:
        return "network.vpc_cidr", f"'{block}'", block
    for cache in caches:
        if cache.global_ is not None and here in cache.global_.secondary_regions \
                and cache.global_.network is not None \
                and cache.global_.network.vpc_cidr is not None:
            return f"caches.{cache.name}.global.network.vpc_cidr", f"'{block}'", block
    assert primary.vpc_cidr is not None         # a secondary's default block follows it
    return ("network.vpc_cidr", f"'{block}' (the VPC of {here}, which takes this prefix)",
            ipaddress.IPv4Network(primary.vpc_cidr))


def _fix(addresses: int, zones: int, block: ipaddress.IPv4Network) -> str:
    """The smallest VPC (the longest prefix) whose subnets hold `addresses`."""
    low, high = VPC_PREFIXES
    fits = [p for p in range(high, low - 1, -1) if usable_addresses(p, zones) >= addresses]
    if not fits:
        return (f"even a /{low} leaves only {usable_addresses(low, zones)}: use more availability "
                "zones or fewer nodes")
    example = ipaddress.IPv4Network((block.network_address, fits[0]), strict=False)
    return f"use a /{fits[0]} or a shorter prefix, e.g. '{example}'"
