"""ops tests: every test runs under moto with fake credentials (support.mocked_aws), and
`project` is a project folder holding the `ops` stack with the prod sessions cache and the
Memcached fragments cluster (a test module may define its own `project`). `east` and `west`
are elasticache clients behind Stubber in the Global Datastore's two regions."""

import pytest

from tests.ops.support import (
    FRAGMENTS,
    PROD_SESSIONS,
    Route53,
    Stubbed,
    mocked_aws,  # noqa: F401 (autouse for this folder)
    write_stack,
)


@pytest.fixture
def project(tmp_path):
    write_stack(tmp_path, "ops", {"sessions": PROD_SESSIONS, "fragments": FRAGMENTS})
    return tmp_path


@pytest.fixture
def east() -> Stubbed:
    return Stubbed("us-east-1")


@pytest.fixture
def west() -> Stubbed:
    return Stubbed("eu-west-1")


@pytest.fixture
def r53() -> Route53:
    return Route53()
