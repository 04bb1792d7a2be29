"""Throwaway servers for the benchmark, all on 127.0.0.1 inside one temporary directory.

- `make_tls`: a CA made for this run and a server certificate for 127.0.0.1 / localhost.
- `CacheServer`: valkey-server or redis-server with TLS only (plain port 0) and requirepass.
- `PostgresServer`: initdb + pg_ctl; as root it runs as the `postgres` user (PostgreSQL refuses
  to run as root), so the temporary directory is handed to that user.
- `AppServer`: a uvicorn app in a child process.
Each one is a context manager that stops what it started, also on errors and Ctrl-C.
"""

from __future__ import annotations

import contextlib
import datetime
import glob
import ipaddress
import os
import pwd
import shutil
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

LOOPBACK = "127.0.0.1"
PG_USER = "postgres"
# Where system tools live when PATH leaves them out (root's tools: runuser is in /usr/sbin).
SYSTEM_BIN_DIRS = ("/usr/sbin", "/sbin")


class ServerError(RuntimeError):
    """A server could not be found, started or reached; the message says which and why."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


def find_cache_server() -> str | None:
    """valkey-server, else redis-server (PATH, then /usr/bin and /usr/sbin)."""
    for name in ("valkey-server", "redis-server"):
        found = shutil.which(name) or next(
            (p for p in (f"/usr/bin/{name}", f"/usr/sbin/{name}") if os.access(p, os.X_OK)),
            None)
        if found:
            return found
    return None


def find_runuser() -> str | None:
    """runuser (util-linux), which starts PostgreSQL as PG_USER when the benchmark runs as
    root: PATH, then SYSTEM_BIN_DIRS (a root shell's PATH may leave /usr/sbin out)."""
    return shutil.which("runuser") or next(
        (path for path in (os.path.join(d, "runuser") for d in SYSTEM_BIN_DIRS)
         if os.path.isfile(path) and os.access(path, os.X_OK)), None)


def find_postgres_bin() -> str | None:
    """The directory holding initdb and pg_ctl: PATH, /usr/local/bin, or the newest
    /usr/lib/postgresql/<version>/bin (Debian installs them there, off PATH)."""
    candidates = []
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(str(Path(initdb).parent))
    candidates.append("/usr/local/bin")
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"),
                         key=lambda p: [int(x) for x in Path(p).parent.name.split(".")
                                        if x.isdigit()], reverse=True)
    for directory in candidates:
        if all(os.access(Path(directory) / tool, os.X_OK) for tool in ("initdb", "pg_ctl")):
            return directory
    return None


def missing_servers() -> list[str]:
    """What the benchmark cannot find, as install hints; empty when it can run."""
    missing = []
    if find_cache_server() is None:
        missing.append("valkey-server or redis-server (Debian: apt-get install redis-server)")
    if find_postgres_bin() is None:
        missing.append("PostgreSQL's initdb and pg_ctl (Debian: apt-get install postgresql)")
    if os.geteuid() == 0:
        try:
            pwd.getpwnam(PG_USER)
        except KeyError:
            missing.append(f"a `{PG_USER}` user to run PostgreSQL as (it refuses root)")
        if find_runuser() is None:
            missing.append("runuser, to start PostgreSQL as that user (Debian: apt-get install "
                           "util-linux; looked on PATH, in " + " and ".join(SYSTEM_BIN_DIRS) + ")")
    return missing


# ---------------------------------------------------------------------------------------------
# TLS
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TlsFiles:
    ca: Path
    cert: Path
    key: Path


def make_tls(directory: Path) -> TlsFiles:
    """A CA valid for one day and a server certificate for 127.0.0.1 and localhost."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME,
                                            "managed-cache examples bench CA")])
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name).issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False,
                                     key_encipherment=False, data_encipherment=False,
                                     key_agreement=False, key_cert_sign=True, crl_sign=True,
                                     encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()),
                       critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    server_key = ec.generate_private_key(ec.SECP256R1())
    server_cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_name)
        .public_key(server_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([
            x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address(LOOPBACK))]),
            critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False,
                                     key_encipherment=False, data_encipherment=False,
                                     key_agreement=True, key_cert_sign=False, crl_sign=False,
                                     encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                       critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    files = TlsFiles(ca=directory / "ca.pem", cert=directory / "server.pem",
                     key=directory / "server.key")
    files.ca.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    files.cert.write_bytes(server_cert.public_bytes(serialization.Encoding.PEM))
    write_private(files.key, server_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    return files


def write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


@contextlib.contextmanager
def _stopped_on_error(stop: Callable[[], object]) -> Iterator[None]:
    """Call stop() when the block fails (an error or Ctrl-C), then re-raise: a server that does
    not come up leaves nothing running."""
    try:
        yield
    except BaseException:
        stop()
        raise


class _ChildProcessServer:
    """A server in a child process that listens on LOOPBACK:`port`; stopped on exit."""

    port: int
    process: subprocess.Popen[bytes] | None = None

    def _start(self, command: list[str], what: str, log: Path, **popen: Any) -> None:
        """Start `command` and wait until it listens on `port`; stop it if it does not."""
        self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL,
                                        start_new_session=True, **popen)
        with _stopped_on_error(self.__exit__):
            _wait_for_port(self.port, self.process, what, log)

    def __exit__(self, *exc: Any) -> None:
        _stop_process(self.process)
        self.process = None


# ---------------------------------------------------------------------------------------------
# Valkey / Redis
# ---------------------------------------------------------------------------------------------
@dataclass(eq=False)
class CacheServer(_ChildProcessServer):
    """valkey-server / redis-server: TLS only (`port 0`), requirepass, loopback, no persistence.

    `parameters` (the stack's parameter group) are applied with CONFIG SET after start, so one
    the local server does not know (an ElastiCache-only parameter) is reported, not fatal.
    """

    binary: str
    directory: Path
    tls: TlsFiles
    password: str
    maxmemory_bytes: int
    parameters: dict[str, str]
    port: int = field(default_factory=free_port)
    applied: dict[str, str] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)

    def __enter__(self) -> CacheServer:
        self.directory.mkdir(parents=True, exist_ok=True)
        config = self.directory / "server.conf"
        lines = [
            f"bind {LOOPBACK}", "protected-mode yes", "port 0", f"tls-port {self.port}",
            f"tls-cert-file {self.tls.cert}", f"tls-key-file {self.tls.key}",
            f"tls-ca-cert-file {self.tls.ca}", "tls-auth-clients no",
            'tls-protocols "TLSv1.2 TLSv1.3"',
            f"requirepass {self.password}",
            'save ""', "appendonly no", f"dir {self.directory}",
            f"logfile {self.directory / 'server.log'}", "daemonize no",
            f"maxmemory {self.maxmemory_bytes}",
        ]
        write_private(config, ("\n".join(lines) + "\n").encode())
        self._start([self.binary, str(config)], "the cache server", self.directory / "server.log",
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        with _stopped_on_error(self.__exit__):
            self._apply_parameters()
        return self

    def secret(self) -> dict[str, Any]:
        """The connection secret for this server, in the shape the stacks' secrets use."""
        return {"engine": self.engine(), "host": LOOPBACK, "port": self.port,
                "reader_host": LOOPBACK, "tls": True, "username": None,
                "auth_token": self.password, "ca_certs": [self.tls.ca.read_text()],
                "check_hostname": True, "cluster_mode": False}

    def engine(self) -> str:
        return "valkey" if "valkey" in Path(self.binary).name else "redis"

    def client(self) -> Any:
        """A redis-py client through the connection contract (verified TLS, AUTH)."""
        from examples import connect

        return connect.from_secret(self.secret()).client()

    def _apply_parameters(self) -> None:
        import redis

        with self.client() as client:
            for name, value in self.parameters.items():
                if name == "cluster-enabled":
                    # Set by the stack itself; a standalone server is cluster-disabled.
                    self.skipped[name] = f"{value}: managed by the stack, standalone here"
                    continue
                try:
                    client.config_set(name, value)
                    self.applied[name] = str(client.config_get(name).get(name, value))
                except redis.ResponseError as error:
                    self.skipped[name] = f"{value}: {error}"

    def probe(self) -> dict[str, Any]:
        """What the server really runs with, checked from outside."""
        context = ssl.create_default_context(cafile=str(self.tls.ca))
        with socket.create_connection((LOOPBACK, self.port), timeout=5) as raw, \
                context.wrap_socket(raw, server_hostname=LOOPBACK) as tls_socket:
            protocol = tls_socket.version()
            tls_socket.sendall(b"PING\r\n")
            unauthenticated = tls_socket.recv(256).decode(errors="replace").strip()
        plaintext_answer = b""
        with socket.create_connection((LOOPBACK, self.port), timeout=2) as plain:
            plain.sendall(b"PING\r\n")
            with contextlib.suppress(OSError):        # reset or timed out: refused
                plaintext_answer = plain.recv(256)
        with self.client() as client:
            info = client.info("server")
            config = client.config_get("port")
            config.update(client.config_get("tls-port"))
            config.update(client.config_get("maxmemory-policy"))
            config.update(client.config_get("maxmemory"))
        name = info.get("server_name") or self.engine()
        version = info.get("valkey_version") or info.get("redis_version")
        return {
            "server": f"{name} {version}",
            "tls_protocol": protocol,
            "plaintext_port": int(config["port"]),
            "tls_port": int(config["tls-port"]),
            "plaintext_refused": b"PONG" not in plaintext_answer
            and b"NOAUTH" not in plaintext_answer,
            "unauthenticated_refused": unauthenticated.startswith("-NOAUTH"),
            "maxmemory": int(config["maxmemory"]),
            "maxmemory_policy": config["maxmemory-policy"],
        }


# ---------------------------------------------------------------------------------------------
# PostgreSQL
# ---------------------------------------------------------------------------------------------
class PostgresServer:
    def __init__(self, bin_dir: str, directory: Path, password: str, database: str = "catalog"):
        self.bin_dir = Path(bin_dir)
        self.directory = directory
        self.data = directory / "data"
        self.password = password
        self.database = database
        self.user = "bench"
        self.port = free_port()
        self.run_as = PG_USER if os.geteuid() == 0 else None
        self.runuser = find_runuser() if self.run_as else None
        self.started = False

    @property
    def url(self) -> str:
        return (f"postgresql://{self.user}:{self.password}@{LOOPBACK}:{self.port}/"
                f"{self.database}?sslmode=disable&application_name=managed-cache-bench")

    def __enter__(self) -> PostgresServer:
        if self.run_as:
            try:
                pwd.getpwnam(self.run_as)
            except KeyError:
                raise ServerError(f"running as root needs a `{self.run_as}` user to run "
                                  "PostgreSQL (it refuses root)") from None
            if self.runuser is None:
                raise ServerError("running as root needs runuser (util-linux) to start "
                                  f"PostgreSQL as `{self.run_as}`: not on PATH nor in "
                                  + " or ".join(SYSTEM_BIN_DIRS))
        self.directory.mkdir(parents=True, exist_ok=True)
        socket_dir = self.directory / "socket"
        socket_dir.mkdir(exist_ok=True)
        password_file = self.directory / "password"
        write_private(password_file, self.password.encode() + b"\n")
        if self.run_as:
            _chown_tree(self.directory, self.run_as)
        self._run("initdb", "-D", str(self.data), "-U", self.user, "--auth=scram-sha-256",
                  f"--pwfile={password_file}", "-E", "UTF8", "--locale=C", "--no-sync")
        password_file.unlink()
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write(f"\nlisten_addresses = '{LOOPBACK}'\nport = {self.port}\n"
                       f"unix_socket_directories = '{socket_dir}'\n"
                       "max_connections = 50\nshared_buffers = 64MB\n")
        with _stopped_on_error(self.__exit__):
            self._run("pg_ctl", "-D", str(self.data), "-l", str(self.directory / "server.log"),
                      "-w", "-t", "60", "start")
            self.started = True
            self._create_database()
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.started:
            self.started = False
            self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "-t", "30", "stop",
                      check=False)

    def _create_database(self) -> None:
        import psycopg

        admin_url = self.url.replace(f"/{self.database}?", "/postgres?")
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {self.database}")

    def version(self) -> str:
        import psycopg

        with psycopg.connect(self.url) as conn:
            row = conn.execute("SHOW server_version").fetchone()
        return f"PostgreSQL {row[0] if row else '?'}"

    def _run(self, tool: str, *args: str, check: bool = True) -> None:
        command = [str(self.bin_dir / tool), *args]
        if self.run_as:
            if self.runuser is None:
                raise ServerError("runuser (util-linux) not found: cannot start PostgreSQL "
                                  f"as `{self.run_as}`")
            command = [self.runuser, "-u", self.run_as, "--", *command]
        result = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True,
                                text=True, timeout=120, start_new_session=True,
                                cwd=self.directory)
        if check and result.returncode != 0:
            raise ServerError(f"{tool} failed ({result.returncode}): "
                              f"{(result.stderr or result.stdout).strip()[-800:]}")


def _chown_tree(root: Path, user: str) -> None:
    entry = pwd.getpwnam(user)
    for path in [root, *root.rglob("*")]:
        os.chown(path, entry.pw_uid, entry.pw_gid)


# ---------------------------------------------------------------------------------------------
# App servers (uvicorn in a child process)
# ---------------------------------------------------------------------------------------------
class AppServer(_ChildProcessServer):
    def __init__(self, module: str, env: dict[str, str], log: Path):
        self.module = module
        self.env = env
        self.log = log
        self.port = free_port()

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def __enter__(self) -> AppServer:
        root = Path(__file__).resolve().parents[2]       # the directory holding examples/
        env = {**os.environ, **self.env,
               "PYTHONPATH": os.pathsep.join(filter(None, [str(root),
                                                           os.environ.get("PYTHONPATH")]))}
        with open(self.log, "wb") as log:
            self._start([sys.executable, "-m", self.module, "--host", LOOPBACK, "--port",
                         str(self.port)], self.module, self.log, cwd=root, env=env, stdout=log,
                        stderr=log)
        return self


def _wait_for_port(port: int, process: subprocess.Popen[bytes], what: str, log: Path,
                   timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerError(f"{what} exited with {process.returncode}: {_tail(log)}")
        try:
            with socket.create_connection((LOOPBACK, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise ServerError(f"{what} did not listen on {LOOPBACK}:{port} within {timeout:.0f} s: "
                      f"{_tail(log)}")


def _stop_process(process: subprocess.Popen[bytes] | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


def _tail(log: Path) -> str:
    try:
        return " | ".join(log.read_text(errors="replace").strip().splitlines()[-5:])
    except OSError:
        return "(no log)"
