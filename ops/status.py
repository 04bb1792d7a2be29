"""`status`: each cache's live state as a table, Global Datastore members with their roles.

Read-only. A cache that does not exist shows `not found`; a member region that cannot be
reached shows why instead of failing the whole table, and a Global Datastore is looked up from
another member region when the home region does not answer (useful during a regional outage).
"""

from __future__ import annotations

from botocore.exceptions import BotoCoreError, ClientError

from infra.config.spec import AwsStackSpec, CacheSpec
from ops import live
from ops.clients import Clients
from ops.errors import EXIT_OK, explain
from ops.table import format_table, yes_no

HEADER = ("CACHE", "REGION", "ROLE", "ID", "STATUS", "ENGINE", "NODE TYPE", "NODES",
          "AT REST", "IN TRANSIT", "AUTH", "ENDPOINT")


def run(spec: AwsStackSpec, clients: Clients) -> int:
    rows: list[tuple[str, ...]] = []
    notes: list[str] = []
    for cache in spec.caches:
        if cache.is_memcached:
            rows.append(_memcached_row(cache, live.describe_memcached(clients, spec.region,
                                                                      cache.cache_id),
                                       spec.region))
        elif cache.global_ is not None:
            rows += _global_rows(spec, cache, clients, notes)
        else:
            group = live.describe_group(clients, spec.region, cache.cache_id)
            rows.append(_group_row(cache.name, spec.region, "-", cache.cache_id, group))
    for serverless in spec.serverless_caches:
        rows.append(_serverless_row(serverless.name, serverless.cache_id, live.describe_serverless(
            clients, spec.region, serverless.cache_id), spec.region))
    print(f"stack {spec.stack} ({spec.profile}, {spec.region})")
    print(format_table(HEADER, rows))
    for note in notes:
        print(note)
    return EXIT_OK


def _group_row(name: str, region: str, role: str, group_id: str,
               group: live.LiveGroup | None) -> tuple[str, ...]:
    if group is None:
        return (name, region, role, group_id, "not found", *("-",) * 7)
    nodes = str(group.node_count)
    if group.cluster_enabled:
        nodes += f" ({len(group.node_groups)} shards)"
    return (name, region, role, group.id, group.status,
            f"{group.engine or '?'} {group.engine_version or '?'}", group.node_type or "?",
            nodes, yes_no(group.at_rest_encryption), yes_no(group.transit_encryption),
            "RBAC" if group.user_group_ids else yes_no(group.auth_token_enabled),
            group.endpoint or "-")


def _memcached_row(cache: CacheSpec, cluster: live.LiveMemcached | None,
                   region: str) -> tuple[str, ...]:
    if cluster is None:
        return (cache.name, region, "-", cache.cache_id, "not found", *("-",) * 7)
    return (cache.name, region, "-", cluster.id, cluster.status,
            f"{cluster.engine or '?'} {cluster.engine_version or '?'}", cluster.node_type or "?",
            str(cluster.nodes), "n/a", yes_no(cluster.transit_encryption), "n/a",
            cluster.endpoint or "-")


def _serverless_row(name: str, cache_id: str, found: live.LiveServerless | None,
                    region: str) -> tuple[str, ...]:
    if found is None:
        return (name, region, "-", cache_id, "not found", *("-",) * 7)
    # Serverless caches are always encrypted at rest and in transit, and admit RBAC users only
    # (Valkey/Redis); NODES shows the usage limits instead.
    return (name, region, "serverless", found.name, found.status,
            f"{found.engine or '?'} {found.major_engine_version or '?'}", "-",
            f"{found.max_data_gb} GB, {found.max_ecpu_per_second} ECPU/s", "yes", "yes",
            "RBAC" if found.user_group_id else "-", found.endpoint or "-")


def _find_global(clients: Clients, cache: CacheSpec, expected: dict[str, str],
                 notes: list[str]) -> tuple[live.LiveGlobal | None, str]:
    """The cache's Global Datastore (`expected`: its members, region -> group id, the home
    region first) as the first member region that answers sees it, and that
    region: the home region first, the others when it does not answer (the outage a failover
    is for). When no region answers, the home region's error."""
    errors: list[BaseException] = []
    for region in expected:
        try:
            return live.find_global(clients, region, cache.cache_id, expected), region
        except (ClientError, BotoCoreError) as err:
            errors.append(err)
            notes.append(f"{cache.name}: {region} did not answer: {explain(err)}")
    raise errors[0]


def _global_rows(spec: AwsStackSpec, cache: CacheSpec, clients: Clients,
                 notes: list[str]) -> list[tuple[str, ...]]:
    expected = live.expected_global_members(cache, spec.region)
    found, seen_from = _find_global(clients, cache, expected, notes)
    if found is None:
        notes.append(f"{cache.name}: no Global Datastore with id suffix '{cache.cache_id}' "
                     "was found")
        members = [(region, group_id, "-") for region, group_id in expected.items()]
    else:
        primary = found.primary
        notes.append(f"{cache.name}: Global Datastore {found.id} is {found.status}; primary "
                     f"{primary.region if primary else 'none'}")
        ordered = sorted(found.members, key=lambda m: (not m.is_primary, m.region))
        members = [(m.region, m.group_id,
                    m.role if m.status == "associated" else f"{m.role} ({m.status})")
                   for m in ordered]
        members += [(region, group_id, "not a member") for region, group_id in expected.items()
                    if found.member_in(region) is None]
    rows: list[tuple[str, ...]] = []
    for region, group_id, role in members:
        try:
            group = live.describe_group(clients, region, group_id)
        except (ClientError, BotoCoreError) as err:
            if region == seen_from:
                raise
            rows.append((cache.name, region, role, group_id, f"unreachable: {explain(err)}",
                         *("-",) * 7))
            continue
        rows.append(_group_row(cache.name, region, role, group_id, group))
    return rows
