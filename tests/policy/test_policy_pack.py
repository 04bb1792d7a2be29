"""Every policy of the CrossGuard pack with a passing and a violating resource, built as
pulumi-policy's ResourceValidationArgs / StackValidationArgs with the engine's property names."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pulumi_policy import (
    EnforcementLevel,
    PolicyResource,
    ResourceValidationPolicy,
    StackValidationPolicy,
)
from pulumi_policy.policy import _NotApplicableError
from pulumi_policy.proxy import UNKNOWN_BOOLEAN_VALUE, UNKNOWN_STRING_VALUE, unknown_checking_proxy

from components import resource_types as types
from infra.plan import rules
from policy import pack
from tests.policy.support import DEVELOPMENT, options, stack_resource, urn

RG = types.AWS_REPLICATION_GROUP
CLUSTER = types.AWS_CLUSTER
POLICY_DIR = Path(__file__).resolve().parents[2] / "policy"

# A replication group a platform team accepts in production.
GOOD_GROUP = {
    "replicationGroupId": "prod-sessions", "engine": "valkey", "engineVersion": "8.1",
    "atRestEncryptionEnabled": True, "kmsKeyId": "arn:aws:kms:us-east-1:1:key/k",
    "transitEncryptionEnabled": True, "transitEncryptionMode": "required",
    "authToken": "s3cret-token-value", "numCacheClusters": 3, "multiAzEnabled": True,
    "automaticFailoverEnabled": True, "snapshotRetentionLimit": 7,
    "finalSnapshotIdentifier": "prod-sessions-final",
}
GOOD_VALKEY = {
    "instanceId": "prod-sessions", "engineVersion": "VALKEY_8_0", "shardCount": 1,
    "replicaCount": 2, "authorizationMode": "IAM_AUTH",
    "transitEncryptionMode": "SERVER_AUTHENTICATION", "persistenceConfig": {"mode": "RDB"},
    "zoneDistributionConfig": {"mode": "MULTI_ZONE"}, "kmsKey": "projects/p/keys/k",
}


def group(**overrides):
    return {**GOOD_GROUP, **overrides}


def valkey(**overrides):
    return {**GOOD_VALKEY, **overrides}


def test_every_rule_of_the_pack_is_a_policy_with_level_severity_and_remediation(policies):
    assert list(policies) == [r.name for r in rules.POLICY_RULES]
    for rule in rules.POLICY_RULES:
        policy = policies[rule.name]
        assert policy.enforcement_level == EnforcementLevel(rule.enforcement)
        assert policy.severity is not None and policy.severity.value == rule.severity
        assert policy.remediation_steps and policy.description
        kind = ResourceValidationPolicy if rule.check else StackValidationPolicy
        assert isinstance(policy, kind)
    mandatory = {r.name for r in rules.POLICY_RULES if r.enforcement == "mandatory"}
    assert {"cache-encryption-at-rest", "cache-encryption-in-transit", "cache-authentication",
            "cache-private-ingress", "cache-backups", "cache-multi-az",
            "cache-deletion-protection", "cache-alarms"} == mandatory


def test_a_violation_names_the_plan_finding_and_says_how_to_fix_it(violations):
    [message] = violations("cache-encryption-at-rest", RG,
                           group(atRestEncryptionEnabled=False), name="sessions-group")
    assert message.startswith("[encryption-at-rest-off] sessions-group: encryption at rest is off")
    assert "Remediation: Set at_rest_encryption_enabled=True" in message


# --- encryption at rest ----------------------------------------------------------------------

def test_encryption_at_rest(violations):
    assert violations("cache-encryption-at-rest", RG, group()) == []
    assert len(violations("cache-encryption-at-rest", RG, group(atRestEncryptionEnabled=False)))
    # Unset is AWS's default: on for Valkey, off for Redis OSS ("Default: true when using
    # Valkey, false when using Redis OSS", ElastiCache API ReplicationGroup).
    props = group()
    del props["atRestEncryptionEnabled"]
    assert violations("cache-encryption-at-rest", RG, props) == []
    assert len(violations("cache-encryption-at-rest", RG, {**props, "engine": "redis"})) == 1
    # A single-node Redis cluster cannot encrypt at rest at all.
    assert len(violations("cache-encryption-at-rest", CLUSTER,
                          {"engine": "redis", "clusterId": "c", "numCacheNodes": 1})) == 1


# --- encryption in transit -------------------------------------------------------------------

def test_encryption_in_transit(violations):
    policy = "cache-encryption-in-transit"
    assert violations(policy, RG, group()) == []
    [preferred] = violations(policy, RG, group(transitEncryptionMode="preferred"))
    assert preferred.startswith("[encryption-in-transit-preferred]")
    assert violations(policy, RG, group(transitEncryptionEnabled=False))
    assert violations(policy, types.GCP_VALKEY, valkey()) == []
    assert violations(policy, types.GCP_VALKEY,
                      valkey(transitEncryptionMode="TRANSIT_ENCRYPTION_DISABLED"))
    # Memorystore for Redis: unset is the provider's default, DISABLED.
    assert violations(policy, types.GCP_REDIS, {"name": "r", "authEnabled": True})
    assert violations(policy, types.GCP_REDIS_CLUSTER, {
        "name": "rc", "transitEncryptionMode": "TRANSIT_ENCRYPTION_MODE_SERVER_AUTHENTICATION",
    }) == []
    assert violations(policy, CLUSTER, {"engine": "memcached", "clusterId": "m",
                                        "transitEncryptionEnabled": False})


# --- authentication --------------------------------------------------------------------------

def test_authentication(violations):
    policy = "cache-authentication"
    assert violations(policy, RG, group()) == []
    assert violations(policy, RG, group(authToken=None, userGroupIds=["ug-1"])) == []
    [message] = violations(policy, RG, group(authToken=None))
    assert message.startswith("[auth-off]")
    assert violations(policy, types.GCP_VALKEY, valkey()) == []
    assert violations(policy, types.GCP_VALKEY, valkey(authorizationMode="AUTH_DISABLED"))
    assert violations(policy, types.GCP_REDIS, {"name": "r", "authEnabled": False})
    assert violations(policy, types.AWS_SERVERLESS_CACHE, {"engine": "valkey", "name": "s"})
    assert violations(policy, types.AWS_SERVERLESS_CACHE,
                      {"engine": "valkey", "name": "s", "userGroupId": "ug"}) == []


def test_rbac_users_must_need_a_password(violations):
    policy = "cache-authentication"
    open_user = {"userId": "app", "userName": "app", "engine": "valkey",
                 "accessString": "on ~* +@all", "authenticationMode": {
                     "type": "no-password-required"}}
    [message] = violations(policy, types.AWS_USER, open_user)
    assert message.startswith("[rbac-user-without-password]")
    disabled = {**open_user, "accessString": "off ~* +@all"}
    assert violations(policy, types.AWS_USER, disabled) == []
    iam = {**open_user, "authenticationMode": {"type": "iam"}}
    assert violations(policy, types.AWS_USER, iam) == []
    # An access string computed from an output is unknown in a preview: no violation yet.
    computed = unknown_checking_proxy({**open_user, "accessString": UNKNOWN_STRING_VALUE})
    assert violations(policy, types.AWS_USER, computed) == []


# --- ingress from private ranges only --------------------------------------------------------

def test_private_ingress_on_aws(violations):
    policy = "cache-private-ingress"
    rule = types.AWS_INGRESS_RULE
    private = {"securityGroupId": "sg-1", "ipProtocol": "tcp", "fromPort": 6379,
               "toPort": 6379, "cidrIpv4": "10.40.0.0/16"}
    assert violations(policy, rule, private) == []
    [message] = violations(policy, rule, {**private, "cidrIpv4": "0.0.0.0/0"})
    assert message.startswith("[public-ingress]") and "0.0.0.0/0" in message
    # The engine sends numbers as doubles (protobuf Struct): the message keeps the port whole.
    [message] = violations(policy, rule, {**private, "cidrIpv4": "0.0.0.0/0",
                                          "fromPort": 6379.0, "toPort": 6379.0})
    assert "(port 6379);" in message
    assert violations(policy, rule, {**private, "cidrIpv4": None, "cidrIpv6": "::/0"})
    # A public web port is none of a cache's business (by default).
    web = {**private, "fromPort": 443, "toPort": 443, "cidrIpv4": "0.0.0.0/0"}
    assert violations(policy, rule, web) == []
    assert violations(policy, rule, web, config={"cachePorts": []})  # [] checks every port
    open_to_all = {"ingress": [
        {"protocol": "-1", "fromPort": 0, "toPort": 0, "cidrBlocks": ["0.0.0.0/0"]}]}
    assert violations(policy, types.AWS_SECURITY_GROUP, open_to_all)
    # A VPC's default security group takes the same inline rules.
    assert violations(policy, types.AWS_DEFAULT_SECURITY_GROUP, {**open_to_all, "vpcId": "v"})
    assert violations(policy, types.AWS_SECURITY_GROUP_RULE, {
        "type": "ingress", "protocol": "tcp", "fromPort": 6000, "toPort": 7000,
        "cidrBlocks": ["203.0.113.0/24"], "securityGroupId": "sg-1"})
    assert violations(policy, types.AWS_SECURITY_GROUP_RULE, {
        "type": "egress", "protocol": "-1", "fromPort": 0, "toPort": 0,
        "cidrBlocks": ["0.0.0.0/0"], "securityGroupId": "sg-1"}) == []


def test_private_ingress_on_gcp_ignores_deny_rules(violations):
    policy = "cache-private-ingress"
    deny_all = {"network": "n", "direction": "INGRESS", "priority": 65534,
                "denies": [{"protocol": "all"}], "sourceRanges": ["0.0.0.0/0"]}
    assert violations(policy, types.GCP_FIREWALL, deny_all) == []
    allow_public = {"network": "n", "allows": [{"protocol": "tcp", "ports": ["6379"]}],
                    "sourceRanges": ["0.0.0.0/0"]}
    assert violations(policy, types.GCP_FIREWALL, allow_public)
    allow_private = {**allow_public, "sourceRanges": ["10.40.0.0/16"]}
    assert violations(policy, types.GCP_FIREWALL, allow_private) == []
    ranges = {**allow_public, "allows": [{"protocol": "tcp", "ports": ["6000-7000"]}]}
    assert violations(policy, types.GCP_FIREWALL, ranges)



def test_a_gcp_allow_rule_without_any_source_admits_everyone(violations):
    # The Compute API applies an ingress rule without sources to 0.0.0.0/0; the provider lets
    # an empty sourceRanges through. Source tags or service accounts alone admit no range.
    policy = "cache-private-ingress"
    allow = {"network": "n", "allows": [{"protocol": "tcp", "ports": ["6379"]}]}
    for no_source in (allow, {**allow, "sourceRanges": []}, {**allow, "sourceRanges": [""]}):
        [message] = violations(policy, types.GCP_FIREWALL, no_source)
        assert "admits 0.0.0.0/0 (no source given" in message
    assert violations(policy, types.GCP_FIREWALL, {**allow, "sourceTags": ["app"]}) == []
    assert violations(policy, types.GCP_FIREWALL,
                      {**allow, "sourceServiceAccounts": ["app@p.iam.gserviceaccount.com"]}) == []
    assert violations(policy, types.GCP_FIREWALL, {**allow, "direction": "EGRESS"}) == []

# --- production: backups, Multi-AZ, deletion protection --------------------------------------

def test_backups_in_production(violations):
    policy = "cache-backups"
    assert violations(policy, RG, group()) == []
    found = violations(policy, RG, group(snapshotRetentionLimit=0, finalSnapshotIdentifier=None))
    assert [m.split("]")[0] for m in found] == ["[backups-off", "[final-snapshot-off"]
    assert violations(policy, types.GCP_VALKEY, valkey()) == []
    assert violations(policy, types.GCP_VALKEY, valkey(persistenceConfig={"mode": "DISABLED"}))
    assert violations(policy, types.GCP_REDIS, {"name": "r", "persistenceConfig": {
        "persistenceMode": "RDB"}}) == []


def test_production_rules_do_not_apply_in_development(violations):
    for policy in ("cache-backups", "cache-multi-az", "cache-deletion-protection",
                   "cache-customer-managed-key"):
        with pytest.raises(_NotApplicableError):
            violations(policy, RG, group(snapshotRetentionLimit=0, numCacheClusters=1),
                       config=DEVELOPMENT)
    # Other rules ignore the environment: TLS is required everywhere.
    assert violations("cache-encryption-in-transit", RG,
                      group(transitEncryptionEnabled=False), config=DEVELOPMENT)


def test_multi_az_in_production(violations):
    policy = "cache-multi-az"
    assert violations(policy, RG, group()) == []
    [message] = violations(policy, RG, group(numCacheClusters=1, multiAzEnabled=False,
                                             automaticFailoverEnabled=False))
    assert "no replica, Multi-AZ off, automatic failover off" in message
    assert violations(policy, RG, group(numCacheClusters=None, numNodeGroups=3,
                                        replicasPerNodeGroup=1)) == []
    # Replicas given shard by shard (node_group_configurations): the fewest decides.
    per_shard = group(numCacheClusters=None, numNodeGroups=2, nodeGroupConfigurations=[
        {"replicaCount": 2}, {"replicaCount": 1}])
    assert violations(policy, RG, per_shard) == []
    per_shard["nodeGroupConfigurations"][1]["replicaCount"] = 0
    assert "no replica" in violations(policy, RG, per_shard)[0]
    # A Global Datastore secondary inherits failover from the global group.
    assert violations(policy, RG, {"globalReplicationGroupId": "g", "numCacheClusters": 2}) == []
    assert violations(policy, types.GCP_REDIS, {"name": "r", "tier": "STANDARD_HA"}) == []
    assert violations(policy, types.GCP_REDIS, {"name": "r"})  # BASIC by default
    assert violations(policy, types.GCP_VALKEY, valkey(replicaCount=0))
    assert violations(policy, types.GCP_VALKEY,
                      valkey(zoneDistributionConfig={"mode": "SINGLE_ZONE", "zone": "a"}))
    memcached = {"engine": "memcached", "clusterId": "m", "numCacheNodes": 3,
                 "azMode": "cross-az"}
    assert violations(policy, CLUSTER, memcached) == []
    assert violations(policy, CLUSTER, {**memcached, "azMode": "single-az"})


def test_deletion_protection_in_production(violations):
    policy = "cache-deletion-protection"
    assert violations(policy, RG, group(), protect=True) == []
    [message] = violations(policy, RG, group(), name="sessions-group")
    assert message.startswith("[deletion-protection-off] sessions-group holds data")
    # Memorystore's own flag: unset means protected (provider default true).
    assert violations(policy, types.GCP_VALKEY, valkey()) == []
    assert violations(policy, types.GCP_VALKEY, valkey(deletionProtectionEnabled=False))
    assert violations(policy, types.GCP_REDIS, {"name": "r", "deletionProtection": False})
    assert violations(policy, types.AWS_GLOBAL_REPLICATION_GROUP,
                      {"globalReplicationGroupIdSuffix": "g"})


# --- engine support, keys, Memcached ----------------------------------------------------------

def test_engine_versions_out_of_support(violations):
    policy = "cache-engine-support"
    assert violations(policy, RG, group()) == []
    [redis6] = violations(policy, RG, group(engine="redis", engineVersion="6.2"))
    assert redis6.startswith("[redis-extended-support]") and "2027-01-31" in redis6
    [gcp] = violations(policy, types.GCP_MEMCACHED, {"name": "m", "nodeCount": 2,
                                                      "memcacheVersion": "MEMCACHE_1_6_15"})
    assert gcp.startswith("[gcp-memcached-deprecated]") and "2027-02-01" in gcp
    [old] = violations(policy, CLUSTER, {"engine": "memcached", "engineVersion": "1.6.6",
                                         "clusterId": "m"})
    assert old.startswith("[memcached-version-without-tls]")
    assert violations(policy, CLUSTER, {"engine": "memcached", "engineVersion": "1.6.22",
                                        "clusterId": "m"}) == []


def test_customer_managed_keys_are_advised_in_production(violations, policies):
    policy = "cache-customer-managed-key"
    assert policies[policy].enforcement_level == EnforcementLevel.ADVISORY
    assert violations(policy, RG, group()) == []
    assert violations(policy, RG, group(kmsKeyId=None))
    assert violations(policy, types.GCP_VALKEY, valkey(kmsKey=None))


def test_memcached_limits_are_flagged_as_advice(violations, policies):
    policy = "memcached-limits"
    assert policies[policy].enforcement_level == EnforcementLevel.ADVISORY
    assert violations(policy, RG, group()) == []
    found = violations(policy, CLUSTER, {"engine": "memcached", "clusterId": "m"})
    assert sorted(m.split("]")[0][1:] for m in found) == [
        "memcached-no-auth", "memcached-no-backups", "memcached-no-encryption-at-rest"]
    assert violations(policy, types.GCP_MEMCACHED, {"name": "m"})


# --- alarms for every cache (stack policy) ----------------------------------------------------

def test_every_cache_needs_an_alarm(stack_violations):
    cache = stack_resource(RG, group(), "sessions-group")
    alarm = stack_resource(types.AWS_METRIC_ALARM, {"dimensions": {
        "CacheClusterId": "prod-sessions-001"}, "namespace": "AWS/ElastiCache"}, "cpu")
    assert stack_violations("cache-alarms", [cache, alarm]) == []
    [(message, urn)] = stack_violations("cache-alarms", [cache])
    assert message.startswith("[no-alarms] sessions-group") and urn == cache.urn
    # An alarm of another cache does not count.
    other = stack_resource(types.AWS_METRIC_ALARM, {"dimensions": {
        "CacheClusterId": "prod-sessions2-001"}}, "other")
    assert len(stack_violations("cache-alarms", [cache, other])) == 1
    # An alarm built from the cache's outputs depends on it.
    wired = stack_resource(types.AWS_METRIC_ALARM, {"dimensions": {}}, "wired",
                           depends_on=(cache,))
    assert stack_violations("cache-alarms", [cache, wired]) == []


def test_every_memorystore_instance_needs_an_alert_policy(stack_violations):
    instance = stack_resource(types.GCP_VALKEY, valkey(instanceId="prod-sessions"), "sessions")
    secondary = stack_resource(types.GCP_VALKEY, valkey(instanceId="prod-sessions-use4"),
                               "secondary")
    policy = stack_resource(types.GCP_ALERT_POLICY, {"conditions": [{"conditionThreshold": {
        "filter": 'resource.labels.instance_id = monitoring.regex.full_match('
                  '"(projects/[^/]+/locations/[^/]+/instances/)?prod-sessions")'}}]}, "mem")
    [(_, urn)] = stack_violations("cache-alarms", [instance, secondary, policy])
    assert urn == secondary.urn  # the primary's alert names "prod-sessions" exactly


def test_a_preview_stack_reads_a_computed_output_the_program_left_unset_as_unset(
        stack_violations):
    # AnalyzeStack sends outputs. In a preview a standalone cluster's replicationGroupId, which
    # the provider computes, is unknown with no property dependency: still a cache to watch.
    pages = PolicyResource(CLUSTER, unknown_checking_proxy({
        "clusterId": "pages", "engine": "memcached", "numCacheNodes": 2,
        "replicationGroupId": UNKNOWN_STRING_VALUE}), urn(CLUSTER, "pages"), "pages",
        options(), None, None, [], {})
    [(message, where)] = stack_violations("cache-alarms", [pages])
    assert message.startswith("[no-alarms] pages") and where == pages.urn
    # A member whose group id comes from the group's output (unknown too) is still a member.
    rg = stack_resource(RG, group(), "sessions-group")
    alarm = stack_resource(types.AWS_METRIC_ALARM, {"dimensions": {
        "CacheClusterId": "prod-sessions-001"}}, "cpu")
    member = PolicyResource(CLUSTER, unknown_checking_proxy({
        "clusterId": "prod-sessions-004", "replicationGroupId": UNKNOWN_STRING_VALUE}),
        urn(CLUSTER, "member"), "member", options(), None, None, [rg],
        {"replicationGroupId": [rg]})
    assert stack_violations("cache-alarms", [rg, alarm, member]) == []


def test_a_member_whose_group_id_comes_from_an_invoke_is_still_a_member(stack_violations):
    # An output-form invoke on unknown arguments (get_replication_group_output(id=rg.id) while
    # rg is being created) resolves to an unknown without resources, so the engine records no
    # property dependency for it. The program set no engine: the provider takes exactly one of
    # engine and replicationGroupId, so this cluster is a group member, not a cache to watch.
    rg = stack_resource(RG, group(), "sessions-group")
    alarm = stack_resource(types.AWS_METRIC_ALARM, {"dimensions": {
        "CacheClusterId": "prod-sessions-001"}}, "cpu")
    member = PolicyResource(CLUSTER, unknown_checking_proxy({
        "clusterId": "prod-sessions-004", "engine": UNKNOWN_STRING_VALUE,
        "replicationGroupId": UNKNOWN_STRING_VALUE}),
        urn(CLUSTER, "member"), "member", options(), None, None, [], {})
    assert stack_violations("cache-alarms", [rg, alarm, member]) == []


# --- preview: unknown values are not violations -----------------------------------------------

def test_values_unknown_during_preview_are_not_violations(violations):
    props = unknown_checking_proxy(group(authToken=UNKNOWN_STRING_VALUE,
                                         atRestEncryptionEnabled=UNKNOWN_BOOLEAN_VALUE))
    assert violations("cache-authentication", RG, props) == []
    assert violations("cache-encryption-at-rest", RG, props) == []
    # An engine not known yet is no engine's rule: not Redis's (no at-rest default), and a
    # serverless cache or single cluster of unknown engine is not held to AUTH or backups.
    props = unknown_checking_proxy(group(engine=UNKNOWN_STRING_VALUE,
                                         atRestEncryptionEnabled=None))
    assert violations("cache-encryption-at-rest", RG, props) == []
    for type_, unknown_engine in ((types.AWS_SERVERLESS_CACHE, {"name": "c"}),
                                  (CLUSTER, {"clusterId": "c", "numCacheNodes": 1})):
        props = unknown_checking_proxy({**unknown_engine, "engine": UNKNOWN_STRING_VALUE})
        for policy in ("cache-authentication", "cache-backups", "cache-multi-az",
                       "cache-encryption-at-rest"):
            assert violations(policy, type_, props) == [], (type_, policy)
    # Known values in the same resource are still checked.
    props = unknown_checking_proxy(group(authToken=UNKNOWN_STRING_VALUE,
                                         transitEncryptionEnabled=False))
    assert violations("cache-encryption-in-transit", RG, props)


# --- the config files the PR workflow passes --------------------------------------------------

@pytest.mark.parametrize("environment", pack.ENVIRONMENTS)
def test_policy_config_files_set_the_environment_of_every_production_rule(environment):
    config = json.loads((POLICY_DIR / "config" / f"{environment}.json").read_text())
    production_rules = {r.name for r in rules.POLICY_RULES if r.production_only}
    assert set(config) == production_rules
    assert all(value == {"environment": environment} for value in config.values())


def test_a_bad_environment_is_refused_with_the_allowed_values():
    rule = next(r for r in rules.POLICY_RULES if r.production_only)
    with pytest.raises(ValueError, match="'prod' is not one of production, development"):
        pack.context(rule, {"environment": "prod"})
