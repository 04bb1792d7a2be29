"""Builders for the policy pack tests (no tests here): resources as pulumi-policy's own
ResourceValidationArgs and PolicyResource, and the date and config the pack is judged on."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from pulumi_policy import (
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
)

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
