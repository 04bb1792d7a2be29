"""Compare a plan with an earlier JSON plan: added, removed, changed, DATA LOSS, and changes
the cloud will reject or not apply.

Resources are matched by URN, as Pulumi does. A resource whose URN changed (a new parent) but
whose type and logical name did not is "moved": kept when it or an ancestor declares an alias,
otherwise Pulumi deletes and recreates it. What a changed input does is read from the provider
facts table (components/provider_facts.py), the same table the components take their
`ignore_changes` from: a `replaces` fact (or a change of the provider's region) replaces the
resource, and replacing or deleting a data-holding resource is DATA LOSS, as is a cache whose
engine changes in a way the cloud cannot do in place; a `rejected` fact lands in `rejected`
(REJECTED: `pulumi up` fails; NOT APPLIED: it succeeds and changes nothing). Each fact holds
only under its condition, decided from the two plans (infra/plan/conditions.py).

Compare plans made the same way (both with or both without --preview): unknown values differ
from known ones and count as changes. Secret values are masked on both sides and never compared.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from components import fact_conditions as when
from components import provider_facts as facts
from components.provider_facts import Fact
from components.resource_types import (
    AWS_CLUSTER,
    AWS_GLOBAL_REPLICATION_GROUP,
    AWS_PARAMETER_GROUP,
    AWS_REPLICATION_GROUP,
    AWS_SERVERLESS_CACHE,
    AWS_SUBNET,
    AWS_SUBNET_GROUP,
    AWS_USER_GROUP,
    GCP_MEMCACHED,
    GCP_REDIS,
    GCP_VALKEY,
)
from infra.plan import cross_checks as checks
from infra.plan.conditions import Context, holds
from infra.plan.findings import RESTORE_INPUTS, restore_source

PROVIDER_REGION = "(provider region)"

# A group moving from its AUTH token to RBAC users: the provider sends one ModifyReplicationGroup
# with UserGroupIdsToAdd and AuthTokenUpdateStrategy=DELETE ("DELETE - allowed only when
# transitioning to RBAC", ElastiCache API; terraform-provider-aws replication_group.go
# resourceReplicationGroupUpdate): no replacement, but the token stops working.
# This version sends a changed token with ROTATE, not SET (components/aws/replication_group.py);
# a group created before keeps SET in its state, so its next update sends the strategy once.
STRATEGY_TO_ROTATE = ("authTokenUpdateStrategy: SET -> ROTATE, the strategy this version sends "
                      "with a changed token (docs/adopting.md): the provider sends the group's "
                      "current token with ROTATE in one ModifyReplicationGroup. The group has "
                      "that token already, so ROTATE adds none beside it and AUTH stays "
                      "required (ElastiCache auth.html, Rotating the AUTH token); that AWS takes "
                      "it as a no-op is a real-account check (docs/first-deploy.md)")
RBAC_MIGRATION = ("in place: the AUTH token is deleted and the user group attached in one "
                  "ModifyReplicationGroup (strategy DELETE). From then on a connection that "
                  "sends only the old token authenticates as user 'default', which is off, and "
                  "is refused: move clients to their user's credentials (its connection "
                  "secret) in the same change window")

# A cache going from Redis OSS to Valkey with RBAC users: its users and user group take the new
# engine too, and Pulumi updates them before the cache that refers to them. "When using RBAC with
# Redis OSS clusters, only user groups with the engine "REDIS" can be used", while a Valkey
# cluster takes both (https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Clusters.RBAC.html).
# Whether ModifyUserGroup refuses a group of a Redis OSS cache is not documented: a note.
ENGINE_SWITCH_ORDER = ("engine: the users and this group turn valkey before the cache does "
                       "(it refers to them), and a Redis OSS cache takes only redis user "
                       "groups. If `pulumi up` stops here, move the cache first, which takes a "
                       "redis group once it runs Valkey: `pulumi up {targets}`, then "
                       "`pulumi up`")

# A group leaving Redis OSS 6, which takes no TLS mode, is sent one for the first time
# (components/aws/replication_group.py `transit_encryption_mode`). The provider puts it in the
# ModifyReplicationGroup that carries the new engine version (replication_group.go update); a
# Global Datastore's primary gets it before its global group, which it precedes, upgrades.
# ElastiCache refuses a mode on a group that runs Redis OSS 6 ("Transit encryption mode is not
# supported for engine version 6.2.6", an update error listed in opentofu/terraform-provider-aws
# PR #36, the port of hashicorp/terraform-provider-aws#30403); whether it takes one sent with
# the upgrade itself is not documented.
TLS_MODE_AFTER_REDIS_6 = (
    "transitEncryptionMode: sent for the first time, as the group leaves Redis OSS 6, which "
    "has none. ElastiCache refuses a TLS mode on a group that still runs Redis OSS 6, and "
    "this one reaches the group with its upgrade (a Global Datastore's primary: before the "
    "global group upgrades). If `pulumi up` fails on it, upgrade the engine outside Pulumi "
    "(modify-replication-group, or modify-global-replication-group, with the new version and "
    "the parameter group that update created), then `pulumi refresh` and `pulumi up`")

# ModifyGlobalReplicationGroup: "Modifications to Global Replication Groups cannot be requested
# to be applied in PreferredMaintenceWindow" (ApplyImmediately, ElastiCache API reference); the
# provider always sends true (global_replication_group.go), and shard changes are immediate too.
GLOBAL_MODIFICATIONS = frozenset({"cacheNodeType", "engineVersion", "numNodeGroups",
                                  "parameterGroupName", "automaticFailoverEnabled"})
GLOBAL_AT_ONCE = ("applied at once in every region: a Global Datastore's changes cannot wait for "
                  "the maintenance window, whatever aws.apply_immediately says")

# Inputs ModifyReplicationGroup / ModifyCacheCluster hold for the maintenance window when
# ApplyImmediately is false ("changes to the nodes in the replication group are applied on the
# next maintenance reboot", ApplyImmediately, ModifyReplicationGroup API reference); replica and
# shard counts go through their own calls, which apply at once. A Global Datastore member
# ignores these (its global group applies them at once, GLOBAL_AT_ONCE).
WINDOW_KEYS = {AWS_REPLICATION_GROUP: frozenset({"nodeType", "engineVersion",
                                                 "parameterGroupName"}),
               AWS_CLUSTER: frozenset({"numCacheNodes", "engineVersion"})}
# Of those, what the provider reads back as running rather than pending, so that every preview
# shows the change again until the window: a replication group's pending node type and version
# are read back since terraform-provider-aws#48246, its parameter group is not (#49270); a
# Memcached cluster's running values are (elasticache/cluster.go setFromCacheCluster).
SHOWN_AGAIN = {AWS_REPLICATION_GROUP: frozenset({"parameterGroupName"}),
               AWS_CLUSTER: frozenset({"numCacheNodes", "engineVersion"})}
WAITS_FOR_WINDOW = "{keys}: waits for the maintenance window (applyImmediately false)"
UNTIL_THEN = ", and until then every preview shows {what} again"
# With a new parameter group (a major upgrade), the old one is deleted at the end of this
# update; ElastiCache refuses to delete a group a cluster is still a member of
# (InvalidCacheParameterGroupState; parameter_group.go retries it for 3 minutes). Whether a
# group stays a member until the window applies the change is not documented: a real-account
# check (docs/first-deploy.md).
OLD_PARAMETER_GROUP = ("; the old parameter group is deleted at the end of this update, which "
                       "fails (InvalidCacheParameterGroupState) if the group still uses it "
                       "until the window: to upgrade at a time you choose, set "
                       "aws.apply_immediately: true for this update")

# ModifyCacheCluster AZMode: "If cross-az is specified, existing Memcached nodes remain in their
# current Availability Zone" (API reference). The provider reads cross-az back only when the
# nodes sit in several zones (elasticache/cluster.go resourceClusterRead), so a cluster whose
# nodes share a zone keeps reading single-az until nodes are added in the other zones.
# A replacement is registered with the old value of each ignored input (pulumi
# pkg/resource/deploy/step_generator.go: "Set inputs back to their old values (if any) for any
# 'ignored' properties", processIgnoreChanges), unless the resource is a --replace target,
# whose new inputs are checked as the program sends them.
RESTORED_AGAIN = ("{key}: the new cache is created from {source} again, not empty: Pulumi "
                  "gives a replacement the old value of every ignored input, and the update "
                  "fails if that source is gone. To create it from the program's inputs "
                  "instead, remove restore_from (or set the source you want) and run "
                  "`pulumi up --replace '{urn}'`")
# "When reducing a Standard Tier instance's capacity, you must choose a size greater than the
# amount of data being stored or scaling fails" (Memorystore for Redis, About scaling instances,
# https://cloud.google.com/memorystore/docs/redis/scaling-behavior).
STANDARD_SHRINK = ("memorySizeGb: a STANDARD_HA instance scales down only to a size larger than "
                   "the data it holds, or the scaling fails: check its used memory first")
CROSS_AZ_LATER = ("azMode: existing nodes stay in their zone, and the cluster reads single-az "
                  "until nodes are added in the other zones: until then every preview shows this "
                  "change again")

# Inputs that set what a cache is priced on (node type or memory, node, shard and replica
# counts, serverless limits): a NOT APPLIED one leaves the price as it is.
SIZE_KEYS = frozenset({
    "nodeType", "numCacheClusters", "numNodeGroups", "replicasPerNodeGroup", "numCacheNodes",
    "cacheUsageLimits", "memorySizeGb", "tier", "replicaCount", "readReplicasMode",
    "shardCount", "nodeCount", "nodeConfig",
})

# Inputs that change cross-region membership without a replacement: worth a loud note.
MEMBERSHIP_KEYS: dict[str, frozenset[str]] = {
    GCP_VALKEY: frozenset({"crossInstanceReplicationConfig"}),
    AWS_GLOBAL_REPLICATION_GROUP: frozenset({"numNodeGroups"}),
}


def diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """What changes from plan `old` to plan `new` (both report dicts, see infra.plan)."""
    old_by_urn = {r["urn"]: r for r in old.get("resources", [])}
    new_by_urn = {r["urn"]: r for r in new.get("resources", [])}
    pairs = [(old_by_urn[urn], new_by_urn[urn]) for urn in new_by_urn if urn in old_by_urn]
    gone = [r for urn, r in old_by_urn.items() if urn not in new_by_urn]
    came = [r for urn, r in new_by_urn.items() if urn not in old_by_urn]

    moved = []
    came_by_key = {(r["type"], r["name"]): r for r in came}
    for before in list(gone):
        after = came_by_key.get((before["type"], before["name"]))
        if after is None:
            continue
        aliased = _kept_by_alias(after, new_by_urn, old_by_urn)
        moved.append({"type": after["type"], "name": after["name"], "from": before["urn"],
                      "to": after["urn"], "aliased": aliased,
                      "cache": after["cache"] or before["cache"]})
        if aliased:
            gone.remove(before)
            came.remove(after)
            pairs.append((before, after))

    data_loss: list[dict[str, Any]] = []
    removed = []
    for res in gone:
        unaliased_move = (res["type"], res["name"]) in came_by_key
        action = "replace" if unaliased_move else "delete"
        removed.append(_brief(res))
        if res["data_holding"]:
            reason = ("its URN changes (new parent) and no alias keeps it: Pulumi deletes it "
                      "and creates a new one" if unaliased_move else
                      "removed from the program: `pulumi up` deletes it")
            data_loss.append(_loss(res, action, reason))

    context = Context(old_global=_global_caches(old), new_global=_global_caches(new))
    changed = []
    rejected, name_notes = checks.unique_names(gone, came)
    rejected += checks.zone_swaps(gone, came)
    rejected += checks.regranted_members(gone, came)
    rejected += checks.valkey_secondary_swaps(gone, came, new)
    existing_vpc_rejected, existing_vpc_notes = checks.existing_vpc_zone_changes(old, new, came)
    rejected += existing_vpc_rejected
    name_notes += existing_vpc_notes + checks.scaling_handed_back(old, new)
    rejected += checks.primaries_leaving_global(pairs, gone, context)
    rejected += checks.gcp_ranges_moved(pairs, old)
    regions_losing_subnets = set()
    for before, after in pairs:
        entry = _compare(before, after, context)
        if entry is None:
            continue
        if after["type"] == AWS_SUBNET_GROUP and "subnetIds" in entry["keys"]:
            regions_losing_subnets.add(after.get("provider_region"))
        refused = entry.pop("rejected")
        rejected.extend(refused)
        changed.append(entry)
        if after["data_holding"] and entry["replace"]:
            data_loss.append(_loss(after, "replace", "changing "
                                   + ", ".join(entry["replace_keys"]) + " forces replacement"))
        elif after["data_holding"] and (set(entry["keys"]) - {r["key"] for r in refused}) & set(
                _EMPTYING_UPDATES.get(after["type"], ())):
            data_loss.append(_loss(after, "empty", "a Memcached version upgrade is an "
                                   "in-place update that flushes every node"))

    _note_engine_switch_order(changed)
    changed.sort(key=lambda c: (not (c["replace"] and c["data_holding"]), not c["replace"],
                                c["type"], c["name"]))
    cache_changes = _cache_changes(old, new, data_loss)
    notes = name_notes + [checks.subnet_note(res) for res in gone if res["type"] == AWS_SUBNET
                          and res.get("provider_region") in regions_losing_subnets]
    # The plans price the config; a size change the cloud will not apply leaves the cache at
    # its size. Its price change is left out unless another size input changes with it, which
    # the plans cannot price apart: then a note says the estimate counts the unapplied part.
    unapplied = _unapplied_size_keys(rejected)
    resized = {c["cache"] for c in changed if c["cache"] in unapplied
               and (set(c["keys"]) & SIZE_KEYS) - set(unapplied[c["cache"]])}
    for change in cache_changes:
        keys = unapplied.get(change["cache"])
        if keys and change["change"] in ("nodes", "monthly_usd"):
            change["detail"] += f" (not applied: {', '.join(keys)})"
    cost_kept = _monthly_change(old, new, set(unapplied) - resized)
    if cost_kept:
        notes.append(f"the cost change leaves out {', '.join(sorted(set(unapplied) - resized))}:"
                     " its size change will not be applied (NOT APPLIED above)")
    for cache in sorted(resized):
        notes.append(f"the cost change of {cache} counts {', '.join(unapplied[cache])} as "
                     "changed, which will not be applied (NOT APPLIED above); its other size "
                     "change will")
    if old.get("stack") != new.get("stack"):
        notes.append(f"compared with a plan of another stack ({old.get('stack')})")
    if bool(old.get("preview")) != bool(new.get("preview")):
        notes.append("one plan was made with --preview and the other without: values known in "
                     "one and unknown in the other show as changes")
    if old.get("schema_version") != new.get("schema_version"):
        notes.append(f"the earlier plan has schema_version {old.get('schema_version')}, this one "
                     f"{new.get('schema_version')}")
    old_total = old.get("total_monthly_usd")
    new_total = new.get("total_monthly_usd")
    return {
        "base_stack": old.get("stack"),
        "added": [_brief(r) for r in came],
        "removed": removed,
        "changed": changed,
        "moved": moved,
        "data_loss": data_loss,
        "rejected": rejected,
        "cache_changes": cache_changes,
        "cost_delta_monthly_usd": None if old_total is None or new_total is None
        else round(new_total - old_total - cost_kept, 2),
        "old_total_monthly_usd": old_total,
        "notes": notes,
    }


def _kept_by_alias(res: dict[str, Any], new_by_urn: dict[str, Any],
                   old_by_urn: dict[str, Any]) -> bool:
    """Whether Pulumi keeps a moved resource: it declares an alias, or an ancestor that declares
    one moved too (the engine gives children the ancestor's old place, step_generator.go
    inheritedChildAlias). An ancestor's alias that did not come into play explains nothing."""
    if res.get("declares_alias", res["aliased"]):
        return True
    ancestor = new_by_urn.get(res.get("parent", ""))
    while ancestor is not None:
        if ancestor.get("declares_alias") and ancestor["urn"] not in old_by_urn:
            return True
        ancestor = new_by_urn.get(ancestor.get("parent", ""))
    return False


def _engines(entry: dict[str, Any]) -> tuple[Any, Any] | None:
    change = entry["changes"].get("engine")
    return None if change is None else (change["old"], change["new"])


def _note_engine_switch_order(changed: list[dict[str, Any]]) -> None:
    """ENGINE_SWITCH_ORDER on the user group of each cache moving from Redis OSS to Valkey,
    naming the parameter group and cache to update first. A cache replaced in the same update
    too: its user group, updated in place, turns valkey while the old Redis OSS cache still
    refers to it."""
    moving = {c["cache"]: c for c in changed
              if c["type"] in (AWS_REPLICATION_GROUP, AWS_SERVERLESS_CACHE)
              and _engines(c) == ("redis", "valkey")}
    for entry in changed:
        cache = moving.get(entry["cache"])
        if cache is None or entry["type"] != AWS_USER_GROUP \
                or _engines(entry) != ("redis", "valkey"):
            continue
        first = [c["urn"] for c in changed
                 if c["cache"] == entry["cache"] and c["type"] == AWS_PARAMETER_GROUP]
        targets = " ".join(f"--target '{urn}'" for urn in [*first, cache["urn"]])
        entry["notes"].append(ENGINE_SWITCH_ORDER.format(targets=targets))


def _brief(res: dict[str, Any]) -> dict[str, Any]:
    return {"urn": res["urn"], "type": res["type"], "name": res["name"], "cache": res["cache"],
            "data_holding": res["data_holding"], "protect": res["protect"]}


def _loss(res: dict[str, Any], action: str, reason: str) -> dict[str, Any]:
    note = (" It is protected, so `pulumi up` stops until the protection is lifted."
            if res["protect"] else "")
    return {"type": res["type"], "name": res["name"], "urn": res["urn"], "cache": res["cache"],
            "action": action, "protected": res["protect"], "reason": reason + "." + note}


def _compare(before: dict[str, Any], after: dict[str, Any],
             context: Context) -> dict[str, Any] | None:
    old_in, new_in = before["inputs"], after["inputs"]
    ignored = set(after.get("ignore_changes", ()))
    keys = sorted(k for k in set(old_in) | set(new_in)
                  if old_in.get(k) != new_in.get(k) and k not in ignored)
    changes = {k: {"old": old_in.get(k), "new": new_in.get(k)} for k in keys}
    if before.get("provider_region") != after.get("provider_region"):
        keys.append(PROVIDER_REGION)
        changes[PROVIDER_REGION] = {"old": before.get("provider_region"),
                                    "new": after.get("provider_region")}
    if before["protect"] != after["protect"]:
        changes["(protect)"] = {"old": before["protect"], "new": after["protect"]}
    if not changes:
        return None
    replace_keys = [PROVIDER_REGION] if PROVIDER_REGION in keys else []
    notes = []
    refusals: list[tuple[str, Fact]] = []
    for key in keys:
        for fact in facts.facts_for(after["type"], key):
            if not holds(fact, key, old_in, new_in, after, context):
                continue
            if fact.kind == "replaces":
                replace_keys.append(key)
                if fact.condition != when.ALWAYS:
                    notes.append(f"{key}: {fact.reason}")
            else:
                # A cloud-owned argument the resource does not ignore is sent, and refused.
                refusals.append((key, fact))
            break
    engines = (old_in.get("engine"), new_in.get("engine"))
    if "engine" in keys and "engine" not in replace_keys and (
            (after["type"] == AWS_REPLICATION_GROUP and engines == ("redis", "valkey"))
            or (after["type"] == AWS_SERVERLESS_CACHE and set(engines) == {"redis", "valkey"})):
        notes.append(f"engine: in place: {engines[0]} -> {engines[1]} is an online change")
    if after["type"] == AWS_REPLICATION_GROUP and "userGroupIds" in keys \
            and old_in.get("authToken") and not new_in.get("authToken") \
            and new_in.get("userGroupIds"):
        notes.append(f"userGroupIds: {RBAC_MIGRATION}")
    if after["type"] == AWS_REPLICATION_GROUP and "authTokenUpdateStrategy" in keys \
            and (old_in.get("authTokenUpdateStrategy"),
                 new_in.get("authTokenUpdateStrategy")) == ("SET", "ROTATE"):
        notes.append(STRATEGY_TO_ROTATE)
    if after["type"] == AWS_REPLICATION_GROUP and "transitEncryptionMode" in keys \
            and old_in.get("transitEncryptionMode") is None:
        notes.append(TLS_MODE_AFTER_REDIS_6)
    deferred = sorted(set(keys) & WINDOW_KEYS.get(after["type"], frozenset()))
    if deferred and new_in.get("applyImmediately") is False and not replace_keys:
        again = [k for k in deferred if k in SHOWN_AGAIN.get(after["type"], frozenset())]
        what = "this change" if again == deferred else f"the {', '.join(again)} change"
        notes.append(WAITS_FOR_WINDOW.format(keys=", ".join(deferred))
                     + (UNTIL_THEN.format(what=what) if again else "")
                     + (OLD_PARAMETER_GROUP if "parameterGroupName" in deferred else ""))
    if replace_keys:
        notes.extend(RESTORED_AGAIN.format(key=key, source=restore_source(old_in[key]),
                                           urn=after["urn"])
                     for key in RESTORE_INPUTS.get(after["type"], ()) if old_in.get(key))
    if after["type"] == GCP_REDIS and "memorySizeGb" in keys and not replace_keys \
            and new_in.get("tier") == "STANDARD_HA" \
            and _smaller(new_in.get("memorySizeGb"), old_in.get("memorySizeGb")):
        notes.append(STANDARD_SHRINK)
    if after["type"] == AWS_CLUSTER and "azMode" in keys and new_in.get("azMode") == "cross-az":
        notes.append(CROSS_AZ_LATER)
    if after["type"] == AWS_GLOBAL_REPLICATION_GROUP and set(keys) & GLOBAL_MODIFICATIONS:
        notes.append(GLOBAL_AT_ONCE)
    membership = sorted(set(keys) & MEMBERSHIP_KEYS.get(after["type"], frozenset()))
    if membership:
        notes.append("cross-region membership changes: " + ", ".join(membership))
    # A replaced resource is a new one: what its old self would refuse does not apply.
    rejected = [] if replace_keys else [_refusal(after, key, fact) for key, fact in refusals]
    protection = DELETION_PROTECTION.get(after["type"])
    if replace_keys and protection and old_in.get(protection) is True:
        rejected.append(_protected_replacement(after, protection))
    return {"urn": after["urn"], "type": after["type"], "name": after["name"],
            "cache": after["cache"], "keys": sorted(changes), "changes": changes,
            "replace": bool(replace_keys), "replace_keys": replace_keys,
            "data_holding": after["data_holding"], "notes": notes, "rejected": rejected}


def _smaller(new: Any, old: Any) -> bool:
    return isinstance(new, (int, float)) and isinstance(old, (int, float)) and new < old


# The cloud-side deletion protection of Memorystore instances. Pulumi allows lifting `protect`
# and replacing in one update (step_generator.go: "we do allow unprotecting and replacing to
# happen in a single update cycle"), but the delete runs against the old state: the provider
# refuses it while `deletion_protection` is true there (magic-modules pre_delete
# redis_instance.go.tmpl, memcache_instance.go.tmpl), and Memorystore for Valkey refuses to
# delete an instance with `deletion_protection_enabled` (memorystore/Instance.yaml).
DELETION_PROTECTION = {GCP_REDIS: "deletionProtection", GCP_MEMCACHED: "deletionProtection",
                       GCP_VALKEY: "deletionProtectionEnabled"}


def _protected_replacement(res: dict[str, Any], key: str) -> dict[str, Any]:
    return {"type": res["type"], "name": res["name"], "urn": res["urn"], "cache": res["cache"],
            "key": key, "outcome": "rejected",
            "condition": "replaced while its deletion protection is on in the current state",
            "reason": f"{key} is on in the instance's current state, and the replacement deletes "
                      "the old instance under that state, which is refused: `pulumi up` stops "
                      "after the rest of the plan is applied. Lift deletion_protection in its "
                      "own `pulumi up` first, then make the change that replaces the instance.",
            "source": "pulumi/pulumi pkg/resource/deploy/step_generator.go; "
                      "GoogleCloudPlatform/magic-modules mmv1/templates/terraform/pre_delete/"
                      "redis_instance.go.tmpl, memcache_instance.go.tmpl; "
                      "mmv1/products/memorystore/Instance.yaml (deletionProtectionEnabled)"}


def _refusal(res: dict[str, Any], key: str, fact: Fact) -> dict[str, Any]:
    reason = fact.reason
    if fact.kind == "cloud_owned":
        reason = (f"{key} is owned by the cloud here ({when.CONDITIONS[fact.condition]}) but "
                  f"the resource does not ignore it: {fact.reason}")
    return {"type": res["type"], "name": res["name"], "urn": res["urn"], "cache": res["cache"],
            "key": key, "outcome": "rejected" if fact.kind == "cloud_owned" else fact.outcome,
            "condition": when.CONDITIONS[fact.condition], "reason": reason,
            "source": fact.source}


# In-place updates that empty a cache: a Memcached version upgrade. AWS: "Upgrading to a newer
# Memcached version is a destructive process - you lose your data and start with a cold
# cache" (ElastiCache for Memcached, Version management); GCP: "The Memcached instance
# undergoes a complete cache flush during a version upgrade operation" (Memorystore for
# Memcached, About upgrading the Memcached version). A downgrade replaces the AWS cluster and
# is refused on GCP (provider facts).
_EMPTYING_UPDATES = {AWS_CLUSTER: ("engineVersion",), GCP_MEMCACHED: ("memcacheVersion",)}


def _unapplied_size_keys(rejected: list[dict[str, Any]]) -> dict[str, list[str]]:
    """cache -> the size inputs of its resources the cloud accepts and does not apply."""
    out: dict[str, list[str]] = {}
    for item in rejected:
        if item["outcome"] == "not applied" and item["cache"] and item["key"] in SIZE_KEYS:
            out.setdefault(item["cache"], []).append(item["key"])
    return out


def _monthly_change(old: dict[str, Any], new: dict[str, Any], caches: Iterable[str]) -> float:
    """How much the monthly price of these caches changes from plan `old` to plan `new`."""
    before = {c["name"]: c.get("monthly_usd") or 0.0 for c in old.get("caches", [])}
    after = {c["name"]: c.get("monthly_usd") or 0.0 for c in new.get("caches", [])}
    return sum(after[name] - before[name] for name in caches if name in before and name in after)


def _global_caches(report: dict[str, Any]) -> frozenset[str]:
    return frozenset(r["cache"] for r in report.get("resources", [])
                     if r["type"] == AWS_GLOBAL_REPLICATION_GROUP and r.get("cache"))


def _cache_changes(old: dict[str, Any], new: dict[str, Any],
                   data_loss: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Cache-level changes; a removed cache or an engine change that is not an in-place
    upgrade also lands in `data_loss` (once per cache, whatever its resources say)."""
    before = {c["name"]: c for c in old.get("caches", [])}
    after = {c["name"]: c for c in new.get("caches", [])}
    out = []
    for name in sorted(set(before) - set(after)):
        out.append({"cache": name, "change": "removed",
                    "detail": f"{before[name]['engine']} cache removed or renamed"})
        data_loss.append({"type": "cache", "name": name, "urn": None, "cache": name,
                          "action": "delete", "protected": False,
                          "reason": f"cache '{name}' is gone from the config (removed or "
                                    "renamed): its data goes with it."})
    for name in sorted(set(after) - set(before)):
        out.append({"cache": name, "change": "added",
                    "detail": f"new {after[name]['engine']} cache"})
    for name in sorted(set(before) & set(after)):
        was, now = before[name], after[name]
        if was["engine"] != now["engine"]:
            in_place = _engine_change_in_place(was, now)
            out.append({"cache": name, "change": "engine",
                        "detail": f"{was['engine']} -> {now['engine']}"
                                  + (" (in place)" if in_place else "")})
            if not in_place:
                data_loss.append({"type": "cache", "name": name, "urn": None, "cache": name,
                                  "action": "replace", "protected": False,
                                  "reason": f"engine {was['engine']} -> {now['engine']} cannot "
                                            "be changed in place: the cache is recreated "
                                            "empty."})
        for key in ("node_type", "nodes", "region", "engine_version"):
            if was.get(key) != now.get(key):
                out.append({"cache": name, "change": key,
                            "detail": f"{was.get(key)} -> {now.get(key)}"})
        if was.get("monthly_usd") != now.get("monthly_usd"):
            out.append({"cache": name, "change": "monthly_usd",
                        "detail": f"{was.get('monthly_usd')} -> {now.get('monthly_usd')}"})
    return out


def _engine_change_in_place(was: dict[str, Any], now: dict[str, Any]) -> bool:
    """Redis OSS -> Valkey is in place everywhere; a serverless cache also goes back from
    Valkey to Redis OSS in place (terraform-provider-aws serverless_cache.go, PR #45087)."""
    engines = (was["engine"], now["engine"])
    serverless = was.get("node_type") == now.get("node_type") == "serverless"
    return engines == ("redis", "valkey") or (serverless and engines == ("valkey", "redis"))
