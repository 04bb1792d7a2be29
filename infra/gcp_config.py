"""GCP Memorystore config: the `gcp:` option blocks and the rules that resolve a cache to
Memorystore for Valkey, Redis or Memcached. (Filled in by the GCP work, issue #5.)"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from infra.profiles import ProfileDefaults
from infra.validation import Problem, StrictModel


class GcpNetworkOptions(StrictModel):
    pass


class GcpCacheOptions(StrictModel):
    pass


@dataclass(frozen=True)
class GcpNetworkSpec:
    pass


@dataclass(frozen=True)
class GcpCacheSpec:
    name: str
    engine: str


def resolve_network(cfg: Any, profile: str, problems: list[Problem]) -> GcpNetworkSpec | None:
    problems.append(Problem("cloud", "'gcp' is not available in this version yet; use 'aws'."))
    return None


def resolve_cache(name: str, cfg: Any, defaults: ProfileDefaults, profile: str, prefix: str,
                  region: str, path: str, problems: list[Problem]) -> GcpCacheSpec | None:
    return None
