"""Each stack run the way the Pulumi CLI's Python language host runs it: a fresh process,
config as flat "<namespace>:<key>" strings in PULUMI_CONFIG, `runpy.run_path(<project root>)`,
and nothing from this test suite on sys.path."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from infra.plan.mocks import MOCK_TOKEN
from infra.plan.secrets import MASK
from infra.stackfile import PROJECT_ROOT, flat_stack_config, stack_names

HARNESS = PROJECT_ROOT / "tests" / "stacks" / "langhost_exec.py"


def run_like_the_cli(stack: str, config: dict[str, str], tmp_path, preview: bool = False):
    record = tmp_path / f"{stack}.json"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PULUMI_CONFIG")}
    env["PULUMI_CONFIG"] = json.dumps(config)
    command = [sys.executable, str(HARNESS), "--stack", stack, "--record", str(record),
               str(PROJECT_ROOT)] + (["--preview"] if preview else [])
    # cwd is elsewhere on purpose: the program must import infra/ and components/ by itself.
    done = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=120)
    return done, json.loads(record.read_text())


@pytest.mark.parametrize("preview", [False, True], ids=["update", "preview"])
@pytest.mark.parametrize("stack", stack_names())
def test_stack_runs_under_the_language_host(stack, preview, tmp_path, run_stack):
    done, record = run_like_the_cli(stack, flat_stack_config(stack), tmp_path, preview)
    assert done.returncode == 0, done.stderr
    assert record["ok"] and not record["project_on_sys_path_before_run"]
    in_process = run_stack(stack, preview=preview)
    assert sorted((r["type"], r["name"]) for r in record["registrations"]) == sorted(
        (r.type, r.name) for r in in_process.registrations)
    assert "caches" in record["stack_outputs"]
    # A stack loads nothing of the other cloud: not its SDK, components, config or catalog.
    other = "gcp" if flat_stack_config(stack)["managed-cache:cloud"] == "aws" else "aws"
    assert [m for m in record["modules"] if _of_cloud(m, other)] == []
    assert any(_of_cloud(m, "gcp" if other == "aws" else "aws") for m in record["modules"])


def _of_cloud(module: str, cloud: str) -> bool:
    """pulumi_gcp, components.gcp.network, infra.catalog.gcp, infra.config.gcp_network ..."""
    return any(part == cloud or part.startswith(f"{cloud}_") or part == f"pulumi_{cloud}"
               for part in module.split("."))


def test_config_mistake_is_one_clean_error_without_traceback(tmp_path):
    config = flat_stack_config("dev")
    config["managed-cache:caches"] = json.dumps({"sessions": {"replicas": 9}})
    done, record = run_like_the_cli("dev", config, tmp_path)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "caches.sessions.replicas: 9 is not allowed" in done.stderr
    assert record["registrations"] == []


def test_more_zones_than_the_account_has_is_one_clean_error_without_traceback(tmp_path):
    # Only the zone lookup knows how many zones an account sees (the mocks answer two for
    # us-west-1, as many accounts list it); production asks for three.
    config = flat_stack_config("prod")
    config["aws:region"] = "us-west-1"
    done, _ = run_like_the_cli("prod", config, tmp_path)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and "exception" not in done.stderr
    assert ("error: network.availability_zones: 3 zones, but this account has 2 in "
            "the region (us-west-1a, us-west-1c); set network.availability_zones to 2 or "
            "fewer.") in done.stderr.splitlines()


def test_readme_plan_command_works_in_a_fresh_process():
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run([sys.executable, "-m", "infra.plan", "dev"], cwd=PROJECT_ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Stack dev: cloud aws, profile development" in done.stdout
    assert f"authToken: {MASK}" in done.stdout and MOCK_TOKEN not in done.stdout
