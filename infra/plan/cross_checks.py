"""Checks of a plan diff that look across resources rather than at one resource's inputs:
what Pulumi's order (create the new resource before deleting the old, update before deleting)
does to names a cloud keeps unique, to private zones, IAM grants, Valkey secondaries, a
primary leaving its Global Datastore and a GCP network's ranges; what deleting a subnet or an
auto scaling target hands back. infra/plan/diff.py calls them with the resources that left
the plan (`gone`), came into it (`came`), or both plans."""

from __future__ import annotations

import ipaddress
from typing import Any

from components.aws.autoscaling import SCALABLE_DIMENSION
from components.resource_types import (
    AWS_DASHBOARD,
    AWS_GLOBAL_REPLICATION_GROUP,
    AWS_KMS_ALIAS,
    AWS_METRIC_ALARM,
    AWS_REPLICATION_GROUP,
    AWS_ROUTE53_RECORD,
    AWS_ROUTE53_ZONE,
    AWS_ROUTE53_ZONE_ASSOCIATION,
    AWS_SCALING_TARGET,
    AWS_SECRET,
    AWS_SNS_TOPIC,
    AWS_USER,
    AWS_USER_GROUP,
    GCP_GLOBAL_ADDRESS,
    GCP_MEMCACHED,
    GCP_PROJECT_IAM_MEMBER,
    GCP_REDIS,
    GCP_SUBNETWORK,
    GCP_VALKEY,
)
from infra.plan.conditions import Context
from infra.plan.secrets import UNKNOWN

# Names a cloud keeps unique per region, per resource type: the input that holds the name, what
# the cloud answers a second resource of that name, how to take the change instead, and the
# source. A resource that keeps its name under a new URN is created before the old one is
# deleted (Pulumi's default order), so the create is refused, or takes the live one over
# (NAME_TAKEN_OVER), which the delete then removes.
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
    # The stack's topics are per region and prefix: a new URN comes only from a program change.
    AWS_SNS_TOPIC: (
        "name", "pulumi-aws refuses to create a topic whose name exists (SNS's CreateTopic "
        "would hand back the live topic, which the old URN's delete would then remove)",
        "Keep the topic's URN: give it an alias to the old one in the program.",
        "https://github.com/pulumi/pulumi-aws/pull/3809; https://docs.aws.amazon.com/sns/latest/"
        "api/API_CreateTopic.html (\"This action is idempotent\")"),
    # CloudWatch does not refuse: PutMetricAlarm and PutDashboard create or replace, and the
    # provider creates with them (the outcome is NOT APPLIED, see NAME_TAKEN_OVER).
    AWS_METRIC_ALARM: (
        "name", "CloudWatch's PutMetricAlarm replaces the live alarm of that name instead "
        "of refusing, then the old URN's delete removes it: the stack ends without the alarm "
        "while its state lists it",
        "Keep the alarm's URN: give it an alias to the old one in the program, or a new name.",
        "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/"
        "API_PutMetricAlarm.html (\"Creates or updates an alarm\"); terraform-provider-aws "
        "cloudwatch/metric_alarm.go creates with PutMetricAlarm"),
    AWS_DASHBOARD: (
        "dashboardName", "CloudWatch's PutDashboard replaces the live dashboard of that name "
        "instead of refusing, then the old URN's delete removes it: the stack ends without the "
        "dashboard while its state lists it",
        "Keep the dashboard's URN: give it an alias to the old one in the program, or a new "
        "name.",
        "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/"
        "API_PutDashboard.html (\"Creates a dashboard if it does not already exist, or updates "
        "an existing dashboard\"); terraform-provider-aws cloudwatch/dashboard.go"),
}
# Types whose create takes over a live resource of the name rather than failing: the update
# succeeds and the resource is gone after it.
NAME_TAKEN_OVER = frozenset({AWS_METRIC_ALARM, AWS_DASHBOARD})
# Secrets Manager's default recovery window, where a plan carries none.
DEFAULT_RECOVERY_DAYS = 30


def unique_names(gone: list[dict[str, Any]], came: list[dict[str, Any]]
                 ) -> tuple[list[dict[str, Any]], list[str]]:
    """REJECTED (or NOT APPLIED, for a name the cloud takes over: NAME_TAKEN_OVER) for each
    name kept under a new URN (UNIQUE_NAMES), and a note for each deleted
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
                "cache": res["cache"], "key": name_input,
                "outcome": "not applied" if res["type"] in NAME_TAKEN_OVER else "rejected",
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


def zone_swaps(gone: list[dict[str, Any]], came: list[dict[str, Any]]) -> list[dict[str, Any]]:
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


def regranted_members(gone: list[dict[str, Any]], came: list[dict[str, Any]]
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


def valkey_secondary_swaps(gone: list[dict[str, Any]], came: list[dict[str, Any]],
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


def existing_vpc_zone_changes(old: dict[str, Any], new: dict[str, Any],
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


def subnet_note(subnet: dict[str, Any]) -> str:
    """A subnet leaving a cache subnet group (fewer network.availability_zones): the group drops
    it in place (terraform-provider-aws elasticache/subnet_group.go), then EC2 deletes it, which
    it refuses while a network interface is in it ("You must terminate all running instances in
    the subnet before you can delete the subnet", EC2 DeleteSubnet API)."""
    return (f"subnet '{subnet['name']}' ({subnet.get('provider_region')}) leaves the cache "
            "subnet group and is deleted: EC2 refuses to delete a subnet that still holds a "
            "network interface, so `pulumi up` fails while a cache node sits in it. Move the "
            "nodes out first (fewer replicas, or a new cache), or keep "
            "network.availability_zones.")


# The replication group input and config key each scaled dimension hands back.
_SCALED_COUNTS = {SCALABLE_DIMENSION["shards"]: ("numNodeGroups", "shards"),
                  SCALABLE_DIMENSION["replicas"]: ("replicasPerNodeGroup", "replicas")}


def scaling_handed_back(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """A note for each scaled dimension of a group that stays while its scalable target goes
    (`autoscaling` or one of its dimensions removed). The group stops ignoring the count
    (components/aws/autoscaling.py `scaler_owned`), and the provider resizes whenever the count
    differs from its state (replication_group.go resourceReplicationGroupUpdate:
    HasChanges("num_node_groups", "replicas_per_node_group")). The state holds the live count
    once refreshed or read back after any update of the group, so the next such `pulumi up`
    moves a scaled group back to the configured count: a reshard or scale-in, under load."""
    def targets(plan: dict[str, Any]) -> set[tuple[Any, Any, Any]]:
        return {(r.get("provider_region"), r["inputs"].get("resourceId"),
                 r["inputs"].get("scalableDimension"))
                for r in plan.get("resources", []) if r["type"] == AWS_SCALING_TARGET}

    groups = {(r.get("provider_region"), "replication-group/" + str(r["inputs"].get(
        "replicationGroupId"))): r for r in new.get("resources", [])
        if r["type"] == AWS_REPLICATION_GROUP}
    notes = []
    for region, resource_id, dimension in sorted(targets(old) - targets(new), key=str):
        group = groups.get((region, resource_id))
        if group is None or dimension not in _SCALED_COUNTS:
            continue
        count_input, config_key = _SCALED_COUNTS[dimension]
        notes.append(
            f"{group['cache']}: auto scaling of {config_key} is removed, so the group's "
            f"{config_key} count is the config's again ({config_key}: "
            f"{group['inputs'].get(count_input)}). The next `pulumi up` that reads the live "
            "count (`pulumi refresh`, `--refresh`, or any change to the group) resizes the "
            "group back to it, a reshard or scale-in under load if the scaler had moved it. "
            f"Set {config_key} to the live count first (`python -m ops status`).")
    return notes


def primaries_leaving_global(pairs: list[tuple[dict[str, Any], dict[str, Any]]],
                             gone: list[dict[str, Any]], context: Context
                             ) -> list[dict[str, Any]]:
    """REJECTED for a primary that leaves its Global Datastore (`global:` removed) and so stops
    ignoring auto minor version upgrade, which AWS switched off when it joined
    (components/provider_facts.py, GLOBAL_MEMBER). The provider reads the live value into its
    state, so the update sends the config's value again; Pulumi deletes what left the program
    (the secondaries, the global group) only after every update, so ModifyReplicationGroup
    reaches a group that is still a member, and AWS rejects it. Every later `pulumi up` stops
    at the same update, and the deletes never come."""
    rejected = []
    for before, after in pairs:
        cache = after["cache"]
        if after["type"] != AWS_REPLICATION_GROUP or cache not in context.old_global \
                or cache in context.new_global \
                or "autoMinorVersionUpgrade" not in before.get("ignore_changes", ()) \
                or "autoMinorVersionUpgrade" in after.get("ignore_changes", ()) \
                or after["inputs"].get("autoMinorVersionUpgrade") is False:
            continue
        targets = " ".join(f"--target '{r['urn']}'" for r in gone
                           if r["type"] == AWS_GLOBAL_REPLICATION_GROUP and r["cache"] == cache)
        rejected.append({
            "type": after["type"], "name": after["name"], "urn": after["urn"], "cache": cache,
            "key": "autoMinorVersionUpgrade", "outcome": "rejected",
            "condition": "the primary leaves its Global Datastore",
            "reason": "the group leaves its Global Datastore in this update and stops ignoring "
                      "auto minor version upgrade, which AWS turned off when it joined; the "
                      "update turns it on again before the secondaries and the global group "
                      "are deleted (Pulumi deletes last), and AWS rejects a modification of a "
                      "member. Delete the Global Datastore first: `pulumi destroy "
                      f"{targets} --target-dependents` (the global group and the secondaries "
                      "with what depends on them; the primary stays; in production lift their "
                      "`protect` first with `pulumi state unprotect`), then `pulumi refresh` "
                      "and `pulumi up`.",
            "source": "https://github.com/hashicorp/terraform-provider-aws/issues/24919 (AWS "
                      "turns it off on members); replication_group.go resourceReplicationGroup"
                      "Update (HasChange auto_minor_version_upgrade); Pulumi runs deletes "
                      "after creates and updates"})
    return rejected


def _same_vpc_cidr(old: str | None, new: str | None) -> bool:
    """Two subnet ranges carved from one vpc_cidr (each is 1/16 of it, subnet_cidrs)."""
    if old is None or new is None:
        return False
    before, after = ipaddress.ip_network(old), ipaddress.ip_network(new)
    return before.prefixlen == after.prefixlen and before.supernet(prefixlen_diff=4) == \
        after.supernet(prefixlen_diff=4)


def gcp_ranges_moved(pairs: list[tuple[dict[str, Any], dict[str, Any]]],
                     old: dict[str, Any]) -> list[dict[str, Any]]:
    """REJECTED for a GCP network range the config moves under live caches.

    `network.vpc_cidr`: each subnet ignores its range after creation (components/gcp/network.py
    `SUBNET_RANGE`: a range that does not contain the old one replaces the subnet, where the
    Valkey endpoints are), so the change would reach only the firewall rules, which would then
    cover a range no subnet uses. `network.gcp.psa_range` / `psa_prefix_length`: the private
    services range is ForceNew (compute/resource_compute_global_address.go) and replaced delete
    first (its name is fixed), while Memorystore for Redis and Memcached instances hold
    addresses in it; they ignore their own range, and the servicenetworking connection names
    the range, not its addresses."""
    producers = sorted({r["cache"] for r in old.get("resources", [])
                        if r["type"] in (GCP_REDIS, GCP_MEMCACHED) and r["cache"]})
    rejected = []
    for before, after in pairs:
        was, now = before["inputs"], after["inputs"]
        outcome = "rejected"
        if after["type"] == GCP_SUBNETWORK and was.get("ipCidrRange") != now.get("ipCidrRange") \
                and _same_vpc_cidr(was.get("ipCidrRange"), now.get("ipCidrRange")):
            # vpc_cidr kept: a region before this one left the list (subnet_cidrs hands out
            # ranges by position). The update succeeds; the next region added may not.
            key, outcome, reason = "ipCidrRange", "not applied", (
                f"a region before this one left the list, which moves this subnet's range to "
                f"{now.get('ipCidrRange')} in the config, but the subnet keeps "
                f"{was.get('ipCidrRange')} (fixed at creation). A region added later is given "
                f"a range by its position and can be given {was.get('ipCidrRange')}, which "
                "Google refuses as an overlapping subnet (docs/cloud-rules.md).")
        elif after["type"] == GCP_SUBNETWORK and was.get("ipCidrRange") != now.get("ipCidrRange"):
            key, reason = "ipCidrRange", (
                f"network.vpc_cidr changed, but the subnet keeps {was.get('ipCidrRange')}: a "
                "range that does not contain the old one replaces a subnet, and the caches' "
                "endpoints are in it, so the stack never moves it. Only the firewall rules "
                "would follow the new range, away from the subnets. Keep vpc_cidr; to move to "
                "another range, create the caches on a new network.")
        elif after["type"] == GCP_GLOBAL_ADDRESS and producers and (
                was.get("prefixLength") != now.get("prefixLength")
                or now.get("address") is not None and was.get("address") != now.get("address")):
            # The range's replacing facts (provider_facts_gcp): prefixLength always, address
            # only when one is sent (left out, the allocated one stays).
            key, reason = "address", (
                "the private services range moves, and Google replaces it (delete first) "
                f"while {', '.join(producers)} hold addresses in it; they keep them, outside "
                "the range the network then declares. Keep psa_range and psa_prefix_length; "
                "to move, remove those caches in one `pulumi up` (their data goes), then "
                "change the range.")
        else:
            continue
        rejected.append({
            "type": after["type"], "name": after["name"], "urn": after["urn"],
            "cache": after["cache"], "key": key, "outcome": outcome,
            "condition": "a network range moved under live caches", "reason": reason,
            "source": "terraform-provider-google compute/resource_compute_subnetwork.go "
                      "(ip_cidr_range ForceNewIfChange IsShrinkageIpCidr), "
                      "compute/resource_compute_global_address.go (address, prefix_length "
                      "ForceNew)"})
    return rejected
