"""Credentials for the connection contract (examples/connect.py): the AUTH tokens, RBAC users
and passwords a stack's outputs hold, the redis-py credential provider around a token source,
and the IAM token sources themselves (`iam_token_source`):

- GCP Memorystore for Valkey (`auth: iam`): a Google OAuth 2.0 access token of the
  Application Default Credentials, sent as the AUTH password (google-auth, imported only here);
- AWS ElastiCache, an RBAC user with `iam: true`: a SigV4-presigned `connect` request for the
  user and the cache, valid 15 minutes, sent as `AUTH <user id> <token>` (botocore).

Kept apart from connect.py so each module stays small; connect.py re-exports what callers use
(`ConnectError`, `TokenCredentials`).
"""

from __future__ import annotations

import asyncio
import importlib
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

# What `pulumi stack output --json` prints for a secret without --show-secrets
# (pulumi/pulumi pkg/backend/display: massagePropertyValue).
MASKED = "[secret]"


# Google's scope for Memorystore access tokens (google.auth.default), and how long an ElastiCache
# IAM token is valid: 15 minutes, its maximum (docs.aws.amazon.com/AmazonElastiCache/latest/dg/
# auth-iam.html, "Limitations").
GOOGLE_SCOPES = ("https://www.googleapis.com/auth/cloud-platform",)
ELASTICACHE_TOKEN_SECONDS = 900


class ConnectError(ValueError):
    """The outputs, secret or URL cannot give working, secure client settings. One line."""


class TokenCredentials:
    """A redis-py credential provider around a callable (an IAM access token source).

    A token source that fails (google-auth's RefreshError when the metadata server does not
    answer, botocore's credential errors) fails the connection as a redis ConnectionError:
    redis-py re-raises a provider's error as it is, and the apps' cache-down paths (database
    reads, 503, a degraded health check) catch the client's own errors only."""

    def __init__(self, token: Callable[[], str], username: str | None = None):
        self._token = token
        self._username = username

    def get_credentials(self) -> tuple[str] | tuple[str, str]:
        from redis.exceptions import ConnectionError as CacheConnectionError

        try:
            token = self._token()
        except Exception as err:
            raise CacheConnectionError(f"no IAM token for the cache: {type(err).__name__}: "
                                       f"{err}") from err
        return (self._username, token) if self._username else (token,)

    async def get_credentials_async(self) -> tuple[str] | tuple[str, str]:
        # The token source may block (an OAuth refresh is an HTTPS call): run it in a worker
        # thread so the event loop keeps serving other connections meanwhile.
        return await asyncio.to_thread(self.get_credentials)


def auth_token(outputs: Mapping[str, Any], cache: str) -> str:
    """The AUTH token (or serverless app user's password) of `cache` in `auth_tokens`."""
    tokens = outputs.get("auth_tokens")
    if tokens == MASKED:
        raise ConnectError("auth_tokens is masked ('[secret]'): use `pulumi stack output --json "
                           "--show-secrets`, or pass the token as password")
    if not isinstance(tokens, Mapping) or not tokens.get(cache):
        raise ConnectError(f"no AUTH token for cache {cache!r} in auth_tokens: pass password= "
                           "(or username= and password= for an RBAC user)")
    token = tokens[cache]
    if token == MASKED:
        raise ConnectError(f"auth_tokens.{cache} is masked ('[secret]'): use "
                           "`pulumi stack output --json --show-secrets`")
    return str(token)


def rbac_user(outputs: Mapping[str, Any], cache: str, users: Mapping[str, Any],
              username: str | None, password: str | None,
              password_provider: Callable[[], str] | None) -> tuple[str, str, str | None]:
    """(auth, user name, password) for `username`, one of the RBAC users the outputs export for
    `cache` (`caches.<cache>.users`), named by its `username` or its key. A password user's
    password comes from `user_passwords` unless one is given; an IAM user's name is its user id
    (AWS requires it), and its token source is the caller's to find (`iam_token_source`)."""
    listed = ", ".join(f"{u.get('username', key)} ({u.get('auth', 'password')})"
                       for key, u in sorted(users.items()) if isinstance(u, Mapping)) or "none"
    if not username:
        # A one-argument AUTH means user `default`, which the stack switches off
        # (components/aws/users.py): the server would answer WRONGPASS.
        raise ConnectError(
            f"cache {cache!r} accepts only its RBAC users (its default user is off): name one "
            f"with username= (CACHE_USERNAME, --username); its users: {listed}")
    found = [(key, u) for key, u in users.items()
             if isinstance(u, Mapping) and username in (key, u.get("username"))]
    if not found:
        raise ConnectError(f"cache {cache!r} has no RBAC user {username!r}; its users: {listed}")
    key, user = found[0]
    name = str(user.get("username") or key)
    if user.get("auth") == "iam":
        return "iam", name, password                # the caller finds the token source
    if password is None and password_provider is None:
        password = user_password(outputs, cache, key)
    return "rbac", name, password


def user_password(outputs: Mapping[str, Any], cache: str, user: str) -> str:
    """A password user's password from the secret output `user_passwords`, by cache and user key
    (infra/stacks/aws.py)."""
    passwords = outputs.get("user_passwords")
    by_user = passwords.get(cache) if isinstance(passwords, Mapping) else passwords
    value = by_user.get(user) if isinstance(by_user, Mapping) else by_user
    if MASKED in (passwords, by_user, value):
        raise ConnectError("user_passwords is masked ('[secret]'): use `pulumi stack output "
                           "--json --show-secrets`, or pass the user's password as password")
    if not isinstance(value, str) or not value:
        raise ConnectError(f"no password for user {user!r} of cache {cache!r} in "
                           "user_passwords: pass password=")
    return value


# ---------------------------------------------------------------------------------------------
# IAM token sources
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class IamTarget:
    """What an IAM token is for. GCP: any Memorystore instance of the project (the token names
    the principal, not the instance). AWS: one user of one cache, in the cache's region."""

    cloud: str                          # gcp | aws
    cache: str                          # the cache's name in the outputs or the secret
    cache_id: str = ""                  # AWS: replication group id or serverless cache name
    region: str = ""                    # AWS: the cache's region (the token's signing region)
    user_id: str = ""                   # AWS: the IAM-enabled user's id (= its user name)
    serverless: bool = False            # AWS: a serverless cache


def iam_token_source(target: IamTarget, *, default_credentials: bool) -> Callable[[], str]:
    """A callable returning a fresh token for `target`, built from the platform's default
    credentials (Google ADC, botocore's credential chain) when `default_credentials`; otherwise
    a ConnectError saying what to pass instead."""
    if target.cloud == "gcp":
        if not default_credentials:
            raise ConnectError(
                f"cache {target.cache!r} uses IAM auth: pass password=<access token> or "
                "password_provider=<callable returning a fresh token>; the client's service "
                "account needs roles/memorystore.dbConnectionUser")
        return google_access_token_source()
    missing = [key for key in ("cache_id", "region", "user_id") if not getattr(target, key)]
    if missing:
        raise ConnectError(f"cache {target.cache!r}: an IAM token is signed for the cache's id, "
                           f"region and user id, and {', '.join(missing)} is missing: re-read "
                           "the outputs or the connection secret after `pulumi up`")
    if not default_credentials:
        raise ConnectError(
            f"user {target.user_id!r} of cache {target.cache!r} uses IAM auth: pass "
            "password_provider=<callable returning a fresh IAM auth token> (or password=<token>); "
            "the client's role needs elasticache:Connect on the cache and the user")
    return elasticache_token_source(target.user_id, target.cache_id, target.region,
                                    serverless=target.serverless)


def google_access_token_source() -> Callable[[], str]:
    """Google OAuth 2.0 access tokens of the Application Default Credentials, refreshed when
    missing or about to expire. Memorystore for Valkey verifies the token given to AUTH
    (cloud.google.com/memorystore/docs/valkey/about-iam-auth, "Valkey AUTH command"); the
    client sends it alone, `AUTH <token>`, which is user `default` (valkey.io/commands/auth),
    as `AUTH default <token>` from Google's own client is (googleapis/genai-toolbox,
    internal/sources/valkey/valkey.go)."""
    try:
        google_auth = importlib.import_module("google.auth")
        exceptions = importlib.import_module("google.auth.exceptions")
        transport = importlib.import_module("google.auth.transport.requests")
    except ImportError:
        raise ConnectError("the cache uses IAM auth and google-auth is not installed: "
                           "pip install -r examples/requirements.txt") from None
    try:
        credentials, _ = google_auth.default(scopes=list(GOOGLE_SCOPES))
    except exceptions.DefaultCredentialsError:
        raise ConnectError(
            "the cache uses IAM auth and no Google Application Default Credentials were found: "
            "run with a service account attached (or GOOGLE_APPLICATION_CREDENTIALS), or "
            "`gcloud auth application-default login`") from None
    lock = threading.Lock()      # connections of several threads may ask at once

    def token() -> str:
        with lock:
            # `valid` turns False within google-auth's refresh margin (REFRESH_THRESHOLD,
            # 3 min 45 s) before expiry (google/auth/credentials.py): a new connection never
            # authenticates with a token about to lapse. Tokens last an hour.
            if not credentials.valid:
                credentials.refresh(transport.Request())
            return str(credentials.token)

    return token


def elasticache_token_source(user_id: str, cache_id: str, region: str, *,
                             serverless: bool = False) -> Callable[[], str]:
    """ElastiCache IAM auth tokens (`elasticache_iam_token`) signed with the credentials of
    botocore's default chain (environment, shared config, container or instance role), a new
    one for every connection: signing is local, and a token lasts 15 minutes."""
    try:
        session = importlib.import_module("botocore.session")
    except ImportError:
        raise ConnectError("the cache uses IAM auth and botocore is not installed: "
                           "pip install -r examples/requirements.txt") from None
    credentials = session.get_session().get_credentials()
    if credentials is None:
        raise ConnectError(
            "the cache uses IAM auth and no AWS credentials were found (environment, shared "
            "config, container or instance role): run with a role allowed elasticache:Connect")
    return lambda: elasticache_iam_token(credentials, user_id=user_id, cache_id=cache_id,
                                         region=region, serverless=serverless)


def elasticache_iam_token(credentials: Any, *, user_id: str, cache_id: str, region: str,
                          serverless: bool = False) -> str:
    """The IAM auth token for `AUTH <user_id> <token>`: the request
    `http://<cache_id>/?Action=connect&User=<user_id>[&ResourceType=ServerlessCache]` presigned
    with SigV4 for service `elasticache`, valid ELASTICACHE_TOKEN_SECONDS, without `http://`
    (docs.aws.amazon.com/AmazonElastiCache/latest/dg/auth-iam.html, "Connecting").
    cache_id: the replication group id or the serverless cache's name; credentials: botocore
    Credentials (refreshable ones are frozen first, so the key and its session token match)."""
    from botocore.auth import SigV4QueryAuth
    from botocore.awsrequest import AWSRequest

    query = {"Action": "connect", "User": user_id}
    if serverless:
        query["ResourceType"] = "ServerlessCache"
    request = AWSRequest(method="GET", url=f"http://{cache_id}/", params=query)
    frozen = credentials.get_frozen_credentials() \
        if hasattr(credentials, "get_frozen_credentials") else credentials
    SigV4QueryAuth(frozen, "elasticache", region,
                   expires=ELASTICACHE_TOKEN_SECONDS).add_auth(request)
    return str(request.url).removeprefix("http://")
