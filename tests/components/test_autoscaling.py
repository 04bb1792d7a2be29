"""Auto-scaled caches: Application Auto Scaling targets and policies, the replication group
leaving the scaled counts to the scaler, group-level alarms and dashboard row, and the cost
range in the plan."""

from __future__ import annotations

import json

from infra.plan.report import build_report, run_plan
from tests.builders import aws_config

RESTORE_INPUTS = ("snapshotArns", "snapshotName")   # sorted

TARGET = "aws:appautoscaling/target:Target"
POLICY = "aws:appautoscaling/policy:Policy"
GROUP = "aws:elasticache/replicationGroup:ReplicationGroup"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
DASHBOARD = "aws:cloudwatch/dashboard:Dashboard"

FEED = {"shards": 2, "replicas": 1, "node_type": "cache.r7g.large",
        "autoscaling": {"replicas": {"min": 1, "max": 3, "target_cpu_percent": 60},
                        "shards": {"min": 2, "max": 6, "target_memory_percent": 70}}}


def _feed(**changes):
    return aws_config({"feed": {**FEED, **changes}}, profile="production")


def test_each_scaled_dimension_gets_a_target_and_a_target_tracking_policy(run_stack):
    recorder = run_stack(_feed())
    targets = {t.inputs["scalableDimension"]: t.inputs for t in recorder.of_type(TARGET)}
    assert targets == {
        "elasticache:replication-group:Replicas": {
            "serviceNamespace": "elasticache", "resourceId": "replication-group/test-feed",
            "scalableDimension": "elasticache:replication-group:Replicas",
            "minCapacity": 1, "maxCapacity": 3},
        "elasticache:replication-group:NodeGroups": {
            "serviceNamespace": "elasticache", "resourceId": "replication-group/test-feed",
            "scalableDimension": "elasticache:replication-group:NodeGroups",
            "minCapacity": 2, "maxCapacity": 6},
    }
    policies = {p.inputs["name"]: p.inputs for p in recorder.of_type(POLICY)}
    assert sorted(policies) == ["test-feed-replicas", "test-feed-shards"]
    for name, dimension, metric, target in (
        ("test-feed-replicas", "Replicas", "ElastiCacheReplicaEngineCPUUtilization", 60.0),
        ("test-feed-shards", "NodeGroups",
         "ElastiCacheDatabaseMemoryUsageCountedForEvictPercentage", 70.0),
    ):
        policy = policies[name]
        assert policy["policyType"] == "TargetTrackingScaling"
        assert policy["serviceNamespace"] == "elasticache"
        assert policy["resourceId"] == "replication-group/test-feed"
        assert policy["scalableDimension"] == f"elasticache:replication-group:{dimension}"
        # AWS's own 600 s cooldowns, sent: the provider would send 0 for unset ones.
        assert policy["targetTrackingScalingPolicyConfiguration"] == {
            "targetValue": target, "scaleInCooldown": 600, "scaleOutCooldown": 600,
            "predefinedMetricSpecification": {"predefinedMetricType": metric}}


def test_the_targets_wait_for_the_group_and_use_its_region(run_stack):
    recorder = run_stack(_feed())
    [group] = recorder.of_type(GROUP)
    component = recorder.named("feed-autoscaling")
    assert group.urn in component.dependencies
    assert all("::aws-us-east-1::" in t.provider for t in recorder.of_type(TARGET))


def test_pulumi_up_does_not_fight_the_scaler(run_stack):
    [group] = run_stack(_feed()).of_type(GROUP)
    # The scaled counts, beside the restore arguments every group ignores after creation.
    assert sorted(group.ignore_changes) == ["numNodeGroups", "replicasPerNodeGroup",
                                            *RESTORE_INPUTS]
    # Created at the configured counts; the scaler moves them within min..max afterwards.
    assert (group.inputs["numNodeGroups"], group.inputs["replicasPerNodeGroup"]) == (2, 1)
    only_shards = run_stack(_feed(autoscaling={"shards": {"min": 2, "max": 4}}))
    assert sorted(only_shards.of_type(GROUP)[0].ignore_changes) == ["numNodeGroups",
                                                                    *RESTORE_INPUTS]
    assert len(only_shards.of_type(TARGET)) == 1


def test_a_fixed_size_cache_has_no_scaler_and_ignores_only_restore_inputs(run_stack):
    recorder = run_stack(aws_config({"feed": {"shards": 2, "replicas": 1}}))
    assert recorder.of_type(TARGET) == [] and recorder.of_type(POLICY) == []
    assert sorted(recorder.of_type(GROUP)[0].ignore_changes) == list(RESTORE_INPUTS)


def test_group_alarms_hold_at_any_node_count(run_stack):
    recorder = run_stack(_feed())
    group_alarms = {a.inputs["name"]: a.inputs for a in recorder.of_type(ALARM)
                    if "ReplicationGroupId" in a.inputs.get("dimensions", {})}
    prefix = "managed-cache/test-feed/group/"
    assert sorted(group_alarms) == sorted(prefix + suffix for suffix in (
        "EngineCPUUtilization-primary", "EngineCPUUtilization-replica",
        "DatabaseMemoryUsageCountedForEvictPercentage-warning",
        "DatabaseMemoryUsageCountedForEvictPercentage-critical"))
    primary = group_alarms[prefix + "EngineCPUUtilization-primary"]
    assert primary["dimensions"] == {"ReplicationGroupId": "test-feed", "Role": "Primary"}
    assert (primary["statistic"], primary["threshold"]) == ("Average", 90.0)
    replica = group_alarms[prefix + "EngineCPUUtilization-replica"]
    assert replica["dimensions"] == {"ReplicationGroupId": "test-feed", "Role": "Replica"}
    assert replica["treatMissingData"] == "missing"      # min 1 replica: always reports
    critical = group_alarms[prefix + "DatabaseMemoryUsageCountedForEvictPercentage-critical"]
    assert critical["dimensions"] == {"ReplicationGroupId": "test-feed"}
    assert critical["threshold"] == 90.0
    # The configured nodes keep their per-node alarms (they exist at creation).
    per_node = {a.inputs.get("dimensions", {}).get("CacheClusterId")
                for a in recorder.of_type(ALARM)}
    assert {"test-feed-0001-001", "test-feed-0002-002"} <= per_node


def test_data_tiering_groups_alarm_on_capacity_not_memory(run_stack):
    recorder = run_stack(_feed(node_type="cache.r6gd.xlarge",
                               autoscaling={"replicas": {"min": 1, "max": 2}}))
    alarms = {a.inputs["name"].rsplit("/", 1)[1]: a.inputs for a in recorder.of_type(ALARM)
              if "ReplicationGroupId" in a.inputs.get("dimensions", {})}
    # Memory + SSD on data-tiering nodes: the capacity metric, not the memory one.
    assert "DatabaseCapacityUsageCountedForEvictPercentage-critical" in alarms
    assert "DatabaseMemoryUsageCountedForEvictPercentage-critical" not in alarms


def test_dashboard_graphs_the_group_metrics(run_stack):
    recorder = run_stack(_feed())
    body = json.loads(recorder.of_type(DASHBOARD)[0].inputs["dashboardBody"])
    group_widgets = [w for w in body["widgets"]
                     if w["properties"].get("title", "").startswith("Group")]
    assert [w["properties"]["title"] for w in group_widgets] == [
        "Group engine CPU, any node count (%)", "Group memory counted for eviction (%)"]
    metrics = [m for w in group_widgets for m in w["properties"]["metrics"]]
    assert metrics[0][:6] == ["AWS/ElastiCache", "EngineCPUUtilization", "ReplicationGroupId",
                              "test-feed", "Role", "Primary"]


def test_preview_registers_the_same_resources(run_stack):
    update, preview = run_stack(_feed()), run_stack(_feed(), preview=True)
    key = sorted((r.type, r.name) for r in update.registrations)
    assert key == sorted((r.type, r.name) for r in preview.registrations)


def test_plan_shows_the_cost_from_min_to_max():
    report = build_report(run_plan("t", config=_feed()))
    [cache] = report["caches"]
    span = cache["monthly_usd_range"]
    # r7g.large Valkey in us-east-1: 0.219 x 0.8 = 0.1752 USD a node-hour, 730 h.
    assert cache["nodes"] == 4 and cache["monthly_usd"] == round(0.1752 * 4 * 730, 2)
    assert (span["nodes_min"], span["nodes_max"]) == (2 * 2, 6 * 4)
    assert (span["min"], span["max"]) == (round(0.1752 * 4 * 730, 2),
                                          round(0.1752 * 24 * 730, 2))
    assert span["basis"] == "auto scaling: shards 2-6, replicas per shard 1-3"
    assert report["total_monthly_usd_range"] == {"min": span["min"], "max": span["max"]}


def test_a_fixed_size_stack_has_no_range():
    report = build_report(run_plan("t", config=aws_config()))
    assert report["caches"][0]["monthly_usd_range"] is None
    assert report["total_monthly_usd_range"] is None
