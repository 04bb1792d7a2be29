"""Reads Pulumi.<stack>.yaml into the flat config the CLI hands the program.

The CLI passes every key as "<namespace>:<key>" (keys without a namespace get the project's),
scalars as strings and objects as JSON. The offline plan and the tests use this so they feed
the program exactly what `pulumi up` would.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def stack_names(root: Path = PROJECT_ROOT) -> list[str]:
    return sorted(p.name[len("Pulumi."):-len(".yaml")] for p in root.glob("Pulumi.*.yaml"))


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def flat_stack_config(stack: str, root: Path = PROJECT_ROOT,
                      project: str = "managed-cache") -> dict[str, str]:
    import yaml

    path = root / f"Pulumi.{stack}.yaml"
    if not path.exists():
        known = ", ".join(stack_names(root)) or "none"
        raise FileNotFoundError(f"no stack file {path.name}; known stacks: {known}")
    document = yaml.safe_load(path.read_text()) or {}
    flat: dict[str, str] = {}
    for key, value in (document.get("config") or {}).items():
        full_key = key if ":" in key else f"{project}:{key}"
        if isinstance(value, dict) and set(value) == {"secure"}:
            continue  # encrypted values need the stack's secrets provider; not used offline
        flat[full_key] = json.dumps(value) if isinstance(value, (dict, list)) else _scalar(value)
    return flat
