"""`caches.<name>.serverless`: what a serverless cache takes, each refusal with its exact message
and nothing registered, and the defaults it resolves to."""

from __future__ import annotations

import pytest

from infra.config import load_stack_config
from infra.config.access import RestoreSpec, UserSpec
from tests.builders import aws_config, gcp_config

LIMITS = {"max_data_gb": 10, "max_ecpu_per_second": 5000}
APP = {"access": "on ~app:* +@all -@dangerous"}
SNAPSHOT = "arn:aws:elasticache:us-east-1:123456789012:serverlesscachesnapshot:bursty-nightly"


def bursty(profile: str = "development", **keys):
    return aws_config({"bursty": {"engine": "valkey", "serverless": LIMITS, **keys}},
                      profile=profile)


BAD = [
    ("node-type", bursty(node_type="cache.r7g.large"),
     "caches.bursty.node_type: does not apply to a serverless cache: it has no nodes; "
     "max_data_gb and max_ecpu_per_second cap it instead. Remove the key."),
    ("memory-gb", bursty(memory_gb=4),
     "caches.bursty.memory_gb: does not apply to a serverless cache: it has no nodes; "
     "serverless.max_data_gb caps its data instead. Remove the key."),
    ("shards", bursty(shards=2),
     "caches.bursty.shards: does not apply to a serverless cache: ElastiCache shards it itself. "
     "Remove the key."),
    ("replicas", bursty(replicas=1),
     "caches.bursty.replicas: does not apply to a serverless cache: ElastiCache replicates it "
     "across zones itself. Remove the key."),
    ("nodes", bursty(nodes=3),
     "caches.bursty.nodes: does not apply to a serverless cache: it has no nodes. Remove the key."),
    ("parameters", bursty(parameters={"maxmemory-policy": "allkeys-lru"}),
     "caches.bursty.parameters: does not apply to a serverless cache: it takes no parameter "
     "group. Remove the key."),
    ("maintenance-window", bursty(maintenance_window="sun:05:00-sun:06:00"),
     "caches.bursty.maintenance_window: does not apply to a serverless cache: ElastiCache "
     "applies updates to it without a window or downtime. Remove the key."),
    ("global", bursty(**{"global": {"secondary_region": "eu-west-1"}}),
     "caches.bursty.global: does not apply to a serverless cache: it cannot join a Global "
     "Datastore. Remove the key."),
    ("autoscaling", bursty(autoscaling={"shards": {"min": 1, "max": 2}}),
     "caches.bursty.autoscaling: does not apply to a serverless cache: it scales itself within "
     "its usage limits. Remove the key."),
    ("port", bursty(aws={"port": 7000}),
     "caches.bursty.aws.port: does not apply to a serverless cache: its ports are fixed (6379 "
     "and reader 6380; Memcached 11211). Remove the key."),
    ("final-snapshot", bursty(final_snapshot=True),
     "caches.bursty.final_snapshot: true is not possible: a serverless cache is deleted "
     "without a final snapshot here (terraform-provider-aws sends none). Rely on "
     "snapshot_retention_days, or take a snapshot first."),
    ("data-limit", bursty(serverless={"max_data_gb": 6000, "max_ecpu_per_second": 5000}),
     "caches.bursty.serverless.max_data_gb: 6000 is not allowed; a serverless cache stores 1 to "
     "5000 GB."),
    ("ecpu-limit", bursty(serverless={"max_data_gb": 10, "max_ecpu_per_second": 500}),
     "caches.bursty.serverless.max_ecpu_per_second: 500 is not allowed; use 1,000 to 15,000,000 "
     "ECPUs a second."),
    ("expected-above-limit", bursty(serverless={**LIMITS, "expected_ecpu_per_second": 9000}),
     "caches.bursty.serverless.expected_ecpu_per_second: 9000 is not allowed; use 0 to "
     "max_ecpu_per_second (5000)."),
    ("expected-data-above-limit", bursty(serverless={**LIMITS, "expected_data_gb": 11}),
     "caches.bursty.serverless.expected_data_gb: 11 is not allowed; use 0 to max_data_gb (10)."),
    ("missing-limit", bursty(serverless={"max_data_gb": 10}),
     "caches.bursty.serverless.max_ecpu_per_second: is required."),
    ("version", bursty(engine_version="9.0"),
     "caches.bursty.engine_version: '9.0' is not offered for a serverless valkey cache; use one "
     "of 7.2, 8.0, 8.1, 8.2."),
    ("redis-6", aws_config({"b": {"engine": "redis", "engine_version": "6.2",
                                  "serverless": LIMITS}}),
     "caches.b.engine_version: '6.2' is not offered for a serverless redis cache; use one of "
     "7.0, 7.1."),
    # CreateServerlessCache Description: "The maximum length is 255 characters."
    ("description-too-long", bursty(description="x" * 256),
     "caches.bursty.description: has 256 characters; a serverless cache's description takes "
     "at most 255."),
    ("user-id-too-long", aws_config({"a-very-long-serverless-cache-name": {
        "serverless": LIMITS}}, name_prefix="prod"),
     "caches.a-very-long-serverless-cache-name: the user id "
     "'prod-a-very-long-serverless-cache-name-default' is 46 characters; ElastiCache allows 40. "
     "Shorten the cache name or set name_prefix."),
    # --- access and where the data comes from ------------------------------------------------
    ("users-reserved-default", bursty(aws={"users": {"default": APP}}),
     "caches.bursty.aws.users.default: 'default' is reserved: the program adds a disabled "
     "'default' user to every user group (AWS requires one). Choose another name."),
    ("users-empty", bursty(aws={"users": {}}),
     "caches.bursty.aws.users: is empty; name at least one user or remove the key (the cache "
     "then uses a generated user named 'app')."),
    ("users-access-string", bursty(aws={"users": {"app": {"access": "on ~app:*"}}}),
     "caches.bursty.aws.users.app.access: 'on ~app:*' grants no commands; add e.g. '+@read' or "
     "'+@all -@dangerous'."),
    ("user-id-too-long", bursty(aws={"users": {"nightly-reporting-batch-reader": APP}}),
     "caches.bursty.aws.users.nightly-reporting-batch-reader: the user id "
     "'test-bursty-nightly-reporting-batch-reader' is 42 characters; ElastiCache allows 40. "
     "Shorten the user name or the cache name, or set name_prefix."),
    ("users-memcached", aws_config({"b": {"engine": "memcached", "serverless": LIMITS,
                                          "aws": {"users": {"app": APP}}}}),
     "caches.b.aws.users: Memcached has no RBAC users or AUTH (its security group is its only "
     "gate); remove the key or use engine 'valkey'."),
    ("import", bursty(aws={"import_id": "test-bursty"}),
     "caches.bursty.aws.import_id: a serverless cache cannot be adopted here: the program would "
     "give it its own user group, cutting off the users clients log in with now, and `python -m "
     "ops discover` does not describe serverless caches. Start a new cache from the live one's "
     "data instead: take a snapshot (`aws elasticache create-serverless-cache-snapshot`) and set "
     "restore_from to its ARN. Remove the key."),
    ("restore-snapshot-name", bursty(restore_from="prod-sessions-final"),
     "caches.bursty.restore_from: 'prod-sessions-final' is not a serverless snapshot ARN; a "
     "serverless cache is created from a snapshot of a serverless cache, named by its ARN: "
     "arn:aws:elasticache:<region>:<account>:serverlesscachesnapshot:<name>."),
    ("restore-s3-file", bursty(restore_from="arn:aws:s3:::dumps/sessions.rdb"),
     "caches.bursty.restore_from: 'arn:aws:s3:::dumps/sessions.rdb' is not a serverless "
     "snapshot ARN; a serverless cache is created from a snapshot of a serverless cache, named "
     "by its ARN: arn:aws:elasticache:<region>:<account>:serverlesscachesnapshot:<name>."),
    ("restore-other-region", bursty(restore_from=SNAPSHOT.replace("us-east-1", "eu-west-1")),
     "caches.bursty.restore_from: the snapshot is in eu-west-1, not us-east-1; ElastiCache "
     "creates a cache only from a snapshot in the cache's own region."),
    ("subnet-group", bursty(aws={"subnet_group_name": "legacy-subnets"}),
     "caches.bursty.aws.subnet_group_name: does not apply to a serverless cache: it takes the "
     "network's subnets directly, not a cache subnet group. Remove the key."),
    # Alarm overrides no serverless alarm reads are refused, not silently unused
    # (components/aws/alarms.py serverless_alarms).
    ("alarm-engine-cpu", bursty(alarms={"engine_cpu_percent": 70}),
     "caches.bursty.alarms.engine_cpu_percent: is not watched on a serverless valkey cache: no "
     "alarm reads it (docs/alarms.md). Remove it."),
    ("alarm-memory-warning", bursty(alarms={"memory_warning_percent": 60}),
     "caches.bursty.alarms.memory_warning_percent: is not watched on a serverless valkey cache: "
     "no alarm reads it (docs/alarms.md). Remove it."),
    ("alarm-memcached-hit-rate", aws_config({"b": {"engine": "memcached", "serverless": LIMITS,
                                                   "alarms": {"cache_hit_rate_percent": 90}}}),
     "caches.b.alarms.cache_hit_rate_percent: is not watched on a serverless memcached cache: "
     "no alarm reads it (docs/alarms.md). Remove it."),
    # The data warning fires at 75 % of max_data_gb: critical at 70 would page first.
    ("alarm-critical-below-warning", bursty(alarms={"memory_critical_percent": 70}),
     "caches.bursty.alarms.memory_critical_percent: 70 is not above the 75 % of max_data_gb at "
     "which a serverless cache's data warning fires; the critical alarm must come after it. "
     "Use 76 to 100."),
    ("gcp-valkey", gcp_config({"s": {"serverless": LIMITS}}),
     "caches.s.serverless: Memorystore has no serverless tier; the nearest option is an "
     "instance sized with shards, replicas and node_type, whose shards change online. Remove "
     "the key."),
    ("gcp-memcached", gcp_config({"s": {"engine": "memcached", "serverless": LIMITS}}),
     "caches.s.serverless: Memorystore has no serverless tier; the nearest option is "
     "Memorystore for Valkey (engine 'valkey'), sized with shards and node_type, whose shards "
     "change online. Remove the key."),
]


@pytest.mark.parametrize("config,expected", [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_bad_serverless_is_refused_and_nothing_is_created(attempt, config, expected):
    message, recorder = attempt(config)
    assert f"  - {expected}" in message.splitlines(), message
    assert recorder.registrations == []


def test_the_issue_example_resolves_with_documented_estimates():
    spec = load_stack_config(bursty("production"), "test")
    assert spec.caches == ()      # no node-based cache
    [cache] = spec.serverless_caches
    assert (cache.engine, cache.major_engine_version) == ("valkey", "8")
    assert (cache.max_data_gb, cache.max_ecpu_per_second) == (10, 5000)
    # Unset estimates: a quarter of each limit (at least the billed minimum of storage).
    assert (cache.expected_data_gb, cache.expected_ecpu_per_second) == (2.5, 1250)
    # Production: backups, a customer-managed key, protection, a user group.
    assert (cache.snapshot_retention_days, cache.daily_snapshot_time) == (7, "03:00")
    assert cache.create_kms_key and cache.deletion_protection and cache.user_group
    assert cache.ports == (6379, 6380)
    assert spec.all_caches == [cache]


def test_memcached_serverless_keeps_snapshots_but_has_no_user_group():
    # Snapshots are "Available for Valkey, Redis OSS and Serverless Memcached" (API reference,
    # CreateServerlessCache SnapshotRetentionLimit, DailySnapshotTime, SnapshotArnsToRestore).
    spec = load_stack_config(aws_config({"f": {"engine": "memcached", "serverless": {
        "max_data_gb": 1, "max_ecpu_per_second": 1000, "expected_data_gb": 0.2},
        "snapshot_retention_days": 3, "snapshot_window": "02:00-03:00",
        "restore_from": SNAPSHOT}}), "test")
    [cache] = spec.serverless_caches
    assert (cache.major_engine_version, cache.snapshot_retention_days) == ("1.6", 3)
    assert cache.daily_snapshot_time == "02:00" and not cache.user_group
    assert cache.restore is not None and cache.restore.snapshot_arns == (SNAPSHOT,)
    assert cache.ports == (11211,)
    assert cache.expected_data_gb == 0.2


def test_serverless_and_node_caches_keep_config_order():
    spec = load_stack_config(aws_config({"a": {}, "b": {"serverless": LIMITS}, "c": {}}), "test")
    assert [c.name for c in spec.all_caches] == ["a", "b", "c"]
    assert [c.name for c in spec.caches] == ["a", "c"]


def test_users_replace_the_generated_app_user_and_restore_keeps_its_arn():
    spec = load_stack_config(bursty(aws={"users": {
        "writer": APP, "reader": {"access": "on ~* +@read", "iam": True}}},
        restore_from=SNAPSHOT), "test")
    [cache] = spec.serverless_caches
    assert cache.user_group
    # Ids as for a replication group; an IAM user's name is its id.
    assert cache.users == (
        UserSpec(name="writer", user_id="test-bursty-writer", user_name="writer",
                 access=APP["access"], iam=False),
        UserSpec(name="reader", user_id="test-bursty-reader", user_name="test-bursty-reader",
                 access="on ~* -@all +@read", iam=True))
    assert cache.restore == RestoreSpec(source=SNAPSHOT, snapshot_arns=(SNAPSHOT,))


def test_without_users_or_restore_nothing_is_set():
    [cache] = load_stack_config(bursty(), "test").serverless_caches
    assert cache.users == () and cache.restore is None


def test_every_key_problem_is_reported_at_once(attempt):
    message, _ = attempt(bursty(aws={"import_id": "test-bursty", "users": {"default": APP}},
                                restore_from="nightly", secret=True))
    paths = [line.split(":")[0].strip(" -") for line in message.splitlines()[1:]]
    assert paths == ["caches.bursty.aws.users.default", "caches.bursty.restore_from",
                     "caches.bursty.aws.import_id"]


def test_serverless_memcached_tunes_the_critical_data_alarm_it_has():
    # The BytesUsedForCache critical alarm reads memory_critical_percent on Memcached too.
    [cache] = load_stack_config(aws_config({"b": {
        "engine": "memcached", "serverless": LIMITS,
        "alarms": {"memory_critical_percent": 85}}}), "test").all_caches
    assert cache.alarms.memory_critical_percent == 85


def test_a_refused_critical_percentage_is_reported_once(attempt):
    message, _ = attempt(bursty(alarms={"memory_critical_percent": 0}))
    lines = [line for line in message.splitlines() if "memory_critical_percent" in line]
    assert lines == ["  - caches.bursty.alarms.memory_critical_percent: 0 is not allowed; a "
                     "percentage is 1 to 100."]
