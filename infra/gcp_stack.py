"""Composes the GCP Memorystore components from a validated StackSpec (issue #5)."""

from __future__ import annotations

from typing import Any


def build(spec: Any, project: str) -> dict[str, Any]:
    raise NotImplementedError("GCP stacks are validated out before reaching here until #5 lands")
