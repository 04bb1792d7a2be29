"""The pulumi-gcp floor in requirements.in holds what the GCP components rely on (issue 11,
defect 12).

`servicenetworking.Connection(deletion_policy="REMOVE_PEERING")` is what lets a stack that
created its network delete it in the same run: REMOVE_PEERING came with
GoogleCloudPlatform/magic-modules PR #18476. Older SDKs accept the string and treat it as a
plain DELETE (the pulumi-gcp 9.37.1 docstring: "When set to \\"DELETE\\" or any other value,
deleting the resource is allowed"), so a too-low floor fails only at destroy time, on a real
project. pulumi-gcp 10.0.0 is the first release whose Connection documents REMOVE_PEERING
(compared in the 9.37.1 and 10.0.0 wheels from PyPI).
"""

from __future__ import annotations

import inspect
import re
from importlib import metadata
from pathlib import Path

from tests.builders import gcp_config, redis

FIRST_WITH_REMOVE_PEERING = (10, 0, 0)
REQUIREMENTS = Path(__file__).resolve().parents[2] / "requirements.in"


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", text)[:3])


def _gcp_requirement() -> tuple[tuple[int, ...], tuple[int, ...]]:
    """(floor, ceiling) of pulumi-gcp in requirements.in."""
    for line in REQUIREMENTS.read_text().splitlines():
        match = re.match(r"^pulumi-gcp\s*>=\s*([\d.]+)\s*,\s*<\s*([\d.]+)", line.strip())
        if match:
            return _version(match.group(1)), _version(match.group(2))
    raise AssertionError("requirements.in has no 'pulumi-gcp>=X,<Y' line")


def test_the_floor_is_a_release_with_remove_peering():
    floor, _ = _gcp_requirement()
    assert floor >= FIRST_WITH_REMOVE_PEERING, (
        f"pulumi-gcp>={'.'.join(map(str, floor))} lets pip install a release where "
        "deletion_policy='REMOVE_PEERING' is a plain DELETE; raise the floor to 10.0.0 or later")


def test_the_installed_sdk_is_in_range_and_documents_remove_peering():
    import pulumi_gcp

    floor, ceiling = _gcp_requirement()
    installed = _version(metadata.version("pulumi-gcp"))
    assert floor <= installed < ceiling
    doc = inspect.getdoc(pulumi_gcp.servicenetworking.ConnectionArgs.deletion_policy) or ""
    assert "REMOVE_PEERING" in doc


def test_a_stack_network_is_torn_down_with_remove_peering(run_stack):
    rec = run_stack(gcp_config(redis()))
    (connection,) = rec.of_type("gcp:servicenetworking/connection:Connection")
    assert connection.inputs["deletionPolicy"] == "REMOVE_PEERING"
