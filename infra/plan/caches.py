"""The caches of a resolved stack spec as the plan reads them: every cache of either cloud, with
the ports clients reach it on.

Three cache spec classes (infra/config/spec.py): CacheSpec (an ElastiCache replication group or
Memcached cluster), ServerlessCacheSpec (ElastiCache Serverless, AWS only) and GcpCacheSpec (a
Memorystore instance of any product). The plan dispatches on these types.
"""

from __future__ import annotations

from infra.config.spec import (
    AnyStackSpec,
    AwsStackSpec,
    CacheSpec,
    GcpCacheSpec,
    ServerlessCacheSpec,
)

AnyCacheSpec = CacheSpec | ServerlessCacheSpec | GcpCacheSpec


def all_caches(spec: AnyStackSpec) -> list[AnyCacheSpec]:
    """Every cache of the stack in config order: on AWS node-based and serverless ones."""
    if isinstance(spec, AwsStackSpec):
        return list(spec.all_caches)
    return list(spec.caches)


def cache_ports(cache: AnyCacheSpec) -> tuple[int, ...]:
    """The ports clients connect to: a serverless cache has two (endpoint and reader
    endpoint, one for Memcached), every other cache one."""
    if isinstance(cache, ServerlessCacheSpec):
        return cache.ports
    return (cache.port,)
