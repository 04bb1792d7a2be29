"""The only place providers are built. Stacks disable default providers, so every resource
names one of these explicitly (through its component's `providers`)."""

from __future__ import annotations

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
