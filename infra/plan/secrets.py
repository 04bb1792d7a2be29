"""Secrets in the offline plan: masked everywhere, and a last scrub of anything printed.

The SDK serializes a secret as {SIG_KEY: SECRET_SIG, "value": ...}; `mask` replaces each with
MASK and can collect the hidden values, so `scrub` can remove them from a rendered document
should one ever reach it by another path (a secret interpolated into a plain string, say).
Inputs named like credentials are masked even when the program forgot to mark them secret.
"""

from __future__ import annotations

from typing import Any

SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
SIG_KEY = "4dabf18193072939515e22adb298388d"
MASK = "[secret]"
UNKNOWN = "(known after apply)"
# The SDK's marker for a value unknown during a preview (pulumi.runtime.rpc.UNKNOWN).
_UNKNOWN_SENTINEL = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"

# Input names whose values are credentials whatever the program says about them.
SECRET_KEYS = frozenset({
    "authToken", "authString", "password", "accessKey", "secretKey", "token", "credentials",
    "privateKey", "secretString", "masterPassword", "passwords", "secretData",
})
# Shorter values are not scrubbed from text: they would match ordinary words.
_MIN_SCRUB_LENGTH = 6
# Keys inside a secret object whose values name a kind, not a credential: an ElastiCache user's
# authenticationMode is secret as a whole (it holds the passwords), and its `type` is the word
# "password", which scrubbed from the text would garble every `...-password` resource name.
_KIND_KEYS = frozenset({"type"})


def is_secret(value: Any) -> bool:
    """Whether `value` is a secret as the SDK serializes one."""
    return isinstance(value, dict) and value.get(SIG_KEY) == SECRET_SIG


def mask(value: Any, found: set[str] | None = None,
         secret_keys: frozenset[str] | set[str] = frozenset()) -> Any:
    """Secrets (as serialized by the SDK) replaced by MASK, recursively.

    found: collects the plain values that were hidden (to scrub rendered text with).
    secret_keys: mapping keys whose values are masked regardless of how they were marked.
    """
    if is_secret(value):
        if found is not None:
            _collect(value.get("value"), found)
        return MASK
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key in secret_keys and item not in (None, "") and not is_unknown(item):
                if found is not None:
                    _collect(item, found)
                out[key] = MASK
            else:
                out[key] = mask(item, found, secret_keys)
        return out
    if isinstance(value, list):
        return [mask(item, found, secret_keys) for item in value]
    return value


def _collect(value: Any, found: set[str]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if key not in _KIND_KEYS:
                _collect(item, found)
    elif isinstance(value, list):
        for item in value:
            _collect(item, found)
    elif isinstance(value, str) and len(value) >= _MIN_SCRUB_LENGTH and value != MASK:
        found.add(value)


def is_unknown(value: Any) -> bool:
    # Deserialized with keep_unknowns, a preview's unknowns are pulumi.output.Unknown objects.
    return value == _UNKNOWN_SENTINEL or type(value).__name__ == "Unknown"


def clean(value: Any) -> Any:
    """A masked value as plain JSON: unknowns spelled out, whole floats as ints."""
    if isinstance(value, dict):
        return {str(k): clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    if is_unknown(value):
        return UNKNOWN
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def whole_numbers(value: Any) -> Any:
    """`value` with whole floats as ints (the engine sends every number as a double); unknowns
    and other values unchanged."""
    if isinstance(value, dict):
        return {k: whole_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [whole_numbers(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def scrub(text: str, secrets: set[str] | frozenset[str]) -> str:
    """`text` with every collected secret value replaced by MASK (longest first)."""
    for secret in sorted(secrets, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, MASK)
    return text
