"""Compare Checkov's results on the rendered stacks with the failures docs/security.md argues.

    python -m security.checkov_gate security/checkov-accepted.txt build/checkov/*.checkov.json

Each results file is Checkov's `-o json` output for one stack, named `<stack>.checkov.json`.
Prints one summary line per stack and each failure not accepted; exits 1 when a failure is
not accepted or an accepted line matches nothing any more (the argument is stale). Standard
library only, so any Python runs it.
"""

from __future__ import annotations

import fnmatch
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SUFFIX = ".checkov.json"


@dataclass(frozen=True)
class Accepted:
    stack: str
    check_id: str
    resource: str            # glob on the Terraform address
    section: str             # where docs/security.md argues it

    def matches(self, stack: str, failure: dict[str, Any]) -> bool:
        return (stack == self.stack and failure["check_id"] == self.check_id
                and fnmatch.fnmatchcase(failure["resource"], self.resource))


def read_accepted(path: Path) -> list[Accepted]:
    accepted = []
    for number, line in enumerate(path.read_text().splitlines(), 1):
        words = line.split("#", 1)[0].split()
        if not words:
            continue
        if len(words) != 4:
            raise ValueError(f"{path}:{number}: expected '<stack> <check> <resource> "
                             f"<section>', got {line.strip()!r}")
        accepted.append(Accepted(*words))
    return accepted


def read_results(path: Path) -> dict[str, Any]:
    """Checkov's JSON for one framework (a list when it ran several: take terraform_plan)."""
    data = json.loads(path.read_text())
    if isinstance(data, list):
        data = next((d for d in data if d.get("check_type") == "terraform_plan"), {})
    return data


def gate(accepted: list[Accepted], results: dict[str, dict[str, Any]]) -> tuple[list[str], bool]:
    """(report lines, ok) for results by stack."""
    lines: list[str] = []
    ok = True
    used: set[Accepted] = set()
    for stack, data in sorted(results.items()):
        summary = data.get("summary", {})
        failures = data.get("results", {}).get("failed_checks", [])
        new = []
        for failure in failures:
            match = next((a for a in accepted if a.matches(stack, failure)), None)
            if match is None:
                new.append(failure)
            else:
                used.add(match)
        lines.append(f"{stack}: checkov {summary.get('checkov_version', '?')}: "
                     f"{summary.get('passed', 0)} passed, {len(failures)} failed "
                     f"({len(failures) - len(new)} argued in docs/security.md, "
                     f"{len(new)} not)")
        for failure in new:
            ok = False
            lines.append(f"  NOT ARGUED {failure['check_id']} {failure['resource']}: "
                         f"{failure.get('check_name', '')}")
    for entry in accepted:
        if entry.stack in results and entry not in used:
            ok = False
            lines.append(f"  STALE {entry.stack} {entry.check_id} {entry.resource}: nothing "
                         "fails it any more; remove the line and its argument")
    return lines, ok


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) < 2:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    accepted = read_accepted(Path(args[0]))
    results = {Path(p).name.removesuffix(SUFFIX): read_results(Path(p)) for p in args[1:]}
    lines, ok = gate(accepted, results)
    print("\n".join(lines))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
