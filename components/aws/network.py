"""Where caches live in one AWS region: private subnets (a new VPC or an existing one), a
security group that admits only the cache ports from allowed ranges, and a cache subnet group.

A VPC the component creates also gets its default security group emptied of every rule
(`aws.ec2.DefaultSecurityGroup` with none: the provider removes AWS's allow-all rules when it
adopts the group, per the resource's documentation in pulumi-aws), and, when asked, VPC flow
logs to a CloudWatch log group with a bounded retention, written through an IAM role that may
write to that log group only. An existing VPC is left as its owner configured it.
"""

from __future__ import annotations

import functools
import ipaddress
import json
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components import naming
from components.aws import kms
from components.component import Component, Outputs

# ec2/vpc_subnet.go: ForceNew; the zone a subnet was created in is kept (see _build_vpc).
SUBNET_ZONE = "availabilityZone"
# The IAM path of every role the stack creates (the flow-log role): the deployer policy's IAM
# statements reach only roles under it (docs/deployer-policy-aws.json), not the deployer's own
# role or any other role in the account.
ROLE_PATH = "/managed-cache/"
# The permissions boundary every such role carries, a managed policy an administrator creates
# once from docs/flow-logs-boundary-aws.json: the deployer may write roles only with it, so a
# role it creates can never do more than deliver flow logs (docs/first-deploy.md).
ROLE_BOUNDARY = "managed-cache-flow-logs-boundary"


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
    # VPC flow logs of a new VPC (all traffic, to CloudWatch Logs); off costs nothing.
    flow_logs: bool = False
    flow_log_retention_days: int = 365
    log_kms_key_arn: pulumi.Input[str] | None = None   # None: CloudWatch Logs' own encryption


def flow_log_group_name(name_prefix: str) -> str:
    """The CloudWatch log group a new VPC's flow logs go to (one per region)."""
    return f"/aws/vpc-flow-logs/{name_prefix}-cache"


def private_subnet_cidrs(vpc_cidr: str, count: int) -> list[str]:
    """One subnet per zone, each 1/16 of the VPC (a /16 gives /20s)."""
    network = ipaddress.IPv4Network(vpc_cidr)
    return [str(s) for s in list(network.subnets(prefixlen_diff=4))[:count]]


class CacheNetwork(Component[CacheNetworkArgs],
                   type_token="managed-cache:aws:CacheNetwork"):
    vpc_id: pulumi.Output[str]
    subnet_ids: pulumi.Output[list[str]]
    security_group_id: pulumi.Output[str]
    subnet_group_name: pulumi.Output[str]

    def build(self, name: str, args: CacheNetworkArgs) -> Outputs:
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
            # A new prefix renames the group: create it first and delete the old one last, once
            # the caches in it are gone (EC2 refuses to delete a group still attached to network
            # interfaces). Explicit, because the bridge deletes first whenever a program names a
            # resource itself; a new VPC may hold the same name.
            opts=pulumi.ResourceOptions(parent=self, delete_before_replace=False),
        )
        # (logical-name suffix, the suffix it had before, CIDR, security group, label) per
        # allowed source. A rule is named after its source, not its place in the list: removing
        # or reordering a source would otherwise modify a remaining rule into one that still
        # exists, which EC2 refuses as a duplicate (aws_vpc_security_group_ingress_rule updates
        # its rule in place, ModifySecurityGroupRules). The alias adopts the rules of stacks
        # created when the place named them, by today's place: such a stack takes this upgrade
        # with its source lists unchanged (docs/cloud-rules.md).
        sources: list[tuple[str, str, str | None, str | None, str]] = [
            *((f"cidr-{naming.logical_part(cidr)}", f"cidr{i}", cidr, None, cidr)
              for i, cidr in enumerate(args.allowed_cidrs)),
            *((naming.logical_part(sg), f"sg{i}", None, sg, f"security group {sg}")
              for i, sg in enumerate(args.allowed_security_group_ids)),
        ]
        for port in sorted(set(args.ports)):
            for suffix, placed, cidr, source_group, label in sources:
                aws.vpc.SecurityGroupIngressRule(
                    f"{name}-in-{port}-{suffix}",
                    security_group_id=group.id,
                    ip_protocol="tcp", from_port=port, to_port=port,
                    cidr_ipv4=cidr, referenced_security_group_id=source_group,
                    description=f"cache port {port} from {label}",
                    opts=pulumi.ResourceOptions(
                        parent=self, aliases=[pulumi.Alias(name=f"{name}-in-{port}-{placed}")]),
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
        return {
            "vpc_id": self.vpc_id,
            "subnet_ids": self.subnet_ids,
            "security_group_id": self.security_group_id,
            "subnet_group_name": self.subnet_group_name,
        }

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
        # Nothing uses the default group; without rules it admits and sends nothing should
        # something be launched into it by mistake (CIS AWS Foundations, EC2.2).
        aws.ec2.DefaultSecurityGroup(
            f"{name}-default-sg",
            vpc_id=vpc.id,
            tags={"Name": f"{args.name_prefix}-cache-default-no-rules"},
            opts=pulumi.ResourceOptions(parent=self),
        )
        if args.flow_logs:
            self._flow_logs(name, args, vpc.id)
        # Zone names come from the account (letters differ per account and region); local and
        # wavelength zones are excluded. The subnet count comes from config, so it is known at
        # preview; only the zone names are looked up. Every state, not only "available": a
        # zone that is impaired or constrained for a while must neither shift the subnets'
        # positions nor shrink the list below the configured count, which would stop every
        # preview of a live stack during the outage (_zone).
        zones = aws.get_availability_zones_output(
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
                # The lookup runs on every `pulumi up`: a zone the account gains (or one that
                # leaves it) shifts the ones after it, and availability_zone is ForceNew, so
                # subnets holding cache nodes would be replaced, and EC2 refuses the
                # replacement's overlapping CIDR. A subnet keeps the zone it was created in.
                opts=pulumi.ResourceOptions(parent=self, ignore_changes=[SUBNET_ZONE]),
            )
            subnets.append(subnet.id)
        return vpc.id, subnets


    def _flow_logs(self, name: str, args: CacheNetworkArgs, vpc_id: pulumi.Output[str]) -> None:
        child = pulumi.ResourceOptions(parent=self)
        log_group = aws.cloudwatch.LogGroup(
            f"{name}-flow-logs",
            name=flow_log_group_name(args.name_prefix),
            retention_in_days=args.flow_log_retention_days,
            kms_key_id=args.log_kms_key_arn,
            opts=child,
        )
        account = kms.account_of(self)
        # IAM names are global: a prefix keeps each region's role apart.
        role = aws.iam.Role(
            f"{name}-flow-logs-role",
            name_prefix=f"{args.name_prefix}-flow-logs-"[:38],
            path=ROLE_PATH,
            # Updated in place (PutRolePermissionsBoundary, iam/role.go update); the program
            # never removes it, which the deployer policy does not allow.
            permissions_boundary=account.apply(
                lambda a: f"arn:{a.partition}:iam::{a.account_id}:policy/{ROLE_BOUNDARY}"),
            description=f"managed-cache {args.name_prefix}: VPC flow logs to "
                        f"{flow_log_group_name(args.name_prefix)}",
            assume_role_policy=account.apply(_flow_logs_trust_policy),
            opts=child,
        )
        write = aws.iam.RolePolicy(
            f"{name}-flow-logs-write",
            role=role.id,
            policy=log_group.arn.apply(_flow_logs_write_policy),
            opts=child,
        )
        # The flow log needs the role's write permission, not only the role: without the
        # dependency both are created at once and the first deliveries may be refused.
        aws.ec2.FlowLog(
            f"{name}-flow-log",
            vpc_id=vpc_id,
            traffic_type="ALL",
            log_destination_type="cloud-watch-logs",
            log_destination=log_group.arn,
            iam_role_arn=role.arn,
            max_aggregation_interval=600,
            tags={"Name": f"{args.name_prefix}-cache"},
            opts=pulumi.ResourceOptions(parent=self, depends_on=[write]),
        )


def _flow_logs_trust_policy(account: kms.Account) -> str:
    """Only the flow-logs service, acting for this account's flow logs in this region
    (docs.aws.amazon.com/vpc/latest/userguide/flow-logs-iam-role.html)."""
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow",
        "Principal": {"Service": "vpc-flow-logs.amazonaws.com"},
        "Action": "sts:AssumeRole",
        "Condition": {
            "StringEquals": {"aws:SourceAccount": account.account_id},
            "ArnLike": {"aws:SourceArn": account.arn("ec2", "vpc-flow-log/*")},
        },
    }]})


def _flow_logs_write_policy(log_group_arn: str) -> str:
    """Write (and list streams) in the one log group; the actions the flow-logs service uses
    (docs.aws.amazon.com/vpc/latest/userguide/flow-logs-iam-role.html), none of them on "*"."""
    group = log_group_arn.removesuffix(":*")
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {
            "Sid": "WriteFlowLogs",
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
            "Resource": [group, f"{group}:*"],
        },
        {
            "Sid": "FindTheLogGroup",
            "Effect": "Allow",
            "Action": "logs:DescribeLogGroups",
            "Resource": group.rsplit(":log-group:", 1)[0] + ":log-group:*",
        },
    ]})


def _zone(names: list[str], index: int, args: CacheNetworkArgs) -> str:
    # Which zones an account has differs per account (many list two in us-west-1), so only
    # this lookup can tell; it runs in previews too. A RunError prints without a traceback.
    if index >= len(names):
        raise pulumi.RunError(
            f"network.availability_zones: {args.availability_zones} zones, but this account has "
            f"{len(names)} in the region ({', '.join(sorted(names))}); set "
            f"network.availability_zones to {len(names)} or fewer.")
    return sorted(names)[index]


