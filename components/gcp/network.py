"""Where Memorystore instances attach: a VPC network (new, with one subnet per region, or an
existing one), private services access for Memorystore for Redis and Memcached, and a
gcp-memorystore service connection policy per region for Memorystore for Valkey.

- Redis and Memcached with `connect_mode=PRIVATE_SERVICE_ACCESS` need an allocated range
  (`compute.GlobalAddress`, purpose VPC_PEERING) and a `servicenetworking.Connection` created
  first; instances depend on `psa_connection`.
- Valkey creates its Private Service Connect endpoints through a
  `networkconnectivity.ServiceConnectionPolicy` (service class gcp-memorystore), one per network,
  region and class; instances depend on `connection_policies[region]`.
- A network in another project (a Shared VPC host, `network_project`) keeps the range and the
  policies in that project; the connection takes its project from the network path
  (google-beta services/servicenetworking/resource_service_networking_connection.go).
- On an existing network the connection may exist already, serving other producers: creating
  it again fails ("Cannot modify allocated ranges in CreateConnection"), so the create falls
  back to updating its ranges (`update_on_creation_fail`) with the ones it has
  (`psa_existing_ranges`) plus ours, and a destroy leaves both connection and range in place.

A network the component creates also gets explicit firewall rules and, when asked, subnet flow
logs. VPC firewall rules govern traffic to and from VM interfaces; Memorystore endpoints are
reached by clients' egress (Private Service Connect endpoints need egress allowed to their
addresses; docs.cloud.google.com/vpc/docs/configure-private-service-connect-services). So:

- `<prefix>-cache-deny-all-ingress`, priority 65534: nothing reaches anything in the network
  unless a rule of higher priority admits it (GCP's implied rule says the same at 65535; this
  one is visible, reviewable and cannot be mistaken for an absent firewall);
- `<prefix>-cache-allow-egress`, priority 1000: clients in the network may reach the cache
  ports of the network's own range (Valkey endpoints live in its subnets) and of the private
  services access range (Redis, Memcached), and keep doing so under an organisation's
  lower-priority egress deny. Nothing else is allowed by this stack.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_gcp as gcp

from components import naming
from components.component import Component, Outputs
from components.gcp.apis import COMPUTE, NETWORK_CONNECTIVITY, SERVICE_NETWORKING, needs

PSA_SERVICE = "servicenetworking.googleapis.com"
MEMORYSTORE_SERVICE_CLASS = "gcp-memorystore"
# Just above GCP's implied deny (65535), below every rule anyone adds on purpose.
DENY_ALL_INGRESS_PRIORITY = 65534
ALLOW_EGRESS_PRIORITY = 1000
# Subnet flow logs: the API's own defaults, written down (5-second aggregation, half the flows
# sampled, all metadata); pulumi-gcp compute.Subnetwork `log_config`.
FLOW_LOG_AGGREGATION, FLOW_LOG_SAMPLING, FLOW_LOG_METADATA = \
    "INTERVAL_5_SEC", 0.5, "INCLUDE_ALL_METADATA"


@dataclass(frozen=True)
class ServiceAccessArgs:
    """What an instance that connects through private services access takes (Memorystore for
    Redis and for Memcached): its id, its region and the network's PSA connection and range."""

    name: str                                # the instance id
    display_name: str
    region: str
    authorized_network: pulumi.Input[str]
    psa_connection: pulumi.Resource | None   # None: the network already has one
    # The allocated range's name; None: any. Used at creation only: the provider never reads
    # it back (reserved_ip_range / reserved_ip_range_id are ignore_read and ForceNew in
    # terraform-provider-google-beta redis/resource_redis_instance.go and
    # memcache/resource_memcache_instance.go), so the instances ignore later changes to it: an
    # adopted instance's imported state has none, and sending the stack's range would replace it.
    reserved_ip_range: pulumi.Input[str] | None


@dataclass(frozen=True)
class MemorystoreNetworkArgs:
    name_prefix: str                        # physical names: "<prefix>-cache..."
    project: str
    region: str                             # the primary region
    vpc_cidr: str | None = None             # a new network, one subnet per region ...
    network: str | None = None              # ... or an existing one (name or full path)
    subnetworks: Sequence[str] = ()         # its subnets (full paths), for Valkey endpoints
    private_service_access: bool = False    # Redis or Memcached instances use the network
    create_psa_connection: bool = True      # False: use the network's existing one as is
    psa_existing_ranges: Sequence[str] = ()  # existing network: its connection's ranges, kept
    network_project: str | None = None      # the network's project when not `project`
    psa_range: str | None = None            # fixed range, or Google picks one of this size:
    psa_prefix_length: int = 20
    psc_regions: Sequence[str] = ()         # regions with Valkey instances
    create_service_connection_policy: bool = True
    # A new network only: subnet flow logs (billed per GB of logs), and the TCP ports clients
    # may reach the caches on ("6379", "11000-13047"), for the egress rule.
    flow_logs: bool = False
    client_ports: Sequence[str] = ()
    # Providers of regions other than the primary (regional children use them).
    regional_providers: Mapping[str, pulumi.ProviderResource] = field(default_factory=dict)
    # Enabled APIs by service name (components/gcp/apis.py); empty: enabled elsewhere.
    apis: Mapping[str, pulumi.Resource] = field(default_factory=dict)

    @property
    def regions(self) -> list[str]:
        """The primary region first, then every other region with Valkey instances."""
        return [self.region, *[r for r in self.psc_regions if r != self.region]]


# A subnet's range is taken by position in the region list, which follows the caches' order in
# config: removing a cache with Valkey in a region moves the regions after it. A range that
# does not contain the old one replaces the subnet (compute/resource_compute_subnetwork.go,
# ForceNewIfChange IsShrinkageIpCidr), and the replacement's fixed name and the Private Service
# Connect endpoints in the old subnet make that fail. A subnet keeps the range it was created
# with.
SUBNET_RANGE = "ipCidrRange"
PSA_RANGES = "reservedPeeringRanges"


def subnet_cidrs(vpc_cidr: str, regions: Sequence[str]) -> dict[str, str]:
    """One subnet per region, each 1/16 of vpc_cidr, in the order given."""
    carved = ipaddress.IPv4Network(vpc_cidr).subnets(prefixlen_diff=4)
    return {region: str(net) for region, net in zip(regions, carved, strict=False)}


class MemorystoreNetwork(Component[MemorystoreNetworkArgs],
                         type_token="managed-cache:gcp:MemorystoreNetwork"):
    network_id: pulumi.Output[str]                   # projects/<p>/global/networks/<name>
    subnet_ids: dict[str, list[pulumi.Output[str]]]  # by region
    psa_range_name: pulumi.Output[str] | None        # None: the network's existing ranges
    psa_connection: pulumi.Resource | None           # Redis / Memcached depend on it
    connection_policies: dict[str, pulumi.Resource]  # Valkey depends on the one of its region

    def build(self, name: str, args: MemorystoreNetworkArgs) -> Outputs:
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
        psa_cidr: pulumi.Input[str] | None = None
        if args.private_service_access and args.create_psa_connection:
            psa_cidr = self._build_private_service_access(name, args)
        if args.vpc_cidr is not None:
            self._build_firewall(name, args, psa_cidr)

        self.connection_policies = {}
        if args.create_service_connection_policy:
            for region in args.psc_regions:
                self.connection_policies[region] = gcp.networkconnectivity.ServiceConnectionPolicy(
                    f"{name}-psc-{region}",
                    name=naming.gcp_connection_policy_name(args.name_prefix, region),
                    location=region,
                    service_class=MEMORYSTORE_SERVICE_CLASS,
                    description=f"managed-cache {args.name_prefix}: Memorystore for Valkey "
                                f"endpoints in {region}",
                    network=self.network_id,
                    project=args.network_project,
                    psc_config=gcp.networkconnectivity.ServiceConnectionPolicyPscConfigArgs(
                        subnetworks=self.subnet_ids.get(region, []),
                    ),
                    opts=self._in_region(region, args, NETWORK_CONNECTIVITY, COMPUTE),
                )

        return {
            "network_id": self.network_id,
            "subnet_ids": {r: pulumi.Output.all(*ids) for r, ids in self.subnet_ids.items()},
            "psa_range_name": self.psa_range_name,
        }

    def _in_region(self, region: str, args: MemorystoreNetworkArgs,
                   *apis: str) -> pulumi.ResourceOptions:
        # Regional children of other regions use that region's provider (one per region).
        provider = args.regional_providers.get(region) if region != args.region else None
        return pulumi.ResourceOptions(parent=self, provider=provider,
                                      depends_on=needs(args.apis, *apis))

    def _build_network(self, name: str, args: MemorystoreNetworkArgs
                       ) -> tuple[pulumi.Output[str], dict[str, list[pulumi.Output[str]]]]:
        assert args.vpc_cidr is not None
        network = gcp.compute.Network(
            f"{name}-vpc",
            name=naming.gcp_vpc_name(args.name_prefix),
            description=f"managed-cache {args.name_prefix}: cache clients and endpoints",
            auto_create_subnetworks=False,
            routing_mode="GLOBAL",
            opts=pulumi.ResourceOptions(parent=self, depends_on=needs(args.apis, COMPUTE)),
        )
        subnets: dict[str, list[pulumi.Output[str]]] = {}
        for region, cidr in subnet_cidrs(args.vpc_cidr, args.regions).items():
            subnet = gcp.compute.Subnetwork(
                f"{name}-subnet-{region}",
                name=naming.gcp_subnet_name(args.name_prefix, region),
                network=network.id,
                region=region,
                ip_cidr_range=cidr,
                private_ip_google_access=True,
                log_config=gcp.compute.SubnetworkLogConfigArgs(
                    aggregation_interval=FLOW_LOG_AGGREGATION, flow_sampling=FLOW_LOG_SAMPLING,
                    metadata=FLOW_LOG_METADATA) if args.flow_logs else None,
                opts=pulumi.ResourceOptions.merge(
                    self._in_region(region, args, COMPUTE),
                    pulumi.ResourceOptions(ignore_changes=[SUBNET_RANGE])),
            )
            subnets[region] = [subnet.id]
        return network.id, subnets

    def _build_private_service_access(self, name: str, args: MemorystoreNetworkArgs
                                      ) -> pulumi.Input[str]:
        """Allocates the range and connects it; returns the range as a CIDR."""
        owned = args.vpc_cidr is not None       # the stack created the network
        fixed = ipaddress.IPv4Network(args.psa_range) if args.psa_range else None
        allocated = gcp.compute.GlobalAddress(
            f"{name}-psa-range",
            name=naming.gcp_psa_range_name(args.name_prefix),
            description=f"managed-cache {args.name_prefix}: Memorystore for Redis/Memcached "
                        "private services access",
            purpose="VPC_PEERING",
            address_type="INTERNAL",
            address=str(fixed.network_address) if fixed else None,
            prefix_length=fixed.prefixlen if fixed else args.psa_prefix_length,
            network=self.network_id,
            project=args.network_project,
            opts=pulumi.ResourceOptions(parent=self, depends_on=needs(args.apis, COMPUTE),
                                        # still listed in a connection the stack leaves behind
                                        retain_on_delete=not owned),
        )
        self.psa_range_name = allocated.name
        self.psa_connection = gcp.servicenetworking.Connection(
            f"{name}-psa",
            network=self.network_id,
            service=PSA_SERVICE,
            reserved_peering_ranges=[*args.psa_existing_ranges, allocated.name],
            update_on_creation_fail=None if owned else True,
            # Own network: deleting the connection fails while the producer still holds
            # instances' addresses (they linger after the instances are gone); removing the
            # peering lets the network be deleted in the same run (pulumi-gcp 10
            # servicenetworking.Connection docs; magic-modules 15405d6f, newer than the
            # google-beta source provider_facts cites). Someone else's network: other producers
            # may use the connection; leave it.
            deletion_policy="REMOVE_PEERING" if owned else "ABANDON",
            # Someone else's network: other producers (Cloud SQL...) add their ranges to the
            # same connection, and the provider reads the whole list back and sends ours with
            # force (servicenetworking connection Update), which would drop theirs. Our ranges
            # only matter when the connection is created or taken over.
            opts=pulumi.ResourceOptions(parent=self,
                                        depends_on=needs(args.apis, SERVICE_NETWORKING, COMPUTE),
                                        ignore_changes=None if owned else [PSA_RANGES]),
        )
        if fixed is not None:
            return str(fixed)
        return pulumi.Output.concat(allocated.address, "/", str(args.psa_prefix_length))

    def _build_firewall(self, name: str, args: MemorystoreNetworkArgs,
                        psa_cidr: pulumi.Input[str] | None) -> None:
        assert args.vpc_cidr is not None
        child = pulumi.ResourceOptions(parent=self, depends_on=needs(args.apis, COMPUTE))
        gcp.compute.Firewall(
            f"{name}-deny-all-ingress",
            name=naming.gcp_firewall_name(args.name_prefix, "deny-all-ingress"),
            description=f"managed-cache {args.name_prefix}: no ingress unless a rule of higher "
                        "priority admits it",
            network=self.network_id,
            direction="INGRESS",
            priority=DENY_ALL_INGRESS_PRIORITY,
            denies=[gcp.compute.FirewallDenyArgs(protocol="all")],
            source_ranges=["0.0.0.0/0"],
            opts=child,
        )
        if not args.client_ports:
            return
        gcp.compute.Firewall(
            f"{name}-allow-egress",
            name=naming.gcp_firewall_name(args.name_prefix, "allow-egress"),
            description=f"managed-cache {args.name_prefix}: clients to the cache ports",
            network=self.network_id,
            direction="EGRESS",
            priority=ALLOW_EGRESS_PRIORITY,
            allows=[gcp.compute.FirewallAllowArgs(protocol="tcp",
                                                  ports=list(args.client_ports))],
            destination_ranges=[args.vpc_cidr, *([psa_cidr] if psa_cidr is not None else [])],
            opts=child,
        )
