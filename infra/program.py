"""The Pulumi program: load and validate the stack config, build the chosen cloud, export."""

from __future__ import annotations

from typing import Any

import pulumi

from infra.config import load_stack_config


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
    if spec.cloud == "gcp":
        from infra.stacks import gcp as cloud_stack
    else:
        from infra.stacks import aws as cloud_stack  # type: ignore[no-redef]
    for key, value in cloud_stack.build(spec, pulumi.get_project()).items():
        pulumi.export(key, value)
