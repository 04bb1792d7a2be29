"""Fixtures for the CrossGuard policy pack tests: the pack's policies and the violations one
reports for resources built with tests/policy/support.py."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pytest
from pulumi_policy import Policy, PolicyResource, StackValidationArgs

from policy import pack
from tests.policy.support import TODAY, resource_args


@pytest.fixture(scope="session")
def policies() -> dict[str, Policy]:
    return {p.name: p for p in pack.policies(today=TODAY)}


@pytest.fixture
def violations(policies) -> Callable[..., list[str]]:
    """violations(policy_name, type_, props, name=..., protect=..., config=...) -> messages."""

    def _violations(policy: str, type_: str, props: Mapping[str, Any],
                    **kwargs: Any) -> list[str]:
        found: list[str] = []
        policies[policy].validate(resource_args(type_, props, **kwargs),  # type: ignore[attr-defined]
                                  lambda message, urn=None: found.append(message))
        return found

    return _violations


@pytest.fixture
def stack_violations(policies) -> Callable[..., list[tuple[str, str | None]]]:
    """stack_violations(policy_name, [PolicyResource...], config=None) -> [(message, urn)]."""

    def _stack_violations(policy: str, resources: list[PolicyResource],
                          config: Mapping[str, Any] | None = None) -> list[tuple[str, str | None]]:
        found: list[tuple[str, str | None]] = []
        policies[policy].validate(StackValidationArgs(resources, config),  # type: ignore[attr-defined]
                                  lambda message, urn=None: found.append((message, urn)))
        return found

    return _stack_violations
