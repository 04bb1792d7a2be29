"""The shape of a provider fact (components/provider_facts.py): what the clouds replace,
reject or own, per (resource type, argument), and under which condition
(components/fact_conditions.py)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from components.fact_conditions import ALWAYS

Kind = Literal["replaces", "rejected", "cloud_owned"]
KINDS: tuple[Kind, ...] = ("replaces", "rejected", "cloud_owned")


@dataclass(frozen=True)
class Fact:
    type: str             # Pulumi type token
    argument: str         # Pulumi input name (camelCase)
    kind: Kind
    condition: str        # a key of fact_conditions.CONDITIONS
    reason: str           # one sentence: what the cloud or provider does, and why
    source: str           # provider source file at the bridged version, issue URL or docs URL
    not_applied: bool = False   # rejected only: accepted and silently not applied

    @property
    def outcome(self) -> str:
        """How the plan diff names the effect."""
        if self.kind == "rejected":
            return "not applied" if self.not_applied else "rejected"
        return "replace" if self.kind == "replaces" else "owned by the cloud"


def replaces(type_: str, arguments: Iterable[str], source: str, reason: str = "",
              condition: str = ALWAYS) -> list[Fact]:
    return [Fact(type_, argument, "replaces", condition,
                 reason or f"{argument} cannot be changed in place (ForceNew).", source)
            for argument in arguments]
