"""Stable private DNS names for the caches of one AWS region: a Route 53 private hosted zone
associated with the region's VPC, and a CNAME per name.

One zone per region, every one with the same name (e.g. `cache.internal`): a private zone
answers only inside the VPCs associated with it, so the us-east-1 zone can point
`sessions.cache.internal` at the us-east-1 member of a Global Datastore while the eu-west-1
zone points the same name at the eu-west-1 member. Applications use one name in every region
and reach their local endpoint. (A single zone associated with every VPC would give every
region the same answer.)

The writer record of a Global Datastore (`<cache>-writer`) is created pointing at the primary
region's endpoint and from then on belongs to `python -m ops failover`, which UPSERTs it in
every region's zone: `ignore_changes=["records"]` keeps `pulumi up` from flipping it back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components import fact_conditions as when
from components import provider_facts as facts
from components.component import Component, Outputs
from components.resource_types import (
    AWS_ROUTE53_RECORD,
)

# Record properties the failover runbook owns once the record exists (see the module docstring).
FAILOVER_OWNED = facts.ignored_arguments(AWS_ROUTE53_RECORD, when.FOLLOWS_FAILOVER)


@dataclass(frozen=True)
class CnameRecord:
    name: str                            # fully qualified, e.g. "sessions.cache.internal"
    target: pulumi.Input[str]            # an endpoint host name (no port)
    follows_failover: bool = False       # created once, then changed only by `ops failover`

    @property
    def label(self) -> str:
        return self.name.split(".", 1)[0]


@dataclass(frozen=True)
class PrivateZoneArgs:
    zone: str                            # e.g. "cache.internal", the same in every region
    region: str
    vpc_id: pulumi.Input[str]            # the region's VPC
    ttl: int                             # seconds, every record
    records: Sequence[CnameRecord] = ()
    existing_zone_id: str | None = None  # write into this zone instead of creating one
    # With an existing zone: associate it with vpc_id. For a VPC this stack creates only; the
    # owner of an existing zone associates it with existing VPCs.
    associate_vpc: bool = False
    comment: str = ""
    tags: Mapping[str, str] = field(default_factory=dict)


class Route53PrivateZone(Component[PrivateZoneArgs],
                         type_token="managed-cache:aws:Route53PrivateZone"):
    zone_id: pulumi.Output[str]
    names: list[str]                     # from config: known at preview

    def build(self, name: str, args: PrivateZoneArgs) -> Outputs:
        child = pulumi.ResourceOptions(parent=self)
        if args.existing_zone_id is None:
            zone = aws.route53.Zone(
                f"{name}-zone",
                name=args.zone,
                comment=args.comment or None,
                # A zone with a VPC is private; only this region's VPC sees its answers.
                vpcs=[aws.route53.ZoneVpcArgs(vpc_id=args.vpc_id, vpc_region=args.region)],
                tags=dict(args.tags),
                opts=child,
            )
            zone_id = zone.zone_id
        else:
            zone_id = pulumi.Output.from_input(args.existing_zone_id)
            if args.associate_vpc:
                aws.route53.ZoneAssociation(
                    f"{name}-vpc",
                    zone_id=zone_id,
                    vpc_id=args.vpc_id,
                    vpc_region=args.region,
                    opts=child,
                )

        for record in args.records:
            aws.route53.Record(
                f"{name}-{record.label}",
                zone_id=zone_id,
                name=record.name,
                type="CNAME",
                ttl=args.ttl,
                records=[record.target],
                opts=pulumi.ResourceOptions(
                    parent=self,
                    ignore_changes=FAILOVER_OWNED if record.follows_failover else None),
            )

        self.zone_id = zone_id
        self.names = [record.name for record in args.records]
        return {"zone_id": self.zone_id, "names": self.names}
