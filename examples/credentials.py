"""Credentials for the connection contract (examples/connect.py): the AUTH tokens and RBAC
passwords a stack's outputs hold, and the redis-py credential provider around a token source.

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
