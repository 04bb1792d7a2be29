"""Where caches live in one AWS region: private subnets (a new VPC or an existing one), a
security group that admits only the cache ports from allowed ranges, and a cache subnet group."""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws


@dataclass(frozen=True)
class CacheNetworkArgs:
    name_prefix: str                         # physical names: "<prefix>-cache"
    ports: Sequence[int]                     # cache ports to admit
    allowed_cidrs: Sequence[str]
    allowed_security_group_ids: Sequence[str] = ()
    vpc_cidr: str | None = None              # a new VPC with private subnets ...
    availability_zones: int = 2
    vpc_id: str | None = None                # ... or an existing VPC and its subnets
    subnet_ids: Sequence[str] = ()


def private_subnet_cidrs(vpc_cidr: str, count: int) -> list[str]:
    """One subnet per zone, each 1/16 of the VPC (a /16 gives /20s)."""
    network = ipaddress.IPv4Network(vpc_cidr)
    return [str(s) for s in list(network.subnets(prefixlen_diff=4))[:count]]


class CacheNetwork(pulumi.ComponentResource):
    vpc_id: pulumi.Output[str]
    subnet_ids: pulumi.Output[list[str]]
    security_group_id: pulumi.Output[str]
    subnet_group_name: pulumi.Output[str]

    def __init__(self, name: str, args: CacheNetworkArgs,
                 opts: pulumi.ResourceOptions | None = None):
        super().__init__("managed-cache:aws:CacheNetwork", name, None, opts)
        if args.vpc_cidr is not None:
            vpc_id, subnet_ids = self._build_vpc(name, args)
        else:
            assert args.vpc_id is not None, "an existing network needs vpc_id"
            vpc_id = pulumi.Output.from_input(args.vpc_id)
            subnet_ids = [pulumi.Output.from_input(s) for s in args.subnet_ids]

        group = aws.ec2.SecurityGroup(
            f"{name}-sg",
            name=f"{args.name_prefix}-cache",
            description=f"managed-cache {args.name_prefix}: cache ports from allowed ranges only",
            vpc_id=vpc_id,
            # No egress rules: caches only answer; the provider removes AWS's allow-all default.
            tags={"Name": f"{args.name_prefix}-cache"},
            opts=pulumi.ResourceOptions(parent=self),
        )
        # (logical-name suffix, CIDR, security group, label) per allowed source.
        sources: list[tuple[str, str | None, str | None, str]] = [
            *((f"cidr{i}", cidr, None, cidr) for i, cidr in enumerate(args.allowed_cidrs)),
            *((f"sg{i}", None, sg, f"security group {sg}")
              for i, sg in enumerate(args.allowed_security_group_ids)),
        ]
        for port in sorted(set(args.ports)):
            for suffix, cidr, source_group, label in sources:
                aws.vpc.SecurityGroupIngressRule(
                    f"{name}-in-{port}-{suffix}",
                    security_group_id=group.id,
                    ip_protocol="tcp", from_port=port, to_port=port,
                    cidr_ipv4=cidr, referenced_security_group_id=source_group,
                    description=f"cache port {port} from {label}",
                    opts=pulumi.ResourceOptions(parent=self),
                )

        subnet_group = aws.elasticache.SubnetGroup(
            f"{name}-subnets",
            name=f"{args.name_prefix}-cache",
            description=f"managed-cache {args.name_prefix} private subnets",
            subnet_ids=subnet_ids,
            opts=pulumi.ResourceOptions(parent=self),
        )

        self.vpc_id = vpc_id
        self.subnet_ids = pulumi.Output.all(*subnet_ids)
        self.security_group_id = group.id
        self.subnet_group_name = subnet_group.name
        self.register_outputs({
            "vpc_id": self.vpc_id,
            "subnet_ids": self.subnet_ids,
            "security_group_id": self.security_group_id,
            "subnet_group_name": self.subnet_group_name,
        })

    def _build_vpc(self, name: str, args: CacheNetworkArgs
                   ) -> tuple[pulumi.Output[str], list[pulumi.Output[str]]]:
        assert args.vpc_cidr is not None
        vpc = aws.ec2.Vpc(
            f"{name}-vpc",
            cidr_block=args.vpc_cidr,
            enable_dns_support=True,
            enable_dns_hostnames=True,
            tags={"Name": f"{args.name_prefix}-cache"},
            opts=pulumi.ResourceOptions(parent=self),
        )
        # Zone names come from the account (letters differ per account and region); local and
        # wavelength zones are excluded. The subnet count comes from config, so it is known at
        # preview; only the zone names are looked up.
        zones = aws.get_availability_zones_output(
            state="available",
            filters=[aws.GetAvailabilityZonesFilterArgs(name="opt-in-status",
                                                        values=["opt-in-not-required"])],
            opts=pulumi.InvokeOutputOptions(parent=self),
        )
        subnets = []
        for i, cidr in enumerate(private_subnet_cidrs(args.vpc_cidr, args.availability_zones)):
            subnet = aws.ec2.Subnet(
                f"{name}-private-{i + 1}",
                vpc_id=vpc.id,
                cidr_block=cidr,
                availability_zone=zones.names.apply(functools.partial(_zone, index=i, args=args)),
                map_public_ip_on_launch=False,
                tags={"Name": f"{args.name_prefix}-cache-private-{i + 1}"},
                opts=pulumi.ResourceOptions(parent=self),
            )
            subnets.append(subnet.id)
        return vpc.id, subnets


def _zone(names: list[str], index: int, args: CacheNetworkArgs) -> str:
    if index >= len(names):
        raise ValueError(f"network.availability_zones is {args.availability_zones} but the region "
                         f"offers {len(names)} zones ({', '.join(names)}); lower it.")
    return sorted(names)[index]
