"""Turns one stack's `pulumi preview` output and exit code into the Markdown of its sticky PR
comment, for .github/workflows/pr-preview.yml.

The workflow runs the CLI itself rather than pulumi/actions' `comment-on-pr`: that action
comments only after the command succeeds (pulumi/actions src/main.ts, v7.0.0: the comment
follows `await actions[config.command]()`, which throws on a non-zero exit), so a preview
stopped by a mandatory CrossGuard violation left the pull request without a word of why.

Standard library only: the workflow runs it with the runner's python3.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

# GitHub refuses comments over 65,536 characters; what is not output fits in the rest.
COMMENT_BUDGET_CHARS = 60_000
ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
# What stops a preview, as the CLI prints it with or without `--diff`
# (pkg/backend/display/diff.go renderDiffPolicyViolationEvent and renderDiffDiagEvent,
# progress.go printPolicies): a policy violation's line carries `[mandatory]`, an error's
# diagnostic starts with `error:`.
# Advisory violations (`[advisory]`) never stop it but are what a reviewer should read first.
STOPS = re.compile(r"\[mandatory\]|^\s*error:")
ADVISORY = re.compile(r"\[advisory\]")
MAX_LISTED_LINES = 40
# Output and errors may name the AWS account (ARNs in `--diff` values, "User:
# arn:aws:sts::<id>:" in a provider's error); the comment may be public, the job log keeps it.
ACCOUNT_ID = re.compile(r"(?<!\d)\d{12}(?!\d)")
MASKED_ACCOUNT = "<account id>"
MAX_LINE_CHARS = 300


def shortened(line: str) -> str:
    return line if len(line) <= MAX_LINE_CHARS else line[:MAX_LINE_CHARS - 3] + "..."


def matching_lines(output: str, pattern: re.Pattern[str]) -> str:
    """The lines of the output that match, in order; at most MAX_LISTED_LINES of them."""
    found = [shortened(line.rstrip()) for line in output.splitlines() if pattern.search(line)]
    if len(found) > MAX_LISTED_LINES:
        found = found[:MAX_LISTED_LINES] + [
            f"... and {len(found) - MAX_LISTED_LINES} more in the output below"]
    return "\n".join(found)


def tail(text: str, limit: int) -> tuple[str, bool]:
    """The last `limit` characters, from a line start: the CLI prints its errors and summary
    last, so the end is what a reviewer needs."""
    if len(text) <= limit:
        return text, False
    cut = text[-limit:]
    newline = cut.find("\n")
    return (cut[newline + 1:] if newline >= 0 else cut), True


def fenced(text: str) -> str:
    """A code block whose fence is longer than any backtick run inside it."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text}\n{fence}"


def heading(stack: str, commit: str, outcome: str) -> str:
    at = f" at `{commit[:12]}`" if commit else ""
    return f"### `pulumi preview` of `{stack}`{at}: {outcome}"


def render(stack: str, exit_code: int, output: str, log_url: str, errors: str = "",
           commit: str = "") -> str:
    """The comment: `output` is the CLI's stdout; of `errors` (its stderr, where the engine's
    diagnostics go) only the lines that stopped the preview are shown. `commit`: the head
    commit previewed, so a comment left from an earlier push says which one it is about."""
    output = ACCOUNT_ID.sub(MASKED_ACCOUNT, ANSI_ESCAPE.sub("", output)).strip("\n")
    errors = ANSI_ESCAPE.sub("", errors)
    passed = exit_code == 0
    parts = [heading(stack, commit, "passed" if passed else "FAILED"), ""]
    if not passed:
        parts += [
            "> [!CAUTION]",
            f"> The preview of `{stack}` stopped (exit code {exit_code}): a mandatory policy "
            "violation or an error. This pull request cannot be deployed to "
            f"`{stack}` until it passes. [Job log]({log_url})",
            "",
        ]
        stops = matching_lines(f"{output}\n{ACCOUNT_ID.sub(MASKED_ACCOUNT, errors)}", STOPS)
        if stops:
            parts += [fenced(stops), ""]
    advisory = matching_lines(output, ADVISORY)
    if advisory:
        parts += ["Advisory policy violations (they do not stop a deploy):", "",
                  fenced(advisory), ""]
    shown, trimmed = tail(output, COMMENT_BUDGET_CHARS - sum(len(part) for part in parts))
    summary = "Output" + (" (its end; the beginning is in the job log)" if trimmed else "")
    parts += [
        f"<details{'' if passed else ' open'}><summary>{summary}</summary>",
        "",
        fenced(shown),
        "",
        "</details>",
        "",
    ]
    return "\n".join(parts)


def not_run(stack: str, log_url: str, commit: str = "") -> str:
    """The comment when the preview could not start (credentials, the backend login or an
    install failed): it replaces the last push's, which must not still say `passed`."""
    return "\n".join([
        heading(stack, commit, "NOT RUN"), "",
        "> [!WARNING]",
        f"> The preview of `{stack}` could not start: cloud credentials, the Pulumi login or an "
        f"install failed before it. [Job log]({log_url})", ""])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stack", required=True)
    parser.add_argument("--exit-code", type=int, help="the preview's exit code")
    parser.add_argument("--log-url", required=True)
    parser.add_argument("--errors", type=Path, help="the preview's stderr")
    parser.add_argument("--commit", default="", help="the pull request's head commit")
    parser.add_argument("--not-run", action="store_true",
                        help="the preview could not start: say so, with no output")
    parser.add_argument("output", type=Path, nargs="?", help="the preview's stdout")
    parser.add_argument("-o", "--out", type=Path, required=True)
    args = parser.parse_args(argv)
    if args.not_run:
        comment = not_run(args.stack, args.log_url, args.commit)
    elif args.output is None or args.exit_code is None:
        parser.error("the preview's stdout and --exit-code are required unless --not-run")
    else:
        text = args.output.read_text(encoding="utf-8", errors="replace")
        errors = args.errors.read_text(encoding="utf-8", errors="replace") if args.errors else ""
        comment = render(args.stack, args.exit_code, text, args.log_url, errors, args.commit)
    args.out.write_text(comment, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
