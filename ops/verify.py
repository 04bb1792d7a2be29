"""`verify`: compare the live caches with the stack's intent; one line per deviation.

Meant as a post-deploy check in CI: exit 0 when everything matches, 1 with one line per
deviation on stdout otherwise (2 on errors, like every command). What is compared:

- Valkey/Redis: status (available, or snapshotting during a backup), engine, engine version (the
  config's `8.1` matches a live `8.1.x`, `6.x` any 6), node type, cluster mode and shard count,
  node count, the member node ids (those the alarms are named after), Multi-AZ, automatic
  failover, encryption at rest (and the customer-managed KMS key when the config asks for one),
  encryption in transit in the configured mode, AUTH or the `aws.users` user group, snapshot
  retention. An auto-scaled cache matches while its shard and node counts stay within the
  `autoscaling` ranges.
- Global Datastore: found by its id suffix (the cache id); every configured region is a member
  with the id from infra.naming, no unexpected members, the primary is in the stack's region,
  each secondary exists with shards x (1 + secondary_replicas) nodes.
- Memcached: status, engine, version, node type, node count, encryption in transit.
- Serverless: status, engine, major version, the data and ECPU limits, the customer-managed KMS
  key, the user group (Valkey/Redis), snapshot retention, and at least one alarm.
- Alarms: at least one alarm named `managed-cache/<cache id>/...` and, for Valkey/Redis, at
  least one per member node (`managed-cache/<cache id>/<node id>/...`), in the stack's region;
  for a Global Datastore also at least one in each secondary region (its replication lag).
- Private DNS: each existing zone the config names (`zone_id`) is a private zone named
  `network.dns.zone`. Route 53 takes a record outside the zone's name by appending the zone's
  name to it (terraform-provider-aws route53/record.go expandRecordName), so a zone of another
  name holds the records under names nobody resolves, and `pulumi up` reports no error.
"""

from __future__ import annotations

import sys

from infra import naming
from infra.config.spec import AwsStackSpec, CacheSpec, ServerlessCacheSpec
from ops import live
from ops.clients import Clients
from ops.errors import EXIT_DEVIATIONS, EXIT_OK
from ops.failover import ROUTE53_REGION

# A replication group takes its daily backup in status `snapshotting` ("The status of the cluster
# changes to snapshotting. When the status returns to available the backup is complete", user
# guide, Creating manual backups; ReplicationGroup.Status in the API): in service, not drift.
IN_SERVICE = frozenset({"available", "snapshotting"})


def run(spec: AwsStackSpec, clients: Clients) -> int:
    deviations: list[str] = []
    for cache in spec.caches:
        if cache.is_memcached:
            found = check_memcached(cache, live.describe_memcached(clients, spec.region,
                                                                   cache.cache_id), spec.region)
        else:
            group = live.describe_group(clients, spec.region, cache.cache_id)
            found = check_group(cache, group, spec.region)
            if cache.global_ is not None:
                found += check_global(spec, cache, clients)
        prefix = live.alarm_prefix(cache.cache_id)
        found += check_alarms(cache, live.alarm_names(clients, spec.region, prefix),
                              spec.region)
        for region in cache.global_.secondary_regions if cache.global_ is not None else ():
            if not live.alarm_names(clients, region, prefix):
                found.append(f"no CloudWatch alarms named {prefix}* in {region} (replication "
                             "lag of the secondary)")
        deviations += [f"{cache.name}: {line}" for line in found]
    for serverless in spec.serverless_caches:
        found = check_serverless(serverless, live.describe_serverless(
            clients, spec.region, serverless.cache_id), spec.region)
        prefix = live.alarm_prefix(serverless.cache_id)
        if not live.alarm_names(clients, spec.region, prefix):
            found.append(f"no CloudWatch alarms named {prefix}* in {spec.region}")
        deviations += [f"{serverless.name}: {line}" for line in found]
    deviations += check_dns_zones(spec, clients)
    for line in deviations:
        print(line)
    if deviations:
        noun = "deviation" if len(deviations) == 1 else "deviations"
        print(f"{len(deviations)} {noun} from the config of stack '{spec.stack}'",
              file=sys.stderr)
        return EXIT_DEVIATIONS
    print(f"stack '{spec.stack}': {len(spec.all_caches)} cache(s) match the config")
    return EXIT_OK


def check_dns_zones(spec: AwsStackSpec, clients: Clients) -> list[str]:
    """The existing zones (`zone_id`) are private zones of the configured name."""
    if spec.dns is None or not spec.dns.zone_ids:
        return []
    route53 = clients.client("route53", ROUTE53_REGION)
    found = []
    for region, zone_id in sorted(spec.dns.zone_ids.items()):
        where = f"network.dns: zone {zone_id} ({region})"
        try:
            zone = route53.get_hosted_zone(Id=zone_id)["HostedZone"]
        except route53.exceptions.NoSuchHostedZone:
            found.append(f"{where} does not exist")
            continue
        name = zone["Name"].rstrip(".")
        if name != spec.dns.zone:
            found.append(f"{where} is named {name}, not {spec.dns.zone}: its records are "
                         f"named <cache>.{spec.dns.zone}.{name}, which clients do not ask for")
        if not zone.get("Config", {}).get("PrivateZone"):
            found.append(f"{where} is a public zone; the names must be private")
    return found


def version_matches(intended: str, live_version: str | None) -> bool:
    """'8.1' matches '8.1' and '8.1.2'; '6.x' matches any '6.*'; '1.6.22' only itself."""
    if not live_version:
        return False
    want, have = intended.split("."), live_version.split(".")
    if len(have) < len(want):
        return False
    return all(w == "x" or w == h for w, h in zip(want, have, strict=False))


def _enabled(flag: bool) -> str:
    return "enabled" if flag else "disabled"


def _check_engine_and_node_type(cache: CacheSpec, found: live.LiveGroup | live.LiveMemcached,
                                version_unread: str) -> list[str]:
    """What a replication group and a Memcached cluster are both checked for: status, engine,
    engine version (`version_unread` says why there may be none) and node type."""
    out: list[str] = []
    if found.status not in IN_SERVICE:
        out.append(f"status is {found.status}, expected available")
    if found.engine != cache.engine:
        out.append(f"engine is {found.engine}, the config says {cache.engine}")
    if found.engine_version is None:
        out.append(f"engine version could not be read ({version_unread})")
    elif not version_matches(cache.engine_version, found.engine_version):
        out.append(f"engine version is {found.engine_version}, the config says "
                   f"{cache.engine_version}")
    if found.node_type != cache.node_type.name:
        out.append(f"node type is {found.node_type}, the config says {cache.node_type.name}")
    return out


def check_group(cache: CacheSpec, group: live.LiveGroup | None, region: str) -> list[str]:
    if group is None:
        return [f"replication group {cache.cache_id} not found in {region}"]
    out = _check_engine_and_node_type(cache, group, version_unread="no member node found")
    if group.cluster_enabled != cache.cluster_mode:
        out.append(f"cluster mode is {_enabled(group.cluster_enabled)}, the config says "
                   f"{_enabled(cache.cluster_mode)}")
    elif cache.autoscaling is not None:
        out += _check_scaled_counts(cache, group)
    elif cache.cluster_mode and len(group.node_groups) != cache.shards:
        out.append(f"has {len(group.node_groups)} shards, the config says {cache.shards}")
    if cache.autoscaling is None and group.node_count != cache.nodes:
        out.append(f"has {group.node_count} nodes, the config says {cache.nodes} "
                   f"({cache.shards} shard(s) x (1 primary + {cache.replicas} replicas))")
    elif cache.autoscaling is None and group.members \
            and set(group.members) != set(cache.member_ids):
        # The per-node alarms are named after the ids the config implies (<rg>-001, ...);
        # a group that removed a given replica or was adopted may number its nodes otherwise,
        # and those alarms then watch nodes that do not exist.
        extra = sorted(set(group.members) - set(cache.member_ids))
        out.append(f"node ids {', '.join(extra)} are not the ones the config implies "
                   f"({', '.join(sorted(set(cache.member_ids) - set(group.members)))}): their "
                   "per-node alarms watch nodes that do not exist")
    if group.multi_az != _enabled(cache.multi_az):
        out.append(f"Multi-AZ is {group.multi_az}, the config says {_enabled(cache.multi_az)}")
    if group.automatic_failover != _enabled(cache.automatic_failover):
        out.append(f"automatic failover is {group.automatic_failover}, the config says "
                   f"{_enabled(cache.automatic_failover)}")
    out += _check_encryption(cache, group)
    if group.snapshot_retention != cache.snapshot_retention_days:
        out.append(f"snapshot retention is {group.snapshot_retention} days, the config says "
                   f"{cache.snapshot_retention_days}")
    return out


def _check_scaled_counts(cache: CacheSpec, group: live.LiveGroup) -> list[str]:
    """An auto-scaled cache matches while its counts stay within the scaler's ranges."""
    assert cache.autoscaling is not None
    shards, replicas = cache.autoscaling.shards, cache.autoscaling.replicas
    shard_range = (shards.min, shards.max) if shards else (cache.shards, cache.shards)
    replica_range = (replicas.min, replicas.max) if replicas else (cache.replicas, cache.replicas)
    live_shards = len(group.node_groups)
    out = []
    if not shard_range[0] <= live_shards <= shard_range[1]:
        out.append(f"has {live_shards} shards, outside the auto scaling range "
                   f"{shard_range[0]}-{shard_range[1]}")
    low, high = (live_shards * (1 + replica_range[0]), live_shards * (1 + replica_range[1]))
    if not low <= group.node_count <= high:
        out.append(f"has {group.node_count} nodes, outside {low}-{high} ({live_shards} shards x "
                   f"(1 primary + {replica_range[0]}-{replica_range[1]} replicas))")
    return out


def _check_encryption(cache: CacheSpec, group: live.LiveGroup) -> list[str]:
    out = []
    if not group.at_rest_encryption:
        out.append("encryption at rest is off")
    elif cache.kms_key_arn is not None:
        # An alias ARN is reported back as the key's ARN; only a key ARN can be compared.
        if ":alias/" in cache.kms_key_arn and group.kms_key_id is None:
            out.append(f"encrypted at rest with the AWS-owned key, the config says "
                       f"{cache.kms_key_arn}")
        elif ":alias/" not in cache.kms_key_arn and group.kms_key_id != cache.kms_key_arn:
            out.append(f"encrypted at rest with {group.kms_key_id or 'the AWS-owned key'}, "
                       f"the config says {cache.kms_key_arn}")
    elif cache.create_kms_key and group.kms_key_id is None:
        out.append("encrypted at rest with the AWS-owned key, the config asks for a "
                   "customer-managed KMS key")
    expected_mode = cache.transit_encryption_mode
    if not group.transit_encryption:
        out.append("encryption in transit is off")
    elif group.transit_encryption_mode not in (None, expected_mode):
        out.append(f"encryption in transit is in {group.transit_encryption_mode} mode, "
                   f"expected {expected_mode}" + (" (clients may connect without TLS)"
                                                  if expected_mode == "required" else ""))
    if cache.users:
        # With aws.users the group admits only its RBAC users and has no AUTH token.
        wanted = naming.user_group_id(cache.cache_id)
        if wanted not in group.user_group_ids:
            out.append(f"user group {wanted} (aws.users) is not attached"
                       + (f"; attached: {', '.join(group.user_group_ids)}"
                          if group.user_group_ids else ""))
    elif not group.auth_token_enabled:
        out.append("AUTH is off (no auth token)")
    return out


def check_global(spec: AwsStackSpec, cache: CacheSpec, clients: Clients) -> list[str]:
    assert cache.global_ is not None
    expected = live.expected_global_members(cache, spec.region)
    found = live.find_global(clients, spec.region, cache.cache_id, expected)
    if found is None:
        return [f"no Global Datastore with id suffix '{cache.cache_id}' found; the config "
                f"declares members in {', '.join(expected)}"]
    out: list[str] = []
    if found.status != "available":
        out.append(f"Global Datastore {found.id} is {found.status}, expected available")
    for region, group_id in expected.items():
        member = found.member_in(region)
        if member is None or member.group_id != group_id:
            out.append(f"{group_id} ({region}) is not a member of Global Datastore {found.id}")
        elif member.status != "associated":
            out.append(f"{group_id} ({region}) is {member.status} in Global Datastore "
                       f"{found.id}, expected associated")
    for member in found.members:
        if member.region not in expected:
            out.append(f"{member.group_id} ({member.region}) is a member of Global Datastore "
                       f"{found.id} but not in the config")
    primary = found.primary
    if primary is None:
        out.append(f"Global Datastore {found.id} has no primary member")
    elif primary.region != spec.region:
        out.append(f"the Global Datastore primary is {primary.group_id} ({primary.region}), "
                   f"the config expects {spec.region}; fail back with `python -m ops failover "
                   f"--stack {spec.stack} --cache {cache.name} --to {spec.region}`")
    nodes = cache.shards * (1 + cache.global_.secondary_replicas)
    for region in cache.global_.secondary_regions:
        group = live.describe_group(clients, region, expected[region])
        if group is None:
            out.append(f"replication group {expected[region]} not found in {region}")
            continue
        if group.status not in IN_SERVICE:
            out.append(f"{group.id} ({region}) status is {group.status}, expected available")
        if group.node_count != nodes:
            out.append(f"{group.id} ({region}) has {group.node_count} nodes, the config says "
                       f"{nodes} ({cache.shards} shard(s) x (1 + "
                       f"{cache.global_.secondary_replicas} replicas))")
    return out


def check_memcached(cache: CacheSpec, cluster: live.LiveMemcached | None,
                    region: str) -> list[str]:
    if cluster is None:
        return [f"Memcached cluster {cache.cache_id} not found in {region}"]
    out = _check_engine_and_node_type(cache, cluster, version_unread="the cluster reports none")
    if cluster.nodes != cache.nodes:
        out.append(f"has {cluster.nodes} nodes, the config says {cache.nodes}")
    elif len(cluster.node_ids) == cluster.nodes \
            and set(cluster.node_ids) != set(naming.memcached_node_ids(cache.nodes)):
        # The per-node alarms watch CacheNodeId 0001..000N; an adopted cluster whose nodes were
        # replaced may number them otherwise, and those alarms then watch nodes that do not exist.
        expected = naming.memcached_node_ids(cache.nodes)
        extra = sorted(set(cluster.node_ids) - set(expected))
        missing = sorted(set(expected) - set(cluster.node_ids))
        out.append(f"node ids {', '.join(extra)} are not the ones the config implies: the "
                   f"per-node alarms watch {', '.join(missing)}, which do not exist, and none "
                   f"watch {', '.join(extra)}")
    if not cluster.transit_encryption:
        out.append("encryption in transit is off")
    return out


def check_serverless(cache: ServerlessCacheSpec, found: live.LiveServerless | None,
                     region: str) -> list[str]:
    if found is None:
        return [f"serverless cache {cache.cache_id} not found in {region}"]
    out = []
    if found.status != "available":
        out.append(f"status is {found.status}, expected available")
    if found.engine != cache.engine:
        out.append(f"engine is {found.engine}, the config says {cache.engine}")
    if found.major_engine_version != cache.major_engine_version:
        out.append(f"major engine version is {found.major_engine_version}, the config says "
                   f"{cache.major_engine_version}")
    if found.max_data_gb != cache.max_data_gb:
        out.append(f"max data is {found.max_data_gb} GB, the config says {cache.max_data_gb}")
    if found.max_ecpu_per_second != cache.max_ecpu_per_second:
        out.append(f"max ECPU per second is {found.max_ecpu_per_second}, the config says "
                   f"{cache.max_ecpu_per_second}")
    if cache.kms_key_arn is not None and found.kms_key_id != cache.kms_key_arn:
        out.append(f"encrypted with {found.kms_key_id or 'the AWS-owned key'}, the config "
                   f"says {cache.kms_key_arn}")
    elif cache.create_kms_key and found.kms_key_id is None:
        out.append("encrypted with the AWS-owned key, the config asks for a customer-managed "
                   "KMS key")
    wanted_group = naming.user_group_id(cache.cache_id) if cache.user_group else None
    if found.user_group_id != wanted_group:
        out.append(f"user group is {found.user_group_id or 'none'}, the config says "
                   f"{wanted_group or 'none'}")
    if found.snapshot_retention != cache.snapshot_retention_days:
        out.append(f"snapshot retention is {found.snapshot_retention} days, the config says "
                   f"{cache.snapshot_retention_days}")
    return out


def check_alarms(cache: CacheSpec, names: list[str], region: str) -> list[str]:
    prefix = live.alarm_prefix(cache.cache_id)
    if not names:
        return [f"no CloudWatch alarms named {prefix}* in {region}"]
    if cache.is_memcached:
        return []
    out = []
    for member in cache.member_ids:
        node_prefix = live.alarm_prefix(cache.cache_id, member)
        if not any(name.startswith(node_prefix) for name in names):
            out.append(f"node {member} has no CloudWatch alarm ({node_prefix}*)")
    return out
