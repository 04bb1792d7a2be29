"""The connection contract's credentials: token sources (IAM), RBAC users, and how the apps and
the CLI pick them, against the real output shapes of the shipped stacks and their variants."""

from __future__ import annotations

import asyncio
import threading

from examples import connect


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
