"""The GitHub workflows hold the supply-chain rules a reviewer (and zizmor) checks: actions pinned
to a commit with the version beside it, no expression expansion inside shell scripts, no
credentials left on disk by checkout, least permissions per job, named secrets only; a CI
workflow runs .ci/run; Dependabot keeps the pins and requirements current."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
SKIP_DIRS = {"venv", "node_modules", "__pycache__"}
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")
# `uses: owner/repo@<sha> # vX.Y.Z` as written in the file (the comment is lost by the parser).
PIN_LINE = re.compile(r"uses:\s*(\S+)\s*(#.*)?$")


def load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text())
    # YAML 1.1 reads the bare key `on` as the boolean True.
    if True in data:
        data["on"] = data.pop(True)
    return data


def steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def uses_refs(workflow: dict[str, Any]) -> list[str]:
    refs = [job["uses"] for job in workflow["jobs"].values() if "uses" in job]
    return refs + [step["uses"] for step in steps(workflow) if "uses" in step]


def test_the_workflows_exist():
    names = {p.name for p in WORKFLOWS}
    assert {"ci.yml", "pr-preview.yml", "deploy.yml", "pulumi-up.yml"} <= names


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_action_is_pinned_to_a_commit_sha(path):
    for ref in uses_refs(load(path)):
        if ref.startswith("./"):
            continue  # a reusable workflow of this repository, at this commit
        assert PINNED.match(ref), f"{path.name}: {ref} is not pinned to a 40-hex commit SHA"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_pin_names_its_version(path):
    for line in path.read_text().splitlines():
        match = PIN_LINE.search(line.strip())
        if not match or match.group(1).startswith("./"):
            continue
        comment = match.group(2) or ""
        assert re.match(r"#\s*v\d+(\.\d+)*\b", comment), (
            f"{path.name}: `{line.strip()}` needs the released version as a comment, e.g. "
            "`# v4.2.2`, for reviewers and Dependabot")


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_no_expression_is_expanded_inside_a_shell_script(path):
    for step in steps(load(path)):
        script = step.get("run", "")
        # Event data, inputs, matrix values, outputs: all reach the shell through `env:`.
        assert "${{" not in script, (
            f"{path.name}: step {step.get('name', step.get('uses'))!r} expands an expression "
            "inside run:; pass it through env: instead")


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_checkout_leaves_no_credentials_behind(path):
    for step in steps(load(path)):
        if step.get("uses", "").startswith("actions/checkout@"):
            assert (step.get("with") or {}).get("persist-credentials") is False, (
                f"{path.name}: a checkout without persist-credentials: false")


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_no_secrets_are_inherited(path):
    for name, job in load(path)["jobs"].items():
        assert job.get("secrets") != "inherit", f"{path.name}: job {name} uses secrets: inherit"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_job_names_its_permissions_and_the_workflow_grants_none(path):
    workflow = load(path)
    assert workflow.get("permissions") == {}, (
        f"{path.name}: top-level permissions must be {{}}; each job names what it needs")
    for name, job in workflow["jobs"].items():
        assert isinstance(job.get("permissions"), dict), (
            f"{path.name}: job {name} has no permissions: block")
        assert "write-all" not in str(job["permissions"])
        assert set(job["permissions"].values()) <= {"read", "write", "none"}


def test_only_cloud_jobs_may_mint_oidc_tokens_and_only_commenters_may_write():
    for path in WORKFLOWS:
        for name, job in load(path)["jobs"].items():
            permissions = job["permissions"]
            if permissions.get("id-token") == "write":
                text = yaml.safe_dump(job) + (
                    (ROOT / job["uses"]).read_text() if job.get("uses", "").startswith("./")
                    else "")
                assert "configure-aws-credentials" in text or "google-github-actions/auth" \
                    in text, f"{path.name}: {name} mints OIDC tokens but assumes no cloud role"
            if permissions.get("pull-requests") == "write":
                assert "comment" in yaml.safe_dump(job), f"{path.name}: {name}"
            assert permissions.get("contents") in (None, "read"), f"{path.name}: {name}"


def test_reusable_workflow_declares_the_secrets_its_callers_pass():
    callee = load(ROOT / ".github/workflows/pulumi-up.yml")
    declared = set(callee["on"]["workflow_call"]["secrets"])
    used = set(re.findall(r"secrets\.(\w+)", (ROOT / ".github/workflows/pulumi-up.yml")
                          .read_text()))
    assert used <= declared, used - declared
    for name, job in load(ROOT / ".github/workflows/deploy.yml")["jobs"].items():
        if job.get("uses", "").endswith("pulumi-up.yml"):
            assert set(job["secrets"]) <= declared, (name, set(job["secrets"]) - declared)


def test_ci_runs_the_ci_script_on_every_pull_request_and_on_main():
    ci = load(ROOT / ".github/workflows/ci.yml")
    assert "pull_request" in ci["on"]
    assert ci["on"]["push"]["branches"] == ["main"]
    runs = [s for s in steps(ci) if "run" in s]
    assert [s["run"].strip() for s in runs] == ["bash .ci/run"]
    assert runs[0]["env"]["CI"] == "true"
    assert (ROOT / ".ci/run").exists()


def requirement_dirs() -> set[str]:
    """Folders holding requirements*.txt, as Dependabot names them ("/", "/policy")."""
    found = set()
    for folder, subfolders, files in os.walk(ROOT):
        subfolders[:] = [d for d in subfolders if d not in SKIP_DIRS and not d.startswith(".")]
        if any(f.startswith("requirements") and f.endswith(".txt") for f in files):
            rel = Path(folder).relative_to(ROOT).as_posix()
            found.add("/" if rel == "." else f"/{rel}")
    return found


def test_dependabot_keeps_the_action_pins_and_every_requirements_file_current():
    config = yaml.safe_load((ROOT / ".github/dependabot.yml").read_text())
    updates = config["updates"]
    assert any(u["package-ecosystem"] == "github-actions" and u["directory"] == "/"
               for u in updates)
    # One pip job: the one for "/" reads the folders right below it too (dependabot-core,
    # python/lib/dependabot/python/shared_file_fetcher.rb, req_files_for_dir); a job per folder
    # would open the same updates twice and update the policy lock without the dev lock.
    pip_dirs = [u["directory"] for u in updates if u["package-ecosystem"] == "pip"]
    assert pip_dirs == ["/"]
    assert all(d == "/" or d.count("/") == 1 for d in requirement_dirs()), requirement_dirs()
    assert all(u.get("cooldown", {}).get("default-days", 0) >= 7 for u in updates)


def policy_venv_step(job: dict[str, Any]) -> dict[str, Any]:
    [venv] = [s for s in job["steps"] if "policy/requirements.txt" in s.get("run", "")]
    assert "python -m venv policy/venv" in venv["run"]
    return venv


def step_names(job: dict[str, Any]) -> list[str]:
    return [step.get("name", step.get("uses", "")) for step in job["steps"]]


def policy_pack_steps(job: dict[str, Any], command: str, environment_output: str
                      ) -> tuple[dict[str, Any], dict[str, Any]]:
    """Asserts that the job's pulumi/actions step runs `command` with the policy pack and the
    stack's policy config, after the pack's own virtualenv is built; returns that step and the
    `check` step that computes the environment."""
    [pulumi] = [s for s in job["steps"] if s.get("uses", "").startswith("pulumi/actions@")]
    assert pulumi["with"]["command"] == command
    assert pulumi["with"]["policyPacks"] == "policy"
    assert pulumi["with"]["policyPackConfigs"] == (
        f"policy/config/${{{{ steps.check.outputs.{environment_output} }}}}.json")
    names = step_names(job)
    assert names.index(policy_venv_step(job)["name"]) < names.index(pulumi["name"])
    [check] = [s for s in job["steps"] if s.get("id") == "check"]
    assert f'echo "{environment_output}=${environment_output}"' in check["run"]
    return pulumi, check


def test_the_real_preview_runs_the_policy_pack_with_the_stacks_environment():
    job = load(ROOT / ".github/workflows/pr-preview.yml")["jobs"]["pulumi-preview"]
    [preview] = [s for s in job["steps"] if s.get("id") == "preview"]
    assert "pulumi preview" in preview["run"]
    assert '--policy-pack policy --policy-pack-config "$POLICY_CONFIG"' in preview["run"]
    assert preview["env"]["POLICY_CONFIG"] == (
        "policy/config/${{ steps.check.outputs.environment }}.json")
    [check] = [s for s in job["steps"] if s.get("id") == "check"]
    assert 'echo "environment=$environment"' in check["run"]
    names = step_names(job)
    assert names.index(policy_venv_step(job)["name"]) < names.index(preview["name"])
    for environment in ("production", "development"):
        assert (ROOT / f"policy/config/{environment}.json").exists()
    # Only when credentials exist.
    assert preview["if"] == "steps.check.outputs.ready == 'true'"


def test_a_failed_preview_is_still_commented_on_and_then_fails_the_check():
    # pulumi/actions comments only after a successful command (src/main.ts, v7.0.0), so the
    # CLI runs in a shell step that records the exit code instead of failing the step.
    job = load(ROOT / ".github/workflows/pr-preview.yml")["jobs"]["pulumi-preview"]
    [install] = [s for s in job["steps"] if s.get("uses", "").startswith("pulumi/actions@")]
    assert "command" not in install["with"]          # install-only mode
    assert "comment-on-pr" not in install["with"]
    [preview] = [s for s in job["steps"] if s.get("id") == "preview"]
    script = preview["run"]
    assert script.index("set +e") < script.index("pulumi preview") < script.index("set -e")
    assert 'echo "exit_code=$exit_code" >> "$GITHUB_OUTPUT"' in script
    assert ".ci/preview_comment.py" in script and '--exit-code "$exit_code"' in script
    names = step_names(job)
    [post] = [s for s in job["steps"]
              if s.get("uses", "").startswith("marocchino/sticky-pull-request-comment@")
              and s["if"] == "steps.check.outputs.ready == 'true'"]
    assert post["with"]["path"] == "preview-comment.md" and "-o preview-comment.md" in script
    assert post["with"]["header"] == "pulumi-preview-${{ matrix.stack }}"
    [fail] = [s for s in job["steps"] if "exit 1" in s.get("run", "")]
    assert "steps.preview.outputs.exit_code != '0'" in fail["if"]
    assert names.index(preview["name"]) < names.index(post["name"]) < names.index(fail["name"])
    # stderr (raw provider text) reaches the comment only as the lines that stopped it.
    assert "> preview.txt 2> preview.err" in script and "--errors preview.err" in script


def test_a_skipped_preview_replaces_an_earlier_comment_but_never_adds_one():
    job = load(ROOT / ".github/workflows/pr-preview.yml")["jobs"]["pulumi-preview"]
    [check] = [s for s in job["steps"] if s.get("id") == "check"]
    assert "} > preview-comment.md" in check["run"]
    posts = [s for s in job["steps"]
             if s.get("uses", "").startswith("marocchino/sticky-pull-request-comment@")]
    [skipped] = [s for s in posts if "ready != 'true'" in s["if"]]
    assert skipped["with"]["only_update"] is True
    assert skipped["with"]["header"] == "pulumi-preview-${{ matrix.stack }}"
    assert "github.event.pull_request.head.repo.full_name == github.repository" in skipped["if"]


def test_pulumi_up_runs_the_policy_pack_with_the_stacks_environment():
    # The preview sees computed values as unknown, and a manual deploy has no preview at all.
    up = load(ROOT / ".github/workflows/pulumi-up.yml")["jobs"]["up"]
    _, check = policy_pack_steps(up, "up", "policy_environment")
    assert "[ \"$profile\" = \"development\" ] && policy_environment=development" in check["run"]


def test_a_manual_deploy_runs_only_on_main():
    deploy = load(ROOT / ".github/workflows/deploy.yml")
    jobs = deploy["jobs"]
    assert "workflow_dispatch" in deploy["on"]
    assert jobs["stacks"]["if"] == "github.ref == 'refs/heads/main'"
    # Every deploying job waits for that one, so a skipped `stacks` skips them all.
    assert all("stacks" in ([job["needs"]] if isinstance(job["needs"], str) else job["needs"])
               for name, job in jobs.items() if name != "stacks")


# A stand-in for `python -m infra.plan STACK ... -o OUT`: stack `broken` fails as a config error
# does, printing ERROR_LINES; any other stack writes a report too big for one comment, or a
# small compact one.
FAKE_PLAN = """#!/bin/sh
stack=$3; out=""; compact=""
while [ $# -gt 0 ]; do
  case "$1" in -o) out=$2; shift;; --compact) compact=1;; esac
  shift
done
if [ "$stack" = broken ]; then
ERROR_LINES
  echo "managed-cache:caches.sessions.node_type: not one of the allowed values" >&2
  exit 1
fi
if [ -n "$compact" ]; then
  echo "### Offline plan: \\`$stack\\` (compact)" > "$out"
else
  echo "### Offline plan: \\`$stack\\`" > "$out"
  head -c 70000 /dev/zero | tr '\\\\0' x >> "$out"
fi
"""


def run_offline_plan_step(tmp_path: Path, error_lines: str = "") -> tuple[str, str]:
    """Run pr-preview.yml's offline plan step as written, for stacks `big` and `broken`, with
    FAKE_PLAN as the venv's python. Returns (the step's outputs, comment.md)."""
    workflow = load(ROOT / ".github/workflows/pr-preview.yml")
    [step] = [s for s in workflow["jobs"]["offline-plan"]["steps"] if s.get("id") == "plan"]
    for stack in ("big", "broken"):
        (tmp_path / f"Pulumi.{stack}.yaml").write_text("config: {}\n")
    (tmp_path / "venv" / "bin").mkdir(parents=True)
    fake = tmp_path / "venv" / "bin" / "python"
    fake.write_text(FAKE_PLAN.replace("ERROR_LINES", error_lines))
    fake.chmod(0o755)
    (tmp_path / "plans").mkdir()
    env = {"PATH": os.environ["PATH"], "GITHUB_OUTPUT": str(tmp_path / "output"),
           "GITHUB_STEP_SUMMARY": str(tmp_path / "summary"),
           "BASE_REF": "main", "BASE_SHA": "b" * 40, "HEAD_SHA": "h" * 40}
    subprocess.run(["bash", "-e", "-c", step["run"]], cwd=tmp_path, env=env, check=True)
    return (tmp_path / "output").read_text(), (tmp_path / "comment.md").read_text()


def test_an_oversized_plan_comment_still_names_the_stack_that_failed(tmp_path):
    # Above 60,000 characters the comment falls back to the compact reports; a stack whose plan
    # failed has none, yet the check fails saying "see the comment": the comment must say why.
    outputs, comment = run_offline_plan_step(tmp_path)
    assert "failed=true" in outputs
    assert len(comment) < 60_000 and "(compact)" in comment     # the fallback was taken
    assert "`broken` FAILED" in comment and "not one of the allowed values" in comment
    assert "`broken`: no plan of the base branch" in comment


def test_a_failed_stack_with_a_huge_error_line_still_fits_one_comment(tmp_path):
    # `tail -n 60` bounds lines, not bytes: one long line (a repr in a traceback) made the
    # short comment, which keeps every FAILED block, too big for GitHub (65,536 characters).
    outputs, comment = run_offline_plan_step(
        tmp_path, '  head -c 70000 /dev/zero | tr "\\\\0" y >&2\n  echo >&2')
    assert "failed=true" in outputs
    assert len(comment) < 60_000
    assert "`broken` FAILED" in comment and "not one of the allowed values" in comment


def test_the_offline_plan_diffs_against_the_base_the_pull_request_was_merged_into(tmp_path):
    """The checkout is GitHub's merge commit; the event's base.sha is not updated when other
    pull requests merge, so their changes would show in this one's diff. The base plan and
    the comment use the merge commit's first parent."""
    steps = load(ROOT / ".github/workflows/pr-preview.yml")["jobs"]["offline-plan"]["steps"]
    [name_base] = [s for s in steps if s.get("id") == "base"]
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-C", str(tmp_path)]
    subprocess.run(["git", "init", "-q", "-b", "main", str(tmp_path)], check=True)
    for message in ("old base", "another pull request merged"):
        subprocess.run([*git, "commit", "-q", "--allow-empty", "-m", message], check=True)
    subprocess.run([*git, "checkout", "-q", "-b", "pr", "HEAD~1"], check=True)
    subprocess.run([*git, "commit", "-q", "--allow-empty", "-m", "this pull request"], check=True)
    subprocess.run([*git, "checkout", "-q", "main"], check=True)
    subprocess.run([*git, "merge", "-q", "--no-ff", "-m", "merge", "pr"], check=True)
    merged_into = subprocess.run([*git, "rev-parse", "HEAD^1"], capture_output=True,
                                 text=True, check=True).stdout.strip()
    output = tmp_path / "output"
    subprocess.run(["bash", "-e", "-c", name_base["run"]], cwd=tmp_path, check=True,
                   env={"PATH": os.environ["PATH"], "GITHUB_OUTPUT": str(output)})
    assert output.read_text() == f"sha={merged_into}\n"
    for step in steps:
        if "BASE_SHA" in step.get("env", {}):
            assert step["env"]["BASE_SHA"] == "${{ steps.base.outputs.sha }}", step["name"]


def test_a_stack_files_trailing_comment_does_not_skip_the_production_approval(tmp_path):
    """The workflows read the profile with sed; YAML ends a plain value at ' #', so a comment
    after `production` must not move the stack to the unapproved non-production job."""
    steps = load(ROOT / ".github/workflows/deploy.yml")["jobs"]["stacks"]["steps"]
    [split] = [s for s in steps if s.get("id") == "list"]
    (tmp_path / "Pulumi.live.yaml").write_text(
        "config:\n  managed-cache:profile: production   # changes need an approval\n")
    (tmp_path / "Pulumi.try.yaml").write_text("config:\n  managed-cache:profile: 'development'\n")
    output = tmp_path / "output"
    subprocess.run(["bash", "-e", "-c", split["run"]], cwd=tmp_path, check=True,
                   env={"PATH": os.environ["PATH"], "GITHUB_OUTPUT": str(output)})
    assert 'production=["live"]' in output.read_text().splitlines()
    assert 'nonprod=["try"]' in output.read_text().splitlines()
