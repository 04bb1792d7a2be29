"""Config and argument builders the tests share: valid AWS and GCP stack configs with
overrides, a replication group's arguments, and the parametrization of refused-config tables.
A support module, not a test module."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import pytest

from components.aws.replication_group import ReplicationGroupArgs

AWS_BASE: dict[str, Any] = {
    "aws:region": "us-east-1",
    "managed-cache:cloud": "aws",
}


def flat(config: dict[str, Any]) -> dict[str, str]:
    """Stack config as the CLI passes it: objects as JSON, scalars as strings."""
    return {k: json.dumps(v) if isinstance(v, (dict, list)) else str(v) for k, v in config.items()}


def aws_config(caches: dict[str, Any] | None = None, **top: Any) -> dict[str, str]:
    """A valid AWS stack config with overrides: aws_config({"c": {...}}, profile="production")."""
    return _stack_config(AWS_BASE, caches, top)


def _stack_config(base: dict[str, Any], caches: dict[str, Any] | None,
                  top: dict[str, Any]) -> dict[str, str]:
    config = dict(base)
    config["managed-cache:caches"] = caches if caches is not None else {"sessions": {}}
    for key, value in top.items():
        config[key if ":" in key else f"managed-cache:{key}"] = value
    return flat(config)


GCP_BASE: dict[str, Any] = {
    "gcp:project": "acme-cache",
    "gcp:region": "us-central1",
    "managed-cache:cloud": "gcp",
}


def gcp_config(caches: dict[str, Any] | None = None, **top: Any) -> dict[str, str]:
    """A valid GCP stack config with overrides: gcp_config({"c": {...}}, profile="production")."""
    return _stack_config(GCP_BASE, caches, top)


def aws_plan(caches: dict[str, Any], **top: Any) -> dict[str, Any]:
    """The plan report (`python -m infra.plan --format json`) of aws_config(caches, **top)."""
    from infra.plan.report import build_report, run_plan

    return build_report(run_plan("test", config=aws_config(caches, **top)))


def gcp_plan(caches: dict[str, Any], **top: Any) -> dict[str, Any]:
    """The plan report of gcp_config(caches, **top)."""
    from infra.plan.report import build_report, run_plan

    return build_report(run_plan("test", config=gcp_config(caches, **top)))


def spec_of(config: dict[str, str], **fields: Any) -> Any:
    """The resolved stack spec (AwsStackSpec / GcpStackSpec) of a config from aws_config or
    gcp_config, with `fields` replaced: warnings=() for one that says nothing of its own."""
    from infra.config import load_stack_config

    return replace(load_stack_config(config, "test"), **fields)


def valkey(**keys: Any) -> dict[str, Any]:
    return {"s": {"engine": "valkey", **keys}}


def redis(**keys: Any) -> dict[str, Any]:
    return {"s": {"engine": "redis", **keys}}


def memcached(**keys: Any) -> dict[str, Any]:
    return {"s": {"engine": "memcached", **keys}}


KMS = "projects/acme-cache/locations/{}/keyRings/cache/cryptoKeys/valkey"
SUBNET = "projects/acme-cache/regions/{}/subnetworks/clients"


ARGS = ReplicationGroupArgs(
    replication_group_id="test-sessions", description="sessions cache", engine="valkey",
    engine_version="8.1", node_type="cache.r7g.large", shards=1, replicas=2, cluster_mode=False,
    port=6379, parameter_group_name="test-sessions-valkey8", parameter_group_family="valkey8",
    subnet_group_name="test-cache", security_group_ids=["sg-0123456789abcdef0"],
    parameters={"cluster-enabled": "no", "maxmemory-policy": "volatile-lru"},
    log_retention_days=30,
)


# A production GCP stack with someone to alert.
GCP_PROD = {"profile": "production", "alerts": {"emails": ["oncall@example.com"]}}
# An existing network on which the stack creates no connection policy (and, without Redis or
# Memcached, no private services range): the stack names no network resource after the prefix.
GCP_BARE_NETWORK = {"vpc_id": "shared", "gcp": {"create_service_connection_policy": False}}


def refusal_cases(rows: Sequence[tuple[str, dict[str, str], str]]) -> pytest.MarkDecorator:
    """Parametrize (config, expected) over rows of (case id, flat config, problem line)."""
    return pytest.mark.parametrize(("config", "expected"),
                                   [pytest.param(config, expected, id=case_id)
                                    for case_id, config, expected in rows])
