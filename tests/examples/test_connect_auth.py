"""The connection contract's credentials: token sources (IAM), RBAC users, and how the apps and
the CLI pick them, against the real output shapes of the shipped stacks and their variants."""

from __future__ import annotations

import asyncio
import json
import threading

import pytest

from examples import connect
from examples.connect import ConnectError
from examples.credentials import MASKED


# --- token sources --------------------------------------------------------------------------
def test_a_slow_token_source_does_not_stall_the_event_loop():
    released = threading.Event()

    def token() -> str:
        # Blocks until another coroutine has run; if the token source ran on the event loop
        # itself, that coroutine could not run and the wait would time out.
        assert released.wait(timeout=2), "the event loop stalled while the token was fetched"
        return "access-token"

    async def other_work() -> None:
        await asyncio.sleep(0.01)
        released.set()

    async def main() -> tuple[str, ...]:
        credentials = connect.TokenCredentials(token)
        got, _ = await asyncio.gather(credentials.get_credentials_async(), other_work())
        return got

    assert asyncio.run(main()) == ("access-token",)


# --- RBAC users (AWS) -----------------------------------------------------------------------
def revised(outputs, **top):
    """A deep copy of outputs with top-level keys replaced."""
    return {**json.loads(json.dumps(outputs)), **top}


@pytest.mark.parametrize("cache", ["sessions", "bursty"])
def test_an_rbac_cache_without_a_username_is_refused_with_its_users(rbac_outputs, cache):
    # Its default user is off: a one-argument AUTH would be refused with WRONGPASS.
    if cache == "sessions":
        assert rbac_outputs["caches"][cache]["auth"] == "rbac"
    with pytest.raises(ConnectError, match=(
            f"cache '{cache}' accepts only its RBAC users .* username= .*its users: "
            rf"app \(password\), dev-{cache}-reporting \(iam\)$")):
        connect.from_stack_outputs(rbac_outputs, cache)


@pytest.mark.parametrize("cache", ["sessions", "bursty"])
def test_an_rbac_password_user_gets_its_password_from_user_passwords(rbac_outputs, cache):
    settings = connect.from_stack_outputs(rbac_outputs, cache, username="app")
    kwargs = settings.redis_kwargs()
    assert settings.auth == "rbac"
    assert (kwargs["username"], kwargs["password"]) == \
        ("app", rbac_outputs["user_passwords"][cache]["app"])
    # A password given explicitly wins.
    given = connect.from_stack_outputs(rbac_outputs, cache, username="app", password="pw")
    assert given.redis_kwargs()["password"] == "pw"


def test_an_unknown_rbac_user_is_refused_with_the_cache_users(rbac_outputs):
    with pytest.raises(ConnectError, match="cache 'sessions' has no RBAC user 'ap'; its users: "
                                           "app"):
        connect.from_stack_outputs(rbac_outputs, "sessions", username="ap")


def test_masked_user_passwords_say_how_to_reveal_them(rbac_outputs):
    masked = revised(rbac_outputs, user_passwords=MASKED)
    with pytest.raises(ConnectError, match="user_passwords is masked .*--show-secrets"):
        connect.from_stack_outputs(masked, "sessions", username="app")


def test_an_iam_user_is_named_by_its_key_or_user_id(rbac_outputs):
    for name in ("reporting", "dev-sessions-reporting"):
        settings = connect.from_stack_outputs(rbac_outputs, "sessions", username=name,
                                              password_provider=lambda: "iam-token")
        assert (settings.auth, settings.username) == ("iam", "dev-sessions-reporting")
        assert settings.redis_kwargs()["credential_provider"].get_credentials() == \
            ("dev-sessions-reporting", "iam-token")


def test_cli_takes_the_rbac_user(tmp_path, rbac_outputs, capsys, monkeypatch):
    monkeypatch.delenv("CACHE_USERNAME", raising=False)
    outputs_file = tmp_path / "outputs.json"
    outputs_file.write_text(json.dumps(rbac_outputs))
    arguments = ["--outputs", str(outputs_file), "--cache", "sessions"]
    assert connect.main(arguments) == 1
    assert "accepts only its RBAC users" in capsys.readouterr().err
    assert connect.main([*arguments, "--username", "app"]) == 0
    printed = capsys.readouterr().out
    assert rbac_outputs["user_passwords"]["sessions"]["app"] not in printed
    shown = json.loads(printed)
    assert (shown["auth"], shown["username"], shown["password"]) == ("rbac", "app", "(hidden)")
    monkeypatch.setenv("CACHE_USERNAME", "app")           # as for from_env()
    assert connect.main(arguments) == 0
    assert json.loads(capsys.readouterr().out)["username"] == "app"


def test_env_takes_the_rbac_user(tmp_path, rbac_outputs):
    outputs_file = tmp_path / "outputs.json"
    outputs_file.write_text(json.dumps(rbac_outputs))
    env = {"CACHE_OUTPUTS_FILE": str(outputs_file), "CACHE_NAME": "sessions",
           "CACHE_USERNAME": "app"}
    settings = connect.from_env(env)
    assert (settings.username, settings.password) == \
        ("app", rbac_outputs["user_passwords"]["sessions"]["app"])
