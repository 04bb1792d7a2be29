"""Component type tokens are part of the URN of the component and of everything under it: a
changed token makes `pulumi up` delete and re-create the component and all its children, caches
included, unless an alias carries the old token. These tests pin every token."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from typing import Any

import pytest

import components
from components.component import Component

TOKENS = {
    "AlarmTopic": "managed-cache:aws:AlarmTopic",
    "CacheDashboard": "managed-cache:aws:CacheDashboard",
    "CacheEventTopic": "managed-cache:aws:CacheEventTopic",
    "CacheNetwork": "managed-cache:aws:CacheNetwork",
    "CacheParameterGroup": "managed-cache:aws:CacheParameterGroup",
    "CloudWatchCacheAlarms": "managed-cache:aws:CloudWatchCacheAlarms",
    "ConnectionSecret": "managed-cache:aws:ConnectionSecret",
    "ElastiCacheAutoScaling": "managed-cache:aws:ElastiCacheAutoScaling",
    "ElastiCacheGlobalDatastore": "managed-cache:aws:ElastiCacheGlobalDatastore",
    "ElastiCacheMemcachedCluster": "managed-cache:aws:ElastiCacheMemcachedCluster",
    "ElastiCacheReplicationGroup": "managed-cache:aws:ElastiCacheReplicationGroup",
    "ElastiCacheServerlessCache": "managed-cache:aws:ElastiCacheServerlessCache",
    "ElastiCacheUsers": "managed-cache:aws:ElastiCacheUsers",
    "LogEncryptionKey": "managed-cache:aws:LogEncryptionKey",
    "Route53PrivateZone": "managed-cache:aws:Route53PrivateZone",
    "AlertChannels": "managed-cache:gcp:AlertChannels",
    "CloudDnsPrivateZone": "managed-cache:gcp:CloudDnsPrivateZone",
    "CustomerKeyGrants": "managed-cache:gcp:CustomerKeyGrants",
    "MemorystoreAlerts": "managed-cache:gcp:MemorystoreAlerts",
    "MemorystoreDashboard": "managed-cache:gcp:MemorystoreDashboard",
    "MemorystoreMemcachedInstance": "managed-cache:gcp:MemorystoreMemcachedInstance",
    "MemorystoreNetwork": "managed-cache:gcp:MemorystoreNetwork",
    "MemorystoreRedisInstance": "managed-cache:gcp:MemorystoreRedisInstance",
    "MemorystoreValkeyInstance": "managed-cache:gcp:MemorystoreValkeyInstance",
    "ProjectApis": "managed-cache:gcp:ProjectApis",
    "SecretManagerSecret": "managed-cache:gcp:SecretManagerSecret",
    "ValkeyIamClients": "managed-cache:gcp:ValkeyIamClients",
}


def _subclasses(cls: type[Component[Any]]) -> Iterator[type[Component[Any]]]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_every_component_keeps_its_type_token():
    for module in pkgutil.walk_packages(components.__path__, "components."):
        importlib.import_module(module.name)
    assert {c.__name__: c.type_token for c in _subclasses(Component)} == TOKENS


def test_a_component_must_name_its_type_token():
    with pytest.raises(TypeError, match="type_token"):
        class Nameless(Component[int]):  # type: ignore[call-arg]
            pass
