"""Credentials for the connection contract (examples/connect.py): the AUTH tokens, RBAC users
and passwords a stack's outputs hold, and the redis-py credential provider around a token source.

Kept apart from connect.py so each module stays small; connect.py re-exports what callers use
(`ConnectError`, `TokenCredentials`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from typing import Any

# What `pulumi stack output --json` prints for a secret without --show-secrets
# (pulumi/pulumi pkg/backend/display: massagePropertyValue).
MASKED = "[secret]"


class ConnectError(ValueError):
    """The outputs, secret or URL cannot give working, secure client settings. One line."""


class TokenCredentials:
    """A redis-py credential provider around a callable (an IAM access token source)."""

    def __init__(self, token: Callable[[], str], username: str | None = None):
        self._token = token
        self._username = username

    def get_credentials(self) -> tuple[str] | tuple[str, str]:
        token = self._token()
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
    password comes from `user_passwords` unless one is given; an IAM user needs a token."""
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
        if password is None and password_provider is None:
            raise ConnectError(
                f"RBAC user {name!r} of cache {cache!r} uses IAM auth: pass password_provider="
                "<callable returning a fresh IAM auth token> (or password=<token>)")
        return "iam", name, password
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
