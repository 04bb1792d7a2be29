"""The SNS topics of one region, each with the stack's e-mail subscribers: the alarms topic
(AlarmTopic, encrypted) and the events topic (CacheEventTopic, for ElastiCache's own events,
which ElastiCache cannot publish to an encrypted topic; see that class).

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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components import naming
from components.aws import kms
from components.component import Component, Outputs

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


class AlarmTopic(Component[AlarmTopicArgs],
                 type_token="managed-cache:aws:AlarmTopic"):
    arn: pulumi.Output[str]
    kms_key_arn: pulumi.Output[str] | None

    def build(self, name: str, args: AlarmTopicArgs) -> Outputs:
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
        subscribe_emails(name, topic, args.emails, child)
        self.arn = topic.arn
        return {"arn": self.arn, "kms_key_arn": self.kms_key_arn}

    def _kms_key(self, name: str, args: AlarmTopicArgs) -> pulumi.Output[str]:
        child = pulumi.ResourceOptions(parent=self)
        key = aws.kms.Key(
            f"{name}-kms",
            description=f"managed-cache: encryption of the SNS topic {args.topic_name}",
            enable_key_rotation=True,
            deletion_window_in_days=KEY_DELETION_WINDOW_DAYS,
            policy=kms.account_of(self).apply(
                lambda account: topic_key_policy(account, args.topic_name)),
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


@dataclass(frozen=True)
class EventTopicArgs:
    topic_name: str                          # physical name; the same name in every region
    emails: Sequence[str] = ()
    display_name: str = "managed-cache events"
    tags: Mapping[str, str] = field(default_factory=dict)


class CacheEventTopic(Component[EventTopicArgs],
                      type_token="managed-cache:aws:CacheEventTopic"):
    """Where ElastiCache publishes a region's cache events (failover started and completed,
    node replaced...). The topic is not encrypted: "The Amazon SNS topic you are publishing to
    cannot be encrypted" (an encrypted topic is set inactive when ElastiCache publishes), and its
    access policy uses aws:SourceOwner, the condition ElastiCache needs ("If your Amazon SNS
    topic uses aws:SourceAccount, ElastiCache cannot publish notifications to the topic");
    docs.aws.amazon.com/AmazonElastiCache/latest/dg/ElastiCacheSNS.html and ECEvents.SNS.html.
    Event messages carry cluster ids and event names, no cached data."""

    arn: pulumi.Output[str]

    def build(self, name: str, args: EventTopicArgs) -> Outputs:
        child = pulumi.ResourceOptions(parent=self)
        topic = aws.sns.Topic(
            f"{name}-topic",
            name=args.topic_name,
            display_name=args.display_name,
            tags=dict(args.tags),
            opts=child,
        )
        aws.sns.TopicPolicy(
            f"{name}-policy",
            arn=topic.arn,
            policy=pulumi.Output.all(topic.arn, kms.account_of(self)).apply(
                lambda values: event_topic_policy(values[0], values[1].account_id)),
            opts=child,
        )
        subscribe_emails(name, topic, args.emails, child)
        self.arn = topic.arn
        return {"arn": self.arn}


def subscribe_emails(name: str, topic: aws.sns.Topic, emails: Sequence[str],
                     opts: pulumi.ResourceOptions) -> None:
    """One email subscription per address, whatever its case or repetition in config."""
    for email in sorted({e.lower(): e for e in emails}.values()):
        aws.sns.TopicSubscription(
            f"{name}-email-{_email_slug(email)}",
            topic=topic.arn,
            protocol="email",
            endpoint=email,
            opts=opts,
        )


def event_topic_policy(topic_arn: str, account_id: str) -> str:
    """Topic policy: ElastiCache of this account may publish (the statement AWS documents)."""
    return json.dumps({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "AllowElastiCachePublish",
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": "SNS:Publish",
            "Resource": topic_arn,
            "Condition": {"StringEquals": {"AWS:SourceOwner": account_id}},
        }],
    })


def topic_key_policy(account: kms.Account, topic_name: str) -> str:
    """The account administers the key; CloudWatch alarms may publish to this topic with it, and
    to no other topic (SNS puts the topic's ARN in the encryption context of every call it makes
    with the key). ElastiCache's events go to the region's CacheEventTopic instead: ElastiCache
    cannot publish to an encrypted topic."""
    topic_arn = account.arn("sns", topic_name)
    return kms.policy_document(
        kms.account_administers(account),
        # CloudWatch alarms publish with aws:SourceAccount set: only this account's alarms.
        kms.sns_publisher(account, "CloudWatchAlarmsPublishToTheTopic",
                          "cloudwatch.amazonaws.com", topic_arn, source_account=True),
    )


def _email_slug(email: str) -> str:
    """A stable logical-name part per address (order in config does not matter)."""
    slug = naming.logical_part(email)
    return f"{slug}-{hashlib.sha1(email.lower().encode()).hexdigest()[:6]}"
