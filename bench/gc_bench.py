"""Benchmark (not a test): one stack's synthesis under Python's default garbage-collector
settings and under infra/gc_tuning.py's, each in a fresh process, after the same imports.

    venv/bin/python bench/gc_bench.py [--stack prod] [--runs 6]

The first run in a process pays for caches the SDK fills; the median is over the later runs.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CODE = """
import json, resource, sys, time
sys.path.insert(0, {root!r})
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


def measure(stack: str, runs: int, tuned: bool) -> dict:
    code = CODE.format(root=str(ROOT), tuned=tuned, runs=runs, stack=stack)
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stack", default="prod")
    parser.add_argument("--runs", type=int, default=6)
    args = parser.parse_args()
    print(f"run_plan({args.stack!r}), {args.runs} runs per process")
    print(f"  {'collector':<10} {'first s':>8} {'median s':>9} {'max RSS MB':>11}")
    for label, tuned in (("default", False), ("tuned", True)):
        result = measure(args.stack, args.runs, tuned)
        first, rest = result["times"][0], result["times"][1:] or result["times"]
        print(f"  {label:<10} {first:>8.2f} {statistics.median(rest):>9.2f} "
              f"{result['max_rss_mb']:>11}")


if __name__ == "__main__":
    main()
