"""The client settings against real sockets and servers: a cache that never answers or refuses
connections fails fast, a serverless cache's exported user and an RBAC password user
authenticate where `default` is off, cluster mode is asked
of the server when the input cannot tell, a GCP secret's TLS trusts its instance CA (also
under Python 3.13's strict verification) and nothing else, not a CA of the system store (which
SSL_CERT_FILE stands in for), with every client class, and no password leaks from a bad URL or
a failed ping. A redis-server is started where one is installed; those tests skip
otherwise."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime
import json
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
import time
import warnings
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
import redis.asyncio
from redis.exceptions import RedisClusterException

from examples import connect, tls_trust
from examples.bench.servers import find_cache_server, free_port
from examples.connect import ConnectError
from infra.plan.secrets import is_secret
from infra.stackfile import flat_stack_config


@pytest.fixture
def fake_cache():
    """serve(reply=None): a loopback port that accepts connections and answers each one's first
    request with reply(request), or never answers. Yields serve and the connections accepted."""
    listeners, accepted = [], []

    def serve(reply=None):
        listener = socket.create_server(("127.0.0.1", 0))
        listeners.append(listener)

        def run():
            with contextlib.suppress(OSError):
                while True:
                    accepted.append(connection := listener.accept()[0])
                    if reply is not None:
                        connection.sendall(reply(connection.recv(4096)))

        threading.Thread(target=run, daemon=True).start()
        return listener.getsockname()[1]

    yield serve, accepted
    for sock in [*listeners, *accepted]:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        sock.close()


def get_once(port, method, cluster=False, **options):
    """One GET with a fresh client() / async_client(), the way an app makes its first call."""
    here = connect.Endpoint("127.0.0.1", port)
    settings = connect.CacheSettings(name="s", engine="valkey", writer=here, reader=here,
                                     tls=False, password="pw", cluster=cluster)
    if method == "client":
        with settings.client(**options) as client:
            return client.get("k")

    async def get():
        async with settings.async_client(**options) as client:
            return await client.get("k")

    return asyncio.run(get())


# The bound for (RETRIES + 1) attempts of TIMEOUT_SECONDS each and a backoff of at most 0.5 s,
# with room for a busy CI. The timeout is short: the fake cache never answers, so every attempt
# waits it out in full.
TIMEOUT_SECONDS = 0.05
BOUND_SECONDS = 3.0
METHODS = pytest.mark.parametrize("method", ["client", "async_client"], ids=["sync", "asyncio"])


@METHODS
@pytest.mark.parametrize(("options", "cluster"), [
    ({"timeout": TIMEOUT_SECONDS}, False),
    ({"timeout": TIMEOUT_SECONDS}, None),  # the cluster probe first: bounded the same way
    ({"socket_timeout": TIMEOUT_SECONDS, "socket_connect_timeout": TIMEOUT_SECONDS}, False),
], ids=["timeout", "timeout-cluster-probe", "redis-py-keywords"])
def test_a_cache_that_never_answers_fails_within_a_bound(fake_cache, method, options, cluster):
    started = time.monotonic()
    with pytest.raises(redis.TimeoutError):
        get_once(fake_cache[0](), method, cluster=cluster, **options)
    elapsed = time.monotonic() - started
    assert elapsed < BOUND_SECONDS, f"one GET took {elapsed:.1f} s"
    deadline = time.monotonic() + 2               # the server thread may accept a bit late
    while len(fake_cache[1]) < connect.RETRIES + 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(fake_cache[1]) == connect.RETRIES + 1


@METHODS
def test_a_cache_that_refuses_connections_fails_at_once(method):
    started = time.monotonic()
    with pytest.raises(redis.ConnectionError):
        get_once(free_port(), method)                        # nothing listens there
    assert time.monotonic() - started < 1.5


@contextlib.contextmanager
def cache_servers(directory: Path):
    """start(*config): a redis-server (or valkey-server) without TLS on a free loopback port,
    with these command-line settings, working in directory; all stopped on exit. Returns the
    port."""
    binary = find_cache_server() or shutil.which("redis-server")
    if binary is None:
        pytest.skip("needs redis-server or valkey-server (apt-get install redis-server)")
    started: list[subprocess.Popen[bytes]] = []

    def start(*config: str) -> int:
        port, started_at = free_port(), time.monotonic()
        started.append(process := subprocess.Popen(
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(directory), *config],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        while time.monotonic() < started_at + 10 and process.poll() is None:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port)):
                return port
            time.sleep(0.05)
        raise AssertionError(f"{binary} did not listen on 127.0.0.1:{port}")

    try:
        yield start
    finally:
        for process in started:
            process.terminate()
            process.wait(10)


@pytest.fixture
def redis_server(tmp_path):
    with cache_servers(tmp_path) as start:
        yield start


def revealed(value):                # outputs as `pulumi stack output --json --show-secrets`
    if isinstance(value, dict):
        return revealed(value["value"]) if is_secret(value) else \
            {key: revealed(item) for key, item in value.items()}
    if isinstance(value, list):
        return [revealed(item) for item in value]
    return int(value) if isinstance(value, float) and value.is_integer() else value


def test_a_serverless_cache_authenticates_as_its_exported_user(redis_server):
    from infra.plan.report import run_plan

    flat = flat_stack_config("dev")                 # the dev stack plus a serverless cache
    caches = json.loads(flat["managed-cache:caches"])
    caches["bursty"] = {"engine": "valkey",
                        "serverless": {"max_data_gb": 10, "max_ecpu_per_second": 5000}}
    flat["managed-cache:caches"] = json.dumps(caches)
    outputs = json.loads(json.dumps(revealed(run_plan("dev", config=flat).recorder
                                             .stack_outputs)))
    entry, password = outputs["caches"]["bursty"], outputs["auth_tokens"]["bursty"]
    assert entry["serverless"] is True and entry["user"] == "app"
    # Like ElastiCache Serverless: the default user is off, only `app` may log in.
    port = redis_server("--user", "default", "off", "--user", "app", "on", f">{password}",
                        "~*", "+@all")
    entry.update(endpoint="127.0.0.1", reader_endpoint="127.0.0.1", port=port,
                 reader_port=port, tls=False)
    settings = connect.from_stack_outputs(outputs, "bursty")
    assert (settings.auth, settings.username, settings.password) == ("rbac", "app", password)
    with redis.Redis(**settings.redis_kwargs(), decode_responses=True) as client:
        assert client.acl_whoami() == "app"
    with dataclasses.replace(settings, cluster=False).client() as client:
        assert client.set("k", "v") and client.get("k") == "v"
    # A user given explicitly still wins, and needs its own password.
    with pytest.raises(ConnectError, match="RBAC user 'ops' .* needs its password"):
        connect.from_stack_outputs(outputs, "bursty", username="ops")


def test_an_rbac_password_user_authenticates_where_default_is_off(redis_server, rbac_outputs):
    outputs = json.loads(json.dumps(rbac_outputs))
    entry, password = outputs["caches"]["sessions"], outputs["user_passwords"]["sessions"]["app"]
    # Like the stack's user group: `default` is off (components/aws/users.py), `app` may log in.
    port = redis_server("--user", "default", "off", "--user", "app", "on", f">{password}",
                        "~*", "+@all")
    entry.update(endpoint="127.0.0.1", reader_endpoint="127.0.0.1", port=port, tls=False)
    settings = connect.from_stack_outputs(outputs, "sessions", username="app")
    with redis.Redis(**settings.redis_kwargs(), decode_responses=True) as client:
        assert client.acl_whoami() == "app"


class RefreshError(Exception):
    """What google-auth raises when the metadata server does not answer."""


def unreachable_metadata_server() -> str:
    raise RefreshError("metadata server unreachable")


def test_a_failing_token_source_fails_the_connection_as_a_cache_error(redis_server):
    """redis-py re-raises a credential provider's error as it is; the apps' cache-down paths
    catch redis errors only, so the token source's failure must arrive as one."""
    from redis.asyncio.retry import Retry as AsyncRetry
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")              # Starlette 1.x asks for httpx2
        from starlette.testclient import TestClient

    from examples.session_store.app import create_app

    port = redis_server("--requirepass", "access-token")
    credentials = connect.TokenCredentials(unreachable_metadata_server)
    expected = "no IAM token for the cache: RefreshError: metadata server unreachable"
    once = {"credential_provider": credentials, "retry": Retry(NoBackoff(), 0)}   # no retries
    with redis.Redis(port=port, **once) as client, \
            pytest.raises(redis.exceptions.ConnectionError, match=expected) as raised:
        client.ping()
    assert isinstance(raised.value.__cause__, RefreshError)

    app = create_app(lambda: redis.asyncio.Redis(port=port, credential_provider=credentials,
                                                 retry=AsyncRetry(NoBackoff(), 0)),
                     secret_keys=["k" * 32], cookie_secure=False, instance="a")
    with TestClient(app) as web:
        response = web.post("/login", json={"user": "bob"})
    assert (response.status_code, response.json()) == (
        503, {"error": "session store unavailable (ConnectionError)", "instance": "a"})


def test_a_url_or_a_secret_without_cluster_mode_asks_the_server(redis_server):
    port = redis_server()
    settings = connect.from_url(f"redis://127.0.0.1:{port}")
    assert settings.cluster is None
    assert connect.from_secret({"engine": "redis", "host": "127.0.0.1", "port": port,
                                "tls": False}).cluster is None
    with redis.Redis(port=port) as admin:
        admin.config_resetstat()
        assert settings.is_cluster() is False               # cluster_enabled:0
        assert admin.info("commandstats")["cmdstat_info"]["calls"] == 1
    with settings.client() as client:
        assert client.set("k", "v") and client.get("k") == "v"


def test_a_user_that_may_not_run_info_is_told_how_to_name_the_mode(redis_server):
    port = redis_server("--user", "default", "off", "--user", "app", "on", ">app-pass-9f2c",
                        "~*", "+@all", "-@dangerous")
    settings = connect.from_url(f"redis://app:app-pass-9f2c@127.0.0.1:{port}")
    with pytest.raises(ConnectError, match=r"may not run INFO\. Add \"cluster_mode\""):
        settings.is_cluster()
    with dataclasses.replace(settings, cluster=False).client() as client:
        assert client.set("k", "v") and client.get("k") == "v"
    # From the environment too, as the example apps read it.
    url = f"redis://app:app-pass-9f2c@127.0.0.1:{port}"
    with connect.from_env({"CACHE_URL": url, "CACHE_CLUSTER_MODE": "false"}).client() as client:
        assert client.get("k") == "v"


def test_the_cli_says_in_one_line_that_the_mode_cannot_be_told(redis_server, capsys):
    port = redis_server("--user", "default", "off", "--user", "app", "on", ">app-pass-9f2c",
                        "~*", "+@all", "-@dangerous")
    assert connect.main(["--url", f"redis://app:app-pass-9f2c@127.0.0.1:{port}", "--ping"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "may not run INFO" in err and "Traceback" not in err
    assert "app-pass-9f2c" not in err


@pytest.mark.parametrize("password", ["Tok3n#Secret", "Tok3n/Secret", "Tok3n?Secret",
                                      "Tok3n#Secr@t", "se[cret"])
@pytest.mark.parametrize("user", ["app", ""])
def test_an_unencoded_password_in_a_url_is_refused_without_showing_it(password, user, capsys):
    url = f"rediss://{user}:{password}@cache.example.com:6379"
    with pytest.raises(ConnectError) as refused:
        connect.from_url(url)
    assert "percent-encode" in str(refused.value)
    assert connect.main(["--url", url]) == 1
    printed = capsys.readouterr()
    for shown in (str(refused.value), printed.out + printed.err):
        assert not any(piece in shown for piece in (password[:5], password[-4:])), shown
    encoded = connect.from_url(f"rediss://{user}:{quote(password, safe='')}@h.example:6379")
    assert (encoded.password, encoded.writer.host) == (password, "h.example")


@pytest.mark.parametrize("source", ["--url", "--secret"])
def test_a_failed_ping_does_not_print_the_password(redis_server, tmp_path, capsys, source):
    port = redis_server("--requirepass", "the-right-one-9f2c")
    wrong = "not-the-password-7d41"
    secret = tmp_path / "secret.json"
    secret.write_text(json.dumps({"engine": "redis", "host": "127.0.0.1", "port": port,
                                  "tls": False, "password": wrong}))
    where = f"redis://:{wrong}@127.0.0.1:{port}" if source == "--url" else str(secret)
    assert connect.main([source, where, "--ping"]) == 1
    printed = capsys.readouterr()
    assert printed.err.startswith(f"error: 127.0.0.1:{port}: ")
    assert "invalid username-password pair" in printed.err or "WRONGPASS" in printed.err
    for secret in (wrong, "the-right-one-9f2c"):
        assert secret not in printed.out + printed.err


def test_a_server_error_that_repeats_the_password_is_printed_without_it(fake_cache, capsys):
    # Some proxies and old servers repeat a rejected command's arguments (AUTH <password>).
    def echo(request):
        words = [w for w in request.decode().split("\r\n") if w and w[0] not in "*$"]
        return f"-ERR rejected: {' '.join(words)}\r\n".encode()

    password = "p@ss word/with#symbols"
    url = f"redis://:{quote(password, safe='')}@127.0.0.1:{fake_cache[0](echo)}"
    assert connect.main(["--url", url, "--ping"]) == 1
    printed = capsys.readouterr().err
    assert "rejected: " in printed and "(hidden)" in printed
    assert password not in printed and quote(password, safe="") not in printed



def _certificate(name: str, issuer=None):
    """(key, certificate): a self-signed CA like a Memorystore instance's, or, with an issuer
    (key, CA certificate), a server certificate it signs naming no host (a Memorystore
    endpoint is an IP address). Neither carries an Authority Key Identifier, the extension
    Python 3.13's strict verification requires."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    signing_key, issuer_name = (key, subject) if issuer is None else (issuer[0],
                                                                       issuer[1].subject)
    now = datetime.datetime.now(datetime.UTC)
    builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer_name)
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - datetime.timedelta(hours=1))
               .not_valid_after(now + datetime.timedelta(days=1)))
    if issuer is None:
        builder = builder.add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
    return key, builder.sign(signing_key, hashes.SHA256())


def _pem(certificate) -> str:
    from cryptography.hazmat.primitives.serialization import Encoding

    return certificate.public_bytes(Encoding.PEM).decode()


def start_tls(start, directory: Path, ca, cluster: bool = False) -> tuple[int, int]:
    """A redis-server, started by start (from cache_servers), with TLS on a second port,
    requiring the instance's AUTH string, its certificate signed by ca ((key, certificate) from
    _certificate); with cluster, a one-node cluster (TLS between nodes too, so CLUSTER SLOTS
    names the TLS port) holding every slot, not yet ok: see wait_until_cluster_ok. Returns
    (TLS port, plain port)."""
    from cryptography.hazmat.primitives.serialization import (
        Encoding,
        NoEncryption,
        PrivateFormat,
    )

    files = Path(tempfile.mkdtemp(dir=directory))
    key, server = _certificate("memorystore", issuer=ca)
    (files / "server.crt").write_text(_pem(server))
    (files / "server.key").write_bytes(key.private_bytes(
        Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
    (files / "ca.crt").write_text(_pem(ca[1]))
    tls_port = free_port()
    # The bus port is named: by default it is the port + 10000, past 65535 for a high one.
    mode = ("--cluster-enabled", "yes", "--tls-cluster", "yes", "--cluster-port",
            str(free_port()), "--cluster-config-file", str(files / "nodes.conf")) \
        if cluster else ()
    port = start("--requirepass", "instance-auth-string", "--tls-port", str(tls_port),
                 "--tls-cert-file", str(files / "server.crt"),
                 "--tls-key-file", str(files / "server.key"),
                 "--tls-ca-cert-file", str(files / "ca.crt"),
                 "--tls-auth-clients", "no", *mode)
    if cluster:
        with redis.Redis(port=port, password="instance-auth-string") as admin:
            admin.execute_command("CLUSTER", "ADDSLOTSRANGE", 0, 16383)
    return tls_port, port


def wait_until_cluster_ok(port: int) -> None:
    # A master's cluster turns ok no sooner than 2 s after the server started
    # (CLUSTER_WRITABLE_DELAY in Redis's cluster.c), whenever its slots were added.
    with redis.Redis(port=port, password="instance-auth-string") as admin:
        deadline = time.monotonic() + 10
        while admin.cluster("info")["cluster_state"] != "ok":
            assert time.monotonic() < deadline, "the one-node cluster is not ok"
            time.sleep(0.05)


@pytest.fixture
def tls_cache(redis_server, tmp_path):
    """serve(ca): a redis-server as start_tls starts it, without cluster mode. Returns the TLS
    port."""
    return lambda ca: start_tls(redis_server, tmp_path, ca)[0]


@pytest.fixture(scope="module")
def module_cas():
    """{"public CA": ..., "instance CA": ...}, (key, certificate) each, for this module."""
    return {name: _certificate(name) for name in ("public CA", "instance CA")}


@pytest.fixture(scope="module")
def tls_clusters(tmp_path_factory, module_cas):
    """{CA name: TLS port}: a one-node TLS cluster per CA of module_cas, signed by it, shared
    by this module's tests. Started together, so the writable delay is waited once."""
    directory = tmp_path_factory.mktemp("tls-clusters")
    with cache_servers(directory) as start:
        ports = {name: start_tls(start, directory, ca, cluster=True)
                 for name, ca in module_cas.items()}
        for _, plain_port in ports.values():
            wait_until_cluster_ok(plain_port)
        yield {name: tls_port for name, (tls_port, _) in ports.items()}


@pytest.fixture
def memorystore_like_tls(tls_cache):
    """A redis-server with TLS on a second port, its certificate signed by an instance CA.
    Returns (tls port, CA PEM)."""
    ca = _certificate("instance CA")
    return tls_cache(ca), _pem(ca[1])


@pytest.fixture
def public_ca(module_cas, tmp_path, monkeypatch):
    """A CA in the "system" trust store, as a public CA is: SSL_CERT_FILE, which OpenSSL reads
    when ssl.create_default_context() loads the default CAs, names a bundle holding it (the
    machine's own store is left alone). Returns (key, certificate)."""
    ca = module_cas["public CA"]
    (tmp_path / "system-store.pem").write_text(_pem(ca[1]))
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "system-store.pem"))
    return ca


def _gcp_secret(port: int, ca_pem: str) -> dict:
    return {"engine": "redis", "host": "127.0.0.1", "port": port, "tls": True,
            "ca_certs": [ca_pem], "password": "instance-auth-string", "instance_id": "sessions"}


def test_a_gcp_secret_connects_over_tls_trusting_the_instance_ca(memorystore_like_tls):
    port, ca_pem = memorystore_like_tls
    settings = connect.from_secret(_gcp_secret(port, ca_pem))
    with settings.client() as client:
        assert client.ping() is True
    # Python 3.13 turns strict verification on by default; forced on here, the settings still
    # connect, because they leave it out for the instance CA (redis/redis-py#3685).
    with settings.client(ssl_include_verify_flags=[ssl.VERIFY_X509_STRICT]) as client:
        assert client.ping() is True


def test_strict_verification_refuses_a_memorystore_like_ca(memorystore_like_tls):
    # Why the settings leave it out: with it, the same server is refused.
    port, ca_pem = memorystore_like_tls
    settings = connect.from_secret(_gcp_secret(port, ca_pem))
    with pytest.raises(redis.ConnectionError, match="Authority Key Identifier"):
        settings.client(ssl_exclude_verify_flags=None,
                        ssl_include_verify_flags=[ssl.VERIFY_X509_STRICT]).ping()


def test_a_server_that_another_ca_signed_is_refused(memorystore_like_tls):
    port, _ = memorystore_like_tls
    settings = connect.from_secret(_gcp_secret(port, _pem(_certificate("some other CA")[1])))
    # The refusal comes from the first connection: the cluster-mode probe's.
    with pytest.raises(redis.ConnectionError, match="certificate verify failed"):
        settings.client().ping()


def test_the_instance_ca_context_is_redis_pys_without_the_system_store(public_ca, tmp_path):
    from cryptography.hazmat.primitives.serialization import (
        Encoding,
        NoEncryption,
        PrivateFormat,
    )

    instance_ca = _certificate("instance CA")
    key, certificate = _certificate("client", issuer=instance_ca)
    (tmp_path / "client.crt").write_text(_pem(certificate))
    (tmp_path / "client.key").write_bytes(key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8,
                                                            NoEncryption()))
    kwargs = {**connect.from_secret(_gcp_secret(6379, _pem(instance_ca[1]))).redis_kwargs(),
              "ssl_ciphers": "ECDHE+AESGCM", "ssl_certfile": str(tmp_path / "client.crt"),
              "ssl_keyfile": str(tmp_path / "client.key")}
    kwargs = {k: v for k, v in kwargs.items() if k.startswith("ssl_")}
    plain = redis.connection.SSLConnection(**kwargs)._build_ssl_context()
    ours = [tls_trust.GivenCAsSSLConnection(**kwargs)._build_ssl_context(),
            tls_trust.AsyncGivenCAsSSLConnection(**kwargs).ssl_context.get()]

    def trusted(context):
        return sorted(dict(rdn[0] for rdn in ca["subject"])["commonName"]
                      for ca in context.get_ca_certs())

    assert trusted(plain) == ["instance CA", "public CA"]      # the "system" store as well
    for context in ours:
        assert trusted(context) == ["instance CA"]
        for setting in ("verify_mode", "check_hostname", "verify_flags", "minimum_version",
                        "maximum_version", "options"):
            assert getattr(context, setting) == getattr(plain, setting), setting
        assert context.get_ciphers() == plain.get_ciphers()
        assert not context.verify_flags & ssl.VERIFY_X509_STRICT


def ping_beside_plain_redis_py(settings, method):
    """PING through settings.client() / async_client() while a plain redis-py client of the same
    flavour, given settings.redis_kwargs(), holds a connection to the same server: its SSL
    context stays live in redis-py's shared cache meanwhile. Returns (plain's PING, ours)."""
    kwargs = settings.redis_kwargs()
    if method == "client":
        with redis.Redis(**kwargs) as plain:
            plain_ping = plain.ping()               # first: a cluster client connects when built
            with settings.client() as client:
                return plain_ping, client.ping()

    async def ping():
        async with redis.asyncio.Redis(**kwargs) as plain:
            plain_ping = await plain.ping()
            async with settings.async_client() as client:
                return plain_ping, await client.ping()

    return asyncio.run(ping())


CLIENTS = pytest.mark.parametrize(("method", "cluster"), [
    ("client", False), ("client", None), ("client", True),
    ("async_client", False), ("async_client", True),
], ids=["sync", "sync-cluster-probe", "sync-cluster", "asyncio", "asyncio-cluster"])


def tls_server(request, ca_name: str, cluster: bool) -> int:
    """The TLS port of a server signed by module_cas[ca_name]: the module's shared cluster, or
    a new server without cluster mode."""
    if cluster:
        return request.getfixturevalue("tls_clusters")[ca_name]
    return request.getfixturevalue("tls_cache")(request.getfixturevalue("module_cas")[ca_name])


def gcp_settings_against(request, signer: str, cluster: bool | None):
    """A GCP secret's settings that trust the module's instance CA, pointed at a server that
    module_cas[signer] signed, in this cluster mode (None: ask the server)."""
    port = tls_server(request, signer, bool(cluster))
    instance_pem = _pem(request.getfixturevalue("module_cas")["instance CA"][1])
    return dataclasses.replace(connect.from_secret(_gcp_secret(port, instance_pem)),
                               cluster=cluster)


@CLIENTS
def test_gcp_settings_refuse_a_server_that_a_system_store_ca_signed(request, public_ca,
                                                                    method, cluster):
    # A man in the middle with a certificate from any publicly trusted CA, for any name: with
    # no hostname check, only a trust store of the instance CA alone tells it from the instance.
    settings = gcp_settings_against(request, "public CA", cluster)
    assert settings.check_hostname is False
    # redis-py's own context adds ssl_ca_data to the system store: it would take this server.
    with redis.Redis(**settings.redis_kwargs()) as plain:
        assert plain.ping() is True
    with pytest.raises((redis.ConnectionError, RedisClusterException),
                       match="certificate verify failed"):
        # The plain client's context, same settings, stays in redis-py's cache meanwhile.
        ping_beside_plain_redis_py(settings, method)


@CLIENTS
def test_gcp_settings_accept_the_server_that_the_instance_ca_signed(request, public_ca,
                                                                   method, cluster):
    settings = gcp_settings_against(request, "instance CA", cluster)
    assert ping_beside_plain_redis_py(settings, method) == (True, True)
