"""Key policies for the customer-managed KMS keys, and the key that encrypts a region's logs.

Every key gets an explicit policy (a key created without one gets KMS's default policy, which
a reviewer cannot read in the program). Each policy has:

- the account root administering the key: the statement KMS's default policy has ("Allows
  access to the AWS account and enables IAM policies", docs.aws.amazon.com/kms/latest/
  developerguide/key-policy-default.html). Without it nobody could ever change the policy, and
  it is what lets the deploying role use the key through ElastiCache (IAM decides who);
- a statement per AWS service principal that uses the key on its own behalf, only on the keys
  that service needs and limited by a condition to this account or resource.

The account id and partition come from `aws.get_caller_identity` and the region from
`aws.get_region`, both invoked through the region's provider (the caller's parent): invokes
are answered in a preview too, so the policies are known before anything is created. The
policy text is built from those values only; no resource is created inside `apply`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from components.component import Component, Outputs

# Log data stays readable only while its key exists: keep the longest window to undo a
# mistaken deletion.
LOG_KEY_DELETION_WINDOW_DAYS = 30
# What CloudWatch Logs needs on a key that encrypts log groups
# (docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html).
LOGS_ACTIONS = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*",
                "kms:Describe*"]
# What a service publishing to a KMS-encrypted SNS topic needs on the topic's key
# (docs.aws.amazon.com/sns/latest/dg/sns-key-management.html, "Enable compatibility between
# event sources from AWS services and encrypted topics").
SNS_PUBLISHER_ACTIONS = ["kms:Decrypt", "kms:GenerateDataKey*"]


@dataclass(frozen=True)
class Account:
    """Where a key lives: the caller's account and partition, the provider's region."""

    account_id: str
    partition: str
    region: str

    @property
    def root(self) -> str:
        return f"arn:{self.partition}:iam::{self.account_id}:root"

    def arn(self, service: str, resource: str) -> str:
        return f"arn:{self.partition}:{service}:{self.region}:{self.account_id}:{resource}"



def account_of(parent: pulumi.Resource) -> pulumi.Output[Account]:
    """The account, partition and region of `parent`'s provider."""
    opts = pulumi.InvokeOutputOptions(parent=parent)
    identity = aws.get_caller_identity_output(opts=opts)
    region = aws.get_region_output(opts=opts)
    return pulumi.Output.all(identity.account_id, identity.arn, region.region).apply(
        lambda values: Account(account_id=values[0], partition=_partition(values[1]),
                               region=values[2]))


def _partition(caller_arn: str) -> str:
    parts = caller_arn.split(":")
    return parts[1] if len(parts) > 2 and parts[1] else "aws"


def policy_document(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def account_administers(account: Account) -> dict[str, Any]:
    return {
        "Sid": "AccountAdministersTheKey",
        "Effect": "Allow",
        "Principal": {"AWS": account.root},
        "Action": "kms:*",
        "Resource": "*",
    }


def logs_encrypt(account: Account, log_group_names: Sequence[str]) -> dict[str, Any]:
    """CloudWatch Logs in this region may use the key for these log groups only."""
    return {
        "Sid": "CloudWatchLogsEncryptsTheseLogGroups",
        "Effect": "Allow",
        "Principal": {"Service": f"logs.{account.region}.amazonaws.com"},
        "Action": LOGS_ACTIONS,
        "Resource": "*",
        "Condition": {"ArnEquals": {"kms:EncryptionContext:aws:logs:arn": [
            account.arn("logs", f"log-group:{name}") for name in sorted(set(log_group_names))]}},
    }


def sns_publisher(account: Account, sid: str, service: str, topic_arn: str,
                  source_account: bool) -> dict[str, Any]:
    """`service` may publish to the topic `topic_arn` (SNS names the topic in the encryption
    context of every call it makes with the key: AWS's own key policy for a service publishing
    to an encrypted topic conditions on `kms:EncryptionContext:aws:sns:topicArn`,
    https://docs.aws.amazon.com/gamelift/latest/flexmatchguide/queue-notification-sns-sse.html).
    `source_account` adds `aws:SourceAccount`, which CloudWatch's requests carry; EventBridge's
    do not ("Adding the aws:SourceAccount and aws:SourceArn to a AWS KMS policy is not supported
    for EventBridge-to-encrypted topics", SNS developer guide, sns-key-management; AWS's own
    grant for CloudWatch alarms conditions on both: awslabs modern-data-architecture-accelerator
    `grantCloudWatchAlarmsTopicAccess`). docs/first-deploy.md checks delivery end to end."""
    condition: dict[str, Any] = {"kms:EncryptionContext:aws:sns:topicArn": topic_arn}
    if source_account:
        condition["aws:SourceAccount"] = account.account_id
    return {
        "Sid": sid,
        "Effect": "Allow",
        "Principal": {"Service": service},
        "Action": SNS_PUBLISHER_ACTIONS,
        "Resource": "*",
        "Condition": {"StringEquals": condition},
    }


def cache_data_key(parent: pulumi.Resource, name: str, *, cache_id: str, what: str,
                   kms_key_arn: pulumi.Input[str] | None, create: bool, tags: dict[str, str],
                   opts: pulumi.ResourceOptions) -> pulumi.Output[str] | None:
    """The key that encrypts one cache's data at rest: the user's own (`kms_key_arn`), a new
    one with its alias (`create`), or None for the AWS-owned key. Returns the key ARN.

    A created key outlives its cache (`retain_on_delete`): the cache's final snapshot, the
    snapshots `python -m ops snapshot` takes and its connection secret are encrypted under it,
    and a key pending deletion cannot be used in any cryptographic operation
    (https://docs.aws.amazon.com/kms/latest/developerguide/deleting-keys.html), so deleting it
    with the cache would make them unreadable at once and lost after the waiting period. Its
    alias is removed, so a cache of the same id gets a new key. Schedule the old key's deletion
    by hand once nothing encrypted under it is needed (its description names the cache): a
    connection secret keeps the key until it is moved to Secrets Manager's own key by hand
    (UpdateSecret is sent without a key; `--diff` says NOT APPLIED for its kmsKeyId).

    The account administers it; ElastiCache (replication groups and serverless caches alike)
    uses it through grants it creates with the deploying role's permissions (IAM decides who),
    so the policy names no service principal.
    """
    if kms_key_arn is not None:
        return pulumi.Output.from_input(kms_key_arn)
    if not create:
        return None
    key = aws.kms.Key(
        f"{name}-kms",
        description=f"managed-cache: at-rest encryption of {what}{cache_id}",
        enable_key_rotation=True,
        deletion_window_in_days=30,
        policy=account_of(parent).apply(
            lambda account: policy_document(account_administers(account))),
        tags=tags,
        opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(retain_on_delete=True)),
    )
    aws.kms.Alias(
        f"{name}-kms-alias",
        name=f"alias/managed-cache/{cache_id}",
        target_key_id=key.key_id,
        opts=pulumi.ResourceOptions(parent=parent),
    )
    return key.arn


@dataclass(frozen=True)
class LogKeyArgs:
    alias: str                               # "alias/..."; aliases are per region
    log_group_names: Sequence[str]           # the region's log groups that use the key
    description: str = "managed-cache: encryption of CloudWatch log groups"
    tags: dict[str, str] = field(default_factory=dict)


class LogEncryptionKey(Component[LogKeyArgs],
                       type_token="managed-cache:aws:LogEncryptionKey"):
    """A region's customer-managed key for its CloudWatch log groups (cache slow and engine
    logs, VPC flow logs): only CloudWatch Logs in that region may use it, and only for the
    log groups named."""

    arn: pulumi.Output[str]

    def build(self, name: str, args: LogKeyArgs) -> Outputs:
        child = pulumi.ResourceOptions(parent=self)
        names = list(args.log_group_names)
        key = aws.kms.Key(
            f"{name}-kms",
            description=args.description,
            enable_key_rotation=True,
            deletion_window_in_days=LOG_KEY_DELETION_WINDOW_DAYS,
            policy=account_of(self).apply(
                lambda account: policy_document(account_administers(account),
                                                logs_encrypt(account, names))),
            tags=dict(args.tags),
            opts=child,
        )
        aws.kms.Alias(f"{name}-kms-alias", name=args.alias, target_key_id=key.key_id,
                      opts=child)
        self.arn = key.arn
        return {"arn": self.arn}
