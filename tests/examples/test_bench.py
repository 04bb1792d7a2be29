"""The benchmark's own parts: the Zipf workload, percentiles, the stale-read check, the TLS
material and the command line. The servers themselves: test_bench_integration.py."""

from __future__ import annotations

import asyncio
import collections
import os
import random
import socket
import ssl
import subprocess
import threading
import time

import pytest

from examples.bench import __main__ as cli
from examples.bench import servers
from examples.bench.workload import (
    READ,
    UPDATE,
    Progress,
    RunResult,
    make_ops,
    percentile,
    run_ops,
    zipf_sampler,
)


def test_zipf_sampler_follows_the_law_and_the_seed():
    n, s, draws = 1000, 1.1, 60_000
    draw = zipf_sampler(n, s, random.Random(3))
    counts = collections.Counter(draw() for _ in range(draws))
    harmonic = sum(k ** -s for k in range(1, n + 1))
    top, second = (count for _, count in counts.most_common(2))
    assert top / draws == pytest.approx(1 / harmonic, rel=0.05)
    assert top / second == pytest.approx(2 ** s, rel=0.1)
    first = zipf_sampler(n, s, random.Random(9))
    second_run = zipf_sampler(n, s, random.Random(9))
    assert [first() for _ in range(200)] == [second_run() for _ in range(200)]


def test_ops_have_the_update_share_and_repeat_for_a_seed():
    ops = make_ops(500, 20_000, 0.05, 1.1, seed=5)
    updates = sum(kind == UPDATE for kind, _ in ops)
    assert updates / len(ops) == pytest.approx(0.05, abs=0.005)
    assert all(1 <= product <= 500 for _, product in ops)
    assert ops == make_ops(500, 20_000, 0.05, 1.1, seed=5)


def test_percentile_is_nearest_rank():
    values = [float(v) for v in range(100, 0, -1)]
    assert (percentile(values, 0.5), percentile(values, 0.99), percentile(values, 1.0)) == \
        (50.0, 99.0, 100.0)
    assert percentile([], 0.99) == 0.0


class VersionedCatalog:
    """Products with versions; `stale=True` serves every read the first version forever,
    as a cache with the stale-set race would."""

    def __init__(self, stale: bool):
        self.versions: dict[int, int] = collections.defaultdict(lambda: 1)
        self.stale = stale

    async def get(self, product_id):
        await asyncio.sleep(0)
        return {"id": product_id, "version": 1 if self.stale else self.versions[product_id]}

    async def update(self, product_id, changes):
        await asyncio.sleep(0)
        self.versions[product_id] += 1
        return {"id": product_id, "version": self.versions[product_id]}


@pytest.mark.parametrize(("stale", "expect_stale"), [(False, False), (True, True)])
def test_the_stale_read_check_catches_old_versions(stale, expect_stale):
    ops = [(UPDATE, 1), (READ, 1), (READ, 2), (UPDATE, 2), (READ, 2)] * 20
    result = asyncio.run(run_ops(VersionedCatalog(stale), ops, concurrency=1,
                                 deadline=time.perf_counter() + 10, label="t",
                                 progress=Progress(enabled=False)))
    assert (result.reads, result.updates) == (60, 40)
    assert (result.stale_reads > 0) is expect_stale


def test_the_run_stops_at_its_time_limit():
    ops = [(READ, 1)] * 1000
    result = asyncio.run(run_ops(VersionedCatalog(False), ops, concurrency=2,
                                 deadline=time.perf_counter() - 1, label="t",
                                 progress=Progress(enabled=False)))
    assert result.truncated and result.reads < len(ops)


def test_slices_accumulate_into_one_result_and_keep_the_stale_floor():
    catalog = VersionedCatalog(stale=False)
    result = RunResult()
    for part in ([(UPDATE, 1), (UPDATE, 1)], [(READ, 1)]):
        asyncio.run(run_ops(catalog, part, concurrency=1, deadline=time.perf_counter() + 10,
                            label="t", progress=Progress(enabled=False), result=result))
    assert (result.updates, result.reads, result.committed) == (2, 1, {1: 3})
    catalog.stale = True                  # from now on every read returns version 1
    asyncio.run(run_ops(catalog, [(READ, 1)], concurrency=1,
                        deadline=time.perf_counter() + 10, label="t",
                        progress=Progress(enabled=False), result=result))
    assert result.stale_reads == 1


def tls_handshake(files: servers.TlsFiles, trusted_ca) -> bytes:
    """Serve one TLS connection with the run's server certificate; connect as a client that
    trusts `trusted_ca` and checks the name 127.0.0.1. Returns what the server sent."""
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(files.cert, files.key)
    listener = socket.create_server(("127.0.0.1", 0))

    def serve():
        connection, _ = listener.accept()
        try:
            with server_context.wrap_socket(connection, server_side=True) as tls:
                tls.sendall(b"+PONG\r\n")
        except (ssl.SSLError, OSError):
            pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        client_context = ssl.create_default_context(cafile=str(trusted_ca))
        with socket.create_connection(listener.getsockname(), timeout=5) as raw, \
                client_context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
            return tls.recv(7)
    finally:
        thread.join(5)
        listener.close()


def test_the_run_ca_verifies_the_server_certificate_for_127_0_0_1(tmp_path):
    files = servers.make_tls(tmp_path)
    assert (files.key.stat().st_mode & 0o777) == 0o600
    assert tls_handshake(files, files.ca) == b"+PONG\r\n"


def test_another_run_ca_is_not_trusted(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    files, other = servers.make_tls(tmp_path / "a"), servers.make_tls(tmp_path / "b")
    with pytest.raises(ssl.SSLCertVerificationError):
        tls_handshake(files, other.ca)


@pytest.mark.parametrize("argv", [["--products", "0"], ["--concurrency", "1000"],
                                  ["--update-ratio", "1"], ["--zipf", "0"]])
def test_the_command_line_refuses_unbounded_or_meaningless_runs(argv):
    with pytest.raises(SystemExit):
        cli.parse(argv)


def test_missing_servers_are_reported_with_install_hints(monkeypatch, capsys):
    monkeypatch.setattr(servers, "find_cache_server", lambda: None)
    assert cli.main(["--json"]) == 2
    assert "apt-get install redis-server" in capsys.readouterr().err


def fake_tool(directory, name="runuser"):
    directory.mkdir(parents=True, exist_ok=True)
    tool = directory / name
    tool.write_text("#!/bin/sh\nexit 0\n")
    tool.chmod(0o755)
    return str(tool)


def test_runuser_is_found_on_path_or_in_the_system_directories(monkeypatch, tmp_path):
    on_path = fake_tool(tmp_path / "bin")
    in_sbin = fake_tool(tmp_path / "sbin")
    monkeypatch.setattr(servers, "SYSTEM_BIN_DIRS", (str(tmp_path / "none"),
                                                     str(tmp_path / "sbin")))
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    assert servers.find_runuser() == on_path
    # A root shell whose PATH leaves out /usr/sbin (su without -, sudo's secure_path, cron).
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert servers.find_runuser() == in_sbin
    monkeypatch.setattr(servers, "SYSTEM_BIN_DIRS", (str(tmp_path / "none"),))
    assert servers.find_runuser() is None


def test_the_default_system_directories_hold_runuser_off_path(monkeypatch, tmp_path):
    if not any(os.access(f"{d}/runuser", os.X_OK) for d in ("/usr/sbin", "/sbin")):
        pytest.skip("no runuser in /usr/sbin or /sbin on this machine")
    monkeypatch.setenv("PATH", str(tmp_path))
    assert servers.find_runuser() in ("/usr/sbin/runuser", "/sbin/runuser")


def as_root_with_servers(monkeypatch):
    monkeypatch.setattr(servers.os, "geteuid", lambda: 0)
    monkeypatch.setattr(servers.pwd, "getpwnam", lambda name: object())
    monkeypatch.setattr(servers, "find_cache_server", lambda: "/usr/bin/redis-server")
    monkeypatch.setattr(servers, "find_postgres_bin", lambda: "/usr/lib/postgresql/15/bin")


def test_a_missing_runuser_is_reported_like_a_missing_server(monkeypatch, tmp_path, capsys):
    as_root_with_servers(monkeypatch)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(servers, "SYSTEM_BIN_DIRS", (str(tmp_path / "sbin"),))
    assert [hint for hint in servers.missing_servers() if "runuser" in hint] == [
        f"runuser, to start PostgreSQL as that user (Debian: apt-get install util-linux; "
        f"looked on PATH, in {tmp_path / 'sbin'})"]
    assert cli.main(["--json"]) == 2
    assert "runuser" in capsys.readouterr().err
    fake_tool(tmp_path / "sbin")
    assert servers.missing_servers() == []


def test_postgres_tools_run_through_runuser_by_its_full_path(monkeypatch, tmp_path):
    as_root_with_servers(monkeypatch)
    runuser = fake_tool(tmp_path / "bin")
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    commands = []
    monkeypatch.setattr(servers.subprocess, "run", lambda command, **kw: commands.append(
        command) or subprocess.CompletedProcess(command, 0, "", ""))
    server = servers.PostgresServer("/pg/bin", tmp_path / "pg", "pw")
    server._run("pg_ctl", "status")
    assert commands == [[runuser, "-u", servers.PG_USER, "--", "/pg/bin/pg_ctl", "status"]]
