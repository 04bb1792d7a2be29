"""ElastiCache events (failover, node replacement...) go to a topic ElastiCache can publish to.

AWS: "The Amazon SNS topic you are publishing to cannot be encrypted" (an encrypted topic goes
inactive when ElastiCache publishes), it must be in the cache's account and region, and its
access policy must use `aws:SourceOwner`: "If your Amazon SNS topic uses aws:SourceAccount,
ElastiCache cannot publish notifications to the topic" (ElastiCache user guide,
ElastiCacheSNS.html and ECEvents.SNS.html)."""

from __future__ import annotations

import json

import pytest

TOPIC = "aws:sns/topic:Topic"
TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy"
SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription"
RG = "aws:elasticache/replicationGroup:ReplicationGroup"
CLUSTER = "aws:elasticache/cluster:Cluster"
ACCOUNT = "123456789012"   # the mocks' account


def region_of(registration) -> str:
    return registration.provider.rsplit("::", 2)[-2].removeprefix("aws-")


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_every_cache_sends_events_to_an_unencrypted_topic_elasticache_may_publish_to(
        run_stack, stack):
    recorder = run_stack(stack)
    topics = {(region_of(t), t.inputs["name"]): t for t in recorder.of_type(TOPIC)}
    policies = {p.inputs["arn"]: json.loads(p.inputs["policy"])
                for p in recorder.of_type(TOPIC_POLICY)}   # ARNs name their region
    caches = [*recorder.of_type(RG), *recorder.of_type(CLUSTER)]
    assert caches
    for cache in caches:
        arn = cache.inputs["notificationTopicArn"]
        region = region_of(cache)
        assert arn.startswith(f"arn:aws:sns:{region}:{ACCOUNT}:"), (cache.name, arn)
        topic = topics[region, arn.rsplit(":", 1)[1]]
        assert "kmsMasterKeyId" not in topic.inputs, f"{cache.name}: an encrypted topic"
        [publish] = [s for s in policies[arn]["Statement"] if s["Action"] == "SNS:Publish"]
        assert publish["Effect"] == "Allow" and publish["Resource"] == arn
        assert publish["Condition"] == {"StringEquals": {"AWS:SourceOwner": ACCOUNT}}
        assert "aws:SourceAccount" not in json.dumps(policies[arn])


def test_the_events_topic_mails_the_alert_addresses_in_each_region(run_stack):
    recorder = run_stack("prod")
    events = {t.name: t for t in recorder.of_type(TOPIC) if t.name.endswith("-events-topic")}
    assert sorted(events) == ["prod-eu-west-1-events-topic", "prod-us-east-1-events-topic"]
    # The sender name of the event e-mails (SNS shows "AWS Notifications" without one).
    assert {t.inputs["displayName"] for t in events.values()} == {"managed-cache events"}
    subscribed = {(region_of(s), s.inputs["topic"].rsplit(":", 1)[1], s.inputs["endpoint"])
                  for s in recorder.of_type(SUBSCRIPTION)}
    for region in ("us-east-1", "eu-west-1"):
        assert (region, "managed-cache-prod-events", "oncall@example.com") in subscribed


def test_the_events_topic_policy_is_exactly_the_statement_aws_documents(run_stack):
    """Anything else in the document (another version, no principal, a narrower principal) is
    refused by SNS or stops ElastiCache's events; the account condition is what limits it."""
    recorder = run_stack("prod")
    policies = recorder.of_type(TOPIC_POLICY)
    assert policies
    for policy in policies:
        assert json.loads(policy.inputs["policy"]) == {
            "Version": "2012-10-17",
            "Statement": [{
                "Sid": "AllowElastiCachePublish",
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": "SNS:Publish",
                "Resource": policy.inputs["arn"],
                "Condition": {"StringEquals": {"AWS:SourceOwner": ACCOUNT}},
            }],
        }
