"""How ops words AWS and SDK errors (explain) and which ones mean "AWS could not answer, try
again later" (is_unavailable), which decides whether a failover goes ahead without Route 53.

Error codes from the AWS common errors references:
https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/CommonErrors.html,
https://docs.aws.amazon.com/Route53/latest/APIReference/CommonErrors.html, STS
(ExpiredToken) and the JSON-protocol services (UnrecognizedClientException,
ThrottlingException, TooManyRequestsException)."""

from __future__ import annotations

import pytest
from botocore.exceptions import (
    ClientError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
    UnknownServiceError,
)

from ops.errors import NO_CREDENTIALS, explain, is_unavailable


def _client_error(code: str, message: str = "message", status: int | None = None) -> ClientError:
    response: dict = {"Error": {"Code": code, "Message": message}}
    if status is not None:
        response["ResponseMetadata"] = {"HTTPStatusCode": status}
    return ClientError(response, "DescribeReplicationGroups")


# Credentials AWS does not accept: the fix is new credentials, not a retry.
@pytest.mark.parametrize("code", [
    "UnrecognizedClientException", "InvalidClientTokenId", "ExpiredToken",
    "ExpiredTokenException", "AuthFailure", "SignatureDoesNotMatch", "InvalidAccessKeyId",
    "MissingAuthenticationToken"])
def test_rejected_credentials_are_named_as_such(code):
    err = _client_error(code, "the security token included in the request is expired", 403)
    assert explain(err) == (f"AWS rejected the credentials ({code}): the security token "
                            "included in the request is expired")
    assert not is_unavailable(err)


# AWS could not answer now (Route 53's throttling codes are 400s).
@pytest.mark.parametrize("code", [
    "ServiceUnavailable", "InternalFailure", "InternalError", "Throttling",
    "ThrottlingException", "RequestLimitExceeded", "TooManyRequestsException",
    "PriorRequestNotComplete"])
def test_throttling_and_internal_errors_mean_aws_could_not_answer(code):
    assert is_unavailable(_client_error(code, status=400))


@pytest.mark.parametrize(("err", "unavailable"), [
    (_client_error("SomethingNew", status=500), True),           # any 5xx
    (_client_error("SomethingNew", status=502), True),
    (_client_error("AccessDenied", status=403), False),
    (_client_error("AccessDenied"), False),                       # no HTTP status reported
])
def test_unknown_codes_are_judged_by_their_http_status(err, unavailable):
    assert is_unavailable(err) is unavailable


@pytest.mark.parametrize(("err", "expected"), [
    (NoCredentialsError(), NO_CREDENTIALS),
    (PartialCredentialsError(provider="env", cred_var="AWS_SECRET_ACCESS_KEY"), NO_CREDENTIALS),
    (NoRegionError(), "no AWS region: the stack must set aws:region"),
    (UnknownServiceError(service_name="nope", known_service_names="elasticache"),
     "AWS SDK error: Unknown service: 'nope'. Valid service names are: elasticache"),
    (ClientError({"Error": {"Code": "InvalidParameterValue"}}, "DescribeReplicationGroups"),
     "AWS refused DescribeReplicationGroups (InvalidParameterValue): An error occurred "
     "(InvalidParameterValue) when calling the DescribeReplicationGroups operation: Unknown"),
    (_client_error("InvalidParameterValue", message="  "),
     "AWS refused DescribeReplicationGroups (InvalidParameterValue): An error occurred "
     "(InvalidParameterValue) when calling the DescribeReplicationGroups operation:   "),
])
def test_sdk_errors_are_one_line_saying_what_to_fix(err, expected):
    assert explain(err) == expected
