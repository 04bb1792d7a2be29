"""`python -m ops <command> --stack <stack>`: the command line, and nothing else.

Parses the arguments, loads the stack's config, checks for credentials and hands over to the
command's module. Every error becomes one line on stderr and a non-zero exit code (see
ops/errors.py); set OPS_DEBUG=1 to also see the traceback of an unexpected error.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from pathlib import Path

from infra.config import ConfigError
from ops import discover, failover, rightsize, shard_failover, snapshot, stack, status, verify
from ops.clients import Clients
from ops.errors import EXIT_ERROR, EXIT_INTERRUPTED, explain
from ops.poll import Polling


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text} is negative; use 0 or more seconds")
    return value


def _days(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of days") from None
    if not 1 <= value <= rightsize.MAX_DAYS:
        raise argparse.ArgumentTypeError(f"{value} is not allowed; use 1 to "
                                         f"{rightsize.MAX_DAYS} days")
    return value


def _region(text: str) -> str:
    from infra.catalog.aws import AWS_REGIONS
    from infra.config.common import did_you_mean

    if text not in AWS_REGIONS:
        raise argparse.ArgumentTypeError(f"{text!r} is not an AWS region ElastiCache is offered "
                                         "in." + did_you_mean(text, AWS_REGIONS))
    return text


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m ops",
        description="Runbooks for the caches of a managed-cache stack (AWS ElastiCache). "
                    "Uses the AWS credentials, profile and AWS_ENDPOINT_URL of the environment.")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--stack", required=True, help="stack name: reads Pulumi.<stack>.yaml")
    common.add_argument("--project-dir", type=Path, default=None,
                        help="directory holding Pulumi.<stack>.yaml (default: this project)")
    waiting = argparse.ArgumentParser(add_help=False)
    waiting.add_argument("--poll-interval", type=_seconds, default=15.0, metavar="SECONDS",
                         help="seconds between progress checks (default 15)")
    waiting.add_argument("--timeout", type=_seconds, default=1800.0, metavar="SECONDS",
                         help="give up waiting after this many seconds (default 1800)")

    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("status", parents=[common],
                        help="live state of every cache, Global Datastore roles included")
    commands.add_parser("verify", parents=[common],
                        help="compare live state with the config; exit 1 on any deviation")
    cmd = commands.add_parser("failover", parents=[common, waiting],
                              help="promote a Global Datastore secondary region to primary "
                                   "and repoint its <cache>-writer DNS name")
    cmd.add_argument("--cache", required=True, help="cache name from the config")
    cmd.add_argument("--to", required=True, dest="to_region", metavar="REGION",
                     help="the region to promote")
    cmd.add_argument("--dry-run", action="store_true", help="check and print the plan only")
    cmd.add_argument("--skip-dns", action="store_true",
                     help="with network.dns: fail over without reading or updating the writer "
                          "records (when Route 53 refuses them)")
    cmd = commands.add_parser("test-failover", parents=[common, waiting],
                              help="exercise Multi-AZ failover of one shard (TestFailover)")
    cmd.add_argument("--cache", required=True, help="cache name from the config")
    cmd.add_argument("--shard", default=None, metavar="NODE_GROUP_ID",
                     help="node group to fail over (default: the first, e.g. 0001)")
    cmd = commands.add_parser("snapshot", parents=[common, waiting],
                              help="take a named manual snapshot")
    cmd.add_argument("--cache", required=True, help="cache name from the config")
    cmd.add_argument("--name", default=None, help="snapshot name (default: "
                                                  "<cache id>-ops-<UTC timestamp>)")
    cmd.add_argument("--no-wait", dest="wait", action="store_false",
                     help="return once the snapshot is requested")
    cmd = commands.add_parser("rightsize", parents=[common],
                              help="recommend node types from CloudWatch usage")
    cmd.add_argument("--days", type=_days, default=14, help="days of metrics (default 14)")
    cmd.add_argument("--cache", default=None, help="only this cache")
    cmd = commands.add_parser("discover",
                              help="print the live caches of a region as config to adopt them "
                                   "(no stack needed)")
    cmd.add_argument("--region", required=True, type=_region,
                     help="the AWS region to list, e.g. us-east-1")
    cmd.add_argument("--name-prefix", default=None, metavar="PREFIX",
                     help="only caches named <PREFIX>-<cache> (default: each id's first part)")
    return parser


def main(argv: list[str] | None = None, clients: Clients | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return _dispatch(args, clients if clients is not None else Clients())
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except ConfigError as err:
        print(str(err), file=sys.stderr)
        return EXIT_ERROR
    except Exception as err:  # noqa: BLE001 - every error ends as one line, never a traceback
        if os.environ.get("OPS_DEBUG"):
            traceback.print_exc()
        print(f"error: {explain(err)}", file=sys.stderr)
        return EXIT_ERROR


def _dispatch(args: argparse.Namespace, clients: Clients) -> int:
    if args.command == "discover":
        clients.require_credentials()
        return discover.run(args.region, clients, args.name_prefix)
    spec = stack.load(args.stack, args.project_dir)
    cache = stack.find_cache(spec, args.cache) if getattr(args, "cache", None) else None
    clients.require_credentials()
    polling = Polling(interval=args.poll_interval, timeout=args.timeout) \
        if hasattr(args, "poll_interval") else Polling()
    if args.command == "status":
        return status.run(spec, clients)
    if args.command == "verify":
        return verify.run(spec, clients)
    if args.command == "rightsize":
        return rightsize.run(spec, clients, args.days, only=cache)
    assert cache is not None
    if args.command == "failover":
        return failover.run(spec, cache, clients, args.to_region, args.dry_run, polling,
                            args.skip_dns)
    if args.command == "test-failover":
        return shard_failover.run(spec, cache, clients, args.shard, polling)
    if args.command == "snapshot":
        return snapshot.run(spec, cache, clients, args.name, args.wait, polling)
    raise AssertionError(f"unhandled command {args.command}")


if __name__ == "__main__":
    sys.exit(main())
