"""What every rule reads and returns: the resource type tokens, a resource as the engine
sees it (Resource), the context of a check (Context), a Finding and a Rule, and the helpers
that read inputs which may be missing or unknown during a preview (UNKNOWN).

Standard library only, like infra/plan/rules.py, which the policy pack imports (see there).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from components import resource_types as types

SEVERITIES = ("critical", "high", "medium", "low", "info")


AWS_CACHES = frozenset({types.AWS_REPLICATION_GROUP, types.AWS_CLUSTER,
                        types.AWS_SERVERLESS_CACHE})
GCP_CACHES = frozenset({types.GCP_REDIS, types.GCP_REDIS_CLUSTER, types.GCP_VALKEY,
                        types.GCP_MEMCACHED})
CACHES = AWS_CACHES | GCP_CACHES

# Who may connect: RFC 1918 and RFC 6598 (IPv4), unique local addresses (IPv6).
PRIVATE_NETWORKS = tuple(ipaddress.ip_network(n) for n in (
    "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7"))
# Ports a cache listens on: Redis OSS / Valkey 6379 (Memorystore for Redis with TLS: 6378),
# Memcached 11211. The policy pack checks ingress to these unless configured otherwise.
DEFAULT_CACHE_PORTS = frozenset({6378, 6379, 11211})


class _Unknown:
    """A value Pulumi does not know yet (preview): never a violation by itself."""

    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN = _Unknown()


@dataclass(frozen=True)
class Resource:
    """One resource as the engine sees it. `encrypts_cache_data` marks a KMS key that encrypts a
    cache (the plan knows; the policy pack cannot tell and leaves it False)."""

    type: str
    name: str
    inputs: Mapping[str, Any]
    urn: str = ""
    parent: str = ""
    protect: bool = False
    encrypts_cache_data: bool = False
    depends_on: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Context:
    """production: the backups, Multi-AZ and deletion protection rules apply.
    cache_ports: the ports whose ingress the network rule checks; None means every port (the
    plan: every security group this program builds guards a cache)."""

    production: bool
    today: date = field(default_factory=date.today)
    cache_ports: frozenset[int] | None = None


@dataclass(frozen=True)
class Finding:
    id: str
    severity: str
    category: str
    message: str


@dataclass(frozen=True)
class Rule:
    """One policy of the pack and one family of the plan's findings.

    enforcement: the pack's default level ("mandatory" blocks `pulumi up`, "advisory" warns);
    an organisation can change it in the pack's config. production_only: the pack evaluates the
    rule only where its config says `environment: production` (the plan always evaluates it and
    reports development results at a lower severity). Resource rules have `check`, stack rules
    (that need every resource at once) `check_stack`.
    """

    name: str
    description: str
    remediation: str
    enforcement: str
    severity: str
    production_only: bool = False
    in_policy_pack: bool = True
    resource_types: frozenset[str] = frozenset()
    check: Callable[[Resource, Context], list[Finding]] | None = None
    check_stack: Callable[[Sequence[Resource], Context],
                          list[tuple[Resource, Finding]]] | None = None


# ---------------------------------------------------------------------------------------------
# Helpers: reading inputs that may be missing or unknown.

def is_set(value: Any) -> bool:
    return value is UNKNOWN or value not in (None, "", [], {})


def is_off(value: Any) -> bool:
    """A flag that must be True and is known not to be."""
    return value is not UNKNOWN and value is not True


def differs(value: Any, expected: str, default: str | None = None) -> bool:
    """A known value (or the provider's default when unset) other than `expected`."""
    if value is UNKNOWN:
        return False
    return (default if value is None else value) != expected


def nested(inputs: Mapping[str, Any], *path: str) -> Any:
    value: Any = inputs
    for key in path:
        if value is UNKNOWN:
            return UNKNOWN
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


def as_int(value: Any) -> int | None:
    if value is UNKNOWN or value is None or isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def engine_name(res: Resource) -> str:
    """The engine a cache runs, lower case; the resource type's own when the input is unset;
    UNKNOWN while a preview does not know it (no engine's rule then holds)."""
    default = "memcached" if res.type in (types.AWS_CLUSTER, types.GCP_MEMCACHED) else "redis"
    engine = res.inputs.get("engine")
    if engine is UNKNOWN:
        return UNKNOWN
    return str(engine).lower() if isinstance(engine, str) else default


def is_global_secondary(res: Resource) -> bool:
    """A Global Datastore member other than the primary: encryption, AUTH, engine and failover
    are the global group's, and AWS rejects them on the member."""
    return res.type == types.AWS_REPLICATION_GROUP \
        and is_set(res.inputs.get("globalReplicationGroupId"))


def is_group_member(res: Resource) -> bool:
    """An aws.elasticache.Cluster that joins a replication group takes the group's settings."""
    return res.type == types.AWS_CLUSTER and is_set(res.inputs.get("replicationGroupId"))


def redis_like(res: Resource) -> bool:
    return engine_name(res) in ("redis", "valkey")


def flag(id_: str, severity: str, category: str, message: str) -> list[Finding]:
    """A check's one finding."""
    return [Finding(id_, severity, category, message)]


def as_list(value: Any) -> list[Any]:
    """A list input as a list; anything else (unset, unknown, a string) as []."""
    return list(value) if isinstance(value, Sequence) and not isinstance(value, str) else []


def count(value: Any, default: int) -> int | None:
    """A count input: the provider's default when unset, None when unknown or not a number."""
    return default if value is None else as_int(value)
