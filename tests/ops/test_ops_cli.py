"""The command line: errors as one line and a non-zero exit, the environment's endpoint, and a
real subprocess run against a moto server (status, verify, snapshot, rightsize)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, ReadTimeoutError
from moto.server import ThreadedMotoServer

from ops import stack
from ops.__main__ import build_parser
from ops.clients import Clients
from ops.errors import OpsError, explain, mutate
from tests.ops.support import (
    FRAGMENTS,
    PROD_SESSIONS,
    cache_of,
    deploy_alarms,
    deploy_group,
    deploy_memcached,
    fake_aws_env,
    load,
    make_clients,
    run_ops,
    write_stack,
)

PROJECT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_aws_env(monkeypatch)


def test_unknown_stack_is_a_one_line_error(capsys, tmp_path):
    code, out, err = run_ops(capsys, "status", "--stack", "nope", "--project-dir", str(tmp_path))
    assert code == 2
    assert err == "error: no stack file Pulumi.nope.yaml; known stacks: none\n"
    assert out == ""


def test_config_error_prints_the_config_message(capsys, tmp_path):
    write_stack(tmp_path, "bad", {"sessions": {"replicas": 9}})
    code, _, err = run_ops(capsys, "verify", "--stack", "bad", "--project-dir", str(tmp_path))
    assert code == 2
    assert err.startswith("The config of stack 'bad' has 1 problem")
    assert "caches.sessions.replicas: 9 is not allowed" in err
    assert "Traceback" not in err


def test_unknown_cache_names_the_known_ones(capsys, tmp_path):
    write_stack(tmp_path, "ops", {"sessions": PROD_SESSIONS, "fragments": FRAGMENTS})
    code, _, err = run_ops(capsys, "snapshot", "--stack", "ops", "--cache", "session",
                           "--project-dir", str(tmp_path))
    assert code == 2
    assert err == "error: stack 'ops' has no cache 'session'; its caches: fragments, sessions\n"


def test_no_credentials_is_refused_before_any_request(capsys, tmp_path, monkeypatch):
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    write_stack(tmp_path, "ops", {"sessions": PROD_SESSIONS})
    code, out, err = run_ops(capsys, "failover", "--stack", "ops", "--cache", "sessions",
                             "--to", "eu-west-1", "--project-dir", str(tmp_path),
                             clients=Clients())       # the CLI's own: a fresh session
    assert code == 2
    assert err.startswith("error: no AWS credentials found: set AWS_PROFILE")
    assert err.count("\n") == 1 and out == ""


class _Exploding:
    """A client whose every call fails the way botocore would, or with a bug."""

    def __init__(self, error: Exception):
        self.error = error

    def describe_replication_groups(self, **_: Any) -> Any:
        raise self.error


@pytest.mark.parametrize(("error", "expected"), [
    (ClientError({"Error": {"Code": "InvalidClientTokenId", "Message": "bad token"}},
                 "DescribeReplicationGroups"),
     "error: AWS rejected the credentials (InvalidClientTokenId): bad token\n"),
    (ClientError({"Error": {"Code": "AccessDenied", "Message": "not allowed"}},
                 "DescribeReplicationGroups"),
     "error: AWS refused DescribeReplicationGroups (AccessDenied): not allowed\n"),
    (EndpointConnectionError(endpoint_url="http://127.0.0.1:9"),
     'error: cannot reach AWS: Could not connect to the endpoint URL: "http://127.0.0.1:9" '
     "(check the network, or AWS_ENDPOINT_URL if you set it)\n"),
    (RuntimeError("boom"), "error: unexpected RuntimeError: boom (set OPS_DEBUG=1 to see the "
                           "traceback)\n"),
])
def test_aws_and_unexpected_errors_are_one_line(capsys, tmp_path, error, expected):
    write_stack(tmp_path, "ops", {"sessions": PROD_SESSIONS})
    clients = make_clients({("elasticache", "us-east-1"): _Exploding(error)})
    code, _, err = run_ops(capsys, "snapshot", "--stack", "ops", "--cache", "sessions",
                           "--project-dir", str(tmp_path), clients=clients)
    assert (code, err) == (2, expected)


def test_ops_debug_adds_the_traceback_of_an_unexpected_error(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("OPS_DEBUG", "1")
    write_stack(tmp_path, "ops", {"sessions": PROD_SESSIONS})
    clients = make_clients({("elasticache", "us-east-1"): _Exploding(RuntimeError("boom"))})
    code, _, err = run_ops(capsys, "snapshot", "--stack", "ops", "--cache", "sessions",
                           "--project-dir", str(tmp_path), clients=clients)
    assert code == 2
    assert err.startswith("Traceback (most recent call last):\n")
    assert err.endswith("RuntimeError: boom\nerror: unexpected RuntimeError: boom (set "
                        "OPS_DEBUG=1 to see the traceback)\n")


def test_an_interrupt_exits_130_like_a_shell(capsys, tmp_path):
    write_stack(tmp_path, "ops", {"sessions": PROD_SESSIONS})
    clients = make_clients({("elasticache", "us-east-1"): _Exploding(KeyboardInterrupt())})
    code, _, err = run_ops(capsys, "snapshot", "--stack", "ops", "--cache", "sessions",
                           "--project-dir", str(tmp_path), clients=clients)
    assert (code, err) == (130, "interrupted\n")


def test_explain_keeps_ops_messages_verbatim():
    assert explain(OpsError("cache 'x' is not a Global Datastore cache")) == \
        "cache 'x' is not a Global Datastore cache"


def test_aws_endpoint_url_from_the_environment_is_used(monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:4566")
    clients = Clients()
    assert clients.elasticache("eu-west-1").meta.endpoint_url == "http://127.0.0.1:4566"
    assert clients.cloudwatch("us-east-1").meta.endpoint_url == "http://127.0.0.1:4566"
    assert clients.elasticache("eu-west-1") is clients.elasticache("eu-west-1")


def test_without_aws_endpoint_url_the_regional_endpoint_is_used():
    assert Clients().elasticache("eu-west-1").meta.endpoint_url == \
        "https://elasticache.eu-west-1.amazonaws.com"


@pytest.mark.parametrize(("days", "why"), [
    ("0", "0 is not allowed; use 1 to 455 days"), ("456", "456 is not allowed; use 1 to 455 days"),
    ("two", "'two' is not a whole number of days")])
def test_rightsize_days_out_of_range_is_a_usage_error(capsys, days, why):
    with pytest.raises(SystemExit) as exit_:
        run_ops(capsys, "rightsize", "--stack", "dev", "--days", days)
    assert exit_.value.code == 2
    assert capsys.readouterr().err.endswith(f"argument --days: {why}\n")


@pytest.mark.parametrize(("option", "value", "why"), [
    ("--poll-interval", "soon", "'soon' is not a number of seconds"),
    ("--timeout", "-1", "-1 is negative; use 0 or more seconds")])
def test_waiting_options_take_seconds_from_zero_up(capsys, option, value, why):
    with pytest.raises(SystemExit) as exit_:
        run_ops(capsys, "snapshot", "--stack", "dev", "--cache", "sessions", f"{option}={value}")
    assert exit_.value.code == 2
    assert capsys.readouterr().err.endswith(f"argument {option}: {why}\n")


def test_waiting_commands_poll_every_15_seconds_for_at_most_30_minutes_by_default():
    args = build_parser().parse_args(["failover", "--stack", "dev", "--cache", "sessions",
                                      "--to", "eu-west-1"])
    assert (args.poll_interval, args.timeout) == (15.0, 1800.0)


def test_rightsize_reads_14_days_by_default():
    assert build_parser().parse_args(["rightsize", "--stack", "dev"]).days == 14


@pytest.mark.parametrize(("argv", "missing"), [
    ([], "COMMAND"), (["status"], "--stack"),
    (["failover", "--stack", "dev", "--to", "eu-west-1"], "--cache"),
    (["failover", "--stack", "dev", "--cache", "sessions"], "--to"),
    (["test-failover", "--stack", "dev"], "--cache"), (["snapshot", "--stack", "dev"], "--cache"),
    (["discover"], "--region")],
    ids=["no-command", "no-stack", "failover-without-cache", "failover-without-region",
         "test-failover-without-cache", "snapshot-without-cache", "discover-without-region"])
def test_a_missing_command_or_required_option_is_a_usage_error(capsys, argv, missing):
    with pytest.raises(SystemExit) as exit_:
        run_ops(capsys, *argv)
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: python -m ops")
    assert err.endswith(f"the following arguments are required: {missing}\n")


@pytest.mark.parametrize("days", ["1", "455"])
def test_rightsize_reads_1_to_455_days_the_hourly_data_cloudwatch_keeps(days):
    args = build_parser().parse_args(["rightsize", "--stack", "dev", "--days", days])
    assert args.days == int(days)


# ---------------------------------------------------------------------------------------------
# The CLI as a subprocess against a moto server
# ---------------------------------------------------------------------------------------------
@pytest.fixture
def moto_server():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def _cli(endpoint: str, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_CONFIG_FILE": "/nonexistent/aws-config",
        "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/aws-credentials",
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    return subprocess.run([sys.executable, "-m", "ops", *argv], cwd=PROJECT, env=env,
                          capture_output=True, text=True, timeout=60, check=False)


def test_cli_subprocess_against_moto_server(moto_server, tmp_path):
    write_stack(tmp_path, "ops", {"sessions": PROD_SESSIONS, "fragments": FRAGMENTS})
    spec = load(tmp_path, "ops")
    sessions, fragments = cache_of(spec, "sessions"), cache_of(spec, "fragments")
    seed = {"region_name": "us-east-1", "endpoint_url": moto_server,
            "aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
    ec, cw = boto3.client("elasticache", **seed), boto3.client("cloudwatch", **seed)
    deploy_group(ec, sessions)
    deploy_memcached(ec, fragments)
    deploy_alarms(cw, sessions)
    deploy_alarms(cw, fragments)
    where = ("--stack", "ops", "--project-dir", str(tmp_path))

    verified = _cli(moto_server, "verify", *where)
    assert (verified.returncode, verified.stderr) == (0, "")
    assert verified.stdout == "stack 'ops': 2 cache(s) match the config\n"

    ec.modify_replication_group(ReplicationGroupId="ops-sessions",
                                CacheNodeType="cache.r7g.xlarge", ApplyImmediately=True)
    drifted = _cli(moto_server, "verify", *where)
    assert drifted.returncode == 1
    assert drifted.stdout == ("sessions: node type is cache.r7g.xlarge, the config says "
                              "cache.r7g.large\n")
    assert drifted.stderr == "1 deviation from the config of stack 'ops'\n"

    snap = _cli(moto_server, "snapshot", *where, "--cache", "sessions", "--name", "before-x",
                "--poll-interval", "0")
    assert snap.returncode == 0, snap.stderr
    assert "snapshot before-x is available" in snap.stdout
    taken = ec.describe_snapshots(SnapshotName="before-x")["Snapshots"][0]
    # Cluster mode off: from a replica node of the group (-001 is its primary).
    assert (taken["CacheClusterId"], taken["SnapshotSource"]) == ("ops-sessions-002", "manual")


# ---------------------------------------------------------------------------------------------
# A change whose answer was lost
# ---------------------------------------------------------------------------------------------
def _refused(retries: int) -> ClientError:
    return ClientError({"Error": {"Code": "SnapshotAlreadyExistsFault", "Message": "exists"},
                        "ResponseMetadata": {"RetryAttempts": retries}}, "CreateSnapshot")


def _raise(err: Exception) -> None:
    raise err


def test_a_change_refused_at_the_first_attempt_is_a_plain_refusal():
    with pytest.raises(ClientError):
        mutate(lambda: _raise(_refused(0)), "CreateSnapshot s", "`describe-snapshots`")


@pytest.mark.parametrize("err, how", [
    (_refused(2), "it was sent 3 times (AWS may have accepted an attempt whose answer was "
                  "lost), and the last got: AWS refused CreateSnapshot "
                  "(SnapshotAlreadyExistsFault): exists"),
    (ReadTimeoutError(endpoint_url="https://elasticache"), "no attempt got an answer"),
    # botocore raises only the last attempt's error: a failed connection may follow an attempt
    # that reached AWS and timed out.
    (EndpointConnectionError(endpoint_url="https://elasticache"),
     "no attempt got an answer: cannot reach AWS"),
], ids=["refused-after-a-retry", "read-timeout", "no-connection-after-a-lost-answer"])
def test_a_change_whose_answer_was_lost_may_have_been_accepted(err, how):
    with pytest.raises(OpsError) as caught:
        mutate(lambda: _raise(err), "CreateSnapshot s", "`describe-snapshots`")
    assert str(caught.value).startswith(f"CreateSnapshot s may have been accepted: {how}")
    assert str(caught.value).endswith("Check with `describe-snapshots` before trying again")


def test_aws_calls_are_retried_and_identify_the_tool(monkeypatch):
    """Throttling or a 5xx during a regional outage is retried: standard mode, 5 retries
    after the first attempt (botocore's `max_attempts` counts retries); each request names
    managed-cache-ops in its User-Agent (CloudTrail shows it); a hung endpoint fails within
    10 s to connect and 30 s to read, not botocore's 60 s."""
    import botocore.endpoint
    from botocore.awsrequest import AWSResponse

    class _Raw:
        def stream(self, **_):
            yield b""

    monkeypatch.setattr(botocore.endpoint.time, "sleep", lambda _: None)
    client = Clients().elasticache("eu-west-1")
    sent = []

    def unavailable(request, **_):
        sent.append(request)
        return AWSResponse(request.url, 503, {}, _Raw())

    client.meta.events.register_first("before-send.elasticache", unavailable)
    with pytest.raises(ClientError):
        client.describe_replication_groups()
    assert len(sent) == 6
    user_agent = sent[0].headers["User-Agent"]
    assert "managed-cache-ops" in (user_agent.decode() if isinstance(user_agent, bytes)
                                   else user_agent).split()
    assert (client.meta.config.connect_timeout, client.meta.config.read_timeout) == (10, 30)


def test_a_gcp_stack_is_refused(capsys):
    code, out, err = run_ops(capsys, "status", "--stack", "gcp-dev")
    assert (code, out) == (2, "")
    assert err == ("error: stack 'gcp-dev' runs on gcp; the ops commands cover AWS ElastiCache "
                   "stacks only\n")


def test_a_stack_file_that_is_not_yaml_is_one_line(capsys, tmp_path):
    (tmp_path / "Pulumi.ops.yaml").write_text("config:\n  aws:region: [us-east-1\n")
    code, _, err = run_ops(capsys, "status", "--stack", "ops", "--project-dir", str(tmp_path))
    assert code == 2
    assert err.startswith("error: Pulumi.ops.yaml is not valid YAML: ")
    assert err.count("\n") == 1


def test_a_cache_is_found_by_its_aws_id_too(tmp_path):
    write_stack(tmp_path, "ops", {"sessions": PROD_SESSIONS})
    assert stack.find_cache(stack.load("ops", tmp_path), "ops-sessions").name == "sessions"
