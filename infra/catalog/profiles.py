"""The two profiles, and the form each cloud's profile defaults take in infra/catalog/<cloud>.py:
one row per setting with its development and production values side by side."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

PROFILE_NAMES = ("development", "production")

Defaults = TypeVar("Defaults")


def by_profile(defaults: Callable[..., Defaults],
               **settings: tuple[Any, Any]) -> dict[str, Defaults]:
    """{profile: defaults(**that profile's column)}; each setting is (development, production).

    A setting the defaults class lacks, or one it needs and the table leaves out, fails at
    import (the dataclass's own TypeError), so a profile can never miss a value.
    """
    return {profile: defaults(**{key: pair[column] for key, pair in settings.items()})
            for column, profile in enumerate(PROFILE_NAMES)}
