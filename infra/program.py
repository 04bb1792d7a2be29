"""The Pulumi program: load and validate the stack config, build the chosen cloud, export."""

from __future__ import annotations

from typing import Any

import pulumi

from infra.config import load_stack_config
from infra.config.spec import GcpStackSpec


def flat_config() -> dict[str, Any]:
    """Every config key the CLI passed, as flat "<namespace>:<key>" strings.

    The SDK has no public way to list config keys; the language host stores them in
    pulumi.runtime.config.CONFIG (and the PULUMI_CONFIG environment variable). Listing them lets
    validation reject misspelled top-level keys instead of silently ignoring them.
    """
    from pulumi.runtime import config as runtime_config

    flat = dict(runtime_config.get_config_env())
    flat.update(runtime_config.CONFIG.get())
    return flat


def main() -> None:
    spec = load_stack_config(flat_config(), pulumi.get_stack())
    for warning in spec.warnings:
        pulumi.log.warn(warning)
    # Import only the chosen cloud's SDK: pulumi_gcp and pulumi_aws each take a while to load.
    if isinstance(spec, GcpStackSpec):
        from infra.stacks import gcp

        exports = gcp.build(spec, pulumi.get_project())
    else:
        from infra.stacks import aws

        exports = aws.build(spec, pulumi.get_project())
    for key, value in exports.items():
        pulumi.export(key, value)
