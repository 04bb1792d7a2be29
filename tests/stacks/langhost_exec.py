"""Runs the project the way the Pulumi CLI's Python language host does, under recording mocks.

Mirrors `pulumi-language-python-exec`: config comes from the PULUMI_CONFIG environment variable
as flat "<namespace>:<key>" strings, the program runs with `runpy.run_path(<project root>)`
inside `pulumi.runtime.run_in_stack`, a `pulumi.RunError` is logged as one line and anything
else as a traceback. This file lives outside the project's packages and adds nothing to
sys.path: the program must find `infra` and `components` by itself.

Usage: python tests/stacks/langhost_exec.py --stack dev [--preview] --record OUT.json PROJECT_ROOT
"""

import argparse
import importlib.util
import json
import logging
import os
import runpy
import sys
import traceback

import pulumi
import pulumi.runtime


def _load_mockcloud(root):
    # By file path, not import: the harness must not put the project on sys.path.
    spec = importlib.util.spec_from_file_location("_mockcloud", os.path.join(root, "infra", "plan",
                                                                             "mocks.py"))
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--stack", required=True)
    ap.add_argument("--project", default="managed-cache")
    ap.add_argument("--preview", action="store_true")
    ap.add_argument("--record", required=True)
    ap.add_argument("PROGRAM")
    args = ap.parse_args()

    # As pulumi-language-python-exec does: a run that fails leaves futures nobody observes, and
    # asyncio would log each one with a traceback.
    logging.getLogger("asyncio").setLevel(logging.CRITICAL)
    pulumi.runtime.set_all_config(pulumi.runtime.get_config_env(),
                                  pulumi.runtime.get_config_secret_keys_env())
    mockcloud = _load_mockcloud(args.PROGRAM)
    recorder = mockcloud.install(args.stack, args.project, preview=args.preview)
    os.chdir(args.PROGRAM)
    root = os.path.abspath(args.PROGRAM)
    helped = any(os.path.abspath(p or os.curdir) == root for p in sys.path)

    ok = False
    try:
        mockcloud.run_program(lambda: runpy.run_path(args.PROGRAM, run_name="__main__"),
                              in_process=False)
        ok = True
    except pulumi.RunError as e:
        print(f"error: {e}", file=sys.stderr)
    except Exception:
        print("error: " + traceback.format_exc(), file=sys.stderr)

    with open(args.record, "w") as out:
        json.dump({
            "ok": ok,
            "registrations": [
                {"type": r.type, "name": r.name, "parent": r.parent, "provider": r.provider,
                 "protect": r.protect, "inputs": r.inputs}
                for r in recorder.registrations
            ],
            "stack_outputs": recorder.stack_outputs,
            "project_on_sys_path_before_run": helped,
            "modules": sorted(m for m in sys.modules
                              if m.split(".")[0] in ("infra", "components", "pulumi_aws",
                                                     "pulumi_gcp")),
        }, out, default=repr, indent=1)
    # Pulumi's MockMonitor gives each executor thread an event loop of its own (to deserialize
    # resource references there), which nothing closes; at interpreter exit their finalizers can
    # meet sockets already finalized and print "Exception ignored in: BaseEventLoop.__del__".
    # The CLI's host talks to a real engine and has no such loops: drop only those.
    sys.unraisablehook = _without_mock_thread_loops(sys.unraisablehook)
    sys.exit(0 if ok else 1)


def _without_mock_thread_loops(hook):
    def unraisable(info):
        if getattr(info.object, "__qualname__", "") != "BaseEventLoop.__del__":
            hook(info)
    return unraisable


if __name__ == "__main__":
    main()
