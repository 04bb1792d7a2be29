"""`gcp.labels` of a Memorystore cache: Google's key and value rules, and at most 64 labels on a
resource counting the ones the stack adds itself (the cache label, the provider's default labels
and pulumi-gcp's attribution label). Refused configs create nothing."""

from __future__ import annotations

from infra.config import load_stack_config
from tests.builders import gcp_config, refusal_cases, valkey


def labels(count: int) -> dict[str, str]:
    return {f"team{i}": "x" for i in range(count)}


REFUSED = [
    ("label-key", gcp_config(valkey(gcp={"labels": {"Team": "x"}})),
     "caches.s.gcp.labels.Team: is not a GCP label key; use up to 63 lowercase letters, digits, "
     "'_' and '-', starting with a letter."),
    ("label-value", gcp_config(valkey(gcp={"labels": {"team": "Payments Team"}})),
     "caches.s.gcp.labels.team: 'Payments Team' is not a GCP label value; use up to 63 "
     "lowercase letters, digits, '_' and '-'."),
    # Requirements for labels: "up to a maximum of 64" on a resource.
    # The stack adds `cache`, the provider's default labels and pulumi-gcp's attribution label.
    ("too-many-labels", gcp_config(valkey(gcp={"labels": labels(59)})),
     "caches.s.gcp.labels: 59 labels and the 6 the stack adds (cache, goog-pulumi-provisioned, "
     "managed_by, profile, project, stack) make 65; Google Cloud allows at most 64 on a "
     "resource. Use at most 58."),
]


@refusal_cases(REFUSED)
def test_refused_with_its_message_and_nothing_created(refused, config, expected):
    refused(config, expected)


def test_64_labels_with_the_stacks_own_are_accepted_and_a_stack_key_counts_once():
    at_limit = load_stack_config(gcp_config(valkey(gcp={"labels": labels(58)})), "test")
    assert len(at_limit.caches[0].labels) == 59          # + cache; the providers add 5 more
    # A label the stack also sets is one label, not two.
    reused = load_stack_config(gcp_config(valkey(gcp={"labels": {
        **labels(58), "stack": "shop"}})), "test")
    assert reused.caches[0].labels["stack"] == "shop"
