"""Render a plan report (see infra.plan.build_report) as text, Markdown or JSON.

Every renderer ends with `scrub`, so a secret value can never leave this module even if it
slipped past masking; the report itself only ever holds masked inputs.
"""

from __future__ import annotations

import json
from typing import Any

from components import resource_types as types
from components.provider_facts import types_with_facts
from infra.plan.diagram import mermaid
from infra.plan.secrets import scrub

# The settings a reviewer wants to see per resource type (input names as the engine sees them).
KEY_SETTINGS: dict[str, tuple[str, ...]] = {
    types.AWS_ROUTE53_ZONE: ("name", "vpcs"),
    types.AWS_ROUTE53_RECORD: ("name", "type", "ttl", "records"),
    types.AWS_ROUTE53_ZONE_ASSOCIATION: ("zoneId", "vpcRegion"),
    types.GCP_MANAGED_ZONE: ("name", "dnsName", "visibility"),
    types.GCP_RECORD_SET: ("name", "type", "ttl", "rrdatas", "routingPolicy"),
    types.AWS_REPLICATION_GROUP: (
        "replicationGroupId", "engine", "engineVersion", "nodeType", "clusterMode",
        "numCacheClusters", "numNodeGroups", "replicasPerNodeGroup", "automaticFailoverEnabled",
        "multiAzEnabled", "atRestEncryptionEnabled", "kmsKeyId", "transitEncryptionEnabled",
        "authToken", "userGroupIds", "snapshotRetentionLimit", "finalSnapshotIdentifier",
        "globalReplicationGroupId", "snapshotName", "snapshotArns"),
    types.AWS_USER: ("userId", "userName", "engine", "accessString",
                                  "authenticationMode"),
    types.AWS_USER_GROUP: ("userGroupId", "engine", "userIds"),
    types.AWS_SECRET: ("name", "kmsKeyId", "recoveryWindowInDays"),
    types.AWS_SECRET_VERSION: ("secretString",),
    types.GCP_SECRET: ("secretId", "replication"),
    types.GCP_SECRET_VERSION: ("secretData",),
    types.GCP_PROJECT_IAM_MEMBER: ("project", "role", "member"),
    types.AWS_GLOBAL_REPLICATION_GROUP: (
        "globalReplicationGroupIdSuffix", "engine", "cacheNodeType", "engineVersion",
        "numNodeGroups", "automaticFailoverEnabled"),
    types.AWS_SERVERLESS_CACHE: (
        "name", "engine", "majorEngineVersion", "cacheUsageLimits", "kmsKeyId",
        "snapshotRetentionLimit", "dailySnapshotTime", "userGroupId"),
    types.AWS_CLUSTER: (
        "clusterId", "engine", "engineVersion", "nodeType", "numCacheNodes", "azMode",
        "transitEncryptionEnabled"),
    types.AWS_PARAMETER_GROUP: ("name", "family", "parameters"),
    types.AWS_SUBNET_GROUP: ("name",),
    types.AWS_VPC: ("cidrBlock",),
    types.AWS_SUBNET: ("cidrBlock", "availabilityZone", "mapPublicIpOnLaunch"),
    types.AWS_SECURITY_GROUP: ("name",),
    types.AWS_INGRESS_RULE: (
        "fromPort", "cidrIpv4", "cidrIpv6", "referencedSecurityGroupId"),
    types.AWS_SCALING_TARGET: ("resourceId", "scalableDimension", "minCapacity",
                                         "maxCapacity"),
    types.AWS_SCALING_POLICY: ("name", "targetTrackingScalingPolicyConfiguration"),
    types.AWS_KMS_KEY: ("enableKeyRotation", "deletionWindowInDays"),
    types.AWS_LOG_GROUP: ("name", "retentionInDays", "kmsKeyId"),
    types.AWS_FLOW_LOG: ("trafficType", "logDestinationType"),
    types.GCP_SUBNETWORK: ("region", "ipCidrRange", "logConfig"),
    types.GCP_FIREWALL: ("direction", "priority", "allows", "denies",
                                      "sourceRanges", "destinationRanges"),
    # The name ends in what the alarm reads, also for a metric-math alarm (no metricName).
    types.AWS_METRIC_ALARM: ("name", "comparisonOperator", "threshold", "actionsEnabled"),
    types.RANDOM_PASSWORD: ("length",),
    types.GCP_REDIS: (
        "name", "region", "tier", "memorySizeGb", "redisVersion", "replicaCount",
        "readReplicasMode", "connectMode", "transitEncryptionMode", "authEnabled",
        "persistenceConfig", "deletionProtection"),
    types.GCP_VALKEY: (
        "instanceId", "location", "engineVersion", "nodeType", "mode", "shardCount",
        "replicaCount", "transitEncryptionMode", "authorizationMode", "persistenceConfig",
        "deletionProtectionEnabled", "gcsSource", "managedBackupSource"),
    types.GCP_MEMCACHED: (
        "name", "region", "memcacheVersion", "nodeCount", "nodeConfig", "deletionProtection"),
}

SEVERITY_BADGE = {"critical": "🛑 critical", "high": "🔴 high", "medium": "🟠 medium",
                  "low": "🟡 low", "info": "ℹ️ info"}


def render(report: dict[str, Any], fmt: str, secrets: set[str] | frozenset[str] = frozenset(),
           compact: bool = False) -> str:
    """`report` as text, markdown or json; compact leaves out the resource tree (text and
    Markdown) for places with size limits, such as a PR comment covering many stacks."""
    if fmt == "json":
        out = json.dumps(report, indent=2)
    elif fmt == "markdown":
        out = markdown(report, compact)
    else:
        out = text(report, compact)
    return scrub(out, secrets)


# ---------------------------------------------------------------------------------------------
# Shared pieces
# ---------------------------------------------------------------------------------------------
def _show(value: Any) -> str:
    if isinstance(value, list) and value and isinstance(value[0], dict) and "name" in value[0]:
        return "{" + ", ".join(f"{v['name']}={v.get('value')}" for v in value) + "}"
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(", ", ": "))
    if value is None:
        return "(known after apply)"
    return str(value)


def tree_lines(report: dict[str, Any]) -> list[str]:
    """The component/resource tree with each resource's key settings."""
    resources = report["resources"]
    children: dict[str, list[dict[str, Any]]] = {}
    for res in resources:
        children.setdefault(res["parent"], []).append(res)
    lines: list[str] = []

    def walk(res: dict[str, Any], depth: int) -> None:
        kind = res["type"].split(":")[-1] if res["custom"] else res["type"]
        flags = " [protected]" if res["protect"] else ""
        if res.get("import_id"):
            flags += f" [import {res['import_id']}]"
        lines.append(f"{'  ' * depth}+ {res['name']} ({kind}){flags}")
        for key in KEY_SETTINGS.get(res["type"], ()):
            if key in res["inputs"]:
                lines.append(f"{'  ' * depth}    {key}: {_show(res['inputs'][key])}")
        for child in sorted(children.get(res["urn"], []), key=lambda r: (r["custom"], r["name"])):
            walk(child, depth + 1)

    for root in sorted(children.get("", []), key=lambda r: (r["custom"], r["type"], r["name"])):
        walk(root, 0)
    return lines


def _money(value: float | None) -> str:
    return "n/a" if value is None else f"${value:,.2f}"


def _counts(findings: list[dict[str, Any]]) -> dict[str, int]:
    counts = {s: 0 for s in ("critical", "high", "medium", "low", "info")}
    for finding in findings:
        counts[finding["severity"]] += 1
    return counts


def _header(report: dict[str, Any]) -> str:
    regions = ", ".join(report["regions"])
    return (f"Stack {report['stack']}: cloud {report['cloud']}, profile {report['profile']}, "
            f"region(s) {regions}")


# ---------------------------------------------------------------------------------------------
# Text
# ---------------------------------------------------------------------------------------------
def text(report: dict[str, Any], compact: bool = False) -> str:
    summary = report["summary"]
    lines = [_header(report),
             f"{summary['resources']} resources in {summary['components']} components would "
             "be created.", ""]
    diff = report.get("diff")
    if diff and diff["data_loss"]:
        lines += _text_data_loss(diff) + [""]
    if diff and diff.get("rejected"):
        lines += _text_rejected(diff) + [""]
    for warning in report["warnings"]:
        lines.append(f"warning: {warning}")
    if report["warnings"]:
        lines.append("")
    if not compact:
        lines += tree_lines(report) + [""]
    lines += _text_cost(report)
    lines += [""] + _text_findings(report["findings"])
    if diff is not None:
        lines += [""] + _text_diff(diff)
    return "\n".join(lines)


def _text_cost(report: dict[str, Any]) -> list[str]:
    cost = report["cost"]
    rows = [("cache", "engine", "role", "region", "node type", "nodes", "USD/month", "price")]
    for cache in report["caches"]:
        for i, line in enumerate(cache["lines"]):
            rows.append((cache["name"] if i == 0 else "", cache["engine"] if i == 0 else "",
                         line["role"], line["region"], line["node_type"], str(line["nodes"]),
                         _money(line["monthly_usd"]), _exactness(line)))
    rows.append(("total", "", "", "", "", str(sum(c["nodes"] for c in report["caches"])),
                 _money(report["total_monthly_usd"]), _total_exactness(cost)))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = [f"Estimated cost, on-demand, {cost['hours_per_month']} h/month (prices "
             f"{cost['prices']['as_of']}, {cost['prices']['source']}; "
             f"{cost['prices']['regions']}):"]
    for row in rows:
        cells = [c.rjust(w) if i in (5, 6) else c.ljust(w) for i, (c, w) in
                 enumerate(zip(row, widths, strict=True))]
        lines.append("  " + "  ".join(cells).rstrip())
    lines += ["  " + line for line in _range_lines(report)]
    lines.append("  by engine: " + ", ".join(f"{k} {_money(v)}" for k, v in
                                              cost["by_engine"].items()))
    lines.append("  by region: " + ", ".join(f"{k} {_money(v)}" for k, v in
                                              cost["by_region"].items()))
    for item in cost["unpriced"]:
        lines.append(f"  not priced: {item}")
    lines.append("  Not included: " + "; ".join(cost["not_included"]) + ".")
    return lines


def _exactness(item: dict[str, Any]) -> str:
    """'exact' for a list price read from the price source, 'estimate' for anything derived
    (regional multipliers, per-node models, unverified rates); blank when unpriced."""
    if item.get("monthly_usd") is None:
        return ""
    return "exact" if item.get("priced_exactly") else "estimate"


def _total_exactness(cost: dict[str, Any]) -> str:
    return "exact" if cost.get("priced_exactly") else "partly estimated"


def _range_lines(report: dict[str, Any]) -> list[str]:
    """A line per cache whose cost moves (auto scaling, serverless), then the total's range."""
    out = []
    for cache in report["caches"]:
        span = cache.get("monthly_usd_range")
        if span:
            out.append(f"{cache['name']}: {_money(span['min'])} to {_money(span['max'])} a month "
                       f"({span['basis']})")
    total = report.get("total_monthly_usd_range")
    if total:
        out.append(f"total: {_money(total['min'])} to {_money(total['max'])} a month")
    return out


def _text_findings(findings: list[dict[str, Any]]) -> list[str]:
    counts = _counts(findings)
    lines = ["Findings: " + ", ".join(f"{n} {s}" for s, n in counts.items())]
    for f in findings:
        lines.append(f"  [{f['severity'].upper()}] {f['cache'] or '-'}: {f['message']}")
    return lines


def _text_alert(headline: str, items: list[dict[str, Any]], verb: str,
                key: str | None = None) -> list[str]:
    """A block no reader can miss: the headline, then per item its `verb` (action or outcome)
    in capitals, name, type, its `key` (an input) when given, and why."""
    lines = [f"!!! {headline} !!!"]
    for item in items:
        subject = f"{item['name']} ({item['type']})" + (f" {item[key]}" if key else "")
        lines.append(f"!!! {item[verb].upper()} {subject}: {item['reason']}")
    return lines


def _text_data_loss(diff: dict[str, Any]) -> list[str]:
    return _text_alert(f"DATA LOSS: {len(diff['data_loss'])} change(s) would destroy data",
                       diff["data_loss"], "action")


def _text_rejected(diff: dict[str, Any]) -> list[str]:
    return _text_alert(f"REJECTED / NOT APPLIED: {len(diff['rejected'])} change(s) the cloud "
                       "will refuse or ignore", diff["rejected"], "outcome", key="key")


def _text_diff(diff: dict[str, Any]) -> list[str]:
    lines = [f"Changes against the earlier plan of stack {diff['base_stack']}: "
             f"{len(diff['added'])} added, {len(diff['removed'])} removed, "
             f"{len(diff['changed'])} changed"
             + (f", cost {diff['cost_delta_monthly_usd']:+,.2f} USD/month"
                if diff["cost_delta_monthly_usd"] is not None else "")]
    lines += [f"  note: {note}" for note in diff.get("notes", ())]
    lines += _text_data_loss(diff) if diff["data_loss"] else ["  no data loss"]
    lines += _text_rejected(diff) if diff.get("rejected") else \
        ["  nothing the cloud would reject or ignore"]
    for change in diff["cache_changes"]:
        lines.append(f"  cache {change['cache']}: {change['change']} {change['detail']}")
    for res in diff["added"]:
        lines.append(f"  + {res['name']} ({res['type']})")
    for res in diff["removed"]:
        lines.append(f"  - {res['name']} ({res['type']})")
    for res in diff["changed"]:
        verb = "-/+" if res["replace"] else "~"
        lines.append(f"  {verb} {res['name']} ({res['type']}): " + ", ".join(res["keys"]))
        for note in res["notes"]:
            lines.append(f"      {note}")
    for move in diff["moved"]:
        lines.append(f"  > {move['name']} ({move['type']}) moved under a new parent"
                     + (" (aliased: kept)" if move["aliased"] else " without an alias"))
    return lines


# ---------------------------------------------------------------------------------------------
# Markdown (PR comments)
# ---------------------------------------------------------------------------------------------
def _cell(value: Any) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def _markdown_alert(kind: str, headline: str, items: list[dict[str, Any]], verb: str,
                    key: str | None = None) -> list[str]:
    """A GitHub alert of `kind` (CAUTION, WARNING) as _text_alert words it."""
    out = [f"> [!{kind}]", f"> **{headline}**"]
    for item in items:
        detail = f" `{_cell(item[key])}`" if key else ""
        out.append(f"> - **{item[verb].upper()}** `{item['name']}` ({_cell(item['type'])})"
                   f"{detail}: {_cell(item['reason'])}")
    return out + [""]


def markdown(report: dict[str, Any], compact: bool = False) -> str:
    summary, diff = report["summary"], report.get("diff")
    counts = _counts(report["findings"])
    out = [f"### Offline plan: `{report['stack']}` ({report['cloud']}, {report['profile']}, "
           f"{', '.join(report['regions'])})", ""]
    if diff and diff["data_loss"]:
        out += _markdown_alert("CAUTION", f"DATA LOSS: {len(diff['data_loss'])} change(s) in "
                               "this PR would destroy data.", diff["data_loss"], "action")
    if diff and diff.get("rejected"):
        out += _markdown_alert("WARNING", f"REJECTED / NOT APPLIED: {len(diff['rejected'])} "
                               "change(s) in this PR the cloud will refuse or ignore.",
                               diff["rejected"], "outcome", key="key")
    badge = " · ".join(f"{SEVERITY_BADGE[s]} {n}" for s, n in counts.items() if n)
    out += [f"**{summary['resources']} resources** in {summary['components']} components · "
            f"**{_money(report['total_monthly_usd'])}/month** estimated · findings: "
            f"{badge or 'none'}", ""]
    for warning in report["warnings"]:
        out.append(f"> [!WARNING]\n> {_cell(warning)}\n")

    out += ["#### Topology", "", "```mermaid", *mermaid(report), "```", ""]
    out += _markdown_cost(report)
    out += _markdown_findings(report["findings"])
    if diff is not None:
        out += _markdown_diff(diff)
    if not compact:
        out += ["<details><summary>Resources (" + str(summary["resources"]) + ")</summary>", "",
                "```text", *tree_lines(report), "```", "", "</details>", ""]
    return "\n".join(out)


def _markdown_cost(report: dict[str, Any]) -> list[str]:
    cost = report["cost"]
    out = ["#### Estimated monthly cost", "",
           "| Cache | Engine | Role | Region | Node type | Nodes | USD/month | Price |",
           "|---|---|---|---|---|---:|---:|---|"]
    for cache in report["caches"]:
        for i, line in enumerate(cache["lines"]):
            out.append(f"| {_cell(cache['name']) if i == 0 else ''} | "
                       f"{_cell(cache['engine']) if i == 0 else ''} | {_cell(line['role'])} | "
                       f"{_cell(line['region'])} | {_cell(line['node_type'])} | "
                       f"{line['nodes']} | {_money(line['monthly_usd'])} | "
                       f"{_exactness(line)} |")
    out.append(f"| **Total** | | | | | **{sum(c['nodes'] for c in report['caches'])}** | "
               f"**{_money(report['total_monthly_usd'])}** | {_total_exactness(cost)} |")
    ranges = _range_lines(report)
    if ranges:
        out += [""] + [f"- {line}" for line in ranges]
    out += ["", "By engine: " + ", ".join(f"{k} {_money(v)}" for k, v in cost["by_engine"].items())
            + " · by region: " + ", ".join(f"{k} {_money(v)}" for k, v in
                                            cost["by_region"].items()), ""]
    for item in cost["unpriced"]:
        out.append(f"- not priced: {_cell(item)}")
    out += [f"<sub>On-demand prices, {cost['hours_per_month']} h/month, as of "
            f"{cost['prices']['as_of']} ({_cell(cost['prices']['source'])}; "
            f"{cost['prices']['regions']}). Not included: "
            + "; ".join(_cell(x) for x in cost["not_included"]) + ".</sub>", ""]
    return out


def _markdown_findings(findings: list[dict[str, Any]]) -> list[str]:
    out = ["#### Security and durability findings", ""]
    if not findings:
        return out + ["No findings.", ""]
    serious = [f for f in findings if f["severity"] in ("critical", "high", "medium")]
    minor = [f for f in findings if f not in serious]
    header = ["| Severity | Cache | Category | Finding |", "|---|---|---|---|"]

    def rows(items: list[dict[str, Any]]) -> list[str]:
        return [f"| {SEVERITY_BADGE[f['severity']]} | {_cell(f['cache'] or '—')} | "
                f"{_cell(f['category'])} | {_cell(f['message'])} |" for f in items]

    if serious:
        out += header + rows(serious) + [""]
    else:
        out += ["No critical, high or medium findings.", ""]
    if minor:
        out += [f"<details><summary>Low and informational findings ({len(minor)})</summary>",
                "", *header, *rows(minor), "", "</details>", ""]
    return out


def _markdown_diff(diff: dict[str, Any]) -> list[str]:
    delta = diff["cost_delta_monthly_usd"]
    out = [f"#### Changes against the base branch ({len(diff['added'])} added, "
           f"{len(diff['removed'])} removed, {len(diff['changed'])} changed"
           + (f", {delta:+,.2f} USD/month" if delta is not None else "") + ")", ""]
    for note in diff.get("notes", ()):
        out += [f"> [!NOTE]\n> {_cell(note)}", ""]
    if not (diff["added"] or diff["removed"] or diff["changed"] or diff["cache_changes"]):
        return out + ["No changes.", ""]
    if diff["cache_changes"]:
        out += ["| Cache | Change | Detail |", "|---|---|---|"]
        out += [f"| {_cell(c['cache'])} | {_cell(c['change'])} | {_cell(c['detail'])} |"
                for c in diff["cache_changes"]] + [""]

    # Data-holding resources and replacements in view; everything else (alarms, dashboards,
    # parameter groups...) folded away.
    rows: list[tuple[bool, str]] = []
    for res in sorted(diff["added"], key=lambda r: (r["type"], r["name"])):
        rows.append((res["data_holding"],
                     f"| ➕ | `{_cell(res['name'])}` | {_cell(res['type'])} | created |"))
    for res in sorted(diff["removed"], key=lambda r: (r["type"], r["name"])):
        loss = " **DATA LOSS**" if res["data_holding"] else ""
        rows.append((res["data_holding"],
                     f"| ➖ | `{_cell(res['name'])}` | {_cell(res['type'])} | deleted{loss} |"))
    for res in diff["changed"]:
        if res["replace"]:
            icon, what = "♻️", ("**replaced** (" + ", ".join(res["replace_keys"]) + ")"
                               + (" **DATA LOSS**" if res["data_holding"] else ""))
        elif res["type"] in types_with_facts():
            icon, what = "✏️", "updated in place: " + ", ".join(res["keys"])
        else:
            icon, what = "✏️", "changed: " + ", ".join(res["keys"])
        rows.append((res["data_holding"] or res["replace"],
                     f"| {icon} | `{_cell(res['name'])}` | {_cell(res['type'])} | "
                     f"{_cell(what)} |"))
    header = ["| | Resource | Type | Details |", "|---|---|---|---|"]
    shown = [row for important, row in rows if important]
    folded = [row for important, row in rows if not important]
    if shown:
        out += header + shown + [""]
    if folded:
        title = "Other resource changes" if shown else "Resource changes"
        out += [f"<details><summary>{title} ({len(folded)})</summary>", "", *header, *folded,
                "", "</details>", ""]
    if diff["changed"]:
        count = len(diff["changed"])
        out += [f"<details><summary>Changed inputs ({count} resource"
                f"{'' if count == 1 else 's'})</summary>", "",
                "| Resource | Input | Before | After |", "|---|---|---|---|"]
        for res in diff["changed"]:
            for key, change in res["changes"].items():
                before, after = _excerpts(change["old"], change["new"])
                out.append(f"| `{_cell(res['name'])}` | {_cell(key)} | {before} | {after} |")
            for note in res["notes"]:
                out.append(f"| `{_cell(res['name'])}` | note | {_cell(note)} | |")
        out += ["", "</details>", ""]
    return out


def _excerpts(old: Any, new: Any, width: int = 60) -> tuple[str, str]:
    """Both values as inline code; long ones cut to a window around where they first differ."""
    before, after = _show(old), _show(new)
    if max(len(before), len(after)) > width:
        start = next((i for i, (a, b) in enumerate(zip(before, after, strict=False)) if a != b),
                     min(len(before), len(after)))
        start = max(0, start - 15)

        def window(text: str) -> str:
            cut = text[start:start + width]
            return ("..." if start else "") + cut + ("..." if start + width < len(text) else "")

        before, after = window(before), window(after)
    return _inline(before), _inline(after)


def _inline(text: str) -> str:
    return "`" + text.replace("`", "'").replace("|", "\\|") + "`"
