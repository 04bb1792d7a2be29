"""docs/cloud-rules.md names, for each rule, where the code holds it and which test proves it.
Those names must exist: a file renamed or a test rewritten otherwise leaves a reader searching
for code that is not there.

- "where" column: each backticked `path.py` exists (from the project root, infra/, or the
  folder of the path before it in the cell), and each backticked name after it appears in that
  file (a `module.NAME` in infra/<module>.py or components/<module>.py, a `Class.attribute` as
  both parts; a fact condition such as
  `value-removed` of provider_facts*.py in components/fact_conditions.py, which they import).
- "test" column: each `test_*.py` exists under tests/, each backticked `test_...` is a function
  of it, and each bare hyphenated case id matches a quoted string of it (`*` as a wildcard)."""

from __future__ import annotations

import fnmatch
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "docs" / "cloud-rules.md"
TEST_FILES = {path.name: path for path in (ROOT / "tests").rglob("test_*.py")}


def rows() -> list[tuple[int, str, str]]:
    """(line, where cell, test cell) of every rule row."""
    found = []
    for number, line in enumerate(RULES.read_text().splitlines(), 1):
        if not line.startswith("| ") or line.startswith("| rule |"):
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split(" | ")]
        if len(cells) >= 4:
            found.append((number, cells[-2], cells[-1]))
    return found


def _source(path: str, previous: Path | None) -> Path | None:
    bases = [ROOT, ROOT / "infra", ROOT / "infra" / "plan"]
    if previous is not None:
        bases.append(previous.parent)
    return next((base / path for base in bases if (base / path).is_file()), None)


def _text(path: Path) -> str:
    text = path.read_text()
    if path.name.startswith("provider_facts"):
        text += (ROOT / "components" / "fact_conditions.py").read_text()
    return text


def _names_in(name: str, text: str) -> bool:
    if "*" in name:
        return any(fnmatch.fnmatch(word, name) for word in re.findall(r"[\w.\-]+", text))
    return name in text


def missing_where(cell: str) -> list[str]:
    missing, current, previous = [], None, None
    for token in re.findall(r"`([^`]+)`", cell):
        if token.endswith(".py"):
            current = _source(token, previous)
            previous = current or previous
            if current is None:
                missing.append(f"no file {token}")
            continue
        name = re.split(r"[(\s=]", token)[0]
        module, _, attribute = name.rpartition(".")
        owner = next((p for p in (ROOT / "infra" / f"{module}.py",
                                  ROOT / "components" / f"{module}.py") if p.is_file()),
                     None) if module and "/" not in module else None
        where = owner or current
        # `Class.attribute` in the cell's file: both parts appear there.
        parts = [attribute] if owner else name.split(".")
        if where is not None and name and not all(_names_in(part, _text(where))
                                                  for part in parts):
            missing.append(f"{name} not in {where.relative_to(ROOT)}")
    return missing


def missing_tests(cell: str) -> list[str]:
    missing = []
    for group in cell.split(";"):
        current = None
        for quoted, bare in re.findall(r"`([^`]+)`|([\w*.\-]+)", group):
            token = quoted or bare
            if token.endswith(".py"):
                current = TEST_FILES.get(token.rsplit("/", 1)[-1])
                if current is None:
                    missing.append(f"no test file {token}")
                continue
            if current is None:
                continue
            body = current.read_text()
            if quoted.startswith("test_") and f"def {quoted}(" not in body:
                missing.append(f"no {quoted} in {current.name}")
            elif bare and "-" in bare.strip("-") and not any(
                    fnmatch.fnmatch(case, bare)
                    for case in re.findall(r'"([A-Za-z0-9][\w.\-]*)"', body)):
                missing.append(f"no case {bare} in {current.name}")
    return missing


def test_the_rules_table_is_read():
    assert len(rows()) > 100


@pytest.mark.parametrize(("line", "where", "test"),
                         [pytest.param(*row, id=f"line-{row[0]}") for row in rows()])
def test_every_place_and_test_a_rule_names_exists(line, where, test):
    assert missing_where(where) + missing_tests(test) == []
