"""Where CloudWatch alarms page: one encrypted SNS topic per region, e-mail subscriptions, and
the KMS key CloudWatch can publish with. Development alarms exist but do not page."""

from __future__ import annotations

import json

from infra.plan.mocks import MOCK_ACCOUNT_ID as ACCOUNT
from tests.builders import aws_config

ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
TOPIC = "aws:sns/topic:Topic"
SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription"
KMS_KEY = "aws:kms/key:Key"
GLOBAL = {"global": {"secondary_region": "eu-west-1", "secondary_replicas": 1}}


def test_development_alarms_exist_but_do_not_page(run_stack):
    recorder = run_stack("dev")
    alarms = recorder.of_type(ALARM)
    assert len(alarms) == 7
    for alarm in alarms:
        assert alarm.inputs["actionsEnabled"] is False
        # Still wired to the topic: turning `notify` on changes one field.
        assert alarm.inputs["alarmActions"] == alarm.inputs["okActions"]
        assert ":sns:us-east-1:" in alarm.inputs["alarmActions"][0]


def test_production_alarms_page_the_region_topic(run_stack):
    recorder = run_stack("prod")
    alarms = recorder.of_type(ALARM)
    # sessions in us-east-1 (3 nodes x 9: 8 + ReplicationLag), in eu-west-1 (2 x 9, plus the
    # cross-region lag), fragments (3 x 5).
    assert len(alarms) == 3 * 9 + (2 * 9 + 1) + 3 * 5
    for alarm in alarms:
        inputs = alarm.inputs
        assert inputs["actionsEnabled"] is True
        region = "eu-west-1" if "euw1" in inputs["name"] else "us-east-1"
        [action] = inputs["alarmActions"]
        assert inputs["okActions"] == [action]
        assert f"arn:aws:sns:{region}:123456789012:managed-cache-prod-alarms" in action
        assert "insufficientDataActions" not in inputs


def _alarm_topics(recorder):
    return [t for t in recorder.of_type(TOPIC) if t.name.endswith("-alarms-topic")]


def _alarm_subscriptions(recorder):
    return [s for s in recorder.of_type(SUBSCRIPTION) if s.inputs["topic"].endswith("-alarms")]


def test_one_encrypted_topic_per_region(run_stack):
    recorder = run_stack("prod")
    topics = _alarm_topics(recorder)
    assert sorted(t.name for t in topics) == ["prod-eu-west-1-alarms-topic",
                                              "prod-us-east-1-alarms-topic"]
    keys = {k.name: k for k in recorder.of_type(KMS_KEY)}
    for topic in topics:
        region = topic.name.removeprefix("prod-").removesuffix("-alarms-topic")
        assert topic.inputs["name"] == "managed-cache-prod-alarms"
        # The sender name of the alarm e-mails (SNS shows "AWS Notifications" without one).
        assert topic.inputs["displayName"] == "managed-cache alarms"
        assert f"::aws-{region}::" in topic.provider
        # A customer-managed key CloudWatch may use; alias/aws/sns would silence every alarm.
        key_arn = topic.inputs["kmsMasterKeyId"]
        assert key_arn != "alias/aws/sns"
        assert key_arn.startswith(f"arn:aws:mock:{region}:") and ":Key/" in key_arn
        key = keys[f"prod-{region}-alarms-kms"]
        assert f"::aws-{region}::" in key.provider
        assert key.inputs["enableKeyRotation"] is True
        # The KMS console says which topic the key is for.
        assert "managed-cache-prod-alarms" in key.inputs["description"]
        policy = json.loads(key.inputs["policy"])
        topic_arn = f"arn:aws:sns:{region}:123456789012:managed-cache-prod-alarms"
        by_principal = {json.dumps(s["Principal"]): s for s in policy["Statement"]}
        # ElastiCache's events go to the unencrypted events topic: no statement for it here.
        assert set(by_principal) == {
            json.dumps({"AWS": "arn:aws:iam::123456789012:root"}),
            json.dumps({"Service": "cloudwatch.amazonaws.com"}),
        }
        admin = by_principal[json.dumps({"AWS": "arn:aws:iam::123456789012:root"})]
        assert admin["Action"] == "kms:*"
        cloudwatch = by_principal[json.dumps({"Service": "cloudwatch.amazonaws.com"})]
        assert cloudwatch["Effect"] == "Allow"
        assert sorted(cloudwatch["Action"]) == ["kms:Decrypt", "kms:GenerateDataKey*"]
        # Only for this topic: SNS names it in the encryption context of each call.
        assert cloudwatch["Condition"]["StringEquals"][
            "kms:EncryptionContext:aws:sns:topicArn"] == topic_arn
        # Only this account's alarms.
        assert cloudwatch["Condition"]["StringEquals"]["aws:SourceAccount"] == "123456789012"


def test_email_subscriptions_per_address_and_region(run_stack):
    emails = ["oncall@example.com", "cache-team@example.org", "ONCALL@example.com"]
    recorder = run_stack(aws_config({"s": GLOBAL}, profile="production",
                                    alerts={"emails": emails}))
    subscriptions = _alarm_subscriptions(recorder)
    assert len(subscriptions) == 2 * 2        # two distinct addresses, two regions
    by_region: dict[str, list[str]] = {}
    for sub in subscriptions:
        assert sub.inputs["protocol"] == "email"
        region = "eu-west-1" if "::aws-eu-west-1::" in sub.provider else "us-east-1"
        assert f"arn:aws:sns:{region}:" in sub.inputs["topic"]
        by_region.setdefault(region, []).append(sub.inputs["endpoint"].lower())
    assert {r: sorted(e) for r, e in by_region.items()} == {
        "us-east-1": ["cache-team@example.org", "oncall@example.com"],
        "eu-west-1": ["cache-team@example.org", "oncall@example.com"],
    }


def test_no_emails_no_subscriptions(run_stack):
    recorder = run_stack("dev")
    assert recorder.of_type(SUBSCRIPTION) == []
    [topic] = _alarm_topics(recorder)
    assert topic.inputs["name"] == "managed-cache-dev-alarms"


def test_a_topic_nothing_pages_through_keeps_the_free_key(run_stack):
    # Development: no alarm pages, so no customer-managed key to pay for.
    recorder = run_stack("dev")
    [topic] = _alarm_topics(recorder)
    assert topic.inputs["kmsMasterKeyId"] == "alias/aws/sns"
    assert recorder.of_type(KMS_KEY) == []


def test_a_paging_cache_gets_its_region_a_key_cloudwatch_can_use(run_stack):
    recorder = run_stack(aws_config({"paged": {"alarms": {"notify": True}}, "quiet": {}}))
    [topic] = _alarm_topics(recorder)
    [key] = recorder.of_type(KMS_KEY)
    assert key.name == "test-us-east-1-alarms-kms"
    assert topic.inputs["kmsMasterKeyId"].startswith("arn:aws:mock:us-east-1:")
    # CloudWatch may use the key for this topic only, on behalf of this account only.
    [statement] = [s for s in json.loads(key.inputs["policy"])["Statement"]
                   if s["Principal"] == {"Service": "cloudwatch.amazonaws.com"}]
    assert statement["Effect"] == "Allow" and statement["Resource"] == "*"
    assert sorted(statement["Action"]) == ["kms:Decrypt", "kms:GenerateDataKey*"]
    assert statement["Condition"] == {"StringEquals": {
        "kms:EncryptionContext:aws:sns:topicArn":
            f"arn:aws:sns:us-east-1:{ACCOUNT}:{topic.inputs['name']}",
        "aws:SourceAccount": ACCOUNT}}
