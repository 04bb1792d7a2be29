"""The connection contract: what a managed-cache stack hands an application, as client settings.

Three inputs, one result (`CacheSettings`):

- `from_stack_outputs(outputs, "sessions")`: the JSON of `pulumi stack output --json
  --show-secrets` for a stack of this project (`caches.<name>` plus the secret `auth_tokens`).
- `from_secret(secret)`: the connection secret an application reads at run time from AWS Secrets
  Manager or GCP Secret Manager: a JSON object with `engine`, `host`, `port`, `reader_host`,
  `tls`, `username` and `password` (or `auth_token`); optional `writer_host` (a Global Datastore
  region's secret names the writer), `ca_certs`, `cluster_mode`, `auth`, `check_hostname`.
- `from_url("rediss://:pw@127.0.0.1:6380/0", ca_file=...)`: local servers and tests.

`from_env()` picks one of them from environment variables, which is how the example apps start.

`CacheSettings.redis_kwargs()` are plain keyword arguments for redis-py (`redis.Redis`,
`redis.asyncio.Redis`, `RedisCluster`) and valkey-py, a fork with the same arguments.
`CacheSettings.client()` / `async_client()` add a bounded retry policy, so a call to a cache that
refuses connections or never answers fails within about (RETRIES + 1) x the timeout (see
`client()`), rather than after redis-py's default ten retries. Without a host name check (GCP)
they trust the given CAs alone, not also the system store as redis-py does (tls_trust.py).
What the settings always hold: TLS with certificate verification whenever the cache has TLS
(never `ssl_cert_reqs=none`), TLS 1.2 or newer, the AUTH token / RBAC user / IAM token, reads
on the reader endpoint only when asked (`read_only=True`), and cluster mode when the outputs say
so (or, where they cannot tell, when the server says so).

Credential lookups and token sources live in examples/credentials.py.

    python -m examples.connect --outputs outputs.json --cache sessions --ping
"""

from __future__ import annotations

import argparse
import json
import os
import ssl
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from examples.credentials import (
    ConnectError,
    IamTarget,
    TokenCredentials,
    auth_token,
    iam_token_source,
    rbac_user,
)

CACHE_ENGINES = ("valkey", "redis")
# Per call: the TCP (and TLS) connect, and each wait for an answer on the socket. client() and
# async_client() take `timeout=` to change it.
TIMEOUT_SECONDS = 5.0
# A failed call is retried once, on a new connection, after a short exponential backoff.
RETRIES = 1
RETRY_BACKOFF_BASE_SECONDS = 0.05
RETRY_BACKOFF_CAP_SECONDS = 0.5


@dataclass(frozen=True)
class Endpoint:
    host: str
    port: int

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"


@dataclass(frozen=True)
class CacheSettings:
    """How to reach one cache. Build with from_stack_outputs / from_secret / from_url."""

    name: str
    engine: str                                 # valkey | redis
    writer: Endpoint                            # primary (or configuration / discovery) endpoint
    reader: Endpoint                            # reader endpoint; the writer where there is none
    tls: bool = True
    ca_pem: str | None = None                   # trust these CAs (GCP, a local CA); with
    ca_file: str | None = None                  # check_hostname off, them alone (client())
    check_hostname: bool = True
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    # For IAM auth: called for every new connection, so an hourly token never goes stale.
    password_provider: Callable[[], str] | None = field(default=None, repr=False, compare=False)
    cluster: bool | None = False                # None: the outputs cannot tell; ask the server
    auth: str = "token"                         # token | rbac | iam | none

    def redis_kwargs(self, *, read_only: bool = False,
                     timeout: float = TIMEOUT_SECONDS) -> dict[str, Any]:
        """Keyword arguments for redis.Redis / redis.asyncio.Redis / RedisCluster / valkey.
        timeout: seconds for a connect and for each wait for an answer."""
        if not timeout > 0:
            raise ValueError(f"timeout must be a positive number of seconds, not {timeout!r}")
        endpoint = self.reader if read_only else self.writer
        kwargs: dict[str, Any] = {
            "host": endpoint.host,
            "port": endpoint.port,
            "socket_timeout": timeout,
            "socket_connect_timeout": timeout,
        }
        if self.tls:
            kwargs.update(ssl=True, ssl_cert_reqs="required",
                          ssl_check_hostname=self.check_hostname,
                          ssl_min_version=ssl.TLSVersion.TLSv1_2)
            if self.ca_pem:
                kwargs["ssl_ca_data"] = self.ca_pem
            if self.ca_file:
                kwargs["ssl_ca_certs"] = self.ca_file
            if self.ca_pem or self.ca_file:
                # Python 3.13 verifies strictly (RFC 5280) by default, and Memorystore's CA
                # certificates lack the Authority Key Identifier strict mode requires
                # (redis/redis-py#3685, python/cpython#107361); redis-py 7.0 takes this flag.
                kwargs["ssl_exclude_verify_flags"] = [ssl.VERIFY_X509_STRICT]
        if self.password_provider is not None:
            kwargs["credential_provider"] = TokenCredentials(self.password_provider,
                                                             self.username)
        elif self.password is not None:
            kwargs["password"] = self.password
            if self.username:
                kwargs["username"] = self.username
        return kwargs

    def is_cluster(self, *, timeout: float = TIMEOUT_SECONDS) -> bool:
        """Cluster mode, from the outputs; where they cannot tell, from `INFO cluster` on the
        writer endpoint (one connection, with the same timeout and retry policy as client())."""
        if self.cluster is not None:
            return self.cluster
        import redis
        from redis.retry import Retry

        from examples.tls_trust import build_client
        with build_client(redis.Redis, **self.redis_kwargs(timeout=timeout),
                          socket_keepalive=True, retry=_retry_policy(Retry)) as probe:
            try:
                return bool(probe.info("cluster").get("cluster_enabled"))
            except redis.exceptions.NoPermissionError:
                # An RBAC user whose access string leaves out INFO (it is in @dangerous).
                raise ConnectError(
                    f"{self.name}: cannot tell whether the cache runs in cluster mode: its "
                    "user may not run INFO. Add \"cluster_mode\": true or false to the "
                    "secret, set CACHE_CLUSTER_MODE with CACHE_URL, or set it with "
                    "dataclasses.replace(settings, cluster=...)"
                ) from None

    def client(self, *, read_only: bool = False, decode_responses: bool = True,
               timeout: float = TIMEOUT_SECONDS, **extra: Any) -> Any:
        """A redis-py client: `RedisCluster` in cluster mode (reads from replicas when
        read_only), otherwise `Redis` on the writer or, when read_only, the reader endpoint.

        Fails fast: `timeout` (TIMEOUT_SECONDS) bounds the connect and each wait for an answer,
        a failed call is retried RETRIES time(s) after a short backoff, and there is no periodic
        health-check PING (TCP keepalive finds dead connections instead). A call to a cache that
        refuses connections or never answers raises after about (RETRIES + 1) x timeout.
        `extra` keyword arguments go to the redis-py class as they are (`retry=` replaces the
        policy)."""
        import redis
        from redis.cluster import RedisCluster
        from redis.retry import Retry

        return self._client(redis.Redis, RedisCluster, Retry, read_only, decode_responses,
                            timeout, extra)

    def async_client(self, *, read_only: bool = False, decode_responses: bool = True,
                     timeout: float = TIMEOUT_SECONDS, **extra: Any) -> Any:
        """As client(), for asyncio (redis.asyncio). The cluster probe, if needed, is sync."""
        import redis.asyncio
        from redis.asyncio.cluster import RedisCluster
        from redis.asyncio.retry import Retry

        return self._client(redis.asyncio.Redis, RedisCluster, Retry, read_only,
                            decode_responses, timeout, extra)

    def _client(self, single: Callable[..., Any], cluster: Callable[..., Any],
                retry: Callable[..., Any], read_only: bool, decode_responses: bool,
                timeout: float, extra: dict[str, Any]) -> Any:
        """client() and async_client(), given their redis-py classes. Every keyword here is
        one that Redis and RedisCluster (sync and asyncio) take in redis-py 8.2."""
        from examples.tls_trust import build_client  # no host name check: the given CAs only
        kwargs = {**self.redis_kwargs(read_only=read_only, timeout=timeout),
                  "decode_responses": decode_responses, "socket_keepalive": True,
                  "retry": _retry_policy(retry), **extra}
        # The probe (when the outputs cannot tell) waits as long as the client would.
        if self.is_cluster(timeout=kwargs["socket_timeout"] or timeout):
            from redis.cluster import LoadBalancingStrategy

            if read_only:
                kwargs["load_balancing_strategy"] = LoadBalancingStrategy.ROUND_ROBIN_REPLICAS
            return build_client(cluster, **kwargs)
        return build_client(single, **kwargs)

    def describe(self) -> dict[str, Any]:
        """The settings without any secret, for logs and `python -m examples.connect`."""
        return {
            "name": self.name, "engine": self.engine,
            "writer": str(self.writer), "reader": str(self.reader),
            "tls": self.tls,
            "trust": (("the CA certificates given" + (" and the system trust store" if
                                                       self.check_hostname else " only"))
                      if self.ca_pem or self.ca_file else "the system trust store")
            if self.tls else None,
            "check_hostname": self.check_hostname if self.tls else None,
            "auth": self.auth, "username": self.username,
            "password": None if self.auth == "none" else "(hidden)",
            "cluster": "ask the server" if self.cluster is None else self.cluster,
        }


def _retry_policy(retry: Callable[..., Any]) -> Any:
    """RETRIES retries with a short exponential backoff, as `retry` (redis.retry.Retry, or
    redis.asyncio.retry.Retry for the asyncio clients)."""
    from redis.backoff import ExponentialBackoff

    return retry(ExponentialBackoff(cap=RETRY_BACKOFF_CAP_SECONDS,
                                    base=RETRY_BACKOFF_BASE_SECONDS), RETRIES)


# ---------------------------------------------------------------------------------------------
# Stack outputs
# ---------------------------------------------------------------------------------------------
def from_stack_outputs(outputs: Mapping[str, Any], cache: str, *, region: str | None = None,
                       username: str | None = None, password: str | None = None,
                       password_provider: Callable[[], str] | None = None,
                       default_credentials: bool = False) -> CacheSettings:
    """Settings for `cache` from `pulumi stack output --json --show-secrets`.

    region: a Global Datastore (AWS) or cross-region (GCP) secondary region: reads go to that
    region's member, writes to the primary's endpoint, with the primary's AUTH token.
    username/password: an RBAC user (AWS) or a token you hold; password_provider: a callable
    returning a fresh IAM token (GCP Valkey with `auth: iam`, an AWS user with `iam: true`).
    An AWS serverless cache exports its application user (`user`) and keeps that user's
    password in `auth_tokens`: without username=, the client authenticates as that user
    (`AUTH <user> <password>`). A cache with RBAC users (`users`; `auth: rbac` on a
    replication group) needs username= (the user's `username` or its key under `users`): its
    `default` user is switched off (components/aws/users.py). A password user's password
    comes from `user_passwords`.
    default_credentials: for IAM auth without password= or password_provider=, build the token
    source from the platform's default credentials (examples/credentials.py); from_env() and
    the CLI do. Otherwise IAM auth without a token source is refused.
    """
    caches = outputs.get("caches")
    if not isinstance(caches, Mapping):
        raise ConnectError("the outputs have no `caches` map: pass the JSON of `pulumi stack "
                           "output --json --show-secrets` for a managed-cache stack")
    entry = caches.get(cache)
    if not isinstance(entry, Mapping):
        known = ", ".join(sorted(caches)) or "none"
        raise ConnectError(f"no cache {cache!r} in the outputs; caches: {known}")
    engine = _engine(entry.get("engine"), f"caches.{cache}.engine")
    cloud = "gcp" if "instance_id" in entry else "aws"
    port = _port(entry.get("port"), f"caches.{cache}.port")
    writer = Endpoint(_host(entry.get("endpoint"), f"caches.{cache}.endpoint"), port)
    reader_host = entry.get("reader_endpoint") or writer.host
    reader = Endpoint(_host(reader_host, f"caches.{cache}.reader_endpoint"),
                      _port(entry.get("reader_port", port), f"caches.{cache}.reader_port"))
    cluster = _cluster_from_outputs(entry, cloud, engine)
    tls = bool(entry.get("tls", True))
    certificates = list(entry.get("ca_certs") or [])
    if region and region != entry.get("region"):
        member = (entry.get("secondaries") or {}).get(region)
        if not isinstance(member, Mapping):
            regions = ", ".join([str(entry.get("region")), *sorted(entry.get("secondaries") or {})])
            raise ConnectError(f"cache {cache!r} has no member in {region}; its regions: {regions}")
        where = f"caches.{cache}.secondaries.{region}"
        member_port = _port(member.get("port", port), f"{where}.port")
        reader = Endpoint(_host(member.get("reader_endpoint") or member.get("endpoint"),
                                f"{where}.endpoint"), member_port)
        if cloud == "gcp" and tls:
            # A cross-region secondary is an instance with its own CA
            # (cloud.google.com/memorystore/docs/valkey/manage-in-transit-encryption): trust
            # it as well as the primary's, which writes still reach.
            if not member.get("ca_certs"):
                raise ConnectError(f"{where}.ca_certs is missing: the secondary has its own CA; "
                                   "re-read the outputs after `pulumi up` with this version")
            certificates += [c for c in member["ca_certs"] if c not in certificates]

    ca_pem = None
    check_hostname = True
    if cloud == "gcp" and tls:
        if not entry.get("ca_certs"):
            raise ConnectError(f"caches.{cache}.ca_certs is empty although tls is true: "
                               "re-read the outputs after `pulumi up`")
        ca_pem = "\n".join(str(c).strip() for c in certificates) + "\n"
        # Memorystore endpoints are IP addresses and each instance has its own CA: the chain to
        # that CA alone (client() trusts no other) identifies the server (docs/dns.md, "TLS").
        check_hostname = False

    declared = entry.get("auth", "token")
    if cloud == "gcp" and declared == "none":
        auth, secret = "none", None
    elif cloud == "gcp" and declared == "iam":
        auth, secret = "iam", password
        if password is None and password_provider is None:
            password_provider = iam_token_source(IamTarget("gcp", cache),
                                                 default_credentials=default_credentials)
    elif cloud == "aws" and (declared == "rbac" or isinstance(entry.get("users"), Mapping)):
        auth, username, secret = rbac_user(outputs, cache, entry.get("users") or {}, username,
                                           password, password_provider)
        if auth == "iam" and password is None and password_provider is None:
            target = IamTarget("aws", cache, cache_id=str(entry.get("cache_id") or ""),
                               region=str(entry.get("region") or ""), user_id=username,
                               serverless=bool(entry.get("serverless")))
            password_provider = iam_token_source(target, default_credentials=default_credentials)
    elif username or entry.get("user"):
        # An RBAC user: the one given, or the application user of an AWS serverless cache
        # (components/aws/serverless.py), whose password the stack keeps in auth_tokens.
        exported_user = entry.get("user")
        username = username or str(exported_user)
        auth, secret = "rbac", password
        if password is None and password_provider is None:
            if username != exported_user:
                raise ConnectError(
                    f"RBAC user {username!r} for cache {cache!r} needs its password")
            secret = auth_token(outputs, cache)
    else:
        auth = "token"
        secret = password if password is not None else auth_token(outputs, cache)
    return CacheSettings(
        name=cache, engine=engine, writer=writer, reader=reader, tls=tls, ca_pem=ca_pem,
        check_hostname=check_hostname, username=username, password=secret,
        password_provider=password_provider, cluster=cluster, auth=auth)


def _cluster_from_outputs(entry: Mapping[str, Any], cloud: str, engine: str) -> bool | None:
    """True/False when the outputs say; None when they cannot tell (ask the server)."""
    declared = _declared_cluster(entry)
    if declared is not None:
        return declared
    endpoint, reader = entry.get("endpoint"), entry.get("reader_endpoint")
    if cloud == "aws":
        # ElastiCache in cluster mode has a configuration endpoint (its host has a `clustercfg`
        # label) and no reader endpoint: components/aws/replication_group.py exports the
        # configuration endpoint as both. Without cluster mode the two always differ.
        labels = str(endpoint or "").split(".")
        return "clustercfg" in labels or (bool(endpoint) and endpoint == reader)
    if engine == "redis":
        return False                    # Memorystore for Redis instances have no cluster mode
    # Memorystore for Valkey exports its discovery endpoint as both in cluster mode, and the
    # primary as both without replicas: the outputs cannot tell those apart.
    return False if reader and reader != endpoint else None


def _declared_cluster(entry: Mapping[str, Any]) -> bool | None:
    mode = entry.get("cluster_mode")
    if isinstance(mode, bool):
        return mode
    if isinstance(mode, str) and mode:
        return mode.strip().lower() in ("enabled", "cluster", "true", "yes")
    shards = entry.get("shards")
    if isinstance(shards, (int, float)) and not isinstance(shards, bool):
        return shards > 1
    return None


# ---------------------------------------------------------------------------------------------
# Connection secret (Secrets Manager / Secret Manager)
# ---------------------------------------------------------------------------------------------
def from_secret(secret: str | bytes | Mapping[str, Any], name: str = "cache", *,
                password_provider: Callable[[], str] | None = None,
                ca_file: str | None = None, default_credentials: bool = False) -> CacheSettings:
    """Settings from a connection secret's JSON (or the parsed object). `auth: iam` needs
    password_provider=, or default_credentials=True to build it as from_stack_outputs does:
    GCP (the secret has `instance_id`) from Google's ADC, AWS from the secret's `cache_id`,
    `region`, `username` (the user id) and `serverless`."""
    data = _json_object(secret, "the connection secret")
    engine = _engine(data.get("engine"), "engine")
    port = _port(data.get("port"), "port")
    host = _host(data.get("host"), "host")
    writer = Endpoint(_host(data.get("writer_host") or host, "writer_host"),
                      _port(data.get("writer_port", port), "writer_port"))
    reader = Endpoint(_host(data.get("reader_host") or host, "reader_host"),
                      _port(data.get("reader_port", port), "reader_port"))
    tls = _bool(data.get("tls", True), "tls")
    certificates = data.get("ca_certs")
    if isinstance(certificates, str):
        certificates = [certificates]
    ca_pem = "\n".join(str(c).strip() for c in certificates) + "\n" if certificates else None
    # A private CA (GCP: the instance's own) identifies the server by the chain, so client()
    # trusts it alone; a public CA (AWS) vouches for many hosts, so the name must match too.
    check_hostname = _bool(data.get("check_hostname", ca_pem is None), "check_hostname")
    username = data.get("username") or None
    password = data.get("password", data.get("auth_token"))
    if data.get("auth") == "iam":
        auth = "iam"
        if password is None and password_provider is None:
            target = IamTarget("gcp", name) if "instance_id" in data else IamTarget(
                "aws", name, cache_id=str(data.get("cache_id") or ""),
                region=str(data.get("region") or ""), user_id=str(username or ""),
                serverless=data.get("serverless") is True)
            password_provider = iam_token_source(target, default_credentials=default_credentials)
    elif password is None and password_provider is None:
        auth = "none"
    else:
        auth = "rbac" if username else "token"
    return CacheSettings(
        name=name, engine=engine, writer=writer, reader=reader, tls=tls, ca_pem=ca_pem,
        ca_file=ca_file, check_hostname=check_hostname, username=username,
        password=None if password is None else str(password),
        # Without `cluster_mode` (a hand-made secret) the client asks the server (INFO cluster).
        password_provider=password_provider, cluster=_declared_cluster(data), auth=auth)


# ---------------------------------------------------------------------------------------------
# URL and environment
# ---------------------------------------------------------------------------------------------
def from_url(url: str, *, ca_file: str | None = None, name: str = "cache",
             engine: str = "valkey", cluster: bool | None = None) -> CacheSettings:
    """redis://[user:password@]host[:port] or rediss://... (TLS, verified against ca_file or the
    system trust store). The user name and password must be percent-encoded
    (`urllib.parse.quote(password, safe="")`): `#`, `/`, `?` or `@` in them would end the
    host part early. Cluster mode: a URL cannot tell, so unless `cluster` says, the client
    asks the server."""
    try:
        # An unencoded `#`, `/` or `?` in the password ends the authority there: the rest of
        # the password becomes the "port" (ValueError) or the host sits after an `@` in the
        # path, query or fragment; a `[` or `]` reads as a broken IPv6 address (ValueError).
        # No message may repeat any part of the URL.
        parts = urlsplit(url)
        port = parts.port
        misplaced = "@" in parts.path + parts.query + parts.fragment
    except ValueError:
        parts, port, misplaced = None, None, True
    if misplaced or parts is None:
        raise ConnectError(
            "the cache URL cannot be parsed: its port is not a number 1-65535, or its user "
            "name or password holds a character such as #, /, ?, @, [ or ] that is not "
            "percent-encoded (encode the password with urllib.parse.quote(password, safe=''))")
    if parts.scheme not in ("redis", "rediss", "valkey", "valkeys"):
        raise ConnectError(f"cache URL scheme {parts.scheme!r}: use redis:// or rediss://")
    host = _host(parts.hostname, "the URL's host")
    endpoint = Endpoint(host, port or 6379)
    password = unquote(parts.password) if parts.password else None
    username = unquote(parts.username) if parts.username else None
    return CacheSettings(
        name=name, engine=engine, writer=endpoint, reader=endpoint,
        tls=parts.scheme in ("rediss", "valkeys"), ca_file=ca_file, username=username or None,
        password=password, auth="none" if password is None else "rbac" if username else "token",
        cluster=cluster)


ENV_HELP = ("set CACHE_SECRET_FILE (a connection secret's JSON), or CACHE_OUTPUTS_FILE and "
            "CACHE_NAME (`pulumi stack output --json --show-secrets`; optional CACHE_REGION, "
            "CACHE_USERNAME, CACHE_PASSWORD), or CACHE_URL (rediss://...; optional CACHE_CA_FILE, "
            "CACHE_CLUSTER_MODE true or false)")


def from_env(environ: Mapping[str, str] | None = None) -> CacheSettings:
    """Settings from the environment; see ENV_HELP. An IAM cache gets its token source from the
    platform's default credentials (Google ADC, botocore's chain) unless CACHE_PASSWORD gives a
    token (outputs only)."""
    env = os.environ if environ is None else environ
    if env.get("CACHE_SECRET_FILE"):
        return from_secret(Path(env["CACHE_SECRET_FILE"]).read_text(),
                           name=env.get("CACHE_NAME", "cache"), ca_file=env.get("CACHE_CA_FILE"),
                           default_credentials=True)
    if env.get("CACHE_OUTPUTS_FILE"):
        if not env.get("CACHE_NAME"):
            raise ConnectError("CACHE_OUTPUTS_FILE needs CACHE_NAME (a key of `caches`)")
        outputs = _json_object(Path(env["CACHE_OUTPUTS_FILE"]).read_text(), "the outputs file")
        return from_stack_outputs(outputs, env["CACHE_NAME"], region=env.get("CACHE_REGION"),
                                  username=env.get("CACHE_USERNAME"),
                                  password=env.get("CACHE_PASSWORD"), default_credentials=True)
    if env.get("CACHE_URL"):
        mode = env.get("CACHE_CLUSTER_MODE", "").lower()
        if mode not in ("", "true", "false"):
            raise ConnectError(f"CACHE_CLUSTER_MODE {mode!r}: use true or false")
        return from_url(env["CACHE_URL"], ca_file=env.get("CACHE_CA_FILE"),
                        cluster=None if not mode else mode == "true")
    raise ConnectError(f"no cache configured: {ENV_HELP}")


# ---------------------------------------------------------------------------------------------
# Value checks
# ---------------------------------------------------------------------------------------------
def _json_object(value: str | bytes | Mapping[str, Any], what: str) -> Mapping[str, Any]:
    if isinstance(value, Mapping):
        return value
    try:
        parsed = json.loads(value)
    except ValueError as error:
        raise ConnectError(f"{what} is not JSON: {error}") from None
    if not isinstance(parsed, dict):
        raise ConnectError(f"{what} is not a JSON object")
    return parsed


def _engine(value: Any, key: str) -> str:
    engine = str(value or "").split()[0].lower() if value else ""
    if engine == "memcached":
        # A Memcached client must spread keys over every node: ElastiCache's configuration
        # endpoint resolves to one node (docs.aws.amazon.com/AmazonElastiCache/latest/dg/
        # AutoDiscovery.HowAutoDiscoveryWorks.html) and Memorystore's discovery endpoint must not
        # serve get/set (cloud.google.com/memorystore/docs/memcached/about-auto-discovery).
        raise ConnectError(f"{key} is memcached: use a Memcached client over all its nodes, "
                           "one with auto discovery (`config get cluster` on the configuration "
                           "or discovery endpoint) or one given the node endpoints (e.g. "
                           "pymemcache's HashClient); this contract covers Valkey and Redis")
    if engine not in CACHE_ENGINES:
        raise ConnectError(f"{key} is {value!r}: expected valkey or redis")
    return engine


def _host(value: Any, key: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConnectError(f"{key} is empty: deploy the stack (`pulumi up`) and read its "
                           "outputs again")
    return value.strip()


def _port(value: Any, key: str) -> int:
    # `pulumi stack output --json` prints numbers as JSON numbers, which may arrive as floats.
    try:
        port = int(value)
    except (TypeError, ValueError):
        raise ConnectError(f"{key} is {value!r}: expected a port number") from None
    if port != value and str(port) != str(value).strip() or not 0 < port < 65536:
        raise ConnectError(f"{key} is {value!r}: expected a port number 1-65535")
    return port


def _bool(value: Any, key: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise ConnectError(f"{key} is {value!r}: expected true or false")


# ---------------------------------------------------------------------------------------------
# CLI
# ---------------------------------------------------------------------------------------------
def _without_secret(text: str, settings: CacheSettings) -> str:
    """text with the settings' password, as given and percent-encoded, replaced by (hidden)."""
    secret = settings.password
    if secret:
        for form in sorted({secret, quote(secret, safe="")}, key=len, reverse=True):
            text = text.replace(form, "(hidden)")
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m examples.connect",
        description="Show the client settings for a cache (no secret printed); --ping connects.")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--outputs", help="file with `pulumi stack output --json --show-secrets`")
    source.add_argument("--secret", help="file with the connection secret's JSON")
    source.add_argument("--url", help="redis:// or rediss:// URL")
    parser.add_argument("--cache", help="the cache's name (with --outputs)")
    parser.add_argument("--region", help="read from this secondary region")
    parser.add_argument("--username", default=os.environ.get("CACHE_USERNAME"),
                        help="the RBAC user to log in as (with --outputs; default: "
                             "CACHE_USERNAME); a cache with RBAC users needs one")
    parser.add_argument("--ca-file", help="CA bundle (with --url)")
    parser.add_argument("--ping", action="store_true", help="connect, PING, print the version")
    args = parser.parse_args(argv)
    try:
        if args.outputs:
            if not args.cache:
                parser.error("--outputs needs --cache")
            outputs = _json_object(Path(args.outputs).read_text(), args.outputs)
            settings = from_stack_outputs(outputs, args.cache, region=args.region,
                                          username=args.username or None,
                                          password=os.environ.get("CACHE_PASSWORD"),
                                          default_credentials=True)
        elif args.secret:
            settings = from_secret(Path(args.secret).read_text(), name=args.cache or "cache",
                                   default_credentials=True)
        elif args.url:
            settings = from_url(args.url, ca_file=args.ca_file)
        else:
            settings = from_env()
    except ConnectError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    report = settings.describe()
    if args.ping:
        import redis

        try:
            with settings.client() as client:
                client.ping()
                info = client.info("server")
        except (redis.RedisError, OSError, ConnectError) as error:
            # ConnectError: the cluster-mode probe could not tell (e.g. a user without INFO).
            # The server's own error text is printed, never the password: some servers and
            # proxies repeat a rejected command's arguments (AUTH <password>) in their reply.
            print(f"error: {settings.writer}: {_without_secret(str(error), settings)}",
                  file=sys.stderr)
            return 1
        report["server"] = f"{info.get('server_name', 'redis')} " \
                           f"{info.get('valkey_version') or info.get('redis_version')}"
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
