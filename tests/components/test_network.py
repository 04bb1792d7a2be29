"""CacheNetwork: private subnets, a closed security group and the cache subnet group."""

from __future__ import annotations

import pulumi

from components.aws.network import CacheNetwork, CacheNetworkArgs, private_subnet_cidrs
from infra import providers

INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"


def build(args: CacheNetworkArgs, region: str = "us-east-1"):
    def program():
        CacheNetwork("net", args, opts=pulumi.ResourceOptions(
            providers=[providers.aws_provider(region, {})]))
    return program


NEW = CacheNetworkArgs(name_prefix="test", ports=[6379, 11211], allowed_cidrs=["10.40.0.0/16"],
                       allowed_security_group_ids=["sg-0123456789abcdef0"],
                       vpc_cidr="10.40.0.0/16", availability_zones=3)


def test_new_vpc_gets_one_private_subnet_per_zone(run):
    recorder = run(build(NEW))
    [vpc] = recorder.of_type("aws:ec2/vpc:Vpc")
    assert vpc.inputs["cidrBlock"] == "10.40.0.0/16"
    subnets = sorted(recorder.of_type("aws:ec2/subnet:Subnet"), key=lambda s: s.name)
    assert [s.inputs["cidrBlock"] for s in subnets] == ["10.40.0.0/20", "10.40.16.0/20",
                                                        "10.40.32.0/20"]
    assert [s.inputs["availabilityZone"] for s in subnets] == ["us-east-1a", "us-east-1b",
                                                               "us-east-1c"]
    assert all(s.inputs["mapPublicIpOnLaunch"] is False for s in subnets)
    # Nothing routes to the internet: no gateway is created.
    assert not [r for r in recorder.registrations if "Gateway" in r.type]


def test_security_group_admits_only_cache_ports_from_allowed_sources(run):
    recorder = run(build(NEW))
    [group] = recorder.of_type("aws:ec2/securityGroup:SecurityGroup")
    assert "egress" not in group.inputs and "ingress" not in group.inputs
    rules = sorted((r.inputs["fromPort"], r.inputs["toPort"],
                    r.inputs.get("cidrIpv4") or r.inputs.get("referencedSecurityGroupId"),
                    r.inputs["ipProtocol"])
                   for r in recorder.of_type(INGRESS))
    assert rules == [
        (6379, 6379, "10.40.0.0/16", "tcp"),
        (6379, 6379, "sg-0123456789abcdef0", "tcp"),
        (11211, 11211, "10.40.0.0/16", "tcp"),
        (11211, 11211, "sg-0123456789abcdef0", "tcp"),
    ]
    assert all(r.inputs["description"] for r in recorder.of_type(INGRESS))


def test_subnet_group_spans_the_private_subnets(run):
    recorder = run(build(NEW))
    [group] = recorder.of_type("aws:elasticache/subnetGroup:SubnetGroup")
    assert group.inputs["name"] == "test-cache"
    assert len(group.inputs["subnetIds"]) == 3
    assert all(s.startswith("subnet-") for s in group.inputs["subnetIds"])


def test_existing_vpc_creates_no_vpc_or_subnets(run):
    args = CacheNetworkArgs(name_prefix="test", ports=[6379], allowed_cidrs=["10.0.0.0/8"],
                            vpc_id="vpc-0123456789abcdef0",
                            subnet_ids=["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"])
    recorder = run(build(args))
    assert recorder.of_type("aws:ec2/vpc:Vpc") == []
    assert recorder.of_type("aws:ec2/subnet:Subnet") == []
    [group] = recorder.of_type("aws:ec2/securityGroup:SecurityGroup")
    assert group.inputs["vpcId"] == "vpc-0123456789abcdef0"
    [subnets] = recorder.of_type("aws:elasticache/subnetGroup:SubnetGroup")
    assert subnets.inputs["subnetIds"] == list(args.subnet_ids)


def test_subnets_are_a_sixteenth_of_the_vpc():
    assert private_subnet_cidrs("10.0.0.0/24", 2) == ["10.0.0.0/28", "10.0.0.16/28"]
