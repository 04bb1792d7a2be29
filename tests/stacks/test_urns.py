"""Every resource's identity, pinned: its type, name, parent and provider, and the arguments
whose change replaces it, for fixed configs of both clouds that use every feature.

Pulumi keys state by URN (type, name and the parent's type) and a resource's provider: change
one in the program and the next `pulumi up` creates a new resource and deletes the old one, or
re-creates it under a new provider; for a cache, an empty one. An argument the provider marks
ForceNew (a name, a description, a subnet's range) does the same under the same URN. Nothing
else in the suite would notice, since every test reads one run at a time. A change here is
deliberate only with an alias (`pulumi.Alias`, as the Global Datastore primary has), a
migration note, or for a resource that holds no data. After such a
change, rewrite the snapshot and review its diff:

    venv/bin/python -m pytest -n0 tests/stacks/test_urns.py --snapshot-update

The configs are the suite's own, not the `Pulumi.<stack>.yaml` files, which a fork edits.
"""

from __future__ import annotations

import pytest

from components.fact_conditions import ALWAYS
from components.provider_facts import FACTS
from infra.plan.mocks import Recorder
from tests.builders import GCP_PROD, KMS, aws_config, gcp_config

AWS_NETWORK = {"vpc_cidr": "10.50.0.0/16", "dns": {"zone": "cache.internal"}}
CONFIGS = {
    "aws-development": aws_config({"sessions": {}, "pages": {"engine": "memcached"}}),
    "aws-production": aws_config({
        "sessions": {"engine": "valkey", "replicas": 2,
                     "global": {"secondary_region": "eu-west-1"}},
        "feed": {"shards": 2, "replicas": 1, "node_type": "cache.r7g.large",
                 "autoscaling": {"replicas": {"min": 1, "max": 3, "target_cpu_percent": 60}},
                 "aws": {"users": {"app": {"access": "on ~app:* +@all -@dangerous"},
                                   "jobs": {"access": "on ~* +@read", "iam": True}}}},
        "bursty": {"serverless": {"max_data_gb": 10, "max_ecpu_per_second": 5000}},
        "pages": {"engine": "memcached", "nodes": 2},
    }, profile="production", network=AWS_NETWORK, alerts={"emails": ["oncall@example.com"]}),
    "gcp-development": gcp_config({"sessions": {}, "limits": {"engine": "redis"},
                                   "pages": {"engine": "memcached"}}),
    "gcp-production": gcp_config({
        "sessions": {"engine": "valkey", "global": {"secondary_region": "us-east4"},
                     "gcp": {"client_service_accounts": [
                         "app@acme-cache.iam.gserviceaccount.com"]}},
        "keyed": {"engine": "valkey", "gcp": {"kms_key": KMS.format("us-central1")}},
        "limits": {"engine": "redis", "replicas": 1},
        "pages": {"engine": "memcached"},
    }, network={"dns": {"zone": "cache.internal"}}, **GCP_PROD),
}


def _type_and_name(urn: str) -> str:
    qualified_type, name = urn.split("::")[-2:]
    return f"{qualified_type.rsplit('$', 1)[-1]}::{name}"


# Per resource type, the arguments whose every change replaces the resource.
REPLACING: dict[str, set[str]] = {}
for _fact in FACTS:
    if _fact.kind == "replaces" and _fact.condition == ALWAYS:
        REPLACING.setdefault(_fact.type, set()).add(_fact.argument)


def identities(recorder: Recorder) -> dict[str, dict[str, object]]:
    """Per resource, `type::name  <- parent type::name  provider name`, and the arguments
    whose every change replaces it (components/provider_facts.py): their values, or the
    resources whose outputs they are made of."""
    pinned: dict[str, dict[str, object]] = {}
    for r in recorder.registrations:
        identity = (f"{r.type}::{r.name}  <- {_type_and_name(r.parent) if r.parent else '-'}"
                    + (f"  provider {r.provider_name}" if r.custom and r.provider else ""))
        pinned[identity] = {
            key: (f"output of {', '.join(sorted(map(_type_and_name, sources)))}"
                  if (sources := r.property_dependencies.get(key)) else r.inputs[key])
            for key in sorted(REPLACING.get(r.type, ())) if key in r.inputs}
    return pinned


@pytest.mark.parametrize("name", CONFIGS)
def test_every_resource_keeps_its_identity_and_what_replaces_it(name, run_stack, snapshot):
    assert identities(run_stack(CONFIGS[name], stack="urns")) == snapshot, (
        "a resource changed identity, or an argument whose change replaces it: `pulumi up` "
        "would replace or delete it (see this module's docstring)")
