"""docs/deployer-policy-aws.json, the deployer's IAM policy (docs/first-deploy.md), keeps in
step with the AWS resource types the program creates: one statement per type, its Sid named
after the type, and no statement for a type the program does not create. Statements whose Sid
starts with "Also" cover what is not a resource of its own (lookups, the service-linked role,
log delivery, ElastiCache's use of a customer key)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from infra.plan.report import run_plan
from infra.stackfile import flat_stack_config
from tests.builders import aws_config, gcp_config

DOCS = Path(__file__).resolve().parents[2] / "docs"
POLICY = DOCS / "deployer-policy-aws.json"
FIRST_DEPLOY = DOCS / "first-deploy.md"


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
        actions = statement["Action"] if isinstance(statement["Action"], list) \
            else [statement["Action"]]
        for action in actions:
            assert re.fullmatch(r"[a-z0-9-]+:[A-Z][A-Za-z0-9]+", action), action  # no wildcards


def test_the_lookups_the_program_makes_are_allowed(policy):
    actions = {a for s in policy["Statement"]
               for a in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])}
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


# The API calls terraform-provider-aws (v6, bridged by pulumi-aws 7.x) makes for a type on
# create, read, update and delete, including finders, waiters, tagging and calls made only for
# arguments the program sets. Read from the provider's source, not inferred from the statement:
# mocks never call AWS, so a missing action shows only as AccessDenied on a real deploy. Types
# not listed here were not re-read against the source yet.
PROVIDER_CALLS = {
    # internal/service/elasticache/replication_group.go @001b6364 (create, read, update with
    # replica and shard changes, delete; a Global Datastore member's delete also disassociates
    # it and deletes its parameter group, deleteParameterGroup) and tags_gen.go @077ed06e.
    "ElasticacheReplicationGroup": {
        "elasticache:CreateReplicationGroup", "elasticache:DescribeReplicationGroups",
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
    # internal/service/ec2/vpc_subnet.go, resourceSubnetUpdate and resourceSubnetDelete: delete
    # first looks for lingering ENIs in the subnet (deleteLingeringENIs, DescribeNetworkInterfaces).
    "Ec2Subnet": {
        "ec2:ModifySubnetAttribute", "ec2:DescribeNetworkInterfaces", "ec2:DeleteSubnet"},
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
    # internal/service/logs/group.go @0073593e (retention and KMS key set and unset on update).
    "CloudwatchLogGroup": {
        "logs:CreateLogGroup", "logs:DescribeLogGroups", "logs:PutRetentionPolicy",
        "logs:DeleteRetentionPolicy", "logs:AssociateKmsKey", "logs:DisassociateKmsKey",
        "logs:DeleteLogGroup"},
    # internal/service/secretsmanager/secret_version.go @0042e8ea (the finder is GetSecretValue;
    # stage moves list the version ids first).
    "SecretsmanagerSecretVersion": {
        "secretsmanager:PutSecretValue", "secretsmanager:GetSecretValue",
        "secretsmanager:ListSecretVersionIds", "secretsmanager:UpdateSecretVersionStage"},
}


def test_each_statement_allows_the_calls_the_provider_makes_for_its_type(policy):
    statements = {s["Sid"]: s for s in policy["Statement"]}
    for sid, calls in PROVIDER_CALLS.items():
        assert sid in statements, sid
        action = statements[sid]["Action"]
        actions = set(action if isinstance(action, list) else [action])
        assert calls - actions == set(), (sid, sorted(calls - actions))

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
