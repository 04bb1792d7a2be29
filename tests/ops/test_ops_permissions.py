"""ops/README.md lists the IAM actions each command needs (the deployer policy does not cover
them). Every AWS operation the ops code calls must be in that list, so a new call cannot
leave an operator role short of a permission that only an incident would reveal."""

from __future__ import annotations

import re
from pathlib import Path

import botocore.session
from botocore import xform_name

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("elasticache", "route53", "cloudwatch", "ec2")


def called_operations() -> set[str]:
    """`service:Operation` for every botocore operation the ops code calls or paginates.
    Calls are matched by method name alone, so one name shared by two services (e.g.
    list_tags_for_resource) counts for both: an over-approximation."""
    source = "\n".join(path.read_text() for path in (ROOT / "ops").glob("*.py"))
    session = botocore.session.get_session()
    found = set()
    for service in SERVICES:
        for operation in session.get_service_model(service).operation_names:
            snake = xform_name(operation)
            if re.search(rf"\.{snake}\(|get_paginator\(\s*\"{snake}\"", source):
                found.add(f"{service}:{operation}")
    return found


def test_every_aws_call_of_ops_is_in_the_operator_permissions():
    readme = (ROOT / "ops" / "README.md").read_text()
    section = readme.split("### The operator role's permissions", 1)[1].split("\n### ", 1)[0]
    called = called_operations()
    assert {"elasticache:FailoverGlobalReplicationGroup", "route53:ChangeResourceRecordSets",
            "cloudwatch:GetMetricData", "ec2:DescribeVpcs",
            # get_paginator( with the name on the next line (ops/discover.py)
            "elasticache:DescribeEngineDefaultParameters"} <= called
    missing = sorted(op for op in called
                     if f"`{op}`" not in section and f"`{op.split(':')[1]}`" not in section)
    assert missing == []
    # Each action is named under its own service's prefix somewhere in the table.
    for service in {op.split(":")[0] for op in called}:
        assert f"`{service}:" in section
