"""The SNS topic one region's cache alarms notify, encrypted, with the stack's e-mail subscribers.

CloudWatch alarm actions must name a topic in the alarm's own region, so each region with caches
gets one. The topic is encrypted with a customer-managed KMS key whose policy lets CloudWatch
alarms use it: the AWS-managed key `alias/aws/sns` cannot be used here, because its key policy
does not allow CloudWatch to call kms:GenerateDataKey and cannot be edited; alarms publishing to
a topic encrypted with it fail with "CloudWatch Alarms does not have authorization to access
the SNS topic encryption key" and nobody is paged (AWS re:Post knowledge center,
"cloudwatch-configure-alarm-sns"). Only a region where no alarm pages (development) keeps the
free AWS-managed key: nothing is ever published to its topic.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

# A notification key encrypts messages in flight through SNS only, nothing at rest for long:
# the shortest deletion window is enough.
KEY_DELETION_WINDOW_DAYS = 7
AWS_MANAGED_SNS_KEY = "alias/aws/sns"


@dataclass(frozen=True)
class AlarmTopicArgs:
    topic_name: str                          # physical name; the same name in every region
    emails: Sequence[str] = ()               # each gets a confirmation e-mail from AWS
    display_name: str = "managed-cache alarms"
    # False when no alarm in the region pages (development): nothing is published, so the free
    # AWS-managed key encrypts the idle topic; turning paging on creates the customer key.
    customer_managed_key: bool = True
    tags: Mapping[str, str] = field(default_factory=dict)


class AlarmTopic(pulumi.ComponentResource):
    arn: pulumi.Output[str]
    kms_key_arn: pulumi.Output[str] | None

    def __init__(self, name: str, args: AlarmTopicArgs,
                 opts: pulumi.ResourceOptions | None = None):
        super().__init__("managed-cache:aws:AlarmTopic", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.kms_key_arn = self._kms_key(name, args) if args.customer_managed_key else None
        topic = aws.sns.Topic(
            f"{name}-topic",
            name=args.topic_name,
            display_name=args.display_name,
            kms_master_key_id=self.kms_key_arn if self.kms_key_arn is not None
            else AWS_MANAGED_SNS_KEY,
            tags=dict(args.tags),
            opts=child,
        )
        # One subscription per address, whatever its case or repetition in config.
        for email in sorted({e.lower(): e for e in args.emails}.values()):
            aws.sns.TopicSubscription(
                f"{name}-email-{_email_slug(email)}",
                topic=topic.arn,
                protocol="email",
                endpoint=email,
                opts=child,
            )
        self.arn = topic.arn
        self.register_outputs({"arn": self.arn, "kms_key_arn": self.kms_key_arn})

    def _kms_key(self, name: str, args: AlarmTopicArgs) -> pulumi.Output[str]:
        child = pulumi.ResourceOptions(parent=self)
        identity = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self))
        key = aws.kms.Key(
            f"{name}-kms",
            description=f"managed-cache: encryption of the SNS topic {args.topic_name}",
            enable_key_rotation=True,
            deletion_window_in_days=KEY_DELETION_WINDOW_DAYS,
            policy=pulumi.Output.all(identity.account_id, identity.arn).apply(
                lambda values: topic_key_policy(values[0], values[1])),
            tags=dict(args.tags),
            opts=child,
        )
        aws.kms.Alias(
            f"{name}-kms-alias",
            name=f"alias/{args.topic_name}",
            target_key_id=key.key_id,
            opts=child,
        )
        return key.arn


def topic_key_policy(account_id: str, caller_arn: str) -> str:
    """Key policy: the account administers the key; CloudWatch alarms may encrypt with it."""
    partition = caller_arn.split(":")[1] if caller_arn.count(":") >= 2 else "aws"
    policy: dict[str, Any] = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AccountAdministersTheKey",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:{partition}:iam::{account_id}:root"},
                "Action": "kms:*",
                "Resource": "*",
            },
            {
                "Sid": "CloudWatchAlarmsPublishToTheTopic",
                "Effect": "Allow",
                # CloudWatch publishes alarms; ElastiCache publishes failover and other events
                # to the replication group's notification topic.
                "Principal": {"Service": ["cloudwatch.amazonaws.com",
                                          "elasticache.amazonaws.com"]},
                "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
                "Resource": "*",
            },
        ],
    }
    return json.dumps(policy)


def _email_slug(email: str) -> str:
    """A stable logical-name part per address (order in config does not matter)."""
    slug = re.sub(r"[^a-z0-9]+", "-", email.lower()).strip("-")
    return f"{slug}-{hashlib.sha1(email.lower().encode()).hexdigest()[:6]}"
