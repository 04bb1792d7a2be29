"""One exception type for every refusal, and the one-line wording of everything else.

Commands raise `OpsError` for a failed precondition *before* they change anything; `__main__`
prints its message as a single line and exits non-zero. `explain` turns the errors boto3 and
the config loader raise into the same kind of line, so no command ever shows a traceback.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    EndpointConnectionError,
    HTTPClientError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
    ProxyConnectionError,
    SSLError,
)
from botocore.exceptions import (
    ConnectionError as BotoConnectionError,
)

# Exit codes: 0 done / no deviation, 1 `verify` found deviations, 2 error (nothing changed
# unless the message says otherwise), 130 interrupted.
EXIT_OK = 0
EXIT_DEVIATIONS = 1
EXIT_ERROR = 2
EXIT_INTERRUPTED = 130

NO_CREDENTIALS = (
    "no AWS credentials found: set AWS_PROFILE (and run `aws sso login` if it is an SSO "
    "profile) or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
)

# Error codes with which AWS rejects the caller's credentials rather than the request.
_CREDENTIAL_CODES = frozenset({
    "UnrecognizedClientException", "InvalidClientTokenId", "ExpiredToken",
    "ExpiredTokenException", "AuthFailure", "SignatureDoesNotMatch", "InvalidAccessKeyId",
    "MissingAuthenticationToken",
})


# Error codes with which a service says "not now" rather than "no": retrying later can succeed
# (Route 53: Throttling and PriorRequestNotComplete, https://docs.aws.amazon.com/Route53/latest/
# APIReference/CommonErrors.html and API_ChangeResourceRecordSets.html).
_UNAVAILABLE_CODES = frozenset({
    "ServiceUnavailable", "InternalFailure", "InternalError", "Throttling",
    "ThrottlingException", "RequestLimitExceeded", "TooManyRequestsException",
    "PriorRequestNotComplete",
})


class OpsError(Exception):
    """A refusal with a message fit for one line; nothing has been changed."""


def explain(err: BaseException) -> str:
    """One line saying what went wrong, for any error a command may raise."""
    if isinstance(err, OpsError):
        return str(err)
    if isinstance(err, (NoCredentialsError, PartialCredentialsError)):
        return NO_CREDENTIALS
    if isinstance(err, ClientError):
        error = err.response.get("Error", {})
        code = error.get("Code", "Unknown")
        message = error.get("Message", "").strip() or str(err)
        operation = getattr(err, "operation_name", "the request")
        if code in _CREDENTIAL_CODES:
            return f"AWS rejected the credentials ({code}): {message}"
        return f"AWS refused {operation} ({code}): {message}"
    if isinstance(err, EndpointConnectionError):
        return f"cannot reach AWS: {err} (check the network, or AWS_ENDPOINT_URL if you set it)"
    if isinstance(err, NoRegionError):
        return "no AWS region: the stack must set aws:region"
    if isinstance(err, BotoCoreError):
        return f"AWS SDK error: {err}"
    return f"unexpected {type(err).__name__}: {err} (set OPS_DEBUG=1 to see the traceback)"


def is_unavailable(err: BaseException) -> bool:
    """Whether the service could not answer (no connection, a timeout, 5xx, throttling), as
    opposed to refusing the request or never sending it (AccessDenied, NoSuchHostedZone, an
    invalid parameter, credentials that are missing or expired)."""
    if isinstance(err, ClientError):
        code = err.response.get("Error", {}).get("Code", "")
        status = err.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
        return code in _UNAVAILABLE_CODES or status >= 500
    # botocore's transport failures: EndpointConnectionError and ConnectTimeoutError are
    # ConnectionErrors; ReadTimeoutError and ConnectionClosedError are HTTPClientErrors. A
    # proxy or a TLS error is the caller's own network, which a re-run meets again; every
    # other BotoCoreError is about the request or the credentials.
    if isinstance(err, (SSLError, ProxyConnectionError)):
        return False
    return isinstance(err, (BotoConnectionError, HTTPClientError))


T = TypeVar("T")


def mutate(call: Callable[[], T], what: str, check: str) -> T:
    """A call that changes something. botocore retries a request whose answer was lost (read
    timeout, closed connection, 5xx) as well as one it could not send (no connection) or that
    was throttled, and raises only the last attempt's error: an earlier attempt may have been
    accepted, and the last then fails (InvalidGlobalReplicationGroupState, a read timeout, no
    connection ...). Exit 2 must not then claim that nothing changed."""
    try:
        return call()
    except ClientError as err:
        retries = err.response.get("ResponseMetadata", {}).get("RetryAttempts")
        if not retries:
            raise
        cause: Exception = err
        how = (f"it was sent {retries + 1} times (AWS may have accepted an attempt whose answer "
               "was lost), and the last got")
    except (BotoConnectionError, HTTPClientError) as err:
        # Only the last attempt's error survives (botocore endpoint.py): one that could not
        # connect may follow one that reached AWS and timed out.
        cause = err
        how = "no attempt got an answer"
    raise OpsError(f"{what} may have been accepted: {how}: {explain(cause)}. Check with "
                   f"{check} before trying again") from cause
