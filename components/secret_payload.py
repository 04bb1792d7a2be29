"""The JSON a connection secret holds, built so it stays a Pulumi secret end to end."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pulumi


def secret_json(payload: pulumi.Input[Mapping[str, Any]]) -> pulumi.Output[str]:
    """The payload as sorted JSON, a Pulumi secret whatever its parts are."""
    serialized: pulumi.Output[str] = pulumi.Output.from_input(payload).apply(
        lambda value: json.dumps(value, sort_keys=True))
    secret: pulumi.Output[str] = pulumi.Output.secret(serialized)
    return secret
