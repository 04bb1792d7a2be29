"""The `alarms:` block of a cache: profile defaults, per-cache overrides, and bad settings refused
with their exact message before anything is registered."""

from __future__ import annotations

import pytest

from infra.config import load_stack_config
from infra.config.alarms import ALARM_DEFAULTS, AlarmPolicy
from tests.builders import aws_config, gcp_config, memcached, redis, valkey

ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"


def _alarms(overrides: dict) -> dict[str, str]:
    # Memcached-only thresholds are tried on a Memcached cache (Valkey refuses them).
    memcached = {"swap_usage_mb"} & set(overrides)
    return aws_config({"s": {"alarms": overrides,
                             **({"engine": "memcached"} if memcached else {})}})


BAD_ALARM_SETTINGS = [
    # (id, alarms block, the one exact problem line)
    ("unknown-key", {"memory_warn_percent": 70},
     "caches.s.alarms.memory_warn_percent: is not a known key. Did you mean "
     "'memory_warning_percent'? Allowed keys here: cache_hit_rate_percent, engine_cpu_percent, "
     "evictions_per_minute, freeable_memory_mb, host_cpu_percent, max_connections, "
     "memory_critical_percent, memory_warning_percent, notify, replication_lag_seconds, "
     "swap_usage_mb."),
    ("not-a-mapping", "loud",
     "caches.s.alarms: 'loud' is not allowed; write a mapping of keys here."),
    ("notify-not-bool", {"notify": "yes"},
     "caches.s.alarms.notify: 'yes' is not allowed: input should be a valid boolean."),
    ("percent-zero", {"memory_critical_percent": 0},
     "caches.s.alarms.memory_critical_percent: 0 is not allowed; a percentage is 1 to 100."),
    # EngineCPUUtilization stops at 100 and the alarm fires above its threshold.
    ("engine-cpu-100", {"engine_cpu_percent": 100},
     "caches.s.alarms.engine_cpu_percent: 100 is not allowed; use 1 to 99 (CPU use never "
     "passes 100 %, so an alarm above 100 could never fire)."),
    # A number field is `StrictInt | StrictFloat`: one problem at the key, not one per member.
    ("percent-not-a-number", {"engine_cpu_percent": "high"},
     "caches.s.alarms.engine_cpu_percent: 'high' is not allowed: input should be a number."),
    ("percent-nan", {"engine_cpu_percent": float("nan")},
     "caches.s.alarms.engine_cpu_percent: nan is not allowed: input should be a finite number."),
    ("percent-above-100", {"host_cpu_percent": 120},
     "caches.s.alarms.host_cpu_percent: 120 is not allowed; a percentage is 1 to 100."),
    # One message for one mistake: the warning/critical order is not compared again.
    ("memory-percent-above-100", {"memory_warning_percent": 150},
     "caches.s.alarms.memory_warning_percent: 150 is not allowed; a percentage is 1 to 100."),
    ("warning-not-below-critical", {"memory_warning_percent": 90, "memory_critical_percent": 85},
     "caches.s.alarms.memory_warning_percent: 90 is not below memory_critical_percent (85); the "
     "warning must fire first."),
    ("warning-equals-default-critical", {"memory_warning_percent": 90},
     "caches.s.alarms.memory_warning_percent: 90 is not below memory_critical_percent (90); the "
     "warning must fire first."),
    ("evictions-zero", {"evictions_per_minute": 0},
     "caches.s.alarms.evictions_per_minute: 0 is not allowed; use a positive whole number."),
    ("evictions-fraction", {"evictions_per_minute": 1.5},
     "caches.s.alarms.evictions_per_minute: 1.5 is not allowed: input should be a valid "
     "integer."),
    ("connections-negative", {"max_connections": -1},
     "caches.s.alarms.max_connections: -1 is not allowed; use a positive whole number."),
    ("connections-above-maxclients", {"max_connections": 70000},
     "caches.s.alarms.max_connections: 70000 is not allowed; a node accepts at most 65000 "
     "connections, so the alarm (above the threshold) could never fire. Use 1 to 64999."),
    # The alarm fires above the threshold: at the cap itself it never can.
    ("connections-at-maxclients", {"max_connections": 65000},
     "caches.s.alarms.max_connections: 65000 is not allowed; a node accepts at most 65000 "
     "connections, so the alarm (above the threshold) could never fire. Use 1 to 64999."),
    ("swap-zero", {"swap_usage_mb": 0},
     "caches.s.alarms.swap_usage_mb: 0 is not allowed; use a positive whole number."),
    ("freeable-negative", {"freeable_memory_mb": -5},
     "caches.s.alarms.freeable_memory_mb: -5 is not allowed; use a positive whole number."),
    ("lag-zero", {"replication_lag_seconds": 0},
     "caches.s.alarms.replication_lag_seconds: 0 is not allowed; use a positive number of "
     "seconds."),
    ("hit-rate-above-100", {"cache_hit_rate_percent": 120},
     "caches.s.alarms.cache_hit_rate_percent: 120 is not allowed; use 0 (no alarm) to 100."),
]


@pytest.mark.parametrize("alarms, expected", [(c[1], c[2]) for c in BAD_ALARM_SETTINGS],
                         ids=[c[0] for c in BAD_ALARM_SETTINGS])
def test_bad_alarm_setting_is_refused_and_nothing_is_registered(attempt, alarms, expected):
    message, recorder = attempt(_alarms(alarms))
    assert message == ("The config of stack 'test' has 1 problem; nothing was created:\n"
                       f"  - {expected}")
    assert recorder.registrations == []


@pytest.mark.parametrize("cache, node", [
    ({"node_type": "cache.r7g.xlarge"}, "cache.r7g.xlarge (4 vCPUs)"),
    ({"engine": "memcached", "node_type": "cache.t4g.small"}, "cache.t4g.small (2 vCPUs)"),
], ids=["valkey-4-vcpus", "memcached"])
def test_a_host_cpu_alarm_at_100_percent_is_refused_where_it_could_never_fire(refused, cache,
                                                                              node):
    refused(aws_config({"s": {**cache, "alarms": {"host_cpu_percent": 100}}}),
            f"caches.s.alarms.host_cpu_percent: 100 is not allowed on {node}: host CPU never "
            "passes 100 %, so the alarm could never fire; use 1 to 99.")


def test_a_host_cpu_alarm_at_100_percent_fires_on_a_two_vcpu_valkey_node(run_stack):
    # 100 % over 2 vCPUs: the alarm fires at 50 % host CPU (components/aws/alarms.py).
    recorder = run_stack(aws_config({"s": {"node_type": "cache.r7g.large",
                                           "alarms": {"host_cpu_percent": 100}}}))
    thresholds = [alarm.inputs["threshold"] for alarm in recorder.of_type(ALARM)
                  if alarm.inputs.get("metricName") == "CPUUtilization"]
    assert thresholds and set(thresholds) == {50.0}


def test_a_valkey_cpu_alert_at_100_percent_is_refused_on_gcp(refused):
    # cpu/maximum_utilization reads 0.0 to 1.0 and the alert fires above its threshold.
    refused(gcp_config(valkey(alarms={"engine_cpu_percent": 100})),
            "caches.s.alarms.engine_cpu_percent: 100 is not allowed; use 1 to 99 (CPU use never "
            "passes 100 %, so an alarm above 100 could never fire).")


@pytest.mark.parametrize("engine", [valkey, redis, memcached], ids=["valkey", "redis", "memcached"])
def test_a_memory_critical_alert_at_100_percent_is_refused_on_gcp(refused, engine):
    # The memory metrics the alerts read stop at 1.0 of the maximum; alerts fire above it.
    refused(gcp_config(engine(alarms={"memory_critical_percent": 100})),
            "caches.s.alarms.memory_critical_percent: 100 is not allowed; use 1 to 99 "
            "(Memorystore's memory use stops at 100 %, so an alert above it could never fire).")


def test_a_memory_critical_alarm_at_100_percent_is_kept_on_aws():
    # ElastiCache's DatabaseMemoryUsagePercentage is used_memory / maxmemory, which can pass 100.
    spec = load_stack_config(aws_config({"s": {"alarms": {"memory_critical_percent": 100}}}),
                             "test")
    assert spec.caches[0].alarms.memory_critical_percent == 100


def test_every_alarm_mistake_is_reported_at_once(attempt):
    message, recorder = attempt(aws_config({
        "a": {"alarms": {"engine_cpu_percent": 101}},
        "b": {"engine": "memcached", "alarms": {"swap_usage_mb": 0, "max_connections": 0}},
    }))
    assert message.splitlines() == [
        "The config of stack 'test' has 3 problems; nothing was created:",
        "  - caches.a.alarms.engine_cpu_percent: 101 is not allowed; use 1 to 99 (CPU use never "
        "passes 100 %, so an alarm above 100 could never fire).",
        "  - caches.b.alarms.max_connections: 0 is not allowed; use a positive whole number.",
        "  - caches.b.alarms.swap_usage_mb: 0 is not allowed; use a positive whole number.",
    ]
    assert recorder.registrations == []


@pytest.mark.parametrize("profile", ["development", "production"])
def test_without_overrides_a_cache_takes_its_profile_policy(profile):
    spec = load_stack_config(aws_config(profile=profile), "test")
    assert spec.caches[0].alarms == ALARM_DEFAULTS[profile]


def test_profiles_differ_where_they_should():
    dev, prod = ALARM_DEFAULTS["development"], ALARM_DEFAULTS["production"]
    assert (dev.notify, prod.notify) == (False, True)
    assert (dev.cache_hit_rate_percent, prod.cache_hit_rate_percent) == (0, 80)
    # The numbers AWS and docs/cloud-rules.md give for both profiles.
    for policy in (dev, prod):
        assert (policy.memory_warning_percent, policy.memory_critical_percent) == (80, 90)
        assert (policy.engine_cpu_percent, policy.host_cpu_percent) == (90, 90)
        assert policy.replication_lag_seconds == 1
        assert (policy.swap_usage_mb, policy.freeable_memory_mb) == (50, 100)


def test_overrides_replace_only_the_keys_given():
    spec = load_stack_config(aws_config({"s": {"alarms": {
        "notify": True, "memory_critical_percent": 95, "evictions_per_minute": 10,
        "replication_lag_seconds": 2.5}}}), "test")
    assert spec.caches[0].alarms == AlarmPolicy(
        notify=True, memory_warning_percent=80, memory_critical_percent=95,
        engine_cpu_percent=90, host_cpu_percent=90, evictions_per_minute=10,
        max_connections=5000, replication_lag_seconds=2.5, cache_hit_rate_percent=0,
        swap_usage_mb=50, freeable_memory_mb=100)


def test_overrides_are_per_cache(run_stack):
    recorder = run_stack(aws_config({
        "loud": {"alarms": {"engine_cpu_percent": 75}},
        "quiet": {},
    }))
    thresholds = {
        alarm.inputs["dimensions"]["CacheClusterId"]: alarm.inputs["threshold"]
        for alarm in recorder.of_type(ALARM)
        if alarm.inputs["metricName"] == "EngineCPUUtilization"
    }
    assert thresholds == {"test-loud-001": 75.0, "test-quiet-001": 90.0}


def test_notify_override_turns_paging_on_for_one_dev_cache(run_stack):
    recorder = run_stack(aws_config({"paged": {"alarms": {"notify": True}}, "silent": {}}))
    enabled = {alarm.inputs["dimensions"]["CacheClusterId"]: alarm.inputs["actionsEnabled"]
               for alarm in recorder.of_type(ALARM)}
    assert enabled == {"test-paged-001": True, "test-silent-001": False}


def test_valkey_nodes_take_a_freeable_memory_threshold(run_stack):
    # Host memory pressure is watched on Valkey/Redis nodes too (AWS: FreeableMemory "below
    # 100MB" on a Redis node); swap stays a Memcached-only key.
    recorder = run_stack(aws_config({"s": {"alarms": {"freeable_memory_mb": 256}}}))
    [alarm] = [a for a in recorder.of_type(ALARM) if a.inputs["metricName"] == "FreeableMemory"]
    assert alarm.inputs["threshold"] == 256 * 2**20
    assert alarm.inputs["comparisonOperator"] == "LessThanThreshold"
    assert alarm.inputs["dimensions"] == {"CacheClusterId": "test-s-001"}
