"""`gcp.labels` of a Memorystore cache: Google's key and value rules, and the label count."""

from __future__ import annotations

from infra.catalog.gcp import _LABEL_KEY, _LABEL_VALUE
from infra.config.common import Problem
from infra.providers import gcp_labels, stack_tags

# "Each resource can have multiple labels, up to a maximum of 64" (Requirements for labels,
# https://cloud.google.com/resource-manager/docs/labels-overview#requirements), counting the
# cache label, the provider's default labels every resource gets (infra/providers.py), and the
# label pulumi-gcp 8+ adds to each resource it creates ("a new global default label,
# goog-pulumi-provisioned", pulumi-gcp v8 migration guide; addPulumiAttributionLabel).
GCP_MAX_LABELS = 64
_STACK_LABEL_KEYS = (*gcp_labels(stack_tags("project", "stack", "profile")),
                     "goog-pulumi-provisioned")


def check_labels(labels: dict[str, str], name: str, path: str,
                 problems: list[Problem]) -> dict[str, str]:
    added = sorted({"cache", *_STACK_LABEL_KEYS} - set(labels))
    if len(labels) + len(added) > GCP_MAX_LABELS:
        problems.append(Problem(path, f"{len(labels)} labels and the {len(added)} the stack adds "
                                f"({', '.join(added)}) make {len(labels) + len(added)}; Google "
                                f"Cloud allows at most {GCP_MAX_LABELS} on a resource. Use at "
                                f"most {GCP_MAX_LABELS - len(added)}."))
    for key, value in labels.items():
        if not _LABEL_KEY.match(key):
            problems.append(Problem(f"{path}.{key}", "is not a GCP label key; use up to 63 "
                                    "lowercase letters, digits, '_' and '-', starting with a "
                                    "letter."))
        elif not isinstance(value, str) or not _LABEL_VALUE.match(value):
            problems.append(Problem(f"{path}.{key}", f"{value!r} is not a GCP label value; use "
                                    "up to 63 lowercase letters, digits, '_' and '-'."))
    return {"cache": name, **labels}
