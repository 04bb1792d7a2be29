"""Key policies of every customer-managed KMS key, and the regions' log keys, as the whole
program registers them (components/aws/kms.py)."""

from __future__ import annotations

import json

import pytest

from components.aws import kms
from components.aws.kms import LogEncryptionKey, LogKeyArgs
from infra import providers
from tests.builders import aws_config

KMS_KEY = "aws:kms/key:Key"
ALIAS = "aws:kms/alias:Alias"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
ROOT = {"AWS": "arn:aws:iam::123456789012:root"}
ACCOUNT = kms.Account(account_id="123456789012", partition="aws", region="eu-west-1")


def _policy(key) -> dict:
    return json.loads(key.inputs["policy"])


def _statements(key) -> dict[str, dict]:
    return {s["Sid"]: s for s in _policy(key)["Statement"]}


def _log_arns(statement: dict) -> list[str]:
    return statement["Condition"]["ArnEquals"]["kms:EncryptionContext:aws:logs:arn"]


@pytest.mark.parametrize("preview", [False, True])
def test_every_key_has_an_explicit_policy_the_account_administers(run_stack, preview):
    recorder = run_stack("prod", preview=preview)
    keys = recorder.of_type(KMS_KEY)
    # Two cache keys (primary and secondary region), two alarm topic keys, two log keys.
    assert len(keys) == 6
    for key in keys:
        # Known in a preview too: account and region come from invokes, not resource outputs.
        policy = _policy(key)
        assert policy["Version"] == "2012-10-17"
        admin = policy["Statement"][0]
        assert (admin["Sid"], admin["Principal"], admin["Action"]) == \
            ("AccountAdministersTheKey", ROOT, "kms:*")
        # Nobody outside the account: no wildcard principal anywhere.
        for statement in policy["Statement"]:
            assert statement["Effect"] == "Allow"
            assert "*" not in json.dumps(statement["Principal"])


def test_cache_keys_name_no_service_principal(run_stack):
    recorder = run_stack("prod")
    for name, cache_id in (("sessions-kms", "prod-sessions"),
                           ("sessions-eu-west-1-kms", "prod-sessions-euw1")):
        key = recorder.named(name)
        assert [s["Sid"] for s in _policy(key)["Statement"]] == ["AccountAdministersTheKey"]
        assert key.protect
        # The key outlives its cache (retained on delete; snapshots need it): its description
        # and tags say whose data it holds.
        assert key.inputs["description"].endswith(f" {cache_id}")
        assert key.inputs["tags"]["Cache"] == "sessions"


def test_log_key_lets_cloudwatch_logs_of_its_region_encrypt_exactly_its_log_groups(run_stack):
    recorder = run_stack("prod")
    expected = {
        "us-east-1": ["/aws/elasticache/prod-sessions/engine-log",
                      "/aws/elasticache/prod-sessions/slow-log",
                      "/aws/vpc-flow-logs/prod-cache"],
        "eu-west-1": ["/aws/elasticache/prod-sessions-euw1/engine-log",
                      "/aws/elasticache/prod-sessions-euw1/slow-log",
                      "/aws/vpc-flow-logs/prod-cache"],
    }
    for region, names in expected.items():
        key = recorder.named(f"prod-{region}-logs-kms")
        assert f"::aws-{region}::" in key.provider
        assert key.inputs["enableKeyRotation"] is True
        assert key.inputs["deletionWindowInDays"] == 30
        assert region in key.inputs["description"]      # the KMS console says what it is for
        logs = _statements(key)["CloudWatchLogsEncryptsTheseLogGroups"]
        assert logs["Principal"] == {"Service": f"logs.{region}.amazonaws.com"}
        assert logs["Action"] == ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*",
                                  "kms:GenerateDataKey*", "kms:Describe*"]
        assert _log_arns(logs) == [f"arn:aws:logs:{region}:123456789012:log-group:{name}"
                                   for name in names]
        [alias] = [a for a in recorder.of_type(ALIAS) if a.parent == key.parent]
        assert alias.inputs["name"] == "alias/managed-cache/prod/logs"


def test_production_log_groups_use_their_regions_log_key_and_development_none(run_stack):
    prod = run_stack("prod")
    keys = {r: prod.named(f"prod-{r}-logs-kms").urn for r in ("us-east-1", "eu-west-1")}
    log_groups = prod.of_type(LOG_GROUP)
    assert len(log_groups) == 6        # slow and engine logs of two groups, two flow logs
    for group in log_groups:
        region = "eu-west-1" if "::aws-eu-west-1::" in group.provider else "us-east-1"
        assert group.property_dependencies["kmsKeyId"] == [keys[region]], group.name
        assert group.inputs["retentionInDays"] == 365
    dev = run_stack("dev")
    assert dev.of_type(KMS_KEY) == []
    assert [g.inputs.get("kmsKeyId") for g in dev.of_type(LOG_GROUP)] == [None, None]
    assert [g.inputs["retentionInDays"] for g in dev.of_type(LOG_GROUP)] == [7, 7]


def test_log_key_component_alone(run):
    def program():
        import pulumi

        LogEncryptionKey("logs", LogKeyArgs(alias="alias/x", log_group_names=["/b", "/a", "/a"]),
                         opts=pulumi.ResourceOptions(
                             providers=[providers.aws_provider("eu-west-1", {})]))

    recorder = run(program)
    [key] = recorder.of_type(KMS_KEY)
    assert key.parent == recorder.named("logs").urn
    # Sorted and without repeats, in the key's own region.
    assert _log_arns(_statements(key)["CloudWatchLogsEncryptsTheseLogGroups"]) == [
        "arn:aws:logs:eu-west-1:123456789012:log-group:/a",
        "arn:aws:logs:eu-west-1:123456789012:log-group:/b"]


def test_sns_publisher_statement_conditions():
    topic = ACCOUNT.arn("sns", "alarms")
    assert topic == "arn:aws:sns:eu-west-1:123456789012:alarms"
    with_account = kms.sns_publisher(ACCOUNT, "A", "cloudwatch.amazonaws.com", topic, True)
    assert with_account["Condition"] == {"StringEquals": {
        "kms:EncryptionContext:aws:sns:topicArn": topic, "aws:SourceAccount": "123456789012"}}
    without = kms.sns_publisher(ACCOUNT, "B", "elasticache.amazonaws.com", topic, False)
    assert without["Condition"] == {"StringEquals": {
        "kms:EncryptionContext:aws:sns:topicArn": topic}}


def test_every_key_alias_of_a_region_is_unique_even_for_a_cache_named_logs(run_stack):
    # A cache named `logs` has alias/managed-cache/<prefix>-logs; a second CreateAlias of the
    # same name in a region fails.
    recorder = run_stack(aws_config({"logs": {"node_type": "cache.r7g.large"}},
                                    profile="production"))
    names = [a.inputs["name"] for a in recorder.of_type(ALIAS)]
    assert "alias/managed-cache/test-logs" in names and "alias/managed-cache/test/logs" in names
    assert len(names) == len(set(names))


def test_every_key_policy_statement_applies_to_the_key_itself(run_stack):
    """In a key policy "Resource" is always "*", the key the policy is attached to; KMS refuses
    any other value (MalformedPolicyDocumentException), so a typo would fail every key at once.
    The prod stack has all three statement kinds: account root, CloudWatch Logs, SNS publisher."""
    recorder = run_stack("prod")
    sids = set()
    for key in recorder.of_type(KMS_KEY):
        for statement in _policy(key)["Statement"]:
            sids.add(statement["Sid"])
            assert statement["Resource"] == "*", (key.name, statement["Sid"])
    assert {"AccountAdministersTheKey", "CloudWatchLogsEncryptsTheseLogGroups",
            "CloudWatchAlarmsPublishToTheTopic"} <= sids


def test_every_key_can_be_recovered_during_its_deletion_window(run_stack):
    """A key scheduled for deletion can be recovered until its window ends: 30 days (the
    maximum) for the cache and log keys, whose data outlives the stack, 7 (the minimum) for the
    alarm topics' keys, which encrypt nothing that is kept."""
    recorder = run_stack("prod")
    topic_keys = {t.inputs.get("kmsMasterKeyId") for t in recorder.of_type("aws:sns/topic:Topic")}
    windows = {}
    for key in recorder.of_type(KMS_KEY):
        kind = "topic" if key.outputs["arn"] in topic_keys else "data"
        windows.setdefault(kind, set()).add(key.inputs["deletionWindowInDays"])
    assert windows == {"topic": {7}, "data": {30}}
