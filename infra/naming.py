"""Physical names that respect each service's length and character rules.

Names are derived from config only (never from computed outputs) so that member ids, alarm
dimensions and DNS names are known at preview time.
"""

from __future__ import annotations

import re

# Alarm names live with the component that creates the alarms (components may not import
# infra); re-exported here with every other physical name.
from components.naming import alarm_name as alarm_name
from components.naming import alarm_prefix as alarm_prefix
from components.naming import app_user_id as app_user_id
from components.naming import default_user_id as default_user_id
from components.naming import gcp_key_grant_label as gcp_key_grant_label
from components.naming import user_group_id as user_group_id

# ElastiCache replication group / cache cluster ids: 1-40 chars, letters, digits and hyphens,
# starting with a letter, no "--" and no trailing "-"; stored lowercase (docs/cloud-rules.md).
REPLICATION_GROUP_ID_MAX = 40
# A Memcached cluster id may be 50: CreateCacheCluster "A name must contain from 1 to 50
# alphanumeric characters or hyphens" (botocore's ElastiCache model), and terraform-provider-aws
# cluster.go validates cluster_id with StringLenBetween(1, 50). The console's 40 is its own.
MEMCACHED_CLUSTER_ID_MAX = 50
NAME_PART = re.compile(r"^[a-z](?:[a-z0-9]|-(?!-))*(?<!-)$")


def is_valid_name_part(value: str) -> bool:
    return bool(NAME_PART.match(value))


def replication_group_id(prefix: str, cache: str) -> str:
    return f"{prefix}-{cache}"


def member_cluster_ids(group_id: str, shards: int, replicas: int, cluster_mode: bool) -> list[str]:
    """Ids ElastiCache gives the nodes of a replication group, primary first.

    Cluster mode off: `<rg>-001`, `<rg>-002`, ...; cluster mode on: `<rg>-0001-001` per shard.
    CloudWatch node metrics use these as the CacheClusterId dimension.
    """
    if not cluster_mode:
        return [f"{group_id}-{n:03d}" for n in range(1, replicas + 2)]
    return [
        f"{group_id}-{shard:04d}-{node:03d}"
        for shard in range(1, shards + 1)
        for node in range(1, replicas + 2)
    ]


def cache_user_id(cache_id: str, user: str) -> str:
    """An ElastiCache user of a cache's user group (replication group or serverless):
    `<cache id>-<user>`: user ids are unique per account and region."""
    return f"{cache_id}-{user}"


def parameter_group_name(group_id: str, family: str) -> str:
    # Parameter group names may not contain "." ("redis6.x", "memcached1.6"). The family is part
    # of the name so that a family change creates a new group before the old one is deleted.
    return f"{group_id}-{family.replace('.', '-')}"


def final_snapshot_name(group_id: str) -> str:
    return f"{group_id}-final"


def connection_secret_name(prefix: str, cache: str, user: str | None = None) -> str:
    """Secrets Manager name of a cache's connection secret, the same in every region:
    `managed-cache/<prefix>/<cache>`, or `.../<cache>/<user>` for one RBAC user's."""
    return f"managed-cache/{prefix}/{cache}" + (f"/{user}" if user else "")


def gcp_connection_secret_id(instance_id: str) -> str:
    """Secret Manager secret id of a Memorystore instance's connection secret."""
    return f"{instance_id}-connection"


_DIRECTIONS = {"north": "n", "south": "s", "east": "e", "west": "w", "central": "c",
               "northeast": "ne", "northwest": "nw", "southeast": "se", "southwest": "sw"}
_GCP_AREAS = {"europe": "eu", "asia": "as", "australia": "au", "northamerica": "na",
              "southamerica": "sa", "africa": "af"}


def region_code(region: str) -> str:
    """Compact region code for ids, for AWS and GCP region names alike:
    us-east-1 -> use1, ap-southeast-2 -> apse2, us-central1 -> usc1, europe-west4 -> euw4."""
    area, _, rest = region.partition("-")
    match = re.match(r"^([a-z]+)-?(\d+)$", rest)
    direction, number = (match.group(1), match.group(2)) if match else (rest, "")
    return f"{_GCP_AREAS.get(area, area)}{_DIRECTIONS.get(direction, direction[:2])}{number}"


def secondary_group_id(group_id: str, region: str) -> str:
    """A cross-region member: `<id>-<region code>` (ElastiCache Global Datastore secondaries,
    Memorystore for Valkey secondaries)."""
    return f"{group_id}-{region_code(region)}"


def memcached_node_ids(nodes: int) -> list[str]:
    """Memcached node ids within a cluster (CloudWatch's CacheNodeId): 0001, 0002, ..."""
    return [f"{n:04d}" for n in range(1, nodes + 1)]


# Private DNS (issue #8). A name is at most 253 characters of labels of at most 63 (RFC 1035).
DNS_LABEL_MAX = 63
DNS_NAME_MAX = 253
# Record roles and the suffix each adds to the cache name: `<cache>`, `<cache>-reader`,
# `<cache>-writer`.
DNS_ROLES = {"endpoint": "", "reader_endpoint": "-reader", "writer_endpoint": "-writer"}


def dns_names(cache: str, zone: str, reader: bool, writer: bool) -> dict[str, str]:
    """The stable names of one cache in `zone`, by role (the keys of DNS_ROLES).

    `endpoint` always; `reader_endpoint` for Valkey/Redis; `writer_endpoint` for a cache that
    spans regions (its writer follows a failover). Derived from config only: known at preview.
    """
    roles = ["endpoint"] + (["reader_endpoint"] if reader else []) \
        + (["writer_endpoint"] if writer else [])
    return {role: f"{cache}{DNS_ROLES[role]}.{zone}" for role in roles}


def gcp_dns_zone_name(prefix: str) -> str:
    """The Cloud DNS managed zone the stack creates (a resource name, not the DNS name)."""
    return f"{prefix}-cache"
