"""`rightsize`: CloudWatch metrics from moto (PutMetricData / GetMetricData), the rule as a pure
function, and the monthly differences checked against hand-computed prices.

Valkey is priced 20 % below the table's Redis OSS price; eu-west-1 at 1.10 x us-east-1
(infra/catalog/pricing.py). 730 hours a month.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import boto3
from botocore.stub import Stubber

from ops import rightsize
from ops.rightsize import Usage, recommend
from tests.ops.support import (
    FRAGMENTS,
    GLOBAL_SESSIONS,
    PROD_SESSIONS,
    cache_of,
    deploy_group,
    deploy_memcached,
    load,
    make_clients,
    run_ops,
    write_stack,
)


def _put(member: str, region: str = "us-east-1", **values: float) -> None:
    """Datapoints for one node two hours ago: memory=, cpu=, connections=, evictions=."""
    names = {"memory": "DatabaseMemoryUsagePercentage", "cpu": "EngineCPUUtilization",
             "connections": "CurrConnections", "evictions": "Evictions"}
    when = datetime.now(UTC) - timedelta(hours=2)
    boto3.client("cloudwatch", region_name=region).put_metric_data(
        Namespace="AWS/ElastiCache",
        MetricData=[{"MetricName": names[key], "Value": value, "Timestamp": when,
                     "Dimensions": [{"Name": "CacheClusterId", "Value": member}]}
                    for key, value in values.items()])


def _deployed(root, caches, profile="production"):
    """The `ops` stack, written and deployed in moto: every replication group it declares,
    the Global Datastore's secondaries included (moto numbers members as AWS does)."""
    write_stack(root, "ops", caches, profile=profile)
    spec = load(root, "ops")
    for cache in spec.caches:
        for region, group_id in rightsize.configured_groups(spec, cache).items():
            deploy_group(boto3.client("elasticache", region_name=region), cache,
                         ReplicationGroupId=group_id)
    return spec


def _row(out: str, cache: str) -> list[str]:
    """The cache's row of the table, which has exactly one."""
    [line] = [line for line in out.splitlines() if line.startswith(f"{cache} ")]
    return re.split(r"\s{2,}", line.strip())


def _rightsize(capsys, root, stack="ops"):
    code, out, err = run_ops(capsys, "rightsize", "--stack", stack, "--project-dir", str(root))
    assert (code, err) == (0, "")
    return out


def test_an_oversized_cache_is_sized_down_with_the_saving(capsys, tmp_path):
    _deployed(tmp_path, {"sessions": {**PROD_SESSIONS, "node_type": "cache.r7g.2xlarge"}})
    for member, cpu in (("ops-sessions-001", 12), ("ops-sessions-002", 5), ("ops-sessions-003", 5)):
        _put(member, memory=10, cpu=cpu, connections=150, evictions=0)
    out = _rightsize(capsys, tmp_path)
    # 3 nodes: r7g.2xlarge 0.873 x 0.8 x 730 x 3 = 1529.50, r7g.large 0.219 x 0.8 x 730 x 3 = 383.69
    assert _row(out, "sessions") == ["sessions", "cache.r7g.2xlarge", "3", "3.96 GiB (10.0 %)",
                                     "12 %", "150", "0", "cache.r7g.large", "-1145.81 USD"]
    assert ("sessions: needs 3.96 GiB: cache.r7g.large holds it at 40 % of 9.80 GiB usable "
            "(target <= 70 %); engine CPU 48 % projected on 2 vCPUs (target <= 60 %)") in out


def test_a_data_tiering_cache_is_skipped_not_sized_from_its_full_memory(capsys, tmp_path):
    # r6gd moves values to SSD once memory is full: 100 % memory is no reason to size up.
    _deployed(tmp_path, {"sessions": {**PROD_SESSIONS, "node_type": "cache.r6gd.xlarge"}})
    for member in ("ops-sessions-001", "ops-sessions-002", "ops-sessions-003"):
        _put(member, memory=99, cpu=10, connections=150, evictions=0)
    out = _rightsize(capsys, tmp_path)
    assert _row(out, "sessions") == ["sessions", "cache.r6gd.xlarge", "3", "-", "-", "-", "-",
                                     "skipped (data tiering)", "-"]


def test_evictions_force_a_bigger_node(capsys, tmp_path):
    _deployed(tmp_path, {"sessions": PROD_SESSIONS})
    _put("ops-sessions-001", memory=60, cpu=20, evictions=3)
    _put("ops-sessions-002", memory=58, evictions=2)
    out = _rightsize(capsys, tmp_path)
    # r7g.xlarge 0.437 x 0.8 x 730 x 3 = 765.62 against 383.69 for r7g.large
    assert _row(out, "sessions")[6:] == ["5", "cache.r7g.xlarge", "+381.93 USD"]
    assert "sessions: 5 evictions: the data did not fit" in out
    assert "sessions: no data for ops-sessions-003" in out


def test_a_busy_engine_rules_out_burstable_nodes(capsys, tmp_path):
    _deployed(tmp_path, {"sessions": {"node_type": "cache.t4g.micro", "replicas": 0}},
                profile="development")
    _put("ops-sessions-001", memory=50, cpu=50)
    out = _rightsize(capsys, tmp_path)
    # m7g.large 0.158 x 0.8 x 730 = 92.27 against t4g.micro 0.016 x 0.8 x 730 = 9.34
    assert _row(out, "sessions")[-2:] == ["cache.m7g.large", "+82.93 USD"]


def test_a_well_sized_cache_is_kept(capsys, tmp_path):
    _deployed(tmp_path, {"sessions": PROD_SESSIONS})
    for member in ("ops-sessions-001", "ops-sessions-002", "ops-sessions-003"):
        _put(member, memory=35, cpu=30, connections=40)
    assert _row(_rightsize(capsys, tmp_path), "sessions")[-2:] == ["keep", "+0.00 USD"]


def test_a_global_cache_reads_the_secondary_region_and_prices_every_node(capsys, tmp_path):
    _deployed(tmp_path, {"sessions": GLOBAL_SESSIONS})
    _put("ops-sessions-001", memory=30, cpu=10)
    _put("ops-sessions-euw1-002", region="eu-west-1", memory=31, evictions=4)
    out = _rightsize(capsys, tmp_path)
    # us-east-1: 383.69 -> 765.62; eu-west-1 (x 1.10, approximate): 422.01 -> 842.27
    assert _row(out, "sessions")[1:3] == ["cache.r7g.large", "6"]
    assert _row(out, "sessions")[-2:] == ["cache.r7g.xlarge", "~+802.19 USD"]


def test_no_metrics_means_no_recommendation(capsys, tmp_path):
    _deployed(tmp_path, {"sessions": PROD_SESSIONS})
    _put("ops-other-001", memory=90)                  # another cache's node: not read
    out = _rightsize(capsys, tmp_path)
    assert _row(out, "sessions") == _unsized("no data")
    assert "sessions: no DatabaseMemoryUsagePercentage data in the window: not sized\n" in out


def _unsized(reason: str) -> list[str]:
    """The production sessions cache's row when it was not measured: no peaks, no change."""
    return ["sessions", "cache.r7g.large", "3", "-", "-", "-", "-", reason, "-"]


def test_the_live_member_nodes_are_read_not_the_ids_the_config_implies(capsys, tmp_path):
    # A fourth node (replica auto scaling, or a replica removed and added again) is measured.
    write_stack(tmp_path, "ops", {"sessions": PROD_SESSIONS})
    cache = load(tmp_path, "ops").caches[0]
    deploy_group(boto3.client("elasticache", region_name="us-east-1"), cache,
                 ReplicasPerNodeGroup=3)
    for member in ("ops-sessions-001", "ops-sessions-002", "ops-sessions-003"):
        _put(member, memory=35, cpu=30)
    _put("ops-sessions-004", memory=60, evictions=2)
    out = _rightsize(capsys, tmp_path)
    assert _row(out, "sessions")[6:8] == ["2", "cache.r7g.xlarge"]
    assert "no data" not in out


def test_a_cache_that_is_not_deployed_is_skipped_with_the_reason(capsys, tmp_path):
    write_stack(tmp_path, "ops", {"sessions": PROD_SESSIONS})
    _put("ops-sessions-001", memory=90)             # left by a deleted group: not read
    out = _rightsize(capsys, tmp_path)
    assert _row(out, "sessions") == _unsized("skipped (see below)")
    assert "sessions: replication group ops-sessions not found in us-east-1" in out


def test_a_group_running_another_node_type_is_not_sized(capsys, tmp_path):
    # Its memory percentages are of the live node's memory, not of the config's node type.
    write_stack(tmp_path, "ops", {"sessions": PROD_SESSIONS})
    cache = load(tmp_path, "ops").caches[0]
    deploy_group(boto3.client("elasticache", region_name="us-east-1"), cache,
                 CacheNodeType="cache.r7g.xlarge")
    _put("ops-sessions-001", memory=30)
    out = _rightsize(capsys, tmp_path)
    assert _row(out, "sessions")[-2:] == ["skipped (see below)", "-"]
    assert ("sessions: ops-sessions in us-east-1 runs cache.r7g.xlarge, the config says "
            "cache.r7g.large: let a running change finish, or deploy the config") in out


def test_the_report_names_its_columns_window_rule_and_prices_for_the_chosen_cache(capsys,
                                                                                 tmp_path):
    _deployed(tmp_path, {"sessions": PROD_SESSIONS, "carts": PROD_SESSIONS})
    code, out, err = run_ops(capsys, "rightsize", "--stack", "ops", "--project-dir",
                             str(tmp_path), "--cache", "sessions", "--days", "30")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert re.fullmatch(r"rightsize stack ops \(production, us-east-1\): hourly peaks over the "
                        r"last 30 days to \d{4}-\d\d-\d\d \d\d:\d\d UTC", lines[0])
    assert re.split(r"\s{2,}", lines[1].strip()) == [
        "CACHE", "NODE TYPE", "NODES", "PEAK MEMORY", "PEAK ENGINE CPU", "PEAK CONNECTIONS",
        "EVICTIONS", "RECOMMENDATION", "MONTHLY CHANGE"]
    assert _row(out, "sessions")[-2:] == ["no data", "-"]
    assert not any(line.startswith("carts") for line in lines)
    assert lines[-2:] == [
        "rule: memory at most (memory warning alarm - 10) % of usable memory (Memcached: 70 % of "
        "item memory), projected engine CPU at most (engine CPU alarm - 30) % (Memcached: host "
        "CPU alarm), cheapest fitting node type; see ops/README.md",
        "prices: aws.amazon.com/elasticache/pricing (on-demand, node-based), 2025-10; ~ marks "
        "regional approximations"]


def test_metrics_are_hourly_elasticache_peaks_over_whole_minutes(tmp_path):
    spec = _deployed(tmp_path, {"sessions": PROD_SESSIONS})
    cw = boto3.client("cloudwatch", region_name="us-east-1")
    calls: list[dict] = []
    cw.meta.events.register("provide-client-params.cloudwatch.GetMetricData",
                            lambda params, **_: calls.append(params))
    rightsize.run(spec, make_clients({("cloudwatch", "us-east-1"): cw}), 14,
                  now=datetime(2026, 3, 1, 12, 34, 56, 789, tzinfo=UTC))
    [call] = calls
    assert (call["StartTime"], call["EndTime"]) == (datetime(2026, 2, 15, 12, 34, tzinfo=UTC),
                                                    datetime(2026, 3, 1, 12, 34, tzinfo=UTC))
    assert call["MetricDataQueries"][0] == {
        "Id": "q0", "ReturnData": True, "MetricStat": {
            "Metric": {"Namespace": "AWS/ElastiCache",
                       "MetricName": "DatabaseMemoryUsagePercentage",
                       "Dimensions": [{"Name": "CacheClusterId", "Value": "ops-sessions-001"}]},
            "Period": 3600, "Stat": "Maximum"}}
    assert [(q["MetricStat"]["Metric"]["MetricName"], q["MetricStat"]["Stat"])
            for q in call["MetricDataQueries"][:4]] == [
        ("DatabaseMemoryUsagePercentage", "Maximum"), ("EngineCPUUtilization", "Maximum"),
        ("CurrConnections", "Maximum"), ("Evictions", "Sum")]


def test_a_cache_no_node_type_can_hold_is_told_to_add_shards(capsys, tmp_path):
    _deployed(tmp_path, {"sessions": {**PROD_SESSIONS, "node_type": "cache.r7g.16xlarge"}})
    _put("ops-sessions-001", memory=95, cpu=10, evictions=40)
    assert _row(_rightsize(capsys, tmp_path), "sessions")[-2:] == ["none fits: add shards", "-"]

# ---------------------------------------------------------------------------------------------
# The rule, without AWS
# ---------------------------------------------------------------------------------------------
def _cache(tmp_path, profile="production", **cfg):
    write_stack(tmp_path, "unit", {"c": {**PROD_SESSIONS, **cfg}}, profile=profile)
    return load(tmp_path, "unit").caches[0]


def test_fewer_vcpus_must_keep_the_projected_engine_cpu_under_target(tmp_path):
    cache = _cache(tmp_path, node_type="cache.r7g.2xlarge")          # 8 vCPUs
    advice = recommend(cache, "production", "us-east-1",
                       Usage(memory_percent=5, engine_cpu_percent=20, connections=10,
                             evictions=0))
    # r7g.large (2 vCPUs) would run the engine at 20 x 8 / 2 = 80 % > 60 %; r7g.xlarge at 40 %.
    assert advice.recommended is not None and advice.recommended.name == "cache.r7g.xlarge"


def test_the_memory_target_follows_the_cache_alarm_policy(tmp_path):
    usage = Usage(memory_percent=14, engine_cpu_percent=5, connections=10, evictions=0)
    default = _cache(tmp_path, node_type="cache.r7g.2xlarge")
    strict = _cache(tmp_path, node_type="cache.r7g.2xlarge",
                    alarms={"memory_warning_percent": 60})
    # 14 % of 39.62 GiB = 5.55 GiB: 57 % of r7g.large's 9.80 GiB, fine under 70 %, not under 50 %.
    assert rightsize.memory_target(default) == 70 and rightsize.memory_target(strict) == 50
    relaxed_pick = recommend(default, "production", "us-east-1", usage).recommended
    strict_pick = recommend(strict, "production", "us-east-1", usage).recommended
    assert relaxed_pick is not None and relaxed_pick.name == "cache.r7g.large"
    assert strict_pick is not None and strict_pick.name == "cache.r7g.xlarge"


def test_when_nothing_fits_the_advice_is_more_shards(tmp_path):
    cache = _cache(tmp_path, node_type="cache.r7g.16xlarge")
    advice = recommend(cache, "production", "us-east-1",
                       Usage(memory_percent=100, engine_cpu_percent=95, connections=20000,
                             evictions=1000))
    assert advice.recommended is None
    assert advice.notes[-1] == ("no candidate node type holds 314.32 GiB at 70 % or less: add "
                                "shards")
    assert any("add shards to spread the load" in note for note in advice.notes)
    assert any("connections peaked at 20000, above the alarm's 10000" in note
               for note in advice.notes)


def test_usage_exactly_at_a_target_still_fits_and_raises_no_note(tmp_path):
    # r7g.xlarge (4 vCPUs) at 30 %: r7g.large (2 vCPUs) projects 30 x 4 / 2 = 60 %, the target;
    # 10000 connections is the alarm's own threshold.
    xlarge = _cache(tmp_path, node_type="cache.r7g.xlarge")
    advice = recommend(xlarge, "production", "us-east-1",
                       Usage(memory_percent=10, engine_cpu_percent=30, connections=10000,
                             evictions=0))
    assert advice.recommended is not None and advice.recommended.name == "cache.r7g.large"
    assert len(advice.notes) == 1 and advice.notes[0].startswith("needs ")
    at_target = recommend(_cache(tmp_path), "production", "us-east-1",
                          Usage(memory_percent=35, engine_cpu_percent=60, connections=10,
                                evictions=0))
    assert len(at_target.notes) == 1 and at_target.notes[0].startswith("needs ")


def test_a_cache_just_under_its_memory_target_is_kept(tmp_path):
    cache = _cache(tmp_path)                    # r7g.large: 69.5 % of its memory, target 70 %
    advice = recommend(cache, "production", "us-east-1",
                       Usage(memory_percent=69.5, engine_cpu_percent=10, connections=10,
                             evictions=0))
    assert advice.recommended is not None and advice.recommended.name == "cache.r7g.large"


def test_a_busy_engine_keeps_a_node_type_with_as_many_vcpus(tmp_path):
    # More vCPUs do not relieve one engine thread: sizing up would cost without helping.
    cache = _cache(tmp_path)                                         # r7g.large, 2 vCPUs
    advice = recommend(cache, "production", "us-east-1",
                       Usage(memory_percent=35, engine_cpu_percent=80, connections=10,
                             evictions=0))
    assert advice.recommended is not None and advice.recommended.name == "cache.r7g.large"
    assert advice.notes[1].endswith("add shards to spread the load")


def test_without_cpu_data_no_node_type_with_fewer_vcpus_is_recommended(tmp_path):
    # Missing EngineCPUUtilization is no evidence that fewer vCPUs would do.
    xlarge = _cache(tmp_path, node_type="cache.r7g.xlarge")          # 4 vCPUs
    advice = recommend(xlarge, "production", "us-east-1",
                       Usage(memory_percent=10, engine_cpu_percent=None, connections=10,
                             evictions=0))
    assert advice.recommended is not None
    assert advice.recommended.vcpus >= 4 and not advice.recommended.burstable
    assert "engine CPU not measured" in advice.notes[0]
    assert ("no EngineCPUUtilization data in the window: no node type with fewer vCPUs (or "
            "burstable) is considered") in advice.notes
    measured = recommend(xlarge, "production", "us-east-1",
                         Usage(memory_percent=10, engine_cpu_percent=10, connections=10,
                               evictions=0))
    assert measured.recommended is not None and measured.recommended.vcpus < 4


def test_burstable_nodes_are_candidates_up_to_20_percent_engine_cpu(tmp_path):
    cache = _cache(tmp_path, "development", node_type="cache.t4g.micro", replicas=0)

    def pick(cpu: float) -> str | None:
        advice = recommend(cache, "development", "us-east-1",
                           Usage(memory_percent=10, engine_cpu_percent=cpu, connections=10,
                                 evictions=0))
        return advice.recommended.name if advice.recommended else None

    assert pick(20.0) == "cache.t4g.micro"
    assert pick(20.5) == "cache.m7g.large"


def test_when_no_node_type_holds_a_memcached_cluster_the_advice_is_more_nodes(tmp_path):
    write_stack(tmp_path, "unit", {"f": {**FRAGMENTS, "node_type": "cache.r7g.16xlarge"}})
    cache = load(tmp_path, "unit").caches[0]
    advice = recommend(cache, "production", "us-east-1",
                       Usage(memory_percent=90, engine_cpu_percent=10, connections=10,
                             evictions=5))
    assert advice.recommended is None
    assert advice.notes[-1].endswith(" GiB at 70 % or less: add nodes")


def test_global_caches_never_get_burstable_or_non_global_families(tmp_path):
    cache = _cache(tmp_path, **{"global": {"secondary_region": "eu-west-1"}})
    families = {node.family for node in rightsize.candidates(cache, "development", "us-east-1")}
    assert families == {"m7g", "r7g"}


def test_candidates_are_node_types_every_member_region_offers(tmp_path):
    # Mexico (Central) offers m7g/r7g and t3/t4g only: an r6g cache elsewhere whose
    # secondary is there may only move to those.
    cache = _cache(tmp_path, node_type="cache.r6g.large",
                   **{"global": {"secondary_region": "eu-west-1"}})
    everywhere = {n.family for n in rightsize.candidates(cache, "production", "us-east-1")}
    assert "r6g" in everywhere
    limited = replace(cache, global_=replace(cache.global_, secondary_regions=("mx-central-1",)))
    assert {n.family for n in rightsize.candidates(limited, "production", "us-east-1")} == {
        "r7g"}


# ---------------------------------------------------------------------------------------------
# Memcached: per node (CacheClusterId + CacheNodeId), bytes against the node's item memory
# ---------------------------------------------------------------------------------------------
GIB = 2**30


def _memcached(root, profile="production", node_ids=("0001", "0002", "0003"), **cfg):
    """The `fragments` Memcached cluster, deployed in moto; DescribeCacheClusters lists
    `node_ids` as its CacheNodes (moto leaves them out), as AWS does with ShowCacheNodeInfo."""
    write_stack(root, "ops", {"fragments": {**FRAGMENTS, **cfg}}, profile=profile)
    cache = load(root, "ops").caches[0]
    ec = boto3.client("elasticache", region_name="us-east-1")
    deploy_memcached(ec, cache)

    def list_nodes(parsed, **_):
        for cluster in parsed.get("CacheClusters", []):
            cluster["CacheNodes"] = [{"CacheNodeId": n, "CacheNodeStatus": "available"}
                                     for n in node_ids]

    ec.meta.events.register("after-call.elasticache.DescribeCacheClusters", list_nodes)
    return make_clients({("elasticache", "us-east-1"): ec})


def _put_node(node_id: str, **values: float) -> None:
    """Datapoints for one Memcached node two hours ago: bytes=, cpu=, connections=, evictions=."""
    names = {"bytes": "BytesUsedForCacheItems", "cpu": "CPUUtilization",
             "connections": "CurrConnections", "evictions": "Evictions"}
    when = datetime.now(UTC) - timedelta(hours=2)
    boto3.client("cloudwatch", region_name="us-east-1").put_metric_data(
        Namespace="AWS/ElastiCache",
        MetricData=[{"MetricName": names[key], "Value": value, "Timestamp": when,
                     "Dimensions": [{"Name": "CacheClusterId", "Value": "ops-fragments"},
                                    {"Name": "CacheNodeId", "Value": node_id}]}
                    for key, value in values.items()])


def _rightsize_with(capsys, root, clients):
    code, out, err = run_ops(capsys, "rightsize", "--stack", "ops", "--project-dir", str(root),
                             clients=clients)
    assert (code, err) == (0, "")
    return out


def test_an_oversized_memcached_cluster_is_sized_down_from_its_live_nodes(capsys, tmp_path):
    # Node 0001 was replaced: the live nodes are 0002..0004, and 0001's old datapoint (which
    # alone would need a bigger node) is not read.
    clients = _memcached(tmp_path, node_ids=("0002", "0003", "0004"),
                         node_type="cache.r7g.xlarge")
    _put_node("0001", bytes=25 * GIB, evictions=50)
    _put_node("0002", bytes=3 * GIB, cpu=10, connections=200, evictions=0)
    _put_node("0003", bytes=2 * GIB, cpu=5)
    _put_node("0004", bytes=2 * GIB, cpu=5)
    out = _rightsize_with(capsys, tmp_path, clients)
    # r7g.xlarge's items get 26953 - 100 = 26853 MiB (26.22 GiB): 3 GiB is 11.4 %.
    # 3 nodes: r7g.xlarge 0.437 x 730 x 3 = 957.03, r7g.large 0.219 x 730 x 3 = 479.61
    assert _row(out, "fragments") == ["fragments", "cache.r7g.xlarge", "3", "3.00 GiB (11.4 %)",
                                      "10 %", "200", "0", "cache.r7g.large", "-477.42 USD"]
    # r7g.large: 13387 - 100 = 13287 MiB (12.98 GiB); CPU 10 x 4 / 2 = 20 %.
    assert ("fragments: needs 3.00 GiB: cache.r7g.large holds it at 23 % of 12.98 GiB item "
            "memory (target <= 70 %); CPU 20 % projected on 2 vCPUs (target <= 60 %)") in out


def test_memcached_evictions_force_a_bigger_node(capsys, tmp_path):
    clients = _memcached(tmp_path)                                  # m7g.large, 6.29 GiB items
    _put_node("0001", bytes=5 * GIB, cpu=30)
    _put_node("0002", bytes=4 * GIB, evictions=7)
    out = _rightsize_with(capsys, tmp_path, clients)
    # Need >= 6.29 GiB at <= 70 %: m7g.xlarge (12.84 GiB, 0.315) and r7g.large (12.98 GiB,
    # 0.219) hold it; r7g.large is cheaper: (0.219 - 0.158) x 730 x 3 = +133.59.
    assert _row(out, "fragments")[6:] == ["7", "cache.r7g.large", "+133.59 USD"]
    assert "fragments: 7 evictions: the data did not fit, so at least 6.29 GiB" in out
    assert "fragments: no data for ops-fragments node 0003" in out


def test_busy_memcached_threads_are_given_more_vcpus(capsys, tmp_path):
    # Memcached is multi-threaded: unlike one Valkey engine thread, more vCPUs lower its CPU.
    clients = _memcached(tmp_path)                                  # m7g.large, 2 vCPUs
    _put_node("0001", bytes=1 * GIB, cpu=80)
    out = _rightsize_with(capsys, tmp_path, clients)
    # Limit 90 - 30 = 60 %: 2 vCPUs stay at 80 %; 4 vCPUs give 40 %. m7g.xlarge (0.315) beats
    # r7g.xlarge (0.437): (0.315 - 0.158) x 730 x 3 = +343.83.
    assert _row(out, "fragments")[-2:] == ["cache.m7g.xlarge", "+343.83 USD"]
    assert "fragments: CPU peaked at 80 % (target 60 %): only node types with enough vCPUs" in out


def test_a_memcached_cluster_listing_no_nodes_is_skipped_with_its_status(capsys, tmp_path):
    clients = _memcached(tmp_path, node_ids=())
    out = _rightsize_with(capsys, tmp_path, clients)
    assert _row(out, "fragments")[-2:] == ["skipped (see below)", "-"]
    assert "fragments: ops-fragments in us-east-1 lists no nodes (status available)\n" in out


def test_memcached_candidates_must_take_the_configured_item_size(tmp_path):
    write_stack(tmp_path, "unit", {"f": FRAGMENTS, "big": {
        **FRAGMENTS, "parameters": {"max_item_size": 268435456}}}, profile="development")
    spec = load(tmp_path, "unit")
    default, big = cache_of(spec, "f"), cache_of(spec, "big")
    # A quarter of t4g.micro's 412 MiB item memory is 103 MiB: a 256 MiB item size is refused
    # there, and t4g.small (1302 MiB, a quarter 325.5 MiB) is the smallest that takes it.
    assert "cache.t4g.micro" in {n.name for n in rightsize.candidates(default, "development",
                                                                        "us-east-1")}
    names = {n.name for n in rightsize.candidates(big, "development", "us-east-1")}
    assert "cache.t4g.micro" not in names and "cache.t4g.small" in names
    assert not any(n.data_tiering for n in rightsize.candidates(default, "production",
                                                                "us-east-1"))


def test_a_memcached_cluster_not_deployed_or_on_another_node_type_is_skipped(capsys, tmp_path):
    write_stack(tmp_path, "ops", {"fragments": FRAGMENTS})
    out = _rightsize(capsys, tmp_path)
    assert _row(out, "fragments")[-2:] == ["skipped (see below)", "-"]
    assert "fragments: Memcached cluster ops-fragments not found in us-east-1" in out
    deploy_memcached(boto3.client("elasticache", region_name="us-east-1"),
                     load(tmp_path, "ops").caches[0], CacheNodeType="cache.m7g.xlarge")
    out = _rightsize(capsys, tmp_path)
    assert ("fragments: ops-fragments in us-east-1 runs cache.m7g.xlarge, the config says "
            "cache.m7g.large") in out


def test_memcached_usage_is_a_share_of_the_node_item_memory(tmp_path):
    write_stack(tmp_path, "unit", {"f": {**FRAGMENTS, "parameters": {
        "memcached_connections_overhead": 1124}}})
    cache = load(tmp_path, "unit").caches[0]
    rule = rightsize.sizing(cache)
    # m7g.large: 6537 - 1124 = 5413 MiB for items; 2 GiB of items is 37.8 % of it.
    assert rule.data_gib(cache.node_type) == 5413 / 1024
    usage = rightsize.summarize({"ops-f node 0001": {
        "BytesUsedForCacheItems": [1 * GIB, 2 * GIB], "CPUUtilization": [12.0],
        "CurrConnections": [30.0], "Evictions": [0.0]}}, rule, cache.node_type)
    assert round(usage.memory_percent, 1) == 37.8 and usage.engine_cpu_percent == 12.0


# ---------------------------------------------------------------------------------------------
# GetMetricData: incomplete answers and the 500-query limit (moto enforces neither)
# ---------------------------------------------------------------------------------------------
def _stubbed_cloudwatch(*responses):
    cw = boto3.client("cloudwatch", region_name="us-east-1")
    stub = Stubber(cw)
    for response in responses:
        stub.add_response("get_metric_data", response)
    stub.activate()
    return cw, stub


def test_incomplete_cloudwatch_data_is_not_sized(capsys, tmp_path):
    # Peaks from a partial answer could recommend too small a node: say so, recommend nothing.
    _deployed(tmp_path, {"sessions": PROD_SESSIONS})
    cw, stub = _stubbed_cloudwatch({
        "MetricDataResults": [{"Id": "q0", "Values": [10.0], "StatusCode": "InternalError"},
                              {"Id": "q1", "Values": [5.0], "StatusCode": "Complete"}],
        "Messages": [{"Code": "MaxMetricsExceeded", "Value": "Maximum number of allowed "
                      "metrics exceeded"}]})
    code, out, err = run_ops(capsys, "rightsize", "--stack", "ops", "--project-dir",
                             str(tmp_path), clients=make_clients({("cloudwatch", "us-east-1"): cw}))
    assert (code, err) == (0, "")
    stub.assert_no_pending_responses()
    assert _row(out, "sessions") == ["sessions", "cache.r7g.large", "3", "-", "-", "-", "-",
                                     "skipped (see below)", "-"]
    assert ("sessions: CloudWatch returned incomplete data, so it is not sized; run again: "
            "DatabaseMemoryUsagePercentage of ops-sessions-001: InternalError; "
            "MaxMetricsExceeded: Maximum number of allowed metrics exceeded") in out


def test_queries_go_500_to_a_call():
    nodes = {f"n-{i:03d}": [{"Name": "CacheClusterId", "Value": f"n-{i:03d}"}]
             for i in range(126)}                          # 126 nodes x 4 metrics = 504 queries
    cw, stub = _stubbed_cloudwatch({"MetricDataResults": []}, {"MetricDataResults": [
        {"Id": "q503", "Values": [3.0], "StatusCode": "Complete"}]})
    sizes: list[int] = []
    cw.meta.events.register("provide-client-params.cloudwatch.GetMetricData",
                            lambda params, **_: sizes.append(len(params["MetricDataQueries"])))
    end = datetime(2026, 12, 1, tzinfo=UTC)
    stats = {"DatabaseMemoryUsagePercentage": "Maximum", "EngineCPUUtilization": "Maximum",
             "CurrConnections": "Maximum", "Evictions": "Sum"}
    measured = rightsize.fetch(cw, nodes, stats, end - timedelta(days=1), end)
    stub.assert_no_pending_responses()
    assert sizes == [500, 4]
    assert measured.values["n-125"]["Evictions"] == [3.0] and measured.incomplete == []
