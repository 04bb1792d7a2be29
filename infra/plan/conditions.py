"""Whether a provider fact's condition holds for one change, decided from the two plans.

Each condition is a key of components.provider_facts.CONDITIONS; the plan diff
(infra/plan/diff.py) asks `holds` for every fact about a changed input. A condition the plans
cannot tell (FOLLOWS_FAILOVER) never holds here.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Container
from dataclasses import dataclass
from typing import Any

from components import fact_conditions as when
from components.provider_facts import Fact
from infra.catalog.gcp import REDIS_READ_REPLICAS_MIN_GB
from infra.catalog.parameters import GCP_PRODUCTS

READ_REPLICAS_ON = "READ_REPLICAS_ENABLED"

# terraform-provider-google-beta redis/resource_redis_instance.go isRedisVersionDecreasingFunc:
# only versions of this form are compared, unanchored (FindSubmatch), as a float major.minor.
_REDIS_VERSION = re.compile(r"REDIS_(\d+)_(\d+)")


@dataclass(frozen=True)
class Context:
    """What the conditions of the facts need from the two plans beyond one resource."""

    old_global: frozenset[str]      # caches with a Global Datastore in the earlier plan
    new_global: frozenset[str]      # ... and in this one


def holds(fact: Fact, key: str, old: dict[str, Any], new: dict[str, Any],
          res: dict[str, Any], context: Context) -> bool:
    """Whether `fact`'s condition holds for this change of `key` on `res` (old and new are its
    inputs in the two plans)."""
    condition = fact.condition
    if condition == when.ALWAYS:
        return True
    if condition in _MEMBERSHIP:
        return _membership(condition, old, new, res, context)
    decide = _DECIDERS.get(condition)
    return decide(key, old, new, res) if decide is not None else False


_MEMBERSHIP = (when.GLOBAL_MEMBER, when.GLOBAL_PRIMARY, when.GLOBAL_SECONDARY,
               when.GLOBAL_PRIMARY_ONE_SHARD)


def _membership(condition: str, old: dict[str, Any], new: dict[str, Any],
                res: dict[str, Any], context: Context) -> bool:
    member = res["cache"] is not None and res["cache"] in context.old_global \
        and res["cache"] in context.new_global
    if condition == when.GLOBAL_MEMBER:
        return member
    secondary = bool(old.get("globalReplicationGroupId")) \
        and bool(new.get("globalReplicationGroupId"))
    if condition == when.GLOBAL_PRIMARY_ONE_SHARD:
        # Cluster mode disabled: the group counts nodes, not node groups.
        return member and not secondary and new.get("numCacheClusters") is not None
    return member and secondary == (condition == when.GLOBAL_SECONDARY)


def _redis_below_7_0_5(key: str, old: dict[str, Any], new: dict[str, Any],
                       res: dict[str, Any]) -> bool:
    return when.redis_below_7_0_5(new.get("engine") or old.get("engine"),
                                   new.get("engineVersion") or old.get("engineVersion"))


def _version_downgrade(key: str, old: dict[str, Any], new: dict[str, Any],
                       res: dict[str, Any]) -> bool:
    return _downgrade(old.get(key), new.get(key))


def _engine_not_redis_to_valkey(key: str, old: dict[str, Any], new: dict[str, Any],
                                res: dict[str, Any]) -> bool:
    return (old.get("engine"), new.get("engine")) != ("redis", "valkey")


def _engine_not_redis_valkey_swap(key: str, old: dict[str, Any], new: dict[str, Any],
                                  res: dict[str, Any]) -> bool:
    # serverless_cache.go: the engine's RequiresReplaceIf lets redis <-> valkey through.
    return {old.get(key), new.get(key)} != {"redis", "valkey"}


def _not_valkey_major_upgrade(key: str, old: dict[str, Any], new: dict[str, Any],
                              res: dict[str, Any]) -> bool:
    # serverless_cache.go: major_engine_version is in place only when the configured engine is
    # valkey and the new version is higher (PR #45087).
    before, after = _version(old.get(key)), _version(new.get(key))
    upgrade = before is not None and after is not None and after > before
    return not (new.get("engine") == "valkey" and upgrade)


def _memcached(key: str, old: dict[str, Any], new: dict[str, Any],
               res: dict[str, Any]) -> bool:
    return (new.get("engine") or "memcached") == "memcached"


def _without_major_upgrade(key: str, old: dict[str, Any], new: dict[str, Any],
                           res: dict[str, Any]) -> bool:
    before, after = _version(old.get("engineVersion")), _version(new.get("engineVersion"))
    return not (before is not None and after is not None and after[0] > before[0])


def _read_replicas_turned_off(key: str, old: dict[str, Any], new: dict[str, Any],
                              res: dict[str, Any]) -> bool:
    mode = "readReplicasMode"                 # holds for the mode and for the replica count
    return old.get(mode) == READ_REPLICAS_ON and new.get(mode) != READ_REPLICAS_ON


def _read_replicas_below_minimum(key: str, old: dict[str, Any], new: dict[str, Any],
                                 res: dict[str, Any]) -> bool:
    # Read replicas stay once enabled (the READ_REPLICAS_TURNED_OFF facts), and need 5 GB.
    size = new.get(key)
    return old.get("readReplicasMode") == READ_REPLICAS_ON and isinstance(size, (int, float)) \
        and size < REDIS_READ_REPLICAS_MIN_GB


def _read_replicas_turned_on(key: str, old: dict[str, Any], new: dict[str, Any],
                             res: dict[str, Any]) -> bool:
    # resource_redis_instance.go secondary_ip_range: "Required when enabling read replicas on
    # an existing instance".
    return old.get(key) != READ_REPLICAS_ON and new.get(key) == READ_REPLICAS_ON \
        and not new.get("secondaryIpRange")


def _cross_region_secondary(key: str, old: dict[str, Any], new: dict[str, Any],
                            res: dict[str, Any]) -> bool:
    return any(_role(inputs) == "SECONDARY" for inputs in (old, new))


def _cidr_not_expanded(key: str, old: dict[str, Any], new: dict[str, Any],
                       res: dict[str, Any]) -> bool:
    return not _expands(old.get(key), new.get(key))


def _cluster_mode_turned_on(key: str, old: dict[str, Any], new: dict[str, Any],
                            res: dict[str, Any]) -> bool:
    return old.get(key) == "disabled" and new.get(key) == "enabled"


def _rbac_to_auth_token(key: str, old: dict[str, Any], new: dict[str, Any],
                        res: dict[str, Any]) -> bool:
    return bool(old.get("userGroupIds")) and not new.get("userGroupIds") \
        and bool(new.get("authToken"))


def _with_another_update_field(key: str, old: dict[str, Any], new: dict[str, Any],
                               res: dict[str, Any]) -> bool:
    changed = _update_mask_fields(old, new, res.get("ignore_changes") or ())
    return key in changed and len(changed) > 1 and changed != when.VALKEY_UPDATE_PAIR


def _redis_version_downgrade(key: str, old: dict[str, Any], new: dict[str, Any],
                             res: dict[str, Any]) -> bool:
    before, after = _redis_version(old.get(key)), _redis_version(new.get(key))
    return before is not None and after is not None and after < before


def _redis_downgrade_outside_pattern(key: str, old: dict[str, Any], new: dict[str, Any],
                                     res: dict[str, Any]) -> bool:
    outside = _redis_version(old.get(key)) is None or _redis_version(new.get(key)) is None
    return outside and _downgrade(old.get(key), new.get(key))


def _redis_upgrade_with_newer_configs(key: str, old: dict[str, Any], new: dict[str, Any],
                                      res: dict[str, Any]) -> bool:
    before, after = _version(old.get("redisVersion")), _version(new.get("redisVersion"))
    if before is None or after is None or not after > before:
        return False
    params = GCP_PRODUCTS["redis"].params
    was, now = old.get(key) or {}, new.get(key) or {}
    return any(name in params and params[name].since > before
               for name, value in now.items() if was.get(name) != value)


def _value_removed(key: str, old: dict[str, Any], new: dict[str, Any],
                   res: dict[str, Any]) -> bool:
    return old.get(key) not in (None, "") and new.get(key) in (None, "")


def _value_set(key: str, old: dict[str, Any], new: dict[str, Any],
               res: dict[str, Any]) -> bool:
    return new.get(key) not in (None, "")


def _leaves_data_tiering(key: str, old: dict[str, Any], new: dict[str, Any],
                         res: dict[str, Any]) -> bool:
    def tiered(node: Any) -> bool:
        return isinstance(node, str) and node.startswith("cache.r6gd.")
    return tiered(old.get(key)) and not tiered(new.get(key))


def _to_single_az(key: str, old: dict[str, Any], new: dict[str, Any],
                  res: dict[str, Any]) -> bool:
    return (old.get(key), new.get(key)) == ("cross-az", "single-az")


def _user_id_kept(key: str, old: dict[str, Any], new: dict[str, Any],
                  res: dict[str, Any]) -> bool:
    return old.get("userId") == new.get("userId")


def _applied_later(key: str, old: dict[str, Any], new: dict[str, Any],
                   res: dict[str, Any]) -> bool:
    return new.get("applyImmediately") is False


_DECIDERS = {
    when.REDIS_BELOW_7_0_5: _redis_below_7_0_5,
    when.VERSION_DOWNGRADE: _version_downgrade,
    when.ENGINE_NOT_REDIS_TO_VALKEY: _engine_not_redis_to_valkey,
    when.ENGINE_NOT_REDIS_VALKEY_SWAP: _engine_not_redis_valkey_swap,
    when.NOT_VALKEY_MAJOR_UPGRADE: _not_valkey_major_upgrade,
    when.MEMCACHED: _memcached,
    when.WITHOUT_MAJOR_UPGRADE: _without_major_upgrade,
    when.READ_REPLICAS_TURNED_OFF: _read_replicas_turned_off,
    when.READ_REPLICAS_TURNED_ON: _read_replicas_turned_on,
    when.READ_REPLICAS_BELOW_MINIMUM: _read_replicas_below_minimum,
    when.CROSS_REGION_SECONDARY: _cross_region_secondary,
    when.CIDR_NOT_EXPANDED: _cidr_not_expanded,
    when.CLUSTER_MODE_TURNED_ON: _cluster_mode_turned_on,
    when.RBAC_TO_AUTH_TOKEN: _rbac_to_auth_token,
    when.WITH_ANOTHER_UPDATE_FIELD: _with_another_update_field,
    when.REDIS_VERSION_DOWNGRADE: _redis_version_downgrade,
    when.REDIS_UPGRADE_WITH_NEWER_CONFIGS: _redis_upgrade_with_newer_configs,
    when.REDIS_DOWNGRADE_OUTSIDE_PATTERN: _redis_downgrade_outside_pattern,
    when.VALUE_REMOVED: _value_removed,
    when.VALUE_SET: _value_set,
    when.USER_ID_KEPT: _user_id_kept,
    when.LEAVES_DATA_TIERING: _leaves_data_tiering,
    when.TO_SINGLE_AZ: _to_single_az,
    when.APPLIED_LATER: _applied_later,
}


def _update_mask_fields(old: dict[str, Any], new: dict[str, Any],
                        ignored: Container[str]) -> frozenset[str]:
    """The Memorystore for Valkey update-mask fields that change from `old` to `new` (inputs
    in `ignored` are not sent)."""
    return frozenset(k for k in when.VALKEY_UPDATE_MASK
                     if old.get(k) != new.get(k) and k not in ignored)


def _role(inputs: dict[str, Any]) -> Any:
    config = inputs.get("crossInstanceReplicationConfig")
    return config.get("instanceRole") if isinstance(config, dict) else None


def _expands(old: Any, new: Any) -> bool:
    """Whether CIDR `new` contains CIDR `old` (an in-place subnet expansion)."""
    try:
        before, after = ipaddress.ip_network(str(old)), ipaddress.ip_network(str(new))
    except ValueError:
        return False
    return before.version == after.version and before.subnet_of(after)  # type: ignore[arg-type]


def _redis_version(value: Any) -> float | None:
    """'REDIS_7_2' -> 7.2, as isRedisVersionDecreasingFunc reads it; 'REDIS_6_X' -> None."""
    match = _REDIS_VERSION.search(value) if isinstance(value, str) else None
    return float(f"{match[1]}.{match[2]}") if match else None


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
