"""Boundaries of the config rules that no other test pins down (found by mutation testing):
the value at each limit is accepted or refused with its exact message, and one mistake is one
problem."""

from __future__ import annotations

import pytest

from infra.config import ConfigError, load_stack_config
from infra.config.dns import cache_dns_names
from tests.builders import aws_config, gcp_config


def problems_of(config: dict[str, str]) -> list[str]:
    """Every problem line of a refused config, in order."""
    with pytest.raises(ConfigError) as caught:
        load_stack_config(config, "test")
    return [str(p) for p in caught.value.problems]


def memcached_config(node_type: str | None = None, **parameters: str) -> dict[str, str]:
    cache: dict[str, object] = {"engine": "memcached", "parameters": parameters}
    if node_type is not None:
        cache["node_type"] = node_type
    return aws_config({"m": cache})


# ---------------------------------------------------------------------------------------------
# infra/config/aws.py
# ---------------------------------------------------------------------------------------------
def test_two_shards_without_cluster_mode_are_refused():
    # More than one shard needs cluster mode: two is already more than one.
    assert problems_of(aws_config({"s": {"shards": 2, "aws": {"cluster_mode": False}}})) == [
        "caches.s.aws.cluster_mode: false does not fit shards: 2; more than one shard needs "
        "cluster mode."]


def test_a_patch_version_before_redis_7_is_an_unsupported_version():
    # Only 7+ gets the "major.minor only" hint; 6.2.6 is simply not a version ElastiCache takes.
    assert problems_of(aws_config({"s": {"engine": "redis", "engine_version": "6.2.6"}})) == [
        "caches.s.engine_version: '6.2.6' is not a supported redis version on ElastiCache; use "
        "one of 6.x, 6.2, 7.0, 7.1."]


def test_a_patch_version_on_redis_7_is_one_problem():
    assert problems_of(aws_config({"s": {"engine": "redis", "engine_version": "7.0.7"}})) == [
        "caches.s.engine_version: '7.0.7' has a patch level; redis 7+ takes major.minor only, "
        "e.g. '7.0'."]


def test_a_patch_version_names_a_two_digit_major_whole():
    assert problems_of(aws_config({"s": {"engine": "valkey", "engine_version": "10.0.1"}})) == [
        "caches.s.engine_version: '10.0.1' has a patch level; valkey 10+ takes major.minor "
        "only, e.g. '10.0'."]


def test_data_tiering_runs_on_redis_6_2():
    # Data tiering "needs Valkey or Redis 6.2 or later": 6.2 itself is fine.
    spec = load_stack_config(aws_config({"s": {"engine": "redis", "engine_version": "6.2",
                                               "node_type": "cache.r6gd.xlarge"}}), "test")
    assert (spec.caches[0].engine_version, spec.caches[0].node_type.name) == (
        "6.2", "cache.r6gd.xlarge")


def test_a_memcached_cluster_has_no_cluster_mode():
    # The connection secret tells clients "cluster_mode" (infra/stacks/aws_endpoints.py): a
    # Memcached cluster has none, whatever its node count.
    cache = load_stack_config(aws_config({"m": {"engine": "memcached", "nodes": 3}}),
                              "test").caches[0]
    assert (cache.cluster_mode, cache.shards, cache.replicas) == (False, 1, 0)


# --- Memcached item sizes (_check_memcached_item_sizes) ---------------------------------------
def test_a_memcached_item_size_equal_to_the_slab_chunk_is_accepted():
    # ElastiCache refuses slab_chunk_max > max_item_size; equal sizes are a multiple.
    spec = load_stack_config(memcached_config(max_item_size="524288"), "test")
    assert spec.caches[0].parameters["max_item_size"] == "524288"


def test_a_slab_chunk_that_does_not_divide_the_page_is_its_only_problem():
    # 300000 does not divide 1 MiB; that it does not divide the default 1 MiB item size either
    # is the same mistake, reported once.
    assert problems_of(memcached_config(slab_chunk_max="300000")) == [
        "caches.m.parameters.slab_chunk_max: 300000 does not divide Memcached's slab page of "
        "1048576 bytes, so the engine does not start; use a power of two up to 1048576, e.g. "
        "524288."]


def test_an_item_size_that_neither_fits_the_chunk_nor_the_node_is_one_problem():
    assert problems_of(memcached_config("cache.t4g.micro", max_item_size="500000000")) == [
        "caches.m.parameters.max_item_size: max_item_size 500000000 and slab_chunk_max 524288 "
        "do not fit: max_item_size must be a multiple of slab_chunk_max (and not below it), or "
        "ElastiCache refuses the cluster; e.g. max_item_size 108003328."]


def test_item_sizes_are_checked_without_a_node_when_the_node_is_refused():
    # r6gd does not run Memcached: the item size rule still speaks, with no node cap.
    assert problems_of(memcached_config("cache.r6gd.xlarge", max_item_size="1500000")) == [
        "caches.m.node_type: 'cache.r6gd.xlarge' is not offered for Memcached: data tiering "
        "nodes (r6gd) run Valkey and Redis only; use an r7g or m7g node of the same size.",
        "caches.m.parameters.max_item_size: max_item_size 1500000 and slab_chunk_max 524288 do "
        "not fit: max_item_size must be a multiple of slab_chunk_max (and not below it), or "
        "ElastiCache refuses the cluster; e.g. max_item_size 1048576."]


def test_the_item_size_example_may_be_exactly_one_chunk():
    # (512 - 509) MB / 4 leaves room for exactly one 512 KiB chunk: the example is that chunk.
    assert problems_of(memcached_config("cache.t3.micro", max_item_size="1500000",
                                 memcached_connections_overhead="509")) == [
        "caches.m.parameters.max_item_size: max_item_size 1500000 and slab_chunk_max 524288 do "
        "not fit: max_item_size must be a multiple of slab_chunk_max (and not below it), or "
        "ElastiCache refuses the cluster; e.g. max_item_size 524288."]


def test_an_item_size_past_a_one_chunk_node_cap_is_told_to_shrink_to_that_chunk():
    assert problems_of(memcached_config("cache.t3.micro", max_item_size="1048576",
                                 memcached_connections_overhead="509")) == [
        "caches.m.parameters.max_item_size: max_item_size 1048576 is more than a quarter of the "
        "3 MB a cache.t3.micro node has for items (its max_cache_memory less "
        "memcached_connections_overhead 509), so ElastiCache refuses the cluster; use at most "
        "524288 (a multiple of slab_chunk_max), or choose a larger node type."]


@pytest.mark.parametrize(("parameters", "key", "item", "memory", "overhead", "fix"), [
    # 128 MiB items are a quarter of the t3.micro's 512 MB: only an overhead of 0 leaves room.
    ({"max_item_size": "134217728", "memcached_connections_overhead": "511"},
     "memcached_connections_overhead", 134217728, 1, 511,
     "use a memcached_connections_overhead of at most 0"),
    # 256 KiB more than that: no overhead is small enough.
    ({"max_item_size": "134479872", "slab_chunk_max": "262144",
      "memcached_connections_overhead": "512"},
     "max_item_size", 134479872, 0, 512, "use a smaller max_item_size"),
], ids=["overhead-of-zero", "no-overhead-fits"])
def test_the_item_size_fix_is_an_overhead_only_when_one_of_zero_or_more_fits(
        parameters, key, item, memory, overhead, fix):
    assert problems_of(memcached_config("cache.t3.micro", **parameters)) == [
        f"caches.m.parameters.{key}: max_item_size {item} is more than a quarter of the "
        f"{memory} MB a cache.t3.micro node has for items (its max_cache_memory less "
        f"memcached_connections_overhead {overhead}), so ElastiCache refuses the cluster; "
        f"{fix}, or choose a larger node type."]


# --- auto scaling (_check_autoscaling) ---------------------------------------------------------
def _scaled(configured: int = 2, version: str | None = None, **autoscaling: object):
    cache: dict[str, object] = {"shards": configured, "replicas": 1, "node_type": "cache.r7g.large",
                                "autoscaling": autoscaling}
    if version is not None:
        cache["engine_version"] = version
    return load_stack_config(aws_config({"s": cache}), "test").caches[0].autoscaling


def test_auto_scaling_runs_on_its_minimum_valkey_version():
    assert _scaled(version="7.2", shards={"min": 2, "max": 6}).shards.max == 6


def test_a_scaling_range_of_one_value_is_accepted():
    shards = _scaled(shards={"min": 2, "max": 2}).shards
    assert (shards.min, shards.max) == (2, 2)


def test_the_configured_count_may_sit_at_the_scalers_maximum():
    shards = _scaled(6, shards={"min": 2, "max": 6}).shards
    assert (shards.min, shards.max) == (2, 6)


# --- maintenance and snapshot windows (_check_windows_apart) -----------------------------------
def test_a_snapshot_window_may_start_when_the_maintenance_window_ends():
    spec = load_stack_config(aws_config({"s": {"snapshot_window": "06:00-07:00",
                                               "maintenance_window": "sun:05:00-sun:06:00"}}),
                             "test")
    assert spec.caches[0].snapshot_window == "06:00-07:00"


def test_a_snapshot_window_overlapping_on_two_days_is_one_problem():
    # A 24-hour maintenance window from 03:30 meets the 03:00-04:00 snapshot on Sunday and Monday.
    assert problems_of(aws_config({"s": {"snapshot_window": "03:00-04:00",
                                         "maintenance_window": "sun:03:30-mon:03:30"}})) == [
        "caches.s.snapshot_window: '03:00-04:00' overlaps the maintenance window "
        "'sun:03:30-mon:03:30'; ElastiCache needs them apart. Move one of them."]


# ---------------------------------------------------------------------------------------------
# infra/config/common.py
# ---------------------------------------------------------------------------------------------
def test_a_near_miss_at_exactly_the_similarity_cutoff_is_suggested():
    # difflib's ratio of 'valx' and 'valkey' is 2 * 4 / 10 = 0.6, the cutoff itself.
    assert problems_of(aws_config({"s": {"engine": "valx"}})) == [
        "caches.s.engine: 'valx' is not allowed; use 'valkey', 'redis' or 'memcached'. "
        "Did you mean 'valkey'?"]


def test_secondary_replicas_out_of_range_is_one_problem():
    # A count the range check refused is not checked again against the primary's failover.
    assert problems_of(aws_config({"s": {
        "node_type": "cache.r7g.large", "replicas": 1,
        "global": {"secondary_region": "eu-west-1", "secondary_replicas": -1}}})) == [
        "caches.s.global.secondary_replicas: -1 is not allowed; use 0 to 5 replicas per shard."]


def test_a_vpc_cidr_not_written_as_a_block_is_one_problem_there():
    # A bare address reads as a /32: that is the way it is written, not a second mistake.
    assert problems_of(aws_config({"s": {}}, network={"vpc_cidr": "10.40.0.0"})) == [
        "network.vpc_cidr: '10.40.0.0' is not written as a CIDR block; write '10.40.0.0/32' "
        "(address/prefix length)."]


def test_a_public_vpc_cidr_of_the_wrong_size_is_told_both_at_once():
    assert problems_of(aws_config({"s": {}}, network={"vpc_cidr": "8.0.0.0/8"})) == [
        "network.vpc_cidr: '8.0.0.0/8' is a /8; use a prefix from /16 to /24 (AWS VPCs are /16 "
        "to /28 and each subnet takes 1/16 of the VPC).",
        "network.vpc_cidr: '8.0.0.0/8' is not a private range; use part of 10.0.0.0/8, "
        "172.16.0.0/12, 192.168.0.0/16 or 100.64.0.0/10."]


def test_a_vpc_of_the_smallest_prefix_is_accepted():
    # New VPCs are /16 to /24, both ends included.
    spec = load_stack_config(aws_config({"s": {}}, network={"vpc_cidr": "10.40.0.0/24"}), "test")
    assert spec.network.vpc_cidr == "10.40.0.0/24"


def test_a_malformed_snapshot_window_is_refused():
    assert problems_of(aws_config({"s": {"snapshot_window": "3am"}})) == [
        "caches.s.snapshot_window: '3am' is not a snapshot window; use 'hh24:mi-hh24:mi' in "
        "UTC, e.g. '03:00-04:00'."]


@pytest.mark.parametrize(("snapshot", "maintenance", "expected"), [
    ("05:00-06:00", "sun:05:00-sun:05:30",
     "caches.s.maintenance_window: 'sun:05:00-sun:05:30' lasts 30 minutes; a maintenance "
     "window needs at least 60."),
    ("05:00-05:30", "sun:05:00-sun:06:00",
     "caches.s.snapshot_window: '05:00-05:30' lasts 30 minutes; a snapshot window needs at "
     "least 60."),
], ids=["short-maintenance", "short-snapshot"])
def test_a_too_short_window_is_not_also_reported_as_overlapping(snapshot, maintenance,
                                                                 expected):
    assert problems_of(aws_config({"s": {"snapshot_window": snapshot,
                                         "maintenance_window": maintenance}})) == [expected]


def test_a_bad_cache_name_is_not_also_measured():
    name = "Sessions-for-the-checkout-web-tier-eu-west"      # upper case, and 47 characters
    assert problems_of(aws_config({name: {}})) == [
        f"caches.{name}: the cache name {name!r} is not allowed; use lowercase letters, digits "
        "and single hyphens, starting with a letter and not ending with a hyphen."]


@pytest.mark.parametrize("memory_gb", [0, -1])
def test_memory_gb_must_be_positive(memory_gb):
    assert problems_of(aws_config({"s": {"memory_gb": memory_gb}})) == [
        f"caches.s.memory_gb: {float(memory_gb)} is not allowed; use a positive number of GiB."]


def test_a_list_is_no_parameter_value():
    assert problems_of(aws_config({"s": {"parameters": {"maxmemory-policy": ["allkeys-lru"]}}})) \
        == ["caches.s.parameters.maxmemory-policy: ['allkeys-lru'] is not allowed; a parameter "
            "value is a string, number or boolean."]


def test_a_boolean_is_no_number_even_where_1_is_allowed():
    # YAML `true` for a numeric parameter is a mistake, not the number 1.
    assert problems_of(aws_config({"s": {"parameters": {"lfu-log-factor": True}}})) == [
        "caches.s.parameters.lfu-log-factor: True is not allowed; use a whole number of 1 or "
        "more."]


def test_a_whole_number_parameter_is_sent_without_leading_zeros():
    # Values reach the cloud spelled as it reports them back: "0300" would differ from "300".
    cache = load_stack_config(aws_config({"s": {"parameters": {"timeout": "0300"}}}),
                              "test").caches[0]
    assert cache.parameters["timeout"] == "300"


@pytest.mark.parametrize("percent", ["0%", "100%"])
def test_a_percentage_parameter_takes_0_and_100_percent(percent):
    cache = load_stack_config(gcp_config({"s": {"engine": "valkey", "parameters": {
        "maxmemory-clients": percent}}}), "test").caches[0]
    assert cache.parameters == {"maxmemory-clients": percent}


def test_a_percentage_parameter_refuses_101_percent():
    assert problems_of(gcp_config({"s": {"engine": "valkey", "parameters": {
        "maxmemory-clients": "101%"}}})) == [
        "caches.s.parameters.maxmemory-clients: '101%' is not allowed; use a whole percentage "
        "from 0% to 100%, e.g. '10%'."]


def test_a_whole_number_parameter_without_limits_asks_for_a_whole_number():
    # commandlog-request-larger-than (Valkey 8.1) has no range: the message names none.
    assert problems_of(aws_config({"s": {"parameters": {
        "commandlog-request-larger-than": "1.5"}}})) == [
        "caches.s.parameters.commandlog-request-larger-than: '1.5' is not allowed; use a whole "
        "number."]


# 16 regions besides the primary us-central1, two per cache (Valkey's most per cache).
_REGIONS = ["africa-south1", "asia-east1", "asia-east2", "asia-northeast1", "asia-northeast2",
            "asia-northeast3", "asia-south1", "asia-south2", "asia-southeast1", "asia-southeast2",
            "australia-southeast1", "australia-southeast2", "europe-central2", "europe-north1",
            "europe-north2", "europe-southwest1"]


def _gcp_regions(count: int) -> dict[str, str]:
    secondaries = _REGIONS[:count - 1]
    return gcp_config({f"c{i}": {"engine": "valkey",
                                 "global": {"secondary_regions": secondaries[i * 2:i * 2 + 2]}}
                       for i in range((len(secondaries) + 1) // 2)})


def test_a_new_gcp_vpc_holds_a_subnet_for_each_of_16_regions():
    spec = load_stack_config(_gcp_regions(16), "test")
    assert len({r for c in spec.caches for r in c.secondary_regions}) == 15


def test_a_new_gcp_vpc_refuses_a_17th_region():
    assert problems_of(_gcp_regions(17)) == [
        "network.vpc_cidr: 17 regions need a subnet each but vpc_cidr holds 16; use fewer "
        "secondary regions."]


# ---------------------------------------------------------------------------------------------
# infra/config/access.py
# ---------------------------------------------------------------------------------------------
APP = {"access": "on ~app:* +@all -@dangerous"}


def test_rbac_users_run_on_redis_6():
    # RBAC needs Redis OSS 6.0 or later; "6.x" is 6.0 and up.
    cache = load_stack_config(aws_config({"s": {
        "engine": "redis", "engine_version": "6.x", "aws": {"users": {"app": APP}}}}),
        "test").caches[0]
    assert [(u.name, u.iam) for u in cache.users] == [("app", False)]


def test_iam_users_run_on_valkey_7_2():
    # RBAC and IAM authentication both need Valkey 7.2, the oldest Valkey ElastiCache runs.
    cache = load_stack_config(aws_config({"s": {
        "engine_version": "7.2", "aws": {"users": {"app": {**APP, "iam": True}}}}}),
        "test").caches[0]
    assert [(u.name, u.user_name, u.iam) for u in cache.users] == [("app", "test-s-app", True)]


def test_an_access_string_without_on_or_off_is_one_problem():
    # The rest of a string that does not start with on/off is not read as if it did.
    assert problems_of(aws_config({"s": {"aws": {"users": {"app": {
        "access": "~app:* on +@read"}}}}})) == [
        "caches.s.aws.users.app.access: '~app:* on +@read' must start with 'on' (the user may "
        "log in) or 'off'; e.g. 'on ~app:* +@read'."]


def test_a_command_rule_with_a_stray_character_is_refused():
    assert problems_of(aws_config({"s": {"aws": {"users": {"app": {
        "access": "on ~* +get$"}}}}})) == [
        "caches.s.aws.users.app.access: '+get$' is not a command rule; use +command, -command, "
        "+command|subcommand or +@category."]


def test_allcommands_grants_commands_and_other_words_do_not():
    def users(access: str):
        return aws_config({"s": {"aws": {"users": {"app": {"access": access}}}}})
    cache = load_stack_config(users("on ~app:* allcommands"), "test").caches[0]
    assert cache.users[0].access == "on ~app:* +@all"
    assert problems_of(users("on ~* allchannels")) == [
        "caches.s.aws.users.app.access: 'on ~* allchannels' grants no commands; add e.g. "
        "'+@read' or '+@all -@dangerous'."]


def test_a_user_id_of_exactly_40_characters_is_accepted():
    name = "a" * 33                                  # test-s-<name>: 40 characters
    cache = load_stack_config(aws_config({"s": {"aws": {"users": {name: APP}}}}),
                              "test").caches[0]
    assert (cache.users[0].user_id, len(cache.users[0].user_id)) == (f"test-s-{name}", 40)


def test_a_bad_s3_arn_is_not_also_read_as_a_snapshot_name():
    assert problems_of(aws_config({"s": {"restore_from": "arn:aws:s3:::bucket/a,b.rdb"}})) == [
        "caches.s.restore_from: 'arn:aws:s3:::bucket/a,b.rdb' is not an S3 object ARN; use a "
        "snapshot's name (e.g. 'prod-sessions-final') or an RDB file in S3 "
        "(arn:aws:s3:::bucket/key.rdb, no commas)."]


@pytest.mark.parametrize(("engine", "expected"), [
    ("redis", "caches.s.restore_from: Memorystore for Redis cannot be created from an RDB file "
              "or backup; create the instance, then import the file with `gcloud redis "
              "instances import`, or use engine 'valkey'. Remove the key."),
    ("memcached", "caches.s.restore_from: Memorystore for Memcached has no snapshots to "
                  "restore from; remove the key."),
], ids=["redis", "memcached"])
def test_restore_from_on_gcp_redis_or_memcached_is_one_problem(engine, expected):
    # "Remove the key" is the whole answer: the value is not also judged as a Valkey source.
    assert problems_of(gcp_config({"s": {"engine": engine, "restore_from": "snap"}})) == [
        expected]


def test_a_client_service_account_listed_twice_is_refused():
    sa = "app@acme-cache.iam.gserviceaccount.com"
    assert problems_of(gcp_config({"s": {"engine": "valkey",
                                         "gcp": {"client_service_accounts": [sa, sa]}}})) == [
        "caches.s.gcp.client_service_accounts: a service account is listed twice."]


# ---------------------------------------------------------------------------------------------
# infra/config/aws_limits.py
# ---------------------------------------------------------------------------------------------
def test_a_development_network_spans_one_to_six_zones():
    def zones(count: int):
        return aws_config({"s": {}}, network={"availability_zones": count})
    assert load_stack_config(zones(1), "test").network.availability_zones == 1
    assert problems_of(zones(0)) == ["network.availability_zones: 0 is not allowed; use 1 to 6."]


# ---------------------------------------------------------------------------------------------
# infra/config/alarms.py and aws_global.py
# ---------------------------------------------------------------------------------------------
def test_the_smallest_positive_alarm_thresholds_are_accepted():
    # Counts are "a positive whole number" and the lag "a positive number of seconds".
    alarms = load_stack_config(aws_config({"s": {"alarms": {
        "evictions_per_minute": 1, "replication_lag_seconds": 0.5}}}), "test").caches[0].alarms
    assert (alarms.evictions_per_minute, alarms.replication_lag_seconds) == (1, 0.5)


def test_a_secondary_id_of_exactly_40_characters_is_accepted():
    name = "sessions-for-the-checkout-tier"             # test-<name>-euw1: 40 characters
    cache = load_stack_config(aws_config({name: {
        "node_type": "cache.r7g.large", "replicas": 1,
        "global": {"secondary_region": "eu-west-1"}}}), "test").caches[0]
    assert cache.global_.secondary_regions == ("eu-west-1",)
    assert len(f"{cache.cache_id}-euw1") == 40


# ---------------------------------------------------------------------------------------------
# infra/config/aws_serverless.py and aws_network.py
# ---------------------------------------------------------------------------------------------
SERVERLESS = {"max_data_gb": 10, "max_ecpu_per_second": 5000}


def test_serverless_refuses_turning_minor_version_upgrades_off():
    assert problems_of(aws_config({"s": {"serverless": SERVERLESS,
                                         "aws": {"auto_minor_version_upgrade": False}}})) == [
        "caches.s.aws.auto_minor_version_upgrade: false is not possible: ElastiCache Serverless "
        "applies minor versions itself, without downtime. Remove the key."]


def test_a_serverless_description_of_255_characters_is_accepted():
    # CreateServerlessCache Description: "The maximum length is 255 characters."
    spec = load_stack_config(aws_config({"s": {"serverless": SERVERLESS,
                                               "description": "d" * 255}}), "test")
    [cache] = spec.serverless_caches
    assert len(cache.description) == 255


def test_a_serverless_critical_memory_alarm_at_the_data_warning_is_refused():
    # The data warning fires at 75 % of max_data_gb: critical must be above it, not at it.
    assert problems_of(aws_config({"s": {"serverless": SERVERLESS,
                                         "alarms": {"memory_critical_percent": 75}}})) == [
        "caches.s.alarms.memory_critical_percent: 75 is not above the 75 % of max_data_gb at "
        "which a serverless cache's data warning fires; the critical alarm must come after it. "
        "Use 76 to 100."]


def test_gcp_network_options_on_an_aws_stack_are_refused():
    assert problems_of(aws_config({"s": {}}, network={"gcp": {}})) == [
        "network.gcp: options for gcp do not apply to a stack on aws; remove the block."]


def test_a_secondary_network_without_a_vpc_next_to_an_existing_primary_vpc_is_refused():
    # The primary's existing VPC leaves no /16 to follow: the secondary must name its own.
    existing = {"vpc_id": "vpc-0123456789abcdef0", "subnet_ids": ["subnet-0123456789abcdef0"],
                "allowed_cidrs": ["10.0.0.0/16"]}
    assert problems_of(aws_config({"s": {
        "node_type": "cache.r7g.large", "replicas": 1,
        "global": {"secondary_region": "eu-west-1",
                   "network": {"allowed_cidrs": ["10.1.0.0/16"]}}}}, network=existing)) == [
        "caches.s.global.network: set vpc_cidr (a new VPC) or vpc_id with subnet_ids."]


_GROUP = {"node_type": "cache.r7g.large", "replicas": 1}
_ROUTING = ("Add them; routing between the regions (VPC peering or a Transit Gateway) is yours: "
            "this stack builds none.")


def test_each_uncovered_region_is_named_with_its_own_clients():
    # The primary's written allowed_cidrs misses both secondaries' clients: one problem per
    # region, each listing that region's ranges only.
    assert problems_of(aws_config({"s": {**_GROUP, "global": {
        "secondary_regions": ["eu-west-1", "us-west-2"]}}},
        network={"allowed_cidrs": ["10.40.0.0/16"]})) == [
        "network.allowed_cidrs: does not cover 10.41.0.0/16, the clients of eu-west-1 "
        "(caches.s.global.network.allowed_cidrs); with global:, they write to the primary in "
        f"us-east-1. {_ROUTING}",
        "network.allowed_cidrs: does not cover 10.42.0.0/16, the clients of us-west-2 "
        "(caches.s.global.network.allowed_cidrs); with global:, they write to the primary in "
        f"us-east-1. {_ROUTING}"]


def test_a_written_secondary_allowed_cidrs_is_kept_when_another_cache_shares_the_region():
    # Cache b replicates to eu-west-1 too, without a network of its own: a's written
    # allowed_cidrs stays the region's, so the primary's clients missing from it are refused,
    # not added behind the user's back.
    assert problems_of(aws_config({
        "a": {**_GROUP, "global": {"secondary_region": "eu-west-1", "network": {
            "vpc_cidr": "10.50.0.0/16", "allowed_cidrs": ["10.50.0.0/16"]}}},
        "b": {**_GROUP, "global": {"secondary_region": "eu-west-1"}}})) == [
        "caches.a.global.network.allowed_cidrs: does not cover 10.40.0.0/16, the clients of "
        "us-east-1 (network.allowed_cidrs); with global:, they write to the primary in "
        f"eu-west-1 after a failover. {_ROUTING}"]


# ---------------------------------------------------------------------------------------------
# infra/config/dns.py: DNS allows labels of 63 and names of 253 characters, both included
# ---------------------------------------------------------------------------------------------
def _zone(length: int) -> str:
    """A zone name of `length` characters, in labels of at most 63."""
    labels, rest = [], length
    while rest > 0:
        take = min(63, rest) if rest != 64 else 62
        labels.append("a" * take)
        rest -= take + 1
    return ".".join(labels)


def test_a_zone_label_of_63_characters_is_accepted():
    zone = "a" * 63 + ".internal"
    spec = load_stack_config(aws_config({"s": {}}, network={"dns": {"zone": zone}}), "test")
    assert spec.dns.zone == zone


def test_a_record_name_of_253_characters_is_accepted():
    zone = _zone(244)                                  # s-reader.<zone>: 253 characters
    spec = load_stack_config(aws_config({"s": {}}, network={"dns": {"zone": zone}}), "test")
    assert len(f"s-reader.{spec.dns.zone}") == 253


def test_a_zone_of_253_characters_is_a_valid_zone_too_long_for_its_records():
    zone = _zone(253)
    assert problems_of(aws_config({"s": {}}, network={"dns": {"zone": zone}})) == [
        f"caches.s: the DNS name 's-reader.{zone}' is 262 characters; DNS allows 253. Shorten "
        "the cache name or network.dns.zone."]


def test_a_serverless_cache_has_no_writer_name():
    # A serverless cache lives in one region: an endpoint and a reader name, no writer.
    spec = load_stack_config(aws_config({"s": {"serverless": SERVERLESS}},
                                        network={"dns": {"zone": "cache.internal"}}), "test")
    assert cache_dns_names(spec.serverless_caches[0], spec.dns.zone) == {
        "endpoint": "s.cache.internal", "reader_endpoint": "s-reader.cache.internal"}


def test_a_record_label_of_63_characters_is_accepted():
    name = "a" * 56                                    # <name>-reader: 63 characters
    spec = load_stack_config(gcp_config({name: {"engine": "valkey"}}, name_prefix="x",
                                        network={"dns": {"zone": "cache.internal"}}), "test")
    assert cache_dns_names(spec.caches[0], spec.dns.zone)["reader_endpoint"] == \
        f"{name}-reader.cache.internal"


# ---------------------------------------------------------------------------------------------
# infra/config/aws_network.py cross_region_clients: a refused secondary network next to a
# resolved one is reported (it used to stop the program with a KeyError).
# ---------------------------------------------------------------------------------------------
def test_a_refused_secondary_network_is_reported_next_to_a_resolved_one():
    problems = problems_of(aws_config({
        "a": {**_GROUP, "global": {"secondary_region": "eu-west-1",
                                   "network": {"vpc_cidr": "8.8.0.0/16"}}},
        "b": {**_GROUP, "global": {"secondary_region": "us-west-2"}}}))
    # One line, under the key the user wrote: allowed_cidrs, unset, defaults to the VPC's own
    # range and is not reported again.
    assert problems == [
        "caches.a.global.network.vpc_cidr: '8.8.0.0/16' is not a private range; use part of "
        "10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 or 100.64.0.0/10."]
