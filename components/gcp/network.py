"""Where Memorystore instances attach: a VPC network (new, with one subnet per region, or an
existing one), private services access for Memorystore for Redis and Memcached, and a
gcp-memorystore service connection policy per region for Memorystore for Valkey.

- Redis and Memcached with `connect_mode=PRIVATE_SERVICE_ACCESS` need an allocated range
  (`compute.GlobalAddress`, purpose VPC_PEERING) and a `servicenetworking.Connection` created
  first; instances depend on `psa_connection`.
- Valkey creates its Private Service Connect endpoints through a
  `networkconnectivity.ServiceConnectionPolicy` (service class gcp-memorystore), one per network,
  region and class; instances depend on `connection_policies[region]`.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_gcp as gcp

PSA_SERVICE = "servicenetworking.googleapis.com"
MEMORYSTORE_SERVICE_CLASS = "gcp-memorystore"


@dataclass(frozen=True)
class MemorystoreNetworkArgs:
    name_prefix: str                        # physical names: "<prefix>-cache..."
    project: str
    region: str                             # the primary region
    vpc_cidr: str | None = None             # a new network, one subnet per region ...
    network: str | None = None              # ... or an existing one (name or full path)
    subnetworks: Sequence[str] = ()         # its subnets (full paths), for Valkey endpoints
    private_service_access: bool = False    # Redis or Memcached instances use the network
    create_psa_connection: bool = True      # False: the network already has one
    psa_range: str | None = None            # fixed range, or Google picks one of this size:
    psa_prefix_length: int = 20
    psc_regions: Sequence[str] = ()         # regions with Valkey instances
    create_service_connection_policy: bool = True
    # Providers of regions other than the primary (regional children use them).
    regional_providers: Mapping[str, pulumi.ProviderResource] = field(default_factory=dict)

    @property
    def regions(self) -> list[str]:
        """The primary region first, then every other region with Valkey instances."""
        return [self.region, *[r for r in self.psc_regions if r != self.region]]


def subnet_cidrs(vpc_cidr: str, regions: Sequence[str]) -> dict[str, str]:
    """One subnet per region, each 1/16 of vpc_cidr, in the order given."""
    carved = ipaddress.IPv4Network(vpc_cidr).subnets(prefixlen_diff=4)
    return {region: str(net) for region, net in zip(regions, carved, strict=False)}


class MemorystoreNetwork(pulumi.ComponentResource):
    network_id: pulumi.Output[str]                   # projects/<p>/global/networks/<name>
    subnet_ids: dict[str, list[pulumi.Output[str]]]  # by region
    psa_range_name: pulumi.Output[str] | None        # None: the network's existing ranges
    psa_connection: pulumi.Resource | None           # Redis / Memcached depend on it
    connection_policies: dict[str, pulumi.Resource]  # Valkey depends on the one of its region

    def __init__(self, name: str, args: MemorystoreNetworkArgs,
                 opts: pulumi.ResourceOptions | None = None):
        super().__init__("managed-cache:gcp:MemorystoreNetwork", name, None, opts)
        if args.vpc_cidr is not None:
            self.network_id, self.subnet_ids = self._build_network(name, args)
        else:
            assert args.network is not None, "an existing network needs its name"
            path = args.network if "/" in args.network \
                else f"projects/{args.project}/global/networks/{args.network}"
            self.network_id = pulumi.Output.from_input(path)
            self.subnet_ids = {}
            for subnet in args.subnetworks:
                region = subnet.split("/regions/")[1].split("/")[0]
                self.subnet_ids.setdefault(region, []).append(pulumi.Output.from_input(subnet))

        self.psa_range_name = None
        self.psa_connection = None
        if args.private_service_access and args.create_psa_connection:
            self._build_private_service_access(name, args)

        self.connection_policies = {}
        if args.create_service_connection_policy:
            for region in args.psc_regions:
                self.connection_policies[region] = gcp.networkconnectivity.ServiceConnectionPolicy(
                    f"{name}-psc-{region}",
                    name=f"{args.name_prefix}-memorystore-{region}",
                    location=region,
                    service_class=MEMORYSTORE_SERVICE_CLASS,
                    description=f"managed-cache {args.name_prefix}: Memorystore for Valkey "
                                f"endpoints in {region}",
                    network=self.network_id,
                    psc_config=gcp.networkconnectivity.ServiceConnectionPolicyPscConfigArgs(
                        subnetworks=self.subnet_ids.get(region, []),
                    ),
                    opts=self._in_region(region, args),
                )

        self.register_outputs({
            "network_id": self.network_id,
            "subnet_ids": {r: pulumi.Output.all(*ids) for r, ids in self.subnet_ids.items()},
            "psa_range_name": self.psa_range_name,
        })

    def _in_region(self, region: str, args: MemorystoreNetworkArgs) -> pulumi.ResourceOptions:
        # Regional children of other regions use that region's provider (one per region).
        provider = args.regional_providers.get(region) if region != args.region else None
        return pulumi.ResourceOptions(parent=self, provider=provider)

    def _build_network(self, name: str, args: MemorystoreNetworkArgs
                       ) -> tuple[pulumi.Output[str], dict[str, list[pulumi.Output[str]]]]:
        assert args.vpc_cidr is not None
        network = gcp.compute.Network(
            f"{name}-vpc",
            name=f"{args.name_prefix}-cache",
            description=f"managed-cache {args.name_prefix}: cache clients and endpoints",
            auto_create_subnetworks=False,
            routing_mode="GLOBAL",
            opts=pulumi.ResourceOptions(parent=self),
        )
        subnets: dict[str, list[pulumi.Output[str]]] = {}
        for region, cidr in subnet_cidrs(args.vpc_cidr, args.regions).items():
            subnet = gcp.compute.Subnetwork(
                f"{name}-subnet-{region}",
                name=f"{args.name_prefix}-cache-{region}",
                network=network.id,
                region=region,
                ip_cidr_range=cidr,
                private_ip_google_access=True,
                opts=self._in_region(region, args),
            )
            subnets[region] = [subnet.id]
        return network.id, subnets

    def _build_private_service_access(self, name: str, args: MemorystoreNetworkArgs) -> None:
        fixed = ipaddress.IPv4Network(args.psa_range) if args.psa_range else None
        allocated = gcp.compute.GlobalAddress(
            f"{name}-psa-range",
            name=f"{args.name_prefix}-cache-psa",
            description=f"managed-cache {args.name_prefix}: Memorystore for Redis/Memcached "
                        "private services access",
            purpose="VPC_PEERING",
            address_type="INTERNAL",
            address=str(fixed.network_address) if fixed else None,
            prefix_length=fixed.prefixlen if fixed else args.psa_prefix_length,
            network=self.network_id,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.psa_range_name = allocated.name
        self.psa_connection = gcp.servicenetworking.Connection(
            f"{name}-psa",
            network=self.network_id,
            service=PSA_SERVICE,
            reserved_peering_ranges=[allocated.name],
            # Deleting the connection fails while the producer still holds instances' addresses
            # (they linger after the instances are gone); removing the peering lets the
            # network be deleted in the same run (pulumi-gcp servicenetworking.Connection docs).
            deletion_policy="REMOVE_PEERING" if args.vpc_cidr is not None else None,
            opts=pulumi.ResourceOptions(parent=self),
        )
