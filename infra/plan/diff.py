"""Compare a plan with an earlier JSON plan: added, removed, changed, and DATA LOSS.

Resources are matched by URN, as Pulumi does. A resource whose URN changed (a new parent) but
whose type and logical name did not is "moved": kept when it or an ancestor declares an alias,
otherwise Pulumi deletes and recreates it. A change to an input in REPLACE_ON_CHANGE below (or
to the provider's region) replaces the resource. Replacing or deleting a data-holding resource
is DATA LOSS, as is a cache whose engine changes in a way the cloud cannot do in place.

Compare plans made the same way (both with or both without --preview): unknown values differ
from known ones and count as changes. Secret values are masked on both sides and never compared.
"""

from __future__ import annotations

import re
from typing import Any

RG = "aws:elasticache/replicationGroup:ReplicationGroup"
CLUSTER = "aws:elasticache/cluster:Cluster"
GLOBAL_RG = "aws:elasticache/globalReplicationGroup:GlobalReplicationGroup"
KMS_KEY = "aws:kms/key:Key"
GCP_REDIS = "gcp:redis/instance:Instance"
GCP_VALKEY = "gcp:memorystore/instance:Instance"
GCP_MEMCACHED = "gcp:memcache/instance:Instance"
PROVIDER_REGION = "(provider region)"

# Inputs (Pulumi names) whose change makes the provider replace the resource: the ForceNew
# arguments of the bridged Terraform resources, read from the provider sources
#   hashicorp/terraform-provider-aws  internal/service/elasticache/replication_group.go,
#     cluster.go, global_replication_group.go; internal/service/kms/key.go
#   hashicorp/terraform-provider-google  google/services/redis/resource_redis_instance.go,
#     google/services/memcache/resource_memcache_instance.go; GoogleCloudPlatform/
#     magic-modules mmv1/products/memorystore/Instance.yaml (`immutable: true` -> ForceNew)
# Conditional replacements (CustomizeDiff) are in _conditional below.
REPLACE_ON_CHANGE: dict[str, frozenset[str]] = {
    # aws_elasticache_replication_group
    RG: frozenset({
        "replicationGroupId", "atRestEncryptionEnabled", "kmsKeyId", "port", "subnetGroupName",
        "dataTieringEnabled", "networkType", "globalReplicationGroupId", "securityGroupNames",
        "snapshotArns", "snapshotName", "nodeGroupConfigurations",
    }),
    # aws_elasticache_cluster
    CLUSTER: frozenset({
        "clusterId", "engine", "port", "subnetGroupName", "transitEncryptionEnabled",
        "availabilityZone", "networkType", "outpostMode", "preferredOutpostArn",
        "replicationGroupId", "snapshotArns", "snapshotName",
    }),
    # aws_elasticache_global_replication_group
    GLOBAL_RG: frozenset({"globalReplicationGroupIdSuffix", "primaryReplicationGroupId"}),
    # aws_kms_key
    KMS_KEY: frozenset({"customerMasterKeySpec", "keyUsage", "multiRegion", "customKeyStoreId",
                        "xksKeyId"}),
    # google_redis_instance
    GCP_REDIS: frozenset({
        "name", "region", "project", "tier", "transitEncryptionMode", "connectMode",
        "authorizedNetwork", "customerManagedKey", "locationId", "alternativeLocationId",
        "reservedIpRange",
    }),
    # google_memorystore_instance
    GCP_VALKEY: frozenset({
        "instanceId", "location", "project", "authorizationMode", "transitEncryptionMode",
        "mode", "kmsKey", "zoneDistributionConfig", "desiredPscAutoConnections",
        "desiredAutoCreatedEndpoints", "gcsSource", "managedBackupSource",
    }),
    # google_memcache_instance
    GCP_MEMCACHED: frozenset({
        "name", "region", "project", "zones", "authorizedNetwork", "nodeConfig",
        "memcacheParameters",
    }),
}

# A group moving from its AUTH token to RBAC users: the provider sends one ModifyReplicationGroup
# with UserGroupIdsToAdd and AuthTokenUpdateStrategy=DELETE ("DELETE - allowed only when
# transitioning to RBAC", ElastiCache API; terraform-provider-aws replication_group.go
# resourceReplicationGroupUpdate): no replacement, but the token stops working.
RBAC_MIGRATION = ("in place: the AUTH token is deleted and the user group attached in one "
                  "ModifyReplicationGroup (strategy DELETE). From then on a connection that "
                  "sends only the old token authenticates as user 'default', which is off, and "
                  "is refused: move clients to their user's credentials (its connection "
                  "secret) in the same change window")

# Inputs that change cross-region membership without a replacement: worth a loud note.
MEMBERSHIP_KEYS: dict[str, frozenset[str]] = {
    GCP_VALKEY: frozenset({"crossInstanceReplicationConfig"}),
    GLOBAL_RG: frozenset({"numNodeGroups"}),
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
        moved.append({"type": after["type"], "name": after["name"], "from": before["urn"],
                      "to": after["urn"], "aliased": after["aliased"],
                      "cache": after["cache"] or before["cache"]})
        if after["aliased"]:
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

    changed = []
    for before, after in pairs:
        entry = _compare(before, after)
        if entry is None:
            continue
        changed.append(entry)
        if after["data_holding"] and entry["replace"]:
            data_loss.append(_loss(after, "replace", "changing "
                                   + ", ".join(entry["replace_keys"]) + " forces replacement"))

    changed.sort(key=lambda c: (not (c["replace"] and c["data_holding"]), not c["replace"],
                                c["type"], c["name"]))
    cache_changes = _cache_changes(old, new, data_loss)
    notes = []
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
        "cache_changes": cache_changes,
        "cost_delta_monthly_usd": None if old_total is None or new_total is None
        else round(new_total - old_total, 2),
        "old_total_monthly_usd": old_total,
        "notes": notes,
    }


def _brief(res: dict[str, Any]) -> dict[str, Any]:
    return {"urn": res["urn"], "type": res["type"], "name": res["name"], "cache": res["cache"],
            "data_holding": res["data_holding"], "protect": res["protect"]}


def _loss(res: dict[str, Any], action: str, reason: str) -> dict[str, Any]:
    note = (" It is protected, so `pulumi up` stops until the protection is lifted."
            if res["protect"] else "")
    return {"type": res["type"], "name": res["name"], "urn": res["urn"], "cache": res["cache"],
            "action": action, "protected": res["protect"], "reason": reason + "." + note}


def _compare(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any] | None:
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
    forcing = REPLACE_ON_CHANGE.get(after["type"], frozenset())
    replace_keys = [k for k in keys if k in forcing or k == PROVIDER_REGION]
    notes = []
    for key, reason in _conditional(after["type"], old_in, new_in, keys):
        if reason.startswith("in place"):
            notes.append(f"{key}: {reason}")
        elif key not in replace_keys:
            replace_keys.append(key)
            notes.append(f"{key}: {reason}")
    membership = sorted(set(keys) & MEMBERSHIP_KEYS.get(after["type"], frozenset()))
    if membership:
        notes.append("cross-region membership changes: " + ", ".join(membership))
    return {"urn": after["urn"], "type": after["type"], "name": after["name"],
            "cache": after["cache"], "keys": sorted(changes), "changes": changes,
            "replace": bool(replace_keys), "replace_keys": replace_keys,
            "data_holding": after["data_holding"], "notes": notes}


def _version(value: Any) -> tuple[int, ...] | None:
    """'7.1' -> (7, 1); '6.x' -> (6,); 'REDIS_7_0' -> (7, 0); anything else None."""
    if not isinstance(value, str):
        return None
    parts = re.findall(r"\d+", value.split("_", 1)[1] if value.startswith(("REDIS_", "VALKEY_"))
                       else value)
    return tuple(int(p) for p in parts) or None


def _downgrade(old: Any, new: Any) -> bool:
    before, after = _version(old), _version(new)
    if before is None or after is None:
        return False
    width = min(len(before), len(after))
    return after[:width] < before[:width]


def _conditional(kind: str, old: dict[str, Any], new: dict[str, Any],
                 keys: list[str]) -> list[tuple[str, str]]:
    """(key, reason) for replacements decided by the providers' CustomizeDiff functions."""
    out = []
    if kind == RG:
        member = bool(new.get("globalReplicationGroupId"))
        if "engine" in keys and not member:
            if (old.get("engine"), new.get("engine")) == ("redis", "valkey"):
                out.append(("engine", "in place: Redis OSS to Valkey is an online upgrade"))
            else:
                out.append(("engine", f"{old.get('engine')} -> {new.get('engine')} is not an "
                                      "in-place upgrade (only redis -> valkey is)"))
        if "engineVersion" in keys and _downgrade(old.get("engineVersion"),
                                                  new.get("engineVersion")):
            out.append(("engineVersion", "a version downgrade recreates the group"))
        if "userGroupIds" in keys and old.get("authToken") and not new.get("authToken") \
                and new.get("userGroupIds"):
            out.append(("userGroupIds", RBAC_MIGRATION))
        version = _version(new.get("engineVersion") or old.get("engineVersion"))
        if "transitEncryptionEnabled" in keys and version is not None and version[0] < 7:
            out.append(("transitEncryptionEnabled",
                        "toggling TLS below engine 7.0.5 recreates the group"))
    elif kind == CLUSTER:
        if "nodeType" in keys and (new.get("engine") or "memcached") == "memcached":
            out.append(("nodeType", "Memcached cannot scale vertically; the cluster is "
                                    "recreated"))
        if "engineVersion" in keys and _downgrade(old.get("engineVersion"),
                                                  new.get("engineVersion")):
            out.append(("engineVersion", "a version downgrade recreates the cluster"))
    elif kind == GLOBAL_RG and "engineVersion" in keys and _downgrade(
            old.get("engineVersion"), new.get("engineVersion")):
        out.append(("engineVersion", "a downgrade needs the global group and every member "
                                     "replaced (the provider refuses; -replace by hand)"))
    elif kind == GCP_REDIS and "redisVersion" in keys and _downgrade(
            old.get("redisVersion"), new.get("redisVersion")):
        out.append(("redisVersion", "a version downgrade recreates the instance"))
    return out


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
            in_place = (was["engine"], now["engine"]) == ("redis", "valkey")
            out.append({"cache": name, "change": "engine",
                        "detail": f"{was['engine']} -> {now['engine']}"
                                  + (" (in-place upgrade)" if in_place else "")})
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
