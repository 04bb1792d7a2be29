"""Stack rules that need every resource at once: an alarm on every cache, and flow logs
and log encryption.

Standard library only, like infra/plan/rules.py, which the policy pack imports (see there).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from components import resource_types as types
from infra.plan.checks import model as m
from infra.plan.checks.model import Context, Finding, Resource

# ---------------------------------------------------------------------------------------------
# Alarms for every cache (stack rule)

def _cache_id(res: Resource) -> str | None:
    key = {types.AWS_REPLICATION_GROUP: "replicationGroupId", types.AWS_CLUSTER: "clusterId",
           types.AWS_SERVERLESS_CACHE: "name", types.GCP_VALKEY: "instanceId",
           types.GCP_REDIS: "name", types.GCP_REDIS_CLUSTER: "name",
           types.GCP_MEMCACHED: "name"}.get(res.type)
    value = res.inputs.get(key) if key else None
    return value if isinstance(value, str) and value else None


def _alarm_texts(alarm: Resource) -> list[str]:
    """What identifies an alarm's subject: CloudWatch dimension values, Cloud Monitoring
    filters and queries."""
    if alarm.type == types.AWS_METRIC_ALARM:
        values = list((alarm.inputs.get("dimensions") or {}).values()) \
            if isinstance(alarm.inputs.get("dimensions"), Mapping) else []
        for query in m.as_list(alarm.inputs.get("metricQueries")):
            dims = m.nested(query, "metric", "dimensions")
            if isinstance(dims, Mapping):
                values += list(dims.values())
        return [v for v in values if isinstance(v, str)]
    texts = []
    for condition in m.as_list(alarm.inputs.get("conditions")):
        if not isinstance(condition, Mapping):
            continue
        for block in condition.values():
            if isinstance(block, Mapping):
                texts += [v for k, v in block.items()
                          if k in ("filter", "query") and isinstance(v, str)]
    return texts


def _covers(alarm: Resource, cache: Resource, cache_id: str | None) -> bool:
    if cache.urn and cache.urn in alarm.depends_on:
        return True
    if cache_id is None:
        return False
    if alarm.type == types.AWS_METRIC_ALARM:
        # Member ids extend the group id: <rg>-001, <rg>-0001-001.
        return any(v == cache_id or v.startswith(cache_id + "-") for v in _alarm_texts(alarm))
    token = re.compile(rf"(?<![A-Za-z0-9-]){re.escape(cache_id)}(?![A-Za-z0-9-])")
    return any(token.search(text) for text in _alarm_texts(alarm))


def check_alarms(resources: Sequence[Resource], ctx: Context) -> list[tuple[Resource, Finding]]:
    alarms = [r for r in resources if r.type in (types.AWS_METRIC_ALARM, types.GCP_ALERT_POLICY)]
    found = []
    for res in resources:
        if res.type not in m.CACHES or m.is_group_member(res):
            continue
        wanted = types.AWS_METRIC_ALARM if res.type in m.AWS_CACHES else types.GCP_ALERT_POLICY
        what = "CloudWatch alarm" if wanted == types.AWS_METRIC_ALARM else "alert policy"
        cache_id = _cache_id(res)
        if not any(_covers(a, res, cache_id) for a in alarms if a.type == wanted):
            found.append((res, Finding(
                "no-alarms", "medium" if ctx.production else "low", "monitoring",
                f"{res.name}: no {what} watches this cache; memory, CPU and failover problems "
                "would go unnoticed.")))
    return found


# ---------------------------------------------------------------------------------------------
# Logging: flow logs and log encryption (stack rule, plan only)

def check_logging(resources: Sequence[Resource],
                  ctx: Context) -> list[tuple[Resource, Finding]]:
    """On in production; a development stack goes without (they cost money) and says so. A VPC
    counts as logged when a flow log sits beside it (the same parent component)."""
    severity = "medium" if ctx.production else "info"
    why = "in a production stack" if ctx.production else "(development profile)"
    logged_networks = {r.parent for r in resources if r.type == types.AWS_FLOW_LOG}
    found = []
    for res in resources:
        if (res.type == types.AWS_VPC and res.parent not in logged_networks) or (
                res.type == types.GCP_SUBNETWORK and not m.is_set(res.inputs.get("logConfig"))):
            found.append((res, Finding(
                "flow-logs-off", severity, "logging",
                f"{res.name}: flow logs off {why}: connections to the caches are not recorded; "
                "the production profile turns them on.")))
        elif res.type == types.AWS_LOG_GROUP and not m.is_set(res.inputs.get("kmsKeyId")):
            found.append((res, Finding(
                "log-encryption-provider-key", severity, "logging",
                f"{res.name}: log group encrypted by CloudWatch Logs, not with the region's "
                f"customer-managed key {why}; the production profile uses one.")))
    return found
