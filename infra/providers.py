"""The only place providers are built. Stacks disable default providers, so every resource
names one of these explicitly (through its component's `providers`)."""

from __future__ import annotations

import re
from collections.abc import Mapping

import pulumi


def stack_tags(project: str, stack: str, profile: str) -> dict[str, str]:
    """Tags every AWS resource carries, applied through the provider's default_tags."""
    return {"ManagedBy": "managed-cache", "Project": project, "Stack": stack, "Profile": profile}


def aws_provider(region: str, tags: dict[str, str]) -> pulumi.ProviderResource:
    import pulumi_aws as aws

    # The logical name carries the region: a second region is a second provider, and the mocks
    # (and reviewers reading a preview) can tell them apart.
    return aws.Provider(f"aws-{region}", region=region,
                        default_tags=aws.ProviderDefaultTagsArgs(tags=tags))


def random_provider() -> pulumi.ProviderResource:
    import pulumi_random as random

    return random.Provider("random")


def time_provider() -> pulumi.ProviderResource:
    """pulumiverse-time, for the waits a cloud's eventual consistency needs (a Sleep)."""
    import pulumiverse_time as time

    return time.Provider("time")


def gcp_labels(tags: Mapping[str, str]) -> dict[str, str]:
    """Tags as GCP labels: keys and values lowercase letters, digits, '_' and '-', at most 63
    characters, keys starting with a letter ("ManagedBy" -> "managed_by")."""
    def clean(text: str) -> str:
        return re.sub(r"[^a-z0-9_-]", "_", text.lower())[:63]

    labels = {}
    for key, value in tags.items():
        snake = clean(re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", key))
        labels[snake if snake[:1].isalpha() else f"k{snake}"[:63]] = clean(value)
    return labels


def gcp_provider(project: str, region: str,
                 tags: Mapping[str, str] | None = None) -> pulumi.ProviderResource:
    """One provider per GCP project and region; `tags` (default: this stack's) become the
    default labels of every resource that takes labels."""
    import pulumi_gcp as gcp

    if tags is None:
        tags = {"ManagedBy": "managed-cache", "Project": pulumi.get_project(),
                "Stack": pulumi.get_stack()}
    return gcp.Provider(f"gcp-{project}-{region}", project=project, region=region,
                        default_labels=gcp_labels(tags))
