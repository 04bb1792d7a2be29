"""boto3 clients per service and region, built from the caller's environment.

Credentials, profile and endpoint come from the environment exactly as the AWS CLI reads them.
`AWS_ENDPOINT_URL` (and `AWS_ENDPOINT_URL_ELASTICACHE`, `..._CLOUDWATCH`) are honoured by
botocore itself; nothing here passes `endpoint_url`, which would override them. That is how the
tests point the CLI at a local moto server.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import boto3
from botocore.config import Config

from ops.errors import NO_CREDENTIALS, OpsError

_CONFIG = Config(
    retries={"mode": "standard", "max_attempts": 5},
    connect_timeout=10,
    read_timeout=30,
    user_agent_extra="managed-cache-ops",
)


class Clients:
    """Lazily built clients, one per (service, region).

    `overrides` maps (service, region) to a ready client; the tests pass clients wrapped in
    botocore's Stubber for the APIs moto does not implement.
    """

    def __init__(self, session: boto3.session.Session | None = None,
                 overrides: Mapping[tuple[str, str], Any] | None = None):
        self._session = session
        self._clients: dict[tuple[str, str], Any] = dict(overrides or {})

    @property
    def session(self) -> boto3.session.Session:
        if self._session is None:
            self._session = boto3.session.Session()
        return self._session

    def client(self, service: str, region: str) -> Any:
        key = (service, region)
        if key not in self._clients:
            self._clients[key] = self.session.client(service, region_name=region, config=_CONFIG)
        return self._clients[key]

    def elasticache(self, region: str) -> Any:
        return self.client("elasticache", region)

    def cloudwatch(self, region: str) -> Any:
        return self.client("cloudwatch", region)

    def require_credentials(self) -> None:
        """Refuse early, before any request, when the environment holds no credentials."""
        if self.session.get_credentials() is None:
            raise OpsError(NO_CREDENTIALS)
