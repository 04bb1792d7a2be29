"""Every YAML config snippet in the docs loads as written: users paste them into their stack
files. A snippet may be a whole stack file (`config:`), flat stack keys (`gcp:project`,
`managed-cache:...`) or the project's keys alone (`caches:`, `network:`); what it leaves out
(the cloud, a region, a cache) comes from the builders' valid stack. The cloud is the one the
snippet names (`managed-cache:cloud`, a `gcp:` key, the stack's or a cache's `gcp` block),
else AWS."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from infra.config import load_stack_config
from tests.builders import AWS_BASE, GCP_BASE, flat

ROOT = Path(__file__).resolve().parents[2]
DOCS = [*sorted((ROOT / "docs").glob("*.md")), ROOT / "README.md", ROOT / "examples" / "README.md"]
BLOCK = re.compile(r"^```ya?ml\n(.*?)^```", re.S | re.M)


def snippets() -> list[Any]:
    found = []
    for doc in DOCS:
        text = doc.read_text()
        for match in BLOCK.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            found.append(pytest.param(match.group(1),
                                      id=f"{doc.relative_to(ROOT)}:{line}"))
    return found


def stack_config(snippet: dict[str, Any]) -> dict[str, Any]:
    """The snippet as flat stack config, completed from a valid stack of its cloud."""
    if "config" in snippet:
        config = dict(snippet["config"])
    elif all(":" in key for key in snippet):
        config = dict(snippet)
    else:
        config = {f"managed-cache:{key}": value for key, value in snippet.items()}
    caches = config.setdefault("managed-cache:caches", {"sessions": {}})
    names_gcp = (config.get("managed-cache:cloud") == "gcp"
                 or any(key.startswith("gcp:") or key == "managed-cache:gcp" for key in config)
                 or any(isinstance(cache, dict) and "gcp" in cache for cache in caches.values()))
    return {**(GCP_BASE if names_gcp else AWS_BASE), **config}


def test_the_docs_have_config_snippets():
    assert len(snippets()) >= 9


@pytest.mark.parametrize("text", snippets())
def test_a_config_snippet_in_the_docs_loads(text):
    snippet = yaml.safe_load(text)
    assert isinstance(snippet, dict), "a YAML block in the docs that is not stack config"
    load_stack_config(flat(stack_config(snippet)), "docs")
