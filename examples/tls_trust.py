"""TLS that trusts only the CA certificates given, for a cache whose server the certificate chain
alone identifies (GCP Memorystore: its endpoints are IP addresses, so the host name check is
off, and each instance has its own CA; docs/dns.md, "TLS").

redis-py (8.2) builds its TLS context with `ssl.create_default_context()`, which loads the
system trust store, and only adds `ssl_ca_data` / `ssl_ca_certs` to it. Without a host name
check that context would take a certificate from any publicly trusted CA, for any name, as the
instance. The connection classes here build the same context (verify mode, host name check,
verify flags, minimum version, ciphers, client certificate) from the given CAs alone.
`build_client()` makes a redis-py client with them; examples/connect.py's `client()`,
`async_client()` and cluster-mode probe use it.

redis-py shares one context among connections with the same settings
(`redis.utils.get_shared_ssl_context`); its key holds the class that builds the context
(`SSLConnection`, or the asyncio `RedisSSLContext`), so a context built here and one built by
redis-py's own classes never stand in for each other (tests/examples/
test_connect_real_servers.py checks it with both live at once).
"""

from __future__ import annotations

import ssl
from typing import Any

import redis.asyncio.cluster
import redis.asyncio.connection
import redis.cluster
import redis.connection
from redis.exceptions import RedisError

from examples.credentials import ConnectError

CA_KEYWORDS = ("ssl_ca_data", "ssl_ca_certs", "ssl_ca_path")


def given_cas_context(*, cafile: str | None, capath: str | None, cadata: Any,
                      check_hostname: bool, verify_mode: ssl.VerifyMode,
                      include_flags: list[ssl.VerifyFlags] | None,
                      exclude_flags: list[ssl.VerifyFlags] | None,
                      certfile: str | None, keyfile: str | None, password: Any,
                      min_version: ssl.TLSVersion | None, ciphers: str | None) -> ssl.SSLContext:
    """redis-py's TLS context (SSLConnection._build_ssl_context), trusting these CAs only."""
    if not (cafile or capath or cadata):
        raise RedisError("no CA certificates to trust: refusing the system trust store")
    # Given any CA location, create_default_context() makes an SSLContext(PROTOCOL_TLS_CLIENT)
    # and loads those CAs *instead of* the default ones (load_default_certs only runs without
    # any), keeping the rest of what redis-py starts from: Python's default verify flags
    # (3.13: VERIFY_X509_STRICT and PARTIAL_CHAIN) and SSLKEYLOGFILE.
    context = ssl.create_default_context(cafile=cafile, capath=capath, cadata=cadata)
    context.check_hostname = check_hostname
    context.verify_mode = verify_mode
    for flag in include_flags or ():
        context.verify_flags |= flag
    for flag in exclude_flags or ():        # ssl.VERIFY_X509_STRICT for Memorystore's CA
        context.verify_flags &= ~flag
    if certfile:
        context.load_cert_chain(certfile=certfile, keyfile=keyfile, password=password)
    elif keyfile:
        raise RedisError("ssl_keyfile needs ssl_certfile")
    if min_version is not None:
        context.minimum_version = min_version
    if ciphers:
        context.set_ciphers(ciphers)
    return context


class GivenCAsSSLConnection(redis.connection.SSLConnection):
    """redis-py's SSLConnection, trusting only ssl_ca_data / ssl_ca_certs / ssl_ca_path."""

    def _build_ssl_context(self) -> ssl.SSLContext:
        return given_cas_context(
            cafile=self.ca_certs, capath=self.ca_path, cadata=self.ca_data,
            check_hostname=self.check_hostname, verify_mode=self.cert_reqs,
            include_flags=self.ssl_include_verify_flags,
            exclude_flags=self.ssl_exclude_verify_flags, certfile=self.certfile,
            keyfile=self.keyfile, password=self.certificate_password,
            min_version=self.ssl_min_version, ciphers=self.ssl_ciphers)


class GivenCAsRedisSSLContext(redis.asyncio.connection.RedisSSLContext):
    """The asyncio connections' context settings, built into a context of the given CAs only."""

    __slots__ = ()

    def _build(self) -> ssl.SSLContext:
        return given_cas_context(
            cafile=self.ca_certs, capath=self.ca_path, cadata=self.ca_data,
            check_hostname=self.check_hostname, verify_mode=self.cert_reqs,
            include_flags=self.include_verify_flags, exclude_flags=self.exclude_verify_flags,
            certfile=self.certfile, keyfile=self.keyfile, password=self.password,
            min_version=self.min_version, ciphers=self.ciphers)


class AsyncGivenCAsSSLConnection(redis.asyncio.connection.SSLConnection):
    """redis.asyncio's SSLConnection, trusting only ssl_ca_data / ssl_ca_certs / ssl_ca_path."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        given = self.ssl_context                # settings only: no context is built before use
        self.ssl_context = GivenCAsRedisSSLContext(
            keyfile=given.keyfile, certfile=given.certfile, cert_reqs=given.cert_reqs,
            include_verify_flags=given.include_verify_flags,
            exclude_verify_flags=given.exclude_verify_flags, ca_certs=given.ca_certs,
            ca_data=given.ca_data, ca_path=given.ca_path, check_hostname=given.check_hostname,
            min_version=given.min_version, ciphers=given.ciphers, password=given.password)


def trusts_given_cas_only(kwargs: dict[str, Any]) -> bool:
    """Whether redis-py keyword arguments ask for TLS without a host name check: then the
    chain to the given CAs is all that identifies the server."""
    return bool(kwargs.get("ssl")) and not kwargs.get("ssl_check_hostname", True) \
        and kwargs.get("connection_pool") is None      # a pool given decides its own TLS


def build_client(cls: Any, **kwargs: Any) -> Any:
    """cls(**kwargs) for redis-py's Redis or RedisCluster, sync or asyncio. When kwargs ask for
    TLS without a host name check, its connections trust the CAs in kwargs (ssl_ca_data,
    ssl_ca_certs, ssl_ca_path) and nothing else; without any, it is refused (ConnectError).
    redis-py's Redis classes and asyncio RedisCluster take no connection class beside ssl=True:
    the class is set on the client's pool (nodes) before it makes any connection, so the sync
    Redis cannot be a single_connection_client (it connects while it is built)."""
    if not trusts_given_cas_only(kwargs):
        return cls(**kwargs)
    if not any(kwargs.get(keyword) for keyword in CA_KEYWORDS):
        raise ConnectError("TLS without a host name check needs the CA certificates that "
                           "identify the server (ca_certs, or a CA file): otherwise a "
                           "certificate from any public CA would pass")
    if issubclass(cls, redis.cluster.RedisCluster):
        return cls(**kwargs, connection_class=GivenCAsSSLConnection)
    if issubclass(cls, redis.asyncio.cluster.RedisCluster):
        cluster = cls(**kwargs)
        # Nodes found later are made from these settings, the startup nodes already were.
        for settings in {id(s): s for s in (cluster.connection_kwargs,
                                            cluster.nodes_manager.connection_kwargs)}.values():
            settings["connection_class"] = AsyncGivenCAsSSLConnection
        for node in cluster.nodes_manager.startup_nodes.values():
            node.connection_class = AsyncGivenCAsSSLConnection
        return cluster
    if issubclass(cls, redis.asyncio.Redis):
        connection_class: type[Any] = AsyncGivenCAsSSLConnection
    elif issubclass(cls, redis.Redis):
        if kwargs.get("single_connection_client"):
            raise ConnectError("single_connection_client: redis.Redis would connect while it "
                               "is built, before its TLS could trust the instance CA alone")
        connection_class = GivenCAsSSLConnection
    else:
        raise TypeError(f"{cls!r} is not a redis-py Redis or RedisCluster class")
    client = cls(**kwargs)
    client.connection_pool.connection_class = connection_class
    return client
