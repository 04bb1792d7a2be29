"""The real preview's PR comment (.ci/preview_comment.py): a reviewer reads why a preview
stopped on the pull request itself, the comment fits GitHub's limit, and the script runs on the
runner's bare python3."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / ".ci" / "preview_comment.py"
LOG_URL = "https://github.com/acme/caches/actions/runs/42"
# GitHub refuses a comment longer than this.
GITHUB_COMMENT_LIMIT = 65_536

# `pulumi preview --diff --color never` as the diff display prints a mandatory violation
# (pkg/backend/display/diff.go: renderDiffPolicyViolationEvent, then the `error:` diagnostic).
VIOLATION = (
    "    managed-cache-security@v0.1.0 [mandatory]  cache-encryption-in-transit  "
    "(aws:elasticache/replicationGroup:ReplicationGroup: sessions-rg)")
FAILED_PREVIEW = f"""Previewing update (prod)

View in Browser (Ctrl+O): https://app.pulumi.com/acme/managed-cache/prod/previews/1

+ pulumi:pulumi:Stack: (create)
    + aws:elasticache/replicationGroup:ReplicationGroup: (create)
        transitEncryptionEnabled: false
{VIOLATION}
Transit encryption must be on for every cache.
    managed-cache-security@v0.1.0 [advisory]  cache-alarms  (pulumi:pulumi:Stack: prod)
error: preview failed

Resources:
    + 41 to create
"""
PASSED_PREVIEW = """Previewing update (dev)

    ~ aws:elasticache/parameterGroup:ParameterGroup: (update)
        ~ parameters: [...]
Resources:
    ~ 1 to update
    40 unchanged
"""


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("preview_comment", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


preview_comment = load_script()


def test_a_failed_preview_says_why_at_the_top_of_its_comment():
    comment = preview_comment.render("prod", 255, FAILED_PREVIEW, LOG_URL)
    heading, _, body = comment.partition("\n")
    assert heading == "### `pulumi preview` of `prod`: FAILED"
    caution, output = body.split("<details open>")
    assert "> [!CAUTION]" in caution and "exit code 255" in caution
    assert f"[Job log]({LOG_URL})" in caution
    assert VIOLATION in caution and "error: preview failed" in caution
    # The advisory line is listed apart: it does not stop a deploy.
    stops, advisory = caution.split("Advisory policy violations")
    assert "[advisory]" not in stops and "cache-alarms" in advisory
    assert FAILED_PREVIEW.strip("\n") in output


def test_of_stderr_only_the_lines_that_stopped_the_preview_reach_the_comment():
    # The engine's diagnostics go to stderr; raw provider text there stays in the job log.
    stderr = ("warning: aws:elasticache: retrying DescribeReplicationGroups for account "
              "123456789012\nerror: preview failed\n"
              "error: AccessDenied: User: arn:aws:sts::210987654321:assumed-role/preview/pr-7 is "
              "not authorized to perform: elasticache:DescribeReplicationGroups\n")
    comment = preview_comment.render("prod", 255, PASSED_PREVIEW, LOG_URL, stderr)
    assert "error: preview failed" in comment
    assert "123456789012" not in comment
    # The stopping line is shown, the account it names is not.
    assert "arn:aws:sts::<account id>:assumed-role/preview/pr-7 is not authorized" in comment
    assert "210987654321" not in comment


def test_account_ids_in_the_output_are_masked_too():
    # `--diff` prints ARN values (an SNS topic's id, an old kms_key_id) on stdout.
    output = PASSED_PREVIEW + "    - kmsKeyId: \"arn:aws:kms:eu-west-1:123456789012:key/k\"\n"
    comment = preview_comment.render("prod", 0, output, LOG_URL)
    assert "arn:aws:kms:eu-west-1:<account id>:key/k" in comment
    assert "123456789012" not in comment


def test_the_comment_names_the_commit_it_previewed():
    comment = preview_comment.render("dev", 0, PASSED_PREVIEW, LOG_URL,
                                     commit="0123456789abcdef0123456789abcdef01234567")
    assert comment.startswith("### `pulumi preview` of `dev` at `0123456789ab`: passed\n")


def test_a_preview_that_could_not_start_replaces_the_last_comment(tmp_path):
    # Credentials or the login failed: the last push's "passed" must not stay on the PR.
    out = tmp_path / "comment.md"
    subprocess.run([sys.executable, "-I", "-S", str(SCRIPT), "--stack", "prod", "--not-run",
                    "--commit", "abc1234", "--log-url", LOG_URL, "-o", str(out)],
                   check=True, cwd=tmp_path)
    comment = out.read_text()
    assert comment.startswith("### `pulumi preview` of `prod` at `abc1234`: NOT RUN\n")
    assert "could not start" in comment and f"[Job log]({LOG_URL})" in comment
    assert "passed" not in comment
    # Without --not-run, the output and the exit code are required.
    missing = subprocess.run([sys.executable, "-I", "-S", str(SCRIPT), "--stack", "prod",
                              "--log-url", LOG_URL, "-o", str(out)],
                             capture_output=True, text=True, cwd=tmp_path)
    assert missing.returncode == 2 and "--exit-code are required" in missing.stderr


def test_a_passed_preview_keeps_its_output_folded():
    comment = preview_comment.render("dev", 0, PASSED_PREVIEW, LOG_URL)
    assert comment.startswith("### `pulumi preview` of `dev`: passed\n")
    assert "CAUTION" not in comment and "Advisory" not in comment
    assert "<details><summary>Output</summary>" in comment
    assert PASSED_PREVIEW.strip("\n") in comment


def test_colour_codes_do_not_reach_the_comment():
    coloured = "\x1b[1m\x1b[38;5;9merror:\x1b[0m preview failed\n"
    comment = preview_comment.render("prod", 255, coloured, LOG_URL)
    assert "\x1b" not in comment
    assert "```text\nerror: preview failed\n```" in comment


def test_a_long_preview_keeps_its_end_and_fits_in_a_comment():
    diff = "".join(f"    + aws:ec2/subnet:Subnet: (create) subnet-{i}\n" for i in range(5000))
    # Violations printed early in a long diff are still listed at the top.
    end = "error: preview failed\nResources:\n    + 5000 to create\n"
    output = f"{VIOLATION}\n{diff}{'x' * 2000}\n{end}"
    comment = preview_comment.render("prod", 255, output, LOG_URL)
    assert len(comment) < GITHUB_COMMENT_LIMIT
    caution, shown = comment.split("<details open>")
    assert VIOLATION in caution
    assert "(its end; the beginning is in the job log)" in shown
    assert shown.rstrip().endswith("+ 5000 to create\n```\n\n</details>")
    assert "subnet-0\n" not in shown
    # Cut at a line start: the first line shown is a whole line of the output.
    first = shown.split("```text\n", 1)[1].split("\n", 1)[0]
    assert first + "\n" in output and output.index(first) > 0


def test_many_violations_are_listed_up_to_a_limit():
    output = "".join(f"{VIOLATION} {i}\n" for i in range(100)) + "error: preview failed\n"
    comment = preview_comment.render("prod", 255, output, LOG_URL)
    caution = comment.split("<details open>")[0]
    assert f"{VIOLATION} 39\n" in caution and f"{VIOLATION} 40\n" not in caution
    assert "... and 61 more in the output below" in caution


def test_output_holding_a_code_fence_cannot_close_the_comments_block():
    output = "error: bad value\n```\nnot markdown\n````\n"
    comment = preview_comment.render("prod", 1, output, LOG_URL)
    assert "`````text\n" in comment and "\n`````\n" in comment


def test_the_workflow_runs_it_on_the_runners_bare_python(tmp_path):
    # -I -S: no site-packages, no user paths, nothing from this checkout on sys.path.
    (tmp_path / "preview.txt").write_text(FAILED_PREVIEW)
    (tmp_path / "preview.err").write_text("error: preview failed\n")
    out = tmp_path / "comment.md"
    subprocess.run(
        [sys.executable, "-I", "-S", str(SCRIPT), "--stack", "prod", "--exit-code", "255",
         "--log-url", LOG_URL, "--errors", str(tmp_path / "preview.err"), "-o", str(out),
         str(tmp_path / "preview.txt")],
        check=True, cwd=tmp_path)
    assert out.read_text() == preview_comment.render("prod", 255, FAILED_PREVIEW, LOG_URL,
                                                     "error: preview failed\n")


# What the CLI really prints for a mandatory violation under `--diff --color never` (pulumi/pulumi
# pkg/engine/lifecycletest/testdata/output/TestSimpleAnalyzeResourceFailure/diff.stdout.txt,
# colour tags removed): the message on the same line, `[severity: ...]` when the policy sets
# one, and nothing on stderr (a bail: exit code 1, pkg/cmd/pulumi/cmd/exit_codes.go).
REAL_VIOLATION = ("    analyzerA@v [mandatory] [severity: high]  always-fails  "
                  "(pkgA:m:typA: resA)a policy failed")
REAL_DIFF_STDOUT = f"{REAL_VIOLATION}\nResources:\n\nPolicy Packs run:\n    Name       Version\n" \
                   "    analyzerA\n\nDuration: 1s\n"


def test_the_clis_own_violation_line_is_listed_with_an_empty_stderr():
    caution = preview_comment.render("prod", 1, REAL_DIFF_STDOUT, LOG_URL, "").split(
        "<details open>")[0]
    assert "exit code 1" in caution and REAL_VIOLATION in caution
