"""Benchmark (not a test): what the program costs beyond registering its resources.

For each stack, and a synthetic stack with 50 caches, it times under Pulumi's mocks:
  program   the real program: read config, validate, compose, register, export;
  direct    the same resources registered directly through the same SDK classes, with the
            config already validated (infra.stacks.<cloud>.build on a pre-loaded spec);
  replay    the same types, names, parents and scalar inputs replayed through generic
            CustomResource/ComponentResource calls: the floor of the engine's own cost.
overhead = program / direct - 1: what parsing and validating the config add.

    venv/bin/python bench/program_bench.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pulumi  # noqa: E402

from infra.plan import mocks as mockcloud  # noqa: E402
from infra.stackfile import flat_stack_config, stack_names  # noqa: E402


def fifty_caches() -> dict[str, str]:
    caches = {}
    for i in range(50):
        caches[f"c{i:02d}"] = ({"engine": "memcached", "nodes": 2} if i % 5 == 4 else
                               {"engine": "valkey", "shards": 1 + i % 3, "replicas": 1})
    return {"aws:region": "us-east-1", "managed-cache:cloud": "aws",
            "managed-cache:caches": json.dumps(caches)}


def run_program(config: dict[str, str]) -> tuple[float, mockcloud.Recorder]:
    from infra.program import main

    recorder = mockcloud.install("bench")
    pulumi.runtime.set_all_config(config)
    start = time.perf_counter()
    mockcloud.run_program(main)
    return time.perf_counter() - start, recorder


def run_direct(config: dict[str, str]) -> float:
    import importlib

    from infra.config import load_stack_config

    spec = load_stack_config(config, "bench")
    cloud_stack = importlib.import_module(f"infra.stacks.{spec.cloud}")
    mockcloud.install("bench")
    pulumi.runtime.set_all_config(config)
    start = time.perf_counter()
    mockcloud.run_program(lambda: cloud_stack.build(spec, "managed-cache"))
    return time.perf_counter() - start


def run_replay(recorded: list[mockcloud.Registration]) -> float:
    """Register the same resources directly, parents first, with the same inputs."""

    def program() -> None:
        created: dict[str, pulumi.Resource] = {}
        pending = list(recorded)
        while pending:
            rest = []
            for reg in pending:
                parent = created.get(reg.parent)
                if reg.parent and parent is None and "pulumi:pulumi:Stack" not in reg.parent:
                    rest.append(reg)
                    continue
                opts = pulumi.ResourceOptions(parent=parent)
                if reg.custom:
                    res: pulumi.Resource = pulumi.CustomResource(
                        reg.type, reg.name, {k: v for k, v in reg.inputs.items()
                                             if isinstance(v, (str, int, float, bool))},
                        opts=opts)
                else:
                    res = pulumi.ComponentResource(reg.type, reg.name, None, opts)
                created[reg.urn] = res
            pending = rest

    mockcloud.install("bench")
    start = time.perf_counter()
    mockcloud.run_program(program)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    cases = {stack: flat_stack_config(stack) for stack in stack_names()}
    cases["50-caches"] = fifty_caches()
    print(f"{'stack':<10} {'resources':>9} {'program ms':>11} {'direct ms':>10} "
          f"{'replay ms':>10} {'ms/resource':>12} {'overhead':>9}")
    for name, config in cases.items():
        run_program(config)  # warm imports and caches
        program_times, direct_times, replay_times = [], [], []
        for _ in range(args.repeat):
            elapsed, recorder = run_program(config)
            program_times.append(elapsed)
            direct_times.append(run_direct(config))
            replay_times.append(run_replay(recorder.registrations))
        program_ms = statistics.median(program_times) * 1000
        direct_ms = statistics.median(direct_times) * 1000
        replay_ms = statistics.median(replay_times) * 1000
        count = len(recorder.registrations)
        print(f"{name:<10} {count:>9} {program_ms:>11.1f} {direct_ms:>10.1f} {replay_ms:>10.1f} "
              f"{program_ms / count:>12.2f} {program_ms / direct_ms - 1:>9.1%}")


if __name__ == "__main__":
    main()
