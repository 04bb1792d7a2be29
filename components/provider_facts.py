"""What the clouds replace, reject or own: one table of provider facts, per (resource type,
argument).

Both the components (their `ignore_changes`) and the offline plan diff (infra/plan/diff.py)
read this table, so it lives in components/: components may not import infra, and infra may
import components. Mocks only echo inputs; these facts come from the providers' source and
issue trackers and the clouds' documentation, each with its source.

Three kinds of fact:
  replaces     changing the argument makes the provider delete and recreate the resource
               (ForceNew, or a CustomizeDiff that forces new under a condition);
  rejected     the API refuses the change, or accepts it and does not apply it
               (`not_applied`): `pulumi up` fails, or reports success and changes nothing;
  cloud_owned  the cloud sets the argument itself, so the program must not fight it: the
               components list it in `ignore_changes` where its condition holds.

A fact holds under a condition (components/fact_conditions.py): always, only for members of a
Global Datastore, only below Redis OSS 7.0.5, ... The components know their own conditions (a
component is told its Global Datastore role); the plan diff decides them from the two plans.

Arguments are Pulumi input names (camelCase), as the engine, `ignore_changes` and the plan see
them. Sources cite the Terraform providers Pulumi bridges, at the versions the pinned SDKs
bridge: pulumi-aws 7.51.1 bridges hashicorp/terraform-provider-aws v6 (a release after PR
#49110, whose GlobalReplicationGroup.parameter_group_name text its SDK carries); pulumi-gcp
10.2.0 bridges hashicorp/terraform-provider-google (generated from
GoogleCloudPlatform/magic-modules). The AWS ElastiCache facts were read from the 2026 v6
sources (replication_group.go at commit 001b6364c1a3b3045e152f655440a6d47eb44a70, with
cluster.go, global_replication_group.go and parameter_group.go of the same line); the exact
upstream commit pulumi-aws 7.51.1 pins could not be read offline (its repository is too large
to fetch), so a provider upgrade is the moment to re-read them. Its SDK carries an argument
approved upstream on 2026-08-24 (`auth_token_wo`, PR #49268), so it bridges a provider from
after that date, which holds these ElastiCache PRs, read from their PR branches: #46109
(member engine/version/parameter group kept by a CustomizeDiff), #46326 (approved 2026-05-28:
backups turned on without SnapshottingClusterId in cluster mode) and #47647 (approved June
2026: failover changes dropped on members). #48246 (a replication group's pending node type
and version read back, so a change held for the window does not show again; not its
parameter group, #49270) was still being tested on 2026-08-04: likely in, not confirmed.

The GCP resources' facts are in components/provider_facts_gcp.py, the Fact shape in
components/fact_model.py; FACTS below holds both clouds'.
"""

from __future__ import annotations

from components import resource_types as types
from components.fact_conditions import (
    ALWAYS,
    APPLIED_LATER,
    AUTOSCALED_REPLICAS,
    AUTOSCALED_SHARDS,
    CLUSTER_MODE_TURNED_ON,
    ENGINE_NOT_REDIS_TO_VALKEY,
    ENGINE_NOT_REDIS_VALKEY_SWAP,
    FOLLOWS_FAILOVER,
    GLOBAL_MEMBER,
    GLOBAL_PRIMARY,
    GLOBAL_PRIMARY_ONE_SHARD,
    GLOBAL_SECONDARY,
    LEAVES_DATA_TIERING,
    MEMCACHED,
    NOT_VALKEY_MAJOR_UPGRADE,
    RBAC_TO_AUTH_TOKEN,
    REDIS_BELOW_7_0_5,
    TO_SINGLE_AZ,
    USER_ID_KEPT,
    VALUE_REMOVED,
    VALUE_SET,
    VERSION_DOWNGRADE,
    WITHOUT_MAJOR_UPGRADE,
)
from components.fact_model import Fact
from components.fact_model import replaces as _replaces
from components.provider_facts_gcp import GCP_FACTS

# ---------------------------------------------------------------------------------------------
# Sources
# ---------------------------------------------------------------------------------------------
_TF_AWS = ("hashicorp/terraform-provider-aws v6 as bridged by pulumi-aws 7.51.1, "
           "internal/service/")
_RG_SRC = _TF_AWS + "elasticache/replication_group.go"
_CLUSTER_SRC = _TF_AWS + "elasticache/cluster.go"
_GLOBAL_SRC = _TF_AWS + "elasticache/global_replication_group.go"
_SERVERLESS_SRC = (_TF_AWS + "elasticache/serverless_cache.go (plan modifiers, read in the 2026 "
                   "v6 source, which has PRs #42208 and #45087)")
_GD_DOCS = ("https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/"
            "Redis-Global-Datastores-Getting-Started.html")
_MEMBER_REJECTED = ("https://github.com/crossplane-contrib/provider-upjet-aws/issues/1595 "
                    "(\"is part of a global cluster. Request rejected.\"); "
                    "https://github.com/hashicorp/terraform-provider-aws/issues/19929")


FACTS: tuple[Fact, ...] = (
    # --- aws_elasticache_replication_group --------------------------------------------------
    *_replaces(types.AWS_REPLICATION_GROUP,
               ("replicationGroupId", "atRestEncryptionEnabled", "kmsKeyId", "port",
                "subnetGroupName", "networkType",
                "globalReplicationGroupId", "securityGroupNames", "snapshotArns", "snapshotName"),
               _RG_SRC),
    # Optional, Computed and ForceNew: the program sends it only for r6gd nodes, and a group
    # moving off them keeps the value it has; ElastiCache refuses that node type change itself
    # (the next fact).
    *_replaces(types.AWS_REPLICATION_GROUP, ("dataTieringEnabled",), _RG_SRC,
               condition=VALUE_SET),
    *(Fact(type_, key, "rejected", LEAVES_DATA_TIERING,
           "ElastiCache does not scale a data-tiering group (r6gd) to nodes without data "
           "tiering, and a snapshot of one restores only into r6gd nodes: move the data to a "
           "new cache (another name) at the application level.",
           "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/data-tiering.html "
           "(Limitations: \"Scaling is not supported from a data tiering cluster ... to a "
           "cluster that does not use data tiering\")")
      # A Global Datastore scales through its global group (ModifyGlobalReplicationGroup).
      for type_, key in ((types.AWS_REPLICATION_GROUP, "nodeType"),
                         (types.AWS_GLOBAL_REPLICATION_GROUP, "cacheNodeType"))),
    Fact(types.AWS_REPLICATION_GROUP, "nodeGroupConfigurations", "replaces", ALWAYS,
         "Changing the explicit shard layout (ids, replica counts, slots) forces a new group "
         "(CustomizeDiff ForceNewIf).", _RG_SRC),
    Fact(types.AWS_REPLICATION_GROUP, "transitEncryptionEnabled", "replaces", REDIS_BELOW_7_0_5,
         "Below Redis OSS 7.0.5 TLS can only be chosen when the group is created (CustomizeDiff "
         "ForceNewIf engine_version_actual < 7.0.5).", _RG_SRC),
    Fact(types.AWS_REPLICATION_GROUP, "engineVersion", "replaces", VERSION_DOWNGRADE,
         "A version downgrade recreates the group (customizeDiffEngineVersionForceNewOnDowngrade).",
         _RG_SRC),
    Fact(types.AWS_REPLICATION_GROUP, "engine", "replaces", ENGINE_NOT_REDIS_TO_VALKEY,
         "Only Redis OSS to Valkey is an online upgrade; any other engine change recreates the "
         "group empty (customizeDiffEngineForceNewOnDowngrade).", _RG_SRC),
    Fact(types.AWS_REPLICATION_GROUP, "transitEncryptionMode", "rejected", REDIS_BELOW_7_0_5,
         "ElastiCache refuses a transit encryption mode below Redis OSS 7.0.5: \"Transit "
         "encryption mode is not supported for engine version 6.2.6. Please use engine version "
         "7.0.5 or higher.\"",
         "https://github.com/cloudposse/terraform-aws-elasticache-redis/pull/231"),
    Fact(types.AWS_REPLICATION_GROUP, "autoMinorVersionUpgrade", "cloud_owned", GLOBAL_MEMBER,
         "AWS turns auto minor version upgrade off on every member that joins a Global "
         "Datastore; sending it back is a modification AWS rejects on a member.",
         "https://github.com/hashicorp/terraform-provider-aws/issues/24919; "
         "https://github.com/terraform-aws-modules/terraform-aws-elasticache/issues/7"),
    *[Fact(types.AWS_REPLICATION_GROUP, argument, "cloud_owned", GLOBAL_PRIMARY,
           "Once the primary has joined a Global Datastore the global group owns it: changes "
           "go through the GlobalReplicationGroup, and ModifyReplicationGroup on a member is "
           "rejected. The provider itself keeps engine, version and parameter group on a member "
           "(a CustomizeDiff since terraform-provider-aws#46109) and drops failover changes "
           "(#47647), but not node type or shards, so the program ignores all six.",
           f"{_RG_SRC} (suppressDiffIfBelongsToGlobalReplicationGroup); "
           "https://github.com/hashicorp/terraform-provider-aws/pull/46109; "
           "https://github.com/hashicorp/terraform-provider-aws/pull/47647; " + _MEMBER_REJECTED)
      for argument in ("engine", "engineVersion", "nodeType", "numNodeGroups",
                       "automaticFailoverEnabled", "parameterGroupName")],
    Fact(types.AWS_REPLICATION_GROUP, "multiAzEnabled", "rejected", GLOBAL_PRIMARY_ONE_SHARD,
         "Multi-AZ follows the replicas, but the primary's automatic failover is the global "
         "group's (ignored here), so the provider checks the new Multi-AZ against the old "
         "failover: it refuses Multi-AZ without failover (0 -> 1+ replicas) and failover with "
         "one node (1+ -> 0). A primary with cluster mode disabled keeps 0 or 1+ replicas while "
         "it is in the Global Datastore.",
         f"{_RG_SRC} (replicationGroupValidateMultiAZAutomaticFailover, "
         "replicationGroupValidateAutomaticFailoverNumCacheClusters); "
         "https://github.com/pulumi/pulumi-go-provider/pull/575 (the engine resets ignored "
         "inputs to their old values before Check and Diff)"),
    *[Fact(types.AWS_REPLICATION_GROUP, argument, "cloud_owned", GLOBAL_SECONDARY,
           "A secondary inherits Multi-AZ and automatic failover from the primary, while the "
           "provider reads Multi-AZ as Optional with Default false, so an unset value plans "
           "true -> false, a modification AWS rejects on a member. Failover changes on a "
           "member the provider drops since terraform-provider-aws#47647; ignoring both keeps "
           "the preview quiet with either provider.",
           f"{_GD_DOCS}; https://github.com/hashicorp/terraform-provider-aws/issues/38557; "
           "https://github.com/hashicorp/terraform-provider-aws/pull/47647")
      for argument in ("multiAzEnabled", "automaticFailoverEnabled")],
    Fact(types.AWS_REPLICATION_GROUP, "numNodeGroups", "cloud_owned", AUTOSCALED_SHARDS,
         "Application Auto Scaling changes the shard count itself; the provider resizes the "
         "group whenever num_node_groups differs from state (ModifyReplicationGroupShard"
         "Configuration), so the configured count planned back would undo every scale-out.",
         f"{_RG_SRC}; https://github.com/hashicorp/terraform-provider-aws/pull/45893; "
         "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/AutoScaling.html"),
    Fact(types.AWS_REPLICATION_GROUP, "replicasPerNodeGroup", "cloud_owned", AUTOSCALED_REPLICAS,
         "Application Auto Scaling adds and removes replicas itself; the provider calls "
         "Increase/DecreaseReplicaCount whenever replicas_per_node_group differs from state, "
         "so the configured count planned back would undo every scale-out.",
         f"{_RG_SRC}; https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/"
         "AutoScaling-Using-Replicas.html"),
    Fact(types.AWS_REPLICATION_GROUP, "port", "cloud_owned", GLOBAL_SECONDARY,
         "A secondary inherits the primary's port; port is ForceNew and its DiffSuppressFunc "
         "only covers the default 6379, so an unset port on a secondary of a cache on another "
         "port would plan a replacement.", _RG_SRC),
    Fact(types.AWS_REPLICATION_GROUP, "clusterMode", "rejected", CLUSTER_MODE_TURNED_ON,
         "ElastiCache turns cluster mode on only through \"compatible\" first (\"To modify "
         "cluster mode from Disabled to Enabled, you must first set the cluster mode to "
         "Compatible\"), while the provider sends enabled (and the new shard count) in one "
         "update, so `pulumi up` fails. Create the cache with aws.cluster_mode: true to add "
         "shards later; for this group, set ClusterMode compatible by hand (modify-replication-"
         "group --cluster-mode compatible), move clients to the configuration endpoint, set it "
         "to enabled, then `pulumi refresh` before changing the shards.",
         f"{_RG_SRC} (resourceReplicationGroupUpdate: ClusterMode = cluster_mode); "
         "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/modify-cluster-mode.html; "
         "https://github.com/hashicorp/terraform-provider-aws/pull/38002"),
    Fact(types.AWS_REPLICATION_GROUP, "logDeliveryConfigurations", "rejected", APPLIED_LATER,
         "ElastiCache refuses a log delivery change that is not applied at once (\"You must set "
         "the apply-immediately parameter for all log delivery modifications\"), and the "
         "provider sends it with the group's apply_immediately, so the update fails with "
         "InvalidParameterValue. Set aws.apply_immediately: true for this update (its other "
         "changes then apply at once too).",
         "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Log_Delivery.html; "
         "https://github.com/hashicorp/terraform-provider-aws/issues/49842"),
    Fact(types.AWS_REPLICATION_GROUP, "userGroupIds", "rejected", RBAC_TO_AUTH_TOKEN,
         "The provider removes the user group in one ModifyReplicationGroup and adds the AUTH "
         "token in a second, with strategy ROTATE, so in between the group runs without any "
         "access control (a group without user groups or token admits every client), and "
         "after it the token is optional: clients without AUTH still connect. Make the move "
         "by hand (modify-replication-group --auth-token <token> --auth-token-update-strategy "
         "ROTATE --user-group-ids-to-remove <group> --apply-immediately in one call; create "
         "the token first with `pulumi up --target` on the cache's auth-token and read it from "
         "`pulumi stack export --show-secrets`), move clients to the token, then the same call "
         "with --auth-token-update-strategy SET and no user groups to make it required, and "
         "`pulumi refresh` before `pulumi up`.",
         f"{_RG_SRC} (resourceReplicationGroupUpdate: UserGroupIdsToRemove, then authInput); "
         "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/in-transit-encryption-disable"
         ".html; https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/"
         "API_ModifyReplicationGroup.html (AuthTokenUpdateStrategy)", not_applied=True),
    # --- aws_elasticache_user ---------------------------------------------------------------
    *_replaces(types.AWS_USER, ("userId",), _TF_AWS + "elasticache/user.go (user_id ForceNew)",
               "A new user id (it follows name_prefix) is a new user (ForceNew); its password "
               "comes from the same random password, so clients keep it but log in under the "
               "new user id."),
    *_replaces(types.AWS_USER_GROUP, ("userGroupId",),
               _TF_AWS + "elasticache/user_group.go (user_group_id ForceNew)"),
    Fact(types.AWS_USER, "userName", "rejected", USER_ID_KEPT,
         "user_name forces a new user, and user_id, which the program keeps per cache and "
         "user, is not auto-named: Pulumi creates the replacement first with the same user_id, "
         "and CreateUser refuses a duplicate id, so `pulumi up` fails. Switching a user between "
         "a password and IAM (`iam:`) changes its user name: add the user under a new name in "
         "aws.users instead (a new user id), move clients to it, then remove the old one.",
         _TF_AWS + "elasticache/user.go (user_id and user_name ForceNew)"),
    # --- aws_elasticache_cluster (Memcached) ------------------------------------------------
    *_replaces(types.AWS_CLUSTER, ("clusterId", "engine", "port", "subnetGroupName",
                         "transitEncryptionEnabled", "availabilityZone", "networkType",
                         "outpostMode", "preferredOutpostArn", "replicationGroupId",
                         "snapshotArns", "snapshotName"), _CLUSTER_SRC),
    Fact(types.AWS_CLUSTER, "nodeType", "replaces", MEMCACHED,
         "Memcached cannot scale vertically; a new node type recreates the cluster empty "
         "(clusterForceNewOnMemcachedNodeTypeChange).", _CLUSTER_SRC),
    Fact(types.AWS_CLUSTER, "azMode", "rejected", TO_SINGLE_AZ,
         "ModifyCacheCluster refuses single-az for a cluster whose nodes are in different zones "
         "(\"You cannot specify single-az if the Memcached cluster already has cache nodes in "
         "different Availability Zones\"), and the provider refuses cross-az with one node: a "
         "Memcached cluster cannot go down to one node in place. Keep two or more, or create a "
         "new cache (another name) with one.",
         "https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/"
         "API_ModifyCacheCluster.html (AZMode); " + _CLUSTER_SRC + " (clusterValidateAZMode)"),
    Fact(types.AWS_CLUSTER, "engineVersion", "replaces", VERSION_DOWNGRADE,
         "A version downgrade recreates the cluster "
         "(customizeDiffEngineVersionForceNewOnDowngrade).",
         _CLUSTER_SRC),
    # --- aws_elasticache_serverless_cache -----------------------------------------------------
    *_replaces(types.AWS_SERVERLESS_CACHE, ("name", "kmsKeyId", "snapshotArnsToRestores",
                                            "subnetIds"), _SERVERLESS_SRC,
               "A serverless cache cannot change this in place: the provider replaces it "
               "(RequiresReplace), empty."),
    Fact(types.AWS_SERVERLESS_CACHE, "engine", "replaces", ENGINE_NOT_REDIS_VALKEY_SWAP,
         "Only Redis OSS to Valkey and Valkey to Redis OSS are in place (ModifyServerlessCache); "
         "any other engine change replaces the cache empty (RequiresReplaceIf).",
         _SERVERLESS_SRC + "; https://github.com/hashicorp/terraform-provider-aws/pull/42208"),
    Fact(types.AWS_SERVERLESS_CACHE, "majorEngineVersion", "replaces", NOT_VALKEY_MAJOR_UPGRADE,
         "Only a Valkey major upgrade is in place; a downgrade, or a new major version of Redis "
         "OSS or Memcached, replaces the cache empty (RequiresReplaceIf).",
         _SERVERLESS_SRC + "; https://github.com/hashicorp/terraform-provider-aws/pull/45087"),
    # --- aws_elasticache_global_replication_group -------------------------------------------
    *_replaces(types.AWS_GLOBAL_REPLICATION_GROUP,
               ("globalReplicationGroupIdSuffix", "primaryReplicationGroupId"), _GLOBAL_SRC),
    Fact(types.AWS_GLOBAL_REPLICATION_GROUP, "primaryReplicationGroupId", "cloud_owned",
         FOLLOWS_FAILOVER,
         "The provider reads the member whose role is PRIMARY back into this argument, and a "
         "failover (`python -m ops failover`) makes the secondary's group the primary: after "
         "the next refresh or read the config's primary differs, and as the argument forces "
         "a new global group, every later `pulumi up` would plan a replacement (refused under "
         "protect, \"already exists\" without it).",
         f"{_GLOBAL_SRC} (resourceGlobalReplicationGroupRead: primary_replication_group_id = "
         "flattenGlobalReplicationGroupPrimaryGroupID(Members))"),
    Fact(types.AWS_GLOBAL_REPLICATION_GROUP, "engineVersion", "replaces", VERSION_DOWNGRADE,
         "A downgrade needs the global group and every member replaced: the provider refuses "
         "it (customizeDiffGlobalReplicationGroupEngineVersionErrorOnDowngrade), and the only "
         "way through, -replace by hand, recreates them empty.", _GLOBAL_SRC),
    Fact(types.AWS_GLOBAL_REPLICATION_GROUP, "parameterGroupName", "rejected",
         WITHOUT_MAJOR_UPGRADE,
         "ModifyGlobalReplicationGroup accepts a parameter group only together with a major "
         "engine upgrade; the provider refuses the plan (\"cannot change parameter group name "
         "without upgrading major engine version\").",
         f"{_GLOBAL_SRC} (paramGroupNameRequiresMajorVersionUpgrade); "
         "https://github.com/hashicorp/terraform-provider-aws/pull/49110"),
    # --- aws_elasticache_parameter_group ----------------------------------------------------
    *_replaces(types.AWS_PARAMETER_GROUP, ("name", "family", "description"),
               _TF_AWS + "elasticache/parameter_group.go"),
    Fact(types.AWS_PARAMETER_GROUP, "parameters", "rejected", GLOBAL_MEMBER,
         "When a group joins a Global Datastore, AWS attaches an auto-generated "
         "global-datastore-* parameter group to every member, so edits to the group this stack "
         "manages reach no node; the global group takes a parameter group only with a major "
         "engine upgrade. Edit the global-datastore-* group (AWS applies it to every member) "
         "or change parameters together with a major upgrade.",
         "https://github.com/hashicorp/terraform-provider-aws/pull/49110; " + _GD_DOCS,
         not_applied=True),
    # --- networking, keys, notifications, logs, DNS -----------------------------------------
    *_replaces(types.AWS_SUBNET_GROUP, ("name",), _TF_AWS + "elasticache/subnet_group.go"),
    # A new network.vpc_cidr replaces the VPC and its subnets, and ElastiCache cannot move a
    # live cache to another VPC: the update stops halfway with a second VPC beside the first.
    *_replaces(types.AWS_VPC, ("cidrBlock",), _TF_AWS + "ec2/vpc_.go (cidr_block ForceNew)"),
    *_replaces(types.AWS_SUBNET, ("cidrBlock", "availabilityZone", "vpcId"),
               _TF_AWS + "ec2/vpc_subnet.go (cidr_block, availability_zone, vpc_id ForceNew)"),
    *_replaces(types.AWS_KMS_KEY, ("customerMasterKeySpec", "keyUsage", "multiRegion",
                                   "customKeyStoreId", "xksKeyId"), _TF_AWS + "kms/key.go"),
    # A renamed alias is a new alias on the same key (the log key's moved to
    # alias/managed-cache/<prefix>/logs): the key and what it encrypts stay.
    *_replaces(types.AWS_KMS_ALIAS, ("name",), _TF_AWS + "kms/alias.go (name ForceNew)"),
    # A renamed alarm (per-shard Global Datastore lag, r6gd capacity alarms) is a new alarm:
    # alarms hold no data, only their history.
    *_replaces(types.AWS_METRIC_ALARM, ("name",),
               _TF_AWS + "cloudwatch/metric_alarm.go (alarm_name ForceNew)"),
    # A renamed dashboard (the region joined its name) is a new dashboard; it holds no data.
    *_replaces(types.AWS_DASHBOARD, ("dashboardName",),
               _TF_AWS + "cloudwatch/dashboard.go (dashboard_name ForceNew)"),
    *_replaces(types.AWS_SNS_TOPIC, ("name",), _TF_AWS + "sns/topic.go"),
    *_replaces(types.AWS_SNS_SUBSCRIPTION, ("topic", "protocol", "endpoint"),
               _TF_AWS + "sns/topic_subscription.go"),
    *_replaces(types.AWS_LOG_GROUP, ("name",), _TF_AWS + "logs/group.go"),
    *_replaces(types.AWS_ROUTE53_ZONE, ("name",), _TF_AWS + "route53/zone.go"),
    *_replaces(types.AWS_ROUTE53_RECORD, ("zoneId", "name"), _TF_AWS + "route53/record.go"),
    Fact(types.AWS_ROUTE53_RECORD, "records", "cloud_owned", FOLLOWS_FAILOVER,
         "The writer name follows the primary, which a Global Datastore failover moves to "
         "another region; `python -m ops failover` rewrites the record, so `pulumi up` must "
         "not point it back (docs/dns.md).",
         "https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/"
         "API_FailoverGlobalReplicationGroup.html"),
    Fact(types.AWS_ROUTE53_RECORD, "ttl", "cloud_owned", FOLLOWS_FAILOVER,
         "Any update of a record whose type stays is an UPSERT of the whole record set, its "
         "value included; with `records` ignored, Pulumi sends the value of the last `pulumi "
         "up` (the home region's endpoint, unless a refresh ran since the failover). A new "
         "network.dns.ttl would so point the writer name back at the demoted, read-only "
         "primary. `python -m ops failover` writes the configured TTL (a re-run against the "
         "current primary applies it alone).",
         _TF_AWS + "route53/record.go (resourceRecordUpdate: an UPSERT through "
         "resourceRecordCreate unless type or set_identifier change); "
         "https://github.com/pulumi/pulumi pkg/resource/deploy/step_generator.go "
         "(processIgnoreChanges keeps an ignored input's old value)"),
    *_replaces(types.AWS_ROUTE53_ZONE_ASSOCIATION, ("zoneId", "vpcId", "vpcRegion"),
               _TF_AWS + "route53/zone_association.go"),
    # The flow-log role holds no data; a new one means a new flow log (iamRoleArn below).
    *_replaces(types.AWS_IAM_ROLE, ("namePrefix", "path"),
               _TF_AWS + "iam/role.go (name, name_prefix, path ForceNew)"),
    # A flow log has no update: every argument forces a new one (it holds no data; its log
    # group keeps what was delivered).
    *_replaces(types.AWS_FLOW_LOG, ("vpcId", "trafficType", "logDestinationType",
                                    "logDestination", "iamRoleArn", "maxAggregationInterval"),
               _TF_AWS + "ec2/vpc_flow_log.go (every argument but tags ForceNew)"),
    # A new payload (endpoint, password) is a new version: the provider creates it and moves
    # AWSCURRENT, then deletes the old version once it only holds AWSPREVIOUS.
    *_replaces(types.AWS_SECRET_VERSION, ("secretId", "secretString"),
               _TF_AWS + "secretsmanager/secret_version.go (secret_id, secret_string ForceNew)"),
    *_replaces(types.AWS_SECRET, ("name",), _TF_AWS + "secretsmanager/secret.go (name ForceNew)",
               "A secret with a new name (it follows name_prefix) is a new secret (ForceNew), "
               "and the old one is scheduled for deletion, after which it cannot be read: "
               "clients must read the new name (the stack output `caches.<name>.secret`)."),
    Fact(types.AWS_SECRET, "kmsKeyId", "rejected", VALUE_REMOVED,
         "A secret whose customer key is removed from the config keeps that key: the provider "
         "calls UpdateSecret without KmsKeyId, which leaves the key as it is, and shows the same "
         "change on every later preview. Put the secret back under Secrets Manager's own key "
         "by hand (`aws secretsmanager update-secret --secret-id <name> --kms-key-id "
         "alias/aws/secretsmanager`, which re-encrypts its current and previous versions), "
         "then `pulumi refresh`; and keep the old key until then, or the secret cannot be "
         "read.",
         _TF_AWS + "secretsmanager/secret.go (resourceSecretUpdate sets KmsKeyId only "
         "`if v, ok := d.GetOk(names.AttrKMSKeyID); ok`); https://docs.aws.amazon.com/"
         "secretsmanager/latest/apireference/API_UpdateSecret.html",
         not_applied=True),
    # Application Auto Scaling: a target or policy of another group (its resource id follows
    # name_prefix) is a new one; it holds no data.
    *_replaces(types.AWS_SCALING_TARGET, ("resourceId", "scalableDimension", "serviceNamespace"),
               _TF_AWS + "appautoscaling/target.go"),
    *_replaces(types.AWS_SCALING_POLICY, ("name", "resourceId", "scalableDimension",
                                          "serviceNamespace"),
               _TF_AWS + "appautoscaling/policy.go"),
    *_replaces(types.AWS_SECURITY_GROUP, ("name", "description", "vpcId"),
               _TF_AWS + "ec2/vpc_security_group.go"),
    *_replaces(types.AWS_INGRESS_RULE, ("securityGroupId",),
               _TF_AWS + "ec2/vpc_security_group_ingress_rule.go"),
    *GCP_FACTS,
)


def facts_for(type_: str, argument: str | None = None) -> list[Fact]:
    """The facts about `type_` (and `argument`, when given), in table order."""
    return [f for f in FACTS if f.type == type_ and (argument is None or f.argument == argument)]


def types_with_facts() -> frozenset[str]:
    return frozenset(f.type for f in FACTS)


def ignored_arguments(type_: str, *conditions: str) -> list[str]:
    """`ignore_changes` for a `type_` resource registered where `conditions` hold: the
    arguments the cloud owns there, always-owned ones included. Sorted, without repeats."""
    holding = {ALWAYS, *conditions}
    return sorted({f.argument for f in FACTS
                   if f.type == type_ and f.kind == "cloud_owned" and f.condition in holding})
