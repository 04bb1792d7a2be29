"""Serverless caches as the whole program registers them: the ServerlessCache's arguments, its
user group, network, alarms and dashboard row, the exports and secrets, and the plan's cost
range, findings and diff."""

from __future__ import annotations

import json

from infra.plan.diff import diff
from infra.plan.mocks import MOCK_TOKEN
from infra.plan.report import build_report, run_plan
from infra.plan.secrets import SECRET_SIG, SIG_KEY
from tests.builders import aws_config

SERVERLESS = "aws:elasticache/serverlessCache:ServerlessCache"
USER = "aws:elasticache/user:User"
USER_GROUP = "aws:elasticache/userGroup:UserGroup"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
DASHBOARD = "aws:cloudwatch/dashboard:Dashboard"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
KMS_KEY = "aws:kms/key:Key"

LIMITS = {"max_data_gb": 10, "max_ecpu_per_second": 5000}
WRITER = {"access": "on ~app:* +@all -@dangerous"}
READER = {"access": "on ~* +@read", "iam": True}
SNAPSHOT = "arn:aws:elasticache:us-east-1:123456789012:serverlesscachesnapshot:bursty-nightly"


def _config(profile: str = "production", **keys):
    return aws_config({"bursty": {"engine": "valkey", "serverless": LIMITS, **keys}},
                      profile=profile)


def test_the_serverless_cache_gets_limits_network_key_and_backups(run_stack):
    recorder = run_stack(_config())
    [cache] = recorder.of_type(SERVERLESS)
    inputs = cache.inputs
    assert (inputs["name"], inputs["engine"], inputs["majorEngineVersion"]) == (
        "test-bursty", "valkey", "8")
    # What the console shows beside the cache: the stack and the cache.
    assert inputs["description"].startswith("managed-cache test/bursty ")
    assert inputs["tags"] == {"Cache": "bursty"}
    assert inputs["cacheUsageLimits"] == {"dataStorage": {"maximum": 10, "unit": "GB"},
                                          "ecpuPerSeconds": [{"maximum": 5000}]}
    # The stack's private subnets (one per zone) and its security group.
    assert len(inputs["subnetIds"]) == 3 and all(s.startswith("subnet-")
                                                 for s in inputs["subnetIds"])
    [security_group] = inputs["securityGroupIds"]
    assert security_group.startswith("sg-")
    # Production: the region's customer-managed key, daily backups kept 7 days, protected.
    [key] = [k for k in recorder.of_type(KMS_KEY) if k.name == "bursty-kms"]
    assert key.inputs["enableKeyRotation"] is True
    # An explicit policy, as every key has (CKV2_AWS_64): the account administers it.
    [admin] = json.loads(key.inputs["policy"])["Statement"]
    assert (admin["Sid"], admin["Action"]) == ("AccountAdministersTheKey", "kms:*")
    assert recorder.named("bursty-kms-alias").inputs["name"] == "alias/managed-cache/test-bursty"
    assert inputs["kmsKeyId"].startswith("arn:aws:mock:us-east-1:")
    assert (inputs["snapshotRetentionLimit"], inputs["dailySnapshotTime"]) == (7, "03:00")
    assert cache.protect and key.protect
    # Its name is fixed: a replacement can only delete the old cache before creating the new.
    assert cache.delete_before_replace is True
    # Snapshots taken before the cache is removed stay encrypted under the key: it outlives it.
    assert key.retain_on_delete and not recorder.named("bursty-kms-alias").retain_on_delete
    assert "::aws-us-east-1::" in cache.provider


def test_valkey_serverless_authenticates_users_of_its_own_group(run_stack):
    recorder = run_stack(_config())
    users = {u.inputs["userName"]: u.inputs for u in recorder.of_type(USER)}
    assert sorted(users) == ["app", "default"]
    # A user group needs a user named default: it is switched off.
    assert users["default"]["accessString"] == "off -@all"
    assert users["app"]["accessString"] == "on ~* +@all"
    assert {u["userId"] for u in users.values()} == {"test-bursty-default", "test-bursty-app"}
    for user in users.values():
        assert user["engine"] == "valkey"
        # The whole block travels as a secret: it holds the password.
        assert user["authenticationMode"][SIG_KEY] == SECRET_SIG
        assert user["authenticationMode"]["value"]["type"] == "password"
    [group] = recorder.of_type(USER_GROUP)
    assert group.inputs["userIds"] == ["test-bursty-default", "test-bursty-app"]
    [cache] = recorder.of_type(SERVERLESS)
    assert cache.inputs["userGroupId"] == "test-bursty-users"


def test_configured_users_replace_the_app_user_in_the_same_group(run_stack):
    recorder = run_stack(_config(aws={"users": {"writer": WRITER, "reader": READER}}))
    users = {u.inputs["userId"]: u.inputs for u in recorder.of_type(USER)}
    assert sorted(users) == ["test-bursty-default", "test-bursty-reader", "test-bursty-writer"]
    assert users["test-bursty-default"]["accessString"] == "off -@all"
    assert users["test-bursty-writer"]["userName"] == "writer"
    assert users["test-bursty-writer"]["accessString"] == WRITER["access"]
    # An IAM user is named by its id and has no password.
    assert users["test-bursty-reader"]["userName"] == "test-bursty-reader"
    assert users["test-bursty-reader"]["authenticationMode"] == {"type": "iam"}
    [group] = recorder.of_type(USER_GROUP)
    assert group.inputs["userIds"] == ["test-bursty-default", "test-bursty-writer",
                                       "test-bursty-reader"]
    # The same group as without users (name and id), so adding users changes it in place.
    assert (group.name, group.inputs["userGroupId"]) == ("bursty-users", "test-bursty-users")
    [cache] = recorder.of_type(SERVERLESS)
    assert cache.inputs["userGroupId"] == "test-bursty-users"


def test_users_and_their_group_take_the_cache_engine(run_stack):
    recorder = run_stack(_config(engine="redis", engine_version="7.1",
                                 aws={"users": {"writer": WRITER}}))
    [cache] = recorder.of_type(SERVERLESS)
    [group] = recorder.of_type(USER_GROUP)
    assert cache.inputs["engine"] == group.inputs["engine"] == "redis"
    assert {u.inputs["engine"] for u in recorder.of_type(USER)} == {"redis"}


def test_configured_users_are_exported_with_their_passwords_as_secrets(run_stack):
    outputs = run_stack(_config(aws={"users": {"writer": WRITER, "reader": READER}})
                        ).stack_outputs
    exported = outputs["caches"]["bursty"]
    assert "user" not in exported              # no generated app user
    writer = exported["users"]["writer"]
    assert {k: v for k, v in writer.items() if k != "secret"} == {
        "username": "writer", "user_id": "test-bursty-writer", "auth": "password"}
    # Production writes a connection secret per user, as for a replication group's users.
    assert writer["secret"]["name"] == "managed-cache/test/bursty/writer"
    reader = exported["users"]["reader"]
    assert (reader["username"], reader["auth"]) == ("test-bursty-reader", "iam")
    # What a client role must be allowed: connect to the serverless cache as that user.
    assert reader["iam"] == {"action": "elasticache:Connect", "resources": [
        "arn:aws:mock:us-east-1:123456789012:ServerlessCache/test-bursty",   # the cache's ARN
        "arn:aws:elasticache:us-east-1:123456789012:user:test-bursty-reader"]}
    assert "bursty" not in outputs["auth_tokens"]["value"]
    passwords = outputs["user_passwords"]
    assert passwords[SIG_KEY] == SECRET_SIG
    assert set(passwords["value"]["bursty"]) == {"writer"}
    assert passwords["value"]["bursty"]["writer"].startswith(MOCK_TOKEN)


def test_adding_users_to_a_live_cache_keeps_the_cache_and_its_group():
    before = build_report(run_plan("t", config=_config()))
    after = build_report(run_plan("t", config=_config(aws={"users": {"writer": WRITER}})))
    result = diff(before, after)
    assert result["data_loss"] == [] and result["moved"] == []
    # The app user and its connection secret give way to the writer and the writer's secret.
    assert sorted(r["name"] for r in result["removed"]) == [
        "bursty-app", "bursty-app-password", "bursty-connection", "bursty-connection-secret",
        "bursty-connection-version"]
    assert sorted(r["name"] for r in result["added"]) == [
        "bursty-writer", "bursty-writer-connection", "bursty-writer-connection-secret",
        "bursty-writer-connection-version", "bursty-writer-password"]
    [group] = [c for c in result["changed"] if c["type"] == USER_GROUP]
    assert group["keys"] == ["userIds"] and not group["replace"]


def test_restore_seeds_the_new_cache_and_is_ignored_afterwards(run_stack):
    [cache] = run_stack(_config(restore_from=SNAPSHOT)).of_type(SERVERLESS)
    assert cache.inputs["snapshotArnsToRestores"] == [SNAPSHOT]
    assert "snapshotArnsToRestores" in cache.ignore_changes
    # Ignored without a restore too: adding or removing restore_from never replaces the cache.
    [plain] = run_stack(_config()).of_type(SERVERLESS)
    assert "snapshotArnsToRestores" not in plain.inputs
    assert plain.ignore_changes == ["snapshotArnsToRestores"]


def test_the_plan_notes_the_restore_and_removing_it_loses_nothing():
    restored = build_report(run_plan("t", config=_config(restore_from=SNAPSHOT)))
    [note] = [f for f in restored["findings"] if f["id"] == "restore-at-creation"]
    assert note["cache"] == "bursty" and SNAPSHOT in note["message"]
    plain = build_report(run_plan("t", config=_config()))
    assert diff(restored, plain)["data_loss"] == []


def test_the_password_is_only_a_secret_output(run_stack):
    recorder = run_stack(_config())
    outputs = recorder.stack_outputs
    exported = outputs["caches"]["bursty"]
    assert exported["user"] == "app" and exported["serverless"] is True
    assert MOCK_TOKEN not in json.dumps({k: v for k, v in outputs.items()
                                           if k != "auth_tokens"}, default=str)
    tokens = outputs["auth_tokens"]
    assert tokens[SIG_KEY] == SECRET_SIG
    assert tokens["value"]["bursty"].startswith(MOCK_TOKEN)


def test_endpoints_and_the_reader_port_are_exported_and_admitted(run_stack):
    recorder = run_stack(_config())
    exported = recorder.stack_outputs["caches"]["bursty"]
    assert exported["endpoint"].endswith(".serverless.use1.cache.amazonaws.com")
    assert (exported["port"], exported["reader_port"]) == (6379, 6380)
    ports = sorted(r.inputs["fromPort"] for r in recorder.of_type(INGRESS))
    assert ports == [6379, 6380]


def test_memcached_serverless_has_no_users_but_keeps_backups(run_stack):
    recorder = run_stack(aws_config({"f": {"engine": "memcached", "serverless": LIMITS}},
                                    profile="production", alerts={"emails": ["o@example.com"]}))
    [cache] = recorder.of_type(SERVERLESS)
    assert cache.inputs["engine"] == "memcached" and cache.inputs["majorEngineVersion"] == "1.6"
    # Serverless Memcached takes snapshots like Valkey: production keeps them a week.
    assert (cache.inputs["snapshotRetentionLimit"], cache.inputs["dailySnapshotTime"]) == \
        (7, "03:00")
    assert "userGroupId" not in cache.inputs
    assert recorder.of_type(USER) == []
    assert sorted(r.inputs["fromPort"] for r in recorder.of_type(INGRESS)) == [11211]
    assert "user" not in recorder.stack_outputs["caches"]["f"]


def test_serverless_alarms_use_the_serverless_metrics_and_dimension(run_stack):
    recorder = run_stack(_config())
    alarms = {a.inputs["name"].rsplit("/", 1)[1]: a.inputs for a in recorder.of_type(ALARM)}
    assert sorted(alarms) == sorted([
        "BytesUsedForCache-warning", "BytesUsedForCache-critical",
        "ElastiCacheProcessingUnits", "ThrottledCmds", "Evictions", "CurrConnections",
        "CacheHitRate"])
    for name, inputs in alarms.items():
        metrics = [q["metric"] for q in inputs.get("metricQueries", []) if "metric" in q] \
            or [inputs]
        assert {m["namespace"] for m in metrics} == {"AWS/ElastiCache"}
        assert all(m["dimensions"] == {"clusterId": "test-bursty"} for m in metrics)
        assert inputs["name"] == f"managed-cache/test-bursty/serverless/{name}"
    # The hit rate from the cache's lookup counts, as on nodes (test_alarms.py).
    assert [m["metric"]["metricName"] for m in alarms["CacheHitRate"]["metricQueries"]
            if "metric" in m] == ["CacheHits", "CacheMisses"]
    # Data against its limit: AWS's 75 % recommendation, and the critical memory percentage.
    assert alarms["BytesUsedForCache-warning"]["threshold"] == 0.75 * 10 * 10**9
    assert alarms["BytesUsedForCache-critical"]["threshold"] == 0.90 * 10 * 10**9
    # ECPUs against theirs: a minute's sum at 75 % of the per-second limit.
    ecpu = alarms["ElastiCacheProcessingUnits"]
    assert (ecpu["statistic"], ecpu["period"], ecpu["threshold"]) == ("Sum", 60, 0.75 * 5000 * 60)
    throttled = alarms["ThrottledCmds"]
    assert (throttled["statistic"], throttled["threshold"],
            throttled["comparisonOperator"]) == ("Sum", 0.0, "GreaterThanThreshold")
    assert all(a["actionsEnabled"] is True for a in alarms.values())


def test_the_dashboard_has_a_row_for_the_serverless_cache(run_stack):
    recorder = run_stack(_config())
    body = json.loads(recorder.of_type(DASHBOARD)[0].inputs["dashboardBody"])
    titles = [w["properties"].get("title") or w["properties"]["markdown"]
              for w in body["widgets"]]
    assert titles == ["## bursty: serverless valkey `test-bursty` (us-east-1)",
                      "Data stored (bytes)", "ECPUs (per minute)",
                      "Throttled commands (per minute)", "Connections"]
    [data] = [w for w in body["widgets"] if w["properties"].get("title") == "Data stored (bytes)"]
    assert data["properties"]["metrics"][0][:4] == ["AWS/ElastiCache", "BytesUsedForCache",
                                                    "clusterId", "test-bursty"]
    assert {a["label"]: a["value"] for a in data["properties"]["annotations"]["horizontal"]} \
        == {"alarm": 7.5e9, "limit": 1e10}


def test_preview_registers_the_same_resources(run_stack):
    update, preview = run_stack(_config()), run_stack(_config(), preview=True)
    key = sorted((r.type, r.name) for r in update.registrations)
    assert key == sorted((r.type, r.name) for r in preview.registrations)


def test_plan_prices_storage_and_ecpus_from_the_estimate_to_the_limits():
    report = build_report(run_plan("t", config=_config(
        serverless={**LIMITS, "expected_ecpu_per_second": 2000, "expected_data_gb": 4})))
    [cache] = report["caches"]
    storage, ecpus = cache["lines"]
    # Valkey serverless, us-east-1: 0.084 USD per GB-hour, 0.0023 USD per million ECPUs.
    assert storage["monthly_usd"] == round(4 * 0.084 * 730, 2)
    assert ecpus["monthly_usd"] == round(2000 * 3600 * 730 / 1e6 * 0.0023, 2)
    assert cache["monthly_usd"] == round(storage["monthly_usd"] + ecpus["monthly_usd"], 2)
    assert cache["node_type"] == "serverless" and cache["nodes"] == 0
    span = cache["monthly_usd_range"]
    assert span["min"] == cache["monthly_usd"]
    assert span["max"] == round(10 * 0.084 * 730 + 5000 * 3600 * 730 / 1e6 * 0.0023, 2)
    assert cache["priced_exactly"] is True


def test_plan_bills_at_least_the_engine_minimum_of_storage():
    report = build_report(run_plan("t", config=aws_config({"b": {
        "engine": "redis", "serverless": {**LIMITS, "expected_data_gb": 0.2}}})))
    storage = report["caches"][0]["lines"][0]
    # Redis OSS serverless meters at least 1 GB, at 0.125 USD per GB-hour.
    assert storage["monthly_usd"] == round(1 * 0.125 * 730, 2)


def test_findings_name_what_a_serverless_cache_lacks():
    report = build_report(run_plan("t", config=aws_config(
        {"f": {"engine": "memcached", "serverless": LIMITS}}, profile="production")))
    ids = {(f["id"], f["cache"]) for f in report["findings"]}
    # The shared security rules (infra/plan/rules.py) know the serverless type.
    assert ("memcached-no-auth", "f") in ids
    quiet = build_report(run_plan("t", config=_config()))
    assert not [f for f in quiet["findings"] if f["cache"] == "bursty"]


def test_a_major_version_downgrade_replaces_the_cache_and_is_data_loss():
    # An upgrade (7.2 -> 8.1) is in place since terraform-provider-aws#45087
    # (tests/plan/test_plan_diff_day2.py); going back down still recreates the cache.
    new = build_report(run_plan("t", config=_config(engine_version="8.1")))
    old = build_report(run_plan("t", config=_config(engine_version="7.2")))
    result = diff(new, old)
    [loss] = [d for d in result["data_loss"] if d["type"].endswith("ServerlessCache")]
    assert loss["action"] == "replace" and "majorEngineVersion" in loss["reason"]
    # Raising a usage limit is an in-place update.
    bigger = build_report(run_plan("t", config=_config(
        serverless={"max_data_gb": 20, "max_ecpu_per_second": 5000})))
    assert diff(new, bigger)["data_loss"] == []


SECRET_TYPE = "aws:secretsmanager/secret:Secret"
SECRET_VERSION = "aws:secretsmanager/secretVersion:SecretVersion"


def _secret_payload(recorder, name: str) -> dict:
    value = recorder.named(f"{name}-version").inputs["secretString"]
    assert value[SIG_KEY] == SECRET_SIG                 # the whole payload is a Pulumi secret
    return json.loads(value["value"])


def test_production_writes_a_connection_secret_a_cluster_client_can_use(run_stack):
    recorder = run_stack(_config())
    payload = _secret_payload(recorder, "bursty-connection")
    [cache] = recorder.of_type(SERVERLESS)
    endpoint = cache.outputs["endpoints"][0]
    reader = cache.outputs["readerEndpoints"][0]
    assert payload == {
        "engine": "valkey", "cache_id": "test-bursty", "region": "us-east-1", "tls": True,
        "serverless": True,
        # Serverless Valkey/Redis speak only the cluster protocol.
        "cluster_mode": True,
        "host": endpoint["address"], "port": endpoint["port"],
        "reader_host": reader["address"], "reader_port": reader["port"],
        "auth": "rbac", "username": "app", "password": payload["password"]}
    assert payload["password"].startswith(MOCK_TOKEN)
    # Encrypted with the cache's own key, and exported by name and ARN only.
    secret = recorder.named("bursty-connection-secret")
    assert secret.property_dependencies["kmsKeyId"] == [recorder.named("bursty-kms").urn]
    exported = recorder.stack_outputs["caches"]["bursty"]["secret"]
    assert exported["name"] == secret.inputs["name"] == "managed-cache/test/bursty"
    assert MOCK_TOKEN not in json.dumps(recorder.stack_outputs["caches"])


def test_development_writes_no_secret_unless_asked(run_stack):
    assert run_stack(_config(profile="development")).of_type(SECRET_TYPE) == []
    asked = run_stack(_config(profile="development", secret=True))
    assert [s.name for s in asked.of_type(SECRET_TYPE)] == ["bursty-connection-secret"]


def test_serverless_memcached_secret_says_there_is_no_credential(run_stack):
    recorder = run_stack(aws_config({"pages": {"engine": "memcached", "serverless": LIMITS,
                                               "secret": True}}))
    payload = _secret_payload(recorder, "pages-connection")
    assert (payload["auth"], payload["cluster_mode"]) == ("none", False)
    assert not {"username", "password", "reader_host"} & set(payload)
