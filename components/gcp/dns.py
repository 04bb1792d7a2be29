"""Stable private DNS names for Memorystore: a Cloud DNS private managed zone on the stack's VPC
network (or an existing zone that already sees it) and an A record per name.

Memorystore endpoints are IP addresses (Redis `host`, the Valkey discovery / primary / reader
endpoints, the Memcached discovery endpoint), so the records are A records, not CNAMEs.

A GCP VPC network spans every region, so one zone serves them all. A name with an address in
several regions (a Valkey cache with cross-region secondaries) gets a geolocation routing
policy: clients resolve the address of their own region (Cloud DNS answers a query from
another region with the nearest one), as the per-region Route 53 zones do on AWS.

The writer record (`<cache>-writer`) is created pointing at the primary instance and is then
left to the operator, who repoints it after a switchover: `ignore_changes=["rrdatas"]` keeps
`pulumi up` from flipping it back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_gcp as gcp

from components import fact_conditions as when
from components import provider_facts as facts
from components.component import Component, Outputs
from components.gcp.apis import DNS, needs
from components.resource_types import (
    GCP_RECORD_SET,
)

# Record properties the operator owns once the record exists (see the module docstring).
FAILOVER_OWNED = facts.ignored_arguments(GCP_RECORD_SET, when.FOLLOWS_FAILOVER)


@dataclass(frozen=True)
class AddressRecord:
    name: str                                    # fully qualified, e.g. "sessions.cache.internal"
    addresses: Mapping[str, pulumi.Input[str]]   # region -> IP address; several: geo routing
    follows_failover: bool = False               # created once, then changed by the operator

    @property
    def label(self) -> str:
        return self.name.split(".", 1)[0]


@dataclass(frozen=True)
class CloudDnsZoneArgs:
    zone: str                                    # DNS name, e.g. "cache.internal"
    zone_name: str                               # the managed zone's resource name
    network: pulumi.Input[str]                   # projects/<p>/global/networks/<name>
    ttl: int                                     # seconds, every record
    records: Sequence[AddressRecord] = ()
    # False: zone_name is an existing zone whose settings already list the network.
    create_zone: bool = True
    description: str = ""
    labels: Mapping[str, str] = field(default_factory=dict)
    # Enabled APIs by service name (components/gcp/apis.py); empty: enabled elsewhere.
    apis: Mapping[str, pulumi.Resource] = field(default_factory=dict)


class CloudDnsPrivateZone(Component[CloudDnsZoneArgs],
                          type_token="managed-cache:gcp:CloudDnsPrivateZone"):
    zone_name: pulumi.Output[str]
    names: list[str]                             # from config: known at preview

    def build(self, name: str, args: CloudDnsZoneArgs) -> Outputs:
        if args.create_zone:
            zone = gcp.dns.ManagedZone(
                f"{name}-zone",
                name=args.zone_name,
                dns_name=f"{args.zone}.",
                description=args.description or f"managed-cache names under {args.zone}",
                visibility="private",
                private_visibility_config=gcp.dns.ManagedZonePrivateVisibilityConfigArgs(
                    networks=[gcp.dns.ManagedZonePrivateVisibilityConfigNetworkArgs(
                        network_url=args.network)],
                ),
                labels=dict(args.labels),
                opts=pulumi.ResourceOptions(parent=self, depends_on=needs(args.apis, DNS)),
            )
            zone_name = zone.name
        else:
            zone_name = pulumi.Output.from_input(args.zone_name)

        for record in args.records:
            addresses = list(record.addresses.items())
            geo = len(addresses) > 1
            gcp.dns.RecordSet(
                f"{name}-{record.label}",
                managed_zone=zone_name,
                name=f"{record.name}.",
                type="A",
                ttl=args.ttl,
                rrdatas=None if geo else [addresses[0][1]],
                routing_policy=gcp.dns.RecordSetRoutingPolicyArgs(geos=[
                    gcp.dns.RecordSetRoutingPolicyGeoArgs(location=region, rrdatas=[address])
                    for region, address in addresses
                ]) if geo else None,
                opts=pulumi.ResourceOptions(
                    parent=self, depends_on=needs(args.apis, DNS),
                    ignore_changes=FAILOVER_OWNED if record.follows_failover else None),
            )

        self.zone_name = zone_name
        self.names = [record.name for record in args.records]
        return {"zone_name": self.zone_name, "names": self.names}
