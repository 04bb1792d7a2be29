"""The simple numeric limits of config keys, each stated once.

An entry names the key, its lowest and highest value and what the message says is allowed
({low} and {high} stand for the two numbers); `common.check_range` checks a value against it and
phrases the message "<value> is not allowed; <allowed>.". Limits that depend on other settings
(availability zones by profile, Memcached memory per vCPU, expected serverless usage) stay with
their rules. Sources: docs/cloud-rules.md.

This module holds the limits both clouds share; each cloud's own are in aws_limits.py and
gcp_limits.py, so that a stack loads only its own cloud's catalog.
"""

from __future__ import annotations

from infra.config.common import Range

# Both clouds.
STACK_LIMITS: dict[str, Range] = {
    # Names that follow a failover need a short TTL (infra/config/dns.py DNS_DEFAULT_TTL).
    "network.dns.ttl": Range(5, 300, "use {low} to {high} seconds (names that follow a failover "
                                     "need a short TTL)"),
    "alarms.percent": Range(1, 100, "a percentage is {low} to {high}"),
    # EngineCPUUtilization and Memorystore's CPU utilization stop at 100 % (1.0), and every CPU
    # alarm fires above its threshold.
    "alarms.engine_cpu_percent": Range(1, 99, "use {low} to {high} (CPU use never passes "
                                              "100 %, so an alarm above 100 could never fire)"),
    "alarms.cache_hit_rate_percent": Range(0, 100, "use {low} (no alarm) to {high}"),
}
