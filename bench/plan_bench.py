"""Benchmark (not a test): `python -m infra.plan <stack>` as a whole process, the way a reviewer
or CI runs it. Target: under 2 seconds for prod on a developer machine.

For each case it starts a fresh interpreter `--repeat` times and reports min / median / max
wall time; then, in one process, where the time of a run goes (imports, the program under
mocks, building the report, rendering); last, the synthesis alone under Python's default
garbage-collector settings and under infra/gc_tuning.py's, each in a fresh process.

    venv/bin/python bench/plan_bench.py [--stack prod] [--repeat 10]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 2.0


def time_process(args: list[str], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "infra.plan", *args], cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        times.append(time.perf_counter() - start)
        if done.returncode != 0:
            raise SystemExit(f"python -m infra.plan {' '.join(args)} failed:\n{done.stderr}")
    return times


def phases(stack: str) -> dict[str, float]:
    """Where one run's time goes, measured inside a single fresh process."""
    code = f"""
import json, sys, time
t0 = time.perf_counter()
sys.path.insert(0, {str(ROOT)!r})
from infra.plan import report as plan
from infra.plan import render as plan_render
import infra.config, infra.program, infra.stacks.aws
t1 = time.perf_counter()
p = plan.run_plan({stack!r})
t2 = time.perf_counter()
secrets = set()
report = plan.build_report(p, secrets=secrets)
t3 = time.perf_counter()
for fmt in ("text", "markdown", "json"):
    plan_render.render(report, fmt, secrets)
t4 = time.perf_counter()
print(json.dumps({{"imports": t1 - t0, "program under mocks": t2 - t1,
                  "report (resources, cost, findings)": t3 - t2,
                  "render x3 formats": t4 - t3,
                  "resources": report["summary"]["resources"]}}))
"""
    return json_from_a_fresh_process(code)


def synthesis_times(stack: str, runs: int, tuned: bool) -> dict:
    """run_plan(stack) `runs` times in one fresh process, with or without the tuned collector."""
    code = f"""
import json, resource, sys, time
sys.path.insert(0, {str(ROOT)!r})
from infra.plan import report
if {tuned!r}:
    from infra.gc_tuning import tune_for_synthesis
    tune_for_synthesis()
times = []
for _ in range({runs}):
    start = time.perf_counter()
    report.run_plan({stack!r})
    times.append(time.perf_counter() - start)
print(json.dumps({{"times": times,
                  "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}}))
"""
    return json_from_a_fresh_process(code)


def json_from_a_fresh_process(code: str) -> dict:
    """Runs `code` in a fresh interpreter; its last line of output is JSON."""
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stack", default="prod")
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        old = Path(tmp) / "old.json"
        subprocess.run([sys.executable, "-m", "infra.plan", args.stack, "--format", "json",
                        "-o", str(old)], cwd=ROOT, check=True)
        cases = {
            "text": [args.stack],
            "markdown": [args.stack, "--format", "markdown"],
            "json": [args.stack, "--format", "json"],
            "markdown --diff": [args.stack, "--format", "markdown", "--diff", str(old)],
            "text --preview": [args.stack, "--preview"],
        }
        time_process([args.stack], 1)  # warm the OS file cache and bytecode
        print(f"python -m infra.plan {args.stack}: whole process, {args.repeat} runs each "
              f"(target < {TARGET_SECONDS:.1f} s)")
        print(f"  {'case':<18} {'min s':>7} {'median s':>9} {'max s':>7}  verdict")
        worst = 0.0
        for name, case_args in cases.items():
            times = time_process(case_args, args.repeat)
            median = statistics.median(times)
            worst = max(worst, median)
            verdict = "ok" if median < TARGET_SECONDS else "OVER TARGET"
            print(f"  {name:<18} {min(times):>7.2f} {median:>9.2f} {max(times):>7.2f}  {verdict}")

    split = phases(args.stack)
    resources = int(split.pop("resources"))
    print(f"\nOne run, inside the process ({resources} resources):")
    for phase, seconds in split.items():
        print(f"  {phase:<36} {seconds * 1000:>7.0f} ms")

    # The first run in a process fills the SDK's caches; the median is over the later ones.
    print("\nThe synthesis alone, 6 runs in one process (first run, median of the rest):")
    for label, tuned in (("default collector", False), ("tuned collector", True)):
        result = synthesis_times(args.stack, 6, tuned)
        times = result["times"]
        print(f"  {label:<18} first {times[0]:.2f} s, median {statistics.median(times[1:]):.2f} s,"
              f" max RSS {result['max_rss_mb']} MB")
    sys.exit(0 if worst < TARGET_SECONDS else 1)


if __name__ == "__main__":
    main()
