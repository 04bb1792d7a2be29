"""What gets installed is locked: every install reads a pip-compile lock (exact versions and
hashes) compiled from the ranges beside it, the tests install the versions that deploy, and the
workflows run one Pulumi CLI release, not the newest of the day.

Without the locks, a pulumi-aws release that lands between a pull request's preview and the
`pulumi up` after the merge changes the provider (and so what is replaced) under the reviewed
preview, and an old commit cannot be deployed again with the providers it was tested with.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
# lock -> the ranges it is compiled from
LOCKS = {
    ROOT / "requirements.txt": ROOT / "requirements.in",
    ROOT / "requirements-dev.txt": ROOT / "requirements-dev.in",
    ROOT / "policy" / "requirements.txt": ROOT / "policy" / "requirements.in",
}
PIN = re.compile(r"^([A-Za-z0-9._-]+)==([^\s\\]+)")


def pins(lock: Path) -> dict[str, Version]:
    """{package: version} of a pip-compile lock; asserts that each entry carries hashes."""
    found: dict[str, Version] = {}
    entries = re.split(r"\n(?=\S)", lock.read_text())
    for entry in entries:
        if entry.startswith("#") or not entry.strip():
            continue
        match = PIN.match(entry)
        assert match, f"{lock.name}: not an exact pin: {entry.splitlines()[0]}"
        assert "--hash=sha256:" in entry, f"{lock.name}: {match.group(1)} has no hash"
        found[canonicalize_name(match.group(1))] = Version(match.group(2))
    return found


def ranges(source: Path) -> list[Requirement]:
    """The requirements of a .in file and of the files it includes with -r (-c are pins)."""
    found: list[Requirement] = []
    for raw in source.read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line or line.startswith("-c "):
            continue
        if line.startswith("-r "):
            found += ranges(source.parent / line[3:].strip())
        else:
            found.append(Requirement(line))
    return found


@pytest.mark.parametrize("lock", list(LOCKS), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_each_lock_pins_its_ranges_with_hashes(lock):
    source = LOCKS[lock]
    # The header names the command that compiled it (Dependabot runs it again on updates).
    command = f"--output-file={lock.relative_to(ROOT).as_posix()} "
    assert command in lock.read_text()
    assert re.search(rf" {re.escape(source.relative_to(ROOT).as_posix())}\n", lock.read_text())
    locked = pins(lock)
    for requirement in ranges(source):
        name = canonicalize_name(requirement.name)
        assert name in locked, f"{lock.name} misses {name}: compile it again"
        assert requirement.specifier.contains(locked[name], prereleases=True), (
            f"{lock.name} pins {name} {locked[name]}, outside {source.name}'s "
            f"{requirement.specifier}: compile it again")


def test_the_tests_install_the_versions_that_deploy():
    dev = pins(ROOT / "requirements-dev.txt")
    for lock in (ROOT / "requirements.txt", ROOT / "policy" / "requirements.txt"):
        differ = {name: (str(version), str(dev.get(name)))
                  for name, version in pins(lock).items() if dev.get(name) != version}
        assert differ == {}, f"requirements-dev.txt differs from {lock.relative_to(ROOT)}"


def test_the_workflows_run_the_pinned_cli_no_older_than_the_sdk():
    cli = Version((ROOT / ".pulumi.version").read_text().strip())
    assert re.fullmatch(r"\d+\.\d+\.\d+", str(cli)), "an exact CLI release, not a range"
    for lock in (ROOT / "requirements.txt", ROOT / "policy" / "requirements.txt"):
        sdk = pins(lock)["pulumi"]
        # The engine must know what the SDK asks of it; one major for both.
        assert sdk <= cli and sdk.major == cli.major, (lock, sdk, cli)
    actions = []
    for workflow in sorted((ROOT / ".github" / "workflows").glob("*.yml")):
        for job in yaml.safe_load(workflow.read_text())["jobs"].values():
            actions += [s for s in job.get("steps", [])
                        if s.get("uses", "").startswith("pulumi/actions@")]
    assert len(actions) == 2  # the pull request's preview and pulumi up
    for step in actions:
        assert step["with"]["pulumi-version-file"] == ".pulumi.version"
        assert "pulumi-version" not in step["with"]
