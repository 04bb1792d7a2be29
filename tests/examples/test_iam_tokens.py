"""IAM auth from the apps and the CLI: from_env() and `python -m examples.connect` build the
token source an IAM cache needs (GCP Valkey `auth: iam`: Google ADC access tokens; an AWS RBAC
user with `iam: true`: SigV4-presigned connect requests), with the cloud SDKs stubbed: no
network, no real credentials."""

from __future__ import annotations

import asyncio
import datetime
import hashlib
import hmac
import json
import sys
import types
from urllib.parse import parse_qsl, quote, urlsplit

import botocore.auth
import botocore.session
import pytest
from botocore.credentials import Credentials

from examples import connect, credentials
from examples.connect import ConnectError

SCOPE = "https://www.googleapis.com/auth/cloud-platform"
NOW = datetime.datetime(2026, 12, 7, 9, 30, 0)          # botocore's clock, frozen
AWS_KEYS = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                       "session-token/+=")


# --- stubs ----------------------------------------------------------------------------------
class FakeGoogleCredentials:
    """What google.auth.default() returns: no token until refreshed; `valid` as google-auth
    computes it (False when missing or within the refresh margin of expiry)."""

    def __init__(self) -> None:
        self.token: str | None = None
        self.valid = False
        self.refreshed: list[object] = []

    def refresh(self, request: object) -> None:
        self.refreshed.append(request)
        self.token, self.valid = f"ya29.token-{len(self.refreshed)}", True


@pytest.fixture
def google_adc(monkeypatch):
    """google.auth (and its exceptions and requests transport) stubbed in sys.modules: ADC give
    one FakeGoogleCredentials; `adc.scopes` records every default() call, `adc.missing = True`
    makes default() find none."""
    adc = types.SimpleNamespace(credentials=FakeGoogleCredentials(), scopes=[], missing=False)
    exceptions = types.ModuleType("google.auth.exceptions")

    class DefaultCredentialsError(Exception):
        pass

    exceptions.DefaultCredentialsError = DefaultCredentialsError
    auth = types.ModuleType("google.auth")

    def default(scopes=None):
        adc.scopes.append(scopes)
        if adc.missing:
            raise DefaultCredentialsError("Your default credentials were not found.")
        return adc.credentials, "managed-cache-prod"

    auth.default = default
    transport = types.ModuleType("google.auth.transport.requests")
    transport.Request = type("Request", (), {})
    for name, module in {"google.auth": auth, "google.auth.exceptions": exceptions,
                         "google.auth.transport.requests": transport}.items():
        monkeypatch.setitem(sys.modules, name, module)
    return adc


@pytest.fixture
def aws_chain(monkeypatch):
    """botocore's default credential chain stubbed to AWS_KEYS (`chain.keys = None`: none
    found), and its signing clock frozen at NOW."""
    chain = types.SimpleNamespace(keys=AWS_KEYS)
    session = types.SimpleNamespace(get_credentials=lambda: chain.keys)
    monkeypatch.setattr(botocore.session, "get_session", lambda: session)
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda: NOW)
    return chain


def outputs_env(tmp_path, outputs, cache, **env):
    path = tmp_path / "outputs.json"
    path.write_text(json.dumps(outputs))
    return {"CACHE_OUTPUTS_FILE": str(path), "CACHE_NAME": cache, **env}


# --- GCP Valkey: Application Default Credentials --------------------------------------------
def gcp_iam_secret(outputs):
    entry = outputs["gcp-prod"]["caches"]["sessions"]
    return {"engine": "valkey", "host": entry["endpoint"], "port": entry["port"],
            "reader_host": entry["reader_endpoint"], "tls": True, "ca_certs": entry["ca_certs"],
            "region": entry["region"], "instance_id": entry["instance_id"], "auth": "iam"}


@pytest.mark.parametrize("source", ["outputs", "secret"])
def test_env_gives_a_gcp_iam_cache_fresh_adc_tokens(google_adc, outputs, tmp_path, source):
    assert outputs["gcp-prod"]["caches"]["sessions"]["auth"] == "iam"
    if source == "outputs":
        env = outputs_env(tmp_path, outputs["gcp-prod"], "sessions")
    else:
        (tmp_path / "secret.json").write_text(json.dumps(gcp_iam_secret(outputs)))
        env = {"CACHE_SECRET_FILE": str(tmp_path / "secret.json")}
    settings = connect.from_env(env)
    assert settings.auth == "iam" and google_adc.scopes == [[SCOPE]]
    provider = settings.redis_kwargs()["credential_provider"]
    # AUTH <token>: the access token alone (user `default`), refreshed only when not valid.
    assert provider.get_credentials() == ("ya29.token-1",)
    assert provider.get_credentials() == ("ya29.token-1",)
    assert len(google_adc.credentials.refreshed) == 1
    google_adc.credentials.valid = False                  # expired, or about to
    assert asyncio.run(provider.get_credentials_async()) == ("ya29.token-2",)
    assert settings.redis_kwargs(read_only=True)["credential_provider"] is not None


def test_cli_connects_a_gcp_iam_cache_without_printing_a_token(google_adc, outputs, tmp_path,
                                                               capsys, monkeypatch):
    monkeypatch.delenv("CACHE_PASSWORD", raising=False)
    env = outputs_env(tmp_path, outputs["gcp-prod"], "sessions")
    arguments = ["--outputs", env["CACHE_OUTPUTS_FILE"], "--cache", "sessions"]
    assert connect.main([*arguments, "--region", "us-east4"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert (shown["auth"], shown["password"]) == ("iam", "(hidden)")
    assert google_adc.scopes == [[SCOPE]]


def test_an_explicit_cache_password_still_wins(google_adc, outputs, tmp_path):
    env = outputs_env(tmp_path, outputs["gcp-prod"], "sessions", CACHE_PASSWORD="fixed-token")
    settings = connect.from_env(env)
    kwargs = settings.redis_kwargs()
    assert kwargs["password"] == "fixed-token" and "credential_provider" not in kwargs
    assert google_adc.scopes == []                     # the credentials were never looked up


def test_without_google_auth_the_cache_names_the_install(monkeypatch, outputs, tmp_path):
    monkeypatch.setitem(sys.modules, "google.auth", None)        # not installed
    with pytest.raises(ConnectError, match="google-auth is not installed: pip install -r "
                                           "examples/requirements.txt$"):
        connect.from_env(outputs_env(tmp_path, outputs["gcp-prod"], "sessions"))


def test_without_adc_the_cache_says_how_to_get_them(google_adc, outputs, tmp_path):
    google_adc.missing = True
    with pytest.raises(ConnectError, match="no Google Application Default Credentials were "
                                           "found: .*application-default login"):
        connect.from_env(outputs_env(tmp_path, outputs["gcp-prod"], "sessions"))


def test_library_callers_still_choose_their_token_source(google_adc, outputs):
    # Only from_env() and the CLI reach for the platform's credentials.
    with pytest.raises(ConnectError, match="roles/memorystore.dbConnectionUser"):
        connect.from_stack_outputs(outputs["gcp-prod"], "sessions")
    assert google_adc.scopes == []


# --- AWS ElastiCache: SigV4-presigned connect requests --------------------------------------
def sigv4_signature(host: str, query: list[tuple[str, str]], secret_key: str, region: str,
                    stamp: str) -> str:
    """The signature AWS computes for a presigned GET of `/` on `host`, written out from the
    SigV4 specification (docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html),
    independently of botocore."""
    canonical_query = "&".join(f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}"
                               for k, v in sorted(query) if k != "X-Amz-Signature")
    canonical = "\n".join(["GET", "/", canonical_query, f"host:{host}", "", "host",
                           hashlib.sha256(b"").hexdigest()])
    scope = f"{stamp[:8]}/{region}/elasticache/aws4_request"
    to_sign = "\n".join(["AWS4-HMAC-SHA256", stamp, scope,
                         hashlib.sha256(canonical.encode()).hexdigest()])
    key = f"AWS4{secret_key}".encode()
    for part in (stamp[:8], region, "elasticache", "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()


@pytest.mark.parametrize("serverless", [False, True], ids=["replication-group", "serverless"])
def test_an_elasticache_token_is_a_presigned_connect_request(aws_chain, serverless):
    cache_id = "dev-bursty" if serverless else "dev-sessions"
    token = credentials.elasticache_iam_token(AWS_KEYS, user_id=f"{cache_id}-reporting",
                                              cache_id=cache_id, region="us-east-1",
                                              serverless=serverless)
    assert not token.startswith("http")                      # the URL without http://
    parts = urlsplit(f"http://{token}")
    query = parse_qsl(parts.query, keep_blank_values=True)
    fields = dict(query)
    assert (parts.hostname, parts.path) == (cache_id, "/")
    assert query[:2] == [("Action", "connect"), ("User", f"{cache_id}-reporting")]
    assert fields.get("ResourceType") == ("ServerlessCache" if serverless else None)
    assert fields["X-Amz-Expires"] == "900"                  # 15 minutes, the maximum
    assert fields["X-Amz-Date"] == "20261207T093000Z"
    assert fields["X-Amz-Credential"] == "AKIDEXAMPLE/20261207/us-east-1/elasticache/aws4_request"
    assert fields["X-Amz-SignedHeaders"] == "host"
    assert fields["X-Amz-Security-Token"] == "session-token/+="
    assert fields["X-Amz-Signature"] == sigv4_signature(
        cache_id, query, AWS_KEYS.secret_key, "us-east-1", "20261207T093000Z")


@pytest.mark.parametrize("cache", ["sessions", "bursty"])
def test_env_gives_an_aws_iam_user_presigned_tokens(aws_chain, rbac_outputs, tmp_path, cache):
    entry = rbac_outputs["caches"][cache]
    user = entry["users"]["reporting"]
    assert user["auth"] == "iam" and user["username"] == user["user_id"]
    env = outputs_env(tmp_path, rbac_outputs, cache, CACHE_USERNAME="reporting")
    settings = connect.from_env(env)
    assert (settings.auth, settings.username) == ("iam", user["user_id"])
    username, token = settings.redis_kwargs()["credential_provider"].get_credentials()
    assert username == user["user_id"]                       # AUTH <user id> <token>
    assert token == credentials.elasticache_iam_token(
        AWS_KEYS, user_id=user["user_id"], cache_id=entry["cache_id"], region=entry["region"],
        serverless=cache == "bursty")
    assert token.startswith(f"{entry['cache_id']}/?Action=connect&User={user['user_id']}&")
    assert ("ResourceType=ServerlessCache" in token) is (cache == "bursty")


def test_an_aws_iam_user_without_credentials_is_refused(aws_chain, rbac_outputs, tmp_path):
    aws_chain.keys = None
    with pytest.raises(ConnectError, match="no AWS credentials were found .*elasticache:Connect"):
        connect.from_env(outputs_env(tmp_path, rbac_outputs, "sessions",
                                     CACHE_USERNAME="reporting"))


def test_an_aws_iam_user_takes_cache_password_or_a_provider(aws_chain, rbac_outputs, tmp_path):
    settings = connect.from_env(outputs_env(tmp_path, rbac_outputs, "sessions",
                                            CACHE_USERNAME="reporting", CACHE_PASSWORD="tok"))
    kwargs = settings.redis_kwargs()
    assert (kwargs["username"], kwargs["password"]) == ("dev-sessions-reporting", "tok")
    with pytest.raises(ConnectError, match="uses IAM auth: pass password_provider=.*"
                                           "elasticache:Connect"):
        connect.from_stack_outputs(rbac_outputs, "sessions", username="reporting")
