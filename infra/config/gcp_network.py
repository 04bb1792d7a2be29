"""GCP networks: the stack's VPC network (new or existing, Shared VPC), private services access,
the subnets Valkey needs in each region, and the private DNS zone. Each rule appends a Problem
(sources: docs/cloud-rules.md)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from components import naming as resource_names
from infra import naming
from infra.catalog.gcp import _NETWORK, DEFAULT_PSA_PREFIX_LENGTH, SUBNETWORK
from infra.config.common import (
    DEFAULT_VPC_CIDR,
    SUBNETS_PER_VPC,
    Problem,
    check_format,
    check_private,
    check_range,
    check_vpc_cidr,
    parse_cidr,
    uses_existing_network,
)
from infra.config.gcp_limits import GCP_LIMITS
from infra.config.schema import GcpNetworkOptions, NetworkConfig
from infra.config.spec import DnsSpec, GcpCacheSpec, GcpNetworkSpec

PSA_PREFIX = GCP_LIMITS["network.gcp.psa_prefix_length"]


def resolve_network(cfg: NetworkConfig, profile: str,
                    problems: list[Problem]) -> GcpNetworkSpec | None:
    """`network:` for a GCP stack: a new VPC network from vpc_cidr, or an existing one."""
    path = "network"
    before = len(problems)
    # Keys with no Memorystore counterpart are refused, not silently ignored.
    if cfg.availability_zones is not None:
        problems.append(Problem(f"{path}.availability_zones", "Memorystore spreads nodes over "
                                "zones itself (Valkey zone distribution, Redis STANDARD_HA); "
                                "remove the key (caches.<name>.gcp.zone pins one zone)."))
    if cfg.allowed_cidrs is not None:
        problems.append(Problem(f"{path}.allowed_cidrs", "Memorystore has no per-instance "
                                "firewall: every client in the VPC network can connect; remove "
                                "the key and control access with the network, TLS and AUTH/IAM."))
    if "allowed_security_group_ids" in cfg.model_fields_set:
        problems.append(Problem(f"{path}.allowed_security_group_ids", "security groups exist on "
                                                                      "AWS only; remove the key."))

    existing = uses_existing_network(cfg, "vpc_cidr (a new VPC network) or vpc_id (an "
                                          "existing network, with subnet_ids for Valkey)",
                                     path, problems)
    if cfg.subnet_ids is not None and cfg.vpc_id is None:
        problems.append(Problem(f"{path}.subnet_ids", "needs vpc_id: subnets belong to an "
                                                      "existing network."))
    check_format(cfg.vpc_id, _NETWORK, f"{path}.vpc_id", "a VPC network; use its name or "
                 "projects/<project>/global/networks/<name>", problems)
    check_format(cfg.subnet_ids, SUBNETWORK, f"{path}.subnet_ids", "a subnetwork path; use "
                 "projects/<project>/regions/<region>/subnetworks/<name> (the region says where "
                 "Valkey endpoints live)", problems)

    vpc_cidr = None if existing else (cfg.vpc_cidr or DEFAULT_VPC_CIDR)
    vpc_net = check_vpc_cidr(vpc_cidr, "each region's subnet takes 1/16 of it",
                             f"{path}.vpc_cidr", problems) if vpc_cidr else None

    options = cfg.gcp or GcpNetworkOptions()
    prefix_length = DEFAULT_PSA_PREFIX_LENGTH
    psa_path = f"{path}.gcp"
    if options.psa_range is not None:
        psa = parse_cidr(options.psa_range, f"{psa_path}.psa_range", problems)
        if psa is not None:
            prefix_length = psa.prefixlen
            check_range(psa.prefixlen, PSA_PREFIX, f"{psa_path}.psa_range", problems)
            if check_private(options.psa_range, psa, f"{psa_path}.psa_range", problems) \
                    and vpc_net is not None and psa.overlaps(vpc_net):
                problems.append(Problem(f"{psa_path}.psa_range", f"{options.psa_range!r} "
                                        f"overlaps vpc_cidr {vpc_cidr!r}; the private services "
                                        "range must be outside the network's subnets."))
        if options.psa_prefix_length is not None:
            problems.append(Problem(psa_path, "set psa_range (a fixed range) or "
                                              "psa_prefix_length (Google picks the range), not "
                                              "both."))
    elif options.psa_prefix_length is not None:
        prefix_length = options.psa_prefix_length
        check_range(prefix_length, PSA_PREFIX, f"{psa_path}.psa_prefix_length", problems)
    if not options.create_psa_connection and (options.model_fields_set & {
            "psa_range", "psa_prefix_length", "psa_existing_ranges"}):
        problems.append(Problem(psa_path, "psa_range, psa_prefix_length and psa_existing_ranges "
                                          "only apply when create_psa_connection is true."))
    if options.psa_existing_ranges is not None and not existing:
        problems.append(Problem(f"{psa_path}.psa_existing_ranges", "a new VPC network has no "
                                "private services access yet; remove the key."))
    check_format(options.psa_existing_ranges, _RANGE_NAME, f"{psa_path}.psa_existing_ranges",
                 "an allocated range name; use the name of the compute global address (1 to 63 "
                 "lowercase letters, digits and hyphens, starting with a letter)", problems)
    network_project = _project_of(cfg.vpc_id)
    for i, subnet in enumerate(cfg.subnet_ids or []):
        subnet_project = _project_of(subnet)
        if network_project and subnet_project and subnet_project != network_project:
            problems.append(Problem(f"{path}.subnet_ids.{i}", f"is in project {subnet_project!r} "
                                    f"but the network is in {network_project!r}; a subnet "
                                    "belongs to its network's project (the Shared VPC host)."))
    if not existing and not (options.create_psa_connection
                             and options.create_service_connection_policy):
        problems.append(Problem(psa_path, "a new VPC network has no private services access "
                                          "and no connection policy yet; leave "
                                          "create_psa_connection and "
                                          "create_service_connection_policy true."))
    if len(problems) > before:
        return None
    return GcpNetworkSpec(
        vpc_cidr=vpc_cidr,
        network=cfg.vpc_id,
        subnetworks=tuple(cfg.subnet_ids or ()),
        psa_range=options.psa_range,
        psa_prefix_length=prefix_length,
        create_psa_connection=options.create_psa_connection,
        create_service_connection_policy=options.create_service_connection_policy,
        psa_existing_ranges=tuple(options.psa_existing_ranges)
        if options.psa_existing_ranges is not None else None,
    )


# Compute resource names (a global address): RFC 1035, 1 to 63 characters.
_RANGE_NAME = re.compile(r"^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$")


def _project_of(path: str | None) -> str | None:
    """'projects/<p>/...' -> '<p>'; a bare name -> None."""
    if path and path.startswith("projects/") and path.count("/") >= 2:
        return path.split("/")[1]
    return None


def check_stack(region: str, network: GcpNetworkSpec, caches: Sequence[GcpCacheSpec],
                problems: list[Problem], project: str = "", prefix: str = "") -> None:
    """Rules that need the region, the network and the caches together."""
    valkey = [c for c in caches if c.engine == "valkey"]
    psa_engines = any(c.engine != "valkey" for c in caches)
    _check_network_names(prefix, region, network, caches, problems)
    if network.network is not None and psa_engines and network.create_psa_connection \
            and network.psa_existing_ranges is None:
        # Creating a connection on a network that has one fails; updating it replaces its
        # ranges (force). Only the user knows which ranges are there.
        problems.append(Problem("network.gcp.psa_existing_ranges", "is required with an "
                                "existing network (vpc_id) when the stack adds a private services "
                                "range for Redis or Memcached: list the allocated ranges the "
                                "network's servicenetworking connection already has ([] if it "
                                "has none), so they are kept; or set "
                                "network.gcp.create_psa_connection: false to use its private "
                                "services access as it is."))
    if project and network.network is not None and network.network_project is None:
        for i, subnet in enumerate(network.subnetworks):
            subnet_project = _project_of(subnet)
            if subnet_project and subnet_project != project:
                problems.append(Problem(f"network.subnet_ids.{i}", f"is in project "
                                        f"{subnet_project!r} but the network is in {project!r}; "
                                        "a subnet belongs to its network's project (the Shared "
                                        "VPC host)."))
    regions = valkey_regions(region, caches)
    if network.vpc_cidr is not None:
        count = len(set(regions) | {region})
        if count > SUBNETS_PER_VPC:
            problems.append(Problem("network.vpc_cidr", f"{count} regions need a subnet each but "
                                    f"vpc_cidr holds {SUBNETS_PER_VPC}; use fewer secondary "
                                    "regions."))
    elif valkey and network.create_service_connection_policy:
        have = network.subnet_regions()
        for needed in regions:
            if needed not in have:
                names = ", ".join(c.name for c in valkey
                                  if needed in (region, *c.secondary_regions))
                problems.append(Problem("network.subnet_ids", f"has no subnet in {needed}; Valkey "
                                        f"caches ({names}) need one there for their Private "
                                        "Service Connect endpoints (or set network.gcp."
                                        "create_service_connection_policy: false if the network "
                                        "already has a gcp-memorystore policy in that region)."))


def _check_network_names(prefix: str, region: str, network: GcpNetworkSpec,
                         caches: Sequence[GcpCacheSpec], problems: list[Problem]) -> None:
    """The network resources the stack creates take names that start with the prefix, of at
    most 63 characters: compute Firewall and Subnetwork names (terraform-provider-google-beta
    verify.ValidateGCEName refuses longer ones at preview), and the service connection policy
    id, a resource id segment (https://google.aip.dev/122#resource-id-segments)."""
    valkey = valkey_regions(region, caches)
    names = []
    if network.vpc_cidr is not None:
        names += [resource_names.gcp_vpc_name(prefix),
                  resource_names.gcp_firewall_name(prefix, "deny-all-ingress"),
                  resource_names.gcp_firewall_name(prefix, "allow-egress"),
                  *(resource_names.gcp_subnet_name(prefix, r)
                    for r in dict.fromkeys([region, *valkey]))]
    if network.create_psa_connection and any(c.engine != "valkey" for c in caches):
        names.append(resource_names.gcp_psa_range_name(prefix))
    if network.create_service_connection_policy:
        names += [resource_names.gcp_connection_policy_name(prefix, r) for r in valkey]
    longest, most = max(names, key=len, default=""), resource_names.GCE_NAME_MAX
    if len(longest) > most:
        problems.append(Problem("name_prefix", f"{prefix!r} makes the network resource name "
                                f"{longest!r} {len(longest)} characters; Google Cloud allows at "
                                f"most {most} there. Use a prefix of at most "
                                f"{most - (len(longest) - len(prefix))} characters."))


# Cloud DNS managed zone names (the resource name, not the DNS name): 1-63 lowercase letters,
# digits and hyphens, starting with a letter and ending with a letter or digit.
_MANAGED_ZONE = re.compile(r"^[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$")
MANAGED_ZONE_NAME_MAX = 63


def check_dns(dns: DnsSpec, network: GcpNetworkSpec, prefix: str, problems: list[Problem]) -> None:
    """`network.dns` on GCP: one private managed zone on the stack's VPC network.

    `dns` is config.DnsSpec (shared rules already applied): `zone_ids` holds the primary
    region's existing zone, if any; GCP has no per-region zones (the network is global).
    """
    for zone_id in dns.zone_ids.values():
        if not _MANAGED_ZONE.match(zone_id):
            problems.append(Problem("network.dns.zone_id", f"{zone_id!r} is not a Cloud DNS "
                                    f"managed zone name; use the zone's name (1 to "
                                    f"{MANAGED_ZONE_NAME_MAX} lowercase letters, digits and "
                                    "hyphens, starting with a letter), e.g. "
                                    "'cache-internal'."))
        elif network.vpc_cidr is not None:
            # Cloud DNS lists the networks that see a private zone in the zone itself; there is
            # no separate binding resource a stack could add to someone else's zone.
            problems.append(Problem("network.dns.zone_id", "an existing zone cannot see a VPC "
                                    "network this stack creates (Cloud DNS lists the networks "
                                    "in the zone's own settings); set network.vpc_id to the "
                                    "network the zone serves, or remove zone_id to let the "
                                    "stack create the zone."))
    if not dns.zone_ids:
        name = naming.gcp_dns_zone_name(prefix)
        if len(name) > MANAGED_ZONE_NAME_MAX:
            problems.append(Problem("network.dns", f"the managed zone name {name!r} would be "
                                    f"{len(name)} characters; Cloud DNS allows "
                                    f"{MANAGED_ZONE_NAME_MAX}. Shorten "
                                    "name_prefix or set zone_id to an existing zone."))


def valkey_regions(region: str, caches: Sequence[GcpCacheSpec]) -> list[str]:
    """Regions with Valkey instances: the primary first, then secondaries in config order."""
    regions: list[str] = []
    for cache in caches:
        if cache.engine != "valkey":
            continue
        for r in (region, *cache.secondary_regions):
            if r not in regions:
                regions.append(r)
    return regions
