"""The plan's resources as plain, masked records: what the JSON carries and the diff compares.

Each record: urn, type, name, parent (URN, "" under the stack), custom, provider_region,
protect, aliased (it or an ancestor declares aliases), declares_alias (it does), ignore_changes,
import_id (the live resource it adopts, None when created), cache (the cache it belongs to, None
for shared resources such as networks), data_holding, inputs (masked).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from components import resource_types as types
from infra.plan.secrets import SECRET_KEYS, clean, mask

if TYPE_CHECKING:  # mocks imports pulumi; the records need none of it
    from infra.plan.mocks import Registration

# Resources whose replacement or deletion destroys cached data (or, for a KMS key, the ability
# to read data and snapshots encrypted with it). See infra/plan/diff.py for what replaces them.
DATA_HOLDING_TYPES = frozenset({
    types.AWS_REPLICATION_GROUP,
    types.AWS_CLUSTER,
    types.AWS_SERVERLESS_CACHE,
    types.AWS_GLOBAL_REPLICATION_GROUP,
    types.AWS_KMS_KEY,
    types.GCP_REDIS,
    types.GCP_VALKEY,
    types.GCP_MEMCACHED,
})


def is_data_holding(type_: str, cache: str | None) -> bool:
    """A KMS key counts only inside a cache (it encrypts the cache's data and snapshots); keys
    of shared resources, such as the alarm topics', do not guard cached data."""
    if type_ == types.AWS_KMS_KEY:
        return cache is not None
    return type_ in DATA_HOLDING_TYPES


def provider_urn(reference: str) -> str:
    """A provider reference is "<urn>::<id>"; the URN itself contains "::" too."""
    return reference.rsplit("::", 1)[0] if reference else ""


def collect(registrations: list[Registration],
            cache_names: set[str] | frozenset[str] = frozenset(),
            aliased_urns: set[str] | frozenset[str] = frozenset(),
            secrets_found: set[str] | None = None) -> list[dict[str, Any]]:
    """Records for `registrations`, in registration order."""
    by_urn = {r.urn: r for r in registrations}
    provider_regions = {
        r.urn: str(r.inputs.get("region") or "") or None
        for r in registrations if r.type.startswith("pulumi:providers:")
    }

    def root_of(reg: Any) -> Any:
        while reg.parent in by_urn:
            reg = by_urn[reg.parent]
        return reg

    def is_aliased(reg: Any) -> bool:
        while reg is not None:
            if reg.urn in aliased_urns:
                return True
            reg = by_urn.get(reg.parent)
        return False

    records = []
    for reg in registrations:
        secret_keys = SECRET_KEYS | set(reg.additional_secret_outputs)
        inputs = clean(mask(reg.inputs, secrets_found, secret_keys))
        region = provider_regions.get(provider_urn(reg.provider))
        if region is None and reg.type.startswith("pulumi:providers:"):
            region = provider_regions.get(reg.urn)
        if region is None and reg.custom:
            # GCP resources name their region or location themselves.
            region = _text(reg.inputs.get("region")) or _text(reg.inputs.get("location"))
        root = root_of(reg)
        cache = root.name if root.name in cache_names else None
        parent = reg.parent if reg.parent in by_urn else ""
        records.append({
            "urn": reg.urn,
            "type": reg.type,
            "name": reg.name,
            "parent": parent,
            "custom": bool(reg.custom),
            "provider_region": region,
            "protect": bool(reg.protect),
            "aliased": is_aliased(reg),
            "declares_alias": reg.urn in aliased_urns,
            "ignore_changes": sorted(reg.ignore_changes),
            "import_id": reg.import_id or None,
            "cache": cache,
            "data_holding": is_data_holding(reg.type, cache),
            "inputs": inputs,
        })
    return records


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
