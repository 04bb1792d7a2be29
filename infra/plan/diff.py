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
    AWS_KMS_ALIAS,
    AWS_PARAMETER_GROUP,
    AWS_REPLICATION_GROUP,
    AWS_ROUTE53_RECORD,
    AWS_ROUTE53_ZONE,
    AWS_ROUTE53_ZONE_ASSOCIATION,
    AWS_SECRET,
    AWS_SERVERLESS_CACHE,
    AWS_SUBNET,
    AWS_SUBNET_GROUP,
    AWS_USER,
    AWS_USER_GROUP,
    GCP_MEMCACHED,
    GCP_PROJECT_IAM_MEMBER,
    GCP_VALKEY,
)
from infra.plan.conditions import Context, holds
from infra.plan.secrets import UNKNOWN

PROVIDER_REGION = "(provider region)"

# A group moving from its AUTH token to RBAC users: the provider sends one ModifyReplicationGroup
# with UserGroupIdsToAdd and AuthTokenUpdateStrategy=DELETE ("DELETE - allowed only when
# transitioning to RBAC", ElastiCache API; terraform-provider-aws replication_group.go
# resourceReplicationGroupUpdate): no replacement, but the token stops working.
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

    context = Context(old_global=_global_caches(old), new_global=_global_caches(new))
    changed = []
    rejected, name_notes = _unique_names(gone, came)
    rejected += _zone_swaps(gone, came)
    rejected += _regranted_members(gone, came)
    rejected += _valkey_secondary_swaps(gone, came, new)
    existing_vpc_rejected, existing_vpc_notes = _existing_vpc_zone_changes(old, new, came)
    rejected += existing_vpc_rejected
    name_notes += existing_vpc_notes
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
    notes = name_notes + [_subnet_note(res) for res in gone if res["type"] == AWS_SUBNET
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


def _engines(entry: dict[str, Any]) -> tuple[Any, Any] | None:
    change = entry["changes"].get("engine")
    return None if change is None else (change["old"], change["new"])


def _note_engine_switch_order(changed: list[dict[str, Any]]) -> None:
    """ENGINE_SWITCH_ORDER on the user group of each cache moving from Redis OSS to Valkey in
    place, naming the parameter group and cache to update first."""
    moving = {c["cache"]: c for c in changed
              if c["type"] in (AWS_REPLICATION_GROUP, AWS_SERVERLESS_CACHE)
              and not c["replace"] and _engines(c) == ("redis", "valkey")}
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
    membership = sorted(set(keys) & MEMBERSHIP_KEYS.get(after["type"], frozenset()))
    if membership:
        notes.append("cross-region membership changes: " + ", ".join(membership))
    # A replaced resource is a new one: what its old self would refuse does not apply.
    rejected = [] if replace_keys else [_refusal(after, key, fact) for key, fact in refusals]
    return {"urn": after["urn"], "type": after["type"], "name": after["name"],
            "cache": after["cache"], "keys": sorted(changes), "changes": changes,
            "replace": bool(replace_keys), "replace_keys": replace_keys,
            "data_holding": after["data_holding"], "notes": notes, "rejected": rejected}


def _refusal(res: dict[str, Any], key: str, fact: Fact) -> dict[str, Any]:
    reason = fact.reason
    if fact.kind == "cloud_owned":
        reason = (f"{key} is owned by the cloud here ({when.CONDITIONS[fact.condition]}) but "
                  f"the resource does not ignore it: {fact.reason}")
    return {"type": res["type"], "name": res["name"], "urn": res["urn"], "cache": res["cache"],
            "key": key, "outcome": "rejected" if fact.kind == "cloud_owned" else fact.outcome,
            "condition": when.CONDITIONS[fact.condition], "reason": reason,
            "source": fact.source}


# Names a cloud keeps unique per region, per resource type: the input that holds the name, what
# the cloud answers a second resource of that name, how to take the change instead, and the
# source. A resource that keeps its name under a new URN is created before the old one is
# deleted (Pulumi's default order), so the create is refused.
UNIQUE_NAMES: dict[str, tuple[str, str, str, str]] = {
    AWS_SECRET: (
        "name", "Secrets Manager refuses a second secret of that name",
        "Take it in two updates: turn the cache's `secret` off in one `pulumi up`, delete the "
        "name for good (`aws secretsmanager delete-secret --secret-id {name} "
        "--force-delete-without-recovery`), then turn it on again.",
        "https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_DeleteSecret.html; "
        "terraform-provider-aws secretsmanager/secret.go resourceSecretCreate retries the error "
        "for two minutes only"),
    AWS_KMS_ALIAS: (
        "name", "KMS refuses a second alias of that name (AlreadyExistsException)",
        "Take it in two updates: remove the cache in one `pulumi up` (its key stays, the alias "
        "goes), then add it back; if its connection secret had a recovery window, delete that "
        "name for good in between (see the notes).",
        "https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateAlias.html"),
    # A cache with aws.users moved between a replication group and a serverless cache keeps its
    # users' and group's ids (<cache id>-<user>, <cache id>-users) under new parents.
    AWS_USER: (
        "userId", "ElastiCache refuses a second user of that id (UserAlreadyExistsFault)",
        "Take it in two updates: remove the cache in one `pulumi up` (its users go with it), "
        "then add it back in its new form.",
        "https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_CreateUser.html"),
    AWS_USER_GROUP: (
        "userGroupId", "ElastiCache refuses a second user group of that id "
        "(UserGroupAlreadyExistsFault)",
        "Take it in two updates: remove the cache in one `pulumi up` (its user group goes with "
        "it), then add it back in its new form.",
        "https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/"
        "API_CreateUserGroup.html"),
}
# Secrets Manager's default recovery window, where a plan carries none.
DEFAULT_RECOVERY_DAYS = 30


def _unique_names(gone: list[dict[str, Any]], came: list[dict[str, Any]]
                  ) -> tuple[list[dict[str, Any]], list[str]]:
    """REJECTED for each name kept under a new URN (UNIQUE_NAMES), and a note for each deleted
    AWS secret whose name stays reserved for its recovery window ("You can't create a secret
    with the same name as a secret scheduled for deletion", DeleteSecret API). Names not known
    in the plan (None, or unknown in a --preview plan) are passed over."""
    def named(res: dict[str, Any]) -> str | None:
        name = res["inputs"].get(UNIQUE_NAMES[res["type"]][0])
        return name if isinstance(name, str) and name != UNKNOWN else None

    def key(res: dict[str, Any]) -> tuple[Any, Any, Any]:
        return res["type"], res.get("provider_region"), named(res)

    recreated = {key(r) for r in came if r["type"] in UNIQUE_NAMES and named(r)}
    rejected, notes = [], []
    for res in gone:
        if res["type"] not in UNIQUE_NAMES or not (name := named(res)):
            continue
        name_input, refusal, remedy, source = UNIQUE_NAMES[res["type"]]
        if key(res) in recreated:
            rejected.append({
                "type": res["type"], "name": res["name"], "urn": res["urn"],
                "cache": res["cache"], "key": name_input, "outcome": "rejected",
                "condition": "the same name under a new URN",
                "reason": f"'{name}' is created under a new URN before the old one is deleted, "
                          f"and {refusal}. " + remedy.format(name=name),
                "source": source})
            continue
        days = res["inputs"].get("recoveryWindowInDays", DEFAULT_RECOVERY_DAYS)
        if res["type"] == AWS_SECRET and days:
            where = f" ({res['provider_region']})" if res.get("provider_region") else ""
            notes.append(f"secret '{name}'{where} is deleted with a {days}-day recovery window: "
                         "the name cannot be used again until then. To bring it back sooner, "
                         "`aws secretsmanager restore-secret` and `pulumi import` it, or delete "
                         "it for good with `--force-delete-without-recovery`.")
    return rejected, notes


# In-place updates that empty a cache: a Memcached version upgrade. AWS: "Upgrading to a newer
# Memcached version is a destructive process - you lose your data and start with a cold
# cache" (ElastiCache for Memcached, Version management); GCP: "The Memcached instance
# undergoes a complete cache flush during a version upgrade operation" (Memorystore for
# Memcached, About upgrading the Memcached version). A downgrade replaces (provider facts).
_EMPTYING_UPDATES = {AWS_CLUSTER: ("engineVersion",), GCP_MEMCACHED: ("memcacheVersion",)}


# A region's VPC moving between the stack's own zone and an existing one (network.dns.zone_id
# added or removed): what comes, what goes, and the input that binds the VPC.
_ZONE_SWAPS = (
    (AWS_ROUTE53_ZONE_ASSOCIATION, AWS_ROUTE53_ZONE, "vpcId",
     "the existing zone is associated with the VPC while the stack's own zone of the same name "
     "still is"),
    (AWS_ROUTE53_ZONE, AWS_ROUTE53_ZONE_ASSOCIATION, "vpcs",
     "the stack's new zone is created for the VPC while the existing zone of the same name is "
     "still associated with it"),
)


def _zone_swaps(gone: list[dict[str, Any]], came: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """REJECTED for each region whose VPC changes private zone in one update. Pulumi creates
    before it deletes, and Route 53 refuses a second private zone of one name on a VPC
    (ConflictingDomainExists), so the update stops halfway."""
    rejected = []
    for new_type, old_type, key, order in _ZONE_SWAPS:
        leaving = {r.get("provider_region") for r in gone if r["type"] == old_type}
        for res in came:
            if res["type"] != new_type or res.get("provider_region") not in leaving:
                continue
            rejected.append({
                "type": res["type"], "name": res["name"], "urn": res["urn"],
                "cache": res["cache"], "key": key, "outcome": "rejected",
                "condition": "the region's VPC changes private zone in one update",
                "reason": f"{order}, and Route 53 refuses two private zones of one name on a "
                          "VPC. Take it in two updates: remove `network.dns` and `pulumi up` "
                          "(the names stop resolving until the next update), then set it with "
                          "or without zone_id and `pulumi up` again.",
                "source": "https://docs.aws.amazon.com/Route53/latest/APIReference/"
                          "API_AssociateVPCWithHostedZone.html and API_CreateHostedZone.html "
                          "(ConflictingDomainExists)"})
    return rejected


def _regranted_members(gone: list[dict[str, Any]], came: list[dict[str, Any]]
                       ) -> list[dict[str, Any]]:
    """NOT APPLIED for a project IAM member kept with the same inputs under a new URN: Pulumi
    adds it (a no-op) before it deletes the old one, and the provider's delete takes the member
    out of the role (tpgiamresource/resource_iam_member.go, resourceIamMemberDelete:
    subtractFromBindings), so the grant is gone while the state says it exists. Key grants are
    left alone: they are retained on delete (components/gcp/cmek.py)."""
    def grant(res: dict[str, Any]) -> tuple[Any, ...]:
        # A project's IAM policy has no region: the provider's does not matter.
        return res["type"], sorted(res["inputs"].items())

    # An aliased one keeps the old resource (Pulumi adopts its URN): nothing is deleted. The
    # moves above pair only a same-named alias; a renamed binding aliases the old name.
    kept = [grant(r) for r in came if r["type"] == GCP_PROJECT_IAM_MEMBER and not r["aliased"]]
    return [{"type": res["type"], "name": res["name"], "urn": res["urn"], "cache": res["cache"],
             "key": "member", "outcome": "not applied",
             "condition": "the same grant under a new URN",
             "reason": f"{res['inputs'].get('member')} keeps {res['inputs'].get('role')} under a "
                       "new URN: the new binding is added first (it exists already), then "
                       "deleting the old one removes the member from the role, so `pulumi up` "
                       "succeeds and the grant is gone. Run `pulumi up --refresh` right after "
                       "(it adds it back), or give the new resource an alias.",
             "source": "hashicorp/terraform-provider-google-beta google-beta/tpgiamresource/"
                       "resource_iam_member.go (resourceIamMemberDelete)"}
            for res in gone if res["type"] == GCP_PROJECT_IAM_MEMBER and grant(res) in kept]


# "You can have up to two secondary instances" (Memorystore for Valkey,
# about-cross-region-replication).
VALKEY_MAX_SECONDARIES = 2


def _is_valkey_secondary(res: dict[str, Any]) -> bool:
    config = res["inputs"].get("crossInstanceReplicationConfig")
    return res["type"] == GCP_VALKEY and isinstance(config, dict) \
        and config.get("instanceRole") == "SECONDARY"


def _valkey_secondary_swaps(gone: list[dict[str, Any]], came: list[dict[str, Any]],
                            new: dict[str, Any]) -> list[dict[str, Any]]:
    """REJECTED for a Valkey secondary added in the update that removes another, when the two
    would pass Memorystore's limit while both exist: Pulumi creates before it deletes."""
    rejected = []
    for res in came:
        if not _is_valkey_secondary(res):
            continue
        leaving = [r for r in gone if _is_valkey_secondary(r) and r["cache"] == res["cache"]]
        kept = [r for r in new.get("resources", []) if _is_valkey_secondary(r)
                and r["cache"] == res["cache"]]
        if leaving and len(kept) + len(leaving) > VALKEY_MAX_SECONDARIES:
            rejected.append({
                "type": res["type"], "name": res["name"], "urn": res["urn"],
                "cache": res["cache"], "key": "crossInstanceReplicationConfig",
                "outcome": "rejected",
                "condition": "a secondary region replaces another in one update",
                "reason": "Pulumi creates the new secondary before it deletes the old one, and "
                          "Memorystore for Valkey allows two secondaries, so the create is "
                          "refused. Take it in two updates: remove the old region and `pulumi "
                          "up`, then add the new one and `pulumi up` again.",
                "source": "https://cloud.google.com/memorystore/docs/valkey/"
                          "about-cross-region-replication (\"You can have up to two secondary "
                          "instances\")"})
    return rejected


def _regions(plan: dict[str, Any], type_: str) -> set[str | None]:
    return {r.get("provider_region") for r in plan.get("resources", []) if r["type"] == type_}


def _existing_vpc_zone_changes(old: dict[str, Any], new: dict[str, Any],
                               came: list[dict[str, Any]]
                               ) -> tuple[list[dict[str, Any]], list[str]]:
    """network.dns.zone_id added or removed for a region whose VPC exists (`vpc_id`): the stack
    made no association there, the zone's owner did, so the swap is the owner's to order.
    Removed: the stack's new zone is created for the VPC while the owner's zone of the same
    name is still on it, which Route 53 refuses. Added: the stack's zone goes, and the names
    resolve again only once the owner associates theirs (refused while the stack's was on)."""
    with_records = _regions(old, AWS_ROUTE53_RECORD), _regions(new, AWS_ROUTE53_RECORD)
    zones = _regions(old, AWS_ROUTE53_ZONE), _regions(new, AWS_ROUTE53_ZONE)
    associated = _regions(old, AWS_ROUTE53_ZONE_ASSOCIATION) | \
        _regions(new, AWS_ROUTE53_ZONE_ASSOCIATION)
    rejected = []
    for res in came:
        region = res.get("provider_region")
        if res["type"] == AWS_ROUTE53_ZONE and region in with_records[0] - zones[0] - associated:
            rejected.append({
                "type": res["type"], "name": res["name"], "urn": res["urn"],
                "cache": res["cache"], "key": "vpcs", "outcome": "rejected",
                "condition": "network.dns.zone_id removed for a region whose VPC exists",
                "reason": "the stack's new zone is created for the VPC while the existing zone "
                          "of the same name is still associated with it (its owner did that), "
                          "and Route 53 refuses two private zones of one name on a VPC. Have "
                          "the owner disassociate their zone from the VPC (`aws route53 "
                          "disassociate-vpc-from-hosted-zone`) right before `pulumi up`; the "
                          "names do not resolve in between.",
                "source": "https://docs.aws.amazon.com/Route53/latest/APIReference/"
                          "API_CreateHostedZone.html (ConflictingDomainExists)"})
    notes = [f"private zone ({region}): with network.dns.zone_id the stack's own zone is "
             "deleted and the names stop resolving until the existing zone's owner associates "
             "it with the VPC, which Route 53 refuses while the stack's zone is still on it: "
             "associate it right after this `pulumi up`."
             for region in sorted(zones[0] - zones[1] - associated, key=str)
             if region in with_records[1]]
    return rejected, notes


def _subnet_note(subnet: dict[str, Any]) -> str:
    """A subnet leaving a cache subnet group (fewer network.availability_zones): the group drops
    it in place (terraform-provider-aws elasticache/subnet_group.go), then EC2 deletes it, which
    it refuses while a network interface is in it ("You must terminate all running instances in
    the subnet before you can delete the subnet", EC2 DeleteSubnet API)."""
    return (f"subnet '{subnet['name']}' ({subnet.get('provider_region')}) leaves the cache "
            "subnet group and is deleted: EC2 refuses to delete a subnet that still holds a "
            "network interface, so `pulumi up` fails while a cache node sits in it. Move the "
            "nodes out first (fewer replicas, or a new cache), or keep "
            "network.availability_zones.")


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
