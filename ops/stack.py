"""The stack's intent: read only through infra.stackfile and infra.config, as `pulumi up` does."""

from __future__ import annotations

from pathlib import Path

import yaml

from infra import stackfile
from infra.config import load_stack_config
from infra.config.spec import AwsStackSpec, CacheSpec
from ops.errors import OpsError


def load(stack: str, project_dir: Path | None = None) -> AwsStackSpec:
    """The validated AwsStackSpec of an AWS stack.

    A config problem raises infra.config.ConfigError, whose message lists every problem; an
    unknown stack, an unreadable file or a GCP stack raise OpsError.
    """
    root = project_dir if project_dir is not None else stackfile.PROJECT_ROOT
    try:
        flat = stackfile.flat_stack_config(stack, root)
    except FileNotFoundError as err:
        raise OpsError(str(err)) from None
    except yaml.YAMLError as err:
        problem = str(err).replace("\n", " ")
        raise OpsError(f"Pulumi.{stack}.yaml is not valid YAML: {problem}") from None
    spec = load_stack_config(flat, stack)
    if not isinstance(spec, AwsStackSpec):
        raise OpsError(f"stack '{stack}' runs on {spec.cloud}; the ops commands cover AWS "
                       "ElastiCache stacks only")
    return spec


def find_cache(spec: AwsStackSpec, name: str) -> CacheSpec:
    """A cache by its config name (`sessions`) or its AWS id (`prod-sessions`)."""
    for cache in spec.caches:
        if name in (cache.name, cache.cache_id):
            return cache
    known = ", ".join(c.name for c in spec.caches)
    raise OpsError(f"stack '{spec.stack}' has no cache '{name}'; its caches: {known}")
