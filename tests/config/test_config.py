"""Stack config validation: every bad config is refused with its exact message, and nothing is
registered; defaults come from the profile."""

from __future__ import annotations

import json

import pytest

from infra.config import ConfigError, load_stack_config
from tests.builders import GCP_PROD, aws_config, gcp_config, spec_of

V = {"engine": "valkey"}

BAD_CONFIGS = [
    # (id, config, exact problem line)
    ("missing-cloud", {"aws:region": "us-east-1", "managed-cache:caches": json.dumps({"a": V})},
     "cloud: is required; set it to 'aws' or 'gcp'."),
    ("unknown-cloud", aws_config(cloud="azure"),
     "cloud: 'azure' is not allowed; use 'aws' or 'gcp'."),
    ("unknown-profile", aws_config(profile="prod"),
     "profile: 'prod' is not allowed; use 'development' or 'production'. "
     "Did you mean 'production'?"),
    ("misspelled-top-level-key", aws_config(cachez={}),
     "cachez: is not a known key. Did you mean 'caches'? "
     "Known keys: cloud, profile, name_prefix, network, alerts, caches, gcp."),
    ("missing-region", {"managed-cache:cloud": "aws", "managed-cache:caches": json.dumps({"a": V})},
     "aws:region: is required for cloud 'aws'; set it with "
     "`pulumi config set aws:region us-east-1`."),
    ("bad-region", aws_config(**{"aws:region": "us-est-1"}),
     "aws:region: 'us-est-1' is not an AWS region ElastiCache is offered in. "
     "Did you mean 'us-east-1' or 'us-west-1'?"),
    ("no-caches", aws_config({}),
     "caches: must name at least one cache, e.g. `sessions: {engine: valkey}`."),
    ("misspelled-cache-key", aws_config({"s": {"replcas": 1}}),
     "caches.s.replcas: is not a known key. Did you mean 'replicas'? Allowed keys here: alarms, "
     "autoscaling, aws, deletion_protection, description, engine, engine_version, "
     "final_snapshot, gcp, global, maintenance_window, memory_gb, node_type, nodes, parameters, "
     "replicas, restore_from, secret, serverless, shards, snapshot_retention_days, "
     "snapshot_window."),
    ("misspelled-nested-key", aws_config({"s": {"aws": {"kms_key": "x"}}}),
     "caches.s.aws.kms_key: is not a known key. Did you mean 'kms_key_arn'? Allowed keys here: "
     "apply_immediately, auto_minor_version_upgrade, cluster_mode, create_kms_key, import_id, "
     "kms_key_arn, log_retention_days, port, subnet_group_name, transit_encryption_mode, "
     "users."),
    ("unknown-engine", aws_config({"s": {"engine": "valky"}}),
     "caches.s.engine: 'valky' is not allowed; use 'valkey', 'redis' or 'memcached'. "
     "Did you mean 'valkey'?"),
    ("unquoted-version", aws_config({"s": {"engine_version": 8.0}}),
     "caches.s.engine_version: 8.0 must be a string; quote it in YAML, e.g. \"8.0\" "
     "(unquoted 8.0 is read as a number)."),
    ("patch-version-on-redis7", aws_config({"s": {"engine": "redis", "engine_version": "7.0.7"}}),
     "caches.s.engine_version: '7.0.7' has a patch level; redis 7+ takes major.minor only, "
     "e.g. '7.0'."),
    ("unsupported-version", aws_config({"s": {"engine": "redis", "engine_version": "5.0.6"}}),
     "caches.s.engine_version: '5.0.6' is not a supported redis version on ElastiCache; "
     "use one of 6.x, 6.2, 7.0, 7.1."),
    ("bad-cache-name", aws_config({"Sessions_1": V}),
     "caches.Sessions_1: the cache name 'Sessions_1' is not allowed; use lowercase letters, "
     "digits and single hyphens, starting with a letter and not ending with a hyphen."),
    ("double-hyphen-name", aws_config({"a--b": V}),
     "caches.a--b: the cache name 'a--b' is not allowed; use lowercase letters, digits and "
     "single hyphens, starting with a letter and not ending with a hyphen."),
    ("id-too-long", aws_config({"a-very-long-cache-name-for-sessions-xyz": V}),
     "caches.a-very-long-cache-name-for-sessions-xyz: the cache id "
     "'test-a-very-long-cache-name-for-sessions-xyz' is 44 characters; ElastiCache allows 40. "
     "Shorten the cache name or set name_prefix."),
    # A Memcached cluster id may be 50 (CreateCacheCluster, terraform-provider-aws cluster.go),
    # and a serverless one 40 like a replication group's.
    ("memcached-id-too-long",
     aws_config({"sessions-memcached-for-the-checkout-web-tier-eu": {"engine": "memcached"}}),
     "caches.sessions-memcached-for-the-checkout-web-tier-eu: the cache id "
     "'test-sessions-memcached-for-the-checkout-web-tier-eu' is 52 characters; ElastiCache "
     "allows 50. Shorten the cache name or set name_prefix."),
    ("serverless-memcached-id-too-long",
     aws_config({"sessions-memcached-for-the-checkout-api": {"engine": "memcached",
                                                             "serverless": {}}}),
     "caches.sessions-memcached-for-the-checkout-api: the cache id "
     "'test-sessions-memcached-for-the-checkout-api' is 44 characters; ElastiCache allows 40. "
     "Shorten the cache name or set name_prefix."),
    ("unknown-node-type", aws_config({"s": {"node_type": "cache.r7g.lage"}}),
     "caches.s.node_type: 'cache.r7g.lage' is not a known ElastiCache node type. Did you mean "
     "'cache.r7g.large'? Known families: c7gn, m5, m6g, m7g, r5, r6g, r6gd, r7g, t3, t4g."),
    ("node-type-and-memory", aws_config({"s": {"node_type": "cache.r7g.large", "memory_gb": 4}}),
     "caches.s: set node_type or memory_gb, not both."),
    ("memory-too-large", aws_config({"s": {"memory_gb": 500}}, profile="production"),
     "caches.s.memory_gb: 500.0 GiB does not fit one node of the r7g families; use shards to "
     "spread the data."),
    ("too-many-replicas", aws_config({"s": {"replicas": 6}}),
     "caches.s.replicas: 6 is not allowed; ElastiCache allows 0 to 5 replicas per shard "
     "(1 to 6 nodes)."),
    ("zero-shards", aws_config({"s": {"shards": 0}}),
     "caches.s.shards: 0 is not allowed; a replication group has 1 to 500 shards."),
    ("more-than-500-nodes", aws_config({"s": {"shards": 84, "replicas": 5}}),
     "caches.s.shards: 84 shards of 6 nodes (1 primary, 5 replicas) make 504 nodes; a "
     "replication group holds at most 500, e.g. 83 shards with 5 replicas."),
    ("shards-without-cluster-mode", aws_config({"s": {"shards": 3,
                                                      "aws": {"cluster_mode": False}}}),
     "caches.s.aws.cluster_mode: false does not fit shards: 3; more than one shard needs "
     "cluster mode."),
    ("cluster-enabled-parameter", aws_config({"s": {"parameters": {"cluster-enabled": "yes"}}}),
     "caches.s.parameters.cluster-enabled: is set from shards (and aws.cluster_mode); remove it "
     "from parameters."),
    ("short-maintenance-window", aws_config({"s": {"maintenance_window": "sun:05:00-sun:05:30"}}),
     "caches.s.maintenance_window: 'sun:05:00-sun:05:30' lasts 30 minutes; a maintenance window "
     "needs at least 60."),
    # "a time range of up to 24 hours" (ElastiCache, Managing maintenance); memcached's window
    # is checked as Valkey's is. A window that wraps the week is 6 days 23 hours long.
    ("long-maintenance-window", aws_config({"s": {"maintenance_window": "sun:05:00-sun:04:00"}}),
     "caches.s.maintenance_window: 'sun:05:00-sun:04:00' lasts 10020 minutes; an ElastiCache "
     "maintenance window lasts 60 minutes to 24 hours (one that ends before it starts runs "
     "into the next week), e.g. 'sun:05:00-sun:06:00'."),
    ("memcached-long-maintenance-window",
     aws_config({"m": {"engine": "memcached", "maintenance_window": "sun:05:00-mon:05:01"}}),
     "caches.m.maintenance_window: 'sun:05:00-mon:05:01' lasts 1441 minutes; an ElastiCache "
     "maintenance window lasts 60 minutes to 24 hours (one that ends before it starts runs "
     "into the next week), e.g. 'sun:05:00-sun:06:00'."),
    ("malformed-maintenance-window", aws_config({"s": {"maintenance_window": "sunday 5am"}}),
     "caches.s.maintenance_window: 'sunday 5am' is not a maintenance window; use "
     "'ddd:hh24:mi-ddd:hh24:mi' in UTC, e.g. 'sun:05:00-sun:06:00'."),
    ("short-snapshot-window", aws_config({"s": {"snapshot_window": "03:00-03:30"}}),
     "caches.s.snapshot_window: '03:00-03:30' lasts 30 minutes; a snapshot window needs at "
     "least 60."),
    ("windows-overlap", aws_config({"s": {"maintenance_window": "sun:03:30-sun:04:30"}}),
     "caches.s.snapshot_window: '03:00-04:00' overlaps the maintenance window "
     "'sun:03:30-sun:04:30'; ElastiCache needs them apart. Move one of them."),
    ("windows-overlap-past-midnight", aws_config({"s": {
        "snapshot_window": "23:30-00:30", "maintenance_window": "mon:00:00-mon:01:00"}}),
     "caches.s.snapshot_window: '23:30-00:30' overlaps the maintenance window "
     "'mon:00:00-mon:01:00'; ElastiCache needs them apart. Move one of them."),
    ("windows-overlap-past-the-week", aws_config({"s": {
        "snapshot_window": "00:30-01:30", "maintenance_window": "sun:23:00-mon:01:00"}}),
     "caches.s.snapshot_window: '00:30-01:30' overlaps the maintenance window "
     "'sun:23:00-mon:01:00'; ElastiCache needs them apart. Move one of them."),
    ("retention-too-long", aws_config({"s": {"snapshot_retention_days": 36}}),
     "caches.s.snapshot_retention_days: 36 is not allowed; ElastiCache keeps 0 to 35 days."),
    ("empty-description", aws_config({"s": {"description": " "}}),
     "caches.s.description: must not be empty (ElastiCache requires a description)."),
    ("bad-kms-arn", aws_config({"s": {"aws": {"kms_key_arn": "my-key"}}}),
     "caches.s.aws.kms_key_arn: 'my-key' is not a KMS key ARN "
     "(arn:aws:kms:<region>:<account>:key/<id>)."),
    ("kms-alias-arn", aws_config({"s": {"aws": {
        "kms_key_arn": "arn:aws:kms:us-east-1:123456789012:alias/cache"}}}),
     "caches.s.aws.kms_key_arn: 'arn:aws:kms:us-east-1:123456789012:alias/cache' is an alias "
     "ARN; use the key's ARN (arn:aws:kms:<region>:<account>:key/<id>, `aws kms describe-key "
     "--key-id <alias>` prints it): ElastiCache reports the key's ARN, and any other value would "
     "replace the cache on every later update."),
    ("kms-key-in-other-region", aws_config({"s": {"aws": {
        "kms_key_arn": "arn:aws:kms:eu-west-1:123456789012:key/abcd-1234"}}}),
     "caches.s.aws.kms_key_arn: the key is not in us-east-1; ElastiCache needs a KMS key in the "
     "cache's own region."),
    ("kms-arn-and-create", aws_config({"s": {"aws": {
        "kms_key_arn": "arn:aws:kms:us-east-1:123456789012:key/abcd-1234",
        "create_kms_key": True}}}),
     "caches.s.aws: set kms_key_arn (your key) or create_kms_key: true (a new key), not both."),
    ("bad-tls-mode", aws_config({"s": {"aws": {"transit_encryption_mode": "optional"}}}),
     "caches.s.aws.transit_encryption_mode: 'optional' is not allowed; use one of preferred, "
     "required."),
    ("tls-mode-on-old-redis", aws_config({"s": {"engine": "redis", "engine_version": "6.2",
                                                "aws": {"transit_encryption_mode": "preferred"}}}),
     "caches.s.aws.transit_encryption_mode: Redis OSS 6.2 has no TLS mode (it needs 7.0.5 or "
     "later); remove the key."),
    ("tls-mode-on-memcached", aws_config({"s": {"engine": "memcached", "aws": {
        "transit_encryption_mode": "preferred"}}}),
     "caches.s.aws.transit_encryption_mode: Memcached has no TLS mode (a cluster has TLS on or "
     "off from its creation); remove the key or use engine 'valkey'."),
    ("cidr-listed-twice", aws_config(network={"vpc_cidr": "10.40.0.0/16", "allowed_cidrs": [
        "10.40.0.0/16", "10.41.0.0/16", "10.40.0.0/16"]}),
     "network.allowed_cidrs.2: '10.40.0.0/16' is listed twice; list it once."),
    ("security-group-listed-twice", aws_config(network={
        "vpc_cidr": "10.40.0.0/16",
        "allowed_security_group_ids": ["sg-0123456789abcdef0", "sg-0123456789abcdef0"]}),
     "network.allowed_security_group_ids.1: 'sg-0123456789abcdef0' is listed twice; list it "
     "once."),
    ("bad-log-retention", aws_config({"s": {"aws": {"log_retention_days": 10}}}),
     "caches.s.aws.log_retention_days: 10 is not a CloudWatch Logs retention; use one of 1, 3, "
     "5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, "
     "3288, 3653."),
    ("privileged-port", aws_config({"s": {"aws": {"port": 80}}}),
     "caches.s.aws.port: 80 is not allowed; use 1024 to 65535."),
    ("data-tiering-on-old-redis", aws_config({"s": {"engine": "redis", "engine_version": "6.x",
                                                    "node_type": "cache.r6gd.xlarge"}}),
     "caches.s.node_type: 'cache.r6gd.xlarge' uses data tiering, which needs Valkey or Redis "
     "6.2 or later."),
    # The Memcached node-type table (ParameterGroups.Engine.html) has no r6gd.
    ("memcached-on-data-tiering-node", aws_config({"m": {"engine": "memcached",
                                                         "node_type": "cache.r6gd.xlarge"}}),
     "caches.m.node_type: 'cache.r6gd.xlarge' is not offered for Memcached: data tiering nodes "
     "(r6gd) run Valkey and Redis only; use an r7g or m7g node of the same size."),
    # Supported node types: Thailand and Mexico (Central) offer m7g/r7g and t3/t4g only.
    ("node-type-not-in-region", aws_config({"s": {"node_type": "cache.r6g.large"}},
                                           **{"aws:region": "mx-central-1"}),
     "caches.s.node_type: 'cache.r6g.large' is not offered in mx-central-1; ElastiCache there "
     "offers only m7g and r7g (large to 16xlarge), t3 and t4g (micro to medium)."),
    ("internet-ingress", aws_config(network={"allowed_cidrs": ["0.0.0.0/0"]}),
     "network.allowed_cidrs.0: '0.0.0.0/0' is not a private range; caches never admit clients "
     "from the internet. Use ranges inside 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 or "
     "100.64.0.0/10."),
    ("security-group-name-like-an-id", aws_config(name_prefix="sg-shop"),
     "name_prefix: 'sg-shop' names the security group 'sg-shop-cache', and AWS refuses security "
     "group names that begin with 'sg-' (the prefix of group ids); use another prefix (it "
     "defaults to the stack name)."),
    # The AWS provider parses CIDRs with Go's net.ParseCIDR: no bare address, no netmask.
    ("address-without-prefix", aws_config(network={"allowed_cidrs": ["10.1.2.3"]}),
     "network.allowed_cidrs.0: '10.1.2.3' is not written as a CIDR block; write '10.1.2.3/32' "
     "(address/prefix length)."),
    ("vpc-cidr-with-netmask", aws_config(network={"vpc_cidr": "10.0.0.0/255.255.0.0"}),
     "network.vpc_cidr: '10.0.0.0/255.255.0.0' is not written as a CIDR block; write "
     "'10.0.0.0/16' (address/prefix length)."),
    ("public-vpc-cidr", aws_config(network={"vpc_cidr": "8.8.0.0/16"}),
     "network.vpc_cidr: '8.8.0.0/16' is not a private range; use part of 10.0.0.0/8, "
     "172.16.0.0/12, 192.168.0.0/16 or 100.64.0.0/10."),
    ("vpc-too-small", aws_config(network={"vpc_cidr": "10.0.0.0/26"}),
     "network.vpc_cidr: '10.0.0.0/26' is a /26; use a prefix from /16 to /24 (AWS VPCs are /16 "
     "to /28 and each subnet takes 1/16 of the VPC)."),
    ("vpc-cidr-and-vpc-id", aws_config(network={"vpc_cidr": "10.0.0.0/16",
                                                "vpc_id": "vpc-0123456789abcdef0",
                                                "subnet_ids": ["subnet-0123456789abcdef0"]}),
     "network: set vpc_cidr (a new VPC) or vpc_id with subnet_ids (an existing VPC), not both."),
    ("vpc-id-without-subnets", aws_config(network={"vpc_id": "vpc-0123456789abcdef0",
                                                   "allowed_cidrs": ["10.0.0.0/16"]}),
     "network: an existing VPC needs both vpc_id and subnet_ids (at least one subnet)."),
    ("production-existing-vpc-one-subnet", aws_config(profile="production", alerts={
        "emails": ["oncall@example.com"]}, network={
        "vpc_id": "vpc-0123456789abcdef0", "subnet_ids": ["subnet-0123456789abcdef0"],
        "allowed_cidrs": ["10.0.0.0/16"]}),
     "network.subnet_ids: one subnet puts every node in one zone; production spreads nodes "
     "across at least 2 zones (Multi-AZ, cross-az Memcached). List subnets in two or more "
     "zones."),
    ("existing-vpc-nobody-allowed", aws_config(network={
        "vpc_id": "vpc-0123456789abcdef0", "subnet_ids": ["subnet-0123456789abcdef0"]}),
     "network: with an existing VPC, set allowed_cidrs or allowed_security_group_ids: otherwise "
     "no client could connect."),
    ("bad-security-group-id", aws_config(network={"allowed_security_group_ids": ["web"]}),
     "network.allowed_security_group_ids.0: 'web' is not a security group id "
     "(sg-0123456789abcdef0)."),
    ("one-zone-in-production", aws_config(network={"availability_zones": 1},
                                          profile="production"),
     "network.availability_zones: 1 is not allowed; use 2 to 6 (production spreads replicas "
     "across at least 2 zones for Multi-AZ)."),
    ("bad-email", aws_config(alerts={"emails": ["oncall"]}),
     "alerts.emails.0: 'oncall' is not an e-mail address."),
    ("caches-not-json", {**aws_config(), "managed-cache:caches": "sessions"},
     "caches: 'sessions' is not an object; write it as a YAML mapping under the key."),
    ("cache-not-mapping", aws_config({"s": ["valkey"]}),
     "caches.s: ['valkey'] is not allowed; write a mapping of keys here."),
    ("gcp-block-on-aws", aws_config({"s": {"gcp": {}}}),
     "caches.s.gcp: options for gcp do not apply to a stack on aws; remove the block."),
]


@pytest.mark.parametrize("config,expected", [c[1:] for c in BAD_CONFIGS],
                         ids=[c[0] for c in BAD_CONFIGS])
def test_bad_config_is_refused_with_its_message_and_nothing_is_created(attempt, config, expected):
    message, recorder = attempt(config)
    assert f"  - {expected}" in message.splitlines(), message
    assert recorder.registrations == []


@pytest.mark.parametrize("snapshot, maintenance", [
    ("04:00-05:00", "sun:05:00-sun:06:00"),     # back to back
    ("03:00-04:00", "sat:23:00-sun:01:00"),     # across the week's end, clear of 03:00
    ("22:00-23:00", "mon:23:00-tue:01:00"),     # the maintenance window wraps past midnight
])
def test_snapshot_and_maintenance_windows_that_do_not_overlap_are_accepted(snapshot,
                                                                           maintenance):
    spec = load_stack_config(aws_config({"s": {"snapshot_window": snapshot,
                                               "maintenance_window": maintenance}}), "test")
    cache = spec.caches[0]
    assert (cache.snapshot_window, cache.maintenance_window) == (snapshot, maintenance)


def test_a_too_long_maintenance_window_is_its_only_problem(attempt):
    # A refused window is not checked for overlap with the snapshot window as well.
    message, _ = attempt(aws_config({"s": {"maintenance_window": "sun:05:00-sun:04:00"}}))
    assert message.splitlines()[0] == "The config of stack 'test' has 1 problem; nothing was " \
                                      "created:"


def test_a_maintenance_window_of_exactly_24_hours_is_accepted():
    # Memcached: on Valkey/Redis a daily snapshot window would overlap a 24-hour window.
    spec = load_stack_config(aws_config({"s": {"engine": "memcached",
                                               "maintenance_window": "sun:05:00-mon:05:00"}}),
                             "test")
    assert spec.caches[0].maintenance_window == "sun:05:00-mon:05:00"


def test_asia_pacific_new_zealand_offers_elasticache():
    # ap-southeast-6 has an ElastiCache endpoint (AWS General Reference, ElastiCache endpoints).
    spec = load_stack_config(aws_config(**{"aws:region": "ap-southeast-6"}), "test")
    assert spec.region == "ap-southeast-6"


@pytest.mark.parametrize(("engine", "node_type", "memory_gib"), [
    ("valkey", "cache.r5.24xlarge", 635.61), ("memcached", "cache.m5.24xlarge", 314.32)])
def test_the_24xlarge_m5_and_r5_nodes_are_offered(engine, node_type, memory_gib):
    # Supported node types: M5 and R5 run up to 24xlarge (96 vCPU), for both engines.
    spec = load_stack_config(aws_config({"s": {"engine": engine, "node_type": node_type}}), "test")
    node = spec.caches[0].node_type
    assert (node.name, node.memory_gib, node.vcpus) == (node_type, memory_gib, 96)


def test_a_group_past_the_default_node_quota_is_a_warning_up_to_500_nodes():
    # ElastiCache: up to 90 nodes per cluster by default, at most 500 once the quota is raised.
    def warnings(shards: int, replicas: int) -> tuple[str, ...]:
        config = aws_config({"s": {"shards": shards, "replicas": replicas}})
        return load_stack_config(config, "test").warnings

    assert warnings(83, 5) == (
        "caches.s.shards: 498 nodes pass ElastiCache's default quota of 90 nodes per cluster; "
        "ask for 'Nodes per cluster (cluster mode enabled)' in Service Quotas before "
        "`pulumi up`.",)
    assert warnings(500, 0)[0].startswith("caches.s.shards: 500 nodes pass")
    assert warnings(45, 1) == ()                  # 90 nodes: within the default quota


def test_tls_preferred_is_a_production_warning_and_required_by_default():
    preferred = {"s": {"aws": {"transit_encryption_mode": "preferred"}}}
    spec = load_stack_config(aws_config(preferred, profile="production"), "test")
    assert spec.caches[0].transit_encryption_mode == "preferred"
    assert "caches.s.aws.transit_encryption_mode is 'preferred': clients may still connect " \
           "without TLS; set 'required' once they all use TLS." in spec.warnings
    assert load_stack_config(aws_config(), "test").caches[0].transit_encryption_mode \
        == "required"


@pytest.mark.parametrize(("config", "expected"), [
    (aws_config({"a": {"replicas": 9}, "b": {"engine": "valky"}}, profile="prod"),
     ["caches.a.replicas: 9 is not allowed", "caches.b.engine: 'valky' is not allowed",
      "profile: 'prod' is not allowed"]),
    # A typo (an unknown key) does not hide the rest of its block: it is checked without it.
    (aws_config({"s": {"replicass": 1, "aws": {"creat_kms_key": True},
                       "parameters": {"maxmemory-policy": "lru-everything"}}}),
     ["caches.s.replicass: is not a known key. Did you mean 'replicas'?",
      "caches.s.aws.creat_kms_key: is not a known key.",
      "caches.s.parameters.maxmemory-policy: 'lru-everything' is not allowed"]),
    (aws_config({"s": {}}, network={"vpc_cidrr": "10.0.0.0/16", "allowed_cidrs": ["0.0.0.0/0"]}),
     ["network.vpc_cidrr: is not a known key. Did you mean 'vpc_cidr'?",
      "network.allowed_cidrs.0: '0.0.0.0/0' is not a private range"]),
    # The rest is checked with the typo under the key it meant, never with a default in its
    # place: a mistyped engine is not checked as Valkey, a mistyped vpc_id not as missing.
    (gcp_config({"s": {"engin": "memcached", "nodes": 3, "memory_gb": 4,
                       "maintenance_window": "sun:05:00-sun:08:00"}}),
     ["caches.s.engin: is not a known key. Did you mean 'engine'?"]),
    (aws_config({"s": {}}, network={"vpc_idd": "vpc-0123456789abcdef0",
                                    "subnet_ids": ["subnet-0123456789abcdef0",
                                                   "subnet-0123456789abcdef1"],
                                    "allowed_cidrs": ["10.0.0.0/16"]}),
     ["network.vpc_idd: is not a known key. Did you mean 'vpc_id'?"]),
    # A key with no near miss among ours is dropped for the re-check: the rest still counts.
    (aws_config({"s": {"tags": {"team": "x"}, "shards": 0}}),
     ["caches.s.tags: is not a known key.", "caches.s.shards: 0 is not allowed"]),
], ids=["three-keys", "typo-in-a-cache", "typo-in-network", "typo-for-a-defaulted-key",
        "typo-for-a-paired-key", "unknown-key-without-a-near-miss"])
def test_every_problem_is_reported_at_once(attempt, config, expected):
    message, recorder = attempt(config)
    count = f"{len(expected)} problem" + ("s" if len(expected) > 1 else "")
    assert message.startswith(f"The config of stack 'test' has {count}; "
                              "nothing was created:"), message
    for line in expected:
        assert line in message
    assert recorder.registrations == []


def test_config_error_is_a_run_error_so_the_cli_prints_no_traceback():
    import pulumi

    with pytest.raises(pulumi.RunError):
        load_stack_config(aws_config({"s": {"replicas": 9}}), "test")


def _spec(caches=None, **top):
    return load_stack_config(aws_config(caches, **top), "test")


def test_development_defaults_are_small_and_cheap():
    cache = _spec().caches[0]
    assert (cache.engine, cache.engine_version, cache.family) == ("valkey", "8.1", "valkey8")
    assert cache.node_type.name == "cache.t4g.micro"
    assert (cache.replicas, cache.automatic_failover, cache.multi_az) == (0, False, False)
    assert (cache.create_kms_key, cache.final_snapshot, cache.deletion_protection) == (
        False, False, False)
    assert cache.snapshot_retention_days == 1


def test_production_defaults_are_durable():
    cache = _spec(profile="production", alerts={"emails": ["a@example.com"]}).caches[0]
    assert cache.node_type.name == "cache.r7g.large"
    assert (cache.replicas, cache.automatic_failover, cache.multi_az) == (2, True, True)
    assert (cache.create_kms_key, cache.final_snapshot, cache.deletion_protection) == (
        True, True, True)
    assert cache.snapshot_retention_days == 7
    assert cache.apply_immediately is False


def test_explicit_settings_win_over_the_profile():
    cache = _spec({"s": {"replicas": 1, "deletion_protection": False}},
                  profile="production").caches[0]
    assert (cache.replicas, cache.deletion_protection) == (1, False)


@pytest.mark.parametrize("memory_gb,profile,expected", [
    (0.3, "development", "cache.t4g.micro"),     # 0.5 GiB x 0.75 = 0.375 usable
    (2, "development", "cache.t4g.medium"),      # 3.09 x 0.75 = 2.32
    (4, "development", "cache.m7g.large"),       # 6.38 x 0.75 = 4.79
    (5, "development", "cache.m7g.xlarge"),      # m7g.large's 4.79 is short; 12.93 x 0.75
    (9, "production", "cache.r7g.large"),        # 13.07 x 0.75 = 9.80
    (10, "production", "cache.r7g.xlarge"),      # 9.80 < 10 -> 26.32 x 0.75
])
def test_memory_gb_picks_the_smallest_fitting_node_type(memory_gb, profile, expected):
    cache = _spec({"s": {"memory_gb": memory_gb}}, profile=profile,
                  alerts={"emails": ["a@example.com"]}).caches[0]
    assert cache.node_type.name == expected


def test_sharding_turns_on_cluster_mode_and_the_cluster_enabled_parameter():
    cache = _spec({"s": {"shards": 3, "replicas": 1}}).caches[0]
    assert cache.cluster_mode and cache.automatic_failover
    assert cache.parameters["cluster-enabled"] == "yes"
    assert cache.member_ids[:3] == ["test-s-0001-001", "test-s-0001-002", "test-s-0002-001"]
    assert len(cache.member_ids) == 6


def test_yaml_booleans_become_engine_spellings():
    cache = _spec({"s": {"parameters": {"activedefrag": True}}}).caches[0]
    assert cache.parameters["activedefrag"] == "yes"


NO_REPLICA = ("caches.s.replicas is 0: a production cache without a replica has no automatic "
              "failover and no copy in another zone.")


@pytest.mark.parametrize("cloud", ["aws", "gcp"])
def test_development_alarms_that_notify_without_emails_are_warned(cloud):
    build = aws_config if cloud == "aws" else gcp_config
    paging = spec_of(build({"s": {"alarms": {"notify": True}}, "t": {}}))
    assert ("alerts.emails is empty: the alarms of caches.s notify (alarms.notify: true) and "
            "will reach nobody.") in paging.warnings
    quiet = spec_of(build({"s": {}}))
    assert not [w for w in quiet.warnings if w.startswith("alerts.emails is empty")]
    mailed = spec_of(build({"s": {"alarms": {"notify": True}}}, alerts={"emails": ["a@b.co"]}))
    assert not [w for w in mailed.warnings if w.startswith("alerts.emails is empty")]


def test_production_warnings_name_the_risk():
    spec = _spec({"s": {"replicas": 0}}, profile="production")
    assert "alerts.emails is empty: production alarms will notify nobody." in spec.warnings
    assert NO_REPLICA in spec.warnings


@pytest.mark.parametrize("engine", ["valkey", "redis"])
def test_a_production_gcp_cache_without_a_replica_is_warned_in_words_true_on_gcp(engine):
    # Multi-AZ is an ElastiCache setting; Memorystore spreads replicas over zones itself.
    spec = load_stack_config(gcp_config({"s": {"engine": engine, "replicas": 0}}, **GCP_PROD),
                             "test")
    assert NO_REPLICA in spec.warnings


def test_config_error_lists_problems_for_programmatic_use():
    with pytest.raises(ConfigError) as caught:
        load_stack_config(aws_config({"s": {"replicas": 9, "shards": 0}}), "test")
    assert [p.path for p in caught.value.problems] == ["caches.s.shards", "caches.s.replicas"]
