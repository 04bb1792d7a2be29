"""CacheNetwork: private subnets, a closed security group and the cache subnet group."""

from __future__ import annotations

import json
from dataclasses import replace

import pulumi
import pulumi_aws as aws
import pytest

from components.aws.network import (
    ROLE_PATH,
    CacheNetwork,
    CacheNetworkArgs,
    flow_log_group_name,
    private_subnet_cidrs,
)
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


@pytest.mark.parametrize("preview", [False, True], ids=["update", "preview"])
def test_more_zones_than_the_account_has_is_refused_naming_the_ones_it_has(run, preview):
    # Only the lookup knows an account's zones (many list two in us-west-1); a zone lookup
    # runs in a preview too, so the preview already stops.
    with pytest.raises(pulumi.RunError) as refused:
        run(build(NEW, region="us-west-1"), preview=preview)
    assert str(refused.value) == (
        "network.availability_zones: 3 zones, but this account has 2 in the region "
        "(us-west-1a, us-west-1c); set network.availability_zones to 2 or fewer.")
    recorder = run(build(replace(NEW, availability_zones=2), region="us-west-1"), preview=preview)
    assert sorted(s.inputs["availabilityZone"] for s in recorder.of_type(
        "aws:ec2/subnet:Subnet")) == ["us-west-1a", "us-west-1c"]


def test_a_subnet_keeps_its_zone_when_the_zone_list_shifts(run):
    # The zone names are looked up on every run, by position; a zone the account gains would
    # shift them, and a changed zone replaces the subnet (ForceNew).
    recorder = run(build(NEW))
    subnets = recorder.of_type("aws:ec2/subnet:Subnet")
    assert len(subnets) == 3
    assert all(s.ignore_changes == ["availabilityZone"] for s in subnets)


def test_subnets_are_placed_in_the_regions_standard_zones_only(run, monkeypatch):
    # DescribeAvailabilityZones (EC2 API Reference): "opt-in-status" is "opt-in-not-required"
    # for Availability Zones and "opted-in" or "not-opted-in" for Local and Wavelength Zones;
    # no "state" filter: a zone impaired for a while stays in the list, so neither the
    # subnets' positions nor the count the stack checks move during an outage.
    asked = []
    lookup = aws.get_availability_zones_output

    def recording(**kwargs):
        asked.append(kwargs)
        return lookup(**kwargs)

    monkeypatch.setattr(aws, "get_availability_zones_output", recording)
    run(build(NEW))
    [kwargs] = asked
    assert kwargs.get("state") is None
    assert [(f.name, f.values) for f in kwargs["filters"]] == [
        ("opt-in-status", ["opt-in-not-required"])]


def test_security_group_admits_only_cache_ports_from_allowed_sources(run):
    recorder = run(build(NEW))
    [group] = recorder.of_type("aws:ec2/securityGroup:SecurityGroup")
    assert "egress" not in group.inputs and "ingress" not in group.inputs
    # A renamed group is created before the old one, still holding caches, is deleted (the
    # bridge would delete first for a resource the program names).
    assert (group.delete_before_replace_defined, group.delete_before_replace) == (True, False)
    # The name the config checks (infra/config/aws_network.py: `<name_prefix>-cache`), and a
    # fixed description: EC2 cannot change a group's description, so a new one replaces the
    # group (ForceNew in terraform-provider-aws ec2/vpc_security_group.go).
    assert group.inputs["name"] == "test-cache"
    assert group.inputs["description"] == (
        "managed-cache test: cache ports from allowed ranges only")
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


def test_an_ingress_rule_is_named_after_its_source_not_its_place(run):
    # Removing a source from the middle must not turn a remaining rule into another one that
    # still exists (EC2 refuses the duplicate): each rule keeps its name whatever the order.
    def names(cidrs):
        recorder = run(build(replace(NEW, ports=[6379], allowed_cidrs=cidrs,
                                     allowed_security_group_ids=[])))
        return {r.inputs["cidrIpv4"]: (r.name, r.aliased) for r in recorder.of_type(INGRESS)}

    three = names(["10.40.0.0/16", "10.41.0.0/16", "10.42.0.0/16"])
    two = names(["10.42.0.0/16", "10.40.0.0/16"])
    assert three["10.42.0.0/16"][0] == two["10.42.0.0/16"][0] == "net-in-6379-cidr-10-42-0-0-16"
    assert three["10.40.0.0/16"][0] == two["10.40.0.0/16"][0]
    # Aliased to the name its place gave it before, so existing stacks keep their rules.
    assert all(aliased for _, aliased in three.values())


def test_subnet_group_spans_the_private_subnets(run):
    recorder = run(build(NEW))
    [group] = recorder.of_type("aws:elasticache/subnetGroup:SubnetGroup")
    assert group.inputs["name"] == "test-cache"
    assert group.inputs["description"] == "managed-cache test private subnets"
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


# ---------------------------------------------------------------------------------------------
# Default security group and VPC flow logs
# ---------------------------------------------------------------------------------------------
DEFAULT_SG = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
FLOW_LOG = "aws:ec2/flowLog:FlowLog"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
LOG_KEY = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"
LOGGED = replace(NEW, flow_logs=True, flow_log_retention_days=365, log_kms_key_arn=LOG_KEY)


def test_new_vpc_default_security_group_is_adopted_with_no_rules(run):
    recorder = run(build(NEW))
    [vpc] = recorder.of_type("aws:ec2/vpc:Vpc")
    [default] = recorder.of_type(DEFAULT_SG)
    assert default.inputs["vpcId"] == vpc.id
    assert vpc.urn in default.property_dependencies["vpcId"]
    # No rules at all: the provider removes AWS's allow-all ones when it adopts the group.
    assert "ingress" not in default.inputs and "egress" not in default.inputs
    assert default.parent == recorder.named("net").urn


def test_flow_logs_of_a_new_vpc_go_to_a_bounded_encrypted_log_group(run):
    recorder = run(build(LOGGED))
    [vpc] = recorder.of_type("aws:ec2/vpc:Vpc")
    [flow_log] = recorder.of_type(FLOW_LOG)
    [log_group] = recorder.of_type(LOG_GROUP)
    [role] = recorder.of_type(ROLE)
    assert flow_log.inputs["vpcId"] == vpc.id
    assert vpc.urn in flow_log.property_dependencies["vpcId"]
    assert (flow_log.inputs["trafficType"], flow_log.inputs["logDestinationType"]) == \
        ("ALL", "cloud-watch-logs")
    assert flow_log.inputs["logDestination"] == \
        "arn:aws:logs:us-east-1:123456789012:log-group:/aws/vpc-flow-logs/test-cache"
    assert flow_log.inputs["iamRoleArn"].startswith(
        "arn:aws:iam::123456789012:role/managed-cache/test-flow-")
    # Under the path the deployer policy is scoped to, capped by the boundary it requires.
    assert role.inputs["path"] == ROLE_PATH == "/managed-cache/"
    assert role.inputs["permissionsBoundary"] == \
        "arn:aws:iam::123456789012:policy/managed-cache-flow-logs-boundary"
    # CreateFlowLogs accepts 60 or 600 seconds only (EC2 API Reference, MaxAggregationInterval).
    assert flow_log.inputs["maxAggregationInterval"] in (60, 600)
    # The IAM console says what the role is for.
    assert flow_log_group_name("test") in role.inputs["description"]
    assert log_group.inputs["name"] == flow_log_group_name("test")
    assert flow_log_group_name("test") == "/aws/vpc-flow-logs/test-cache"
    assert log_group.inputs["retentionInDays"] == 365
    assert log_group.inputs["kmsKeyId"] == LOG_KEY
    # Only the flow-logs service, for this account's flow logs in this region, may assume it.
    [trust] = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    assert trust["Principal"] == {"Service": "vpc-flow-logs.amazonaws.com"}
    assert trust["Action"] == "sts:AssumeRole"
    assert trust["Condition"] == {
        "StringEquals": {"aws:SourceAccount": "123456789012"},
        "ArnLike": {"aws:SourceArn": "arn:aws:ec2:us-east-1:123456789012:vpc-flow-log/*"}}


def test_flow_log_role_may_write_to_its_log_group_only(run):
    recorder = run(build(LOGGED))
    [policy] = recorder.of_type(ROLE_POLICY)
    group = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/vpc-flow-logs/test-cache"
    statements = {s["Sid"]: s for s in json.loads(policy.inputs["policy"])["Statement"]}
    assert statements["WriteFlowLogs"]["Action"] == [
        "logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
    assert statements["WriteFlowLogs"]["Resource"] == [group, f"{group}:*"]
    assert statements["FindTheLogGroup"]["Action"] == "logs:DescribeLogGroups"
    assert statements["FindTheLogGroup"]["Resource"] == \
        "arn:aws:logs:us-east-1:123456789012:log-group:*"
    assert all(s["Effect"] == "Allow" and s["Resource"] != "*" for s in statements.values())
    assert "*" not in json.dumps([s["Action"] for s in statements.values()])


def test_the_flow_log_waits_for_its_write_permission(run):
    recorder = run(build(LOGGED))
    [policy], [flow_log] = recorder.of_type(ROLE_POLICY), recorder.of_type(FLOW_LOG)
    assert policy.urn in flow_log.dependencies


def test_without_flow_logs_no_log_group_role_or_flow_log(run):
    recorder = run(build(NEW))
    assert recorder.of_type(FLOW_LOG) == [] and recorder.of_type(LOG_GROUP) == []
    assert recorder.of_type(ROLE) == [] and recorder.of_type(ROLE_POLICY) == []


def test_an_existing_vpc_keeps_its_default_group_and_flow_logs_as_its_owner_set_them(run):
    args = CacheNetworkArgs(name_prefix="test", ports=[6379], allowed_cidrs=["10.0.0.0/8"],
                            vpc_id="vpc-0123456789abcdef0",
                            subnet_ids=["subnet-0123456789abcdef0"], flow_logs=True)
    recorder = run(build(args))
    assert recorder.of_type(DEFAULT_SG) == [] and recorder.of_type(FLOW_LOG) == []
    assert recorder.of_type(LOG_GROUP) == []


def test_flow_log_policies_allow_and_use_the_current_policy_language(run):
    """A Deny (or a policy in the 2008 language) in the trust policy leaves the flow log unable
    to assume its role: no flow logs are delivered, and nothing fails at deployment."""
    recorder = run(build(LOGGED))
    [role], [policy] = recorder.of_type(ROLE), recorder.of_type(ROLE_POLICY)
    for document in (json.loads(role.inputs["assumeRolePolicy"]),
                     json.loads(policy.inputs["policy"])):
        assert document["Version"] == "2012-10-17"
        assert [s["Effect"] for s in document["Statement"]] == ["Allow"] * len(
            document["Statement"])


def test_a_new_vpc_resolves_the_cache_endpoints(run):
    """ElastiCache endpoints are DNS names: without DNS support in the VPC clients cannot
    resolve them."""
    [vpc] = run(build(NEW)).of_type("aws:ec2/vpc:Vpc")
    assert vpc.inputs["enableDnsSupport"] is True
    assert vpc.inputs["enableDnsHostnames"] is True


def test_the_console_names_each_network_resource_after_the_prefix(run):
    # The console's Name column is the Name tag: without it a new VPC, its subnets and its
    # emptied default group show blank among an account's other networks.
    recorder = run(build(LOGGED))
    tagged = ("aws:ec2/vpc:Vpc", "aws:ec2/subnet:Subnet", "aws:ec2/securityGroup:SecurityGroup",
              DEFAULT_SG, FLOW_LOG)
    assert {r.name: r.inputs["tags"]["Name"] for r in recorder.registrations
            if r.type in tagged} == {
        "net-vpc": "test-cache", "net-sg": "test-cache", "net-flow-log": "test-cache",
        "net-private-1": "test-cache-private-1", "net-private-2": "test-cache-private-2",
        "net-private-3": "test-cache-private-3",
        "net-default-sg": "test-cache-default-no-rules"}
