"""Fixtures for the CrossGuard policy pack tests: resources built as pulumi-policy's own
ResourceValidationArgs / StackValidationArgs, and the violations a policy reports for them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

import pytest
from pulumi_policy import (
    Policy,
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    StackValidationArgs,
)

from policy import pack

TODAY = date(2026, 6, 1)
DEVELOPMENT = {"environment": "development"}


def options(protect: bool = False) -> PolicyResourceOptions:
    return PolicyResourceOptions(protect=protect, ignore_changes=[], delete_before_replace=None,
                                 aliases=[], custom_timeouts=PolicyCustomTimeouts(0, 0, 0),
                                 additional_secret_outputs=[])


def urn(type_: str, name: str) -> str:
    return f"urn:pulumi:test::managed-cache::{type_}::{name}"


def resource_args(type_: str, props: Mapping[str, Any], name: str = "cache",
                  protect: bool = False,
                  config: Mapping[str, Any] | None = None) -> ResourceValidationArgs:
    return ResourceValidationArgs(type_, props, urn(type_, name), name, options(protect), None,
                                  config)


def stack_resource(type_: str, props: Mapping[str, Any], name: str,
                   depends_on: tuple[PolicyResource, ...] = ()) -> PolicyResource:
    return PolicyResource(type_, props, urn(type_, name), name, options(), None, None,
                          list(depends_on), {})


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
