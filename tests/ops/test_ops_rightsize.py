"""`rightsize`: CloudWatch metrics from moto (PutMetricData / GetMetricData), the rule as a pure
function, and the monthly differences checked against hand-computed prices.

Valkey is priced 20 % below the table's Redis OSS price; eu-west-1 at 1.10 x us-east-1
(infra/catalog/pricing.py). 730 hours a month.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import boto3

from ops import rightsize
from ops.rightsize import Usage, recommend
from tests.ops.support import (
    GLOBAL_SESSIONS,
    PROD_SESSIONS,
    deploy_group,
    load,
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
    import re

    line = next(line for line in out.splitlines() if line.startswith(f"{cache} "))
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
    assert _row(out, "sessions")[-2:] == ["no data", "-"]



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
    assert _row(out, "sessions")[-2:] == ["skipped (see below)", "-"]
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

# ---------------------------------------------------------------------------------------------
# The rule, without AWS
# ---------------------------------------------------------------------------------------------
def _cache(tmp_path, **cfg):
    write_stack(tmp_path, "unit", {"c": {**PROD_SESSIONS, **cfg}})
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
    assert any("no candidate node type holds" in note for note in advice.notes)
    assert any("add shards to spread the load" in note for note in advice.notes)
    assert any("connections peaked at 20000, above the alarm's 10000" in note
               for note in advice.notes)


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
