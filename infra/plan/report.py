"""Offline plan: run the real program under Pulumi mocks and show what `pulumi up` would create.

    python -m infra.plan dev                         # tree, cost, findings (secrets masked)
    python -m infra.plan prod --format markdown      # for a pull-request comment
    python -m infra.plan prod --format json > plan-prod.json
    python -m infra.plan prod --diff plan-prod.json  # what changes; DATA LOSS flagged loudly

No cloud account or Pulumi CLI is needed: the stack's Pulumi.<stack>.yaml is fed to the
program exactly as the CLI would feed it, and every registration is recorded. See docs/plan.md.

Modules of infra.plan: report (this: run, report, CLI), mocks (the mock cloud), resources
(masked resource records), cost (estimated monthly cost), findings (security and durability),
diff (changes and data loss), render (text, Markdown, JSON), secrets (masking).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from infra.plan import mocks as mockcloud
from infra.plan.secrets import MASK, SECRET_SIG, SIG_KEY, mask
from infra.stackfile import flat_stack_config, stack_names

if TYPE_CHECKING:  # the spec's modules load with the program, in run_plan
    from infra.config.spec import AnyStackSpec

__all__ = ["MASK", "SECRET_SIG", "SIG_KEY", "Plan", "build_report", "main", "mask",
           "render_text", "run_plan"]

FORMATS = ("text", "markdown", "json")
SCHEMA_VERSION = 1
EXIT_CONFIG_ERROR, EXIT_USAGE, EXIT_DATA_LOSS = 1, 2, 3


@dataclass
class Plan:
    stack: str
    spec: AnyStackSpec
    recorder: mockcloud.Recorder
    preview: bool = False


def run_plan(stack: str, preview: bool = False,
             config: dict[str, str] | None = None) -> Plan:
    """Run the program for `stack` under mocks. Raises ConfigError for an invalid config.

    config: the flat CLI config to use instead of Pulumi.<stack>.yaml (tests, tools).
    """
    import pulumi

    from infra.config import load_stack_config
    from infra.program import main as program_main

    flat = dict(config) if config is not None else flat_stack_config(stack)
    spec = load_stack_config(flat, stack)  # fails fast, before any mock is installed
    recorder = mockcloud.install(stack, preview=preview)
    pulumi.runtime.set_all_config(flat)
    mockcloud.run_program(program_main)
    return Plan(stack=stack, spec=spec, recorder=recorder, preview=preview)


def build_report(plan: Plan, today: date | None = None,
                 secrets: set[str] | None = None) -> dict[str, Any]:
    """The plan as plain data (the JSON format). Secret values found while masking are added
    to `secrets` so renderers can scrub them; the report itself holds none."""
    from infra.plan import cost as plan_cost
    from infra.plan import findings as plan_findings
    from infra.plan import resources as plan_resources

    spec = plan.spec
    found = secrets if secrets is not None else set()
    registrations = plan.recorder.registrations
    resources = plan_resources.collect(
        registrations, cache_names={c.name for c in spec.all_caches},
        aliased_urns={r.urn for r in registrations if r.aliased}, secrets_found=found)
    cost = plan_cost.estimate(spec, resources)
    findings = plan_findings.evaluate(spec, resources, today)
    regions = list(spec.regions)
    caches = cost.pop("caches")
    total = cost.pop("total_monthly_usd")
    total_range = cost.pop("total_monthly_usd_range")
    return {
        "schema_version": SCHEMA_VERSION,
        "stack": plan.stack,
        "cloud": spec.cloud,
        "profile": spec.profile,
        "regions": regions,
        "preview": plan.preview,
        "caches": caches,
        "total_monthly_usd": total,
        "total_monthly_usd_range": total_range,
        "cost": cost,
        "findings": findings,
        "warnings": list(spec.warnings),
        "summary": {
            "resources": sum(r.custom for r in registrations),
            "components": sum(not r.custom for r in registrations),
            "protected": sum(r.protect for r in registrations),
            "findings": {s: sum(f["severity"] == s for f in findings)
                         for s in plan_findings.SEVERITIES},
        },
        "resources": resources,
    }


def render_text(plan: Plan) -> str:
    """The text report (tree, cost, findings) with secrets masked."""
    from infra.plan import render as plan_render

    secrets: set[str] = set()
    return plan_render.render(build_report(plan, secrets=secrets), "text", secrets)


def load_report(path: str) -> dict[str, Any]:
    """An earlier JSON plan. Raises ValueError when the file is not one."""
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, json.JSONDecodeError) as err:
        raise ValueError(f"cannot read {path} as a JSON plan: {err}") from err
    if not isinstance(data, dict) or not isinstance(data.get("resources"), list):
        raise ValueError(f"{path} is not a JSON plan (made with --format json): no resources")
    return data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.plan", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("stack", nargs="?", default="dev",
                        help=f"stack name (one of: {', '.join(stack_names())}); default dev")
    parser.add_argument("--format", choices=FORMATS, default="text",
                        help="text for terminals (default), markdown for PR comments, json for "
                             "machines and --diff")
    parser.add_argument("--diff", metavar="OLD.json",
                        help="compare with an earlier plan made with --format json")
    parser.add_argument("--preview", action="store_true",
                        help="answer like `pulumi preview`: computed outputs unknown")
    parser.add_argument("--compact", action="store_true",
                        help="leave the resource tree out of text and Markdown (size limits)")
    parser.add_argument("--output", "-o", metavar="FILE",
                        help="write the report to FILE instead of standard output")
    parser.add_argument("--fail-on-data-loss", action="store_true",
                        help=f"exit {EXIT_DATA_LOSS} when --diff finds data loss, or a change "
                             "the cloud will reject or not apply (the report is still written)")
    args = parser.parse_args(argv)

    import logging

    import pulumi

    from infra.plan import diff as plan_diff

    # As the CLI's language host does (pulumi-language-python-exec): a run that fails part-way
    # leaves futures nobody observes, and asyncio would log each with a traceback.
    logging.getLogger("asyncio").setLevel(logging.CRITICAL)
    from infra.plan import render as plan_render

    old = None
    if args.diff:
        try:
            old = load_report(args.diff)
        except ValueError as err:
            print(f"error: {err}", file=sys.stderr)
            return EXIT_USAGE
    progress = sys.stderr.isatty()
    if progress:
        print(f"planning stack {args.stack} under mocks...", end="", file=sys.stderr,
              flush=True)
    try:
        plan = run_plan(args.stack, preview=args.preview)
    # A config mistake (ConfigError), or one only the run can see, such as more zones than
    # the region has: one line, no traceback, as under the CLI's language host.
    except (pulumi.RunError, FileNotFoundError) as err:
        if progress:
            print(file=sys.stderr)
        print(f"error: {err}", file=sys.stderr)
        return EXIT_CONFIG_ERROR
    if progress:
        print("\r\033[K", end="", file=sys.stderr, flush=True)

    secrets: set[str] = set()
    report = build_report(plan, secrets=secrets)
    if old is not None:
        report["diff"] = plan_diff.diff(old, report)
    out = plan_render.render(report, args.format, secrets, compact=args.compact)
    if args.output:
        Path(args.output).write_text(out + "\n")
    else:
        try:
            print(out, flush=True)
        except BrokenPipeError:  # the reader left early (`| head`): nothing more to say
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 (no flush error at exit)
    if args.fail_on_data_loss and old is not None and (report["diff"]["data_loss"]
                                                       or report["diff"]["rejected"]):
        return EXIT_DATA_LOSS
    return 0


def _exit(code: int) -> None:
    """End a whole-process run without the interpreter's teardown.

    Everything is written by now; tearing down the Pulumi SDK's thread pool and event loop
    takes about 0.3 s (a quarter of the run) and, at random, makes asyncio print an
    "Exception ignored" traceback about a closed selector. In-process callers of main() are
    unaffected: they keep the loop, which the next plan in the same process reuses.
    """
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (BrokenPipeError, ValueError):
        code = code or 1
    os._exit(code)
