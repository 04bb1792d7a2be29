"""The connection contract against the real output shapes of every shipped stack."""

from __future__ import annotations

import json
import ssl
import types

import pytest
import redis
import redis.asyncio

from examples import connect, tls_trust
from examples.connect import ConnectError
from infra.stackfile import stack_names


def cache_entries(outputs, engines=("valkey", "redis")):
    return [(name, entry) for name, entry in outputs["caches"].items()
            if entry["engine"].split()[0] in engines]


def settings_for(outputs, name, **kwargs):
    entry = outputs["caches"][name]
    if entry.get("auth") == "iam":
        kwargs.setdefault("password_provider", lambda: "access-token")
    return connect.from_stack_outputs(outputs, name, **kwargs)


@pytest.mark.parametrize("stack", stack_names())
def test_every_shipped_cache_gets_verified_tls_and_its_auth(outputs, stack):
    stack_outputs = outputs[stack]
    entries = cache_entries(stack_outputs)
    assert entries, f"{stack} has no Valkey/Redis cache to connect to"
    for name, entry in entries:
        settings = settings_for(stack_outputs, name)
        kwargs = settings.redis_kwargs()
        assert (kwargs["host"], kwargs["port"]) == (entry["endpoint"], entry["port"])
        if entry["tls"]:
            assert kwargs["ssl"] is True
            assert kwargs["ssl_cert_reqs"] == "required"
            assert kwargs["ssl_min_version"] == ssl.TLSVersion.TLSv1_2
        else:
            assert "ssl" not in kwargs
        if "instance_id" in entry and entry["tls"]:
            # GCP: the instance CA from the outputs, the chain identifies it; Python 3.13's
            # strict X.509 check refuses Memorystore's CA (redis/redis-py#3685).
            assert kwargs["ssl_ca_data"].split() == "\n".join(entry["ca_certs"]).split()
            assert kwargs["ssl_check_hostname"] is False
            assert kwargs["ssl_exclude_verify_flags"] == [ssl.VERIFY_X509_STRICT]
        elif entry["tls"]:
            # AWS: Amazon's public CA from the system store, the endpoint's name checked, and
            # strict verification kept.
            assert "ssl_ca_data" not in kwargs
            assert kwargs["ssl_check_hostname"] is True
            assert "ssl_exclude_verify_flags" not in kwargs
        auth = entry.get("auth", "token")
        if auth == "none":
            assert "password" not in kwargs and "credential_provider" not in kwargs
        elif auth == "iam":
            assert kwargs["credential_provider"].get_credentials() == ("access-token",)
        else:
            assert kwargs["password"] == stack_outputs["auth_tokens"][name]
        # The arguments are ones redis-py accepts (clients connect lazily).
        redis.Redis(**kwargs)
        redis.asyncio.Redis(**kwargs)


@pytest.mark.parametrize("stack", stack_names())
def test_reads_go_to_the_reader_endpoint_writes_to_the_primary(outputs, stack):
    for name, entry in cache_entries(outputs[stack]):
        settings = settings_for(outputs[stack], name)
        assert settings.redis_kwargs(read_only=True)["host"] == entry["reader_endpoint"]
        assert settings.redis_kwargs()["host"] == entry["endpoint"]


def test_reads_use_the_reader_port_when_the_outputs_give_one(outputs):
    # GCP exports the Redis read endpoint's own port (the instance's read_endpoint_port).
    gcp = json.loads(json.dumps(outputs["gcp-prod"]))
    gcp["caches"]["ratelimits"]["reader_port"] = 6380
    settings = settings_for(gcp, "ratelimits")
    assert settings.redis_kwargs(read_only=True)["port"] == 6380
    assert settings.redis_kwargs()["port"] == gcp["caches"]["ratelimits"]["port"]


def test_the_token_never_shows_in_repr_or_describe(outputs):
    settings = connect.from_stack_outputs(outputs["dev"], "sessions")
    token = outputs["dev"]["auth_tokens"]["sessions"]
    assert settings.password == token
    assert token not in repr(settings)
    assert token not in json.dumps(settings.describe())


def test_masked_outputs_say_how_to_reveal_the_token(masked_outputs):
    assert masked_outputs["dev"]["auth_tokens"] == "[secret]"
    with pytest.raises(ConnectError, match="--show-secrets"):
        connect.from_stack_outputs(masked_outputs["dev"], "sessions")
    # A token given explicitly is enough.
    settings = connect.from_stack_outputs(masked_outputs["dev"], "sessions", password="tok")
    assert settings.redis_kwargs()["password"] == "tok"


def test_memcached_is_refused_with_what_to_use_instead(outputs):
    assert outputs["prod"]["caches"]["fragments"]["engine"].startswith("memcached")
    with pytest.raises(ConnectError, match="memcached: use a Memcached client") as refused:
        connect.from_stack_outputs(outputs["prod"], "fragments")
    # Every node, not the configuration endpoint alone: on AWS that resolves to one node, and
    # Memorystore's discovery endpoint does not serve get/set.
    assert "config get cluster" in str(refused.value)
    assert "node endpoints" in str(refused.value)
    assert "with the configuration endpoint" not in str(refused.value)


def test_unknown_cache_lists_the_known_ones(outputs):
    with pytest.raises(ConnectError, match="no cache 'session'.*caches: fragments, sessions"):
        connect.from_stack_outputs(outputs["prod"], "session")


def test_global_datastore_region_reads_locally_and_writes_to_the_primary(outputs):
    prod = outputs["prod"]
    entry = prod["caches"]["sessions"]
    secondary = entry["secondaries"]["eu-west-1"]
    settings = connect.from_stack_outputs(prod, "sessions", region="eu-west-1")
    assert settings.redis_kwargs(read_only=True)["host"] == secondary["reader_endpoint"]
    assert settings.redis_kwargs()["host"] == entry["endpoint"]
    # Secondaries inherit the primary's AUTH token.
    assert settings.redis_kwargs(read_only=True)["password"] == prod["auth_tokens"]["sessions"]


def test_gcp_cross_region_replica_reads_from_its_endpoint(outputs):
    gcp = outputs["gcp-prod"]
    primary = gcp["caches"]["sessions"]
    secondary = primary["secondaries"]["us-east4"]
    settings = settings_for(gcp, "sessions", region="us-east4")
    kwargs = settings.redis_kwargs(read_only=True)
    assert (kwargs["host"], kwargs["port"]) == (secondary["endpoint"], secondary["port"])
    # The secondary is an instance with its own CA: the reader trusts it, and the writer (the
    # primary, same settings) still trusts the primary's.
    assert set(secondary["ca_certs"]).isdisjoint(primary["ca_certs"])
    for read_only in (True, False):
        trusted = settings.redis_kwargs(read_only=read_only)["ssl_ca_data"].split()
        for certificate in [*primary["ca_certs"], *secondary["ca_certs"]]:
            assert set(certificate.split()) <= set(trusted)
    assert settings.redis_kwargs(read_only=True)["ssl_check_hostname"] is False


def test_gcp_secondary_without_its_ca_is_refused(outputs):
    gcp = json.loads(json.dumps(outputs["gcp-prod"]))
    del gcp["caches"]["sessions"]["secondaries"]["us-east4"]["ca_certs"]
    with pytest.raises(ConnectError, match="secondaries.us-east4.ca_certs is missing: the "
                                           "secondary has its own CA"):
        settings_for(gcp, "sessions", region="us-east4")
    # Reading in the primary's region needs only the primary's CA.
    assert settings_for(gcp, "sessions").redis_kwargs()["ssl_ca_data"]


def test_a_region_without_a_member_is_refused(outputs):
    with pytest.raises(ConnectError, match="no member in ap-south-1; its regions: "
                                           "us-east-1, eu-west-1"):
        connect.from_stack_outputs(outputs["prod"], "sessions", region="ap-south-1")


def test_gcp_iam_auth_needs_a_token_source(outputs):
    assert outputs["gcp-prod"]["caches"]["sessions"]["auth"] == "iam"
    with pytest.raises(ConnectError, match="roles/memorystore.dbConnectionUser"):
        connect.from_stack_outputs(outputs["gcp-prod"], "sessions")
    tokens = iter(["token-1", "token-2"])
    settings = connect.from_stack_outputs(outputs["gcp-prod"], "sessions",
                                          password_provider=lambda: next(tokens))
    provider = settings.redis_kwargs()["credential_provider"]
    # Asked again for every new connection, so an hourly token is never reused stale.
    assert provider.get_credentials() == ("token-1",)
    assert provider.get_credentials() == ("token-2",)


def test_rbac_user_needs_its_password(outputs):
    with pytest.raises(ConnectError, match="RBAC user 'app' .* needs its password"):
        connect.from_stack_outputs(outputs["dev"], "sessions", username="app")
    settings = connect.from_stack_outputs(outputs["dev"], "sessions", username="app",
                                          password="pw")
    kwargs = settings.redis_kwargs()
    assert (kwargs["username"], kwargs["password"], settings.auth) == ("app", "pw", "rbac")


@pytest.mark.parametrize("stack", stack_names())
def test_shipped_stacks_are_not_cluster_mode(outputs, stack):
    for name, entry in cache_entries(outputs[stack]):
        settings = settings_for(outputs[stack], name)
        if entry["reader_endpoint"] == entry["endpoint"] and "instance_id" in entry \
                and entry["engine"].startswith("valkey"):
            assert settings.cluster is None       # GCP Valkey without replicas: ask the server
        else:
            assert settings.cluster is False


def test_sharded_aws_cache_uses_the_cluster_client(plan_variant):
    sharded = plan_variant("dev", "sessions", shards=2)
    entry = sharded["caches"]["sessions"]
    assert "clustercfg" in entry["endpoint"].split(".")
    settings = connect.from_stack_outputs(sharded, "sessions")
    assert settings.cluster is True and settings.is_cluster() is True


def test_sharded_gcp_valkey_asks_the_server(plan_variant, monkeypatch):
    # Memorystore exports the discovery endpoint as both endpoints: the outputs cannot tell
    # cluster mode from a single node, so the client asks the server (INFO cluster).
    sharded = plan_variant("gcp-dev", "sessions", shards=2)
    # gcp-dev's Valkey uses IAM auth, like every Memorystore for Valkey cache by default.
    settings = connect.from_stack_outputs(sharded, "sessions", password_provider=lambda: "t")
    assert settings.cluster is None

    probes = []

    class Probe:
        def __init__(self, **kwargs):
            assert kwargs["host"] == sharded["caches"]["sessions"]["endpoint"]
            self.connection_pool = types.SimpleNamespace(connection_class=None)
            probes.append(self)

        def __enter__(self):
            # Its TLS trusts the instance CA alone, from before it connects.
            assert self.connection_pool.connection_class is tls_trust.GivenCAsSSLConnection
            return self

        def __exit__(self, *exc):
            return False

        def info(self, section):
            assert section == "cluster"
            return {"cluster_enabled": 1}

    monkeypatch.setattr(redis, "Redis", Probe)
    assert settings.is_cluster() is True
    assert len(probes) == 1


@pytest.mark.parametrize(("method", "single", "cluster_module"), [
    ("client", redis.Redis, "redis.cluster"),
    ("async_client", redis.asyncio.Redis, "redis.asyncio.cluster"),
], ids=["sync", "asyncio"])
@pytest.mark.parametrize("read_only", [False, True], ids=["writer", "reader"])
def test_clients_pick_the_endpoint_and_the_cluster_class(monkeypatch, method, single,
                                                         cluster_module, read_only):
    import importlib

    from redis.cluster import LoadBalancingStrategy

    class RecordingCluster:
        def __init__(self, **kwargs):
            self.kwargs = kwargs

    real_cluster = importlib.import_module(cluster_module).RedisCluster
    monkeypatch.setattr(importlib.import_module(cluster_module), "RedisCluster",
                        RecordingCluster)
    writer, reader = connect.Endpoint("writer.test", 6379), connect.Endpoint("reader.test", 6380)
    settings = connect.CacheSettings(name="s", engine="valkey", writer=writer, reader=reader,
                                     password="pw", cluster=False)
    endpoint = reader if read_only else writer

    plain = getattr(settings, method)(read_only=read_only, client_name="app")
    assert type(plain) is single
    pool_kwargs = plain.connection_pool.connection_kwargs
    assert (pool_kwargs["host"], pool_kwargs["port"]) == (endpoint.host, endpoint.port)
    assert (pool_kwargs["password"], pool_kwargs["client_name"]) == ("pw", "app")
    # Dead connections are found by TCP keepalive, not by a PING before commands (which nests
    # its own retries inside every command's).
    assert pool_kwargs["socket_keepalive"] is True
    assert pool_kwargs.get("health_check_interval", 0) == 0
    assert pool_kwargs["retry"].get_retries() == connect.RETRIES
    assert pool_kwargs["socket_timeout"] == pool_kwargs["socket_connect_timeout"] == \
        connect.TIMEOUT_SECONDS
    assert pool_kwargs["decode_responses"] is True
    quick = getattr(settings, method)(read_only=read_only, timeout=0.25).connection_pool
    assert quick.connection_kwargs["socket_timeout"] == 0.25
    assert quick.connection_kwargs["socket_connect_timeout"] == 0.25

    sharded = connect.CacheSettings(name="s", engine="valkey", writer=writer, reader=reader,
                                    password="pw", cluster=True)
    clustered = getattr(sharded, method)(read_only=read_only, decode_responses=False)
    assert type(clustered) is RecordingCluster
    retry = clustered.kwargs.pop("retry")
    assert retry.get_retries() == connect.RETRIES
    assert clustered.kwargs == {
        **sharded.redis_kwargs(read_only=read_only), "decode_responses": False,
        "socket_keepalive": True,
        **({"load_balancing_strategy": LoadBalancingStrategy.ROUND_ROBIN_REPLICAS}
           if read_only else {})}
    # Every keyword is one the real cluster class takes (the sync one silently drops others).
    assert not_taken_by(real_cluster, {**clustered.kwargs, "retry": retry}) == []


def not_taken_by(cluster_class, kwargs):
    """The keywords of kwargs that redis-py's RedisCluster ignores or refuses."""
    import inspect

    import redis.cluster

    parameters = inspect.signature(cluster_class.__init__).parameters
    taken = set(parameters) - {"self"}
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()):
        # Sync RedisCluster hands **kwargs to its node connections through cleanup_kwargs.
        taken |= set(redis.cluster.REDIS_ALLOWED_KEYS) - set(redis.cluster.KWARGS_DISABLED_KEYS)
    return sorted(set(kwargs) - taken)


@pytest.mark.parametrize(("declared", "expected"), [
    ({"cluster_mode": True}, True), ({"cluster_mode": "enabled"}, True),
    ({"cluster_mode": "CLUSTER"}, True), ({"cluster_mode": "CLUSTER_DISABLED"}, False),
    ({"shards": 3}, True), ({"shards": 1}, False),
])
def test_an_output_that_declares_cluster_mode_wins(outputs, declared, expected):
    patched = json.loads(json.dumps(outputs["gcp-dev"]))
    patched["caches"]["sessions"].update(declared)
    settings = connect.from_stack_outputs(patched, "sessions", password_provider=lambda: "t")
    assert settings.cluster is expected


# --- the connection secret (issue 13's shape) -----------------------------------------------
def aws_secret(outputs, name="sessions", **extra):
    entry = outputs["caches"][name]
    return {"engine": entry["engine"].split()[0], "host": entry["endpoint"],
            "port": entry["port"], "reader_host": entry["reader_endpoint"], "tls": entry["tls"],
            "username": None, "auth_token": outputs["auth_tokens"][name], **extra}


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_secret_gives_the_same_settings_as_the_outputs(outputs, stack):
    from_outputs = connect.from_stack_outputs(outputs[stack], "sessions")
    from_secret = connect.from_secret(json.dumps(aws_secret(outputs[stack])), name="sessions")
    for read_only in (False, True):
        assert from_secret.redis_kwargs(read_only=read_only) == \
            from_outputs.redis_kwargs(read_only=read_only)


def test_secret_with_a_writer_host_sends_writes_there(outputs):
    prod = outputs["prod"]
    secondary = prod["caches"]["sessions"]["secondaries"]["eu-west-1"]
    secret = aws_secret(prod, host=secondary["endpoint"],
                        reader_host=secondary["reader_endpoint"],
                        writer_host=prod["caches"]["sessions"]["endpoint"])
    settings = connect.from_secret(secret)
    assert settings.redis_kwargs()["host"] == prod["caches"]["sessions"]["endpoint"]
    assert settings.redis_kwargs(read_only=True)["host"] == secondary["reader_endpoint"]


def test_gcp_secret_trusts_its_ca_certificates(outputs):
    entry = outputs["gcp-prod"]["caches"]["ratelimits"]
    secret = {"engine": "redis", "host": entry["endpoint"], "port": entry["port"],
              "reader_host": entry["reader_endpoint"], "tls": True,
              "password": outputs["gcp-prod"]["auth_tokens"]["ratelimits"],
              "ca_certs": entry["ca_certs"]}
    kwargs = connect.from_secret(secret).redis_kwargs()
    assert kwargs["ssl_ca_data"].split() == "\n".join(entry["ca_certs"]).split()
    assert kwargs["ssl_check_hostname"] is False
    assert kwargs["password"] == outputs["gcp-prod"]["auth_tokens"]["ratelimits"]


GCP_SECRET = {"engine": "valkey", "host": "10.0.0.3", "port": 6378, "tls": True,
              "ca_certs": ["-----BEGIN CERTIFICATE-----\nnot parsed here\n"],
              "password": "pw", "instance_id": "sessions", "cluster_mode": False}


@pytest.mark.parametrize(("method", "cluster", "expected"), [
    ("client", False, tls_trust.GivenCAsSSLConnection),
    ("async_client", False, tls_trust.AsyncGivenCAsSSLConnection),
    ("async_client", True, tls_trust.AsyncGivenCAsSSLConnection),
], ids=["sync", "asyncio", "asyncio-cluster"])
def test_without_a_hostname_check_clients_trust_the_given_cas_alone(method, cluster, expected):
    # (The sync RedisCluster connects while it is built: tests/examples/
    # test_connect_real_servers.py covers it against a server.)
    settings = connect.from_secret({**GCP_SECRET, "cluster_mode": cluster})
    client = getattr(settings, method)()
    if cluster:
        assert client.connection_kwargs["connection_class"] is expected
        startup = client.nodes_manager.startup_nodes.values()
        assert {node.connection_class for node in startup} == {expected}
    else:
        assert client.connection_pool.connection_class is expected
    # An AWS-like secret (public CA, name checked) keeps redis-py's own classes.
    aws = connect.from_secret({**GCP_SECRET, "ca_certs": None, "cluster_mode": cluster})
    plain = getattr(aws, method)()
    classes = {n.connection_class for n in plain.nodes_manager.startup_nodes.values()} \
        if cluster else {plain.connection_pool.connection_class}
    assert classes == {expected.__mro__[1]}


def test_no_hostname_check_without_a_ca_to_trust_is_refused():
    settings = connect.from_secret({**GCP_SECRET, "ca_certs": None, "check_hostname": False})
    assert settings.describe()["trust"] == "the system trust store"
    for method in ("client", "async_client"):
        with pytest.raises(ConnectError, match="needs the CA certificates"):
            getattr(settings, method)()
    gcp = connect.from_secret(GCP_SECRET)
    assert gcp.describe()["trust"] == "the CA certificates given only"
    with pytest.raises(ConnectError, match="single_connection_client"):
        gcp.client(single_connection_client=True)
    local = connect.from_url("rediss://127.0.0.1:6380", ca_file="/tmp/ca.pem")
    assert local.describe()["trust"] == "the CA certificates given and the system trust store"


def test_secret_rbac_user(outputs):
    secret = aws_secret(outputs["dev"], username="app", auth_token=None, password="pw")
    settings = connect.from_secret(secret)
    assert settings.auth == "rbac"
    assert (settings.redis_kwargs()["username"], settings.redis_kwargs()["password"]) == \
        ("app", "pw")


@pytest.mark.parametrize(("change", "message"), [
    ({"engine": "memcached"}, "engine is memcached"),
    ({"host": ""}, "host is empty"),
    ({"port": "six"}, "port is 'six': expected a port number"),
    ({"port": 70000}, "port is 70000"),
    ({"tls": "maybe"}, "tls is 'maybe': expected true or false"),
])
def test_bad_secret_values_are_named(outputs, change, message):
    with pytest.raises(ConnectError, match=message):
        connect.from_secret(aws_secret(outputs["dev"], **change))


def test_secret_that_is_not_json():
    with pytest.raises(ConnectError, match="the connection secret is not JSON"):
        connect.from_secret("engine=valkey")


# --- URL, environment, CLI ------------------------------------------------------------------
def test_url_with_tls_verifies_against_the_given_ca():
    settings = connect.from_url("rediss://:s3cret@127.0.0.1:6380", ca_file="/tmp/ca.pem")
    kwargs = settings.redis_kwargs()
    assert (kwargs["host"], kwargs["port"], kwargs["password"]) == ("127.0.0.1", 6380, "s3cret")
    assert kwargs["ssl_ca_certs"] == "/tmp/ca.pem" and kwargs["ssl_check_hostname"] is True
    assert "ssl" not in connect.from_url("redis://127.0.0.1").redis_kwargs()
    with pytest.raises(ConnectError, match="scheme 'http'"):
        connect.from_url("http://127.0.0.1")


def test_env_prefers_the_secret_then_the_outputs_then_a_url(tmp_path, outputs):
    secret = tmp_path / "secret.json"
    secret.write_text(json.dumps(aws_secret(outputs["dev"])))
    outputs_file = tmp_path / "outputs.json"
    outputs_file.write_text(json.dumps(outputs["prod"]))
    url = "rediss://:pw@127.0.0.1:6380"
    env = {"CACHE_SECRET_FILE": str(secret), "CACHE_OUTPUTS_FILE": str(outputs_file),
           "CACHE_NAME": "sessions", "CACHE_URL": url}
    dev_host = outputs["dev"]["caches"]["sessions"]["endpoint"]
    assert connect.from_env(env).writer.host == dev_host
    del env["CACHE_SECRET_FILE"]
    assert connect.from_env(env).writer.host == outputs["prod"]["caches"]["sessions"]["endpoint"]
    del env["CACHE_OUTPUTS_FILE"]
    assert connect.from_env(env).writer.host == "127.0.0.1"
    assert connect.from_env(env).cluster is None                 # asked of the server
    assert connect.from_env({**env, "CACHE_CLUSTER_MODE": "True"}).cluster is True
    with pytest.raises(ConnectError, match="CACHE_CLUSTER_MODE 'on': use true or false"):
        connect.from_env({**env, "CACHE_CLUSTER_MODE": "on"})
    with pytest.raises(ConnectError, match="no cache configured: set CACHE_SECRET_FILE"):
        connect.from_env({})


def test_cli_shows_settings_without_the_token(tmp_path, outputs, capsys):
    outputs_file = tmp_path / "outputs.json"
    outputs_file.write_text(json.dumps(outputs["dev"]))
    assert connect.main(["--outputs", str(outputs_file), "--cache", "sessions"]) == 0
    printed = capsys.readouterr().out
    assert outputs["dev"]["auth_tokens"]["sessions"] not in printed
    shown = json.loads(printed)
    assert shown["writer"] == f"{outputs['dev']['caches']['sessions']['endpoint']}:6379"
    assert (shown["tls"], shown["password"]) == (True, "(hidden)")


def test_an_undeployed_endpoint_is_refused(outputs):
    patched = json.loads(json.dumps(outputs["dev"]))
    patched["caches"]["sessions"]["endpoint"] = ""
    with pytest.raises(ConnectError, match="caches.sessions.endpoint is empty"):
        connect.from_stack_outputs(patched, "sessions")
